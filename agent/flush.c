/*
 * flush.c -- upload the spool, oldest first, with backoff until the
 * deadline (see flush.h).
 */
#include "agent/flush.h"
#include "agent/agentlog.h"
#include "agent/backoff.h"
#include "agent/uploader.h"
#include "profile/mem.h"
#include "profile/stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <time.h>
#include <unistd.h>

#define TOKEN_MAX 4096u
#define BACKOFF_BASE_MS 1000u
#define BACKOFF_CAP_MS 60000u

struct flush {
	const ff_agentconf *c;
	ff_spool *sp;
	ff_uploader *up;
	ff_spool_state st;
	ff_backoff bo;
	const ff_flush_hooks *hooks;
	uint64_t deadline_ms;    /* on the hooks' (or the monotonic) clock */
	ff_flush_summary *sum;
};

/* ---- time ---------------------------------------------------------------- */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
now_ms(const struct flush *f)
{
	return f->hooks != NULL && f->hooks->now_ms != NULL ?
	    f->hooks->now_ms(f->hooks->ctx) : mono_ms();
}

static void
sleep_ms(const struct flush *f, uint64_t ms)
{
	if (f->hooks != NULL && f->hooks->sleep_ms != NULL)
		f->hooks->sleep_ms(f->hooks->ctx, ms);
	else
		ff_backoff_sleep_ms(ms);
}

/* ---- token --------------------------------------------------------------- */

static ff_rc
check_token(const char *t, size_t n, const char *path, ff_err *err)
{
	size_t i;

	if (n == 0)
		return ff_err_set(err, FF_ERR_USAGE, "%s: the token is empty",
		    path);
	for (i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] > '~')
			return ff_err_set(err, FF_ERR_USAGE,
			    "%s: the token must be printable ASCII without "
			    "blanks", path);
	return FF_OK;
}

