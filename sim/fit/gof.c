/* gof.c: goodness of fit.
 *
 * Time rescaling (Brown et al. 2002): under the fitted model, the
 * compensator increments between consecutive events of a stream are
 * independent Exp(1); fit_hawkes_residuals gives them, and here they meet
 * the Kolmogorov-Smirnov test.  Two caveats the docs repeat: the within-day
 * times of a daily export are drawn (the test is then of the randomised
 * residuals), and the parameters were estimated from the same events, which
 * makes the test conservative (a p-value too large).
 *
 * Weekly counts: the scenario with the fit applied (apply.c) is run for
 * reps replications over the export's period, and each stream's count per
 * week (weeks from the period's start, the last one possibly short) is set
 * beside the data's, with the replications' mean and 5% and 95% quantiles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "escsim/model.h"
#include "escsim/scenario.h"
#include "fit_impl.h"

void fit_ks_exp(double *x, size_t n, double *d, double *p)
{
	*d = NAN;
	*p = NAN;
	if (n == 0)
		return;
	gsl_sort(x, 1, n);
	double D = 0;
	for (size_t i = 0; i < n; i++) {
		double F = -expm1(-x[i]);
		double a = F - (double)i / n, b = (double)(i + 1) / n - F;
		D = a > D ? a : D;
		D = b > D ? b : D;
	}
	/* Kolmogorov's Q(lambda) = 2 sum (-1)^(k-1) e^{-2 k^2 lambda^2} at
	 * Stephens' lambda = (sqrt n + 0.12 + 0.11 / sqrt n) D */
	double sn = sqrt((double)n), lam = (sn + 0.12 + 0.11 / sn) * D, q = 0;
	for (int k = 1; k <= 100; k++) {
		double term = exp(-2.0 * k * k * lam * lam);
		q += (k % 2 ? 2 : -2) * term;
		if (term < 1e-12)
			break;
	}
	*d = D;
	*p = lam < 0.2 ? 1.0 : q < 0 ? 0 : q > 1 ? 1 : q;
}

/* ---- weekly counts ------------------------------------------------------ */

typedef struct counter {
	const fit_layout *L;
	int *used;              /* per stream: it has a modelled cell */
	int *stream_of;         /* [(actor * n_types + type) * n_zones + zone] -> stream, or -1 */
	size_t weeks, n_streams;
	double *count;          /* [stream * weeks + week] of the replication */
} counter;

static int count_event(void *self, const esc_event_row *row, esc_error *err)
{
	(void)err;
	counter *c = self;
	const esc_config *cfg = c->L->cfg;
	if (row->kind != ESC_EVENT_INCIDENT || row->type < 0)
		return 0;
	int s = c->stream_of[((size_t)row->actor * cfg->n_types + (size_t)row->type) * cfg->n_zones +
	                     (size_t)row->zone];
	size_t w = (size_t)(row->t_h / (7 * 24));
	if (s >= 0 && w < c->weeks)
		c->count[(size_t)s * c->weeks + w] += 1;
	return 0;
}

/* The streams of the modelled cells, by actor, type and zone. */
static int *stream_table(const fit_layout *L)
{
	const esc_config *cfg = L->cfg;
	size_t n = cfg->n_parties * cfg->n_types * cfg->n_zones;
	int *t = malloc((n ? n : 1) * sizeof *t);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i] = -1;
	for (size_t c = 0; c < L->n_cells; c++) {
		const fit_cell *ce = &L->cell[c];
		if (ce->modelled)
			t[((size_t)ce->actor * cfg->n_types + (size_t)ce->type) * cfg->n_zones + (size_t)ce->zone] = ce->stream;
	}
	return t;
}

/* The scenario again (its policies run in the replications), the fit
 * applied, over the export's period. */
static int fitted_config(const esc_fit *f, const esc_fit_opts *o, esc_scenario **s,
                         esc_config *cfg, esc_policy *pol, int *armed, esc_error *err)
{
	int st = fit_scenario_arm(o->scenario_path, o->sets, o->n_sets, s, cfg, pol, err);
	if (st)
		return st;
	*armed = 1;
	st = fit_apply(f, cfg, NULL, err);
	cfg->horizon_h = f->data.period_h;
	return st;
}

static double quantile(double *x, size_t n, double p)
{
	gsl_sort(x, 1, n);
	return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}

