/* model.c: one replication of the escalation model (escsim/model.h):
 * incidents and their clusters, observation and attribution, the parties'
 * decisions, the cell, and the run itself.  Background generators, the
 * regime chain, self-excitation and the ladder live in their own files
 * (model_impl.h lists them).
 *
 * Incidents, pending retaliations and cell requests live in per-replication
 * arrays that are reset, not freed, between replications; kernel events carry
 * an index into them (never a pointer, since the arrays grow).
 *
 * Common random numbers: every incident, message and decision has a key
 * made from its lineage (model_impl.h, key_tag), and every number drawn
 * about it comes from a generator positioned at that key (model_keyed):
 * everything about an incident (its possible escalation, casualties,
 * detection delay, attribution, children) at its birth, in a fixed order;
 * a party's decision about it from the party's stream at the decision's
 * key.  So two arms see the same numbers for every incident they both have,
 * however their other draws differ: a strike the cell calls off in one arm
 * shifts nothing that the other arm draws about anything else. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "model_impl.h"

void model_fail(esc_model *m, int status, const char *what)
{
	if (m->failed)
		return;
	m->failed = 1;
	if (what)
		esc_error_set(m->err, status, "%s", what);
	esc_error_prefix(m->err, "replication %llu, t=%.3f h: ",
	                 (unsigned long long)m->rep, esc_event_queue_now(m->sim));
	esc_event_queue_stop(m->sim);
}

/* The party's stream, positioned at the decision's key. */
gsl_rng *model_policy_stream(esc_model *m, int party, uint64_t key)
{
	esc_rng_seed(m->policy_rng[party], esc_rng_key_seed(m->policy_seed[party], key));
	return m->policy_rng[party];
}

esc_hook_ctx model_hook_ctx(esc_model *m, int party, uint64_t key)
{
	return (esc_hook_ctx){
		.rep = m->rep, .t_h = esc_event_queue_now(m->sim), .key = key,
		.rng = party >= 0 ? model_policy_stream(m, party, key) : NULL,
		.party = party, .engine = (esc_engine *)m,
	};
}

gsl_rng *model_keyed(esc_model *m, uint64_t key, enum draw_tag draw)
{
	esc_rng_seed(m->keyed, esc_rng_key_seed(m->key_seed, esc_rng_key(key, draw, 0)));
	return m->keyed;
}

int model_hook_failed(esc_model *m, int status)
{
	if (status)
		model_fail(m, status, NULL);
	return status || m->failed;
}

int model_incident_of(const esc_model *m, int64_t id)
{
	return id >= 0 && (size_t)id < m->id_inc.n ? m->id_inc.v[id] : -1;
}

/* Event ids are dense and handed out in order, so the map from an event id
 * to its incident index is an array the ids index: append as they come. */
static int record_id(esc_model *m, int idx)
{
	int k;
	VEC_PUSH(m, m->id_inc, k);
	if (k < 0)
		return -1;
	m->id_inc.v[k] = idx;
	return 0;
}

esc_model *esc_model_new(const esc_config *cfg, esc_error *err)
{
	if (esc_config_check(cfg, err))
		return NULL;
	esc_model *m = calloc(1, sizeof *m);
	size_t np = cfg->n_parties, ng = cfg->n_generators;
	if (m) {
		m->cfg = cfg;
		m->sim = esc_event_queue_new();
		m->level = calloc(np * np, sizeof *m->level);
		m->gen_rng = calloc(ng + 1, sizeof *m->gen_rng);
		m->gen = calloc(ng + 1, sizeof *m->gen);
		m->policy_rng = calloc(np, sizeof *m->policy_rng);
		m->policy_seed = calloc(np, sizeof *m->policy_seed);
		m->acts = calloc(np, sizeof *m->acts);
		m->hook_mask = calloc(np, sizeof *m->hook_mask);
		m->inc_rng = gsl_rng_alloc(esc_rng_xoshiro256pp);
		m->keyed = gsl_rng_alloc(esc_rng_xoshiro256pp);
	}
	if (!m || !m->sim || !m->level || !m->gen_rng || !m->gen || !m->policy_rng ||
	    !m->policy_seed || !m->acts || !m->hook_mask || !m->inc_rng || !m->keyed) {
		esc_model_free(m);
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory creating the model");
		return NULL;
	}
	return m;
}

