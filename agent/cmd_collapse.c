/*
 * cmd_collapse.c -- `ffagent collapse`: arguments, messages and exit
 * status around ff_collapse_src (collapse.h).  No collapsing logic here.
 */
#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	EXIT_OK = 0,
	EXIT_OUTPUT = 1,   /* output not written, out of memory */
	EXIT_INPUT = 2     /* usage, or input that cannot be collapsed */
};

static const char usage_text[] =
"usage: ffagent collapse [options] [FILE...|-]\n"
"\n"
"Collapse profiler output into folded stacks, \"root;...;leaf COUNT\", on\n"
"standard output: sorted bytewise, one line per distinct stack.  With no\n"
"FILE, or \"-\", standard input is read.  Input may be zstd-compressed.\n"
"Several FILEs are merged into one profile.\n"
"\n"
"  --format F          auto (default), perf, dtrace, pmc or procstat\n"
"  --pid               perf, procstat: root frame COMM-PID\n"
"  --tid               perf, procstat: root frame COMM-PID/TID\n"
"  --kernel            perf: kernel frames get _[k]\n"
"  --jit               perf: JIT frames get _[j]\n"
"  --all               perf: --kernel and --jit\n"
"  --addrs             perf: unknown symbols as [module <address>]\n"
"  --event-filter E    perf: collapse event E (default: the first event\n"
"                      seen; samples of other events are skipped and\n"
"                      counted on stderr)\n"
"  --event E           pmc: collapse the section of event E (a file with\n"
"                      several sections needs it); same as --event-filter\n"
"  --events E1,E2,...  perf, pmc: one count column per event, in this\n"
"                      order, 0 where a stack was not sampled for an event\n"
"                      (perf counts are each sample's period)\n"
"  --periods P1,P2,... multiply the count of samples that carry no period\n"
"                      of their own by P, per column (dtrace, pmc,\n"
"                      procstat; perf samples without a period)\n"
"  --interval-ms N     procstat: each thread in each snapshot counts N\n"
"  --strict            a malformed line is an error (exit 2)\n"
"  -v, --verbose       say on stderr which format was read, and totals\n"
"  -h, --help          this text\n"
"\n"
"Formats (auto recognises them from the first lines):\n"
"  perf      `perf script` output, as stackcollapse-perf.pl reads it\n"
"  dtrace    DTrace stack()/ustack() aggregations, as stackcollapse.pl\n"
"  pmc       `pmcstat -R FILE -G OUT` callchains, as stackcollapse-pmc.pl\n"
"            (aggregated); one '@ EVENT [N samples]' section per event\n"
"  procstat  repeated `procstat -kk -a` snapshots (off-CPU): procstat's\n"
"            header 'PID TID COMM TDNAME KSTACK' (ignored; it separates\n"
"            snapshots, as blank lines do), and one line per thread: PID,\n"
"            TID, COMM and TDNAME in procstat's 19-column fields, then the\n"
"            kernel stack leaf first as 'function+0xoffset' words (and\n"
"            '<running>'-style states, kept as frames).  Each thread in\n"
"            each snapshot is one sample, counted 1 (or --interval-ms N):\n"
"            stack reversed to root first, offsets removed, COMM (blanks\n"
"            as '_') as root frame.  Before any header, and on lines not\n"
"            in procstat's columns, the words are read instead: COMM is\n"
"            the third, the stack the trailing 'function+0xoffset' words.\n"
"\n"
"A malformed line is reported on stderr once per kind as FILE:LINE,\n"
"counted and skipped, and the counts are summarised at the end; input\n"
"that starts with binary data is refused.  Progress is shown when stderr\n"
"is a terminal.\n"
"\n"
"Exit status:\n"
"  0  success (malformed lines may have been skipped: see stderr)\n"
"  1  the output could not be written, or memory ran out\n"
"  2  usage error, or input that cannot be collapsed: a file that cannot\n"
"     be read, binary data, an unrecognised format, a malformed line with\n"
"     --strict, a pmc file with several sections and no --event, an\n"
"     event that a pmc file lacks\n";

struct args {
	ff_collapse_opts opts;
	int strict, verbose;
	char **files;
	int nfiles;
};

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("ffagent collapse: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'ffagent collapse --help'.\n", stderr);
	return EXIT_INPUT;
}

