/* model_impl.h: the state of one replication, in one part per file of
 * sim/model, and what each file offers the others.  Not a public header.
 *
 *   run.c         the lifecycle (new, reset, run, finish, free), the run's
 *                 status and policy, the keyed streams, the runs row
 *   model.c       incidents, their observation and attribution, the
 *                 parties' decisions (protest, query, retaliation)
 *   background.c  Poisson generators under the regime, notified operations
 *   regime.c      the regime chain
 *   hawkes.c      self-excitation
 *   ladder.c      ladder levels, hours high on the ladder, daily series
 *   cell.c        the cell's queue, the fallback channels, notices
 *   engine.c      what hooks may ask and do (escsim/engine.h), timers, ticks
 *
 * Each part of struct esc_model below is written only by the file that owns
 * it; another file reads it only through that file's functions or the
 * inline read-only accessors beside the part (run_*, model_*, ...).  cfg
 * and the event queue are shared: the configuration is read-only, and every
 * file schedules its own events on the queue.
 *
 * Each file that keeps state has a lifecycle run.c drives: X_new/X_free with
 * the model, X_bind when the replication's streams are known, X_start at the
 * start of a replication (forget the last one, schedule the first events)
 * and X_finish at the end (its columns of the runs row, and asserts on its
 * counters).  The start order is fixed: events scheduled at one time fire in
 * the order they were scheduled, and the streams are drawn in that order. */
#ifndef ESCSIM_MODEL_IMPL_H
#define ESCSIM_MODEL_IMPL_H

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "escsim/event_queue.h"
#include "escsim/model.h"
#include "escsim/rng.h"

#define ESC_REPORT_LEVEL 6.0   /* the runs column hours_at_or_above_6 */
#define ESC_GOLDSTEIN_PROTEST (-2.0)  /* CAMEO 114, complain officially */

/* Keys (escsim/rng.h): what a key is the key of.  Every incident, message
 * and decision has a key derived from its lineage (the tag says which kind
 * of child of its parent it is), never from the order things happened in,
 * so the numbers drawn about it are the same in every arm that has it. */
enum key_tag {
	KEY_ARRIVAL = 1,    /* key(key(0, ARRIVAL, g), ARRIVAL, i): generator g's i-th arrival */
	KEY_CHILD,          /* key(parent, CHILD, rule << 32 | j): a triggered incident */
	KEY_RESPONSE,       /* key(incident, RESPONSE, p): p's response to it */
	KEY_ENFORCE,        /* key(incident, ENFORCE, receiver): enforcement after a query about it */
	KEY_ACT,            /* key(key(0, ACT, p), ACT, n): p's n-th act of its own (sim.act) */
	KEY_QUERY,          /* key(incident, QUERY, p): p's query about it */
	KEY_NOTICE,         /* key(arrival, NOTICE, 0): the notice of a planned operation */
	KEY_OBSERVE,        /* key(incident, OBSERVE, p): p's decisions about it */
	KEY_TICK,           /* key(key(0, TICK, p), TICK, hour bits): p's tick */
	KEY_TIMER,          /* key(key(0, TIMER, p), TIMER, token) */
	KEY_PROTEST,        /* key(incident, PROTEST, p): p's protest about it */
	KEY_CHANNEL,        /* key(request, CHANNEL, i): the request's try on channel i */
};

/* Which draw about a keyed thing (run_keyed). */
enum draw_tag {
	DRAW_INCIDENT = 1,  /* everything drawn at an incident's birth, in order */
	DRAW_SPARE,         /* civilians a notice in time spares */
	DRAW_SUSPEND,       /* the incident suspends the cell */
	DRAW_REFUSE,        /* the receiver refuses a request */
	DRAW_HANDLING,      /* an operator's time on it */
	DRAW_DELAY,         /* relay and approval, or a channel's latency */
	DRAW_ANSWER,        /* what the answer names, and whether the sender acts on it */
	DRAW_ENFORCE,       /* the receiver enforces */
	DRAW_NEED,          /* the lead third parties need */
	DRAW_AVAILABLE,     /* a channel is available */
};

#define VEC(T) struct { T *v; size_t n, cap; }

/* ---- run.c ------------------------------------------------------------ */

typedef struct run_state {
	const esc_policy *policy;       /* NULL: every party ignores everything */
	uint64_t rep;
	esc_error *err;
	int failed;
	const volatile sig_atomic_t *interrupt;   /* the host's signal flag, or NULL */
	esc_model_sink sink;
	unsigned *hook_mask;            /* per party: the hooks its policy has
	                                   (ESC_HOOK_BIT), for this replication */
	gsl_rng **policy_rng;           /* per party, positioned at a key for each use */
	uint64_t *policy_seed;          /* per party: the seed its keys start from */
	gsl_rng *keyed;                 /* positioned at a key for each use */
	uint64_t key_seed;              /* the seed keyed draws are positioned from */
} run_state;

/* ---- model.c: incidents and decisions --------------------------------- */

