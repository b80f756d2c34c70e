/*
 * memo.c -- a parsing thread's memory of frames and stack lines (see
 * memo.h).
 */
#include "store/memo.h"
#include "profile/hash.h"
#include "profile/intern.h"
#include "profile/mem.h"
#include "store/dict.h"

#include <pthread.h>
#include <string.h>

enum { FC_BITS = 14 };

/* A remembered line, stored in the hash table itself so that a lookup
 * touches one entry; depth 0 marks an empty slot. */
struct line {
	uint64_t key[2];
	uint64_t ph[2];
	uint32_t off;            /* path, then funcs, in pool */
	uint16_t depth, nfuncs;
};

struct fcache {
	const char *name;        /* in frames */
	uint32_t len, id;
};

struct ff_memo {
	int broken;              /* an error left it inconsistent */
	/* frames and functions */
	ff_intern *frames;
	uint64_t *fhash;         /* by frame, 2 words */
	uint64_t *fh64;          /* by frame: ff_hash64 of its name */
	uint32_t *ffunc;         /* by frame */
	uint32_t fcap;
	ff_intern *funcs;
	uint64_t *uh64;          /* by function: ff_hash64 of its name */
	uint32_t ucap;
	struct fcache *fc;
	char *norm;
	size_t normcap;
	/* ff_memo_distinct */
	uint32_t *seen, seencap, seq;
	/* lines */
	struct line *tab;        /* mask + 1 entries */
	size_t mask;
	uint32_t nlines;
	uint32_t *pool;
	size_t npool, poolcap;
};

/* ---- lifetime ------------------------------------------------------------ */

static void
memo_clear(ff_memo *m)
{
	ff_intern_free(m->frames);
	ff_intern_free(m->funcs);
	ff_free(m->fhash);
	ff_free(m->fh64);
	ff_free(m->uh64);
	ff_free(m->ffunc);
	ff_free(m->fc);
	ff_free(m->seen);
	ff_free(m->tab);
	ff_free(m->pool);
	ff_free(m->norm);
	memset(m, 0, sizeof *m);
}

static ff_rc
memo_init(ff_memo *m)
{
	m->frames = ff_intern_new();
	m->funcs = ff_intern_new();
	m->fc = ff_calloc((size_t)1 << FC_BITS, sizeof *m->fc);
	m->mask = 4095;
	m->tab = ff_calloc(m->mask + 1, sizeof *m->tab);
	if (m->frames == NULL || m->funcs == NULL || m->fc == NULL ||
	    m->tab == NULL)
		return FF_ERR_NOMEM;
	return FF_OK;
}

ff_memo *
ff_memo_new(void)
{
	ff_memo *m = ff_calloc(1, sizeof *m);

	if (m != NULL && memo_init(m) != FF_OK) {
		ff_memo_free(m);
		return NULL;
	}
	return m;
}

void
ff_memo_free(ff_memo *m)
{
	if (m == NULL)
		return;
	memo_clear(m);
	ff_free(m);
}

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static int memo_key_ok;

static void
memo_destroy(void *p)
{
	ff_memo_free(p);
}

static void
memo_key_init(void)
{
	memo_key_ok = pthread_key_create(&memo_key, memo_destroy) == 0;
}

ff_memo *
ff_memo_get(void)
{
	ff_memo *m;

	pthread_once(&memo_once, memo_key_init);
	if (!memo_key_ok)
		return NULL;
	if ((m = pthread_getspecific(memo_key)) != NULL)
		return m;
	if ((m = ff_memo_new()) == NULL)
		return NULL;
	if (pthread_setspecific(memo_key, m) != 0) {
		ff_memo_free(m);
		return NULL;
	}
	return m;
}

void
ff_memo_thread_end(void)
{
	pthread_once(&memo_once, memo_key_init);
	if (!memo_key_ok)
		return;
	ff_memo_free(pthread_getspecific(memo_key));
	(void)pthread_setspecific(memo_key, NULL);
}

/* Approximate bytes held. */
static size_t
memo_bytes(const ff_memo *m)
{
	return ff_intern_bytes(m->frames) + ff_intern_bytes(m->funcs) +
	    (size_t)m->fcap * 28 + (size_t)m->ucap * 8 +
	    (size_t)m->seencap * 4 + m->poolcap * 4 +
	    (m->mask + 1) * sizeof *m->tab +
	    ((size_t)1 << FC_BITS) * sizeof *m->fc;
}

ff_rc
ff_memo_begin(ff_memo *m)
{
	if (m->broken || memo_bytes(m) > FF_MEMO_CAP) {
		memo_clear(m);
		if (memo_init(m) != FF_OK)
			return FF_ERR_NOMEM;
	}
	return FF_OK;
}

/* ---- frames -------------------------------------------------------------- */

