/*
 * stamp.h -- timestamps and durations as flamefleet writes and reads them.
 *
 * Times are Unix seconds (int64, UTC).  On the wire they are RFC 3339 in
 * UTC ("2026-11-21T20:00:00Z"); selectors also accept a time relative to
 * now ("-24h") and durations ("30d").  No locale, no time zone database.
 */
#ifndef FF_STAMP_H
#define FF_STAMP_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

#define FF_STAMP_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" and a NUL */

/* Parse RFC 3339 UTC: "YYYY-MM-DDTHH:MM:SS[.frac]Z" (also 'z', ' ' or
 * 't' as separator, and a numeric offset "+HH:MM", which is applied).
 * Fractions are truncated.  FF_ERR_PARSE names what is wrong. */
ff_rc ff_stamp_parse(const char *s, size_t len, int64_t *out, ff_err *err)
	FF_WUR;

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" (years 0..9999; others are clamped). */
void ff_stamp_format(int64_t t, char out[FF_STAMP_LEN]);

/* Parse a duration: an integer and a unit s, m, h, d or w ("90s", "24h",
 * "30d"). */
ff_rc ff_stamp_parse_duration(const char *s, size_t len, int64_t *secs,
    ff_err *err) FF_WUR;

/* Parse a point in time for a selector: RFC 3339, or "-DURATION" meaning
 * that long before now, or "now". */
ff_rc ff_stamp_parse_when(const char *s, size_t len, int64_t now,
    int64_t *out, ff_err *err) FF_WUR;

/* The current time in Unix seconds. */
int64_t ff_stamp_now(void);

#endif
