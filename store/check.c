/*
 * check.c -- integrity checks of a store (see check.h).
 */
#include "store/check.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/agg.h"
#include "store/blob.h"
#include "store/db.h"
#include "store/dict.h"
#include "store/json.h"
#include "store/schema.h"
#include "store/sums.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { REPORT_MAX = 100 };   /* problems printed; the rest are counted */

struct checker {
	ff_db *db;
	ff_dict *dict;
	ff_check_report report;
	void *ctx;
	uint64_t problems;
};

static void
problem(struct checker *c, const char *fmt, ...) FF_PRINTF(2, 3);

static void
problem(struct checker *c, const char *fmt, ...)
{
	char msg[FF_ERR_MSG_MAX];
	va_list ap;

	if (c->problems++ >= REPORT_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->report(c->ctx, msg);
}

static ff_rc
sqlite_check(struct checker *c, int quick, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_prepare(c->db, quick ? "PRAGMA quick_check" :
	    "PRAGMA integrity_check", &q, err);
	if (rc != FF_OK)
		return rc;
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		const char *msg = ff_db_col_text(q, 0, NULL);

		if (strcmp(msg, "ok") != 0)
			problem(c, "sqlite: %s", msg);
	}
	ff_db_finalize(q);
	return rc == FF_DONE ? FF_OK : rc;
}

/* Count the rows of a constant query that lists orphans by id. */
static ff_rc
orphans(struct checker *c, const char *sql, const char *what, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	if ((rc = ff_db_prepare(c->db, sql, &q, err)) != FF_OK)
		return rc;
	while ((rc = ff_db_step(q, err)) == FF_OK)
		problem(c, "%s %lld", what, (long long)ff_db_col_i64(q, 0));
	ff_db_finalize(q);
	return rc == FF_DONE ? FF_OK : rc;
}

static ff_rc
links(struct checker *c, ff_err *err)
{
	ff_rc rc;

	rc = orphans(c, "SELECT p.id FROM profile p LEFT JOIN pdata d ON "
	    "d.profile = p.id WHERE d.profile IS NULL", "no packed data for "
	    "profile", err);
	if (rc == FF_OK)
		rc = orphans(c, "SELECT d.profile FROM pdata d LEFT JOIN profile "
		    "p ON p.id = d.profile WHERE p.id IS NULL", "packed data of "
		    "a missing profile", err);
	if (rc == FF_OK)
		rc = orphans(c, "SELECT DISTINCT l.profile FROM label l LEFT "
		    "JOIN profile p ON p.id = l.profile WHERE p.id IS NULL",
		    "labels of a missing profile", err);
	return rc;
}

/* Decode a blob, checking ids are in [low, bound) and counting rows. */
static int
blob_ok(const void *p, size_t len, unsigned ncols, uint32_t low,
    uint32_t bound, uint64_t *rows)
{
	uint64_t vals[FF_BLOB_COLS_MAX];
	ff_blob_iter it;
	uint32_t id;
	ff_rc rc;

	*rows = 0;
	if (ff_blob_iter_init(&it, p, len, ncols, NULL) != FF_OK)
		return 0;
	while ((rc = ff_blob_iter_next(&it, &id, vals, NULL)) == FF_OK) {
		if (id < low || id >= bound)
			return 0;
		(*rows)++;
	}
	return rc == FF_DONE;
}

static unsigned
event_count(const char *json, size_t len)
{
	json_t *a;
	unsigned n;

	ff_json_init();
	if ((a = json_loadb(json, len, 0, NULL)) == NULL || !json_is_array(a))
		n = 0;
	else
		n = (unsigned)json_array_size(a);
	json_decref(a);
	return n;
}

static ff_rc
profiles(struct checker *c, ff_err *err)
{
	uint32_t nodes = ff_dict_nodes(c->dict);
	uint32_t funcs = ff_intern_count(ff_dict_funcs(c->dict));
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_prepare(c->db, "SELECT p.id, p.events, p.stacks, d.funcs, "
	    "d.samples FROM profile p JOIN pdata d ON d.profile = p.id", &q,
	    err);
	if (rc != FF_OK)
		return rc;
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		long long id = (long long)ff_db_col_i64(q, 0);
		size_t elen, flen, slen;
		const char *ev = ff_db_col_text(q, 1, &elen);
		unsigned nev = event_count(ev, elen);
		const void *fb = ff_db_col_blob(q, 3, &flen);
		const void *sb = ff_db_col_blob(q, 4, &slen);
		uint64_t rows;

		if (nev < 1 || nev > FF_VALUES_MAX) {
			problem(c, "profile %lld: bad events column", id);
			continue;
		}
		if (!blob_ok(sb, slen, nev, 1, nodes, &rows) ||
		    rows != (uint64_t)ff_db_col_i64(q, 2))
			problem(c, "profile %lld: samples damaged or of the "
			    "wrong size", id);
		if (!blob_ok(fb, flen, 2 * nev, 0, funcs, &rows))
			problem(c, "profile %lld: function rollup damaged", id);
	}
	ff_db_finalize(q);
	return rc == FF_DONE ? FF_OK : rc;
}

/* ---- summed stacks ------------------------------------------------------- */

