/*
 * obuf.h -- a buffered writer for large generated documents (SVG, HTML).
 *
 * Rendering a flame graph writes hundreds of thousands of short pieces;
 * going through stdio for each of them (and printf for each number) costs
 * more than the layout.  An ff_obuf collects output in a 64 KiB buffer and
 * hands full blocks to a FILE* with fwrite.  Write errors are sticky: the
 * first one is remembered and reported by ff_obuf_flush(), so callers can
 * write freely and check once.
 *
 * Caller-owned; ff_obuf_init cannot fail and allocates nothing.  The FILE*
 * is borrowed (never closed here).
 */
#ifndef FF_OBUF_H
#define FF_OBUF_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FF_OBUF_SIZE (64u << 10)

typedef struct ff_obuf {
	FILE *out;      /* borrowed */
	size_t len;
	int failed;     /* an fwrite came short */
	char buf[FF_OBUF_SIZE];
} ff_obuf;

void ff_obuf_init(ff_obuf *b, FILE *out);

/* Append p[0..n). */
void ff_obuf_mem(ff_obuf *b, const void *p, size_t n);
/* Append a NUL-terminated string. */
void ff_obuf_str(ff_obuf *b, const char *s);
void ff_obuf_char(ff_obuf *b, char c);
/* Append printf-formatted text (at most 1 KiB per call). */
void ff_obuf_printf(ff_obuf *b, const char *fmt, ...) FF_PRINTF(2, 3);

/* Append the decimal v. */
void ff_obuf_u64(ff_obuf *b, uint64_t v);
/* Append v with thousands separators: 1,234,567. */
void ff_obuf_u64_grouped(ff_obuf *b, uint64_t v);

/* Append tenths / 10 as a decimal with one fraction digit, dropping a
 * ".0" ("12", "12.5", "-0.3"). */
void ff_obuf_tenths(ff_obuf *b, int64_t tenths);

/* Append v rounded to `digits` (0..6) fraction digits with trailing zeros
 * and a trailing '.' removed (compact coordinates). */
void ff_obuf_num(ff_obuf *b, double v, int digits);

/* Write out what is buffered.  FF_ERR_IO (with a message) when any write
 * so far failed or the stream reports an error. */
ff_rc ff_obuf_flush(ff_obuf *b, ff_err *err) FF_WUR;

/* v * 10^digits rounded as printf("%.*f", digits, v) rounds it: to the
 * nearest, ties to even on v's exact binary value.  digits 0..6, finite
 * v with |v| * 10^digits < 2^52. */
int64_t ff_obuf_round_fixed(double v, int digits);

/* Append scaled / 10^digits with exactly `digits` fraction digits, as
 * printf("%.*f") would; `neg` adds the sign printf shows for a negative
 * value that rounds to zero ("-0.00"). */
void ff_obuf_fixed(ff_obuf *b, int64_t scaled, int digits, int neg);

/* Append v with exactly `digits` (0..6) fraction digits, as
 * printf("%.*f", digits, v): the two calls above when v is in their
 * range, printf itself for huge or non-finite v (a percentage of a
 * hostile count can be either). */
void ff_obuf_fixed_double(ff_obuf *b, double v, int digits);

#endif
