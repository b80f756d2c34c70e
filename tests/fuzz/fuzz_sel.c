/*
 * fuzz_sel.c -- libFuzzer target: selections (store/sel.h), as
 * `ffdiff --base/--new` and `ffstore` parse them (ff_sel_parse) and as the
 * HTTP API sets them one query parameter at a time (ff_sel_set).
 *
 * Input: the first byte chooses.  Even: the rest, up to a NUL, is
 * "key=value,..." for ff_sel_parse.  Odd: the rest is key NUL value
 * (any bytes) for ff_sel_set.
 *
 * Invariants: only FF_OK or FF_ERR_USAGE (with a message); every string
 * set is 1..255 bytes of UTF-8 without control characters or commas
 * (parse) and label keys are [A-Za-z0-9_.-]{1,64}; at most 16 labels;
 * formatting and parsing again gives the same selection (times within
 * the years 0..9999); a copy formats the same; freeing leaves an empty
 * selection and nothing leaks, after errors too.
 */
#include "fuzz.h"

#include "profile/utf8.h"
#include "store/sel.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1795291200   /* 2026-11-21T20:00:00Z */
#define YEAR0 (-62167219200LL)
#define YEAR9999 253402300799LL

static void
check_str(const char *s, int parsed)
{
	size_t n, i;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n == 0 || n > FF_SEL_VALUE_MAX || !ff_utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    (parsed && s[i] == ','))
			abort();
}

static void
check_key(const char *k)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	size_t n = strlen(k);

	if (n == 0 || n > 64 || strspn(k, ok) != n)
		abort();
}

static void
check_sel(const ff_sel *s, int parsed)
{
	unsigned i;

	check_str(s->build, parsed);
	check_str(s->host, parsed);
	check_str(s->type, parsed);
	if (s->nlabels > FF_SEL_LABELS_MAX)
		abort();
	for (i = 0; i < s->nlabels; i++) {
		check_key(s->labels[i].key);
		check_str(s->labels[i].value, parsed);
	}
	if (ff_sel_build_only(s) != (s->host == NULL &&
	    s->since == INT64_MIN && s->until == INT64_MAX && s->nlabels == 0))
		abort();
	(void)ff_sel_host_ok(s, "cache-017");
	(void)ff_sel_host_exact(s);
}

static int
same(const ff_sel *a, const ff_sel *b)
{
	unsigned i;

#define STREQ(x, y) (((x) == NULL && (y) == NULL) || \
	((x) != NULL && (y) != NULL && strcmp((x), (y)) == 0))
	if (!STREQ(a->build, b->build) || !STREQ(a->host, b->host) ||
	    !STREQ(a->type, b->type) || a->since != b->since ||
	    a->until != b->until || a->nlabels != b->nlabels)
		return 0;
	for (i = 0; i < a->nlabels; i++)
		if (!STREQ(a->labels[i].key, b->labels[i].key) ||
		    !STREQ(a->labels[i].value, b->labels[i].value))
			return 0;
#undef STREQ
	return 1;
}

static int
printable_time(int64_t t)
{
	return t == INT64_MIN || t == INT64_MAX || (t >= YEAR0 &&
	    t <= YEAR9999);
}

/* Format, parse again, compare; a copy formats the same. */
static void
check_roundtrip(const ff_sel *s)
{
	static char text[8192], again[8192];
	char small[16];
	ff_sel back, copy;
	ff_err err;
	size_t n;

	ff_sel_format(s, text, sizeof text);
	n = strlen(text);
	if (n + 1 >= sizeof text)
		abort();   /* 3 x 255 + 2 times + 16 labels fit */
	ff_sel_format(s, small, sizeof small);   /* truncates safely */
	if (strlen(small) >= sizeof small)
		abort();
	ff_sel_init(&copy);
	if (ff_sel_copy(&copy, s, &err) != FF_OK)
		abort();
	ff_sel_format(&copy, again, sizeof again);
	if (strcmp(text, again) != 0 || !same(s, &copy))
		abort();
	ff_sel_free(&copy);
	if (!printable_time(s->since) || !printable_time(s->until))
		return;
	ff_sel_init(&back);
	if (ff_sel_parse(&back, text, NOW, &err) != FF_OK)
		abort();   /* what format writes, parse reads */
	if (!same(s, &back))
		abort();
	ff_sel_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, klen;
	const char *nul;
	char *text;
	ff_sel s;
	ff_err err;
	ff_rc rc;

	if (size == 0)
		return 0;
	len = size - 1;
	if ((text = malloc(len + 1)) == NULL)
		abort();
	memcpy(text, data + 1, len);
	text[len] = '\0';
	ff_sel_init(&s);
	ff_err_init(&err);
	if (data[0] % 2 == 0) {
		rc = ff_sel_parse(&s, text, NOW, &err);
	} else {
		/* key NUL value: the value may hold any byte. */
		nul = memchr(text, '\0', len);
		klen = nul != NULL ? (size_t)(nul - text) : len;
		rc = ff_sel_set(&s, text, klen, text + klen + (nul != NULL),
		    len - klen - (nul != NULL), NOW, &err);
	}
	if (rc != FF_OK && (rc != FF_ERR_USAGE || err.msg[0] == '\0'))
		abort();
	/* After an error the earlier terms stay: still consistent. */
	check_sel(&s, data[0] % 2 == 0);
	if (rc == FF_OK && data[0] % 2 == 0)
		check_roundtrip(&s);
	ff_sel_free(&s);
	if (s.build != NULL || s.nlabels != 0 || s.since != INT64_MIN)
		abort();
	free(text);
	return 0;
}
