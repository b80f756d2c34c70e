/*
 * collapse.c -- options, format detection, dispatch, and the machinery
 * every collapser shares (see collapse.h).
 *
 * A frame line's way, in the order of the sections below:
 *
 *   ff_collapse_frame   hashes the raw text and queues it (the lookup
 *                       pipeline), so that its hash slot and record are
 *                       fetched from memory while the next lines are read
 *   frame_resolve       looks the text up in the raw frame cache; on the
 *                       first sight, the collapser's builder tidies it
 *                       into frame names, interned once (ff_collapse_name)
 *   sample_push         appends the frame ids to the sample, leaf first
 *   ff_collapse_end     walks the sample down the stack trie, root first,
 *                       reusing the previous sample's path and each frame's
 *                       last trie step, and adds the count
 *
 * Everything a run allocates follows the distinct frames and stacks, not
 * the input size.
 */
#include "agent/collapse.h"
#include "agent/dtrace.h"
#include "agent/perf.h"
#include "agent/pmc.h"
#include "agent/procstat.h"
#include "profile/hash.h"
#include "profile/mem.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

const char FF_COLLAPSE_K_UNRECOGNISED[] = "unrecognised line";
const char FF_COLLAPSE_K_NUL[] = "NUL byte";
const char FF_COLLAPSE_K_LONG[] = "line too long";
const char FF_COLLAPSE_K_FRAME[] = "frame too long";
const char FF_COLLAPSE_K_DEEP[] = "stack too deep";
const char FF_COLLAPSE_K_COUNT[] = "bad count";
const char FF_COLLAPSE_K_OVERFLOW[] = "count overflow";
const char FF_COLLAPSE_K_EMPTY[] = "empty stack";

enum {
	SNIFF_BYTES = 64 << 10,   /* what detection and the binary check see */
	PROGRESS_STEP = 4 << 20   /* bytes between progress callbacks */
};

/* A raw frame cache record: the key's 128-bit hash (which stands for the
 * key: two distinct raw frames would have to collide in 128 bits), and
 * the frames the key became, n ids, the id itself when n == 1, else
 * pool[first..]. */
struct ff_collapse_entry {
	uint64_t hash;            /* the first 64 bits */
	uint64_t check;           /* the other 64 */
	uint32_t first;
	uint32_t n;               /* UNBUILT, SPOILED, MALFORMED or a count */
};

#define UNBUILT UINT32_MAX
#define SPOILED (UINT32_MAX - 1)     /* first: index in cached_kinds */
#define MALFORMED (UINT32_MAX - 2)   /* first: index in cached_kinds */

/* Kinds a cached raw frame can carry, by index in `first`. */
static const char *const cached_kinds[] = {
	FF_COLLAPSE_K_FRAME, FF_COLLAPSE_K_DEEP, FF_COLLAPSE_K_NUL,
	FF_COLLAPSE_K_UNRECOGNISED
};

#ifndef FF_COLLAPSE_PIPE
#define FF_COLLAPSE_PIPE 2
#endif

enum {
	PIPE = FF_COLLAPSE_PIPE,  /* frames waiting between calls */
	RING = PIPE + 1           /* and the one being submitted */
};

static ff_rc pipe_drain(ff_collapse_run *run, ff_err *err);

/* ---- options ------------------------------------------------------------- */

void
ff_collapse_opts_init(ff_collapse_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = FF_COLLAPSE_AUTO;
}

unsigned
ff_collapse_ncols(const ff_collapse_opts *o)
{
	return o->nevents > 0 ? o->nevents : 1;
}

/* Split "a,b,c" into at most FF_VALUES_MAX items: calls item(ctx, i, p,
 * n) for each. */
static ff_rc
split_list(const char *list, const char *what,
    ff_rc (*item)(void *, unsigned, const char *, size_t, ff_err *),
    void *ctx, unsigned *count, ff_err *err)
{
	const char *p = list;
	unsigned i = 0;
	ff_rc rc;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (n == 0)
			return ff_err_set(err, FF_ERR_USAGE, "empty %s in '%s'",
			    what, list);
		if (i == FF_VALUES_MAX)
			return ff_err_set(err, FF_ERR_USAGE, "at most %u %ss",
			    FF_VALUES_MAX, what);
		if ((rc = item(ctx, i, p, n, err)) != FF_OK)
			return rc;
		i++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*count = i;
	return FF_OK;
}

static ff_rc
event_item(void *ctx, unsigned i, const char *p, size_t n, ff_err *err)
{
	ff_collapse_opts *o = ctx;
	unsigned j;

	if (n >= FF_COLLAPSE_EVENT_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "event name longer than "
		    "%u bytes", FF_COLLAPSE_EVENT_MAX - 1);
	memcpy(o->events[i], p, n);
	o->events[i][n] = '\0';
	for (j = 0; j < i; j++)
		if (strcmp(o->events[j], o->events[i]) == 0)
			return ff_err_set(err, FF_ERR_USAGE, "event '%s' "
			    "named twice", o->events[i]);
	return FF_OK;
}

