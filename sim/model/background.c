/* background.c: background incidents, one Poisson process per generator whose
 * rate follows the regime.
 *
 * Each generator runs on a unit-rate clock: it waits for an Exp(1) amount of
 * "operational time", which passes at the current rate.  When the regime
 * changes, the time still to wait is rescaled without drawing anything, so a
 * generator's stream ("incidents.<i>") is used only at its own arrivals and
 * arms stay on common random numbers whatever the regimes do.  An arrival
 * is keyed by its generator and its place among that generator's arrivals
 * (KEY_ARRIVAL), and everything drawn about it is drawn at that key. */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_randist.h>

#include "model_impl.h"

static void on_arrival(esc_event_queue *sim, void *ctx, void *arg);

static void arm(esc_model *m, size_t g)
{
	generator_state *s = &m->background.gen[g];
	double now = esc_event_queue_now(m->sim);
	esc_event_queue_cancel(m->sim, s->next);
	s->next = ESC_EVENT_NONE;
	s->t_last = now;
	if (!(s->rate > 0))
		return;
	double t = now + s->residual / s->rate;
	if (t <= m->cfg->horizon_h) {
		s->next = esc_event_queue_schedule(m->sim, t, on_arrival, m, (void *)(intptr_t)g);
		if (s->next == ESC_EVENT_NONE)
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
	}
}

/* A notified operation is carried out `lead` hours after it is planned, in
 * every arm alike; only whether third parties were warned differs. */
static void on_operation(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	planned_op op = m->background.ops.v[(intptr_t)arg];
	const esc_generator *gen = &m->cfg->generators[op.generator];
	model_spare_next(m, cell_notice_spares(m, op.notice));
	model_add_incident(m, gen->actor, gen->target, gen->type, gen->zone,
	                   ESC_CAUSE_BACKGROUND, -1, op.key);
}

/* Whether the actor plans this operation ahead and notifies it: the
 * scenario's cell.notify, unless the actor's pre_operation hook says
 * otherwise.  -1 when the hook failed. */
static int plan(esc_model *m, const esc_generator *gen, uint64_t key, esc_notice *out)
{
	const esc_cell *c = &m->cfg->cell;
	int configured = gen->actor == c->notify_party &&
	                 (c->notify_type < 0 || gen->type == c->notify_type);
	*out = (esc_notice){ configured, configured ? c->notify_lead_h : 0 };
	if (run_has_hook(m, gen->actor, ESC_HOOK_PRE_OPERATION)) {
		esc_operation op = { gen->actor, gen->target, gen->type, gen->zone };
		esc_hook_ctx hc = run_hook_ctx(m, gen->actor, key);
		if (run_hook_failed(m, run_policy(m)->type->pre_operation(run_policy(m)->self, &hc, &op, out,
		                                                          run_err(m))))
			return -1;
		if (!(out->lead_h >= 0) || !isfinite(out->lead_h)) {
			run_fail(m, ESC_ERR_INPUT, "pre_operation: lead must be a finite number of hours >= 0");
			return -1;
		}
	}
	return out->notify || out->lead_h > 0;
}

static void on_arrival(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	size_t g = (size_t)(intptr_t)arg;
	const esc_generator *gen = &m->cfg->generators[g];
	m->background.gen[g].next = ESC_EVENT_NONE;
	uint64_t key = esc_rng_key(m->background.gen[g].root, KEY_ARRIVAL, m->background.gen[g].arrivals++);
	esc_notice notice;
	int planned = plan(m, gen, key, &notice);
	if (planned < 0)
		return;
	if (planned) {
		double t_op = esc_event_queue_now(sim) + notice.lead_h;
		int k;
		VEC_PUSH(m, m->background.ops, k);
		if (k < 0)
			return;
		m->background.ops.v[k] = (planned_op){ (int)g, key, -1 };
		if (notice.notify)
			m->background.ops.v[k].notice = cell_notice(m, esc_rng_key(key, KEY_NOTICE, 0), gen->actor, t_op);
		if (t_op <= m->cfg->horizon_h &&
		    esc_event_queue_schedule(sim, t_op, on_operation, m, (void *)(intptr_t)k) == ESC_EVENT_NONE) {
			run_fail(m, ESC_ERR_RUNTIME, "out of memory");
			return;
		}
	} else if (model_add_incident(m, gen->actor, gen->target, gen->type, gen->zone,
	                              ESC_CAUSE_BACKGROUND, -1, key) < 0) {
		return;
	}
	m->background.gen[g].residual = gsl_ran_exponential(m->background.rng[g], 1.0);
	arm(m, g);
}

void background_rates_changed(esc_model *m)
{
	double now = esc_event_queue_now(m->sim);
	for (size_t g = 0; g < m->cfg->n_generators; g++) {
		generator_state *s = &m->background.gen[g];
		s->residual -= (now - s->t_last) * s->rate;
		if (s->residual < 0)
			s->residual = 0;
		s->rate = m->cfg->generators[g].rate_per_h * regime_multiplier(m, g);
		arm(m, g);
	}
}

int background_new(esc_model *m)
{
	size_t ng = m->cfg->n_generators;
	m->background.rng = calloc(ng + 1, sizeof *m->background.rng);
	m->background.gen = calloc(ng + 1, sizeof *m->background.gen);
	return m->background.rng && m->background.gen ? 0 : -1;
}

void background_free(esc_model *m)
{
	free(m->background.gen);
	free(m->background.rng);
	free(m->background.ops.v);
}

int background_bind(esc_model *m, esc_streams *s)
{
	char name[64];
	for (size_t g = 0; g < m->cfg->n_generators; g++) {
		snprintf(name, sizeof name, "incidents.%zu", g + 1);
		if (!(m->background.rng[g] = esc_streams_get(s, name)))
			return -1;
	}
	return 0;
}

int background_start(esc_model *m)
{
	m->background.ops.n = 0;
	for (size_t g = 0; g < m->cfg->n_generators; g++) {
		generator_state *s = &m->background.gen[g];
		s->residual = gsl_ran_exponential(m->background.rng[g], 1.0);
		s->root = esc_rng_key(0, KEY_ARRIVAL, g);
		s->arrivals = 0;
		s->t_last = 0;
		s->next = ESC_EVENT_NONE;
		s->rate = m->cfg->generators[g].rate_per_h * regime_multiplier(m, g);
		arm(m, g);
	}
	return run_failed(m) ? -1 : 0;
}
