/*
 * web.c -- the store's web page and comparisons (see web.h).
 */
#include "store/web.h"
#include "store/query.h"
#include "store/sel.h"

#include "diff/check.h"
#include "diff/compare.h"
#include "diff/graphset.h"
#include "diff/junit.h"
#include "diff/verdict_json.h"
#include "profile/fold.h"
#include "profile/hash.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "report/flamegraph.h"
#include "report/html.h"
#include "report/obuf.h"
#include "report/xml.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_HTML, F_JSON, F_JUNIT, F_SVG, F_NEG, F_CPI, F_CPIDIFF,
	F_FOLDED, NFMT };

static const struct {
	const char *name;
	const char *type;
} fmts[NFMT] = {
	{ "html", "text/html; charset=utf-8" },
	{ "json", "application/json" },
	{ "junit", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "negated.svg", "image/svg+xml" },
	{ "cpi.svg", "image/svg+xml" },
	{ "cpi-diff.svg", "image/svg+xml" },
	{ "folded", "text/plain; charset=utf-8" },
};

enum { CACHE = 8, CACHE_BYTES = 96 << 20, TEXT_MAX = 1024 };

struct entry {
	char *key;                /* canonical request */
	char fp[FF_DIGEST_HEX];   /* the profiles it selected */
	char *out[NFMT];          /* rendered, or NULL (not available) */
	size_t len[NFMT];
	size_t bytes;
	uint64_t used;
};

struct ff_web {
	pthread_mutex_t lock;
	struct entry e[CACHE];
	uint64_t tick;
	size_t bytes;
};

/* One comparison request, parsed. */
struct creq {
	char base[TEXT_MAX], new_[TEXT_MAX];
	const char *type;
	ff_check_opts o;
	const char *work;
	enum fmt fmt;
	char key[4 * TEXT_MAX];
	char query[8 * TEXT_MAX];  /* canonical query string, encoded */
};

/* ---- the cache ------------------------------------------------------------ */

ff_web *
ff_web_new(void)
{
	ff_web *w = ff_calloc(1, sizeof *w);

	if (w != NULL)
		pthread_mutex_init(&w->lock, NULL);
	return w;
}

static void
entry_clear(struct entry *e)
{
	int f;

	ff_free(e->key);
	for (f = 0; f < NFMT; f++)
		ff_free(e->out[f]);
	memset(e, 0, sizeof *e);
}

void
ff_web_free(ff_web *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < CACHE; i++)
		entry_clear(&w->e[i]);
	pthread_mutex_destroy(&w->lock);
	ff_free(w);
}

/* Copy the cached answer for (key, fp, fmt) into r; 1 when found. */
static int
cache_get(ff_web *w, const struct creq *c, const char *fp, ff_api_resp *r)
{
	int i, hit = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < CACHE; i++) {
		struct entry *e = &w->e[i];

		if (e->key == NULL || strcmp(e->key, c->key) != 0 ||
		    strcmp(e->fp, fp) != 0)
			continue;
		e->used = ++w->tick;
		if (e->out[c->fmt] != NULL &&
		    ff_buf_append(&r->body, e->out[c->fmt], e->len[c->fmt]) ==
		    FF_OK)
			hit = 1;
		break;
	}
	pthread_mutex_unlock(&w->lock);
	return hit;
}

/* Take e's contents into the cache (e is left empty). */
static void
cache_put(ff_web *w, struct entry *e)
{
	int i, victim = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < CACHE; i++)
		if (w->e[i].key != NULL && strcmp(w->e[i].key, e->key) == 0) {
			victim = i;
			goto found;
		}
	for (i = 1; i < CACHE; i++)
		if (w->e[i].used < w->e[victim].used)
			victim = i;
