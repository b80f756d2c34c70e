/*
 * test_stackbuf.c -- collecting unsorted stacks and sorting them in
 * flamegraph.pl's order.
 */
#include "testutil.h"

#include "profile/limits.h"
#include "profile/mem.h"
#include "report/stackbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids for "a;b;c" into ids; its depth. */
static uint32_t
ids_of(ff_intern *t, const char *s, uint32_t *ids)
{
	uint32_t d = 0;

	while (*s != '\0') {
		const char *e = strchr(s, ';');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);

		assert_int_equal(ff_intern_put(t, s, len, &ids[d++]), FF_OK);
		s += len + (e != NULL);
	}
	return d;
}

/* The stacks of b in order, as "a;b=N" joined by spaces. */
static char *
dump(const ff_stackbuf *b, const ff_intern *t)
{
	char *out = calloc(1, 65536);
	size_t i, len = 0;

	for (i = 0; i < ff_stackbuf_count(b); i++) {
		const uint32_t *ids;
		const uint64_t *v;
		uint32_t d, k;

		ff_stackbuf_get(b, i, &ids, &d, &v);
		for (k = 0; k < d; k++)
			len += (size_t)snprintf(out + len, 65536 - len, "%s%s",
			    k ? ";" : (i ? " " : ""),
			    ff_intern_str(t, ids[k], NULL));
		len += (size_t)snprintf(out + len, 65536 - len, "=%llu",
		    (unsigned long long)v[0]);
	}
	return out;
}

static void
test_order_and_merge(void **state)
{
	static const char *const in[] = {
		"f;x", "f2", "f", "g", "a b", "a", "a;z", "f", "a", "f;x"
	};
	ff_intern *t = ff_intern_new();
	ff_stackbuf *b = ff_stackbuf_new(t, 1);
	uint32_t ids[8];
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		uint64_t v = i + 1;

		assert_int_equal(ff_stackbuf_add(b, ids, ids_of(t, in[i], ids),
		    &v), FF_OK);
	}
	assert_int_equal(ff_stackbuf_sort(b), FF_OK);
	s = dump(b, t);
	/* As `sort` orders "STACK COUNT" lines: "a 6" < "a b 5" < "a;z",
	 * "f 3" < "f2" < "f;x". */
	assert_string_equal(s, "a=15 a b=5 a;z=7 f=11 f2=2 f;x=11 g=4");
	free(s);
	ff_stackbuf_free(b);
	ff_intern_free(t);
}

static void
test_cmp(void **state)
{
	ff_intern *t = ff_intern_new();
	uint32_t a[4], b[4], da, db;

	(void)state;
	da = ids_of(t, "x;f", a);
	db = ids_of(t, "x;f;y", b);
	assert_true(ff_stackbuf_cmp(t, a, da, b, db) < 0);
	assert_true(ff_stackbuf_cmp(t, b, db, a, da) > 0);
	assert_int_equal(ff_stackbuf_cmp(t, a, da, a, da), 0);
	db = ids_of(t, "x;f2", b);
	assert_true(ff_stackbuf_cmp(t, a, da, b, db) < 0);   /* "f " < "f2" */
	da = ids_of(t, "x;f;y", a);
	assert_true(ff_stackbuf_cmp(t, a, da, b, db) > 0);   /* "f;" > "f2" */
	da = ids_of(t, "", a);
	assert_true(ff_stackbuf_cmp(t, a, da, b, db) < 0);
	ff_intern_free(t);
}

/* Repeated stacks are merged as they come, so memory follows the
 * distinct stacks. */
static void
test_merges_while_adding(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stackbuf *b = ff_stackbuf_new(t, 2);
	uint32_t ids[64], i;
	size_t n;

	(void)state;
	for (i = 0; i < 64; i++) {
		char name[8];

		snprintf(name, sizeof name, "f%u", i);
		assert_int_equal(ff_intern_put(t, name, strlen(name), &ids[i]),
		    FF_OK);
	}
	for (i = 0; i < 100000; i++) {
		uint64_t v[2] = { 1, 2 };

		ids[63] = i % 10;
		assert_int_equal(ff_stackbuf_add(b, ids, 64, v), FF_OK);
	}
	n = ff_stackbuf_count(b);
	assert_true(n < 100000);
	assert_int_equal(ff_stackbuf_sort(b), FF_OK);
	assert_int_equal(ff_stackbuf_count(b), 10);
	for (i = 0; i < 10; i++) {
		const uint32_t *p;
		const uint64_t *v;
		uint32_t d;

		ff_stackbuf_get(b, i, &p, &d, &v);
		assert_int_equal(d, 64);
		assert_int_equal(v[0], 10000);
		assert_int_equal(v[1], 20000);
	}
	ff_stackbuf_free(b);
	ff_intern_free(t);
}

static void
test_overflow(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stackbuf *b = ff_stackbuf_new(t, 1);
	uint64_t big = FF_COUNT_MAX, one = 1;
	uint32_t id = 0;

	(void)state;
	assert_null(ff_stackbuf_new(t, 0));
	assert_int_equal(ff_intern_put(t, "x", 1, &id), FF_OK);
	assert_int_equal(ff_stackbuf_add(b, &id, 1, &big), FF_OK);
	assert_int_equal(ff_stackbuf_add(b, &id, 1, &one), FF_ERR_LIMIT);
	assert_int_equal(ff_stackbuf_count(b), 1);
	ff_stackbuf_free(b);
	ff_intern_free(t);
}

static void
test_nomem(void **state)
{
	ff_intern *t = ff_intern_new();
	unsigned long n;
	uint32_t id;
	int k;

	(void)state;
	for (k = 0; k < 5000; k++) {
		char name[16];

		snprintf(name, sizeof name, "n%d", k);
		assert_int_equal(ff_intern_put(t, name, strlen(name), &id),
		    FF_OK);
	}
	for (n = 1; n < 1000; n++) {
		ff_stackbuf *b;
		ff_rc rc = FF_OK;
		uint32_t ids[3] = { 0, 0, 0 };
		int i;

		ff_mem_fail_at(n, 0);
		b = ff_stackbuf_new(t, 1);
		for (i = 0; b != NULL && i < 5000 && rc == FF_OK; i++) {
			uint64_t v = 1;

			ids[2] = (uint32_t)(i * 7919 % 5000);
			rc = ff_stackbuf_add(b, ids, 3, &v);
		}
		if (b != NULL && rc == FF_OK)
			rc = ff_stackbuf_sort(b);
		ff_stackbuf_free(b);
		if (!ff_mem_failed())
			break;
		assert_true(b == NULL || rc == FF_ERR_NOMEM);
	}
	ff_mem_fail_at(0, 0);
	assert_true(n < 1000);
	ff_intern_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_merge),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_merges_while_adding),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
