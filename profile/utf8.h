/*
 * utf8.h -- UTF-8 validation for text that leaves flamefleet as JSON or
 * XML (frame names are arbitrary bytes; metadata must be valid UTF-8).
 */
#ifndef FF_UTF8_H
#define FF_UTF8_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at p[0..len) (1..4), or 0 when
 * the bytes there are not valid UTF-8 (overlong forms, surrogates and
 * code points past U+10FFFF are invalid). */
size_t ff_utf8_seq(const unsigned char *p, size_t len);

/* Whether p[0..len) is entirely valid UTF-8. */
int ff_utf8_valid(const char *p, size_t len);

#endif
