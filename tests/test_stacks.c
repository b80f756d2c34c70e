/*
 * test_stacks.c -- the stack trie: merging, counts, limits, sorted walk.
 */
#include "testutil.h"

#include "profile/fold.h"
#include "profile/intern.h"
#include "profile/limits.h"
#include "profile/stacks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
frame(ff_intern *t, const char *name)
{
	uint32_t id;

	assert_int_equal(ff_intern_put(t, name, strlen(name), &id), FF_OK);
	return id;
}

static void
test_identical_stacks_merge(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 2);
	uint32_t p[3] = { frame(t, "a"), frame(t, "b"), frame(t, "c") };
	uint64_t v1[2] = { 3, 10 }, v2[2] = { 4, 20 };
	const uint64_t *got;
	uint32_t node;

	(void)state;
	assert_int_equal(ff_stacks_add_path(s, p, 3, v1), FF_OK);
	assert_int_equal(ff_stacks_add_path(s, p, 3, v2), FF_OK);
	assert_int_equal(ff_stacks_add_path(s, p, 2, v1), FF_OK);
	assert_int_equal(ff_stacks_count(s), 2);
	assert_int_equal(ff_stacks_nodes(s), 4); /* root, a, a;b, a;b;c */
	assert_int_equal(ff_stacks_intern_path(s, p, 3, &node), FF_OK);
	got = ff_stacks_values(s, node);
	assert_non_null(got);
	assert_int_equal(got[0], 7);
	assert_int_equal(got[1], 30);
	assert_int_equal(ff_stacks_totals(s)[0], 10);
	assert_int_equal(ff_stacks_depth(s, node), 3);
	assert_null(ff_stacks_values(s, ff_stacks_parent(s,
	    ff_stacks_parent(s, node))));
#ifndef NDEBUG
	ff_stacks_check(s);
#endif
	ff_stacks_free(s);
	ff_intern_free(t);
}

static void
test_overflow_is_refused(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 1);
	uint32_t p[1] = { frame(t, "x") };
	uint64_t big = (uint64_t)FF_COUNT_MAX - 1, one = 1, two = 2;

	(void)state;
	assert_int_equal(ff_stacks_add_path(s, p, 1, &big), FF_OK);
	assert_int_equal(ff_stacks_add_path(s, p, 1, &two), FF_ERR_LIMIT);
	assert_int_equal(ff_stacks_totals(s)[0], big);
	assert_int_equal(ff_stacks_add_path(s, p, 1, &one), FF_OK);
	assert_int_equal(ff_stacks_totals(s)[0], (uint64_t)FF_COUNT_MAX);
	ff_stacks_free(s);
	ff_intern_free(t);
}

/* The root is no stack: a count on it would be lost by every walk. */
static void
test_empty_stack_is_refused(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 1);
	uint64_t one = 1;

	(void)state;
	assert_int_equal(ff_stacks_add_path(s, NULL, 0, &one), FF_ERR_PARSE);
	assert_int_equal(ff_stacks_add(s, 0, &one), FF_ERR_PARSE);
	assert_int_equal(ff_stacks_totals(s)[0], 0);
	assert_int_equal(ff_stacks_count(s), 0);
	ff_stacks_free(s);
	ff_intern_free(t);
}

static void
test_depth_limit(void **state)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 1);
	uint32_t *p = calloc(FF_DEPTH_MAX + 1, sizeof *p);
	uint64_t one = 1;

	(void)state;
	assert_int_equal(ff_stacks_add_path(s, p, FF_DEPTH_MAX, &one), FF_OK);
	frame(t, "f");
	assert_int_equal(ff_stacks_add_path(s, p, FF_DEPTH_MAX + 1, &one),
	    FF_ERR_LIMIT);
	free(p);
	ff_stacks_free(s);
	ff_intern_free(t);
}

/* Collect the walk's output as text. */
struct collect {
	char *buf;
	size_t len, cap;
};

