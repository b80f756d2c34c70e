/*
 * test_prep.c -- checking and digesting a profile before it is queued:
 * rollups (with recursion), stacks, and every way a file can be bad.
 */
#include "storeutil.h"

#include "profile/limits.h"
#include "profile/mem.h"
#include "store/prep.h"

#include <string.h>

static ff_prep *
parse_ok(const ff_buf *b)
{
	ff_prep *p;
	ff_err err;

	ff_err_init(&err);
	if (ff_prep_parse(&p, b->p, b->len, "t", NULL, &err) != FF_OK)
		fail_msg("unexpected error: %s", err.msg);
	return p;
}

/* Self and inclusive values of a function (by normal-form name). */
static void
func_values(const ff_prep *p, const char *name, uint64_t *self,
    uint64_t *incl, unsigned e)
{
	uint32_t f;

	assert_true(ff_intern_find(p->funcs, name, strlen(name), &f));
	*self = p->self[(size_t)f * p->meta.nevents + e];
	*incl = p->incl[(size_t)f * p->meta.nevents + e];
}

static void
test_rollups(void **state)
{
	/* a recurses (two frames of one function, offsets stripped); the
	 * second column is twice the first. */
	static const char text[] =
	    "main;a+0x1f;b;a+0x2a;c 10 20\n"
	    "main;a+0x1f;b 5 10\n"
	    "main;c 3 6\n"
	    "main;a+0x1f;a+0x1f 2 4\n";
	const char *m = ff_test_meta("h", "B", "cpi", "\"cycles\","
	    "\"instructions\"", "", "2026-11-21T20:00:00Z");
	static const struct {
		const char *name;
		uint64_t self, incl;
	} want[] = {
		{ "main", 0, 20 }, { "a", 2, 17 }, { "b", 5, 15 },
		{ "c", 13, 13 },
	};
	uint64_t self, incl;
	ff_prep *p;
	ff_buf b;
	size_t i;

	(void)state;
	ff_test_ffp_raw(&b, m, strlen(m), text, sizeof text - 1);
	p = parse_ok(&b);
	assert_int_equal(p->nstacks, 4);
	assert_int_equal(ff_intern_count(p->funcs), 4);
	assert_true(p->totals[0] == 20 && p->totals[1] == 40);
	for (i = 0; i < sizeof want / sizeof *want; i++) {
		func_values(p, want[i].name, &self, &incl, 0);
		assert_int_equal(self, want[i].self);
		assert_int_equal(incl, want[i].incl);
		func_values(p, want[i].name, &self, &incl, 1);
		assert_int_equal(self, 2 * want[i].self);
		assert_int_equal(incl, 2 * want[i].incl);
	}
	assert_int_equal(p->bytes, b.len);
	assert_int_equal(strlen(p->hash), 32);
	ff_prep_free(p);
	ff_buf_free(&b);
}

/* Rebuild every stack's text from the front-coded paths. */
static void
stack_texts(const ff_prep *p, char *out, size_t cap)
{
	uint32_t path[FF_DEPTH_MAX], i, d, k;
	size_t n = 0;

	out[0] = '\0';
	for (i = 0; i < p->nstacks; i++) {
		d = ff_prep_path(p, i, path);
		assert_int_equal(d, p->depth[i]);
		for (k = 0; k < d; k++)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", k ? ";" :
			    "", ff_intern_str(p->frames, path[k], NULL));
		n += (size_t)snprintf(out + n, cap - n, " %llu\n",
		    (unsigned long long)p->values[i]);
	}
}

static void
test_stacks(void **state)
{
	/* Unsorted, with a repeated stack, a prefix of another, an empty
	 * frame. */
	static const char text[] =
	    "x;y;z 1\n"
	    "x;y 2\n"
	    "q;;r 4\n"
	    "x;y;z 8\n"
	    "x;y;w 16\n";
	char got[512];
	ff_prep *p;
	ff_buf b;

	(void)state;
	ff_test_ffp(&b, "h", "B", text);
	p = parse_ok(&b);
	assert_int_equal(p->nstacks, 4);
	stack_texts(p, got, sizeof got);
	assert_string_equal(got, "x;y;z 9\nx;y 2\nq;;r 4\nx;y;w 16\n");
	/* Path hashes: distinct per stack, equal for equal stacks. */
	assert_false(p->stack_hash[0] == p->stack_hash[2] &&
	    p->stack_hash[1] == p->stack_hash[3]);
	ff_prep_free(p);
	ff_buf_free(&b);
}

static void
expect_bad(const char *meta, const char *text, size_t tlen,
    const char *what)
{
	ff_prep *p;
	ff_buf b;
	ff_err err;

	ff_test_ffp_raw(&b, meta, strlen(meta), text, tlen);
	ff_err_init(&err);
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "upload", NULL, &err),
	    FF_ERR_PARSE);
	assert_null(p);
	if (strstr(err.msg, what) == NULL)
		fail_msg("'%s' does not say '%s'", err.msg, what);
	ff_buf_free(&b);
}

