/*
 * palette.c -- colour schemes, name hashing and scales (see palette.h).
 *
 * The per-scheme arithmetic reproduces flamegraph.pl's colour choices so
 * that a function keeps the colour users know from it.
 */
#include "report/palette.h"
#include "report/xml.h"

#include "profile/intern.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/sort.h"
#include "profile/src.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scheme_names[] = {
	"hot", "mem", "io", "wakeup", "chain", "java", "js", "perl",
	"red", "green", "blue", "aqua", "yellow", "purple", "orange"
};

ff_rc
ff_palette_scheme_parse(const char *name, ff_palette_scheme *out,
    ff_err *err)
{
	size_t i;

	for (i = 0; i < sizeof scheme_names / sizeof scheme_names[0]; i++)
		if (strcmp(name, scheme_names[i]) == 0) {
			*out = (ff_palette_scheme)i;
			return FF_OK;
		}
	return ff_err_set(err, FF_ERR_USAGE, "unknown colour palette '%.64s' "
	    "(choose hot, mem, io, wakeup, chain, java, js, perl, red, green, "
	    "blue, aqua, yellow, purple or orange)", name);
}

const char *
ff_palette_scheme_name(ff_palette_scheme s)
{
	return scheme_names[s];
}

static int
is_hex6(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789abcdefABCDEF") == 6;
}

ff_rc
ff_palette_background(const char *bg, ff_palette_scheme s, char c1[8],
    char c2[8], ff_err *err)
{
	static const char *const named[][3] = {
		{ "yellow", "#eeeeee", "#eeeeb0" },
		{ "blue", "#eeeeee", "#e0e0ff" },
		{ "green", "#eef2ee", "#e0ffe0" },
		{ "grey", "#f8f8f8", "#e8e8e8" },
	};
	size_t i;

	if (bg == NULL || bg[0] == '\0') {
		if (s == FF_PAL_MEM)
			bg = "green";
		else if (s == FF_PAL_IO || s == FF_PAL_WAKEUP ||
		    s == FF_PAL_CHAIN)
			bg = "blue";
		else if (s >= FF_PAL_RED)
			bg = "grey";
		else
			bg = "yellow";
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(bg, named[i][0]) == 0) {
			memcpy(c1, named[i][1], 8);
			memcpy(c2, named[i][2], 8);
			return FF_OK;
		}
	if (bg[0] == '#' && is_hex6(bg + 1)) {
		memcpy(c1, bg, 8);
		memcpy(c2, bg, 8);
		return FF_OK;
	}
	return ff_err_set(err, FF_ERR_USAGE, "unknown background '%.64s' "
	    "(choose yellow, blue, green, grey or #rrggbb)", bg);
}

/* ---- name hashing ---------------------------------------------------- */

/* The next code point of s[*i..len), advancing *i (an invalid byte is its
 * own value). */
static uint32_t
next_cp(const char *s, size_t len, size_t *i)
{
	uint32_t cp;
	size_t n = ff_xml_utf8_decode((const unsigned char *)s + *i, len - *i,
	    &cp);

	if (n == 0) {
		cp = (unsigned char)s[*i];
		n = 1;
	}
	*i += n;
	return cp;
}

/* The code point before s[*i], moving *i back (for reversed names). */
static uint32_t
prev_cp(const char *s, size_t *i)
{
	size_t start = *i - 1, k;
	uint32_t cp;

	/* Try the longest valid sequence ending at *i. */
	for (k = 4; k >= 2; k--) {
		if (*i >= k &&
		    ff_xml_utf8_decode((const unsigned char *)s + *i - k, k,
		    &cp) == k) {
			*i -= k;
			return cp;
		}
	}
	*i = start;
	return (unsigned char)s[start];
}

double
ff_palette_namehash(const char *s, size_t len, int reversed)
{
	double vector = 0, weight = 1, max = 1;
	const char *tick;
	unsigned mod = 10;
	size_t i;

	/* Perl: s/.(.*?)`// -- drop everything up to the first backtick
	 * that is not the first character.  For the reversed name that is
	 * the last backtick before the last character, and what goes is
	 * everything from it on. */
	if (!reversed) {
		tick = len > 1 ? memchr(s + 1, '`', len - 1) : NULL;
		if (tick != NULL) {
			len -= (size_t)(tick + 1 - s);
			s = tick + 1;
		}
	} else {
		for (i = len >= 2 ? len - 1 : 0; i-- > 0;)
			if (s[i] == '`') {
				len = i;
				break;
			}
	}
	i = reversed ? len : 0;
	while (reversed ? i > 0 : i < len) {
		uint32_t c = reversed ? prev_cp(s, &i) : next_cp(s, len, &i);

		vector += (double)(c % mod) / (double)(mod - 1) * weight;
		mod++;
		max += weight;
		weight *= 0.70;
		if (mod > 12)
			break;
	}
	return 1 - vector / max;
}

