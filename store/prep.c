/*
 * prep.c -- parse and digest a profile file before it is queued (see
 * prep.h).
 *
 * The folded lines come from ff_fold_reader (which checks counts, column
 * counts, NUL bytes and line lengths); this file splits stacks into
 * frames with the loader's limits (frame length, depth, count overflow),
 * reusing the frames a line shares with the line before it, as sorted
 * input mostly does.
 */
#include "store/prep.h"
#include "profile/fold.h"
#include "profile/func.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/src.h"
#include "profile/zst.h"
#include "store/dict.h"
#include "store/memo.h"

#include <stddef.h>
#include <string.h>

void
ff_prep_hash(const void *p, size_t len, char hex[FF_DIGEST_HEX])
{
	ff_digest d;

	ff_digest_init(&d);
	ff_digest_update(&d, p, len);
	ff_digest_hex(&d, hex);
}

#ifdef __SIZEOF_INT128__
/* 64 x 64 -> 128-bit multiply, folded: the mixing step of wyhash. */
static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Both inputs are already uniformly distributed 128-bit hashes, so two
 * crossed multiply-folds mix them as well as hashing their 32 bytes again
 * would, at a fifth of the cost. */
static inline void
chain(const uint64_t parent[2], const uint64_t frame[2], uint64_t out[2])
{
	uint64_t p0 = parent[0], p1 = parent[1];

	out[0] = mum(p0 ^ 0xa0761d6478bd642full,
	    frame[0] ^ 0xe7037ed1a0b428dbull) ^
	    mum(p1 ^ 0x8ebc6af09c88c6e3ull, frame[1] ^ 0x589965cc75374cc3ull);
	out[1] = mum(p0 ^ 0x1d8e4e27c47d124full,
	    frame[1] ^ 0xa0761d6478bd642full) ^
	    mum(p1 ^ 0x589965cc75374cc3ull, frame[0] ^ 0x8ebc6af09c88c6e3ull);
}
#else
static inline void
chain(const uint64_t parent[2], const uint64_t frame[2], uint64_t out[2])
{
	uint64_t in[4] = { parent[0], parent[1], frame[0], frame[1] };

	ff_hash128(in, sizeof in, out);
}
#endif

void
ff_prep_chain(const uint64_t parent[2], const uint64_t frame[2],
    uint64_t out[2])
{
	chain(parent, frame, out);
}

void
ff_prep_free(ff_prep *p)
{
	if (p == NULL)
		return;
	ff_meta_free(&p->meta);
	ff_intern_free(p->frames);
	ff_intern_free(p->funcs);
	ff_free(p->frame_hash);
	ff_free(p->frame_func);
	ff_free(p->stack_hash);
	ff_free(p->depth);
	ff_free(p->leaf);
	ff_free(p->shared);
	ff_free(p->suffix_off);
	ff_free(p->suffix);
	ff_free(p->values);
	ff_free(p->self);
	ff_free(p->incl);
	ff_free(p);
}

uint32_t
ff_prep_path(const ff_prep *p, uint32_t i, uint32_t *path)
{
	uint32_t k = p->shared[i], n = p->suffix_off[i + 1] -
	    p->suffix_off[i];

	memcpy(path + k, p->suffix + p->suffix_off[i], n * sizeof *path);
	return k + n;
}

/* ---- metadata only ------------------------------------------------------- */

/* The skippable frame at the start of p: its content in *meta. */
static ff_rc
meta_frame(const unsigned char *p, size_t len, const char *name,
    const unsigned char **meta, size_t *mlen, ff_err *err)
{
	uint32_t size;

	if (ff_zst_sniff(p, len) != FF_ZST_SKIPPABLE)
		return ff_err_set(err, FF_ERR_PARSE, "%s: not a flamefleet "
		    "profile (no metadata frame)", name);
	if (len < FF_ZST_SKIP_HEADER)
		return ff_err_set(err, FF_ERR_PARSE, "%s: truncated metadata "
		    "frame header", name);
	size = ff_zst_skip_size(p);
	if (size > FF_META_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "%s: metadata of %lu "
		    "bytes exceeds the limit of %u", name,
		    (unsigned long)size, FF_META_MAX);
	if (size > len - FF_ZST_SKIP_HEADER)
		return ff_err_set(err, FF_ERR_PARSE, "%s: truncated metadata "
		    "frame (%zu of %lu bytes)", name,
		    len - FF_ZST_SKIP_HEADER, (unsigned long)size);
	*meta = p + FF_ZST_SKIP_HEADER;
	*mlen = size;
	return FF_OK;
}

