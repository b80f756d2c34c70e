/*
 * load.h -- batch import of profile files (ffstore load).
 *
 * Parser threads read and check the files (the same validation as an
 * upload: prep.h) and feed the ingest writer, waiting when its queue is
 * full.  A bad file is reported on stderr with its name and skipped; the
 * good ones are stored.
 */
#ifndef FF_LOAD_H
#define FF_LOAD_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ff_load_opts {
	unsigned threads;          /* parser threads; 0 = one per CPU */
	uint64_t max_upload;       /* largest file; 0 = FF_LOAD_MAX_FILE */
	uint64_t max_decompressed; /* 0 = FF_LOAD_MAX_INFLATED */
	unsigned batch_max;        /* profiles per transaction; 0 = 64 */
	int nosync;                /* not durable: synchronous=OFF */
	FILE *errors;              /* where bad files are reported (stderr) */
	const char *prog;          /* prefix of those messages */
} ff_load_opts;

#define FF_LOAD_MAX_FILE ((uint64_t)64 << 20)
#define FF_LOAD_MAX_INFLATED ((uint64_t)512 << 20)

typedef struct ff_load_stats {
	uint64_t files, stored, duplicates;
	uint64_t failed;           /* bad files (named on opts->errors) */
	uint64_t unstored;         /* good files not stored: the store failed */
	uint64_t rows, bytes;      /* of the stored profiles */
} ff_load_stats;

/* Read a whole file of at most max bytes into *out (freed with ff_free).
 * FF_ERR_LIMIT names the file when it is larger. */
ff_rc ff_load_slurp(const char *path, uint64_t max, unsigned char **out,
    size_t *len, ff_err *err) FF_WUR;

/* Store files[0..n) in the store at db (created when missing).  FF_OK
 * when every file was stored or was a duplicate; FF_ERR_PARSE when some
 * were bad (st counts them); other codes (FF_ERR_IO for a full disk or an
 * I/O error) when the store itself failed: then the load stops, what was
 * acknowledged stays stored (st->stored), the message says how far it
 * got, and running it again stores the rest.  *st is filled in every
 * case (every file unstored when the store could not be opened). */
ff_rc ff_load_files(const char *db, char *const *files, size_t n,
    const ff_load_opts *opts, ff_load_stats *st, ff_err *err) FF_WUR;

#endif
