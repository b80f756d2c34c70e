/*
 * dict.c -- frames, functions and stack nodes mirrored from the database
 * (see dict.h).
 *
 * Stack nodes are stored in the database packed, many per row: table
 * stack holds (first, count, nodes) where nodes is `count` pairs of
 * varints (id - parent, frame) for ids first .. first + count - 1.  The
 * writer adds one such row per batch.
 */
#include "store/dict.h"
#include "profile/func.h"
#include "profile/hash.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/buf.h"
#include "store/prep.h"
#include "store/varint.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

struct ff_dict {
	pthread_rwlock_t lock;
	int indexed;
	ff_intern *frames;
	ff_intern *funcs;
	uint32_t *frame_func;   /* by frame */
	uint64_t *frame_hash;   /* by frame, 2 words (indexed only) */
	uint32_t fcap;
	uint32_t nodes, ncap;
	uint32_t *parent;       /* by node */
	uint32_t *frame;        /* by node */
	uint16_t *depth;        /* by node */
	uint64_t *hash;         /* by node, 2 words (indexed only) */
	uint32_t *slots;        /* node ids by hash, 0 = empty */
	size_t mask;
	uint32_t *fslots;       /* 1 + frame id by frame hash, 0 = empty */
	size_t fmask;
	char *norm;             /* scratch for ff_dict_func_name */
	size_t normcap;
};

static void
dict_clear(ff_dict *d)
{
	ff_intern_free(d->frames);
	ff_intern_free(d->funcs);
	ff_free(d->frame_func);
	ff_free(d->frame_hash);
	ff_free(d->parent);
	ff_free(d->frame);
	ff_free(d->depth);
	ff_free(d->hash);
	ff_free(d->slots);
	ff_free(d->fslots);
	d->fslots = NULL;
	d->fmask = 0;
	d->frames = d->funcs = NULL;
	d->frame_func = d->parent = d->frame = d->slots = NULL;
	d->frame_hash = d->hash = NULL;
	d->depth = NULL;
	d->fcap = d->nodes = d->ncap = 0;
	d->mask = 0;
}

static ff_rc grow_nodes(ff_dict *d, uint32_t need);

/* An empty dictionary holding only the root node. */
static ff_rc
dict_init(ff_dict *d)
{
	d->frames = ff_intern_new();
	d->funcs = ff_intern_new();
	if (d->frames == NULL || d->funcs == NULL)
		return FF_ERR_NOMEM;
	if (d->indexed) {
		d->mask = 4095;
		d->fmask = 4095;
		d->slots = ff_calloc(d->mask + 1, sizeof *d->slots);
		d->fslots = ff_calloc(d->fmask + 1, sizeof *d->fslots);
		if (d->slots == NULL || d->fslots == NULL)
			return FF_ERR_NOMEM;
	}
	if (grow_nodes(d, 1) != FF_OK)
		return FF_ERR_NOMEM;
	d->parent[0] = 0;
	d->frame[0] = UINT32_MAX;
	d->depth[0] = 0;
	if (d->indexed)
		d->hash[0] = d->hash[1] = 0;
	d->nodes = 1;
	return FF_OK;
}

ff_dict *
ff_dict_new(int indexed)
{
	ff_dict *d = ff_calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->indexed = indexed;
	if (pthread_rwlock_init(&d->lock, NULL) != 0) {
		ff_free(d);
		return NULL;
	}
	if (dict_init(d) != FF_OK) {
		ff_dict_free(d);
		return NULL;
	}
	return d;
}

void
ff_dict_free(ff_dict *d)
{
	if (d == NULL)
		return;
	dict_clear(d);
	ff_free(d->norm);
	pthread_rwlock_destroy(&d->lock);
	ff_free(d);
}

ff_rc
ff_dict_reset(ff_dict *d, ff_err *err)
{
	ff_rc rc;

	pthread_rwlock_wrlock(&d->lock);
	dict_clear(d);
	rc = dict_init(d);
	pthread_rwlock_unlock(&d->lock);
	return rc == FF_OK ? FF_OK : ff_err_nomem(err);
}

void
ff_dict_rdlock(ff_dict *d)
{
	pthread_rwlock_rdlock(&d->lock);
}

void
ff_dict_unlock(ff_dict *d)
{
	pthread_rwlock_unlock(&d->lock);
}

const ff_intern *
ff_dict_frames(const ff_dict *d)
{
	return d->frames;
}

const ff_intern *
ff_dict_funcs(const ff_dict *d)
{
	return d->funcs;
}