found:
	w->bytes -= w->e[victim].bytes;
	entry_clear(&w->e[victim]);
	/* Stay within the byte budget: drop the oldest others. */
	while (w->bytes + e->bytes > CACHE_BYTES) {
		int old = -1;

		for (i = 0; i < CACHE; i++)
			if (w->e[i].key != NULL &&
			    (old < 0 || w->e[i].used < w->e[old].used))
				old = i;
		if (old < 0)
			break;
		w->bytes -= w->e[old].bytes;
		entry_clear(&w->e[old]);
	}
	if (e->bytes <= CACHE_BYTES) {
		w->e[victim] = *e;
		w->e[victim].used = ++w->tick;
		w->bytes += e->bytes;
		memset(e, 0, sizeof *e);
	}
	pthread_mutex_unlock(&w->lock);
}

/* ---- requests ------------------------------------------------------------------ */

int
ff_web_known(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/compare") == 0 ||
	    strcmp(path, "/v1/compare") == 0;
}

static const char *
arg(const ff_api_req *req, const char *key)
{
	unsigned i;

	for (i = 0; i < req->nargs; i++)
		if (strcmp(req->keys[i], key) == 0)
			return req->values[i];
	return NULL;
}

/* Append s to buf (cap bytes) percent-encoded for a query string. */
static void
url_encode(char *buf, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(buf);

	for (; *s != '\0' && n + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
}

/* sel = base (or build=B[,extra]) into out. */
static int
side_sel(const ff_api_req *req, const char *which, char *out, size_t cap)
{
	char key[32];
	const char *sel, *build, *extra = arg(req, "extra");

	sel = arg(req, which);
	snprintf(key, sizeof key, "%s_build", which);
	build = arg(req, key);
	if (sel != NULL && *sel != '\0')
		return snprintf(out, cap, "%s", sel) < (int)cap ? 0 : -1;
	if (build == NULL || *build == '\0')
		return -1;
	if (extra != NULL && *extra != '\0')
		return snprintf(out, cap, "build=%s,%s", build, extra) <
		    (int)cap ? 0 : -1;
	return snprintf(out, cap, "build=%s", build) < (int)cap ? 0 : -1;
}

static int
known_arg(const char *k)
{
	static const char *const keys[] = { "base", "new", "base_build",
	    "new_build", "extra", "type", "format", "threshold", "min_rel",
	    "alpha", "normalize_by", "totals", NULL };
	int i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], k) == 0)
			return 1;
	return 0;
}

static int
num_arg(const ff_api_req *req, const char *key, double lo, double hi,
    double *v)
{
	const char *s = arg(req, key);
	char *end;
	double d;

	if (s == NULL)
		return 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || !(d >= lo && d <= hi))
		return -1;
	*v = d;
	return 0;
}

/* Parse a comparison request; 0, or -1 with a message in msg. */
static int
parse_creq(const ff_api_req *req, int api, struct creq *c, char *msg,
    size_t cap)
{
	const char *f = arg(req, "format"), *t;
	unsigned i;
	int k;

	memset(c, 0, sizeof *c);
	ff_check_opts_init(&c->o);
	c->fmt = api ? F_JSON : F_HTML;
	for (i = 0; i < req->nargs; i++)
		if (!known_arg(req->keys[i]))
			return snprintf(msg, cap, "unknown parameter '%.64s'",
			    req->keys[i]), -1;
	if (req->too_many_args)
		return snprintf(msg, cap, "too many parameters"), -1;
	if (side_sel(req, "base", c->base, sizeof c->base) != 0 ||
	    side_sel(req, "new", c->new_, sizeof c->new_) != 0)
		return snprintf(msg, cap, "a comparison needs base= and new= "
		    "selections (or base_build= and new_build=)"), -1;
	for (k = 0; f != NULL && k < NFMT; k++)
		if (strcmp(f, fmts[k].name) == 0)
			c->fmt = (enum fmt)k;
	if (f != NULL && strcmp(fmts[c->fmt].name, f) != 0)
		return snprintf(msg, cap, "unknown format '%.32s'", f), -1;
	t = arg(req, "type");
	c->type = t != NULL && *t != '\0' ? t : NULL;
	if (num_arg(req, "threshold", 0, 100, &c->o.threshold) != 0 ||
	    num_arg(req, "min_rel", 0, 100, &c->o.min_rel) != 0 ||
	    num_arg(req, "alpha", 1e-12, 1, &c->o.alpha) != 0)
		return snprintf(msg, cap, "bad threshold, min_rel or alpha"), -1;
	c->work = arg(req, "normalize_by");
	c->o.normalize = c->work != NULL && *c->work != '\0';
	if (!c->o.normalize)
		c->work = "gbps";
	c->o.totals = arg(req, "totals") != NULL;
	snprintf(c->key, sizeof c->key, "%s\x1f%s\x1f%s\x1f%g\x1f%g\x1f%g\x1f"
	    "%s\x1f%d", c->base, c->new_, c->type ? c->type : "",
	    c->o.threshold, c->o.min_rel, c->o.alpha,
	    c->o.normalize ? c->work : "", c->o.totals);
	strcpy(c->query, "base=");
	url_encode(c->query, sizeof c->query, c->base);
	strcat(c->query, "&new=");
	url_encode(c->query, sizeof c->query, c->new_);
	if (c->type != NULL) {
		strcat(c->query, "&type=");
		url_encode(c->query, sizeof c->query, c->type);
	}
	return 0;
}

