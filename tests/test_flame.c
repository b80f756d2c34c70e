/*
 * test_flame.c -- the layout: flamegraph.pl's merge rules, pruning and
 * quirks, text and id input, failure paths.
 */
#include "testutil.h"

#include "profile/fold.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "report/flame.h"
#include "report/stackbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *stack;
	uint64_t v[2];
};

/* The frames of a finished layout as "depth:name:x+w" lines, sorted, in
 * a static buffer (the root is "0:all:0+W"). */
static const char *
describe(const ff_flame *f)
{
	static char out[1 << 20];
	static char rows[8192][96];
	size_t n, i, len = 0;
	const ff_flame_frame *fr = ff_flame_frames(f, &n);

	assert_true(n <= 8192);
	for (i = 0; i < n; i++)
		snprintf(rows[i], sizeof rows[i], "%u:%s:%llu+%llu",
		    fr[i].depth,
		    fr[i].depth == 0 ? "all" :
		    ff_intern_str(ff_flame_names(f), fr[i].name, NULL),
		    (unsigned long long)fr[i].x, (unsigned long long)fr[i].w);
	qsort(rows, n, sizeof rows[0], (int (*)(const void *, const void *))
	    strcmp);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s",
		    i ? " " : "", rows[i]);
	return out;
}

/* Lay out lines in the order given, as text. */
static ff_flame *
layout_text(const struct line *l, size_t n, const ff_flame_layout *lo)
{
	ff_flame *f;
	ff_err err;
	size_t i;

	assert_int_equal(ff_flame_new(&f, lo, NULL, &err), FF_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(ff_flame_add_text(f, l[i].stack,
		    strlen(l[i].stack), l[i].v, &err), FF_OK);
	assert_int_equal(ff_flame_finish(f, &err), FF_OK);
	return f;
}

static ff_flame_layout
layout(unsigned ncols, double min_width)
{
	ff_flame_layout lo;

	ff_flame_layout_init(&lo);
	lo.ncols = ncols;
	lo.wcol = ncols - 1;
	lo.min_width = min_width;
	return lo;
}

#define CHECK(lines, lo, want) do {                                   \
	ff_flame *f_ = layout_text(lines, sizeof(lines) /             \
	    sizeof(lines)[0], &(lo));                                   \
	assert_string_equal(describe(f_), want);                      \
	ff_flame_free(f_);                                            \
} while (0)

static void
test_merge(void **state)
{
	static const struct line l[] = {
		{ "a;b", { 1 } }, { "a;c", { 2 } }, { "d", { 3 } },
	};
	ff_flame_layout lo = layout(1, 0.1);

	(void)state;
	CHECK(l, lo, "0:all:0+6 1:a:0+3 1:d:3+3 2:b:0+1 2:c:1+2");
}

/* A frame that is a prefix of a sibling sorts before it when it ends a
 * stack, after it when it goes on ("f" < "f2" < "f;x"): flamegraph.pl
 * then draws "f" twice. */
static void
test_split_frame(void **state)
{
	static const struct line l[] = {
		{ "f", { 5 } }, { "f2", { 3 } }, { "f;x", { 1 } },
	};
	ff_flame_layout lo = layout(1, 0.1);
	ff_flame *f;

	(void)state;
	f = layout_text(l, 3, &lo);
	assert_string_equal(describe(f),
	    "0:all:0+9 1:f2:5+3 1:f:0+5 1:f:8+1 2:x:8+1");
	assert_true(ff_flame_sorted(f));
	ff_flame_free(f);
}

/* Consecutive equal stacks and a prefix stack continue the same frames;
 * trailing empty frames are dropped ("a;b;" is "a;b"). */
static void
test_continuation(void **state)
{
	static const struct line l[] = {
		{ "a;b", { 2 } }, { "a;b;", { 3 } }, { "a;b", { 1 } },
		{ ";", { 4 } }, { "a;;c", { 1 } },
	};
	ff_flame_layout lo = layout(1, 0.1);

	(void)state;
	CHECK(l, lo, "0:all:0+11 1:a:0+6 1:a:10+1 2::10+1 2:b:0+6 3:c:10+1");
}

/* Frames narrower than the minimum width are dropped, with the same
 * result whether the input is laid out in one pass or not. */
