/* report_json.c: the report as JSON (report --json; report_impl.h), built as
 * a cJSON tree and printed by cJSON (escsim/json.h: strings escaped one way,
 * numbers in their shortest form, null for NaN and infinities).
 *
 * The members: file, scenario_name, seed, reps, complete, confidence_level,
 * baseline, paired_replications, arms, metrics, differences, binary, tails,
 * survival (with every point of each curve, computed again from the file),
 * and for a sweep `sweep` (keys, points, marginal, sensitivity), for
 * compare --decompose `decomposition` (docs/analysis.md).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "escsim/json.h"
#include "report_impl.h"

/* The tree being built; oom is set by the first allocation that fails (the
 * helpers then do nothing harmful: cJSON's adders accept NULL). */
typedef struct jb {
	const report *r;
	int oom;
} jb;

static cJSON *check(jb *j, cJSON *x)
{
	if (!x)
		j->oom = 1;
	return x;
}

static void put_str(jb *j, cJSON *o, const char *key, const char *s)
{
	check(j, cJSON_AddStringToObject(o, key, s ? s : ""));
}

static void put_num(jb *j, cJSON *o, const char *key, double x)
{
	check(j, esc_json_add_number(o, key, x));
}

static void put_bool(jb *j, cJSON *o, const char *key, int b)
{
	check(j, cJSON_AddBoolToObject(o, key, b));
}

/* A new object appended to the array ARR. */
static cJSON *item(jb *j, cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();
	if (o && !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return check(j, o);
}

static cJSON *put_array(jb *j, cJSON *o, const char *key)
{
	return check(j, cJSON_AddArrayToObject(o, key));
}

/* n, EST (the estimate's name), lo and hi of an interval. */
static void put_interval(jb *j, cJSON *o, const esc_interval *e, const char *est)
{
	put_num(j, o, "n", (double)e->n);
	put_num(j, o, est, e->est);
	put_num(j, o, "lo", e->lo);
	put_num(j, o, "hi", e->hi);
}

/* An integer attribute the file holds as text (seed, reps), as a number
 * written as it stands: a seed above 2^53 would not survive a double.
 * null when the text is missing or not an integer. */
static void put_int_text(jb *j, cJSON *o, const char *key, const char *text)
{
	int digits = text && *text;
	for (const char *p = text; digits && *p; p++)
		digits = (*p >= '0' && *p <= '9') || (p == text && *p == '-' && p[1]);
	check(j, digits ? cJSON_AddRawToObject(o, key, text) : cJSON_AddNullToObject(o, key));
}

static void json_arms(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "arms");
	for (size_t k = 0; k < r->na; k++) {
		cJSON *o = item(j, arr);
		put_str(j, o, "name", r->a[k].name);
		put_str(j, o, "overrides", r->a[k].overrides);
		put_num(j, o, "replications", (double)r->a[k].n);
		put_num(j, o, "horizon_h", r->a[k].horizon_h);
		if (r->sweep) {
			put_num(j, o, "point", (double)r->a[k].point);
			put_str(j, o, "sweep_arm", r->a[k].sweep_arm);
		}
	}
}

static void json_means(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "metrics");
	for (size_t m = 0; m < r->nm; m++)
		for (size_t k = 0; k < r->na; k++) {
			const esc_interval *e = &r->mean[k * r->nm + m];
			cJSON *o = item(j, arr);
			put_str(j, o, "arm", r->a[k].name);
			put_str(j, o, "metric", r->m[m].name);
			put_str(j, o, "units", r->m[m].units);
			put_interval(j, o, e, "mean");
			put_num(j, o, "sd", e->sd);
			put_bool(j, o, "constant", r->constant[k * r->nm + m]);
		}
	arr = put_array(j, root, "differences");
	for (size_t m = 0; r->na > 1 && m < r->nm; m++)
		for (size_t k = 0; k < r->na; k++) {
			if (r->a[k].base_of < 0)
				continue;
			const esc_interval *e = &r->diff[k * r->nm + m];
			cJSON *o = item(j, arr);
			put_str(j, o, "arm", r->a[k].name);
			put_str(j, o, "baseline", r->a[r->a[k].base_of].name);
			put_str(j, o, "metric", r->m[m].name);
			put_interval(j, o, e, "mean");
			put_num(j, o, "sd", e->sd);
			put_num(j, o, "p", r->diff_p[k * r->nm + m]);
		}
}