uint32_t
ff_dict_frame_func(const ff_dict *d, uint32_t frame)
{
	assert(frame < ff_intern_count(d->frames));
	return d->frame_func[frame];
}

uint32_t
ff_dict_nodes(const ff_dict *d)
{
	return d->nodes;
}

uint32_t
ff_dict_parent(const ff_dict *d, uint32_t node)
{
	assert(node < d->nodes);
	return d->parent[node];
}

uint32_t
ff_dict_frame_of(const ff_dict *d, uint32_t node)
{
	assert(node < d->nodes);
	return d->frame[node];
}

uint32_t
ff_dict_depth(const ff_dict *d, uint32_t node)
{
	assert(node < d->nodes);
	return d->depth[node];
}

uint32_t
ff_dict_path(const ff_dict *d, uint32_t node, uint32_t *path)
{
	uint32_t depth = d->depth[node], i = depth;

	while (i > 0) {
		path[--i] = d->frame[node];
		node = d->parent[node];
	}
	return depth;
}

void
ff_dict_mark_now(const ff_dict *d, ff_dict_mark *m)
{
	m->frames = ff_intern_count(d->frames);
	m->funcs = ff_intern_count(d->funcs);
	m->nodes = d->nodes;
}

/* ---- frames and functions ------------------------------------------------ */

ff_rc
ff_dict_func_name(const char *name, size_t len, char **buf, size_t *cap,
    size_t *outlen)
{
	size_t need = FF_FUNC_CAP(len), n;

	if (need > *cap) {
		char *p = ff_realloc(*buf, need);

		if (p == NULL)
			return FF_ERR_NOMEM;
		*buf = p;
		*cap = need;
	}
	n = ff_func_normalize(name, len, *buf, *cap);
	*outlen = n < FF_FRAME_MAX ? n : FF_FRAME_MAX;
	return FF_OK;
}

static ff_rc
frame_room(ff_dict *d, uint32_t frame)
{
	uint32_t cap;

	if (frame < d->fcap)
		return FF_OK;
	cap = d->fcap != 0 ? d->fcap * 2 : 1024;
	while (cap <= frame)
		cap *= 2;
	{
		uint32_t *ff = ff_reallocarray(d->frame_func, cap, sizeof *ff);

		if (ff == NULL)
			return FF_ERR_NOMEM;
		d->frame_func = ff;
	}
	if (d->indexed) {
		uint64_t *fh = ff_reallocarray(d->frame_hash, cap,
		    2 * sizeof *fh);

		if (fh == NULL)
			return FF_ERR_NOMEM;
		d->frame_hash = fh;
	}
	d->fcap = cap;
	return FF_OK;
}

/* ---- frames by hash (writer) ---------------------------------------------- */

static size_t
fslot_find(const ff_dict *d, const uint64_t h[2])
{
	size_t i = (size_t)h[0] & d->fmask;

	while (d->fslots[i] != 0) {
		const uint64_t *o = d->frame_hash + 2 * (size_t)(d->fslots[i] -
		    1);

		if (o[0] == h[0] && o[1] == h[1])
			break;
		i = (i + 1) & d->fmask;
	}
	return i;
}

/* Index frame id (its hash is set). */
static ff_rc
frame_index(ff_dict *d, uint32_t id)
{
	uint32_t n = ff_intern_count(d->frames), f;

	if ((size_t)n * 2 > d->fmask) {
		size_t mask = d->fmask * 2 + 1;
		uint32_t *old = d->fslots;

		while ((size_t)n * 2 > mask)
			mask = mask * 2 + 1;
		if ((d->fslots = ff_calloc(mask + 1, sizeof *d->fslots)) ==
		    NULL) {
			d->fslots = old;
			return FF_ERR_NOMEM;
		}
		d->fmask = mask;
		ff_free(old);
		for (f = 0; f < id; f++)
			d->fslots[fslot_find(d, d->frame_hash + 2 * (size_t)f)] =
			    f + 1;
	}
	d->fslots[fslot_find(d, d->frame_hash + 2 * (size_t)id)] = id + 1;
	return FF_OK;
}

int
ff_dict_find_frame(const ff_dict *d, const uint64_t h[2], uint32_t *id)
{
	uint32_t s;

	assert(d->indexed);
	if ((s = d->fslots[fslot_find(d, h)]) == 0)
		return 0;
	*id = s - 1;
	return 1;
}

