/*
 * stacks.c -- the stack trie (see stacks.h).
 *
 * Nodes live in parallel arrays indexed by node id.  A hash table keyed by
 * (parent, frame) finds a child in one probe on average; slots hold
 * (hash tag << 32 | node), and 0 means empty (node 0, the root, is never
 * in the table).  Counts live in a dense array, allocated only for nodes
 * where a stack ends.
 */
#include "profile/stacks.h"
#include "profile/hash.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/sort.h"

#include <assert.h>
#include <string.h>

struct ff_stacks {
	ff_intern *frames;  /* borrowed */
	unsigned nvalues;
	uint32_t nodes;     /* node count, root included */
	uint32_t cap;
	struct link *link;  /* by node: parent and frame, side by side so a
	                     * hash probe touches one cache line */
	uint32_t *depth;    /* by node: frames from the root */
	uint32_t *vidx;     /* by node: 1 + index into vals, or 0 */
	uint64_t *vals;     /* nvalues per stack */
	uint32_t nstacks;
	uint32_t vcap;      /* stacks that fit in vals */
	uint64_t *slots;
	uint32_t mask;
	uint64_t totals[FF_VALUES_MAX];
};

struct link {
	uint32_t parent;
	uint32_t frame;
};

enum { INITIAL_NODES = 1024 };

static ff_rc stacks_grow_nodes(ff_stacks *s);

ff_stacks *
ff_stacks_new(ff_intern *frames, unsigned nvalues)
{
	ff_stacks *s;

	if (nvalues == 0 || nvalues > FF_VALUES_MAX)
		return NULL;
	s = ff_calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->frames = frames;
	s->nvalues = nvalues;
	s->slots = ff_calloc(INITIAL_NODES * 2, sizeof *s->slots);
	s->mask = INITIAL_NODES * 2 - 1;
	if (s->slots == NULL || stacks_grow_nodes(s) != FF_OK) {
		ff_stacks_free(s);
		return NULL;
	}
	s->link[0].parent = FF_STACKS_NONE;
	s->link[0].frame = FF_STACKS_NONE;
	s->depth[0] = 0;
	s->vidx[0] = 0;
	s->nodes = 1;
	return s;
}

void
ff_stacks_free(ff_stacks *s)
{
	if (s == NULL)
		return;
	ff_free(s->link);
	ff_free(s->depth);
	ff_free(s->vidx);
	ff_free(s->vals);
	ff_free(s->slots);
	ff_free(s);
}

/* Grow one per-node array to cap entries. */
static ff_rc
grow_array(uint32_t **a, uint32_t cap)
{
	uint32_t *p = ff_reallocarray(*a, cap, sizeof *p);

	if (p == NULL)
		return FF_ERR_NOMEM;
	*a = p;
	return FF_OK;
}

static ff_rc
stacks_grow_nodes(ff_stacks *s)
{
	uint32_t cap = s->cap != 0 ? s->cap * 2 : INITIAL_NODES;

	struct link *link;

	if (s->cap >= FF_IDS_MAX)
		return FF_ERR_LIMIT;
	if ((link = ff_reallocarray(s->link, cap, sizeof *link)) == NULL)
		return FF_ERR_NOMEM;
	s->link = link;
	if (grow_array(&s->depth, cap) != FF_OK ||
	    grow_array(&s->vidx, cap) != FF_OK)
		return FF_ERR_NOMEM;
	s->cap = cap;
	return FF_OK;
}

static uint64_t
slot_make(uint64_t hash, uint32_t node)
{
	return (hash >> 32) << 32 | node;
}

static ff_rc
stacks_rehash(ff_stacks *s)
{
	uint32_t newmask = s->mask * 2 + 1;
	uint64_t *slots = ff_calloc((size_t)newmask + 1, sizeof *slots);
	uint32_t node, i;

	if (slots == NULL)
		return FF_ERR_NOMEM;
	for (node = 1; node < s->nodes; node++) {
		uint64_t h = ff_hash_pair(s->link[node].parent,
		    s->link[node].frame);

		for (i = (uint32_t)h & newmask; slots[i] != 0;
		    i = (i + 1) & newmask)
			;
		slots[i] = slot_make(h, node);
	}
	ff_free(s->slots);
	s->slots = slots;
	s->mask = newmask;
	return FF_OK;
}