ff_rc
ff_prep_meta(ff_meta *m, const void *p, size_t len, const char *name,
    ff_err *err)
{
	const unsigned char *json;
	size_t jlen;
	ff_rc rc;

	ff_meta_free(m);
	if ((rc = meta_frame(p, len, name, &json, &jlen, err)) != FF_OK)
		return rc;
	if ((rc = ff_meta_parse(m, (const char *)json, jlen, err)) != FF_OK) {
		/* err may be NULL: ff_err_prefix would then return
		 * FF_ERR_INTERNAL instead of the code. */
		(void)ff_err_prefix(err, "%s: ", name);
		return rc;
	}
	return FF_OK;
}

int
ff_prep_inflates_past(const void *p, size_t len, uint64_t cap)
{
	enum { SCRATCH = 128 << 10 };
	const unsigned char *in = p, *json;
	size_t jlen, pos = 0, used, made;
	ff_zst_dec *dec;
	char *out;
	int over = 0;

	if (meta_frame(in, len, "", &json, &jlen, NULL) == FF_OK)
		pos = (size_t)(json - in) + jlen;
	dec = ff_zst_dec_new(cap);
	out = ff_malloc(SCRATCH);
	while (dec != NULL && out != NULL) {
		ff_rc rc = ff_zst_dec_run(dec, in + pos, len - pos, &used,
		    out, SCRATCH, &made, NULL);

		if (rc != FF_OK) {
			over = rc == FF_ERR_LIMIT;
			break;
		}
		pos += used;
		if (used == 0 && made == 0)
			break;
	}
	ff_free(out);
	ff_zst_dec_free(dec);
	return over;
}

/* ---- the parser ---------------------------------------------------------- */

struct parser {
	ff_prep *p;
	ff_src *src;
	ff_memo *m;
	unsigned nev;
	/* the previous line, when it was split here (split_ok): its text,
	 * and per frame k its end offset, thread frame and path hash */
	char *text;
	size_t len, cap;
	uint32_t depth;
	int split_ok;
	uint32_t *end, *tfid;
	uint64_t *ph;
	uint32_t *dfuncs;      /* the distinct functions of a split line */
	/* the last stored stack's thread frames, for front coding */
	uint32_t *last;
	uint32_t last_depth;
	/* capacities */
	uint32_t frames_cap, funcs_cap, stacks_cap;
	size_t suffix_len, suffix_cap;
	/* stacks by path hash: 1 + stack index, 0 = empty */
	uint32_t *slots;
	size_t mask;
	/* rollups by thread function (2 * nev values: self, inclusive), and
	 * which functions appeared */
	uint64_t *tacc;
	uint8_t *tmark;
	uint32_t *touched;
	uint32_t tcap, ntouched;
	/* thread ids -> the profile's: 1 + local id, 0 = not yet */
	uint32_t *fmap, *umap;
};

static ff_rc
bad_line(struct parser *ps, ff_err *err, const char *msg)
{
	return ff_err_set(err, FF_ERR_PARSE, "%s:%llu: %s",
	    ff_src_name(ps->src), (unsigned long long)ff_src_lineno(ps->src),
	    msg);
}

static ff_rc
grow(void **a, size_t n, size_t size)
{
	void *q = ff_reallocarray(*a, n, size);

	if (q == NULL)
		return FF_ERR_NOMEM;
	*a = q;
	return FF_OK;
}

static ff_rc
parser_init(struct parser *ps, ff_prep *p, ff_src *src)
{
	memset(ps, 0, sizeof *ps);
	ps->p = p;
	ps->src = src;
	ps->nev = p->meta.nevents;
	ps->mask = 4095;
	if ((ps->m = ff_memo_get()) == NULL || ff_memo_begin(ps->m) != FF_OK)
		return FF_ERR_NOMEM;
	ps->end = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ps->end);
	ps->tfid = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ps->tfid);
	ps->last = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ps->last);
	ps->dfuncs = ff_reallocarray(NULL, FF_DEPTH_MAX, sizeof *ps->dfuncs);
	ps->ph = ff_reallocarray(NULL, FF_DEPTH_MAX, 2 * sizeof *ps->ph);
	ps->slots = ff_calloc(ps->mask + 1, sizeof *ps->slots);
	p->frames = ff_intern_new();
	p->funcs = ff_intern_new();
	p->suffix_off = ff_calloc(1, sizeof *p->suffix_off);
	if (ps->end == NULL || ps->tfid == NULL || ps->last == NULL ||
	    ps->dfuncs == NULL || ps->ph == NULL || ps->slots == NULL ||
	    p->frames == NULL || p->funcs == NULL || p->suffix_off == NULL)
		return FF_ERR_NOMEM;
	return FF_OK;
}

