/*
 * sort.h -- a stable merge sort of 32-bit ids with a context pointer.
 *
 * qsort() has no context argument and qsort_r() differs between glibc
 * and FreeBSD, so the tables sort their ids with this instead.
 */
#ifndef FF_SORT_H
#define FF_SORT_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

/* Negative, zero or positive as a sorts before, with or after b. */
typedef int (*ff_sort_cmp)(void *ctx, uint32_t a, uint32_t b);

/* Sort ids[0..n) stably.  FF_ERR_NOMEM (ids untouched) when the scratch
 * buffer cannot be allocated. */
ff_rc ff_sort_ids(uint32_t *ids, size_t n, ff_sort_cmp cmp, void *ctx) FF_WUR;

#endif
