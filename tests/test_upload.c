/*
 * test_upload.c -- POST /v1/profiles without a socket: every answer of
 * the upload handler.
 */
#define _GNU_SOURCE 1
#include "storeutil.h"

#include "store/upload.h"

#include <string.h>

static const char TOKEN[] = "s3cr3t-token-0123456789";

static int
never_seen(void *ctx, const char *hash, int64_t *id)
{
	(void)ctx;
	(void)hash;
	(void)id;
	return 0;
}

static int
always_seen(void *ctx, const char *hash, int64_t *id)
{
	(void)ctx;
	(void)hash;
	*id = 42;
	return 1;
}

static void
cfg_init(ff_upload_cfg *c, const ff_tokens *t)
{
	memset(c, 0, sizeof *c);
	c->tokens = t;
	c->max_upload = 1 << 20;
	c->max_decompressed = 8 << 20;
	c->seen = never_seen;
}

static unsigned
headers(const ff_upload_cfg *c, const char *auth, const char *type,
    const char *len, int loopback, char **glob)
{
	ff_upload_req q;
	ff_upload_resp r;
	unsigned status;

	memset(&q, 0, sizeof q);
	q.authorization = auth;
	q.content_type = type;
	q.content_length = len;
	q.loopback = loopback;
	ff_upload_resp_init(&r);
	ff_upload_headers(c, &q, &r);
	status = r.status;
	if (status == 0)
		assert_int_equal(r.body.len, 0);
	else
		assert_non_null(memmem(r.body.p, r.body.len, "{\"error\":", 9));
	if (status == 401)
		assert_non_null(r.www_authenticate);
	if (glob != NULL) {
		*glob = r.glob;
		r.glob = NULL;
	}
	ff_upload_resp_free(&r);
	return status;
}

static void
test_headers(void **state)
{
	ff_tokens *t = ff_test_tokens(TOKEN, "cache-*");
	const char *bearer = ff_test_fmt("Bearer %s", TOKEN);
	ff_upload_cfg c;
	char *glob;

	(void)state;
	cfg_init(&c, t);
	assert_int_equal(headers(&c, NULL, NULL, NULL, 1, NULL), 401);
	assert_int_equal(headers(&c, "Bearer nope-nope-nope-nope", NULL, NULL,
	    1, NULL), 401);
	assert_int_equal(headers(&c, "Basic abc", NULL, NULL, 1, NULL), 401);
	assert_int_equal(headers(&c, bearer, "application/zstd", "100", 0,
	    &glob), 0);
	assert_string_equal(glob, "cache-*");
	free(glob);
	assert_int_equal(headers(&c, bearer, "application/zstd", "1048577", 0,
	    NULL), 413);
	assert_int_equal(headers(&c, bearer, "text/plain", NULL, 0, NULL),
	    400);
	assert_int_equal(headers(&c, bearer, "application/octet-stream", NULL,
	    0, NULL), 0);
	/* Without a tokens file: loopback only, no token needed. */
	cfg_init(&c, NULL);
	assert_int_equal(headers(&c, NULL, NULL, NULL, 0, NULL), 403);
	assert_int_equal(headers(&c, NULL, NULL, NULL, 1, &glob), 0);
	assert_string_equal(glob, "*");
	free(glob);
	ff_tokens_free(t);
}

/* Run the body checks; returns the status, the body in out (a copy). */
static unsigned
body(const ff_upload_cfg *c, const char *glob, const void *p, size_t len,
    char *out, size_t cap, ff_upload_resp *keep)
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
	if (status == 0)
		assert_non_null(r.prep);
	if (keep != NULL)
		*keep = r;
	else
		ff_upload_resp_free(&r);
	return status;
}

static void
test_body(void **state)
{
	ff_upload_resp kept;
	ff_ingest_result res;
	ff_upload_cfg c;
	char out[1024];
	ff_buf b;

	(void)state;
	cfg_init(&c, NULL);
	ff_test_ffp(&b, "cache-017", "B", "main;a 1\n");
	assert_int_equal(body(&c, "cache-*", b.p, b.len, out, sizeof out,
	    &kept), 0);
	/* The writer's answers. */
	memset(&res, 0, sizeof res);
	res.rc = FF_OK;
	res.put.id = 7;
	res.put.rows = 1;
	res.hash = kept.prep->hash;
	ff_upload_done(&res, &kept);
	assert_int_equal(kept.status, 201);
	assert_non_null(strstr((char *)kept.body.p, "\"id\":7"));
	assert_non_null(strstr((char *)kept.body.p, "\"rows\":1"));
	res.put.duplicate = 1;
	ff_upload_done(&res, &kept);
	assert_int_equal(kept.status, 200);
	assert_non_null(memmem(kept.body.p, kept.body.len,
	    "\"duplicate\":true", 16));
	res.rc = ff_err_set(&res.err, FF_ERR_IO, "disk full");
	ff_upload_done(&res, &kept);
	assert_int_equal(kept.status, 503);
	assert_non_null(kept.retry_after);
	ff_upload_busy("the write queue is full", &kept);
	assert_int_equal(kept.status, 503);
	assert_string_equal(kept.retry_after, "2");
	ff_upload_resp_free(&kept);
	/* The host must match the token's glob. */
	assert_int_equal(body(&c, "web-*", b.p, b.len, out, sizeof out, NULL),
	    403);
	assert_non_null(strstr(out, "cache-017"));
	/* Seen before: 200 without parsing. */
	c.seen = always_seen;
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL),
	    200);
	assert_non_null(strstr(out, "\"id\":42"));
	assert_non_null(strstr(out, "\"duplicate\":true"));
	c.seen = NULL;
	/* Larger than the limit. */
	c.max_upload = 10;
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL),
	    413);
	ff_buf_free(&b);
}

static void
test_bad_bodies(void **state)
{
	const char *m = ff_test_meta("h", "B", "cpu", "\"cycles\"", "",
	    "2026-11-21T20:00:00Z");
	ff_upload_cfg c;
	char out[1024];
	ff_buf b;
	char *zeros;

	(void)state;
	cfg_init(&c, NULL);
	assert_int_equal(body(&c, "*", "", 0, out, sizeof out, NULL), 400);
	assert_int_equal(body(&c, "*", "a;b 1\n", 6, out, sizeof out, NULL),
	    400);
	assert_non_null(strstr(out, "no metadata frame"));
	ff_test_ffp_raw(&b, "{not json", 9, "a 1\n", 4);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL), 400);
	assert_non_null(strstr(out, "metadata"));
	ff_buf_free(&b);
	ff_test_ffp_raw(&b, m, strlen(m), "a 1 2\n", 6);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL), 400);
	assert_non_null(strstr(out, "upload:1:"));
	ff_buf_free(&b);
	ff_test_ffp_raw(&b, m, strlen(m), "a\0 1\n", 5);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL), 400);
	assert_non_null(strstr(out, "NUL"));
	b.len -= 3;   /* truncated */
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL), 400);
	ff_buf_free(&b);
	/* A bomb: 16 MiB of zeros against an 8 MiB cap. */
	zeros = calloc(1, 16 << 20);
	ff_test_ffp_raw(&b, m, strlen(m), zeros, 16 << 20);
	assert_int_equal(body(&c, "*", b.p, b.len, out, sizeof out, NULL), 413);
	assert_non_null(strstr(out, "inflates"));
	ff_buf_free(&b);
	free(zeros);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_bad_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
