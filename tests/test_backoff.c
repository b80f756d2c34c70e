/*
 * test_backoff.c -- full-jitter backoff, Retry-After, and the splay target:
 * 1,000 agents started in the same second with splay_s = 60 reach the
 * store with the busiest second at most 3x the mean rate (simulated: each
 * agent's start delay comes from its own seed, as in `ffagent run`).
 */
#include "testutil.h"

#include "agent/backoff.h"

#include <stdio.h>
#include <string.h>

enum { AGENTS = 1000, SPLAY_S = 60 };

/* The busiest second of a fleet whose seeds come from seed_of(i). */
static unsigned
busiest_second(uint64_t (*seed_of)(unsigned i, unsigned fleet),
    unsigned fleet)
{
	unsigned per_second[SPLAY_S] = { 0 }, i, max = 0;

	for (i = 0; i < AGENTS; i++) {
		ff_backoff b;
		uint64_t ms;

		ff_backoff_init(&b, seed_of(i, fleet), 1000, 60000);
		ms = ff_backoff_splay_ms(&b, SPLAY_S);
		assert_true(ms < SPLAY_S * 1000u);
		per_second[ms / 1000]++;
	}
	for (i = 0; i < SPLAY_S; i++)
		if (per_second[i] > max)
			max = per_second[i];
	return max;
}

/* No /dev/urandom, the same second, nearby nanoseconds, consecutive
 * pids, host names that differ in one digit: the worst case for seeds. */
static uint64_t
seed_without_entropy(unsigned i, unsigned fleet)
{
	char host[32];

	snprintf(host, sizeof host, "cache-%03u", i);
	return ff_backoff_seed_mix(0, 1795291200 + fleet, (long)i * 1000,
	    4000 + (long)i, host);
}

/* The same hosts, all with pid 1234 (containers) and the same time. */
static uint64_t
seed_same_pid(unsigned i, unsigned fleet)
{
	char host[32];

	snprintf(host, sizeof host, "c%u.site%u", i, fleet);
	return ff_backoff_seed_mix(0, 1795291200, 0, 1234, host);
}

static uint64_t
seed_real(unsigned i, unsigned fleet)
{
	(void)i;
	(void)fleet;
	return ff_backoff_seed();
}

static void
test_splay_spread(void **state)
{
	/* mean = 1000 / 60 agents a second; the target is 3x that */
	unsigned limit = 3 * AGENTS / SPLAY_S, fleet, worst = 0, m;

	(void)state;
	for (fleet = 0; fleet < 50; fleet++) {
		m = busiest_second(seed_without_entropy, fleet);
		worst = m > worst ? m : worst;
		m = busiest_second(seed_same_pid, fleet);
		worst = m > worst ? m : worst;
		m = busiest_second(seed_real, fleet);
		worst = m > worst ? m : worst;
	}
	print_message("busiest second over 150 simulated fleets: %u agents "
	    "(mean %.1f, limit %u)\n", worst, (double)AGENTS / SPLAY_S, limit);
	assert_true(worst <= limit);
}

static void
test_splay_bounds(void **state)
{
	ff_backoff b;
	unsigned i;

	(void)state;
	ff_backoff_init(&b, 42, 1, 1);
	assert_int_equal(ff_backoff_splay_ms(&b, 0), 0);
	for (i = 0; i < 10000; i++)
		assert_true(ff_backoff_splay_ms(&b, 1) < 1000);
}

static void
test_full_jitter(void **state)
{
	ff_backoff b;
	unsigned attempt, i;
	uint64_t window, sum;

	(void)state;
	for (attempt = 0; attempt < 10; attempt++) {
		window = 1000ull << attempt;
		if (window > 60000)
			window = 60000;
		sum = 0;
		for (i = 0; i < 2000; i++) {
			uint64_t d;

			ff_backoff_init(&b, 7 + i * 1000003ull, 1000, 60000);
			b.attempt = attempt;
			d = ff_backoff_next_ms(&b, 0);
			assert_true(d < window);
			assert_int_equal(b.attempt, attempt + 1);
			sum += d;
		}
		/* uniform on [0, window): the mean is near window / 2 */
		assert_true(sum / 2000 > window * 4 / 10);
		assert_true(sum / 2000 < window * 6 / 10);
	}
	ff_backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	/* many failures never overflow the window */
	ff_backoff_init(&b, 1, 1000, 60000);
	for (i = 0; i < 200; i++)
		assert_true(ff_backoff_next_ms(&b, 0) < 60000);
}

