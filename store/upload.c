/*
 * upload.c -- the upload handler, without sockets (see upload.h).
 */
#include "store/upload.h"
#include "profile/mem.h"
#include "store/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
ff_upload_resp_init(ff_upload_resp *r)
{
	memset(r, 0, sizeof *r);
	ff_buf_init(&r->body);
}

void
ff_upload_resp_free(ff_upload_resp *r)
{
	ff_buf_free(&r->body);
	ff_free(r->glob);
	ff_prep_free(r->prep);
	ff_upload_resp_init(r);
}

void
ff_upload_error(unsigned status, ff_reject reason, const char *msg,
    ff_upload_resp *r)
{
	r->status = status;
	r->reason = reason;
	ff_buf_clear(&r->body);
	if (ff_json_error(&r->body, msg) != FF_OK)
		ff_buf_clear(&r->body);   /* an empty body says enough */
}

/* ---- headers ------------------------------------------------------------- */

/* The token of an "Authorization: Bearer TOKEN" value, or NULL. */
static const char *
bearer(const char *h, size_t *len)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	*len = strcspn(h, " \t");
	return *len > 0 ? h : NULL;
}

static int
content_type_ok(const char *t)
{
	size_t n;

	if (t == NULL)
		return 1;
	n = strcspn(t, "; \t");
	return (n == 16 && strncasecmp(t, "application/zstd", n) == 0) ||
	    (n == 24 && strncasecmp(t, "application/octet-stream", n) == 0);
}

static int
too_long(const char *cl, uint64_t max)
{
	char *end;
	unsigned long long v;

	if (cl == NULL)
		return 0;
	v = strtoull(cl, &end, 10);
	return *cl >= '0' && *cl <= '9' && *end == '\0' && v > max;
}

void
ff_upload_headers(const ff_upload_cfg *cfg, const ff_upload_req *req,
    ff_upload_resp *r)
{
	const char *tok, *glob = "*";
	char msg[200];
	size_t len;

	r->status = 0;
	if (cfg->tokens == NULL && !req->loopback) {
		ff_upload_error(403, FF_REJECT_FORBIDDEN, "this store accepts "
		    "uploads from loopback clients only (start it with "
		    "--tokens)", r);
		return;
	}
	if (cfg->tokens != NULL) {
		tok = bearer(req->authorization, &len);
		if (tok == NULL || (glob = ff_tokens_match(cfg->tokens, tok,
		    len)) == NULL) {
			ff_upload_error(401, FF_REJECT_UNAUTHORIZED, tok == NULL ?
			    "missing 'Authorization: Bearer TOKEN'" :
			    "unknown token", r);
			r->www_authenticate = "Bearer realm=\"ffstore\"";
			return;
		}
	}
	if (too_long(req->content_length, cfg->max_upload)) {
		snprintf(msg, sizeof msg, "Content-Length %s exceeds the limit "
		    "of %llu bytes", req->content_length,
		    (unsigned long long)cfg->max_upload);
		ff_upload_error(413, FF_REJECT_TOO_LARGE, msg, r);
		return;
	}
	if (!content_type_ok(req->content_type)) {
		ff_upload_error(400, FF_REJECT_BAD_REQUEST, "Content-Type must "
		    "be application/zstd (a flamefleet profile file)", r);
		return;
	}
	if ((r->glob = ff_strdup(glob)) == NULL)
		ff_upload_error(503, FF_REJECT_BUSY, "out of memory", r);
}

/* ---- body ---------------------------------------------------------------- */

