/*
 * dtrace.c -- DTrace aggregation text into stacks (see dtrace.h).
 *
 * The input is what `dtrace -n '... { @[stack()] = count(); }'` prints:
 * three header lines, then stacks, each its frames (leaf first, one per
 * line) and then a line holding only its count:
 *
 *     CPU     ID                    FUNCTION:NAME
 *       0  64091                        :tick-60s
 *
 *                   unix`i86_mwait+0xd
 *                   unix`cpu_idle_mwait+0xf1
 *                  1641
 *
 *   line        rule
 *   ----------  --------------------------------------------------------
 *   lines 1-3   the header: skipped (one that holds stack data, a frame
 *               with a backquote or a lone count, is reported, not
 *               silently lost)
 *   blank       ignored
 *   count       blanks, digits, blanks: ends the stack; its count
 *               (<= 2^63-1) times the period option is added; a count
 *               with no frames before it is malformed ("empty stack")
 *   bad count   blanks, then a sign or a digit and only digits, '.',
 *               'e', 'E', '+', '-' (a sum() of negative values, "1e9"):
 *               not a frame -- stackcollapse.pl would take it for one
 *               and merge the stack into the next -- but a bad count:
 *               the stack is skipped and reported
 *   frame       any other line: a frame of the stack being read
 *   end         frames left without a count line are reported ("stack
 *               without count")
 *
 * Frames follow stackcollapse.pl's rules:
 *
 *   step        rule
 *   ----------  --------------------------------------------------------
 *   blanks      leading blanks are removed (trailing ones are kept, as
 *               the Perl script does)
 *   offset      from the last '+' to the end is removed
 *               ("genunix`open+0x25" is "genunix`open")
 *   C++         after the first "::", everything from the last '(' or
 *               '<' is removed (arguments, templates)
 *   empty       an empty frame becomes "-"
 *   inline      split at "->" (empty parts at the end dropped): parts
 *               after the first get "_[i]" and follow it
 *   java        in each part ';' becomes ':' and a leading 'L' goes
 *   tail        blanks before digits that end a part become '_' ("f 2"
 *               would read back as a count)
 *
 * The stack is the frames reversed (root first); there is no process
 * frame.  A frame line costs one hash: the text after the blanks maps to
 * the frame ids it became the first time.
 */
#include "agent/dtrace.h"

#include <string.h>

enum { HEADER_LINES = 3 };

static const char K_NOCOUNT[] = "stack without count";
static const char K_HEADER[] = "stack data in header";

