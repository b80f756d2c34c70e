/*
 * fuzz_upload.c -- libFuzzer target: the store's upload handler
 * (store/upload.h) fed request headers and bodies directly, no socket.
 *
 * Input layout:
 *
 *   | bytes | content                                                  |
 *   |-------|----------------------------------------------------------|
 *   | 1     | flags: 1 a tokens file, 2 loopback client, 4 the hash is |
 *   |       | "seen" (a duplicate), 8 max_upload 4 KiB (else 1 MiB),   |
 *   |       | 16 max_decompressed 64 KiB (else 8 MiB), 32 an           |
 *   |       | Authorization header, 64 a Content-Type, 128 a           |
 *   |       | Content-Length                                           |
 *   | ...   | the values of the headers present, each ended by '\n'   |
 *   | rest  | the body                                                 |
 *
 * Invariants: never crash or leak; every status is one upload.h documents
 * (headers: 0, 400, 401, 403, 413; body: 0, 200, 400, 403, 413; 503 only
 * for out of memory); every refusal carries {"error":...}, a 401 a
 * WWW-Authenticate header; a body handed on to the writer (status 0) is a
 * profile the strict reader (ff_ffp_read) accepts with the same limits,
 * with the same totals, and the other way round; a 200 comes only from
 * the duplicate check, after valid metadata; the writer's answers (201,
 * 200, 503) are well formed.
 */
#define _GNU_SOURCE 1   /* memmem */
#include "fuzz.h"

#include "profile/ffp.h"
#include "store/upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A token allowed to upload profiles of hosts cache-*. */
#define TOKEN "fuzz-token-0123456789"

/* The tokens table, loaded once from a temporary file (immutable). */
static const ff_tokens *
tokens(void)
{
	static ff_tokens *t;
	char path[] = "/tmp/fuzz_upload.XXXXXX";
	static const char text[] = TOKEN " cache-*\n";
	ff_err err;
	int fd;

	if (t != NULL)
		return t;
	if ((fd = mkstemp(path)) < 0 ||
	    write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
		abort();
	close(fd);
	if (ff_tokens_load(&t, path, &err) != FF_OK)
		abort();
	unlink(path);
	return t;
}

static int seen_calls;

static int
seen_yes(void *ctx, const char *hash, int64_t *id)
{
	(void)ctx;
	if (strlen(hash) != FF_DIGEST_HEX - 1)
		abort();
	seen_calls++;
	*id = 7;
	return 1;
}

static int
seen_no(void *ctx, const char *hash, int64_t *id)
{
	(void)ctx;
	(void)id;
	if (strlen(hash) != FF_DIGEST_HEX - 1)
		abort();
	seen_calls++;
	return 0;
}

/* A header value up to '\n' from *p (NUL-terminated copy), or NULL. */
static char *
take_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (nl != NULL);
	return s;
}

/* Every refusal says why in JSON. */
static void
check_refusal(const ff_upload_resp *r)
{
	if (r->status < 400)
		return;
	if (r->body.len < 10 || memcmp(r->body.p, "{\"error\":", 9) != 0)
		abort();
	if (r->status == 401 && r->www_authenticate == NULL)
		abort();
}

/* What the strict reader says of the body, with the same cap: FF_OK and
 * its totals, or an error. */
static ff_rc
reader_verdict(const void *body, size_t len, uint64_t cap, uint64_t *totals,
    unsigned *nevents)
{
	ff_src_opts o = { .max_decompressed = cap, .max_meta = FF_META_MAX };
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL;
	ff_src *src = NULL;
	ff_meta m;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	if (t == NULL ||
	    ff_src_open_mem(&src, body, len, "upload", &o, &err) != FF_OK)
		abort();
	rc = ff_ffp_read(src, t, &m, &s, NULL, &err);
	if (rc == FF_OK) {
		*nevents = m.nevents;
		memcpy(totals, ff_stacks_totals(s), m.nevents * sizeof *totals);
	}
	ff_stacks_free(s);
	ff_src_close(src);
	ff_meta_free(&m);
	ff_intern_free(t);
	return rc;
}

/* The accepted profile agrees with the reader. */
static void
check_accepted(const ff_prep *p, const void *body, size_t len, uint64_t cap)
{
	uint64_t totals[FF_VALUES_MAX];
	unsigned nevents = 0, e;

	if (p == NULL || p->bytes != len ||
	    reader_verdict(body, len, cap, totals, &nevents) != FF_OK ||
	    nevents != p->meta.nevents)
		abort();
	for (e = 0; e < nevents; e++)
		if (totals[e] != p->totals[e])
			abort();
	if (ff_meta_validate(&p->meta, NULL) != FF_OK)
		abort();
}

