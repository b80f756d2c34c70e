/*
 * test_stat.c -- rank test, t distribution, Welch interval, FDR.
 */
#include "testutil.h"

#include "diff/stat.h"

#include <math.h>

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void
test_distributions(void **state)
{
	(void)state;
	NEAR(ff_stat_ibeta(0.5, 2, 3), 11.0 / 16, 1e-12);
	NEAR(ff_stat_ibeta(0.2, 1, 1), 0.2, 1e-12);
	NEAR(ff_stat_norm_sf(1.959963984540054), 0.025, 1e-12);
	NEAR(ff_stat_norm_sf(0), 0.5, 1e-15);
	/* Student's t critical values (two-sided 5%) from standard tables. */
	NEAR(ff_stat_t_quantile(0.05, 1), 12.706204736, 1e-6);
	NEAR(ff_stat_t_quantile(0.05, 10), 2.228138852, 1e-8);
	NEAR(ff_stat_t_quantile(0.05, 30), 2.042272456, 1e-8);
	NEAR(ff_stat_t_quantile(0.01, 5), 4.032142984, 1e-7);
	NEAR(ff_stat_t_2sided(2.228138852, 10), 0.05, 1e-9);
	/* Moments keep their precision far from zero. */
	{
		const double v[] = { 1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4 };
		double mean, var;

		ff_stat_moments(v, 4, &mean, &var);
		NEAR(mean, 1e9 + 2.5, 1e-6);
		NEAR(var, 5.0 / 3, 1e-9);
		ff_stat_moments(v, 1, &mean, &var);
		NEAR(var, 0, 0);
	}
	/* Large df tends to the normal. */
	NEAR(ff_stat_t_quantile(0.05, 1e7), 1.959964, 1e-5);
}

static void
test_mwu_exact(void **state)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	const double c[] = { 1, 4, 2 }, d[] = { 3, 5, 6 };
	ff_mwu_table *t = ff_mwu_table_new(3, 3);
	ff_mwu m;

	(void)state;
	assert_non_null(t);
	assert_int_equal(ff_stat_mwu(a, 3, b, 3, t, &m), FF_OK);
	assert_true(m.exact);
	NEAR(m.u, 0, 0);
	NEAR(m.p, 0.1, 1e-12);           /* 2 * 1/20 */
	assert_int_equal(ff_stat_mwu(b, 3, a, 3, t, &m), FF_OK);
	NEAR(m.u, 9, 0);
	NEAR(m.p, 0.1, 1e-12);
	/* U = 1 (only 4 > 3): P(U <= 1) = 2/20, p = 0.2. */
	assert_int_equal(ff_stat_mwu(c, 3, d, 3, t, &m), FF_OK);
	NEAR(m.u, 1, 0);
	NEAR(m.p, 0.2, 1e-12);
	NEAR(ff_stat_mwu_min_p(3, 3), 0.1, 1e-12);
	NEAR(ff_stat_mwu_min_p(20, 20), 2 / 137846528820.0, 1e-20);
	ff_mwu_table_free(t);
}

static void
test_mwu_ties_normal(void **state)
{
	const double x[] = { 1, 2 }, y[] = { 1, 2 };
	double big_x[30], big_y[30];
	ff_mwu m;
	int i;

	(void)state;
	assert_int_equal(ff_stat_mwu(x, 2, y, 2, NULL, &m), FF_OK);
	assert_false(m.exact);
	NEAR(m.p, 1, 1e-12);
	/* 30 zeros against 30 ones: total separation, all tied in groups.
	 * U = 0, mean 450, var = 900/12 * (61 - 2*(30^3-30)/(60*59)). */
	for (i = 0; i < 30; i++) {
		big_x[i] = 0;
		big_y[i] = 1;
	}
	assert_int_equal(ff_stat_mwu(big_x, 30, big_y, 30, NULL, &m), FF_OK);
	{
		double var = 900.0 / 12 * (61 - 2 * (27000.0 - 30) / 3540);
		double z = (450 - 0.5) / sqrt(var);

		NEAR(m.z, -z, 1e-9);
		NEAR(m.p, 2 * ff_stat_norm_sf(z), 1e-15);
	}
	/* Everything equal: no evidence. */
	for (i = 0; i < 30; i++)
		big_y[i] = 0;
	assert_int_equal(ff_stat_mwu(big_x, 30, big_y, 30, NULL, &m), FF_OK);
	NEAR(m.p, 1, 0);
}

/* U by definition: pairs (x, y) with x > y, plus half of each tie. */
static double
naive_u(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0;
	size_t i, j;

	for (i = 0; i < nx; i++)
		for (j = 0; j < ny; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	return u;
}

/* The merged walk over both sorted samples against the definition, on
 * samples with many ties, both zeros, negatives, and every size around
 * the sort's run of 16; and a NaN must end the walk, not stall it. */
static void
test_mwu_against_definition(void **state)
{
	static double x[300], y[300];
	unsigned seed = 12345;
	size_t nx, ny, i;
	ff_mwu m;

	(void)state;
	for (nx = 1; nx <= 300; nx += nx < 40 ? 1 : 37) {
		ny = (nx * 7) % 53 + 1;
		for (i = 0; i < nx + ny; i++) {
			double v;

			seed = seed * 1103515245 + 12345;
			v = (double)((seed >> 16) % 23) - 8;
			if (v == 0 && (seed & 1))
				v = -0.0;
			if (i < nx)
				x[i] = v / 4;
			else
				y[i - nx] = v / 4;
		}
		assert_int_equal(ff_stat_mwu(x, nx, y, ny, NULL, &m), FF_OK);
		NEAR(m.u, naive_u(x, nx, y, ny), 0);
		assert_true(m.p >= 0 && m.p <= 1);
	}
	x[0] = NAN;
	assert_int_equal(ff_stat_mwu(x, 10, y, 10, NULL, &m), FF_OK);
	assert_true(m.p >= 0 && m.p <= 1);
}

static void
test_welch_and_bh(void **state)
{
	const double x[] = { 1, 2, 3, 4 }, y[] = { 2, 4, 6, 8 };
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, q[4], lo, hi, se, df, t;

	(void)state;
	ff_stat_welch_ci(x, 4, y, 4, 0.95, &lo, &hi);
	se = sqrt(5.0 / 12 + 20.0 / 12);
	df = pow(25.0 / 12, 2) / (pow(5.0 / 12, 2) / 3 + pow(20.0 / 12, 2) / 3);
	t = ff_stat_t_quantile(0.05, df);
	NEAR(lo, 2.5 - t * se, 1e-12);
	NEAR(hi, 2.5 + t * se, 1e-12);
	assert_true(t > 2.571 && t < 2.776); /* df between 4 and 5 */
	assert_int_equal(ff_stat_bh(p, q, 4), FF_OK);
	NEAR(q[0], 0.02, 1e-15);
	NEAR(q[1], 0.04, 1e-15);
	NEAR(q[2], 0.04, 1e-15);
	NEAR(q[3], 0.02, 1e-15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distributions),
		cmocka_unit_test(test_mwu_exact),
		cmocka_unit_test(test_mwu_ties_normal),
		cmocka_unit_test(test_mwu_against_definition),
		cmocka_unit_test(test_welch_and_bh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
