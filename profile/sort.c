/*
 * sort.c -- bottom-up merge sort with insertion-sorted runs, and a
 * multikey quicksort of texts (see sort.h).
 */
#include "profile/sort.h"
#include "profile/mem.h"

#include <string.h>

enum { RUN = 16 };

static void
insertion_sort(uint32_t *a, size_t n, ff_sort_cmp cmp, void *ctx)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t v = a[i];

		for (j = i; j > 0 && cmp(ctx, a[j - 1], v) > 0; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Merge src[lo..mid) and src[mid..hi) into dst[lo..hi). */
static void
merge(const uint32_t *src, uint32_t *dst, size_t lo, size_t mid, size_t hi,
    ff_sort_cmp cmp, void *ctx)
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
	while (i < mid)
		dst[k++] = src[i++];
	while (j < hi)
		dst[k++] = src[j++];
}

ff_rc
ff_sort_ids(uint32_t *ids, size_t n, ff_sort_cmp cmp, void *ctx)
{
	uint32_t *tmp, *src, *dst, *swap;
	size_t lo, width;

	for (lo = 0; lo < n; lo += RUN)
		insertion_sort(ids + lo, n - lo < RUN ? n - lo : RUN, cmp, ctx);
	if (n <= RUN)
		return FF_OK;
	tmp = ff_reallocarray(NULL, n, sizeof *tmp);
	if (tmp == NULL)
		return FF_ERR_NOMEM;
	src = ids;
	dst = tmp;
	for (width = RUN; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;

			merge(src, dst, lo, mid, hi, cmp, ctx);
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != ids)
		memcpy(ids, src, n * sizeof *ids);
	ff_free(tmp);
	return FF_OK;
}

/* ---- texts --------------------------------------------------------------- */

/* The eight bytes of t from depth on, big-endian, zero past the end: keys
 * compare as the bytes do. */
static uint64_t
text_key(const ff_text *t, size_t depth)
{
	unsigned char b[8] = { 0 };
	uint64_t k = 0;
	int i;

	if (depth < t->len)
		memcpy(b, t->p + depth,
		    t->len - depth < 8 ? t->len - depth : 8);
	for (i = 0; i < 8; i++)
		k = k << 8 | b[i];
	return k;
}

/* Compare a and b from depth on (both equal before it). */
static int
suffix_cmp(const ff_text *a, const ff_text *b, size_t depth)
{
	size_t la = a->len > depth ? a->len - depth : 0;
	size_t lb = b->len > depth ? b->len - depth : 0;
	int c = la > 0 && lb > 0 ?
	    memcmp(a->p + depth, b->p + depth, la < lb ? la : lb) : 0;

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* How many bytes a and b share from depth on. */
static size_t
shared_from(const ff_text *a, const ff_text *b, size_t depth)
{
	size_t n = a->len < b->len ? a->len : b->len, i = depth;

	while (i + 8 <= n) {
		uint64_t x, y;

		memcpy(&x, a->p + i, 8);
		memcpy(&y, b->p + i, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < n && a->p[i] == b->p[i])
		i++;
	return i > depth ? i - depth : 0;
}

static void
text_insertion(uint32_t *id, size_t n, const ff_text *t, size_t depth)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t v = id[i];

		for (j = i; j > 0 &&
		    suffix_cmp(&t[id[j - 1]], &t[v], depth) > 0; j--)
			id[j] = id[j - 1];
		id[j] = v;
	}
}

/* A range of ids equal before depth; keyed: keys[] hold their keys at
 * depth already. */
struct text_task {
	size_t lo, n, depth;
	int keyed;
};

ff_rc
ff_sort_texts(uint32_t *ids, size_t n, const ff_text *t)
{
	struct text_task *stack, *grown;
	size_t top = 0, cap = 64;
	uint64_t *keys, seed = 0x9e3779b97f4a7c15u;

	if (n < 2)
		return FF_OK;
	keys = ff_reallocarray(NULL, n, sizeof *keys);
	stack = ff_reallocarray(NULL, cap, sizeof *stack);
	if (keys == NULL || stack == NULL) {
		ff_free(keys);
		ff_free(stack);
		return FF_ERR_NOMEM;
	}
	stack[top++] = (struct text_task){ 0, n, 0, 0 };
	while (top > 0) {
		struct text_task k = stack[--top];
		uint32_t *id = ids + k.lo, tid;
		uint64_t *key = keys + k.lo, pv, tk;
		size_t i, lt, gt, maxlen;

		if (k.n < 16) {
			text_insertion(id, k.n, t, k.depth);
			continue;
		}
		if (!k.keyed)
			for (i = 0; i < k.n; i++)
				key[i] = text_key(&t[id[i]], k.depth);
		/* A pseudo-random pivot (xorshift64): no natural order of
		 * the input (sorted, reversed, runs) is a worst case. */
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		pv = key[seed % k.n];
		/* [0, lt) < pv, [lt, i) == pv, [gt, n) > pv */
		for (lt = i = 0, gt = k.n; i < gt;) {
			if (key[i] < pv) {
				tid = id[i], id[i] = id[lt], id[lt] = tid;
				tk = key[i], key[i] = key[lt], key[lt] = tk;
				lt++, i++;
			} else if (key[i] > pv) {
				gt--;
				tid = id[i], id[i] = id[gt], id[gt] = tid;
				tk = key[i], key[i] = key[gt], key[gt] = tk;
			} else {
				i++;
			}
		}
		if (top + 3 > cap) {
			grown = ff_reallocarray(stack, cap * 2, sizeof *stack);
			if (grown == NULL) {
				ff_free(keys);
				ff_free(stack);
				return FF_ERR_NOMEM; /* ids: a permutation */
			}
			stack = grown;
			cap *= 2;
		}
		if (lt > 1)
			stack[top++] =
			    (struct text_task){ k.lo, lt, k.depth, 1 };
		if (k.n - gt > 1)
			stack[top++] = (struct text_task){ k.lo + gt, k.n - gt,
			    k.depth, 1 };
		if (gt - lt < 2)
			continue;
		for (maxlen = 0, i = lt; i < gt; i++)
			if (t[id[i]].len > maxlen)
				maxlen = t[id[i]].len;
		if (maxlen <= k.depth + 8) {
			/* All equal (but for trailing NULs). */
			text_insertion(id + lt, gt - lt, t, k.depth);
			continue;
		}
		/* Skip what the whole group shares (stacks share long runs
		 * of frames): one sequential read per text instead of one
		 * partition per eight bytes. */
		{
			size_t d = k.depth + 8, skip = (size_t)-1;
			const ff_text *first = &t[id[lt]];

			for (i = lt + 1; i < gt && skip > 0; i++) {
				size_t sh = shared_from(first, &t[id[i]], d);

				if (sh < skip)
					skip = sh;
			}
			stack[top++] = (struct text_task){ k.lo + lt, gt - lt,
			    d + skip, 0 };
		}
	}
	ff_free(keys);
	ff_free(stack);
	return FF_OK;
}
