/* h5_writer.h: the HDF5 result file.
 *
 * A writer creates NAME.partial beside the final name, writes provenance,
 * one group per arm and its tables, checkpoints (esc_h5_checkpoint) as it
 * goes, and on close sets `complete`, flushes, fsyncs and renames to NAME,
 * or leaves NAME.partial as it is.  A reader never sees a half-written file
 * under the final name, and a process killed at any moment leaves
 * NAME.partial as it was at its last checkpoint (esc_h5_recover).  Not
 * thread-safe: one writer, used by one thread.
 */
#ifndef ESCSIM_H5_WRITER_H
#define ESCSIM_H5_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"
#include "escsim/outcome.h"

/* 1.2: tables carry Fletcher-32 checksums, and the file the HDF5 1.10
 * format (checksummed metadata); names and meanings as in 1.1. */
#define ESC_SCHEMA_VERSION "1.2"

typedef struct esc_h5_source {
	const char *name;      /* module name, or "scenario" for the main file */
	const char *path;      /* file path as loaded */
	const char *text;
} esc_h5_source;

typedef struct esc_h5_provenance {
	const char *escsim_version;
	const char *command_line;
	const char *scenario_name;
	uint64_t seed;
	int64_t reps;
	const esc_h5_source *sources;   /* sources[0] is the scenario file */
	size_t n_sources;
	const char *resolved_json;      /* resolved parameters, base scenario */
	/* Optional (NULL: attribute left out).  The output layer does not see
	 * Lua or the random streams, so the callers that do pass them in. */
	const char *lua_version;        /* LUA_RELEASE, e.g. "Lua 5.4.4" */
	const char *rng_type;           /* gsl_rng_name(), e.g. "mt19937" */
} esc_h5_provenance;

typedef struct esc_h5_writer esc_h5_writer;

/* Create PATH.partial and write the root attributes and /scenario.  The root
 * attribute `scenario_sha256` is the SHA-256 of sources[0].text. */
esc_h5_writer *esc_h5_create(const char *path, const esc_h5_provenance *prov,
                             esc_error *err);

/* Reopen PATH.partial, an incomplete result file of this schema version
 * (after esc_h5_recover), to append to it: its arms are opened with
 * esc_h5_open_arm, /failures is kept, and close renames it to PATH as
 * usual.  Tables stored otherwise (another escsim version) are refused. */
esc_h5_writer *esc_h5_reopen(const char *path, esc_error *err);

/* The name a writer of PATH works under until it closes: PATH.partial
 * (malloc'd; NULL when out of memory).  Other files are written under
 * names of their own (esc_h5_sibling). */
char *esc_h5_partial_path(const char *path);

/* The name of a file beside PATH: PATH SUFFIX (".partial"), or, when that
 * is longer than a file name may be (255 bytes), the start of PATH's name,
 * '~', 16 hex digits of its SHA-256, and SUFFIX: the same for the same
 * PATH.  malloc'd; NULL when out of memory. */
char *esc_h5_sibling(const char *path, const char *suffix);

/* 1 if A and B name the same file (the same inode, however spelled), or
 * neither exists and they are the same string. */
int esc_h5_same_file(const char *a, const char *b);

/* May a command write its result to PATH (replacing it)?  ESC_OK if there
 * is nothing there or an escsim result file; ESC_ERR_INPUT, with a message
 * naming PATH, for anything else: a folder, a device or FIFO, a file that
 * is not HDF5 or not escsim's, one that cannot be read. */
int esc_h5_check_output(const char *path, esc_error *err);

/* 1 if HDF5 opens PATH for reading (a dead run's file included). */
int esc_h5_opens(const char *path);

/* May a run write PATH (a NAME.partial) as it goes?  ESC_OK if there is
 * nothing there or an HDF5 file (a dead run's, readable or not); else
 * ESC_ERR_INPUT, naming PATH. */
int esc_h5_check_partial(const char *path, esc_error *err);

/* A NAME.partial left by a process that was killed: cut every table back
 * to the rows of its last checkpoint and make it an ordinary incomplete
 * file.  *JOBS is the jobs count the checkpoint recorded, -1 if PARTIAL was
 * closed normally (nothing to do), 0 if it was killed before its first
 * checkpoint (nothing in it can be used).  ESC_ERR_INPUT if it is damaged. */
int esc_h5_recover(const char *partial, int64_t *jobs, esc_error *err);

/* 0 if NAME can be an arm (1-64 of A-Z a-z 0-9 _ - ., not starting with
 * '.'), else ESC_ERR_INPUT with a message; lets the CLI reject a bad --arm
 * before anything is written. */
int esc_h5_check_arm_name(const char *name, esc_error *err);

/* The scenario's names for the codes of categorical columns: code i means
 * names[i].  The writer adds -1 = "none" to each list (a protest has no
 * incident type; without a regime chain the regime is -1).  A name must be
 * non-empty, with no ',' and no control character (scenario names are
 * identifiers, so they always are). */
typedef struct esc_h5_names {
	const char *const *names;
	size_t n;
} esc_h5_names;

