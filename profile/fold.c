/*
 * fold.c -- folded reader, loader and writer (see fold.h and README.md).
 */
#include "profile/fold.h"
#include "profile/mem.h"

#include <stdio.h>
#include <string.h>

struct ff_fold_reader {
	ff_src *src;
	ff_diag *diag;
	unsigned ncols;   /* 0 until known */
};

/* Kinds of malformed lines, as counted by ff_diag. */
static const char K_NUL[] = "NUL byte";
static const char K_COUNT[] = "bad count";
static const char K_COLUMNS[] = "wrong number of counts";
static const char K_EMPTY[] = "empty stack";
static const char K_LONG[] = "line too long";
static const char K_FRAME[] = "frame too long";
static const char K_DEEP[] = "stack too deep";
static const char K_OVERFLOW[] = "count overflow";

ff_rc
ff_fold_reader_new(ff_fold_reader **out, ff_src *src, unsigned ncols,
    ff_diag *diag, ff_err *err)
{
	ff_fold_reader *r;

	*out = NULL;
	if (ncols > FF_VALUES_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "at most %u count columns "
		    "are supported", FF_VALUES_MAX);
	r = ff_calloc(1, sizeof *r);
	if (r == NULL)
		return ff_err_nomem(err);
	r->src = src;
	r->diag = diag;
	r->ncols = ncols;
	*out = r;
	return FF_OK;
}

void
ff_fold_reader_free(ff_fold_reader *r)
{
	ff_free(r);
}

unsigned
ff_fold_reader_ncols(const ff_fold_reader *r)
{
	return r->ncols;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Report a malformed line at the source's current line. */
static ff_rc
fold_bad(ff_fold_reader *r, ff_err *err, const char *kind, const char *fmt,
    const char *arg, size_t arglen)
{
	char shown[64];
	size_t n = arglen < sizeof shown - 4 ? arglen : sizeof shown - 4;

	memcpy(shown, arg, n);
	strcpy(shown + n, arglen > n ? "..." : "");
	return ff_diag_line(r->diag, err, ff_src_name(r->src),
	    ff_src_lineno(r->src), kind, fmt, shown);
}

/* Parse the unsigned decimal p[0..n).  0 on success. */
static int
parse_count(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return n > 19 && strspn(p, "0123456789") >= n ? -2 : -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	if (x > (uint64_t)FF_COUNT_MAX)
		return -2;
	*v = x;
	return 0;
}

/* Whether p[0..n) is a run of digits (a count, for column detection). */
static int
is_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned)((unsigned char)p[i] - '0') > 9)
			return 0;
	return n > 0;
}

/* The last whitespace-separated token of p[0..*n): its start in *tok and
 * length in *toklen; *n becomes the length before the separating blanks.
 * 0 when there is no blank before the token. */
static int
last_token(const char *p, size_t *n, const char **tok, size_t *toklen)
{
	size_t end = *n, i = end;

	while (i > 0 && !is_blank(p[i - 1]))
		i--;
	*tok = p + i;
	*toklen = end - i;
	if (i == 0)
		return 0;
	while (i > 0 && is_blank(p[i - 1]))
		i--;
	*n = i;
	return 1;
}

/* Whether p[0..n) ends with blanks and a run of 1..19 digits after some
 * text: looks only at the tail, so long stacks cost nothing. */
static int
ends_with_count(const char *p, size_t n)
{
	size_t i = n;

	while (i > 0 && n - i < 20 &&
	    (unsigned)((unsigned char)p[i - 1] - '0') <= 9)
		i--;
	if (i == n || n - i >= 20 || i == 0 || !is_blank(p[i - 1]))
		return 0;
	while (i > 0 && is_blank(p[i - 1]))
		i--;
	return i > 0;
}

