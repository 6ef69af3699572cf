/* report.c: the comparison report (report.h): read the runs tables, compute
 * the statistics of stats.h, print them as text, CSV or JSON, store them
 * under /summary, and run analysis/plots.py.
 *
 * Metrics are the runs table's numeric columns (all but rep and seed, in
 * file order, so columns a later model adds are reported without a change
 * here), plus two derived ones: fatalities_total = fatalities_mil +
 * fatalities_civ, and crisis = 1 if first_crisis_h is not NaN.  A NaN value
 * (cell_mean_latency_h without an answered request, first_crisis_h without
 * a crisis) leaves that replication out of that metric's mean, so the mean
 * of first_crisis_h is over the replications that had a crisis; the
 * survival curve is the unconditional view.
 *
 * Pairing: arm and baseline rows are matched on rep (both sorted by rep), so
 * files with missing replications (interrupted runs, merged shards) compare
 * only what both arms have.
 *
 * Memory does not hold the runs tables: each metric is read as one column
 * per arm (and its baseline's), in rep order, its statistics computed and
 * the column dropped; survival curves are summarised as they stream and
 * computed again where every point is wanted (JSON, /summary/survival).
 * 100,000 replications cost a column of 0.8 MB (three for a comparison).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "escsim/h5_reader.h"
#include "escsim/sweep.h"
#include "escsim/text.h"
#include "pytool.h"
#include "report.h"
#include "sensitivity.h"
#include "stats.h"

#ifndef ESCSIM_VERSION
#define ESCSIM_VERSION "unknown"
#endif

#define LEVEL 0.95
#define BLOCK 65536

enum { DERIVED_NONE, DERIVED_TOTAL, DERIVED_CRISIS };

typedef struct metric {
	char name[64];
	char units[32];
	int derived;
} metric;

typedef struct arm {
	char *name;
	char *overrides;
	size_t n;                  /* replications (rows of runs) */
	int64_t *rep;              /* reps in ascending order; NULL when they
	                              are rep0, rep0 + 1, ... (rep_at) */
	int64_t rep0;
	size_t *pos;               /* pos[row]: the row's place in rep order;
	                              NULL when the rows are in rep order */
	size_t pairs;              /* replications paired with base_of */
	double horizon_h;          /* NaN if unknown */
	int64_t point;             /* sweep point (attribute sweep_point), or -1 */
	char *sweep_arm;           /* attribute sweep_arm, or the group name */
	int base_of;               /* the arm it is compared with, or -1 */
	int differs;               /* some paired replication differs from
	                              base_of's on some metric */
} arm;

/* The survival curve of an arm, summarised as it streams past (the curve
 * itself can have a point per replication; JSON and /summary compute it
 * again, one arm at a time). */
#define N_KM_AT 5
static const double km_at_days[N_KM_AT - 1] = { 7, 30, 90, 180 };
typedef struct km_sum {
	int has;                   /* first_crisis_h and a known horizon */
	size_t points;
	int64_t events;
	esc_interval median;
	double at_h[N_KM_AT];      /* 7, 30, 90, 180 days and the horizon */
	double s_at[N_KM_AT];      /* S there (right-continuous step) */
	int past[N_KM_AT];
} km_sum;

typedef struct binary_res {
	esc_interval share;
	int64_t yes;               /* replications with the outcome */
	int64_t pairs;             /* pairs with both values, vs the baseline */
	double diff;               /* share difference over those pairs */
	esc_mcnemar mc;
} binary_res;

/* compare --decompose (docs/analysis.md): the cell arm with one mechanism
 * at a time, on the same replications.  Rows of the decomposition: each
 * mechanism's arm against the baseline, the interaction (what the whole
 * cell does beyond the sum of the three), and the whole cell. */
#define N_MECH 5
static const char *const mech_names[N_MECH] = {
	"answers", "notices", "enforcement", "interaction", "all",
};
static const char *const mech_arms[N_MECH - 2] = {
	"answers_only", "notices_only", "enforcement_only",
};
#define N_DMETRICS 8
static const char *const dmetric_names[N_DMETRICS] = {
	"retaliations", "misattributed_retaliations", "fatalities_civ", "fatalities_total",
	"max_level", "hours_at_or_above_6", "spiral", "crisis",
};

static const char *const tail_names[] = {
	"fatalities_mil", "fatalities_civ", "fatalities_total",
};
#define N_TAILS 3
static const double tail_q[] = { 0.90, 0.99 };
#define N_Q 2

typedef struct report {
	const esc_report_opts *o;
	FILE *out;
	esc_h5_file *f;
	metric *m;
	size_t nm;
	arm *a;
	size_t na;
	size_t base;
	int64_t paired_all;        /* replications present in every arm */
	esc_interval *mean;        /* [arm * nm + metric] */
	esc_interval *diff;        /* [arm * nm + metric]; n = 0 for the baseline */
	double *diff_p;
	int bin_metric[2];         /* metric indices of spiral and crisis, or -1 */
	binary_res *bin;           /* [arm * 2 + k] */
	int tail_metric[N_TAILS];
	esc_interval *tail;        /* [(arm * N_TAILS + t) * N_Q + q] */
	int crisis_time;           /* metric index of first_crisis_h, or -1 */
	km_sum *km;                /* per arm */
	unsigned char *constant;   /* [arm * nm + metric]: the same value in every
	                              replication that has one */
	/* compare --decompose: the arms cell, answers_only, notices_only and
	 * enforcement_only beside the baseline (decompose < 0: not there). */
	int decompose;             /* index of the cell arm, or -1 */
	int dmech[N_MECH - 2];     /* the one-mechanism arms */
	int dmetric[N_DMETRICS];   /* metric indices, -1 where missing */
	esc_interval *ddiff;       /* [dm * N_MECH + mech]: paired difference */
	esc_interval *dshare;      /* its share of the cell's difference */
	char *provenance_name, *provenance_created, *provenance_complete;
	char *provenance_seed, *provenance_reps;
	/* Sweeps (/sweep/points): arm groups are ARM.p<k>, compared with the
	 * baseline arm at the same point, and summarised along each key. */
	int sweep;
	size_t n_keys, n_points;
	char **keys;               /* the varied keys (columns of /sweep/points) */
	int64_t *point_id;         /* per row of /sweep/points */
	double *pval;              /* [row * n_keys + key] */
	char **sarm;               /* distinct sweep arm names, in arm order */
	size_t n_sarm;
	size_t sbase;              /* index in sarm of the baseline */
	struct marginal *marg;
	size_t n_marg;
	/* Saltelli and Morris designs (/sweep/design): per row of
	 * /sweep/points its block, role, key and step, and the indices. */
	char *design;              /* /sweep's attribute design, or NULL */
	char *design_levels;       /* its attribute levels (morris), or NULL */
	int64_t *d_block;
	int *d_role, *d_key;
	double *d_step;
	struct sens *sens;
	size_t n_sens;
} report;

/* A metric's paired difference (arm minus baseline, each at the same point)
 * averaged over the points where key `key` has value `value`: per
 * replication the mean over those points, then a t interval over
 * replications. */
typedef struct marginal {
	size_t sarm, key;
	double value;
	size_t metric;
	int64_t points;
	esc_interval d;
	double p;
} marginal;

/* ------------------------------------------------------------- utilities */

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int oom(esc_error *err)
{
	return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
}

/* The number under top-level KEY of a JSON object, or NaN.  Enough JSON for
 * resolved_json, which the simulator writes: strings with escapes, nesting. */
