/* model.c: one replication of the escalation model (escsim/model.h).
 *
 * Incidents, pending retaliations and cell requests live in per-replication
 * arrays that are reset, not freed, between replications; kernel events carry
 * an index into them (never a pointer, since the arrays grow).
 *
 * Common random numbers: each background generator draws everything about
 * its own incidents (gap, casualties, detection delay, the attribution
 * uniform) from its own stream in a fixed order, so two arms that differ only
 * in the cell see identical background incidents and identical first
 * perceptions of them.
 *
 * Ladder: each directed pair (i, j) has a level on the L0..L7 scale.  An
 * incident by i against j of rung L lifts level(i, j) to at least L; a
 * retaliation first climbs `step` above where the pair stood, so a chain of
 * responses climbs past the rungs of its acts.  Levels decay exponentially
 * with the ladder's half-life.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "escsim/event_queue.h"
#include "escsim/model.h"

#define ESC_CRISIS_REPORT_LEVEL 6.0   /* the runs column hours_at_or_above_6 */

typedef struct incident {
	int64_t id, parent_id, root;    /* root: the background incident of its cluster */
	double t_h;
	int actor, target, type, zone;
	int fat_mil, fat_civ;
	esc_cause cause;
	double u_attr;                  /* uniform for the observer's attribution */
} incident;

typedef struct retaliation {
	int trigger;                    /* incident index that provoked it */
	int actor, target, type, zone;
	double t_due_h;                 /* strike time, also the cell deadline */
	esc_event_id strike;
	int called_off;
} retaliation;

typedef struct request {
	int retaliation;                /* -1 for a plain query */
	int trigger;
	double t_submit_h;
} request;

#define VEC(T) struct { T *v; size_t n, cap; }

struct esc_model {
	const esc_config *cfg;
	esc_sim *sim;
	VEC(incident) inc;
	VEC(retaliation) ret;
	VEC(request) req;
	int64_t *cluster_size;          /* indexed by incident id (ids are dense) */
	size_t cluster_cap;
	double *level;                  /* np*np ladder levels as of t_acc */
	double t_acc;
	/* per run */
	const esc_policy *policy;
	esc_streams *streams;
	gsl_rng **gen_rng, **policy_rng, *response_rng, *cell_rng;
	uint64_t rep;
	esc_run_row *row;
	double latency_sum;
	int64_t latency_n;
	esc_error *err;
	int failed;
};

#define VEC_PUSH(m, vec, out_idx) do { \
	if ((vec).n == (vec).cap) { \
		size_t cap_ = (vec).cap ? (vec).cap * 2 : 64; \
		void *p_ = realloc((vec).v, cap_ * sizeof *(vec).v); \
		if (!p_) { fail_oom(m); (out_idx) = -1; break; } \
		(vec).v = p_; (vec).cap = cap_; \
	} \
	(out_idx) = (int)(vec).n++; \
} while (0)

static void fail(esc_model *m, int status, const char *what)
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

static void fail_oom(esc_model *m) { fail(m, ESC_ERR_RUNTIME, "out of memory"); }

