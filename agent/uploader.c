/*
 * uploader.c -- POST a profile file with libcurl (see uploader.h).  The only
 * file that includes <curl/curl.h>.
 *
 * libcurl is opened (dlopen) when the first flush starts, not linked: on
 * Debian it brings some thirty libraries whose pages would add 6-7 MB to
 * every ffagent process, while the collapse -- which needs none of it --
 * is at its peak.  Loading it late keeps the agent within its memory
 * budget; it also lets ffagent collapse and pack run where libcurl is not
 * installed.  The headers (and so the API) are libcurl's own.
 */
#include "agent/uploader.h"
#include "agent/agentlog.h"
#include "agent/backoff.h"
#include "profile/mem.h"
#include "profile/stamp.h"

/* The type-checking macros would shadow the function pointers below. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ff_uploader {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	/* the transfer in progress */
	int fd;
	char body[FF_UPLOADER_BODY_MAX];
	size_t body_len;
	ff_uploader_result *res;
};

/* ---- loading libcurl -------------------------------------------------------- */

#ifndef FF_CURL_SONAME
#define FF_CURL_SONAME "libcurl.so.4"
#endif

/* The libcurl functions used here, resolved once by name. */
static struct {
	void *handle;
	CURLcode (*global_init_mem)(long, curl_malloc_callback,
	    curl_free_callback, curl_realloc_callback, curl_strdup_callback,
	    curl_calloc_callback);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lib;

/* curl.h defines these two as macros (to count their arguments). */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init_mem lib.global_init_mem
#define curl_global_cleanup lib.global_cleanup
#define curl_easy_init lib.easy_init
#define curl_easy_setopt lib.easy_setopt
#define curl_easy_perform lib.easy_perform
#define curl_easy_getinfo lib.easy_getinfo
#define curl_easy_cleanup lib.easy_cleanup
#define curl_easy_strerror lib.easy_strerror
#define curl_slist_append lib.slist_append
#define curl_slist_free_all lib.slist_free_all

/* Resolve one symbol into *fn (a function pointer's storage). */
static int
lib_sym(const char *name, void *fn)
{
	void *p = dlsym(lib.handle, name);

	if (p == NULL)
		return -1;
	/* POSIX guarantees a data pointer from dlsym converts to a
	 * function pointer; copy the bytes to stay within ISO C. */
	memcpy(fn, &p, sizeof p);
	return 0;
}

static ff_rc
lib_load(ff_err *err)
{
	static const char *const names[] = { FF_CURL_SONAME, "libcurl.so",
	    "libcurl-gnutls.so.4", NULL };
	const char *why = "not found";
	int i;

	if (lib.handle != NULL)
		return FF_OK;
	for (i = 0; names[i] != NULL && lib.handle == NULL; i++) {
		lib.handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (lib.handle == NULL && i == 0)
			why = dlerror();
	}
	if (lib.handle == NULL)
		return ff_err_set(err, FF_ERR_IO, "cannot load libcurl (%s): "
		    "install it to upload (Debian: libcurl4, FreeBSD: "
		    "ftp/curl)", why);
	if (lib_sym("curl_global_init_mem", &lib.global_init_mem) ||
	    lib_sym("curl_global_cleanup", &lib.global_cleanup) ||
	    lib_sym("curl_easy_init", &lib.easy_init) ||
	    lib_sym("curl_easy_setopt", &lib.easy_setopt) ||
	    lib_sym("curl_easy_perform", &lib.easy_perform) ||
	    lib_sym("curl_easy_getinfo", &lib.easy_getinfo) ||
	    lib_sym("curl_easy_cleanup", &lib.easy_cleanup) ||
	    lib_sym("curl_easy_strerror", &lib.easy_strerror) ||
	    lib_sym("curl_slist_append", &lib.slist_append) ||
	    lib_sym("curl_slist_free_all", &lib.slist_free_all)) {
		dlclose(lib.handle);
		lib.handle = NULL;
		return ff_err_set(err, FF_ERR_IO, "the libcurl found lacks a "
		    "function flamefleet needs");
	}
	return FF_OK;
}

/* ---- global -------------------------------------------------------------- */

ff_rc
ff_uploader_global_init(ff_err *err)
{
	CURLcode c;
	ff_rc rc;

	if ((rc = lib_load(err)) != FF_OK)
		return rc;
	c = curl_global_init_mem(CURL_GLOBAL_DEFAULT, ff_malloc, ff_free,
	    ff_realloc, ff_strdup, ff_calloc);
	if (c != CURLE_OK)
		return ff_err_set(err, c == CURLE_OUT_OF_MEMORY ? FF_ERR_NOMEM :
		    FF_ERR_INTERNAL, "libcurl: %s", curl_easy_strerror(c));
	return FF_OK;
}

void
ff_uploader_global_cleanup(void)
{
	/* libcurl stays loaded: a later flush in the process reuses it. */
	if (lib.handle != NULL)
		curl_global_cleanup();
}

/* ---- verdicts and messages ----------------------------------------------- */

ff_uploader_verdict
ff_uploader_classify(long status)
{
	if (status >= 200 && status <= 299)
		return FF_UPLOADER_STORED;
	if (status == 0 || status == 408 || status == 429 ||
	    (status >= 500 && status <= 599))
		return FF_UPLOADER_RETRY;
	if (status == 401 || status == 403 || status == 404 ||
	    status == 405 || status < 400 || status > 499)
		return FF_UPLOADER_STOP;
	return FF_UPLOADER_REJECTED;
}

const char *
ff_uploader_verdict_name(ff_uploader_verdict v)
{
	static const char *const names[] = { "stored", "retry", "rejected",
	    "stop" };

	return (unsigned)v < 4 ? names[v] : "?";
}

/* After "key" in a JSON text: skip blanks, ':' and blanks. */
static const char *
json_after_key(const char *body, size_t len, const char *key)
{
	size_t kn = strlen(key), i;

	for (i = 0; i + kn + 2 <= len; i++) {
		const char *p = body + i;

		if (p[0] != '"' || memcmp(p + 1, key, kn) != 0 ||
		    p[kn + 1] != '"')
			continue;
		p += kn + 2;
		while (p < body + len && (*p == ' ' || *p == '\t' ||
		    *p == '\n' || *p == '\r'))
			p++;
		if (p >= body + len || *p != ':')
			continue;
		for (p++; p < body + len && (*p == ' ' || *p == '\t' ||
		    *p == '\n' || *p == '\r'); p++)
			;
		return p;
	}
	return NULL;
}

/* The JSON string at p (which starts with '"'), unescaped crudely. */
static int
json_string(const char *p, const char *end, char *out, size_t cap)
{
	size_t n = 0;

	if (p >= end || *p != '"')
		return -1;
	for (p++; p < end && *p != '"' && n + 1 < cap; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
			out[n++] = *p == 'n' || *p == 't' ||
			    *p == 'r' ? ' ' : *p;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return 0;
}

void
ff_uploader_message(const char *body, size_t len, char *out, size_t cap)
{
	static const char *const keys[] = { "error", "message" };
	char raw[FF_UPLOADER_BODY_MAX];
	const char *p;
	size_t i;

	for (i = 0; i < 2; i++)
		if ((p = json_after_key(body, len, keys[i])) != NULL &&
		    json_string(p, body + len, raw, sizeof raw) == 0) {
			ff_agentlog_clean(out, cap, raw, strlen(raw));
			return;
		}
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' ||
	    body[len - 1] == ' '))
		len--;
	ff_agentlog_clean(out, cap, body, len);
}

