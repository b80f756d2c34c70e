/*
 * perf.c -- `perf script` text into stacks (see perf.h).
 *
 * The input is a sequence of samples, each an event line followed by its
 * frames (leaf first) and ended by an empty line:
 *
 *     java 24636/25607 [000] 4794564.109216:     250000 cycles:
 *             7f1e22e2d1c0 Lfoo/Bar;::baz+0x1c (/tmp/perf-24636.map)
 *             ffffffff8103ce3b native_safe_halt+0xb ([kernel.kallsyms])
 *
 *   line        rule
 *   ----------  --------------------------------------------------------
 *   #...        a comment (perf's header): ignored, even inside a sample
 *   empty       ends the sample (so do the end of input and a new event
 *               line)
 *   event       COMM PID[/TID] ...: COMM is the shortest text, not
 *               starting with a blank, that is followed by blanks,
 *               digits, optional '/' and digits, and a blank.  Without
 *               /TID (or with TID 0) the PID is '?' and the number is
 *               the TID
 *   event name  when the line ends with ": [PERIOD] NAME:" (blanks
 *               allowed at the end), NAME is the event and PERIOD
 *               (digits) the sample period
 *   frame       [blanks] PC SYMBOL (MODULE): PC is a run of
 *               [A-Za-z0-9_]; MODULE is inside the last " (...)" with
 *               no blank inside; SYMBOL is the text between
 *   other       malformed ("unrecognised line"): reported and skipped;
 *               the sample keeps its other frames
 *
 * Frames follow stackcollapse-perf.pl's rules:
 *
 *   step        rule
 *   ----------  --------------------------------------------------------
 *   offset      a trailing +0x[0-9a-f]+ is removed from SYMBOL
 *   skip        a SYMBOL that starts with '(' adds no frame
 *   inline      SYMBOL is split at "->" (empty parts at the end are
 *               dropped): the first part is the function, the others
 *               get "_[i]" and follow it
 *   unknown     a part "[unknown]" becomes "[BASENAME-OF-MODULE]" (or
 *               "[unknown]" when MODULE is "[unknown]"); with --addrs
 *               "[NAME <PC>]"
 *   tidy        ';' becomes ':'; unless the part looks like a Go method
 *               (".(" then ")."), everything from the first '(' that
 *               does not start "(anonymous namespace)" is cut; '"' and
 *               "'" are deleted
 *   java        when COMM starts with "java", a part containing '/'
 *               loses a leading 'L'
 *   --kernel    "_[k]" on the first part when MODULE starts with '[' or
 *               ends with "vmlinux", and does not contain "unknown"
 *   --jit       "_[j]" on the first part when MODULE contains
 *               "/tmp/perf-N.map" or "/jitted-N-N.so"
 *   tail        blanks before digits that end a part become '_' ("f 2"
 *               would read back as a count)
 *
 * Stack: the root frame is COMM with spaces turned into `_` (and `;` into
 * `:`), plus `-PID` with --pid or `-PID/TID` with --tid; then the frames
 * root first.  Count: the sample period when the event line has one
 * (other than 0), else 1 times the column's period option.
 *
 * Events: by default only samples of the first event name seen are
 * collapsed (like the Perl script; lines without an event name are kept);
 * --event-filter NAME picks another; --events A,B gives one column per
 * name and skips samples of other events and without an event name.
 * Skipped samples are counted in the stats, never silently lost.
 *
 * Differences from the Perl script, on input it mishandled: the last
 * sample is kept without a trailing empty line; an event line inside a
 * sample ends it (the Perl script merged the two); a one-letter COMM is
 * an event line (the Perl script needed two); `;` in COMM becomes `:`
 * (a frame cannot hold `;`).
 *
 * Speed: a frame line costs one hash of its SYMBOL+MODULE text, which
 * maps to the frame ids it became the first time (collapse.c); tidying,
 * annotating and interning run once per distinct raw frame.
 */
#include "agent/perf.h"
#include "profile/mem.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { PIECES_MAX = FF_DEPTH_MAX };

struct perf {
	ff_collapse_run *run;
	unsigned flags;

