/*
 * cmd_run.c -- `ffagent run`: what cron calls.  Lock, splay, run each
 * configured profile into the spool, flush.  The work is in collect.c,
 * spool.c and flush.c.
 */
#include "agent/agentcmd.h"
#include "agent/agentlog.h"
#include "agent/backoff.h"
#include "agent/collect.h"
#include "profile/mem.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"usage: ffagent run [--config FILE] [--now] [--profile NAME] [-q|-v]\n"
"\n"
"Collect the profiles of the configuration and upload them; what cron\n"
"runs.  In order:\n"
"  1. take the spool's lock; when another ffagent holds it, say so and\n"
"     exit 0 (runs never overlap);\n"
"  2. sleep a random time in [0, splay_s) so a fleet started by the same\n"
"     cron minute reaches the store spread out (not with --now);\n"
"  3. for each [profile NAME]: run its command (killed with its process\n"
"     group after timeout_s), collapse its output as it streams, and\n"
"     write a profile file into spool_dir atomically;\n"
"  4. upload the spool, oldest first, retrying with backoff until\n"
"     deadline_s; what cannot be sent now stays for the next run.\n"
"\n"
"  --config FILE    the configuration (default " FF_AGENTCONF_DEFAULT ")\n"
"  --now            no random start delay\n"
"  --profile NAME   run only this profile\n"
"  -q, --quiet      errors only\n"
"  -v, --verbose    say what is done (twice: more)\n"
"  -h, --help       this text\n"
"\n"
"Messages are single lines on stderr, \"ffagent: ...\".\n"
"\n";

struct args {
	const char *config;
	const char *profile;
	int now;
};

static int
parse_args(struct args *a, int argc, char **argv)
{
	const char *v;
	int i;

	memset(a, 0, sizeof *a);
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			fputs(usage_text, stdout);
			fputs(ff_agentcmd_exit_help, stdout);
			return FF_AGENTCMD_OK;
		}
		if (strcmp(s, "--now") == 0)
			a->now = 1;
		else if (ff_agentcmd_verbosity(s))
			continue;
		else if (ff_agentcmd_valued(argc, argv, &i, "--config", &v))
			a->config = v;
		else if (ff_agentcmd_valued(argc, argv, &i, "--profile", &v))
			a->profile = v;
		else
			return ff_agentcmd_usage_error("run", "unknown option "
			    "or argument");
		if ((strncmp(s, "--config", 8) == 0 && a->config == NULL) ||
		    (strncmp(s, "--profile", 9) == 0 && a->profile == NULL))
			return ff_agentcmd_usage_error("run", "an option needs "
			    "a value");
	}
	return -1;
}

/* Run profile p into the spool.  0, or FF_AGENTCMD_PROFILER. */
static int
one_profile(const ff_agentconf *c, const ff_agentconf_profile *p,
    ff_spool *sp, const char *host, const char *build)
{
	char name[128];
	ff_intern *frames = NULL;
	ff_stacks *s = NULL;
	ff_meta meta;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&meta);
	ff_err_init(&err);
	rc = ff_collect_profile(c, p, host, build, &meta, &frames, &s, &err);
	if (rc == FF_OK)
		rc = ff_spool_put(sp, &meta, s, c->zstd_level, p->name, name,
		    sizeof name, &err);
	if (rc == FF_OK)
		ff_agentlog_info("profile %s: spooled as %s", p->name, name);
	else if (rc == FF_DONE)
		ff_agentlog_warn("%s: nothing to upload", ff_err_msg(&err));
	else
		ff_agentlog_error("%s", ff_err_msg(&err));
	ff_meta_free(&meta);
	ff_stacks_free(s);
	ff_intern_free(frames);
	return rc == FF_OK || rc == FF_DONE ? FF_AGENTCMD_OK :
	    FF_AGENTCMD_PROFILER;
}

/* Every profile (or the one asked for).  0 or FF_AGENTCMD_PROFILER. */
static int
all_profiles(const ff_agentconf *c, ff_spool *sp, const char *only)
{
	char host[256];
	char *build = NULL;
	ff_err err;
	unsigned i;
	int status = FF_AGENTCMD_OK;

	ff_err_init(&err);
	if (ff_collect_host(c, host, sizeof host, &err) != FF_OK ||
	    ff_collect_build(c, &build, &err) != FF_OK) {
		ff_agentlog_error("%s: no profiles collected",
		    ff_err_msg(&err));
		return FF_AGENTCMD_PROFILER;
	}
	for (i = 0; i < c->nprofiles; i++)
		if (only == NULL || strcmp(only, c->profiles[i].name) == 0)
			if (one_profile(c, &c->profiles[i], sp, host, build) !=
			    FF_AGENTCMD_OK)
				status = FF_AGENTCMD_PROFILER;
	ff_free(build);
	return status;
}

static void
splay(const ff_agentconf *c)
{
	ff_backoff b;
	uint64_t ms;

	ff_backoff_init(&b, ff_backoff_seed(), 1, 1);
	ms = ff_backoff_splay_ms(&b, c->splay_s);
	ff_agentlog_info("waiting %.1f s before starting (splay_s %u)",
	    (double)ms / 1000, c->splay_s);
	ff_backoff_sleep_ms(ms);
}

static int
run(const struct args *a, const ff_agentconf *c)
{
	ff_spool *sp = NULL;
	ff_lockfile *lock = NULL;
	long holder = 0;
	int st, collected;

	if ((st = ff_agentcmd_open_spool(c, &sp)) != FF_AGENTCMD_OK)
		return st;
	if ((st = ff_agentcmd_lock(sp, &lock, &holder)) != FF_AGENTCMD_OK) {
		if (st < 0)
			ff_agentlog_warn("another ffagent (pid %ld) is working "
			    "on %s; this run stops here", holder,
			    ff_spool_dir(sp));
		ff_spool_close(sp);
		return st < 0 ? FF_AGENTCMD_OK : st;
	}
	if (!a->now)
		splay(c);
	collected = all_profiles(c, sp, a->profile);
	st = ff_agentcmd_flush(c, sp);
	ff_lockfile_release(lock);
	ff_spool_close(sp);
	if (st == FF_AGENTCMD_USAGE)
		return st;
	return collected != FF_AGENTCMD_OK ? collected : st;
}

int
ff_run_main(int argc, char **argv)
{
	struct args a;
	ff_agentconf c;
	int st;

	if ((st = parse_args(&a, argc, argv)) >= 0)
		return st;
	ff_agentcmd_signals();
	ff_agentconf_init(&c);
	if ((st = ff_agentcmd_load(&c, a.config)) != FF_AGENTCMD_OK)
		return st;
	if (a.profile != NULL && ff_agentconf_find(&c, a.profile) == NULL) {
		ff_agentlog_error("%s: no [profile %s]", c.path, a.profile);
		ff_agentconf_free(&c);
		return FF_AGENTCMD_USAGE;
	}
	st = run(&a, &c);
	ff_agentconf_free(&c);
	return st;
}
