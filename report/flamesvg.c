/*
 * flamesvg.c -- SVG output of a flame graph (see flamesvg.h).
 *
 * Geometry follows flamegraph.pl exactly: with W the image width, fh the
 * frame height and fs the font size,
 *
 *   ypad1 = 3 fs (top, title), ypad2 = 2 fs + 10 (bottom, details line),
 *   ypad3 = 2 fs (subtitle), xpad = 10, framepad = 1
 *   height = (maxdepth + 1) fh + ypad1 + ypad2 [+ ypad3]
 *   x1 = xpad + start * (W - 2 xpad) / timemax, x2 likewise for the end
 *   y1 = height - ypad2 - (depth + 1) fh + framepad,
 *   y2 = height - ypad2 - depth fh            (inverted: from ypad1 down)
 *
 * and x and width are rounded as flamegraph.pl's "%0.1f" rounds them.
 */
#include "report/flamesvg.h"
#include "report/flamejs.h"
#include "report/obuf.h"
#include "report/xml.h"

#include "profile/mem.h"

#include <math.h>
#include <string.h>

void
ff_flamesvg_opts_init(ff_flamesvg_opts *o)
{
	memset(o, 0, sizeof *o);
	o->mode = FF_FLAME_PLAIN;
	o->frame_height = 16;
	o->font_size = 12;
	o->font_width = 0.59;
	o->factor = 1;
	o->title = "Flame Graph";
	o->nametype = "Function:";
	o->countname = "samples";
	o->fonttype = "Verdana";
	o->cpi_lo = 0.5;
	o->cpi_hi = 4;
	o->cpi_change = 1.5;
	o->id = "ffg";
}

/* Everything the writer needs, computed once. */
struct svgw {
	ff_obuf *b;
	const ff_flame *f;
	const ff_flamesvg_opts *o;
	const ff_intern *names;
	ff_palette *pal;
	double W, H, fh, fs, ypad1, ypad2;
	double timemax, wpt;      /* 100% count, pixels per count */
	double scale;             /* timemax * factor */
	uint64_t maxdelta;        /* for the differential colours */
	char bg1[8], bg2[8];
};

