/*
 * test_cov_upload.c -- every error answer of the upload path (store/upload.c
 * and what it calls to validate a body: prep.c, profile/ffp.c's metadata
 * rules, the line source and the folded reader), each with its status and
 * message; allocation failures at every step answer 503, never 400 or a
 * crash.
 *
 * Error returns of the upload path and the test of this file (or
 * another) that exercises each:
 *
 * | where                  | answer or message             | test (case)      |
 * |------------------------|-------------------------------|------------------|
 * | upload.c:              |                               |                  |
 * | ff_upload_headers      | 403 loopback clients only     | header_answers   |
 * |  bearer()              | 401 missing 'Authorization'   | header_answers   |
 * |  ff_tokens_match       | 401 unknown token             | header_answers   |
 * |  too_long              | 413 Content-Length exceeds    | header_answers   |
 * |  content_type_ok       | 400 Content-Type must be      | header_answers   |
 * |  ff_strdup(glob)       | 503 out of memory             | header_oom       |
 * | ff_upload_error        | empty body when no memory     | header_oom       |
 * | ff_upload_body         | 413 the body exceeds          | bombs            |
 * |  ff_prep_meta          | 400 its message; 503 nomem    | metadata_errors, |
 * |                        |                               | frame_errors,    |
 * |                        |                               | body_oom         |
 * |  check_host            | 403 may not upload host       | order            |
 * |  ff_prep_parse         | 413 inflates to more than     | bombs            |
 * |                        | 503 out of memory             | body_oom         |
 * |                        | 400 message with upload:LINE  | data_errors      |
 * | answer_ok              | 503 out of memory             | done_answers     |
 * | ff_upload_done         | 500 (DB, INTERNAL), else      | done_answers     |
 * |                        | 503 + Retry-After: 5          |                  |
 * | ff_upload_busy         | 503 + Retry-After: 2          | test_upload.c    |
 * | prep.c:                |                               |                  |
 * | meta_frame             | no metadata frame             | frame_errors     |
 * |                        | truncated metadata frame      | frame_errors     |
 * |                        | header; frame (N of M);       |                  |
 * |                        | metadata exceeds 65536        |                  |
 * | prep_read              | no data after the metadata    | frame_errors     |
 * |  zstd (via ff_src)     | truncated; checksum           | frame_errors     |
 * |  ff_src line           | line longer than 4 MiB        | bombs            |
 * |  fold reader (strict)  | bad count, wrong number of    | data_errors      |
 * |                        | counts, empty stack, NUL      |                  |
 * |  add_totals            | counts overflow the total     | data_errors      |
 * |  split_frames          | deeper than 4096 frames;      | data_errors      |
 * |                        | frame longer than 65536       |                  |
 * |  any allocation        | 503 out of memory             | body_oom         |
 * |  2^31 frames/stacks    | too many distinct ...         | untested (1)     |
 * | profile/ffp.c:         |                               |                  |
 * | ff_meta_parse          | not valid JSON (syntax,       | metadata_errors  |
 * |                        | duplicate member, \\u0000)    |                  |
 * |  jansson nomem         | 503                           | body_oom         |
 * |  over 64 KiB           | (meta_frame refuses first)    | test_cov_profile |
 * | meta_from_json         | not a JSON object; 'format'   | metadata_errors  |
 * | json_take_str          | 'host' etc. not a string      | metadata_errors  |
 * | json_take_events       | 'events' 1-8; 'periods' one   | metadata_errors  |
 * |                        | per event; event N not a      |                  |
 * |                        | string; period N not > 0      |                  |
 * |  ff_meta_add_event     | (count checked first)         | test_cov_profile |
 * | json_take_time         | 'start' RFC 3339; 'start':    | metadata_errors  |
 * |                        | ...; 'duration_s' a number    |                  |
 * | json_take_labels       | 'labels' an object; more      | metadata_errors  |
 * |                        | than 64; label not a string   |                  |
 * |  ff_meta_set_label     | (count checked first)         | test_cov_profile |
 * | ff_meta_validate       | host, build, type, agent,     | metadata_errors  |
 * |                        | event name, duration_s,       |                  |
 * |                        | label key, label value        |                  |
 * |  no events             | (the parser refuses first)    | test_cov_profile |
 * | ingest.c:              |                               |                  |
 * | ff_ingest_submit       | queue full; shutting down;    | test_cov_ingest  |
 * |                        | out of memory                 |                  |
 *
 * (1) FF_IDS_MAX (2^31 - 1) distinct frames or stacks need more than
 * 4 GiB of folded text: beyond any test (and --max-decompressed).
 */
