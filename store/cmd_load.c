/*
 * cmd_load.c -- ffstore load: batch import of profile files.
 */
#include "store/cmd.h"
#include "store/load.h"

#include <getopt.h>
#include <string.h>

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffstore load --db PATH [options] FILE...\n"
"\n"
"Store profile files (.ffp) in the database at PATH (created when\n"
"missing), with the same checks as an upload.  Bad files are reported with\n"
"their names and skipped; the others are stored.  Files already stored\n"
"(same content) are counted as duplicates.\n"
"\n"
"  --db PATH              the store\n"
"  --threads N            parser threads (default: one per CPU)\n"
"  --max-upload BYTES     largest file (default 64M)\n"
"  --max-decompressed BYTES  largest inflated data (default 512M)\n"
"  --batch N              profiles per transaction (default 64)\n"
"  --no-sync              do not wait for the disk at each commit (faster;\n"
"                         a crash may lose the last batches)\n"
"  -q, --quiet            no summary line\n"
"\n"
"When the store itself fails (disk full, I/O error) the load stops with\n"
"that error; what was stored stays, and the same command stores the rest.\n"
"\n"
"Exit status: 0 all stored, 1 some files were bad or the store failed,\n"
"2 usage error.\n");
}

int
ff_cmd_load(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "max-upload", required_argument, NULL, 'u' },
		{ "max-decompressed", required_argument, NULL, 'z' },
		{ "batch", required_argument, NULL, 'b' },
		{ "no-sync", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	ff_load_opts o;
	ff_load_stats st;
	const char *db = NULL;
	uint64_t v;
	int c, quiet = 0;
	ff_err err;
	ff_rc rc = FF_OK;

	memset(&o, 0, sizeof o);
	o.errors = stderr;
	o.prog = FF_CMD_PROG;
	ff_err_init(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't':
			rc = ff_cmd_uint(optarg, 1, 64, &v, &err);
			o.threads = (unsigned)v;
			break;
		case 'u': rc = ff_cmd_size(optarg, &o.max_upload, &err); break;
		case 'z':
			rc = ff_cmd_size(optarg, &o.max_decompressed, &err);
			break;
		case 'b':
			rc = ff_cmd_uint(optarg, 1, 4096, &v, &err);
			o.batch_max = (unsigned)v;
			break;
		case 'n': o.nosync = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (rc != FF_OK)
			return ff_cmd_usage_error("load", "%s", ff_err_msg(&err));
	}
	if (db == NULL)
		return ff_cmd_usage_error("load", "--db PATH is required");
	if (optind == argc)
		return ff_cmd_usage_error("load", "no files to load");
	rc = ff_load_files(db, argv + optind, (size_t)(argc - optind), &o, &st,
	    &err);
	if (rc != FF_OK && rc != FF_ERR_PARSE)
		return ff_cmd_fail(&err);
	if (!quiet)
		fprintf(stderr, "%s: %llu files: %llu stored (%llu sample rows),"
		    " %llu duplicates, %llu bad\n", FF_CMD_PROG,
		    (unsigned long long)st.files,
		    (unsigned long long)st.stored,
		    (unsigned long long)st.rows,
		    (unsigned long long)st.duplicates,
		    (unsigned long long)st.failed);
	return rc == FF_OK ? 0 : 1;
}
