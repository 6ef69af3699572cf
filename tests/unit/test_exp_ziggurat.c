/* test_exp_ziggurat.c: the kernel's fast exponential (esc_ran_exponential,
 * the ziggurat behind esc_dist_sample's exponential).
 *
 * The tables are recomputed here in long double from their definition and
 * every layer's area checked; the draws are tested against Exp(1) with a
 * Kolmogorov-Smirnov test, a chi-square over 64 equiprobable cells, and the
 * tail beyond the ziggurat's base (where a separate branch draws), each at
 * significance 0.001 with fixed seeds, on our default generator and on a
 * 32-bit GSL generator; a generator with fewer than 32 bits must get GSL's
 * inversion, draw for draw.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "escsim/dist.h"
#include "escsim/rng.h"
#include "../../sim/kernel/exp_ziggurat.h"

static void test_tables(void **state)
{
	(void)state;
	const long double R = 7.69711747013104971986L, V = 3.94965982258155719929e-3L;
	long double x[257];
	x[0] = V / expl(-R);
	x[1] = R;
	for (int i = 1; i < 255; i++)
		x[i + 1] = -logl(expl(-x[i]) + V / x[i]);
	x[256] = 0;
	for (int i = 0; i <= 256; i++) {
		assert_true(fabsl((long double)zig_x[i] - x[i]) <= 1e-15L * (x[i] > 1 ? x[i] : 1));
		assert_true(fabsl((long double)zig_f[i] - expl(-x[i])) <= 1e-15L);
		if (i > 0 && i < 256)
			assert_true(zig_x[i] > zig_x[i + 1]);
	}
	assert_true((double)R == ZIG_EXP_R && zig_x[1] == ZIG_EXP_R);
	/* Layer i (1..255) is the rectangle [0, x_i] x [f(x_i), f(x_{i+1})];
	 * each has area V, as has the base (R f(R) plus the tail e^-R). */
	for (int i = 1; i < 256; i++) {
		long double area = x[i] * (expl(-x[i + 1]) - expl(-x[i]));
		assert_true(fabsl(area - V) < 1e-15L);
	}
	assert_true(fabsl(R * expl(-R) + expl(-R) - V) < 1e-18L);
}

enum { N = 1000000 };

/* KS distance of n sorted Exp(1) draws, scaled by sqrt(n); critical value
 * 1.9495 at 0.001 (see test_rng.c). */
static double ks(double *x, int n)
{
	gsl_sort(x, 1, (size_t)n);
	double d = 0;
	for (int i = 0; i < n; i++) {
		double F = -expm1(-x[i]);
		double lo = F - (double)i / n, hi = (double)(i + 1) / n - F;
		if (lo > d) d = lo;
		if (hi > d) d = hi;
	}
	return sqrt((double)n) * d;
}

static void check_generator(const gsl_rng_type *type, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(type);
	assert_non_null(r);
	gsl_rng_set(r, seed);
	double *x = malloc(N * sizeof *x);
	assert_non_null(x);
	const double mean = 2.5;
	enum { CELLS = 64 };
	long cell[CELLS] = { 0 }, tail = 0, far = 0;
	double sum = 0;
	for (int i = 0; i < N; i++) {
		double y = esc_ran_exponential(r, mean);
		assert_true(y >= 0 && isfinite(y));
		x[i] = y / mean;
		sum += x[i];
		/* Cell k holds [ -log(1 - k/64), -log(1 - (k+1)/64) ). */
		int k = (int)(-expm1(-x[i]) * CELLS);
		cell[k < CELLS ? k : CELLS - 1]++;
		tail += x[i] > ZIG_EXP_R;
		far += x[i] > 10.0;
	}
	const double z = gsl_cdf_ugaussian_Pinv(0.9995);
	/* Mean: sd of the sample mean of Exp(1) is 1/sqrt(N). */
	double m = sum / N;
	print_message("# %s: mean %.5f (want 1, tolerance %.5f)\n", gsl_rng_name(r), m, z / sqrt((double)N));
	assert_true(fabs(m - 1) <= z / sqrt((double)N));
	double chi2 = 0, e = (double)N / CELLS;
	for (int k = 0; k < CELLS; k++)
		chi2 += (cell[k] - e) * (cell[k] - e) / e;
	double crit = gsl_cdf_chisq_Qinv(0.001, CELLS - 1);
	print_message("# %s: chi-square %.1f on %d df (critical %.1f)\n", gsl_rng_name(r), chi2,
	              CELLS - 1, crit);
	assert_true(chi2 < crit);
	/* Tail counts are binomial: normal bands with z at 0.001. */
	double p_tail = exp(-ZIG_EXP_R), p_far = exp(-10.0);
	double tol_tail = z * sqrt(N * p_tail * (1 - p_tail)), tol_far = z * sqrt(N * p_far * (1 - p_far));
	print_message("# %s: beyond R %ld (want %.1f +- %.1f), beyond 10 %ld (want %.1f +- %.1f)\n",
	              gsl_rng_name(r), tail, N * p_tail, tol_tail, far, N * p_far, tol_far);
	assert_true(fabs((double)tail - N * p_tail) <= tol_tail);
	assert_true(fabs((double)far - N * p_far) <= tol_far + 1);
	double k = ks(x, N);
	print_message("# %s: KS sqrt(n) D = %.4f (critical 1.9495 at 0.001)\n", gsl_rng_name(r), k);
	assert_true(k < 1.9495);
	free(x);
	gsl_rng_free(r);
}

static void test_xoshiro(void **state)
{
	(void)state;
	check_generator(esc_rng_xoshiro256pp, (unsigned long)esc_rng_stream_seed(7, 0, "zig"));
}

static void test_32_bit_generator(void **state)
{
	(void)state;
	check_generator(gsl_rng_mt19937, 20261010);
}

/* Fewer than 32 bits per draw: GSL's own inversion, draw for draw. */
static void test_narrow_generator_falls_back(void **state)
{
	(void)state;
	gsl_rng *a = gsl_rng_alloc(gsl_rng_ranlux), *b = gsl_rng_alloc(gsl_rng_ranlux);
	gsl_rng_set(a, 5);
	gsl_rng_set(b, 5);
	for (int i = 0; i < 1000; i++)
		assert_true(esc_ran_exponential(a, 3.0) == gsl_ran_exponential(b, 3.0));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* esc_dist_sample's exponential is this sampler, with the mean. */
static void test_dist_uses_it(void **state)
{
	(void)state;
	esc_dist d;
	assert_int_equal(esc_dist_init(&d, ESC_DIST_EXPONENTIAL, 0.75, 0, 0, NULL), 0);
	gsl_rng *a = gsl_rng_alloc(esc_rng_xoshiro256pp), *b = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(a, 9);
	gsl_rng_set(b, 9);
	for (int i = 0; i < 1000; i++)
		assert_true(esc_dist_sample(&d, a) == esc_ran_exponential(b, 0.75));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_xoshiro),
		cmocka_unit_test(test_32_bit_generator),
		cmocka_unit_test(test_narrow_generator_falls_back),
		cmocka_unit_test(test_dist_uses_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
