/* test_sweep.c: sweep designs (escsim/sweep.h): grid order and values, lin
 * and log ranges with exact end points, durations in hours, Sobol points
 * mapped onto ranges and lists, the dimension limit, every bad spec refused
 * with its message, and assignments that read back as the same double. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escsim/sweep.h"

static double at(const esc_sweep *s, size_t p, size_t k)
{
	return s->values[p * s->n_keys + k];
}

static void test_grid_order(void **state)
{
	(void)state;
	const char *vary[] = { "a=1,2", "b=10,20,30" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 2, ESC_SWEEP_GRID, 0, &err), ESC_OK);
	assert_int_equal(s.n_points, 6);
	/* The first key slowest, the last fastest. */
	const double want[6][2] = { {1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30} };
	for (size_t p = 0; p < 6; p++) {
		assert_true(at(&s, p, 0) == want[p][0]);
		assert_true(at(&s, p, 1) == want[p][1]);
	}
	assert_string_equal(s.keys[1], "b");
	assert_string_equal(s.specs[1], "10,20,30");
	assert_null(s.units[0]);
	esc_sweep_free(&s);
}

static void test_lin_log(void **state)
{
	(void)state;
	const char *vary[] = { "x=lin:0.5:8:6", "y=log:0.25:24:5", "z=lin:3:9:1" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 3, ESC_SWEEP_GRID, 0, &err), ESC_OK);
	assert_int_equal(s.n_points, 30);
	/* x: 0.5, 2, 3.5, 5, 6.5, 8 at points 0, 5, 10, ... (y and z faster). */
	for (size_t i = 0; i < 6; i++)
		assert_true(fabs(at(&s, i * 5, 0) - (0.5 + 1.5 * (double)i)) < 1e-12);
	assert_true(at(&s, 25, 0) == 8.0);                 /* the end point exactly */
	double r = pow(24 / 0.25, 0.25);
	for (size_t i = 0; i < 5; i++)
		assert_true(fabs(at(&s, i, 1) / (0.25 * pow(r, (double)i)) - 1) < 1e-12);
	assert_true(at(&s, 0, 1) == 0.25 && at(&s, 4, 1) == 24.0);
	assert_true(at(&s, 0, 2) == 3.0);                  /* N = 1: LO */
	esc_sweep_free(&s);
}

static void test_durations(void **state)
{
	(void)state;
	const char *vary[] = { "cell.latency=30m,2h,1d,1w" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 1, ESC_SWEEP_GRID, 0, &err), ESC_OK);
	assert_int_equal(s.n_points, 4);
	assert_true(at(&s, 0, 0) == 0.5 && at(&s, 1, 0) == 2 && at(&s, 2, 0) == 24 &&
	            at(&s, 3, 0) == 168);
	assert_string_equal(s.units[0], "h");
	esc_sweep_free(&s);
}

static void test_sobol(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:0:10", "b=log:1:100", "c=1,2,3,4" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 3, ESC_SWEEP_SOBOL, 64, &err), ESC_OK);
	assert_int_equal(s.n_points, 64);
	/* GSL's sequence starts at the centre, then (0.75, 0.25, ...). */
	assert_true(at(&s, 0, 0) == 5.0);
	assert_true(fabs(at(&s, 0, 1) - 10.0) < 1e-12);   /* log-uniform: sqrt(1 x 100) */
	assert_true(at(&s, 0, 2) == 3.0);                  /* index floor(0.5 x 4) */
	int seen[4] = {0};
	double lo = 1e9, hi = -1e9;
	for (size_t p = 0; p < 64; p++) {
		double a = at(&s, p, 0), b = at(&s, p, 1), c = at(&s, p, 2);
		assert_true(a >= 0 && a < 10 && b >= 1 && b < 100);
		assert_true(c == 1 || c == 2 || c == 3 || c == 4);
		seen[(int)c - 1]++;
		lo = fmin(lo, a);
		hi = fmax(hi, a);
	}
	/* A low-discrepancy sequence: each list value 16 +- 1 times in 64
	 * points (GSL skips the point 0, so the first 64 are not quite a net;
	 * independent draws would spread by +- 3.5), and the range covered end
	 * to end. */
	for (int i = 0; i < 4; i++)
		assert_true(seen[i] >= 15 && seen[i] <= 17);
	assert_true(lo < 0.2 && hi > 9.8);
	esc_sweep_free(&s);
}

