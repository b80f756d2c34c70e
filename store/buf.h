/*
 * buf.h -- a growable byte buffer for building blobs, JSON and responses.
 *
 * Caller-owned: ff_buf_init cannot fail; ff_buf_free releases the memory
 * and leaves the buffer empty and reusable.  Appends grow the buffer
 * geometrically through ff_realloc; on FF_ERR_NOMEM the contents are
 * unchanged.
 */
#ifndef FF_BUF_H
#define FF_BUF_H

#include "profile/err.h"
#include "store/varint.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
} ff_buf;

void ff_buf_init(ff_buf *b);
void ff_buf_free(ff_buf *b);

/* Forget the contents, keep the memory. */
static inline void
ff_buf_clear(ff_buf *b)
{
	b->len = 0;
}

/* Make room for n more bytes. */
ff_rc ff_buf_reserve(ff_buf *b, size_t n) FF_WUR;

ff_rc ff_buf_append(ff_buf *b, const void *p, size_t n) FF_WUR;
ff_rc ff_buf_puts(ff_buf *b, const char *s) FF_WUR;
ff_rc ff_buf_printf(ff_buf *b, const char *fmt, ...) FF_WUR FF_PRINTF(2, 3);

/* Append a varint; the caller has reserved FF_VARINT_MAX bytes. */
static inline void
ff_buf_varint(ff_buf *b, uint64_t v)
{
	b->len = (size_t)(ff_varint_put(b->p + b->len, v) - b->p);
}

/* Hand the bytes over as a NUL-terminated string the caller frees with
 * ff_free (the buffer becomes empty); NULL when out of memory. */
char *ff_buf_take(ff_buf *b, size_t *len);

#endif
