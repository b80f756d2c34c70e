/*
 * collect.c -- run one configured profile and collapse its output as it
 * streams (see collect.h).
 */
#include "agent/collect.h"
#include "agent/agentlog.h"
#include "agent/collapse.h"
#include "agent/runner.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/src.h"
#include "profile/stamp.h"
#include "profile/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- host and build ------------------------------------------------------ */

ff_rc
ff_collect_host(const ff_agentconf *c, char *out, size_t cap, ff_err *err)
{
	if (c->host != NULL) {
		snprintf(out, cap, "%s", c->host);
		return FF_OK;
	}
	if (gethostname(out, cap - 1) != 0)
		return ff_err_errno(err, errno, "gethostname");
	out[cap - 1] = '\0';
	if (out[0] == '\0')
		return ff_err_set(err, FF_ERR_USAGE, "the host name is empty: "
		    "set host in the configuration");
	return FF_OK;
}

/* The first line of text, blanks removed, as a valid build. */
static ff_rc
first_line(const char *text, size_t len, const char *what, char **out,
    ff_err *err)
{
	size_t n = 0, i;

	while (n < len && text[n] != '\n' && text[n] != '\r')
		n++;
	while (n > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		n--;
	}
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n == 0 || n > FF_META_STR_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "%s: the build must be "
		    "1-%u bytes on the first line", what, FF_META_STR_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F)
			break;
	if (i < n || !ff_utf8_valid(text, n))
		return ff_err_set(err, FF_ERR_PARSE, "%s: the build must be "
		    "printable UTF-8", what);
	if ((*out = ff_strndup(text, n)) == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

static ff_rc
read_head(const char *path, char *buf, size_t cap, size_t *len, ff_err *err)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "build_file %s", path);
	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return ff_err_errno(err, errno, "build_file %s", path);
	*len = (size_t)n;
	return FF_OK;
}

ff_rc
ff_collect_build(const ff_agentconf *c, char **build, ff_err *err)
{
	char head[FF_META_STR_MAX * 4 + 2], *out = NULL;
	size_t len = 0;
	ff_rc rc;

	*build = NULL;
	if (c->build_file != NULL) {
		if ((rc = read_head(c->build_file, head, sizeof head, &len,
		    err)) != FF_OK)
			return rc;
		return first_line(head, len, c->build_file, build, err);
	}
	if (c->build_cmd == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "%s: build_cmd or "
		    "build_file is required", c->path);
	rc = ff_runner_capture(c->build_cmd, NULL, FF_COLLECT_HELPER_TIMEOUT_S,
	    FF_COLLECT_HELPER_MAX, &out, &len, err);
	if (rc != FF_OK) {
		ff_err_prefix(err, "build_cmd: ");
		return rc == FF_ERR_LIMIT ? FF_ERR_IO : rc;
	}
	rc = first_line(out, len, "build_cmd", build, err);
	ff_free(out);
	return rc;
}

/* ---- labels -------------------------------------------------------------- */

static int
label_line(ff_meta *meta, const char *line, size_t n, unsigned *room)
{
	char key[FF_META_LABEL_KEY_MAX + 1], val[FF_META_STR_MAX + 1];
	const char *eq = memchr(line, '=', n);
	size_t kn, vn;

	if (eq == NULL)
		return -1;
	kn = (size_t)(eq - line);
	vn = n - kn - 1;
	if (!ff_agentconf_label_key_ok(line, kn) ||
	    !ff_agentconf_label_value_ok(eq + 1, vn))
		return -1;
	memcpy(key, line, kn);
	key[kn] = '\0';
	memcpy(val, eq + 1, vn);
	val[vn] = '\0';
	if (ff_meta_label(meta, key) == NULL) {
		if (*room == 0)
			return -2;
		(*room)--;
	}
	return ff_meta_set_label(meta, key, val, NULL) == FF_OK ? 0 : -2;
}

void
ff_collect_labels_text(ff_meta *meta, const char *text, size_t len,
    unsigned room, const char *what)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	char shown[80];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl != NULL ? nl + 1 : end;
		size_t n = (size_t)((nl != NULL ? nl : end) - p);
		int r;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && p[0] != '#' &&
		    (r = label_line(meta, p, n, &room)) != 0)
			ff_agentlog_warn("%s: line %u: %s: '%s'", what, lineno,
			    r == -1 ? "not a label (KEY=VALUE, KEY "
			    "[A-Za-z0-9_.-]{1,64}, VALUE up to 255 printable "
			    "bytes)" : "too many labels, skipped",
			    ff_agentlog_clean(shown, sizeof shown, p, n));
		p = next;
	}
}

static ff_rc
static_labels(ff_meta *meta, const ff_label *l, unsigned n, ff_err *err)
{
	unsigned i;
	ff_rc rc;

	for (i = 0; i < n; i++)
		if ((rc = ff_meta_set_label(meta, l[i].key, l[i].value, err)) !=
		    FF_OK)
			return rc;
	return FF_OK;
}

/* ---- the command --------------------------------------------------------- */

