/*
 * query.c -- selections, aggregates and function values (see query.h).
 */
#include "store/query.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/agg.h"
#include "store/blob.h"
#include "store/json.h"
#include "store/sums.h"

#include <string.h>

/* ---- selections as SQL --------------------------------------------------- */

/* Parameter numbers of the optional terms; each fragment below is a
 * constant, so the SQL text never contains a value. */
enum { P_BUILD = 1, P_TYPE, P_SINCE, P_UNTIL, P_HOST };

#define COLS_SQL "SELECT p.id, p.hash, p.host, p.build, p.type, " \
	"p.start, p.duration, p.events, p.periods, p.agent, p.totals, " \
	"p.stacks, p.bytes, p.received"
static const char COLS[] = COLS_SQL;
enum { NCOLS = 14 };

/* One profile by id: metadata only, or with its samples. */
static const char ONE_INFO[] = COLS_SQL " FROM profile p WHERE p.id = ?1";
static const char ONE_SAMPLES[] = COLS_SQL ", d.samples FROM profile p "
	"JOIN pdata d ON d.profile = p.id WHERE p.id = ?1";

/* Prepare "COLS extra FROM from WHERE <terms> ORDER BY ..." for sel. */
static ff_rc
sel_prepare(ff_db *db, const ff_sel *sel, const char *extra,
    const char *from, ff_db_stmt **out, ff_err *err)
{
	char sql[1024];
	ff_db_stmt *st;
	ff_rc rc;

	snprintf(sql, sizeof sql, "%s%s FROM %s WHERE 1%s%s%s%s%s ORDER BY "
	    "p.start, p.host, p.id", COLS, extra, from,
	    sel->build != NULL ? " AND p.build = ?1" : "",
	    sel->type != NULL ? " AND p.type = ?2" : "",
	    sel->since != INT64_MIN ? " AND p.start >= ?3" : "",
	    sel->until != INT64_MAX ? " AND p.start < ?4" : "",
	    ff_sel_host_exact(sel) ? " AND p.host = ?5" : "");
	if ((rc = ff_db_prepare(db, sql, &st, err)) != FF_OK)
		return rc;
	if (sel->build != NULL)
		ff_db_bind_text(st, P_BUILD, sel->build, strlen(sel->build), 0);
	if (sel->type != NULL)
		ff_db_bind_text(st, P_TYPE, sel->type, strlen(sel->type), 0);
	if (sel->since != INT64_MIN)
		ff_db_bind_i64(st, P_SINCE, sel->since);
	if (sel->until != INT64_MAX)
		ff_db_bind_i64(st, P_UNTIL, sel->until);
	if (ff_sel_host_exact(sel))
		ff_db_bind_text(st, P_HOST, sel->host, strlen(sel->host), 0);
	*out = st;
	return FF_OK;
}

/* ---- rows into ff_pinfo -------------------------------------------------- */

static ff_rc
corrupt(ff_db *db, int64_t id, const char *what, ff_err *err)
{
	return ff_err_set(err, FF_ERR_DB, "%s: profile %lld: %s is damaged "
	    "(run ffstore check)", ff_db_path(db), (long long)id, what);
}

/* A JSON array of up to FF_VALUES_MAX strings (names) or integers. */
static int
json_list(const char *text, size_t len, json_t **out)
{
	json_t *a;

	ff_json_init();
	a = json_loadb(text, len, 0, NULL);
	if (a == NULL || !json_is_array(a) ||
	    json_array_size(a) > FF_VALUES_MAX) {
		json_decref(a);
		return -1;
	}
	*out = a;
	return 0;
}

static ff_rc
row_events(ff_db_stmt *st, ff_pinfo *p, ff_err *err)
{
	json_t *ev = NULL, *pe = NULL, *to = NULL;
	size_t len, i;
	const char *t;
	ff_rc rc = FF_OK;

	t = ff_db_col_text(st, 7, &len);
	if (json_list(t, len, &ev) != 0)
		return FF_ERR_PARSE;
	t = ff_db_col_text(st, 10, &len);
	if (json_list(t, len, &to) != 0 ||
	    json_array_size(to) != json_array_size(ev))
		rc = FF_ERR_PARSE;
	if (rc == FF_OK && !ff_db_col_null(st, 8)) {
		t = ff_db_col_text(st, 8, &len);
		if (json_list(t, len, &pe) != 0 ||
		    json_array_size(pe) != json_array_size(ev))
			rc = FF_ERR_PARSE;
	}
	for (i = 0; rc == FF_OK && i < json_array_size(ev); i++) {
		json_t *name = json_array_get(ev, i);
		json_int_t per = pe ? json_integer_value(json_array_get(pe, i)) :
		    0, tot = json_integer_value(json_array_get(to, i));

		if (!json_is_string(name) || per < 0 || tot < 0)
			rc = FF_ERR_PARSE;
		else if ((rc = ff_meta_add_event(&p->meta,
		    json_string_value(name), (uint64_t)per, err)) == FF_OK)
			p->totals[i] = (uint64_t)tot;
	}
	json_decref(ev);
	json_decref(pe);
	json_decref(to);
	return rc;
}

