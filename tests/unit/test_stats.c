/* test_stats.c: the report's statistics (analysis/stats.h) against values
 * computed elsewhere (scipy 1.10, R's survival package as printed in the
 * textbooks), and the coverage of its intervals on synthetic data with a
 * known answer, fixed seeds: the t interval's on normal data, whose
 * coverage is exactly 95 %, in 400,000 experiments sized to tell it from a
 * slip of the quantile or the degrees of freedom (test_paired_coverage);
 * the Wilson interval's against its exact coverage, summed over the
 * binomial distribution; the others (approximate intervals) in 2000
 * experiments within 3 standard errors of 95% (or at least 95% for the
 * conservative order-statistic interval).
 *
 * analysis/ is compiled into the escsim binary, not the library, so this
 * test compiles stats.c in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../../analysis/stats.c"

#define EXPERIMENTS 2000

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("%s: got %.10g, want %.10g (tolerance %g)\n", what, got,
		            want, tol);
		fail();
	}
}

/* Observed coverage within 3 standard errors of the nominal 95%. */
static void coverage_ok(int covered, const char *what)
{
	double c = (double)covered / EXPERIMENTS;
	double se = sqrt(0.95 * 0.05 / EXPERIMENTS);
	print_message("# %s: coverage %.4f (95%% +- %.4f)\n", what, c, 3 * se);
	if (fabs(c - 0.95) > 3 * se) {
		print_error("%s: coverage %.4f outside 0.95 +- %.4f\n", what, c, 3 * se);
		fail();
	}
}

static void test_mean_t(void **state)
{
	(void)state;
	const double x[] = { 1, 2, 3, 4, 5 };
	esc_interval e = esc_stat_mean_t(x, 5, 0.95);
	near(e.est, 3, 1e-12, "mean");
	near(e.sd, sqrt(2.5), 1e-12, "sd");
	near(e.hi - e.est, 1.9632431614775607, 1e-9, "t half-width (scipy)");
	near(e.est - e.lo, 1.9632431614775607, 1e-9, "symmetric");
	near(esc_stat_t_pvalue(x, 5), 0.013235599563682695, 1e-9, "t test p (scipy)");
	/* n = 50 by its critical value: data of mean 0 and sample standard
	 * deviation 1 (n - 1 in the denominator) give a half-width of
	 * t_{0.975, 49} / sqrt(50), t_{0.975, 49} = 2.009575234489209
	 * (scipy.stats.t.ppf; GSL's inverse is good to a few parts in 10^9). */
	double u[50];
	for (int i = 0; i < 50; i++)
		u[i] = (i % 2 ? 1.0 : -1.0) * sqrt(49.0 / 50.0);
	e = esc_stat_mean_t(u, 50, 0.95);
	near(e.sd, 1, 1e-12, "sample sd (n - 1)");
	near((e.hi - e.lo) / 2 * sqrt(50.0), 2.009575234489209, 1e-8, "t_{0.975, 49} (scipy)");
	e = esc_stat_mean_t(x, 1, 0.95);
	assert_true(e.est == 1 && isnan(e.lo) && isnan(e.hi));
	e = esc_stat_mean_t(NULL, 0, 0.95);
	assert_true(isnan(e.est) && e.n == 0);
	const double z[] = { 0, 0, 0 };
	assert_true(esc_stat_t_pvalue(z, 3) == 1.0);
	e = esc_stat_mean_t(z, 3, 0.95);
	assert_true(e.lo == 0 && e.hi == 0);
	/* Paired differences that cancel (two arms with equal means, unequal
	 * replications) have a mean of exactly 0, in any order: a running
	 * mean leaves residues such as -6.3e-22, which the report printed as
	 * the difference of two equal values. */
	double d[60];
	unsigned long state_ = 15;
	for (int trial = 0; trial < 200; trial++) {
		for (int i = 0; i < 30; i++) {
			state_ = state_ * 6364136223846793005UL + 1442695040888963407UL;
			d[2 * i] = (double)(state_ >> 58) + 1;     /* 1..64 */
			d[2 * i + 1] = -d[2 * i];
		}
		for (int i = 59; i > 0; i--) {                  /* shuffle */
			state_ = state_ * 6364136223846793005UL + 1442695040888963407UL;
			int j = (int)((state_ >> 33) % (unsigned long)(i + 1));
			double t = d[i]; d[i] = d[j]; d[j] = t;
		}
		e = esc_stat_mean_t(d, 60, 0.95);
		assert_true(e.est == 0);
		assert_true(esc_stat_t_pvalue(d, 60) == 1.0);
	}
}

