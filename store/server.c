/*
 * server.c -- ffstore serve: HTTP, uploads, the writer and signals (see
 * server.h).
 */
#include "store/server.h"
#include "profile/mem.h"
#include "store/api.h"
#include "store/http.h"
#include "store/ingest.h"
#include "store/load.h"
#include "store/metrics.h"
#include "store/query.h"
#include "store/store.h"
#include "store/tokens.h"
#include "store/upload.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { DRAIN_WAIT_MS = 10000 };

/* Read handles for GET requests, sharing one dictionary. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	ff_store **free;
	unsigned nfree, n;
	ff_dict *dict;
};

struct server {
	ff_server_opts o;
	ff_ingest *ing;
	ff_http *http;
	ff_metrics *metrics;
	struct pool pool;
	pthread_rwlock_t tlock;      /* guards tokens */
	ff_tokens *tokens;
	atomic_int stopping;
	atomic_int inflight;         /* POSTs between headers and the end */
};

/* One POST's state. */
struct upstate {
	struct server *s;
	char *glob;
	ff_http_conn *conn;
};

/* ---- the pool ------------------------------------------------------------ */

static ff_rc
pool_init(struct pool *p, const char *db, unsigned n, ff_err *err)
{
	ff_rc rc;

	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if ((p->dict = ff_dict_new(0)) == NULL ||
	    (p->free = ff_calloc(n, sizeof *p->free)) == NULL)
		return ff_err_nomem(err);
	for (p->n = 0; p->n < n; p->n++) {
		rc = ff_store_open_shared(&p->free[p->n], db, p->dict, err);
		if (rc != FF_OK)
			return rc;
		p->nfree++;
	}
	return FF_OK;
}

static void
pool_free(struct pool *p)
{
	unsigned i;

	for (i = 0; i < p->nfree; i++)
		ff_store_close(p->free[i]);
	ff_free(p->free);
	ff_dict_free(p->dict);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

static ff_store *
pool_get(struct pool *p)
{
	ff_store *st;

	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cond, &p->lock);
	st = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return st;
}