static void test_sobol_limit(void **state)
{
	(void)state;
	const char *vary[41];
	char buf[41][24];       /* room for any int: no -Wformat-truncation at -O1 */
	for (int i = 0; i < 41; i++) {
		snprintf(buf[i], sizeof buf[i], "k%d=lin:0:1", i);
		vary[i] = buf[i];
	}
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 40, ESC_SWEEP_SOBOL, 8, &err), ESC_OK);
	/* Dimension 40 is the last GSL fills in: no coordinate stuck at 0. */
	for (size_t k = 0; k < 40; k++)
		assert_true(at(&s, 1, k) != 0.0);
	esc_sweep_free(&s);
	assert_int_equal(esc_sweep_build(&s, vary, 41, ESC_SWEEP_SOBOL, 8, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "at most 40"));
	esc_sweep_free(&s);
}

static void test_bad_specs(void **state)
{
	(void)state;
	const struct { const char *vary; esc_sweep_design d; size_t points; const char *msg; } cases[] = {
		{ "a", ESC_SWEEP_GRID, 0, "expected KEY=SPEC" },
		{ "=1,2", ESC_SWEEP_GRID, 0, "expected KEY=SPEC" },
		{ "a=", ESC_SWEEP_GRID, 0, "expected KEY=SPEC" },
		{ "a=1,,2", ESC_SWEEP_GRID, 0, "a list holds numbers" },
		{ "a=1,x", ESC_SWEEP_GRID, 0, "a list holds numbers" },
		{ "a=3q", ESC_SWEEP_GRID, 0, "a list holds numbers" },
		{ "a=nan", ESC_SWEEP_GRID, 0, "a list holds numbers" },
		{ "a=lin:0:1", ESC_SWEEP_GRID, 0, "a grid needs the number of values" },
		{ "a=lin:0:1:0", ESC_SWEEP_GRID, 0, "N must be an integer >= 1" },
		{ "a=lin:0:1:x", ESC_SWEEP_GRID, 0, "N must be an integer >= 1" },
		{ "a=lin:0", ESC_SWEEP_GRID, 0, "expected lin:LO:HI:N" },
		{ "a=lin:x:1:3", ESC_SWEEP_GRID, 0, "LO and HI must be numbers" },
		{ "a=log:0:1:3", ESC_SWEEP_GRID, 0, "log needs LO > 0" },
		{ "a=exp:1:2:3", ESC_SWEEP_GRID, 0, "unknown SPEC" },
		{ "a=lin:0:1", ESC_SWEEP_SOBOL, 0, "needs --points" },
		/* Finite as typed, not once in hours (fuzz_vary found it). */
		{ "a=30m,4h,1e308w", ESC_SWEEP_GRID, 0, "value '1e308w' is out of range" },
		{ "a=lin:1:1e307w:3", ESC_SWEEP_GRID, 0, "value '1e307w' is out of range" },
		{ "a=lin:1e307d:1:3", ESC_SWEEP_SOBOL, 8, "value '1e307d' is out of range" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_sweep s;
		esc_error err = {0};
		const char *v[] = { cases[i].vary };
		int st = esc_sweep_build(&s, v, 1, cases[i].d, cases[i].points, &err);
		if (st != ESC_ERR_INPUT || !strstr(err.msg, cases[i].msg))
			fail_msg("'%s': status %d, message '%s' (want '%s')", cases[i].vary,
			         st, err.msg, cases[i].msg);
		esc_sweep_free(&s);
	}
	/* A key twice, and a grid too big. */
	const char *twice[] = { "a=1", "a=2" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, twice, 2, ESC_SWEEP_GRID, 0, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "given twice"));
	esc_sweep_free(&s);
	const char *big[] = { "a=lin:0:1:1000", "b=lin:0:1:1000", "c=lin:0:1:2" };
	assert_int_equal(esc_sweep_build(&s, big, 3, ESC_SWEEP_GRID, 0, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "more than"));
	esc_sweep_free(&s);
	assert_int_equal(esc_sweep_build(&s, NULL, 0, ESC_SWEEP_GRID, 0, &err), ESC_ERR_INPUT);
	esc_sweep_free(&s);
}

