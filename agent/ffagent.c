/*
 * ffagent.c -- the agent's main: a table of subcommands.
 *
 * Each subcommand lives in its own agent/cmd_<name>.c as
 * `int ff_<noun>_main(int argc, char **argv)` (argv[0] is the subcommand
 * name), parses its own arguments, prints its own --help and returns its
 * exit status.  Adding one is one line in `commands` below.
 */
#include "agent/agentcmd.h"
#include "agent/collapse.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "collapse", ff_collapse_main,
	    "profiler text (perf, DTrace, pmcstat, procstat) to folded stacks" },
	{ "run", ff_run_main, "profile this machine as configured and upload" },
	{ "push", ff_push_main, "spool folded stacks as a profile and upload" },
	{ "pack", ff_pack_main, "write folded stacks as a profile file" },
	{ "flush", ff_flush_main, "upload the profiles waiting in the spool" },
	{ "status", ff_status_main, "show the spool and the last uploads" },
};

enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void
usage(FILE *out)
{
	size_t i;

	fputs("usage: ffagent COMMAND [options] [arguments]\n"
	    "       ffagent COMMAND --help\n"
	    "       ffagent --version\n\n"
	    "flamefleet's agent: collects profiles on a server and ships "
	    "them to the store.\n\nCommands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fputs("\nExit status: 2 for a usage error here; each command "
	    "documents its own.\n", out);
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0 &&
		    (c = find(argv[2])) != NULL) {
			char *help[] = { argv[2], "--help", NULL };

			return c->main(2, help);
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ffagent %s\n", FF_VERSION);
		return 0;
	}
	if ((c = find(argv[1])) == NULL) {
		fprintf(stderr, "ffagent: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return c->main(argc - 1, argv + 1);
}