/* The fingerprint of the profiles both selections pick: new profiles
 * make a new key, so the cache never serves a stale comparison. */
static ff_rc
fingerprint(ff_store *st, const struct creq *c, char fp[FF_DIGEST_HEX],
    ff_err *err)
{
	const char *text[2] = { c->base, c->new_ };
	ff_digest d;
	ff_plist *l = NULL;
	ff_sel sel;
	size_t i;
	int g;
	ff_rc rc = FF_OK;

	ff_digest_init(&d);
	for (g = 0; g < 2 && rc == FF_OK; g++) {
		ff_sel_init(&sel);
		rc = ff_sel_parse(&sel, text[g], ff_stamp_now(), err);
		if (rc == FF_OK && c->type != NULL)
			rc = ff_sel_set(&sel, "type", 4, c->type,
			    strlen(c->type), ff_stamp_now(), err);
		if (rc == FF_OK)
			rc = ff_query_profiles(st, &sel, &l, err);
		for (i = 0; rc == FF_OK && i < ff_plist_count(l); i++)
			ff_digest_update(&d, &ff_plist_get(l, i)->id,
			    sizeof(int64_t));
		ff_digest_update(&d, "|", 1);
		ff_plist_free(l);
		l = NULL;
		ff_sel_free(&sel);
	}
	ff_digest_hex(&d, fp);
	return rc;
}

/* ---- rendering -------------------------------------------------------------------- */

struct render {
	ff_store *st;
	const struct creq *c;
	const ff_result *res;
	ff_graphset g;
	struct entry *e;
};

typedef ff_rc (*render_fn)(struct render *r, FILE *f, ff_err *err);

/* Run fn into a memory stream and keep its bytes as format fmt. */
static ff_rc
render_to(struct render *r, enum fmt fmt, render_fn fn, ff_err *err)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);
	ff_rc rc;

	if (f == NULL)
		return ff_err_nomem(err);
	rc = fn(r, f, err);
	if (fclose(f) != 0 && rc == FF_OK)
		rc = ff_err_nomem(err);
	if (rc != FF_OK) {
		free(p);
		return rc;
	}
	/* open_memstream's buffer comes from malloc: copy it into ours. */
	r->e->out[fmt] = ff_malloc(len + 1);
	if (r->e->out[fmt] == NULL) {
		free(p);
		return ff_err_nomem(err);
	}
	memcpy(r->e->out[fmt], p, len + 1);
	r->e->len[fmt] = len;
	r->e->bytes += len;
	free(p);
	return FF_OK;
}

static ff_rc
r_json(struct render *r, FILE *f, ff_err *err)
{
	return ff_verdict_json_write(r->res, f, err);
}

