/* config.c: the validated scenario (escsim/config.h): allocation, defaults,
 * the model's own consistency checks.  Its JSON form, kept as provenance,
 * is config_json.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "escsim/config.h"

int esc_config_alloc(esc_config *cfg, size_t n_parties, size_t n_zones,
                     size_t n_types, size_t n_generators, esc_error *err)
{
	memset(cfg, 0, sizeof *cfg);
	size_t np = n_parties;
	cfg->parties = calloc(np ? np : 1, sizeof *cfg->parties);
	cfg->zones = calloc(n_zones ? n_zones : 1, sizeof *cfg->zones);
	cfg->types = calloc(n_types ? n_types : 1, sizeof *cfg->types);
	cfg->generators = calloc(n_generators ? n_generators : 1, sizeof *cfg->generators);
	cfg->attribution.confusion = calloc(np ? np * np * np : 1, sizeof(double));
	if (!cfg->parties || !cfg->zones || !cfg->types || !cfg->generators ||
	    !cfg->attribution.confusion) {
		esc_config_free(cfg);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory allocating the configuration");
	}
	cfg->n_parties = np;
	cfg->n_zones = n_zones;
	cfg->n_types = n_types;
	cfg->n_generators = n_generators;
	for (size_t i = 0; i < n_types; i++)
		cfg->types[i].escalate_to = -1;
	cfg->regime.initial = 0;
	for (size_t o = 0; o < np; o++)
		for (size_t t = 0; t < np; t++)
			cfg->attribution.confusion[(o * np + t) * np + t] = 1.0;
	esc_config_defaults(cfg);
	return ESC_OK;
}

void esc_config_cell_defaults(esc_config *cfg)
{
	esc_cell *c = &cfg->cell;
	c->members[0] = c->members[1] = -1;
	c->supervisor = -1;
	for (size_t i = 0; i < cfg->n_parties; i++) {
		if (cfg->parties[i].kind == ESC_PARTY_STATE && c->members[1] < 0)
			c->members[c->members[0] < 0 ? 0 : 1] = (int)i;
		if (cfg->parties[i].kind == ESC_PARTY_SUPERVISOR && c->supervisor < 0)
			c->supervisor = (int)i;
	}
}

int esc_config_alloc_channels(esc_config *cfg, size_t n, esc_error *err)
{
	for (size_t i = 0; cfg->channels && i < cfg->n_channels; i++)
		esc_dist_free(&cfg->channels[i].latency_h);
	free(cfg->channels);
	cfg->n_channels = 0;
	cfg->channels = calloc(n ? n : 1, sizeof *cfg->channels);
	if (!cfg->channels)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory allocating channels");
	for (size_t i = 0; i < n; i++) {
		esc_dist_init(&cfg->channels[i].latency_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL);
		cfg->channels[i].availability = 1;
		cfg->channels[i].accuracy = 1;
	}
	cfg->n_channels = n;
	return ESC_OK;
}

int esc_config_alloc_excitations(esc_config *cfg, size_t n, esc_error *err)
{
	free(cfg->excitations);
	cfg->n_excitations = 0;
	cfg->excitations = calloc(n ? n : 1, sizeof *cfg->excitations);
	if (!cfg->excitations)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory allocating hawkes rules");
	for (size_t i = 0; i < n; i++) {
		esc_excitation *e = &cfg->excitations[i];
		e->from_actor = e->from_target = e->from_type = -1;
		e->to_actor = e->to_target = e->to_type = e->to_zone = -1;
		e->fast_share = 1.0;
		e->fast_mean_h = 24.0;
		e->slow_mean_h = 24.0 * 14;
	}
	cfg->n_excitations = n;
	return ESC_OK;
}

static void free_regime(esc_config *cfg)
{
	esc_regime *r = &cfg->regime;
	free(r->names);
	free(r->rate_per_h);
	free(r->multiplier);
	free(r->shocks);
	for (size_t g = 0; cfg->generators && g < cfg->n_generators; g++) {
		free(cfg->generators[g].regime_multiplier);
		cfg->generators[g].regime_multiplier = NULL;
	}
	memset(r, 0, sizeof *r);
}

int esc_config_alloc_regime(esc_config *cfg, size_t n_states, size_t n_shocks, esc_error *err)
{
	free_regime(cfg);
	esc_regime *r = &cfg->regime;
	size_t n = n_states ? n_states : 1;
	r->names = calloc(n, sizeof *r->names);
	r->rate_per_h = calloc(n * n, sizeof *r->rate_per_h);
	r->multiplier = calloc(n, sizeof *r->multiplier);
	r->shocks = calloc(n_shocks ? n_shocks : 1, sizeof *r->shocks);
	if (!r->names || !r->rate_per_h || !r->multiplier || !r->shocks) {
		free_regime(cfg);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory allocating the regime chain");
	}
	for (size_t i = 0; i < n_states; i++)
		r->multiplier[i] = 1.0;
	r->n_states = n_states;
	r->n_shocks = n_shocks;
	return ESC_OK;
}

int esc_config_alloc_generator_multiplier(esc_config *cfg, size_t g, esc_error *err)
{
	size_t n = cfg->regime.n_states;
	if (g >= cfg->n_generators || n == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu].regime: the scenario has no regime chain", g + 1);
	free(cfg->generators[g].regime_multiplier);
	double *m = malloc(n * sizeof *m);
	if (!m)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < n; i++)
		m[i] = 1.0;
	cfg->generators[g].regime_multiplier = m;
	return ESC_OK;
}

void esc_config_defaults(esc_config *cfg)
{
	snprintf(cfg->name, sizeof cfg->name, "unnamed");
	cfg->horizon_h = 365.0 * 24.0;
	cfg->ladder.step = 1.0;
	cfg->ladder.hold_h = 0;
	cfg->ladder.half_life_h = 7.0 * 24.0;
	cfg->ladder.window_h = 14.0 * 24.0;
	cfg->ladder.spiral_moves = 2;
	cfg->ladder.crisis_moves = 2;
	esc_cell *c = &cfg->cell;
	c->enabled = 1;
	c->accuracy = 0.9;
	esc_dist_free(&c->latency_h);
	esc_dist_init(&c->latency_h, ESC_DIST_LOGNORMAL, 1.0, 1.0, 0, NULL);
	esc_config_cell_defaults(cfg);
	c->operators = 1;
	esc_dist_free(&c->handling_h);
	esc_dist_init(&c->handling_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL);
	esc_dist_free(&c->relay_h);
	esc_dist_init(&c->relay_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL);
	c->staffed_from_h = 0;
	c->staffed_to_h = 24;
	c->mtbf_h = INFINITY;
	c->mttr_h = 0;
	c->suspend_level = ESC_LADDER_TOP + 1;
	c->suspend_p = 0;
	esc_dist_free(&c->suspend_h);
	esc_dist_init(&c->suspend_h, ESC_DIST_CONSTANT, 24.0, 0, 0, NULL);
	c->refuse_base = 0;
	c->refuse_per_level = 0;
	c->enforce_p = 0;
	c->enforce_type = -1;
	c->notify_party = -1;
	c->notify_type = -1;
	c->notify_lead_h = 0;
	esc_dist_free(&c->notify_need_h);
	esc_dist_init(&c->notify_need_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL);
	c->notify_harm_reduction = 0.5;
	c->crowd_out = 0;
	c->effects.answers = c->effects.notices = c->effects.enforcement = 1;
	esc_dist_free(&cfg->attribution.delay_h);
	esc_dist_init(&cfg->attribution.delay_h, ESC_DIST_CONSTANT, 0.0, 0, 0, NULL);
	cfg->max_events = 1000000;
	cfg->max_steps = 10000000;
	cfg->max_steps_per_instant = 100000;
	cfg->max_log_rows = 100000;
	cfg->outputs.daily = 1;
	cfg->outputs.events = 0;
}

void esc_config_free(esc_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; cfg->types && i < cfg->n_types; i++) {
		esc_dist_free(&cfg->types[i].fatalities_mil);
		esc_dist_free(&cfg->types[i].fatalities_civ);
	}
	esc_dist_free(&cfg->attribution.delay_h);
	esc_dist_free(&cfg->cell.latency_h);
	esc_dist_free(&cfg->cell.handling_h);
	esc_dist_free(&cfg->cell.relay_h);
	esc_dist_free(&cfg->cell.suspend_h);
	esc_dist_free(&cfg->cell.notify_need_h);
	for (size_t i = 0; cfg->channels && i < cfg->n_channels; i++)
		esc_dist_free(&cfg->channels[i].latency_h);
	free(cfg->channels);
	free_regime(cfg);
	free(cfg->excitations);
	free(cfg->parties);
	free(cfg->zones);
	free(cfg->types);
	free(cfg->generators);
	free(cfg->attribution.confusion);
	memset(cfg, 0, sizeof *cfg);
}

int esc_config_party(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].name, name) == 0)
			return (int)i;
	return -1;
}

int esc_config_zone(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_zones; i++)
		if (strcmp(cfg->zones[i], name) == 0)
			return (int)i;
	return -1;
}

int esc_config_type(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_types; i++)
		if (strcmp(cfg->types[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int in_range(int i, size_t n) { return i >= 0 && (size_t)i < n; }

static int finite_pos(double v) { return v > 0 && isfinite(v); }

static int check_regime(const esc_config *cfg, esc_error *err)
{
	const esc_regime *r = &cfg->regime;
	size_t n = r->n_states;
	if (n == 0)
		return ESC_OK;
	if (!in_range(r->initial, n))
		return esc_error_set(err, ESC_ERR_INPUT, "regime: initial state out of range");
	for (size_t i = 0; i < n; i++) {
		if (!(r->multiplier[i] >= 0) || !isfinite(r->multiplier[i]))
			return esc_error_set(err, ESC_ERR_INPUT, "regime.multiplier.%s: expected a finite number >= 0", r->names[i]);
		for (size_t j = 0; j < n; j++) {
			double q = r->rate_per_h[i * n + j];
			if (!(q >= 0) || !isfinite(q) || (i == j && q != 0))
				return esc_error_set(err, ESC_ERR_INPUT, "regime.rates.%s.%s: expected a finite rate >= 0 between two different states",
				                     r->names[i], r->names[j]);
		}
	}
	for (size_t k = 0; k < r->n_shocks; k++)
		if (!in_range(r->shocks[k].state, n) || !(r->shocks[k].t_h >= 0) || !isfinite(r->shocks[k].t_h) ||
		    (k > 0 && r->shocks[k].t_h < r->shocks[k - 1].t_h))
			return esc_error_set(err, ESC_ERR_INPUT, "regime.shocks[%zu]: expected a state and a time >= 0, in time order", k + 1);
	for (size_t g = 0; g < cfg->n_generators; g++) {
		const double *m = cfg->generators[g].regime_multiplier;
		for (size_t i = 0; m && i < n; i++)
			if (!(m[i] >= 0) || !isfinite(m[i]))
				return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu].regime.%s: expected a finite number >= 0", g + 1, r->names[i]);
	}
	return ESC_OK;
}

static int check_excitations(const esc_config *cfg, esc_error *err)
{
	size_t np = cfg->n_parties, nt = cfg->n_types;
	for (size_t i = 0; i < cfg->n_excitations; i++) {
		const esc_excitation *e = &cfg->excitations[i];
		if ((e->from_actor != -1 && !in_range(e->from_actor, np)) ||
		    (e->from_target != -1 && !in_range(e->from_target, np)) ||
		    (e->from_type != -1 && !in_range(e->from_type, nt)) ||
		    (e->to_actor != -1 && !in_range(e->to_actor, np)) ||
		    (e->to_target != -1 && !in_range(e->to_target, np)) ||
		    (e->to_type != -1 && !in_range(e->to_type, nt)) ||
		    (e->to_zone != -1 && !in_range(e->to_zone, cfg->n_zones)))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu]: a party, type or zone out of range", i + 1);
		if (!(e->n >= 0) || !isfinite(e->n))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu].n: expected a finite branching ratio >= 0", i + 1);
		if (!(e->fast_share >= 0 && e->fast_share <= 1))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu].fast_share: expected a probability in [0, 1]", i + 1);
		if (!finite_pos(e->fast_mean_h) || !finite_pos(e->slow_mean_h))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu]: fast_mean and slow_mean must be finite numbers of hours > 0", i + 1);
		if (!(e->per_fatality >= 0) || !isfinite(e->per_fatality))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu].per_fatality: expected a finite number >= 0", i + 1);
		/* Children must have an actor other than their target whatever
		 * parent they come from. */
		for (size_t a = 0; a < np; a++)
			for (size_t t = 0; t < np; t++) {
				if (a == t || (e->from_actor != -1 && (size_t)e->from_actor != a) ||
				    (e->from_target != -1 && (size_t)e->from_target != t))
					continue;
				size_t ca = e->to_actor == -1 ? a : (size_t)e->to_actor;
				size_t ct = e->to_target == -1 ? t : (size_t)e->to_target;
				if (ca == ct)
					return esc_error_set(err, ESC_ERR_INPUT, "hawkes[%zu]: a child of an incident by %s against %s would be by %s against itself",
					                     i + 1, cfg->parties[a].name, cfg->parties[t].name, cfg->parties[ca].name);
			}
	}
	if (cfg->n_excitations) {
		double rho = esc_config_branching_ratio(cfg);
		if (!(rho < 1))
			return esc_error_set(err, ESC_ERR_INPUT, "hawkes: the branching ratio (spectral radius of the mean offspring matrix, "
			                     "deaths included) is %.4g; it must be below 1, else incidents multiply without bound", rho);
	}
	return ESC_OK;
}

