/*
 * test_stamp.c -- RFC 3339 times and durations.
 */
#include "testutil.h"

#include "profile/stamp.h"

#include <string.h>

static int64_t
parse(const char *s, ff_rc *rc)
{
	int64_t t = -1;
	ff_err err;

	*rc = ff_stamp_parse(s, strlen(s), &t, &err);
	return t;
}

static void
test_parse_and_format(void **state)
{
	char buf[FF_STAMP_LEN];
	ff_rc rc;

	(void)state;
	assert_int_equal(parse("1970-01-01T00:00:00Z", &rc), 0);
	assert_int_equal(rc, FF_OK);
	assert_int_equal(parse("2026-11-21T20:00:00Z", &rc), 1795291200);
	assert_int_equal(parse("2026-11-21T20:00:00.999Z", &rc), 1795291200);
	assert_int_equal(parse("2026-11-21T21:30:00+01:30", &rc), 1795291200);
	assert_int_equal(parse("2000-02-29T12:00:00Z", &rc), 951825600);
	ff_stamp_format(1795291200, buf);
	assert_string_equal(buf, "2026-11-21T20:00:00Z");
	ff_stamp_format(-86400, buf);
	assert_string_equal(buf, "1969-12-31T00:00:00Z");
	ff_stamp_format(951825600, buf);
	assert_string_equal(buf, "2000-02-29T12:00:00Z");
}

static void
test_bad_times(void **state)
{
	static const char *bad[] = { "", "2026-11-21", "2026-11-21T20:00:00",
	    "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
	    "2026-11-21T24:00:00Z", "2026-11-21T20:00:00Zjunk",
	    "2026-11-21T20:00:00.Z", "yesterday" };
	size_t i;
	ff_rc rc;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		parse(bad[i], &rc);
		assert_int_equal(rc, FF_ERR_PARSE);
	}
}

static void
test_durations_and_when(void **state)
{
	int64_t v;
	ff_err err;

	(void)state;
	assert_int_equal(ff_stamp_parse_duration("24h", 3, &v, &err), FF_OK);
	assert_int_equal(v, 86400);
	assert_int_equal(ff_stamp_parse_duration("30d", 3, &v, &err), FF_OK);
	assert_int_equal(v, 30 * 86400);
	assert_int_equal(ff_stamp_parse_duration("5", 1, &v, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_stamp_parse_duration("h", 1, &v, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_stamp_parse_duration("99999999999999999w", 18, &v,
	    &err), FF_ERR_PARSE);
	assert_int_equal(ff_stamp_parse_when("-24h", 4, 100000, &v, &err),
	    FF_OK);
	assert_int_equal(v, 100000 - 86400);
	assert_int_equal(ff_stamp_parse_when("now", 3, 42, &v, &err), FF_OK);
	assert_int_equal(v, 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_durations_and_when),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
