/* hawkes_lik.c: the log-likelihood of the scenario's incidents as a marked
 * multivariate Hawkes process, its gradient, and time-rescaled residuals.
 *
 * The intensity of cell c (layout.c) at time t is
 *
 *   lambda_c(t) = mu_c + sum_r n_r sum_{i -> c, t_i < t} w_i g_r(t - t_i)
 *   g_r(u) = s e^{-u/a} / a + (1 - s) e^{-u/b} / b
 *
 * over the events i that excite cell c through rule r (weight w_i = 1 +
 * per_fatality * deaths_i), with mu_c = rate(stream) * share(c), s the
 * rule's fast_share, a and b its fast and slow means: the model's branching
 * form (sim/model/hawkes.c) seen as an intensity.  Over the period [0, T]:
 *
 *   log L = sum_j log lambda_{c_j}(t_j) - sum_streams rate T
 *           - sum_r n_r sum_i w_i G_r(T - t_i)
 *
 * G_r the kernel's distribution function; children of an event that would
 * fall in an unmodelled cell are left out of both sums (the likelihood of
 * the modelled cells given the whole history).
 *
 * Each (rule, cell, kernel) keeps A = sum_i w_i e^{-(t - t_i)/a} and
 * B = sum_i w_i (t - t_i) e^{-(t - t_i)/a}, brought forward lazily to the
 * time they are read (A' = e^{-d/a} A, B' = e^{-d/a} (B + d A)), so an
 * evaluation costs O(events x rules) exponentials; B gives the derivative
 * in the kernel's mean.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_impl.h"

typedef struct kstate {
	double t;               /* time A and B refer to */
	double af, bf, as, bs;  /* fast and slow kernel sums */
} kstate;

typedef struct rule_val {
	double n, a, b, s;      /* branching ratio, fast mean, slow mean, fast share */
	double phi, d_a, d_b, d_s;   /* at the current event */
} rule_val;

typedef struct work {
	double *mu, *gmu;       /* per cell */
	kstate *k;              /* [rule * n_cells + cell] */
	rule_val *r;
} work;

int fit_hawkes_work_alloc(fit_layout *L)
{
	size_t nc = L->n_cells ? L->n_cells : 1, nr = L->n_rules ? L->n_rules : 1;
	size_t bytes = sizeof(work) + 2 * nc * sizeof(double) + nr * nc * sizeof(kstate) +
	               nr * sizeof(rule_val);
	char *m = calloc(1, bytes);
	if (!m)
		return -1;
	work *w = (work *)m;
	/* one block, laid out as: work, kstate[], rule_val[], mu[], gmu[] */
	w->k = (kstate *)(m + sizeof(work));
	w->r = (rule_val *)(w->k + nr * nc);
	w->mu = (double *)(w->r + nr);
	w->gmu = w->mu + nc;
	L->work = w;
	return 0;
}

static void forward(kstate *k, double t, double a, double b)
{
	double d = t - k->t;
	if (d <= 0)
		return;
	k->t = t;
	if (k->af == 0 && k->as == 0)
		return;
	double ea = exp(-d / a), eb = exp(-d / b);
	k->bf = ea * (k->bf + d * k->af);
	k->af *= ea;
	k->bs = eb * (k->bs + d * k->as);
	k->as *= eb;
}

/* Rates per cell and the rules' values from p; the kernel sums emptied. */
static void start(const fit_layout *L, const double *p, work *w)
{
	for (size_t c = 0; c < L->n_cells; c++) {
		const fit_cell *ce = &L->cell[c];
		w->mu[c] = 0;
		w->gmu[c] = 0;
		if (ce->share_par >= 0)
			w->mu[c] = p[L->stream[ce->stream].rate_par] * p[ce->share_par];
	}
	for (size_t r = 0; r < L->n_rules; r++) {
		const fit_rule *ru = &L->rule[r];
		w->r[r] = (rule_val){ p[ru->n_par], p[ru->fast_par], p[ru->slow_par], p[ru->share_par], 0, 0, 0, 0 };
	}
	memset(w->k, 0, L->n_rules * L->n_cells * sizeof *w->k);
}

/* lambda at event j of cell c, each rule's part kept in w->r. */
static double intensity(const fit_layout *L, work *w, int c, double t)
{
	double lam = w->mu[c];
	for (size_t r = 0; r < L->n_rules; r++) {
		rule_val *v = &w->r[r];
		if (L->rule_comp[r] != L->cell_comp[c]) {
			v->phi = v->d_a = v->d_b = v->d_s = 0;   /* sends nothing here */
			continue;
		}
		kstate *k = &w->k[r * L->n_cells + (size_t)c];
		forward(k, t, v->a, v->b);
		double ef = k->af / v->a, es = k->as / v->b;
		v->phi = v->s * ef + (1 - v->s) * es;
		v->d_a = v->s * (k->bf / (v->a * v->a * v->a) - ef / v->a);
		v->d_b = (1 - v->s) * (k->bs / (v->b * v->b * v->b) - es / v->b);
		v->d_s = ef - es;
		lam += v->n * v->phi;
	}
	return lam;
}

/* Event j as a parent: its weight into the sums of each cell it excites,
 * and its expected children before T out of the log-likelihood. */
