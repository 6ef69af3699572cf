/* mapping.c: the scenario's names as the export reader looks them up, and
 * the mapping file (--map) that reads other exports.
 *
 * The mapping file is CSV with the header kind,source,escsim: a row
 * `column,SOURCE,NAME` reads escsim's column NAME from the export's column
 * SOURCE; `actor|type|zone,VALUE,NAME` reads VALUE as the scenario's NAME,
 * or drops the row when NAME is '-'.  Lines starting with '#' are
 * comments.  Every name is checked against the scenario, with "did you
 * mean" (escsim/suggest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/suggest.h"
#include "csv.h"
#include "mapping.h"

const char *const fit_col_name[FIT_N_COLS] = {
	"date", "actor", "type", "zone", "fatalities", "target"
};
const char *const fit_map_kind[FIT_N_MAPS] = { "actor", "type", "zone" };

int fit_names_of(const esc_config *cfg, int kind, fit_names *out)
{
	size_t n = kind == FIT_MAP_ACTOR ? cfg->n_parties : kind == FIT_MAP_TYPE ? cfg->n_types : cfg->n_zones;
	out->v = calloc(n ? n : 1, sizeof *out->v);
	out->n = n;
	if (!out->v)
		return -1;
	for (size_t i = 0; i < n; i++)
		out->v[i] = kind == FIT_MAP_ACTOR ? cfg->parties[i].name
		          : kind == FIT_MAP_TYPE ? cfg->types[i].name : cfg->zones[i];
	return 0;
}

int fit_names_find(const fit_names *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (int)i;
	return -1;
}

const char *fit_names_join(const fit_names *l, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n && len + 1 < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", l->v[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

void fit_mapping_free(fit_mapping *m)
{
	for (int c = 0; c < FIT_N_COLS; c++)
		free(m->column[c]);
	for (int k = 0; k < FIT_N_MAPS; k++) {
		for (size_t i = 0; i < m->n[k]; i++)
			free(m->v[k][i].source);
		free(m->v[k]);
	}
	memset(m, 0, sizeof *m);
}

static int map_add(fit_mapping *m, int kind, const char *source, int index)
{
	fit_map_entry *v = realloc(m->v[kind], (m->n[kind] + 1) * sizeof *v);
	if (!v)
		return -1;
	m->v[kind] = v;
	v[m->n[kind]].source = strdup(source);
	v[m->n[kind]].index = index;
	if (!v[m->n[kind]].source)
		return -1;
	m->n[kind]++;
	return 0;
}

int fit_mapping_find(const fit_mapping *m, int kind, const char *s)
{
	for (size_t i = 0; i < m->n[kind]; i++)
		if (strcmp(m->v[kind][i].source, s) == 0)
			return m->v[kind][i].index;
	return -1;
}

/* One row of the mapping file: column,SOURCE,NAME or KIND,VALUE,NAME. */
static int map_row(fit_mapping *m, const esc_config *cfg, const char *file, size_t line,
                   char **f, esc_error *err)
{
	const char *kind = f[0], *source = f[1], *name = f[2];
	if (strcmp(kind, "column") == 0) {
		int c = -1;
		for (int i = 0; i < FIT_N_COLS; i++)
			if (strcmp(name, fit_col_name[i]) == 0)
				c = i;
		if (c < 0) {
			const char *sug = esc_suggest(name, fit_col_name, FIT_N_COLS);
			return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: unknown escsim column '%s' (expected "
			                     "date, actor, type, zone, fatalities or target)%s%s%s", file, line, name,
			                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		}
		if (m->column[c])
			return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: column %s is mapped twice", file, line, name);
		m->column[c] = strdup(source);
		return m->column[c] ? 0 : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	int k = -1;
	for (int i = 0; i < FIT_N_MAPS; i++)
		if (strcmp(kind, fit_map_kind[i]) == 0)
			k = i;
	if (k < 0) {
		static const char *const kinds[] = { "column", "actor", "type", "zone" };
		const char *sug = esc_suggest(kind, kinds, 4);
		return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: unknown kind '%s' (expected column, actor, "
		                     "type or zone)%s%s%s", file, line, kind,
		                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
	}
	if (fit_mapping_find(m, k, source) != -1)
		return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: %s '%s' is mapped twice", file, line,
		                     kind, source);
	int index = -2;
	if (strcmp(name, "-") != 0) {
		fit_names l;
		if (fit_names_of(cfg, k, &l))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		index = fit_names_find(&l, name);
		if (index < 0) {
			char all[300];
			const char *sug = esc_suggest(name, l.v, l.n);
			esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: '%s' is not a %s of the scenario (%s%s%s%s; "
			              "'-' drops the rows)", file, line, name,
			              k == FIT_MAP_ACTOR ? "party" : fit_map_kind[k], fit_names_join(&l, all, sizeof all),
			              sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		}
		free(l.v);
		if (index < 0)
			return err->status;
	}
	return map_add(m, k, source, index) ? esc_error_set(err, ESC_ERR_RUNTIME, "out of memory") : 0;
}

int fit_mapping_read(fit_mapping *m, const esc_config *cfg, const char *path, esc_error *err)
{
	char *text;
	size_t len;
	int st = csv_slurp(path, "mapping file", &text, &len, err);
	if (st)
		return st;
	csv_reader r;
	csv_open(&r, path, text, len);
	int header = 0;
	while (st == 0 && (st = csv_next(&r, err)) == 1) {
		st = 0;
		if (r.field[0][0] == '#')
			continue;
		char *f[3];
		if (r.n != 3) {
			st = esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: %zu fields (expected 3: kind,source,escsim)",
			                   path, r.rec_line, r.n);
			break;
		}
		for (int i = 0; i < 3; i++)
			f[i] = csv_trim((char *)r.field[i]);
		if (!header) {
			header = 1;
			if (strcmp(f[0], "kind") || strcmp(f[1], "source") || strcmp(f[2], "escsim"))
				st = esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: expected the header kind,source,escsim, "
				                   "got %s,%s,%s", path, r.rec_line, f[0], f[1], f[2]);
			continue;
		}
		st = map_row(m, cfg, path, r.rec_line, f, err);
	}
	if (st == 0 && !header)
		st = esc_error_set(err, ESC_ERR_INPUT, "%s: empty (expected the header kind,source,escsim)", path);
	csv_close(&r);
	free(text);
	return st;
}
