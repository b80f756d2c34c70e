/*
 * fdiff.c -- combine two profiles into a differential one (see fdiff.h).
 */
#include "diff/fdiff.h"
#include "profile/fold.h"
#include "profile/func.h"
#include "profile/intern.h"
#include "profile/mem.h"
#include "profile/sort.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Map each frame of src to its hex-stripped name in frames. */
static ff_rc
strip_map(const ff_stacks *src, ff_intern *frames, uint32_t **out,
    ff_err *err)
{
	const ff_intern *from = ff_stacks_frames(src);
	uint32_t n = ff_intern_count(from), i, *map;
	char *buf = NULL;
	size_t cap = 0;
	ff_rc rc = FF_OK;

	*out = map = ff_calloc(n ? n : 1, sizeof *map);
	if (map == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < n && rc == FF_OK; i++) {
		size_t len, m;
		const char *name = ff_intern_str(from, i, &len);

		if (FF_FUNC_CAP(len) > cap) {
			char *b = ff_realloc(buf, FF_FUNC_CAP(len));

			if (b == NULL) {
				rc = ff_err_nomem(err);
				break;
			}
			buf = b;
			cap = FF_FUNC_CAP(len);
		}
		m = ff_func_strip_hex(name, len, buf, cap);
		if (ff_intern_put(frames, buf, m, &map[i]) != FF_OK)
			rc = ff_err_set(err, FF_ERR_LIMIT, "frame name too long "
			    "after rewriting hex numbers");
	}
	ff_free(buf);
	return rc;
}

/* Add src's first column as column col of dst. */
static ff_rc
add_side(ff_stacks *dst, const ff_stacks *src, unsigned col,
    const ff_fdiff_opts *o, ff_err *err)
{
	uint32_t *map = NULL;
	ff_rc rc = FF_OK;

	if (o->strip_hex)
		rc = strip_map(src, ff_stacks_frames(dst), &map, err);
	if (rc == FF_OK)
		rc = ff_stacks_merge_range(dst, src, 0, 1, col, map, err);
	ff_free(map);
	return rc;
}

ff_rc
ff_fdiff_combine(ff_stacks **out, ff_intern *frames, const ff_stacks *a,
    const ff_stacks *b, const ff_fdiff_opts *o, ff_err *err)
{
	ff_stacks *s = ff_stacks_new(frames, 2);
	const uint64_t *t;
	ff_rc rc;

	*out = NULL;
	if (s == NULL)
		return ff_err_nomem(err);
	if ((rc = add_side(s, a, 0, o, err)) != FF_OK ||
	    (rc = add_side(s, b, 1, o, err)) != FF_OK) {
		ff_stacks_free(s);
		return rc;
	}
	t = ff_stacks_totals(s);
	if (o->normalize && t[0] != t[1] && t[0] != 0)
		ff_stacks_scale(s, 0, t[1], t[0]);
	*out = s;
	return FF_OK;
}

ff_rc
ff_fdiff_files(ff_stacks **out, ff_intern *frames, const char *a,
    const char *b, const ff_fdiff_opts *o, ff_diag *diag, ff_err *err)
{
	ff_intern *fa = ff_intern_new(), *fb = ff_intern_new();
	ff_stacks *sa = NULL, *sb = NULL;
	ff_rc rc;

	*out = NULL;
	if (fa == NULL || fb == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((rc = ff_fold_load_file(&sa, fa, a, 1, diag, err)) == FF_OK &&
	    (rc = ff_fold_load_file(&sb, fb, b, 1, diag, err)) == FF_OK)
		rc = ff_fdiff_combine(out, frames, sa, sb, o, err);
out:
	ff_stacks_free(sa);
	ff_stacks_free(sb);
	ff_intern_free(fa);
	ff_intern_free(fb);
	return rc;
}

/* ---- streaming merge of sorted files ------------------------------------ */

/* One input of the merge: the current (summed) stack and its count. */
struct side {
	ff_src *src;
	ff_fold_reader *r;
	char *stack;      /* copy of the current stack */
	size_t len, cap;
	uint64_t count;
	int done;
	ff_fold_line next;
	int have_next;
};

static ff_rc
side_open(struct side *s, const char *path, ff_diag *diag, ff_err *err)
{
	ff_rc rc;

	memset(s, 0, sizeof *s);
	if ((rc = ff_src_open(&s->src, path, NULL, err)) != FF_OK)
		return rc;
	return ff_fold_reader_new(&s->r, s->src, 1, diag, err);
}

static void
side_close(struct side *s)
{
	ff_fold_reader_free(s->r);
	ff_src_close(s->src);
	ff_free(s->stack);
}

/* Compare stack texts bytewise, a prefix first. */
static int
text_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* The message of the FF_ERR_USAGE that sends the streaming merge back
 * to the table path: the input is not sorted, or has a line the table
 * path reports and skips (the stream does not split frames). */
static const char USE_TABLES[] = "unsorted";

/* Whether a stack's text is within the limits the table path enforces
 * (FF_DEPTH_MAX frames of at most FF_FRAME_MAX bytes), so both paths
 * keep the same lines. */
static int
stack_fits(const char *p, size_t len)
{
	const char *end = p + len;
	size_t depth = 0;

	/* A line this short cannot hold a long frame or, at two bytes a
	 * frame, too many of them: no need to look (almost every line). */
	if (len <= FF_FRAME_MAX && len < 2 * (size_t)FF_DEPTH_MAX)
		return 1;
	for (;;) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *fe = semi != NULL ? semi : end;

		if (++depth > FF_DEPTH_MAX || (size_t)(fe - p) > FF_FRAME_MAX)
			return 0;
		if (semi == NULL)
			return 1;
		p = semi + 1;
	}
}

