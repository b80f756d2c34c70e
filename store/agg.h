/*
 * agg.h -- the summed stacks of every (build, type, events), the rollup
 * behind a build's aggregate profile.
 *
 * Table agg holds, for each key, one or more packed blobs (blob.h) of
 * (stack id, one sum per event) whose sum is the key's aggregate.  Each
 * ingest batch appends one row per key it touched (the batch's sums),
 * inside its own transaction; when the appended rows outweigh the largest
 * one (or there are more than 32), the key's rows are merged into one.
 * Reading a key sums its rows; prune rebuilds the keys it touched.
 */
#ifndef FF_AGG_H
#define FF_AGG_H

#include "profile/err.h"
#include "store/db.h"
#include "store/sums.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_agg ff_agg;

/* A batch's pending sums (empty), or NULL when out of memory. */
ff_agg *ff_agg_new(void);
void ff_agg_free(ff_agg *a);

/* Drop the pending sums (after a rolled back transaction). */
void ff_agg_clear(ff_agg *a);

/* Add one profile's samples: n stacks ids[i] with vals[i * nev ..]. The
 * strings are copied. */
ff_rc ff_agg_add(ff_agg *a, const char *build, const char *type,
    const char *events, unsigned nev, const uint32_t *ids,
    const uint64_t *vals, size_t n) FF_WUR;

/* Write the pending sums into db (inside the caller's write transaction),
 * merge keys whose rows grew too many, and clear. */
ff_rc ff_agg_flush(ff_agg *a, ff_db *db, ff_err *err) FF_WUR;

/* Sum every row of a key into `into` (ncols = the events' count) and add
 * its profile count to *profiles. */
ff_rc ff_agg_load(ff_db *db, const char *build, const char *type,
    const char *events, ff_sums *into, uint64_t *profiles, ff_err *err)
	FF_WUR;

/* Recompute a key from the samples of its profiles (after a prune; in a
 * write transaction).  nev is the events' count. */
ff_rc ff_agg_rebuild(ff_db *db, const char *build, const char *type,
    const char *events, unsigned nev, ff_err *err) FF_WUR;

#endif