typedef struct incident {
	int64_t id, parent_id;
	uint64_t key;
	int root;                       /* index of its cluster's first incident */
	double t_h;
	int actor, target, type, zone;
	int rung;                       /* its ladder level: the type's, or the
	                                   type's lethal_level if it killed */
	int moves;                      /* its exchange's moves so far (0: not a response) */
	int fat_mil, fat_civ;
	int perceived;
	double u_attr;                  /* the uniform behind the perception */
	esc_cause cause;
} incident;

typedef struct retaliation {
	int trigger;                    /* incident index that provoked it, or -1 */
	uint64_t key;                   /* the key its incident will have */
	int actor, target, type, zone;
	double t_strike;
	esc_event_id strike;
	int called_off;
} retaliation;

/* The runs columns the incidents make (model_finish copies them). */
typedef struct incident_counts {
	int64_t events_total, incidents, retaliations, misattributed;
	int64_t fat_mil, fat_civ;
	int64_t fat_by[ESC_MAX_PARTIES];
	int spiral;
	double first_crisis_h;          /* NaN until the first crisis */
} incident_counts;

typedef struct incident_state {
	VEC(incident) inc;              /* in time order */
	VEC(retaliation) ret;
	VEC(int) id_inc;                /* event id -> incident index, -1 for a protest */
	int64_t next_id;
	double spare;                   /* share of the next incident's civilian deaths
	                                   spared (a notice arrived in time) */
	uint64_t *acts;                 /* per party: acts of its own so far */
	gsl_rng *rng;                   /* positioned at each incident's key */
	incident_counts n;
} incident_state;

/* ---- background.c ----------------------------------------------------- */

typedef struct planned_op {         /* a notified operation not yet carried out */
	int generator;
	uint64_t key;                   /* its arrival's key */
	int notice;                     /* request index, or -1 */
} planned_op;

typedef struct generator_state {
	double residual;                /* unit-rate time left to the next arrival */
	double t_last;                  /* when residual was last brought up to date */
	double rate;                    /* current rate per hour */
	uint64_t root, arrivals;        /* key(0, ARRIVAL, g), and arrivals so far */
	esc_event_id next;
} generator_state;

typedef struct background_state {
	generator_state *gen;
	gsl_rng **rng;                  /* per generator: "incidents.<i>" */
	VEC(planned_op) ops;
} background_state;

/* ---- regime.c --------------------------------------------------------- */

typedef struct regime_state {
	int current;                    /* -1 without a chain */
	esc_event_id next;
	gsl_rng *rng;                   /* "regime" */
} regime_state;

/* ---- hawkes.c --------------------------------------------------------- */

typedef struct child {              /* a triggered incident not yet born */
	int parent;
	uint64_t key;
	int actor, target, type, zone;
} child;

typedef struct hawkes_state {
	VEC(child) kids;
} hawkes_state;

/* ---- ladder.c --------------------------------------------------------- */

/* A directed pair's ladder level: held at `peak` until t_end, then halving
 * every half-life (ladder.c).  below is when it falls below
 * ESC_REPORT_LEVEL (-inf if it never reached it), kept with the level
 * because every incident and every midnight asks it of every pair. */
typedef struct pair_level {
	double peak, t_end;
	double below;
} pair_level;

typedef struct day_acc {
	int max_level;
	int regime;
	int64_t incidents, fat_mil, fat_civ;
	double goldstein;
} day_acc;

typedef struct ladder_state {
	pair_level *level;              /* np*np directed pairs */
	double below_max;               /* the latest pair_level.below of all pairs */
	double t_acc;                   /* hours at or above 6 counted up to here */
	double hours;                   /* ... and how many there were */
	int max_level;                  /* the highest whole level so far */
	day_acc *days;
	esc_daily_row *daily_out;
	size_t n_days;
} ladder_state;

/* ---- cell.c ----------------------------------------------------------- */

typedef struct request {            /* a message through the cell or a channel */
	int64_t id;
	uint64_t key;                   /* the query's or notice's; a channel's try adds its index */
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

/* The runs columns the cell and the channels make (cell_finish copies
 * them), and the sums behind the two mean latencies. */
typedef struct cell_counts {
	int64_t requests, answered, refused, unavailable, enforcements;
	int64_t channel_requests, channel_answered;
	int64_t notices_sent, notices_in_time, notices_too_late, notices_undelivered;
	double latency_sum, notice_latency_sum;
	int64_t latency_n, notice_latency_n;
} cell_counts;

typedef struct cell_state {
	VEC(request) req;
	VEC(int) queue;                 /* requests waiting for an operator */
	int busy, down;
	double suspended_until;
	esc_event_id wake;
	int64_t next_msg_id;
	gsl_rng *outage_rng;            /* "cell.outage" */
	cell_counts n;
} cell_state;

/* ---- engine.c --------------------------------------------------------- */

typedef struct timer {              /* a hook's esc_engine_schedule */
	int party;
	int64_t token;
} timer;

typedef struct engine_state {
	VEC(timer) timers;
} engine_state;

/* ----------------------------------------------------------------------- */

struct esc_model {
	const esc_config *cfg;
	esc_event_queue *sim;
	run_state run;
	incident_state incidents;
	background_state background;
	regime_state regime;
	hawkes_state hawkes;
	ladder_state ladder;
	cell_state cell;
	engine_state engine;
};

/* Grow a VEC by one; sets idx to the new element's index or -1 (and fails the
 * run) when out of memory. */
#define VEC_PUSH(m, vec, idx) do { \
	if ((vec).n == (vec).cap) { \
		size_t cap_ = (vec).cap ? (vec).cap * 2 : 64; \
		void *p_ = realloc((vec).v, cap_ * sizeof *(vec).v); \
		if (!p_) { run_fail(m, ESC_ERR_RUNTIME, "out of memory"); (idx) = -1; break; } \
		(vec).v = p_; (vec).cap = cap_; \
	} \
	(idx) = (int)(vec).n++; \
} while (0)

