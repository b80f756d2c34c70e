/*
 * test_tokens.c -- the tokens file and token matching.
 */
#include "testutil.h"

#include "store/tokens.h"

#include <string.h>

static const char *
write_file(const char *name, const char *text)
{
	const char *path = ff_test_fmt("%s/%s", ff_test_tmpdir(), name);

	assert_int_equal(ff_test_write(path, text, strlen(text)), 0);
	return path;
}

static void
test_load_match(void **state)
{
	const char *path = write_file("tokens", "# agents\n"
	    "\n"
	    "s3cr3t-token-0123456789 cache-*\r\n"
	    "  other-token-abcdefghij\tweb-0[1-3]  \n"
	    "yet+another/token=0000 *\n");
	ff_tokens *t;
	ff_err err;
	const char *g;

	(void)state;
	assert_int_equal(ff_tokens_load(&t, path, &err), FF_OK);
	assert_int_equal(ff_tokens_count(t), 3);
	g = ff_tokens_match(t, "s3cr3t-token-0123456789", 23);
	assert_non_null(g);
	assert_string_equal(g, "cache-*");
	assert_true(ff_tokens_host_ok(g, "cache-017"));
	assert_false(ff_tokens_host_ok(g, "web-01"));
	g = ff_tokens_match(t, "other-token-abcdefghij", 22);
	assert_string_equal(g, "web-0[1-3]");
	assert_true(ff_tokens_host_ok(g, "web-02"));
	assert_false(ff_tokens_host_ok(g, "web-04"));
	/* A prefix, an extension, a different byte: no match. */
	assert_null(ff_tokens_match(t, "s3cr3t-token-012345678", 22));
	assert_null(ff_tokens_match(t, "s3cr3t-token-01234567890", 24));
	assert_null(ff_tokens_match(t, "s3cr3t-token-0123456788", 23));
	assert_null(ff_tokens_match(t, "", 0));
	ff_tokens_free(t);
}

static void
test_bad_files(void **state)
{
	static const char *const bad[] = {
		"short x\n",                            /* token too short */
		"0123456789abcdefgh\n",                 /* no glob */
		"0123456789abcdefgh a b\n",             /* extra field */
		"0123456789abcdef!h host\n",            /* bad character */
	};
	ff_tokens *t;
	ff_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *path = write_file("bad", bad[i]);

		assert_int_equal(ff_tokens_load(&t, path, &err), FF_ERR_PARSE);
		assert_non_null(strstr(err.msg, ":1:"));
		assert_null(t);
	}
	assert_int_equal(ff_tokens_load(&t, "/nonexistent/tokens", &err),
	    FF_ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_match),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
