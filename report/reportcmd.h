/*
 * reportcmd.h -- ffreport's subcommands.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status.  They parse options
 * and call the report library; ffreport.c dispatches to them.
 */
#ifndef FF_REPORTCMD_H
#define FF_REPORTCMD_H

/* ffreport flamegraph: folded stacks to an SVG flame graph. */
int ff_cmd_flamegraph(int argc, char **argv);

/* ffreport html: a verdict (ffdiff --json) to the HTML report. */
int ff_cmd_html(int argc, char **argv);

#endif
