/*
 * compare.h -- one comparison of two selections of a store.
 *
 * The unit ffdiff --db and the store's web page both use: parse the two
 * selections, fetch their replicates and run the check, and build the
 * aggregate and differential profiles for the graphs.
 */
#ifndef FF_COMPARE_H
#define FF_COMPARE_H

#include "diff/check.h"
#include "profile/err.h"
#include "profile/stacks.h"
#include "store/store.h"

#include <stdint.h>

typedef struct ff_compare ff_compare;

/* Selections base and new ("key=value,..."; see store/sel.h), each
 * narrowed to type when type is not NULL; relative times count from now.
 * st is borrowed and must outlive the comparison.  FF_ERR_USAGE names a
 * bad term. */
ff_rc ff_compare_new(ff_compare **out, ff_store *st, const char *base,
    const char *new_, const char *type, int64_t now, ff_err *err) FF_WUR;
void ff_compare_free(ff_compare *c);

/* Fetch both sides' replicates and run the check.  The result belongs to
 * the comparison. */
ff_rc ff_compare_check(ff_compare *c, const ff_check_opts *opts,
    const char *work_label, const ff_result **out, ff_err *err) FF_WUR;

/* The summed stacks of one side (FF_BASE or FF_NEW), every event column;
 * *out is the caller's, its frames are the comparison's (valid until
 * ff_compare_free). */
ff_rc ff_compare_aggregate(ff_compare *c, int side, ff_stacks **out,
    ff_err *err) FF_WUR;

/* The selection text of a side, as parsed ("build=A,type=cpu"). */
const char *ff_compare_what(const ff_compare *c, int side);

#endif
