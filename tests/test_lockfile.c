/*
 * test_lockfile.c -- the spool lock between processes: a second taker is
 * refused with the holder's pid, and a killed holder frees the lock.
 */
#include "testutil.h"

#include "agent/lockfile.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that takes path, says so on the pipe, and waits to be killed.
 * Returns its pid. */
static pid_t
holder_child(const char *path)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		ff_lockfile *l;

		close(p[0]);
		if (ff_lockfile_take(&l, path, NULL, NULL) != FF_OK)
			_exit(1);
		(void)!write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void
test_second_taker_is_refused(void **state)
{
	const char *path = ff_test_fmt("%s/a.lock", ff_test_tmpdir());
	ff_lockfile *l = NULL;
	long holder = 0;
	pid_t pid;
	int status;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	pid = holder_child(path);
	assert_int_equal(ff_lockfile_take(&l, path, &holder, &err),
	    FF_ERR_BUSY);
	assert_null(l);
	assert_int_equal(holder, (long)pid);
	assert_non_null(strstr(err.msg, "locked by another process"));
	assert_int_equal(ff_lockfile_probe(path, &holder, &err), FF_OK);
	assert_int_equal(holder, (long)pid);
	/* a holder killed with SIGKILL leaves no stale lock */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_int_equal(ff_lockfile_probe(path, &holder, &err), FF_OK);
	assert_int_equal(holder, 0);
	assert_int_equal(ff_lockfile_take(&l, path, &holder, &err), FF_OK);
	assert_non_null(l);
	ff_lockfile_release(l);
}

static void
test_release_and_errors(void **state)
{
	const char *path = ff_test_fmt("%s/b.lock", ff_test_tmpdir());
	char *text;
	ff_lockfile *l = NULL;
	long holder = 7;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_lockfile_probe(path, &holder, &err), FF_OK);
	assert_int_equal(holder, 0);   /* no file: free */
	assert_int_equal(ff_lockfile_take(&l, path, &holder, &err), FF_OK);
	text = ff_test_slurp(path, NULL);
	assert_int_equal(atol(text), (long)getpid());
	free(text);
	ff_lockfile_release(l);
	ff_lockfile_release(NULL);
	assert_int_equal(ff_lockfile_take(&l, "/nonexistent/dir/x.lock",
	    &holder, &err), FF_ERR_IO);
	assert_null(l);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/x.lock"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_taker_is_refused),
		cmocka_unit_test(test_release_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
