/*
 * agenttest.c -- the fake store for the agent's tests (see agenttest.h).
 */
#include "agenttest.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int serial;
static pid_t running[64];

/* Stop every fake still running when the test program ends (a failed
 * assertion skips the test's own ff_fake_stop). */
static void
stop_all(void)
{
	int i, status;

	for (i = 0; i < 64; i++)
		if (running[i] > 0) {
			kill(running[i], SIGTERM);
			waitpid(running[i], &status, 0);
			running[i] = 0;
		}
}

static void
remember(pid_t pid, pid_t old)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(stop_all);
		registered = 1;
	}
	for (i = 0; i < 64; i++)
		if (running[i] == old) {
			running[i] = pid;
			return;
		}
}

int
ff_fake_start(ff_fake *f, const char *args)
{
	const char *bin = ff_test_build("bin/ff_fakestore");
	char cmd[2048], *port = NULL;
	struct timespec tick = { 0, 20000000L };
	int i;

	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s/fake%d", ff_test_tmpdir(),
	    ++serial);
	if (ff_test_run(ff_test_fmt("mkdir -p '%s'", f->dir), NULL, NULL) != 0)
		return -1;
	snprintf(cmd, sizeof cmd, "exec '%s' --port-file '%s/port' --log "
	    "'%s/log' --idle 300 %s >'%s/out' 2>&1", bin, f->dir, f->dir, args,
	    f->dir);
	if ((f->pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	remember(f->pid, 0);
	for (i = 0; i < 500 && port == NULL; i++) {
		int status;

		if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
			remember(0, f->pid);
			f->pid = 0;   /* it died: no such program? */
			return -1;
		}
		nanosleep(&tick, NULL);
		port = ff_test_slurp(ff_test_fmt("%s/port", f->dir), NULL);
	}
	if (port == NULL) {
		ff_fake_stop(f);
		return -1;
	}
	f->port = (unsigned)atoi(port);
	free(port);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", f->port);
	return 0;
}

void
ff_fake_stop(ff_fake *f)
{
	int status;

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, &status, 0);
		remember(0, f->pid);
	}
	f->pid = 0;
}

char *
ff_fake_log(const ff_fake *f)
{
	char *log = ff_test_slurp(ff_test_fmt("%s/log", f->dir), NULL);

	return log != NULL ? log : calloc(1, 1);
}

unsigned
ff_fake_count(const ff_fake *f, int status)
{
	char *log = ff_fake_log(f), *line, *save = NULL;
	unsigned n = 0;
	int st;

	for (line = strtok_r(log, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%*s %*s %*s %*s %d", &st) == 1 &&
		    st == status)
			n++;
	free(log);
	return n;
}

unsigned
ff_fake_connections(const ff_fake *f)
{
	char *log = ff_fake_log(f), *line, *save = NULL;
	unsigned seen[1024], n = 0, c, i;

	for (line = strtok_r(log, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%*s %u", &c) != 1)
			continue;
		for (i = 0; i < n && seen[i] != c; i++)
			;
		if (i == n && n < 1024)
			seen[n++] = c;
	}
	free(log);
	return n;
}