/* Record frame id's function (and hash), interning the function. */
static ff_rc
frame_attach(ff_dict *d, uint32_t id, const char *name, size_t len)
{
	size_t n;
	ff_rc rc;

	if ((rc = frame_room(d, id)) != FF_OK)
		return rc;
	if (d->indexed) {
		ff_hash128(name, len, d->frame_hash + 2 * (size_t)id);
		if ((rc = frame_index(d, id)) != FF_OK)
			return rc;
	}
	if ((rc = ff_dict_func_name(name, len, &d->norm, &d->normcap, &n)) !=
	    FF_OK)
		return rc;
	return ff_intern_put(d->funcs, d->norm, n, &d->frame_func[id]);
}

ff_rc
ff_dict_frame(ff_dict *d, const char *name, size_t len, uint32_t *id)
{
	uint32_t before = ff_intern_count(d->frames);
	ff_rc rc;

	if ((rc = ff_intern_put(d->frames, name, len, id)) != FF_OK)
		return rc;
	if (*id < before)
		return FF_OK;
	return frame_attach(d, *id, name, len);  /* on error: reset */
}

/* ---- nodes --------------------------------------------------------------- */

static ff_rc
grow_nodes(ff_dict *d, uint32_t need)
{
	uint32_t cap;
	void *p;

	if (need <= d->ncap)
		return FF_OK;
	if (need > FF_IDS_MAX)
		return FF_ERR_LIMIT;
	cap = d->ncap != 0 ? d->ncap : 1024;
	while (cap < need)
		cap *= 2;
	if ((p = ff_reallocarray(d->parent, cap, sizeof *d->parent)) == NULL)
		return FF_ERR_NOMEM;
	d->parent = p;
	if ((p = ff_reallocarray(d->frame, cap, sizeof *d->frame)) == NULL)
		return FF_ERR_NOMEM;
	d->frame = p;
	if ((p = ff_reallocarray(d->depth, cap, sizeof *d->depth)) == NULL)
		return FF_ERR_NOMEM;
	d->depth = p;
	if (d->indexed) {
		if ((p = ff_reallocarray(d->hash, cap, 2 * sizeof *d->hash)) ==
		    NULL)
			return FF_ERR_NOMEM;
		d->hash = p;
	}
	d->ncap = cap;
	return FF_OK;
}

static size_t
slot_find(const ff_dict *d, const uint64_t h[2])
{
	size_t i = (size_t)h[0] & d->mask;

	while (d->slots[i] != 0) {
		const uint64_t *o = d->hash + 2 * (size_t)d->slots[i];

		if (o[0] == h[0] && o[1] == h[1])
			break;
		i = (i + 1) & d->mask;
	}
	return i;
}

static ff_rc
index_grow(ff_dict *d)
{
	size_t mask = d->mask * 2 + 1;
	uint32_t *old = d->slots, n;

	if ((d->slots = ff_calloc(mask + 1, sizeof *d->slots)) == NULL) {
		d->slots = old;
		return FF_ERR_NOMEM;
	}
	d->mask = mask;
	for (n = 1; n < d->nodes; n++)
		d->slots[slot_find(d, d->hash + 2 * (size_t)n)] = n;
	ff_free(old);
	return FF_OK;
}

void
ff_dict_prefetch(const ff_dict *d, const uint64_t h[2], int stage)
{
#if defined(__GNUC__) || defined(__clang__)
	const uint32_t *slot = &d->slots[(size_t)h[0] & d->mask];

	if (stage == 0) {
		__builtin_prefetch(slot);
	} else if (*slot != 0) {
		__builtin_prefetch(d->hash + 2 * (size_t)*slot);
		__builtin_prefetch(d->depth + *slot);
		__builtin_prefetch(d->frame + *slot);
	}
#else
	(void)d;
	(void)h;
	(void)stage;
#endif
}

uint32_t
ff_dict_find(const ff_dict *d, const uint64_t h[2])
{
	assert(d->indexed);
	return d->slots[slot_find(d, h)];
}

/* Append a node without checks (the caller validated it). */
static ff_rc
node_append(ff_dict *d, uint32_t parent, uint32_t frame,
    const uint64_t *h)
{
	uint32_t n = d->nodes;
	ff_rc rc;

	if ((rc = grow_nodes(d, n + 1)) != FF_OK)
		return rc;
	d->parent[n] = parent;
	d->frame[n] = frame;
	d->depth[n] = (uint16_t)(d->depth[parent] + 1);
	if (d->indexed) {
		uint64_t *nh = d->hash + 2 * (size_t)n;

		if (h != NULL) {
			nh[0] = h[0];
			nh[1] = h[1];
		} else {
			ff_prep_chain(d->hash + 2 * (size_t)parent,
			    d->frame_hash + 2 * (size_t)frame, nh);
		}
		if ((size_t)(n + 1) * 2 > d->mask &&
		    (rc = index_grow(d)) != FF_OK)
			return rc;
		d->slots[slot_find(d, nh)] = n;
	}
	d->nodes = n + 1;
	return FF_OK;
}