static void
read_answer(ff_uploader *u, ff_uploader_result *res)
{
	const char *p;

	res->verdict = ff_uploader_classify(res->status);
	if (res->verdict == FF_UPLOADER_STORED) {
		char id[sizeof res->id];

		res->duplicate = (p = json_after_key(u->body, u->body_len,
		    "duplicate")) != NULL && u->body + u->body_len - p >= 4 &&
		    memcmp(p, "true", 4) == 0;
		if ((p = json_after_key(u->body, u->body_len, "id")) != NULL &&
		    json_string(p, u->body + u->body_len, id, sizeof id) == 0)
			ff_agentlog_clean(res->id, sizeof res->id, id,
			    strlen(id));
	}
	if (res->verdict != FF_UPLOADER_STORED)
		ff_uploader_message(u->body, u->body_len, res->message,
		    sizeof res->message);
}

/* ---- curl callbacks ------------------------------------------------------ */

static size_t
on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	ff_uploader *u = ctx;
	ssize_t n;

	do
		n = read(u->fd, buf, size * nitems);
	while (n < 0 && errno == EINTR);
	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

static int
on_seek(void *ctx, curl_off_t offset, int origin)
{
	ff_uploader *u = ctx;

	return lseek(u->fd, (off_t)offset, origin) < 0 ? CURL_SEEKFUNC_FAIL :
	    CURL_SEEKFUNC_OK;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	ff_uploader *u = ctx;
	size_t len = size * n, room = sizeof u->body - 1 - u->body_len;

	if (room > 0) {
		memcpy(u->body + u->body_len, p, len < room ? len : room);
		u->body_len += len < room ? len : room;
		u->body[u->body_len] = '\0';
	}
	return len;
}

