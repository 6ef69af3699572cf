/* hawkes.c: self-excitation, as the branching (cluster) form of a
 * multivariate Hawkes process with exponential kernels.
 *
 * When an incident is born, each excitation rule that matches it gives it
 * Poisson(n * (1 + per_fatality * deaths)) children, each born after a delay
 * drawn from the fast kernel (probability fast_share) or the slow one.  All
 * of this is drawn at the parent's birth from the parent's own keyed stream
 * (model.c, keyed as run.c says), and each child is keyed by its parent, rule and place, so a
 * cluster grows the same way in every arm of an experiment.  The
 * stability condition, a spectral radius of the mean offspring matrix below
 * 1, is checked with the configuration (esc_config_branching_ratio). */
#include <gsl/gsl_randist.h>

#include "model_impl.h"

void hawkes_free(esc_model *m) { free(m->hawkes.kids.v); }
void hawkes_start(esc_model *m) { m->hawkes.kids.n = 0; }

static void on_birth(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)sim;
	esc_model *m = ctx;
	const child *c = &m->hawkes.kids.v[(intptr_t)arg];
	int parent = c->parent;
	model_add_incident(m, c->actor, c->target, c->type, c->zone,
	                   ESC_CAUSE_TRIGGERED, parent, c->key);
}

static int matches(int want, int have) { return want == -1 || want == have; }

void hawkes_spawn(esc_model *m, int idx, gsl_rng *r)
{
	const esc_config *cfg = m->cfg;
	for (size_t i = 0; i < cfg->n_excitations && !run_failed(m); i++) {
		const esc_excitation *e = &cfg->excitations[i];
		const incident *p = model_incident(m, idx);
		if (!matches(e->from_actor, p->actor) || !matches(e->from_target, p->target) ||
		    !matches(e->from_type, p->type))
			continue;
		double mean = e->n * (1.0 + e->per_fatality * (p->fat_mil + p->fat_civ));
		unsigned k = mean > 0 ? gsl_ran_poisson(r, mean) : 0;
		for (unsigned j = 0; j < k; j++) {
			int fast = gsl_rng_uniform(r) < e->fast_share;
			double delay = gsl_ran_exponential(r, fast ? e->fast_mean_h : e->slow_mean_h);
			double t = model_incident(m, idx)->t_h + delay;
			if (t > cfg->horizon_h)
				continue;       /* drawn anyway: the stream stays aligned */
			int c;
			VEC_PUSH(m, m->hawkes.kids, c);
			if (c < 0)
				return;
			p = model_incident(m, idx);
			m->hawkes.kids.v[c] = (child){
				.parent = idx,
				.key = esc_rng_key(p->key, KEY_CHILD, (uint64_t)i << 32 | j),
				.actor = e->to_actor == -1 ? p->actor : e->to_actor,
				.target = e->to_target == -1 ? p->target : e->to_target,
				.type = e->to_type == -1 ? p->type : e->to_type,
				.zone = e->to_zone == -1 ? p->zone : e->to_zone,
			};
			if (esc_event_queue_schedule(m->sim, t, on_birth, m, (void *)(intptr_t)c) == ESC_EVENT_NONE) {
				run_fail(m, ESC_ERR_RUNTIME, "out of memory");
				return;
			}
		}
	}
}
