/*
 * check.c -- per-function tests, FDR control and the verdict (see check.h
 * and diff/README.md for the method).
 */
#include "diff/check.h"
#include "diff/stat.h"
#include "profile/mem.h"
#include "profile/sort.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
ff_check_opts_init(ff_check_opts *o)
{
	memset(o, 0, sizeof *o);
	o->threshold = 0.1;
	o->min_rel = 0.02;
	o->alpha = 0.01;
	o->suggest = 0.1;
	o->min_profiles = 5;
	o->cpi = 1;
	o->keep_values = 20;
}

const char *
ff_verdict_name(ff_verdict v)
{
	switch (v) {
	case FF_VERDICT_SAME: return "SAME";
	case FF_VERDICT_REGRESSED: return "REGRESSED";
	case FF_VERDICT_INCONCLUSIVE: return "INCONCLUSIVE";
	}
	return "?";
}

const char *
ff_result_func(const ff_result *res, uint32_t func)
{
	return ff_intern_str(res->funcs, func, NULL);
}

void
ff_result_free(ff_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ntests; i++)
		ff_free(res->tests[i].values);
	ff_free(res->tests);
	ff_free(res->only);
	ff_free(res->cpi);
	ff_free(res->rows);
	ff_free(res);
}

/* ---- the working state --------------------------------------------------- */

/* One function's values in one usable row: the entry, copied so that a
 * function's values lie side by side (the tests read them once per
 * metric; the entries themselves are in profile order). */
struct fentry {
	uint32_t row;            /* usable row index */
	float self, incl, self2; /* as in ff_rep_entry */
};

struct work {
	const ff_reps *reps;
	const ff_check_opts *o;
	ff_result *res;
	size_t nrows;
	uint32_t *rows;          /* usable profile rows, base first */
	size_t n[2];             /* per side */
	double *denom;           /* by usable row: what 100% is */
	uint32_t nfuncs;
	uint32_t *ffirst;        /* CSR by function over fent */
	struct fentry *fent;     /* usable rows' entries, by function */
	double *x;               /* scratch: one value per usable row */
	ff_mwu_table *exact;
	ff_mwu_table *exact2;    /* for other sample sizes (CPI tests) */
	size_t testcap, onlycap, cpicap;
};

static ff_rc
work_alloc(struct work *w, ff_err *err)
{
	size_t n = ff_reps_count(w->reps);

	w->rows = ff_calloc(n ? n : 1, sizeof *w->rows);
	w->denom = ff_calloc(n ? n : 1, sizeof *w->denom);
	w->x = ff_calloc(n ? n : 1, sizeof *w->x);
	w->ffirst = ff_calloc((size_t)w->nfuncs + 1, sizeof *w->ffirst);
	if (w->rows == NULL || w->denom == NULL || w->x == NULL ||
	    w->ffirst == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

static void
work_free(struct work *w)
{
	ff_free(w->rows);
	ff_free(w->denom);
	ff_free(w->x);
	ff_free(w->ffirst);
	ff_free(w->fent);
	ff_mwu_table_free(w->exact);
	ff_mwu_table_free(w->exact2);
}

/* The exact U distribution for (nx, ny), or NULL (normal approximation):
 * the comparison's own, or one more kept for the last other sizes. */
static const ff_mwu_table *
exact_for(struct work *w, size_t nx, size_t ny)
{
	if (nx == w->n[0] && ny == w->n[1])
		return w->exact;
	if (w->exact2 == NULL || ff_mwu_table_nx(w->exact2) != nx ||
	    ff_mwu_table_ny(w->exact2) != ny) {
		ff_mwu_table_free(w->exact2);
		w->exact2 = ff_mwu_table_new(nx, ny);
	}
	return w->exact2;
}

/* Pick the profiles with samples, base first, and fill side summaries. */
static void
select_rows(struct work *w)
{
	size_t i, g;

	for (g = 0; g < 2; g++)
		for (i = 0; i < ff_reps_count(w->reps); i++) {
			const ff_rep *r = ff_reps_get(w->reps, i);
			ff_side *s = &w->res->side[g];

			if ((size_t)r->group != g || !(r->total > 0))
				continue;
			w->rows[w->nrows++] = (uint32_t)i;
			w->n[g]++;
			s->samples += r->total;
			if (s->profiles++ == 0 || r->start < s->first)
				s->first = r->start;
			if (r->start > s->last)
				s->last = r->start;
		}
}

/* Count distinct hosts per side. */
static ff_rc
count_hosts(struct work *w, ff_err *err)
{
	uint32_t nh = ff_intern_count(ff_reps_hosts((ff_reps *)w->reps)), g;
	unsigned char *seen = ff_calloc(nh ? nh : 1, 2);
	size_t i;

	if (seen == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		g = (uint32_t)r->group;
		if (!seen[(size_t)r->host * 2 + g]) {
			seen[(size_t)r->host * 2 + g] = 1;
			w->res->side[g].hosts++;
		}
	}
	ff_free(seen);
	return FF_OK;
}

/* What 100% is for each profile: its samples, or with normalize, its work
 * times the base side's mean samples per unit of work. */
static ff_rc
set_denominators(struct work *w, ff_err *err)
{
	double per_work = 0;
	size_t i;

	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		if (w->o->normalize && !(r->work > 0))
			return ff_err_set(err, FF_ERR_USAGE, "profile of host "
			    "'%s' has no positive numeric work label",
			    ff_intern_str(ff_reps_hosts((ff_reps *)w->reps),
			    r->host, NULL));
		if (r->group == FF_BASE && w->o->normalize)
			per_work += r->total / r->work / (double)w->n[0];
	}
	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		w->denom[i] = w->o->normalize ? r->work * per_work : r->total;
	}
	return FF_OK;
}