static void
test_min_width(void **state)
{
	static const struct line l[] = {
		{ "big", { 1000 } }, { "small", { 1 } }, { "tiny;x", { 0 } },
	};
	ff_flame_layout lo = layout(1, 1.2);
	ff_flame_layout pct = layout(1, 0.05);

	(void)state;
	/* 1180 px for 1001: one count is 1.18 px. */
	CHECK(l, lo, "0:all:0+1001 1:big:0+1000");
	lo.min_width = 1.1;
	CHECK(l, lo, "0:all:0+1001 1:big:0+1000 1:small:1000+1");
	pct.min_width_pct = 1;
	pct.min_width = 0.1;  /* 1.001 counts */
	CHECK(l, pct, "0:all:0+1001 1:big:0+1000");
	pct.min_width = 0.09;
	CHECK(l, pct, "0:all:0+1001 1:big:0+1000 1:small:1000+1");
	/* --minwidth 0 keeps zero-width frames. */
	lo.min_width = 0;
	CHECK(l, lo, "0:all:0+1001 1:big:0+1000 1:small:1000+1 "
	    "1:tiny:1001+0 2:x:1001+0");
}

/* Early pruning uses the total so far: a frame wide at first that is
 * narrow in the end goes, and --total widens the 100%. */
static void
test_min_width_late(void **state)
{
	static const struct line l[] = {
		{ "a", { 1 } }, { "b", { 1 } }, { "c", { 2000 } },
	};
	ff_flame_layout lo = layout(1, 1);
	ff_flame *f;

	(void)state;
	CHECK(l, lo, "0:all:0+2002 1:c:2+2000");
	lo.total = 4004;
	f = layout_text(l, 3, &lo);
	assert_true(ff_flame_timemax(f) == 4004);
	assert_int_equal(ff_flame_total(f), 2002);
	ff_flame_free(f);
	/* A --total below the sum is ignored. */
	lo.total = 10;
	lo.min_width = 0.1;
	f = layout_text(l, 3, &lo);
	assert_true(ff_flame_timemax(f) == 2002);
	ff_flame_free(f);
}

/* flamegraph.pl files frames by "name;depth;end": a zero-width frame of
 * the same name closing at the same depth and time replaces the earlier
 * one, which disappears. */
static void
test_key_collision(void **state)
{
	static const struct line l[] = {
		{ "a;f", { 5 } }, { "b;f", { 0 } }, { "c;g", { 5 } },
	};
	static const struct line keep[] = {
		{ "a;f", { 5 } }, { "b;h", { 0 } }, { "c;g", { 5 } },
	};
	ff_flame_layout lo = layout(1, 0.1);

	(void)state;
	CHECK(l, lo, "0:all:0+10 1:a:0+5 1:c:5+5 2:g:5+5");
	CHECK(keep, lo, "0:all:0+10 1:a:0+5 1:c:5+5 2:f:0+5 2:g:5+5");
	lo.min_width = 0;
	CHECK(l, lo, "0:all:0+10 1:a:0+5 1:b:5+0 1:c:5+5 2:f:5+0 2:g:5+5");
}

/* Differential: widths from the second column, self change at the leaf,
 * the largest change per stack. */
static void
test_differential(void **state)
{
	static const struct line l[] = {
		{ "a;b", { 10, 4 } }, { "a;c", { 1, 9 } }, { "a", { 2, 2 } },
	};
	ff_flame_layout lo = layout(2, 0.1);
	const ff_flame_frame *fr;
	size_t n, i;
	ff_flame *f;

	(void)state;
	f = layout_text(l, 3, &lo);
	assert_string_equal(describe(f),
	    "0:all:0+15 1:a:0+15 2:b:0+4 2:c:4+9");
	assert_int_equal(ff_flame_max_delta(f), 8);
	assert_int_equal(ff_flame_total_other(f), 13);
	fr = ff_flame_frames(f, &n);
	for (i = 0; i < n; i++) {
		const char *name = fr[i].depth == 0 ? "all" :
		    ff_intern_str(ff_flame_names(f), fr[i].name, NULL);

		if (strcmp(name, "b") == 0)
			assert_true(fr[i].sd == -6 && fr[i].o == 10);
		else if (strcmp(name, "c") == 0)
			assert_true(fr[i].sd == 8 && fr[i].o == 1);
		else if (strcmp(name, "a") == 0)
			assert_true(fr[i].sd == 0 && fr[i].o == 13);
	}
	ff_flame_free(f);
}

