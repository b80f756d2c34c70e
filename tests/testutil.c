/*
 * testutil.c -- helpers for the cmocka tests (see testutil.h).
 */
#define _GNU_SOURCE 1
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static void
tmpdir_cleanup(void)
{
	char cmd[300];

	if (tmpdir[0] != '\0' && getenv("FF_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
}

const char *
ff_test_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof tmpdir, "%s/fftest.XXXXXX",
		    base != NULL ? base : "/tmp");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(tmpdir_cleanup);
	}
	return tmpdir;
}

const char *
ff_test_fmt(const char *fmt, ...)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ & 7];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof bufs[0], fmt, ap);
	va_end(ap);
	return b;
}

static const char *
env_join(const char *var, const char *rel, int must_exist)
{
	const char *base = getenv(var);
	struct stat st;

	if (base == NULL || (must_exist && stat(base, &st) != 0))
		return NULL;
	return ff_test_fmt("%s/%s", base, rel);
}

const char *
ff_test_shared(const char *rel)
{
	return env_join("FF_SHARED_DIR", rel, 1);
}

const char *
ff_test_source(const char *rel)
{
	const char *p = env_join("FF_SOURCE_DIR", rel, 0);

	return p != NULL ? p : ff_test_fmt("../%s", rel);
}

const char *
ff_test_build(const char *rel)
{
	const char *p = env_join("FF_BUILD_DIR", rel, 0);

	return p != NULL ? p : ff_test_fmt("./%s", rel);
}

char *
ff_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 65536) {
			char *nb;

			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
ff_test_write(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(p, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int
ff_test_run(const char *cmd, char **out, size_t *outlen)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL, chunk[65536];
	size_t n = 0, r;
	int status;

	if (p == NULL)
		return -1;
	while ((r = fread(chunk, 1, sizeof chunk, p)) > 0) {
		if (out != NULL) {
			char *nb = realloc(buf, n + r + 1);

			if (nb == NULL)
				break;
			buf = nb;
			memcpy(buf + n, chunk, r);
			n += r;
			buf[n] = '\0';
		}
	}
	status = pclose(p);
	if (out != NULL) {
		if (buf == NULL)
			buf = calloc(1, 1);
		*out = buf;
	}
	if (outlen != NULL)
		*outlen = n;
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
