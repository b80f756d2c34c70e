/*
 * stat.c -- rank test, t distribution, intervals, FDR (see stat.h).
 */
#include "diff/stat.h"
#include "profile/mem.h"
#include "profile/sort.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void
ff_stat_moments(const double *x, size_t n, double *mean, double *var)
{
	double m = 0, s = 0, c = 0;
	size_t i;

	/* Two passes: the mean, then the squared deviations from it, with
	 * the compensating term of the corrected two-pass algorithm (Chan,
	 * Golub and LeVeque) to absorb the mean's own rounding.  Stable for
	 * values of any size, and no division per value. */
	for (i = 0; i < n; i++)
		m += x[i];
	m = n > 0 ? m / (double)n : 0;
	for (i = 0; i < n; i++) {
		double d = x[i] - m;

		s += d * d;
		c += d;
	}
	*mean = m;
	*var = n > 1 ? (s - c * c / (double)n) / (double)(n - 1) : 0;
	if (*var < 0)
		*var = 0;
}

double
ff_stat_norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

/* Continued fraction for the incomplete beta, evaluated with the modified
 * Lentz method; converges for x < (a + 1) / (a + b + 2). */
static double
ibeta_cf(double x, double a, double b)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num, del;

		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

double
ff_stat_ibeta(double x, double a, double b)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
	    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * ibeta_cf(x, a, b) / a;
	return 1 - front * ibeta_cf(1 - x, b, a) / b;
}

double
ff_stat_t_2sided(double t, double df)
{
	if (!(df > 0))
		return 1;
	if (isinf(t))
		return 0;
	return ff_stat_ibeta(df / (df + t * t), df / 2, 0.5);
}

