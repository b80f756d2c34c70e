/*
 * hash.c -- xxHash behind flamefleet's own names (see hash.h).
 */
#include "profile/hash.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static_assert(sizeof(XXH3_state_t) <= sizeof(((ff_digest *)0)->state),
    "ff_digest too small for XXH3_state_t");

uint64_t
ff_hash64(const void *p, size_t len)
{
	return XXH3_64bits(p, len);
}

uint64_t
ff_hash_pair(uint32_t a, uint32_t b)
{
	/* A cheap, well-mixing finaliser is enough for two ids. */
	uint64_t x = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ull;

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 32;
	return x;
}

void
ff_hash128(const void *p, size_t len, uint64_t out[2])
{
	XXH128_hash_t h = XXH3_128bits(p, len);

	out[0] = h.low64;
	out[1] = h.high64;
}

void
ff_digest_init(ff_digest *d)
{
	XXH3_128bits_reset((XXH3_state_t *)(void *)d->state);
}

void
ff_digest_update(ff_digest *d, const void *p, size_t len)
{
	XXH3_128bits_update((XXH3_state_t *)(void *)d->state, p, len);
}

void
ff_digest_hex(const ff_digest *d, char out[FF_DIGEST_HEX])
{
	XXH128_hash_t h = XXH3_128bits_digest((const XXH3_state_t *)(const void *)d->state);

	snprintf(out, FF_DIGEST_HEX, "%016llx%016llx",
	    (unsigned long long)h.high64, (unsigned long long)h.low64);
}
