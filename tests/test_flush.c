/*
 * test_flush.c -- uploading the spool against the scripted fake store,
 * with a simulated clock for the backoff (the waits are recorded, not
 * slept): store down -> kept; store up -> all uploaded once; 500 then
 * 201; 413 -> rejected/; Retry-After honoured; 401 stops; the deadline
 * stops; dropped counts reported.
 */
#include "testutil.h"
#include "agenttest.h"

#include "agent/agentlog.h"
#include "agent/flush.h"
#include "profile/mem.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The simulated clock: sleeps advance it and are recorded. */
struct clock {
	uint64_t now;
	uint64_t sleeps[256];
	unsigned nsleeps;
};

static uint64_t
clock_now(void *ctx)
{
	return ((struct clock *)ctx)->now;
}

static void
clock_sleep(void *ctx, uint64_t ms)
{
	struct clock *c = ctx;

	if (c->nsleeps < 256)
		c->sleeps[c->nsleeps++] = ms;
	c->now += ms;
}

struct fixture {
	ff_agentconf conf;
	ff_spool *sp;
	struct clock clock;
	ff_flush_hooks hooks;
	ff_fake fake;
	int logfd;
};

static int serial;

/* A spool with n distinct profiles (drop stamp `stamp`), a fake store
 * with `args` (NULL: none, the port closed), and a configuration. */
