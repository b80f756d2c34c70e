/*
 * flamegraph.c -- reading input and choosing how to lay it out (see
 * flamegraph.h).
 */
#include "report/flamegraph.h"
#include "report/stackbuf.h"

#include "profile/fold.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/src.h"

#include <string.h>
#include <sys/stat.h>

static const char K_DEEP[] = "stack too deep";
static const char K_FRAME[] = "frame too long";
static const char K_OVERFLOW[] = "count overflow";

void
ff_flamegraph_opts_init(ff_flamegraph_opts *o)
{
	memset(o, 0, sizeof *o);
	ff_flame_layout_init(&o->layout);
	ff_flamesvg_opts_init(&o->svg);
	o->detect = 1;
}

void
ff_flamegraph_columns(ff_flame_mode mode, unsigned *ncols, unsigned *wcol)
{
	*ncols = mode == FF_FLAME_PLAIN ? 1 : 2;
	*wcol = mode == FF_FLAME_DIFF || mode == FF_FLAME_STALL ? 1 : 0;
	/* FF_FLAME_CPI and FF_FLAME_CPIDIFF: widths from column 0. */
}

/* Everything one rendering of files needs. */
struct fg {
	const ff_flamegraph_opts *o;
	ff_flamegraph_opts eff;     /* o with the mode and columns settled */
	ff_diag *diag;              /* the caller's */
	ff_diag *silent;            /* for lines read a second time */
	unsigned ncols;             /* 0 until known */
	char *xbuf;                 /* transformed stack text */
	size_t xcap;
	ff_flame *flame;
	ff_intern *names;           /* unsorted input: frame names, */
	ff_stackbuf *buf;           /*   the stacks */
	uint32_t *ids;              /*   and one stack's ids */
	size_t stop_file;           /* where the sorted attempt stopped */
	uint64_t stop_line;
};

/* Settle the mode once the column count is known. */
static ff_rc
fg_columns(struct fg *g, unsigned ncols, ff_err *err)
{
	ff_flamegraph_opts *e = &g->eff;

	if (g->o->detect)
		e->svg.mode = ncols == 2 ? FF_FLAME_DIFF : FF_FLAME_PLAIN;
	ff_flamegraph_columns(e->svg.mode, &e->layout.ncols, &e->layout.wcol);
	if (ncols != e->layout.ncols)
		return ff_err_set(err, FF_ERR_USAGE, "the input has %u count "
		    "column%s, this graph needs %u", ncols,
		    ncols == 1 ? "" : "s", e->layout.ncols);
	g->ncols = ncols;
	return FF_OK;
}

/* ---- text transforms ---------------------------------------------------- */

static ff_rc
fg_reserve(struct fg *g, size_t need, ff_err *err)
{
	char *p;

	if (need <= g->xcap)
		return FF_OK;
	if ((p = ff_realloc(g->xbuf, need)) == NULL)
		return ff_err_nomem(err);
	g->xbuf = p;
	g->xcap = need;
	return FF_OK;
}

/* Perl's join(";", reverse split(";", $stack)): trailing empty frames are
 * dropped before reversing. */
static size_t
reverse_frames(const char *s, size_t len, char *out)
{
	size_t end = len, n = 0;

	while (end > 0 && s[end - 1] == ';')
		end--;
	while (end > 0) {
		size_t start = end;

		while (start > 0 && s[start - 1] != ';')
			start--;
		if (n > 0)
			out[n++] = ';';
		memcpy(out + n, s + start, end - start);
		n += end - start;
		if (start == 0)
			break;
		end = start - 1;
		if (end == 0)
			out[n++] = ';';
	}
	return n;
}

/* The next ";--;"-separated part of s[*i..len), or -1 at the end. */
static int
chain_part(const char *s, size_t len, size_t *i, size_t *start, size_t *plen)
{
	size_t j;

	if (*i > len)
		return -1;
	*start = *i;
	for (j = *i; j + 4 <= len; j++)
		if (memcmp(s + j, ";--;", 4) == 0)
			break;
	if (j + 4 > len)
		j = len;
	*plen = j - *start;
	*i = j + 4;
	return 0;
}

