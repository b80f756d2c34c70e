/*
 * ffp.h -- the flamefleet profile file (.ffp): metadata plus folded data.
 *
 * A .ffp file is one zstd stream:
 *
 *   | bytes | content                                                   |
 *   |-------|-----------------------------------------------------------|
 *   | 4     | skippable-frame magic 0x184D2A50 (little endian)          |
 *   | 4     | N, the metadata length (little endian), N <= 64 KiB        |
 *   | N     | UTF-8 JSON metadata (see ff_meta and profile/README.md)   |
 *   | ...   | one or more ordinary zstd frames: folded text, one count  |
 *   |       | column per event, sorted, one line per distinct stack     |
 *
 * zstd decoders skip skippable frames, so `zstdcat x.ffp` prints plain
 * folded text that flamegraph.pl reads unchanged.
 */
#ifndef FF_FFP_H
#define FF_FFP_H

#include "profile/diag.h"
#include "profile/err.h"
#include "profile/limits.h"
#include "profile/src.h"
#include "profile/stacks.h"
#include "profile/zst.h"

#include <stddef.h>
#include <stdint.h>

#define FF_FFP_FORMAT "flamefleet-profile/1"
#define FF_META_MAX (64u << 10)      /* metadata JSON, bytes */
#define FF_META_STR_MAX 255u         /* host, build, agent, label values */
#define FF_META_LABELS_MAX 64u
#define FF_META_LABEL_KEY_MAX 64u
#define FF_META_EVENT_MAX 128u
#define FF_META_TYPE_MAX 32u

typedef struct ff_label {
	char *key;
	char *value;
} ff_label;

/* Profile metadata.  Caller-owned: ff_meta_init cannot fail, and
 * ff_meta_free releases every string and leaves it empty and reusable.
 * All strings are owned by the struct (set them with ff_meta_set*). */
typedef struct ff_meta {
	char *host;
	char *build;
	char *type;              /* cpu, cpi, offcpu, mem, io, or a user word */
	char *agent;             /* e.g. "ffagent 0.1.0"; may be NULL */
	unsigned nevents;
	char *events[FF_VALUES_MAX];
	uint64_t periods[FF_VALUES_MAX]; /* 0 = not given */
	int64_t start;           /* Unix seconds, UTC */
	double duration_s;
	unsigned nlabels;
	ff_label *labels;        /* sorted by key, keys unique */
} ff_meta;

void ff_meta_init(ff_meta *m);
void ff_meta_free(ff_meta *m);

/* Replace a string field (host, build, type or agent) with a copy of v. */
ff_rc ff_meta_set(ff_meta *m, char **field, const char *v, ff_err *err)
	FF_WUR;

/* Append an event name (with period 0 = none). */
ff_rc ff_meta_add_event(ff_meta *m, const char *name, uint64_t period,
    ff_err *err) FF_WUR;

/* Set label key to value (replacing an existing one). */
ff_rc ff_meta_set_label(ff_meta *m, const char *key, const char *value,
    ff_err *err) FF_WUR;

/* The value of label key, or NULL. */
const char *ff_meta_label(const ff_meta *m, const char *key);

/* Check every field against the rules of profile/README.md; the message
 * names the first offending field. */
ff_rc ff_meta_validate(const ff_meta *m, ff_err *err) FF_WUR;

/* Parse and validate metadata JSON into m (which is freed first).  On
 * error m is left empty. */
ff_rc ff_meta_parse(ff_meta *m, const char *json, size_t len, ff_err *err)
	FF_WUR;

/* The metadata as compact JSON with sorted keys, NUL-terminated; the
 * caller frees *out with ff_free. */
ff_rc ff_meta_to_json(const ff_meta *m, char **out, size_t *len, ff_err *err)
	FF_WUR;

/* ---- files ---------------------------------------------------------------- */

/* Write meta (validated first) and the stacks of s as a .ffp stream to
 * sink.  s must have meta->nevents columns.  level is the zstd level (0 =
 * default).  The bytes written are deterministic for the same input. */
ff_rc ff_ffp_write(const ff_meta *meta, const ff_stacks *s, int level,
    ff_zst_sink sink, void *ctx, ff_err *err) FF_WUR;

/* A .ffp writer for folded text that is already sorted and well formed
 * (generators, tests).  Begin writes the metadata frame; write compresses
 * raw folded bytes; end finishes the zstd frame.  The caller guarantees
 * the text follows the grammar: readers will check it anyway. */
typedef struct ff_ffp_stream ff_ffp_stream;

ff_rc ff_ffp_stream_begin(ff_ffp_stream **out, const ff_meta *meta,
    int level, ff_zst_sink sink, void *ctx, ff_err *err) FF_WUR;
ff_rc ff_ffp_stream_write(ff_ffp_stream *w, const void *p, size_t len,
    ff_err *err) FF_WUR;
/* Finish and free the writer (also on error).  Accepts NULL. */
ff_rc ff_ffp_stream_end(ff_ffp_stream *w, ff_err *err) FF_WUR;
/* Free without finishing (after an error). Accepts NULL. */
void ff_ffp_stream_free(ff_ffp_stream *w);

/* The same, to a file descriptor (no fsync: durability is the caller's). */
ff_rc ff_ffp_write_fd(const ff_meta *meta, const ff_stacks *s, int level,
    int fd, const char *name, ff_err *err) FF_WUR;

/* Read a .ffp stream from src: its metadata into meta and its stacks into
 * a new table over frames (*out).  A stream without the metadata frame is
 * FF_ERR_PARSE.  Malformed folded lines go to diag; with diag NULL the
 * first one is an error (what an ingest wants).  On error *out is NULL
 * and meta is empty. */
ff_rc ff_ffp_read(ff_src *src, ff_intern *frames, ff_meta *meta,
    ff_stacks **out, ff_diag *diag, ff_err *err) FF_WUR;

/* Open path and ff_ffp_read it, with opts (may be NULL) for the source;
 * the metadata frame is limited to FF_META_MAX in any case. */
ff_rc ff_ffp_read_file(const char *path, const ff_src_opts *opts,
    ff_intern *frames, ff_meta *meta, ff_stacks **out, ff_diag *diag,
    ff_err *err) FF_WUR;

#endif
