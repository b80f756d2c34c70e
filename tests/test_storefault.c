/*
 * test_storefault.c -- the store on a failing disk: SQLite opened
 * through the fault VFS (faultvfs.h), which fails writes, fsyncs, or says
 * the disk is full after N operations.
 *
 *   upload   the upload path in process: ff_upload_headers/body, the
 *            writer (ff_ingest), ff_upload_done.  Each round uploads some
 *            profiles, arms a fault, uploads more (each answer must be 201
 *            or 503 with Retry-After), disarms, uploads more and the ones
 *            refused (201 again: the store recovers without a restart),
 *            then checks the file: PRAGMA integrity_check and the store's
 *            invariants (ff_check_store: no partial profile, sums right),
 *            and that exactly the acknowledged profiles are there, once.
 *   load     ff_load_files (what `ffstore load` runs) under a fault: it
 *            stops with FF_ERR_IO and a message naming the storage
 *            error (not "bad files"), the store is intact and holds what
 *            it said it stored; running it again without the fault stores
 *            the rest.
 *   start    a fault while the store is created or opened: a clean error.
 *
 * Rounds: every N from 0 up to a bound for each kind (write, fsync, full;
 * sticky and once).  FF_FAULT_ROUNDS=all sweeps every operation of the
 * faulty phase.
 */
#include "storeutil.h"

#include "faultvfs.h"
#include "profile/mem.h"
#include "store/check.h"
#include "store/db.h"
#include "store/ingest.h"
#include "store/load.h"
#include "store/memo.h"
#include "store/query.h"
#include "store/store.h"
#include "store/upload.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { NPROF = 24, PHASE1 = 4, PHASE2 = 12, PHASE3 = 16, SWEEP = 12 };

static ff_buf prof[NPROF];      /* profile files, all different */
static unsigned rounds;         /* fault rounds run, for the summary */
static unsigned injected;       /* rounds where a fault fired */
static unsigned unacked;        /* profiles refused, yet stored */

/* ---- profiles ------------------------------------------------------------ */

/* Profile i: its own frames (so every profile adds frames and stack
 * nodes) and some shared ones. */
static void
make_profiles(void)
{
	ff_buf text;
	unsigned i, j;

	for (i = 0; i < NPROF; i++) {
		ff_buf_init(&text);
		for (j = 0; j < 40; j++)
			assert_int_equal(ff_buf_printf(&text,
			    "main;lib%02u;f%u_%02u %u\n", j % 4, i, j,
			    i + j + 1), FF_OK);
		ff_test_ffp(&prof[i], ff_test_fmt("cache-%03u", i), i % 2 ?
		    "2026.11.3" : "2026.11.4", (char *)text.p);
		ff_buf_free(&text);
	}
}

static int
setup(void **state)
{
	(void)state;
	/* The stores are scratch: on a tmpfs an fsync costs nothing (the
	 * VFS still sees, counts and fails every one), so the rounds are
	 * fast. */
	if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	if (ff_faultvfs_register() != 0)
		return -1;
	ff_db_set_vfs(FF_FAULTVFS_NAME);
	make_profiles();
	return 0;
}

static int
teardown(void **state)
{
	unsigned i;

	(void)state;
	ff_db_set_vfs(NULL);
	for (i = 0; i < NPROF; i++)
		ff_buf_free(&prof[i]);
	fprintf(stderr, "test_storefault: %u fault rounds, %u with a fault "
	    "injected; %u profiles reported not stored were found stored "
	    "(fsync)\n", rounds, injected, unacked);
	return 0;
}

/* ---- uploads through the writer ------------------------------------------ */

struct acks {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned pending;
	unsigned status[NPROF];
	char why[NPROF][200];
	char hash[NPROF][FF_DIGEST_HEX];
};

struct one {
	struct acks *a;
	unsigned i;
};