/* flamegraph.pl --colors chain: the frames after each ";--;" are wakers
 * and get the "_[w]" annotation; ";--;" follows the first part. */
static size_t
chain_frames(const char *s, size_t len, char *out)
{
	size_t i = 0, start, plen, n = 0, k, nparts = 0, keep = 0;
	size_t starts[64], lens[64];

	/* Perl's split drops trailing empty parts. */
	while (chain_part(s, len, &i, &start, &plen) == 0 && nparts < 64) {
		starts[nparts] = start;
		lens[nparts++] = plen;
		if (plen > 0)
			keep = nparts;
	}
	for (k = 0; k < keep; k++) {
		const char *p = s + starts[k], *end = p + lens[k];

		if (k == 0) {
			memcpy(out, p, lens[k]);
			n = lens[k];
			memcpy(out + n, ";--;", 4);
			n += 4;
			continue;
		}
		if (k > 1) {
			memcpy(out + n, ";--;", 4);
			n += 4;
		}
		for (; p < end; p++) {
			if (*p == ';') {
				memcpy(out + n, "_[w]", 4);
				n += 4;
			}
			out[n++] = *p;
		}
		memcpy(out + n, "_[w]", 4);
		n += 4;
	}
	if (keep == 0) {
		memcpy(out, ";--;", 4);
		n = 4;
	}
	return n;
}

/* The stack text to lay out for an input stack: reversed and/or
 * annotated for chain graphs; *s and *len are replaced when changed. */
static ff_rc
fg_transform(struct fg *g, const char **s, size_t *len, ff_err *err)
{
	int chain = g->eff.svg.palette != NULL &&
	    g->eff.svg.palette->scheme == FF_PAL_CHAIN;
	ff_rc rc;

	if (!g->o->reverse && !chain)
		return FF_OK;
	if ((rc = fg_reserve(g, 2 * (8 * *len + 32), err)) != FF_OK)
		return rc;
	if (g->o->reverse) {
		*len = reverse_frames(*s, *len, g->xbuf);
		*s = g->xbuf;
	}
	if (chain) {
		char *out = g->xbuf + g->xcap / 2;

		*len = chain_frames(*s, *len, out);
		*s = out;
	}
	return FF_OK;
}

/* ---- one pass, laying out while reading ------------------------------ */

/* Report a line the layout refused (a limit) as malformed. */
static ff_rc
fg_bad_line(ff_diag *d, ff_src *src, const char *kind, const ff_err *e,
    ff_err *err)
{
	char msg[FF_ERR_MSG_MAX];

	memcpy(msg, e->msg, sizeof msg);
	return ff_diag_line(d, err, ff_src_name(src), ff_src_lineno(src), kind,
	    "%s", msg);
}

static const char *
limit_kind(const ff_err *e)
{
	if (strstr(e->msg, "deeper") != NULL)
		return K_DEEP;
	if (strstr(e->msg, "overflow") != NULL)
		return K_OVERFLOW;
	return K_FRAME;
}

/* Lay out one file's lines; FF_DONE when the input turns out unsorted. */
static ff_rc
stream_file(struct fg *g, ff_fold_reader *r, ff_src *src, size_t fileno,
    ff_err *err)
{
	ff_fold_line line;
	ff_err e;
	ff_rc rc;

	while ((rc = ff_fold_reader_next(r, &line, err)) == FF_OK) {
		const char *s = line.stack;
		size_t len = line.len;

		if (g->flame == NULL) {
			rc = fg_columns(g, ff_fold_reader_ncols(r), err);
			if (rc == FF_OK)
				rc = ff_flame_new(&g->flame, &g->eff.layout,
				    NULL, err);
			if (rc != FF_OK)
				return rc;
		}
		if ((rc = fg_transform(g, &s, &len, err)) != FF_OK)
			return rc;
		ff_err_init(&e);
		rc = ff_flame_add_text(g->flame, s, len, line.values, &e);
		if (rc == FF_ERR_LIMIT)
			rc = fg_bad_line(g->diag, src, limit_kind(&e), &e, err);
		else if (rc != FF_OK && err != NULL)
			*err = e;
		if (rc != FF_OK)
			return rc;
		if (!g->o->flamechart && !ff_flame_sorted(g->flame)) {
			g->stop_file = fileno;
			g->stop_line = ff_src_lineno(src);
			return FF_DONE;
		}
	}
	return rc == FF_DONE ? FF_OK : rc;
}

