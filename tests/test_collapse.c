/*
 * test_collapse.c -- options, format detection, dispatch, and the
 * `ffagent collapse` command (its arguments, messages and exit status).
 */
#include "testutil.h"

#include "agent/collapse.h"
#include "profile/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the library ---------------------------------------------------------- */

static ff_rc
detect(const char *text, size_t len, ff_collapse_format *f, ff_err *err)
{
	ff_src *src;
	ff_rc rc;

	assert_int_equal(ff_src_open_mem(&src, text, len, "x", NULL, err),
	    FF_OK);
	rc = ff_collapse_detect(src, f, err);
	ff_src_close(src);
	return rc;
}

static void
test_detect_fixtures(void **state)
{
	static const struct {
		const char *file;
		ff_collapse_format f;
	} cases[] = {
		{ "tests/data/collapse/perf-two-events.txt", FF_COLLAPSE_PERF },
		{ "tests/data/collapse/dtrace-small.txt", FF_COLLAPSE_DTRACE },
		{ "tests/data/collapse/pmc-two-sections.txt", FF_COLLAPSE_PMC },
		{ "tests/data/collapse/procstat-snaps.txt",
		    FF_COLLAPSE_PROCSTAT },
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = ff_test_slurp(ff_test_source(cases[i].file), &len);
		ff_collapse_format f;
		ff_err err;

		assert_non_null(text);
		assert_int_equal(detect(text, len, &f, &err), FF_OK);
		assert_int_equal(f, cases[i].f);
		free(text);
	}
}

static void
test_detect_small_inputs(void **state)
{
	static const char unindented[] = "java 19983 cycles:\n"
	    "ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])\n";
	static const char procstat_words[] = "1 100002 sh t mi_switch+0x1\n";
	static const char folded[] = "a;b;c 12\na;b 3\n";
	ff_collapse_format f;
	ff_err err;

	(void)state;
	assert_int_equal(detect(unindented, sizeof unindented - 1, &f, &err),
	    FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PERF);
	assert_int_equal(detect(procstat_words, sizeof procstat_words - 1, &f,
	    &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PROCSTAT);
	/* Empty input collapses to nothing, as perf. */
	assert_int_equal(detect("", 0, &f, &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PERF);
	/* Folded text is not a profiler's output. */
	assert_int_equal(detect(folded, sizeof folded - 1, &f, &err),
	    FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "x: cannot tell the input format"));
}

static void
test_binary_input(void **state)
{
	char buf[4096];
	ff_collapse_format f;
	size_t i;
	ff_err err;

	(void)state;
	/* A NUL byte near the start. */
	memset(buf, 'a', sizeof buf);
	buf[100] = '\0';
	assert_int_equal(detect(buf, sizeof buf, &f, &err), FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "binary"));
	/* Over 1% control bytes. */
	memset(buf, 'a', sizeof buf);
	for (i = 0; i < 50; i++)
		buf[i * 80] = '\x01';
	assert_int_equal(detect(buf, sizeof buf, &f, &err), FF_ERR_PARSE);
	/* A few are text with oddities, not binary. */
	for (i = 1; i < 50; i++)
		buf[i * 80] = 'a';
	assert_int_equal(detect(buf, sizeof buf, &f, &err), FF_ERR_PARSE);
	assert_null(strstr(err.msg, "binary"));
}

