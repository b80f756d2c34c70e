/*
 * perf.h -- `perf script` text into stacks, with the semantics of the
 * classic stackcollapse-perf.pl (the accepted input and every rule are
 * tabled at the top of perf.c).
 *
 * Called through ff_collapse_src (collapse.h), which owns the run.
 */
#ifndef FF_PERF_H
#define FF_PERF_H

#include "agent/collapse.h"

#include <stddef.h>

/* Collapse the rest of run->src into run->out.  Errors as for
 * ff_collapse_src. */
ff_rc ff_perf_collapse(ff_collapse_run *run, ff_err *err) FF_WUR;

/* Whether `event` then `frame` (two consecutive lines) look like the
 * start of a perf sample: for format detection. */
int ff_perf_sniff(const char *event, size_t elen, const char *frame,
    size_t flen);

#endif
