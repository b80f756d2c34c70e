/*
 * flame.c -- flame graph layout (see flame.h).
 *
 * The algorithm is flamegraph.pl's flow(): compare each stack with the
 * previous one, close the previous stack's frames below the shared prefix
 * (deepest first) and open the new stack's frames at the current time;
 * then advance the time by the stack's count.  A frame spans from the
 * time it was opened to the time it was closed.
 *
 * Open frames live in `open[1..depth]` (the root is implicit).  In text
 * mode the previous stack's text is kept in `txt` and open[d].key is the
 * end offset of frame d in it, so a frame's name is only looked at (and
 * interned) when the frame closes wide enough to be kept.  In id mode
 * open[d].key is the frame id.
 *
 * Pruning early is exact: a frame is dropped when its width is below the
 * minimum width computed from the total so far, and that threshold only
 * grows as the total does.
 *
 * One more flamegraph.pl behaviour is reproduced: it files closed frames
 * under the key "name;depth;end", so a zero-width frame (only zero counts
 * below it) that closes at the same depth and time as an earlier frame of
 * the same name replaces that frame -- which then disappears from the
 * picture.  Frames closed at the current time are the tail of `fr` from
 * `recent`, so the lookup is short and happens only for zero widths.
 */
#include "report/flame.h"

#include "profile/limits.h"
#include "profile/mem.h"

#include <assert.h>
#include <string.h>

struct open_frame {
	uint64_t sw;      /* start on the width axis */
	uint64_t so;      /* start on the other axis */
	int64_t sd;       /* self change so far */
	uint32_t key;     /* end offset in txt (text mode) or frame id */
};

struct ff_flame {
	ff_flame_layout lo;
	const ff_intern *ext;     /* id mode: borrowed names */
	ff_intern *own;           /* text mode: names of kept frames */
	int text_mode;

	char *txt;                /* previous text stack (as given) */
	size_t tlen, tcap;
	uint32_t depth;           /* open frames: open[1..depth] */
	struct open_frame *open;  /* FF_DEPTH_MAX + 1 entries */
	uint32_t *newend;         /* scratch: ends of a stack's new frames */

	uint64_t tw, to;          /* time on both axes */
	int64_t root_sd;
	uint64_t maxdelta;
	uint64_t nstacks;
	double thr;               /* lower bound of the final threshold */
	int sorted;

	ff_flame_frame *fr;
	size_t nfr, cap;
	size_t recent;            /* fr[recent..nfr) closed at time tw */

	int finished;
	double timemax;
	uint32_t maxdepth;
};

void
ff_flame_layout_init(ff_flame_layout *lo)
{
	memset(lo, 0, sizeof *lo);
	lo->ncols = 1;
	lo->wcol = 0;
	lo->image_width = 1200;
	lo->min_width = 0.1;
}

ff_rc
ff_flame_new(ff_flame **out, const ff_flame_layout *lo,
    const ff_intern *names, ff_err *err)
{
	ff_flame *f;

	*out = NULL;
	if (lo->ncols < 1 || lo->ncols > 2 || lo->wcol >= lo->ncols ||
	    !(lo->image_width > 2 * FF_FLAME_XPAD) || !(lo->min_width >= 0) ||
	    !(lo->total >= 0))
		return ff_err_set(err, FF_ERR_USAGE, "bad flame graph layout "
		    "(columns, width or minimum width)");
	if ((f = ff_calloc(1, sizeof *f)) == NULL)
		return ff_err_nomem(err);
	f->lo = *lo;
	f->ext = names;
	f->text_mode = names == NULL;
	f->sorted = 1;
	f->maxdelta = 1;
	f->open = ff_calloc(FF_DEPTH_MAX + 1, sizeof *f->open);
	f->newend = ff_calloc(FF_DEPTH_MAX + 1, sizeof *f->newend);
	if (f->text_mode)
		f->own = ff_intern_new();
	if (f->open == NULL || f->newend == NULL ||
	    (f->text_mode && f->own == NULL)) {
		ff_flame_free(f);
		return ff_err_nomem(err);
	}
	*out = f;
	return FF_OK;
}

void
ff_flame_free(ff_flame *f)
{
	if (f == NULL)
		return;
	ff_intern_free(f->own);
	ff_free(f->txt);
	ff_free(f->open);
	ff_free(f->newend);
	ff_free(f->fr);
	ff_free(f);
}