static void
test_options_parsing(void **state)
{
	ff_collapse_opts o;
	ff_collapse_format f;
	ff_err err;

	(void)state;
	ff_collapse_opts_init(&o);
	assert_int_equal(ff_collapse_ncols(&o), 1);
	assert_int_equal(ff_collapse_opts_events(&o, "a,b,c", &err), FF_OK);
	assert_int_equal(o.nevents, 3);
	assert_string_equal(o.events[2], "c");
	assert_int_equal(ff_collapse_ncols(&o), 3);
	assert_int_equal(ff_collapse_opts_events(&o, "a,,b", &err),
	    FF_ERR_USAGE);
	assert_int_equal(o.nevents, 0);
	assert_int_equal(ff_collapse_opts_events(&o, "a,b,a", &err),
	    FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "twice"));
	assert_int_equal(ff_collapse_opts_events(&o, "1,2,3,4,5,6,7,8,9",
	    &err), FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_events(&o, "", &err), FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_periods(&o, "10,20", &err), FF_OK);
	assert_true(o.periods[0] == 10 && o.periods[1] == 20);
	assert_int_equal(ff_collapse_opts_periods(&o, "0", &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_periods(&o, "9223372036854775808",
	    &err), FF_ERR_USAGE);
	assert_int_equal(ff_collapse_opts_periods(&o, "1x", &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_collapse_format_parse("pmc", &f, &err), FF_OK);
	assert_int_equal(f, FF_COLLAPSE_PMC);
	assert_string_equal(ff_collapse_format_name(FF_COLLAPSE_PROCSTAT),
	    "procstat");
	assert_int_equal(ff_collapse_format_parse("folded", &f, &err),
	    FF_ERR_USAGE);
}

/* Collapse text with o into s; returns the rc. */
static ff_rc
run(const char *text, const ff_collapse_opts *o, ff_stacks *s, ff_err *err)
{
	ff_src *src;
	ff_rc rc;

	assert_int_equal(ff_src_open_mem(&src, text, strlen(text), "t", NULL,
	    err), FF_OK);
	rc = ff_collapse_src(o, src, s, NULL, NULL, err);
	ff_src_close(src);
	return rc;
}

static void
test_options_must_fit_the_format(void **state)
{
	static const char dtrace[] = "h\nh\nh\n  x`f\n  1\n";
	ff_intern *t = ff_intern_new();
	ff_stacks *s1 = ff_stacks_new(t, 1), *s2 = ff_stacks_new(t, 2);
	ff_collapse_opts o;
	ff_err err;

	(void)state;
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_DTRACE;
	o.flags = FF_COLLAPSE_KERNEL;
	assert_int_equal(run(dtrace, &o, s1, &err), FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "not dtrace"));
	o.flags = FF_COLLAPSE_PID;
	assert_int_equal(run(dtrace, &o, s1, &err), FF_ERR_USAGE);
	o.flags = 0;
	o.interval_ms = 10;
	assert_int_equal(run(dtrace, &o, s1, &err), FF_ERR_USAGE);
	o.interval_ms = 0;
	strcpy(o.event, "cycles");
	assert_int_equal(run(dtrace, &o, s1, &err), FF_ERR_USAGE);
	o.event[0] = '\0';
	/* Periods for columns that do not exist. */
	o.periods[1] = 10;
	assert_int_equal(run(dtrace, &o, s1, &err), FF_ERR_USAGE);
	assert_non_null(strstr(err.msg, "more periods"));
	o.periods[1] = 0;
	/* The table must have the columns the options ask for. */
	assert_int_equal(run(dtrace, &o, s2, &err), FF_ERR_USAGE);
	assert_int_equal(run(dtrace, &o, s1, &err), FF_OK);
	assert_int_equal(ff_stacks_count(s1), 1);
	ff_stacks_free(s1);
	ff_stacks_free(s2);
	ff_intern_free(t);
}

static void
test_inputs_merge(void **state)
{
	static const char a[] = "p 1 1.0: 5 cycles: \n\t1 f (m)\n";
	static const char b[] = "p 1 1.0: 7 instructions: \n\t1 f (m)\n";
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 1);
	ff_collapse_opts o;
	char *out = NULL;
	size_t n;
	FILE *f;
	ff_err err;

	(void)state;
	ff_collapse_opts_init(&o);
	/* Each input has its own default event. */
	assert_int_equal(run(a, &o, s, &err), FF_OK);
	assert_int_equal(run(b, &o, s, &err), FF_OK);
	f = open_memstream(&out, &n);
	assert_int_equal(ff_fold_write(s, f, &err), FF_OK);
	fclose(f);
	assert_string_equal(out, "p;f 12\n");
	free(out);
	ff_stacks_free(s);
	ff_intern_free(t);
}

/* ---- the command -------------------------------------------------------------- */

/* Run `ffagent ARGS` in the source directory; stdout in *out, stderr in
 * *errtext; returns the exit status. */
