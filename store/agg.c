/*
 * agg.c -- per-build summed stacks (see agg.h).
 */
#include "store/agg.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/blob.h"
#include "store/buf.h"
#include "store/radix.h"

#include <string.h>

enum { ROWS_MAX = 32 };

/* A key's pending rows are appended as they come (each profile's are
 * sorted) and sorted and summed once, at flush: sequential work instead
 * of a hash lookup per row. */
struct agg_key {
	char *build, *type, *events;
	unsigned nev;
	uint64_t profiles;
	uint32_t *ids;         /* pending rows */
	uint64_t *vals;        /* nev per row */
	size_t n, cap;
	ff_sums *sums;         /* for merging the key's rows */
};

struct ff_agg {
	struct agg_key *keys;
	size_t n, cap;
	ff_buf blob;
	uint64_t *order;       /* sort keys: id << 32 | row */
	size_t ocap;
};

ff_agg *
ff_agg_new(void)
{
	ff_agg *a = ff_calloc(1, sizeof *a);

	if (a != NULL)
		ff_buf_init(&a->blob);
	return a;
}

static void
key_free(struct agg_key *k)
{
	ff_free(k->build);
	ff_free(k->type);
	ff_free(k->events);
	ff_free(k->ids);
	ff_free(k->vals);
	ff_sums_free(k->sums);
	memset(k, 0, sizeof *k);
}

void
ff_agg_clear(ff_agg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		key_free(&a->keys[i]);
	a->n = 0;
}

void
ff_agg_free(ff_agg *a)
{
	if (a == NULL)
		return;
	ff_agg_clear(a);
	ff_free(a->keys);
	ff_free(a->order);
	ff_buf_free(&a->blob);
	ff_free(a);
}

static struct agg_key *
agg_key(ff_agg *a, const char *build, const char *type, const char *events,
    unsigned nev)
{
	struct agg_key *k;
	size_t i;

	for (i = 0; i < a->n; i++) {
		k = &a->keys[i];
		if (strcmp(k->build, build) == 0 && strcmp(k->type, type) == 0 &&
		    strcmp(k->events, events) == 0)
			return k;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;

		k = ff_reallocarray(a->keys, cap, sizeof *k);
		if (k == NULL)
			return NULL;
		a->keys = k;
		a->cap = cap;
	}
	k = &a->keys[a->n];
	memset(k, 0, sizeof *k);
	k->build = ff_strdup(build);
	k->type = ff_strdup(type);
	k->events = ff_strdup(events);
	k->nev = nev;
	k->sums = ff_sums_new(nev);
	if (k->build == NULL || k->type == NULL || k->events == NULL ||
	    k->sums == NULL) {
		key_free(k);
		return NULL;
	}
	a->n++;
	return k;
}

ff_rc
ff_agg_add(ff_agg *a, const char *build, const char *type,
    const char *events, unsigned nev, const uint32_t *ids,
    const uint64_t *vals, size_t n)
{
	struct agg_key *k = agg_key(a, build, type, events, nev);

	if (k == NULL)
		return FF_ERR_NOMEM;
	if (k->n + n > k->cap) {
		size_t cap = k->cap ? k->cap : 16384;
		void *p;

		while (cap < k->n + n)
			cap *= 2;
		if ((p = ff_reallocarray(k->ids, cap, sizeof *k->ids)) == NULL)
			return FF_ERR_NOMEM;
		k->ids = p;
		if ((p = ff_reallocarray(k->vals, cap, nev *
		    sizeof *k->vals)) == NULL)
			return FF_ERR_NOMEM;
		k->vals = p;
		k->cap = cap;
	}
	if (n > 0) {   /* an empty profile: ids, vals and k's may be NULL */
		memcpy(k->ids + k->n, ids, n * sizeof *ids);
		memcpy(k->vals + k->n * nev, vals, n * nev * sizeof *vals);
	}
	k->n += n;
	k->profiles++;
	return FF_OK;
}

