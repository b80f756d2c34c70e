/*
 * sort.h -- a stable merge sort of 32-bit ids with a context pointer, and
 * a string sort of ids by text.
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

/* A text to sort: len bytes at p. */
typedef struct ff_text {
	const char *p;
	size_t len;
} ff_text;

/* Sort ids[0..n) by t[id] bytewise, a prefix before its extensions (the
 * order of memcmp, then length).  Not stable.  A multikey quicksort on
 * eight bytes at a time: a shared prefix is read once per text, not once
 * per comparison, which is what makes it fast on stacks (they share long
 * runs of root frames).  Pivots come from a fixed pseudo-random sequence,
 * so sorted or reversed input is no worse than any other (an input built
 * against the sequence could be quadratic).  Texts that differ only by
 * trailing NUL bytes cost a quadratic final pass; folded stacks have no
 * NUL bytes.  FF_ERR_NOMEM when scratch space cannot be
 * allocated (ids are then in some order). */
ff_rc ff_sort_texts(uint32_t *ids, size_t n, const ff_text *t) FF_WUR;

#endif
