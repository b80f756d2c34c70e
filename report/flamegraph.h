/*
 * flamegraph.h -- from folded input or a stack table to an SVG flame graph.
 *
 * The two entry points other programs use:
 *
 *   ff_flamegraph_stacks()  renders an in-memory ff_stacks (ffdiff --svg,
 *                           the HTML report, the store's web page);
 *   ff_flamegraph_files()   reads folded files ("-" is standard input,
 *                           .zst and profile files are inflated by
 *                           ff_src) and renders them, as
 *                           `ffreport flamegraph` does.
 *
 * How files are read.  flamegraph.pl sorts the input lines and merges
 * consecutive stacks.  Input that is already sorted (as every flamefleet
 * writer emits it) is laid out while it is read, in one pass, keeping
 * only the frames that will be drawn: memory does not grow with the input.
 * A flame chart (input order) is always laid out that way.  Otherwise the
 * distinct stacks are collected as frame ids (report/stackbuf.h; memory
 * proportional to the distinct stacks, about a tenth of the text) and
 * walked in sorted order, sorting only the subtrees wide enough to be
 * drawn.  Regular files are first tried as sorted input and read again
 * that way if a line turns out to be out of order; standard input and
 * pipes, which cannot be read twice, are collected straight away unless a
 * flame chart is asked for.  Malformed lines go to the caller's ff_diag
 * once each, whichever way is taken.
 */
#ifndef FF_FLAMEGRAPH_H
#define FF_FLAMEGRAPH_H

#include "report/flame.h"
#include "report/flamesvg.h"

#include "profile/diag.h"
#include "profile/err.h"
#include "profile/stacks.h"

#include <stdio.h>

typedef struct ff_flamegraph_opts {
	ff_flame_layout layout;   /* ncols and wcol are set from the mode */
	ff_flamesvg_opts svg;     /* svg.mode is the meaning of the counts */
	int detect;               /* files: mode from the first line (one
	                           * count PLAIN, two DIFF), as flamegraph.pl */
	int reverse;              /* reverse each stack (leaf first) */
	int flamechart;           /* keep input order, do not sort */
} ff_flamegraph_opts;

/* flamegraph.pl's defaults, with detection on. */
void ff_flamegraph_opts_init(ff_flamegraph_opts *o);

/* What a rendering found, for the caller's warnings and benchmarks. */
typedef struct ff_flamegraph_stats {
	ff_flame_mode mode;       /* after detection */
	uint64_t total;           /* sum of the width column */
	double timemax;           /* the 100% count */
	uint64_t stacks;          /* stacks laid out */
	size_t frames;            /* frames drawn */
	int streamed;             /* laid out while reading (no table) */
} ff_flamegraph_stats;

/* Render s (borrowed; its first ncols columns are used) to out.  With a
 * zero total, flamegraph.pl's error picture is written and FF_ERR_PARSE
 * ("no stack counts found") returned.  st may be NULL. */
ff_rc ff_flamegraph_stacks(const ff_stacks *s, const ff_flamegraph_opts *o,
    FILE *out, ff_flamegraph_stats *st, ff_err *err) FF_WUR;

/* Read paths[0..n) as one concatenated input and render it to out.
 * diag (borrowed, may be NULL: malformed lines are fatal) gets malformed
 * lines.  Empty input: as above. */
ff_rc ff_flamegraph_files(const char *const *paths, size_t n,
    const ff_flamegraph_opts *o, ff_diag *diag, FILE *out,
    ff_flamegraph_stats *st, ff_err *err) FF_WUR;

/* The count columns (1 or 2) and width column of a mode. */
void ff_flamegraph_columns(ff_flame_mode mode, unsigned *ncols,
    unsigned *wcol);

#endif
