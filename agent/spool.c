/*
 * spool.c -- the spool directory: atomic writes, oldest-first listing,
 * bounds, rejected/ and the state file (see spool.h).
 */
#include "agent/spool.h"
#include "agent/agentlog.h"
#include "profile/mem.h"
#include "profile/stamp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_PREFIX ".tmp-"
#define STATE_NAME ".state"
#define REJECTED "rejected"
#define TMP_MAX_AGE_S 86400

struct ff_spool {
	char *dir;
	uint64_t max_bytes;
	uint64_t max_files;
};

/* ---- paths --------------------------------------------------------------- */

ff_rc
ff_spool_path(const ff_spool *sp, const char *name, char *buf, size_t cap,
    ff_err *err)
{
	int n = snprintf(buf, cap, "%s/%s", sp->dir, name);

	if (n < 0 || (size_t)n >= cap)
		return ff_err_set(err, FF_ERR_LIMIT, "%s/%s: path too long",
		    sp->dir, name);
	return FF_OK;
}

const char *
ff_spool_dir(const ff_spool *sp)
{
	return sp->dir;
}

static ff_rc
make_dir(const char *path, ff_err *err)
{
	struct stat st;

	if (mkdir(path, 0750) != 0 && errno != EEXIST)
		return ff_err_errno(err, errno, "%s: cannot create the spool "
		    "directory", path);
	if (stat(path, &st) != 0)
		return ff_err_errno(err, errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return ff_err_set(err, FF_ERR_IO, "%s: not a directory", path);
	return FF_OK;
}

/* fsync a directory so a rename in it is durable. */
static ff_rc
sync_dir(const char *path, ff_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return ff_err_errno(err, errno, "%s", path);
	rc = fsync(fd);
	if (rc != 0 && errno != EINVAL && errno != EBADF) {
		int e = errno;

		close(fd);
		return ff_err_errno(err, e, "%s: fsync", path);
	}
	close(fd);
	return FF_OK;
}

ff_rc
ff_spool_open(ff_spool **out, const char *dir, uint64_t max_bytes,
    uint64_t max_files, ff_err *err)
{
	char sub[4096];
	ff_spool *sp;
	ff_rc rc;

	*out = NULL;
	if ((sp = ff_calloc(1, sizeof *sp)) == NULL ||
	    (sp->dir = ff_strdup(dir)) == NULL) {
		ff_free(sp);
		return ff_err_nomem(err);
	}
	sp->max_bytes = max_bytes;
	sp->max_files = max_files;
	if ((rc = make_dir(dir, err)) != FF_OK ||
	    (rc = ff_spool_path(sp, REJECTED, sub, sizeof sub, err)) != FF_OK ||
	    (rc = make_dir(sub, err)) != FF_OK) {
		ff_spool_close(sp);
		return rc;
	}
	*out = sp;
	return FF_OK;
}

void
ff_spool_close(ff_spool *sp)
{
	if (sp == NULL)
		return;
	ff_free(sp->dir);
	ff_free(sp);
}

/* ---- writing ------------------------------------------------------------- */

ff_rc
ff_spool_create(ff_spool *sp, ff_spool_tmp *t, ff_err *err)
{
	char name[64];
	ff_rc rc;

	t->fd = -1;
	t->path[0] = '\0';
	snprintf(name, sizeof name, TMP_PREFIX "%ld-XXXXXX", (long)getpid());
	if ((rc = ff_spool_path(sp, name, t->path, sizeof t->path, err)) !=
	    FF_OK)
		return rc;
	if ((t->fd = mkstemp(t->path)) < 0) {
		rc = ff_err_errno(err, errno, "%s: cannot create a file in the "
		    "spool", sp->dir);
		t->path[0] = '\0';
		return rc;
	}
	fcntl(t->fd, F_SETFD, FD_CLOEXEC);
	return FF_OK;
}

void
ff_spool_abandon(ff_spool_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path[0] != '\0')
		unlink(t->path);
	t->path[0] = '\0';
}

