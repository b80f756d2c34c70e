/*
 * ffreport.c -- the ffreport program: a table of subcommands.
 *
 * To add one, write report/cmd_NAME.c with `int ff_cmd_NAME(int argc,
 * char **argv)`, declare it in cmd.h and add a row below.
 */
#include "report/reportcmd.h"

#include <stdio.h>
#include <string.h>

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "flamegraph", ff_cmd_flamegraph,
	  "folded stacks to an interactive SVG flame graph" },
	{ "html", ff_cmd_html,
	  "a verdict (ffdiff --json) to the HTML comparison report" },
};

#define NSUB (sizeof subcommands / sizeof subcommands[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ffreport COMMAND [OPTIONS] [ARGS...]\n\n"
	    "Commands:\n");
	for (i = 0; i < NSUB; i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name,
		    subcommands[i].summary);
	fprintf(f, "\n`ffreport COMMAND --help` describes a command.\n");
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("ffreport %s\n", FF_VERSION);
		return 0;
	}
	for (i = 0; i < NSUB; i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ffreport: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
