/* h5_schema.h: the tables of a result file as escsim writes them (private
 * to sim/h5): one descriptor per table, and the check readers make before
 * they trust a table.
 */
#ifndef ESCSIM_H5_SCHEMA_H
#define ESCSIM_H5_SCHEMA_H

#include <hdf5.h>

#include "escsim/config.h"
#include "escsim/error.h"
#include "escsim/h5_reader.h"
#include "escsim/h5_writer.h"

/* Which of the scenario's name lists labels a column (given per arm). */
enum { LBL_NONE, LBL_PARTY, LBL_ZONE, LBL_TYPE, LBL_REGIME, LBL_CHANNEL,
       N_LBL };

typedef struct esc_h5_schema {
	const char *name;               /* the table's link name */
	const esc_h5_table_desc *desc;
	const int *lists;               /* per column, LBL_*; NULL: none */
	const char *per_party;          /* int64 columns PREFIX<PARTY>, one per
	                                   party, beyond desc; NULL: none */
	const char *const *retired;     /* int64 columns of earlier files, still
	                                   read; NULL-terminated, or NULL */
} esc_h5_schema;

/* The tables of an arm group, in the order a checkpoint lists them, then
 * /failures. */
enum { SCHEMA_RUNS, SCHEMA_DAILY, SCHEMA_EVENTS, SCHEMA_MESSAGES, SCHEMA_LOG,
       SCHEMA_FAILURES, N_SCHEMA };
extern const esc_h5_schema esc_h5_schemas[N_SCHEMA];

/* The schema of an arm group's table NAME (runs, daily, events, messages,
 * log), or of the root's "failures"; NULL for any other name. */
const esc_h5_schema *esc_h5_schema_named(const char *name, int in_arm);

/* One arm's runs columns: the runs schema with a fatalities_by_<PARTY>
 * column per party after the totals (the scenario's parties, in order).  On
 * the heap: a table keeps a pointer to desc. */
typedef struct esc_h5_runs_layout {
	esc_h5_table_desc desc;
	esc_h5_field *fields;
	char (*names)[ESC_NAME_MAX + 16];
} esc_h5_runs_layout;

/* NULL after an error (more than ESC_MAX_PARTIES parties, memory). */
esc_h5_runs_layout *esc_h5_runs_layout_for(const esc_h5_names *parties,
                                           esc_error *err);
void esc_h5_runs_layout_free(esc_h5_runs_layout *l);

/* Check the columns of table DSET (at PATH in FILE, for messages) against
 * S: a column escsim does not write, one stored as another type, or no
 * int64 `rep` is ESC_ERR_INPUT naming the column.  Columns of S the table
 * lacks are allowed (files from before they were added), as are S's
 * per-party and retired columns; so are unknown ones when ALLOW_EXTRA (a
 * file from a later schema 1.x). */
int esc_h5_schema_check(hid_t dset, const esc_h5_schema *s, int allow_extra,
                        const char *file, const char *path, esc_error *err);

#endif
