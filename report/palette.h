/*
 * palette.h -- frame colours: flamegraph.pl's schemes, its name hashing,
 * consistent palette files, and the differential and CPI scales.
 *
 * Name-keyed colours.  A scheme (--colors) picks a hue family; three
 * numbers v1, v2, v3 in [0, 1) pick the shade.  How they are drawn is the
 * "vary" mode, as in flamegraph.pl:
 *
 * | mode              | v1, v2, v3                                        |
 * |-------------------|---------------------------------------------------|
 * | FF_VARY_NAME      | (default) all three = the first drand48() after   |
 * |                   | srand48(sum of the name's code points mod 2^32):  |
 * |                   | Perl's `srand(unpack("%32W*", $name)); rand(1)`   |
 * | FF_VARY_HASH      | (--hash) v1 = namehash(name), v2 = v3 =           |
 * |                   | namehash(reversed name): the first three          |
 * |                   | characters weighted 1, 0.7, 0.49 (after dropping  |
 * |                   | a "module`" prefix)                               |
 * | FF_VARY_RANDOM    | (--random) three successive drand48() values      |
 *
 * so the same name gets the same colour in every graph and every run
 * (except with FF_VARY_RANDOM).  Strings are read as UTF-8 code points;
 * an invalid byte counts as its own value.
 *
 * Scales.  ff_palette_diff() is flamegraph.pl's differential scale (white
 * for no change, red for growth, blue for shrinkage, saturation relative
 * to the largest change).  ff_palette_cpi() and ff_palette_ratio() are
 * flamefleet's CPI and stall-ratio scales, documented in report/README.md.
 */
#ifndef FF_PALETTE_H
#define FF_PALETTE_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ff_palette_scheme {
	FF_PAL_HOT,
	FF_PAL_MEM,
	FF_PAL_IO,
	FF_PAL_WAKEUP,
	FF_PAL_CHAIN,
	FF_PAL_JAVA,
	FF_PAL_JS,
	FF_PAL_PERL,
	FF_PAL_RED,
	FF_PAL_GREEN,
	FF_PAL_BLUE,
	FF_PAL_AQUA,
	FF_PAL_YELLOW,
	FF_PAL_PURPLE,
	FF_PAL_ORANGE
} ff_palette_scheme;

typedef enum ff_palette_vary {
	FF_VARY_NAME,
	FF_VARY_HASH,
	FF_VARY_RANDOM
} ff_palette_vary;

typedef struct ff_rgb {
	unsigned char r, g, b;
} ff_rgb;

/* Scheme by its --colors name; FF_ERR_USAGE (message lists the choices)
 * when unknown. */
ff_rc ff_palette_scheme_parse(const char *name, ff_palette_scheme *out,
    ff_err *err) FF_WUR;
const char *ff_palette_scheme_name(ff_palette_scheme s);

/* The two background gradient colours ("#rrggbb") for --bgcolors `bg`:
 * yellow, blue, green, grey or a flat "#rrggbb"; NULL or "" picks the
 * scheme's default as flamegraph.pl does.  FF_ERR_USAGE when unknown. */
ff_rc ff_palette_background(const char *bg, ff_palette_scheme s,
    char c1[8], char c2[8], ff_err *err) FF_WUR;

/* ---- name-keyed colours ------------------------------------------------ */

typedef struct ff_palette_map ff_palette_map;

/* A colour chooser.  Caller-owned; ff_palette_init cannot fail.  `seed`
 * only matters for FF_VARY_RANDOM.  `map` (borrowed, may be NULL) makes
 * colours consistent through a palette file: names found there keep their
 * colour, new ones are added to it. */
typedef struct ff_palette {
	ff_palette_scheme scheme;
	ff_palette_vary vary;
	uint64_t rng;              /* drand48 state for FF_VARY_RANDOM */
	ff_palette_map *map;
} ff_palette;

void ff_palette_init(ff_palette *p, ff_palette_scheme scheme,
    ff_palette_vary vary, uint32_t seed, ff_palette_map *map);

/* The colour of frame name[0..len) (annotations such as "_[k]" included:
 * the java, js, perl and chain schemes read them).  FF_ERR_NOMEM when the
 * map cannot grow (*out is still set). */
ff_rc ff_palette_pick(ff_palette *p, const char *name, size_t len,
    ff_rgb *out) FF_WUR;

/* The colour without a map or random state (FF_VARY_RANDOM is treated as
 * FF_VARY_NAME).  Pure. */
ff_rgb ff_palette_color(ff_palette_scheme s, ff_palette_vary v,
    const char *name, size_t len);

/* flamegraph.pl's namehash() of s[0..len), in [0, 1]. */
double ff_palette_namehash(const char *s, size_t len, int reversed);

/* Perl's srand(seed); rand(1): drand48 seeded with a 32-bit value. */
double ff_palette_seeded(uint32_t seed);

/* ---- scales ---------------------------------------------------------- */

/* Differential: value is the change, max the largest change (> 0).
 * Positive is red, negative blue (swapped when negate); white for 0. */
ff_rgb ff_palette_diff(double value, double max, int negate);

/* t in [0, 1] (clamped) on the blue - violet - red ramp. */
ff_rgb ff_palette_ramp(double t);

/* Cycles per instruction on a logarithmic axis from lo (blue) to hi
 * (red), clamped; NaN or infinite (no instructions) is grey. */
ff_rgb ff_palette_cpi(double cpi, double lo, double hi);

/* A ratio in [0, 1] (stall cycles / cycles), linear, clamped. */
ff_rgb ff_palette_ratio(double ratio);

/* ---- palette files (--cp, --palette-file) -------------------------------
 *
 * flamegraph.pl's palette.map: one "NAME->rgb(R,G,B)" per line, written
 * sorted by name.  Lines that do not parse are ignored when reading. */

ff_palette_map *ff_palette_map_new(void);
void ff_palette_map_free(ff_palette_map *m);

/* Read path into m; a missing file is not an error (nothing is read). */
ff_rc ff_palette_map_load(ff_palette_map *m, const char *path, ff_err *err)
	FF_WUR;

/* Write every entry to path (replacing it). */
ff_rc ff_palette_map_save(const ff_palette_map *m, const char *path,
    ff_err *err) FF_WUR;

/* 1 and *out when name is in m. */
int ff_palette_map_get(const ff_palette_map *m, const char *name, size_t len,
    ff_rgb *out);

/* Set the colour of name (added when new).  FF_ERR_NOMEM, FF_ERR_LIMIT. */
ff_rc ff_palette_map_put(ff_palette_map *m, const char *name, size_t len,
    ff_rgb c) FF_WUR;

uint32_t ff_palette_map_count(const ff_palette_map *m);

#endif
