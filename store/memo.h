/*
 * memo.h -- what a parsing thread remembers from one profile to the next.
 *
 * The hosts of a fleet run the same programs, so their profiles share
 * most of their stack lines.  Each thread that parses profiles (prep.h)
 * keeps, across profiles:
 *
 *   - a frame table: name -> thread frame id, with the frame's 128-bit
 *     hash and its function (ff_func_normalize of the name);
 *   - a line table: the 128-bit hash of a stack's text -> its path hash,
 *     its frames (thread frame ids, root first) and the distinct
 *     functions on it.
 *
 * A line seen before then costs one hash of its text instead of splitting
 * and looking up every frame.  Everything is private to the thread; a
 * prepared profile copies what it uses, so nothing outside refers to the
 * memo.  When the memo passes its memory cap it stops growing, and it is
 * emptied before the next profile (ff_memo_begin).
 */
#ifndef FF_MEMO_H
#define FF_MEMO_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_memo ff_memo;

#define FF_MEMO_CAP ((size_t)32 << 20)   /* bytes, approximately */

/* The calling thread's memo, created at the first call; NULL when out of
 * memory.  It is freed when the thread exits, or by ff_memo_thread_end. */
ff_memo *ff_memo_get(void);
void ff_memo_thread_end(void);

/* A new memo / free one (for tests; threads use ff_memo_get). */
ff_memo *ff_memo_new(void);
void ff_memo_free(ff_memo *m);

/* Start a profile: empty the memo when it is over its cap (ids from
 * before are then meaningless). */
ff_rc ff_memo_begin(ff_memo *m) FF_WUR;

/* ---- frames and functions ------------------------------------------------ */

/* The thread frame id of name[0..len), added with its hash and function
 * when new.  FF_ERR_LIMIT (too many) or FF_ERR_NOMEM. */
ff_rc ff_memo_frame(ff_memo *m, const char *name, size_t len, uint32_t *tf)
	FF_WUR;

const char *ff_memo_frame_name(const ff_memo *m, uint32_t tf, size_t *len);
const uint64_t *ff_memo_frame_hash(const ff_memo *m, uint32_t tf);
/* ff_hash64 of a frame's name and of a function's (for ff_intern). */
uint64_t ff_memo_frame_h64(const ff_memo *m, uint32_t tf);
uint64_t ff_memo_func_h64(const ff_memo *m, uint32_t tfunc);
uint32_t ff_memo_frame_func(const ff_memo *m, uint32_t tf);
const char *ff_memo_func_name(const ff_memo *m, uint32_t tfunc,
    size_t *len);
uint32_t ff_memo_funcs(const ff_memo *m);
uint32_t ff_memo_frames(const ff_memo *m);

/* The distinct functions of path[0..depth) (thread frame ids) into
 * out[0..*n) (room for depth entries), in order of first appearance. */
void ff_memo_distinct(ff_memo *m, const uint32_t *path, uint32_t depth,
    uint32_t *out, uint32_t *n);

/* ---- lines --------------------------------------------------------------- */

typedef struct ff_memo_line {
	uint64_t ph[2];          /* the stack's path hash */
	uint32_t depth, nfuncs;
	const uint32_t *path;    /* depth thread frame ids, root first */
	const uint32_t *funcs;   /* nfuncs distinct thread functions */
} ff_memo_line;

/* The line whose text hashes to key: 1 and *out (valid until the next
 * ff_memo_add or ff_memo_begin), or 0. */
int ff_memo_find(const ff_memo *m, const uint64_t key[2], ff_memo_line *out);

/* Remember a line.  Does nothing (FF_OK) when the memo is full. */
ff_rc ff_memo_add(ff_memo *m, const uint64_t key[2], const uint64_t ph[2],
    const uint32_t *path, uint32_t depth, const uint32_t *funcs,
    uint32_t nfuncs) FF_WUR;

#endif