static ff_rc
stream_pass(struct fg *g, const char *const *paths, size_t n, ff_err *err)
{
	ff_fold_reader *r = NULL;
	ff_src *src = NULL;
	size_t i;
	ff_rc rc = FF_OK;

	for (i = 0; i < n && rc == FF_OK; i++) {
		rc = ff_src_open(&src, paths[i], NULL, err);
		if (rc == FF_OK)
			rc = ff_fold_reader_new(&r, src, g->ncols, g->diag,
			    err);
		if (rc == FF_OK)
			rc = stream_file(g, r, src, i, err);
		ff_fold_reader_free(r);
		ff_src_close(src);
		r = NULL;
		src = NULL;
	}
	return rc;
}

/* ---- collecting unsorted input ---------------------------------------- */

/* Append one stack to the buffer.  FF_ERR_LIMIT names the problem in e. */
static ff_rc
buf_line(struct fg *g, const char *s, size_t len, const uint64_t *values,
    ff_err *e)
{
	size_t depth = 0;
	ff_rc rc;

	while (len > 0 && s[len - 1] == ';')
		len--;
	if (len > 0 &&
	    (rc = ff_fold_split(g->names, s, len, g->ids, &depth, e)) != FF_OK)
		return rc;
	rc = ff_stackbuf_add(g->buf, g->ids, (uint32_t)depth, values);
	if (rc == FF_ERR_LIMIT)
		return ff_err_set(e, rc, "counts overflow the total of 2^63-1");
	return rc == FF_OK ? FF_OK : ff_err_nomem(e);
}

/* The diag for line `line` of file `fileno`: silent for what the sorted
 * attempt already reported. */
static ff_diag *
buf_diag(const struct fg *g, size_t fileno, uint64_t line)
{
	if (g->stop_file == SIZE_MAX || fileno > g->stop_file ||
	    (fileno == g->stop_file && line >= g->stop_line))
		return g->diag;
	return g->silent;
}

static ff_rc
buf_file(struct fg *g, ff_src *src, size_t fileno, ff_err *err)
{
	ff_fold_reader *r = NULL;
	ff_diag *d = buf_diag(g, fileno, 0);
	ff_fold_line line;
	ff_err e;
	ff_rc rc;

	if ((rc = ff_fold_reader_new(&r, src, g->ncols, d, err)) != FF_OK)
		return rc;
	while ((rc = ff_fold_reader_next(r, &line, err)) == FF_OK) {
		const char *s = line.stack;
		size_t len = line.len;

		if (g->buf == NULL) {
			rc = fg_columns(g, ff_fold_reader_ncols(r), err);
			if (rc != FF_OK)
				break;
			if ((g->buf = ff_stackbuf_new(g->names, g->ncols)) ==
			    NULL) {
				rc = ff_err_nomem(err);
				break;
			}
		}
		if ((rc = fg_transform(g, &s, &len, err)) != FF_OK)
			break;
		ff_err_init(&e);
		rc = buf_line(g, s, len, line.values, &e);
		if (rc == FF_ERR_LIMIT)
			rc = fg_bad_line(d, src, limit_kind(&e), &e, err);
		else if (rc != FF_OK && err != NULL)
			*err = e;
		if (rc != FF_OK)
			break;
		if (d != buf_diag(g, fileno, ff_src_lineno(src))) {
			/* Past the lines already seen: report from here. */
			ff_fold_reader_free(r);
			d = g->diag;
			rc = ff_fold_reader_new(&r, src, g->ncols, d, err);
			if (rc != FF_OK)
				return rc;
		}
	}
	ff_fold_reader_free(r);
	return rc == FF_DONE ? FF_OK : rc;
}