void esc_model_free(esc_model *m)
{
	if (!m)
		return;
	esc_event_queue_free(m->sim);
	free(m->inc.v);
	free(m->ret.v);
	free(m->req.v);
	free(m->kids.v);
	free(m->queue.v);
	free(m->ops.v);
	free(m->id_inc.v);
	free(m->timers.v);
	free(m->level);
	free(m->gen);
	free(m->days);
	free(m->daily_out);
	free(m->gen_rng);
	free(m->policy_rng);
	free(m->policy_seed);
	free(m->acts);
	free(m->hook_mask);
	if (m->inc_rng)
		gsl_rng_free(m->inc_rng);
	if (m->keyed)
		gsl_rng_free(m->keyed);
	free(m);
}

void esc_model_set_interrupt(esc_model *m, const volatile sig_atomic_t *flag)
{
	m->interrupt = flag;
}

void esc_model_set_sink(esc_model *m, const esc_model_sink *sink)
{
	if (sink)
		m->sink = *sink;
	else
		memset(&m->sink, 0, sizeof m->sink);
}

static int emit(esc_model *m, const esc_event_row *ev)
{
	if (!m->sink.event)
		return 0;
	int st = m->sink.event(m->sink.self, ev, m->err);
	if (st)
		model_fail(m, st, NULL);
	return st;
}

/* After an event is complete: user triggers and on_event hooks. */
static void after_event(esc_model *m, const esc_event_row *ev, uint64_t key)
{
	if (m->failed || !m->policy || !m->policy->type->on_event)
		return;
	esc_hook_ctx hc = model_hook_ctx(m, -1, key);
	model_hook_failed(m, m->policy->type->on_event(m->policy->self, &hc, ev, m->err));
}

void model_event_row(const esc_model *m, int idx, esc_event_row *ev)
{
	const incident *in = &m->inc.v[idx];
	*ev = (esc_event_row){
		.rep = (int64_t)m->rep, .id = in->id, .parent_id = in->parent_id,
		.root_id = m->inc.v[in->root].id, .t_h = in->t_h, .actor = in->actor,
		.target = in->target, .zone = in->zone, .type = in->type,
		.level = in->rung,
		.fatalities_mil = in->fat_mil, .fatalities_civ = in->fat_civ,
		.true_perpetrator = in->actor, .perceived_perpetrator = in->perceived,
		.cause = (int8_t)in->cause, .kind = ESC_EVENT_INCIDENT,
	};
}

static int count_event(esc_model *m)
{
	if ((uint64_t)m->row->events_total >= m->cfg->max_events) {
		char msg[160];
		snprintf(msg, sizeof msg, "more than %llu events in one replication (limits.events): runaway escalation?",
		         (unsigned long long)m->cfg->max_events);
		model_fail(m, ESC_ERR_INPUT, msg);
		return -1;
	}
	m->row->events_total++;
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
	const incident *t = &m->inc.v[parent];
	int answers = t->actor == in->target && t->target == in->actor &&
	              in->t_h - t->t_h <= m->cfg->ladder.window_h;
	return answers ? t->moves + 1 : 1;
}

static void note_exchange(esc_model *m, const incident *in)
{
	const esc_config *cfg = m->cfg;
	if (in->moves >= cfg->ladder.spiral_moves)
		m->row->spiral = 1;
	if (in->moves >= cfg->ladder.crisis_moves &&
	    cfg->parties[in->actor].kind == ESC_PARTY_STATE &&
	    cfg->parties[in->target].kind == ESC_PARTY_STATE && isnan(m->row->first_crisis_h))
		m->row->first_crisis_h = in->t_h;
}

