/*
 * test_cov_collapse.c -- the collapsers' error paths and limits that the
 * per-format tests do not reach: option errors, format detection on odd
 * input, the progress callback, a frame cache that must grow, stacks past
 * the depth and frame-length limits in each format, the pmcstat grammar
 * line by line, and every allocation failing in turn through a collapse
 * of each format.
 */
#define _GNU_SOURCE 1
#include "testutil.h"
#include "collapsetest.h"

#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fail: 0, or inject allocation failures into the collapse only
 * (ff_mem_fail_at(fail, 1)); *made gets the allocations counted. */
static ff_ct_result
run_inject(const ff_collapse_opts *o, const char *text, size_t len,
    int strict, unsigned long fail, unsigned long *made)
{
	return ff_ct_run(o, text, len, "in", strict, fail, made);
}

static ff_ct_result
run(const ff_collapse_opts *o, const char *text, size_t len, int strict)
{
	return run_inject(o, text, len, strict, 0, NULL);
}

static ff_ct_result
run_fmt_inject(ff_collapse_format fmt, const char *text, size_t len,
    unsigned long fail, unsigned long *made)
{
	ff_collapse_opts o;

	ff_collapse_opts_init(&o);
	o.format = fmt;
	return run_inject(&o, text, len, 0, fail, made);
}

