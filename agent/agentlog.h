/*
 * agentlog.h -- the agent's one-line messages on stderr.
 *
 * Every message is one line, "ffagent: text", written with a single
 * write(2) so lines from concurrent agents never interleave, with control
 * characters replaced by '?' (text from servers, commands and files is
 * copied into messages, and must not forge log lines).  No colours, no
 * time stamps: cron, syslog and journald add their own.
 *
 * Levels: errors are always printed; warnings unless -q; info with -v;
 * debug with -vv.  The state is process-wide (the agent is one thread).
 */
#ifndef FF_AGENTLOG_H
#define FF_AGENTLOG_H

#include "profile/err.h"

#include <stddef.h>

typedef enum ff_agentlog_level {
	FF_AGENTLOG_ERROR = 0,
	FF_AGENTLOG_WARN = 1,
	FF_AGENTLOG_INFO = 2,
	FF_AGENTLOG_DEBUG = 3
} ff_agentlog_level;

/* Longest line written, newline included; longer ones are cut. */
#define FF_AGENTLOG_LINE_MAX 1024u

/* Print messages up to `level` (default FF_AGENTLOG_WARN). */
void ff_agentlog_set_level(ff_agentlog_level level);
ff_agentlog_level ff_agentlog_get_level(void);

/* Write to fd instead of stderr (tests); -1 restores stderr. */
void ff_agentlog_set_fd(int fd);

/* Whether a message of `level` would be printed. */
int ff_agentlog_enabled(ff_agentlog_level level);

void ff_agentlog_error(const char *fmt, ...) FF_PRINTF(1, 2);
void ff_agentlog_warn(const char *fmt, ...) FF_PRINTF(1, 2);
void ff_agentlog_info(const char *fmt, ...) FF_PRINTF(1, 2);
void ff_agentlog_debug(const char *fmt, ...) FF_PRINTF(1, 2);

/* Copy src[0..len) into dst[0..cap) (cap > 0) as one printable line:
 * control characters become '?', the copy is cut to fit and always
 * NUL-terminated.  Returns dst. */
char *ff_agentlog_clean(char *dst, size_t cap, const char *src, size_t len);

#endif
