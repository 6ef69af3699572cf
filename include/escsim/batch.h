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
 * A finished replication is never lost: after an error, SIGINT, SIGTERM or
 * SIGHUP the file keeps every replication that finished, marked
 * incomplete, and `resume` completes it later into the file an
 * uninterrupted run writes.  The file is checkpointed every flush_every_s
 * seconds, so a process killed outright (SIGKILL, a crash, a full disk)
 * leaves NAME.partial with what finished up to the last checkpoint, which
 * `resume` completes the same way.
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
	                                   must be NULL or the same file); its
	                                   .partial is read first if there is one */
	double flush_every_s;           /* seconds between checkpoints of the
	                                   file: a process killed loses at most
	                                   what finished since the last; 0: the
	                                   default, ESC_BATCH_FLUSH_EVERY; < 0:
	                                   after every replication */
} esc_batch_opts;

#define ESC_BATCH_FLUSH_EVERY 10.0

/* Group name of arm ARM at sweep point K: "ARM.p<K>". */
int esc_batch_group_name(char *buf, size_t size, const char *arm, size_t point);

/* Run the experiment and write its file; the batch keeps no statistics
 * (escsim report reads the file: escsim/report.h).
 * Statuses: ESC_ERR_INPUT for bad usage, a bad scenario or policy, an
 * output name that is an input or not a result file, or a resume file that
 * is not this experiment's or is damaged; ESC_ERR_RUNTIME (the machine
 * said no: I/O, memory); ESC_ERR_INTERRUPTED after SIGINT, SIGTERM or
 * SIGHUP.  Errors found before the first replication write nothing.  After
 * that the finished replications are kept, marked incomplete: an
 * interrupt puts them under out_path if no file had that name, anything
 * else in out_path.partial (out_path, if it exists, is left as it was);
 * the message says where. */
int esc_batch_run(const esc_batch_opts *opts, esc_error *err);

/* MPI (make MPI=1): call init first thing in main and finalize before
 * exiting; without MPI they do nothing.  rank/ranks: this process's rank
 * and the number of ranks (0 and 1 without MPI). */
int esc_batch_parallel_init(int *argc, char ***argv);
void esc_batch_parallel_finalize(void);
int esc_batch_rank(void);
int esc_batch_ranks(void);

#endif
