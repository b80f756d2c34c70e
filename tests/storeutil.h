/*
 * storeutil.h -- helpers shared by the store's tests: profile files built
 * in memory, valid or not, and a tokens file.
 */
#ifndef FF_STOREUTIL_H
#define FF_STOREUTIL_H

#include "testutil.h"

#include "profile/zst.h"
#include "store/buf.h"
#include "store/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline ff_rc
ff_test_buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	(void)err;
	return ff_buf_append(ctx, p, len);
}

/* A profile file: a skippable frame holding json[0..jlen), then text
 * compressed as one zstd frame.  The caller frees out->p (ff_buf_free). */
static inline void
ff_test_ffp_raw(ff_buf *out, const char *json, size_t jlen,
    const char *text, size_t tlen)
{
	unsigned char h[FF_ZST_SKIP_HEADER];
	ff_zst_enc *e;
	ff_err err;

	ff_buf_init(out);
	ff_zst_skip_header(h, 0, (uint32_t)jlen);
	assert_int_equal(ff_buf_append(out, h, sizeof h), FF_OK);
	assert_int_equal(ff_buf_append(out, json, jlen), FF_OK);
	e = ff_zst_enc_new(3, ff_test_buf_sink, out);
	assert_non_null(e);
	assert_int_equal(ff_zst_enc_write(e, text, tlen, &err), FF_OK);
	assert_int_equal(ff_zst_enc_end(e, &err), FF_OK);
	ff_zst_enc_free(e);
}

/* The metadata of a test profile (events is a JSON array's inside, e.g.
 * "\"cycles\"", labels an object's inside or ""). */
static inline const char *
ff_test_meta(const char *host, const char *build, const char *type,
    const char *events, const char *labels, const char *start)
{
	return ff_test_fmt("{\"format\":\"flamefleet-profile/1\",\"host\":"
	    "\"%s\",\"build\":\"%s\",\"type\":\"%s\",\"events\":[%s],"
	    "\"start\":\"%s\",\"duration_s\":60,\"labels\":{%s}}", host,
	    build, type, events, start, labels);
}

/* A valid profile of one event with the given folded text. */
static inline void
ff_test_ffp(ff_buf *out, const char *host, const char *build,
    const char *text)
{
	const char *m = ff_test_meta(host, build, "cpu", "\"cycles\"",
	    "\"site\":\"ams2\"", "2026-11-21T20:00:00Z");

	ff_test_ffp_raw(out, m, strlen(m), text, strlen(text));
}

/* Tokens loaded from a file in the test's directory granting token to
 * the hosts matching glob. */
static inline ff_tokens *
ff_test_tokens(const char *token, const char *glob)
{
	const char *path = ff_test_fmt("%s/tokens", ff_test_tmpdir());
	const char *text = ff_test_fmt("%s %s\n", token, glob);
	ff_tokens *t;
	ff_err err;

	assert_int_equal(ff_test_write(path, text, strlen(text)), 0);
	assert_int_equal(ff_tokens_load(&t, path, &err), FF_OK);
	return t;
}

#endif