/* Copy the entries of usable rows into function order (CSR); within a
 * function they stay in row order, base rows first. */
static ff_rc
index_functions(struct work *w, ff_err *err)
{
	const ff_rep_entry *ents = ff_reps_entries(w->reps);
	size_t i, k, total = 0;
	uint32_t *fill;

	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		for (k = r->first; k < r->first + r->count; k++)
			w->ffirst[ents[k].func + 1]++;
		total += r->count;
	}
	for (i = 0; i < w->nfuncs; i++)
		w->ffirst[i + 1] += w->ffirst[i];
	w->fent = ff_calloc(total ? total : 1, sizeof *w->fent);
	fill = ff_calloc(w->nfuncs ? w->nfuncs : 1, sizeof *fill);
	if (w->fent == NULL || fill == NULL) {
		ff_free(fill);
		return ff_err_nomem(err);
	}
	memcpy(fill, w->ffirst, w->nfuncs * sizeof *fill);
	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		for (k = r->first; k < r->first + r->count; k++) {
			struct fentry *e = &w->fent[fill[ents[k].func]++];

			e->row = (uint32_t)i;
			e->self = ents[k].self;
			e->incl = ents[k].incl;
			e->self2 = ents[k].self2;
		}
	}
	ff_free(fill);
	return FF_OK;
}

/* ---- per-function values --------------------------------------------------- */

/* An entry's metric, in percent of its row's denominator. */
static double
value_of(const struct work *w, const struct fentry *e, ff_metric m)
{
	return 100 * (double)(m == FF_SELF ? e->self : e->incl) /
	    w->denom[e->row];
}

/* Function f's mean metric per side and the profiles where it is present,
 * from its entries alone (a function is in few profiles, or its share is
 * too small to test: most are settled here without touching every row).
 * A profile has at most one entry per function and entries come in row
 * order, so each sum adds the same values in the same order as summing
 * w->x after load_values: the means are the same to the last bit. */
static void
side_means(const struct work *w, uint32_t f, ff_metric m, unsigned present[2],
    double mean[2])
{
	double sum[2] = { 0, 0 };
	uint32_t k;

	present[0] = present[1] = 0;
	for (k = w->ffirst[f]; k < w->ffirst[f + 1]; k++) {
		const struct fentry *e = &w->fent[k];
		int side = e->row >= w->n[0];

		sum[side] += value_of(w, e, m);
		if (e->incl > 0)
			present[side]++;
	}
	mean[0] = w->n[0] > 0 ? sum[0] / (double)w->n[0] : 0;
	mean[1] = w->n[1] > 0 ? sum[1] / (double)w->n[1] : 0;
}