/* The slot of (parent, frame), or the empty slot where it would go. */
static uint32_t
stacks_probe(const ff_stacks *s, uint32_t parent, uint32_t frame,
    uint64_t hash)
{
	uint64_t tag = hash >> 32;
	uint32_t i;

	for (i = (uint32_t)hash & s->mask; s->slots[i] != 0;
	    i = (i + 1) & s->mask) {
		uint32_t node = (uint32_t)s->slots[i];

		if (s->slots[i] >> 32 == tag && s->link[node].parent == parent &&
		    s->link[node].frame == frame)
			break;
	}
	return i;
}

uint32_t
ff_stacks_find(const ff_stacks *s, uint32_t parent, uint32_t frame)
{
	uint32_t i = stacks_probe(s, parent, frame, ff_hash_pair(parent, frame));

	return s->slots[i] != 0 ? (uint32_t)s->slots[i] : FF_STACKS_NONE;
}

ff_rc
ff_stacks_child(ff_stacks *s, uint32_t parent, uint32_t frame,
    uint32_t *node)
{
	uint64_t h = ff_hash_pair(parent, frame);
	uint32_t i = stacks_probe(s, parent, frame, h);
	uint32_t n;
	ff_rc rc;

	if (s->slots[i] != 0) {
		*node = (uint32_t)s->slots[i];
		return FF_OK;
	}
	assert(parent < s->nodes);
	if (s->depth[parent] >= FF_DEPTH_MAX)
		return FF_ERR_LIMIT;
	if (s->nodes == s->cap && (rc = stacks_grow_nodes(s)) != FF_OK)
		return rc;
	if ((uint64_t)s->nodes * 4 > (uint64_t)s->mask * 3) {
		if ((rc = stacks_rehash(s)) != FF_OK)
			return rc;
		i = stacks_probe(s, parent, frame, h);
	}
	n = s->nodes++;
	s->link[n].parent = parent;
	s->link[n].frame = frame;
	s->depth[n] = s->depth[parent] + 1;
	s->vidx[n] = 0;
	s->slots[i] = slot_make(h, n);
	*node = n;
	return FF_OK;
}

ff_rc
ff_stacks_intern_path(ff_stacks *s, const uint32_t *frames, size_t depth,
    uint32_t *node)
{
	uint32_t at = FF_STACKS_ROOT;
	size_t i;
	ff_rc rc;

	if (depth > FF_DEPTH_MAX)
		return FF_ERR_LIMIT;
	for (i = 0; i < depth; i++)
		if ((rc = ff_stacks_child(s, at, frames[i], &at)) != FF_OK)
			return rc;
	*node = at;
	return FF_OK;
}

/* Give node a zeroed row of counts. */
static ff_rc
stacks_attach_values(ff_stacks *s, uint32_t node)
{
	if (s->nstacks == s->vcap) {
		uint32_t vcap = s->vcap != 0 ? s->vcap * 2 : 256;
		uint64_t *v = ff_reallocarray(s->vals, (size_t)vcap * s->nvalues,
		    sizeof *v);

		if (v == NULL)
			return FF_ERR_NOMEM;
		s->vals = v;
		s->vcap = vcap;
	}
	memset(s->vals + (size_t)s->nstacks * s->nvalues, 0,
	    s->nvalues * sizeof *s->vals);
	s->vidx[node] = ++s->nstacks;
	return FF_OK;
}

ff_rc
ff_stacks_add(ff_stacks *s, uint32_t node, const uint64_t *values)
{
	uint64_t *row;
	unsigned i;
	ff_rc rc;

	assert(node < s->nodes);
	if (node == 0)
		return FF_ERR_PARSE;
	for (i = 0; i < s->nvalues; i++)
		if (values[i] > (uint64_t)FF_COUNT_MAX - s->totals[i])
			return FF_ERR_LIMIT;
	if (s->vidx[node] == 0 && (rc = stacks_attach_values(s, node)) != FF_OK)
		return rc;
	row = s->vals + (size_t)(s->vidx[node] - 1) * s->nvalues;
	for (i = 0; i < s->nvalues; i++) {
		row[i] += values[i];
		s->totals[i] += values[i];
	}
	return FF_OK;
}

