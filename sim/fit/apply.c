/* apply.c: a fit turned back into the scenario's own parameters.
 *
 * Rates.  The fit estimates each cell's mean rate over the period.  The
 * scenario's regime chain scales its generators (background.c), so the
 * rate a generator is given is the cell's fitted rate, split between the
 * cell's generators as the scenario splits it, divided by the generator's
 * mean multiplier over the scenario's horizon: a simulated horizon then has
 * the fitted mean count.  The mean multiplier comes from the chain's
 * forward (Kolmogorov) equations dp/dt = p Q from the initial state, with
 * each shock resetting p, integrated by fourth-order Runge-Kutta.
 *
 * Casualties.  An export gives one death count per event; the model draws
 * military and civilian deaths apart.  The fitted zinb of the total is
 * split by the scenario's military share q of the type's mean deaths:
 * military zinb{z, q m, k}, civilian zinb{z, (1 - q) m, k}, which keeps
 * each side's mean and the total's mean (thinning a negative binomial
 * keeps its dispersion).  A type the scenario gives no deaths counts them
 * as civilian.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_impl.h"

/* One RK4 step of p' = p Q, occ' = p, over h. */
static void rk4(const double *Q, size_t n, double *p, double *occ, double h, double *w)
{
	double *k1 = w, *k2 = w + n, *k3 = w + 2 * n, *k4 = w + 3 * n, *tmp = w + 4 * n;
	const double *in[4] = { p, tmp, tmp, tmp };
	double *out[4] = { k1, k2, k3, k4 };
	static const double frac[4] = { 0, 0.5, 0.5, 1 };
	for (int s = 0; s < 4; s++) {
		if (s > 0)
			for (size_t i = 0; i < n; i++)
				tmp[i] = p[i] + frac[s] * h * out[s - 1][i];
		for (size_t j = 0; j < n; j++) {
			double x = 0;
			for (size_t i = 0; i < n; i++)
				x += in[s][i] * Q[i * n + j];
			out[s][j] = x;
		}
	}
	/* occ' = p: RK4 on the same stages (p at 0, h/2, h/2, h) */
	for (size_t i = 0; i < n; i++) {
		double p_half1 = p[i] + 0.5 * h * k1[i], p_half2 = p[i] + 0.5 * h * k2[i];
		double p_end = p[i] + h * k3[i];
		occ[i] += h / 6 * (p[i] + 2 * p_half1 + 2 * p_half2 + p_end);
		p[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
	}
}

/* Time spent in each state over [0, H], expected. */
static int occupancy(const esc_regime *r, double H, double *occ)
{
	size_t n = r->n_states;
	double *Q = calloc(n * n, sizeof *Q), *p = calloc(n, sizeof *p), *w = malloc(5 * n * sizeof *w);
	if (!Q || !p || !w) {
		free(Q);
		free(p);
		free(w);
		return -1;
	}
	double out_max = 0;
	for (size_t i = 0; i < n; i++) {
		double out = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i) {
				Q[i * n + j] = r->rate_per_h[i * n + j];
				out += Q[i * n + j];
			}
		Q[i * n + i] = -out;
		out_max = out > out_max ? out : out_max;
		occ[i] = 0;
	}
	p[r->initial] = 1;
	double h_max = out_max > 0 ? fmin(1.0, 0.05 / out_max) : H;
	double t = 0;
	size_t shock = 0;
	while (t < H) {
		double next = H;
		if (shock < r->n_shocks && r->shocks[shock].t_h < next)
			next = r->shocks[shock].t_h;
		while (t < next) {
			double h = fmin(h_max, next - t);
			rk4(Q, n, p, occ, h, w);
			t += h;
		}
		if (shock < r->n_shocks && r->shocks[shock].t_h <= t) {
			memset(p, 0, n * sizeof *p);
			p[r->shocks[shock++].state] = 1;
		}
	}
	free(Q);
	free(p);
	free(w);
	return 0;
}