static double json_top_number(const char *s, const char *key)
{
	int depth = 0;
	size_t klen = strlen(key);
	for (const char *p = s; p && *p; p++) {
		if (*p == '"') {
			const char *start = ++p;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (!*p)
				return NAN;
			if (depth == 1 && (size_t)(p - start) == klen &&
			    !strncmp(start, key, klen)) {
				const char *q = p + 1;
				while (*q == ' ')
					q++;
				if (*q != ':')
					continue;
				char *end;
				double v = strtod(q + 1, &end);
				return end == q + 1 ? NAN : v;
			}
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	return NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* --------------------------------------------------------------- reading */

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
		return oom(err);
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

static int metric_index(const report *r, const char *name)
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

/* The rep of arm A's i-th row in rep order. */
static int64_t rep_at(const arm *a, size_t i)
{
	return a->rep ? a->rep[i] : a->rep0 + (int64_t)i;
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
		return oom(err);
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
		return oom(err);
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
		a->overrides = dup_str("");
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

/* Metric J of arm A in rep order into OUT[0..a->n): a runs column, or a
 * derived one. */
static int load(const report *r, const arm *a, size_t j, double *out, esc_error *err)
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

/* Walks the rows (in rep order) of arms X and Y with the same rep; a
 * repeated rep pairs once, on its first row. */
typedef struct pair_iter {
	const arm *x, *y;
	size_t i, j;
} pair_iter;

static int pair_next(pair_iter *p, size_t *ia, size_t *ib)
{
	const arm *x = p->x, *y = p->y;
	while (p->i < x->n && p->j < y->n) {
		int64_t rx = rep_at(x, p->i), ry = rep_at(y, p->j);
		if (rx < ry) {
			p->i++;
		} else if (rx > ry) {
			p->j++;
		} else {
			*ia = p->i;
			*ib = p->j;
			while (p->i < x->n && rep_at(x, p->i) == rx)
				p->i++;
			while (p->j < y->n && rep_at(y, p->j) == rx)
				p->j++;
			return 1;
		}
	}
	return 0;
}

/* Moves the non-NaN values of X[0..n) to its front, in order; returns how
 * many. */
static size_t drop_nan(double *x, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[m++] = x[i];
	return m;
}

static void km_summarise(const esc_km_point *p, void *ctx)
{
	km_sum *s = ctx;
	esc_stat_km_median_add(&s->median, p, s->points == 0);
	s->events += p->events;
	for (int q = 0; q < N_KM_AT; q++) {
		/* The last point at or before at_h, as a walk that stops at the
		 * first point after it. */
		if (p->t > s->at_h[q])
			s->past[q] = 1;
		else if (!s->past[q])
			s->s_at[q] = p->s;
	}
	s->points++;
}

/* The Kaplan-Meier curve of arm A's time to first crisis, from X, its
 * first_crisis_h column in rep order (overwritten): the replications
 * without a crisis are censored at the horizon.  FN gets each point. */
static void km_curve(const arm *a, double *x, esc_km_fn fn, void *ctx)
{
	size_t m = drop_nan(x, a->n);
	qsort(x, m, sizeof *x, cmp_double);
	esc_stat_km_sorted(x, m, a->horizon_h, a->n - m, LEVEL, fn, ctx);
}

/* Arm K's curve again (it is not kept), read from the file. */
static int arm_curve(const report *r, size_t k, esc_km_fn fn, void *ctx,
                     esc_error *err)
{
	const arm *a = &r->a[k];
	double *x = malloc((a->n ? a->n : 1) * sizeof *x);
	if (!x)
		return oom(err);
	int st = load(r, a, (size_t)r->crisis_time, x, err);
	if (st == ESC_OK)
		km_curve(a, x, fn, ctx);
	free(x);
	return st;
}

/* ----------------------------------------------------------- statistics */

/* Row of arm A holding rep WANT (its first), or -1. */
static long find_rep(const arm *a, int64_t want)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rep_at(a, mid) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && rep_at(a, lo) == want ? (long)lo : -1;
}


/* Every statistic, one metric of one arm at a time: memory is a column of
 * the arm, and of its baseline and their differences when it has one, not
 * the runs tables (the report of 100,000 replications needs a few MB). */
static int compute(report *r, esc_error *err)
{
	size_t na = r->na, nm = r->nm;
	size_t maxn = 1;
	int paired = 0;
	for (size_t k = 0; k < na; k++) {
		if (r->a[k].n > maxn)
			maxn = r->a[k].n;
		paired |= r->a[k].base_of >= 0;
	}
	double *col = malloc(maxn * sizeof *col);
	double *bcol = paired ? malloc(maxn * sizeof *bcol) : NULL;
	double *buf = paired ? malloc(maxn * sizeof *buf) : NULL;
	r->mean = calloc(na * nm, sizeof *r->mean);
	r->diff = calloc(na * nm, sizeof *r->diff);
	r->diff_p = calloc(na * nm, sizeof *r->diff_p);
	r->bin = calloc(na * 2, sizeof *r->bin);
	r->tail = calloc(na * N_TAILS * N_Q, sizeof *r->tail);
	r->km = calloc(na, sizeof *r->km);
	r->constant = calloc(na * nm, 1);
	int st = ESC_OK;
	if (!col || (paired && (!bcol || !buf)) || !r->mean || !r->diff ||
	    !r->diff_p || !r->bin || !r->tail || !r->km || !r->constant) {
		st = oom(err);
		goto out;
	}
	for (size_t k = 0; k < na; k++) {
		arm *a = &r->a[k];
		int has_base = a->base_of >= 0;
		const arm *b = &r->a[has_base ? (size_t)a->base_of : k];
		a->pairs = 0;
		if (has_base) {
			size_t ia, ib;
			pair_iter it = { a, b, 0, 0 };
			while (pair_next(&it, &ia, &ib))
				a->pairs++;
		}
		for (int q = 0; q < 2; q++) {
			binary_res *br = &r->bin[k * 2 + q];
			memset(br, 0, sizeof *br);
			br->diff = NAN;
			br->mc = esc_stat_mcnemar(0, 0);
		}
		for (int t = 0; t < N_TAILS; t++)
			for (int q = 0; r->tail_metric[t] < 0 && q < N_Q; q++)
				r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q] =
					esc_stat_quantile(col, 0, tail_q[q], LEVEL);
		km_sum *ks = &r->km[k];
		ks->median = esc_stat_km_median(NULL, 0);
		ks->has = r->crisis_time >= 0 && !isnan(a->horizon_h);
		for (int q = 0; q < N_KM_AT; q++) {
			ks->at_h[q] = q < N_KM_AT - 1 ? 24 * km_at_days[q] : a->horizon_h;
			ks->s_at[q] = NAN;
		}

		for (size_t j = 0; j < nm; j++) {
			if ((st = load(r, a, j, col, err)))
				goto out;
			/* Paired differences, over the replications both have. */
			r->diff_p[k * nm + j] = NAN;
			if (!has_base) {
				r->diff[k * nm + j] = esc_stat_mean_t(NULL, 0, LEVEL);
			} else {
				if ((st = load(r, b, j, bcol, err)))
					goto out;
				size_t n = 0, ia, ib;
				pair_iter it = { a, b, 0, 0 };
				while (pair_next(&it, &ia, &ib)) {
					double x = col[ia], y = bcol[ib];
					if (!isnan(x) && !isnan(y))
						buf[n++] = x - y;
					if (x != y && !(isnan(x) && isnan(y)))
						a->differs = 1;
				}
				r->diff[k * nm + j] = esc_stat_mean_t(buf, n, LEVEL);
				r->diff_p[k * nm + j] = esc_stat_t_pvalue(buf, n);
			}
			/* 0/1 outcomes. */
			for (int q = 0; q < 2; q++) {
				if (r->bin_metric[q] != (int)j)
					continue;
				binary_res *br = &r->bin[k * 2 + q];
				int64_t n = 0, yes = 0;
				for (size_t i = 0; i < a->n; i++) {
					if (isnan(col[i]))
						continue;
					n++;
					yes += col[i] != 0;
				}
				br->share = esc_stat_wilson(yes, n, LEVEL);
				br->yes = yes;
				if (!has_base)
					continue;
				int64_t bb = 0, cc = 0, ya = 0, yb = 0, np = 0;
				size_t ia, ib;
				pair_iter it = { a, b, 0, 0 };
				while (pair_next(&it, &ia, &ib)) {
					double x = col[ia], y = bcol[ib];
					if (isnan(x) || isnan(y))
						continue;
					np++;
					ya += x != 0;
					yb += y != 0;
					bb += x != 0 && y == 0;
					cc += x == 0 && y != 0;
				}
				br->pairs = np;
				br->diff = np ? (double)(ya - yb) / (double)np : NAN;
				br->mc = esc_stat_mcnemar(bb, cc);
			}
			/* The mean over the replications that have a value (in rep
			 * order: the sum's rounding depends on it). */
			size_t n = drop_nan(col, a->n);
			r->mean[k * nm + j] = esc_stat_mean_t(col, n, LEVEL);
			int same = n > 0;
			for (size_t i = 1; same && i < n; i++)
				same = col[i] == col[0];
			r->constant[k * nm + j] = (unsigned char)same;
			/* Tails: exact quantiles of the sorted column. */
			int sorted = 0;
			for (int t = 0; t < N_TAILS; t++) {
				if (r->tail_metric[t] != (int)j)
					continue;
				if (!sorted++)
					qsort(col, n, sizeof *col, cmp_double);
				for (int q = 0; q < N_Q; q++)
					r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q] =
						esc_stat_quantile(col, n, tail_q[q], LEVEL);
			}
			/* Time to first crisis: the crisis times sorted, the others
			 * censored at the horizon. */
			if ((int)j == r->crisis_time && ks->has) {
				if (!sorted++)
					qsort(col, n, sizeof *col, cmp_double);
				esc_stat_km_sorted(col, n, a->horizon_h, a->n - n, LEVEL,
				                   km_summarise, ks);
			}
		}
	}
	/* Replications every arm has. */
	const arm *b = &r->a[r->base];
	r->paired_all = 0;
	for (size_t i = 0; i < b->n; i++) {
		int all = 1;
		int64_t want = rep_at(b, i);
		if (i > 0 && want == rep_at(b, i - 1))
			continue;
		for (size_t k = 0; all && k < na; k++)
			all = find_rep(&r->a[k], want) >= 0;
		r->paired_all += all;
	}
out:
	free(col);
	free(bcol);
	free(buf);
	return st;
}

/* -------------------------------------------------------- decomposition */

static int arm_index(const report *r, const char *name)
{
	for (size_t k = 0; k < r->na; k++)
		if (!strcmp(r->a[k].name, name))
			return (int)k;
	return -1;
}

/* The file has the arms compare --decompose writes: cell, the three
 * one-mechanism arms, all compared with the same baseline. */
static void find_decomposition(report *r)
{
	r->decompose = -1;
	int cell = arm_index(r, "cell");
	if (r->sweep || cell < 0 || r->a[cell].base_of < 0)
		return;
	for (int m = 0; m < N_MECH - 2; m++) {
		r->dmech[m] = arm_index(r, mech_arms[m]);
		if (r->dmech[m] < 0 || r->a[r->dmech[m]].base_of != r->a[cell].base_of)
			return;
	}
	for (int j = 0; j < N_DMETRICS; j++)
		r->dmetric[j] = metric_index(r, dmetric_names[j]);
	r->decompose = cell;
}

/* Each mechanism's paired difference from the baseline, over the
 * replications all five arms have, and its share of the whole cell's:
 * mean(arm - base) / mean(cell - base), a ratio of means with the delta
 * method's interval.  The interaction is the cell's difference minus the
 * three mechanisms' (per replication). */
static int decompose(report *r, esc_error *err)
{
	if (r->decompose < 0)
		return ESC_OK;
	const arm *b = &r->a[r->a[r->decompose].base_of];
	int idx[N_MECH - 1];                   /* the mechanisms' arms, then the cell */
	for (int m = 0; m < N_MECH - 2; m++)
		idx[m] = r->dmech[m];
	idx[N_MECH - 2] = r->decompose;
	size_t n = b->n ? b->n : 1;
	double *col[N_MECH] = {0}, *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w);
	double *x[N_MECH] = {0};
	int st = ESC_OK;
	r->ddiff = calloc(N_DMETRICS * N_MECH, sizeof *r->ddiff);
	r->dshare = calloc(N_DMETRICS * N_MECH, sizeof *r->dshare);
	for (int m = 0; m < N_MECH; m++) {
		size_t an = m < N_MECH - 1 ? r->a[idx[m]].n : b->n;
		col[m] = malloc((an ? an : 1) * sizeof *col[m]);
		x[m] = malloc(n * sizeof *x[m]);
		if (!col[m] || !x[m])
			st = ESC_ERR_RUNTIME;
	}
	if (st || !y || !w || !r->ddiff || !r->dshare) {
		st = oom(err);
		goto out;
	}
	for (int j = 0; j < N_DMETRICS; j++) {
		int mj = r->dmetric[j];
		if (mj < 0)
			continue;
		/* col[0..3]: the three mechanisms and the cell; col[4]: the baseline */
		for (int m = 0; m < N_MECH && !st; m++)
			st = load(r, m < N_MECH - 1 ? &r->a[idx[m]] : b, (size_t)mj, col[m], err);
		if (st)
			goto out;
		size_t k = 0;
		for (size_t i = 0; i < b->n; i++) {
			int64_t rep = rep_at(b, i);
			if (i > 0 && rep == rep_at(b, i - 1))
				continue;
			double v[N_MECH - 1], base = col[N_MECH - 1][i];
			int ok = !isnan(base);
			for (int m = 0; ok && m < N_MECH - 1; m++) {
				long p = find_rep(&r->a[idx[m]], rep);   /* columns are in rep order */
				v[m] = p < 0 ? NAN : col[m][p];
				ok = !isnan(v[m]);
			}
			if (!ok)
				continue;
			y[k] = v[N_MECH - 2] - base;           /* the whole cell */
			double rest = y[k];
			for (int m = 0; m < N_MECH - 2; m++) {
				x[m][k] = v[m] - base;
				rest -= x[m][k];
			}
			x[N_MECH - 2][k] = rest;               /* interaction */
			x[N_MECH - 1][k] = y[k];               /* all */
			k++;
		}
		for (int m = 0; m < N_MECH; m++) {
			r->ddiff[j * N_MECH + m] = esc_stat_mean_t(x[m], k, LEVEL);
			r->dshare[j * N_MECH + m] = esc_stat_ratio_t(x[m], y, w, k, LEVEL);
		}
	}
out:
	for (int m = 0; m < N_MECH; m++) {
		free(col[m]);
		free(x[m]);
	}
	free(y);
	free(w);
	return st;
}

/* ----------------------------------------------------------------- sweeps */

static int sarm_index(const report *r, const char *name)
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
		else if (!(a->sweep_arm = dup_str(a->name)))
			return oom(err);
		if (a->point >= 0)
			r->sweep = 1;
	}
	/* Distinct sweep arm names, in the order /sweep's `arms` lists them. */
	r->sarm = calloc(r->na, sizeof *r->sarm);
	if (!r->sarm)
		return oom(err);
	char *listed = NULL;
	if (r->sweep && esc_h5_get_attr_text(r->f, "/sweep", "arms", &listed,
	                                     &ignore) == ESC_OK) {
		for (char *t = strtok(listed, ","); t; t = strtok(NULL, ","))
			if (sarm_index(r, t) < 0 && !(r->sarm[r->n_sarm++] = dup_str(t))) {
				free(listed);
				return oom(err);
			}
	}
	free(listed);
	for (size_t k = 0; k < r->na; k++)
		if (sarm_index(r, r->a[k].sweep_arm) < 0) {
			if (r->n_sarm == r->na) {
				/* /sweep lists an arm no group has: make room. */
				char **v = realloc(r->sarm, (r->n_sarm + r->na) * sizeof *v);
				if (!v)
					return oom(err);
				r->sarm = v;
			}
			if (!(r->sarm[r->n_sarm++] = dup_str(r->a[k].sweep_arm)))
				return oom(err);
		}
	if (!r->sweep)
		return ESC_OK;

	for (size_t k = 0; k < r->na; k++)
		r->a[k].base_of = sarm_index(r, r->a[k].sweep_arm);
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
	int st = (r->keys && r->point_id && r->pval && col) ? ESC_OK : oom(err);
	for (size_t c = 0; st == ESC_OK && c < nc; c++) {
		if (!strcmp(cols[c], "point")) {
			st = esc_h5_read_i64(r->f, "/sweep/points", "point", 0,
			                     r->n_points, r->point_id, err);
			continue;
		}
		size_t j = r->n_keys++;
		if (!(r->keys[j] = dup_str(cols[c]))) {
			st = oom(err);
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

/* The row of /sweep/points for point id P, or -1. */
static long point_row(const report *r, int64_t p)
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
	int b = want ? sarm_index(r, want) : sarm_index(r, "no_cell");
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

typedef struct rep_diff {
	int64_t rep;
	double d;
} rep_diff;

static int cmp_rep_diff(const void *x, const void *y)
{
	const rep_diff *a = x, *b = y;
	return (a->rep > b->rep) - (a->rep < b->rep);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Designs whose keys take a few values each, so that a key's value is
 * shared by several points (the others give every point its own). */
static int has_levels(const report *r)
{
	return !r->design || !strcmp(r->design, "grid") ||
	       !strcmp(r->design, "sobol") || !strcmp(r->design, "morris");
}

static int marginals(report *r, esc_error *err)
{
	if (!r->sweep || r->n_keys == 0 || !has_levels(r))
		return ESC_OK;
	size_t total = 0, nm = r->nm, maxn = 1;
	for (size_t k = 0; k < r->na; k++) {
		if (r->a[k].base_of >= 0)
			total += r->a[k].pairs;
		if (r->a[k].n > maxn)
			maxn = r->a[k].n;
	}
	double *vals = malloc((r->n_points + 1) * sizeof *vals);
	rep_diff *rd = malloc((total + 1) * sizeof *rd);
	double *x = malloc((total + 1) * sizeof *x);
	double *col = malloc(maxn * sizeof *col);
	double *bcol = malloc(maxn * sizeof *bcol);
	size_t cap = r->n_sarm * r->n_keys * (r->n_points + 1) * nm + 1;
	r->marg = calloc(cap, sizeof *r->marg);
	int st = ESC_OK;
	if (!vals || !rd || !x || !col || !bcol || !r->marg) {
		st = oom(err);
		goto out;
	}
	for (size_t sa = 0; sa < r->n_sarm; sa++) {
		if (sa == r->sbase)
			continue;
		for (size_t key = 0; key < r->n_keys; key++) {
			/* Distinct values of this key. */
			size_t nv = 0;
			for (size_t i = 0; i < r->n_points; i++)
				vals[nv++] = r->pval[i * r->n_keys + key];
			qsort(vals, nv, sizeof *vals, cmp_dbl);
			size_t u = 0;
			for (size_t i = 0; i < nv; i++)
				if (u == 0 || vals[i] != vals[u - 1])
					vals[u++] = vals[i];
			for (size_t vi = 0; vi < u; vi++) {
				for (size_t j = 0; j < nm; j++) {
					size_t n = 0;
					int64_t groups = 0;
					for (size_t k = 0; k < r->na; k++) {
						const arm *a = &r->a[k];
						long row = point_row(r, a->point);
						if (a->base_of < 0 || row < 0 ||
						    strcmp(a->sweep_arm, r->sarm[sa]) ||
						    r->pval[(size_t)row * r->n_keys + key] != vals[vi])
							continue;
						groups++;
						const arm *b = &r->a[a->base_of];
						if ((st = load(r, a, j, col, err)) ||
						    (st = load(r, b, j, bcol, err)))
							goto out;
						size_t ia, ib;
						pair_iter it = { a, b, 0, 0 };
						while (pair_next(&it, &ia, &ib)) {
							double d = col[ia] - bcol[ib];
							if (!isnan(d))
								rd[n++] = (rep_diff){ rep_at(a, ia), d };
						}
					}
					if (groups == 0)
						continue;
					/* Per replication, the mean over the points it has
					 * at every one of them. */
					qsort(rd, n, sizeof *rd, cmp_rep_diff);
					size_t nx = 0;
					for (size_t i = 0; i < n; ) {
						size_t e = i;
						double sum = 0;
						while (e < n && rd[e].rep == rd[i].rep)
							sum += rd[e++].d;
						if ((int64_t)(e - i) == groups)
							x[nx++] = sum / (double)groups;
						i = e;
					}
					marginal *mg = &r->marg[r->n_marg++];
					mg->sarm = sa;
					mg->key = key;
					mg->value = vals[vi];
					mg->metric = j;
					mg->points = groups;
					mg->d = esc_stat_mean_t(x, nx, LEVEL);
					mg->p = esc_stat_t_pvalue(x, nx);
				}
			}
		}
	}
out:
	free(vals);
	free(rd);
	free(x);
	free(col);
	free(bcol);
	return st;
}

/* ------------------------------------------------------------ sensitivity */

/* One row of /summary/sensitivity: one varied key's indices for one metric
 * of one series, the metric as a function of the design point: a sweep
 * arm's mean per point (base -1), or its mean paired difference from the
 * baseline arm at each point. */
typedef struct sens {
	int32_t sarm, base, metric, key;
	int64_t n;                 /* base rows (saltelli), trajectories (morris) */
	double variance;           /* saltelli: of the metric over A and B */
	esc_sobol_index s;
	esc_morris_index mo;
} sens;

enum { SENS_NONE, SENS_SOBOL, SENS_MORRIS };

static int sens_kind(const report *r)
{
	if (!r->sweep || !r->design || !r->d_role)
		return SENS_NONE;
	return !strcmp(r->design, "saltelli") ? SENS_SOBOL :
	       !strcmp(r->design, "morris") ? SENS_MORRIS : SENS_NONE;
}

/* Rows of /sweep/design into d_* by row of /sweep/points. */
static int design_rows(report *r, size_t n, const int64_t *pt, const int64_t *v,
                       const double *step, esc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		long row = point_row(r, pt[i]);
		const int64_t *x = v + 3 * i;      /* block, role, key */
		if (row < 0 || x[0] < 0 || x[0] >= (int64_t)r->n_points ||
		    x[1] < ESC_SWEEP_POINT || x[1] > ESC_SWEEP_STEP || x[2] < -1 || x[2] >= (int64_t)r->n_keys)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s': /sweep/design row "
			                     "%zu does not fit /sweep/points (point %lld)",
			                     r->o->path, i, (long long)pt[i]);
		r->d_block[row] = x[0];
		r->d_role[row] = (int)x[1];
		r->d_key[row] = (int)x[2];
		r->d_step[row] = step[i];
	}
	for (size_t i = 0; i < r->n_points; i++)
		if (r->d_role[i] < 0)
			return esc_error_set(err, ESC_ERR_INPUT, "'%s': /sweep/design has no "
			                     "row for point %lld", r->o->path,
			                     (long long)r->point_id[i]);
	return ESC_OK;
}

/* The design's name and /sweep/design (files of a grid or Sobol design
 * written before it existed have none: no indices then). */
static int read_design(report *r, esc_error *err)
{
	esc_error ignore = {0};
	if (!r->sweep)
		return ESC_OK;
	esc_h5_get_attr_text(r->f, "/sweep", "design", &r->design, &ignore);
	esc_h5_get_attr_text(r->f, "/sweep", "levels", &r->design_levels, &ignore);
	int64_t rows;
	if (!esc_h5_exists(r->f, "/sweep/design"))
		return ESC_OK;
	if (esc_h5_table_rows(r->f, "/sweep/design", &rows, err))
		return err->status;
	size_t n = (size_t)rows, np = r->n_points + 1;
	static const char *const cols[] = { "block", "role", "key" };
	int64_t *pt = malloc((n + 1) * sizeof *pt), *v = malloc(3 * (n + 1) * sizeof *v);
	int64_t *col = malloc((n + 1) * sizeof *col);
	double *step = malloc((n + 1) * sizeof *step);
	r->d_block = calloc(np, sizeof *r->d_block);
	r->d_role = malloc(np * sizeof *r->d_role);
	r->d_key = calloc(np, sizeof *r->d_key);
	r->d_step = calloc(np, sizeof *r->d_step);
	int st = pt && v && col && step && r->d_block && r->d_role && r->d_key &&
	         r->d_step ? ESC_OK : oom(err);
	for (size_t i = 0; st == ESC_OK && i < np; i++)
		r->d_role[i] = -1;
	if (st == ESC_OK)
		st = esc_h5_read_i64(r->f, "/sweep/design", "point", 0, n, pt, err);
	for (size_t c = 0; st == ESC_OK && c < 3; c++) {
		st = esc_h5_read_i64(r->f, "/sweep/design", cols[c], 0, n, col, err);
		for (size_t i = 0; st == ESC_OK && i < n; i++)
			v[3 * i + c] = col[i];
	}
	if (st == ESC_OK)
		st = esc_h5_read_f64(r->f, "/sweep/design", "step", 0, n, step, err);
	if (st == ESC_OK)
		st = design_rows(r, n, pt, v, step, err);
	free(pt);
	free(v);
	free(col);
	free(step);
	return st;
}

/* The series' value at each row of /sweep/points (NaN where no group). */
static void series(const report *r, const long *arm_row, size_t sa, int diff,
                   size_t j, double *y)
{
	for (size_t i = 0; i < r->n_points; i++)
		y[i] = NAN;
	for (size_t k = 0; k < r->na; k++) {
		if (arm_row[k] < 0 || strcmp(r->a[k].sweep_arm, r->sarm[sa]))
			continue;
		const esc_interval *e = diff ? &r->diff[k * r->nm + j] : &r->mean[k * r->nm + j];
		y[arm_row[k]] = e->n > 0 ? e->est : NAN;
	}
}

/* Saltelli: y by block and role into A, B and AB, then the indices. */
static int sobol_of(const report *r, const double *y, uint64_t seed, sens *out)
{
	size_t k = r->n_keys, nb = 0;
	for (size_t i = 0; i < r->n_points; i++)
		if (r->d_role[i] == ESC_SWEEP_A && (size_t)r->d_block[i] + 1 > nb)
			nb = (size_t)r->d_block[i] + 1;
	double *ya = malloc((nb + 1) * sizeof *ya), *yb = malloc((nb + 1) * sizeof *yb);
	double *yab = malloc((nb * k + 1) * sizeof *yab);
	esc_sobol_index *x = malloc(k * sizeof *x);
	int rc = ya && yb && yab && x ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nb; i++)
		ya[i] = yb[i] = NAN;
	for (size_t i = 0; rc == 0 && i < nb * k; i++)
		yab[i] = NAN;
	for (size_t i = 0; rc == 0 && i < r->n_points; i++) {
		size_t b = (size_t)r->d_block[i];
		if (b >= nb)
			continue;
		if (r->d_role[i] == ESC_SWEEP_A)
			ya[b] = y[i];
		else if (r->d_role[i] == ESC_SWEEP_B)
			yb[b] = y[i];
		else if (r->d_role[i] == ESC_SWEEP_AB && r->d_key[i] >= 0)
			yab[b * k + (size_t)r->d_key[i]] = y[i];
	}
	double v = NAN;
	size_t used = 0;
	if (rc == 0)
		rc = esc_sens_sobol(ya, yb, yab, nb, k, ESC_SENS_RESAMPLES, LEVEL, seed,
		                    x, &v, &used);
	for (size_t q = 0; rc == 0 && q < k; q++) {
		out[q].s = x[q];
		out[q].variance = v;
		out[q].n = (int64_t)used;
	}
	free(ya);
	free(yb);
	free(yab);
	free(x);
	return rc;
}

