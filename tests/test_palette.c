/*
 * test_palette.c -- colour schemes, name hashing, scales, palette files.
 */
#include "testutil.h"
#include "svgframes.h"

#include "profile/mem.h"
#include "report/palette.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ff_rgb
color(ff_palette_scheme s, ff_palette_vary v, const char *name)
{
	return ff_palette_color(s, v, name, strlen(name));
}

#define assert_rgb(c, R, G, B) do {                                    \
	ff_rgb c_ = (c);                                               \
	assert_int_equal(c_.r, R);                                     \
	assert_int_equal(c_.g, G);                                     \
	assert_int_equal(c_.b, B);                                     \
} while (0)

static int
same_rgb(ff_rgb a, ff_rgb b)
{
	return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* Perl: srand(0); rand(1) */
static void
test_seeded(void **state)
{
	(void)state;
	assert_true(fabs(ff_palette_seeded(0) - 0.17082803610629) < 1e-13);
	/* flamegraph.pl's root ("" sums to 0) and a named frame. */
	assert_rgb(color(FF_PAL_HOT, FF_VARY_NAME, ""), 213, 39, 9);
	assert_rgb(color(FF_PAL_HOT, FF_VARY_NAME, "alloc_pages_current"),
	    216, 51, 12);
	/* The same name always gets the same colour. */
	assert_true(same_rgb(color(FF_PAL_MEM, FF_VARY_NAME, "x"),
	    color(FF_PAL_MEM, FF_VARY_NAME, "x")));
}

static void
test_namehash(void **state)
{
	static const struct {
		const char *name;
		double fwd, rev;
	} cases[] = {
		{ "foo", 0.866502010702638, 0.859440803014471 },
		{ "libc.so`malloc", 0.489028213166144, 0.715810139007631 },
		{ "ab", 0.452674897119342, 0.437448559670782 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *n = cases[i].name;

		assert_true(fabs(ff_palette_namehash(n, strlen(n), 0) -
		    cases[i].fwd) < 1e-12);
		assert_true(fabs(ff_palette_namehash(n, strlen(n), 1) -
		    cases[i].rev) < 1e-12);
	}
	/* hot with --hash: r from the reversed hash, g and b from both. */
	assert_rgb(color(FF_PAL_HOT, FF_VARY_HASH, "foo"), 247, 199, 47);
}

/* The multi-hue schemes pick a flat scheme by the name's shape. */
static void
test_scheme_types(void **state)
{
	static const struct {
		ff_palette_scheme multi;
		const char *name;
		ff_palette_scheme flat;
	} cases[] = {
		{ FF_PAL_JAVA, "java/lang/String:.hashCode", FF_PAL_GREEN },
		{ FF_PAL_JAVA, "Lcom/foo/Bar;.baz", FF_PAL_GREEN },
		{ FF_PAL_JAVA, "Interpreter:::call", FF_PAL_GREEN },
		{ FF_PAL_JAVA, "PSRootsClosure<false>::do_oop", FF_PAL_YELLOW },
		{ FF_PAL_JAVA, "tcp_sendmsg_[k]", FF_PAL_ORANGE },
		{ FF_PAL_JAVA, "Foo.bar_[j]", FF_PAL_GREEN },
		{ FF_PAL_JAVA, "Foo.bar_[i]", FF_PAL_AQUA },
		{ FF_PAL_JAVA, "memcpy", FF_PAL_RED },
		{ FF_PAL_JS, "LazyCompile:~foo /app/x.js:1_[j]", FF_PAL_GREEN },
		{ FF_PAL_JS, "Builtin:ArgumentsAdaptor_[j]", FF_PAL_AQUA },
		{ FF_PAL_JS, "v8::internal::Heap", FF_PAL_YELLOW },
		{ FF_PAL_JS, "/app/server.js:42", FF_PAL_GREEN },
		{ FF_PAL_JS, "Stub:CEntry", FF_PAL_AQUA },
		{ FF_PAL_JS, " ", FF_PAL_GREEN },
		{ FF_PAL_JS, "do_syscall_64_[k]", FF_PAL_ORANGE },
		{ FF_PAL_JS, "read", FF_PAL_RED },
		{ FF_PAL_PERL, "Perl_pp_entersub", FF_PAL_GREEN },
		{ FF_PAL_PERL, "main::foo", FF_PAL_YELLOW },
		{ FF_PAL_PERL, "/usr/bin/x.pl", FF_PAL_GREEN },
		{ FF_PAL_PERL, "sys_read_[k]", FF_PAL_ORANGE },
		{ FF_PAL_PERL, "malloc", FF_PAL_RED },
		{ FF_PAL_CHAIN, "wake_up_[w]", FF_PAL_AQUA },
		{ FF_PAL_CHAIN, "schedule", FF_PAL_BLUE },
		{ FF_PAL_WAKEUP, "anything", FF_PAL_AQUA },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (!same_rgb(color(cases[i].multi, FF_VARY_NAME,
		    cases[i].name), color(cases[i].flat, FF_VARY_NAME,
		    cases[i].name)))
			fail_msg("%s in %s is not %s", cases[i].name,
			    ff_palette_scheme_name(cases[i].multi),
			    ff_palette_scheme_name(cases[i].flat));
}

static void
test_flat_ranges(void **state)
{
	ff_rgb c;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		char name[32];

		snprintf(name, sizeof name, "fn%d", i);
		c = color(FF_PAL_RED, FF_VARY_NAME, name);
		assert_true(c.r >= 200 && c.g >= 50 && c.g <= 130 &&
		    c.g == c.b);
		c = color(FF_PAL_ORANGE, FF_VARY_NAME, name);
		assert_true(c.r >= 190 && c.g >= 90 && c.b == 0);
		c = color(FF_PAL_HOT, FF_VARY_NAME, name);
		assert_true(c.r >= 205 && c.g <= 230 && c.b <= 55);
	}
}

static void
test_parse_and_background(void **state)
{
	ff_palette_scheme s;
	char c1[8], c2[8];
	ff_err err;

	(void)state;
	assert_int_equal(ff_palette_scheme_parse("java", &s, &err), FF_OK);
	assert_int_equal(s, FF_PAL_JAVA);
	assert_string_equal(ff_palette_scheme_name(s), "java");
	assert_int_equal(ff_palette_scheme_parse("rainbow", &s, &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_palette_background(NULL, FF_PAL_HOT, c1, c2, &err),
	    FF_OK);
	assert_string_equal(c2, "#eeeeb0");
	assert_int_equal(ff_palette_background("", FF_PAL_MEM, c1, c2, &err),
	    FF_OK);
	assert_string_equal(c1, "#eef2ee");
	assert_int_equal(ff_palette_background(NULL, FF_PAL_IO, c1, c2, &err),
	    FF_OK);
	assert_string_equal(c2, "#e0e0ff");
	assert_int_equal(ff_palette_background(NULL, FF_PAL_AQUA, c1, c2,
	    &err), FF_OK);
	assert_string_equal(c1, "#f8f8f8");
	assert_int_equal(ff_palette_background("#12aBcd", FF_PAL_HOT, c1, c2,
	    &err), FF_OK);
	assert_string_equal(c1, "#12aBcd");
	assert_string_equal(c2, "#12aBcd");
	assert_int_equal(ff_palette_background("#zzzzzz", FF_PAL_HOT, c1, c2,
	    &err), FF_ERR_USAGE);
	assert_int_equal(ff_palette_background("#\"><x", FF_PAL_HOT, c1, c2,
	    &err), FF_ERR_USAGE);
}

static void
test_scales(void **state)
{
	(void)state;
	assert_rgb(ff_palette_diff(0, 10, 0), 255, 255, 255);
	assert_rgb(ff_palette_diff(5, 10, 0), 255, 105, 105);
	assert_rgb(ff_palette_diff(-10, 10, 0), 0, 0, 255);
	assert_rgb(ff_palette_diff(5, 10, 1), 105, 105, 255);
	assert_rgb(ff_palette_diff(50, 10, 0), 255, 0, 0);   /* clamped */
	assert_rgb(ff_palette_ramp(0), 60, 110, 230);
	assert_rgb(ff_palette_ramp(0.5), 170, 100, 200);
	assert_rgb(ff_palette_ramp(1), 230, 60, 50);
	assert_rgb(ff_palette_ramp(-3), 60, 110, 230);
	assert_rgb(ff_palette_cpi(0.1, 0.5, 4), 60, 110, 230);
	assert_rgb(ff_palette_cpi(9, 0.5, 4), 230, 60, 50);
	/* The geometric mean of the range is the middle of the ramp. */
	assert_rgb(ff_palette_cpi(sqrt(2.0), 0.5, 4), 170, 100, 200);
	assert_rgb(ff_palette_cpi(INFINITY, 0.5, 4), 200, 200, 200);
	assert_rgb(ff_palette_ratio(NAN), 200, 200, 200);
	assert_rgb(ff_palette_ratio(1), 230, 60, 50);
}

/* --random: successive colours differ, and a seed repeats them. */
static void
test_random(void **state)
{
	ff_palette a, b;
	ff_rgb ca, cb, c2;

	(void)state;
	ff_palette_init(&a, FF_PAL_HOT, FF_VARY_RANDOM, 42, NULL);
	ff_palette_init(&b, FF_PAL_HOT, FF_VARY_RANDOM, 42, NULL);
	assert_int_equal(ff_palette_pick(&a, "f", 1, &ca), FF_OK);
	assert_int_equal(ff_palette_pick(&b, "f", 1, &cb), FF_OK);
	assert_true(same_rgb(ca, cb));
	assert_int_equal(ff_palette_pick(&a, "f", 1, &c2), FF_OK);
	assert_false(same_rgb(ca, c2));
}

static void
test_map_roundtrip(void **state)
{
	const char *path = ff_test_fmt("%s/palette.map", ff_test_tmpdir());
	static const char text[] =
	    "zeta->rgb(1,2,3)\n"
	    "broken line\n"
	    "alpha->rgb(250,0,17)\n"
	    "bad->rgb(300,0,0)\n"
	    "with->arrow->rgb(9,9,9)\n";
	ff_palette_map *m = ff_palette_map_new();
	ff_palette pal;
	ff_rgb c;
	ff_err err;
	char *saved;

	(void)state;
	assert_non_null(m);
	assert_int_equal(ff_palette_map_load(m, "/nonexistent/palette.map",
	    &err), FF_OK);
	assert_int_equal(ff_palette_map_count(m), 0);
	assert_int_equal(ff_test_write(path, text, sizeof text - 1), 0);
	assert_int_equal(ff_palette_map_load(m, path, &err), FF_OK);
	assert_int_equal(ff_palette_map_count(m), 2);
	assert_true(ff_palette_map_get(m, "alpha", 5, &c));
	assert_rgb(c, 250, 0, 17);
	/* Known names keep their colour; new ones are added. */
	ff_palette_init(&pal, FF_PAL_HOT, FF_VARY_RANDOM, 1, m);
	assert_int_equal(ff_palette_pick(&pal, "zeta", 4, &c), FF_OK);
	assert_rgb(c, 1, 2, 3);
	assert_int_equal(ff_palette_pick(&pal, "mid", 3, &c), FF_OK);
	assert_int_equal(ff_palette_map_count(m), 3);
	assert_int_equal(ff_palette_map_save(m, path, &err), FF_OK);
	saved = ff_test_slurp(path, NULL);
	assert_non_null(saved);
	assert_true(strncmp(saved, "alpha->rgb(250,0,17)\nmid->rgb(", 30) == 0);
	assert_non_null(strstr(saved, "\nzeta->rgb(1,2,3)\n"));
	free(saved);
	assert_int_equal(ff_palette_map_save(m, "/nonexistent/dir/p.map",
	    &err), FF_ERR_IO);
	ff_palette_map_free(m);
}

/* Every allocation failure in map use ends cleanly. */
static void
test_map_nomem(void **state)
{
	unsigned long n;

	(void)state;
	for (n = 1; n < 200; n++) {
		ff_palette_map *m;
		ff_rc rc = FF_OK;
		int i;

		ff_mem_fail_at(n, 1);
		m = ff_palette_map_new();
		for (i = 0; m != NULL && i < 300 && rc == FF_OK; i++) {
			char name[16];
			ff_rgb c = { 1, 2, 3 };

			snprintf(name, sizeof name, "f%d", i);
			rc = ff_palette_map_put(m, name, strlen(name), c);
		}
		ff_palette_map_free(m);
		if (!ff_mem_failed()) {
			ff_mem_fail_at(0, 0);
			break;
		}
		ff_mem_fail_at(0, 0);
	}
	assert_true(n < 200);
}

/* flamegraph.pl's colours in the reference SVGs, frame by frame. */
static void
check_reference(const char *file, ff_palette_scheme scheme)
{
	const char *path = ff_test_shared(ff_test_fmt(
	    "conformance/flamegraph/%s", file));
	char *svg;
	svg_frames fr;
	size_t i, checked = 0;

	if (path == NULL)
		skip();
	svg = ff_test_slurp(path, NULL);
	assert_non_null(svg);
	assert_int_equal(svg_frames_parse(svg, &fr), 0);
	for (i = 0; i < fr.n; i++) {
		char *t = fr.v[i].title, *paren = strrchr(t, '(');
		char want[32];
		ff_rgb c;

		assert_non_null(paren);
		paren[-1] = '\0';
		if (strcmp(t, "all") == 0)
			t[0] = '\0';
		c = color(scheme, FF_VARY_NAME, t);
		snprintf(want, sizeof want, "rgb(%d,%d,%d)", c.r, c.g, c.b);
		if (strcmp(want, fr.v[i].fill) != 0)
			fail_msg("%s: %s is %s, want %s", file, t, want,
			    fr.v[i].fill);
		checked++;
	}
	assert_true(checked > 1000);
	svg_frames_free(&fr);
	free(svg);
}

static void
test_reference_hot(void **state)
{
	(void)state;
	check_reference("example-default.svg", FF_PAL_HOT);
}

static void
test_reference_java(void **state)
{
	(void)state;
	check_reference("example-java.svg", FF_PAL_JAVA);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeded),
		cmocka_unit_test(test_namehash),
		cmocka_unit_test(test_scheme_types),
		cmocka_unit_test(test_flat_ranges),
		cmocka_unit_test(test_parse_and_background),
		cmocka_unit_test(test_scales),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_map_roundtrip),
		cmocka_unit_test(test_map_nomem),
		cmocka_unit_test(test_reference_hot),
		cmocka_unit_test(test_reference_java),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
