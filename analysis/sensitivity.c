/* sensitivity.c: Sobol indices and Morris screening with bootstrap
 * intervals (sensitivity.h).  Pure computation on arrays, GSL for the
 * generator and the quantiles; tested against the Ishigami function and
 * linear models in tests/unit/test_sensitivity.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sensitivity.h"

/* Rows j with every value finite: their indices into rows[], count
 * returned. */
static size_t finite_rows(const double *ya, const double *yb, const double *yab,
                          size_t n, size_t k, size_t *rows)
{
	size_t m = 0;
	for (size_t j = 0; j < n; j++) {
		int ok = isfinite(ya[j]) && isfinite(yb[j]);
		for (size_t i = 0; ok && i < k; i++)
			ok = isfinite(yab[j * k + i]);
		if (ok)
			rows[m++] = j;
	}
	return m;
}

/* The indices of input-row sample PICK[0..m) (row numbers into ya ...):
 * s1[i], st[i], and V returned.  Population variance over the 2m values,
 * as SALib, of the values less the first one: equal values give exactly
 * 0 (an output the design does not move has no indices), where their mean
 * would leave rounding noise. */
static double sobol_once(const double *ya, const double *yb, const double *yab,
                         size_t k, const size_t *pick, size_t m, double *s1,
                         double *st)
{
	double y0 = ya[pick[0]], mean = 0, v = 0;
	for (size_t q = 0; q < m; q++)
		mean += (ya[pick[q]] - y0) + (yb[pick[q]] - y0);
	mean /= (double)(2 * m);
	for (size_t q = 0; q < m; q++) {
		double da = ya[pick[q]] - y0 - mean, db = yb[pick[q]] - y0 - mean;
		v += da * da + db * db;
	}
	v /= (double)(2 * m);
	for (size_t i = 0; i < k; i++) {
		double a = 0, t = 0;
		for (size_t q = 0; q < m; q++) {
			size_t j = pick[q];
			double d = yab[j * k + i] - ya[j];
			a += yb[j] * d;
			t += d * d;
		}
		s1[i] = v > 0 ? a / (double)m / v : NAN;
		st[i] = v > 0 ? t / (2.0 * (double)m) / v : NAN;
	}
	return v;
}

/* The LEVEL percentile interval of x[0..n) (sorted here). */
static void percentile(double *x, size_t n, double level, double *lo, double *hi)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[m++] = x[i];
	if (m < 2) {
		*lo = *hi = NAN;
		return;
	}
	gsl_sort(x, 1, m);
	*lo = gsl_stats_quantile_from_sorted_data(x, 1, m, (1 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(x, 1, m, 1 - (1 - level) / 2);
}

static void resample(gsl_rng *g, const size_t *from, size_t m, size_t *to)
{
	for (size_t q = 0; q < m; q++)
		to[q] = from[gsl_rng_uniform_int(g, (unsigned long)m)];
}

static gsl_rng *boot_rng(uint64_t seed)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	if (g)
		gsl_rng_set(g, (unsigned long)(seed & 0xffffffffUL));
	return g;
}

static void sobol_nan(esc_sobol_index *out, size_t k)
{
	for (size_t i = 0; i < k; i++)
		out[i] = (esc_sobol_index){ NAN, NAN, NAN, NAN, NAN, NAN };
}

