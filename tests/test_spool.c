/*
 * test_spool.c -- the spool directory: atomic writes, oldest-first
 * listing, bounds with dropped counts, rejected/, temp files of killed
 * writers, and the state file.
 */
#include "testutil.h"

#include "agent/spool.h"
#include "agent/agentlog.h"
#include "profile/ffp.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
fresh_dir(const char *name)
{
	const char *d = ff_test_fmt("%s/%s", ff_test_tmpdir(), name);

	assert_int_equal(ff_test_run(ff_test_fmt("rm -rf '%s'", d), NULL,
	    NULL), 0);
	return d;
}

static ff_spool *
open_spool(const char *name, uint64_t max_bytes, uint64_t max_files)
{
	ff_spool *sp = NULL;
	ff_err err;

	ff_err_init(&err);
	assert_int_equal(ff_spool_open(&sp, fresh_dir(name), max_bytes,
	    max_files, &err), FF_OK);
	return sp;
}

/* Add a profile of `bytes` raw bytes; its name goes to name. */
static void
add_raw(ff_spool *sp, size_t bytes, uint64_t stamp, char name[128])
{
	ff_spool_tmp t;
	char *buf = calloc(1, bytes + 1);
	ff_err err;

	ff_err_init(&err);
	assert_int_equal(ff_spool_create(sp, &t, &err), FF_OK);
	assert_int_equal(write(t.fd, buf, bytes), (ssize_t)bytes);
	assert_int_equal(ff_spool_commit(sp, &t, stamp, "raw", name, 128,
	    &err), FF_OK);
	free(buf);
}

static void
test_write_and_list(void **state)
{
	ff_spool *sp = open_spool("s1", 1 << 20, 100);
	char n1[128], n2[128], n3[128], path[4096];
	ff_spool_file *f = NULL;
	ff_spool_tmp t;
	struct stat st;
	size_t n = 0;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	add_raw(sp, 10, 0, n1);
	add_raw(sp, 20, 3, n2);
	/* a temp file is never listed */
	assert_int_equal(ff_spool_create(sp, &t, &err), FF_OK);
	assert_int_equal(write(t.fd, "partial", 7), 7);
	assert_int_equal(ff_spool_temps(sp), 1);
	add_raw(sp, 30, 3, n3);
	/* junk is ignored */
	assert_int_equal(ff_test_write(ff_test_fmt("%s/notes.txt",
	    ff_spool_dir(sp)), "x", 1), 0);
	assert_int_equal(ff_test_write(ff_test_fmt("%s/000000000001.x.ffp",
	    ff_spool_dir(sp)), "x", 1), 0);
	assert_int_equal(mkdir(ff_test_fmt("%s/000000000001.000000000-1-d0-"
	    "dir.ffp", ff_spool_dir(sp)), 0700), 0);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].name, n1);
	assert_string_equal(f[1].name, n2);
	assert_string_equal(f[2].name, n3);
	assert_int_equal(f[1].bytes, 20);
	assert_int_equal(f[1].drop_stamp, 3);
	assert_true(f[0].created > 1700000000);
	assert_non_null(strstr(n1, "-raw.ffp"));
	ff_free(f);
	/* committed files are private */
	assert_int_equal(ff_spool_path(sp, n1, path, sizeof path, &err), FF_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ff_spool_abandon(&t);
	ff_spool_abandon(&t);
	assert_int_equal(ff_spool_temps(sp), 0);
	ff_spool_close(sp);
}

static void
test_bounds_drop_oldest(void **state)
{
	ff_spool *sp = open_spool("s2", 100, 3);
	ff_spool_state st;
	ff_spool_file *f = NULL;
	char names[6][128];
	unsigned dropped, i;
	size_t n;
	ff_err err;
	int logfd = open("/dev/null", O_WRONLY);

	(void)state;
	ff_err_init(&err);
	memset(&st, 0, sizeof st);
	ff_agentlog_set_fd(logfd);
	for (i = 0; i < 5; i++)
		add_raw(sp, 10, 0, names[i]);
	/* five files, at most three */
	assert_int_equal(ff_spool_enforce(sp, &st, &dropped, &err), FF_OK);
	assert_int_equal(dropped, 2);
	assert_int_equal(st.dropped_total, 2);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].name, names[2]);
	ff_free(f);
	/* at most 100 bytes: a 90-byte file pushes two 10-byte ones out */
	add_raw(sp, 90, 0, names[5]);
	assert_int_equal(ff_spool_enforce(sp, &st, &dropped, &err), FF_OK);
	assert_int_equal(dropped, 2);
	assert_int_equal(st.dropped_total, 4);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].name, names[4]);
	assert_string_equal(f[1].name, names[5]);
	ff_free(f);
	ff_agentlog_set_fd(-1);
	close(logfd);
	ff_spool_close(sp);
}

