/* html.c: the report as one self-contained HTML page (html.h).
 *
 * The page is built in a memory stream and written through outfile.h, so
 * the file appears whole.  Plots are drawn by analysis/plots.py into a
 * temporary folder as SVG and copied into the page (their XML prolog cut:
 * inline SVG is part of the HTML document).  matplotlib's SVG has its text
 * as paths and no external reference, so the page needs nothing else.
 * Everything read from the file is escaped. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escsim/h5_reader.h"
#include "escsim/log.h"
#include "escsim/html.h"
#include "outfile.h"
#include "escsim/pytool.h"
#include "table.h"

static void esc(FILE *m, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", m); break;
		case '>': fputs("&gt;", m); break;
		case '&': fputs("&amp;", m); break;
		case '"': fputs("&quot;", m); break;
		default: putc(*s, m);
		}
	}
}

static const char *style =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;"
	"padding:0 1em;color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;"
	"margin-top:2em}table{border-collapse:collapse;margin:.5em 0 1em;font-size:12px}"
	"th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}"
	"th{background:#f3f3f3}td.t,th.t{text-align:left}caption{text-align:left;"
	"font-weight:600;padding:4px 0}figure{margin:1em 0}figure svg{max-width:100%;"
	"height:auto}figcaption{color:#555;font-size:12px}pre{background:#f7f7f7;"
	"padding:.5em;overflow:auto;font-size:12px}.note{color:#666;font-size:12px}"
	"nav a{margin-right:1em}";

/* A float for a person: 4 significant digits (export has them all). */
static const char *cell(const esc_tab *t, size_t i, size_t j, char *buf, size_t size)
{
	if (t->col[j].kind == ESC_H5_COL_FLOAT) {
		double v = esc_tab_f64(t, i, j);
		if (v != v)
			return "";
		snprintf(buf, size, "%.4g", v);
		return buf;
	}
	return esc_tab_text(t, i, j, buf, size);
}

/* The table at PATH as an HTML table, at most ESC_HTML_MAX_ROWS rows. */
static void table(FILE *m, const esc_h5_file *f, const char *path,
                  const char *caption)
{
	esc_tab t;
	esc_error err = {0};
	if (esc_tab_open(&t, f, path, &err) != ESC_OK) {
		fprintf(m, "<p class=note>%s: unreadable: ", caption);
		esc(m, err.msg);
		fputs("</p>\n", m);
		esc_tab_close(&t);
		return;
	}
	size_t n = (size_t)(t.nrows < ESC_HTML_MAX_ROWS ? t.nrows : ESC_HTML_MAX_ROWS);
	if (esc_tab_read(&t, 0, n, &err) != ESC_OK)
		n = 0;
	fputs("<table><caption>", m);
	esc(m, caption);
	fputs("</caption>\n<tr>", m);
	for (size_t j = 0; j < t.ncols; j++) {
		const esc_tab_col *c = &t.col[j];
		int text = c->kind == ESC_H5_COL_STRING || (c->n_labels && !c->flag);
		fprintf(m, "<th%s title=\"", text ? " class=t" : "");
		esc(m, c->doc);
		fputs("\">", m);
		esc(m, c->name);
		if (*c->units && strcmp(c->units, "1") != 0) {
			fputs(" (", m);
			esc(m, c->units);
			fputs(")", m);
		}
		fputs("</th>", m);
	}
	fputs("</tr>\n", m);
	char buf[128];
	for (size_t i = 0; i < n; i++) {
		fputs("<tr>", m);
		for (size_t j = 0; j < t.ncols; j++) {
			const esc_tab_col *c = &t.col[j];
			int text = c->kind == ESC_H5_COL_STRING || (c->n_labels && !c->flag);
			fputs(text ? "<td class=t>" : "<td>", m);
			esc(m, cell(&t, i, j, buf, sizeof buf));
			fputs("</td>", m);
		}
		fputs("</tr>\n", m);
	}
	fputs("</table>\n", m);
	if ((int64_t)n < t.nrows)
		fprintf(m, "<p class=note>First %zu of %lld rows; all of them: "
		        "<code>escsim export FILE --table %s</code></p>\n", n,
		        (long long)t.nrows, path + 1);
	esc_tab_close(&t);
}

static void provenance(FILE *m, const esc_h5_file *f)
{
	char **names;
	size_t n;
	esc_error err = {0};
	fputs("<h2 id=provenance>Provenance</h2>\n<table>\n", m);
	if (esc_h5_attr_names(f, "/", &names, &n, &err) == ESC_OK) {
		for (size_t i = 0; i < n; i++) {
			char *v = NULL;
			if (esc_h5_get_attr_text(f, "/", names[i], &v, &err) != ESC_OK)
				continue;
			fputs("<tr><th class=t>", m);
			esc(m, names[i]);
			fputs("</th><td class=t>", m);
			esc(m, v);
			fputs("</td></tr>\n", m);
			free(v);
		}
		esc_h5_free_names(names, n);
	}
	fputs("</table>\n", m);
}