	/* The sample. */
	int in_sample;          /* an event line was seen and not ended */
	int skip;               /* the sample is not collapsed */
	int java;               /* COMM starts with "java" */
	unsigned col;
	uint64_t period;        /* from the event line; 0 = none */
	uint64_t line;          /* line of the event line */

	/* Event selection (single column). */
	char filter[FF_COLLAPSE_EVENT_MAX];
	size_t filterlen;
	int have_filter;

	/* The previous root frame text and id: most samples repeat it. */
	char *pname;
	size_t pnamelen, pnamecap;
	uint32_t pname_id;
	int have_pname;

	/* The frame being built and its cache key. */
	const char *pc, *func, *mod;
	size_t pclen, funclen, modlen;
	char *key;
	size_t keycap;
};

/* ---- characters (Perl's \s and \w) --------------------------------------- */

enum { C_SPACE = 1, C_DIGIT = 2, C_WORD = 4, C_HEX = 8 };

/* Character classes by byte: Perl's \s (space, \t, \n, \v, \f, \r),
 * digits, \w ([A-Za-z0-9_]) and lowercase hex digits. */
static const unsigned char cclass[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 0, 0, 0, 0, 0, 0,
	0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 4,
	0, 12, 12, 12, 12, 12, 12, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int
is_space(char c)
{
	return cclass[(unsigned char)c] & C_SPACE;
}

static int
is_digit(char c)
{
	return cclass[(unsigned char)c] & C_DIGIT;
}

static int
is_word(char c)
{
	return cclass[(unsigned char)c] & C_WORD;
}

static int
is_hex_lower(char c)
{
	return cclass[(unsigned char)c] & C_HEX;
}

static int
has(const char *p, size_t n, const char *s)
{
	size_t m = strlen(s), i;

	for (i = 0; i + m <= n; i++)
		if (p[i] == s[0] && memcmp(p + i, s, m) == 0)
			return 1;
	return 0;
}

/* ---- event lines --------------------------------------------------------- */

struct event {
	const char *comm, *pid, *tid, *name;
	size_t commlen, pidlen, tidlen, namelen;
	uint64_t period;        /* 0 = none */
	int bad_period;         /* a period past FF_COUNT_MAX */
};

/* The digits, slashes and digits after the blanks at p[i]; 1 when they
 * are followed by a blank. */
static int
event_ids(const char *p, size_t n, size_t i, struct event *ev, size_t *stop)
{
	size_t d1, d1e, d2;

	while (i < n && is_space(p[i]))
		i++;
	for (d1 = i; i < n && is_digit(p[i]); i++)
		;
	d1e = i;
	while (i < n && p[i] == '/')
		i++;
	for (d2 = i; i < n && is_digit(p[i]); i++)
		;
	*stop = i;
	if (d1e == d1 || i == n || !is_space(p[i]))
		return 0;
	if (i > d2 && !(i - d2 == 1 && p[d2] == '0')) {
		ev->pid = p + d1;
		ev->pidlen = d1e - d1;
		ev->tid = p + d2;
		ev->tidlen = i - d2;
	} else {
		ev->pid = "?";
		ev->pidlen = 1;
		ev->tid = p + d1;
		ev->tidlen = d1e - d1;
	}
	return 1;
}

/* COMM, PID and TID: 1 when p[0..n) is an event line. */
static int
event_head(const char *p, size_t n, struct event *ev)
{
	size_t i, stop;

	if (n < 2 || is_space(p[0]))
		return 0;
	for (i = 1; i < n; i++) {
		if (!is_space(p[i]))
			continue;
		if (event_ids(p, n, i, ev, &stop)) {
			ev->comm = p;
			ev->commlen = i;
			return 1;
		}
		/* Any later blank inside [i, stop) gives the same digits. */
		i = stop > i ? stop - 1 : i;
	}
	return 0;
}

/* The event name and period from the end of the line: ": [DIGITS] NAME:"
 * then blanks. */
static void
event_tail(const char *p, size_t n, struct event *ev)
{
	size_t end = n, t, d;

	ev->name = NULL;
	ev->period = 0;
	ev->bad_period = 0;
	while (end > 0 && is_space(p[end - 1]))
		end--;
	if (end < 2 || p[end - 1] != ':')
		return;
	for (t = end - 1; t > 0 && !is_space(p[t - 1]); t--)
		;
	if (end - 1 - t == 0 || t == 0)
		return;
	for (d = t; d > 0 && is_space(p[d - 1]); d--)
		;
	if (d > 0 && is_digit(p[d - 1])) {
		size_t ds = d, de = d;

		while (ds > 0 && is_digit(p[ds - 1]))
			ds--;
		for (d = ds; d > 0 && is_space(p[d - 1]); d--)
			;
		if (d == 0 || p[d - 1] != ':')
			return;
		if (ff_collapse_parse_count(p + ds, de - ds, &ev->period) != 0)
			ev->bad_period = 1;
	} else if (d == 0 || p[d - 1] != ':') {
		return;
	}
	ev->name = p + t;
	ev->namelen = end - 1 - t;
}

/* ---- frame lines --------------------------------------------------------- */

/* The module whose " (" starts at j: 1 and its end when the blank-free run
 * after the parenthesis holds a ')'. */
static int
module_at(const char *p, size_t n, size_t j, size_t *modend)
{
	size_t r, q = 0;
	int found = 0;

	for (r = j + 2; r < n && !is_space(p[r]); r++)
		if (p[r] == ')') {
			q = r;
			found = 1;
		}
	*modend = q;
	return found;
}

/* ---- eight bytes at a time ---------------------------------------------
 *
 * Frame lines are long and regular: blanks, a run of hex digits (PC), a
 * symbol, and a module path without blanks.  The two longest scans test
 * eight bytes per step on little-endian machines; byte loops finish
 * every case the word tests do not settle, so the result is the same.
 */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define WORDWISE 1
#else
#define WORDWISE 0
#endif

enum { WORD = sizeof(uint64_t) };
#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

static uint64_t
load8(const char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof x);
	return x;
}

