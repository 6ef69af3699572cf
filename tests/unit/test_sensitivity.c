/* test_sensitivity.c: the sensitivity estimators of the report
 * (analysis/sensitivity.h) on models with known answers, fed by the
 * sweep's own designs (escsim/sweep.h), so design and estimator are tested
 * together as the report uses them.
 *
 * - Sobol indices of the Ishigami function f = sin x1 + a sin^2 x2 +
 *   b x3^4 sin x1 (a = 7, b = 0.1, x_i uniform on [-pi, pi]), whose indices
 *   are known in closed form (Ishigami and Homma 1990; Saltelli et al.
 *   2008, p. 179): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
 *   A fourth key that f never reads must score 0.  N = 4096 base rows of a
 *   saltelli design; each analytic value must lie inside its bootstrap
 *   interval at level 0.999 (eight intervals tested: a family-wise error
 *   below 1 %) and inside the 95 % interval the report prints (conservative
 *   on a quasi-random design, below), and the 95 % intervals must be
 *   narrow (half-width < 0.06), so the test has power.
 * - Morris: a linear model's elementary effects are its slopes times the
 *   ranges, exactly (mu* = |slope| range, sigma = 0); x^2 on [0, 1] with 4
 *   levels has effects 2/3 or 4/3 with equal chance, so mu* estimates 1,
 *   which its 0.999 interval must hold; a key f never reads scores 0.
 *
 * analysis/ is compiled into the escsim binary, not the library, so this
 * test compiles sensitivity.c in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/sweep.h"
#include "../../analysis/sensitivity.c"

#define N_BASE 4096
#define PI 3.14159265358979323846

static double ishigami(const double *x)
{
	const double a = 7, b = 0.1;
	double s2 = sin(x[1]);
	return sin(x[0]) + a * s2 * s2 + b * pow(x[2], 4) * sin(x[0]);
}

/* The closed-form indices for a = 7, b = 0.1. */
static void ishigami_indices(double s1[4], double st[4])
{
	const double a = 7, b = 0.1, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
	double v1 = 0.5 * pow(1 + b * pi4 / 5, 2), v2 = a * a / 8;
	double v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
	double v = v1 + v2 + v13;
	double a1[4] = { v1 / v, v2 / v, 0, 0 }, at[4] = { (v1 + v13) / v, v2 / v, v13 / v, 0 };
	memcpy(s1, a1, sizeof a1);
	memcpy(st, at, sizeof at);
}

/* f at every point of design S into A, B and AB by role, as the report
 * does. */
static void arrange(const esc_sweep *s, double (*f)(const double *), double *ya,
                    double *yb, double *yab)
{
	for (size_t p = 0; p < s->n_points; p++) {
		double y = f(&s->values[p * s->n_keys]);
		size_t j = (size_t)s->block[p];
		if (s->role[p] == ESC_SWEEP_A)
			ya[j] = y;
		else if (s->role[p] == ESC_SWEEP_B)
			yb[j] = y;
		else
			yab[j * s->n_keys + (size_t)s->key[p]] = y;
	}
}

static void test_ishigami(void **state)
{
	(void)state;
	const char *vary[] = { "x1=lin:-3.141592653589793:3.141592653589793",
	                       "x2=lin:-3.141592653589793:3.141592653589793",
	                       "x3=lin:-3.141592653589793:3.141592653589793",
	                       "unread=lin:0:1" };
	esc_sweep s;
	esc_error err = {0};
	esc_sweep_opts o = { "saltelli", N_BASE, 0, 1 };
	assert_int_equal(esc_sweep_build(&s, vary, 4, &o, &err), ESC_OK);
	double *ya = malloc(N_BASE * sizeof *ya), *yb = malloc(N_BASE * sizeof *yb);
	double *yab = malloc(N_BASE * 4 * sizeof *yab);
	assert_non_null(ya);
	assert_non_null(yb);
	assert_non_null(yab);
	arrange(&s, ishigami, ya, yb, yab);
	double s1[4], st[4], v;
	size_t used;
	ishigami_indices(s1, st);
	assert_true(fabs(s1[0] - 0.3139) < 5e-5 && fabs(st[2] - 0.2437) < 5e-5);
	esc_sobol_index wide[4], x[4];
	assert_int_equal(esc_sens_sobol(ya, yb, yab, N_BASE, 4, 1000, 0.999, 5, wide,
	                                &v, &used), 0);
	assert_int_equal(esc_sens_sobol(ya, yb, yab, N_BASE, 4, 1000, 0.95, 5, x,
	                                NULL, NULL), 0);
	assert_int_equal(used, N_BASE);
	/* V = 13.845 in closed form. */
	assert_true(fabs(v - 13.8446) < 0.5);
	for (int i = 0; i < 3; i++) {
		print_message("# x%d: S1 %.4f [%.4f, %.4f] (exact %.4f), ST %.4f [%.4f, %.4f] (exact %.4f)\n",
		              i + 1, x[i].s1, x[i].s1_lo, x[i].s1_hi, s1[i], x[i].st,
		              x[i].st_lo, x[i].st_hi, st[i]);
		assert_true(wide[i].s1_lo <= s1[i] && s1[i] <= wide[i].s1_hi);
		assert_true(wide[i].st_lo <= st[i] && st[i] <= wide[i].st_hi);
		/* The 95 % intervals the report prints hold them too: resampling
		 * the rows of a quasi-random design as if they were independent
		 * overstates its error (of order 1/N against 1/sqrt(N)). */
		assert_true(x[i].s1_lo <= s1[i] && s1[i] <= x[i].s1_hi);
		assert_true(x[i].st_lo <= st[i] && st[i] <= x[i].st_hi);
		assert_true(x[i].s1_hi - x[i].s1_lo < 0.12 && x[i].st_hi - x[i].st_lo < 0.12);
	}
	/* The key f never reads: f(AB) = f(A) at every base row. */
	assert_true(x[3].s1 == 0 && x[3].st == 0 && x[3].st_lo == 0 && x[3].st_hi == 0);
	free(ya);
	free(yb);
	free(yab);
	esc_sweep_free(&s);
}

