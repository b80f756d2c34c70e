/*
 * cmd_admin.c -- ffstore stats, check and prune: looking after a store.
 */
#include "store/cmd.h"
#include "profile/stamp.h"
#include "store/check.h"
#include "store/db.h"
#include "store/json.h"
#include "store/prune.h"
#include "store/query.h"

#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

/* Parse "--db PATH [--json] [extra]" style options common to all three;
 * returns -1 to go on, else an exit status. */
struct admin_opts {
	const char *db;
	int json, quick, dry_run;
	const char *older;
};

static int
admin_parse(int argc, char **argv, const char *sub, void (*usage)(FILE *),
    struct admin_opts *o)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof *o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'j': o->json = 1; break;
		case 'q': o->quick = 1; break;
		case 'o': o->older = optarg; break;
		case 'n': o->dry_run = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o->db == NULL)
		return ff_cmd_usage_error(sub, "--db PATH is required");
	if (optind != argc)
		return ff_cmd_usage_error(sub, "unexpected argument '%s'",
		    argv[optind]);
	return -1;
}

/* ---- stats --------------------------------------------------------------- */

static void
stats_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore stats --db PATH [--json]\n"
"\n"
"Print the store's size: profiles, sample rows, bytes on disk and per\n"
"sample row (every table and index included), frames, functions, stack\n"
"nodes, and bytes by kind of table.\n");
}

static uint64_t
wal_size(const char *db)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof path, "%s-wal", db);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static int
print_stats_json(const ff_store_stats *s)
{
	json_t *o;
	int bad;
	char *text;

	ff_json_init();
	o = json_object();
	bad = o == NULL;
#define U(k, v) bad |= ff_json_set(o, k, json_integer((json_int_t)(v)))
	U("profiles", s->profiles);
	U("rows", s->rows);
	U("builds", s->builds);
	U("db_bytes", s->db_bytes);
	bad |= ff_json_set(o, "bytes_per_row", json_real(s->rows ?
	    (double)s->db_bytes / (double)s->rows : 0));
	U("free_bytes", s->free_bytes);
	U("wal_bytes", s->wal_bytes);
	U("frames", s->frames);
	U("functions", s->funcs);
	U("stack_nodes", s->nodes);
	U("profile_data_bytes", s->pdata_bytes);
	U("metadata_bytes", s->meta_bytes);
	U("dictionary_bytes", s->dict_bytes);
	U("summed_stacks_bytes", s->agg_bytes);
#undef U
	if (bad || (text = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return -1;
	}
	puts(text);
	free(text);
	json_decref(o);
	return 0;
}

static void
print_stats(const ff_store_stats *s)
{
	double per = s->rows ? (double)s->db_bytes / (double)s->rows : 0;

	printf("profiles        %llu\n", (unsigned long long)s->profiles);
	printf("builds          %llu\n", (unsigned long long)s->builds);
	printf("sample rows     %llu\n", (unsigned long long)s->rows);
	printf("bytes           %llu (%.2f per sample row)\n",
	    (unsigned long long)s->db_bytes, per);
	printf("  profile data  %llu\n", (unsigned long long)s->pdata_bytes);
	printf("  metadata      %llu\n", (unsigned long long)s->meta_bytes);
	printf("  dictionary    %llu\n", (unsigned long long)s->dict_bytes);
	printf("  summed stacks %llu\n", (unsigned long long)s->agg_bytes);
	printf("free bytes      %llu\n", (unsigned long long)s->free_bytes);
	printf("wal bytes       %llu\n", (unsigned long long)s->wal_bytes);
	printf("frames          %llu\n", (unsigned long long)s->frames);
	printf("functions       %llu\n", (unsigned long long)s->funcs);
	printf("stack nodes     %llu\n", (unsigned long long)s->nodes);
}

int
ff_cmd_stats(int argc, char **argv)
{
	struct admin_opts o;
	ff_store_stats s;
	ff_store *st = NULL;
	ff_err err;
	ff_rc rc;
	int r;

	if ((r = admin_parse(argc, argv, "stats", stats_usage, &o)) >= 0)
		return r;
	if (o.older != NULL || o.quick || o.dry_run)
		return ff_cmd_usage_error("stats", "unknown option");
	ff_err_init(&err);
	if ((rc = ff_store_open(&st, o.db, &err)) == FF_OK)
		rc = ff_query_stats(st, &s, &err);
	ff_store_close(st);
	if (rc != FF_OK)
		return ff_cmd_fail(&err);
	s.wal_bytes = wal_size(o.db);
	if (o.json)
		return print_stats_json(&s) == 0 ? 0 : 1;
	print_stats(&s);
	return 0;
}

/* ---- check --------------------------------------------------------------- */

static void
check_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore check --db PATH [--quick]\n"
"\n"
"Check the store: SQLite's integrity_check (quick_check with --quick),\n"
"then the store's own invariants (dictionary, packed data, per-build\n"
"summed stacks).  Prints 'ok', or each problem on stdout.\n"
"\n"
"Exit status: 0 ok, 1 problems found (or the check could not run).\n");
}

