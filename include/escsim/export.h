/* export.h: escsim export: one table of a result file as tidy CSV or TSV.
 *
 * One row per record of every arm (or of one summary table), in long
 * format: the first column is `arm` (the arm's name, "cell", also in a
 * sweep), then for a sweep `point` and the design point's parameter values
 * (one column per varied key, in its units), then the table's columns in
 * file order.  Codes are written as their labels; units go into a sidecar
 * OUT.columns.csv (column, units, labels, description) or, with
 * units_in_header, into the header as "name [unit]".  Fields are quoted as
 * RFC 4180 asks; NaN is an empty field.
 *
 * The output is written to a temporary file beside OUT and renamed when
 * complete, so OUT is either the old file or the whole new one.
 */
#ifndef ESCSIM_EXPORT_H
#define ESCSIM_EXPORT_H

#include "escsim/error.h"

typedef enum esc_units_mode {
	ESC_UNITS_SIDECAR,          /* OUT.columns.csv (none on standard output) */
	ESC_UNITS_HEADER,           /* "t_h [h]" in the header */
	ESC_UNITS_NONE
} esc_units_mode;

typedef struct esc_export_opts {
	const char *path;           /* the result file */
	const char *table;          /* runs, daily, events, messages, log,
	                               summary (= summary/metrics), summary/NAME */
	const char *arm;            /* NULL: every arm; else this arm (or group) */
	char sep;                   /* ',' or '\t' */
	int gzip;                   /* zlib, level 6 */
	const char *out;            /* NULL or "-": standard output */
	esc_units_mode units;
} esc_export_opts;

/* The sidecar's name for OUT: OUT without .gz and .csv/.tsv, then
 * ".columns.csv" (malloc'd). */
char *esc_export_sidecar_name(const char *out);

/* ESC_ERR_INPUT: not a result file, an unknown table, a table the file was
 * written without (events and messages need --events), an output that is
 * the input or not a regular file; ESC_ERR_RUNTIME: the output cannot be
 * written (nothing is left behind). */
int esc_export(const esc_export_opts *o, esc_error *err);

#endif
