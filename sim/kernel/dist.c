/* dist.c: parametric distributions on top of GSL (see escsim/dist.h).
 *
 * Owns the checking of parameters as a scenario author writes them, their
 * translation to GSL's parameterisations, sampling and analytic means.  Every
 * parameter is checked here, once, so that sampling never meets a domain
 * error: GSL's error handler is off in the program and nothing here may abort.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/dist.h"
#include "exp_ziggurat.h"

static const char *const kind_names[] = {
	[ESC_DIST_NONE] = "none",
	[ESC_DIST_CONSTANT] = "constant",
	[ESC_DIST_EXPONENTIAL] = "exponential",
	[ESC_DIST_LOGNORMAL] = "lognormal",
	[ESC_DIST_GAMMA] = "gamma",
	[ESC_DIST_WEIBULL] = "weibull",
	[ESC_DIST_POISSON] = "poisson",
	[ESC_DIST_NEGBIN] = "negbin",
	[ESC_DIST_ZINB] = "zinb",
	[ESC_DIST_DISCRETE] = "discrete",
};

const char *esc_dist_kind_name(esc_dist_kind kind)
{
	if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0])
		return kind_names[kind];
	return "unknown";
}

/* ---- checks: each returns 0 or the status it set ---- */

static int need_finite(esc_dist_kind k, const char *param, double x, esc_error *err)
{
	if (isfinite(x))
		return 0;
	return esc_error_set(err, ESC_ERR_INPUT, "%s: %s must be finite, got %g",
	                     esc_dist_kind_name(k), param, x);
}

static int need_positive(esc_dist_kind k, const char *param, double x, esc_error *err)
{
	if (isfinite(x) && x > 0)
		return 0;
	return esc_error_set(err, ESC_ERR_INPUT, "%s: %s must be finite and > 0, got %g",
	                     esc_dist_kind_name(k), param, x);
}

static int need_nonnegative(esc_dist_kind k, const char *param, double x, esc_error *err)
{
	if (isfinite(x) && x >= 0)
		return 0;
	return esc_error_set(err, ESC_ERR_INPUT, "%s: %s must be finite and >= 0, got %g",
	                     esc_dist_kind_name(k), param, x);
}

static int need_probability(esc_dist_kind k, const char *param, double x, esc_error *err)
{
	if (x >= 0 && x <= 1)      /* false for NaN */
		return 0;
	return esc_error_set(err, ESC_ERR_INPUT, "%s: %s must be in [0, 1], got %g",
	                     esc_dist_kind_name(k), param, x);
}

int esc_dist_init(esc_dist *d, esc_dist_kind kind, double a, double b, double c,
                  esc_error *err)
{
	/* Zeroed first, so a refused distribution is NONE and safe to free. */
	memset(d, 0, sizeof *d);
	int rc;
	switch (kind) {
	case ESC_DIST_NONE:
		return ESC_OK;         /* "no distribution" is a valid choice */
	case ESC_DIST_CONSTANT:
		rc = need_finite(kind, "value", a, err);
		b = c = 0;
		break;
	case ESC_DIST_EXPONENTIAL:
		rc = need_positive(kind, "mean", a, err);
		b = c = 0;
		break;
	case ESC_DIST_LOGNORMAL:
		rc = need_positive(kind, "median", a, err);
		if (!rc)
			rc = need_positive(kind, "sigma", b, err);
		c = 0;
		break;
	case ESC_DIST_GAMMA:
		rc = need_positive(kind, "shape", a, err);
		if (!rc)
			rc = need_positive(kind, "scale", b, err);
		c = 0;
		break;
	case ESC_DIST_WEIBULL:
		rc = need_positive(kind, "scale", a, err);
		if (!rc)
			rc = need_positive(kind, "shape", b, err);
		c = 0;
		break;
	case ESC_DIST_POISSON:
		rc = need_nonnegative(kind, "mean", a, err);
		b = c = 0;
		break;
	case ESC_DIST_NEGBIN:
		rc = need_nonnegative(kind, "mean", a, err);
		if (!rc)
			rc = need_positive(kind, "dispersion", b, err);
		c = 0;
		break;
	case ESC_DIST_ZINB:
		rc = need_probability(kind, "zero", a, err);
		if (!rc)
			rc = need_nonnegative(kind, "mean", b, err);
		if (!rc)
			rc = need_positive(kind, "dispersion", c, err);
		break;
	case ESC_DIST_DISCRETE:
		return esc_error_set(err, ESC_ERR_INPUT,
		                     "discrete: weights are given through esc_dist_init_discrete");
	default:
		return esc_error_set(err, ESC_ERR_INPUT, "unknown distribution kind %d",
		                     (int)kind);
	}
	if (rc)
		return rc;
	/* Unused parameters are zeroed so equal distributions compare equal. */
	d->kind = kind;
	d->a = a;
	d->b = b;
	d->c = c;
	if (kind == ESC_DIST_LOGNORMAL)
		d->log_a = log(a);
	return ESC_OK;
}

