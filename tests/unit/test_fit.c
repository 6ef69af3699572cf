/* test_fit.c: the pieces of escsim fit (sim/fit) against answers worked
 * out independently.
 *
 *   - CSV records (RFC 4180): quotes, doubled quotes, line breaks in a
 *     field, CRLF, a byte order mark, blank lines, the line each record
 *     starts on; and the errors, with their line;
 *   - dates: days since 1970 against known dates, leap years, and every
 *     day from 1900 to 2200 formatted and read back;
 *   - the Hawkes log-likelihood against a direct O(n^2) sum over pairs of
 *     events, at random parameters, on a layout with two rules (one across
 *     actors into a cell no generator holds, one with deaths in its
 *     weight); its gradient against central differences; the
 *     time-rescaled gaps of a stream summing to its compensator;
 *   - the zinb log-likelihood against GSL's negative binomial density, and
 *     its gradient against central differences;
 *   - profile intervals where the answer has a closed form: a Poisson
 *     rate (N log(M / M^) - (M - M^) T = -chi2/2), a share of a group
 *     (the binomial likelihood-ratio interval), and both on the boundary
 *     (no events: M T = chi2/2, a share 1 - e^{-chi2 / 2N});
 *   - the Kolmogorov-Smirnov statistic of a hand-worked sample, and its
 *     p-values uniform under the null (2000 samples, the share below 0.05
 *     in its 99.9% binomial interval);
 *   - the regime's mean multiplier against the two-state chain's closed
 *     form, with and without a shock.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "escsim/rng.h"
#include "../../sim/fit/csv.h"
#include "../../sim/fit/fit_impl.h"

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol * (1 + fabs(want))))
		fail_msg("%s: got %.12g, want %.12g (relative tolerance %g)", what, got, want, tol);
}

/* ---- CSV --------------------------------------------------------------- */

static void test_csv_records(void **state)
{
	(void)state;
	static const char text[] = "\xEF\xBB\xBF" "a,b,c\r\n1,\"x,y\",3\n\n\"multi\nline\",\"q\"\"uote\",\nlast";
	csv_reader r;
	esc_error err = {0};
	csv_open(&r, "t.csv", text, sizeof text - 1);
	assert_int_equal(csv_next(&r, &err), 1);
	assert_int_equal(r.rec_line, 1);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.field[0], "a");
	assert_string_equal(r.field[2], "c");
	assert_int_equal(csv_next(&r, &err), 1);
	assert_int_equal(r.rec_line, 2);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.field[1], "x,y");
	assert_int_equal(csv_next(&r, &err), 1);
	assert_int_equal(r.rec_line, 4);            /* line 3 is blank */
	assert_int_equal(r.n, 3);
	assert_string_equal(r.field[0], "multi\nline");
	assert_string_equal(r.field[1], "q\"uote");
	assert_string_equal(r.field[2], "");
	assert_int_equal(csv_next(&r, &err), 1);
	assert_int_equal(r.rec_line, 6);            /* the quoted field took two lines */
	assert_int_equal(r.n, 1);
	assert_string_equal(r.field[0], "last");
	assert_int_equal(csv_next(&r, &err), 0);
	csv_close(&r);
}

static void csv_error(const char *text, const char *want)
{
	csv_reader r;
	esc_error err = {0};
	csv_open(&r, "t.csv", text, strlen(text));
	int st;
	while ((st = csv_next(&r, &err)) == 1)
		;
	csv_close(&r);
	assert_int_equal(st, ESC_ERR_INPUT);
	if (!strstr(err.msg, want))
		fail_msg("'%s': want '%s'", err.msg, want);
}

static void test_csv_errors(void **state)
{
	(void)state;
	csv_error("a,b\n1,\"open\n2,3\n", "t.csv:2: a quoted field is never closed");
	csv_error("a,b\n\"x\"y,2\n", "t.csv:2: 'y' after a closing quote");
	static const char nul[] = "a,b\n1,\0\n";
	csv_reader r;
	esc_error err = {0};
	csv_open(&r, "t.csv", nul, sizeof nul - 1);
	assert_int_equal(csv_next(&r, &err), 1);
	assert_int_equal(csv_next(&r, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "t.csv:2: a NUL byte"));
	csv_close(&r);
}