static void arms(FILE *m, const esc_h5_file *f)
{
	esc_tab_group *g;
	size_t n;
	esc_error err = {0};
	if (esc_tab_groups(f, &g, &n, &err) != ESC_OK)
		return;
	fputs("<h2 id=arms>Arms</h2>\n<table><tr><th class=t>group</th>"
	      "<th class=t>arm</th><th>point</th><th>replications</th>"
	      "<th class=t>overrides</th></tr>\n", m);
	for (size_t k = 0; k < n; k++) {
		char obj[600], *ov = NULL;
		int64_t rows = 0;
		snprintf(obj, sizeof obj, "/arms/%s", g[k].group);
		esc_h5_get_attr_text(f, obj, "overrides", &ov, &err);
		snprintf(obj, sizeof obj, "/arms/%s/runs", g[k].group);
		esc_h5_table_rows(f, obj, &rows, &err);
		fputs("<tr><td class=t>", m);
		esc(m, g[k].group);
		fputs("</td><td class=t>", m);
		esc(m, g[k].arm);
		if (g[k].point >= 0)
			fprintf(m, "</td><td>%lld", (long long)g[k].point);
		else
			fputs("</td><td>", m);
		fprintf(m, "</td><td>%lld</td><td class=t>", (long long)rows);
		esc(m, ov ? ov : "");
		fputs("</td></tr>\n", m);
		free(ov);
	}
	fputs("</table>\n", m);
	esc_tab_groups_free(g, n);
}

/* The summary tables in reading order: known ones first, any other after. */
static const char *const first[] = { "metrics", "differences", "binary",
	"tails", "survival_median", "decomposition", "survival" };
static const char *const sweep_tabs[] = { "sweep", "sweep_marginal" };

static int listed(const char *name, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

static void summary_table(FILE *m, const esc_h5_file *f, const char *name)
{
	char path[300], *title = NULL;
	esc_error err = {0};
	snprintf(path, sizeof path, "/summary/%s", name);
	if (!esc_h5_exists(f, path))
		return;
	esc_h5_get_attr_text(f, path, "TITLE", &title, &err);
	char cap[400];
	snprintf(cap, sizeof cap, "%s%s%s", path, title ? ": " : "",
	         title ? (strchr(title, ':') ? strchr(title, ':') + 2 : title) : "");
	table(m, f, path, cap);
	free(title);
}

static void summary(FILE *m, const esc_h5_file *f)
{
	fputs("<h2 id=summary>Comparison</h2>\n", m);
	if (!esc_h5_exists(f, "/summary")) {
		fputs("<p class=note>The file has no /summary: run <code>escsim "
		      "report FILE</code> without --no-store first.</p>\n", m);
		return;
	}
	char *by = NULL;
	esc_error err = {0};
	esc_h5_get_attr_text(f, "/summary", "command_line", &by, &err);
	if (by) {
		fputs("<p class=note>Stored by <code>", m);
		esc(m, by);
		fputs("</code>; means with 95% t intervals, paired differences "
		      "from the baseline arm (docs/analysis.md).</p>\n", m);
		free(by);
	}
	size_t nf = sizeof first / sizeof first[0];
	for (size_t i = 0; i < nf; i++)
		summary_table(m, f, first[i]);
	char **names;
	size_t n;
	if (esc_h5_list(f, "/summary", &names, &n, &err) != ESC_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (!listed(names[i], first, nf) && !listed(names[i], sweep_tabs, 2) &&
		    strcmp(names[i], "sensitivity") != 0)
			summary_table(m, f, names[i]);
	esc_h5_free_names(names, n);
}

static void sweep(FILE *m, const esc_h5_file *f)
{
	if (esc_h5_exists(f, "/sweep/points")) {
		fputs("<h2 id=sweep>Sweep</h2>\n", m);
		table(m, f, "/sweep/points", "/sweep/points: the design points");
		for (size_t i = 0; i < 2; i++)
			summary_table(m, f, sweep_tabs[i]);
	}
	if (esc_h5_exists(f, "/summary/sensitivity")) {
		fputs("<h2 id=sensitivity>Sensitivity</h2>\n", m);
		summary_table(m, f, "sensitivity");
	}
}

static void scenario(FILE *m, const esc_h5_file *f)
{
	char *src = NULL;
	esc_error err = {0};
	if (esc_h5_read_text(f, "/scenario/source", &src, &err) != ESC_OK)
		return;
	fputs("<h2 id=scenario>Scenario</h2>\n<details><summary>the scenario's "
	      "source (/scenario/source)</summary><pre>", m);
	esc(m, src);
	fputs("</pre></details>\n", m);
	free(src);
}

/* ----------------------------------------------------------------- plots */

/* plots.py's figures in reading order; any other after, by name. */
static int fig_rank(const char *name)
{
	static const char *const order[] = { "distributions", "differences",
		"ladder", "cell_timing", "survival", "sweep_" };
	for (int i = 0; i < 6; i++)
		if (strncmp(name, order[i], strlen(order[i])) == 0)
			return i;
	return 6;
}

static int cmp_fig(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int rx = fig_rank(x), ry = fig_rank(y);
	return rx != ry ? rx - ry : strcmp(x, y);
}

/* Copy DIR/NAME (an SVG) into the page from its <svg element on. */
static void inline_svg(FILE *m, const char *dir, const char *name)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *in = fopen(path, "rb");
	if (!in)
		return;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[65536];
	size_t k;
	while (mem && (k = fread(chunk, 1, sizeof chunk, in)) > 0)
		fwrite(chunk, 1, k, mem);
	fclose(in);
	if (!mem)
		return;
	fclose(mem);
	const char *svg = buf ? strstr(buf, "<svg") : NULL;
	if (svg) {
		char title[256];
		size_t tl = strlen(name) - 4;
		snprintf(title, sizeof title, "%.*s", (int)(tl < 255 ? tl : 255), name);
		fputs("<figure>", m);
		fputs(svg, m);
		fputs("<figcaption>", m);
		esc(m, title);
		fputs("</figcaption></figure>\n", m);
	}
	free(buf);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4400];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Draw the plots into a temporary folder and inline every SVG. */
static int figures(FILE *m, const esc_html_opts *o, esc_error *err)
{
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/escsim-html-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir))
		return esc_error_set(err, ESC_ERR_RUNTIME, "--html: cannot make a "
		                     "temporary folder for the plots in %s", dir);
	const char *args[] = { o->path, dir, "--format", "svg", "--quiet",
	                       o->baseline ? "--baseline" : NULL, o->baseline, NULL };
	int st = esc_pytool_run(o->argv0, "plots.py", args, "--html", err);
	fputs("<h2 id=figures>Figures</h2>\n", m);
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".svg") != 0)
			continue;
		if (n == cap) {
			char **v = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *v);
			if (!v)
				break;
			names = v;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof *names, cmp_fig);
	for (size_t i = 0; i < n; i++) {
		inline_svg(m, dir, names[i]);
		free(names[i]);
	}
	free(names);
	if (st)
		fputs("<p class=note>The plots could not be drawn (analysis/plots.py "
		      "failed: see the command's messages).</p>\n", m);
	remove_dir(dir);
	return st;
}