/* Fill w->x (all usable rows, base first) with function f's metric. */
static void
load_values(struct work *w, uint32_t f, ff_metric m)
{
	uint32_t k;

	memset(w->x, 0, w->nrows * sizeof *w->x);
	for (k = w->ffirst[f]; k < w->ffirst[f + 1]; k++)
		w->x[w->fent[k].row] = value_of(w, &w->fent[k], m);
}

static double
mean_of(const double *x, size_t n)
{
	double m, v;

	ff_stat_moments(x, n, &m, &v);
	return m;
}

static ff_rc
push_test(struct work *w, const ff_ftest *t, ff_err *err)
{
	ff_result *res = w->res;

	if (res->ntests == w->testcap) {
		size_t cap = w->testcap ? w->testcap * 2 : 256;
		ff_ftest *p = ff_reallocarray(res->tests, cap, sizeof *p);

		if (p == NULL)
			return ff_err_nomem(err);
		res->tests = p;
		w->testcap = cap;
	}
	res->tests[res->ntests++] = *t;
	return FF_OK;
}

static ff_rc
push_only(struct work *w, uint32_t f, int group, double mean,
    unsigned present, ff_err *err)
{
	ff_result *res = w->res;

	if (res->nonly == w->onlycap) {
		size_t cap = w->onlycap ? w->onlycap * 2 : 64;
		ff_fonly *p = ff_reallocarray(res->only, cap, sizeof *p);

		if (p == NULL)
			return ff_err_nomem(err);
		res->only = p;
		w->onlycap = cap;
	}
	res->only[res->nonly].func = f;
	res->only[res->nonly].group = group;
	res->only[res->nonly].mean = mean;
	res->only[res->nonly++].present = present;
	return FF_OK;
}

/* Test one function and metric: means, rank test, interval. */
static ff_rc
test_metric(struct work *w, uint32_t f, ff_metric m, ff_err *err)
{
	const double *xb = w->x, *xn = w->x + w->n[0];
	unsigned present[2];
	double mean[2];
	ff_ftest t;
	ff_mwu u;

	side_means(w, f, m, present, mean);
	memset(&t, 0, sizeof t);
	t.func = f;
	t.metric = m;
	t.base_present = present[0];
	t.new_present = present[1];
	t.base_mean = mean[0];
	t.new_mean = mean[1];
	if ((t.base_mean + t.new_mean) / 2 < w->o->threshold / 2)
		return FF_OK; /* too small to move by a threshold */
	load_values(w, f, m);
	if (ff_stat_mwu(xb, w->n[0], xn, w->n[1], w->exact, &u) != FF_OK)
		return ff_err_nomem(err);
	t.p = u.p;
	t.delta = t.new_mean - t.base_mean;
	t.rel = t.base_mean > 0 ? t.delta / t.base_mean : INFINITY;
	ff_stat_welch_ci(xb, w->n[0], xn, w->n[1], 0.95, &t.ci_lo, &t.ci_hi);
	return push_test(w, &t, err);
}

/* A function seen on one side only is listed, not tested: a renamed
 * function would otherwise count as a regression and an improvement.
 * Its callers' inclusive values still carry its cost. */
static ff_rc
classify_function(struct work *w, uint32_t f, ff_err *err)
{
	unsigned present[2];
	double mean[2];
	ff_rc rc;

	side_means(w, f, FF_INCL, present, mean);
	if (present[0] == 0 || present[1] == 0) {
		int g = present[0] == 0 ? FF_NEW : FF_BASE;

		if (present[g] == 0)
			return FF_OK;
		if (present[g] * 4 < w->n[g] && mean[g] < w->o->threshold)
			return FF_OK; /* a rare sample, not a function */
		return push_only(w, f, g, mean[g], present[g], err);
	}
	if ((mean[0] + mean[1]) / 2 >= w->o->threshold / 2)
		w->res->tested_funcs++;
	if ((rc = test_metric(w, f, FF_SELF, err)) != FF_OK)
		return rc;
	return test_metric(w, f, FF_INCL, err);
}