/* The column count of a first line: 2 when it ends with two numbers. */
static unsigned
detect_columns(const char *p, size_t n)
{
	const char *tok;
	size_t len;

	if (!last_token(p, &n, &tok, &len) || !is_digits(tok, len))
		return 1;
	if (!last_token(p, &n, &tok, &len) || !is_digits(tok, len))
		return 1;
	return n > 0 ? 2 : 1;
}

/* Split one line into stack and counts; FF_DONE means "malformed, skip". */
static ff_rc
fold_parse(ff_fold_reader *r, const char *p, size_t n, ff_fold_line *line,
    ff_err *err)
{
	const char *tok;
	size_t toklen;
	unsigned i;
	ff_rc rc;
	int bad;

	for (i = r->ncols; i-- > 0;) {
		if (!last_token(p, &n, &tok, &toklen)) {
			rc = fold_bad(r, err, K_COLUMNS, "expected a stack and "
			    "count columns, got '%s'", p, n);
			return rc == FF_OK ? FF_DONE : rc;
		}
		if ((bad = parse_count(tok, toklen, &line->values[i])) != 0) {
			rc = fold_bad(r, err, K_COUNT, bad == -2 ?
			    "count '%s' is larger than 2^63-1" :
			    "count '%s' is not an unsigned integer", tok,
			    toklen);
			return rc == FF_OK ? FF_DONE : rc;
		}
	}
	/* One more number where the stack should end means the line has
	 * more columns than the rest of the input. */
	if (ends_with_count(p, n)) {
		rc = fold_bad(r, err, K_COLUMNS, "more count columns than "
		    "expected in '%s'", p, n);
		return rc == FF_OK ? FF_DONE : rc;
	}
	if (n == 0) {
		rc = fold_bad(r, err, K_EMPTY, "no stack before the counts%s",
		    "", 0);
		return rc == FF_OK ? FF_DONE : rc;
	}
	line->stack = p;
	line->len = n;
	line->nvalues = r->ncols;
	return FF_OK;
}

/* msg without the "name:line: " the source put in front of it (the
 * diag adds its own). */
static const char *
unprefixed(const ff_src *src, const char *msg)
{
	char pre[64];
	const char *name = ff_src_name(src);
	size_t n = strlen(name);
	int k;

	if (strncmp(msg, name, n) != 0 || msg[n] != ':')
		return msg;
	k = snprintf(pre, sizeof pre, ":%llu: ",
	    (unsigned long long)ff_src_lineno(src));
	if (k > 0 && (size_t)k < sizeof pre &&
	    strncmp(msg + n, pre, (size_t)k) == 0)
		return msg + n + (size_t)k;
	return msg;
}

ff_rc
ff_fold_reader_next(ff_fold_reader *r, ff_fold_line *line, ff_err *err)
{
	const char *p;
	size_t n;
	ff_rc rc;

	for (;;) {
		rc = ff_src_line(r->src, &p, &n, err);
		if (rc == FF_ERR_LIMIT && !ff_src_broken(r->src)) {
			rc = ff_diag_line(r->diag, err, ff_src_name(r->src),
			    ff_src_lineno(r->src), K_LONG, "%s",
			    unprefixed(r->src, ff_err_msg(err)));
			if (rc != FF_OK)
				return rc;
			continue;
		}
		if (rc != FF_OK)
			return rc;
		while (n > 0 && is_blank(p[n - 1]))
			n--;
		if (n == 0)
			continue;
		if (memchr(p, '\0', n) != NULL) {
			rc = ff_diag_line(r->diag, err, ff_src_name(r->src),
			    ff_src_lineno(r->src), K_NUL, "NUL byte in line");
			if (rc != FF_OK)
				return rc;
			continue;
		}
		if (r->ncols == 0)
			r->ncols = detect_columns(p, n);
		rc = fold_parse(r, p, n, line, err);
		if (rc != FF_DONE)
			return rc;
	}
}

/* ---- loading ------------------------------------------------------------- */

