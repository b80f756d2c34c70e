/*
 * faultstore.c -- ff-faultstore: `ffstore load` and `ffstore serve` with
 * SQLite opened through the failing VFS (faultvfs.h), for the
 * storage-fault tests (store_faults.sh).
 *
 *   FF_FAULTVFS=SPEC ff-faultstore load ARGS...
 *       runs the code of `ffstore load ARGS` (store/cmd_load.c) with the
 *       fault armed from the start (SPEC as ff_faultvfs_arm_spec:
 *       "full:N", "write:N", "fsync:N", ":once" for one failure).
 *   FF_FAULTVFS=SPEC ff-faultstore serve --db PATH --port-file FILE
 *       [--queue N] [--batch N]
 *       runs ff_server_run on 127.0.0.1 with an ephemeral port and no
 *       fault; SIGUSR1 arms SPEC (default full:0), SIGUSR2 disarms.
 *       SIGTERM stops it as it stops ffstore serve.
 *
 * Exit status: that of the command; 2 for a bad SPEC or usage.
 */
#include "faultvfs.h"
#include "store/cmd.h"
#include "store/db.h"
#include "store/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ff_fault_kind usr1_kind = FF_FAULT_FULL;
static long usr1_after;
static int usr1_sticky = 1;

/* Async-signal-safe: ff_faultvfs_arm only stores to lock-free atomics. */
static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		ff_faultvfs_arm(usr1_kind, usr1_after, usr1_sticky);
	else
		ff_faultvfs_disarm();
}

static int
serve(int argc, char **argv)
{
	ff_server_opts o;
	struct sigaction sa;
	uint64_t v;
	ff_err err;
	int i;

	memset(&o, 0, sizeof o);
	o.listen = "127.0.0.1:0";
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			o.db = argv[i + 1];
		else if (strcmp(argv[i], "--port-file") == 0)
			o.port_file = argv[i + 1];
		else if (strcmp(argv[i], "--queue") == 0 &&
		    ff_cmd_uint(argv[i + 1], 1, 4096, &v, &err) == FF_OK)
			o.queue_max = (unsigned)v;
		else if (strcmp(argv[i], "--batch") == 0 &&
		    ff_cmd_uint(argv[i + 1], 1, 4096, &v, &err) == FF_OK)
			o.batch_max = (unsigned)v;
		else
			break;
	}
	if (i != argc || o.db == NULL) {
		fprintf(stderr, "usage: ff-faultstore serve --db PATH "
		    "[--port-file F] [--queue N] [--batch N]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	ff_err_init(&err);
	if (ff_server_run(&o, &err) != FF_OK)
		return ff_cmd_fail(&err);
	return 0;
}

/* SPEC (valid) into the SIGUSR1 settings. */
static void
keep_spec(const char *spec)
{
	const char *colon = spec != NULL ? strchr(spec, ':') : NULL;

	if (colon == NULL)
		return;
	usr1_kind = strncmp(spec, "write", 5) == 0 ? FF_FAULT_WRITE :
	    strncmp(spec, "fsync", 5) == 0 ? FF_FAULT_SYNC : FF_FAULT_FULL;
	usr1_after = strtol(colon + 1, NULL, 10);
	usr1_sticky = strstr(colon, ":once") == NULL;
}

int
main(int argc, char **argv)
{
	const char *spec = getenv("FF_FAULTVFS");

	if (argc < 2) {
		fprintf(stderr, "usage: ff-faultstore load|serve ARGS...\n");
		return 2;
	}
	if (ff_faultvfs_register() != 0) {
		fprintf(stderr, "ff-faultstore: cannot register the VFS\n");
		return 1;
	}
	ff_db_set_vfs(FF_FAULTVFS_NAME);
	if (ff_faultvfs_arm_spec(spec) != 0) {
		fprintf(stderr, "ff-faultstore: bad FF_FAULTVFS '%s'\n", spec);
		return 2;
	}
	if (strcmp(argv[1], "load") == 0)
		return ff_cmd_load(argc - 1, argv + 1);   /* armed */
	ff_faultvfs_disarm();
	keep_spec(spec);
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc - 1, argv + 1);
	fprintf(stderr, "ff-faultstore: load or serve, not '%s'\n", argv[1]);
	return 2;
}
