/*
 * test_varint.c -- the store's codecs: varints, packed (id, values) rows,
 * and the summing accumulator.
 */
#include "testutil.h"

#include "profile/limits.h"
#include "profile/mem.h"
#include "store/blob.h"
#include "store/radix.h"
#include "store/sums.h"
#include "store/varint.h"

#include <stdlib.h>
#include <string.h>

static void
test_varint_roundtrip(void **state)
{
	static const uint64_t v[] = { 0, 1, 127, 128, 255, 300, 16383, 16384,
		(1ull << 32) - 1, 1ull << 32, (1ull << 63) - 1, 1ull << 63,
		UINT64_MAX };
	static const size_t len[] = { 1, 1, 1, 2, 2, 2, 2, 3, 5, 5, 9, 10,
		10 };
	unsigned char buf[FF_VARINT_MAX * 16], *p = buf;
	const unsigned char *q = buf;
	uint64_t x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof *v; i++) {
		unsigned char *start = p;

		p = ff_varint_put(p, v[i]);
		assert_int_equal((size_t)(p - start), len[i]);
		assert_int_equal(ff_varint_len(v[i]), len[i]);
	}
	for (i = 0; i < sizeof v / sizeof *v; i++) {
		assert_int_equal(ff_varint_get(&q, p, &x), 0);
		assert_true(x == v[i]);
	}
	assert_ptr_equal(q, p);
	assert_int_equal(ff_varint_get(&q, p, &x), -1);   /* at the end */
}

static void
test_varint_hostile(void **state)
{
	/* Truncated: a continuation byte and nothing after it. */
	static const unsigned char trunc[] = { 0x80, 0x80 };
	/* Eleven bytes: longer than any uint64_t. */
	static const unsigned char longer[] = { 0x80, 0x80, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
	/* Ten bytes whose last one carries more than the 64th bit. */
	static const unsigned char big[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0x02 };
	const unsigned char *q;
	uint64_t x = 7;

	(void)state;
	q = trunc;
	assert_int_equal(ff_varint_get(&q, trunc + sizeof trunc, &x), -1);
	assert_ptr_equal(q, trunc);
	q = longer;
	assert_int_equal(ff_varint_get(&q, longer + sizeof longer, &x), -1);
	q = big;
	assert_int_equal(ff_varint_get(&q, big + sizeof big, &x), -1);
	assert_int_equal(x, 7);
}

static void
test_blob_roundtrip(void **state)
{
	uint64_t vals[3], row[2];
	ff_blob_enc e;
	ff_blob_iter it;
	ff_buf b;
	uint32_t id, i;
	ff_err err;

	(void)state;
	ff_buf_init(&b);
	assert_int_equal(ff_blob_enc_begin(&e, &b, 2, 4), FF_OK);
	for (i = 0; i < 4; i++) {
		row[0] = i * 1000;
		row[1] = UINT64_MAX - i;
		assert_int_equal(ff_blob_enc_row(&e, i == 0 ? 0 : i * i * 77,
		    row), FF_OK);
	}
	assert_int_equal(ff_blob_iter_init(&it, b.p, b.len, 2, &err), FF_OK);
	assert_int_equal(it.rows, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err), FF_OK);
		assert_int_equal(id, i == 0 ? 0 : i * i * 77);
		assert_true(vals[0] == i * 1000 && vals[1] == UINT64_MAX - i);
	}
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err), FF_DONE);
	/* The wrong column count is refused. */
	assert_int_equal(ff_blob_iter_init(&it, b.p, b.len, 3, &err),
	    FF_ERR_PARSE);
	ff_buf_free(&b);
}

static void
test_blob_corrupt(void **state)
{
	unsigned char b[64];
	uint64_t vals[16];
	ff_blob_iter it;
	uint32_t id;
	ff_err err;

	(void)state;
	/* Unknown format byte. */
	b[0] = 9;
	assert_int_equal(ff_blob_iter_init(&it, b, 3, 0, &err), FF_ERR_PARSE);
	/* More rows than bytes could hold. */
	b[0] = FF_BLOB_FORMAT, b[1] = 1, b[2] = 100, b[3] = 0, b[4] = 0;
	assert_int_equal(ff_blob_iter_init(&it, b, 5, 1, &err), FF_ERR_PARSE);
	/* Zero or too many columns. */
	b[1] = 0, b[2] = 0;
	assert_int_equal(ff_blob_iter_init(&it, b, 3, 0, &err), FF_ERR_PARSE);
	b[1] = 17;
	assert_int_equal(ff_blob_iter_init(&it, b, 3, 0, &err), FF_ERR_PARSE);
	/* Bytes after the last row. */
	b[1] = 1, b[2] = 1, b[3] = 5, b[4] = 6, b[5] = 7;
	assert_int_equal(ff_blob_iter_init(&it, b, 6, 1, &err), FF_OK);
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err), FF_OK);
	assert_int_equal(id, 5);
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err),
	    FF_ERR_PARSE);
	/* An id past 2^32: delta 0xffffffff after id 5. */
	b[1] = 1, b[2] = 2, b[3] = 5, b[4] = 1;
	b[5] = 0xff, b[6] = 0xff, b[7] = 0xff, b[8] = 0xff, b[9] = 0x0f;
	b[10] = 1;
	assert_int_equal(ff_blob_iter_init(&it, b, 11, 1, &err), FF_OK);
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err), FF_OK);
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err),
	    FF_ERR_PARSE);
	/* A row cut short. */
	b[1] = 2, b[2] = 1, b[3] = 5, b[4] = 0x80, b[5] = 0x80;
	assert_int_equal(ff_blob_iter_init(&it, b, 6, 2, &err), FF_OK);
	assert_int_equal(ff_blob_iter_next(&it, &id, vals, &err),
	    FF_ERR_PARSE);
}

