/*
 * radix.h -- sorting 64-bit keys by their upper 32 bits, in linear time.
 *
 * The store sorts (id << 32 | index) pairs before packing rows by id: a
 * least-significant-digit radix sort over the four bytes of the id,
 * skipping the bytes every key shares (ids below 2^24 need three passes).
 * The order of keys with equal ids is kept.
 */
#ifndef FF_RADIX_H
#define FF_RADIX_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

/* Sort a[0..n) by a[i] >> 32.  FF_ERR_NOMEM (a untouched) when the
 * scratch copy cannot be allocated. */
ff_rc ff_radix_sort(uint64_t *a, size_t n) FF_WUR;

#endif
