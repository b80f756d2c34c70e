/*
 * radix.c -- LSD radix sort on the upper 32 bits (see radix.h).
 */
#include "store/radix.h"
#include "profile/mem.h"

#include <string.h>

enum { SMALL = 64 };

/* Insertion sort for short arrays. */
static void
insertion(uint64_t *a, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint64_t x = a[i];

		for (j = i; j > 0 && (a[j - 1] >> 32) > (x >> 32); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

ff_rc
ff_radix_sort(uint64_t *a, size_t n)
{
	size_t count[4][256], i;
	uint64_t *tmp, *src = a, *dst, *t;
	unsigned d;

	if (n <= SMALL) {
		insertion(a, n);
		return FF_OK;
	}
	if ((tmp = ff_reallocarray(NULL, n, sizeof *tmp)) == NULL)
		return FF_ERR_NOMEM;
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		for (d = 0; d < 4; d++)
			count[d][(a[i] >> (32 + 8 * d)) & 255]++;
	dst = tmp;
	for (d = 0; d < 4; d++) {
		size_t sum = 0, c;
		unsigned shift = 32 + 8 * d;

		if (count[d][(a[0] >> shift) & 255] == n)
			continue;   /* every key has this byte */
		for (c = 0; c < 256; c++) {
			size_t k = count[d][c];

			count[d][c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[count[d][(src[i] >> shift) & 255]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	ff_free(tmp);
	return FF_OK;
}
