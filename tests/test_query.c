/*
 * test_query.c -- the whole store path: ingest a few profiles, then every
 * query the diff engine, the HTTP API and ffstore use; prune and check.
 */
#include "storeutil.h"

#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "store/check.h"
#include "store/db.h"
#include "store/ingest.h"
#include "store/prune.h"
#include "store/put.h"
#include "store/query.h"
#include "store/schema.h"

#include <pthread.h>
#include <string.h>

#define T0 1795291200   /* 2026-11-21T20:00:00Z */

static const char P1[] = "main;a+0x1f;b;a+0x2a;c 10\nmain;a+0x1f;b 5\n"
    "main;c 3\nmain;a+0x1f;a+0x1f 2\n";
static const char P2[] = "main;a+0x1f;b 1\nmain;d 7\n";
static const char P3[] = "main;c 4\n";
static const char P4[] = "main;a+0x1f 1 2\n";

struct results {
	pthread_mutex_t lock;
	int n, dup;
	int64_t ids[16];
};

static void
on_done(void *ctx, const ff_ingest_result *r)
{
	struct results *res = ctx;

	pthread_mutex_lock(&res->lock);
	assert_int_equal(r->rc, FF_OK);
	res->dup += r->put.duplicate;
	res->ids[res->n++] = r->put.id;
	pthread_mutex_unlock(&res->lock);
}

static void
submit(ff_ingest *g, struct results *res, const char *host,
    const char *build, const char *type, const char *events,
    const char *labels, int64_t start, const char *text)
{
	char when[FF_STAMP_LEN];
	const char *m;
	ff_prep *p;
	ff_buf b;
	ff_err err;

	ff_stamp_format(start, when);
	m = ff_test_meta(host, build, type, events, labels, when);
	ff_test_ffp_raw(&b, m, strlen(m), text, strlen(text));
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, host, NULL, &err),
	    FF_OK);
	assert_int_equal(ff_ingest_submit(g, p, 1, on_done, res, &err), FF_OK);
	ff_buf_free(&b);
}

static const char *
db_path(void)
{
	return ff_test_fmt("%s/query.db", ff_test_tmpdir());
}

static int
setup(void **state)
{
	static struct results res;
	ff_ingest_opts o = { 0 };
	ff_ingest *g;
	ff_err err;

	(void)state;
	memset(&res, 0, sizeof res);
	pthread_mutex_init(&res.lock, NULL);
	o.nosync = 1;
	o.batch_max = 2;
	assert_int_equal(ff_ingest_start(&g, db_path(), &o, &err), FF_OK);
	submit(g, &res, "h1", "B1", "cpu", "\"cycles\"", "\"site\":\"ams2\"",
	    T0, P1);
	submit(g, &res, "h2", "B1", "cpu", "\"cycles\"", "\"site\":\"fra1\"",
	    T0 + 60, P2);
	submit(g, &res, "w1", "B2", "cpu", "\"cycles\"", "", T0 + 120, P3);
	submit(g, &res, "h1", "B1", "cpi", "\"cycles\",\"instructions\"", "",
	    T0 + 200, P4);
	/* The same file again: a duplicate, not a new row. */
	submit(g, &res, "h2", "B1", "cpu", "\"cycles\"", "\"site\":\"fra1\"",
	    T0 + 60, P2);
	ff_ingest_stop(g);
	assert_int_equal(res.n, 5);
	assert_int_equal(res.dup, 1);
	assert_int_equal(res.ids[4], res.ids[1]);
	return 0;
}

static ff_store *
open_store(void)
{
	ff_store *st;
	ff_err err;

	assert_int_equal(ff_store_open(&st, db_path(), &err), FF_OK);
	return st;
}

static size_t
count(ff_store *st, const char *sel_text)
{
	ff_plist *l;
	ff_sel sel;
	ff_err err;
	size_t n;

	ff_sel_init(&sel);
	assert_int_equal(ff_sel_parse(&sel, sel_text, T0, &err), FF_OK);
	assert_int_equal(ff_query_profiles(st, &sel, &l, &err), FF_OK);
	n = ff_plist_count(l);
	ff_plist_free(l);
	ff_sel_free(&sel);
	return n;
}