static ff_rc
set_text(ff_meta *m, char **field, ff_db_stmt *st, int col, ff_err *err)
{
	if (ff_db_col_null(st, col))
		return FF_OK;
	return ff_meta_set(m, field, ff_db_col_text(st, col, NULL), err);
}

static ff_rc
load_labels(ff_db *db, ff_pinfo *p, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT key, value FROM label WHERE profile = ?1 "
	    "ORDER BY key", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, p->id);
	while ((rc = ff_db_step(st, err)) == FF_OK)
		if ((rc = ff_meta_set_label(&p->meta, ff_db_col_text(st, 0,
		    NULL), ff_db_col_text(st, 1, NULL), err)) != FF_OK) {
			ff_db_reset(st);
			return rc;
		}
	return rc == FF_DONE ? FF_OK : rc;
}

/* Fill p from the current row of a COLS statement, labels included. */
static ff_rc
row_pinfo(ff_db *db, ff_db_stmt *st, ff_pinfo *p, ff_err *err)
{
	ff_meta *m = &p->meta;
	size_t len;
	const char *hash = ff_db_col_text(st, 1, &len);
	ff_rc rc;

	p->id = ff_db_col_i64(st, 0);
	snprintf(p->hash, sizeof p->hash, "%.*s", (int)len, hash);
	if ((rc = set_text(m, &m->host, st, 2, err)) != FF_OK ||
	    (rc = set_text(m, &m->build, st, 3, err)) != FF_OK ||
	    (rc = set_text(m, &m->type, st, 4, err)) != FF_OK ||
	    (rc = set_text(m, &m->agent, st, 9, err)) != FF_OK)
		return rc;
	m->start = ff_db_col_i64(st, 5);
	m->duration_s = ff_db_col_double(st, 6);
	if ((rc = row_events(st, p, err)) != FF_OK)
		return rc == FF_ERR_PARSE ? corrupt(db, p->id, "the events "
		    "column", err) : rc;
	p->rows = (uint64_t)ff_db_col_i64(st, 11);
	p->bytes = (uint64_t)ff_db_col_i64(st, 12);
	p->received = ff_db_col_i64(st, 13);
	return load_labels(db, p, err);
}

/* Whether p passes the terms SQL did not check (host glob, labels). */
static int
sel_match(const ff_sel *sel, const ff_pinfo *p)
{
	unsigned i;

	if (!ff_sel_host_ok(sel, p->meta.host))
		return 0;
	for (i = 0; i < sel->nlabels; i++) {
		const char *v = ff_meta_label(&p->meta, sel->labels[i].key);

		if (v == NULL || strcmp(v, sel->labels[i].value) != 0)
			return 0;
	}
	return 1;
}

/* ---- walking a selection ------------------------------------------------- */

/* Called for each matching row with its pinfo; col is the first column
 * after COLS. */
typedef ff_rc (*row_fn)(void *ctx, ff_db_stmt *st, int col, ff_pinfo *p,
    ff_err *err);

static ff_rc
sel_walk(ff_store *st, const ff_sel *sel, const char *extra,
    const char *from, row_fn fn, void *ctx, ff_err *err)
{
	ff_db *db = ff_store_db(st);
	ff_db_stmt *q;
	ff_pinfo p;
	ff_rc rc;

	if ((rc = sel_prepare(db, sel, extra, from, &q, err)) != FF_OK)
		return rc;
	ff_pinfo_init(&p);
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		ff_pinfo_free(&p);
		if ((rc = row_pinfo(db, q, &p, err)) != FF_OK)
			break;
		if (sel_match(sel, &p) && (rc = fn(ctx, q, NCOLS, &p, err)) !=
		    FF_OK)
			break;
	}
	ff_pinfo_free(&p);
	ff_db_finalize(q);
	return rc == FF_DONE ? FF_OK : rc;
}

