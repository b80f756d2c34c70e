/*
 * test_obuf.c -- buffered output and its number formatting.
 */
#include "testutil.h"

#include "report/obuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run fn on a buffer over a memory stream; the text written. */
static char *
capture(void (*fn)(ff_obuf *, void *), void *arg)
{
	ff_obuf *b = malloc(sizeof *b);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	ff_err err;

	assert_non_null(b);
	assert_non_null(f);
	ff_obuf_init(b, f);
	fn(b, arg);
	assert_int_equal(ff_obuf_flush(b, &err), FF_OK);
	fclose(f);
	free(b);
	return out;
}

static void
put_grouped(ff_obuf *b, void *arg)
{
	ff_obuf_u64_grouped(b, *(uint64_t *)arg);
}

static void
test_grouped(void **state)
{
	static const struct { uint64_t v; const char *s; } cases[] = {
		{ 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" },
		{ 1315, "1,315" }, { 123456, "123,456" },
		{ 1234567, "1,234,567" },
		{ UINT64_MAX, "18,446,744,073,709,551,615" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = capture(put_grouped, (void *)&cases[i].v);

		assert_string_equal(s, cases[i].s);
		free(s);
	}
}

/* ff_obuf_round_fixed agrees with printf on many values, ties included. */
static void
test_round_fixed_matches_printf(void **state)
{
	char want[64], got[64];
	int digits, i;

	(void)state;
	srand(7);
	for (digits = 0; digits <= 3; digits++) {
		for (i = 0; i < 200000; i++) {
			double v;
			int64_t r;

			switch (i % 4) {
			case 0: /* exact ties in binary */
				v = (double)(rand() % 100000) / 8;
				break;
			case 1: /* decimal "ties" that are not exact */
				v = (rand() % 1000000) / 1000.0 + 0.05;
				break;
			case 2:
				v = 10 + (double)rand() / RAND_MAX * 1180;
				break;
			default:
				v = -(double)rand() / RAND_MAX * 100;
				break;
			}
			snprintf(want, sizeof want, "%.*f", digits, v);
			r = ff_obuf_round_fixed(v, digits);
			if (digits == 0)
				snprintf(got, sizeof got, "%s%lld",
				    r == 0 && v < 0 ? "-" : "", (long long)r);
			else
				snprintf(got, sizeof got, "%s%lld.%0*lld",
				    r < 0 || (r == 0 && v < 0) ? "-" : "",
				    llabs(r) / (long long)pow(10, digits),
				    digits,
				    llabs(r) % (long long)pow(10, digits));
			if (strcmp(want, got) != 0)
				fail_msg("%.17g with %d digits: printf %s, "
				    "obuf %s", v, digits, want, got);
		}
	}
}

struct fixed_arg {
	int64_t scaled;
	int digits, neg;
};

static void
put_fixed(ff_obuf *b, void *arg)
{
	struct fixed_arg *a = arg;

	ff_obuf_fixed(b, a->scaled, a->digits, a->neg);
}

static void
test_fixed(void **state)
{
	static const struct { struct fixed_arg a; const char *s; } cases[] = {
		{ { 8, 2, 0 }, "0.08" },
		{ { 10000, 2, 0 }, "100.00" },
		{ { 0, 2, 1 }, "-0.00" },
		{ { -50, 2, 0 }, "-0.50" },
		{ { 12345, 1, 0 }, "1234.5" },
		{ { 7, 0, 0 }, "7" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = capture(put_fixed, (void *)&cases[i].a);
		assert_string_equal(s, cases[i].s);
		free(s);
	}
}

static void
put_fixed_double(ff_obuf *b, void *arg)
{
	ff_obuf_fixed_double(b, *(double *)arg, 2);
}

/* Any double prints as printf("%.2f") does: huge percentages of hostile
 * counts (found by fuzz_render), infinities, ties. */
static void
test_fixed_double(void **state)
{
	static const double vals[] = {
		0, -0.001, 0.125, 0.375, -2.5, 100, 1303.455, 4503599627370.49,
		-1.2963e22, 1e300, -1e300, 9.2e18, HUGE_VAL, -HUGE_VAL,
	};
	char want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		double v = vals[i];
		char *s = capture(put_fixed_double, &v);

		snprintf(want, sizeof want, "%.2f", v);
		assert_string_equal(s, want);
		free(s);
	}
}

static void
put_misc(ff_obuf *b, void *arg)
{
	(void)arg;
	ff_obuf_tenths(b, 7028);
	ff_obuf_char(b, ' ');
	ff_obuf_tenths(b, 12000);
	ff_obuf_char(b, ' ');
	ff_obuf_tenths(b, -3);
	ff_obuf_char(b, ' ');
	ff_obuf_num(b, 1303.5, 2);
	ff_obuf_char(b, ' ');
	ff_obuf_num(b, 0.05, 2);
	ff_obuf_char(b, ' ');
	ff_obuf_num(b, 17, 2);
	ff_obuf_char(b, ' ');
	ff_obuf_num(b, -2.25, 1);
	ff_obuf_printf(b, " %s=%d", "x", 5);
}

static void
test_numbers(void **state)
{
	char *s = capture(put_misc, NULL);

	(void)state;
	assert_string_equal(s, "702.8 1200 -0.3 1303.5 0.05 17 -2.3 x=5");
	free(s);
}

static void
put_big(ff_obuf *b, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < 100000; i++)
		ff_obuf_str(b, "0123456789");
}

/* Output larger than the buffer arrives whole and in order. */
static void
test_large_output(void **state)
{
	char *s = capture(put_big, NULL);
	size_t i;

	(void)state;
	assert_int_equal(strlen(s), 1000000);
	for (i = 0; i < 1000000; i++)
		assert_int_equal(s[i], '0' + (int)(i % 10));
	free(s);
}

/* A failing stream is reported by ff_obuf_flush. */
static void
test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	ff_obuf *b = malloc(sizeof *b);
	ff_err err;

	(void)state;
	if (f == NULL) {
		free(b);
		skip();
	}
	ff_obuf_init(b, f);
	put_big(b, NULL);
	assert_int_equal(ff_obuf_flush(b, &err), FF_ERR_IO);
	fclose(f);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouped),
		cmocka_unit_test(test_round_fixed_matches_printf),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_fixed_double),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_large_output),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
