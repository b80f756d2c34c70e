/*
 * table.h -- the verdict as a readable table (ffdiff's stdout view).
 */
#ifndef FF_TABLE_H
#define FF_TABLE_H

#include "diff/check.h"

#include <stdio.h>

/* Print the verdict, the sides, regressions, improvements, possible
 * regressions, functions on one side only, CPI findings and totals.
 * `limit` caps the rows per section (0 = 20). */
void ff_table_write(const ff_result *res, FILE *out, size_t limit);

#endif