static int prob(double p) { return p >= 0 && p <= 1; }

static int check_cell(const esc_config *cfg, esc_error *err)
{
	const esc_cell *c = &cfg->cell;
	size_t np = cfg->n_parties;
	if (c->enabled && (!in_range(c->members[0], np) || !in_range(c->members[1], np) ||
	                   c->members[0] == c->members[1]))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.parties: expected two different parties (by default the first two state parties)");
	if (c->supervisor != -1 && !in_range(c->supervisor, np))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.supervisor: unknown party");
	if (c->operators < 1)
		return esc_error_set(err, ESC_ERR_INPUT, "cell.operators: expected an integer >= 1");
	if (c->latency_h.kind == ESC_DIST_NONE || c->handling_h.kind == ESC_DIST_NONE ||
	    c->relay_h.kind == ESC_DIST_NONE || c->suspend_h.kind == ESC_DIST_NONE ||
	    c->notify_need_h.kind == ESC_DIST_NONE)
		return esc_error_set(err, ESC_ERR_INPUT, "cell: latency, handling, relay, suspension and notice times must be distributions");
	if (!prob(c->accuracy) || !prob(c->suspend_p) || !prob(c->refuse_base) || !prob(c->enforce_p) ||
	    !prob(c->notify_harm_reduction))
		return esc_error_set(err, ESC_ERR_INPUT, "cell: accuracy, suspend.p, refuse.base, enforce.p and notify.harm_reduction are probabilities in [0, 1]");
	if (!(c->refuse_per_level >= 0) || !isfinite(c->refuse_per_level))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.refuse.per_level: expected a finite number >= 0");
	if (!(c->staffed_from_h >= 0 && c->staffed_from_h < c->staffed_to_h && c->staffed_to_h <= 24))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.staffed: expected hours of the day 0 <= from < to <= 24");
	if (!(c->mtbf_h > 0) || !(c->mttr_h >= 0) || !isfinite(c->mttr_h))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.outages: expected mtbf > 0 (inf: never) and a finite mttr >= 0");
	if (c->enforce_type != -1 && !in_range(c->enforce_type, cfg->n_types))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.enforce.type: unknown type");
	if ((c->notify_party != -1 && !in_range(c->notify_party, np)) ||
	    (c->notify_type != -1 && !in_range(c->notify_type, cfg->n_types)) ||
	    !(c->notify_lead_h >= 0) || !isfinite(c->notify_lead_h))
		return esc_error_set(err, ESC_ERR_INPUT, "cell.notify: expected a member party, a type and a lead >= 0 hours");
	for (size_t i = 0; i < cfg->n_channels; i++) {
		const esc_channel *ch = &cfg->channels[i];
		if (ch->latency_h.kind == ESC_DIST_NONE || !prob(ch->availability) || !prob(ch->accuracy))
			return esc_error_set(err, ESC_ERR_INPUT, "channels[%zu]: expected a latency, and availability and accuracy in [0, 1]", i + 1);
	}
	return ESC_OK;
}