/* ---- arguments ----------------------------------------------------------- */

static const struct flag {
	const char *name;
	unsigned bits;
} flags[] = {
	{ "--pid", FF_COLLAPSE_PID },
	{ "--tid", FF_COLLAPSE_TID },
	{ "--kernel", FF_COLLAPSE_KERNEL },
	{ "--jit", FF_COLLAPSE_JIT },
	{ "--all", FF_COLLAPSE_ALL },
	{ "--addrs", FF_COLLAPSE_ADDRS },
};

/* An option with a value: "--name V" or "--name=V".  1 and *val when
 * argv[*i] is that option; *i moves past what was used. */
static int
valued(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}

/* Apply one option that takes a value; -1 when argv[*i] is none. */
static int
value_option(struct args *a, int argc, char **argv, int *i)
{
	ff_collapse_opts *o = &a->opts;
	const char *v = NULL, *opt = argv[*i];
	uint64_t n;
	ff_err err;

	ff_err_init(&err);
	if (valued(argc, argv, i, "--format", &v)) {
		if (v != NULL && ff_collapse_format_parse(v, &o->format, &err))
			return usage_error("%s", ff_err_msg(&err));
	} else if (valued(argc, argv, i, "--event-filter", &v) ||
	    valued(argc, argv, i, "--event", &v)) {
		if (v != NULL && (v[0] == '\0' || strlen(v) >=
		    sizeof o->event))
			return usage_error("bad event name '%s'", v);
		if (v != NULL)
			strcpy(o->event, v);
	} else if (valued(argc, argv, i, "--events", &v)) {
		if (v != NULL && ff_collapse_opts_events(o, v, &err) != FF_OK)
			return usage_error("%s", ff_err_msg(&err));
	} else if (valued(argc, argv, i, "--periods", &v)) {
		if (v != NULL && ff_collapse_opts_periods(o, v, &err) != FF_OK)
			return usage_error("%s", ff_err_msg(&err));
	} else if (valued(argc, argv, i, "--interval-ms", &v)) {
		if (v != NULL && (ff_collapse_parse_count(v, strlen(v), &n) !=
		    0 || n == 0))
			return usage_error("--interval-ms wants a positive "
			    "integer, not '%s'", v);
		if (v != NULL)
			o->interval_ms = n;
	} else {
		return -1;
	}
	if (v == NULL)
		return usage_error("%s needs a value", opt);
	return EXIT_OK;
}

/* Parse argv; returns -1 to go on, or an exit status. */
static int
parse_args(struct args *a, int argc, char **argv)
{
	int i, rc;
	size_t f;

	memset(a, 0, sizeof *a);
	ff_collapse_opts_init(&a->opts);
	a->files = argv + argc;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0 || s[0] != '-' || s[1] == '\0') {
			i += strcmp(s, "--") == 0;
			break;
		}
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if (strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
			a->verbose = 1;
			continue;
		}
		if (strcmp(s, "--strict") == 0) {
			a->strict = 1;
			continue;
		}
		for (f = 0; f < sizeof flags / sizeof flags[0]; f++)
			if (strcmp(s, flags[f].name) == 0)
				break;
		if (f < sizeof flags / sizeof flags[0]) {
			a->opts.flags |= flags[f].bits;
			continue;
		}
		if ((rc = value_option(a, argc, argv, &i)) >= 0) {
			if (rc != EXIT_OK)
				return rc;
			continue;
		}
		return usage_error("unknown option '%s'", s);
	}
	if (a->opts.nevents > 0 && a->opts.event[0] != '\0')
		return usage_error("%s", "--event/--event-filter and --events "
		    "cannot be combined");
	a->files = argv + i;
	a->nfiles = argc - i;
	return -1;
}

/* ---- running ------------------------------------------------------------- */

struct job {
	struct args *a;
	ff_stacks *stacks;
	ff_diag *diag;
	ff_progress progress;
};

static void
show_progress(void *ctx, uint64_t done, uint64_t total)
{
	ff_progress_update(ctx, done, total, "B");
}

static int
exit_for(ff_rc rc)
{
	return rc == FF_ERR_NOMEM || rc == FF_ERR_INTERNAL ? EXIT_OUTPUT :
	    EXIT_INPUT;
}

