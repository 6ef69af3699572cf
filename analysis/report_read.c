/* report_read.c: what the report reads of a result file (report_impl.h):
 * the provenance, the arms and the order of their runs' rows by rep, the
 * metric list, a metric's column of an arm in rep order, the pairing of two
 * arms by rep, an arm's survival curve read again, the sweep's points and
 * the baseline of each arm.  Only escsim/h5_reader.h touches the file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "escsim/h5_reader.h"
#include "report_impl.h"

int report_oom(esc_error *err)
{
	return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
}

/* The number under top-level KEY of the JSON object TEXT (the resolved
 * scenario an arm records), or NaN: also when TEXT is not JSON, or when
 * memory runs out parsing it (cJSON_Parse cannot tell which); the horizon
 * is then unknown, as in a file without it, and the report says so. */
static double json_top_number(const char *text, const char *key)
{
	cJSON *j = cJSON_Parse(text);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	cJSON_Delete(j);
	return x;
}

int report_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The metric list from the first arm's runs columns. */
static int find_metrics(report *r, esc_error *err)
{
	char path[256], **cols;
	size_t nc;
	snprintf(path, sizeof path, "/arms/%s/runs", r->a[0].name);
	if (esc_h5_table_columns(r->f, path, &cols, &nc, err))
		return err->status;
	r->m = calloc(nc + 2, sizeof *r->m);
	if (!r->m) {
		esc_h5_free_names(cols, nc);
		return report_oom(err);
	}
	int has_mil = 0, has_civ = 0;
	for (size_t i = 0; i < nc; i++) {
		if (!strcmp(cols[i], "rep") || !strcmp(cols[i], "seed"))
			continue;
		metric *m = &r->m[r->nm++];
		snprintf(m->name, sizeof m->name, "%s", cols[i]);
		char key[48], *u = NULL;
		esc_error ignore = {0};
		snprintf(key, sizeof key, "FIELD_%zu_UNITS", i);
		if (esc_h5_get_attr_text(r->f, path, key, &u, &ignore) == ESC_OK)
			snprintf(m->units, sizeof m->units, "%s", u);
		free(u);
		has_mil |= !strcmp(cols[i], "fatalities_mil");
		has_civ |= !strcmp(cols[i], "fatalities_civ");
		if (!strcmp(cols[i], "fatalities_civ") && has_mil) {
			metric *t = &r->m[r->nm++];
			snprintf(t->name, sizeof t->name, "fatalities_total");
			snprintf(t->units, sizeof t->units, "count");
			t->derived = DERIVED_TOTAL;
		} else if (!strcmp(cols[i], "first_crisis_h")) {
			metric *c = &r->m[r->nm++];
			snprintf(c->name, sizeof c->name, "crisis");
			snprintf(c->units, sizeof c->units, "1");
			c->derived = DERIVED_CRISIS;
		}
	}
	(void)has_civ;
	esc_h5_free_names(cols, nc);
	if (r->nm == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s': %s has no metric "
		                     "columns", r->o->path, path);
	return ESC_OK;
}

int report_metric_index(const report *r, const char *name)
{
	for (size_t j = 0; j < r->nm; j++)
		if (!strcmp(r->m[j].name, name))
			return (int)j;
	return -1;
}

typedef struct keyed {
	int64_t rep;
	size_t row;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	if (x->rep != y->rep)
		return (x->rep > y->rep) - (x->rep < y->rep);
	return (x->row > y->row) - (x->row < y->row);
}

/* Rows per read where rows go through a buffer on the stack. */
#define RBLOCK 2048

/* How arm A's rows are ordered.  The usual file (a batch writes rows in
 * rep order) needs nothing kept: reps rep0, rep0 + 1, ... in row order.
 * Ascending reps with gaps or repeats keep the reps; anything else also
 * keeps each row's place in rep order (rows sorted by rep, then row). */