#define DRAND48_MASK ((UINT64_C(1) << 48) - 1)

static double
drand48_next(uint64_t *x)
{
	*x = (UINT64_C(0x5DEECE66D) * *x + 0xB) & DRAND48_MASK;
	return ldexp((double)*x, -48);
}

static uint64_t
drand48_seed(uint32_t seed)
{
	return (uint64_t)seed << 16 | 0x330E;
}

double
ff_palette_seeded(uint32_t seed)
{
	uint64_t x = drand48_seed(seed);

	return drand48_next(&x);
}

static uint32_t
name_sum(const char *s, size_t len)
{
	uint32_t sum = 0;
	size_t i = 0;

	while (i < len)
		sum += next_cp(s, len, &i);
	return sum;
}

/* ---- schemes --------------------------------------------------------- */

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static int
contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/* m:^L?(java|javax|jdk|net|org|com|io|sun)/: */
static int
java_package(const char *s, size_t len)
{
	static const char *const pkgs[] = {
		"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/",
		"sun/"
	};
	size_t i;

	if (len > 0 && s[0] == 'L')
		if (java_package(s + 1, len - 1))
			return 1;
	for (i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++)
		if (len >= strlen(pkgs[i]) &&
		    memcmp(s, pkgs[i], strlen(pkgs[i])) == 0)
			return 1;
	return 0;
}

static ff_palette_scheme
java_type(const char *s, size_t len)
{
	if (ends_with(s, len, "_[j]"))
		return FF_PAL_GREEN;
	if (ends_with(s, len, "_[i]"))
		return FF_PAL_AQUA;
	if (java_package(s, len) || contains(s, len, ":::"))
		return FF_PAL_GREEN;
	if (contains(s, len, "::"))
		return FF_PAL_YELLOW;
	if (ends_with(s, len, "_[k]"))
		return FF_PAL_ORANGE;
	return FF_PAL_RED;
}

/* m:/.*\.js: -- a '/' with ".js" somewhere after it. */
static int
js_path(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return slash != NULL &&
	    contains(slash + 1, len - (size_t)(slash + 1 - s), ".js");
}

static ff_palette_scheme
js_type(const char *s, size_t len)
{
	if (ends_with(s, len, "_[j]"))
		return memchr(s, '/', len) != NULL ? FF_PAL_GREEN : FF_PAL_AQUA;
	if (contains(s, len, "::"))
		return FF_PAL_YELLOW;
	if (js_path(s, len))
		return FF_PAL_GREEN;
	if (memchr(s, ':', len) != NULL)
		return FF_PAL_AQUA;
	if (len == 1 && s[0] == ' ')
		return FF_PAL_GREEN;
	if (contains(s, len, "_[k]"))
		return FF_PAL_ORANGE;
	return FF_PAL_RED;
}

static ff_palette_scheme
perl_type(const char *s, size_t len)
{
	if (contains(s, len, "::"))
		return FF_PAL_YELLOW;
	if (contains(s, len, "Perl") || contains(s, len, ".pl"))
		return FF_PAL_GREEN;
	if (ends_with(s, len, "_[k]"))
		return FF_PAL_ORANGE;
	return FF_PAL_RED;
}

/* The flat scheme a multi-hue scheme picks for this name. */
static ff_palette_scheme
scheme_resolve(ff_palette_scheme s, const char *name, size_t len)
{
	switch (s) {
	case FF_PAL_JAVA:
		return java_type(name, len);
	case FF_PAL_JS:
		return js_type(name, len);
	case FF_PAL_PERL:
		return perl_type(name, len);
	case FF_PAL_WAKEUP:
		return FF_PAL_AQUA;
	case FF_PAL_CHAIN:
		return contains(name, len, "_[w]") ? FF_PAL_AQUA : FF_PAL_BLUE;
	default:
		return s;
	}
}

static ff_rgb
rgb(int r, int g, int b)
{
	ff_rgb c = { (unsigned char)r, (unsigned char)g, (unsigned char)b };

	return c;
}

/* Perl's int(): truncation toward zero. */
#define I(x) ((int)(x))

