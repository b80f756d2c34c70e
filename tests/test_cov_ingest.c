/*
 * test_cov_ingest.c -- the store's ingest path past the upload handler:
 * prep.c on profiles large enough to grow and rehash its tables, frames
 * that are prefixes of each other, the per-thread memo, and the writer
 * queue (ingest.c) when it is full, shutting down or out of memory.
 */
#define _GNU_SOURCE 1
#include "storeutil.h"

#include "profile/mem.h"
#include "store/check.h"
#include "store/db.h"
#include "store/ingest.h"
#include "store/put.h"
#include "store/schema.h"
#include "store/prep.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>

static const char META[] = "{\"format\":\"flamefleet-profile/1\","
    "\"host\":\"h1\",\"build\":\"B\",\"type\":\"cpu\",\"events\":[\"c\"],"
    "\"start\":\"2026-11-21T20:00:00Z\"}";

static ff_prep *
prep(const char *text, size_t len)
{
	ff_prep *p;
	ff_err err;
	ff_buf b;

	ff_test_ffp_raw(&b, META, strlen(META), text, len);
	if (ff_prep_parse(&p, b.p, b.len, "t", NULL, &err) != FF_OK)
		fail_msg("%s", ff_err_msg(&err));
	ff_buf_free(&b);
	return p;
}

/* Stack i of p as folded text. */
static const char *
stack_text(const ff_prep *p, uint32_t i, uint32_t *path)
{
	static char buf[4096];
	uint32_t d = ff_prep_path(p, i, path), k;
	size_t o = 0, n;

	for (k = 0; k < d; k++) {
		const char *f = ff_intern_str(p->frames, path[k], &n);

		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%.*s",
		    k ? ";" : "", (int)n, f);
	}
	return buf;
}

/* 6000 distinct stacks (past the first stack table and its hash slots,
 * and past the first suffix array), each seen again at the end: the
 * repeats must find their stack after the rehash. */
static void
test_many_stacks(void **state)
{
	enum { N = 6000 };
	size_t cap = (size_t)N * 64 * 2, o = 0;
	char *text = malloc(cap);
	uint32_t *path = calloc(FF_DEPTH_MAX, sizeof *path), i;
	ff_prep *p, *again;
	int round;

	(void)state;
	for (round = 0; round < 2; round++)
		for (i = 0; i < N; i++)
			o += (size_t)snprintf(text + o, cap - o,
			    "main;w%u;x%u;y%u;z%u %u\n", i % 7, i, i, i,
			    round ? 1000u : i + 1);
	p = prep(text, o);
	assert_int_equal(p->nstacks, N);
	assert_int_equal(p->totals[0], (uint64_t)N * (N + 1) / 2 +
	    (uint64_t)N * 1000);
	for (i = 0; i < N; i++) {
		char want[64];

		snprintf(want, sizeof want, "main;w%u;x%u;y%u;z%u", i % 7, i, i,
		    i);
		assert_string_equal(stack_text(p, i, path), want);
		assert_int_equal(p->values[i], i + 1 + 1000);
		assert_int_equal(p->depth[i], 5);
	}
	/* The second parse on this thread takes every line from the memo:
	 * the same stacks, hashes and values. */
	again = prep(text, o);
	assert_int_equal(again->nstacks, N);
	assert_memory_equal(again->stack_hash, p->stack_hash,
	    (size_t)N * 2 * sizeof(uint64_t));
	assert_memory_equal(again->values, p->values, N * sizeof(uint64_t));
	ff_prep_free(again);
	ff_prep_free(p);
	free(path);
	free(text);
}

/* A frame that is a prefix of the next line's frame ("b", "bc") must not
 * be taken for a shared frame. */
