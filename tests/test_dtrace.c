/*
 * test_dtrace.c -- the DTrace collapser: stackcollapse.pl's rules and
 * hostile input.
 */
#include "testutil.h"
#include "collapsetest.h"

#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ff_ct_result
collapse_opts(const char *text, size_t len, const ff_collapse_opts *o,
    int strict)
{
	ff_collapse_opts def;

	return ff_ct_run(ff_ct_opts(o, FF_COLLAPSE_DTRACE, &def), text, len,
	    "d.txt", strict, 0, NULL);
}

#define EXPECT(text, expect, nbad) \
	FF_CT_EXPECT(collapse_opts(text, sizeof(text) - 1, NULL, 0), expect, \
	    nbad)

#define HEAD "CPU     ID                    FUNCTION:NAME\n" \
	"  0  64091                        :tick-60s \n\n"

static void
test_basic(void **state)
{
	(void)state;
	EXPECT(HEAD "\n"
	    "              unix`i86_mwait+0xd\n"
	    "              unix`cpu_idle_mwait+0xf1\n"
	    "              unix`thread_start+0x8\n"
	    "             1641\n\n"
	    "              unix`i86_mwait+0xd\n"
	    "              unix`thread_start+0x8\n"
	    "               12\n\n"
	    "              unix`i86_mwait+0x1f\n"
	    "              unix`cpu_idle_mwait+0xf1\n"
	    "              unix`thread_start+0x8\n"
	    "                9\n",
	    "unix`thread_start;unix`cpu_idle_mwait;unix`i86_mwait 1650\n"
	    "unix`thread_start;unix`i86_mwait 12\n", 0);
}

static void
test_frame_rules(void **state)
{
	(void)state;
	/* C++ arguments and templates after "::" go; the offset goes. */
	EXPECT(HEAD "  libc.so.1`malloc+0x1c\n"
	    "  a.out`ns::Cls::method(int, char const*)+0x10\n"
	    "  a.out`std::vector<int>::push_back(int const&)+0x2\n"
	    "  5\n",
	    "a.out`std::vector<int>::push_back;a.out`ns::Cls::method;"
	    "libc.so.1`malloc 5\n", 0);
	/* Raw addresses, ';' and a leading 'L' (Java), empty frames. */
	EXPECT(HEAD "  0xfffffffffb8001d6\n  Lfoo/Bar;::baz+0x1\n  +0x10\n"
	    "  libjvm.so`op+\n  7\n",
	    "libjvm.so`op;-;foo/Bar:::baz;0xfffffffffb8001d6 7\n", 0);
}

static void
test_names_ending_in_numbers(void **state)
{
	(void)state;
	/* "x` 5" would read back as frame "x`" and a second count. */
	EXPECT(HEAD "  x` 5\n  x`a\t12 \n  1\n", "x`a_12 ;x`_5 1\n", 0);
}

static void
test_inline_split(void **state)
{
	(void)state;
	EXPECT(HEAD "  a.out`leaf+0x1\n  a.out`outer->inner->in2+0x4\n  3\n",
	    "a.out`outer;inner_[i];in2_[i];a.out`leaf 3\n", 0);
}

static void
test_header_lines(void **state)
{
	(void)state;
	/* The first three lines are skipped, whatever they are... */
	EXPECT("a\nb\nc\n  x`f+0x1\n  2\n", "x`f 2\n", 0);
	/* ...but stack data among them is reported, not lost silently. */
	EXPECT("  x`g+0x1\n  1\n\n  x`f+0x1\n  2\n", "x`f 2\n", 2);
}

static void
test_no_trailing_newline_and_crlf(void **state)
{
	(void)state;
	EXPECT(HEAD "  x`f+0x1\n  2", "x`f 2\n", 0);
	EXPECT("h1\r\nh2\r\n\r\n  x`f+0x1\r\n  x`g\r\n  2\r\n\r\n",
	    "x`g;x`f 2\n", 0);
}