static double parent(const fit_layout *L, work *w, size_t j, double t, double T, double *grad)
{
	double ll = 0;
	for (size_t q = L->par_off[j]; q < L->par_off[j + 1]; q++) {
		const fit_parent *pa = &L->par[q];
		if (pa->dest < 0 || (L->comp >= 0 && L->rule_comp[pa->rule] != L->comp))
			continue;
		rule_val *v = &w->r[pa->rule];
		kstate *k = &w->k[(size_t)pa->rule * L->n_cells + (size_t)pa->dest];
		forward(k, t, v->a, v->b);
		k->af += pa->w;
		k->as += pa->w;
		double u = T - t, ea = exp(-u / v->a), eb = exp(-u / v->b);
		double G = v->s * (1 - ea) + (1 - v->s) * (1 - eb);
		ll -= v->n * pa->w * G;
		if (grad) {
			const fit_rule *ru = &L->rule[pa->rule];
			grad[ru->n_par] -= pa->w * G;
			grad[ru->fast_par] += v->n * pa->w * v->s * ea * u / (v->a * v->a);
			grad[ru->slow_par] += v->n * pa->w * (1 - v->s) * eb * u / (v->b * v->b);
			grad[ru->share_par] -= v->n * pa->w * (eb - ea);
		}
	}
	return ll;
}

double fit_hawkes_loglik(void *ctx, const double *p, double *grad)
{
	fit_layout *L = ctx;
	work *w = L->work;
	const fit_data *d = L->d;
	double T = d->period_h, ll = 0;
	start(L, p, w);
	if (grad)
		memset(grad, 0, L->pb.n * sizeof *grad);
	for (size_t j = 0; j < d->n; j++) {
		const fit_event *e = &d->ev[j];
		if (e->cell >= 0 && (L->comp < 0 || L->cell_comp[e->cell] == L->comp)) {
			double lam = intensity(L, w, e->cell, e->t_h);
			if (!isfinite(lam))
				return -HUGE_VAL;
			/* a cell only excitation reaches, its last child long gone
			 * (the sums underflow): as good as impossible */
			if (lam < 1e-300) {
				ll += log(1e-300);
			} else {
				ll += log(lam);
			}
			if (grad && lam >= 1e-300) {
				double inv = 1.0 / lam;
				w->gmu[e->cell] += inv;
				for (size_t r = 0; r < L->n_rules; r++) {
					const fit_rule *ru = &L->rule[r];
					const rule_val *v = &w->r[r];
					if (L->rule_comp[r] != L->cell_comp[e->cell])
						continue;
					grad[ru->n_par] += v->phi * inv;
					grad[ru->fast_par] += v->n * v->d_a * inv;
					grad[ru->slow_par] += v->n * v->d_b * inv;
					grad[ru->share_par] += v->n * v->d_s * inv;
				}
			}
		}
		ll += parent(L, w, j, e->t_h, T, grad);
	}
	for (size_t s = 0; s < L->n_streams; s++)
		if (L->stream[s].rate_par >= 0 && (L->comp < 0 || L->par_comp[L->stream[s].rate_par] == L->comp)) {
			ll -= p[L->stream[s].rate_par] * T;
			if (grad)
				grad[L->stream[s].rate_par] -= T;
		}
	if (grad)
		for (size_t c = 0; c < L->n_cells; c++) {
			const fit_cell *ce = &L->cell[c];
			if (ce->share_par < 0)
				continue;
			int rp = L->stream[ce->stream].rate_par;
			grad[rp] += p[ce->share_par] * w->gmu[c];
			grad[ce->share_par] += p[rp] * w->gmu[c];
		}
	return ll;
}

/* ---- residuals ---------------------------------------------------------- */

/* The compensator of every modelled cell from t0 to t1, added to comp[];
 * the kernel sums brought to t1. */
static void integrate(const fit_layout *L, work *w, double t0, double t1, double *comp)
{
	double dt = t1 - t0;
	for (size_t c = 0; c < L->n_cells; c++) {
		double x = w->mu[c] * dt;
		for (size_t r = 0; r < L->n_rules; r++) {
			const rule_val *v = &w->r[r];
			kstate *k = &w->k[r * L->n_cells + c];
			forward(k, t0, v->a, v->b);
			x += v->n * (v->s * k->af * -expm1(-dt / v->a) + (1 - v->s) * k->as * -expm1(-dt / v->b));
			forward(k, t1, v->a, v->b);
		}
		comp[c] += x;
	}
}

double *fit_hawkes_residuals(const fit_layout *L, const double *p, size_t *n)
{
	work *w = L->work;
	const fit_data *d = L->d;
	*n = 0;
	double *res = malloc((L->fitted ? L->fitted : 1) * sizeof *res);
	double *comp = calloc(L->n_cells ? L->n_cells : 1, sizeof *comp);
	double *last = calloc(L->n_streams ? L->n_streams : 1, sizeof *last);
	if (!res || !comp || !last) {
		free(res);
		res = NULL;
		goto out;
	}
	start(L, p, w);
	double t = 0;
	for (size_t j = 0; j < d->n; j++) {
		const fit_event *e = &d->ev[j];
		integrate(L, w, t, e->t_h, comp);
		t = e->t_h;
		if (e->cell >= 0) {
			int s = L->cell[e->cell].stream;
			double cum = 0;     /* the stream's compensator now */
			for (size_t c = 0; c < L->n_cells; c++)
				if (L->cell[c].stream == s)
					cum += comp[c];
			res[(*n)++] = cum - last[s];   /* the first: from 0 */
			last[s] = cum;
		}
		parent(L, w, j, e->t_h, d->period_h, NULL);
	}
out:
	free(comp);
	free(last);
	return res;
}