static void
test_prefix_frames(void **state)
{
	static const char text[] = "a;b 1\na;bc 2\na;bc;d 3\na;b;c 4\nab 5\n"
	    "a;b 6\n";
	static const char *want[] = { "a;b", "a;bc", "a;bc;d", "a;b;c", "ab" };
	uint32_t path[16], i;
	ff_prep *p = prep(text, sizeof text - 1);

	(void)state;
	assert_int_equal(p->nstacks, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(stack_text(p, i, path), want[i]);
	assert_int_equal(p->values[0], 7);
	assert_int_equal(ff_intern_count(p->frames), 6);  /* a b bc d c ab */
	ff_prep_free(p);
}

/* Without an ff_err the code is still returned. */
static void
test_no_err(void **state)
{
	ff_prep *p = (ff_prep *)1;
	ff_buf b;

	(void)state;
	ff_test_ffp_raw(&b, META, strlen(META), "a 1 2\n", 6);
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "t", NULL, NULL),
	    FF_ERR_PARSE);
	assert_null(p);
	ff_buf_free(&b);
	/* Metadata refused without an ff_err: the code, not FF_ERR_INTERNAL
	 * (a regression: ff_err_prefix(NULL, ...) returned that). */
	{
		static const char bad[] = "{\"format\":\"flamefleet-profile/1\","
		    "\"host\":\"h\",\"build\":\"B\",\"type\":\"cpu\","
		    "\"events\":[\"c\"],\"start\":\"never\"}";
		ff_meta m;

		ff_meta_init(&m);
		ff_test_ffp_raw(&b, bad, sizeof bad - 1, "a 1\n", 4);
		assert_int_equal(ff_prep_meta(&m, b.p, b.len, "t", NULL),
		    FF_ERR_PARSE);
		assert_int_equal(ff_prep_parse(&p, b.p, b.len, "t", NULL, NULL),
		    FF_ERR_PARSE);
		ff_meta_free(&m);
		ff_buf_free(&b);
	}
}

/* ---- the writer queue ---------------------------------------------------- */

/* A completion callback that holds the writer until released. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int entered, open, calls;
	ff_rc last;
};

static void
gate_done(void *ctx, const ff_ingest_result *r)
{
	struct gate *g = ctx;

	pthread_mutex_lock(&g->lock);
	g->entered++;
	g->calls++;
	g->last = r->rc;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void
gate_wait_entered(struct gate *g, int n)
{
	pthread_mutex_lock(&g->lock);
	while (g->entered < n)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

struct waiter {
	ff_ingest *g;
	ff_prep *p;
	struct gate *gate;
	atomic_int started;
	ff_rc rc;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;
	ff_err err;

	atomic_store(&w->started, 1);
	w->rc = ff_ingest_submit(w->g, w->p, 1, gate_done, w->gate, &err);
	return NULL;
}

static ff_prep *
small(unsigned i)
{
	const char *t = ff_test_fmt("main;f%u 1\n", i);

	return prep(t, strlen(t));
}

/* Queue full by count (503 for HTTP), a waiting submission (ffstore
 * load) that gets in once the writer moves on, and the shutdown. */
static void
test_queue_full(void **state)
{
	ff_ingest_opts o = { 1, 0, 1, 1 };   /* one waiting, batches of one */
	struct gate gate = { PTHREAD_MUTEX_INITIALIZER,
	    PTHREAD_COND_INITIALIZER, 0, 0, 0, FF_OK };
	struct waiter w;
	pthread_t th;
	ff_ingest *g;
	ff_prep *a = small(1), *b = small(2), *c = small(3);
	unsigned depth;
	uint64_t bytes;
	ff_err err;
	int i;

	(void)state;
	assert_int_equal(ff_ingest_start(&g, ff_test_fmt("%s/q.db",
	    ff_test_tmpdir()), &o, &err), FF_OK);
	assert_false(ff_ingest_full(g));
	assert_int_equal(ff_ingest_submit(g, a, 0, gate_done, &gate, &err),
	    FF_OK);
	gate_wait_entered(&gate, 1);          /* the writer holds a */
	assert_int_equal(ff_ingest_submit(g, b, 0, gate_done, &gate, &err),
	    FF_OK);
	ff_ingest_depth(g, &depth, &bytes);
	assert_int_equal(depth, 1);
	assert_int_equal(bytes, b->cost);
	assert_true(ff_ingest_full(g));
	assert_int_equal(ff_ingest_submit(g, c, 0, gate_done, &gate, &err),
	    FF_ERR_BUSY);
	assert_non_null(strstr(ff_err_msg(&err), "the write queue is full"));
	/* c is still ours: a waiting submission takes it. */
	memset(&w, 0, sizeof w);
	w.g = g;
	w.p = c;
	w.gate = &gate;
	assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
	while (!atomic_load(&w.started))
		sched_yield();
	for (i = 0; i < 100; i++)   /* let it reach the wait (not required) */
		sched_yield();
	gate_open(&gate);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.rc, FF_OK);
	ff_ingest_drain(g);
	assert_int_equal(gate.calls, 3);
	assert_int_equal(gate.last, FF_OK);
	/* Stopped: refused, and the profile stays the caller's. */
	a = small(4);
	assert_true(ff_ingest_full(g));
	assert_int_equal(ff_ingest_submit(g, a, 1, gate_done, &gate, &err),
	    FF_ERR_BUSY);
	assert_non_null(strstr(ff_err_msg(&err), "shutting down"));
	ff_prep_free(a);
	ff_ingest_stop(g);
}

