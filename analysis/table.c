/* table.c: a result file's table as text cells (table.h).
 *
 * The description comes from the HDF5 Table attributes the writer puts on
 * every table: FIELD_<i>_NAME names column i, and FIELD_<i>_UNITS,
 * FIELD_<i>_DESCRIPTION and FIELD_<i>_LABELS ("-1=none,0=ISR,1=SYR") go
 * with it.  A table without them (a foreign writer) still reads: its
 * columns then have no units, description or labels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/text.h"
#include "table.h"

void esc_tab_number(char *buf, size_t size, double v)
{
	char num[ESC_NUM_MAX];
	/* Missing is an empty field; R and pandas read Inf and -Inf. */
	snprintf(buf, size, "%s", isnan(v) ? "" : isinf(v) ? (v > 0 ? "Inf" : "-Inf")
	                          : esc_fmt_double(num, v));
}

/* "-1=none,0=ISR,1=SYR" into codes and names.  A name may hold a comma:
 * an entry starts only where "<integer>=" follows a comma. */
static int starts_entry(const char *p)
{
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '=';
}

static int parse_labels(esc_tab_col *c)
{
	const char *s = c->labels_text;
	if (!*s || !starts_entry(s))
		return 0;
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	c->codes = malloc(cap * sizeof *c->codes);
	c->labels = calloc(cap, sizeof *c->labels);
	if (!c->codes || !c->labels)
		return -1;
	const char *p = s;
	while (*p) {
		char *eq;
		long long code = strtoll(p, &eq, 10);
		const char *name = eq + 1, *end = name;
		while (*end && !(*end == ',' && starts_entry(end + 1)))
			end++;
		char *l = malloc((size_t)(end - name) + 1);
		if (!l)
			return -1;
		memcpy(l, name, (size_t)(end - name));
		l[end - name] = '\0';
		c->codes[c->n_labels] = code;
		c->labels[c->n_labels++] = l;
		p = *end ? end + 1 : end;
	}
	/* 0=no,1=yes (and -1=n/a): a number, as the Python reader keeps it. */
	int yes = 0, no = 0, other = 0;
	for (size_t k = 0; k < c->n_labels; k++) {
		if (c->codes[k] == 0 && strcmp(c->labels[k], "no") == 0)
			no = 1;
		else if (c->codes[k] == 1 && strcmp(c->labels[k], "yes") == 0)
			yes = 1;
		else if (!(c->codes[k] == -1 && strcmp(c->labels[k], "n/a") == 0))
			other = 1;
	}
	c->flag = yes && no && !other;
	return 0;
}

static char *field_attr(const esc_h5_file *f, const char *path, size_t i,
                        const char *what)
{
	char key[64], *v = NULL;
	esc_error e = {0};
	snprintf(key, sizeof key, "FIELD_%zu_%s", i, what);
	if (esc_h5_get_attr_text(f, path, key, &v, &e) != ESC_OK)
		return strdup("");
	return v;
}

