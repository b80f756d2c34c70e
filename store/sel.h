/*
 * sel.h -- a selection of profiles: which build, hosts, type, time range
 * and labels.  The diff engine, the HTTP API and ffstore's options all
 * fill one and hand it to the queries (query.h).
 *
 * Every term that is set must hold (AND).  Caller-owned: ff_sel_init
 * cannot fail and selects every profile; ff_sel_free releases the strings
 * and leaves the selection as ff_sel_init did.
 *
 *   | term        | field    | matches a profile when               |
 *   |-------------|----------|--------------------------------------|
 *   | build=B     | build    | its build is exactly B               |
 *   | host=GLOB   | host     | its host matches GLOB (fnmatch: *, ?, [...]) |
 *   | type=T      | type     | its type is exactly T                |
 *   | since=TIME  | since    | it started at or after TIME          |
 *   | until=TIME  | until    | it started before TIME               |
 *   | label.K=V   | labels[] | it has label K with value exactly V  |
 *
 * TIME is RFC 3339 ("2026-11-21T20:00:00Z"), "now", or a duration before
 * now ("-24h", "-30d"); in the struct, Unix seconds.
 */
#ifndef FF_SEL_H
#define FF_SEL_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

#define FF_SEL_LABELS_MAX 16
#define FF_SEL_VALUE_MAX 255   /* longest build, host glob, type, value */

typedef struct ff_sel_label {
	char *key;
	char *value;
} ff_sel_label;

typedef struct ff_sel {
	char *build;            /* NULL: any */
	char *host;             /* a glob; NULL: any */
	char *type;             /* NULL: any */
	int64_t since;          /* INT64_MIN: no lower bound */
	int64_t until;          /* INT64_MAX: no upper bound */
	unsigned nlabels;
	ff_sel_label labels[FF_SEL_LABELS_MAX];
} ff_sel;

void ff_sel_init(ff_sel *s);
void ff_sel_free(ff_sel *s);

/* Set one term from key[0..klen) and value[0..vlen) (both borrowed):
 * "build", "host", "type", "since", "until" (relative times count from
 * now) or "label.K".  A later build, host, type, since or until replaces
 * the earlier one; labels add up.  FF_ERR_USAGE names the bad term. */
ff_rc ff_sel_set(ff_sel *s, const char *key, size_t klen, const char *value,
    size_t vlen, int64_t now, ff_err *err) FF_WUR;

/* Set every term of "key=value,key=value,..." (values cannot contain a
 * comma here; use ff_sel_set for those). */
ff_rc ff_sel_parse(ff_sel *s, const char *text, int64_t now, ff_err *err)
	FF_WUR;

/* Copy src into dst (freed first). */
ff_rc ff_sel_copy(ff_sel *dst, const ff_sel *src, ff_err *err) FF_WUR;

/* Whether host matches the host term (1 when there is none). */
int ff_sel_host_ok(const ff_sel *s, const char *host);

/* Whether the host term is a plain name (no glob characters). */
int ff_sel_host_exact(const ff_sel *s);

/* Whether only build and type are set (or fewer): the selections the
 * per-build summed stacks answer without reading each profile. */
int ff_sel_build_only(const ff_sel *s);

/* The selection as "key=value,..." text (for messages and JSON), into
 * buf[0..cap); returns buf. */
const char *ff_sel_format(const ff_sel *s, char *buf, size_t cap);

#endif
