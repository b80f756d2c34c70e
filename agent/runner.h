/*
 * runner.h -- running a profiler (or helper) command under a timeout.
 *
 * The command runs as `/bin/sh -c COMMAND` in a process group of its own,
 * with standard input from /dev/null, standard output on a pipe the
 * caller reads, standard error inherited, and extra environment
 * variables.  When the timeout passes, the whole group gets SIGTERM, then
 * SIGKILL two seconds later; two seconds after that the pipe is switched
 * to /dev/null, so a reader blocked on it sees end of input even when a
 * process that left the group still holds the pipe open.  The caller's
 * wait is therefore bounded by the timeout plus four seconds.
 *
 * The timeout uses alarm(2) and a SIGALRM handler: at most one runner may
 * exist at a time in a process, and the caller must not use alarm(2)
 * while it does.  The previous SIGALRM disposition is restored when the
 * runner is freed.
 */
#ifndef FF_RUNNER_H
#define FF_RUNNER_H

#include "profile/err.h"

#include <stddef.h>

typedef struct ff_runner ff_runner;

/* How the command ended. */
typedef struct ff_runner_status {
	int exited;     /* it called exit: code below */
	int code;       /* exit code when exited */
	int signo;      /* it was killed by this signal (0: it was not) */
	int timed_out;  /* the runner killed it at the timeout */
} ff_runner_status;

/* Seconds between SIGTERM, SIGKILL and giving up on the pipe. */
#define FF_RUNNER_GRACE_S 2u

/* Start command.  env (borrowed; may be NULL) is a NULL-terminated list
 * of "NAME=VALUE" strings added to (or replacing in) the environment.
 * timeout_s >= 1.  On error nothing is left running. */
ff_rc ff_runner_start(ff_runner **out, const char *command,
    const char *const *env, unsigned timeout_s, ff_err *err) FF_WUR;

/* The read end of the command's standard output.  Owned by the runner:
 * read it, never close it. */
int ff_runner_fd(const ff_runner *r);

/* Read and discard what is left on the pipe, then wait for the command
 * to end (the timeout still applies) and fill st.  FF_ERR_INTERNAL only
 * when waitpid fails. */
ff_rc ff_runner_wait(ff_runner *r, ff_runner_status *st, ff_err *err)
	FF_WUR;

/* Kill the group if the command was not waited for, reap it, close the
 * pipe, restore SIGALRM and free.  Accepts NULL. */
void ff_runner_free(ff_runner *r);

/* Whether st is a clean exit with code 0. */
int ff_runner_ok(const ff_runner_status *st);

/* "exited with status 2", "killed by signal 9", "timed out after 30 s"
 * into buf[0..cap). */
void ff_runner_describe(const ff_runner_status *st, unsigned timeout_s,
    char *buf, size_t cap);

/* Run command and collect its standard output: at most max bytes into
 * *out (NUL-terminated, caller frees with ff_free) and *len.  FF_OK when
 * the command exited 0; FF_ERR_LIMIT when it printed more than max bytes
 * (it is killed); FF_ERR_IO when it failed, timed out or could not be
 * started (err says how).  On error *out is NULL. */
ff_rc ff_runner_capture(const char *command, const char *const *env,
    unsigned timeout_s, size_t max, char **out, size_t *len, ff_err *err)
	FF_WUR;

#endif