ff_rc
ff_flush_read_token(const char *path, char **token, ff_err *err)
{
	char buf[TOKEN_MAX + 2];
	size_t n = 0, start = 0;
	ssize_t r;
	int fd;
	ff_rc rc;

	*token = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "token_file %s", path);
	while (n < sizeof buf - 1 && ((r = read(fd, buf + n,
	    sizeof buf - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(fd);
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	while (start < n && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	while (n > start && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n - start > TOKEN_MAX)
		return ff_err_set(err, FF_ERR_USAGE, "%s: the token is longer "
		    "than %u bytes", path, TOKEN_MAX);
	if ((rc = check_token(buf + start, n - start, path, err)) == FF_OK &&
	    (*token = ff_strndup(buf + start, n - start)) == NULL)
		rc = ff_err_nomem(err);
	memset(buf, 0, sizeof buf);
	return rc;
}

/* ---- one file ------------------------------------------------------------ */

static void
save_state(struct flush *f)
{
	ff_err err;

	ff_err_init(&err);
	if (ff_spool_state_save(f->sp, &f->st, &err) != FF_OK)
		ff_agentlog_warn("%s", ff_err_msg(&err));
}

static void
stored(struct flush *f, const ff_spool_file *file, const ff_uploader_result *r)
{
	ff_err err;

	ff_err_init(&err);
	if (ff_spool_remove(f->sp, file->name, &err) != FF_OK)
		ff_agentlog_error("%s (it will be sent again; the store "
		    "will answer that it has it)", ff_err_msg(&err));
	f->sum->uploaded++;
	f->sum->duplicates += r->duplicate != 0;
	f->sum->bytes += r->bytes;
	f->st.uploaded_total++;
	f->st.last_success = ff_stamp_now();
	if (file->drop_stamp > f->st.dropped_reported &&
	    file->drop_stamp <= f->st.dropped_total)
		f->st.dropped_reported = file->drop_stamp;
	save_state(f);
	ff_backoff_reset(&f->bo);
	if (r->duplicate)
		ff_agentlog_info("%s: the store already had it (HTTP %ld)",
		    file->name, r->status);
	else
		ff_agentlog_info("%s: uploaded, %llu bytes (HTTP %ld%s%s)",
		    file->name, (unsigned long long)r->bytes, r->status,
		    r->id[0] != '\0' ? ", id " : "", r->id);
}

static ff_rc
rejected(struct flush *f, const ff_spool_file *file,
    const ff_uploader_result *r, ff_err *err)
{
	char why[700];
	ff_rc rc;

	snprintf(why, sizeof why, "HTTP %ld: %s", r->status, r->message);
	if ((rc = ff_spool_reject(f->sp, file->name, why, err)) != FF_OK) {
		ff_agentlog_error("%s: refused by the store (%s); could not "
		    "move it to %s/rejected/", file->name, why,
		    ff_spool_dir(f->sp));
		return rc;
	}
	ff_agentlog_error("%s: refused by the store (%s); moved to "
	    "%s/rejected/", file->name, why, ff_spool_dir(f->sp));
	f->sum->rejected++;
	f->st.rejected_total++;
	save_state(f);
	return FF_OK;
}

static void
describe(const ff_uploader_result *r, char *out, size_t cap)
{
	if (r->status == 0)
		snprintf(out, cap, "%s", r->message);
	else
		snprintf(out, cap, "HTTP %ld%s%s", r->status,
		    r->message[0] != '\0' ? ": " : "", r->message);
}

/* Wait before retrying; 0 when the deadline comes first. */
static int
wait_retry(struct flush *f, const ff_uploader_result *r)
{
	uint64_t ra = r->has_retry_after ? r->retry_after_s * 1000 : 0;
	uint64_t delay = ff_backoff_next_ms(&f->bo, ra), now = now_ms(f);
	char what[600];

	describe(r, what, sizeof what);
	f->sum->retries++;
	if (now + delay >= f->deadline_ms) {
		ff_agentlog_clean(f->st.last_error, sizeof f->st.last_error,
		    what, strlen(what));
		f->sum->deadline = 1;
		return 0;
	}
	ff_agentlog_info("store unavailable (%s); retrying in %.1f s", what,
	    (double)delay / 1000);
	sleep_ms(f, delay);
	return 1;
}

static unsigned
timeout_for(const struct flush *f)
{
	uint64_t now = now_ms(f), left;

	left = f->deadline_ms > now ? (f->deadline_ms - now + 999) / 1000 : 1;
	return left < f->c->upload_timeout_s ? (unsigned)left :
	    f->c->upload_timeout_s;
}

/* Send one file until it is stored or rejected (FF_OK), or the flush
 * must stop (FF_DONE). */
static ff_rc
send_one(struct flush *f, const ff_spool_file *file, ff_err *err)
{
	char path[4096], what[600];
	ff_uploader_result r;
	ff_rc rc;

	if ((rc = ff_spool_path(f->sp, file->name, path, sizeof path, err)) !=
	    FF_OK)
		return rc;
	for (;;) {
		rc = ff_uploader_post(f->up, path, timeout_for(f), &r, err);
		if (rc == FF_ERR_IO && access(path, F_OK) != 0)
			return FF_OK;   /* removed meanwhile */
		if (rc != FF_OK)
			return rc;
		switch (r.verdict) {
		case FF_UPLOADER_STORED:
			stored(f, file, &r);
			return FF_OK;
		case FF_UPLOADER_REJECTED:
			return rejected(f, file, &r, err);
		case FF_UPLOADER_STOP:
			describe(&r, what, sizeof what);
			ff_agentlog_error("the store at %s refused the upload "
			    "(%s): check server and token_file", f->c->server,
			    what);
			ff_agentlog_clean(f->st.last_error,
			    sizeof f->st.last_error, what, strlen(what));
			f->sum->stopped = 1;
			return FF_DONE;
		case FF_UPLOADER_RETRY:
			if (!wait_retry(f, &r))
				return FF_DONE;
			break;
		}
	}
}

/* ---- the spool ----------------------------------------------------------- */

static ff_rc
send_all(struct flush *f, const ff_spool_file *files, size_t n, ff_err *err)
{
	size_t i;
	ff_rc rc = FF_OK;

	for (i = 0; i < n; i++) {
		if ((rc = send_one(f, &files[i], err)) != FF_OK)
			break;
	}
	f->sum->kept = (unsigned)(n - i);
	if (rc == FF_DONE) {
		if (f->sum->deadline)
			ff_agentlog_warn("store unavailable (%s) until the "
			    "deadline (%u s): %u profiles kept in %s for the "
			    "next run", f->st.last_error, f->c->deadline_s,
			    f->sum->kept, ff_spool_dir(f->sp));
		rc = FF_OK;
	}
	return rc;
}

static ff_rc
open_upload(struct flush *f, ff_err *err)
{
	const ff_agentconf *c = f->c;
	ff_uploader_opts o;
	char *token = NULL;
	ff_rc rc;

	memset(&o, 0, sizeof o);
	if (c->token_file != NULL &&
	    (rc = ff_flush_read_token(c->token_file, &token, err)) != FF_OK)
		return rc;
	o.server = c->server;
	o.token = token;
	o.ca_file = c->tls_ca;
	o.cert_file = c->tls_cert;
	o.key_file = c->tls_key;
	o.connect_timeout_s = c->connect_timeout_s;
	rc = ff_uploader_new(&f->up, &o, err);   /* copies the headers */
	if (token != NULL) {
		memset(token, 0, strlen(token));
		ff_free(token);
	}
	return rc;
}

/* Clean temps, enforce the bounds, list what is left. */
static ff_rc
prepare(struct flush *f, ff_spool_file **files, size_t *n, ff_err *err)
{
	ff_err serr;
	unsigned dropped = 0;
	ff_rc rc;

	ff_err_init(&serr);
	if (ff_spool_state_load(f->sp, &f->st, &serr) != FF_OK)
		ff_agentlog_warn("%s (counters start again from 0)",
		    ff_err_msg(&serr));
	f->st.last_attempt = ff_stamp_now();
	ff_spool_clean(f->sp);
	rc = ff_spool_enforce(f->sp, &f->st, &dropped, err);
	f->sum->dropped = dropped;
	save_state(f);
	if (rc != FF_OK)
		return rc;
	return ff_spool_list(f->sp, NULL, files, n, err);
}

ff_rc
ff_flush_spool(const ff_agentconf *c, ff_spool *sp,
    const ff_flush_hooks *hooks, ff_flush_summary *sum, ff_err *err)
{
	struct flush f;
	ff_spool_file *files = NULL;
	size_t n = 0;
	int curl = 0;
	ff_rc rc;

	memset(sum, 0, sizeof *sum);
	memset(&f, 0, sizeof f);
	f.c = c;
	f.sp = sp;
	f.hooks = hooks;
	f.sum = sum;
	f.deadline_ms = now_ms(&f) + (uint64_t)c->deadline_s * 1000;
	ff_backoff_init(&f.bo, hooks != NULL && hooks->seed != 0 ? hooks->seed
	    : ff_backoff_seed(), BACKOFF_BASE_MS, BACKOFF_CAP_MS);
	if ((rc = prepare(&f, &files, &n, err)) != FF_OK || n == 0)
		goto out;
#ifdef __GLIBC__
	/* Give the collapse's freed memory back before libcurl loads, so
	 * the two never count together in the agent's footprint. */
	malloc_trim(0);
#endif
	if ((rc = ff_uploader_global_init(err)) != FF_OK)
		goto out;
	curl = 1;
	if ((rc = open_upload(&f, err)) != FF_OK)
		goto out;
	f.st.last_error[0] = '\0';
	rc = send_all(&f, files, n, err);
	save_state(&f);
out:
	if (rc != FF_OK)
		sum->kept = (unsigned)n;
	ff_uploader_free(f.up);
	if (curl)
		ff_uploader_global_cleanup();
	ff_free(files);
	return rc;
}

int
ff_flush_exit_status(const ff_flush_summary *sum)
{
	return sum->kept > 0 || sum->rejected > 0 ? 1 : 0;
}