static int read_order(const report *r, arm *a, const char *path, esc_error *err)
{
	int64_t blk[RBLOCK], prev = 0;
	int dense = 1, ascending = 1;
	for (size_t s = 0; s < a->n; s += RBLOCK) {
		size_t c = a->n - s < RBLOCK ? a->n - s : RBLOCK;
		if (esc_h5_read_i64(r->f, path, "rep", (int64_t)s, c, blk, err))
			return err->status;
		for (size_t i = 0; i < c; i++) {
			if (s + i == 0)
				a->rep0 = blk[i];
			else if (blk[i] < prev)
				ascending = dense = 0;
			if (dense && blk[i] != a->rep0 + (int64_t)(s + i))
				dense = 0;
			prev = blk[i];
		}
	}
	if (dense)
		return ESC_OK;
	size_t n1 = a->n ? a->n : 1;
	if (!(a->rep = malloc(n1 * sizeof *a->rep)))
		return report_oom(err);
	for (size_t s = 0; s < a->n; s += BLOCK) {
		size_t c = a->n - s < BLOCK ? a->n - s : BLOCK;
		if (esc_h5_read_i64(r->f, path, "rep", (int64_t)s, c, a->rep + s, err))
			return err->status;
	}
	if (ascending)
		return ESC_OK;
	keyed *k = malloc(n1 * sizeof *k);
	a->pos = malloc(n1 * sizeof *a->pos);
	if (!k || !a->pos) {
		free(k);
		return report_oom(err);
	}
	for (size_t i = 0; i < a->n; i++)
		k[i] = (keyed){ a->rep[i], i };
	qsort(k, a->n, sizeof *k, cmp_keyed);
	for (size_t i = 0; i < a->n; i++) {
		a->rep[i] = k[i].rep;
		a->pos[k[i].row] = i;
	}
	free(k);
	return ESC_OK;
}

static int read_arm(report *r, arm *a, esc_error *err)
{
	char path[256], obj[256];
	snprintf(obj, sizeof obj, "/arms/%s", a->name);
	snprintf(path, sizeof path, "/arms/%s/runs", a->name);
	esc_error ignore = {0};
	if (esc_h5_get_attr_text(r->f, obj, "overrides", &a->overrides, &ignore))
		a->overrides = strdup("");
	char *json = NULL;
	a->horizon_h = NAN;
	if (esc_h5_get_attr_text(r->f, obj, "resolved_json", &json, &ignore) == ESC_OK)
		a->horizon_h = json_top_number(json, "horizon_h");
	free(json);

	int64_t rows;
	if (esc_h5_table_rows(r->f, path, &rows, err))
		return err->status;
	a->n = (size_t)rows;
	return read_order(r, a, path, err);
}

enum { SET, ADD };

/* Column COL of arm A's runs in rep order, into OUT[0..n) (SET) or added
 * to it (ADD); NaN for an arm without that column (a merged older
 * file). */
static int load_column(const report *r, const arm *a, const char *col, int op,
                       double *out, esc_error *err)
{
	char path[256];
	snprintf(path, sizeof path, "/arms/%s/runs", a->name);
	if (!esc_h5_has_column(r->f, path, col)) {
		for (size_t i = 0; i < a->n; i++)
			out[i] = op == SET ? NAN : out[i] + NAN;
		return ESC_OK;
	}
	double blk[RBLOCK];
	for (size_t s = 0; s < a->n; ) {
		if (!a->pos && op == SET) {     /* straight into place */
			size_t c = a->n - s < BLOCK ? a->n - s : BLOCK;
			if (esc_h5_read_f64(r->f, path, col, (int64_t)s, c, out + s, err))
				return err->status;
			s += c;
			continue;
		}
		size_t c = a->n - s < RBLOCK ? a->n - s : RBLOCK;
		if (esc_h5_read_f64(r->f, path, col, (int64_t)s, c, blk, err))
			return err->status;
		for (size_t i = 0; i < c; i++) {
			size_t d = a->pos ? a->pos[s + i] : s + i;
			out[d] = op == SET ? blk[i] : out[d] + blk[i];
		}
		s += c;
	}
	return ESC_OK;
}

int report_load(const report *r, const arm *a, size_t j, double *out, esc_error *err)
{
	switch (r->m[j].derived) {
	case DERIVED_TOTAL:
		if (load_column(r, a, "fatalities_mil", SET, out, err) ||
		    load_column(r, a, "fatalities_civ", ADD, out, err))
			return err->status;
		return ESC_OK;
	case DERIVED_CRISIS:
		if (load_column(r, a, "first_crisis_h", SET, out, err))
			return err->status;
		for (size_t i = 0; i < a->n; i++)
			out[i] = isnan(out[i]) ? 0.0 : 1.0;
		return ESC_OK;
	default:
		return load_column(r, a, r->m[j].name, SET, out, err);
	}
}

int report_pair_next(pair_iter *p, size_t *ia, size_t *ib)
{
	const arm *x = p->x, *y = p->y;
	while (p->i < x->n && p->j < y->n) {
		int64_t rx = report_rep_at(x, p->i), ry = report_rep_at(y, p->j);
		if (rx < ry) {
			p->i++;
		} else if (rx > ry) {
			p->j++;
		} else {
			*ia = p->i;
			*ib = p->j;
			while (p->i < x->n && report_rep_at(x, p->i) == rx)
				p->i++;
			while (p->j < y->n && report_rep_at(y, p->j) == rx)
				p->j++;
			return 1;
		}
	}
	return 0;
}

