/*
 * ffp.c -- profile files: metadata JSON and zstd-compressed folded data
 * (see ffp.h and profile/README.md).
 */
#include "profile/ffp.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "profile/utf8.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

/* jansson allocates through our wrapper, so fault injection reaches it. */
static void
json_alloc_setup(void)
{
	json_set_alloc_funcs(ff_malloc, ff_free);
}

static void
json_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, json_alloc_setup);
}

/* ---- the struct ---------------------------------------------------------- */

void
ff_meta_init(ff_meta *m)
{
	memset(m, 0, sizeof *m);
}

void
ff_meta_free(ff_meta *m)
{
	unsigned i;

	ff_free(m->host);
	ff_free(m->build);
	ff_free(m->type);
	ff_free(m->agent);
	for (i = 0; i < m->nevents; i++)
		ff_free(m->events[i]);
	for (i = 0; i < m->nlabels; i++) {
		ff_free(m->labels[i].key);
		ff_free(m->labels[i].value);
	}
	ff_free(m->labels);
	ff_meta_init(m);
}

ff_rc
ff_meta_set(ff_meta *m, char **field, const char *v, ff_err *err)
{
	char *copy = ff_strdup(v);

	(void)m;
	if (copy == NULL)
		return ff_err_nomem(err);
	ff_free(*field);
	*field = copy;
	return FF_OK;
}

ff_rc
ff_meta_add_event(ff_meta *m, const char *name, uint64_t period, ff_err *err)
{
	char *copy;

	if (m->nevents == FF_VALUES_MAX)
		return ff_err_set(err, FF_ERR_LIMIT, "at most %u events",
		    FF_VALUES_MAX);
	if ((copy = ff_strdup(name)) == NULL)
		return ff_err_nomem(err);
	m->events[m->nevents] = copy;
	m->periods[m->nevents++] = period;
	return FF_OK;
}

/* Index of key in the sorted labels, or where it would go (*found = 0). */
static unsigned
label_find(const ff_meta *m, const char *key, int *found)
{
	unsigned lo = 0, hi = m->nlabels;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = strcmp(m->labels[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

ff_rc
ff_meta_set_label(ff_meta *m, const char *key, const char *value,
    ff_err *err)
{
	int found;
	unsigned at = label_find(m, key, &found);
	char *v = ff_strdup(value), *k = NULL;
	ff_label *l;

	if (v == NULL)
		return ff_err_nomem(err);
	if (found) {
		ff_free(m->labels[at].value);
		m->labels[at].value = v;
		return FF_OK;
	}
	if (m->nlabels == FF_META_LABELS_MAX) {
		ff_free(v);
		return ff_err_set(err, FF_ERR_LIMIT, "at most %u labels",
		    FF_META_LABELS_MAX);
	}
	l = ff_reallocarray(m->labels, m->nlabels + 1, sizeof *l);
	if (l == NULL || (k = ff_strdup(key)) == NULL) {
		if (l != NULL)
			m->labels = l;
		ff_free(v);
		return ff_err_nomem(err);
	}
	m->labels = l;
	memmove(l + at + 1, l + at, (m->nlabels - at) * sizeof *l);
	l[at].key = k;
	l[at].value = v;
	m->nlabels++;
	return FF_OK;
}

const char *
ff_meta_label(const ff_meta *m, const char *key)
{
	int found;
	unsigned at = label_find(m, key, &found);

	return found ? m->labels[at].value : NULL;
}

/* ---- validation ---------------------------------------------------------- */

/* Printable UTF-8 text of 1..max bytes (no control characters). */
static int
ok_text(const char *s, size_t max)
{
	size_t n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 0;
	return ff_utf8_valid(s, n);
}

/* 1..max bytes from [A-Za-z0-9_.-] (plus extra). */
static int
ok_word(const char *s, size_t max, const char *extra)
{
	size_t n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-' || (extra != NULL && strchr(extra, c) != NULL)))
			return 0;
	}
	return 1;
}

ff_rc
ff_meta_validate(const ff_meta *m, ff_err *err)
{
	unsigned i;

	if (!ok_text(m->host, FF_META_STR_MAX))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'host' must be "
		    "1-%u bytes of printable UTF-8", FF_META_STR_MAX);
	if (!ok_text(m->build, FF_META_STR_MAX))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'build' must be "
		    "1-%u bytes of printable UTF-8", FF_META_STR_MAX);
	if (!ok_word(m->type, FF_META_TYPE_MAX, NULL))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'type' must be "
		    "a word of 1-%u characters [A-Za-z0-9_.-]",
		    FF_META_TYPE_MAX);
	if (m->agent != NULL && !ok_text(m->agent, FF_META_STR_MAX))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'agent' must be "
		    "printable UTF-8");
	if (m->nevents == 0)
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'events' must "
		    "name 1-%u events", FF_VALUES_MAX);
	for (i = 0; i < m->nevents; i++)
		if (!ok_word(m->events[i], FF_META_EVENT_MAX, ":/@,+=~"))
			return ff_err_set(err, FF_ERR_PARSE, "metadata event "
			    "%u is not a valid event name", i + 1);
	if (!(m->duration_s >= 0 && m->duration_s <= 1e9))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'duration_s' "
		    "must be between 0 and 1e9");
	for (i = 0; i < m->nlabels; i++) {
		if (!ok_word(m->labels[i].key, FF_META_LABEL_KEY_MAX, NULL))
			return ff_err_set(err, FF_ERR_PARSE, "label key '%.64s' "
			    "must be 1-%u characters [A-Za-z0-9_.-]",
			    m->labels[i].key, FF_META_LABEL_KEY_MAX);
		if (strlen(m->labels[i].value) > FF_META_STR_MAX ||
		    (m->labels[i].value[0] != '\0' &&
		    !ok_text(m->labels[i].value, FF_META_STR_MAX)))
			return ff_err_set(err, FF_ERR_PARSE, "label '%s' must be "
			    "at most %u bytes of printable UTF-8",
			    m->labels[i].key, FF_META_STR_MAX);
	}
	return FF_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

