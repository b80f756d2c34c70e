/*
 * reps.c -- replicate rows for the statistics (see reps.h).
 */
#include "diff/reps.h"
#include "profile/ffp.h"
#include "profile/mem.h"

#include <errno.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ff_reps {
	ff_intern *funcs;
	ff_intern *hosts;
	ff_intern *frames;  /* shared by the profiles read from files */
	ff_funcmap *fmap;   /* frames -> funcs */
	ff_rep *rows;
	size_t nrows, rowcap;
	ff_rep_entry *ents;
	size_t nents, entcap;
	int second;        /* every profile so far has a second event */
	char event[FF_META_EVENT_MAX + 1];
	int keep;           /* sum the stacks of file profiles */
	ff_stacks *agg[2];
};

static ff_rc keep_stacks(ff_reps *r, int group, const ff_stacks *s,
    const char *path, ff_err *err);

ff_reps *
ff_reps_new(void)
{
	ff_reps *r = ff_calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->funcs = ff_intern_new();
	r->hosts = ff_intern_new();
	r->frames = ff_intern_new();
	r->second = 1;
	if (r->funcs != NULL && r->frames != NULL)
		r->fmap = ff_funcmap_new(r->frames, r->funcs);
	if (r->funcs == NULL || r->hosts == NULL || r->fmap == NULL) {
		ff_reps_free(r);
		return NULL;
	}
	return r;
}

void
ff_reps_free(ff_reps *r)
{
	if (r == NULL)
		return;
	ff_funcmap_free(r->fmap);
	ff_stacks_free(r->agg[0]);
	ff_stacks_free(r->agg[1]);
	ff_intern_free(r->frames);
	ff_intern_free(r->funcs);
	ff_intern_free(r->hosts);
	ff_free(r->rows);
	ff_free(r->ents);
	ff_free(r);
}

ff_intern *
ff_reps_funcs(ff_reps *r)
{
	return r->funcs;
}

ff_intern *
ff_reps_hosts(ff_reps *r)
{
	return r->hosts;
}

ff_rc
ff_reps_begin(ff_reps *r, int group, const char *host, int64_t start,
    double total, double total2, double work, ff_err *err)
{
	ff_rep *row;
	uint32_t hid;

	if (r->nrows == r->rowcap) {
		size_t cap = r->rowcap ? r->rowcap * 2 : 64;
		ff_rep *rows = ff_reallocarray(r->rows, cap, sizeof *rows);

		if (rows == NULL)
			return ff_err_nomem(err);
		r->rows = rows;
		r->rowcap = cap;
	}
	if (ff_intern_put(r->hosts, host, strlen(host), &hid) != FF_OK)
		return ff_err_nomem(err);
	row = &r->rows[r->nrows++];
	row->group = group;
	row->host = hid;
	row->start = start;
	row->total = total;
	row->total2 = total2;
	row->work = work;
	row->first = r->nents;
	row->count = 0;
	if (total2 <= 0)
		r->second = 0;
	return FF_OK;
}

ff_rc
ff_reps_add_func(ff_reps *r, uint32_t func, double self, double incl,
    double self2, ff_err *err)
{
	ff_rep_entry *e;

	if (r->nents == r->entcap) {
		size_t cap = r->entcap ? r->entcap * 2 : 4096;
		ff_rep_entry *ents = ff_reallocarray(r->ents, cap, sizeof *ents);

		if (ents == NULL)
			return ff_err_nomem(err);
		r->ents = ents;
		r->entcap = cap;
	}
	e = &r->ents[r->nents++];
	e->func = func;
	e->self = (float)self;
	e->incl = (float)incl;
	e->self2 = (float)self2;
	r->rows[r->nrows - 1].count++;
	return FF_OK;
}

ff_rc
ff_reps_add_rollup(ff_reps *r, int group, const char *host, int64_t start,
    const ff_rollup *ru, const uint64_t *totals, unsigned nvalues,
    double work, ff_err *err)
{
	uint32_t i, n = ff_rollup_count(ru);
	ff_rc rc;

	rc = ff_reps_begin(r, group, host, start, (double)totals[0],
	    nvalues > 1 ? (double)totals[1] : 0, work, err);
	for (i = 0; rc == FF_OK && i < n; i++) {
		const uint64_t *self = ff_rollup_self(ru, i);
		const uint64_t *incl = ff_rollup_incl(ru, i);

		rc = ff_reps_add_func(r, ff_rollup_func(ru, i), (double)self[0],
		    (double)incl[0], nvalues > 1 ? (double)self[1] : 0, err);
	}
	return rc;
}