static ff_rc
grow32(uint32_t **a, uint32_t *cap, uint32_t need, int zero)
{
	uint32_t c = *cap ? *cap : 1024;
	uint32_t *p;

	if (need <= *cap)
		return FF_OK;
	while (c < need)
		c *= 2;
	if ((p = ff_reallocarray(*a, c, sizeof *p)) == NULL)
		return FF_ERR_NOMEM;
	if (zero)
		memset(p + *cap, 0, (size_t)(c - *cap) * sizeof *p);
	*a = p;
	*cap = c;
	return FF_OK;
}

/* The function of a frame name, interned (with its hash) when new. */
static ff_rc
func_of(ff_memo *m, const char *name, size_t len, uint32_t *func)
{
	uint32_t before = ff_intern_count(m->funcs);
	uint64_t h;
	size_t n;
	ff_rc rc;

	if ((rc = ff_dict_func_name(name, len, &m->norm, &m->normcap, &n)) !=
	    FF_OK)
		return rc;
	h = ff_hash64(m->norm, n);
	if ((rc = ff_intern_put_hashed(m->funcs, m->norm, n, h, func)) !=
	    FF_OK)
		return rc;
	if (*func == before) {
		uint32_t cap = m->ucap ? m->ucap : 1024;
		uint64_t *p;

		if (*func >= m->ucap) {
			while (cap <= *func)
				cap *= 2;
			if ((p = ff_reallocarray(m->uh64, cap, sizeof *p)) ==
			    NULL)
				return FF_ERR_NOMEM;
			m->uh64 = p;
			m->ucap = cap;
		}
		m->uh64[*func] = h;
	}
	return FF_OK;
}

/* A frame seen for the first time: its hashes and function. */
static ff_rc
frame_new(ff_memo *m, uint32_t tf, const char *name, size_t len, uint64_t h)
{
	uint32_t cap = m->fcap;
	ff_rc rc;

	if (tf >= m->fcap) {
		uint64_t *p;

		if ((rc = grow32(&m->ffunc, &cap, tf + 1, 0)) != FF_OK)
			return rc;
		if ((p = ff_reallocarray(m->fhash, cap, 2 * sizeof *p)) ==
		    NULL)
			return FF_ERR_NOMEM;
		m->fhash = p;
		if ((p = ff_reallocarray(m->fh64, cap, sizeof *p)) == NULL)
			return FF_ERR_NOMEM;
		m->fh64 = p;
		m->fcap = cap;
	}
	ff_hash128(name, len, m->fhash + 2 * (size_t)tf);
	m->fh64[tf] = h;
	return func_of(m, name, len, &m->ffunc[tf]);
}

/* The cache slot of a frame name: its length and first and last bytes. */
static size_t
fc_slot(const char *name, size_t len)
{
	uint64_t a = 0, b = 0;

	if (len >= 8) {
		memcpy(&a, name, 8);
		memcpy(&b, name + len - 8, 8);
	} else {
		memcpy(&a, name, len);
	}
	a = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ len) * 0xBF58476D1CE4E5B9ull;
	return (size_t)(a >> (64 - FC_BITS));
}

ff_rc
ff_memo_frame(ff_memo *m, const char *name, size_t len, uint32_t *tf)
{
	struct fcache *fc = &m->fc[fc_slot(name, len)];
	uint32_t before;
	uint64_t h;
	ff_rc rc;

	if (fc->name != NULL && fc->len == len &&
	    memcmp(fc->name, name, len) == 0) {
		*tf = fc->id;
		return FF_OK;
	}
	before = ff_intern_count(m->frames);
	h = ff_hash64(name, len);
	if ((rc = ff_intern_put_hashed(m->frames, name, len, h, tf)) != FF_OK)
		return rc;
	if (*tf == before && (rc = frame_new(m, *tf, name, len, h)) !=
	    FF_OK) {
		/* The name is in the table without its function: start over
		 * at the next profile. */
		m->broken = 1;
		return rc;
	}
	fc->name = ff_intern_str(m->frames, *tf, NULL);
	fc->len = (uint32_t)len;
	fc->id = *tf;
	return FF_OK;
}

const char *
ff_memo_frame_name(const ff_memo *m, uint32_t tf, size_t *len)
{
	return ff_intern_str(m->frames, tf, len);
}

const uint64_t *
ff_memo_frame_hash(const ff_memo *m, uint32_t tf)
{
	return m->fhash + 2 * (size_t)tf;
}

uint64_t
ff_memo_frame_h64(const ff_memo *m, uint32_t tf)
{
	return m->fh64[tf];
}

uint64_t
ff_memo_func_h64(const ff_memo *m, uint32_t tfunc)
{
	return m->uh64[tfunc];
}

uint32_t
ff_memo_frame_func(const ff_memo *m, uint32_t tf)
{
	return m->ffunc[tf];
}

