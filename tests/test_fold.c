/*
 * test_fold.c -- the folded grammar: reader, loader, writer.
 */
#include "testutil.h"

#include "profile/diag.h"
#include "profile/fold.h"
#include "profile/limits.h"
#include "profile/src.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Load text with ncols (0 = detect), write it back sorted; returns the
 * output (malloc'd) and the diag counts. */
static char *
roundtrip(const char *text, size_t len, unsigned ncols, int strict,
    ff_rc *rc_out, uint64_t *bad)
{
	ff_intern *t = ff_intern_new();
	ff_diag *d = ff_diag_new(NULL, "test", strict);
	ff_stacks *s = NULL;
	ff_src *src;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	ff_err err;
	ff_rc rc;

	assert_int_equal(ff_src_open_mem(&src, text, len, "in.folded", NULL,
	    &err), FF_OK);
	rc = ff_fold_load_src(&s, t, src, ncols, d, &err);
	*rc_out = rc;
	if (bad != NULL)
		*bad = ff_diag_count(d);
	if (rc == FF_OK) {
		f = open_memstream(&out, &outlen);
		assert_int_equal(ff_fold_write(s, f, &err), FF_OK);
		fclose(f);
	} else {
		out = strdup(err.msg);
	}
	ff_stacks_free(s);
	ff_src_close(src);
	ff_diag_free(d);
	ff_intern_free(t);
	return out;
}

#define RT(text, ncols, expect, nbad) do {                               \
	ff_rc rc_; uint64_t bad_;                                        \
	char *o_ = roundtrip(text, sizeof(text) - 1, ncols, 0, &rc_, &bad_); \
	assert_int_equal(rc_, FF_OK);                                    \
	assert_string_equal(o_, expect);                                 \
	assert_int_equal(bad_, nbad);                                    \
	free(o_);                                                        \
} while (0)

static void
test_merge_and_sort(void **state)
{
	(void)state;
	RT("b;c 2\na;b 1\nb;c 3\n", 0, "a;b 1\nb;c 5\n", 0);
	/* No trailing newline, CRLF, blank lines, tabs. */
	RT("a;b 1\r\n\r\n\n  \na;b\t2", 0, "a;b 3\n", 0);
	/* Frames with spaces; a number inside a name is fine. */
	RT("main;operator new 4\nmain;f 12 x 1\n", 1,
	    "main;f 12 x 1\nmain;operator new 4\n", 0);
	/* Empty frames are frames. */
	RT(";a 1\na;;b 2\n", 0, ";a 1\na;;b 2\n", 0);
}

static void
test_two_columns(void **state)
{
	(void)state;
	RT("a;b 1 2\na;c 0 5\na;b 3 4\n", 0, "a;b 4 6\na;c 0 5\n", 0);
	/* A line with one count in a two-column file is malformed. */
	RT("a;b 1 2\na;c 5\n", 0, "a;b 1 2\n", 1);
	/* And one with two counts in a one-column file. */
	RT("a;b 1\na;c 5 6\n", 0, "a;b 1\n", 1);
	RT("a 1 2 3\n", 3, "a 1 2 3\n", 0);
}

static void
test_bad_counts_are_skipped(void **state)
{
	(void)state;
	RT("ok 1\nneg -1\n", 0, "ok 1\n", 1);
	RT("ok 1\nexp 1e9\n", 0, "ok 1\n", 1);
	RT("ok 1\nbig 18446744073709551616\n", 0, "ok 1\n", 1);
	RT("ok 1\nbig 9223372036854775808\n", 0, "ok 1\n", 1);
	RT("max 9223372036854775807\n", 0, "max 9223372036854775807\n", 0);
	RT("ok 1\nfrac 1.5\n", 0, "ok 1\n", 1);
	RT("ok 1\nnocount\n", 0, "ok 1\n", 1);
	RT("ok 1\n 5\n", 0, "ok 1\n", 1);
	/* Sums past 2^63-1 skip the line that would overflow. */
	RT("a 9223372036854775807\nb 1\n", 0, "a 9223372036854775807\n", 1);
}

static void
test_nul_byte_line(void **state)
{
	static const char text[] = "a;b 1\nx\0y 2\nc 3\n";
	ff_rc rc;
	uint64_t bad;
	char *o = roundtrip(text, sizeof text - 1, 0, 0, &rc, &bad);

	(void)state;
	assert_int_equal(rc, FF_OK);
	assert_string_equal(o, "a;b 1\nc 3\n");
	assert_int_equal(bad, 1);
	free(o);
}

