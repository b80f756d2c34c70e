/*
 * prune.h -- ffstore prune: delete old profiles and give the space back.
 *
 * Profiles that started before a cutoff are deleted in small
 * transactions (so a running server's writer waits at most one of them),
 * the summed stacks of the builds they belonged to are rebuilt, and the
 * freed pages are returned to the file system with incremental vacuum,
 * a few megabytes per transaction.  Frames, functions and stack nodes
 * stay: they are shared, small, and ids must never be reused.
 */
#ifndef FF_PRUNE_H
#define FF_PRUNE_H

#include "profile/err.h"

#include <stdint.h>

typedef struct ff_prune_stats {
	uint64_t profiles;       /* deleted */
	uint64_t rows;           /* their sample rows */
	uint64_t freed_bytes;    /* returned to the file system */
} ff_prune_stats;

/* Delete every profile of the store at path whose start is before
 * `before` (Unix seconds); with dry_run only count them. */
ff_rc ff_prune_store(const char *path, int64_t before, int dry_run,
    ff_prune_stats *st, ff_err *err) FF_WUR;

#endif
