/* fit.c: esc_fit_run, the fit's steps in order (escsim/fit.h):
 *
 *   1. the scenario, through the script layer, as a validated esc_config;
 *   2. the export against its names (events.c), within-day times drawn;
 *   3. the layout (layout.c) and the Hawkes maximum (optim.c);
 *   4. each type's casualty distribution (zinb.c);
 *   5. a profile-likelihood interval for every estimated parameter;
 *   6. goodness of fit: time-rescaled residuals and their Kolmogorov-
 *      Smirnov test, weekly counts against the fitted scenario (gof.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "escsim/scenario.h"
#include "fit_impl.h"

int fit_scenario_arm(const char *path, const char *const *sets, size_t n_sets, esc_scenario **s,
                     esc_config *cfg, esc_policy *pol, esc_error *err)
{
	*s = esc_scenario_load(path, NULL, NULL, err);
	if (!*s)
		return err->status;
	int st = 0;
	for (size_t i = 0; st == 0 && i < n_sets; i++)
		st = esc_scenario_set(*s, sets[i], err);
	return st ? st : esc_scenario_arm(*s, NULL, 0, cfg, pol, err);
}

/* The scenario's configuration, with the --set overrides; its Lua state is
 * not kept (the fit runs no policy). */
static int load_config(esc_fit *f, const esc_fit_opts *o, esc_error *err)
{
	esc_scenario *s;
	esc_policy pol;
	int st = fit_scenario_arm(o->scenario_path, o->sets, o->n_sets, &s, &f->cfg, &pol, err);
	if (st == 0) {
		f->have_cfg = 1;
		esc_scenario_release(s, &pol);
		f->scenario_name = strdup(esc_scenario_name(s));
		if (!f->scenario_name)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	esc_scenario_free(s);
	return st;
}

/* ---- casualties -------------------------------------------------------- */

static double dist_mean(const esc_dist *d) { return d->kind == ESC_DIST_NONE ? 0 : esc_dist_mean(d); }

/* Deaths per event of each type with events, as counts by value. */
static int casualty_data(esc_fit *f, esc_error *err)
{
	const esc_config *cfg = &f->cfg;
	f->cas = calloc(cfg->n_types ? cfg->n_types : 1, sizeof *f->cas);
	if (!f->cas)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (!f->data.has_fatalities)
		return 0;
	for (size_t t = 0; t < cfg->n_types; t++) {
		fit_zinb_data *D = &f->cas[f->n_casualties].data;
		for (size_t j = 0; j < f->data.n; j++) {
			const fit_event *e = &f->data.ev[j];
			if (e->type != (int)t)
				continue;
			size_t i = 0;
			while (i < D->n_values && D->value[i] != e->deaths)
				i++;
			if (i == D->n_values) {
				int *v = realloc(D->value, (i + 1) * sizeof *v);
				size_t *c = v ? realloc(D->count, (i + 1) * sizeof *c) : NULL;
				if (v)
					D->value = v;
				if (!c)
					return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
				D->count = c;
				D->value[i] = e->deaths;
				D->count[i] = 0;
				D->n_values++;
			}
			D->count[i]++;
			D->events++;
			D->lethal += e->deaths > 0;
		}
		if (D->events == 0)
			continue;
		fit_casualty *c = &f->cas[f->n_casualties++];
		c->type = (int)t;
		double mil = dist_mean(&cfg->types[t].fatalities_mil), civ = dist_mean(&cfg->types[t].fatalities_civ);
		c->mil_share = mil + civ > 0 ? mil / (mil + civ) : 0;
	}
	return 0;
}

/* A ZINB problem for casualty c, started where its zeros and the mean of
 * its positive counts point. */
static void zinb_problem(fit_casualty *c, fit_par par[3], fit_problem *pb)
{
	const fit_zinb_data *D = &c->data;
	double pos = 0;
	for (size_t i = 0; i < D->n_values; i++)
		pos += (double)D->value[i] * D->count[i];
	double m = D->lethal ? pos / D->lethal : 1, k = 1;
	double p0 = pow(k / (k + m), k), zero_obs = 1.0 - (double)D->lethal / D->events;
	double z = (zero_obs - p0) / (1 - p0);
	z = z < 0.01 ? 0.01 : z > 0.99 ? 0.99 : z;
	par[0] = (fit_par){ .kind = FIT_UNIT, .value = z, .scale = 0.01, .hi_limit = 1, .zero_ok = 1 };
	par[1] = (fit_par){ .kind = FIT_POS, .value = m, .scale = 1, .hi_limit = 1e4 };
	par[2] = (fit_par){ .kind = FIT_POS, .value = k, .scale = 1, .hi_limit = 1e4 };
	*pb = (fit_problem){ .n = 3, .par = par, .f = fit_zinb_loglik, .ctx = &c->data };
}

/* ---- estimates --------------------------------------------------------- */

static int add_estimate(esc_fit *f, esc_fit_estimate e)
{
	esc_fit_estimate *v = realloc(f->est, (f->n_est + 1) * sizeof *v);
	if (!v)
		return -1;
	f->est = v;
	v[f->n_est++] = e;
	return 0;
}

/* What Hawkes parameter k is of. */
static esc_fit_estimate describe(const fit_layout *L, size_t k)
{
	esc_fit_estimate e = { .actor = -1, .type = -1, .zone = -1, .rule = -1 };
	snprintf(e.name, sizeof e.name, "%s", L->par_name[k]);
	for (size_t s = 0; s < L->n_streams; s++)
		if (L->stream[s].rate_par == (int)k)
			e.kind = ESC_FIT_RATE, e.actor = L->stream[s].actor, e.type = L->stream[s].type;
	for (size_t c = 0; c < L->n_cells; c++)
		if (L->cell[c].share_par == (int)k)
			e.kind = ESC_FIT_ZONE_SHARE, e.actor = L->cell[c].actor, e.type = L->cell[c].type,
			e.zone = L->cell[c].zone;
	for (size_t r = 0; r < L->n_rules; r++) {
		const fit_rule *ru = &L->rule[r];
		int which = ru->n_par == (int)k ? ESC_FIT_BRANCHING : ru->fast_par == (int)k ? ESC_FIT_FAST_MEAN
		          : ru->slow_par == (int)k ? ESC_FIT_SLOW_MEAN : ru->share_par == (int)k ? ESC_FIT_FAST_SHARE : -1;
		if (which >= 0)
			e.kind = (esc_fit_kind)which, e.rule = (int)r;
	}
	/* why it would be held */
	if (e.kind == ESC_FIT_ZONE_SHARE)
		snprintf(e.note, sizeof e.note, "%s", L->pb.par[k].determined ? "the only zone with events"
		         : "the only zone");
	else if (e.rule >= 0 && L->rule[e.rule].parents == 0)
		snprintf(e.note, sizeof e.note, "no event excites through this rule");
	else if (e.rule >= 0 && e.kind != ESC_FIT_BRANCHING)
		snprintf(e.note, sizeof e.note, "the scenario's (--free-kernel fits it)");
	return e;
}

/* One estimate with its interval (or held). */
static int estimate(esc_fit *f, fit_problem *pb, size_t k, double ll, esc_fit_estimate e, esc_error *err)
{
	const fit_par *q = &pb->par[k];
	e.value = q->value;
	e.held = q->held && !q->boundary;
	e.lo = e.hi = NAN;
	if (e.held && !e.note[0])
		snprintf(e.note, sizeof e.note, "the scenario's");
	if (!e.held) {
		pb->drop = gsl_cdf_chisq_Pinv(f->level, 1) / 2;
		int st = fit_profile(pb, k, ll, &e.lo, &e.hi, err);
		if (st)
			return esc_error_prefix(err, "interval of %s: ", e.name);
	}
	return add_estimate(f, e) ? esc_error_set(err, ESC_ERR_RUNTIME, "out of memory") : 0;
}

/* A rule whose n is estimated at 0 (its maximum no higher than with n = 0
 * exactly): n on the boundary, and its kernel, which the data then cannot
 * tell, back at the scenario's values. */
static int boundary_rules(esc_fit *f, int comp, double *ll, int *no_kernel, esc_error *err)
{
	fit_layout *L = &f->L;
	fit_problem *pb = &L->pb;
	double *saved = malloc((pb->n ? pb->n : 1) * sizeof *saved);
	if (!saved)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = 0;
	for (size_t r = 0; r < L->n_rules && st == 0; r++) {
		fit_par *n = &pb->par[L->rule[r].n_par];
		if (L->rule_comp[r] != comp || n->held || n->value > 0.01)
			continue;
		for (size_t k = 0; k < pb->n; k++)
			saved[k] = pb->par[k].value;
		n->value = 0;
		n->held = 1;
		double ll0;
		st = fit_maximize(pb, &ll0, err);
		if (st == 0 && ll0 >= *ll - 1e-4) {
			const esc_excitation *x = &f->cfg.excitations[r];
			n->boundary = 1;
			no_kernel[r] = 1;
			*ll = ll0 > *ll ? ll0 : *ll;
			pb->par[L->rule[r].fast_par].value = x->fast_mean_h;
			pb->par[L->rule[r].slow_par].value = x->slow_mean_h;
			pb->par[L->rule[r].share_par].value = x->fast_share;
			pb->par[L->rule[r].fast_par].held = 1;
			pb->par[L->rule[r].slow_par].held = 1;
			pb->par[L->rule[r].share_par].held = 1;
		} else if (st == 0) {
			n->held = 0;
			for (size_t k = 0; k < pb->n; k++)
				pb->par[k].value = saved[k];
		}
	}
	free(saved);
	return st;
}

/* The interval of a rule's n at 0: its kernel free again while n moves
 * away from 0 (the profile takes the kernel that suits each n best). */
static int boundary_n(esc_fit *f, fit_problem *pb, size_t k, int r, const int *held, double ll,
                      esc_error *err)
{
	const fit_rule *ru = &f->L.rule[r];
	int kp[3] = { ru->fast_par, ru->slow_par, ru->share_par };
	for (int i = 0; i < 3; i++)
		pb->par[kp[i]].held = held[kp[i]];
	int st = estimate(f, pb, k, ll, describe(&f->L, k), err);
	for (int i = 0; i < 3; i++)
		pb->par[kp[i]].held = 1;
	return st;
}

/* Each component of the Hawkes parameters on its own (the others held),
 * maximised, then each of its parameters profiled. */
static int hawkes(esc_fit *f, esc_error *err)
{
	fit_layout *L = &f->L;
	fit_problem *pb = &L->pb;
	int *held = malloc((pb->n ? pb->n : 1) * sizeof *held);
	int *no_kernel = calloc(L->n_rules ? L->n_rules : 1, sizeof *no_kernel);
	if (!held || !no_kernel) {
		free(held);
		free(no_kernel);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	for (size_t k = 0; k < pb->n; k++)
		held[k] = pb->par[k].held;
	int st = 0;
	for (int c = 0; c < L->n_comp && st == 0; c++) {
		for (size_t k = 0; k < pb->n; k++)
			pb->par[k].held = held[k] || L->par_comp[k] != c;
		L->comp = c;
		double ll;
		st = fit_maximize(pb, &ll, err);
		if (st == 0)
			st = boundary_rules(f, c, &ll, no_kernel, err);
		if (st)
			esc_error_prefix(err, "%s: ", f->data.path);
		for (size_t k = 0; k < pb->n && st == 0; k++) {
			if (L->par_comp[k] != c)
				continue;
			esc_fit_estimate e = describe(L, k);
			if (e.rule >= 0 && no_kernel[e.rule] && e.kind == ESC_FIT_BRANCHING)
				st = boundary_n(f, pb, k, e.rule, held, ll, err);
			else if (e.rule >= 0 && no_kernel[e.rule]) {
				e.value = pb->par[k].value;
				e.held = 1;
				e.lo = e.hi = NAN;
				snprintf(e.note, sizeof e.note, "not identified: n is 0");
				st = add_estimate(f, e) ? esc_error_set(err, ESC_ERR_RUNTIME, "out of memory") : 0;
			} else
				st = estimate(f, pb, k, ll, e, err);
		}
	}
	for (size_t k = 0; k < pb->n; k++)
		pb->par[k].held = held[k];
	free(held);
	free(no_kernel);
	L->comp = -1;
	if (st == 0) {
		double *p = malloc((pb->n ? pb->n : 1) * sizeof *p);
		if (!p)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t k = 0; k < pb->n; k++)
			p[k] = pb->par[k].value;
		f->ll = fit_hawkes_loglik(L, p, NULL);
		free(p);
	}
	return st;
}

static int casualties(esc_fit *f, esc_error *err)
{
	static const esc_fit_kind kinds[3] = { ESC_FIT_ZERO, ESC_FIT_MEAN, ESC_FIT_DISPERSION };
	static const char *const names[3] = { "zero", "mean", "dispersion" };
	int st = casualty_data(f, err);
	for (size_t i = 0; i < f->n_casualties && st == 0; i++) {
		fit_casualty *c = &f->cas[i];
		fit_par par[3];
		fit_problem pb;
		zinb_problem(c, par, &pb);
		double ll = 0;
		c->fitted = c->data.lethal > 0;
		if (c->fitted)
			st = fit_maximize(&pb, &ll, err);
		else            /* no deaths at all: the zinb that never kills */
			par[0].value = 1, par[1].value = 1, par[2].value = 1;
		for (int k = 0; k < 3; k++)
			par[k].held = !c->fitted;
		for (int k = 0; k < 3 && st == 0; k++) {
			esc_fit_estimate e = { .kind = kinds[k], .actor = -1, .type = c->type, .zone = -1, .rule = -1 };
			snprintf(e.name, sizeof e.name, "%s %s", names[k], f->cfg.types[c->type].name);
			snprintf(e.note, sizeof e.note, "no deaths in the period: never kills");
			st = estimate(f, &pb, (size_t)k, ll, e, err);
		}
		c->zero = par[0].value;
		c->mean = par[1].value;
		c->dispersion = par[2].value;
	}
	return st;
}

static int goodness(esc_fit *f, const esc_fit_opts *o, esc_error *err)
{
	double *p = malloc((f->L.pb.n ? f->L.pb.n : 1) * sizeof *p);
	if (!p)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t k = 0; k < f->L.pb.n; k++)
		p[k] = f->L.pb.par[k].value;
	f->resid = fit_hawkes_residuals(&f->L, p, &f->gof.n_residuals);
	free(p);
	if (!f->resid)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	fit_ks_exp(f->resid, f->gof.n_residuals, &f->gof.ks_d, &f->gof.ks_p);
	return fit_weekly(f, o, err);
}