static void
test_empty_and_unfinished_stacks(void **state)
{
	(void)state;
	/* A count without frames is malformed. */
	EXPECT(HEAD "  5\n\n  x`f\n  1\n", "x`f 1\n", 1);
	/* So is a stack whose only frame is empty ("L" loses its 'L'). */
	EXPECT(HEAD "  L\n  7\n\n  L\n  L\n  2\n", "; 2\n", 1);
	/* Frames without a count at the end are reported. */
	EXPECT(HEAD "  x`f\n  1\n\n  x`g\n", "x`f 1\n", 1);
	EXPECT(HEAD, "", 0);
}

static void
test_counts(void **state)
{
	ff_collapse_opts o;
	ff_ct_result r;
	static const char small[] = HEAD "  x`f\n  3\n";
	static const char big[] = HEAD "  x`f\n  9223372036854775808\n\n"
	    "  x`g\n  9223372036854775807\n\n  x`g\n  1\n\n  x`h\n  3\n";

	(void)state;
	/* Past 2^63-1: malformed; a sum that would pass it: skipped. */
	r = collapse_opts(big, sizeof big - 1, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "x`g 9223372036854775807\n");
	assert_int_equal(r.bad, 3);
	ff_ct_free(&r);
	/* --periods multiplies. */
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_DTRACE;
	o.periods[0] = 1000;
	r = collapse_opts(small, sizeof small - 1, &o, 0);
	assert_string_equal(r.out, "x`f 3000\n");
	ff_ct_free(&r);
}

static void
test_hostile(void **state)
{
	static const char nul[] = HEAD "  x`f\0g\n  1\n";
	size_t pad = 70 << 10, n = 1 << 20, len;
	ff_ct_result r;
	char *b;

	(void)state;
	r = collapse_opts(nul, sizeof nul - 1, NULL, 0);
	assert_int_equal(r.rc, FF_ERR_PARSE);
	ff_ct_free(&r);
	/* A late NUL: the line is skipped, its stack keeps the rest. */
	b = malloc(sizeof HEAD + pad + 64);
	memcpy(b, HEAD, sizeof HEAD - 1);
	memset(b + sizeof HEAD - 1, '\n', pad);
	len = sizeof HEAD - 1 + pad;
	memcpy(b + len, "  x`f\0g\n  x`h\n  1\n", 18);
	r = collapse_opts(b, len + 18, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "x`h 1\n");
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
	free(b);
	/* A 1 MiB frame is too long; 1 MiB of C++ arguments are not. */
	b = malloc(n + 64);
	len = (size_t)sprintf(b, "h\nh\nh\n  x`f");
	memset(b + len, 'a', n);
	len += n;
	len += (size_t)sprintf(b + len, "\n  1\n  x`g\n  2\n");
	r = collapse_opts(b, len, NULL, 0);
	assert_string_equal(r.out, "x`g 2\n");
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
	len = (size_t)sprintf(b, "h\nh\nh\n  x`a::f(");
	memset(b + len, 'a', n);
	len += n;
	len += (size_t)sprintf(b + len, ")+0x1\n  1\n");
	r = collapse_opts(b, len, NULL, 0);
	assert_string_equal(r.out, "x`a::f 1\n");
	ff_ct_free(&r);
	free(b);
}

static void
test_strict(void **state)
{
	static const char in[] = HEAD "  7\n  x`f\n  1\n";
	ff_ct_result r = collapse_opts(in, sizeof in - 1, NULL, 1);

	(void)state;
	assert_int_equal(r.rc, FF_ERR_PARSE);
	assert_non_null(strstr(r.out, "d.txt:4:"));
	ff_ct_free(&r);
}

static void
test_out_of_memory(void **state)
{
	static const char in[] = HEAD "  x`f\n  x`a->b\n  1\n\n  x`f\n  2\n";

	(void)state;
	/* Every allocation of the run, failed in turn. */
	assert_true(ff_ct_nomem_sweep(FF_COLLAPSE_DTRACE, in,
	    sizeof in - 1) > 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_frame_rules),
		cmocka_unit_test(test_inline_split),
		cmocka_unit_test(test_names_ending_in_numbers),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_no_trailing_newline_and_crlf),
		cmocka_unit_test(test_empty_and_unfinished_stacks),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