/* A required (or optional) string member copied into *field. */
static ff_rc
json_take_str(json_t *root, const char *key, int required, char **field,
    ff_err *err)
{
	json_t *v = json_object_get(root, key);
	char *copy;

	if (v == NULL && !required)
		return FF_OK;
	if (!json_is_string(v))
		return ff_err_set(err, FF_ERR_PARSE, "metadata '%s' must be a "
		    "string", key);
	if ((copy = ff_strndup(json_string_value(v), json_string_length(v))) ==
	    NULL)
		return ff_err_nomem(err);
	*field = copy;
	return FF_OK;
}

static ff_rc
json_take_events(ff_meta *m, json_t *root, ff_err *err)
{
	json_t *ev = json_object_get(root, "events");
	json_t *pe = json_object_get(root, "periods");
	size_t i, n;
	ff_rc rc;

	if (!json_is_array(ev) || (n = json_array_size(ev)) == 0 ||
	    n > FF_VALUES_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'events' must be "
		    "an array of 1-%u event names", FF_VALUES_MAX);
	if (pe != NULL && (!json_is_array(pe) || json_array_size(pe) != n))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'periods' must "
		    "be an array with one integer per event");
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(ev, i);
		json_t *p = pe != NULL ? json_array_get(pe, i) : NULL;
		json_int_t period = 0;

		if (!json_is_string(e))
			return ff_err_set(err, FF_ERR_PARSE, "metadata event %zu "
			    "is not a string", i + 1);
		if (p != NULL && (!json_is_integer(p) ||
		    (period = json_integer_value(p)) <= 0))
			return ff_err_set(err, FF_ERR_PARSE, "metadata period "
			    "%zu is not a positive integer", i + 1);
		rc = ff_meta_add_event(m, json_string_value(e),
		    (uint64_t)period, err);
		if (rc != FF_OK)
			return rc;
	}
	return FF_OK;
}

static ff_rc
json_take_labels(ff_meta *m, json_t *root, ff_err *err)
{
	json_t *labels = json_object_get(root, "labels"), *v;
	const char *key;
	ff_rc rc;

	if (labels == NULL)
		return FF_OK;
	if (!json_is_object(labels))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'labels' must be "
		    "an object of strings");
	if (json_object_size(labels) > FF_META_LABELS_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "metadata has more than "
		    "%u labels", FF_META_LABELS_MAX);
	json_object_foreach(labels, key, v) {
		if (!json_is_string(v))
			return ff_err_set(err, FF_ERR_PARSE, "label '%.64s' is "
			    "not a string", key);
		if ((rc = ff_meta_set_label(m, key, json_string_value(v), err)) !=
		    FF_OK)
			return rc;
	}
	return FF_OK;
}