/* The writer's answers for a queued profile. */
static void
check_done(const ff_prep *p)
{
	ff_ingest_result res;
	ff_upload_resp r;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&res, 0, sizeof res);
		ff_err_init(&res.err);
		res.hash = p->hash;
		res.put.id = 3;
		res.put.rows = p->nstacks;
		res.put.duplicate = i == 1;
		res.rc = i == 2 ? FF_ERR_IO : FF_OK;
		if (i == 2)
			(void)ff_err_set(&res.err, FF_ERR_IO, "disk full");
		ff_upload_resp_init(&r);
		ff_upload_done(&res, &r);
		if (r.status != (i == 0 ? 201u : i == 1 ? 200u : 503u))
			abort();
		if (i < 2 && (r.body.len == 0 || memmem(r.body.p, r.body.len,
		    p->hash, strlen(p->hash)) == NULL))
			abort();
		if (i == 2 && r.retry_after == NULL)
			abort();
		ff_upload_resp_free(&r);
	}
}

static void
run_body(const ff_upload_cfg *cfg, ff_upload_req *q)
{
	ff_upload_resp r;
	ff_meta m;
	ff_err err;
	uint64_t totals[FF_VALUES_MAX];
	unsigned nev;
	int meta_ok;

	ff_upload_resp_init(&r);
	seen_calls = 0;
	ff_upload_body(cfg, q, &r);
	check_refusal(&r);
	switch (r.status) {
	case 0:
		if (cfg->seen == seen_yes)
			abort();   /* a duplicate is never parsed again */
		check_accepted(r.prep, q->body, q->len, cfg->max_decompressed);
		check_done(r.prep);
		break;
	case 200:
		if (cfg->seen != seen_yes || seen_calls != 1)
			abort();
		ff_meta_init(&m);
		meta_ok = ff_prep_meta(&m, q->body, q->len, "x", &err) == FF_OK;
		ff_meta_free(&m);
		if (!meta_ok)
			abort();
		break;
	case 400: case 403: case 413: case 503:
		if (r.prep != NULL)
			abort();
		break;
	default:
		abort();
	}
	/* What the reader accepts, the handler accepts, unless the host or
	 * the size was refused first, or it was a duplicate. */
	if (r.status == 400 && q->len <= cfg->max_upload &&
	    reader_verdict(q->body, q->len, cfg->max_decompressed, totals,
	    &nev) == FF_OK)
		abort();
	ff_upload_resp_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	char *auth = NULL, *type = NULL, *clen = NULL;
	ff_upload_cfg cfg;
	ff_upload_req q;
	ff_upload_resp r;
	unsigned flags;

	if (size == 0)
		return 0;
	flags = data[0];
	memset(&cfg, 0, sizeof cfg);
	cfg.tokens = (flags & 1) ? tokens() : NULL;
	cfg.max_upload = (flags & 8) ? 4096 : 1u << 20;
	cfg.max_decompressed = (flags & 16) ? 64u << 10 : 8u << 20;
	cfg.seen = (flags & 4) ? seen_yes : seen_no;
	if (flags & 32)
		auth = take_line(&p, end);
	if (flags & 64)
		type = take_line(&p, end);
	if (flags & 128)
		clen = take_line(&p, end);
	memset(&q, 0, sizeof q);
	q.authorization = auth;
	q.content_type = type;
	q.content_length = clen;
	q.loopback = (flags & 2) != 0;

	ff_upload_resp_init(&r);
	ff_upload_headers(&cfg, &q, &r);
	check_refusal(&r);
	if (r.status != 0 && r.status != 400 && r.status != 401 &&
	    r.status != 403 && r.status != 413 && r.status != 503)
		abort();
	if ((r.status == 0) != (r.glob != NULL))
		abort();
	if (cfg.tokens == NULL && !q.loopback && r.status != 403)
		abort();   /* loopback only without tokens */
	if (r.status == 0) {
		q.glob = r.glob;
		q.body = p;
		q.len = (size_t)(end - p);
		run_body(&cfg, &q);
	}
	ff_upload_resp_free(&r);
	free(auth);
	free(type);
	free(clen);
	return 0;
}
