/*
 * runner.c -- a command in its own process group, with a timeout that
 * kills the group (see runner.h).
 */
#include "agent/runner.h"
#include "profile/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct ff_runner {
	pid_t pid;            /* 0 once reaped */
	int fd;               /* read end of the pipe */
	int devnull;          /* for the last stage of the timeout */
	unsigned timeout_s;
	int armed;            /* SIGALRM is ours */
	struct sigaction old; /* SIGALRM before us */
	char **envp;
	ff_runner_status st;
};

/* The timeout's state, shared with the SIGALRM handler. */
static volatile sig_atomic_t alarm_pgid;
static volatile sig_atomic_t alarm_stage;
static volatile sig_atomic_t alarm_fd = -1;
static volatile sig_atomic_t alarm_devnull = -1;
static volatile sig_atomic_t alarm_busy;

static void
on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	switch (alarm_stage) {
	case 0:
		kill(-(pid_t)alarm_pgid, SIGTERM);
		alarm(FF_RUNNER_GRACE_S);
		break;
	case 1:
		kill(-(pid_t)alarm_pgid, SIGKILL);
		alarm(FF_RUNNER_GRACE_S);
		break;
	case 2:
		if (alarm_fd >= 0 && alarm_devnull >= 0)
			dup2(alarm_devnull, alarm_fd);
		break;
	default:
		break;
	}
	alarm_stage++;
	errno = saved;
}

/* environ plus env, where env's names replace environ's. */
static char **
make_envp(const char *const *env)
{
	size_t n = 0, m = 0, i, j, k = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	while (env != NULL && env[m] != NULL)
		m++;
	if ((envp = ff_reallocarray(NULL, n + m + 1, sizeof *envp)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq != NULL ? (size_t)(eq - environ[i]) : 0;

		for (j = 0; j < m; j++)
			if (strncmp(env[j], environ[i], len) == 0 &&
			    env[j][len] == '=')
				break;
		if (j == m)
			envp[k++] = environ[i];
	}
	for (j = 0; j < m; j++)
		envp[k++] = (char *)env[j];
	envp[k] = NULL;
	return envp;
}

/* In the child: only async-signal-safe calls until execve. */
static void
child(const char *command, int pipe_r, int pipe_w, int devnull,
    char **envp)
{
	char *argv[4];
	sigset_t none;
	struct sigaction dfl;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGALRM, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(pipe_w, STDOUT_FILENO) < 0)
		_exit(127);
	close(pipe_r);
	close(pipe_w);
	close(devnull);
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)command;
	argv[3] = NULL;
	execve("/bin/sh", argv, envp);
	_exit(127);
}

static ff_rc
open_fds(ff_runner *r, int p[2], ff_err *err)
{
	if ((r->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "/dev/null");
	if (pipe(p) != 0)
		return ff_err_errno(err, errno, "pipe");
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return FF_OK;
}

static void
arm(ff_runner *r)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: see stage 2 */
	alarm_pgid = (sig_atomic_t)r->pid;
	alarm_stage = 0;
	alarm_fd = r->fd;
	alarm_devnull = r->devnull;
	sigaction(SIGALRM, &sa, &r->old);
	r->armed = 1;
	alarm_busy = 1;
	alarm(r->timeout_s);
}

ff_rc
ff_runner_start(ff_runner **out, const char *command, const char *const *env,
    unsigned timeout_s, ff_err *err)
{
	ff_runner *r;
	int p[2] = { -1, -1 };
	ff_rc rc;

	*out = NULL;
	if (alarm_busy)
		return ff_err_set(err, FF_ERR_INTERNAL, "a command is already "
		    "running");
	if ((r = ff_calloc(1, sizeof *r)) == NULL)
		return ff_err_nomem(err);
	r->fd = r->devnull = -1;
	r->timeout_s = timeout_s > 0 ? timeout_s : 1;
	if ((rc = open_fds(r, p, err)) != FF_OK)
		goto out;
	if ((r->envp = make_envp(env)) == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((r->pid = fork()) < 0) {
		r->pid = 0;
		rc = ff_err_errno(err, errno, "fork");
		goto out;
	}
	if (r->pid == 0)
		child(command, p[0], p[1], r->devnull, r->envp);
	setpgid(r->pid, r->pid);   /* also here: no race with kill */
	close(p[1]);
	p[1] = -1;
	r->fd = p[0];
	p[0] = -1;
	arm(r);
	*out = r;
	return FF_OK;
out:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	ff_runner_free(r);
	return rc;
}

int
ff_runner_fd(const ff_runner *r)
{
	return r->fd;
}

static void
drain(ff_runner *r)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(r->fd, buf, sizeof buf);
	while (n > 0 || (n < 0 && errno == EINTR));
}