static void
test_reject(void **state)
{
	ff_spool *sp = open_spool("s3", 1000, 2);
	char names[4][128], *why;
	ff_spool_file *f = NULL;
	size_t n;
	unsigned i;
	ff_err err;
	int logfd = open("/dev/null", O_WRONLY);

	(void)state;
	ff_err_init(&err);
	ff_agentlog_set_fd(logfd);
	for (i = 0; i < 4; i++)
		add_raw(sp, 10, 0, names[i]);
	assert_int_equal(ff_spool_reject(sp, names[0], "HTTP 413: too\nbig",
	    &err), FF_OK);
	why = ff_test_slurp(ff_test_fmt("%s/rejected/%.*s.why",
	    ff_spool_dir(sp), (int)strlen(names[0]) - 4, names[0]), NULL);
	assert_non_null(why);
	assert_string_equal(why, "HTTP 413: too?big\n");
	free(why);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 3);
	ff_free(f);
	/* rejected/ keeps at most max_files too: the oldest goes */
	for (i = 1; i < 4; i++)
		assert_int_equal(ff_spool_reject(sp, names[i], "HTTP 400: bad",
		    &err), FF_OK);
	assert_int_equal(ff_spool_list(sp, "rejected", &f, &n, &err), FF_OK);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].name, names[2]);
	ff_free(f);
	assert_int_equal(access(ff_test_fmt("%s/rejected/%.*s.why",
	    ff_spool_dir(sp), (int)strlen(names[0]) - 4, names[0]), F_OK), -1);
	ff_agentlog_set_fd(-1);
	close(logfd);
	ff_spool_close(sp);
}

/* When the reason cannot be written next to it (here a directory holds
 * its name; in life the disk is full), a refused profile still leaves
 * the queue: else it would block every upload after it. */
static void
test_reject_without_reason(void **state)
{
	ff_spool *sp = open_spool("s3b", 1000, 10);
	char name[128];
	ff_spool_file *f = NULL;
	size_t n;
	ff_err err;
	int logfd = open("/dev/null", O_WRONLY);

	(void)state;
	ff_err_init(&err);
	ff_agentlog_set_fd(logfd);
	add_raw(sp, 10, 0, name);
	assert_int_equal(mkdir(ff_test_fmt("%s/rejected/%.*s.why",
	    ff_spool_dir(sp), (int)strlen(name) - 4, name), 0700), 0);
	assert_int_equal(ff_spool_reject(sp, name, "HTTP 400: bad", &err),
	    FF_OK);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 0);
	ff_free(f);
	assert_int_equal(ff_spool_list(sp, "rejected", &f, &n, &err), FF_OK);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].name, name);
	ff_free(f);
	ff_agentlog_set_fd(-1);
	close(logfd);
	ff_spool_close(sp);
}

/* A writer killed in the middle of a profile leaves a temp file that is
 * never listed and is cleaned once the writer is gone. */
static void
test_killed_writer(void **state)
{
	ff_spool *sp = open_spool("s4", 1 << 20, 100);
	ff_spool_file *f = NULL;
	ff_spool_tmp mine;
	size_t n;
	pid_t pid;
	int status;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	if ((pid = fork()) == 0) {
		ff_spool_tmp t;

		if (ff_spool_create(sp, &t, NULL) != FF_OK)
			_exit(1);
		(void)!write(t.fd, "\x28\xb5\x2f\xfd half a profile", 19);
		raise(SIGKILL);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(ff_spool_create(sp, &mine, &err), FF_OK);
	/* a live writer's temp (pid 1 exists) is kept too */
	assert_int_equal(ff_test_write(ff_test_fmt("%s/.tmp-1-abcdef",
	    ff_spool_dir(sp)), "x", 1), 0);
	assert_int_equal(ff_spool_temps(sp), 3);
	assert_int_equal(ff_spool_list(sp, NULL, &f, &n, &err), FF_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ff_spool_clean(sp), 1);
	assert_int_equal(ff_spool_temps(sp), 2);
	ff_spool_abandon(&mine);
	ff_spool_close(sp);
}

static void
test_state(void **state)
{
	ff_spool *sp = open_spool("s5", 1 << 20, 100);
	ff_spool_state a, b;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_spool_state_load(sp, &a, &err), FF_OK);
	assert_int_equal(a.dropped_total, 0);
	assert_int_equal(a.last_success, 0);
	a.dropped_total = 7;
	a.dropped_reported = 4;
	a.last_success = 1795291200;
	a.last_attempt = 1795291260;
	a.uploaded_total = 12;
	snprintf(a.last_error, sizeof a.last_error, "HTTP 503: busy\nnow");
	assert_int_equal(ff_spool_state_save(sp, &a, &err), FF_OK);
	assert_int_equal(ff_spool_state_load(sp, &b, &err), FF_OK);
	assert_int_equal(b.dropped_total, 7);
	assert_int_equal(b.dropped_reported, 4);
	assert_int_equal(b.last_success, 1795291200);
	assert_int_equal(b.uploaded_total, 12);
	assert_string_equal(b.last_error, "HTTP 503: busy?now");
	assert_int_equal(ff_spool_state_unreported(&b), 3);
	b.dropped_reported = 9;
	assert_int_equal(ff_spool_state_unreported(&b), 0);
	/* corrupt: reported, and read as zero */
	assert_int_equal(ff_test_write(ff_test_fmt("%s/.state",
	    ff_spool_dir(sp)), "dropped_total -3\n", 17), 0);
	assert_int_equal(ff_spool_state_load(sp, &b, &err), FF_ERR_PARSE);
	assert_int_equal(b.dropped_total, 0);
	assert_int_equal(ff_test_write(ff_test_fmt("%s/.state",
	    ff_spool_dir(sp)), "garbage", 7), 0);
	assert_int_equal(ff_spool_state_load(sp, &b, &err), FF_ERR_PARSE);
	/* unknown keys from a later version are fine */
	assert_int_equal(ff_test_write(ff_test_fmt("%s/.state",
	    ff_spool_dir(sp)), "future 1\ndropped_total 2\n", 25), 0);
	assert_int_equal(ff_spool_state_load(sp, &b, &err), FF_OK);
	assert_int_equal(b.dropped_total, 2);
	ff_spool_close(sp);
}