int esc_dist_init_discrete(esc_dist *d, const double *weights, size_t n,
                           esc_error *err)
{
	memset(d, 0, sizeof *d);
	if (n == 0 || !weights)
		return esc_error_set(err, ESC_ERR_INPUT,
		                     "discrete: needs at least one weight, got %zu", n);
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(isfinite(weights[i]) && weights[i] >= 0))
			return esc_error_set(err, ESC_ERR_INPUT,
			                     "discrete: weight %zu must be finite and >= 0, got %g",
			                     i, weights[i]);
		sum += weights[i];
	}
	/* Finite weights can still overflow their sum; GSL would then divide by
	 * infinity and build a table of zeros. */
	if (!(isfinite(sum) && sum > 0))
		return esc_error_set(err, ESC_ERR_INPUT,
		                     "discrete: weights must have a finite sum > 0, got %g", sum);
	double *w = malloc(n * sizeof *w);
	if (!w)
		return esc_error_set(err, ESC_ERR_RUNTIME, "discrete: out of memory");
	memcpy(w, weights, n * sizeof *w);
	gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(n, w);
	if (!table) {
		/* With the weights checked this is only out of memory (GSL's
		 * handler is off, so it returns NULL instead of aborting). */
		free(w);
		return esc_error_set(err, ESC_ERR_RUNTIME,
		                     "discrete: building the alias table failed (out of memory)");
	}
	d->kind = ESC_DIST_DISCRETE;
	d->n = n;
	d->weights = w;
	d->table = table;
	return ESC_OK;
}

int esc_dist_copy(esc_dist *dst, const esc_dist *src, esc_error *err)
{
	if (dst == src)
		return ESC_OK;
	if (src->kind == ESC_DIST_DISCRETE)
		return esc_dist_init_discrete(dst, src->weights, src->n, err);
	*dst = *src;
	dst->n = 0;
	dst->weights = NULL;
	dst->table = NULL;
	return ESC_OK;
}

void esc_dist_free(esc_dist *d)
{
	if (!d)
		return;
	if (d->table)
		gsl_ran_discrete_free(d->table);   /* it does not accept NULL */
	free(d->weights);
	memset(d, 0, sizeof *d);
}

/* The ziggurat (exp_ziggurat.h): one uniform decides the layer (its top 8
 * of 53 bits) and the position in it (the other 45); about 98.9% of draws
 * end at the first comparison, the rest in the wedge test or the tail.
 * That needs at least 32 random bits per draw: generators with fewer
 * (ranlux, minstd, ...) get GSL's inversion instead. */
