/*
 * test_src.c -- the line source: splitting, limits, zstd, metadata.
 */
#include "testutil.h"

#include "profile/src.h"
#include "profile/zst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sinkbuf {
	unsigned char *p;
	size_t len, cap;
};

static ff_rc
sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct sinkbuf *b = ctx;

	(void)err;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return FF_OK;
}

/* zstd-compress text (optionally after a skippable metadata frame). */
static struct sinkbuf
compress(const char *meta, const void *text, size_t len)
{
	struct sinkbuf b = { 0 };
	ff_zst_enc *e;
	ff_err err;

	if (meta != NULL) {
		unsigned char h[FF_ZST_SKIP_HEADER];

		ff_zst_skip_header(h, 0, (uint32_t)strlen(meta));
		sink(&b, h, sizeof h, NULL);
		sink(&b, meta, strlen(meta), NULL);
	}
	e = ff_zst_enc_new(3, sink, &b);
	assert_non_null(e);
	assert_int_equal(ff_zst_enc_write(e, text, len, &err), FF_OK);
	assert_int_equal(ff_zst_enc_end(e, &err), FF_OK);
	ff_zst_enc_free(e);
	return b;
}

/* All lines of a source joined with '|'; long lines show as "<LONG>". */
static char *
lines(ff_src *src, ff_rc *end)
{
	char *out = calloc(1, 1);
	size_t olen = 0, n;
	const char *p;
	ff_err err;
	ff_rc rc;

	for (;;) {
		rc = ff_src_line(src, &p, &n, &err);
		if (rc == FF_ERR_LIMIT && !ff_src_broken(src)) {
			p = "<LONG>";
			n = 6;
		} else if (rc != FF_OK) {
			if (rc != FF_DONE && getenv("FF_TEST_VERBOSE"))
				fprintf(stderr, "%s\n", err.msg);
			break;
		}
		out = realloc(out, olen + n + 2);
		memcpy(out + olen, p, n);
		olen += n;
		out[olen++] = '|';
		out[olen] = '\0';
	}
	*end = rc;
	return out;
}

static void
test_splitting(void **state)
{
	static const char text[] = "a\r\nb\n\nc";
	ff_src *src;
	ff_err err;
	ff_rc end;
	char *got;

	(void)state;
	assert_int_equal(ff_src_open_mem(&src, text, sizeof text - 1, "m",
	    NULL, &err), FF_OK);
	got = lines(src, &end);
	assert_int_equal(end, FF_DONE);
	assert_string_equal(got, "a|b||c|");
	assert_int_equal(ff_src_lineno(src), 4);
	free(got);
	ff_src_close(src);

	assert_int_equal(ff_src_open_mem(&src, "", 0, "m", NULL, &err), FF_OK);
	got = lines(src, &end);
	assert_int_equal(end, FF_DONE);
	assert_string_equal(got, "");
	free(got);
	ff_src_close(src);
}

static void
test_long_line_is_skipped_not_fatal(void **state)
{
	ff_src_opts o = { .max_line = 10 };
	char text[200];
	ff_src *src;
	ff_err err;
	ff_rc end;
	char *got;

	(void)state;
	memset(text, 'x', sizeof text);
	memcpy(text, "ok\n", 3);
	memcpy(text + 100, "\nfine\n", 6);
	assert_int_equal(ff_src_open_mem(&src, text, 106, "m", &o, &err),
	    FF_OK);
	got = lines(src, &end);
	assert_string_equal(got, "ok|<LONG>|fine|");
	assert_int_equal(ff_src_lineno(src), 3);
	free(got);
	ff_src_close(src);
}

static void
test_lines_across_buffer_refills(void **state)
{
	size_t n = 5u << 20, i, len = 0;
	char *text = malloc(n), *got;
	unsigned count = 0;
	const char *p;
	size_t l;
	ff_src *src;
	ff_err err;

	(void)state;
	for (i = 0; len + 40 < n; i++)
		len += (size_t)sprintf(text + len, "line %zu\n", i);
	assert_int_equal(ff_src_open_mem(&src, text, len, "m", NULL, &err),
	    FF_OK);
	while (ff_src_line(src, &p, &l, &err) == FF_OK) {
		got = (char *)ff_test_fmt("line %u", count);
		assert_int_equal(l, strlen(got));
		assert_memory_equal(p, got, l);
		count++;
	}
	assert_int_equal(count, i);
	ff_src_close(src);
	free(text);
}