static void
count_done(void *ctx, const ff_ingest_result *r)
{
	int *n = ctx;

	assert_int_equal(r->rc, FF_OK);
	assert_int_equal(r->batch >= 1, 1);
	(*n)++;
}

/* Queue full by memory: a profile costing more than queue_bytes is let
 * in when the queue is empty (or it could never be stored), and the
 * queue is then full. */
static void
test_queue_bytes(void **state)
{
	ff_ingest_opts o = { 0, 1, 0, 1 };   /* 1 byte of queue */
	struct gate gate = { PTHREAD_MUTEX_INITIALIZER,
	    PTHREAD_COND_INITIALIZER, 0, 0, 0, FF_OK };
	ff_ingest *g;
	ff_prep *a = small(1), *b = small(2), *c = small(3);
	int stored = 0;
	ff_err err;

	(void)state;
	assert_int_equal(ff_ingest_start(&g, ff_test_fmt("%s/b.db",
	    ff_test_tmpdir()), &o, &err), FF_OK);
	assert_int_equal(ff_ingest_submit(g, a, 0, gate_done, &gate, &err),
	    FF_OK);
	gate_wait_entered(&gate, 1);
	assert_int_equal(ff_ingest_submit(g, b, 0, count_done, &stored, &err),
	    FF_OK);
	assert_int_equal(ff_ingest_submit(g, c, 0, NULL, NULL, &err),
	    FF_ERR_BUSY);
	gate_open(&gate);
	ff_ingest_drain(g);
	assert_int_equal(stored, 1);
	/* No callback: stored all the same. */
	ff_ingest_stop(g);
	o.queue_bytes = 0;
	assert_int_equal(ff_ingest_start(&g, ff_test_fmt("%s/b.db",
	    ff_test_tmpdir()), &o, &err), FF_OK);
	assert_int_equal(ff_ingest_submit(g, c, 0, NULL, NULL, &err), FF_OK);
	ff_ingest_stop(g);
}

/* Out of memory while starting (every allocation in turn) and while
 * queueing: a clean error, nothing leaked, the profile still the
 * caller's. */
static void
test_ingest_oom(void **state)
{
	const char *path = ff_test_fmt("%s/oom.db", ff_test_tmpdir());
	ff_ingest_opts o = { 0, 0, 0, 1 };
	unsigned long n, made;
	ff_ingest *g;
	ff_prep *p = small(9);
	int failed = 0;
	ff_err err;
	ff_rc rc;

	(void)state;
	ff_mem_fail_at(ULONG_MAX, 0);
	assert_int_equal(ff_ingest_start(&g, path, &o, &err), FF_OK);
	made = ff_mem_fail_at(0, 0);
	ff_ingest_stop(g);
	/* Every one of the first and last allocations (ingest.c's own, the
	 * writer's table, ff_put_new); the ~2000 in between are SQLite's
	 * opening the database: every 50th of those. */
	for (n = 1; n <= made; n += n < 16 || n + 16 > made ? 1 : 50) {
		ff_mem_fail_at(n, 1);
		rc = ff_ingest_start(&g, path, &o, &err);
		ff_mem_fail_at(0, 0);
		if (rc == FF_OK) {
			ff_ingest_stop(g);
			continue;
		}
		assert_null(g);
		if (rc != FF_ERR_NOMEM && rc != FF_ERR_DB)
			fail_msg("allocation %lu: %s", n, ff_err_msg(&err));
		failed++;
	}
	assert_true(failed > 0);
	assert_int_equal(ff_ingest_start(&g, path, &o, &err), FF_OK);
	ff_mem_fail_at(1, 0);
	rc = ff_ingest_submit(g, p, 0, NULL, NULL, &err);
	ff_mem_fail_at(0, 0);
	assert_int_equal(rc, FF_ERR_NOMEM);
	assert_int_equal(ff_ingest_submit(g, p, 0, NULL, NULL, &err), FF_OK);
	ff_ingest_stop(g);
}

