/*
 * query.h -- what the diff engine, the HTTP API and ffstore ask a store.
 *
 * Every query takes a read handle (store.h) and a selection (sel.h), runs
 * in one read snapshot (so a concurrent ingest never shows half a batch),
 * and leaves the handle ready for the next one.
 *
 *   ff_query_profiles   the profiles of a selection, with metadata
 *   ff_query_aggregate  the summed stacks of a selection (all events)
 *   ff_query_funcs      per profile: totals, labels, and each function's
 *                       self and inclusive values per event
 *   ff_query_builds     builds and types with profile and host counts
 *   ff_query_stats      sizes of the store
 *
 * Function ids in ff_query_funcs name entries of the store's function
 * table (ff_store_func_name): a function is the normal form of a frame
 * name (profile/func.h), the same in every build, so ids compare across
 * builds directly.
 */
#ifndef FF_QUERY_H
#define FF_QUERY_H

#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/intern.h"
#include "profile/stacks.h"
#include "store/plist.h"
#include "store/sel.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* ---- profiles ------------------------------------------------------------ */

/* The profiles of sel, ordered by start time, host and id.  On success
 * *out is the caller's (ff_plist_free). */
ff_rc ff_query_profiles(ff_store *st, const ff_sel *sel, ff_plist **out,
    ff_err *err) FF_WUR;

/* One profile's metadata (out is freed first).  FF_ERR_NOTFOUND. */
ff_rc ff_query_profile(ff_store *st, int64_t id, ff_pinfo *out,
    ff_err *err) FF_WUR;

/* The id of the profile whose content hash is hash (32 hex digits):
 * FF_OK, or FF_ERR_NOTFOUND. */
ff_rc ff_query_hash(ff_store *st, const char *hash, int64_t *id,
    ff_err *err) FF_WUR;

/* ---- summed stacks ------------------------------------------------------- */

/* What an aggregate summed. */
typedef struct ff_query_sum {
	uint64_t profiles;       /* profiles summed */
	uint64_t rows;           /* their sample rows */
	unsigned nevents;        /* columns of the result */
	char events[FF_VALUES_MAX][FF_META_EVENT_MAX + 1];
} ff_query_sum;

/* Sum the samples of every profile of sel into a new stack table over
 * frames (borrowed; frame names are interned into it), one column per
 * event: *out is the caller's.  Every profile of the selection must have
 * the same events, else FF_ERR_USAGE names the two lists (add type= to
 * narrow it).  No profile: an empty one-column table and profiles = 0.
 * A selection of only build and type is answered from the per-build
 * summed stacks, without reading each profile.  sum may be NULL. */
ff_rc ff_query_aggregate(ff_store *st, const ff_sel *sel, ff_intern *frames,
    ff_stacks **out, ff_query_sum *sum, ff_err *err) FF_WUR;

/* The samples of profile id as a new stack table over frames, and its
 * metadata into info (may be NULL).  FF_ERR_NOTFOUND. */
ff_rc ff_query_folded(ff_store *st, int64_t id, ff_intern *frames,
    ff_stacks **out, ff_pinfo *info, ff_err *err) FF_WUR;

/* ---- function values ----------------------------------------------------- */

/* One profile's function values, as ff_query_funcs hands them over.
 * Everything is borrowed for the duration of the call. */
typedef struct ff_fprof {
	const ff_pinfo *info;    /* metadata, labels, totals per event */
	unsigned nevents;        /* = info->meta.nevents */
	uint32_t nfuncs;         /* functions in the profile */
	const uint32_t *func;    /* nfuncs function ids, ascending */
	const uint64_t *self;    /* nfuncs * nevents: self[i * nevents + e] */
	const uint64_t *incl;    /* the same, inclusive */
} ff_fprof;

/* Called once per profile; a code other than FF_OK stops the query and
 * is returned by it. */
typedef ff_rc (*ff_query_visit)(void *ctx, const ff_fprof *p, ff_err *err);

/* For every profile of sel (ordered as ff_query_profiles), decode its
 * function rollup and call visit.  Function names: ff_store_func_name,
 * valid until the next query.  Memory stays at one profile's worth. */
ff_rc ff_query_funcs(ff_store *st, const ff_sel *sel, ff_query_visit visit,
    void *ctx, ff_err *err) FF_WUR;

/* ---- builds and sizes ---------------------------------------------------- */

typedef struct ff_build_row {
	char *build, *type;
	uint64_t profiles, hosts, rows;
	int64_t first, last;     /* earliest and latest profile start */
} ff_build_row;

/* Every (build, type), ordered by latest start, newest first.  *rows is
 * the caller's: ff_query_builds_free. */
ff_rc ff_query_builds(ff_store *st, ff_build_row **rows, size_t *n,
    ff_err *err) FF_WUR;
void ff_query_builds_free(ff_build_row *rows, size_t n);

typedef struct ff_store_stats {
	uint64_t profiles, rows, builds, frames, funcs, nodes;
	uint64_t db_bytes;       /* pages in use times page size */
	uint64_t free_bytes;     /* free pages (reclaimed by vacuum) */
	uint64_t wal_bytes;      /* the -wal file */
	/* bytes by kind (when SQLite has the dbstat table, else 0) */
	uint64_t pdata_bytes;    /* per-profile samples and rollups */
	uint64_t meta_bytes;     /* profiles, labels and their indexes */
	uint64_t dict_bytes;     /* frames, functions, stack nodes */
	uint64_t agg_bytes;      /* per-build summed stacks */
} ff_store_stats;

ff_rc ff_query_stats(ff_store *st, ff_store_stats *out, ff_err *err)
	FF_WUR;

#endif
