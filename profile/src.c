/*
 * src.c -- block reading, line splitting and transparent zstd (see src.h).
 *
 * Layout of the line buffer:
 *
 *     buf: [ consumed | start .. scan (no '\n') .. end | free ]
 *
 * Lines are found with memchr from `scan`, so no byte is searched twice.
 * When no newline is left, the partial line is moved to the front and the
 * buffer is refilled; it grows only while a single line is longer than
 * the buffer, up to max_line.  Compressed input is read into `zbuf` and
 * inflated into the line buffer.
 */
#include "profile/src.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/zst.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	CHUNK = 1 << 20,          /* read size and initial buffer size */
	ZCHUNK = 128 << 10,       /* compressed read size */
	META_DEFAULT = 1 << 20
};

struct ff_src {
	char *name;
	int fd;                   /* -1 for a memory source */
	int own_fd;
	const unsigned char *mem;
	size_t memlen, mempos;
	int raw_eof;              /* no more raw input */
	uint64_t raw_pos, size;

	int sniffed;
	int zstd;
	ff_zst_dec *dec;
	unsigned char *zbuf;
	size_t zcap, zstart, zend;
	char *meta;
	size_t metalen;

	char *buf;
	size_t cap, start, scan, end;
	size_t max_line;
	uint64_t lineno;
	int skipping;             /* discarding the rest of an overlong line */

	ff_src_opts opts;
	ff_err fail;              /* set once broken */
};

/* ---- opening and closing ----------------------------------------------- */

static ff_rc
src_new(ff_src **out, const char *name, const ff_src_opts *opts, ff_err *err)
{
	ff_src *src = ff_calloc(1, sizeof *src);

	*out = NULL;
	if (src == NULL)
		return ff_err_nomem(err);
	if (opts != NULL)
		src->opts = *opts;
	src->max_line = src->opts.max_line != 0 ? src->opts.max_line :
	    FF_LINE_MAX;
	if (src->opts.max_meta == 0)
		src->opts.max_meta = META_DEFAULT;
	src->fd = -1;
	src->cap = CHUNK;
	src->buf = ff_malloc(src->cap);
	src->name = ff_strdup(name);
	ff_err_init(&src->fail);
	if (src->buf == NULL || src->name == NULL) {
		ff_src_close(src);
		return ff_err_nomem(err);
	}
	*out = src;
	return FF_OK;
}

ff_rc
ff_src_open_fd(ff_src **out, int fd, const char *name, int own_fd,
    const ff_src_opts *opts, ff_err *err)
{
	struct stat st;
	ff_rc rc;

	if ((rc = src_new(out, name, opts, err)) != FF_OK) {
		if (own_fd)
			close(fd);
		return rc;
	}
	(*out)->fd = fd;
	(*out)->own_fd = own_fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		(*out)->size = (uint64_t)st.st_size;
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	return FF_OK;
}

ff_rc
ff_src_open(ff_src **out, const char *path, const ff_src_opts *opts,
    ff_err *err)
{
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return ff_src_open_fd(out, STDIN_FILENO, "(stdin)", 0, opts,
		    err);
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return ff_err_errno(err, errno, "%s", path);
	return ff_src_open_fd(out, fd, path, 1, opts, err);
}

ff_rc
ff_src_open_mem(ff_src **out, const void *p, size_t len, const char *name,
    const ff_src_opts *opts, ff_err *err)
{
	ff_rc rc;

	if ((rc = src_new(out, name, opts, err)) != FF_OK)
		return rc;
	(*out)->mem = p;
	(*out)->memlen = len;
	(*out)->size = len;
	return FF_OK;
}

void
ff_src_close(ff_src *src)
{
	if (src == NULL)
		return;
	if (src->own_fd && src->fd >= 0)
		close(src->fd);
	ff_zst_dec_free(src->dec);
	ff_free(src->zbuf);
	ff_free(src->meta);
	ff_free(src->buf);
	ff_free(src->name);
	ff_free(src);
}

/* ---- raw input ----------------------------------------------------------- */

/* Read up to n raw bytes into dst; *got = 0 at end of input. */
static ff_rc
raw_read(ff_src *src, void *dst, size_t n, size_t *got, ff_err *err)
{
	ssize_t r;

	*got = 0;
	if (src->raw_eof || n == 0)
		return FF_OK;
	if (src->fd < 0) {
		size_t left = src->memlen - src->mempos;

		*got = left < n ? left : n;
		memcpy(dst, src->mem + src->mempos, *got);
		src->mempos += *got;
	} else {
		do
			r = read(src->fd, dst, n);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return ff_err_errno(err, errno, "%s: read", src->name);
		*got = (size_t)r;
	}
	src->raw_pos += *got;
	if (*got == 0)
		src->raw_eof = 1;
	return FF_OK;
}

