/* csv.c: RFC 4180 records with their line numbers (csv.h).
 *
 * Invariants: buf holds the current record's fields one after another,
 * each NUL-terminated, off[k] the start of field k (off[0] = 0, off[n] the
 * end); field[] is set from off[] once the record is complete, because buf
 * may move while it grows.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void csv_open(csv_reader *r, const char *name, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	r->p = text;
	r->end = text + len;
	r->name = name;
	r->line = 1;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

void csv_close(csv_reader *r)
{
	free(r->buf);
	free(r->off);
	free((void *)r->field);
	memset(r, 0, sizeof *r);
}

static int put(csv_reader *r, char c)
{
	if (r->len == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		char *b = realloc(r->buf, cap);
		if (!b)
			return -1;
		r->buf = b;
		r->cap = cap;
	}
	r->buf[r->len++] = c;
	return 0;
}

/* Room for field n + 1's offset. */
static int reserve(csv_reader *r)
{
	if (r->n + 2 <= r->off_cap)
		return 0;
	size_t cap = r->off_cap ? 2 * r->off_cap : 16;
	size_t *o = realloc(r->off, cap * sizeof *o);
	if (!o)
		return -1;
	r->off = o;
	const char **f = realloc((void *)r->field, cap * sizeof *f);
	if (!f)
		return -1;
	r->field = f;
	r->off_cap = cap;
	return 0;
}

/* Close the field being built; the next one starts at r->len. */
static int end_field(csv_reader *r)
{
	if (put(r, '\0') || reserve(r))
		return -1;
	r->off[++r->n] = r->len;
	return 0;
}

/* A quoted field: from after the opening quote to after the closing one. */
static int quoted(csv_reader *r, esc_error *err)
{
	size_t start_line = r->line;
	for (;;) {
		if (r->p == r->end)
			return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: a quoted field is never closed "
			                     "(a '\"' opened on this line has no closing '\"')", r->name, start_line);
		char c = *r->p++;
		if (c == '"') {
			if (r->p < r->end && *r->p == '"') {
				r->p++;
			} else {
				return 0;
			}
		} else if (c == '\0') {
			return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: a NUL byte (is this a text file?)", r->name, r->line);
		} else if (c == '\n') {
			r->line++;
		}
		if (put(r, c))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
}

static int is_blank_line(const csv_reader *r)
{
	return *r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n');
}

int csv_next(csv_reader *r, esc_error *err)
{
	while (r->p < r->end && is_blank_line(r)) {
		r->p += *r->p == '\r' ? 2 : 1;
		r->line++;
	}
	if (r->p >= r->end)
		return 0;
	r->len = 0;
	r->n = 0;
	if (reserve(r))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	r->off[0] = 0;
	r->rec_line = r->line;
	int at_start = 1;       /* at the start of a field */
	for (;;) {
		if (r->p == r->end) {
			if (end_field(r))
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			break;
		}
		char c = *r->p++;
		if (c == '"' && at_start) {
			int st = quoted(r, err);
			if (st)
				return st;
			if (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
			    !(*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'))
				return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: '%c' after a closing quote "
				                     "(expected a comma or the end of the line)", r->name, r->line, *r->p);
			at_start = 0;
			continue;
		}
		if (c == ',' || c == '\n' || (c == '\r' && r->p < r->end && *r->p == '\n')) {
			if (end_field(r))
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			if (c == ',') {
				at_start = 1;
				continue;
			}
			if (c == '\r')
				r->p++;
			r->line++;
			break;
		}
		if (c == '\0')
			return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: a NUL byte (is this a text file?)", r->name, r->line);
		if (put(r, c))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		at_start = 0;
	}
	for (size_t k = 0; k < r->n; k++)
		r->field[k] = r->buf + r->off[k];
	return 1;
}

int csv_slurp(const char *path, const char *what, char **text, size_t *len, esc_error *err)
{
	*text = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: cannot read the %s: %s", path, what, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	int e = errno;
	fclose(f);
	if (!b)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: out of memory", path);
	if (bad) {
		free(b);
		return esc_error_set(err, ESC_ERR_INPUT, "%s: cannot read the %s: %s", path, what, strerror(e));
	}
	b[n] = '\0';
	*text = b;
	*len = n;
	return 0;
}

char *csv_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}