#define _GNU_SOURCE 1
#include "storeutil.h"

#include "profile/ffp.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/prep.h"
#include "store/upload.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

static const char TOKEN[] = "s3cr3t-token-0123456789";

static void
cfg_init(ff_upload_cfg *c, const ff_tokens *t)
{
	memset(c, 0, sizeof *c);
	c->tokens = t;
	c->max_upload = 1 << 20;
	c->max_decompressed = 8 << 20;
}

/* ---- headers ------------------------------------------------------------- */

struct hcase {
	const char *auth, *type, *length;
	int loopback;
	unsigned status;
	const char *msg;      /* in the error body; NULL for status 0 */
};

static void
check_headers(const ff_upload_cfg *c, const struct hcase *k)
{
	ff_upload_req q;
	ff_upload_resp r;

	memset(&q, 0, sizeof q);
	q.authorization = k->auth;
	q.content_type = k->type;
	q.content_length = k->length;
	q.loopback = k->loopback;
	ff_upload_resp_init(&r);
	ff_upload_headers(c, &q, &r);
	if (r.status != k->status)
		fail_msg("auth '%s' type '%s' length '%s': status %u, want %u",
		    k->auth ? k->auth : "-", k->type ? k->type : "-",
		    k->length ? k->length : "-", r.status, k->status);
	if (k->msg != NULL) {
		assert_non_null(memmem(r.body.p, r.body.len, k->msg,
		    strlen(k->msg)));
		assert_null(r.glob);
	} else {
		assert_int_equal(r.body.len, 0);
		assert_non_null(r.glob);
	}
	assert_true((r.status == 401) == (r.www_authenticate != NULL));
	ff_upload_resp_free(&r);
}

/* Every branch of ff_upload_headers: authorization, Content-Length and
 * Content-Type parsing. */
static void
test_header_answers(void **state)
{
	ff_tokens *t = ff_test_tokens(TOKEN, "cache-*");
	const char *b = ff_test_fmt("Bearer %s", TOKEN);
	const char *spaced = ff_test_fmt("bearer    %s   ", TOKEN);
	const struct hcase with_tokens[] = {
		{ NULL, NULL, NULL, 1, 401, "missing 'Authorization" },
		{ "Basic abc", NULL, NULL, 1, 401, "missing 'Authorization" },
		{ "Bearer ", NULL, NULL, 1, 401, "missing 'Authorization" },
		{ "Bearer    ", NULL, NULL, 1, 401, "missing 'Authorization" },
		{ "Bearer nope", NULL, NULL, 1, 401, "unknown token" },
		/* The scheme is case-insensitive; blanks around the token. */
		{ spaced, NULL, NULL, 0, 0, NULL },
		{ b, "application/zstd", "1048576", 0, 0, NULL },
		{ b, "application/zstd", "1048577", 0, 413, "Content-Length" },
		{ b, "application/zstd", "99999999999999999999999", 0, 413,
		  "exceeds" },
		/* Not a number: left to the body's own check. */
		{ b, NULL, "abc", 0, 0, NULL },
		{ b, NULL, "-5", 0, 0, NULL },
		{ b, NULL, "2000000x", 0, 0, NULL },
		{ b, "APPLICATION/ZSTD; charset=binary", NULL, 0, 0, NULL },
		{ b, "application/octet-stream", NULL, 0, 0, NULL },
		{ b, "Application/Octet-Stream\t;x", NULL, 0, 0, NULL },
		{ b, "application/zst", NULL, 0, 400, "Content-Type" },
		{ b, "application/zstdx", NULL, 0, 400, "Content-Type" },
		{ b, "application/octet-streams", NULL, 0, 400,
		  "Content-Type" },
		/* The right lengths, other types. */
		{ b, "application/json", NULL, 0, 400, "Content-Type" },
		{ b, "application/octet-streax", NULL, 0, 400,
		  "Content-Type" },
		{ b, "text/plain", NULL, 0, 400, "Content-Type" },
		{ b, "", NULL, 0, 400, "Content-Type" },
	};
	const struct hcase loopback_only[] = {
		{ NULL, NULL, NULL, 0, 403, "loopback clients only" },
		{ b, NULL, NULL, 0, 403, "loopback clients only" },
		{ NULL, NULL, NULL, 1, 0, NULL },
		{ NULL, "text/html", NULL, 1, 400, "Content-Type" },
		{ NULL, NULL, "1048577", 1, 413, "Content-Length" },
	};
	ff_upload_cfg c;
	size_t i;

	(void)state;
	cfg_init(&c, t);
	for (i = 0; i < sizeof with_tokens / sizeof with_tokens[0]; i++)
		check_headers(&c, &with_tokens[i]);
	cfg_init(&c, NULL);
	for (i = 0; i < sizeof loopback_only / sizeof loopback_only[0]; i++)
		check_headers(&c, &loopback_only[i]);
	ff_tokens_free(t);
}

