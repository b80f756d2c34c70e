/*
 * plist.h -- profiles as the store knows them: metadata, labels, totals.
 *
 * ff_pinfo is a caller-owned struct (ff_pinfo_init cannot fail,
 * ff_pinfo_free releases every string and leaves it reusable); ff_plist
 * is an owned list of them, as a query returns.
 */
#ifndef FF_PLIST_H
#define FF_PLIST_H

#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/hash.h"
#include "store/buf.h"

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

typedef struct ff_pinfo {
	int64_t id;                      /* the profile's id in the store */
	char hash[FF_DIGEST_HEX];        /* content hash of the uploaded file */
	ff_meta meta;                    /* host, build, type, events,
	                                  * periods, start, duration_s,
	                                  * labels (sorted), agent */
	uint64_t totals[FF_VALUES_MAX];  /* sum of each event's column */
	uint64_t rows;                   /* distinct stacks (sample rows) */
	uint64_t bytes;                  /* size of the uploaded file */
	int64_t received;                /* when it was stored, Unix seconds */
} ff_pinfo;

void ff_pinfo_init(ff_pinfo *p);
void ff_pinfo_free(ff_pinfo *p);

/* p as a JSON object (a new reference, NULL when out of memory): id,
 * hash, host, build, type, start (RFC 3339), duration_s, events, periods
 * (when every event has one), totals, labels, agent, rows, bytes,
 * received. */
json_t *ff_pinfo_to_json(const ff_pinfo *p);

typedef struct ff_plist ff_plist;

ff_plist *ff_plist_new(void);
void ff_plist_free(ff_plist *l);

/* A new zeroed entry at the end (ff_pinfo_init'ed), or NULL when out of
 * memory.  The pointer is valid until the next add. */
ff_pinfo *ff_plist_add(ff_plist *l);

/* Drop the last entry (after a failed fill). */
void ff_plist_drop_last(ff_plist *l);

size_t ff_plist_count(const ff_plist *l);
const ff_pinfo *ff_plist_get(const ff_plist *l, size_t i);

/* The whole list as a JSON array (a new reference), or NULL. */
json_t *ff_plist_to_json(const ff_plist *l);

#endif
