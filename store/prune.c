/*
 * prune.c -- deleting old profiles (see prune.h).
 */
#include "store/prune.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/agg.h"
#include "store/db.h"
#include "store/json.h"
#include "store/schema.h"

#include <string.h>

enum { BATCH = 256, VACUUM_PAGES = 2048 };

struct key {
	char *build, *type, *events;
};

struct pruner {
	ff_db *db;
	int64_t before;
	struct key *keys;    /* (build, type, events) touched */
	size_t nkeys, cap;
	ff_prune_stats *st;
};

static ff_rc
key_add(struct pruner *pr, const char *b, const char *t, const char *e)
{
	struct key *k;
	size_t i;

	for (i = 0; i < pr->nkeys; i++)
		if (strcmp(pr->keys[i].build, b) == 0 &&
		    strcmp(pr->keys[i].type, t) == 0 &&
		    strcmp(pr->keys[i].events, e) == 0)
			return FF_OK;
	if (pr->nkeys == pr->cap) {
		size_t cap = pr->cap ? pr->cap * 2 : 16;

		if ((k = ff_reallocarray(pr->keys, cap, sizeof *k)) == NULL)
			return FF_ERR_NOMEM;
		pr->keys = k;
		pr->cap = cap;
	}
	k = &pr->keys[pr->nkeys];
	k->build = ff_strdup(b);
	k->type = ff_strdup(t);
	k->events = ff_strdup(e);
	if (k->build == NULL || k->type == NULL || k->events == NULL) {
		ff_free(k->build);
		ff_free(k->type);
		ff_free(k->events);
		return FF_ERR_NOMEM;
	}
	pr->nkeys++;
	return FF_OK;
}

static void
keys_free(struct pruner *pr)
{
	size_t i;

	for (i = 0; i < pr->nkeys; i++) {
		ff_free(pr->keys[i].build);
		ff_free(pr->keys[i].type);
		ff_free(pr->keys[i].events);
	}
	ff_free(pr->keys);
}