static ff_rc
buf_pass(struct fg *g, const char *const *paths, size_t n, ff_err *err)
{
	ff_src *src = NULL;
	size_t i;
	ff_rc rc = FF_OK;

	g->names = ff_intern_new();
	g->silent = ff_diag_new(NULL, "", 0);
	g->ids = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *g->ids);
	if (g->names == NULL || g->silent == NULL || g->ids == NULL)
		rc = ff_err_nomem(err);
	for (i = 0; i < n && rc == FF_OK; i++) {
		rc = ff_src_open(&src, paths[i], NULL, err);
		if (rc == FF_OK)
			rc = buf_file(g, src, i, err);
		ff_src_close(src);
		src = NULL;
	}
	return rc;
}

static ff_rc
visit_buf(void *ctx, const uint32_t *ids, uint32_t depth,
    const uint64_t *values)
{
	return ff_flame_add_ids(ctx, ids, depth, values, NULL);
}

/* Lay out the collected stacks in sorted order; subtrees too narrow to
 * be drawn are not sorted (see ff_stackbuf_walk). */
static ff_rc
layout_buf(struct fg *g, ff_err *err)
{
	const ff_flame_layout *lo = &g->eff.layout;
	double total = (double)ff_stackbuf_totals(g->buf)[lo->wcol];
	double timemax = lo->total > total ? lo->total : total;
	ff_rc rc;

	if ((rc = ff_flame_new(&g->flame, lo, g->names, err)) != FF_OK)
		return rc;
	rc = ff_stackbuf_walk(g->buf, lo->wcol, ff_flame_min_count(lo,
	    timemax), visit_buf, g->flame);
	if (rc != FF_OK)
		return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
		    ff_err_set(err, rc, "counts overflow the total of 2^63-1");
	ff_flame_raise_max_delta(g->flame, ff_stackbuf_max_delta(g->buf));
	return ff_flame_finish(g->flame, err);
}

/* ---- from a table to a layout ------------------------------------------ */

static ff_rc
visit_layout(void *ctx, const ff_stacks *s, uint32_t node,
    const uint32_t *path, uint32_t depth)
{
	ff_flame *f = ctx;

	return ff_flame_add_ids(f, path, depth, ff_stacks_values(s, node),
	    NULL);
}

/* Lay out s, walked in sorted order, into a new *out. */
static ff_rc
layout_table(const ff_stacks *s, const ff_flame_layout *lo, ff_flame **out,
    ff_err *err)
{
	ff_rc rc;

	if ((rc = ff_flame_new(out, lo, ff_stacks_frames(s), err)) != FF_OK)
		return rc;
	rc = ff_stacks_walk_sorted(s, visit_layout, *out, err);
	if (rc == FF_ERR_NOMEM || rc == FF_ERR_LIMIT)
		rc = ff_err_set(err, rc, rc == FF_ERR_NOMEM ? "out of memory" :
		    "counts overflow the total of 2^63-1");
	if (rc == FF_OK)
		rc = ff_flame_finish(*out, err);
	return rc;
}

/* Write the finished layout, or the error picture for empty input. */
static ff_rc
render(const ff_flame *f, const ff_flamegraph_opts *eff, FILE *out,
    ff_flamegraph_stats *st, ff_err *err)
{
	ff_rc rc;

	if (st != NULL) {
		st->mode = eff->svg.mode;
		st->total = f != NULL ? ff_flame_total(f) : 0;
		st->timemax = f != NULL ? ff_flame_timemax(f) : 0;
		st->stacks = f != NULL ? ff_flame_stacks(f) : 0;
		if (f != NULL)
			ff_flame_frames(f, &st->frames);
	}
	if (f == NULL || ff_flame_total(f) == 0) {
		rc = ff_flamesvg_write_empty(&eff->svg,
		    eff->layout.image_width, out, err);
		return rc != FF_OK ? rc : ff_err_set(err, FF_ERR_PARSE,
		    "no stack counts found");
	}
	return ff_flamesvg_write(f, &eff->svg, out, err);
}

/* ---- entry points ------------------------------------------------------- */

static int
rereadable(const char *const *paths, size_t n)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return 0;
	return 1;
}

