/*
 * func.c -- normal form of function names (see func.h).
 */
#include "profile/func.h"

#include <assert.h>
#include <string.h>

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Length of "0x<hex>" at p[0..n), or 0. */
static size_t
hex_run(const char *p, size_t n)
{
	size_t i = 2;

	if (n < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') ||
	    !is_hex(p[2]))
		return 0;
	while (i < n && is_hex(p[i]))
		i++;
	return i;
}

/* The length of name without a trailing "+0x<hex>" offset. */
static size_t
strip_offset(const char *name, size_t len)
{
	size_t i = len;

	while (i > 0 && is_hex(name[i - 1]))
		i--;
	if (i < len && i >= 3 && (name[i - 1] == 'x' || name[i - 1] == 'X') &&
	    name[i - 2] == '0' && name[i - 3] == '+')
		return i - 3;
	return len;
}

size_t
ff_func_strip_hex(const char *name, size_t len, char *out, size_t cap)
{
	size_t i = 0, o = 0, run;

	assert(cap >= FF_FUNC_CAP(len));
	(void)cap;
	while (i < len) {
		if ((run = hex_run(name + i, len - i)) != 0) {
			memcpy(out + o, "0x...", 5);
			o += 5;
			i += run;
		} else {
			out[o++] = name[i++];
		}
	}
	out[o] = '\0';
	return o;
}

size_t
ff_func_normalize(const char *name, size_t len, char *out, size_t cap)
{
	return ff_func_strip_hex(name, strip_offset(name, len), out, cap);
}