esc_model *esc_model_new(const esc_config *cfg, esc_error *err)
{
	if (esc_config_check(cfg, err))
		return NULL;
	esc_model *m = calloc(1, sizeof *m);
	size_t np = cfg->n_parties;
	if (m) {
		m->cfg = cfg;
		m->sim = esc_sim_new();
		m->level = calloc(np * np, sizeof *m->level);
		m->gen_rng = calloc(cfg->n_generators + 1, sizeof *m->gen_rng);
		m->policy_rng = calloc(np, sizeof *m->policy_rng);
	}
	if (!m || !m->sim || !m->level || !m->gen_rng || !m->policy_rng) {
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
	free(m->cluster_size);
	free(m->level);
	free(m->gen_rng);
	free(m->policy_rng);
	free(m);
}

/* ---- ladder ---------------------------------------------------------- */

/* Bring every pair's level from t_acc to now, adding the time any pair spent
 * at or above 6.  Between updates each level only decays, so the set of such
 * times is a prefix of [t_acc, now): the longest of the pairs' prefixes. */
static void ladder_advance(esc_model *m, double now)
{
	const esc_config *cfg = m->cfg;
	size_t npp = cfg->n_parties * cfg->n_parties;
	double dt = now - m->t_acc;
	if (dt <= 0)
		return;
	double hl = cfg->ladder.half_life_h, above = 0;
	double decay = exp2(-dt / hl);
	for (size_t k = 0; k < npp; k++) {
		double l = m->level[k];
		if (l >= ESC_CRISIS_REPORT_LEVEL) {
			double tau = hl * log2(l / ESC_CRISIS_REPORT_LEVEL);
			if (tau > above)
				above = tau;
		}
		m->level[k] = l * decay;
	}
	m->row->hours_at_or_above_6 += above < dt ? above : dt;
	m->t_acc = now;
}

static void ladder_raise(esc_model *m, const incident *in)
{
	const esc_config *cfg = m->cfg;
	double now = in->t_h;
	ladder_advance(m, now);
	double *l = &m->level[in->actor * cfg->n_parties + in->target];
	double rung = cfg->types[in->type].level;
	double v = *l;
	if (in->cause == ESC_CAUSE_POLICY)
		v += cfg->ladder.step;
	if (v < rung)
		v = rung;
	if (v > ESC_LADDER_TOP)
		v = ESC_LADDER_TOP;
	*l = v;
	int whole = (int)floor(v + 1e-9);
	if (whole > m->row->max_level)
		m->row->max_level = whole;
	if (v >= cfg->ladder.crisis_level && isnan(m->row->first_crisis_h))
		m->row->first_crisis_h = now;
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

/* Record an incident and schedule its observation by the target.  r supplies
 * casualties, detection delay and the attribution uniform, in that order. */
static int add_incident(esc_model *m, int actor, int target, int type, int zone,
                        esc_cause cause, int64_t parent, int64_t root, gsl_rng *r)
{
	const esc_config *cfg = m->cfg;
	esc_run_row *row = m->row;
	if ((uint64_t)row->events_total >= cfg->max_events) {
		char msg[160];
		snprintf(msg, sizeof msg, "more than %llu events in one replication (limits.events): runaway escalation?",
		         (unsigned long long)cfg->max_events);
		fail(m, ESC_ERR_INPUT, msg);
		return -1;
	}
	int idx;
	VEC_PUSH(m, m->inc, idx);
	if (idx < 0)
		return -1;
	incident *in = &m->inc.v[idx];
	in->id = idx;
	in->parent_id = parent;
	in->root = root < 0 ? idx : root;
	in->t_h = esc_sim_now(m->sim);
	in->actor = actor;
	in->target = target;
	in->type = type;
	in->zone = zone;
	in->cause = cause;
	in->fat_mil = draw_count(&cfg->types[type].fatalities_mil, r);
	in->fat_civ = draw_count(&cfg->types[type].fatalities_civ, r);
	double delay = esc_dist_sample(&cfg->attribution.delay_h, r);
	in->u_attr = gsl_rng_uniform(r);

	row->incidents++;
	row->events_total++;
	row->fatalities_mil += in->fat_mil;
	row->fatalities_civ += in->fat_civ;

	if ((size_t)idx >= m->cluster_cap) {
		size_t cap = m->cluster_cap ? m->cluster_cap * 2 : 64;
		int64_t *p = realloc(m->cluster_size, cap * sizeof *p);
		if (!p) { fail_oom(m); return -1; }
		m->cluster_size = p;
		m->cluster_cap = cap;
	}
	m->cluster_size[idx] = 0;
	if (++m->cluster_size[in->root] >= cfg->ladder.spiral_size)
		row->spiral = 1;

	ladder_raise(m, in);
	if (esc_sim_schedule_in(m->sim, delay > 0 ? delay : 0, on_observe, m,
	                        (void *)(intptr_t)idx) == ESC_EVENT_NONE) {
		fail_oom(m);
		return -1;
	}
	return idx;
}

static void on_background(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	size_t g = (size_t)(intptr_t)arg;
	const esc_generator *gen = &m->cfg->generators[g];
	gsl_rng *r = m->gen_rng[g];
	if (add_incident(m, gen->actor, gen->target, gen->type, gen->zone,
	                 ESC_CAUSE_BACKGROUND, -1, -1, r) < 0)
		return;
	double t_next = esc_sim_now(sim) + gsl_ran_exponential(r, 1.0 / gen->rate_per_h);
	if (t_next <= m->cfg->horizon_h &&
	    esc_sim_schedule(sim, t_next, on_background, m, arg) == ESC_EVENT_NONE)
		fail_oom(m);
}

/* ---- the cell -------------------------------------------------------- */

static void on_answer(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	const request *rq = &m->req.v[(intptr_t)arg];
	const incident *trig = &m->inc.v[rq->trigger];
	double now = esc_sim_now(sim);
	m->latency_sum += now - rq->t_submit_h;
	m->latency_n++;
	/* Drawn even for plain queries, so the cell stream stays aligned. */
	int truthful = gsl_rng_uniform(m->cell_rng) < m->cfg->cell.accuracy;
	if (rq->retaliation < 0) {
		m->row->cell_answered_before_deadline++;
		return;
	}
	retaliation *rt = &m->ret.v[rq->retaliation];
	if (rt->called_off || !esc_sim_is_pending(sim, rt->strike))
		return;                 /* too late: the strike already happened */
	m->row->cell_answered_before_deadline++;
	/* A wrong answer repeats the requester's own suspicion. */
	int named = truthful ? trig->actor : rt->target;
	if (named != rt->target) {
		esc_sim_cancel(sim, rt->strike);
		rt->called_off = 1;
	}
}

static int submit_request(esc_model *m, int retaliation, int trigger)
{
	int q;
	VEC_PUSH(m, m->req, q);
	if (q < 0)
		return -1;
	request *rq = &m->req.v[q];
	rq->retaliation = retaliation;
	rq->trigger = trigger;
	rq->t_submit_h = esc_sim_now(m->sim);
	m->row->cell_requests++;
	double lat = esc_dist_sample(&m->cfg->cell.latency_h, m->cell_rng);
	if (esc_sim_schedule_in(m->sim, lat > 0 ? lat : 0, on_answer, m,
	                        (void *)(intptr_t)q) == ESC_EVENT_NONE) {
		fail_oom(m);
		return -1;
	}
	return q;
}

/* ---- responses ------------------------------------------------------- */

static void on_strike(esc_sim *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const retaliation *rt = &m->ret.v[(intptr_t)arg];
	/* Copy what we need: add_incident may move the incident array. */
	int trigger = rt->trigger;
	int64_t parent = m->inc.v[trigger].id, root = m->inc.v[trigger].root;
	int true_actor = m->inc.v[trigger].actor;
	int target = rt->target;
	if (add_incident(m, rt->actor, target, rt->type, rt->zone, ESC_CAUSE_POLICY,
	                 parent, root, m->response_rng) < 0)
		return;
	m->row->retaliations++;
	if (target != true_actor)
		m->row->misattributed_retaliations++;
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
	fail(m, ESC_ERR_INPUT, msg);
	return -1;
}

static void on_observe(esc_sim *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	const esc_config *cfg = m->cfg;
	int idx = (int)(intptr_t)arg;
	incident in = m->inc.v[idx];      /* a copy: the array may grow below */
	int observer = in.target;
	int perceived = perceive(cfg, observer, in.actor, in.u_attr);

	esc_observation obs = {
		.incident_id = in.id, .t_incident_h = in.t_h, .observer = observer,
		.perceived = perceived, .type = in.type, .zone = in.zone,
		.level = cfg->types[in.type].level, .fatalities_mil = in.fat_mil,
		.fatalities_civ = in.fat_civ, .cause = in.cause,
		.cell_available = cfg->cell.enabled,
	};
	ladder_advance(m, esc_sim_now(sim));
	obs.ladder_level = m->level[observer * cfg->n_parties + perceived];
	esc_decision d = {
		.action = ESC_ACT_IGNORE, .target = perceived, .type = -1,
		.zone = in.zone, .delay_h = 0, .query_cell = 0,
	};
	esc_hook_ctx hc = { .rep = m->rep, .t_h = esc_sim_now(sim), .rng = m->policy_rng[observer] };
	if (m->policy && m->policy->type->on_incident_observed) {
		int st = m->policy->type->on_incident_observed(m->policy->self, &hc, &obs, &d, m->err);
		if (st) {
			fail(m, st, NULL);
			return;
		}
	}
	if (check_decision(m, observer, &d))
		return;

	switch (d.action) {
	case ESC_ACT_IGNORE:
		break;
	case ESC_ACT_PROTEST:
		m->row->events_total++;
		break;
	case ESC_ACT_QUERY:
		if (cfg->cell.enabled)
			submit_request(m, -1, idx);
		break;
	case ESC_ACT_RETALIATE: {
		int r;
		VEC_PUSH(m, m->ret, r);
		if (r < 0)
			return;
		retaliation *rt = &m->ret.v[r];
		rt->trigger = idx;
		rt->actor = observer;
		rt->target = d.target;
		rt->type = d.type;
		rt->zone = d.zone;
		rt->t_due_h = esc_sim_now(sim) + d.delay_h;
		rt->called_off = 0;
		rt->strike = esc_sim_schedule(sim, rt->t_due_h, on_strike, m, (void *)(intptr_t)r);
		if (rt->strike == ESC_EVENT_NONE) {
			fail_oom(m);
			return;
		}
		if (d.query_cell && cfg->cell.enabled)
			submit_request(m, r, idx);
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
	return m->response_rng && m->cell_rng ? 0 : -1;
}

int esc_model_run(esc_model *m, const esc_policy *policy, esc_streams *streams,
                  uint64_t seed, uint64_t rep, esc_run_row *row, esc_error *err)
{
	const esc_config *cfg = m->cfg;
	memset(row, 0, sizeof *row);
	row->rep = (int64_t)rep;
	row->seed = seed;
	row->first_crisis_h = NAN;
	row->cell_mean_latency_h = NAN;

	m->policy = policy;
	m->streams = streams;
	m->rep = rep;
	m->row = row;
	m->err = err;
	m->failed = 0;
	m->inc.n = m->ret.n = m->req.n = 0;
	m->latency_sum = 0;
	m->latency_n = 0;
	m->t_acc = 0;
	memset(m->level, 0, cfg->n_parties * cfg->n_parties * sizeof *m->level);
	esc_sim_reset(m->sim);

	esc_streams_begin(streams, seed, rep);
	if (bind_streams(m, streams))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory creating random streams");

	for (size_t g = 0; g < cfg->n_generators; g++) {
		double rate = cfg->generators[g].rate_per_h;
		if (rate <= 0)
			continue;
		double t = gsl_ran_exponential(m->gen_rng[g], 1.0 / rate);
		if (t <= cfg->horizon_h &&
		    esc_sim_schedule(m->sim, t, on_background, m, (void *)(intptr_t)g) == ESC_EVENT_NONE)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory scheduling incidents");
	}
	esc_sim_run_until(m->sim, cfg->horizon_h);
	if (m->failed)
		return err->status ? err->status : ESC_ERR_RUNTIME;
	ladder_advance(m, cfg->horizon_h);
	if (m->latency_n > 0)
		row->cell_mean_latency_h = m->latency_sum / (double)m->latency_n;
	return ESC_OK;
}
