/*
 * intern.h -- the frame table: each distinct frame name gets a small id.
 *
 * Names are copied into an arena once; afterwards everything works on
 * 32-bit ids and turns them back into text only at the edges.  Ids are
 * dense and start at 0, in order of first insertion.  The table is an
 * open-addressing hash (xxHash, linear probing, at most half full).
 */
#ifndef FF_INTERN_H
#define FF_INTERN_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_intern ff_intern;

/* A new, empty table, or NULL when out of memory. */
ff_intern *ff_intern_new(void);

/* Free the table and every name in it. Accepts NULL. */
void ff_intern_free(ff_intern *t);

/* The id of s[0..len), inserting a copy when it is new.  s is borrowed.
 * FF_ERR_LIMIT (a name longer than FF_FRAME_MAX, or too many names) and
 * FF_ERR_NOMEM leave the table as it was.  These codes come without a
 * message: the caller knows which line it was reading. */
ff_rc ff_intern_put(ff_intern *t, const char *s, size_t len, uint32_t *id)
	FF_WUR;

/* The same, with hash == ff_hash64(s, len) already computed. */
ff_rc ff_intern_put_hashed(ff_intern *t, const char *s, size_t len,
    uint64_t hash, uint32_t *id) FF_WUR;

/* 1 and *id when s[0..len) is in the table, else 0. */
int ff_intern_find(const ff_intern *t, const char *s, size_t len,
    uint32_t *id);

/* The name of id (NUL-terminated, owned by the table), and its length in
 * *len when len is not NULL.  id must be < ff_intern_count(t). */
const char *ff_intern_str(const ff_intern *t, uint32_t id, size_t *len);

/* The number of names. */
uint32_t ff_intern_count(const ff_intern *t);

/* Approximate heap bytes held (for statistics and benchmarks). */
size_t ff_intern_bytes(const ff_intern *t);

#ifndef NDEBUG
/* Check every invariant; aborts on a broken table (debug builds only). */
void ff_intern_check(const ff_intern *t);
#endif

#endif
