/* report_compute.c: the report's statistics (report_impl.h), from columns
 * report_read.c reads one at a time: per arm and metric the mean with a t
 * interval, the paired difference from the baseline with the paired t test,
 * the 0/1 outcomes (Wilson, McNemar), the fatality tails and the survival
 * summary; the decomposition of compare --decompose; a sweep's differences
 * along each varied key.  The statistics themselves are stats.h's.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

const double report_km_at_days[N_KM_AT - 1] = { 7, 30, 90, 180 };
const char *const report_mech_names[N_MECH] = {
	"answers", "notices", "enforcement", "interaction", "all",
};
const char *const report_mech_arms[N_MECH - 2] = {
	"answers_only", "notices_only", "enforcement_only",
};
const char *const report_dmetric_names[N_DMETRICS] = {
	"retaliations", "misattributed_retaliations", "fatalities_civ", "fatalities_total",
	"max_level", "hours_at_or_above_6", "spiral", "crisis",
};
const char *const report_tail_names[N_TAILS] = {
	"fatalities_mil", "fatalities_civ", "fatalities_total",
};
const double report_tail_q[N_Q] = { 0.90, 0.99 };

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

/* Row of arm A holding rep WANT (its first), or -1. */
static long find_rep(const arm *a, int64_t want)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (report_rep_at(a, mid) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && report_rep_at(a, lo) == want ? (long)lo : -1;
}


static int alloc_results(report *r, esc_error *err)
{
	size_t na = r->na, nm = r->nm;
	r->mean = calloc(na * nm, sizeof *r->mean);
	r->diff = calloc(na * nm, sizeof *r->diff);
	r->diff_p = calloc(na * nm, sizeof *r->diff_p);
	r->bin = calloc(na * 2, sizeof *r->bin);
	r->tail = calloc(na * N_TAILS * N_Q, sizeof *r->tail);
	r->km = calloc(na, sizeof *r->km);
	r->constant = calloc(na * nm, 1);
	if (!r->mean || !r->diff || !r->diff_p || !r->bin || !r->tail || !r->km ||
	    !r->constant)
		return report_oom(err);
	return ESC_OK;
}

/* Arm K's results before its metrics: its pairs, empty outcomes and tails
 * (COL: any column, read at length 0), the survival summary's times. */
static void arm_begin(report *r, size_t k, const double *col)
{
	arm *a = &r->a[k];
	a->pairs = 0;
	if (a->base_of >= 0) {
		size_t ia, ib;
		pair_iter it = { a, &r->a[a->base_of], 0, 0 };
		while (report_pair_next(&it, &ia, &ib))
			a->pairs++;
	}
	for (int q = 0; q < 2; q++) {
		binary_res *br = &r->bin[k * 2 + (size_t)q];
		memset(br, 0, sizeof *br);
		br->diff = NAN;
		br->mc = esc_stat_mcnemar(0, 0);
	}
	for (int t = 0; t < N_TAILS; t++)
		for (int q = 0; r->tail_metric[t] < 0 && q < N_Q; q++)
			r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q] =
				esc_stat_quantile(col, 0, report_tail_q[q], LEVEL);
	km_sum *ks = &r->km[k];
	ks->median = esc_stat_km_median(NULL, 0);
	ks->has = r->crisis_time >= 0 && !isnan(a->horizon_h);
	for (int q = 0; q < N_KM_AT; q++) {
		ks->at_h[q] = q < N_KM_AT - 1 ? 24 * report_km_at_days[q] : a->horizon_h;
		ks->s_at[q] = NAN;
	}
}

/* Paired differences of metric J, arm K minus its baseline, over the
 * replications both have (COL and BCOL their columns, BUF scratch). */