static ff_rc
r_junit(struct render *r, FILE *f, ff_err *err)
{
	return ff_junit_write(r->res, f, err);
}

static ff_rc
r_folded(struct render *r, FILE *f, ff_err *err)
{
	return ff_fold_write(r->g.diff, f, err);
}

static ff_rc
graph(FILE *f, const ff_stacks *s, ff_flame_mode mode, int negate,
    const char *title, const char *subtitle, ff_err *err)
{
	ff_flamegraph_opts o;
	ff_rc rc;

	ff_flamegraph_opts_init(&o);
	o.detect = 0;
	o.svg.mode = mode;
	o.svg.negate = negate;
	o.svg.title = title;
	o.svg.subtitle = subtitle;
	if (mode == FF_FLAME_CPI || mode == FF_FLAME_CPIDIFF)
		o.svg.countname = "cycles";
	rc = ff_flamegraph_stacks(s, &o, f, NULL, err);
	return rc == FF_ERR_PARSE ? FF_OK : rc; /* the empty picture */
}

static ff_rc
r_svg(struct render *r, FILE *f, ff_err *err)
{
	return graph(f, r->g.diff, FF_FLAME_DIFF, 0, "Differential Flame Graph",
	    r->c->new_, err);
}

static ff_rc
r_neg(struct render *r, FILE *f, ff_err *err)
{
	return graph(f, r->g.negated, FF_FLAME_DIFF, 1, "Negated "
	    "Differential Flame Graph", r->c->base, err);
}

static ff_rc
r_cpi(struct render *r, FILE *f, ff_err *err)
{
	return graph(f, r->g.cpi, FF_FLAME_CPI, 0, "CPI Flame Graph",
	    r->c->new_, err);
}

static ff_rc
r_cpidiff(struct render *r, FILE *f, ff_err *err)
{
	return graph(f, r->g.cpi_change, FF_FLAME_CPIDIFF, 0, "CPI Change "
	    "Flame Graph", r->c->new_, err);
}

static ff_rc
r_html(struct render *r, FILE *f, ff_err *err)
{
	static const char *const names[4] = { "Differential flame graph",
	    "Negated view", "CPI flame graph (new build)", "CPI change" };
	static const ff_flame_mode modes[4] = { FF_FLAME_DIFF, FF_FLAME_DIFF,
	    FF_FLAME_CPI, FF_FLAME_CPIDIFF };
	const ff_stacks *tables[4] = { r->g.diff, r->g.negated, r->g.cpi,
	    r->g.cpi_change };
	char href[4][sizeof r->c->query + 64];
	ff_html_link links[5];
	ff_html_graph graphs[4];
	ff_html_page page;
	int i;

	memset(graphs, 0, sizeof graphs);
	for (i = 0; i < 4; i++) {
		graphs[i].heading = names[i];
		graphs[i].stacks = tables[i];
		graphs[i].mode = modes[i];
		graphs[i].negate = i == 1;
	}
	snprintf(href[0], sizeof href[0], "/compare?%s", r->c->query);
	snprintf(href[1], sizeof href[1], "/v1/compare?%s&format=json",
	    r->c->query);
	snprintf(href[2], sizeof href[2], "/v1/compare?%s&format=junit",
	    r->c->query);
	snprintf(href[3], sizeof href[3], "/v1/compare?%s&format=svg",
	    r->c->query);
	links[0] = (ff_html_link){ "All builds", "/" };
	links[1] = (ff_html_link){ "Permalink", href[0] };
	links[2] = (ff_html_link){ "JSON", href[1] };
	links[3] = (ff_html_link){ "JUnit", href[2] };
	links[4] = (ff_html_link){ "Differential SVG", href[3] };
	memset(&page, 0, sizeof page);
	page.verdict_json = r->e->out[F_JSON];
	page.graphs = graphs;
	page.ngraphs = r->g.cpi != NULL ? 4 : 2;
	page.links = links;
	page.nlinks = 5;
	return ff_html_write(&page, f, err);
}

