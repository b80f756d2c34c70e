/*
 * test_cov_profile.c -- the corners of profile/ that the module tests do
 * not reach: every error code and message helper, UTF-8 validation,
 * RFC 3339 times and durations, the arena, diagnostics, the allocation
 * wrapper's edge cases, progress on a terminal, and the error returns of
 * the stack table, the folded reader, the line source and the .ffp
 * metadata API.
 */
#define _GNU_SOURCE 1
#include "testutil.h"

#include "profile/arena.h"
#include "profile/diag.h"
#include "profile/ffp.h"
#include "profile/fold.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/progress.h"
#include "profile/src.h"
#include "profile/stacks.h"
#include "profile/stamp.h"
#include "profile/utf8.h"
#include "profile/zst.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- err.h --------------------------------------------------------------- */

static void
test_err(void **state)
{
	const char *seen[FF_ERR_INTERNAL + 1];
	char longmsg[600];
	ff_err err;
	int i, j;

	(void)state;
	for (i = FF_OK; i <= FF_ERR_INTERNAL; i++) {
		seen[i] = ff_strerror((ff_rc)i);
		assert_non_null(seen[i]);
		assert_string_not_equal(seen[i], "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	assert_string_equal(ff_strerror((ff_rc)99), "unknown error");
	assert_string_equal(ff_err_msg(NULL), "unknown error");
	/* No message: the code's description. */
	ff_err_init(&err);
	err.rc = FF_ERR_LIMIT;
	assert_string_equal(ff_err_msg(&err), "input exceeds a limit");
	assert_int_equal(ff_err_prefix(&err, "f:%d: ", 3), FF_ERR_LIMIT);
	assert_string_equal(ff_err_msg(&err), "f:3: input exceeds a limit");
	/* Without an ff_err the code is still returned. */
	assert_int_equal(ff_err_set(NULL, FF_ERR_PARSE, "x"), FF_ERR_PARSE);
	assert_int_equal(ff_err_nomem(NULL), FF_ERR_NOMEM);
	assert_int_equal(ff_err_errno(NULL, ENOENT, "x"), FF_ERR_IO);
	assert_int_equal(ff_err_errno(&err, ENOENT, "open %s", "f"),
	    FF_ERR_IO);
	assert_string_equal(ff_err_msg(&err), ff_test_fmt("open f: %s",
	    strerror(ENOENT)));
	/* A prefix that does not fit cuts the end of the message. */
	memset(longmsg, 'm', 500);
	longmsg[500] = '\0';
	ff_err_set(&err, FF_ERR_IO, "%s", longmsg);
	assert_int_equal(ff_err_prefix(&err, "%.*s", 100, longmsg), FF_ERR_IO);
	assert_int_equal(strlen(ff_err_msg(&err)), FF_ERR_MSG_MAX - 1);
}

/* ---- utf8.h -------------------------------------------------------------- */

static void
test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len, seq;
	} cases[] = {
		{ "a", 1, 1 },
		{ "\xC3\xA9", 2, 2 },             /* é */
		{ "\xC3", 1, 0 },                 /* truncated */
		{ "\xC3\x41", 2, 0 },             /* not a continuation */
		{ "\xC0\xAF", 2, 0 },             /* overlong '/' */
		{ "\xC1\xBF", 2, 0 },
		{ "\x80", 1, 0 },                 /* lone continuation */
		{ "\xE2\x82\xAC", 3, 3 },         /* € */
		{ "\xE2\x82", 2, 0 },
		{ "\xE2\x41\xAC", 3, 0 },
		{ "\xE2\x82\x41", 3, 0 },
		{ "\xE0\x9F\xBF", 3, 0 },         /* overlong */
		{ "\xE0\xA0\x80", 3, 3 },         /* U+0800 */
		{ "\xED\x9F\xBF", 3, 3 },         /* U+D7FF */
		{ "\xED\xA0\x80", 3, 0 },         /* surrogate U+D800 */
		{ "\xF0\x9F\x94\xA5", 4, 4 },     /* U+1F525 */
		{ "\xF0\x9F\x94", 3, 0 },
		{ "\xF0\x41\x94\xA5", 4, 0 },
		{ "\xF0\x9F\x41\xA5", 4, 0 },
		{ "\xF0\x9F\x94\x41", 4, 0 },
		{ "\xF0\x8F\xBF\xBF", 4, 0 },     /* overlong */
		{ "\xF4\x8F\xBF\xBF", 4, 4 },     /* U+10FFFF */
		{ "\xF4\x90\x80\x80", 4, 0 },     /* past U+10FFFF */
		{ "\xF5\x80\x80\x80", 4, 0 },
		{ "\xFF", 1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = ff_utf8_seq((const unsigned char *)cases[i].s,
		    cases[i].len);

		if (n != cases[i].seq)
			fail_msg("case %zu: %zu, want %zu", i, n, cases[i].seq);
		assert_int_equal(ff_utf8_valid(cases[i].s, cases[i].len),
		    cases[i].seq == cases[i].len);
	}
	assert_true(ff_utf8_valid("", 0));
	assert_true(ff_utf8_valid("a\xC3\xA9z", 4));
	assert_false(ff_utf8_valid("a\xC3z", 3));
}

/* ---- stamp.h ------------------------------------------------------------- */

static void
test_stamp(void **state)
{
	static const struct {
		const char *s;
		int64_t t;      /* -1: invalid */
	} cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01t00:00:01z", 1 },
		{ "1970-01-01 00:01:00Z", 60 },
		{ "2026-11-21T20:00:00.123456Z", 1795291200 },
		{ "2026-11-21T21:30:00+01:30", 1795291200 },
		{ "2026-11-21T18:00:00-02:00", 1795291200 },
		{ "2000-02-29T00:00:00Z", 951782400 },    /* 400-year leap */
		{ "1998-12-31T23:59:60Z", 915148799 },    /* leap second */
		{ "2100-02-29T00:00:00Z", -1 },           /* not leap */
		{ "2026-02-29T00:00:00Z", -1 },
		{ "2026-04-31T00:00:00Z", -1 },
		{ "2026-00-10T00:00:00Z", -1 },
		{ "2026-13-10T00:00:00Z", -1 },
		{ "2026-01-00T00:00:00Z", -1 },
		{ "2026-01-01T24:00:00Z", -1 },
		{ "2026-01-01T23:60:00Z", -1 },
		{ "2026-01-01T23:59:61Z", -1 },
		{ "2026-01-01X00:00:00Z", -1 },
		{ "2026/01-01T00:00:00Z", -1 },
		{ "2026-01/01T00:00:00Z", -1 },
		{ "2026-01-01T00-00:00Z", -1 },
		{ "2026-01-01T00:00-00Z", -1 },
		{ "2026-01-01T0a:00:00Z", -1 },
		{ "2O26-01-01T00:00:00Z", -1 },
		{ "2026-01-01T00:00:00", -1 },            /* no zone */
		{ "2026-01-01T00:00:00.Z", -1 },
		{ "2026-01-01T00:00:00.5", -1 },
		{ "2026-01-01T00:00:00ZZ", -1 },
		{ "2026-01-01T00:00:00+01", -1 },
		{ "2026-01-01T00:00:00+01-00", -1 },
		{ "2026-01-01T00:00:00*01:00", -1 },
		{ "2026-01-01T00:00:00+24:00", -1 },
		{ "2026-01-01T00:00:00+01:60", -1 },
		{ "2026-01-01T00:00:00+0a:00", -1 },
		{ "2026-01-01T00:00:00+01:0a", -1 },
		{ "", -1 },
	};
	static const struct {
		const char *s;
		int64_t secs;
	} durs[] = {
		{ "90s", 90 }, { "15m", 900 }, { "24h", 86400 },
		{ "30d", 2592000 }, { "2w", 1209600 }, { "0s", 0 },
		{ "5", -1 }, { "h", -1 }, { "5y", -1 }, { "5hh", -1 },
		{ "-5h", -1 }, { "", -1 }, { "99999999999999999999s", -1 },
	};
	char out[FF_STAMP_LEN];
	int64_t t;
	ff_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ff_rc rc = ff_stamp_parse(cases[i].s, strlen(cases[i].s), &t,
		    &err);

		if (cases[i].t < 0) {
			if (rc != FF_ERR_PARSE)
				fail_msg("'%s' accepted", cases[i].s);
			assert_non_null(strstr(ff_err_msg(&err),
			    "is not an RFC 3339 time"));
		} else if (rc != FF_OK || t != cases[i].t) {
			fail_msg("'%s': rc %d t %lld", cases[i].s, rc,
			    (long long)t);
		}
	}
	ff_stamp_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	ff_stamp_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	ff_stamp_format(INT64_MIN, out);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
	ff_stamp_format(INT64_MAX, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	for (i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		ff_rc rc = ff_stamp_parse_duration(durs[i].s, strlen(durs[i].s),
		    &t, &err);

		if (durs[i].secs < 0) {
			assert_int_equal(rc, FF_ERR_PARSE);
			assert_non_null(strstr(ff_err_msg(&err),
			    "is not a duration"));
		} else {
			assert_int_equal(rc, FF_OK);
			assert_int_equal(t, durs[i].secs);
		}
	}
	assert_int_equal(ff_stamp_parse_when("now", 3, 1000, &t, &err), FF_OK);
	assert_int_equal(t, 1000);
	assert_int_equal(ff_stamp_parse_when("-1h", 3, 10000, &t, &err),
	    FF_OK);
	assert_int_equal(t, 6400);
	assert_int_equal(ff_stamp_parse_when("-1y", 3, 10000, &t, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_stamp_parse_when("-", 1, 10000, &t, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_stamp_parse_when("1970-01-01T00:00:09Z", 20, 5,
	    &t, &err), FF_OK);
	assert_int_equal(t, 9);
	assert_true(ff_stamp_now() > 1700000000);
}

/* ---- arena.h ------------------------------------------------------------- */

static void
test_arena(void **state)
{
	ff_arena *a = ff_arena_new();
	char *s, *big, *after;
	void *p, *q;
	size_t before;

	(void)state;
	assert_non_null(a);
	p = ff_arena_alloc(a, 3);
	q = ff_arena_alloc(a, 1);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
	assert_int_equal((uintptr_t)q % alignof(max_align_t), 0);
	assert_true((char *)q >= (char *)p + 3);
	s = ff_arena_strndup(a, "hello, world", 5);
	assert_string_equal(s, "hello");
	/* A large request gets its own block behind the current one: the
	 * next small string still goes to the current block. */
	before = ff_arena_bytes(a);
	big = ff_arena_alloc(a, 1 << 20);
	assert_non_null(big);
	memset(big, 'x', 1 << 20);
	assert_true(ff_arena_bytes(a) >= before + (1 << 20));
	after = ff_arena_strndup(a, "next", 4);
	assert_ptr_equal(after, s + 6);
	/* Requests that cannot be met: NULL, and the arena goes on. */
	assert_null(ff_arena_alloc(a, SIZE_MAX));
	assert_null(ff_arena_alloc(a, SIZE_MAX - 8));
	assert_null(ff_arena_strndup(a, "x", SIZE_MAX));
	ff_mem_fail_at(1, 0);
	assert_null(ff_arena_alloc(a, 1 << 20));
	ff_mem_fail_at(0, 0);
	assert_string_equal(ff_arena_strndup(a, "ok", 2), "ok");
	assert_string_equal(s, "hello");
	ff_arena_free(a);
	ff_arena_free(NULL);
	ff_mem_fail_at(1, 0);
	assert_null(ff_arena_new());
	ff_mem_fail_at(0, 0);
}

/* ---- diag.h -------------------------------------------------------------- */

static const char *const KINDS[40] = {
	"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10",
	"k11", "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19", "k20",
	"k21", "k22", "k23", "k24", "k25", "k26", "k27", "k28", "k29", "k30",
	"k31", "k32", "k33", "k34", "k35", "k36", "k37", "k38", "k39",
};

static void
test_diag(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ff_diag *d = ff_diag_new(f, NULL, 0);
	ff_err err;
	int i;

	(void)state;
	assert_int_equal(ff_diag_count(NULL), 0);
	assert_int_equal(ff_diag_kind_count(NULL, "x"), 0);
	ff_diag_summary(d);                       /* nothing yet */
	assert_int_equal(ff_diag_line(d, &err, "f", 3, KINDS[0], "bad %d", 7),
	    FF_OK);
	ff_diag_summary(d);
	fflush(f);
	assert_non_null(strstr(text, "flamefleet: f:3: bad 7 (further"));
	assert_non_null(strstr(text, "flamefleet: 1 malformed line skipped "
	    "(k0: 1)\n"));
	/* More kinds than there are counters: the last absorbs the rest. */
	for (i = 1; i < 40; i++)
		assert_int_equal(ff_diag_line(d, &err, "f", 10 + i, KINDS[i],
		    "x"), FF_OK);
	assert_int_equal(ff_diag_line(d, &err, "f", 99, KINDS[0], "again"),
	    FF_OK);
	assert_int_equal(ff_diag_count(d), 41);
	assert_int_equal(ff_diag_kind_count(d, "k0"), 2);
	assert_int_equal(ff_diag_kind_count(d, "k5"), 1);
	assert_int_equal(ff_diag_kind_count(d, "k31"), 9);
	assert_int_equal(ff_diag_kind_count(d, "k35"), 0);
	assert_int_equal(ff_diag_kind_count(d, "nope"), 0);
	ff_diag_summary(d);
	fclose(f);
	assert_non_null(strstr(text, "41 malformed lines skipped (k0: 2, "));
	assert_null(strstr(text, "again"));       /* once per kind */
	free(text);
	ff_diag_free(d);
	/* Strict: the first one is an error; NULL: every one is. */
	d = ff_diag_new(NULL, "p", 1);
	assert_int_equal(ff_diag_line(d, &err, "g", 4, "k", "oops"),
	    FF_ERR_PARSE);
	assert_string_equal(ff_err_msg(&err), "g:4: oops");
	ff_diag_summary(d);                       /* no stream: nothing */
	ff_diag_free(d);
	assert_int_equal(ff_diag_line(NULL, &err, "h", 1, "k", "no"),
	    FF_ERR_PARSE);
	ff_mem_fail_at(1, 0);
	assert_null(ff_diag_new(NULL, "p", 0));
	ff_mem_fail_at(0, 0);
}

/* ---- mem.h --------------------------------------------------------------- */

static void
test_mem(void **state)
{
	void *p, *q;

	(void)state;
	/* Zero sizes still give a pointer to free. */
	p = ff_malloc(0);
	assert_non_null(p);
	p = ff_realloc(p, 0);
	assert_non_null(p);
	ff_free(p);
	p = ff_calloc(0, 8);
	assert_non_null(p);
	ff_free(p);
	p = ff_calloc(8, 0);
	assert_non_null(p);
	/* Overflow: NULL and p untouched. */
	assert_null(ff_reallocarray(p, SIZE_MAX / 2, 4));
	q = ff_reallocarray(p, 0, 4);
	assert_non_null(q);
	ff_free(q);
	/* ff_calloc checks n * size itself (a regression: it relied on
	 * libc, and AddressSanitizer's calloc aborts instead). */
	assert_null(ff_calloc(SIZE_MAX / 2, 4));
	assert_null(ff_calloc(4, SIZE_MAX / 2));
	assert_null(ff_strndup("x", SIZE_MAX));
	assert_string_equal((p = ff_strndup("abcdef", 3)), "abc");
	ff_free(p);
	/* Injection: the nth fails, and only that one unless sticky. */
	ff_mem_fail_at(2, 0);
	p = ff_malloc(1);
	assert_false(ff_mem_failed());
	assert_null(ff_strdup("a"));
	assert_true(ff_mem_failed());
	q = ff_malloc(1);
	assert_non_null(q);
	assert_int_equal(ff_mem_fail_at(0, 0), 3);
	ff_free(p);
	ff_free(q);
	ff_free(NULL);
}

/* ---- progress.h ---------------------------------------------------------- */

static void
test_progress(void **state)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	char buf[512];
	ff_progress p;
	ssize_t n;
	size_t got = 0;
	FILE *tty, *plain = tmpfile();

	(void)state;
	assert_non_null(plain);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
		if (master >= 0)
			close(master);
		skip();
	}
	tty = fopen(ptsname(master), "w");
	assert_non_null(tty);
	/* Not a terminal, or FF_NO_PROGRESS: silent. */
	ff_progress_init(&p, "x", plain);
	assert_null(p.tty);
	ff_progress_update(&p, 1, 2, "B");
	ff_progress_done(&p);
	assert_int_equal(ftell(plain), 0);
	fclose(plain);
	ff_progress_init(&p, "x", NULL);
	assert_null(p.tty);
	setenv("FF_NO_PROGRESS", "1", 1);
	ff_progress_init(&p, "x", tty);
	assert_null(p.tty);
	ff_progress_update(&p, 1, 2, "B");
	ff_progress_done(&p);
	unsetenv("FF_NO_PROGRESS");
	/* A terminal: a line redrawn in place, then erased. */
	ff_progress_init(&p, "load", tty);
	assert_ptr_equal(p.tty, tty);
	/* Redrawn at most every 200 ms: last_ms = 0 makes the next
	 * update due whatever the clock says. */
	p.last_ms = 0;
	ff_progress_update(&p, 1500000, 3000000, "B");
	ff_progress_update(&p, 2000000, 3000000, "B");  /* maybe too soon */
	p.last_ms = 0;
	ff_progress_update(&p, 7, 0, "profiles");
	ff_progress_done(&p);
	fclose(tty);
	while (got < sizeof buf - 1 &&
	    (n = read(master, buf + got, sizeof buf - 1 - got)) > 0) {
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\033[K") != NULL)
			break;
	}
	buf[got] = '\0';
	close(master);
	assert_non_null(strstr(buf, "\rload: 1.5 MB (50%)"));
	assert_non_null(strstr(buf, "\rload: 7 profiles"));
	assert_null(strstr(buf, "7 profiles ("));      /* no total */
	assert_non_null(strstr(buf, "\r\033[K"));
}

/* ---- stacks.h ------------------------------------------------------------ */

static uint32_t
frame(ff_intern *t, const char *name)
{
	uint32_t id;

	assert_int_equal(ff_intern_put(t, name, strlen(name), &id), FF_OK);
	return id;
}

static char *
folded(const ff_stacks *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ff_err err;

	assert_int_equal(ff_fold_write(s, f, &err), FF_OK);
	fclose(f);
	return text;
}

static void
test_stacks_errors(void **state)
{
	ff_intern *t = ff_intern_new(), *t2 = ff_intern_new();
	ff_stacks *a, *b, *one, *c, *d;
	uint32_t path[3], node, map[8];
	uint64_t v2[2] = { 1, 2 }, v1[1] = { 5 };
	char *text;
	ff_err err;
	unsigned i;

	(void)state;
	assert_null(ff_stacks_new(t, 0));
	assert_null(ff_stacks_new(t, FF_VALUES_MAX + 1));
	a = ff_stacks_new(t, 2);
	one = ff_stacks_new(t2, 1);
	path[0] = frame(t, "main");
	path[1] = frame(t, "f");
	assert_int_equal(ff_stacks_add_path(a, path, 2, v2), FF_OK);
	/* The table refuses a 4097th level. */
	node = FF_STACKS_ROOT;
	for (i = 0; i < FF_DEPTH_MAX; i++)
		assert_int_equal(ff_stacks_child(a, node, path[1], &node),
		    FF_OK);
	assert_int_equal(ff_stacks_child(a, node, path[1], &node),
	    FF_ERR_LIMIT);
	/* Column counts that do not fit. */
	assert_int_equal(ff_stacks_merge(one, a, &err), FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "count columns"));
	assert_int_equal(ff_stacks_merge_range(one, a, 1, 2, 0, NULL, &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_stacks_merge_range(one, a, 0, 1, 1, NULL, &err),
	    FF_ERR_USAGE);
	/* Column 1 of a into one, names re-interned into t2. */
	assert_int_equal(ff_stacks_merge_range(one, a, 1, 1, 0, NULL, &err),
	    FF_OK);
	text = folded(one);
	assert_non_null(strstr(text, "main;f 2\n"));
	free(text);
	/* The same table: ids kept as they are. */
	b = ff_stacks_new(t, 2);
	assert_int_equal(ff_stacks_merge(b, a, &err), FF_OK);
	assert_int_equal(ff_stacks_count(b), ff_stacks_count(a));
	/* Through a frame map: every src frame renamed. */
	c = ff_stacks_new(t2, 1);
	for (i = 0; i < 8; i++)
		map[i] = frame(t2, "renamed");
	map[path[0]] = frame(t2, "root");
	assert_int_equal(ff_stacks_merge_range(c, a, 0, 1, 0, map, &err),
	    FF_OK);
	text = folded(c);
	assert_non_null(strstr(text, "root;renamed 1\n"));
	free(text);
	/* Sums past 2^63-1 are refused with a message. */
	d = ff_stacks_new(t2, 1);
	path[2] = frame(t2, "root");
	map[0] = frame(t2, "renamed");
	v1[0] = (uint64_t)FF_COUNT_MAX;
	assert_int_equal(ff_stacks_add_path(d, (uint32_t[]){ path[2], map[0] },
	    2, v1), FF_OK);
	assert_int_equal(ff_stacks_merge(d, c, &err), FF_ERR_LIMIT);
	assert_non_null(strstr(ff_err_msg(&err), "exceeds a limit"));
	ff_stacks_free(d);
	/* Out of memory while merging. */
	ff_mem_fail_at(1, 1);
	assert_int_equal(ff_stacks_merge(b, a, &err), FF_ERR_NOMEM);
	ff_mem_fail_at(0, 0);
	ff_stacks_free(a);
	ff_stacks_free(b);
	ff_stacks_free(c);
	ff_stacks_free(one);
	ff_intern_free(t);
	ff_intern_free(t2);
}

/* ---- fold.h -------------------------------------------------------------- */

static ff_src *
mem_src(const char *text, size_t len)
{
	ff_src *src;
	ff_err err;

	assert_int_equal(ff_src_open_mem(&src, text, len, "m.txt", NULL, &err),
	    FF_OK);
	return src;
}

static void
test_fold_errors(void **state)
{
	static const char text[] = "a;b 1\n";
	const char *path = ff_test_fmt("%s/f.folded", ff_test_tmpdir());
	ff_intern *t = ff_intern_new();
	ff_fold_reader *r;
	ff_stacks *s;
	ff_src *src = mem_src(text, sizeof text - 1);
	char longname[200], *out;
	uint32_t ids[8];
	size_t depth;
	FILE *full;
	ff_err err;

	(void)state;
	assert_int_equal(ff_fold_reader_new(&r, src, FF_VALUES_MAX + 1, NULL,
	    &err), FF_ERR_USAGE);
	assert_null(r);
	/* A reader of two columns cannot load into a one-column table. */
	assert_int_equal(ff_fold_reader_new(&r, src, 2, NULL, &err), FF_OK);
	s = ff_stacks_new(t, 1);
	assert_int_equal(ff_fold_load(s, r, &err), FF_ERR_USAGE);
	assert_non_null(strstr(ff_err_msg(&err), "m.txt has 2 count columns"));
	ff_fold_reader_free(r);
	ff_stacks_free(s);
	ff_src_close(src);
	/* A long malformed count is cut in the message. */
	memset(longname, '7', sizeof longname);
	memcpy(longname + 100, "x\n", 2);
	src = mem_src(ff_test_fmt("a %.*s", 102, longname), 104);
	assert_int_equal(ff_fold_load_src(&s, t, src, 1, NULL, &err),
	    FF_ERR_PARSE);
	assert_null(s);
	assert_non_null(strstr(ff_err_msg(&err), "...")) ;
	ff_src_close(src);
	/* The first line malformed, in strict mode (no diag). */
	src = mem_src("a;b x\n", 6);
	assert_int_equal(ff_fold_load_src(&s, t, src, 0, NULL, &err),
	    FF_ERR_PARSE);
	ff_src_close(src);
	/* From a file, and from a file that is not there. */
	assert_int_equal(ff_test_write(path, "x;y 3\nx 1\n", 10), 0);
	assert_int_equal(ff_fold_load_file(&s, t, path, 0, NULL, &err), FF_OK);
	out = folded(s);
	assert_string_equal(out, "x 1\nx;y 3\n");
	free(out);
	/* Writing to a full disk. */
	full = fopen("/dev/full", "w");
	if (full != NULL) {
		setvbuf(full, NULL, _IONBF, 0);
		assert_int_equal(ff_fold_write(s, full, &err), FF_ERR_IO);
		assert_non_null(strstr(ff_err_msg(&err), "write error"));
		fclose(full);
	}
	ff_stacks_free(s);
	assert_int_equal(ff_fold_load_file(&s, t, ff_test_fmt("%s/none",
	    ff_test_tmpdir()), 0, NULL, &err), FF_ERR_IO);
	/* ff_fold_split's limits. */
	{
		size_t n = 2 * FF_DEPTH_MAX + 1, i;
		char *deep = malloc(n + 1), *wide = malloc(FF_FRAME_MAX + 2);
		uint32_t *many = malloc((FF_DEPTH_MAX + 1) * sizeof *many);

		for (i = 0; i < n; i += 2)
			memcpy(deep + i, "a;", 2);
		assert_int_equal(ff_fold_split(t, deep, n, many, &depth, &err),
		    FF_ERR_LIMIT);
		assert_non_null(strstr(ff_err_msg(&err), "deeper than"));
		memset(wide, 'w', FF_FRAME_MAX + 1);
		assert_int_equal(ff_fold_split(t, wide, FF_FRAME_MAX + 1, ids,
		    &depth, &err), FF_ERR_LIMIT);
		assert_non_null(strstr(ff_err_msg(&err), "longer than"));
		assert_int_equal(ff_fold_split(t, wide, FF_FRAME_MAX, ids,
		    &depth, &err), FF_OK);
		assert_int_equal(depth, 1);
		free(deep);
		free(wide);
		free(many);
	}
	ff_intern_free(t);
}

/* ---- src.h --------------------------------------------------------------- */

static void
test_src_errors(void **state)
{
	const char *path = ff_test_fmt("%s/s.txt", ff_test_tmpdir());
	unsigned char hdr[FF_ZST_SKIP_HEADER + 4];
	ff_src_opts o = { 0 };
	const char *line, *p;
	size_t len;
	int fds[2];
	ff_src *src;
	ff_err err;

	(void)state;
	assert_int_equal(ff_src_open(&src, ff_test_fmt("%s/none",
	    ff_test_tmpdir()), NULL, &err), FF_ERR_IO);
	assert_null(src);
	assert_non_null(strstr(ff_err_msg(&err), "none"));
	/* A regular file has a size; a pipe does not. */
	assert_int_equal(ff_test_write(path, "one\ntwo\n", 8), 0);
	assert_int_equal(ff_src_open(&src, path, NULL, &err), FF_OK);
	assert_int_equal(ff_src_size(src), 8);
	assert_int_equal(ff_src_line(src, &line, &len, &err), FF_OK);
	assert_int_equal(len, 3);
	ff_src_close(src);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "x\n", 2), 2);
	close(fds[1]);
	assert_int_equal(ff_src_open_fd(&src, fds[0], "pipe", 1, NULL, &err),
	    FF_OK);
	assert_int_equal(ff_src_size(src), 0);
	assert_int_equal(ff_src_peek(src, 1 << 30, &p, &len, &err), FF_OK);
	assert_int_equal(len, 2);
	ff_src_close(src);
	/* Four bytes of a skippable frame: its header is cut. */
	ff_zst_skip_header(hdr, 0, 4);
	assert_int_equal(ff_src_open_mem(&src, hdr, 5, "h", NULL, &err), FF_OK);
	assert_int_equal(ff_src_line(src, &line, &len, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "truncated metadata frame "
	    "header"));
	/* A broken source keeps answering with the same error. */
	assert_true(ff_src_broken(src));
	ff_err_init(&err);
	assert_int_equal(ff_src_line(src, &line, &len, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "truncated metadata"));
	assert_int_equal(ff_src_peek(src, 1, &p, &len, NULL), FF_ERR_PARSE);
	ff_src_close(src);
	/* Metadata over the caller's limit, or cut short. */
	o.max_meta = 3;
	memcpy(hdr + FF_ZST_SKIP_HEADER, "{}  ", 4);
	assert_int_equal(ff_src_open_mem(&src, hdr, sizeof hdr, "h", &o, &err),
	    FF_OK);
	assert_int_equal(ff_src_peek(src, 1, &p, &len, &err), FF_ERR_LIMIT);
	assert_non_null(strstr(ff_err_msg(&err), "exceeds the limit of 3"));
	ff_src_close(src);
	assert_int_equal(ff_src_open_mem(&src, hdr, sizeof hdr - 1, "h", NULL,
	    &err), FF_OK);
	assert_int_equal(ff_src_peek(src, 1, &p, &len, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "truncated metadata frame ("));
	ff_src_close(src);
	/* A long line is skipped whole, and the next one read. */
	{
		size_t n = 300000;
		char *text = malloc(n + 8);

		memset(text, 'l', n);
		memcpy(text + n, "\nok\n", 4);
		o.max_meta = 0;
		o.max_line = 1000;
		assert_int_equal(ff_src_open_mem(&src, text, n + 4, "l", &o,
		    &err), FF_OK);
		assert_int_equal(ff_src_line(src, &line, &len, &err),
		    FF_ERR_LIMIT);
		assert_false(ff_src_broken(src));
		assert_int_equal(ff_src_line(src, &line, &len, &err), FF_OK);
		assert_int_equal(len, 2);
		assert_memory_equal(line, "ok", 2);
		assert_int_equal(ff_src_lineno(src), 2);
		assert_int_equal(ff_src_line(src, &line, &len, &err), FF_DONE);
		ff_src_close(src);
		free(text);
	}
}

