/* report_store.c: the report stored under /summary (report_impl.h): the
 * comparison's tables (metrics, differences, binary, tails, survival,
 * survival_median, decomposition), with their column descriptions and
 * label lists, written into a copy of the file renamed over it
 * (escsim/h5_reader.h); the sweep's tables are report_store_sweep.c's.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "escsim/h5_reader.h"
#include "escsim/json.h"
#include "report_impl.h"

#ifndef ESCSIM_VERSION
#define ESCSIM_VERSION "unknown"
#endif

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

char *report_label_spec(const char *const *names, size_t n, int with_none)
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
		return report_oom(err);
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
		s->st = report_arm_curve(r, k, surv_point, s, err);
		surv_flush(s);
	}
	esc_error ignore = {0};
	int end = esc_h5_table_end(s->t, s->st == ESC_OK ? err : &ignore);
	int st = s->st != ESC_OK ? s->st : end;
	free(s);
	return st;
}

/* The rows of the comparison's tables, built before the file is opened
 * for the update. */
typedef struct tables {
	row_metric *rm;
	row_diff *rd;
	row_binary *rb;
	row_tail *rt;
	row_median *rmed;
	row_decomp *rdc;
	size_t nrm, nrd, nrb, nrt, nrmed, nrdc;
} tables;

static void free_tables(tables *t)
{
	free(t->rm);
	free(t->rd);
	free(t->rb);
	free(t->rt);
	free(t->rmed);
	free(t->rdc);
}

/* /summary/metrics and /summary/differences. */
static void mean_rows(const report *r, tables *t)
{
	size_t na = r->na, nm = r->nm;
	for (size_t j = 0; j < nm; j++)
		for (size_t k = 0; k < na; k++) {
			const esc_interval *e = &r->mean[k * nm + j];
			t->rm[t->nrm++] = (row_metric){ (int32_t)k, (int32_t)j, e->n, e->est,
			                                e->sd, e->lo, e->hi,
			                                (int8_t)r->constant[k * nm + j] };
			if (r->a[k].base_of < 0)
				continue;
			const esc_interval *d = &r->diff[k * nm + j];
			t->rd[t->nrd++] = (row_diff){ (int32_t)k, (int32_t)r->a[k].base_of,
			                              (int32_t)j, d->n, d->est, d->sd, d->lo,
			                              d->hi, r->diff_p[k * nm + j] };
		}
}

/* /summary/binary, /summary/tails, /summary/survival_median and
 * /summary/decomposition. */
