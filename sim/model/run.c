/* run.c: the life of an esc_model (escsim/model.h) and of each replication
 * it runs: new and free, the replication's streams and policy, the start of
 * every part in a fixed order, the run through the event queue, the end
 * (open messages, daily rows, the runs row), and the run's status.
 *
 * The parts of the model (model_impl.h) keep their own state; this file
 * only calls their lifecycle functions.  It owns what every part reads
 * through run_*: the policy and each party's hooks, the replication number,
 * the error record and whether the run has failed, the sink, and the keyed
 * streams.
 *
 * Common random numbers: every incident, message and decision has a key
 * made from its lineage (model_impl.h, key_tag), and every number drawn
 * about it comes from a generator positioned at that key (run_keyed, and a
 * party's stream run_policy_stream).  So two arms see the same numbers for
 * every incident they both have, however their other draws differ. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model_impl.h"

/* ---- the run's status and streams ------------------------------------ */

void run_fail(esc_model *m, int status, const char *what)
{
	if (m->run.failed)
		return;
	m->run.failed = 1;
	if (what)
		esc_error_set(m->run.err, status, "%s", what);
	esc_error_prefix(m->run.err, "replication %llu, t=%.3f h: ",
	                 (unsigned long long)m->run.rep, esc_event_queue_now(m->sim));
	esc_event_queue_stop(m->sim);
}

int run_hook_failed(esc_model *m, int status)
{
	if (status)
		run_fail(m, status, NULL);
	return status || m->run.failed;
}

/* The party's stream, positioned at the decision's key. */
gsl_rng *run_policy_stream(esc_model *m, int party, uint64_t key)
{
	esc_rng_seed(m->run.policy_rng[party], esc_rng_key_seed(m->run.policy_seed[party], key));
	return m->run.policy_rng[party];
}

esc_hook_ctx run_hook_ctx(esc_model *m, int party, uint64_t key)
{
	return (esc_hook_ctx){
		.rep = m->run.rep, .t_h = esc_event_queue_now(m->sim), .key = key,
		.rng = party >= 0 ? run_policy_stream(m, party, key) : NULL,
		.party = party, .engine = (esc_engine *)m,
	};
}

gsl_rng *run_keyed(esc_model *m, uint64_t key, enum draw_tag draw)
{
	esc_rng_seed(m->run.keyed, esc_rng_key_seed(m->run.key_seed, esc_rng_key(key, draw, 0)));
	return m->run.keyed;
}

/* ---- the model ------------------------------------------------------- */

static void free_run(run_state *r)
{
	free(r->policy_rng);
	free(r->policy_seed);
	free(r->hook_mask);
	if (r->keyed)
		gsl_rng_free(r->keyed);
}

static int new_run(run_state *r, size_t np)
{
	r->policy_rng = calloc(np, sizeof *r->policy_rng);
	r->policy_seed = calloc(np, sizeof *r->policy_seed);
	r->hook_mask = calloc(np, sizeof *r->hook_mask);
	r->keyed = gsl_rng_alloc(esc_rng_xoshiro256pp);
	return r->policy_rng && r->policy_seed && r->hook_mask && r->keyed ? 0 : -1;
}

