/* h5_reader.h: reading a result file, and adding a summary to it.
 *
 * The analysis layer (inspect, report) sees result files through this header
 * only: open with checks, list arms, read attributes and text, read a
 * table's columns in blocks, and rewrite a group of summary tables (a long
 * one in parts).  The batch reads back, by path, what a file holds: its
 * provenance, the replications of each runs table, /failures, and the runs
 * rows.  Tables read here are any 1-D compound datasets (runs, daily,
 * events, messages, the summary tables, /sweep/points); a column is read by
 * name and converted to double or int64, enum columns included.
 *
 * Updating never touches the original in place: esc_h5_update_begin copies
 * the file to a temporary name beside it and opens the copy; commit closes,
 * fsyncs and renames it over the original, abort deletes it.  A reader, or a
 * crash at any moment, sees either the old file or the new one, whole.
 *
 * Not thread-safe: one handle, one thread.
 */
#ifndef ESCSIM_H5_READER_H
#define ESCSIM_H5_READER_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"
#include "escsim/outcome.h"

/* ------------------------------------------------------ table descriptors */

/* Column storage.  The file always gets the little-endian standard type of
 * the same width, so files do not depend on the machine that wrote them. */
typedef enum esc_h5_kind {
	ESC_H5_I8,
	ESC_H5_I32,
	ESC_H5_I64,
	ESC_H5_U64,
	ESC_H5_F64,
	ESC_H5_ENUM8,   /* int8_t in the row; an HDF5 enum built from `labels` */
	ESC_H5_STR32,   /* char[32] in the row: a NUL-terminated ASCII name */
	ESC_H5_STR256   /* char[256] in the row: a NUL-terminated message */
} esc_h5_kind;

/* One column of a table whose rows are a C struct. */
typedef struct esc_h5_field {
	const char *name;     /* column name, also the compound member name */
	size_t offset;        /* offsetof(row struct, member) */
	esc_h5_kind kind;
	const char *units;    /* "h", "count", "1", ...; NULL for indices and codes */
	const char *labels;   /* codes "0=no,1=yes" (int32; int8 for ENUM8); NULL
	                         if none or given at creation; required for ENUM8 */
	const char *doc;      /* one line for the analyst; NULL if the name says it */
} esc_h5_field;

typedef struct esc_h5_table_desc {
	const char *title;    /* TABLE attribute TITLE */
	size_t row_size;      /* sizeof the C row struct */
	const esc_h5_field *fields;
	size_t n_fields;
} esc_h5_table_desc;

/* ---------------------------------------------------------------- reading */

typedef struct esc_h5_file esc_h5_file;

/* Open a result file for reading.  Fails with ESC_ERR_INPUT and a message
 * that starts "cannot open 'PATH'" when the file cannot be read (missing,
 * unreadable, not a regular file (a FIFO, a device), damaged, locked by a
 * writer), or "'PATH' is not an escsim result file" when it is not HDF5, or
 * HDF5 without the root attribute schema_version and the group /arms, or
 * with a schema major version this build does not know.  Every table of
 * every arm, and /failures, must have escsim's columns (a damaged name or
 * type is refused, naming the column). */
esc_h5_file *esc_h5_open(const char *path, esc_error *err);
void esc_h5_file_close(esc_h5_file *f);
/* 1 if the file was left by a writer that was killed (a NAME.partial
 * opened as it was at its last checkpoint; --resume completes it). */
int esc_h5_crashed(const esc_h5_file *f);
const char *esc_h5_file_path(const esc_h5_file *f);

/* Arms under /arms, in name order (the order HDF5 lists them). */
size_t esc_h5_n_arms(const esc_h5_file *f);
const char *esc_h5_arm_name(const esc_h5_file *f, size_t i);

/* Names of the objects (groups and datasets) in group PATH, in name order
 * (free with esc_h5_free_names). */
