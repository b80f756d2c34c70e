/*
 * agentlog.c -- one-line messages on stderr (see agentlog.h).
 */
#include "agent/agentlog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static ff_agentlog_level log_level = FF_AGENTLOG_WARN;
static int log_fd = -1;

void
ff_agentlog_set_level(ff_agentlog_level level)
{
	log_level = level;
}

ff_agentlog_level
ff_agentlog_get_level(void)
{
	return log_level;
}

void
ff_agentlog_set_fd(int fd)
{
	log_fd = fd;
}

int
ff_agentlog_enabled(ff_agentlog_level level)
{
	return level <= log_level;
}

char *
ff_agentlog_clean(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i, n = len < cap - 1 ? len : cap - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
	}
	dst[n] = '\0';
	return dst;
}

static void
emit(ff_agentlog_level level, const char *fmt, va_list ap)
{
	char raw[FF_AGENTLOG_LINE_MAX], line[FF_AGENTLOG_LINE_MAX];
	int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
	size_t n, off = 0;
	int saved = errno;

	if (!ff_agentlog_enabled(level))
		return;
	vsnprintf(raw, sizeof raw - 10, fmt, ap);
	n = strlen("ffagent: ");
	memcpy(line, "ffagent: ", n);
	ff_agentlog_clean(line + n, sizeof line - n - 1, raw, strlen(raw));
	n += strlen(line + n);
	line[n++] = '\n';
	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	errno = saved;
}

#define FF_AGENTLOG_DEFINE(fn, level)                                        \
	void fn(const char *fmt, ...)                                        \
	{                                                                    \
		va_list ap;                                                  \
		va_start(ap, fmt);                                           \
		emit(level, fmt, ap);                                        \
		va_end(ap);                                                  \
	}

FF_AGENTLOG_DEFINE(ff_agentlog_error, FF_AGENTLOG_ERROR)
FF_AGENTLOG_DEFINE(ff_agentlog_warn, FF_AGENTLOG_WARN)
FF_AGENTLOG_DEFINE(ff_agentlog_info, FF_AGENTLOG_INFO)
FF_AGENTLOG_DEFINE(ff_agentlog_debug, FF_AGENTLOG_DEBUG)