static void
test_profiles(void **state)
{
	ff_store *st = open_store();
	const ff_pinfo *p;
	ff_plist *l;
	ff_sel sel;
	ff_pinfo one;
	int64_t id;
	ff_err err;

	(void)state;
	assert_int_equal(count(st, ""), 4);
	assert_int_equal(count(st, "build=B1"), 3);
	assert_int_equal(count(st, "build=B1,type=cpu"), 2);
	assert_int_equal(count(st, "host=h*"), 3);
	assert_int_equal(count(st, "host=h1"), 2);
	assert_int_equal(count(st, "host=h[2-9]"), 1);
	assert_int_equal(count(st, "label.site=fra1"), 1);
	assert_int_equal(count(st, "label.site=fra1,label.site=ams2"), 0);
	assert_int_equal(count(st, "since=2026-11-21T20:01:00Z,"
	    "until=2026-11-21T20:02:00Z"), 1);
	assert_int_equal(count(st, "build=none"), 0);
	ff_sel_init(&sel);
	assert_int_equal(ff_query_profiles(st, &sel, &l, &err), FF_OK);
	p = ff_plist_get(l, 0);
	assert_string_equal(p->meta.host, "h1");
	assert_int_equal(p->meta.start, T0);
	assert_int_equal(p->totals[0], 20);
	assert_int_equal(p->rows, 4);
	assert_string_equal(ff_meta_label(&p->meta, "site"), "ams2");
	p = ff_plist_get(l, 3);
	assert_int_equal(p->meta.nevents, 2);
	assert_string_equal(p->meta.events[1], "instructions");
	assert_true(p->totals[0] == 1 && p->totals[1] == 2);
	ff_pinfo_init(&one);
	assert_int_equal(ff_query_profile(st, p->id, &one, &err), FF_OK);
	assert_string_equal(one.hash, p->hash);
	assert_int_equal(ff_query_hash(st, p->hash, &id, &err), FF_OK);
	assert_int_equal(id, p->id);
	assert_int_equal(ff_query_profile(st, 999, &one, &err),
	    FF_ERR_NOTFOUND);
	ff_pinfo_free(&one);
	ff_plist_free(l);
	ff_store_close(st);
}

static ff_rc
buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	(void)err;
	return ff_buf_append(ctx, p, len);
}

/* The folded text of an aggregate, as a NUL-terminated string. */
static char *
aggregate(ff_store *st, const char *sel_text, ff_query_sum *sum,
    ff_rc want)
{
	ff_intern *frames = ff_intern_new();
	ff_stacks *s = NULL;
	ff_sel sel;
	ff_buf b;
	ff_err err;
	char *text = NULL;

	ff_buf_init(&b);
	ff_sel_init(&sel);
	assert_int_equal(ff_sel_parse(&sel, sel_text, T0, &err), FF_OK);
	assert_int_equal(ff_query_aggregate(st, &sel, frames, &s, sum, &err),
	    want);
	if (want == FF_OK) {
		assert_int_equal(ff_fold_write_to(s, buf_sink, &b, &err), FF_OK);
		text = ff_buf_take(&b, NULL);
	} else {
		text = strdup(err.msg);
	}
	ff_stacks_free(s);
	ff_intern_free(frames);
	ff_sel_free(&sel);
	return text;
}

static void
test_aggregate(void **state)
{
	static const char want[] = "main;a+0x1f;a+0x1f 2\nmain;a+0x1f;b 6\n"
	    "main;a+0x1f;b;a+0x2a;c 10\nmain;c 3\nmain;d 7\n";
	ff_store *st = open_store();
	ff_query_sum sum;
	char *t;

	(void)state;
	/* From the per-build sums, and summing each profile: the same. */
	t = aggregate(st, "build=B1,type=cpu", &sum, FF_OK);
	assert_string_equal(t, want);
	assert_int_equal(sum.profiles, 2);
	assert_int_equal(sum.nevents, 1);
	assert_string_equal(sum.events[0], "cycles");
	free(t);
	t = aggregate(st, "build=B1,type=cpu,host=*", &sum, FF_OK);
	assert_string_equal(t, want);
	assert_int_equal(sum.rows, 6);
	free(t);
	t = aggregate(st, "build=B1,type=cpu,label.site=fra1", &sum, FF_OK);
	assert_string_equal(t, "main;a+0x1f;b 1\nmain;d 7\n");
	free(t);
	t = aggregate(st, "type=cpi", &sum, FF_OK);
	assert_string_equal(t, "main;a+0x1f 1 2\n");
	assert_int_equal(sum.nevents, 2);
	free(t);
	/* cpu and cpi together: refused, naming both. */
	t = aggregate(st, "build=B1", NULL, FF_ERR_USAGE);
	assert_non_null(strstr(t, "[cycles] and [cycles,instructions]"));
	free(t);
	t = aggregate(st, "build=B1,host=h*", NULL, FF_ERR_USAGE);
	free(t);
	t = aggregate(st, "build=none", &sum, FF_OK);
	assert_string_equal(t, "");
	assert_int_equal(sum.profiles, 0);
	free(t);
	ff_store_close(st);
}

