/*
 * src.h -- a streaming line source over a file, a pipe or a memory buffer.
 *
 * Every reader in flamefleet (collapsers, folded reader, profile files,
 * uploads) pulls lines from an ff_src.  It reads in large blocks, splits
 * lines with memchr and hands out pointers into its buffer, so a line costs
 * no allocation and memory stays bounded by the longest allowed line.
 *
 * zstd input is recognised by its magic number and inflated on the fly
 * under a cap.  When the stream starts with a zstd skippable frame (the
 * profile file's metadata), its content is kept and offered by
 * ff_src_meta().  A trailing '\r' is removed from every line (CRLF input),
 * and a last line without '\n' is still returned.
 */
#ifndef FF_SRC_H
#define FF_SRC_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ff_src ff_src;

typedef struct ff_src_opts {
	size_t max_line;           /* longest line; 0 = FF_LINE_MAX */
	uint64_t max_decompressed; /* cap on inflated bytes; 0 = none */
	size_t max_meta;           /* largest metadata frame; 0 = 1 MiB */
	int plain;                 /* never treat the input as zstd */
} ff_src_opts;

/* Open path for reading ("-" is standard input).  opts may be NULL.  On
 * error *out is NULL and err says why. */
ff_rc ff_src_open(ff_src **out, const char *path, const ff_src_opts *opts,
    ff_err *err) FF_WUR;

/* Read from fd, named `name` in messages; the source closes fd when
 * own_fd. */
ff_rc ff_src_open_fd(ff_src **out, int fd, const char *name, int own_fd,
    const ff_src_opts *opts, ff_err *err) FF_WUR;

/* Read p[0..len), which is borrowed and must outlive the source. */
ff_rc ff_src_open_mem(ff_src **out, const void *p, size_t len,
    const char *name, const ff_src_opts *opts, ff_err *err) FF_WUR;

/* Close (and free). Accepts NULL. */
void ff_src_close(ff_src *src);

/* The next line in *line[0..*len), valid until the next call.
 *   FF_OK         a line
 *   FF_DONE       end of input
 *   FF_ERR_LIMIT  with !ff_src_broken(): a line longer than max_line was
 *                 skipped (err names it); reading may go on
 *   other codes   fatal (I/O error, corrupt or truncated zstd, the
 *                 decompression cap): the source is broken */
ff_rc ff_src_line(ff_src *src, const char **line, size_t *len, ff_err *err)
	FF_WUR;

/* Up to the first `want` bytes of the (inflated) input without consuming
 * them, for format detection.  *len may be less at end of input. */
ff_rc ff_src_peek(ff_src *src, size_t want, const char **p, size_t *len,
    ff_err *err) FF_WUR;

/* True after a fatal error. */
int ff_src_broken(const ff_src *src);

const char *ff_src_name(const ff_src *src);
/* The number of the line last returned (1-based). */
uint64_t ff_src_lineno(const ff_src *src);
/* Raw input bytes consumed so far, and the input size when known (a
 * regular file or a buffer; 0 otherwise): for progress display. */
uint64_t ff_src_pos(const ff_src *src);
uint64_t ff_src_size(const ff_src *src);
/* Whether the input is zstd-compressed. */
int ff_src_is_zstd(const ff_src *src);
/* Content of the leading skippable frame, or NULL.  Valid until close. */
const char *ff_src_meta(const ff_src *src, size_t *len);

#endif
