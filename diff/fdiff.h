/*
 * fdiff.h -- differential folded profiles: "stack countA countB".
 *
 * Two profiles become one two-column stack table: every stack of either,
 * with 0 where one side has none.  Options as in the classic difffolded.pl:
 * normalize scales the first column to the second's total (integer
 * truncation), strip_hex rewrites hex numbers ("0x1f" -> "0x...") so
 * stacks that differ only by addresses merge.
 */
#ifndef FF_FDIFF_H
#define FF_FDIFF_H

#include "profile/diag.h"
#include "profile/err.h"
#include "profile/stacks.h"

typedef struct ff_fdiff_opts {
	int normalize;
	int strip_hex;
} ff_fdiff_opts;

/* Combine the first columns of a and b (samples, or cycles) into
 * a new two-column table over frames.  *out is NULL on error. */
ff_rc ff_fdiff_combine(ff_stacks **out, ff_intern *frames, const ff_stacks *a,
    const ff_stacks *b, const ff_fdiff_opts *o, ff_err *err) FF_WUR;

/* Load two folded files (or "-" for one of them) and combine them. */
ff_rc ff_fdiff_files(ff_stacks **out, ff_intern *frames, const char *a,
    const char *b, const ff_fdiff_opts *o, ff_diag *diag, ff_err *err)
	FF_WUR;

/* Where differential lines go. */
typedef ff_rc (*ff_fdiff_sink)(void *ctx, const void *p, size_t len,
    ff_err *err);

/* Write the differential profile of files a and b to sink, sorted.  When
 * both are regular files already sorted bytewise (as every collapser and
 * writer emits them), they are merged line by line in two streaming
 * passes (totals and order, then output) with memory independent of
 * their size.  Regular files that are not sorted have their distinct
 * stacks interned in memory (about the size of their text), sorted and
 * written.  Otherwise (a pipe, strip_hex, or a line to report or past the
 * limits) through stack tables. */
ff_rc ff_fdiff_write(const char *a, const char *b, const ff_fdiff_opts *o,
    ff_diag *diag, ff_fdiff_sink sink, void *ctx, ff_err *err) FF_WUR;

#endif