/* ---- FDR, classes, order ------------------------------------------------------ */

static int
regression_sized(const ff_check_opts *o, const ff_ftest *t)
{
	return t->delta >= o->threshold &&
	    (t->base_mean == 0 || t->rel >= o->min_rel);
}

static int
improvement_sized(const ff_check_opts *o, const ff_ftest *t)
{
	return t->delta <= -o->threshold && t->rel <= -o->min_rel;
}

/* q-values within one family (self or inclusive tests): Benjamini-
 * Hochberg over the family, times two (a Bonferroni split of alpha across
 * the two families, so the whole check keeps its false discovery rate at
 * alpha).  Splitting beats one pooled family because the self family is
 * small: inclusive values exist for every caller of everything. */
static ff_rc
family_q(ff_result *res, ff_metric m, ff_err *err)
{
	double *p = ff_calloc(res->ntests ? res->ntests : 1, sizeof *p);
	size_t i, n = 0;

	if (p == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < res->ntests; i++)
		if (res->tests[i].metric == m)
			p[n++] = res->tests[i].p;
	if (ff_stat_bh(p, p, n) != FF_OK) {
		ff_free(p);
		return ff_err_nomem(err);
	}
	for (i = 0, n = 0; i < res->ntests; i++)
		if (res->tests[i].metric == m)
			res->tests[i].q = fmin(1.0, 2 * p[n++]);
	ff_free(p);
	return FF_OK;
}

static ff_rc
apply_fdr(struct work *w, ff_err *err)
{
	ff_result *res = w->res;
	size_t i;
	ff_rc rc;

	if ((rc = family_q(res, FF_SELF, err)) != FF_OK ||
	    (rc = family_q(res, FF_INCL, err)) != FF_OK)
		return rc;
	for (i = 0; i < res->ntests; i++) {
		ff_ftest *t = &res->tests[i];

		if (t->q < w->o->alpha && regression_sized(w->o, t))
			t->cls = FF_CLASS_REGRESSION;
		else if (t->q < w->o->alpha && improvement_sized(w->o, t))
			t->cls = FF_CLASS_IMPROVEMENT;
		else if (t->q < w->o->suggest && regression_sized(w->o, t))
			t->cls = FF_CLASS_POSSIBLE;
	}
	return FF_OK;
}

/* The smallest q any test could reach: twice the rank test's smallest p
 * times the size of the smaller (non-empty) family. */
static double
best_possible_q(const struct work *w)
{
	size_t i, n[2] = { 0, 0 }, m;

	for (i = 0; i < w->res->ntests; i++)
		n[w->res->tests[i].metric]++;
	m = n[0] == 0 ? n[1] : n[1] == 0 ? n[0] : n[0] < n[1] ? n[0] : n[1];
	return fmin(1.0, 2 * ff_stat_mwu_min_p(w->n[0], w->n[1]) * (double)m);
}

static int
class_rank(ff_class c)
{
	switch (c) {
	case FF_CLASS_REGRESSION: return 0;
	case FF_CLASS_IMPROVEMENT: return 1;
	case FF_CLASS_POSSIBLE: return 2;
	case FF_CLASS_NONE: return 3;
	}
	return 3;
}

/* Regressions by largest increase, improvements by largest decrease,
 * possible ones by increase, the rest by p.  Within a class, self values
 * come before inclusive ones: a self increase is where the cost went,
 * while every caller of that function shows the same increase
 * inclusively. */