int esc_h5_list(const esc_h5_file *f, const char *path, char ***names,
                size_t *n, esc_error *err);

/* 1 if the object PATH (group or dataset, absolute) exists, else 0. */
int esc_h5_exists(const esc_h5_file *f, const char *path);

/* Names of the attributes of object OBJ in name order: a malloc'd array of
 * malloc'd strings (free with esc_h5_free_names). */
int esc_h5_attr_names(const esc_h5_file *f, const char *obj, char ***names,
                      size_t *n, esc_error *err);
void esc_h5_free_names(char **names, size_t n);

/* Attribute NAME of OBJ as text (malloc'd): strings as they are, numbers
 * formatted ("%.17g" for floats, exact for integers), anything else
 * described.  ESC_ERR_INPUT if it does not exist. */
int esc_h5_get_attr_text(const esc_h5_file *f, const char *obj, const char *name,
                     char **out, esc_error *err);
/* A numeric scalar attribute, or a string attribute holding a number, as a
 * double.  ESC_ERR_INPUT if missing or not a number. */
int esc_h5_get_attr_double(const esc_h5_file *f, const char *obj,
                       const char *name, double *out, esc_error *err);

/* A scalar string dataset (/scenario/source, /scenario/resolved_json) as a
 * malloc'd string. */
int esc_h5_read_text(const esc_h5_file *f, const char *path, char **out,
                     esc_error *err);

/* Rows of the 1-D table at PATH.  ESC_ERR_INPUT if it is not a table. */
int esc_h5_table_rows(const esc_h5_file *f, const char *path, int64_t *nrows,
                      esc_error *err);
/* Column names of the table at PATH, in order (free with
 * esc_h5_free_names). */
int esc_h5_table_columns(const esc_h5_file *f, const char *path,
                         char ***names, size_t *n, esc_error *err);
/* 1 if the table at PATH has column COLUMN, else 0. */
int esc_h5_has_column(const esc_h5_file *f, const char *path,
                      const char *column);

/* Rows [start, start + n) of column COLUMN, converted (integers, floats and
 * enum codes alike).  Read a long table in blocks of a few thousand rows.
 * ESC_ERR_INPUT if the column is missing or the rows out of range. */
int esc_h5_read_f64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n, double *out,
                    esc_error *err);
int esc_h5_read_i64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    int64_t *out, esc_error *err);

/* The same for an unsigned 64-bit column (seed), which int64 would clip. */
int esc_h5_read_u64(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    uint64_t *out, esc_error *err);
/* A fixed-size string column: row i at OUT + i * WIDTH, NUL-terminated
 * (a longer string is cut to WIDTH - 1 bytes). */
int esc_h5_read_str(const esc_h5_file *f, const char *path,
                    const char *column, int64_t start, size_t n,
                    size_t width, char *out, esc_error *err);

/* What a column holds, so a reader picks the function above that keeps
 * every value exact; WIDTH is its size in the file, in bytes. */
typedef enum esc_h5_colkind {
	ESC_H5_COL_INT,       /* signed integer: esc_h5_read_i64 */
	ESC_H5_COL_UINT,      /* unsigned integer: esc_h5_read_u64 */
	ESC_H5_COL_FLOAT,     /* esc_h5_read_f64 */
	ESC_H5_COL_ENUM,      /* codes: esc_h5_read_i64; names in FIELD_<i>_LABELS */
	ESC_H5_COL_STRING     /* fixed-size text: esc_h5_read_str */
} esc_h5_colkind;
int esc_h5_column_kind(const esc_h5_file *f, const char *path,
                       const char *column, esc_h5_colkind *kind,
                       size_t *width, esc_error *err);

/* Check every chunk of the table at PATH: against its Fletcher-32 checksum
 * (stored bytes only, fast), or for a table without one (schema 1.0, 1.1)
 * by reading every row.  A damaged or missing chunk fails with
 * ESC_ERR_INPUT naming its rows and the reason. */