/* Morris: each step's elementary effect against the point before it in
 * its trajectory, then mu, mu*, sigma. */
static int morris_of(const report *r, const double *y, uint64_t seed, sens *out)
{
	size_t k = r->n_keys, nt = 0;
	for (size_t i = 0; i < r->n_points; i++)
		if ((size_t)r->d_block[i] + 1 > nt)
			nt = (size_t)r->d_block[i] + 1;
	double *ee = malloc((nt * k + 1) * sizeof *ee);
	esc_morris_index *x = malloc(k * sizeof *x);
	int rc = ee && x ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nt * k; i++)
		ee[i] = NAN;
	for (size_t i = 1; rc == 0 && i < r->n_points; i++)
		if (r->d_role[i] == ESC_SWEEP_STEP && r->d_key[i] >= 0 &&
		    r->d_block[i - 1] == r->d_block[i] && r->d_step[i] != 0)
			ee[(size_t)r->d_block[i] * k + (size_t)r->d_key[i]] =
				(y[i] - y[i - 1]) / r->d_step[i];
	if (rc == 0)
		rc = esc_sens_morris(ee, nt, k, ESC_SENS_RESAMPLES, LEVEL, seed, x);
	for (size_t q = 0; rc == 0 && q < k; q++) {
		out[q].mo = x[q];
		out[q].n = x[q].r;
		out[q].variance = NAN;
	}
	free(ee);
	free(x);
	return rc;
}

/* Every series (each sweep arm's mean, and each non-baseline arm's
 * difference from the baseline) x metric x varied key. */
static int sensitivity(report *r, esc_error *err)
{
	int kind = sens_kind(r);
	if (kind == SENS_NONE || r->n_keys == 0)
		return ESC_OK;
	size_t k = r->n_keys, nser = 2 * r->n_sarm - 1;
	long *arm_row = malloc((r->na + 1) * sizeof *arm_row);
	double *y = malloc((r->n_points + 1) * sizeof *y);
	r->sens = calloc(nser * r->nm * k + 1, sizeof *r->sens);
	if (!arm_row || !y || !r->sens) {
		free(arm_row);
		free(y);
		return oom(err);
	}
	for (size_t q = 0; q < r->na; q++)
		arm_row[q] = point_row(r, r->a[q].point);
	uint64_t seed = r->provenance_seed ? strtoull(r->provenance_seed, NULL, 10) : 1;
	int rc = 0;
	for (size_t sa = 0; rc == 0 && sa < r->n_sarm; sa++)
		for (int diff = 0; rc == 0 && diff < 2; diff++) {
			if (diff && sa == r->sbase)
				continue;
			for (size_t j = 0; rc == 0 && j < r->nm; j++) {
				sens *out = &r->sens[r->n_sens];
				series(r, arm_row, sa, diff, j, y);
				rc = kind == SENS_SOBOL ? sobol_of(r, y, seed, out)
				                        : morris_of(r, y, seed, out);
				for (size_t q = 0; q < k; q++)
					out[q] = (sens){ (int32_t)sa, diff ? (int32_t)r->sbase : -1,
					                 (int32_t)j, (int32_t)q, out[q].n,
					                 out[q].variance, out[q].s, out[q].mo };
				r->n_sens += k;
			}
		}
	free(arm_row);
	free(y);
	return rc ? oom(err) : ESC_OK;
}

/* ------------------------------------------------------------- printing */

/* Fits in 24 bytes: at most "-1.234e+308". */
static void num(char *s, size_t size, double v)
{
	if (isnan(v))
		snprintf(s, size, "-");
	else if (v == floor(v) && fabs(v) < 1e9)
		snprintf(s, size, "%.0f", v);
	else if (fabs(v) >= 1e5 || (fabs(v) < 1e-3 && v != 0))
		snprintf(s, size, "%.3e", v);
	else
		snprintf(s, size, "%.4g", v);
}

static void ci(char *s, size_t size, double lo, double hi)
{
	char a[24], b[24];
	if (isnan(lo) && isnan(hi)) {
		snprintf(s, size, "-");
		return;
	}
	num(a, sizeof a, lo);
	num(b, sizeof b, hi);
	snprintf(s, size, "[%s, %s]", a, b);
}

static void pval(char *s, size_t size, double p)
{
	if (isnan(p))
		snprintf(s, size, "-");
	else if (p < 1e-4)
		snprintf(s, size, "<0.0001");
	else
		snprintf(s, size, "%.2g", p);
}

static int arm_width(const report *r)
{
	int w = 7;
	for (size_t k = 0; k < r->na; k++)
		if ((int)strlen(r->a[k].name) > w)
			w = (int)strlen(r->a[k].name);
	return w;
}

/* "s" unless the file asked for one replication. */
static const char *reps_s(const report *r)
{
	return r->provenance_reps && !strcmp(r->provenance_reps, "1") ? "" : "s";
}

static void print_decomposition(const report *r);

