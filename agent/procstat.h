/*
 * procstat.h -- repeated FreeBSD `procstat -kk -a` snapshots into
 * off-CPU stacks: each thread in each snapshot is one sample (the accepted
 * input and every rule are tabled at the top of procstat.c).
 *
 * Called through ff_collapse_src (collapse.h), which owns the run.
 */
#ifndef FF_PROCSTAT_H
#define FF_PROCSTAT_H

#include "agent/collapse.h"

#include <stddef.h>

/* Collapse the rest of run->src into run->out.  Errors as for
 * ff_collapse_src. */
ff_rc ff_procstat_collapse(ff_collapse_run *run, ff_err *err) FF_WUR;

/* Whether line is procstat -kk's header or one of its thread lines: for
 * format detection. */
int ff_procstat_sniff(const char *line, size_t len);

#endif
