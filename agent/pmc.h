/*
 * pmc.h -- FreeBSD `pmcstat -R file -G out` callchain text into stacks,
 * with the semantics of stackcollapse-pmc.pl, aggregated (the accepted
 * input and every rule are tabled at the top of pmc.c).
 *
 * Called through ff_collapse_src (collapse.h), which owns the run.
 */
#ifndef FF_PMC_H
#define FF_PMC_H

#include "agent/collapse.h"

#include <stddef.h>

/* Collapse the rest of run->src into run->out.  Errors as for
 * ff_collapse_src; FF_ERR_USAGE when the sections do not fit the event
 * options (several sections and no --event, or an event without a
 * section), with the section names in err. */
ff_rc ff_pmc_collapse(ff_collapse_run *run, ff_err *err) FF_WUR;

/* Whether line is typical of pmcstat -G output (a section header or a
 * callchain line): for format detection. */
int ff_pmc_sniff(const char *line, size_t len);

#endif
