/* batch.h: arms x replications (x sweep points) of one experiment.
 *
 * The batch loads the scenario, builds each arm, runs replications
 * rep_offset .. rep_offset+reps-1 of every arm on common random numbers (the
 * same base seed, so arms, and a sweep's points, share every stream they
 * both use), and writes the result file.
 *
 * Concurrency lives here and nowhere below: `threads` workers (the calling
 * thread and threads - 1 more), each with its own Lua state, models and
 * random streams, take replications from a shared counter; one worker at a
 * time touches HDF5, writing the rows in replication order, so the file is
 * the same whatever the thread count.  Under an MPI build started by mpirun, ranks split the
 * replications, each writes a shard, and rank 0 joins them into the one
 * file a single process would have written.
 *
 * A finished replication is never lost: after an error, SIGINT or SIGTERM
 * the file keeps every replication that finished, marked incomplete, and
 * `resume` completes it later into the file an uninterrupted run writes.
 */
#ifndef ESCSIM_BATCH_H
#define ESCSIM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"
#include "escsim/sweep.h"

typedef struct esc_arm_spec {
	const char *name;
	const char *const *overrides;   /* KEY=VALUE */
	size_t n_overrides;
} esc_arm_spec;

typedef struct esc_batch_opts {
	const char *scenario_path;
	const char *const *sets;        /* --set, applied to every arm */
	size_t n_sets;
	const char *const *set_labels;  /* NULL, or per set the option as typed
	                                   for messages (NULL: "--set 'KEY=VALUE'") */
	const esc_arm_spec *arms;
	size_t n_arms;
	int64_t reps;
	int64_t rep_offset;
	uint64_t seed;
	const char *out_path;           /* NULL: no file (benchmarks) */
	const char *command_line;
	int quiet;
	int events;                     /* also write events and messages */
	int skip_failed;                /* --on-error skip: a failing replication
	                                   is left out, recorded in /failures, and
	                                   the run goes on (default: stop) */
	/* Added with threads, sweeps and resume; zero is the old behaviour. */
	const char *command;            /* "run", "compare", "sweep" (recorded) */
	int threads;                    /* workers, the caller included; 0 or 1: one */
	const esc_sweep *sweep;         /* NULL, or every arm at every point:
	                                   groups /arms/<ARM>.p<k> */
	double progress_every_s;        /* stderr not a terminal: a progress line
	                                   every this many seconds (0: none) */
	const char *resume;             /* an incomplete result file of this same
	                                   experiment: run what it lacks and
	                                   write the whole back to it (out_path
	                                   must be NULL or the same file) */
} esc_batch_opts;

/* Group name of arm ARM at sweep point K: "ARM.p<K>". */
int esc_batch_group_name(char *buf, size_t size, const char *arm, size_t point);

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
 * if there is one, else the first arm.  In a sweep the "arms" are the
 * groups, point by point (index point * arms_per_point + arm), and each
 * difference is from the baseline arm of the same point. */
typedef struct esc_batch_result {
	size_t n_arms;
	size_t baseline;
	int64_t reps_done;              /* replications every arm finished */
	char (*arm_names)[64];
	esc_estimate (*arm)[ESC_BATCH_METRICS];
	esc_estimate (*diff)[ESC_BATCH_METRICS];
	size_t n_points;                /* 1 unless a sweep */
	size_t arms_per_point;
} esc_batch_result;

/* Run the experiment.  res may be NULL; otherwise free it with
 * esc_batch_result_free, also after an error (it then covers what finished;
 * after a resume or under MPI it is read back from the joined file, so it
 * covers every replication in it).
 * Statuses: ESC_ERR_INPUT for a bad scenario or policy, or a resume file
 * that is not this experiment's (nothing is written when no replication
 * finished; otherwise the finished ones are kept in a file marked
 * incomplete), ESC_ERR_RUNTIME, ESC_ERR_INTERRUPTED after SIGINT or SIGTERM
 * (the file keeps every finished replication, marked incomplete). */
int esc_batch_run(const esc_batch_opts *opts, esc_batch_result *res, esc_error *err);
void esc_batch_result_free(esc_batch_result *res);

/* MPI (make MPI=1): call init first thing in main and finalize before
 * exiting; without MPI they do nothing.  rank/ranks: this process's rank
 * and the number of ranks (0 and 1 without MPI). */
int esc_batch_parallel_init(int *argc, char ***argv);
void esc_batch_parallel_finalize(void);
int esc_batch_rank(void);
int esc_batch_ranks(void);

#endif
