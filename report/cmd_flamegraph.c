/*
 * cmd_flamegraph.c -- `ffreport flamegraph`: options in, SVG out.
 *
 * Option names and meanings are flamegraph.pl's, so scripts written for
 * it keep working; the rendering is report/flamegraph.h's.
 */
#include "report/reportcmd.h"
#include "report/flamegraph.h"
#include "report/palette.h"

#include "profile/diag.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	EXIT_RUNTIME = 1,   /* I/O or memory */
	EXIT_INPUT = 2      /* usage, malformed input (--strict), no input */
};

static const char PROG[] = "ffreport flamegraph";

static const char usage_text[] =
"usage: ffreport flamegraph [OPTIONS] [FILE...|-] > graph.svg\n"
"\n"
"Render folded stacks (\"root;...;leaf COUNT\", one per line) as an\n"
"interactive SVG flame graph, like flamegraph.pl.  With no FILE, or \"-\",\n"
"standard input is read; several FILEs are one input.  zstd-compressed\n"
"files and flamefleet profile files (.ffp) are read as they are.\n"
"A line with two counts makes a differential graph (see below).\n"
"\n"
"Options from flamegraph.pl:\n"
"  --title TEXT       title (Flame Graph; Icicle Graph with --inverted,\n"
"                     Flame Chart with --flamechart)\n"
"  --subtitle TEXT    second title line\n"
"  --width NUM        image width in pixels (1200)\n"
"  --height NUM       frame height in pixels (16)\n"
"  --minwidth NUM     omit frames narrower than NUM pixels (0.1), or than\n"
"                     NUM percent of the total with NUM%\n"
"  --fonttype FONT    font family (Verdana)\n"
"  --fontsize NUM     font size (12)\n"
"  --fontwidth NUM    average glyph width relative to the font size,\n"
"                     used to fit labels (0.59)\n"
"  --countname TEXT   what the counts are (samples; cycles with --cpi\n"
"                     and --stall-ratio)\n"
"  --nametype TEXT    what the frames are, in the details line\n"
"                     (Function:)\n"
"  --colors PALETTE   hot (default), mem, io, wakeup, chain, java, js,\n"
"                     perl, red, green, blue, aqua, yellow, purple, orange\n"
"  --bgcolors COLOR   background: yellow, blue, green, grey (gradients) or\n"
"                     #rrggbb (flat); the default follows --colors\n"
"  --hash             shades from flamegraph.pl's name hash\n"
"  --random           random shades (see --deterministic)\n"
"                     (default: shades seeded by the name, so a function\n"
"                     has the same colour in every graph)\n"
"  --cp               consistent palette: reuse and update palette.map\n"
"  --reverse          reverse each stack (leaf at the bottom), then merge\n"
"  --inverted         icicle graph: root at the top\n"
"  --flamechart       keep input order (time order) instead of sorting\n"
"  --negate           differential: swap the hues and signs (for input\n"
"                     whose columns are after, before)\n"
"  --factor NUM       multiply counts by NUM in titles (1)\n"
"  --notes TEXT       put TEXT in an XML comment\n"
"  --total NUM        the count that is 100% wide, when larger than the\n"
"                     sum of the counts\n"
"\n"
"flamefleet options:\n"
"  --deterministic    byte-identical output for the same input: --random\n"
"                     shades come from a fixed seed\n"
"  --palette-file F   like --cp, with the palette file F\n"
"  --diff-inclusive   differential: colour by each frame's inclusive\n"
"                     change instead of its own (self) change\n"
"  --cpi              input 'stack CYCLES INSTRUCTIONS': width = cycles,\n"
"                     colour = cycles per instruction (see below)\n"
"  --cpi-range LO:HI  CPI of the bluest and reddest colour (0.5:4)\n"
"  --stall-ratio      input 'stack STALL_CYCLES CYCLES': width = cycles,\n"
"                     colour = stall cycles / cycles, 0 blue to 1 red\n"
"  --cpi-diff         input 'stack CYCLES BASE_CPI_CYCLES' (instructions\n"
"                     times the base build's CPI, as ffdiff --cpi writes\n"
"                     it): width = cycles, colour = CPI change, blue\n"
"                     (fell) - white - red (rose)\n"
"  --cpi-change X     --cpi-diff: the ratio of the reddest colour (1.5)\n"
"  --fragment         write an <svg> element to inline in an HTML page\n"
"  --id ID            the graph's element id, prefix of all its ids (ffg)\n"
"  --strict           a malformed line is an error (exit 2)\n"
"  -h, --help         this text\n"
"\n"
"Differential graphs: input 'stack BEFORE AFTER' (two profiles joined,\n"
"e.g. by `ffdiff A.folded B.folded`).  Widths are AFTER; a frame is red\n"
"when its own count grew, blue when it shrank, saturated relative to the\n"
"largest change.  Titles end with '; +D%' (the change as a share of the\n"
"total) and show both counts and the change on a second line.\n"
"\n"
"CPI graphs: colour is cycles per instruction on a logarithmic scale from\n"
"blue (CPI <= LO: instruction-bound, the pipeline is busy) through violet\n"
"(the geometric mean of LO and HI) to red (CPI >= HI: stall-bound, waiting\n"
"on memory or branches); frames without instructions are grey.  A legend\n"
"sits at the top; titles add instructions and the CPI.  To make the input:\n"
"  Linux perf:  perf record -e cycles -e instructions -c 1000003 -g -a \\\n"
"                 -- sleep 30\n"
"               perf script | ffagent collapse --format perf \\\n"
"                 --events cycles,instructions > cpi.folded\n"
"  FreeBSD:     pmcstat -S CPU_CLK_UNHALTED.THREAD_P -S INST_RETIRED.ANY_P\n"
"                 -O out.pmc sleep 30\n"
"               pmcstat -R out.pmc -G out.txt\n"
"               ffagent collapse --format pmc --events \\\n"
"                 CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P > cpi.folded\n"
"               (both events sampled at the same rate, so sample counts\n"
"               compare; give --periods otherwise)\n"
"  then:        ffreport flamegraph --cpi cpi.folded > cpi.svg\n"
"Stall-ratio graphs take the stall event first: perf events\n"
"cycle_activity.stalls_total,cycles (Intel) or stalled-cycles-backend,\n"
"cycles; pmcstat RESOURCE_STALLS.ANY,CPU_CLK_UNHALTED.THREAD_P.\n"
"\n"
"Exit status: 0 success, 1 I/O error, 2 usage error, malformed input with\n"
"--strict, or no stack counts (an SVG that says so is still written).\n";