static int
sums_equal(ff_sums *a, ff_sums *b)
{
	unsigned nc = ff_sums_ncols(a), e;
	size_t i = 0, j = 0;

	if (ff_sums_sort(a) != FF_OK || ff_sums_sort(b) != FF_OK)
		return 0;
	for (;;) {
		const uint64_t *va, *vb;
		int za = 1, zb = 1;

		/* Rows of zeros may exist on either side: skip them. */
		while (i < ff_sums_count(a) && za) {
			va = ff_sums_vals(a, i);
			for (e = 0, za = 1; e < nc; e++)
				za &= va[e] == 0;
			if (za)
				i++;
		}
		while (j < ff_sums_count(b) && zb) {
			vb = ff_sums_vals(b, j);
			for (e = 0, zb = 1; e < nc; e++)
				zb &= vb[e] == 0;
			if (zb)
				j++;
		}
		if (i == ff_sums_count(a) || j == ff_sums_count(b))
			return i == ff_sums_count(a) && j == ff_sums_count(b);
		if (ff_sums_id(a, i) != ff_sums_id(b, j) ||
		    memcmp(ff_sums_vals(a, i), ff_sums_vals(b, j),
		    nc * sizeof(uint64_t)) != 0)
			return 0;
		i++;
		j++;
	}
}

/* The sum of a key's profiles' samples. */
static ff_rc
sum_profiles(struct checker *c, const char *build, const char *type,
    const char *events, ff_sums *into, uint64_t *n, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_cached(c->db, "SELECT d.samples FROM profile p JOIN pdata d "
	    "ON d.profile = p.id WHERE p.build = ?1 AND p.type = ?2 AND "
	    "p.events = ?3", &q, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_text(q, 1, build, strlen(build), 0);
	ff_db_bind_text(q, 2, type, strlen(type), 0);
	ff_db_bind_text(q, 3, events, strlen(events), 0);
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		size_t len;
		const void *p = ff_db_col_blob(q, 0, &len);

		(*n)++;
		if (ff_sums_add_blob(into, p, len, NULL) != FF_OK) {
			ff_db_reset(q);
			return FF_ERR_PARSE;   /* reported by profiles() */
		}
	}
	return rc == FF_DONE ? FF_OK : rc;
}

static ff_rc
check_key(struct checker *c, const char *build, const char *type,
    const char *events, ff_err *err)
{
	unsigned nev = event_count(events, strlen(events));
	ff_sums *a = NULL, *b = NULL;
	uint64_t na = 0, nb = 0;
	ff_rc rc;

	if (nev < 1 || nev > FF_VALUES_MAX)
		return FF_OK;   /* reported by profiles() */
	a = ff_sums_new(nev);
	b = ff_sums_new(nev);
	if (a == NULL || b == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	rc = ff_agg_load(c->db, build, type, events, a, &na, NULL);
	if (rc == FF_ERR_PARSE || rc == FF_ERR_DB) {
		problem(c, "summed stacks of %s/%s are damaged", build, type);
		rc = FF_OK;
		goto out;
	}
	if (rc == FF_OK && (rc = sum_profiles(c, build, type, events, b, &nb,
	    err)) == FF_ERR_PARSE)
		rc = FF_OK;
	else if (rc == FF_OK && (na != nb || !sums_equal(a, b)))
		problem(c, "summed stacks of %s/%s differ from its %llu "
		    "profiles (they count %llu)", build, type,
		    (unsigned long long)nb, (unsigned long long)na);
out:
	ff_sums_free(a);
	ff_sums_free(b);
	return rc;
}

static ff_rc
aggs(struct checker *c, ff_err *err)
{
	ff_db_stmt *q;
	ff_rc rc;

	rc = ff_db_prepare(c->db, "SELECT build, type, events FROM profile "
	    "UNION SELECT build, type, events FROM agg", &q, err);
	if (rc != FF_OK)
		return rc;
	while ((rc = ff_db_step(q, err)) == FF_OK) {
		char *k[3];
		int i, ok = 1;

		for (i = 0; i < 3; i++)
			ok &= (k[i] = ff_strdup(ff_db_col_text(q, i, NULL))) !=
			    NULL;
		if (ok)
			rc = check_key(c, k[0], k[1], k[2], err);
		else
			rc = ff_err_nomem(err);
		for (i = 0; i < 3; i++)
			ff_free(k[i]);
		if (rc != FF_OK)
			break;
	}
	ff_db_finalize(q);
	return rc == FF_DONE ? FF_OK : rc;
}

ff_rc
ff_check_store(const char *path, int quick, ff_check_report report,
    void *ctx, uint64_t *problems, ff_err *err)
{
	struct checker c = { NULL, NULL, report, ctx, 0 };
	ff_err e;
	ff_rc rc;

	*problems = 0;
	if ((rc = ff_db_open(&c.db, path, FF_DB_READONLY, err)) != FF_OK)
		return rc;
	if ((rc = ff_schema_check(c.db, err)) != FF_OK)
		goto out;
	if ((c.dict = ff_dict_new(0)) == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((rc = ff_db_begin(c.db, 0, err)) != FF_OK ||
	    (rc = sqlite_check(&c, quick, err)) != FF_OK)
		goto out;
	ff_err_init(&e);
	if ((rc = ff_dict_refresh(c.dict, c.db, &e)) != FF_OK) {
		if (rc != FF_ERR_DB)
			goto out;
		problem(&c, "dictionary: %s", ff_err_msg(&e));
		rc = FF_OK;
		goto out;   /* the rest depends on it */
	}
	if ((rc = links(&c, err)) == FF_OK && (rc = profiles(&c, err)) ==
	    FF_OK)
		rc = aggs(&c, err);
out:
	if (c.problems > REPORT_MAX) {
		char msg[80];

		snprintf(msg, sizeof msg, "... and %llu more problems",
		    (unsigned long long)(c.problems - REPORT_MAX));
		report(ctx, msg);
	}
	*problems = c.problems;
	ff_dict_free(c.dict);
	ff_db_close(c.db);
	return rc;
}