/* flamegraph.pl's minimum width in counts, for a 100% count of t. */
static double
flame_threshold(const ff_flame_layout *lo, double t)
{
	if (t <= 0)
		return 0;
	if (lo->min_width_pct)
		return t * lo->min_width / 100;
	return lo->min_width / ((lo->image_width - 2 * FF_FLAME_XPAD) / t);
}

/* Drop the frames that are already known to be too narrow. */
static void
flame_compact(ff_flame *f, double thr)
{
	size_t i, n = 0, recent = 0;

	for (i = 0; i < f->nfr; i++) {
		if (i == f->recent)
			recent = n;
		if (!((double)f->fr[i].w < thr))
			f->fr[n++] = f->fr[i];
	}
	f->recent = f->recent >= f->nfr ? n : recent;
	f->nfr = n;
}

static ff_rc
flame_push(ff_flame *f, const ff_flame_frame *fr)
{
	if (f->nfr == f->cap) {
		size_t cap;
		ff_flame_frame *p;

		flame_compact(f, f->thr);
		if (f->nfr < f->cap - f->cap / 4)
			goto add;
		cap = f->cap != 0 ? f->cap * 2 : 1024;
		p = ff_reallocarray(f->fr, cap, sizeof *p);
		if (p == NULL)
			return FF_ERR_NOMEM;
		f->fr = p;
		f->cap = cap;
	}
add:
	f->fr[f->nfr++] = *fr;
	return FF_OK;
}

/* A zero-width frame closing: if a kept frame of the same name closed at
 * the same depth and time, the new one takes its place (see the top of
 * the file).  1 when it did. */
static int
flame_replace(ff_flame *f, const ff_flame_frame *fr, uint32_t key)
{
	uint32_t name = key;
	size_t i;

	if (f->text_mode) {
		uint32_t d = fr->depth;
		uint32_t start = d > 1 ? f->open[d - 1].key + 1 : 0;

		if (!ff_intern_find(f->own, f->txt + start, key - start, &name))
			return 0;
	}
	for (i = f->nfr; i-- > f->recent;) {
		ff_flame_frame *old = &f->fr[i];

		if (old->depth == fr->depth && old->name == name) {
			old->x = fr->x;
			old->w = 0;
			old->o = fr->o;
			old->sd = fr->sd;
			return 1;
		}
	}
	return 0;
}

/* Close open frame d (the deepest open one). */
static ff_rc
flame_close(ff_flame *f, uint32_t d)
{
	struct open_frame *o = &f->open[d];
	ff_flame_frame fr;
	ff_rc rc;

	assert(d == f->depth && d > 0);
	fr.w = f->tw - o->sw;
	fr.sd = o->sd;
	fr.depth = d;
	fr.x = o->sw;
	fr.o = f->to - o->so;
	o->sd = 0;
	if (fr.w == 0 && f->recent < f->nfr && flame_replace(f, &fr, o->key))
		goto closed;
	if ((double)fr.w < f->thr)
		goto closed;
	if (!f->text_mode) {
		fr.name = o->key;
	} else {
		uint32_t start = d > 1 ? f->open[d - 1].key + 1 : 0;

		rc = ff_intern_put(f->own, f->txt + start, o->key - start,
		    &fr.name);
		if (rc != FF_OK)
			return rc;
	}
	if ((rc = flame_push(f, &fr)) != FF_OK)
		return rc;
closed:
	f->depth = d - 1;
	return FF_OK;
}

static ff_rc
flame_close_to(ff_flame *f, uint32_t k, ff_err *err)
{
	ff_rc rc;

	while (f->depth > k)
		if ((rc = flame_close(f, f->depth)) != FF_OK)
			return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    ff_err_set(err, rc, "too many distinct frames");
	return FF_OK;
}

static void
flame_open(ff_flame *f, uint32_t key)
{
	struct open_frame *o = &f->open[++f->depth];

	o->sw = f->tw;
	o->so = f->to;
	o->sd = 0;
	o->key = key;
}

/* FF_ERR_LIMIT when adding values would overflow a column's sum. */
static ff_rc
flame_check_values(const ff_flame *f, const uint64_t *v, ff_err *err)
{
	unsigned ocol = 1 - f->lo.wcol;

	if (v[f->lo.wcol] > (uint64_t)FF_COUNT_MAX - f->tw ||
	    (f->lo.ncols == 2 && v[ocol] > (uint64_t)FF_COUNT_MAX - f->to))
		return ff_err_set(err, FF_ERR_LIMIT, "counts overflow the "
		    "total of 2^63-1");
	return FF_OK;
}