enum {
	O_TITLE = 256, O_SUBTITLE, O_WIDTH, O_HEIGHT, O_MINWIDTH, O_FONTTYPE,
	O_FONTSIZE, O_FONTWIDTH, O_COUNTNAME, O_NAMETYPE, O_COLORS,
	O_BGCOLORS, O_HASH, O_RANDOM, O_CP, O_REVERSE, O_INVERTED,
	O_FLAMECHART, O_NEGATE, O_FACTOR, O_NOTES, O_TOTAL, O_DETERMINISTIC,
	O_PALETTE_FILE, O_DIFF_INCLUSIVE, O_CPI, O_CPI_RANGE, O_STALL,
	O_CPI_DIFF, O_CPI_CHANGE,
	O_FRAGMENT, O_ID, O_STRICT
};

static const struct option long_options[] = {
	{ "title", required_argument, NULL, O_TITLE },
	{ "subtitle", required_argument, NULL, O_SUBTITLE },
	{ "width", required_argument, NULL, O_WIDTH },
	{ "height", required_argument, NULL, O_HEIGHT },
	{ "minwidth", required_argument, NULL, O_MINWIDTH },
	{ "fonttype", required_argument, NULL, O_FONTTYPE },
	{ "fontsize", required_argument, NULL, O_FONTSIZE },
	{ "fontwidth", required_argument, NULL, O_FONTWIDTH },
	{ "countname", required_argument, NULL, O_COUNTNAME },
	{ "nametype", required_argument, NULL, O_NAMETYPE },
	{ "colors", required_argument, NULL, O_COLORS },
	{ "bgcolors", required_argument, NULL, O_BGCOLORS },
	{ "hash", no_argument, NULL, O_HASH },
	{ "random", no_argument, NULL, O_RANDOM },
	{ "cp", no_argument, NULL, O_CP },
	{ "reverse", no_argument, NULL, O_REVERSE },
	{ "inverted", no_argument, NULL, O_INVERTED },
	{ "flamechart", no_argument, NULL, O_FLAMECHART },
	{ "negate", no_argument, NULL, O_NEGATE },
	{ "factor", required_argument, NULL, O_FACTOR },
	{ "notes", required_argument, NULL, O_NOTES },
	{ "total", required_argument, NULL, O_TOTAL },
	{ "deterministic", no_argument, NULL, O_DETERMINISTIC },
	{ "palette-file", required_argument, NULL, O_PALETTE_FILE },
	{ "diff-inclusive", no_argument, NULL, O_DIFF_INCLUSIVE },
	{ "cpi", no_argument, NULL, O_CPI },
	{ "cpi-range", required_argument, NULL, O_CPI_RANGE },
	{ "stall-ratio", no_argument, NULL, O_STALL },
	{ "cpi-diff", no_argument, NULL, O_CPI_DIFF },
	{ "cpi-change", required_argument, NULL, O_CPI_CHANGE },
	{ "fragment", no_argument, NULL, O_FRAGMENT },
	{ "id", required_argument, NULL, O_ID },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Everything the command line says. */
struct args {
	ff_flamegraph_opts fg;
	ff_palette_scheme scheme;
	ff_palette_vary vary;
	int title_set, countname_set, deterministic, strict;
	const char *palette_file;     /* --cp / --palette-file */
	const char **files;
	size_t nfiles;
};

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", PROG);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see ffreport flamegraph --help)\n");
	return EXIT_INPUT;
}