ff_rc
ff_dict_node(ff_dict *d, uint32_t parent, uint32_t frame,
    const uint64_t h[2], uint32_t *node)
{
	ff_rc rc;

	assert(d->indexed && parent < d->nodes &&
	    frame < ff_intern_count(d->frames));
	if (d->depth[parent] >= FF_DEPTH_MAX)
		return FF_ERR_LIMIT;
	if ((rc = node_append(d, parent, frame, h)) != FF_OK)
		return rc;
	*node = d->nodes - 1;
	return FF_OK;
}

/* ---- loading ------------------------------------------------------------- */

static ff_rc
dict_corrupt(ff_db *db, const char *table, int64_t id, ff_err *err)
{
	return ff_err_set(err, FF_ERR_DB, "%s: table %s is damaged near id "
	    "%lld (run ffstore check)", ff_db_path(db), table, (long long)id);
}

static ff_rc
load_funcs(ff_dict *d, ff_db *db, ff_err *err)
{
	ff_db_stmt *st;
	uint32_t id;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT id, name FROM func WHERE id >= ?1 "
	    "ORDER BY id", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, ff_intern_count(d->funcs));
	while ((rc = ff_db_step(st, err)) == FF_OK) {
		int64_t want = ff_db_col_i64(st, 0);
		size_t len;
		const void *name = ff_db_col_blob(st, 1, &len);

		rc = ff_intern_put(d->funcs, name != NULL ? name : "", len,
		    &id);
		if (rc == FF_ERR_NOMEM)
			rc = ff_err_nomem(err);
		else if (rc != FF_OK || id != want)
			rc = dict_corrupt(db, "func", want, err);
		if (rc != FF_OK) {
			ff_db_reset(st);
			return rc;
		}
	}
	return rc == FF_DONE ? FF_OK : rc;
}

static ff_rc
load_frame_row(ff_dict *d, ff_db *db, ff_db_stmt *st, ff_err *err)
{
	int64_t want = ff_db_col_i64(st, 0), func = ff_db_col_i64(st, 2);
	size_t len;
	const char *name = ff_db_col_blob(st, 1, &len);
	uint32_t id;
	ff_rc rc;

	if (name == NULL)
		name = "";
	rc = ff_intern_put(d->frames, name, len, &id);
	if (rc == FF_ERR_NOMEM)
		return ff_err_nomem(err);
	if (rc != FF_OK || id != want || func < 0 ||
	    func >= ff_intern_count(d->funcs))
		return dict_corrupt(db, "frame", want, err);
	if (frame_room(d, id) != FF_OK)
		return ff_err_nomem(err);
	d->frame_func[id] = (uint32_t)func;
	if (d->indexed) {
		ff_hash128(name, len, d->frame_hash + 2 * (size_t)id);
		if (frame_index(d, id) != FF_OK)
			return ff_err_nomem(err);
	}
	return FF_OK;
}

static ff_rc
load_frames(ff_dict *d, ff_db *db, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT id, name, func FROM frame WHERE id >= ?1 "
	    "ORDER BY id", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, ff_intern_count(d->frames));
	while ((rc = ff_db_step(st, err)) == FF_OK)
		if ((rc = load_frame_row(d, db, st, err)) != FF_OK) {
			ff_db_reset(st);
			return rc;
		}
	return rc == FF_DONE ? FF_OK : rc;
}

/* Decode one packed row of nodes, first .. first + count - 1. */
static ff_rc
load_chunk(ff_dict *d, ff_db *db, int64_t first, int64_t count,
    const unsigned char *p, size_t len, ff_err *err)
{
	const unsigned char *end = p + len;
	uint32_t nframes = ff_intern_count(d->frames);
	uint64_t back, frame;
	int64_t i;

	if (first != d->nodes || count < 1 || count > FF_IDS_MAX - first)
		return dict_corrupt(db, "stack", first, err);
	if (grow_nodes(d, (uint32_t)(first + count)) != FF_OK)
		return ff_err_nomem(err);
	for (i = 0; i < count; i++) {
		uint32_t id = (uint32_t)(first + i), parent;

		if (ff_varint_get(&p, end, &back) != 0 ||
		    ff_varint_get(&p, end, &frame) != 0 || back == 0 ||
		    back > id || frame >= nframes)
			return dict_corrupt(db, "stack", id, err);
		parent = id - (uint32_t)back;
		if (d->depth[parent] >= FF_DEPTH_MAX)
			return dict_corrupt(db, "stack", id, err);
		if (node_append(d, parent, (uint32_t)frame, NULL) != FF_OK)
			return ff_err_nomem(err);
	}
	return p == end ? FF_OK : dict_corrupt(db, "stack", first, err);
}

