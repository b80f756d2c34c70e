/*
 * dtrace.h -- DTrace stack()/ustack() aggregation output into stacks,
 * with the semantics of the classic stackcollapse.pl (the accepted input
 * and every rule are tabled at the top of dtrace.c).
 *
 * Called through ff_collapse_src (collapse.h), which owns the run.
 */
#ifndef FF_DTRACE_H
#define FF_DTRACE_H

#include "agent/collapse.h"

#include <stddef.h>

/* Collapse the rest of run->src into run->out.  Errors as for
 * ff_collapse_src. */
ff_rc ff_dtrace_collapse(ff_collapse_run *run, ff_err *err) FF_WUR;

/* Whether `frame` then `count` (two consecutive lines past the header)
 * look like the end of a DTrace stack: for format detection. */
int ff_dtrace_sniff(const char *frame, size_t flen, const char *count,
    size_t clen);

#endif