size_t report_drop_nan(double *x, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[m++] = x[i];
	return m;
}

/* The Kaplan-Meier curve of arm A's time to first crisis, from X, its
 * first_crisis_h column in rep order (overwritten): the replications
 * without a crisis are censored at the horizon.  FN gets each point. */
static void km_curve(const arm *a, double *x, esc_km_fn fn, void *ctx)
{
	size_t m = report_drop_nan(x, a->n);
	qsort(x, m, sizeof *x, report_cmp_double);
	esc_stat_km_sorted(x, m, a->horizon_h, a->n - m, LEVEL, fn, ctx);
}

int report_arm_curve(const report *r, size_t k, esc_km_fn fn, void *ctx,
                     esc_error *err)
{
	const arm *a = &r->a[k];
	double *x = malloc((a->n ? a->n : 1) * sizeof *x);
	if (!x)
		return report_oom(err);
	int st = report_load(r, a, (size_t)r->crisis_time, x, err);
	if (st == ESC_OK)
		km_curve(a, x, fn, ctx);
	free(x);
	return st;
}

int report_arm_index(const report *r, const char *name)
{
	for (size_t k = 0; k < r->na; k++)
		if (!strcmp(r->a[k].name, name))
			return (int)k;
	return -1;
}

int report_sarm_index(const report *r, const char *name)
{
	for (size_t i = 0; i < r->n_sarm; i++)
		if (!strcmp(r->sarm[i], name))
			return (int)i;
	return -1;
}

static int cmp_arm(const void *x, const void *y)
{
	const arm *a = x, *b = y;
	if (a->point != b->point)
		return (a->point > b->point) - (a->point < b->point);
	return a->base_of - b->base_of;     /* here: the sweep arm's index */
}

/* With /sweep/points: the keys and point values, each group's point and
 * arm (attributes sweep_point, sweep_arm), groups ordered by point then arm.
 * Without: every arm is its own sweep arm, point -1. */
static int read_sweep(report *r, esc_error *err)
{
	esc_error ignore = {0};
	for (size_t k = 0; k < r->na; k++) {
		arm *a = &r->a[k];
		char obj[256];
		double pt;
		snprintf(obj, sizeof obj, "/arms/%s", a->name);
		a->point = -1;
		if (esc_h5_exists(r->f, "/sweep/points") &&
		    esc_h5_get_attr_double(r->f, obj, "sweep_point", &pt, &ignore) == ESC_OK &&
		    esc_h5_get_attr_text(r->f, obj, "sweep_arm", &a->sweep_arm, &ignore) == ESC_OK)
			a->point = (int64_t)pt;
		else if (!(a->sweep_arm = strdup(a->name)))
			return report_oom(err);
		if (a->point >= 0)
			r->sweep = 1;
	}
	/* Distinct sweep arm names, in the order /sweep's `arms` lists them. */
	r->sarm = calloc(r->na, sizeof *r->sarm);
	if (!r->sarm)
		return report_oom(err);
	char *listed = NULL;
	if (r->sweep && esc_h5_get_attr_text(r->f, "/sweep", "arms", &listed,
	                                     &ignore) == ESC_OK) {
		for (char *t = strtok(listed, ","); t; t = strtok(NULL, ","))
			if (report_sarm_index(r, t) < 0 && !(r->sarm[r->n_sarm++] = strdup(t))) {
				free(listed);
				return report_oom(err);
			}
	}
	free(listed);
	for (size_t k = 0; k < r->na; k++)
		if (report_sarm_index(r, r->a[k].sweep_arm) < 0) {
			if (r->n_sarm == r->na) {
				/* /sweep lists an arm no group has: make room. */
				char **v = realloc(r->sarm, (r->n_sarm + r->na) * sizeof *v);
				if (!v)
					return report_oom(err);
				r->sarm = v;
			}
			if (!(r->sarm[r->n_sarm++] = strdup(r->a[k].sweep_arm)))
				return report_oom(err);
		}
	if (!r->sweep)
		return ESC_OK;

	for (size_t k = 0; k < r->na; k++)
		r->a[k].base_of = report_sarm_index(r, r->a[k].sweep_arm);
	qsort(r->a, r->na, sizeof *r->a, cmp_arm);

	char **cols;
	size_t nc;
	int64_t rows;
	if (esc_h5_table_columns(r->f, "/sweep/points", &cols, &nc, err) ||
	    esc_h5_table_rows(r->f, "/sweep/points", &rows, err))
		return err->status;
	r->keys = calloc(nc ? nc : 1, sizeof *r->keys);
	r->n_points = (size_t)rows;
	r->point_id = calloc(r->n_points + 1, sizeof *r->point_id);
	r->pval = calloc((r->n_points + 1) * (nc ? nc : 1), sizeof *r->pval);
	double *col = calloc(r->n_points + 1, sizeof *col);
	int st = (r->keys && r->point_id && r->pval && col) ? ESC_OK : report_oom(err);
	for (size_t c = 0; st == ESC_OK && c < nc; c++) {
		if (!strcmp(cols[c], "point")) {
			st = esc_h5_read_i64(r->f, "/sweep/points", "point", 0,
			                     r->n_points, r->point_id, err);
			continue;
		}
		size_t j = r->n_keys++;
		if (!(r->keys[j] = strdup(cols[c]))) {
			st = report_oom(err);
			break;
		}
		st = esc_h5_read_f64(r->f, "/sweep/points", cols[c], 0, r->n_points,
		                     col, err);
		for (size_t i = 0; st == ESC_OK && i < r->n_points; i++)
			r->pval[i * nc + j] = col[i];
	}
	/* pval was laid out with nc columns; pack it to n_keys. */
	for (size_t i = 0; st == ESC_OK && i < r->n_points; i++)
		for (size_t j = 0; j < r->n_keys; j++)
			r->pval[i * r->n_keys + j] = r->pval[i * nc + j];
	free(col);
	esc_h5_free_names(cols, nc);
	return st;
}

