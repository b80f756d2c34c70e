/*
 * cmd_flush.c -- `ffagent flush`: upload the spool now (flush.c does it).
 */
#include "agent/agentcmd.h"
#include "agent/agentlog.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"usage: ffagent flush [--config FILE] [-q|-v]\n"
"\n"
"Upload the profiles waiting in the spool, oldest first, over one\n"
"connection.  A profile is deleted only once the store answered 2xx\n"
"(a duplicate included).  When the store cannot be reached, or answers\n"
"5xx, 408 or 429, the agent waits (exponential backoff with full jitter,\n"
"at least Retry-After) and tries again until deadline_s, then keeps the\n"
"rest for the next run.  Other 4xx answers move the profile to\n"
"spool_dir/rejected/ with the store's message in NAME.why; 401, 403,\n"
"404 and 405 (credentials or URL) stop the flush and keep everything.\n"
"When another ffagent holds the spool's lock, nothing is done (exit 1).\n"
"\n"
"  --config FILE    the configuration (default " FF_AGENTCONF_DEFAULT ")\n"
"  -q, --quiet      errors only\n"
"  -v, --verbose    say what is done\n"
"  -h, --help       this text\n"
"\n";

int
ff_flush_main(int argc, char **argv)
{
	const char *config = NULL, *v;
	ff_agentconf c;
	ff_spool *sp = NULL;
	ff_lockfile *lock = NULL;
	long holder;
	int i, st;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") ==
		    0) {
			fputs(usage_text, stdout);
			fputs(ff_agentcmd_exit_help, stdout);
			return FF_AGENTCMD_OK;
		}
		if (ff_agentcmd_verbosity(argv[i]))
			continue;
		if (!ff_agentcmd_valued(argc, argv, &i, "--config", &v) ||
		    (config = v) == NULL)
			return ff_agentcmd_usage_error("flush",
			    "unknown option, or --config without a value");
	}
	ff_agentcmd_signals();
	ff_agentconf_init(&c);
	if ((st = ff_agentcmd_load(&c, config)) != FF_AGENTCMD_OK ||
	    (st = ff_agentcmd_open_spool(&c, &sp)) != FF_AGENTCMD_OK)
		goto out;
	if ((st = ff_agentcmd_lock(sp, &lock, &holder)) < 0) {
		ff_agentlog_warn("another ffagent (pid %ld) is working on %s; "
		    "it will upload the spool", holder, ff_spool_dir(sp));
		st = FF_AGENTCMD_KEPT;
	} else if (st == FF_AGENTCMD_OK) {
		st = ff_agentcmd_flush(&c, sp);
	}
out:
	ff_lockfile_release(lock);
	ff_spool_close(sp);
	ff_agentconf_free(&c);
	return st;
}
