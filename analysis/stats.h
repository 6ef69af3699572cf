/* stats.h: the statistics of the comparison report, on plain arrays.
 *
 * Pure functions over doubles (GSL inside), no I/O and no knowledge of the
 * result file, so the report's numbers can be checked one function at a time
 * (tests/unit/test_stats.c).  Every interval is two-sided at LEVEL (0.95 in
 * the report).  NaN stands for "not defined" (too few observations); callers
 * drop NaN observations before calling.
 */
#ifndef ESCSIM_ANALYSIS_STATS_H
#define ESCSIM_ANALYSIS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* An estimate with its interval, over n observations. */
typedef struct esc_interval {
	double est, lo, hi;
	double sd;          /* sample standard deviation, where it applies */
	int64_t n;
} esc_interval;

/* Mean of x[0..n) with the Student t interval mean +- t(1-(1-L)/2, n-1)
 * sd/sqrt(n).  n = 0: all NaN; n = 1: lo = hi = NaN. */
esc_interval esc_stat_mean_t(const double *x, size_t n, double level);

/* The ratio of means mean(x) / mean(y) of n paired observations, with the
 * delta method's t interval: R +- t(1-(1-L)/2, n-1) s / sqrt(n), where s is
 * the standard deviation of x_i - R y_i (about 0, as x - R y has mean 0)
 * divided by |mean(y)|.  sd holds s.  NaN when mean(y) is 0; work needs
 * room for n doubles. */
esc_interval esc_stat_ratio_t(const double *x, const double *y, double *work, size_t n,
                              double level);

/* Two-sided p-value of the one-sample t test of mean 0 (the paired test when
 * x are differences).  NaN for n < 2; 1 when every x is 0, 0 when they are
 * all equal and not 0. */
double esc_stat_t_pvalue(const double *x, size_t n);

/* Proportion k/n with the Wilson score interval.  n = 0: NaN. */
esc_interval esc_stat_wilson(int64_t k, int64_t n, double level);

/* The paired test of two 0/1 outcomes on the discordant pairs: b pairs with
 * (1, 0), c with (0, 1).  McNemar's chi-square with continuity correction,
 * (|b - c| - 1)^2 / (b + c) (no correction when b = c, as R's mcnemar.test),
 * on 1 degree of freedom; when b + c < 25, the exact two-sided binomial
 * p-value min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2), instead. */
typedef struct esc_mcnemar {
	int64_t b, c;
	double chi2;        /* NaN if b + c = 0 */
	double p;           /* 1 if b + c = 0 */
	int exact;          /* 1: p is the exact binomial p-value */
} esc_mcnemar;
esc_mcnemar esc_stat_mcnemar(int64_t b, int64_t c);

/* Quantile p of sorted x[0..n) by linear interpolation between order
 * statistics (Hyndman-Fan type 7, numpy's and R's default), with the
 * distribution-free interval [x_(l), x_(u)] (1-based order statistics),
 * l = qbinom((1-L)/2, n, p), u = qbinom(1-(1-L)/2, n, p) + 1: it covers the
 * true quantile with probability >= L.  A bound that would need an order
 * statistic outside 1..n is NaN (too few observations for that tail). */
esc_interval esc_stat_quantile(const double *sorted, size_t n, double p,
                               double level);

/* Kaplan-Meier estimate for times t[0..n) with event[i] = 1 (observed) or 0
 * (censored at t[i]).  out receives, in time order, one point at time 0 and
 * one per distinct time at which something happened (an event, or
 * censoring): the survival just after it, with Greenwood's variance on the
 * log-log scale (Kalbfleisch-Prentice; R's survfit conf.type = "log-log"),
 * so the band stays inside [0, 1].  Returns the number of points (<= n + 1);
 * out must have room for n + 1. */
typedef struct esc_km_point {
	double t;
	int64_t at_risk;    /* at risk just before t */
	int64_t events;     /* events at t */
	int64_t censored;   /* censored at t */
	double s, lo, hi;   /* survival just after t, and its band */
} esc_km_point;
size_t esc_stat_km(const double *t, const int *event, size_t n, double level,
                   esc_km_point *out);

/* The same curve for times already split and sorted: the M event times
 * ev[0..m) in ascending order (no NaN), and N_CENS replications censored
 * at T_CENS.  Instead of filling an array it calls FN(point, CTX) for each
 * point in time order, the point at time 0 first, so a caller can
 * summarise, print or store a curve of any length without holding it.
 * The points are those esc_stat_km gives for the same data, bit for bit.
 * Returns the number of points. */
typedef void (*esc_km_fn)(const esc_km_point *p, void *ctx);
size_t esc_stat_km_sorted(const double *ev, size_t m, double t_cens,
                          size_t n_cens, double level, esc_km_fn fn,
                          void *ctx);

/* The median survival time from a curve: the first time S <= 1/2, with the
 * interval given by the first times the band's upper and lower limits fall
 * to 1/2 (Brookmeyer-Crowley by the band).  NaN where not reached. */
esc_interval esc_stat_km_median(const esc_km_point *km, size_t n_points);
/* The same, one point at a time in time order: FIRST = 1 for the curve's
 * first point (it resets E). */
void esc_stat_km_median_add(esc_interval *e, const esc_km_point *p, int first);

#endif
