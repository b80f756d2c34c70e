/*
 * agentcmd.h -- what the run, push, pack, flush and status commands share:
 * option parsing, exit statuses, loading the configuration, opening and
 * locking the spool, flushing with a summary.  Each helper logs its own
 * failure (agentlog.h) and returns the exit status to use.
 */
#ifndef FF_AGENTCMD_H
#define FF_AGENTCMD_H

#include "agent/agentconf.h"
#include "agent/lockfile.h"
#include "agent/spool.h"

/* The commands (cmd_run.c, cmd_push.c, cmd_flush.c, cmd_status.c): argv[0]
 * is the command's name; each prints its --help and returns its exit
 * status. */
int ff_run_main(int argc, char **argv);
int ff_push_main(int argc, char **argv);
int ff_pack_main(int argc, char **argv);
int ff_flush_main(int argc, char **argv);
int ff_status_main(int argc, char **argv);

/* Exit statuses of run, push, flush (and pack, status: 0 and 2). */
enum {
	FF_AGENTCMD_OK = 0,        /* everything uploaded (or nothing to do) */
	FF_AGENTCMD_KEPT = 1,      /* some profiles kept for later, or
	                            * rejected by the store */
	FF_AGENTCMD_USAGE = 2,     /* usage or configuration error */
	FF_AGENTCMD_PROFILER = 3   /* a profiler command failed */
};

/* The exit-status paragraph of every --help. */
extern const char ff_agentcmd_exit_help[];

/* "--name V" or "--name=V" at argv[*i]: 1 (and *val, NULL when missing,
 * *i moved past it) when argv[*i] is that option, else 0. */
int ff_agentcmd_valued(int argc, char **argv, int *i, const char *name,
    const char **val);

/* -q, -v, -vv: 1 when argv[i] is one of them (and applies it). */
int ff_agentcmd_verbosity(const char *arg);

/* Print "ffagent CMD: msg" and "Try ..." on stderr; returns 2. */
int ff_agentcmd_usage_error(const char *cmd, const char *msg);

/* Ignore SIGPIPE (a closed connection must not kill the agent; the
 * commands the agent runs get the default back). */
void ff_agentcmd_signals(void);

/* Load path (NULL: the default) into c; on error log it, return 2. */
int ff_agentcmd_load(ff_agentconf *c, const char *path);

/* Open the spool of c; on error log it, return 2. */
int ff_agentcmd_open_spool(const ff_agentconf *c, ff_spool **sp);

/* Take the spool's lock.  Returns 0 with *lock set, -1 when another
 * process holds it (*holder its pid), or 2 after logging an error. */
int ff_agentcmd_lock(ff_spool *sp, ff_lockfile **lock, long *holder);

/* Flush the spool (lock held) and log a summary.  Returns 0, 1 or 2. */
int ff_agentcmd_flush(const ff_agentconf *c, ff_spool *sp);

#endif
