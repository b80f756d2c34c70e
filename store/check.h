/*
 * check.h -- ffstore check: is a store intact?
 *
 * SQLite's own PRAGMA integrity_check (or quick_check), then the store's
 * invariants: the dictionary loads (dense ids, every parent before its
 * child, depths within FF_DEPTH_MAX), every profile has exactly one
 * packed-data row and the other way round, every blob decodes with the
 * profile's column count, refers only to existing stacks and functions
 * and has the row count the profile says, every label belongs to a
 * profile, and each build's summed stacks equal the sum of its profiles.
 */
#ifndef FF_CHECK_H
#define FF_CHECK_H

#include "profile/err.h"

#include <stdint.h>

/* Called with each problem found (a sentence without a newline). */
typedef void (*ff_check_report)(void *ctx, const char *problem);

/* Check the store at path (read-only).  *problems counts what was
 * reported.  FF_OK when the checks ran (whatever they found); an error
 * when they could not (the file cannot be opened, out of memory). */
ff_rc ff_check_store(const char *path, int quick, ff_check_report report,
    void *ctx, uint64_t *problems, ff_err *err) FF_WUR;

#endif
