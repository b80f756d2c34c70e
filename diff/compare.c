/*
 * compare.c -- a store-backed comparison (see compare.h).
 */
#include "diff/compare.h"
#include "diff/fdiff.h"
#include "diff/fetch.h"
#include "profile/mem.h"
#include "store/query.h"
#include "store/sel.h"

#include <stdio.h>
#include <string.h>

struct ff_compare {
	ff_store *st;          /* borrowed */
	ff_sel sel[2];
	char what[2][512];
	ff_intern *frames;     /* for aggregates */
	ff_reps *reps;
	ff_result *res;
};

ff_rc
ff_compare_new(ff_compare **out, ff_store *st, const char *base,
    const char *new_, const char *type, int64_t now, ff_err *err)
{
	const char *text[2] = { base, new_ };
	ff_compare *c;
	int g;
	ff_rc rc = FF_OK;

	*out = NULL;
	if ((c = ff_calloc(1, sizeof *c)) == NULL)
		return ff_err_nomem(err);
	c->st = st;
	ff_sel_init(&c->sel[0]);
	ff_sel_init(&c->sel[1]);
	c->frames = ff_intern_new();
	c->reps = ff_reps_new();
	if (c->frames == NULL || c->reps == NULL)
		rc = ff_err_nomem(err);
	for (g = 0; rc == FF_OK && g < 2; g++) {
		rc = ff_sel_parse(&c->sel[g], text[g], now, err);
		if (rc != FF_OK)
			ff_err_prefix(err, "%s selection: ", g ? "new" : "base");
		if (rc == FF_OK && type != NULL)
			rc = ff_sel_set(&c->sel[g], "type", 4, type, strlen(type),
			    now, err);
		if (rc == FF_OK)
			ff_sel_format(&c->sel[g], c->what[g], sizeof c->what[g]);
	}
	if (rc != FF_OK) {
		ff_compare_free(c);
		return rc;
	}
	*out = c;
	return FF_OK;
}

void
ff_compare_free(ff_compare *c)
{
	if (c == NULL)
		return;
	ff_result_free(c->res);
	ff_reps_free(c->reps);
	ff_intern_free(c->frames);
	ff_sel_free(&c->sel[0]);
	ff_sel_free(&c->sel[1]);
	ff_free(c);
}

const char *
ff_compare_what(const ff_compare *c, int side)
{
	return c->what[side];
}

ff_rc
ff_compare_check(ff_compare *c, const ff_check_opts *opts,
    const char *work_label, const ff_result **out, ff_err *err)
{
	int g;
	ff_rc rc;

	*out = NULL;
	if (c->res == NULL) {
		for (g = 0; g < 2; g++)
			if ((rc = ff_fetch_reps(c->st, &c->sel[g], g, work_label,
			    c->reps, NULL, err)) != FF_OK)
				return rc;
		if ((rc = ff_check_run(c->reps, opts, &c->res, err)) != FF_OK)
			return rc;
		for (g = 0; g < 2; g++)
			snprintf(c->res->side[g].what, sizeof c->res->side[g].what,
			    "%s", c->what[g]);
	}
	*out = c->res;
	return FF_OK;
}

ff_rc
ff_compare_aggregate(ff_compare *c, int side, ff_stacks **out, ff_err *err)
{
	return ff_query_aggregate(c->st, &c->sel[side], c->frames, out, NULL,
	    err);
}