static void
test_retry_after_is_a_floor(void **state)
{
	ff_backoff b;
	unsigned i;

	(void)state;
	ff_backoff_init(&b, 99, 1000, 60000);
	for (i = 0; i < 1000; i++) {
		uint64_t d = ff_backoff_next_ms(&b, 5000);

		assert_true(d >= 5000);
		assert_true(d <= 60000);   /* jitter may exceed R + R/2 */
		ff_backoff_reset(&b);
		d = ff_backoff_next_ms(&b, 5000);
		assert_true(d >= 5000 && d <= 7501);
	}
}

static void
test_parse_retry_after(void **state)
{
	int64_t now = 784111777;   /* Sun, 06 Nov 1994 08:49:37 GMT */
	uint64_t s = 99;
	ff_err err;

	(void)state;
	assert_int_equal(ff_backoff_retry_after("120", 3, now, &s, &err),
	    FF_OK);
	assert_int_equal(s, 120);
	assert_int_equal(ff_backoff_retry_after(" 7 \r\n", 5, now, &s, &err),
	    FF_OK);
	assert_int_equal(s, 7);
	assert_int_equal(ff_backoff_retry_after("0", 1, now, &s, &err), FF_OK);
	assert_int_equal(s, 0);
	assert_int_equal(ff_backoff_retry_after("99999999999999999999999", 23,
	    now, &s, &err), FF_OK);
	assert_int_equal(s, FF_BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(ff_backoff_retry_after(
	    "Sun, 06 Nov 1994 08:50:07 GMT", 29, now, &s, &err), FF_OK);
	assert_int_equal(s, 30);
	assert_int_equal(ff_backoff_retry_after(
	    "Sun, 06 Nov 1994 08:49:00 GMT", 29, now, &s, &err), FF_OK);
	assert_int_equal(s, 0);
	assert_int_equal(ff_backoff_retry_after(
	    "Sun, 06 Nov 1995 08:49:37 GMT", 29, now, &s, &err), FF_OK);
	assert_int_equal(s, FF_BACKOFF_RETRY_AFTER_MAX);
	assert_int_equal(ff_backoff_retry_after("", 0, now, &s, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_backoff_retry_after("-5", 2, now, &s, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_backoff_retry_after("5s", 2, now, &s, &err),
	    FF_ERR_PARSE);
	assert_int_equal(ff_backoff_retry_after(
	    "Sun, 06 Foo 1994 08:49:37 GMT", 29, now, &s, &err), FF_ERR_PARSE);
	assert_int_equal(ff_backoff_retry_after(
	    "Sunday, 06-Nov-94 08:49:37 GMT", 30, now, &s, &err), FF_ERR_PARSE);
	assert_int_equal(ff_backoff_retry_after(
	    "Sun, 06 Nov 1994 25:49:37 GMT", 29, now, &s, &err), FF_ERR_PARSE);
}

static void
test_below_is_uniform(void **state)
{
	unsigned counts[3] = { 0 }, i;
	ff_backoff b;

	(void)state;
	ff_backoff_init(&b, 5, 1, 1);
	assert_int_equal(ff_backoff_below(&b, 0), 0);
	assert_int_equal(ff_backoff_below(&b, 1), 0);
	for (i = 0; i < 30000; i++)
		counts[ff_backoff_below(&b, 3)]++;
	for (i = 0; i < 3; i++)
		assert_true(counts[i] > 9000 && counts[i] < 11000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splay_spread),
		cmocka_unit_test(test_splay_bounds),
		cmocka_unit_test(test_full_jitter),
		cmocka_unit_test(test_retry_after_is_a_floor),
		cmocka_unit_test(test_parse_retry_after),
		cmocka_unit_test(test_below_is_uniform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