static ff_rgb
scheme_shade(ff_palette_scheme s, double v1, double v2, double v3)
{
	switch (s) {
	case FF_PAL_HOT:
		return rgb(205 + I(50 * v3), I(230 * v1), I(55 * v2));
	case FF_PAL_MEM:
		return rgb(0, 190 + I(50 * v2), I(210 * v1));
	case FF_PAL_IO:
		return rgb(80 + I(60 * v1), 80 + I(60 * v1), 190 + I(55 * v2));
	case FF_PAL_RED:
		return rgb(200 + I(55 * v1), 50 + I(80 * v1), 50 + I(80 * v1));
	case FF_PAL_GREEN:
		return rgb(50 + I(60 * v1), 200 + I(55 * v1), 50 + I(60 * v1));
	case FF_PAL_BLUE:
		return rgb(80 + I(60 * v1), 80 + I(60 * v1), 205 + I(50 * v1));
	case FF_PAL_YELLOW:
		return rgb(175 + I(55 * v1), 175 + I(55 * v1), 50 + I(20 * v1));
	case FF_PAL_PURPLE:
		return rgb(190 + I(65 * v1), 80 + I(60 * v1), 190 + I(65 * v1));
	case FF_PAL_AQUA:
		return rgb(50 + I(60 * v1), 165 + I(55 * v1), 165 + I(55 * v1));
	case FF_PAL_ORANGE:
		return rgb(190 + I(65 * v1), 90 + I(65 * v1), 0);
	default:
		return rgb(0, 0, 0);
	}
}

static ff_rgb
palette_shade(ff_palette_scheme s, const char *name, size_t len, double v1,
    double v2, double v3)
{
	return scheme_shade(scheme_resolve(s, name, len), v1, v2, v3);
}

ff_rgb
ff_palette_color(ff_palette_scheme s, ff_palette_vary v, const char *name,
    size_t len)
{
	double v1, v2;

	if (v == FF_VARY_HASH) {
		v1 = ff_palette_namehash(name, len, 0);
		v2 = ff_palette_namehash(name, len, 1);
		return palette_shade(s, name, len, v1, v2, v2);
	}
	v1 = ff_palette_seeded(name_sum(name, len));
	return palette_shade(s, name, len, v1, v1, v1);
}

void
ff_palette_init(ff_palette *p, ff_palette_scheme scheme,
    ff_palette_vary vary, uint32_t seed, ff_palette_map *map)
{
	p->scheme = scheme;
	p->vary = vary;
	p->rng = drand48_seed(seed);
	p->map = map;
}

ff_rc
ff_palette_pick(ff_palette *p, const char *name, size_t len, ff_rgb *out)
{
	if (p->map != NULL && ff_palette_map_get(p->map, name, len, out))
		return FF_OK;
	if (p->vary == FF_VARY_RANDOM) {
		double v1 = drand48_next(&p->rng);
		double v2 = drand48_next(&p->rng);
		double v3 = drand48_next(&p->rng);

		*out = palette_shade(p->scheme, name, len, v1, v2, v3);
	} else {
		*out = ff_palette_color(p->scheme, p->vary, name, len);
	}
	if (p->map != NULL)
		return ff_palette_map_put(p->map, name, len, *out);
	return FF_OK;
}

/* ---- scales ---------------------------------------------------------- */

ff_rgb
ff_palette_diff(double value, double max, int negate)
{
	int r = 255, g = 255, b = 255;

	if (negate)
		value = -value;
	if (max <= 0)
		max = 1;
	if (value > max)
		value = max;
	if (value < -max)
		value = -max;
	if (value > 0)
		g = b = I(210 * (max - value) / max);
	else if (value < 0)
		r = g = I(210 * (max + value) / max);
	return rgb(r, g, b);
}

ff_rgb
ff_palette_ramp(double t)
{
	/* blue (t = 0) - violet (0.5) - red (1), linear in RGB. */
	static const double stops[3][3] = {
		{ 60, 110, 230 }, { 170, 100, 200 }, { 230, 60, 50 }
	};
	const double *a, *b;
	double u;

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	a = t < 0.5 ? stops[0] : stops[1];
	b = t < 0.5 ? stops[1] : stops[2];
	u = t < 0.5 ? t * 2 : t * 2 - 1;
	return rgb((int)lround(a[0] + (b[0] - a[0]) * u),
	    (int)lround(a[1] + (b[1] - a[1]) * u),
	    (int)lround(a[2] + (b[2] - a[2]) * u));
}

ff_rgb
ff_palette_cpi(double cpi, double lo, double hi)
{
	if (!isfinite(cpi) || !(lo > 0) || !(hi > lo))
		return rgb(200, 200, 200);
	if (cpi <= lo)
		return ff_palette_ramp(0);
	return ff_palette_ramp((log(cpi) - log(lo)) / (log(hi) - log(lo)));
}

ff_rgb
ff_palette_ratio(double ratio)
{
	if (!isfinite(ratio))
		return rgb(200, 200, 200);
	return ff_palette_ramp(ratio);
}

/* ---- palette files --------------------------------------------------- */

struct ff_palette_map {
	ff_intern *names;
	ff_rgb *colors;    /* by name id */
	uint32_t cap;
};