static int
test_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_ftest *ta = &((ff_ftest *)ctx)[a], *tb = &((ff_ftest *)ctx)[b];
	int ra = class_rank(ta->cls), rb = class_rank(tb->cls);
	double ka, kb;

	if (ra != rb)
		return ra - rb;
	if (ta->cls != FF_CLASS_NONE && ta->metric != tb->metric)
		return (int)ta->metric - (int)tb->metric;
	switch (ta->cls) {
	case FF_CLASS_REGRESSION:
	case FF_CLASS_POSSIBLE: ka = -ta->delta; kb = -tb->delta; break;
	case FF_CLASS_IMPROVEMENT: ka = ta->delta; kb = tb->delta; break;
	default: ka = ta->p; kb = tb->p; break;
	}
	if (ka != kb)
		return ka < kb ? -1 : 1;
	return (int)ta->metric - (int)tb->metric;
}

/* Sort n records of `size` bytes in place with cmp over their indexes. */
static ff_rc
sort_records(void *base, size_t n, size_t size, ff_sort_cmp cmp, ff_err *err)
{
	uint32_t *idx = ff_calloc(n ? n : 1, sizeof *idx);
	unsigned char *copy = ff_calloc(n ? n : 1, size);
	size_t i;

	if (idx == NULL || copy == NULL) {
		ff_free(idx);
		ff_free(copy);
		return ff_err_nomem(err);
	}
	memcpy(copy, base, n * size);
	for (i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	if (ff_sort_ids(idx, n, cmp, copy) != FF_OK) {
		ff_free(idx);
		ff_free(copy);
		return ff_err_nomem(err);
	}
	for (i = 0; i < n; i++)
		memcpy((unsigned char *)base + i * size, copy + idx[i] * size,
		    size);
	ff_free(idx);
	ff_free(copy);
	return FF_OK;
}

/* Keep the per-profile values of the first few findings (for plots). */
static ff_rc
keep_values(struct work *w, ff_err *err)
{
	ff_result *res = w->res;
	size_t i;

	for (i = 0; i < res->ntests && i < w->o->keep_values; i++) {
		ff_ftest *t = &res->tests[i];

		if (t->cls == FF_CLASS_NONE)
			break;
		load_values(w, t->func, t->metric);
		t->values = ff_calloc(w->nrows, sizeof *t->values);
		if (t->values == NULL)
			return ff_err_nomem(err);
		memcpy(t->values, w->x, w->nrows * sizeof *t->values);
	}
	return FF_OK;
}

/* ---- CPI --------------------------------------------------------------------- */

/* Per-profile CPI of f into w->x: base values first (nb), then new. */
static void
load_cpi(struct work *w, uint32_t f, size_t *nb, size_t *nn)
{
	double *tmp = w->x;
	size_t b = 0, n = 0;
	uint32_t k;

	/* Entries come in row order, base rows first. */
	for (k = w->ffirst[f]; k < w->ffirst[f + 1]; k++) {
		const struct fentry *e = &w->fent[k];

		if (!(e->self > 0 && e->self2 > 0))
			continue;
		if (e->row < w->n[0])
			tmp[b++] = e->self / e->self2;
		else
			tmp[b + n++] = e->self / e->self2;
	}
	*nb = b;
	*nn = n;
}

static ff_rc
push_cpi(struct work *w, const ff_fcpi *c, ff_err *err)
{
	ff_result *res = w->res;

	if (res->ncpi == w->cpicap) {
		size_t cap = w->cpicap ? w->cpicap * 2 : 64;
		ff_fcpi *p = ff_reallocarray(res->cpi, cap, sizeof *p);

		if (p == NULL)
			return ff_err_nomem(err);
		res->cpi = p;
		w->cpicap = cap;
	}
	res->cpi[res->ncpi++] = *c;
	return FF_OK;
}

static int
cpi_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_fcpi *ca = &((ff_fcpi *)ctx)[a], *cb = &((ff_fcpi *)ctx)[b];

	if (ca->flagged != cb->flagged)
		return cb->flagged - ca->flagged;
	if (ca->p != cb->p)
		return ca->p < cb->p ? -1 : 1;
	return ca->func < cb->func ? -1 : ca->func > cb->func;
}

