/*
 * sort.c -- bottom-up merge sort with insertion-sorted runs (see sort.h).
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