double
ff_stat_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, mid;
	int i;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	while (ff_stat_t_2sided(hi, df) > p && hi < 1e12)
		hi *= 2;
	/* The tail falls monotonically in t: bisect. */
	for (i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		mid = (lo + hi) / 2;
		if (ff_stat_t_2sided(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void
ff_stat_welch_ci(const double *x, size_t nx, const double *y, size_t ny,
    double level, double *lo, double *hi)
{
	double mx, vx, my, vy, sx, sy, se, df, t;

	ff_stat_moments(x, nx, &mx, &vx);
	ff_stat_moments(y, ny, &my, &vy);
	sx = nx > 0 ? vx / (double)nx : 0;
	sy = ny > 0 ? vy / (double)ny : 0;
	se = sqrt(sx + sy);
	if (nx < 2 || ny < 2 || se == 0) {
		*lo = *hi = my - mx;
		if (nx < 2 || ny < 2) {
			*lo = -INFINITY;
			*hi = INFINITY;
		}
		return;
	}
	/* Welch-Satterthwaite degrees of freedom. */
	df = (sx + sy) * (sx + sy) /
	    (sx * sx / (double)(nx - 1) + sy * sy / (double)(ny - 1));
	t = ff_stat_t_quantile(1 - level, df);
	*lo = my - mx - t * se;
	*hi = my - mx + t * se;
}

/* ---- Mann-Whitney U -------------------------------------------------------- */

/* A key whose unsigned order is the numeric order of a double: flip every
 * bit of a negative, the sign bit of a positive.  Adding 0.0 first turns
 * -0.0 into +0.0, so the two zeros tie; NaNs sort to the ends, so a stray
 * one cannot stall the walk below. */
static uint64_t
order_key(double v)
{
	uint64_t k;

	v += 0.0;
	memcpy(&k, &v, sizeof k);
	return k >> 63 ? ~k : k | (UINT64_C(1) << 63);
}

/* Sort n keys with scratch space tmp (n keys).  Short arrays by insertion;
 * longer ones by least-significant-digit radix sort, one byte a pass, all
 * eight histograms counted in one read and the passes in which every key
 * has the same byte skipped (percentages of one profile share their sign,
 * exponent and high mantissa bytes).  The rank test sorts every test's
 * values, and this is its inner loop. */
static void
sort_keys(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t count[8][256], i, j, pass;
	uint64_t *src = a, *dst = tmp, *swap;

	if (n < 64) {
		for (i = 1; i < n; i++) {
			uint64_t v = a[i];

			for (j = i; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		for (pass = 0; pass < 8; pass++)
			count[pass][(a[i] >> (8 * pass)) & 0xff]++;
	for (pass = 0; pass < 8; pass++) {
		size_t *c = count[pass], sum = 0, shift = 8 * pass;

		if (c[(a[0] >> shift) & 0xff] == n)
			continue; /* one bucket: the order is unchanged */
		for (j = 0; j < 256; j++) {
			size_t t = c[j];

			c[j] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

struct ff_mwu_table {
	size_t nx, ny;
	double total;
	double *le;    /* le[u] = orderings with U <= u */
	double *ge;    /* ge[u] = orderings with U >= u */
};

/* The number of orderings of i x's and j y's with U = u follows the
 * recurrence f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u): the largest
 * element is an x (beating all j y's) or a y.  Rows over i are rolled. */
static double *
mwu_counts(size_t nx, size_t ny)
{
	size_t stride = nx * ny + 1, i, j, k;
	double *f = ff_calloc((ny + 1) * stride, sizeof *f);
	double *g = ff_calloc((ny + 1) * stride, sizeof *g), *t;

	if (f == NULL || g == NULL) {
		ff_free(f);
		ff_free(g);
		return NULL;
	}
	for (j = 0; j <= ny; j++)
		f[j * stride] = 1; /* no x: U = 0 */
	for (i = 1; i <= nx; i++) {
		memset(g, 0, (ny + 1) * stride * sizeof *g);
		for (j = 0; j <= ny; j++)
			for (k = 0; k <= i * j; k++)
				g[j * stride + k] =
				    (k >= j ? f[j * stride + k - j] : 0) +
				    (j > 0 ? g[(j - 1) * stride + k] : 0);
		t = f;
		f = g;
		g = t;
	}
	/* Keep the row j = ny at the front. */
	memmove(f, f + ny * stride, stride * sizeof *f);
	ff_free(g);
	return f;
}

ff_mwu_table *
ff_mwu_table_new(size_t nx, size_t ny)
{
	ff_mwu_table *t;
	size_t umax = nx * ny, u;
	double *c = NULL, run;

	if (nx == 0 || ny == 0 || nx > FF_MWU_EXACT_MAX ||
	    ny > FF_MWU_EXACT_MAX)
		return NULL;
	if ((t = ff_calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->nx = nx;
	t->ny = ny;
	t->le = ff_calloc(umax + 1, sizeof *t->le);
	t->ge = ff_calloc(umax + 1, sizeof *t->ge);
	if (t->le == NULL || t->ge == NULL || (c = mwu_counts(nx, ny)) == NULL) {
		ff_mwu_table_free(t);
		return NULL;
	}
	for (u = 0, run = 0; u <= umax; u++)
		t->le[u] = run += c[u];
	t->total = run;
	for (u = umax + 1, run = 0; u-- > 0;)
		t->ge[u] = run += c[u];
	ff_free(c);
	return t;
}

void
ff_mwu_table_free(ff_mwu_table *t)
{
	if (t == NULL)
		return;
	ff_free(t->le);
	ff_free(t->ge);
	ff_free(t);
}

size_t
ff_mwu_table_nx(const ff_mwu_table *t)
{
	return t->nx;
}

size_t
ff_mwu_table_ny(const ff_mwu_table *t)
{
	return t->ny;
}

/* Exact two-sided p of an integral U. */
static double
mwu_exact_p(const ff_mwu_table *t, double u)
{
	size_t k = (size_t)llround(u);

	return fmin(1.0, 2 * fmin(t->le[k], t->ge[k]) / t->total);
}

double
ff_stat_mwu_min_p(size_t nx, size_t ny)
{
	double lc = lgamma((double)(nx + ny + 1)) - lgamma((double)nx + 1) -
	    lgamma((double)ny + 1);

	if (nx == 0 || ny == 0)
		return 1;
	if (nx <= FF_MWU_EXACT_MAX && ny <= FF_MWU_EXACT_MAX)
		return fmin(1.0, 2 * exp(-lc));
	{
		/* Normal approximation at U = 0. */
		double n = (double)(nx + ny);
		double sd = sqrt((double)nx * (double)ny * (n + 1) / 12);

		return 2 * ff_stat_norm_sf(((double)nx * (double)ny / 2 - 0.5) /
		    sd);
	}
}

ff_rc
ff_stat_mwu(const double *x, size_t nx, const double *y, size_t ny,
    const ff_mwu_table *exact, ff_mwu *out)
{
	size_t n = nx + ny, i, j, pos;
	uint64_t *kx, *ky;
	double rx = 0, ties = 0, mean, var, c;

	memset(out, 0, sizeof *out);
	out->p = 1;
	if (nx == 0 || ny == 0)
		return FF_OK;
	/* Both samples sorted apart (kx, ky, then scratch for the sort). */
	if ((kx = ff_reallocarray(NULL, n + (nx > ny ? nx : ny),
	    sizeof *kx)) == NULL)
		return FF_ERR_NOMEM;
	ky = kx + nx;
	for (i = 0; i < nx; i++)
		kx[i] = order_key(x[i]);
	for (i = 0; i < ny; i++)
		ky[i] = order_key(y[i]);
	sort_keys(kx, kx + n, nx);
	sort_keys(ky, kx + n, ny);
	/* Walk the two in step: each distinct value is one run of ties, all
	 * of whose members get the run's average rank. */
	for (i = j = pos = 0; i < nx || j < ny;) {
		uint64_t v = j == ny || (i < nx && kx[i] < ky[j]) ?
		    kx[i] : ky[j];
		size_t cx = 0, cy = 0;
		double t;

		while (i < nx && kx[i] == v)
			i++, cx++;
		while (j < ny && ky[j] == v)
			j++, cy++;
		t = (double)(cx + cy);
		rx += (double)cx * ((double)pos + (t + 1) / 2);
		ties += t * t * t - t;
		pos += cx + cy;
	}
	ff_free(kx);
	out->u = rx - (double)nx * (double)(nx + 1) / 2;
	if (ties == 0 && exact != NULL && exact->nx == nx && exact->ny == ny) {
		out->exact = 1;
		out->p = mwu_exact_p(exact, out->u);
		return FF_OK;
	}
	mean = (double)nx * (double)ny / 2;
	var = (double)nx * (double)ny / 12 *
	    ((double)n + 1 - ties / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return FF_OK; /* every value equal: no evidence either way */
	c = fabs(out->u - mean) - 0.5;
	out->z = (out->u > mean ? 1 : -1) * fmax(c, 0) / sqrt(var);
	out->p = fmin(1.0, 2 * ff_stat_norm_sf(fabs(out->z)));
	return FF_OK;
}

/* ---- Benjamini-Hochberg ----------------------------------------------------- */

static int
p_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const double *p = ctx;

	return (p[a] > p[b]) - (p[a] < p[b]);
}

ff_rc
ff_stat_bh(const double *p, double *q, size_t n)
{
	uint32_t *idx = ff_reallocarray(NULL, n ? n : 1, sizeof *idx);
	double *pc = ff_reallocarray(NULL, n ? n : 1, sizeof *pc), run = 1;
	size_t i;
	ff_rc rc;

	if (idx == NULL || pc == NULL) {
		ff_free(idx);
		ff_free(pc);
		return FF_ERR_NOMEM;
	}
	memcpy(pc, p, n * sizeof *pc);
	for (i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	if ((rc = ff_sort_ids(idx, n, p_cmp, pc)) == FF_OK) {
		/* q(k) = min over j >= k of p(j) * n / j, from the top. */
		for (i = n; i-- > 0;) {
			double v = pc[idx[i]] * (double)n / (double)(i + 1);

			run = fmin(run, v);
			q[idx[i]] = run;
		}
	}
	ff_free(idx);
	ff_free(pc);
	return rc;
}
