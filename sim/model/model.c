/* model.c: incidents and what the parties do about them: an incident's
 * birth (everything drawn about it, its ladder rung and exchange), its
 * observation and attribution by the target, the target's decision
 * (ignore, protest, query, retaliate) and the strikes that carry
 * retaliations out.  The runs columns these make are counted here
 * (incident_counts) and copied to the row at the end (model_finish).
 * Background generators, the regime chain, self-excitation, the ladder
 * and the cell live in their own files, the run's lifecycle in run.c
 * (model_impl.h lists them).
 *
 * Incidents and pending retaliations live in per-replication arrays that
 * are reset, not freed, between replications; kernel events carry an index
 * into them (never a pointer, since the arrays grow).
 *
 * Common random numbers (run.c): everything about an incident (its
 * possible escalation, casualties, detection delay, attribution, children)
 * is drawn at its birth from its key, in a fixed order; a party's decision
 * about it from the party's stream at the decision's key.  So a strike the
 * cell calls off in one arm shifts nothing that the other arm draws about
 * anything else. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "model_impl.h"

/* ---- lifecycle ------------------------------------------------------- */

int model_new(esc_model *m)
{
	incident_state *s = &m->incidents;
	s->acts = calloc(m->cfg->n_parties, sizeof *s->acts);
	s->rng = gsl_rng_alloc(esc_rng_xoshiro256pp);
	return s->acts && s->rng ? 0 : -1;
}

void model_free(esc_model *m)
{
	incident_state *s = &m->incidents;
	free(s->inc.v);
	free(s->ret.v);
	free(s->id_inc.v);
	free(s->acts);
	if (s->rng)
		gsl_rng_free(s->rng);
}

void model_start(esc_model *m)
{
	incident_state *s = &m->incidents;
	s->inc.n = s->ret.n = s->id_inc.n = 0;
	s->next_id = 0;
	s->spare = 0;
	memset(s->acts, 0, m->cfg->n_parties * sizeof *s->acts);
	s->n = (incident_counts){ .first_crisis_h = NAN };
}

/* The counts are consistent: asserted here, once a replication, rather
 * than at every increment. */
static void check_counts(const esc_model *m)
{
	const incident_counts *n = &m->incidents.n;
	int64_t by = 0;
	for (size_t p = 0; p < m->cfg->n_parties; p++) {
		assert(n->fat_by[p] >= 0);
		by += n->fat_by[p];
	}
	assert(n->fat_mil >= 0 && n->fat_civ >= 0 && by == n->fat_mil + n->fat_civ);
	assert(n->misattributed >= 0 && n->misattributed <= n->retaliations);
	assert(n->retaliations <= n->incidents && n->incidents <= n->events_total);
	assert(n->incidents == (int64_t)m->incidents.inc.n);
	assert(n->spiral || isnan(n->first_crisis_h) || m->cfg->ladder.crisis_moves < m->cfg->ladder.spiral_moves);
	(void)by;
	(void)n;
}

void model_finish(const esc_model *m, esc_run_row *row)
{
	const incident_counts *n = &m->incidents.n;
	check_counts(m);
	row->events_total = n->events_total;
	row->incidents = n->incidents;
	row->retaliations = n->retaliations;
	row->misattributed_retaliations = n->misattributed;
	row->fatalities_mil = n->fat_mil;
	row->fatalities_civ = n->fat_civ;
	memcpy(row->fatalities_by, n->fat_by, sizeof row->fatalities_by);
	row->spiral = (int8_t)n->spiral;
	row->first_crisis_h = n->first_crisis_h;
}

int model_incident_of(const esc_model *m, int64_t id)
{
	return id >= 0 && (size_t)id < m->incidents.id_inc.n ? m->incidents.id_inc.v[id] : -1;
}

/* Event ids are dense and handed out in order, so the map from an event id
 * to its incident index is an array the ids index: append as they come. */
static int record_id(esc_model *m, int idx)
{
	int k;
	VEC_PUSH(m, m->incidents.id_inc, k);
	if (k < 0)
		return -1;
	m->incidents.id_inc.v[k] = idx;
	return 0;
}

static int emit(esc_model *m, const esc_event_row *ev)
{
	if (!run_sink(m)->event)
		return 0;
	int st = run_sink(m)->event(run_sink(m)->self, ev, run_err(m));
	if (st)
		run_fail(m, st, NULL);
	return st;
}

