/*
 * test_collect.c -- one profile of `ffagent run`: build and host, the
 * command's output collapsed (stdout or an output file, profiler formats
 * or folded), metadata and labels, and the failures (command failed, no
 * samples, unreadable output).
 */
#include "testutil.h"

#include "agent/agentlog.h"
#include "agent/collect.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int logfd = -1;

static int
quiet(void **state)
{
	(void)state;
	logfd = open("/dev/null", O_WRONLY);
	ff_agentlog_set_fd(logfd);
	return 0;
}

static int
loud(void **state)
{
	(void)state;
	ff_agentlog_set_fd(-1);
	close(logfd);
	return 0;
}

static void
load(ff_agentconf *c, const char *extra)
{
	char text[8192];
	ff_err err;

	snprintf(text, sizeof text, "server = http://127.0.0.1:1\n"
	    "build_cmd = printf ' 2026.11.3 \\n second line'\n"
	    "labels = site=ams2, role=edge\n%s", extra);
	ff_agentconf_init(c);
	ff_err_init(&err);
	if (ff_agentconf_parse(c, text, strlen(text), "t.conf", &err) != FF_OK)
		fail_msg("%s", err.msg);
}

/* Run profile `name` of c; returns the code, the folded text in *folded
 * (malloc'd) on success. */
static ff_rc
collect(const ff_agentconf *c, const char *name, ff_meta *m, char **folded,
    ff_err *err)
{
	ff_intern *frames = NULL;
	ff_stacks *s = NULL;
	const char *path = ff_test_fmt("%s/out.folded", ff_test_tmpdir());
	FILE *f;
	ff_rc rc;

	ff_err_init(err);
	*folded = NULL;
	rc = ff_collect_profile(c, ff_agentconf_find(c, name), "h1",
	    "b1", m, &frames, &s, err);
	if (rc == FF_OK) {
		f = fopen(path, "w");
		assert_int_equal(ff_fold_write(s, f, NULL), FF_OK);
		fclose(f);
		*folded = ff_test_slurp(path, NULL);
	}
	ff_stacks_free(s);
	ff_intern_free(frames);
	return rc;
}

static void
test_build_and_host(void **state)
{
	const char *bf = ff_test_fmt("%s/release", ff_test_tmpdir());
	char host[256], *build = NULL;
	ff_agentconf c;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	load(&c, "host = cache-1\n");
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_OK);
	assert_string_equal(build, "2026.11.3");
	ff_free(build);
	assert_int_equal(ff_collect_host(&c, host, sizeof host, &err), FF_OK);
	assert_string_equal(host, "cache-1");
	ff_free(c.host);
	c.host = NULL;
	assert_int_equal(ff_collect_host(&c, host, sizeof host, &err), FF_OK);
	assert_true(host[0] != '\0');
	/* a failing build_cmd, an empty first line, a build_file */
	ff_free(c.build_cmd);
	c.build_cmd = ff_strdup("exit 3");
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_ERR_IO);
	assert_string_equal(err.msg, "build_cmd: exited with status 3");
	ff_free(c.build_cmd);
	c.build_cmd = ff_strdup("echo; echo x");
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_ERR_PARSE);
	ff_free(c.build_cmd);
	c.build_cmd = NULL;
	c.build_file = ff_strdup(bf);
	assert_int_equal(ff_test_write(bf, "r42\r\n", 5), 0);
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_OK);
	assert_string_equal(build, "r42");
	ff_free(build);
	assert_int_equal(ff_test_write(bf, "a\x01" "b\n", 4), 0);
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_ERR_PARSE);
	unlink(bf);
	assert_int_equal(ff_collect_build(&c, &build, &err), FF_ERR_IO);
	ff_agentconf_free(&c);
}

static void
test_perf_two_events(void **state)
{
	const char *fx = ff_test_source("tests/data/collapse/"
	    "perf-two-events.txt");
	char extra[2048], *got, *want;
	ff_agentconf c;
	ff_meta m;
	ff_err err;

	(void)state;
	snprintf(extra, sizeof extra, "[profile cpi]\ncommand = cat '%s'\n"
	    "format = perf\ntype = cpi\nevents = cycles,instructions\n"
	    "duration_s = 0\nlabels = site=lab\n"
	    "labels_cmd = echo \"profile=$FF_PROFILE\"; echo gbps=9\n", fx);
	load(&c, extra);
	ff_meta_init(&m);
	assert_int_equal(collect(&c, "cpi", &m, &got, &err), FF_OK);
	assert_int_equal(ff_test_run(ff_test_fmt("'%s' collapse --events "
	    "cycles,instructions '%s'", ff_test_build("bin/ffagent"), fx),
	    &want, NULL), 0);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_string_equal(m.host, "h1");
	assert_string_equal(m.build, "b1");
	assert_string_equal(m.type, "cpi");
	assert_int_equal(m.nevents, 2);
	assert_string_equal(m.events[1], "instructions");
	assert_string_equal(ff_meta_label(&m, "site"), "lab");   /* wins */
	assert_string_equal(ff_meta_label(&m, "role"), "edge");
	assert_string_equal(ff_meta_label(&m, "profile"), "cpi");
	assert_string_equal(ff_meta_label(&m, "gbps"), "9");
	assert_non_null(m.agent);
	assert_true(m.start > 1700000000);
	assert_int_equal(ff_meta_validate(&m, &err), FF_OK);
	ff_meta_free(&m);
	ff_agentconf_free(&c);
}

