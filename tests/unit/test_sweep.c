/* test_sweep.c: sweep designs (escsim/sweep.h): grid order and values, lin
 * and log ranges with exact end points, durations in hours, Sobol points
 * mapped onto ranges and lists, the dimension limit, every bad spec refused
 * with its message, and assignments that read back as the same double;
 * Latin hypercubes (one point per stratum), Saltelli's A, B and AB rows,
 * Morris trajectories (one key per step, Delta of the range, on the
 * levels), the same design from the same seed, and bad designs. */
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

static int build(esc_sweep *s, const char *const *vary, size_t n,
                 const char *design, size_t points, esc_error *err)
{
	esc_sweep_opts o = { design, points, 0, 7 };
	return esc_sweep_build(s, vary, n, &o, err);
}

static void test_grid_order(void **state)
{
	(void)state;
	const char *vary[] = { "a=1,2", "b=10,20,30" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(build(&s, vary, 2, "grid", 0, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 3, "grid", 0, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 1, "grid", 0, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 3, "sobol", 64, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 40, "sobol", 8, &err), ESC_OK);
	/* Dimension 40 is the last GSL fills in: no coordinate stuck at 0. */
	for (size_t k = 0; k < 40; k++)
		assert_true(at(&s, 1, k) != 0.0);
	esc_sweep_free(&s);
	assert_int_equal(build(&s, vary, 41, "sobol", 8, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "at most 40"));
	esc_sweep_free(&s);
}

static void test_bad_specs(void **state)
{
	(void)state;
	const struct { const char *vary; const char *d; size_t points; const char *msg; } cases[] = {
		{ "a", "grid", 0, "expected KEY=SPEC" },
		{ "=1,2", "grid", 0, "expected KEY=SPEC" },
		{ "a=", "grid", 0, "expected KEY=SPEC" },
		{ "a=1,,2", "grid", 0, "a list holds numbers" },
		{ "a=1,x", "grid", 0, "a list holds numbers" },
		{ "a=3q", "grid", 0, "a list holds numbers" },
		{ "a=nan", "grid", 0, "a list holds numbers" },
		{ "a=lin:0:1", "grid", 0, "a grid needs the number of values" },
		{ "a=lin:0:1:0", "grid", 0, "N must be an integer >= 1" },
		{ "a=lin:0:1:x", "grid", 0, "N must be an integer >= 1" },
		{ "a=lin:0", "grid", 0, "expected lin:LO:HI:N" },
		{ "a=lin:x:1:3", "grid", 0, "LO and HI must be numbers" },
		{ "a=log:0:1:3", "grid", 0, "log needs LO > 0" },
		{ "a=exp:1:2:3", "grid", 0, "unknown SPEC" },
		{ "a=lin:0:1", "sobol", 0, "needs --points" },
		/* Finite as typed, not once in hours (fuzz_vary found it). */
		{ "a=30m,4h,1e308w", "grid", 0, "value '1e308w' is out of range" },
		{ "a=lin:1:1e307w:3", "grid", 0, "value '1e307w' is out of range" },
		{ "a=lin:1e307d:1:3", "sobol", 8, "value '1e307d' is out of range" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_sweep s;
		esc_error err = {0};
		const char *v[] = { cases[i].vary };
		int st = build(&s, v, 1, cases[i].d, cases[i].points, &err);
		if (st != ESC_ERR_INPUT || !strstr(err.msg, cases[i].msg))
			fail_msg("'%s': status %d, message '%s' (want '%s')", cases[i].vary,
			         st, err.msg, cases[i].msg);
		esc_sweep_free(&s);
	}
	/* A key twice, and a grid too big. */
	const char *twice[] = { "a=1", "a=2" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(build(&s, twice, 2, "grid", 0, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "given twice"));
	esc_sweep_free(&s);
	const char *big[] = { "a=lin:0:1:1000", "b=lin:0:1:1000", "c=lin:0:1:2" };
	assert_int_equal(build(&s, big, 3, "grid", 0, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "more than"));
	esc_sweep_free(&s);
	assert_int_equal(build(&s, NULL, 0, "grid", 0, &err), ESC_ERR_INPUT);
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
	assert_int_equal(build(&s, vary, 2, "grid", 0, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 2, "sobol", 64, &err), ESC_OK);
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
	assert_int_equal(build(&s, vary, 3, "grid", 0, &err), ESC_OK);
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


static void test_lhs(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:0:10", "b=log:1:100", "c=1,2,3,4,5" };
	esc_sweep s, t;
	esc_error err = {0};
	assert_int_equal(build(&s, vary, 3, "lhs", 50, &err), ESC_OK);
	assert_int_equal(s.n_points, 50);
	assert_string_equal(s.design, "lhs");
	/* A Latin hypercube: every key's range cut into 50 strata, one point
	 * in each (for the log key, strata of log b), so each of the list's 5
	 * values exactly 10 times. */
	int hit_a[50] = {0}, hit_b[50] = {0}, hit_c[5] = {0};
	for (size_t p = 0; p < 50; p++) {
		hit_a[(int)floor(at(&s, p, 0) / 10 * 50)]++;
		hit_b[(int)floor(log10(at(&s, p, 1)) / 2 * 50)]++;
		hit_c[(int)at(&s, p, 2) - 1]++;
		assert_int_equal(s.role[p], ESC_SWEEP_POINT);
		assert_int_equal(s.block[p], (int64_t)p);
		assert_int_equal(s.key[p], -1);
	}
	for (int i = 0; i < 50; i++)
		assert_true(hit_a[i] == 1 && hit_b[i] == 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(hit_c[i], 10);
	/* The same seed, the same design; another seed, another. */
	assert_int_equal(build(&t, vary, 3, "lhs", 50, &err), ESC_OK);
	assert_memory_equal(s.values, t.values, 150 * sizeof *s.values);
	esc_sweep_free(&t);
	esc_sweep_opts o = { "lhs", 50, 0, 8 };
	assert_int_equal(esc_sweep_build(&t, vary, 3, &o, &err), ESC_OK);
	assert_true(memcmp(s.values, t.values, 150 * sizeof *s.values) != 0);
	esc_sweep_free(&t);
	esc_sweep_free(&s);
}

static void test_saltelli(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:0:1", "b=lin:10:20", "c=lin:-1:1" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(build(&s, vary, 3, "saltelli", 8, &err), ESC_OK);
	assert_int_equal(s.n_points, 8 * 5);        /* N (k + 2) */
	assert_int_equal(s.base, 8);
	/* SALib's order per base row j: A_j, AB_j^1..AB_j^k, B_j; AB_j^i is A_j
	 * with key i from B_j. */
	for (size_t j = 0; j < 8; j++) {
		size_t a = j * 5, b = a + 4;
		assert_int_equal(s.role[a], ESC_SWEEP_A);
		assert_int_equal(s.role[b], ESC_SWEEP_B);
		for (size_t i = 0; i < 3; i++) {
			size_t ab = a + 1 + i;
			assert_int_equal(s.role[ab], ESC_SWEEP_AB);
			assert_int_equal(s.key[ab], (int32_t)i);
			for (size_t q = 0; q < 3; q++)
				assert_true(at(&s, ab, q) == at(&s, q == i ? b : a, q));
		}
		for (size_t r = 0; r < 5; r++)
			assert_int_equal(s.block[a + r], (int64_t)j);
	}
	/* A and B are the halves of GSL's 6-dimensional sequence, which starts
	 * at the centre: A_0 = B_0 = the middle of each range. */
	assert_true(at(&s, 0, 0) == 0.5 && at(&s, 0, 1) == 15 && at(&s, 0, 2) == 0);
	assert_true(at(&s, 4, 0) == 0.5 && at(&s, 4, 1) == 15);
	/* ... then A_1 and B_1 differ. */
	assert_true(at(&s, 5, 0) != at(&s, 9, 0) || at(&s, 5, 1) != at(&s, 9, 1));
	esc_sweep_free(&s);

	const char *many[21];
	char buf[21][24];
	for (int i = 0; i < 21; i++) {
		snprintf(buf[i], sizeof buf[i], "k%d=lin:0:1", i);
		many[i] = buf[i];
	}
	assert_int_equal(build(&s, many, 20, "saltelli", 4, &err), ESC_OK);
	assert_int_equal(s.n_points, 4 * 22);
	esc_sweep_free(&s);
	assert_int_equal(build(&s, many, 21, "saltelli", 4, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "at most 20"));
	esc_sweep_free(&s);
}

static void test_morris(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:0:3", "b=log:1:1000", "c=lin:5:6" };
	esc_sweep s;
	esc_error err = {0};
	assert_int_equal(build(&s, vary, 3, "morris", 30, &err), ESC_OK);
	assert_int_equal(s.n_points, 30 * 4);       /* N (k + 1) */
	assert_int_equal(s.levels, 4);
	int up = 0, down = 0;
	for (size_t t = 0; t < 30; t++) {
		size_t p0 = t * 4;
		assert_int_equal(s.role[p0], ESC_SWEEP_START);
		int moved[3] = {0};
		for (size_t i = 1; i <= 3; i++) {
			size_t p = p0 + i;
			assert_int_equal(s.role[p], ESC_SWEEP_STEP);
			assert_int_equal(s.block[p], (int64_t)t);
			int k = s.key[p];
			assert_true(k >= 0 && k < 3);
			moved[k]++;
			/* Delta = P / (2 (P - 1)) = 2/3 of the range, up or down. */
			assert_true(fabs(fabs(s.step[p]) - 2.0 / 3) < 1e-15);
			up += s.step[p] > 0;
			down += s.step[p] < 0;
			for (int q = 0; q < 3; q++)
				if (q != k)
					assert_true(at(&s, p, q) == at(&s, p - 1, q));
			/* a: levels 0, 1, 2, 3 (range 3): a move of 2. */
			if (k == 0)
				assert_true(at(&s, p, 0) - at(&s, p - 1, 0) == (s.step[p] > 0 ? 2 : -2));
			/* b, log scale: levels 1, 10, 100, 1000: a factor of 100. */
			if (k == 1)
				assert_true(fabs(log10(at(&s, p, 1) / at(&s, p - 1, 1)) -
				                 (s.step[p] > 0 ? 2 : -2)) < 1e-12);
		}
		for (int q = 0; q < 3; q++)
			assert_int_equal(moved[q], 1);          /* each key once */
		for (size_t i = 0; i <= 3; i++) {
			double a = at(&s, p0 + i, 0);
			assert_true(a == 0 || a == 1 || a == 2 || a == 3);
		}
	}
	/* Directions drawn at random: 90 steps, both kinds (P(all one way) =
	 * 2^-89). */
	assert_true(up > 0 && down > 0 && up + down == 90);
	esc_sweep_free(&s);

	esc_sweep_opts six = { "morris", 5, 6, 7 };
	assert_int_equal(esc_sweep_build(&s, vary, 3, &six, &err), ESC_OK);
	for (size_t p = 0; p < s.n_points; p++)
		if (s.role[p] == ESC_SWEEP_STEP)
			assert_true(fabs(fabs(s.step[p]) - 0.6) < 1e-15);   /* 6 / 10 */
	esc_sweep_free(&s);
}

static void test_design_errors(void **state)
{
	(void)state;
	const char *vary[] = { "a=lin:0:1" };
	const struct { esc_sweep_opts o; const char *msg; } cases[] = {
		{ { "box", 4, 0, 1 }, "--design: expected grid, sobol, lhs, saltelli or morris, got 'box'" },
		{ { "lhs", 0, 0, 1 }, "--design lhs needs --points N" },
		{ { "saltelli", 0, 0, 1 }, "--design saltelli needs --points N" },
		{ { "morris", 0, 0, 1 }, "--design morris needs --points N" },
		{ { "grid", 4, 0, 1 }, "--points applies to the sobol, lhs, saltelli and morris designs" },
		{ { "lhs", 4, 4, 1 }, "--levels applies to the morris design only" },
		{ { "morris", 4, 5, 1 }, "an even number of levels" },
		{ { "morris", 4, 1002, 1 }, "an even number of levels" },
		{ { "saltelli", 1000000, 0, 1 }, "the Saltelli design has more than 1000000 points" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_sweep s;
		esc_error err = {0};
		int st = esc_sweep_build(&s, vary, 1, &cases[i].o, &err);
		if (st != ESC_ERR_INPUT || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: status %d, message '%s' (want '%s')", i, st,
			         err.msg, cases[i].msg);
		esc_sweep_free(&s);
	}
	assert_true(esc_sweep_design_known("morris") && !esc_sweep_design_known("Morris"));
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
		cmocka_unit_test(test_lhs),
		cmocka_unit_test(test_saltelli),
		cmocka_unit_test(test_morris),
		cmocka_unit_test(test_design_errors),
	};
	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
