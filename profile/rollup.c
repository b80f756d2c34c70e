/*
 * rollup.c -- self and inclusive values per function (see rollup.h).
 *
 * Subtree sums are computed bottom-up (a child's id is always larger than
 * its parent's).  Then a depth-first walk keeps, per function, how many
 * times it is on the current path: a node adds its subtree sum to its
 * function's inclusive value only when the function is not already on the
 * path above it, so recursion counts once.
 */
#include "profile/rollup.h"
#include "profile/func.h"
#include "profile/limits.h"
#include "profile/mem.h"

#include <string.h>

struct ff_rollup {
	unsigned nvalues;
	uint32_t count;
	uint32_t *func;    /* by entry */
	uint64_t *self;    /* nvalues per entry */
	uint64_t *incl;    /* nvalues per entry */
};

struct work {
	const ff_stacks *s;
	unsigned nv;
	uint32_t nodes;
	uint32_t *fid;     /* by node: function id */
	uint64_t *sub;     /* by node: subtree sums, nv each */
	uint32_t *first;   /* children in CSR form */
	uint32_t *kids;
	uint32_t *onpath;  /* by function: occurrences on the current path */
	uint32_t *slot;    /* by function: entry index + 1, or 0 */
};

struct ff_funcmap {
	const ff_intern *frames;
	ff_intern *funcs;
	uint32_t *byframe;   /* UINT32_MAX = not yet normalised */
	uint32_t n;          /* entries in byframe */
	char *buf;
	size_t cap;
};

ff_funcmap *
ff_funcmap_new(const ff_intern *frames, ff_intern *funcs)
{
	ff_funcmap *m = ff_calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->frames = frames;
	m->funcs = funcs;
	return m;
}

void
ff_funcmap_free(ff_funcmap *m)
{
	if (m == NULL)
		return;
	ff_free(m->byframe);
	ff_free(m->buf);
	ff_free(m);
}

/* Grow the map to cover every frame of its table. */
static ff_rc
funcmap_grow(ff_funcmap *m)
{
	uint32_t n = ff_intern_count(m->frames);
	uint32_t *p;

	if (n <= m->n)
		return FF_OK;
	if ((p = ff_reallocarray(m->byframe, n, sizeof *p)) == NULL)
		return FF_ERR_NOMEM;
	memset(p + m->n, 0xff, (size_t)(n - m->n) * sizeof *p);
	m->byframe = p;
	m->n = n;
	return FF_OK;
}

/* The function id of frame f. */
static ff_rc
funcmap_get(ff_funcmap *m, uint32_t f, uint32_t *out)
{
	const char *name;
	size_t len, n;

	if (m->byframe[f] != UINT32_MAX) {
		*out = m->byframe[f];
		return FF_OK;
	}
	name = ff_intern_str(m->frames, f, &len);
	if (FF_FUNC_CAP(len) > m->cap) {
		char *b = ff_realloc(m->buf, FF_FUNC_CAP(len));

		if (b == NULL)
			return FF_ERR_NOMEM;
		m->buf = b;
		m->cap = FF_FUNC_CAP(len);
	}
	n = ff_func_normalize(name, len, m->buf, m->cap);
	if (ff_intern_put(m->funcs, m->buf, n, &m->byframe[f]) != FF_OK)
		return FF_ERR_NOMEM;
	*out = m->byframe[f];
	return FF_OK;
}

/* Map every node of the table to a function id. */
static ff_rc
map_functions(struct work *w, ff_funcmap *m)
{
	uint32_t node;
	ff_rc rc;

	if ((rc = funcmap_grow(m)) != FF_OK)
		return rc;
	for (node = 1; node < w->nodes; node++)
		if ((rc = funcmap_get(m, ff_stacks_frame(w->s, node),
		    &w->fid[node])) != FF_OK)
			return rc;
	return FF_OK;
}

