/*
 * buf.c -- growable byte buffer (see buf.h).
 */
#include "store/buf.h"
#include "profile/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
ff_buf_init(ff_buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ff_buf_free(ff_buf *b)
{
	ff_free(b->p);
	ff_buf_init(b);
}

ff_rc
ff_buf_reserve(ff_buf *b, size_t n)
{
	size_t cap;
	unsigned char *p;

	if (b->cap - b->len >= n)
		return FF_OK;
	if (n > SIZE_MAX / 2 - b->len)
		return FF_ERR_NOMEM;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	p = ff_realloc(b->p, cap);
	if (p == NULL)
		return FF_ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return FF_OK;
}

ff_rc
ff_buf_append(ff_buf *b, const void *p, size_t n)
{
	if (ff_buf_reserve(b, n) != FF_OK)
		return FF_ERR_NOMEM;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return FF_OK;
}

ff_rc
ff_buf_puts(ff_buf *b, const char *s)
{
	return ff_buf_append(b, s, strlen(s));
}

ff_rc
ff_buf_printf(ff_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FF_ERR_INTERNAL;
	if (ff_buf_reserve(b, (size_t)n + 1) != FF_OK)
		return FF_ERR_NOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return FF_OK;
}

char *
ff_buf_take(ff_buf *b, size_t *len)
{
	char *s;

	if (ff_buf_reserve(b, 1) != FF_OK)
		return NULL;
	b->p[b->len] = '\0';
	s = (char *)b->p;
	if (len != NULL)
		*len = b->len;
	ff_buf_init(b);
	return s;
}