static int
agent(const char *args, char **out, char **errtext)
{
	char cmd[4096], errfile[512], src[1024], bin[1024];
	int rc;

	/* ff_test_fmt's buffers rotate: copy what is needed first. */
	snprintf(cmd, sizeof cmd, "%s", args);
	snprintf(errfile, sizeof errfile, "%s/stderr", ff_test_tmpdir());
	snprintf(src, sizeof src, "%s", ff_test_source(""));
	snprintf(bin, sizeof bin, "%s", ff_test_build("bin/ffagent"));
	rc = ff_test_run(ff_test_fmt("cd '%s' && '%s' %s 2>'%s'", src, bin,
	    cmd, errfile), out, NULL);
	if (errtext != NULL)
		*errtext = ff_test_slurp(errfile, NULL);
	return rc;
}

static char *
fixture(const char *name)
{
	return ff_test_slurp(ff_test_source(ff_test_fmt(
	    "tests/data/collapse/%s", name)), NULL);
}

#define D "tests/data/collapse/"

static void
test_cli_fixtures(void **state)
{
	static const struct {
		const char *args, *expected;
	} cases[] = {
		{ D "perf-two-events.txt", "perf-two-events.expected" },
		{ "--events cycles,instructions --all --tid "
		    D "perf-two-events.txt",
		    "perf-two-events.expected.events-all-tid" },
		{ "--format dtrace " D "dtrace-small.txt",
		    "dtrace-small.expected" },
		{ "--event INST_RETIRED.ANY_P " D "pmc-two-sections.txt",
		    "pmc-two-sections.expected.event-INST_RETIRED.ANY_P" },
		{ "--events CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P "
		    D "pmc-two-sections.txt", "pmc-two-sections.expected.events" },
		{ "- < " D "procstat-snaps.txt", "procstat-snaps.expected" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out, *want = fixture(cases[i].expected);

		assert_int_equal(agent(ff_test_fmt("collapse %s",
		    cases[i].args), &out, NULL), 0);
		assert_non_null(want);
		assert_string_equal(out, want);
		free(out);
		free(want);
	}
}

static void
test_cli_messages(void **state)
{
	char *out, *err;

	(void)state;
	/* Skipped samples of other events are said, not silent. */
	assert_int_equal(agent("collapse -v " D "perf-two-events.txt", &out,
	    &err), 0);
	assert_non_null(strstr(err, "perf (detected), 5 samples of event "
	    "cycles"));
	assert_non_null(strstr(err, "2 samples of other events "
	    "(instructions) skipped"));
	free(out);
	free(err);
	/* Several pmc sections need --event. */
	assert_int_equal(agent("collapse " D "pmc-two-sections.txt", &out,
	    &err), 2);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "CPU_CLK_UNHALTED.THREAD_P, "
	    "INST_RETIRED.ANY_P"));
	free(out);
	free(err);
}

static void
test_cli_several_files(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(agent("collapse " D "procstat-snaps.txt "
	    D "procstat-snaps.txt", &out, NULL), 0);
	assert_non_null(strstr(out, "kernel;_sleep;sleepq_timedwait;"
	    "sched_switch;mi_switch 4\n"));
	free(out);
}