/* Account a stack of `depth` frames (now open) with its counts. */
static void
flame_account(ff_flame *f, const uint64_t *v)
{
	if (f->lo.ncols == 2) {
		int64_t delta = (int64_t)v[1] - (int64_t)v[0];
		uint64_t mag = delta < 0 ? (uint64_t)-delta : (uint64_t)delta;

		if (mag > f->maxdelta)
			f->maxdelta = mag;
		if (f->depth > 0)
			f->open[f->depth].sd += delta;
		else
			f->root_sd += delta;
		f->to += v[1 - f->lo.wcol];
	}
	if (v[f->lo.wcol] > 0)
		f->recent = f->nfr;   /* later frames close at a new time */
	f->tw += v[f->lo.wcol];
	f->nstacks++;
	f->thr = flame_threshold(&f->lo, f->lo.total > (double)f->tw ?
	    f->lo.total : (double)f->tw);
}

/* ---- text stacks ------------------------------------------------------ */

static size_t
common_prefix(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb, i = 0;

	while (i + 8 <= n) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Whether prev <= cur as flamegraph.pl's `sort` orders the lines
 * "STACK COUNT": compare STACK + ' '.  m is their common prefix. */
static int
text_in_order(const char *prev, size_t lp, const char *cur, size_t lc,
    size_t m)
{
	int a, b;

	if (m == lp && m == lc)
		return 1;
	a = m < lp ? (unsigned char)prev[m] : ' ';
	b = m < lc ? (unsigned char)cur[m] : ' ';
	if (a != b)
		return a < b;
	return m == lp;
}

/* How many leading frames of stack[0..flen) are the open ones, given the
 * common prefix m with the previous text. */
static uint32_t
text_shared(const ff_flame *f, const char *stack, size_t flen, size_t m)
{
	uint32_t k = 0;

	while (k < f->depth) {
		uint32_t end = f->open[k + 1].key;

		if (end > m || end > flen || (end < flen && stack[end] != ';'))
			break;
		k++;
	}
	return k;
}

/* Split the new frames of stack[off..flen) into newend[]; their count in
 * *nnew.  FF_ERR_LIMIT when the stack would be too deep or a frame too
 * long (nothing changed yet). */
static ff_rc
text_split(ff_flame *f, const char *stack, size_t flen, size_t off,
    uint32_t k, uint32_t *nnew, ff_err *err)
{
	uint32_t n = 0;

	*nnew = 0;
	if (off > flen || flen == 0)
		return FF_OK;
	for (;;) {
		const char *semi = memchr(stack + off, ';', flen - off);
		size_t end = semi != NULL ? (size_t)(semi - stack) : flen;

		if (k + n == FF_DEPTH_MAX)
			return ff_err_set(err, FF_ERR_LIMIT,
			    "stack deeper than %u frames", FF_DEPTH_MAX);
		if (end - off > FF_FRAME_MAX)
			return ff_err_set(err, FF_ERR_LIMIT,
			    "frame name longer than %u bytes", FF_FRAME_MAX);
		f->newend[n++] = (uint32_t)end;
		if (semi == NULL)
			break;
		off = end + 1;
	}
	*nnew = n;
	return FF_OK;
}

/* Keep stack[m..len) after the shared m bytes of the previous text. */
static ff_rc
text_keep(ff_flame *f, const char *stack, size_t len, size_t m, ff_err *err)
{
	if (len > f->tcap) {
		size_t cap = f->tcap != 0 ? f->tcap : 256;
		char *t;

		while (cap < len)
			cap *= 2;
		if ((t = ff_realloc(f->txt, cap)) == NULL)
			return ff_err_nomem(err);
		f->txt = t;
		f->tcap = cap;
	}
	memcpy(f->txt + m, stack + m, len - m);
	f->tlen = len;
	return FF_OK;
}

ff_rc
ff_flame_add_text(ff_flame *f, const char *stack, size_t len,
    const uint64_t *values, ff_err *err)
{
	size_t flen = len, m, off;
	uint32_t k, nnew, i;
	ff_rc rc;

	assert(f->text_mode && !f->finished);
	if (len > UINT32_MAX - 1)
		return ff_err_set(err, FF_ERR_LIMIT, "stack too long");
	if ((rc = flame_check_values(f, values, err)) != FF_OK)
		return rc;
	while (flen > 0 && stack[flen - 1] == ';')
		flen--;
	m = common_prefix(f->txt, f->tlen, stack, len);
	k = text_shared(f, stack, flen, m);
	off = k > 0 ? (size_t)f->open[k].key + 1 : 0;
	if ((rc = text_split(f, stack, flen, off, k, &nnew, err)) != FF_OK)
		return rc;
	if (f->nstacks > 0 && f->sorted)
		f->sorted = text_in_order(f->txt, f->tlen, stack, len, m);
	/* Close while the old text is still there: names live in it. */
	if ((rc = flame_close_to(f, k, err)) != FF_OK)
		return rc;
	if ((rc = text_keep(f, stack, len, m, err)) != FF_OK)
		return rc;
	for (i = 0; i < nnew; i++)
		flame_open(f, f->newend[i]);
	flame_account(f, values);
	return FF_OK;
}

int
ff_flame_sorted(const ff_flame *f)
{
	return f->sorted;
}

/* ---- id paths --------------------------------------------------------- */

ff_rc
ff_flame_add_ids(ff_flame *f, const uint32_t *path, uint32_t depth,
    const uint64_t *values, ff_err *err)
{
	uint32_t k = 0;
	size_t len;
	ff_rc rc;

	assert(!f->text_mode && !f->finished);
	if ((rc = flame_check_values(f, values, err)) != FF_OK)
		return rc;
	while (depth > 0 && (ff_intern_str(f->ext, path[depth - 1], &len),
	    len == 0))
		depth--;
	if (depth > FF_DEPTH_MAX)
		return ff_err_set(err, FF_ERR_LIMIT, "stack deeper than %u "
		    "frames", FF_DEPTH_MAX);
	while (k < f->depth && k < depth && f->open[k + 1].key == path[k])
		k++;
	if ((rc = flame_close_to(f, k, err)) != FF_OK)
		return rc;
	while (f->depth < depth)
		flame_open(f, path[f->depth]);
	flame_account(f, values);
	return FF_OK;
}

/* ---- result ----------------------------------------------------------- */

ff_rc
ff_flame_finish(ff_flame *f, ff_err *err)
{
	ff_flame_frame root;
	size_t i;
	ff_rc rc;

	assert(!f->finished);
	if ((rc = flame_close_to(f, 0, err)) != FF_OK)
		return rc;
	f->finished = 1;
	f->timemax = f->lo.total > 0 && f->lo.total >= (double)f->tw ?
	    f->lo.total : (double)f->tw;
	if (f->nstacks == 0)
		return FF_OK;
	root.name = FF_FLAME_ROOT_NAME;
	root.depth = 0;
	root.x = 0;
	root.w = f->tw;
	root.o = f->to;
	root.sd = f->root_sd;
	if (flame_push(f, &root) != FF_OK)
		return ff_err_nomem(err);
	flame_compact(f, flame_threshold(&f->lo, f->timemax));
	for (i = 0; i < f->nfr; i++)
		if (f->fr[i].depth > f->maxdepth)
			f->maxdepth = f->fr[i].depth;
	return FF_OK;
}

const ff_flame_frame *
ff_flame_frames(const ff_flame *f, size_t *n)
{
	assert(f->finished);
	*n = f->nfr;
	return f->fr;
}

const ff_intern *
ff_flame_names(const ff_flame *f)
{
	return f->text_mode ? f->own : f->ext;
}

uint64_t
ff_flame_total(const ff_flame *f)
{
	return f->tw;
}

uint64_t
ff_flame_total_other(const ff_flame *f)
{
	return f->to;
}

double
ff_flame_timemax(const ff_flame *f)
{
	return f->timemax;
}

uint32_t
ff_flame_max_depth(const ff_flame *f)
{
	return f->maxdepth;
}

uint64_t
ff_flame_max_delta(const ff_flame *f)
{
	return f->maxdelta;
}

uint64_t
ff_flame_stacks(const ff_flame *f)
{
	return f->nstacks;
}

const ff_flame_layout *
ff_flame_get_layout(const ff_flame *f)
{
	return &f->lo;
}

double
ff_flame_min_count(const ff_flame_layout *lo, double timemax)
{
	return flame_threshold(lo, timemax);
}

void
ff_flame_raise_max_delta(ff_flame *f, uint64_t d)
{
	if (d > f->maxdelta)
		f->maxdelta = d;
}
