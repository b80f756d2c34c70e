/*
 * sums.c -- summed values by id (see sums.h).
 */
#include "store/sums.h"
#include "profile/hash.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "store/blob.h"
#include "store/radix.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct ff_sums {
	unsigned ncols;
	size_t n, cap;          /* rows */
	uint32_t *ids;          /* by row */
	uint64_t *vals;         /* ncols per row */
	uint32_t *slots;        /* 1 + row, 0 = empty */
	size_t mask;
	int sorted;             /* rows are in id order; slots are stale */
};

ff_sums *
ff_sums_new(unsigned ncols)
{
	ff_sums *s;

	if (ncols < 1 || ncols > FF_BLOB_COLS_MAX)
		return NULL;
	if ((s = ff_calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->ncols = ncols;
	s->mask = 1023;
	if ((s->slots = ff_calloc(s->mask + 1, sizeof *s->slots)) == NULL) {
		ff_free(s);
		return NULL;
	}
	return s;
}

void
ff_sums_free(ff_sums *s)
{
	if (s == NULL)
		return;
	ff_free(s->ids);
	ff_free(s->vals);
	ff_free(s->slots);
	ff_free(s);
}

void
ff_sums_clear(ff_sums *s)
{
	s->n = 0;
	s->sorted = 0;
	memset(s->slots, 0, (s->mask + 1) * sizeof *s->slots);
}

size_t
ff_sums_count(const ff_sums *s)
{
	return s->n;
}

unsigned
ff_sums_ncols(const ff_sums *s)
{
	return s->ncols;
}

uint32_t
ff_sums_id(const ff_sums *s, size_t i)
{
	assert(i < s->n);
	return s->ids[i];
}

const uint64_t *
ff_sums_vals(const ff_sums *s, size_t i)
{
	assert(i < s->n);
	return s->vals + i * s->ncols;
}

static size_t
slot_of(const ff_sums *s, uint32_t id)
{
	size_t i = (size_t)(id * 0x9E3779B1u) & s->mask;

	while (s->slots[i] != 0 && s->ids[s->slots[i] - 1] != id)
		i = (i + 1) & s->mask;
	return i;
}

/* Rebuild the slots for the current rows with mask. */
static ff_rc
sums_rehash(ff_sums *s, size_t mask)
{
	uint32_t *slots = ff_calloc(mask + 1, sizeof *slots);
	size_t r;

	if (slots == NULL)
		return FF_ERR_NOMEM;
	ff_free(s->slots);
	s->slots = slots;
	s->mask = mask;
	for (r = 0; r < s->n; r++)
		s->slots[slot_of(s, s->ids[r])] = (uint32_t)r + 1;
	s->sorted = 0;
	return FF_OK;
}

static ff_rc
sums_grow(ff_sums *s)
{
	size_t cap = s->cap != 0 ? s->cap * 2 : 1024;
	uint32_t *ids;
	uint64_t *vals;

	if (cap > UINT32_MAX - 1)
		return FF_ERR_NOMEM;
	ids = ff_reallocarray(s->ids, cap, sizeof *ids);
	if (ids == NULL)
		return FF_ERR_NOMEM;
	s->ids = ids;
	vals = ff_reallocarray(s->vals, cap, s->ncols * sizeof *vals);
	if (vals == NULL)
		return FF_ERR_NOMEM;
	s->vals = vals;
	s->cap = cap;
	return FF_OK;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	uint64_t c = a + b;

	return c < a || c > (uint64_t)FF_COUNT_MAX ? (uint64_t)FF_COUNT_MAX :
	    c;
}

ff_rc
ff_sums_add(ff_sums *s, uint32_t id, const uint64_t *vals)
{
	uint64_t *row;
	size_t i;
	unsigned c;

	if (s->sorted && sums_rehash(s, s->mask) != FF_OK)
		return FF_ERR_NOMEM;
	i = slot_of(s, id);
	if (s->slots[i] == 0) {
		if (s->n == s->cap && sums_grow(s) != FF_OK)
			return FF_ERR_NOMEM;
		if ((s->n + 1) * 2 > s->mask) {
			if (sums_rehash(s, s->mask * 2 + 1) != FF_OK)
				return FF_ERR_NOMEM;
			i = slot_of(s, id);
		}
		s->ids[s->n] = id;
		memset(s->vals + s->n * s->ncols, 0, s->ncols * sizeof *vals);
		s->slots[i] = (uint32_t)++s->n;
	}
	row = s->vals + (size_t)(s->slots[i] - 1) * s->ncols;
	for (c = 0; c < s->ncols; c++)
		row[c] = sat_add(row[c], vals[c]);
	return FF_OK;
}

ff_rc
ff_sums_add_blob(ff_sums *s, const void *blob, size_t len, ff_err *err)
{
	uint64_t vals[FF_BLOB_COLS_MAX];
	ff_blob_iter it;
	uint32_t id;
	ff_rc rc;

	if ((rc = ff_blob_iter_init(&it, blob, len, s->ncols, err)) != FF_OK)
		return rc;
	while ((rc = ff_blob_iter_next(&it, &id, vals, err)) == FF_OK)
		if (ff_sums_add(s, id, vals) != FF_OK)
			return ff_err_nomem(err);
	return rc == FF_DONE ? FF_OK : rc;
}

/* ---- sorting ------------------------------------------------------------- */

ff_rc
ff_sums_sort(ff_sums *s)
{
	uint64_t *keys, *vals;
	size_t r;

	if (s->n == 0)
		return FF_OK;
	keys = ff_reallocarray(NULL, s->n, sizeof *keys);
	vals = ff_reallocarray(NULL, s->cap, s->ncols * sizeof *vals);
	if (keys == NULL || vals == NULL) {
		ff_free(keys);
		ff_free(vals);
		return FF_ERR_NOMEM;
	}
	for (r = 0; r < s->n; r++)
		keys[r] = (uint64_t)s->ids[r] << 32 | r;
	if (ff_radix_sort(keys, s->n) != FF_OK) {
		ff_free(keys);
		ff_free(vals);
		return FF_ERR_NOMEM;
	}
	for (r = 0; r < s->n; r++) {
		size_t from = (uint32_t)keys[r];

		s->ids[r] = (uint32_t)(keys[r] >> 32);
		memcpy(vals + r * s->ncols, s->vals + from * s->ncols,
		    s->ncols * sizeof *vals);
	}
	ff_free(s->vals);
	s->vals = vals;
	ff_free(keys);
	s->sorted = 1;
	return FF_OK;
}

static int
all_zero(const uint64_t *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (v[i] != 0)
			return 0;
	return 1;
}

ff_rc
ff_sums_encode(ff_sums *s, ff_buf *out, int skip_zero)
{
	size_t r, rows = 0;
	ff_blob_enc e;
	ff_rc rc;

	if ((rc = ff_sums_sort(s)) != FF_OK)
		return rc;
	for (r = 0; r < s->n; r++)
		rows += !(skip_zero && all_zero(ff_sums_vals(s, r), s->ncols));
	if ((rc = ff_blob_enc_begin(&e, out, s->ncols, rows)) != FF_OK)
		return rc;
	for (r = 0; r < s->n; r++) {
		if (skip_zero && all_zero(ff_sums_vals(s, r), s->ncols))
			continue;
		if ((rc = ff_blob_enc_row(&e, s->ids[r], ff_sums_vals(s, r))) !=
		    FF_OK)
			return rc;
	}
	return FF_OK;
}