int esc_sens_sobol(const double *ya, const double *yb, const double *yab,
                   size_t n, size_t k, size_t resamples, double level,
                   uint64_t seed, esc_sobol_index *out, double *variance,
                   size_t *used)
{
	size_t *rows = malloc((n ? n : 1) * sizeof *rows);
	size_t *pick = malloc((n ? n : 1) * sizeof *pick);
	double *s1 = malloc((k ? k : 1) * sizeof *s1), *st = malloc((k ? k : 1) * sizeof *st);
	double *b1 = malloc((resamples ? resamples : 1) * (k ? k : 1) * sizeof *b1);
	double *bt = malloc((resamples ? resamples : 1) * (k ? k : 1) * sizeof *bt);
	gsl_rng *g = boot_rng(seed);
	int rc = rows && pick && s1 && st && b1 && bt && g ? 0 : -1;
	size_t m = rc ? 0 : finite_rows(ya, yb, yab, n, k, rows);
	double v = NAN;
	sobol_nan(out, k);
	if (rc == 0 && m >= 2) {
		v = sobol_once(ya, yb, yab, k, rows, m, s1, st);
		for (size_t b = 0; b < resamples; b++) {
			resample(g, rows, m, pick);
			sobol_once(ya, yb, yab, k, pick, m, b1 + b * k, bt + b * k);
		}
		double *col = malloc((resamples ? resamples : 1) * sizeof *col);
		for (size_t i = 0; col && i < k; i++) {
			esc_sobol_index *x = &out[i];
			x->s1 = s1[i];
			x->st = st[i];
			for (size_t b = 0; b < resamples; b++)
				col[b] = b1[b * k + i];
			percentile(col, resamples, level, &x->s1_lo, &x->s1_hi);
			for (size_t b = 0; b < resamples; b++)
				col[b] = bt[b * k + i];
			percentile(col, resamples, level, &x->st_lo, &x->st_hi);
		}
		rc = col ? 0 : -1;
		free(col);
	}
	if (variance)
		*variance = v;
	if (used)
		*used = m;
	free(rows);
	free(pick);
	free(s1);
	free(st);
	free(b1);
	free(bt);
	if (g)
		gsl_rng_free(g);
	return rc;
}

/* mu, mu* and sigma of the effects e[pick[q]] (q < m). */
static void morris_once(const double *e, const size_t *pick, size_t m,
                        double *mu, double *mu_star, double *sigma)
{
	double s = 0, a = 0;
	for (size_t q = 0; q < m; q++) {
		s += e[pick[q]];
		a += fabs(e[pick[q]]);
	}
	*mu = s / (double)m;
	*mu_star = a / (double)m;
	double ss = 0;
	for (size_t q = 0; q < m; q++) {
		double d = e[pick[q]] - *mu;
		ss += d * d;
	}
	*sigma = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
}

/* Input i's effects (column i of ee, NaN dropped) with their bootstrap. */
static int morris_input(const double *ee, size_t r, size_t k, size_t i,
                        size_t resamples, double level, gsl_rng *g,
                        esc_morris_index *x)
{
	double *e = malloc((r ? r : 1) * sizeof *e);
	size_t *rows = malloc((r ? r : 1) * sizeof *rows), *pick = malloc((r ? r : 1) * sizeof *pick);
	double *bm = malloc((resamples ? resamples : 1) * sizeof *bm);
	double *bs = malloc((resamples ? resamples : 1) * sizeof *bs);
	int rc = e && rows && pick && bm && bs ? 0 : -1;
	size_t m = 0;
	for (size_t t = 0; rc == 0 && t < r; t++)
		if (isfinite(ee[t * k + i])) {
			e[m] = ee[t * k + i];
			rows[m] = m;
			m++;
		}
	*x = (esc_morris_index){ NAN, NAN, NAN, NAN, NAN, NAN, NAN, (int64_t)m };
	if (rc == 0 && m >= 1)
		morris_once(e, rows, m, &x->mu, &x->mu_star, &x->sigma);
	if (rc == 0 && m >= 2) {
		double mu;
		for (size_t b = 0; b < resamples; b++) {
			resample(g, rows, m, pick);
			morris_once(e, pick, m, &mu, &bm[b], &bs[b]);
		}
		percentile(bm, resamples, level, &x->mu_star_lo, &x->mu_star_hi);
		percentile(bs, resamples, level, &x->sigma_lo, &x->sigma_hi);
	}
	free(e);
	free(rows);
	free(pick);
	free(bm);
	free(bs);
	return rc;
}

int esc_sens_morris(const double *ee, size_t r, size_t k, size_t resamples,
                    double level, uint64_t seed, esc_morris_index *out)
{
	gsl_rng *g = boot_rng(seed);
	int rc = g ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < k; i++)
		rc = morris_input(ee, r, k, i, resamples, level, g, &out[i]);
	if (g)
		gsl_rng_free(g);
	return rc;
}