static ff_rc
delete_one(ff_db *db, int64_t id, ff_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM label WHERE profile = ?1",
		"DELETE FROM pdata WHERE profile = ?1",
		"DELETE FROM profile WHERE id = ?1",
	};
	ff_db_stmt *st;
	size_t i;
	ff_rc rc;

	for (i = 0; i < sizeof sql / sizeof *sql; i++) {
		if ((rc = ff_db_cached(db, sql[i], &st, err)) != FF_OK)
			return rc;
		ff_db_bind_i64(st, 1, id);
		if ((rc = ff_db_run(st, err)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

/* Delete up to BATCH old profiles in one transaction; *n says how many. */
static ff_rc
prune_batch(struct pruner *pr, size_t *n, ff_err *err)
{
	int64_t ids[BATCH];
	ff_db_stmt *st;
	size_t i;
	ff_rc rc;

	*n = 0;
	if ((rc = ff_db_begin(pr->db, 1, err)) != FF_OK)
		return rc;
	rc = ff_db_cached(pr->db, "SELECT id, build, type, events, stacks FROM "
	    "profile WHERE start < ?1 ORDER BY id LIMIT ?2", &st, err);
	if (rc == FF_OK) {
		ff_db_bind_i64(st, 1, pr->before);
		ff_db_bind_i64(st, 2, BATCH);
	}
	while (rc == FF_OK && (rc = ff_db_step(st, err)) == FF_OK) {
		ids[*n] = ff_db_col_i64(st, 0);
		pr->st->rows += (uint64_t)ff_db_col_i64(st, 4);
		if (key_add(pr, ff_db_col_text(st, 1, NULL), ff_db_col_text(st,
		    2, NULL), ff_db_col_text(st, 3, NULL)) != FF_OK)
			rc = ff_err_nomem(err);
		(*n)++;
	}
	if (rc == FF_OK)
		ff_db_reset(st);
	if (rc == FF_DONE)
		rc = FF_OK;
	for (i = 0; rc == FF_OK && i < *n; i++)
		rc = delete_one(pr->db, ids[i], err);
	if (rc == FF_OK)
		rc = ff_db_commit(pr->db, err);
	else
		ff_db_rollback(pr->db);
	if (rc == FF_OK)
		pr->st->profiles += *n;
	return rc;
}

static unsigned
event_count(const char *json)
{
	json_t *a;
	unsigned n = 0;

	ff_json_init();
	if ((a = json_loads(json, 0, NULL)) != NULL && json_is_array(a))
		n = (unsigned)json_array_size(a);
	json_decref(a);
	return n;
}

/* Recompute the summed stacks of every key a deleted profile had. */
static ff_rc
rebuild(struct pruner *pr, ff_err *err)
{
	size_t i;
	ff_rc rc = FF_OK;

	for (i = 0; i < pr->nkeys && rc == FF_OK; i++) {
		struct key *k = &pr->keys[i];
		unsigned nev = event_count(k->events);

		if (nev < 1 || nev > FF_VALUES_MAX)
			continue;
		if ((rc = ff_db_begin(pr->db, 1, err)) != FF_OK)
			break;
		rc = ff_agg_rebuild(pr->db, k->build, k->type, k->events, nev,
		    err);
		if (rc == FF_OK)
			rc = ff_db_commit(pr->db, err);
		else
			ff_db_rollback(pr->db);
	}
	return rc;
}

/* Give free pages back, VACUUM_PAGES per transaction. */
static ff_rc
vacuum(struct pruner *pr, ff_err *err)
{
	int64_t before, after, free_pages, psize, last = -1;
	ff_rc rc;

	if ((rc = ff_db_int(pr->db, "PRAGMA page_count", &before, err)) !=
	    FF_OK ||
	    (rc = ff_db_int(pr->db, "PRAGMA page_size", &psize, err)) != FF_OK)
		return rc;
	for (;;) {
		rc = ff_db_int(pr->db, "PRAGMA freelist_count", &free_pages,
		    err);
		if (rc != FF_OK || free_pages == 0 || free_pages == last)
			break;
		last = free_pages;
		if ((rc = ff_db_exec(pr->db, "PRAGMA incremental_vacuum(2048)",
		    err)) != FF_OK)
			break;
	}
	if (rc == FF_OK &&
	    (rc = ff_db_int(pr->db, "PRAGMA page_count", &after, err)) ==
	    FF_OK && after < before)
		pr->st->freed_bytes = (uint64_t)(before - after) *
		    (uint64_t)psize;
	return rc;
}

static ff_rc
count_only(struct pruner *pr, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(pr->db, "SELECT count(*), total(stacks) FROM profile "
	    "WHERE start < ?1", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, pr->before);
	if ((rc = ff_db_step(st, err)) == FF_OK) {
		pr->st->profiles = (uint64_t)ff_db_col_i64(st, 0);
		pr->st->rows = (uint64_t)ff_db_col_i64(st, 1);
		ff_db_reset(st);
	}
	return rc == FF_DONE ? FF_OK : rc;
}

ff_rc
ff_prune_store(const char *path, int64_t before, int dry_run,
    ff_prune_stats *st, ff_err *err)
{
	struct pruner pr;
	size_t n;
	ff_rc rc;

	memset(&pr, 0, sizeof pr);
	memset(st, 0, sizeof *st);
	pr.before = before;
	pr.st = st;
	if ((rc = ff_db_open(&pr.db, path, 0, err)) != FF_OK)
		return rc;
	if ((rc = ff_schema_check(pr.db, err)) != FF_OK)
		goto out;
	if (dry_run) {
		rc = count_only(&pr, err);
		goto out;
	}
	do
		rc = prune_batch(&pr, &n, err);
	while (rc == FF_OK && n == BATCH);
	if (rc == FF_OK)
		rc = rebuild(&pr, err);
	if (rc == FF_OK)
		rc = vacuum(&pr, err);
out:
	keys_free(&pr);
	ff_db_close(pr.db);
	return rc;
}
