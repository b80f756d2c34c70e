/*
 * diag.h -- reporting malformed input lines without drowning the user.
 *
 * Readers skip a malformed line and report it here.  The first line of
 * each kind ("bad count", "NUL byte", ...) is printed as
 * "prog: file:line: message"; later lines of that kind are only counted,
 * and ff_diag_summary() prints the totals.  In strict mode the first
 * malformed line is an error instead.
 */
#ifndef FF_DIAG_H
#define FF_DIAG_H

#include "profile/err.h"

#include <stdint.h>
#include <stdio.h>

typedef struct ff_diag ff_diag;

/* out: where to print (NULL = nowhere).  prog prefixes each message and
 * is borrowed.  NULL when out of memory. */
ff_diag *ff_diag_new(FILE *out, const char *prog, int strict);
void ff_diag_free(ff_diag *d);

/* Report a malformed line of the given kind (a static string).  Returns
 * FF_OK when the line may be skipped; in strict mode FF_ERR_PARSE, with
 * "file:line: message" in err.  d may be NULL: then every malformed line
 * is an error. */
ff_rc ff_diag_line(ff_diag *d, ff_err *err, const char *file,
    uint64_t line, const char *kind, const char *fmt, ...) FF_PRINTF(6, 7);

/* Malformed lines reported so far, in total and of one kind. */
uint64_t ff_diag_count(const ff_diag *d);
uint64_t ff_diag_kind_count(const ff_diag *d, const char *kind);

/* Print "prog: N malformed lines skipped (K1: n1, K2: n2)" when any were;
 * nothing otherwise. */
void ff_diag_summary(const ff_diag *d);

#endif