/* A finite number, all of s.  0 on success. */
static int
parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end == s || *end != '\0' || errno != 0 || !isfinite(*v);
}

/* flamegraph.pl's --minwidth: digits and dots, optionally '%'. */
static int
parse_minwidth(const char *s, ff_flame_layout *lo)
{
	size_t n = strlen(s);
	char buf[64];

	if (n == 0 || n >= sizeof buf)
		return 1;
	memcpy(buf, s, n + 1);
	lo->min_width_pct = buf[n - 1] == '%';
	if (lo->min_width_pct)
		buf[--n] = '\0';
	if (n == 0 || strspn(buf, "0123456789.") != n)
		return 1;
	return parse_double(buf, &lo->min_width);
}

static int
parse_range(const char *s, double *lo, double *hi)
{
	char buf[128], *colon;

	if (strlen(s) >= sizeof buf)
		return 1;
	strcpy(buf, s);
	if ((colon = strchr(buf, ':')) == NULL)
		return 1;
	*colon = '\0';
	return parse_double(buf, lo) || parse_double(colon + 1, hi) ||
	    !(*lo > 0) || !(*hi > *lo);
}

/* A positive number option; 0 on success. */
static int
positive(const char *s, double *v, int integer)
{
	if (parse_double(s, v) || !(*v > 0))
		return 1;
	return integer && *v != floor(*v);
}

/* Options that set a number or a mode. */
static int
parse_numeric(struct args *a, int c, const char *v)
{
	ff_flamegraph_opts *o = &a->fg;
	double x;

	switch (c) {
	case O_WIDTH:
		if (positive(v, &o->layout.image_width, 1) ||
		    o->layout.image_width <= 2 * FF_FLAME_XPAD)
			return usage_error("--width wants a whole number of "
			    "pixels above 20, not '%s'", v);
		return 0;
	case O_HEIGHT:
		if (positive(v, &o->svg.frame_height, 1) ||
		    o->svg.frame_height < 2)
			return usage_error("--height wants a whole number of "
			    "pixels, at least 2, not '%s'", v);
		return 0;
	case O_MINWIDTH:
		if (parse_minwidth(v, &o->layout))
			return usage_error("--minwidth wants pixels or a "
			    "percentage (0.1, 0.5%%), not '%s'", v);
		return 0;
	case O_FONTSIZE:
		if (positive(v, &o->svg.font_size, 0))
			return usage_error("--fontsize wants a positive "
			    "number, not '%s'", v);
		return 0;
	case O_FONTWIDTH:
		if (positive(v, &o->svg.font_width, 0))
			return usage_error("--fontwidth wants a positive "
			    "number, not '%s'", v);
		return 0;
	case O_FACTOR:
		if (positive(v, &o->svg.factor, 0))
			return usage_error("--factor wants a positive number, "
			    "not '%s'", v);
		return 0;
	case O_TOTAL:
		if (parse_double(v, &x) || x < 0)
			return usage_error("--total wants a count, not '%s'",
			    v);
		o->layout.total = x;
		return 0;
	case O_CPI_RANGE:
		if (parse_range(v, &o->svg.cpi_lo, &o->svg.cpi_hi))
			return usage_error("--cpi-range wants LO:HI with "
			    "0 < LO < HI, not '%s'", v);
		return 0;
	case O_CPI_CHANGE:
		if (parse_double(v, &x) || !(x > 1 && x < 100))
			return usage_error("--cpi-change wants a ratio above "
			    "1, not '%s'", v);
		o->svg.cpi_change = x;
		return 0;
	}
	return -1;
}

