/* report.c: the comparison report of a result file (escsim/report.h):
 * esc_report runs the stages of report_impl.h in order (read, compute,
 * sensitivity, store, print), warns about arms that never differ, and
 * draws the plots with analysis/plots.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "escsim/h5_reader.h"
#include "escsim/pytool.h"
#include "report_impl.h"

static int plots(const report *r, esc_error *err)
{
	const char *args[] = { r->o->path, r->o->plots_dir, "--baseline",
	                       r->a[r->base].name, NULL };
	return esc_pytool_run(r->o->argv0, "plots.py", args, "--plots", err);
}

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
		int req = report_metric_index(r, "cell_requests");
		int notified = report_metric_index(r, "ops_notified");
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

/* Prints the report in the format asked for; JSON also when storing failed
 * (ST), without letting its own error replace the storing's. */
static int print(const report *r, int st, esc_error *err)
{
	esc_error ignore = {0};
	switch (r->o->format) {
	case ESC_REPORT_TEXT:
		if (r->sweep)
			report_print_sweep_text(r);
		else
			report_print_text(r);
		break;
	case ESC_REPORT_CSV: report_print_csv(r); break;
	case ESC_REPORT_JSON:
		if (st == ESC_OK)
			st = report_print_json(r, err);
		else
			report_print_json(r, &ignore);
		break;
	case ESC_REPORT_NONE: break;
	}
	return st;
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
	if ((st = report_read(&r, err)) || (st = report_compute(&r, err)) ||
	    (st = report_sensitivity(&r, err)))
		goto out;
	warn_same_arms(&r);
	/* Stored first, so a reader that stops early (| head) still leaves the
	 * summary; printed even when storing failed.  The file stays open: the
	 * survival curves are read again for /summary and JSON (an update
	 * renames a copy over it; this handle keeps reading the original). */
	if (o->store)
		st = report_store(&r, err);
	st = print(&r, st, err);
	fflush(r.out);
	esc_h5_file_close(r.f);
	r.f = NULL;
	if (st == ESC_OK && o->plots_dir)
		st = plots(&r, err);
out:
	free_report(&r);
	return st;
}