static int
header_is(const char *line, size_t len, const char *name)
{
	size_t i, n = strlen(name);

	if (len <= n || line[n] != ':')
		return 0;
	for (i = 0; i < n; i++) {
		char c = line[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return 0;
	}
	return 1;
}

static size_t
on_header(char *line, size_t size, size_t n, void *ctx)
{
	ff_uploader *u = ctx;
	size_t len = size * n;
	uint64_t secs;

	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue, say) */
		u->res->has_retry_after = 0;
		u->body_len = 0;
	} else if (header_is(line, len, "retry-after") &&
	    ff_backoff_retry_after(line + 12, len - 12, ff_stamp_now(), &secs,
	    NULL) == FF_OK) {
		u->res->has_retry_after = 1;
		u->res->retry_after_s = secs;
	}
	return len;
}

/* ---- the handle ---------------------------------------------------------- */

static ff_rc
set_headers(ff_uploader *u, const ff_uploader_opts *o, ff_err *err)
{
	char auth[4200];
	struct curl_slist *h = NULL, *t;
	const char *fixed[] = { "Content-Type: application/zstd",
	    "Accept: application/json", NULL };
	size_t i;

	for (i = 0; fixed[i] != NULL; i++) {
		if ((t = curl_slist_append(h, fixed[i])) == NULL)
			goto nomem;
		h = t;
	}
	if (o->token != NULL) {
		if ((size_t)snprintf(auth, sizeof auth, "Authorization: Bearer "
		    "%s", o->token) >= sizeof auth) {
			curl_slist_free_all(h);
			return ff_err_set(err, FF_ERR_LIMIT, "token too long");
		}
		t = curl_slist_append(h, auth);
		memset(auth, 0, sizeof auth);
		if (t == NULL)
			goto nomem;
		h = t;
	}
	u->headers = h;
	return FF_OK;
nomem:
	curl_slist_free_all(h);
	return ff_err_nomem(err);
}

