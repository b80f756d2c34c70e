/*
 * sums.h -- summed values by 32-bit id: the accumulator behind every
 * aggregate (a batch's per-build sums, a selection's summed stacks).
 *
 * An open-addressing hash from id to a dense row of ncols uint64 values.
 * Sums saturate at FF_COUNT_MAX instead of wrapping.  Rows are dense in
 * order of first insertion; ff_sums_sort orders them by id for encoding.
 */
#ifndef FF_SUMS_H
#define FF_SUMS_H

#include "profile/err.h"
#include "store/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_sums ff_sums;

/* A new accumulator with ncols (1..FF_BLOB_COLS_MAX) values per id, or
 * NULL when out of memory. */
ff_sums *ff_sums_new(unsigned ncols);
void ff_sums_free(ff_sums *s);

/* Forget every row, keep the memory. */
void ff_sums_clear(ff_sums *s);

/* Add vals[0..ncols) to the row of id (created at zero when new). */
ff_rc ff_sums_add(ff_sums *s, uint32_t id, const uint64_t *vals) FF_WUR;

/* Add every row of a packed blob (blob.h) with ncols columns. */
ff_rc ff_sums_add_blob(ff_sums *s, const void *blob, size_t len,
    ff_err *err) FF_WUR;

size_t ff_sums_count(const ff_sums *s);
unsigned ff_sums_ncols(const ff_sums *s);

/* Row i (0 <= i < count): its id and values.  After ff_sums_sort the rows
 * are in increasing id order (until the next add). */
uint32_t ff_sums_id(const ff_sums *s, size_t i);
const uint64_t *ff_sums_vals(const ff_sums *s, size_t i);

/* Order the rows by id. */
ff_rc ff_sums_sort(ff_sums *s) FF_WUR;

/* Append the rows as a packed blob (sorting them first).  Rows whose
 * values are all zero are left out when skip_zero. */
ff_rc ff_sums_encode(ff_sums *s, ff_buf *out, int skip_zero) FF_WUR;

#endif