static void
parser_free(struct parser *ps)
{
	ff_free(ps->text);
	ff_free(ps->end);
	ff_free(ps->tfid);
	ff_free(ps->ph);
	ff_free(ps->last);
	ff_free(ps->dfuncs);
	ff_free(ps->slots);
	ff_free(ps->tacc);
	ff_free(ps->tmark);
	ff_free(ps->touched);
	ff_free(ps->fmap);
	ff_free(ps->umap);
}

/* ---- the profile's own frames and functions ----------------------------- */

/* The profile's id of thread function tfunc, added when new. */
static ff_rc
local_func(struct parser *ps, uint32_t tfunc, uint32_t *lf)
{
	size_t len;
	const char *name;

	if (ps->umap[tfunc] != 0) {
		*lf = ps->umap[tfunc] - 1;
		return FF_OK;
	}
	name = ff_memo_func_name(ps->m, tfunc, &len);
	if (ff_intern_put_hashed(ps->p->funcs, name, len,
	    ff_memo_func_h64(ps->m, tfunc), lf) != FF_OK)
		return FF_ERR_NOMEM;
	ps->umap[tfunc] = *lf + 1;
	return FF_OK;
}

/* The profile's id of thread frame tf, added (with its hash and
 * function) when new. */
static ff_rc
local_frame(struct parser *ps, uint32_t tf, uint32_t *lf)
{
	ff_prep *p = ps->p;
	size_t len;
	const char *name;
	ff_rc rc;

	if (ps->fmap[tf] != 0) {
		*lf = ps->fmap[tf] - 1;
		return FF_OK;
	}
	name = ff_memo_frame_name(ps->m, tf, &len);
	if (ff_intern_put_hashed(p->frames, name, len,
	    ff_memo_frame_h64(ps->m, tf), lf) != FF_OK)
		return FF_ERR_NOMEM;
	if (*lf >= ps->frames_cap) {
		uint32_t cap = ps->frames_cap ? ps->frames_cap * 2 : 1024;

		if (grow((void **)&p->frame_hash, cap, 2 * sizeof(uint64_t)) ||
		    grow((void **)&p->frame_func, cap, sizeof(uint32_t)))
			return FF_ERR_NOMEM;
		ps->frames_cap = cap;
	}
	memcpy(p->frame_hash + 2 * (size_t)*lf, ff_memo_frame_hash(ps->m, tf),
	    2 * sizeof(uint64_t));
	if ((rc = local_func(ps, ff_memo_frame_func(ps->m, tf),
	    &p->frame_func[*lf])) != FF_OK)
		return rc;
	ps->fmap[tf] = *lf + 1;
	return FF_OK;
}

/* The stacks were recorded with thread frame ids: give the profile its
 * own frames (in order of first use) and rewrite them. */
static ff_rc
localize_frames(struct parser *ps)
{
	ff_prep *p = ps->p;
	size_t n = ps->suffix_len, i;
	uint32_t s;

	ps->fmap = ff_calloc(ff_memo_frames(ps->m) + 1, sizeof *ps->fmap);
	ps->umap = ff_calloc(ff_memo_funcs(ps->m) + 1, sizeof *ps->umap);
	if (ps->fmap == NULL || ps->umap == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		uint32_t t = p->suffix[i];

		if (ps->fmap[t] != 0)
			p->suffix[i] = ps->fmap[t] - 1;
		else if (local_frame(ps, t, &p->suffix[i]) != FF_OK)
			return FF_ERR_NOMEM;
	}
	for (s = 0; s < p->nstacks; s++)
		if (local_frame(ps, p->leaf[s], &p->leaf[s]) != FF_OK)
			return FF_ERR_NOMEM;
	return FF_OK;
}