static ff_ct_result
run_fmt(ff_collapse_format fmt, const char *text, size_t len)
{
	ff_collapse_opts o;

	ff_collapse_opts_init(&o);
	o.format = fmt;
	return run(&o, text, len, 0);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* ---- options ------------------------------------------------------------- */

static void
test_options(void **state)
{
	char longname[FF_COLLAPSE_EVENT_MAX + 2];
	ff_collapse_opts o;
	ff_collapse_format f;
	ff_ct_result r;
	ff_err err;

	(void)state;
	ff_collapse_opts_init(&o);
	memset(longname, 'e', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(ff_collapse_opts_events(&o, longname, &err),
	    FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "longer than 127 bytes"));
	assert_int_equal(o.nevents, 0);
	longname[FF_COLLAPSE_EVENT_MAX - 1] = '\0';   /* 127: fits */
	assert_int_equal(ff_collapse_opts_events(&o, longname, &err), FF_OK);
	assert_int_equal(ff_collapse_opts_events(&o, "a,b,c,d,e,f,g,h,i",
	    &err), FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "at most 8 events"));
	assert_int_equal(ff_collapse_opts_events(&o, "a,,b", &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_events(&o, "a,b,a", &err),
	    FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "'a' named twice"));
	assert_int_equal(ff_collapse_opts_periods(&o, "0", &err), FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "period '0' is not"));
	assert_int_equal(ff_collapse_opts_periods(&o, "1x", &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_periods(&o, "99999999999999999999",
	    &err), FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_periods(&o, "1,2,3,4,5,6,7,8,9",
	    &err), FF_ERR_USAGE);
	assert_string_equal(ff_collapse_format_name((ff_collapse_format)42),
	    "?");
	assert_int_equal(ff_collapse_format_parse("pmc", &f, &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PMC);
	assert_int_equal(ff_collapse_format_parse("gprof", &f, &err),
	    FF_ERR_USAGE);
	/* Options the input's format cannot honour. */
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	o.nevents = FF_VALUES_MAX + 1;
	{
		/* Nine columns cannot be: the table (at most eight) does not
		 * match. */
		ff_intern *t = ff_intern_new();
		ff_stacks *s = ff_stacks_new(t, FF_VALUES_MAX);
		ff_src *src;

		assert_int_equal(ff_src_open_mem(&src, "", 0, "in", NULL, &err),
		    FF_OK);
		assert_int_equal(ff_collapse_src(&o, src, s, NULL, NULL, &err),
		    FF_ERR_USAGE);
		assert_non_null(strstr(ff_err_msg(&err), "the stack table has 8 "
		    "count columns, the options ask for 9"));
		ff_src_close(src);
		ff_stacks_free(s);
		ff_intern_free(t);
	}
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	o.periods[3] = 5;
	r = run(&o, "", 0, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	assert_non_null(strstr(r.out, "more periods than count columns"));
	ff_ct_free(&r);
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_DTRACE;
	o.interval_ms = 10;
	r = run(&o, "", 0, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	assert_non_null(strstr(r.out, "--interval-ms applies to procstat"));
	ff_ct_free(&r);
	/* A format value no collapser handles is an internal error, not a
	 * silent empty profile. */
	ff_collapse_opts_init(&o);
	o.format = (ff_collapse_format)42;
	r = run(&o, "x\n", 2, 0);
	assert_int_equal(r.rc, FF_ERR_INTERNAL);
	ff_ct_free(&r);
}

/* ---- detection ----------------------------------------------------------- */

static void
test_detect(void **state)
{
	static const char dtrace_crlf[] = "CPU     ID                    "
	    "FUNCTION:NAME\r\n  0  64091                        :tick-60s \r\n"
	    "\r\n\r\n"
	    "              unix`a+0x1\r\n"
	    "              unix`b+0x2\r\n"
	    "                5\r\n";
	unsigned char broken[5] = { 0x50, 0x2A, 0x4D, 0x18, 1 };
	char *text;
	ff_collapse_format f;
	ff_ct_result r;
	ff_src *src;
	ff_err err;
	size_t i, o = 0;

	(void)state;
	assert_int_equal(ff_src_open_mem(&src, dtrace_crlf,
	    sizeof dtrace_crlf - 1, "d", NULL, &err), FF_OK);
	assert_int_equal(ff_collapse_detect(src, &f, &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_DTRACE);
	ff_src_close(src);
	r = run_fmt(FF_COLLAPSE_AUTO, dtrace_crlf, sizeof dtrace_crlf - 1);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "unix`b;unix`a 5\n");
	ff_ct_free(&r);
	/* A few form feeds and vertical tabs among many text lines are not
	 * "binary"; many DEL bytes are. */
	text = malloc(8192);
	for (i = 0; i < 60; i++)
		o += (size_t)snprintf(text + o, 8192 - o,
		    "app 1/1 [000] 1.0: 1 cycles:\n\t1 f%zu (m)\n\n", i);
	memcpy(text + o, "\f\v\n", 3);
	o += 3;
	assert_int_equal(ff_src_open_mem(&src, text, o, "p", NULL, &err),
	    FF_OK);
	assert_int_equal(ff_collapse_detect(src, &f, &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PERF);
	ff_src_close(src);
	memset(text, 0x7f, 200);
	r = run_fmt(FF_COLLAPSE_PERF, text, 200);
	assert_int_equal(r.rc, FF_ERR_PARSE);
	assert_non_null(strstr(r.out, "binary input"));
	ff_ct_free(&r);
	free(text);
	/* A source that fails while being sniffed. */
	assert_int_equal(ff_src_open_mem(&src, broken, sizeof broken, "b", NULL,
	    &err), FF_OK);
	assert_int_equal(ff_collapse_detect(src, &f, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "truncated metadata"));
	ff_src_close(src);
}

/* ---- progress ------------------------------------------------------------ */

struct progress {
	int calls;
	uint64_t done, total;
};

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;

	p->calls++;
	p->done = done;
	p->total = total;
}

static void
test_progress(void **state)
{
	const char *path = ff_test_fmt("%s/perf.txt", ff_test_tmpdir());
	struct progress p = { 0, 0, 0 };
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 1);
	size_t cap = 600 * 64, o = 0, i;
	char *text = malloc(cap);
	ff_collapse_opts o_;
	ff_src *src;
	ff_err err;

	(void)state;
	/* Progress is looked at every 1024 lines: 2400 lines. */
	for (i = 0; i < 600; i++)
		o += (size_t)snprintf(text + o, cap - o, "app 1/1 [000] 1.0: 1 "
		    "cycles:\n\t1 f%zu (m)\n\t2 main (m)\n\n", i % 3);
	assert_int_equal(ff_test_write(path, text, o), 0);
	ff_collapse_opts_init(&o_);
	o_.progress = on_progress;
	o_.progress_ctx = &p;
	assert_int_equal(ff_src_open(&src, path, NULL, &err), FF_OK);
	assert_int_equal(ff_collapse_src(&o_, src, s, NULL, NULL, &err),
	    FF_OK);
	ff_src_close(src);
	/* Called again only after 4 MiB more: once here, with the file's
	 * size. */
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.total, o);
	assert_true(p.done > 0 && p.done <= o);
	assert_int_equal(ff_stacks_count(s), 3);
	ff_stacks_free(s);
	ff_intern_free(t);
	free(text);
}

/* ---- the frame cache ----------------------------------------------------- */

/* More distinct frames than the first cache table holds (it grows and
 * rehashes), each seen twice. */
static void
test_many_frames(void **state)
{
	enum { N = 9000 };
	size_t cap = (size_t)N * 2 * 64, o = 0, i;
	char *text = malloc(cap), want[64];
	ff_ct_result r;
	int round;

	(void)state;
	for (round = 0; round < 2; round++)
		for (i = 0; i < N; i++)
			o += (size_t)snprintf(text + o, cap - o,
			    "app 1/1 [000] 1.0: 1 cycles:\n\t1 leaf%zu (m)\n"
			    "\t2 main (m)\n\n", i);
	r = run_fmt(FF_COLLAPSE_PERF, text, o);
	assert_int_equal(r.rc, FF_OK);
	assert_int_equal(count_lines(r.out), N);
	assert_int_equal(r.st.samples, 2 * N);
	for (i = 0; i < N; i += 997) {
		snprintf(want, sizeof want, "app;main;leaf%zu 2\n", i);
		assert_non_null(strstr(r.out, want));
	}
	ff_ct_free(&r);
	free(text);
}

/* ---- limits in each format ----------------------------------------------- */

/* A pmcstat callchain of `depth` levels (one space of indent each). */
static char *
pmc_chain(size_t depth, size_t *len)
{
	size_t cap = depth * (depth + 40) / 1 + 64, o = 0, i;
	char *t = malloc(cap);

	o += (size_t)snprintf(t + o, cap - o, "@ cycles [1 samples]\n\n");
	for (i = 0; i < depth; i++) {
		memset(t + o, ' ', i);
		o += i;
		o += (size_t)snprintf(t + o, cap - o, "100.0%%  [1]  f%zu\n", i);
	}
	*len = o;
	return t;
}

static void
test_pmc_limits(void **state)
{
	static const char *const unrecognised[] = {
		"5", "5%", "5%x", "5% ", "5% x", "5% [", "5% [x]", "5% [5",
		"5% [5x", "@", "@ x", "@ [1]", "x y z",
	};
	char *text, *p;
	ff_ct_result r;
	size_t len, i, o;

	(void)state;
	/* 4096 levels are fine, 4097 are not. */
	text = pmc_chain(FF_DEPTH_MAX, &len);
	r = run_fmt(FF_COLLAPSE_PMC, text, len);
	assert_int_equal(r.rc, FF_OK);
	assert_int_equal(r.bad, 0);
	/* The unindented line is the sampled function: the leaf. */
	assert_memory_equal(r.out, "f4095;f4094;", 12);
	assert_non_null(strstr(r.out, ";f1;f0 1\n"));
	ff_ct_free(&r);
	free(text);
	text = pmc_chain(FF_DEPTH_MAX + 1, &len);
	r = run_fmt(FF_COLLAPSE_PMC, text, len);
	assert_int_equal(r.rc, FF_OK);
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
	free(text);
	/* A NUL byte, a frame past 64 KiB, and the grammar line by line. */
	/* (after 64 KiB of text: a NUL byte near the start is "binary") */
	len = FF_FRAME_MAX + 4096 + 5000 * 20;
	text = malloc(len + 1024);
	o = (size_t)snprintf(text, len, "@ cycles [3 samples]\n\n");
	for (i = 0; i < 5000; i++)
		o += (size_t)snprintf(text + o, len - o, "50.0%%  [1]  ok\n");
	memcpy(text + o, "50.0%  [1]  nul\0here\n", 21);
	o += 21;
	o += (size_t)snprintf(text + o, 64, "50.0%%  [1]  ");
	memset(text + o, 'w', FF_FRAME_MAX + 1);
	o += FF_FRAME_MAX + 1;
	text[o++] = '\n';
	r = run_fmt(FF_COLLAPSE_PMC, text, o);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "ok 5000\n");
	assert_int_equal(r.bad, 2);
	ff_ct_free(&r);
	for (i = 0; i < sizeof unrecognised / sizeof unrecognised[0]; i++) {
		o = (size_t)snprintf(text, 256, "@ c [1 samples]\n %s\n"
		    "100.0%%  [4]  g\n", unrecognised[i]);
		r = run_fmt(FF_COLLAPSE_PMC, text, o);
		if (r.rc != FF_OK || r.bad != 1 || strcmp(r.out, "g 4\n") != 0)
			fail_msg("'%s': rc %d bad %llu out '%s'",
			    unrecognised[i], r.rc, (unsigned long long)r.bad,
			    r.out);
		ff_ct_free(&r);
	}
	free(text);
	/* Thirty sections and no --event: the message lists the first
	 * names, then "...", and still has its advice (a regression: the
	 * list could fill the whole message). */
	text = malloc(30 * 80);
	for (i = 0, p = text; i < 30; i++)
		p += sprintf(p, "@ an_event_with_a_long_name_number_%02zu "
		    "[1 samples]\n100.0%%  [1]  f\n", i);
	r = run_fmt(FF_COLLAPSE_PMC, text, (size_t)(p - text));
	assert_int_equal(r.rc, FF_ERR_USAGE);
	assert_non_null(strstr(r.out, "30 event sections"));
	assert_non_null(strstr(r.out, "number_00, "));
	assert_non_null(strstr(r.out, ", ...): choose one with --event"));
	assert_null(strstr(r.out, "number_29"));
	ff_ct_free(&r);
	free(text);
}

