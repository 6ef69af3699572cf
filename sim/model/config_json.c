/* config_json.c: the resolved scenario as JSON (esc_config_to_json,
 * escsim/config.h), the provenance every result file keeps as `resolved`
 * and `check` prints.  Readers look keys up by name (the report's
 * horizon_h, the tests' cell and limits), so keys and values are a
 * contract; the order is that of the scenario file.
 *
 * The text is a cJSON tree printed on one line, numbers through
 * escsim/json.h (shortest text that reads back, null when not finite).
 * Each section has its own function returning 0, or -1 when out of memory;
 * a failure anywhere leaves a partial tree that esc_config_to_json frees,
 * and the caller gets NULL. */
#include <stdlib.h>

#include "escsim/config.h"
#include "escsim/json.h"

/* ---- nodes (0, or -1 when out of memory) ----------------------------- */

static int add_num(cJSON *o, const char *key, double x)
{
	return esc_json_add_number(o, key, x) ? 0 : -1;
}

static int add_bool(cJSON *o, const char *key, int b)
{
	return cJSON_AddBoolToObject(o, key, b) ? 0 : -1;
}

/* A name, or null where there is none (an index of -1). */
static int add_name(cJSON *o, const char *key, const char *name)
{
	cJSON *n = name ? cJSON_AddStringToObject(o, key, name) : cJSON_AddNullToObject(o, key);
	return n ? 0 : -1;
}

static int append(cJSON *arr, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

static const char *party_name(const esc_config *cfg, int p) { return p >= 0 ? cfg->parties[p].name : NULL; }
static const char *type_name(const esc_config *cfg, int t) { return t >= 0 ? cfg->types[t].name : NULL; }

static const char *kind_name(esc_party_kind k)
{
	return k == ESC_PARTY_NONSTATE ? "nonstate" : k == ESC_PARTY_SUPERVISOR ? "supervisor" : "state";
}

/* A distribution: its kind and the parameters by their names in the
 * scenario file. */
static int add_dist(cJSON *o, const char *key, const esc_dist *d)
{
	cJSON *j = cJSON_AddObjectToObject(o, key);
	if (add_name(j, "kind", esc_dist_kind_name(d->kind)))
		return -1;
	switch (d->kind) {
	case ESC_DIST_CONSTANT: return add_num(j, "value", d->a);
	case ESC_DIST_EXPONENTIAL:
	case ESC_DIST_POISSON: return add_num(j, "mean", d->a);
	case ESC_DIST_LOGNORMAL: return add_num(j, "median", d->a) || add_num(j, "sigma", d->b) ? -1 : 0;
	case ESC_DIST_GAMMA: return add_num(j, "shape", d->a) || add_num(j, "scale", d->b) ? -1 : 0;
	case ESC_DIST_WEIBULL: return add_num(j, "scale", d->a) || add_num(j, "shape", d->b) ? -1 : 0;
	case ESC_DIST_NEGBIN: return add_num(j, "mean", d->a) || add_num(j, "dispersion", d->b) ? -1 : 0;
	case ESC_DIST_ZINB:
		return add_num(j, "zero", d->a) || add_num(j, "mean", d->b) || add_num(j, "dispersion", d->c) ? -1 : 0;
	case ESC_DIST_DISCRETE: {
		cJSON *w = cJSON_AddArrayToObject(j, "weights");
		if (!w)
			return -1;
		for (size_t i = 0; i < d->n; i++)
			if (esc_json_append_number(w, d->weights[i]))
				return -1;
		return 0;
	}
	default:
		return 0;
	}
}

/* ---- sections -------------------------------------------------------- */

static int add_parties(cJSON *root, const esc_config *cfg)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "parties");
	if (!arr)
		return -1;
	for (size_t i = 0; i < cfg->n_parties; i++) {
		const esc_party *p = &cfg->parties[i];
		cJSON *o = cJSON_CreateObject();
		if (append(arr, o) || add_name(o, "name", p->name) || add_name(o, "kind", kind_name(p->kind)) ||
		    add_bool(o, "deniable", p->deniable))
			return -1;
	}
	cJSON *zones = cJSON_AddArrayToObject(root, "zones");
	if (!zones)
		return -1;
	for (size_t i = 0; i < cfg->n_zones; i++)
		if (append(zones, cJSON_CreateString(cfg->zones[i])))
			return -1;
	return 0;
}

