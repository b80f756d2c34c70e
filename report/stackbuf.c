/*
 * stackbuf.c -- collecting and sorting stacks (see stackbuf.h).
 */
#include "report/stackbuf.h"

#include "profile/hash.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/sort.h"

#include <string.h>

struct ff_stackbuf {
	const ff_intern *names;
	unsigned ncols;
	uint32_t *ids;            /* every stack's frames, packed */
	size_t nids, idcap;
	size_t *off;              /* by stack: its first frame in ids */
	uint32_t *depth;          /* by stack */
	uint64_t *vals;           /* by stack: ncols counts */
	size_t n, cap;
	uint64_t totals[FF_VALUES_MAX];
	uint64_t maxdelta;        /* largest |v[1] - v[0]| of one stack */
	uint32_t *slots;          /* hash table: 1 + stack, or 0 (empty) */
	uint32_t *tags;           /* by slot: high bits of the hash */
	size_t mask;
};

ff_stackbuf *
ff_stackbuf_new(const ff_intern *names, unsigned ncols)
{
	ff_stackbuf *b;

	if (ncols == 0 || ncols > FF_VALUES_MAX)
		return NULL;
	if ((b = ff_calloc(1, sizeof *b)) == NULL)
		return NULL;
	b->names = names;
	b->ncols = ncols;
	b->maxdelta = 1;
	return b;
}

void
ff_stackbuf_free(ff_stackbuf *b)
{
	if (b == NULL)
		return;
	ff_free(b->ids);
	ff_free(b->off);
	ff_free(b->depth);
	ff_free(b->vals);
	ff_free(b->slots);
	ff_free(b->tags);
	ff_free(b);
}

size_t
ff_stackbuf_count(const ff_stackbuf *b)
{
	return b->n;
}

void
ff_stackbuf_get(const ff_stackbuf *b, size_t i, const uint32_t **ids,
    uint32_t *depth, const uint64_t **values)
{
	*ids = b->ids + b->off[i];
	*depth = b->depth[i];
	*values = b->vals + i * b->ncols;
}

int
ff_stackbuf_cmp(const ff_intern *names, const uint32_t *a, uint32_t da,
    const uint32_t *b, uint32_t db)
{
	uint32_t i = 0, n = da < db ? da : db;
	const char *na, *nb;
	size_t la, lb;
	int c, ca, cb;

	while (i < n && a[i] == b[i])
		i++;
	if (i == n)
		return (da > db) - (da < db);   /* a prefix sorts first */
	na = ff_intern_str(names, a[i], &la);
	nb = ff_intern_str(names, b[i], &lb);
	c = memcmp(na, nb, la < lb ? la : lb);
	if (c != 0)
		return c;
	/* One name is a prefix of the other: what follows it is ' ' (the
	 * count) when its stack ends there, ';' otherwise. */
	if (la < lb) {
		ca = i + 1 == da ? ' ' : ';';
		cb = (unsigned char)nb[la];
		return ca <= cb ? -1 : 1;
	}
	ca = (unsigned char)na[lb];
	cb = i + 1 == db ? ' ' : ';';
	return ca < cb ? -1 : 1;
}

/* Sorting compares frames by rank: the position of their name in byte
 * order.  That is the order of the names, except when one name is a
 * prefix of the other ("f" and "f2"), where what follows the shorter one
 * (';' or the count) decides; ext[r] is the last rank whose name starts
 * with the name of rank r, so that case is found without looking at the
 * names. */
struct ranks {
	const ff_stackbuf *b;
	uint32_t *rank;     /* by frame id */
	uint32_t *ext;      /* by rank */
	uint32_t *byrank;   /* rank -> frame id */
};