/* Add c to a stack's count. */
static ff_rc
add_count(const char *name, uint64_t *count, uint64_t c, ff_err *err)
{
	if (c > (uint64_t)FF_COUNT_MAX - *count)
		return ff_err_set(err, FF_ERR_LIMIT, "%s: counts of one stack "
		    "overflow 2^63-1", name);
	*count += c;
	return FF_OK;
}

/* ---- the merge ----------------------------------------------------------- */

/* Advance to the next distinct stack, summing adjacent duplicates.
 * FF_ERR_USAGE with USE_TABLES when the input goes backwards or a stack
 * is past the limits. */
static ff_rc
side_next(struct side *s, ff_err *err)
{
	ff_rc rc;

	if (!s->have_next) {
		rc = ff_fold_reader_next(s->r, &s->next, err);
		if (rc == FF_DONE) {
			s->done = 1;
			return FF_OK;
		}
		if (rc != FF_OK)
			return rc;
		if (!stack_fits(s->next.stack, s->next.len))
			return ff_err_set(err, FF_ERR_USAGE, USE_TABLES);
	}
	if (s->next.len > s->cap) {
		char *p = ff_realloc(s->stack, s->next.len);

		if (p == NULL)
			return ff_err_nomem(err);
		s->stack = p;
		s->cap = s->next.len;
	}
	memcpy(s->stack, s->next.stack, s->next.len);
	s->len = s->next.len;
	s->count = s->next.values[0];
	s->have_next = 0;
	while ((rc = ff_fold_reader_next(s->r, &s->next, err)) == FF_OK) {
		int c = text_cmp(s->next.stack, s->next.len, s->stack, s->len);

		if (c < 0 || !stack_fits(s->next.stack, s->next.len))
			return ff_err_set(err, FF_ERR_USAGE, USE_TABLES);
		if (c > 0) {
			s->have_next = 1;
			return FF_OK;
		}
		if ((rc = add_count(ff_src_name(s->src), &s->count,
		    s->next.values[0], err)) != FF_OK)
			return rc;
	}
	return rc == FF_DONE ? FF_OK : rc;
}

struct merge {
	struct side a, b;
	uint64_t total[2];
	int normalize;
	ff_fdiff_sink sink;   /* NULL in the checking pass */
	void *ctx;
	char *buf;
	size_t len, cap;
};

static ff_rc
merge_flush(struct merge *m, ff_err *err)
{
	ff_rc rc = FF_OK;

	if (m->len > 0 && m->sink != NULL)
		rc = m->sink(m->ctx, m->buf, m->len, err);
	m->len = 0;
	return rc;
}

/* Emit "stack ca cb\n". */
static ff_rc
merge_emit(struct merge *m, const char *stack, size_t len, uint64_t ca,
    uint64_t cb, ff_err *err)
{
	size_t need = len + 44;
	ff_rc rc;

	if (m->sink == NULL)
		return FF_OK;
	if (m->normalize && m->total[0] != m->total[1] && m->total[0] != 0) {
#ifdef __SIZEOF_INT128__
		ca = (uint64_t)((unsigned __int128)ca * m->total[1] /
		    m->total[0]);
#else
		ca = (uint64_t)((long double)ca * m->total[1] / m->total[0]);
#endif
	}
	if (m->cap - m->len < need) {
		if ((rc = merge_flush(m, err)) != FF_OK)
			return rc;
		if (need > m->cap) {
			size_t cap = need > 65536 ? need : 65536;
			char *p = ff_realloc(m->buf, cap);

			if (p == NULL)
				return ff_err_nomem(err);
			m->buf = p;
			m->cap = cap;
		}
	}
	memcpy(m->buf + m->len, stack, len);
	m->len += len;
	m->len += (size_t)snprintf(m->buf + m->len, m->cap - m->len,
	    " %llu %llu\n", (unsigned long long)ca, (unsigned long long)cb);
	return FF_OK;
}