static void
test_folded(void **state)
{
	ff_store *st = open_store();
	ff_intern *frames = ff_intern_new();
	ff_stacks *s;
	ff_pinfo info;
	ff_buf b;
	ff_err err;

	(void)state;
	ff_buf_init(&b);
	ff_pinfo_init(&info);
	assert_int_equal(ff_query_folded(st, 1, frames, &s, &info, &err),
	    FF_OK);
	assert_int_equal(ff_fold_write_to(s, buf_sink, &b, &err), FF_OK);
	assert_int_equal(ff_buf_append(&b, "", 1), FF_OK);
	assert_string_equal((char *)b.p, "main;a+0x1f;a+0x1f 2\n"
	    "main;a+0x1f;b 5\nmain;a+0x1f;b;a+0x2a;c 10\nmain;c 3\n");
	assert_string_equal(info.meta.host, "h1");
	ff_stacks_free(s);
	assert_int_equal(ff_query_folded(st, 77, frames, &s, NULL, &err),
	    FF_ERR_NOTFOUND);
	ff_pinfo_free(&info);
	ff_buf_free(&b);
	ff_intern_free(frames);
	ff_store_close(st);
}

struct fv {
	ff_store *st;
	int n;
};

/* Self and inclusive values of a function in a visited profile. */
static void
func(ff_store *st, const ff_fprof *p, const char *name, uint64_t self,
    uint64_t incl)
{
	uint32_t i;
	size_t len;

	for (i = 0; i < p->nfuncs; i++) {
		const char *n = ff_store_func_name(st, p->func[i], &len);

		if (len == strlen(name) && memcmp(n, name, len) == 0) {
			assert_int_equal(p->self[i], self);
			assert_int_equal(p->incl[i], incl);
			return;
		}
	}
	fail_msg("no function %s", name);
}

static ff_rc
visit(void *ctx, const ff_fprof *p, ff_err *err)
{
	struct fv *v = ctx;

	(void)err;
	assert_int_equal(p->nevents, 1);
	if (v->n++ == 0) {
		assert_string_equal(p->info->meta.host, "h1");
		assert_int_equal(p->info->totals[0], 20);
		assert_int_equal(p->nfuncs, 4);
		func(v->st, p, "main", 0, 20);
		func(v->st, p, "a", 2, 17);
		func(v->st, p, "b", 5, 15);
		func(v->st, p, "c", 13, 13);
	} else {
		assert_string_equal(ff_meta_label(&p->info->meta, "site"),
		    "fra1");
		assert_int_equal(p->nfuncs, 4);
		func(v->st, p, "main", 0, 8);
		func(v->st, p, "a", 0, 1);
		func(v->st, p, "b", 1, 1);
		func(v->st, p, "d", 7, 7);
	}
	return FF_OK;
}

static ff_rc
stop_at_first(void *ctx, const ff_fprof *p, ff_err *err)
{
	(void)ctx;
	(void)p;
	return ff_err_set(err, FF_ERR_USAGE, "enough");
}

static void
test_funcs(void **state)
{
	struct fv v = { open_store(), 0 };
	ff_sel sel;
	ff_err err;

	(void)state;
	ff_sel_init(&sel);
	assert_int_equal(ff_sel_parse(&sel, "build=B1,type=cpu", T0, &err),
	    FF_OK);
	assert_int_equal(ff_query_funcs(v.st, &sel, visit, &v, &err), FF_OK);
	assert_int_equal(v.n, 2);
	assert_int_equal(ff_query_funcs(v.st, &sel, stop_at_first, NULL,
	    &err), FF_ERR_USAGE);
	assert_string_equal(err.msg, "enough");
	ff_sel_free(&sel);
	ff_store_close(v.st);
}

static void
test_builds_stats(void **state)
{
	ff_store *st = open_store();
	ff_build_row *rows;
	ff_store_stats s;
	size_t n;
	ff_err err;

	(void)state;
	assert_int_equal(ff_query_builds(st, &rows, &n, &err), FF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].build, "B1");   /* newest first */
	assert_string_equal(rows[0].type, "cpi");
	assert_string_equal(rows[1].build, "B2");
	assert_int_equal(rows[2].profiles, 2);
	assert_int_equal(rows[2].hosts, 2);
	assert_int_equal(rows[2].rows, 6);
	ff_query_builds_free(rows, n);
	assert_int_equal(ff_query_stats(st, &s, &err), FF_OK);
	assert_int_equal(s.profiles, 4);
	assert_int_equal(s.rows, 8);
	assert_int_equal(s.builds, 2);
	assert_int_equal(s.funcs, 5);
	assert_int_equal(s.frames, 6);
	assert_true(s.db_bytes > 0);
	ff_store_close(st);
}

static void
count_problem(void *ctx, const char *problem)
{
	(void)problem;
	(*(int *)ctx)++;
}