struct dtrace {
	ff_collapse_run *run;
	const char *text;       /* the frame being built */
	size_t len;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The index of the first non-blank of p[0..n), or n. */
static size_t
skip_blanks(const char *p, size_t n)
{
	size_t i = ff_collapse_blanks(p, n);

	while (i < n && is_blank(p[i]))
		i++;
	return i;
}

/* The count of a line that is only digits then blanks (leading blanks
 * already skipped): 0 ok, -1 not a count line, -2 a count past
 * FF_COUNT_MAX. */
static int
count_text(const char *p, size_t n, uint64_t *v)
{
	while (n > 0 && is_blank(p[n - 1]))
		n--;
	return ff_collapse_parse_count(p, n, v);
}

static int
count_line(const char *p, size_t n, uint64_t *v)
{
	size_t i = skip_blanks(p, n);

	return i == n ? -1 : count_text(p + i, n - i, v);
}

/* Whether p[0..n) (leading blanks skipped) is a number that is not a
 * count: "-5", "+5", "1e9", "2.5" (the caller knows it is no count). */
static int
bad_count_text(const char *p, size_t n)
{
	size_t i;

	while (n > 0 && is_blank(p[n - 1]))
		n--;
	if (n == 0 || !((p[0] >= '0' && p[0] <= '9') || ((p[0] == '-' ||
	    p[0] == '+') && n > 1 && p[1] >= '0' && p[1] <= '9')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-'))
			return 0;
	return 1;
}

/* The frame text (leading blanks already skipped) without its
 * "+offset" tail: from the last '+' on. */
static size_t
frame_len(const char *p, size_t n)
{
	size_t j;

	for (j = n; j > 0 && p[j - 1] != '+'; j--)
		;
	return j > 0 ? j - 1 : n;
}

/* Remove C++ arguments: after the first "::", cut at the last '(' or
 * '<'. */
static size_t
uncpp(const char *s, size_t n)
{
	size_t i, j;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == ':' && s[i + 1] == ':')
			break;
	if (i + 1 >= n)
		return n;
	for (j = n; j > i + 2; j--)
		if (s[j - 1] == '(' || s[j - 1] == '<')
			return j - 1;
	return n;
}

/* One part: ';' to ':', a leading 'L' dropped, "_[i]" when inlined. */
static size_t
build_part(const char *s, size_t n, int first, char *out)
{
	size_t i;

	if (n > 0 && s[0] == 'L') {
		s++;
		n--;
	}
	for (i = 0; i < n; i++)
		out[i] = s[i] == ';' ? ':' : s[i];
	if (!first) {
		memcpy(out + n, "_[i]", 4);
		n += 4;
	}
	ff_collapse_fix_tail(out, n);
	return n;
}

/* ff_collapse_build for DTrace frames (leaf first: last part first). */
static ff_rc
build_frame(void *ctx, ff_collapse_run *run, const char *key, size_t keylen,
    uint32_t *ids, uint32_t *n, const char **kind, ff_err *err)
{
	const char *s = key;
	size_t len = uncpp(key, keylen), used, start = 0, i;
	uint32_t parts, idx = 0;
	char *buf;
	ff_rc rc;

	(void)ctx;
	*n = 0;
	if (memchr(key, '\0', keylen) != NULL) {
		*kind = FF_COLLAPSE_K_NUL;
		return FF_ERR_PARSE;
	}
	if (len == 0) {
		s = "-";
		len = 1;
	}
	parts = ff_collapse_count_parts(s, len, &used);
	if (parts > FF_DEPTH_MAX) {
		*kind = FF_COLLAPSE_K_DEEP;
		return FF_ERR_LIMIT;
	}
	if ((buf = ff_collapse_scratch(run, len + 8, err)) == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; idx < parts; i++) {
		if (i == used || (s[i] == '-' && i + 1 < used &&
		    s[i + 1] == '>')) {
			size_t m = build_part(s + start, i - start, idx == 0,
			    buf);

			rc = ff_collapse_name(run, buf, m, &ids[parts - 1 - idx],
			    kind, err);
			if (rc != FF_OK)
				return rc;
			idx++;
			start = i + 2;
			i++;
		}
	}
	*n = parts;
	return FF_OK;
}

/* A header line must not hold stack data: report it if it does. */
static ff_rc
header_line(struct dtrace *dt, const char *p, size_t n, ff_err *err)
{
	uint64_t v;

	if (memchr(p, '`', n) == NULL && count_line(p, n, &v) != 0)
		return FF_OK;
	return ff_collapse_malformed(dt->run, err, K_HEADER, "the first %d "
	    "lines are DTrace's header and are skipped, but this one looks "
	    "like stack data (dtrace -q output?)", HEADER_LINES);
}

static ff_rc
stack_end(struct dtrace *dt, uint64_t count, ff_err *err)
{
	ff_collapse_run *run = dt->run;
	uint64_t line = ff_src_lineno(run->src), w;

	if (ff_collapse_weight(run, 0, count, &w) != FF_OK)
		ff_collapse_spoil(run, FF_COLLAPSE_K_OVERFLOW);
	return ff_collapse_end(run, FF_STACKS_NONE, 0, w, line, err);
}

/* One line past the header.  NUL bytes in a frame's text are caught
 * when that text is first seen (build_frame). */
static ff_rc
dtrace_line(struct dtrace *dt, const char *p, size_t n, int *open,
    ff_err *err)
{
	size_t i = skip_blanks(p, n);
	uint64_t count;
	int c;

	if (i == n)
		return FF_OK;           /* blank */
	c = p[i] >= '0' && p[i] <= '9' ? count_text(p + i, n - i, &count) :
	    -1;
	if (c == 0) {
		*open = 0;
		return stack_end(dt, count, err);
	}
	if (c == -2) {
		*open = 0;
		ff_collapse_reset(dt->run);
		return ff_collapse_malformed(dt->run, err, FF_COLLAPSE_K_COUNT,
		    "count is larger than 2^63-1: stack skipped");
	}
	if (bad_count_text(p + i, n - i)) {
		*open = 0;
		ff_collapse_reset(dt->run);
		return ff_collapse_malformed(dt->run, err, FF_COLLAPSE_K_COUNT,
		    "count '%.*s' is not an unsigned integer: stack skipped",
		    (int)(n - i < 32 ? n - i : 32), p + i);
	}
	*open = 1;
	dt->text = p + i;
	dt->len = frame_len(p + i, n - i);
	return ff_collapse_frame(dt->run, dt->text, dt->len, 0, build_frame,
	    dt, err);
}

ff_rc
ff_dtrace_collapse(ff_collapse_run *run, ff_err *err)
{
	struct dtrace dt = { run, NULL, 0 };
	const char *p;
	size_t n;
	int open = 0, header = HEADER_LINES;
	ff_rc rc;

	while ((rc = ff_collapse_line(run, &p, &n, err)) == FF_OK) {
		if (header > 0) {
			header--;
			rc = header_line(&dt, p, n, err);
		} else {
			rc = dtrace_line(&dt, p, n, &open, err);
		}
		if (rc != FF_OK)
			return rc;
	}
	if (rc != FF_DONE)
		return rc;
	if (!open)
		return FF_OK;
	ff_collapse_reset(run);
	return ff_diag_line(run->diag, err, ff_src_name(run->src),
	    ff_src_lineno(run->src), K_NOCOUNT, "input ends inside a stack "
	    "(no count line after its frames): stack skipped");
}

int
ff_dtrace_sniff(const char *frame, size_t flen, const char *count,
    size_t clen)
{
	uint64_t v;
	size_t i = 0;

	if (count_line(count, clen, &v) != 0 || count_line(frame, flen, &v) ==
	    0)
		return 0;
	while (i < flen && is_blank(frame[i]))
		i++;
	return memchr(frame, '`', flen) != NULL ||
	    (flen - i > 2 && frame[i] == '0' && frame[i + 1] == 'x');
}