/* After an event is complete: user triggers and on_event hooks. */
static void after_event(esc_model *m, const esc_event_row *ev, uint64_t key)
{
	if (run_failed(m) || !run_policy(m) || !run_policy(m)->type->on_event)
		return;
	esc_hook_ctx hc = run_hook_ctx(m, -1, key);
	run_hook_failed(m, run_policy(m)->type->on_event(run_policy(m)->self, &hc, ev, run_err(m)));
}

void model_event_row(const esc_model *m, int idx, esc_event_row *ev)
{
	const incident *in = model_incident(m, idx);
	*ev = (esc_event_row){
		.rep = (int64_t)run_rep(m), .id = in->id, .parent_id = in->parent_id,
		.root_id = model_incident(m, in->root)->id, .t_h = in->t_h, .actor = in->actor,
		.target = in->target, .zone = in->zone, .type = in->type,
		.level = in->rung,
		.fatalities_mil = in->fat_mil, .fatalities_civ = in->fat_civ,
		.true_perpetrator = in->actor, .perceived_perpetrator = in->perceived,
		.cause = (int8_t)in->cause, .kind = ESC_EVENT_INCIDENT,
	};
}

static int count_event(esc_model *m)
{
	if ((uint64_t)m->incidents.n.events_total >= m->cfg->max_events) {
		char msg[160];
		snprintf(msg, sizeof msg, "more than %llu events in one replication (limits.events): runaway escalation?",
		         (unsigned long long)m->cfg->max_events);
		run_fail(m, ESC_ERR_INPUT, msg);
		return -1;
	}
	m->incidents.n.events_total++;
	return 0;
}

/* ---- incidents ------------------------------------------------------- */

static void on_observe(esc_event_queue *sim, void *ctx, void *arg);

static int draw_count(const esc_dist *d, gsl_rng *r)
{
	if (d->kind == ESC_DIST_NONE)
		return 0;
	double x = esc_dist_sample(d, r);
	return x > 0 ? (int)x : 0;
}

static int perceive(const esc_config *cfg, int observer, int actor, double u)
{
	size_t np = cfg->n_parties;
	const double *row = &cfg->attribution.confusion[((size_t)observer * np + (size_t)actor) * np];
	double acc = 0;
	for (size_t p = 0; p < np; p++) {
		acc += row[p];
		if (u < acc)
			return (int)p;
	}
	return actor;   /* u ~ 1 with rounding: the row sums to 1 */
}

/* Exchanges (config.h, esc_ladder): a response by P against Q that answers
 * an incident by Q against P, within the window, is that incident's
 * exchange one move further; any other response opens an exchange of one
 * move.  A spiral is an exchange of spiral_moves moves; a crisis, one of
 * crisis_moves moves between two states (the first one's time is the runs
 * column first_crisis_h).  A party's self-excited cluster is no exchange. */
static int exchange_moves(const esc_model *m, const incident *in, int parent)
{
	if (in->cause != ESC_CAUSE_POLICY)
		return 0;
	if (parent < 0)
		return 1;
	const incident *t = model_incident(m, parent);
	int answers = t->actor == in->target && t->target == in->actor &&
	              in->t_h - t->t_h <= m->cfg->ladder.window_h;
	return answers ? t->moves + 1 : 1;
}

static void note_exchange(esc_model *m, const incident *in)
{
	const esc_config *cfg = m->cfg;
	if (in->moves >= cfg->ladder.spiral_moves)
		m->incidents.n.spiral = 1;
	if (in->moves >= cfg->ladder.crisis_moves &&
	    cfg->parties[in->actor].kind == ESC_PARTY_STATE &&
	    cfg->parties[in->target].kind == ESC_PARTY_STATE && isnan(m->incidents.n.first_crisis_h))
		m->incidents.n.first_crisis_h = in->t_h;
}

/* Civilian deaths a notice spared: each independently, with probability
 * the spare share, from the incident's own keyed stream. */
static int spared(esc_model *m, uint64_t key, int deaths)
{
	if (!(m->incidents.spare > 0) || deaths <= 0)
		return 0;
	return (int)gsl_ran_binomial(run_keyed(m, key, DRAW_SPARE), m->incidents.spare, (unsigned)deaths);
}

/* Record an incident, draw everything about it from its key's stream, and
 * schedule its observation by the target.  parent is an incident index or
 * -1 (for a response: the incident it answers). */