/* Compute a comparison and render every format into e. */
static ff_rc
compute(ff_store *st, const struct creq *c, struct entry *e, ff_err *err)
{
	static const render_fn fns[NFMT] = { r_html, r_json, r_junit, r_svg,
	    r_neg, r_cpi, r_cpidiff, r_folded };
	static const enum fmt order[NFMT] = { F_JSON, F_JUNIT, F_SVG, F_NEG,
	    F_CPI, F_CPIDIFF, F_FOLDED, F_HTML };
	struct render r;
	ff_compare *cmp = NULL;
	ff_stacks *agg[2] = { NULL, NULL };
	ff_intern *frames = ff_intern_new();
	int i;
	ff_rc rc;

	memset(&r, 0, sizeof r);
	r.st = st;
	r.c = c;
	r.e = e;
	if (frames == NULL)
		return ff_err_nomem(err);
	rc = ff_compare_new(&cmp, st, c->base, c->new_, c->type,
	    ff_stamp_now(), err);
	if (rc == FF_OK)
		rc = ff_compare_check(cmp, &c->o, c->work, &r.res, err);
	if (rc == FF_OK &&
	    (rc = ff_compare_aggregate(cmp, 0, &agg[0], err)) == FF_OK &&
	    (rc = ff_compare_aggregate(cmp, 1, &agg[1], err)) == FF_OK)
		rc = ff_graphset_build(&r.g, frames, agg[0], agg[1], err);
	for (i = 0; rc == FF_OK && i < NFMT; i++) {
		if ((order[i] == F_CPI || order[i] == F_CPIDIFF) &&
		    r.g.cpi == NULL)
			continue;
		rc = render_to(&r, order[i], fns[order[i]], err);
	}
	ff_graphset_free(&r.g);
	ff_stacks_free(agg[0]);
	ff_stacks_free(agg[1]);
	ff_compare_free(cmp);
	ff_intern_free(frames);
	return rc;
}

/* ---- answers --------------------------------------------------------------------- */

/* An error as JSON (API and graphs) or as a small HTML page. */
static void
web_error(ff_api_resp *r, int html, unsigned status, const char *msg)
{
	ff_obuf *b;
	char *p = NULL;
	size_t len = 0;
	int flushed;
	FILE *f;

	if (!html || (b = ff_malloc(sizeof *b)) == NULL) {
		ff_api_error(r, status, msg);
		return;
	}
	if ((f = open_memstream(&p, &len)) == NULL) {
		ff_free(b);
		ff_api_error(r, status, msg);
		return;
	}
	ff_obuf_init(b, f);
	ff_obuf_str(b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset="
	    "\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\"><title>flamefleet"
	    ": error</title></head><body style=\"font-family:sans-serif;"
	    "margin:2em\"><h1>Cannot compare</h1><p>");
	ff_xml_text(b, msg, strlen(msg));
	ff_obuf_str(b, "</p><p><a href=\"/\">All builds</a></p></body></html>"
	    "\n");
	flushed = ff_obuf_flush(b, NULL) == FF_OK;
	fclose(f);
	ff_free(b);
	ff_buf_clear(&r->body);
	r->status = status;
	r->type = "text/html; charset=utf-8";
	if (!flushed || ff_buf_append(&r->body, p, len) != FF_OK)
		ff_api_error(r, 503, "out of memory");
	free(p);
}

