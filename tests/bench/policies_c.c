/* policies_c.c: the policy modules query_before_retaliate, protest_mostly
 * and local_reprisal of scenarios/policies/, in C; see policies_c.h. */
#include <stdlib.h>
#include <string.h>

#include "policies_c.h"

typedef enum pc_kind {
	PC_NONE = 0,                 /* no policy: ignore, as a party without one */
	PC_QUERY_BEFORE_RETALIATE,
	PC_PROTEST_MOSTLY,
	PC_LOCAL_REPRISAL
} pc_kind;

/* One party's parameters; each kind reads its own. */
typedef struct pc_party {
	pc_kind kind;
	int min_level;               /* query_before_retaliate */
	double p_retaliate;          /* query_before_retaliate, protest_mostly */
	double deadline_h;           /* query_before_retaliate, protest_mostly */
	int query_first;             /* query_before_retaliate */
	double p_protest;            /* protest_mostly */
	double p_lethal, p_other;    /* local_reprisal */
	double delay_h;              /* local_reprisal */
	int zone;                    /* local_reprisal: -1 = the incident's zone */
	int response;                /* incident type index of a retaliation */
} pc_party;

struct bench_c_policy {
	size_t np;
	pc_party *party;
};

/* sim.random() */
static inline double sim_random(const esc_hook_ctx *ctx)
{
	return gsl_rng_uniform(ctx->rng);
}

static void retaliate(esc_decision *out, int type, double delay_h)
{
	out->action = ESC_ACT_RETALIATE;
	out->type = type;
	out->delay_h = delay_h;
	out->query_cell = 0;
	out->priority = 1;           /* the Lua layer's default, "immediate" */
}

static int c_on_incident_observed(void *self, const esc_hook_ctx *ctx,
                                  const esc_observation *inc, esc_decision *out,
                                  esc_error *err)
{
	(void)err;
	const bench_c_policy *p = self;
	out->action = ESC_ACT_IGNORE;
	out->priority = 1;
	const pc_party *s = &p->party[inc->observer];
	switch (s->kind) {
	case PC_NONE:
		return ESC_OK;
	case PC_QUERY_BEFORE_RETALIATE:
		if (inc->level < s->min_level)
			return ESC_OK;
		if (sim_random(ctx) >= s->p_retaliate) {
			out->action = ESC_ACT_PROTEST;
			return ESC_OK;
		}
		retaliate(out, s->response, s->deadline_h);
		out->query_cell = s->query_first;
		return ESC_OK;
	case PC_PROTEST_MOSTLY: {
		int lethal = inc->fatalities_mil + inc->fatalities_civ > 0;
		double u = sim_random(ctx);
		if (lethal && u < s->p_retaliate) {
			retaliate(out, s->response, s->deadline_h);
			return ESC_OK;
		}
		if (u < s->p_retaliate + s->p_protest)
			out->action = ESC_ACT_PROTEST;
		return ESC_OK;
	}
	case PC_LOCAL_REPRISAL: {
		int lethal = inc->fatalities_mil + inc->fatalities_civ > 0;
		double pr = lethal ? s->p_lethal : s->p_other;
		if (sim_random(ctx) < pr) {
			retaliate(out, s->response, s->delay_h);
			if (s->zone >= 0)
				out->zone = s->zone;
		}
		return ESC_OK;
	}
	}
	return ESC_OK;
}

const esc_policy_type bench_c_policy_type = {
	.name = "c",
	.on_incident_observed = c_on_incident_observed,
};

static int party_index(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int type_index(const esc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_types; i++)
		if (strcmp(cfg->types[i].name, name) == 0)
			return (int)i;
	return -1;
}

bench_c_policy *bench_c_policy_golan(const esc_config *cfg)
{
	int isr = party_index(cfg, "ISR"), syr = party_index(cfg, "SYR");
	int nsa = party_index(cfg, "NSA");
	int strike = type_index(cfg, "strike"), rocket = type_index(cfg, "rocket");
	if (isr < 0 || syr < 0 || nsa < 0 || strike < 0 || rocket < 0)
		return NULL;
	bench_c_policy *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->np = cfg->n_parties;
	p->party = calloc(p->np, sizeof *p->party);
	if (!p->party) {
		free(p);
		return NULL;
	}
	/* golan_2026 (scenarios/lib/world_2025.lua's policies with the 2026
	 * change): query_before_retaliate.new { deadline = hours(6),
	 * query_first = true }; DEFAULTS min_level 6, p_retaliate 0.9,
	 * response "strike". */
	p->party[isr] = (pc_party){ .kind = PC_QUERY_BEFORE_RETALIATE, .min_level = 6,
	                            .p_retaliate = 0.9, .deadline_h = 6, .query_first = 1,
	                            .response = strike, .zone = -1 };
	/* protest_mostly.new { p_protest = 0.01, p_retaliate = 0 }: deadline
	 * 24 h, response "rocket". */
	p->party[syr] = (pc_party){ .kind = PC_PROTEST_MOSTLY, .p_protest = 0.01,
	                            .p_retaliate = 0, .deadline_h = 24,
	                            .response = rocket, .zone = -1 };
	/* local_reprisal.new { p_lethal = 0.1, p_other = 0.001 }: delay 48 h,
	 * response "rocket", the incident's zone. */
	p->party[nsa] = (pc_party){ .kind = PC_LOCAL_REPRISAL, .p_lethal = 0.1,
	                            .p_other = 0.001, .delay_h = 48, .response = rocket,
	                            .zone = -1 };
	return p;
}

void bench_c_policy_free(bench_c_policy *p)
{
	if (!p)
		return;
	free(p->party);
	free(p);
}