int model_add_incident(esc_model *m, int actor, int target, int type, int zone,
                       esc_cause cause, int parent, uint64_t key)
{
	const esc_config *cfg = m->cfg;
	incident_state *s = &m->incidents;
	if (count_event(m))
		return -1;
	int idx;
	VEC_PUSH(m, s->inc, idx);
	if (idx < 0)
		return -1;
	gsl_rng *r = s->rng;
	esc_rng_seed(r, esc_rng_key_seed(run_key_seed(m), esc_rng_key(key, DRAW_INCIDENT, 0)));
	const esc_incident_type *ty = &cfg->types[type];
	if (ty->escalate_to >= 0 && gsl_rng_uniform(r) < ty->escalate_p)
		type = ty->escalate_to;        /* a raid that meets resistance */
	ty = &cfg->types[type];

	incident *in = &s->inc.v[idx];
	*in = (incident){
		.id = s->next_id++, .parent_id = parent >= 0 ? s->inc.v[parent].id : -1,
		.key = key, .root = parent >= 0 ? s->inc.v[parent].root : idx,
		.t_h = esc_event_queue_now(m->sim), .actor = actor, .target = target,
		.type = type, .zone = zone, .cause = cause,
	};
	in->fat_mil = draw_count(&ty->fatalities_mil, r);
	in->fat_civ = draw_count(&ty->fatalities_civ, r);
	double delay = esc_dist_sample(&cfg->attribution.delay_h, r);
	in->u_attr = gsl_rng_uniform(r);
	in->fat_civ -= spared(m, key, in->fat_civ);
	s->spare = 0;
	in->rung = in->fat_mil + in->fat_civ > 0 && ty->lethal_level > ty->level ? ty->lethal_level
	                                                                          : ty->level;
	in->perceived = perceive(cfg, target, actor, in->u_attr);
	in->moves = exchange_moves(m, in, parent);
	if (record_id(m, idx))
		return -1;

	s->n.incidents++;
	s->n.fat_mil += in->fat_mil;
	s->n.fat_civ += in->fat_civ;
	s->n.fat_by[actor] += in->fat_mil + in->fat_civ;
	note_exchange(m, in);
	ladder_raise(m, in);
	cell_on_incident(m, in);
	ladder_count(m, in->t_h, 1, in->fat_mil, in->fat_civ, ty->goldstein);

	esc_event_row ev;
	model_event_row(m, idx, &ev);
	if (emit(m, &ev))
		return -1;
	if (esc_event_queue_schedule_in(m->sim, delay > 0 ? delay : 0, on_observe, m,
	                                (void *)(intptr_t)idx) == ESC_EVENT_NONE) {
		run_fail(m, ESC_ERR_RUNTIME, "out of memory");
		return -1;
	}
	hawkes_spawn(m, idx, r);
	after_event(m, &ev, key);
	return run_failed(m) ? -1 : idx;
}

/* ---- responses ------------------------------------------------------- */

/* A policy incident by actor against target in answer to incident
 * `trigger` (or -1), counted as a retaliation: a strike that was not
 * called off, or the receiver's enforcement after a query (cell.c).  It
 * is misattributed when the target did not do the incident it answers. */
int model_retaliate(esc_model *m, int actor, int target, int type, int zone, int trigger,
                    uint64_t key)
{
	int true_actor = trigger >= 0 ? model_incident(m, trigger)->actor : target;
	int idx = model_add_incident(m, actor, target, type, zone, ESC_CAUSE_POLICY, trigger, key);
	if (idx < 0)
		return -1;
	m->incidents.n.retaliations++;
	if (target != true_actor)
		m->incidents.n.misattributed++;
	return idx;
}

static void on_strike(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	retaliation rt = m->incidents.ret.v[(intptr_t)arg];   /* a copy: the arrays may grow */
	model_retaliate(m, rt.actor, rt.target, rt.type, rt.zone, rt.trigger, rt.key);
}

/* An answer through the cell or a channel (cell.c) showed the strike's
 * target did not do it, or the receiver enforces instead. */
void model_call_off(esc_model *m, int r)
{
	retaliation *rt = &m->incidents.ret.v[r];
	esc_event_queue_cancel(m->sim, rt->strike);
	rt->called_off = 1;
}

/* A notice in time spares a share of the civilians the next incident (the
 * notified operation, background.c) would kill. */
void model_spare_next(esc_model *m, double share)
{
	m->incidents.spare = share;
}

/* The key of party's next act of its own (sim.act), about no incident. */
static uint64_t own_act_key(esc_model *m, int party)
{
	uint64_t n = m->incidents.acts[party]++;
	return esc_rng_key(esc_rng_key(0, KEY_ACT, (uint64_t)party), KEY_ACT, n);
}

