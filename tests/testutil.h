/*
 * testutil.h -- small helpers shared by the cmocka tests.
 */
#ifndef FF_TESTUTIL_H
#define FF_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Exit code that ctest reports as "skipped". */
#define FF_TEST_SKIP 77

/* $FF_SHARED_DIR/rel when that directory exists, else NULL.  The result
 * is a static buffer. */
const char *ff_test_shared(const char *rel);

/* $FF_SOURCE_DIR / $FF_BUILD_DIR joined with rel (static buffer). */
const char *ff_test_source(const char *rel);
const char *ff_test_build(const char *rel);

/* A fresh temporary directory, removed (recursively) at exit. */
const char *ff_test_tmpdir(void);

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *ff_test_slurp(const char *path, size_t *len);

/* Write len bytes to path; 0 on success. */
int ff_test_write(const char *path, const void *p, size_t len);

/* Run a shell command, capturing stdout into *out (malloc'd, may be NULL
 * to discard) and returning its exit status (or -1). */
int ff_test_run(const char *cmd, char **out, size_t *outlen);

/* snprintf into a static rotating buffer (8 slots). */
const char *ff_test_fmt(const char *fmt, ...);

#endif
