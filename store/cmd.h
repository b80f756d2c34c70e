/*
 * cmd.h -- ffstore's subcommands and the helpers they share.
 *
 * Each ff_cmd_<name> gets the subcommand's own argv (argv[0] is its name)
 * and returns the exit status: 0 success, 1 failure (bad files, a failed
 * check), 2 usage error.  --help prints the subcommand's usage on stdout.
 */
#ifndef FF_CMD_H
#define FF_CMD_H

#include "profile/err.h"
#include "store/sel.h"

#include <stdint.h>
#include <stdio.h>

#define FF_CMD_PROG "ffstore"

int ff_cmd_serve(int argc, char **argv);
int ff_cmd_load(int argc, char **argv);
int ff_cmd_builds(int argc, char **argv);
int ff_cmd_ls(int argc, char **argv);
int ff_cmd_export(int argc, char **argv);
int ff_cmd_funcs(int argc, char **argv);
int ff_cmd_prune(int argc, char **argv);
int ff_cmd_check(int argc, char **argv);
int ff_cmd_stats(int argc, char **argv);
int ff_cmd_backup(int argc, char **argv);

/* Print "ffstore: message" on stderr; returns 1 (or 2 for FF_ERR_USAGE)
 * as an exit status. */
int ff_cmd_fail(const ff_err *err);

/* "ffstore SUB: msg" for a usage error, then "try --help"; returns 2. */
int ff_cmd_usage_error(const char *sub, const char *fmt, ...)
	FF_PRINTF(2, 3);

/* A byte size: digits with an optional K, M or G suffix (powers of 1024). */
ff_rc ff_cmd_size(const char *s, uint64_t *out, ff_err *err) FF_WUR;

/* An unsigned integer in [lo, hi]. */
ff_rc ff_cmd_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
    ff_err *err) FF_WUR;

/* The common selection options (--build, --host, --type, --since,
 * --until, --label K=V): 1 when opt was one of them and was applied. */
enum {
	FF_CMD_OPT_BUILD = 0x100, FF_CMD_OPT_HOST, FF_CMD_OPT_TYPE,
	FF_CMD_OPT_SINCE, FF_CMD_OPT_UNTIL, FF_CMD_OPT_LABEL
};
#define FF_CMD_SEL_OPTIONS \
	{ "build", required_argument, NULL, FF_CMD_OPT_BUILD }, \
	{ "host", required_argument, NULL, FF_CMD_OPT_HOST }, \
	{ "type", required_argument, NULL, FF_CMD_OPT_TYPE }, \
	{ "since", required_argument, NULL, FF_CMD_OPT_SINCE }, \
	{ "until", required_argument, NULL, FF_CMD_OPT_UNTIL }, \
	{ "label", required_argument, NULL, FF_CMD_OPT_LABEL }
#define FF_CMD_SEL_HELP \
	"  --build B        profiles of build B\n" \
	"  --host GLOB      hosts matching GLOB (*, ?, [...])\n" \
	"  --type T         profiles of type T (cpu, cpi, offcpu, ...)\n" \
	"  --since TIME     started at or after TIME (RFC 3339, -24h, now)\n" \
	"  --until TIME     started before TIME\n" \
	"  --label K=V      with label K equal to V (repeatable)\n"
ff_rc ff_cmd_sel_opt(ff_sel *sel, int opt, const char *arg, int *handled,
    ff_err *err) FF_WUR;

#endif
