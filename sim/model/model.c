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
 * Common random numbers: everything drawn about an incident (its possible
 * escalation, casualties, detection delay, attribution, children) comes from
 * its cluster's stream, at its birth, in a fixed order, so two arms that
 * differ only in the cell see identical background clusters and identical
 * first perceptions of them. */
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
	                 (unsigned long long)m->rep, esc_sim_now(m->sim));
	esc_sim_stop(m->sim);
}

esc_model *esc_model_new(const esc_config *cfg, esc_error *err)
{
	if (esc_config_check(cfg, err))
		return NULL;
	esc_model *m = calloc(1, sizeof *m);
	size_t np = cfg->n_parties, ng = cfg->n_generators;
	if (m) {
		m->cfg = cfg;
		m->sim = esc_sim_new();
		m->level = calloc(np * np, sizeof *m->level);
		m->gen_rng = calloc(ng + 1, sizeof *m->gen_rng);
		m->gen = calloc(ng + 1, sizeof *m->gen);
		m->policy_rng = calloc(np, sizeof *m->policy_rng);
	}
	if (!m || !m->sim || !m->level || !m->gen_rng || !m->gen || !m->policy_rng) {
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
	esc_sim_free(m->sim);
	free(m->inc.v);
	free(m->ret.v);
	free(m->req.v);
	free(m->kids.v);
	free(m->queue.v);
	free(m->ops.v);
	free(m->cluster_size);
	free(m->level);
	free(m->gen);
	free(m->days);
	free(m->daily_out);
	free(m->gen_rng);
	free(m->policy_rng);
	free(m);
}

void esc_model_set_sink(esc_model *m, const esc_model_sink *sink)
{
	if (sink)
		m->sink = *sink;
	else
		memset(&m->sink, 0, sizeof m->sink);
}

gsl_rng *model_stream(esc_model *m, int src)
{
	return src >= 0 ? m->gen_rng[src] : m->response_rng;
}

void model_note_crisis(esc_model *m, double t_h)
{
	if (isnan(m->row->first_crisis_h))
		m->row->first_crisis_h = t_h;
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

static void on_observe(esc_sim *sim, void *ctx, void *arg);

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

/* A cluster is a spiral once it holds spiral_size incidents, or once one of
 * its responses or triggered incidents, by a state against a state, lifts
 * that pair to spiral_level (MR 6.6: "an L6 event against state forces";
 * we read it as state against state, since a non-state group's rocket is
 * L6 against a state every few months and would make every year a spiral). */
static void note_cluster(esc_model *m, const incident *in, int idx, double level)
{
	const esc_config *cfg = m->cfg;
	if (++m->cluster_size[in->root] >= cfg->ladder.spiral_size)
		m->row->spiral = 1;
	if (in->root != idx && level >= cfg->ladder.spiral_level &&
	    cfg->parties[in->actor].kind == ESC_PARTY_STATE &&
	    cfg->parties[in->target].kind == ESC_PARTY_STATE)
		m->row->spiral = 1;
}

/* Record an incident, draw everything about it from its cluster's stream,
 * and schedule its observation by the target.  parent is an incident index
 * or -1; src the cluster's stream (generator index, or -1 for "response"). */
int model_add_incident(esc_model *m, int actor, int target, int type, int zone,
                       esc_cause cause, int parent, int src)
{
	const esc_config *cfg = m->cfg;
	esc_run_row *row = m->row;
	if (count_event(m))
		return -1;
	int idx;
	VEC_PUSH(m, m->inc, idx);
	if (idx < 0)
		return -1;
	if ((size_t)idx >= m->cluster_cap) {
		size_t cap = m->cluster_cap ? m->cluster_cap * 2 : 64;
		int64_t *p = realloc(m->cluster_size, cap * sizeof *p);
		if (!p) {
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
			return -1;
		}
		m->cluster_size = p;
		m->cluster_cap = cap;
	}
	gsl_rng *r = model_stream(m, src);
	const esc_incident_type *ty = &cfg->types[type];
	if (ty->escalate_to >= 0 && gsl_rng_uniform(r) < ty->escalate_p)
		type = ty->escalate_to;        /* a raid that meets resistance */
	ty = &cfg->types[type];

	incident *in = &m->inc.v[idx];
	*in = (incident){
		.id = m->next_id++, .parent_id = parent >= 0 ? m->inc.v[parent].id : -1,
		.root = parent >= 0 ? m->inc.v[parent].root : idx, .src = src,
		.t_h = esc_sim_now(m->sim), .actor = actor, .target = target,
		.type = type, .zone = zone, .cause = cause,
	};
	in->fat_mil = draw_count(&ty->fatalities_mil, r);
	in->fat_civ = draw_count(&ty->fatalities_civ, r);
	if (m->shield_civilians)
		in->fat_civ = 0;    /* warned in time: drawn anyway, to keep the stream aligned */
	m->shield_civilians = 0;
	double delay = esc_dist_sample(&cfg->attribution.delay_h, r);
	in->perceived = perceive(cfg, target, actor, gsl_rng_uniform(r));

	row->incidents++;
	row->fatalities_mil += in->fat_mil;
	row->fatalities_civ += in->fat_civ;
	m->cluster_size[idx] = 0;
	note_cluster(m, in, idx, ladder_raise(m, in));
	cell_on_incident(m, in);
	ladder_count(m, in->t_h, 1, in->fat_mil, in->fat_civ, ty->goldstein);

	esc_event_row ev = {
		.rep = (int64_t)m->rep, .id = in->id, .parent_id = in->parent_id,
		.root_id = m->inc.v[in->root].id, .t_h = in->t_h, .actor = actor,
		.target = target, .zone = zone, .type = type, .level = ty->level,
		.fatalities_mil = in->fat_mil, .fatalities_civ = in->fat_civ,
		.true_perpetrator = actor, .perceived_perpetrator = in->perceived,
		.cause = (int8_t)cause, .kind = ESC_EVENT_INCIDENT,
	};
	if (emit(m, &ev))
		return -1;
	if (esc_sim_schedule_in(m->sim, delay > 0 ? delay : 0, on_observe, m,
	                        (void *)(intptr_t)idx) == ESC_EVENT_NONE) {
		model_fail(m, ESC_ERR_RUNTIME, "out of memory");
		return -1;
	}
	hawkes_spawn(m, idx, r);
	return m->failed ? -1 : idx;
}

/* ---- responses ------------------------------------------------------- */

static void on_strike(esc_sim *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const retaliation *rt = &m->ret.v[(intptr_t)arg];
	/* Copy what we need: adding an incident may move the arrays. */
	int trigger = rt->trigger, target = rt->target;
	int true_actor = m->inc.v[trigger].actor;
	if (model_add_incident(m, rt->actor, target, rt->type, rt->zone, ESC_CAUSE_POLICY,
	                       trigger, -1) < 0)
		return;
	m->row->retaliations++;
	if (target != true_actor)
		m->row->misattributed_retaliations++;
}

static void protest(esc_model *m, int trigger)
{
	const incident *in = &m->inc.v[trigger];
	if (count_event(m))
		return;
	double now = esc_sim_now(m->sim);
	ladder_count(m, now, 0, 0, 0, ESC_GOLDSTEIN_PROTEST);
	esc_event_row ev = {
		.rep = (int64_t)m->rep, .id = m->next_id++, .parent_id = in->id,
		.root_id = m->inc.v[in->root].id, .t_h = now, .actor = in->target,
		.target = in->perceived, .zone = in->zone, .type = -1, .level = 1,
		.true_perpetrator = -1, .perceived_perpetrator = -1,
		.cause = ESC_CAUSE_POLICY, .kind = ESC_EVENT_PROTEST,
	};
	emit(m, &ev);
}

/* The engine checks what any policy returns, whatever its language. */
static int check_decision(esc_model *m, int observer, const esc_decision *d)
{
	const esc_config *cfg = m->cfg;
	char msg[256];
	const char *who = cfg->parties[observer].name;
	if (d->action < ESC_ACT_IGNORE || d->action > ESC_ACT_RETALIATE)
		snprintf(msg, sizeof msg, "policy for %s returned action code %d: expected ignore, protest, query or retaliate", who, (int)d->action);
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

static void on_observe(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	const esc_config *cfg = m->cfg;
	int idx = (int)(intptr_t)arg;
	incident in = m->inc.v[idx];      /* a copy: the array may grow below */
	int observer = in.target;

	esc_observation obs = {
		.incident_id = in.id, .t_incident_h = in.t_h, .observer = observer,
		.perceived = in.perceived, .type = in.type, .zone = in.zone,
		.level = cfg->types[in.type].level, .fatalities_mil = in.fat_mil,
		.fatalities_civ = in.fat_civ, .cause = in.cause,
		.cell_available = cell_available(m, observer),
	};
	obs.ladder_level = ladder_level(m, observer, in.perceived);
	esc_decision d = {
		.action = ESC_ACT_IGNORE, .target = in.perceived, .type = -1,
		.zone = in.zone, .delay_h = 0, .query_cell = 0, .priority = 1,
	};
	esc_hook_ctx hc = { .rep = m->rep, .t_h = esc_sim_now(sim), .rng = m->policy_rng[observer] };
	if (m->policy && m->policy->type->on_incident_observed) {
		int st = m->policy->type->on_incident_observed(m->policy->self, &hc, &obs, &d, m->err);
		if (st) {
			model_fail(m, st, NULL);
			return;
		}
	}
	if (check_decision(m, observer, &d))
		return;

	switch (d.action) {
	case ESC_ACT_IGNORE:
		break;
	case ESC_ACT_PROTEST:
		protest(m, idx);
		break;
	case ESC_ACT_QUERY:
		cell_submit(m, ESC_MSG_QUERY, observer, idx, -1, d.priority, NAN);
		break;
	case ESC_ACT_RETALIATE: {
		int r;
		VEC_PUSH(m, m->ret, r);
		if (r < 0)
			return;
		retaliation *rt = &m->ret.v[r];
		*rt = (retaliation){ .trigger = idx, .actor = observer, .target = d.target,
		                     .type = d.type, .zone = d.zone };
		rt->strike = esc_sim_schedule(sim, esc_sim_now(sim) + d.delay_h, on_strike, m,
		                              (void *)(intptr_t)r);
		if (rt->strike == ESC_EVENT_NONE) {
			model_fail(m, ESC_ERR_RUNTIME, "out of memory");
			return;
		}
		if (d.query_cell)
			cell_submit(m, ESC_MSG_QUERY, observer, idx, r, d.priority, esc_sim_now(sim) + d.delay_h);
		break;
	}
	}
}

/* ---- a replication --------------------------------------------------- */

static int bind_streams(esc_model *m, esc_streams *s)
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
	}
	m->response_rng = esc_streams_get(s, "response");
	m->cell_rng = esc_streams_get(s, "cell");
	m->regime_rng = esc_streams_get(s, "regime");
	m->outage_rng = esc_streams_get(s, "cell.outage");
	m->channel_rng = esc_streams_get(s, "channels");
	return m->response_rng && m->cell_rng && m->regime_rng && m->outage_rng &&
	       m->channel_rng ? 0 : -1;
}

int esc_model_run(esc_model *m, const esc_policy *policy, esc_streams *streams,
                  uint64_t seed, uint64_t rep, esc_run_row *row, esc_error *err)
{
	memset(row, 0, sizeof *row);
	row->rep = (int64_t)rep;
	row->seed = seed;
	row->first_crisis_h = NAN;
	row->cell_mean_latency_h = NAN;

	m->policy = policy;
	m->rep = rep;
	m->row = row;
	m->err = err;
	m->failed = 0;
	m->next_id = 0;
	m->inc.n = m->ret.n = m->req.n = m->kids.n = m->ops.n = 0;
	m->shield_civilians = 0;
	m->latency_sum = 0;
	m->latency_n = 0;
	m->regime = -1;
	esc_sim_reset(m->sim);

	esc_streams_begin(streams, seed, rep);
	if (bind_streams(m, streams))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory creating random streams");
	if (ladder_start(m) || cell_start(m) || background_start(m) || regime_start(m)) {
		if (!m->failed)
			model_fail(m, ESC_ERR_RUNTIME, "out of memory starting the replication");
		return err->status ? err->status : ESC_ERR_RUNTIME;
	}
	esc_sim_run_until(m->sim, m->cfg->horizon_h);
	if (!m->failed)
		cell_finish(m);
	if (!m->failed && ladder_finish(m))
		model_fail(m, err->status ? err->status : ESC_ERR_RUNTIME, NULL);
	if (m->failed)
		return err->status ? err->status : ESC_ERR_RUNTIME;
	if (m->latency_n > 0)
		row->cell_mean_latency_h = m->latency_sum / (double)m->latency_n;
	return ESC_OK;
}