/* The rollups, from thread functions to the profile's. */
static ff_rc
localize_rollups(struct parser *ps)
{
	ff_prep *p = ps->p;
	unsigned nev = ps->nev;
	uint32_t i, lf, nf;

	for (i = 0; i < ps->ntouched; i++)
		if (local_func(ps, ps->touched[i], &lf) != FF_OK)
			return FF_ERR_NOMEM;
	nf = ff_intern_count(p->funcs);
	p->self = ff_calloc((size_t)(nf ? nf : 1) * nev, sizeof *p->self);
	p->incl = ff_calloc((size_t)(nf ? nf : 1) * nev, sizeof *p->incl);
	if (p->self == NULL || p->incl == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; i < ps->ntouched; i++) {
		uint32_t t = ps->touched[i];
		const uint64_t *v = ps->tacc + (size_t)t * 2 * nev;

		lf = ps->umap[t] - 1;
		memcpy(p->self + (size_t)lf * nev, v, nev * sizeof *v);
		memcpy(p->incl + (size_t)lf * nev, v + nev, nev * sizeof *v);
	}
	return FF_OK;
}

/* ---- splitting a line into frames ----------------------------------------- */

/* The length of the common prefix of a[0..n) and b[0..n), a word at a
 * time. */
static size_t
common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* How many leading frames of text are the previous line's; *same gets
 * the number of leading bytes they share. */
static uint32_t
shared_frames(const struct parser *ps, const char *text, size_t len,
    size_t *same)
{
	size_t n = len < ps->len ? len : ps->len;
	uint32_t k = 0;

	*same = common_prefix(text, ps->text, n);
	while (k < ps->depth && ps->end[k] <= *same &&
	    (ps->end[k] == len || text[ps->end[k]] == ';'))
		k++;
	return k;
}

/* Split the line into thread frames with their path hashes, reusing the
 * frames it shares with the previous line when that one was split. */
static ff_rc
split_frames(struct parser *ps, const ff_fold_line *l, ff_err *err)
{
	static const uint64_t root[2] = { 0, 0 };
	size_t same = 0, off;
	uint32_t k = 0;
	ff_rc rc;

	if (ps->split_ok)
		k = shared_frames(ps, l->stack, l->len, &same);
	off = k > 0 ? ps->end[k - 1] + 1 : 0;
	if (l->len > ps->cap) {
		char *t = ff_realloc(ps->text, l->len);

		if (t == NULL)
			return ff_err_nomem(err);
		ps->text = t;
		ps->cap = l->len;
	}
	memcpy(ps->text + same, l->stack + same, l->len - same);
	ps->len = l->len;
	ps->depth = k;
	ps->split_ok = 0;   /* until this line is split */
	while (!(k > 0 && ps->end[k - 1] == l->len)) {
		const char *f = l->stack + off;
		const char *semi = memchr(f, ';', l->len - off);
		size_t flen = semi != NULL ? (size_t)(semi - f) : l->len - off;

		if (k == FF_DEPTH_MAX)
			return bad_line(ps, err, "stack deeper than 4096 frames");
		if (flen > FF_FRAME_MAX)
			return bad_line(ps, err, "frame name longer than 65536 "
			    "bytes");
		if ((rc = ff_memo_frame(ps->m, f, flen, &ps->tfid[k])) != FF_OK)
			return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
			    bad_line(ps, err, "too many distinct frames");
		chain(k > 0 ? ps->ph + 2 * (k - 1) : root,
		    ff_memo_frame_hash(ps->m, ps->tfid[k]), ps->ph + 2 * k);
		ps->end[k] = (uint32_t)(off + flen);
		ps->depth = ++k;
		off += flen + 1;
	}
	ps->split_ok = 1;
	return FF_OK;
}

/* What the line's stack is: from the memo, or split and remembered. */
static ff_rc
line_stack(struct parser *ps, const ff_fold_line *l, ff_memo_line *li,
    ff_err *err)
{
	uint64_t key[2];
	ff_rc rc;

	ff_hash128(l->stack, l->len, key);
	if (ff_memo_find(ps->m, key, li)) {
		ps->split_ok = 0;   /* the text of this line was not split */
		return FF_OK;
	}
	if ((rc = split_frames(ps, l, err)) != FF_OK)
		return rc;
	memcpy(li->ph, ps->ph + 2 * (ps->depth - 1), sizeof li->ph);
	li->depth = ps->depth;
	li->path = ps->tfid;
	ff_memo_distinct(ps->m, ps->tfid, ps->depth, ps->dfuncs, &li->nfuncs);
	li->funcs = ps->dfuncs;
	if (ff_memo_add(ps->m, key, li->ph, li->path, li->depth, li->funcs,
	    li->nfuncs) != FF_OK)
		return ff_err_nomem(err);
	return FF_OK;
}

