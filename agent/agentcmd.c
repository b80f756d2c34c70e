/*
 * agentcmd.c -- helpers shared by the agent's commands (see agentcmd.h).
 */
#include "agent/agentcmd.h"
#include "agent/agentlog.h"
#include "agent/flush.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

const char ff_agentcmd_exit_help[] =
"Exit status:\n"
"  0  every profile was uploaded (or there was nothing to upload)\n"
"  1  some profiles were kept in the spool for the next run (store down,\n"
"     deadline reached, spool busy) or were refused and moved to\n"
"     rejected/\n"
"  2  usage or configuration error\n"
"  3  a profiler command failed, or its profile could not be written to\n"
"     the spool (e.g. disk full) (run only)\n";

int
ff_agentcmd_valued(int argc, char **argv, int *i, const char *name,
    const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}

int
ff_agentcmd_verbosity(const char *arg)
{
	if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)
		ff_agentlog_set_level(FF_AGENTLOG_ERROR);
	else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0)
		ff_agentlog_set_level(ff_agentlog_get_level() <
		    FF_AGENTLOG_INFO ? FF_AGENTLOG_INFO : FF_AGENTLOG_DEBUG);
	else if (strcmp(arg, "-vv") == 0)
		ff_agentlog_set_level(FF_AGENTLOG_DEBUG);
	else
		return 0;
	return 1;
}

int
ff_agentcmd_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "ffagent %s: %s\nTry 'ffagent %s --help'.\n", cmd, msg,
	    cmd);
	return FF_AGENTCMD_USAGE;
}

void
ff_agentcmd_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int
ff_agentcmd_load(ff_agentconf *c, const char *path)
{
	ff_err err;

	ff_err_init(&err);
	if (ff_agentconf_load(c, path != NULL ? path : FF_AGENTCONF_DEFAULT,
	    &err) != FF_OK) {
		ff_agentlog_error("%s", ff_err_msg(&err));
		return FF_AGENTCMD_USAGE;
	}
	return FF_AGENTCMD_OK;
}

int
ff_agentcmd_open_spool(const ff_agentconf *c, ff_spool **sp)
{
	ff_err err;

	ff_err_init(&err);
	if (ff_spool_open(sp, c->spool_dir, c->spool_max_bytes,
	    c->spool_max_files, &err) != FF_OK) {
		ff_agentlog_error("%s", ff_err_msg(&err));
		return FF_AGENTCMD_USAGE;
	}
	return FF_AGENTCMD_OK;
}

int
ff_agentcmd_lock(ff_spool *sp, ff_lockfile **lock, long *holder)
{
	char path[4096];
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	*holder = 0;
	if ((rc = ff_spool_path(sp, ".lock", path, sizeof path, &err)) ==
	    FF_OK)
		rc = ff_lockfile_take(lock, path, holder, &err);
	if (rc == FF_ERR_BUSY)
		return -1;
	if (rc != FF_OK) {
		ff_agentlog_error("%s", ff_err_msg(&err));
		return FF_AGENTCMD_USAGE;
	}
	return FF_AGENTCMD_OK;
}

static void
summary(const ff_agentconf *c, const ff_flush_summary *s)
{
	if (s->uploaded + s->rejected + s->kept == 0)
		ff_agentlog_info("nothing to upload");
	else
		ff_agentlog_info("%u profiles uploaded to %s (%llu bytes, %u "
		    "already there), %u rejected, %u kept for later",
		    s->uploaded, c->server, (unsigned long long)s->bytes,
		    s->duplicates, s->rejected, s->kept);
}

int
ff_agentcmd_flush(const ff_agentconf *c, ff_spool *sp)
{
	ff_flush_summary s;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	rc = ff_flush_spool(c, sp, NULL, &s, &err);
	if (rc != FF_OK) {
		ff_agentlog_error("%s%s", ff_err_msg(&err), s.kept > 0 ?
		    " (profiles kept for the next run)" : "");
		return rc == FF_ERR_USAGE ? FF_AGENTCMD_USAGE :
		    FF_AGENTCMD_KEPT;
	}
	summary(c, &s);
	return ff_flush_exit_status(&s);
}