/* Move p's contents to dst (p is left empty). */
static void
pinfo_move(ff_pinfo *dst, ff_pinfo *p)
{
	*dst = *p;
	ff_pinfo_init(p);
}

static ff_rc
add_to_list(void *ctx, ff_db_stmt *q, int col, ff_pinfo *p, ff_err *err)
{
	ff_pinfo *dst = ff_plist_add(ctx);

	(void)q;
	(void)col;
	if (dst == NULL)
		return ff_err_nomem(err);
	pinfo_move(dst, p);
	return FF_OK;
}

ff_rc
ff_query_profiles(ff_store *st, const ff_sel *sel, ff_plist **out,
    ff_err *err)
{
	ff_plist *l;
	ff_rc rc;

	*out = NULL;
	if ((l = ff_plist_new()) == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_store_begin(st, err)) == FF_OK) {
		rc = sel_walk(st, sel, "", "profile p", add_to_list, l, err);
		ff_store_end(st);
	}
	if (rc != FF_OK) {
		ff_plist_free(l);
		return rc;
	}
	*out = l;
	return FF_OK;
}

/* Run fn on profile id, read with one of the ONE_ statements. */
static ff_rc
one_profile(ff_store *st, int64_t id, const char *sql, row_fn fn,
    void *ctx, ff_err *err)
{
	ff_db *db = ff_store_db(st);
	ff_db_stmt *q;
	ff_pinfo p;
	ff_rc rc;

	if ((rc = ff_db_cached(db, sql, &q, err)) != FF_OK)
		return rc;
	ff_db_bind_i64(q, 1, id);
	ff_pinfo_init(&p);
	rc = ff_db_step(q, err);
	if (rc == FF_DONE)
		rc = ff_err_set(err, FF_ERR_NOTFOUND, "no profile %lld",
		    (long long)id);
	if (rc == FF_OK && (rc = row_pinfo(db, q, &p, err)) == FF_OK)
		rc = fn(ctx, q, NCOLS, &p, err);
	ff_db_reset(q);
	ff_pinfo_free(&p);
	return rc;
}

static ff_rc
take_pinfo(void *ctx, ff_db_stmt *q, int col, ff_pinfo *p, ff_err *err)
{
	(void)q;
	(void)col;
	(void)err;
	pinfo_move(ctx, p);
	return FF_OK;
}

ff_rc
ff_query_profile(ff_store *st, int64_t id, ff_pinfo *out, ff_err *err)
{
	ff_rc rc;

	ff_pinfo_free(out);
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	rc = one_profile(st, id, ONE_INFO, take_pinfo, out, err);
	ff_store_end(st);
	return rc;
}