static void
answer_ok(unsigned status, int64_t id, const char *hash, uint64_t rows,
    int dup, ff_upload_resp *r)
{
	json_t *o;
	int bad;

	ff_json_init();
	r->status = status;
	ff_buf_clear(&r->body);
	o = json_object();
	bad = o == NULL;
	bad |= ff_json_set(o, "id", json_integer(id));
	bad |= ff_json_set(o, "hash", json_string(hash));
	if (dup)
		bad |= ff_json_set(o, "duplicate", json_true());
	else
		bad |= ff_json_set(o, "rows", json_integer((json_int_t)rows));
	if (bad) {
		json_decref(o);
		ff_upload_error(503, FF_REJECT_BUSY, "out of memory", r);
		return;
	}
	if (ff_json_dump(o, &r->body) != FF_OK)
		ff_upload_error(503, FF_REJECT_BUSY, "out of memory", r);
}

/* Who may upload this profile: 0 or an answer. */
static int
check_host(const ff_upload_req *req, const ff_meta *m, ff_upload_resp *r)
{
	char msg[400];

	if (req->glob == NULL || ff_tokens_host_ok(req->glob, m->host))
		return 0;
	snprintf(msg, sizeof msg, "this token may not upload profiles of "
	    "host '%.255s'", m->host);
	ff_upload_error(403, FF_REJECT_FORBIDDEN, msg, r);
	return 1;
}

void
ff_upload_body(const ff_upload_cfg *cfg, const ff_upload_req *req,
    ff_upload_resp *r)
{
	ff_prep_opts po = { cfg->max_decompressed };
	char hash[FF_DIGEST_HEX], msg[200];
	ff_meta m;
	int64_t id;
	ff_err err;
	ff_rc rc;

	r->status = 0;
	ff_err_init(&err);
	if (req->len > cfg->max_upload) {
		snprintf(msg, sizeof msg, "the body exceeds the limit of %llu "
		    "bytes", (unsigned long long)cfg->max_upload);
		ff_upload_error(413, FF_REJECT_TOO_LARGE, msg, r);
		return;
	}
	/* Metadata first: a cheap answer to who may upload it. */
	ff_meta_init(&m);
	if ((rc = ff_prep_meta(&m, req->body, req->len, "upload", &err)) !=
	    FF_OK) {
		ff_upload_error(rc == FF_ERR_NOMEM ? 503 : 400, rc ==
		    FF_ERR_NOMEM ? FF_REJECT_BUSY : FF_REJECT_BAD_REQUEST,
		    ff_err_msg(&err), r);
		return;
	}
	if (check_host(req, &m, r)) {
		ff_meta_free(&m);
		return;
	}
	ff_meta_free(&m);
	ff_prep_hash(req->body, req->len, hash);
	if (cfg->seen != NULL && cfg->seen(cfg->seen_ctx, hash, &id)) {
		answer_ok(200, id, hash, 0, 1, r);
		return;
	}
	rc = ff_prep_parse(&r->prep, req->body, req->len, "upload", &po, &err);
	if (rc == FF_ERR_LIMIT)
		ff_upload_error(413, FF_REJECT_TOO_LARGE, ff_err_msg(&err), r);
	else if (rc == FF_ERR_NOMEM)
		ff_upload_error(503, FF_REJECT_BUSY, "out of memory", r);
	else if (rc != FF_OK)
		ff_upload_error(400, FF_REJECT_BAD_REQUEST, ff_err_msg(&err), r);
}

/* ---- the writer's answer ------------------------------------------------- */

void
ff_upload_busy(const char *why, ff_upload_resp *r)
{
	ff_upload_error(503, FF_REJECT_BUSY, why, r);
	r->retry_after = "2";
}

void
ff_upload_done(const ff_ingest_result *res, ff_upload_resp *r)
{
	if (res->rc == FF_OK) {
		answer_ok(res->put.duplicate ? 200 : 201, res->put.id,
		    res->hash, res->put.rows, res->put.duplicate, r);
		return;
	}
	if (res->rc == FF_ERR_DB || res->rc == FF_ERR_INTERNAL) {
		ff_upload_error(500, FF_REJECT_ERROR, ff_err_msg(&res->err), r);
		return;
	}
	/* Out of memory, disk full, I/O error, locked: worth a retry. */
	ff_upload_busy(ff_err_msg(&res->err), r);
	r->retry_after = "5";
}