static void
web_compare(ff_web *w, ff_store *st, const ff_api_req *req, int api,
    ff_api_resp *r)
{
	struct creq *c = ff_calloc(1, sizeof *c);
	struct entry e;
	char fp[FF_DIGEST_HEX], msg[256];
	ff_err err;
	ff_rc rc;

	memset(&e, 0, sizeof e);
	ff_err_init(&err);
	if (c == NULL) {
		ff_api_error(r, 503, "out of memory");
		return;
	}
	if (parse_creq(req, api, c, msg, sizeof msg) != 0) {
		web_error(r, !api, 400, msg);
		goto out;
	}
	if ((rc = fingerprint(st, c, fp, &err)) != FF_OK) {
		web_error(r, c->fmt == F_HTML, rc == FF_ERR_USAGE ||
		    rc == FF_ERR_PARSE ? 400 : 503, ff_err_msg(&err));
		goto out;
	}
	r->status = 200;
	r->type = fmts[c->fmt].type;
	if (cache_get(w, c, fp, r))
		goto out;
	if ((e.key = ff_strdup(c->key)) == NULL) {
		ff_api_error(r, 503, "out of memory");
		goto out;
	}
	memcpy(e.fp, fp, sizeof fp);
	if ((rc = compute(st, c, &e, &err)) != FF_OK) {
		web_error(r, c->fmt == F_HTML, rc == FF_ERR_NOMEM ||
		    rc == FF_ERR_DB ? 503 : 400, ff_err_msg(&err));
		goto out;
	}
	if (e.out[c->fmt] == NULL) {
		web_error(r, 0, 400, "CPI graphs need profiles with cycles and "
		    "instructions (type=cpi)");
	} else if (ff_buf_append(&r->body, e.out[c->fmt], e.len[c->fmt]) !=
	    FF_OK) {
		ff_api_error(r, 503, "out of memory");
	}
	cache_put(w, &e);
out:
	entry_clear(&e);
	ff_free(c);
}

/* ---- the home page ------------------------------------------------------------------ */

static const char home_style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,"
    "Arial,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;"
    "color:#1d1d1f}h1{font-size:26px}h2{font-size:18px;margin-top:28px}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}"
    "th{background:#f5f5f7}td.n{text-align:right}"
    "form{display:grid;grid-template-columns:max-content 1fr;gap:8px 12px;"
    "align-items:center;max-width:640px}"
    "select,input{font:inherit;padding:3px}button{font:inherit;"
    "padding:5px 14px;justify-self:start}.note{color:#555;font-size:13px}";

static void
home_select(ff_obuf *b, const char *name, const ff_build_row *rows,
    size_t n, size_t pick)
{
	size_t i, j;

	ff_obuf_printf(b, "<select name=\"%s\" id=\"%s\">", name, name);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(rows[j].build, rows[i].build) == 0)
				break;
		if (j < i)
			continue;
		ff_obuf_str(b, "<option value=\"");
		ff_xml_text(b, rows[i].build, strlen(rows[i].build));
		ff_obuf_str(b, i == pick ? "\" selected>" : "\">");
		ff_xml_text(b, rows[i].build, strlen(rows[i].build));
		ff_obuf_str(b, "</option>");
	}
	ff_obuf_str(b, "</select>");
}

/* The index of the second-newest distinct build (rows are newest first). */
static size_t
second_build(const ff_build_row *rows, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(rows[i].build, rows[0].build) != 0)
			return i;
	return 0;
}