ff_rc
ff_fold_split(ff_intern *frames, const char *stack, size_t len,
    uint32_t *ids, size_t *depth, ff_err *err)
{
	const char *p = stack, *end = stack + len;
	size_t d = 0;
	ff_rc rc;

	for (;;) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *fe = semi != NULL ? semi : end;

		if (d == FF_DEPTH_MAX)
			return ff_err_set(err, FF_ERR_LIMIT, "stack deeper than "
			    "%u frames", FF_DEPTH_MAX);
		if ((size_t)(fe - p) > FF_FRAME_MAX)
			return ff_err_set(err, FF_ERR_LIMIT, "frame name longer "
			    "than %u bytes", FF_FRAME_MAX);
		rc = ff_intern_put(frames, p, (size_t)(fe - p), &ids[d++]);
		if (rc != FF_OK)
			return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    ff_err_set(err, rc, "too many distinct frames");
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	*depth = d;
	return FF_OK;
}

/* The loader remembers the previous line to reuse its nodes for a shared
 * prefix: in sorted input most of every line is the line before. */
struct loader {
	ff_stacks *s;
	ff_fold_reader *r;
	char *text;       /* the previous line's stack */
	size_t len, cap;
	uint32_t depth;
	uint32_t *end;    /* by depth: end offset of frame i in text */
	uint32_t *node;   /* by depth: node of the stack up to frame i */
};

