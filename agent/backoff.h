/*
 * backoff.h -- when to try again: exponential backoff with full jitter,
 * Retry-After, and the random start delay (splay) that keeps a fleet of
 * agents started by the same cron minute from arriving together.
 *
 * Full jitter: the n-th retry (n from 0) waits a uniformly random time in
 * [0, min(cap, base * 2^n)).  A server's Retry-After of R seconds is a
 * floor: the wait is R plus a random part of up to R/2 (so agents told the
 * same R do not come back in the same second), and never less than the
 * jittered backoff would have been.
 *
 * The random numbers come from a small generator (splitmix64) in a
 * caller-owned struct, seeded from the system's entropy, so tests can
 * replay any sequence with a fixed seed.
 */
#ifndef FF_BACKOFF_H
#define FF_BACKOFF_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_backoff {
	uint64_t rng;       /* generator state */
	uint64_t base_ms;   /* the first retry's window */
	uint64_t cap_ms;    /* the largest window */
	unsigned attempt;   /* retries since the last success */
} ff_backoff;

/* Longest Retry-After honoured; longer ones are cut to this. */
#define FF_BACKOFF_RETRY_AFTER_MAX 86400u

/* Set up b (cannot fail).  base_ms >= 1, cap_ms >= base_ms. */
void ff_backoff_init(ff_backoff *b, uint64_t seed, uint64_t base_ms,
    uint64_t cap_ms);

/* A seed from /dev/urandom mixed with the time, the pid and the host
 * name (each alone is enough to tell agents apart). */
uint64_t ff_backoff_seed(void);

/* The mixing ff_backoff_seed does, with its inputs given (tests):
 * urandom (0 when unavailable), the time, the pid and the host name. */
uint64_t ff_backoff_seed_mix(uint64_t urandom, int64_t sec, long nsec,
    long pid, const char *host);

/* The next 64 random bits, and a uniform number in [0, n) (n > 0). */
uint64_t ff_backoff_bits(ff_backoff *b);
uint64_t ff_backoff_below(ff_backoff *b, uint64_t n);

/* The random start delay in [0, splay_s * 1000) ms (0 when splay_s is 0). */
uint64_t ff_backoff_splay_ms(ff_backoff *b, unsigned splay_s);

/* The wait before the next retry, counting it as an attempt.
 * retry_after_ms is the server's Retry-After (0: none). */
uint64_t ff_backoff_next_ms(ff_backoff *b, uint64_t retry_after_ms);

/* After a success: the next failure starts from base again. */
void ff_backoff_reset(ff_backoff *b);

/* Parse a Retry-After value: delta-seconds ("120") or an IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT", taken relative to now, Unix
 * seconds).  *secs is cut to FF_BACKOFF_RETRY_AFTER_MAX; a date in the
 * past gives 0.  FF_ERR_PARSE for anything else (blanks around the value
 * are allowed). */
ff_rc ff_backoff_retry_after(const char *v, size_t len, int64_t now,
    uint64_t *secs, ff_err *err) FF_WUR;

/* Sleep ms milliseconds (nanosleep, resumed after signals). */
void ff_backoff_sleep_ms(uint64_t ms);

#endif