static void
setup(struct fixture *x, const char *args, unsigned n, uint64_t stamp,
    unsigned deadline_s)
{
	const char *dir = ff_test_fmt("%s/spool%d", ff_test_tmpdir(), ++serial);
	char text[1024], url[64];
	unsigned i;
	ff_err err;

	memset(x, 0, sizeof *x);
	ff_err_init(&err);
	x->logfd = open(ff_test_fmt("%s/log%d", ff_test_tmpdir(), serial),
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ff_agentlog_set_fd(x->logfd);
	ff_agentlog_set_level(FF_AGENTLOG_DEBUG);
	assert_int_equal(ff_fake_start(&x->fake, args != NULL ? args : ""),
	    0);
	snprintf(url, sizeof url, "%s", x->fake.url);
	if (args == NULL)
		ff_fake_stop(&x->fake);   /* the store is down */
	snprintf(text, sizeof text, "server = %s\nspool_dir = %s\n"
	    "deadline_s = %u\nupload_timeout_s = 10\nconnect_timeout_s = 5\n",
	    url, dir, deadline_s);
	ff_agentconf_init(&x->conf);
	assert_int_equal(ff_agentconf_parse(&x->conf, text, strlen(text), "t",
	    &err), FF_OK);
	assert_int_equal(ff_spool_open(&x->sp, dir, 1 << 20, 100, &err), FF_OK);
	for (i = 0; i < n; i++) {
		ff_spool_tmp t;
		char body[64];
		int len = snprintf(body, sizeof body, "profile %u of %s", i,
		    dir);

		assert_int_equal(ff_spool_create(x->sp, &t, &err), FF_OK);
		assert_int_equal(write(t.fd, body, (size_t)len), len);
		assert_int_equal(ff_spool_commit(x->sp, &t, stamp, "t", NULL, 0,
		    &err), FF_OK);
	}
	x->clock.now = 1000000;
	x->hooks.now_ms = clock_now;
	x->hooks.sleep_ms = clock_sleep;
	x->hooks.ctx = &x->clock;
	x->hooks.seed = 12345;
}

static void
teardown(struct fixture *x)
{
	ff_fake_stop(&x->fake);
	ff_spool_close(x->sp);
	ff_agentconf_free(&x->conf);
	ff_agentlog_set_fd(-1);
	ff_agentlog_set_level(FF_AGENTLOG_WARN);
	close(x->logfd);
}

static size_t
spooled(struct fixture *x, const char *sub)
{
	ff_spool_file *f = NULL;
	size_t n = 0;

	assert_int_equal(ff_spool_list(x->sp, sub, &f, &n, NULL), FF_OK);
	ff_free(f);
	return n;
}

static ff_flush_summary
flush(struct fixture *x)
{
	ff_flush_summary s;
	ff_err err;

	ff_err_init(&err);
	assert_int_equal(ff_flush_spool(&x->conf, x->sp, &x->hooks, &s, &err),
	    FF_OK);
	return s;
}

/* The store down during a flush: every file kept; up for the next
 * flush: every file uploaded once, none lost, none duplicated. */
static void
test_down_then_up(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	ff_fake up;
	unsigned i;

	(void)state;
	setup(&x, NULL, 5, 0, 60);
	s = flush(&x);
	assert_int_equal(s.uploaded, 0);
	assert_int_equal(s.kept, 5);
	assert_true(s.deadline);
	assert_true(s.retries >= 3);
	assert_int_equal(ff_flush_exit_status(&s), 1);
	assert_int_equal(spooled(&x, NULL), 5);
	/* the waits grow (full jitter: each below its doubling window) */
	for (i = 0; i < x.clock.nsleeps; i++)
		assert_true(x.clock.sleeps[i] < (1000ull << i) &&
		    x.clock.sleeps[i] <= 60000);
	/* now the store is up, at another port */
	assert_int_equal(ff_fake_start(&up, ""), 0);
	ff_free(x.conf.server);
	x.conf.server = ff_strdup(up.url);
	s = flush(&x);
	assert_int_equal(s.uploaded, 5);
	assert_int_equal(s.kept, 0);
	assert_int_equal(s.duplicates, 0);
	assert_int_equal(ff_flush_exit_status(&s), 0);
	assert_int_equal(spooled(&x, NULL), 0);
	ff_fake_stop(&up);
	assert_int_equal(ff_fake_count(&up, 201), 5);
	assert_int_equal(ff_fake_count(&up, 200), 0);
	assert_int_equal(ff_fake_connections(&up), 1);   /* keep-alive */
	teardown(&x);
}

static void
test_500_then_201(void **state)
{
	struct fixture x;
	ff_flush_summary s;

	(void)state;
	setup(&x, "--script 500,store", 2, 0, 600);
	s = flush(&x);
	assert_int_equal(s.uploaded, 2);
	assert_int_equal(s.retries, 1);
	assert_int_equal(x.clock.nsleeps, 1);
	assert_true(x.clock.sleeps[0] < 1000);
	assert_int_equal(spooled(&x, NULL), 0);
	ff_fake_stop(&x.fake);
	assert_int_equal(ff_fake_count(&x.fake, 500), 1);
	assert_int_equal(ff_fake_count(&x.fake, 201), 2);
	teardown(&x);
}

static void
test_413_is_rejected(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	char *log;

	(void)state;
	setup(&x, "--script store,413,store", 3, 0, 600);
	s = flush(&x);
	assert_int_equal(s.uploaded, 2);
	assert_int_equal(s.rejected, 1);
	assert_int_equal(s.retries, 0);
	assert_int_equal(ff_flush_exit_status(&s), 1);
	assert_int_equal(spooled(&x, NULL), 0);
	assert_int_equal(spooled(&x, "rejected"), 1);
	log = ff_test_slurp(ff_test_fmt("%s/log%d", ff_test_tmpdir(), serial),
	    NULL);
	assert_non_null(strstr(log, "refused by the store (HTTP 413: scripted "
	    "413); moved to "));
	free(log);
	teardown(&x);
}

static void
test_retry_after_honoured(void **state)
{
	struct fixture x;
	ff_flush_summary s;

	(void)state;
	setup(&x, "--script 503:ra=20,429:ra=3,store", 1, 0, 600);
	s = flush(&x);
	assert_int_equal(s.uploaded, 1);
	assert_int_equal(x.clock.nsleeps, 2);
	assert_true(x.clock.sleeps[0] >= 20000 && x.clock.sleeps[0] <= 30000);
	assert_true(x.clock.sleeps[1] >= 3000);
	teardown(&x);
}

/* A Retry-After past the deadline ends the flush without waiting. */
static void
test_retry_after_past_deadline(void **state)
{
	struct fixture x;
	ff_flush_summary s;

	(void)state;
	setup(&x, "--script 503:ra=3600", 2, 0, 60);
	s = flush(&x);
	assert_int_equal(s.uploaded, 0);
	assert_int_equal(s.kept, 2);
	assert_true(s.deadline);
	assert_int_equal(x.clock.nsleeps, 0);
	teardown(&x);
}

static void
test_deadline_stops_retrying(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	char script[1024] = "--script ";
	unsigned i, requests;

	(void)state;
	for (i = 0; i < 100; i++)
		strcat(script, "503,");
	setup(&x, script, 3, 0, 120);
	s = flush(&x);
	assert_int_equal(s.kept, 3);
	assert_true(s.deadline);
	ff_fake_stop(&x.fake);
	requests = ff_fake_count(&x.fake, 503);
	assert_int_equal(requests, s.retries);
	assert_true(requests >= 3 && requests < 100);
	assert_true(x.clock.now - 1000000 <= 120000);
	teardown(&x);
}

/* 401: the token is wrong for every file: stop, keep everything. */
static void
test_unauthorised_stops(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	const char *tok = ff_test_fmt("%s/token", ff_test_tmpdir());

	(void)state;
	setup(&x, "--token right", 3, 0, 600);
	assert_int_equal(ff_test_write(tok, " wrong \n", 8), 0);
	x.conf.token_file = ff_strdup(tok);
	s = flush(&x);
	assert_true(s.stopped);
	assert_int_equal(s.kept, 3);
	assert_int_equal(spooled(&x, NULL), 3);
	assert_int_equal(spooled(&x, "rejected"), 0);
	/* the right token */
	assert_int_equal(ff_test_write(tok, "right\n", 6), 0);
	s = flush(&x);
	assert_int_equal(s.uploaded, 3);
	teardown(&x);
}

static void
test_token_file_errors(void **state)
{
	const char *tok = ff_test_fmt("%s/token2", ff_test_tmpdir());
	char *t = NULL;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	assert_int_equal(ff_flush_read_token("/nonexistent/tok", &t, &err),
	    FF_ERR_IO);
	assert_int_equal(ff_test_write(tok, "\n", 1), 0);
	assert_int_equal(ff_flush_read_token(tok, &t, &err), FF_ERR_USAGE);
	assert_int_equal(ff_test_write(tok, "a b\n", 4), 0);
	assert_int_equal(ff_flush_read_token(tok, &t, &err), FF_ERR_USAGE);
	assert_int_equal(ff_test_write(tok, "\tabc\r\nrest", 10), 0);
	assert_int_equal(ff_flush_read_token(tok, &t, &err), FF_OK);
	assert_string_equal(t, "abc");
	ff_free(t);
}

/* Drops are reported by the first profile uploaded after them. */
static void
test_dropped_reported(void **state)
{
	struct fixture x;
	ff_spool_state st;
	ff_flush_summary s;
	ff_err err;

	(void)state;
	ff_err_init(&err);
	setup(&x, "", 2, 4, 600);
	memset(&st, 0, sizeof st);
	st.dropped_total = 6;      /* two more after those files were made */
	st.dropped_reported = 1;
	assert_int_equal(ff_spool_state_save(x.sp, &st, &err), FF_OK);
	s = flush(&x);
	assert_int_equal(s.uploaded, 2);
	assert_int_equal(ff_spool_state_load(x.sp, &st, &err), FF_OK);
	assert_int_equal(st.dropped_reported, 4);
	assert_int_equal(ff_spool_state_unreported(&st), 2);
	assert_int_equal(st.uploaded_total, 2);
	assert_true(st.last_success > 0);
	assert_string_equal(st.last_error, "");
	teardown(&x);
}

/* The bounds are enforced before sending: dropped, counted. */
static void
test_bounds_before_sending(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	ff_spool_state st;

	(void)state;
	setup(&x, "", 6, 0, 600);
	ff_spool_close(x.sp);
	assert_int_equal(ff_spool_open(&x.sp, x.conf.spool_dir, 1 << 20, 4,
	    NULL), FF_OK);
	s = flush(&x);
	assert_int_equal(s.dropped, 2);
	assert_int_equal(s.uploaded, 4);
	assert_int_equal(ff_spool_state_load(x.sp, &st, NULL), FF_OK);
	assert_int_equal(st.dropped_total, 2);
	assert_int_equal(ff_spool_state_unreported(&st), 2);
	teardown(&x);
}

/* Out of memory at every allocation of a flush (curl's included): never
 * a crash or a leak, never a file lost; the next flush sends the rest. */
static void
test_out_of_memory_loses_nothing(void **state)
{
	struct fixture x;
	ff_flush_summary s;
	unsigned long need, i, step;
	unsigned stored = 0;
	ff_err err;
	ff_rc rc;

	(void)state;
	setup(&x, "", 3, 0, 600);
	ff_mem_fail_at(ULONG_MAX, 0);
	s = flush(&x);
	need = ff_mem_fail_at(0, 0);
	assert_int_equal(s.uploaded, 3);
	stored = 3;
	step = need > 150 ? need / 150 : 1;
	print_message("a flush of 3 files makes %lu allocations\n", need);
	for (i = 1; i <= need; i += step) {
		unsigned k;

		for (k = 0; k < 3; k++) {   /* three new files */
			ff_spool_tmp t;
			char body[96];
			int len = snprintf(body, sizeof body, "oom %lu %u", i,
			    k);

			assert_int_equal(ff_spool_create(x.sp, &t, NULL),
			    FF_OK);
			assert_int_equal(write(t.fd, body, (size_t)len), len);
			assert_int_equal(ff_spool_commit(x.sp, &t, 0, "t", NULL,
			    0, NULL), FF_OK);
		}
		ff_err_init(&err);
		ff_mem_fail_at(i, 1);
		rc = ff_flush_spool(&x.conf, x.sp, &x.hooks, &s, &err);
		ff_mem_fail_at(0, 0);
		assert_true(rc == FF_OK || rc == FF_ERR_NOMEM ||
		    rc == FF_ERR_INTERNAL);
		assert_int_equal(spooled(&x, "rejected"), 0);
		s = flush(&x);
		assert_int_equal(spooled(&x, NULL), 0);
		stored += 3;
	}
	ff_fake_stop(&x.fake);
	assert_int_equal(ff_fake_count(&x.fake, 201), stored);
	teardown(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_down_then_up),
		cmocka_unit_test(test_500_then_201),
		cmocka_unit_test(test_413_is_rejected),
		cmocka_unit_test(test_retry_after_honoured),
		cmocka_unit_test(test_retry_after_past_deadline),
		cmocka_unit_test(test_deadline_stops_retrying),
		cmocka_unit_test(test_unauthorised_stops),
		cmocka_unit_test(test_token_file_errors),
		cmocka_unit_test(test_dropped_reported),
		cmocka_unit_test(test_bounds_before_sending),
		cmocka_unit_test(test_out_of_memory_loses_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