/* Replications' weekly counts into their mean and 5-95% band. */
static int simulate(esc_fit *f, const esc_fit_opts *o, counter *cn, esc_error *err)
{
	esc_scenario *s = NULL;
	esc_config cfg;
	esc_policy pol;
	memset(&cfg, 0, sizeof cfg);
	int have_cfg = 0;
	int st = fitted_config(f, o, &s, &cfg, &pol, &have_cfg, err);
	if (st == 0 && (st = esc_config_check(&cfg, err)) != 0) {
		if (!strstr(err->msg, "branching ratio"))
			goto out;
		f->gof.supercritical = 1;      /* the fit cannot be simulated: said, not an error */
		esc_error_clear(err);
		st = 0;
		goto out;
	}
	size_t cells = cn->n_streams * cn->weeks, R = (size_t)o->reps;
	double *all = st ? NULL : malloc(cells * R * sizeof *all);
	esc_model *m = all ? esc_model_new(&cfg, err) : NULL;
	esc_streams *rs = m ? esc_streams_new(NULL) : NULL;
	if (st == 0 && !rs)
		st = err->status ? err->status : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	esc_model_sink sink = { cn, count_event, NULL, NULL, NULL };
	if (m)
		esc_model_set_sink(m, &sink);
	for (size_t r = 0; st == 0 && r < R; r++) {
		esc_run_row row;
		memset(cn->count, 0, cells * sizeof *cn->count);
		st = esc_model_run(m, &pol, rs, o->seed, r, &row, err);
		for (size_t i = 0; st == 0 && i < cells; i++)
			all[i * R + r] = cn->count[i];
	}
	if (st)
		esc_error_prefix(err, "the fitted scenario: ");
	for (size_t i = 0; st == 0 && i < cells; i++) {
		f->sim_mean[i] = gsl_stats_mean(all + i * R, 1, R);
		f->sim_lo[i] = quantile(all + i * R, R, 0.05);
		f->sim_hi[i] = quantile(all + i * R, R, 0.95);
		if (cn->used[i / cn->weeks])
			f->gof.weeks_inside += f->obs[i] >= f->sim_lo[i] && f->obs[i] <= f->sim_hi[i];
	}
	if (st == 0)
		f->gof.reps = o->reps;
	esc_streams_free(rs);
	esc_model_free(m);
	free(all);
out:
	if (have_cfg)
		esc_config_free(&cfg);
	esc_scenario_free(s);
	return st;
}

int fit_weekly(esc_fit *f, const esc_fit_opts *o, esc_error *err)
{
	const fit_layout *L = &f->L;
	f->weeks = (size_t)ceil(f->data.period_h / (7 * 24));
	size_t cells = L->n_streams * f->weeks;
	counter cn = { L, calloc(L->n_streams ? L->n_streams : 1, sizeof(int)), stream_table(L), f->weeks,
	               L->n_streams, calloc(cells ? cells : 1, sizeof(double)) };
	f->obs = calloc(cells ? cells : 1, sizeof *f->obs);
	f->sim_mean = malloc((cells ? cells : 1) * sizeof *f->sim_mean);
	f->sim_lo = malloc((cells ? cells : 1) * sizeof *f->sim_lo);
	f->sim_hi = malloc((cells ? cells : 1) * sizeof *f->sim_hi);
	int st = 0;
	if (!cn.used || !cn.stream_of || !cn.count || !f->obs || !f->sim_mean || !f->sim_lo || !f->sim_hi)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t j = 0; st == 0 && j < f->data.n; j++) {
		const fit_event *e = &f->data.ev[j];
		if (e->cell >= 0)
			f->obs[(size_t)L->cell[e->cell].stream * f->weeks + (size_t)(e->day / 7)] += 1;
	}
	for (size_t i = 0; st == 0 && i < cells; i++)
		f->sim_mean[i] = f->sim_lo[i] = f->sim_hi[i] = NAN;
	for (size_t c = 0; st == 0 && c < L->n_cells; c++)
		cn.used[L->cell[c].stream] |= L->cell[c].modelled;
	for (size_t s = 0; st == 0 && s < L->n_streams; s++)
		f->gof.weeks += cn.used[s] ? f->weeks : 0;
	if (st == 0 && o->reps > 0)
		st = simulate(f, o, &cn, err);
	free(cn.used);
	free(cn.stream_of);
	free(cn.count);
	return st;
}
