/* h5merge.h: result files as the batch layer reads and joins them.
 *
 * What the writer (h5out.h) does not: the batch's own provenance (the
 * options that decide the results, the first replication, a sweep's design),
 * reading back which replications a file holds (--resume), the runs rows
 * (statistics of a joined file), and joining files whose replications are
 * disjoint into one (escsim merge, MPI ranks, --resume).
 *
 * A joined file is a copy of the first input's provenance and layout with
 * every table's rows taken from all inputs in replication order, with their
 * values unchanged, so it is identical, table by table, to one run of all the
 * replications (inputs of an older storage format, schema 1.0 or 1.1, are
 * written in the current one); /failures is every input's, in job order.
 * Joining refuses inputs from different scenarios, seeds or options,
 * inputs whose tables are not escsim's or fail their checksums (checked
 * before anything is written), a file left by a killed run (until --resume
 * recovers it), replications held twice, and (unless told) replications
 * held by no input, whether run or skipped with --on-error skip: a missing
 * shard is an error, never rows of zeros.
 *
 * Not thread-safe: call from the thread that owns HDF5 (batch's writer).
 */
#ifndef ESCSIM_H5MERGE_H
#define ESCSIM_H5MERGE_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"
#include "escsim/h5out.h"
#include "escsim/outcome.h"

/* A sweep's design, for /sweep/points and the attributes of its arm
 * groups. */
typedef struct esc_h5_sweep_desc {
	const char *design;            /* grid, sobol, lhs, saltelli, morris */
	size_t n_keys;
	const char *const *keys;       /* varied keys (dotted paths): the columns */
	const char *const *specs;      /* per key, its SPEC as given */
	const char *const *units;      /* per key: "h" for durations, else NULL */
	size_t n_points;
	const double *values;          /* n_points x n_keys, row-major */
	size_t n_arms;
	const char *const *arms;       /* the arms run at every point */
	const char *const *groups;     /* n_points x n_arms: group under /arms */
	/* The design's structure (escsim/sweep.h), for /sweep/design and the
	 * attributes base_points and levels: */
	size_t base;                   /* base sample N (trajectories: morris) */
	unsigned levels;               /* morris: P; else 0 */
	const int64_t *block;          /* per point; NULL: no /sweep/design */
	const int8_t *role;            /* esc_sweep_role codes */
	const int32_t *key;            /* index of the key changed, or -1 */
	const double *step;            /* Morris step in unit coordinates, or NaN */
} esc_h5_sweep_desc;

/* What the batch adds to the file the writer holds open. */
typedef struct esc_h5_extra {
	const char *options;           /* canonical text of the options that
	                                  decide the rows, reps and rep_offset
	                                  left out (merge compares it) */
	int64_t rep_offset;            /* first replication of the file */
	const esc_h5_sweep_desc *sweep;   /* NULL: not a sweep */
} esc_h5_extra;

/* Write root attributes `options` and `rep_offset` and, for a sweep, /sweep
 * with /sweep/points, into the file W is writing; right after creating it,
 * so that every checkpoint of it says what it is (a sweep's arm groups get
 * theirs with esc_h5_arm_point). */
int esc_h5_write_extra(esc_h5_writer *w, const esc_h5_extra *x, esc_error *err);

/* One line "NAME SHA256" per source (scenario first, then modules sorted),
 * malloc'd; NULL when out of memory.  Equal digests: equal inputs. */
char *esc_h5_sources_digest(const esc_h5_source *src, size_t n);

/* Root provenance of a result file. */
typedef struct esc_h5_info {
	char *scenario_name, *scenario_sha256, *command_line;
	char *options;                 /* NULL: written without it (old file) */
	char *sources_digest;          /* as esc_h5_sources_digest, from the file */
	uint64_t seed;
	int64_t reps, rep_offset;      /* rep_offset 0 when not recorded */
	int complete;
	size_t n_groups;
	char **groups;                 /* groups under /arms, sorted by name */
} esc_h5_info;

int esc_h5_info_read(const char *path, esc_h5_info *info, esc_error *err);
void esc_h5_info_free(esc_h5_info *info);

/* A half-open range of replications [lo, hi). */
typedef struct esc_h5_range {
	int64_t lo, hi;
} esc_h5_range;

/* The replications in /arms/<group>/runs, as sorted disjoint ranges
 * (malloc'd in *out).  Rows out of order are an error. */
int esc_h5_rep_ranges(const char *path, const char *group, esc_h5_range **out,
                      size_t *n, esc_error *err);

/* Every row of /failures (replications skipped with --on-error skip), in
 * the order written: none when the file has no such table. */
int esc_h5_failures_read(const char *path, esc_failure_row **rows, size_t *n,
                         esc_error *err);

/* Read /arms/<group>/runs back as esc_run_row, in blocks. */
typedef struct esc_h5_runs_reader esc_h5_runs_reader;
esc_h5_runs_reader *esc_h5_runs_open(const char *path, const char *group,
                                     esc_error *err);
/* Up to max rows into rows; returns how many (0 at the end) or -1. */
long esc_h5_runs_read(esc_h5_runs_reader *r, esc_run_row *rows, size_t max,
                      esc_error *err);
void esc_h5_runs_close(esc_h5_runs_reader *r);

typedef struct esc_h5_merge_opts {
	const char *const *inputs;
	size_t n_inputs;
	const char *out_path;          /* may be one of the inputs: replaced */
	int64_t rep_offset;            /* first replication wanted; -1: the
	                                  smallest first one of the inputs */
	int64_t reps;                  /* how many; -1: up to the last one any
	                                  input was asked to run */
	int allow_gaps;                /* write replications missing everywhere
	                                  as a file marked incomplete */
	const char *command_line;      /* NULL: keep the first input's */
	const char *note_name;         /* extra root text attribute, or NULL */
	const char *note;
	const char *partial_suffix;    /* the join is written as out_path and
	                                  this (NULL: ".partial"), then renamed */
} esc_h5_merge_opts;

typedef struct esc_h5_merge_result {
	int64_t rep_offset, reps;      /* what the output covers, as asked */
	int64_t missing;               /* replications (per group) no input had */
	size_t n_groups;
	int complete;
} esc_h5_merge_result;

/* Join the inputs into out_path (written as out_path.partial, renamed when
 * closed).  ESC_ERR_INPUT, with nothing written, for inputs that do not
 * belong together (scenario, seed, options, arms), a replication held by
 * two inputs, or one held by none when gaps are not allowed; the message
 * names the files and the replications. */
int esc_h5_merge(const esc_h5_merge_opts *o, esc_h5_merge_result *res,
                 esc_error *err);

#endif