static void
test_sums(void **state)
{
	ff_sums *s = ff_sums_new(2);
	uint64_t v[2], got[2];
	ff_blob_iter it;
	ff_buf b;
	uint32_t id, i;
	ff_err err;

	(void)state;
	assert_non_null(s);
	ff_buf_init(&b);
	/* Many ids, in a shuffled order, several times each: rehashing. */
	for (i = 0; i < 30000; i++) {
		uint32_t k = (i * 7919u) % 10000u;

		v[0] = k;
		v[1] = 1;
		assert_int_equal(ff_sums_add(s, k + 1, v), FF_OK);
	}
	assert_int_equal(ff_sums_count(s), 10000);
	/* Sums saturate at 2^63-1. */
	v[0] = (uint64_t)FF_COUNT_MAX;
	v[1] = 0;
	assert_int_equal(ff_sums_add(s, 1, v), FF_OK);
	assert_int_equal(ff_sums_encode(s, &b, 0), FF_OK);
	assert_int_equal(ff_blob_iter_init(&it, b.p, b.len, 2, &err), FF_OK);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(ff_blob_iter_next(&it, &id, got, &err), FF_OK);
		assert_int_equal(id, i + 1);
		assert_true(got[0] == (i == 0 ? (uint64_t)FF_COUNT_MAX :
		    3ull * i));
		assert_int_equal(got[1], 3);
	}
	/* Adding after sorting goes on working. */
	v[0] = 5;
	assert_int_equal(ff_sums_add(s, 5000, v), FF_OK);
	assert_int_equal(ff_sums_add(s, 20000, v), FF_OK);
	assert_int_equal(ff_sums_count(s), 10001);
	ff_sums_clear(s);
	assert_int_equal(ff_sums_count(s), 0);
	ff_buf_free(&b);
	ff_sums_free(s);
}

static void
test_sums_nomem(void **state)
{
	unsigned long n;
	uint64_t v[1] = { 1 };

	(void)state;
	/* Fail each allocation in turn: a clean error every time. */
	for (n = 1; n < 40; n++) {
		ff_sums *s;
		ff_rc rc = FF_OK;
		uint32_t i;

		ff_mem_fail_at(n, 0);
		s = ff_sums_new(1);
		for (i = 0; s != NULL && rc == FF_OK && i < 5000; i++)
			rc = ff_sums_add(s, i * 3 + 1, v);
		ff_mem_fail_at(0, 0);
		ff_sums_free(s);
	}
}

static void
test_radix(void **state)
{
	static const size_t sizes[] = { 0, 1, 5, 64, 65, 1000, 100000 };
	uint64_t *a, x = 88172645463325252ull;
	size_t s, i, n;

	(void)state;
	for (s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		n = sizes[s];
		a = malloc((n + 1) * sizeof *a);
		for (i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Small ids (shared high bytes) and big ones. */
			a[i] = (s % 2 ? x : x >> 40) << 32 | (uint32_t)i;
		}
		assert_int_equal(ff_radix_sort(a, n), FF_OK);
		for (i = 1; i < n; i++) {
			assert_true(a[i - 1] >> 32 <= a[i] >> 32);
			/* Stable: equal ids keep their input order. */
			if (a[i - 1] >> 32 == a[i] >> 32)
				assert_true((uint32_t)a[i - 1] < (uint32_t)a[i]);
		}
		free(a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_roundtrip),
		cmocka_unit_test(test_varint_hostile),
		cmocka_unit_test(test_blob_roundtrip),
		cmocka_unit_test(test_blob_corrupt),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_sums_nomem),
		cmocka_unit_test(test_radix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