/* ff_spool_put: a valid .ffp whose labels carry the unreported drops. */
static void
test_put(void **state)
{
	static const char folded[] = "a;b 3\na;c 4\n";
	ff_spool *sp = open_spool("s6", 1 << 20, 100);
	ff_spool_state st;
	ff_intern *frames = ff_intern_new(), *frames2 = ff_intern_new();
	ff_stacks *s = NULL, *back = NULL;
	ff_src *src = NULL;
	ff_meta m, got;
	char name[128], path[4096];
	ff_err err;

	(void)state;
	ff_err_init(&err);
	ff_meta_init(&m);
	ff_meta_init(&got);
	assert_int_equal(ff_src_open_mem(&src, folded, strlen(folded), "x",
	    NULL, &err), FF_OK);
	assert_int_equal(ff_fold_load_src(&s, frames, src, 1, NULL, &err),
	    FF_OK);
	ff_src_close(src);
	assert_int_equal(ff_meta_set(&m, &m.host, "h1", &err), FF_OK);
	assert_int_equal(ff_meta_set(&m, &m.build, "b1", &err), FF_OK);
	assert_int_equal(ff_meta_set(&m, &m.type, "cpu", &err), FF_OK);
	assert_int_equal(ff_meta_add_event(&m, "samples", 0, &err), FF_OK);
	memset(&st, 0, sizeof st);
	st.dropped_total = 5;
	st.dropped_reported = 2;
	assert_int_equal(ff_spool_state_save(sp, &st, &err), FF_OK);
	assert_int_equal(ff_spool_put(sp, &m, s, 3, "cpu/../x", name,
	    sizeof name, &err), FF_OK);
	assert_non_null(strstr(name, "-d5-cpu..x.ffp"));
	assert_int_equal(ff_spool_path(sp, name, path, sizeof path, &err),
	    FF_OK);
	assert_int_equal(ff_ffp_read_file(path, NULL, frames2, &got, &back,
	    NULL, &err), FF_OK);
	assert_string_equal(ff_meta_label(&got, "dropped_since_last"), "3");
	assert_int_equal(ff_stacks_count(back), 2);
	ff_stacks_free(back);
	ff_stacks_free(s);
	ff_meta_free(&m);
	ff_meta_free(&got);
	ff_intern_free(frames);
	ff_intern_free(frames2);
	ff_spool_close(sp);
}

static void
test_open_errors(void **state)
{
	ff_spool *sp = NULL;
	ff_err err;
	const char *file = ff_test_fmt("%s/plainfile", ff_test_tmpdir());

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_spool_open(&sp, "/nonexistent/a/b", 1, 1, &err),
	    FF_ERR_IO);
	assert_null(sp);
	assert_non_null(strstr(err.msg, "cannot create the spool"));
	assert_int_equal(ff_test_write(file, "x", 1), 0);
	assert_int_equal(ff_spool_open(&sp, file, 1, 1, &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "not a directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_list),
		cmocka_unit_test(test_bounds_drop_oldest),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_reject_without_reason),
		cmocka_unit_test(test_killed_writer),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
