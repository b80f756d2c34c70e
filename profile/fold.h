/*
 * fold.h -- the folded format: "root;frame;...;leaf COUNT [COUNT ...]".
 *
 * The grammar and its limits are specified in profile/README.md.  In
 * short: one stack per line, frames separated by ';', then one count per
 * event column, each an unsigned decimal integer no larger than
 * FF_COUNT_MAX, separated from the stack and from each other by spaces or
 * tabs.  Blank lines are ignored.  A malformed line is reported through an
 * ff_diag and skipped (or, in strict mode, is an error); lines already
 * accepted are never lost.
 */
#ifndef FF_FOLD_H
#define FF_FOLD_H

#include "profile/diag.h"
#include "profile/err.h"
#include "profile/limits.h"
#include "profile/src.h"
#include "profile/stacks.h"

#include <stdio.h>

/* ---- reading ------------------------------------------------------------- */

typedef struct ff_fold_reader ff_fold_reader;

typedef struct ff_fold_line {
	const char *stack;   /* "a;b;c", borrowed until the next call */
	size_t len;
	uint64_t values[FF_VALUES_MAX];
	unsigned nvalues;
} ff_fold_line;

/* A reader over src (borrowed).  ncols is the number of count columns
 * every line must have; 0 means "as the first line has" (one, or two when
 * the line ends with two numbers, as in flamegraph.pl's differential
 * input).  diag (borrowed, may be NULL = every malformed line is fatal)
 * collects malformed lines. */
ff_rc ff_fold_reader_new(ff_fold_reader **out, ff_src *src, unsigned ncols,
    ff_diag *diag, ff_err *err) FF_WUR;
void ff_fold_reader_free(ff_fold_reader *r);

/* The next well-formed line: FF_OK, FF_DONE at the end, or a fatal error
 * (I/O, corrupt compression, or a malformed line in strict mode). */
ff_rc ff_fold_reader_next(ff_fold_reader *r, ff_fold_line *line,
    ff_err *err) FF_WUR;

/* The column count: fixed, detected from the first line, or 0 before it. */
unsigned ff_fold_reader_ncols(const ff_fold_reader *r);

/* ---- loading into a stack table ---------------------------------------- */

/* Read every line of r into s, splitting stacks into frames interned in
 * ff_stacks_frames(s).  The reader's column count must match s (create
 * the reader with ncols = ff_stacks_nvalues(s)).  A line that would make a
 * count overflow, a frame longer than FF_FRAME_MAX or a stack deeper than
 * FF_DEPTH_MAX is malformed.  Consecutive lines that share a prefix (as in
 * sorted input) reuse its nodes without hashing. */
ff_rc ff_fold_load(ff_stacks *s, ff_fold_reader *r, ff_err *err) FF_WUR;

/* Open path (transparently inflating zstd), detect the column count when
 * ncols is 0, and load it into a new table over frames.  On success *out
 * owns the table; on error it is NULL. */
ff_rc ff_fold_load_file(ff_stacks **out, ff_intern *frames, const char *path,
    unsigned ncols, ff_diag *diag, ff_err *err) FF_WUR;

/* Load an already opened source the same way. */
ff_rc ff_fold_load_src(ff_stacks **out, ff_intern *frames, ff_src *src,
    unsigned ncols, ff_diag *diag, ff_err *err) FF_WUR;

/* ---- writing -------------------------------------------------------------- */

/* Where written bytes go: return FF_OK, or an error with err filled. */
typedef ff_rc (*ff_fold_sink)(void *ctx, const void *p, size_t len,
    ff_err *err);

/* Write every stack of s, one line each, sorted bytewise, with all count
 * columns, in batches of about 64 KiB to sink. */
ff_rc ff_fold_write_to(const ff_stacks *s, ff_fold_sink sink, void *ctx,
    ff_err *err) FF_WUR;

/* The same, to a stdio stream.  FF_ERR_IO when the stream reports an
 * error. */
ff_rc ff_fold_write(const ff_stacks *s, FILE *out, ff_err *err) FF_WUR;

/* Split "a;b;c" into frame ids (root first), interning them in frames.
 * *depth receives the frame count; ids must hold FF_DEPTH_MAX entries.
 * FF_ERR_LIMIT names the problem (frame too long, too deep). */
ff_rc ff_fold_split(ff_intern *frames, const char *stack, size_t len,
    uint32_t *ids, size_t *depth, ff_err *err) FF_WUR;

#endif
