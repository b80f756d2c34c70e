/*
 * progress.h -- progress on a terminal, silence everywhere else.
 *
 * Long commands call ff_progress_update() as they go; when stderr is a
 * TTY, a single line "label: 123.4 MB (45%)" is redrawn at most five times
 * a second, and erased by ff_progress_done().  When stderr is not a TTY
 * (cron, CI, pipes) nothing is printed, so logs and machine output stay
 * clean.  Caller-owned; ff_progress_init cannot fail.
 */
#ifndef FF_PROGRESS_H
#define FF_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct ff_progress {
	FILE *tty;          /* NULL when not a terminal */
	const char *label;  /* borrowed */
	uint64_t last_ms;
	int shown;
} ff_progress;

/* Show progress on `out` only if it is a terminal (and FF_NO_PROGRESS is
 * not set in the environment). */
void ff_progress_init(ff_progress *p, const char *label, FILE *out);

/* done units of total (total 0 = unknown); `unit` is "B" for bytes (shown
 * as MB) or a noun such as "profiles". */
void ff_progress_update(ff_progress *p, uint64_t done, uint64_t total,
    const char *unit);

/* Erase the line. */
void ff_progress_done(ff_progress *p);

#endif
