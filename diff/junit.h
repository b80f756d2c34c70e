/*
 * junit.h -- the verdict as JUnit XML, for CI systems.
 *
 * One test case per regressed function (failed), one for the verdict
 * itself (failed when REGRESSED, skipped when INCONCLUSIVE, passed when
 * SAME), and one per CPI finding (failed).
 */
#ifndef FF_JUNIT_H
#define FF_JUNIT_H

#include "diff/check.h"
#include "profile/err.h"

#include <stdio.h>

ff_rc ff_junit_write(const ff_result *res, FILE *out, ff_err *err) FF_WUR;

#endif