static ff_rc
collect_visit(void *ctx, const ff_stacks *s, uint32_t node,
    const uint32_t *path, uint32_t depth)
{
	struct collect *c = ctx;
	char line[4096];
	size_t n = 0, len;
	uint32_t d;

	for (d = 0; d < depth; d++) {
		const char *name = ff_intern_str(ff_stacks_frames(s), path[d],
		    &len);

		n += (size_t)snprintf(line + n, sizeof line - n, "%s%s",
		    d ? ";" : "", name);
	}
	n += (size_t)snprintf(line + n, sizeof line - n, " %llu\n",
	    (unsigned long long)ff_stacks_values(s, node)[0]);
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, line, n + 1);
	c->len += n;
	return FF_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Random stacks over names that are prefixes of each other and contain
 * bytes below and above ';': the walk must equal a bytewise sort. */
static void
test_walk_matches_bytewise_sort(void **state)
{
	static const char *names[] = { "f", "f2", "f!", "f 1", "f:", "f<",
	    "g", "", "f.part", "\xc3\xa9t\xc3\xa9", "F", "f~" };
	const int nn = sizeof names / sizeof names[0];
	int round;

	(void)state;
	srand(7);
	for (round = 0; round < 20; round++) {
		ff_intern *t = ff_intern_new();
		ff_stacks *s = ff_stacks_new(t, 1);
		char *lines[400], expect[400 * 80], key[400];
		size_t elen = 0;
		int nlines = 0, i, j;
		struct collect c = { 0 };
		ff_err err;

		for (i = 0; i < 300; i++) {
			uint32_t path[6];
			int depth = 1 + rand() % 5, k = 0;
			uint64_t one = 1;
			size_t kl = 0;

			for (j = 0; j < depth; j++) {
				const char *nm = names[rand() % nn];

				path[j] = frame(t, nm);
				kl += (size_t)sprintf(key + kl, "%s%s",
				    j ? ";" : "", nm);
			}
			assert_int_equal(ff_stacks_add_path(s, path,
			    (size_t)depth, &one), FF_OK);
			for (k = 0; k < nlines; k++)
				if (strcmp(lines[k], key) == 0)
					break;
			if (k == nlines)
				lines[nlines++] = strdup(key);
		}
		qsort(lines, (size_t)nlines, sizeof lines[0], cmp_str);
		assert_int_equal(ff_stacks_walk_sorted(s, collect_visit, &c,
		    &err), FF_OK);
		/* Compare the order of stacks (counts aside). */
		for (i = 0; i < nlines; i++) {
			elen += (size_t)sprintf(expect + elen, "%s\n", lines[i]);
			free(lines[i]);
		}
		{
			char *p = c.buf, *q, got[400 * 80];
			size_t glen = 0;

			while (p != NULL && *p != '\0') {
				q = strchr(p, '\n');
				*q = '\0';
				*strrchr(p, ' ') = '\0';
				glen += (size_t)sprintf(got + glen, "%s\n", p);
				p = q + 1;
			}
			got[glen] = '\0';
			expect[elen] = '\0';
			assert_string_equal(got, expect);
		}
		free(c.buf);
		ff_stacks_free(s);
		ff_intern_free(t);
	}
}

static void
test_merge_across_tables(void **state)
{
	ff_intern *ta = ff_intern_new(), *tb = ff_intern_new();
	ff_stacks *a = ff_stacks_new(ta, 1), *b = ff_stacks_new(tb, 1);
	uint32_t pa[2] = { frame(ta, "main"), frame(ta, "x") };
	uint32_t pb[2] = { frame(tb, "y"), frame(tb, "main") };
	uint32_t pb2[2] = { pb[1], frame(tb, "x") };
	uint64_t v = 5;
	struct collect c = { 0 };
	ff_err err;

	(void)state;
	assert_int_equal(ff_stacks_add_path(a, pa, 2, &v), FF_OK);
	assert_int_equal(ff_stacks_add_path(b, pb, 2, &v), FF_OK);
	assert_int_equal(ff_stacks_add_path(b, pb2, 2, &v), FF_OK);
	assert_int_equal(ff_stacks_merge(a, b, &err), FF_OK);
	assert_int_equal(ff_stacks_walk_sorted(a, collect_visit, &c, &err),
	    FF_OK);
	assert_string_equal(c.buf, "main;x 10\ny;main 5\n");
	free(c.buf);
	ff_stacks_free(a);
	ff_stacks_free(b);
	ff_intern_free(ta);
	ff_intern_free(tb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_stacks_merge),
		cmocka_unit_test(test_overflow_is_refused),
		cmocka_unit_test(test_empty_stack_is_refused),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_walk_matches_bytewise_sort),
		cmocka_unit_test(test_merge_across_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