/* Make the source broken: every later call returns this error. */
static ff_rc
src_break(ff_src *src, ff_rc rc, const ff_err *why, ff_err *err)
{
	src->fail = *why;
	src->fail.rc = rc;
	if (err != NULL)
		*err = src->fail;
	return rc;
}

/* The error of a broken source, copied to err. */
static ff_rc
src_failed(const ff_src *src, ff_err *err)
{
	if (err != NULL)
		*err = src->fail;
	return src->fail.rc;
}

/* ---- sniffing: plain, zstd, or skippable metadata frame then zstd ------- */

/* Read raw bytes into buf until it holds `want` bytes or input ends. */
static ff_rc
buf_fill_raw(ff_src *src, size_t want, ff_err *err)
{
	size_t got;
	ff_rc rc;

	while (src->end < want && !src->raw_eof) {
		rc = raw_read(src, src->buf + src->end, src->cap - src->end,
		    &got, err);
		if (rc != FF_OK)
			return rc;
		src->end += got;
	}
	return FF_OK;
}

/* Switch to zstd: the raw bytes buf[from..end) become compressed input. */
static ff_rc
src_start_zstd(ff_src *src, size_t from, ff_err *err)
{
	size_t n = src->end - from;

	src->zcap = n > ZCHUNK ? n : ZCHUNK;
	src->zbuf = ff_malloc(src->zcap);
	src->dec = ff_zst_dec_new(src->opts.max_decompressed);
	if (src->zbuf == NULL || src->dec == NULL)
		return ff_err_nomem(err);
	memcpy(src->zbuf, src->buf + from, n);
	src->zstart = 0;
	src->zend = n;
	src->zstd = 1;
	src->start = src->scan = src->end = 0;
	return FF_OK;
}

/* Keep the skippable frame at the front of buf as metadata. */
static ff_rc
src_take_meta(ff_src *src, ff_err *err)
{
	uint32_t size = ff_zst_skip_size((unsigned char *)src->buf);
	size_t whole;
	ff_rc rc;

	if (size > src->opts.max_meta)
		return ff_err_set(err, FF_ERR_LIMIT, "%s: metadata frame of "
		    "%lu bytes exceeds the limit of %zu", src->name,
		    (unsigned long)size, src->opts.max_meta);
	whole = FF_ZST_SKIP_HEADER + (size_t)size;
	if (whole > src->cap) {
		char *p = ff_realloc(src->buf, whole);

		if (p == NULL)
			return ff_err_nomem(err);
		src->buf = p;
		src->cap = whole;
	}
	if ((rc = buf_fill_raw(src, whole, err)) != FF_OK)
		return rc;
	if (src->end < whole)
		return ff_err_set(err, FF_ERR_PARSE, "%s: truncated metadata "
		    "frame (%zu of %zu bytes)", src->name, src->end, whole);
	src->meta = ff_strndup(src->buf + FF_ZST_SKIP_HEADER, size);
	if (src->meta == NULL)
		return ff_err_nomem(err);
	src->metalen = size;
	return src_start_zstd(src, whole, err);
}

static ff_rc
src_sniff(ff_src *src, ff_err *err)
{
	ff_rc rc;

	src->sniffed = 1;
	if ((rc = buf_fill_raw(src, FF_ZST_SKIP_HEADER, err)) != FF_OK)
		return rc;
	if (src->opts.plain)
		return FF_OK;
	switch (ff_zst_sniff(src->buf, src->end)) {
	case FF_ZST_FRAME:
		return src_start_zstd(src, 0, err);
	case FF_ZST_SKIPPABLE:
		if (src->end < FF_ZST_SKIP_HEADER)
			return ff_err_set(err, FF_ERR_PARSE, "%s: truncated "
			    "metadata frame header", src->name);
		return src_take_meta(src, err);
	case FF_ZST_NONE:
		break;
	}
	return FF_OK;
}

/* ---- filling the line buffer ---------------------------------------------- */

/* Inflate into buf[end..cap); *got = 0 only at the end of the stream. */
static ff_rc
fill_zstd(ff_src *src, size_t *got, ff_err *err)
{
	size_t used, made, n;
	ff_rc rc;

	*got = 0;
	for (;;) {
		if (src->zstart == src->zend && !src->raw_eof) {
			rc = raw_read(src, src->zbuf, src->zcap, &n, err);
			if (rc != FF_OK)
				return rc;
			src->zstart = 0;
			src->zend = n;
		}
		rc = ff_zst_dec_run(src->dec, src->zbuf + src->zstart,
		    src->zend - src->zstart, &used, src->buf + src->end,
		    src->cap - src->end, &made, err);
		if (rc != FF_OK) {
			ff_err_prefix(err, "%s: ", src->name);
			return rc;
		}
		src->zstart += used;
		src->end += made;
		*got = made;
		if (made != 0)
			return FF_OK;
		if (src->raw_eof && src->zstart == src->zend)
			break;
	}
	if (!ff_zst_dec_complete(src->dec))
		return ff_err_set(err, FF_ERR_PARSE, "%s: truncated zstd "
		    "stream", src->name);
	return FF_OK;
}

