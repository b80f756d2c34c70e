/*
 * json.h -- building JSON output (listings, HTTP answers) with jansson.
 *
 * jansson allocates through ff_malloc (ff_json_init, idempotent).  Text
 * that may not be UTF-8 (frame names, anything read back from a damaged
 * database) goes through ff_json_text, which replaces invalid sequences
 * by U+FFFD, so every answer is valid JSON.
 */
#ifndef FF_JSON_H
#define FF_JSON_H

#include "profile/err.h"
#include "store/buf.h"
#include "store/query.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Route jansson's allocations through ff_malloc.  Thread-safe. */
void ff_json_init(void);

/* A JSON string of s[0..len) (sanitised), or NULL when out of memory. */
json_t *ff_json_text(const char *s, size_t len);

/* ff_json_text of a NUL-terminated string; JSON null for NULL. */
json_t *ff_json_str(const char *s);

/* An array of n unsigned integers (clamped to 2^63-1), or NULL. */
json_t *ff_json_u64s(const uint64_t *v, unsigned n);

/* Set key of obj to v, taking v; returns nonzero when v is NULL or the
 * set fails (so errors can be or-ed together). */
int ff_json_set(json_t *obj, const char *key, json_t *v);

/* One build of a listing (`ffstore list --json`, GET /v1/builds):
 * build, type, profiles, hosts, rows, first, last.  NULL when out of
 * memory. */
json_t *ff_json_build_row(const ff_build_row *b);

/* Append v as compact text (keys in insertion order) to out, and take v
 * (it is released, also on error). */
ff_rc ff_json_dump(json_t *v, ff_buf *out) FF_WUR;

/* {"error": msg} as text appended to out. */
ff_rc ff_json_error(ff_buf *out, const char *msg) FF_WUR;

#endif
