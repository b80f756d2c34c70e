/*
 * xml.h -- putting untrusted bytes into XML (SVG) and HTML safely.
 *
 * Frame names come from profiles, so they are hostile until proven
 * otherwise: any byte but ';', '\n' and NUL may appear, and they are not
 * required to be UTF-8.  Everything a renderer writes from input goes
 * through ff_xml_text(), which
 *
 *   - escapes the five markup characters (& < > " '), so the result is safe
 *     both as element text and inside a quoted attribute value;
 *   - replaces every byte that does not start a valid UTF-8 sequence
 *     (overlong forms, surrogates, code points past U+10FFFF, truncated
 *     sequences) with U+FFFD, one per byte;
 *   - replaces characters XML 1.0 forbids (C0 controls other than tab and
 *     newline, U+FFFE, U+FFFF) with U+FFFD as well.
 *
 * The output is therefore always well-formed UTF-8 XML text.  Nothing here
 * allocates.
 */
#ifndef FF_XML_H
#define FF_XML_H

#include "report/obuf.h"

#include <stddef.h>
#include <stdint.h>

/* Append s[0..len) escaped as described above. */
void ff_xml_text(ff_obuf *b, const char *s, size_t len);

/* Append s[0..len) as the body of an XML comment: escaped as text, and
 * with "--" (which a comment may not contain) broken up as "- -". */
void ff_xml_comment(ff_obuf *b, const char *s, size_t len);

/* Decode the UTF-8 sequence at p[0..n): its length (1..4) with the code
 * point in *cp, or 0 when p does not start a valid sequence. */
size_t ff_xml_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* The number of characters in s[0..len) as ff_xml_text writes them: one
 * per valid UTF-8 sequence and one per invalid byte. */
size_t ff_xml_chars(const char *s, size_t len);

/* The byte length of the first `chars` characters of s[0..len) (all of
 * it when it has fewer). */
size_t ff_xml_prefix(const char *s, size_t len, size_t chars);

#endif
