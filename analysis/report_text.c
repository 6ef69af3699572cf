/* report_text.c: the report as text for people (report_impl.h): the
 * comparison (provenance, means and differences, 0/1 outcomes, tails,
 * survival, the decomposition) and, for a sweep, each headline metric's
 * difference at every point and along every key, or the sensitivity
 * indices of a Saltelli or Morris design.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escsim/text.h"
#include "report_impl.h"

void report_num(char *s, size_t size, double v)
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
	report_num(a, sizeof a, lo);
	report_num(b, sizeof b, hi);
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

/* "scenario NAME, seed S, N replications requested, complete". */
static void print_provenance(const report *r)
{
	fprintf(r->out, "scenario %s, seed %s, %s replication%s requested, %s\n",
	        r->provenance_name ? r->provenance_name : "?",
	        r->provenance_seed ? r->provenance_seed : "?",
	        r->provenance_reps ? r->provenance_reps : "?", reps_s(r),
	        r->provenance_complete && !strcmp(r->provenance_complete, "1") ?
	        "complete" : "INCOMPLETE (interrupted or failed run)");
}

/* The file, its provenance, the arms and the baseline. */
static void print_header(const report *r)
{
	FILE *o = r->out;
	fprintf(o, "escsim report: %s\n", r->o->path);
	print_provenance(r);
	fprintf(o, "arms:");
	for (size_t k = 0; k < r->na; k++)
		fprintf(o, "%s %s (%zu replication%s%s%s)", k ? ";" : "",
		        r->a[k].name, r->a[k].n, esc_plural((int64_t)r->a[k].n),
		        *r->a[k].overrides ? ", " : "",
		        r->a[k].overrides);
	fprintf(o, "\n");
	if (r->na > 1)
		fprintf(o, "baseline %s; %lld replication%s present in every arm "
		        "(differences pair arm and baseline by rep)\n",
		        r->a[r->base].name, (long long)r->paired_all,
		        esc_plural(r->paired_all));
}

/* Means and paired differences, a row per metric and arm. */
static void print_means(const report *r, int aw)
{
	FILE *o = r->out;
	const arm *b = &r->a[r->base];
	int mw = 18;
	for (size_t j = 0; j < r->nm; j++)
		if ((int)strlen(r->m[j].name) > mw)
			mw = (int)strlen(r->m[j].name);
	char s1[64], s2[64], s3[64], s4[64], s5[64];
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
			report_num(s1, sizeof s1, e->est);
			ci(s2, sizeof s2, e->lo, e->hi);
			fprintf(o, "%-*s %-6s %-*s %7lld %10s %-24s", mw,
			        k ? "" : r->m[j].name, k ? "" : r->m[j].units, aw,
			        r->a[k].name, (long long)e->n, s1, s2);
			if (r->na > 1 && r->a[k].base_of >= 0) {
				const esc_interval *d = &r->diff[k * r->nm + j];
				report_num(s3, sizeof s3, d->est);
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
	if (report_metric_index(r, "first_crisis_h") >= 0)
		fprintf(o, "(first_crisis_h: mean over the replications with a "
		        "crisis; see the survival table)\n");
	int any_constant = 0;
	for (size_t i = 0; i < r->na * r->nm; i++)
		any_constant |= r->constant[i];
	if (any_constant)
		fprintf(o, "(constant: the same value in every replication of that arm, so "
		        "it tells nothing there; docs/model.md lists the rare-event metrics)\n");
}

/* One row of the 0/1 outcomes: arm K's share of outcome Q (metric J). */
static void print_binary_row(const report *r, int aw, int q, int j, size_t k)
{
	FILE *o = r->out;
	char s1[64], s2[64], s3[64], s4[64], s5[64];
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

static void print_binary(const report *r, int aw)
{
	FILE *o = r->out;
	if (r->bin_metric[0] < 0 && r->bin_metric[1] < 0)
		return;
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
	for (int q = 0; q < 2; q++)
		for (size_t k = 0; r->bin_metric[q] >= 0 && k < r->na; k++)
			print_binary_row(r, aw, q, r->bin_metric[q], k);
}

static void print_tails(const report *r, int aw)
{
	FILE *o = r->out;
	char s1[64], s2[64], s3[64], s4[64];
	int any_tail = 0;
	for (int t = 0; t < N_TAILS; t++)
		any_tail |= r->tail_metric[t] >= 0;
	if (!any_tail)
		return;
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
			report_num(s1, sizeof s1, p90->est);
			ci(s2, sizeof s2, p90->lo, p90->hi);
			report_num(s3, sizeof s3, p99->est);
			ci(s4, sizeof s4, p99->lo, p99->hi);
			fprintf(o, "%-18s %-*s %7lld %8s %-20s %8s %-20s\n",
			        k ? "" : report_tail_names[t], aw, r->a[k].name,
			        (long long)p90->n, s1, s2, s3, s4);
		}
	}
}

