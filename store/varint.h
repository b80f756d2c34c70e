/*
 * varint.h -- unsigned LEB128 integers, the unit of the store's blobs.
 *
 * Seven bits per byte, least significant group first, the high bit set on
 * every byte but the last; a uint64_t takes 1 to 10 bytes.  The decoder
 * rejects truncated input and encodings longer than 10 bytes or beyond
 * 2^64-1, so a hostile or corrupt blob is an error, never a crash.
 *
 * These are inline because the store decodes tens of millions of them per
 * query.
 */
#ifndef FF_VARINT_H
#define FF_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* Most bytes one value takes. */
#define FF_VARINT_MAX 10

/* Write v at p (room for FF_VARINT_MAX bytes); returns the byte after it. */
static inline unsigned char *
ff_varint_put(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Read one value from *p (not past end) into *v and advance *p.  0 on
 * success, -1 for a truncated or overlong encoding (*p unchanged). */
static inline int
ff_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	uint64_t x = 0;
	unsigned shift = 0;

	if (q < end && *q < 0x80) {  /* the common one-byte case */
		*v = *q;
		*p = q + 1;
		return 0;
	}
	while (q < end) {
		unsigned char b = *q++;

		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			*p = q;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

/* The number of bytes v takes. */
size_t ff_varint_len(uint64_t v);

#endif