/* Out-of-order input is noticed (it is still a valid flame chart). */
static void
test_sorted_flag(void **state)
{
	static const struct line sorted[] = {
		{ "a", { 1 } }, { "a b", { 1 } }, { "a;b", { 1 } },
		{ "ab", { 1 } }, { "ab", { 2 } },
	};
	static const struct line unsorted[] = {
		{ "a;b", { 1 } }, { "a", { 1 } },
	};
	static const struct line chart[] = {
		{ "m;x", { 1 } }, { "m;y", { 1 } }, { "m;x", { 1 } },
	};
	ff_flame_layout lo = layout(1, 0.1);
	ff_flame *f;

	(void)state;
	f = layout_text(sorted, 5, &lo);
	assert_true(ff_flame_sorted(f));
	ff_flame_free(f);
	f = layout_text(unsorted, 2, &lo);
	assert_false(ff_flame_sorted(f));
	ff_flame_free(f);
	/* A flame chart keeps input order: x appears twice. */
	CHECK(chart, lo, "0:all:0+3 1:m:0+3 2:x:0+1 2:x:2+1 2:y:1+1");
}

/* Over-deep stacks and over-long frames are refused, and the layout
 * goes on as if the line had not been there. */
static void
test_limits(void **state)
{
	ff_flame_layout lo = layout(1, 0.1);
	size_t deep = FF_DEPTH_MAX + 1, i;
	char *s = malloc(deep * 2 + FF_FRAME_MAX + 8);
	uint64_t one = 1;
	ff_flame *f;
	ff_err err;

	(void)state;
	assert_non_null(s);
	assert_int_equal(ff_flame_new(&f, &lo, NULL, &err), FF_OK);
	assert_int_equal(ff_flame_add_text(f, "a;b", 3, &one, &err), FF_OK);
	for (i = 0; i < deep; i++) {
		s[2 * i] = 'x';
		s[2 * i + 1] = ';';
	}
	assert_int_equal(ff_flame_add_text(f, s, deep * 2 - 1, &one, &err),
	    FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "deeper"));
	memcpy(s, "a;", 2);
	memset(s + 2, 'y', FF_FRAME_MAX + 1);
	assert_int_equal(ff_flame_add_text(f, s, FF_FRAME_MAX + 3, &one, &err),
	    FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "longer"));
	assert_int_equal(ff_flame_add_text(f, "a;c", 3, &one, &err), FF_OK);
	assert_int_equal(ff_flame_finish(f, &err), FF_OK);
	assert_string_equal(describe(f), "0:all:0+2 1:a:0+2 2:b:0+1 2:c:1+1");
	ff_flame_free(f);
	free(s);
}