/* Out of memory while copying the token's glob, or while writing the
 * error body itself: 503, or the same status with an empty body. */
static void
test_header_oom(void **state)
{
	ff_tokens *t = ff_test_tokens(TOKEN, "cache-*");
	const char *b = ff_test_fmt("Bearer %s", TOKEN);
	ff_upload_cfg c;
	ff_upload_req q;
	ff_upload_resp r;
	unsigned long n, made;
	int saw503 = 0;

	(void)state;
	cfg_init(&c, t);
	memset(&q, 0, sizeof q);
	q.authorization = b;
	ff_mem_fail_at(ULONG_MAX, 0);
	ff_upload_resp_init(&r);
	ff_upload_headers(&c, &q, &r);
	made = ff_mem_fail_at(0, 0);
	assert_int_equal(r.status, 0);
	ff_upload_resp_free(&r);
	assert_true(made >= 1);
	for (n = 1; n <= made; n++) {
		ff_upload_resp_init(&r);
		ff_mem_fail_at(n, 1);
		ff_upload_headers(&c, &q, &r);
		ff_mem_fail_at(0, 0);
		assert_int_equal(r.status, 503);
		assert_int_equal(r.reason, FF_REJECT_BUSY);
		assert_null(r.glob);
		/* The JSON body needs memory too: empty is allowed. */
		if (r.body.len != 0)
			assert_non_null(memmem(r.body.p, r.body.len,
			    "out of memory", 13));
		saw503 = 1;
		ff_upload_resp_free(&r);
	}
	assert_true(saw503);
	/* An error body that cannot be allocated is left empty. */
	ff_upload_resp_init(&r);
	q.authorization = NULL;
	ff_mem_fail_at(1, 1);
	ff_upload_headers(&c, &q, &r);
	ff_mem_fail_at(0, 0);
	assert_int_equal(r.status, 401);
	assert_int_equal(r.body.len, 0);
	ff_upload_resp_free(&r);
	ff_tokens_free(t);
}

/* ---- bodies -------------------------------------------------------------- */

/* Run ff_upload_body; the status, with the body copied into out. */
static unsigned
body(const ff_upload_cfg *c, const char *glob, const void *p, size_t len,
    char *out, size_t cap)
{
	ff_upload_req q;
	ff_upload_resp r;
	unsigned status;

	memset(&q, 0, sizeof q);
	q.glob = glob;
	q.body = p;
	q.len = len;
	ff_upload_resp_init(&r);
	ff_upload_body(c, &q, &r);
	status = r.status;
	snprintf(out, cap, "%.*s", (int)r.body.len, (char *)r.body.p);
	assert_true((status == 0) == (r.prep != NULL));
	if (status >= 400)
		assert_non_null(strstr(out, "{\"error\":"));
	ff_upload_resp_free(&r);
	return status;
}

/* Metadata texts live until the end of the program: a table of cases
 * holds many at once. */
static char *
meta_slot(void)
{
	static char pool[96][2048];
	static unsigned next;

	assert_true(next < sizeof pool / sizeof pool[0]);
	return pool[next++];
}

static const char *
meta_with(const char *members)
{
	char *buf = meta_slot();

	snprintf(buf, 2048, "{\"format\":\"flamefleet-profile/1\",%s}",
	    members);
	return buf;
}

/* Metadata members other than `skip`, then extra ones. */
static const char *
meta_but(const char *skip, const char *extra)
{
	char *buf = meta_slot();
	const char *all[] = {
		"\"host\":\"cache-1\"", "\"build\":\"B\"", "\"type\":\"cpu\"",
		"\"events\":[\"cycles\"]", "\"start\":\"2026-11-21T20:00:00Z\"",
	};
	size_t i, o;

	o = (size_t)snprintf(buf, 2048,
	    "{\"format\":\"flamefleet-profile/1\"");
	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		if (skip == NULL || strncmp(all[i] + 1, skip, strlen(skip)) != 0 ||
		    all[i][1 + strlen(skip)] != '"')
			o += (size_t)snprintf(buf + o, 2048 - o, ",%s", all[i]);
	snprintf(buf + o, 2048 - o, "%s%s}", extra[0] ? "," : "", extra);
	return buf;
}

struct bcase {
	const char *name;
	const char *meta;     /* JSON */
	const char *text;     /* folded */
	unsigned status;
	const char *msg;
};

