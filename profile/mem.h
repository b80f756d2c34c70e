/*
 * mem.h -- the one allocation wrapper.
 *
 * All of flamefleet's heap allocations go through these functions so that
 * a test can make the Nth allocation fail (ff_mem_fail_at) and prove that
 * every out-of-memory path ends in a clean error.  They behave like their
 * libc namesakes; the array forms check n * size for overflow.
 *
 * The modules that wrap zstd and jansson hand these functions to those
 * libraries, so their allocations are counted and can fail too.
 */
#ifndef FF_MEM_H
#define FF_MEM_H

#include <stddef.h>

void *ff_malloc(size_t n);
void *ff_calloc(size_t n, size_t size);
void *ff_realloc(void *p, size_t n);
/* realloc of n * size bytes; NULL (p untouched) on overflow or failure. */
void *ff_reallocarray(void *p, size_t n, size_t size);
void ff_free(void *p);
/* A NUL-terminated copy of s[0..len). */
char *ff_strndup(const char *s, size_t len);
char *ff_strdup(const char *s);

/* Fault injection (tests only).  After ff_mem_fail_at(n), the nth
 * allocation from now fails, and so does every later one when `sticky`.
 * n == 0 turns injection (and counting) off; n == ULONG_MAX only counts.
 * Returns the number of allocations counted since the last call, which
 * lets a test find how many a run needs. */
unsigned long ff_mem_fail_at(unsigned long n, int sticky);

/* Whether an injected failure has fired since the last ff_mem_fail_at. */
int ff_mem_failed(void);

/* How many allocations have failed in this thread (injected or real).
 * Wrappers of libraries that turn an allocation failure into some other
 * error (jansson reports a syntax error) compare it before and after. */
unsigned long ff_mem_failures(void);

#endif