/* Move the partial line to the front, grow if a line fills the buffer,
 * and read more.  *got = 0 at the end of input. */
static ff_rc
src_fill(ff_src *src, size_t *got, ff_err *err)
{
	ff_rc rc;

	*got = 0;
	if (!src->sniffed) {
		size_t before = src->end;

		if ((rc = src_sniff(src, err)) != FF_OK)
			return rc;
		if (!src->zstd && src->end > before) {
			*got = src->end - before;
			return FF_OK;
		}
	}
	if (src->start > 0) {
		memmove(src->buf, src->buf + src->start, src->end - src->start);
		src->scan -= src->start;
		src->end -= src->start;
		src->start = 0;
	}
	if (src->end == src->cap) {
		size_t cap = src->cap * 2;
		char *p;

		if (cap > src->max_line + CHUNK)
			cap = src->max_line + CHUNK;
		if (cap <= src->cap)
			return ff_err_set(err, FF_ERR_INTERNAL,
			    "%s: line buffer cannot grow", src->name);
		p = ff_realloc(src->buf, cap);
		if (p == NULL)
			return ff_err_nomem(err);
		src->buf = p;
		src->cap = cap;
	}
	if (src->zstd)
		return fill_zstd(src, got, err);
	rc = raw_read(src, src->buf + src->end, src->cap - src->end, got, err);
	src->end += *got;
	return rc;
}

/* ---- lines ---------------------------------------------------------------- */

static ff_rc
src_overlong(ff_src *src, ff_err *err)
{
	return ff_err_set(err, FF_ERR_LIMIT, "%s:%llu: line longer than %zu "
	    "bytes skipped", src->name, (unsigned long long)src->lineno,
	    src->max_line);
}

/* Hand out buf[from..to) as the next line. */
static ff_rc
src_emit(ff_src *src, size_t from, size_t to, const char **line,
    size_t *len, ff_err *err)
{
	src->lineno++;
	if (to > from && src->buf[to - 1] == '\r')
		to--;
	if (to - from > src->max_line)
		return src_overlong(src, err);
	*line = src->buf + from;
	*len = to - from;
	return FF_OK;
}

ff_rc
ff_src_line(ff_src *src, const char **line, size_t *len, ff_err *err)
{
	ff_err e;
	size_t got;
	ff_rc rc;

	if (src->fail.rc != FF_OK)
		return src_failed(src, err);
	for (;;) {
		char *nl = memchr(src->buf + src->scan, '\n',
		    src->end - src->scan);

		if (nl != NULL) {
			size_t from = src->start, to = (size_t)(nl - src->buf);

			src->start = src->scan = to + 1;
			if (src->skipping) {
				src->skipping = 0;
				continue;
			}
			return src_emit(src, from, to, line, len, err);
		}
		src->scan = src->end;
		if (src->end - src->start > src->max_line) {
			/* Drop what we have of this line, then the rest. */
			src->start = src->scan = src->end;
			if (!src->skipping) {
				src->skipping = 1;
				src->lineno++;
				return src_overlong(src, err);
			}
		}
		if ((rc = src_fill(src, &got, &e)) != FF_OK)
			return src_break(src, rc, &e, err);
		if (got != 0)
			continue;
		if (src->start == src->end || src->skipping) {
			src->start = src->scan = src->end;
			return FF_DONE;
		}
		got = src->start;
		src->start = src->scan = src->end;
		return src_emit(src, got, src->end, line, len, err);
	}
}

ff_rc
ff_src_peek(ff_src *src, size_t want, const char **p, size_t *len,
    ff_err *err)
{
	size_t got = 1;
	ff_err e;
	ff_rc rc;

	if (src->fail.rc != FF_OK)
		return src_failed(src, err);
	if (want > CHUNK)
		want = CHUNK;
	while ((src->end - src->start < want || !src->sniffed) && got != 0)
		if ((rc = src_fill(src, &got, &e)) != FF_OK)
			return src_break(src, rc, &e, err);
	*p = src->buf + src->start;
	*len = src->end - src->start < want ? src->end - src->start : want;
	return FF_OK;
}

int
ff_src_broken(const ff_src *src)
{
	return src->fail.rc != FF_OK;
}

const char *
ff_src_name(const ff_src *src)
{
	return src->name;
}

uint64_t
ff_src_lineno(const ff_src *src)
{
	return src->lineno;
}

uint64_t
ff_src_pos(const ff_src *src)
{
	return src->raw_pos;
}

uint64_t
ff_src_size(const ff_src *src)
{
	return src->size;
}

int
ff_src_is_zstd(const ff_src *src)
{
	return src->zstd;
}

const char *
ff_src_meta(const ff_src *src, size_t *len)
{
	if (len != NULL)
		*len = src->metalen;
	return src->meta;
}
