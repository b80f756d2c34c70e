/*
 * procstat.c -- `procstat -kk -a` snapshots into stacks (see procstat.h).
 *
 * A snapshot is procstat's header then one line per thread: PID, TID, the
 * process name (COMM), the thread name (TDNAME), then the kernel stack,
 * leaf first, as `function+0xoffset` words.  procstat prints COMM and
 * TDNAME left-aligned in 19-column fields (neither can be longer), so the
 * names may hold blanks:
 *
 *       PID    TID COMM                TDNAME              KSTACK
 *         0 100000 kernel              swapper             mi_switch+0x174 ...
 *        12 100041 intr                swi4: clock (0)     mi_switch+0x174 ...
 *
 * Collecting: `while :; do procstat -kk -a; sleep 0.1; done > off.txt`
 * (a profiler wrapper does this at a set rate for a set time).
 *
 *   line        rule
 *   ----------  --------------------------------------------------------
 *   PID TID COMM TDNAME KSTACK
 *               procstat's header (it starts a snapshot): ignored
 *   blank       ignored (it also separates snapshots)
 *   thread      PID and TID (decimal words), then, once procstat's
 *   (columns)   header was seen and counting from the character after
 *               TID: COMM in the next 19 columns, TDNAME in the 20
 *               after a blank, and KSTACK from column 41 (procstat's own
 *               layout; used when both fields end in a blank)
 *   thread      otherwise (no header, a short line, hand-made input):
 *   (words)     COMM is the third word, KSTACK the longest run of
 *               trailing words that are NAME+0xHEX or <...>
 *   other       malformed ("unrecognised line"), skipped
 *
 *   stack       rule
 *   ----------  --------------------------------------------------------
 *   frames      each KSTACK word is a frame; a trailing +0x[0-9a-fA-F]+
 *               is removed; ';' becomes ':'; "<running>", "<swapped>"
 *               and "<unknown>" (procstat's thread states) are kept
 *   order       KSTACK is leaf first: reversed, root first
 *   root        COMM, blanks turned into '_'; with --pid COMM-PID, with
 *               --tid COMM-PID/TID
 *   count       1 per thread per snapshot, or --interval-ms N (the
 *               snapshot interval: the profile is then in ms off CPU)
 *
 * A thread with an empty KSTACK counts on its root frame alone.
 */
#include "agent/procstat.h"

#include <string.h>

enum { NAME_COLS = 19 };

struct procstat {
	ff_collapse_run *run;
	const char *word;       /* the frame being built */
	size_t wordlen;
	int header;             /* procstat's header was seen: columns */
};

struct thread {
	const char *pid, *tid, *comm, *stack;
	size_t pidlen, tidlen, commlen, stacklen;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return n > 0;
}

/* The word at p[*i..n): its start and length; *i moves past it and the
 * blanks before the next one.  0 at the end. */