/* "NAME=VALUE" strings for the command's environment. */
struct env {
	char vars[7][FF_AGENTCONF_LINE_MAX + 32];
	const char *list[8];
};

static void
join_list(char *out, size_t cap, const char *name, const char (*items)[
    FF_COLLAPSE_EVENT_MAX], const uint64_t *nums, unsigned n)
{
	size_t off = (size_t)snprintf(out, cap, "%s=", name);
	unsigned i;

	for (i = 0; i < n && off < cap; i++) {
		if (items != NULL)
			off += (size_t)snprintf(out + off, cap - off, "%s%s",
			    i ? "," : "", items[i]);
		else
			off += (size_t)snprintf(out + off, cap - off, "%s%llu",
			    i ? "," : "", (unsigned long long)nums[i]);
	}
}

static void
make_env(struct env *e, const ff_agentconf_profile *p)
{
	const ff_collapse_opts *o = &p->collapse;
	unsigned np = o->periods[0] != 0 ? ff_collapse_ncols(o) : 0, i;

	snprintf(e->vars[0], sizeof e->vars[0], "FF_PROFILE=%s", p->name);
	snprintf(e->vars[1], sizeof e->vars[1], "FF_DURATION_S=%u",
	    p->duration_s);
	snprintf(e->vars[2], sizeof e->vars[2], "FF_TIMEOUT_S=%u",
	    p->timeout_s);
	snprintf(e->vars[3], sizeof e->vars[3], "FF_TYPE=%s", p->type);
	snprintf(e->vars[4], sizeof e->vars[4], "FF_FORMAT=%s", p->folded ?
	    "folded" : ff_collapse_format_name(o->format));
	join_list(e->vars[5], sizeof e->vars[5], "FF_EVENTS", o->events, NULL,
	    o->nevents);
	join_list(e->vars[6], sizeof e->vars[6], "FF_PERIODS", NULL,
	    o->periods, np);
	for (i = 0; i < 7; i++)
		e->list[i] = e->vars[i];
	e->list[7] = NULL;
}

/* Collapse src into s as the profile's format says. */
static ff_rc
collapse(const ff_agentconf_profile *p, ff_src *src, ff_stacks *s,
    ff_collapse_stats *st, ff_diag *diag, ff_err *err)
{
	ff_fold_reader *r = NULL;
	ff_rc rc;

	memset(st, 0, sizeof *st);
	if (!p->folded)
		return ff_collapse_src(&p->collapse, src, s, st, diag, err);
	if ((rc = ff_fold_reader_new(&r, src, ff_stacks_nvalues(s), diag,
	    err)) != FF_OK)
		return rc;
	rc = ff_fold_load(s, r, err);
	ff_fold_reader_free(r);
	return rc;
}

/* Open the command's output: its pipe, or the output file once the
 * command ended well (*waited set). */
static ff_rc
open_output(const ff_agentconf_profile *p, ff_runner *run, ff_src **src,
    ff_runner_status *st, int *waited, ff_err *err)
{
	char name[FF_AGENTCONF_NAME_MAX + 32];
	ff_rc rc;

	if (p->output == NULL) {
		snprintf(name, sizeof name, "profile %s", p->name);
		return ff_src_open_fd(src, ff_runner_fd(run), name, 0, NULL,
		    err);
	}
	if ((rc = ff_runner_wait(run, st, err)) != FF_OK)
		return rc;
	*waited = 1;
	if (!ff_runner_ok(st))
		return FF_ERR_IO;   /* the caller says how it failed */
	return ff_src_open(src, p->output, NULL, err);
}

static ff_rc
command_failed(const ff_agentconf_profile *p, const ff_runner_status *st,
    ff_err *err)
{
	char how[128];

	ff_runner_describe(st, p->timeout_s, how, sizeof how);
	return ff_err_set(err, FF_ERR_IO, "profile %s: the command %s",
	    p->name, how);
}

/* Run the command and collapse its output into s.  When the collapse
 * fails the command is killed (ff_runner_free) and that error is
 * reported; otherwise a failed command wins. */
static ff_rc
run_command(const ff_agentconf_profile *p, ff_stacks *s,
    ff_collapse_stats *cst, ff_err *err)
{
	struct env env;
	ff_runner *run = NULL;
	ff_runner_status st;
	ff_src *src = NULL;
	ff_diag *diag = NULL;
	int waited = 0;
	ff_rc rc;

	make_env(&env, p);
	if (p->output != NULL)
		(void)unlink(p->output);   /* never read a stale one */
	diag = ff_diag_new(ff_agentlog_enabled(FF_AGENTLOG_WARN) ? stderr :
	    NULL, "ffagent", 0);
	if (diag == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_runner_start(&run, p->command, env.list, p->timeout_s,
	    err)) != FF_OK)
		goto out;
	rc = open_output(p, run, &src, &st, &waited, err);
	if (rc == FF_ERR_IO && waited && !ff_runner_ok(&st)) {
		rc = command_failed(p, &st, err);
		goto out;
	}
	if (rc == FF_OK)
		rc = collapse(p, src, s, cst, diag, err);
	if (rc == FF_OK && !waited)
		rc = ff_runner_wait(run, &st, err);
	if (rc != FF_OK)
		ff_err_prefix(err, "profile %s: ", p->name);
	else if (!ff_runner_ok(&st))
		rc = command_failed(p, &st, err);
	ff_diag_summary(diag);