static void
test_bad_lines(void **state)
{
	const char *m1 = ff_test_meta("h", "B", "cpu", "\"cycles\"", "",
	    "2026-11-21T20:00:00Z");
	const char *m2 = ff_test_meta("h", "B", "cpi", "\"c\",\"i\"", "",
	    "2026-11-21T20:00:00Z");
	char *big;
	size_t i, n;

	(void)state;
	expect_bad(m1, "a;b 1\na;c 1 2\n", 14, "upload:2:");
	expect_bad(m1, "a;b 1 2\n", 8, "more count columns");
	expect_bad(m2, "a;b 1\n", 6, "expected a stack and count columns");
	expect_bad(m1, "a;b\n", 4, "expected a stack and count columns");
	expect_bad(m1, "a;b -1\n", 7, "not an unsigned integer");
	expect_bad(m1, "a;b 1e9\n", 8, "not an unsigned integer");
	expect_bad(m1, "a;b 18446744073709551616\n", 25, "larger than");
	expect_bad(m1, "a\0b 1\n", 6, "NUL byte");
	expect_bad(m1, " 5\n", 3, "no stack");
	expect_bad(m1, "a 9223372036854775807\nb 1\n", 26, "overflow");
	/* 4097 frames. */
	n = 4097 * 2 + 3;
	big = malloc(n + 1);
	for (i = 0; i < 4097; i++)
		memcpy(big + 2 * i, "f;", 2);
	memcpy(big + 2 * 4097 - 1, " 1\n", 4);
	expect_bad(m1, big, strlen(big), "deeper than 4096");
	free(big);
	/* A frame of 64 KiB + 1. */
	n = FF_FRAME_MAX + 1;
	big = malloc(n + 8);
	memset(big, 'x', n);
	memcpy(big + n, " 1\n", 4);
	expect_bad(m1, big, strlen(big), "longer than 65536");
	free(big);
}

static void
test_bad_files(void **state)
{
	const char *m1 = ff_test_meta("h", "B", "cpu", "\"cycles\"", "",
	    "2026-11-21T20:00:00Z");
	ff_prep *p;
	ff_buf b;
	ff_err err;
	size_t cut;

	(void)state;
	expect_bad("{\"format\":", "a 1\n", 4, "metadata");
	expect_bad("{\"format\":\"flamefleet-profile/1\"}", "a 1\n", 4, "host");
	expect_bad(ff_test_meta("h", "B", "cpu", "", "",
	    "2026-11-21T20:00:00Z"), "a 1\n", 4, "events");
	/* Plain text, and plain zstd: no metadata frame. */
	assert_int_equal(ff_prep_parse(&p, "a;b 1\n", 6, "upload", NULL, &err),
	    FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "no metadata frame"));
	ff_test_ffp_raw(&b, m1, strlen(m1), "a;b 1\n", 6);
	/* Truncated at every length. */
	for (cut = 0; cut < b.len; cut++) {
		ff_rc rc = ff_prep_parse(&p, b.p, cut, "upload", NULL, &err);

		assert_int_equal(rc, FF_ERR_PARSE);
		assert_null(p);
	}
	/* Trailing garbage after the zstd frame. */
	assert_int_equal(ff_buf_append(&b, "junk", 4), FF_OK);
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "upload", NULL, &err),
	    FF_ERR_PARSE);
	ff_buf_free(&b);
}

static void
test_bomb(void **state)
{
	const char *m1 = ff_test_meta("h", "B", "cpu", "\"cycles\"", "",
	    "2026-11-21T20:00:00Z");
	ff_prep_opts o = { 8 << 20 };
	size_t zlen = 4 << 20, one, i;
	char *zeros = calloc(1, zlen), *frame;
	ff_prep *p;
	ff_buf b;
	ff_err err;

	(void)state;
	/* Zeros: no newline, NUL bytes; four frames of 4 MiB each. */
	ff_test_ffp_raw(&b, m1, strlen(m1), zeros, zlen);
	one = b.len - 8 - strlen(m1);
	frame = malloc(one);
	memcpy(frame, b.p + 8 + strlen(m1), one);
	for (i = 0; i < 3; i++)
		assert_int_equal(ff_buf_append(&b, frame, one), FF_OK);
	free(frame);
	assert_true(b.len < 4096);
	assert_true(ff_prep_inflates_past(b.p, b.len, 8 << 20));
	assert_false(ff_prep_inflates_past(b.p, b.len, 16 << 20));
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "upload", &o, &err),
	    FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "inflates to more than 8388608"));
	/* Under a larger cap it is merely malformed. */
	o.max_decompressed = 64 << 20;
	assert_int_equal(ff_prep_parse(&p, b.p, b.len, "upload", &o, &err),
	    FF_ERR_PARSE);
	ff_buf_free(&b);
	free(zeros);
}

static void
test_meta_only(void **state)
{
	ff_meta m;
	ff_buf b;
	ff_err err;

	(void)state;
	ff_test_ffp(&b, "cache-017", "2026.11.3", "a 1\n");
	ff_meta_init(&m);
	assert_int_equal(ff_prep_meta(&m, b.p, b.len, "upload", &err), FF_OK);
	assert_string_equal(m.host, "cache-017");
	/* Only the metadata frame is needed. */
	assert_int_equal(ff_prep_meta(&m, b.p, 8 + 10, "upload", &err),
	    FF_ERR_PARSE);
	assert_non_null(strstr(err.msg, "truncated metadata"));
	assert_null(m.host);
	ff_meta_free(&m);
	ff_buf_free(&b);
}

static void
test_nomem(void **state)
{
	static const char text[] = "main;a;b 1\nmain;a;c 2\nmain;d 3\n";
	unsigned long n;
	ff_prep *p;
	ff_buf b;
	ff_err err;
	ff_rc rc;

	(void)state;
	ff_test_ffp(&b, "h", "B", text);
	for (n = 1;; n++) {
		ff_mem_fail_at(n, 0);
		rc = ff_prep_parse(&p, b.p, b.len, "t", NULL, &err);
		ff_mem_fail_at(0, 0);
		if (rc == FF_OK) {
			ff_prep_free(p);
			break;
		}
		if (rc != FF_ERR_NOMEM)
			fail_msg("allocation %lu: %s", n, err.msg);
		assert_null(p);
	}
	assert_true(n > 10);
	ff_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollups),
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_meta_only),
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
