/*
 * xml.c -- escaping and UTF-8 repair for XML output (see xml.h).
 */
#include "report/xml.h"

#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* 1 for bytes that are copied as they are (printable ASCII other than
 * the markup characters, tab and newline). */
static int
xml_plain(unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		return c != '&' && c != '<' && c != '>' && c != '"' &&
		    c != '\'';
	return c == '\t' || c == '\n';
}

size_t
ff_xml_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Whether XML 1.0 allows code point c in a document. */
static int
xml_allowed(uint32_t c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n';
	return c != 0xfffe && c != 0xffff;
}

static void
xml_special(ff_obuf *b, unsigned char c)
{
	switch (c) {
	case '&':
		ff_obuf_mem(b, "&amp;", 5);
		break;
	case '<':
		ff_obuf_mem(b, "&lt;", 4);
		break;
	case '>':
		ff_obuf_mem(b, "&gt;", 4);
		break;
	case '"':
		ff_obuf_mem(b, "&quot;", 6);
		break;
	case '\'':
		ff_obuf_mem(b, "&#39;", 5);
		break;
	default:
		ff_obuf_mem(b, REPLACEMENT, 3);
		break;
	}
}

void
ff_xml_text(ff_obuf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		const unsigned char *run = p;
		uint32_t cp;
		size_t n;

		while (p < end && xml_plain(*p))
			p++;
		ff_obuf_mem(b, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p < 0x80) {
			xml_special(b, *p++);
			continue;
		}
		n = ff_xml_utf8_decode(p, (size_t)(end - p), &cp);
		if (n == 0 || !xml_allowed(cp)) {
			ff_obuf_mem(b, REPLACEMENT, 3);
			p += n != 0 ? n : 1;
			continue;
		}
		ff_obuf_mem(b, p, n);
		p += n;
	}
}

void
ff_xml_comment(ff_obuf *b, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *dash = memchr(s + i, '-', len - i);
		size_t upto = dash != NULL ? (size_t)(dash - s) + 1 : len;

		ff_xml_text(b, s + i, upto - i);
		i = upto;
		/* A dash followed by a dash, or ending the comment. */
		if (dash != NULL && (i == len || s[i] == '-'))
			ff_obuf_char(b, ' ');
	}
}

size_t
ff_xml_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = p[i] < 0x80 ? 1 :
		    ff_xml_utf8_decode(p + i, len - i, &cp);

		i += n != 0 ? n : 1;
		chars++;
	}
	return chars;
}

size_t
ff_xml_prefix(const char *s, size_t len, size_t chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < len && chars > 0) {
		size_t n = p[i] < 0x80 ? 1 :
		    ff_xml_utf8_decode(p + i, len - i, &cp);

		i += n != 0 ? n : 1;
		chars--;
	}
	return i;
}