/* The ratio of means with the delta method's interval, against scipy (the
 * numbers in comments were computed with it), and its undefined cases. */
static void test_ratio_t(void **state)
{
	(void)state;
	const double x[] = { 1, 3, 2, 5, 4 }, y[] = { 2, 2, 3, 4, 4.5 };
	double w[5];
	esc_interval e = esc_stat_ratio_t(x, y, w, 5, 0.95);
	near(e.est, 0.9677419354838709, 1e-12, "ratio of means");
	near(e.sd, 0.3315199234562745, 1e-12, "sd of x - R y over |mean y|");
	near(e.hi - e.est, 0.4116363536429244, 1e-9, "t half-width (scipy)");
	near(e.est - e.lo, 0.4116363536429244, 1e-9, "symmetric");
	/* y constant: the ratio's interval is the mean's, scaled. */
	const double c[] = { 2, 2, 2, 2, 2 };
	esc_interval r = esc_stat_ratio_t(x, c, w, 5, 0.95), m = esc_stat_mean_t(x, 5, 0.95);
	near(r.lo, m.lo / 2, 1e-12, "constant y: lower end");
	near(r.hi, m.hi / 2, 1e-12, "constant y: upper end");
	/* x = y: exactly 1, no spread. */
	e = esc_stat_ratio_t(y, y, w, 5, 0.95);
	assert_true(e.est == 1 && e.lo == 1 && e.hi == 1);
	/* mean(y) = 0: undefined. */
	const double z[] = { 1, -1, 0, 0, 0 };
	e = esc_stat_ratio_t(x, z, w, 5, 0.95);
	assert_true(isnan(e.est) && isnan(e.lo) && e.n == 5);
	e = esc_stat_ratio_t(NULL, NULL, w, 0, 0.95);
	assert_true(isnan(e.est) && e.n == 0);
}

/* The paired t interval on normal differences covers the true difference
 * in exactly 95 % of experiments, which makes a large experiment sharp
 * enough to tell it from the usual slips: the normal quantile instead of
 * t covers P(|T_49| <= 1.95996) = 0.94430 at n = 50, and the standard
 * deviation over n instead of n - 1 covers P(|T_49| <= 2.00958 sqrt(49/50))
 * = 0.94774 (scipy.stats.t.cdf).  With N experiments the observed share has
 * standard deviation s(p) = sqrt(p (1 - p) / N).  The test accepts
 * 0.95 +- 3.29 s(0.95) (99.9 % two-sided), and a slip at p1 is rejected with
 * probability 0.999 when 0.95 - p1 >= 3.29 s(0.95) + 3.09 s(p1): for the
 * nearer one, p1 = 0.94774, N >= 387,459.  Hence 400,000 experiments (a
 * band of +-0.00113); the data of each are 50 differences x - y of arms
 * that share a common component, which cancels: d ~ N(0.7, 1 + 1.5^2). */
#define T_EXPERIMENTS 400000

static void test_paired_coverage(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 20260106);
	double d[50];
	const double sd = sqrt(1.0 + 1.5 * 1.5);
	long covered_t = 0;
	for (long k = 0; k < T_EXPERIMENTS; k++) {
		for (int i = 0; i < 50; i++)
			d[i] = 0.7 + gsl_ran_gaussian_ziggurat(r, sd);
		esc_interval e = esc_stat_mean_t(d, 50, 0.95);
		covered_t += e.lo <= 0.7 && 0.7 <= e.hi;
	}
	double c = (double)covered_t / T_EXPERIMENTS;
	double band = 3.29 * sqrt(0.95 * 0.05 / T_EXPERIMENTS);
	print_message("# paired t interval, normal, n = 50: coverage %.5f (0.95 +- %.5f) in %d experiments\n",
	              c, band, T_EXPERIMENTS);
	if (!(fabs(c - 0.95) <= band)) {
		print_error("paired t interval: coverage %.5f outside 0.95 +- %.5f (z instead of t "
		            "gives 0.9443, sd over n 0.9477)\n", c, band);
		fail();
	}

	/* Poisson counts (the runs metrics are counts), difference 1.5: the t
	 * interval is approximate here, so only a rough check. */
	int covered = 0;
	double dd[100];
	for (int k = 0; k < EXPERIMENTS; k++) {
		for (int i = 0; i < 100; i++) {
			double mu = gsl_ran_gamma(r, 2.0, 2.0);   /* shared rate */
			dd[i] = (double)gsl_ran_poisson(r, mu + 1.5) -
			        (double)gsl_ran_poisson(r, mu);
		}
		esc_interval e = esc_stat_mean_t(dd, 100, 0.95);
		covered += e.lo <= 1.5 && 1.5 <= e.hi;
	}
	coverage_ok(covered, "paired t interval, Poisson counts, n = 100");
	gsl_rng_free(r);
}