static ff_rc
json_take_time(ff_meta *m, json_t *root, ff_err *err)
{
	json_t *start = json_object_get(root, "start");
	json_t *dur = json_object_get(root, "duration_s");
	ff_rc rc;

	if (!json_is_string(start))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'start' must be "
		    "an RFC 3339 UTC time string");
	rc = ff_stamp_parse(json_string_value(start), json_string_length(start),
	    &m->start, err);
	if (rc != FF_OK) {
		/* Not `return ff_err_prefix(...)`: without an ff_err that
		 * returns FF_ERR_INTERNAL, not this code. */
		(void)ff_err_prefix(err, "metadata 'start': ");
		return rc;
	}
	if (dur != NULL && !json_is_number(dur))
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'duration_s' "
		    "must be a number");
	m->duration_s = dur != NULL ? json_number_value(dur) : 0;
	return FF_OK;
}

static ff_rc
meta_from_json(ff_meta *m, json_t *root, ff_err *err)
{
	json_t *fmt = json_object_get(root, "format");
	ff_rc rc;

	if (!json_is_object(root))
		return ff_err_set(err, FF_ERR_PARSE, "metadata is not a JSON "
		    "object");
	if (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), FF_FFP_FORMAT) != 0)
		return ff_err_set(err, FF_ERR_PARSE, "metadata 'format' must be "
		    "\"%s\"", FF_FFP_FORMAT);
	if ((rc = json_take_str(root, "host", 1, &m->host, err)) != FF_OK ||
	    (rc = json_take_str(root, "build", 1, &m->build, err)) != FF_OK ||
	    (rc = json_take_str(root, "type", 1, &m->type, err)) != FF_OK ||
	    (rc = json_take_str(root, "agent", 0, &m->agent, err)) != FF_OK ||
	    (rc = json_take_events(m, root, err)) != FF_OK ||
	    (rc = json_take_time(m, root, err)) != FF_OK ||
	    (rc = json_take_labels(m, root, err)) != FF_OK)
		return rc;
	return ff_meta_validate(m, err);
}

ff_rc
ff_meta_parse(ff_meta *m, const char *json, size_t len, ff_err *err)
{
	unsigned long failures = ff_mem_failures();
	json_error_t jerr;
	json_t *root;
	ff_rc rc;

	json_init();
	ff_meta_free(m);
	if (len > FF_META_MAX)
		return ff_err_set(err, FF_ERR_LIMIT, "metadata of %zu bytes "
		    "exceeds %u", len, FF_META_MAX);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	/* jansson reports some allocation failures as syntax errors. */
	if (root == NULL && (json_error_code(&jerr) ==
	    json_error_out_of_memory || ff_mem_failures() != failures))
		return ff_err_nomem(err);
	if (root == NULL)
		return ff_err_set(err, FF_ERR_PARSE, "metadata is not valid "
		    "JSON: %s (at byte %d)", jerr.text, jerr.position);
	rc = meta_from_json(m, root, err);
	json_decref(root);
	/* A failed allocation inside jansson can surface as a wrong value. */
	if (rc != FF_OK && ff_mem_failures() != failures)
		rc = ff_err_nomem(err);
	if (rc != FF_OK)
		ff_meta_free(m);
	return rc;
}

