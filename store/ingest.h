/*
 * ingest.h -- the one writer: a bounded queue of prepared profiles and a
 * thread that stores them in batches.
 *
 * Any thread submits a prepared profile (prep.h); the writer thread takes
 * every profile waiting (up to batch_max), stores them in one transaction
 * (put.h: BEGIN IMMEDIATE, a savepoint per profile, COMMIT with
 * synchronous=FULL), and only then calls each profile's completion
 * callback: a profile is acknowledged once its commit is durable.  When
 * the queue is full a submission fails with FF_ERR_BUSY (HTTP answers
 * 503), or waits (ffstore load).  The WAL is kept bounded by SQLite's
 * automatic PASSIVE checkpoints after commits and by a TRUNCATE
 * checkpoint when the writer is idle.  Stopping drains the queue first.
 */
#ifndef FF_INGEST_H
#define FF_INGEST_H

#include "profile/err.h"
#include "store/prep.h"
#include "store/put.h"

#include <stdint.h>

typedef struct ff_ingest ff_ingest;

typedef struct ff_ingest_opts {
	unsigned queue_max;     /* profiles waiting; 0 = 256 */
	uint64_t queue_bytes;   /* their approximate memory; 0 = 512 MiB */
	unsigned batch_max;     /* profiles per transaction; 0 = 64 */
	int nosync;             /* synchronous=OFF: not durable (tests) */
} ff_ingest_opts;

/* What became of a submitted profile. */
typedef struct ff_ingest_result {
	ff_rc rc;               /* FF_OK: stored or a duplicate */
	ff_err err;             /* why not, when rc != FF_OK */
	ff_put_result put;      /* id, duplicate, rows */
	const char *hash;       /* the content hash (valid during the call) */
	uint64_t bytes;         /* size of the file */
	double wait_s;          /* from submission to acknowledgement */
	double commit_s;        /* duration of the batch's transaction */
	unsigned batch;         /* profiles in that batch */
} ff_ingest_result;

/* Called once per submitted profile, on the writer thread, after its
 * batch committed (or failed).  Must not block for long. */
typedef void (*ff_ingest_done)(void *ctx, const ff_ingest_result *r);

/* Open (creating and migrating) the store at path and start the writer.
 * opts may be NULL. */
ff_rc ff_ingest_start(ff_ingest **out, const char *path,
    const ff_ingest_opts *opts, ff_err *err) FF_WUR;

/* Queue p.  On FF_OK the queue owns p and done(ctx, result) will be
 * called exactly once.  FF_ERR_BUSY when the queue is full (and !wait) or
 * the writer is stopping: p stays the caller's. */
ff_rc ff_ingest_submit(ff_ingest *g, ff_prep *p, int wait,
    ff_ingest_done done, void *ctx, ff_err *err) FF_WUR;

/* Whether a submission would be refused now (for an early 503). */
int ff_ingest_full(ff_ingest *g);

/* Current queue length and its memory, for /metrics. */
void ff_ingest_depth(ff_ingest *g, unsigned *profiles, uint64_t *bytes);

/* Refuse new submissions (FF_ERR_BUSY from now on), store everything
 * queued (every completion callback has run when it returns) and stop
 * the thread.  The handle stays valid. */
void ff_ingest_drain(ff_ingest *g);

/* Drain, checkpoint and close.  Accepts NULL. */
void ff_ingest_stop(ff_ingest *g);

#endif
