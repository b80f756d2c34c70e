/*
 * collect.h -- one profile of `ffagent run`: the build and host it
 * describes, its profiler command, the collapse of its output as it
 * streams, and its metadata.
 *
 * The command (agentconf.h: command, timeout_s) runs under runner.h with
 * these variables added to its environment, so wrapper scripts need no
 * arguments:
 *
 *   | variable       | value                                           |
 *   |----------------|-------------------------------------------------|
 *   | FF_PROFILE     | the profile's name                              |
 *   | FF_DURATION_S  | duration_s                                      |
 *   | FF_TIMEOUT_S   | timeout_s                                       |
 *   | FF_TYPE        | type                                            |
 *   | FF_FORMAT      | format (perf, dtrace, pmc, procstat, folded, auto) |
 *   | FF_EVENTS      | events as configured ("" when none)             |
 *   | FF_PERIODS     | periods as configured ("" when none)            |
 *
 * Its standard output (or the file `output` names, read after it exits)
 * is collapsed while it is produced: memory follows the distinct stacks,
 * not the size of the text.  labels_cmd runs after a successful command,
 * with the same variables, and prints "key=value" lines.
 */
#ifndef FF_COLLECT_H
#define FF_COLLECT_H

#include "agent/agentconf.h"
#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/intern.h"
#include "profile/stacks.h"

#include <stddef.h>

/* The time limit of build_cmd and labels_cmd, and their largest output. */
#define FF_COLLECT_HELPER_TIMEOUT_S 30u
#define FF_COLLECT_HELPER_MAX (64u << 10)

/* The host to record: c->host, else the system's host name. */
ff_rc ff_collect_host(const ff_agentconf *c, char *out, size_t cap,
    ff_err *err) FF_WUR;

/* The build being measured: the first line of build_cmd's output or of
 * build_file, blanks removed; 1-255 bytes of printable UTF-8.  *build is
 * freed with ff_free.  FF_ERR_IO when the command fails or the file
 * cannot be read, FF_ERR_PARSE when the line is empty or invalid. */
ff_rc ff_collect_build(const ff_agentconf *c, char **build, ff_err *err)
	FF_WUR;

/* Add the labels of labels_cmd's output text[0..len) to meta, at most
 * `room` of them: "key=value" lines (blank lines and '#' comments
 * skipped); a bad line is logged and skipped. */
void ff_collect_labels_text(ff_meta *meta, const char *text, size_t len,
    unsigned room, const char *what);

/* Run profile p and collapse its output.  On success meta is filled
 * (host, build, type, events, periods, start, duration, labels, agent)
 * and *out is a new table over *frames (new too; the caller frees both).
 * FF_DONE when the command produced no samples (nothing to spool).
 * Otherwise an error: FF_ERR_IO when the command failed or timed out,
 * FF_ERR_PARSE when its output cannot be collapsed, FF_ERR_NOMEM ... */
ff_rc ff_collect_profile(const ff_agentconf *c,
    const ff_agentconf_profile *p, const char *host, const char *build,
    ff_meta *meta, ff_intern **frames, ff_stacks **out, ff_err *err)
	FF_WUR;

#endif
