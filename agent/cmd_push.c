/*
 * cmd_push.c -- `ffagent push` and `ffagent pack`: wrap folded stacks
 * into a profile file, then spool and upload it (push) or write it to a
 * file (pack).  The input is parsed and validated (ff_fold_load_src), so
 * what is written is always normalised folded text: sorted, one line
 * per stack, counts summed.
 */
#include "agent/agentcmd.h"
#include "agent/agentlog.h"
#include "agent/collect.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PACK_LEVEL 3   /* zstd level of pack (push: zstd_level) */

static const char push_usage[] =
"usage: ffagent push --build B --type T [options] [FILE.folded|-]\n"
"       ffagent pack --build B --type T [options] -o FILE.ffp "
"[FILE.folded|-]\n"
"\n"
"Wrap folded stacks (\"root;...;leaf COUNT [COUNT...]\", one count per\n"
"event; plain or zstd; standard input when FILE is absent or \"-\") into a\n"
"flamefleet profile file.  push puts it in the spool and uploads the\n"
"spool (for manual use and CI); pack writes it to FILE.ffp and uploads\n"
"nothing.  The input is parsed and normalised: malformed lines are\n"
"reported and skipped (an error with --strict).\n"
"\n"
"  --build B          the build or release measured (required)\n"
"  --type T           cpu, cpi, offcpu, mem, io or your own word "
"(required)\n"
"  --host H           default: host from the configuration (push), else\n"
"                     the host name\n"
"  --events E1,E2     one name per count column (default: one column,\n"
"                     \"samples\")\n"
"  --periods P1,P2    the sampling period of each event (recorded)\n"
"  --label K=V        a label (repeatable)\n"
"  --start TIME       when the profile began, RFC 3339 (default: now)\n"
"  --duration S       how long it covered, in seconds\n"
"  --strict           a malformed input line is an error\n"
"  --config FILE      push: the configuration (default\n"
"                     " FF_AGENTCONF_DEFAULT ")\n"
"  -o FILE            pack: where to write (\"-\": standard output)\n"
"  -q, -v             fewer, more messages\n"
"  -h, --help         this text\n"
"\n";

static const char pack_exit[] =
"Exit status (pack):\n"
"  0  the file was written\n"
"  1  it could not be written\n"
"  2  usage error, or input that is not folded stacks\n";

struct args {
	int pack;
	const char *build, *type, *host, *events, *periods, *start;
	const char *duration, *config, *output, *input;
	int strict;
	ff_meta meta;    /* labels gathered here while parsing */
};

/* ---- arguments ----------------------------------------------------------- */

static int
add_label(struct args *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[FF_META_LABEL_KEY_MAX + 1];
	size_t kn;

	if (eq == NULL || (kn = (size_t)(eq - kv)) == 0 ||
	    !ff_agentconf_label_key_ok(kv, kn))
		return ff_agentcmd_usage_error(a->pack ? "pack" : "push",
		    "--label wants KEY=VALUE, KEY of 1-64 characters "
		    "[A-Za-z0-9_.-]");
	if (!ff_agentconf_label_value_ok(eq + 1, strlen(eq + 1)))
		return ff_agentcmd_usage_error(a->pack ? "pack" : "push",
		    "a --label value must be at most 255 bytes of printable "
		    "UTF-8");
	memcpy(key, kv, kn);
	key[kn] = '\0';
	if (ff_meta_label(&a->meta, key) != NULL)
		return ff_agentcmd_usage_error(a->pack ? "pack" : "push",
		    "a --label key is given twice");
	if (ff_meta_set_label(&a->meta, key, eq + 1, NULL) != FF_OK)
		return ff_agentcmd_usage_error(a->pack ? "pack" : "push",
		    "too many labels, or out of memory");
	return -1;
}

static const struct opt {
	const char *name;
	size_t off;
} opts[] = {
	{ "--build", offsetof(struct args, build) },
	{ "--type", offsetof(struct args, type) },
	{ "--host", offsetof(struct args, host) },
	{ "--events", offsetof(struct args, events) },
	{ "--periods", offsetof(struct args, periods) },
	{ "--start", offsetof(struct args, start) },
	{ "--duration", offsetof(struct args, duration) },
	{ "--config", offsetof(struct args, config) },
	{ "-o", offsetof(struct args, output) },
};

/* One option at argv[*i]: -1 to go on, else an exit status. */
static int
one_option(struct args *a, int argc, char **argv, int *i)
{
	const char *cmd = a->pack ? "pack" : "push", *s = argv[*i], *v;
	size_t k;

	if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
		fputs(push_usage, stdout);
		fputs(a->pack ? pack_exit : ff_agentcmd_exit_help, stdout);
		return FF_AGENTCMD_OK;
	}
	if (strcmp(s, "--strict") == 0) {
		a->strict = 1;
		return -1;
	}
	if (ff_agentcmd_verbosity(s))
		return -1;
	if (ff_agentcmd_valued(argc, argv, i, "--label", &v))
		return v == NULL ? ff_agentcmd_usage_error(cmd, "--label needs "
		    "a value") : add_label(a, v);
	for (k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		if (!ff_agentcmd_valued(argc, argv, i, opts[k].name, &v))
			continue;
		if (v == NULL)
			return ff_agentcmd_usage_error(cmd, "an option needs a "
			    "value");
		*(const char **)((char *)a + opts[k].off) = v;
		return -1;
	}
	return ff_agentcmd_usage_error(cmd, "unknown option");
}

