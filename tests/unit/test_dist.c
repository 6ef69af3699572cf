/* test_dist.c: distributions as scenario authors write them.
 *
 * Every bad parameter is refused with its message; every distribution's
 * sample mean (and, where the tails allow, variance) agrees with the analytic
 * value within a 99.9% confidence interval; zinb's zero fraction and the
 * discrete frequencies are checked the same way.  Seeds are fixed, so each
 * run is the same run; tolerances come from the intervals, never tuned.
 *
 * GSL's default error handler (abort) is left on here on purpose: if dist.c
 * let any GSL function raise an error, this program would abort and fail.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>

#include "escsim/dist.h"
#include "escsim/rng.h"

/* ---- refusals ---- */

typedef struct bad_case {
	esc_dist_kind kind;
	double a, b, c;
	const char *msg;
} bad_case;

static const bad_case bad[] = {
	{ ESC_DIST_CONSTANT, NAN, 0, 0, "constant: value must be finite, got nan" },
	{ ESC_DIST_CONSTANT, INFINITY, 0, 0, "constant: value must be finite, got inf" },
	{ ESC_DIST_CONSTANT, -INFINITY, 0, 0, "constant: value must be finite, got -inf" },
	{ ESC_DIST_EXPONENTIAL, 0, 0, 0, "exponential: mean must be finite and > 0, got 0" },
	{ ESC_DIST_EXPONENTIAL, -1, 0, 0, "exponential: mean must be finite and > 0, got -1" },
	{ ESC_DIST_EXPONENTIAL, INFINITY, 0, 0, "exponential: mean must be finite and > 0, got inf" },
	{ ESC_DIST_EXPONENTIAL, NAN, 0, 0, "exponential: mean must be finite and > 0, got nan" },
	{ ESC_DIST_LOGNORMAL, 0, 1, 0, "lognormal: median must be finite and > 0, got 0" },
	{ ESC_DIST_LOGNORMAL, -2, 1, 0, "lognormal: median must be finite and > 0, got -2" },
	{ ESC_DIST_LOGNORMAL, 1, -1, 0, "lognormal: sigma must be finite and > 0, got -1" },
	{ ESC_DIST_LOGNORMAL, 1, 0, 0, "lognormal: sigma must be finite and > 0, got 0" },
	{ ESC_DIST_LOGNORMAL, 1, NAN, 0, "lognormal: sigma must be finite and > 0, got nan" },
	{ ESC_DIST_GAMMA, 0, 1, 0, "gamma: shape must be finite and > 0, got 0" },
	{ ESC_DIST_GAMMA, INFINITY, 1, 0, "gamma: shape must be finite and > 0, got inf" },
	{ ESC_DIST_GAMMA, 2, -2, 0, "gamma: scale must be finite and > 0, got -2" },
	{ ESC_DIST_GAMMA, 2, 0, 0, "gamma: scale must be finite and > 0, got 0" },
	{ ESC_DIST_WEIBULL, -1, 1, 0, "weibull: scale must be finite and > 0, got -1" },
	{ ESC_DIST_WEIBULL, 1, 0, 0, "weibull: shape must be finite and > 0, got 0" },
	{ ESC_DIST_WEIBULL, 1, NAN, 0, "weibull: shape must be finite and > 0, got nan" },
	{ ESC_DIST_POISSON, -1, 0, 0, "poisson: mean must be finite and >= 0, got -1" },
	{ ESC_DIST_POISSON, INFINITY, 0, 0, "poisson: mean must be finite and >= 0, got inf" },
	{ ESC_DIST_POISSON, NAN, 0, 0, "poisson: mean must be finite and >= 0, got nan" },
	{ ESC_DIST_NEGBIN, -0.5, 1, 0, "negbin: mean must be finite and >= 0, got -0.5" },
	{ ESC_DIST_NEGBIN, 2, 0, 0, "negbin: dispersion must be finite and > 0, got 0" },
	{ ESC_DIST_NEGBIN, 2, -3, 0, "negbin: dispersion must be finite and > 0, got -3" },
	{ ESC_DIST_NEGBIN, 2, INFINITY, 0, "negbin: dispersion must be finite and > 0, got inf" },
	{ ESC_DIST_ZINB, -0.1, 2, 1, "zinb: zero must be in [0, 1], got -0.1" },
	{ ESC_DIST_ZINB, 1.5, 2, 1, "zinb: zero must be in [0, 1], got 1.5" },
	{ ESC_DIST_ZINB, NAN, 2, 1, "zinb: zero must be in [0, 1], got nan" },
	{ ESC_DIST_ZINB, 0.5, -1, 1, "zinb: mean must be finite and >= 0, got -1" },
	{ ESC_DIST_ZINB, 0.5, INFINITY, 1, "zinb: mean must be finite and >= 0, got inf" },
	{ ESC_DIST_ZINB, 0.5, 2, 0, "zinb: dispersion must be finite and > 0, got 0" },
	{ ESC_DIST_ZINB, 0.5, 2, NAN, "zinb: dispersion must be finite and > 0, got nan" },
	{ ESC_DIST_DISCRETE, 1, 1, 1, "discrete: weights are given through esc_dist_init_discrete" },
	{ (esc_dist_kind)42, 1, 1, 1, "unknown distribution kind 42" },
	{ (esc_dist_kind)-1, 1, 1, 1, "unknown distribution kind -1" },
};