#define DTRACE_HEAD "CPU     ID                    FUNCTION:NAME\n" \
	"  0  64091                        :tick-60s \n\n\n"

static void
test_dtrace_limits(void **state)
{
	size_t cap = (FF_DEPTH_MAX + 2) * 24 + 256, o = 0, i;
	char *text = malloc(cap);
	ff_ct_result r;

	(void)state;
	o += (size_t)snprintf(text, cap, "%s", DTRACE_HEAD);
	for (i = 0; i < FF_DEPTH_MAX + 1; i++)
		o += (size_t)snprintf(text + o, cap - o, "  m`f%zu\n", i);
	o += (size_t)snprintf(text + o, cap - o, "  7\n\n  m`g\n  3\n");
	r = run_fmt(FF_COLLAPSE_DTRACE, text, o);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "m`g 3\n");
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
	/* Once a column's total is 2^63-1, every later sample would pass
	 * it: each is skipped, the earlier ones kept. */
	o = (size_t)snprintf(text, cap, DTRACE_HEAD "  m`a\n  "
	    "9223372036854775807\n\n"
	    "  m`a\n  1\n\n  m`b\n  2\n");
	r = run_fmt(FF_COLLAPSE_DTRACE, text, o);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "m`a 9223372036854775807\n");
	assert_int_equal(r.bad, 2);
	ff_ct_free(&r);
	/* A count line must be an unsigned integer: a number in another form
	 * spoils its stack; other text is a frame. */
	{
		static const struct {
			const char *line, *out;
			uint64_t bad;
		} counts[] = {
			{ "-5", "m`b 3\n", 1 },
			{ "+5", "m`b 3\n", 1 },
			{ "1e9", "m`b 3\n", 1 },
			{ "2.5\t", "m`b 3\n", 1 },
			{ "1E+3", "m`b 3\n", 1 },
			{ "7 \t", "m`a 7\nm`b 3\n", 0 },
			{ "5x", "m`b;5x;m`a 3\n", 0 },
			{ "-x", "m`b;-x;m`a 3\n", 0 },
			{ "0x1f", "m`b;0x1f;m`a 3\n", 0 },
		};

		for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
			o = (size_t)snprintf(text, cap, DTRACE_HEAD "  m`a\n  %s\n"
			    "\n  m`b\n  3\n", counts[i].line);
			r = run_fmt(FF_COLLAPSE_DTRACE, text, o);
			if (r.rc != FF_OK || strcmp(r.out, counts[i].out) != 0 ||
			    r.bad != counts[i].bad)
				fail_msg("'%s': rc %d bad %llu out '%s'",
				    counts[i].line, r.rc,
				    (unsigned long long)r.bad, r.out);
			ff_ct_free(&r);
		}
	}
	free(text);
}