ff_rc
ff_query_hash(ff_store *st, const char *hash, int64_t *id, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_cached(ff_store_db(st), "SELECT id FROM profile WHERE hash = "
	    "?1", &q, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_text(q, 1, hash, strlen(hash), 0);
	if ((rc = ff_db_step(q, err)) == FF_OK) {
		*id = ff_db_col_i64(q, 0);
		ff_db_reset(q);
		return FF_OK;
	}
	return rc == FF_DONE ? ff_err_set(err, FF_ERR_NOTFOUND, "no profile "
	    "with hash %s", hash) : rc;
}

/* ---- summed stacks ------------------------------------------------------- */

struct summer {
	ff_db *db;
	ff_sums *sums;          /* made at the first profile */
	ff_query_sum *sum;
};

static void
events_text(const ff_query_sum *s, char *buf, size_t cap)
{
	size_t n = 0;
	unsigned e;

	buf[0] = '\0';
	for (e = 0; e < s->nevents && n < cap; e++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", e ? "," : "",
		    s->events[e]);
}

/* Check that names[0..n) are the selection's events (the first time,
 * make them so). */
static ff_rc
same_events(struct summer *sm, const char *const *names, unsigned n,
    ff_err *err)
{
	ff_query_sum *s = sm->sum, other;
	char a[1200], b[1200];
	unsigned e;

	if (sm->sums == NULL) {
		s->nevents = n;
		for (e = 0; e < n; e++)
			snprintf(s->events[e], sizeof s->events[e], "%s",
			    names[e]);
		if ((sm->sums = ff_sums_new(n)) == NULL)
			return ff_err_nomem(err);
		return FF_OK;
	}
	for (e = 0; e < n && n == s->nevents; e++)
		if (strcmp(s->events[e], names[e]) != 0)
			break;
	if (n == s->nevents && e == n)
		return FF_OK;
	other.nevents = n;
	for (e = 0; e < n; e++)
		snprintf(other.events[e], sizeof other.events[e], "%s",
		    names[e]);
	events_text(s, a, sizeof a);
	events_text(&other, b, sizeof b);
	return ff_err_set(err, FF_ERR_USAGE, "the selection mixes profiles "
	    "with events [%s] and [%s]: add type= to narrow it", a, b);
}

static ff_rc
sum_profile(void *ctx, ff_db_stmt *q, int col, ff_pinfo *p, ff_err *err)
{
	struct summer *sm = ctx;
	size_t len;
	const void *blob;
	ff_rc rc;

	rc = same_events(sm, (const char *const *)p->meta.events,
	    p->meta.nevents, err);
	if (rc != FF_OK)
		return rc;
	blob = ff_db_col_blob(q, col, &len);
	if ((rc = ff_sums_add_blob(sm->sums, blob, len, err)) != FF_OK)
		return rc == FF_ERR_NOMEM ? rc : corrupt(sm->db, p->id,
		    "the samples", err);
	sm->sum->profiles++;
	sm->sum->rows += p->rows;
	return FF_OK;
}

/* Sum the per-build rows of agg for a build-only selection. */
static ff_rc
sum_aggs(struct summer *sm, const ff_sel *sel, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_cached(sm->db, "SELECT events, profiles, data, build, type "
	    "FROM agg WHERE (?1 IS NULL OR build = ?1) AND (?2 IS NULL OR "
	    "type = ?2)", &q, err);
	if (rc != FF_OK)
		return rc;
	if (sel->build != NULL)
		ff_db_bind_text(q, 1, sel->build, strlen(sel->build), 0);
	if (sel->type != NULL)
		ff_db_bind_text(q, 2, sel->type, strlen(sel->type), 0);
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		const char *names[FF_VALUES_MAX];
		size_t len, i;
		const char *t = ff_db_col_text(q, 0, &len);
		const void *blob;
		json_t *ev = NULL;

		if (json_list(t, len, &ev) != 0) {
			rc = corrupt(sm->db, 0, "a summed-stacks row", err);
			break;
		}
		for (i = 0; i < json_array_size(ev); i++)
			names[i] = json_string_value(json_array_get(ev, i)) ?
			    json_string_value(json_array_get(ev, i)) : "";
		rc = same_events(sm, names, (unsigned)i, err);
		json_decref(ev);
		if (rc != FF_OK)
			break;
		sm->sum->profiles += (uint64_t)ff_db_col_i64(q, 1);
		blob = ff_db_col_blob(q, 2, &len);
		if ((rc = ff_sums_add_blob(sm->sums, blob, len, err)) != FF_OK)
			break;
	}
	if (rc != FF_DONE) {
		ff_db_reset(q);
		return rc;
	}
	return FF_OK;
}

/* Build-and-type selections read the rollup; the rest sums profiles. */
static ff_rc
sum_selection(ff_store *st, struct summer *sm, const ff_sel *sel,
    ff_err *err)
{
	if (ff_sel_build_only(sel))
		return sum_aggs(sm, sel, err);
	return sel_walk(st, sel, ", d.samples", "profile p JOIN pdata d ON "
	    "d.profile = p.id", sum_profile, sm, err);
}

struct mapper {
	const ff_dict *d;
	ff_stacks *out;
	uint32_t *node;     /* by store node: 1 + local node, 0 = unmapped */
	uint32_t *frame;    /* by store frame: 1 + local frame, 0 = not yet */
	uint32_t *up;       /* FF_DEPTH_MAX scratch */
};

static ff_rc
map_frame(struct mapper *m, uint32_t g, uint32_t *local)
{
	if (m->frame[g] == 0) {
		size_t len;
		const char *name = ff_intern_str(ff_dict_frames(m->d), g, &len);
		uint32_t id;
		ff_rc rc;

		rc = ff_intern_put(ff_stacks_frames(m->out), name, len, &id);
		if (rc != FF_OK)
			return rc;
		m->frame[g] = id + 1;
	}
	*local = m->frame[g] - 1;
	return FF_OK;
}

