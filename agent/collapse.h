/*
 * collapse.h -- turning profiler text into stacks: options, format
 * detection and dispatch to the collapsers (perf.h, dtrace.h, pmc.h,
 * procstat.h).
 *
 * A collapser reads one input stream from an ff_src and adds every sample
 * to an ff_stacks table, one count column per event.  It never holds more
 * than one line and one sample in memory: memory follows the number of
 * distinct stacks, not the input size.  Malformed lines go to an ff_diag
 * (reported once per kind, counted, skipped; fatal in strict mode).
 *
 * Typical use (this is what `ffagent collapse` and `ffagent run` do):
 *
 *     ff_collapse_opts o;
 *     ff_collapse_opts_init(&o);
 *     o.format = FF_COLLAPSE_PERF;
 *     rc = ff_collapse_opts_events(&o, "cycles,instructions", &err);
 *     s = ff_stacks_new(frames, ff_collapse_ncols(&o));
 *     rc = ff_collapse_src(&o, src, s, NULL, diag, &err);
 *     rc = ff_fold_write(s, stdout, &err);
 */
#ifndef FF_COLLAPSE_H
#define FF_COLLAPSE_H

#include "profile/diag.h"
#include "profile/err.h"
#include "profile/intern.h"
#include "profile/limits.h"
#include "profile/src.h"
#include "profile/stacks.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ff_collapse_format {
	FF_COLLAPSE_AUTO = 0,  /* recognise from the first lines */
	FF_COLLAPSE_PERF,      /* `perf script` text */
	FF_COLLAPSE_DTRACE,    /* DTrace stack()/ustack() aggregation */
	FF_COLLAPSE_PMC,       /* FreeBSD `pmcstat -R file -G out` */
	FF_COLLAPSE_PROCSTAT   /* FreeBSD `procstat -kk -a`, repeated */
} ff_collapse_format;

/* Annotation flags (ff_collapse_opts.flags). */
enum {
	FF_COLLAPSE_PID = 1u << 0,    /* root frame "comm-PID" (perf, procstat) */
	FF_COLLAPSE_TID = 1u << 1,    /* root frame "comm-PID/TID" (ditto) */
	FF_COLLAPSE_KERNEL = 1u << 2, /* "_[k]" on kernel frames (perf) */
	FF_COLLAPSE_JIT = 1u << 3,    /* "_[j]" on JIT frames (perf) */
	FF_COLLAPSE_ADDRS = 1u << 4,  /* "[mod <addr>]" for unknown symbols */
	FF_COLLAPSE_ALL = FF_COLLAPSE_KERNEL | FF_COLLAPSE_JIT
};

/* Longest event name accepted in the options. */
#define FF_COLLAPSE_EVENT_MAX 128u

/*
 * Options.  Caller-owned and self-contained (no pointers), so it may be
 * copied freely; ff_collapse_opts_init() cannot fail.
 *
 * Columns: with nevents == 0 the output has one count column; with
 * --events E1,E2,... it has one column per named event, in that order.
 */