/* ---- dates --------------------------------------------------------------- */

static void test_dates(void **state)
{
	(void)state;
	int32_t d;
	assert_int_equal(esc_fit_parse_day("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(esc_fit_parse_day("2025-01-01", &d), 0);
	assert_int_equal(d, 20089);                 /* date -d 2025-01-01 +%s / 86400 */
	assert_int_equal(esc_fit_parse_day("2024-02-29", &d), 0);
	assert_int_equal(d, 19782);
	assert_int_equal(esc_fit_parse_day("2025-02-29", &d), -1);
	assert_int_equal(esc_fit_parse_day("2100-02-29", &d), -1);
	assert_int_equal(esc_fit_parse_day("2000-02-29", &d), 0);
	assert_int_equal(esc_fit_parse_day("2025-13-01", &d), -1);
	assert_int_equal(esc_fit_parse_day("2025-1-01", &d), -1);
	assert_int_equal(esc_fit_parse_day("2025-01-01x", &d), -1);
	assert_int_equal(esc_fit_parse_day("2025-01-01 12:00", &d), -1);   /* a day, not a time */
	char buf[11];
	int32_t first, last;
	assert_int_equal(esc_fit_parse_day("1900-01-01", &first), 0);
	assert_int_equal(esc_fit_parse_day("2200-12-31", &last), 0);
	for (int32_t x = first; x <= last; x++) {
		esc_fit_format_day(x, buf);
		if (esc_fit_parse_day(buf, &d) || d != x)
			fail_msg("day %d formatted as %s read back as %d", x, buf, d);
	}
}

/* ---- the Hawkes likelihood ------------------------------------------------ */

enum { A, B };
enum { T0, T1 };
enum { Z1, Z2 };

/* Parties A, B; zones Z1, Z2; types t0, t1.  Generators A->B t0 in Z1 and
 * Z2, B->A t1 in Z1.  hawkes[1]: from A t0 to its own cell, with deaths
 * (per_fatality 0.5); hawkes[2]: from A t0 to B->A t1 in the parent's zone,
 * so (B, t1, Z2) only excitation reaches. */
static void small_config(esc_config *cfg)
{
	assert_int_equal(esc_config_alloc(cfg, 2, 2, 2, 3, NULL), 0);
	strcpy(cfg->parties[A].name, "A");
	strcpy(cfg->parties[B].name, "B");
	strcpy(cfg->zones[Z1], "Z1");
	strcpy(cfg->zones[Z2], "Z2");
	strcpy(cfg->types[T0].name, "t0");
	strcpy(cfg->types[T1].name, "t1");
	cfg->generators[0] = (esc_generator){ A, B, T0, Z1, 0.1, NULL };
	cfg->generators[1] = (esc_generator){ A, B, T0, Z2, 0.05, NULL };
	cfg->generators[2] = (esc_generator){ B, A, T1, Z1, 0.02, NULL };
	assert_int_equal(esc_config_alloc_excitations(cfg, 2, NULL), 0);
	esc_excitation *x = &cfg->excitations[0];
	x->from_actor = A;
	x->from_type = T0;
	x->n = 0.3;
	x->fast_share = 0.6;
	x->fast_mean_h = 20;
	x->slow_mean_h = 200;
	x->per_fatality = 0.5;
	x = &cfg->excitations[1];
	x->from_actor = A;
	x->from_type = T0;
	x->to_actor = B;
	x->to_target = A;
	x->to_type = T1;
	x->n = 0.2;
	x->fast_share = 1;
	x->fast_mean_h = 30;
	x->slow_mean_h = 100;
	cfg->horizon_h = 2000;
}

/* Events: random times in [0, 2000 h), A t0 in either zone (deaths 0..2),
 * B t1 in Z1 (background) and in Z2 after the first A t0 there. */
static void small_data(fit_data *d, gsl_rng *r)
{
	memset(d, 0, sizeof *d);
	d->n = 120;
	d->ev = calloc(d->n, sizeof *d->ev);
	d->period_h = 2000;
	d->has_fatalities = 1;
	assert_non_null(d->ev);
	for (size_t j = 0; j < d->n; j++) {
		fit_event *e = &d->ev[j];
		e->t_h = 2000 * gsl_rng_uniform(r);
		e->target = -1;
		e->line = j + 2;
		e->deaths = (int)gsl_rng_uniform_int(r, 3);
		e->has_time = 1;
		e->actor = j % 3 == 2 ? B : A;
		e->type = e->actor == A ? T0 : T1;
		e->zone = gsl_rng_uniform(r) < 0.5 ? Z1 : Z2;
	}
	/* the first event an A t0 in Z2, so every B t1 in Z2 has a parent */
	d->ev[0] = (fit_event){ .t_h = 0.5, .actor = A, .type = T0, .zone = Z2, .target = -1,
	                        .deaths = 1, .has_time = 1, .line = 1 };
	fit_data_place(d, 1);                       /* times given: only sorts */
	assert_true(d->ev[0].t_h == 0.5);
}

static int par_index(const fit_layout *L, const char *name)
{
	for (size_t k = 0; k < L->pb.n; k++)
		if (strcmp(L->par_name[k], name) == 0)
			return (int)k;
	fail_msg("no parameter '%s'", name);
	return -1;
}

/* The log-likelihood by its definition, pair by pair. */
static double direct_loglik(const fit_layout *L, const esc_config *cfg, const double *p)
{
	const fit_data *d = L->d;
	double T = d->period_h;
	double rate_t0 = p[par_index(L, "rate A t0")], rate_t1 = p[par_index(L, "rate B t1")];
	double mu_t0[2] = { rate_t0 * p[par_index(L, "share A t0 Z1")], rate_t0 * p[par_index(L, "share A t0 Z2")] };
	double nr[2] = { p[par_index(L, "n hawkes[1]")], p[par_index(L, "n hawkes[2]")] };
	double a[2] = { p[par_index(L, "fast_mean hawkes[1]")], p[par_index(L, "fast_mean hawkes[2]")] };
	double b[2] = { p[par_index(L, "slow_mean hawkes[1]")], p[par_index(L, "slow_mean hawkes[2]")] };
	double s[2] = { p[par_index(L, "fast_share hawkes[1]")], p[par_index(L, "fast_share hawkes[2]")] };
	double ll = -(rate_t0 + rate_t1) * T;
	for (size_t j = 0; j < d->n; j++) {
		const fit_event *e = &d->ev[j];
		double lam = e->actor == A ? mu_t0[e->zone] : e->zone == Z1 ? rate_t1 : 0;
		for (size_t i = 0; i < j; i++) {
			const fit_event *q = &d->ev[i];
			if (q->actor != A || !(q->t_h < e->t_h))
				continue;
			double u = e->t_h - q->t_h;
			int r = e->actor == A ? 0 : 1;      /* the rule that reaches e's cell */
			if (q->zone != e->zone)
				continue;
			double w = 1 + cfg->excitations[r].per_fatality * q->deaths;
			lam += nr[r] * w * (s[r] * exp(-u / a[r]) / a[r] + (1 - s[r]) * exp(-u / b[r]) / b[r]);
		}
		ll += log(lam);
		if (e->actor == A)
			for (int r = 0; r < 2; r++) {
				double u = T - e->t_h, w = 1 + cfg->excitations[r].per_fatality * e->deaths;
				ll -= nr[r] * w * (s[r] * -expm1(-u / a[r]) + (1 - s[r]) * -expm1(-u / b[r]));
			}
	}
	return ll;
}

typedef struct small {
	esc_config cfg;
	fit_data d;
	fit_layout L;
	double *p;
} small;

static void small_build(small *s, gsl_rng *r)
{
	small_config(&s->cfg);
	small_data(&s->d, r);
	esc_error err = {0};
	if (fit_layout_build(&s->L, &s->cfg, &s->d, 1, &err))
		fail_msg("layout: %s", err.msg);
	assert_int_equal(s->L.fitted, s->d.n);     /* nothing left out */
	s->p = malloc(s->L.pb.n * sizeof *s->p);
	assert_non_null(s->p);
}

static void small_free(small *s)
{
	free(s->p);
	fit_layout_free(&s->L);
	fit_data_free(&s->d);
	esc_config_free(&s->cfg);
}

/* Random natural parameters, shares summing to 1 in each group. */
static void random_params(small *s, gsl_rng *r)
{
	const fit_problem *pb = &s->L.pb;
	for (size_t k = 0; k < pb->n; k++) {
		const fit_par *q = &pb->par[k];
		s->p[k] = q->kind == FIT_UNIT ? 0.1 + 0.8 * gsl_rng_uniform(r)
		        : q->kind == FIT_SHARE ? q->value
		        : q->value * (0.5 + gsl_rng_uniform(r));
	}
	int z1 = par_index(&s->L, "share A t0 Z1"), z2 = par_index(&s->L, "share A t0 Z2");
	s->p[z1] = 0.2 + 0.6 * gsl_rng_uniform(r);
	s->p[z2] = 1 - s->p[z1];
}

static void test_hawkes_loglik(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(r, 42);
	small s;
	small_build(&s, r);
	/* two parts: A t0's rate, shares and hawkes[1]; B t1's rate and hawkes[2] */
	assert_int_equal(s.L.n_comp, 2);
	for (int trial = 0; trial < 20; trial++) {
		random_params(&s, r);
		double got = fit_hawkes_loglik(&s.L, s.p, NULL), want = direct_loglik(&s.L, &s.cfg, s.p);
		near(got, want, 1e-10, "log-likelihood against the pairwise sum");
	}
	small_free(&s);
	gsl_rng_free(r);
}

static void test_hawkes_gradient(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(r, 7);
	small s;
	small_build(&s, r);
	size_t n = s.L.pb.n;
	double *g = malloc(n * sizeof *g), *q = malloc(n * sizeof *q);
	for (int trial = 0; trial < 5; trial++) {
		random_params(&s, r);
		fit_hawkes_loglik(&s.L, s.p, g);
		for (size_t k = 0; k < n; k++) {
			double h = 1e-6 * (fabs(s.p[k]) + 1e-3);
			memcpy(q, s.p, n * sizeof *q);
			q[k] += h;
			double up = fit_hawkes_loglik(&s.L, q, NULL);
			q[k] -= 2 * h;
			double down = fit_hawkes_loglik(&s.L, q, NULL);
			double fd = (up - down) / (2 * h);
			if (!(fabs(g[k] - fd) <= 1e-5 * (1 + fabs(fd))))
				fail_msg("d/d %s: analytic %.10g, central difference %.10g", s.L.par_name[k], g[k], fd);
		}
	}
	free(g);
	free(q);
	small_free(&s);
	gsl_rng_free(r);
}

/* The gaps of a stream add up to its compensator at its last event. */
static void test_residuals(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(r, 3);
	small s;
	small_build(&s, r);
	random_params(&s, r);
	size_t n;
	double *res = fit_hawkes_residuals(&s.L, s.p, &n);
	assert_non_null(res);
	assert_int_equal(n, s.d.n);
	/* one gap per event, in time order (every event is fitted) */
	double sum_a = 0, last_a = 0;
	for (size_t j = 0; j < s.d.n; j++) {
		assert_true(res[j] > 0);
		if (s.d.ev[j].actor == A) {
			sum_a += res[j];
			last_a = s.d.ev[j].t_h;
		}
	}
	/* Lambda_A(t) = rate t + sum over earlier A events of n1 w G1(t - t_i) */
	double rate = s.p[par_index(&s.L, "rate A t0")], n1 = s.p[par_index(&s.L, "n hawkes[1]")];
	double a = s.p[par_index(&s.L, "fast_mean hawkes[1]")], b = s.p[par_index(&s.L, "slow_mean hawkes[1]")];
	double sh = s.p[par_index(&s.L, "fast_share hawkes[1]")];
	double want = rate * last_a;
	for (size_t j = 0; j < s.d.n; j++) {
		const fit_event *e = &s.d.ev[j];
		if (e->actor != A || e->t_h >= last_a)
			continue;
		double u = last_a - e->t_h, w = 1 + 0.5 * e->deaths;
		want += n1 * w * (sh * -expm1(-u / a) + (1 - sh) * -expm1(-u / b));
	}
	near(sum_a, want, 1e-9, "stream A t0: the gaps add up to the compensator");
	free(res);
	small_free(&s);
	gsl_rng_free(r);
}

/* ---- zinb ---------------------------------------------------------------- */

static void test_zinb(void **state)
{
	(void)state;
	int value[] = { 0, 1, 2, 5, 11 };
	size_t count[] = { 40, 7, 4, 2, 1 };
	fit_zinb_data D = { 5, value, count, 54, 14 };
	double p[3] = { 0.6, 2.5, 0.7 }, g[3];
	double got = fit_zinb_loglik(&D, p, g), want = 0;
	for (int i = 0; i < 5; i++) {
		double nb = gsl_ran_negative_binomial_pdf((unsigned)value[i], p[2] / (p[2] + p[1]), p[2]);
		want += (double)count[i] * log((value[i] == 0 ? p[0] : 0) + (1 - p[0]) * nb);
	}
	near(got, want, 1e-12, "zinb log-likelihood against GSL's density");
	for (int k = 0; k < 3; k++) {
		double q[3] = { p[0], p[1], p[2] }, h = 1e-6;
		q[k] += h;
		double up = fit_zinb_loglik(&D, q, NULL);
		q[k] -= 2 * h;
		double fd = (up - fit_zinb_loglik(&D, q, NULL)) / (2 * h);
		near(g[k], fd, 1e-6, "zinb gradient against central differences");
	}
}

/* ---- profile intervals --------------------------------------------------- */

typedef struct poisson {
	double N, T;
} poisson;

static double poisson_ll(void *ctx, const double *p, double *g)
{
	const poisson *q = ctx;
	if (g)
		g[0] = q->N / p[0] - q->T;
	return (q->N > 0 ? q->N * log(p[0]) : 0) - p[0] * q->T;
}

/* The root of fn(x) = 0 in [lo, hi] by bisection (fn(lo), fn(hi) apart). */
static double bisect(double (*fn)(double, const double *), const double *c, double lo, double hi)
{
	double flo = fn(lo, c);
	for (int i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi), fm = fn(mid, c);
		if ((fm < 0) == (flo < 0))
			lo = mid, flo = fm;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

static const double DROP = 3.841458820694124 / 2;

/* c = {N, T, M^}: N log(M / M^) - (M - M^) T + chi2/2 */
static double poisson_excess(double M, const double *c)
{
	return c[0] * log(M / c[2]) - (M - c[2]) * c[1] + DROP;
}

static void test_profile_poisson(void **state)
{
	(void)state;
	poisson q = { 37, 1000 };
	fit_par par = { .kind = FIT_POS, .value = 0.01, .scale = 1e-3, .hi_limit = 1, .zero_ok = 1 };
	fit_problem pb = { .n = 1, .par = &par, .f = poisson_ll, .ctx = &q, .drop = DROP };
	double ll, lo, hi;
	esc_error err = {0};
	assert_int_equal(fit_maximize(&pb, &ll, &err), 0);
	near(par.value, 0.037, 1e-6, "Poisson rate: N / T");
	assert_int_equal(fit_profile(&pb, 0, ll, &lo, &hi, &err), 0);
	double c[3] = { q.N, q.T, q.N / q.T };
	near(lo, bisect(poisson_excess, c, 1e-6, c[2]), 1e-5, "Poisson rate: lower bound");
	near(hi, bisect(poisson_excess, c, c[2], 1), 1e-5, "Poisson rate: upper bound");
	near(par.value, 0.037, 1e-6, "the estimate is left as it was");
	/* no events: M^ = 0 on the boundary, and M T = chi2/2 above it */
	q.N = 0;
	par = (fit_par){ .kind = FIT_POS, .value = 0, .held = 1, .boundary = 1, .scale = 1e-3,
	                 .hi_limit = 1, .zero_ok = 1 };
	assert_int_equal(fit_maximize(&pb, &ll, &err), 0);
	assert_int_equal(fit_profile(&pb, 0, ll, &lo, &hi, &err), 0);
	assert_true(lo == 0);
	near(hi, DROP / q.T, 1e-5, "no events: upper bound chi2 / 2T");
}

/* Three shares of one group, counts N[]: a multinomial. */
static double multinomial_ll(void *ctx, const double *p, double *g)
{
	const double *N = ctx;
	double ll = 0;
	for (int i = 0; i < 3; i++) {
		if (N[i] > 0)
			ll += N[i] * log(p[i]);
		if (g)
			g[i] = N[i] > 0 ? N[i] / p[i] : 0;
	}
	return ll;
}

/* c = {N1, N, pi^}: the binomial likelihood ratio of pi against pi^ */
static double binomial_excess(double pi, const double *c)
{
	double r = c[0] * log(pi / c[2]);
	if (c[1] > c[0])
		r += (c[1] - c[0]) * log((1 - pi) / (1 - c[2]));
	return r + DROP;
}

static void test_profile_shares(void **state)
{
	(void)state;
	double N[3] = { 30, 12, 8 };
	fit_par par[3];
	for (int i = 0; i < 3; i++)
		par[i] = (fit_par){ .kind = FIT_SHARE, .group = 0, .value = 1.0 / 3, .scale = 0.01,
		                    .hi_limit = 1, .zero_ok = 1 };
	fit_problem pb = { .n = 3, .par = par, .f = multinomial_ll, .ctx = N, .drop = DROP };
	double ll, lo, hi;
	esc_error err = {0};
	assert_int_equal(fit_maximize(&pb, &ll, &err), 0);
	for (int i = 0; i < 3; i++)
		near(par[i].value, N[i] / 50, 1e-5, "shares: N_i / N");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fit_profile(&pb, (size_t)i, ll, &lo, &hi, &err), 0);
		double c[3] = { N[i], 50, N[i] / 50 };
		near(lo, bisect(binomial_excess, c, 1e-9, c[2]), 1e-4, "share: lower bound (binomial LR)");
		near(hi, bisect(binomial_excess, c, c[2], 1 - 1e-9), 1e-4, "share: upper bound (binomial LR)");
	}
	/* a zone without events: 0 on the boundary, and 1 - e^{-chi2/2N} above */
	double M[3] = { 30, 20, 0 };
	pb.ctx = M;
	for (int i = 0; i < 3; i++)
		par[i].value = M[i] / 50;
	par[2].held = par[2].boundary = 1;
	assert_int_equal(fit_maximize(&pb, &ll, &err), 0);
	assert_int_equal(fit_profile(&pb, 2, ll, &lo, &hi, &err), 0);
	assert_true(lo == 0);
	near(hi, -expm1(-DROP / 50), 1e-4, "a share with no events: 1 - exp(-chi2 / 2N)");
	near(par[0].value, 0.6, 1e-5, "the others are left as they were");
}

/* ---- Kolmogorov-Smirnov ----------------------------------------------------- */

static void test_ks(void **state)
{
	(void)state;
	/* x = 0.1, 0.5, 1, 2, 3 against F(x) = 1 - e^{-x}: the largest gap is
	 * at x = 2, F = 0.864665 above 3/5: D = 0.264665 (by hand) */
	double x[5] = { 3, 0.5, 2, 0.1, 1 }, d, p;
	fit_ks_exp(x, 5, &d, &p);
	near(d, 0.8646647167633873 - 0.6, 1e-15, "KS statistic");
	assert_true(x[0] == 0.1 && x[4] == 3);      /* sorted in place */
	/* p-values of Exp(1) samples are uniform: the share below 0.05 */
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(r, 11);
	enum { S = 2000, N = 200 };
	double *y = malloc(N * sizeof *y);
	int below = 0;
	for (int s = 0; s < S; s++) {
		for (int i = 0; i < N; i++)
			y[i] = gsl_ran_exponential(r, 1.0);
		fit_ks_exp(y, N, &d, &p);
		below += p < 0.05;
	}
	double z = gsl_cdf_ugaussian_Pinv(0.9995), se = sqrt(0.05 * 0.95 / S);
	print_message("# KS p < 0.05 in %d of %d null samples (%.4f; 0.05 +- %.4f)\n", below, S,
	              (double)below / S, z * se);
	assert_true(fabs((double)below / S - 0.05) <= z * se);
	free(y);
	gsl_rng_free(r);
}

/* ---- regime means ----------------------------------------------------------- */

static void test_regime_means(void **state)
{
	(void)state;
	esc_config cfg;
	assert_int_equal(esc_config_alloc(&cfg, 2, 1, 1, 2, NULL), 0);
	cfg.horizon_h = 1000;
	assert_int_equal(esc_config_alloc_regime(&cfg, 2, 1, NULL), 0);
	double a = 0.01, b = 0.03;                  /* 0 -> 1, 1 -> 0, per hour */
	cfg.regime.rate_per_h[0 * 2 + 1] = a;
	cfg.regime.rate_per_h[1 * 2 + 0] = b;
	cfg.regime.multiplier[0] = 1;
	cfg.regime.multiplier[1] = 3;
	cfg.regime.shocks[0] = (esc_shock){ 2000, 1 };  /* after the horizon: never */
	assert_int_equal(esc_config_alloc_generator_multiplier(&cfg, 1, NULL), 0);
	cfg.generators[1].regime_multiplier[0] = 0;
	cfg.generators[1].regime_multiplier[1] = 1;
	double H = 1000, mean[2];
	assert_int_equal(fit_regime_means(&cfg, H, mean, NULL), 0);
	/* from state 0: p1(t) = pi1 (1 - e^{-(a+b) t}), pi1 = a / (a + b) */
	double s = a + b, pi1 = a / s, occ1 = pi1 * (H - -expm1(-s * H) / s);
	near(mean[0], 1 + 2 * occ1 / H, 1e-7, "shared multipliers: 1 + 2 * occupancy of state 1");
	near(mean[1], occ1 / H, 1e-7, "own multipliers: occupancy of state 1");
	/* a shock to state 1 at t = 400: from there p1 = pi1 + (1 - pi1) e^{-s(t - 400)} */
	cfg.regime.shocks[0].t_h = 400;
	assert_int_equal(fit_regime_means(&cfg, H, mean, NULL), 0);
	double before = pi1 * (400 - -expm1(-s * 400) / s);
	double after = pi1 * 600 + (1 - pi1) * -expm1(-s * 600) / s;
	near(mean[1], (before + after) / H, 1e-7, "with a shock");
	esc_config_free(&cfg);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_records),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_hawkes_loglik),
		cmocka_unit_test(test_hawkes_gradient),
		cmocka_unit_test(test_residuals),
		cmocka_unit_test(test_zinb),
		cmocka_unit_test(test_profile_poisson),
		cmocka_unit_test(test_profile_shares),
		cmocka_unit_test(test_ks),
		cmocka_unit_test(test_regime_means),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