static void other_rows(const report *r, tables *t)
{
	size_t na = r->na;
	for (int q = 0; q < 2; q++) {
		int j = r->bin_metric[q];
		for (size_t k = 0; j >= 0 && k < na; k++) {
			const binary_res *br = &r->bin[k * 2 + (size_t)q];
			int is_base = r->a[k].base_of < 0;
			t->rb[t->nrb++] = (row_binary){
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
	for (int tm = 0; tm < N_TAILS; tm++)
		for (size_t k = 0; r->tail_metric[tm] >= 0 && k < na; k++)
			for (int q = 0; q < N_Q; q++) {
				const esc_interval *e = &r->tail[(k * N_TAILS + (size_t)tm) * N_Q + (size_t)q];
				t->rt[t->nrt++] = (row_tail){ (int32_t)k, (int32_t)r->tail_metric[tm],
				                              report_tail_q[q], e->n, e->est, e->lo,
				                              e->hi };
			}
	for (size_t k = 0; k < na; k++) {
		if (!r->km[k].has)
			continue;
		const esc_interval *md = &r->km[k].median;
		t->rmed[t->nrmed++] = (row_median){ (int32_t)k, (int64_t)r->a[k].n,
		                                    r->km[k].events, r->a[k].horizon_h,
		                                    md->est, md->lo, md->hi };
	}
	for (int j = 0; r->decompose >= 0 && j < N_DMETRICS; j++)
		for (int m = 0; r->dmetric[j] >= 0 && m < N_MECH; m++) {
			const esc_interval *d = &r->ddiff[j * N_MECH + m], *s = &r->dshare[j * N_MECH + m];
			t->rdc[t->nrdc++] = (row_decomp){
				r->dmetric[j], m, m < N_MECH - 2 ? r->dmech[m] : r->decompose,
				r->a[r->decompose].base_of, d->n, d->est, d->lo, d->hi, s->est, s->lo, s->hi,
			};
		}
}

static int build_tables(const report *r, tables *t, esc_error *err)
{
	size_t na = r->na, nm = r->nm;
	t->rm = calloc(na * nm + 1, sizeof *t->rm);
	t->rd = calloc(na * nm + 1, sizeof *t->rd);
	t->rb = calloc(na * 2 + 1, sizeof *t->rb);
	t->rt = calloc(na * N_TAILS * N_Q + 1, sizeof *t->rt);
	t->rmed = calloc(na + 1, sizeof *t->rmed);
	t->rdc = calloc(N_DMETRICS * N_MECH, sizeof *t->rdc);
	if (!t->rm || !t->rd || !t->rb || !t->rt || !t->rmed || !t->rdc)
		return report_oom(err);
	mean_rows(r, t);
	other_rows(r, t);
	return ESC_OK;
}

/* The attributes of /summary: when, by what, and the baseline. */
static int summary_attrs(const report *r, esc_h5_file *f, esc_error *err)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(created, sizeof created, "unknown");
	int st = esc_h5_set_attr_text(f, "/summary", "created", created, err);
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
	return st;
}

/* Each metric's units, as one JSON object: /summary/metrics's metric_units. */
static int metric_units(const report *r, esc_h5_file *f, esc_error *err)
{
	cJSON *u = cJSON_CreateObject();
	for (size_t j = 0; u && j < r->nm; j++)
		if (!cJSON_AddStringToObject(u, r->m[j].name, r->m[j].units)) {
			cJSON_Delete(u);
			u = NULL;
		}
	char *text = esc_json_print(u, 0);
	cJSON_Delete(u);
	if (!text)
		return report_oom(err);
	int st = esc_h5_set_attr_text(f, "/summary/metrics", "metric_units", text, err);
	free(text);
	return st;
}

/* Labels: ARM for the arm columns, ARM_NONE (with -1=none) for the
 * baseline, METRIC for metric and outcome. */
typedef struct specs {
	char *arm, *arm_none, *metric;
} specs;

static int make_specs(const report *r, specs *s, esc_error *err)
{
	const char **an = malloc((r->na ? r->na : 1) * sizeof *an);
	const char **mn = malloc((r->nm + N_TAILS) * sizeof *mn);
	if (an && mn) {
		for (size_t k = 0; k < r->na; k++)
			an[k] = r->a[k].name;
		for (size_t j = 0; j < r->nm; j++)
			mn[j] = r->m[j].name;
		s->arm = report_label_spec(an, r->na, 0);
		s->arm_none = report_label_spec(an, r->na, 1);
		s->metric = report_label_spec(mn, r->nm, 0);
	}
	free(an);
	free(mn);
	return s->arm && s->arm_none && s->metric ? ESC_OK : report_oom(err);
}

static int write_table(esc_h5_file *f, const char *path,
                       const esc_h5_table_desc *desc, const specs *s,
                       const void *rows, size_t n, esc_error *err)
{
	const char *labels[32];
	labels_for(desc, labels, s->arm, s->arm_none, s->metric);
	return esc_h5_write_table(f, path, desc, labels, rows, n, err);
}

/* Everything under /summary, into F (the update's copy). */
static int write_summary(const report *r, esc_h5_file *f, const tables *t,
                         const specs *s, esc_error *err)
{
	int st = esc_h5_group_replace(f, "/summary", err);
	if (!st)
		st = summary_attrs(r, f, err);
	if (!st)
		st = write_table(f, "/summary/metrics", &metrics_desc, s, t->rm, t->nrm, err);
	if (!st)
		st = write_table(f, "/summary/differences", &diff_desc, s, t->rd, t->nrd, err);
	if (!st)
		st = write_table(f, "/summary/binary", &binary_desc, s, t->rb, t->nrb, err);
	if (!st)
		st = write_table(f, "/summary/tails", &tail_desc, s, t->rt, t->nrt, err);
	if (!st) {
		const char *labels[32];
		labels_for(&surv_desc, labels, s->arm, s->arm_none, s->metric);
		st = store_survival(r, f, labels, err);
	}
	if (!st)
		st = write_table(f, "/summary/survival_median", &median_desc, s, t->rmed,
		                 t->nrmed, err);
	if (!st && t->nrdc)
		st = write_table(f, "/summary/decomposition", &decomp_desc, s, t->rdc,
		                 t->nrdc, err);
	if (!st)
		st = metric_units(r, f, err);
	if (!st && r->sweep)
		st = report_store_sweep(r, f, s->metric, err);
	if (!st && r->n_sens)
		st = report_store_sensitivity(r, f, s->metric, err);
	return st;
}

/* /summary, replaced as a whole through a copy renamed over the file
 * (escsim/h5_reader.h): a failure leaves the file as it was. */
int report_store(const report *r, esc_error *err)
{
	tables t = {0};
	specs s = {0};
	int st = make_specs(r, &s, err);
	if (!st)
		st = build_tables(r, &t, err);
	esc_h5_file *f = NULL;
	if (!st && !(f = esc_h5_update_begin(r->o->path, err)))
		st = err->status;
	if (f && (st = write_summary(r, f, &t, &s, err))) {
		esc_h5_update_abort(f);
		esc_error_prefix(err, "cannot store the summary (the file is "
		                 "unchanged): ");
	} else if (f) {
		st = esc_h5_update_commit(f, err);
	}
	free(s.arm);
	free(s.arm_none);
	free(s.metric);
	free_tables(&t);
	return st;
}