/* ---- stacks -------------------------------------------------------------- */

static size_t
slot_of(const struct parser *ps, const uint64_t *h)
{
	size_t i = (size_t)h[0] & ps->mask;
	const uint64_t *sh = ps->p->stack_hash;

	while (ps->slots[i] != 0) {
		const uint64_t *o = sh + 2 * (size_t)(ps->slots[i] - 1);

		if (o[0] == h[0] && o[1] == h[1])
			break;
		i = (i + 1) & ps->mask;
	}
	return i;
}

static ff_rc
rehash(struct parser *ps)
{
	size_t mask = ps->mask * 2 + 1, i;
	uint32_t *old = ps->slots, s;

	if ((ps->slots = ff_calloc(mask + 1, sizeof *ps->slots)) == NULL) {
		ps->slots = old;
		return FF_ERR_NOMEM;
	}
	ps->mask = mask;
	for (s = 0; s < ps->p->nstacks; s++) {
		i = slot_of(ps, ps->p->stack_hash + 2 * (size_t)s);
		ps->slots[i] = s + 1;
	}
	ff_free(old);
	return FF_OK;
}

static ff_rc
stacks_room(struct parser *ps, size_t suffix)
{
	ff_prep *p = ps->p;
	uint32_t cap;

	if (ps->suffix_len + suffix > ps->suffix_cap) {
		size_t c = ps->suffix_cap ? ps->suffix_cap * 2 : 16384;

		/* Never loops: a suffix is at most FF_DEPTH_MAX (4096) frames,
		 * less than the first capacity, so doubling always suffices.
		 * GCOVR_EXCL_START */
		while (c < ps->suffix_len + suffix)
			c *= 2;
		/* GCOVR_EXCL_STOP */
		if (c > UINT32_MAX || grow((void **)&p->suffix, c,
		    sizeof *p->suffix))
			return FF_ERR_NOMEM;
		ps->suffix_cap = c;
	}
	if (p->nstacks + 1 < ps->stacks_cap)
		return FF_OK;
	if (ps->stacks_cap >= UINT32_MAX / 2)
		return FF_ERR_LIMIT;
	cap = ps->stacks_cap ? ps->stacks_cap * 2 : 1024;
	if (grow((void **)&p->stack_hash, cap, 2 * sizeof(uint64_t)) ||
	    grow((void **)&p->depth, cap, sizeof(uint32_t)) ||
	    grow((void **)&p->leaf, cap, sizeof(uint32_t)) ||
	    grow((void **)&p->shared, cap, sizeof(uint32_t)) ||
	    grow((void **)&p->suffix_off, cap + 1, sizeof(uint32_t)) ||
	    grow((void **)&p->values, cap, ps->nev * sizeof(uint64_t)))
		return FF_ERR_NOMEM;
	ps->stacks_cap = cap;
	return FF_OK;
}

/* Append the line's stack as a new one: its frames are front-coded
 * against the stack stored before it. */
static ff_rc
stack_append(struct parser *ps, const ff_memo_line *li,
    const uint64_t *vals, size_t slot)
{
	ff_prep *p = ps->p;
	uint32_t k = 0, s = p->nstacks, d = li->depth;
	ff_rc rc;

	while (k < d && k < ps->last_depth && ps->last[k] == li->path[k])
		k++;
	if ((rc = stacks_room(ps, d - k)) != FF_OK)
		return rc;
	/* Thread frame ids for now: localize_frames rewrites them. */
	memcpy(p->suffix + ps->suffix_len, li->path + k, (d - k) *
	    sizeof *p->suffix);
	ps->suffix_len += d - k;
	p->leaf[s] = li->path[d - 1];
	memcpy(p->stack_hash + 2 * (size_t)s, li->ph, sizeof li->ph);
	p->depth[s] = d;
	p->shared[s] = k;
	p->suffix_off[s + 1] = (uint32_t)ps->suffix_len;
	memcpy(p->values + (size_t)s * ps->nev, vals, ps->nev *
	    sizeof *vals);
	memcpy(ps->last + k, li->path + k, (d - k) * sizeof *ps->last);
	ps->last_depth = d;
	ps->slots[slot] = ++p->nstacks;
	if ((size_t)p->nstacks * 2 > ps->mask)
		return rehash(ps);
	return FF_OK;
}

