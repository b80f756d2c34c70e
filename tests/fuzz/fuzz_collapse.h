/*
 * fuzz_collapse.h -- the body shared by the collapser fuzz targets
 * (fuzz_perf.c, fuzz_dtrace.c, fuzz_pmc.c, fuzz_procstat.c).
 *
 * The first input byte picks options (annotation flags, one or two event
 * columns, a period, strict mode); the rest is the profiler text.  After
 * collapsing, the invariants are checked: the table is consistent, and
 * its folded output reads back with no malformed line and the same
 * column sums.
 */
#ifndef FF_FUZZ_COLLAPSE_H
#define FF_FUZZ_COLLAPSE_H

#include "fuzz.h"

#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fuzz_options(ff_collapse_opts *o, ff_collapse_format f, unsigned char b)
{
	ff_collapse_opts_init(o);
	o->format = f;
	if (f == FF_COLLAPSE_PERF)
		o->flags = b & (FF_COLLAPSE_PID | FF_COLLAPSE_TID |
		    FF_COLLAPSE_KERNEL | FF_COLLAPSE_JIT | FF_COLLAPSE_ADDRS);
	if (f == FF_COLLAPSE_PROCSTAT) {
		o->flags = b & (FF_COLLAPSE_PID | FF_COLLAPSE_TID);
		o->interval_ms = b & 4 ? 100 : 0;
	}
	if (b & 0x20) {
		if (f == FF_COLLAPSE_PERF &&
		    ff_collapse_opts_events(o, "cycles,instructions", NULL))
			abort();
		if (f == FF_COLLAPSE_PMC && ff_collapse_opts_events(o,
		    "CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P", NULL))
			abort();
	} else if ((b & 0x40) && f == FF_COLLAPSE_PMC) {
		strcpy(o->event, "INST_RETIRED.ANY_P");
	}
	if (b & 0x80)
		o->periods[0] = 1000003;
}

/* The folded text of s reads back into the same sums. */
static void
fuzz_check_roundtrip(const ff_stacks *s)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *back = NULL;
	ff_diag *d = ff_diag_new(NULL, "fuzz", 0);
	char *text = NULL;
	size_t len = 0;
	unsigned i, nv = ff_stacks_nvalues(s);
	FILE *f = open_memstream(&text, &len);
	ff_src_opts plain = { 0 };
	ff_src *src = NULL;
	ff_err err;

	plain.plain = 1;
	if (t == NULL || d == NULL || f == NULL)
		abort();
	if (ff_fold_write(s, f, &err) != FF_OK || fclose(f) != 0)
		abort();
	/* Plain: folded text that happens to start with a zstd magic
	 * number must not be taken for compressed input. */
	if (ff_src_open_mem(&src, text, len, "out", &plain, &err) != FF_OK ||
	    ff_fold_load_src(&back, t, src, nv, d, &err) != FF_OK)
		abort();
	if (ff_diag_count(d) != 0 || ff_stacks_nvalues(back) != nv)
		abort();
	for (i = 0; i < nv; i++)
		if (ff_stacks_totals(back)[i] != ff_stacks_totals(s)[i])
			abort();
	ff_stacks_free(back);
	ff_src_close(src);
	ff_diag_free(d);
	ff_intern_free(t);
	free(text);
}

static int
fuzz_collapse(ff_collapse_format fmt, const uint8_t *data, size_t size)
{
	ff_collapse_opts o;
	ff_intern *t;
	ff_stacks *s;
	ff_diag *d;
	ff_src *src = NULL;
	ff_err err;
	ff_rc rc;

	if (size == 0)
		return 0;
	fuzz_options(&o, fmt, data[0]);
	t = ff_intern_new();
	s = ff_stacks_new(t, ff_collapse_ncols(&o));
	d = ff_diag_new(NULL, "fuzz", (data[0] & 0x18) == 0x18);
	if (t == NULL || s == NULL || d == NULL)
		abort();
	if (ff_src_open_mem(&src, data + 1, size - 1, "in", NULL, &err) !=
	    FF_OK)
		abort();
	rc = ff_collapse_src(&o, src, s, NULL, d, &err);
	if (rc == FF_ERR_NOMEM || rc == FF_ERR_INTERNAL || rc == FF_ERR_IO)
		abort();
#ifndef NDEBUG
	ff_stacks_check(s);
	ff_intern_check(t);
#endif
	if (rc == FF_OK)
		fuzz_check_roundtrip(s);
	ff_src_close(src);
	ff_diag_free(d);
	ff_stacks_free(s);
	ff_intern_free(t);
	return 0;
}

#endif