static ff_rc
work_init(struct work *w, const ff_stacks *s, ff_funcmap *map)
{
	ff_intern *funcs = map->funcs;
	uint32_t node, *fill;
	unsigned i;
	ff_rc rc;

	memset(w, 0, sizeof *w);
	w->s = s;
	w->nv = ff_stacks_nvalues(s);
	w->nodes = ff_stacks_nodes(s);
	w->fid = ff_calloc(w->nodes, sizeof *w->fid);
	w->sub = ff_calloc((size_t)w->nodes * w->nv, sizeof *w->sub);
	w->first = ff_calloc((size_t)w->nodes + 1, sizeof *w->first);
	w->kids = ff_calloc(w->nodes, sizeof *w->kids);
	if (w->fid == NULL || w->sub == NULL || w->first == NULL ||
	    w->kids == NULL)
		return FF_ERR_NOMEM;
	if ((rc = map_functions(w, map)) != FF_OK)
		return rc;
	for (node = w->nodes; node-- > 1;) {
		const uint64_t *v = ff_stacks_values(s, node);
		uint64_t *mine = w->sub + (size_t)node * w->nv;
		uint64_t *up = w->sub + (size_t)ff_stacks_parent(s, node) * w->nv;

		for (i = 0; i < w->nv; i++) {
			mine[i] += v != NULL ? v[i] : 0;
			up[i] += mine[i];
		}
		w->first[ff_stacks_parent(s, node) + 1]++;
	}
	for (node = 0; node < w->nodes; node++)
		w->first[node + 1] += w->first[node];
	if ((fill = ff_reallocarray(NULL, w->nodes, sizeof *fill)) == NULL)
		return FF_ERR_NOMEM;
	memcpy(fill, w->first, (size_t)w->nodes * sizeof *fill);
	for (node = 1; node < w->nodes; node++)
		w->kids[fill[ff_stacks_parent(s, node)]++] = node;
	ff_free(fill);
	w->onpath = ff_calloc(ff_intern_count(funcs), sizeof *w->onpath);
	w->slot = ff_calloc(ff_intern_count(funcs), sizeof *w->slot);
	return w->onpath == NULL || w->slot == NULL ? FF_ERR_NOMEM : FF_OK;
}

static void
work_free(struct work *w)
{
	ff_free(w->fid);
	ff_free(w->sub);
	ff_free(w->first);
	ff_free(w->kids);
	ff_free(w->onpath);
	ff_free(w->slot);
}

/* The entry of function f, created on first use (entries are later
 * sorted by function id). */
static uint32_t
entry_of(struct work *w, ff_rollup *r, uint32_t f)
{
	if (w->slot[f] == 0) {
		r->func[r->count] = f;
		w->slot[f] = ++r->count;
	}
	return w->slot[f] - 1;
}

/* Depth-first walk adding self and inclusive values. */
static ff_rc
rollup_walk(struct work *w, ff_rollup *r)
{
	uint32_t *stack = ff_reallocarray(NULL, FF_DEPTH_MAX + 2, sizeof *stack);
	uint32_t *pos = ff_reallocarray(NULL, FF_DEPTH_MAX + 2, sizeof *pos);
	uint32_t depth = 0;
	unsigned i;

	if (stack == NULL || pos == NULL) {
		ff_free(stack);
		ff_free(pos);
		return FF_ERR_NOMEM;
	}
	stack[0] = FF_STACKS_ROOT;
	pos[0] = w->first[FF_STACKS_ROOT];
	for (;;) {
		uint32_t at = stack[depth], node, f, e;
		const uint64_t *v;

		if (pos[depth] == w->first[at + 1]) {
			if (depth == 0)
				break;
			w->onpath[w->fid[at]]--;
			depth--;
			continue;
		}
		node = w->kids[pos[depth]++];
		f = w->fid[node];
		e = entry_of(w, r, f);
		if (w->onpath[f]++ == 0)
			for (i = 0; i < w->nv; i++)
				r->incl[(size_t)e * w->nv + i] +=
				    w->sub[(size_t)node * w->nv + i];
		if ((v = ff_stacks_values(w->s, node)) != NULL)
			for (i = 0; i < w->nv; i++)
				r->self[(size_t)e * w->nv + i] += v[i];
		stack[++depth] = node;
		pos[depth] = w->first[node];
	}
	ff_free(stack);
	ff_free(pos);
	return FF_OK;
}

