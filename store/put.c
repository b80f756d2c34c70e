/*
 * put.c -- the writer's transactions (see put.h).
 */
#include "store/put.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "store/agg.h"
#include "store/blob.h"
#include "store/dict.h"
#include "store/radix.h"

#include <stdlib.h>
#include <string.h>

struct ff_put {
	ff_db *db;         /* borrowed */
	ff_dict *dict;
	ff_agg *agg;
	uint32_t *gframe;  /* by local frame: store frame id */
	uint32_t *gfunc;   /* by local function: store function id */
	uint32_t *gnode;   /* by local stack: store stack id */
	uint32_t *path;    /* FF_DEPTH_MAX frames */
	uint64_t *ph;      /* FF_DEPTH_MAX path hashes (2 words) */
	size_t nframe, nfunc, nnode;
	uint64_t *keys;    /* sort keys: store id << 32 | local index */
	uint32_t *ids;     /* sorted samples, for the summed stacks */
	uint64_t *vals;
	size_t nkeys, nids;
	ff_buf samples, funcs, text;
	int broken;        /* the batch must not commit: BROKEN_* */
};

/* Why a batch must not commit. */
enum {
	BROKEN_NOMEM = 1,  /* rows stored without their sums */
	BROKEN_LOST        /* SQLite ended the transaction itself */
};

ff_rc
ff_put_new(ff_put **out, ff_db *db, ff_err *err)
{
	ff_put *w = ff_calloc(1, sizeof *w);

	*out = NULL;
	if (w == NULL)
		return ff_err_nomem(err);
	w->db = db;
	w->dict = ff_dict_new(1);
	w->agg = ff_agg_new();
	w->path = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *w->path);
	w->ph = ff_reallocarray(NULL, FF_DEPTH_MAX, 2 * sizeof *w->ph);
	ff_buf_init(&w->samples);
	ff_buf_init(&w->funcs);
	ff_buf_init(&w->text);
	if (w->dict == NULL || w->agg == NULL || w->path == NULL ||
	    w->ph == NULL) {
		ff_put_free(w);
		return ff_err_nomem(err);
	}
	*out = w;
	return FF_OK;
}

void
ff_put_free(ff_put *w)
{
	if (w == NULL)
		return;
	ff_dict_free(w->dict);
	ff_agg_free(w->agg);
	ff_free(w->gframe);
	ff_free(w->gfunc);
	ff_free(w->gnode);
	ff_free(w->path);
	ff_free(w->ph);
	ff_free(w->keys);
	ff_free(w->ids);
	ff_free(w->vals);
	ff_buf_free(&w->samples);
	ff_buf_free(&w->funcs);
	ff_buf_free(&w->text);
	ff_free(w);
}

ff_rc
ff_put_begin(ff_put *w, ff_err *err)
{
	ff_rc rc;

	w->broken = 0;
	/* A ROLLBACK can fail (SQLite needs memory to run it) and leave the
	 * last batch's transaction open: end it now, or every later BEGIN
	 * fails and the writer is stuck. */
	if (ff_db_in_txn(w->db))
		ff_put_abort(w);
	if ((rc = ff_db_begin(w->db, 1, err)) != FF_OK)
		return rc;
	if ((rc = ff_dict_refresh(w->dict, w->db, err)) != FF_OK) {
		ff_put_abort(w);
		return rc;
	}
	return FF_OK;
}

/* The dictionary may hold entries whose rows were rolled back. */
static void
dict_forget(ff_put *w)
{
	if (ff_dict_reset(w->dict, NULL) != FF_OK)
		return;  /* the next begin reloads it anyway */
}

void
ff_put_abort(ff_put *w)
{
	ff_db_rollback(w->db);
	ff_agg_clear(w->agg);
	dict_forget(w);
}

/* Whether the batch must stop.  SQLite may roll the whole transaction
 * back after an error (after SQLITE_NOMEM, _IOERR, _FULL or _BUSY it
 * may): the profiles stored so far are gone, and statements run after
 * that would each commit on their own. */
static int
batch_broken(ff_put *w)
{
	if (!w->broken && !ff_db_in_txn(w->db))
		w->broken = BROKEN_LOST;
	return w->broken != 0;
}