static void
test_strict_names_file_and_line(void **state)
{
	static const char text[] = "a 1\nb 2\nc x\n";
	ff_rc rc;
	char *o = roundtrip(text, sizeof text - 1, 0, 1, &rc, NULL);

	(void)state;
	assert_int_equal(rc, FF_ERR_PARSE);
	assert_non_null(strstr(o, "in.folded:3:"));
	assert_non_null(strstr(o, "'x'"));
	free(o);
}

static void
test_limits(void **state)
{
	size_t n = (FF_DEPTH_MAX + 10) * 2 + 16, i;
	char *deep = malloc(n), *big, *o;
	size_t len = 0;
	uint64_t bad;
	ff_rc rc;

	(void)state;
	for (i = 0; i < FF_DEPTH_MAX + 1; i++) {
		deep[len++] = 'f';
		deep[len++] = ';';
	}
	len--;
	len += (size_t)sprintf(deep + len, " 1\nok 2\n");
	o = roundtrip(deep, len, 0, 0, &rc, &bad);
	assert_int_equal(rc, FF_OK);
	assert_string_equal(o, "ok 2\n");
	assert_int_equal(bad, 1);
	free(o);
	free(deep);

	/* A frame name over FF_FRAME_MAX is refused; a 1 MiB line of
	 * ordinary frames is fine. */
	big = malloc((1 << 20) + 64);
	memset(big, 'x', FF_FRAME_MAX + 1);
	len = FF_FRAME_MAX + 1;
	len += (size_t)sprintf(big + len, " 1\nok 1\n");
	o = roundtrip(big, len, 0, 0, &rc, &bad);
	assert_string_equal(o, "ok 1\n");
	assert_int_equal(bad, 1);
	free(o);
	for (i = 0; i < (1 << 20); i++)
		big[i] = (i % 1000 == 999) ? ';' : 'a';
	len = (size_t)(1 << 20);
	len += (size_t)sprintf(big + len, " 7\n");
	o = roundtrip(big, len, 0, 0, &rc, &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(strlen(o), len);
	free(o);
	free(big);
}

/* Loading sorted input reuses prefixes; the result must not depend on
 * the input order. */
static void
test_prefix_reuse_is_exact(void **state)
{
	static const char sorted[] =
	    "a;b 1\na;b;c 1\na;b;c;d 1\na;b;cd 1\na;bc 1\na;bc;d 1\nab 1\n"
	    "ab;c 1\n";
	static const char shuffled[] =
	    "ab;c 1\na;b;cd 1\na;b 1\na;bc;d 1\nab 1\na;b;c;d 1\na;bc 1\n"
	    "a;b;c 1\n";
	ff_rc rc;
	char *o1 = roundtrip(sorted, sizeof sorted - 1, 0, 0, &rc, NULL);
	char *o2 = roundtrip(shuffled, sizeof shuffled - 1, 0, 0, &rc, NULL);

	(void)state;
	assert_string_equal(o1, sorted);
	assert_string_equal(o2, sorted);
	free(o1);
	free(o2);
}

static void
test_reader_lines(void **state)
{
	static const char text[] = "x;y 1 2\n\nz 3 4\n";
	ff_fold_reader *r;
	ff_fold_line line;
	ff_src *src;
	ff_err err;

	(void)state;
	assert_int_equal(ff_src_open_mem(&src, text, sizeof text - 1, "t",
	    NULL, &err), FF_OK);
	assert_int_equal(ff_fold_reader_new(&r, src, 0, NULL, &err), FF_OK);
	assert_int_equal(ff_fold_reader_next(r, &line, &err), FF_OK);
	assert_int_equal(ff_fold_reader_ncols(r), 2);
	assert_int_equal(line.len, 3);
	assert_memory_equal(line.stack, "x;y", 3);
	assert_int_equal(line.values[0], 1);
	assert_int_equal(line.values[1], 2);
	assert_int_equal(ff_fold_reader_next(r, &line, &err), FF_OK);
	assert_int_equal(line.values[1], 4);
	assert_int_equal(ff_fold_reader_next(r, &line, &err), FF_DONE);
	ff_fold_reader_free(r);
	ff_src_close(src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_sort),
		cmocka_unit_test(test_two_columns),
		cmocka_unit_test(test_bad_counts_are_skipped),
		cmocka_unit_test(test_nul_byte_line),
		cmocka_unit_test(test_strict_names_file_and_line),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_prefix_reuse_is_exact),
		cmocka_unit_test(test_reader_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