ff_rc
ff_stacks_add_path(ff_stacks *s, const uint32_t *frames, size_t depth,
    const uint64_t *values)
{
	uint32_t node;
	ff_rc rc;

	if ((rc = ff_stacks_intern_path(s, frames, depth, &node)) != FF_OK)
		return rc;
	return ff_stacks_add(s, node, values);
}

uint32_t
ff_stacks_parent(const ff_stacks *s, uint32_t node)
{
	assert(node < s->nodes);
	return s->link[node].parent;
}

uint32_t
ff_stacks_frame(const ff_stacks *s, uint32_t node)
{
	assert(node < s->nodes);
	return s->link[node].frame;
}

uint32_t
ff_stacks_depth(const ff_stacks *s, uint32_t node)
{
	assert(node < s->nodes);
	return s->depth[node];
}

const uint64_t *
ff_stacks_values(const ff_stacks *s, uint32_t node)
{
	assert(node < s->nodes);
	if (s->vidx[node] == 0)
		return NULL;
	return s->vals + (size_t)(s->vidx[node] - 1) * s->nvalues;
}

uint32_t
ff_stacks_nodes(const ff_stacks *s)
{
	return s->nodes;
}

uint32_t
ff_stacks_count(const ff_stacks *s)
{
	return s->nstacks;
}

unsigned
ff_stacks_nvalues(const ff_stacks *s)
{
	return s->nvalues;
}

ff_intern *
ff_stacks_frames(const ff_stacks *s)
{
	return s->frames;
}

const uint64_t *
ff_stacks_totals(const ff_stacks *s)
{
	return s->totals;
}

size_t
ff_stacks_bytes(const ff_stacks *s)
{
	return sizeof *s + (size_t)s->cap * 4 * sizeof(uint32_t) +
	    (size_t)s->vcap * s->nvalues * sizeof(uint64_t) +
	    ((size_t)s->mask + 1) * sizeof(uint64_t);
}

uint32_t
ff_stacks_path(const ff_stacks *s, uint32_t node, uint32_t *path)
{
	uint32_t depth = s->depth[node], i = depth;

	while (node != FF_STACKS_ROOT) {
		path[--i] = s->link[node].frame;
		node = s->link[node].parent;
	}
	assert(i == 0);
	return depth;
}

/* ---------------------------------------------------------------------
 * Merging tables
 * ------------------------------------------------------------------- */

ff_rc
ff_stacks_merge(ff_stacks *dst, const ff_stacks *src, ff_err *err)
{
	if (dst->nvalues != src->nvalues)
		return ff_err_set(err, FF_ERR_USAGE,
		    "cannot merge stacks with %u and %u count columns",
		    src->nvalues, dst->nvalues);
	return ff_stacks_merge_cols(dst, src, 0, NULL, err);
}

/* dst's frame id for src's frame. */
static ff_rc
merge_frame(ff_stacks *dst, const ff_stacks *src, const uint32_t *frame_map,
    uint32_t frame, uint32_t *out)
{
	const char *name;
	size_t len;

	if (frame_map != NULL) {
		*out = frame_map[frame];
		return FF_OK;
	}
	if (dst->frames == src->frames) {
		*out = frame;
		return FF_OK;
	}
	name = ff_intern_str(src->frames, frame, &len);
	return ff_intern_put(dst->frames, name, len, out);
}

ff_rc
ff_stacks_merge_cols(ff_stacks *dst, const ff_stacks *src, unsigned col,
    const uint32_t *frame_map, ff_err *err)
{
	return ff_stacks_merge_range(dst, src, 0, src->nvalues, col, frame_map,
	    err);
}