static void
test_procstat_limits(void **state)
{
	static const char head[] = "  PID    TID COMM                TDNAME"
	    "              KSTACK                       \n";
	size_t cap = FF_FRAME_MAX + 4096 + 1000 * 100, o, i;
	char *text = malloc(cap);
	ff_ct_result r;

	(void)state;
	/* (after 64 KiB of text: a NUL byte near the start is "binary") */
	o = (size_t)snprintf(text, cap, "%s", head);
	for (i = 0; i < 1000; i++)
		o += (size_t)snprintf(text + o, cap - o, "   12 100041 intr    "
		    "              swi4: clock (0)     mi_switch+0x174 "
		    "fork_exit+0x7e \n");
	memcpy(text + o, "   13 100042 intr                 x\0y  "
	    "                 a+0x1 \n", 63);
	o += 63;
	o += (size_t)snprintf(text + o, cap - o, "   14 100043 intr       "
	    "           -                   ");
	memset(text + o, 'w', FF_FRAME_MAX + 1);
	o += FF_FRAME_MAX + 1;
	o += (size_t)snprintf(text + o, cap - o, "+0x1 b+0x2 \n");
	r = run_fmt(FF_COLLAPSE_PROCSTAT, text, o);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "intr;fork_exit;mi_switch 1000\n");
	assert_int_equal(r.bad, 2);
	ff_ct_free(&r);
	free(text);
}

