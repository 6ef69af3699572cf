/* engine.c: what policy hooks may ask of and do to a running replication
 * (escsim/engine.h): read-only queries of the state, timers, actions, the
 * user log, and the periodic ticks.  An esc_engine is the esc_model itself,
 * seen through this narrow interface; it reads the other parts of the
 * model only through their accessors (model_impl.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "escsim/engine.h"
#include "model_impl.h"

#define M(e) ((esc_model *)(e))
#define CM(e) ((const esc_model *)(e))

const esc_config *esc_engine_config(const esc_engine *e) { return CM(e)->cfg; }
double esc_engine_now(const esc_engine *e) { return esc_event_queue_now(CM(e)->sim); }

static int party_ok(const esc_model *m, int p) { return p >= 0 && (size_t)p < m->cfg->n_parties; }

double esc_engine_ladder(const esc_engine *e, int from, int to)
{
	const esc_model *m = CM(e);
	if (!party_ok(m, from) || !party_ok(m, to))
		return NAN;
	return ladder_level(m, from, to);
}

int esc_engine_regime(const esc_engine *e) { return regime_current(CM(e)); }

int esc_engine_cell_up(const esc_engine *e, int party)
{
	return party_ok(CM(e), party) && cell_available(CM(e), party);
}

size_t esc_engine_recent(const esc_engine *e, double window_h, esc_event_row *out, size_t max)
{
	const esc_model *m = CM(e);
	double since = esc_event_queue_now(m->sim) - window_h;
	size_t all = model_n_incidents(m), first = all;
	while (first > 0 && model_incident(m, (int)first - 1)->t_h >= since)
		first--;                            /* incidents are stored in time order */
	size_t n = all - first;
	for (size_t i = 0; i < n && i < max; i++)
		model_event_row(m, (int)(first + i), &out[i]);
	return n;
}

gsl_rng *esc_engine_stream(esc_engine *e, int party, uint64_t key)
{
	return party_ok(M(e), party) ? run_policy_stream(M(e), party, key) : NULL;
}

/* ---- timers and ticks ------------------------------------------------ */

void engine_free(esc_model *m) { free(m->engine.timers.v); }
void engine_reset(esc_model *m) { m->engine.timers.n = 0; }

static void on_timer(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	timer t = m->engine.timers.v[(intptr_t)arg];
	if (!run_policy(m) || !run_policy(m)->type->on_timer)
		return;
	uint64_t key = esc_rng_key(esc_rng_key(0, KEY_TIMER, (uint64_t)t.party), KEY_TIMER, (uint64_t)t.token);
	esc_hook_ctx hc = run_hook_ctx(m, t.party, key);
	run_hook_failed(m, run_policy(m)->type->on_timer(run_policy(m)->self, &hc, t.token, run_err(m)));
}

int esc_engine_schedule(esc_engine *e, int party, double dt_h, int64_t token, esc_error *err)
{
	esc_model *m = M(e);
	if (!party_ok(m, party))
		return esc_error_set(err, ESC_ERR_INPUT, "schedule: unknown party %d", party);
	if (!(dt_h >= 0) || !isfinite(dt_h))
		return esc_error_set(err, ESC_ERR_INPUT, "schedule: expected a finite delay >= 0 hours, got %g", dt_h);
	double t = esc_event_queue_now(m->sim) + dt_h;
	if (t > m->cfg->horizon_h)
		return ESC_OK;                  /* past the horizon: never fires */
	int k;
	VEC_PUSH(m, m->engine.timers, k);
	if (k < 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	m->engine.timers.v[k] = (timer){ party, token };
	if (esc_event_queue_schedule(m->sim, t, on_timer, m, (void *)(intptr_t)k) == ESC_EVENT_NONE)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	return ESC_OK;
}

static void on_tick(esc_event_queue *sim, void *ctx, void *arg)
{
	esc_model *m = ctx;
	int party = (int)(intptr_t)arg;
	double dt = run_policy(m)->type->tick_h(run_policy(m)->self, party);
	double now = esc_event_queue_now(sim);
	uint64_t bits;
	memcpy(&bits, &now, sizeof bits);       /* a tick is keyed by its time */
	esc_hook_ctx hc = run_hook_ctx(m, party, esc_rng_key(esc_rng_key(0, KEY_TICK, (uint64_t)party), KEY_TICK, bits));
	if (run_policy(m)->type->on_tick &&
	    run_hook_failed(m, run_policy(m)->type->on_tick(run_policy(m)->self, &hc, dt, run_err(m))))
		return;
	double t = esc_event_queue_now(sim) + dt;
	if (t <= m->cfg->horizon_h && esc_event_queue_schedule(sim, t, on_tick, m, arg) == ESC_EVENT_NONE)
		run_fail(m, ESC_ERR_RUNTIME, "out of memory");
}

int engine_start_ticks(esc_model *m)
{
	if (!run_policy(m) || !run_policy(m)->type->tick_h || !run_policy(m)->type->on_tick)
		return 0;
	for (size_t p = 0; p < m->cfg->n_parties; p++) {
		double dt = run_policy(m)->type->tick_h(run_policy(m)->self, (int)p);
		if (!(dt > 0) || !isfinite(dt) || dt > m->cfg->horizon_h)
			continue;
		if (esc_event_queue_schedule(m->sim, dt, on_tick, m, (void *)(intptr_t)p) == ESC_EVENT_NONE)
			return -1;
	}
	return 0;
}

/* ---- actions --------------------------------------------------------- */

int esc_engine_act(esc_engine *e, int party, const esc_decision *d, int64_t about, esc_error *err)
{
	esc_model *m = M(e);
	if (!party_ok(m, party))
		return esc_error_set(err, ESC_ERR_INPUT, "act: unknown party %d", party);
	int trigger = -1;
	if (about >= 0) {
		trigger = model_incident_of(m, about);
		if (trigger < 0)
			return esc_error_set(err, ESC_ERR_INPUT, "act: event %lld is not an incident", (long long)about);
	}
	/* A bad action fails the run with its message, as any bad decision
	 * does; the caller gets the same message. */
	if (model_execute(m, party, d, trigger)) {
		if (err && err != run_err(m))
			*err = *run_err(m);
		return run_err(m)->status ? run_err(m)->status : ESC_ERR_INPUT;
	}
	return ESC_OK;
}

/* ---- the user log ---------------------------------------------------- */

int esc_engine_log(esc_engine *e, int party, const char *key, double value, esc_error *err)
{
	esc_model *m = M(e);
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n >= sizeof ((esc_log_row *)0)->key)
		return esc_error_set(err, ESC_ERR_INPUT, "log: expected a key of 1 to %zu characters",
		                     sizeof ((esc_log_row *)0)->key - 1);
	if (!isfinite(value))
		return esc_error_set(err, ESC_ERR_INPUT, "log: value for '%s' must be a finite number", key);
	if (!run_sink(m)->log)
		return ESC_OK;
	esc_log_row row = { .rep = (int64_t)run_rep(m), .t_h = esc_event_queue_now(m->sim),
	                    .party = party_ok(m, party) ? party : -1, .value = value };
	memcpy(row.key, key, n + 1);
	return run_sink(m)->log(run_sink(m)->self, &row, err);
}
