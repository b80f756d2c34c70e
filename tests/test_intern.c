/*
 * test_intern.c -- the frame table.
 */
#include "testutil.h"

#include "profile/intern.h"
#include "profile/limits.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_ids_are_dense_and_stable(void **state)
{
	ff_intern *t = ff_intern_new();
	uint32_t a, b, c;
	size_t len;

	(void)state;
	assert_non_null(t);
	assert_int_equal(ff_intern_put(t, "main", 4, &a), FF_OK);
	assert_int_equal(ff_intern_put(t, "read", 4, &b), FF_OK);
	assert_int_equal(ff_intern_put(t, "main", 4, &c), FF_OK);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, a);
	assert_string_equal(ff_intern_str(t, b, &len), "read");
	assert_int_equal(len, 4);
	assert_int_equal(ff_intern_count(t), 2);
	ff_intern_free(t);
}

static void
test_embedded_bytes_and_empty(void **state)
{
	ff_intern *t = ff_intern_new();
	uint32_t a, b, e, found;
	size_t len;

	(void)state;
	/* Names are byte strings: a prefix is a different name. */
	assert_int_equal(ff_intern_put(t, "abc", 2, &a), FF_OK);
	assert_int_equal(ff_intern_put(t, "abc", 3, &b), FF_OK);
	assert_int_not_equal(a, b);
	assert_int_equal(ff_intern_put(t, "", 0, &e), FF_OK);
	assert_string_equal(ff_intern_str(t, e, &len), "");
	assert_int_equal(len, 0);
	assert_true(ff_intern_find(t, "ab", 2, &found));
	assert_int_equal(found, a);
	assert_false(ff_intern_find(t, "zz", 2, &found));
	ff_intern_free(t);
}

static void
test_many_names_survive_rehash(void **state)
{
	ff_intern *t = ff_intern_new();
	char name[32];
	uint32_t i, id;

	(void)state;
	for (i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof name, "func_%u", i);

		assert_int_equal(ff_intern_put(t, name, (size_t)n, &id), FF_OK);
		assert_int_equal(id, i);
	}
	for (i = 0; i < 100000; i += 997) {
		int n = snprintf(name, sizeof name, "func_%u", i);

		assert_true(ff_intern_find(t, name, (size_t)n, &id));
		assert_int_equal(id, i);
	}
#ifndef NDEBUG
	ff_intern_check(t);
#endif
	ff_intern_free(t);
}

static void
test_name_limit(void **state)
{
	ff_intern *t = ff_intern_new();
	size_t n = FF_FRAME_MAX + 1;
	char *big = malloc(n);
	uint32_t id;

	(void)state;
	memset(big, 'x', n);
	assert_int_equal(ff_intern_put(t, big, n, &id), FF_ERR_LIMIT);
	assert_int_equal(ff_intern_count(t), 0);
	assert_int_equal(ff_intern_put(t, big, n - 1, &id), FF_OK);
	free(big);
	ff_intern_free(t);
}

static void
test_out_of_memory_leaves_table_usable(void **state)
{
	unsigned long n;

	(void)state;
	for (n = 1; n < 40; n++) {
		ff_intern *t;
		char name[32];
		uint32_t i, id;
		ff_rc rc = FF_OK;

		ff_mem_fail_at(n, 0);
		t = ff_intern_new();
		for (i = 0; t != NULL && i < 3000 && rc == FF_OK; i++) {
			int len = snprintf(name, sizeof name, "f%u", i);

			rc = ff_intern_put(t, name, (size_t)len, &id);
		}
		ff_mem_fail_at(0, 0);
		if (t != NULL) {
			assert_true(rc == FF_OK || rc == FF_ERR_NOMEM);
			/* The failed name can be added afterwards. */
			assert_int_equal(ff_intern_put(t, "again", 5, &id), FF_OK);
#ifndef NDEBUG
			ff_intern_check(t);
#endif
		}
		ff_intern_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_are_dense_and_stable),
		cmocka_unit_test(test_embedded_bytes_and_empty),
		cmocka_unit_test(test_many_names_survive_rehash),
		cmocka_unit_test(test_name_limit),
		cmocka_unit_test(test_out_of_memory_leaves_table_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
