/*
 * flamesvg.h -- writing a laid-out flame graph as an interactive SVG.
 *
 * The picture is flamegraph.pl's: the same frames at the same coordinates
 * (x, width rounded to 0.1 px the same way), the same <title> text
 * "NAME (N samples, P%)" (with "; +D%" for differential input), the same
 * label truncation with "..", title, details line and buttons.  The markup
 * is smaller: CSS classes instead of repeated attributes, hex colours, no
 * empty labels.  Beyond flamegraph.pl, differential, CPI and stall-ratio
 * graphs add a second line to each frame's <title> with both counts and
 * the change (or cycles, instructions and CPI), and CPI graphs a legend.
 *
 * Every name is escaped (report/xml.h); the JavaScript is inline, loads
 * nothing, and is the same text for every graph (report/flamejs.h), so a
 * page's Content-Security-Policy can allow it by hash.
 *
 * Embedding several graphs in one HTML page: set `fragment` (no XML
 * declaration: an <svg> element to paste into HTML) and a distinct `id`
 * per graph.  Every id, CSS rule and URL parameter of a graph is derived
 * from its id, so graphs never clash.  Set `no_script` on all of them and
 * write ff_flamejs_source() once in a <script> after them, or leave the
 * script in each (it initialises every graph once, either way).
 */
#ifndef FF_FLAMESVG_H
#define FF_FLAMESVG_H

#include "report/flame.h"
#include "report/palette.h"

#include "profile/err.h"

#include <stdio.h>

/* What the counts mean. */
typedef enum ff_flame_mode {
	FF_FLAME_PLAIN,  /* one column */
	FF_FLAME_DIFF,   /* before, after: width = after, colour = change */
	FF_FLAME_CPI,    /* cycles, instructions: width = cycles,
	                  * colour = cycles per instruction */
	FF_FLAME_STALL,  /* stall cycles, cycles: width = cycles,
	                  * colour = stall cycles / cycles */
	FF_FLAME_CPIDIFF /* cycles, cycles at the base's CPI (instructions
	                  * times the base CPI of the same stack): width =
	                  * cycles, colour = CPI now / CPI before, blue (fell)
	                  * to white (same) to red (rose), on a log scale
	                  * clamped at 1/cpi_change and cpi_change */
} ff_flame_mode;

typedef struct ff_flamesvg_opts {
	ff_flame_mode mode;
	int inverted;             /* icicle graph: root at the top */
	double frame_height;      /* pixels per frame (16) */
	double font_size;         /* 12 */
	double font_width;        /* average glyph width / font size (0.59) */
	double factor;            /* counts are multiplied by it (1) */
	const char *title;        /* "Flame Graph" */
	const char *subtitle;     /* NULL or "" = none */
	const char *nametype;     /* "Function:" (details line) */
	const char *countname;    /* "samples" */
	const char *notes;        /* XML comment; NULL = none */
	const char *fonttype;     /* "Verdana" */
	const char *bgcolors;     /* --bgcolors; NULL = the scheme's default */
	ff_palette *palette;      /* borrowed; NULL = hot, keyed by name */
	int negate;               /* swap differential hues and signs */
	int diff_inclusive;       /* colour by inclusive change */
	double cpi_lo, cpi_hi;    /* CPI colour range (0.5, 4) */
	double cpi_change;        /* CPIDIFF: the reddest ratio (1.5) */
	/* Output form. */
	int fragment;             /* an <svg> element for inlining in HTML */
	const char *id;           /* the <svg> element's id, prefix of every
	                           * other id ("ffg"): [A-Za-z][A-Za-z0-9_-]* */
	int no_script;            /* leave the JavaScript out */
} ff_flamesvg_opts;

/* flamegraph.pl's defaults (strings are static). */
void ff_flamesvg_opts_init(ff_flamesvg_opts *o);

/* Write the finished layout f as SVG to out.  Nothing is closed.
 * FF_ERR_USAGE for bad options (e.g. an invalid id), FF_ERR_IO,
 * FF_ERR_NOMEM (palette map).  A layout with a zero total is written as
 * the error picture (see below) and is not an error here. */
ff_rc ff_flamesvg_write(const ff_flame *f, const ff_flamesvg_opts *o,
    FILE *out, ff_err *err) FF_WUR;

/* flamegraph.pl's picture for empty input: a small SVG that says
 * "ERROR: No valid input provided to flamegraph.pl.", `width` wide. */
ff_rc ff_flamesvg_write_empty(const ff_flamesvg_opts *o, double width,
    FILE *out, ff_err *err) FF_WUR;

#endif