static int
name_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_intern *t = ctx;
	size_t la, lb;
	const char *sa = ff_intern_str(t, a, &la);
	const char *sb = ff_intern_str(t, b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

static int
is_prefix(const ff_intern *t, uint32_t a, uint32_t b)
{
	size_t la, lb;
	const char *sa = ff_intern_str(t, a, &la);
	const char *sb = ff_intern_str(t, b, &lb);

	return la <= lb && memcmp(sa, sb, la) == 0;
}

static void
ranks_free(struct ranks *r)
{
	ff_free(r->rank);
	ff_free(r->ext);
	ff_free(r->byrank);
}

static ff_rc
ranks_make(struct ranks *r, const ff_stackbuf *b)
{
	uint32_t n = ff_intern_count(b->names), i, *stack = NULL, top = 0;
	ff_rc rc = FF_ERR_NOMEM;

	r->b = b;
	r->rank = ff_reallocarray(NULL, n + 1, sizeof *r->rank);
	r->ext = ff_reallocarray(NULL, n + 1, sizeof *r->ext);
	r->byrank = ff_reallocarray(NULL, n + 1, sizeof *r->byrank);
	stack = ff_reallocarray(NULL, n + 1, sizeof *stack);
	if (r->rank == NULL || r->ext == NULL || r->byrank == NULL ||
	    stack == NULL)
		goto out;
	for (i = 0; i < n; i++)
		r->byrank[i] = i;
	if (ff_sort_ids(r->byrank, n, name_cmp, (void *)b->names) != FF_OK)
		goto out;
	for (i = 0; i < n; i++) {
		r->rank[r->byrank[i]] = i;
		while (top > 0 && !is_prefix(b->names,
		    r->byrank[stack[top - 1]], r->byrank[i]))
			r->ext[stack[--top]] = i - 1;
		stack[top++] = i;
	}
	while (top > 0)
		r->ext[stack[--top]] = n - 1;
	rc = FF_OK;
out:
	ff_free(stack);
	return rc;
}

static int
stack_cmp(void *ctx, uint32_t x, uint32_t y)
{
	const struct ranks *r = ctx;
	const ff_stackbuf *b = r->b;
	const uint32_t *a = b->ids + b->off[x], *c = b->ids + b->off[y];
	uint32_t da = b->depth[x], dc = b->depth[y], i = 0;
	uint32_t n = da < dc ? da : dc, ra, rc;

	while (i < n && a[i] == c[i])
		i++;
	if (i == n)
		return (da > dc) - (da < dc);
	ra = r->rank[a[i]];
	rc = r->rank[c[i]];
	/* A name that is a prefix of the other: the exact comparison. */
	if ((ra < rc && rc <= r->ext[ra]) || (rc < ra && ra <= r->ext[rc]))
		return ff_stackbuf_cmp(b->names, a + i, da - i, c + i, dc - i);
	return ra < rc ? -1 : 1;
}

static ff_rc
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap != 0 ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return FF_OK;
	while (c < need)
		c *= 2;
	if ((q = ff_reallocarray(*p, c, size)) == NULL)
		return FF_ERR_NOMEM;
	*p = q;
	*cap = c;
	return FF_OK;
}

/* Make room for one more stack of depth frames. */
static ff_rc
stackbuf_reserve(ff_stackbuf *b, uint32_t depth)
{
	size_t cap = b->cap, cap2 = b->cap, cap3 = b->cap;

	if (grow((void **)&b->ids, &b->idcap, b->nids + depth,
	    sizeof *b->ids) != FF_OK)
		return FF_ERR_NOMEM;
	if (b->n < b->cap)
		return FF_OK;
	if (b->n >= FF_IDS_MAX)
		return FF_ERR_LIMIT;
	if (grow((void **)&b->off, &cap, b->n + 1, sizeof *b->off) != FF_OK ||
	    grow((void **)&b->depth, &cap2, b->n + 1, sizeof *b->depth) !=
	    FF_OK ||
	    grow((void **)&b->vals, &cap3, b->n + 1,
	    b->ncols * sizeof *b->vals) != FF_OK)
		return FF_ERR_NOMEM;
	b->cap = cap;
	return FF_OK;
}

/* The slot of stack ids[0..depth) with hash h: where it is, or the
 * empty slot where it would go. */
static size_t
stackbuf_probe(const ff_stackbuf *b, const uint32_t *ids, uint32_t depth,
    uint64_t h)
{
	uint32_t tag = (uint32_t)(h >> 32);
	size_t i;

	for (i = (size_t)h & b->mask; b->slots[i] != 0; i = (i + 1) & b->mask) {
		uint32_t s = b->slots[i] - 1;

		if (b->tags[i] == tag && b->depth[s] == depth &&
		    memcmp(b->ids + b->off[s], ids, depth * sizeof *ids) == 0)
			break;
	}
	return i;
}