static void paired_diff(report *r, size_t k, size_t j, const double *col,
                        const double *bcol, double *buf)
{
	arm *a = &r->a[k];
	size_t n = 0, ia, ib;
	pair_iter it = { a, &r->a[a->base_of], 0, 0 };
	while (report_pair_next(&it, &ia, &ib)) {
		double x = col[ia], y = bcol[ib];
		if (!isnan(x) && !isnan(y))
			buf[n++] = x - y;
		if (x != y && !(isnan(x) && isnan(y)))
			a->differs = 1;
	}
	r->diff[k * r->nm + j] = esc_stat_mean_t(buf, n, LEVEL);
	r->diff_p[k * r->nm + j] = esc_stat_t_pvalue(buf, n);
}

/* 0/1 outcome Q of arm K: its share, and against its baseline (BCOL, NULL
 * for none) the discordant pairs. */
static void binary_of(report *r, size_t k, int q, const double *col,
                      const double *bcol)
{
	const arm *a = &r->a[k];
	binary_res *br = &r->bin[k * 2 + (size_t)q];
	int64_t n = 0, yes = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (isnan(col[i]))
			continue;
		n++;
		yes += col[i] != 0;
	}
	br->share = esc_stat_wilson(yes, n, LEVEL);
	br->yes = yes;
	if (!bcol)
		return;
	int64_t bb = 0, cc = 0, ya = 0, yb = 0, np = 0;
	size_t ia, ib;
	pair_iter it = { a, &r->a[a->base_of], 0, 0 };
	while (report_pair_next(&it, &ia, &ib)) {
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

/* Arm K's own statistics of metric J from COL (overwritten): the mean over
 * the replications that have a value (in rep order: the sum's rounding
 * depends on it), whether it is constant, the tails, and the survival
 * summary. */
static void own_stats(report *r, size_t k, size_t j, double *col)
{
	const arm *a = &r->a[k];
	size_t n = report_drop_nan(col, a->n);
	r->mean[k * r->nm + j] = esc_stat_mean_t(col, n, LEVEL);
	int same = n > 0;
	for (size_t i = 1; same && i < n; i++)
		same = col[i] == col[0];
	r->constant[k * r->nm + j] = (unsigned char)same;
	/* Tails: exact quantiles of the sorted column. */
	int sorted = 0;
	for (int t = 0; t < N_TAILS; t++) {
		if (r->tail_metric[t] != (int)j)
			continue;
		if (!sorted++)
			qsort(col, n, sizeof *col, report_cmp_double);
		for (int q = 0; q < N_Q; q++)
			r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q] =
				esc_stat_quantile(col, n, report_tail_q[q], LEVEL);
	}
	/* Time to first crisis: the crisis times sorted, the others censored
	 * at the horizon. */
	if ((int)j == r->crisis_time && r->km[k].has) {
		if (!sorted++)
			qsort(col, n, sizeof *col, report_cmp_double);
		esc_stat_km_sorted(col, n, a->horizon_h, a->n - n, LEVEL,
		                   km_summarise, &r->km[k]);
	}
}

/* Replications every arm has. */
static void count_paired_all(report *r)
{
	const arm *b = &r->a[r->base];
	r->paired_all = 0;
	for (size_t i = 0; i < b->n; i++) {
		int all = 1;
		int64_t want = report_rep_at(b, i);
		if (i > 0 && want == report_rep_at(b, i - 1))
			continue;
		for (size_t k = 0; all && k < r->na; k++)
			all = find_rep(&r->a[k], want) >= 0;
		r->paired_all += all;
	}
}

/* Every statistic, one metric of one arm at a time: memory is a column of
 * the arm, and of its baseline and their differences when it has one, not
 * the runs tables (the report of 100,000 replications needs a few MB). */
