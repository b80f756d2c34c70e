/*
 * uploader.h -- sending one profile file to the store (POST /v1/profiles).
 *
 * The only module that talks to libcurl.  One handle is reused for every
 * file, so the connection is kept alive between uploads.  The body is
 * streamed from the file (memory does not grow with its size) with
 * Content-Type application/zstd and, when a token is given,
 * "Authorization: Bearer TOKEN".  TLS peers are always verified (against
 * the system's CAs or ca_file); a client certificate is optional.  Only
 * http and https are allowed, redirects are not followed.
 *
 * What the answer means for the file (ff_uploader_classify):
 *
 *   | answer                               | verdict  | the agent...       |
 *   |--------------------------------------|----------|--------------------|
 *   | 2xx (200 duplicate included)         | STORED   | deletes the file   |
 *   | no answer (connect, TLS, timeout),   | RETRY    | backs off, retries |
 *   | 5xx, 408, 429                        |          | until its deadline |
 *   | 401, 403 (credentials), 404, 405     | STOP     | keeps every file,  |
 *   | (wrong URL), 1xx, 3xx, other codes   |          | stops this flush   |
 *   | other 4xx (400, 411, 413, 415, 422)  | REJECTED | moves the file to  |
 *   |                                      |          | rejected/, logs    |
 *
 * STOP answers say nothing about the file (a wrong token or URL would
 * otherwise move the whole spool to rejected/).
 */
#ifndef FF_UPLOADER_H
#define FF_UPLOADER_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_uploader ff_uploader;

/* Everything is borrowed for the life of the handle. */
typedef struct ff_uploader_opts {
	const char *server;        /* base URL; "/v1/profiles" is appended */
	const char *token;         /* bearer token, or NULL */
	const char *ca_file;       /* CA bundle, or NULL: the system's */
	const char *cert_file;     /* client certificate (PEM), or NULL */
	const char *key_file;      /* its key (PEM), or NULL */
	unsigned connect_timeout_s;
} ff_uploader_opts;

typedef enum ff_uploader_verdict {
	FF_UPLOADER_STORED,
	FF_UPLOADER_RETRY,
	FF_UPLOADER_REJECTED,
	FF_UPLOADER_STOP
} ff_uploader_verdict;

/* Longest response body kept (the rest is read and discarded). */
#define FF_UPLOADER_BODY_MAX 4096u

typedef struct ff_uploader_result {
	ff_uploader_verdict verdict;
	long status;               /* HTTP status; 0 when there was none */
	int duplicate;             /* the store already had it */
	int has_retry_after;
	uint64_t retry_after_s;    /* from Retry-After */
	uint64_t bytes;            /* the body's size */
	char id[80];               /* the store's id for it, or "" */
	char message[512];         /* the server's message or curl's error,
	                            * one printable line */
} ff_uploader_result;

/* Set libcurl up (once per process, before any handle), routing its
 * allocations through profile/mem.h. */
ff_rc ff_uploader_global_init(ff_err *err) FF_WUR;
void ff_uploader_global_cleanup(void);

/* A handle for uploads to o->server. */
ff_rc ff_uploader_new(ff_uploader **out, const ff_uploader_opts *o, ff_err *err)
	FF_WUR;
void ff_uploader_free(ff_uploader *u);

/* POST the file at path, allowing timeout_s seconds for the whole
 * transfer.  HTTP and network failures are not errors: they are in res
 * (verdict, status, message).  FF_ERR_IO when the file cannot be read,
 * FF_ERR_NOMEM, FF_ERR_INTERNAL when curl refuses an option. */
ff_rc ff_uploader_post(ff_uploader *u, const char *path, unsigned timeout_s,
    ff_uploader_result *res, ff_err *err) FF_WUR;

/* The verdict for an HTTP status (0 = no answer). */
ff_uploader_verdict ff_uploader_classify(long status);

/* "stored", "retry", "rejected", "stop". */
const char *ff_uploader_verdict_name(ff_uploader_verdict v);

/* The server's message from a response body: the "error" or "message"
 * string of a JSON object, else the body itself, as one printable line
 * in out[0..cap). */
void ff_uploader_message(const char *body, size_t len, char *out, size_t cap);

#endif
