/* report_csv.c: the report as CSV (report --csv; report_impl.h): one row
 * per estimate, table,arm,baseline,metric,statistic,n,estimate,lo,hi,p_value,
 * numbers in their shortest form (escsim/text.h), empty for NaN.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escsim/text.h"
#include "report_impl.h"

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

static void csv_sensitivity(const report *r)
{
	static const char *const sobol_stat[] = { "S1", "ST" };
	static const char *const morris_stat[] = { "mu_star", "sigma", "mu" };
	int kind = report_sens_kind(r);
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

void report_print_csv(const report *r)
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
				csv_row(o, "tails", r->a[k].name, "", report_tail_names[t],
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
			snprintf(stat, sizeof stat, "%s_difference", report_mech_names[m]);
			csv_row(o, "decomposition", an, bn, report_dmetric_names[j], stat, d->n, d->est, d->lo, d->hi, NAN);
			snprintf(stat, sizeof stat, "%s_share", report_mech_names[m]);
			csv_row(o, "decomposition", an, bn, report_dmetric_names[j], stat, s->n, s->est, s->lo, s->hi, NAN);
		}
	for (size_t i = 0; i < r->n_marg; i++) {
		const marginal *mg = &r->marg[i];
		char stat[320], v[24];
		report_num(v, sizeof v, mg->value);
		snprintf(stat, sizeof stat, "%s=%s", r->keys[mg->key], v);
		csv_row(o, "sweep_marginal", r->sarm[mg->sarm], r->sarm[r->sbase],
		        r->m[mg->metric].name, stat, mg->d.n, mg->d.est, mg->d.lo,
		        mg->d.hi, mg->p);
	}
	csv_sensitivity(r);
}