/* ---- the writer's body: put.c --------------------------------------------- */

static void
no_problem(void *ctx, const char *problem)
{
	const unsigned long *n = ctx;

	fail_msg("allocation %lu: check: %s", *n, problem);
}

/* The profiles committed in the store at path, seen from a connection of
 * its own (so not the writer's open transaction, if any). */
static int64_t
committed(const char *path)
{
	int64_t rows;
	ff_db *db;
	ff_err err;

	assert_int_equal(ff_db_open(&db, path, FF_DB_READONLY, &err), FF_OK);
	assert_int_equal(ff_db_int(db, "SELECT count(*) FROM profile", &rows,
	    &err), FF_OK);
	ff_db_close(db);
	return rows;
}

/* Two profiles in one batch (the second sharing frames with the first,
 * both with two events and periods), on a fresh copy of an empty store,
 * with allocation `fail` failing (and every later one when sticky).
 * Then the same writer stores both in a batch without failures. */
static ff_rc
put_batch(const char *path, const char *tmpl, size_t tlen, ff_prep *a,
    ff_prep *b, unsigned long fail, int sticky, unsigned long *made)
{
	const char *wal = ff_test_fmt("%s-wal", path);
	const char *shm = ff_test_fmt("%s-shm", path);
	ff_put_result r;
	ff_rc rc, ra = FF_OK, rb = FF_OK;
	ff_put *w = NULL;
	int64_t rows;
	ff_db *db;
	ff_err err;

	remove(wal);
	remove(shm);
	assert_int_equal(ff_test_write(path, tmpl, tlen), 0);
	assert_int_equal(ff_db_open(&db, path, FF_DB_NOSYNC, &err), FF_OK);
	if (fail != 0)
		ff_mem_fail_at(fail, sticky);
	rc = ff_put_new(&w, db, &err);
	if (rc == FF_OK)
		rc = ff_put_begin(w, &err);
	if (rc == FF_OK) {
		ra = ff_put_profile(w, a, &r, &err);
		if (ra == FF_OK)
			assert_int_equal(r.rows, a->nstacks);
		rb = ff_put_profile(w, b, &r, &err);
		rc = ff_put_commit(w, &err);
	}
	if (fail != 0 && made != NULL)
		*made = ff_mem_fail_at(0, 0);
	else if (fail != 0)
		ff_mem_fail_at(0, 0);
	if (rc != FF_OK && rc != FF_ERR_NOMEM && rc != FF_ERR_DB &&
	    rc != FF_ERR_IO)
		fail_msg("allocation %lu: %s", fail, ff_err_msg(&err));
	/* (FF_ERR_IO: SQLite ended the transaction, the batch is lost) */
	if (ra != FF_OK && ra != FF_ERR_NOMEM && ra != FF_ERR_DB &&
	    ra != FF_ERR_IO)
		fail_msg("allocation %lu: profile a: rc %d", fail, ra);
	if (rb != FF_OK && rb != FF_ERR_NOMEM && rb != FF_ERR_DB &&
	    rb != FF_ERR_IO)
		fail_msg("allocation %lu: profile b: rc %d", fail, rb);
	/* Committed: exactly the profiles that went in; else none. */
	rows = committed(path);
	if (rc == FF_OK && rows != (ra == FF_OK) + (rb == FF_OK))
		fail_msg("allocation %lu: %lld profiles committed (a %d, b %d)",
		    fail, (long long)rows, ra, rb);
	if (rc != FF_OK && rows != 0)
		fail_msg("allocation %lu%s: the batch failed (%s) but %lld "
		    "profiles are committed (a %d, b %d)", fail, sticky ?
		    " and later" : "", ff_err_msg(&err), (long long)rows, ra,
		    rb);
	/* The same writer goes on: both stored (or found) in a new batch. */
	if (w != NULL) {
		if (ff_put_begin(w, &err) != FF_OK ||
		    ff_put_profile(w, a, &r, &err) != FF_OK ||
		    ff_put_profile(w, b, &r, &err) != FF_OK ||
		    ff_put_commit(w, &err) != FF_OK)
			fail_msg("allocation %lu%s: the next batch failed: %s",
			    fail, sticky ? " and later" : "", ff_err_msg(&err));
		assert_int_equal(committed(path), 2);
	}
	ff_put_free(w);
	ff_db_close(db);
	return rc;
}

