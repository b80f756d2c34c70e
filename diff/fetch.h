/*
 * fetch.h -- replicates from a store: the bridge between store/'s query
 * API and the check.
 */
#ifndef FF_FETCH_H
#define FF_FETCH_H

#include "diff/reps.h"
#include "profile/err.h"
#include "store/sel.h"
#include "store/store.h"

/* Add every profile of sel to reps as side `group` (FF_BASE or FF_NEW),
 * with work taken from the numeric label work_label (NULL: none).
 * Function names are the store's normal forms, interned into
 * ff_reps_funcs(reps).  The number added goes to *count (may be NULL). */
ff_rc ff_fetch_reps(ff_store *st, const ff_sel *sel, int group,
    const char *work_label, ff_reps *reps, size_t *count, ff_err *err)
	FF_WUR;

#endif