static ff_rc
analyse_cpi(struct work *w, ff_err *err)
{
	ff_result *res = w->res;
	size_t i, nb, nn;
	double *p;
	ff_rc rc = FF_OK;

	for (i = 0; i < res->ntests && rc == FF_OK; i++) {
		const ff_ftest *t = &res->tests[i];
		ff_fcpi c;
		ff_mwu u;

		if (t->metric != FF_SELF ||
		    (t->base_mean + t->new_mean) / 2 < w->o->threshold)
			continue;
		load_cpi(w, t->func, &nb, &nn);
		if (nb < w->o->min_profiles || nn < w->o->min_profiles)
			continue;
		memset(&c, 0, sizeof c);
		c.func = t->func;
		c.nbase = (unsigned)nb;
		c.nnew = (unsigned)nn;
		c.base_cpi = mean_of(w->x, nb);
		c.new_cpi = mean_of(w->x + nb, nn);
		c.delta = c.new_cpi - c.base_cpi;
		c.rel = c.delta / c.base_cpi;
		ff_stat_welch_ci(w->x, nb, w->x + nb, nn, 0.95, &c.ci_lo,
		    &c.ci_hi);
		if (ff_stat_mwu(w->x, nb, w->x + nb, nn, exact_for(w, nb, nn),
		    &u) != FF_OK)
			return ff_err_nomem(err);
		c.p = u.p;
		rc = push_cpi(w, &c, err);
	}
	if (rc != FF_OK || res->ncpi == 0)
		return rc;
	if ((p = ff_calloc(res->ncpi, sizeof *p)) == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < res->ncpi; i++)
		p[i] = res->cpi[i].p;
	if (ff_stat_bh(p, p, res->ncpi) != FF_OK) {
		ff_free(p);
		return ff_err_nomem(err);
	}
	for (i = 0; i < res->ncpi; i++) {
		ff_fcpi *c = &res->cpi[i];

		c->q = p[i];
		c->flagged = c->q < w->o->alpha && c->delta > 0 &&
		    c->rel >= w->o->min_rel;
	}
	ff_free(p);
	return sort_records(res->cpi, res->ncpi, sizeof *res->cpi, cpi_cmp, err);
}

/* ---- whole-program cost per unit of work ---------------------------------------- */

static ff_rc
analyse_totals(struct work *w, ff_err *err)
{
	ff_result *res = w->res;
	size_t i;
	ff_mwu u;

	for (i = 0; i < w->nrows; i++) {
		const ff_rep *r = ff_reps_get(w->reps, w->rows[i]);

		if (!(r->work > 0))
			return FF_OK; /* no work label: no totals */
		w->x[i] = r->total / r->work;
	}
	res->totals.have = 1;
	res->totals.base = mean_of(w->x, w->n[0]);
	res->totals.new_ = mean_of(w->x + w->n[0], w->n[1]);
	res->totals.rel = res->totals.new_ / res->totals.base - 1;
	ff_stat_welch_ci(w->x, w->n[0], w->x + w->n[0], w->n[1], 0.95,
	    &res->totals.ci_lo, &res->totals.ci_hi);
	res->totals.ci_lo /= res->totals.base;
	res->totals.ci_hi /= res->totals.base;
	if (ff_stat_mwu(w->x, w->n[0], w->x + w->n[0], w->n[1], w->exact, &u) !=
	    FF_OK)
		return ff_err_nomem(err);
	res->totals.p = u.p;
	return FF_OK;
}

/* ---- the verdict -------------------------------------------------------------- */