/* One pass over both sorted inputs. */
static ff_rc
merge_pass(struct merge *m, ff_err *err)
{
	struct side *a = &m->a, *b = &m->b;
	ff_rc rc;

	if ((rc = side_next(a, err)) != FF_OK || (rc = side_next(b, err)) !=
	    FF_OK)
		return rc;
	while (!a->done || !b->done) {
		int c = a->done ? 1 : b->done ? -1 :
		    text_cmp(a->stack, a->len, b->stack, b->len);

		/* A total past 2^63-1 is reported by the table path (the
		 * checking pass sums; the writing pass has the sums). */
		if (m->sink == NULL && ((c <= 0 && a->count >
		    (uint64_t)FF_COUNT_MAX - m->total[0]) || (c >= 0 &&
		    b->count > (uint64_t)FF_COUNT_MAX - m->total[1])))
			return ff_err_set(err, FF_ERR_USAGE, USE_TABLES);
		if (c <= 0)
			m->total[0] += m->sink == NULL ? a->count : 0;
		if (c >= 0)
			m->total[1] += m->sink == NULL ? b->count : 0;
		if (c < 0)
			rc = merge_emit(m, a->stack, a->len, a->count, 0, err);
		else if (c > 0)
			rc = merge_emit(m, b->stack, b->len, 0, b->count, err);
		else
			rc = merge_emit(m, a->stack, a->len, a->count, b->count,
			    err);
		if (rc == FF_OK && c <= 0)
			rc = side_next(a, err);
		if (rc == FF_OK && c >= 0)
			rc = side_next(b, err);
		if (rc != FF_OK)
			return rc;
	}
	return merge_flush(m, err);
}

