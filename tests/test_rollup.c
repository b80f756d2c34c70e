/*
 * test_rollup.c -- self and inclusive values per function.
 */
#include "testutil.h"

#include "profile/fold.h"
#include "profile/rollup.h"

#include <string.h>

static ff_rollup *
rollup_of(const char *folded, ff_intern *frames, ff_intern *funcs,
    ff_stacks **s)
{
	ff_rollup *r;
	ff_src *src;
	ff_err err;

	assert_int_equal(ff_src_open_mem(&src, folded, strlen(folded), "t",
	    NULL, &err), FF_OK);
	assert_int_equal(ff_fold_load_src(s, frames, src, 0, NULL, &err),
	    FF_OK);
	ff_src_close(src);
	assert_int_equal(ff_rollup_new(&r, *s, funcs, &err), FF_OK);
	return r;
}

/* Find function name in the rollup; returns its entry or -1. */
static int
entry(const ff_rollup *r, const ff_intern *funcs, const char *name)
{
	uint32_t id, i;

	if (!ff_intern_find(funcs, name, strlen(name), &id))
		return -1;
	for (i = 0; i < ff_rollup_count(r); i++)
		if (ff_rollup_func(r, i) == id)
			return (int)i;
	return -1;
}

static void
test_self_and_inclusive(void **state)
{
	/* f recurses (main;f;g;f): inclusive counts it once per stack. */
	static const char text[] =
	    "main;f 10 1\n"
	    "main;f;g 5 2\n"
	    "main;f;g;f 3 3\n"
	    "main;h+0x1f 7 4\n"
	    "main;h+0x20;g 1 5\n";
	ff_intern *frames = ff_intern_new(), *funcs = ff_intern_new();
	ff_stacks *s;
	ff_rollup *r = rollup_of(text, frames, funcs, &s);
	int e;

	(void)state;
	assert_int_equal(ff_rollup_count(r), 4); /* main f g h */
	assert_int_equal(ff_rollup_nvalues(r), 2);
	e = entry(r, funcs, "main");
	assert_int_equal(ff_rollup_self(r, (uint32_t)e)[0], 0);
	assert_int_equal(ff_rollup_incl(r, (uint32_t)e)[0], 26);
	e = entry(r, funcs, "f");
	assert_int_equal(ff_rollup_self(r, (uint32_t)e)[0], 13);
	assert_int_equal(ff_rollup_incl(r, (uint32_t)e)[0], 18);
	assert_int_equal(ff_rollup_incl(r, (uint32_t)e)[1], 6);
	e = entry(r, funcs, "g");
	assert_int_equal(ff_rollup_self(r, (uint32_t)e)[0], 6);
	assert_int_equal(ff_rollup_incl(r, (uint32_t)e)[0], 9);
	/* h+0x1f and h+0x20 are one function. */
	e = entry(r, funcs, "h");
	assert_true(e >= 0);
	assert_int_equal(ff_rollup_self(r, (uint32_t)e)[0], 7);
	assert_int_equal(ff_rollup_incl(r, (uint32_t)e)[0], 8);
	assert_int_equal(ff_rollup_self(r, (uint32_t)e)[1], 4);
	/* Entries are sorted by function id. */
	assert_true(ff_rollup_func(r, 0) < ff_rollup_func(r, 1));
	ff_rollup_free(r);
	ff_stacks_free(s);
	ff_intern_free(frames);
	ff_intern_free(funcs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_and_inclusive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