/* The numeric value of label key, or NAN. */
static double
label_number(const ff_meta *m, const char *key)
{
	const char *v = key != NULL ? ff_meta_label(m, key) : NULL;
	char *end;
	double d;

	if (v == NULL)
		return NAN;
	d = strtod(v, &end);
	return end != v && *end == '\0' && isfinite(d) ? d : NAN;
}

ff_rc
ff_reps_add_file(ff_reps *r, int group, const char *path,
    const char *work_label, ff_err *err)
{
	ff_stacks *s = NULL;
	ff_rollup *ru = NULL;
	ff_meta m;
	ff_rc rc;

	ff_meta_init(&m);
	rc = ff_ffp_read_file(path, NULL, r->frames, &m, &s, NULL, err);
	if (rc == FF_OK)
		rc = ff_rollup_new_mapped(&ru, s, r->fmap, err);
	if (rc == FF_OK && r->keep)
		rc = keep_stacks(r, group, s, path, err);
	if (rc == FF_OK)
		ff_reps_note_event(r, m.events[0]);
	if (rc == FF_OK)
		rc = ff_reps_add_rollup(r, group, m.host, m.start, ru,
		    ff_stacks_totals(s), ff_stacks_nvalues(s),
		    label_number(&m, work_label), err);
	ff_rollup_free(ru);
	ff_stacks_free(s);
	ff_meta_free(&m);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.ffp names in dir, sorted; *n of them. */
static ff_rc
list_ffp(const char *dir, char ***out, size_t *n, ff_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (d == NULL)
		return ff_err_errno(err, errno, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".ffp") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = ff_reallocarray(names, cap,
			    sizeof *names)) == NULL)
				break;
			names = grown;
		}
		if ((names[*n] = ff_strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	*out = names;
	if (de != NULL)
		return ff_err_nomem(err);
	if (*n > 0)
		qsort(names, *n, sizeof *names, name_cmp);
	return FF_OK;
}

ff_rc
ff_reps_add_dir(ff_reps *r, int group, const char *dir,
    const char *work_label, ff_err *err)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	ff_rc rc;

	rc = list_ffp(dir, &names, &n, err);
	if (rc == FF_OK && n == 0)
		rc = ff_err_set(err, FF_ERR_NOTFOUND, "%s: no .ffp files", dir);
	for (i = 0; rc == FF_OK && i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		rc = ff_reps_add_file(r, group, path, work_label, err);
	}
	for (i = 0; i < n; i++)
		ff_free(names[i]);
	ff_free(names);
	return rc;
}

void
ff_reps_keep_stacks(ff_reps *r)
{
	r->keep = 1;
}

const ff_stacks *
ff_reps_stacks(const ff_reps *r, int group)
{
	return r->agg[group];
}

/* Add a file profile's stacks to its side's sum. */
static ff_rc
keep_stacks(ff_reps *r, int group, const ff_stacks *s, const char *path,
    ff_err *err)
{
	unsigned nv = ff_stacks_nvalues(s);

	if (r->agg[group] == NULL &&
	    (r->agg[group] = ff_stacks_new(r->frames, nv)) == NULL)
		return ff_err_nomem(err);
	if (ff_stacks_nvalues(r->agg[group]) != nv)
		return ff_err_set(err, FF_ERR_USAGE, "%s has %u events, the "
		    "profiles before it %u: compare one type at a time", path,
		    nv, ff_stacks_nvalues(r->agg[group]));
	return ff_stacks_merge(r->agg[group], s, err);
}

size_t
ff_reps_count(const ff_reps *r)
{
	return r->nrows;
}

const ff_rep *
ff_reps_get(const ff_reps *r, size_t i)
{
	return &r->rows[i];
}

const ff_rep_entry *
ff_reps_entries(const ff_reps *r)
{
	return r->ents;
}

const char *
ff_reps_event(const ff_reps *r)
{
	return r->event[0] != '\0' ? r->event : "samples";
}

void
ff_reps_note_event(ff_reps *r, const char *name)
{
	if (r->event[0] == '\0' && name != NULL)
		snprintf(r->event, sizeof r->event, "%s", name);
}

int
ff_reps_has_second(const ff_reps *r)
{
	return r->nrows > 0 && r->second;
}