/* The result's node for store node g: walk up to a mapped ancestor,
 * then add the frames below it. */
static ff_rc
map_node(struct mapper *m, uint32_t g, uint32_t *local)
{
	uint32_t n = 0, at, f;
	ff_rc rc;

	while (g != 0 && m->node[g] == 0) {
		m->up[n++] = g;
		g = ff_dict_parent(m->d, g);
	}
	at = g == 0 ? FF_STACKS_ROOT : m->node[g] - 1;
	while (n > 0) {
		g = m->up[--n];
		if ((rc = map_frame(m, ff_dict_frame_of(m->d, g), &f)) !=
		    FF_OK ||
		    (rc = ff_stacks_child(m->out, at, f, &at)) != FF_OK)
			return rc;
		m->node[g] = at + 1;
	}
	*local = at;
	return FF_OK;
}

static ff_rc
sums_to_stacks(const ff_dict *d, const ff_sums *s, ff_stacks *out,
    ff_err *err)
{
	struct mapper m = { d, out, NULL, NULL, NULL };
	uint32_t nodes = ff_dict_nodes(d), local;
	size_t i;
	ff_rc rc = FF_OK;

	m.node = ff_calloc(nodes, sizeof *m.node);
	m.frame = ff_calloc(ff_intern_count(ff_dict_frames(d)) + 1,
	    sizeof *m.frame);
	m.up = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *m.up);
	if (m.node == NULL || m.frame == NULL || m.up == NULL)
		rc = ff_err_nomem(err);
	for (i = 0; rc == FF_OK && i < ff_sums_count(s); i++) {
		uint32_t g = ff_sums_id(s, i);

		if (g == 0 || g >= nodes) {
			rc = ff_err_set(err, FF_ERR_DB, "a sample refers to stack "
			    "%lu, which does not exist (run ffstore check)",
			    (unsigned long)g);
			break;
		}
		if ((rc = map_node(&m, g, &local)) == FF_OK &&
		    (rc = ff_stacks_add(out, local, ff_sums_vals(s, i))) ==
		    FF_ERR_LIMIT)
			rc = ff_err_set(err, rc, "the summed counts pass 2^63-1");
		else if (rc == FF_ERR_NOMEM)
			rc = ff_err_nomem(err);
	}
	ff_free(m.node);
	ff_free(m.frame);
	ff_free(m.up);
	return rc;
}

/* The stack table of sm's sums (an empty one-column table without). */
static ff_rc
summer_result(ff_store *st, struct summer *sm, ff_intern *frames,
    ff_stacks **out, ff_err *err)
{
	ff_dict *d = ff_store_dict(st);
	ff_stacks *s;
	ff_rc rc = FF_OK;

	s = ff_stacks_new(frames, sm->sums != NULL ? sm->sum->nevents : 1);
	if (s == NULL)
		return ff_err_nomem(err);
	if (sm->sums != NULL) {
		ff_dict_rdlock(d);
		rc = sums_to_stacks(d, sm->sums, s, err);
		ff_dict_unlock(d);
	}
	if (rc != FF_OK) {
		ff_stacks_free(s);
		return rc;
	}
	*out = s;
	return FF_OK;
}

ff_rc
ff_query_aggregate(ff_store *st, const ff_sel *sel, ff_intern *frames,
    ff_stacks **out, ff_query_sum *sum, ff_err *err)
{
	ff_query_sum local;
	struct summer sm = { ff_store_db(st), NULL, sum ? sum : &local };
	ff_rc rc;

	*out = NULL;
	memset(sm.sum, 0, sizeof *sm.sum);
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	rc = sum_selection(st, &sm, sel, err);
	if (rc == FF_OK)
		rc = summer_result(st, &sm, frames, out, err);
	ff_store_end(st);
	ff_sums_free(sm.sums);
	return rc;
}

ff_rc
ff_query_folded(ff_store *st, int64_t id, ff_intern *frames,
    ff_stacks **out, ff_pinfo *info, ff_err *err)
{
	ff_query_sum local;
	struct summer sm = { ff_store_db(st), NULL, &local };
	ff_pinfo p;
	ff_rc rc;

	*out = NULL;
	memset(&local, 0, sizeof local);
	ff_pinfo_init(&p);
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	rc = one_profile(st, id, ONE_SAMPLES, sum_profile, &sm, err);
	if (rc == FF_OK && info != NULL)
		rc = one_profile(st, id, ONE_INFO, take_pinfo, info, err);
	if (rc == FF_OK)
		rc = summer_result(st, &sm, frames, out, err);
	ff_store_end(st);
	ff_sums_free(sm.sums);
	return rc;
}

