/* stats.c: the report's statistics (stats.h): t intervals, Wilson
 * intervals, McNemar's test, quantiles with order-statistic intervals and
 * the Kaplan-Meier curve.  GSL does the distributions; its error handler is
 * off (main), and every argument is checked here before it reaches GSL. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

static const esc_interval none = { NAN, NAN, NAN, NAN, 0 };

static double z_of(double level)
{
	return gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
}

/* The mean as a compensated (Neumaier) sum over n: exact for counts, so
 * paired differences that cancel (+1 in one replication, -1 in another)
 * give a mean of exactly 0, where GSL's running mean leaves a residue such
 * as -6.3e-22 that the report would print as a difference. */
static double mean_of(const double *x, size_t n)
{
	double s = 0, c = 0;
	for (size_t i = 0; i < n; i++) {
		double t = s + x[i];
		c += fabs(s) >= fabs(x[i]) ? (s - t) + x[i] : (x[i] - t) + s;
		s = t;
	}
	return (s + c) / (double)n;
}

esc_interval esc_stat_mean_t(const double *x, size_t n, double level)
{
	esc_interval e = none;
	e.n = (int64_t)n;
	if (n == 0)
		return e;
	e.est = mean_of(x, n);
	if (n < 2)
		return e;
	e.sd = gsl_stats_sd_m(x, 1, n, e.est);
	double h = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1)) *
	           e.sd / sqrt((double)n);
	e.lo = e.est - h;
	e.hi = e.est + h;
	return e;
}

esc_interval esc_stat_ratio_t(const double *x, const double *y, double *work, size_t n,
                              double level)
{
	esc_interval e = none;
	e.n = (int64_t)n;
	if (n == 0)
		return e;
	double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, n);
	if (my == 0)
		return e;
	e.est = mx / my;
	if (n < 2)
		return e;
	/* Delta method: the ratio's error is that of mean(x - R y) / mean(y). */
	for (size_t i = 0; i < n; i++)
		work[i] = x[i] - e.est * y[i];
	e.sd = gsl_stats_sd_m(work, 1, n, 0.0) / fabs(my);
	double h = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1)) * e.sd / sqrt((double)n);
	e.lo = e.est - h;
	e.hi = e.est + h;
	return e;
}

double esc_stat_t_pvalue(const double *x, size_t n)
{
	if (n < 2)
		return NAN;
	double m = mean_of(x, n);
	double sd = gsl_stats_sd_m(x, 1, n, m);
	if (sd == 0)
		return m == 0 ? 1.0 : 0.0;
	double t = m / (sd / sqrt((double)n));
	return 2 * gsl_cdf_tdist_Q(fabs(t), (double)(n - 1));
}

esc_interval esc_stat_wilson(int64_t k, int64_t n, double level)
{
	esc_interval e = none;
	e.n = n;
	if (n <= 0 || k < 0 || k > n)
		return e;
	double p = (double)k / (double)n, z = z_of(level), nn = (double)n;
	double z2n = z * z / nn;
	double centre = (p + z2n / 2) / (1 + z2n);
	double half = z / (1 + z2n) * sqrt(p * (1 - p) / nn + z2n / (4 * nn));
	e.est = p;
	e.lo = centre - half < 0 ? 0 : centre - half;
	e.hi = centre + half > 1 ? 1 : centre + half;
	e.sd = sqrt(p * (1 - p));
	return e;
}

esc_mcnemar esc_stat_mcnemar(int64_t b, int64_t c)
{
	esc_mcnemar m = { b, c, NAN, 1.0, 0 };
	int64_t d = b + c;
	if (d <= 0)
		return m;
	double diff = fabs((double)(b - c)) - (b != c ? 1.0 : 0.0);
	m.chi2 = diff * diff / (double)d;
	if (d < 25) {
		m.exact = 1;
		unsigned lo = (unsigned)(b < c ? b : c);
		double p = 2 * gsl_cdf_binomial_P(lo, 0.5, (unsigned)d);
		m.p = p > 1 ? 1 : p;
	} else {
		m.p = gsl_cdf_chisq_Q(m.chi2, 1.0);
	}
	return m;
}

/* Smallest k in 0..n with P(X <= k) >= q, X ~ Bin(n, p). */
static size_t qbinom(double q, size_t n, double p)
{
	for (size_t k = 0; k < n; k++)
		if (gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n) >= q)
			return k;
	return n;
}

esc_interval esc_stat_quantile(const double *sorted, size_t n, double p,
                               double level)
{
	esc_interval e = none;
	e.n = (int64_t)n;
	if (n == 0 || !(p >= 0 && p <= 1))
		return e;
	double h = (double)(n - 1) * p;
	size_t i = (size_t)floor(h);
	double frac = h - (double)i;
	e.est = i + 1 < n ? sorted[i] + frac * (sorted[i + 1] - sorted[i])
	                  : sorted[n - 1];
	size_t l = qbinom((1 - level) / 2, n, p);       /* 1-based order stat */
	size_t u = qbinom(0.5 + level / 2, n, p) + 1;
	if (l >= 1)
		e.lo = sorted[l - 1];
	if (u <= n)
		e.hi = sorted[u - 1];
	return e;
}