static void print_text(const report *r)
{
	FILE *o = r->out;
	const arm *b = &r->a[r->base];
	int aw = arm_width(r), mw = 18;
	for (size_t j = 0; j < r->nm; j++)
		if ((int)strlen(r->m[j].name) > mw)
			mw = (int)strlen(r->m[j].name);
	char s1[64], s2[64], s3[64], s4[64], s5[64];
	fprintf(o, "escsim report: %s\n", r->o->path);
	fprintf(o, "scenario %s, seed %s, %s replication%s requested, %s\n",
	        r->provenance_name ? r->provenance_name : "?",
	        r->provenance_seed ? r->provenance_seed : "?",
	        r->provenance_reps ? r->provenance_reps : "?", reps_s(r),
	        r->provenance_complete && !strcmp(r->provenance_complete, "1") ?
	        "complete" : "INCOMPLETE (interrupted or failed run)");
	fprintf(o, "arms:");
	for (size_t k = 0; k < r->na; k++)
		fprintf(o, "%s %s (%zu replication%s%s%s)", k ? ";" : "",
		        r->a[k].name, r->a[k].n, esc_plural((int64_t)r->a[k].n),
		        *r->a[k].overrides ? ", " : "",
		        r->a[k].overrides);
	fprintf(o, "\n");
	if (r->na > 1)
		fprintf(o, "baseline %s; %lld replication%s present in every arm "
		        "(differences pair arm and baseline by rep)\n", b->name,
		        (long long)r->paired_all, esc_plural(r->paired_all));

	fprintf(o, "\nMeans with 95%% t intervals");
	if (r->na > 1)
		fprintf(o, "; paired differences from %s with 95%% t intervals and "
		        "paired t test p", b->name);
	fprintf(o, "\n%-*s %-6s %-*s %7s %10s %-24s", mw, "metric", "units", aw,
	        "arm", "n", "mean", "95% CI");
	if (r->na > 1)
		fprintf(o, " %10s %-24s %8s", "difference", "95% CI", "p");
	fprintf(o, "\n");
	for (size_t j = 0; j < r->nm; j++) {
		for (size_t k = 0; k < r->na; k++) {
			const esc_interval *e = &r->mean[k * r->nm + j];
			num(s1, sizeof s1, e->est);
			ci(s2, sizeof s2, e->lo, e->hi);
			fprintf(o, "%-*s %-6s %-*s %7lld %10s %-24s", mw,
			        k ? "" : r->m[j].name, k ? "" : r->m[j].units, aw,
			        r->a[k].name, (long long)e->n, s1, s2);
			if (r->na > 1 && r->a[k].base_of >= 0) {
				const esc_interval *d = &r->diff[k * r->nm + j];
				num(s3, sizeof s3, d->est);
				ci(s4, sizeof s4, d->lo, d->hi);
				pval(s5, sizeof s5, r->diff_p[k * r->nm + j]);
				fprintf(o, " %10s %-24s %8s", s3, s4, s5);
			} else if (r->na > 1) {
				fprintf(o, " %10s %-24s %8s", "", "", "");
			}
			if (r->constant[k * r->nm + j])
				fprintf(o, "  constant");
			fprintf(o, "\n");
		}
	}
	if (metric_index(r, "first_crisis_h") >= 0)
		fprintf(o, "(first_crisis_h: mean over the replications with a "
		        "crisis; see the survival table)\n");
	int any_constant = 0;
	for (size_t i = 0; i < r->na * r->nm; i++)
		any_constant |= r->constant[i];
	if (any_constant)
		fprintf(o, "(constant: the same value in every replication of that arm, so "
		        "it tells nothing there; docs/model.md lists the rare-event metrics)\n");

	if (r->bin_metric[0] >= 0 || r->bin_metric[1] >= 0) {
		fprintf(o, "\nProbabilities with 95%% Wilson intervals");
		if (r->na > 1)
			fprintf(o, "; paired test on discordant pairs (McNemar "
			        "chi-square with continuity correction; exact binomial "
			        "when fewer than 25)");
		fprintf(o, "\n%-10s %-*s %7s %7s %-18s", "outcome", aw, "arm", "n",
		        "share", "95% CI");
		if (r->na > 1)
			fprintf(o, " %10s %8s %9s %-12s %8s", "difference", "arm only",
			        "base only", "test", "p");
		fprintf(o, "\n");
		for (int q = 0; q < 2; q++) {
			int j = r->bin_metric[q];
			if (j < 0)
				continue;
			for (size_t k = 0; k < r->na; k++) {
				const binary_res *br = &r->bin[k * 2 + (size_t)q];
				if (isnan(br->share.est))
					snprintf(s1, sizeof s1, "-");
				else
					snprintf(s1, sizeof s1, "%.3f", br->share.est);
				if (isnan(br->share.lo))
					snprintf(s2, sizeof s2, "-");
				else
					snprintf(s2, sizeof s2, "[%.3f, %.3f]", br->share.lo,
					         br->share.hi);
				fprintf(o, "%-10s %-*s %7lld %7s %-18s", k ? "" : r->m[j].name,
				        aw, r->a[k].name, (long long)br->share.n, s1, s2);
				if (r->na > 1 && r->a[k].base_of >= 0) {
					if (isnan(br->diff))
						snprintf(s3, sizeof s3, "-");
					else
						snprintf(s3, sizeof s3, "%+.3f", br->diff);
					if (br->mc.b + br->mc.c == 0)
						snprintf(s4, sizeof s4, "none");
					else if (br->mc.exact)
						snprintf(s4, sizeof s4, "exact");
					else
						snprintf(s4, sizeof s4, "chi2 %.3g", br->mc.chi2);
					pval(s5, sizeof s5, br->mc.p);
					fprintf(o, " %10s %8lld %9lld %-12s %8s", s3,
					        (long long)br->mc.b, (long long)br->mc.c, s4, s5);
				}
				fprintf(o, "\n");
			}
		}
	}

	int any_tail = 0;
	for (int t = 0; t < N_TAILS; t++)
		any_tail |= r->tail_metric[t] >= 0;
	if (any_tail) {
		fprintf(o, "\nFatality tails: P90 and P99 per replication with 95%% "
		        "distribution-free intervals (- : too few replications)\n");
		fprintf(o, "%-18s %-*s %7s %8s %-20s %8s %-20s\n", "metric", aw, "arm",
		        "n", "P90", "95% CI", "P99", "95% CI");
		for (int t = 0; t < N_TAILS; t++) {
			if (r->tail_metric[t] < 0)
				continue;
			for (size_t k = 0; k < r->na; k++) {
				const esc_interval *p90 = &r->tail[(k * N_TAILS + (size_t)t) * N_Q];
				const esc_interval *p99 = p90 + 1;
				num(s1, sizeof s1, p90->est);
				ci(s2, sizeof s2, p90->lo, p90->hi);
				num(s3, sizeof s3, p99->est);
				ci(s4, sizeof s4, p99->lo, p99->hi);
				fprintf(o, "%-18s %-*s %7lld %8s %-20s %8s %-20s\n",
				        k ? "" : tail_names[t], aw, r->a[k].name,
				        (long long)p90->n, s1, s2, s3, s4);
			}
		}
	}

	if (r->crisis_time >= 0) {
		fprintf(o, "\nTime to first crisis: Kaplan-Meier, censored at the "
		        "horizon; median with 95%% interval from the Greenwood "
		        "band (log-log)\n");
		fprintf(o, "%-*s %7s %7s %10s %-22s %7s %7s %7s %7s %10s\n", aw, "arm",
		        "n", "crises", "median (h)", "95% CI", "S(7d)", "S(30d)",
		        "S(90d)", "S(180d)", "S(horizon)");
		for (size_t k = 0; k < r->na; k++) {
			const arm *a = &r->a[k];
			const km_sum *ks = &r->km[k];
			if (!ks->has) {
				fprintf(o, "%-*s (horizon unknown: no curve)\n", aw, a->name);
				continue;
			}
			int64_t crises = ks->events;
			const esc_interval *md = &ks->median;
			if (isnan(md->est))
				snprintf(s1, sizeof s1, "not reached");
			else
				num(s1, sizeof s1, md->est);
			ci(s2, sizeof s2, md->lo, md->hi);
			fprintf(o, "%-*s %7zu %7lld %10s %-22s", aw, a->name, a->n,
			        (long long)crises, s1, s2);
			for (int d = 0; d < N_KM_AT - 1; d++) {
				if (ks->at_h[d] > a->horizon_h)
					fprintf(o, " %7s", "-");
				else
					fprintf(o, " %7.3f", ks->s_at[d]);
			}
			fprintf(o, " %10.3f\n", ks->s_at[N_KM_AT - 1]);
		}
	}	if (r->decompose >= 0)
		print_decomposition(r);
}

/* The decomposition: per metric, each mechanism's difference from the
 * baseline and its share of the whole cell's. */
static void print_decomposition(const report *r)
{
	FILE *o = r->out;
	char s1[64], s2[64], s3[64], s4[64];
	fprintf(o, "\nThe cell's effect by mechanism (compare --decompose): each "
	        "mechanism alone minus %s, with 95%% t intervals, and its share of "
	        "the whole cell's difference (delta method)\n",
	        r->a[r->a[r->decompose].base_of].name);
	fprintf(o, "%-28s %-12s %7s %10s %-24s %8s %-20s\n", "metric", "mechanism", "n",
	        "difference", "95% CI", "share", "95% CI");
	for (int j = 0; j < N_DMETRICS; j++) {
		if (r->dmetric[j] < 0)
			continue;
		for (int m = 0; m < N_MECH; m++) {
			const esc_interval *d = &r->ddiff[j * N_MECH + m];
			const esc_interval *s = &r->dshare[j * N_MECH + m];
			num(s1, sizeof s1, d->est);
			ci(s2, sizeof s2, d->lo, d->hi);
			num(s3, sizeof s3, s->est);
			ci(s4, sizeof s4, s->lo, s->hi);
			fprintf(o, "%-28s %-12s %7lld %10s %-24s %8s %-20s\n", m ? "" : dmetric_names[j],
			        mech_names[m], (long long)d->n, s1, s2, s3, s4);
		}
	}
	fprintf(o, "(share: - where the whole cell changes nothing on average)\n");
}

static void print_sensitivity_text(const report *r, const char *const *headline,
                                   size_t nh);

/* Sweeps: per headline metric, the paired difference at each point and
 * along each key (after a Saltelli or Morris design, the sensitivity
 * indices instead); everything else is in --csv, --json and /summary. */
static void print_sweep_text(const report *r)
{
	static const char *const headline[] = {
		"misattributed_retaliations", "retaliations", "fatalities_total",
		"spiral", "crisis", "hours_at_or_above_6",
	};
	FILE *o = r->out;
	char s1[64], s2[64], s3[64];
	fprintf(o, "escsim report: %s\n", r->o->path);
	fprintf(o, "sweep of %zu point%s over", r->n_points, esc_plural((int64_t)r->n_points));
	for (size_t j = 0; j < r->n_keys; j++)
		fprintf(o, "%s %s", j ? "," : "", r->keys[j]);
	fprintf(o, "; arms");
	for (size_t i = 0; i < r->n_sarm; i++)
		fprintf(o, "%s %s", i ? "," : "", r->sarm[i]);
	fprintf(o, "\nscenario %s, seed %s, %s replication%s requested, %s\n",
	        r->provenance_name ? r->provenance_name : "?",
	        r->provenance_seed ? r->provenance_seed : "?",
	        r->provenance_reps ? r->provenance_reps : "?", reps_s(r),
	        r->provenance_complete && !strcmp(r->provenance_complete, "1") ?
	        "complete" : "INCOMPLETE (interrupted or failed run)");
	fprintf(o, "baseline %s at each point; %lld replication%s present in "
	        "every arm and point\n", r->sarm[r->sbase],
	        (long long)r->paired_all, esc_plural(r->paired_all));
	if (sens_kind(r) != SENS_NONE) {
		print_sensitivity_text(r, headline, sizeof headline / sizeof headline[0]);
		return;
	}
	int kw = 12;
	for (size_t j = 0; j < r->n_keys; j++)
		if ((int)strlen(r->keys[j]) > kw)
			kw = (int)strlen(r->keys[j]);
	for (size_t h = 0; h < sizeof headline / sizeof headline[0]; h++) {
		int j = metric_index(r, headline[h]);
		if (j < 0)
			continue;
		for (size_t sa = 0; sa < r->n_sarm; sa++) {
			if (sa == r->sbase)
				continue;
			fprintf(o, "\n%s: %s - %s, paired by rep (mean, 95%% t interval, "
			        "paired t test p)\n", headline[h], r->sarm[sa],
			        r->sarm[r->sbase]);
			fprintf(o, "%-7s", "point");
			for (size_t q = 0; q < r->n_keys; q++)
				fprintf(o, " %*s", kw, r->keys[q]);
			fprintf(o, " %6s %10s %-24s %8s\n", "n", "difference", "95% CI", "p");
			for (size_t k = 0; k < r->na; k++) {
				const arm *a = &r->a[k];
				if (a->base_of < 0 || strcmp(a->sweep_arm, r->sarm[sa]))
					continue;
				long row = point_row(r, a->point);
				fprintf(o, "p%-6lld", (long long)a->point);
				for (size_t q = 0; q < r->n_keys; q++) {
					num(s1, sizeof s1, row < 0 ? NAN :
					    r->pval[(size_t)row * r->n_keys + q]);
					fprintf(o, " %*s", kw, s1);
				}
				const esc_interval *d = &r->diff[k * r->nm + (size_t)j];
				num(s1, sizeof s1, d->est);
				ci(s2, sizeof s2, d->lo, d->hi);
				pval(s3, sizeof s3, r->diff_p[k * r->nm + (size_t)j]);
				fprintf(o, " %6lld %10s %-24s %8s\n", (long long)d->n, s1, s2, s3);
			}
			for (size_t i = 0; i < r->n_marg; i++) {
				const marginal *mg = &r->marg[i];
				if (mg->sarm != sa || mg->metric != (size_t)j)
					continue;
				char lab[300];
				num(s1, sizeof s1, mg->value);
				snprintf(lab, sizeof lab, "%s = %s (%lld point%s)",
				         r->keys[mg->key], s1, (long long)mg->points,
				         esc_plural(mg->points));
				num(s1, sizeof s1, mg->d.est);
				ci(s2, sizeof s2, mg->d.lo, mg->d.hi);
				pval(s3, sizeof s3, mg->p);
				fprintf(o, "  along %-*s %6lld %10s %-24s %8s\n",
				        (int)(r->n_keys * (size_t)(kw + 1) - 1), lab,
				        (long long)mg->d.n, s1, s2, s3);
			}
		}
	}
	fprintf(o, "\n(every metric, arm and point, with tails and survival: "
	        "--csv, --json, or /summary in the file)\n");
}

static void csv_row(FILE *o, const char *table, const char *arm,
                    const char *base, const char *metric, const char *stat,
                    int64_t n, double est, double lo, double hi, double p)
{
	fprintf(o, "%s,%s,%s,%s,%s,%lld", table, arm, base, metric, stat,
	        (long long)n);
	const double v[] = { est, lo, hi, p };
	char b[ESC_NUM_MAX];
	for (int i = 0; i < 4; i++) {
		if (isnan(v[i]))
			fprintf(o, ",");
		else
			fprintf(o, ",%s", esc_fmt_double(b, v[i]));
	}
	fprintf(o, "\n");
}

/* The series a text report shows: each non-baseline arm's difference from
 * the baseline, and the baseline's own mean where the design moves it (all
 * of them in the file). */
static int sens_shown(const report *r, const sens *x, int kind)
{
	if (x->base >= 0)
		return 1;
	if ((size_t)x->sarm != r->sbase)
		return 0;
	if (kind == SENS_SOBOL)
		return x->variance > 0;
	for (size_t q = 0; q < r->n_keys; q++)
		if (x[q].mo.mu_star != 0)
			return 1;
	return 0;
}

static void sens_title(const report *r, const sens *x, char *s, size_t size)
{
	if (x->base >= 0)
		snprintf(s, size, "%s - %s (mean paired difference at each point)",
		         r->sarm[x->sarm], r->sarm[x->base]);
	else
		snprintf(s, size, "%s (mean at each point)", r->sarm[x->sarm]);
}

/* One metric of one series: a row per varied key. */
static void print_sens_block(const report *r, const sens *x, int kind, int kw)
{
	FILE *o = r->out;
	char t[400], s1[64], s2[64], s3[64], s4[64];
	sens_title(r, x, t, sizeof t);
	fprintf(o, "\n%s: %s", r->m[x->metric].name, t);
	if (kind == SENS_SOBOL) {
		num(s1, sizeof s1, x->variance);
		fprintf(o, "; variance over A and B %s, %lld base rows\n", s1, (long long)x->n);
		if (!(x->variance > 0)) {
			fprintf(o, "  (the same at every point: no index)\n");
			return;
		}
		fprintf(o, "%-*s %10s %-20s %10s %-20s\n", kw, "parameter", "S1",
		        "95% CI", "ST", "95% CI");
	} else {
		fprintf(o, "; %lld trajectories\n", (long long)x->n);
		fprintf(o, "%-*s %10s %-20s %10s %10s %-20s\n", kw, "parameter", "mu*",
		        "95% CI", "mu", "sigma", "95% CI");
	}
	for (size_t q = 0; q < r->n_keys; q++, x++) {
		if (kind == SENS_SOBOL) {
			num(s1, sizeof s1, x->s.s1);
			ci(s2, sizeof s2, x->s.s1_lo, x->s.s1_hi);
			num(s3, sizeof s3, x->s.st);
			ci(s4, sizeof s4, x->s.st_lo, x->s.st_hi);
			fprintf(o, "%-*s %10s %-20s %10s %-20s\n", kw, r->keys[q], s1, s2, s3, s4);
		} else {
			char s5[64];
			num(s1, sizeof s1, x->mo.mu_star);
			ci(s2, sizeof s2, x->mo.mu_star_lo, x->mo.mu_star_hi);
			num(s3, sizeof s3, x->mo.mu);
			num(s4, sizeof s4, x->mo.sigma);
			ci(s5, sizeof s5, x->mo.sigma_lo, x->mo.sigma_hi);
			fprintf(o, "%-*s %10s %-20s %10s %10s %-20s\n", kw, r->keys[q], s1,
			        s2, s3, s4, s5);
		}
	}
}

