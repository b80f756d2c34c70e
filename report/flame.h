/*
 * flame.h -- flame graph layout with flamegraph.pl's merge rules.
 *
 * flamegraph.pl draws a frame for every maximal run of consecutive input
 * stacks (after sorting them as text, or in input order for a flame chart)
 * that share the same frame at the same depth: stacks "a;b" and "a;c" give
 * one "a" spanning both.  Frames are positioned on a time axis that
 * advances by each stack's count, and frames narrower than the minimum
 * width are dropped at the end.
 *
 * An ff_flame does the same in one pass over stacks fed in the order they
 * are to be drawn.  It keeps only the open frames (one per depth) and the
 * closed frames that may survive: a frame is known to be too narrow as
 * soon as it closes, because the total only grows, so memory follows the
 * frames drawn rather than the input.  Feed it either
 *
 *   - text stacks ("a;b;c"), e.g. lines of a sorted folded file streamed
 *     from disk: names are interned only for frames that are kept; or
 *   - id paths from an ff_stacks walk, with names from its ff_intern.
 *
 * Input quirks reproduced from flamegraph.pl: trailing empty frames are
 * dropped ("a;b;" is "a;b"), and every stack has the root frame "all" at
 * depth 0.  With two count columns, widths come from column `wcol`.
 */
#ifndef FF_FLAME_H
#define FF_FLAME_H

#include "profile/err.h"
#include "profile/intern.h"

#include <stddef.h>
#include <stdint.h>

/* Horizontal padding (pixels) on each side, as flamegraph.pl. */
#define FF_FLAME_XPAD 10

/* What decides the layout.  Caller-owned; see ff_flame_layout_init. */
typedef struct ff_flame_layout {
	unsigned ncols;          /* count columns per stack: 1 or 2 */
	unsigned wcol;           /* the column that gives widths */
	double image_width;      /* pixels (1200) */
	double min_width;        /* pixels (0.1), or percent: */
	int min_width_pct;       /*   min_width is a percentage of total */
	double total;            /* --total: 0, or the 100% count when
	                          * larger than the real sum */
} ff_flame_layout;

/* Defaults: one column, 1200 px, 0.1 px minimum width, no --total. */
void ff_flame_layout_init(ff_flame_layout *lo);

#define FF_FLAME_ROOT_NAME UINT32_MAX

/* A drawn frame.  x and w are in counts of the width column. */
typedef struct ff_flame_frame {
	uint32_t name;    /* id in ff_flame_names(); FF_FLAME_ROOT_NAME for
	                   * the root */
	uint32_t depth;   /* 0 = the root frame ("all") */
	uint64_t x;       /* start: the width of everything before it */
	uint64_t w;       /* inclusive count, width column */
	uint64_t o;       /* inclusive count, the other column (2 columns) */
	int64_t sd;       /* self change: column 1 minus column 0, summed
	                   * over the stacks that end at this frame */
} ff_flame_frame;

typedef struct ff_flame ff_flame;

/* A new layout.  names == NULL: stacks come as text (ff_flame_add_text)
 * and the layout interns the names it keeps in a table of its own.
 * names != NULL (borrowed; must outlive the layout): stacks come as id
 * paths into it (ff_flame_add_ids).  FF_ERR_USAGE for a bad layout. */
ff_rc ff_flame_new(ff_flame **out, const ff_flame_layout *lo,
    const ff_intern *names, ff_err *err) FF_WUR;
void ff_flame_free(ff_flame *f);

/* Add one stack "root;...;leaf" (stack[0..len), borrowed for the call)
 * with ncols counts.  FF_ERR_LIMIT (deeper than FF_DEPTH_MAX, or a frame
 * longer than FF_FRAME_MAX) leaves the layout unchanged: the caller may
 * report the line and go on.  FF_ERR_NOMEM is fatal. */
ff_rc ff_flame_add_text(ff_flame *f, const char *stack, size_t len,
    const uint64_t *values, ff_err *err) FF_WUR;

/* Add one stack given as frame ids, root first. */
ff_rc ff_flame_add_ids(ff_flame *f, const uint32_t *path, uint32_t depth,
    const uint64_t *values, ff_err *err) FF_WUR;

/* Whether every text stack so far came in flamegraph.pl's sort order
 * (the order of the lines as `sort` compares them: a stack that is a
 * prefix of another sorts first).  A layout fed out of order is still
 * valid -- it is the flame chart of that order. */
int ff_flame_sorted(const ff_flame *f);

/* Close every frame and drop those narrower than the minimum width.
 * Call once, after the last stack; then read the result below. */
ff_rc ff_flame_finish(ff_flame *f, ff_err *err) FF_WUR;

/* The kept frames (any order; the root, when kept, among them). */
const ff_flame_frame *ff_flame_frames(const ff_flame *f, size_t *n);
const ff_intern *ff_flame_names(const ff_flame *f);

/* Sums of the width column and of the other column over all stacks. */
uint64_t ff_flame_total(const ff_flame *f);
uint64_t ff_flame_total_other(const ff_flame *f);
/* The count that is 100% wide: the total, or lo->total when larger. */
double ff_flame_timemax(const ff_flame *f);
/* The deepest kept frame (0 when only the root is kept). */
uint32_t ff_flame_max_depth(const ff_flame *f);
/* The largest |column 1 - column 0| of one stack; at least 1. */
uint64_t ff_flame_max_delta(const ff_flame *f);
/* Stacks added. */
uint64_t ff_flame_stacks(const ff_flame *f);
/* The minimum width in counts that layout lo keeps, for a 100% count of
 * timemax (frames narrower than this are dropped). */
double ff_flame_min_count(const ff_flame_layout *lo, double timemax);

/* Raise the largest per-stack change to at least d: for a caller that
 * feeds some stacks merged (see ff_stackbuf_walk). */
void ff_flame_raise_max_delta(ff_flame *f, uint64_t d);

/* The layout it was made with. */
const ff_flame_layout *ff_flame_get_layout(const ff_flame *f);

#endif