static void print_survival(const report *r, int aw)
{
	FILE *o = r->out;
	char s1[64], s2[64];
	if (r->crisis_time < 0)
		return;
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
		const esc_interval *md = &ks->median;
		if (isnan(md->est))
			snprintf(s1, sizeof s1, "not reached");
		else
			report_num(s1, sizeof s1, md->est);
		ci(s2, sizeof s2, md->lo, md->hi);
		fprintf(o, "%-*s %7zu %7lld %10s %-22s", aw, a->name, a->n,
		        (long long)ks->events, s1, s2);
		for (int d = 0; d < N_KM_AT - 1; d++) {
			if (ks->at_h[d] > a->horizon_h)
				fprintf(o, " %7s", "-");
			else
				fprintf(o, " %7.3f", ks->s_at[d]);
		}
		fprintf(o, " %10.3f\n", ks->s_at[N_KM_AT - 1]);
	}
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
			report_num(s1, sizeof s1, d->est);
			ci(s2, sizeof s2, d->lo, d->hi);
			report_num(s3, sizeof s3, s->est);
			ci(s4, sizeof s4, s->lo, s->hi);
			fprintf(o, "%-28s %-12s %7lld %10s %-24s %8s %-20s\n", m ? "" : report_dmetric_names[j],
			        report_mech_names[m], (long long)d->n, s1, s2, s3, s4);
		}
	}
	fprintf(o, "(share: - where the whole cell changes nothing on average)\n");
}

void report_print_text(const report *r)
{
	int aw = arm_width(r);
	print_header(r);
	print_means(r, aw);
	print_binary(r, aw);
	print_tails(r, aw);
	print_survival(r, aw);
	if (r->decompose >= 0)
		print_decomposition(r);
}

static void print_sensitivity_text(const report *r, const char *const *headline,
                                   size_t nh);

/* Sweeps: per headline metric, the paired difference at each point and
 * along each key (after a Saltelli or Morris design, the sensitivity
 * indices instead); everything else is in --csv, --json and /summary. */
void report_print_sweep_text(const report *r)
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
	fprintf(o, "\n");
	print_provenance(r);
	fprintf(o, "baseline %s at each point; %lld replication%s present in "
	        "every arm and point\n", r->sarm[r->sbase],
	        (long long)r->paired_all, esc_plural(r->paired_all));
	if (report_sens_kind(r) != SENS_NONE) {
		print_sensitivity_text(r, headline, sizeof headline / sizeof headline[0]);
		return;
	}
	int kw = 12;
	for (size_t j = 0; j < r->n_keys; j++)
		if ((int)strlen(r->keys[j]) > kw)
			kw = (int)strlen(r->keys[j]);
	for (size_t h = 0; h < sizeof headline / sizeof headline[0]; h++) {
		int j = report_metric_index(r, headline[h]);
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
				long row = report_point_row(r, a->point);
				fprintf(o, "p%-6lld", (long long)a->point);
				for (size_t q = 0; q < r->n_keys; q++) {
					report_num(s1, sizeof s1, row < 0 ? NAN :
					    r->pval[(size_t)row * r->n_keys + q]);
					fprintf(o, " %*s", kw, s1);
				}
				const esc_interval *d = &r->diff[k * r->nm + (size_t)j];
				report_num(s1, sizeof s1, d->est);
				ci(s2, sizeof s2, d->lo, d->hi);
				pval(s3, sizeof s3, r->diff_p[k * r->nm + (size_t)j]);
				fprintf(o, " %6lld %10s %-24s %8s\n", (long long)d->n, s1, s2, s3);
			}
			for (size_t i = 0; i < r->n_marg; i++) {
				const marginal *mg = &r->marg[i];
				if (mg->sarm != sa || mg->metric != (size_t)j)
					continue;
				char lab[300];
				report_num(s1, sizeof s1, mg->value);
				snprintf(lab, sizeof lab, "%s = %s (%lld point%s)",
				         r->keys[mg->key], s1, (long long)mg->points,
				         esc_plural(mg->points));
				report_num(s1, sizeof s1, mg->d.est);
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
		report_num(s1, sizeof s1, x->variance);
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
			report_num(s1, sizeof s1, x->s.s1);
			ci(s2, sizeof s2, x->s.s1_lo, x->s.s1_hi);
			report_num(s3, sizeof s3, x->s.st);
			ci(s4, sizeof s4, x->s.st_lo, x->s.st_hi);
			fprintf(o, "%-*s %10s %-20s %10s %-20s\n", kw, r->keys[q], s1, s2, s3, s4);
		} else {
			char s5[64];
			report_num(s1, sizeof s1, x->mo.mu_star);
			ci(s2, sizeof s2, x->mo.mu_star_lo, x->mo.mu_star_hi);
			report_num(s3, sizeof s3, x->mo.mu);
			report_num(s4, sizeof s4, x->mo.sigma);
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
	int kind = report_sens_kind(r);
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
		int j = report_metric_index(r, headline[h]);
		for (size_t i = 0; j >= 0 && i < r->n_sens; i += r->n_keys)
			if (r->sens[i].metric == j && sens_shown(r, &r->sens[i], kind))
				print_sens_block(r, &r->sens[i], kind, kw);
	}
	fprintf(o, "\n(the indices of every metric and arm, and of metrics the design "
	        "does not move: --csv, --json, or /summary/sensitivity; each point's "
	        "differences: /summary/sweep)\n");
}

