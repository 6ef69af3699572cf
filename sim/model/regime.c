/* regime.c: the regime chain (calm, tense, crisis...): a continuous-time
 * Markov chain on its own random stream ("regime"), with scheduled shocks
 * that force a state.  It depends on nothing the parties do, so every arm of
 * an experiment goes through the same regimes at the same times.  A change
 * of state rescales every background generator (background.c). */
#include <gsl/gsl_randist.h>

#include "model_impl.h"

double regime_multiplier(const esc_model *m, size_t g)
{
	if (m->regime.current < 0)
		return 1.0;
	const double *own = m->cfg->generators[g].regime_multiplier;
	return own ? own[m->regime.current] : m->cfg->regime.multiplier[m->regime.current];
}

static void on_jump(esc_event_queue *sim, void *ctx, void *arg);

/* Enter `state` now and schedule the chain's next jump out of it. */
static void enter(esc_model *m, int state)
{
	const esc_regime *r = &m->cfg->regime;
	size_t n = r->n_states;
	m->regime.current = state;
	esc_event_queue_cancel(m->sim, m->regime.next);
	m->regime.next = ESC_EVENT_NONE;
	double out = 0;
	for (size_t j = 0; j < n; j++)
		out += r->rate_per_h[(size_t)state * n + j];
	if (out > 0) {
		double t = esc_event_queue_now(m->sim) + gsl_ran_exponential(m->regime.rng, 1.0 / out);
		/* Which state comes next is drawn now, so the stream's use does not
		 * depend on whether the jump falls inside the horizon. */
		double u = gsl_rng_uniform(m->regime.rng) * out, acc = 0;
		size_t next = (size_t)state;
		for (size_t j = 0; j < n; j++) {
			double q = r->rate_per_h[(size_t)state * n + j];
			acc += q;
			if (q > 0 && u < acc) {
				next = j;
				break;
			}
			if (q > 0)
				next = j;   /* rounding: the last possible state */
		}
		if (t <= m->cfg->horizon_h) {
			m->regime.next = esc_event_queue_schedule(m->sim, t, on_jump, m, (void *)(intptr_t)next);
			if (m->regime.next == ESC_EVENT_NONE)
				run_fail(m, ESC_ERR_RUNTIME, "out of memory");
		}
	}
	background_rates_changed(m);
}

static void on_jump(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	m->regime.next = ESC_EVENT_NONE;
	enter(m, (int)(intptr_t)arg);
}

static void on_shock(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	enter(m, m->cfg->regime.shocks[(intptr_t)arg].state);
}

int regime_bind(esc_model *m, esc_streams *s)
{
	m->regime.rng = esc_streams_get(s, "regime");
	return m->regime.rng ? 0 : -1;
}

/* No state until regime_start enters the initial one: the generators
 * start at multiplier 1 (background_start comes first). */
void regime_reset(esc_model *m)
{
	m->regime.current = -1;
	m->regime.next = ESC_EVENT_NONE;
}

int regime_start(esc_model *m)
{
	const esc_regime *r = &m->cfg->regime;
	if (r->n_states == 0)
		return 0;
	for (size_t k = 0; k < r->n_shocks; k++)
		if (r->shocks[k].t_h <= m->cfg->horizon_h &&
		    esc_event_queue_schedule(m->sim, r->shocks[k].t_h, on_shock, m,
		                             (void *)(intptr_t)k) == ESC_EVENT_NONE)
			return -1;
	enter(m, r->initial);
	return run_failed(m) ? -1 : 0;
}
