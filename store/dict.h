/*
 * dict.h -- the store's dictionary in memory: frames, functions and stack
 * nodes, with the same ids as in the database.
 *
 * The frame, func and stack tables only ever grow (rows are never updated
 * or deleted, ids are dense), so a copy in memory is kept current by
 * loading what was added since the last refresh.  Frames and functions
 * are ff_intern tables whose ids are the row ids; a frame's function is
 * the normal form of its name (ff_dict_func_name).  Stack nodes are
 * (parent, frame) pairs; node 0 is the empty stack.
 *
 * The writer's dictionary is indexed: each node also has its path hash
 * (prep.h) and a hash table finds a node by it.  It adds entries with
 * ff_dict_frame and ff_dict_node, then writes what it added since a mark.
 *
 * Readers may share one dictionary between threads: refresh takes the
 * lock exclusively, and code that reads the tables holds ff_dict_rdlock
 * while it uses them.
 */
#ifndef FF_DICT_H
#define FF_DICT_H

#include "profile/err.h"
#include "profile/intern.h"
#include "store/db.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_dict ff_dict;

/* Counts at one moment, to find the entries added after it. */
typedef struct ff_dict_mark {
	uint32_t frames, funcs, nodes;
} ff_dict_mark;

/* A new, empty dictionary (with the path-hash index when `indexed`), or
 * NULL when out of memory. */
ff_dict *ff_dict_new(int indexed);
void ff_dict_free(ff_dict *d);

/* Load what db gained since the last refresh.  FF_ERR_DB when the rows
 * break the invariants (ids not dense, a parent after its child, a node
 * deeper than FF_DEPTH_MAX). */
ff_rc ff_dict_refresh(ff_dict *d, ff_db *db, ff_err *err) FF_WUR;

/* Forget everything (the next refresh reloads it all): after a rolled
 * back transaction left entries that have no row. */
ff_rc ff_dict_reset(ff_dict *d, ff_err *err) FF_WUR;

/* Shared read access (see above). */
void ff_dict_rdlock(ff_dict *d);
void ff_dict_unlock(ff_dict *d);

/* Frames and functions; the pointers stay valid until ff_dict_reset or
 * free, their contents only under the read lock when shared. */
const ff_intern *ff_dict_frames(const ff_dict *d);
const ff_intern *ff_dict_funcs(const ff_dict *d);
/* The function of a frame (frame < frame count). */
uint32_t ff_dict_frame_func(const ff_dict *d, uint32_t frame);

/* Stack nodes: count (root included), and a node's parent, frame and
 * depth (node < count; the root has depth 0). */
uint32_t ff_dict_nodes(const ff_dict *d);
uint32_t ff_dict_parent(const ff_dict *d, uint32_t node);
uint32_t ff_dict_frame_of(const ff_dict *d, uint32_t node);
uint32_t ff_dict_depth(const ff_dict *d, uint32_t node);

/* Fill path[0..depth) with node's frames, root first; path holds
 * FF_DEPTH_MAX entries.  Returns the depth. */
uint32_t ff_dict_path(const ff_dict *d, uint32_t node, uint32_t *path);

void ff_dict_mark_now(const ff_dict *d, ff_dict_mark *m);

/* The function name of frame name[0..len): ff_func_normalize, cut to
 * FF_FRAME_MAX bytes (normalising can lengthen a name).  Written to
 * *buf, grown as needed (*buf and *cap are the caller's, freed with
 * ff_free); *outlen receives the length. */
ff_rc ff_dict_func_name(const char *name, size_t len, char **buf,
    size_t *cap, size_t *outlen) FF_WUR;

/* Writer: the id of frame name[0..len), added with its function when
 * new.  FF_ERR_LIMIT (too many) or FF_ERR_NOMEM, without a message. */
ff_rc ff_dict_frame(ff_dict *d, const char *name, size_t len, uint32_t *id)
	FF_WUR;

/* Writer (indexed): 1 and *id when a frame whose name hashes to
 * h = ff_hash128(name) is known (no need to look at the name), else 0. */
int ff_dict_find_frame(const ff_dict *d, const uint64_t h[2], uint32_t *id);

/* Writer (indexed): the node whose path hash is h, or 0 when none. */
uint32_t ff_dict_find(const ff_dict *d, const uint64_t h[2]);

/* Hints that ff_dict_find(d, h) comes soon: bring the hash table slot
 * (stage 0), then the node it names (stage 1), into the cache.  Issued a
 * few lookups ahead they hide most of the memory latency. */
void ff_dict_prefetch(const ff_dict *d, const uint64_t h[2], int stage);

/* Writer (indexed): add the node (parent, frame) with path hash h.  The
 * caller made sure it is new.  FF_ERR_LIMIT when the table is full or
 * the node would be deeper than FF_DEPTH_MAX. */
ff_rc ff_dict_node(ff_dict *d, uint32_t parent, uint32_t frame,
    const uint64_t h[2], uint32_t *node) FF_WUR;

/* Writer: insert the rows of every entry added since m (new stack nodes
 * go into one packed row). */
ff_rc ff_dict_write(const ff_dict *d, ff_db *db, const ff_dict_mark *m,
    ff_err *err) FF_WUR;

#endif