static ff_rc
loader_init(struct loader *ld, ff_stacks *s, ff_fold_reader *r, ff_err *err)
{
	memset(ld, 0, sizeof *ld);
	ld->s = s;
	ld->r = r;
	ld->end = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ld->end);
	ld->node = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ld->node);
	if (ld->end == NULL || ld->node == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

static void
loader_free(struct loader *ld)
{
	ff_free(ld->text);
	ff_free(ld->end);
	ff_free(ld->node);
}

/* How many leading frames of text are the previous line's. */
static uint32_t
loader_shared(const struct loader *ld, const char *text, size_t len)
{
	size_t n = len < ld->len ? len : ld->len, same = 0;
	uint32_t k = 0;

	while (same < n && text[same] == ld->text[same])
		same++;
	while (k < ld->depth && ld->end[k] <= same &&
	    (ld->end[k] == len || text[ld->end[k]] == ';'))
		k++;
	return k;
}

/* Intern the stack of line, reusing the shared prefix; *kind names the
 * problem when FF_ERR_LIMIT is returned. */
static ff_rc
loader_intern(struct loader *ld, const ff_fold_line *line, uint32_t *node,
    const char **kind, ff_err *err)
{
	ff_intern *frames = ff_stacks_frames(ld->s);
	uint32_t k = loader_shared(ld, line->stack, line->len);
	uint32_t at = k > 0 ? ld->node[k - 1] : FF_STACKS_ROOT;
	size_t off = k > 0 ? ld->end[k - 1] + 1 : 0;
	ff_rc rc;

	if (line->len > ld->cap) {
		char *t = ff_realloc(ld->text, line->len);

		if (t == NULL)
			return ff_err_nomem(err);
		ld->text = t;
		ld->cap = line->len;
	}
	memcpy(ld->text, line->stack, line->len);
	ld->len = line->len;
	ld->depth = k;
	while (!(k > 0 && ld->end[k - 1] == line->len)) {
		const char *p = line->stack + off;
		const char *semi = memchr(p, ';', line->len - off);
		size_t flen = semi != NULL ? (size_t)(semi - p) :
		    line->len - off;
		uint32_t id;

		if (k == FF_DEPTH_MAX) {
			*kind = K_DEEP;
			return ff_err_set(err, FF_ERR_LIMIT, "stack deeper "
			    "than %u frames", FF_DEPTH_MAX);
		}
		if (flen > FF_FRAME_MAX) {
			*kind = K_FRAME;
			return ff_err_set(err, FF_ERR_LIMIT, "frame name "
			    "longer than %u bytes", FF_FRAME_MAX);
		}
		if ((rc = ff_intern_put(frames, p, flen, &id)) != FF_OK ||
		    (rc = ff_stacks_child(ld->s, at, id, &at)) != FF_OK) {
			*kind = K_DEEP;
			return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    ff_err_set(err, rc, "too many frames or stacks");
		}
		ld->end[k] = (uint32_t)(off + flen);
		ld->node[k] = at;
		ld->depth = ++k;
		off += flen + 1;
	}
	*node = at;
	return FF_OK;
}

/* Add one line; a line over a limit is malformed (skipped unless
 * strict), and the previous-line cache is reset. */
static ff_rc
loader_line(struct loader *ld, const ff_fold_line *line, ff_err *err)
{
	const char *kind = K_OVERFLOW;
	char msg[FF_ERR_MSG_MAX];
	uint32_t node = FF_STACKS_ROOT; /* quiets gcc -O2 */
	ff_err e;
	ff_rc rc;

	ff_err_init(&e);
	rc = loader_intern(ld, line, &node, &kind, &e);
	if (rc == FF_OK &&
	    (rc = ff_stacks_add(ld->s, node, line->values)) == FF_ERR_LIMIT)
		ff_err_set(&e, rc, "counts overflow the total of 2^63-1");
	if (rc == FF_OK)
		return FF_OK;
	if (rc != FF_ERR_LIMIT) {
		if (err != NULL)
			*err = e;
		return rc;
	}
	ld->depth = 0;
	ld->len = 0;
	memcpy(msg, e.msg, sizeof msg);
	return ff_diag_line(ld->r->diag, err, ff_src_name(ld->r->src),
	    ff_src_lineno(ld->r->src), kind, "%s", msg);
}

/* Load every remaining line; first (may be NULL) was already read. */
static ff_rc
loader_run(struct loader *ld, const ff_fold_line *first, ff_err *err)
{
	ff_fold_line line;
	ff_rc rc;

	if (first != NULL && (rc = loader_line(ld, first, err)) != FF_OK)
		return rc;
	while ((rc = ff_fold_reader_next(ld->r, &line, err)) == FF_OK)
		if ((rc = loader_line(ld, &line, err)) != FF_OK)
			return rc;
	return rc == FF_DONE ? FF_OK : rc;
}

ff_rc
ff_fold_load(ff_stacks *s, ff_fold_reader *r, ff_err *err)
{
	struct loader ld;
	ff_rc rc;

	if (r->ncols != 0 && r->ncols != ff_stacks_nvalues(s))
		return ff_err_set(err, FF_ERR_USAGE, "%s has %u count columns, "
		    "the profile %u", ff_src_name(r->src), r->ncols,
		    ff_stacks_nvalues(s));
	r->ncols = ff_stacks_nvalues(s);
	if ((rc = loader_init(&ld, s, r, err)) == FF_OK)
		rc = loader_run(&ld, NULL, err);
	loader_free(&ld);
	return rc;
}

ff_rc
ff_fold_load_src(ff_stacks **out, ff_intern *frames, ff_src *src,
    unsigned ncols, ff_diag *diag, ff_err *err)
{
	ff_fold_reader *r = NULL;
	ff_fold_line first;
	struct loader ld = { 0 };
	ff_stacks *s = NULL;
	ff_rc rc, first_rc;

	*out = NULL;
	if ((rc = ff_fold_reader_new(&r, src, ncols, diag, err)) != FF_OK)
		return rc;
	/* The first line fixes the column count when ncols is 0. */
	first_rc = ff_fold_reader_next(r, &first, err);
	if (first_rc != FF_OK && first_rc != FF_DONE) {
		rc = first_rc;
		goto out;
	}
	s = ff_stacks_new(frames, r->ncols != 0 ? r->ncols : 1);
	if (s == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	rc = loader_init(&ld, s, r, err);
	if (rc == FF_OK && first_rc == FF_OK)
		rc = loader_run(&ld, &first, err);
	if (rc == FF_OK) {
		*out = s;
		s = NULL;
	}
out:
	loader_free(&ld);
	ff_stacks_free(s);
	ff_fold_reader_free(r);
	return rc;
}

ff_rc
ff_fold_load_file(ff_stacks **out, ff_intern *frames, const char *path,
    unsigned ncols, ff_diag *diag, ff_err *err)
{
	ff_src *src;
	ff_rc rc;

	*out = NULL;
	if ((rc = ff_src_open(&src, path, NULL, err)) != FF_OK)
		return rc;
	rc = ff_fold_load_src(out, frames, src, ncols, diag, err);
	ff_src_close(src);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

enum { WRITE_CHUNK = 64 << 10 };

struct writer {
	ff_fold_sink sink;
	void *ctx;
	char *buf;
	size_t len, cap;
	ff_err *err;
};

/* Append the decimal v to p; returns the new end. */
static char *
put_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static ff_rc
writer_flush(struct writer *w)
{
	ff_rc rc = FF_OK;

	if (w->len > 0)
		rc = w->sink(w->ctx, w->buf, w->len, w->err);
	w->len = 0;
	return rc;
}

/* Make room for need more bytes in the batch buffer. */
static ff_rc
writer_reserve(struct writer *w, size_t need)
{
	ff_rc rc;

	if (w->cap - w->len >= need)
		return FF_OK;
	if ((rc = writer_flush(w)) != FF_OK)
		return rc;
	if (need > w->cap) {
		size_t cap = need > WRITE_CHUNK ? need : WRITE_CHUNK;
		char *b = ff_realloc(w->buf, cap);

		if (b == NULL)
			return ff_err_nomem(w->err);
		w->buf = b;
		w->cap = cap;
	}
	return FF_OK;
}

static ff_rc
write_visit(void *ctx, const ff_stacks *s, uint32_t node, const uint32_t *path,
    uint32_t depth)
{
	struct writer *w = ctx;
	const ff_intern *frames = ff_stacks_frames(s);
	const uint64_t *v = ff_stacks_values(s, node);
	unsigned nv = ff_stacks_nvalues(s), i;
	size_t need = (size_t)nv * 21 + 2, len;
	uint32_t d;
	char *p;
	ff_rc rc;

	for (d = 0; d < depth; d++) {
		ff_intern_str(frames, path[d], &len);
		need += len + 1;
	}
	if ((rc = writer_reserve(w, need)) != FF_OK)
		return rc;
	p = w->buf + w->len;
	for (d = 0; d < depth; d++) {
		const char *name = ff_intern_str(frames, path[d], &len);

		if (d > 0)
			*p++ = ';';
		memcpy(p, name, len);
		p += len;
	}
	for (i = 0; i < nv; i++) {
		*p++ = ' ';
		p = put_u64(p, v[i]);
	}
	*p++ = '\n';
	w->len = (size_t)(p - w->buf);
	return FF_OK;
}

ff_rc
ff_fold_write_to(const ff_stacks *s, ff_fold_sink sink, void *ctx,
    ff_err *err)
{
	struct writer w = { sink, ctx, NULL, 0, 0, err };
	ff_err e;
	ff_rc rc;

	if (err == NULL)
		w.err = &e;
	rc = ff_stacks_walk_sorted(s, write_visit, &w, w.err);
	if (rc == FF_OK)
		rc = writer_flush(&w);
	ff_free(w.buf);
	return rc;
}

static ff_rc
file_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	if (fwrite(p, 1, len, ctx) != len)
		return ff_err_set(err, FF_ERR_IO, "write error on output");
	return FF_OK;
}

ff_rc
ff_fold_write(const ff_stacks *s, FILE *out, ff_err *err)
{
	ff_rc rc = ff_fold_write_to(s, file_sink, out, err);

	if (rc == FF_OK && ferror(out))
		return ff_err_set(err, FF_ERR_IO, "write error on output");
	return rc;
}
