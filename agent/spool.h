/*
 * spool.h -- the directory where profiles wait for upload.
 *
 *   | name                                   | what                        |
 *   |----------------------------------------|-----------------------------|
 *   | SSSSSSSSSSSS.NNNNNNNNN-PID-dT-TAG.ffp  | a complete profile: created |
 *   |                                        | at Unix time S.N by PID; T  |
 *   |                                        | is the dropped-total when   |
 *   |                                        | it was made; TAG names it   |
 *   | .tmp-PID-XXXXXX                        | being written (never sent)  |
 *   | .lock                                  | the agents' lock            |
 *   | .state                                 | counters and last upload    |
 *   | rejected/NAME.ffp, rejected/NAME.why   | refused by the store (4xx)  |
 *
 * Names sort in creation order (the time is zero-padded), so "oldest
 * first" is name order.  A profile appears under its final name only
 * after it was written completely and fsync'ed (temp file, fsync, rename,
 * fsync of the directory), so a killed agent leaves at most a temp file,
 * which readers ignore and ff_spool_clean removes once its writer is
 * gone.  Other names in the directory are ignored.
 *
 * Dropped profiles: when the spool passes its bounds the oldest profiles
 * are removed and counted in .state (dropped_total).  A new profile
 * records the count not yet reported (dropped_total - dropped_reported)
 * in its labels (dropped_since_last) and T in its name; once it is
 * uploaded, dropped_reported becomes at least T.
 */
#ifndef FF_SPOOL_H
#define FF_SPOOL_H

#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/stacks.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_spool ff_spool;

/* A complete profile in the spool (from ff_spool_list). */
typedef struct ff_spool_file {
	char name[128];      /* base name */
	uint64_t bytes;
	int64_t created;     /* Unix seconds, from the name */
	uint64_t drop_stamp; /* T from the name */
} ff_spool_file;

/* What .state keeps.  Caller-owned. */
typedef struct ff_spool_state {
	uint64_t dropped_total;    /* profiles ever dropped by the bounds */
	uint64_t dropped_reported; /* of those, reported to the store */
	int64_t last_success;      /* time of the last upload (0: never) */
	int64_t last_attempt;      /* time of the last flush (0: never) */
	uint64_t uploaded_total;   /* profiles uploaded, ever */
	uint64_t rejected_total;   /* profiles moved to rejected/, ever */
	char last_error[256];      /* of the last flush, "" when it worked */
} ff_spool_state;

/* Longest TAG in a name. */
#define FF_SPOOL_TAG_MAX 64u

/* Open dir, creating it (mode 0750) and its rejected/ when missing
 * (the parent must exist).  max_files and max_bytes bound the complete
 * profiles kept (and, separately, those in rejected/). */
ff_rc ff_spool_open(ff_spool **out, const char *dir, uint64_t max_bytes,
    uint64_t max_files, ff_err *err) FF_WUR;
void ff_spool_close(ff_spool *sp);

const char *ff_spool_dir(const ff_spool *sp);

/* "dir/name" into buf[0..cap); FF_ERR_LIMIT when it does not fit. */
ff_rc ff_spool_path(const ff_spool *sp, const char *name, char *buf,
    size_t cap, ff_err *err) FF_WUR;

/* ---- writing ------------------------------------------------------------- */

/* A profile being written.  Caller-owned; fd is the caller's to write. */
typedef struct ff_spool_tmp {
	int fd;
	char path[4096];
} ff_spool_tmp;

/* Create a temp file (mode 0600) for a new profile. */
ff_rc ff_spool_create(ff_spool *sp, ff_spool_tmp *t, ff_err *err) FF_WUR;

/* fsync and close t, rename it to its final name (with drop_stamp and
 * tag, cut to FF_SPOOL_TAG_MAX and to [A-Za-z0-9_.-]) and fsync the
 * directory; the final name goes to name[0..cap) when name is not NULL.
 * On error the temp file is removed.  t is closed in every case. */
ff_rc ff_spool_commit(ff_spool *sp, ff_spool_tmp *t, uint64_t drop_stamp,
    const char *tag, char *name, size_t cap, ff_err *err) FF_WUR;

/* Close and remove t (after an error).  Safe to call twice. */
void ff_spool_abandon(ff_spool_tmp *t);

/* Add a profile: set meta's label dropped_since_last to the drops not
 * yet reported (from .state), then write meta and the stacks of s as a
 * .ffp (zstd level) under a new name with tag (create, write, commit).
 * meta is changed (the label); s is borrowed.  The final name goes to
 * name[0..cap) when name is not NULL.  On error nothing is left. */
ff_rc ff_spool_put(ff_spool *sp, ff_meta *meta, const ff_stacks *s,
    int level, const char *tag, char *name, size_t cap, ff_err *err)
	FF_WUR;

/* ---- reading and removing ------------------------------------------------ */

/* The complete profiles, oldest first, in a new array (*files, free with
 * ff_free; NULL when empty).  sub is NULL for the spool itself or
 * "rejected". */
ff_rc ff_spool_list(ff_spool *sp, const char *sub, ff_spool_file **files,
    size_t *n, ff_err *err) FF_WUR;

/* Remove an uploaded profile. */
ff_rc ff_spool_remove(ff_spool *sp, const char *name, ff_err *err) FF_WUR;

/* Move a refused profile to rejected/ with the reason next to it
 * (NAME.why; when that cannot be written, e.g. on a full disk, the
 * reason is only logged and the profile moved all the same), then keep
 * rejected/ within the bounds (oldest removed, each logged).  An error
 * only when the profile could not be moved (it stays queued). */
ff_rc ff_spool_reject(ff_spool *sp, const char *name, const char *why,
    ff_err *err) FF_WUR;

/* Keep the spool within its bounds: remove the oldest profiles until at
 * most max_files and max_bytes remain, logging each and adding them to
 * st->dropped_total (the caller saves st).  *dropped gets the number. */
ff_rc ff_spool_enforce(ff_spool *sp, ff_spool_state *st, unsigned *dropped,
    ff_err *err) FF_WUR;

/* Remove temp files whose writer is gone (or older than a day); returns
 * how many were removed. */
unsigned ff_spool_clean(ff_spool *sp);

/* Temp files present (for status). */
unsigned ff_spool_temps(ff_spool *sp);

/* ---- state --------------------------------------------------------------- */

/* Read .state (all zero when missing; a corrupt file is reported in err
 * with FF_ERR_PARSE and st left zero, and may be overwritten). */
ff_rc ff_spool_state_load(ff_spool *sp, ff_spool_state *st, ff_err *err)
	FF_WUR;

/* Write .state atomically. */
ff_rc ff_spool_state_save(ff_spool *sp, const ff_spool_state *st,
    ff_err *err) FF_WUR;

/* The number of dropped profiles a new profile should report. */
uint64_t ff_spool_state_unreported(const ff_spool_state *st);

#endif
