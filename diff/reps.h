/*
 * reps.h -- the replicates of a comparison: one row per profile.
 *
 * Each profile (one host, one time window) of the base and the new side
 * is a replicate.  For each, the set keeps its host, its sample totals, an
 * optional amount of work (a numeric label such as Gbps served), and per
 * function its self and inclusive samples of the first event, plus its
 * self count of the second event when there is one (instructions, for
 * CPI).  Counts are kept as float: plenty for statistics, and half the
 * memory of 1,000 x 1,000 profiles.
 */
#ifndef FF_REPS_H
#define FF_REPS_H

#include "profile/err.h"
#include "profile/intern.h"
#include "profile/rollup.h"
#include "profile/stacks.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_reps ff_reps;

enum { FF_BASE = 0, FF_NEW = 1 };

typedef struct ff_rep_entry {
	uint32_t func;    /* id in ff_reps_funcs() */
	float self;       /* self samples, first event */
	float incl;       /* inclusive samples, first event */
	float self2;      /* self count, second event (0 without one) */
} ff_rep_entry;

typedef struct ff_rep {
	int group;        /* FF_BASE or FF_NEW */
	uint32_t host;    /* id in ff_reps_hosts() */
	double total;     /* samples of the first event */
	double total2;    /* count of the second event, or 0 */
	double work;      /* work done, or NAN when unknown */
	int64_t start;    /* Unix seconds */
	size_t first, count; /* its entries */
} ff_rep;

ff_reps *ff_reps_new(void);
void ff_reps_free(ff_reps *r);

/* Function and host names (normal form; shared by every profile). */
ff_intern *ff_reps_funcs(ff_reps *r);
ff_intern *ff_reps_hosts(ff_reps *r);

/* Start a profile; its functions follow with ff_reps_add_func. */
ff_rc ff_reps_begin(ff_reps *r, int group, const char *host, int64_t start,
    double total, double total2, double work, ff_err *err) FF_WUR;

/* Add one function of the profile begun last. */
ff_rc ff_reps_add_func(ff_reps *r, uint32_t func, double self, double incl,
    double self2, ff_err *err) FF_WUR;

/* Begin a profile and add every function of a rollup computed over
 * ff_reps_funcs(r); totals are the stack table's column sums. */
ff_rc ff_reps_add_rollup(ff_reps *r, int group, const char *host,
    int64_t start, const ff_rollup *ru, const uint64_t *totals,
    unsigned nvalues, double work, ff_err *err) FF_WUR;

/* Read a .ffp file and add it; work comes from the numeric label
 * work_label (NULL: none). */
ff_rc ff_reps_add_file(ff_reps *r, int group, const char *path,
    const char *work_label, ff_err *err) FF_WUR;

/* Also sum the stacks of the profiles read from files, per side (for
 * graphs).  Call before adding files. */
void ff_reps_keep_stacks(ff_reps *r);

/* The summed stacks of a side (FF_BASE or FF_NEW), or NULL when not kept
 * or empty.  Borrowed: valid until ff_reps_free. */
const ff_stacks *ff_reps_stacks(const ff_reps *r, int group);

/* Add every *.ffp file of dir (sorted by name). */
ff_rc ff_reps_add_dir(ff_reps *r, int group, const char *dir,
    const char *work_label, ff_err *err) FF_WUR;

size_t ff_reps_count(const ff_reps *r);
const ff_rep *ff_reps_get(const ff_reps *r, size_t i);
const ff_rep_entry *ff_reps_entries(const ff_reps *r);
/* Whether every profile has a second event. */
int ff_reps_has_second(const ff_reps *r);

/* The first event's name (that of the first profile that named one), or
 * "samples". */
const char *ff_reps_event(const ff_reps *r);
void ff_reps_note_event(ff_reps *r, const char *name);

#endif
