/* bench_fit.c: what escsim fit costs (issue #21, target 6: a year of about
 * 1,300 events fits in well under a second on one core).
 *
 *   fit        esc_fit_run on the shipped synthetic export of baseline_2025
 *              (scenarios/data/synthetic_baseline_2025.csv, one simulated
 *              year): reading and checking the export, the maximum
 *              likelihood, a profile-likelihood interval for every
 *              parameter and the time-rescaling test; no replications
 *              (-n 0).  The note gives the events and parameters.
 *   fit -n 200 the same with the weekly counts of 200 replications of the
 *              fitted scenario (its Lua policies included), as `escsim fit`
 *              does by default; the plots (Python) are not timed.
 *
 * Each row is the median of RUNS runs after one warm-up.
 *
 * Usage: bench_fit [EXPORT [SCENARIO]]
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "escsim/fit.h"
#include "bench.h"

#define RUNS 7

static double time_fit(const esc_fit_opts *o, size_t *events, size_t *params)
{
	esc_error err = {0};
	esc_fit *f = NULL;
	double t0 = bench_now_s();
	if (esc_fit_run(o, &f, &err)) {
		fprintf(stderr, "bench_fit: %s\n", err.msg);
		exit(1);
	}
	double t = bench_now_s() - t0;
	const esc_fit_estimate *e;
	size_t n = esc_fit_estimates(f, &e);
	*params = 0;
	for (size_t i = 0; i < n; i++)
		*params += !e[i].held;
	*events = esc_fit_data(f)->fitted;
	esc_fit_free(f);
	return t;
}

static void row(const char *name, esc_fit_opts *o, const char *op, double target)
{
	double t[RUNS];
	size_t events, params;
	time_fit(o, &events, &params);           /* warm-up */
	for (int i = 0; i < RUNS; i++)
		t[i] = time_fit(o, &events, &params);
	double fastest = t[0];
	for (int i = 1; i < RUNS; i++)
		fastest = t[i] < fastest ? t[i] : fastest;
	char note[200];
	snprintf(note, sizeof note, "%zu events, %zu parameters with intervals; fastest %.3f s (median of %d)",
	         events, params, fastest, RUNS);
	bench_row("fit", name, bench_median(t, RUNS), "s", op, target, note);
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	esc_fit_opts o = {
		.events_path = argc > 1 ? argv[1] : "scenarios/data/synthetic_baseline_2025.csv",
		.scenario_path = argc > 2 ? argv[2] : "scenarios/baseline_2025.lua",
		.seed = 1,
	};
	row("a year of events, intervals, -n 0", &o, "<", 1.0);
	o.reps = 200;
	row("the same with the weekly band, -n 200", &o, "", 0);
	return 0;
}
