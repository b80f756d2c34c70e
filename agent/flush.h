/*
 * flush.h -- uploading the spool: oldest first, one connection, backoff
 * with full jitter until the deadline (see uploader.h for what each answer
 * does to a file, spool.h for the files).
 *
 * A flush first removes dead writers' temp files and enforces the spool's
 * bounds, then sends each profile.  After a RETRY answer it waits
 * (backoff.h: full jitter from 1 s up to 60 s, at least the server's
 * Retry-After) and sends the same file again, until deadline_s seconds
 * after the flush started; then it stops and keeps the rest for the next
 * run.  A STOP answer stops at once.  Every upload updates .state
 * (last success, uploaded count, dropped counts reported), so a killed
 * flush loses nothing and repeats at most the file it was sending (which
 * the store then answers as a duplicate).
 *
 * The caller holds the spool's lock.
 */
#ifndef FF_FLUSH_H
#define FF_FLUSH_H

#include "agent/agentconf.h"
#include "agent/spool.h"
#include "profile/err.h"

#include <stdint.h>

typedef struct ff_flush_summary {
	unsigned uploaded;    /* stored (2xx), duplicates included */
	unsigned duplicates;  /* of those, answered as already stored */
	unsigned rejected;    /* moved to rejected/ */
	unsigned kept;        /* left in the spool for the next run */
	unsigned dropped;     /* removed by the bounds before sending */
	unsigned retries;     /* answers that asked to try again */
	uint64_t bytes;       /* bytes of the profiles stored */
	int stopped;          /* a STOP answer ended the flush */
	int deadline;         /* the deadline ended the flush */
} ff_flush_summary;

/* Test hooks (NULL in production): the clock in ms and the sleep. */
typedef struct ff_flush_hooks {
	uint64_t (*now_ms)(void *ctx);
	void (*sleep_ms)(void *ctx, uint64_t ms);
	void *ctx;
	uint64_t seed;        /* 0: ff_backoff_seed() */
} ff_flush_hooks;

/* Upload every profile in sp to c->server.  Returns FF_OK when the flush
 * ran (whatever the server answered: see sum); an error only when it
 * could not: FF_ERR_USAGE (token file unreadable or malformed),
 * FF_ERR_IO (the spool), FF_ERR_NOMEM, FF_ERR_INTERNAL (libcurl). */
ff_rc ff_flush_spool(const ff_agentconf *c, ff_spool *sp,
    const ff_flush_hooks *hooks, ff_flush_summary *sum, ff_err *err)
	FF_WUR;

/* Read the bearer token: the first line of path, blanks removed; 1-4096
 * printable ASCII bytes without spaces.  *token is freed with ff_free. */
ff_rc ff_flush_read_token(const char *path, char **token, ff_err *err)
	FF_WUR;

/* The exit status for a summary: 0 when nothing is left over, 1 when
 * profiles were kept or rejected. */
int ff_flush_exit_status(const ff_flush_summary *sum);

#endif
