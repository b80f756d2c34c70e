/*
 * table.c -- plain-text rendering of an ff_result (see table.h).
 */
#include "diff/table.h"
#include "profile/stamp.h"

#include <math.h>
#include <string.h>

/* 1234567 -> "1,234,567". */
static const char *
thousands(double v, char *buf, size_t cap)
{
	char tmp[64];
	size_t n, i, o = 0;

	snprintf(tmp, sizeof tmp, "%.0f", v);
	n = strlen(tmp);
	for (i = 0; i < n && o + 2 < cap; i++) {
		if (i > 0 && tmp[i - 1] != '-' && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static void
write_side(const ff_result *res, int g, FILE *out)
{
	const ff_side *s = &res->side[g];
	char a[FF_STAMP_LEN], b[FF_STAMP_LEN], n[64];

	ff_stamp_format(s->first, a);
	ff_stamp_format(s->last, b);
	fprintf(out, "  %-4s %s: %zu profiles, %zu hosts, %s %s, %s .. %s\n",
	    g == FF_BASE ? "base" : "new", s->what[0] ? s->what : "-",
	    s->profiles, s->hosts, thousands(s->samples, n, sizeof n),
	    ff_reps_event(res->reps), a, b);
}

/* A function name cut to width with ".." so columns stay aligned. */
static void
write_name(const char *name, int width, FILE *out)
{
	int len = (int)strlen(name);

	if (len <= width)
		fprintf(out, "  %-*s", width, name);
	else
		fprintf(out, "  %.*s..", width - 2, name);
}

static void
write_tests(const ff_result *res, ff_class cls, const char *title,
    size_t limit, FILE *out)
{
	size_t i, shown = 0, total = 0;

	for (i = 0; i < res->ntests; i++)
		total += res->tests[i].cls == cls;
	if (total == 0)
		return;
	fprintf(out, "\n%s (%zu)\n", title, total);
	fprintf(out, "  %-40s %-4s %8s %8s %9s  %-21s %8s\n", "function",
	    "kind", "base %", "new %", "delta pp", "95% CI", "q");
	for (i = 0; i < res->ntests && shown < limit; i++) {
		const ff_ftest *t = &res->tests[i];

		if (t->cls != cls)
			continue;
		write_name(ff_result_func(res, t->func), 40, out);
		fprintf(out, " %-4s %8.3f %8.3f %+9.3f  [%+8.3f, %+8.3f] "
		    "%8.2g\n", t->metric == FF_SELF ? "self" : "incl",
		    t->base_mean, t->new_mean, t->delta, t->ci_lo, t->ci_hi,
		    t->q);
		shown++;
	}
	if (shown < total)
		fprintf(out, "  ... %zu more (see --json)\n", total - shown);
}

static void
write_only(const ff_result *res, size_t limit, FILE *out)
{
	size_t i, shown = 0;

	if (res->nonly == 0)
		return;
	fprintf(out, "\nON ONE SIDE ONLY (%zu; not tested, their callers' "
	    "inclusive values carry them)\n", res->nonly);
	for (i = 0; i < res->nonly && shown < limit; i++, shown++) {
		const ff_fonly *f = &res->only[i];

		write_name(ff_result_func(res, f->func), 40, out);
		fprintf(out, " %-8s %8.3f %% inclusive, in %u profiles\n",
		    f->group == FF_NEW ? "appeared" : "vanished", f->mean,
		    f->present);
	}
	if (shown < res->nonly)
		fprintf(out, "  ... %zu more (see --json)\n", res->nonly - shown);
}

static void
write_cpi(const ff_result *res, size_t limit, FILE *out)
{
	size_t i, flagged = 0;

	for (i = 0; i < res->ncpi; i++)
		flagged += res->cpi[i].flagged;
	if (res->ncpi == 0)
		return;
	fprintf(out, "\nCPI (%zu functions compared, %zu rose significantly)\n",
	    res->ncpi, flagged);
	if (flagged == 0)
		return;
	fprintf(out, "  %-40s %8s %8s %9s  %-21s %8s\n", "function",
	    "base", "new", "delta", "95% CI", "q");
	for (i = 0; i < res->ncpi && i < limit && res->cpi[i].flagged; i++) {
		const ff_fcpi *c = &res->cpi[i];

		write_name(ff_result_func(res, c->func), 40, out);
		fprintf(out, " %8.3f %8.3f %+9.3f  [%+8.3f, %+8.3f] %8.2g\n",
		    c->base_cpi, c->new_cpi, c->delta, c->ci_lo, c->ci_hi,
		    c->q);
	}
}

void
ff_table_write(const ff_result *res, FILE *out, size_t limit)
{
	const ff_check_opts *o = &res->opts;

	if (limit == 0)
		limit = 20;
	fprintf(out, "verdict: %s\n  %s\n", ff_verdict_name(res->verdict),
	    res->reason);
	write_side(res, FF_BASE, out);
	write_side(res, FF_NEW, out);
	fprintf(out, "  %zu functions, %zu tests (self and inclusive %s), "
	    "alpha %g, threshold %+.2f pp and %+.0f%%\n", res->tested_funcs,
	    res->ntests, o->normalize ? "cost per unit of work" : "share",
	    o->alpha, o->threshold, o->min_rel * 100);
	write_tests(res, FF_CLASS_REGRESSION, "REGRESSIONS", limit, out);
	write_tests(res, FF_CLASS_IMPROVEMENT, "IMPROVEMENTS", limit,
	    out);
	write_tests(res, FF_CLASS_POSSIBLE, "POSSIBLE REGRESSIONS (not "
	    "significant)", limit, out);
	write_only(res, limit, out);
	write_cpi(res, limit, out);
	if (res->totals.have)
		fprintf(out, "\nTOTAL COST PER UNIT OF WORK\n  base %.4g, new "
		    "%.4g: %+.2f%% (95%% CI %+.2f%% .. %+.2f%%, p=%.2g)\n",
		    res->totals.base, res->totals.new_, res->totals.rel * 100,
		    res->totals.ci_lo * 100, res->totals.ci_hi * 100,
		    res->totals.p);
}