static int
valid_id(const char *id)
{
	size_t i;

	if (id == NULL || !((id[0] >= 'A' && id[0] <= 'Z') ||
	    (id[0] >= 'a' && id[0] <= 'z')) || strlen(id) > 64)
		return 0;
	for (i = 1; id[i] != '\0'; i++)
		if (!((id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
		    id[i] == '-'))
			return 0;
	return 1;
}

static int
has_text(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static void
put_text(ff_obuf *b, const char *s)
{
	ff_xml_text(b, s, strlen(s));
}

/* Attribute name="escaped value" with a leading space. */
static void
put_attr(ff_obuf *b, const char *name, const char *value)
{
	ff_obuf_char(b, ' ');
	ff_obuf_str(b, name);
	ff_obuf_str(b, "=\"");
	put_text(b, value);
	ff_obuf_char(b, '"');
}

static void
put_num_attr(ff_obuf *b, const char *name, double v, int digits)
{
	ff_obuf_char(b, ' ');
	ff_obuf_str(b, name);
	ff_obuf_str(b, "=\"");
	ff_obuf_num(b, v, digits);
	ff_obuf_char(b, '"');
}

static void
put_rgb(ff_obuf *b, ff_rgb c)
{
	static const char hex[] = "0123456789abcdef";
	char s[7];

	s[0] = '#';
	s[1] = hex[c.r >> 4];
	s[2] = hex[c.r & 15];
	s[3] = hex[c.g >> 4];
	s[4] = hex[c.g & 15];
	s[5] = hex[c.b >> 4];
	s[6] = hex[c.b & 15];
	ff_obuf_mem(b, s, 7);
}

/* ---- document head ---------------------------------------------------- */

static void
write_svg_open(struct svgw *w, double height)
{
	ff_obuf *b = w->b;
	const ff_flamesvg_opts *o = w->o;

	if (!o->fragment)
		ff_obuf_str(b, "<?xml version=\"1.0\" standalone=\"no\"?>\n");
	ff_obuf_str(b, "<svg version=\"1.1\"");
	put_num_attr(b, "width", w->W, 2);
	put_num_attr(b, "height", height, 2);
	ff_obuf_str(b, " viewBox=\"0 0 ");
	ff_obuf_num(b, w->W, 2);
	ff_obuf_char(b, ' ');
	ff_obuf_num(b, height, 2);
	ff_obuf_str(b, "\" xmlns=\"http://www.w3.org/2000/svg\"");
	put_attr(b, "id", o->id);
	ff_obuf_str(b, " class=\"ffg\"");
	put_attr(b, "font-family", has_text(o->fonttype) ? o->fonttype :
	    "Verdana");
	put_num_attr(b, "font-size", w->fs, 2);
}

static void
write_data_attrs(struct svgw *w)
{
	ff_obuf *b = w->b;
	const ff_flamesvg_opts *o = w->o;

	put_attr(b, "data-nametype", has_text(o->nametype) ? o->nametype :
	    "Function:");
	put_num_attr(b, "data-fs", w->fs, 3);
	put_num_attr(b, "data-fw", o->font_width, 4);
	put_num_attr(b, "data-w", w->W, 2);
	if (o->inverted)
		ff_obuf_str(b, " data-inv=\"1\"");
	if (o->fragment) {
		ff_obuf_str(b, " data-k=\"");
		put_text(b, o->id);
		ff_obuf_str(b, ".\"");
	}
	ff_obuf_str(b, ">\n");
}

static void
write_gradient(struct svgw *w, const char *suffix, int horizontal,
    const char *c1, const char *o1, const char *c2, const char *o2)
{
	ff_obuf *b = w->b;

	ff_obuf_str(b, "<linearGradient id=\"");
	put_text(b, w->o->id);
	ff_obuf_str(b, suffix);
	ff_obuf_str(b, horizontal ? "\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">" :
	    "\" x1=\"0\" x2=\"0\" y1=\"0\" y2=\"1\">");
	ff_obuf_printf(b, "<stop stop-color=\"%s\" offset=\"%s\"/>", c1, o1);
	if (c2 != NULL)
		ff_obuf_printf(b, "<stop stop-color=\"%s\" offset=\"%s\"/>",
		    c2, o2);
}

static void
write_defs(struct svgw *w)
{
	ff_obuf *b = w->b;
	int ramp = w->o->mode == FF_FLAME_CPI || w->o->mode == FF_FLAME_STALL;
	int diverging = w->o->mode == FF_FLAME_CPIDIFF;

	ff_obuf_str(b, "<defs>");
	write_gradient(w, "-bg", 0, w->bg1, "5%", w->bg2, "95%");
	ff_obuf_str(b, "</linearGradient>");
	if (ramp || diverging) {
		ff_rgb c[3] = { ff_palette_ramp(0), ff_palette_ramp(0.5),
		    ff_palette_ramp(1) };
		char h[3][8];
		int i;

		if (diverging) {
			c[0] = ff_palette_diff(-1, 1, 0);
			c[1] = ff_palette_diff(0, 1, 0);
			c[2] = ff_palette_diff(1, 1, 0);
		}
		for (i = 0; i < 3; i++)
			snprintf(h[i], sizeof h[i], "#%02x%02x%02x", c[i].r,
			    c[i].g, c[i].b);
		write_gradient(w, "-ramp", 1, h[0], "0", h[1], "0.5");
		ff_obuf_printf(b, "<stop stop-color=\"%s\" offset=\"1\"/>",
		    h[2]);
		ff_obuf_str(b, "</linearGradient>");
	}
	ff_obuf_str(b, "</defs>\n");
}

static void
write_style(struct svgw *w)
{
	static const char *const rules[] = {
		" .fr>g{cursor:pointer}",
		" .fr>g:hover>rect{stroke:#000;stroke-width:.5}",
		" .fr rect{rx:2px;ry:2px}",
		" .fr text{pointer-events:none}",
		" .ti{text-anchor:middle}",
		" .st{text-anchor:middle;fill:#a0a0a0}",
		" .sb,#@ .ic{opacity:.1;cursor:pointer}",
		" .sb:hover,#@ .sb.show,#@ .ic:hover,#@ .ic.show{opacity:1}",
		" .uz{cursor:pointer}",
		" .hide{display:none}",
		" .pa{opacity:.5}",
	};
	ff_obuf *b = w->b;
	size_t i;
	const char *p;

	ff_obuf_str(b, "<style>");
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		ff_obuf_char(b, '#');
		ff_obuf_str(b, w->o->id);
		for (p = rules[i]; *p != '\0'; p++)
			if (*p == '@')
				ff_obuf_str(b, w->o->id);
			else
				ff_obuf_char(b, *p);
		ff_obuf_char(b, '\n');
	}
	ff_obuf_printf(b, "#%s .ti{font-size:", w->o->id);
	ff_obuf_num(b, w->fs + 5, 2);
	ff_obuf_str(b, "px}</style>\n");
}

static void
write_head(struct svgw *w)
{
	write_svg_open(w, w->H);
	write_data_attrs(w);
	if (w->o->notes != NULL) {
		ff_obuf_str(w->b, "<!-- NOTES: ");
		ff_xml_comment(w->b, w->o->notes, strlen(w->o->notes));
		ff_obuf_str(w->b, " -->\n");
	}
	write_defs(w);
	write_style(w);
}

/* ---- fixed text ------------------------------------------------------- */

/* <text class="cls" x y>text</text> */
static void
write_text(struct svgw *w, const char *cls, double x, double y,
    const char *text)
{
	ff_obuf *b = w->b;

	ff_obuf_str(b, "<text class=\"");
	ff_obuf_str(b, cls);
	ff_obuf_char(b, '"');
	put_num_attr(b, "x", x, 2);
	put_num_attr(b, "y", y, 2);
	ff_obuf_char(b, '>');
	put_text(b, text);
	ff_obuf_str(b, "</text>\n");
}

static void
write_legend(struct svgw *w)
{
	const ff_flamesvg_opts *o = w->o;
	ff_obuf *b = w->b;
	double y = w->fs * 2, x = FF_FLAME_XPAD + 100, cw = w->fs *
	    o->font_width, bar = 120;
	char lo[64], hi[64];

	if (o->mode == FF_FLAME_CPI) {
		snprintf(lo, sizeof lo, "CPI %g", o->cpi_lo);
		snprintf(hi, sizeof hi, "%g", o->cpi_hi);
	} else if (o->mode == FF_FLAME_CPIDIFF) {
		snprintf(lo, sizeof lo, "CPI %+.0f%%",
		    100 * (1 / o->cpi_change - 1));
		snprintf(hi, sizeof hi, "%+.0f%%", 100 * (o->cpi_change - 1));
	} else {
		snprintf(lo, sizeof lo, "stall 0%%");
		snprintf(hi, sizeof hi, "100%%");
	}
	ff_obuf_str(b, "<g class=\"lg\">");
	write_text(w, "lt", x, y, lo);
	x += cw * (double)strlen(lo) + 6;
	ff_obuf_str(b, "<rect");
	put_num_attr(b, "x", x, 2);
	put_num_attr(b, "y", y - w->fs * 0.75, 2);
	put_num_attr(b, "width", bar, 2);
	put_num_attr(b, "height", w->fs * 0.75, 2);
	ff_obuf_printf(b, " fill=\"url(#%s-ramp)\"/>", o->id);
	write_text(w, "lt", x + bar + 6, y, hi);
	ff_obuf_str(b, "</g>\n");
}

static void
write_chrome(struct svgw *w)
{
	const ff_flamesvg_opts *o = w->o;
	ff_obuf *b = w->b;
	double top = w->fs * 2, bottom = w->H - w->ypad2 / 2;

	ff_obuf_str(b, "<rect");
	put_num_attr(b, "width", w->W, 2);
	put_num_attr(b, "height", w->H, 2);
	ff_obuf_printf(b, " fill=\"url(#%s-bg)\"/>\n", o->id);
	write_text(w, "ti", floor(w->W / 2), top,
	    has_text(o->title) ? o->title : "Flame Graph");
	if (has_text(o->subtitle))
		write_text(w, "st", floor(w->W / 2), w->fs * 4, o->subtitle);
	write_text(w, "dt", FF_FLAME_XPAD, bottom, " ");
	write_text(w, "uz hide", FF_FLAME_XPAD, top, "Reset Zoom");
	write_text(w, "sb", w->W - FF_FLAME_XPAD - 100, top, "Search");
	write_text(w, "ic", w->W - FF_FLAME_XPAD - 16, top, "ic");
	write_text(w, "mt", w->W - FF_FLAME_XPAD - 100, bottom, " ");
	if (o->mode == FF_FLAME_CPI || o->mode == FF_FLAME_STALL ||
	    o->mode == FF_FLAME_CPIDIFF)
		write_legend(w);
}

/* ---- frames ----------------------------------------------------------- */

/* The length of name without a trailing annotation (_[k], _[w], _[i],
 * _[j]), which flamegraph.pl strips from titles and labels. */
static size_t
strip_annotation(const char *name, size_t len)
{
	if (len >= 4 && name[len - 4] == '_' && name[len - 3] == '[' &&
	    strchr("kwij", name[len - 2]) != NULL && name[len - 2] != '\0' &&
	    name[len - 1] == ']')
		return len - 4;
	return len;
}

/* A count times the factor, rounded as "%.0f". */
static double
scaled_count(const struct svgw *w, double count)
{
	return nearbyint(count * w->o->factor);
}

static void
put_count(ff_obuf *b, double v)
{
	if (v >= 0 && v < 1.8e19)
		ff_obuf_u64_grouped(b, (uint64_t)v);
	else
		ff_obuf_printf(b, "%.0f", v);
}

/* "+12.34" / "-0.50" / "0.00": a percentage as flamegraph.pl's deltas. */
static void
put_signed_pct(ff_obuf *b, double pct, int positive)
{
	if (positive)
		ff_obuf_char(b, '+');
	ff_obuf_fixed_double(b, pct, 2);
}

/* The second title line of differential graphs. */
static void
title_diff(struct svgw *w, const ff_flame_frame *fr)
{
	ff_obuf *b = w->b;
	double before = (double)(w->o->negate ? fr->w : fr->o);
	double after = (double)(w->o->negate ? fr->o : fr->w);
	double d = after - before;

	ff_obuf_str(b, "\nbefore ");
	put_count(b, scaled_count(w, before));
	ff_obuf_str(b, ", after ");
	put_count(b, scaled_count(w, after));
	ff_obuf_str(b, ": ");
	ff_obuf_char(b, d < 0 ? '-' : '+');
	put_count(b, scaled_count(w, fabs(d)));
	ff_obuf_str(b, " (");
	if (before > 0) {
		put_signed_pct(b, 100 * d / before, d > 0);
		ff_obuf_str(b, "%)");
	} else {
		ff_obuf_str(b, d > 0 ? "new)" : "none)");
	}
}

/* The second title line of CPI and stall-ratio graphs. */
static void
title_cpi(struct svgw *w, const ff_flame_frame *fr)
{
	ff_obuf *b = w->b;

	if (w->o->mode == FF_FLAME_CPIDIFF) {
		ff_obuf_str(b, "\nCPI ");
		if (fr->o > 0) {
			double r = (double)fr->w / (double)fr->o;

			put_signed_pct(b, 100 * (r - 1), r > 1);
			ff_obuf_str(b, "% against the base build");
		} else {
			ff_obuf_str(b, "n/a");
		}
	} else if (w->o->mode == FF_FLAME_CPI) {
		ff_obuf_str(b, "\ninstructions ");
		put_count(b, (double)fr->o);
		ff_obuf_str(b, ", CPI ");
		if (fr->o > 0)
			ff_obuf_fixed_double(b, (double)fr->w /
			    (double)fr->o, 2);
		else
			ff_obuf_str(b, "n/a");
	} else {
		ff_obuf_str(b, "\nstall cycles ");
		put_count(b, (double)fr->o);
		ff_obuf_str(b, " (");
		ff_obuf_fixed_double(b, fr->w > 0 ?
		    100 * (double)fr->o / (double)fr->w : 0, 2);
		ff_obuf_str(b, "% of cycles)");
	}
}

static void
write_title(struct svgw *w, const ff_flame_frame *fr, const char *name,
    size_t len)
{
	const ff_flamesvg_opts *o = w->o;
	ff_obuf *b = w->b;
	double samples;

	ff_obuf_str(b, "<title>");
	if (fr->depth == 0) {
		samples = scaled_count(w, w->timemax);
		ff_obuf_str(b, "all (");
		put_count(b, samples);
		ff_obuf_char(b, ' ');
		put_text(b, o->countname);
		ff_obuf_str(b, ", 100%)");
	} else {
		samples = scaled_count(w, (double)fr->w);
		ff_xml_text(b, name, strip_annotation(name, len));
		ff_obuf_str(b, " (");
		put_count(b, samples);
		ff_obuf_char(b, ' ');
		put_text(b, o->countname);
		ff_obuf_str(b, ", ");
		ff_obuf_fixed_double(b, 100 * samples / w->scale, 2);
		ff_obuf_char(b, '%');
		if (o->mode == FF_FLAME_DIFF) {
			int64_t d = o->negate ? -fr->sd : fr->sd;

			ff_obuf_str(b, "; ");
			put_signed_pct(b, 100 * (double)d / w->scale, d > 0);
			ff_obuf_char(b, '%');
		}
		ff_obuf_char(b, ')');
	}
	if (o->mode == FF_FLAME_DIFF)
		title_diff(w, fr);
	else if (o->mode != FF_FLAME_PLAIN)
		title_cpi(w, fr);
	ff_obuf_str(b, "</title>");
}

static ff_rc
frame_color(struct svgw *w, const ff_flame_frame *fr, const char *name,
    size_t len, ff_rgb *c)
{
	const ff_flamesvg_opts *o = w->o;
	static const ff_rgb grey = { 160, 160, 160 }, light = { 200, 200, 200 };

	if (len == 2 && name[0] == '-' && name[1] == '-') {
		*c = grey;
	} else if (len == 1 && name[0] == '-') {
		*c = light;
	} else if (o->mode == FF_FLAME_DIFF) {
		double v = o->diff_inclusive ? (double)fr->w - (double)fr->o :
		    (double)fr->sd;

		*c = ff_palette_diff(v, (double)w->maxdelta, o->negate);
	} else if (o->mode == FF_FLAME_CPI) {
		*c = ff_palette_cpi(fr->o > 0 ? (double)fr->w / (double)fr->o :
		    INFINITY, o->cpi_lo, o->cpi_hi);
	} else if (o->mode == FF_FLAME_STALL) {
		*c = ff_palette_ratio(fr->w > 0 ? (double)fr->o /
		    (double)fr->w : NAN);
	} else if (o->mode == FF_FLAME_CPIDIFF) {
		double r = fr->o > 0 && fr->w > 0 ? (double)fr->w /
		    (double)fr->o : 1;

		*c = ff_palette_diff(log(r), log(o->cpi_change), 0);
	} else {
		return ff_palette_pick(w->pal, name, len, c);
	}
	return FF_OK;
}

/* The label: as many characters as fit, the last two replaced by "..". */
static void
write_label(struct svgw *w, const char *name, size_t len, int root,
    double x1, double x2, double y1, double y2)
{
	ff_obuf *b = w->b;
	double fit = floor((x2 - x1) / (w->fs * w->o->font_width));
	size_t chars, have, keep;

	if (!(fit >= 3))
		return;
	if (root) {
		name = "all";
		len = 3;
	}
	len = strip_annotation(name, len);
	chars = fit > 1e9 ? (size_t)1e9 : (size_t)fit;
	have = ff_xml_chars(name, len);
	if (have == 0)
		return;
	ff_obuf_str(b, "<text");
	put_num_attr(b, "x", x1 + 3, 1);
	put_num_attr(b, "y", 3 + (y1 + y2) / 2, 2);
	ff_obuf_char(b, '>');
	keep = chars < have ? ff_xml_prefix(name, len, chars - 2) : len;
	ff_xml_text(b, name, keep);
	if (chars < have)
		ff_obuf_str(b, "..");
	ff_obuf_str(b, "</text>");
}

static ff_rc
write_frame(struct svgw *w, const ff_flame_frame *fr)
{
	ff_obuf *b = w->b;
	const char *name = "";
	size_t len = 0;
	double end, x1, x2, y1, y2;
	int64_t t1, t2;
	ff_rgb c;
	ff_rc rc;

	if (fr->depth > 0)
		name = ff_intern_str(w->names, fr->name, &len);
	end = fr->depth == 0 ? w->timemax : (double)(fr->x + fr->w);
	x1 = FF_FLAME_XPAD + (double)fr->x * w->wpt;
	x2 = FF_FLAME_XPAD + end * w->wpt;
	if (!w->o->inverted) {
		y1 = w->H - w->ypad2 - (fr->depth + 1) * w->fh + 1;
		y2 = w->H - w->ypad2 - fr->depth * w->fh;
	} else {
		y1 = w->ypad1 + fr->depth * w->fh;
		y2 = w->ypad1 + (fr->depth + 1) * w->fh - 1;
	}
	if ((rc = frame_color(w, fr, name, len, &c)) != FF_OK)
		return rc;
	ff_obuf_str(b, "<g>");
	write_title(w, fr, name, len);
	t1 = ff_obuf_round_fixed(x1, 1);
	t2 = ff_obuf_round_fixed(x2, 1);
	ff_obuf_str(b, "<rect x=\"");
	ff_obuf_tenths(b, t1);
	ff_obuf_str(b, "\" y=\"");
	ff_obuf_num(b, y1, 2);
	ff_obuf_str(b, "\" width=\"");
	ff_obuf_tenths(b, t2 - t1);
	ff_obuf_str(b, "\" height=\"");
	ff_obuf_num(b, y2 - y1, 1);
	ff_obuf_str(b, "\" fill=\"");
	put_rgb(b, c);
	ff_obuf_str(b, "\"/>");
	write_label(w, name, len, fr->depth == 0, x1, x2, y1, y2);
	ff_obuf_str(b, "</g>\n");
	return FF_OK;
}

/* The largest inclusive change of a non-root frame, for
 * --diff-inclusive. */
static uint64_t
max_inclusive_delta(const ff_flame_frame *fr, size_t n)
{
	uint64_t max = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t d = fr[i].w > fr[i].o ? fr[i].w - fr[i].o :
		    fr[i].o - fr[i].w;

		if (fr[i].depth > 0 && d > max)
			max = d;
	}
	return max;
}