static void protest(esc_model *m, int party, int against, int zone, int trigger)
{
	if (count_event(m))
		return;
	const incident *in = trigger >= 0 ? model_incident(m, trigger) : NULL;
	double now = esc_event_queue_now(m->sim);
	uint64_t key = in ? esc_rng_key(in->key, KEY_PROTEST, (uint64_t)party) : own_act_key(m, party);
	ladder_count(m, now, 0, 0, 0, ESC_GOLDSTEIN_PROTEST);
	esc_event_row ev = {
		.rep = (int64_t)run_rep(m), .id = m->incidents.next_id++, .parent_id = in ? in->id : -1,
		.root_id = in ? model_incident(m, in->root)->id : -1, .t_h = now, .actor = party,
		.target = against, .zone = zone, .type = -1, .level = 1,
		.true_perpetrator = -1, .perceived_perpetrator = -1,
		.cause = ESC_CAUSE_POLICY, .kind = ESC_EVENT_PROTEST,
	};
	if (record_id(m, -1) || emit(m, &ev))
		return;
	after_event(m, &ev, key);
}

/* A query about incident `trigger` (before a pending strike, or on its
 * own): the fallback channels are asked as they would be without the cell,
 * and the cell is asked on top of them when there is one; with
 * cell.crowd_out, a query the cell takes goes nowhere else. */
static void query(esc_model *m, int sender, int trigger, int retaliation, int priority,
                  double deadline_h)
{
	uint64_t key = esc_rng_key(model_incident(m, trigger)->key, KEY_QUERY, (uint64_t)sender);
	cell_query(m, key, sender, trigger, retaliation, priority, deadline_h);
}

static int check_decision(esc_model *m, int observer, const esc_decision *d, int trigger)
{
	const esc_config *cfg = m->cfg;
	char msg[256];
	const char *who = cfg->parties[observer].name;
	if (d->action < ESC_ACT_IGNORE || d->action > ESC_ACT_RETALIATE)
		snprintf(msg, sizeof msg, "policy for %s returned action code %d: expected ignore, protest, query or retaliate", who, (int)d->action);
	else if (d->priority < 0 || d->priority > 2)
		snprintf(msg, sizeof msg, "policy for %s: priority %d: expected 0 (flash), 1 (immediate) or 2 (routine)", who, d->priority);
	else if (d->action == ESC_ACT_QUERY && trigger < 0)
		snprintf(msg, sizeof msg, "policy for %s: a query must be about an incident", who);
	else if (d->action == ESC_ACT_PROTEST && (d->zone < 0 || (size_t)d->zone >= cfg->n_zones ||
	                                          d->target < 0 || (size_t)d->target >= cfg->n_parties))
		snprintf(msg, sizeof msg, "policy for %s: a protest needs a party it is against and a zone", who);
	else if (d->action != ESC_ACT_RETALIATE)
		return 0;
	else if (d->target < 0 || (size_t)d->target >= cfg->n_parties || d->target == observer)
		snprintf(msg, sizeof msg, "policy for %s: retaliation target %d: expected another party", who, d->target);
	else if (d->type < 0 || (size_t)d->type >= cfg->n_types)
		snprintf(msg, sizeof msg, "policy for %s: retaliation needs an incident type", who);
	else if (d->zone < 0 || (size_t)d->zone >= cfg->n_zones)
		snprintf(msg, sizeof msg, "policy for %s: retaliation zone %d out of range", who, d->zone);
	else if (!(d->delay_h >= 0) || !isfinite(d->delay_h))
		snprintf(msg, sizeof msg, "policy for %s: retaliation delay must be a finite number of hours >= 0", who);
	else
		return 0;
	run_fail(m, ESC_ERR_INPUT, msg);
	return -1;
}

/* Carry out a checked decision of `party`, about incident `trigger` (an
 * index, or -1 for an action a script takes on its own). */
int model_execute(esc_model *m, int party, const esc_decision *d, int trigger)
{
	esc_event_queue *sim = m->sim;
	if (check_decision(m, party, d, trigger))
		return -1;
	switch (d->action) {
	case ESC_ACT_IGNORE:
		break;
	case ESC_ACT_PROTEST:
		protest(m, party, d->target, d->zone, trigger);
		break;
	case ESC_ACT_QUERY:
		query(m, party, trigger, -1, d->priority, NAN);
		break;
	case ESC_ACT_RETALIATE: {
		int r;
		VEC_PUSH(m, m->incidents.ret, r);
		if (r < 0)
			return -1;
		retaliation *rt = &m->incidents.ret.v[r];
		uint64_t key = trigger >= 0 ? esc_rng_key(model_incident(m, trigger)->key, KEY_RESPONSE, (uint64_t)party)
		                            : own_act_key(m, party);
		*rt = (retaliation){ .trigger = trigger, .key = key, .actor = party, .target = d->target,
		                     .type = d->type, .zone = d->zone,
		                     .t_strike = esc_event_queue_now(sim) + d->delay_h };
		rt->strike = esc_event_queue_schedule(sim, rt->t_strike, on_strike, m, (void *)(intptr_t)r);
		if (rt->strike == ESC_EVENT_NONE) {
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
			return -1;
		}
		if (d->query_cell && trigger >= 0)
			query(m, party, trigger, r, d->priority, esc_event_queue_now(sim) + d->delay_h);
		break;
	}
	}
	return run_failed(m) ? -1 : 0;
}

