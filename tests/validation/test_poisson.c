/* test_poisson.c: a background generator against the homogeneous Poisson
 * process (MR 6.7, first row).
 *
 * One generator A -> B at rate lambda, no regime chain, no self-excitation,
 * no policy: the incidents of a replication over [0, T] must be a Poisson
 * process of rate lambda.  Incidents are collected through the model's event
 * sink.  Two consequences are checked, each at 99.9%:
 *
 * Counts.  N(T) ~ Poisson(mu), mu = lambda T, independently across
 * replications.  Over R replications:
 *   - mean:  |mean - mu| <= z(0.9995) sqrt(mu / R)  (the CLT, with the
 *     Poisson variance, on R = 10^4 counts);
 *   - variance: the index of dispersion (R - 1) s^2 / mean is chi-square
 *     with R - 1 degrees of freedom for Poisson counts (Fisher); two-sided,
 *     between the 0.0005 and 0.9995 quantiles;
 *   - distribution: Pearson's chi-square of the count histogram against the
 *     Poisson(mu) probabilities, tails pooled so that every bin expects at
 *     least 5, with bins - 1 degrees of freedom (mu is not estimated).
 *
 * Gaps.  Inter-arrival times are i.i.d. Exp(lambda).  The gaps of R
 * replications are pooled (the first gap runs from 0; the censored stretch
 * from the last incident to T is left out) and compared with the exact
 * exponential CDF by the Kolmogorov-Smirnov statistic, computed here from
 * the sorted gaps; sqrt(n) D must stay below 1.949, Kolmogorov's 0.001
 * critical value.  Leaving out the censored stretch biases the pooled CDF by
 * at most about 0.37 / (lambda T) per point (the stopping rule favours short
 * gaps): with lambda T = 5000 and R = 40 that moves sqrt(n) D by at most
 * 0.37 sqrt(R / (lambda T)) = 0.03, negligible against 1.949; for the same
 * reason the pooled mean gap is 1/lambda (1 - 1/(lambda T)), 0.02% low.
 * The mean gap gets a normal interval with the exponential's sd 1/lambda.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "escsim/model.h"
#include "model_check.h"

enum { A, B };

/* Parties A and B, one zone, one type; one generator A -> B. */
static void poisson_config(esc_config *cfg, double rate_per_h, double horizon_h)
{
	assert_int_equal(esc_config_alloc(cfg, 2, 1, 1, 1, NULL), 0);
	strcpy(cfg->parties[A].name, "A");
	strcpy(cfg->parties[B].name, "B");
	strcpy(cfg->zones[0], "Z");
	strcpy(cfg->types[0].name, "strike");
	cfg->types[0].level = 5;
	cfg->generators[0] = (esc_generator){ .actor = A, .target = B, .type = 0, .zone = 0,
	                                      .rate_per_h = rate_per_h };
	cfg->horizon_h = horizon_h;
}

/* Every row is a background incident of the generator, in time order. */
static void check_rows(const runner *r, double horizon_h)
{
	assert_int_equal(r->c.n_ev, (size_t)r->row.incidents);
	assert_int_equal(r->row.events_total, r->row.incidents);
	double t_prev = 0;
	for (size_t i = 0; i < r->c.n_ev; i++) {
		const esc_event_row *e = &r->c.ev[i];
		assert_int_equal(e->kind, ESC_EVENT_INCIDENT);
		assert_int_equal(e->cause, ESC_CAUSE_BACKGROUND);
		assert_int_equal(e->parent_id, -1);
		assert_int_equal(e->root_id, e->id);
		assert_int_equal(e->actor, A);
		assert_int_equal(e->target, B);
		assert_true(e->t_h >= t_prev && e->t_h <= horizon_h);
		t_prev = e->t_h;
	}
}