static void
on_done(void *ctx, const ff_ingest_result *res)
{
	struct one *o = ctx;
	struct acks *a = o->a;
	ff_upload_resp r;

	ff_upload_resp_init(&r);
	ff_upload_done(res, &r);
	pthread_mutex_lock(&a->lock);
	a->status[o->i] = r.status;
	snprintf(a->why[o->i], sizeof a->why[0], "%.*s", (int)r.body.len,
	    (char *)r.body.p);
	if (r.status == 503 && r.retry_after == NULL)
		a->status[o->i] = 999;   /* 503 must say when to retry */
	a->pending--;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	ff_upload_resp_free(&r);
	ff_free(o);
}

/* Upload profile i: headers, body, queue (waiting for room). */
static void
upload(ff_ingest *g, struct acks *a, unsigned i)
{
	ff_upload_cfg cfg;
	ff_upload_req q;
	ff_upload_resp r;
	struct one *o;
	ff_err err;

	memset(&cfg, 0, sizeof cfg);
	cfg.max_upload = 1 << 20;
	cfg.max_decompressed = 8 << 20;
	memset(&q, 0, sizeof q);
	q.loopback = 1;
	q.content_type = "application/zstd";
	ff_upload_resp_init(&r);
	ff_upload_headers(&cfg, &q, &r);
	assert_int_equal(r.status, 0);
	q.glob = r.glob;
	q.body = prof[i].p;
	q.len = prof[i].len;
	ff_upload_body(&cfg, &q, &r);
	assert_int_equal(r.status, 0);
	snprintf(a->hash[i], sizeof a->hash[i], "%s", r.prep->hash);
	o = ff_malloc(sizeof *o);
	assert_non_null(o);
	o->a = a;
	o->i = i;
	pthread_mutex_lock(&a->lock);
	a->pending++;
	a->status[i] = 0;
	pthread_mutex_unlock(&a->lock);
	assert_int_equal(ff_ingest_submit(g, r.prep, 1, on_done, o, &err),
	    FF_OK);
	r.prep = NULL;
	ff_upload_resp_free(&r);
}