/* Double the hash table (or make the first one). */
static ff_rc
stackbuf_rehash(ff_stackbuf *b)
{
	size_t size = b->slots != NULL ? (b->mask + 1) * 2 : 1024, i, j;
	uint32_t *slots = ff_calloc(size, sizeof *slots);
	uint32_t *tags = ff_reallocarray(NULL, size, sizeof *tags);

	if (slots == NULL || tags == NULL) {
		ff_free(slots);
		ff_free(tags);
		return FF_ERR_NOMEM;
	}
	for (i = 0; i < b->n; i++) {
		uint64_t h = ff_hash64(b->ids + b->off[i],
		    b->depth[i] * sizeof *b->ids);

		for (j = (size_t)h & (size - 1); slots[j] != 0;
		    j = (j + 1) & (size - 1))
			;
		slots[j] = (uint32_t)i + 1;
		tags[j] = (uint32_t)(h >> 32);
	}
	ff_free(b->slots);
	ff_free(b->tags);
	b->slots = slots;
	b->tags = tags;
	b->mask = size - 1;
	return FF_OK;
}

static void
note_delta(ff_stackbuf *b, const uint64_t *values)
{
	uint64_t d;

	if (b->ncols < 2)
		return;
	d = values[1] > values[0] ? values[1] - values[0] :
	    values[0] - values[1];
	if (d > b->maxdelta)
		b->maxdelta = d;
}

ff_rc
ff_stackbuf_add(ff_stackbuf *b, const uint32_t *ids, uint32_t depth,
    const uint64_t *values)
{
	uint64_t h = ff_hash64(ids, depth * sizeof *ids), *row;
	unsigned i;
	size_t slot;
	ff_rc rc;

	for (i = 0; i < b->ncols; i++)
		if (values[i] > (uint64_t)FF_COUNT_MAX - b->totals[i])
			return FF_ERR_LIMIT;
	if ((b->slots == NULL || (b->n + 1) * 2 > b->mask) &&
	    (rc = stackbuf_rehash(b)) != FF_OK)
		return rc;
	slot = stackbuf_probe(b, ids, depth, h);
	if (b->slots[slot] == 0) {
		/* A new stack. */
		if ((rc = stackbuf_reserve(b, depth)) != FF_OK)
			return rc;
		memcpy(b->ids + b->nids, ids, depth * sizeof *ids);
		b->off[b->n] = b->nids;
		b->depth[b->n] = depth;
		memset(b->vals + b->n * b->ncols, 0,
		    b->ncols * sizeof *b->vals);
		b->slots[slot] = (uint32_t)b->n + 1;
		b->tags[slot] = (uint32_t)(h >> 32);
		b->nids += depth;
		b->n++;
	}
	row = b->vals + (size_t)(b->slots[slot] - 1) * b->ncols;
	for (i = 0; i < b->ncols; i++) {
		row[i] += values[i];
		b->totals[i] += values[i];
	}
	note_delta(b, values);
	return FF_OK;
}

/* Copy the stacks in the order of idx, merging equal neighbours, into
 * new arrays that replace the old ones. */
static ff_rc
stackbuf_rebuild(ff_stackbuf *b, const uint32_t *idx)
{
	uint32_t *ids = ff_reallocarray(NULL, b->nids ? b->nids : 1,
	    sizeof *ids);
	size_t *off = ff_reallocarray(NULL, b->n, sizeof *off);
	uint32_t *depth = ff_reallocarray(NULL, b->n, sizeof *depth);
	uint64_t *vals = ff_reallocarray(NULL, b->n, b->ncols * sizeof *vals);
	size_t i, n = 0, nids = 0;
	unsigned k;

	if (ids == NULL || off == NULL || depth == NULL || vals == NULL) {
		ff_free(ids);
		ff_free(off);
		ff_free(depth);
		ff_free(vals);
		return FF_ERR_NOMEM;
	}
	for (i = 0; i < b->n; i++) {
		uint32_t s = idx[i], d = b->depth[s];
		const uint64_t *v = b->vals + (size_t)s * b->ncols;

		if (n > 0 && depth[n - 1] == d && memcmp(ids + off[n - 1],
		    b->ids + b->off[s], d * sizeof *ids) == 0) {
			for (k = 0; k < b->ncols; k++)
				vals[(n - 1) * b->ncols + k] += v[k];
			continue;
		}
		memcpy(ids + nids, b->ids + b->off[s], d * sizeof *ids);
		off[n] = nids;
		depth[n] = d;
		memcpy(vals + n * b->ncols, v, b->ncols * sizeof *v);
		nids += d;
		n++;
	}
	ff_free(b->ids);
	ff_free(b->off);
	ff_free(b->depth);
	ff_free(b->vals);
	b->ids = ids;
	b->idcap = b->nids ? b->nids : 1;
	b->off = off;
	b->depth = depth;
	b->vals = vals;
	b->cap = b->n;
	b->nids = nids;
	b->n = n;
	return FF_OK;
}