static ff_rc
load_nodes(ff_dict *d, ff_db *db, ff_err *err)
{
	ff_db_stmt *st;
	ff_rc rc;

	rc = ff_db_cached(db, "SELECT first, count, nodes FROM stack "
	    "WHERE first >= ?1 ORDER BY first", &st, err);
	if (rc != FF_OK)
		return rc;
	ff_db_bind_i64(st, 1, d->nodes);
	while ((rc = ff_db_step(st, err)) == FF_OK) {
		size_t len;
		const void *p = ff_db_col_blob(st, 2, &len);

		rc = load_chunk(d, db, ff_db_col_i64(st, 0),
		    ff_db_col_i64(st, 1), p, len, err);
		if (rc != FF_OK) {
			ff_db_reset(st);
			return rc;
		}
	}
	return rc == FF_DONE ? FF_OK : rc;
}

ff_rc
ff_dict_refresh(ff_dict *d, ff_db *db, ff_err *err)
{
	ff_rc rc;

	pthread_rwlock_wrlock(&d->lock);
	/* A reset that ran out of memory left the tables unmade (no root
	 * node): make them now, or fail. */
	if (d->nodes == 0) {
		dict_clear(d);
		if (dict_init(d) != FF_OK) {
			dict_clear(d);
			pthread_rwlock_unlock(&d->lock);
			return ff_err_nomem(err);
		}
	}
	if ((rc = load_funcs(d, db, err)) == FF_OK &&
	    (rc = load_frames(d, db, err)) == FF_OK)
		rc = load_nodes(d, db, err);
	pthread_rwlock_unlock(&d->lock);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

static ff_rc
write_names(ff_db *db, const char *sql, const ff_intern *t, uint32_t from,
    const uint32_t *func, ff_err *err)
{
	uint32_t n = ff_intern_count(t), i;
	ff_db_stmt *st;
	ff_rc rc;

	for (i = from; i < n; i++) {
		size_t len;
		const char *name = ff_intern_str(t, i, &len);

		if ((rc = ff_db_cached(db, sql, &st, err)) != FF_OK)
			return rc;
		ff_db_bind_i64(st, 1, i);
		ff_db_bind_blob(st, 2, name, len, 0);
		if (func != NULL)
			ff_db_bind_i64(st, 3, func[i]);
		if ((rc = ff_db_run(st, err)) != FF_OK)
			return rc;
	}
	return FF_OK;
}

static ff_rc
write_nodes(const ff_dict *d, ff_db *db, uint32_t from, ff_err *err)
{
	ff_db_stmt *st;
	ff_buf b;
	uint32_t n;
	ff_rc rc;

	if (from >= d->nodes)
		return FF_OK;
	ff_buf_init(&b);
	if (ff_buf_reserve(&b, (size_t)(d->nodes - from) * 2 *
	    FF_VARINT_MAX) != FF_OK)
		return ff_err_nomem(err);
	for (n = from; n < d->nodes; n++) {
		ff_buf_varint(&b, n - d->parent[n]);
		ff_buf_varint(&b, d->frame[n]);
	}
	rc = ff_db_cached(db, "INSERT INTO stack (first, count, nodes) "
	    "VALUES (?1, ?2, ?3)", &st, err);
	if (rc == FF_OK) {
		ff_db_bind_i64(st, 1, from);
		ff_db_bind_i64(st, 2, d->nodes - from);
		ff_db_bind_blob(st, 3, b.p, b.len, 0);
		rc = ff_db_run(st, err);
	}
	ff_buf_free(&b);
	return rc;
}

ff_rc
ff_dict_write(const ff_dict *d, ff_db *db, const ff_dict_mark *m,
    ff_err *err)
{
	ff_rc rc;

	rc = write_names(db, "INSERT INTO func (id, name) VALUES (?1, ?2)",
	    d->funcs, m->funcs, NULL, err);
	if (rc == FF_OK)
		rc = write_names(db, "INSERT INTO frame (id, name, func) "
		    "VALUES (?1, ?2, ?3)", d->frames, m->frames, d->frame_func,
		    err);
	if (rc == FF_OK)
		rc = write_nodes(d, db, m->nodes > 0 ? m->nodes : 1, err);
	return rc;
}
