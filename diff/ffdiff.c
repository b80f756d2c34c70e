/*
 * ffdiff.c -- the ffdiff command: differential profiles and the verdict.
 *
 * Argument parsing and composition: the work is in diff/ (differential
 * folded data, replicates, statistics and the verdict, comparisons of a
 * store) and report/ (flame graphs, the HTML report).
 */
#include "diff/check.h"
#include "diff/compare.h"
#include "diff/fdiff.h"
#include "diff/graphset.h"
#include "diff/junit.h"
#include "diff/reps.h"
#include "diff/table.h"
#include "diff/verdict_json.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "report/flamegraph.h"
#include "report/html.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_USAGE = 2 };

struct args {
	ff_fdiff_opts fd;
	ff_check_opts ck;
	int check;
	const char *db, *base, *new_, *type;
	const char *base_dir, *new_dir;
	const char *normalize_by;
	const char *work_label;
	const char *json, *junit, *html;
	const char *svg, *cpi_svg, *cpi_diff_svg;
	int cpi;
	size_t limit;
	int quiet;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffdiff [-n] [-s] A.folded B.folded\n"
"       ffdiff --db PATH --base SEL --new SEL [--type T] [--check ...]\n"
"       ffdiff --check --base-dir DIR --new-dir DIR [check options]\n"
"\n"
"Differential profiles and a regression verdict for CI.\n"
"\n"
"With two folded files, print \"stack countA countB\" for every stack of\n"
"either file, sorted bytewise (the classic difffolded.pl output):\n"
"  -n                 scale A's counts to B's total (integer truncation)\n"
"  -s                 rewrite hex numbers (0x1f -> 0x...) before merging\n"
"\n"
"With --db, compare two selections of a store.  SEL is comma-separated\n"
"key=value terms, all of which must hold: build=B, host=GLOB, type=T,\n"
"since=TIME, until=TIME (RFC 3339, \"now\", or relative like -24h),\n"
"label.K=V.  Without --check, print the differential folded profile of\n"
"the two aggregates, base scaled to new's total (for ffreport flamegraph):\n"
"  --db PATH          the store's database\n"
"  --base SEL         the base selection, e.g. build=2026.11.1\n"
"  --new SEL          the new selection, e.g. build=2026.11.2\n"
"  --type T           add type=T to both (cpu, cpi, offcpu, ...)\n"
"\n"
"With --check, compare the two sides function by function, each profile\n"
"(host and time window) a replicate, and print a verdict (the method is\n"
"in diff/README.md).  Instead of --db, two directories of .ffp files:\n"
"  --base-dir DIR     the base build's profiles (*.ffp)\n"
"  --new-dir DIR      the new build's profiles (*.ffp)\n"
"  --threshold PP     smallest regression, percentage points (0.1)\n"
"  --min-rel FRAC     smallest relative regression (0.02 = 2%%)\n"
"  --alpha Q          false discovery rate for a finding (0.01)\n"
"  --suggest Q        FDR level of a possible regression (0.1)\n"
"  --min-profiles N   fewer per side is INCONCLUSIVE (5)\n"
"  --normalize-by L   compare cost per unit of work (numeric label L)\n"
"  --totals           whole-program cost per unit of work (label from\n"
"                     --normalize-by, else --work-label, default gbps)\n"
"  --work-label L     the work label for --totals\n"
"  --no-cpi           skip the CPI analysis of two-event profiles\n"
"  --json FILE        the full result as JSON (schema: diff/README.md)\n"
"  --html FILE        the self-contained HTML report (implies --check):\n"
"                     verdict, sortable findings, flame graphs, plots\n"
"  --junit FILE       one JUnit test case per regressed function\n"
"\n"
"Graphs (with --db or --base-dir/--new-dir; --svg also with two files):\n"
"  --svg FILE         the differential flame graph: widths from new, red\n"
"                     where a stack's own samples grew, blue where they\n"
"                     shrank (base scaled to new's total)\n"
"  --cpi              with --svg FILE.svg, also FILE-cpi.svg and\n"
"                     FILE-cpi-diff.svg (the two below)\n"
"  --cpi-svg FILE     the new side's CPI flame graph (needs cycles and\n"
"                     instructions: type=cpi profiles)\n"
"  --cpi-diff-svg F   the CPI-change graph: widths from new's cycles,\n"
"                     colour = CPI now / CPI in base, blue - white - red\n"
"  --limit N          rows per table section (20)\n"
"\n"
"Exit status: 0 SAME, 1 REGRESSED, 3 INCONCLUSIVE, 2 usage or data error.\n");
}