/* The indices of the headline metrics, after a Saltelli or Morris sweep. */
static void print_sensitivity_text(const report *r, const char *const *headline,
                                   size_t nh)
{
	int kind = sens_kind(r);
	FILE *o = r->out;
	if (kind == SENS_SOBOL)
		fprintf(o, "\nSobol indices of each metric as a function of the point: "
		        "first order S1 (Saltelli 2010) and total ST (Jansen), with 95%% "
		        "percentile bootstrap intervals (%d resamples of the base rows)\n",
		        ESC_SENS_RESAMPLES);
	else
		fprintf(o, "\nMorris screening of each metric as a function of the point: "
		        "elementary effects per unit of each parameter's range (the "
		        "whole range = 1), mu* = mean |effect|, sigma = their standard "
		        "deviation, with 95%% percentile bootstrap intervals (%d "
		        "resamples of the trajectories); levels %s\n", ESC_SENS_RESAMPLES,
		        r->design_levels ? r->design_levels : "?");
	int kw = 12;
	for (size_t q = 0; q < r->n_keys; q++)
		if ((int)strlen(r->keys[q]) > kw)
			kw = (int)strlen(r->keys[q]);
	for (size_t h = 0; h < nh; h++) {
		int j = metric_index(r, headline[h]);
		for (size_t i = 0; j >= 0 && i < r->n_sens; i += r->n_keys)
			if (r->sens[i].metric == j && sens_shown(r, &r->sens[i], kind))
				print_sens_block(r, &r->sens[i], kind, kw);
	}
	fprintf(o, "\n(the indices of every metric and arm, and of metrics the design "
	        "does not move: --csv, --json, or /summary/sensitivity; each point's "
	        "differences: /summary/sweep)\n");
}

static void csv_sensitivity(const report *r)
{
	static const char *const sobol_stat[] = { "S1", "ST" };
	static const char *const morris_stat[] = { "mu_star", "sigma", "mu" };
	int kind = sens_kind(r);
	for (size_t i = 0; i < r->n_sens; i++) {
		const sens *x = &r->sens[i];
		const char *arm = r->sarm[x->sarm];
		const char *base = x->base >= 0 ? r->sarm[x->base] : "";
		const char *metric = r->m[x->metric].name;
		char stat[320];
		for (int q = 0; q < (kind == SENS_SOBOL ? 2 : 3); q++) {
			snprintf(stat, sizeof stat, "%s:%s", kind == SENS_SOBOL ?
			         sobol_stat[q] : morris_stat[q], r->keys[x->key]);
			double v[3];
			if (kind == SENS_SOBOL && q == 0)
				memcpy(v, (double[]){ x->s.s1, x->s.s1_lo, x->s.s1_hi }, sizeof v);
			else if (kind == SENS_SOBOL)
				memcpy(v, (double[]){ x->s.st, x->s.st_lo, x->s.st_hi }, sizeof v);
			else if (q == 0)
				memcpy(v, (double[]){ x->mo.mu_star, x->mo.mu_star_lo, x->mo.mu_star_hi }, sizeof v);
			else if (q == 1)
				memcpy(v, (double[]){ x->mo.sigma, x->mo.sigma_lo, x->mo.sigma_hi }, sizeof v);
			else
				memcpy(v, (double[]){ x->mo.mu, NAN, NAN }, sizeof v);
			csv_row(r->out, "sensitivity", arm, base, metric, stat, x->n,
			        v[0], v[1], v[2], NAN);
		}
	}
}

static void print_csv(const report *r)
{
	FILE *o = r->out;
	fprintf(o, "table,arm,baseline,metric,statistic,n,estimate,lo,hi,p_value\n");
	for (size_t j = 0; j < r->nm; j++)
		for (size_t k = 0; k < r->na; k++) {
			const esc_interval *e = &r->mean[k * r->nm + j];
			csv_row(o, "metrics", r->a[k].name, "", r->m[j].name, "mean",
			        e->n, e->est, e->lo, e->hi, NAN);
		}
	for (size_t j = 0; r->na > 1 && j < r->nm; j++)
		for (size_t k = 0; k < r->na; k++) {
			if (r->a[k].base_of < 0)
				continue;
			const esc_interval *e = &r->diff[k * r->nm + j];
			csv_row(o, "differences", r->a[k].name,
			        r->a[r->a[k].base_of].name, r->m[j].name,
			        "mean_difference", e->n, e->est, e->lo, e->hi,
			        r->diff_p[k * r->nm + j]);
		}
	for (int q = 0; q < 2; q++) {
		int j = r->bin_metric[q];
		for (size_t k = 0; j >= 0 && k < r->na; k++) {
			const binary_res *br = &r->bin[k * 2 + (size_t)q];
			csv_row(o, "binary", r->a[k].name, "", r->m[j].name,
			        "probability", br->share.n, br->share.est, br->share.lo,
			        br->share.hi, NAN);
			if (r->na > 1 && r->a[k].base_of >= 0)
				csv_row(o, "binary", r->a[k].name,
				        r->a[r->a[k].base_of].name, r->m[j].name,
				        br->mc.exact ? "difference_exact_binomial"
				                     : "difference_mcnemar",
				        br->pairs, br->diff, NAN, NAN, br->mc.p);
		}
	}
	for (int t = 0; t < N_TAILS; t++) {
		for (size_t k = 0; r->tail_metric[t] >= 0 && k < r->na; k++)
			for (int q = 0; q < N_Q; q++) {
				const esc_interval *e = &r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q];
				csv_row(o, "tails", r->a[k].name, "", tail_names[t],
				        q ? "P99" : "P90", e->n, e->est, e->lo, e->hi, NAN);
			}
	}
	for (size_t k = 0; r->crisis_time >= 0 && k < r->na; k++) {
		if (!r->km[k].has)
			continue;
		const esc_interval *e = &r->km[k].median;
		csv_row(o, "survival_median", r->a[k].name, "", "first_crisis_h",
		        "median", e->n, e->est, e->lo, e->hi, NAN);
	}
	for (int j = 0; r->decompose >= 0 && j < N_DMETRICS; j++)
		for (int m = 0; r->dmetric[j] >= 0 && m < N_MECH; m++) {
			const char *an = m < N_MECH - 2 ? r->a[r->dmech[m]].name : r->a[r->decompose].name;
			const char *bn = r->a[r->a[r->decompose].base_of].name;
			const esc_interval *d = &r->ddiff[j * N_MECH + m], *s = &r->dshare[j * N_MECH + m];
			char stat[64];
			snprintf(stat, sizeof stat, "%s_difference", mech_names[m]);
			csv_row(o, "decomposition", an, bn, dmetric_names[j], stat, d->n, d->est, d->lo, d->hi, NAN);
			snprintf(stat, sizeof stat, "%s_share", mech_names[m]);
			csv_row(o, "decomposition", an, bn, dmetric_names[j], stat, s->n, s->est, s->lo, s->hi, NAN);
		}
	for (size_t i = 0; i < r->n_marg; i++) {
		const marginal *mg = &r->marg[i];
		char stat[320], v[24];
		num(v, sizeof v, mg->value);
		snprintf(stat, sizeof stat, "%s=%s", r->keys[mg->key], v);
		csv_row(o, "sweep_marginal", r->sarm[mg->sarm], r->sarm[r->sbase],
		        r->m[mg->metric].name, stat, mg->d.n, mg->d.est, mg->d.lo,
		        mg->d.hi, mg->p);
	}
	csv_sensitivity(r);
}

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(o, "\\u%04x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

static void json_num(FILE *o, double v)
{
	char b[ESC_NUM_MAX];
	if (isnan(v) || isinf(v))
		fprintf(o, "null");
	else
		fprintf(o, "%s", esc_fmt_double(b, v));
}

static void json_interval(FILE *o, const esc_interval *e, const char *est)
{
	fprintf(o, "\"n\": %lld, \"%s\": ", (long long)e->n, est);
	json_num(o, e->est);
	fprintf(o, ", \"lo\": ");
	json_num(o, e->lo);
	fprintf(o, ", \"hi\": ");
	json_num(o, e->hi);
}

typedef struct json_curve {
	FILE *o;
	size_t i;
} json_curve;

static void json_point(const esc_km_point *p, void *ctx)
{
	json_curve *c = ctx;
	FILE *o = c->o;
	fprintf(o, "%s{\"t_h\": ", c->i++ ? ", " : "");
	json_num(o, p->t);
	fprintf(o, ", \"at_risk\": %lld, \"events\": %lld, \"censored\": "
	        "%lld, \"survival\": ", (long long)p->at_risk,
	        (long long)p->events, (long long)p->censored);
	json_num(o, p->s);
	fprintf(o, ", \"lo\": ");
	json_num(o, p->lo);
	fprintf(o, ", \"hi\": ");
	json_num(o, p->hi);
	fprintf(o, "}");
}

/* The sweep's "sensitivity" member: the method and every row. */
static void json_sensitivity(const report *r)
{
	int kind = sens_kind(r);
	FILE *o = r->out;
	if (kind == SENS_NONE)
		return;
	fprintf(o, ",\n    \"sensitivity\": {\"method\": \"%s\", \"resamples\": %d, "
	        "\"rows\": [", kind == SENS_SOBOL ? "sobol" : "morris",
	        ESC_SENS_RESAMPLES);
	for (size_t i = 0; i < r->n_sens; i++) {
		const sens *x = &r->sens[i];
		const char *names[] = { "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi" };
		const char *mnames[] = { "mu", "mu_star", "mu_star_lo", "mu_star_hi",
		                         "sigma", "sigma_lo", "sigma_hi" };
		double sv[] = { x->s.s1, x->s.s1_lo, x->s.s1_hi, x->s.st, x->s.st_lo, x->s.st_hi };
		double mv[] = { x->mo.mu, x->mo.mu_star, x->mo.mu_star_lo, x->mo.mu_star_hi,
		                x->mo.sigma, x->mo.sigma_lo, x->mo.sigma_hi };
		fprintf(o, "%s\n      {\"arm\": ", i ? "," : "");
		json_str(o, r->sarm[x->sarm]);
		fprintf(o, ", \"baseline\": ");
		if (x->base >= 0)
			json_str(o, r->sarm[x->base]);
		else
			fprintf(o, "null");
		fprintf(o, ", \"metric\": ");
		json_str(o, r->m[x->metric].name);
		fprintf(o, ", \"parameter\": ");
		json_str(o, r->keys[x->key]);
		fprintf(o, ", \"n\": %lld", (long long)x->n);
		if (kind == SENS_SOBOL) {
			fprintf(o, ", \"variance\": ");
			json_num(o, x->variance);
		}
		size_t nv = kind == SENS_SOBOL ? 6 : 7;
		for (size_t q = 0; q < nv; q++) {
			fprintf(o, ", \"%s\": ", kind == SENS_SOBOL ? names[q] : mnames[q]);
			json_num(o, kind == SENS_SOBOL ? sv[q] : mv[q]);
		}
		fprintf(o, "}");
	}
	fprintf(o, "\n    ]}");
}

static int print_json(const report *r, esc_error *err)
{
	FILE *o = r->out;
	const char *bn = r->sweep ? r->sarm[r->sbase] : r->a[r->base].name;
	fprintf(o, "{\n  \"file\": ");
	json_str(o, r->o->path);
	fprintf(o, ",\n  \"scenario_name\": ");
	json_str(o, r->provenance_name);
	fprintf(o, ",\n  \"seed\": %s", r->provenance_seed ? r->provenance_seed : "null");
	fprintf(o, ",\n  \"reps\": %s", r->provenance_reps ? r->provenance_reps : "null");
	fprintf(o, ",\n  \"complete\": %s", r->provenance_complete &&
	        !strcmp(r->provenance_complete, "1") ? "true" : "false");
	fprintf(o, ",\n  \"confidence_level\": %g", LEVEL);
	fprintf(o, ",\n  \"baseline\": ");
	json_str(o, bn);
	fprintf(o, ",\n  \"paired_replications\": %lld", (long long)r->paired_all);
	fprintf(o, ",\n  \"arms\": [");
	for (size_t k = 0; k < r->na; k++) {
		fprintf(o, "%s\n    {\"name\": ", k ? "," : "");
		json_str(o, r->a[k].name);
		fprintf(o, ", \"overrides\": ");
		json_str(o, r->a[k].overrides);
		fprintf(o, ", \"replications\": %zu, \"horizon_h\": ", r->a[k].n);
		json_num(o, r->a[k].horizon_h);
		if (r->sweep) {
			fprintf(o, ", \"point\": %lld, \"sweep_arm\": ",
			        (long long)r->a[k].point);
			json_str(o, r->a[k].sweep_arm);
		}
		fprintf(o, "}");
	}
	fprintf(o, "\n  ],\n  \"metrics\": [");
	int first = 1;
	for (size_t j = 0; j < r->nm; j++)
		for (size_t k = 0; k < r->na; k++) {
			const esc_interval *e = &r->mean[k * r->nm + j];
			fprintf(o, "%s\n    {\"arm\": ", first ? "" : ",");
			first = 0;
			json_str(o, r->a[k].name);
			fprintf(o, ", \"metric\": ");
			json_str(o, r->m[j].name);
			fprintf(o, ", \"units\": ");
			json_str(o, r->m[j].units);
			fprintf(o, ", ");
			json_interval(o, e, "mean");
			fprintf(o, ", \"sd\": ");
			json_num(o, e->sd);
			fprintf(o, ", \"constant\": %s}", r->constant[k * r->nm + j] ? "true" : "false");
		}
	fprintf(o, "\n  ],\n  \"differences\": [");
	first = 1;
	for (size_t j = 0; r->na > 1 && j < r->nm; j++)
		for (size_t k = 0; k < r->na; k++) {
			if (r->a[k].base_of < 0)
				continue;
			const esc_interval *e = &r->diff[k * r->nm + j];
			fprintf(o, "%s\n    {\"arm\": ", first ? "" : ",");
			first = 0;
			json_str(o, r->a[k].name);
			fprintf(o, ", \"baseline\": ");
			json_str(o, r->a[r->a[k].base_of].name);
			fprintf(o, ", \"metric\": ");
			json_str(o, r->m[j].name);
			fprintf(o, ", ");
			json_interval(o, e, "mean");
			fprintf(o, ", \"sd\": ");
			json_num(o, e->sd);
			fprintf(o, ", \"p\": ");
			json_num(o, r->diff_p[k * r->nm + j]);
			fprintf(o, "}");
		}
	fprintf(o, "\n  ],\n  \"binary\": [");
	first = 1;
	for (int q = 0; q < 2; q++) {
		int j = r->bin_metric[q];
		for (size_t k = 0; j >= 0 && k < r->na; k++) {
			const binary_res *br = &r->bin[k * 2 + (size_t)q];
			fprintf(o, "%s\n    {\"arm\": ", first ? "" : ",");
			first = 0;
			json_str(o, r->a[k].name);
			fprintf(o, ", \"outcome\": ");
			json_str(o, r->m[j].name);
			fprintf(o, ", ");
			json_interval(o, &br->share, "share");
			if (r->na > 1 && r->a[k].base_of >= 0) {
				fprintf(o, ", \"baseline\": ");
				json_str(o, r->a[r->a[k].base_of].name);
				fprintf(o, ", \"pairs\": %lld, \"difference\": ", (long long)br->pairs);
				json_num(o, br->diff);
				fprintf(o, ", \"arm_only\": %lld, \"baseline_only\": %lld, "
				        "\"test\": \"%s\", \"chi2\": ", (long long)br->mc.b,
				        (long long)br->mc.c,
				        br->mc.exact ? "exact binomial" : "mcnemar");
				json_num(o, br->mc.chi2);
				fprintf(o, ", \"p\": ");
				json_num(o, br->mc.p);
			}
			fprintf(o, "}");
		}
	}
	fprintf(o, "\n  ],\n  \"tails\": [");
	first = 1;
	for (int t = 0; t < N_TAILS; t++)
		for (size_t k = 0; r->tail_metric[t] >= 0 && k < r->na; k++)
			for (int q = 0; q < N_Q; q++) {
				const esc_interval *e = &r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q];
				fprintf(o, "%s\n    {\"arm\": ", first ? "" : ",");
				first = 0;
				json_str(o, r->a[k].name);
				fprintf(o, ", \"metric\": ");
				json_str(o, tail_names[t]);
				fprintf(o, ", \"quantile\": %g, ", tail_q[q]);
				json_interval(o, e, "value");
				fprintf(o, "}");
			}
	fprintf(o, "\n  ],\n  \"survival\": [");
	first = 1;
	for (size_t k = 0; r->crisis_time >= 0 && k < r->na; k++) {
		if (!r->km[k].has)
			continue;
		fprintf(o, "%s\n    {\"arm\": ", first ? "" : ",");
		first = 0;
		json_str(o, r->a[k].name);
		fprintf(o, ", \"horizon_h\": ");
		json_num(o, r->a[k].horizon_h);
		fprintf(o, ", \"median_h\": {");
		json_interval(o, &r->km[k].median, "estimate");
		fprintf(o, "},\n     \"curve\": [");
		json_curve c = { o, 0 };
		if (arm_curve(r, k, json_point, &c, err))
			return err->status;
		fprintf(o, "]}");
	}
	fprintf(o, "\n  ]");
	if (r->sweep) {
		fprintf(o, ",\n  \"sweep\": {\"keys\": [");
		for (size_t j = 0; j < r->n_keys; j++) {
			fprintf(o, "%s", j ? ", " : "");
			json_str(o, r->keys[j]);
		}
		fprintf(o, "],\n    \"points\": [");
		for (size_t i = 0; i < r->n_points; i++) {
			fprintf(o, "%s{\"point\": %lld, \"values\": [", i ? ", " : "",
			        (long long)r->point_id[i]);
			for (size_t j = 0; j < r->n_keys; j++) {
				fprintf(o, "%s", j ? ", " : "");
				json_num(o, r->pval[i * r->n_keys + j]);
			}
			fprintf(o, "]}");
		}
		fprintf(o, "],\n    \"marginal\": [");
		for (size_t i = 0; i < r->n_marg; i++) {
			const marginal *mg = &r->marg[i];
			fprintf(o, "%s\n      {\"arm\": ", i ? "," : "");
			json_str(o, r->sarm[mg->sarm]);
			fprintf(o, ", \"baseline\": ");
			json_str(o, r->sarm[r->sbase]);
			fprintf(o, ", \"key\": ");
			json_str(o, r->keys[mg->key]);
			fprintf(o, ", \"value\": ");
			json_num(o, mg->value);
			fprintf(o, ", \"metric\": ");
			json_str(o, r->m[mg->metric].name);
			fprintf(o, ", \"points\": %lld, ", (long long)mg->points);
			json_interval(o, &mg->d, "mean");
			fprintf(o, ", \"sd\": ");
			json_num(o, mg->d.sd);
			fprintf(o, ", \"p\": ");
			json_num(o, mg->p);
			fprintf(o, "}");
		}
		fprintf(o, "\n    ]");
		json_sensitivity(r);
		fprintf(o, "}");
	}
	if (r->decompose >= 0) {
		fprintf(o, ",\n  \"decomposition\": [");
		int first_d = 1;
		for (int j = 0; j < N_DMETRICS; j++)
			for (int m = 0; r->dmetric[j] >= 0 && m < N_MECH; m++) {
				fprintf(o, "%s\n    {\"metric\": ", first_d ? "" : ",");
				first_d = 0;
				json_str(o, dmetric_names[j]);
				fprintf(o, ", \"mechanism\": ");
				json_str(o, mech_names[m]);
				fprintf(o, ", \"difference\": {");
				json_interval(o, &r->ddiff[j * N_MECH + m], "mean");
				fprintf(o, "}, \"share\": {");
				json_interval(o, &r->dshare[j * N_MECH + m], "ratio");
				fprintf(o, "}}");
			}
		fprintf(o, "\n  ]");
	}
	fprintf(o, "\n}\n");
	return ESC_OK;
}

