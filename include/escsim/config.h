/* config.h: a validated scenario, as plain C.
 *
 * The script layer turns a Lua scenario into an esc_config; the model runs
 * it.  Everything here has been checked (ranges, references between names),
 * so the model can trust it.  Names are indices into the arrays; index order
 * is deterministic (parties and zones in the order written, incident types
 * sorted by name).  Times are hours, rates are per hour.
 */
#ifndef ESCSIM_CONFIG_H
#define ESCSIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/dist.h"
#include "escsim/error.h"

#define ESC_NAME_MAX 32
#define ESC_LADDER_TOP 7          /* levels L0..L7 */
#define ESC_MAX_HORIZON_H 8766000.0  /* 1000 years of 365.25 days: daily has a row a day */

typedef enum esc_party_kind {
	ESC_PARTY_STATE = 0,
	ESC_PARTY_NONSTATE = 1,
	ESC_PARTY_SUPERVISOR = 2
} esc_party_kind;

typedef struct esc_party {
	char name[ESC_NAME_MAX];
	esc_party_kind kind;
	int deniable;               /* its acts cannot be pinned on it through a
	                               channel (Khasham, 2018): answers about them
	                               clear no one */
} esc_party;

typedef struct esc_incident_type {
	char name[ESC_NAME_MAX];
	int level;                  /* ladder level 0..7 */
	int lethal_level;           /* the rung when the incident kills anyone
	                               (>= level; MR 3.3: a lethal strike on
	                               state forces is L6, a strike without
	                               deaths L5) */
	double goldstein;           /* -10..10 */
	esc_dist fatalities_mil;    /* counts; ESC_DIST_NONE means always 0 */
	esc_dist fatalities_civ;
	int escalate_to;            /* type this one may turn into (a raid into a
	                               clash), or -1 */
	double escalate_p;          /* probability it does */
	/* Codes to set an event log beside real event data (MR 3.1, 3.2); empty
	 * when the type has none (an official complaint is not ACLED-coded). */
	char acled_type[48];        /* "Explosions/Remote violence" */
	char acled_subtype[48];     /* "Air/drone strike" */
	char cameo[8];              /* CAMEO code, "195" */
} esc_incident_type;

/* A background source: incidents by actor against target, of one type in
 * one zone, as a Poisson process whose rate is rate_per_h times the current
 * regime's multiplier. */
typedef struct esc_generator {
	int actor, target, type, zone;
	double rate_per_h;
	double *regime_multiplier;  /* n_states entries, or NULL: the regime's own */
} esc_generator;

/* Self-excitation: one rule of a multivariate Hawkes process with
 * exponential kernels, simulated as a branching process.  Each incident that
 * matches `from` has Poisson(n * (1 + per_fatality * deaths)) children that
 * match `to`, each after a delay drawn from the fast kernel (an exponential
 * with mean fast_mean_h) with probability fast_share, else from the slow one.
 * In `from`, -1 means any; in `to`, -1 means the parent's own actor, target,
 * type or zone. */
typedef struct esc_excitation {
	int from_actor, from_target, from_type;
	int to_actor, to_target, to_type, to_zone;
	double n;                   /* branching ratio of the rule */
	double fast_share;          /* in [0, 1] */
	double fast_mean_h, slow_mean_h;
	double per_fatality;        /* >= 0 */
} esc_excitation;

/* The regime chain: a continuous-time Markov chain over named states (calm,
 * tense, crisis) that scales background rates, with scheduled shocks that
 * force a state at a given time.  n_states == 0: no chain, multiplier 1. */
typedef struct esc_shock {
	double t_h;
	int state;
} esc_shock;

typedef struct esc_regime {
	size_t n_states;
	char (*names)[ESC_NAME_MAX];
	double *rate_per_h;         /* [from * n_states + to]; diagonal 0 */
	double *multiplier;         /* per state, default for every generator */
	int initial;
	size_t n_shocks;
	esc_shock *shocks;          /* sorted by time */
} esc_regime;