/* Each allocation of a batch fails in turn (once, then from there on):
 * the batch either commits the profiles that went in whole, or nothing,
 * and the store passes its check. */
static void
test_put_oom(void **state)
{
	static const char meta[] = "{\"format\":\"flamefleet-profile/1\","
	    "\"host\":\"h1\",\"build\":\"B\",\"type\":\"cpi\","
	    "\"events\":[\"c\",\"i\"],\"periods\":[100,200],"
	    "\"start\":\"2026-11-21T20:00:00Z\"}";
	static const char ta[] = "main;a;b 1 2\nmain;a;c 3 4\nmain;d 5 6\n";
	static const char tb[] = "main;a;b 7 8\nmain;e;f+0x1 1 1\nother 2 0\n";
	char path[256], tmpl_path[256], *tmpl;
	unsigned long n, made;
	uint64_t problems;
	ff_prep *a, *b;
	size_t tlen;
	ff_buf buf;
	ff_db *db;
	ff_err err;
	int failed = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/put.db", ff_test_tmpdir());
	snprintf(tmpl_path, sizeof tmpl_path, "%s/empty.db", ff_test_tmpdir());
	assert_int_equal(ff_db_open(&db, tmpl_path, FF_DB_CREATE |
	    FF_DB_NOSYNC, &err), FF_OK);
	assert_int_equal(ff_schema_migrate(db, &err), FF_OK);
	ff_db_close(db);
	tmpl = ff_test_slurp(tmpl_path, &tlen);
	assert_non_null(tmpl);
	ff_test_ffp_raw(&buf, meta, sizeof meta - 1, ta, sizeof ta - 1);
	assert_int_equal(ff_prep_parse(&a, buf.p, buf.len, "a", NULL, &err),
	    FF_OK);
	ff_buf_free(&buf);
	ff_test_ffp_raw(&buf, meta, sizeof meta - 1, tb, sizeof tb - 1);
	assert_int_equal(ff_prep_parse(&b, buf.p, buf.len, "b", NULL, &err),
	    FF_OK);
	ff_buf_free(&buf);
	assert_int_equal(put_batch(path, tmpl, tlen, a, b, ULONG_MAX, 0,
	    &made), FF_OK);
	assert_int_equal(committed(path), 2);
	for (n = 1; n <= made; n++) {
		if (put_batch(path, tmpl, tlen, a, b, n, 0, NULL) != FF_OK)
			failed++;
		if (n % 5 == 0)
			(void)put_batch(path, tmpl, tlen, a, b, n, 1, NULL);
		assert_int_equal(ff_check_store(path, 1, no_problem, &n,
		    &problems, &err), FF_OK);
		assert_int_equal(problems, 0);
	}
	assert_true(failed > 0);
	print_message("batch of 2 profiles: %lu allocations (SQLite's "
	    "included), each failed in turn: clean\n", made);
	ff_prep_free(a);
	ff_prep_free(b);
	free(tmpl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_stacks),
		cmocka_unit_test(test_prefix_frames),
		cmocka_unit_test(test_no_err),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_queue_bytes),
		cmocka_unit_test(test_ingest_oom),
		cmocka_unit_test(test_put_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
