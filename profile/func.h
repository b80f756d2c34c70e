/*
 * func.h -- the function a frame stands for, to match frames across builds.
 *
 * Two builds name the same function differently when addresses leak into
 * frame names ("foo+0x1f", "[unknown] 0x7f12ab", JIT "stub 0x3c00").  The
 * normal form drops a trailing "+0x<hex>" offset and replaces every other
 * hex number "0x<hex>" by "0x..." (as difffolded.pl -s does), so the store's
 * rollups and the diff engine compare functions, not addresses.
 */
#ifndef FF_FUNC_H
#define FF_FUNC_H

#include <stddef.h>

/* Room the normal form of a len-byte name may need (NUL included). */
#define FF_FUNC_CAP(len) ((len) * 2 + 1)

/* Write the normal form of name[0..len) to out (cap bytes, at least
 * FF_FUNC_CAP(len)), NUL-terminated; returns its length. */
size_t ff_func_normalize(const char *name, size_t len, char *out, size_t cap);

/* Only the hex replacement ("0x1f" -> "0x..."), offsets kept: what
 * difffolded.pl -s does to whole stacks. */
size_t ff_func_strip_hex(const char *name, size_t len, char *out, size_t cap);

#endif