ff_rc
ff_collapse_opts_events(ff_collapse_opts *o, const char *list, ff_err *err)
{
	unsigned n = 0;
	ff_rc rc;

	rc = split_list(list, "event", event_item, o, &n, err);
	o->nevents = rc == FF_OK ? n : 0;
	return rc;
}

static ff_rc
period_item(void *ctx, unsigned i, const char *p, size_t n, ff_err *err)
{
	ff_collapse_opts *o = ctx;
	uint64_t v;

	if (ff_collapse_parse_count(p, n, &v) != 0 || v == 0)
		return ff_err_set(err, FF_ERR_USAGE, "period '%.*s' is not a "
		    "positive integer below 2^63", (int)(n < 64 ? n : 64), p);
	o->periods[i] = v;
	return FF_OK;
}

ff_rc
ff_collapse_opts_periods(ff_collapse_opts *o, const char *list, ff_err *err)
{
	unsigned n = 0;

	memset(o->periods, 0, sizeof o->periods);
	return split_list(list, "period", period_item, o, &n, err);
}

static const char *const format_names[] = {
	"auto", "perf", "dtrace", "pmc", "procstat"
};

const char *
ff_collapse_format_name(ff_collapse_format f)
{
	if ((unsigned)f >= sizeof format_names / sizeof format_names[0])
		return "?";
	return format_names[f];
}

ff_rc
ff_collapse_format_parse(const char *name, ff_collapse_format *f,
    ff_err *err)
{
	unsigned i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(name, format_names[i]) == 0) {
			*f = (ff_collapse_format)i;
			return FF_OK;
		}
	return ff_err_set(err, FF_ERR_USAGE, "unknown format '%s' (expected "
	    "auto, perf, dtrace, pmc or procstat)", name);
}

/* ---- detection ----------------------------------------------------------- */

/* Whether p[0..n) looks binary: a NUL, or over 1% control bytes. */
static int
looks_binary(const char *p, size_t n)
{
	size_t i, ctl = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0)
			return 1;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != '\v') || c == 0x7f)
			ctl++;
	}
	return ctl * 100 > n;
}

/* The next line of p[*pos..n) in *line and *len; 0 at the end.  A last line
 * cut by the sniff window still counts. */