ff_rc
ff_stackbuf_sort(ff_stackbuf *b)
{
	struct ranks r = { b, NULL, NULL, NULL };
	uint32_t *idx;
	size_t i;
	ff_rc rc;

	if (b->n == 0)
		return FF_OK;
	if ((idx = ff_reallocarray(NULL, b->n, sizeof *idx)) == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; i < b->n; i++)
		idx[i] = (uint32_t)i;
	rc = ranks_make(&r, b);
	if (rc == FF_OK)
		rc = ff_sort_ids(idx, b->n, stack_cmp, &r);
	if (rc == FF_OK)
		rc = stackbuf_rebuild(b, idx);
	if (rc == FF_OK) {
		/* Stack numbers changed: forget the table, rebuild lazily. */
		ff_free(b->slots);
		ff_free(b->tags);
		b->slots = b->tags = NULL;
		b->mask = 0;
	}
	ranks_free(&r);
	ff_free(idx);
	return rc;
}

uint64_t
ff_stackbuf_max_delta(const ff_stackbuf *b)
{
	return b->maxdelta;
}

const uint64_t *
ff_stackbuf_totals(const ff_stackbuf *b)
{
	return b->totals;
}

/* ---- walking in order, skipping what will not be drawn ---------------- */

/* Names with what follows them in a line: ' ' when the stack ends with
 * the frame (E), ';' when it goes on (D).  Entries are id << 1 | D. */
static int
entry_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_intern *t = ctx;
	size_t la, lb;
	const char *na = ff_intern_str(t, a >> 1, &la);
	const char *nb = ff_intern_str(t, b >> 1, &lb);
	int sa = a & 1 ? ';' : ' ', sb = b & 1 ? ';' : ' ';
	int c = memcmp(na, nb, la < lb ? la : lb);

	if (c != 0)
		return c;
	if (la == lb)
		return sa - sb;
	if (la < lb)
		return sa <= (unsigned char)nb[la] ? -1 : 1;
	return (unsigned char)na[lb] < sb ? -1 : 1;
}

struct walk {
	const ff_stackbuf *b;
	unsigned wcol;
	double min;
	ff_stackbuf_visit visit;
	void *ctx;
	uint32_t *rank;     /* by entry */
	uint32_t *idx;      /* the stacks, put in order range by range */
	uint32_t *key;      /* by stack: its entry's rank at this level */
	uint64_t *pairs;    /* scratch: key << 32 | stack, twice */
	uint64_t sum[FF_VALUES_MAX];
};

/* Sort idx[lo..hi) by key: insertion sort when short, else a radix
 * sort of (key - smallest key) a byte at a time. */
static void
sort_range(struct walk *w, uint32_t lo, uint32_t hi)
{
	size_t m = hi - lo, i, j, cnt[256];
	uint64_t *p = w->pairs, *t = w->pairs + w->b->n, *swap;
	uint32_t min = UINT32_MAX, max = 0, shift;

	for (i = 0; i < m; i++) {
		uint32_t s = w->idx[lo + i], k = w->key[s];

		p[i] = (uint64_t)k << 32 | s;
		min = k < min ? k : min;
		max = k > max ? k : max;
	}
	if (m < 32) {
		for (i = 1; i < m; i++) {
			uint64_t v = p[i];

			for (j = i; j > 0 && p[j - 1] > v; j--)
				p[j] = p[j - 1];
			p[j] = v;
		}
	} else {
		for (shift = 0; shift < 32 && ((max - min) >> shift) != 0;
		    shift += 8) {
			size_t sum = 0;

			memset(cnt, 0, sizeof cnt);
			for (i = 0; i < m; i++)
				cnt[((p[i] >> 32) - min) >> shift & 255]++;
			for (i = 0; i < 256; i++) {
				size_t c = cnt[i];

				cnt[i] = sum;
				sum += c;
			}
			for (i = 0; i < m; i++)
				t[cnt[((p[i] >> 32) - min) >> shift & 255]++] =
				    p[i];
			swap = p, p = t, t = swap;
		}
	}
	for (i = 0; i < m; i++)
		w->idx[lo + i] = (uint32_t)p[i];
}

