/* dist.h: parametric distributions backed by GSL.
 *
 * An esc_dist is a small value describing one distribution, built and checked
 * once (esc_dist_init) and sampled many times.  Parameters are as a scenario
 * author writes them:
 *
 *   constant     a = value
 *   exponential  a = mean                    (mean, not rate)
 *   lognormal    a = median, b = sigma       (log-space sd; zeta = ln median)
 *   gamma        a = shape,  b = scale       (mean a*b)
 *   weibull      a = scale,  b = shape
 *   poisson      a = mean
 *   negbin       a = mean,   b = dispersion  (size k; variance mean + mean^2/k)
 *   zinb         a = zero,   b = mean, c = dispersion
 *                (0 with probability zero, else negbin(mean, dispersion))
 *   discrete     n weights (>= 0, sum > 0); a sample is an index 0..n-1
 *
 * Continuous samples are in the units of the parameters (hours for times).
 */
#ifndef ESCSIM_DIST_H
#define ESCSIM_DIST_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include "escsim/error.h"

typedef enum esc_dist_kind {
	ESC_DIST_NONE = 0,
	ESC_DIST_CONSTANT,
	ESC_DIST_EXPONENTIAL,
	ESC_DIST_LOGNORMAL,
	ESC_DIST_GAMMA,
	ESC_DIST_WEIBULL,
	ESC_DIST_POISSON,
	ESC_DIST_NEGBIN,
	ESC_DIST_ZINB,
	ESC_DIST_DISCRETE
} esc_dist_kind;

typedef struct esc_dist {
	esc_dist_kind kind;
	double a, b, c;
	double log_a;                  /* lognormal: log(a), taken once here
	                                  rather than at every draw */
	size_t n;                      /* discrete: number of weights */
	double *weights;               /* discrete: owned copy */
	gsl_ran_discrete_t *table;     /* discrete: Walker alias table */
} esc_dist;

/* Check the parameters and build the distribution.  On a bad parameter the
 * error names the distribution, the parameter and the domain expected
 * ("lognormal: sigma must be finite and > 0, got -1"), status ESC_ERR_INPUT. */
int esc_dist_init(esc_dist *d, esc_dist_kind kind, double a, double b, double c,
                  esc_error *err);
int esc_dist_init_discrete(esc_dist *d, const double *weights, size_t n,
                           esc_error *err);

/* Deep copy (discrete tables are rebuilt). */
int esc_dist_copy(esc_dist *dst, const esc_dist *src, esc_error *err);
void esc_dist_free(esc_dist *d);

double esc_dist_sample(const esc_dist *d, gsl_rng *r);

/* An exponential draw with the given mean (not rate), as
 * gsl_ran_exponential(r, mean) but by the ziggurat method, about four times
 * faster; esc_dist_sample's exponential.  Works on any gsl_rng: a generator
 * with fewer than 32 random bits per draw gets GSL's inversion. */
double esc_ran_exponential(const gsl_rng *r, double mean);

double esc_dist_mean(const esc_dist *d);      /* analytic mean */
const char *esc_dist_kind_name(esc_dist_kind kind);

#endif