static void json_binary(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "binary");
	for (int q = 0; q < 2; q++) {
		int m = r->bin_metric[q];
		for (size_t k = 0; m >= 0 && k < r->na; k++) {
			const binary_res *br = &r->bin[k * 2 + (size_t)q];
			cJSON *o = item(j, arr);
			put_str(j, o, "arm", r->a[k].name);
			put_str(j, o, "outcome", r->m[m].name);
			put_interval(j, o, &br->share, "share");
			if (r->na < 2 || r->a[k].base_of < 0)
				continue;
			put_str(j, o, "baseline", r->a[r->a[k].base_of].name);
			put_num(j, o, "pairs", (double)br->pairs);
			put_num(j, o, "difference", br->diff);
			put_num(j, o, "arm_only", (double)br->mc.b);
			put_num(j, o, "baseline_only", (double)br->mc.c);
			put_str(j, o, "test", br->mc.exact ? "exact binomial" : "mcnemar");
			put_num(j, o, "chi2", br->mc.chi2);
			put_num(j, o, "p", br->mc.p);
		}
	}
}

static void json_tails(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "tails");
	for (int t = 0; t < N_TAILS; t++)
		for (size_t k = 0; r->tail_metric[t] >= 0 && k < r->na; k++)
			for (int q = 0; q < N_Q; q++) {
				cJSON *o = item(j, arr);
				put_str(j, o, "arm", r->a[k].name);
				put_str(j, o, "metric", report_tail_names[t]);
				put_num(j, o, "quantile", report_tail_q[q]);
				put_interval(j, o, &r->tail[(k * N_TAILS + (size_t)t) * N_Q + (size_t)q],
				             "value");
			}
}

typedef struct json_curve {
	jb *j;
	cJSON *arr;
} json_curve;

static void json_point(const esc_km_point *p, void *ctx)
{
	json_curve *c = ctx;
	cJSON *o = item(c->j, c->arr);
	put_num(c->j, o, "t_h", p->t);
	put_num(c->j, o, "at_risk", (double)p->at_risk);
	put_num(c->j, o, "events", (double)p->events);
	put_num(c->j, o, "censored", (double)p->censored);
	put_num(c->j, o, "survival", p->s);
	put_num(c->j, o, "lo", p->lo);
	put_num(c->j, o, "hi", p->hi);
}

static int json_survival(jb *j, cJSON *root, esc_error *err)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "survival");
	for (size_t k = 0; r->crisis_time >= 0 && k < r->na; k++) {
		if (!r->km[k].has)
			continue;
		cJSON *o = item(j, arr);
		put_str(j, o, "arm", r->a[k].name);
		put_num(j, o, "horizon_h", r->a[k].horizon_h);
		cJSON *md = check(j, cJSON_AddObjectToObject(o, "median_h"));
		put_interval(j, md, &r->km[k].median, "estimate");
		json_curve c = { j, put_array(j, o, "curve") };
		if (j->oom)
			return ESC_OK;
		if (report_arm_curve(r, k, json_point, &c, err))
			return err->status;
	}
	return ESC_OK;
}

/* The sweep's "sensitivity" member: the method and every row. */
static void json_sensitivity(jb *j, cJSON *sweep)
{
	const report *r = j->r;
	int kind = report_sens_kind(r);
	if (kind == SENS_NONE)
		return;
	static const char *const snames[] = { "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi" };
	static const char *const mnames[] = { "mu", "mu_star", "mu_star_lo", "mu_star_hi",
	                                      "sigma", "sigma_lo", "sigma_hi" };
	cJSON *s = check(j, cJSON_AddObjectToObject(sweep, "sensitivity"));
	put_str(j, s, "method", kind == SENS_SOBOL ? "sobol" : "morris");
	put_num(j, s, "resamples", ESC_SENS_RESAMPLES);
	cJSON *rows = put_array(j, s, "rows");
	for (size_t i = 0; i < r->n_sens; i++) {
		const sens *x = &r->sens[i];
		double sv[] = { x->s.s1, x->s.s1_lo, x->s.s1_hi, x->s.st, x->s.st_lo, x->s.st_hi };
		double mv[] = { x->mo.mu, x->mo.mu_star, x->mo.mu_star_lo, x->mo.mu_star_hi,
		                x->mo.sigma, x->mo.sigma_lo, x->mo.sigma_hi };
		cJSON *o = item(j, rows);
		put_str(j, o, "arm", r->sarm[x->sarm]);
		if (x->base >= 0)
			put_str(j, o, "baseline", r->sarm[x->base]);
		else
			check(j, cJSON_AddNullToObject(o, "baseline"));
		put_str(j, o, "metric", r->m[x->metric].name);
		put_str(j, o, "parameter", r->keys[x->key]);
		put_num(j, o, "n", (double)x->n);
		if (kind == SENS_SOBOL)
			put_num(j, o, "variance", x->variance);
		size_t nv = kind == SENS_SOBOL ? 6 : 7;
		for (size_t q = 0; q < nv; q++)
			put_num(j, o, kind == SENS_SOBOL ? snames[q] : mnames[q],
			        kind == SENS_SOBOL ? sv[q] : mv[q]);
	}
}