static void
check_body(const ff_upload_cfg *c, const struct bcase *k)
{
	char out[2048];
	unsigned st;
	ff_buf b;

	ff_test_ffp_raw(&b, k->meta, strlen(k->meta), k->text,
	    strlen(k->text));
	st = body(c, "*", b.p, b.len, out, sizeof out);
	if (st != k->status || (k->msg != NULL && strstr(out, k->msg) == NULL))
		fail_msg("%s: status %u '%s', want %u '%s'", k->name, st, out,
		    k->status, k->msg ? k->msg : "");
	ff_buf_free(&b);
}

/* Each metadata rule of profile/README.md, through the upload handler:
 * 400 with a message naming the member. */
static void
test_metadata_errors(void **state)
{
	static char longhost[300], longval[300], longkey[80], longtype[40],
	    longevent[140];
	char labels[64 * 16 + 64];
	const char *ok = "a;b 1\n";
	ff_upload_cfg c;
	size_t i, o;

	(void)state;
	memset(longhost, 'h', 256);
	memset(longval, 'v', 256);
	memset(longkey, 'k', 65);
	memset(longtype, 't', 33);
	memset(longevent, 'e', 129);
	o = 0;
	for (i = 0; i < 65; i++)
		o += (size_t)snprintf(labels + o, sizeof labels - o, "%s\"k%zu\":"
		    "\"v\"", i ? "," : "", i);
	{
		const struct bcase cases[] = {
			{ "valid", meta_but(NULL, ""), ok, 0, NULL },
			{ "not json", "{\"format\":", ok, 400,
			  "metadata is not valid JSON" },
			{ "duplicate member", meta_but(NULL, "\"host\":\"x\""), ok,
			  400, "not valid JSON" },
			{ "array", "[1,2]", ok, 400, "not a JSON object" },
			{ "no format", "{\"host\":\"h\"}", ok, 400,
			  "'format' must be" },
			{ "format number", "{\"format\":1}", ok, 400,
			  "'format' must be" },
			{ "format 2", "{\"format\":\"flamefleet-profile/2\"}", ok,
			  400, "'format' must be" },
			{ "no host", meta_but("host", ""), ok, 400,
			  "'host' must be a string" },
			{ "host number", meta_but("host", "\"host\":5"), ok, 400,
			  "'host' must be a string" },
			{ "no build", meta_but("build", ""), ok, 400,
			  "'build' must be a string" },
			{ "no type", meta_but("type", ""), ok, 400,
			  "'type' must be a string" },
			{ "agent number", meta_but(NULL, "\"agent\":1"), ok, 400,
			  "'agent' must be a string" },
			{ "no events", meta_but("events", ""), ok, 400,
			  "'events' must be an array" },
			{ "events string", meta_but("events", "\"events\":\"c\""),
			  ok, 400, "'events' must be an array" },
			{ "events empty", meta_but("events", "\"events\":[]"), ok,
			  400, "'events' must be an array" },
			{ "nine events", meta_but("events", "\"events\":[\"a\","
			  "\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]"), ok,
			  400, "'events' must be an array" },
			{ "event number", meta_but("events", "\"events\":[7]"), ok,
			  400, "event 1 is not a string" },
			{ "periods object", meta_but(NULL, "\"periods\":{}"), ok,
			  400, "'periods' must be" },
			{ "periods short", meta_but("events", "\"events\":[\"a\","
			  "\"b\"],\"periods\":[1]"), "a 1 2\n", 400,
			  "'periods' must be" },
			{ "period string", meta_but(NULL, "\"periods\":[\"1\"]"),
			  ok, 400, "period 1 is not a positive integer" },
			{ "period zero", meta_but(NULL, "\"periods\":[0]"), ok,
			  400, "period 1 is not a positive integer" },
			{ "period real", meta_but(NULL, "\"periods\":[1.5]"), ok,
			  400, "period 1 is not a positive integer" },
			{ "no start", meta_but("start", ""), ok, 400,
			  "'start' must be an RFC 3339" },
			{ "start number", meta_but("start", "\"start\":0"), ok,
			  400, "'start' must be an RFC 3339" },
			{ "start bad", meta_but("start", "\"start\":\"yesterday\""),
			  ok, 400, "metadata 'start': " },
			{ "duration string", meta_but(NULL, "\"duration_s\":"
			  "\"60\""), ok, 400, "'duration_s' must be a number" },
			{ "duration negative", meta_but(NULL, "\"duration_s\":-1"),
			  ok, 400, "'duration_s' must be between" },
			{ "duration huge", meta_but(NULL, "\"duration_s\":1e10"),
			  ok, 400, "'duration_s' must be between" },
			{ "labels array", meta_but(NULL, "\"labels\":[]"), ok, 400,
			  "'labels' must be an object" },
			{ "label number", meta_but(NULL, "\"labels\":{\"a\":1}"),
			  ok, 400, "label 'a' is not a string" },
			{ "65 labels", meta_but(NULL, ff_test_fmt("\"labels\":{%s}",
			  labels)), ok, 400, "more than 64 labels" },
			/* ff_meta_validate */
			{ "host empty", meta_but("host", "\"host\":\"\""), ok, 400,
			  "'host' must be 1-255 bytes" },
			{ "host long", meta_but("host", ff_test_fmt("\"host\":"
			  "\"%s\"", longhost)), ok, 400, "'host' must be 1-255" },
			{ "host control", meta_but("host", "\"host\":\"a\\u0001\""),
			  ok, 400, "'host' must be 1-255" },
			{ "host DEL", meta_but("host", "\"host\":\"a\\u007f\""), ok,
			  400, "'host' must be 1-255" },
			{ "build tab", meta_but("build", "\"build\":\"1\\t2\""), ok,
			  400, "'build' must be 1-255" },
			{ "type space", meta_but("type", "\"type\":\"c p u\""), ok,
			  400, "'type' must be a word" },
			{ "type empty", meta_but("type", "\"type\":\"\""), ok, 400,
			  "'type' must be a word" },
			{ "type long", meta_but("type", ff_test_fmt("\"type\":"
			  "\"%s\"", longtype)), ok, 400, "'type' must be a word" },
			{ "type word", meta_but("type", "\"type\":\"Z_9.-a\""), ok,
			  0, NULL },
			{ "agent control", meta_but(NULL, "\"agent\":\"a\\n\""), ok,
			  400, "'agent' must be printable" },
			{ "agent empty", meta_but(NULL, "\"agent\":\"\""), ok, 400,
			  "'agent' must be printable" },
			{ "event space", meta_but("events", "\"events\":[\"a b\"]"),
			  ok, 400, "event 1 is not a valid event name" },
			{ "event long", meta_but("events", ff_test_fmt("\"events\":"
			  "[\"%s\"]", longevent)), ok, 400, "event 1 is not" },
			{ "event chars", meta_but("events", "\"events\":[\"a:b/c@d,"
			  "e+f=g~h-i.j_K9\"]"), ok, 0, NULL },
			{ "label key", meta_but(NULL, "\"labels\":{\"a b\":\"x\"}"),
			  ok, 400, "label key 'a b'" },
			{ "label key empty", meta_but(NULL, "\"labels\":{\"\":"
			  "\"x\"}"), ok, 400, "label key ''" },
			{ "label key long", meta_but(NULL, ff_test_fmt("\"labels\":"
			  "{\"%s\":\"x\"}", longkey)), ok, 400, "label key" },
			{ "label value long", meta_but(NULL, ff_test_fmt("\"labels\":"
			  "{\"k\":\"%s\"}", longval)), ok, 400, "label 'k' must" },
			{ "label value control", meta_but(NULL, "\"labels\":{\"k\":"
			  "\"\\u001b[31m\"}"), ok, 400, "label 'k' must" },
			{ "label value empty", meta_but(NULL, "\"labels\":{\"k\":"
			  "\"\"}"), ok, 0, NULL },
			{ "unknown member", meta_but(NULL, "\"future\":[1]"), ok,
			  0, NULL },
			{ "NUL in a string", meta_with("\"host\":\"a\\u0000b\""),
			  ok, 400, "not valid JSON" },
		};

		cfg_init(&c, NULL);
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
			check_body(&c, &cases[i]);
	}
}