static int cmp_time(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One step of the curve: the point at time TI with D events and C censored
 * among the AT_RISK still at risk, and the running product S, Greenwood
 * sum and "reached 0" flag it updates.  esc_stat_km and esc_stat_km_sorted
 * both go through it, so their numbers are the same bit for bit. */
typedef struct km_state {
	double z, s, greenwood;
	int64_t at_risk;
	int dead;           /* S reached 0: the band is [0, 0] from there */
} km_state;

static esc_km_point km_step(km_state *k, double ti, int64_t d, int64_t c)
{
	esc_km_point p = { ti, k->at_risk, d, c, k->s, NAN, NAN };
	if (d > 0) {
		if (d == k->at_risk) {
			k->dead = 1;
			k->s = 0;
		} else {
			k->s *= 1 - (double)d / (double)k->at_risk;
			k->greenwood += (double)d /
			                ((double)k->at_risk * (double)(k->at_risk - d));
		}
	}
	p.s = k->s;
	if (k->dead) {
		p.lo = p.hi = 0;
	} else if (k->s >= 1 || k->greenwood == 0) {
		p.lo = p.hi = k->s;
	} else {
		double se = sqrt(k->greenwood) / fabs(log(k->s));
		p.lo = pow(k->s, exp(k->z * se));
		p.hi = pow(k->s, exp(-k->z * se));
	}
	k->at_risk -= d + c;
	return p;
}

size_t esc_stat_km(const double *t, const int *event, size_t n, double level,
                   esc_km_point *out)
{
	km_state k = { z_of(level), 1, 0, (int64_t)n, 0 };
	out[0] = (esc_km_point){ 0, (int64_t)n, 0, 0, 1, 1, 1 };
	size_t np = 1;
	if (n == 0)
		return np;
	/* Sort (time, event) pairs by time: two doubles each. */
	double *v = malloc(2 * n * sizeof *v);
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++) {
		v[2 * i] = t[i];
		v[2 * i + 1] = event[i] ? 1 : 0;
	}
	qsort(v, n, 2 * sizeof *v, cmp_time);
	for (size_t i = 0; i < n; ) {
		double ti = v[2 * i];
		int64_t d = 0, c = 0;
		size_t j = i;
		for (; j < n && v[2 * j] == ti; j++) {
			if (v[2 * j + 1] != 0)
				d++;
			else
				c++;
		}
		out[np++] = km_step(&k, ti, d, c);
		i = j;
	}
	free(v);
	return np;
}

size_t esc_stat_km_sorted(const double *ev, size_t m, double t_cens,
                          size_t n_cens, double level, esc_km_fn fn,
                          void *ctx)
{
	size_t n = m + n_cens;
	km_state k = { z_of(level), 1, 0, (int64_t)n, 0 };
	esc_km_point p0 = { 0, (int64_t)n, 0, 0, 1, 1, 1 };
	fn(&p0, ctx);
	size_t np = 1, i = 0;
	int cens_left = n_cens > 0;
	while (i < m || cens_left) {
		/* The next distinct time: an event time or the censoring time,
		 * whichever comes first (both when equal). */
		int ev_first = i < m && (!cens_left || ev[i] <= t_cens);
		double ti = ev_first ? ev[i] : t_cens;
		int64_t d = 0, c = 0;
		if (ev_first) {         /* at least one, so a NaN cannot stall */
			d = 1;
			i++;
		}
		for (; i < m && ev[i] == ti; i++)
			d++;
		if (cens_left && (!ev_first || t_cens == ti)) {
			c = (int64_t)n_cens;
			cens_left = 0;
		}
		esc_km_point p = km_step(&k, ti, d, c);
		fn(&p, ctx);
		np++;
	}
	return np;
}

void esc_stat_km_median_add(esc_interval *e, const esc_km_point *p, int first)
{
	if (first) {
		*e = none;
		e->n = p->at_risk;
	}
	if (isnan(e->est) && p->s <= 0.5)
		e->est = p->t;
	if (isnan(e->lo) && p->lo <= 0.5)
		e->lo = p->t;
	if (isnan(e->hi) && p->hi <= 0.5)
		e->hi = p->t;
}

esc_interval esc_stat_km_median(const esc_km_point *km, size_t n_points)
{
	esc_interval e = none;
	for (size_t i = 0; i < n_points; i++)
		esc_stat_km_median_add(&e, &km[i], i == 0);
	return e;
}