/* ---- zst.h and a large metadata frame ------------------------------------ */

static ff_rc
buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct { char *p; size_t len, cap; } *b = ctx;

	(void)err;
	if (b->len + len > b->cap)
		return ff_err_set(err, FF_ERR_IO, "buffer full");
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return FF_OK;
}

static void
test_zst_and_big_meta(void **state)
{
	size_t mlen = 300000;
	struct { char *p; size_t len, cap; } b = { NULL, 0, 0 };
	const char *line, *meta;
	ff_zst_enc *e;
	ff_src *src;
	size_t len;
	ff_err err;

	(void)state;
	/* The sink refuses the compressed bytes when the frame ends. */
	b.p = malloc(mlen + 1024);
	b.cap = 0;
	e = ff_zst_enc_new(0, buf_sink, &b);
	assert_non_null(e);
	assert_int_equal(ff_zst_enc_write(e, "a 1\n", 4, &err), FF_OK);
	assert_int_equal(ff_zst_enc_end(e, &err), FF_ERR_IO);
	assert_string_equal(ff_err_msg(&err), "buffer full");
	ff_zst_enc_free(e);
	/* A 300 kB metadata frame (the default cap is 1 MiB) does not fit
	 * the line buffer at first: it grows. */
	b.cap = mlen + 1024;
	ff_zst_skip_header((unsigned char *)b.p, 3, (uint32_t)mlen);
	memset(b.p + FF_ZST_SKIP_HEADER, 'm', mlen);
	b.len = FF_ZST_SKIP_HEADER + mlen;
	e = ff_zst_enc_new(1, buf_sink, &b);
	assert_int_equal(ff_zst_enc_write(e, "a 1\n", 4, &err), FF_OK);
	assert_int_equal(ff_zst_enc_end(e, &err), FF_OK);
	ff_zst_enc_free(e);
	assert_int_equal(ff_src_open_mem(&src, b.p, b.len, "big", NULL, &err),
	    FF_OK);
	assert_int_equal(ff_src_line(src, &line, &len, &err), FF_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a 1", 3);
	meta = ff_src_meta(src, &len);
	assert_int_equal(len, mlen);
	assert_int_equal(meta[mlen - 1], 'm');
	assert_true(ff_src_is_zstd(src));
	ff_src_close(src);
	free(b.p);
}

/* ---- the .ffp metadata API ----------------------------------------------- */

static void
meta_min(ff_meta *m)
{
	ff_err err;

	ff_meta_init(m);
	assert_int_equal(ff_meta_set(m, &m->host, "h", &err), FF_OK);
	assert_int_equal(ff_meta_set(m, &m->build, "b", &err), FF_OK);
	assert_int_equal(ff_meta_set(m, &m->type, "cpu", &err), FF_OK);
}

static ff_rc
fail_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	int *left = ctx;

	(void)p;
	(void)len;
	if ((*left)-- > 0)
		return FF_OK;
	return ff_err_set(err, FF_ERR_IO, "sink full");
}

