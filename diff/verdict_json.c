/*
 * verdict_json.c -- JSON view of an ff_result (see verdict_json.h).
 */
#include "diff/verdict_json.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "profile/utf8.h"

#include <math.h>
#include <string.h>

#include <jansson.h>

/* A real, or null for NaN and infinities (JSON has neither). */
static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Set key on obj; counts a failure in *bad. */
static void
put(json_t *obj, const char *key, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		*bad = 1;
}

static void
push(json_t *arr, json_t *v, int *bad)
{
	if (v == NULL || json_array_append_new(arr, v) != 0)
		*bad = 1;
}

static json_t *
stamp(int64_t t)
{
	char buf[FF_STAMP_LEN];

	ff_stamp_format(t, buf);
	return json_string(buf);
}

static const char *
metric_name(ff_metric m)
{
	return m == FF_SELF ? "self" : "inclusive";
}

static const char *
class_name(ff_class c)
{
	switch (c) {
	case FF_CLASS_REGRESSION: return "regression";
	case FF_CLASS_IMPROVEMENT: return "improvement";
	case FF_CLASS_POSSIBLE: return "possible";
	case FF_CLASS_NONE: return "none";
	}
	return "none";
}

/* A JSON string of a name that may not be UTF-8: invalid bytes become
 * U+FFFD (jansson refuses invalid UTF-8). */
static json_t *
name_json(const char *s)
{
	json_t *v = json_string(s);

	if (v == NULL) {
		size_t n = strlen(s), i, o = 0;
		char *buf = ff_malloc(n * 3 + 1);

		if (buf == NULL)
			return NULL;
		for (i = 0; i < n;) {
			size_t k = ff_utf8_seq((const unsigned char *)s + i,
			    n - i);

			if (k == 0) {
				memcpy(buf + o, "\xef\xbf\xbd", 3);
				o += 3;
				i++;
			} else {
				memcpy(buf + o, s + i, k);
				o += k;
				i += k;
			}
		}
		v = json_stringn(buf, o);
		ff_free(buf);
	}
	return v;
}