esc_model *esc_model_new(const esc_config *cfg, esc_error *err)
{
	if (esc_config_check(cfg, err))
		return NULL;
	esc_model *m = calloc(1, sizeof *m);
	if (m) {
		m->cfg = cfg;
		m->sim = esc_event_queue_new();
	}
	if (!m || !m->sim || new_run(&m->run, cfg->n_parties) || model_new(m) || ladder_new(m) ||
	    background_new(m)) {
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
	free_run(&m->run);
	model_free(m);
	background_free(m);
	hawkes_free(m);
	ladder_free(m);
	cell_free(m);
	engine_free(m);
	free(m);
}

void esc_model_set_interrupt(esc_model *m, const volatile sig_atomic_t *flag)
{
	m->run.interrupt = flag;
}

void esc_model_set_sink(esc_model *m, const esc_model_sink *sink)
{
	if (sink)
		m->run.sink = *sink;
	else
		memset(&m->run.sink, 0, sizeof m->run.sink);
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
		m->run.hook_mask[p] = type_mask & (t && t->hooks ? t->hooks(policy->self, (int)p) : ~0u);
}

/* The replication's named streams: a generator's arrival times, the
 * regime chain and the cell's outages run on their own streams in time
 * order (their files bind them); everything else is drawn at keys, from
 * seeds of the streams "keys" (incidents, messages) and "policy.<PARTY>"
 * (each party's hooks). */
static int bind_streams(esc_model *m, esc_streams *s, uint64_t seed, uint64_t rep)
{
	const esc_config *cfg = m->cfg;
	char name[64];
	if (background_bind(m, s))
		return -1;
	for (size_t p = 0; p < cfg->n_parties; p++) {
		snprintf(name, sizeof name, "policy.%s", cfg->parties[p].name);
		if (!(m->run.policy_rng[p] = esc_streams_get(s, name)))
			return -1;
		m->run.policy_seed[p] = esc_rng_stream_seed(seed, rep, name);
	}
	m->run.key_seed = esc_rng_stream_seed(seed, rep, "keys");
	return regime_bind(m, s) || cell_bind(m, s) ? -1 : 0;
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
		run_fail(m, ESC_ERR_INPUT, msg);
		break;
	case ESC_EVENT_QUEUE_TIME_STANDS_STILL:
		snprintf(msg, sizeof msg, "more than %llu simulation steps at this one time (limits.steps_per_instant): "
		         "a loop in zero time, such as sim.schedule(0, f) from f, or sim.wait(0) in a loop?",
		         (unsigned long long)m->cfg->max_steps_per_instant);
		run_fail(m, ESC_ERR_INPUT, msg);
		break;
	case ESC_EVENT_QUEUE_INTERRUPTED:
		run_fail(m, ESC_ERR_INTERRUPTED, "interrupted by a signal");
		break;
	case ESC_EVENT_QUEUE_RUNNING:
		break;
	}
}

/* Forget the last replication: every part's state and the event queue. */
static void reset(esc_model *m, const esc_policy *policy, uint64_t rep, esc_error *err)
{
	m->run.policy = policy;
	m->run.rep = rep;
	m->run.err = err;
	m->run.failed = 0;
	model_start(m);
	hawkes_start(m);
	engine_reset(m);
	cell_reset(m);
	regime_reset(m);
	esc_event_queue_reset(m->sim);
	esc_event_queue_set_guard(m->sim, &(esc_event_queue_guard){
		m->cfg->max_steps, m->cfg->max_steps_per_instant, m->run.interrupt });
}

/* Every part's first events, in this order (ties in time fire in the
 * order scheduled, and the streams are drawn in this order). */
static int start(esc_model *m)
{
	return ladder_start(m) || cell_start(m) || background_start(m) || regime_start(m) ||
	       engine_start_ticks(m) ? -1 : 0;
}

/* The end of a run that has not failed: open messages and the daily rows
 * go to the sink. */
static void close_run(esc_model *m)
{
	runaway(m);
	if (!m->run.failed)
		cell_close(m);
	if (!m->run.failed && ladder_close(m))
		run_fail(m, m->run.err->status ? m->run.err->status : ESC_ERR_RUNTIME, NULL);
}

static int status_of(const esc_model *m)
{
	return m->run.err->status ? m->run.err->status : ESC_ERR_RUNTIME;
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
	reset(m, policy, rep, err);

	esc_streams_begin(streams, seed, rep);
	if (bind_streams(m, streams, seed, rep))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory creating random streams");
	if (policy && policy->type->begin && policy->type->begin(policy->self, rep, err)) {
		run_fail(m, err->status ? err->status : ESC_ERR_RUNTIME, NULL);
		return err->status;
	}
	hook_masks(m, policy);
	if (start(m)) {
		if (!m->run.failed)
			run_fail(m, ESC_ERR_RUNTIME, "out of memory starting the replication");
		return status_of(m);
	}
	esc_event_queue_run_until(m->sim, m->cfg->horizon_h);
	if (!m->run.failed)
		close_run(m);
	if (m->run.failed)
		return status_of(m);
	model_finish(m, row);
	ladder_finish(m, row);
	cell_finish(m, row);
	return ESC_OK;
}