ff_rc
ff_stacks_merge_range(ff_stacks *dst, const ff_stacks *src, unsigned first,
    unsigned n, unsigned col, const uint32_t *frame_map, ff_err *err)
{
	uint32_t *map = NULL; /* src node -> dst node */
	uint64_t row[FF_VALUES_MAX] = { 0 };
	uint32_t node;
	ff_rc rc = FF_OK;

	if (first + n > src->nvalues || col + n > dst->nvalues)
		return ff_err_set(err, FF_ERR_USAGE, "cannot merge %u count "
		    "columns from column %u of %u at column %u of %u", n,
		    first, src->nvalues, col, dst->nvalues);
	map = ff_reallocarray(NULL, src->nodes, sizeof *map);
	if (map == NULL)
		return ff_err_nomem(err);
	map[0] = FF_STACKS_ROOT;
	/* A parent always has a smaller id than its children. */
	for (node = 1; node < src->nodes && rc == FF_OK; node++) {
		uint32_t frame;

		rc = merge_frame(dst, src, frame_map, src->link[node].frame, &frame);
		if (rc == FF_OK)
			rc = ff_stacks_child(dst, map[src->link[node].parent], frame,
			    &map[node]);
		if (rc == FF_OK && src->vidx[node] != 0) {
			memcpy(row + col, ff_stacks_values(src, node) + first,
			    n * sizeof *row);
			rc = ff_stacks_add(dst, map[node], row);
		}
	}
	ff_free(map);
	if (rc == FF_ERR_LIMIT)
		return ff_err_set(err, rc, "merged profile exceeds a limit "
		    "(count overflow, depth or size)");
	if (rc != FF_OK)
		return ff_err_nomem(err);
	return FF_OK;
}

/* floor(v * num / den) without overflow. */
static uint64_t
muldiv(uint64_t v, uint64_t num, uint64_t den)
{
#ifdef __SIZEOF_INT128__
	return (uint64_t)((unsigned __int128)v * num / den);
#else
	return (uint64_t)((long double)v * num / den);
#endif
}

void
ff_stacks_scale(ff_stacks *s, unsigned col, uint64_t num, uint64_t den)
{
	uint32_t i;

	assert(col < s->nvalues && den != 0);
	s->totals[col] = 0;
	for (i = 0; i < s->nstacks; i++) {
		uint64_t *v = &s->vals[(size_t)i * s->nvalues + col];

		*v = muldiv(*v, num, den);
		s->totals[col] += *v;
	}
}

/* ---------------------------------------------------------------------
 * Sorted walk
 *
 * Sorting whole "a;b;c" strings would need memory the size of the output.
 * Instead, the trie is walked depth first with each node's children in
 * order.  One subtlety: the folded text of a child is "name" when a stack
 * ends there and "name;..." for its descendants, and ';' sorts after some
 * characters a longer sibling name may continue with ("f" < "f2" but
 * "f;x" > "f2").  So each child contributes two entries: E (the stack
 * ending at it) and D (its descendants), compared as name + "" and
 * name + ";".  Entries are encoded as node << 1 | kind.
 * ------------------------------------------------------------------- */

enum { KIND_END = 0, KIND_DESC = 1 };

struct walk {
	const ff_stacks *s;
	uint32_t *first;   /* by node: start of its entries in `ents` */
	uint32_t *ents;    /* 2 per node at most */
};

/* Compare two entries as the strings name + "" (E) and name + ";" (D). */
static int
walk_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const ff_stacks *s = ctx;
	size_t la, lb, ta, tb, n, i;
	const char *na = ff_intern_str(s->frames, s->link[a >> 1].frame, &la);
	const char *nb = ff_intern_str(s->frames, s->link[b >> 1].frame, &lb);
	int c;

	n = la < lb ? la : lb;
	c = memcmp(na, nb, n);
	if (c != 0)
		return c;
	ta = la + (a & 1);
	tb = lb + (b & 1);
	for (i = n; i < ta && i < tb; i++) {
		int ca = i < la ? (unsigned char)na[i] : ';';
		int cb = i < lb ? (unsigned char)nb[i] : ';';

		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return (ta > tb) - (ta < tb);
}

/* Build, for each node, the sorted entries of its children: first[node]
 * .. first[node + 1] index into ents. */
