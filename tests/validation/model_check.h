/* model_check.h: what the model's validation tests share (test_poisson.c,
 * test_hawkes.c, test_regime.c): a sink that keeps every event row and daily
 * row of a replication, a loop over replications, and the statistics the
 * checks use (Student-t and normal intervals, the Wilson interval for a
 * proportion, the Kolmogorov-Smirnov distance to a known CDF, Pearson's
 * chi-square).  Each check prints what it measured, the interval and the
 * theory as TAP comments, then returns whether theory lies inside.
 *
 * Every interval is two-sided at LEVEL = 99.9%; a file that makes k checks
 * fails by chance with probability at most k/1000 (Bonferroni).
 *
 * Include after <cmocka.h> (it uses print_message and the assertions). */
#ifndef ESCSIM_MODEL_CHECK_H
#define ESCSIM_MODEL_CHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "escsim/model.h"

#define LEVEL 0.999
/* sqrt(n) D_n of the Kolmogorov-Smirnov test: P(sqrt(n) D > 1.949) = 0.001
 * for large n (Kolmogorov's limit law, K(1.949) = 0.999). */
#define KS_CRIT_0001 1.949

/* ---- collecting a replication's rows ------------------------------------ */

typedef struct collect {
	esc_event_row *ev;
	size_t n_ev, cap_ev;
	esc_daily_row *day;
	size_t n_day, cap_day;
} collect;

static inline int collect_event(void *self, const esc_event_row *row, esc_error *err)
{
	collect *c = self;
	if (c->n_ev == c->cap_ev) {
		size_t cap = c->cap_ev ? 2 * c->cap_ev : 1024;
		esc_event_row *p = realloc(c->ev, cap * sizeof *p);
		if (!p)
			return esc_error_set(err, ESC_ERR_RUNTIME, "test sink: out of memory");
		c->ev = p;
		c->cap_ev = cap;
	}
	c->ev[c->n_ev++] = *row;
	return 0;
}

static inline int collect_daily(void *self, const esc_daily_row *rows, size_t n, esc_error *err)
{
	collect *c = self;
	if (n > c->cap_day) {
		esc_daily_row *p = realloc(c->day, n * sizeof *p);
		if (!p)
			return esc_error_set(err, ESC_ERR_RUNTIME, "test sink: out of memory");
		c->day = p;
		c->cap_day = n;
	}
	memcpy(c->day, rows, n * sizeof *rows);
	c->n_day = n;
	return 0;
}

static inline void collect_free(collect *c)
{
	free(c->ev);
	free(c->day);
	memset(c, 0, sizeof *c);
}

/* One model and one set of streams, reused over replications as a batch
 * worker does; the sink keeps the last replication's rows. */
typedef struct runner {
	esc_model *m;
	esc_streams *s;
	collect c;
	esc_run_row row;
	esc_error err;
} runner;

static inline void runner_init(runner *r, const esc_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->m = esc_model_new(cfg, &r->err);
	if (!r->m)
		print_message("# esc_model_new: %s\n", r->err.msg);
	assert_non_null(r->m);
	r->s = esc_streams_new(NULL);
	assert_non_null(r->s);
	esc_model_sink sink = { .self = &r->c, .event = collect_event, .daily = collect_daily };
	esc_model_set_sink(r->m, &sink);
}

/* Run replication rep; no policy, so only background and triggered
 * incidents happen. */
static inline void runner_run(runner *r, const esc_policy *policy, uint64_t seed, uint64_t rep)
{
	r->c.n_ev = r->c.n_day = 0;
	int st = esc_model_run(r->m, policy, r->s, seed, rep, &r->row, &r->err);
	if (st)
		print_message("# esc_model_run: %s\n", r->err.msg);
	assert_int_equal(st, 0);
}

static inline void runner_free(runner *r)
{
	esc_model_free(r->m);
	esc_streams_free(r->s);
	collect_free(&r->c);
}

/* ---- intervals ---------------------------------------------------------- */

static inline int report(const char *what, double est, double half, double want)
{
	int ok = fabs(est - want) <= half;
	print_message("# %-40s %.5f +- %.5f (99.9%%), theory %.5f%s\n", what, est, half, want,
	              ok ? "" : "  OUTSIDE");
	return ok;
}

/* Student-t interval over n independent replication values. */
static inline int covers_t(const char *what, const double *x, size_t n, double want)
{
	double m = gsl_stats_mean(x, 1, n), sd = gsl_stats_sd_m(x, 1, n, m);
	double half = gsl_cdf_tdist_Pinv(1 - (1 - LEVEL) / 2, (double)(n - 1)) * sd / sqrt((double)n);
	return report(what, m, half, want);
}

/* Normal interval for a mean of n i.i.d. values with standard deviation sd. */
static inline int covers_z(const char *what, double mean, double sd, double n, double want)
{
	double half = gsl_cdf_ugaussian_Pinv(1 - (1 - LEVEL) / 2) * sd / sqrt(n);
	return report(what, mean, half, want);
}

/* Wilson score interval for a proportion of k successes in n trials. */
static inline int covers_wilson(const char *what, double k, double n, double want)
{
	double z = gsl_cdf_ugaussian_Pinv(1 - (1 - LEVEL) / 2), p = k / n;
	double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
	double half = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n));
	int ok = fabs(centre - want) <= half;
	print_message("# %-40s %.5f in [%.5f, %.5f] (99.9%% Wilson, n = %.0f), theory %.5f%s\n",
	              what, p, centre - half, centre + half, n, want, ok ? "" : "  OUTSIDE");
	return ok;
}

/* ---- goodness of fit ---------------------------------------------------- */

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov: sorts x[0..n) and returns sqrt(n) sup |F_n - F| for
 * the continuous CDF cdf(x, par). */
static inline double ks_sqrt_n_d(double *x, size_t n, double (*cdf)(double, const void *),
                                 const void *par)
{
	qsort(x, n, sizeof *x, cmp_double);
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double f = cdf(x[i], par);
		double hi = (double)(i + 1) / (double)n - f, lo = f - (double)i / (double)n;
		if (hi > d)
			d = hi;
		if (lo > d)
			d = lo;
	}
	return sqrt((double)n) * d;
}

static inline int ks_passes(const char *what, double *x, size_t n,
                            double (*cdf)(double, const void *), const void *par)
{
	double k = ks_sqrt_n_d(x, n, cdf, par);
	int ok = k <= KS_CRIT_0001;
	print_message("# %-40s KS sqrt(n) D = %.3f, n = %zu (reject above %.3f at 0.001)%s\n",
	              what, k, n, KS_CRIT_0001, ok ? "" : "  REJECTED");
	return ok;
}

/* Pearson's chi-square of observed counts against expected counts over k
 * bins (every expected count >= 5), with k - 1 degrees of freedom: passes
 * when the statistic is below the 0.999 quantile. */
static inline int chisq_passes(const char *what, const double *obs, const double *expect, size_t k)
{
	double x2 = 0, min_e = INFINITY;
	for (size_t i = 0; i < k; i++) {
		x2 += (obs[i] - expect[i]) * (obs[i] - expect[i]) / expect[i];
		if (expect[i] < min_e)
			min_e = expect[i];
	}
	double crit = gsl_cdf_chisq_Pinv(LEVEL, (double)(k - 1));
	int ok = x2 <= crit && min_e >= 5;
	print_message("# %-40s chi-square %.2f, %zu df (reject above %.2f at 0.001; min expected %.1f)%s\n",
	              what, x2, k - 1, crit, min_e, ok ? "" : "  REJECTED");
	return ok;
}

#endif