static ff_rc
walk_ranks(struct walk *w)
{
	uint32_t n = ff_intern_count(w->b->names), i, *order;
	ff_rc rc;

	w->rank = ff_reallocarray(NULL, (size_t)n * 2 + 1, sizeof *w->rank);
	order = ff_reallocarray(NULL, (size_t)n * 2 + 1, sizeof *order);
	if (w->rank == NULL || order == NULL) {
		ff_free(order);
		return FF_ERR_NOMEM;
	}
	for (i = 0; i < 2 * n; i++)
		order[i] = i;
	rc = ff_sort_ids(order, (size_t)n * 2, entry_cmp, (void *)w->b->names);
	for (i = 0; rc == FF_OK && i < 2 * n; i++)
		w->rank[order[i]] = i;
	ff_free(order);
	return rc;
}

/* Sum the counts of idx[a..b) into w->sum; whether column wcol has a
 * zero. */
static int
walk_sum(struct walk *w, uint32_t a, uint32_t b)
{
	const ff_stackbuf *sb = w->b;
	unsigned k;
	int zero = 0;

	memset(w->sum, 0, sizeof w->sum);
	for (; a < b; a++) {
		const uint64_t *v = sb->vals + (size_t)w->idx[a] * sb->ncols;

		for (k = 0; k < sb->ncols; k++)
			w->sum[k] += v[k];
		zero |= v[w->wcol] == 0;
	}
	return zero;
}

static ff_rc walk_range(struct walk *w, uint32_t lo, uint32_t hi,
    uint32_t d);

/* A group: the stacks idx[a..b) share frames 0..d (and whether they end
 * at d). */
static ff_rc
walk_group(struct walk *w, uint32_t a, uint32_t b, uint32_t d)
{
	const ff_stackbuf *sb = w->b;
	uint32_t s = w->idx[a];
	const uint32_t *ids = sb->ids + sb->off[s];
	int zero;

	if (b - a == 1)
		return w->visit(w->ctx, ids, sb->depth[s],
		    sb->vals + (size_t)s * sb->ncols);
	zero = walk_sum(w, a, b);
	if (sb->depth[s] == d + 1)     /* all end here: the same stack */
		return w->visit(w->ctx, ids, d + 1, w->sum);
	if ((double)w->sum[w->wcol] < w->min && !zero)
		return w->visit(w->ctx, ids, d + 2, w->sum);
	return walk_range(w, a, b, d + 1);
}

/* idx[lo..hi) share frames 0..d-1 and all go on past them. */
static ff_rc
walk_range(struct walk *w, uint32_t lo, uint32_t hi, uint32_t d)
{
	const ff_stackbuf *sb = w->b;
	uint32_t i, a, b;
	ff_rc rc;

	for (i = lo; i < hi; i++) {
		uint32_t s = w->idx[i];

		w->key[s] = w->rank[sb->ids[sb->off[s] + d] << 1 |
		    (sb->depth[s] > d + 1)];
	}
	sort_range(w, lo, hi);
	for (a = lo; a < hi; a = b) {
		uint32_t k = w->key[w->idx[a]];

		for (b = a + 1; b < hi && w->key[w->idx[b]] == k; b++)
			;
		if ((rc = walk_group(w, a, b, d)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

ff_rc
ff_stackbuf_walk(const ff_stackbuf *b, unsigned wcol, double min_count,
    ff_stackbuf_visit visit, void *ctx)
{
	struct walk w;
	uint32_t i, nroot = 0, n = 0;
	ff_rc rc = FF_ERR_NOMEM;

	memset(&w, 0, sizeof w);
	w.b = b;
	w.wcol = wcol;
	w.min = min_count;
	w.visit = visit;
	w.ctx = ctx;
	if (b->n == 0)
		return FF_OK;
	w.idx = ff_reallocarray(NULL, b->n, sizeof *w.idx);
	w.key = ff_reallocarray(NULL, b->n, sizeof *w.key);
	w.pairs = ff_reallocarray(NULL, b->n, 2 * sizeof *w.pairs);
	if (w.idx == NULL || w.key == NULL || w.pairs == NULL ||
	    walk_ranks(&w) != FF_OK)
		goto out;
	/* Stacks with no frame (only the root) come first. */
	for (i = 0; i < b->n; i++)
		if (b->depth[i] == 0)
			w.idx[nroot++] = i;
	rc = FF_OK;
	if (nroot > 0) {
		walk_sum(&w, 0, nroot);
		rc = visit(ctx, b->ids, 0, w.sum);
	}
	for (i = 0; i < b->n; i++)
		if (b->depth[i] > 0)
			w.idx[n++] = i;
	if (rc == FF_OK && n > 0)
		rc = walk_range(&w, 0, n, 0);
out:
	ff_free(w.idx);
	ff_free(w.key);
	ff_free(w.pairs);
	ff_free(w.rank);
	return rc;
}