typedef struct ff_collapse_opts {
	ff_collapse_format format;
	unsigned flags;                      /* FF_COLLAPSE_PID ... */
	/* One event: perf --event-filter (default: the first event seen),
	 * pmc --event (required when a file has several sections).  Empty
	 * string = not set.  Ignored when nevents > 0. */
	char event[FF_COLLAPSE_EVENT_MAX];
	/* Several events, one count column each (perf, pmc). */
	char events[FF_VALUES_MAX][FF_COLLAPSE_EVENT_MAX];
	unsigned nevents;
	/* Per-column multiplier for samples that carry no period of their
	 * own (dtrace, pmc, procstat; perf samples without a period): the
	 * count added is N * periods[col].  0 means 1. */
	uint64_t periods[FF_VALUES_MAX];
	/* procstat: what one thread in one snapshot counts (the snapshot
	 * interval in ms); 0 means periods[0], or 1. */
	uint64_t interval_ms;
	/* Called now and then with input bytes read and the input size (0
	 * when unknown), for progress display.  May be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
} ff_collapse_opts;

/*
 * What a call did, for messages (`-v`) and notes on stderr.  Filled by
 * ff_collapse_src when the caller passes one; caller-owned.
 */
typedef struct ff_collapse_stats {
	ff_collapse_format format;  /* the format read (after detection) */
	uint64_t samples;           /* samples added to the table */
	uint64_t skipped_event;     /* samples of events not asked for */
	uint64_t skipped_noevent;   /* samples without an event name (--events) */
	/* perf: the event collapsed when none was asked for, "" if none. */
	char event[FF_COLLAPSE_EVENT_MAX];
	/* Events seen but not collapsed, comma separated (may be cut). */
	char others[256];
} ff_collapse_stats;

/* Defaults: auto format, no flags, one column, periods of 1. */
void ff_collapse_opts_init(ff_collapse_opts *o);

/* Set opts->events from "E1,E2,...": FF_ERR_USAGE for an empty name, a
 * duplicate, a name longer than FF_COLLAPSE_EVENT_MAX - 1 or more than
 * FF_VALUES_MAX names. */
ff_rc ff_collapse_opts_events(ff_collapse_opts *o, const char *list,
    ff_err *err) FF_WUR;

/* Set opts->periods from "P1,P2,..." (positive integers, one per
 * column).  FF_ERR_USAGE on a bad list. */
ff_rc ff_collapse_opts_periods(ff_collapse_opts *o, const char *list,
    ff_err *err) FF_WUR;

/* The number of count columns the options ask for (1 .. FF_VALUES_MAX):
 * create the output table with ff_stacks_new(frames, this). */
unsigned ff_collapse_ncols(const ff_collapse_opts *o);

/* "perf", "dtrace", "pmc", "procstat" or "auto". */
const char *ff_collapse_format_name(ff_collapse_format f);

/* Parse a format name; FF_ERR_USAGE for an unknown one. */
ff_rc ff_collapse_format_parse(const char *name, ff_collapse_format *f,
    ff_err *err) FF_WUR;

/*
 * Recognise the format of src from its first 64 KiB without consuming
 * anything.  FF_ERR_PARSE when the start looks binary (a NUL byte, or
 * more than 1% control characters) or matches no known format; the
 * message names the source.  An empty input is perf (it collapses to
 * nothing).
 */
ff_rc ff_collapse_detect(ff_src *src, ff_collapse_format *f, ff_err *err)
	FF_WUR;

/*
 * Collapse every sample of src into out.
 *
 * src is borrowed (read to its end on success).  out is borrowed; its
 * column count must be ff_collapse_ncols(opts), and samples are added to
 * what it already holds (so several inputs can be merged).  stats (may be
 * NULL) is filled in.  diag is borrowed (NULL makes every malformed line
 * fatal).  opts is borrowed for the call only.
 *
 * Returns FF_OK, or:
 *   FF_ERR_USAGE   options that do not fit the format (e.g. --kernel on
 *                  dtrace input), or an --event/--events name that the
 *                  input lacks (pmc); err names what is available
 *   FF_ERR_PARSE   binary input, unrecognised format, a pmc file with
 *                  several sections and no --event, or a malformed line
 *                  in strict mode (err says file:line)
 *   FF_ERR_LIMIT   the tables are full (2^31 frames or nodes)
 *   FF_ERR_NOMEM, FF_ERR_IO (reading)
 * On error, out keeps the samples added before it: discard it.
 *
 * Perf state (the default event) is per call: with several inputs, each
 * collapses its own first event unless an event is given.
 */
ff_rc ff_collapse_src(const ff_collapse_opts *opts, ff_src *src,
    ff_stacks *out, ff_collapse_stats *stats, ff_diag *diag, ff_err *err)
	FF_WUR;

/*
 * The `ffagent collapse` command (agent/cmd_collapse.c): parses argv
 * (argv[0] is "collapse"), writes folded text to stdout, diagnostics to
 * stderr, and returns the exit status documented in its --help.
 */
int ff_collapse_main(int argc, char **argv);

/* ======================================================================
 * For the collapsers only (perf.c, dtrace.c, pmc.c, procstat.c).
 *
 * ff_collapse_run is the state of one ff_collapse_src call: the output
 * table, the sample being built (frame ids, leaf first), and a cache from
 * raw frame text to the frame ids it becomes, so that tidying and
 * interning run once per distinct raw frame.
 * ==================================================================== */

/* Kinds of malformed lines (ff_diag kinds), shared by the collapsers. */
extern const char FF_COLLAPSE_K_UNRECOGNISED[]; /* "unrecognised line" */
extern const char FF_COLLAPSE_K_NUL[];          /* "NUL byte" */
extern const char FF_COLLAPSE_K_LONG[];         /* "line too long" */
extern const char FF_COLLAPSE_K_FRAME[];        /* "frame too long" */
extern const char FF_COLLAPSE_K_DEEP[];         /* "stack too deep" */
extern const char FF_COLLAPSE_K_COUNT[];        /* "bad count" */
extern const char FF_COLLAPSE_K_OVERFLOW[];     /* "count overflow" */
extern const char FF_COLLAPSE_K_EMPTY[];        /* "empty stack" */

typedef struct ff_collapse_entry ff_collapse_entry;
typedef struct ff_collapse_pending ff_collapse_pending;

typedef struct ff_collapse_run {
	const ff_collapse_opts *opts;
	ff_src *src;
	ff_stacks *out;
	ff_intern *frames;        /* ff_stacks_frames(out) */
	ff_diag *diag;
	ff_collapse_stats *stats;
	unsigned ncols;

	/* The sample being built: frame ids, leaf first. */
	uint32_t *ids;            /* FF_DEPTH_MAX entries */
	uint32_t *path;           /* the previous sample, root first */
	uint32_t *pathnodes;      /* its trie nodes */
	uint32_t pathlen;
	struct ff_collapse_memo { /* by frame id: its last trie step */
		uint32_t parent, child;
	} *memo;
	uint32_t nmemo;
	uint32_t depth;
	const char *bad;          /* kind that spoils the sample, or NULL */
	uint64_t bad_line;        /* where it was found */

	/* Raw frame text -> frame ids (see collapse.c). */
	uint64_t *slots;
	uint32_t mask, nused;
	char *recs;               /* records: fixed-size entries */
	size_t nrecs, caprecs;
	uint32_t *pool;           /* ids of entries with several frames */
	size_t npool, cappool;

	/* Frames submitted, not yet looked up (ff_collapse_frame): a ring
	 * of npend entries from pendhead; pendtail is the next free one. */
	ff_collapse_pending *pend;
	unsigned npend, pendhead, pendtail;

	char *buf;                /* scratch for names being built */
	size_t bufcap;
	uint64_t progress_at;     /* input position of the next callback */
	uint64_t lineno;          /* ff_src_lineno(src), kept here */
} ff_collapse_run;

/* Builds the frame ids of raw text key[0..len) on a cache miss: writes
 * up to FF_DEPTH_MAX ids to ids[] (leaf first) and their number to *n.
 * The key is a copy, and the build may run after later lines were read
 * (see ff_collapse_frame): a builder must take what it needs from the
 * key (and from ctx only what stays valid for the whole run), except for
 * frames submitted uncached, which are built at once.  Returns FF_OK;
 * FF_ERR_LIMIT with *kind set (the frame cannot be collapsed: the sample
 * is spoiled and reported when it ends); FF_ERR_PARSE with *kind set (the
 * line is malformed: reported and skipped, the sample keeps its other
 * frames); or a fatal code with err set.  The verdict is cached with the
 * key like the ids. */
typedef ff_rc (*ff_collapse_build)(void *ctx, ff_collapse_run *run,
    const char *key, size_t len, uint32_t *ids, uint32_t *n,
    const char **kind, ff_err *err);

/* Report a malformed line at the current input line.  FF_OK means "skip
 * it and go on"; in strict mode FF_ERR_PARSE with file:line in err. */
ff_rc ff_collapse_malformed(ff_collapse_run *run, ff_err *err,
    const char *kind, const char *fmt, ...) FF_PRINTF(4, 5);

/* The rare cases of ff_collapse_line: an overlong line (reported as
 * malformed, skipped), progress, the end, an error. */
ff_rc ff_collapse_line_slow(ff_collapse_run *run, ff_rc rc,
    const char **line, size_t *len, ff_err *err) FF_WUR;

/* Read the next line, handling overlong lines (reported as malformed)
 * and progress.  FF_OK, FF_DONE at the end, or a fatal code.  Inline:
 * it runs once per input line. */
static inline ff_rc FF_WUR
ff_collapse_line(ff_collapse_run *run, const char **line, size_t *len,
    ff_err *err)
{
	ff_rc rc = ff_src_line(run->src, line, len, err);

	if (rc == FF_OK && ((++run->lineno & 1023) != 0 ||
	    run->opts->progress == NULL))
		return FF_OK;
	return ff_collapse_line_slow(run, rc, line, len, err);
}

/* Append the frames of raw text key[0..len) (borrowed for the call) to
 * the sample, building them with build(ctx, ...) on the first sight of
 * the key.  Lookups are pipelined: a frame is resolved a couple of frames
 * later, or when the sample ends, so its errors (malformed lines, which
 * name the frame's own line) may surface on a later call.  When uncached
 * is set the frame is built at once and not remembered (for text that is
 * unique, such as raw addresses). */
ff_rc ff_collapse_frame(ff_collapse_run *run, const char *key, size_t len,
    int uncached, ff_collapse_build build, void *ctx, ff_err *err) FF_WUR;

/* A frame submitted but not looked up yet (see ff_collapse_frame). */
struct ff_collapse_pending {
	char *key;                /* the raw text (a copy) */
	size_t len, cap;
	uint64_t hash, check, line; /* check: the hash's other 64 bits */
	ff_collapse_build build;
	void *ctx;
};

/* ff_collapse_frame_buf's slow path: grow the next ring buffer. */
char *ff_collapse_frame_grow(ff_collapse_run *run, size_t n, ff_err *err);

/* A buffer for the raw text of the next frame, n bytes long (or NULL
 * with err set): a collapser that builds its key there saves
 * ff_collapse_frame a copy.  Valid until that call. */
static inline char *
ff_collapse_frame_buf(ff_collapse_run *run, size_t n, ff_err *err)
{
	ff_collapse_pending *p = &run->pend[run->pendtail];

	return p->key != NULL && n <= p->cap ? p->key :
	    ff_collapse_frame_grow(run, n, err);
}

/* Intern one frame name for a builder: FF_ERR_LIMIT with *kind set for a
 * name longer than FF_FRAME_MAX, FF_ERR_LIMIT/NOMEM with err set when the
 * table is full or memory is out. */
ff_rc ff_collapse_name(ff_collapse_run *run, const char *name, size_t len,
    uint32_t *id, const char **kind, ff_err *err) FF_WUR;

/* Scratch space of at least n bytes (run->buf), or NULL (err set). */
char *ff_collapse_scratch(ff_collapse_run *run, size_t n, ff_err *err);

/* Spoil the current sample: it will be skipped, and reported (once per
 * sample) as kind when it ends. */
void ff_collapse_spoil(ff_collapse_run *run, const char *kind);

/* End the sample: add count (the caller applies periods) to column col
 * of the stack root (a frame id, or FF_STACKS_NONE for no root frame) +
 * the sample's frames reversed.  A spoiled sample, one deeper than
 * FF_DEPTH_MAX, an empty one, or one whose count would push a column sum
 * past FF_COUNT_MAX is reported at `line` and skipped.  The sample is
 * reset in every case. */
ff_rc ff_collapse_end(ff_collapse_run *run, uint32_t root, unsigned col,
    uint64_t count, uint64_t line, ff_err *err) FF_WUR;

/* Drop the current sample without counting it. */
void ff_collapse_reset(ff_collapse_run *run);

/* count * the period of column col (opts->periods, 0 = 1); 0 and
 * FF_ERR_LIMIT when the product passes FF_COUNT_MAX. */
ff_rc ff_collapse_weight(const ff_collapse_run *run, unsigned col,
    uint64_t count, uint64_t *out) FF_WUR;

/* Parse the unsigned decimal p[0..n): 0 ok, -1 not a number, -2 larger
 * than FF_COUNT_MAX. */
int ff_collapse_parse_count(const char *p, size_t n, uint64_t *v);

/* A frame name that ends in blanks and digits ("operator new 2", maybe
 * followed by blanks) would read back as a count column at the end of a
 * stack: turn the blanks before the digits into '_', in place.  The
 * collapsers pass every name that may hold blanks through this, so their
 * output is always valid folded text. */
void ff_collapse_fix_tail(char *name, size_t len);

/* The index of the first byte of p[0..n) that is neither a space nor a
 * tab (n when there is none): sixteen bytes at a time where SSE2 is
 * there, for the deep indentation of profiler text. */
size_t ff_collapse_blanks(const char *p, size_t n);

/* The number of "->" parts of s[0..n) (inlined frames, as perf and
 * DTrace print them) the way Perl's split counts them: trailing empty
 * parts dropped.  *used is where the last part kept ends. */
uint32_t ff_collapse_count_parts(const char *s, size_t n, size_t *used);

/* Remember an event name in stats->others (once). */
void ff_collapse_note_event(ff_collapse_run *run, const char *name,
    size_t len);

#endif
