/*
 * sel.c -- selections of profiles (see sel.h).
 */
#include "store/sel.h"
#include "profile/ffp.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "profile/utf8.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

void
ff_sel_init(ff_sel *s)
{
	memset(s, 0, sizeof *s);
	s->since = INT64_MIN;
	s->until = INT64_MAX;
}

void
ff_sel_free(ff_sel *s)
{
	unsigned i;

	ff_free(s->build);
	ff_free(s->host);
	ff_free(s->type);
	for (i = 0; i < s->nlabels; i++) {
		ff_free(s->labels[i].key);
		ff_free(s->labels[i].value);
	}
	ff_sel_init(s);
}

/* A value must be 1..255 bytes of UTF-8 without control characters. */
static ff_rc
check_value(const char *key, size_t klen, const char *v, size_t n,
    ff_err *err)
{
	size_t i;

	if (n == 0 || n > FF_SEL_VALUE_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "selection term %.*s: the "
		    "value must be 1 to %u bytes", (int)klen, key,
		    FF_SEL_VALUE_MAX);
	if (!ff_utf8_valid(v, n))
		return ff_err_set(err, FF_ERR_USAGE, "selection term %.*s: the "
		    "value is not valid UTF-8", (int)klen, key);
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return ff_err_set(err, FF_ERR_USAGE, "selection term "
			    "%.*s: control character in the value", (int)klen,
			    key);
	return FF_OK;
}

static ff_rc
set_str(char **field, const char *v, size_t n, ff_err *err)
{
	char *copy = ff_strndup(v, n);

	if (copy == NULL)
		return ff_err_nomem(err);
	ff_free(*field);
	*field = copy;
	return FF_OK;
}

static int
label_key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > FF_META_LABEL_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' &&
		    k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
		    k[i] == '_' || k[i] == '.' || k[i] == '-'))
			return 0;
	return 1;
}

static ff_rc
add_label(ff_sel *s, const char *k, size_t kn, const char *v, size_t vn,
    ff_err *err)
{
	ff_sel_label *l;

	if (!label_key_ok(k, kn))
		return ff_err_set(err, FF_ERR_USAGE, "selection term label.%.*s:"
		    " a label key is 1 to %u of [A-Za-z0-9_.-]", (int)kn, k,
		    FF_META_LABEL_KEY_MAX);
	if (s->nlabels == FF_SEL_LABELS_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "at most %u label terms",
		    FF_SEL_LABELS_MAX);
	l = &s->labels[s->nlabels];
	l->key = ff_strndup(k, kn);
	l->value = ff_strndup(v, vn);
	if (l->key == NULL || l->value == NULL) {
		ff_free(l->key);
		ff_free(l->value);
		l->key = l->value = NULL;
		return ff_err_nomem(err);
	}
	s->nlabels++;
	return FF_OK;
}

static int
key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

static ff_rc
set_time(int64_t *field, const char *key, size_t klen, const char *v,
    size_t n, int64_t now, ff_err *err)
{
	int64_t t;
	ff_err e;

	ff_err_init(&e);
	if (ff_stamp_parse_when(v, n, now, &t, &e) != FF_OK)
		return ff_err_set(err, FF_ERR_USAGE, "selection term %.*s: %s "
		    "(RFC 3339, now, or -DURATION such as -24h)", (int)klen,
		    key, ff_err_msg(&e));
	*field = t;
	return FF_OK;
}

ff_rc
ff_sel_set(ff_sel *s, const char *key, size_t klen, const char *v,
    size_t vlen, int64_t now, ff_err *err)
{
	ff_rc rc;

	if ((rc = check_value(key, klen, v, vlen, err)) != FF_OK)
		return rc;
	if (key_is(key, klen, "build"))
		return set_str(&s->build, v, vlen, err);
	if (key_is(key, klen, "host"))
		return set_str(&s->host, v, vlen, err);
	if (key_is(key, klen, "type"))
		return set_str(&s->type, v, vlen, err);
	if (key_is(key, klen, "since"))
		return set_time(&s->since, key, klen, v, vlen, now, err);
	if (key_is(key, klen, "until"))
		return set_time(&s->until, key, klen, v, vlen, now, err);
	if (klen > 6 && memcmp(key, "label.", 6) == 0)
		return add_label(s, key + 6, klen - 6, v, vlen, err);
	return ff_err_set(err, FF_ERR_USAGE, "unknown selection term '%.*s' "
	    "(build, host, type, since, until, label.K)", (int)(klen < 64 ?
	    klen : 64), key);
}

