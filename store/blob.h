/*
 * blob.h -- the store's packed tables: rows of (id, values...) in a blob.
 *
 * A profile's samples (stack id, one count per event) and its function
 * rollup (function id, self and inclusive per event), and the summed
 * stacks of a build, are each stored as one blob instead of one SQLite
 * row per entry: 2-4 bytes per row instead of 14-17, and a query decodes
 * a whole profile with one B-tree lookup.
 *
 *   | bytes  | content                                                |
 *   |--------|--------------------------------------------------------|
 *   | 1      | format, 1                                              |
 *   | varint | ncols, the number of values per row (1..16)            |
 *   | varint | nrows                                                  |
 *   | ...    | nrows rows: varint (id - previous id - 1), the previous |
 *   |        | id of the first row being -1; then ncols varints       |
 *
 * Ids are therefore strictly increasing (and < 2^32) by construction, and
 * a blob has exactly one encoding.  Varints are unsigned LEB128
 * (varint.h).  Decoding checks every bound: a corrupt blob is an
 * FF_ERR_PARSE, never an out-of-bounds read.
 */
#ifndef FF_BLOB_H
#define FF_BLOB_H

#include "profile/err.h"
#include "store/buf.h"

#include <stddef.h>
#include <stdint.h>

#define FF_BLOB_FORMAT 1
#define FF_BLOB_COLS_MAX 16

/* ---- encoding ------------------------------------------------------------ */

typedef struct ff_blob_enc {
	ff_buf *out;       /* borrowed */
	unsigned ncols;
	int64_t prev;
	size_t rows, left;
} ff_blob_enc;

/* Start a blob of nrows rows of ncols values, appended to out. */
ff_rc ff_blob_enc_begin(ff_blob_enc *e, ff_buf *out, unsigned ncols,
    size_t nrows) FF_WUR;

/* Append one row; id must be greater than the previous row's, and at most
 * nrows rows may be added (asserted).  FF_ERR_NOMEM leaves the row out. */
ff_rc ff_blob_enc_row(ff_blob_enc *e, uint32_t id, const uint64_t *vals)
	FF_WUR;

/* ---- decoding ------------------------------------------------------------ */

typedef struct ff_blob_iter {
	const unsigned char *p, *end;   /* borrowed blob */
	unsigned ncols;
	uint64_t rows, left;
	int64_t prev;
} ff_blob_iter;

/* Read the header of blob[0..len) (borrowed; must outlive the iterator).
 * FF_ERR_PARSE for a bad header or when ncols is not `want` (0 accepts
 * any column count). */
ff_rc ff_blob_iter_init(ff_blob_iter *it, const void *blob, size_t len,
    unsigned want, ff_err *err) FF_WUR;

/* The next row: FF_OK, FF_DONE after the last one (when no byte is left
 * over), or FF_ERR_PARSE.  vals receives ncols values. */
ff_rc ff_blob_iter_next(ff_blob_iter *it, uint32_t *id, uint64_t *vals,
    ff_err *err) FF_WUR;

#endif
