/* report_impl.h: what the files of the comparison report (escsim/report.h)
 * share, and nothing outside them includes.
 *
 * The report is one struct, `report`, filled in stages by the files named
 * after their role:
 *   report_read.c     the metric list, each arm's rep order, columns read in
 *                     rep order, pairing by rep; /sweep/points and
 *                     /sweep/design; the baselines
 *   report_compute.c  means, paired differences, 0/1 outcomes, tails,
 *                     survival summaries; the decomposition; sweep marginals
 *   report_sens.c     Sobol and Morris indices of a Saltelli or Morris sweep
 *   report_text.c     the text report (comparison and sweep)
 *   report_csv.c      --csv
 *   report_json.c     --json, built with cJSON (escsim/json.h)
 *   report_store.c    /summary: metrics, differences, binary, tails,
 *                     survival, decomposition
 *   report_store_sweep.c  /summary/sweep, sweep_marginal, sensitivity
 *   report.c          esc_report: the stages in order, the warnings, plots
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
 *
 * Names shared between these files start with report_; the rest is static.
 */
#ifndef ESCSIM_ANALYSIS_REPORT_IMPL_H
#define ESCSIM_ANALYSIS_REPORT_IMPL_H

#include <stdint.h>
#include <stdio.h>

#include "escsim/error.h"
#include "escsim/h5_reader.h"
#include "escsim/report.h"
#include "sensitivity.h"
#include "stats.h"

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
	                              are rep0, rep0 + 1, ... (report_rep_at) */
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
extern const double report_km_at_days[N_KM_AT - 1];    /* 7, 30, 90, 180 */
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
extern const char *const report_mech_names[N_MECH];
extern const char *const report_mech_arms[N_MECH - 2];
#define N_DMETRICS 8
extern const char *const report_dmetric_names[N_DMETRICS];

/* fatalities_mil, fatalities_civ, fatalities_total; P90 and P99. */
#define N_TAILS 3
extern const char *const report_tail_names[N_TAILS];
#define N_Q 2
extern const double report_tail_q[N_Q];

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

/* ---------------------------------------------------- report_read.c */

int report_oom(esc_error *err);
/* qsort's comparison of doubles, ascending. */
int report_cmp_double(const void *a, const void *b);
int report_metric_index(const report *r, const char *name);    /* -1: none */
int report_arm_index(const report *r, const char *name);       /* -1: none */
int report_sarm_index(const report *r, const char *name);      /* -1: none */
/* The row of /sweep/points for point id P, or -1. */
long report_point_row(const report *r, int64_t p);
/* The arms, their runs' rep order, the metrics, the sweep and its design,
 * and the baselines: everything compute needs, read from r->f. */
int report_read(report *r, esc_error *err);

/* The rep of arm A's i-th row in rep order. */
static inline int64_t report_rep_at(const arm *a, size_t i)
{
	return a->rep ? a->rep[i] : a->rep0 + (int64_t)i;
}

/* Metric J of arm A in rep order into OUT[0..a->n): a runs column, or a
 * derived one. */
int report_load(const report *r, const arm *a, size_t j, double *out, esc_error *err);

/* Walks the rows (in rep order) of arms X and Y with the same rep; a
 * repeated rep pairs once, on its first row. */
typedef struct pair_iter {
	const arm *x, *y;
	size_t i, j;
} pair_iter;
int report_pair_next(pair_iter *p, size_t *ia, size_t *ib);

/* Moves the non-NaN values of X[0..n) to its front, in order; returns how
 * many. */
size_t report_drop_nan(double *x, size_t n);

/* Arm K's Kaplan-Meier curve of time to first crisis (it is not kept),
 * read from the file again; FN gets each point. */
int report_arm_curve(const report *r, size_t k, esc_km_fn fn, void *ctx,
                     esc_error *err);

/* ------------------------------------------------- report_compute.c */

/* Means, differences, outcomes, tails, survival, the decomposition and
 * the sweep's marginals. */
int report_compute(report *r, esc_error *err);

/* ---------------------------------------------------- report_sens.c */

int report_sens_kind(const report *r);          /* SENS_* */
/* /sweep's design and /sweep/design (files of a grid or Sobol design
 * written before it existed have none: no indices then). */
int report_read_design(report *r, esc_error *err);
int report_sensitivity(report *r, esc_error *err);

/* ---------------------------------------- report_text.c, report_csv.c */

/* V for people: "-" for NaN, integers whole, else 4 significant digits;
 * at most "-1.234e+308" (fits in 24 bytes). */
void report_num(char *s, size_t size, double v);
void report_print_text(const report *r);
void report_print_sweep_text(const report *r);
void report_print_csv(const report *r);

/* ---------------------------------------------------- report_json.c */

int report_print_json(const report *r, esc_error *err);

/* ------------------------------------ report_store.c, _store_sweep.c */

int report_store(const report *r, esc_error *err);
/* "0=a,1=b,..." (with_none: "-1=none," first), malloc'd; NULL when out of
 * memory. */
char *report_label_spec(const char *const *names, size_t n, int with_none);
int report_store_sweep(const report *r, esc_h5_file *f, const char *metric_spec,
                       esc_error *err);
int report_store_sensitivity(const report *r, esc_h5_file *f,
                             const char *metric_spec, esc_error *err);

#endif
