/*
 * hash.h -- the hashes flamefleet uses, all from xxHash.
 *
 * ff_hash64 keys the in-memory tables (frames, stacks).  ff_digest is the
 * content hash of a profile file: 128 bits, printed as 32 hex digits, so
 * that a retried upload is recognised as the same profile.
 */
#ifndef FF_HASH_H
#define FF_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ff_hash64(const void *p, size_t len);

/* Hash of two 32-bit words (a stack node: parent and frame). */
uint64_t ff_hash_pair(uint32_t a, uint32_t b);

/* 128-bit hash (XXH3-128) of p[0..len): out[0] holds the low 64 bits,
 * out[1] the high ones.  For identities that must not collide (the
 * store names stacks by chained hashes of their frames). */
void ff_hash128(const void *p, size_t len, uint64_t out[2]);

/* Streaming 128-bit content digest.  Caller-owned; init cannot fail. */
typedef struct ff_digest {
	_Alignas(64) unsigned char state[640];
} ff_digest;

#define FF_DIGEST_HEX 33 /* 32 hex digits and a NUL */

void ff_digest_init(ff_digest *d);
void ff_digest_update(ff_digest *d, const void *p, size_t len);
void ff_digest_hex(const ff_digest *d, char out[FF_DIGEST_HEX]);

#endif
