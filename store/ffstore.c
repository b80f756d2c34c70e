/*
 * ffstore.c -- the store's command line: one table of subcommands.
 */
#include "store/cmd.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "serve", ff_cmd_serve, "run the HTTP ingest and query server" },
	{ "load", ff_cmd_load, "store profile files" },
	{ "builds", ff_cmd_builds, "list builds with host and profile counts" },
	{ "ls", ff_cmd_ls, "list profiles of a selection" },
	{ "export", ff_cmd_export, "print the summed folded profile of a "
	    "selection" },
	{ "funcs", ff_cmd_funcs, "print each profile's function values" },
	{ "prune", ff_cmd_prune, "delete old profiles and reclaim space" },
	{ "check", ff_cmd_check, "check the database's integrity" },
	{ "stats", ff_cmd_stats, "rows, bytes per row, frames, stacks" },
	{ "backup", ff_cmd_backup, "write a consistent copy (VACUUM INTO)" },
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ffstore COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'ffstore COMMAND --help' describes a command's "
	    "options.\n");
}

/* Profiles are parsed one after another into buffers of a few megabytes;
 * glibc would give each back to the kernel and fault it in again. */
static void
tune_malloc(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int
main(int argc, char **argv)
{
	size_t i;

	tune_malloc();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ffstore %s\n", FF_VERSION);
		return 0;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ffstore: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
