/* bench.h: what the benchmark programs share: a monotonic clock, the
 * median-of-runs rule, and the one row format `make bench` prints.
 *
 * These are benchmarks, not tests: nothing here fails a build.  A row says
 * what was measured, the number, its unit, the target and whether
 * the number meets it, so the table reads the same from every program.
 */
#ifndef ESCSIM_BENCH_H
#define ESCSIM_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One table row.  target_op is "<=", "<", ">=", ">" or "" (no target);
 * the verdict column says "ok", "MISSED" or "-". */
static inline void bench_row(const char *area, const char *name, double value,
                             const char *unit, const char *target_op,
                             double target, const char *note)
{
	char tgt[32] = "-";
	const char *verdict = "-";
	if (target_op && *target_op) {
		snprintf(tgt, sizeof tgt, "%s %g", target_op, target);
		int ok = strcmp(target_op, "<=") == 0 ? value <= target
		       : strcmp(target_op, "<") == 0  ? value < target
		       : strcmp(target_op, ">") == 0  ? value > target
		       : value >= target;
		verdict = ok ? "ok" : "MISSED";
	}
	printf("%-9s %-46s %12.4g %-12s %-12s %-7s %s\n", area, name, value, unit, tgt,
	       verdict, note ? note : "");
	fflush(stdout);
}

/* A row whose value is not a number ("pending -j"). */
static inline void bench_row_text(const char *area, const char *name, const char *text,
                                  const char *target, const char *note)
{
	printf("%-9s %-46s %12s %-12s %-12s %-7s %s\n", area, name, text, "", target, "-",
	       note ? note : "");
	fflush(stdout);
}

static inline void bench_header(void)
{
	printf("%-9s %-46s %12s %-12s %-12s %-7s %s\n", "area", "benchmark", "value", "unit",
	       "target", "verdict", "note");
}

#endif
