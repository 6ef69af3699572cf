/* outcome.h: what one replication produces.
 *
 * esc_run_row is one row of /arms/<ARM>/runs (spec section 4); the output
 * layer maps its fields one to one onto table columns.
 */
#ifndef ESCSIM_OUTCOME_H
#define ESCSIM_OUTCOME_H

#include <stdint.h>

typedef struct esc_run_row {
	int64_t rep;
	uint64_t seed;
	int64_t incidents;                  /* background and policy incidents */
	int64_t retaliations;               /* incidents caused by a policy */
	int64_t misattributed_retaliations; /* against a party that did not do it */
	int64_t fatalities_mil;
	int64_t fatalities_civ;
	int32_t max_level;                  /* highest ladder level, 0..7 */
	double hours_at_or_above_6;         /* time any pair's level was >= 6 */
	int8_t spiral;                      /* 0/1 */
	double first_crisis_h;              /* NaN if none */
	int64_t cell_requests;
	int64_t cell_answered_before_deadline;
	double cell_mean_latency_h;         /* NaN if no answered request */
	int64_t events_total;               /* incidents and policy actions */
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

#endif
