/*
 * test_ffp.c -- the profile file: metadata rules, write/read round trip,
 * hostile files.
 */
#include "testutil.h"

#include "profile/ffp.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static ff_rc
buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct buf *b = ctx;

	(void)err;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return FF_OK;
}

static void
meta_example(ff_meta *m)
{
	ff_err err;

	ff_meta_init(m);
	assert_int_equal(ff_meta_set(m, &m->host, "cache-017", &err), FF_OK);
	assert_int_equal(ff_meta_set(m, &m->build, "2026.11.3", &err), FF_OK);
	assert_int_equal(ff_meta_set(m, &m->type, "cpi", &err), FF_OK);
	assert_int_equal(ff_meta_set(m, &m->agent, "ffagent 0.1", &err), FF_OK);
	assert_int_equal(ff_meta_add_event(m, "cycles", 100000, &err), FF_OK);
	assert_int_equal(ff_meta_add_event(m, "instructions", 100000, &err),
	    FF_OK);
	assert_int_equal(ff_meta_set_label(m, "site", "fra1", &err), FF_OK);
	assert_int_equal(ff_meta_set_label(m, "gbps", "12.5", &err), FF_OK);
	assert_int_equal(ff_meta_set_label(m, "site", "ams2", &err), FF_OK);
	m->start = 1795291200;
	m->duration_s = 60;
}

static void
test_meta_json_roundtrip(void **state)
{
	ff_meta m, back;
	char *json;
	size_t len;
	ff_err err;

	(void)state;
	meta_example(&m);
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(ff_meta_label(&m, "site"), "ams2");
	assert_int_equal(ff_meta_to_json(&m, &json, &len, &err), FF_OK);
	assert_string_equal(json, "{\"agent\":\"ffagent 0.1\",\"build\":"
	    "\"2026.11.3\",\"duration_s\":60.0,\"events\":[\"cycles\","
	    "\"instructions\"],\"format\":\"flamefleet-profile/1\",\"host\":"
	    "\"cache-017\",\"labels\":{\"gbps\":\"12.5\",\"site\":\"ams2\"},"
	    "\"periods\":[100000,100000],\"start\":\"2026-11-21T20:00:00Z\","
	    "\"type\":\"cpi\"}");
	ff_meta_init(&back);
	assert_int_equal(ff_meta_parse(&back, json, len, &err), FF_OK);
	assert_string_equal(back.host, "cache-017");
	assert_int_equal(back.nevents, 2);
	assert_int_equal(back.periods[1], 100000);
	assert_int_equal(back.start, 1795291200);
	assert_string_equal(ff_meta_label(&back, "gbps"), "12.5");
	ff_free(json);
	ff_meta_free(&back);
	ff_meta_free(&m);
}

static ff_rc
parse_str(const char *json, char *msg)
{
	ff_meta m;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	rc = ff_meta_parse(&m, json, strlen(json), &err);
	if (msg != NULL)
		strcpy(msg, rc == FF_OK ? "" : err.msg);
	ff_meta_free(&m);
	return rc;
}

#define GOOD_HEAD "{\"format\":\"flamefleet-profile/1\",\"build\":\"b1\"," \
	"\"type\":\"cpu\",\"events\":[\"cycles\"],\"start\":" \
	"\"2026-11-21T20:00:00Z\""

static void
test_meta_rules(void **state)
{
	char msg[FF_ERR_MSG_MAX];

	(void)state;
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\"}", msg), FF_OK);
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"x\":1}", msg),
	    FF_OK); /* unknown members are ignored */
	assert_int_equal(parse_str(GOOD_HEAD "}", msg), FF_ERR_PARSE);
	assert_non_null(strstr(msg, "host"));
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"a\\u0000b\"}", msg),
	    FF_ERR_PARSE);
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"a\\nb\"}", msg),
	    FF_ERR_PARSE);
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"host\":\"g\"}",
	    msg), FF_ERR_PARSE); /* duplicate member */
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"labels\":"
	    "{\"k\":1}}", msg), FF_ERR_PARSE);
	assert_non_null(strstr(msg, "label"));
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"labels\":"
	    "{\"bad key\":\"v\"}}", msg), FF_ERR_PARSE);
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"periods\":"
	    "[0]}", msg), FF_ERR_PARSE);
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"h\",\"periods\":"
	    "[1,2]}", msg), FF_ERR_PARSE);
	assert_int_equal(parse_str("{\"format\":\"flamefleet-profile/2\"}",
	    msg), FF_ERR_PARSE);
	assert_non_null(strstr(msg, "format"));
	assert_int_equal(parse_str("[1,2]", msg), FF_ERR_PARSE);
	assert_int_equal(parse_str("{\"format\":", msg), FF_ERR_PARSE);
	assert_non_null(strstr(msg, "JSON"));
	/* Invalid UTF-8 is refused by the JSON parser. */
	assert_int_equal(parse_str(GOOD_HEAD ",\"host\":\"\xff\"}", msg),
	    FF_ERR_PARSE);
}