static void
test_check_prune(void **state)
{
	ff_store *st;
	ff_prune_stats ps;
	uint64_t problems;
	int seen = 0;
	ff_db *db;
	char *t;
	ff_err err;

	(void)state;
	assert_int_equal(ff_check_store(db_path(), 0, count_problem, &seen,
	    &problems, &err), FF_OK);
	assert_int_equal(problems, 0);
	/* Profiles that started before T0 + 100: h1/B1/cpu and h2/B1/cpu. */
	assert_int_equal(ff_prune_store(db_path(), T0 + 100, 1, &ps, &err),
	    FF_OK);
	assert_int_equal(ps.profiles, 2);
	assert_int_equal(ff_prune_store(db_path(), T0 + 100, 0, &ps, &err),
	    FF_OK);
	assert_int_equal(ps.profiles, 2);
	assert_int_equal(ps.rows, 6);
	st = open_store();
	assert_int_equal(count(st, ""), 2);
	t = aggregate(st, "build=B1,type=cpu", NULL, FF_OK);
	assert_string_equal(t, "");
	free(t);
	t = aggregate(st, "build=B2", NULL, FF_OK);
	assert_string_equal(t, "main;c 4\n");
	free(t);
	ff_store_close(st);
	assert_int_equal(ff_check_store(db_path(), 0, count_problem, &seen,
	    &problems, &err), FF_OK);
	assert_int_equal(problems, 0);
	/* Damage a summed-stacks row: check says so. */
	assert_int_equal(ff_db_open(&db, db_path(), 0, &err), FF_OK);
	assert_int_equal(ff_db_exec(db, "UPDATE agg SET profiles = 5", &err),
	    FF_OK);
	assert_int_equal(ff_db_exec(db, "UPDATE pdata SET samples = x'01'",
	    &err), FF_OK);
	ff_db_close(db);
	assert_int_equal(ff_check_store(db_path(), 1, count_problem, &seen,
	    &problems, &err), FF_OK);
	assert_true(problems >= 2);
}

static void
ignore_problem(void *ctx, const char *problem)
{
	(void)ctx;
	fail_msg("check: %s", problem);
}

/* Fail each allocation of a write in turn (SQLite's too): every run ends
 * in a clean error or success, and the store is whole either way. */
static void
test_put_nomem(void **state)
{
	char path[512], wal[520], shm[520];
	const char *m = ff_test_meta("h1", "B1", "cpu", "\"cycles\"",
	    "\"site\":\"ams2\"", "2026-11-21T20:00:00Z");
	ff_put_result r;
	uint64_t problems;
	unsigned long n;
	ff_prep *p;
	ff_put *w;
	ff_db *db;
	int64_t rows;
	ff_buf b;
	ff_err err;
	ff_rc rc;

	(void)state;
	/* ff_test_fmt's buffers are reused: keep copies. */
	snprintf(path, sizeof path, "%s/nomem.db", ff_test_tmpdir());
	snprintf(wal, sizeof wal, "%s-wal", path);
	snprintf(shm, sizeof shm, "%s-shm", path);
	ff_test_ffp_raw(&b, m, strlen(m), P1, strlen(P1));
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "t", NULL, &err), FF_OK);
	for (n = 1;; n++) {
		remove(path);
		remove(wal);
		remove(shm);
		assert_int_equal(ff_db_open(&db, path, FF_DB_CREATE |
		    FF_DB_NOSYNC, &err), FF_OK);
		assert_int_equal(ff_schema_migrate(db, &err), FF_OK);
		ff_mem_fail_at(n, 0);
		rc = ff_put_new(&w, db, &err);
		if (rc == FF_OK && (rc = ff_put_begin(w, &err)) == FF_OK &&
		    (rc = ff_put_profile(w, p, &r, &err)) == FF_OK)
			rc = ff_put_commit(w, &err);
		else if (w != NULL)
			ff_put_abort(w);
		ff_mem_fail_at(0, 0);
		ff_put_free(w);
		assert_int_equal(ff_db_int(db, "SELECT count(*) FROM profile",
		    &rows, &err), FF_OK);
		ff_db_close(db);
		assert_int_equal(rows, rc == FF_OK);
		assert_int_equal(ff_check_store(path, 1, ignore_problem, NULL,
		    &problems, &err), FF_OK);
		if (rc == FF_OK)
			break;
		if (rc != FF_ERR_NOMEM && rc != FF_ERR_DB && rc != FF_ERR_IO)
			fail_msg("allocation %lu: %s", n, err.msg);
	}
	assert_true(n > 20);
	print_message("%lu allocations\n", n);
	ff_prep_free(p);
	ff_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_funcs),
		cmocka_unit_test(test_builds_stats),
		cmocka_unit_test(test_check_prune),
		cmocka_unit_test(test_put_nomem),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