/* ---- allocation failures ------------------------------------------------- */

static const struct {
	ff_collapse_format fmt;
	const char *text;
} samples[] = {
	{ FF_COLLAPSE_PERF, "app 1/2 [000] 1.0: 3 cycles:\n"
	  "\t1 leaf+0x1 (/lib/x.so)\n\t2 mid (/bin/app)\n\t3 main (/bin/app)\n\n"
	  "app 1/2 [000] 1.1: 1 cycles:\n\t1 other (/lib/x.so)\n"
	  "\t3 main (/bin/app)\n\n" },
	{ FF_COLLAPSE_DTRACE, DTRACE_HEAD "  unix`a+0x1\n  unix`b\n  5\n\n"
	  "  libc.so.1`malloc+0x1c\n  app`main\n  2\n" },
	{ FF_COLLAPSE_PMC, "@ cycles [3 samples]\n\n50.0%  [2]  f @ /k\n"
	  " 100.0%  [2]  g\n50.0%  [1]  h\n" },
	{ FF_COLLAPSE_PROCSTAT, "  PID    TID COMM                TDNAME"
	  "              KSTACK                       \n"
	  "   12 100041 intr                swi4: clock (0)     "
	  "mi_switch+0x174 fork_exit+0x7e \n" },
};

static void
test_oom(void **state)
{
	unsigned long n, made;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof samples / sizeof samples[0]; k++) {
		const char *text = samples[k].text;
		ff_ct_result ref, r;
		int failed = 0;

		ref = run_fmt(samples[k].fmt, text, strlen(text));
		assert_int_equal(ref.rc, FF_OK);
		assert_true(strlen(ref.out) > 0);
		r = run_fmt_inject(samples[k].fmt, text, strlen(text),
		    ULONG_MAX, &made);
		ff_ct_free(&r);
		for (n = 1; n <= made; n++) {
			/* The nth allocation of the collapse and every later
			 * one fail. */
			r = run_fmt_inject(samples[k].fmt, text, strlen(text), n,
			    NULL);
			if (r.rc == FF_OK) {
				assert_string_equal(r.out, ref.out);
			} else if (r.rc != FF_ERR_NOMEM) {
				fail_msg("format %d, allocation %lu: rc %d '%s'",
				    samples[k].fmt, n, r.rc, r.out ? r.out : "");
			} else {
				failed++;
			}
			ff_ct_free(&r);
		}
		assert_true(failed > 0);
		print_message("format %d: %lu allocations, each failed in "
		    "turn: clean\n", samples[k].fmt, made);
		ff_ct_free(&ref);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_many_frames),
		cmocka_unit_test(test_pmc_limits),
		cmocka_unit_test(test_dtrace_limits),
		cmocka_unit_test(test_procstat_limits),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
