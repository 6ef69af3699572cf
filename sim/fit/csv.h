/* csv.h: records of a CSV text (RFC 4180), with the line each starts on.
 *
 * Fields are separated by commas and records by LF or CRLF; a field in
 * double quotes may hold commas, line breaks and "" for a quote.  A UTF-8
 * byte order mark before the first record is skipped (spreadsheets write
 * one).  Blank lines are skipped.  Not a public header: the fit's readers
 * (export.c: events and mapping files) share it.
 */
#ifndef ESCSIM_FIT_CSV_H
#define ESCSIM_FIT_CSV_H

#include <stddef.h>
#include "escsim/error.h"

typedef struct csv_reader {
	const char *p, *end;        /* what is left of the text */
	const char *name;           /* the file, for messages */
	size_t line;                /* line the next record starts on (1-based) */
	size_t rec_line;            /* line the current record started on */
	char *buf;                  /* the current record's fields, NUL-separated */
	size_t len, cap;
	size_t *off;                /* offsets of the fields in buf */
	size_t n, off_cap;
	const char **field;         /* n pointers into buf, valid until the next record */
} csv_reader;

void csv_open(csv_reader *r, const char *name, const char *text, size_t len);

/* The next record into r->field[0..r->n), r->rec_line its line: 1, or 0 at
 * the end, or ESC_ERR_INPUT (a quote left open, text after a closing
 * quote, a NUL byte) with a message naming name:line, or ESC_ERR_RUNTIME
 * when out of memory. */
int csv_next(csv_reader *r, esc_error *err);

void csv_close(csv_reader *r);

/* Read a whole file into a malloc'd NUL-terminated buffer (*len without the
 * NUL).  ESC_ERR_INPUT when it cannot be read (a missing file is the
 * user's mistake). */
int csv_slurp(const char *path, const char *what, char **text, size_t *len, esc_error *err);

/* s without the white space at either end (in place). */
char *csv_trim(char *s);

#endif
