/*
 * cmd_status.c -- `ffagent status`: what is in the spool and how the last
 * uploads went.  Reads only: no lock, no network, and a spool that does
 * not exist yet is shown empty, not created.
 */
#include "agent/agentcmd.h"
#include "agent/agentlog.h"
#include "profile/mem.h"
#include "profile/stamp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
"usage: ffagent status [--config FILE] [--json]\n"
"\n"
"Print the state of the spool: profiles waiting (count, bytes, oldest),\n"
"rejected profiles, half-written files, the last successful upload, the\n"
"last flush's error, profiles dropped by the spool's bounds and not yet\n"
"reported to the store, and whether an agent is running.  --json prints\n"
"one JSON object instead.\n"
"\n"
"  --config FILE    the configuration (default " FF_AGENTCONF_DEFAULT ")\n"
"  --json           machine-readable output\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0, or 2 for a usage or configuration error.\n";

struct view {
	size_t files, rejected;
	uint64_t bytes, rejected_bytes;
	int64_t oldest;          /* 0: none */
	unsigned temps;
	long holder;
	ff_spool_state st;
};

static int
gather(ff_spool *sp, struct view *v)
{
	ff_spool_file *f = NULL;
	char lock[4096];
	ff_err err;
	size_t i;

	ff_err_init(&err);
	memset(v, 0, sizeof *v);
	if (ff_spool_list(sp, NULL, &f, &v->files, &err) != FF_OK)
		goto fail;
	for (i = 0; i < v->files; i++)
		v->bytes += f[i].bytes;
	v->oldest = v->files > 0 ? f[0].created : 0;
	ff_free(f);
	if (ff_spool_list(sp, "rejected", &f, &v->rejected, &err) != FF_OK)
		goto fail;
	for (i = 0; i < v->rejected; i++)
		v->rejected_bytes += f[i].bytes;
	ff_free(f);
	v->temps = ff_spool_temps(sp);
	if (ff_spool_path(sp, ".lock", lock, sizeof lock, &err) != FF_OK ||
	    ff_lockfile_probe(lock, &v->holder, &err) != FF_OK)
		goto fail;
	if (ff_spool_state_load(sp, &v->st, &err) != FF_OK)
		ff_agentlog_warn("%s", ff_err_msg(&err));
	return FF_AGENTCMD_OK;
fail:
	ff_agentlog_error("%s", ff_err_msg(&err));
	return FF_AGENTCMD_USAGE;
}

static const char *
stamp(int64_t t, char buf[FF_STAMP_LEN])
{
	if (t == 0)
		return "never";
	ff_stamp_format(t, buf);
	return buf;
}

static void
print_text(const ff_agentconf *c, const struct view *v)
{
	char a[FF_STAMP_LEN], b[FF_STAMP_LEN];

	printf("spool:        %s\n", c->spool_dir);
	printf("server:       %s\n", c->server);
	printf("waiting:      %zu profiles, %llu bytes (at most %llu, %llu)"
	    "\n", v->files, (unsigned long long)v->bytes,
	    (unsigned long long)c->spool_max_files,
	    (unsigned long long)c->spool_max_bytes);
	printf("oldest:       %s\n", v->files > 0 ? stamp(v->oldest, a) :
	    "-");
	printf("rejected:     %zu profiles, %llu bytes (%s/rejected)\n",
	    v->rejected, (unsigned long long)v->rejected_bytes, c->spool_dir);
	printf("half-written: %u\n", v->temps);
	printf("last success: %s\n", stamp(v->st.last_success, a));
	printf("last attempt: %s%s%s\n", stamp(v->st.last_attempt, b),
	    v->st.last_error[0] != '\0' ? ", failed: " : "",
	    v->st.last_error);
	printf("dropped:      %llu not yet reported (%llu in all)\n",
	    (unsigned long long)ff_spool_state_unreported(&v->st),
	    (unsigned long long)v->st.dropped_total);
	printf("uploaded:     %llu in all\n",
	    (unsigned long long)v->st.uploaded_total);
	if (v->holder != 0)
		printf("running:      pid %ld\n", v->holder);
	else
		printf("running:      no\n");
}

/* A JSON string: the text is already printable (paths and messages
 * were cleaned), only '"' and '\\' need escaping. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar((unsigned char)*s < 0x20 ? '?' : *s);
	}
	putchar('"');
}

static void
print_json(const ff_agentconf *c, const struct view *v)
{
	char a[FF_STAMP_LEN];

	printf("{\"spool\":");
	json_str(c->spool_dir);
	printf(",\"server\":");
	json_str(c->server);
	printf(",\"files\":%zu,\"bytes\":%llu,\"oldest\":", v->files,
	    (unsigned long long)v->bytes);
	if (v->files > 0) {
		ff_stamp_format(v->oldest, a);
		json_str(a);
	} else {
		printf("null");
	}
	printf(",\"rejected\":%zu,\"rejected_bytes\":%llu,\"temps\":%u",
	    v->rejected, (unsigned long long)v->rejected_bytes, v->temps);
	printf(",\"last_success\":");
	if (v->st.last_success != 0)
		json_str(stamp(v->st.last_success, a));
	else
		printf("null");
	printf(",\"last_error\":");
	json_str(v->st.last_error);
	printf(",\"dropped\":%llu,\"dropped_total\":%llu,\"uploaded_total\":"
	    "%llu,\"running_pid\":%ld}\n",
	    (unsigned long long)ff_spool_state_unreported(&v->st),
	    (unsigned long long)v->st.dropped_total,
	    (unsigned long long)v->st.uploaded_total, v->holder);
}

/* Whether the spool directory does not exist (yet). */
static int
missing(const char *dir)
{
	struct stat st;

	return stat(dir, &st) != 0 && errno == ENOENT;
}

int
ff_status_main(int argc, char **argv)
{
	const char *config = NULL, *v;
	struct view view;
	ff_agentconf c;
	ff_spool *sp = NULL;
	int i, json = 0, st;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") ==
		    0) {
			fputs(usage_text, stdout);
			return FF_AGENTCMD_OK;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (!ff_agentcmd_valued(argc, argv, &i, "--config", &v) ||
		    (config = v) == NULL)
			return ff_agentcmd_usage_error("status", "unknown "
			    "option, or --config without a value");
	}
	ff_agentconf_init(&c);
	memset(&view, 0, sizeof view);
	if ((st = ff_agentcmd_load(&c, config)) == FF_AGENTCMD_OK &&
	    (missing(c.spool_dir) ||
	    ((st = ff_agentcmd_open_spool(&c, &sp)) == FF_AGENTCMD_OK &&
	    (st = gather(sp, &view)) == FF_AGENTCMD_OK))) {
		if (json)
			print_json(&c, &view);
		else
			print_text(&c, &view);
	}
	ff_spool_close(sp);
	ff_agentconf_free(&c);
	return st;
}
