/* report_store_sweep.c: the sweep's tables under /summary (report_impl.h):
 * /summary/sweep (each point's paired differences, with the point's values
 * as columns named by the varied keys), /summary/sweep_marginal (along each
 * key) and /summary/sensitivity (Sobol or Morris indices).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/h5_reader.h"
#include "report_impl.h"

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

/* /summary/sweep (each point's differences, with the point's values as
 * columns named by the keys) and /summary/sweep_marginal. */
int report_store_sweep(const report *r, esc_h5_file *f, const char *metric_spec,
                       esc_error *err)
{
	size_t nk = r->n_keys;
	size_t nf = sizeof sweep_fixed_fields / sizeof sweep_fixed_fields[0];
	size_t row_size = sizeof(row_sweep) + nk * sizeof(double);
	esc_h5_field *fields = calloc(nf + nk, sizeof *fields);
	const char **labels = calloc(nf + nk, sizeof *labels);
	char *sarm_spec = report_label_spec((const char *const *)r->sarm, r->n_sarm, 0);
	char *key_spec = report_label_spec((const char *const *)r->keys, nk, 0);
	size_t nrows = 0;
	for (size_t k = 0; k < r->na; k++)
		nrows += r->a[k].base_of >= 0 ? r->nm : 0;
	unsigned char *rows = calloc(nrows + 1, row_size);
	row_marginal *rm = calloc(r->n_marg + 1, sizeof *rm);
	int st = ESC_OK;
	if (!fields || !labels || !sarm_spec || !key_spec || !rows || !rm) {
		st = report_oom(err);
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
		long prow = report_point_row(r, a->point);
		for (size_t j = 0; j < r->nm; j++) {
			const esc_interval *d = &r->diff[k * r->nm + j];
			row_sweep x = {
				a->point, report_sarm_index(r, a->sweep_arm), (int32_t)r->sbase,
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
		if (report_sens_kind(r) == SENS_SOBOL)
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

int report_store_sensitivity(const report *r, esc_h5_file *f,
                             const char *metric_spec, esc_error *err)
{
	int sobol = report_sens_kind(r) == SENS_SOBOL;
	const esc_h5_table_desc desc = sobol ?
		(esc_h5_table_desc){ "summary: Sobol indices of each metric over the design",
		                     sizeof(row_sobol), sobol_fields,
		                     sizeof sobol_fields / sizeof sobol_fields[0] } :
		(esc_h5_table_desc){ "summary: Morris screening of each metric over the design",
		                     sizeof(row_morris), morris_fields,
		                     sizeof morris_fields / sizeof morris_fields[0] };
	char *sarm = report_label_spec((const char *const *)r->sarm, r->n_sarm, 0);
	char *sarm_none = report_label_spec((const char *const *)r->sarm, r->n_sarm, 1);
	char *keys = report_label_spec((const char *const *)r->keys, r->n_keys, 0);
	void *rows = calloc(r->n_sens + 1, sobol ? sizeof(row_sobol) : sizeof(row_morris));
	int st = sarm && sarm_none && keys && rows ? ESC_OK : report_oom(err);
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

