/* trace.h: escsim trace: one replication's chain of events, in time order.
 *
 * From the events and messages tables (written with --events) of one arm:
 * every incident with who did it and whom its target blames, each cell or
 * channel message when it was sent and when (and how) it was answered,
 * each decision a policy took (a retaliation or a protest answering an
 * incident, misattributed or not), the casualties, and the ladder: each
 * act's rung and the highest level of any pair that day (the daily table's
 * max_level: the model lifts, holds and decays levels, so it can stand
 * above the acts' rungs).  The replication's runs row heads it.
 */
#ifndef ESCSIM_TRACE_H
#define ESCSIM_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include "escsim/error.h"

typedef struct esc_trace_opts {
	const char *path;           /* the result file */
	int64_t rep;                /* the replication */
	const char *arm;            /* NULL: the first arm; else an arm or group */
	int64_t root;               /* -1: every event; else the cluster of
	                               background incident ROOT (root_id) */
	const char *plot;           /* NULL, or OUT.png / OUT.svg */
	const char *argv0;          /* to find analysis/trace_plot.py */
	FILE *out;                  /* NULL: stdout */
} esc_trace_opts;

/* ESC_ERR_INPUT: not a result file, no such arm or replication, a file
 * written without --events; ESC_ERR_RUNTIME: the plot failed. */
int esc_trace(const esc_trace_opts *o, esc_error *err);

#endif
