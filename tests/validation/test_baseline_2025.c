/* test_baseline_2025.c: face validity of the calibrated 2025 world
 * (scenarios/lib/world_2025.lua), as baseline_2025.lua and as the no_cell
 * arm of golan_2026.lua, which stands in the same world.
 *
 * Each 2025 target stated in the world module (T1..T7, with sources) must
 * lie within the 5-95 % spread of R simulated years: the band in which a
 * real year would fall if the model were right (MR 6.7, "face validity").
 * T4 is the runs column fatalities_by_ISR, which must equal the deaths in
 * Israeli incidents counted from the events.  The scenarios are loaded
 * through the Lua layer exactly as the CLI loads them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "escsim/model.h"
#include "escsim/scenario.h"

#define R 200

enum { Q_STRIKES_PER_DAY, Q_SHARE_QUNEITRA, Q_SHARE_DARAA, Q_SHARE_DAMASCUS,
       Q_RAIDS_PER_DAY, Q_DEATHS_BY_ISR, Q_NSA_FIRE, Q_CLASHES, Q_SYR_FORCE,
       Q_SYR_PROTESTS, NQ };

static const struct { const char *name; double target; } targets[NQ] = {
	{ "T1 Israeli strike events per day", 1.7 },
	{ "T2 share of strikes in Quneitra", 232.0 / 600 },
	{ "T2 share of strikes in Daraa", 167.0 / 600 },
	{ "T2 share of strikes in Damascus", 77.0 / 600 },
	{ "T3 raids per day", 1.7 },
	{ "T4 Syrians killed by Israeli forces", 62 },
	{ "T5 non-state cross-border fire per year", 2 },
	{ "T6 raid-clashes per year", 1 },
	{ "T7 Syrian-state kinetic retaliations", 0 },
	{ "T7 Syrian complaints per year", 6 },
};

typedef struct counts {
	const esc_config *cfg;
	int isr, syr, nsa, strike, raid, clash, rocket, quneitra, daraa, damascus;
	double strikes, strikes_zone[3], raids, deaths, nsa_fire, clashes, syr_force, syr_protests;
} counts;

static int on_event(void *self, const esc_event_row *e, esc_error *err)
{
	(void)err;
	counts *c = self;
	if (e->kind == ESC_EVENT_PROTEST) {
		c->syr_protests += e->actor == c->syr;
		return 0;
	}
	if (e->actor == c->isr) {
		c->deaths += e->fatalities_mil + e->fatalities_civ;
		if (e->type == c->strike) {
			c->strikes++;
			c->strikes_zone[0] += e->zone == c->quneitra;
			c->strikes_zone[1] += e->zone == c->daraa;
			c->strikes_zone[2] += e->zone == c->damascus;
		}
		/* An incursion that met resistance is still an incursion. */
		if (e->target == c->nsa && (e->type == c->raid || e->type == c->clash))
			c->raids++;
		if (e->target == c->nsa && e->type == c->clash)
			c->clashes++;
	}
	if (e->actor == c->nsa && e->target == c->isr && e->type == c->rocket)
		c->nsa_fire++;
	if (e->actor == c->syr && e->cause == ESC_CAUSE_POLICY)
		c->syr_force++;
	return 0;
}

static void check_targets(const char *path, const char *const *ov, size_t n_ov)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, &err);
	if (!s)
		fail_msg("%s", err.msg);
	esc_config cfg;
	esc_policy pol;
	if (esc_scenario_arm(s, ov, n_ov, &cfg, &pol, &err))
		fail_msg("%s", err.msg);
	printf("# %s%s%s\n", path, n_ov ? " with " : "", n_ov ? ov[0] : "");
	esc_model *m = esc_model_new(&cfg, &err);
	assert_non_null(m);
	esc_streams *st = esc_streams_new(NULL);
	counts c = {
		.cfg = &cfg, .isr = esc_config_party(&cfg, "ISR"), .syr = esc_config_party(&cfg, "SYR"),
		.nsa = esc_config_party(&cfg, "NSA"), .strike = esc_config_type(&cfg, "strike"),
		.raid = esc_config_type(&cfg, "raid"), .clash = esc_config_type(&cfg, "clash"),
		.rocket = esc_config_type(&cfg, "rocket"), .quneitra = esc_config_zone(&cfg, "Quneitra"),
		.daraa = esc_config_zone(&cfg, "Daraa"), .damascus = esc_config_zone(&cfg, "Damascus"),
	};
	esc_model_sink sink = { .self = &c, .event = on_event };
	esc_model_set_sink(m, &sink);
	static double q[NQ][R];
	double days = cfg.horizon_h / 24.0, years = days / 365.0;
	for (int r = 0; r < R; r++) {
		memset(&c.strikes, 0, sizeof c - offsetof(counts, strikes));
		esc_run_row row;
		if (esc_model_run(m, &pol, st, 2025, (uint64_t)r, &row, &err))
			fail_msg("%s", err.msg);
		assert_true((double)row.fatalities_by[c.isr] == c.deaths);
		q[Q_STRIKES_PER_DAY][r] = c.strikes / days;
		for (int k = 0; k < 3; k++)
			q[Q_SHARE_QUNEITRA + k][r] = c.strikes_zone[k] / c.strikes;
		q[Q_RAIDS_PER_DAY][r] = c.raids / days;
		q[Q_DEATHS_BY_ISR][r] = c.deaths / years;
		q[Q_NSA_FIRE][r] = c.nsa_fire / years;
		q[Q_CLASHES][r] = c.clashes / years;
		q[Q_SYR_FORCE][r] = c.syr_force / years;
		q[Q_SYR_PROTESTS][r] = c.syr_protests / years;
	}
	int bad = 0;
	for (int k = 0; k < NQ; k++) {
		gsl_sort(q[k], 1, R);
		double lo = gsl_stats_quantile_from_sorted_data(q[k], 1, R, 0.05);
		double hi = gsl_stats_quantile_from_sorted_data(q[k], 1, R, 0.95);
		double mean = gsl_stats_mean(q[k], 1, R);
		int ok = targets[k].target >= lo && targets[k].target <= hi;
		printf("# %-42s target %8.3f  simulated mean %8.3f  5-95%% [%8.3f, %8.3f] %s\n",
		       targets[k].name, targets[k].target, mean, lo, hi, ok ? "" : "OUTSIDE");
		bad += !ok;
	}
	assert_int_equal(bad, 0);
	esc_streams_free(st);
	esc_model_free(m);
	esc_config_free(&cfg);
	esc_scenario_free(s);
}

static void test_baseline_2025(void **state)
{
	(void)state;
	check_targets("scenarios/baseline_2025.lua", NULL, 0);
}

static void test_golan_2026_without_the_cell(void **state)
{
	(void)state;
	static const char *const no_cell[] = { "cell.enabled=false" };
	check_targets("scenarios/golan_2026.lua", no_cell, 1);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_2025),
		cmocka_unit_test(test_golan_2026_without_the_cell),
	};
	return cmocka_run_group_tests_name("baseline_2025", tests, NULL, NULL);
}