/* ---- function values ----------------------------------------------------- */

struct fwalk {
	ff_db *db;
	ff_query_visit visit;
	void *ctx;
	uint32_t *func;
	uint64_t *self, *incl;
	size_t cap;          /* functions that fit */
};

static ff_rc
fwalk_room(struct fwalk *w, uint64_t n, unsigned nev)
{
	void *p;

	if (n == 0)
		n = 1;   /* an empty profile: &w->func[0] must still exist */
	if (n <= w->cap)
		return FF_OK;
	if ((p = ff_reallocarray(w->func, n, sizeof *w->func)) == NULL)
		return FF_ERR_NOMEM;
	w->func = p;
	if ((p = ff_reallocarray(w->self, n, FF_VALUES_MAX *
	    sizeof *w->self)) == NULL)
		return FF_ERR_NOMEM;
	w->self = p;
	if ((p = ff_reallocarray(w->incl, n, FF_VALUES_MAX *
	    sizeof *w->incl)) == NULL)
		return FF_ERR_NOMEM;
	w->incl = p;
	w->cap = n;
	(void)nev;
	return FF_OK;
}

static ff_rc
visit_funcs(void *ctx, ff_db_stmt *q, int col, ff_pinfo *p, ff_err *err)
{
	struct fwalk *w = ctx;
	unsigned nev = p->meta.nevents, e;
	uint64_t vals[FF_BLOB_COLS_MAX];
	ff_blob_iter it;
	ff_fprof fp;
	size_t len, i = 0;
	const void *blob = ff_db_col_blob(q, col, &len);
	ff_rc rc;

	if (nev == 0 || ff_blob_iter_init(&it, blob, len, 2 * nev, NULL) !=
	    FF_OK)
		return corrupt(w->db, p->id, "the function rollup", err);
	if (fwalk_room(w, it.rows, nev) != FF_OK)
		return ff_err_nomem(err);
	while ((rc = ff_blob_iter_next(&it, &w->func[i], vals, NULL)) ==
	    FF_OK) {
		for (e = 0; e < nev; e++) {
			w->self[i * nev + e] = vals[e];
			w->incl[i * nev + e] = vals[e] + vals[nev + e];
		}
		i++;
	}
	if (rc != FF_DONE)
		return corrupt(w->db, p->id, "the function rollup", err);
	fp.info = p;
	fp.nevents = nev;
	fp.nfuncs = (uint32_t)i;
	fp.func = w->func;
	fp.self = w->self;
	fp.incl = w->incl;
	return w->visit(w->ctx, &fp, err);
}

ff_rc
ff_query_funcs(ff_store *st, const ff_sel *sel, ff_query_visit visit,
    void *ctx, ff_err *err)
{
	struct fwalk w;
	ff_rc rc;

	memset(&w, 0, sizeof w);
	w.db = ff_store_db(st);
	w.visit = visit;
	w.ctx = ctx;
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	rc = sel_walk(st, sel, ", d.funcs", "profile p JOIN pdata d ON "
	    "d.profile = p.id", visit_funcs, &w, err);
	ff_store_end(st);
	ff_free(w.func);
	ff_free(w.self);
	ff_free(w.incl);
	return rc;
}

/* ---- builds and sizes ---------------------------------------------------- */

void
ff_query_builds_free(ff_build_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++) {
		ff_free(rows[i].build);
		ff_free(rows[i].type);
	}
	ff_free(rows);
}

static ff_rc
build_row(ff_db_stmt *q, ff_build_row *r)
{
	r->build = ff_strdup(ff_db_col_text(q, 0, NULL));
	r->type = ff_strdup(ff_db_col_text(q, 1, NULL));
	r->profiles = (uint64_t)ff_db_col_i64(q, 2);
	r->hosts = (uint64_t)ff_db_col_i64(q, 3);
	r->rows = (uint64_t)ff_db_col_i64(q, 4);
	r->first = ff_db_col_i64(q, 5);
	r->last = ff_db_col_i64(q, 6);
	return r->build != NULL && r->type != NULL ? FF_OK : FF_ERR_NOMEM;
}