static void
pool_put(struct pool *p, ff_store *st)
{
	pthread_mutex_lock(&p->lock);
	p->free[p->nfree++] = st;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* ---- uploads ------------------------------------------------------------- */

static int
seen(void *ctx, const char *hash, int64_t *id)
{
	struct server *s = ctx;
	ff_store *st = pool_get(&s->pool);
	int found = ff_query_hash(st, hash, id, NULL) == FF_OK;

	pool_put(&s->pool, st);
	return found;
}

static void
upload_cfg(struct server *s, ff_upload_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_upload = s->o.max_upload;
	cfg->max_decompressed = s->o.max_decompressed;
	cfg->seen = seen;
	cfg->seen_ctx = s;
}

static void
upload_req(const ff_http_req *hr, ff_upload_req *ur)
{
	memset(ur, 0, sizeof *ur);
	ur->authorization = hr->authorization;
	ur->content_type = hr->content_type;
	ur->content_length = hr->content_length;
	ur->loopback = hr->loopback;
	ur->body = hr->body;
	ur->len = hr->len;
}

/* Move an upload answer into an HTTP one, counting it. */
static void
to_http(struct server *s, ff_upload_resp *ur, ff_http_resp *r)
{
	if (ur->status >= 400)
		ff_metrics_rejected(s->metrics, ur->reason);
	else if (ur->status == 200)
		ff_metrics_duplicate(s->metrics);
	r->status = ur->status;
	r->type = "application/json";
	r->body = ur->body;
	ff_buf_init(&ur->body);
	r->retry_after = ur->retry_after;
	r->www_authenticate = ur->www_authenticate;
}

static int
post_begin(void *ctx, const ff_http_req *req, void **state,
    ff_http_resp *r)
{
	struct server *s = ctx;
	struct upstate *st;
	ff_upload_resp ur;
	ff_upload_req q;
	ff_upload_cfg cfg;

	ff_metrics_request(s->metrics, 1);
	ff_upload_resp_init(&ur);
	upload_cfg(s, &cfg);
	upload_req(req, &q);
	if (strcmp(req->path, "/v1/profiles") != 0)
		ff_upload_error(ff_api_known(req->path) ? 405 : 404,
		    FF_REJECT_BAD_REQUEST, "POST goes to /v1/profiles", &ur);
	/* Token and headers first: a refused client must learn that, not
	 * be told to retry, and only accepted ones learn the store's load. */
	if (ur.status == 0) {
		pthread_rwlock_rdlock(&s->tlock);
		cfg.tokens = s->tokens;
		ff_upload_headers(&cfg, &q, &ur);
		pthread_rwlock_unlock(&s->tlock);
	}
	if (ur.status == 0 && (atomic_load(&s->stopping) ||
	    ff_ingest_full(s->ing)))
		ff_upload_busy(atomic_load(&s->stopping) ? "the store is "
		    "shutting down" : "the write queue is full", &ur);
	if (ur.status == 0 && (st = ff_calloc(1, sizeof *st)) == NULL)
		ff_upload_busy("out of memory", &ur);
	if (ur.status != 0) {
		to_http(s, &ur, r);
		if (r->status == 405)
			r->allow = "GET, HEAD";
		ff_upload_resp_free(&ur);
		return 1;
	}
	st->s = s;
	st->glob = ur.glob;
	ur.glob = NULL;
	atomic_fetch_add(&s->inflight, 1);
	*state = st;
	return 0;
}

/* The writer thread: the verdict on a queued profile. */
static void
on_stored(void *ctx, const ff_ingest_result *res)
{
	struct upstate *st = ctx;
	ff_upload_resp ur;
	ff_http_resp r;

	ff_upload_resp_init(&ur);
	ff_upload_done(res, &ur);
	if (ur.status == 201)
		ff_metrics_accepted(st->s->metrics, res->bytes, res->put.rows,
		    res->wait_s, res->commit_s);
	ff_http_resp_init(&r);
	to_http(st->s, &ur, &r);
	ff_upload_resp_free(&ur);
	ff_http_answer(st->conn, &r);
}

static int
post_end(void *ctx, const ff_http_req *req, void *state, ff_http_conn *conn,
    ff_http_resp *r)
{
	struct server *s = ctx;
	struct upstate *st = state;
	ff_upload_resp ur;
	ff_upload_req q;
	ff_upload_cfg cfg;
	ff_err err;

	ff_upload_resp_init(&ur);
	upload_cfg(s, &cfg);
	upload_req(req, &q);
	q.glob = st->glob;
	ff_upload_body(&cfg, &q, &ur);
	if (ur.status == 0) {
		st->conn = conn;
		ff_err_init(&err);
		if (ff_ingest_submit(s->ing, ur.prep, 0, on_stored, st, &err) ==
		    FF_OK) {
			ur.prep = NULL;   /* the queue owns it */
			ff_upload_resp_free(&ur);
			return 0;
		}
		ff_upload_busy(ff_err_msg(&err), &ur);
	}
	to_http(s, &ur, r);
	ff_upload_resp_free(&ur);
	return 1;
}

static void
free_state(void *ctx, void *state)
{
	struct server *s = ctx;
	struct upstate *st = state;

	ff_free(st->glob);
	ff_free(st);
	atomic_fetch_sub(&s->inflight, 1);
}

/* ---- reads --------------------------------------------------------------- */

/* The API's view of an HTTP request. */
static void
api_req(const ff_http_req *req, ff_api_req *q)
{
	unsigned i;

	q->path = req->path;
	q->nargs = req->nargs;
	q->too_many_args = req->too_many_args;
	for (i = 0; i < req->nargs; i++) {
		q->keys[i] = req->keys[i];
		q->values[i] = req->values[i];
	}
}

static void
get(void *ctx, const ff_http_req *req, ff_http_resp *r)
{
	struct server *s = ctx;
	ff_api_resp ar;
	ff_api_req q;
	ff_store *st;
	unsigned qp;
	uint64_t qb;

	ff_metrics_request(s->metrics, 0);
	ff_api_resp_init(&ar);
	if (s->o.tokens == NULL && !req->loopback) {
		ff_api_error(&ar, 403, "this store serves loopback clients only "
		    "(start it with --tokens)");
	} else if (strcmp(req->path, "/metrics") == 0) {
		ff_ingest_depth(s->ing, &qp, &qb);
		ar.status = 200;
		ar.type = "text/plain; version=0.0.4";
		if (ff_metrics_render(s->metrics, qp, qb, &ar.body) != FF_OK)
			ff_api_error(&ar, 503, "out of memory");
	} else if (s->o.web.known != NULL && s->o.web.known(req->path)) {
		memset(&q, 0, sizeof q);
		api_req(req, &q);
		st = pool_get(&s->pool);
		s->o.web.get(s->o.web.ctx, st, &q, &ar);
		pool_put(&s->pool, st);
	} else if (!ff_api_known(req->path)) {
		ff_api_error(&ar, 404, "no such resource");
	} else {
		memset(&q, 0, sizeof q);
		api_req(req, &q);
		st = pool_get(&s->pool);
		ff_api_get(st, &q, &ar);
		pool_put(&s->pool, st);
	}
	r->status = ar.status;
	r->type = ar.type;
	r->body = ar.body;
	ff_buf_init(&ar.body);
	if (r->status == 503)
		r->retry_after = "5";
}

/* ---- start, signals, stop ------------------------------------------------ */

static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static ff_rc
write_port(const char *path, unsigned port, ff_err *err)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return ff_err_errno(err, errno, "%s", tmp);
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return ff_err_errno(err, errno, "%s", path);
	return FF_OK;
}