static json_t *
side_json(const ff_result *res, int g)
{
	const ff_side *s = &res->side[g];
	json_t *o = json_object(), *hosts = json_array();
	const ff_intern *hn = ff_reps_hosts((ff_reps *)res->reps);
	unsigned char *seen;
	size_t i;
	int bad = o == NULL || hosts == NULL;

	seen = ff_calloc(ff_intern_count(hn) + 1, 1);
	bad |= seen == NULL;
	for (i = 0; !bad && i < res->nrows; i++) {
		const ff_rep *r = ff_reps_get(res->reps, res->rows[i]);

		if (r->group != g || seen[r->host])
			continue;
		seen[r->host] = 1;
		push(hosts, name_json(ff_intern_str(hn, r->host, NULL)), &bad);
	}
	ff_free(seen);
	if (!bad) {
		put(o, "selection", json_string(s->what), &bad);
		put(o, "profiles", json_integer((json_int_t)s->profiles), &bad);
		put(o, "hosts", json_integer((json_int_t)s->hosts), &bad);
		put(o, "samples", json_real(s->samples), &bad);
		put(o, "event", json_string(ff_reps_event(res->reps)), &bad);
		put(o, "first_start", stamp(s->first), &bad);
		put(o, "last_start", stamp(s->last), &bad);
		put(o, "host_names", hosts, &bad);
		hosts = NULL;
	}
	json_decref(hosts);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
options_json(const ff_check_opts *o)
{
	json_t *j = json_object();
	int bad = j == NULL;

	if (!bad) {
		put(j, "threshold_pp", json_real(o->threshold), &bad);
		put(j, "min_rel", json_real(o->min_rel), &bad);
		put(j, "alpha", json_real(o->alpha), &bad);
		put(j, "suggest", json_real(o->suggest), &bad);
		put(j, "min_profiles", json_integer(o->min_profiles), &bad);
		put(j, "metric", json_string(o->normalize ?
		    "cost_per_work" : "share"), &bad);
	}
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *
test_json(const ff_result *res, const ff_ftest *t)
{
	json_t *o = json_object();
	int bad = o == NULL;

	if (bad)
		return NULL;
	put(o, "function", name_json(ff_result_func(res, t->func)), &bad);
	put(o, "metric", json_string(metric_name(t->metric)), &bad);
	put(o, "class", json_string(class_name(t->cls)), &bad);
	put(o, "base_mean", num(t->base_mean), &bad);
	put(o, "new_mean", num(t->new_mean), &bad);
	put(o, "delta_pp", num(t->delta), &bad);
	put(o, "ci95", json_pack("[oo]", num(t->ci_lo), num(t->ci_hi)), &bad);
	put(o, "rel", num(t->rel), &bad);
	put(o, "p", num(t->p), &bad);
	put(o, "q", num(t->q), &bad);
	put(o, "base_present", json_integer(t->base_present), &bad);
	put(o, "new_present", json_integer(t->new_present), &bad);
	if (t->values != NULL) {
		json_t *v = json_array();
		size_t i;

		for (i = 0; v != NULL && i < res->nrows; i++)
			push(v, num(t->values[i]), &bad);
		put(o, "values", v, &bad);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
profiles_json(const ff_result *res)
{
	const ff_intern *hn = ff_reps_hosts((ff_reps *)res->reps);
	json_t *a = json_array();
	size_t i;
	int bad = a == NULL;

	for (i = 0; !bad && i < res->nrows; i++) {
		const ff_rep *r = ff_reps_get(res->reps, res->rows[i]);

		push(a, json_pack("{s:s,s:o,s:o,s:f,s:o}", "side",
		    r->group == FF_BASE ? "base" : "new", "host",
		    name_json(ff_intern_str(hn, r->host, NULL)), "start",
		    stamp(r->start), "samples", r->total, "work",
		    num(r->work)), &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
only_json(const ff_result *res)
{
	json_t *a = json_array();
	size_t i;
	int bad = a == NULL;

	for (i = 0; !bad && i < res->nonly; i++) {
		const ff_fonly *f = &res->only[i];

		push(a, json_pack("{s:o,s:s,s:o,s:i}", "function",
		    name_json(ff_result_func(res, f->func)), "status",
		    f->group == FF_NEW ? "appeared" : "vanished",
		    "mean_inclusive", num(f->mean), "profiles",
		    (int)f->present), &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
cpi_json(const ff_result *res)
{
	json_t *a = json_array();
	size_t i;
	int bad = a == NULL;

	for (i = 0; !bad && i < res->ncpi; i++) {
		const ff_fcpi *c = &res->cpi[i];

		push(a, json_pack("{s:o,s:o,s:o,s:o,s:[oo],s:o,s:o,s:o,s:i,s:i,"
		    "s:b}", "function", name_json(ff_result_func(res, c->func)),
		    "base_cpi", num(c->base_cpi), "new_cpi", num(c->new_cpi),
		    "delta", num(c->delta), "ci95", num(c->ci_lo),
		    num(c->ci_hi), "rel", num(c->rel), "p", num(c->p), "q",
		    num(c->q), "base_profiles", (int)c->nbase, "new_profiles",
		    (int)c->nnew, "flagged", c->flagged), &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
totals_json(const ff_result *res)
{
	if (!res->totals.have)
		return json_null();
	return json_pack("{s:o,s:o,s:o,s:[oo],s:o}", "base_cost_per_work",
	    num(res->totals.base), "new_cost_per_work", num(res->totals.new_),
	    "rel", num(res->totals.rel), "ci95_rel", num(res->totals.ci_lo),
	    num(res->totals.ci_hi), "p", num(res->totals.p));
}

/* Names of the tests of one class, in rank order. */
static json_t *
class_list(const ff_result *res, ff_class cls)
{
	json_t *a = json_array();
	size_t i;
	int bad = a == NULL;

	for (i = 0; !bad && i < res->ntests; i++)
		if (res->tests[i].cls == cls)
			push(a, json_pack("{s:o,s:s,s:o,s:o}", "function",
			    name_json(ff_result_func(res, res->tests[i].func)),
			    "metric", metric_name(res->tests[i].metric),
			    "delta_pp", num(res->tests[i].delta), "q",
			    num(res->tests[i].q)), &bad);
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
result_json(const ff_result *res)
{
	json_t *root = json_object(), *tests = json_array();
	size_t i;
	int bad = root == NULL || tests == NULL;

	for (i = 0; !bad && i < res->ntests; i++)
		push(tests, test_json(res, &res->tests[i]), &bad);
	if (!bad) {
		put(root, "format", json_string(FF_VERDICT_FORMAT), &bad);
		put(root, "verdict", json_string(ff_verdict_name(res->verdict)),
		    &bad);
		put(root, "exit_code", json_integer((int)res->verdict), &bad);
		put(root, "reason", json_string(res->reason), &bad);
		put(root, "options", options_json(&res->opts), &bad);
		put(root, "base", side_json(res, FF_BASE), &bad);
		put(root, "new", side_json(res, FF_NEW), &bad);
		put(root, "profiles", profiles_json(res), &bad);
		put(root, "tested_functions", json_integer(
		    (json_int_t)res->tested_funcs), &bad);
		put(root, "tests", json_integer((json_int_t)res->ntests), &bad);
		put(root, "best_possible_q", num(res->best_q), &bad);
		put(root, "regressions", class_list(res, FF_CLASS_REGRESSION),
		    &bad);
		put(root, "improvements", class_list(res, FF_CLASS_IMPROVEMENT),
		    &bad);
		put(root, "possible_regressions", class_list(res,
		    FF_CLASS_POSSIBLE), &bad);
		put(root, "one_side_only", only_json(res), &bad);
		put(root, "cpi", cpi_json(res), &bad);
		put(root, "totals", totals_json(res), &bad);
		put(root, "functions", tests, &bad);
		tests = NULL;
	}
	json_decref(tests);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

ff_rc
ff_verdict_json_string(const ff_result *res, char **out, ff_err *err)
{
	json_t *root = result_json(res);

	*out = NULL;
	if (root == NULL)
		return ff_err_nomem(err);
	*out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(8));
	json_decref(root);
	return *out != NULL ? FF_OK : ff_err_nomem(err);
}

ff_rc
ff_verdict_json_write(const ff_result *res, FILE *out, ff_err *err)
{
	char *text;
	ff_rc rc;

	if ((rc = ff_verdict_json_string(res, &text, err)) != FF_OK)
		return rc;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		rc = ff_err_set(err, FF_ERR_IO, "write error");
	ff_free(text);
	return rc;
}
