/* h5_merge.h: joining result files whose replications are disjoint into
 * one (escsim merge, MPI ranks, --resume).  What a file holds is read with
 * escsim/h5_reader.h (esc_h5_info_read, esc_h5_rep_ranges).
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
#ifndef ESCSIM_H5_MERGE_H
#define ESCSIM_H5_MERGE_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"
#include "escsim/h5_reader.h"

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