/* Options that set text. */
static int
parse_text(struct args *a, int c, const char *v)
{
	ff_flamesvg_opts *s = &a->fg.svg;
	ff_err err;

	switch (c) {
	case O_TITLE: s->title = v; a->title_set = 1; return 0;
	case O_SUBTITLE: s->subtitle = v; return 0;
	case O_FONTTYPE: s->fonttype = v; return 0;
	case O_COUNTNAME: s->countname = v; a->countname_set = 1; return 0;
	case O_NAMETYPE: s->nametype = v; return 0;
	case O_BGCOLORS: s->bgcolors = v; return 0;
	case O_NOTES: s->notes = v; return 0;
	case O_PALETTE_FILE: a->palette_file = v; return 0;
	case O_ID: s->id = v; return 0;
	case O_COLORS:
		if (ff_palette_scheme_parse(v, &a->scheme, &err) != FF_OK)
			return usage_error("%s", ff_err_msg(&err));
		return 0;
	}
	return -1;
}

/* Switches. */
static int
parse_flag(struct args *a, int c)
{
	ff_flamegraph_opts *o = &a->fg;

	switch (c) {
	case O_HASH: a->vary = FF_VARY_HASH; return 0;
	case O_RANDOM:
		if (a->vary != FF_VARY_HASH)
			a->vary = FF_VARY_RANDOM;
		return 0;
	case O_CP:
		if (a->palette_file == NULL)
			a->palette_file = "palette.map";
		return 0;
	case O_REVERSE: o->reverse = 1; return 0;
	case O_INVERTED: o->svg.inverted = 1; return 0;
	case O_FLAMECHART: o->flamechart = 1; return 0;
	case O_NEGATE: o->svg.negate = 1; return 0;
	case O_DETERMINISTIC: a->deterministic = 1; return 0;
	case O_DIFF_INCLUSIVE: o->svg.diff_inclusive = 1; return 0;
	case O_CPI: o->detect = 0; o->svg.mode = FF_FLAME_CPI; return 0;
	case O_STALL: o->detect = 0; o->svg.mode = FF_FLAME_STALL; return 0;
	case O_CPI_DIFF:
		o->detect = 0;
		o->svg.mode = FF_FLAME_CPIDIFF;
		return 0;
	case O_FRAGMENT: o->svg.fragment = 1; return 0;
	case O_STRICT: a->strict = 1; return 0;
	}
	return -1;
}

/* Defaults that depend on other options, as flamegraph.pl sets them. */
static void
apply_defaults(struct args *a)
{
	ff_flamegraph_opts *o = &a->fg;

	if (!a->title_set)
		o->svg.title = o->flamechart ? "Flame Chart" :
		    o->svg.inverted ? "Icicle Graph" : "Flame Graph";
	if (!a->countname_set && !o->detect)
		o->svg.countname = "cycles";
}

