/*
 * test_uploader.c -- one POST per file against the scripted fake store:
 * what each answer means, headers, keep-alive, Retry-After, the server's
 * message, and no answer at all.
 */
#include "testutil.h"
#include "agenttest.h"

#include "agent/uploader.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
body_file(const char *name, size_t bytes)
{
	const char *path = ff_test_fmt("%s/%s", ff_test_tmpdir(), name);
	char *buf = malloc(bytes);
	size_t i;

	for (i = 0; i < bytes; i++)
		buf[i] = (char)(i * 7 + strlen(name));
	assert_int_equal(ff_test_write(path, buf, bytes), 0);
	free(buf);
	return path;
}

static ff_uploader *
handle(const char *url, const char *token)
{
	ff_uploader_opts o;
	ff_uploader *u = NULL;
	ff_err err;

	memset(&o, 0, sizeof o);
	o.server = url;
	o.token = token;
	o.connect_timeout_s = 5;
	ff_err_init(&err);
	assert_int_equal(ff_uploader_new(&u, &o, &err), FF_OK);
	return u;
}

static void
test_classify(void **state)
{
	(void)state;
	assert_int_equal(ff_uploader_classify(200), FF_UPLOADER_STORED);
	assert_int_equal(ff_uploader_classify(201), FF_UPLOADER_STORED);
	assert_int_equal(ff_uploader_classify(0), FF_UPLOADER_RETRY);
	assert_int_equal(ff_uploader_classify(408), FF_UPLOADER_RETRY);
	assert_int_equal(ff_uploader_classify(429), FF_UPLOADER_RETRY);
	assert_int_equal(ff_uploader_classify(500), FF_UPLOADER_RETRY);
	assert_int_equal(ff_uploader_classify(503), FF_UPLOADER_RETRY);
	assert_int_equal(ff_uploader_classify(400), FF_UPLOADER_REJECTED);
	assert_int_equal(ff_uploader_classify(413), FF_UPLOADER_REJECTED);
	assert_int_equal(ff_uploader_classify(422), FF_UPLOADER_REJECTED);
	assert_int_equal(ff_uploader_classify(401), FF_UPLOADER_STOP);
	assert_int_equal(ff_uploader_classify(403), FF_UPLOADER_STOP);
	assert_int_equal(ff_uploader_classify(404), FF_UPLOADER_STOP);
	assert_int_equal(ff_uploader_classify(301), FF_UPLOADER_STOP);
	assert_int_equal(ff_uploader_classify(600), FF_UPLOADER_STOP);
	assert_string_equal(ff_uploader_verdict_name(FF_UPLOADER_REJECTED),
	    "rejected");
}

static void
test_message(void **state)
{
	char out[64];
	const char *b;

	(void)state;
	b = "{\"error\": \"profile too large (\\\"64 MiB\\\")\"}";
	ff_uploader_message(b, strlen(b), out, sizeof out);
	assert_string_equal(out, "profile too large (\"64 MiB\")");
	b = "{\"code\":1,\"message\":\"bad\\nline\"}";
	ff_uploader_message(b, strlen(b), out, sizeof out);
	assert_string_equal(out, "bad line");
	b = "<html>\r\nOops\r\n";
	ff_uploader_message(b, strlen(b), out, sizeof out);
	assert_string_equal(out, "<html>??Oops");
	ff_uploader_message("", 0, out, sizeof out);
	assert_string_equal(out, "");
}