static void
test_cli_exit_status(void **state)
{
	static const char bad[] = "p 1 1.0: cycles: \n\t1 f (m)\n\tjunk\n";
	const char *dir = ff_test_tmpdir();
	char *out, *err;

	(void)state;
	assert_int_equal(agent("collapse --help", &out, NULL), 0);
	assert_non_null(strstr(out, "Exit status:"));
	assert_non_null(strstr(out, "procstat"));
	free(out);
	assert_int_equal(agent("--help", &out, NULL), 0);
	assert_non_null(strstr(out, "collapse"));
	free(out);
	assert_int_equal(agent("help collapse", &out, NULL), 0);
	assert_non_null(strstr(out, "--interval-ms"));
	free(out);
	assert_int_equal(agent("--version", &out, NULL), 0);
	free(out);
	assert_int_equal(agent("", NULL, NULL), 2);
	assert_int_equal(agent("nosuchcommand", NULL, NULL), 2);
	assert_int_equal(agent("collapse --bogus", NULL, &err), 2);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	free(err);
	assert_int_equal(agent("collapse --format", NULL, NULL), 2);
	assert_int_equal(agent("collapse --format folded x", NULL, NULL), 2);
	assert_int_equal(agent("collapse --events a,a x", NULL, NULL), 2);
	assert_int_equal(agent("collapse --event a --events b x", NULL, NULL),
	    2);
	assert_int_equal(agent("collapse --interval-ms 0 x", NULL, NULL), 2);
	/* Input that cannot be collapsed: 2. */
	assert_int_equal(agent("collapse /nonexistent/file", NULL, &err), 2);
	assert_non_null(strstr(err, "/nonexistent/file"));
	free(err);
	assert_int_equal(agent("collapse --kernel " D "dtrace-small.txt", NULL,
	    NULL), 2);
	assert_int_equal(ff_test_write(ff_test_fmt("%s/bin", dir),
	    "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16), 0);
	assert_int_equal(agent(ff_test_fmt("collapse %s/bin", dir), NULL,
	    &err), 2);
	assert_non_null(strstr(err, "binary"));
	free(err);
	assert_int_equal(ff_test_write(ff_test_fmt("%s/bad", dir), bad,
	    sizeof bad - 1), 0);
	assert_int_equal(agent(ff_test_fmt("collapse %s/bad", dir), &out,
	    &err), 0);
	assert_string_equal(out, "p;f 1\n");
	assert_non_null(strstr(err, "bad:3:"));
	assert_non_null(strstr(err, "1 malformed line skipped"));
	free(out);
	free(err);
	assert_int_equal(agent(ff_test_fmt("collapse --strict %s/bad", dir),
	    NULL, NULL), 2);
	/* Output that cannot be written: 1. */
	assert_int_equal(agent("collapse " D "dtrace-small.txt >/dev/full",
	    NULL, NULL), 1);
}

static void
test_cli_zstd_input(void **state)
{
	const char *dir = ff_test_tmpdir();
	char *out, *want;

	(void)state;
	if (system("command -v zstd >/dev/null 2>&1") != 0)
		skip();
	assert_int_equal(system(ff_test_fmt("zstd -q -c '%s' > '%s/in.zst'",
	    ff_test_source(D "dtrace-small.txt"), dir)), 0);
	assert_int_equal(agent(ff_test_fmt("collapse %s/in.zst", dir), &out,
	    NULL), 0);
	want = fixture("dtrace-small.expected");
	assert_string_equal(out, want);
	free(out);
	free(want);
}

/* The benchmark's generator: deterministic, and its output collapses to
 * the number of stacks asked for (in both formats). */
static void
test_generator(void **state)
{
	const char *dir = ff_test_tmpdir();
	char gen[1024], *a, *b, *out;
	size_t alen, blen, lines = 0, i;

	(void)state;
	snprintf(gen, sizeof gen, "%s", ff_test_build("bin/ffgen-perfgen"));
	assert_int_equal(system(ff_test_fmt("'%s' --size 300K --stacks 300 "
	    "--seed 7 -o '%s/g1' && '%s' --size 300K --stacks 300 --seed 7 "
	    "-o '%s/g2'", gen, dir, gen, dir)), 0);
	a = ff_test_slurp(ff_test_fmt("%s/g1", dir), &alen);
	b = ff_test_slurp(ff_test_fmt("%s/g2", dir), &blen);
	assert_true(alen >= 300 << 10 && alen == blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	assert_int_equal(agent(ff_test_fmt("collapse --strict %s/g1", dir),
	    &out, NULL), 0);
	for (i = 0; out[i] != '\0'; i++)
		lines += out[i] == '\n';
	assert_true(lines > 290 && lines <= 300);
	free(out);
	assert_int_equal(system(ff_test_fmt("'%s' --format dtrace --size 100K "
	    "--stacks 100 -o '%s/g3'", gen, dir)), 0);
	assert_int_equal(agent(ff_test_fmt("collapse --strict -v %s/g3", dir),
	    &out, &a), 0);
	assert_non_null(strstr(a, "dtrace (detected)"));
	free(a);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_fixtures),
		cmocka_unit_test(test_detect_small_inputs),
		cmocka_unit_test(test_binary_input),
		cmocka_unit_test(test_options_parsing),
		cmocka_unit_test(test_options_must_fit_the_format),
		cmocka_unit_test(test_inputs_merge),
		cmocka_unit_test(test_cli_fixtures),
		cmocka_unit_test(test_cli_messages),
		cmocka_unit_test(test_cli_several_files),
		cmocka_unit_test(test_cli_exit_status),
		cmocka_unit_test(test_cli_zstd_input),
		cmocka_unit_test(test_generator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