/* The metadata frame itself (prep.c meta_frame) and the data after it. */
static void
test_frame_errors(void **state)
{
	const char *m = meta_but(NULL, "");
	unsigned char raw[16];
	ff_upload_cfg c;
	char out[1024], *big;
	ff_buf b;

	(void)state;
	cfg_init(&c, NULL);
	/* Empty, plain text, a bare zstd frame: no metadata frame. */
	assert_int_equal(body(&c, "*", "", 0, out, sizeof out), 400);
	assert_non_null(strstr(out, "no metadata frame"));
	ff_test_ffp_raw(&b, m, strlen(m), "a 1\n", 4);
	assert_int_equal(body(&c, "*", b.p + 8 + strlen(m), b.len - 8 -
	    strlen(m), out, sizeof out), 400);
	assert_non_null(strstr(out, "no metadata frame"));
	/* Four to seven bytes of a skippable frame: a truncated header. */
	ff_zst_skip_header(raw, 0, 10);
	assert_int_equal(body(&c, "*", raw, 5, out, sizeof out), 400);
	assert_non_null(strstr(out, "truncated metadata frame header"));
	/* A metadata frame announcing more than 64 KiB. */
	ff_zst_skip_header(raw, 0, FF_META_MAX + 1);
	assert_int_equal(body(&c, "*", raw, 8, out, sizeof out), 400);
	assert_non_null(strstr(out, "exceeds the limit of 65536"));
	/* ... or more than there is. */
	assert_int_equal(body(&c, "*", b.p, 8 + strlen(m) - 1, out,
	    sizeof out), 400);
	assert_non_null(strstr(out, "truncated metadata frame ("));
	/* The metadata frame alone. */
	assert_int_equal(body(&c, "*", b.p, 8 + strlen(m), out, sizeof out),
	    400);
	assert_non_null(strstr(out, "no data after the metadata frame"));
	/* A truncated zstd frame, and one with a flipped checksum byte. */
	assert_int_equal(body(&c, "*", b.p, b.len - 1, out, sizeof out), 400);
	assert_non_null(strstr(out, "upload"));
	((unsigned char *)b.p)[b.len - 1] ^= 0xFF;
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 400);
	assert_non_null(strstr(out, "upload"));
	ff_buf_free(&b);
	/* Exactly 64 KiB of metadata is allowed (padded with blanks). */
	big = malloc(FF_META_MAX + 1);
	memset(big, ' ', FF_META_MAX);
	memcpy(big, m, strlen(m));
	ff_test_ffp_raw(&b, big, FF_META_MAX, "a 1\n", 4);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 0);
	ff_buf_free(&b);
	free(big);
}

