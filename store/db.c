/*
 * db.c -- SQLite behind flamefleet's conventions (see db.h).  The only
 * file of the project that includes <sqlite3.h>.
 */
#include "store/db.h"
#include "profile/mem.h"

#include <sqlite3.h>

#include <assert.h>
#include <pthread.h>
#include <string.h>

enum { CACHE_MAX = 96, BUSY_MS = 5000 };

struct ff_db_stmt {
	ff_db *db;
	sqlite3_stmt *st;
	const char *sql;   /* the cache key (a constant), or NULL */
	int bind_rc;       /* first failed bind since the last reset */
};

struct ff_db {
	sqlite3 *h;
	char *path;
	int readonly;
	ff_db_stmt *cache[CACHE_MAX];
	int ncache;
};

/* ---- allocator ----------------------------------------------------------- */

/* SQLite needs the size of an allocation back; it is kept in front of
 * the block (8 bytes, which also keeps SQLite's 8-byte alignment). */
static void *
sq_malloc(int n)
{
	int64_t *p = ff_malloc((size_t)n + 8);

	if (p == NULL)
		return NULL;
	p[0] = n;
	return p + 1;
}

static void
sq_free(void *p)
{
	if (p != NULL)
		ff_free((int64_t *)p - 1);
}

static void *
sq_realloc(void *p, int n)
{
	int64_t *q = ff_realloc((int64_t *)p - 1, (size_t)n + 8);

	if (q == NULL)
		return NULL;
	q[0] = n;
	return q + 1;
}

static int
sq_size(void *p)
{
	return p != NULL ? (int)((int64_t *)p)[-1] : 0;
}

static int
sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int
sq_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void
sq_shutdown(void *app)
{
	(void)app;
}

static const sqlite3_mem_methods sq_mem = {
	sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init,
	sq_shutdown, NULL
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static const char *vfs_name;   /* NULL: SQLite's default */

void
ff_db_set_vfs(const char *name)
{
	vfs_name = name;
}

static void
global_init_once(void)
{
	/* Fails only when SQLite was already initialised by someone else:
	 * then it keeps its own allocator, which is harmless. */
	(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &sq_mem);
	(void)sqlite3_initialize();
}

void
ff_db_global_init(void)
{
	pthread_once(&global_once, global_init_once);
}

/* ---- errors -------------------------------------------------------------- */

static ff_rc
map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return FF_ERR_BUSY;
	case SQLITE_NOMEM:
		return FF_ERR_NOMEM;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return FF_ERR_IO;
	default:
		return FF_ERR_DB;
	}
}

/* Copy SQLite's message for rc into err. */
static ff_rc
db_fail(const ff_db *db, int rc, ff_err *err)
{
	const char *msg = db->h != NULL ? sqlite3_errmsg(db->h) :
	    sqlite3_errstr(rc);

	if ((rc & 0xff) == SQLITE_BUSY)
		msg = "the database is locked by another writer";
	/* A read-only connection cannot roll back what an interrupted
	 * writer left (a hot journal, a WAL without its index). */
	if (rc == SQLITE_READONLY_ROLLBACK || rc == SQLITE_READONLY_RECOVERY)
		msg = "an interrupted write must be recovered first, which a "
		    "read-only command cannot do: run ffstore load or ffstore "
		    "serve on it once";
	return ff_err_set(err, map_rc(rc), "%s: %s", db->path, msg);
}

/* ---- opening ------------------------------------------------------------- */

static const char SETUP_RW[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA secure_delete=FAST;"
	"PRAGMA journal_size_limit=67108864;"
	"PRAGMA temp_store=MEMORY;"
	"PRAGMA cache_size=-32768;";

static ff_rc
db_setup(ff_db *db, int flags, ff_err *err)
{
	int64_t pages;
	ff_rc rc;

	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, BUSY_MS);
	if (db->readonly)
		return ff_db_exec(db, "PRAGMA cache_size=-16384;", err);
	/* auto_vacuum can only be chosen before the first table exists. */
	if ((rc = ff_db_int(db, "PRAGMA page_count", &pages, err)) != FF_OK)
		return rc;
	if (pages == 0 && (rc = ff_db_exec(db, "PRAGMA auto_vacuum="
	    "INCREMENTAL;", err)) != FF_OK)
		return rc;
	if ((rc = ff_db_exec(db, SETUP_RW, err)) != FF_OK)
		return rc;
	return ff_db_exec(db, (flags & FF_DB_NOSYNC) ?
	    "PRAGMA synchronous=OFF;" : "PRAGMA synchronous=FULL;", err);
}

