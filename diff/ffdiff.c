/*
 * ffdiff.c -- the ffdiff command: differential profiles and the verdict.
 *
 * Argument parsing only; the work is in fdiff.c (differential folded
 * data), reps.c (replicates) and check.c (statistics and verdict).
 */
#include "diff/check.h"
#include "diff/fdiff.h"
#include "diff/junit.h"
#include "diff/reps.h"
#include "diff/table.h"
#include "diff/verdict_json.h"
#include "profile/fold.h"
#include "profile/mem.h"

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
	const char *base_dir, *new_dir;
	const char *normalize_by;
	const char *work_label;
	const char *json, *junit;
	size_t limit;
	int quiet;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffdiff [-n] [-s] A.folded B.folded\n"
"       ffdiff --check --base-dir DIR --new-dir DIR [check options]\n"
"\n"
"Differential profiles and a regression verdict for CI.\n"
"\n"
"With two folded files, print \"stack countA countB\" for every stack of\n"
"either file, sorted bytewise (the classic difffolded.pl output):\n"
"  -n                 scale A's counts to B's total (integer truncation)\n"
"  -s                 rewrite hex numbers (0x1f -> 0x...) before merging\n"
"\n"
"With --check, compare two sets of profiles (.ffp files), each profile a\n"
"replicate, function by function, and print a verdict:\n"
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
"  --json FILE        the full result as JSON\n"
"  --junit FILE       one JUnit test case per regressed function\n"
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
	    O_JUNIT, O_LIMIT, O_CHECK };
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, O_CHECK },
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

static ff_rc
stdout_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	(void)ctx;
	if (fwrite(p, 1, len, stdout) != len)
		return ff_err_errno(err, errno, "standard output");
	return FF_OK;
}

/* Two folded files: print the differential profile. */
static int
run_folded(const struct args *a, const char *fa, const char *fb)
{
	ff_diag *diag = ff_diag_new(stderr, "ffdiff", 0);
	ff_err err;
	int status = 0;

	if (diag == NULL) {
		fprintf(stderr, "ffdiff: out of memory\n");
		return EXIT_USAGE;
	}
	if (ff_fdiff_write(fa, fb, &a->fd, diag, stdout_sink, NULL, &err) !=
	    FF_OK || fflush(stdout) != 0) {
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

/* The requested files; the verdict's exit code unless one fails. */
static int
write_views(const struct args *a, const ff_result *res)
{
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
	int status;

	if (reps == NULL) {
		fprintf(stderr, "ffdiff: out of memory\n");
		return EXIT_USAGE;
	}
	if (ff_reps_add_dir(reps, FF_BASE, a->base_dir, a->work_label, &err) !=
	    FF_OK ||
	    ff_reps_add_dir(reps, FF_NEW, a->new_dir, a->work_label, &err) !=
	    FF_OK ||
	    ff_check_run(reps, &a->ck, &res, &err) != FF_OK) {
		fprintf(stderr, "ffdiff: %s\n", ff_err_msg(&err));
		ff_reps_free(reps);
		return EXIT_USAGE;
	}
	snprintf(res->side[FF_BASE].what, sizeof res->side[0].what, "%s",
	    a->base_dir);
	snprintf(res->side[FF_NEW].what, sizeof res->side[1].what, "%s",
	    a->new_dir);
	if (!a->quiet)
		ff_table_write(res, stdout, a->limit);
	status = write_views(a, res);
	ff_result_free(res);
	ff_reps_free(reps);
	return status;
}

int
main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(&a, argc, argv);

	if (rc != 0)
		return rc;
	if (a.check) {
		if (a.base_dir == NULL || a.new_dir == NULL || optind != argc) {
			fprintf(stderr, "ffdiff: --check needs --base-dir and "
			    "--new-dir\n");
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
