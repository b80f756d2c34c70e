/*
 * fetch.c -- fill an ff_reps from a store's per-profile function rollups
 * (see fetch.h).
 */
#include "diff/fetch.h"
#include "profile/mem.h"
#include "store/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fetch {
	ff_store *st;
	ff_reps *reps;
	int group;
	const char *work_label;
	uint32_t *map;      /* store function id -> reps function id */
	uint32_t nmap;
	size_t count;
};

/* The reps id of store function id, interning its name on first use. */
static ff_rc
map_func(struct fetch *f, uint32_t id, uint32_t *out, ff_err *err)
{
	const char *name;
	size_t len;

	if (id >= f->nmap) {
		uint32_t n = id + 1 > f->nmap * 2 ? id + 1 : f->nmap * 2;
		uint32_t *m = ff_reallocarray(f->map, n, sizeof *m);

		if (m == NULL)
			return ff_err_nomem(err);
		memset(m + f->nmap, 0xff, (size_t)(n - f->nmap) * sizeof *m);
		f->map = m;
		f->nmap = n;
	}
	if (f->map[id] == UINT32_MAX) {
		name = ff_store_func_name(f->st, id, &len);
		if (name == NULL)
			return ff_err_set(err, FF_ERR_INTERNAL, "function %u has "
			    "no name in the store", (unsigned)id);
		if (ff_intern_put(ff_reps_funcs(f->reps), name, len,
		    &f->map[id]) != FF_OK)
			return ff_err_nomem(err);
	}
	*out = f->map[id];
	return FF_OK;
}

static double
work_of(const ff_meta *m, const char *label)
{
	const char *v = label != NULL ? ff_meta_label(m, label) : NULL;
	char *end;
	double d;

	if (v == NULL)
		return NAN;
	d = strtod(v, &end);
	return end != v && *end == '\0' && isfinite(d) ? d : NAN;
}

static ff_rc
fetch_visit(void *ctx, const ff_fprof *p, ff_err *err)
{
	struct fetch *f = ctx;
	const ff_meta *m = &p->info->meta;
	unsigned ne = p->nevents;
	uint32_t i, id = 0;
	ff_rc rc;

	ff_reps_note_event(f->reps, m->events[0]);
	rc = ff_reps_begin(f->reps, f->group, m->host, m->start,
	    (double)p->info->totals[0], ne > 1 ? (double)p->info->totals[1] : 0,
	    work_of(m, f->work_label), err);
	for (i = 0; rc == FF_OK && i < p->nfuncs; i++) {
		if ((rc = map_func(f, p->func[i], &id, err)) != FF_OK)
			break;
		rc = ff_reps_add_func(f->reps, id, (double)p->self[i * ne],
		    (double)p->incl[i * ne], ne > 1 ?
		    (double)p->self[i * ne + 1] : 0, err);
	}
	f->count += rc == FF_OK;
	return rc;
}

ff_rc
ff_fetch_reps(ff_store *st, const ff_sel *sel, int group,
    const char *work_label, ff_reps *reps, size_t *count, ff_err *err)
{
	struct fetch f = { st, reps, group, work_label, NULL, 0, 0 };
	ff_rc rc;

	rc = ff_query_funcs(st, sel, fetch_visit, &f, err);
	ff_free(f.map);
	if (count != NULL)
		*count = f.count;
	return rc;
}