/* --------------------------------------------------------------- storing */

typedef struct row_metric {
	int32_t arm, metric;
	int64_t n;
	double mean, sd, lo, hi;
	int8_t constant;
} row_metric;

typedef struct row_decomp {
	int32_t metric, mechanism, arm, baseline;
	int64_t n;
	double diff, diff_lo, diff_hi, share, share_lo, share_hi;
} row_decomp;

typedef struct row_diff {
	int32_t arm, baseline, metric;
	int64_t n;
	double mean, sd, lo, hi, p;
} row_diff;

typedef struct row_binary {
	int32_t arm, outcome;
	int64_t n, k;
	double share, lo, hi;
	int32_t baseline;
	int64_t pairs, arm_only, baseline_only;
	double difference, chi2, p;
	int8_t exact;
} row_binary;

typedef struct row_tail {
	int32_t arm, metric;
	double quantile;
	int64_t n;
	double value, lo, hi;
} row_tail;

typedef struct row_surv {
	int32_t arm;
	double t_h;
	int64_t at_risk, events, censored;
	double survival, lo, hi;
} row_surv;

typedef struct row_median {
	int32_t arm;
	int64_t n, events;
	double horizon_h, median_h, lo, hi;
} row_median;

#define F(T, m, k, u, d) { #m, offsetof(T, m), k, u, NULL, d }
static const esc_h5_field metric_fields[] = {
	F(row_metric, arm, ESC_H5_I32, NULL, "arm"),
	F(row_metric, metric, ESC_H5_I32, NULL, "metric: a runs column, or "
	  "fatalities_total or crisis"),
	F(row_metric, n, ESC_H5_I64, "count", "replications with a value"),
	F(row_metric, mean, ESC_H5_F64, NULL, "mean over replications (the "
	  "metric's units, in metric_units)"),
	F(row_metric, sd, ESC_H5_F64, NULL, "standard deviation over replications"),
	F(row_metric, lo, ESC_H5_F64, NULL, "95% Student t interval, lower"),
	F(row_metric, hi, ESC_H5_F64, NULL, "95% Student t interval, upper"),
	{ "constant", offsetof(row_metric, constant), ESC_H5_I8, "1", "0=no,1=yes",
	  "1 if every replication of the arm that has a value has the same one" },
};
static const esc_h5_field decomp_fields[] = {
	F(row_decomp, metric, ESC_H5_I32, NULL, "metric"),
	{ "mechanism", offsetof(row_decomp, mechanism), ESC_H5_I32, NULL,
	  "0=answers,1=notices,2=enforcement,3=interaction,4=all",
	  "the cell's mechanism: its arm alone (answers_only, notices_only, "
	  "enforcement_only), the interaction (the whole cell beyond the three), "
	  "or the whole cell" },
	F(row_decomp, arm, ESC_H5_I32, NULL, "the arm of the mechanism (cell for "
	  "interaction and all)"),
	F(row_decomp, baseline, ESC_H5_I32, NULL, "the arm subtracted"),
	F(row_decomp, n, ESC_H5_I64, "count", "replications every one of the five arms has"),
	F(row_decomp, diff, ESC_H5_F64, NULL, "mean paired difference from the "
	  "baseline (the metric's units)"),
	F(row_decomp, diff_lo, ESC_H5_F64, NULL, "95% Student t interval, lower"),
	F(row_decomp, diff_hi, ESC_H5_F64, NULL, "95% Student t interval, upper"),
	F(row_decomp, share, ESC_H5_F64, "1", "diff over the whole cell's diff "
	  "(ratio of means); NaN if the cell changes nothing on average"),
	F(row_decomp, share_lo, ESC_H5_F64, "1", "95% delta-method interval, lower"),
	F(row_decomp, share_hi, ESC_H5_F64, "1", "95% delta-method interval, upper"),
};
static const esc_h5_field diff_fields[] = {
	F(row_diff, arm, ESC_H5_I32, NULL, "arm"),
	F(row_diff, baseline, ESC_H5_I32, NULL, "the arm subtracted"),
	F(row_diff, metric, ESC_H5_I32, NULL, "metric"),
	F(row_diff, n, ESC_H5_I64, "count", "pairs (replications in both arms "
	  "with a value)"),
	F(row_diff, mean, ESC_H5_F64, NULL, "mean paired difference, arm minus "
	  "baseline"),
	F(row_diff, sd, ESC_H5_F64, NULL, "standard deviation of the differences"),
	F(row_diff, lo, ESC_H5_F64, NULL, "95% Student t interval, lower"),
	F(row_diff, hi, ESC_H5_F64, NULL, "95% Student t interval, upper"),
	F(row_diff, p, ESC_H5_F64, "1", "two-sided paired t test p-value"),
};
static const esc_h5_field binary_fields[] = {
	F(row_binary, arm, ESC_H5_I32, NULL, "arm"),
	F(row_binary, outcome, ESC_H5_I32, NULL, "0/1 outcome (metric codes)"),
	F(row_binary, n, ESC_H5_I64, "count", "replications"),
	F(row_binary, k, ESC_H5_I64, "count", "replications with the outcome"),
	F(row_binary, share, ESC_H5_F64, "1", "k / n"),
	F(row_binary, lo, ESC_H5_F64, "1", "95% Wilson interval, lower"),
	F(row_binary, hi, ESC_H5_F64, "1", "95% Wilson interval, upper"),
	F(row_binary, baseline, ESC_H5_I32, NULL, "arm compared with; -1 for the "
	  "baseline itself"),
	F(row_binary, pairs, ESC_H5_I64, "count", "pairs in both arms"),
	F(row_binary, arm_only, ESC_H5_I64, "count", "discordant pairs with the "
	  "outcome in the arm only"),
	F(row_binary, baseline_only, ESC_H5_I64, "count", "discordant pairs "
	  "with the outcome in the baseline only"),
	F(row_binary, difference, ESC_H5_F64, "1", "share difference over the "
	  "pairs, arm minus baseline"),
	F(row_binary, chi2, ESC_H5_F64, NULL, "McNemar chi-square with "
	  "continuity correction"),
	F(row_binary, p, ESC_H5_F64, "1", "two-sided p-value: McNemar, or exact "
	  "binomial when exact = 1"),
	{ "exact", offsetof(row_binary, exact), ESC_H5_I8, "1", "0=no,1=yes",
	  "1 if p is the exact binomial p-value (fewer than 25 discordant pairs)" },
};
static const esc_h5_field tail_fields[] = {
	F(row_tail, arm, ESC_H5_I32, NULL, "arm"),
	F(row_tail, metric, ESC_H5_I32, NULL, "metric"),
	F(row_tail, quantile, ESC_H5_F64, "1", "probability of the quantile "
	  "(0.9, 0.99)"),
	F(row_tail, n, ESC_H5_I64, "count", "replications"),
	F(row_tail, value, ESC_H5_F64, "count", "quantile (linear "
	  "interpolation, type 7)"),
	F(row_tail, lo, ESC_H5_F64, "count", "95% distribution-free interval, "
	  "lower; NaN with too few replications"),
	F(row_tail, hi, ESC_H5_F64, "count", "95% distribution-free interval, "
	  "upper; NaN with too few replications"),
};
static const esc_h5_field surv_fields[] = {
	F(row_surv, arm, ESC_H5_I32, NULL, "arm"),
	F(row_surv, t_h, ESC_H5_F64, "h", "time"),
	F(row_surv, at_risk, ESC_H5_I64, "count", "replications without a "
	  "crisis just before t_h"),
	F(row_surv, events, ESC_H5_I64, "count", "first crises at t_h"),
	F(row_surv, censored, ESC_H5_I64, "count", "censored at t_h (the "
	  "horizon)"),
	F(row_surv, survival, ESC_H5_F64, "1", "Kaplan-Meier probability of no "
	  "crisis by t_h"),
	F(row_surv, lo, ESC_H5_F64, "1", "95% band (Greenwood, log-log), lower"),
	F(row_surv, hi, ESC_H5_F64, "1", "95% band (Greenwood, log-log), upper"),
};
static const esc_h5_field median_fields[] = {
	F(row_median, arm, ESC_H5_I32, NULL, "arm"),
	F(row_median, n, ESC_H5_I64, "count", "replications"),
	F(row_median, events, ESC_H5_I64, "count", "replications with a crisis"),
	F(row_median, horizon_h, ESC_H5_F64, "h", "censoring time"),
	F(row_median, median_h, ESC_H5_F64, "h", "median time to first crisis; "
	  "NaN if not reached by the horizon"),
	F(row_median, lo, ESC_H5_F64, "h", "95% interval, lower; NaN if not "
	  "reached"),
	F(row_median, hi, ESC_H5_F64, "h", "95% interval, upper; NaN if not "
	  "reached"),
};
#undef F

#define DESC(T, title, f) { title, sizeof(T), f, sizeof f / sizeof f[0] }
static const esc_h5_table_desc metrics_desc =
	DESC(row_metric, "summary: each metric per arm, mean with 95% CI", metric_fields);
static const esc_h5_table_desc diff_desc =
	DESC(row_diff, "summary: paired differences from the baseline arm", diff_fields);
static const esc_h5_table_desc binary_desc =
	DESC(row_binary, "summary: 0/1 outcomes, Wilson intervals, McNemar", binary_fields);
static const esc_h5_table_desc tail_desc =
	DESC(row_tail, "summary: fatality tails P90 and P99", tail_fields);
static const esc_h5_table_desc surv_desc =
	DESC(row_surv, "summary: Kaplan-Meier time to first crisis", surv_fields);
static const esc_h5_table_desc median_desc =
	DESC(row_median, "summary: median time to first crisis", median_fields);
static const esc_h5_table_desc decomp_desc =
	DESC(row_decomp, "summary: the cell's effect by mechanism (compare --decompose)", decomp_fields);
#undef DESC

typedef struct row_sweep {
	int64_t point;
	int32_t arm, baseline, metric;
	int64_t n;
	double mean, sd, lo, hi, p;
	/* then one double per varied key */
} row_sweep;