/* The folded data: every line rule, with the line number. */
static void
test_data_errors(void **state)
{
	static char deep[2 * (FF_DEPTH_MAX + 1) + 8];
	const char *m1 = meta_but(NULL, "");
	const char *m2 = meta_but("events", "\"events\":[\"c\",\"i\"]");
	char *longframe;
	ff_upload_cfg c;
	size_t i;

	(void)state;
	for (i = 0; i < FF_DEPTH_MAX + 1; i++)
		memcpy(deep + 2 * i, "f;", 2);
	memcpy(deep + 2 * FF_DEPTH_MAX + 1, " 1\n", 4);
	longframe = malloc(FF_FRAME_MAX + 16);
	memset(longframe, 'x', FF_FRAME_MAX + 1);
	memcpy(longframe + FF_FRAME_MAX + 1, " 1\n", 4);
	{
		const struct bcase cases[] = {
			{ "two columns in one", m1, "a 1 2\n", 400, "upload:1:" },
			{ "one column in two", m2, "a 1 2\nb 3\n", 400,
			  "upload:2:" },
			{ "negative", m1, "a -1\n", 400, "upload:1:" },
			{ "too big", m1, "a 18446744073709551616\n", 400,
			  "upload:1:" },
			{ "no count", m1, "a\n", 400, "upload:1:" },
			{ "empty stack", m1, " 5\n", 400, "upload:1:" },
			{ "deep", m1, deep, 400, "deeper than 4096" },
			{ "long frame", m1, longframe, 400, "longer than 65536" },
			{ "sum overflow", m1, "a 9223372036854775807\nb 1\n", 400,
			  "upload:2: counts overflow" },
			{ "sum overflow column 2", m2, "a 1 9223372036854775807\n"
			  "b 1 1\n", 400, "upload:2: counts overflow" },
			{ "blank lines and CRLF", m2, "\n  \r\na;b 1 2\r\n", 0,
			  NULL },
		};

		cfg_init(&c, NULL);
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
			check_body(&c, &cases[i]);
	}
	free(longframe);
	/* A NUL byte in a line. */
	{
		char out[1024];
		ff_buf b;

		ff_test_ffp_raw(&b, m1, strlen(m1), "a 1\nb\0 1\n", 9);
		assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out),
		    400);
		assert_non_null(strstr(out, "upload:2:"));
		assert_non_null(strstr(out, "NUL"));
		ff_buf_free(&b);
	}
}

/* Zstd bombs are 413 whether the cap or a line limit trips first; an
 * ordinary parse error in a small body stays 400. */
