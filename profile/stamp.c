/*
 * stamp.c -- RFC 3339 and durations without timegm() (see stamp.h).
 */
#include "profile/stamp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Days since 1970-01-01 of a proleptic Gregorian date: shift the year to
 * start in March (so the leap day is last), count 400-year eras, then days
 * within the era. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

ff_rc
ff_stamp_parse(const char *s, size_t len, int64_t *out, ff_err *err)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		goto bad;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    d > days_in_month(y, mo))
		goto bad;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (s[i - 1] == '.')
			goto bad;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		oh = digits(s + i + 1, 2);
		om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			goto bad;
		i += 6;
	} else {
		goto bad;
	}
	if (i != len)
		goto bad;
	if (sec == 60)
		sec = 59; /* a leap second: close enough for profiling */
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_PARSE, "'%.*s' is not an RFC 3339 time "
	    "(like 2026-11-21T20:00:00Z)", (int)(len < 64 ? len : 64), s);
}

void
ff_stamp_format(int64_t t, char out[FF_STAMP_LEN])
{
	int64_t days, y, secs;
	unsigned m, d;

	if (t < -62167219200LL)       /* 0000-01-01 */
		t = -62167219200LL;
	if (t > 253402300799LL)       /* 9999-12-31T23:59:59 */
		t = 253402300799LL;
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	/* secs is in [0, 86400): every field has its printed width. */
	snprintf(out, FF_STAMP_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)y % 10000, m % 100, d % 100, (unsigned)(secs / 3600) % 100,
	    (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

ff_rc
ff_stamp_parse_duration(const char *s, size_t len, int64_t *secs, ff_err *err)
{
	int64_t v = 0, unit;
	size_t i;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX / 604800 - 9) / 10)
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || i + 1 != len)
		goto bad;
	switch (s[i]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 604800; break;
	default: goto bad;
	}
	*secs = v * unit;
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_PARSE, "'%.*s' is not a duration (like "
	    "90s, 15m, 24h, 30d, 2w)", (int)(len < 64 ? len : 64), s);
}

ff_rc
ff_stamp_parse_when(const char *s, size_t len, int64_t now, int64_t *out,
    ff_err *err)
{
	int64_t d;
	ff_rc rc;

	if (len == 3 && memcmp(s, "now", 3) == 0) {
		*out = now;
		return FF_OK;
	}
	if (len > 1 && s[0] == '-') {
		if ((rc = ff_stamp_parse_duration(s + 1, len - 1, &d, err)) !=
		    FF_OK)
			return rc;
		*out = now - d;
		return FF_OK;
	}
	return ff_stamp_parse(s, len, out, err);
}

int64_t
ff_stamp_now(void)
{
	return (int64_t)time(NULL);
}
