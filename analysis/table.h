/* table.h: any table of a result file read as text, for the commands that
 * show rows rather than statistics (export, trace, the HTML report).
 *
 * A table is described once, from the file: each column's name, kind
 * (escsim/h5_reader.h), units, description and labels (FIELD_<i>_UNITS,
 * FIELD_<i>_DESCRIPTION, FIELD_<i>_LABELS), so columns a later model adds
 * are read without a change here.  Rows are read in blocks, every value
 * kept exact (int64, uint64, double or a fixed-size string), and a cell is
 * formatted as a reader of a CSV file expects it:
 *   - a coded column as its label ("ISR"), a code without one as its number;
 *     a 0/1 flag labelled no/yes stays 0 or 1, so its mean is a share;
 *   - a float in the shortest form that reads back to the same double
 *     (esc_tab_number), NaN as an empty field, infinities as Inf and -Inf;
 *   - integers exactly, unsigned ones included (seed).
 */
#ifndef ESCSIM_ANALYSIS_TABLE_H
#define ESCSIM_ANALYSIS_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "escsim/h5_reader.h"

typedef struct esc_tab_col {
	char *name;
	char *units;               /* "" if none */
	char *doc;                 /* "" if none */
	char *labels_text;         /* "0=no,1=yes" as stored, "" if none */
	esc_h5_colkind kind;
	size_t width;              /* bytes of a string column */
	size_t n_labels;
	int64_t *codes;            /* n_labels codes and their names */
	char **labels;
	int flag;                  /* labelled exactly no/yes (optionally n/a): a number */
	void *block;               /* the rows read: int64_t, uint64_t, double or chars */
} esc_tab_col;

typedef struct esc_tab {
	const esc_h5_file *f;
	char *path;
	int64_t nrows;
	esc_tab_col *col;
	size_t ncols;
	int64_t start;             /* the block read: rows [start, start + n) */
	size_t n, cap;
} esc_tab;

/* Describe the table at PATH (ESC_ERR_INPUT if it is not a table). */
int esc_tab_open(esc_tab *t, const esc_h5_file *f, const char *path,
                 esc_error *err);
void esc_tab_close(esc_tab *t);

/* Read rows [start, start + n) (n at most the rows left). */
int esc_tab_read(esc_tab *t, int64_t start, size_t n, esc_error *err);

/* Index of column NAME, or -1. */
int esc_tab_find(const esc_tab *t, const char *name);

/* Row I of the block, column J: as text (as above; BUF of at least 64
 * bytes, or the string column's width), as a double (NaN for strings), as
 * an integer code (0 for floats and strings). */
const char *esc_tab_text(const esc_tab *t, size_t i, size_t j, char *buf,
                         size_t size);
double esc_tab_f64(const esc_tab *t, size_t i, size_t j);
int64_t esc_tab_i64(const esc_tab *t, size_t i, size_t j);

/* The label of CODE in column C, or NULL. */
const char *esc_tab_label(const esc_tab_col *c, int64_t code);

/* The arm groups of a file in the order a reader expects them: by design
 * point, then in the order /sweep's `arms` attribute lists the arms; in a
 * file without a sweep, in name order, each its own arm at point -1. */
typedef struct esc_tab_group {
	char *group;               /* "cell.p3": /arms/<group> */
	char *arm;                 /* "cell" (attribute sweep_arm), or the group */
	int64_t point;             /* attribute sweep_point, or -1 */
	int rank;                  /* the arm's place in /sweep's `arms` */
} esc_tab_group;
int esc_tab_groups(const esc_h5_file *f, esc_tab_group **out, size_t *n,
                   esc_error *err);
void esc_tab_groups_free(esc_tab_group *g, size_t n);

/* V as a CSV field: esc_fmt_double's shortest form that strtod reads back
 * to V (escsim/text.h), NaN as "", infinities as "Inf" and "-Inf". */
void esc_tab_number(char *buf, size_t size, double v);

/* Write S as one CSV field to O: quoted, with quotes doubled, when it
 * holds SEP, a quote, CR or LF (RFC 4180); as it is otherwise. */
void esc_csv_field(FILE *o, const char *s, char sep);

#endif