/* Options that stay the same for every upload. */
static CURLcode
set_options(ff_uploader *u, const ff_uploader_opts *o)
{
	CURL *c = u->curl;
	CURLcode r = CURLE_OK;

#define SET(opt, v) if (r == CURLE_OK) r = curl_easy_setopt(c, opt, v)
	SET(CURLOPT_URL, u->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_HTTPHEADER, u->headers);
	SET(CURLOPT_USERAGENT, "ffagent/" FF_VERSION);
	SET(CURLOPT_ERRORBUFFER, u->errbuf);
	SET(CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout_s);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_READDATA, u);
	SET(CURLOPT_SEEKFUNCTION, on_seek);
	SET(CURLOPT_SEEKDATA, u);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, u);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, u);
	if (o->ca_file != NULL)
		SET(CURLOPT_CAINFO, o->ca_file);
	if (o->cert_file != NULL) {
		SET(CURLOPT_SSLCERT, o->cert_file);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY, o->key_file);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
#undef SET
	return r;
}

ff_rc
ff_uploader_new(ff_uploader **out, const ff_uploader_opts *o, ff_err *err)
{
	size_t n = strlen(o->server) + sizeof "/v1/profiles";
	ff_uploader *u;
	CURLcode c;
	ff_rc rc;

	*out = NULL;
	if ((u = ff_calloc(1, sizeof *u)) == NULL)
		return ff_err_nomem(err);
	u->fd = -1;
	if ((u->url = ff_malloc(n)) == NULL || (u->curl = curl_easy_init()) ==
	    NULL) {
		rc = ff_err_nomem(err);
		goto fail;
	}
	snprintf(u->url, n, "%s/v1/profiles", o->server);
	if ((rc = set_headers(u, o, err)) != FF_OK)
		goto fail;
	if ((c = set_options(u, o)) != CURLE_OK) {
		rc = ff_err_set(err, c == CURLE_OUT_OF_MEMORY ? FF_ERR_NOMEM :
		    FF_ERR_INTERNAL, "libcurl: %s", curl_easy_strerror(c));
		goto fail;
	}
	*out = u;
	return FF_OK;
fail:
	ff_uploader_free(u);
	return rc;
}

void
ff_uploader_free(ff_uploader *u)
{
	if (u == NULL)
		return;
	if (u->curl != NULL)
		curl_easy_cleanup(u->curl);
	curl_slist_free_all(u->headers);
	ff_free(u->url);
	ff_free(u);
}

/* ---- one upload ---------------------------------------------------------- */

static ff_rc
open_body(ff_uploader *u, const char *path, uint64_t *size, ff_err *err)
{
	struct stat st;

	if ((u->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "%s", path);
	if (fstat(u->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(u->fd);
		u->fd = -1;
		return ff_err_set(err, FF_ERR_IO, "%s: not a regular file",
		    path);
	}
	*size = (uint64_t)st.st_size;
	return FF_OK;
}

ff_rc
ff_uploader_post(ff_uploader *u, const char *path, unsigned timeout_s,
    ff_uploader_result *res, ff_err *err)
{
	CURLcode c;
	long status = 0;
	ff_rc rc;

	memset(res, 0, sizeof *res);
	if ((rc = open_body(u, path, &res->bytes, err)) != FF_OK)
		return rc;
	u->res = res;
	u->body_len = 0;
	u->body[0] = '\0';
	u->errbuf[0] = '\0';
	c = curl_easy_setopt(u->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)res->bytes);
	if (c == CURLE_OK)
		c = curl_easy_setopt(u->curl, CURLOPT_TIMEOUT,
		    (long)(timeout_s > 0 ? timeout_s : 1));
	if (c == CURLE_OK)
		c = curl_easy_perform(u->curl);
	close(u->fd);
	u->fd = -1;
	u->res = NULL;
	if (c == CURLE_OUT_OF_MEMORY)
		return ff_err_nomem(err);
	if (c == CURLE_OK)
		curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &status);
	res->status = c == CURLE_OK ? status : 0;
	read_answer(u, res);
	if (c != CURLE_OK) {
		const char *m = u->errbuf[0] != '\0' ? u->errbuf :
		    curl_easy_strerror(c);

		ff_agentlog_clean(res->message, sizeof res->message, m,
		    strlen(m));
	}
	return FF_OK;
}
