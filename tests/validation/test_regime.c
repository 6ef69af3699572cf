/* test_regime.c: the regime chain against Markov-chain theory (MR 6.3, 6.7).
 *
 * A calm / tense / crisis chain with rates (per day)
 *
 *            calm    tense   crisis
 *   calm      .      1/20    1/200
 *   tense    1/10     .      1/15
 *   crisis   1/30    1/5      .
 *
 * observed through the model's daily rows, whose `regime` column is the state
 * at the end of each day (or at the horizon).  Every interval is at 99.9%
 * (model_check.h).
 *
 * Stationary distribution.  pi solves pi Q = 0, sum pi = 1 (solved here by LU
 * on Q^T with one equation replaced by the normalisation).  Sampling a
 * stationary chain at fixed times gives states distributed as pi, so the
 * share of days ending in state i estimates pi_i.  The chain starts in calm;
 * days are counted after a burn-in of 30 / gap, gap the spectral gap of Q
 * (smallest |Re| of a non-zero eigenvalue), when the distance to pi is of
 * order e^-30.  Each of R = 30 replications gives one share per state over
 * 2 x 10^5 days; a Student-t interval over the replications (independent;
 * each share an average over thousands of relaxation times, so near normal)
 * must cover pi_i, for each of the three states.
 *
 * Rates follow the regime.  Generator 1 uses the regime's multipliers
 * m = (0.5, 1, 3), generator 2 its own row (0, 2, 0.5).  In the stationary
 * chain a generator of rate lambda has mean count lambda W sum_i pi_i m_i over
 * a window W after the burn-in; checked with a t interval over replications.
 *
 * Shocks.  A second chain has calm <-> tense at 1/5 per day each way and no
 * rate into or out of crisis; shocks force crisis at t1 = 100.5 days and calm
 * at t2 = 200.75 days.  Exactly: every day ending before t1 ends in calm or
 * tense, every day ending in [t1, t2) in crisis (the shock cancels the jump
 * that was pending), and first_crisis_h stays NaN (the regime is the
 * world's state, not an exchange between parties); a generator with multipliers
 * (1, 1, 4) has Poisson(4 lambda (t2 - t1)) incidents in [t1, t2) and
 * Poisson(lambda (T - t2 + t1)) outside (normal intervals with the Poisson
 * variance on the sum over replications).  After t2 the chain runs again
 * from calm: for the two-state chain with rate a each way,
 * P(calm at t2 + s) = 1/2 + 1/2 e^{-2 a s}; at the end of the shock's day
 * (s = 6 h) that is 0.9524, and at the end of day 0 (s = 24 h, from the
 * initial calm) 0.8352: Wilson intervals over R = 4000 replications.
 *
 * Common random numbers.  Two arms that differ only in cell.enabled, with a
 * policy that retaliates after asking the cell (so the arms do differ: a
 * fast, accurate cell calls every strike off), see the same regime path day
 * by day and the same background and triggered incidents.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "escsim/model.h"
#include "model_check.h"

enum { A, B, C };
enum { CALM, TENSE, CRISIS, NS };

static const double RATE_PER_DAY[NS][NS] = {
	{ 0,        1.0 / 20, 1.0 / 200 },
	{ 1.0 / 10, 0,        1.0 / 15 },
	{ 1.0 / 30, 1.0 / 5,  0 },
};

/* Parties A, B, C; one zone; types strike (level 5) and rocket (level 6);
 * n_gen generators (filled by the caller); a three-state regime chain. */
static void regime_config(esc_config *cfg, size_t n_gen, const double rate_per_day[NS][NS],
                          size_t n_shocks, double horizon_h)
{
	assert_int_equal(esc_config_alloc(cfg, 3, 1, 2, n_gen, NULL), 0);
	strcpy(cfg->parties[A].name, "A");
	strcpy(cfg->parties[B].name, "B");
	strcpy(cfg->parties[C].name, "C");
	strcpy(cfg->zones[0], "Z");
	strcpy(cfg->types[0].name, "rocket");
	cfg->types[0].level = 6;
	strcpy(cfg->types[1].name, "strike");
	cfg->types[1].level = 5;
	assert_int_equal(esc_config_alloc_regime(cfg, NS, n_shocks, NULL), 0);
	strcpy(cfg->regime.names[CALM], "calm");
	strcpy(cfg->regime.names[TENSE], "tense");
	strcpy(cfg->regime.names[CRISIS], "crisis");
	for (int i = 0; i < NS; i++)
		for (int j = 0; j < NS; j++)
			cfg->regime.rate_per_h[i * NS + j] = rate_per_day[i][j] / 24;
	cfg->regime.initial = CALM;
	cfg->horizon_h = horizon_h;
}