/* Sort entries by function id (counting sort through the slot map). */
static ff_rc
rollup_sort(struct work *w, ff_rollup *r, uint32_t nfuncs)
{
	size_t bytes = (size_t)r->count * w->nv * sizeof(uint64_t);
	uint64_t *self = ff_malloc(bytes ? bytes : 1);
	uint64_t *incl = ff_malloc(bytes ? bytes : 1);
	uint32_t f, k = 0;

	if (self == NULL || incl == NULL) {
		ff_free(self);
		ff_free(incl);
		return FF_ERR_NOMEM;
	}
	for (f = 0; f < nfuncs; f++) {
		uint32_t e;

		if (w->slot[f] == 0)
			continue;
		e = w->slot[f] - 1;
		memcpy(self + (size_t)k * w->nv, r->self + (size_t)e * w->nv,
		    w->nv * sizeof *self);
		memcpy(incl + (size_t)k * w->nv, r->incl + (size_t)e * w->nv,
		    w->nv * sizeof *incl);
		r->func[k++] = f;
	}
	ff_free(r->self);
	ff_free(r->incl);
	r->self = self;
	r->incl = incl;
	return FF_OK;
}

ff_rc
ff_rollup_new_mapped(ff_rollup **out, const ff_stacks *s, ff_funcmap *map,
    ff_err *err)
{
	ff_rollup *r = ff_calloc(1, sizeof *r);
	struct work w;
	uint32_t n = ff_stacks_nodes(s);
	ff_rc rc;

	*out = NULL;
	if (r == NULL)
		return ff_err_nomem(err);
	r->nvalues = ff_stacks_nvalues(s);
	rc = work_init(&w, s, map);
	if (rc == FF_OK) {
		r->func = ff_calloc(n, sizeof *r->func);
		r->self = ff_calloc((size_t)n * r->nvalues, sizeof *r->self);
		r->incl = ff_calloc((size_t)n * r->nvalues, sizeof *r->incl);
		if (r->func == NULL || r->self == NULL || r->incl == NULL)
			rc = FF_ERR_NOMEM;
	}
	if (rc == FF_OK)
		rc = rollup_walk(&w, r);
	if (rc == FF_OK)
		rc = rollup_sort(&w, r, ff_intern_count(map->funcs));
	work_free(&w);
	if (rc != FF_OK) {
		ff_rollup_free(r);
		return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
		    ff_err_set(err, rc, "too many distinct functions");
	}
	*out = r;
	return FF_OK;
}

ff_rc
ff_rollup_new(ff_rollup **out, const ff_stacks *s, ff_intern *funcs,
    ff_err *err)
{
	ff_funcmap *map = ff_funcmap_new(ff_stacks_frames(s), funcs);
	ff_rc rc;

	*out = NULL;
	if (map == NULL)
		return ff_err_nomem(err);
	rc = ff_rollup_new_mapped(out, s, map, err);
	ff_funcmap_free(map);
	return rc;
}

void
ff_rollup_free(ff_rollup *r)
{
	if (r == NULL)
		return;
	ff_free(r->func);
	ff_free(r->self);
	ff_free(r->incl);
	ff_free(r);
}

uint32_t
ff_rollup_count(const ff_rollup *r)
{
	return r->count;
}

unsigned
ff_rollup_nvalues(const ff_rollup *r)
{
	return r->nvalues;
}

uint32_t
ff_rollup_func(const ff_rollup *r, uint32_t i)
{
	return r->func[i];
}

const uint64_t *
ff_rollup_self(const ff_rollup *r, uint32_t i)
{
	return r->self + (size_t)i * r->nvalues;
}

const uint64_t *
ff_rollup_incl(const ff_rollup *r, uint32_t i)
{
	return r->incl + (size_t)i * r->nvalues;
}