static double expected_deaths(const esc_incident_type *t)
{
	double d = 0;
	if (t->fatalities_mil.kind != ESC_DIST_NONE)
		d += esc_dist_mean(&t->fatalities_mil);
	if (t->fatalities_civ.kind != ESC_DIST_NONE)
		d += esc_dist_mean(&t->fatalities_civ);
	return isfinite(d) ? d : 0;
}

double esc_config_branching_ratio(const esc_config *cfg)
{
	size_t np = cfg->n_parties, nt = cfg->n_types, K = np * np * nt;
	if (cfg->n_excitations == 0 || K == 0)
		return 0;
	gsl_matrix *A = gsl_matrix_calloc(K, K);
	gsl_vector_complex *eval = gsl_vector_complex_alloc(K);
	gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(K);
	double rho = NAN;
	if (!A || !eval || !w)
		goto out;
	for (size_t i = 0; i < cfg->n_excitations; i++) {
		const esc_excitation *e = &cfg->excitations[i];
		for (size_t a = 0; a < np; a++)
			for (size_t t = 0; t < np; t++)
				for (size_t y = 0; y < nt; y++) {
					if (a == t || (e->from_actor != -1 && (size_t)e->from_actor != a) ||
					    (e->from_target != -1 && (size_t)e->from_target != t) ||
					    (e->from_type != -1 && (size_t)e->from_type != y))
						continue;
					size_t ca = e->to_actor == -1 ? a : (size_t)e->to_actor;
					size_t ct = e->to_target == -1 ? t : (size_t)e->to_target;
					size_t cy = e->to_type == -1 ? y : (size_t)e->to_type;
					if (ca == ct)
						continue;
					double m = e->n * (1 + e->per_fatality * expected_deaths(&cfg->types[y]));
					const esc_incident_type *ty = &cfg->types[cy];
					size_t k = (a * np + t) * nt + y;
					/* A child may turn into another type when created. */
					double p = ty->escalate_to >= 0 ? ty->escalate_p : 0;
					size_t j = (ca * np + ct) * nt + cy;
					gsl_matrix_set(A, k, j, gsl_matrix_get(A, k, j) + m * (1 - p));
					if (p > 0) {
						j = (ca * np + ct) * nt + (size_t)ty->escalate_to;
						gsl_matrix_set(A, k, j, gsl_matrix_get(A, k, j) + m * p);
					}
				}
	}
	if (gsl_eigen_nonsymm(A, eval, w) != GSL_SUCCESS)
		goto out;
	rho = 0;
	for (size_t k = 0; k < K; k++) {
		double r = gsl_complex_abs(gsl_vector_complex_get(eval, k));
		if (r > rho)
			rho = r;
	}
out:
	if (w) gsl_eigen_nonsymm_free(w);
	if (eval) gsl_vector_complex_free(eval);
	if (A) gsl_matrix_free(A);
	return rho;
}