/* Build the JSON object; NULL when out of memory. */
static json_t *
meta_to_object(const ff_meta *m)
{
	char start[FF_STAMP_LEN];
	json_t *root = json_object(), *ev = json_array(), *pe = NULL;
	json_t *labels = json_object();
	unsigned i;
	int bad = root == NULL || ev == NULL || labels == NULL;

	ff_stamp_format(m->start, start);
	for (i = 0; i < m->nevents && m->periods[i] != 0; i++)
		;
	if (m->nevents > 0 && i == m->nevents && (pe = json_array()) == NULL)
		bad = 1;
	for (i = 0; !bad && i < m->nevents; i++) {
		bad |= json_array_append_new(ev, json_string(m->events[i]));
		if (pe != NULL)
			bad |= json_array_append_new(pe,
			    json_integer((json_int_t)m->periods[i]));
	}
	for (i = 0; !bad && i < m->nlabels; i++)
		bad |= json_object_set_new(labels, m->labels[i].key,
		    json_string(m->labels[i].value));
	if (!bad) {
		bad |= json_object_set_new(root, "format",
		    json_string(FF_FFP_FORMAT));
		bad |= json_object_set_new(root, "host", json_string(m->host));
		bad |= json_object_set_new(root, "build", json_string(m->build));
		bad |= json_object_set_new(root, "type", json_string(m->type));
		bad |= json_object_set_new(root, "start", json_string(start));
		bad |= json_object_set_new(root, "duration_s",
		    json_real(m->duration_s));
		if (m->agent != NULL)
			bad |= json_object_set_new(root, "agent",
			    json_string(m->agent));
		bad |= json_object_set(root, "events", ev);
		bad |= json_object_set(root, "labels", labels);
		if (pe != NULL)
			bad |= json_object_set(root, "periods", pe);
	}
	json_decref(ev);
	json_decref(labels);
	json_decref(pe);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

ff_rc
ff_meta_to_json(const ff_meta *m, char **out, size_t *len, ff_err *err)
{
	json_t *root;
	char *text;
	ff_rc rc;

	json_init();
	*out = NULL;
	if ((rc = ff_meta_validate(m, err)) != FF_OK)
		return rc;
	if ((root = meta_to_object(m)) == NULL)
		return ff_err_nomem(err);
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		return ff_err_nomem(err);
	*out = text;
	if (len != NULL)
		*len = strlen(text);
	return FF_OK;
}

/* ---- writing files ---------------------------------------------------------- */

struct ff_ffp_stream {
	ff_zst_enc *enc;
};

ff_rc
ff_ffp_stream_begin(ff_ffp_stream **out, const ff_meta *meta, int level,
    ff_zst_sink sink, void *ctx, ff_err *err)
{
	unsigned char header[FF_ZST_SKIP_HEADER];
	ff_ffp_stream *w = NULL;
	char *json = NULL;
	size_t len;
	ff_rc rc;

	*out = NULL;
	if ((rc = ff_meta_to_json(meta, &json, &len, err)) != FF_OK)
		return rc;
	/* Unreachable while the limits of ff_meta_validate hold: the largest
	 * valid metadata (64 labels of 255 bytes, each byte escaped as two)
	 * is about 41 KiB of JSON.  Kept in case a limit grows.
	 * GCOVR_EXCL_START */
	if (len > FF_META_MAX) {
		rc = ff_err_set(err, FF_ERR_LIMIT, "metadata of %zu bytes "
		    "exceeds %u", len, FF_META_MAX);
		goto out;
	}
	/* GCOVR_EXCL_STOP */
	ff_zst_skip_header(header, 0, (uint32_t)len);
	if ((rc = sink(ctx, header, sizeof header, err)) != FF_OK ||
	    (rc = sink(ctx, json, len, err)) != FF_OK)
		goto out;
	if ((w = ff_calloc(1, sizeof *w)) == NULL ||
	    (w->enc = ff_zst_enc_new(level, sink, ctx)) == NULL) {
		ff_ffp_stream_free(w);
		rc = ff_err_nomem(err);
		goto out;
	}
	*out = w;
out:
	ff_free(json);
	return rc;
}

ff_rc
ff_ffp_stream_write(ff_ffp_stream *w, const void *p, size_t len, ff_err *err)
{
	return ff_zst_enc_write(w->enc, p, len, err);
}

ff_rc
ff_ffp_stream_end(ff_ffp_stream *w, ff_err *err)
{
	ff_rc rc;

	if (w == NULL)
		return FF_OK;
	rc = ff_zst_enc_end(w->enc, err);
	ff_ffp_stream_free(w);
	return rc;
}

void
ff_ffp_stream_free(ff_ffp_stream *w)
{
	if (w == NULL)
		return;
	ff_zst_enc_free(w->enc);
	ff_free(w);
}

static ff_rc
stream_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	return ff_ffp_stream_write(ctx, p, len, err);
}