/* A tag made of [A-Za-z0-9_.-] only, at most FF_SPOOL_TAG_MAX bytes. */
static void
clean_tag(const char *tag, char *out)
{
	size_t i, n = 0;

	for (i = 0; tag != NULL && tag[i] != '\0' && n < FF_SPOOL_TAG_MAX;
	    i++) {
		char c = tag[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			out[n++] = c;
	}
	if (n == 0)
		out[n++] = 'p';
	out[n] = '\0';
}

/* A final name that does not exist yet. */
static ff_rc
final_name(ff_spool *sp, uint64_t drop_stamp, const char *tag, char *name,
    size_t cap, char *path, size_t pcap, ff_err *err)
{
	char ctag[FF_SPOOL_TAG_MAX + 1];
	struct timespec ts;
	int i;
	ff_rc rc;

	clean_tag(tag, ctag);
	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 0; i < 1000; i++) {
		snprintf(name, cap, "%012lld.%09ld-%ld-d%llu-%s.ffp",
		    (long long)ts.tv_sec, ts.tv_nsec, (long)getpid(),
		    (unsigned long long)drop_stamp, ctag);
		if ((rc = ff_spool_path(sp, name, path, pcap, err)) != FF_OK)
			return rc;
		if (access(path, F_OK) != 0)
			return FF_OK;
		if (++ts.tv_nsec == 1000000000L) {
			ts.tv_nsec = 0;
			ts.tv_sec++;
		}
	}
	return ff_err_set(err, FF_ERR_IO, "%s: cannot find a free name",
	    sp->dir);
}

ff_rc
ff_spool_commit(ff_spool *sp, ff_spool_tmp *t, uint64_t drop_stamp,
    const char *tag, char *name, size_t cap, ff_err *err)
{
	char fname[sizeof ((ff_spool_file *)0)->name], path[4096];
	ff_rc rc;

	if (fsync(t->fd) != 0) {
		rc = ff_err_errno(err, errno, "%s: fsync", t->path);
		goto fail;
	}
	if (close(t->fd) != 0) {
		t->fd = -1;
		rc = ff_err_errno(err, errno, "%s: close", t->path);
		goto fail;
	}
	t->fd = -1;
	if ((rc = final_name(sp, drop_stamp, tag, fname, sizeof fname, path,
	    sizeof path, err)) != FF_OK)
		goto fail;
	if (rename(t->path, path) != 0) {
		rc = ff_err_errno(err, errno, "%s: rename", path);
		goto fail;
	}
	t->path[0] = '\0';
	if (name != NULL)
		snprintf(name, cap, "%s", fname);
	return sync_dir(sp->dir, err);
fail:
	ff_spool_abandon(t);
	return rc;
}

ff_rc
ff_spool_put(ff_spool *sp, ff_meta *meta, const ff_stacks *s, int level,
    const char *tag, char *name, size_t cap, ff_err *err)
{
	ff_spool_state st;
	ff_spool_tmp t;
	char count[24];
	ff_rc rc;

	if (ff_spool_state_load(sp, &st, err) != FF_OK)
		ff_agentlog_warn("%s (counters start again from 0)",
		    ff_err_msg(err));
	snprintf(count, sizeof count, "%llu",
	    (unsigned long long)ff_spool_state_unreported(&st));
	if ((rc = ff_meta_set_label(meta, "dropped_since_last", count, err)) !=
	    FF_OK)
		return rc;
	if ((rc = ff_spool_create(sp, &t, err)) != FF_OK)
		return rc;
	if ((rc = ff_ffp_write_fd(meta, s, level, t.fd, t.path, err)) !=
	    FF_OK) {
		ff_spool_abandon(&t);
		return rc;
	}
	return ff_spool_commit(sp, &t, st.dropped_total, tag, name, cap, err);
}

/* ---- listing ------------------------------------------------------------- */

/* Digits p[0..n) as a number; -1 when not all digits or n is 0. */
static int
digits(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return 0;
}

/* Parse a complete profile's name; 0 when it is one. */
static int
parse_name(const char *name, ff_spool_file *f)
{
	size_t len = strlen(name);
	const char *p = name, *dash;
	uint64_t sec, nsec, pid;

	if (len >= sizeof f->name || len < 5 ||
	    strcmp(name + len - 4, ".ffp") != 0 || name[0] == '.')
		return -1;
	if (len < 23 || name[12] != '.' || name[22] != '-' ||
	    digits(p, 12, &sec) != 0 || digits(p + 13, 9, &nsec) != 0)
		return -1;
	p += 23;
	if ((dash = strchr(p, '-')) == NULL ||
	    digits(p, (size_t)(dash - p), &pid) != 0 || dash[1] != 'd')
		return -1;
	p = dash + 2;
	if ((dash = strchr(p, '-')) == NULL ||
	    digits(p, (size_t)(dash - p), &f->drop_stamp) != 0)
		return -1;
	if (sec > (uint64_t)INT64_MAX)
		return -1;
	f->created = (int64_t)sec;
	memcpy(f->name, name, len + 1);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const ff_spool_file *)a)->name,
	    ((const ff_spool_file *)b)->name);
}

