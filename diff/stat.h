/*
 * stat.h -- the statistics behind the regression verdict.
 *
 * Pure functions on arrays of doubles; no allocation except the scratch
 * the rank test needs.  References for the formulas are in diff/README.md.
 */
#ifndef FF_STAT_H
#define FF_STAT_H

#include "profile/err.h"

#include <stddef.h>

/* Mean and (n-1) sample variance of x[0..n). */
void ff_stat_moments(const double *x, size_t n, double *mean, double *var);

/* Standard normal upper tail P(Z > z). */
double ff_stat_norm_sf(double z);

/* Student's t two-sided tail P(|T| > t) with df degrees of freedom. */
double ff_stat_t_2sided(double t, double df);

/* The t with P(|T| > t) = p (two-sided), df degrees of freedom. */
double ff_stat_t_quantile(double p, double df);

/* Regularized incomplete beta I_x(a, b). */
double ff_stat_ibeta(double x, double a, double b);

/* The exact null distribution of U for one pair of sample sizes (both at
 * most FF_MWU_EXACT_MAX), computed once and shared by every test of a
 * comparison.  NULL when out of memory or the sizes are too large. */
#define FF_MWU_EXACT_MAX 50
typedef struct ff_mwu_table ff_mwu_table;
ff_mwu_table *ff_mwu_table_new(size_t nx, size_t ny);
void ff_mwu_table_free(ff_mwu_table *t);
size_t ff_mwu_table_nx(const ff_mwu_table *t);
size_t ff_mwu_table_ny(const ff_mwu_table *t);

/* The Mann-Whitney U test of x[0..nx) against y[0..ny): U counts the
 * pairs with x > y (ties count 1/2).  p is two-sided: exact when there
 * are no ties and `exact` is a table for (nx, ny), otherwise the normal
 * approximation with tie and continuity corrections.  FF_ERR_NOMEM. */
typedef struct ff_mwu {
	double u;        /* U of x */
	double z;        /* standardised U (0 for the exact test) */
	double p;        /* two-sided p-value */
	int exact;
} ff_mwu;

ff_rc ff_stat_mwu(const double *x, size_t nx, const double *y, size_t ny,
    const ff_mwu_table *exact, ff_mwu *out) FF_WUR;

/* The smallest two-sided p-value the test can give for sample sizes nx
 * and ny (all of one sample above the other). */
double ff_stat_mwu_min_p(size_t nx, size_t ny);

/* Welch's confidence interval (level, e.g. 0.95) of mean(y) - mean(x). */
void ff_stat_welch_ci(const double *x, size_t nx, const double *y,
    size_t ny, double level, double *lo, double *hi);

/* Benjamini-Hochberg: q[i] for p[i], i < n; q may alias p.  Returns
 * FF_ERR_NOMEM. */
ff_rc ff_stat_bh(const double *p, double *q, size_t n) FF_WUR;

#endif
