/* bench.h: what the benchmark programs share: a monotonic clock, the
 * median-of-runs rule, the spread and interval of ratios measured in
 * alternating pairs, and the one row format `make bench` prints.
 *
 * These are benchmarks, not tests: nothing here fails a build.  A row says
 * what was measured, the number, its unit, the target and whether
 * the number meets it, so the table reads the same from every program.
 */
#ifndef ESCSIM_BENCH_H
#define ESCSIM_BENCH_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

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

/* The median and quartiles of n values (not reordered): for the ratios
 * of pairs measured alternately, whose spread says how steady the machine
 * was.  Quartiles rather than the range: under SCHED_FIFO the kernel still
 * takes the core away for 50 ms a second (sched_rt_runtime_us), which can
 * fall on one member of a pair and make one ratio wild. */
typedef struct bench_spread {
	double median, q1, q3, min, max;
} bench_spread;

static inline bench_spread bench_spread_of(const double *v, int n)
{
	bench_spread s = { NAN, NAN, NAN, NAN, NAN };
	double *w = malloc((size_t)(n > 0 ? n : 1) * sizeof *w);
	if (!w || n <= 0) {
		free(w);
		return s;
	}
	memcpy(w, v, (size_t)n * sizeof *w);
	s.median = bench_median(w, n);       /* sorts w */
	/* Quartiles by linear interpolation between order statistics. */
	double k1 = 0.25 * (n - 1), k3 = 0.75 * (n - 1);
	int i1 = (int)k1, i3 = (int)k3;
	s.q1 = w[i1] + (k1 - i1) * (i1 + 1 < n ? w[i1 + 1] - w[i1] : 0);
	s.q3 = w[i3] + (k3 - i3) * (i3 + 1 < n ? w[i3 + 1] - w[i3] : 0);
	s.min = w[0];
	s.max = w[n - 1];
	free(w);
	return s;
}

/* A 95% interval for a ratio of times measured as n alternating pairs:
 * the geometric mean of the pairs' ratios, with Student's t on their
 * logarithms (a slow stretch of the machine falls on both members of a
 * pair, so the pairs' ratios scatter far less than the times).  n >= 2. */
static inline void bench_ratio_interval(const double *ratio, int n, double *gm, double *lo,
                                        double *hi)
{
	double m = 0, ss = 0;
	for (int i = 0; i < n; i++)
		m += log(ratio[i]);
	m /= n;
	for (int i = 0; i < n; i++)
		ss += (log(ratio[i]) - m) * (log(ratio[i]) - m);
	double half = n > 1 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(ss / (n - 1) / n) : INFINITY;
	*gm = exp(m);
	*lo = exp(m - half);
	*hi = exp(m + half);
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

/* A row whose verdict the caller gives ("ok", "MISSED", "unclear"): for
 * targets judged on an interval rather than on the value alone. */
static inline void bench_row_verdict(const char *area, const char *name, double value,
                                     const char *unit, const char *target, const char *verdict,
                                     const char *note)
{
	printf("%-9s %-46s %12.4g %-12s %-12s %-7s %s\n", area, name, value, unit, target, verdict,
	       note ? note : "");
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
