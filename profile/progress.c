/*
 * progress.c -- rate-limited progress line on a TTY (see progress.h).
 */
#include "profile/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
ff_progress_init(ff_progress *p, const char *label, FILE *out)
{
	memset(p, 0, sizeof *p);
	p->label = label;
	if (out != NULL && isatty(fileno(out)) && getenv("FF_NO_PROGRESS") == NULL)
		p->tty = out;
	p->last_ms = now_ms();
}

void
ff_progress_update(ff_progress *p, uint64_t done, uint64_t total,
    const char *unit)
{
	uint64_t t;
	int bytes = strcmp(unit, "B") == 0;

	if (p->tty == NULL)
		return;
	t = now_ms();
	if (t - p->last_ms < 200)
		return;
	p->last_ms = t;
	p->shown = 1;
	if (bytes)
		fprintf(p->tty, "\r%s: %.1f MB", p->label, done / 1e6);
	else
		fprintf(p->tty, "\r%s: %llu %s", p->label,
		    (unsigned long long)done, unit);
	if (total != 0)
		fprintf(p->tty, " (%.0f%%)", 100.0 * (double)done / (double)total);
	fputs("   ", p->tty);
	fflush(p->tty);
}

void
ff_progress_done(ff_progress *p)
{
	if (p->tty != NULL && p->shown) {
		fputs("\r\033[K", p->tty);
		fflush(p->tty);
	}
	p->shown = 0;
}
