/*
 * upload.h -- POST /v1/profiles as pure functions of the request.
 *
 * The HTTP layer calls ff_upload_headers once the headers are in (before
 * reading the body), then ff_upload_body with the whole body; each either
 * decides the answer (status, JSON body, extra headers) or lets the
 * request go on.  When the body is accepted, the answer comes from
 * ff_upload_done once the writer committed it (or ff_upload_busy when the
 * queue refused it).  No socket, no database: the fuzzer and the unit
 * tests call these directly; a duplicate is looked up through a callback.
 *
 *   | status | when                                                   |
 *   |--------|--------------------------------------------------------|
 *   | 201    | stored: {"id":N,"hash":"...","rows":R}                 |
 *   | 200    | stored before: {"id":N,"hash":"...","duplicate":true}  |
 *   | 400    | malformed: {"error":"what and where"}                  |
 *   | 401    | no or unknown token (WWW-Authenticate: Bearer)         |
 *   | 403    | host not allowed for the token, or not loopback        |
 *   | 413    | Content-Length or body over --max-upload, or the data  |
 *   |        | inflates past --max-decompressed                       |
 *   | 503    | write queue full, shutting down, or storage failing    |
 *   |        | (disk full, I/O error, locked; Retry-After: seconds)   |
 *   | 500    | the database refused otherwise (corrupt file, a bug)   |
 */
#ifndef FF_UPLOAD_H
#define FF_UPLOAD_H

#include "profile/err.h"
#include "store/buf.h"
#include "store/ingest.h"
#include "store/metrics.h"
#include "store/prep.h"
#include "store/tokens.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_upload_cfg {
	const ff_tokens *tokens;      /* NULL: loopback clients only */
	uint64_t max_upload;          /* bytes of body */
	uint64_t max_decompressed;    /* bytes once inflated */
	/* Whether a profile with this content hash is stored (1, *id set),
	 * not (0); may be NULL. */
	int (*seen)(void *ctx, const char *hash, int64_t *id);
	void *seen_ctx;
} ff_upload_cfg;

typedef struct ff_upload_req {
	const char *authorization;    /* header values; NULL when absent */
	const char *content_type;
	const char *content_length;
	int loopback;                 /* the client is 127.0.0.0/8 or ::1 */
	const char *glob;             /* from ff_upload_headers */
	const void *body;             /* the whole body */
	size_t len;
} ff_upload_req;

typedef struct ff_upload_resp {
	unsigned status;              /* 0: go on */
	ff_buf body;                  /* JSON */
	const char *retry_after;      /* extra headers, or NULL */
	const char *www_authenticate;
	ff_reject reason;             /* for metrics, when status >= 400 */
	char *glob;                   /* headers: the token's host glob */
	ff_prep *prep;                /* body: the profile to queue */
} ff_upload_resp;

void ff_upload_resp_init(ff_upload_resp *r);
/* Release everything (the prep too, unless the caller took it). */
void ff_upload_resp_free(ff_upload_resp *r);

/* Headers only: 401, 403, 413 (Content-Length), 400 (Content-Type).
 * status 0: read the body; r->glob is the token's host glob ("*" without
 * a tokens file), to pass back in req->glob. */
void ff_upload_headers(const ff_upload_cfg *cfg, const ff_upload_req *req,
    ff_upload_resp *r);

/* The body: 413, 400, 403 (host), 200 (duplicate).  status 0: r->prep is
 * ready to be queued (the caller takes it). */
void ff_upload_body(const ff_upload_cfg *cfg, const ff_upload_req *req,
    ff_upload_resp *r);

/* The writer's verdict: 201, 200, 503 (storage failing: worth a retry)
 * or 500 (the database refused otherwise). */
void ff_upload_done(const ff_ingest_result *res, ff_upload_resp *r);

/* The queue refused the profile: 503 with Retry-After. */
void ff_upload_busy(const char *why, ff_upload_resp *r);

/* A plain error answer (status, {"error": msg}). */
void ff_upload_error(unsigned status, ff_reject reason, const char *msg,
    ff_upload_resp *r);

#endif