static int add_types(cJSON *root, const esc_config *cfg)
{
	cJSON *types = cJSON_AddObjectToObject(root, "types");
	if (!types)
		return -1;
	for (size_t i = 0; i < cfg->n_types; i++) {
		const esc_incident_type *t = &cfg->types[i];
		cJSON *o = cJSON_AddObjectToObject(types, t->name);
		if (add_num(o, "level", t->level) ||
		    add_num(o, "lethal_level", t->lethal_level > t->level ? t->lethal_level : t->level) ||
		    add_num(o, "goldstein", t->goldstein) || add_name(o, "acled_type", t->acled_type) ||
		    add_name(o, "acled_subtype", t->acled_subtype) || add_name(o, "cameo", t->cameo) ||
		    add_dist(o, "fatalities_mil", &t->fatalities_mil) ||
		    add_dist(o, "fatalities_civ", &t->fatalities_civ))
			return -1;
		if (t->escalate_to < 0)
			continue;
		cJSON *e = cJSON_AddObjectToObject(o, "escalate");
		if (add_name(e, "to", type_name(cfg, t->escalate_to)) || add_num(e, "p", t->escalate_p))
			return -1;
	}
	return 0;
}

/* {STATE: value} over the regime's states. */
static int add_by_state(cJSON *o, const char *key, const esc_regime *r, const double *v)
{
	cJSON *j = cJSON_AddObjectToObject(o, key);
	if (!j)
		return -1;
	for (size_t k = 0; k < r->n_states; k++)
		if (add_num(j, r->names[k], v[k]))
			return -1;
	return 0;
}

static int add_generators(cJSON *root, const esc_config *cfg)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "incidents");
	if (!arr)
		return -1;
	for (size_t i = 0; i < cfg->n_generators; i++) {
		const esc_generator *g = &cfg->generators[i];
		cJSON *o = cJSON_CreateObject();
		if (append(arr, o) || add_name(o, "actor", party_name(cfg, g->actor)) ||
		    add_name(o, "target", party_name(cfg, g->target)) ||
		    add_name(o, "type", type_name(cfg, g->type)) || add_name(o, "zone", cfg->zones[g->zone]) ||
		    add_num(o, "rate_per_h", g->rate_per_h))
			return -1;
		if (g->regime_multiplier && add_by_state(o, "regime", &cfg->regime, g->regime_multiplier))
			return -1;
	}
	return 0;
}

/* An excitation's `from` or `to`: only the fields it sets (-1: any, or
 * the parent's). */
static int add_match(cJSON *o, const char *key, const esc_config *cfg, int actor, int target,
                     int type, int zone)
{
	cJSON *j = cJSON_AddObjectToObject(o, key);
	if (!j)
		return -1;
	return (actor >= 0 && add_name(j, "actor", party_name(cfg, actor))) ||
	       (target >= 0 && add_name(j, "target", party_name(cfg, target))) ||
	       (type >= 0 && add_name(j, "type", type_name(cfg, type))) ||
	       (zone >= 0 && add_name(j, "zone", cfg->zones[zone])) ? -1 : 0;
}

static int add_hawkes(cJSON *root, const esc_config *cfg)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "hawkes");
	if (!arr)
		return -1;
	for (size_t i = 0; i < cfg->n_excitations; i++) {
		const esc_excitation *e = &cfg->excitations[i];
		cJSON *o = cJSON_CreateObject();
		if (append(arr, o) || add_match(o, "from", cfg, e->from_actor, e->from_target, e->from_type, -1) ||
		    add_match(o, "to", cfg, e->to_actor, e->to_target, e->to_type, e->to_zone) ||
		    add_num(o, "n", e->n) || add_num(o, "fast_share", e->fast_share) ||
		    add_num(o, "fast_mean_h", e->fast_mean_h) || add_num(o, "slow_mean_h", e->slow_mean_h) ||
		    add_num(o, "per_fatality", e->per_fatality))
			return -1;
	}
	return add_num(root, "branching_ratio", esc_config_branching_ratio(cfg));
}

