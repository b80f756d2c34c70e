/*
 * test_xml.c -- escaping untrusted bytes into XML.
 */
#include "testutil.h"

#include "report/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ff_xml_text (or ff_xml_comment) of s[0..len), as a new string. */
static char *
escape(const char *s, size_t len, int comment)
{
	ff_obuf *b = malloc(sizeof *b);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	ff_err err;

	assert_non_null(b);
	ff_obuf_init(b, f);
	if (comment)
		ff_xml_comment(b, s, len);
	else
		ff_xml_text(b, s, len);
	assert_int_equal(ff_obuf_flush(b, &err), FF_OK);
	fclose(f);
	free(b);
	return out;
}

#define ESC(in, want) do {                                            \
	char *got_ = escape(in, sizeof(in) - 1, 0);                   \
	assert_string_equal(got_, want);                              \
	free(got_);                                                   \
} while (0)

static void
test_markup(void **state)
{
	(void)state;
	ESC("plain_name", "plain_name");
	ESC("<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	ESC("&\"'", "&amp;&quot;&#39;");
	ESC("a]]>b", "a]]&gt;b");
	ESC("java/lang/String:.<init>", "java/lang/String:.&lt;init&gt;");
	ESC("tab\there", "tab\there");
}

static void
test_utf8(void **state)
{
	(void)state;
	/* Valid sequences pass through. */
	ESC("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x94\xA5",
	    "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x94\xA5");
	/* A stray continuation byte, a truncated sequence, an overlong
	 * slash, a surrogate, a code point past U+10FFFF, 0xFF. */
	ESC("a\x80z", "a\xEF\xBF\xBDz");
	ESC("a\xE2\x86", "a\xEF\xBF\xBD\xEF\xBF\xBD");
	ESC("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
	ESC("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	ESC("\xF4\x90\x80\x80",
	    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	ESC("\xFF", "\xEF\xBF\xBD");
	/* Characters XML forbids. */
	ESC("a\x01" "b\x1F" "c", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	ESC("\xEF\xBF\xBE", "\xEF\xBF\xBD");
	ESC("cr\r", "cr\xEF\xBF\xBD");
}

static void
test_nul_byte(void **state)
{
	static const char in[] = { 'a', '\0', 'b' };
	char *got = escape(in, sizeof in, 0);

	(void)state;
	assert_string_equal(got, "a\xEF\xBF\xBD" "b");
	free(got);
}

static void
test_comment(void **state)
{
	char *got;

	(void)state;
	got = escape("a--b---c-", 9, 1);
	assert_null(strstr(got, "--"));
	assert_int_equal(got[strlen(got) - 1], ' ');
	free(got);
	got = escape("built by <me> & co", 18, 1);
	assert_string_equal(got, "built by &lt;me&gt; &amp; co");
	free(got);
}

static void
test_chars_and_prefix(void **state)
{
	const char *s = "a\xC3\xA9" "b\xFF" "c\xE2\x86\x92";
	size_t len = strlen(s);

	(void)state;
	assert_int_equal(ff_xml_chars(s, len), 6);
	assert_int_equal(ff_xml_prefix(s, len, 0), 0);
	assert_int_equal(ff_xml_prefix(s, len, 2), 3);
	assert_int_equal(ff_xml_prefix(s, len, 4), 5);
	assert_int_equal(ff_xml_prefix(s, len, 6), len);
	assert_int_equal(ff_xml_prefix(s, len, 60), len);
	assert_int_equal(ff_xml_chars("", 0), 0);
}

static void
test_decode(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(ff_xml_utf8_decode((const unsigned char *)"A", 1,
	    &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(ff_xml_utf8_decode(
	    (const unsigned char *)"\xF0\x9F\x94\xA5", 4, &cp), 4);
	assert_int_equal(cp, 0x1F525);
	assert_int_equal(ff_xml_utf8_decode(
	    (const unsigned char *)"\xF0\x9F\x94", 3, &cp), 0);
	assert_int_equal(ff_xml_utf8_decode(
	    (const unsigned char *)"\xE0\x80\x80", 3, &cp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_comment),
		cmocka_unit_test(test_chars_and_prefix),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
