/* policy.h: how the model asks a party what to do.
 *
 * A policy is a struct of function pointers plus its own state, as GSL plugs
 * generators in with gsl_rng_type: the model calls hooks through it and knows
 * nothing of the language behind them (Lua for users, C for tests and
 * benchmarks).  The model validates every decision it gets back.
 */
#ifndef ESCSIM_POLICY_H
#define ESCSIM_POLICY_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "escsim/error.h"

typedef enum esc_cause {
	ESC_CAUSE_BACKGROUND = 0,
	ESC_CAUSE_TRIGGERED = 1,     /* reserved: self-excitation */
	ESC_CAUSE_POLICY = 2         /* a party's response */
} esc_cause;

typedef enum esc_action {
	ESC_ACT_IGNORE = 0,
	ESC_ACT_PROTEST = 1,         /* an official complaint (ladder level 1) */
	ESC_ACT_QUERY = 2,           /* ask the cell who did it; no retaliation */
	ESC_ACT_RETALIATE = 3        /* strike back after delay_h */
} esc_action;

/* What the target of an incident sees of it: the perceived perpetrator, never
 * the true one. */
typedef struct esc_observation {
	int64_t incident_id;
	double t_incident_h;
	int observer;                /* party index: the incident's target */
	int perceived;               /* party index the observer blames */
	int type, zone, level;
	int fatalities_mil, fatalities_civ;
	esc_cause cause;
	double ladder_level;         /* observer -> perceived, now */
	int cell_available;          /* 1 if a query can be sent now */
} esc_observation;

typedef struct esc_decision {
	esc_action action;
	int target;                  /* retaliate: party index (default: perceived) */
	int type;                    /* retaliate: incident type index */
	int zone;                    /* retaliate: zone index (default: the incident's) */
	double delay_h;              /* retaliate: decision to strike; also the
	                                deadline for a cell answer */
	int query_cell;              /* retaliate: ask the cell first, and call the
	                                strike off if the answer clears the target */
	int priority;                /* of a query: 0 flash, 1 immediate (default),
	                                2 routine; the cell serves lower first */
} esc_decision;

/* What a hook may use besides its arguments: the replication, the clock and
 * the observing party's random stream. */
typedef struct esc_hook_ctx {
	uint64_t rep;
	double t_h;
	gsl_rng *rng;
} esc_hook_ctx;

typedef struct esc_policy_type {
	const char *name;
	/* Decide obs->observer's response.  *out arrives as ignore with target =
	 * perceived, zone = the incident's zone, type = -1.  Returns 0 or an error
	 * status with err filled (the model adds replication and time). */
	int (*on_incident_observed)(void *self, const esc_hook_ctx *ctx,
	                            const esc_observation *obs, esc_decision *out,
	                            esc_error *err);
} esc_policy_type;

typedef struct esc_policy {
	const esc_policy_type *type;
	void *self;
} esc_policy;

#endif
