/*
 * utf8.c -- strict UTF-8 decoding per RFC 3629 (see utf8.h).
 */
#include "profile/utf8.h"

/* Whether b is a continuation byte 10xxxxxx. */
static int
cont(unsigned char b)
{
	return (b & 0xC0) == 0x80;
}

size_t
ff_utf8_seq(const unsigned char *p, size_t len)
{
	unsigned char b = p[0];

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return len >= 2 && cont(p[1]) ? 2 : 0;
	if (b >= 0xE0 && b <= 0xEF) {
		if (len < 3 || !cont(p[1]) || !cont(p[2]))
			return 0;
		if (b == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (b == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (b >= 0xF0 && b <= 0xF4) {
		if (len < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3]))
			return 0;
		if (b == 0xF0 && p[1] < 0x90)
			return 0; /* overlong */
		if (b == 0xF4 && p[1] >= 0x90)
			return 0; /* past U+10FFFF */
		return 4;
	}
	return 0;
}

int
ff_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = ff_utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}
