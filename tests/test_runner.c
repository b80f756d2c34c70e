/*
 * test_runner.c -- commands in their own process group: output, exit
 * statuses, environment, and the timeout killing the whole group (a
 * hanging profiler, a child that ignores SIGTERM, a grandchild that keeps
 * the pipe open).  Bounds are generous: no timing assertions beyond
 * "well before forever".
 */
#include "testutil.h"

#include "agent/runner.h"
#include "profile/mem.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read everything from the runner; returns the bytes read. */
static size_t
read_all(ff_runner *r, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t got;

	for (;;) {
		got = read(ff_runner_fd(r), buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || n + (size_t)got >= cap - 1)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	return n;
}

static int
gone_or_zombie(long pid)
{
	char *out = NULL;
	int st, i, r = 0;

	for (i = 0; i < 50 && !r; i++) {
		if (kill((pid_t)pid, 0) != 0)
			return 1;
		st = ff_test_run(ff_test_fmt("ps -o stat= -p %ld", pid), &out,
		    NULL);
		r = st != 0 || out == NULL || out[0] == '\0' ||
		    strchr(out, 'Z') != NULL;
		free(out);
		if (!r)
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
	}
	return r;
}

static void
test_output_and_status(void **state)
{
	const char *env[] = { "FF_PROFILE=cpu", "HOME=/elsewhere", NULL };
	char buf[4096];
	ff_runner *r = NULL;
	ff_runner_status st;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_runner_start(&r, "echo \"$FF_PROFILE $HOME\"; "
	    "read x || echo stdin-empty; exit 3", env, 10, &err), FF_OK);
	read_all(r, buf, sizeof buf);
	assert_string_equal(buf, "cpu /elsewhere\nstdin-empty\n");
	assert_int_equal(ff_runner_wait(r, &st, &err), FF_OK);
	assert_true(st.exited);
	assert_int_equal(st.code, 3);
	assert_false(st.timed_out);
	assert_false(ff_runner_ok(&st));
	ff_runner_describe(&st, 10, buf, sizeof buf);
	assert_string_equal(buf, "exited with status 3");
	ff_runner_free(r);
}

static void
test_killed_by_signal(void **state)
{
	char buf[128];
	ff_runner *r = NULL;
	ff_runner_status st;

	(void)state;
	assert_int_equal(ff_runner_start(&r, "kill -9 $$", NULL, 10, NULL),
	    FF_OK);
	assert_int_equal(ff_runner_wait(r, &st, NULL), FF_OK);
	assert_int_equal(st.signo, SIGKILL);
	ff_runner_describe(&st, 10, buf, sizeof buf);
	assert_string_equal(buf, "was killed by signal 9");
	ff_runner_free(r);
}

/* A profiler that hangs is killed, with its process group, at the
 * timeout: the reader sees end of input. */
static void
test_hanging_command_is_killed(void **state)
{
	const char *pidfile = ff_test_fmt("%s/grandchild.pid",
	    ff_test_tmpdir());
	char buf[256], *text;
	ff_runner *r = NULL;
	ff_runner_status st;
	double t0 = now_s(), took;
	long gc;

	(void)state;
	assert_int_equal(ff_runner_start(&r, ff_test_fmt("echo started; "
	    "sleep 300 & echo $! > %s; wait", pidfile), NULL, 1, NULL),
	    FF_OK);
	read_all(r, buf, sizeof buf);
	assert_string_equal(buf, "started\n");
	assert_int_equal(ff_runner_wait(r, &st, NULL), FF_OK);
	took = now_s() - t0;
	assert_true(st.timed_out);
	assert_false(ff_runner_ok(&st));
	ff_runner_describe(&st, 1, buf, sizeof buf);
	assert_string_equal(buf, "timed out after 1 s and was killed");
	assert_true(took < 30);
	text = ff_test_slurp(pidfile, NULL);
	gc = atol(text);
	free(text);
	assert_true(gc > 0);
	ff_runner_free(r);
	/* the grandchild (in the group) is gone too, or a zombie waiting
	 * for init to reap it */
	assert_true(gone_or_zombie(gc));
}