static void
test_file_roundtrip(void **state)
{
	static const char folded[] = "main;b 3 30\nmain;a 1 10\nmain;b 2 20\n";
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL, *back = NULL;
	struct buf b = { 0 };
	ff_meta m, m2;
	ff_src *src;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;
	ff_err err;

	(void)state;
	meta_example(&m);
	assert_int_equal(ff_src_open_mem(&src, folded, sizeof folded - 1, "f",
	    NULL, &err), FF_OK);
	assert_int_equal(ff_fold_load_src(&s, t, src, 2, NULL, &err), FF_OK);
	ff_src_close(src);
	assert_int_equal(ff_ffp_write(&m, s, 3, buf_sink, &b, &err), FF_OK);

	ff_meta_init(&m2);
	assert_int_equal(ff_src_open_mem(&src, b.p, b.len, "x.ffp", NULL,
	    &err), FF_OK);
	assert_int_equal(ff_ffp_read(src, t, &m2, &back, NULL, &err), FF_OK);
	ff_src_close(src);
	assert_string_equal(m2.build, "2026.11.3");
	f = open_memstream(&text, &tlen);
	assert_int_equal(ff_fold_write(back, f, &err), FF_OK);
	fclose(f);
	assert_string_equal(text, "main;a 1 10\nmain;b 5 50\n");

	free(text);
	ff_stacks_free(back);
	ff_meta_free(&m2);
	ff_stacks_free(s);
	ff_meta_free(&m);
	ff_intern_free(t);
	free(b.p);
}

static ff_rc
read_bytes(const void *p, size_t len, char *msg)
{
	ff_intern *t = ff_intern_new();
	ff_src_opts o = { .max_decompressed = 1 << 20 };
	ff_stacks *s = NULL;
	ff_meta m;
	ff_src *src;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	assert_int_equal(ff_src_open_mem(&src, p, len, "up.ffp", &o, &err),
	    FF_OK);
	rc = ff_ffp_read(src, t, &m, &s, NULL, &err);
	strcpy(msg, rc == FF_OK ? "" : err.msg);
	if (rc != FF_OK) {
		assert_null(s);
		assert_null(m.host);
	}
	ff_src_close(src);
	ff_stacks_free(s);
	ff_meta_free(&m);
	ff_intern_free(t);
	return rc;
}

/* A profile file built by hand: this metadata JSON, then text compressed
 * as is (so it may break every rule). */
static struct buf
raw_file(const char *json, const void *text, size_t len)
{
	unsigned char h[FF_ZST_SKIP_HEADER];
	struct buf b = { 0 };
	ff_zst_enc *e;
	ff_err err;

	ff_zst_skip_header(h, 0, (uint32_t)strlen(json));
	buf_sink(&b, h, sizeof h, NULL);
	buf_sink(&b, json, strlen(json), NULL);
	e = ff_zst_enc_new(1, buf_sink, &b);
	assert_int_equal(ff_zst_enc_write(e, text, len, &err), FF_OK);
	assert_int_equal(ff_zst_enc_end(e, &err), FF_OK);
	ff_zst_enc_free(e);
	return b;
}

#define ONE_EVENT GOOD_HEAD ",\"host\":\"h\"}"

static ff_rc
read_raw(const char *json, const char *text, size_t len, char *msg)
{
	struct buf b = raw_file(json, text, len);
	ff_rc rc = read_bytes(b.p, b.len, msg);

	free(b.p);
	return rc;
}

static void
test_hostile_files(void **state)
{
	struct buf good = raw_file(ONE_EVENT, "a;b 1\n", 6);
	char msg[FF_ERR_MSG_MAX];
	size_t n = 8u << 20;
	char *big;

	(void)state;
	assert_int_equal(read_bytes(good.p, good.len, msg), FF_OK);
	/* Truncated anywhere: an error, never a partial profile. */
	assert_int_equal(read_bytes(good.p, good.len - 2, msg), FF_ERR_PARSE);
	assert_int_equal(read_bytes(good.p, 20, msg), FF_ERR_PARSE);
	assert_int_equal(read_bytes(good.p, 6, msg), FF_ERR_PARSE);
	free(good.p);
	/* Plain text is not a profile. */
	assert_int_equal(read_bytes("a;b 1\n", 6, msg), FF_ERR_PARSE);
	assert_non_null(strstr(msg, "no metadata"));
	/* Bad metadata. */
	assert_int_equal(read_raw("{\"format\":", "a 1\n", 4, msg),
	    FF_ERR_PARSE);
	assert_non_null(strstr(msg, "up.ffp"));
	/* Wrong column count, NUL byte, bad count: the file is refused
	 * (no diag = strict) with file and line. */
	assert_int_equal(read_raw(ONE_EVENT, "a 1\nb 1 2\n", 10, msg),
	    FF_ERR_PARSE);
	assert_non_null(strstr(msg, "up.ffp:2:"));
	assert_int_equal(read_raw(ONE_EVENT, "a 1\nb\0 1\n", 10, msg),
	    FF_ERR_PARSE);
	assert_int_equal(read_raw(ONE_EVENT, "a 18446744073709551616\n", 23,
	    msg), FF_ERR_PARSE);
	/* A zstd bomb: 8 MiB inflating past the 1 MiB cap, refused early. */
	big = malloc(n);
	memset(big, 'x', n);
	memcpy(big + n - 3, " 1\n", 3);
	assert_int_equal(read_raw(ONE_EVENT, big, n, msg), FF_ERR_LIMIT);
	free(big);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(ff_utf8_valid("plain", 5));
	assert_true(ff_utf8_valid("\xc3\xa9t\xc3\xa9", 6));
	assert_true(ff_utf8_valid("\xf0\x9f\x94\xa5", 4));
	assert_false(ff_utf8_valid("\xc3", 1));          /* truncated */
	assert_false(ff_utf8_valid("\xc0\xaf", 2));      /* overlong */
	assert_false(ff_utf8_valid("\xed\xa0\x80", 3));  /* surrogate */
	assert_false(ff_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(ff_utf8_valid("\xff", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_json_roundtrip),
		cmocka_unit_test(test_meta_rules),
		cmocka_unit_test(test_file_roundtrip),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