/* store, duplicate, scripted errors, Retry-After, over one connection. */
static void
test_answers(void **state)
{
	const char *a = body_file("a.ffp", 1000), *b = body_file("b.ffp", 3000);
	ff_uploader_result r;
	ff_uploader *u;
	ff_fake f;
	ff_err err;
	char *log;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_uploader_global_init(&err), FF_OK);
	assert_int_equal(ff_fake_start(&f, "--token s3cret --script "
	    "store,store,500,429:ra=7,413,404"), 0);
	u = handle(f.url, "s3cret");
	assert_int_equal(ff_uploader_post(u, a, 10, &r, &err), FF_OK);
	assert_int_equal(r.status, 201);
	assert_int_equal(r.verdict, FF_UPLOADER_STORED);
	assert_false(r.duplicate);
	assert_string_equal(r.id, "1");
	assert_int_equal(r.bytes, 1000);
	assert_int_equal(ff_uploader_post(u, a, 10, &r, &err), FF_OK);
	assert_int_equal(r.status, 200);
	assert_true(r.duplicate);
	assert_int_equal(r.verdict, FF_UPLOADER_STORED);
	assert_int_equal(ff_uploader_post(u, b, 10, &r, &err), FF_OK);
	assert_int_equal(r.verdict, FF_UPLOADER_RETRY);
	assert_int_equal(r.status, 500);
	assert_string_equal(r.message, "scripted 500");
	assert_false(r.has_retry_after);
	assert_int_equal(ff_uploader_post(u, b, 10, &r, &err), FF_OK);
	assert_int_equal(r.status, 429);
	assert_true(r.has_retry_after);
	assert_int_equal(r.retry_after_s, 7);
	assert_int_equal(ff_uploader_post(u, b, 10, &r, &err), FF_OK);
	assert_int_equal(r.verdict, FF_UPLOADER_REJECTED);
	assert_false(r.has_retry_after);
	assert_int_equal(ff_uploader_post(u, b, 10, &r, &err), FF_OK);
	assert_int_equal(r.verdict, FF_UPLOADER_STOP);
	assert_int_equal(ff_uploader_post(u, "/nonexistent.ffp", 10, &r, &err),
	    FF_ERR_IO);
	ff_uploader_free(u);
	ff_fake_stop(&f);
	log = ff_fake_log(&f);
	/* every request: POST /v1/profiles, zstd, bearer, one connection */
	assert_non_null(strstr(log, " 1 POST /v1/profiles 201 1000 "));
	assert_non_null(strstr(log, "application/zstd bearer\n"));
	assert_null(strstr(log, " -\n"));
	free(log);
	assert_int_equal(ff_fake_connections(&f), 1);
	ff_uploader_global_cleanup();
}

static void
test_wrong_token_and_large_body(void **state)
{
	const char *big = body_file("big.ffp", 3u << 20);
	ff_uploader_result r;
	ff_uploader *u;
	ff_fake f;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_uploader_global_init(&err), FF_OK);
	assert_int_equal(ff_fake_start(&f, "--token right --max-body 1000000"),
	    0);
	u = handle(f.url, "wrong");
	assert_int_equal(ff_uploader_post(u, big, 10, &r, &err), FF_OK);
	/* too big is answered before the token is looked at */
	assert_int_equal(r.status, 413);
	assert_int_equal(r.verdict, FF_UPLOADER_REJECTED);
	assert_string_equal(r.message, "profile too large");
	assert_int_equal(ff_uploader_post(u, body_file("s.ffp", 10), 10, &r,
	    &err), FF_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(r.verdict, FF_UPLOADER_STOP);
	assert_string_equal(r.message, "bad token");
	ff_uploader_free(u);
	ff_fake_stop(&f);
	ff_uploader_global_cleanup();
}

/* No server: a connection error is a RETRY with curl's message. */
static void
test_no_answer(void **state)
{
	ff_uploader_result r;
	ff_uploader *u;
	ff_fake f;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_uploader_global_init(&err), FF_OK);
	assert_int_equal(ff_fake_start(&f, "--script drop,hang:30"), 0);
	u = handle(f.url, NULL);
	/* dropped without an answer */
	assert_int_equal(ff_uploader_post(u, body_file("c.ffp", 100), 10, &r,
	    &err), FF_OK);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.verdict, FF_UPLOADER_RETRY);
	assert_true(r.message[0] != '\0');
	/* no answer within the time allowed */
	assert_int_equal(ff_uploader_post(u, body_file("c.ffp", 100), 1, &r,
	    &err), FF_OK);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.verdict, FF_UPLOADER_RETRY);
	print_message("after 1 s without an answer: %s\n", r.message);
	assert_non_null(strstr(r.message, "imeout") != NULL ? r.message :
	    strstr(r.message, "timed out"));
	ff_fake_stop(&f);
	/* nobody listening any more */
	assert_int_equal(ff_uploader_post(u, body_file("c.ffp", 100), 10, &r,
	    &err), FF_OK);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.verdict, FF_UPLOADER_RETRY);
	ff_uploader_free(u);
	ff_uploader_global_cleanup();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_wrong_token_and_large_body),
		cmocka_unit_test(test_no_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