/* Record the line's values under its stack (new or seen). */
static ff_rc
stack_add(struct parser *ps, const ff_memo_line *li, const uint64_t *vals,
    ff_err *err)
{
	size_t slot = slot_of(ps, li->ph);
	unsigned e;
	ff_rc rc;

	if (ps->slots[slot] != 0) {   /* the same stack again: add up */
		uint64_t *v = ps->p->values + (size_t)(ps->slots[slot] - 1) *
		    ps->nev;

		for (e = 0; e < ps->nev; e++)
			v[e] += vals[e];   /* bounded by the totals */
		return FF_OK;
	}
	if ((rc = stack_append(ps, li, vals, slot)) == FF_OK)
		return FF_OK;
	return rc == FF_ERR_NOMEM ? ff_err_nomem(err) :
	    bad_line(ps, err, "too many distinct stacks");
}

/* Room for the rollups of every thread function there is. */
static ff_rc
tacc_room(struct parser *ps)
{
	uint32_t need = ff_memo_funcs(ps->m), cap;
	size_t per = 2 * (size_t)ps->nev;

	if (need <= ps->tcap)
		return FF_OK;
	cap = ps->tcap ? ps->tcap : 1024;
	while (cap < need)
		cap *= 2;
	if (grow((void **)&ps->tacc, cap, per * sizeof *ps->tacc) ||
	    grow((void **)&ps->tmark, cap, 1) ||
	    grow((void **)&ps->touched, cap, sizeof *ps->touched))
		return FF_ERR_NOMEM;
	memset(ps->tacc + ps->tcap * per, 0, (cap - ps->tcap) * per *
	    sizeof *ps->tacc);
	memset(ps->tmark + ps->tcap, 0, cap - ps->tcap);
	ps->tcap = cap;
	return FF_OK;
}

static inline uint64_t *
tacc_of(struct parser *ps, uint32_t t)
{
	if (!ps->tmark[t]) {
		ps->tmark[t] = 1;
		ps->touched[ps->ntouched++] = t;
	}
	return ps->tacc + (size_t)t * 2 * ps->nev;
}

/* Self for the leaf's function, inclusive for each function on the
 * stack once. */
static ff_rc
rollup_line(struct parser *ps, const ff_memo_line *li, const uint64_t *vals,
    ff_err *err)
{
	unsigned nev = ps->nev, e;
	uint64_t *a;
	uint32_t k;

	if (tacc_room(ps) != FF_OK)
		return ff_err_nomem(err);
	a = tacc_of(ps, ff_memo_frame_func(ps->m, li->path[li->depth - 1]));
	for (e = 0; e < nev; e++)
		a[e] += vals[e];
	if (nev == 1) {   /* the common case, without the inner loop */
		for (k = 0; k < li->nfuncs; k++)
			tacc_of(ps, li->funcs[k])[1] += vals[0];
		return FF_OK;
	}
	for (k = 0; k < li->nfuncs; k++) {
		a = tacc_of(ps, li->funcs[k]) + nev;
		for (e = 0; e < nev; e++)
			a[e] += vals[e];
	}
	return FF_OK;
}

/* Add vals to the totals unless a sum would pass FF_COUNT_MAX (then
 * every later sum could too: the line is refused). */
static ff_rc
add_totals(struct parser *ps, const uint64_t *vals, ff_err *err)
{
	unsigned e;

	for (e = 0; e < ps->nev; e++)
		if (vals[e] > (uint64_t)FF_COUNT_MAX - ps->p->totals[e])
			return bad_line(ps, err, "counts overflow the total of "
			    "2^63-1");
	for (e = 0; e < ps->nev; e++)
		ps->p->totals[e] += vals[e];
	return FF_OK;
}

