/* batch_impl.h: what the files of a batch share; private to sim/batch.
 * From the top: batch.c (the experiment's phases: set up, plan, open, run,
 * close, join, summarise) calls plan.c (the jobs, and what a --resume
 * file lacks), pool.c (worker threads and the writer) and arms.c (arms,
 * the file's groups, checkpoints); pool.c calls arms.c.  No file calls one
 * above it.
 */
#ifndef ESCSIM_BATCH_IMPL_H
#define ESCSIM_BATCH_IMPL_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "escsim/batch.h"
#include "escsim/h5_writer.h"
#include "escsim/outcome.h"
#include "escsim/scenario.h"

#define RUNS_BLOCK 256        /* runs rows staged per arm before a write */
#define ROWS_BLOCK 4096       /* daily/events/messages rows: ~11 years of days */

typedef struct rowbuf {
	unsigned char *v;
	size_t n, cap;
	size_t size;                    /* bytes per row */
} rowbuf;

/* The rows of one arm in one job, or staged for the file. */
typedef struct tables {
	rowbuf runs, daily, events, messages, log;
} tables;

enum { S_FREE, S_RUNNING, S_DONE, S_FAILED };

typedef struct slot {
	int state;
	int64_t job;
	size_t point;
	int64_t rep;
	tables *arm;                    /* n_arms */
	esc_error err;
} slot;

/* Replications rep .. rep+n-1 at one point are jobs first_job .. +n-1. */
typedef struct span {
	size_t point;
	int64_t rep, n, first_job;
} span;

typedef struct batch {
	const esc_batch_opts *o;
	size_t n_arms, n_points, n_groups, n_keys;
	char **point_sets;              /* n_points x n_keys: KEY=VALUE */
	char **group_names;             /* n_groups: ARM or ARM.p<k> */
	char *options;                  /* canonical text, see options_text */
	char *digest;                   /* the sources, as esc_h5_sources_digest */
	size_t max_ov;                  /* longest override list of any arm */

	span *spans;
	size_t n_spans;
	int64_t n_jobs;
	int64_t block_lo, block_n;      /* replications this process covers */
	int64_t already_done;           /* resume: replications in the old file */
	int complete;                   /* resume: the file lacks nothing */

	/* The file: FINAL (-o, or --resume's), FINAL.partial, this process's
	 * part when parts are joined (shard: FINAL.rank<r> under MPI,
	 * FINAL.resume for a resume), the file a resume reads (src: FINAL or
	 * its .partial, or NULL), whether FINAL existed before (an interrupted
	 * run then leaves it alone), whether the file is completed in place
	 * and, if it was FINAL, goes back there. */
	const char *final;
	char *partial;
	char *shard;
	const char *src;
	int had_final, inplace, back_to_final;
	int64_t recovered;              /* jobs a killed run's .partial saved;
	                                   -1: none was recovered */
	double checkpoint_every, last_checkpoint;   /* seconds; wall clock */
	int64_t saved_jobs;             /* replications the last checkpoint saved */

	/* Shared by the workers, under mu.  writing: a worker holds the
	 * writer role (pool.c, write_ready). */
	pthread_mutex_t mu;
	pthread_cond_t space;
	int64_t next_job, written;
	int stop, writing;
	slot *slots;
	size_t window;
	int worker_failed;
	int64_t jobs_failed;            /* skipped under --on-error skip */
	esc_error worker_err;

	/* The writer's own: used only by the worker that holds the writer
	 * role (set and cleared under mu, so each holder sees what the last
	 * one left), and by the calling thread before and after the workers. */
	esc_scenario *scen;             /* loaded by the plan; then the
	                                   writer's (groups' arms), or freed
	                                   before the run without a file */
	const char **ov;                /* room for one arm's overrides */
	size_t created;                 /* points whose groups exist */
	const char *file;               /* what this process writes */
	esc_h5_writer *out;
	int *h5_group;
	tables *stage;                  /* n_arms: rows of stage_point */
	size_t stage_point;
	int64_t jobs_done;
	int wst;                        /* the first write error (werr) */
	esc_error werr, ferr;           /* ferr: the first failed job's */
	int64_t failed_job;             /* -1: none failed */
	int show;                       /* a live line on a terminal */
	double t0, last_shown;
	double last_logged;             /* the last progress line in a log */
	int threads;
} batch;

/* Set by SIGINT, SIGTERM and SIGHUP (the signal's number; batch.c's
 * handler); the workers and the models watch it.  Defined in pool.c. */
extern volatile sig_atomic_t esc_bt_interrupted;

/* Seconds on the monotonic clock (progress, checkpoints, the final line). */
static inline double esc_bt_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* plan.c: the jobs this process runs (b->spans, b->n_jobs): its block of
 * every point, less, with --resume, what the file it continues holds
 * (b->src, b->inplace, b->complete and b->already_done are set then). */
int esc_bt_plan(batch *b, esc_error *err);

/* pool.c: run every job of b->spans on b->threads workers, writing each
 * job's rows in job order (to b->out when there is a file).  Returns
 * ESC_ERR_INTERRUPTED when a signal stopped it early, or the first failed
 * job's error.  esc_bt_free_slots frees what it allocated. */
int esc_bt_run_jobs(batch *b, esc_error *err);
void esc_bt_free_slots(batch *b);
void esc_bt_tables_init(tables *t);
void esc_bt_tables_free(tables *t);

/* arms.c: build arm A at point P in scenario S (OV: room for its
 * overrides); build every arm of every point once, to find a bad one
 * before any work; create the groups of the points up to UPTO. */
int esc_bt_build_arm(const batch *b, esc_scenario *s, size_t p, size_t a,
                     const char **ov, esc_config *cfg, esc_policy *pol,
                     esc_error *err);
int esc_bt_check_arms(batch *b, esc_scenario *scen, esc_error *err);
int esc_bt_add_groups(batch *b, size_t upto, esc_error *err);
/* The replications the file holds: the old file's (resume) and this
 * run's.  Checkpoint the file (nothing without one): every row written so
 * far survives the process being killed.  SYNC: fsync too. */
int64_t esc_bt_jobs_saved(const batch *b);
int esc_bt_checkpoint(batch *b, int sync, esc_error *err);

#endif