typedef struct esc_attribution {
	esc_dist delay_h;   /* time from incident to its observation by the target */
	/* confusion[(observer * np + true) * np + perceived]: probability that
	 * observer takes an incident by `true` for one by `perceived`.  Each
	 * (observer, true) row sums to 1. */
	double *confusion;
} esc_attribution;

/* The ladder of each directed pair, and the exchanges between parties.  An
 * exchange is a chain of responses that alternate between two parties: a
 * policy incident by P against Q that answers an incident by Q against P
 * (within window_h of it) continues that incident's exchange, one move
 * further; any other response opens an exchange of one move. */
typedef struct esc_ladder {
	double step;            /* level added to actor->target by a retaliation */
	double hold_h;          /* a raised level holds this long, then decays */
	double half_life_h;     /* exponential decay of every pair's level */
	double window_h;        /* a response continues an exchange if it
	                           comes within this of the move it answers */
	int spiral_moves;       /* an exchange of this many moves is a spiral */
	int crisis_moves;       /* ...between two state parties, a crisis */
} esc_ladder;

/* The communication cell (MR 2, 6.4): a staffed, supervised service with a
 * queue.  A request waits for one of `operators` (in priority order, within
 * staffed hours, while the cell is up), holds the operator for `handling_h`,
 * then goes through the supervisor's relay (`relay_h`) and political approval
 * (`latency_h`, heavy-tailed) before the answer reaches the sender. */
typedef struct esc_cell {
	int enabled;
	int members[2];         /* the two parties it connects */
	int supervisor;         /* party relaying and supervising, or -1 */
	int operators;          /* >= 1 */
	esc_dist handling_h;    /* operator time per request */
	esc_dist relay_h;       /* the supervisor's relay hop */
	esc_dist latency_h;     /* approval: from handling to the answer */
	double accuracy;        /* probability an answer names the true
	                           perpetrator; otherwise it names another
	                           candidate at random (esc_config_trust) */
	double staffed_from_h;  /* staffed hours of the day [from, to); 0, 24 = always */
	double staffed_to_h;
	double mtbf_h;          /* mean time between outages (exponential); inf = never */
	double mttr_h;          /* mean outage length */
	int suspend_level;      /* an incident between the members at or above this */
	double suspend_p;       /* level suspends the cell with this probability */
	esc_dist suspend_h;     /* for this long */
	double refuse_base;     /* P(refuse) = base + per_level * tension, in [0, 1], */
	double refuse_per_level;/* tension: the members' higher ladder level */
	double enforce_p;       /* receiver acts itself against a non-state culprit */
	int enforce_type;       /* with this incident type (-1: no enforcement) */
	int notify_party;       /* party that notifies its operations, or -1 */
	int notify_type;        /* of this type (-1: every type) */
	double notify_lead_h;   /* planned between notice and operation */
	esc_dist notify_need_h; /* lead the third parties need to clear */
	double notify_harm_reduction; /* share of civilian deaths a notice
	                           delivered in time avoids (each death
	                           independently) */
	int crowd_out;          /* 1: a query the cell takes goes nowhere else
	                           (parties rely on the cell); 0: the fallback
	                           channels are asked as without the cell */
	struct {                /* the cell's mechanisms, each switchable, so
	                           its effect can be taken apart */
		int answers;        /* senders act on answers to their queries */
		int notices;        /* notices delivered in time spare civilians */
		int enforcement;    /* the receiver acts against a non-state culprit */
	} effects;
} esc_cell;

/* A fallback channel (UNDOF liaison, a US backchannel, public statements):
 * no queue; each request finds it available with probability `availability`
 * and is answered after `latency_h`.  Used in order when the cell is
 * disabled, down, suspended or refuses. */
typedef struct esc_channel {
	char name[ESC_NAME_MAX];
	esc_dist latency_h;
	double availability;
	double accuracy;
} esc_channel;

