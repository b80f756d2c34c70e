/*
 * plist.c -- profile metadata records and lists (see plist.h).
 */
#include "store/plist.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "store/json.h"

#include <string.h>

struct ff_plist {
	ff_pinfo *v;
	size_t n, cap;
};

void
ff_pinfo_init(ff_pinfo *p)
{
	memset(p, 0, sizeof *p);
	ff_meta_init(&p->meta);
}

void
ff_pinfo_free(ff_pinfo *p)
{
	ff_meta_free(&p->meta);
	ff_pinfo_init(p);
}

/* Events, periods (when every event has one) and totals. */
static int
set_events(json_t *o, const ff_pinfo *p)
{
	const ff_meta *m = &p->meta;
	json_t *ev = json_array();
	unsigned e;
	int bad = ev == NULL, periods = m->nevents > 0;

	for (e = 0; !bad && e < m->nevents; e++) {
		bad |= json_array_append_new(ev, ff_json_str(m->events[e]));
		periods &= m->periods[e] != 0;
	}
	bad |= ff_json_set(o, "events", ev);
	if (periods)
		bad |= ff_json_set(o, "periods", ff_json_u64s(m->periods,
		    m->nevents));
	bad |= ff_json_set(o, "totals", ff_json_u64s(p->totals, m->nevents));
	return bad;
}

static int
set_labels(json_t *o, const ff_meta *m)
{
	json_t *l = json_object();
	unsigned i;
	int bad = l == NULL;

	for (i = 0; !bad && i < m->nlabels; i++)
		bad |= ff_json_set(l, m->labels[i].key,
		    ff_json_str(m->labels[i].value));
	return bad | ff_json_set(o, "labels", l);
}

static json_t *
stamp_json(int64_t t)
{
	char s[FF_STAMP_LEN];

	ff_stamp_format(t, s);
	return json_string(s);
}

json_t *
ff_pinfo_to_json(const ff_pinfo *p)
{
	const ff_meta *m = &p->meta;
	json_t *o;
	int bad;

	ff_json_init();
	if ((o = json_object()) == NULL)
		return NULL;
	bad = ff_json_set(o, "id", json_integer(p->id));
	bad |= ff_json_set(o, "hash", json_string(p->hash));
	bad |= ff_json_set(o, "host", ff_json_str(m->host));
	bad |= ff_json_set(o, "build", ff_json_str(m->build));
	bad |= ff_json_set(o, "type", ff_json_str(m->type));
	bad |= ff_json_set(o, "start", stamp_json(m->start));
	bad |= ff_json_set(o, "duration_s", json_real(m->duration_s));
	bad |= set_events(o, p);
	bad |= set_labels(o, m);
	bad |= ff_json_set(o, "agent", ff_json_str(m->agent));
	bad |= ff_json_set(o, "rows", json_integer((json_int_t)p->rows));
	bad |= ff_json_set(o, "bytes", json_integer((json_int_t)p->bytes));
	bad |= ff_json_set(o, "received", stamp_json(p->received));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

ff_plist *
ff_plist_new(void)
{
	return ff_calloc(1, sizeof(ff_plist));
}

void
ff_plist_free(ff_plist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		ff_pinfo_free(&l->v[i]);
	ff_free(l->v);
	ff_free(l);
}

ff_pinfo *
ff_plist_add(ff_plist *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ff_pinfo *v = ff_reallocarray(l->v, cap, sizeof *v);

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	ff_pinfo_init(&l->v[l->n]);
	return &l->v[l->n++];
}

void
ff_plist_drop_last(ff_plist *l)
{
	if (l->n > 0)
		ff_pinfo_free(&l->v[--l->n]);
}

size_t
ff_plist_count(const ff_plist *l)
{
	return l->n;
}

const ff_pinfo *
ff_plist_get(const ff_plist *l, size_t i)
{
	return i < l->n ? &l->v[i] : NULL;
}

json_t *
ff_plist_to_json(const ff_plist *l)
{
	json_t *a;
	size_t i;

	ff_json_init();
	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (json_array_append_new(a, ff_pinfo_to_json(&l->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}