static int
parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int
bad_value(const char *opt, const char *v)
{
	fprintf(stderr, "ffdiff: bad value for %s: '%s'\n", opt, v);
	return EXIT_USAGE;
}

static int
parse_args(struct args *a, int argc, char **argv)
{
	enum { O_BASEDIR = 256, O_NEWDIR, O_THRESH, O_MINREL, O_ALPHA,
	    O_SUGGEST, O_MINPROF, O_NORM, O_TOTALS, O_WORK, O_NOCPI, O_JSON,
	    O_JUNIT, O_LIMIT, O_CHECK, O_DB, O_BASE, O_NEW, O_TYPE, O_SVG,
	    O_CPI, O_CPI_SVG, O_CPI_DIFF_SVG, O_HTML };
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, O_CHECK },
		{ "db", required_argument, NULL, O_DB },
		{ "base", required_argument, NULL, O_BASE },
		{ "new", required_argument, NULL, O_NEW },
		{ "type", required_argument, NULL, O_TYPE },
		{ "svg", required_argument, NULL, O_SVG },
		{ "cpi", no_argument, NULL, O_CPI },
		{ "cpi-svg", required_argument, NULL, O_CPI_SVG },
		{ "cpi-diff-svg", required_argument, NULL, O_CPI_DIFF_SVG },
		{ "html", required_argument, NULL, O_HTML },
		{ "base-dir", required_argument, NULL, O_BASEDIR },
		{ "new-dir", required_argument, NULL, O_NEWDIR },
		{ "threshold", required_argument, NULL, O_THRESH },
		{ "min-rel", required_argument, NULL, O_MINREL },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "suggest", required_argument, NULL, O_SUGGEST },
		{ "min-profiles", required_argument, NULL, O_MINPROF },
		{ "normalize-by", required_argument, NULL, O_NORM },
		{ "totals", no_argument, NULL, O_TOTALS },
		{ "work-label", required_argument, NULL, O_WORK },
		{ "no-cpi", no_argument, NULL, O_NOCPI },
		{ "json", required_argument, NULL, O_JSON },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double d;
	int c;

	memset(a, 0, sizeof *a);
	ff_check_opts_init(&a->ck);
	a->work_label = "gbps";
	while ((c = getopt_long(argc, argv, "nsqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': a->fd.normalize = 1; break;
		case 's': a->fd.strip_hex = 1; break;
		case 'q': a->quiet = 1; break;
		case O_CHECK: a->check = 1; break;
		case O_DB: a->db = optarg; break;
		case O_BASE: a->base = optarg; break;
		case O_NEW: a->new_ = optarg; break;
		case O_TYPE: a->type = optarg; break;
		case O_SVG: a->svg = optarg; break;
		case O_CPI: a->cpi = 1; break;
		case O_CPI_SVG: a->cpi_svg = optarg; break;
		case O_CPI_DIFF_SVG: a->cpi_diff_svg = optarg; break;
		case O_HTML: a->html = optarg; a->check = 1; break;
		case O_BASEDIR: a->base_dir = optarg; break;
		case O_NEWDIR: a->new_dir = optarg; break;
		case O_THRESH:
			if (parse_double(optarg, 0, 100, &a->ck.threshold))
				return bad_value("--threshold", optarg);
			break;
		case O_MINREL:
			if (parse_double(optarg, 0, 100, &a->ck.min_rel))
				return bad_value("--min-rel", optarg);
			break;
		case O_ALPHA:
			if (parse_double(optarg, 1e-12, 1, &a->ck.alpha))
				return bad_value("--alpha", optarg);
			break;
		case O_SUGGEST:
			if (parse_double(optarg, 1e-12, 1, &a->ck.suggest))
				return bad_value("--suggest", optarg);
			break;
		case O_MINPROF:
			if (parse_double(optarg, 2, 1e6, &d))
				return bad_value("--min-profiles", optarg);
			a->ck.min_profiles = (unsigned)d;
			break;
		case O_NORM:
			a->normalize_by = optarg;
			a->ck.normalize = 1;
			break;
		case O_TOTALS: a->ck.totals = 1; break;
		case O_WORK: a->work_label = optarg; break;
		case O_NOCPI: a->ck.cpi = 0; break;
		case O_JSON: a->json = optarg; break;
		case O_JUNIT: a->junit = optarg; break;
		case O_LIMIT:
			if (parse_double(optarg, 1, 1e6, &d))
				return bad_value("--limit", optarg);
			a->limit = (size_t)d;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (a->normalize_by != NULL)
		a->work_label = a->normalize_by;
	return 0;
}

/* Render s as a flame graph of the given mode into path. */
static ff_rc
write_graph(const char *path, const ff_stacks *s, ff_flame_mode mode,
    const char *title, const char *subtitle, int negate, ff_err *err)
{
	ff_flamegraph_opts o;
	FILE *f;
	ff_rc rc;

	ff_flamegraph_opts_init(&o);
	o.detect = 0;
	o.svg.mode = mode;
	o.svg.title = title;
	o.svg.subtitle = subtitle;
	o.svg.negate = negate;
	if (mode == FF_FLAME_CPI || mode == FF_FLAME_CPIDIFF)
		o.svg.countname = "cycles";
	if ((f = fopen(path, "w")) == NULL)
		return ff_err_errno(err, errno, "%s", path);
	rc = ff_flamegraph_stacks(s, &o, f, NULL, err);
	if (fclose(f) != 0 && rc == FF_OK)
		rc = ff_err_errno(err, errno, "%s", path);
	if (rc == FF_ERR_PARSE)
		rc = ff_err_set(err, rc, "%s: no samples to draw", path);
	return rc;
}

/* FILE.svg -> FILE-SUFFIX.svg, in a static buffer. */
static const char *
derived(const char *path, const char *suffix)
{
	static char buf[2][4096];
	static int next;
	char *b = buf[next++ & 1];
	size_t n = strlen(path);

	if (n > 4 && strcmp(path + n - 4, ".svg") == 0)
		n -= 4;
	snprintf(b, sizeof buf[0], "%.*s-%s.svg", (int)n, path, suffix);
	return b;
}

static int
want_graphs(const struct args *a)
{
	return a->svg != NULL || a->cpi_svg != NULL || a->cpi_diff_svg != NULL
	    || a->html != NULL;
}

/* The SVG files asked for. */
static ff_rc
write_svgs(const struct args *a, const ff_graphset *g, const char *sub,
    const char *newsel, ff_err *err)
{
	const char *cpi_svg = a->cpi_svg, *cpi_diff_svg = a->cpi_diff_svg;
	ff_rc rc = FF_OK;

	if (a->cpi && a->svg != NULL) {
		if (cpi_svg == NULL)
			cpi_svg = derived(a->svg, "cpi");
		if (cpi_diff_svg == NULL)
			cpi_diff_svg = derived(a->svg, "cpi-diff");
	}
	if ((cpi_svg != NULL || cpi_diff_svg != NULL) && g->cpi == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "CPI graphs need profiles "
		    "with cycles and instructions (two events): select "
		    "type=cpi profiles");
	if (a->svg != NULL)
		rc = write_graph(a->svg, g->diff, FF_FLAME_DIFF, "Differential "
		    "Flame Graph", sub, 0, err);
	if (rc == FF_OK && cpi_svg != NULL)
		rc = write_graph(cpi_svg, g->cpi, FF_FLAME_CPI, "CPI Flame Graph",
		    newsel, 0, err);
	if (rc == FF_OK && cpi_diff_svg != NULL)
		rc = write_graph(cpi_diff_svg, g->cpi_change, FF_FLAME_CPIDIFF,
		    "CPI Change Flame Graph", sub, 0, err);
	return rc;
}

/* The HTML report of res with the graphs of g. */
static ff_rc
write_html(const char *path, const ff_result *res, const ff_graphset *g,
    ff_err *err)
{
	ff_html_graph graphs[4];
	ff_html_page page;
	char *json = NULL;
	FILE *f;
	ff_rc rc;

	memset(graphs, 0, sizeof graphs);
	graphs[0].heading = "Differential flame graph";
	graphs[0].note = "Widths are the new build's samples; red frames "
	    "grew, blue ones shrank (their own samples, base scaled to the "
	    "new total).  Click to zoom, Ctrl-F to search.";
	graphs[0].stacks = g->diff;
	graphs[0].mode = FF_FLAME_DIFF;
	graphs[1].heading = "Negated view";
	graphs[1].note = "Widths are the base build's samples, so code that "
	    "shrank or vanished is visible; the colours still say what "
	    "happened in the new build.";
	graphs[1].stacks = g->negated;
	graphs[1].mode = FF_FLAME_DIFF;
	graphs[1].negate = 1;
	graphs[2].heading = "CPI flame graph (new build)";
	graphs[2].note = "Colour is cycles per instruction: blue is "
	    "instruction-bound, red is stall-bound.";
	graphs[2].stacks = g->cpi;
	graphs[2].mode = FF_FLAME_CPI;
	graphs[3].heading = "CPI change";
	graphs[3].note = "Widths are the new build's cycles; colour is CPI "
	    "now against CPI in the base build, blue (fell) to red (rose).";
	graphs[3].stacks = g->cpi_change;
	graphs[3].mode = FF_FLAME_CPIDIFF;
	memset(&page, 0, sizeof page);
	page.graphs = graphs;
	page.ngraphs = g->cpi != NULL ? 4 : 2;
	if ((rc = ff_verdict_json_string(res, &json, err)) != FF_OK)
		return rc;
	page.verdict_json = json;
	if ((f = fopen(path, "w")) == NULL) {
		rc = ff_err_errno(err, errno, "%s", path);
	} else {
		rc = ff_html_write(&page, f, err);
		if (fclose(f) != 0 && rc == FF_OK)
			rc = ff_err_errno(err, errno, "%s", path);
	}
	ff_free(json);
	return rc;
}

/* Graphs and the HTML report from the two sides' summed stacks. */
static ff_rc
write_outputs(const struct args *a, const ff_stacks *base,
    const ff_stacks *new_, const ff_result *res, const char *wbase,
    const char *wnew, ff_err *err)
{
	ff_intern *frames;
	ff_graphset g;
	char sub[1100];
	ff_rc rc;

	if (!want_graphs(a))
		return FF_OK;
	if (base == NULL || new_ == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "no samples to draw");
	if ((frames = ff_intern_new()) == NULL)
		return ff_err_nomem(err);
	snprintf(sub, sizeof sub, "base: %s -> new: %s", wbase, wnew);
	rc = ff_graphset_build(&g, frames, base, new_, err);
	if (rc == FF_OK)
		rc = write_svgs(a, &g, sub, wnew, err);
	if (rc == FF_OK && a->html != NULL)
		rc = write_html(a->html, res, &g, err);
	ff_graphset_free(&g);
	ff_intern_free(frames);
	return rc;
}

static ff_rc
stdout_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	(void)ctx;
	if (fwrite(p, 1, len, stdout) != len)
		return ff_err_errno(err, errno, "standard output");
	return FF_OK;
}

/* Two folded files, drawn as a differential flame graph. */
static ff_rc
folded_svg(const struct args *a, const char *fa, const char *fb,
    ff_diag *diag, ff_err *err)
{
	ff_intern *frames = ff_intern_new();
	ff_stacks *s = NULL;
	char sub[512];
	ff_rc rc;

	if (frames == NULL)
		return ff_err_nomem(err);
	snprintf(sub, sizeof sub, "%s -> %s", fa, fb);
	rc = ff_fdiff_files(&s, frames, fa, fb, &a->fd, diag, err);
	if (rc == FF_OK)
		rc = write_graph(a->svg, s, FF_FLAME_DIFF, "Differential Flame "
		    "Graph", sub, 0, err);
	ff_stacks_free(s);
	ff_intern_free(frames);
	return rc;
}

/* Two folded files: print the differential profile (or draw it). */
static int
run_folded(const struct args *a, const char *fa, const char *fb)
{
	ff_diag *diag = ff_diag_new(stderr, "ffdiff", 0);
	ff_err err;
	ff_rc rc;
	int status = 0;

	if (diag == NULL) {
		fprintf(stderr, "ffdiff: out of memory\n");
		return EXIT_USAGE;
	}
	if (a->svg != NULL)
		rc = folded_svg(a, fa, fb, diag, &err);
	else
		rc = ff_fdiff_write(fa, fb, &a->fd, diag, stdout_sink, NULL,
		    &err);
	if (rc != FF_OK || fflush(stdout) != 0) {
		fprintf(stderr, "ffdiff: %s\n", ff_err_msg(&err));
		status = EXIT_USAGE;
	}
	ff_diag_summary(diag);
	ff_diag_free(diag);
	return status;
}

typedef ff_rc (*view_fn)(const ff_result *, FILE *, ff_err *);

/* Write one view of the result to path; 0 or EXIT_USAGE. */
static int
write_view(const char *path, view_fn fn, const ff_result *res)
{
	FILE *f = fopen(path, "w");
	ff_err err;
	ff_rc rc;

	if (f == NULL) {
		fprintf(stderr, "ffdiff: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	rc = fn(res, f, &err);
	if (fclose(f) != 0 && rc == FF_OK)
		rc = ff_err_errno(&err, errno, "%s", path);
	if (rc != FF_OK) {
		fprintf(stderr, "ffdiff: %s: %s\n", path, ff_err_msg(&err));
		return EXIT_USAGE;
	}
	return 0;
}

/* The table and the requested files; the verdict's exit code unless one
 * fails. */
static int
write_views(const struct args *a, const ff_result *res)
{
	if (!a->quiet)
		ff_table_write(res, stdout, a->limit);
	if (a->json != NULL &&
	    write_view(a->json, ff_verdict_json_write, res) != 0)
		return EXIT_USAGE;
	if (a->junit != NULL && write_view(a->junit, ff_junit_write, res) != 0)
		return EXIT_USAGE;
	return (int)res->verdict;
}

static int
run_check_dirs(const struct args *a)
{
	ff_reps *reps = ff_reps_new();
	ff_result *res = NULL;
	ff_err err;
	int status = EXIT_USAGE;

	if (reps == NULL) {
		fprintf(stderr, "ffdiff: out of memory\n");
		return EXIT_USAGE;
	}
	if (want_graphs(a))
		ff_reps_keep_stacks(reps);
	if (ff_reps_add_dir(reps, FF_BASE, a->base_dir, a->work_label, &err) !=
	    FF_OK ||
	    ff_reps_add_dir(reps, FF_NEW, a->new_dir, a->work_label, &err) !=
	    FF_OK ||
	    ff_check_run(reps, &a->ck, &res, &err) != FF_OK)
		goto out;
	snprintf(res->side[FF_BASE].what, sizeof res->side[0].what, "%s",
	    a->base_dir);
	snprintf(res->side[FF_NEW].what, sizeof res->side[1].what, "%s",
	    a->new_dir);
	if (write_outputs(a, ff_reps_stacks(reps, FF_BASE),
	    ff_reps_stacks(reps, FF_NEW), res, a->base_dir, a->new_dir, &err) !=
	    FF_OK)
		goto out;
	status = write_views(a, res);
out:
	if (status == EXIT_USAGE)
		fprintf(stderr, "ffdiff: %s\n", ff_err_msg(&err));
	ff_result_free(res);
	ff_reps_free(reps);
	return status;
}

/* Print the differential profile of the two sides' summed stacks. */
static ff_rc
print_diff(const ff_stacks *base, const ff_stacks *new_, ff_err *err)
{
	ff_fdiff_opts o = { 1, 0 };
	ff_intern *frames = ff_intern_new();
	ff_stacks *d = NULL;
	ff_rc rc;

	if (frames == NULL)
		return ff_err_nomem(err);
	rc = ff_fdiff_combine(&d, frames, base, new_, &o, err);
	if (rc == FF_OK)
		rc = ff_fold_write(d, stdout, err);
	ff_stacks_free(d);
	ff_intern_free(frames);
	return rc;
}

/* A comparison of two selections of a store. */
static int
run_store(const struct args *a)
{
	ff_store *st = NULL;
	ff_compare *c = NULL;
	ff_stacks *agg[2] = { NULL, NULL };
	const ff_result *res = NULL;
	ff_err err;
	int status = EXIT_USAGE, graphs = want_graphs(a);

	ff_err_init(&err);
	if (ff_store_open(&st, a->db, &err) != FF_OK ||
	    ff_compare_new(&c, st, a->base, a->new_, a->type, ff_stamp_now(),
	    &err) != FF_OK)
		goto out;
	if (a->check &&
	    ff_compare_check(c, &a->ck, a->work_label, &res, &err) != FF_OK)
		goto out;
	if ((graphs || !a->check) &&
	    (ff_compare_aggregate(c, FF_BASE, &agg[0], &err) != FF_OK ||
	    ff_compare_aggregate(c, FF_NEW, &agg[1], &err) != FF_OK))
		goto out;
	if (graphs && write_outputs(a, agg[0], agg[1], res,
	    ff_compare_what(c, FF_BASE), ff_compare_what(c, FF_NEW), &err) !=
	    FF_OK)
		goto out;
	if (a->check)
		status = write_views(a, res);
	else if (graphs)
		status = 0;
	else if (print_diff(agg[0], agg[1], &err) == FF_OK &&
	    fflush(stdout) == 0)
		status = 0;
out:
	if (status == EXIT_USAGE && err.rc != FF_OK)
		fprintf(stderr, "ffdiff: %s\n", ff_err_msg(&err));
	ff_stacks_free(agg[0]);
	ff_stacks_free(agg[1]);
	ff_compare_free(c);
	ff_store_close(st);
	return status;
}

int
main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(&a, argc, argv);

	if (rc != 0)
		return rc;
	if (a.db != NULL) {
		if (a.base == NULL || a.new_ == NULL || optind != argc) {
			fprintf(stderr, "ffdiff: --db needs --base SEL and --new "
			    "SEL\n");
			return EXIT_USAGE;
		}
		return run_store(&a);
	}
	if (a.check) {
		if (a.base_dir == NULL || a.new_dir == NULL || optind != argc) {
			fprintf(stderr, "ffdiff: --check needs --db, or "
			    "--base-dir and --new-dir\n");
			return EXIT_USAGE;
		}
		return run_check_dirs(&a);
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return run_folded(&a, argv[optind], argv[optind + 1]);
}