typedef struct esc_config {
	char name[64];
	double horizon_h;
	size_t n_parties;
	esc_party *parties;
	size_t n_zones;
	char (*zones)[ESC_NAME_MAX];
	size_t n_types;
	esc_incident_type *types;
	size_t n_generators;
	esc_generator *generators;
	size_t n_excitations;
	esc_excitation *excitations;
	esc_regime regime;
	esc_attribution attribution;
	esc_ladder ladder;
	esc_cell cell;
	size_t n_channels;
	esc_channel *channels;
	uint64_t max_events;    /* per replication; more is a runaway and an error */
	/* Guards against scripts that loop in simulated time (limits.*): the
	 * kernel's events per replication and at one time, sim.log rows per
	 * replication. */
	uint64_t max_steps;
	uint64_t max_steps_per_instant;
	uint64_t max_log_rows;
	struct {                /* the tables written besides runs (`outputs`) */
		int daily;          /* /arms/<ARM>/daily (default 1) */
		int events;         /* events and messages (default 0; --events too) */
	} outputs;
} esc_config;

/* The most parties a scenario may have (the runs table has a column per
 * party, and the attribution matrix grows as its square). */
#define ESC_MAX_PARTIES 64

/* The weight a sender gives an answer that names someone other than its
 * suspect: the channel's accuracy corrected for guessing among k candidate
 * perpetrators, (accuracy * k - 1) / (k - 1), clipped to [0, 1].  An answer
 * no better than a guess (accuracy 1/k) weighs nothing, so it changes no
 * decision.  k: the state and non-state parties other than the sender. */
double esc_config_trust(const esc_config *cfg, int sender, double accuracy);

/* Allocate the arrays for the given sizes, zeroed; the confusion matrix is
 * set to the identity (perfect attribution); no excitation, no regime. */
int esc_config_alloc(esc_config *cfg, size_t n_parties, size_t n_zones,
                     size_t n_types, size_t n_generators, esc_error *err);

/* Allocate n excitation rules (zeroed, every field -1 / 0). */
int esc_config_alloc_excitations(esc_config *cfg, size_t n, esc_error *err);

/* Allocate a regime chain of n_states states (rates 0, multipliers 1,
 * initial 0) and n_shocks shocks. */
int esc_config_alloc_regime(esc_config *cfg, size_t n_states, size_t n_shocks,
                            esc_error *err);

/* Allocate a per-generator regime multiplier row (every entry 1); needs the
 * regime allocated first. */
int esc_config_alloc_generator_multiplier(esc_config *cfg, size_t generator,
                                          esc_error *err);

/* Default cell members (the first two state parties) and supervisor (the
 * first supervisor party), for a scenario that does not name them: call
 * after the parties are read. */
void esc_config_cell_defaults(esc_config *cfg);

/* Allocate n fallback channels (latency constant 0, availability 1,
 * accuracy 1). */
int esc_config_alloc_channels(esc_config *cfg, size_t n, esc_error *err);

/* Spectral radius of the mean branching matrix over incident classes
 * (actor, target, type), with each parent's expected deaths in the casualty
 * scaling.  The process is stable only below 1. */
double esc_config_branching_ratio(const esc_config *cfg);
void esc_config_free(esc_config *cfg);

/* Index of a name, or -1. */
int esc_config_party(const esc_config *cfg, const char *name);
int esc_config_zone(const esc_config *cfg, const char *name);
int esc_config_type(const esc_config *cfg, const char *name);

/* Defaults for the fields a scenario may leave out. */
void esc_config_defaults(esc_config *cfg);

/* Cross-field checks the model relies on (indices in range, rows of the
 * confusion matrix summing to 1, positive horizon).  The script layer checks
 * each value where it reads it; this is the model's last line of defence. */
int esc_config_check(const esc_config *cfg, esc_error *err);

/* The resolved configuration as a JSON object on one line (malloc'd,
 * NUL-terminated; sim/model/config_json.c), for provenance: the result
 * file's /scenario/resolved_json and `check`.  Keys are those of the
 * scenario file, numbers in escsim's JSON policy (escsim/json.h), the
 * confusion matrix sparse (only rows that differ from perfect attribution,
 * only probabilities that are not 0).  NULL when out of memory. */
char *esc_config_to_json(const esc_config *cfg);

#endif