static void
print_problem(void *ctx, const char *problem)
{
	(void)ctx;
	printf("%s\n", problem);
}

int
ff_cmd_check(int argc, char **argv)
{
	struct admin_opts o;
	uint64_t problems;
	ff_err err;
	int r;

	if ((r = admin_parse(argc, argv, "check", check_usage, &o)) >= 0)
		return r;
	if (o.older != NULL || o.json || o.dry_run)
		return ff_cmd_usage_error("check", "unknown option");
	ff_err_init(&err);
	if (ff_check_store(o.db, o.quick, print_problem, NULL, &problems,
	    &err) != FF_OK)
		return ff_cmd_fail(&err);
	if (problems == 0)
		printf("ok\n");
	return problems == 0 ? 0 : 1;
}

/* ---- prune --------------------------------------------------------------- */

static void
prune_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore prune --db PATH --older-than DURATION [--dry-run]\n"
"\n"
"Delete the profiles that started more than DURATION ago (30d, 12h, 2w),\n"
"rebuild the summed stacks of their builds and give the freed space back\n"
"to the file system, a little at a time, so a running server is not held\n"
"up.  With --dry-run, only say what would be deleted.\n");
}

int
ff_cmd_prune(int argc, char **argv)
{
	struct admin_opts o;
	ff_prune_stats ps;
	int64_t age;
	ff_err err;
	int r;

	if ((r = admin_parse(argc, argv, "prune", prune_usage, &o)) >= 0)
		return r;
	if (o.json || o.quick)
		return ff_cmd_usage_error("prune", "unknown option");
	ff_err_init(&err);
	if (o.older == NULL)
		return ff_cmd_usage_error("prune", "--older-than is required");
	if (ff_stamp_parse_duration(o.older, strlen(o.older), &age, &err) !=
	    FF_OK)
		return ff_cmd_usage_error("prune", "--older-than: %s",
		    ff_err_msg(&err));
	if (ff_prune_store(o.db, ff_stamp_now() - age, o.dry_run, &ps,
	    &err) != FF_OK)
		return ff_cmd_fail(&err);
	printf("%s %llu profiles (%llu sample rows)", o.dry_run ?
	    "would delete" : "deleted", (unsigned long long)ps.profiles,
	    (unsigned long long)ps.rows);
	if (!o.dry_run)
		printf(", %llu bytes freed", (unsigned long long)ps.freed_bytes);
	printf("\n");
	return 0;
}

/* ---- backup -------------------------------------------------------------- */

static void
backup_usage(FILE *f)
{
	fprintf(f,
"usage: ffstore backup --db PATH FILE\n"
"\n"
"Write a consistent, compacted copy of the store to FILE (SQLite's VACUUM\n"
"INTO), while a server may go on writing.  FILE must not exist.\n");
}

int
ff_cmd_backup(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	ff_db *h = NULL;
	ff_db_stmt *st = NULL;
	struct stat sb;
	ff_err err;
	ff_rc rc;
	int c;

	ff_err_init(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': backup_usage(stdout); return 0;
		default: backup_usage(stderr); return 2;
		}
	}
	if (db == NULL || optind != argc - 1)
		return ff_cmd_usage_error("backup", "usage: ffstore backup --db "
		    "PATH FILE");
	if (stat(argv[optind], &sb) == 0)
		return ff_cmd_usage_error("backup", "%s exists", argv[optind]);
	rc = ff_db_open(&h, db, FF_DB_READONLY, &err);
	if (rc == FF_OK)
		rc = ff_db_prepare(h, "VACUUM INTO ?1", &st, &err);
	if (rc == FF_OK) {
		ff_db_bind_text(st, 1, argv[optind], strlen(argv[optind]), 0);
		rc = ff_db_run(st, &err);
	}
	ff_db_finalize(st);
	ff_db_close(h);
	return rc == FF_OK ? 0 : ff_cmd_fail(&err);
}
