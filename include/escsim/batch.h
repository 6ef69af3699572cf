/* batch.h: arms and replications of one experiment.
 *
 * The batch layer loads the scenario, builds each arm, runs replications
 * rep_offset .. rep_offset+reps-1 of every arm on common random numbers (the
 * same base seed, so arms share every stream they both use), and writes the
 * result file.  A finished replication is never lost: on an error in the
 * middle of a run the file is kept, marked incomplete.
 */
#ifndef ESCSIM_BATCH_H
#define ESCSIM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"

typedef struct esc_arm_spec {
	const char *name;
	const char *const *overrides;   /* KEY=VALUE */
	size_t n_overrides;
} esc_arm_spec;

typedef struct esc_batch_opts {
	const char *scenario_path;
	const char *const *sets;        /* --set, applied to every arm */
	size_t n_sets;
	const esc_arm_spec *arms;
	size_t n_arms;
	int64_t reps;
	int64_t rep_offset;
	uint64_t seed;
	const char *out_path;           /* NULL: no file (benchmarks) */
	const char *command_line;
	int quiet;
	int events;                     /* also write /arms/<ARM>/events */
} esc_batch_opts;

/* A mean with its 95% confidence interval (Student t over replications). */
typedef struct esc_estimate {
	double mean, lo, hi;
	int64_t n;
} esc_estimate;

/* The metrics summarised for the closing comparison, in the order of
 * esc_batch_metric_names. */
#define ESC_BATCH_METRICS 12
extern const char *const esc_batch_metric_names[ESC_BATCH_METRICS];

/* Per arm and metric, and paired differences (arm minus baseline) over the
 * replications both arms finished.  The baseline is the arm named "no_cell"
 * if there is one, else the first arm. */
typedef struct esc_batch_result {
	size_t n_arms;
	size_t baseline;
	int64_t reps_done;              /* replications every arm finished */
	char (*arm_names)[64];
	esc_estimate (*arm)[ESC_BATCH_METRICS];
	esc_estimate (*diff)[ESC_BATCH_METRICS];
} esc_batch_result;

/* Run the experiment.  res may be NULL; otherwise free it with
 * esc_batch_result_free, also after an error (it then covers what finished).
 * Statuses: ESC_ERR_INPUT for a bad scenario or policy (nothing is written
 * when no replication finished; otherwise the finished ones are kept in a
 * file marked incomplete), ESC_ERR_RUNTIME, ESC_ERR_INTERRUPTED after SIGINT
 * or SIGTERM (the file keeps every finished replication, marked incomplete). */
int esc_batch_run(const esc_batch_opts *opts, esc_batch_result *res, esc_error *err);
void esc_batch_result_free(esc_batch_result *res);

#endif