/* ---- rows ---------------------------------------------------------------- */

static void
bind_key(ff_db_stmt *st, const char *build, const char *type,
    const char *events)
{
	ff_db_bind_text(st, 1, build, strlen(build), 0);
	ff_db_bind_text(st, 2, type, strlen(type), 0);
	ff_db_bind_text(st, 3, events, strlen(events), 0);
}

static ff_rc
insert_row(ff_db *db, const char *build, const char *type,
    const char *events, uint64_t profiles, const ff_buf *blob, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "INSERT INTO agg (build, type, events, profiles, "
	    "data) VALUES (?1, ?2, ?3, ?4, ?5)", &st, err);
	if (rc != FF_OK)
		return rc;
	bind_key(st, build, type, events);
	ff_db_bind_i64(st, 4, (int64_t)profiles);
	ff_db_bind_blob(st, 5, blob->p, blob->len, 0);
	return ff_db_run(st, err);
}

static ff_rc
delete_key(ff_db *db, const char *build, const char *type,
    const char *events, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "DELETE FROM agg WHERE build = ?1 AND type = ?2 "
	    "AND events = ?3", &st, err);
	if (rc != FF_OK)
		return rc;
	bind_key(st, build, type, events);
	return ff_db_run(st, err);
}

ff_rc
ff_agg_load(ff_db *db, const char *build, const char *type,
    const char *events, ff_sums *into, uint64_t *profiles, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT profiles, data FROM agg WHERE build = ?1 "
	    "AND type = ?2 AND events = ?3", &st, err);
	if (rc != FF_OK)
		return rc;
	bind_key(st, build, type, events);
	while ((rc = ff_db_step(st, err)) == FF_OK) {
		size_t len;
		const void *p = ff_db_col_blob(st, 1, &len);

		*profiles += (uint64_t)ff_db_col_i64(st, 0);
		if ((rc = ff_sums_add_blob(into, p, len, err)) != FF_OK) {
			ff_db_reset(st);
			ff_err_prefix(err, "%s: aggregate of %s/%s: ",
			    ff_db_path(db), build, type);
			return rc;
		}
	}
	return rc == FF_DONE ? FF_OK : rc;
}

/* Merge a key's rows into one when the appended ones outweigh the
 * largest or are too many. */
static ff_rc
maybe_merge(ff_agg *a, ff_db *db, struct agg_key *k, ff_err *err)
{
	int64_t rows, total, largest;
	uint64_t profiles = 0;
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT count(*), total(length(data)), "
	    "max(length(data)) FROM agg WHERE build = ?1 AND type = ?2 AND "
	    "events = ?3", &st, err);
	if (rc != FF_OK)
		return rc;
	bind_key(st, k->build, k->type, k->events);
	if ((rc = ff_db_step(st, err)) != FF_OK)
		return rc == FF_DONE ? FF_OK : rc;
	rows = ff_db_col_i64(st, 0);
	total = ff_db_col_i64(st, 1);
	largest = ff_db_col_i64(st, 2);
	ff_db_reset(st);
	if (rows < 2 || (rows <= ROWS_MAX && total - largest <= largest))
		return FF_OK;
	ff_sums_clear(k->sums);
	ff_buf_clear(&a->blob);
	if ((rc = ff_agg_load(db, k->build, k->type, k->events, k->sums,
	    &profiles, err)) != FF_OK)
		return rc;
	if (ff_sums_encode(k->sums, &a->blob, 1) != FF_OK)
		return ff_err_nomem(err);
	if ((rc = delete_key(db, k->build, k->type, k->events, err)) != FF_OK)
		return rc;
	return insert_row(db, k->build, k->type, k->events, profiles,
	    &a->blob, err);
}

static uint64_t
sat_add(uint64_t x, uint64_t y)
{
	uint64_t s = x + y;

	return s < x || s > (uint64_t)FF_COUNT_MAX ? (uint64_t)FF_COUNT_MAX : s;
}