long report_point_row(const report *r, int64_t p)
{
	for (size_t i = 0; i < r->n_points; i++)
		if (r->point_id[i] == p)
			return (long)i;
	return -1;
}

/* Which arm each arm is compared with: the baseline arm (--baseline, else
 * no_cell, else the first); in a sweep, the baseline arm at the same point. */
static int pick_baselines(report *r, esc_error *err)
{
	const char *want = r->o->baseline;
	int b = want ? report_sarm_index(r, want) : report_sarm_index(r, "no_cell");
	if (want && b < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "--baseline: '%s' has no "
		                     "arm '%s'", r->o->path, want);
	r->sbase = b < 0 ? 0 : (size_t)b;
	const char *bn = r->sarm[r->sbase];
	r->base = 0;
	for (size_t k = 0; k < r->na; k++)
		if (!strcmp(r->a[k].sweep_arm, bn)) {
			r->base = k;
			break;
		}
	for (size_t k = 0; k < r->na; k++) {
		arm *a = &r->a[k];
		a->base_of = -1;
		if (!strcmp(a->sweep_arm, bn))
			continue;
		for (size_t j = 0; j < r->na; j++)
			if (!strcmp(r->a[j].sweep_arm, bn) && r->a[j].point == a->point) {
				a->base_of = (int)j;
				break;
			}
	}
	return ESC_OK;
}


/* The provenance, the arms, the sweep and its design, the baselines, the
 * metrics and each arm's runs: everything report_compute needs. */
int report_read(report *r, esc_error *err)
{
	esc_error ignore = {0};
	esc_h5_get_attr_text(r->f, "/", "scenario_name", &r->provenance_name, &ignore);
	esc_h5_get_attr_text(r->f, "/", "created", &r->provenance_created, &ignore);
	esc_h5_get_attr_text(r->f, "/", "complete", &r->provenance_complete, &ignore);
	esc_h5_get_attr_text(r->f, "/", "seed", &r->provenance_seed, &ignore);
	esc_h5_get_attr_text(r->f, "/", "reps", &r->provenance_reps, &ignore);

	r->na = esc_h5_n_arms(r->f);
	if (r->na == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "'%s' has no arms", r->o->path);
	if (!(r->a = calloc(r->na, sizeof *r->a)))
		return report_oom(err);
	for (size_t k = 0; k < r->na; k++)
		if (!(r->a[k].name = strdup(esc_h5_arm_name(r->f, k))))
			return report_oom(err);
	int st;
	if ((st = read_sweep(r, err)) || (st = report_read_design(r, err)) ||
	    (st = pick_baselines(r, err)) || (st = find_metrics(r, err)))
		return st;
	r->bin_metric[0] = report_metric_index(r, "spiral");
	r->bin_metric[1] = report_metric_index(r, "crisis");
	for (int t = 0; t < N_TAILS; t++)
		r->tail_metric[t] = report_metric_index(r, report_tail_names[t]);
	r->crisis_time = report_metric_index(r, "first_crisis_h");
	for (size_t k = 0; k < r->na; k++)
		if ((st = read_arm(r, &r->a[k], err)))
			return st;
	return ESC_OK;
}