/* run.c */
void run_fail(esc_model *m, int status, const char *what);
int run_hook_failed(esc_model *m, int status);      /* status != 0: fail the run */
esc_hook_ctx run_hook_ctx(esc_model *m, int party, uint64_t key);
gsl_rng *run_policy_stream(esc_model *m, int party, uint64_t key);
gsl_rng *run_keyed(esc_model *m, uint64_t key, enum draw_tag draw);

static inline int run_failed(const esc_model *m) { return m->run.failed; }
static inline uint64_t run_rep(const esc_model *m) { return m->run.rep; }
static inline esc_error *run_err(const esc_model *m) { return m->run.err; }
static inline const esc_policy *run_policy(const esc_model *m) { return m->run.policy; }
static inline const esc_model_sink *run_sink(const esc_model *m) { return &m->run.sink; }
static inline uint64_t run_key_seed(const esc_model *m) { return m->run.key_seed; }

/* Does party's policy have hook h?  Asked before a per-party hook's
 * context is built, so a party without it costs nothing (run.c fills
 * hook_mask at the start of each replication). */
static inline int run_has_hook(const esc_model *m, int party, esc_hook h)
{
	return party >= 0 && (m->run.hook_mask[party] & ESC_HOOK_BIT(h));
}

/* model.c */
int model_new(esc_model *m);
void model_free(esc_model *m);
void model_start(esc_model *m);
void model_finish(const esc_model *m, esc_run_row *row);
int model_execute(esc_model *m, int party, const esc_decision *d, int trigger);
void model_event_row(const esc_model *m, int idx, esc_event_row *ev);
int model_incident_of(const esc_model *m, int64_t event_id);   /* -1: none */
int model_add_incident(esc_model *m, int actor, int target, int type, int zone,
                       esc_cause cause, int parent, uint64_t key);
int model_retaliate(esc_model *m, int actor, int target, int type, int zone, int trigger,
                    uint64_t key);
void model_spare_next(esc_model *m, double share);
void model_call_off(esc_model *m, int retaliation);

static inline size_t model_n_incidents(const esc_model *m) { return m->incidents.inc.n; }
static inline const incident *model_incident(const esc_model *m, int idx)
{
	return &m->incidents.inc.v[idx];
}
static inline const retaliation *model_retaliation(const esc_model *m, int r)
{
	return &m->incidents.ret.v[r];
}

/* background.c */
int background_new(esc_model *m);
void background_free(esc_model *m);
int background_bind(esc_model *m, esc_streams *s);
int background_start(esc_model *m);
void background_rates_changed(esc_model *m);

/* regime.c */
int regime_bind(esc_model *m, esc_streams *s);
void regime_reset(esc_model *m);
int regime_start(esc_model *m);
double regime_multiplier(const esc_model *m, size_t generator);
static inline int regime_current(const esc_model *m) { return m->regime.current; }

/* hawkes.c */
void hawkes_free(esc_model *m);
void hawkes_start(esc_model *m);
void hawkes_spawn(esc_model *m, int idx, gsl_rng *r);

/* engine.c */
void engine_free(esc_model *m);
void engine_reset(esc_model *m);
int engine_start_ticks(esc_model *m);

/* cell.c */
void cell_free(esc_model *m);
int cell_bind(esc_model *m, esc_streams *s);
void cell_reset(esc_model *m);
int cell_start(esc_model *m);
int cell_available(const esc_model *m, int sender);
void cell_query(esc_model *m, uint64_t key, int sender, int trigger, int retaliation,
                int priority, double deadline_h);
void cell_on_incident(esc_model *m, const incident *in);
int cell_notice(esc_model *m, uint64_t key, int actor, double t_op_h);  /* request or -1 */
double cell_notice_spares(esc_model *m, int request);
void cell_close(esc_model *m);                  /* open messages are rows too */
void cell_finish(const esc_model *m, esc_run_row *row);

/* ladder.c */
int ladder_new(esc_model *m);
void ladder_free(esc_model *m);
int ladder_start(esc_model *m);
double ladder_level(const esc_model *m, int a, int b);      /* read only */
void ladder_raise(esc_model *m, const incident *in);
void ladder_count(esc_model *m, double t_h, int incidents, int fat_mil, int fat_civ, double goldstein);
int ladder_close(esc_model *m);                 /* the daily rows, to the sink */
void ladder_finish(const esc_model *m, esc_run_row *row);

#endif