/* pi Q = 0, sum pi = 1; and the spectral gap of Q, per hour. */
static double stationary(const esc_config *cfg, double pi[NS])
{
	gsl_matrix *M = gsl_matrix_alloc(NS, NS), *Q = gsl_matrix_alloc(NS, NS);
	gsl_vector *b = gsl_vector_calloc(NS), *x = gsl_vector_alloc(NS);
	gsl_permutation *perm = gsl_permutation_alloc(NS);
	gsl_vector_complex *eval = gsl_vector_complex_alloc(NS);
	gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(NS);
	assert_true(M && Q && b && x && perm && eval && w);
	for (int i = 0; i < NS; i++) {
		double out = 0;
		for (int j = 0; j < NS; j++) {
			double q = cfg->regime.rate_per_h[i * NS + j];
			out += q;
			gsl_matrix_set(Q, i, j, q);
		}
		gsl_matrix_set(Q, i, i, -out);
	}
	/* (Q^T) pi = 0 with the last equation replaced by sum pi = 1. */
	for (int i = 0; i < NS; i++)
		for (int j = 0; j < NS; j++)
			gsl_matrix_set(M, i, j, i == NS - 1 ? 1.0 : gsl_matrix_get(Q, j, i));
	gsl_vector_set(b, NS - 1, 1.0);
	int sign;
	assert_int_equal(gsl_linalg_LU_decomp(M, perm, &sign), 0);
	assert_int_equal(gsl_linalg_LU_solve(M, perm, b, x), 0);
	for (int i = 0; i < NS; i++)
		pi[i] = gsl_vector_get(x, i);
	assert_int_equal(gsl_eigen_nonsymm(Q, eval, w), 0);
	double gap = INFINITY;
	for (int i = 0; i < NS; i++) {
		double re = -GSL_REAL(gsl_vector_complex_get(eval, i));
		if (re > 1e-12 && re < gap)
			gap = re;
	}
	gsl_eigen_nonsymm_free(w);
	gsl_vector_complex_free(eval);
	gsl_permutation_free(perm);
	gsl_vector_free(x);
	gsl_vector_free(b);
	gsl_matrix_free(Q);
	gsl_matrix_free(M);
	return gap;
}

/* ---- stationary distribution and rates ------------------------------------ */

static void test_stationary_distribution(void **state)
{
	(void)state;
	enum { R = 30 };
	const double window_days = 200000;
	esc_config cfg;
	regime_config(&cfg, 0, RATE_PER_DAY, 0, 24);
	double pi[NS];
	double gap = stationary(&cfg, pi);
	double burn_days = ceil(30 / gap / 24);
	cfg.horizon_h = 24 * (burn_days + window_days);
	print_message("# regime chain: pi = (%.5f, %.5f, %.5f), spectral gap %.4f/day, burn-in %g days, "
	              "%d replications of %g days\n", pi[0], pi[1], pi[2], gap * 24, burn_days, R, window_days);
	runner run;
	runner_init(&run, &cfg);
	double share[NS][R];
	for (int r = 0; r < R; r++) {
		runner_run(&run, NULL, 20250301, (uint64_t)r);
		assert_int_equal(run.c.n_day, (size_t)(burn_days + window_days));
		size_t n[NS] = {0};
		for (size_t d = (size_t)burn_days; d < run.c.n_day; d++) {
			int s = run.c.day[d].regime;
			assert_true(s >= 0 && s < NS);
			n[s]++;
		}
		for (int i = 0; i < NS; i++)
			share[i][r] = (double)n[i] / window_days;
		assert_int_equal(run.row.incidents, 0);
	}
	int ok = 1;
	const char *what[NS] = { "share of days ending calm", "share of days ending tense",
	                         "share of days ending in crisis" };
	for (int i = 0; i < NS; i++)
		ok &= covers_t(what[i], share[i], R, pi[i]);
	runner_free(&run);
	esc_config_free(&cfg);
	assert_true(ok);
}