ff_rc
ff_db_open(ff_db **out, const char *path, int flags, ff_err *err)
{
	int oflags = SQLITE_OPEN_NOMUTEX;
	ff_db *db;
	ff_rc rc;
	int src;

	*out = NULL;
	ff_db_global_init();
	if ((db = ff_calloc(1, sizeof *db)) == NULL ||
	    (db->path = ff_strdup(path)) == NULL) {
		ff_free(db);
		return ff_err_nomem(err);
	}
	db->readonly = (flags & FF_DB_READONLY) != 0;
	if (db->readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((flags & FF_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	src = sqlite3_open_v2(path, &db->h, oflags, vfs_name);
	if (src != SQLITE_OK) {
		rc = db_fail(db, src, err);
		goto fail;
	}
	if ((rc = db_setup(db, flags, err)) != FF_OK)
		goto fail;
	*out = db;
	return FF_OK;
fail:
	ff_db_close(db);
	return rc;
}

void
ff_db_close(ff_db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		ff_db_finalize(db->cache[i]);
	sqlite3_close_v2(db->h);
	ff_free(db->path);
	ff_free(db);
}

const char *
ff_db_path(const ff_db *db)
{
	return db->path;
}

int
ff_db_readonly(const ff_db *db)
{
	return db->readonly;
}

ff_rc
ff_db_exec(ff_db *db, const char *sql, ff_err *err)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? FF_OK : db_fail(db, rc, err);
}

/* ---- statements ---------------------------------------------------------- */

static ff_rc
stmt_new(ff_db *db, const char *sql, unsigned pflags, ff_db_stmt **out,
    ff_err *err)
{
	ff_db_stmt *st = ff_calloc(1, sizeof *st);
	int rc;

	*out = NULL;
	if (st == NULL)
		return ff_err_nomem(err);
	rc = sqlite3_prepare_v3(db->h, sql, -1, pflags, &st->st, NULL);
	if (rc != SQLITE_OK) {
		ff_free(st);
		return db_fail(db, rc, err);
	}
	st->db = db;
	*out = st;
	return FF_OK;
}

ff_rc
ff_db_cached(ff_db *db, const char *sql, ff_db_stmt **out, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;
	int i;

	for (i = 0; i < db->ncache; i++) {
		st = db->cache[i];
		if (st->sql == sql || strcmp(st->sql, sql) == 0) {
			ff_db_reset(st);
			sqlite3_clear_bindings(st->st);
			*out = st;
			return FF_OK;
		}
	}
	if (db->ncache == CACHE_MAX)
		return ff_err_set(err, FF_ERR_INTERNAL, "statement cache full");
	rc = stmt_new(db, sql, SQLITE_PREPARE_PERSISTENT, &st, err);
	if (rc != FF_OK)
		return rc;
	st->sql = sql;
	db->cache[db->ncache++] = st;
	*out = st;
	return FF_OK;
}

ff_rc
ff_db_prepare(ff_db *db, const char *sql, ff_db_stmt **out, ff_err *err)
{
	return stmt_new(db, sql, 0, out, err);
}

void
ff_db_finalize(ff_db_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->st);
	ff_free(st);
}

static void
bind_check(ff_db_stmt *st, int rc)
{
	if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
		st->bind_rc = rc;
}

void
ff_db_bind_i64(ff_db_stmt *st, int i, int64_t v)
{
	bind_check(st, sqlite3_bind_int64(st->st, i, v));
}

void
ff_db_bind_double(ff_db_stmt *st, int i, double v)
{
	bind_check(st, sqlite3_bind_double(st->st, i, v));
}

void
ff_db_bind_null(ff_db_stmt *st, int i)
{
	bind_check(st, sqlite3_bind_null(st->st, i));
}

void
ff_db_bind_text(ff_db_stmt *st, int i, const char *s, size_t len, int copy)
{
	bind_check(st, sqlite3_bind_text64(st->st, i, s, len,
	    copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8));
}

void
ff_db_bind_blob(ff_db_stmt *st, int i, const void *p, size_t len, int copy)
{
	/* A NULL pointer would bind SQL NULL; an empty blob is wanted. */
	bind_check(st, sqlite3_bind_blob64(st->st, i, p != NULL ? p : "",
	    len, copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}

void
ff_db_reset(ff_db_stmt *st)
{
	sqlite3_reset(st->st);
	st->bind_rc = SQLITE_OK;
}

ff_rc
ff_db_step(ff_db_stmt *st, ff_err *err)
{
	ff_rc rc;
	int src;

	if (st->bind_rc != SQLITE_OK) {
		src = st->bind_rc;
		rc = ff_err_set(err, map_rc(src), "%s: cannot bind a value: "
		    "%s", st->db->path, sqlite3_errstr(src));
		ff_db_reset(st);
		return rc;
	}
	src = sqlite3_step(st->st);
	if (src == SQLITE_ROW)
		return FF_OK;
	if (src == SQLITE_DONE) {
		ff_db_reset(st);
		return FF_DONE;
	}
	rc = db_fail(st->db, src, err);
	ff_db_reset(st);
	return rc;
}

ff_rc
ff_db_run(ff_db_stmt *st, ff_err *err)
{
	ff_rc rc = ff_db_step(st, err);

	if (rc == FF_OK) {   /* a row nobody asked for: ignore the rest */
		ff_db_reset(st);
		return FF_OK;
	}
	return rc == FF_DONE ? FF_OK : rc;
}

int64_t
ff_db_col_i64(ff_db_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

double
ff_db_col_double(ff_db_stmt *st, int i)
{
	return sqlite3_column_double(st->st, i);
}

int
ff_db_col_null(ff_db_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

const char *
ff_db_col_text(ff_db_stmt *st, int i, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(st->st, i);

	if (len != NULL)
		*len = (size_t)sqlite3_column_bytes(st->st, i);
	return s != NULL ? s : "";
}

const void *
ff_db_col_blob(ff_db_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, i);

	*len = (size_t)sqlite3_column_bytes(st->st, i);
	return p;
}

/* ---- transactions -------------------------------------------------------- */

ff_rc
ff_db_begin(ff_db *db, int immediate, ff_err *err)
{
	return ff_db_exec(db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

ff_rc
ff_db_commit(ff_db *db, ff_err *err)
{
	return ff_db_exec(db, "COMMIT", err);
}

void
ff_db_rollback(ff_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
ff_db_in_txn(const ff_db *db)
{
	return !sqlite3_get_autocommit(db->h);
}

ff_rc
ff_db_savepoint(ff_db *db, ff_err *err)
{
	return ff_db_exec(db, "SAVEPOINT one", err);
}

ff_rc
ff_db_release(ff_db *db, ff_err *err)
{
	return ff_db_exec(db, "RELEASE one", err);
}

void
ff_db_rollback_to(ff_db *db)
{
	(void)sqlite3_exec(db->h, "ROLLBACK TO one; RELEASE one", NULL, NULL,
	    NULL);
}

int64_t
ff_db_last_id(const ff_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

ff_rc
ff_db_checkpoint(ff_db *db, int truncate, int *frames, ff_err *err)
{
	int nlog = 0, nckpt = 0;
	int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, truncate ?
	    SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &nlog,
	    &nckpt);

	if (frames != NULL)
		*frames = nlog;
	return rc == SQLITE_OK ? FF_OK : db_fail(db, rc, err);
}

ff_rc
ff_db_int(ff_db *db, const char *sql, int64_t *out, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	*out = 0;
	if ((rc = ff_db_prepare(db, sql, &st, err)) != FF_OK)
		return rc;
	rc = ff_db_step(st, err);
	if (rc == FF_OK)
		*out = ff_db_col_i64(st, 0);
	ff_db_finalize(st);
	return rc == FF_DONE ? FF_OK : rc;
}