out:
	ff_src_close(src);
	ff_runner_free(run);
	ff_diag_free(diag);
	if (p->output != NULL)
		(void)unlink(p->output);
	return rc;
}

/* ---- metadata ------------------------------------------------------------ */

static ff_rc
set_events(ff_meta *meta, const ff_agentconf_profile *p,
    const ff_collapse_stats *st, ff_err *err)
{
	const ff_collapse_opts *o = &p->collapse;
	unsigned i;
	ff_rc rc;

	if (o->nevents == 0)
		return ff_meta_add_event(meta, st->event[0] != '\0' ?
		    st->event : "samples", o->periods[0], err);
	for (i = 0; i < o->nevents; i++)
		if ((rc = ff_meta_add_event(meta, o->events[i], o->periods[i],
		    err)) != FF_OK)
			return rc;
	return FF_OK;
}

static ff_rc
fill_meta(ff_meta *meta, const ff_agentconf *c,
    const ff_agentconf_profile *p, const char *host, const char *build,
    ff_err *err)
{
	ff_rc rc;

	if ((rc = ff_meta_set(meta, &meta->host, host, err)) != FF_OK ||
	    (rc = ff_meta_set(meta, &meta->build, build, err)) != FF_OK ||
	    (rc = ff_meta_set(meta, &meta->type, p->type, err)) != FF_OK ||
	    (rc = ff_meta_set(meta, &meta->agent, "ffagent " FF_VERSION,
	    err)) != FF_OK ||
	    (rc = static_labels(meta, c->labels, c->nlabels, err)) != FF_OK)
		return rc;
	return static_labels(meta, p->labels, p->nlabels, err);
}

static void
run_labels_cmd(ff_meta *meta, const ff_agentconf_profile *p)
{
	struct env env;
	char *out = NULL, what[FF_AGENTCONF_NAME_MAX + 32];
	size_t len = 0;
	ff_err err;

	if (p->labels_cmd == NULL)
		return;
	make_env(&env, p);
	ff_err_init(&err);
	snprintf(what, sizeof what, "profile %s: labels_cmd", p->name);
	if (ff_runner_capture(p->labels_cmd, env.list,
	    FF_COLLECT_HELPER_TIMEOUT_S, FF_COLLECT_HELPER_MAX, &out, &len,
	    &err) != FF_OK) {
		ff_agentlog_warn("%s: %s (the profile is kept without its "
		    "labels)", what, ff_err_msg(&err));
		return;
	}
	/* One label stays free for dropped_since_last. */
	ff_collect_labels_text(meta, out, len, meta->nlabels + 1 <
	    FF_META_LABELS_MAX ? FF_META_LABELS_MAX - 1 - meta->nlabels : 0,
	    what);
	ff_free(out);
}

static void
report(const ff_agentconf_profile *p, const ff_collapse_stats *st,
    const ff_stacks *s)
{
	if (st->skipped_event > 0)
		ff_agentlog_warn("profile %s: %llu samples of other events "
		    "(%s) skipped: list them in events", p->name,
		    (unsigned long long)st->skipped_event, st->others);
	ff_agentlog_info("profile %s: %llu samples, %u distinct stacks",
	    p->name, (unsigned long long)st->samples, ff_stacks_count(s));
}

ff_rc
ff_collect_profile(const ff_agentconf *c, const ff_agentconf_profile *p,
    const char *host, const char *build, ff_meta *meta, ff_intern **frames,
    ff_stacks **out, ff_err *err)
{
	ff_collapse_stats st;
	struct timespec t0, t1;
	ff_stacks *s = NULL;
	ff_intern *f = NULL;
	ff_rc rc;

	*frames = NULL;
	*out = NULL;
	ff_meta_free(meta);
	if ((rc = fill_meta(meta, c, p, host, build, err)) != FF_OK)
		goto fail;
	if ((f = ff_intern_new()) == NULL ||
	    (s = ff_stacks_new(f, ff_collapse_ncols(&p->collapse))) == NULL) {
		rc = ff_err_nomem(err);
		goto fail;
	}
	meta->start = ff_stamp_now();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = run_command(p, s, &st, err)) != FF_OK)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	meta->duration_s = p->duration_s > 0 ? (double)p->duration_s :
	    (double)(t1.tv_sec - t0.tv_sec);
	report(p, &st, s);
	if (ff_stacks_count(s) == 0) {
		rc = ff_err_set(err, FF_DONE, "profile %s: no samples",
		    p->name);
		goto fail;
	}
	if ((rc = set_events(meta, p, &st, err)) != FF_OK)
		goto fail;
	run_labels_cmd(meta, p);
	*frames = f;
	*out = s;
	return FF_OK;
fail:
	ff_stacks_free(s);
	ff_intern_free(f);
	ff_meta_free(meta);
	return rc;
}
