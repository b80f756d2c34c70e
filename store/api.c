/*
 * api.c -- GET routes of the HTTP API (see api.h).
 */
#include "store/api.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "store/json.h"
#include "store/query.h"

#include <stdlib.h>
#include <string.h>

static const char JSON_TYPE[] = "application/json";
static const char TEXT_TYPE[] = "text/plain; charset=utf-8";

static const char HOME[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	"<title>flamefleet store</title></head><body>\n"
	"<h1>flamefleet store</h1>\n"
	"<p>This is ffstore.  The web interface comes later; the API is at "
	"<a href=\"/v1/builds\">/v1/builds</a>, "
	"<a href=\"/v1/profiles\">/v1/profiles</a>, /v1/aggregate, "
	"<a href=\"/healthz\">/healthz</a> and "
	"<a href=\"/metrics\">/metrics</a>.</p>\n</body></html>\n";

void
ff_api_resp_init(ff_api_resp *r)
{
	r->status = 0;
	r->type = JSON_TYPE;
	ff_buf_init(&r->body);
}

void
ff_api_resp_free(ff_api_resp *r)
{
	ff_buf_free(&r->body);
	ff_api_resp_init(r);
}

void
ff_api_error(ff_api_resp *r, unsigned status, const char *msg)
{
	r->status = status;
	r->type = JSON_TYPE;
	ff_buf_clear(&r->body);
	if (ff_json_error(&r->body, msg) != FF_OK) {
		ff_buf_clear(&r->body);
		r->status = 503;
	}
}

/* Map a query error to an answer. */
static void
fail(ff_api_resp *r, const ff_err *err)
{
	unsigned status;

	switch (err->rc) {
	case FF_ERR_USAGE:
	case FF_ERR_PARSE:
		status = 400;
		break;
	case FF_ERR_NOTFOUND:
		status = 404;
		break;
	case FF_ERR_BUSY:
	case FF_ERR_NOMEM:
	case FF_ERR_IO:
		status = 503;
		break;
	default:
		status = 500;
	}
	ff_api_error(r, status, ff_err_msg(err));
}

static void
answer_json(ff_api_resp *r, json_t *v)
{
	ff_buf_clear(&r->body);
	if (ff_json_dump(v, &r->body) != FF_OK) {
		ff_api_error(r, 503, "out of memory");
		return;
	}
	r->status = 200;
	r->type = JSON_TYPE;
}

/* ---- selections ---------------------------------------------------------- */

static ff_rc
parse_sel(const ff_api_req *req, ff_sel *sel, ff_err *err)
{
	int64_t now = ff_stamp_now();
	unsigned i;
	ff_rc rc;

	if (req->too_many_args)
		return ff_err_set(err, FF_ERR_USAGE, "more than %u query "
		    "parameters", FF_API_ARGS_MAX);
	for (i = 0; i < req->nargs; i++) {
		const char *k = req->keys[i], *v = req->values[i];

		if (v == NULL)
			v = "";
		rc = ff_sel_set(sel, k, strlen(k), v, strlen(v), now, err);
		if (rc != FF_OK)
			return rc;
	}
	return FF_OK;
}

/* ---- routes -------------------------------------------------------------- */

static void
get_builds(ff_store *st, ff_api_resp *r)
{
	ff_build_row *rows = NULL;
	json_t *a;
	size_t n = 0, i;
	ff_err err;

	ff_err_init(&err);
	if (ff_query_builds(st, &rows, &n, &err) != FF_OK) {
		fail(r, &err);
		return;
	}
	ff_json_init();
	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a,
		    ff_json_build_row(&rows[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	ff_query_builds_free(rows, n);
	if (a == NULL)
		ff_api_error(r, 503, "out of memory");
	else
		answer_json(r, a);
}

static void
get_profiles(ff_store *st, const ff_api_req *req, ff_api_resp *r)
{
	ff_plist *l = NULL;
	ff_sel sel;
	ff_err err;

	ff_err_init(&err);
	ff_sel_init(&sel);
	if (parse_sel(req, &sel, &err) != FF_OK ||
	    ff_query_profiles(st, &sel, &l, &err) != FF_OK)
		fail(r, &err);
	else
		answer_json(r, ff_plist_to_json(l));
	ff_plist_free(l);
	ff_sel_free(&sel);
}

static ff_rc
sink_buf(void *ctx, const void *p, size_t len, ff_err *err)
{
	if (ff_buf_append(ctx, p, len) != FF_OK)
		return ff_err_nomem(err);
	return FF_OK;
}

/* Answer with a stack table as folded text. */
static void
answer_folded(ff_api_resp *r, const ff_stacks *s)
{
	ff_err err;

	ff_err_init(&err);
	ff_buf_clear(&r->body);
	if (ff_fold_write_to(s, sink_buf, &r->body, &err) != FF_OK) {
		fail(r, &err);
		return;
	}
	r->status = 200;
	r->type = TEXT_TYPE;
}

static void
get_aggregate(ff_store *st, const ff_api_req *req, ff_api_resp *r)
{
	ff_intern *frames = ff_intern_new();
	ff_stacks *s = NULL;
	ff_sel sel;
	ff_err err;

	ff_err_init(&err);
	ff_sel_init(&sel);
	if (frames == NULL)
		ff_api_error(r, 503, "out of memory");
	else if (parse_sel(req, &sel, &err) != FF_OK)
		fail(r, &err);
	else if (sel.build == NULL)
		ff_api_error(r, 400, "build= is required");
	else if (ff_query_aggregate(st, &sel, frames, &s, NULL, &err) != FF_OK)
		fail(r, &err);
	else
		answer_folded(r, s);
	ff_stacks_free(s);
	ff_intern_free(frames);
	ff_sel_free(&sel);
}

/* "/v1/profiles/ID" or ".../ID/folded": the id and whether folded. */
static int
profile_path(const char *path, int64_t *id, int *folded)
{
	const char *p = path + strlen("/v1/profiles/");
	char *end;
	long long v;

	if (*p < '1' || *p > '9')
		return 0;
	v = strtoll(p, &end, 10);
	if (v <= 0 || (strcmp(end, "") != 0 && strcmp(end, "/folded") != 0))
		return 0;
	*id = v;
	*folded = *end != '\0';
	return 1;
}

static void
get_profile(ff_store *st, const ff_api_req *req, ff_api_resp *r)
{
	ff_intern *frames = NULL;
	ff_stacks *s = NULL;
	ff_pinfo p;
	int64_t id;
	int folded;
	ff_err err;

	ff_err_init(&err);
	ff_pinfo_init(&p);
	if (!profile_path(req->path, &id, &folded))
		ff_api_error(r, 404, "no such resource");
	else if (req->nargs > 0 || req->too_many_args)
		ff_api_error(r, 400, "this resource takes no parameters");
	else if (!folded && ff_query_profile(st, id, &p, &err) != FF_OK)
		fail(r, &err);
	else if (!folded)
		answer_json(r, ff_pinfo_to_json(&p));
	else if ((frames = ff_intern_new()) == NULL)
		ff_api_error(r, 503, "out of memory");
	else if (ff_query_folded(st, id, frames, &s, NULL, &err) != FF_OK)
		fail(r, &err);
	else
		answer_folded(r, s);
	ff_stacks_free(s);
	ff_intern_free(frames);
	ff_pinfo_free(&p);
}

int
ff_api_known(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/healthz") == 0 ||
	    strcmp(path, "/v1/builds") == 0 ||
	    strcmp(path, "/v1/profiles") == 0 ||
	    strcmp(path, "/v1/aggregate") == 0 ||
	    strncmp(path, "/v1/profiles/", 13) == 0;
}

void
ff_api_get(ff_store *st, const ff_api_req *req, ff_api_resp *r)
{
	const char *path = req->path;

	if (strcmp(path, "/") == 0 || strcmp(path, "/healthz") == 0) {
		r->status = 200;
		r->type = path[1] == '\0' ? "text/html; charset=utf-8" :
		    TEXT_TYPE;
		if (ff_buf_puts(&r->body, path[1] == '\0' ? HOME : "ok\n") !=
		    FF_OK)
			ff_api_error(r, 503, "out of memory");
	} else if (strcmp(path, "/v1/builds") == 0) {
		get_builds(st, r);
	} else if (strcmp(path, "/v1/profiles") == 0) {
		get_profiles(st, req, r);
	} else if (strcmp(path, "/v1/aggregate") == 0) {
		get_aggregate(st, req, r);
	} else if (strncmp(path, "/v1/profiles/", 13) == 0) {
		get_profile(st, req, r);
	} else {
		ff_api_error(r, 404, "no such resource");
	}
}
