/*
 * diag.c -- once-per-kind reporting of malformed lines (see diag.h).
 */
#include "profile/diag.h"
#include "profile/mem.h"

#include <stdarg.h>
#include <string.h>

enum { KINDS_MAX = 32 };

struct kind {
	const char *name;
	uint64_t count;
};

struct ff_diag {
	FILE *out;
	const char *prog;
	int strict;
	uint64_t total;
	unsigned nkinds;
	struct kind kinds[KINDS_MAX];
};

ff_diag *
ff_diag_new(FILE *out, const char *prog, int strict)
{
	ff_diag *d = ff_calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->out = out;
	d->prog = prog != NULL ? prog : "flamefleet";
	d->strict = strict;
	return d;
}

void
ff_diag_free(ff_diag *d)
{
	ff_free(d);
}

/* The counter for kind; the last slot absorbs overflow of kinds. */
static struct kind *
diag_kind(ff_diag *d, const char *name)
{
	unsigned i;

	for (i = 0; i < d->nkinds; i++)
		if (strcmp(d->kinds[i].name, name) == 0)
			return &d->kinds[i];
	if (d->nkinds == KINDS_MAX)
		return &d->kinds[KINDS_MAX - 1];
	d->kinds[d->nkinds].name = name;
	return &d->kinds[d->nkinds++];
}

ff_rc
ff_diag_line(ff_diag *d, ff_err *err, const char *file, uint64_t line,
    const char *kind, const char *fmt, ...)
{
	char msg[FF_ERR_MSG_MAX];
	struct kind *k;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (d == NULL || d->strict)
		return ff_err_set(err, FF_ERR_PARSE, "%s:%llu: %s", file,
		    (unsigned long long)line, msg);
	k = diag_kind(d, kind);
	if (k->count++ == 0 && d->out != NULL)
		fprintf(d->out, "%s: %s:%llu: %s (further lines like this are "
		    "counted, not shown)\n", d->prog, file,
		    (unsigned long long)line, msg);
	d->total++;
	return FF_OK;
}

uint64_t
ff_diag_count(const ff_diag *d)
{
	return d != NULL ? d->total : 0;
}

uint64_t
ff_diag_kind_count(const ff_diag *d, const char *kind)
{
	unsigned i;

	for (i = 0; d != NULL && i < d->nkinds; i++)
		if (strcmp(d->kinds[i].name, kind) == 0)
			return d->kinds[i].count;
	return 0;
}

void
ff_diag_summary(const ff_diag *d)
{
	unsigned i;

	if (d == NULL || d->total == 0 || d->out == NULL)
		return;
	fprintf(d->out, "%s: %llu malformed line%s skipped (", d->prog,
	    (unsigned long long)d->total, d->total == 1 ? "" : "s");
	for (i = 0; i < d->nkinds; i++)
		fprintf(d->out, "%s%s: %llu", i ? ", " : "", d->kinds[i].name,
		    (unsigned long long)d->kinds[i].count);
	fprintf(d->out, ")\n");
}