static void
reload_tokens(struct server *s)
{
	ff_tokens *t = NULL, *old;
	ff_err err;

	ff_err_init(&err);
	if (ff_tokens_load(&t, s->o.tokens, &err) != FF_OK) {
		fprintf(stderr, "ffstore: SIGHUP: keeping the old tokens: %s\n",
		    ff_err_msg(&err));
		return;
	}
	pthread_rwlock_wrlock(&s->tlock);
	old = s->tokens;
	s->tokens = t;
	pthread_rwlock_unlock(&s->tlock);
	ff_tokens_free(old);
	fprintf(stderr, "ffstore: reloaded %s (%zu tokens)\n", s->o.tokens,
	    ff_tokens_count(t));
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait for SIGTERM/SIGINT, reloading tokens on SIGHUP. */
static void
wait_signals(struct server *s, const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP && s->o.tokens != NULL)
			reload_tokens(s);
		else if (sig == SIGTERM || sig == SIGINT)
			return;
	}
}

static void
shutdown_server(struct server *s)
{
	unsigned waited = 0;

	fprintf(stderr, "ffstore: stopping: finishing uploads in flight\n");
	atomic_store(&s->stopping, 1);
	ff_http_quiesce(s->http);
	while (atomic_load(&s->inflight) > 0 && waited < DRAIN_WAIT_MS) {
		sleep_ms(10);
		waited += 10;
	}
	ff_ingest_drain(s->ing);    /* stores and answers what is queued */
	ff_http_stop(s->http);
	s->http = NULL;
	ff_ingest_stop(s->ing);
	s->ing = NULL;
	fprintf(stderr, "ffstore: stopped\n");
}

static ff_rc
read_pem(const char *path, char **out, ff_err *err)
{
	unsigned char *p;
	size_t len;
	ff_rc rc;

	*out = NULL;
	if ((rc = ff_load_slurp(path, 1 << 20, &p, &len, err)) != FF_OK)
		return rc;
	p[len] = '\0';
	*out = (char *)p;
	return FF_OK;
}