static void test_rates_follow_regime(void **state)
{
	(void)state;
	enum { R = 30 };
	const double window_days = 200000, lambda_day[2] = { 1.0, 0.5 };
	const double own[NS] = { 0, 2, 0.5 }, shared[NS] = { 0.5, 1, 3 };
	esc_config cfg;
	regime_config(&cfg, 2, RATE_PER_DAY, 0, 24);
	double pi[NS];
	double gap = stationary(&cfg, pi);
	double burn_days = ceil(30 / gap / 24);
	cfg.horizon_h = 24 * (burn_days + window_days);
	for (int i = 0; i < NS; i++)
		cfg.regime.multiplier[i] = shared[i];
	cfg.generators[0] = (esc_generator){ .actor = C, .target = A, .type = 0, .zone = 0,
	                                     .rate_per_h = lambda_day[0] / 24 };
	cfg.generators[1] = (esc_generator){ .actor = A, .target = B, .type = 1, .zone = 0,
	                                     .rate_per_h = lambda_day[1] / 24 };
	assert_int_equal(esc_config_alloc_generator_multiplier(&cfg, 1, NULL), 0);
	memcpy(cfg.generators[1].regime_multiplier, own, sizeof own);
	double want[2] = { 0, 0 };
	for (int i = 0; i < NS; i++) {
		want[0] += lambda_day[0] * window_days * pi[i] * shared[i];
		want[1] += lambda_day[1] * window_days * pi[i] * own[i];
	}
	runner run;
	runner_init(&run, &cfg);
	double count[2][R];
	for (int r = 0; r < R; r++) {
		runner_run(&run, NULL, 20250302, (uint64_t)r);
		count[0][r] = count[1][r] = 0;
		for (size_t i = 0; i < run.c.n_ev; i++)
			if (run.c.ev[i].t_h >= 24 * burn_days)
				count[run.c.ev[i].actor == C ? 0 : 1][r]++;
	}
	print_message("# regime-modulated rates: %d replications of %g days after %g days burn-in\n",
	              R, window_days, burn_days);
	int ok = covers_t("generator 1 (regime multipliers) count", count[0], R, want[0]);
	ok &= covers_t("generator 2 (own multipliers) count", count[1], R, want[1]);
	runner_free(&run);
	esc_config_free(&cfg);
	assert_true(ok);
}

/* ---- shocks ---------------------------------------------------------------- */

static void test_shocks(void **state)
{
	(void)state;
	enum { R = 4000 };
	const double a = 1.0 / 5, lambda_day = 0.25;
	const double rates[NS][NS] = { { 0, a, 0 }, { a, 0, 0 }, { 0, 0, 0 } };
	const double t1 = 24 * 100.5, t2 = 24 * 200.75, T = 24 * 300;
	esc_config cfg;
	regime_config(&cfg, 1, rates, 2, T);
	cfg.regime.shocks[0] = (esc_shock){ .t_h = t1, .state = CRISIS };
	cfg.regime.shocks[1] = (esc_shock){ .t_h = t2, .state = CALM };
	cfg.regime.multiplier[CRISIS] = 4;
	cfg.generators[0] = (esc_generator){ .actor = C, .target = A, .type = 1, .zone = 0,
	                                     .rate_per_h = lambda_day / 24 };
	runner run;
	runner_init(&run, &cfg);
	size_t day_t2 = (size_t)floor(t2 / 24);
	double in_crisis = 0, outside = 0, calm_after_t2 = 0, calm_day0 = 0;
	for (int r = 0; r < R; r++) {
		runner_run(&run, NULL, 20250303, (uint64_t)r);
		assert_int_equal(run.c.n_day, 300);
		assert_true(isnan(run.row.first_crisis_h));
		for (size_t d = 0; d < run.c.n_day; d++) {
			double end = 24.0 * (double)(d + 1);
			int s = run.c.day[d].regime;
			if (end >= t1 && end < t2)
				assert_int_equal(s, CRISIS);
			else
				assert_true(s == CALM || s == TENSE);
		}
		calm_after_t2 += run.c.day[day_t2].regime == CALM;
		calm_day0 += run.c.day[0].regime == CALM;
		for (size_t i = 0; i < run.c.n_ev; i++) {
			double t = run.c.ev[i].t_h;
			if (t >= t1 && t < t2)
				in_crisis++;
			else
				outside++;
		}
	}
	print_message("# shocks: crisis at %g h, calm at %g h, horizon %g h, %d replications\n", t1, t2, T, R);
	double mu_in = R * 4 * lambda_day / 24 * (t2 - t1), mu_out = R * lambda_day / 24 * (T - (t2 - t1));
	int ok = covers_z("incidents in crisis (sum)", in_crisis, sqrt(mu_in), 1, mu_in);
	ok &= covers_z("incidents outside (sum)", outside, sqrt(mu_out), 1, mu_out);
	double s = 24.0 * (double)(day_t2 + 1) - t2;
	ok &= covers_wilson("P(calm at end of day of calm shock)", calm_after_t2, R,
	                    0.5 + 0.5 * exp(-2 * a / 24 * s));
	ok &= covers_wilson("P(calm at end of day 0)", calm_day0, R, 0.5 + 0.5 * exp(-2 * a));
	runner_free(&run);
	esc_config_free(&cfg);
	assert_true(ok);
}