ff_rc
ff_query_builds(ff_store *st, ff_build_row **rows, size_t *n, ff_err *err)
{
	ff_build_row *v = NULL;
	size_t cap = 0;
	ff_db_stmt *q;
	ff_rc rc;

	*rows = NULL;
	*n = 0;
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	rc = ff_db_cached(ff_store_db(st), "SELECT build, type, count(*), "
	    "count(DISTINCT host), total(stacks), min(start), max(start) FROM "
	    "profile GROUP BY build, type ORDER BY max(start) DESC, build, "
	    "type", &q, err);
	while (rc == FF_OK && (rc = ff_db_step(q, err)) == FF_OK) {
		if (*n == cap) {
			ff_build_row *p;

			cap = cap ? cap * 2 : 16;
			if ((p = ff_reallocarray(v, cap, sizeof *p)) == NULL) {
				rc = ff_err_nomem(err);
				break;
			}
			v = p;
		}
		memset(&v[*n], 0, sizeof v[*n]);
		rc = build_row(q, &v[(*n)++]);
		if (rc != FF_OK)
			rc = ff_err_nomem(err);
	}
	if (rc == FF_OK)
		ff_db_reset(q);
	ff_store_end(st);
	if (rc != FF_DONE && rc != FF_OK) {
		ff_query_builds_free(v, *n);
		*n = 0;
		return rc;
	}
	*rows = v;
	return FF_OK;
}

/* Bytes by kind of table, from the dbstat virtual table when present. */
static void
stats_by_table(ff_db *db, ff_store_stats *s)
{
	ff_db_stmt *q;

	if (ff_db_prepare(db, "SELECT name, total(pgsize) FROM dbstat "
	    "GROUP BY name", &q, NULL) != FF_OK)
		return;
	while (ff_db_step(q, NULL) == FF_OK) {
		const char *name = ff_db_col_text(q, 0, NULL);
		uint64_t bytes = (uint64_t)ff_db_col_i64(q, 1);

		if (strcmp(name, "pdata") == 0)
			s->pdata_bytes += bytes;
		else if (strncmp(name, "agg", 3) == 0)
			s->agg_bytes += bytes;
		else if (strcmp(name, "stack") == 0 ||
		    strcmp(name, "frame") == 0 || strcmp(name, "func") == 0 ||
		    strncmp(name, "sqlite_autoindex_f", 18) == 0)
			s->dict_bytes += bytes;
		else
			s->meta_bytes += bytes;
	}
	ff_db_finalize(q);
}

ff_rc
ff_query_stats(ff_store *st, ff_store_stats *s, ff_err *err)
{
	ff_db *db = ff_store_db(st);
	ff_dict *d = ff_store_dict(st);
	int64_t v, pages, psize, freep;
	ff_rc rc;

	memset(s, 0, sizeof *s);
	if ((rc = ff_store_begin(st, err)) != FF_OK)
		return rc;
	if ((rc = ff_db_int(db, "SELECT count(*) FROM profile", &v, err)) ==
	    FF_OK)
		s->profiles = (uint64_t)v;
	if (rc == FF_OK && (rc = ff_db_int(db, "SELECT total(stacks) FROM "
	    "profile", &v, err)) == FF_OK)
		s->rows = (uint64_t)v;
	if (rc == FF_OK && (rc = ff_db_int(db, "SELECT count(DISTINCT build) "
	    "FROM profile", &v, err)) == FF_OK)
		s->builds = (uint64_t)v;
	if (rc == FF_OK &&
	    (rc = ff_db_int(db, "PRAGMA page_count", &pages, err)) == FF_OK &&
	    (rc = ff_db_int(db, "PRAGMA page_size", &psize, err)) == FF_OK &&
	    (rc = ff_db_int(db, "PRAGMA freelist_count", &freep, err)) ==
	    FF_OK) {
		s->db_bytes = (uint64_t)(pages - freep) * (uint64_t)psize;
		s->free_bytes = (uint64_t)freep * (uint64_t)psize;
	}
	if (rc == FF_OK) {
		ff_dict_rdlock(d);
		s->frames = ff_intern_count(ff_dict_frames(d));
		s->funcs = ff_intern_count(ff_dict_funcs(d));
		s->nodes = ff_dict_nodes(d) - 1;
		ff_dict_unlock(d);
		stats_by_table(db, s);
	}
	ff_store_end(st);
	return rc;
}
