/*
 * check.h -- the regression verdict: per-function statistics across hosts.
 *
 * ff_check_run() compares the base and new replicates of an ff_reps and
 * builds one ff_result: every tested function's statistics, the functions
 * that appeared or vanished, CPI findings, whole-program totals and the
 * verdict.  Text, JSON, JUnit and HTML are views of that one structure.
 * The method is described in diff/README.md.
 */
#ifndef FF_CHECK_H
#define FF_CHECK_H

#include "diff/reps.h"
#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

/* Values double as ffdiff's exit codes. */
typedef enum ff_verdict {
	FF_VERDICT_SAME = 0,
	FF_VERDICT_REGRESSED = 1,
	FF_VERDICT_INCONCLUSIVE = 3
} ff_verdict;

typedef struct ff_check_opts {
	double threshold;        /* pp of samples (default 0.1) */
	double min_rel;          /* relative change (default 0.02) */
	double alpha;            /* FDR level for a finding (default 0.01) */
	double suggest;          /* FDR level of a "possible" one (0.1) */
	unsigned min_profiles;   /* per side (default 5) */
	int normalize;           /* cost per unit of work, not share */
	int totals;              /* whole-program cost per unit of work */
	int cpi;                 /* CPI analysis when a second event exists */
	size_t keep_values;      /* per-host values kept for the top N */
} ff_check_opts;

void ff_check_opts_init(ff_check_opts *o);

typedef enum ff_metric { FF_SELF = 0, FF_INCL = 1 } ff_metric;

typedef enum ff_class {
	FF_CLASS_NONE = 0,
	FF_CLASS_REGRESSION,
	FF_CLASS_IMPROVEMENT,
	FF_CLASS_POSSIBLE      /* regression-sized, q < suggest, not < alpha */
} ff_class;

/* One tested function and metric.  Values are in percent of the
 * profile's samples, or with normalize, percent of the base side's mean
 * cost per unit of work. */
typedef struct ff_ftest {
	uint32_t func;           /* id in the result's function table */
	ff_metric metric;
	double base_mean, new_mean;
	double delta;            /* new_mean - base_mean */
	double ci_lo, ci_hi;     /* 95% Welch interval of delta */
	double rel;              /* delta / base_mean (INFINITY if 0) */
	double p, q;             /* Mann-Whitney U, Benjamini-Hochberg */
	unsigned base_present, new_present;
	ff_class cls;
	double *values;          /* base then new per-profile values, for the
	                          * top findings only (else NULL) */
} ff_ftest;

/* A function found on one side only. */
typedef struct ff_fonly {
	uint32_t func;
	int group;               /* where it is present */
	double mean;             /* its mean inclusive value there */
	unsigned present;
} ff_fonly;

/* A function's cycles per instruction compared. */
typedef struct ff_fcpi {
	uint32_t func;
	double base_cpi, new_cpi, delta, ci_lo, ci_hi, rel, p, q;
	unsigned nbase, nnew;
	int flagged;             /* CPI rose significantly */
} ff_fcpi;

typedef struct ff_side {
	char what[512];          /* the selection, as the user gave it */
	size_t profiles, hosts;
	double samples;          /* first event */
	int64_t first, last;     /* start times */
} ff_side;

typedef struct ff_result {
	ff_verdict verdict;
	char reason[512];
	ff_check_opts opts;
	ff_side side[2];
	const ff_reps *reps;     /* borrowed */
	const ff_intern *funcs;  /* borrowed from the ff_reps */
	uint32_t *rows;          /* the profiles compared (reps indexes),
	                          * base first: ff_ftest.values follow it */
	size_t nrows;
	size_t tested_funcs;     /* functions that passed the filter */
	double best_q;           /* smallest q the tests could give */
	ff_ftest *tests;         /* sorted: regressions, improvements,
	                          * possible, then the rest by p */
	size_t ntests;
	ff_fonly *only;
	size_t nonly;
	ff_fcpi *cpi;
	size_t ncpi;
	struct {
		int have;
		double base, new_, rel, ci_lo, ci_hi, p; /* cost per work */
	} totals;
} ff_result;

/* Run the analysis.  reps must outlive the result (names are borrowed).
 * FF_ERR_USAGE when the data cannot be compared (no samples, or
 * normalize without work values), with a message. */
ff_rc ff_check_run(const ff_reps *reps, const ff_check_opts *opts,
    ff_result **out, ff_err *err) FF_WUR;

void ff_result_free(ff_result *res);

/* The name of a function id, and "SAME"/"REGRESSED"/"INCONCLUSIVE". */
const char *ff_result_func(const ff_result *res, uint32_t func);
const char *ff_verdict_name(ff_verdict v);

#endif