int esc_fit_run(const esc_fit_opts *o, esc_fit **out, esc_error *err)
{
	*out = NULL;
	esc_fit *f = calloc(1, sizeof *f);
	if (!f)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	f->free_kernel = o->free_kernel;
	f->level = o->level > 0 ? o->level : 0.95;
	f->events_path = strdup(o->events_path);
	f->scenario_path = strdup(o->scenario_path);
	if (!f->events_path || !f->scenario_path) {
		esc_fit_free(f);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	int st = load_config(f, o, err);
	if (st == 0)
		st = fit_data_read(&f->cfg, f->events_path, o->map_path, o->from, o->to, o->max_events,
		                   &f->data, err);
	if (st == 0) {
		fit_data_place(&f->data, o->seed);
		st = fit_layout_build(&f->L, &f->cfg, &f->data, o->free_kernel, err);
	}
	if (st == 0) {
		f->data.info.fitted = f->L.fitted;
		f->regime_mean = malloc((f->cfg.n_generators ? f->cfg.n_generators : 1) * sizeof *f->regime_mean);
		st = f->regime_mean ? fit_regime_means(&f->cfg, f->cfg.horizon_h, f->regime_mean, err)
		                    : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	if (st == 0)
		st = hawkes(f, err);
	if (st == 0)
		st = casualties(f, err);
	if (st == 0)
		st = goodness(f, o, err);
	if (st) {
		esc_fit_free(f);
		return st;
	}
	*out = f;
	return 0;
}

void esc_fit_free(esc_fit *f)
{
	if (!f)
		return;
	fit_layout_free(&f->L);
	fit_data_free(&f->data);
	if (f->have_cfg)
		esc_config_free(&f->cfg);
	for (size_t i = 0; f->cas && i < f->n_casualties; i++) {
		free(f->cas[i].data.value);
		free(f->cas[i].data.count);
	}
	/* a type whose counting ran out of memory has arrays too */
	if (f->cas && f->n_casualties < f->cfg.n_types) {
		free(f->cas[f->n_casualties].data.value);
		free(f->cas[f->n_casualties].data.count);
	}
	free(f->cas);
	free(f->regime_mean);
	free(f->est);
	free(f->resid);
	free(f->obs);
	free(f->sim_mean);
	free(f->sim_lo);
	free(f->sim_hi);
	free(f->scenario_name);
	free(f->scenario_path);
	free(f->events_path);
	free(f);
}

size_t esc_fit_estimates(const esc_fit *f, const esc_fit_estimate **out)
{
	*out = f->est;
	return f->n_est;
}

const esc_fit_gof *esc_fit_goodness(const esc_fit *f) { return &f->gof; }
double esc_fit_loglik(const esc_fit *f) { return f->ll; }
const esc_fit_data_info *esc_fit_data(const esc_fit *f) { return &f->data.info; }