static void
wait_acks(struct acks *a)
{
	pthread_mutex_lock(&a->lock);
	while (a->pending > 0)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

/* ---- checking a store ---------------------------------------------------- */

static void
on_problem(void *ctx, const char *problem)
{
	(void)ctx;
	fprintf(stderr, "check: %s\n", problem);
}

/* The store at path is intact and holds exactly the profiles whose
 * hashes are in want[0..n) (each once: the hash is UNIQUE). */
static void
verify_store(const char *path, char want[][FF_DIGEST_HEX], unsigned n)
{
	uint64_t problems = 0;
	ff_store *st = NULL;
	ff_plist *l = NULL;
	ff_sel all;
	int64_t id;
	ff_err err;
	unsigned i;

	ff_faultvfs_disarm();
	assert_int_equal(ff_check_store(path, 0, on_problem, NULL, &problems,
	    &err), FF_OK);
	assert_int_equal(problems, 0);
	assert_int_equal(ff_store_open(&st, path, &err), FF_OK);
	for (i = 0; i < n; i++)
		if (ff_query_hash(st, want[i], &id, &err) != FF_OK)
			fail_msg("%s: acknowledged profile %s is missing", path,
			    want[i]);
	ff_sel_init(&all);
	assert_int_equal(ff_query_profiles(st, &all, &l, &err), FF_OK);
	if (ff_plist_count(l) != n)
		fail_msg("%s: %zu profiles stored, %u acknowledged", path,
		    ff_plist_count(l), n);
	ff_plist_free(l);
	ff_store_close(st);
}

/* ---- the upload path ----------------------------------------------------- */

/* One round: returns whether the fault fired. */
static int
upload_round(ff_fault_kind kind, long after, int sticky, long *ops)
{
	const char *path = ff_test_fmt("%s/up-%u-%s-%ld-%d.db",
	    ff_test_tmpdir(), rounds, ff_faultvfs_kind_name(kind), after,
	    sticky);
	ff_ingest_opts io = { .batch_max = 4 };
	char acked[NPROF][FF_DIGEST_HEX];
	unsigned nacked = 0, i, refused = 0;
	int was_refused[NPROF] = { 0 };
	struct acks a;
	ff_ingest *g;
	ff_err err;
	int fired;

	memset(&a, 0, sizeof a);
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	ff_faultvfs_disarm();
	assert_int_equal(ff_ingest_start(&g, path, &io, &err), FF_OK);
	for (i = 0; i < PHASE1; i++)
		upload(g, &a, i);
	wait_acks(&a);
	for (i = 0; i < PHASE1; i++) {
		assert_int_equal(a.status[i], 201);
		memcpy(acked[nacked++], a.hash[i], FF_DIGEST_HEX);
	}
	/* The faulty phase: 201, or 503 with Retry-After, nothing else. */
	ff_faultvfs_arm(kind, after, sticky);
	for (i = PHASE1; i < PHASE2; i++)
		upload(g, &a, i);
	wait_acks(&a);
	*ops = kind == FF_FAULT_SYNC ? ff_faultvfs_syncs() :
	    ff_faultvfs_writes();
	fired = ff_faultvfs_fired() > 0;
	ff_faultvfs_disarm();
	for (i = PHASE1; i < PHASE2; i++) {
		if (a.status[i] == 201) {
			memcpy(acked[nacked++], a.hash[i], FF_DIGEST_HEX);
			continue;
		}
		if (a.status[i] != 503)
			fail_msg("%s after %ld: profile %u answered %u %s",
			    ff_faultvfs_kind_name(kind), after, i, a.status[i],
			    a.why[i]);
		if (strstr(a.why[i], kind == FF_FAULT_FULL ? "full" :
		    "I/O") == NULL)
			fail_msg("%s after %ld: 503 without the cause: %s",
			    ff_faultvfs_kind_name(kind), after, a.why[i]);
		was_refused[i] = 1;
		refused++;
	}
	if (fired && kind != FF_FAULT_SYNC)
		assert_true(refused > 0);
	/* While the writer runs: the acknowledged ones and nothing else
	 * (a refused profile left no row). */
	verify_store(path, acked, nacked);
	/* Healthy again: new profiles and the refused ones are stored. */
	for (i = PHASE2; i < PHASE3; i++)
		upload(g, &a, i);
	for (i = PHASE1; i < PHASE2; i++)
		if (was_refused[i])
			upload(g, &a, i);
	wait_acks(&a);
	for (i = PHASE1; i < PHASE3; i++) {
		if (i < PHASE2 && !was_refused[i])
			continue;
		if (a.status[i] != 201)
			fail_msg("%s after %ld: after the fault, profile %u "
			    "got %u %s", ff_faultvfs_kind_name(kind), after,
			    i, a.status[i], a.why[i]);
		memcpy(acked[nacked++], a.hash[i], FF_DIGEST_HEX);
	}
	ff_ingest_stop(g);
	assert_int_equal(nacked, PHASE3);
	verify_store(path, acked, nacked);
	pthread_cond_destroy(&a.cond);
	pthread_mutex_destroy(&a.lock);
	rounds++;
	injected += fired;
	return fired;
}

/* The bound of a sweep: every operation with FF_FAULT_ROUNDS=all, else
 * the first SWEEP ones and a stride through the rest. */
static long
next_after(long after, long ops)
{
	const char *all = getenv("FF_FAULT_ROUNDS");

	if ((all != NULL && strcmp(all, "all") == 0) || after < SWEEP)
		return after + 1;
	return after + (ops / SWEEP > 1 ? ops / SWEEP : 1);
}

static void
sweep_uploads(ff_fault_kind kind, int sticky)
{
	long after, ops = 0, total;

	/* How many operations the faulty phase does when nothing fails. */
	upload_round(FF_FAULT_OFF, 0, 1, &total);
	assert_true(total > 0);
	for (after = 0; after <= total; after = next_after(after, total))
		upload_round(kind, after, sticky, &ops);
}

static void
test_upload_write(void **state)
{
	(void)state;
	sweep_uploads(FF_FAULT_WRITE, 1);
	sweep_uploads(FF_FAULT_WRITE, 0);
}

static void
test_upload_fsync(void **state)
{
	(void)state;
	sweep_uploads(FF_FAULT_SYNC, 1);
	sweep_uploads(FF_FAULT_SYNC, 0);
}

static void
test_upload_full(void **state)
{
	(void)state;
	sweep_uploads(FF_FAULT_FULL, 1);
}

/* ---- ffstore load -------------------------------------------------------- */

static char *files[NPROF];

static void
write_files(void)
{
	unsigned i;

	if (files[0] != NULL)
		return;
	for (i = 0; i < NPROF; i++) {
		const char *p = ff_test_fmt("%s/p%02u.ffp", ff_test_tmpdir(),
		    i);

		assert_int_equal(ff_test_write(p, prof[i].p, prof[i].len), 0);
		files[i] = strdup(p);
		assert_non_null(files[i]);
	}
}

/* The hashes of the profiles a store holds, for verify_store; -1 when
 * the file is not a store yet: its creation failed, perhaps leaving a
 * rollback journal that a read-only connection cannot roll back. */
static int
stored_hashes(const char *path, char out[][FF_DIGEST_HEX])
{
	ff_store *st = NULL;
	ff_err err;
	int64_t id;
	int n = 0;
	unsigned i;

	if (ff_store_open(&st, path, &err) != FF_OK) {
		const char *m = ff_err_msg(&err);

		if (strstr(m, "not a flamefleet store") != NULL ||
		    strstr(m, "interrupted write") != NULL)
			return -1;
		fail_msg("%s", ff_err_msg(&err));
	}
	for (i = 0; i < NPROF; i++) {
		char hash[FF_DIGEST_HEX];

		ff_prep_hash(prof[i].p, prof[i].len, hash);
		if (ff_query_hash(st, hash, &id, &err) == FF_OK)
			memcpy(out[n++], hash, FF_DIGEST_HEX);
	}
	ff_store_close(st);
	return n;
}

/* One load under a fault; returns whether it fired. */
static int
load_round(ff_fault_kind kind, long after, int sticky, long *ops)
{
	const char *path = ff_test_fmt("%s/load-%u-%s-%ld-%d.db",
	    ff_test_tmpdir(), rounds, ff_faultvfs_kind_name(kind), after,
	    sticky);
	char db[4096], have[NPROF][FF_DIGEST_HEX], *msgs = NULL;
	ff_load_opts o;
	ff_load_stats st;
	size_t mlen = 0;
	int n;
	ff_err err;
	ff_rc rc;
	FILE *log;
	int fired;

	snprintf(db, sizeof db, "%s", path);
	memset(&o, 0, sizeof o);
	o.threads = 2;
	o.batch_max = 4;
	log = open_memstream(&msgs, &mlen);
	assert_non_null(log);
	o.errors = log;
	ff_err_init(&err);
	ff_faultvfs_arm(kind, after, sticky);
	rc = ff_load_files(db, files, NPROF, &o, &st, &err);
	*ops = kind == FF_FAULT_SYNC ? ff_faultvfs_syncs() :
	    ff_faultvfs_writes();
	fired = ff_faultvfs_fired() > 0;
	ff_faultvfs_disarm();
	fclose(log);
	if (rc == FF_OK) {
		/* No fault, or only in the last checkpoint (ignored: the WAL
		 * keeps the data). */
		assert_int_equal(st.stored, NPROF);
	} else {
		if (rc != FF_ERR_IO || !fired)
			fail_msg("%s after %ld: load returned %s: %s (%s)",
			    ff_faultvfs_kind_name(kind), after,
			    ff_strerror(rc), ff_err_msg(&err), msgs);
		assert_true(strstr(ff_err_msg(&err), kind == FF_FAULT_FULL ?
		    "full" : "I/O") != NULL);
		assert_non_null(strstr(ff_err_msg(&err), db));
		/* Not a file's fault: no file is called bad. */
		assert_int_equal(st.failed, 0);
		assert_int_equal(st.stored + st.unstored, NPROF);
	}
	free(msgs);
	/* Intact, and holding at least what it said it stored (a store that
	 * could not even be created holds nothing).  A batch whose commit
	 * fsync failed may still be in the WAL, complete, and appear once
	 * the store is opened again: reported as not stored, it is there
	 * (an agent's retry gets 200 duplicate).  Never a partial one. */
	n = access(db, F_OK) == 0 ? stored_hashes(db, have) : -1;
	if (n < 0) {
		assert_int_equal(st.stored, 0);
	} else {
		if ((uint64_t)n < st.stored || (kind != FF_FAULT_SYNC &&
		    (uint64_t)n != st.stored))
			fail_msg("%s after %ld: %d profiles in the store, "
			    "%llu reported stored", ff_faultvfs_kind_name(kind),
			    after, n, (unsigned long long)st.stored);
		unacked += (unsigned)n - (unsigned)st.stored;
		verify_store(db, have, (unsigned)n);
	}
	/* Again without the fault: everything is there. */
	memset(&st, 0, sizeof st);
	o.errors = NULL;
	assert_int_equal(ff_load_files(db, files, NPROF, &o, &st, &err), FF_OK);
	n = stored_hashes(db, have);
	assert_int_equal(n, NPROF);
	verify_store(db, have, (unsigned)n);
	rounds++;
	injected += fired;
	return fired;
}

static void
sweep_loads(ff_fault_kind kind, int sticky)
{
	long after, ops = 0, total;

	write_files();
	load_round(FF_FAULT_OFF, 0, 1, &total);
	for (after = 0; after <= total; after = next_after(after, total))
		load_round(kind, after, sticky, &ops);
}

static void
test_load_write(void **state)
{
	(void)state;
	sweep_loads(FF_FAULT_WRITE, 1);
	sweep_loads(FF_FAULT_WRITE, 0);
}

static void
test_load_fsync(void **state)
{
	(void)state;
	sweep_loads(FF_FAULT_SYNC, 1);
}

static void
test_load_full(void **state)
{
	(void)state;
	sweep_loads(FF_FAULT_FULL, 1);
}

/* ---- creating and opening ------------------------------------------------ */

static void
test_start(void **state)
{
	const char *path;
	ff_ingest *g = NULL;
	ff_err err;
	long after;
	ff_rc rc;

	(void)state;
	for (after = 0; after < 6; after++) {
		path = ff_test_fmt("%s/start-%ld.db", ff_test_tmpdir(), after);
		ff_err_init(&err);
		ff_faultvfs_arm(FF_FAULT_FULL, after, 1);
		rc = ff_ingest_start(&g, path, NULL, &err);
		ff_faultvfs_disarm();
		if (rc == FF_OK) {
			ff_ingest_stop(g);
			continue;
		}
		assert_null(g);
		assert_int_equal(rc, FF_ERR_IO);
		assert_non_null(strstr(ff_err_msg(&err), path));
		assert_non_null(strstr(ff_err_msg(&err), "full"));
		/* Opening it again without the fault works. */
		assert_int_equal(ff_ingest_start(&g, path, NULL, &err), FF_OK);
		ff_ingest_stop(g);
		verify_store(path, NULL, 0);
		rounds++;
		injected++;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_upload_write),
		cmocka_unit_test(test_upload_fsync),
		cmocka_unit_test(test_upload_full),
		cmocka_unit_test(test_load_write),
		cmocka_unit_test(test_load_fsync),
		cmocka_unit_test(test_load_full),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);

	ff_memo_thread_end();
	return rc;
}