/* The chain's rates out of each state, to every other state. */
static int add_rates(cJSON *o, const esc_regime *r)
{
	cJSON *rates = cJSON_AddObjectToObject(o, "rates_per_h");
	if (!rates)
		return -1;
	for (size_t i = 0; i < r->n_states; i++) {
		cJSON *row = cJSON_AddObjectToObject(rates, r->names[i]);
		if (!row)
			return -1;
		for (size_t j = 0; j < r->n_states; j++)
			if (i != j && add_num(row, r->names[j], r->rate_per_h[i * r->n_states + j]))
				return -1;
	}
	return 0;
}

static int add_regime(cJSON *root, const esc_config *cfg)
{
	const esc_regime *r = &cfg->regime;
	if (!r->n_states)
		return 0;
	cJSON *o = cJSON_AddObjectToObject(root, "regime");
	cJSON *states = cJSON_AddArrayToObject(o, "states");
	if (!states)
		return -1;
	for (size_t k = 0; k < r->n_states; k++)
		if (append(states, cJSON_CreateString(r->names[k])))
			return -1;
	cJSON *shocks;
	if (add_name(o, "initial", r->names[r->initial]) || add_rates(o, r) ||
	    add_by_state(o, "multiplier", r, r->multiplier) ||
	    !(shocks = cJSON_AddArrayToObject(o, "shocks")))
		return -1;
	for (size_t k = 0; k < r->n_shocks; k++) {
		cJSON *s = cJSON_CreateObject();
		if (append(shocks, s) || add_num(s, "at_h", r->shocks[k].t_h) ||
		    add_name(s, "state", r->names[r->shocks[k].state]))
			return -1;
	}
	return 0;
}

/* Only the rows that differ from perfect attribution, and in a row only
 * the probabilities that are not 0: the full matrix has parties^3
 * entries.  {OBSERVER: {TRUE ACTOR: {PERCEIVED: p}}}. */
static int add_confusion(cJSON *o, const esc_config *cfg)
{
	size_t np = cfg->n_parties;
	cJSON *conf = cJSON_AddObjectToObject(o, "confusion");
	if (!conf)
		return -1;
	for (size_t ob = 0; ob < np; ob++) {
		cJSON *by_observer = NULL;
		for (size_t t = 0; t < np; t++) {
			const double *row = &cfg->attribution.confusion[(ob * np + t) * np];
			if (row[t] == 1.0)
				continue;
			if (!by_observer && !(by_observer = cJSON_AddObjectToObject(conf, cfg->parties[ob].name)))
				return -1;
			cJSON *j = cJSON_AddObjectToObject(by_observer, cfg->parties[t].name);
			if (!j)
				return -1;
			for (size_t p = 0; p < np; p++)
				if (row[p] != 0 && add_num(j, cfg->parties[p].name, row[p]))
					return -1;
		}
	}
	return 0;
}

static int add_attribution_ladder(cJSON *root, const esc_config *cfg)
{
	const esc_ladder *l = &cfg->ladder;
	cJSON *a = cJSON_AddObjectToObject(root, "attribution");
	if (add_dist(a, "delay_h", &cfg->attribution.delay_h) || add_confusion(a, cfg))
		return -1;
	cJSON *o = cJSON_AddObjectToObject(root, "ladder");
	return add_num(o, "step", l->step) || add_num(o, "hold_h", l->hold_h) ||
	       add_num(o, "half_life_h", l->half_life_h) || add_num(o, "window_h", l->window_h) ||
	       add_num(o, "spiral_moves", l->spiral_moves) || add_num(o, "crisis_moves", l->crisis_moves)
	       ? -1 : 0;
}

/* The cell's queue and availability. */
static int add_cell_queue(cJSON *o, const esc_config *cfg)
{
	const esc_cell *c = &cfg->cell;
	cJSON *members = cJSON_AddArrayToObject(o, "parties");
	if (!members)
		return -1;
	for (int k = 0; k < 2; k++) {
		const char *name = party_name(cfg, c->members[k]);
		if (append(members, name ? cJSON_CreateString(name) : cJSON_CreateNull()))
			return -1;
	}
	cJSON *staffed, *outages;
	return add_name(o, "supervisor", party_name(cfg, c->supervisor)) ||
	       add_num(o, "operators", c->operators) || add_dist(o, "handling_h", &c->handling_h) ||
	       add_dist(o, "relay_h", &c->relay_h) ||
	       !(staffed = cJSON_AddObjectToObject(o, "staffed")) ||
	       add_num(staffed, "from_h", c->staffed_from_h) || add_num(staffed, "to_h", c->staffed_to_h) ||
	       !(outages = cJSON_AddObjectToObject(o, "outages")) ||
	       add_num(outages, "mtbf_h", c->mtbf_h) || add_num(outages, "mttr_h", c->mttr_h) ? -1 : 0;
}

