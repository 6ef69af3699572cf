/* sensitivity.h: global sensitivity indices of a sweep's output, on plain
 * arrays (the report reads the design and the metric per point; these
 * functions only compute).
 *
 * Sobol indices (a saltelli design, escsim/sweep.h), for each input i of k,
 * from N base rows: f(A_j), f(B_j) and f(AB_j^i), A_j with input i from
 * B_j.  With V the variance of the 2N values f(A_j), f(B_j):
 *   first order  S1_i = mean_j f(B_j) (f(AB_j^i) - f(A_j)) / V
 *                (Saltelli et al. 2010, table 2 (b));
 *   total        ST_i = mean_j (f(A_j) - f(AB_j^i))^2 / (2 V)
 *                (Jansen 1999; Saltelli et al. 2010, table 2 (f)).
 * These are SALib's estimators (SALib.analyze.sobol), so its numbers and
 * ours agree on the same samples.  An input the output never reads has
 * f(AB_j^i) = f(A_j) for every j, so S1_i = ST_i = 0 exactly.
 *
 * Morris screening (a morris design), from the elementary effects
 * EE_t^i = (f(x + Delta e_i) - f(x)) / Delta of input i in trajectory t
 * (Delta: the step as a share of the input's range): mu = mean EE,
 * mu* = mean |EE| (Campolongo et al. 2007), sigma = sd EE (n - 1).
 *
 * Intervals: percentile bootstrap (RESAMPLES resamples of the base rows or
 * trajectories, with replacement, the statistic computed on each; the
 * interval is between the (1-L)/2 and 1-(1-L)/2 quantiles, type 7), drawn
 * from a generator seeded by SEED, so the same data give the same
 * intervals.  A base row or trajectory with a NaN value is left out
 * (per input for Morris).  Statistics that are not defined (V = 0, fewer
 * than 2 rows) are NaN.
 */
#ifndef ESCSIM_ANALYSIS_SENSITIVITY_H
#define ESCSIM_ANALYSIS_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#define ESC_SENS_RESAMPLES 1000

typedef struct esc_sobol_index {
	double s1, s1_lo, s1_hi;
	double st, st_lo, st_hi;
} esc_sobol_index;

/* ya[j], yb[j] (j < n) and yab[j * k + i]; out[0..k).  *variance (may be
 * NULL) receives V; *used (may be NULL) the base rows without NaN.
 * Returns 0, or -1 when out of memory. */
int esc_sens_sobol(const double *ya, const double *yb, const double *yab,
                   size_t n, size_t k, size_t resamples, double level,
                   uint64_t seed, esc_sobol_index *out, double *variance,
                   size_t *used);

typedef struct esc_morris_index {
	double mu;
	double mu_star, mu_star_lo, mu_star_hi;
	double sigma, sigma_lo, sigma_hi;
	int64_t r;              /* trajectories with this input's effect */
} esc_morris_index;

/* ee[t * k + i] for t < r (NaN: missing); out[0..k).  Returns 0, or -1
 * when out of memory. */
int esc_sens_morris(const double *ee, size_t r, size_t k, size_t resamples,
                    double level, uint64_t seed, esc_morris_index *out);

#endif