static void json_sweep(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *sw = check(j, cJSON_AddObjectToObject(root, "sweep"));
	cJSON *keys = put_array(j, sw, "keys");
	for (size_t q = 0; q < r->n_keys; q++) {
		cJSON *k = cJSON_CreateString(r->keys[q]);
		if (!k || !cJSON_AddItemToArray(keys, k)) {
			cJSON_Delete(k);
			j->oom = 1;
		}
	}
	cJSON *pts = put_array(j, sw, "points");
	for (size_t i = 0; i < r->n_points; i++) {
		cJSON *o = item(j, pts);
		put_num(j, o, "point", (double)r->point_id[i]);
		cJSON *v = put_array(j, o, "values");
		for (size_t q = 0; q < r->n_keys; q++)
			if (esc_json_append_number(v, r->pval[i * r->n_keys + q]))
				j->oom = 1;
	}
	cJSON *marg = put_array(j, sw, "marginal");
	for (size_t i = 0; i < r->n_marg; i++) {
		const marginal *mg = &r->marg[i];
		cJSON *o = item(j, marg);
		put_str(j, o, "arm", r->sarm[mg->sarm]);
		put_str(j, o, "baseline", r->sarm[r->sbase]);
		put_str(j, o, "key", r->keys[mg->key]);
		put_num(j, o, "value", mg->value);
		put_str(j, o, "metric", r->m[mg->metric].name);
		put_num(j, o, "points", (double)mg->points);
		put_interval(j, o, &mg->d, "mean");
		put_num(j, o, "sd", mg->d.sd);
		put_num(j, o, "p", mg->p);
	}
	json_sensitivity(j, sw);
}

static void json_decomposition(jb *j, cJSON *root)
{
	const report *r = j->r;
	cJSON *arr = put_array(j, root, "decomposition");
	for (int m = 0; m < N_DMETRICS; m++)
		for (int x = 0; r->dmetric[m] >= 0 && x < N_MECH; x++) {
			cJSON *o = item(j, arr);
			put_str(j, o, "metric", report_dmetric_names[m]);
			put_str(j, o, "mechanism", report_mech_names[x]);
			cJSON *d = check(j, cJSON_AddObjectToObject(o, "difference"));
			put_interval(j, d, &r->ddiff[m * N_MECH + x], "mean");
			cJSON *s = check(j, cJSON_AddObjectToObject(o, "share"));
			put_interval(j, s, &r->dshare[m * N_MECH + x], "ratio");
		}
}

static int json_tree(jb *j, cJSON *root, esc_error *err)
{
	const report *r = j->r;
	put_str(j, root, "file", r->o->path);
	put_str(j, root, "scenario_name", r->provenance_name);
	put_int_text(j, root, "seed", r->provenance_seed);
	put_int_text(j, root, "reps", r->provenance_reps);
	put_bool(j, root, "complete", r->provenance_complete &&
	         !strcmp(r->provenance_complete, "1"));
	put_num(j, root, "confidence_level", LEVEL);
	put_str(j, root, "baseline", r->sweep ? r->sarm[r->sbase] : r->a[r->base].name);
	put_num(j, root, "paired_replications", (double)r->paired_all);
	json_arms(j, root);
	json_means(j, root);
	json_binary(j, root);
	json_tails(j, root);
	int st = json_survival(j, root, err);
	if (st)
		return st;
	if (r->sweep)
		json_sweep(j, root);
	if (r->decompose >= 0)
		json_decomposition(j, root);
	return ESC_OK;
}

int report_print_json(const report *r, esc_error *err)
{
	jb j = { r, 0 };
	cJSON *root = check(&j, cJSON_CreateObject());
	int st = root ? json_tree(&j, root, err) : ESC_OK;
	char *text = st || j.oom ? NULL : esc_json_print(root, 1);
	cJSON_Delete(root);
	if (st)
		return st;
	if (!text)
		return report_oom(err);
	fputs(text, r->out);
	fputc('\n', r->out);
	free(text);
	return ESC_OK;
}
