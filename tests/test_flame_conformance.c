/*
 * test_flame_conformance.c -- ffreport flamegraph draws flamegraph.pl's
 * frames.
 *
 * For every $FF_SHARED_DIR/conformance/flamegraph/NAME.folded, run
 * `ffreport flamegraph ARGS NAME.folded` with the options of NAME.args and
 * compare the frames with the reference NAME.svg: the same titles, and
 * rects within 0.1 px.  The output must also be well-formed XML (checked
 * with xmllint when it is installed).  Skipped without ../shared.
 *
 * NAME.args is one line of options whose quoting was lost ("--title
 * Narrow test"), so the free-text options take every word up to the next
 * option.
 */
#include "testutil.h"
#include "svgframes.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { MAX_ARGS = 64, MAX_CASES = 256 };

static const char *const text_options[] = {
	"--title", "--subtitle", "--countname", "--nametype", "--notes", NULL
};

static int
is_text_option(const char *s)
{
	size_t i;

	for (i = 0; text_options[i] != NULL; i++)
		if (strcmp(s, text_options[i]) == 0)
			return 1;
	return 0;
}

/* Split the args line into argv[*argc...]; strings are malloc'd. */
static void
split_args(char *line, char **argv, int *argc)
{
	char *words[MAX_ARGS], *tok, *save = NULL;
	int n = 0, i;

	tok = strtok_r(line, " \t\r\n", &save);
	for (; tok != NULL && n < MAX_ARGS; tok = strtok_r(NULL, " \t\r\n",
	    &save))
		words[n++] = tok;
	for (i = 0; i < n; i++) {
		argv[(*argc)++] = strdup(words[i]);
		if (is_text_option(words[i]) && i + 1 < n) {
			char value[1024] = "";

			while (i + 1 < n &&
			    strncmp(words[i + 1], "--", 2) != 0) {
				if (value[0] != '\0')
					strcat(value, " ");
				strncat(value, words[++i], 200);
			}
			argv[(*argc)++] = strdup(value);
		} else if (strncmp(words[i], "--", 2) == 0 &&
		    strchr(words[i], '=') == NULL && i + 1 < n &&
		    strncmp(words[i + 1], "--", 2) != 0) {
			argv[(*argc)++] = strdup(words[++i]);
		}
	}
}

/* Run argv with stdout to `out`; the exit status. */
static int
run_to(char **argv, const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out,
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ),
	    0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
have_xmllint(void)
{
	return ff_test_run("xmllint --version >/dev/null 2>&1", NULL, NULL) ==
	    0;
}

static void
check_case(void **state)
{
	const char *name = *state;
	const char *dir = ff_test_shared("conformance/flamegraph");
	char *argv[MAX_ARGS + 8], *line, *want_svg, *got_svg;
	const char *out = ff_test_fmt("%s/%s.svg", ff_test_tmpdir(), name);
	svg_frames want, got;
	size_t missing, extra;
	int argc = 0, i;

	argv[argc++] = strdup(ff_test_build("bin/ffreport"));
	argv[argc++] = strdup("flamegraph");
	line = ff_test_slurp(ff_test_fmt("%s/%s.args", dir, name), NULL);
	assert_non_null(line);
	split_args(line, argv, &argc);
	free(line);
	argv[argc++] = strdup(ff_test_fmt("%s/%s.folded", dir, name));
	argv[argc] = NULL;
	assert_int_equal(run_to(argv, out), 0);
	for (i = 0; i < argc; i++)
		free(argv[i]);

	want_svg = ff_test_slurp(ff_test_fmt("%s/%s.svg", dir, name), NULL);
	got_svg = ff_test_slurp(out, NULL);
	assert_non_null(want_svg);
	assert_non_null(got_svg);
	assert_int_equal(svg_frames_parse(want_svg, &want), 0);
	assert_int_equal(svg_frames_parse(got_svg, &got), 0);
	missing = svg_frames_compare(&want, &got, 0.1, &extra, 10);
	fprintf(stderr, "%s: %zu reference frames, %zu drawn, %zu missing, "
	    "%zu extra\n", name, want.n, got.n, missing, extra);
	assert_true(want.n > 0);
	assert_int_equal(missing, 0);
	assert_int_equal(extra, 0);
	svg_frames_free(&want);
	svg_frames_free(&got);
	free(want_svg);
	free(got_svg);
	if (have_xmllint())
		assert_int_equal(ff_test_run(ff_test_fmt("xmllint --noout '%s'",
		    out), NULL, NULL), 0);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case names (NAME of NAME.folded), sorted. */
static size_t
list_cases(const char *dir, char **names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < MAX_CASES) {
		size_t len = strlen(e->d_name);

		if (len > 7 && strcmp(e->d_name + len - 7, ".folded") == 0)
			names[n++] = strndup(e->d_name, len - 7);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	return n;
}

int
main(void)
{
	const char *dir = ff_test_shared("conformance/flamegraph");
	struct CMUnitTest tests[MAX_CASES];
	char *names[MAX_CASES];
	size_t n, i;
	int rc;

	if (dir == NULL || access(ff_test_build("bin/ffreport"), X_OK) != 0) {
		fprintf(stderr,
		    "skipped: no conformance data or no ffreport\n");
		return FF_TEST_SKIP;
	}
	if ((n = list_cases(dir, names)) == 0)
		return FF_TEST_SKIP;
	for (i = 0; i < n; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(check_case,
		    names[i]);

		t.name = names[i];
		tests[i] = t;
	}
	rc = _cmocka_run_group_tests("flame_conformance", tests, n, NULL,
	    NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
