/*
 * cmd_funcs.c -- ffstore funcs: each profile's function values, the data
 * the regression check of ffdiff works on.
 */
#include "store/cmd.h"
#include "store/json.h"
#include "store/query.h"

#include <getopt.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffstore funcs --db PATH [selection] [--summary | --json]\n"
"\n"
"For each profile of the selection, print its functions' self and\n"
"inclusive values (a function is a frame name with offsets and hex\n"
"addresses normalised), one line per profile and function:\n"
"  PROFILE-ID HOST FUNCTION SELF... INCL...   (one value per event)\n"
"\n"
"  --db PATH        the store\n"
FF_CMD_SEL_HELP
"  --summary        one line per profile: id, host, functions, totals\n"
"  --json           one JSON object per line and profile: id, host,\n"
"                   totals, functions: [[name, self..., incl...], ...]\n");
}

struct out {
	ff_store *st;
	int summary, json;
	uint64_t profiles, entries;
};

static void
print_values(const uint64_t *v, unsigned n)
{
	unsigned e;

	for (e = 0; e < n; e++)
		printf(" %llu", (unsigned long long)v[e]);
}

static ff_rc
print_json(struct out *o, const ff_fprof *p, ff_err *err)
{
	json_t *obj = json_object(), *fa = json_array();
	ff_buf b;
	uint32_t i;
	unsigned e;
	int bad = obj == NULL || fa == NULL;

	for (i = 0; !bad && i < p->nfuncs; i++) {
		size_t len;
		const char *name = ff_store_func_name(o->st, p->func[i], &len);
		json_t *row = json_array();

		bad |= row == NULL || json_array_append_new(row,
		    ff_json_text(name, len));
		for (e = 0; !bad && e < p->nevents; e++)
			bad |= json_array_append_new(row, json_integer(
			    (json_int_t)p->self[i * p->nevents + e]));
		for (e = 0; !bad && e < p->nevents; e++)
			bad |= json_array_append_new(row, json_integer(
			    (json_int_t)p->incl[i * p->nevents + e]));
		bad |= json_array_append_new(fa, row);
	}
	bad |= ff_json_set(obj, "id", json_integer(p->info->id));
	bad |= ff_json_set(obj, "host", ff_json_str(p->info->meta.host));
	bad |= ff_json_set(obj, "totals", ff_json_u64s(p->info->totals,
	    p->nevents));
	bad |= ff_json_set(obj, "functions", fa);
	if (bad) {
		json_decref(obj);
		return ff_err_nomem(err);
	}
	ff_buf_init(&b);
	if (ff_json_dump(obj, &b) != FF_OK) {
		ff_buf_free(&b);
		return ff_err_nomem(err);
	}
	printf("%.*s\n", (int)b.len, (char *)b.p);
	ff_buf_free(&b);
	return FF_OK;
}

static ff_rc
visit(void *ctx, const ff_fprof *p, ff_err *err)
{
	struct out *o = ctx;
	uint32_t i;

	o->profiles++;
	o->entries += p->nfuncs;
	if (o->json)
		return print_json(o, p, err);
	if (o->summary) {
		printf("%lld %s %u", (long long)p->info->id, p->info->meta.host,
		    p->nfuncs);
		print_values(p->info->totals, p->nevents);
		putchar('\n');
		return FF_OK;
	}
	for (i = 0; i < p->nfuncs; i++) {
		size_t len;
		const char *name = ff_store_func_name(o->st, p->func[i], &len);

		printf("%lld %s %.*s", (long long)p->info->id,
		    p->info->meta.host, (int)len, name);
		print_values(p->self + (size_t)i * p->nevents, p->nevents);
		print_values(p->incl + (size_t)i * p->nevents, p->nevents);
		putchar('\n');
	}
	return FF_OK;
}

int
ff_cmd_funcs(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "summary", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		FF_CMD_SEL_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	struct out o = { NULL, 0, 0, 0, 0 };
	const char *db = NULL;
	int c, handled;
	ff_sel sel;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	ff_sel_init(&sel);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if ((rc = ff_cmd_sel_opt(&sel, c, optarg, &handled, &err)) !=
		    FF_OK) {
			ff_sel_free(&sel);
			return ff_cmd_usage_error("funcs", "%s",
			    ff_err_msg(&err));
		}
		if (handled)
			continue;
		switch (c) {
		case 'd': db = optarg; break;
		case 's': o.summary = 1; break;
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); ff_sel_free(&sel); return 0;
		default: usage(stderr); ff_sel_free(&sel); return 2;
		}
	}
	if (db == NULL || optind != argc) {
		ff_sel_free(&sel);
		return ff_cmd_usage_error("funcs", db == NULL ? "--db PATH is "
		    "required" : "unexpected argument");
	}
	ff_json_init();
	if ((rc = ff_store_open(&o.st, db, &err)) == FF_OK)
		rc = ff_query_funcs(o.st, &sel, visit, &o, &err);
	ff_store_close(o.st);
	ff_sel_free(&sel);
	if (rc == FF_OK && fflush(stdout) != 0)
		rc = ff_err_set(&err, FF_ERR_IO, "write error on output");
	return rc == FF_OK ? 0 : ff_cmd_fail(&err);
}
