/*
 * graphset.h -- the profiles behind a comparison's flame graphs.
 *
 * From the summed stacks of the base and the new side:
 *
 *   diff        "stack BASE NEW", base scaled to new's total: widths from
 *               new, colour from each stack's own change
 *   negated     "stack NEW BASE", new scaled to base's total, to draw
 *               negated: widths from base, so code that vanished shows
 *   cpi         the new side's cycles and instructions (when both sides
 *               have two events)
 *   cpi_change  the new side's cycles and, per stack, its instructions
 *               times the base side's CPI of that stack (its own cycles
 *               when the base lacks the stack): a CPI-change graph
 *
 * The tables are rendered by report/ (ffdiff and ffstore compose the two).
 */
#ifndef FF_GRAPHSET_H
#define FF_GRAPHSET_H

#include "profile/err.h"
#include "profile/stacks.h"

typedef struct ff_graphset {
	ff_stacks *diff;
	ff_stacks *negated;
	ff_stacks *cpi;          /* NULL without two events */
	ff_stacks *cpi_change;   /* NULL without two events */
} ff_graphset;

/* Fill g from base and new (borrowed; their frames may differ: names are
 * interned into frames, which must outlive g).  On error g is empty. */
ff_rc ff_graphset_build(ff_graphset *g, ff_intern *frames,
    const ff_stacks *base, const ff_stacks *new_, ff_err *err) FF_WUR;

/* Free the tables and leave g empty. */
void ff_graphset_free(ff_graphset *g);

#endif