/* Append entry name of directory path to *files when it is a profile. */
static ff_rc
list_one(const char *path, const char *name, ff_spool_file **files,
    size_t *n, size_t *cap, ff_err *err)
{
	char full[4096];
	ff_spool_file f;
	struct stat st;

	if (parse_name(name, &f) != 0)
		return FF_OK;
	if ((size_t)snprintf(full, sizeof full, "%s/%s", path, name) >=
	    sizeof full || lstat(full, &st) != 0 || !S_ISREG(st.st_mode))
		return FF_OK;   /* gone meanwhile, or not a file: ignored */
	f.bytes = (uint64_t)st.st_size;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		ff_spool_file *g = ff_reallocarray(*files, nc, sizeof *g);

		if (g == NULL)
			return ff_err_nomem(err);
		*files = g;
		*cap = nc;
	}
	(*files)[(*n)++] = f;
	return FF_OK;
}

ff_rc
ff_spool_list(ff_spool *sp, const char *sub, ff_spool_file **files,
    size_t *n, ff_err *err)
{
	char path[4096];
	struct dirent *de;
	size_t cap = 0;
	DIR *d = NULL;
	ff_rc rc = FF_OK;

	*files = NULL;
	*n = 0;
	if (sub == NULL)
		snprintf(path, sizeof path, "%s", sp->dir);
	else if ((rc = ff_spool_path(sp, sub, path, sizeof path, err)) != FF_OK)
		return rc;
	if ((d = opendir(path)) == NULL)
		return ff_err_errno(err, errno, "%s", path);
	while (rc == FF_OK && (errno = 0, de = readdir(d)) != NULL)
		rc = list_one(path, de->d_name, files, n, &cap, err);
	if (rc == FF_OK && errno != 0)
		rc = ff_err_errno(err, errno, "%s: readdir", path);
	closedir(d);
	if (rc != FF_OK) {
		ff_free(*files);
		*files = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*files, *n, sizeof **files, by_name);
	return FF_OK;
}

/* ---- removing ------------------------------------------------------------ */

ff_rc
ff_spool_remove(ff_spool *sp, const char *name, ff_err *err)
{
	char path[4096];
	ff_rc rc;

	if ((rc = ff_spool_path(sp, name, path, sizeof path, err)) != FF_OK)
		return rc;
	if (unlink(path) != 0 && errno != ENOENT)
		return ff_err_errno(err, errno, "%s: cannot remove", path);
	return FF_OK;
}

/* The .why next to a rejected profile. */
static void
why_path(const char *ffp, char *out, size_t cap)
{
	size_t n = strlen(ffp);

	snprintf(out, cap, "%.*s.why", (int)(n > 4 ? n - 4 : n), ffp);
}

static ff_rc
write_small(const char *path, const char *text, ff_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	ssize_t w;

	if (fd < 0)
		return ff_err_errno(err, errno, "%s", path);
	do
		w = write(fd, text, n);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n) {
		int e = w < 0 ? errno : ENOSPC;   /* a short write: full */

		close(fd);
		return ff_err_errno(err, e, "%s: write", path);
	}
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return ff_err_errno(err, e, "%s: fsync", path);
	}
	if (close(fd) != 0)
		return ff_err_errno(err, errno, "%s: close", path);
	return FF_OK;
}

/* Remove the oldest rejected profiles past the bounds. */
static void
bound_rejected(ff_spool *sp)
{
	ff_spool_file *f = NULL;
	size_t n = 0, i;
	uint64_t bytes = 0;
	char path[4096], why[4096];

	if (ff_spool_list(sp, REJECTED, &f, &n, NULL) != FF_OK)
		return;
	for (i = 0; i < n; i++)
		bytes += f[i].bytes;
	for (i = 0; i < n && (n - i > sp->max_files || bytes > sp->max_bytes);
	    i++) {
		snprintf(path, sizeof path, "%s/" REJECTED "/%s", sp->dir,
		    f[i].name);
		why_path(path, why, sizeof why);
		if (unlink(path) == 0)
			ff_agentlog_warn("%s/" REJECTED " is over its bounds: "
			    "removed the rejected profile %s", sp->dir,
			    f[i].name);
		unlink(why);
		bytes -= f[i].bytes;
	}
	ff_free(f);
}

