/*
 * cmd_export.c -- ffstore export: the summed folded profile of a
 * selection (or one profile), sorted, one line per stack.
 */
#include "store/cmd.h"
#include "profile/fold.h"
#include "store/query.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffstore export --db PATH [selection | --id ID]\n"
"\n"
"Print the summed folded profile of the selection (every profile by\n"
"default) on stdout: one line per stack, sorted bytewise, one count column\n"
"per event.  The profiles must share their events (narrow with --type).\n"
"\n"
"  --db PATH        the store\n"
FF_CMD_SEL_HELP
"  --id ID          only profile ID\n");
}

static ff_rc
export(const char *db, const ff_sel *sel, int64_t id, ff_err *err)
{
	ff_store *st = NULL;
	ff_intern *frames = ff_intern_new();
	ff_stacks *s = NULL;
	ff_rc rc;

	if (frames == NULL)
		return ff_err_nomem(err);
	if ((rc = ff_store_open(&st, db, err)) != FF_OK)
		goto out;
	if (id >= 0)
		rc = ff_query_folded(st, id, frames, &s, NULL, err);
	else
		rc = ff_query_aggregate(st, sel, frames, &s, NULL, err);
	if (rc == FF_OK)
		rc = ff_fold_write(s, stdout, err);
	if (rc == FF_OK && fflush(stdout) != 0)
		rc = ff_err_set(err, FF_ERR_IO, "write error on output");
out:
	ff_stacks_free(s);
	ff_store_close(st);
	ff_intern_free(frames);
	return rc;
}

int
ff_cmd_export(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		FF_CMD_SEL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	int64_t id = -1;
	uint64_t v;
	int c, handled;
	ff_sel sel;
	ff_err err;
	ff_rc rc = FF_OK;

	ff_err_init(&err);
	ff_sel_init(&sel);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		rc = ff_cmd_sel_opt(&sel, c, optarg, &handled, &err);
		if (rc == FF_OK && !handled) {
			switch (c) {
			case 'd': db = optarg; break;
			case 'i':
				rc = ff_cmd_uint(optarg, 1, INT64_MAX, &v, &err);
				id = (int64_t)v;
				break;
			case 'h': usage(stdout); ff_sel_free(&sel); return 0;
			default: usage(stderr); ff_sel_free(&sel); return 2;
			}
		}
		if (rc != FF_OK) {
			ff_sel_free(&sel);
			return ff_cmd_usage_error("export", "%s",
			    ff_err_msg(&err));
		}
	}
	if (db == NULL || optind != argc) {
		ff_sel_free(&sel);
		return ff_cmd_usage_error("export", db == NULL ? "--db PATH is "
		    "required" : "unexpected argument");
	}
	rc = export(db, &sel, id, &err);
	ff_sel_free(&sel);
	return rc == FF_OK ? 0 : ff_cmd_fail(&err);
}
