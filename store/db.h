/*
 * db.h -- the store's only door to SQLite.
 *
 * A connection (ff_db) and its statements (ff_db_stmt), with flamefleet's
 * error convention: SQLite's message is copied into the ff_err, prefixed
 * with the database path.  Every value reaches SQL through a bound
 * parameter; SQL text is always a constant of the program (or, for
 * selections, assembled from constant fragments).
 *
 * Codes: FF_ERR_BUSY (SQLITE_BUSY, SQLITE_LOCKED: try again later),
 * FF_ERR_IO (disk full, I/O errors, cannot open), FF_ERR_NOMEM, and
 * FF_ERR_DB for everything else (corruption, constraint, misuse).
 *
 * A connection is used by one thread at a time.  Statements from
 * ff_db_cached() are cached on the connection and live until ff_db_close();
 * the others are finalized by the caller.
 */
#ifndef FF_DB_H
#define FF_DB_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_db ff_db;
typedef struct ff_db_stmt ff_db_stmt;

enum {
	FF_DB_READONLY = 1,   /* open read-only (the file must exist) */
	FF_DB_CREATE = 2,     /* create the file when missing */
	FF_DB_NOSYNC = 4      /* synchronous=OFF: not durable (tests) */
};

/* Route SQLite's allocations through ff_malloc (so tests can make them
 * fail) and initialise SQLite.  Called by ff_db_open; idempotent and
 * thread-safe. */
void ff_db_global_init(void);

/* Tests: open every later connection through the SQLite VFS registered
 * under name (e.g. a shim that fails writes or fsyncs on purpose); NULL
 * goes back to the default.  Not thread-safe: set it before opening. */
void ff_db_set_vfs(const char *name);

/* Open path.  A read-write connection uses WAL, synchronous=FULL (unless
 * FF_DB_NOSYNC), a 5 s busy timeout and incremental auto-vacuum for a new
 * file; a read-only one only reads.  On error *out is NULL. */
ff_rc ff_db_open(ff_db **out, const char *path, int flags, ff_err *err)
	FF_WUR;

/* Finalize every statement and close.  Accepts NULL. */
void ff_db_close(ff_db *db);

const char *ff_db_path(const ff_db *db);
int ff_db_readonly(const ff_db *db);

/* Run constant SQL (one or more statements, no parameters), discarding
 * any rows. */
ff_rc ff_db_exec(ff_db *db, const char *sql, ff_err *err) FF_WUR;

/* The cached statement for the constant sql, reset with its bindings
 * cleared.  Borrowed: valid until ff_db_close(); do not finalize. */
ff_rc ff_db_cached(ff_db *db, const char *sql, ff_db_stmt **out, ff_err *err)
	FF_WUR;

/* A new statement for sql (which may be assembled at run time from
 * constant fragments); the caller finalizes it. */
ff_rc ff_db_prepare(ff_db *db, const char *sql, ff_db_stmt **out,
    ff_err *err) FF_WUR;
void ff_db_finalize(ff_db_stmt *st);

/* Bind parameter i (1-based).  A failed bind is remembered and reported
 * by the next ff_db_step. text and blob are copied when `copy`, else
 * borrowed until the statement is reset. */
void ff_db_bind_i64(ff_db_stmt *st, int i, int64_t v);
void ff_db_bind_double(ff_db_stmt *st, int i, double v);
void ff_db_bind_null(ff_db_stmt *st, int i);
void ff_db_bind_text(ff_db_stmt *st, int i, const char *s, size_t len,
    int copy);
void ff_db_bind_blob(ff_db_stmt *st, int i, const void *p, size_t len,
    int copy);

/* Step: FF_OK with a row, FF_DONE at the end (the statement is then
 * reset), or an error (the statement is reset). */
ff_rc ff_db_step(ff_db_stmt *st, ff_err *err) FF_WUR;

/* Step a statement that returns no row (INSERT, UPDATE, ...): FF_OK when
 * it ran to completion. */
ff_rc ff_db_run(ff_db_stmt *st, ff_err *err) FF_WUR;

/* Reset early (before FF_DONE), releasing the statement's read lock. */
void ff_db_reset(ff_db_stmt *st);

/* Columns of the current row (0-based).  Pointers are valid until the
 * next step or reset. */
int64_t ff_db_col_i64(ff_db_stmt *st, int i);
double ff_db_col_double(ff_db_stmt *st, int i);
int ff_db_col_null(ff_db_stmt *st, int i);
const char *ff_db_col_text(ff_db_stmt *st, int i, size_t *len);
const void *ff_db_col_blob(ff_db_stmt *st, int i, size_t *len);

/* Transactions.  ff_db_begin(db, 1) takes the write lock at once (BEGIN
 * IMMEDIATE); ff_db_begin(db, 0) starts a read snapshot (BEGIN).
 * ff_db_rollback never fails (errors are ignored: SQLite rolls back on
 * its own when it cannot). */
ff_rc ff_db_begin(ff_db *db, int immediate, ff_err *err) FF_WUR;
ff_rc ff_db_commit(ff_db *db, ff_err *err) FF_WUR;
void ff_db_rollback(ff_db *db);
int ff_db_in_txn(const ff_db *db);

/* A savepoint inside a transaction, so one profile of a batch can fail
 * without the others: ff_db_savepoint, then ff_db_release to keep its
 * changes or ff_db_rollback_to to drop them. */
ff_rc ff_db_savepoint(ff_db *db, ff_err *err) FF_WUR;
ff_rc ff_db_release(ff_db *db, ff_err *err) FF_WUR;
void ff_db_rollback_to(ff_db *db);

/* The rowid of the last INSERT. */
int64_t ff_db_last_id(const ff_db *db);

/* Checkpoint the WAL: PASSIVE (never waits) or, with truncate, TRUNCATE
 * (waits for readers up to the busy timeout, then empties the WAL file).
 * *frames (may be NULL) receives the WAL size in pages before it. */
ff_rc ff_db_checkpoint(ff_db *db, int truncate, int *frames, ff_err *err)
	FF_WUR;

/* A single integer from a constant query ("PRAGMA page_count"). */
ff_rc ff_db_int(ff_db *db, const char *sql, int64_t *out, ff_err *err)
	FF_WUR;

#endif
