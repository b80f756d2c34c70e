/*
 * rollup.h -- per-function totals of one profile.
 *
 * For every function (frame name in the normal form of func.h) of a stack
 * table: its self values (summed over stacks whose leaf it is) and its
 * inclusive values (summed over stacks it appears in, counted once per
 * stack even under recursion), one per event column.  These are what the
 * regression statistics compare between builds.
 */
#ifndef FF_ROLLUP_H
#define FF_ROLLUP_H

#include "profile/err.h"
#include "profile/intern.h"
#include "profile/stacks.h"

#include <stdint.h>

typedef struct ff_rollup ff_rollup;

/* Frame id -> function id, remembered across profiles that share one
 * frame table, so each frame name is normalised once.  Both tables are
 * borrowed and must outlive the map. */
typedef struct ff_funcmap ff_funcmap;
ff_funcmap *ff_funcmap_new(const ff_intern *frames, ff_intern *funcs);
void ff_funcmap_free(ff_funcmap *m);

/* Compute the rollup of s.  Function names are interned into funcs
 * (borrowed; shared between profiles so ids are comparable), which may be
 * ff_stacks_frames(s) itself.  Entries are sorted by function id. */
ff_rc ff_rollup_new(ff_rollup **out, const ff_stacks *s, ff_intern *funcs,
    ff_err *err) FF_WUR;

/* The same with a map over ff_stacks_frames(s) (faster for many profiles
 * sharing one frame table). */
ff_rc ff_rollup_new_mapped(ff_rollup **out, const ff_stacks *s,
    ff_funcmap *map, ff_err *err) FF_WUR;
void ff_rollup_free(ff_rollup *r);

/* Number of functions, and entry i's function id and values (nvalues
 * each, as in the stack table). */
uint32_t ff_rollup_count(const ff_rollup *r);
unsigned ff_rollup_nvalues(const ff_rollup *r);
uint32_t ff_rollup_func(const ff_rollup *r, uint32_t i);
const uint64_t *ff_rollup_self(const ff_rollup *r, uint32_t i);
const uint64_t *ff_rollup_incl(const ff_rollup *r, uint32_t i);

#endif