int esc_config_check(const esc_config *cfg, esc_error *err)
{
	size_t np = cfg->n_parties;
	if (np < 2 || np > ESC_MAX_PARTIES)
		return esc_error_set(err, ESC_ERR_INPUT, "parties: expected 2 to %d parties, got %zu",
		                     ESC_MAX_PARTIES, np);
	if (!(cfg->horizon_h > 0 && cfg->horizon_h <= ESC_MAX_HORIZON_H))
		return esc_error_set(err, ESC_ERR_INPUT, "horizon: expected a number of hours > 0 and "
		                     "at most %.0f (1000 years), got %g", ESC_MAX_HORIZON_H, cfg->horizon_h);
	for (size_t i = 0; i < cfg->n_generators; i++) {
		const esc_generator *g = &cfg->generators[i];
		if (!in_range(g->actor, np) || !in_range(g->target, np) ||
		    !in_range(g->type, cfg->n_types) || !in_range(g->zone, cfg->n_zones))
			return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu]: actor, target, type or zone out of range", i + 1);
		if (!(g->rate_per_h >= 0) || !isfinite(g->rate_per_h))
			return esc_error_set(err, ESC_ERR_INPUT, "incidents[%zu].rate: expected a finite rate >= 0", i + 1);
	}
	for (size_t i = 0; i < cfg->n_types; i++) {
		const esc_incident_type *t = &cfg->types[i];
		if (t->level < 0 || t->level > ESC_LADDER_TOP || t->lethal_level < 0 || t->lethal_level > ESC_LADDER_TOP)
			return esc_error_set(err, ESC_ERR_INPUT, "types.%s.level and lethal_level: expected 0..%d", t->name, ESC_LADDER_TOP);
		if (t->escalate_to >= 0 && (!in_range(t->escalate_to, cfg->n_types) ||
		                            !(t->escalate_p >= 0 && t->escalate_p <= 1)))
			return esc_error_set(err, ESC_ERR_INPUT, "types.%s.escalate: expected a type and a probability in [0, 1]", t->name);
	}
	if (check_regime(cfg, err) || check_excitations(cfg, err))
		return err ? err->status : ESC_ERR_INPUT;
	for (size_t o = 0; o < np; o++)
		for (size_t t = 0; t < np; t++) {
			double sum = 0;
			for (size_t p = 0; p < np; p++) {
				double v = cfg->attribution.confusion[(o * np + t) * np + p];
				if (!(v >= 0 && v <= 1))
					return esc_error_set(err, ESC_ERR_INPUT, "attribution.confusion.%s.%s.%s: expected a probability in [0, 1]",
					                     cfg->parties[o].name, cfg->parties[t].name, cfg->parties[p].name);
				sum += v;
			}
			if (fabs(sum - 1.0) > 1e-9)
				return esc_error_set(err, ESC_ERR_INPUT, "attribution.confusion.%s.%s: probabilities sum to %g, expected 1",
				                     cfg->parties[o].name, cfg->parties[t].name, sum);
		}
	if (!(cfg->ladder.step > 0) || !(cfg->ladder.half_life_h > 0) || !isfinite(cfg->ladder.half_life_h))
		return esc_error_set(err, ESC_ERR_INPUT, "ladder: step and half_life must be > 0");
	if (!(cfg->ladder.hold_h >= 0) || !isfinite(cfg->ladder.hold_h) || !(cfg->ladder.window_h > 0))
		return esc_error_set(err, ESC_ERR_INPUT, "ladder: hold must be a finite number of hours >= 0 and window > 0");
	if (cfg->ladder.spiral_moves < 1 || cfg->ladder.crisis_moves < 1)
		return esc_error_set(err, ESC_ERR_INPUT, "ladder.spiral_moves and crisis_moves: expected integers >= 1");
	if (check_cell(cfg, err))
		return err ? err->status : ESC_ERR_INPUT;
	if (cfg->attribution.delay_h.kind == ESC_DIST_NONE)
		return esc_error_set(err, ESC_ERR_INPUT, "attribution.delay must be a distribution");
	if (cfg->max_events < 1 || cfg->max_steps < 1 || cfg->max_steps_per_instant < 1 ||
	    cfg->max_log_rows < 1)
		return esc_error_set(err, ESC_ERR_INPUT, "limits: events, steps, steps_per_instant "
		                     "and log must be integers >= 1");
	return ESC_OK;
}

double esc_config_trust(const esc_config *cfg, int sender, double accuracy)
{
	int k = 0;
	for (size_t p = 0; p < cfg->n_parties; p++)
		k += (int)p != sender && cfg->parties[p].kind != ESC_PARTY_SUPERVISOR;
	if (k < 2)
		return accuracy > 0 ? 1 : 0;      /* one candidate: nothing to guess */
	double w = (accuracy * k - 1) / (k - 1);
	return w < 0 ? 0 : w > 1 ? 1 : w;
}