ff_rc
ff_runner_wait(ff_runner *r, ff_runner_status *st, ff_err *err)
{
	int status;
	pid_t w;

	if (r->pid != 0) {
		drain(r);
		do
			w = waitpid(r->pid, &status, 0);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			return ff_err_errno(err, errno, "waitpid");
		alarm(0);
		r->st.timed_out = alarm_stage > 0;
		if (r->st.timed_out)   /* what the command left behind */
			kill(-r->pid, SIGKILL);
		r->st.exited = WIFEXITED(status);
		r->st.code = r->st.exited ? WEXITSTATUS(status) : 0;
		r->st.signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		r->pid = 0;
	}
	*st = r->st;
	return FF_OK;
}

void
ff_runner_free(ff_runner *r)
{
	ff_runner_status st;

	if (r == NULL)
		return;
	if (r->pid != 0) {
		kill(-r->pid, SIGKILL);
		if (ff_runner_wait(r, &st, NULL) != FF_OK)
			r->pid = 0;   /* waitpid failed: nothing more to do */
	}
	if (r->armed) {
		alarm(0);
		alarm_fd = -1;
		alarm_devnull = -1;
		sigaction(SIGALRM, &r->old, NULL);
		alarm_busy = 0;
	}
	if (r->fd >= 0)
		close(r->fd);
	if (r->devnull >= 0)
		close(r->devnull);
	ff_free(r->envp);
	ff_free(r);
}

int
ff_runner_ok(const ff_runner_status *st)
{
	return st->exited && st->code == 0 && !st->timed_out;
}

void
ff_runner_describe(const ff_runner_status *st, unsigned timeout_s,
    char *buf, size_t cap)
{
	if (st->timed_out)
		snprintf(buf, cap, "timed out after %u s and was killed",
		    timeout_s);
	else if (st->signo != 0)
		snprintf(buf, cap, "was killed by signal %d", st->signo);
	else if (st->exited && st->code == 127)
		snprintf(buf, cap, "exited with status 127 (command not "
		    "found?)");
	else
		snprintf(buf, cap, "exited with status %d", st->code);
}

/* Read up to max + 1 bytes (so "more than max" can be told). */
static ff_rc
collect(ff_runner *r, size_t max, char *buf, size_t *len, ff_err *err)
{
	size_t n = 0;

	while (n <= max) {
		ssize_t got = read(r->fd, buf + n, max + 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return ff_err_errno(err, errno, "reading a command's "
			    "output");
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	if (n > max)
		return ff_err_set(err, FF_ERR_LIMIT, "printed more than %zu "
		    "bytes", max);
	return FF_OK;
}

ff_rc
ff_runner_capture(const char *command, const char *const *env,
    unsigned timeout_s, size_t max, char **out, size_t *len, ff_err *err)
{
	ff_runner *r = NULL;
	ff_runner_status st;
	char *buf = NULL, how[96];
	ff_rc rc;

	*out = NULL;
	*len = 0;
	if ((buf = ff_malloc(max + 2)) == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_runner_start(&r, command, env, timeout_s, err)) != FF_OK)
		goto out;
	if ((rc = collect(r, max, buf, len, err)) != FF_OK)
		goto out;
	if ((rc = ff_runner_wait(r, &st, err)) != FF_OK)
		goto out;
	if (!ff_runner_ok(&st)) {
		ff_runner_describe(&st, timeout_s, how, sizeof how);
		rc = ff_err_set(err, FF_ERR_IO, "%s", how);
		goto out;
	}
	buf[*len] = '\0';
	*out = buf;
	buf = NULL;
out:
	ff_runner_free(r);
	ff_free(buf);
	if (rc != FF_OK)
		*len = 0;
	return rc;
}