typedef struct esc_h5_labels {
	esc_h5_names parties;    /* actor, target, true/perceived_perpetrator */
	esc_h5_names zones;
	esc_h5_names types;      /* incident types */
	esc_h5_names regimes;    /* regime states; n = 0 without a chain */
	esc_h5_names channels;   /* message channels: names[0] is the cell
	                            ("cell"), then the fallback channels in the
	                            scenario's order; n = 0 means just "cell" */
} esc_h5_labels;

/* Open /arms/<name> of a reopened file, as esc_h5_add_arm made it (the same
 * labels and tables), to append to its tables; esc_h5_arm_exists says
 * whether the group is there. */
int esc_h5_open_arm(esc_h5_writer *w, const char *name,
                    const esc_h5_labels *labels, int daily, int events,
                    int *arm, esc_error *err);
int esc_h5_arm_exists(esc_h5_writer *w, const char *name);

/* A sweep's arm group: attributes sweep_point and sweep_arm. */
int esc_h5_arm_point(esc_h5_writer *w, int arm, int64_t point,
                     const char *sweep_arm, esc_error *err);

/* A root text attribute (such as resumed_by), replacing one of that name. */
int esc_h5_set_note(esc_h5_writer *w, const char *name, const char *value,
                    esc_error *err);

/* Add /arms/<name> with attributes `overrides` (text) and `resolved_json`
 * (JSON), an empty runs table, an empty log table, if DAILY is non-zero an
 * empty daily table and, if EVENTS is non-zero, empty events and messages
 * tables (the scenario's `outputs`, and --events).  LABELS names the codes of the
 * daily, events and messages columns (NULL: no names, only -1 = none, and
 * channel 0 = cell).  Returns the arm's index
 * via *arm.  A bad or repeated name, or a name list the label format cannot
 * hold, is ESC_ERR_INPUT. */
int esc_h5_add_arm(esc_h5_writer *w, const char *name, const char *overrides,
                   const char *resolved_json, const esc_h5_labels *labels,
                   int daily, int events, int *arm, esc_error *err);

/* Append rows to /arms/<arm>/runs: one extent change and one write, so
 * batch rows (hundreds to thousands) rather than calling once per row. */
int esc_h5_append_runs(esc_h5_writer *w, int arm, const esc_run_row *rows,
                       size_t n, esc_error *err);

/* Append rows to /arms/<arm>/daily, the same way. */
int esc_h5_append_daily(esc_h5_writer *w, int arm, const esc_daily_row *rows,
                        size_t n, esc_error *err);

/* Append rows to /arms/<arm>/events, the same way; ESC_ERR_RUNTIME if the
 * arm was added without events. */
int esc_h5_append_events(esc_h5_writer *w, int arm, const esc_event_row *rows,
                         size_t n, esc_error *err);

/* Append rows to /arms/<arm>/messages, the same way; ESC_ERR_RUNTIME if the
 * arm was added without events (messages come with --events). */
int esc_h5_append_messages(esc_h5_writer *w, int arm,
                           const esc_message_row *rows, size_t n,
                           esc_error *err);

/* Every row of the arm is written: close its tables now (their chunk
 * caches are freed; a sweep ends its points one by one).  Checkpoint
 * first, so that closing writes nothing.  Appending to the arm afterwards
 * is an error. */
int esc_h5_arm_done(esc_h5_writer *w, int arm, esc_error *err);

/* Record a skipped replication in /failures (made on first use). */
int esc_h5_append_failure(esc_h5_writer *w, const esc_failure_row *row, esc_error *err);

/* Append rows to /arms/<arm>/log (values scripts recorded with sim.log). */
int esc_h5_append_log(esc_h5_writer *w, int arm, const esc_log_row *rows,
                      size_t n, esc_error *err);

/* Make every row appended so far survive the process being killed: write
 * the tables' last chunks, flush, then record how many rows each open
 * table has and flush that (SYNC: fsync after each flush, for a power cut
 * too).  JOBS (the caller's count of finished work) is recorded with it. */
int esc_h5_checkpoint(esc_h5_writer *w, int64_t jobs, int sync, esc_error *err);
/* The JOBS of the last successful checkpoint (-1: none yet). */
int64_t esc_h5_committed(const esc_h5_writer *w);

/* How a file ends: `complete` set to 1 or 0 and renamed to the final name
 * (replacing any file there: the caller has checked it may), left as
 * NAME.partial with `complete` 0, or, after a write failed (a full disk),
 * abandoned: left as NAME.partial as it was at its last checkpoint, with
 * its checkpoint record for esc_h5_recover (removed if no checkpoint saved
 * anything). */
typedef enum esc_h5_end {
	ESC_H5_INCOMPLETE = 0,
	ESC_H5_COMPLETE = 1,
	ESC_H5_KEEP_PARTIAL = 2,
	ESC_H5_ABANDON = 3
} esc_h5_end;

/* Close as END says, after an fsync.  W is freed whatever happens.  If a
 * step fails (a full disk) the message says so and ends with what became
 * of NAME.partial: kept as it was at its last checkpoint, when one saved
 * something (esc_h5_recover makes it an ordinary file again), else
 * removed. */
int esc_h5_close(esc_h5_writer *w, esc_h5_end end, esc_error *err);

/* Close and delete the partial file: nothing is left under any name. */
void esc_h5_discard(esc_h5_writer *w);

/* ------------------------------------------- the batch's provenance */

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

#endif
