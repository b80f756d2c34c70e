/*
 * test_faults.c -- every allocation failure ends in a clean error.
 *
 * Each operation runs once to count its allocations, then once per
 * allocation with that one (and every later one) failing.  Each run must
 * return FF_OK or FF_ERR_NOMEM -- never crash, never another error -- and
 * leak nothing (LeakSanitizer checks that in the sanitizer build).
 */
#include "testutil.h"

#include "diff/check.h"
#include "diff/reps.h"
#include "profile/ffp.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/rollup.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char folded[] =
    "main;read;sys_read;vfs_read 10 100\n"
    "main;read;sys_read 3 20\n"
    "main;parse;parse 7 9\n"
    "main;parse+0x1f;hash 12 1\n"
    "main;write 5 50\n";

typedef ff_rc (*op_fn)(void *ctx);

/* Run op with the nth allocation (and all later) failing, n = 1.. until
 * a run needs fewer allocations than n. */
static void
exhaust(op_fn op, void *ctx)
{
	unsigned long n, made;
	ff_rc rc;

	ff_mem_fail_at(ULONG_MAX, 0); /* count only */
	assert_int_equal(op(ctx), FF_OK);
	made = ff_mem_fail_at(0, 0);
	assert_true(made > 0);
	for (n = 1; n <= made; n++) {
		ff_mem_fail_at(n, 1);
		rc = op(ctx);
		ff_mem_fail_at(0, 0);
		if (rc != FF_OK && rc != FF_ERR_NOMEM)
			fail_msg("allocation %lu of %lu: rc %d", n, made, rc);
	}
	print_message("%lu allocations, each failed in turn: clean\n", made);
}

/* ---- folded load and write ---------------------------------------------- */

static ff_rc
op_fold(void *ctx)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL;
	ff_src *src = NULL;
	char *out = NULL;
	size_t len;
	FILE *f;
	ff_err err;
	ff_rc rc;

	(void)ctx;
	if (t == NULL)
		return FF_ERR_NOMEM;
	rc = ff_src_open_mem(&src, folded, sizeof folded - 1, "f", NULL, &err);
	if (rc == FF_OK)
		rc = ff_fold_load_src(&s, t, src, 2, NULL, &err);
	if (rc == FF_OK) {
		f = open_memstream(&out, &len);
		rc = ff_fold_write(s, f, &err);
		fclose(f);
		free(out);
	}
	ff_src_close(src);
	ff_stacks_free(s);
	ff_intern_free(t);
	return rc;
}

static void
test_fold_load_write(void **state)
{
	(void)state;
	exhaust(op_fold, NULL);
}

/* ---- profile file write, read, rollup ------------------------------------ */

struct mem {
	unsigned char *p;
	size_t len, cap;
};

static ff_rc
mem_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct mem *m = ctx;

	(void)err;
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->p = realloc(m->p, m->cap);
	}
	memcpy(m->p + m->len, p, len);
	m->len += len;
	return FF_OK;
}

static ff_rc
make_profile(struct mem *file)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL;
	ff_src *src = NULL;
	ff_meta m;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	if (t == NULL)
		return FF_ERR_NOMEM;
	file->len = 0;
	if ((rc = ff_meta_set(&m, &m.host, "h1", &err)) == FF_OK &&
	    (rc = ff_meta_set(&m, &m.build, "b1", &err)) == FF_OK &&
	    (rc = ff_meta_set(&m, &m.type, "cpi", &err)) == FF_OK &&
	    (rc = ff_meta_add_event(&m, "cycles", 0, &err)) == FF_OK &&
	    (rc = ff_meta_add_event(&m, "instructions", 0, &err)) == FF_OK &&
	    (rc = ff_meta_set_label(&m, "gbps", "10", &err)) == FF_OK &&
	    (rc = ff_src_open_mem(&src, folded, sizeof folded - 1, "f", NULL,
	    &err)) == FF_OK &&
	    (rc = ff_fold_load_src(&s, t, src, 2, NULL, &err)) == FF_OK)
		rc = ff_ffp_write(&m, s, 1, mem_sink, file, &err);
	ff_src_close(src);
	ff_stacks_free(s);
	ff_meta_free(&m);
	ff_intern_free(t);
	return rc;
}

static ff_rc
op_ffp_write(void *ctx)
{
	return make_profile(ctx);
}

static ff_rc
op_ffp_read(void *ctx)
{
	struct mem *file = ctx;
	ff_intern *t = ff_intern_new(), *funcs = ff_intern_new();
	ff_stacks *s = NULL;
	ff_rollup *ru = NULL;
	ff_src *src = NULL;
	ff_meta m;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	if (t == NULL || funcs == NULL) {
		rc = FF_ERR_NOMEM;
		goto out;
	}
	rc = ff_src_open_mem(&src, file->p, file->len, "x.ffp", NULL, &err);
	if (rc == FF_OK)
		rc = ff_ffp_read(src, t, &m, &s, NULL, &err);
	if (rc == FF_OK)
		rc = ff_rollup_new(&ru, s, funcs, &err);
out:
	ff_rollup_free(ru);
	ff_src_close(src);
	ff_stacks_free(s);
	ff_meta_free(&m);
	ff_intern_free(t);
	ff_intern_free(funcs);
	return rc;
}

static void
test_profile_file(void **state)
{
	struct mem file = { 0 };

	(void)state;
	exhaust(op_ffp_write, &file);
	assert_int_equal(make_profile(&file), FF_OK);
	exhaust(op_ffp_read, &file);
	free(file.p);
}

/* ---- the check ----------------------------------------------------------- */

static ff_rc
op_check(void *ctx)
{
	const char *dir = ctx;
	ff_reps *r = ff_reps_new();
	ff_result *res = NULL;
	ff_check_opts o;
	ff_err err;
	ff_rc rc;

	if (r == NULL)
		return FF_ERR_NOMEM;
	ff_check_opts_init(&o);
	o.totals = 1;
	o.min_profiles = 2;
	rc = ff_reps_add_dir(r, FF_BASE, ff_test_fmt("%s/A", dir), "gbps",
	    &err);
	if (rc == FF_OK)
		rc = ff_reps_add_dir(r, FF_NEW, ff_test_fmt("%s/B", dir), "gbps",
		    &err);
	if (rc == FF_OK)
		rc = ff_check_run(r, &o, &res, &err);
	if (rc != FF_OK && rc != FF_ERR_NOMEM)
		fprintf(stderr, "check: %s\n", err.msg);
	ff_result_free(res);
	ff_reps_free(r);
	return rc;
}

static void
test_check(void **state)
{
	const char *dir = ff_test_tmpdir();
	const char *gen = ff_test_build("bin/ffgen-fleet");

	assert_int_equal(ff_test_run(ff_test_fmt("%s --out %s/fleet --hosts 3 "
	    "--universe 40 --functions 30 --samples 500 --cpi -q", gen, dir),
	    NULL, NULL), 0);
	static char fleet[512];

	(void)state;
	snprintf(fleet, sizeof fleet, "%s/fleet", dir);
	exhaust(op_check, fleet);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_load_write),
		cmocka_unit_test(test_profile_file),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