static void
decide(struct work *w)
{
	ff_result *res = w->res;
	const ff_check_opts *o = w->o;
	const ff_ftest *first = res->ntests > 0 ? &res->tests[0] : NULL;
	size_t i, nreg = 0;

	for (i = 0; i < res->ntests; i++)
		nreg += res->tests[i].cls == FF_CLASS_REGRESSION;
	if (w->n[0] < o->min_profiles || w->n[1] < o->min_profiles) {
		res->verdict = FF_VERDICT_INCONCLUSIVE;
		snprintf(res->reason, sizeof res->reason, "too few profiles: "
		    "base has %zu, new has %zu (minimum %u per side)", w->n[0],
		    w->n[1], o->min_profiles);
	} else if (nreg > 0) {
		res->verdict = FF_VERDICT_REGRESSED;
		snprintf(res->reason, sizeof res->reason, "%zu function "
		    "metric%s regressed; largest: %s %s %+.3f pp (q=%.2g)",
		    nreg, nreg == 1 ? "" : "s", ff_result_func(res, first->func),
		    first->metric == FF_SELF ? "self" : "inclusive",
		    first->delta, first->q);
	} else if (res->ntests > 0 && res->best_q >= o->alpha) {
		res->verdict = FF_VERDICT_INCONCLUSIVE;
		snprintf(res->reason, sizeof res->reason, "with %zu and %zu "
		    "profiles no change among %zu tests can reach q < %g "
		    "(best possible q = %.2g): add hosts", w->n[0], w->n[1],
		    res->ntests, o->alpha, res->best_q);
	} else if (first != NULL && first->cls == FF_CLASS_POSSIBLE) {
		res->verdict = FF_VERDICT_INCONCLUSIVE;
		snprintf(res->reason, sizeof res->reason, "possible regression "
		    "in %s %s %+.3f pp (q=%.2g): not significant at %g, not "
		    "ruled out", ff_result_func(res, first->func),
		    first->metric == FF_SELF ? "self" : "inclusive",
		    first->delta, first->q, o->alpha);
	} else {
		res->verdict = FF_VERDICT_SAME;
		snprintf(res->reason, sizeof res->reason, "no function rose by "
		    "%.2f pp and %.0f%% at q < %g (%zu tests)", o->threshold,
		    o->min_rel * 100, o->alpha, res->ntests);
	}
}

ff_rc
ff_check_run(const ff_reps *reps, const ff_check_opts *opts, ff_result **out,
    ff_err *err)
{
	struct work w;
	ff_result *res;
	uint32_t f;
	ff_rc rc;

	*out = NULL;
	memset(&w, 0, sizeof w);
	if ((res = ff_calloc(1, sizeof *res)) == NULL)
		return ff_err_nomem(err);
	res->opts = *opts;
	res->reps = reps;
	res->funcs = ff_reps_funcs((ff_reps *)reps);
	w.reps = reps;
	w.o = opts;
	w.res = res;
	w.nfuncs = ff_intern_count(res->funcs);
	if ((rc = work_alloc(&w, err)) != FF_OK)
		goto out;
	select_rows(&w);
	if (w.n[0] == 0 || w.n[1] == 0) {
		rc = ff_err_set(err, FF_ERR_USAGE, "nothing to compare: the base "
		    "side has %zu profiles with samples, the new side %zu",
		    w.n[0], w.n[1]);
		goto out;
	}
	w.exact = ff_mwu_table_new(w.n[0], w.n[1]);
	if ((rc = count_hosts(&w, err)) != FF_OK ||
	    (rc = set_denominators(&w, err)) != FF_OK ||
	    (rc = index_functions(&w, err)) != FF_OK)
		goto out;
	for (f = 0; f < w.nfuncs && rc == FF_OK; f++)
		rc = classify_function(&w, f, err);
	if (rc != FF_OK || (rc = apply_fdr(&w, err)) != FF_OK ||
	    (rc = sort_records(res->tests, res->ntests, sizeof *res->tests,
	    test_cmp, err)) != FF_OK ||
	    (rc = keep_values(&w, err)) != FF_OK)
		goto out;
	res->best_q = best_possible_q(&w);
	if (opts->cpi && ff_reps_has_second(reps) &&
	    (rc = analyse_cpi(&w, err)) != FF_OK)
		goto out;
	if (opts->totals && (rc = analyse_totals(&w, err)) != FF_OK)
		goto out;
	decide(&w);
	res->rows = w.rows;
	res->nrows = w.nrows;
	w.rows = NULL;
out:
	work_free(&w);
	if (rc != FF_OK) {
		ff_result_free(res);
		return rc;
	}
	*out = res;
	return FF_OK;
}