static void
test_bombs(void **state)
{
	const char *m = meta_but(NULL, "");
	size_t n = 3 << 20;
	char *text = malloc(n), out[1024];
	ff_upload_cfg c;
	ff_buf b;

	(void)state;
	cfg_init(&c, NULL);
	c.max_decompressed = 1 << 20;
	/* One 3 MiB line of 'x': a line limit or the cap, either is 413. */
	memset(text, 'x', n);
	ff_test_ffp_raw(&b, m, strlen(m), text, n);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 413);
	assert_non_null(strstr(out, "inflates to more than 1048576"));
	ff_buf_free(&b);
	/* Valid lines past the cap. */
	for (size_t i = 0; i + 4 <= n; i += 4)
		memcpy(text + i, "a 1\n", 4);
	ff_test_ffp_raw(&b, m, strlen(m), text, n);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 413);
	ff_buf_free(&b);
	/* A line past FF_LINE_MAX (4 MiB) within the cap: malformed, 400. */
	free(text);
	n = FF_LINE_MAX + 16;
	text = malloc(n);
	memset(text, 'y', n);
	memcpy(text + n - 3, " 1\n", 3);
	c.max_decompressed = 8 << 20;
	ff_test_ffp_raw(&b, m, strlen(m), text, n);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 400);
	assert_non_null(strstr(out, "upload:1: line longer than"));
	ff_buf_free(&b);
	/* Within the cap: the body itself is over --max-upload. */
	c.max_upload = 100;
	ff_test_ffp_raw(&b, m, strlen(m), "a 1\n", 4);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out), 413);
	assert_non_null(strstr(out, "the body exceeds the limit of 100"));
	ff_buf_free(&b);
	free(text);
}

static int
seen_42(void *ctx, const char *hash, int64_t *id)
{
	int *calls = ctx;

	(*calls)++;
	assert_int_equal(strlen(hash), FF_DIGEST_HEX - 1);
	*id = 42;
	return 1;
}

/* The host check comes before the duplicate lookup, which comes before
 * parsing the data: a duplicate with broken data is still a 200. */
static void
test_order(void **state)
{
	const char *m = meta_but(NULL, "");
	ff_upload_cfg c;
	char out[1024];
	int calls = 0;
	ff_buf b;

	(void)state;
	cfg_init(&c, NULL);
	c.seen = seen_42;
	c.seen_ctx = &calls;
	ff_test_ffp_raw(&b, m, strlen(m), "a 1 2 3\n", 8);
	assert_int_equal(body(&c, "web-*", b.p, b.len, out, sizeof out), 403);
	assert_non_null(strstr(out, "may not upload profiles of host "
	    "'cache-1'"));
	assert_int_equal(calls, 0);
	assert_int_equal(body(&c, "cache-?", b.p, b.len, out, sizeof out),
	    200);
	assert_int_equal(calls, 1);
	assert_non_null(strstr(out, "\"duplicate\":true"));
	/* Without a glob (no tokens file) every host may upload. */
	assert_int_equal(body(&c, NULL, b.p, b.len, out, sizeof out), 200);
	ff_buf_free(&b);
}

/* ff_upload_body on a thread of its own: the parser's per-thread memo of
 * lines (store/memo.h) starts empty, so every run makes the same
 * allocations and a failure can hit each of them. */
struct body_run {
	const ff_upload_cfg *cfg;
	const ff_upload_req *req;
	unsigned long fail;         /* 0: none; ULONG_MAX: count only */
	unsigned long made;
	unsigned status;
	uint32_t nstacks;
	char msg[256];
};

static void *
body_thread(void *arg)
{
	struct body_run *b = arg;
	ff_upload_resp r;

	ff_upload_resp_init(&r);
	if (b->fail != 0)
		ff_mem_fail_at(b->fail, 1);
	ff_upload_body(b->cfg, b->req, &r);
	if (b->fail != 0)
		b->made = ff_mem_fail_at(0, 0);
	b->status = r.status;
	b->nstacks = r.prep != NULL ? r.prep->nstacks : 0;
	snprintf(b->msg, sizeof b->msg, "%.*s", (int)r.body.len,
	    (char *)r.body.p);
	ff_upload_resp_free(&r);
	return NULL;
}

static void
body_in_thread(struct body_run *b)
{
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, body_thread, b), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
}

/* Allocation failure at each step of a body's checks: 503 "out of
 * memory" (never a 400: the client did nothing wrong), or success when
 * the failing allocation's caller copes.  The profile has 2100 stacks,
 * so the parser's tables grow and rehash. */