ff_rc
ff_spool_reject(ff_spool *sp, const char *name, const char *why,
    ff_err *err)
{
	char from[4096], to[4096], wpath[4096], text[1024];
	ff_err werr;
	ff_rc rc;

	ff_err_init(&werr);
	if ((rc = ff_spool_path(sp, name, from, sizeof from, err)) != FF_OK)
		return rc;
	if ((size_t)snprintf(to, sizeof to, "%s/" REJECTED "/%s", sp->dir,
	    name) >= sizeof to)
		return ff_err_set(err, FF_ERR_LIMIT, "%s: path too long", name);
	why_path(to, wpath, sizeof wpath);
	ff_agentlog_clean(text, sizeof text - 1, why, strlen(why));
	strcat(text, "\n");
	/* The reason is a courtesy: on a full disk it may not fit, and the
	 * profile must still leave the queue (moving it needs no space),
	 * or it would block every later upload -- the uploads that would
	 * free the space. */
	if (write_small(wpath, text, &werr) != FF_OK) {
		unlink(wpath);
		ff_agentlog_warn("%s (the reason is only in this log)",
		    ff_err_msg(&werr));
	}
	if (rename(from, to) != 0) {
		rc = ff_err_errno(err, errno, "%s: cannot move to %s", from,
		    to);
		unlink(wpath);
		return rc;
	}
	(void)sync_dir(sp->dir, NULL);
	bound_rejected(sp);
	return FF_OK;
}

ff_rc
ff_spool_enforce(ff_spool *sp, ff_spool_state *st, unsigned *dropped,
    ff_err *err)
{
	ff_spool_file *f = NULL;
	size_t n = 0, i;
	uint64_t bytes = 0;
	ff_rc rc;

	*dropped = 0;
	if ((rc = ff_spool_list(sp, NULL, &f, &n, err)) != FF_OK)
		return rc;
	for (i = 0; i < n; i++)
		bytes += f[i].bytes;
	for (i = 0; i < n && (n - i > sp->max_files || bytes > sp->max_bytes);
	    i++) {
		char when[FF_STAMP_LEN];

		if ((rc = ff_spool_remove(sp, f[i].name, err)) != FF_OK)
			break;
		ff_stamp_format(f[i].created, when);
		ff_agentlog_warn("spool %s is full (%zu profiles, %llu bytes; "
		    "at most %llu, %llu): dropped the oldest, %s (from %s, "
		    "%llu bytes)", sp->dir, n - i, (unsigned long long)bytes,
		    (unsigned long long)sp->max_files,
		    (unsigned long long)sp->max_bytes, f[i].name, when,
		    (unsigned long long)f[i].bytes);
		bytes -= f[i].bytes;
		st->dropped_total++;
		(*dropped)++;
	}
	ff_free(f);
	return rc;
}

/* ---- temp files ---------------------------------------------------------- */

/* The pid in ".tmp-PID-XXXXXX", or 0. */
static long
tmp_pid(const char *name)
{
	const char *p = name + strlen(TMP_PREFIX);
	long pid = 0;

	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
		return 0;
	for (; *p >= '0' && *p <= '9' && pid < 100000000L; p++)
		pid = pid * 10 + (*p - '0');
	return *p == '-' ? pid : 0;
}

/* Whether a temp file's writer is gone, or the file is stale. */
static int
tmp_dead(const char *path, long pid)
{
	struct stat st;

	if (pid == (long)getpid())
		return 0;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 1;
	return lstat(path, &st) == 0 &&
	    time(NULL) - st.st_mtime > TMP_MAX_AGE_S;
}