static void test_bad_parameters_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		esc_error err;
		esc_error_clear(&err);
		esc_dist d;
		memset(&d, 0xab, sizeof d);         /* init must not rely on d */
		int rc = esc_dist_init(&d, bad[i].kind, bad[i].a, bad[i].b, bad[i].c, &err);
		if (rc != ESC_ERR_INPUT || strcmp(err.msg, bad[i].msg) != 0)
			fail_msg("case %zu: rc %d, message \"%s\", want \"%s\"", i, rc, err.msg, bad[i].msg);
		assert_int_equal(err.status, ESC_ERR_INPUT);
		assert_int_equal(d.kind, ESC_DIST_NONE);   /* refused: NONE, safe to free */
		esc_dist_free(&d);
		/* err may be NULL: same verdict, nothing written. */
		assert_int_equal(esc_dist_init(&d, bad[i].kind, bad[i].a, bad[i].b, bad[i].c, NULL),
		                 ESC_ERR_INPUT);
	}
}

static void test_bad_discrete_refused(void **state)
{
	(void)state;
	struct { double w[3]; size_t n; const char *msg; } cases[] = {
		{ { 1, 1, 1 }, 0, "discrete: needs at least one weight, got 0" },
		{ { 1, -1, 1 }, 3, "discrete: weight 1 must be finite and >= 0, got -1" },
		{ { 1, 1, NAN }, 3, "discrete: weight 2 must be finite and >= 0, got nan" },
		{ { INFINITY, 1, 1 }, 3, "discrete: weight 0 must be finite and >= 0, got inf" },
		{ { 0, 0, 0 }, 3, "discrete: weights must have a finite sum > 0, got 0" },
		{ { 1e308, 1e308, 0 }, 3, "discrete: weights must have a finite sum > 0, got inf" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_error err;
		esc_error_clear(&err);
		esc_dist d;
		int rc = esc_dist_init_discrete(&d, cases[i].w, cases[i].n, &err);
		if (rc != ESC_ERR_INPUT || strcmp(err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: rc %d, message \"%s\", want \"%s\"", i, rc, err.msg, cases[i].msg);
		assert_int_equal(d.kind, ESC_DIST_NONE);
		assert_null(d.weights);
		assert_null(d.table);
		esc_dist_free(&d);
		assert_int_equal(esc_dist_init_discrete(&d, cases[i].w, cases[i].n, NULL), ESC_ERR_INPUT);
	}
	esc_dist d;
	assert_int_equal(esc_dist_init_discrete(&d, NULL, 3, NULL), ESC_ERR_INPUT);
}

static void test_good_parameters_accepted(void **state)
{
	(void)state;
	esc_dist d;
	esc_error err;
	/* The domain edges that are allowed. */
	assert_int_equal(esc_dist_init(&d, ESC_DIST_CONSTANT, -3.5, NAN, NAN, NULL), 0);
	assert_true(d.b == 0 && d.c == 0);       /* unused parameters are zeroed */
	assert_int_equal(esc_dist_init(&d, ESC_DIST_POISSON, 0, 0, 0, NULL), 0);
	assert_int_equal(esc_dist_init(&d, ESC_DIST_NEGBIN, 0, 0.5, 0, NULL), 0);
	assert_int_equal(esc_dist_init(&d, ESC_DIST_ZINB, 0, 0, 1, NULL), 0);
	assert_int_equal(esc_dist_init(&d, ESC_DIST_ZINB, 1, 2, 1, &err), 0);
	assert_int_equal(esc_dist_init(&d, ESC_DIST_NONE, 0, 0, 0, &err), 0);
	assert_int_equal(d.kind, ESC_DIST_NONE);
	assert_true(isnan(esc_dist_mean(&d)));
	esc_dist_free(&d);
}

static void test_free_and_names(void **state)
{
	(void)state;
	esc_dist d;
	memset(&d, 0, sizeof d);
	esc_dist_free(&d);                    /* zeroed: no-op */
	esc_dist_free(&d);
	esc_dist_free(NULL);
	assert_int_equal(esc_dist_init(&d, ESC_DIST_NONE, 0, 0, 0, NULL), 0);
	esc_dist_free(&d);
	double w[] = { 1, 2 };
	assert_int_equal(esc_dist_init_discrete(&d, w, 2, NULL), 0);
	esc_dist_free(&d);
	esc_dist_free(&d);                    /* freed is zeroed: no-op again */
	assert_int_equal(d.kind, ESC_DIST_NONE);

	assert_string_equal(esc_dist_kind_name(ESC_DIST_NONE), "none");
	assert_string_equal(esc_dist_kind_name(ESC_DIST_LOGNORMAL), "lognormal");
	assert_string_equal(esc_dist_kind_name(ESC_DIST_ZINB), "zinb");
	assert_string_equal(esc_dist_kind_name(ESC_DIST_DISCRETE), "discrete");
	assert_string_equal(esc_dist_kind_name((esc_dist_kind)99), "unknown");
	assert_string_equal(esc_dist_kind_name((esc_dist_kind)-1), "unknown");
}

static gsl_rng *rng_for(const char *what)
{
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	assert_non_null(r);
	gsl_rng_set(r, (unsigned long)esc_rng_stream_seed(20240601, 0, what));
	return r;
}

static void test_copy(void **state)
{
	(void)state;
	esc_dist src, dst;
	double w[] = { 0.2, 0, 0.8 };
	assert_int_equal(esc_dist_init_discrete(&src, w, 3, NULL), 0);
	assert_int_equal(esc_dist_copy(&dst, &src, NULL), 0);
	assert_true(dst.weights != src.weights && dst.table != src.table);
	w[0] = 100;                            /* src owns a copy of the caller's weights */
	assert_true(src.weights[0] == 0.2);
	gsl_rng *r1 = rng_for("copy"), *r2 = rng_for("copy");
	for (int i = 0; i < 1000; i++)
		assert_true(esc_dist_sample(&src, r1) == esc_dist_sample(&dst, r2));
	esc_dist_free(&src);                   /* dst survives its source */
	for (int i = 0; i < 1000; i++) {
		double x = esc_dist_sample(&dst, r1);
		assert_true(x == 0 || x == 2);
	}
	esc_dist_free(&dst);

	assert_int_equal(esc_dist_init(&src, ESC_DIST_GAMMA, 2, 3, 0, NULL), 0);
	assert_int_equal(esc_dist_copy(&dst, &src, NULL), 0);
	assert_int_equal(dst.kind, ESC_DIST_GAMMA);
	assert_true(dst.a == 2 && dst.b == 3);
	assert_int_equal(esc_dist_copy(&dst, &dst, NULL), 0);
	esc_dist_free(&dst);
	esc_dist_free(&src);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

/* ---- moments ----
 *
 * With n independent draws of finite variance sigma^2, the sample mean is
 * approximately N(mu, sigma^2 / n) (central limit theorem), so
 *   P(|mean - mu| > z sigma / sqrt(n)) = 0.001  for z = Phi^-1(0.9995) = 3.2905.
 * sigma is replaced by the sample sd s: with n = 10^5 the t quantile with
 * n - 1 degrees of freedom equals z to four digits.  Hence the tolerance
 * 3.29 s / sqrt(n) is a two-sided 99.9% interval.
 *
 * The sample variance s^2 is likewise approximately normal with variance
 * (mu4 - sigma^4) / n, mu4 the fourth central moment, estimated by its sample
 * value; this is checked only for distributions whose fourth moment is
 * moderate, where the estimate is reliable at n = 10^5. */

enum { N_DRAWS = 100000 };

typedef struct moments {
	double mean, var, m4;
} moments;

static moments sample_moments(const esc_dist *d, gsl_rng *r, double *x)
{
	moments m = { 0, 0, 0 };
	for (int i = 0; i < N_DRAWS; i++) {
		x[i] = esc_dist_sample(d, r);
		m.mean += x[i];
	}
	m.mean /= N_DRAWS;
	for (int i = 0; i < N_DRAWS; i++) {
		double e = x[i] - m.mean, e2 = e * e;
		m.var += e2;
		m.m4 += e2 * e2;
	}
	m.var /= N_DRAWS - 1;
	m.m4 /= N_DRAWS;
	return m;
}

typedef struct moment_case {
	esc_dist_kind kind;
	double a, b, c;
	double mean;        /* analytic, written out here independently of dist.c */
	double var;         /* analytic; NAN: not checked (heavy fourth moment) */
} moment_case;

static void test_means_and_variances(void **state)
{
	(void)state;
	const double z = gsl_cdf_ugaussian_Pinv(0.9995);   /* 3.2905 */
	const double g1 = tgamma(1 + 1 / 1.5), g2 = tgamma(1 + 2 / 1.5);
	const double g1s = tgamma(1 + 1 / 0.7);
	const moment_case cases[] = {
		{ ESC_DIST_EXPONENTIAL, 2.5, 0, 0, 2.5, 2.5 * 2.5 },
		{ ESC_DIST_LOGNORMAL, 2, 0.5, 0, 2 * exp(0.125), 4 * exp(0.25) * (exp(0.25) - 1) },
		{ ESC_DIST_LOGNORMAL, 0.5, 1.2, 0, 0.5 * exp(0.72), NAN },
		{ ESC_DIST_GAMMA, 2.5, 2, 0, 5, 2.5 * 4 },
		{ ESC_DIST_GAMMA, 0.3, 10, 0, 3, 0.3 * 100 },
		{ ESC_DIST_WEIBULL, 2, 1.5, 0, 2 * g1, 4 * (g2 - g1 * g1) },
		{ ESC_DIST_WEIBULL, 3, 0.7, 0, 3 * g1s, NAN },
		{ ESC_DIST_POISSON, 2.5, 0, 0, 2.5, 2.5 },
		{ ESC_DIST_POISSON, 250, 0, 0, 250, 250 },
		{ ESC_DIST_POISSON, 0, 0, 0, 0, 0 },
		/* Past 1e9 the normal approximation takes over from gsl_ran_poisson. */
		{ ESC_DIST_POISSON, 3e9, 0, 0, 3e9, 3e9 },
		{ ESC_DIST_NEGBIN, 3, 0.5, 0, 3, 3 + 9 / 0.5 },
		{ ESC_DIST_NEGBIN, 3, 1e6, 0, 3, 3 + 9 / 1e6 },
		{ ESC_DIST_NEGBIN, 0, 2, 0, 0, 0 },
		/* Small dispersion: the gamma intensity often passes 1e9. */
		{ ESC_DIST_NEGBIN, 1e8, 0.05, 0, 1e8, NAN },
		{ ESC_DIST_ZINB, 0.3, 4, 2, 0.7 * 4, 0.7 * (4 + 16 / 2.0 + 16) - 0.49 * 16 },
		{ ESC_DIST_ZINB, 1, 4, 2, 0, 0 },
		{ ESC_DIST_ZINB, 0, 4, 2, 4, 4 + 8 },
	};
	double *x = malloc(N_DRAWS * sizeof *x);
	assert_non_null(x);
	int failures = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const moment_case *mc = &cases[i];
		esc_dist d;
		esc_error err;
		assert_int_equal(esc_dist_init(&d, mc->kind, mc->a, mc->b, mc->c, &err), 0);
		char name[64];
		snprintf(name, sizeof name, "%s %g %g %g", esc_dist_kind_name(mc->kind),
		         mc->a, mc->b, mc->c);
		/* esc_dist_mean agrees with the formula written here. */
		if (!(fabs(esc_dist_mean(&d) - mc->mean) <= 1e-12 * fabs(mc->mean))) {
			print_error("%s: esc_dist_mean %.17g, want %.17g\n", name, esc_dist_mean(&d), mc->mean);
			failures++;
		}
		gsl_rng *r = rng_for(name);
		moments m = sample_moments(&d, r, x);
		double tol = z * sqrt(m.var / N_DRAWS);
		int ok = fabs(m.mean - mc->mean) <= tol;
		print_message("# %-28s mean %.6g (want %.6g, tolerance %.3g)%s\n", name, m.mean,
		              mc->mean, tol, ok ? "" : "  FAIL");
		failures += !ok;
		if (!isnan(mc->var)) {
			double tol_v = z * sqrt((m.m4 - m.var * m.var) / N_DRAWS);
			int ok_v = fabs(m.var - mc->var) <= tol_v;
			print_message("# %-28s var  %.6g (want %.6g, tolerance %.3g)%s\n", name, m.var,
			              mc->var, tol_v, ok_v ? "" : "  FAIL");
			failures += !ok_v;
		}
		for (int k = 0; k < N_DRAWS; k++)
			if (!(x[k] >= 0 && isfinite(x[k]))) {   /* all these are non-negative */
				print_error("%s: draw %d is %g\n", name, k, x[k]);
				failures++;
				break;
			}
		gsl_rng_free(r);
		esc_dist_free(&d);
	}
	free(x);
	assert_int_equal(failures, 0);
}

static void test_constant(void **state)
{
	(void)state;
	esc_dist d;
	gsl_rng *r = rng_for("constant");
	assert_int_equal(esc_dist_init(&d, ESC_DIST_CONSTANT, -7.25, 0, 0, NULL), 0);
	for (int i = 0; i < 100; i++)
		assert_true(esc_dist_sample(&d, r) == -7.25);
	assert_true(esc_dist_mean(&d) == -7.25);
	gsl_rng_free(r);
}

/* Whole numbers for the count distributions. */
static void test_counts_are_integers(void **state)
{
	(void)state;
	esc_dist d[3];
	assert_int_equal(esc_dist_init(&d[0], ESC_DIST_POISSON, 3e9, 0, 0, NULL), 0);
	assert_int_equal(esc_dist_init(&d[1], ESC_DIST_NEGBIN, 7.5, 0.3, 0, NULL), 0);
	assert_int_equal(esc_dist_init(&d[2], ESC_DIST_ZINB, 0.2, 7.5, 0.3, NULL), 0);
	gsl_rng *r = rng_for("integers");
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 10000; i++) {
			double x = esc_dist_sample(&d[k], r);
			assert_true(x >= 0 && x == floor(x));
		}
	gsl_rng_free(r);
}

/* P(X = 0) for zinb is zero + (1 - zero) (k / (k + mean))^k.  The observed
 * fraction of n Bernoulli outcomes has sd sqrt(p (1 - p) / n): 99.9% band
 * with z = 3.29 as above. */
static void test_zinb_zero_fraction(void **state)
{
	(void)state;
	const double z = gsl_cdf_ugaussian_Pinv(0.9995);
	const double params[][3] = { { 0.3, 4, 2 }, { 0.6, 0.5, 0.2 }, { 0.05, 20, 5 } };
	for (size_t i = 0; i < 3; i++) {
		double zero = params[i][0], mean = params[i][1], k = params[i][2];
		esc_dist d;
		assert_int_equal(esc_dist_init(&d, ESC_DIST_ZINB, zero, mean, k, NULL), 0);
		double p0 = zero + (1 - zero) * pow(k / (k + mean), k);
		gsl_rng *r = rng_for("zinb zeros");
		long zeros = 0;
		for (int j = 0; j < N_DRAWS; j++)
			zeros += esc_dist_sample(&d, r) == 0;
		double f = (double)zeros / N_DRAWS, tol = z * sqrt(p0 * (1 - p0) / N_DRAWS);
		print_message("# zinb %g %g %g: zero fraction %.5f (want %.5f, tolerance %.5f)\n",
		              zero, mean, k, f, p0, tol);
		assert_true(fabs(f - p0) <= tol);
		gsl_rng_free(r);
	}
}

/* Discrete frequencies: Pearson chi-square over the cells of positive
 * weight, k - 1 degrees of freedom, significance 0.001.  A zero weight must
 * never be drawn at all. */
static void test_discrete_frequencies(void **state)
{
	(void)state;
	const double w[] = { 1, 2, 0, 3.5, 0.5, 10, 0 };
	enum { K = 7 };
	esc_dist d;
	esc_error err;
	assert_int_equal(esc_dist_init_discrete(&d, w, K, &err), 0);
	double sum = 17, mean = (2 * 1 + 3 * 3.5 + 4 * 0.5 + 5 * 10) / sum;
	assert_true(fabs(esc_dist_mean(&d) - mean) < 1e-12);
	long count[K] = { 0 };
	gsl_rng *r = rng_for("discrete");
	for (int i = 0; i < N_DRAWS; i++) {
		double x = esc_dist_sample(&d, r);
		assert_true(x >= 0 && x < K && x == floor(x));
		count[(int)x]++;
	}
	double chi2 = 0;
	int cells = 0;
	for (int k = 0; k < K; k++) {
		if (w[k] == 0) {
			assert_int_equal(count[k], 0);
			continue;
		}
		double e = N_DRAWS * w[k] / sum;
		chi2 += (count[k] - e) * (count[k] - e) / e;
		cells++;
	}
	double crit = gsl_cdf_chisq_Qinv(0.001, cells - 1);
	print_message("# discrete: chi-square %.2f on %d df (critical %.2f at 0.001)\n",
	              chi2, cells - 1, crit);
	assert_true(chi2 < crit);
	gsl_rng_free(r);
	esc_dist_free(&d);
}

/* Extreme but valid parameters: no abort (GSL's handler is on here), no
 * NaN, no negative counts. */
static void test_extremes_do_not_abort(void **state)
{
	(void)state;
	const struct { esc_dist_kind kind; double a, b, c; } cases[] = {
		{ ESC_DIST_GAMMA, 1e-300, 1, 0 },
		{ ESC_DIST_GAMMA, 1e300, 1e-300, 0 },
		{ ESC_DIST_WEIBULL, 1, 1e-3, 0 },
		{ ESC_DIST_WEIBULL, 1e300, 1e3, 0 },
		{ ESC_DIST_LOGNORMAL, 1e-300, 0.1, 0 },
		{ ESC_DIST_EXPONENTIAL, 1e-300, 0, 0 },
		{ ESC_DIST_POISSON, 1e15, 0, 0 },
		{ ESC_DIST_POISSON, 4.9e9, 0, 0 },
		{ ESC_DIST_NEGBIN, 1e12, 0.01, 0 },
		{ ESC_DIST_NEGBIN, 1e-300, 1e-300, 0 },
		{ ESC_DIST_NEGBIN, 5, 1e300, 0 },
		{ ESC_DIST_ZINB, 0.5, 1e12, 1e-3 },
	};
	gsl_rng *r = rng_for("extremes");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_dist d;
		assert_int_equal(esc_dist_init(&d, cases[i].kind, cases[i].a, cases[i].b, cases[i].c, NULL), 0);
		for (int j = 0; j < 2000; j++) {
			double x = esc_dist_sample(&d, r);
			if (!(x >= 0) || isnan(x))
				fail_msg("case %zu: draw %g", i, x);
		}
		(void)esc_dist_mean(&d);
	}
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_parameters_refused),
		cmocka_unit_test(test_bad_discrete_refused),
		cmocka_unit_test(test_good_parameters_accepted),
		cmocka_unit_test(test_free_and_names),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_means_and_variances),
		cmocka_unit_test(test_counts_are_integers),
		cmocka_unit_test(test_zinb_zero_fraction),
		cmocka_unit_test(test_discrete_frequencies),
		cmocka_unit_test(test_extremes_do_not_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
