/* summary.c: the fit for people (esc_fit_print) and for the plots
 * (esc_fit_write_plot_data: CSV files analysis/fit_plots.py draws). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/text.h"
#include "fit_impl.h"

/* The unit an estimate is shown in, and its factor from hours. */
static const char *unit_of(esc_fit_kind k, double *scale)
{
	*scale = 1;
	switch (k) {
	case ESC_FIT_RATE:
		*scale = 24;
		return "per day";
	case ESC_FIT_FAST_MEAN:
	case ESC_FIT_SLOW_MEAN:
		*scale = 1.0 / 24;
		return "days";
	default:
		return "";
	}
}

void esc_fit_print(const esc_fit *f, FILE *out)
{
	const esc_fit_data_info *di = &f->data.info;
	char a[11], b[11];
	esc_fit_format_day(di->first_day, a);
	esc_fit_format_day(di->last_day, b);
	fprintf(out, "escsim fit: %s (%zu rows, sha256 %.16s...) against scenario '%s'\n", f->data.path,
	        di->rows, di->sha256, f->scenario_name);
	fprintf(out, "  period %s .. %s (%d days): %zu events fitted, %zu in no fitted stream, "
	        "%zu dropped by the mapping, %zu outside the period\n", a, b, di->last_day - di->first_day + 1,
	        di->fitted, di->in_period - di->fitted - di->unexplained, di->dropped, di->outside_period);
	if (di->unexplained)
		fprintf(out, "  %zu event%s left out: of a cell only excitation reaches, before anything "
		        "excited it\n", di->unexplained, esc_plural((int64_t)di->unexplained));
	fprintf(out, "  log-likelihood of the incidents %.3f\n\n", f->ll);
	char head[32];
	snprintf(head, sizeof head, "%g%% interval", 100 * f->level);
	fprintf(out, "%-36s %12s  %-30s %s\n", "parameter", "estimate", head, "unit");
	for (size_t i = 0; i < f->n_est; i++) {
		const esc_fit_estimate *e = &f->est[i];
		double s;
		const char *unit = unit_of(e->kind, &s);
		char iv[96];
		if (e->held)
			snprintf(iv, sizeof iv, "held: %s", e->note);
		else if (isinf(e->hi))
			snprintf(iv, sizeof iv, "[%.4g, no upper bound]", e->lo * s);
		else
			snprintf(iv, sizeof iv, "[%.4g, %.4g]", e->lo * s, e->hi * s);
		fprintf(out, "%-36s %12.4g  %-30s %s\n", e->name, e->value * s, iv, unit);
	}
	fprintf(out, "\ngoodness of fit\n  time rescaling: Kolmogorov-Smirnov D = %.4f over %zu gaps, p = %.3g "
	        "(Exp(1) if the model holds)\n", f->gof.ks_d, f->gof.n_residuals, f->gof.ks_p);
	if (f->gof.supercritical)
		fprintf(out, "  weekly counts: none (the fitted excitation is supercritical: it cannot be simulated)\n");
	else if (f->gof.reps > 0)
		fprintf(out, "  weekly counts: %zu of %zu stream-weeks inside the 5-95%% band of %lld replications "
		        "(about 90%% if the model holds)\n", f->gof.weeks_inside, f->gof.weeks,
		        (long long)f->gof.reps);
}

/* dir/name opened for writing, or NULL with err set. */
static FILE *open_in(const char *dir, const char *name, char *path, size_t size, esc_error *err)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
	return f;
}

static int close_checked(FILE *f, const char *path, esc_error *err)
{
	int bad = ferror(f);
	bad |= fclose(f) != 0;
	return bad ? esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write", path) : 0;
}

int esc_fit_write_plot_data(const esc_fit *f, const char *dir, esc_error *err)
{
	char path[4200];
	FILE *o = open_in(dir, "fit_residuals.csv", path, sizeof path, err);
	if (!o)
		return err->status;
	size_t n = f->gof.n_residuals;
	fprintf(o, "gap,expected\n");
	for (size_t i = 0; i < n; i++)      /* f->resid is sorted */
		fprintf(o, "%.9g,%.9g\n", f->resid[i], -log1p(-(i + 0.5) / n));
	if (close_checked(o, path, err))
		return err->status;

	o = open_in(dir, "fit_weekly.csv", path, sizeof path, err);
	if (!o)
		return err->status;
	const fit_layout *L = &f->L;
	fprintf(o, "stream,week,week_start,observed,sim_mean,sim_p05,sim_p95\n");
	for (size_t s = 0; s < L->n_streams; s++) {
		int used = 0;
		for (size_t c = 0; c < L->n_cells; c++)
			used |= L->cell[c].stream == (int)s && L->cell[c].modelled;
		for (size_t w = 0; used && w < f->weeks; w++) {
			size_t i = s * f->weeks + w;
			char day[11];
			esc_fit_format_day(f->data.period_start + (int32_t)(7 * w), day);
			fprintf(o, "\"%s %s\",%zu,%s,%.0f,%.6g,%.6g,%.6g\n", f->cfg.parties[L->stream[s].actor].name,
			        f->cfg.types[L->stream[s].type].name, w, day, f->obs[i], f->sim_mean[i],
			        f->sim_lo[i], f->sim_hi[i]);
		}
	}
	if (close_checked(o, path, err))
		return err->status;

	o = open_in(dir, "fit_summary.csv", path, sizeof path, err);
	if (!o)
		return err->status;
	fprintf(o, "key,value\nks_d,%.9g\nks_p,%.9g\ngaps,%zu\nreps,%lld\nweeks,%zu\nweeks_inside,%zu\n"
	        "days,%.0f\n", f->gof.ks_d, f->gof.ks_p, n, (long long)f->gof.reps, f->gof.weeks,
	        f->gof.weeks_inside, f->data.period_h / 24);
	return close_checked(o, path, err);
}