/* ------------------------------------------------------------------ page */

int esc_html_report(const esc_html_opts *o, esc_error *err)
{
	if (esc_out_check(o->out, o->path, "--html", err))
		return err->status;
	esc_h5_file *f = esc_h5_open(o->path, err);
	if (!f)
		return err->status;
	char *buf = NULL, *name = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		esc_h5_file_close(f);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	esc_error ignore = {0};
	esc_h5_get_attr_text(f, "/", "scenario_name", &name, &ignore);
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	      "<meta name=viewport content=\"width=device-width\">\n<title>escsim "
	      "report: ", m);
	esc(m, name ? name : o->path);
	fprintf(m, "</title>\n<style>%s</style></head><body>\n<h1>escsim report: ", style);
	esc(m, name ? name : "?");
	fputs("</h1>\n<p class=note>", m);
	esc(m, o->path);
	fputs("</p>\n<nav><a href=#arms>arms</a>", m);
	fputs(o->plots ? "<a href=#figures>figures</a>" : "", m);
	fputs("<a href=#summary>comparison</a>", m);
	if (esc_h5_exists(f, "/sweep/points"))
		fputs("<a href=#sweep>sweep</a>", m);
	if (esc_h5_exists(f, "/summary/sensitivity"))
		fputs("<a href=#sensitivity>sensitivity</a>", m);
	fputs("<a href=#provenance>provenance</a><a href=#scenario>scenario</a></nav>\n", m);
	free(name);
	arms(m, f);
	/* plots.py opens the file itself: not while we hold it open. */
	esc_h5_file_close(f);
	int st = o->plots ? figures(m, o, err) : ESC_OK;
	if ((f = esc_h5_open(o->path, &ignore))) {
		summary(m, f);
		sweep(m, f);
		provenance(m, f);
		scenario(m, f);
		esc_h5_file_close(f);
	}
	fputs("</body></html>\n", m);
	fclose(m);
	esc_out out;
	esc_error werr = {0};
	int wst = esc_out_open(&out, o->out, 0, &werr);
	if (wst == ESC_OK) {
		esc_out_write(&out, buf, len);
		wst = esc_out_close(&out, 1, &werr);
	}
	free(buf);
	if (wst) {
		*err = werr;
		return wst;
	}
	esc_log(ESC_LOG_INFO, "report: %s written (%zu bytes)", o->out, len);
	return st;
}