static void test_wilson(void **state)
{
	(void)state;
	esc_interval e = esc_stat_wilson(30, 100, 0.95);
	near(e.est, 0.3, 1e-15, "share");
	near(e.lo, 0.2189488529493276, 1e-9, "Wilson lower (by formula, scipy z)");
	near(e.hi, 0.3958485463334666, 1e-9, "Wilson upper");
	e = esc_stat_wilson(0, 50, 0.95);
	assert_true(e.lo == 0 && e.hi > 0 && e.hi < 0.1);
	e = esc_stat_wilson(50, 50, 0.95);
	assert_true(e.hi == 1 && e.lo < 1 && e.lo > 0.9);
	assert_true(isnan(esc_stat_wilson(0, 0, 0.95).est));

	/* Its coverage at p = 0.3, n = 400, exactly: the binomial probability
	 * of the counts whose interval holds 0.3.  scipy, the same formula:
	 * 0.9439866540971221 (not 0.95: the counts are discrete); the nearest
	 * bound is 9e-5 from 0.3, so rounding cannot move a count in or out. */
	double coverage = 0;
	for (unsigned k = 0; k <= 400; k++) {
		e = esc_stat_wilson(k, 400, 0.95);
		if (e.lo <= 0.3 && 0.3 <= e.hi)
			coverage += gsl_ran_binomial_pdf(k, 0.3, 400);
	}
	print_message("# Wilson interval, p = 0.3, n = 400: exact coverage %.10f\n", coverage);
	near(coverage, 0.9439866540971221, 1e-9, "Wilson coverage, exact (scipy)");
}

static void test_mcnemar(void **state)
{
	(void)state;
	esc_mcnemar m = esc_stat_mcnemar(30, 12);
	assert_false(m.exact);
	near(m.chi2, 6.880952380952381, 1e-12, "chi-square, corrected");
	near(m.p, 0.008711912962379598, 1e-9, "chi-square p (scipy)");
	m = esc_stat_mcnemar(3, 10);
	assert_true(m.exact);
	near(m.p, 0.09228515625, 1e-12, "exact binomial p (scipy binomtest)");
	m = esc_stat_mcnemar(10, 3);
	near(m.p, 0.09228515625, 1e-12, "exact, symmetric");
	m = esc_stat_mcnemar(6, 6);
	near(m.p, 1.0, 1e-12, "exact, b = c");
	m = esc_stat_mcnemar(20, 20);
	assert_false(m.exact);
	near(m.chi2, 0, 0, "no correction when b = c");
	near(m.p, 1, 1e-12, "b = c: p = 1");
	m = esc_stat_mcnemar(0, 0);
	assert_true(isnan(m.chi2) && m.p == 1);
	m = esc_stat_mcnemar(12, 12 + 1);     /* 25 discordant: chi-square */
	assert_false(m.exact);

	/* Under the null the test holds its level: P(p < 0.05) <= 0.05 (it is
	 * conservative: the exact test and the continuity correction). */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 2018);
	int rejected = 0;
	for (int k = 0; k < EXPERIMENTS; k++) {
		unsigned n = gsl_ran_poisson(r, 40);
		unsigned b = gsl_ran_binomial(r, 0.5, n);
		rejected += esc_stat_mcnemar(b, n - b).p < 0.05;
	}
	double rate = (double)rejected / EXPERIMENTS;
	print_message("# McNemar under the null: rejection rate %.4f\n", rate);
	assert_true(rate <= 0.05 + 3 * sqrt(0.05 * 0.95 / EXPERIMENTS));
	gsl_rng_free(r);
}

