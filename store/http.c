/*
 * http.c -- libmicrohttpd behind flamefleet's conventions (see http.h).
 * The only file that includes <microhttpd.h>.
 */
#include "store/http.h"
#include "profile/mem.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <time.h>
#include <unistd.h>

enum { MEMORY_LIMIT = 64 << 10, DISCARD_MAX = 64 << 20 };

struct ff_http {
	struct MHD_Daemon *d;
	ff_http_app app;
	ff_http_opts opts;
	unsigned port;
};

/* One request, from its headers to its completion. */
struct ff_http_conn {
	ff_http *h;
	struct MHD_Connection *mc;
	pthread_mutex_t lock;        /* guards pending, suspended, answered,
	                              * resp */
	ff_http_req req;
	int post;
	ff_buf body;
	uint64_t dropped;            /* body bytes past max_body */
	struct timespec start;       /* when the headers were in */
	void *state;
	int pending;                 /* handed to post_end, no answer yet */
	int suspended, answered;
	ff_http_resp resp;
};

void
ff_http_resp_init(ff_http_resp *r)
{
	memset(r, 0, sizeof *r);
	ff_buf_init(&r->body);
}

/* ---- answers ------------------------------------------------------------- */

static void
free_body(void *p)
{
	ff_free(p);
}

static enum MHD_Result
queue(struct MHD_Connection *mc, ff_http_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ok;
	size_t len = r->body.len;
	char *p = ff_buf_take(&r->body, NULL);

	if (p == NULL)
		return MHD_NO;
	mr = MHD_create_response_from_buffer_with_free_callback(len, p,
	    free_body);
	if (mr == NULL) {
		ff_free(p);
		return MHD_NO;
	}
	MHD_add_response_header(mr, "Content-Type", r->type != NULL ?
	    r->type : "application/json");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	if (r->retry_after != NULL)
		MHD_add_response_header(mr, "Retry-After", r->retry_after);
	if (r->www_authenticate != NULL)
		MHD_add_response_header(mr, "WWW-Authenticate",
		    r->www_authenticate);
	if (r->allow != NULL)
		MHD_add_response_header(mr, "Allow", r->allow);
	ok = MHD_queue_response(mc, r->status, mr);
	MHD_destroy_response(mr);
	return ok;
}

static enum MHD_Result
queue_error(struct MHD_Connection *mc, unsigned status, const char *json,
    const char *allow)
{
	ff_http_resp r;
	enum MHD_Result ok;

	ff_http_resp_init(&r);
	r.status = status;
	r.allow = allow;
	if (ff_buf_puts(&r.body, json) != FF_OK)
		return MHD_NO;
	ok = queue(mc, &r);
	ff_buf_free(&r.body);
	return ok;
}

void
ff_http_answer(ff_http_conn *c, ff_http_resp *resp)
{
	struct MHD_Connection *mc = c->mc;
	int resume;

	pthread_mutex_lock(&c->lock);
	c->resp = *resp;
	ff_buf_init(&resp->body);
	c->answered = 1;
	resume = c->suspended;
	c->suspended = 0;
	pthread_mutex_unlock(&c->lock);
	/* Once resumed the request may complete and c be freed at once: it
	 * is not touched after this. */
	if (resume)
		MHD_resume_connection(mc);
}

/* ---- requests ------------------------------------------------------------ */

static int
is_loopback(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		const unsigned char *a = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return memcmp(a, mapped, 12) == 0 && a[12] == 127;
	}
	return 0;
}

static enum MHD_Result
add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	ff_http_req *req = cls;

	(void)kind;
	if (req->nargs == FF_HTTP_ARGS_MAX) {
		req->too_many_args = 1;
		return MHD_NO;
	}
	req->keys[req->nargs] = key;
	req->values[req->nargs++] = value != NULL ? value : "";
	return MHD_YES;
}

static void
fill_req(ff_http_conn *c, const char *method, const char *url)
{
	struct MHD_Connection *mc = c->mc;
	ff_http_req *req = &c->req;

	req->method = method;
	req->path = url;
	req->authorization = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	req->content_type = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	req->content_length = MHD_lookup_connection_value(mc,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	req->loopback = is_loopback(mc);
	MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, add_arg, req);
}

