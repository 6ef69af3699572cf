/* export.c: escsim export (export.h): a table of every arm, or a summary
 * table, as tidy CSV/TSV, optionally gzipped (zlib), through table.h.
 *
 * Rows are read in blocks of BLOCK per column and formatted into a memory
 * stream, which goes to the output whole (fwrite or gzwrite), so memory
 * holds one block whatever the table's length. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escsim/h5_reader.h"
#include "escsim/log.h"
#include "escsim/export.h"
#include "outfile.h"
#include "table.h"

#define BLOCK 16384

/* ------------------------------------------------------------ the export */

typedef struct exporter {
	const esc_export_opts *o;
	esc_h5_file *f;
	esc_tab_group *g;
	size_t ng;
	int sweep;
	esc_tab points;            /* /sweep/points, read whole */
	esc_tab first;             /* the first exported table: the columns */
	int have_first;
	esc_out out;
	int64_t rows;              /* rows written, for the log */
} exporter;

static int is_arm_table(const char *t)
{
	static const char *const names[] = { "runs", "daily", "events",
	                                     "messages", "log" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(t, names[i]) == 0)
			return 1;
	return 0;
}

/* The header (and the sidecar's rows): a column's name with its units. */
static void header_field(FILE *m, const exporter *x, const char *name,
                         const char *units, int first)
{
	if (!first)
		putc(x->o->sep, m);
	if (x->o->units == ESC_UNITS_HEADER && units && *units) {
		size_t n = strlen(name) + strlen(units) + 4;
		char *s = malloc(n);
		if (s) {
			snprintf(s, n, "%s [%s]", name, units);
			esc_csv_field(m, s, x->o->sep);
			free(s);
			return;
		}
	}
	esc_csv_field(m, name, x->o->sep);
}

static void sidecar_row(FILE *m, const char *name, const char *units,
                        const char *labels, const char *doc)
{
	esc_csv_field(m, name, ',');
	putc(',', m);
	esc_csv_field(m, units ? units : "", ',');
	putc(',', m);
	esc_csv_field(m, labels ? labels : "", ',');
	putc(',', m);
	esc_csv_field(m, doc ? doc : "", ',');
	putc('\n', m);
}

/* Header and sidecar rows in one pass: (fn)(m, x, name, units, labels,
 * doc, index) for every output column. */
typedef void (*col_fn)(FILE *m, const exporter *x, const char *name,
                       const char *units, const char *labels,
                       const char *doc, size_t k);

static void each_column(FILE *m, const exporter *x, int arm_table, col_fn fn)
{
	size_t k = 0;
	if (arm_table) {
		fn(m, x, "arm", "", "", "arm (in a sweep: the arm at each point)", k++);
		if (x->sweep) {
			for (size_t j = 0; j < x->points.ncols; j++) {
				const esc_tab_col *c = &x->points.col[j];
				fn(m, x, c->name, c->units, c->labels_text,
				   strcmp(c->name, "point") == 0 ?
				   "design point (/sweep/points); the group /arms/<arm>.p<point>" :
				   c->doc, k++);
			}
		}
	}
	for (size_t j = 0; j < x->first.ncols; j++) {
		const esc_tab_col *c = &x->first.col[j];
		fn(m, x, c->name, c->units, c->flag ? "" : c->labels_text, c->doc, k++);
	}
}

static void put_header(FILE *m, const exporter *x, const char *name,
                       const char *units, const char *labels,
                       const char *doc, size_t k)
{
	(void)labels;
	(void)doc;
	header_field(m, x, name, units, k == 0);
}

static void put_sidecar(FILE *m, const exporter *x, const char *name,
                        const char *units, const char *labels,
                        const char *doc, size_t k)
{
	(void)x;
	(void)k;
	sidecar_row(m, name, units, labels, doc);
}

/* The row of /sweep/points for point P, or -1. */
static long point_row(const exporter *x, int64_t p)
{
	int j = esc_tab_find(&x->points, "point");
	for (size_t i = 0; j >= 0 && i < x->points.n; i++)
		if (esc_tab_i64(&x->points, i, (size_t)j) == p)
			return (long)i;
	return -1;
}

/* Every row of table T (one group's, or a summary table), block by
 * block; PREFIX holds the fields that start each row ("cell,3,0.25,"). */