static void
opts_default(ff_server_opts *o)
{
	if (o->listen == NULL)
		o->listen = "127.0.0.1:8080";
	if (o->max_upload == 0)
		o->max_upload = FF_LOAD_MAX_FILE;
	if (o->max_decompressed == 0)
		o->max_decompressed = FF_LOAD_MAX_INFLATED;
	if (o->threads == 0)
		o->threads = 4;
}

/* Everything but the signal loop; on error what was started is left for
 * server_free. */
static ff_rc
server_start(struct server *s, char **pem, ff_err *err)
{
	ff_ingest_opts io = { 0 };
	ff_http_opts ho;
	ff_http_app app = { s, post_begin, post_end, get, free_state };
	ff_rc rc;

	if (s->o.tokens != NULL &&
	    (rc = ff_tokens_load(&s->tokens, s->o.tokens, err)) != FF_OK)
		return rc;
	if (s->o.tls_cert != NULL &&
	    ((rc = read_pem(s->o.tls_cert, &pem[0], err)) != FF_OK ||
	    (rc = read_pem(s->o.tls_key, &pem[1], err)) != FF_OK))
		return rc;
	if ((s->metrics = ff_metrics_new()) == NULL)
		return ff_err_nomem(err);
	io.queue_max = s->o.queue_max;
	io.batch_max = s->o.batch_max;
	io.nosync = s->o.nosync;
	if ((rc = ff_ingest_start(&s->ing, s->o.db, &io, err)) != FF_OK ||
	    (rc = pool_init(&s->pool, s->o.db, s->o.threads + 2, err)) !=
	    FF_OK)
		return rc;
	memset(&ho, 0, sizeof ho);
	ho.listen = s->o.listen;
	ho.threads = s->o.threads;
	ho.timeout_s = s->o.timeout_s;
	ho.max_conns = s->o.max_conns;
	ho.per_ip = s->o.per_ip;
	ho.request_s = s->o.request_s;
	ho.max_body = s->o.max_upload;
	ho.tls_cert = pem[0];
	ho.tls_key = pem[1];
	if ((rc = ff_http_start(&s->http, &ho, &app, err)) != FF_OK)
		return rc;
	if (s->o.port_file != NULL)
		return write_port(s->o.port_file, ff_http_port(s->http), err);
	return FF_OK;
}

static void
server_free(struct server *s)
{
	if (s->http != NULL) {
		ff_ingest_drain(s->ing);
		ff_http_stop(s->http);
	}
	ff_ingest_stop(s->ing);
	if (s->pool.free != NULL || s->pool.dict != NULL)
		pool_free(&s->pool);
	ff_tokens_free(s->tokens);
	ff_metrics_free(s->metrics);
	pthread_rwlock_destroy(&s->tlock);
}

ff_rc
ff_server_run(const ff_server_opts *o, ff_err *err)
{
	struct server s;
	char *pem[2] = { NULL, NULL };
	sigset_t set, old;
	ff_rc rc;

	memset(&s, 0, sizeof s);
	s.o = *o;
	opts_default(&s.o);
	pthread_rwlock_init(&s.tlock, NULL);
	/* Every thread started below inherits the blocked signals; only
	 * sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	raise_fd_limit();
	rc = server_start(&s, pem, err);
	if (rc == FF_OK) {
		fprintf(stderr, "ffstore: listening on %s://%.*s:%u, store "
		    "%s\n", s.o.tls_cert ? "https" : "http",
		    (int)(strrchr(s.o.listen, ':') - s.o.listen), s.o.listen,
		    ff_http_port(s.http), s.o.db);
		wait_signals(&s, &set);
		shutdown_server(&s);
	}
	server_free(&s);
	ff_free(pem[0]);
	ff_free(pem[1]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