static int
parse_args(struct args *a, int argc, char **argv)
{
	const char *cmd = a->pack ? "pack" : "push";
	int i, st;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0 || s[0] != '-' || s[1] == '\0') {
			i += strcmp(s, "--") == 0;
			break;
		}
		if ((st = one_option(a, argc, argv, &i)) >= 0)
			return st;
	}
	if (argc - i > 1)
		return ff_agentcmd_usage_error(cmd, "one input file at most");
	a->input = i < argc ? argv[i] : "-";
	if (a->build == NULL || a->type == NULL)
		return ff_agentcmd_usage_error(cmd, "--build and --type are "
		    "required");
	if (a->pack != (a->output != NULL))
		return ff_agentcmd_usage_error(cmd, a->pack ? "-o FILE is "
		    "required" : "-o is for pack");
	if (a->pack && a->config != NULL)
		return ff_agentcmd_usage_error(cmd, "--config is for push");
	return -1;
}

/* ---- metadata ------------------------------------------------------------ */

static ff_rc
set_events(ff_meta *m, const char *events, const char *periods,
    ff_err *err)
{
	ff_collapse_opts o;
	unsigned i, n;
	ff_rc rc;

	ff_collapse_opts_init(&o);
	if (events != NULL &&
	    (rc = ff_collapse_opts_events(&o, events, err)) != FF_OK)
		return rc;
	if (periods != NULL &&
	    (rc = ff_collapse_opts_periods(&o, periods, err)) != FF_OK)
		return rc;
	n = ff_collapse_ncols(&o);
	if (periods != NULL && (n < FF_VALUES_MAX && o.periods[n] != 0))
		return ff_err_set(err, FF_ERR_USAGE, "more periods than "
		    "events");
	for (i = 0; i < n; i++)
		if ((rc = ff_meta_add_event(m, o.nevents > 0 ? o.events[i] :
		    "samples", o.periods[i], err)) != FF_OK)
			return rc;
	return FF_OK;
}

static ff_rc
set_times(ff_meta *m, const struct args *a, ff_err *err)
{
	char *end;
	ff_rc rc;

	m->start = ff_stamp_now();
	if (a->start != NULL &&
	    (rc = ff_stamp_parse(a->start, strlen(a->start), &m->start,
	    err)) != FF_OK) {
		ff_err_prefix(err, "--start: ");
		return rc;
	}
	if (a->duration != NULL) {
		errno = 0;
		m->duration_s = strtod(a->duration, &end);
		if (errno != 0 || *end != '\0' || end == a->duration ||
		    !(m->duration_s >= 0 && m->duration_s <= 1e9))
			return ff_err_set(err, FF_ERR_USAGE, "--duration wants "
			    "seconds between 0 and 1e9");
	}
	return FF_OK;
}

static ff_rc
make_meta(struct args *a, const ff_agentconf *c, ff_err *err)
{
	ff_meta *m = &a->meta;
	char host[256];
	ff_rc rc;

	if (a->host != NULL)
		snprintf(host, sizeof host, "%s", a->host);
	else if ((rc = ff_collect_host(c, host, sizeof host, err)) != FF_OK)
		return rc;
	if ((rc = ff_meta_set(m, &m->host, host, err)) != FF_OK ||
	    (rc = ff_meta_set(m, &m->build, a->build, err)) != FF_OK ||
	    (rc = ff_meta_set(m, &m->type, a->type, err)) != FF_OK ||
	    (rc = ff_meta_set(m, &m->agent, "ffagent " FF_VERSION, err)) !=
	    FF_OK ||
	    (rc = set_events(m, a->events, a->periods, err)) != FF_OK ||
	    (rc = set_times(m, a, err)) != FF_OK)
		return rc;
	if ((rc = ff_meta_validate(m, err)) != FF_OK)
		return ff_err_set(err, FF_ERR_USAGE, "%s", ff_err_msg(err));
	return FF_OK;
}

/* ---- input --------------------------------------------------------------- */

/* Load the folded input; FF_ERR_USAGE/PARSE for input that does not fit. */
static ff_rc
load(const struct args *a, ff_intern *frames, ff_stacks **s, ff_err *err)
{
	ff_src *src = NULL;
	ff_diag *diag = NULL;
	ff_rc rc;

	diag = ff_diag_new(ff_agentlog_enabled(FF_AGENTLOG_WARN) ? stderr :
	    NULL, "ffagent", a->strict);
	if (diag == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_src_open(&src, a->input, NULL, err)) == FF_OK)
		rc = ff_fold_load_src(s, frames, src, a->events != NULL ?
		    a->meta.nevents : 0, diag, err);
	if (rc == FF_OK && ff_stacks_nvalues(*s) != a->meta.nevents)
		rc = ff_err_set(err, FF_ERR_USAGE, "%s has %u count columns: "
		    "name their events with --events", a->input,
		    ff_stacks_nvalues(*s));
	ff_diag_summary(diag);
	ff_diag_free(diag);
	ff_src_close(src);
	if (rc == FF_OK && ff_stacks_count(*s) == 0)
		rc = ff_err_set(err, FF_ERR_PARSE, "%s: no stacks in the input",
		    a->input);
	if (rc != FF_OK) {
		ff_stacks_free(*s);
		*s = NULL;
	}
	return rc;
}