static int write_rows(exporter *x, esc_tab *t, const char *prefix,
                      esc_error *err)
{
	char buf[128];
	for (int64_t s = 0; s < t->nrows; s += BLOCK) {
		size_t n = (size_t)(t->nrows - s < BLOCK ? t->nrows - s : BLOCK);
		if (esc_tab_read(t, s, n, err))
			return err->status;
		x->rows += (int64_t)n;
		char *mem = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&mem, &len);
		if (!m)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		for (size_t i = 0; i < n; i++) {
			fputs(prefix, m);
			/* Columns by the first table's names, so a group written
			 * with a column more or less still lines up. */
			for (size_t j = 0; j < x->first.ncols; j++) {
				if (j)
					putc(x->o->sep, m);
				int c = t == &x->first ? (int)j : esc_tab_find(t, x->first.col[j].name);
				if (c >= 0)
					esc_csv_field(m, esc_tab_text(t, i, (size_t)c, buf, sizeof buf),
					              x->o->sep);
			}
			putc('\n', m);
		}
		fclose(m);
		esc_out_write(&x->out, mem, len);
		free(mem);
		if (x->out.failed)
			return esc_error_set(err, ESC_ERR_RUNTIME, "cannot write '%s': %s",
			                     x->o->out ? x->o->out : "standard output",
			                     strerror(errno));
	}
	return ESC_OK;
}

static char *group_prefix(const exporter *x, const esc_tab_group *g)
{
	char *mem = NULL, buf[64];
	size_t len = 0;
	FILE *m = open_memstream(&mem, &len);
	if (!m)
		return NULL;
	esc_csv_field(m, g->arm, x->o->sep);
	putc(x->o->sep, m);
	if (x->sweep) {
		long r = point_row(x, g->point);
		for (size_t j = 0; j < x->points.ncols; j++) {
			if (r >= 0)
				esc_csv_field(m, esc_tab_text(&x->points, (size_t)r, j, buf,
				                              sizeof buf), x->o->sep);
			putc(x->o->sep, m);
		}
	}
	fclose(m);
	return mem;
}

static int header(exporter *x, int arm_table, esc_error *err)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&mem, &len);
	if (!m)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	each_column(m, x, arm_table, put_header);
	putc('\n', m);
	fclose(m);
	esc_out_write(&x->out, mem, len);
	free(mem);
	return ESC_OK;
}

static int arm_tables(exporter *x, esc_error *err)
{
	const esc_export_opts *o = x->o;
	int st = ESC_OK, any = 0;
	for (size_t k = 0; st == ESC_OK && k < x->ng; k++) {
		const esc_tab_group *g = &x->g[k];
		if (o->arm && strcmp(o->arm, g->arm) != 0 && strcmp(o->arm, g->group) != 0)
			continue;
		char path[600];
		snprintf(path, sizeof path, "/arms/%s/%s", g->group, o->table);
		if (!esc_h5_exists(x->f, path)) {
			int ev = !strcmp(o->table, "events") || !strcmp(o->table, "messages");
			return esc_error_set(err, ESC_ERR_INPUT, "'%s': arm '%s' has no "
			                     "table '%s'%s", o->path, g->group, o->table,
			                     ev ? " (it is written by run, compare and "
			                     "sweep with --events)" : "");
		}
		esc_tab t, *tp = &t;
		if (!x->have_first) {
			if (esc_tab_open(&x->first, x->f, path, err))
				return err->status;
			x->have_first = 1;
			if ((st = header(x, 1, err)))
				return st;
			tp = &x->first;
		} else if ((st = esc_tab_open(&t, x->f, path, err))) {
			esc_tab_close(&t);
			return st;
		}
		char *prefix = group_prefix(x, g);
		st = prefix ? write_rows(x, tp, prefix, err)
		            : esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		free(prefix);
		if (tp != &x->first)
			esc_tab_close(&t);
		any = 1;
	}
	if (st == ESC_OK && !any)
		st = esc_error_set(err, ESC_ERR_INPUT, o->arm ?
		                   "'%s': no arm '%s' (escsim inspect lists the arms)" :
		                   "'%s': the file has no arms", o->path, o->arm);
	return st;
}