static void test_counts_are_poisson(void **state)
{
	(void)state;
	const double lambda = 0.5, T = 20.0, mu = lambda * T;
	const int R = 10000;
	esc_config cfg;
	poisson_config(&cfg, lambda, T);
	runner run;
	runner_init(&run, &cfg);
	int *count = malloc(R * sizeof *count);
	double *x = malloc(R * sizeof *x);
	assert_non_null(count);
	assert_non_null(x);
	int kmax = 0;
	for (int r = 0; r < R; r++) {
		runner_run(&run, NULL, 20250101, (uint64_t)r);
		check_rows(&run, T);
		count[r] = (int)run.row.incidents;
		x[r] = count[r];
		if (count[r] > kmax)
			kmax = count[r];
	}
	print_message("# Poisson counts: lambda %g /h, T %g h, %d replications\n", lambda, T, R);

	double mean = gsl_stats_mean(x, 1, R), var = gsl_stats_variance_m(x, 1, R, mean);
	int ok = covers_z("mean count", mean, sqrt(mu), R, mu);

	double disp = (R - 1) * var / mean;
	double lo = gsl_cdf_chisq_Pinv((1 - LEVEL) / 2, R - 1);
	double hi = gsl_cdf_chisq_Pinv(1 - (1 - LEVEL) / 2, R - 1);
	int disp_ok = disp >= lo && disp <= hi;
	print_message("# %-40s %.5f (variance %.4f, theory %.4f); index of dispersion %.1f in [%.1f, %.1f]%s\n",
	              "variance / mean", var / mean, var, mu, disp, lo, hi, disp_ok ? "" : "  OUTSIDE");
	ok &= disp_ok;

	/* Histogram against Poisson(mu): a lower bin 0..k0, single values, and an
	 * upper bin k1.., each expecting >= 5 counts. */
	double obs[64] = {0}, exp_[64] = {0};
	int k0 = 0;
	while (R * gsl_cdf_poisson_P((unsigned)k0, mu) < 5)
		k0++;
	int k1 = k0 + 1;     /* first value of the upper bin */
	while (R * gsl_cdf_poisson_Q((unsigned)k1, mu) >= 5)   /* P(X > k1) */
		k1++;
	size_t nb = (size_t)(k1 - k0 + 1);
	assert_true(nb <= 64);
	exp_[0] = R * gsl_cdf_poisson_P((unsigned)k0, mu);
	for (int k = k0 + 1; k < k1; k++)
		exp_[k - k0] = R * gsl_ran_poisson_pdf((unsigned)k, mu);
	exp_[nb - 1] = R * (1 - gsl_cdf_poisson_P((unsigned)(k1 - 1), mu));
	for (int r = 0; r < R; r++) {
		int k = count[r];
		obs[k <= k0 ? 0 : k >= k1 ? nb - 1 : (size_t)(k - k0)]++;
	}
	print_message("# bins: <= %d, %d..%d, >= %d\n", k0, k0 + 1, k1 - 1, k1);
	ok &= chisq_passes("count histogram vs Poisson(mu)", obs, exp_, nb);

	free(count);
	free(x);
	runner_free(&run);
	esc_config_free(&cfg);
	assert_true(ok);
}

static double exp_cdf(double x, const void *par)
{
	return -expm1(-*(const double *)par * x);
}

static void test_gaps_are_exponential(void **state)
{
	(void)state;
	const double lambda = 0.25, T = 20000.0;
	const int R = 40;
	esc_config cfg;
	poisson_config(&cfg, lambda, T);
	runner run;
	runner_init(&run, &cfg);
	size_t n = 0, cap = (size_t)(R * lambda * T * 1.1);
	double *gap = malloc(cap * sizeof *gap);
	double *count = malloc(R * sizeof *count);
	assert_non_null(gap);
	assert_non_null(count);
	for (int r = 0; r < R; r++) {
		runner_run(&run, NULL, 20250102, (uint64_t)r);
		check_rows(&run, T);
		/* The daily series counts the same incidents. */
		int64_t daily = 0;
		for (size_t d = 0; d < run.c.n_day; d++) {
			assert_int_equal(run.c.day[d].day, (int32_t)d);
			assert_int_equal(run.c.day[d].regime, -1);
			daily += run.c.day[d].incidents;
		}
		assert_int_equal(run.c.n_day, (size_t)ceil(T / 24));
		assert_int_equal(daily, run.row.incidents);
		double t_prev = 0;
		for (size_t i = 0; i < run.c.n_ev; i++) {
			if (n == cap) {
				cap *= 2;
				gap = realloc(gap, cap * sizeof *gap);
				assert_non_null(gap);
			}
			gap[n++] = run.c.ev[i].t_h - t_prev;
			t_prev = run.c.ev[i].t_h;
		}
		count[r] = (double)run.row.incidents;
	}
	print_message("# Poisson gaps: lambda %g /h, T %g h, %d replications\n", lambda, T, R);
	int ok = covers_z("mean count per replication", gsl_stats_mean(count, 1, R),
	                  sqrt(lambda * T), R, lambda * T);
	double mean_gap = gsl_stats_mean(gap, 1, n);
	ok &= covers_z("mean gap (h)", mean_gap, 1 / lambda, (double)n, 1 / lambda);
	ok &= ks_passes("gaps vs Exp(lambda)", gap, n, exp_cdf, &lambda);
	free(gap);
	free(count);
	runner_free(&run);
	esc_config_free(&cfg);
	assert_true(ok);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_are_poisson),
		cmocka_unit_test(test_gaps_are_exponential),
	};
	return cmocka_run_group_tests_name("poisson", tests, NULL, NULL);
}