static int compute(report *r, esc_error *err)
{
	size_t maxn = 1;
	int paired = 0;
	for (size_t k = 0; k < r->na; k++) {
		if (r->a[k].n > maxn)
			maxn = r->a[k].n;
		paired |= r->a[k].base_of >= 0;
	}
	double *col = malloc(maxn * sizeof *col);
	double *bcol = paired ? malloc(maxn * sizeof *bcol) : NULL;
	double *buf = paired ? malloc(maxn * sizeof *buf) : NULL;
	int st = ESC_OK;
	if (!col || (paired && (!bcol || !buf))) {
		st = report_oom(err);
		goto out;
	}
	if ((st = alloc_results(r, err)))
		goto out;
	for (size_t k = 0; k < r->na; k++) {
		const arm *a = &r->a[k];
		int has_base = a->base_of >= 0;
		arm_begin(r, k, col);
		for (size_t j = 0; j < r->nm; j++) {
			if ((st = report_load(r, a, j, col, err)))
				goto out;
			r->diff_p[k * r->nm + j] = NAN;
			if (!has_base)
				r->diff[k * r->nm + j] = esc_stat_mean_t(NULL, 0, LEVEL);
			else if ((st = report_load(r, &r->a[a->base_of], j, bcol, err)))
				goto out;
			else
				paired_diff(r, k, j, col, bcol, buf);
			for (int q = 0; q < 2; q++)
				if (r->bin_metric[q] == (int)j)
					binary_of(r, k, q, col, has_base ? bcol : NULL);
			own_stats(r, k, j, col);
		}
	}
	count_paired_all(r);
out:
	free(col);
	free(bcol);
	free(buf);
	return st;
}

/* The file has the arms compare --decompose writes: cell, the three
 * one-mechanism arms, all compared with the same baseline. */
static void find_decomposition(report *r)
{
	r->decompose = -1;
	int cell = report_arm_index(r, "cell");
	if (r->sweep || cell < 0 || r->a[cell].base_of < 0)
		return;
	for (int m = 0; m < N_MECH - 2; m++) {
		r->dmech[m] = report_arm_index(r, report_mech_arms[m]);
		if (r->dmech[m] < 0 || r->a[r->dmech[m]].base_of != r->a[cell].base_of)
			return;
	}
	for (int j = 0; j < N_DMETRICS; j++)
		r->dmetric[j] = report_metric_index(r, report_dmetric_names[j]);
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
		st = report_oom(err);
		goto out;
	}
	for (int j = 0; j < N_DMETRICS; j++) {
		int mj = r->dmetric[j];
		if (mj < 0)
			continue;
		/* col[0..3]: the three mechanisms and the cell; col[4]: the baseline */
		for (int m = 0; m < N_MECH && !st; m++)
			st = report_load(r, m < N_MECH - 1 ? &r->a[idx[m]] : b, (size_t)mj, col[m], err);
		if (st)
			goto out;
		size_t k = 0;
		for (size_t i = 0; i < b->n; i++) {
			int64_t rep = report_rep_at(b, i);
			if (i > 0 && rep == report_rep_at(b, i - 1))
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

typedef struct rep_diff {
	int64_t rep;
	double d;
} rep_diff;

static int cmp_rep_diff(const void *x, const void *y)
{
	const rep_diff *a = x, *b = y;
	return (a->rep > b->rep) - (a->rep < b->rep);
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
		st = report_oom(err);
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
			qsort(vals, nv, sizeof *vals, report_cmp_double);
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
						long row = report_point_row(r, a->point);
						if (a->base_of < 0 || row < 0 ||
						    strcmp(a->sweep_arm, r->sarm[sa]) ||
						    r->pval[(size_t)row * r->n_keys + key] != vals[vi])
							continue;
						groups++;
						const arm *b = &r->a[a->base_of];
						if ((st = report_load(r, a, j, col, err)) ||
						    (st = report_load(r, b, j, bcol, err)))
							goto out;
						size_t ia, ib;
						pair_iter it = { a, b, 0, 0 };
						while (report_pair_next(&it, &ia, &ib)) {
							double d = col[ia] - bcol[ib];
							if (!isnan(d))
								rd[n++] = (rep_diff){ report_rep_at(a, ia), d };
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


int report_compute(report *r, esc_error *err)
{
	int st;
	find_decomposition(r);
	if ((st = compute(r, err)) || (st = marginals(r, err)) ||
	    (st = decompose(r, err)))
		return st;
	return ESC_OK;
}
