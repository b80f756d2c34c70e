/*
 * test_hash.c -- ff_hash128, the 128-bit hash the store names stacks by.
 */
#include "testutil.h"

#include "profile/hash.h"

#include <string.h>

static void
test_hash128(void **state)
{
	uint64_t a[2], b[2], c[2], d[2];
	char buf[100];

	(void)state;
	ff_hash128("ngx_http_process_request", 24, a);
	ff_hash128("ngx_http_process_request", 24, b);
	assert_true(a[0] == b[0] && a[1] == b[1]);
	/* One byte more, one byte different, empty: all differ. */
	ff_hash128("ngx_http_process_request_", 25, c);
	assert_false(a[0] == c[0] && a[1] == c[1]);
	ff_hash128("ngx_http_process_requesT", 24, c);
	assert_false(a[0] == c[0] || a[1] == c[1]);
	ff_hash128("", 0, d);
	assert_false(d[0] == a[0]);
	/* Both halves carry information. */
	memset(buf, 'x', sizeof buf);
	ff_hash128(buf, sizeof buf, c);
	buf[50] = 'y';
	ff_hash128(buf, sizeof buf, d);
	assert_true(c[0] != d[0] && c[1] != d[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash128),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
