/*
 * agenttest.h -- a scripted fake store (ff_fakestore, see fakestore.c)
 * for the agent's C tests: started on 127.0.0.1 with an ephemeral port,
 * always stopped.
 */
#ifndef FF_AGENTTEST_H
#define FF_AGENTTEST_H

#include <sys/types.h>

typedef struct ff_fake {
	pid_t pid;
	unsigned port;
	char dir[512];      /* its port file and log */
	char url[64];       /* http://127.0.0.1:PORT */
} ff_fake;

/* Start ff_fakestore with extra arguments (shell words, e.g. "--script
 * 500,store").  Returns 0, or -1 (the test should fail). */
int ff_fake_start(ff_fake *f, const char *args);

/* Stop it (SIGTERM, then wait).  Safe to call twice. */
void ff_fake_stop(ff_fake *f);

/* Its request log (malloc'd; "" when empty). */
char *ff_fake_log(const ff_fake *f);

/* Requests logged with this HTTP status (0: dropped). */
unsigned ff_fake_count(const ff_fake *f, int status);

/* Distinct connection numbers seen in the log. */
unsigned ff_fake_connections(const ff_fake *f);

#endif
