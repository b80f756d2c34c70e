/*
 * ingest.c -- the writer thread and its queue (see ingest.h).
 */
#include "store/ingest.h"
#include "profile/mem.h"
#include "store/db.h"
#include "store/schema.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

enum { IDLE_CHECKPOINT_S = 10, CHECKPOINT_FRAMES = 4096 };

struct item {
	ff_prep *prep;
	ff_ingest_done done;
	void *ctx;
	double submitted;
	struct item *next;
};

struct outcome {
	ff_rc rc;
	ff_err err;
	ff_put_result put;
};

struct ff_ingest {
	ff_ingest_opts opts;
	ff_db *db;               /* the writer thread's only */
	ff_put *put;
	struct outcome *out;     /* batch_max results, the writer's */
	pthread_t thread;
	int started;

	pthread_mutex_t lock;    /* guards everything below */
	pthread_cond_t nonempty; /* signalled on submit and stop */
	pthread_cond_t notfull;  /* signalled when the writer takes items */
	struct item *head, *tail;
	unsigned depth;
	uint64_t bytes;
	int stopping;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the queue ----------------------------------------------------------- */

/* Whether one more profile of `cost` bytes must wait (lock held). */
static int
queue_full(const ff_ingest *g, uint64_t cost)
{
	if (g->depth == 0)
		return 0;
	return g->depth >= g->opts.queue_max ||
	    g->bytes + cost > g->opts.queue_bytes;
}

ff_rc
ff_ingest_submit(ff_ingest *g, ff_prep *p, int wait, ff_ingest_done done,
    void *ctx, ff_err *err)
{
	struct item *it = ff_calloc(1, sizeof *it);

	if (it == NULL)
		return ff_err_nomem(err);
	it->prep = p;
	it->done = done;
	it->ctx = ctx;
	it->submitted = now_s();
	pthread_mutex_lock(&g->lock);
	while (wait && !g->stopping && queue_full(g, p->cost))
		pthread_cond_wait(&g->notfull, &g->lock);
	if (g->stopping || queue_full(g, p->cost)) {
		int stopping = g->stopping;

		pthread_mutex_unlock(&g->lock);
		ff_free(it);
		return ff_err_set(err, FF_ERR_BUSY, stopping ? "the store is "
		    "shutting down" : "the write queue is full");
	}
	if (g->tail != NULL)
		g->tail->next = it;
	else
		g->head = it;
	g->tail = it;
	g->depth++;
	g->bytes += p->cost;
	pthread_cond_signal(&g->nonempty);
	pthread_mutex_unlock(&g->lock);
	return FF_OK;
}

int
ff_ingest_full(ff_ingest *g)
{
	int full;

	pthread_mutex_lock(&g->lock);
	full = g->stopping || queue_full(g, 0);
	pthread_mutex_unlock(&g->lock);
	return full;
}

void
ff_ingest_depth(ff_ingest *g, unsigned *profiles, uint64_t *bytes)
{
	pthread_mutex_lock(&g->lock);
	*profiles = g->depth;
	*bytes = g->bytes;
	pthread_mutex_unlock(&g->lock);
}

/* Wait for work and take up to batch_max items; NULL when stopped and
 * drained (lock not held on entry or exit). */
static struct item *
queue_take(ff_ingest *g, unsigned *n)
{
	struct item *first, *last;

	pthread_mutex_lock(&g->lock);
	while (g->head == NULL && !g->stopping)
		pthread_cond_wait(&g->nonempty, &g->lock);
	first = g->head;
	*n = 0;
	for (last = NULL; g->head != NULL && *n < g->opts.batch_max;
	    (*n)++) {
		last = g->head;
		g->head = last->next;
		g->depth--;
		g->bytes -= last->prep->cost;
	}
	if (last != NULL)
		last->next = NULL;
	if (g->head == NULL)
		g->tail = NULL;
	pthread_cond_broadcast(&g->notfull);
	pthread_mutex_unlock(&g->lock);
	return first;
}

static int
queue_empty(ff_ingest *g)
{
	int empty;

	pthread_mutex_lock(&g->lock);
	empty = g->head == NULL;
	pthread_mutex_unlock(&g->lock);
	return empty;
}

/* ---- the writer ---------------------------------------------------------- */

/* Store a batch; fills out[i] for each item. */
static void
write_batch(ff_ingest *g, struct item *items, unsigned n,
    struct outcome *out)
{
	struct item *it;
	unsigned i;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	rc = ff_put_begin(g->put, &err);
	for (it = items, i = 0; it != NULL; it = it->next, i++) {
		ff_err_init(&out[i].err);
		out[i].rc = rc;
		if (rc != FF_OK) {
			out[i].err = err;
			continue;
		}
		out[i].rc = ff_put_profile(g->put, it->prep, &out[i].put,
		    &out[i].err);
		if (out[i].rc == FF_ERR_IO || out[i].rc == FF_ERR_BUSY) {
			rc = out[i].rc;
			err = out[i].err;
			ff_put_abort(g->put);
		}
	}
	if (rc == FF_OK && (rc = ff_put_commit(g->put, &err)) == FF_OK)
		return;
	/* Nothing of the batch is stored. */
	for (i = 0; i < n; i++)
		if (out[i].rc == FF_OK) {
			out[i].rc = rc;
			out[i].err = err;
		}
}

static void
report(struct item *items, const struct outcome *out, unsigned n,
    double commit_s)
{
	struct item *it, *next;
	unsigned i;
	double t = now_s();

	for (it = items, i = 0; it != NULL; it = next, i++) {
		ff_ingest_result r;

		next = it->next;
		memset(&r, 0, sizeof r);
		r.rc = out[i].rc;
		r.err = out[i].err;
		r.put = out[i].put;
		r.hash = it->prep->hash;
		r.bytes = it->prep->bytes;
		r.wait_s = t - it->submitted;
		r.commit_s = commit_s;
		r.batch = n;
		if (it->done != NULL)
			it->done(it->ctx, &r);
		ff_prep_free(it->prep);
		ff_free(it);
	}
}

static void
maybe_checkpoint(ff_ingest *g, double *last)
{
	int frames = 0;

	if (now_s() - *last < IDLE_CHECKPOINT_S || !queue_empty(g))
		return;
	*last = now_s();
	if (ff_db_checkpoint(g->db, 0, &frames, NULL) == FF_OK &&
	    frames >= CHECKPOINT_FRAMES)
		if (ff_db_checkpoint(g->db, 1, NULL, NULL) != FF_OK)
			return;  /* readers still busy: next time */
}

static void *
writer_main(void *arg)
{
	ff_ingest *g = arg;
	struct item *items;
	double last_ckpt = now_s(), t0;
	unsigned n;

	while ((items = queue_take(g, &n)) != NULL) {
		t0 = now_s();
		write_batch(g, items, n, g->out);
		report(items, g->out, n, now_s() - t0);
		maybe_checkpoint(g, &last_ckpt);
	}
	return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static void
opts_default(ff_ingest_opts *o, const ff_ingest_opts *given)
{
	memset(o, 0, sizeof *o);
	if (given != NULL)
		*o = *given;
	if (o->queue_max == 0)
		o->queue_max = 256;
	if (o->queue_bytes == 0)
		o->queue_bytes = (uint64_t)512 << 20;
	if (o->batch_max == 0)
		o->batch_max = 64;
}

ff_rc
ff_ingest_start(ff_ingest **out, const char *path,
    const ff_ingest_opts *opts, ff_err *err)
{
	ff_ingest *g;
	ff_rc rc;

	*out = NULL;
	if ((g = ff_calloc(1, sizeof *g)) == NULL)
		return ff_err_nomem(err);
	opts_default(&g->opts, opts);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->nonempty, NULL);
	pthread_cond_init(&g->notfull, NULL);
	rc = ff_db_open(&g->db, path, FF_DB_CREATE |
	    (g->opts.nosync ? FF_DB_NOSYNC : 0), err);
	if (rc == FF_OK)
		rc = ff_schema_migrate(g->db, err);
	if (rc == FF_OK)
		rc = ff_put_new(&g->put, g->db, err);
	if (rc == FF_OK && (g->out = ff_calloc(g->opts.batch_max,
	    sizeof *g->out)) == NULL)
		rc = ff_err_nomem(err);
	if (rc == FF_OK && pthread_create(&g->thread, NULL, writer_main, g))
		rc = ff_err_set(err, FF_ERR_INTERNAL, "cannot start the writer "
		    "thread");
	if (rc != FF_OK) {
		ff_ingest_stop(g);
		return rc;
	}
	g->started = 1;
	*out = g;
	return FF_OK;
}

void
ff_ingest_drain(ff_ingest *g)
{
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_broadcast(&g->nonempty);
	pthread_cond_broadcast(&g->notfull);
	pthread_mutex_unlock(&g->lock);
	if (g->started)
		pthread_join(g->thread, NULL);
	g->started = 0;
}

void
ff_ingest_stop(ff_ingest *g)
{
	if (g == NULL)
		return;
	ff_ingest_drain(g);
	ff_put_free(g->put);
	ff_free(g->out);
	/* Leave an empty WAL behind when no reader holds it. */
	if (g->db != NULL && ff_db_checkpoint(g->db, 1, NULL, NULL) != FF_OK)
		g->stopping = 1;
	ff_db_close(g->db);
	pthread_cond_destroy(&g->notfull);
	pthread_cond_destroy(&g->nonempty);
	pthread_mutex_destroy(&g->lock);
	ff_free(g);
}