ff_rc
ff_sel_parse(ff_sel *s, const char *text, int64_t now, ff_err *err)
{
	const char *p = text;
	ff_rc rc;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);

		if (eq == NULL)
			return ff_err_set(err, FF_ERR_USAGE, "selection term "
			    "'%.*s' is not key=value", (int)(n < 64 ? n : 64),
			    p);
		rc = ff_sel_set(s, p, (size_t)(eq - p), eq + 1,
		    n - (size_t)(eq - p) - 1, now, err);
		if (rc != FF_OK)
			return rc;
		p += n;
		if (*p == ',')
			p++;
	}
	return FF_OK;
}

static ff_rc
dup_opt(char **dst, const char *src)
{
	if (src == NULL)
		return FF_OK;
	*dst = ff_strdup(src);
	return *dst != NULL ? FF_OK : FF_ERR_NOMEM;
}

ff_rc
ff_sel_copy(ff_sel *dst, const ff_sel *src, ff_err *err)
{
	unsigned i;

	ff_sel_free(dst);
	dst->since = src->since;
	dst->until = src->until;
	if (dup_opt(&dst->build, src->build) != FF_OK ||
	    dup_opt(&dst->host, src->host) != FF_OK ||
	    dup_opt(&dst->type, src->type) != FF_OK)
		goto nomem;
	for (i = 0; i < src->nlabels; i++) {
		if (dup_opt(&dst->labels[i].key, src->labels[i].key) != FF_OK ||
		    dup_opt(&dst->labels[i].value, src->labels[i].value) !=
		    FF_OK) {
			dst->nlabels = i + 1;
			goto nomem;
		}
		dst->nlabels = i + 1;
	}
	return FF_OK;
nomem:
	ff_sel_free(dst);
	return ff_err_nomem(err);
}

int
ff_sel_host_ok(const ff_sel *s, const char *host)
{
	return s->host == NULL || fnmatch(s->host, host, 0) == 0;
}

int
ff_sel_host_exact(const ff_sel *s)
{
	return s->host != NULL && strpbrk(s->host, "*?[\\") == NULL;
}

int
ff_sel_build_only(const ff_sel *s)
{
	return s->host == NULL && s->since == INT64_MIN &&
	    s->until == INT64_MAX && s->nlabels == 0;
}

const char *
ff_sel_format(const ff_sel *s, char *buf, size_t cap)
{
	char t[FF_STAMP_LEN];
	size_t n = 0;
	unsigned i;

#define APPEND(...) do { \
	if (n < cap) \
		n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__); \
} while (0)
	buf[0] = '\0';
	if (s->build != NULL)
		APPEND("%sbuild=%s", n ? "," : "", s->build);
	if (s->host != NULL)
		APPEND("%shost=%s", n ? "," : "", s->host);
	if (s->type != NULL)
		APPEND("%stype=%s", n ? "," : "", s->type);
	if (s->since != INT64_MIN) {
		ff_stamp_format(s->since, t);
		APPEND("%ssince=%s", n ? "," : "", t);
	}
	if (s->until != INT64_MAX) {
		ff_stamp_format(s->until, t);
		APPEND("%suntil=%s", n ? "," : "", t);
	}
	for (i = 0; i < s->nlabels; i++)
		APPEND("%slabel.%s=%s", n ? "," : "", s->labels[i].key,
		    s->labels[i].value);
#undef APPEND
	return buf;
}
