/* model_impl.h: the state of one replication, shared by the model's files
 * (model.c: incidents, observation, decisions, the cell, the run;
 * background.c: Poisson generators under the regime; regime.c: the regime
 * chain; hawkes.c: self-excitation; ladder.c: ladder levels and daily
 * series).  Not a public header. */
#ifndef ESCSIM_MODEL_IMPL_H
#define ESCSIM_MODEL_IMPL_H

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "escsim/event_queue.h"
#include "escsim/model.h"

#define ESC_REPORT_LEVEL 6.0   /* the runs column hours_at_or_above_6 */
#define ESC_GOLDSTEIN_PROTEST (-2.0)  /* CAMEO 114, complain officially */

typedef struct incident {
	int64_t id, parent_id;
	int root;                       /* index of its cluster's first incident */
	int src;                        /* its cluster's stream: generator, or -1 = response */
	double t_h;
	int actor, target, type, zone;
	int fat_mil, fat_civ;
	int perceived;
	double u_attr;                  /* the uniform behind the perception */
	esc_cause cause;
} incident;

typedef struct retaliation {
	int trigger;                    /* incident index that provoked it */
	int actor, target, type, zone;
	double t_strike;
	esc_event_id strike;
	int called_off;
} retaliation;

typedef struct request {            /* a message through the cell or a channel */
	int64_t id;
	int trigger;                    /* incident index it is about, or -1 */
	int retaliation;                /* the strike waiting for it, or -1 */
	int sender, receiver;
	int channel;                    /* 0 the cell, i > 0 channels[i - 1] */
	int kind, priority;
	int reply;                      /* esc_reply_kind the receiver chose */
	double extra_h;                 /* the receiver's added delay */
	double t_submit, t_start, t_answer, deadline;
	int outcome;                    /* esc_message_outcome, -1 while open */
	int correct;
	int notice;
} request;

typedef struct timer {              /* a hook's esc_engine_schedule */
	int party;
	int64_t token;
} timer;

typedef struct planned_op {         /* a notified operation not yet carried out */
	int generator;
	int notice;                     /* request index, or -1 */
} planned_op;

typedef struct child {              /* a triggered incident not yet born */
	int parent;
	int actor, target, type, zone;
} child;

typedef struct generator_state {
	double residual;                /* unit-rate time left to the next arrival */
	double t_last;                  /* when residual was last brought up to date */
	double rate;                    /* current rate per hour */
	esc_event_id next;
} generator_state;

typedef struct day_acc {
	int max_level;
	int regime;
	int64_t incidents, fat_mil, fat_civ;
	double goldstein;
} day_acc;

#define VEC(T) struct { T *v; size_t n, cap; }

struct esc_model {
	const esc_config *cfg;
	esc_sim *sim;
	VEC(incident) inc;
	VEC(retaliation) ret;
	VEC(request) req;
	VEC(child) kids;
	VEC(int) queue;                 /* requests waiting for an operator */
	VEC(planned_op) ops;
	VEC(int) id_inc;                /* event id -> incident index, -1 for a protest */
	VEC(timer) timers;
	const volatile sig_atomic_t *interrupt;   /* the host's signal flag, or NULL */
	int64_t *cluster_size;          /* by incident index */
	size_t cluster_cap;
	double *level;                  /* np*np ladder levels as of t_acc */
	double t_acc;
	generator_state *gen;
	day_acc *days;
	esc_daily_row *daily_out;
	size_t n_days;
	int regime;                     /* current state, -1 without a chain */
	esc_event_id regime_next;
	esc_model_sink sink;
	int cell_busy, cell_down;
	double cell_suspended_until;
	esc_event_id cell_wake;
	int64_t next_msg_id;
	int shield_civilians;           /* the next incident's third parties were warned */
	/* per run */
	const esc_policy *policy;
	gsl_rng **gen_rng, **policy_rng, *response_rng, *cell_rng, *regime_rng,
	        *outage_rng, *channel_rng;
	uint64_t rep;
	int64_t next_id;
	esc_run_row *row;
	double latency_sum;
	int64_t latency_n;
	esc_error *err;
	int failed;
};

/* Grow a VEC by one; sets idx to the new element's index or -1 (and fails the
 * run) when out of memory. */
#define VEC_PUSH(m, vec, idx) do { \
	if ((vec).n == (vec).cap) { \
		size_t cap_ = (vec).cap ? (vec).cap * 2 : 64; \
		void *p_ = realloc((vec).v, cap_ * sizeof *(vec).v); \
		if (!p_) { model_fail(m, ESC_ERR_RUNTIME, "out of memory"); (idx) = -1; break; } \
		(vec).v = p_; (vec).cap = cap_; \
	} \
	(idx) = (int)(vec).n++; \
} while (0)

/* model.c */
void model_fail(esc_model *m, int status, const char *what);
esc_hook_ctx model_hook_ctx(esc_model *m, int party);
int model_hook_failed(esc_model *m, int status);    /* status != 0: fail the run */
int model_execute(esc_model *m, int party, const esc_decision *d, int trigger);
int model_check_decision(esc_model *m, int party, const esc_decision *d, int trigger);
void model_event_row(const esc_model *m, int idx, esc_event_row *ev);
int model_incident_of(const esc_model *m, int64_t event_id);   /* -1: none */
int model_add_incident(esc_model *m, int actor, int target, int type, int zone,
                       esc_cause cause, int parent, int src);
gsl_rng *model_stream(esc_model *m, int src);
void model_note_crisis(esc_model *m, double t_h);

/* background.c */
int background_start(esc_model *m);
void background_rates_changed(esc_model *m);

/* regime.c */
int regime_start(esc_model *m);
double regime_multiplier(const esc_model *m, size_t generator);

/* hawkes.c */
void hawkes_spawn(esc_model *m, int idx, gsl_rng *r);

/* engine.c */
void engine_on_timer(esc_sim *sim, void *ctx, void *arg);
int engine_start_ticks(esc_model *m);

/* cell.c */
int cell_start(esc_model *m);
int cell_available(const esc_model *m, int sender);
void cell_submit(esc_model *m, esc_message_kind kind, int sender, int trigger,
                 int retaliation, int priority, double deadline_h);
void cell_on_incident(esc_model *m, const incident *in);
int cell_notice(esc_model *m, int actor, double t_op_h);  /* request or -1 */
int cell_notice_cleared(esc_model *m, int request);
void cell_finish(esc_model *m);

/* ladder.c */
int ladder_start(esc_model *m);
void ladder_advance(esc_model *m, double now);
double ladder_level(const esc_model *m, int a, int b);      /* read only */
double ladder_raise(esc_model *m, const incident *in);   /* the pair's new level */
void ladder_count(esc_model *m, double t_h, int incidents, int fat_mil, int fat_civ, double goldstein);
int ladder_finish(esc_model *m);

#endif