/* Civilian deaths a notice spared: each independently, with probability
 * m->spare, from the incident's own keyed stream. */
static int spared(esc_model *m, uint64_t key, int deaths)
{
	if (!(m->spare > 0) || deaths <= 0)
		return 0;
	return (int)gsl_ran_binomial(model_keyed(m, key, DRAW_SPARE), m->spare, (unsigned)deaths);
}

/* Record an incident, draw everything about it from its key's stream, and
 * schedule its observation by the target.  parent is an incident index or
 * -1 (for a response: the incident it answers). */
int model_add_incident(esc_model *m, int actor, int target, int type, int zone,
                       esc_cause cause, int parent, uint64_t key)
{
	const esc_config *cfg = m->cfg;
	esc_run_row *row = m->row;
	if (count_event(m))
		return -1;
	int idx;
	VEC_PUSH(m, m->inc, idx);
	if (idx < 0)
		return -1;
	gsl_rng *r = m->inc_rng;
	esc_rng_seed(r, esc_rng_key_seed(m->key_seed, esc_rng_key(key, DRAW_INCIDENT, 0)));
	const esc_incident_type *ty = &cfg->types[type];
	if (ty->escalate_to >= 0 && gsl_rng_uniform(r) < ty->escalate_p)
		type = ty->escalate_to;        /* a raid that meets resistance */
	ty = &cfg->types[type];

	incident *in = &m->inc.v[idx];
	*in = (incident){
		.id = m->next_id++, .parent_id = parent >= 0 ? m->inc.v[parent].id : -1,
		.key = key, .root = parent >= 0 ? m->inc.v[parent].root : idx,
		.t_h = esc_event_queue_now(m->sim), .actor = actor, .target = target,
		.type = type, .zone = zone, .cause = cause,
	};
	in->fat_mil = draw_count(&ty->fatalities_mil, r);
	in->fat_civ = draw_count(&ty->fatalities_civ, r);
	double delay = esc_dist_sample(&cfg->attribution.delay_h, r);
	in->u_attr = gsl_rng_uniform(r);
	in->fat_civ -= spared(m, key, in->fat_civ);
	m->spare = 0;
	in->rung = in->fat_mil + in->fat_civ > 0 && ty->lethal_level > ty->level ? ty->lethal_level
	                                                                          : ty->level;
	in->perceived = perceive(cfg, target, actor, in->u_attr);
	in->moves = exchange_moves(m, in, parent);
	if (record_id(m, idx))
		return -1;

	row->incidents++;
	row->fatalities_mil += in->fat_mil;
	row->fatalities_civ += in->fat_civ;
	row->fatalities_by[actor] += in->fat_mil + in->fat_civ;
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
		model_fail(m, ESC_ERR_RUNTIME, "out of memory");
		return -1;
	}
	hawkes_spawn(m, idx, r);
	after_event(m, &ev, key);
	return m->failed ? -1 : idx;
}

/* ---- responses ------------------------------------------------------- */

static void on_strike(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const retaliation *rt = &m->ret.v[(intptr_t)arg];
	/* Copy what we need: adding an incident may move the arrays. */
	int trigger = rt->trigger, target = rt->target;
	int true_actor = trigger >= 0 ? m->inc.v[trigger].actor : target;
	if (model_add_incident(m, rt->actor, target, rt->type, rt->zone, ESC_CAUSE_POLICY,
	                       trigger, rt->key) < 0)
		return;
	m->row->retaliations++;
	if (target != true_actor)
		m->row->misattributed_retaliations++;
}