/* Ends that are finite but whose difference or ratio is not: every value
 * stays finite and between the ends, which are kept exactly. */
static void test_wide_ranges(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:-1e308:1.7e308:5", "b=log:1e-300:1e300:3" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(esc_sweep_build(&s, vary, 2, ESC_SWEEP_GRID, 0, &err), ESC_OK);
	assert_int_equal(s.n_points, 15);
	for (size_t p = 0; p < 15; p++) {
		double a = at(&s, p, 0), b = at(&s, p, 1);
		assert_true(isfinite(a) && a >= -1e308 && a <= 1.7e308);
		assert_true(isfinite(b) && b >= 1e-300 && b <= 1e300);
	}
	assert_true(at(&s, 0, 0) == -1e308 && at(&s, 14, 0) == 1.7e308);
	/* The midpoint of a range wider than DBL_MAX: (HI + LO) / 2. */
	assert_true(fabs(at(&s, 6, 0) / 0.35e308 - 1) < 1e-12);
	assert_true(fabs(at(&s, 1, 1) - 1) < 1e-12);      /* sqrt(1e-300 x 1e300) */
	esc_sweep_free(&s);
	assert_int_equal(esc_sweep_build(&s, vary, 2, ESC_SWEEP_SOBOL, 64, &err), ESC_OK);
	for (size_t p = 0; p < 64; p++)
		assert_true(isfinite(at(&s, p, 0)) && isfinite(at(&s, p, 1)));
	esc_sweep_free(&s);
}

static void test_assignment(void **state)
{
	(void)state;
	const char *vary[] = { "cell.operators=1,2,3", "cell.accuracy=lin:0.1:0.7:7",
	                       "x=1e-300,123456789012" };
	esc_sweep s;
	esc_error err = {0};
	char buf[128];
	assert_int_equal(esc_sweep_build(&s, vary, 3, ESC_SWEEP_GRID, 0, &err), ESC_OK);
	esc_sweep_assignment(&s, 0, 0, buf, sizeof buf);
	assert_string_equal(buf, "cell.operators=1");      /* integral: an integer */
	esc_sweep_assignment(&s, 2, 1, buf, sizeof buf);
	assert_string_equal(buf, "cell.accuracy=0.2");     /* shortest form */
	for (size_t p = 0; p < s.n_points; p++) {
		for (size_t k = 0; k < 3; k++) {
			int n = esc_sweep_assignment(&s, p, k, buf, sizeof buf);
			assert_true(n > 0 && (size_t)n < sizeof buf);
			const char *eq = strchr(buf, '=');
			assert_non_null(eq);
			assert_true(strtod(eq + 1, NULL) == at(&s, p, k));   /* reads back */
		}
	}
	esc_sweep_assignment(&s, 1, 2, buf, sizeof buf);
	assert_string_equal(buf, "x=123456789012");
	esc_sweep_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_order),
		cmocka_unit_test(test_lin_log),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sobol),
		cmocka_unit_test(test_sobol_limit),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_wide_ranges),
		cmocka_unit_test(test_assignment),
	};
	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