/* Both inputs regular files (they are read twice). */
static int
seekable(const char *a, const char *b)
{
	struct stat sa, sb;

	return strcmp(a, "-") != 0 && strcmp(b, "-") != 0 &&
	    stat(a, &sa) == 0 && S_ISREG(sa.st_mode) &&
	    stat(b, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Try the streaming merge: FF_DONE means "inputs not sorted, use the
 * tables" (nothing was written then). */
static ff_rc
fdiff_stream(const char *pa, const char *pb, const ff_fdiff_opts *o,
    ff_fdiff_sink sink, void *ctx, ff_err *err)
{
	struct merge m;
	ff_diag *quiet;
	int pass;
	ff_rc rc = FF_OK;

	/* Pass 1 checks the order and sums; pass 2 writes.  Malformed lines
	 * are only counted in pass 1 (quietly): when there are any, the
	 * table path reads the files again and reports them, once -- so
	 * the caller's diag sees each line one time. */
	if ((quiet = ff_diag_new(NULL, "ffdiff", 0)) == NULL)
		return ff_err_nomem(err);
	memset(&m, 0, sizeof m);
	m.normalize = o->normalize;
	m.ctx = ctx;
	for (pass = 0; pass < 2 && rc == FF_OK; pass++) {
		m.sink = pass == 0 ? NULL : sink;
		if ((rc = side_open(&m.a, pa, pass == 0 ? quiet : NULL, err)) ==
		    FF_OK &&
		    (rc = side_open(&m.b, pb, pass == 0 ? quiet : NULL, err)) ==
		    FF_OK)
			rc = merge_pass(&m, err);
		side_close(&m.a);
		side_close(&m.b);
		if (pass == 0 && rc == FF_ERR_USAGE && err != NULL &&
		    strcmp(err->msg, USE_TABLES) == 0)
			rc = FF_DONE;
		if (pass == 0 && ff_diag_count(quiet) > 0 && rc == FF_OK)
			rc = FF_DONE; /* skipping lines needs one reading */
	}
	ff_diag_free(quiet);
	ff_free(m.buf);
	return rc;
}

/* ---- unsorted files, in memory ------------------------------------------- */

/* Both files' stacks, each distinct text once (interned: hashed, compared
 * on a match) with its count on each side. */
struct memdiff {
	ff_intern *stacks;
	uint64_t *count;      /* two per stack: base, new */
	size_t cap;           /* stacks count has room for */
	uint64_t total[2];    /* at most FF_COUNT_MAX, so no sum overflows */
};

/* Add path's lines to side `side` of d.  FF_DONE when the table path must
 * read the files instead: a line it would report (counted in quiet), a
 * stack past the limits, a total past FF_COUNT_MAX. */
static ff_rc
mem_add(struct memdiff *d, int side, const char *path, ff_diag *quiet,
    ff_err *err)
{
	struct side s;
	int refuse = 0;
	uint32_t id;
	ff_rc rc;

	if ((rc = side_open(&s, path, quiet, err)) != FF_OK) {
		side_close(&s);
		return rc;
	}
	while ((rc = ff_fold_reader_next(s.r, &s.next, err)) == FF_OK) {
		uint64_t v = s.next.values[0];

		if (!stack_fits(s.next.stack, s.next.len) ||
		    v > (uint64_t)FF_COUNT_MAX - d->total[side]) {
			refuse = 1;
			break;
		}
		rc = ff_intern_put(d->stacks, s.next.stack, s.next.len, &id);
		if (rc == FF_ERR_LIMIT) {
			refuse = 1; /* a stack longer than the table keeps */
			break;
		}
		if (rc != FF_OK) {
			rc = ff_err_nomem(err);
			break;
		}
		if (id >= d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 4096;
			uint64_t *c = ff_reallocarray(d->count, cap,
			    2 * sizeof *c);

			if (c == NULL) {
				rc = ff_err_nomem(err);
				break;
			}
			memset(c + 2 * d->cap, 0,
			    2 * (cap - d->cap) * sizeof *c);
			d->count = c;
			d->cap = cap;
		}
		d->count[2 * (size_t)id + (size_t)side] += v;
		d->total[side] += v;
	}
	side_close(&s);
	if (refuse || ff_diag_count(quiet) > 0)
		return FF_DONE;
	return rc == FF_DONE ? FF_OK : rc;
}

/* Inputs that are not sorted: their distinct stacks in memory (about the
 * size of the files' text), sorted bytewise and written.  FF_DONE sends
 * them on to the table path. */
static ff_rc
fdiff_memory(const char *pa, const char *pb, const ff_fdiff_opts *o,
    ff_fdiff_sink sink, void *ctx, ff_err *err)
{
	struct memdiff d;
	struct merge m;
	ff_diag *quiet;
	ff_text *text = NULL;
	uint32_t *order = NULL, n, i;
	ff_rc rc;

	memset(&d, 0, sizeof d);
	memset(&m, 0, sizeof m);
	quiet = ff_diag_new(NULL, "ffdiff", 0);
	d.stacks = ff_intern_new();
	if (quiet == NULL || d.stacks == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((rc = mem_add(&d, 0, pa, quiet, err)) != FF_OK ||
	    (rc = mem_add(&d, 1, pb, quiet, err)) != FF_OK)
		goto out;
	n = ff_intern_count(d.stacks);
	text = ff_reallocarray(NULL, n ? n : 1, sizeof *text);
	order = ff_reallocarray(NULL, n ? n : 1, sizeof *order);
	if (text == NULL || order == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		text[i].p = ff_intern_str(d.stacks, i, &text[i].len);
		order[i] = i;
	}
	if (ff_sort_texts(order, n, text) != FF_OK) {
		rc = ff_err_nomem(err);
		goto out;
	}
	m.normalize = o->normalize;
	m.sink = sink;
	m.ctx = ctx;
	m.total[0] = d.total[0];
	m.total[1] = d.total[1];
	for (i = 0; i < n && rc == FF_OK; i++)
		rc = merge_emit(&m, text[order[i]].p, text[order[i]].len,
		    d.count[2 * (size_t)order[i]],
		    d.count[2 * (size_t)order[i] + 1], err);
	if (rc == FF_OK)
		rc = merge_flush(&m, err);
out:
	ff_diag_free(quiet);
	ff_intern_free(d.stacks);
	ff_free(d.count);
	ff_free(text);
	ff_free(order);
	ff_free(m.buf);
	return rc;
}

/* The table path: load, combine, write sorted. */
static ff_rc
fdiff_tables(const char *a, const char *b, const ff_fdiff_opts *o,
    ff_diag *diag, ff_fdiff_sink sink, void *ctx, ff_err *err)
{
	ff_intern *frames = ff_intern_new();
	ff_stacks *s = NULL;
	ff_rc rc;

	if (frames == NULL)
		return ff_err_nomem(err);
	rc = ff_fdiff_files(&s, frames, a, b, o, diag, err);
	if (rc == FF_OK)
		rc = ff_fold_write_to(s, sink, ctx, err);
	ff_stacks_free(s);
	ff_intern_free(frames);
	return rc;
}

ff_rc
ff_fdiff_write(const char *a, const char *b, const ff_fdiff_opts *o,
    ff_diag *diag, ff_fdiff_sink sink, void *ctx, ff_err *err)
{
	ff_rc rc = FF_DONE;

	if (!o->strip_hex && seekable(a, b)) {
		rc = fdiff_stream(a, b, o, sink, ctx, err);
		if (rc == FF_DONE)
			rc = fdiff_memory(a, b, o, sink, ctx, err);
	}
	if (rc == FF_DONE)
		rc = fdiff_tables(a, b, o, diag, sink, ctx, err);
	return rc;
}
