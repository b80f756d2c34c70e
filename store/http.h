/*
 * http.h -- the HTTP server: libmicrohttpd behind a small interface.
 * The only file of the project that includes <microhttpd.h> is http.c.
 *
 * A pool of threads polls the sockets (epoll on Linux), so idle or slow
 * connections cost a file descriptor, not a thread.  Requests are handed
 * to the application's callbacks: a GET is answered at once; a POST's
 * headers are checked before its body is read (an early answer such as
 * 413 means the body is never read), the body is accumulated in memory
 * up to max_body, and the answer may come later from another thread
 * (ff_http_answer): the connection is suspended meanwhile, so waiting
 * for a commit does not block a polling thread.
 *
 * Limits: headers and URL share a 64 KiB per-connection memory pool (a
 * request over it is refused by libmicrohttpd with 431 or 414), an idle
 * connection is closed after timeout_s, at most max_conns connections.
 */
#ifndef FF_HTTP_H
#define FF_HTTP_H

#include "profile/err.h"
#include "store/buf.h"

#include <stddef.h>
#include <stdint.h>

#define FF_HTTP_ARGS_MAX 32

typedef struct ff_http ff_http;
typedef struct ff_http_conn ff_http_conn;

typedef struct ff_http_req {
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* without the query string */
	const char *authorization;   /* header values, or NULL */
	const char *content_type;
	const char *content_length;
	int loopback;                /* the client is 127.0.0.0/8 or ::1 */
	unsigned nargs;              /* decoded query parameters */
	const char *keys[FF_HTTP_ARGS_MAX];
	const char *values[FF_HTTP_ARGS_MAX];
	int too_many_args;
	const void *body;            /* POST: the whole body */
	size_t len;
} ff_http_req;

/* An answer.  The body is taken by the server (and freed). */
typedef struct ff_http_resp {
	unsigned status;
	const char *type;            /* Content-Type (a constant) */
	ff_buf body;
	const char *retry_after;     /* extra headers (constants), or NULL */
	const char *www_authenticate;
	const char *allow;
} ff_http_resp;

void ff_http_resp_init(ff_http_resp *r);

typedef struct ff_http_app {
	void *ctx;
	/* POST headers are in: return 0 to read the body, or fill resp.
	 * *state is the application's, released by free_state. */
	int (*post_begin)(void *ctx, const ff_http_req *req, void **state,
	    ff_http_resp *resp);
	/* The body is in (req->body): fill resp and return 1, or return 0
	 * and make sure ff_http_answer(conn, ...) is called later. */
	int (*post_end)(void *ctx, const ff_http_req *req, void *state,
	    ff_http_conn *conn, ff_http_resp *resp);
	/* GET and HEAD. */
	void (*get)(void *ctx, const ff_http_req *req, ff_http_resp *resp);
	void (*free_state)(void *ctx, void *state);
} ff_http_app;

typedef struct ff_http_opts {
	const char *listen;          /* "127.0.0.1:8080", "[::1]:0", ... */
	unsigned threads;            /* polling threads */
	unsigned timeout_s;          /* idle connection timeout */
	unsigned max_conns;
	unsigned per_ip;             /* connections per client address; 0 =
	                              * no limit */
	unsigned request_s;          /* a POST body must be in this many
	                              * seconds after its headers; 0 = 300 */
	uint64_t max_body;           /* bytes of a POST body kept */
	const char *tls_cert;        /* PEM text, or NULL */
	const char *tls_key;
} ff_http_opts;

/* Bind and start serving.  app is copied.  On error *out is NULL. */
ff_rc ff_http_start(ff_http **out, const ff_http_opts *o,
    const ff_http_app *app, ff_err *err) FF_WUR;

/* The bound port (useful with port 0). */
unsigned ff_http_port(const ff_http *h);

/* Stop accepting connections; the open ones go on. */
void ff_http_quiesce(ff_http *h);

/* Close every connection and stop.  Accepts NULL.  Every suspended
 * request must have been answered first. */
void ff_http_stop(ff_http *h);

/* Answer a request whose post_end returned 0 (any thread, once). */
void ff_http_answer(ff_http_conn *c, ff_http_resp *resp);

#endif