static int
next_word(const char *p, size_t n, size_t *i, const char **w, size_t *wl)
{
	while (*i < n && is_blank(p[*i]))
		(*i)++;
	if (*i == n)
		return 0;
	*w = p + *i;
	while (*i < n && !is_blank(p[*i]))
		(*i)++;
	*wl = (size_t)(p + *i - *w);
	return 1;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* The length of a word without its "+0xHEX" offset (or all of it). */
static size_t
strip_offset(const char *w, size_t n)
{
	size_t i = n;

	while (i > 0 && is_hex(w[i - 1]))
		i--;
	if (i < n && i >= 3 && memcmp(w + i - 3, "+0x", 3) == 0)
		return i - 3;
	return n;
}

/* Whether a word looks like a procstat -kk frame. */
static int
is_frame_word(const char *w, size_t n)
{
	return strip_offset(w, n) != n || (n > 2 && w[0] == '<' &&
	    w[n - 1] == '>');
}

static int
is_header(const char *p, size_t n)
{
	static const char *const want[] = { "PID", "TID", "COMM", "TDNAME",
	    "KSTACK" };
	const char *w;
	size_t i = 0, wl, k;

	for (k = 0; k < 5; k++)
		if (!next_word(p, n, &i, &w, &wl) || wl != strlen(want[k]) ||
		    memcmp(w, want[k], wl) != 0)
			return 0;
	return 1;
}

/* Trim blanks at both ends of p[0..*n). */
static const char *
trim(const char *p, size_t *n)
{
	while (*n > 0 && is_blank(p[*n - 1]))
		(*n)--;
	while (*n > 0 && is_blank(*p)) {
		p++;
		(*n)--;
	}
	return p;
}

/* procstat's fixed layout after TID (which ends at t). */
static int
thread_columns(const char *p, size_t n, size_t t, struct thread *th)
{
	size_t comm = t + 1, td = comm + NAME_COLS + 1,
	    ks = td + NAME_COLS + 1;

	if (n <= ks || !is_blank(p[t]) || !is_blank(p[td - 1]) ||
	    !is_blank(p[ks - 1]) || is_blank(p[comm]))
		return 0;
	th->commlen = NAME_COLS;
	th->comm = trim(p + comm, &th->commlen);
	th->stack = p + ks;
	th->stacklen = n - ks;
	return th->commlen > 0;
}

/* The word layout: COMM the third word, the stack the frame-like tail. */
static int
thread_words(const char *p, size_t n, size_t i, struct thread *th)
{
	const char *w;
	size_t wl, start = n, after;

	if (!next_word(p, n, &i, &th->comm, &th->commlen))
		return 0;
	after = i;
	while (next_word(p, n, &i, &w, &wl))
		if (!is_frame_word(w, wl))
			start = n;
		else if (start == n)
			start = (size_t)(w - p);
	if (start < after)
		start = after;
	th->stack = p + start;
	th->stacklen = n - start;
	return 1;
}

/* A thread line; procstat's columns are trusted once its header was
 * seen (columns), otherwise the words are read. */
static int
thread_parse(const char *p, size_t n, int columns, struct thread *th)
{
	size_t i = 0;

	if (!next_word(p, n, &i, &th->pid, &th->pidlen) ||
	    !is_digits(th->pid, th->pidlen) ||
	    !next_word(p, n, &i, &th->tid, &th->tidlen) ||
	    !is_digits(th->tid, th->tidlen))
		return 0;
	if (columns &&
	    thread_columns(p, n, (size_t)(th->tid + th->tidlen - p), th))
		return 1;
	return thread_words(p, n, i, th);
}

/* ---- samples ------------------------------------------------------------- */

static ff_rc
build_word(void *ctx, ff_collapse_run *run, const char *key, size_t len,
    uint32_t *ids, uint32_t *n, const char **kind, ff_err *err)
{
	char *buf = ff_collapse_scratch(run, len, err);
	size_t i;

	(void)ctx;
	if (buf == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; i < len; i++)
		buf[i] = key[i] == ';' ? ':' : key[i];
	*n = 1;
	return ff_collapse_name(run, buf, len, &ids[0], kind, err);
}

/* The root frame: COMM[-PID[/TID]], blanks as '_' and ';' as ':'. */
static ff_rc
root_id(struct procstat *ps, const struct thread *th, uint32_t *id,
    ff_err *err)
{
	unsigned flags = ps->run->opts->flags;
	const char *kind = NULL;
	size_t n = th->commlen, i;
	char *b;
	ff_rc rc;

	b = ff_collapse_scratch(ps->run, n + th->pidlen + th->tidlen + 2, err);
	if (b == NULL)
		return FF_ERR_NOMEM;
	memcpy(b, th->comm, n);
	if (flags & (FF_COLLAPSE_PID | FF_COLLAPSE_TID)) {
		b[n++] = '-';
		memcpy(b + n, th->pid, th->pidlen);
		n += th->pidlen;
	}
	if (flags & FF_COLLAPSE_TID) {
		b[n++] = '/';
		memcpy(b + n, th->tid, th->tidlen);
		n += th->tidlen;
	}
	for (i = 0; i < n; i++)
		if (is_blank(b[i]) || b[i] == ';')
			b[i] = b[i] == ';' ? ':' : '_';
	rc = ff_collapse_name(ps->run, b, n, id, &kind, err);
	if (rc == FF_ERR_LIMIT && kind != NULL) {
		ff_collapse_spoil(ps->run, kind);
		return FF_OK;
	}
	return rc;
}

static ff_rc
thread_sample(struct procstat *ps, const struct thread *th, ff_err *err)
{
	ff_collapse_run *run = ps->run;
	const ff_collapse_opts *o = run->opts;
	uint64_t count = o->interval_ms != 0 ? o->interval_ms :
	    o->periods[0] != 0 ? o->periods[0] : 1;
	const char *w;
	size_t i = 0, wl;
	uint32_t root = FF_STACKS_NONE;
	ff_rc rc;

	if ((rc = root_id(ps, th, &root, err)) != FF_OK)
		return rc;
	while (next_word(th->stack, th->stacklen, &i, &w, &wl)) {
		ps->word = w;
		ps->wordlen = strip_offset(w, wl);
		rc = ff_collapse_frame(run, ps->word, ps->wordlen, 0,
		    build_word, ps, err);
		if (rc != FF_OK)
			return rc;
	}
	return ff_collapse_end(run, root, 0, count, ff_src_lineno(run->src),
	    err);
}

static ff_rc
procstat_line(struct procstat *ps, const char *p, size_t n, ff_err *err)
{
	struct thread th;
	size_t i;

	for (i = 0; i < n && is_blank(p[i]); i++)
		;
	if (i == n)
		return FF_OK;
	if (is_header(p, n)) {
		ps->header = 1;
		return FF_OK;
	}
	if (memchr(p, '\0', n) != NULL)
		return ff_collapse_malformed(ps->run, err, FF_COLLAPSE_K_NUL,
		    "NUL byte in line: line skipped");
	if (thread_parse(p, n, ps->header, &th))
		return thread_sample(ps, &th, err);
	return ff_collapse_malformed(ps->run, err, FF_COLLAPSE_K_UNRECOGNISED,
	    "not a procstat -kk thread line: '%.*s%s' skipped",
	    (int)(n > 60 ? 60 : n),
	    p, n > 60 ? "..." : "");
}

ff_rc
ff_procstat_collapse(ff_collapse_run *run, ff_err *err)
{
	struct procstat ps;
	const char *p;
	size_t n;
	ff_rc rc;

	memset(&ps, 0, sizeof ps);
	ps.run = run;
	while ((rc = ff_collapse_line(run, &p, &n, err)) == FF_OK)
		if ((rc = procstat_line(&ps, p, n, err)) != FF_OK)
			return rc;
	return rc == FF_DONE ? FF_OK : rc;
}

int
ff_procstat_sniff(const char *line, size_t len)
{
	struct thread th;
	const char *w;
	size_t i = 0, wl;

	if (is_header(line, len))
		return 1;
	if (!thread_parse(line, len, 0, &th))
		return 0;
	/* A thread line needs at least one -kk frame to be recognised. */
	while (next_word(th.stack, th.stacklen, &i, &w, &wl))
		if (is_frame_word(w, wl))
			return 1;
	return 0;
}
