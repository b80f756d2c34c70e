/*
 * server.h -- ffstore serve: the ingest daemon.
 *
 * Puts together the HTTP server (http.h), the upload handler (upload.h),
 * the writer (ingest.h), a pool of read handles for the GET API (api.h),
 * the tokens file (tokens.h) and the metrics (metrics.h), then waits for
 * signals: SIGHUP reloads the tokens file (a revoked token is refused
 * from then on), SIGTERM or SIGINT stops accepting connections, lets the
 * uploads in flight finish, stores everything queued, and exits.
 */
#ifndef FF_SERVER_H
#define FF_SERVER_H

#include "profile/err.h"
#include "store/api.h"
#include "store/store.h"

#include <stdint.h>

/* Extra GET routes the program adds (ffstore's web page and comparisons,
 * which need diff/ and report/: the store library itself does not).
 * known() says whether a path is one of them; get() answers it with a
 * read handle borrowed for the call, on an HTTP thread (several may run
 * at once, each with its own handle).  ctx is the program's. */
typedef struct ff_server_web {
	int (*known)(const char *path);
	void (*get)(void *ctx, ff_store *st, const ff_api_req *req,
	    ff_api_resp *resp);
	void *ctx;
} ff_server_web;

typedef struct ff_server_opts {
	const char *db;
	const char *listen;          /* default 127.0.0.1:8080 */
	const char *tokens;          /* tokens file, or NULL: loopback only */
	const char *tls_cert;        /* PEM files, or NULL */
	const char *tls_key;
	const char *port_file;       /* write the bound port here, or NULL */
	uint64_t max_upload;         /* default 64 MiB */
	uint64_t max_decompressed;   /* default 512 MiB */
	unsigned threads;            /* HTTP threads; default 4 */
	unsigned queue_max;          /* default 256 */
	unsigned batch_max;          /* default 64 */
	unsigned timeout_s;          /* idle connections; default 30 */
	unsigned max_conns;          /* default 4096 */
	unsigned per_ip;             /* per client address; default 0 (none) */
	unsigned request_s;          /* whole upload body; default 300 */
	int nosync;                  /* tests only: no fsync at commit */
	ff_server_web web;           /* extra GET routes, or all NULL */
} ff_server_opts;

/* Run until SIGTERM or SIGINT.  FF_OK after a clean stop; an error when
 * the server could not start (bad options, port in use, database). */
ff_rc ff_server_run(const ff_server_opts *o, ff_err *err) FF_WUR;

#endif