/* The key's pending rows, sorted by id and summed, as a blob. */
static ff_rc
pending_encode(ff_agg *a, struct agg_key *k)
{
	uint64_t sum[FF_BLOB_COLS_MAX];
	size_t i, j, distinct = 0;
	unsigned e, nev = k->nev;
	ff_blob_enc enc;

	if (k->n > a->ocap) {
		uint64_t *o = ff_reallocarray(a->order, k->n, sizeof *o);

		if (o == NULL)
			return FF_ERR_NOMEM;
		a->order = o;
		a->ocap = k->n;
	}
	for (i = 0; i < k->n; i++)
		a->order[i] = (uint64_t)k->ids[i] << 32 | (uint32_t)i;
	if (ff_radix_sort(a->order, k->n) != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < k->n; i++)
		distinct += i == 0 || a->order[i] >> 32 != a->order[i - 1] >> 32;
	if (ff_blob_enc_begin(&enc, &a->blob, nev, distinct) != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < k->n; i = j) {
		uint32_t id = (uint32_t)(a->order[i] >> 32);

		memset(sum, 0, nev * sizeof *sum);
		for (j = i; j < k->n && a->order[j] >> 32 == id; j++) {
			const uint64_t *v = k->vals + (size_t)(uint32_t)
			    a->order[j] * nev;

			for (e = 0; e < nev; e++)
				sum[e] = sat_add(sum[e], v[e]);
		}
		if (ff_blob_enc_row(&enc, id, sum) != FF_OK)
			return FF_ERR_NOMEM;
	}
	k->n = 0;
	return FF_OK;
}

ff_rc
ff_agg_flush(ff_agg *a, ff_db *db, ff_err *err)
{
	ff_rc rc = FF_OK;
	size_t i;

	for (i = 0; i < a->n && rc == FF_OK; i++) {
		struct agg_key *k = &a->keys[i];

		ff_buf_clear(&a->blob);
		if (pending_encode(a, k) != FF_OK)
			rc = ff_err_nomem(err);
		if (rc == FF_OK)
			rc = insert_row(db, k->build, k->type, k->events,
			    k->profiles, &a->blob, err);
		if (rc == FF_OK)
			rc = maybe_merge(a, db, k, err);
	}
	ff_agg_clear(a);
	return rc;
}

ff_rc
ff_agg_rebuild(ff_db *db, const char *build, const char *type,
    const char *events, unsigned nev, ff_err *err)
{
	ff_sums *sums = ff_sums_new(nev);
	uint64_t profiles = 0;
	ff_db_stmt *st;
	ff_buf blob;
	ff_rc rc;

	ff_buf_init(&blob);
	if (sums == NULL)
		return ff_err_nomem(err);
	if ((rc = delete_key(db, build, type, events, err)) != FF_OK)
		goto out;
	rc = ff_db_cached(db, "SELECT d.samples FROM profile p JOIN pdata d ON "
	    "d.profile = p.id WHERE p.build = ?1 AND p.type = ?2 AND "
	    "p.events = ?3", &st, err);
	if (rc != FF_OK)
		goto out;
	bind_key(st, build, type, events);
	while ((rc = ff_db_step(st, err)) == FF_OK) {
		size_t len;
		const void *p = ff_db_col_blob(st, 0, &len);

		profiles++;
		if ((rc = ff_sums_add_blob(sums, p, len, err)) != FF_OK) {
			ff_db_reset(st);
			goto out;
		}
	}
	if (rc != FF_DONE)
		goto out;
	rc = FF_OK;
	if (profiles == 0)
		goto out;
	if (ff_sums_encode(sums, &blob, 1) != FF_OK)
		rc = ff_err_nomem(err);
	else
		rc = insert_row(db, build, type, events, profiles, &blob, err);
out:
	ff_buf_free(&blob);
	ff_sums_free(sums);
	return rc;
}
