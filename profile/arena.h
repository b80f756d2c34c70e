/*
 * arena.h -- a bump allocator for many small, long-lived strings.
 *
 * Frame names are interned once and live as long as their table, so they
 * are packed into large blocks instead of one malloc each.  Memory is
 * returned only by ff_arena_free().
 */
#ifndef FF_ARENA_H
#define FF_ARENA_H

#include <stddef.h>

typedef struct ff_arena ff_arena;

/* A new, empty arena, or NULL when out of memory. */
ff_arena *ff_arena_new(void);

/* Free every block. Accepts NULL. */
void ff_arena_free(ff_arena *a);

/* n bytes aligned for any type, valid until ff_arena_free; NULL when out
 * of memory (the arena stays usable). */
void *ff_arena_alloc(ff_arena *a, size_t n);

/* A NUL-terminated copy of s[0..len) inside the arena, or NULL. */
char *ff_arena_strndup(ff_arena *a, const char *s, size_t len);

/* Bytes reserved from the system (for statistics). */
size_t ff_arena_bytes(const ff_arena *a);

#endif