typedef struct row_marginal {
	int32_t arm, baseline, key, metric;
	double value;
	int64_t points, n;
	double mean, sd, lo, hi, p;
} row_marginal;

#define F(T, m, k, u, d) { #m, offsetof(T, m), k, u, NULL, d }
static const esc_h5_field sweep_fixed_fields[] = {
	F(row_sweep, point, ESC_H5_I64, NULL, "design point (row of /sweep/points)"),
	F(row_sweep, arm, ESC_H5_I32, NULL, "arm (without the .p<k> of its group)"),
	F(row_sweep, baseline, ESC_H5_I32, NULL, "the arm subtracted, at the same point"),
	F(row_sweep, metric, ESC_H5_I32, NULL, "metric"),
	F(row_sweep, n, ESC_H5_I64, "count", "pairs"),
	F(row_sweep, mean, ESC_H5_F64, NULL, "mean paired difference at the point"),
	F(row_sweep, sd, ESC_H5_F64, NULL, "standard deviation of the differences"),
	F(row_sweep, lo, ESC_H5_F64, NULL, "95% Student t interval, lower"),
	F(row_sweep, hi, ESC_H5_F64, NULL, "95% Student t interval, upper"),
	F(row_sweep, p, ESC_H5_F64, "1", "two-sided paired t test p-value"),
};
static const esc_h5_field marginal_fields[] = {
	F(row_marginal, arm, ESC_H5_I32, NULL, "arm"),
	F(row_marginal, baseline, ESC_H5_I32, NULL, "the arm subtracted"),
	F(row_marginal, key, ESC_H5_I32, NULL, "the varied key"),
	F(row_marginal, metric, ESC_H5_I32, NULL, "metric"),
	F(row_marginal, value, ESC_H5_F64, NULL, "the key's value"),
	F(row_marginal, points, ESC_H5_I64, "count", "design points with that value"),
	F(row_marginal, n, ESC_H5_I64, "count", "replications present at all of them"),
	F(row_marginal, mean, ESC_H5_F64, NULL, "mean over replications of the "
	  "per-replication mean difference over those points"),
	F(row_marginal, sd, ESC_H5_F64, NULL, "standard deviation over replications"),
	F(row_marginal, lo, ESC_H5_F64, NULL, "95% Student t interval, lower"),
	F(row_marginal, hi, ESC_H5_F64, NULL, "95% Student t interval, upper"),
	F(row_marginal, p, ESC_H5_F64, "1", "two-sided t test p-value"),
};
#undef F

/* "0=a,1=b,..." (malloc'd) from names. */
static char *label_spec(const char *const *names, size_t n, int with_none)
{
	size_t len = 16;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 24;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	*p = '\0';
	if (with_none)
		p += sprintf(p, "-1=none");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%zu=%s", p == s ? "" : ",", i, names[i]);
	return s;
}

/* Label list for a descriptor: ARM for columns named arm/baseline, METRIC
 * for metric/outcome. */
static void labels_for(const esc_h5_table_desc *d, const char **out,
                       const char *arm, const char *arm_none,
                       const char *metric)
{
	for (size_t i = 0; i < d->n_fields; i++) {
		const char *n = d->fields[i].name;
		out[i] = !strcmp(n, "arm") ? arm :
		         !strcmp(n, "baseline") ? arm_none :
		         (!strcmp(n, "metric") || !strcmp(n, "outcome")) ? metric :
		         NULL;
	}
}

/* /summary/sweep (each point's differences, with the point's values as
 * columns named by the keys) and /summary/sweep_marginal. */
static int store_sweep(const report *r, esc_h5_file *f, const char *metric_spec,
                       esc_error *err)
{
	size_t nk = r->n_keys;
	size_t nf = sizeof sweep_fixed_fields / sizeof sweep_fixed_fields[0];
	size_t row_size = sizeof(row_sweep) + nk * sizeof(double);
	esc_h5_field *fields = calloc(nf + nk, sizeof *fields);
	const char **labels = calloc(nf + nk, sizeof *labels);
	char *sarm_spec = label_spec((const char *const *)r->sarm, r->n_sarm, 0);
	char *key_spec = label_spec((const char *const *)r->keys, nk, 0);
	size_t nrows = 0;
	for (size_t k = 0; k < r->na; k++)
		nrows += r->a[k].base_of >= 0 ? r->nm : 0;
	unsigned char *rows = calloc(nrows + 1, row_size);
	row_marginal *rm = calloc(r->n_marg + 1, sizeof *rm);
	int st = ESC_OK;
	if (!fields || !labels || !sarm_spec || !key_spec || !rows || !rm) {
		st = oom(err);
		goto out;
	}
	memcpy(fields, sweep_fixed_fields, sizeof sweep_fixed_fields);
	for (size_t q = 0; q < nk; q++)
		fields[nf + q] = (esc_h5_field){ r->keys[q], sizeof(row_sweep) +
		                                 q * sizeof(double), ESC_H5_F64, NULL,
		                                 NULL, "the point's value of this key" };
	for (size_t i = 0; i < nf; i++) {
		const char *n = fields[i].name;
		labels[i] = (!strcmp(n, "arm") || !strcmp(n, "baseline")) ? sarm_spec :
		            !strcmp(n, "metric") ? metric_spec : NULL;
	}
	size_t n = 0;
	for (size_t k = 0; k < r->na; k++) {
		const arm *a = &r->a[k];
		if (a->base_of < 0)
			continue;
		long prow = point_row(r, a->point);
		for (size_t j = 0; j < r->nm; j++) {
			const esc_interval *d = &r->diff[k * r->nm + j];
			row_sweep x = {
				a->point, sarm_index(r, a->sweep_arm), (int32_t)r->sbase,
				(int32_t)j, d->n, d->est, d->sd, d->lo, d->hi,
				r->diff_p[k * r->nm + j],
			};
			unsigned char *dst = rows + n++ * row_size;
			memcpy(dst, &x, sizeof x);
			for (size_t q = 0; q < nk; q++) {
				double v = prow < 0 ? NAN : r->pval[(size_t)prow * nk + q];
				memcpy(dst + sizeof x + q * sizeof v, &v, sizeof v);
			}
		}
	}
	esc_h5_table_desc desc = { "summary: paired differences at each sweep point",
	                           row_size, fields, nf + nk };
	st = esc_h5_write_table(f, "/summary/sweep", &desc, labels, rows, n, err);
	for (size_t i = 0; i < r->n_marg; i++) {
		const marginal *mg = &r->marg[i];
		rm[i] = (row_marginal){ (int32_t)mg->sarm, (int32_t)r->sbase,
		                        (int32_t)mg->key, (int32_t)mg->metric,
		                        mg->value, mg->points, mg->d.n, mg->d.est,
		                        mg->d.sd, mg->d.lo, mg->d.hi, mg->p };
	}
	size_t nmf = sizeof marginal_fields / sizeof marginal_fields[0];
	const char *ml[sizeof marginal_fields / sizeof marginal_fields[0]];
	for (size_t i = 0; i < nmf; i++) {
		const char *fn = marginal_fields[i].name;
		ml[i] = (!strcmp(fn, "arm") || !strcmp(fn, "baseline")) ? sarm_spec :
		        !strcmp(fn, "key") ? key_spec :
		        !strcmp(fn, "metric") ? metric_spec : NULL;
	}
	esc_h5_table_desc mdesc = {
		"summary: paired differences along each varied key",
		sizeof(row_marginal), marginal_fields, nmf,
	};
	if (!st)
		st = esc_h5_write_table(f, "/summary/sweep_marginal", &mdesc, ml, rm,
		                        r->n_marg, err);
out:
	free(fields);
	free(labels);
	free(sarm_spec);
	free(key_spec);
	free(rows);
	free(rm);
	return st;
}

/* /summary/sensitivity: a row per series, metric and varied key. */
typedef struct row_sobol {
	int32_t arm, baseline, metric, parameter;
	int64_t n;
	double variance, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi;
} row_sobol;

typedef struct row_morris {
	int32_t arm, baseline, metric, parameter;
	int64_t n;
	double mu, mu_star, mu_star_lo, mu_star_hi, sigma, sigma_lo, sigma_hi;
} row_morris;

#define F(T, m, k, u, d) { #m, offsetof(T, m), k, u, NULL, d }
#define SENS_KEYS(T) \
	F(T, arm, ESC_H5_I32, NULL, "arm (without the .p<k> of its groups)"), \
	F(T, baseline, ESC_H5_I32, NULL, "-1: the arm's mean at each point; else " \
	  "the arm's mean paired difference from this arm at each point"), \
	F(T, metric, ESC_H5_I32, NULL, "metric"), \
	F(T, parameter, ESC_H5_I32, NULL, "the varied key")
static const esc_h5_field sobol_fields[] = {
	SENS_KEYS(row_sobol),
	F(row_sobol, n, ESC_H5_I64, "count", "base rows used (rows with a NaN "
	  "value left out)"),
	F(row_sobol, variance, ESC_H5_F64, NULL, "variance of the metric over the "
	  "points of A and B"),
	F(row_sobol, S1, ESC_H5_F64, "1", "first-order index (Saltelli 2010)"),
	F(row_sobol, S1_lo, ESC_H5_F64, "1", "95% percentile bootstrap, lower"),
	F(row_sobol, S1_hi, ESC_H5_F64, "1", "95% percentile bootstrap, upper"),
	F(row_sobol, ST, ESC_H5_F64, "1", "total index (Jansen)"),
	F(row_sobol, ST_lo, ESC_H5_F64, "1", "95% percentile bootstrap, lower"),
	F(row_sobol, ST_hi, ESC_H5_F64, "1", "95% percentile bootstrap, upper"),
};
static const esc_h5_field morris_fields[] = {
	SENS_KEYS(row_morris),
	F(row_morris, n, ESC_H5_I64, "count", "trajectories with this key's "
	  "elementary effect"),
	F(row_morris, mu, ESC_H5_F64, NULL, "mean elementary effect (the "
	  "metric's change per unit of the key's range)"),
	F(row_morris, mu_star, ESC_H5_F64, NULL, "mean absolute elementary effect"),
	F(row_morris, mu_star_lo, ESC_H5_F64, NULL, "95% percentile bootstrap, lower"),
	F(row_morris, mu_star_hi, ESC_H5_F64, NULL, "95% percentile bootstrap, upper"),
	F(row_morris, sigma, ESC_H5_F64, NULL, "standard deviation of the "
	  "elementary effects"),
	F(row_morris, sigma_lo, ESC_H5_F64, NULL, "95% percentile bootstrap, lower"),
	F(row_morris, sigma_hi, ESC_H5_F64, NULL, "95% percentile bootstrap, upper"),
};
#undef SENS_KEYS
#undef F

static void sens_rows(const report *r, void *rows)
{
	row_sobol *rs = rows;
	row_morris *rm = rows;
	for (size_t i = 0; i < r->n_sens; i++) {
		const sens *x = &r->sens[i];
		if (sens_kind(r) == SENS_SOBOL)
			rs[i] = (row_sobol){ x->sarm, x->base, x->metric, x->key, x->n,
			                     x->variance, x->s.s1, x->s.s1_lo, x->s.s1_hi,
			                     x->s.st, x->s.st_lo, x->s.st_hi };
		else
			rm[i] = (row_morris){ x->sarm, x->base, x->metric, x->key, x->n,
			                      x->mo.mu, x->mo.mu_star, x->mo.mu_star_lo,
			                      x->mo.mu_star_hi, x->mo.sigma, x->mo.sigma_lo,
			                      x->mo.sigma_hi };
	}
}

static int store_sensitivity(const report *r, esc_h5_file *f,
                             const char *metric_spec, esc_error *err)
{
	int sobol = sens_kind(r) == SENS_SOBOL;
	const esc_h5_table_desc desc = sobol ?
		(esc_h5_table_desc){ "summary: Sobol indices of each metric over the design",
		                     sizeof(row_sobol), sobol_fields,
		                     sizeof sobol_fields / sizeof sobol_fields[0] } :
		(esc_h5_table_desc){ "summary: Morris screening of each metric over the design",
		                     sizeof(row_morris), morris_fields,
		                     sizeof morris_fields / sizeof morris_fields[0] };
	char *sarm = label_spec((const char *const *)r->sarm, r->n_sarm, 0);
	char *sarm_none = label_spec((const char *const *)r->sarm, r->n_sarm, 1);
	char *keys = label_spec((const char *const *)r->keys, r->n_keys, 0);
	void *rows = calloc(r->n_sens + 1, sobol ? sizeof(row_sobol) : sizeof(row_morris));
	int st = sarm && sarm_none && keys && rows ? ESC_OK : oom(err);
	if (st == ESC_OK) {
		const char *labels[] = { sarm, sarm_none, metric_spec, keys, NULL, NULL,
		                         NULL, NULL, NULL, NULL, NULL, NULL };
		sens_rows(r, rows);
		st = esc_h5_write_table(f, "/summary/sensitivity", &desc, labels, rows,
		                        r->n_sens, err);
	}
	if (st == ESC_OK)
		st = esc_h5_set_attr_text(f, "/summary/sensitivity", "method", sobol ?
		                          "Sobol indices from a Saltelli design: first "
		                          "order Saltelli 2010, total Jansen 1999" :
		                          "Morris elementary effects: mu, mu* "
		                          "(Campolongo 2007), sigma", err);
	if (st == ESC_OK)
		st = esc_h5_set_attr_double(f, "/summary/sensitivity", "resamples",
		                            ESC_SENS_RESAMPLES, err);
	free(sarm);
	free(sarm_none);
	free(keys);
	free(rows);
	return st;
}

/* /summary/survival: every arm's curve, computed again and written in
 * blocks as it streams past. */
#define SURV_BLOCK 1024
typedef struct surv_out {
	esc_h5_table_out *t;
	esc_error *err;
	int st;
	int32_t arm;
	size_t n;
	row_surv rows[SURV_BLOCK];
} surv_out;

static void surv_flush(surv_out *s)
{
	if (s->st == ESC_OK && s->n)
		s->st = esc_h5_table_add(s->t, s->rows, s->n, s->err);
	s->n = 0;
}

static void surv_point(const esc_km_point *p, void *ctx)
{
	surv_out *s = ctx;
	s->rows[s->n++] = (row_surv){ s->arm, p->t, p->at_risk, p->events,
	                              p->censored, p->s, p->lo, p->hi };
	if (s->n == SURV_BLOCK)
		surv_flush(s);
}