/* What the cell's traffic may do: suspend it, be refused, be enforced,
 * notify operations; and which of its effects are on. */
static int add_cell_effects(cJSON *o, const esc_config *cfg)
{
	const esc_cell *c = &cfg->cell;
	cJSON *suspend = cJSON_AddObjectToObject(o, "suspend");
	if (add_num(suspend, "level", c->suspend_level) || add_num(suspend, "p", c->suspend_p) ||
	    add_dist(suspend, "duration_h", &c->suspend_h))
		return -1;
	cJSON *refuse = cJSON_AddObjectToObject(o, "refuse");
	if (add_num(refuse, "base", c->refuse_base) || add_num(refuse, "per_level", c->refuse_per_level))
		return -1;
	cJSON *enforce = cJSON_AddObjectToObject(o, "enforce");
	if (add_num(enforce, "p", c->enforce_p) || add_name(enforce, "type", type_name(cfg, c->enforce_type)))
		return -1;
	cJSON *notify = cJSON_AddObjectToObject(o, "notify");
	if (add_name(notify, "party", party_name(cfg, c->notify_party)) ||
	    add_name(notify, "type", type_name(cfg, c->notify_type)) ||
	    add_num(notify, "lead_h", c->notify_lead_h) || add_dist(notify, "need_h", &c->notify_need_h) ||
	    add_num(notify, "harm_reduction", c->notify_harm_reduction) ||
	    add_bool(o, "crowd_out", c->crowd_out))
		return -1;
	cJSON *effects = cJSON_AddObjectToObject(o, "effects");
	return add_bool(effects, "answers", c->effects.answers) ||
	       add_bool(effects, "notices", c->effects.notices) ||
	       add_bool(effects, "enforcement", c->effects.enforcement) ? -1 : 0;
}

static int add_cell(cJSON *root, const esc_config *cfg)
{
	cJSON *o = cJSON_AddObjectToObject(root, "cell");
	if (add_bool(o, "enabled", cfg->cell.enabled) || add_dist(o, "latency_h", &cfg->cell.latency_h) ||
	    add_num(o, "accuracy", cfg->cell.accuracy) || add_cell_queue(o, cfg) || add_cell_effects(o, cfg))
		return -1;
	cJSON *arr = cJSON_AddArrayToObject(root, "channels");
	if (!arr)
		return -1;
	for (size_t i = 0; i < cfg->n_channels; i++) {
		const esc_channel *ch = &cfg->channels[i];
		cJSON *j = cJSON_CreateObject();
		if (append(arr, j) || add_name(j, "name", ch->name) || add_dist(j, "latency_h", &ch->latency_h) ||
		    add_num(j, "availability", ch->availability) || add_num(j, "accuracy", ch->accuracy))
			return -1;
	}
	return 0;
}

static int add_limits(cJSON *root, const esc_config *cfg)
{
	cJSON *l = cJSON_AddObjectToObject(root, "limits");
	if (add_num(l, "events", (double)cfg->max_events) || add_num(l, "steps", (double)cfg->max_steps) ||
	    add_num(l, "steps_per_instant", (double)cfg->max_steps_per_instant) ||
	    add_num(l, "log", (double)cfg->max_log_rows))
		return -1;
	cJSON *out = cJSON_AddObjectToObject(root, "outputs");
	return add_bool(out, "daily", cfg->outputs.daily) || add_bool(out, "events", cfg->outputs.events)
	       ? -1 : 0;
}

char *esc_config_to_json(const esc_config *cfg)
{
	cJSON *root = cJSON_CreateObject();
	char *text = NULL;
	if (root && !add_name(root, "name", cfg->name) && !add_num(root, "horizon_h", cfg->horizon_h) &&
	    !add_parties(root, cfg) && !add_types(root, cfg) && !add_generators(root, cfg) &&
	    !add_hawkes(root, cfg) && !add_regime(root, cfg) && !add_attribution_ladder(root, cfg) &&
	    !add_cell(root, cfg) && !add_limits(root, cfg))
		text = esc_json_print(root, 0);
	cJSON_Delete(root);
	return text;
}