/* Bit 7 set in each byte of the word at p below 0x21 (blanks and
 * controls), exactly: no carry crosses a byte. */
static uint64_t
low_bytes(const char *p)
{
	uint64_t x = load8(p);

	return ~(((x & ~HIGH) + ONES * (0x80 - 0x21)) | x) & HIGH;
}

/* Bit 7 set in each byte of the word at p that is not in [0-9a-f].  With
 * bit 7 forced on, y - c*ONES borrows nowhere, and its bit 7 says
 * byte >= c. */
static uint64_t
nonhex_bytes(const char *p)
{
	uint64_t x = load8(p), y = x | HIGH;
	uint64_t digit = (y - ONES * '0') & ~(y - ONES * ('9' + 1));
	uint64_t alpha = (y - ONES * 'a') & ~(y - ONES * ('f' + 1));

	return (~(digit | alpha) | x) & HIGH;
}

#if defined(__SSE2__)
/* Sixteen bytes at a time where SSE2 is there (every x86-64): a bit per
 * byte of the vector at p (bit i for p[i]). */
typedef __m128i vec;

static vec
load16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Bytes <= c (unsigned). */
static unsigned
le16(vec v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v,
	    _mm_set1_epi8(c)), v));
}

/* Bytes in [lo, lo + span]. */
static unsigned
in16(vec v, char lo, char span)
{
	return le16(_mm_sub_epi8(v, _mm_set1_epi8(lo)), span);
}

/* Bytes equal to c. */
static unsigned
eq16(vec v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}
#endif

