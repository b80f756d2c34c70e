/*
 * stackbuf.h -- unsorted stacks collected, then put in flamegraph.pl's
 * order.
 *
 * flamegraph.pl sorts its input lines before merging them.  For input
 * that is not sorted already, an ff_stackbuf keeps each stack as its
 * frame ids (interned in a table the caller owns) and its counts, packed
 * in one array, and sorts them in the order `sort` gives the lines: frame
 * by frame, a stack that ends sorting before one that goes on, names
 * compared bytewise.  Identical stacks are merged (counts added) when
 * sorting, and also whenever the buffer has grown much since the last
 * sort, so memory follows the distinct stacks even when the input repeats
 * them.  Sorting needs a second copy of the packed stacks for a moment.
 */
#ifndef FF_STACKBUF_H
#define FF_STACKBUF_H

#include "profile/err.h"
#include "profile/intern.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_stackbuf ff_stackbuf;

/* A buffer of stacks with ncols (1..FF_VALUES_MAX) counts each, whose
 * frame ids come from names (borrowed; must outlive the buffer).  NULL
 * when out of memory or ncols is out of range. */
ff_stackbuf *ff_stackbuf_new(const ff_intern *names, unsigned ncols);
void ff_stackbuf_free(ff_stackbuf *b);

/* Add a stack (ids[0..depth), root first; copied), or add its counts to
 * the same stack added before.  FF_ERR_LIMIT when a column's sum would
 * pass FF_COUNT_MAX, FF_ERR_NOMEM; nothing is added then. */
ff_rc ff_stackbuf_add(ff_stackbuf *b, const uint32_t *ids, uint32_t depth,
    const uint64_t *values) FF_WUR;

/* Sort the stacks.  FF_ERR_NOMEM leaves the buffer as it was. */
ff_rc ff_stackbuf_sort(ff_stackbuf *b) FF_WUR;

/* The number of stacks, and stack i (borrowed until the next add or
 * sort): its ids, depth and counts. */
size_t ff_stackbuf_count(const ff_stackbuf *b);
void ff_stackbuf_get(const ff_stackbuf *b, size_t i, const uint32_t **ids,
    uint32_t *depth, const uint64_t **values);

/* The largest |column 1 - column 0| of one stack (at least 1), for the
 * differential colour scale; 2 columns only. */
uint64_t ff_stackbuf_max_delta(const ff_stackbuf *b);

/* Column sums. */
const uint64_t *ff_stackbuf_totals(const ff_stackbuf *b);

/* Visit the stacks in flamegraph.pl's order without sorting all of
 * them: stacks are grouped frame by frame (a most-significant-first
 * radix sort on the names' ranks), and a group whose column `wcol` sums
 * to less than min_count -- a subtree the picture will not show -- is
 * visited as one stack (its first stack cut below the group's frame,
 * with the group's summed counts) instead of being sorted.  The frames
 * that will be drawn, and the positions of everything, are the same as
 * with ff_stackbuf_sort.  Groups holding a zero count in column wcol are
 * always sorted, since flamegraph.pl lets zero-width frames replace
 * earlier ones.  visit gets each stack; a code other than FF_OK stops
 * the walk.  Needs memory for two 32-bit words per stack and per name. */
typedef ff_rc (*ff_stackbuf_visit)(void *ctx, const uint32_t *ids,
    uint32_t depth, const uint64_t *values);
ff_rc ff_stackbuf_walk(const ff_stackbuf *b, unsigned wcol,
    double min_count, ff_stackbuf_visit visit, void *ctx) FF_WUR;

/* Whether stack a sorts before (<0), with (0) or after (>0) stack b in
 * flamegraph.pl's line order. */
int ff_stackbuf_cmp(const ff_intern *names, const uint32_t *a, uint32_t da,
    const uint32_t *b, uint32_t db);

#endif