/* What a file's collapse skipped or found, on stderr. */
static void
report(const struct job *j, const char *name, const ff_collapse_stats *st)
{
	static const char *const nouns[] = { "samples", "samples", "stacks",
	    "callchains", "thread snapshots" };
	const ff_collapse_opts *o = &j->a->opts;

	if (j->a->verbose)
		fprintf(stderr, "ffagent collapse: %s: %s%s, %llu %s%s%s\n",
		    name, ff_collapse_format_name(st->format),
		    o->format == FF_COLLAPSE_AUTO ? " (detected)" : "",
		    (unsigned long long)st->samples, nouns[st->format],
		    st->event[0] != '\0' ? " of event " : "", st->event);
	if (st->skipped_event > 0)
		fprintf(stderr, "ffagent collapse: %s: %llu samples of other "
		    "events (%s) skipped; choose with --event-filter, "
		    "--event or --events\n", name,
		    (unsigned long long)st->skipped_event, st->others);
	if (st->skipped_noevent > 0)
		fprintf(stderr, "ffagent collapse: %s: %llu samples without an "
		    "event name skipped (--events needs it)\n", name,
		    (unsigned long long)st->skipped_noevent);
}

static int
collapse_one(struct job *j, const char *path)
{
	ff_collapse_stats st;
	ff_src *src = NULL;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	if ((rc = ff_src_open(&src, path, NULL, &err)) == FF_OK) {
		ff_progress_init(&j->progress, path, stderr);
		j->a->opts.progress = j->progress.tty != NULL ? show_progress :
		    NULL;
		rc = ff_collapse_src(&j->a->opts, src, j->stacks, &st, j->diag,
		    &err);
		ff_progress_done(&j->progress);
		if (rc == FF_OK)
			report(j, ff_src_name(src), &st);
	}
	ff_src_close(src);
	if (rc == FF_OK)
		return EXIT_OK;
	fprintf(stderr, "ffagent collapse: %s\n", ff_err_msg(&err));
	return exit_for(rc);
}

static int
write_output(struct job *j)
{
	ff_err err;

	ff_err_init(&err);
	if (ff_fold_write(j->stacks, stdout, &err) != FF_OK ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ffagent collapse: %s\n", err.rc != FF_OK ?
		    ff_err_msg(&err) : "write error on standard output");
		return EXIT_OUTPUT;
	}
	if (j->a->verbose)
		fprintf(stderr, "ffagent collapse: %u distinct stacks (%u trie "
		    "nodes, %u frame names, %.1f MB of tables)\n",
		    ff_stacks_count(j->stacks), ff_stacks_nodes(j->stacks),
		    ff_intern_count(ff_stacks_frames(j->stacks)),
		    (double)(ff_stacks_bytes(j->stacks) + ff_intern_bytes(
		    ff_stacks_frames(j->stacks))) / 1e6);
	return EXIT_OK;
}

static int
run_job(struct args *a)
{
	static char *stdin_only[] = { "-" };
	char **files = a->nfiles > 0 ? a->files : stdin_only;
	int n = a->nfiles > 0 ? a->nfiles : 1, i, rc = EXIT_OK;
	struct job j = { a, NULL, NULL, { 0 } };
	ff_intern *frames = ff_intern_new();

	a->opts.progress_ctx = &j.progress;
	j.diag = ff_diag_new(stderr, "ffagent collapse", a->strict);
	if (frames != NULL)
		j.stacks = ff_stacks_new(frames, ff_collapse_ncols(&a->opts));
	if (j.diag == NULL || j.stacks == NULL) {
		fputs("ffagent collapse: out of memory\n", stderr);
		rc = EXIT_OUTPUT;
	}
	for (i = 0; i < n && rc == EXIT_OK; i++)
		rc = collapse_one(&j, files[i]);
	if (rc == EXIT_OK)
		rc = write_output(&j);
	ff_diag_summary(j.diag);
	ff_diag_free(j.diag);
	ff_stacks_free(j.stacks);
	ff_intern_free(frames);
	return rc;
}

int
ff_collapse_main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(&a, argc, argv);

	if (rc >= 0)
		return rc;
	return run_job(&a);
}