int fit_regime_means(const esc_config *cfg, double H, double *mean, esc_error *err)
{
	const esc_regime *r = &cfg->regime;
	for (size_t g = 0; g < cfg->n_generators; g++)
		mean[g] = 1;
	if (r->n_states == 0)
		return 0;
	double *occ = malloc(r->n_states * sizeof *occ);
	if (!occ || occupancy(r, H, occ)) {
		free(occ);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	for (size_t g = 0; g < cfg->n_generators; g++) {
		const double *m = cfg->generators[g].regime_multiplier ? cfg->generators[g].regime_multiplier
		                                                       : r->multiplier;
		double x = 0;
		for (size_t s = 0; s < r->n_states; s++)
			x += occ[s] / H * m[s];
		mean[g] = x;
	}
	free(occ);
	return 0;
}

/* Each generator's rate from its cell's fitted mean rate. */
static void rates(const esc_fit *f, double *out)
{
	const esc_config *cfg = &f->cfg;
	const fit_layout *L = &f->L;
	for (size_t g = 0; g < cfg->n_generators; g++) {
		int c = L->gen_cell[g];
		const fit_cell *ce = &L->cell[c];
		double mu = L->pb.par[L->stream[ce->stream].rate_par].value * L->pb.par[ce->share_par].value;
		double sum = 0, n_live = 0;
		for (size_t h = 0; h < cfg->n_generators; h++)
			if (L->gen_cell[h] == c) {
				sum += cfg->generators[h].rate_per_h * f->regime_mean[h];
				n_live += f->regime_mean[h] > 0;
			}
		double mbar = f->regime_mean[g];
		double part = sum > 0 ? cfg->generators[g].rate_per_h * mbar / sum : n_live > 0 && mbar > 0 ? 1 / n_live : 0;
		out[g] = mbar > 0 ? mu * part / mbar : cfg->generators[g].rate_per_h;
	}
}

static int set_zinb(esc_dist *d, double z, double m, double k, esc_error *err)
{
	esc_dist_free(d);
	return esc_dist_init(d, ESC_DIST_ZINB, z, m, k, err);
}

int fit_apply(const esc_fit *f, esc_config *cfg, double *rate_per_h, esc_error *err)
{
	size_t ng = f->cfg.n_generators;
	double *r = malloc((ng ? ng : 1) * sizeof *r);
	if (!r)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	rates(f, r);
	if (rate_per_h)
		memcpy(rate_per_h, r, ng * sizeof *r);
	int st = 0;
	if (cfg) {
		for (size_t g = 0; g < ng && g < cfg->n_generators; g++)
			cfg->generators[g].rate_per_h = r[g];
		const fit_par *p = f->L.pb.par;
		for (size_t i = 0; i < f->L.n_rules && i < cfg->n_excitations; i++) {
			const fit_rule *ru = &f->L.rule[i];
			esc_excitation *x = &cfg->excitations[i];
			x->n = p[ru->n_par].value;
			x->fast_mean_h = p[ru->fast_par].value;
			x->slow_mean_h = p[ru->slow_par].value;
			x->fast_share = p[ru->share_par].value;
		}
		for (size_t i = 0; i < f->n_casualties && st == 0; i++) {
			const fit_casualty *c = &f->cas[i];
			esc_incident_type *ty = &cfg->types[c->type];
			double q = c->mil_share;
			st = q > 0 ? set_zinb(&ty->fatalities_mil, c->zero, q * c->mean, c->dispersion, err)
			           : (esc_dist_free(&ty->fatalities_mil), 0);
			if (st == 0)
				st = q < 1 ? set_zinb(&ty->fatalities_civ, c->zero, (1 - q) * c->mean, c->dispersion, err)
				           : (esc_dist_free(&ty->fatalities_civ), 0);
		}
	}
	free(r);
	return st;
}