int esc_h5_table_verify(const esc_h5_file *f, const char *path,
                        esc_error *err);

/* The scenario's text and each module's (/scenario) against their sha256
 * attributes (text datasets carry no checksum of their own). */
int esc_h5_verify_sources(const esc_h5_file *f, esc_error *err);
/* Every attribute of every object read back (their metadata's checksums
 * checked on the way). */
int esc_h5_verify_attributes(const esc_h5_file *f, esc_error *err);

/* Open PATH and check the sources and every table in it (each arm's, /failures, /sweep,
 * /summary) as esc_h5_table_verify does: what --resume and merge do
 * before they trust a file, and inspect (--verify, the default). */
int esc_h5_verify(const char *path, esc_error *err);

/* ----------------------------------------- provenance and replications
 *
 * What the batch reads back from a result file by path (--resume, the
 * statistics of a joined file), and what the merge checks its inputs by. */

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

/* Read /arms/<group>/runs back as esc_run_row, in blocks: every column the
 * writer gives the runs table, where the file has it; a column it lacks (an
 * older file) reads as 0, or NaN for hours (names ending in _h), and the
 * per-party fatalities_by stays 0. */
typedef struct esc_h5_runs_reader esc_h5_runs_reader;
esc_h5_runs_reader *esc_h5_runs_open(const char *path, const char *group,
                                     esc_error *err);
/* Up to max rows into rows; returns how many (0 at the end) or -1. */
long esc_h5_runs_read(esc_h5_runs_reader *r, esc_run_row *rows, size_t max,
                      esc_error *err);
void esc_h5_runs_close(esc_h5_runs_reader *r);

/* --------------------------------------------------------------- updating */

/* Copy PATH to a temporary file in the same directory
 * (PATH.update-XXXXXX) and open the copy for writing.  The handle also
 * reads, like one from esc_h5_open. */
esc_h5_file *esc_h5_update_begin(const char *path, esc_error *err);
/* Close, fsync and rename the copy over the original; F is freed whatever
 * happens, and on failure the copy is removed. */
int esc_h5_update_commit(esc_h5_file *f, esc_error *err);
/* Close and delete the copy; the original is untouched. */
void esc_h5_update_abort(esc_h5_file *f);

/* Delete the group at PATH if it exists and create it anew, empty (parents
 * must exist).  HDF5 does not give the space of deleted objects back; the
 * file grows by what was deleted until `h5repack`. */
int esc_h5_group_replace(esc_h5_file *f, const char *path, esc_error *err);
/* Create table PATH from N rows laid out as DESC (the same layout, chunking
 * and attributes as the simulator's tables).  LABELS, if not NULL, holds
 * one entry per field: a non-NULL entry gives that field's codes (for names
 * known only at run time, such as arms). */
int esc_h5_write_table(esc_h5_file *f, const char *path,
                       const esc_h5_table_desc *desc,
                       const char *const *labels, const void *rows, size_t n,
                       esc_error *err);
/* The same table written in parts, for one too long to hold in memory:
 * begin creates it empty, add appends rows (any number of calls), end
 * closes it and frees T whatever happens. */
typedef struct esc_h5_table_out esc_h5_table_out;
esc_h5_table_out *esc_h5_table_begin(esc_h5_file *f, const char *path,
                                     const esc_h5_table_desc *desc,
                                     const char *const *labels,
                                     esc_error *err);
int esc_h5_table_add(esc_h5_table_out *t, const void *rows, size_t n,
                     esc_error *err);
int esc_h5_table_end(esc_h5_table_out *t, esc_error *err);
/* Text (variable-length UTF-8) and double attributes on object OBJ,
 * replacing any of that name. */
int esc_h5_set_attr_text(esc_h5_file *f, const char *obj, const char *name,
                         const char *value, esc_error *err);
int esc_h5_set_attr_double(esc_h5_file *f, const char *obj, const char *name,
                           double value, esc_error *err);

#endif