static ff_rc
parse_lines(struct parser *ps, ff_fold_reader *r, ff_err *err)
{
	ff_memo_line li;
	ff_fold_line l;
	ff_rc rc;

	while ((rc = ff_fold_reader_next(r, &l, err)) == FF_OK)
		if ((rc = add_totals(ps, l.values, err)) != FF_OK ||
		    (rc = line_stack(ps, &l, &li, err)) != FF_OK ||
		    (rc = stack_add(ps, &li, l.values, err)) != FF_OK ||
		    (rc = rollup_line(ps, &li, l.values, err)) != FF_OK)
			return rc;
	if (rc != FF_DONE)
		return rc;
	if (localize_frames(ps) != FF_OK || localize_rollups(ps) != FF_OK)
		return ff_err_nomem(err);
	return FF_OK;
}

/* ---- the whole file ------------------------------------------------------ */

static ff_rc
prep_read(ff_prep *p, const void *data, size_t len, const char *name,
    const ff_prep_opts *opts, ff_err *err)
{
	ff_src_opts so = { 0 };
	ff_fold_reader *r = NULL;
	struct parser ps;
	ff_src *src = NULL;
	const char *json, *peek;
	size_t jlen, n;
	ff_rc rc;

	so.max_decompressed = opts != NULL ? opts->max_decompressed : 0;
	so.max_meta = FF_META_MAX;
	memset(&ps, 0, sizeof ps);
	if ((rc = ff_src_open_mem(&src, data, len, name, &so, err)) != FF_OK)
		return rc;
	if ((rc = ff_src_peek(src, 1, &peek, &n, err)) != FF_OK)
		goto out;
	if ((json = ff_src_meta(src, &jlen)) == NULL) {
		rc = ff_err_set(err, FF_ERR_PARSE, "%s: not a flamefleet "
		    "profile (no metadata frame)", name);
		goto out;
	}
	if ((rc = ff_meta_parse(&p->meta, json, jlen, err)) != FF_OK) {
		ff_err_prefix(err, "%s: ", name);
		goto out;
	}
	if (len <= FF_ZST_SKIP_HEADER + jlen) {
		rc = ff_err_set(err, FF_ERR_PARSE, "%s: no data after the "
		    "metadata frame (truncated?)", name);
		goto out;
	}
	if ((rc = parser_init(&ps, p, src)) != FF_OK) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((rc = ff_fold_reader_new(&r, src, p->meta.nevents, NULL, err)) ==
	    FF_OK)
		rc = parse_lines(&ps, r, err);
out:
	parser_free(&ps);
	ff_fold_reader_free(r);
	ff_src_close(src);
	return rc;
}

static void
prep_cost(ff_prep *p)
{
	uint64_t nf = ff_intern_count(p->frames);
	uint64_t nfn = ff_intern_count(p->funcs);

	p->cost = sizeof *p + ff_intern_bytes(p->frames) +
	    ff_intern_bytes(p->funcs) + nf * 20 +
	    (uint64_t)p->nstacks * (32 + 8u * p->meta.nevents) +
	    (uint64_t)p->suffix_off[p->nstacks] * 4 +
	    nfn * 16u * p->meta.nevents;
}

ff_rc
ff_prep_parse(ff_prep **out, const void *data, size_t len, const char *name,
    const ff_prep_opts *opts, ff_err *err)
{
	uint64_t cap = opts != NULL ? opts->max_decompressed : 0;
	unsigned long failures = ff_mem_failures();
	ff_prep *p;
	ff_err e;
	ff_rc rc;

	*out = NULL;
	ff_err_init(&e);
	if ((p = ff_calloc(1, sizeof *p)) == NULL)
		return ff_err_nomem(err);
	ff_meta_init(&p->meta);
	ff_prep_hash(data, len, p->hash);
	p->bytes = len;
	rc = prep_read(p, data, len, name, opts, &e);
	/* Libraries may report a failed allocation as something else. */
	if (rc != FF_OK && ff_mem_failures() != failures)
		rc = ff_err_nomem(&e);
	if (rc != FF_OK && rc != FF_ERR_NOMEM) {
		/* A bomb may first break a line limit: it is still a 413. */
		if (cap != 0 && ff_prep_inflates_past(data, len, cap))
			rc = ff_err_set(&e, FF_ERR_LIMIT, "%s: the data "
			    "inflates to more than %llu bytes", name,
			    (unsigned long long)cap);
		else
			rc = e.rc = FF_ERR_PARSE;
	}
	if (rc != FF_OK) {
		if (err != NULL)
			*err = e;
		ff_prep_free(p);
		return rc;
	}
	prep_cost(p);
	*out = p;
	return FF_OK;
}