/* SIGTERM ignored: SIGKILL follows. */
static void
test_sigterm_ignored(void **state)
{
	char buf[64];
	ff_runner *r = NULL;
	ff_runner_status st;
	double t0 = now_s();

	(void)state;
	assert_int_equal(ff_runner_start(&r, "trap '' TERM; echo x; "
	    "while :; do sleep 1; done", NULL, 1, NULL), FF_OK);
	read_all(r, buf, sizeof buf);
	assert_int_equal(ff_runner_wait(r, &st, NULL), FF_OK);
	assert_true(st.timed_out);
	assert_true(now_s() - t0 < 30);
	ff_runner_free(r);
}

/* A process that left the group but holds the pipe cannot block the
 * reader past the timeout and the two grace periods. */
static void
test_escaped_pipe_holder(void **state)
{
	const char *pidfile = ff_test_fmt("%s/escaped.pid", ff_test_tmpdir());
	char buf[64], *text;
	ff_runner *r = NULL;
	ff_runner_status st;
	double t0 = now_s();
	long pid;

	(void)state;
	/* setsid(1) (Linux) or perl (FreeBSD) leaves the group. */
	if (ff_test_run("command -v setsid >/dev/null || command -v perl "
	    ">/dev/null", NULL, NULL) != 0)
		skip();
	assert_int_equal(ff_runner_start(&r, ff_test_fmt("if command -v "
	    "setsid >/dev/null; then setsid sleep 60 & else perl -e "
	    "'setpgrp(0, 0); exec @ARGV' sleep 60 & fi; echo $! > %s; "
	    "sleep 60", pidfile), NULL, 1, NULL), FF_OK);
	read_all(r, buf, sizeof buf);
	assert_int_equal(ff_runner_wait(r, &st, NULL), FF_OK);
	assert_true(st.timed_out);
	assert_true(now_s() - t0 < 30);
	ff_runner_free(r);
	text = ff_test_slurp(pidfile, NULL);
	if (text != NULL && (pid = atol(text)) > 0)
		kill((pid_t)pid, SIGKILL);
	free(text);
}

static void
test_free_kills_a_running_command(void **state)
{
	ff_runner *r = NULL;
	double t0 = now_s();

	(void)state;
	assert_int_equal(ff_runner_start(&r, "sleep 300", NULL, 300, NULL),
	    FF_OK);
	ff_runner_free(r);
	assert_true(now_s() - t0 < 30);
	/* and the SIGALRM handler is gone with it */
	assert_int_equal(ff_runner_start(&r, "true", NULL, 5, NULL), FF_OK);
	ff_runner_free(r);
}

static void
test_capture(void **state)
{
	char *out = NULL;
	size_t len = 0;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_runner_capture("printf 'a=1\\nb=2\\n'", NULL, 10,
	    100, &out, &len, &err), FF_OK);
	assert_string_equal(out, "a=1\nb=2\n");
	assert_int_equal(len, 8);
	ff_free(out);
	assert_int_equal(ff_runner_capture("yes", NULL, 10, 1000, &out, &len,
	    &err), FF_ERR_LIMIT);
	assert_null(out);
	assert_non_null(strstr(err.msg, "more than 1000 bytes"));
	assert_int_equal(ff_runner_capture("echo x; exit 1", NULL, 10, 100,
	    &out, &len, &err), FF_ERR_IO);
	assert_string_equal(err.msg, "exited with status 1");
	assert_int_equal(ff_runner_capture("/nonexistent/cmd", NULL, 10, 100,
	    &out, &len, &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "127"));
	assert_int_equal(ff_runner_capture("sleep 100", NULL, 1, 100, &out,
	    &len, &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "timed out"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_hanging_command_is_killed),
		cmocka_unit_test(test_sigterm_ignored),
		cmocka_unit_test(test_escaped_pipe_holder),
		cmocka_unit_test(test_free_kills_a_running_command),
		cmocka_unit_test(test_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