/* The end of the run of blanks (spaces and tabs) that starts at p[0]. */
static size_t
blank_end(const char *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	for (; i + 16 <= n; i += 16) {
		vec v = load16(p + i);
		unsigned m = ~(eq16(v, ' ') | eq16(v, '\t')) & 0xffffu;

		if (m != 0)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
#if WORDWISE
	for (; i + WORD <= n; i += WORD) {
		uint64_t x = load8(p + i), sp = x ^ (ONES * ' '),
		    tab = x ^ (ONES * '\t');
		/* Bit 7 of a byte of ((z & ~HIGH) + ~HIGH) | z is clear just
		 * when that byte of z is zero. */
		uint64_t m = ((((sp & ~HIGH) + ~HIGH) | sp) &
		    (((tab & ~HIGH) + ~HIGH) | tab)) & HIGH;

		if (m != 0)
			return i + (unsigned)__builtin_ctzll(m) / 8;
	}
#endif
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* The end of the run of [0-9a-f] that starts at p[i]. */
static size_t
hex_end(const char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
	for (; i + 16 <= n; i += 16) {
		vec v = load16(p + i);
		unsigned m = ~(in16(v, '0', 9) | in16(v, 'a', 5)) & 0xffffu;

		if (m != 0)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
#if WORDWISE
	for (; i + WORD <= n; i += WORD) {
		uint64_t m = nonhex_bytes(p + i);

		if (m != 0)
			return i + (unsigned)__builtin_ctzll(m) / 8;
	}
#endif
	while (i < n && is_hex_lower(p[i]))
		i++;
	return i;
}

/* The start of the blank-free run that ends p[k..n): just after its last
 * blank, or k. */
static size_t
run_start(const char *p, size_t k, size_t n)
{
	size_t j = n;

#if defined(__SSE2__)
	for (; j >= k + 16; j -= 16) {
		unsigned m = le16(load16(p + j - 16), 0x20);

		if (m != 0) {
			size_t b = j - 16 + (31u - (unsigned)__builtin_clz(m));

			if (is_space(p[b]))
				return b + 1;
			j = b;      /* a control byte: go on byte by byte */
			goto bytes;
		}
	}
#endif
#if WORDWISE
	for (; j >= k + WORD; j -= WORD) {
		uint64_t m = low_bytes(p + j - WORD);

		if (m != 0) {
			size_t b = j - WORD + (63u - (unsigned)
			    __builtin_clzll(m)) / 8;

			if (is_space(p[b]))
				return b + 1;
			j = b;      /* a control byte: go on byte by byte */
			goto bytes;
		}
	}
#endif
bytes:
	while (j > k && !is_space(p[j - 1]))
		j--;
	return j;
}

/* PC, SYMBOL and MODULE of a frame line; 1 when it is one. */
static int
frame_parse(struct perf *pf, const char *p, size_t n)
{
	size_t i = 0, pc, pce, k, j, me;

	i = blank_end(p, n);
	while (i < n && is_space(p[i]))
		i++;
	pc = i;
	i = hex_end(p, i, n);
	while (i < n && is_word(p[i]))
		i++;
	if (i == pc)
		return 0;
	pce = i;
	while (i < n && is_space(p[i]))
		i++;
	k = i;
	/* Usual case: the line ends with " (MODULE)", MODULE blank-free. */
	if (n > k + 3 && p[n - 1] == ')') {
		j = run_start(p, k, n);
		if (j > k + 1 && p[j] == '(' && p[j - 1] == ' ') {
			j--;
			me = n - 1;
			goto found;
		}
	}
	/* SYMBOL is greedy: the last " (" that closes wins. */
	for (j = n >= 2 ? n - 2 : 0; j > k; j--)
		if (p[j] == ' ' && p[j + 1] == '(' && module_at(p, n, j, &me))
			goto found;
	/* Perl's backtracking: "PC  (MODULE)" has SYMBOL " ". */
	if (k >= pce + 2 && k < n && p[k] == '(' && p[k - 1] == ' ' &&
	    module_at(p, n, k - 1, &me)) {
		j = k - 1;
		k = k - 2;
		goto found;
	}
	return 0;
found:
	pf->pc = p + pc;
	pf->pclen = pce - pc;
	pf->func = p + k;
	pf->funclen = j - k;
	pf->mod = p + j + 2;
	pf->modlen = me - (j + 2);
	return 1;
}

/* SYMBOL without a trailing "+0x[0-9a-f]+". */
static size_t
strip_offset(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && is_hex_lower(s[i - 1]))
		i--;
	if (i < n && i >= 3 && s[i - 1] == 'x' && s[i - 2] == '0' &&
	    s[i - 3] == '+')
		return i - 3;
	return n;
}

/* ---- building frame names ------------------------------------------------ */

/* Whether s looks like a Go method, "pkg.(*T).M": ".(" then ")." */
static int
is_go(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '(')
			return has(s + i + 2, n - i - 2, ").");
	return 0;
}

/* The generic tidying, in place; returns the new length. */
static size_t
tidy(char *s, size_t n)
{
	static const char anon[] = "(anonymous namespace)";
	size_t i, o;

	for (i = 0; i < n; i++)
		if (s[i] == ';')
			s[i] = ':';
	if (!is_go(s, n))
		for (i = 0; i < n; i++)
			if (s[i] == '(' && !(n - i >= sizeof anon - 1 &&
			    memcmp(s + i, anon, sizeof anon - 1) == 0)) {
				n = i;
				break;
			}
	for (i = o = 0; i < n; i++)
		if (s[i] != '"' && s[i] != '\'')
			s[o++] = s[i];
	return o;
}

static int
is_kernel_module(const char *m, size_t n)
{
	if (has(m, n, "unknown"))
		return 0;
	return (n > 0 && m[0] == '[') ||
	    (n >= 7 && memcmp(m + n - 7, "vmlinux", 7) == 0);
}

/* Whether m contains prefix, digits, [sep, digits,] suffix. */
static int
has_numbered(const char *m, size_t n, const char *prefix, int twice,
    const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix), i, j, k;

	for (i = 0; i + pl <= n; i++) {
		if (memcmp(m + i, prefix, pl) != 0)
			continue;
		for (j = i + pl; j < n && is_digit(m[j]); j++)
			;
		if (j == i + pl)
			continue;
		if (twice) {
			if (j >= n || m[j] != '-')
				continue;
			for (k = ++j; j < n && is_digit(m[j]); j++)
				;
			if (j == k)
				continue;
		}
		if (n - j >= sl && memcmp(m + j, suffix, sl) == 0)
			return 1;
	}
	return 0;
}

