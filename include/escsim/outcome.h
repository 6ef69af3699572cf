/* outcome.h: what one replication produces.
 *
 * esc_run_row is one row of /arms/<ARM>/runs (spec section 4); the output
 * layer maps its fields one to one onto table columns.
 */
#ifndef ESCSIM_OUTCOME_H
#define ESCSIM_OUTCOME_H

#include <stdint.h>

#include "escsim/config.h"

typedef struct esc_run_row {
	int64_t rep;
	uint64_t seed;
	int64_t incidents;                  /* background and policy incidents */
	int64_t retaliations;               /* incidents caused by a policy */
	int64_t misattributed_retaliations; /* against a party that did not do it */
	int64_t fatalities_mil;
	int64_t fatalities_civ;
	int64_t fatalities_by[ESC_MAX_PARTIES]; /* deaths in incidents by each
	                                       party (the scenario's order; the
	                                       runs table has one column per party) */
	int32_t max_level;                  /* highest ladder level, 0..7 */
	double hours_at_or_above_6;         /* time any pair's level was >= 6 */
	int8_t spiral;                      /* 0/1: an exchange of spiral_moves moves */
	double first_crisis_h;              /* NaN if none */
	int64_t cell_requests;              /* queries sent to the cell */
	int64_t cell_answered_before_deadline;
	double cell_mean_latency_h;         /* queries: submission to answer; NaN if none answered */
	double cell_notice_latency_h;       /* notices: submission to delivery; NaN if none delivered */
	int64_t events_total;               /* incidents and policy actions */
	int64_t cell_refused;               /* queries the receiving side declined */
	int64_t cell_unavailable;           /* queries that found the cell down or suspended */
	int64_t cell_enforcements;          /* receiver acted against a non-state culprit */
	int64_t channel_requests;           /* queries sent through fallback channels */
	int64_t channel_answered_before_deadline;
	int64_t notices_sent;               /* operations notified through the cell */
	int64_t notices_in_time;            /* delivered at least `need` before the operation */
	int64_t notices_too_late;           /* delivered less than `need` before it, or
	                                       still on its way when it began */
	int64_t notices_undelivered;        /* refused, or sent while the cell was down
	                                       or suspended: never delivered */
} esc_run_row;

/* One row of /arms/<ARM>/daily: replication and day of the horizon. */
typedef struct esc_daily_row {
	int64_t rep;
	int32_t day;                        /* 0 = hours [0, 24) */
	int32_t max_level;                  /* highest ladder level of any pair that day */
	int32_t regime;                     /* regime state at the end of the day, -1 if none */
	int64_t incidents;                  /* incidents that started that day */
	int64_t fatalities_mil;
	int64_t fatalities_civ;
	double goldstein_sum;               /* Goldstein scores of those incidents */
} esc_daily_row;

/* What kind of event a row of /arms/<ARM>/events is. */
typedef enum esc_event_kind {
	ESC_EVENT_INCIDENT = 0,
	ESC_EVENT_PROTEST = 1
} esc_event_kind;

/* One row of /arms/<ARM>/events: an incident (background, triggered or a
 * retaliation) or a policy action.  Party, zone and type are indices into
 * the configuration's name lists (labels in the file). */
typedef struct esc_event_row {
	int64_t rep;
	int64_t id;                         /* unique within the replication */
	int64_t parent_id;                  /* the event that triggered it, or -1 */
	int64_t root_id;                    /* first event of its cluster */
	double t_h;
	int32_t actor, target, zone, type;  /* type -1 for a protest */
	int32_t level;
	int32_t fatalities_mil, fatalities_civ;
	int32_t true_perpetrator;           /* who really did it (= actor) */
	int32_t perceived_perpetrator;      /* whom the target blames */
	int8_t cause;                       /* esc_cause */
	int8_t kind;                        /* esc_event_kind */
} esc_event_row;

/* What a message asked for (model-research.md 6.4). */
typedef enum esc_message_kind {
	ESC_MSG_QUERY = 0,        /* who did it? (attribution) */
	ESC_MSG_NOTIFY = 1,       /* notice of an operation (deconfliction) */
	ESC_MSG_PROTEST = 2,
	ESC_MSG_RESTRAINT = 3,    /* request restraint / enforcement */
	ESC_MSG_INTEL = 4         /* share intelligence */
} esc_message_kind;

/* How a message ended. */
typedef enum esc_message_outcome {
	ESC_MSG_ANSWERED = 0,     /* answered before its deadline */
	ESC_MSG_LATE = 1,         /* answered after the deadline: no effect */
	ESC_MSG_REFUSED = 2,      /* the other side declined */
	ESC_MSG_UNAVAILABLE = 3,  /* the channel was down or suspended */
	ESC_MSG_PENDING = 4       /* no answer by the horizon */
} esc_message_outcome;

/* One row of /arms/<ARM>/messages: a request through the cell or a fallback
 * channel, with its timings.  Times are hours; NaN where a step never
 * happened (t_start_h of a refused request, t_answer_h of a pending one). */
typedef struct esc_message_row {
	int64_t rep;
	int64_t id;                         /* unique within the replication */
	int64_t event_id;                   /* the event it is about */
	int32_t channel;                    /* 0 = the cell, then the fallback channels */
	int32_t sender, receiver;           /* parties */
	int8_t kind;                        /* esc_message_kind */
	int8_t outcome;                     /* esc_message_outcome */
	int8_t correct;                     /* the answer named the true perpetrator (0/1; -1 n/a) */
	double t_submit_h;                  /* sent */
	double t_start_h;                   /* an operator took it up */
	double t_answer_h;                  /* the answer reached the sender */
	double deadline_h;                  /* when the sender acts anyway (NaN: none) */
	double slack_h;                     /* deadline minus answer time: > 0 in time */
} esc_message_row;

/* One row of /failures: a replication that failed under --on-error skip
 * (its rows are left out of every table). */
typedef struct esc_failure_row {
	int64_t rep;
	int32_t point;                      /* sweep point, 0 otherwise */
	char message[256];                  /* the error, as it would have been printed */
} esc_failure_row;

/* One row of /arms/<ARM>/log: a value a script logged with sim.log. */
typedef struct esc_log_row {
	int64_t rep;
	double t_h;
	int32_t party;                      /* whose hook logged it, -1 for none */
	char key[32];                       /* the script's name for the value */
	double value;
} esc_log_row;

#endif