const char *
ff_memo_func_name(const ff_memo *m, uint32_t tfunc, size_t *len)
{
	return ff_intern_str(m->funcs, tfunc, len);
}

uint32_t
ff_memo_funcs(const ff_memo *m)
{
	return ff_intern_count(m->funcs);
}

uint32_t
ff_memo_frames(const ff_memo *m)
{
	return ff_intern_count(m->frames);
}

void
ff_memo_distinct(ff_memo *m, const uint32_t *path, uint32_t depth,
    uint32_t *out, uint32_t *n)
{
	uint32_t k, f, nf = ff_intern_count(m->funcs);

	*n = 0;
	if (grow32(&m->seen, &m->seencap, nf, 1) != FF_OK) {
		/* Without the scratch array: quadratic, still correct. */
		for (k = 0; k < depth; k++) {
			uint32_t j;

			f = m->ffunc[path[k]];
			for (j = 0; j < *n && out[j] != f; j++)
				;
			if (j == *n)
				out[(*n)++] = f;
		}
		return;
	}
	if (++m->seq == 0) {
		memset(m->seen, 0, (size_t)m->seencap * sizeof *m->seen);
		m->seq = 1;
	}
	for (k = 0; k < depth; k++) {
		f = m->ffunc[path[k]];
		if (m->seen[f] != m->seq) {
			m->seen[f] = m->seq;
			out[(*n)++] = f;
		}
	}
}

/* ---- lines --------------------------------------------------------------- */

static size_t
line_slot(const ff_memo *m, const uint64_t key[2])
{
	size_t i = (size_t)key[0] & m->mask;

	while (m->tab[i].depth != 0 &&
	    (m->tab[i].key[0] != key[0] || m->tab[i].key[1] != key[1]))
		i = (i + 1) & m->mask;
	return i;
}

int
ff_memo_find(const ff_memo *m, const uint64_t key[2], ff_memo_line *out)
{
	const struct line *l = &m->tab[line_slot(m, key)];

	if (l->depth == 0)
		return 0;
	out->ph[0] = l->ph[0];
	out->ph[1] = l->ph[1];
	out->depth = l->depth;
	out->nfuncs = l->nfuncs;
	out->path = m->pool + l->off;
	out->funcs = m->pool + l->off + l->depth;
	return 1;
}

static ff_rc
lines_rehash(ff_memo *m)
{
	size_t mask = m->mask * 2 + 1, i;
	struct line *old = m->tab;
	size_t oldn = m->mask + 1;

	if ((m->tab = ff_calloc(mask + 1, sizeof *m->tab)) == NULL) {
		m->tab = old;
		return FF_ERR_NOMEM;
	}
	m->mask = mask;
	for (i = 0; i < oldn; i++)
		if (old[i].depth != 0)
			m->tab[line_slot(m, old[i].key)] = old[i];
	ff_free(old);
	return FF_OK;
}

static ff_rc
pool_room(ff_memo *m, size_t n)
{
	size_t cap = m->poolcap ? m->poolcap : 1 << 16;
	uint32_t *p;

	if (m->npool + n <= m->poolcap)
		return FF_OK;
	while (cap < m->npool + n)
		cap *= 2;
	if ((p = ff_reallocarray(m->pool, cap, sizeof *p)) == NULL)
		return FF_ERR_NOMEM;
	m->pool = p;
	m->poolcap = cap;
	return FF_OK;
}

ff_rc
ff_memo_add(ff_memo *m, const uint64_t key[2], const uint64_t ph[2],
    const uint32_t *path, uint32_t depth, const uint32_t *funcs,
    uint32_t nfuncs)
{
	struct line *l;

	/* Over the cap, or a line too deep to describe in 16 bits (a
	 * hostile one: FF_DEPTH_MAX fits), or the pool past 2^32: skip. */
	if (memo_bytes(m) > FF_MEMO_CAP || depth == 0 || depth > 65535 ||
	    nfuncs > 65535 || m->npool + depth + nfuncs > UINT32_MAX)
		return FF_OK;
	if (pool_room(m, (size_t)depth + nfuncs) != FF_OK)
		return FF_ERR_NOMEM;
	if ((size_t)(m->nlines + 1) * 2 > m->mask && lines_rehash(m) != FF_OK)
		return FF_ERR_NOMEM;
	l = &m->tab[line_slot(m, key)];
	if (l->depth != 0)
		return FF_OK;
	memcpy(l->key, key, sizeof l->key);
	memcpy(l->ph, ph, sizeof l->ph);
	l->depth = (uint16_t)depth;
	l->nfuncs = (uint16_t)nfuncs;
	l->off = (uint32_t)m->npool;
	memcpy(m->pool + m->npool, path, depth * sizeof *path);
	memcpy(m->pool + m->npool + depth, funcs, nfuncs * sizeof *funcs);
	m->npool += (size_t)depth + nfuncs;
	m->nlines++;
	return FF_OK;
}
