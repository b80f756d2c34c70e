/*
 * test_sel.c -- selections: terms, their errors, matching, formatting.
 */
#include "testutil.h"

#include "store/sel.h"

#include <string.h>

static ff_rc
set(ff_sel *s, const char *k, const char *v, ff_err *err)
{
	return ff_sel_set(s, k, strlen(k), v, strlen(v), 1795291200, err);
}

static void
test_terms(void **state)
{
	char buf[512];
	ff_sel s, c;
	ff_err err;

	(void)state;
	ff_sel_init(&s);
	assert_true(ff_sel_build_only(&s));
	assert_int_equal(set(&s, "build", "2026.11.3", &err), FF_OK);
	assert_int_equal(set(&s, "type", "cpu", &err), FF_OK);
	assert_true(ff_sel_build_only(&s));
	assert_int_equal(set(&s, "host", "cache-0[0-4]*", &err), FF_OK);
	assert_false(ff_sel_build_only(&s));
	assert_int_equal(set(&s, "since", "2026-11-21T00:00:00Z", &err), FF_OK);
	assert_int_equal(s.since, 1795219200);
	assert_int_equal(set(&s, "until", "-1h", &err), FF_OK);
	assert_int_equal(s.until, 1795291200 - 3600);
	assert_int_equal(set(&s, "label.site", "ams2", &err), FF_OK);
	assert_int_equal(set(&s, "label.kernel", "6.1", &err), FF_OK);
	assert_int_equal(s.nlabels, 2);
	/* A later build replaces the earlier one. */
	assert_int_equal(set(&s, "build", "2026.11.4", &err), FF_OK);
	assert_string_equal(s.build, "2026.11.4");
	assert_true(ff_sel_host_ok(&s, "cache-031"));
	assert_false(ff_sel_host_ok(&s, "cache-51"));
	assert_false(ff_sel_host_exact(&s));
	assert_string_equal(ff_sel_format(&s, buf, sizeof buf),
	    "build=2026.11.4,host=cache-0[0-4]*,type=cpu,"
	    "since=2026-11-21T00:00:00Z,until=2026-11-21T19:00:00Z,"
	    "label.site=ams2,label.kernel=6.1");
	ff_sel_init(&c);
	assert_int_equal(ff_sel_copy(&c, &s, &err), FF_OK);
	assert_string_equal(ff_sel_format(&c, buf, sizeof buf),
	    "build=2026.11.4,host=cache-0[0-4]*,type=cpu,"
	    "since=2026-11-21T00:00:00Z,until=2026-11-21T19:00:00Z,"
	    "label.site=ams2,label.kernel=6.1");
	ff_sel_free(&c);
	ff_sel_free(&s);
	assert_null(s.build);
	assert_int_equal(s.nlabels, 0);
}

static void
test_errors(void **state)
{
	char longv[300];
	ff_sel s;
	ff_err err;
	int i;

	(void)state;
	ff_sel_init(&s);
	assert_int_equal(set(&s, "bild", "x", &err), FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown selection term 'bild'"));
	assert_int_equal(set(&s, "since", "yesterday", &err), FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "since"));
	assert_int_equal(set(&s, "build", "", &err), FF_ERR_USAGE);
	assert_int_equal(set(&s, "build", "a\nb", &err), FF_ERR_USAGE);
	assert_int_equal(set(&s, "build", "\xff\xfe", &err), FF_ERR_USAGE);
	memset(longv, 'a', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_int_equal(set(&s, "host", longv, &err), FF_ERR_USAGE);
	assert_int_equal(set(&s, "label.", "x", &err), FF_ERR_USAGE);
	assert_int_equal(set(&s, "label.a b", "x", &err), FF_ERR_USAGE);
	for (i = 0; i < FF_SEL_LABELS_MAX; i++)
		assert_int_equal(set(&s, "label.k", "v", &err), FF_OK);
	assert_int_equal(set(&s, "label.k", "v", &err), FF_ERR_USAGE);
	ff_sel_free(&s);
}

static void
test_parse(void **state)
{
	ff_sel s;
	ff_err err;

	(void)state;
	ff_sel_init(&s);
	assert_int_equal(ff_sel_parse(&s, "build=B,host=web-*,label.site=x",
	    0, &err), FF_OK);
	assert_string_equal(s.build, "B");
	assert_string_equal(s.host, "web-*");
	assert_string_equal(s.labels[0].value, "x");
	assert_int_equal(ff_sel_parse(&s, "build", 0, &err), FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "not key=value"));
	ff_sel_free(&s);
	ff_sel_init(&s);
	assert_int_equal(ff_sel_parse(&s, "host=web01", 0, &err), FF_OK);
	assert_true(ff_sel_host_exact(&s));
	assert_int_equal(ff_sel_parse(&s, "", 0, &err), FF_OK);
	ff_sel_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
