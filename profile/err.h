/*
 * err.h -- flamefleet's one error convention.
 *
 * Every fallible function returns an ff_rc.  FF_OK (0) means success; the
 * other codes say what kind of failure happened.  The caller passes an
 * ff_err, which the failing module fills with a message a user can read
 * ("perf.txt:12: count out of range").  Messages from SQLite, curl, zstd or
 * the C library are copied into it, so it outlives the library call.
 *
 * An ff_err is caller-owned; ff_err_init() cannot fail.  Passing NULL for
 * the ff_err is allowed everywhere: the code is still returned.
 */
#ifndef FF_ERR_H
#define FF_ERR_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define FF_WUR __attribute__((warn_unused_result))
#define FF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FF_WUR
#define FF_PRINTF(f, a)
#endif

typedef enum ff_rc {
	FF_OK = 0,
	FF_DONE,         /* not an error: an iterator reached its end */
	FF_ERR_NOMEM,    /* an allocation failed */
	FF_ERR_IO,       /* open, read, write, fsync or rename failed */
	FF_ERR_PARSE,    /* malformed input */
	FF_ERR_LIMIT,    /* input exceeds a documented limit */
	FF_ERR_USAGE,    /* bad command line, option value or configuration */
	FF_ERR_NOTFOUND, /* the named thing does not exist */
	FF_ERR_DB,       /* the database refused (SQLite's message copied) */
	FF_ERR_NET,      /* a network transfer failed (curl's message copied) */
	FF_ERR_BUSY,     /* temporarily unavailable: try again later */
	FF_ERR_AUTH,     /* missing or wrong credentials */
	FF_ERR_INTERNAL  /* a bug: an invariant did not hold */
} ff_rc;

#define FF_ERR_MSG_MAX 512

typedef struct ff_err {
	ff_rc rc;
	char msg[FF_ERR_MSG_MAX];
} ff_err;

/* Reset to FF_OK with an empty message. */
void ff_err_init(ff_err *err);

/* Record a failure and return rc, so callers can write
 * `return ff_err_set(err, FF_ERR_PARSE, "bad count %s", s);`.  A later
 * ff_err_set replaces the earlier message.  err may be NULL. */
ff_rc ff_err_set(ff_err *err, ff_rc rc, const char *fmt, ...) FF_PRINTF(3, 4);
ff_rc ff_err_vset(ff_err *err, ff_rc rc, const char *fmt, va_list ap);

/* Put context in front of the current message ("a.txt:3: " + msg) and
 * return the current code.  err may be NULL, but then the code is not
 * known and FF_ERR_INTERNAL is returned: a caller whose err may be NULL
 * returns its own code instead of this one. */
ff_rc ff_err_prefix(ff_err *err, const char *fmt, ...) FF_PRINTF(2, 3);

/* Record an out-of-memory failure (the message needs no allocation). */
ff_rc ff_err_nomem(ff_err *err);

/* Record an I/O failure: "what: strerror(errnum)". */
ff_rc ff_err_errno(ff_err *err, int errnum, const char *fmt, ...)
	FF_PRINTF(3, 4);

/* A short description of a code ("malformed input"). Never NULL. */
const char *ff_strerror(ff_rc rc);

/* The message, or ff_strerror(rc) when no message was set. */
const char *ff_err_msg(const ff_err *err);

#endif