static void
fg_free(struct fg *g)
{
	ff_flame_free(g->flame);
	ff_stackbuf_free(g->buf);
	ff_intern_free(g->names);
	ff_free(g->ids);
	ff_diag_free(g->silent);
	ff_free(g->xbuf);
}

ff_rc
ff_flamegraph_files(const char *const *paths, size_t n,
    const ff_flamegraph_opts *o, ff_diag *diag, FILE *out,
    ff_flamegraph_stats *st, ff_err *err)
{
	struct fg g;
	ff_rc rc = FF_DONE;

	memset(&g, 0, sizeof g);
	if (st != NULL)
		memset(st, 0, sizeof *st);
	g.o = o;
	g.eff = *o;
	g.diag = diag;
	g.stop_file = SIZE_MAX;
	if (!o->detect)
		ff_flamegraph_columns(o->svg.mode, &g.ncols,
		    &g.eff.layout.wcol);
	if (o->flamechart || (!o->reverse && rereadable(paths, n))) {
		rc = stream_pass(&g, paths, n, err);
		if (rc == FF_DONE) {
			ff_flame_free(g.flame);
			g.flame = NULL;
		}
	}
	if (rc == FF_DONE) {
		rc = buf_pass(&g, paths, n, err);
		if (rc == FF_OK && g.buf != NULL)
			rc = layout_buf(&g, err);
	} else if (rc == FF_OK && g.flame != NULL) {
		rc = ff_flame_finish(g.flame, err);
		if (st != NULL)
			st->streamed = 1;
	}
	if (rc == FF_OK)
		rc = render(g.flame, &g.eff, out, st, err);
	fg_free(&g);
	return rc;
}

/* ff_stacks_walk_sorted visitor: add the reversed stack to ctx. */
static ff_rc
visit_reverse(void *ctx, const ff_stacks *s, uint32_t node,
    const uint32_t *path, uint32_t depth)
{
	ff_stacks *rev = ctx;
	const ff_intern *names = ff_stacks_frames(s);
	uint32_t tmp[FF_DEPTH_MAX], i;
	size_t len;

	/* Trailing empty frames go first, as with text (Perl's split). */
	while (depth > 0 && (ff_intern_str(names, path[depth - 1], &len),
	    len == 0))
		depth--;
	for (i = 0; i < depth; i++)
		tmp[i] = path[depth - 1 - i];
	return ff_stacks_add_path(rev, tmp, depth, ff_stacks_values(s, node));
}

ff_rc
ff_flamegraph_stacks(const ff_stacks *s, const ff_flamegraph_opts *o,
    FILE *out, ff_flamegraph_stats *st, ff_err *err)
{
	ff_flamegraph_opts eff = *o;
	ff_stacks *rev = NULL;
	ff_flame *f = NULL;
	ff_rc rc;

	if (st != NULL)
		memset(st, 0, sizeof *st);
	if (o->detect)
		eff.svg.mode = ff_stacks_nvalues(s) >= 2 ? FF_FLAME_DIFF :
		    FF_FLAME_PLAIN;
	ff_flamegraph_columns(eff.svg.mode, &eff.layout.ncols,
	    &eff.layout.wcol);
	if (ff_stacks_nvalues(s) < eff.layout.ncols)
		return ff_err_set(err, FF_ERR_USAGE, "the profile has %u count "
		    "column(s), this graph needs %u", ff_stacks_nvalues(s),
		    eff.layout.ncols);
	if (o->reverse) {
		rev = ff_stacks_new(ff_stacks_frames(s), ff_stacks_nvalues(s));
		if (rev == NULL)
			return ff_err_nomem(err);
		rc = ff_stacks_walk_sorted(s, visit_reverse, rev, err);
		if (rc != FF_OK) {
			ff_stacks_free(rev);
			return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    ff_err_set(err, rc, "cannot reverse the stacks");
		}
	}
	rc = layout_table(rev != NULL ? rev : s, &eff.layout, &f, err);
	if (rc == FF_OK)
		rc = render(f, &eff, out, st, err);
	ff_flame_free(f);
	ff_stacks_free(rev);
	return rc;
}