static ff_rc
write_frames(struct svgw *w)
{
	size_t n, i;
	const ff_flame_frame *fr = ff_flame_frames(w->f, &n);
	ff_rc rc;

	w->maxdelta = w->o->diff_inclusive ? max_inclusive_delta(fr, n) :
	    ff_flame_max_delta(w->f);
	ff_obuf_str(w->b, "<g class=\"fr\">\n");
	for (i = 0; i < n; i++)
		if ((rc = write_frame(w, &fr[i])) != FF_OK)
			return rc;
	ff_obuf_str(w->b, "</g>\n");
	return FF_OK;
}

static void
write_tail(struct svgw *w)
{
	if (!w->o->no_script) {
		ff_obuf_str(w->b, "<script><![CDATA[\n");
		ff_obuf_str(w->b, ff_flamejs_source());
		ff_obuf_str(w->b, "]]></script>\n");
	}
	ff_obuf_str(w->b, "</svg>\n");
}

/* ---- entry points ----------------------------------------------------- */

static ff_rc
svgw_init(struct svgw *w, const ff_flame *f, const ff_flamesvg_opts *o,
    double width, ff_palette *fallback, ff_err *err)
{
	const ff_palette_scheme scheme = o->palette != NULL ?
	    o->palette->scheme : FF_PAL_HOT;
	ff_rc rc;

	memset(w, 0, sizeof *w);
	if (!valid_id(o->id))
		return ff_err_set(err, FF_ERR_USAGE, "invalid graph id '%.64s' "
		    "(letters, digits, '-' and '_', starting with a letter)",
		    o->id != NULL ? o->id : "(null)");
	if (!(o->frame_height > 1) || !(o->font_size > 0) ||
	    !(o->font_width > 0) || !(o->factor > 0))
		return ff_err_set(err, FF_ERR_USAGE, "frame height, font size, "
		    "font width and factor must be positive");
	rc = ff_palette_background(o->bgcolors, scheme, w->bg1, w->bg2, err);
	if (rc != FF_OK)
		return rc;
	w->f = f;
	w->o = o;
	w->W = width;
	w->fh = o->frame_height;
	w->fs = o->font_size;
	w->ypad1 = o->font_size * 3;
	w->ypad2 = o->font_size * 2 + 10;
	if (o->palette != NULL) {
		w->pal = o->palette;
	} else {
		ff_palette_init(fallback, FF_PAL_HOT, FF_VARY_NAME, 0, NULL);
		w->pal = fallback;
	}
	if ((w->b = ff_malloc(sizeof *w->b)) == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

ff_rc
ff_flamesvg_write(const ff_flame *f, const ff_flamesvg_opts *o, FILE *out,
    ff_err *err)
{
	const ff_flame_layout *lo = ff_flame_get_layout(f);
	ff_palette fallback;
	struct svgw w;
	ff_rc rc;

	if (ff_flame_total(f) == 0)
		return ff_flamesvg_write_empty(o, lo->image_width, out, err);
	if ((rc = svgw_init(&w, f, o, lo->image_width, &fallback, err)) !=
	    FF_OK)
		return rc;
	ff_obuf_init(w.b, out);
	w.names = ff_flame_names(f);
	w.timemax = ff_flame_timemax(f);
	w.wpt = (w.W - 2 * FF_FLAME_XPAD) / w.timemax;
	w.scale = w.timemax * o->factor;
	w.H = (ff_flame_max_depth(f) + 1) * w.fh + w.ypad1 + w.ypad2;
	if (has_text(o->subtitle))
		w.H += o->font_size * 2;
	write_head(&w);
	write_chrome(&w);
	rc = write_frames(&w);
	if (rc == FF_OK) {
		write_tail(&w);
		rc = ff_obuf_flush(w.b, err);
	} else {
		rc = ff_err_nomem(err);
	}
	ff_free(w.b);
	return rc;
}

ff_rc
ff_flamesvg_write_empty(const ff_flamesvg_opts *o, double width, FILE *out,
    ff_err *err)
{
	ff_palette fallback;
	struct svgw w;
	ff_rc rc;

	if ((rc = svgw_init(&w, NULL, o, width, &fallback, err)) != FF_OK)
		return rc;
	ff_obuf_init(w.b, out);
	write_svg_open(&w, o->font_size * 5);
	ff_obuf_str(w.b, ">\n<text");
	put_num_attr(w.b, "x", floor(width / 2), 2);
	put_num_attr(w.b, "y", o->font_size * 2, 2);
	ff_obuf_str(w.b, ">ERROR: No valid input provided to flamegraph.pl."
	    "</text>\n</svg>\n");
	rc = ff_obuf_flush(w.b, err);
	ff_free(w.b);
	return rc;
}
