/*
 * prep.h -- a profile file checked and digested, ready for the writer.
 *
 * Everything that can be done without the database happens here, on the
 * thread that received the file: the content hash, the full parse of the
 * metadata and of every folded line (through ff_src and ff_fold_reader,
 * strict: the first malformed line rejects the file, with the limits of
 * profile/README.md), the identity of each stack, and the function
 * rollups.  The writer then only maps names and stacks to ids and stores
 * rows, so an upload that is enqueued cannot fail validation any more.
 *
 * A stack's identity is its 128-bit path hash: the empty stack hashes to
 * 0, and a stack one frame longer to ff_prep_chain(parent hash, frame
 * hash), the frame hash being ff_hash128 of its name.  The store's
 * dictionary keeps the same hash for each of its stack nodes, so a stack
 * is found with one lookup instead of one per frame.  The parsing thread
 * remembers the lines it has seen (memo.h): a line seen in an earlier
 * profile is not split again.
 *
 * Stacks are kept in input order with their frames front-coded: a
 * stack's path is the first `shared` frames of the stack before it, then
 * its own suffix (ff_prep_path rebuilds them in order).
 *
 * Rollups: each function's self and inclusive values per event, a
 * function being the normal form of a frame name (ff_func_normalize) and
 * counting once per stack however often it recurses.
 */
#ifndef FF_PREP_H
#define FF_PREP_H

#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/hash.h"
#include "profile/intern.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_prep_opts {
	uint64_t max_decompressed;  /* cap on inflated bytes; 0 = none */
} ff_prep_opts;

/* A prepared profile; everything in it is owned by it. */
typedef struct ff_prep {
	ff_meta meta;
	char hash[FF_DIGEST_HEX];   /* content hash of the file's bytes */
	uint64_t bytes;             /* size of the file */
	ff_intern *frames;          /* local frame names */
	uint64_t *frame_hash;       /* by local frame: 2 words (ff_hash128) */
	uint32_t *frame_func;       /* by local frame: its local function */
	ff_intern *funcs;           /* local function names */
	uint32_t nstacks;           /* distinct stacks (sample rows) */
	uint64_t *stack_hash;       /* by stack: 2 words, the path hash */
	uint32_t *depth;            /* by stack: its frame count */
	uint32_t *leaf;             /* by stack: its last frame */
	uint32_t *shared;           /* by stack: frames shared with the
	                             * stack before it (0 for the first) */
	uint32_t *suffix_off;       /* by stack: where its other frames start
	                             * in suffix[]; nstacks + 1 entries */
	uint32_t *suffix;           /* local frame ids (front coding) */
	uint64_t *values;           /* by stack: nevents values */
	uint64_t totals[FF_VALUES_MAX];
	uint64_t *self;             /* by local function: nevents values */
	uint64_t *incl;             /* the same, inclusive */
	uint64_t cost;              /* approximate heap bytes held */
} ff_prep;

/* Check and digest the profile file p[0..len) (borrowed), named `name` in
 * messages, with the calling thread's memo.  Codes: FF_ERR_LIMIT when the data inflates past the cap (an
 * HTTP 413), FF_ERR_PARSE for anything malformed (the message names the
 * problem and the line), FF_ERR_NOMEM.  On error *out is NULL. */
ff_rc ff_prep_parse(ff_prep **out, const void *p, size_t len,
    const char *name, const ff_prep_opts *opts, ff_err *err) FF_WUR;

void ff_prep_free(ff_prep *p);

/* Rebuild stack i's path into path[0..depth) (FF_DEPTH_MAX entries),
 * which must hold stack i - 1's path on entry (stacks are visited in
 * order, from 0).  Returns the depth. */
uint32_t ff_prep_path(const ff_prep *p, uint32_t i, uint32_t *path);

/* The path hash of a stack one frame longer than `parent` (see above). */
void ff_prep_chain(const uint64_t parent[2], const uint64_t frame[2],
    uint64_t out[2]);

/* Only the metadata of p[0..len) (no decompression), to authorise an
 * upload before the work of parsing it.  m is freed first; on error it is
 * left empty. */
ff_rc ff_prep_meta(ff_meta *m, const void *p, size_t len, const char *name,
    ff_err *err) FF_WUR;

/* The content hash of p[0..len) as 32 hex digits. */
void ff_prep_hash(const void *p, size_t len, char hex[FF_DIGEST_HEX]);

/* Whether the zstd data of the profile file p[0..len) inflates to more
 * than cap bytes (decompressing at most cap + 1 of them). */
int ff_prep_inflates_past(const void *p, size_t len, uint64_t cap);

#endif