static int store_survival(const report *r, esc_h5_file *f,
                          const char *const *labels, esc_error *err)
{
	surv_out *s = calloc(1, sizeof *s);
	if (!s)
		return oom(err);
	s->err = err;
	s->t = esc_h5_table_begin(f, "/summary/survival", &surv_desc, labels, err);
	if (!s->t) {
		free(s);
		return err->status;
	}
	for (size_t k = 0; s->st == ESC_OK && k < r->na; k++) {
		if (!r->km[k].has)
			continue;
		s->arm = (int32_t)k;
		s->st = arm_curve(r, k, surv_point, s, err);
		surv_flush(s);
	}
	esc_error ignore = {0};
	int end = esc_h5_table_end(s->t, s->st == ESC_OK ? err : &ignore);
	int st = s->st != ESC_OK ? s->st : end;
	free(s);
	return st;
}

static int store(const report *r, esc_error *err)
{
	const char **an = malloc((r->na ? r->na : 1) * sizeof *an);
	const char **mn = malloc((r->nm + N_TAILS) * sizeof *mn);
	if (!an || !mn) {
		free(an);
		free(mn);
		return oom(err);
	}
	for (size_t k = 0; k < r->na; k++)
		an[k] = r->a[k].name;
	for (size_t j = 0; j < r->nm; j++)
		mn[j] = r->m[j].name;
	char *arm_spec = label_spec(an, r->na, 0);
	char *arm_none = label_spec(an, r->na, 1);
	char *metric_spec = label_spec(mn, r->nm, 0);
	free(an);
	free(mn);
	size_t na = r->na, nm = r->nm;
	row_metric *rm = calloc(na * nm + 1, sizeof *rm);
	row_diff *rd = calloc(na * nm + 1, sizeof *rd);
	row_binary *rb = calloc(na * 2 + 1, sizeof *rb);
	row_tail *rt = calloc(na * N_TAILS * N_Q + 1, sizeof *rt);
	row_median *rmed = calloc(na + 1, sizeof *rmed);
	row_decomp *rdc = calloc(N_DMETRICS * N_MECH, sizeof *rdc);
	int st = ESC_OK;
	esc_h5_file *f = NULL;
	if (!arm_spec || !arm_none || !metric_spec || !rm || !rd || !rb ||
	    !rt || !rmed || !rdc) {
		st = oom(err);
		goto out;
	}
	size_t nrm = 0, nrd = 0, nrb = 0, nrt = 0, nrmed = 0;
	for (size_t j = 0; j < nm; j++)
		for (size_t k = 0; k < na; k++) {
			const esc_interval *e = &r->mean[k * nm + j];
			rm[nrm++] = (row_metric){ (int32_t)k, (int32_t)j, e->n, e->est,
			                          e->sd, e->lo, e->hi,
			                          (int8_t)r->constant[k * nm + j] };
			if (r->a[k].base_of < 0)
				continue;
			const esc_interval *d = &r->diff[k * nm + j];
			rd[nrd++] = (row_diff){ (int32_t)k, (int32_t)r->a[k].base_of, (int32_t)j,
			                        d->n, d->est, d->sd, d->lo, d->hi,
			                        r->diff_p[k * nm + j] };
		}
	for (int q = 0; q < 2; q++) {
		int j = r->bin_metric[q];
		for (size_t k = 0; j >= 0 && k < na; k++) {
			const binary_res *br = &r->bin[k * 2 + (size_t)q];
			int is_base = r->a[k].base_of < 0;
			rb[nrb++] = (row_binary){
				(int32_t)k, (int32_t)j, br->share.n,
				br->yes,
				br->share.est, br->share.lo, br->share.hi,
				is_base ? -1 : (int32_t)r->a[k].base_of, is_base ? 0 : br->pairs,
				is_base ? 0 : br->mc.b, is_base ? 0 : br->mc.c,
				is_base ? NAN : br->diff, is_base ? NAN : br->mc.chi2,
				is_base ? NAN : br->mc.p, (int8_t)(is_base ? 0 : br->mc.exact),
			};
		}
	}
	for (int t = 0; t < N_TAILS; t++)
		for (size_t k = 0; r->tail_metric[t] >= 0 && k < na; k++)
			for (int q = 0; q < N_Q; q++) {
				const esc_interval *e = &r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q];
				rt[nrt++] = (row_tail){ (int32_t)k, (int32_t)r->tail_metric[t],
				                        tail_q[q], e->n, e->est, e->lo, e->hi };
			}
	for (size_t k = 0; k < na; k++) {
		if (!r->km[k].has)
			continue;
		const esc_interval *md = &r->km[k].median;
		rmed[nrmed++] = (row_median){ (int32_t)k, (int64_t)r->a[k].n,
		                              r->km[k].events, r->a[k].horizon_h,
		                              md->est, md->lo, md->hi };
	}

	size_t nrdc = 0;
	for (int j = 0; r->decompose >= 0 && j < N_DMETRICS; j++)
		for (int m = 0; r->dmetric[j] >= 0 && m < N_MECH; m++) {
			const esc_interval *d = &r->ddiff[j * N_MECH + m], *s = &r->dshare[j * N_MECH + m];
			rdc[nrdc++] = (row_decomp){
				r->dmetric[j], m, m < N_MECH - 2 ? r->dmech[m] : r->decompose,
				r->a[r->decompose].base_of, d->n, d->est, d->lo, d->hi, s->est, s->lo, s->hi,
			};
		}

	f = esc_h5_update_begin(r->o->path, err);
	if (!f) {
		st = err->status;
		goto out;
	}
	const char *labels[32];
	st = esc_h5_group_replace(f, "/summary", err);
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(created, sizeof created, "unknown");
	if (!st)
		st = esc_h5_set_attr_text(f, "/summary", "created", created, err);
	if (!st)
		st = esc_h5_set_attr_text(f, "/summary", "escsim_version",
		                          ESCSIM_VERSION, err);
	if (!st)
		st = esc_h5_set_attr_text(f, "/summary", "command_line",
		                          r->o->command_line ? r->o->command_line : "",
		                          err);
	if (!st)
		st = esc_h5_set_attr_text(f, "/summary", "baseline", r->sweep ?
		                          r->sarm[r->sbase] : r->a[r->base].name, err);
	if (!st)
		st = esc_h5_set_attr_double(f, "/summary", "confidence_level", LEVEL,
		                            err);
#define TABLE(path, desc, rows, n) \
	if (!st) { \
		labels_for(&desc, labels, arm_spec, arm_none, metric_spec); \
		st = esc_h5_write_table(f, path, &desc, labels, rows, n, err); \
	}
	TABLE("/summary/metrics", metrics_desc, rm, nrm)
	TABLE("/summary/differences", diff_desc, rd, nrd)
	TABLE("/summary/binary", binary_desc, rb, nrb)
	TABLE("/summary/tails", tail_desc, rt, nrt)
	if (!st) {
		labels_for(&surv_desc, labels, arm_spec, arm_none, metric_spec);
		st = store_survival(r, f, labels, err);
	}
	TABLE("/summary/survival_median", median_desc, rmed, nrmed)
	if (nrdc)
		TABLE("/summary/decomposition", decomp_desc, rdc, nrdc)
#undef TABLE
	/* Each metric's units, as one JSON object. */
	if (!st) {
		size_t len = 16;
		for (size_t j = 0; j < nm; j++)
			len += strlen(r->m[j].name) + strlen(r->m[j].units) + 8;
		char *u = malloc(len), *p = u;
		if (!u) {
			st = oom(err);
		} else {
			p += sprintf(p, "{");
			for (size_t j = 0; j < nm; j++)
				p += sprintf(p, "%s\"%s\": \"%s\"", j ? ", " : "",
				             r->m[j].name, r->m[j].units);
			sprintf(p, "}");
			st = esc_h5_set_attr_text(f, "/summary/metrics", "metric_units",
			                          u, err);
			free(u);
		}
	}
	if (!st && r->sweep)
		st = store_sweep(r, f, metric_spec, err);
	if (!st && r->n_sens)
		st = store_sensitivity(r, f, metric_spec, err);
	if (st) {
		esc_h5_update_abort(f);
		esc_error_prefix(err, "cannot store the summary (the file is "
		                 "unchanged): ");
	} else {
		st = esc_h5_update_commit(f, err);
	}
out:
	free(arm_spec);
	free(arm_none);
	free(metric_spec);
	free(rm);
	free(rd);
	free(rb);
	free(rt);
	free(rmed);
	free(rdc);
	return st;
}

/* ----------------------------------------------------------------- plots */

static int plots(const report *r, esc_error *err)
{
	const char *args[] = { r->o->path, r->o->plots_dir, "--baseline",
	                       r->a[r->base].name, NULL };
	return esc_pytool_run(r->o->argv0, "plots.py", args, "--plots", err);
}

/* ------------------------------------------------------------------ main */

static void free_report(report *r)
{
	for (size_t k = 0; r->a && k < r->na; k++) {
		arm *a = &r->a[k];
		free(a->name);
		free(a->overrides);
		free(a->sweep_arm);
		free(a->rep);
		free(a->pos);
	}
	free(r->a);
	free(r->m);
	free(r->mean);
	free(r->diff);
	free(r->diff_p);
	free(r->bin);
	free(r->tail);
	free(r->km);
	free(r->constant);
	free(r->ddiff);
	free(r->dshare);
	free(r->provenance_name);
	free(r->provenance_created);
	free(r->provenance_complete);
	free(r->provenance_seed);
	free(r->provenance_reps);
	esc_h5_free_names(r->keys, r->n_keys);
	esc_h5_free_names(r->sarm, r->n_sarm);
	free(r->point_id);
	free(r->pval);
	free(r->marg);
	free(r->design);
	free(r->design_levels);
	free(r->d_block);
	free(r->d_role);
	free(r->d_key);
	free(r->d_step);
	free(r->sens);
	if (r->f)
		esc_h5_file_close(r->f);
}

/* Arms that differ from their baseline in no paired replication on any
 * metric: a comparison that shows "0 [0, 0]" everywhere is usually a
 * mistake, and the likely one can be named (the cell never queried, a
 * policy parameter never read).  On standard error, whatever the format
 * and also with -q. */
static void warn_same_arms(const report *r)
{
	if (r->sweep)
		return;
	for (size_t k = 0; k < r->na; k++) {
		const arm *a = &r->a[k];
		if (a->base_of < 0 || a->pairs == 0 || a->differs)
			continue;
		const arm *b = &r->a[a->base_of];
		char why[400];
		int req = metric_index(r, "cell_requests");
		int notified = metric_index(r, "ops_notified");
		int cell = strstr(a->overrides, "cell.") || strstr(b->overrides, "cell.");
		if (cell && req >= 0 && r->mean[k * r->nm + (size_t)req].est == 0 &&
		    (notified < 0 || r->mean[k * r->nm + (size_t)notified].est == 0))
			snprintf(why, sizeof why, "no policy ever queried the cell and it delivered no "
			         "notice (cell_requests and ops_notified are 0): it changes a run only "
			         "through a policy that asks it (query = true), or cell.notify");
		else if (strstr(a->overrides, "policies.") || strstr(b->overrides, "policies."))
			snprintf(why, sizeof why, "the policy parameters they set were never read, or read "
			         "where they made no difference (does the hook that reads them run?)");
		else
			snprintf(why, sizeof why, "their overrides change nothing the runs used");
		fprintf(stderr, "escsim: warning: arms '%s' and '%s' differ in no replication on any "
		        "metric: %s\n", a->name, b->name, why);
	}
}

int esc_report(const esc_report_opts *o, esc_error *err)
{
	report r = { .o = o, .out = o->out ? o->out : stdout, .crisis_time = -1 };
	int st = ESC_OK;
#ifdef __GLIBC__
	/* After a batch in the same process (escsim run, compare, sweep), give
	 * back the heap it freed (the writer's compression buffers, the Lua
	 * states): glibc keeps freed pages resident, and the report's columns
	 * would otherwise come on top of them (docs/performance.md, Memory). */
	malloc_trim(0);
#endif
	r.f = esc_h5_open(o->path, err);
	if (!r.f)
		return err->status;
	esc_error ignore = {0};
	esc_h5_get_attr_text(r.f, "/", "scenario_name", &r.provenance_name, &ignore);
	esc_h5_get_attr_text(r.f, "/", "created", &r.provenance_created, &ignore);
	esc_h5_get_attr_text(r.f, "/", "complete", &r.provenance_complete, &ignore);
	esc_h5_get_attr_text(r.f, "/", "seed", &r.provenance_seed, &ignore);
	esc_h5_get_attr_text(r.f, "/", "reps", &r.provenance_reps, &ignore);

	r.na = esc_h5_n_arms(r.f);
	if (r.na == 0) {
		st = esc_error_set(err, ESC_ERR_INPUT, "'%s' has no arms", o->path);
		goto out;
	}
	r.a = calloc(r.na, sizeof *r.a);
	if (!r.a) {
		st = oom(err);
		goto out;
	}
	for (size_t k = 0; k < r.na; k++)
		if (!(r.a[k].name = dup_str(esc_h5_arm_name(r.f, k)))) {
			st = oom(err);
			goto out;
		}
	if ((st = read_sweep(&r, err)) || (st = read_design(&r, err)) ||
	    (st = pick_baselines(&r, err)))
		goto out;
	if ((st = find_metrics(&r, err)))
		goto out;
	r.bin_metric[0] = metric_index(&r, "spiral");
	r.bin_metric[1] = metric_index(&r, "crisis");
	for (int t = 0; t < N_TAILS; t++)
		r.tail_metric[t] = metric_index(&r, tail_names[t]);
	r.crisis_time = metric_index(&r, "first_crisis_h");
	for (size_t k = 0; k < r.na; k++)
		if ((st = read_arm(&r, &r.a[k], err)))
			goto out;
	find_decomposition(&r);
	if ((st = compute(&r, err)) || (st = marginals(&r, err)) || (st = decompose(&r, err)) ||
	    (st = sensitivity(&r, err)))
		goto out;
	warn_same_arms(&r);
	/* Stored first, so a reader that stops early (| head) still leaves the
	 * summary; printed even when storing failed.  The file stays open: the
	 * survival curves are read again for /summary and JSON (an update
	 * renames a copy over it; this handle keeps reading the original). */
	if (o->store)
		st = store(&r, err);
	switch (o->format) {
	case ESC_REPORT_TEXT:
		if (r.sweep)
			print_sweep_text(&r);
		else
			print_text(&r);
		break;
	case ESC_REPORT_CSV: print_csv(&r); break;
	case ESC_REPORT_JSON:
		if (st == ESC_OK)
			st = print_json(&r, err);
		else
			print_json(&r, &ignore);
		break;
	case ESC_REPORT_NONE: break;
	}
	fflush(r.out);
	esc_h5_file_close(r.f);
	r.f = NULL;
	if (st == ESC_OK && o->plots_dir)
		st = plots(&r, err);
out:
	free_report(&r);
	return st;
}