static void
test_empty(void **state)
{
	ff_flame_layout lo = layout(1, 0.1);
	ff_flame *f;
	ff_err err;
	size_t n;

	(void)state;
	assert_int_equal(ff_flame_new(&f, &lo, NULL, &err), FF_OK);
	assert_int_equal(ff_flame_finish(f, &err), FF_OK);
	assert_int_equal(ff_flame_total(f), 0);
	ff_flame_frames(f, &n);
	assert_int_equal(n, 0);
	ff_flame_free(f);
	lo.ncols = 3;
	assert_int_equal(ff_flame_new(&f, &lo, NULL, &err), FF_ERR_USAGE);
	lo = layout(1, -1);
	assert_int_equal(ff_flame_new(&f, &lo, NULL, &err), FF_ERR_USAGE);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of stack s (at most 16 frames). */
static int
split_ids(ff_intern *t, const char *s, uint32_t *ids, size_t *depth)
{
	static uint32_t all[FF_DEPTH_MAX];
	ff_err err;

	if (ff_fold_split(t, s, strlen(s), all, depth, &err) != FF_OK ||
	    *depth > 16)
		return -1;
	memcpy(ids, all, *depth * sizeof *ids);
	return 0;
}

/* Random stacks: laying out sorted text in one pass and laying out the
 * same stacks shuffled, through a sorted ff_stackbuf of ids, agree. */
static void
test_text_and_ids_agree(void **state)
{
	enum { N = 3000 };
	static const char *const names[] = {
		"f", "f2", "g", "a b", "x", "main", "f;", "", "h"
	};
	char **lines = calloc(N, sizeof *lines), *text = NULL;
	uint64_t *vals = calloc(N, sizeof *vals);
	ff_flame_layout lo = layout(1, 0.3);
	ff_intern *t = ff_intern_new();
	ff_stackbuf *b = ff_stackbuf_new(t, 1);
	ff_flame *fa, *fb;
	ff_err err;
	size_t i;
	char *desc;

	(void)state;
	srand(3);
	for (i = 0; i < N; i++) {
		char buf[256] = "";
		int d = 1 + rand() % 6, k;

		for (k = 0; k < d; k++) {
			const char *nm = names[rand() % 9];

			if (strcmp(nm, "f;") == 0 || (strcmp(nm, "") == 0 &&
			    k == d - 1))
				nm = "q";
			strcat(buf, k ? ";" : "");
			strcat(buf, nm);
		}
		lines[i] = strdup(buf);
		vals[i] = (uint64_t)(rand() % 50);
	}
	/* Sorted text: sort "stack " keys bytewise, as `sort` would. */
	for (i = 0; i < N; i++) {
		size_t len = strlen(lines[i]);

		lines[i] = realloc(lines[i], len + 32);
		snprintf(lines[i] + len, 32, " %llu",
		    (unsigned long long)vals[i]);
	}
	qsort(lines, N, sizeof *lines, str_cmp);
	assert_int_equal(ff_flame_new(&fa, &lo, NULL, &err), FF_OK);
	for (i = 0; i < N; i++) {
		char *sp = strrchr(lines[i], ' ');
		uint64_t v = strtoull(sp + 1, NULL, 10);
		uint32_t ids[16];
		size_t depth = 0;

		*sp = '\0';
		assert_int_equal(ff_flame_add_text(fa, lines[i],
		    strlen(lines[i]), &v, &err), FF_OK);

		if (strlen(lines[i]) > 0)
			assert_int_equal(split_ids(t, lines[i], ids,
			    &depth), 0);
		assert_int_equal(ff_stackbuf_add(b, ids, (uint32_t)depth, &v),
		    FF_OK);
	}
	assert_true(ff_flame_sorted(fa));
	assert_int_equal(ff_flame_finish(fa, &err), FF_OK);
	assert_int_equal(ff_stackbuf_sort(b), FF_OK);
	assert_int_equal(ff_flame_new(&fb, &lo, t, &err), FF_OK);
	for (i = 0; i < ff_stackbuf_count(b); i++) {
		const uint32_t *ids;
		const uint64_t *v;
		uint32_t depth;

		ff_stackbuf_get(b, i, &ids, &depth, &v);
		assert_int_equal(ff_flame_add_ids(fb, ids, depth, v, &err),
		    FF_OK);
	}
	assert_int_equal(ff_flame_finish(fb, &err), FF_OK);
	desc = strdup(describe(fa));
	assert_string_equal(desc, describe(fb));
	free(desc);
	ff_flame_free(fa);
	ff_flame_free(fb);
	ff_stackbuf_free(b);
	ff_intern_free(t);
	for (i = 0; i < N; i++)
		free(lines[i]);
	free(lines);
	free(vals);
	free(text);
}

/* Every allocation failure while laying out ends in FF_ERR_NOMEM, with
 * nothing leaked. */
static void
test_nomem(void **state)
{
	ff_flame_layout lo = layout(1, 0);
	unsigned long n;

	(void)state;
	for (n = 1; n < 5000; n++) {
		ff_flame *f = NULL;
		ff_err err;
		ff_rc rc;
		int i;

		ff_mem_fail_at(n, 0);
		rc = ff_flame_new(&f, &lo, NULL, &err);
		for (i = 0; i < 3000 && rc == FF_OK; i++) {
			char s[64];
			uint64_t v = 1;

			snprintf(s, sizeof s, "root;fn%d;leaf%d", i / 7, i);
			rc = ff_flame_add_text(f, s, strlen(s), &v, &err);
		}
		if (rc == FF_OK)
			rc = ff_flame_finish(f, &err);
		ff_flame_free(f);
		if (!ff_mem_failed()) {
			assert_int_equal(rc, FF_OK);
			break;
		}
		assert_int_equal(rc, FF_ERR_NOMEM);
	}
	ff_mem_fail_at(0, 0);
	assert_true(n < 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_split_frame),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_min_width),
		cmocka_unit_test(test_min_width_late),
		cmocka_unit_test(test_key_collision),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_sorted_flag),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_text_and_ids_agree),
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
