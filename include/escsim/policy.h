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

/* The model as hooks see it during a call: read-only queries of the state
 * and a few actions (escsim/engine.h).  Never valid outside a hook call. */
typedef struct esc_engine esc_engine;

/* What a hook may use besides its arguments: the replication, the clock, the
 * party's own random stream, and the engine. */
typedef struct esc_hook_ctx {
	uint64_t rep;
	double t_h;
	uint64_t key;                /* what the call is about (escsim/rng.h):
	                                rng is the party's stream positioned there */
	gsl_rng *rng;
	int party;                   /* the party whose hook runs */
	esc_engine *engine;
} esc_hook_ctx;

/* How the receiving side answers a request through the cell. */
typedef enum esc_reply_kind {
	ESC_REPLY_ANSWER = 0,        /* answer as the cell does: names the culprit
	                                with the cell's accuracy */
	ESC_REPLY_DENY = 1,          /* "not us", with no evidence: names no one */
	ESC_REPLY_SHARE_INTEL = 2,   /* shares what it knows: names the culprit */
	ESC_REPLY_COMMIT_ENFORCE = 3,/* names the culprit and acts against it itself
	                                if it is a non-state party */
	ESC_REPLY_REFUSE = 4         /* declines the request at once */
} esc_reply_kind;

/* A request as its receiver sees it (on_cell_request). */
typedef struct esc_cell_request {
	int64_t message_id, event_id;
	int sender, receiver;
	int kind;                    /* esc_message_kind */
	int suspected;               /* whom the sender blames, or -1 */
	int culprit;                 /* who did it: the receiver knows whether it did */
	double deadline_h;           /* NaN: none */
} esc_cell_request;

typedef struct esc_cell_reply {
	esc_reply_kind reply;
	double delay_h;              /* added to the approval delay, >= 0 */
} esc_cell_reply;

/* An answer as its sender sees it (on_cell_reply). */
typedef struct esc_cell_answer {
	int64_t message_id, event_id;
	int channel;                 /* 0 the cell, i > 0 a fallback channel */
	esc_reply_kind reply;
	int named;                   /* the party the answer names, or -1 */
	int pending_target;          /* target of the strike waiting, or -1 */
	double strike_h;             /* its time, NaN if none */
} esc_cell_answer;

/* A background operation its actor is about to plan (pre_operation). */
typedef struct esc_operation {
	int actor, target, type, zone;
} esc_operation;

typedef struct esc_notice {
	int notify;                  /* send a notice through the cell */
	double lead_h;               /* carry the operation out this much later */
} esc_notice;

typedef struct esc_event_row esc_event_row;

/* The hooks, for esc_policy_type.hooks: bit ESC_HOOK_BIT(h) of its mask. */
typedef enum esc_hook {
	ESC_HOOK_ATTRIBUTE, ESC_HOOK_OBSERVED, ESC_HOOK_CELL_REQUEST, ESC_HOOK_CELL_REPLY,
	ESC_HOOK_PRE_OPERATION, ESC_HOOK_TICK, ESC_HOOK_EVENT, ESC_N_HOOKS
} esc_hook;
#define ESC_HOOK_BIT(h) (1u << (h))

/* A policy implementation.  Every hook may be NULL (the engine's default);
 * hooks return 0 or an error status with err filled (the model adds the
 * replication and simulated time).  The engine validates every output. */
typedef struct esc_policy_type {
	const char *name;
	/* A new replication starts: reset any per-replication state. */
	int (*begin)(void *self, uint64_t rep, esc_error *err);
	/* Hours between calls of on_tick for party (0: never). */
	double (*tick_h)(void *self, int party);
	/* Override ctx->party's attribution of an observed incident: p[np]
	 * arrives as its confusion-matrix row; set *changed = 1 after writing a
	 * new probability vector (>= 0, summing to 1). */
	int (*attribute)(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
	                 double *p, int *changed, esc_error *err);
	/* Decide obs->observer's response.  *out arrives as ignore with target =
	 * perceived, zone = the incident's zone, type = -1, priority 1. */
	int (*on_incident_observed)(void *self, const esc_hook_ctx *ctx,
	                            const esc_observation *obs, esc_decision *out,
	                            esc_error *err);
	/* The receiver of a cell request decides how to answer; *out arrives as
	 * ESC_REPLY_ANSWER with no extra delay. */
	int (*on_cell_request)(void *self, const esc_hook_ctx *ctx,
	                       const esc_cell_request *req, esc_cell_reply *out,
	                       esc_error *err);
	/* The sender reads an answer: *cancel arrives as the engine's rule (call
	 * the pending strike off when the answer names someone else); set it to
	 * 0 or 1 to decide otherwise. */
	int (*on_cell_reply)(void *self, const esc_hook_ctx *ctx,
	                     const esc_cell_answer *ans, int *cancel, esc_error *err);
	/* Before a background operation of ctx->party: notify it through the
	 * cell, and with what lead; *out arrives as the scenario's cell.notify. */
	int (*pre_operation)(void *self, const esc_hook_ctx *ctx,
	                     const esc_operation *op, esc_notice *out, esc_error *err);
	/* Every tick_h hours for ctx->party. */
	int (*on_tick)(void *self, const esc_hook_ctx *ctx, double dt_h, esc_error *err);
	/* After every event (incident or protest); ctx->party is -1: the
	 * implementation dispatches (user triggers live here). */
	int (*on_event)(void *self, const esc_hook_ctx *ctx, const esc_event_row *ev,
	                esc_error *err);
	/* A timer set with esc_engine_schedule fires for ctx->party. */
	int (*on_timer)(void *self, const esc_hook_ctx *ctx, int64_t token, esc_error *err);
	/* Which hooks party has (ESC_HOOK_BIT bits), asked once per
	 * replication after begin: the model calls a party's attribute,
	 * on_incident_observed, on_cell_request, on_cell_reply and
	 * pre_operation only when its bit is set, and positions no stream for
	 * a call it does not make (a Lua policy has the hooks its table has;
	 * asking every party for every incident cost a tenth of a Lua run).
	 * NULL: every hook the type has, for every party. */
	unsigned (*hooks)(void *self, int party);
} esc_policy_type;

typedef struct esc_policy {
	const esc_policy_type *type;
	void *self;
} esc_policy;

#endif