static void
test_body_oom(void **state)
{
	enum { N = 2100 };
	const char *m = meta_but("events", "\"events\":[\"c\",\"i\"],"
	    "\"periods\":[10,20],\"labels\":{\"b\":\"2\",\"a\":\"1\"},"
	    "\"agent\":\"t\"");
	size_t cap = (size_t)N * 48, o = 0, i;
	char *text = malloc(cap);
	struct body_run b;
	unsigned long n, made;
	ff_upload_cfg c;
	ff_upload_req q;
	unsigned nomem = 0;
	ff_buf buf;

	(void)state;
	for (i = 0; i < N; i++)
		o += (size_t)snprintf(text + o, cap - o, "main;m%zu;f%zu;g %zu 1\n",
		    i % 5, i, i + 1);
	cfg_init(&c, NULL);
	ff_test_ffp_raw(&buf, m, strlen(m), text, o);
	memset(&q, 0, sizeof q);
	q.glob = "*";
	q.body = buf.p;
	q.len = buf.len;
	memset(&b, 0, sizeof b);
	b.cfg = &c;
	b.req = &q;
	b.fail = ULONG_MAX;
	body_in_thread(&b);
	made = b.made;
	assert_int_equal(b.status, 0);
	assert_int_equal(b.nstacks, N);
	for (n = 1; n <= made; n++) {
		b.fail = n;
		body_in_thread(&b);
		if (b.status == 0) {
			assert_int_equal(b.nstacks, N);
		} else {
			if (b.status != 503)
				fail_msg("allocation %lu of %lu: status %u %s", n,
				    made, b.status, b.msg);
			nomem++;
		}
	}
	assert_true(nomem > made / 2);
	print_message("upload body: %lu allocations, each failed in turn: "
	    "clean\n", made);
	ff_buf_free(&buf);
	free(text);
}

/* ---- the writer's answer ------------------------------------------------- */

static void
test_done_answers(void **state)
{
	static const struct {
		ff_rc rc;
		unsigned status;
		const char *retry;
		ff_reject reason;
	} cases[] = {
		{ FF_ERR_DB, 500, NULL, FF_REJECT_ERROR },
		{ FF_ERR_INTERNAL, 500, NULL, FF_REJECT_ERROR },
		{ FF_ERR_IO, 503, "5", FF_REJECT_BUSY },
		{ FF_ERR_BUSY, 503, "5", FF_REJECT_BUSY },
		{ FF_ERR_NOMEM, 503, "5", FF_REJECT_BUSY },
		{ FF_ERR_LIMIT, 503, "5", FF_REJECT_BUSY },
	};
	ff_ingest_result res;
	ff_upload_resp r;
	unsigned long n, made;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&res, 0, sizeof res);
		res.rc = ff_err_set(&res.err, cases[i].rc, "boom %zu", i);
		ff_upload_resp_init(&r);
		ff_upload_done(&res, &r);
		assert_int_equal(r.status, cases[i].status);
		assert_int_equal(r.reason, cases[i].reason);
		if (cases[i].retry != NULL)
			assert_string_equal(r.retry_after, cases[i].retry);
		else
			assert_null(r.retry_after);
		assert_non_null(strstr((char *)r.body.p,
		    ff_test_fmt("boom %zu", i)));
		ff_upload_resp_free(&r);
	}
	/* 201 needs memory for its JSON: 503 when there is none. */
	memset(&res, 0, sizeof res);
	res.hash = "00112233445566778899aabbccddeeff";
	res.put.id = 3;
	res.put.rows = 9;
	ff_mem_fail_at(ULONG_MAX, 0);
	ff_upload_resp_init(&r);
	ff_upload_done(&res, &r);
	made = ff_mem_fail_at(0, 0);
	assert_int_equal(r.status, 201);
	assert_non_null(strstr((char *)r.body.p, "\"rows\":9"));
	ff_upload_resp_free(&r);
	for (n = 1; n <= made; n++) {
		ff_upload_resp_init(&r);
		ff_mem_fail_at(n, 0);   /* only that one */
		ff_upload_done(&res, &r);
		ff_mem_fail_at(0, 0);
		assert_true(r.status == 503 || r.status == 201);
		if (r.status == 503)
			assert_int_equal(r.reason, FF_REJECT_BUSY);
		else
			assert_non_null(strstr((char *)r.body.p, "\"id\":3"));
		ff_upload_resp_free(&r);
	}
	for (n = 1; n <= made; n++) {
		ff_upload_resp_init(&r);
		ff_mem_fail_at(n, 1);
		ff_upload_done(&res, &r);
		ff_mem_fail_at(0, 0);
		assert_int_equal(r.status, 503);
		ff_upload_resp_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_answers),
		cmocka_unit_test(test_header_oom),
		cmocka_unit_test(test_metadata_errors),
		cmocka_unit_test(test_frame_errors),
		cmocka_unit_test(test_data_errors),
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_body_oom),
		cmocka_unit_test(test_done_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
