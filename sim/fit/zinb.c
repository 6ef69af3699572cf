/* zinb.c: the casualty likelihood: deaths per incident of one type as a
 * zero-inflated negative binomial, the distribution the model draws them
 * from (zinb{zero, mean, dispersion}, escsim/dist.h):
 *
 *   P(0) = z + (1 - z) p0,   p0 = (k / (k + m))^k
 *   P(y) = (1 - z) Gamma(y + k) / (Gamma(k) y!) (k / (k + m))^k (m / (k + m))^y,  y > 0
 *
 * with z the structural zero, m the negative binomial's mean and k its
 * dispersion (variance m + m^2 / k).  Parameters in the order zero, mean,
 * dispersion; counts come grouped by value, so an evaluation costs one
 * term per distinct count.
 */
#include <math.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "fit_impl.h"

double fit_zinb_loglik(void *data, const double *p, double *grad)
{
	const fit_zinb_data *D = data;
	double z = p[0], m = p[1], k = p[2];
	if (!(z >= 0 && z < 1 && m > 0 && k > 0))
		return -HUGE_VAL;
	double lr = log(k / (k + m));       /* log of k / (k + m) */
	double p0 = exp(k * lr);
	double ll = 0, gz = 0, gm = 0, gk = 0;
	for (size_t i = 0; i < D->n_values; i++) {
		double y = D->value[i], c = (double)D->count[i];
		if (D->value[i] == 0) {
			double L0 = z + (1 - z) * p0;
			ll += c * log(L0);
			gz += c * (1 - p0) / L0;
			gm += c * (1 - z) * p0 * (-k / (k + m)) / L0;
			gk += c * (1 - z) * p0 * (lr + m / (k + m)) / L0;
			continue;
		}
		ll += c * (log1p(-z) + gsl_sf_lngamma(y + k) - gsl_sf_lngamma(k) - gsl_sf_lngamma(y + 1) +
		           k * lr + y * log(m / (k + m)));
		gz -= c / (1 - z);
		gm += c * (y / m - (k + y) / (k + m));
		gk += c * (gsl_sf_psi(y + k) - gsl_sf_psi(k) + lr + (m - y) / (k + m));
	}
	if (grad) {
		grad[0] = gz;
		grad[1] = gm;
		grad[2] = gk;
	}
	return ll;
}
