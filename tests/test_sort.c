/*
 * test_sort.c -- the merge sort of ids and the multikey sort of texts.
 */
#include "testutil.h"

#include "profile/mem.h"
#include "profile/sort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 2463534242u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Bytewise, a prefix first: the order ff_sort_texts promises. */
static int
ref_cmp(const ff_text *a, const ff_text *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->p, b->p, n) : 0;

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static int
text_ctx_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_text *t = ctx;

	return ref_cmp(&t[a], &t[b]);
}

struct pair {
	unsigned key, tag;
};

static int
pair_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const struct pair *p = ctx;

	return (p[a].key > p[b].key) - (p[a].key < p[b].key);
}

/* The merge sort is stable: equal keys keep their order. */
static void
test_ids_stable(void **state)
{
	static struct pair p[1000];
	static uint32_t ids[1000];
	size_t n, i;

	(void)state;
	for (n = 0; n <= 1000; n += n < 40 ? 1 : 97) {
		for (i = 0; i < n; i++) {
			p[i].key = next_rand() % 7;
			p[i].tag = (unsigned)i;
			ids[i] = (uint32_t)i;
		}
		assert_int_equal(ff_sort_ids(ids, n, pair_cmp, p), FF_OK);
		for (i = 1; i < n; i++) {
			assert_true(p[ids[i - 1]].key <= p[ids[i]].key);
			if (p[ids[i - 1]].key == p[ids[i]].key)
				assert_true(ids[i - 1] < ids[i]);
		}
	}
}

/* n texts over a small alphabet (with NUL), sharing prefixes of every
 * length around the eight-byte step, with duplicates and empty texts. */
static ff_text *
make_texts(size_t n, char **pool)
{
	static const char alpha[] = { 'a', 'b', ';', '\0', '\377' };
	size_t i, at = 0, cap = n * 80 + 1;
	ff_text *t = calloc(n ? n : 1, sizeof *t);

	*pool = malloc(cap);
	assert_non_null(t);
	assert_non_null(*pool);
	for (i = 0; i < n; i++) {
		size_t len, j, shared;

		if (i > 0 && next_rand() % 4 == 0) {
			t[i] = t[next_rand() % i];   /* a duplicate */
			continue;
		}
		len = next_rand() % 70;
		shared = i > 0 ? next_rand() % (t[i - 1].len + 1) : 0;
		if (shared > len)
			shared = len;
		t[i].p = *pool + at;
		t[i].len = len;
		if (shared > 0)
			memcpy(*pool + at, t[i - 1].p, shared);
		for (j = shared; j < len; j++)
			(*pool)[at + j] = alpha[next_rand() % (j % 9 == 0 ?
			    sizeof alpha : 2)];
		at += len;
	}
	return t;
}

static void
test_texts_order(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 15, 16, 17, 100, 1000, 20000 };
	size_t s, i;

	(void)state;
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		char *pool;
		ff_text *t = make_texts(n, &pool);
		uint32_t *got = calloc(n ? n : 1, sizeof *got);
		uint32_t *want = calloc(n ? n : 1, sizeof *want);

		assert_non_null(got);
		assert_non_null(want);
		for (i = 0; i < n; i++)
			got[i] = want[i] = (uint32_t)i;
		assert_int_equal(ff_sort_texts(got, n, t), FF_OK);
		assert_int_equal(ff_sort_ids(want, n, text_ctx_cmp, t), FF_OK);
		/* Equal texts may come in any order: compare the texts. */
		for (i = 0; i < n; i++)
			assert_int_equal(ref_cmp(&t[got[i]], &t[want[i]]), 0);
		/* ... and every id exactly once. */
		memset(want, 0, n * sizeof *want);
		for (i = 0; i < n; i++)
			assert_int_equal(want[got[i]]++, 0);
		free(got);
		free(want);
		free(t);
		free(pool);
	}
}

/* Stacks: long shared runs of frames, in a shuffled order. */
static void
test_texts_stacks(void **state)
{
	enum { N = 3000 };
	static char buf[N][200];
	static ff_text t[N];
	static uint32_t ids[N];
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		int n = snprintf(buf[i], sizeof buf[i],
		    "nginx;main;ngx_worker_process_cycle;ngx_process_events;"
		    "ngx_epoll_process_events;ngx_http_handler_%u;leaf_%u",
		    (unsigned)(next_rand() % 50), (unsigned)(next_rand() % 30));

		t[i].p = buf[i];
		t[i].len = (size_t)n;
		ids[i] = (uint32_t)i;
	}
	assert_int_equal(ff_sort_texts(ids, N, t), FF_OK);
	for (i = 1; i < N; i++)
		assert_true(ref_cmp(&t[ids[i - 1]], &t[ids[i]]) <= 0);
}

/* Out of memory: a clean FF_ERR_NOMEM, ids still a permutation. */
static void
test_texts_nomem(void **state)
{
	enum { N = 5000 };
	char *pool;
	ff_text *t = make_texts(N, &pool);
	static uint32_t ids[N], seen[N];
	unsigned long k, failed = 0;
	size_t i;

	(void)state;
	for (k = 1; k < 64; k++) {
		ff_rc rc;

		for (i = 0; i < N; i++)
			ids[i] = (uint32_t)i;
		ff_mem_fail_at(k, 0);
		rc = ff_sort_texts(ids, N, t);
		ff_mem_fail_at(0, 0);
		if (rc == FF_OK)
			break;
		assert_int_equal(rc, FF_ERR_NOMEM);
		failed++;
		memset(seen, 0, sizeof seen);
		for (i = 0; i < N; i++)
			assert_int_equal(seen[ids[i]]++, 0);
	}
	assert_true(failed >= 2); /* the keys and the task stack */
	assert_true(k < 64);
	free(t);
	free(pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_stable),
		cmocka_unit_test(test_texts_order),
		cmocka_unit_test(test_texts_stacks),
		cmocka_unit_test(test_texts_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