static void test_quantile(void **state)
{
	(void)state;
	double x[100];
	for (int i = 0; i < 100; i++)
		x[i] = i + 1;
	esc_interval q = esc_stat_quantile(x, 100, 0.9, 0.95);
	near(q.est, 90.1, 1e-12, "P90 type 7 (numpy)");
	near(q.lo, 84, 0, "P90 lower: x_(qbinom(0.025, 100, 0.9) = 84)");
	near(q.hi, 96, 0, "P90 upper: x_(qbinom(0.975, 100, 0.9) + 1 = 96)");
	q = esc_stat_quantile(x, 100, 0.99, 0.95);
	near(q.est, 99.01, 1e-12, "P99");
	near(q.lo, 97, 0, "P99 lower");
	assert_true(isnan(q.hi));           /* needs x_(101) */
	q = esc_stat_quantile(x, 1, 0.9, 0.95);
	assert_true(q.est == 1 && isnan(q.lo) && isnan(q.hi));

	/* The order-statistic interval covers the true P90 at least 95% of
	 * the time: exponential(1), P90 = ln 10, n = 200. */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 90);
	double v[200], truth = log(10.0);
	int covered = 0;
	for (int k = 0; k < EXPERIMENTS; k++) {
		for (int i = 0; i < 200; i++)
			v[i] = gsl_ran_exponential(r, 1.0);
		qsort(v, 200, sizeof v[0], cmp_time);
		q = esc_stat_quantile(v, 200, 0.9, 0.95);
		covered += q.lo <= truth && truth <= q.hi;
	}
	double c = (double)covered / EXPERIMENTS;
	print_message("# P90 interval coverage %.4f (>= 0.95 - 3 se)\n", c);
	assert_true(c >= 0.95 - 3 * sqrt(0.95 * 0.05 / EXPERIMENTS));
	gsl_rng_free(r);
}

/* The 6-MP arm of Freireich et al. (1963), the textbook Kaplan-Meier
 * example; R: survfit(Surv(time, status) ~ 1, conf.type = "log-log")
 * prints, per event time, n.risk, n.event, survival, lower, upper. */
static void test_km(void **state)
{
	(void)state;
	const double t[] = { 6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20,
	                     22, 23, 25, 32, 32, 34, 35 };
	const int ev[] = { 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0,
	                   0, 0, 0 };
	esc_km_point km[22];
	size_t n = esc_stat_km(t, ev, 21, 0.95, km);
	static const struct { double t; int risk, d; double s, lo, hi; } want[] = {
		{ 6, 21, 3, 0.857, 0.620, 0.952 },
		{ 7, 17, 1, 0.807, 0.563, 0.923 },
		{ 10, 15, 1, 0.753, 0.503, 0.889 },
		{ 13, 12, 1, 0.690, 0.432, 0.849 },
		{ 16, 11, 1, 0.627, 0.368, 0.805 },
		{ 22, 7, 1, 0.538, 0.268, 0.747 },
		{ 23, 6, 1, 0.448, 0.188, 0.680 },
	};
	assert_true(km[0].t == 0 && km[0].s == 1 && km[0].at_risk == 21);
	size_t found = 0;
	for (size_t i = 1; i < n; i++) {
		if (km[i].events == 0)
			continue;
		assert_true(found < 7);
		char what[64];
		snprintf(what, sizeof what, "S(%g)", want[found].t);
		assert_true(km[i].t == want[found].t);
		assert_int_equal(km[i].at_risk, want[found].risk);
		assert_int_equal(km[i].events, want[found].d);
		near(km[i].s, want[found].s, 0.0005, what);
		near(km[i].lo, want[found].lo, 0.0005, "lower (R log-log)");
		near(km[i].hi, want[found].hi, 0.0005, "upper (R log-log)");
		found++;
	}
	assert_int_equal(found, 7);
	near(km[n - 1].t, 35, 0, "last point: the last censoring");
	esc_interval md = esc_stat_km_median(km, n);
	near(md.est, 23, 0, "median (R: 23)");
	near(md.lo, 13, 0, "median lower (R: 13)");
	assert_true(isnan(md.hi));          /* R: NA */

	/* Every replication without a crisis: S = 1 up to the horizon. */
	const double h[] = { 100, 100, 100 };
	const int none[] = { 0, 0, 0 };
	n = esc_stat_km(h, none, 3, 0.95, km);
	assert_int_equal(n, 2);
	assert_true(km[1].s == 1 && km[1].censored == 3 && km[1].lo == 1);
	assert_true(isnan(esc_stat_km_median(km, n).est));
	/* Every one with a crisis at the same time: S drops to 0. */
	const int all[] = { 1, 1, 1 };
	n = esc_stat_km(h, all, 3, 0.95, km);
	assert_true(km[1].s == 0 && km[1].lo == 0 && km[1].hi == 0);
	near(esc_stat_km_median(km, n).est, 100, 0, "median when all fail");
}