/* A policy's own attribution replaces the confusion matrix's: drawn with the
 * same uniform, so a policy that returns the matrix's row changes nothing. */
static int attribute(esc_model *m, incident *in)
{
	const esc_config *cfg = m->cfg;
	size_t np = cfg->n_parties;
	if (!run_has_hook(m, in->target, ESC_HOOK_ATTRIBUTE))
		return 0;
	double p[ESC_MAX_PARTIES];
	assert(np <= ESC_MAX_PARTIES);     /* esc_config_check keeps it so */
	memcpy(p, &cfg->attribution.confusion[((size_t)in->target * np + (size_t)in->actor) * np], np * sizeof *p);
	esc_observation obs = {
		.incident_id = in->id, .t_incident_h = in->t_h, .observer = in->target,
		.perceived = in->perceived, .type = in->type, .zone = in->zone,
		.level = in->rung, .fatalities_mil = in->fat_mil,
		.fatalities_civ = in->fat_civ, .cause = in->cause,
	};
	int changed = 0;
	esc_hook_ctx hc = run_hook_ctx(m, in->target, esc_rng_key(in->key, KEY_OBSERVE, (uint64_t)in->target));
	if (run_hook_failed(m, run_policy(m)->type->attribute(run_policy(m)->self, &hc, &obs, p, &changed,
	                                                      run_err(m))))
		return -1;
	if (!changed)
		return 0;
	double sum = 0;
	for (size_t k = 0; k < np; k++) {
		if (!(p[k] >= 0) || ((int)k == in->target && p[k] > 0)) {
			char msg[160];
			snprintf(msg, sizeof msg, "attribute hook of %s: probability for %s must be >= 0 (and 0 for itself)",
			         cfg->parties[in->target].name, cfg->parties[k].name);
			run_fail(m, ESC_ERR_INPUT, msg);
			return -1;
		}
		sum += p[k];
	}
	if (fabs(sum - 1) > 1e-9) {
		char msg[160];
		snprintf(msg, sizeof msg, "attribute hook of %s: probabilities sum to %g, expected 1",
		         cfg->parties[in->target].name, sum);
		run_fail(m, ESC_ERR_INPUT, msg);
		return -1;
	}
	double acc = 0;
	for (size_t k = 0; k < np; k++) {
		acc += p[k];
		if (in->u_attr < acc && p[k] > 0) {
			in->perceived = (int)k;
			return 0;
		}
	}
	return 0;
}

static void on_observe(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	int idx = (int)(intptr_t)arg;
	(void)sim;
	if (attribute(m, &m->incidents.inc.v[idx]))
		return;
	incident in = *model_incident(m, idx);      /* a copy: the array may grow below */
	int observer = in.target;
	esc_decision d = {
		.action = ESC_ACT_IGNORE, .target = in.perceived, .type = -1,
		.zone = in.zone, .delay_h = 0, .query_cell = 0, .priority = 1,
	};
	if (!run_has_hook(m, observer, ESC_HOOK_OBSERVED)) {
		model_execute(m, observer, &d, idx);    /* ignore */
		return;
	}
	esc_observation obs = {
		.incident_id = in.id, .t_incident_h = in.t_h, .observer = observer,
		.perceived = in.perceived, .type = in.type, .zone = in.zone,
		.level = in.rung, .fatalities_mil = in.fat_mil,
		.fatalities_civ = in.fat_civ, .cause = in.cause,
		.cell_available = cell_available(m, observer),
	};
	obs.ladder_level = ladder_level(m, observer, in.perceived);
	esc_hook_ctx hc = run_hook_ctx(m, observer, esc_rng_key(in.key, KEY_OBSERVE, (uint64_t)observer));
	if (run_hook_failed(m, run_policy(m)->type->on_incident_observed(run_policy(m)->self, &hc, &obs, &d,
	                                                                 run_err(m))))
		return;
	model_execute(m, observer, &d, idx);
}