static ff_http_conn *
conn_new(ff_http *h, struct MHD_Connection *mc)
{
	ff_http_conn *c = ff_calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->h = h;
	c->mc = mc;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	pthread_mutex_init(&c->lock, NULL);
	ff_buf_init(&c->body);
	ff_http_resp_init(&c->resp);
	return c;
}

static void
conn_free(ff_http_conn *c)
{
	if (c == NULL)
		return;
	if (c->h->app.free_state != NULL && c->state != NULL)
		c->h->app.free_state(c->h->app.ctx, c->state);
	ff_buf_free(&c->body);
	ff_buf_free(&c->resp.body);
	pthread_mutex_destroy(&c->lock);
	ff_free(c);
}

static void
completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)mc;
	(void)toe;
	conn_free(*con_cls);
	*con_cls = NULL;
}

/* The first call, with the headers. */
static enum MHD_Result
begin(ff_http_conn *c, const char *method)
{
	ff_http *h = c->h;
	ff_http_resp r;
	enum MHD_Result ok;

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
		ff_http_resp_init(&r);
		h->app.get(h->app.ctx, &c->req, &r);
		ok = queue(c->mc, &r);
		ff_buf_free(&r.body);
		return ok;
	}
	if (strcmp(method, "POST") != 0)
		return queue_error(c->mc, 405, "{\"error\":\"method not "
		    "allowed\"}", "GET, HEAD, POST");
	c->post = 1;
	ff_http_resp_init(&r);
	if (h->app.post_begin(h->app.ctx, &c->req, &c->state, &r) == 0)
		return MHD_YES;
	ok = queue(c->mc, &r);    /* the body is never read */
	ff_buf_free(&r.body);
	return ok;
}

/* Whether the body has taken longer than the request deadline.  The idle
 * timeout alone would let a client sending a byte every few seconds hold
 * its connection forever. */
static int
late(const ff_http_conn *c)
{
	unsigned limit = c->h->opts.request_s ? c->h->opts.request_s : 300;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - c->start.tv_sec > (time_t)limit;
}

/* A piece of the body. */
static enum MHD_Result
take(ff_http_conn *c, const char *data, size_t *size)
{
	size_t n = *size;

	*size = 0;
	if (late(c))
		return MHD_NO; /* close: no answer could be read in time */
	if (c->dropped == 0 && c->body.len + n <= c->h->opts.max_body) {
		if (ff_buf_append(&c->body, data, n) == FF_OK)
			return MHD_YES;
		ff_buf_free(&c->body);
	}
	/* Past the limit (or out of memory): drop the rest, up to a point. */
	c->dropped += n;
	return c->dropped <= DISCARD_MAX ? MHD_YES : MHD_NO;
}

/* The body is complete, or the answer came back.  libmicrohttpd may call
 * this again while the answer is pending (before the suspension takes
 * effect, or after it resumes): every decision is taken under the lock,
 * and a request is handed to the application only once. */
static enum MHD_Result
finish(ff_http_conn *c)
{
	ff_http *h = c->h;
	ff_http_resp r;
	enum MHD_Result ok;

	pthread_mutex_lock(&c->lock);
	if (c->answered) {
		pthread_mutex_unlock(&c->lock);
		return queue(c->mc, &c->resp);
	}
	if (c->pending) {
		if (!c->suspended) {
			MHD_suspend_connection(c->mc);
			c->suspended = 1;
		}
		pthread_mutex_unlock(&c->lock);
		return MHD_YES;
	}
	if (c->dropped > 0) {
		pthread_mutex_unlock(&c->lock);
		return queue_error(c->mc, 413, "{\"error\":\"the body exceeds "
		    "the upload limit\"}", NULL);
	}
	c->req.body = c->body.p != NULL ? (const void *)c->body.p : "";
	c->req.len = c->body.len;
	ff_http_resp_init(&r);
	if (h->app.post_end(h->app.ctx, &c->req, c->state, c, &r) == 0) {
		c->pending = 1;
		MHD_suspend_connection(c->mc);
		c->suspended = 1;
		pthread_mutex_unlock(&c->lock);
		return MHD_YES;
	}
	pthread_mutex_unlock(&c->lock);
	ok = queue(c->mc, &r);
	ff_buf_free(&r.body);
	return ok;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	ff_http_conn *c = *con_cls;

	(void)version;
	if (c == NULL) {
		if ((c = conn_new(cls, mc)) == NULL)
			return MHD_NO;
		*con_cls = c;
		fill_req(c, method, url);
		return begin(c, method);
	}
	if (!c->post)
		return MHD_YES;
	if (*upload_data_size != 0)
		return take(c, upload_data, upload_data_size);
	return finish(c);
}

