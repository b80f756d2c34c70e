/*
 * put.h -- storing prepared profiles: the body of the writer's
 * transactions.
 *
 * One batch is ff_put_begin (BEGIN IMMEDIATE), ff_put_profile for each
 * profile, and ff_put_commit.  Each profile is written under a savepoint:
 * when one fails, its rows are rolled back and the others of the batch
 * are kept.  Frames, functions and stack nodes new to the store are
 * added to its dictionary; the per-build summed stacks (agg.h) are updated
 * in the same transaction, so every committed profile is counted in them
 * and no other one.
 */
#ifndef FF_PUT_H
#define FF_PUT_H

#include "profile/err.h"
#include "store/db.h"
#include "store/buf.h"
#include "store/prep.h"

#include <stdint.h>

typedef struct ff_put ff_put;

typedef struct ff_put_result {
	int64_t id;          /* the profile's id in the store */
	int duplicate;       /* it was stored before (same content hash) */
	uint64_t rows;       /* sample rows (distinct stacks) */
} ff_put_result;

/* A writer over db (borrowed: read-write, at the current schema). */
ff_rc ff_put_new(ff_put **out, ff_db *db, ff_err *err) FF_WUR;
void ff_put_free(ff_put *w);

/* Start a batch: BEGIN IMMEDIATE and load dictionary rows that another
 * process may have added. */
ff_rc ff_put_begin(ff_put *w, ff_err *err) FF_WUR;

/* Store p (borrowed) in the open batch, or find it stored before.  On
 * error this profile left nothing behind and the batch may go on; after
 * FF_ERR_IO or FF_ERR_BUSY (the disk or the database failed, or SQLite
 * rolled the transaction back itself) it should be aborted, and after
 * some FF_ERR_NOMEM its commit fails (as every later ff_put_profile of
 * the batch does). */
ff_rc ff_put_profile(ff_put *w, const ff_prep *p, ff_put_result *r,
    ff_err *err) FF_WUR;

/* Write the batch's summed stacks and COMMIT (durably, with
 * synchronous=FULL).  On error the batch is rolled back. */
ff_rc ff_put_commit(ff_put *w, ff_err *err) FF_WUR;

/* Roll the batch back. */
void ff_put_abort(ff_put *w);

/* The events of p as stored (a JSON array of names), into buf; also the
 * key of the summed stacks. */
ff_rc ff_put_events_json(const ff_meta *m, ff_buf *buf) FF_WUR;

#endif