/* Rows with NaN are left out; a constant output has no indices. */
static void test_sobol_edges(void **state)
{
	(void)state;
	double ya[4] = { 1, 2, NAN, 4 }, yb[4] = { 2, 3, 4, 1 };
	double yab[4] = { 2, 2, 3, 1 };
	esc_sobol_index x;
	size_t used;
	double v;
	assert_int_equal(esc_sens_sobol(ya, yb, yab, 4, 1, 100, 0.95, 1, &x, &v, &used), 0);
	assert_int_equal(used, 3);
	/* By hand over rows 0, 1, 3: mean 13/6, V = (sum of squares)/6. */
	double mean = 13.0 / 6, vv = 0, vals[] = { 1, 2, 4, 2, 3, 1 };
	for (int i = 0; i < 6; i++)
		vv += (vals[i] - mean) * (vals[i] - mean);
	vv /= 6;
	assert_true(fabs(v - vv) < 1e-12);
	assert_true(fabs(x.s1 - (2 * 1 + 3 * 0 + 1 * -3) / 3.0 / vv) < 1e-12);
	assert_true(fabs(x.st - (1 + 0 + 9) / 6.0 / vv) < 1e-12);
	double c[3] = { 5, 5, 5 };
	assert_int_equal(esc_sens_sobol(c, c, c, 3, 1, 100, 0.95, 1, &x, &v, NULL), 0);
	assert_true(v == 0 && isnan(x.s1) && isnan(x.st) && isnan(x.st_lo));
}

static double slopes(const double *x)
{
	return 2 * x[0] - 3 * x[1];
}

static double square(const double *x)
{
	return x[0] * x[0];
}

/* Elementary effects of f over a morris design, as the report forms them:
 * each step against the point before it, per unit of the range. */
static double *effects(const esc_sweep *s, double (*f)(const double *))
{
	size_t k = s->n_keys;
	double *ee = malloc(s->base * k * sizeof *ee);
	for (size_t p = 0; ee && p < s->n_points; p++)
		if (s->role[p] == ESC_SWEEP_STEP)
			ee[(size_t)s->block[p] * k + (size_t)s->key[p]] =
				(f(&s->values[p * k]) - f(&s->values[(p - 1) * k])) / s->step[p];
	return ee;
}

static void test_morris(void **state)
{
	(void)state;
	const char *vary[] = { "x=lin:0:1", "y=lin:0:10", "unread=lin:0:1" };
	esc_sweep s;
	esc_error err = {0};
	esc_sweep_opts o = { "morris", 50, 0, 3 };
	assert_int_equal(esc_sweep_build(&s, vary, 3, &o, &err), ESC_OK);
	double *ee = effects(&s, slopes);
	assert_non_null(ee);
	esc_morris_index m[3];
	assert_int_equal(esc_sens_morris(ee, 50, 3, 1000, 0.95, 1, m), 0);
	/* Slope times range: 2 x 1 and -3 x 10, exactly (up to rounding). */
	assert_true(fabs(m[0].mu_star - 2) < 1e-12 && fabs(m[0].mu - 2) < 1e-12);
	assert_true(fabs(m[1].mu_star - 30) < 1e-12 && fabs(m[1].mu + 30) < 1e-12);
	assert_true(m[0].sigma < 1e-12 && m[1].sigma < 1e-12);
	assert_true(fabs(m[1].mu_star_lo - 30) < 1e-12 && fabs(m[1].mu_star_hi - 30) < 1e-12);
	assert_true(m[2].mu_star == 0 && m[2].sigma == 0 && m[2].r == 50);
	free(ee);
	esc_sweep_free(&s);

	o.points = 400;
	assert_int_equal(esc_sweep_build(&s, vary, 3, &o, &err), ESC_OK);
	ee = effects(&s, square);
	assert_non_null(ee);
	for (size_t t = 0; t < 400; t++) {
		double e = ee[t * 3];
		assert_true(fabs(e - 2.0 / 3) < 1e-12 || fabs(e - 4.0 / 3) < 1e-12);
	}
	assert_int_equal(esc_sens_morris(ee, 400, 3, 1000, 0.999, 1, m), 0);
	print_message("# x^2: mu* %.4f [%.4f, %.4f], sigma %.4f (expected 1, 1/3)\n",
	              m[0].mu_star, m[0].mu_star_lo, m[0].mu_star_hi, m[0].sigma);
	assert_true(m[0].mu_star_lo <= 1 && 1 <= m[0].mu_star_hi);
	/* Two values 1/3 either side of 1 with chance p = 1/2 each: sd 1/3.  The
	 * sample's is (2/3) sqrt(q (1 - q) n / (n - 1)) for its share q, and q
	 * within 4 standard errors (0.025) of 1/2 puts it in [0.3266, 0.3338]. */
	assert_true(fabs(m[0].sigma - 1.0 / 3) < 0.007);
	free(ee);
	esc_sweep_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ishigami),
		cmocka_unit_test(test_sobol_edges),
		cmocka_unit_test(test_morris),
	};
	return cmocka_run_group_tests_name("sensitivity", tests, NULL, NULL);
}