static ff_rc
broken_err(const ff_put *w, ff_err *err)
{
	if (w->broken == BROKEN_NOMEM)
		return ff_err_set(err, FF_ERR_NOMEM, "out of memory: the batch "
		    "was rolled back");
	return ff_err_set(err, FF_ERR_IO, "the batch was rolled back (the "
	    "database ran out of memory or storage)");
}

ff_rc
ff_put_commit(ff_put *w, ff_err *err)
{
	ff_rc rc;

	if (batch_broken(w)) {
		rc = broken_err(w, err);
		ff_put_abort(w);
		return rc;
	}
	if ((rc = ff_agg_flush(w->agg, w->db, err)) == FF_OK &&
	    (rc = ff_db_commit(w->db, err)) == FF_OK)
		return FF_OK;
	ff_put_abort(w);
	return rc;
}

/* ---- text columns -------------------------------------------------------- */

ff_rc
ff_put_events_json(const ff_meta *m, ff_buf *b)
{
	unsigned i;

	/* Event names are [A-Za-z0-9_.:/@,+=~-]: nothing to escape. */
	ff_buf_clear(b);
	if (ff_buf_puts(b, "[") != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < m->nevents; i++)
		if (ff_buf_printf(b, "%s\"%s\"", i ? "," : "", m->events[i]) !=
		    FF_OK)
			return FF_ERR_NOMEM;
	return ff_buf_append(b, "]", 2);   /* with the NUL */
}

