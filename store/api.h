/*
 * api.h -- the read side of the HTTP API, without sockets.
 *
 *   | method, path                | answer                                  |
 *   |-----------------------------|-----------------------------------------|
 *   | GET /v1/builds              | JSON array: build, type, profiles,      |
 *   |                             | hosts, rows, first, last                |
 *   | GET /v1/profiles?SEL        | JSON array of profiles' metadata        |
 *   | GET /v1/profiles/ID         | JSON object, or 404                     |
 *   | GET /v1/profiles/ID/folded  | folded text, sorted                     |
 *   | GET /v1/aggregate?SEL       | summed folded text (build= required)    |
 *   | GET /healthz                | "ok"                                    |
 *   | GET /                       | a placeholder HTML page                 |
 *
 * SEL is query parameters build=, host= (glob), type=, since=, until=
 * (RFC 3339, now, -24h) and label.K=V; an unknown parameter is a 400.
 * Errors are JSON: {"error": "..."}.
 */
#ifndef FF_API_H
#define FF_API_H

#include "store/buf.h"
#include "store/store.h"

#include <stddef.h>

#define FF_API_ARGS_MAX 32

typedef struct ff_api_req {
	const char *path;                  /* without the query string */
	unsigned nargs;
	const char *keys[FF_API_ARGS_MAX]; /* decoded query parameters */
	const char *values[FF_API_ARGS_MAX];
	int too_many_args;                 /* more than FF_API_ARGS_MAX */
} ff_api_req;

typedef struct ff_api_resp {
	unsigned status;
	const char *type;                  /* Content-Type */
	ff_buf body;
} ff_api_resp;

void ff_api_resp_init(ff_api_resp *r);
void ff_api_resp_free(ff_api_resp *r);

/* Whether path is one of the GET routes above. */
int ff_api_known(const char *path);

/* Answer a GET with st (a read handle, borrowed for the call). */
void ff_api_get(ff_store *st, const ff_api_req *req, ff_api_resp *r);

/* Fill r with a JSON error. */
void ff_api_error(ff_api_resp *r, unsigned status, const char *msg);

#endif