/* ---- common random numbers across cell arms -------------------------------- */

/* A retaliates against whomever it blames, after 2 h, asking the cell. */
static int retaliate(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                     esc_decision *out, esc_error *err)
{
	(void)self; (void)ctx; (void)err;
	if (obs->observer == A) {
		out->action = ESC_ACT_RETALIATE;
		out->type = 1;
		out->delay_h = 2;
		out->query_cell = 1;
	}
	return 0;
}

static const esc_policy_type retaliate_type = { .name = "retaliate", .on_incident_observed = retaliate };

static int same_incident(const esc_event_row *x, const esc_event_row *y)
{
	return x->t_h == y->t_h && x->actor == y->actor && x->target == y->target &&
	       x->type == y->type && x->cause == y->cause &&
	       x->fatalities_mil == y->fatalities_mil &&
	       x->perceived_perpetrator == y->perceived_perpetrator;
}

static void test_common_random_numbers(void **state)
{
	(void)state;
	enum { R = 20 };
	esc_config on, off;
	esc_config *arm[2] = { &on, &off };
	for (int k = 0; k < 2; k++) {
		esc_config *cfg = arm[k];
		regime_config(cfg, 1, RATE_PER_DAY, 1, 24 * 2000);
		cfg->regime.shocks[0] = (esc_shock){ .t_h = 24 * 1000.5, .state = CRISIS };
		cfg->regime.multiplier[CALM] = 0.5;
		cfg->regime.multiplier[CRISIS] = 3;
		/* C's rockets, which A blames on B; they excite more rockets. */
		cfg->generators[0] = (esc_generator){ .actor = C, .target = A, .type = 0, .zone = 0,
		                                      .rate_per_h = 0.5 / 24 };
		cfg->attribution.confusion[(A * 3 + C) * 3 + C] = 0;
		cfg->attribution.confusion[(A * 3 + C) * 3 + B] = 1;
		assert_int_equal(esc_dist_init(&cfg->types[0].fatalities_civ, ESC_DIST_POISSON, 0.5, 0, 0, NULL), 0);
		assert_int_equal(esc_config_alloc_excitations(cfg, 1, NULL), 0);
		cfg->excitations[0].from_actor = C;
		cfg->excitations[0].n = 0.3;
		cfg->excitations[0].per_fatality = 0.1;
		esc_dist_free(&cfg->cell.latency_h);
		assert_int_equal(esc_dist_init(&cfg->cell.latency_h, ESC_DIST_CONSTANT, 1, 0, 0, NULL), 0);
		cfg->cell.accuracy = 1;
	}
	off.cell.enabled = 0;
	runner ron, roff;
	runner_init(&ron, &on);
	runner_init(&roff, &off);
	esc_policy pol = { &retaliate_type, NULL };
	int64_t ret_on = 0, ret_off = 0, compared = 0;
	for (int r = 0; r < R; r++) {
		runner_run(&ron, &pol, 20250304, (uint64_t)r);
		runner_run(&roff, &pol, 20250304, (uint64_t)r);
		assert_int_equal(ron.c.n_day, roff.c.n_day);
		for (size_t d = 0; d < ron.c.n_day; d++)
			assert_int_equal(ron.c.day[d].regime, roff.c.day[d].regime);
		/* Background and triggered incidents, in order, field by field. */
		size_t i = 0, j = 0;
		for (;;) {
			while (i < ron.c.n_ev && ron.c.ev[i].cause == ESC_CAUSE_POLICY)
				i++;
			while (j < roff.c.n_ev && roff.c.ev[j].cause == ESC_CAUSE_POLICY)
				j++;
			if (i == ron.c.n_ev || j == roff.c.n_ev)
				break;
			assert_true(same_incident(&ron.c.ev[i], &roff.c.ev[j]));
			compared++;
			i++;
			j++;
		}
		assert_int_equal(i, ron.c.n_ev);
		assert_int_equal(j, roff.c.n_ev);
		ret_on += ron.row.retaliations;
		ret_off += roff.row.retaliations;
	}
	print_message("# common random numbers: %lld background and triggered incidents identical in both arms; "
	              "retaliations %lld with the cell, %lld without\n",
	              (long long)compared, (long long)ret_on, (long long)ret_off);
	assert_int_equal(ret_on, 0);
	assert_true(ret_off > 0);
	runner_free(&ron);
	runner_free(&roff);
	esc_config_free(&on);
	esc_config_free(&off);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stationary_distribution),
		cmocka_unit_test(test_rates_follow_regime),
		cmocka_unit_test(test_shocks),
		cmocka_unit_test(test_common_random_numbers),
	};
	return cmocka_run_group_tests_name("regime", tests, NULL, NULL);
}