double esc_ran_exponential(const gsl_rng *r, double mean)
{
	if (r->type->max - r->type->min < 0xffffffffUL)
		return gsl_ran_exponential(r, mean);
	for (;;) {
		uint64_t j = (uint64_t)(gsl_rng_uniform(r) * 0x1p53);
		unsigned i = (unsigned)(j >> 45);
		double x = (double)(j & ((UINT64_C(1) << 45) - 1)) * 0x1p-45 * zig_x[i];
		if (x < zig_x[i + 1])
			return mean * x;          /* under the next layer: under the curve */
		if (i == 0)                    /* the tail beyond R: R + Exp(1) */
			return mean * (ZIG_EXP_R - log(gsl_rng_uniform_pos(r)));
		if (zig_f[i + 1] + (zig_f[i] - zig_f[i + 1]) * gsl_rng_uniform(r) < exp(-x))
			return mean * x;          /* in the wedge, under the curve */
	}
}

/* gsl_ran_poisson computes in unsigned int: past about 4.9e9 its internal
 * conversion overflows (undefined behaviour) and its result wraps at 2^32.
 * Beyond 1e9 (sd 3.2e4, so a draw above 2^32 is a 10^5-sigma event anyway)
 * the normal approximation is used instead; its skewness there is
 * 1/sqrt(mu) < 3.2e-5, well below anything a simulation can detect. */
#define POISSON_GSL_MAX 1e9

static double poisson_draw(gsl_rng *r, double mu)
{
	if (mu <= POISSON_GSL_MAX)
		return (double)gsl_ran_poisson(r, mu);
	double x = floor(mu + sqrt(mu) * gsl_ran_gaussian_ziggurat(r, 1.0) + 0.5);
	return x > 0 ? x : 0;
}

/* Negative binomial as the gamma-Poisson mixture: lambda ~ Gamma(k, mean/k),
 * X ~ Poisson(lambda).  This is what gsl_ran_negative_binomial(r,
 * k/(k+mean), k) computes, with the same draws, but a small dispersion can
 * push lambda past the range gsl_ran_poisson handles. */
static double negbin_draw(gsl_rng *r, double mean, double k)
{
	double lambda = gsl_ran_gamma(r, k, 1.0) * (mean / k);
	return poisson_draw(r, lambda);
}

double esc_dist_sample(const esc_dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case ESC_DIST_CONSTANT:
		return d->a;
	case ESC_DIST_EXPONENTIAL:
		return esc_ran_exponential(r, d->a);        /* takes the mean */
	case ESC_DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, d->log_a, d->b);
	case ESC_DIST_GAMMA:
		return gsl_ran_gamma(r, d->a, d->b);        /* shape, scale */
	case ESC_DIST_WEIBULL:
		return gsl_ran_weibull(r, d->a, d->b);      /* scale, shape */
	case ESC_DIST_POISSON:
		return poisson_draw(r, d->a);
	case ESC_DIST_NEGBIN:
		return negbin_draw(r, d->a, d->b);
	case ESC_DIST_ZINB:
		/* The structural zero first: one uniform, then the count only
		 * when it is not a structural zero. */
		if (gsl_rng_uniform(r) < d->a)
			return 0;
		return negbin_draw(r, d->b, d->c);
	case ESC_DIST_DISCRETE:
		return (double)gsl_ran_discrete(r, d->table);
	default:
		return NAN;
	}
}

double esc_dist_mean(const esc_dist *d)
{
	switch (d->kind) {
	case ESC_DIST_CONSTANT:
	case ESC_DIST_EXPONENTIAL:
	case ESC_DIST_POISSON:
	case ESC_DIST_NEGBIN:
		return d->a;
	case ESC_DIST_LOGNORMAL:
		return d->a * exp(0.5 * d->b * d->b);
	case ESC_DIST_GAMMA:
		return d->a * d->b;
	case ESC_DIST_WEIBULL:
		/* libm's tgamma overflows to inf for tiny shapes; gsl_sf_gamma
		 * would call the error handler. */
		return d->a * tgamma(1.0 + 1.0 / d->b);
	case ESC_DIST_ZINB:
		return (1.0 - d->a) * d->b;
	case ESC_DIST_DISCRETE: {
		double sw = 0, swi = 0;
		for (size_t i = 0; i < d->n; i++) {
			sw += d->weights[i];
			swi += d->weights[i] * (double)i;
		}
		return swi / sw;
	}
	default:
		return NAN;
	}
}
