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
	double horizon_h;               /* > 0 overrides the scenario's horizon */
} esc_batch_opts;

/* Per-arm means of a few key metrics, for the CLI's closing summary. */
typedef struct esc_batch_summary {
	size_t n_arms;
	int64_t reps_done;
} esc_batch_summary;

int esc_batch_run(const esc_batch_opts *opts, esc_error *err);

#endif