static int describe(esc_tab *t, size_t i, const char *name, esc_error *err)
{
	esc_tab_col *c = &t->col[i];
	if (!(c->name = strdup(name)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (esc_h5_column_kind(t->f, t->path, name, &c->kind, &c->width, err))
		return err->status;
	/* FIELD_<i>_* describe column i when FIELD_<i>_NAME says so. */
	char *fname = field_attr(t->f, t->path, i, "NAME");
	int ours = fname && strcmp(fname, name) == 0;
	free(fname);
	c->units = ours ? field_attr(t->f, t->path, i, "UNITS") : strdup("");
	c->doc = ours ? field_attr(t->f, t->path, i, "DESCRIPTION") : strdup("");
	c->labels_text = ours ? field_attr(t->f, t->path, i, "LABELS") : strdup("");
	if (!c->units || !c->doc || !c->labels_text || parse_labels(c))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (c->kind == ESC_H5_COL_STRING)
		c->width++;             /* room for the NUL of a full-width string */
	return ESC_OK;
}

int esc_tab_open(esc_tab *t, const esc_h5_file *f, const char *path,
                 esc_error *err)
{
	memset(t, 0, sizeof *t);
	t->f = f;
	if (!(t->path = strdup(path)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	char **names;
	size_t n;
	if (esc_h5_table_rows(f, path, &t->nrows, err) ||
	    esc_h5_table_columns(f, path, &names, &n, err))
		return err->status;
	t->col = calloc(n ? n : 1, sizeof *t->col);
	int st = t->col ? ESC_OK : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK)
		t->ncols = n;
	for (size_t i = 0; st == ESC_OK && i < n; i++)
		st = describe(t, i, names[i], err);
	esc_h5_free_names(names, n);
	return st;
}

void esc_tab_close(esc_tab *t)
{
	for (size_t i = 0; t->col && i < t->ncols; i++) {
		esc_tab_col *c = &t->col[i];
		for (size_t k = 0; k < c->n_labels; k++)
			free(c->labels[k]);
		free(c->labels);
		free(c->codes);
		free(c->name);
		free(c->units);
		free(c->doc);
		free(c->labels_text);
		free(c->block);
	}
	free(t->col);
	free(t->path);
	memset(t, 0, sizeof *t);
}

static size_t cell_size(const esc_tab_col *c)
{
	return c->kind == ESC_H5_COL_STRING ? c->width : 8;
}

int esc_tab_read(esc_tab *t, int64_t start, size_t n, esc_error *err)
{
	if (n > t->cap) {
		for (size_t j = 0; j < t->ncols; j++) {
			void *b = realloc(t->col[j].block, n * cell_size(&t->col[j]));
			if (!b)
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			t->col[j].block = b;
		}
		t->cap = n;
	}
	t->start = start;
	t->n = n;
	for (size_t j = 0; j < t->ncols; j++) {
		esc_tab_col *c = &t->col[j];
		int st;
		switch (c->kind) {
		case ESC_H5_COL_UINT:
			st = esc_h5_read_u64(t->f, t->path, c->name, start, n, c->block, err);
			break;
		case ESC_H5_COL_FLOAT:
			st = esc_h5_read_f64(t->f, t->path, c->name, start, n, c->block, err);
			break;
		case ESC_H5_COL_STRING:
			st = esc_h5_read_str(t->f, t->path, c->name, start, n, c->width,
			                     c->block, err);
			break;
		default:
			st = esc_h5_read_i64(t->f, t->path, c->name, start, n, c->block, err);
		}
		if (st)
			return st;
	}
	return ESC_OK;
}

int esc_tab_find(const esc_tab *t, const char *name)
{
	for (size_t j = 0; j < t->ncols; j++)
		if (strcmp(t->col[j].name, name) == 0)
			return (int)j;
	return -1;
}

const char *esc_tab_label(const esc_tab_col *c, int64_t code)
{
	for (size_t k = 0; k < c->n_labels; k++)
		if (c->codes[k] == code)
			return c->labels[k];
	return NULL;
}

const char *esc_tab_text(const esc_tab *t, size_t i, size_t j, char *buf,
                         size_t size)
{
	const esc_tab_col *c = &t->col[j];
	switch (c->kind) {
	case ESC_H5_COL_STRING:
		return (const char *)c->block + i * c->width;
	case ESC_H5_COL_FLOAT:
		esc_tab_number(buf, size, ((const double *)c->block)[i]);
		return buf;
	case ESC_H5_COL_UINT:
		snprintf(buf, size, "%llu", (unsigned long long)((const uint64_t *)c->block)[i]);
		return buf;
	default: {
		int64_t v = ((const int64_t *)c->block)[i];
		const char *l = c->flag ? NULL : esc_tab_label(c, v);
		if (l)
			return l;
		if (c->flag && v == -1)      /* n/a of a flag: missing */
			snprintf(buf, size, "%s", "");
		else
			snprintf(buf, size, "%lld", (long long)v);
		return buf;
	}
	}
}

double esc_tab_f64(const esc_tab *t, size_t i, size_t j)
{
	const esc_tab_col *c = &t->col[j];
	switch (c->kind) {
	case ESC_H5_COL_STRING: return NAN;
	case ESC_H5_COL_FLOAT: return ((const double *)c->block)[i];
	case ESC_H5_COL_UINT: return (double)((const uint64_t *)c->block)[i];
	default: return (double)((const int64_t *)c->block)[i];
	}
}

int64_t esc_tab_i64(const esc_tab *t, size_t i, size_t j)
{
	const esc_tab_col *c = &t->col[j];
	switch (c->kind) {
	case ESC_H5_COL_STRING:
	case ESC_H5_COL_FLOAT: return 0;
	case ESC_H5_COL_UINT: return (int64_t)((const uint64_t *)c->block)[i];
	default: return ((const int64_t *)c->block)[i];
	}
}

void esc_csv_field(FILE *o, const char *s, char sep)
{
	if (!strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
		fputs(s, o);
		return;
	}
	putc('"', o);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', o);
		putc(*s, o);
	}
	putc('"', o);
}

/* ---------------------------------------------------------------- groups */

/* The place of ARM in the comma-separated LISTED, or past its end. */
static int arm_rank(const char *listed, const char *arm)
{
	size_t len = strlen(arm);
	int k = 0;
	for (const char *p = listed; p && *p; k++) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, arm, n) == 0)
			return k;
		p += n + (p[n] == ',');
	}
	return k;
}

static int cmp_group(const void *x, const void *y)
{
	const esc_tab_group *a = x, *b = y;
	if (a->point != b->point)
		return (a->point > b->point) - (a->point < b->point);
	if (a->rank != b->rank)
		return a->rank - b->rank;
	return strcmp(a->group, b->group);
}

int esc_tab_groups(const esc_h5_file *f, esc_tab_group **out, size_t *n,
                   esc_error *err)
{
	size_t na = esc_h5_n_arms(f);
	esc_tab_group *g = calloc(na ? na : 1, sizeof *g);
	*out = NULL;
	*n = 0;
	if (!g)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int sweep = esc_h5_exists(f, "/sweep/points");
	for (size_t k = 0; k < na; k++) {
		char obj[512];
		double pt;
		esc_error ignore = {0};
		g[k].group = strdup(esc_h5_arm_name(f, k));
		snprintf(obj, sizeof obj, "/arms/%s", g[k].group ? g[k].group : "");
		g[k].point = -1;
		if (sweep &&
		    esc_h5_get_attr_double(f, obj, "sweep_point", &pt, &ignore) == ESC_OK &&
		    esc_h5_get_attr_text(f, obj, "sweep_arm", &g[k].arm, &ignore) == ESC_OK)
			g[k].point = (int64_t)pt;
		else if (g[k].group)
			g[k].arm = strdup(g[k].group);
		if (!g[k].group || !g[k].arm) {
			esc_tab_groups_free(g, k + 1);
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
	}
	char *listed = NULL;
	esc_error ignore = {0};
	if (sweep)
		esc_h5_get_attr_text(f, "/sweep", "arms", &listed, &ignore);
	for (size_t k = 0; k < na; k++)
		g[k].rank = arm_rank(listed, g[k].arm);
	qsort(g, na, sizeof *g, cmp_group);
	free(listed);
	*out = g;
	*n = na;
	return ESC_OK;
}

void esc_tab_groups_free(esc_tab_group *g, size_t n)
{
	for (size_t k = 0; g && k < n; k++) {
		free(g[k].group);
		free(g[k].arm);
	}
	free(g);
}