static void
test_folded_and_output_file(void **state)
{
	const char *out = ff_test_fmt("%s/prof.out", ff_test_tmpdir());
	char extra[1024], *got;
	ff_agentconf c;
	ff_meta m;
	ff_err err;

	(void)state;
	snprintf(extra, sizeof extra, "[profile f]\n"
	    "command = printf 'b;c 2\\na;b 1\\nb;c 1\\n' > %s; echo ignored\n"
	    "output = %s\nformat = folded\nperiods = 10\n", out, out);
	load(&c, extra);
	ff_meta_init(&m);
	assert_int_equal(collect(&c, "f", &m, &got, &err), FF_OK);
	assert_string_equal(got, "a;b 1\nb;c 3\n");
	free(got);
	assert_string_equal(m.events[0], "samples");
	assert_int_equal(m.periods[0], 10);
	assert_int_equal(m.duration_s, 60.0);
	assert_int_equal(access(out, F_OK), -1);   /* removed after use */
	ff_meta_free(&m);
	ff_agentconf_free(&c);
}

static void
test_failures(void **state)
{
	ff_agentconf c;
	ff_meta m;
	char *got;
	ff_err err;

	(void)state;
	load(&c, "[profile fails]\ncommand = echo 'a;b 1'; exit 2\n"
	    "format = folded\n"
	    "[profile empty]\ncommand = true\nformat = perf\n"
	    "[profile binary]\ncommand = printf 'x\\000y'\n"
	    "[profile slow]\ncommand = echo 'a;b 1'; sleep 100\n"
	    "format = folded\ntimeout_s = 1\n"
	    "[profile nofile]\ncommand = true\noutput = /nonexistent/x\n"
	    "[profile badlabels]\ncommand = echo 'a;b 1'\nformat = folded\n"
	    "labels_cmd = exit 1\n");
	ff_meta_init(&m);
	assert_int_equal(collect(&c, "fails", &m, &got, &err), FF_ERR_IO);
	assert_string_equal(err.msg, "profile fails: the command exited with "
	    "status 2");
	assert_int_equal(collect(&c, "empty", &m, &got, &err), FF_DONE);
	assert_string_equal(err.msg, "profile empty: no samples");
	assert_int_equal(collect(&c, "binary", &m, &got, &err), FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "profile binary: "));
	assert_int_equal(collect(&c, "slow", &m, &got, &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "timed out after 1 s"));
	assert_int_equal(collect(&c, "nofile", &m, &got, &err), FF_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));
	assert_null(m.host);   /* left empty on error */
	/* a failing labels_cmd keeps the profile */
	assert_int_equal(collect(&c, "badlabels", &m, &got, &err), FF_OK);
	free(got);
	assert_null(ff_meta_label(&m, "x"));
	ff_meta_free(&m);
	ff_agentconf_free(&c);
}

static void
test_labels_text(void **state)
{
	static const char text[] = "a=1\r\n# comment\n\nbad\nb c=2\nc=\n"
	    "d=x=y\ne=\x01\nf=3";
	ff_meta m;

	(void)state;
	ff_meta_init(&m);
	ff_collect_labels_text(&m, text, strlen(text), 4, "test");
	assert_string_equal(ff_meta_label(&m, "a"), "1");
	assert_string_equal(ff_meta_label(&m, "c"), "");
	assert_string_equal(ff_meta_label(&m, "d"), "x=y");
	assert_string_equal(ff_meta_label(&m, "f"), "3");
	assert_int_equal(m.nlabels, 4);
	/* no room left: a new key is refused, an existing one replaced */
	ff_collect_labels_text(&m, "g=1\na=9\n", 8, 0, "test");
	assert_null(ff_meta_label(&m, "g"));
	assert_string_equal(ff_meta_label(&m, "a"), "9");
	ff_meta_free(&m);
}

/* Out of memory at every allocation of a profile: a clean error (or the
 * profile without some labels), never a crash or a leak. */
static void
test_out_of_memory(void **state)
{
	unsigned long need, i;
	ff_agentconf c;
	ff_meta m;
	char *got;
	ff_err err;
	ff_rc rc;

	(void)state;
	load(&c, "[profile f]\ncommand = printf 'a;b 1\\nb;c 2\\n'\n"
	    "format = folded\nlabels_cmd = echo k=v\n");
	ff_meta_init(&m);
	ff_mem_fail_at(ULONG_MAX, 0);
	rc = collect(&c, "f", &m, &got, &err);
	need = ff_mem_fail_at(0, 0);
	assert_int_equal(rc, FF_OK);
	free(got);
	for (i = 1; i <= need; i++) {
		ff_intern *frames = NULL;
		ff_stacks *s = NULL;
		int fired;

		ff_mem_fail_at(i, 1);
		rc = ff_collect_profile(&c, ff_agentconf_find(&c, "f"), "h",
		    "b", &m, &frames, &s, &err);
		fired = ff_mem_failed();
		ff_mem_fail_at(0, 0);
		if (rc == FF_OK) {
			/* only labels_cmd failed: the profile stays */
			if (fired)
				assert_null(ff_meta_label(&m, "k"));
			assert_int_equal(ff_stacks_count(s), 2);
		} else {
			assert_int_equal(rc, FF_ERR_NOMEM);
			assert_null(m.host);
		}
		ff_stacks_free(s);
		ff_intern_free(frames);
		ff_meta_free(&m);
	}
	ff_meta_free(&m);
	ff_agentconf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_host),
		cmocka_unit_test(test_perf_two_events),
		cmocka_unit_test(test_folded_and_output_file),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_labels_text),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, quiet, loud);
}