static int
is_jit_module(const char *m, size_t n)
{
	return has_numbered(m, n, "/tmp/perf-", 0, ".map") ||
	    has_numbered(m, n, "/jitted-", 1, ".so");
}

/* A raw frame as its cache key holds it (see frame_key), with the PC of
 * the line when it is built at once. */
struct raw {
	const char *func, *mod, *pc;
	size_t funclen, modlen, pclen;
	int java;
	unsigned flags;
};

/* Write the name of one SYMBOL part into out; returns its length. */
static size_t
build_part(const struct raw *r, const char *s, size_t n, int first,
    char *out)
{
	size_t o;

	if (n == 9 && memcmp(s, "[unknown]", 9) == 0) {
		const char *m = r->mod;
		size_t ml = r->modlen, i = ml;

		if (ml == 9 && memcmp(m, "[unknown]", 9) == 0) {
			m = "unknown";
			ml = i = 7;
		}
		while (i > 0 && m[i - 1] != '/')   /* the basename */
			i--;
		o = 0;
		out[o++] = '[';
		memcpy(out + o, m + i, ml - i);
		o += ml - i;
		if (r->flags & FF_COLLAPSE_ADDRS) {
			memcpy(out + o, " <", 2);
			memcpy(out + o + 2, r->pc, r->pclen);
			o += r->pclen + 2;
			out[o++] = '>';
		}
		out[o++] = ']';
	} else {
		memcpy(out, s, n);
		o = n;
	}
	o = tidy(out, o);
	if (r->java && o > 0 && out[0] == 'L' && memchr(out, '/', o)) {
		memmove(out, out + 1, o - 1);
		o--;
	}
	if (!first) {
		memcpy(out + o, "_[i]", 4);
		o += 4;
	} else if ((r->flags & FF_COLLAPSE_KERNEL) &&
	    is_kernel_module(r->mod, r->modlen)) {
		memcpy(out + o, "_[k]", 4);
		o += 4;
	} else if ((r->flags & FF_COLLAPSE_JIT) &&
	    is_jit_module(r->mod, r->modlen)) {
		memcpy(out + o, "_[j]", 4);
		o += 4;
	}
	ff_collapse_fix_tail(out, o);
	return o;
}

