/*
 * cmd.h -- ffreport's subcommands.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status.  They parse options
 * and call the report library; ffreport.c dispatches to them.
 */
#ifndef FF_CMD_H
#define FF_CMD_H

/* ffreport flamegraph: folded stacks to an SVG flame graph. */
int ff_cmd_flamegraph(int argc, char **argv);

#endif
