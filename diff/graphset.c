/*
 * graphset.c -- differential and CPI tables of two aggregates (see
 * graphset.h).
 */
#include "diff/graphset.h"
#include "diff/fdiff.h"
#include "profile/limits.h"
#include "profile/mem.h"

#include <string.h>

void
ff_graphset_free(ff_graphset *g)
{
	ff_stacks_free(g->diff);
	ff_stacks_free(g->negated);
	ff_stacks_free(g->cpi);
	ff_stacks_free(g->cpi_change);
	memset(g, 0, sizeof *g);
}

/* Map every node of b to the node of a with the same stack, or NONE.
 * Both tables must share one frame table. */
static uint32_t *
map_nodes(const ff_stacks *a, const ff_stacks *b)
{
	uint32_t n = ff_stacks_nodes(b), node, *map;

	if ((map = ff_reallocarray(NULL, n, sizeof *map)) == NULL)
		return NULL;
	map[0] = FF_STACKS_ROOT;
	for (node = 1; node < n; node++) {
		uint32_t up = map[ff_stacks_parent(b, node)];

		map[node] = up == FF_STACKS_NONE ? FF_STACKS_NONE :
		    ff_stacks_find(a, up, ff_stacks_frame(b, node));
	}
	return map;
}

/* The CPI-change table of new (b) against base (a); a and b share their
 * frame table. */
static ff_rc
cpi_change(const ff_stacks *a, const ff_stacks *b, ff_stacks **out,
    ff_err *err)
{
	ff_stacks *s = ff_stacks_new(ff_stacks_frames(b), 2);
	uint32_t *map = map_nodes(a, b), node, *path = NULL;
	ff_rc rc = FF_OK;

	path = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *path);
	if (s == NULL || map == NULL || path == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	for (node = 1; node < ff_stacks_nodes(b) && rc == FF_OK; node++) {
		const uint64_t *v = ff_stacks_values(b, node), *o;
		uint64_t row[2];
		uint32_t depth;

		if (v == NULL)
			continue;
		o = map[node] != FF_STACKS_NONE ?
		    ff_stacks_values(a, map[node]) : NULL;
		row[0] = v[0];
		row[1] = o != NULL && o[0] > 0 && o[1] > 0 ?
		    (uint64_t)((double)v[1] * ((double)o[0] / (double)o[1]) +
		    0.5) : v[0];
		depth = ff_stacks_path(b, node, path);
		if ((rc = ff_stacks_add_path(s, path, depth, row)) != FF_OK)
			rc = rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    ff_err_set(err, rc, "CPI-change profile exceeds a "
			    "limit");
	}
out:
	ff_free(map);
	ff_free(path);
	if (rc != FF_OK)
		ff_stacks_free(s);
	else
		*out = s;
	return rc;
}

/* A copy of t's columns over frames (so every table of the set shares
 * one frame table). */
static ff_rc
copy_into(ff_stacks **out, ff_intern *frames, const ff_stacks *t,
    ff_err *err)
{
	ff_stacks *s = ff_stacks_new(frames, ff_stacks_nvalues(t));
	ff_rc rc;

	*out = NULL;
	if (s == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_stacks_merge(s, t, err)) != FF_OK) {
		ff_stacks_free(s);
		return rc;
	}
	*out = s;
	return FF_OK;
}

ff_rc
ff_graphset_build(ff_graphset *g, ff_intern *frames, const ff_stacks *base,
    const ff_stacks *new_, ff_err *err)
{
	ff_fdiff_opts o = { 1, 0 };
	ff_stacks *a = NULL;
	ff_rc rc;

	memset(g, 0, sizeof *g);
	if ((rc = ff_fdiff_combine(&g->diff, frames, base, new_, &o, err)) ==
	    FF_OK)
		rc = ff_fdiff_combine(&g->negated, frames, new_, base, &o, err);
	if (rc == FF_OK && ff_stacks_nvalues(base) >= 2 &&
	    ff_stacks_nvalues(new_) >= 2) {
		if ((rc = copy_into(&a, frames, base, err)) == FF_OK &&
		    (rc = copy_into(&g->cpi, frames, new_, err)) == FF_OK)
			rc = cpi_change(a, g->cpi, &g->cpi_change, err);
		ff_stacks_free(a);
	}
	if (rc != FF_OK)
		ff_graphset_free(g);
	return rc;
}