/* "[v0,v1,...]" with a NUL, into b. */
static ff_rc
u64_json(ff_buf *b, const uint64_t *v, unsigned n)
{
	unsigned i;

	ff_buf_clear(b);
	if (ff_buf_puts(b, "[") != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (ff_buf_printf(b, "%s%llu", i ? "," : "",
		    (unsigned long long)v[i]) != FF_OK)
			return FF_ERR_NOMEM;
	return ff_buf_append(b, "]", 2);
}

/* ---- mapping local ids to the store's ----------------------------------- */

static ff_rc
grow_u32(uint32_t **a, size_t *cap, size_t n)
{
	uint32_t *p;

	if (n <= *cap)
		return FF_OK;
	if ((p = ff_reallocarray(*a, n, sizeof *p)) == NULL)
		return FF_ERR_NOMEM;
	*a = p;
	*cap = n;
	return FF_OK;
}

static ff_rc
map_frames(ff_put *w, const ff_prep *p)
{
	uint32_t n = ff_intern_count(p->frames), i;
	ff_rc rc;

	if (grow_u32(&w->gframe, &w->nframe, n ? n : 1) != FF_OK ||
	    grow_u32(&w->gfunc, &w->nfunc, ff_intern_count(p->funcs) + 1) !=
	    FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		size_t len;
		const char *name;

		if (!ff_dict_find_frame(w->dict, p->frame_hash + 2 * (size_t)i,
		    &w->gframe[i])) {
			name = ff_intern_str(p->frames, i, &len);
			if ((rc = ff_dict_frame(w->dict, name, len,
			    &w->gframe[i])) != FF_OK)
				return rc;
		}
		w->gfunc[p->frame_func[i]] = ff_dict_frame_func(w->dict,
		    w->gframe[i]);
	}
	return FF_OK;
}

/* Whether node has this depth and ends with local frame leaf (a cheap
 * check that a path hash found the right node). */
static int
node_fits(const ff_put *w, uint32_t node, uint32_t depth, uint32_t leaf)
{
	return ff_dict_depth(w->dict, node) == depth &&
	    ff_dict_frame_of(w->dict, node) == w->gframe[leaf];
}

/* Add the nodes of a stack the store has not seen: find the longest
 * prefix it has, then add the frames below it. */
static ff_rc
add_path(ff_put *w, const ff_prep *p, const uint32_t *path, uint32_t depth,
    uint32_t *node)
{
	static const uint64_t root[2] = { 0, 0 };
	uint64_t *ph = w->ph;
	uint32_t k, at = 0, found = 0;
	ff_rc rc;

	for (k = 0; k < depth; k++)
		ff_prep_chain(k > 0 ? ph + 2 * (k - 1) : root,
		    p->frame_hash + 2 * (size_t)path[k], ph + 2 * k);
	for (k = depth - 1; k-- > 0;)
		if ((at = ff_dict_find(w->dict, ph + 2 * k)) != 0) {
			if (!node_fits(w, at, k + 1, path[k]))
				return FF_ERR_INTERNAL;
			found = k + 1;
			break;
		}
	for (k = found; k < depth; k++)
		if ((rc = ff_dict_node(w->dict, at, w->gframe[path[k]],
		    ph + 2 * k, &at)) != FF_OK)
			return rc;
	*node = at;
	return FF_OK;
}

/* The store's node for every stack of p, into w->gnode. */
static ff_rc
map_stacks(ff_put *w, const ff_prep *p)
{
	uint32_t i, built = 0;   /* w->path holds stack built - 1's path */
	ff_rc rc;

	if (grow_u32(&w->gnode, &w->nnode, p->nstacks + 1) != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < p->nstacks; i++) {
		const uint64_t *h = p->stack_hash + 2 * (size_t)i;
		uint32_t g;

		if (i + 16 < p->nstacks)
			ff_dict_prefetch(w->dict, h + 32, 0);
		if (i + 8 < p->nstacks)
			ff_dict_prefetch(w->dict, h + 16, 1);
		if ((g = ff_dict_find(w->dict, h)) != 0) {
			if (!node_fits(w, g, p->depth[i], p->leaf[i]))
				return FF_ERR_INTERNAL;
		} else {
			/* Paths are front-coded: rebuild them in order up to
			 * this one, only when a stack is new. */
			while (built <= i)
				(void)ff_prep_path(p, built++, w->path);
			if ((rc = add_path(w, p, w->path, p->depth[i], &g)) !=
			    FF_OK)
				return rc;
		}
		w->gnode[i] = g;
	}
	return FF_OK;
}

static ff_rc
reserve_keys(ff_put *w, size_t n)
{
	uint64_t *k;

	if (n <= w->nkeys)
		return FF_OK;
	if ((k = ff_reallocarray(w->keys, n, sizeof *k)) == NULL)
		return FF_ERR_NOMEM;
	w->keys = k;
	w->nkeys = n;
	return FF_OK;
}

/* The samples, sorted by store stack id, into w->ids/vals and a blob. */
static ff_rc
encode_samples(ff_put *w, const ff_prep *p)
{
	size_t n = p->nstacks, k, nev = p->meta.nevents;
	ff_blob_enc e;
	ff_rc rc;

	if (reserve_keys(w, n ? n : 1) != FF_OK)
		return FF_ERR_NOMEM;
	for (k = 0; k < n; k++)
		w->keys[k] = (uint64_t)w->gnode[k] << 32 | k;
	if (ff_radix_sort(w->keys, n) != FF_OK)
		return FF_ERR_NOMEM;
	if (n > w->nids) {
		uint32_t *ids = ff_reallocarray(w->ids, n, sizeof *ids);
		uint64_t *vals;

		if (ids == NULL)
			return FF_ERR_NOMEM;
		w->ids = ids;
		vals = ff_reallocarray(w->vals, n,
		    FF_VALUES_MAX * sizeof *vals);
		if (vals == NULL)
			return FF_ERR_NOMEM;
		w->vals = vals;
		w->nids = n;
	}
	ff_buf_clear(&w->samples);
	if ((rc = ff_blob_enc_begin(&e, &w->samples, (unsigned)nev, n)) !=
	    FF_OK)
		return rc;
	for (k = 0; k < n; k++) {
		const uint64_t *v = p->values + (uint32_t)w->keys[k] * nev;

		w->ids[k] = (uint32_t)(w->keys[k] >> 32);
		if (k > 0 && w->ids[k] == w->ids[k - 1])
			return FF_ERR_INTERNAL;  /* two stacks, one node */
		memcpy(w->vals + k * nev, v, nev * sizeof *v);
		if ((rc = ff_blob_enc_row(&e, w->ids[k], v)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

/* The function rollup, by store function id: self then incl - self. */
static ff_rc
encode_funcs(ff_put *w, const ff_prep *p)
{
	uint32_t nf = ff_intern_count(p->funcs), f;
	unsigned nev = p->meta.nevents, e;
	uint64_t row[FF_BLOB_COLS_MAX];
	ff_blob_enc enc;
	ff_rc rc;

	if (reserve_keys(w, nf ? nf : 1) != FF_OK)
		return FF_ERR_NOMEM;
	for (f = 0; f < nf; f++)
		w->keys[f] = (uint64_t)w->gfunc[f] << 32 | f;
	if (ff_radix_sort(w->keys, nf) != FF_OK)
		return FF_ERR_NOMEM;
	ff_buf_clear(&w->funcs);
	if ((rc = ff_blob_enc_begin(&enc, &w->funcs, 2 * nev, nf)) != FF_OK)
		return rc;
	for (f = 0; f < nf; f++) {
		size_t lf = (uint32_t)w->keys[f];

		for (e = 0; e < nev; e++) {
			row[e] = p->self[lf * nev + e];
			row[nev + e] = p->incl[lf * nev + e] - row[e];
		}
		if ((rc = ff_blob_enc_row(&enc, (uint32_t)(w->keys[f] >> 32),
		    row)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

/* ---- rows ---------------------------------------------------------------- */

static void
bind_str(ff_db_stmt *st, int i, const char *s)
{
	if (s == NULL)
		ff_db_bind_null(st, i);
	else
		ff_db_bind_text(st, i, s, strlen(s), 0);
}

static ff_rc
find_hash(ff_put *w, const char *hash, ff_put_result *r, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(w->db, "SELECT id, stacks FROM profile WHERE hash = ?1",
	    &st, err);
	if (rc != FF_OK)
		return rc;
	bind_str(st, 1, hash);
	if ((rc = ff_db_step(st, err)) == FF_OK) {
		r->id = ff_db_col_i64(st, 0);
		r->rows = (uint64_t)ff_db_col_i64(st, 1);
		r->duplicate = 1;
		ff_db_reset(st);
	}
	return rc;
}

/* The periods column: a JSON array when every event has one, else NULL. */
static ff_rc
bind_periods(ff_put *w, ff_db_stmt *st, int i, const ff_meta *m)
{
	unsigned e;

	for (e = 0; e < m->nevents; e++)
		if (m->periods[e] == 0) {
			ff_db_bind_null(st, i);
			return FF_OK;
		}
	if (u64_json(&w->text, m->periods, m->nevents) != FF_OK)
		return FF_ERR_NOMEM;
	ff_db_bind_text(st, i, (char *)w->text.p, w->text.len - 1, 1);
	return FF_OK;
}

static ff_rc
insert_profile(ff_put *w, const ff_prep *p, uint64_t rows, int64_t *id,
    ff_err *err)
{
	const ff_meta *m = &p->meta;
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(w->db, "INSERT INTO profile (hash, host, build, type, "
	    "start, duration, events, periods, agent, totals, stacks, bytes, "
	    "received) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13)", &st, err);
	if (rc != FF_OK)
		return rc;
	bind_str(st, 1, p->hash);
	bind_str(st, 2, m->host);
	bind_str(st, 3, m->build);
	bind_str(st, 4, m->type);
	ff_db_bind_i64(st, 5, m->start);
	ff_db_bind_double(st, 6, m->duration_s);
	if (ff_put_events_json(m, &w->text) != FF_OK)
		return ff_err_nomem(err);
	ff_db_bind_text(st, 7, (char *)w->text.p, w->text.len - 1, 1);
	if (bind_periods(w, st, 8, m) != FF_OK)
		return ff_err_nomem(err);
	bind_str(st, 9, m->agent);
	if (u64_json(&w->text, p->totals, m->nevents) !=
	    FF_OK)
		return ff_err_nomem(err);
	ff_db_bind_text(st, 10, (char *)w->text.p, w->text.len - 1, 1);
	ff_db_bind_i64(st, 11, (int64_t)rows);
	ff_db_bind_i64(st, 12, (int64_t)p->bytes);
	ff_db_bind_i64(st, 13, ff_stamp_now());
	if ((rc = ff_db_run(st, err)) != FF_OK)
		return rc;
	*id = ff_db_last_id(w->db);
	return FF_OK;
}

static ff_rc
insert_labels(ff_put *w, int64_t id, const ff_meta *m, ff_err *err)
{
	ff_db_stmt *st;
	unsigned i;
	ff_rc rc;

	for (i = 0; i < m->nlabels; i++) {
		rc = ff_db_cached(w->db, "INSERT INTO label (profile, key, value) "
		    "VALUES (?1, ?2, ?3)", &st, err);
		if (rc != FF_OK)
			return rc;
		ff_db_bind_i64(st, 1, id);
		bind_str(st, 2, m->labels[i].key);
		bind_str(st, 3, m->labels[i].value);
		if ((rc = ff_db_run(st, err)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

static ff_rc
insert_pdata(ff_put *w, int64_t id, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(w->db, "INSERT INTO pdata (profile, funcs, samples) "
	    "VALUES (?1, ?2, ?3)", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, id);
	ff_db_bind_blob(st, 2, w->funcs.p, w->funcs.len, 0);
	ff_db_bind_blob(st, 3, w->samples.p, w->samples.len, 0);
	return ff_db_run(st, err);
}

/* Everything of one profile, under the caller's savepoint. */
static ff_rc
put_rows(ff_put *w, const ff_prep *p, ff_put_result *r, ff_err *err)
{
	ff_dict_mark mark;
	ff_rc rc;

	ff_dict_mark_now(w->dict, &mark);
	if ((rc = map_frames(w, p)) != FF_OK ||
	    (rc = map_stacks(w, p)) != FF_OK)
		return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
		    rc == FF_ERR_INTERNAL ? ff_err_set(err, FF_ERR_DB, "two "
		    "stacks of %s have the same path hash", p->meta.host) :
		    ff_err_set(err, rc, "%s: the store's frame or stack table "
		    "is full", p->meta.host);
	if ((rc = ff_dict_write(w->dict, w->db, &mark, err)) != FF_OK)
		return rc;
	if ((rc = encode_samples(w, p)) != FF_OK ||
	    (rc = encode_funcs(w, p)) != FF_OK)
		return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
		    ff_err_set(err, FF_ERR_DB, "two stacks of %s have the "
		    "same path hash", p->meta.host);
	r->rows = p->nstacks;
	if ((rc = insert_profile(w, p, r->rows, &r->id, err)) != FF_OK ||
	    (rc = insert_labels(w, r->id, &p->meta, err)) != FF_OK)
		return rc;
	return insert_pdata(w, r->id, err);
}

ff_rc
ff_put_profile(ff_put *w, const ff_prep *p, ff_put_result *r, ff_err *err)
{
	ff_rc rc;

	memset(r, 0, sizeof *r);
	if (batch_broken(w))
		return broken_err(w, err);
	if ((rc = find_hash(w, p->hash, r, err)) != FF_DONE) {
		(void)batch_broken(w);
		return rc;   /* a duplicate (FF_OK) or an error */
	}
	if ((rc = ff_db_savepoint(w->db, err)) != FF_OK) {
		(void)batch_broken(w);
		return rc;
	}
	rc = put_rows(w, p, r, err);
	if (rc == FF_OK && (rc = ff_put_events_json(&p->meta, &w->text)) !=
	    FF_OK)
		rc = ff_err_nomem(err);
	if (rc == FF_OK)
		rc = ff_db_release(w->db, err);
	if (rc == FF_OK && ff_agg_add(w->agg, p->meta.build, p->meta.type,
	    (const char *)w->text.p, p->meta.nevents, w->ids, w->vals,
	    r->rows) != FF_OK) {
		/* The rows are in but the sums are not: the whole batch
		 * must go. */
		w->broken = BROKEN_NOMEM;
		return ff_err_nomem(err);
	}
	if (rc != FF_OK && batch_broken(w)) {
		memset(r, 0, sizeof *r);
		return rc;   /* ff_put_commit will roll back and say so */
	}
	if (rc != FF_OK) {
		ff_db_rollback_to(w->db);
		memset(r, 0, sizeof *r);
		/* The dictionary may hold entries whose rows were rolled
		 * back: reload it.  One that cannot be reloaded (no memory)
		 * would give existing names new ids: the batch stops here. */
		if (ff_dict_reset(w->dict, NULL) != FF_OK ||
		    ff_dict_refresh(w->dict, w->db, NULL) != FF_OK) {
			dict_forget(w);   /* reloaded by the next begin */
			w->broken = BROKEN_NOMEM;
		}
	}
	return rc;
}
