/*
 * test_flamesvg.c -- rendering: titles, labels, colours, escaping, the
 * embeddable form, and the entry points of report/flamegraph.h.
 */
#include "testutil.h"
#include "svgframes.h"

#include "profile/fold.h"
#include "report/flamegraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Render folded text through ff_flamegraph_stacks; the SVG (malloc'd)
 * and the result code in *rc. */
static char *
render(const char *text, const ff_flamegraph_opts *o, ff_rc *rc,
    ff_flamegraph_stats *st)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL;
	ff_src *src;
	ff_err err;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(ff_src_open_mem(&src, text, strlen(text), "t.folded",
	    NULL, &err), FF_OK);
	assert_int_equal(ff_fold_load_src(&s, t, src, 0, NULL, &err), FF_OK);
	f = open_memstream(&out, &len);
	*rc = ff_flamegraph_stacks(s, o, f, st, &err);
	fclose(f);
	ff_stacks_free(s);
	ff_src_close(src);
	ff_intern_free(t);
	return out;
}

static char *
render_ok(const char *text, const ff_flamegraph_opts *o)
{
	ff_rc rc;
	char *svg = render(text, o, &rc, NULL);

	assert_int_equal(rc, FF_OK);
	return svg;
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("missing: %s", needle);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* xmllint --noout, when installed. */
static void
assert_well_formed(const char *svg)
{
	const char *path = ff_test_fmt("%s/wf.svg", ff_test_tmpdir());

	if (ff_test_run("xmllint --version >/dev/null 2>&1", NULL, NULL) != 0)
		return;
	assert_int_equal(ff_test_write(path, svg, strlen(svg)), 0);
	assert_int_equal(ff_test_run(ff_test_fmt("xmllint --noout '%s'", path),
	    NULL, NULL), 0);
}

static void
test_titles(void **state)
{
	ff_flamegraph_opts o;
	char *svg;

	(void)state;
	ff_flamegraph_opts_init(&o);
	svg = render_ok("main;work 1000\nmain;idle 1\n", &o);
	assert_contains(svg, "<title>all (1,001 samples, 100%)</title>");
	assert_contains(svg, "<title>main (1,001 samples, 100.00%)</title>");
	assert_contains(svg, "<title>work (1,000 samples, 99.90%)</title>");
	assert_contains(svg, "<title>idle (1 samples, 0.10%)</title>");
	/* Geometry: 1,180 px for 1,001 counts. */
	assert_contains(svg, "<title>all (1,001 samples, 100%)</title><rect "
	    "x=\"10\" y=\"69\" width=\"1180\" height=\"15\"");
	assert_contains(svg, "<rect x=\"11.2\" y=\"37\" width=\"1178.8\"");
	assert_contains(svg, "<rect x=\"10\" y=\"37\" width=\"1.2\"");
	assert_contains(svg, "<svg version=\"1.1\" width=\"1200\" "
	    "height=\"118\"");
	assert_well_formed(svg);
	free(svg);

	o.svg.factor = 0.5;
	o.svg.countname = "ms";
	svg = render_ok("a 3\nb 1\n", &o);
	/* flamegraph.pl rounds 1.5 and 0.5 to even. */
	assert_contains(svg, "<title>a (2 ms, 100.00%)</title>");
	assert_contains(svg, "<title>b (0 ms, 0.00%)</title>");
	assert_contains(svg, "<title>all (2 ms, 100%)</title>");
	free(svg);
}

static void
test_labels(void **state)
{
	ff_flamegraph_opts o;
	char *svg, name[400];

	(void)state;
	ff_flamegraph_opts_init(&o);
	memset(name, 'n', 300);
	strcpy(name + 300, " 10\nshort_[k] 10\nx;y 1\n");
	svg = render_ok(name, &o);
	/* 561.9 px / 7.08 px per char: 79 characters, the last two "..". */
	memset(name, 'n', 77);
	strcpy(name + 77, "..</text>");
	assert_contains(svg, name);
	/* Annotations are stripped from titles and labels. */
	assert_contains(svg, "<title>short (10 samples, 47.62%)</title>");
	assert_contains(svg, ">short</text>");
	free(svg);
}

static void
test_hostile_names(void **state)
{
	static const char text[] =
	    "<script>alert(1)</script>;&\"' 5\n"
	    "]]><img src=x onerror=alert(2)> 5\n"
	    "bad\xff\xfeutf8;caf\xc3\xa9 5\n"
	    "ctl\x01" "char;</svg> 5\n";
	ff_flamegraph_opts o;
	char *svg;

	(void)state;
	ff_flamegraph_opts_init(&o);
	o.svg.title = "<b>title</b> & \"quotes\"";
	o.svg.subtitle = "sub]]>title";
	o.svg.notes = "notes -- with <tags>";
	o.svg.nametype = "\"><script>x</script>";
	svg = render_ok(text, &o);
	assert_int_equal(count(svg, "<script"), 1);
	assert_int_equal(count(svg, "]]>"), 1);
	assert_int_equal(count(svg, "<img"), 0);
	assert_int_equal(count(svg, "</svg>"), 1);
	assert_contains(svg, "&lt;script&gt;alert(1)&lt;/script&gt; (5 "
	    "samples");
	assert_contains(svg, "<title>&amp;&quot;&#39; (5 samples");
	assert_contains(svg, "bad\xef\xbf\xbd\xef\xbf\xbdutf8");
	assert_contains(svg, "caf\xc3\xa9");
	assert_contains(svg, "ctl\xef\xbf\xbd" "char");
	assert_contains(svg, "&lt;b&gt;title&lt;/b&gt; &amp; &quot;quotes");
	assert_well_formed(svg);
	free(svg);
}

static void
test_differential(void **state)
{
	ff_flamegraph_opts o;
	ff_flamegraph_stats st;
	ff_rc rc;
	char *svg;

	(void)state;
	ff_flamegraph_opts_init(&o);
	svg = render("a;grew 10 30\na;shrank 40 20\na;same 50 50\n", &o, &rc,
	    &st);
	assert_int_equal(rc, FF_OK);
	assert_int_equal(st.mode, FF_FLAME_DIFF);
	assert_int_equal(st.total, 100);
	assert_contains(svg, "<title>grew (30 samples, 30.00%; +20.00%)\n"
	    "before 10, after 30: +20 (+200.00%)</title>");
	assert_contains(svg, "<title>shrank (20 samples, 20.00%; -20.00%)\n"
	    "before 40, after 20: -20 (-50.00%)</title>");
	assert_contains(svg, "<title>same (50 samples, 50.00%; 0.00%)\n"
	    "before 50, after 50: +0 (0.00%)</title>");
	assert_contains(svg, "fill=\"#ff0000\"");   /* the largest growth */
	assert_contains(svg, "fill=\"#0000ff\"");
	free(svg);

	o.svg.negate = 1;
	svg = render_ok("a;x 10 30\n", &o);
	assert_contains(svg, "<title>x (30 samples, 100.00%; -66.67%)\n"
	    "before 30, after 10: -20 (-66.67%)</title>");
	assert_contains(svg, "fill=\"#0000ff\"");
	free(svg);

	o.svg.negate = 0;
	o.svg.diff_inclusive = 1;
	svg = render_ok("a;b 0 10\na;c 10 0\n", &o);
	/* a's inclusive change is 0: white, although b grew. */
	assert_contains(svg, "<title>a (10 samples, 100.00%; 0.00%)\n"
	    "before 10, after 10: +0 (0.00%)</title><rect x=\"10\" y=\"53\" "
	    "width=\"1180\" height=\"15\" fill=\"#ffffff\"/>");
	free(svg);

	svg = render_ok("new 0 5\n", &o);
	assert_contains(svg, "before 0, after 5: +5 (new)");
	free(svg);
}

static void
test_cpi(void **state)
{
	ff_flamegraph_opts o;
	char *svg;

	(void)state;
	ff_flamegraph_opts_init(&o);
	o.detect = 0;
	o.svg.mode = FF_FLAME_CPI;
	o.svg.countname = "cycles";
	svg = render_ok("a;fast 1000 2000\na;slow 4000 500\na;none 10 0\n",
	    &o);
	assert_contains(svg, "<title>fast (1,000 cycles, 19.96%)\n"
	    "instructions 2,000, CPI 0.50</title>");
	assert_contains(svg, "<title>slow (4,000 cycles, 79.84%)\n"
	    "instructions 500, CPI 8.00</title>");
	assert_contains(svg, "instructions 0, CPI n/a");
	assert_contains(svg, "fill=\"#3c6ee6\"");   /* CPI 0.5: blue */
	assert_contains(svg, "fill=\"#e63c32\"");   /* CPI 8: red */
	assert_contains(svg, "fill=\"#c8c8c8\"");   /* no instructions */
	assert_contains(svg, "class=\"lg\"");
	assert_contains(svg, ">CPI 0.5</text>");
	assert_well_formed(svg);
	free(svg);

	o.svg.mode = FF_FLAME_STALL;
	svg = render_ok("a;mem 300 400\n", &o);
	assert_contains(svg, "<title>mem (400 cycles, 100.00%)\n"
	    "stall cycles 300 (75.00% of cycles)</title>");
	assert_contains(svg, ">stall 0%</text>");
	free(svg);

	/* CPI change: cycles, and cycles at the base build's CPI. */
	o.svg.mode = FF_FLAME_CPIDIFF;
	svg = render_ok("a;worse 300 200\na;same 100 100\na;better 50 100\n",
	    &o);
	assert_contains(svg, "<title>worse (300 cycles, 66.67%)\n"
	    "CPI +50.00% against the base build</title>");
	assert_contains(svg, "CPI -50.00% against the base build");
	assert_contains(svg, "fill=\"#ff0000\"");   /* 1.5x: reddest */
	assert_contains(svg, "fill=\"#ffffff\"");   /* unchanged */
	assert_contains(svg, "fill=\"#0000ff\"");   /* 0.5x: bluest */
	assert_contains(svg, ">CPI -33%</text>");
	assert_well_formed(svg);
	free(svg);
}

static void
test_inverted_and_subtitle(void **state)
{
	ff_flamegraph_opts o;
	char *svg;

	(void)state;
	ff_flamegraph_opts_init(&o);
	o.svg.inverted = 1;
	o.svg.subtitle = "sub";
	o.svg.title = "Icicle Graph";
	svg = render_ok("a;b 1\n", &o);
	assert_contains(svg, "<title>all (1 samples, 100%)</title><rect "
	    "x=\"10\" y=\"36\" width=\"1180\" height=\"15\"");
	assert_contains(svg, "<title>b (1 samples, 100.00%)</title><rect "
	    "x=\"10\" y=\"68\"");
	assert_contains(svg, "<title>a (1 samples, 100.00%)</title><rect "
	    "x=\"10\" y=\"52\"");
	assert_contains(svg, "height=\"142\"");   /* 3 * 16 + 36 + 34 + 24 */
	assert_contains(svg, "data-inv=\"1\"");
	assert_contains(svg,
	    "<text class=\"st\" x=\"600\" y=\"48\">sub</text>");
	free(svg);
}

/* Two graphs on one page: every id is distinct and prefixed. */
static void
test_fragments(void **state)
{
	ff_flamegraph_opts o;
	char *a, *b, *p;
	ff_rc rc;

	(void)state;
	ff_flamegraph_opts_init(&o);
	o.svg.fragment = 1;
	o.svg.id = "g1";
	o.svg.no_script = 1;
	a = render_ok("x;y 1\n", &o);
	o.svg.id = "g2";
	b = render_ok("x;y 1\n", &o);
	assert_null(strstr(a, "<?xml"));
	assert_null(strstr(a, "<script"));
	assert_true(strncmp(a, "<svg ", 5) == 0);
	assert_contains(a, "id=\"g1\"");
	assert_contains(a, "id=\"g1-bg\"");
	assert_contains(a, "url(#g1-bg)");
	assert_contains(a, "#g1 .hide{display:none}");
	assert_contains(a, "data-k=\"g1.\"");
	assert_contains(b, "id=\"g2-bg\"");
	for (p = a; (p = strstr(p, " id=\"")) != NULL; p++)
		assert_true(strncmp(p + 5, "g1", 2) == 0);
	free(a);
	free(b);

	o.svg.id = "1bad\"id";
	a = render("x 1\n", &o, &rc, NULL);
	assert_int_equal(rc, FF_ERR_USAGE);
	free(a);
}

static void
test_empty(void **state)
{
	ff_flamegraph_opts o;
	ff_flamegraph_stats st;
	char *svg;
	ff_rc rc;

	(void)state;
	ff_flamegraph_opts_init(&o);
	svg = render("zero 0\n", &o, &rc, &st);
	assert_int_equal(rc, FF_ERR_PARSE);
	assert_int_equal(st.total, 0);
	assert_contains(svg,
	    "ERROR: No valid input provided to flamegraph.pl.");
	assert_contains(svg, "height=\"60\"");
	assert_well_formed(svg);
	free(svg);
}

/* Files: sorted input is laid out in one pass; unsorted input is sorted
 * first, with the same picture; malformed lines are reported once. */
static void
test_files(void **state)
{
	static const char sorted[] = "a;b 3\na;c 1\nd 2\n";
	static const char unsorted[] = "d 2\nbad line\na;c 1\na;b 3\n";
	const char *dir = ff_test_tmpdir();
	const char *ps = ff_test_fmt("%s/s.folded", dir);
	const char *pu = ff_test_fmt("%s/u.folded", dir);
	const char *paths[1];
	ff_flamegraph_opts o;
	ff_flamegraph_stats st;
	char *out1 = NULL, *out2 = NULL;
	size_t l1, l2;
	ff_diag *d = ff_diag_new(NULL, "test", 0);
	ff_err err;
	FILE *f;

	(void)state;
	assert_int_equal(ff_test_write(ps, sorted, sizeof sorted - 1), 0);
	assert_int_equal(ff_test_write(pu, unsorted, sizeof unsorted - 1), 0);
	ff_flamegraph_opts_init(&o);
	paths[0] = ps;
	f = open_memstream(&out1, &l1);
	assert_int_equal(ff_flamegraph_files(paths, 1, &o, d, f, &st, &err),
	    FF_OK);
	fclose(f);
	assert_true(st.streamed);
	assert_int_equal(st.total, 6);
	paths[0] = pu;
	f = open_memstream(&out2, &l2);
	assert_int_equal(ff_flamegraph_files(paths, 1, &o, d, f, &st, &err),
	    FF_OK);
	fclose(f);
	assert_false(st.streamed);
	assert_string_equal(out1, out2);
	assert_int_equal(ff_diag_count(d), 1);
	free(out1);
	free(out2);

	/* A flame chart keeps the order, and the file is read once. */
	o.flamechart = 1;
	out1 = NULL;
	f = open_memstream(&out1, &l1);
	assert_int_equal(ff_flamegraph_files(paths, 1, &o, d, f, &st, &err),
	    FF_OK);
	fclose(f);
	assert_true(st.streamed);
	assert_int_equal(ff_diag_count(d), 2);
	free(out1);
	ff_diag_free(d);
}

/* --reverse from files and from a stack table draw the same frames. */
static void
test_reverse(void **state)
{
	static const char text[] = "a;b;c 3\na;b 1\nx;c 2\n;lead 1\n";
	const char *path = ff_test_fmt("%s/r.folded", ff_test_tmpdir());
	const char *paths[1] = { path };
	ff_flamegraph_opts o;
	char *fromfile = NULL, *fromtable;
	svg_frames a, b;
	size_t len, extra;
	ff_err err;
	FILE *f;

	(void)state;
	assert_int_equal(ff_test_write(path, text, sizeof text - 1), 0);
	ff_flamegraph_opts_init(&o);
	o.reverse = 1;
	f = open_memstream(&fromfile, &len);
	assert_int_equal(ff_flamegraph_files(paths, 1, &o, NULL, f, NULL,
	    &err), FF_OK);
	fclose(f);
	fromtable = render_ok(text, &o);
	assert_contains(fromfile, "<title>c (5 samples, 71.43%)</title>");
	assert_contains(fromfile, "<title>lead (1 samples, 14.29%)</title>");
	assert_int_equal(svg_frames_parse(fromfile, &a), 0);
	assert_int_equal(svg_frames_parse(fromtable, &b), 0);
	assert_int_equal(svg_frames_compare(&a, &b, 0.01, &extra, 5), 0);
	assert_int_equal(extra, 0);
	svg_frames_free(&a);
	svg_frames_free(&b);
	free(fromfile);
	free(fromtable);
}

/* --colors chain: frames after "--" are wakers (aqua), the rest blue. */
static void
test_chain(void **state)
{
	static const char text[] = "sleep;schedule;--;wake_up;waker 5\n";
	const char *path = ff_test_fmt("%s/c.folded", ff_test_tmpdir());
	const char *paths[1] = { path };
	ff_flamegraph_opts o;
	ff_palette pal;
	char *svg = NULL;
	size_t len;
	ff_err err;
	FILE *f;

	(void)state;
	assert_int_equal(ff_test_write(path, text, sizeof text - 1), 0);
	ff_flamegraph_opts_init(&o);
	ff_palette_init(&pal, FF_PAL_CHAIN, FF_VARY_NAME, 0, NULL);
	o.svg.palette = &pal;
	f = open_memstream(&svg, &len);
	assert_int_equal(ff_flamegraph_files(paths, 1, &o, NULL, f, NULL,
	    &err), FF_OK);
	fclose(f);
	assert_contains(svg, "<title>wake_up (5 samples, 100.00%)</title>");
	assert_contains(svg, "<title>-- (5 samples, 100.00%)</title>");
	assert_contains(svg, "fill=\"#a0a0a0\"");   /* "--" is grey */
	free(svg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_cpi),
		cmocka_unit_test(test_inverted_and_subtitle),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