static int
sniff_line(const char *p, size_t n, size_t *pos, const char **line,
    size_t *len)
{
	const char *nl;

	if (*pos >= n)
		return 0;
	*line = p + *pos;
	nl = memchr(*line, '\n', n - *pos);
	*len = nl != NULL ? (size_t)(nl - *line) : n - *pos;
	*pos += *len + 1;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static int
is_blank_line(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 0;
}

/* Guess from the lines of the window: each collapser says whether a line
 * is typical of its format; the first decisive line wins. */
static ff_collapse_format
sniff_format(const char *p, size_t n)
{
	const char *line, *prev = NULL;
	size_t len, prevlen = 0, pos = 0;
	unsigned nr = 0;

	while (sniff_line(p, n, &pos, &line, &len)) {
		nr++;
		if (is_blank_line(line, len)) {
			prev = NULL;
			continue;
		}
		if (ff_pmc_sniff(line, len))
			return FF_COLLAPSE_PMC;
		if (ff_procstat_sniff(line, len))
			return FF_COLLAPSE_PROCSTAT;
		if (prev != NULL && ff_perf_sniff(prev, prevlen, line, len))
			return FF_COLLAPSE_PERF;
		if (nr > 3 && prev != NULL &&
		    ff_dtrace_sniff(prev, prevlen, line, len))
			return FF_COLLAPSE_DTRACE;
		if (line[0] != '#') {
			prev = line;
			prevlen = len;
		}
	}
	return FF_COLLAPSE_AUTO;
}

/* Peek at the start of src: binary check, and the format when asked. */
static ff_rc
collapse_sniff(ff_src *src, ff_collapse_format *f, ff_err *err)
{
	const char *p;
	size_t n;
	ff_rc rc;

	if ((rc = ff_src_peek(src, SNIFF_BYTES, &p, &n, err)) != FF_OK)
		return rc;
	if (looks_binary(p, n))
		return ff_err_set(err, FF_ERR_PARSE, "%s: binary input (NUL "
		    "or control bytes near the start), not profiler text",
		    ff_src_name(src));
	if (*f != FF_COLLAPSE_AUTO)
		return FF_OK;
	if (is_blank_line(p, n)) {
		*f = FF_COLLAPSE_PERF;   /* nothing to collapse anyway */
		return FF_OK;
	}
	*f = sniff_format(p, n);
	if (*f == FF_COLLAPSE_AUTO)
		return ff_err_set(err, FF_ERR_PARSE, "%s: cannot tell the input "
		    "format from its first lines; use --format perf, dtrace, "
		    "pmc or procstat", ff_src_name(src));
	return FF_OK;
}

ff_rc
ff_collapse_detect(ff_src *src, ff_collapse_format *f, ff_err *err)
{
	*f = FF_COLLAPSE_AUTO;
	return collapse_sniff(src, f, err);
}

/* ---- the run: setup and dispatch ----------------------------------------- */

static ff_rc
run_init(ff_collapse_run *run, const ff_collapse_opts *opts, ff_src *src,
    ff_stacks *out, ff_collapse_stats *stats, ff_diag *diag, ff_err *err)
{
	memset(run, 0, sizeof *run);
	run->opts = opts;
	run->src = src;
	run->out = out;
	run->frames = ff_stacks_frames(out);
	run->diag = diag;
	run->stats = stats;
	run->ncols = ff_collapse_ncols(opts);
	run->ids = ff_reallocarray(NULL, 3 * (size_t)FF_DEPTH_MAX,
	    sizeof *run->ids);
	run->pend = ff_calloc(RING, sizeof *run->pend);
	if (run->ids == NULL || run->pend == NULL)
		return ff_err_nomem(err);
	run->path = run->ids + FF_DEPTH_MAX;
	run->pathnodes = run->path + FF_DEPTH_MAX;
	return FF_OK;
}

static void
run_free(ff_collapse_run *run)
{
	unsigned i;

	for (i = 0; run->pend != NULL && i < RING; i++)
		ff_free(run->pend[i].key);
	ff_free(run->pend);
	ff_free(run->ids);
	ff_free(run->memo);
	ff_free(run->slots);
	ff_free(run->recs);
	ff_free(run->pool);
	ff_free(run->buf);
}

/* Options a format cannot honour are usage errors, not silent no-ops. */
static ff_rc
check_opts(const ff_collapse_opts *o, ff_collapse_format f, ff_err *err)
{
	const char *fmt = ff_collapse_format_name(f);
	unsigned perf_only = FF_COLLAPSE_KERNEL | FF_COLLAPSE_JIT |
	    FF_COLLAPSE_ADDRS, i;
	unsigned ids = FF_COLLAPSE_PID | FF_COLLAPSE_TID;

	if (f != FF_COLLAPSE_PERF && (o->flags & perf_only) != 0)
		return ff_err_set(err, FF_ERR_USAGE, "--kernel, --jit, --all "
		    "and --addrs apply to perf input, not %s", fmt);
	if (f != FF_COLLAPSE_PERF && f != FF_COLLAPSE_PROCSTAT &&
	    (o->flags & ids) != 0)
		return ff_err_set(err, FF_ERR_USAGE, "--pid and --tid apply to "
		    "perf and procstat input, not %s", fmt);
	if (f != FF_COLLAPSE_PERF && f != FF_COLLAPSE_PMC &&
	    (o->nevents > 0 || o->event[0] != '\0'))
		return ff_err_set(err, FF_ERR_USAGE, "event selection applies "
		    "to perf and pmc input, not %s", fmt);
	if (f != FF_COLLAPSE_PROCSTAT && o->interval_ms != 0)
		return ff_err_set(err, FF_ERR_USAGE, "--interval-ms applies to "
		    "procstat input, not %s", fmt);
	/* Unreachable from ff_collapse_src, which first requires the table
	 * (at most FF_VALUES_MAX columns) to have nevents columns; kept for
	 * other callers.  GCOVR_EXCL_START */
	if (o->nevents > FF_VALUES_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "at most %u events",
		    FF_VALUES_MAX);
	/* GCOVR_EXCL_STOP */
	for (i = ff_collapse_ncols(o); i < FF_VALUES_MAX; i++)
		if (o->periods[i] != 0)
			return ff_err_set(err, FF_ERR_USAGE, "more periods than "
			    "count columns (%u)", ff_collapse_ncols(o));
	return FF_OK;
}

ff_rc
ff_collapse_src(const ff_collapse_opts *opts, ff_src *src, ff_stacks *out,
    ff_collapse_stats *stats, ff_diag *diag, ff_err *err)
{
	ff_collapse_stats local;
	ff_collapse_format f = opts->format;
	ff_collapse_run run;
	ff_rc rc;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (ff_stacks_nvalues(out) != ff_collapse_ncols(opts))
		return ff_err_set(err, FF_ERR_USAGE, "the stack table has %u "
		    "count columns, the options ask for %u",
		    ff_stacks_nvalues(out), ff_collapse_ncols(opts));
	if ((rc = collapse_sniff(src, &f, err)) != FF_OK)
		return rc;
	stats->format = f;
	if ((rc = check_opts(opts, f, err)) != FF_OK)
		return rc;
	if ((rc = run_init(&run, opts, src, out, stats, diag, err)) == FF_OK) {
		switch (f) {
		case FF_COLLAPSE_PERF:
			rc = ff_perf_collapse(&run, err);
			break;
		case FF_COLLAPSE_DTRACE:
			rc = ff_dtrace_collapse(&run, err);
			break;
		case FF_COLLAPSE_PMC:
			rc = ff_pmc_collapse(&run, err);
			break;
		case FF_COLLAPSE_PROCSTAT:
			rc = ff_procstat_collapse(&run, err);
			break;
		default:
			rc = ff_err_set(err, FF_ERR_INTERNAL, "no collapser");
		}
	}
	run_free(&run);
	return rc;
}

/* ---- lines and diagnostics ----------------------------------------------- */

ff_rc
ff_collapse_malformed(ff_collapse_run *run, ff_err *err, const char *kind,
    const char *fmt, ...)
{
	char msg[FF_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ff_diag_line(run->diag, err, ff_src_name(run->src),
	    ff_src_lineno(run->src), kind, "%s", msg);
}

static void
run_progress(ff_collapse_run *run)
{
	uint64_t pos = ff_src_pos(run->src);

	if (pos >= run->progress_at) {
		run->progress_at = pos + PROGRESS_STEP;
		run->opts->progress(run->opts->progress_ctx, pos,
		    ff_src_size(run->src));
	}
}

ff_rc
ff_collapse_line_slow(ff_collapse_run *run, ff_rc rc, const char **line,
    size_t *len, ff_err *err)
{
	for (;;) {
		if (rc == FF_OK) {
			run->lineno = ff_src_lineno(run->src);
			if (run->opts->progress != NULL)
				run_progress(run);
			return FF_OK;
		}
		if (rc != FF_ERR_LIMIT || ff_src_broken(run->src))
			return rc;
		/* An overlong line is skipped like any malformed line. */
		rc = ff_diag_line(run->diag, err, ff_src_name(run->src),
		    ff_src_lineno(run->src), FF_COLLAPSE_K_LONG,
		    "line longer than %u bytes skipped", FF_LINE_MAX);
		if (rc != FF_OK)
			return rc;
		rc = ff_src_line(run->src, line, len, err);
	}
}

/* ---- the sample ---------------------------------------------------------- */

void
ff_collapse_spoil(ff_collapse_run *run, const char *kind)
{
	if (run->bad == NULL) {
		run->bad = kind;
		run->bad_line = ff_src_lineno(run->src);
	}
}

void
ff_collapse_reset(ff_collapse_run *run)
{
	run->depth = 0;
	run->bad = NULL;
	run->npend = 0;
	run->pendhead = run->pendtail = 0;
}

/* Append ids[0..n) (leaf first) to the sample. */
static void
sample_push(ff_collapse_run *run, const uint32_t *ids, uint32_t n)
{
	/* One place is kept for the root frame. */
	if (n > FF_DEPTH_MAX - 1 - run->depth) {
		ff_collapse_spoil(run, FF_COLLAPSE_K_DEEP);
		return;
	}
	if (n == 1)
		run->ids[run->depth] = ids[0];
	else
		memcpy(run->ids + run->depth, ids, n * sizeof *ids);
	run->depth += n;
}

/* Report a skipped sample at `line`. */
static ff_rc
sample_skipped(ff_collapse_run *run, const char *kind, uint64_t line,
    ff_err *err)
{
	char what[96];

	if (kind == FF_COLLAPSE_K_DEEP)
		snprintf(what, sizeof what, "stack deeper than %u frames",
		    FF_DEPTH_MAX);
	else if (kind == FF_COLLAPSE_K_FRAME)
		snprintf(what, sizeof what, "frame name longer than %u bytes",
		    FF_FRAME_MAX);
	else if (kind == FF_COLLAPSE_K_OVERFLOW)
		snprintf(what, sizeof what, "counts overflow the total of "
		    "2^63-1");
	else if (kind == FF_COLLAPSE_K_EMPTY)
		snprintf(what, sizeof what, "sample without frames");
	else
		snprintf(what, sizeof what, "%s in the sample", kind);
	return ff_diag_line(run->diag, err, ff_src_name(run->src), line, kind,
	    "%s: sample skipped", what);
}

/* Whether frame id's name is only blanks (or empty). */
static int
is_blank_name(const ff_collapse_run *run, uint32_t id)
{
	size_t len;
	const char *name = ff_intern_str(run->frames, id, &len);

	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	return len == 0;
}

/* The child of node `at` for frame f.  Most frames sit under the same
 * caller most of the time, so each frame id remembers the last (parent,
 * child) it was looked up with: a hit costs one load instead of a hash
 * probe into the trie. */
static ff_rc
sample_step(ff_collapse_run *run, uint32_t at, uint32_t f, uint32_t *out)
{
	struct ff_collapse_memo *m;
	ff_rc rc;

	if (f < run->nmemo && run->memo[f].parent == at) {
		*out = run->memo[f].child;
		return FF_OK;
	}
	if ((rc = ff_stacks_child(run->out, at, f, out)) != FF_OK)
		return rc;
	if (f >= run->nmemo) {
		uint32_t n = ff_intern_count(run->frames), i;

		m = ff_reallocarray(run->memo, n, sizeof *m);
		if (m == NULL)
			return FF_OK;       /* a cache: go on without it */
		for (i = run->nmemo; i < n; i++)
			m[i].parent = FF_STACKS_NONE;
		run->memo = m;
		run->nmemo = n;
	}
	run->memo[f].parent = at;
	run->memo[f].child = *out;
	return FF_OK;
}

/* The node of the sample: the trie walked from the root through its
 * frames, root first.  The previous sample's path is remembered, so the
 * prefix a sample shares with it (the same thread, usually) costs no
 * lookup. */
static ff_rc
sample_node(ff_collapse_run *run, uint32_t root, uint32_t *node)
{
	uint32_t *path = run->path, *nodes = run->pathnodes;
	uint32_t n = 0, d = 0, i, at;
	ff_rc rc = FF_OK;

	/* The shared prefix: compare frame by frame, root first. */
	if (run->pathlen > 0 && root == path[0])
		for (d = 1, i = run->depth; d < run->pathlen && i > 0 &&
		    path[d] == run->ids[i - 1]; d++, i--)
			;
	else if (run->pathlen > 0 && root == FF_STACKS_NONE)
		for (i = run->depth; d < run->pathlen && i > 0 &&
		    path[d] == run->ids[i - 1]; d++, i--)
			;
	n = run->depth + (root != FF_STACKS_NONE);
	at = d > 0 ? nodes[d - 1] : FF_STACKS_ROOT;
	if (d == 0 && root != FF_STACKS_NONE) {
		rc = sample_step(run, at, root, &at);
		path[0] = root;
		nodes[0] = at;
		d = 1;
	}
	for (i = n - d; rc == FF_OK && i > 0; i--, d++) {
		rc = sample_step(run, at, run->ids[i - 1], &at);
		path[d] = run->ids[i - 1];
		nodes[d] = at;
	}
	run->pathlen = rc == FF_OK ? n : 0;
	*node = at;
	return rc;
}

ff_rc
ff_collapse_end(ff_collapse_run *run, uint32_t root, unsigned col,
    uint64_t count, uint64_t line, ff_err *err)
{
	uint64_t values[FF_VALUES_MAX] = { 0 };
	const char *bad;
	uint32_t node;
	ff_rc rc;

	assert(col < run->ncols);
	if ((rc = pipe_drain(run, err)) != FF_OK) {
		ff_collapse_reset(run);
		return rc;
	}
	bad = run->bad;
	if (bad != NULL && bad != FF_COLLAPSE_K_DEEP)
		line = run->bad_line;   /* the line at fault, not the sample */
	else if (root == FF_STACKS_NONE && (run->depth == 0 ||
	    (run->depth == 1 && is_blank_name(run, run->ids[0]))))
		bad = FF_COLLAPSE_K_EMPTY;   /* would read back as no stack */
	if (bad != NULL) {
		ff_collapse_reset(run);
		return sample_skipped(run, bad, line, err);
	}
	rc = sample_node(run, root, &node);
	ff_collapse_reset(run);
	if (rc != FF_OK) {
		if (rc == FF_ERR_NOMEM)
			return ff_err_nomem(err);
		return ff_err_set(err, rc, "%s: more than %u distinct stack "
		    "nodes", ff_src_name(run->src), FF_IDS_MAX);
	}
	values[col] = count;
	rc = ff_stacks_add(run->out, node, values);
	if (rc == FF_ERR_LIMIT)
		return sample_skipped(run, FF_COLLAPSE_K_OVERFLOW, line, err);
	if (rc != FF_OK)
		return ff_err_nomem(err);
	run->stats->samples++;
	return FF_OK;
}

ff_rc
ff_collapse_weight(const ff_collapse_run *run, unsigned col, uint64_t count,
    uint64_t *out)
{
	uint64_t p = run->opts->periods[col] != 0 ? run->opts->periods[col] :
	    1;

	*out = 0;
	if (count != 0 && p > (uint64_t)FF_COUNT_MAX / count)
		return FF_ERR_LIMIT;
	*out = count * p;
	return FF_OK;
}

uint32_t
ff_collapse_count_parts(const char *s, size_t n, size_t *used)
{
	size_t i, start = 0;
	uint32_t idx = 0, parts = 0;

	*used = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && !(s[i] == '-' && i + 1 < n && s[i + 1] == '>'))
			continue;
		idx++;
		if (i > start) {
			parts = idx;
			*used = i;
		}
		start = i + 2;
		i++;
	}
	return parts;
}