static void protest(esc_model *m, int party, int against, int zone, int trigger)
{
	if (count_event(m))
		return;
	const incident *in = trigger >= 0 ? &m->inc.v[trigger] : NULL;
	double now = esc_event_queue_now(m->sim);
	uint64_t key = in ? esc_rng_key(in->key, KEY_PROTEST, (uint64_t)party)
	                  : esc_rng_key(esc_rng_key(0, KEY_ACT, (uint64_t)party), KEY_ACT, m->acts[party]++);
	ladder_count(m, now, 0, 0, 0, ESC_GOLDSTEIN_PROTEST);
	esc_event_row ev = {
		.rep = (int64_t)m->rep, .id = m->next_id++, .parent_id = in ? in->id : -1,
		.root_id = in ? m->inc.v[in->root].id : -1, .t_h = now, .actor = party,
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
void model_query(esc_model *m, int sender, int trigger, int retaliation, int priority,
                 double deadline_h)
{
	uint64_t key = esc_rng_key(m->inc.v[trigger].key, KEY_QUERY, (uint64_t)sender);
	cell_query(m, key, sender, trigger, retaliation, priority, deadline_h);
}

int model_check_decision(esc_model *m, int observer, const esc_decision *d, int trigger)
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
	model_fail(m, ESC_ERR_INPUT, msg);
	return -1;
}

/* Carry out a checked decision of `party`, about incident `trigger` (an
 * index, or -1 for an action a script takes on its own). */
int model_execute(esc_model *m, int party, const esc_decision *d, int trigger)
{
	esc_event_queue *sim = m->sim;
	if (model_check_decision(m, party, d, trigger))
		return -1;
	switch (d->action) {
	case ESC_ACT_IGNORE:
		break;
	case ESC_ACT_PROTEST:
		protest(m, party, d->target, d->zone, trigger);
		break;
	case ESC_ACT_QUERY:
		model_query(m, party, trigger, -1, d->priority, NAN);
		break;
	case ESC_ACT_RETALIATE: {
		int r;
		VEC_PUSH(m, m->ret, r);
		if (r < 0)
			return -1;
		retaliation *rt = &m->ret.v[r];
		uint64_t key = trigger >= 0 ? esc_rng_key(m->inc.v[trigger].key, KEY_RESPONSE, (uint64_t)party)
		             : esc_rng_key(esc_rng_key(0, KEY_ACT, (uint64_t)party), KEY_ACT, m->acts[party]++);
		*rt = (retaliation){ .trigger = trigger, .key = key, .actor = party, .target = d->target,
		                     .type = d->type, .zone = d->zone,
		                     .t_strike = esc_event_queue_now(sim) + d->delay_h };
		rt->strike = esc_event_queue_schedule(sim, rt->t_strike, on_strike, m, (void *)(intptr_t)r);
		if (rt->strike == ESC_EVENT_NONE) {
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
			return -1;
		}
		if (d->query_cell && trigger >= 0)
			model_query(m, party, trigger, r, d->priority, esc_event_queue_now(sim) + d->delay_h);
		break;
	}
	}
	return m->failed ? -1 : 0;
}

/* A policy's own attribution replaces the confusion matrix's: drawn with the
 * same uniform, so a policy that returns the matrix's row changes nothing. */
static int attribute(esc_model *m, incident *in)
{
	const esc_config *cfg = m->cfg;
	size_t np = cfg->n_parties;
	if (!model_has_hook(m, in->target, ESC_HOOK_ATTRIBUTE))
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
	esc_hook_ctx hc = model_hook_ctx(m, in->target, esc_rng_key(in->key, KEY_OBSERVE, (uint64_t)in->target));
	if (model_hook_failed(m, m->policy->type->attribute(m->policy->self, &hc, &obs, p, &changed, m->err)))
		return -1;
	if (!changed)
		return 0;
	double sum = 0;
	for (size_t k = 0; k < np; k++) {
		if (!(p[k] >= 0) || ((int)k == in->target && p[k] > 0)) {
			char msg[160];
			snprintf(msg, sizeof msg, "attribute hook of %s: probability for %s must be >= 0 (and 0 for itself)",
			         cfg->parties[in->target].name, cfg->parties[k].name);
			model_fail(m, ESC_ERR_INPUT, msg);
			return -1;
		}
		sum += p[k];
	}
	if (fabs(sum - 1) > 1e-9) {
		char msg[160];
		snprintf(msg, sizeof msg, "attribute hook of %s: probabilities sum to %g, expected 1",
		         cfg->parties[in->target].name, sum);
		model_fail(m, ESC_ERR_INPUT, msg);
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
	if (attribute(m, &m->inc.v[idx]))
		return;
	incident in = m->inc.v[idx];      /* a copy: the array may grow below */
	int observer = in.target;
	esc_decision d = {
		.action = ESC_ACT_IGNORE, .target = in.perceived, .type = -1,
		.zone = in.zone, .delay_h = 0, .query_cell = 0, .priority = 1,
	};
	if (!model_has_hook(m, observer, ESC_HOOK_OBSERVED)) {
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
	esc_hook_ctx hc = model_hook_ctx(m, observer, esc_rng_key(in.key, KEY_OBSERVE, (uint64_t)observer));
	if (model_hook_failed(m, m->policy->type->on_incident_observed(m->policy->self, &hc, &obs, &d, m->err)))
		return;
	model_execute(m, observer, &d, idx);
}

/* ---- a replication --------------------------------------------------- */

/* Each party's hooks for this replication: the type's functions, narrowed
 * by what the policy says the party has. */
static void hook_masks(esc_model *m, const esc_policy *policy)
{
	const esc_policy_type *t = policy ? policy->type : NULL;
	unsigned type_mask = 0;
	if (t) {
		type_mask = (t->attribute ? ESC_HOOK_BIT(ESC_HOOK_ATTRIBUTE) : 0) |
		            (t->on_incident_observed ? ESC_HOOK_BIT(ESC_HOOK_OBSERVED) : 0) |
		            (t->on_cell_request ? ESC_HOOK_BIT(ESC_HOOK_CELL_REQUEST) : 0) |
		            (t->on_cell_reply ? ESC_HOOK_BIT(ESC_HOOK_CELL_REPLY) : 0) |
		            (t->pre_operation ? ESC_HOOK_BIT(ESC_HOOK_PRE_OPERATION) : 0) |
		            (t->on_tick ? ESC_HOOK_BIT(ESC_HOOK_TICK) : 0) |
		            (t->on_event ? ESC_HOOK_BIT(ESC_HOOK_EVENT) : 0);
	}
	for (size_t p = 0; p < m->cfg->n_parties; p++)
		m->hook_mask[p] = type_mask & (t && t->hooks ? t->hooks(policy->self, (int)p) : ~0u);
}

/* The replication's named streams: a generator's arrival times, the
 * regime chain and the cell's outages run on their own streams in time
 * order; everything else is drawn at keys, from seeds of the streams
 * "keys" (incidents, messages) and "policy.<PARTY>" (each party's hooks). */
static int bind_streams(esc_model *m, esc_streams *s, uint64_t seed, uint64_t rep)
{
	const esc_config *cfg = m->cfg;
	char name[64];
	for (size_t g = 0; g < cfg->n_generators; g++) {
		snprintf(name, sizeof name, "incidents.%zu", g + 1);
		if (!(m->gen_rng[g] = esc_streams_get(s, name)))
			return -1;
	}
	for (size_t p = 0; p < cfg->n_parties; p++) {
		snprintf(name, sizeof name, "policy.%s", cfg->parties[p].name);
		if (!(m->policy_rng[p] = esc_streams_get(s, name)))
			return -1;
		m->policy_seed[p] = esc_rng_stream_seed(seed, rep, name);
	}
	m->key_seed = esc_rng_stream_seed(seed, rep, "keys");
	m->regime_rng = esc_streams_get(s, "regime");
	m->outage_rng = esc_streams_get(s, "cell.outage");
	return m->regime_rng && m->outage_rng ? 0 : -1;
}

/* The kernel's guard stopped the run: a loop in simulated time, or a
 * signal. */
static void runaway(esc_model *m)
{
	char msg[300];
	switch (esc_event_queue_tripped(m->sim)) {
	case ESC_EVENT_QUEUE_TOO_MANY_EVENTS:
		snprintf(msg, sizeof msg, "more than %llu simulation steps in one replication (limits.steps): "
		         "a loop that never ends, such as a policy tick or sim.wait far shorter than the horizon?",
		         (unsigned long long)m->cfg->max_steps);
		model_fail(m, ESC_ERR_INPUT, msg);
		break;
	case ESC_EVENT_QUEUE_TIME_STANDS_STILL:
		snprintf(msg, sizeof msg, "more than %llu simulation steps at this one time (limits.steps_per_instant): "
		         "a loop in zero time, such as sim.schedule(0, f) from f, or sim.wait(0) in a loop?",
		         (unsigned long long)m->cfg->max_steps_per_instant);
		model_fail(m, ESC_ERR_INPUT, msg);
		break;
	case ESC_EVENT_QUEUE_INTERRUPTED:
		model_fail(m, ESC_ERR_INTERRUPTED, "interrupted by a signal");
		break;
	case ESC_EVENT_QUEUE_RUNNING:
		break;
	}
}

int esc_model_run(esc_model *m, const esc_policy *policy, esc_streams *streams,
                  uint64_t seed, uint64_t rep, esc_run_row *row, esc_error *err)
{
	memset(row, 0, sizeof *row);
	row->rep = (int64_t)rep;
	row->seed = seed;
	row->first_crisis_h = NAN;
	row->cell_mean_latency_h = NAN;
	row->cell_notice_latency_h = NAN;

	m->policy = policy;
	m->rep = rep;
	m->row = row;
	m->err = err;
	m->failed = 0;
	m->next_id = 0;
	m->inc.n = m->ret.n = m->req.n = m->kids.n = m->ops.n = 0;
	m->id_inc.n = m->timers.n = 0;
	m->spare = 0;
	memset(m->acts, 0, m->cfg->n_parties * sizeof *m->acts);
	m->latency_sum = m->notice_latency_sum = 0;
	m->latency_n = m->notice_latency_n = 0;
	m->regime = -1;
	esc_event_queue_reset(m->sim);
	esc_event_queue_set_guard(m->sim, &(esc_event_queue_guard){ m->cfg->max_steps, m->cfg->max_steps_per_instant,
	                                           m->interrupt });

	esc_streams_begin(streams, seed, rep);
	if (bind_streams(m, streams, seed, rep))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory creating random streams");
	if (policy && policy->type->begin && policy->type->begin(policy->self, rep, err)) {
		model_fail(m, err->status ? err->status : ESC_ERR_RUNTIME, NULL);
		return err->status;
	}
	hook_masks(m, policy);
	if (ladder_start(m) || cell_start(m) || background_start(m) || regime_start(m) ||
	    engine_start_ticks(m)) {
		if (!m->failed)
			model_fail(m, ESC_ERR_RUNTIME, "out of memory starting the replication");
		return err->status ? err->status : ESC_ERR_RUNTIME;
	}
	esc_event_queue_run_until(m->sim, m->cfg->horizon_h);
	if (!m->failed)
		runaway(m);
	if (!m->failed)
		cell_finish(m);
	if (!m->failed && ladder_finish(m))
		model_fail(m, err->status ? err->status : ESC_ERR_RUNTIME, NULL);
	if (m->failed)
		return err->status ? err->status : ESC_ERR_RUNTIME;
	if (m->latency_n > 0)
		row->cell_mean_latency_h = m->latency_sum / (double)m->latency_n;
	if (m->notice_latency_n > 0)
		row->cell_notice_latency_h = m->notice_latency_sum / (double)m->notice_latency_n;
	return ESC_OK;
}
