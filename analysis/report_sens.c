/* report_sens.c: the sensitivity indices of a Saltelli or Morris sweep
 * (report_impl.h): /sweep/design read by row of /sweep/points, each series
 * (a sweep arm's mean, or its difference from the baseline arm, at every
 * point) laid out as sensitivity.h wants it, Sobol S1 and ST or Morris mu,
 * mu* and sigma per metric and varied key.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/sweep.h"
#include "report_impl.h"

int report_sens_kind(const report *r)
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
		long row = report_point_row(r, pt[i]);
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

int report_read_design(report *r, esc_error *err)
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
	         r->d_step ? ESC_OK : report_oom(err);
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
int report_sensitivity(report *r, esc_error *err)
{
	int kind = report_sens_kind(r);
	if (kind == SENS_NONE || r->n_keys == 0)
		return ESC_OK;
	size_t k = r->n_keys, nser = 2 * r->n_sarm - 1;
	long *arm_row = malloc((r->na + 1) * sizeof *arm_row);
	double *y = malloc((r->n_points + 1) * sizeof *y);
	r->sens = calloc(nser * r->nm * k + 1, sizeof *r->sens);
	if (!arm_row || !y || !r->sens) {
		free(arm_row);
		free(y);
		return report_oom(err);
	}
	for (size_t q = 0; q < r->na; q++)
		arm_row[q] = report_point_row(r, r->a[q].point);
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
	return rc ? report_oom(err) : ESC_OK;
}