static void
test_meta_api(void **state)
{
	static const char bad_start[] = "{\"format\":\"flamefleet-profile/1\","
	    "\"host\":\"h\",\"build\":\"b\",\"type\":\"t\",\"events\":[\"e\"],"
	    "\"start\":\"soon\"}";
	ff_intern *t = ff_intern_new();
	ff_stacks *s = ff_stacks_new(t, 2), *got;
	ff_ffp_stream *w;
	ff_meta m;
	char *json, key[8], *big;
	ff_src *src;
	ff_err err;
	int left, fds[2];
	unsigned i;

	(void)state;
	/* Validation of a hand-built ff_meta: the rules the parser cannot
	 * reach (missing strings, no events). */
	ff_meta_init(&m);
	assert_int_equal(ff_meta_validate(&m, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "'host'"));
	meta_min(&m);
	assert_int_equal(ff_meta_validate(&m, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "'events' must name"));
	ff_free(m.type);
	m.type = NULL;
	assert_int_equal(ff_meta_validate(&m, &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "'type'"));
	ff_meta_free(&m);
	/* Eight events at most, 64 labels at most; a label can be
	 * replaced. */
	meta_min(&m);
	for (i = 0; i < FF_VALUES_MAX; i++)
		assert_int_equal(ff_meta_add_event(&m, "e", 0, &err), FF_OK);
	assert_int_equal(ff_meta_add_event(&m, "e", 0, &err), FF_ERR_LIMIT);
	for (i = 0; i < FF_META_LABELS_MAX; i++) {
		snprintf(key, sizeof key, "k%u", i);
		assert_int_equal(ff_meta_set_label(&m, key, "v", &err), FF_OK);
	}
	assert_int_equal(ff_meta_set_label(&m, "k99", "v", &err),
	    FF_ERR_LIMIT);
	assert_int_equal(ff_meta_set_label(&m, "k7", "seven", &err), FF_OK);
	assert_string_equal(ff_meta_label(&m, "k7"), "seven");
	assert_null(ff_meta_label(&m, "k99"));
	assert_int_equal(ff_meta_to_json(&m, &json, NULL, &err), FF_OK);
	assert_non_null(strstr(json, "\"k7\":\"seven\""));
	ff_free(json);
	ff_meta_free(&m);
	/* Parsing: over 64 KiB, and the code kept without an ff_err (a
	 * regression: it was FF_ERR_INTERNAL). */
	big = calloc(1, FF_META_MAX + 2);
	memset(big, ' ', FF_META_MAX + 1);
	assert_int_equal(ff_meta_parse(&m, big, FF_META_MAX + 1, &err),
	    FF_ERR_LIMIT);
	free(big);
	assert_int_equal(ff_meta_parse(&m, bad_start, sizeof bad_start - 1,
	    NULL), FF_ERR_PARSE);
	assert_int_equal(ff_meta_parse(&m, bad_start, sizeof bad_start - 1,
	    &err), FF_ERR_PARSE);
	assert_non_null(strstr(ff_err_msg(&err), "metadata 'start': 'soon'"));
	/* Writing: the table must have one column per event. */
	meta_min(&m);
	assert_int_equal(ff_meta_add_event(&m, "e", 0, &err), FF_OK);
	assert_int_equal(ff_ffp_write_fd(&m, s, 1, -1, "x", &err),
	    FF_ERR_USAGE);
	assert_int_equal(ff_meta_add_event(&m, "f", 0, &err), FF_OK);
	/* A file descriptor that refuses writes. */
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(ff_ffp_write_fd(&m, s, 1, fds[1], "p", &err),
	    FF_ERR_IO);
	assert_non_null(strstr(ff_err_msg(&err), "p: write: "));
	close(fds[1]);
	/* A sink that fails at the header, then at the metadata. */
	for (left = 0; left < 2; left++) {
		int n = left;

		assert_int_equal(ff_ffp_stream_begin(&w, &m, 1, fail_sink, &n,
		    &err), FF_ERR_IO);
		assert_null(w);
	}
	assert_int_equal(ff_ffp_stream_end(NULL, &err), FF_OK);
	/* Reading without an ff_err: the code, not FF_ERR_INTERNAL. */
	{
		unsigned char h[FF_ZST_SKIP_HEADER + sizeof bad_start];

		ff_zst_skip_header(h, 0, sizeof bad_start - 1);
		memcpy(h + FF_ZST_SKIP_HEADER, bad_start, sizeof bad_start - 1);
		assert_int_equal(ff_src_open_mem(&src, h, sizeof h - 1, "r",
		    NULL, &err), FF_OK);
		assert_int_equal(ff_ffp_read(src, t, &m, &got, NULL, NULL),
		    FF_ERR_PARSE);
		assert_null(got);
		ff_src_close(src);
	}
	ff_meta_free(&m);
	ff_stacks_free(s);
	ff_intern_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_stacks_errors),
		cmocka_unit_test(test_fold_errors),
		cmocka_unit_test(test_src_errors),
		cmocka_unit_test(test_zst_and_big_meta),
		cmocka_unit_test(test_meta_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
