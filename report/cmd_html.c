/*
 * cmd_html.c -- ffreport html: the HTML comparison report from files.
 *
 * ffdiff --html writes the same page straight from a comparison; this
 * subcommand builds it from a verdict (ffdiff --json) and differential
 * folded files, for pipelines that keep those.
 */
#include "report/reportcmd.h"
#include "report/html.h"

#include "profile/fold.h"
#include "profile/mem.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffreport html [options] VERDICT.json > report.html\n"
"\n"
"Write the self-contained HTML comparison report of a verdict written by\n"
"ffdiff --json.  It opens from disk, loads nothing, and escapes every name.\n"
"\n"
"  --diff FILE        differential folded input ('stack BASE NEW', e.g. from\n"
"                     ffdiff A B) drawn as the differential flame graph\n"
"  --negated FILE     'stack NEW BASE' (ffdiff B A), drawn negated: widths\n"
"                     from the base, so vanished code shows\n"
"  --cpi FILE         'stack CYCLES INSTRUCTIONS' of the new build\n"
"  --cpi-diff FILE    'stack CYCLES BASE_CPI_CYCLES' (CPI change)\n"
"  -o FILE            write to FILE instead of standard output\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 written, 2 usage or input error.\n");
}

/* Read a whole file into a NUL-terminated buffer. */
static char *
slurp(const char *path, ff_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		ff_err_errno(err, errno, "%s", path);
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			if (cap > (64u << 20)) {
				ff_err_set(err, FF_ERR_LIMIT, "%s: larger than 64 "
				    "MiB", path);
				goto fail;
			}
			cap = cap ? cap * 2 : 131072;
			if ((nb = ff_realloc(buf, cap + 1)) == NULL) {
				ff_err_nomem(err);
				goto fail;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		ff_err_errno(err, errno, "%s", path);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
fail:
	fclose(f);
	ff_free(buf);
	return NULL;
}

struct graphs {
	ff_html_graph g[4];
	ff_stacks *s[4];
	size_t n;
	ff_intern *frames;
};

static ff_rc
add_graph(struct graphs *gs, const char *path, const char *heading,
    ff_flame_mode mode, int negate, ff_err *err)
{
	ff_html_graph *g = &gs->g[gs->n];
	ff_rc rc;

	rc = ff_fold_load_file(&gs->s[gs->n], gs->frames, path, 2, NULL, err);
	if (rc != FF_OK)
		return rc;
	g->heading = heading;
	g->note = NULL;
	g->stacks = gs->s[gs->n];
	g->mode = mode;
	g->negate = negate;
	gs->n++;
	return FF_OK;
}

int
ff_cmd_html(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "diff", required_argument, NULL, 'd' },
		{ "negated", required_argument, NULL, 'n' },
		{ "cpi", required_argument, NULL, 'c' },
		{ "cpi-diff", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *diff = NULL, *neg = NULL, *cpi = NULL, *cpid = NULL;
	const char *outpath = NULL;
	struct graphs gs;
	ff_html_page page;
	char *json = NULL;
	FILE *out = stdout;
	ff_err err;
	size_t i;
	ff_rc rc = FF_OK;
	int c;

	memset(&gs, 0, sizeof gs);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': diff = optarg; break;
		case 'n': neg = optarg; break;
		case 'c': cpi = optarg; break;
		case 'x': cpid = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if ((gs.frames = ff_intern_new()) == NULL)
		rc = ff_err_nomem(&err);
	if (rc == FF_OK && (json = slurp(argv[optind], &err)) == NULL)
		rc = err.rc;
	if (rc == FF_OK && diff != NULL)
		rc = add_graph(&gs, diff, "Differential flame graph",
		    FF_FLAME_DIFF, 0, &err);
	if (rc == FF_OK && neg != NULL)
		rc = add_graph(&gs, neg, "Negated differential flame graph",
		    FF_FLAME_DIFF, 1, &err);
	if (rc == FF_OK && cpi != NULL)
		rc = add_graph(&gs, cpi, "CPI flame graph (new)", FF_FLAME_CPI,
		    0, &err);
	if (rc == FF_OK && cpid != NULL)
		rc = add_graph(&gs, cpid, "CPI change flame graph",
		    FF_FLAME_CPIDIFF, 0, &err);
	if (rc == FF_OK && outpath != NULL && (out = fopen(outpath, "w")) ==
	    NULL)
		rc = ff_err_errno(&err, errno, "%s", outpath);
	if (rc == FF_OK) {
		memset(&page, 0, sizeof page);
		page.verdict_json = json;
		page.graphs = gs.g;
		page.ngraphs = gs.n;
		rc = ff_html_write(&page, out, &err);
	}
	if (out != stdout && out != NULL && fclose(out) != 0 && rc == FF_OK)
		rc = ff_err_errno(&err, errno, "%s", outpath);
	if (rc != FF_OK)
		fprintf(stderr, "ffreport html: %s\n", ff_err_msg(&err));
	for (i = 0; i < gs.n; i++)
		ff_stacks_free(gs.s[i]);
	ff_intern_free(gs.frames);
	ff_free(json);
	return rc == FF_OK ? 0 : 2;
}