int
ff_collapse_parse_count(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9)
			return -1;
		if (x > ((uint64_t)FF_COUNT_MAX - d) / 10) {
			while (++i < n)
				if (p[i] < '0' || p[i] > '9')
					return -1;
			return -2;
		}
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

size_t
ff_collapse_blanks(const char *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
		    (p + i));
		unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab))) & 0xffffu;

		if (m != 0)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

void
ff_collapse_fix_tail(char *name, size_t len)
{
	size_t i = len, end;

	while (i > 0 && (name[i - 1] == ' ' || name[i - 1] == '\t'))
		i--;   /* trailing blanks: a reader drops them */
	end = i;
	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == end)
		return;
	while (i > 0 && (name[i - 1] == ' ' || name[i - 1] == '\t'))
		name[--i] = '_';
}

/* Whether the comma-separated list has name[0..len) as an item. */
static int
list_has(const char *list, const char *name, size_t len)
{
	const char *p = list;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (n == len && memcmp(p, name, len) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

void
ff_collapse_note_event(ff_collapse_run *run, const char *name, size_t len)
{
	char *o = run->stats->others;
	size_t used = strlen(o);

	if (list_has(o, name, len) || used + len + 2 > sizeof
	    run->stats->others)
		return;
	if (used > 0)
		o[used++] = ',';
	memcpy(o + used, name, len);
	o[used + len] = '\0';
}

/* ---- names --------------------------------------------------------------- */

char *
ff_collapse_scratch(ff_collapse_run *run, size_t n, ff_err *err)
{
	if (n > run->bufcap) {
		size_t cap = n < 4096 ? 4096 : n;
		char *p = ff_realloc(run->buf, cap);

		if (p == NULL) {
			ff_err_nomem(err);
			return NULL;
		}
		run->buf = p;
		run->bufcap = cap;
	}
	return run->buf;
}

ff_rc
ff_collapse_name(ff_collapse_run *run, const char *name, size_t len,
    uint32_t *id, const char **kind, ff_err *err)
{
	ff_rc rc;

	if (len > FF_FRAME_MAX) {
		*kind = FF_COLLAPSE_K_FRAME;
		return FF_ERR_LIMIT;
	}
	rc = ff_intern_put(run->frames, name, len, id);
	if (rc == FF_ERR_NOMEM)
		return ff_err_nomem(err);
	if (rc != FF_OK) {
		*kind = NULL;
		return ff_err_set(err, rc, "%s: more than %u distinct frames",
		    ff_src_name(run->src), FF_IDS_MAX);
	}
	return FF_OK;
}

/* ---- the raw frame cache ----------------------------------------------
 *
 * Records (fixed-size entries) are packed in run->recs.  A key is known
 * by its 128-bit xxHash, not by its bytes: no key is stored and no hit
 * compares text, which keeps the cache small and a hit cheap.  An
 * open-addressing table (linear probing, at most three quarters full) of
 * 8-byte slots, 32 bits of the hash and the record's index + 1, finds
 * them: small enough to stay in the processor's cache, so a hit costs
 * about one memory access, for the record whose header holds the answer
 * next to the rest of the hash that confirms it.
 */

static ff_collapse_entry *
rec_at(const ff_collapse_run *run, uint64_t slot)
{
	return (ff_collapse_entry *)(void *)(run->recs +
	    ((size_t)(uint32_t)slot - 1) * sizeof(ff_collapse_entry));
}

/* The slot index of the key hashed (h, check), or of the empty slot
 * where it would go. */
static uint32_t
cache_probe(const ff_collapse_run *run, uint64_t h, uint64_t check)
{
	uint64_t tag = h >> 32;
	uint32_t i;

	for (i = (uint32_t)h & run->mask;; i = (i + 1) & run->mask) {
		uint64_t slot = run->slots[i];
		const ff_collapse_entry *e;

		if (slot == 0)
			return i;
		if (slot >> 32 != tag)
			continue;
		e = rec_at(run, slot);
		if (e->hash == h && e->check == check)
			return i;
	}
}

/* Double the slot array (or make the first one). */
static ff_rc
cache_grow(ff_collapse_run *run, ff_err *err)
{
	uint32_t mask = run->slots != NULL ? run->mask * 2 + 1 : 4095, i, j;
	uint64_t *slots = ff_calloc((size_t)mask + 1, sizeof *slots);

	if (slots == NULL)
		return ff_err_nomem(err);
	for (i = 0; run->slots != NULL && i <= run->mask; i++) {
		uint64_t h;

		if (run->slots[i] == 0)
			continue;
		h = rec_at(run, run->slots[i])->hash;
		for (j = (uint32_t)h & mask; slots[j] != 0; j = (j + 1) & mask)
			;
		slots[j] = run->slots[i];
	}
	ff_free(run->slots);
	run->slots = slots;
	run->mask = mask;
	return FF_OK;
}

/* A new record (UNBUILT); *off is its index + 1.  FF_ERR_LIMIT when
 * there are too many (the caller then works uncached). */
static ff_rc
cache_record(ff_collapse_run *run, uint64_t h, uint64_t check,
    uint32_t *off, ff_err *err)
{
	const size_t need = sizeof(ff_collapse_entry);
	ff_collapse_entry *e;

	if (run->nrecs / need >= UINT32_MAX - 1)
		return FF_ERR_LIMIT;
	if (need > run->caprecs - run->nrecs) {
		size_t cap = run->caprecs * 2 + 64 * need;
		char *r = ff_realloc(run->recs, cap);

		if (r == NULL)
			return ff_err_nomem(err);
		run->recs = r;
		run->caprecs = cap;
	}
	e = (ff_collapse_entry *)(void *)(run->recs + run->nrecs);
	e->hash = h;
	e->check = check;
	e->first = 0;
	e->n = UNBUILT;
	*off = (uint32_t)(run->nrecs / need) + 1;
	run->nrecs += need;
	return FF_OK;
}

/* The entry of the key hashed (h, check), inserted (UNBUILT) when new;
 * NULL with FF_OK when the cache is full (work uncached).  Valid until
 * the next insertion. */
static ff_rc
cache_find(ff_collapse_run *run, uint64_t h, uint64_t check,
    ff_collapse_entry **out, ff_err *err)
{
	uint32_t i, off = 0;
	ff_rc rc;

	*out = NULL;
	if (run->slots == NULL && (rc = cache_grow(run, err)) != FF_OK)
		return rc;
	i = cache_probe(run, h, check);
	if (run->slots[i] != 0) {
		*out = rec_at(run, run->slots[i]);
		return FF_OK;
	}
	if ((uint64_t)(run->nused + 1) * 4 > ((uint64_t)run->mask + 1) * 3) {
		if (run->mask >= FF_IDS_MAX)
			return FF_OK;
		if ((rc = cache_grow(run, err)) != FF_OK)
			return rc;
		i = cache_probe(run, h, check);
	}
	rc = cache_record(run, h, check, &off, err);
	if (rc == FF_ERR_LIMIT)
		return FF_OK;
	if (rc != FF_OK)
		return rc;
	run->slots[i] = (h >> 32) << 32 | off;
	run->nused++;
	*out = rec_at(run, run->slots[i]);
	return FF_OK;
}

/* Remember ids[0..n) as the frames of entry e. */
static ff_rc
cache_store(ff_collapse_run *run, ff_collapse_entry *e, const uint32_t *ids,
    uint32_t n, ff_err *err)
{
	if (n <= 1) {
		e->first = n == 1 ? ids[0] : 0;
		e->n = n;
		return FF_OK;
	}
	if (n > run->cappool - run->npool) {
		size_t cap = run->cappool * 2 + n + 256;
		uint32_t *p;

		if (cap > UINT32_MAX)
			return ff_err_set(err, FF_ERR_LIMIT, "frame cache full");
		p = ff_reallocarray(run->pool, cap, sizeof *p);
		if (p == NULL)
			return ff_err_nomem(err);
		run->pool = p;
		run->cappool = cap;
	}
	memcpy(run->pool + run->npool, ids, n * sizeof *ids);
	e->first = (uint32_t)run->npool;
	e->n = n;
	run->npool += n;
	return FF_OK;
}

/* The index of kind in the kinds table. */
static uint32_t
kind_index(const char *kind)
{
	uint32_t i;

	for (i = 0; i < sizeof cached_kinds / sizeof cached_kinds[0] - 1; i++)
		if (cached_kinds[i] == kind)
			break;
	return i;
}

/* A raw frame (seen at `line`) that spoils its sample, or makes its line
 * malformed. */
static ff_rc
frame_bad(ff_collapse_run *run, int malformed, const char *kind,
    uint64_t line, ff_err *err)
{
	if (!malformed) {
		if (run->bad == NULL) {
			run->bad = kind;
			run->bad_line = line;
		}
		return FF_OK;
	}
	if (kind == FF_COLLAPSE_K_NUL)
		return ff_diag_line(run->diag, err, ff_src_name(run->src), line,
		    kind, "NUL byte in line: line skipped");
	return ff_diag_line(run->diag, err, ff_src_name(run->src), line, kind,
	    "%s: line skipped", kind);
}

/* Build the frames of key and push them; remember them in e (NULL:
 * uncached). */
static ff_rc
frame_build(ff_collapse_run *run, ff_collapse_entry *e, const char *key,
    size_t len, uint64_t line, ff_collapse_build build, void *ctx,
    ff_err *err)
{
	uint32_t ids[FF_DEPTH_MAX];
	const char *kind = NULL;
	uint32_t n = 0;
	ff_rc rc;

	rc = build(ctx, run, key, len, ids, &n, &kind, err);
	if ((rc == FF_ERR_LIMIT || rc == FF_ERR_PARSE) && kind != NULL) {
		if (e != NULL) {
			e->first = kind_index(kind);
			e->n = rc == FF_ERR_PARSE ? MALFORMED : SPOILED;
		}
		return frame_bad(run, rc == FF_ERR_PARSE, kind, line, err);
	}
	if (rc != FF_OK)
		return rc;
	if (e != NULL && (rc = cache_store(run, e, ids, n, err)) != FF_OK)
		return rc;
	if (n > 0)
		sample_push(run, ids, n);
	return FF_OK;
}

/* Look up (or build) one frame and push its ids. */
static ff_rc
frame_resolve(ff_collapse_run *run, const char *key, size_t len,
    uint64_t hash, uint64_t check, uint64_t line, ff_collapse_build build,
    void *ctx, ff_err *err)
{
	ff_collapse_entry *e = NULL;
	ff_rc rc;

	if ((rc = cache_find(run, hash, check, &e, err)) != FF_OK)
		return rc;
	if (e != NULL && e->n == 1) {
		sample_push(run, &e->first, 1);
		return FF_OK;
	}
	if (e == NULL || e->n == UNBUILT)
		return frame_build(run, e, key, len, line, build, ctx, err);
	if (e->n == SPOILED || e->n == MALFORMED)
		return frame_bad(run, e->n == MALFORMED,
		    cached_kinds[e->first], line, err);
	if (e->n > 0)
		sample_push(run, run->pool + e->first, e->n);
	return FF_OK;
}

/* ---- the lookup pipeline ---------------------------------------------------
 *
 * A frame is looked up two frames after it was submitted: meanwhile its
 * hash slot, then its record, are fetched from memory (prefetch hints),
 * so the lookup rarely waits for a cache miss.  Frames still resolve in
 * order; ff_collapse_end drains the pipeline before it ends the sample,
 * ff_collapse_reset empties it.
 */

static void
prefetch(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

/* Start fetching the record a pending frame will compare with. */
static void
pipe_touch(const ff_collapse_run *run, const ff_collapse_pending *p)
{
	uint64_t slot;

	if (run->slots == NULL)
		return;
	slot = run->slots[(uint32_t)p->hash & run->mask];
	if (slot != 0 && slot >> 32 == p->hash >> 32) {
		const char *r = (const char *)rec_at(run, slot);

		prefetch(r);
		prefetch(r + 64);
	}
}

/* Resolve the oldest pending frame. */
static ff_rc
pipe_pop(ff_collapse_run *run, ff_err *err)
{
	ff_collapse_pending *p = &run->pend[run->pendhead];

	run->pendhead = run->pendhead + 1 == RING ? 0 : run->pendhead + 1;
	run->npend--;
	return frame_resolve(run, p->key, p->len, p->hash, p->check, p->line,
	    p->build, p->ctx, err);
}

static ff_rc
pipe_drain(ff_collapse_run *run, ff_err *err)
{
	ff_rc rc;

	while (run->npend > 0)
		if ((rc = pipe_pop(run, err)) != FF_OK) {
			ff_collapse_reset(run);
			return rc;
		}
	return FF_OK;
}

char *
ff_collapse_frame_grow(ff_collapse_run *run, size_t n, ff_err *err)
{
	ff_collapse_pending *p = &run->pend[run->pendtail];
	size_t cap = n < 256 ? 256 : n;
	char *k = ff_realloc(p->key, cap);

	if (k == NULL) {
		ff_err_nomem(err);
		return NULL;
	}
	p->key = k;
	p->cap = cap;
	return k;
}

ff_rc
ff_collapse_frame(ff_collapse_run *run, const char *key, size_t len,
    int uncached, ff_collapse_build build, void *ctx, ff_err *err)
{
	ff_collapse_pending *p;
	unsigned prev;
	uint64_t h[2];
	ff_rc rc;

	if (uncached || len > FF_FRAME_MAX) {
		if ((rc = pipe_drain(run, err)) != FF_OK)
			return rc;
		return frame_build(run, NULL, key, len,
		    ff_src_lineno(run->src), build, ctx, err);
	}
	ff_hash128(key, len, h);
	if (run->slots != NULL)
		prefetch(&run->slots[(uint32_t)h[0] & run->mask]);
	/* The frame before this one: its slot is in cache by now. */
	prev = run->pendtail == 0 ? RING - 1 : run->pendtail - 1;
	if (run->npend > 0)
		pipe_touch(run, &run->pend[prev]);
	p = &run->pend[run->pendtail];
	if (key != p->key) {
		char *k = ff_collapse_frame_buf(run, len, err);

		if (k == NULL)
			return FF_ERR_NOMEM;
		memcpy(k, key, len);
	}
	p->len = len;
	p->hash = h[0];
	p->check = h[1];
	p->line = run->lineno;
	p->build = build;
	p->ctx = ctx;
	run->pendtail = run->pendtail + 1 == RING ? 0 : run->pendtail + 1;
	if (++run->npend > PIPE)
		return pipe_pop(run, err);
	return FF_OK;
}