static unsigned
scan_temps(ff_spool *sp, int remove)
{
	char path[4096];
	struct dirent *de;
	unsigned count = 0;
	DIR *d;

	if ((d = opendir(sp->dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		long pid = tmp_pid(de->d_name);

		if (pid <= 0 || ff_spool_path(sp, de->d_name, path,
		    sizeof path, NULL) != FF_OK)
			continue;
		if (!remove) {
			count++;
		} else if (tmp_dead(path, pid) && unlink(path) == 0) {
			ff_agentlog_info("removed %s, left half-written by "
			    "process %ld", path, pid);
			count++;
		}
	}
	closedir(d);
	return count;
}

unsigned
ff_spool_clean(ff_spool *sp)
{
	return scan_temps(sp, 1);
}

unsigned
ff_spool_temps(ff_spool *sp)
{
	return scan_temps(sp, 0);
}

/* ---- state --------------------------------------------------------------- */

uint64_t
ff_spool_state_unreported(const ff_spool_state *st)
{
	return st->dropped_total > st->dropped_reported ?
	    st->dropped_total - st->dropped_reported : 0;
}

/* Apply "key value" to st; -1 when the value is bad. */
static int
state_line(ff_spool_state *st, const char *key, const char *val)
{
	uint64_t *u = NULL;
	int64_t *t = NULL;
	char *end;

	if (strcmp(key, "last_error") == 0) {
		ff_agentlog_clean(st->last_error, sizeof st->last_error, val,
		    strlen(val));
		return 0;
	}
	if (strcmp(key, "dropped_total") == 0)
		u = &st->dropped_total;
	else if (strcmp(key, "dropped_reported") == 0)
		u = &st->dropped_reported;
	else if (strcmp(key, "uploaded_total") == 0)
		u = &st->uploaded_total;
	else if (strcmp(key, "rejected_total") == 0)
		u = &st->rejected_total;
	else if (strcmp(key, "last_success") == 0)
		t = &st->last_success;
	else if (strcmp(key, "last_attempt") == 0)
		t = &st->last_attempt;
	else
		return 0;   /* a later version's key */
	if (*val < '0' || *val > '9')
		return -1;
	errno = 0;
	if (u != NULL)
		*u = strtoull(val, &end, 10);
	else
		*t = strtoll(val, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static ff_rc
state_parse(ff_spool_state *st, char *text, const char *path, ff_err *err)
{
	char *line = text, *nl, *sp;
	unsigned lineno = 0;

	for (; *line != '\0'; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		if (*line == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL)
			return ff_err_set(err, FF_ERR_PARSE, "%s:%u: corrupt",
			    path, lineno);
		*sp = '\0';
		if (state_line(st, line, sp + 1) != 0)
			return ff_err_set(err, FF_ERR_PARSE, "%s:%u: bad value "
			    "for %s", path, lineno, line);
	}
	return FF_OK;
}

ff_rc
ff_spool_state_load(ff_spool *sp, ff_spool_state *st, ff_err *err)
{
	char path[4096], text[2048];
	ssize_t n;
	int fd;
	ff_rc rc;

	memset(st, 0, sizeof *st);
	if ((rc = ff_spool_path(sp, STATE_NAME, path, sizeof path, err)) !=
	    FF_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? FF_OK : ff_err_errno(err, errno, "%s",
		    path);
	do
		n = read(fd, text, sizeof text - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return ff_err_errno(err, errno, "%s", path);
	text[n] = '\0';
	if ((size_t)n == sizeof text - 1 || strlen(text) != (size_t)n)
		rc = ff_err_set(err, FF_ERR_PARSE, "%s: corrupt", path);
	else
		rc = state_parse(st, text, path, err);
	if (rc != FF_OK)
		memset(st, 0, sizeof *st);
	return rc;
}

ff_rc
ff_spool_state_save(ff_spool *sp, const ff_spool_state *st, ff_err *err)
{
	char path[4096], tmp[4096], tname[64], text[1024], why[256];
	ff_rc rc;

	snprintf(tname, sizeof tname, STATE_NAME ".%ld", (long)getpid());
	if ((rc = ff_spool_path(sp, STATE_NAME, path, sizeof path, err)) !=
	    FF_OK || (rc = ff_spool_path(sp, tname, tmp, sizeof tmp, err)) !=
	    FF_OK)
		return rc;
	ff_agentlog_clean(why, sizeof why, st->last_error,
	    strlen(st->last_error));
	snprintf(text, sizeof text, "dropped_total %llu\n"
	    "dropped_reported %llu\nuploaded_total %llu\n"
	    "rejected_total %llu\nlast_success %lld\nlast_attempt %lld\n"
	    "last_error %s\n", (unsigned long long)st->dropped_total,
	    (unsigned long long)st->dropped_reported,
	    (unsigned long long)st->uploaded_total,
	    (unsigned long long)st->rejected_total,
	    (long long)st->last_success, (long long)st->last_attempt, why);
	if ((rc = write_small(tmp, text, err)) != FF_OK) {
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) != 0) {
		rc = ff_err_errno(err, errno, "%s: rename", path);
		unlink(tmp);
		return rc;
	}
	return FF_OK;
}
