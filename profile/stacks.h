/*
 * stacks.h -- the stack table: a trie of frames with counts at its nodes.
 *
 * A stack is a node (parent node, frame id); node 0 is the empty stack at
 * the root.  Identical stacks are the same node, so adding a sample to a
 * stack that was seen before only adds to its counts, and shared prefixes
 * are stored once.  Each node that ends at least one added stack carries
 * `nvalues` counts (one per event, e.g. cycles and instructions).
 *
 * Frame ids come from an ff_intern the table borrows: it must outlive the
 * table.  Node ids are dense, start at 0 and never change.
 */
#ifndef FF_STACKS_H
#define FF_STACKS_H

#include "profile/err.h"
#include "profile/intern.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_stacks ff_stacks;

#define FF_STACKS_ROOT 0u
#define FF_STACKS_NONE UINT32_MAX

/* A new table over `frames` with nvalues (1..FF_VALUES_MAX) counts per
 * stack, or NULL when out of memory or nvalues is out of range. */
ff_stacks *ff_stacks_new(ff_intern *frames, unsigned nvalues);

/* Free the table (not its frames). Accepts NULL. */
void ff_stacks_free(ff_stacks *s);

/* The node for frame under parent, created when new.  FF_ERR_NOMEM or
 * FF_ERR_LIMIT (too many nodes, or deeper than FF_DEPTH_MAX) leave the
 * table unchanged. */
ff_rc ff_stacks_child(ff_stacks *s, uint32_t parent, uint32_t frame,
    uint32_t *node) FF_WUR;

/* The node for frame under parent, or FF_STACKS_NONE. */
uint32_t ff_stacks_find(const ff_stacks *s, uint32_t parent, uint32_t frame);

/* The node for frames[0..depth) (root first), created when new. */
ff_rc ff_stacks_intern_path(ff_stacks *s, const uint32_t *frames,
    size_t depth, uint32_t *node) FF_WUR;

/* Add values[0..nvalues) to the counts of node, marking it as the end of
 * a stack even when every value is 0.  FF_ERR_PARSE for the root (a stack
 * has at least one frame); FF_ERR_LIMIT when a sum would pass
 * FF_COUNT_MAX (the counts are unchanged); FF_ERR_NOMEM. */
ff_rc ff_stacks_add(ff_stacks *s, uint32_t node, const uint64_t *values)
	FF_WUR;

/* ff_stacks_intern_path then ff_stacks_add. */
ff_rc ff_stacks_add_path(ff_stacks *s, const uint32_t *frames, size_t depth,
    const uint64_t *values) FF_WUR;

/* Accessors.  node must be < ff_stacks_nodes(s). */
uint32_t ff_stacks_parent(const ff_stacks *s, uint32_t node);
uint32_t ff_stacks_frame(const ff_stacks *s, uint32_t node);
uint32_t ff_stacks_depth(const ff_stacks *s, uint32_t node);
/* The counts of node, or NULL when no stack ends there. */
const uint64_t *ff_stacks_values(const ff_stacks *s, uint32_t node);

uint32_t ff_stacks_nodes(const ff_stacks *s);   /* root included */
uint32_t ff_stacks_count(const ff_stacks *s);   /* distinct stacks */
unsigned ff_stacks_nvalues(const ff_stacks *s);
ff_intern *ff_stacks_frames(const ff_stacks *s);
/* Column sums over every stack. */
const uint64_t *ff_stacks_totals(const ff_stacks *s);
size_t ff_stacks_bytes(const ff_stacks *s);

/* Fill path[0..depth) with the frames of node, root first, and return the
 * depth.  path must hold ff_stacks_depth(s, node) entries. */
uint32_t ff_stacks_path(const ff_stacks *s, uint32_t node, uint32_t *path);

/* Add every stack of src to dst.  The two may use different frame tables;
 * src's names are interned into dst's.  nvalues must match. */
ff_rc ff_stacks_merge(ff_stacks *dst, const ff_stacks *src, ff_err *err)
	FF_WUR;

/* Add every stack of src to dst with src's columns going to dst columns
 * col .. col + nvalues(src) - 1 (the others get 0).  frame_map, when not
 * NULL, gives dst's frame id for each src frame id (so names can be
 * rewritten on the way); otherwise names are interned into dst's table
 * when the tables differ. */
ff_rc ff_stacks_merge_cols(ff_stacks *dst, const ff_stacks *src, unsigned col,
    const uint32_t *frame_map, ff_err *err) FF_WUR;

/* The same for src columns first .. first + n - 1 only.  Stacks whose
 * selected values are all 0 are still added (with zeros). */
ff_rc ff_stacks_merge_range(ff_stacks *dst, const ff_stacks *src,
    unsigned first, unsigned n, unsigned col, const uint32_t *frame_map,
    ff_err *err) FF_WUR;

/* Replace every value v of column col by floor(v * num / den), exactly
 * (as difffolded.pl -n scales the first profile to the second's total).
 * den must not be 0. */
void ff_stacks_scale(ff_stacks *s, unsigned col, uint64_t num, uint64_t den);

/* Called once per stack by ff_stacks_walk_sorted: path[0..depth) are its
 * frames, root first.  A code other than FF_OK stops the walk and is
 * returned by it. */
typedef ff_rc (*ff_stacks_visit)(void *ctx, const ff_stacks *s,
    uint32_t node, const uint32_t *path, uint32_t depth);

/* Visit every stack in the bytewise order of its folded text
 * ("a;b;c"), the order `sort` and the classic scripts print.  Needs
 * scratch memory proportional to the node count. */
ff_rc ff_stacks_walk_sorted(const ff_stacks *s, ff_stacks_visit visit,
    void *ctx, ff_err *err) FF_WUR;

#ifndef NDEBUG
/* Check every invariant; aborts on a broken table (debug builds only). */
void ff_stacks_check(const ff_stacks *s);
#endif

#endif
