/*
 * varint.c -- unsigned LEB128 (see varint.h; the codec itself is inline).
 */
#include "store/varint.h"

size_t
ff_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}