static ff_rc
walk_prepare(struct walk *w)
{
	const ff_stacks *s = w->s;
	uint32_t n = s->nodes, node, *fill;
	unsigned char *has_child;
	ff_rc rc = FF_OK;

	w->first = ff_calloc((size_t)n + 1, sizeof *w->first);
	w->ents = ff_reallocarray(NULL, (size_t)n * 2, sizeof *w->ents);
	fill = ff_reallocarray(NULL, n, sizeof *fill);
	has_child = ff_calloc(n, 1);
	if (w->first == NULL || w->ents == NULL || fill == NULL ||
	    has_child == NULL) {
		rc = FF_ERR_NOMEM;
		goto out;
	}
	for (node = 1; node < n; node++)
		has_child[s->link[node].parent] = 1;
	for (node = 1; node < n; node++)
		w->first[s->link[node].parent + 1] +=
		    (s->vidx[node] != 0) + has_child[node];
	for (node = 0; node < n; node++)
		w->first[node + 1] += w->first[node];
	memcpy(fill, w->first, (size_t)n * sizeof *fill);
	for (node = 1; node < n; node++) {
		uint32_t p = s->link[node].parent;

		if (s->vidx[node] != 0)
			w->ents[fill[p]++] = node << 1 | KIND_END;
		if (has_child[node])
			w->ents[fill[p]++] = node << 1 | KIND_DESC;
	}
	for (node = 0; node < n && rc == FF_OK; node++) {
		uint32_t lo = w->first[node], hi = w->first[node + 1];

		if (hi - lo > 1)
			rc = ff_sort_ids(w->ents + lo, hi - lo, walk_cmp,
			    (void *)s);
	}
out:
	ff_free(fill);
	ff_free(has_child);
	return rc;
}

ff_rc
ff_stacks_walk_sorted(const ff_stacks *s, ff_stacks_visit visit, void *ctx,
    ff_err *err)
{
	struct walk w = { s, NULL, NULL };
	uint32_t *pos = NULL;   /* per depth: next entry index */
	uint32_t *path = NULL;  /* per depth: frame id */
	uint32_t *owner = NULL; /* per depth: node whose entries we walk */
	uint32_t depth = 0;
	ff_rc rc;

	rc = walk_prepare(&w);
	if (rc == FF_OK) {
		pos = ff_calloc(FF_DEPTH_MAX + 2, sizeof *pos);
		path = ff_calloc(FF_DEPTH_MAX + 2, sizeof *path);
		owner = ff_calloc(FF_DEPTH_MAX + 2, sizeof *owner);
		if (pos == NULL || path == NULL || owner == NULL)
			rc = FF_ERR_NOMEM;
	}
	if (rc != FF_OK) {
		rc = ff_err_nomem(err);
		goto out;
	}
	owner[0] = FF_STACKS_ROOT;
	pos[0] = w.first[FF_STACKS_ROOT];
	if (s->vidx[FF_STACKS_ROOT] != 0 &&
	    (rc = visit(ctx, s, FF_STACKS_ROOT, path, 0)) != FF_OK)
		goto out;
	for (;;) {
		uint32_t e, node;

		if (pos[depth] == w.first[owner[depth] + 1]) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		e = w.ents[pos[depth]++];
		node = e >> 1;
		path[depth] = s->link[node].frame;
		if ((e & 1) == KIND_END) {
			rc = visit(ctx, s, node, path, depth + 1);
			if (rc != FF_OK)
				goto out;
		} else {
			depth++;
			owner[depth] = node;
			pos[depth] = w.first[node];
		}
	}
	rc = FF_OK;
out:
	ff_free(w.first);
	ff_free(w.ents);
	ff_free(pos);
	ff_free(path);
	ff_free(owner);
	return rc;
}

#ifndef NDEBUG
void
ff_stacks_check(const ff_stacks *s)
{
	uint32_t node, used = 0, i;
	uint64_t sums[FF_VALUES_MAX] = { 0 };

	assert(s->nodes >= 1 && s->nodes <= s->cap);
	for (i = 0; i <= s->mask; i++)
		used += s->slots[i] != 0;
	assert(used == s->nodes - 1);
	for (node = 1; node < s->nodes; node++) {
		assert(s->link[node].parent < node);
		assert(s->depth[node] == s->depth[s->link[node].parent] + 1);
		assert(s->link[node].frame < ff_intern_count(s->frames));
		assert(ff_stacks_find(s, s->link[node].parent, s->link[node].frame) ==
		    node);
		if (s->vidx[node] != 0) {
			const uint64_t *v = ff_stacks_values(s, node);

			for (i = 0; i < s->nvalues; i++)
				sums[i] += v[i];
		}
	}
	for (i = 0; i < s->nvalues; i++)
		assert(sums[i] == s->totals[i]);
}
#endif