ff_palette_map *
ff_palette_map_new(void)
{
	ff_palette_map *m = ff_calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->names = ff_intern_new();
	if (m->names == NULL) {
		ff_free(m);
		return NULL;
	}
	return m;
}

void
ff_palette_map_free(ff_palette_map *m)
{
	if (m == NULL)
		return;
	ff_intern_free(m->names);
	ff_free(m->colors);
	ff_free(m);
}

uint32_t
ff_palette_map_count(const ff_palette_map *m)
{
	return ff_intern_count(m->names);
}

int
ff_palette_map_get(const ff_palette_map *m, const char *name, size_t len,
    ff_rgb *out)
{
	uint32_t id;

	if (!ff_intern_find(m->names, name, len, &id))
		return 0;
	*out = m->colors[id];
	return 1;
}

ff_rc
ff_palette_map_put(ff_palette_map *m, const char *name, size_t len, ff_rgb c)
{
	uint32_t id;
	ff_rc rc;

	if ((rc = ff_intern_put(m->names, name, len, &id)) != FF_OK)
		return rc;
	if (id >= m->cap) {
		uint32_t cap = m->cap != 0 ? m->cap * 2 : 256;
		ff_rgb *p = ff_reallocarray(m->colors, cap, sizeof *p);

		if (p == NULL)
			return FF_ERR_NOMEM; /* the name stays, uncoloured */
		m->colors = p;
		m->cap = cap;
	}
	m->colors[id] = c;
	return FF_OK;
}

/* Parse "rgb(R,G,B)" exactly. */
static int
parse_rgb(const char *s, size_t len, ff_rgb *out)
{
	char buf[32];
	unsigned r, g, b;
	char end;

	if (len >= sizeof buf)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "rgb(%u,%u,%u%c", &r, &g, &b, &end) != 4 ||
	    end != ')' || buf[len - 1] != ')' || r > 255 || g > 255 || b > 255)
		return 0;
	*out = rgb((int)r, (int)g, (int)b);
	return 1;
}

static ff_rc
map_line(ff_palette_map *m, const char *line, size_t len)
{
	size_t i;
	ff_rgb c;

	for (i = 0; i + 1 < len; i++)
		if (line[i] == '-' && line[i + 1] == '>')
			break;
	if (i + 1 >= len || !parse_rgb(line + i + 2, len - i - 2, &c))
		return FF_OK;
	return ff_palette_map_put(m, line, i, c);
}

ff_rc
ff_palette_map_load(ff_palette_map *m, const char *path, ff_err *err)
{
	ff_src_opts opts = { 0 };
	const char *line;
	ff_src *src = NULL;
	FILE *probe;
	size_t len;
	ff_rc rc;

	if ((probe = fopen(path, "r")) == NULL)
		return FF_OK;
	fclose(probe);
	opts.plain = 1;
	opts.max_line = FF_FRAME_MAX + 64;
	if ((rc = ff_src_open(&src, path, &opts, err)) != FF_OK)
		return rc;
	while ((rc = ff_src_line(src, &line, &len, err)) == FF_OK ||
	    (rc == FF_ERR_LIMIT && !ff_src_broken(src)))
		if (rc == FF_OK && (rc = map_line(m, line, len)) != FF_OK)
			break;
	ff_src_close(src);
	if (rc == FF_DONE)
		return FF_OK;
	if (rc == FF_ERR_NOMEM)
		return ff_err_nomem(err);
	return rc;
}

static int
map_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_intern *t = ctx;
	size_t la, lb;
	const char *sa = ff_intern_str(t, a, &la);
	const char *sb = ff_intern_str(t, b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

ff_rc
ff_palette_map_save(const ff_palette_map *m, const char *path, ff_err *err)
{
	uint32_t n = ff_intern_count(m->names), i, *ids;
	FILE *f = NULL;
	ff_rc rc = FF_OK;

	ids = ff_reallocarray(NULL, n != 0 ? n : 1, sizeof *ids);
	if (ids == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < n; i++)
		ids[i] = i;
	if (ff_sort_ids(ids, n, map_cmp, m->names) != FF_OK) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((f = fopen(path, "w")) == NULL) {
		rc = ff_err_errno(err, errno, "%s", path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len;
		const char *name = ff_intern_str(m->names, ids[i], &len);
		ff_rgb c = m->colors[ids[i]];

		fwrite(name, 1, len, f);
		fprintf(f, "->rgb(%u,%u,%u)\n", c.r, c.g, c.b);
	}
	if (ferror(f)) {
		fclose(f);
		rc = ff_err_set(err, FF_ERR_IO, "%s: write error", path);
	} else if (fclose(f) != 0) {
		rc = ff_err_errno(err, errno, "%s", path);
	}
out:
	ff_free(ids);
	return rc;
}