/* Parse argv; 0, or an exit status (-1: --help was shown). */
static int
parse_args(struct args *a, int argc, char **argv)
{
	static const char *const stdin_only[] = { "-" };
	int c, r;

	memset(a, 0, sizeof *a);
	ff_flamegraph_opts_init(&a->fg);
	a->scheme = FF_PAL_HOT;
	a->vary = FF_VARY_NAME;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return -1;
		}
		if (c == '?' || c == ':')
			return usage_error("unknown option or missing value: "
			    "'%s'", argv[optind - 1]);
		if ((r = parse_numeric(a, c, optarg)) == -1 &&
		    (r = parse_text(a, c, optarg)) == -1)
			r = parse_flag(a, c);
		if (r != 0)
			return r;
	}
	if (a->fg.svg.notes != NULL && strpbrk(a->fg.svg.notes, "<>") != NULL)
		return usage_error("%s", "--notes may not contain < or >");
	a->files = (const char **)(argv + optind);
	a->nfiles = (size_t)(argc - optind);
	if (a->nfiles == 0) {
		a->files = (const char **)stdin_only;
		a->nfiles = 1;
	}
	apply_defaults(a);
	return 0;
}

/* flamegraph.pl's warnings about the total. */
static void
warn_totals(const struct args *a, const ff_flamegraph_stats *st)
{
	const ff_flamegraph_opts *o = &a->fg;

	if (strcmp(o->svg.countname, "samples") == 0 && st->total < 100)
		fprintf(stderr, "Stack count is low (%llu). Did something go "
		    "wrong?\n", (unsigned long long)st->total);
	if (o->layout.total > 0 && o->layout.total < (double)st->total &&
	    o->layout.total / (double)st->total > 0.02)
		fprintf(stderr, "Specified --total %g is less than actual "
		    "total %llu, so ignored\n", o->layout.total,
		    (unsigned long long)st->total);
}

static int
exit_status(ff_rc rc)
{
	switch (rc) {
	case FF_OK:
		return 0;
	case FF_ERR_PARSE:
	case FF_ERR_USAGE:
	case FF_ERR_LIMIT:
	case FF_ERR_NOTFOUND:
		return EXIT_INPUT;
	default:
		return EXIT_RUNTIME;
	}
}

static uint32_t
random_seed(int deterministic)
{
	if (deterministic)
		return 0;
	return (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
}

/* Render with the palette set up; the palette file is written after a
 * successful rendering, as flamegraph.pl does. */
static ff_rc
run(struct args *a, ff_diag *diag, ff_flamegraph_stats *st, ff_err *err)
{
	ff_palette_map *map = NULL;
	ff_palette pal;
	ff_rc rc = FF_OK;

	if (a->palette_file != NULL) {
		if ((map = ff_palette_map_new()) == NULL)
			return ff_err_nomem(err);
		rc = ff_palette_map_load(map, a->palette_file, err);
	}
	ff_palette_init(&pal, a->scheme, a->vary,
	    random_seed(a->deterministic), map);
	a->fg.svg.palette = &pal;
	if (rc == FF_OK)
		rc = ff_flamegraph_files(a->files, a->nfiles, &a->fg, diag,
		    stdout, st, err);
	if (rc == FF_OK && map != NULL)
		rc = ff_palette_map_save(map, a->palette_file, err);
	ff_palette_map_free(map);
	return rc;
}

int
ff_cmd_flamegraph(int argc, char **argv)
{
	ff_flamegraph_stats st;
	struct args a;
	ff_diag *diag;
	ff_err err;
	ff_rc rc;
	int r, empty;

	if ((r = parse_args(&a, argc, argv)) != 0)
		return r == -1 ? 0 : r;
	if ((diag = ff_diag_new(stderr, PROG, a.strict)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return EXIT_RUNTIME;
	}
	ff_err_init(&err);
	memset(&st, 0, sizeof st);
	rc = run(&a, diag, &st, &err);
	ff_diag_summary(diag);
	ff_diag_free(diag);
	empty = rc == FF_ERR_PARSE && st.total == 0 &&
	    strcmp(ff_err_msg(&err), "no stack counts found") == 0;
	if (rc == FF_OK || empty)
		warn_totals(&a, &st);
	if (empty)
		fprintf(stderr, "ERROR: No stack counts found\n");
	else if (rc != FF_OK)
		fprintf(stderr, "%s: %s\n", PROG, ff_err_msg(&err));
	return exit_status(rc);
}
