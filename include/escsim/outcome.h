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

#endif