ff_rc
ff_ffp_write(const ff_meta *meta, const ff_stacks *s, int level,
    ff_zst_sink sink, void *ctx, ff_err *err)
{
	ff_ffp_stream *w;
	ff_rc rc;

	if (ff_stacks_nvalues(s) != meta->nevents)
		return ff_err_set(err, FF_ERR_USAGE, "profile has %u count "
		    "columns but %u events", ff_stacks_nvalues(s),
		    meta->nevents);
	if ((rc = ff_ffp_stream_begin(&w, meta, level, sink, ctx, err)) !=
	    FF_OK)
		return rc;
	if ((rc = ff_fold_write_to(s, stream_sink, w, err)) != FF_OK) {
		ff_ffp_stream_free(w);
		return rc;
	}
	return ff_ffp_stream_end(w, err);
}

struct fd_sink {
	int fd;
	const char *name;
};

static ff_rc
fd_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct fd_sink *f = ctx;
	const char *b = p;

	while (len > 0) {
		ssize_t w = write(f->fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return ff_err_errno(err, errno, "%s: write", f->name);
		b += w;
		len -= (size_t)w;
	}
	return FF_OK;
}

ff_rc
ff_ffp_write_fd(const ff_meta *meta, const ff_stacks *s, int level, int fd,
    const char *name, ff_err *err)
{
	struct fd_sink f = { fd, name };

	return ff_ffp_write(meta, s, level, fd_sink, &f, err);
}

/* ---- reading files ---------------------------------------------------------- */

ff_rc
ff_ffp_read(ff_src *src, ff_intern *frames, ff_meta *meta, ff_stacks **out,
    ff_diag *diag, ff_err *err)
{
	ff_fold_reader *r = NULL;
	ff_stacks *s = NULL;
	const char *json, *p;
	size_t jlen, n;
	ff_rc rc;

	*out = NULL;
	ff_meta_free(meta);
	if ((rc = ff_src_peek(src, 1, &p, &n, err)) != FF_OK)
		return rc;
	if ((json = ff_src_meta(src, &jlen)) == NULL)
		return ff_err_set(err, FF_ERR_PARSE, "%s: not a flamefleet "
		    "profile (no metadata frame)", ff_src_name(src));
	if ((rc = ff_meta_parse(meta, json, jlen, err)) != FF_OK) {
		(void)ff_err_prefix(err, "%s: ", ff_src_name(src));
		return rc;   /* err may be NULL: keep the code */
	}
	if ((s = ff_stacks_new(frames, meta->nevents)) == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	rc = ff_fold_reader_new(&r, src, meta->nevents, diag, err);
	if (rc == FF_OK)
		rc = ff_fold_load(s, r, err);
	/* The metadata frame alone is not a profile (the store refuses it
	 * too): a writer always adds a zstd frame, even an empty one. */
	if (rc == FF_OK && ff_src_pos(src) <= FF_ZST_SKIP_HEADER + jlen)
		rc = ff_err_set(err, FF_ERR_PARSE, "%s: no data after the "
		    "metadata frame (truncated?)", ff_src_name(src));
	if (rc == FF_OK) {
		*out = s;
		s = NULL;
	}
out:
	ff_fold_reader_free(r);
	ff_stacks_free(s);
	if (rc != FF_OK)
		ff_meta_free(meta);
	return rc;
}

ff_rc
ff_ffp_read_file(const char *path, const ff_src_opts *opts, ff_intern *frames,
    ff_meta *meta, ff_stacks **out, ff_diag *diag, ff_err *err)
{
	ff_src_opts o;
	ff_src *src;
	ff_rc rc;

	*out = NULL;
	/* The metadata limit of the format (the store's too), whatever the
	 * source's default. */
	memset(&o, 0, sizeof o);
	if (opts != NULL)
		o = *opts;
	if (o.max_meta == 0 || o.max_meta > FF_META_MAX)
		o.max_meta = FF_META_MAX;
	if ((rc = ff_src_open(&src, path, &o, err)) != FF_OK)
		return rc;
	rc = ff_ffp_read(src, frames, meta, out, diag, err);
	ff_src_close(src);
	return rc;
}