static int summary_table(exporter *x, esc_error *err)
{
	const char *name = strcmp(x->o->table, "summary") == 0 ? "metrics"
	                   : x->o->table + strlen("summary/");
	char path[300];
	snprintf(path, sizeof path, "/summary/%s", name);
	if (!esc_h5_exists(x->f, path)) {
		char **names = NULL;
		size_t n = 0;
		char list[512] = "";
		esc_error ignore = {0};
		if (esc_h5_list(x->f, "/summary", &names, &n, &ignore) == ESC_OK)
			for (size_t i = 0; i < n; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				         i ? ", " : "", names[i]);
		esc_h5_free_names(names, n);
		return esc_error_set(err, ESC_ERR_INPUT, n ?
		                     "'%s': no summary table '%s' (the file has: %s)" :
		                     "'%s': no summary table '%s' (none yet: escsim "
		                     "report writes them)%s", x->o->path, name, list);
	}
	if (esc_tab_open(&x->first, x->f, path, err))
		return err->status;
	x->have_first = 1;
	int st = header(x, 0, err);
	return st ? st : write_rows(x, &x->first, "", err);
}

char *esc_export_sidecar_name(const char *out)
{
	size_t n = strlen(out);
	char *s = malloc(n + 16);
	if (!s)
		return NULL;
	memcpy(s, out, n + 1);
	if (n > 3 && strcmp(s + n - 3, ".gz") == 0)
		s[n -= 3] = '\0';
	if (n > 4 && (strcmp(s + n - 4, ".csv") == 0 || strcmp(s + n - 4, ".tsv") == 0))
		s[n -= 4] = '\0';
	strcat(s, ".columns.csv");
	return s;
}

static int sidecar(exporter *x, int arm_table, esc_out *sc, esc_error *err)
{
	char *name = esc_export_sidecar_name(x->o->out);
	if (!name)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = esc_out_open(sc, name, 0, err);
	free(name);
	if (st)
		return st;
	char *mem = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&mem, &len);
	if (!m)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	fputs("column,units,labels,description\n", m);
	each_column(m, x, arm_table, put_sidecar);
	fclose(m);
	esc_out_write(sc, mem, len);
	free(mem);
	return ESC_OK;
}

int esc_export(const esc_export_opts *o, esc_error *err)
{
	int arm_table = is_arm_table(o->table);
	if (!arm_table && strcmp(o->table, "summary") != 0 &&
	    strncmp(o->table, "summary/", 8) != 0)
		return esc_error_set(err, ESC_ERR_INPUT, "--table: expected runs, daily, "
		                     "events, messages, log, summary or summary/NAME, "
		                     "got '%s'", o->table);
	if (!arm_table && o->arm)
		return esc_error_set(err, ESC_ERR_INPUT, "%s", "--arm applies to the "
		                     "arms' tables, not to summary tables");
	const char *out = o->out && strcmp(o->out, "-") != 0 ? o->out : NULL;
	if (esc_out_check(out, o->path, "-o", err))
		return err->status;
	exporter x = { .o = o };
	if (!(x.f = esc_h5_open(o->path, err)))
		return err->status;
	int st = ESC_OK;
	if (arm_table) {
		x.sweep = esc_h5_exists(x.f, "/sweep/points");
		st = esc_tab_groups(x.f, &x.g, &x.ng, err);
		if (st == ESC_OK && x.sweep &&
		    (st = esc_tab_open(&x.points, x.f, "/sweep/points", err)) == ESC_OK)
			st = esc_tab_read(&x.points, 0, (size_t)x.points.nrows, err);
	}
	esc_out sc = {0};
	if (st == ESC_OK)
		st = esc_out_open(&x.out, out, o->gzip, err);
	if (st == ESC_OK)
		st = arm_table ? arm_tables(&x, err) : summary_table(&x, err);
	if (st == ESC_OK && out && o->units == ESC_UNITS_SIDECAR)
		st = sidecar(&x, arm_table, &sc, err);
	/* The table, then its sidecar, each renamed into place only when whole. */
	if (x.out.fp || x.out.gz) {
		int s2 = esc_out_close(&x.out, st == ESC_OK, err);
		st = st ? st : s2;
	}
	if (sc.fp || sc.gz) {
		int s2 = esc_out_close(&sc, st == ESC_OK, err);
		st = st ? st : s2;
	}
	if (st == ESC_OK)
		esc_log(ESC_LOG_INFO, "export: %lld rows of %s to %s", (long long)x.rows,
		        o->table, out ? out : "standard output");
	if (x.have_first)
		esc_tab_close(&x.first);
	if (x.sweep)
		esc_tab_close(&x.points);
	esc_tab_groups_free(x.g, x.ng);
	esc_h5_file_close(x.f);
	return st;
}