/* ---- pack ---------------------------------------------------------------- */

static ff_rc
write_file(const struct args *a, const ff_meta *m, const ff_stacks *s,
    ff_err *err)
{
	char tmp[4096];
	int fd;
	ff_rc rc;

	if (strcmp(a->output, "-") == 0)
		return ff_ffp_write_fd(m, s, PACK_LEVEL, STDOUT_FILENO,
		    "standard output", err);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", a->output,
	    (long)getpid()) >= sizeof tmp)
		return ff_err_set(err, FF_ERR_IO, "%s: name too long",
		    a->output);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) <
	    0)
		return ff_err_errno(err, errno, "%s", tmp);
	rc = ff_ffp_write_fd(m, s, PACK_LEVEL, fd, a->output, err);
	if (rc == FF_OK && fsync(fd) != 0)
		rc = ff_err_errno(err, errno, "%s: fsync", tmp);
	if (close(fd) != 0 && rc == FF_OK)
		rc = ff_err_errno(err, errno, "%s: close", tmp);
	if (rc == FF_OK && rename(tmp, a->output) != 0)
		rc = ff_err_errno(err, errno, "%s", a->output);
	if (rc != FF_OK)
		unlink(tmp);
	return rc;
}

/* ---- push ---------------------------------------------------------------- */

static int
push(const ff_agentconf *c, ff_meta *m, const ff_stacks *s)
{
	char name[128];
	ff_spool *sp = NULL;
	ff_lockfile *lock = NULL;
	long holder;
	ff_err err;
	int st;

	ff_err_init(&err);
	if ((st = ff_agentcmd_open_spool(c, &sp)) != FF_AGENTCMD_OK)
		return st;
	if (ff_spool_put(sp, m, s, c->zstd_level, "push", name, sizeof name,
	    &err) != FF_OK) {
		ff_agentlog_error("%s", ff_err_msg(&err));
		ff_spool_close(sp);
		return FF_AGENTCMD_KEPT;
	}
	ff_agentlog_info("spooled as %s", name);
	if ((st = ff_agentcmd_lock(sp, &lock, &holder)) < 0) {
		ff_agentlog_warn("another ffagent (pid %ld) is uploading; %s "
		    "waits in %s for it or the next run", holder, name,
		    ff_spool_dir(sp));
		st = FF_AGENTCMD_KEPT;
	} else if (st == FF_AGENTCMD_OK) {
		st = ff_agentcmd_flush(c, sp);
	}
	ff_lockfile_release(lock);
	ff_spool_close(sp);
	return st;
}

static int
push_or_pack(struct args *a)
{
	ff_agentconf c;
	ff_intern *frames = NULL;
	ff_stacks *s = NULL;
	ff_err err;
	int st = FF_AGENTCMD_OK;
	ff_rc rc;

	ff_agentconf_init(&c);
	ff_err_init(&err);
	if (!a->pack && (st = ff_agentcmd_load(&c, a->config)) !=
	    FF_AGENTCMD_OK)
		goto out;
	if ((rc = make_meta(a, &c, &err)) != FF_OK ||
	    (frames = ff_intern_new()) == NULL ||
	    (rc = load(a, frames, &s, &err)) != FF_OK) {
		ff_agentlog_error("%s", frames == NULL && err.rc == FF_OK ?
		    "out of memory" : ff_err_msg(&err));
		st = err.rc == FF_ERR_NOMEM || (frames == NULL &&
		    err.rc == FF_OK) ? 1 : FF_AGENTCMD_USAGE;
		goto out;
	}
	if (!a->pack)
		st = push(&c, &a->meta, s);
	else if ((rc = write_file(a, &a->meta, s, &err)) != FF_OK) {
		ff_agentlog_error("%s", ff_err_msg(&err));
		st = 1;
	}
out:
	ff_stacks_free(s);
	ff_intern_free(frames);
	ff_agentconf_free(&c);
	return st;
}

static int
main_for(int pack, int argc, char **argv)
{
	struct args a;
	int st;

	memset(&a, 0, sizeof a);
	a.pack = pack;
	ff_meta_init(&a.meta);
	ff_agentcmd_signals();
	if ((st = parse_args(&a, argc, argv)) < 0)
		st = push_or_pack(&a);
	ff_meta_free(&a.meta);
	return st;
}

int
ff_push_main(int argc, char **argv)
{
	return main_for(0, argc, argv);
}

int
ff_pack_main(int argc, char **argv)
{
	return main_for(1, argc, argv);
}
