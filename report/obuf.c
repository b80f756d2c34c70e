/*
 * obuf.c -- buffered output with cheap number formatting (see obuf.h).
 */
#include "report/obuf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
ff_obuf_init(ff_obuf *b, FILE *out)
{
	b->out = out;
	b->len = 0;
	b->failed = 0;
}

static void
obuf_drain(ff_obuf *b)
{
	if (b->len != 0 && !b->failed &&
	    fwrite(b->buf, 1, b->len, b->out) != b->len)
		b->failed = errno != 0 ? errno : EIO;
	b->len = 0;
}

void
ff_obuf_mem(ff_obuf *b, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		size_t room = FF_OBUF_SIZE - b->len, k = n < room ? n : room;

		memcpy(b->buf + b->len, s, k);
		b->len += k;
		s += k;
		n -= k;
		if (b->len == FF_OBUF_SIZE)
			obuf_drain(b);
	}
}

void
ff_obuf_str(ff_obuf *b, const char *s)
{
	ff_obuf_mem(b, s, strlen(s));
}

void
ff_obuf_char(ff_obuf *b, char c)
{
	if (b->len == FF_OBUF_SIZE)
		obuf_drain(b);
	b->buf[b->len++] = c;
}

void
ff_obuf_printf(ff_obuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ff_obuf_mem(b, tmp, (size_t)n < sizeof tmp ? (size_t)n :
	    sizeof tmp - 1);
}

/* Digits of v into the end of tmp[24]; returns the first digit. */
static char *
u64_digits(char tmp[24], uint64_t v)
{
	char *p = tmp + 24;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

void
ff_obuf_u64(ff_obuf *b, uint64_t v)
{
	char tmp[24], *p = u64_digits(tmp, v);

	ff_obuf_mem(b, p, (size_t)(tmp + 24 - p));
}

void
ff_obuf_u64_grouped(ff_obuf *b, uint64_t v)
{
	char tmp[24], *p = u64_digits(tmp, v);
	size_t n = (size_t)(tmp + 24 - p), first = n % 3 != 0 ? n % 3 : 3;

	ff_obuf_mem(b, p, first);
	for (p += first, n -= first; n > 0; p += 3, n -= 3) {
		ff_obuf_char(b, ',');
		ff_obuf_mem(b, p, 3);
	}
}

void
ff_obuf_tenths(ff_obuf *b, int64_t tenths)
{
	uint64_t a;

	if (tenths < 0) {
		ff_obuf_char(b, '-');
		a = (uint64_t)-(tenths + 1) + 1;
	} else {
		a = (uint64_t)tenths;
	}
	ff_obuf_u64(b, a / 10);
	if (a % 10 != 0) {
		ff_obuf_char(b, '.');
		ff_obuf_char(b, (char)('0' + a % 10));
	}
}

static const double powers10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };

int64_t
ff_obuf_round_fixed(double v, int digits)
{
	double t = v * powers10[digits], f = floor(t), d = t - f;
	char s[80], *dot;

	/* Far from a tie, the rounding error of the product cannot
	 * matter. */
	if (fabs(d - 0.5) > 1e-6)
		return (int64_t)(d < 0.5 ? f : f + 1);
	/* Near a tie, let printf decide from the exact binary value. */
	snprintf(s, sizeof s, "%.*f", digits, v);
	dot = strchr(s, '.');
	if (dot != NULL)
		memmove(dot, dot + 1, strlen(dot));
	return strtoll(s, NULL, 10);
}

void
ff_obuf_fixed(ff_obuf *b, int64_t scaled, int digits, int neg)
{
	char tmp[24], *p;
	uint64_t a, unit = (uint64_t)powers10[digits];

	if (scaled < 0 || (scaled == 0 && neg))
		ff_obuf_char(b, '-');
	a = scaled < 0 ? (uint64_t)-(scaled + 1) + 1 : (uint64_t)scaled;
	ff_obuf_u64(b, a / unit);
	if (digits == 0)
		return;
	ff_obuf_char(b, '.');
	p = u64_digits(tmp, a % unit);
	while ((int)(tmp + 24 - p) < digits)
		*--p = '0';
	ff_obuf_mem(b, p, (size_t)(tmp + 24 - p));
}

void
ff_obuf_fixed_double(ff_obuf *b, double v, int digits)
{
	if (digits < 0)
		digits = 0;
	if (digits > 6)
		digits = 6;
	if (!isfinite(v) || fabs(v) * powers10[digits] >= 0x1p52) {
		ff_obuf_printf(b, "%.*f", digits, v);
		return;
	}
	ff_obuf_fixed(b, ff_obuf_round_fixed(v, digits), digits, v < 0);
}

void
ff_obuf_num(ff_obuf *b, double v, int digits)
{
	char tmp[24], *p;
	uint64_t a, unit;
	int neg = v < 0, d;

	if (digits < 0)
		digits = 0;
	if (digits > 6)
		digits = 6;
	if (!isfinite(v) || fabs(v) * powers10[digits] > 9e18) {
		ff_obuf_printf(b, "%g", v);
		return;
	}
	a = (uint64_t)llround(fabs(v) * powers10[digits]);
	unit = (uint64_t)powers10[digits];
	if (neg && a != 0)
		ff_obuf_char(b, '-');
	ff_obuf_u64(b, a / unit);
	a %= unit;
	for (d = digits; d > 0 && a % 10 == 0 && a != 0; d--)
		a /= 10;
	if (a == 0)
		return;
	ff_obuf_char(b, '.');
	p = u64_digits(tmp, a);
	while ((int)(tmp + 24 - p) < d)
		*--p = '0';
	ff_obuf_mem(b, p, (size_t)(tmp + 24 - p));
}

ff_rc
ff_obuf_flush(ff_obuf *b, ff_err *err)
{
	obuf_drain(b);
	if (!b->failed && fflush(b->out) != 0)
		b->failed = errno != 0 ? errno : EIO;
	if (!b->failed && ferror(b->out))
		b->failed = EIO;
	if (b->failed)
		return ff_err_errno(err, b->failed, "write error on output");
	return FF_OK;
}
