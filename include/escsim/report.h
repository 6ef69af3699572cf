/* report.h: the comparison report of a result file (escsim report; also
 * what escsim compare prints).
 *
 * Reads /arms/<ARM>/runs of every arm through escsim/h5_reader.h and nothing of
 * the simulator, computes
 *   - every runs metric per arm: mean with a 95% Student t interval;
 *   - paired differences, each arm minus the baseline arm, over the
 *     replications present in both (paired by rep), with t intervals and
 *     the paired t test;
 *   - 0/1 outcomes (spiral; crisis = a first crisis happened): shares with
 *     Wilson intervals, and McNemar's test on the discordant pairs (exact
 *     binomial below 25 discordant pairs);
 *   - fatality tails (military, civilian, total): P90 and P99 per arm with
 *     distribution-free intervals;
 *   - time to first crisis: Kaplan-Meier per arm, censored at the horizon,
 *     with median and a Greenwood 95% band;
 *   - for sweeps (/sweep/points), the paired difference of each metric at
 *     each design point, along each varied parameter;
 * prints them as text, CSV or JSON, stores them under /summary (replacing
 * what an earlier report stored; the file is updated through a copy renamed
 * over it, see escsim/h5_reader.h), and draws the plots with analysis/plots.py.
 */
#ifndef ESCSIM_REPORT_H
#define ESCSIM_REPORT_H

#include <stdio.h>
#include "escsim/error.h"

typedef enum esc_report_format {
	ESC_REPORT_TEXT,
	ESC_REPORT_CSV,
	ESC_REPORT_JSON,
	ESC_REPORT_NONE       /* compute (and store, plot) without printing */
} esc_report_format;

typedef struct esc_report_opts {
	const char *path;           /* the result file */
	const char *baseline;       /* NULL: no_cell if there is one, else the first arm */
	esc_report_format format;
	FILE *out;                  /* NULL: stdout */
	int store;                  /* write /summary into the file */
	const char *plots_dir;      /* NULL: no plots */
	const char *command_line;   /* recorded with /summary; may be NULL */
	const char *argv0;          /* to find analysis/plots.py beside a build */
} esc_report_opts;

/* Statuses: ESC_ERR_INPUT for a file that is not a readable result file or
 * an unknown baseline arm; ESC_ERR_RUNTIME when storing or plotting failed
 * (the report has been printed by then). */
int esc_report(const esc_report_opts *o, esc_error *err);

#endif