static void
test_zstd_is_transparent(void **state)
{
	static const char text[] = "one\ntwo\nthree\n";
	struct sinkbuf z = compress(NULL, text, sizeof text - 1);
	ff_src *src;
	ff_err err;
	ff_rc end;
	char *got;

	(void)state;
	assert_int_equal(ff_src_open_mem(&src, z.p, z.len, "z", NULL, &err),
	    FF_OK);
	got = lines(src, &end);
	assert_int_equal(end, FF_DONE);
	assert_string_equal(got, "one|two|three|");
	assert_true(ff_src_is_zstd(src));
	assert_null(ff_src_meta(src, NULL));
	free(got);
	ff_src_close(src);

	/* A truncated stream is an error, after the lines it held. */
	assert_int_equal(ff_src_open_mem(&src, z.p, z.len - 3, "z", NULL,
	    &err), FF_OK);
	got = lines(src, &end);
	assert_int_equal(end, FF_ERR_PARSE);
	assert_true(ff_src_broken(src));
	free(got);
	ff_src_close(src);
	free(z.p);
}

static void
test_metadata_frame(void **state)
{
	static const char text[] = "a;b 1\n";
	struct sinkbuf z = compress("{\"format\":1}", text, sizeof text - 1);
	ff_src_opts small = { .max_meta = 4 };
	const char *meta;
	size_t mlen;
	ff_src *src;
	ff_err err;
	ff_rc end;
	char *got;

	(void)state;
	assert_int_equal(ff_src_open_mem(&src, z.p, z.len, "p", NULL, &err),
	    FF_OK);
	got = lines(src, &end);
	assert_string_equal(got, "a;b 1|");
	meta = ff_src_meta(src, &mlen);
	assert_non_null(meta);
	assert_int_equal(mlen, 12);
	assert_string_equal(meta, "{\"format\":1}");
	free(got);
	ff_src_close(src);

	assert_int_equal(ff_src_open_mem(&src, z.p, z.len, "p", &small, &err),
	    FF_OK);
	got = lines(src, &end);
	assert_int_equal(end, FF_ERR_LIMIT);
	assert_true(ff_src_broken(src));
	assert_string_equal(got, "");
	free(got);
	ff_src_close(src);
	free(z.p);
}

static void
test_decompression_cap(void **state)
{
	size_t n = 64u << 20;
	char *zeros = calloc(1, n);
	struct sinkbuf z;
	ff_src_opts o = { .max_decompressed = 1u << 20 };
	const char *p;
	size_t l;
	ff_src *src;
	ff_err err;
	ff_rc rc;

	(void)state;
	memset(zeros, 'a', n);
	z = compress(NULL, zeros, n);
	free(zeros);
	assert_true(z.len < 64 * 1024);
	assert_int_equal(ff_src_open_mem(&src, z.p, z.len, "bomb", &o, &err),
	    FF_OK);
	while ((rc = ff_src_line(src, &p, &l, &err)) == FF_OK)
		;
	/* The 64 MiB line is either refused as too long or by the cap;
	 * either way reading stops with a limit error naming the input. */
	while (rc == FF_ERR_LIMIT && !ff_src_broken(src))
		rc = ff_src_line(src, &p, &l, &err);
	assert_int_equal(rc, FF_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "bomb"));
	ff_src_close(src);
	free(z.p);
}

static void
test_open_missing_file(void **state)
{
	ff_src *src;
	ff_err err;

	(void)state;
	assert_int_equal(ff_src_open(&src, "/nonexistent/x", NULL, &err),
	    FF_ERR_IO);
	assert_null(src);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitting),
		cmocka_unit_test(test_long_line_is_skipped_not_fatal),
		cmocka_unit_test(test_lines_across_buffer_refills),
		cmocka_unit_test(test_zstd_is_transparent),
		cmocka_unit_test(test_metadata_frame),
		cmocka_unit_test(test_decompression_cap),
		cmocka_unit_test(test_open_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
