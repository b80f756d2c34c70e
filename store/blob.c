/*
 * blob.c -- packed (id, values...) rows (see blob.h for the layout).
 */
#include "store/blob.h"

#include <assert.h>

ff_rc
ff_blob_enc_begin(ff_blob_enc *e, ff_buf *out, unsigned ncols, size_t nrows)
{
	assert(ncols >= 1 && ncols <= FF_BLOB_COLS_MAX);
	e->out = out;
	e->ncols = ncols;
	e->prev = -1;
	e->rows = nrows;
	e->left = nrows;
	if (ff_buf_reserve(out, 1 + 2 * FF_VARINT_MAX) != FF_OK)
		return FF_ERR_NOMEM;
	out->p[out->len++] = FF_BLOB_FORMAT;
	ff_buf_varint(out, ncols);
	ff_buf_varint(out, nrows);
	return FF_OK;
}

ff_rc
ff_blob_enc_row(ff_blob_enc *e, uint32_t id, const uint64_t *vals)
{
	unsigned i;

	assert(e->left > 0);
	assert((int64_t)id > e->prev);
	if (ff_buf_reserve(e->out, (size_t)(e->ncols + 1) * FF_VARINT_MAX) !=
	    FF_OK)
		return FF_ERR_NOMEM;
	ff_buf_varint(e->out, (uint64_t)((int64_t)id - e->prev - 1));
	for (i = 0; i < e->ncols; i++)
		ff_buf_varint(e->out, vals[i]);
	e->prev = id;
	e->left--;
	return FF_OK;
}

ff_rc
ff_blob_iter_init(ff_blob_iter *it, const void *blob, size_t len,
    unsigned want, ff_err *err)
{
	uint64_t ncols;

	it->p = blob;
	it->end = it->p + len;
	it->prev = -1;
	it->rows = it->left = 0;
	it->ncols = 0;
	if (len == 0 || *it->p != FF_BLOB_FORMAT)
		return ff_err_set(err, FF_ERR_PARSE, "packed rows: unknown "
		    "format %d", len == 0 ? -1 : *it->p);
	it->p++;
	if (ff_varint_get(&it->p, it->end, &ncols) != 0 ||
	    ff_varint_get(&it->p, it->end, &it->rows) != 0)
		return ff_err_set(err, FF_ERR_PARSE, "packed rows: truncated "
		    "header");
	if (ncols < 1 || ncols > FF_BLOB_COLS_MAX ||
	    (want != 0 && ncols != want))
		return ff_err_set(err, FF_ERR_PARSE, "packed rows: %llu "
		    "columns, expected %u", (unsigned long long)ncols, want);
	/* Every row takes at least ncols + 1 bytes. */
	if (it->rows > (uint64_t)(it->end - it->p) / (ncols + 1))
		return ff_err_set(err, FF_ERR_PARSE, "packed rows: %llu rows "
		    "cannot fit in %zu bytes", (unsigned long long)it->rows,
		    (size_t)(it->end - it->p));
	it->ncols = (unsigned)ncols;
	it->left = it->rows;
	return FF_OK;
}

ff_rc
ff_blob_iter_next(ff_blob_iter *it, uint32_t *id, uint64_t *vals,
    ff_err *err)
{
	uint64_t delta, next;
	unsigned i;

	if (it->left == 0) {
		if (it->p != it->end)
			return ff_err_set(err, FF_ERR_PARSE, "packed rows: "
			    "%zu bytes after the last row",
			    (size_t)(it->end - it->p));
		return FF_DONE;
	}
	if (ff_varint_get(&it->p, it->end, &delta) != 0)
		goto bad;
	next = (uint64_t)(it->prev + 1) + delta;
	if (delta > UINT32_MAX || next > UINT32_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "packed rows: id out of "
		    "range");
	for (i = 0; i < it->ncols; i++)
		if (ff_varint_get(&it->p, it->end, &vals[i]) != 0)
			goto bad;
	it->prev = (int64_t)next;
	it->left--;
	*id = (uint32_t)next;
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_PARSE, "packed rows: truncated row %llu",
	    (unsigned long long)(it->rows - it->left));
}