static void
home_body(ff_obuf *b, const ff_build_row *rows, size_t n)
{
	char first[FF_STAMP_LEN], last[FF_STAMP_LEN];
	size_t i, j;

	ff_obuf_str(b, "<h1>flamefleet</h1><p class=\"note\">Profiles from the "
	    "fleet, by build.  Pick a base and a new build to see whether the "
	    "new one is slower, and where.</p>");
	if (n == 0) {
		ff_obuf_str(b, "<p>No profiles yet.  Agents upload them to "
		    "<code>POST /v1/profiles</code>.</p>");
		return;
	}
	ff_obuf_str(b, "<h2>Compare</h2><form method=\"get\" action=\"/compare"
	    "\"><label for=\"base_build\">Base build</label>");
	home_select(b, "base_build", rows, n, second_build(rows, n));
	ff_obuf_str(b, "<label for=\"new_build\">New build</label>");
	home_select(b, "new_build", rows, n, 0);
	ff_obuf_str(b, "<label for=\"type\">Type</label><select name=\"type\" "
	    "id=\"type\">");
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(rows[j].type, rows[i].type) != 0;
		    j++)
			;
		if (j < i)
			continue;
		ff_obuf_str(b, "<option value=\"");
		ff_xml_text(b, rows[i].type, strlen(rows[i].type));
		ff_obuf_str(b, "\">");
		ff_xml_text(b, rows[i].type, strlen(rows[i].type));
		ff_obuf_str(b, "</option>");
	}
	ff_obuf_str(b, "</select><label for=\"extra\">Also select</label>"
	    "<input name=\"extra\" id=\"extra\" placeholder=\"since=-24h,"
	    "host=cache-*,label.site=ams2\"><span></span><button type=\"submit"
	    "\">Compare</button></form>");
	ff_obuf_str(b, "<h2>Builds</h2><table id=\"builds\"><thead><tr><th>Build"
	    "</th><th>Type</th><th>Profiles</th><th>Hosts</th><th>Stack rows"
	    "</th><th>First profile</th><th>Last profile</th></tr></thead>"
	    "<tbody>");
	for (i = 0; i < n; i++) {
		ff_stamp_format(rows[i].first, first);
		ff_stamp_format(rows[i].last, last);
		ff_obuf_str(b, "<tr><td>");
		ff_xml_text(b, rows[i].build, strlen(rows[i].build));
		ff_obuf_str(b, "</td><td>");
		ff_xml_text(b, rows[i].type, strlen(rows[i].type));
		ff_obuf_printf(b, "</td><td class=\"n\">%llu</td><td class=\"n\">"
		    "%llu</td><td class=\"n\">%llu</td><td>%s</td><td>%s</td>"
		    "</tr>", (unsigned long long)rows[i].profiles,
		    (unsigned long long)rows[i].hosts,
		    (unsigned long long)rows[i].rows, first, last);
	}
	ff_obuf_str(b, "</tbody></table><p class=\"note\">API: "
	    "<code>/v1/builds</code>, <code>/v1/profiles</code>, "
	    "<code>/v1/compare?base=build%3DA&amp;new=build%3DB</code>, "
	    "<code>/metrics</code>.</p>");
}

static void
web_home(ff_store *st, ff_api_resp *r)
{
	ff_build_row *rows = NULL;
	size_t n = 0;
	ff_obuf *b = NULL;
	char *p = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int flushed;
	ff_err err;

	if (ff_query_builds(st, &rows, &n, &err) != FF_OK) {
		web_error(r, 1, 503, ff_err_msg(&err));
		return;
	}
	if ((b = ff_malloc(sizeof *b)) == NULL ||
	    (f = open_memstream(&p, &len)) == NULL) {
		ff_api_error(r, 503, "out of memory");
		goto out;
	}
	ff_obuf_init(b, f);
	ff_obuf_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset="
	    "\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; form-action "
	    "'self'; base-uri 'none'\"><meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\"><title>flamefleet store"
	    "</title><style>");
	ff_obuf_str(b, home_style);
	ff_obuf_str(b, "</style></head><body>");
	home_body(b, rows, n);
	ff_obuf_str(b, "</body></html>\n");
	flushed = ff_obuf_flush(b, NULL) == FF_OK;
	fclose(f);
	f = NULL;
	r->status = 200;
	r->type = "text/html; charset=utf-8";
	if (!flushed || ff_buf_append(&r->body, p, len) != FF_OK)
		ff_api_error(r, 503, "out of memory");
out:
	if (f != NULL)
		fclose(f);
	free(p);
	ff_free(b);
	ff_query_builds_free(rows, n);
}

void
ff_web_get(void *ctx, ff_store *st, const ff_api_req *req, ff_api_resp *r)
{
	ff_web *w = ctx;

	if (strcmp(req->path, "/") == 0)
		web_home(st, r);
	else
		web_compare(w, st, req, strcmp(req->path, "/v1/compare") == 0,
		    r);
}