/* esc_stat_km_sorted (the report's streamed curve: event times sorted,
 * every censoring at one time) gives esc_stat_km's points bit for bit, and
 * esc_stat_km_median_add its median: random data with ties, event times
 * before, at and (for the general function) after the censoring time. */
typedef struct km_collect {
	esc_km_point *p;
	size_t n;
	esc_interval median;
} km_collect;

static void km_collect_point(const esc_km_point *p, void *ctx)
{
	km_collect *c = ctx;
	esc_stat_km_median_add(&c->median, p, c->n == 0);
	c->p[c->n++] = *p;
}

static int cmp_dbl_test(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void same_point(const esc_km_point *a, const esc_km_point *b)
{
	assert_memory_equal(&a->t, &b->t, sizeof a->t);
	assert_int_equal(a->at_risk, b->at_risk);
	assert_int_equal(a->events, b->events);
	assert_int_equal(a->censored, b->censored);
	assert_memory_equal(&a->s, &b->s, sizeof a->s);
	assert_memory_equal(&a->lo, &b->lo, sizeof a->lo);
	assert_memory_equal(&a->hi, &b->hi, sizeof a->hi);
}

static void same_interval(esc_interval a, esc_interval b)
{
	assert_memory_equal(&a.est, &b.est, sizeof a.est);
	assert_memory_equal(&a.lo, &b.lo, sizeof a.lo);
	assert_memory_equal(&a.hi, &b.hi, sizeof a.hi);
	assert_int_equal(a.n, b.n);
}

static void test_km_sorted(void **state)
{
	(void)state;
	enum { N = 400 };
	static double t[N], ev_t[N];
	static int ev[N];
	static esc_km_point want[N + 1], got[N + 1];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 11);
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)(round % 50) * 8;    /* 0 .. 392 */
		double horizon = 20;
		double p_event = gsl_rng_uniform(r);
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			ev[i] = gsl_rng_uniform(r) < p_event;
			/* Whole numbers 1..20: many ties, some at the horizon. */
			t[i] = ev[i] ? (double)(1 + gsl_rng_uniform_int(r, 20)) : horizon;
			if (ev[i])
				ev_t[m++] = t[i];
		}
		size_t nw = esc_stat_km(t, ev, n, 0.95, want);
		qsort(ev_t, m, sizeof *ev_t, cmp_dbl_test);
		km_collect c = { .p = got };
		size_t ng = esc_stat_km_sorted(ev_t, m, horizon, n - m, 0.95,
		                               km_collect_point, &c);
		assert_int_equal(ng, nw);
		assert_int_equal(c.n, nw);
		for (size_t i = 0; i < nw; i++)
			same_point(&got[i], &want[i]);
		same_interval(c.median, esc_stat_km_median(want, nw));
	}
	/* Censoring before some events (a general censoring time). */
	const double tt[] = { 5, 12, 3, 12, 7, 9, 15 };
	const int ee[] = { 1, 0, 1, 0, 1, 1, 1 };
	const double es[] = { 3, 5, 7, 9, 15 };
	size_t nw = esc_stat_km(tt, ee, 7, 0.95, want);
	km_collect c = { .p = got };
	size_t ng = esc_stat_km_sorted(es, 5, 12, 2, 0.95, km_collect_point, &c);
	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++)
		same_point(&got[i], &want[i]);
	gsl_rng_free(r);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_t),
		cmocka_unit_test(test_ratio_t),
		cmocka_unit_test(test_paired_coverage),
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_mcnemar),
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_km),
		cmocka_unit_test(test_km_sorted),
	};
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