/* The raw frame of a cache key: java-ness (1 byte), the SYMBOL's length
 * (4 bytes), SYMBOL (without offset), MODULE. */
static void
raw_of_key(const struct perf *pf, const char *key, size_t len,
    struct raw *r)
{
	uint32_t fl;

	memcpy(&fl, key + 1, sizeof fl);
	r->java = key[0] == '1';
	r->func = key + 1 + sizeof fl;
	r->funclen = fl;
	r->mod = r->func + fl;
	r->modlen = len - 1 - sizeof fl - fl;
	r->pc = pf->pc;          /* valid for frames built at once only */
	r->pclen = pf->pclen;
	r->flags = pf->flags;
}

/* ff_collapse_build for perf frames: the ids of the SYMBOL parts, leaf
 * first (the last part is the deepest). */
static ff_rc
build_frame(void *ctx, ff_collapse_run *run, const char *key, size_t len,
    uint32_t *ids, uint32_t *n, const char **kind, ff_err *err)
{
	size_t used, start = 0, i, room;
	uint32_t parts, idx = 0;
	struct raw r;
	char *buf;
	ff_rc rc;

	raw_of_key(ctx, key, len, &r);
	parts = ff_collapse_count_parts(r.func, r.funclen, &used);
	*n = 0;
	if (memchr(r.func, '\0', r.funclen + r.modlen) != NULL) {
		*kind = FF_COLLAPSE_K_NUL;
		return FF_ERR_PARSE;
	}
	if (parts == 0)
		return FF_OK;
	if (parts > PIECES_MAX) {
		*kind = FF_COLLAPSE_K_DEEP;
		return FF_ERR_LIMIT;
	}
	room = r.funclen + r.modlen + r.pclen + 16;
	if ((buf = ff_collapse_scratch(run, room, err)) == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; idx < parts; i++) {
		if (i == used || (r.func[i] == '-' && i + 1 < used &&
		    r.func[i + 1] == '>')) {
			size_t m = build_part(&r, r.func + start, i - start,
			    idx == 0, buf);

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

/* ---- samples ------------------------------------------------------------- */

/* Make buf hold n bytes. */
static ff_rc
grow(char **buf, size_t *cap, size_t n, ff_err *err)
{
	char *p;

	if (n <= *cap)
		return FF_OK;
	n = n < 256 ? 256 : n;
	if ((p = ff_realloc(*buf, n)) == NULL)
		return ff_err_nomem(err);
	*buf = p;
	*cap = n;
	return FF_OK;
}

/* The root frame text into pf->key: COMM, with -PID or -PID/TID. */
static size_t
root_text(struct perf *pf, const struct event *ev)
{
	char *p = pf->key;
	size_t n = ev->commlen, i;

	memcpy(p, ev->comm, ev->commlen);
	if (pf->flags & (FF_COLLAPSE_PID | FF_COLLAPSE_TID)) {
		p[n++] = '-';
		memcpy(p + n, ev->pid, ev->pidlen);
		n += ev->pidlen;
	}
	if (pf->flags & FF_COLLAPSE_TID) {
		p[n++] = '/';
		memcpy(p + n, ev->tid, ev->tidlen);
		n += ev->tidlen;
	}
	for (i = 0; i < n; i++)
		p[i] = p[i] == ' ' ? '_' : p[i] == ';' ? ':' : p[i];
	return n;
}

/* The frame id of the root; most samples repeat the previous one. */
static ff_rc
perf_root(struct perf *pf, const struct event *ev, ff_err *err)
{
	const char *kind = NULL;
	size_t n;
	ff_rc rc;

	n = ev->commlen + ev->pidlen + ev->tidlen + 2;
	if ((rc = grow(&pf->key, &pf->keycap, n, err)) != FF_OK)
		return rc;
	n = root_text(pf, ev);
	pf->java = n >= 4 && memcmp(pf->key, "java", 4) == 0;
	if (pf->have_pname && n == pf->pnamelen &&
	    memcmp(pf->key, pf->pname, n) == 0)
		return FF_OK;
	pf->have_pname = 0;
	rc = ff_collapse_name(pf->run, pf->key, n, &pf->pname_id, &kind, err);
	if (rc == FF_ERR_LIMIT && kind != NULL) {
		ff_collapse_spoil(pf->run, kind);
		return FF_OK;
	}
	if (rc != FF_OK)
		return rc;
	if ((rc = grow(&pf->pname, &pf->pnamecap, n, err)) != FF_OK)
		return rc;
	memcpy(pf->pname, pf->key, n);
	pf->pnamelen = n;
	pf->have_pname = 1;
	return FF_OK;
}

/* End the current sample, if any. */
static ff_rc
sample_end(struct perf *pf, ff_err *err)
{
	ff_collapse_run *run = pf->run;
	uint64_t count;

	if (!pf->in_sample)
		return FF_OK;
	pf->in_sample = 0;
	if (pf->skip) {
		ff_collapse_reset(run);
		return FF_OK;
	}
	count = pf->period;
	if (count == 0 && ff_collapse_weight(run, pf->col, 1, &count) !=
	    FF_OK)
		ff_collapse_spoil(run, FF_COLLAPSE_K_OVERFLOW);
	return ff_collapse_end(run, pf->have_pname ? pf->pname_id :
	    FF_STACKS_NONE, pf->col, count, pf->line, err);
}

/* Skip the sample of event name[0..len) (NULL: without a name). */
static void
sample_skip(struct perf *pf, const char *name, size_t len)
{
	pf->skip = 1;
	if (name == NULL) {
		pf->run->stats->skipped_noevent++;
		return;
	}
	pf->run->stats->skipped_event++;
	ff_collapse_note_event(pf->run, name, len);
}

/* Which column the sample goes to, or skip it. */
static void
sample_select(struct perf *pf, const struct event *ev)
{
	const ff_collapse_opts *o = pf->run->opts;
	unsigned i;

	pf->col = 0;
	if (o->nevents > 0) {
		for (i = 0; ev->name != NULL && i < o->nevents; i++)
			if (strlen(o->events[i]) == ev->namelen &&
			    memcmp(o->events[i], ev->name, ev->namelen) == 0) {
				pf->col = i;
				return;
			}
		sample_skip(pf, ev->name, ev->name != NULL ? ev->namelen : 0);
		return;
	}
	if (ev->name == NULL)
		return;
	if (!pf->have_filter && ev->namelen < sizeof pf->filter) {
		memcpy(pf->filter, ev->name, ev->namelen);
		pf->filter[ev->namelen] = '\0';
		pf->filterlen = ev->namelen;
		pf->have_filter = 1;
		memcpy(pf->run->stats->event, pf->filter, ev->namelen + 1);
	}
	if (ev->namelen != pf->filterlen ||
	    memcmp(ev->name, pf->filter, ev->namelen) != 0)
		sample_skip(pf, ev->name, ev->namelen);
}

static ff_rc
on_event(struct perf *pf, const struct event *ev, ff_err *err)
{
	ff_rc rc;

	if ((rc = sample_end(pf, err)) != FF_OK)
		return rc;
	pf->in_sample = 1;
	pf->skip = 0;
	pf->line = ff_src_lineno(pf->run->src);
	pf->period = ev->period;
	if (ev->bad_period) {
		pf->skip = 1;
		return ff_collapse_malformed(pf->run, err, FF_COLLAPSE_K_COUNT,
		    "sample period is larger than 2^63-1: sample skipped");
	}
	sample_select(pf, ev);
	if (pf->skip)
		return FF_OK;
	return perf_root(pf, ev, err);
}

/* The cache key: java-ness, the SYMBOL's length, SYMBOL without offset,
 * MODULE (see raw_of_key). */
static char *
frame_key(struct perf *pf, size_t *len, ff_err *err)
{
	uint32_t fl = (uint32_t)pf->funclen;
	size_t n = 1 + sizeof fl + pf->funclen + pf->modlen;
	char *k = ff_collapse_frame_buf(pf->run, n, err);

	if (k == NULL)
		return NULL;
	k[0] = (char)('0' + pf->java);
	memcpy(k + 1, &fl, sizeof fl);
	memcpy(k + 1 + sizeof fl, pf->func, pf->funclen);
	memcpy(k + 1 + sizeof fl + pf->funclen, pf->mod, pf->modlen);
	*len = n;
	return k;
}

static ff_rc
on_frame(struct perf *pf, ff_err *err)
{
	const char *key;
	size_t len;
	int uncached;

	pf->funclen = strip_offset(pf->func, pf->funclen);
	if (pf->funclen > 0 && pf->func[0] == '(')
		return FF_OK;
	if ((key = frame_key(pf, &len, err)) == NULL)
		return FF_ERR_NOMEM;
	uncached = (pf->flags & FF_COLLAPSE_ADDRS) &&
	    has(pf->func, pf->funclen, "[unknown]");
	return ff_collapse_frame(pf->run, key, len, uncached, build_frame, pf,
	    err);
}

/* ---- the line loop ------------------------------------------------------- */

/* A frame line, parsed into pf. */
static ff_rc
frame_line(struct perf *pf, ff_err *err)
{
	if (pf->in_sample && !pf->skip)
		return on_frame(pf, err);
	if (pf->in_sample)
		return FF_OK;
	return ff_collapse_malformed(pf->run, err, FF_COLLAPSE_K_UNRECOGNISED,
	    "frame line outside a sample (no event line before it): line "
	    "skipped");
}

static ff_rc
perf_line(struct perf *pf, const char *p, size_t n, ff_err *err)
{
	struct event ev;

	if (n == 0)
		return sample_end(pf, err);
	if (p[0] == '#')
		return FF_OK;
	/* The usual line: an indented frame.  NUL bytes in its text are
	 * caught when that text is first seen (build_frame). */
	if (is_space(p[0]) && frame_parse(pf, p, n))
		return frame_line(pf, err);
	if (memchr(p, '\0', n) != NULL)
		return ff_collapse_malformed(pf->run, err, FF_COLLAPSE_K_NUL,
		    "NUL byte in line: line skipped");
	if (!is_space(p[0]) && event_head(p, n, &ev)) {
		event_tail(p, n, &ev);
		return on_event(pf, &ev, err);
	}
	if (!is_space(p[0]) && frame_parse(pf, p, n))
		return frame_line(pf, err);
	return ff_collapse_malformed(pf->run, err, FF_COLLAPSE_K_UNRECOGNISED,
	    "neither an event line nor a frame line: '%.*s%s' skipped",
	    (int)(n > 60 ? 60 : n), p, n > 60 ? "..." : "");
}

ff_rc
ff_perf_collapse(ff_collapse_run *run, ff_err *err)
{
	struct perf pf;
	const char *p;
	size_t n;
	ff_rc rc;

	memset(&pf, 0, sizeof pf);
	pf.run = run;
	pf.flags = run->opts->flags;
	if (run->opts->nevents == 0 && run->opts->event[0] != '\0') {
		pf.filterlen = strlen(run->opts->event);
		memcpy(pf.filter, run->opts->event, pf.filterlen + 1);
		memcpy(run->stats->event, pf.filter, pf.filterlen + 1);
		pf.have_filter = 1;
	}
	while ((rc = ff_collapse_line(run, &p, &n, err)) == FF_OK)
		if ((rc = perf_line(&pf, p, n, err)) != FF_OK)
			break;
	if (rc == FF_DONE)
		rc = sample_end(&pf, err);
	ff_free(pf.pname);
	ff_free(pf.key);
	return rc;
}

int
ff_perf_sniff(const char *event, size_t elen, const char *frame, size_t flen)
{
	struct perf pf;
	struct event ev;

	return event_head(event, elen, &ev) && frame_parse(&pf, frame, flen);
}