/* ---- the daemon ---------------------------------------------------------- */

/* libmicrohttpd's messages, mostly about misbehaving clients: at most
 * LOG_BURST per LOG_PERIOD seconds, so hostile clients cannot flood the
 * log. */
enum { LOG_BURST = 20, LOG_PERIOD = 60 };

static void
logger(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t window;
	static unsigned shown, dropped;
	time_t now = time(NULL);
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pthread_mutex_lock(&lock);
	if (now - window >= LOG_PERIOD) {
		if (dropped > 0)
			fprintf(stderr, "ffstore: http: %u more messages "
			    "suppressed\n", dropped);
		window = now;
		shown = dropped = 0;
	}
	if (shown++ < LOG_BURST)
		fprintf(stderr, "ffstore: http: %s\n", msg);
	else
		dropped++;
	pthread_mutex_unlock(&lock);
}

/* "host:port", "[v6]:port" or ":port" into a socket address. */
static ff_rc
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int *v6, ff_err *err)
{
	char host[256];
	const char *port;
	struct addrinfo hints, *res = NULL;
	size_t n;
	int r;

	if (s[0] == '[') {
		n = strcspn(s + 1, "]");
		if (s[1 + n] != ']' || s[2 + n] != ':' || n >= sizeof host)
			goto bad;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		port = s + n + 3;
	} else {
		const char *colon = strrchr(s, ':');

		if (colon == NULL || (size_t)(colon - s) >= sizeof host)
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
		goto bad;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res);
	if (r != 0)
		return ff_err_set(err, FF_ERR_USAGE, "--listen %s: %s", s,
		    gai_strerror(r));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	*v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_USAGE, "--listen takes HOST:PORT or "
	    "[IPV6]:PORT, not '%s'", s);
}

ff_rc
ff_http_start(ff_http **out, const ff_http_opts *o, const ff_http_app *app,
    ff_err *err)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	ff_http *h;
	int v6 = 0;
	ff_rc rc;

	*out = NULL;
	if ((rc = parse_listen(o->listen, &ss, &slen, &v6, err)) != FF_OK)
		return rc;
	if ((h = ff_calloc(1, sizeof *h)) == NULL)
		return ff_err_nomem(err);
	h->app = *app;
	h->opts = *o;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (o->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h,
	    MHD_OPTION_EXTERNAL_LOGGER, logger, (void *)NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 2),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s ?
	    o->timeout_s : 30),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_conns ?
	    o->max_conns : 4096),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)NULL,
	    o->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
	    o->tls_cert,
	    MHD_OPTION_HTTPS_MEM_KEY, o->tls_key,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		ff_free(h);
		return ff_err_set(err, FF_ERR_IO, "cannot listen on %s (in use, "
		    "not a local address, or TLS setup failed)", o->listen);
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di != NULL ? di->port : 0;
	*out = h;
	return FF_OK;
}

unsigned
ff_http_port(const ff_http *h)
{
	return h->port;
}

void
ff_http_quiesce(ff_http *h)
{
	MHD_socket s = MHD_quiesce_daemon(h->d);

	if (s != MHD_INVALID_SOCKET)
		close(s);
}

void
ff_http_stop(ff_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d);
	ff_free(h);
}
