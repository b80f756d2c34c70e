/*
 * store.h -- a store opened for reading: the handle every query takes.
 *
 * A read-only SQLite connection (WAL lets it read while the writer
 * writes) and the store's dictionary (frames, functions, stack nodes),
 * brought up to date at the start of each query.  One handle is used by
 * one thread at a time; the HTTP server keeps a pool of them sharing one
 * dictionary.
 */
#ifndef FF_STORE_H
#define FF_STORE_H

#include "profile/err.h"
#include "store/db.h"
#include "store/dict.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_store ff_store;

/* Open the store at path for reading.  FF_ERR_IO when it cannot be
 * opened, FF_ERR_DB when it is not a store of this version.  On error
 * *out is NULL. */
ff_rc ff_store_open(ff_store **out, const char *path, ff_err *err) FF_WUR;

/* The same, sharing dict (borrowed; it must outlive the handle) with
 * other handles on the same file. */
ff_rc ff_store_open_shared(ff_store **out, const char *path, ff_dict *dict,
    ff_err *err) FF_WUR;

/* Close.  Accepts NULL. */
void ff_store_close(ff_store *st);

/* Function names: ids are those of the function values queries
 * (query.h).  Valid until the next query on this handle. */
uint32_t ff_store_func_count(ff_store *st);
const char *ff_store_func_name(ff_store *st, uint32_t id, size_t *len);

/* For the store's own modules: the connection and the dictionary.
 * ff_store_begin starts a read snapshot and refreshes the dictionary;
 * ff_store_end ends the snapshot. */
ff_db *ff_store_db(ff_store *st);
ff_dict *ff_store_dict(ff_store *st);
ff_rc ff_store_begin(ff_store *st, ff_err *err) FF_WUR;
void ff_store_end(ff_store *st);

#endif
