/*
 * test_func.c -- the normal form of function names.
 */
#include "testutil.h"

#include "profile/func.h"

#include <string.h>

static void
check(const char *in, const char *want)
{
	char out[256];
	size_t n = ff_func_normalize(in, strlen(in), out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void
test_normal_forms(void **state)
{
	(void)state;
	check("tcp_sendmsg", "tcp_sendmsg");
	check("tcp_sendmsg+0x1f", "tcp_sendmsg");
	check("[unknown] 0x7f12ab", "[unknown] 0x...");
	check("stub 0x3c00 at 0XFF", "stub 0x... at 0x...");
	check("f0x12", "f0x...");
	check("a+0x", "a+0x");
	check("0x", "0x");
	check("0x1", "0x...");
	check("", "");
	/* Only a trailing offset is stripped. */
	check("a+0x10;b", "a+0x...;b");
}

static void
test_strip_hex_keeps_offsets(void **state)
{
	char out[64];

	(void)state;
	ff_func_strip_hex("f+0x1f", 6, out, sizeof out);
	assert_string_equal(out, "f+0x...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_forms),
		cmocka_unit_test(test_strip_hex_keeps_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
