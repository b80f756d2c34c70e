/*
 * cmd_list.c -- ffstore builds and ffstore ls: listings, as a table or
 * as JSON.
 */
#include "store/cmd.h"
#include "profile/stamp.h"
#include "store/json.h"
#include "store/query.h"

#include <getopt.h>
#include <string.h>

static void
builds_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore builds --db PATH [--json]\n"
"\n"
"List every build and profile type in the store, newest first: profiles,\n"
"distinct hosts, sample rows, and the first and last profile start.\n"
"\n"
"  --db PATH   the store\n"
"  --json      a JSON array of objects instead of a table\n");
}

static ff_rc
print_json(json_t *v, ff_err *err)
{
	ff_buf b;
	ff_rc rc;

	ff_buf_init(&b);
	if ((rc = ff_json_dump(v, &b)) == FF_OK &&
	    (fwrite(b.p, 1, b.len, stdout) != b.len || putchar('\n') == EOF))
		rc = ff_err_set(err, FF_ERR_IO, "write error on output");
	ff_buf_free(&b);
	return rc == FF_ERR_NOMEM ? ff_err_nomem(err) : rc;
}

static ff_rc
print_builds(const ff_build_row *r, size_t n, int json, ff_err *err)
{
	char first[FF_STAMP_LEN], last[FF_STAMP_LEN];
	json_t *a;
	size_t i;

	if (json) {
		ff_json_init();
		if ((a = json_array()) == NULL)
			return ff_err_nomem(err);
		for (i = 0; i < n; i++)
			if (json_array_append_new(a,
			    ff_json_build_row(&r[i])) != 0) {
				json_decref(a);
				return ff_err_nomem(err);
			}
		return print_json(a, err);
	}
	printf("%-24s %-8s %8s %6s %10s  %-20s  %s\n", "BUILD", "TYPE",
	    "PROFILES", "HOSTS", "ROWS", "FIRST", "LAST");
	for (i = 0; i < n; i++) {
		ff_stamp_format(r[i].first, first);
		ff_stamp_format(r[i].last, last);
		printf("%-24s %-8s %8llu %6llu %10llu  %-20s  %s\n",
		    r[i].build, r[i].type, (unsigned long long)r[i].profiles,
		    (unsigned long long)r[i].hosts,
		    (unsigned long long)r[i].rows, first, last);
	}
	return FF_OK;
}

int
ff_cmd_builds(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	ff_build_row *rows = NULL;
	ff_store *st = NULL;
	size_t n = 0;
	int c, json = 0;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': builds_usage(stdout); return 0;
		default: builds_usage(stderr); return 2;
		}
	}
	if (db == NULL || optind != argc)
		return ff_cmd_usage_error("builds", db == NULL ? "--db PATH is "
		    "required" : "unexpected argument");
	if ((rc = ff_store_open(&st, db, &err)) == FF_OK &&
	    (rc = ff_query_builds(st, &rows, &n, &err)) == FF_OK)
		rc = print_builds(rows, n, json, &err);
	ff_query_builds_free(rows, n);
	ff_store_close(st);
	return rc == FF_OK ? 0 : ff_cmd_fail(&err);
}

/* ---- ls ------------------------------------------------------------------ */

static void
ls_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore ls --db PATH [selection] [--json]\n"
"\n"
"List the profiles of a selection (all by default), oldest first.\n"
"\n"
"  --db PATH        the store\n"
FF_CMD_SEL_HELP
"  --json           a JSON array of the profiles' metadata\n");
}

static void
print_profile(const ff_pinfo *p)
{
	char start[FF_STAMP_LEN];
	unsigned i;

	ff_stamp_format(p->meta.start, start);
	printf("%-8lld %-20s %-20s %-16s %-6s %8llu ", (long long)p->id, start,
	    p->meta.host, p->meta.build, p->meta.type,
	    (unsigned long long)p->rows);
	for (i = 0; i < p->meta.nlabels; i++)
		printf("%s%s=%s", i ? "," : "", p->meta.labels[i].key,
		    p->meta.labels[i].value);
	putchar('\n');
}

int
ff_cmd_ls(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		FF_CMD_SEL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	ff_plist *l = NULL;
	ff_store *st = NULL;
	int c, json = 0, handled;
	ff_sel sel;
	ff_err err;
	ff_rc rc = FF_OK;
	size_t i;

	ff_err_init(&err);
	ff_sel_init(&sel);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if ((rc = ff_cmd_sel_opt(&sel, c, optarg, &handled, &err)) !=
		    FF_OK) {
			ff_sel_free(&sel);
			return ff_cmd_usage_error("ls", "%s", ff_err_msg(&err));
		}
		if (handled)
			continue;
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': ls_usage(stdout); ff_sel_free(&sel); return 0;
		default: ls_usage(stderr); ff_sel_free(&sel); return 2;
		}
	}
	if (db == NULL || optind != argc) {
		ff_sel_free(&sel);
		return ff_cmd_usage_error("ls", db == NULL ? "--db PATH is "
		    "required" : "unexpected argument");
	}
	if ((rc = ff_store_open(&st, db, &err)) == FF_OK &&
	    (rc = ff_query_profiles(st, &sel, &l, &err)) == FF_OK) {
		if (json) {
			rc = print_json(ff_plist_to_json(l), &err);
		} else {
			printf("%-8s %-20s %-20s %-16s %-6s %8s %s\n", "ID",
			    "START", "HOST", "BUILD", "TYPE", "ROWS", "LABELS");
			for (i = 0; i < ff_plist_count(l); i++)
				print_profile(ff_plist_get(l, i));
		}
	}
	ff_plist_free(l);
	ff_store_close(st);
	ff_sel_free(&sel);
	return rc == FF_OK ? 0 : ff_cmd_fail(&err);
}
