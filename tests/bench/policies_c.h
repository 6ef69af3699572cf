/* policies_c.h: the three policy modules of scenarios/policies/ written in
 * C, behind the same esc_policy_type interface as the Lua ones, for the
 * whole-scenario benchmark's Lua-against-C comparison.
 *
 * Each mirrors its .lua file line for line: the same defaults and
 * parameters, the same decisions, and the same random draws from the hook's
 * stream (sim.random() is gsl_rng_uniform(ctx->rng)), so a run with these
 * policies gives the same rows as one with the Lua policies, which
 * bench_scenario checks before it times anything.
 */
#ifndef ESCSIM_BENCH_POLICIES_C_H
#define ESCSIM_BENCH_POLICIES_C_H

#include "escsim/config.h"
#include "escsim/policy.h"

typedef struct bench_c_policy bench_c_policy;

extern const esc_policy_type bench_c_policy_type;

/* The policies of scenarios/golan_2026.lua:
 *   ISR = query_before_retaliate.new { deadline = hours(6) }
 *   SYR = protest_mostly.new {}
 *   NSA = local_reprisal.new { zone = "Golan" }
 * NULL if a party, type or zone named there is missing from cfg. */
bench_c_policy *bench_c_policy_golan(const esc_config *cfg);
void bench_c_policy_free(bench_c_policy *p);

#endif
