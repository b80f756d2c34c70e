/*
 * test_pmc.c -- the pmcstat callchain collapser: stackcollapse-pmc.pl's
 * rules, aggregated; sections and events; hostile input.
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

	return ff_ct_run(ff_ct_opts(o, FF_COLLAPSE_PMC, &def), text, len,
	    "g.txt", strict, 0, NULL);
}

#define EXPECT(text, expect, nbad) \
	FF_CT_EXPECT(collapse_opts(text, sizeof(text) - 1, NULL, 0), expect, \
	    nbad)

static const char tree[] =
    "@ CPU_CLK_UNHALTED.THREAD_P [812 samples]\n"
    "\n"
    "06.16%  [50]      __mtx_lock_flags @ /boot/kernel/kernel\n"
    " 100.0%  [50]       lock_delay\n"
    "  66.00%  [33]        free\n"
    "   100.0%  [33]         lock_delay\n"
    "  34.00%  [17]        sosend_generic\n"
    "08.37%  [68]      vn_io_fault @ /boot/kernel/kernel\n"
    " 100.0%  [68]       lock_delay\n"
    "  100.0%  [68]        free\n"
    "   100.0%  [68]         lock_delay\n";

static void
test_tree_to_stacks(void **state)
{
	(void)state;
	/* Each path to a leaf, deepest caller first; identical ones sum. */
	EXPECT(tree,
	    "lock_delay;free;lock_delay;__mtx_lock_flags 33\n"
	    "lock_delay;free;lock_delay;vn_io_fault 68\n"
	    "sosend_generic;lock_delay;__mtx_lock_flags 17\n", 0);
	EXPECT("10.0%  [5]  a\n 50.0%  [3]  b\n 50.0%  [2]  b\n",
	    "b;a 5\n", 0);
}

static void
test_line_forms(void **state)
{
	(void)state;
	/* No trailing newline, CRLF, blank lines, ';' in names. */
	EXPECT("10.0%  [5]  a\r\n\r\n 50.0%  [3]  x;y\r\n 50.0%  [2]  c",
	    "c;a 2\nx:y;a 3\n", 0);
	/* One blank between fields is accepted too. */
	EXPECT("10.0% [5] a\n", "a 5\n", 0);
	EXPECT("", "", 0);
}

static void
test_malformed(void **state)
{
	(void)state;
	/* A level skipped; garbage; a count past 2^63-1. */
	EXPECT("10.0%  [5]  a\n   50.0%  [3]  deep\n 50.0%  [2]  b\n"
	    "garbage\n10.0%  [9223372036854775808]  z\n",
	    "b;a 2\n", 3);
	/* Section headers without a name are not headers. */
	EXPECT("@ [3 samples]\n@  [1]\n10.0%  [5]  a\n", "a 5\n", 2);
}

static void
test_sections(void **state)
{
	static const char two[] =
	    "@ CYCLES [3 samples]\n\n10.0%  [3]  a\n 100.0%  [3]  m\n\n"
	    "@ INSTR [7 samples]\n\n10.0%  [7]  a\n 100.0%  [7]  m\n"
	    "10.0%  [1]  b\n";
	ff_collapse_opts o;
	ff_ct_result r;

	(void)state;
	/* Several sections and no event: an error naming them. */
	r = collapse_opts(two, sizeof two - 1, NULL, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	assert_non_null(strstr(r.out, "2 event sections (CYCLES, INSTR)"));
	ff_ct_free(&r);
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PMC;
	strcpy(o.event, "INSTR");
	r = collapse_opts(two, sizeof two - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "b 1\nm;a 7\n");
	assert_int_equal(r.st.skipped_event, 1);
	ff_ct_free(&r);
	strcpy(o.event, "MISSING");
	r = collapse_opts(two, sizeof two - 1, &o, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	assert_non_null(strstr(r.out, "no section for event 'MISSING' "
	    "(sections: CYCLES, INSTR)"));
	ff_ct_free(&r);
	/* Several events: one column each. */
	o.event[0] = '\0';
	assert_int_equal(ff_collapse_opts_events(&o, "CYCLES,INSTR", NULL),
	    FF_OK);
	r = collapse_opts(two, sizeof two - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "b 0 1\nm;a 3 7\n");
	ff_ct_free(&r);
	/* --periods weighs each column. */
	assert_int_equal(ff_collapse_opts_periods(&o, "10,100", NULL), FF_OK);
	r = collapse_opts(two, sizeof two - 1, &o, 0);
	assert_string_equal(r.out, "b 0 100\nm;a 30 700\n");
	ff_ct_free(&r);
	assert_int_equal(ff_collapse_opts_events(&o, "INSTR,NOPE", NULL),
	    FF_OK);
	r = collapse_opts(two, sizeof two - 1, &o, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	ff_ct_free(&r);
}

static void
test_unnamed_section(void **state)
{
	static const char in[] = "10.0%  [3]  a\n";
	static const char named[] = "@ X [1 samples]\n10.0%  [3]  a\n";
	ff_collapse_opts o;
	ff_ct_result r;

	(void)state;
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PMC;
	strcpy(o.event, "X");
	r = collapse_opts(in, sizeof in - 1, &o, 0);
	assert_int_equal(r.rc, FF_ERR_USAGE);
	ff_ct_free(&r);
	assert_int_equal(ff_collapse_opts_events(&o, "X", NULL), FF_OK);
	o.event[0] = '\0';
	r = collapse_opts(named, sizeof named - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "a 3\n");
	ff_ct_free(&r);
}

static void
test_out_of_memory(void **state)
{
	(void)state;
	/* Every allocation of the run, failed in turn. */
	assert_true(ff_ct_nomem_sweep(FF_COLLAPSE_PMC, tree,
	    sizeof tree - 1) > 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_to_stacks),
		cmocka_unit_test(test_line_forms),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_unnamed_section),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
