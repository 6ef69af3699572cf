/* bench_scenario.c: whole replications of a scenario (issue #10, target 2).
 *
 * Loads scenarios/golan_2026.lua, builds its arm as written, and runs
 * replications through esc_model_run twice: with the scenario's Lua
 * policies, and with the same three policies written in C
 * (tests/bench/policies_c.c).  Before timing anything it checks that both
 * give identical runs rows and identical event logs for the first CHECK
 * replications: the C policies draw the same numbers and decide the same
 * way, so the comparison times the language and nothing else.
 *
 * No sink is set (as `escsim run` without a file), so this is model and
 * policy time only; bench_output.c measures what writing adds.
 *
 * Time: replications 0..N-1 with each kind of policy, PAIRS times, the two
 * alternating (Lua first, then C first), after a warm-up of each: a busy
 * stretch of a shared machine then falls on both members of a pair.  Each
 * side's row is the median of its runs; the ratio is the median of the
 * pairs' ratios, with their quartiles and a 95% interval (issue #17).
 * Events are the runs rows' events_total (incidents and protests).
 *
 * With --growth it then shows how run time grows with the horizon, the
 * background incident rate (every generator's rate times m) and the number
 * of replications, with the Lua policies: one run per point.
 *
 * Usage: bench_scenario [--growth] [SCENARIO [N]]
 *        bench_scenario --callgrind [--only lua|c] [SCENARIO [N]]
 *            one run of N replications (default 20) with the Lua (default)
 *            or the C policies, for tests/bench/callgrind.sh
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "escsim/model.h"
#include "escsim/scenario.h"
#include "bench.h"
#include "policies_c.h"

#define PAIRS 15
#define CHECK 300

/* A hash of every event row's fields (not its padding). */
typedef struct ev_hash {
	uint64_t h, n;
} ev_hash;

static void mix(ev_hash *e, uint64_t x)
{
	e->h ^= x;
	e->h *= 0x100000001b3ULL;
	e->h ^= e->h >> 29;
}

static int hash_event(void *self, const esc_event_row *r, esc_error *err)
{
	(void)err;
	ev_hash *e = self;
	uint64_t t;
	memcpy(&t, &r->t_h, sizeof t);
	int64_t f[] = { r->rep, r->id, r->parent_id, r->root_id, (int64_t)t, r->actor,
	                r->target, r->zone, r->type, r->level, r->fatalities_mil,
	                r->fatalities_civ, r->true_perpetrator, r->perceived_perpetrator,
	                r->cause, r->kind };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		mix(e, (uint64_t)f[i]);
	e->n++;
	return 0;
}

static int same_row(const esc_run_row *a, const esc_run_row *b)
{
	/* Field by field: NaN == NaN here (both "none"). */
#define EQ(f) (a->f == b->f)
#define EQD(f) (a->f == b->f || (isnan(a->f) && isnan(b->f)))
	return EQ(rep) && EQ(seed) && EQ(incidents) && EQ(retaliations) &&
	       EQ(misattributed_retaliations) && EQ(fatalities_mil) && EQ(fatalities_civ) &&
	       EQ(max_level) && EQD(hours_at_or_above_6) && EQ(spiral) &&
	       EQD(first_crisis_h) && EQ(cell_requests) &&
	       EQ(cell_answered_before_deadline) && EQD(cell_mean_latency_h) &&
	       EQ(events_total);
#undef EQ
#undef EQD
}

/* Replications 0..n-1; returns seconds, or a negative number on error.
 * *events gets the sum of events_total. */
__attribute__((noinline)) static double measure_reps(esc_model *m, const esc_policy *pol,
                                                     esc_streams *st, uint64_t seed,
                                                     int64_t n, int64_t *events)
{
	esc_run_row row;
	esc_error err = { 0 };
	int64_t ev = 0;
	double t0 = bench_now_s();
	for (int64_t r = 0; r < n; r++) {
		if (esc_model_run(m, pol, st, seed, (uint64_t)r, &row, &err)) {
			fprintf(stderr, "bench_scenario: %s\n", err.msg);
			return -1;
		}
		ev += row.events_total;
	}
	*events = ev;
	return bench_now_s() - t0;
}

/* One growth point: n replications of cfg as it stands. */
static int grow_point(const esc_config *cfg, const esc_policy *pol, esc_streams *st,
                      uint64_t seed, int64_t n, const char *name)
{
	esc_error err = { 0 };
	esc_model *m = esc_model_new(cfg, &err);
	if (!m) {
		fprintf(stderr, "bench_scenario: %s\n", err.msg);
		return -1;
	}
	int64_t ev = 0;
	double t = measure_reps(m, pol, st, seed, n, &ev);
	esc_model_free(m);
	if (t < 0)
		return -1;
	char note[96];
	snprintf(note, sizeof note, "%lld reps, %.0f events/rep, %.0f ns/event", (long long)n,
	         (double)ev / (double)n, t * 1e9 / (double)ev);
	bench_row("growth", name, t * 1e3 / (double)n, "ms/rep", "", 0, note);
	return 0;
}

static int grow(esc_config *cfg, const esc_policy *pol, esc_streams *st, uint64_t seed)
{
	char name[64];
	const double horizon = cfg->horizon_h;
	static const double days[] = { 30, 91, 182, 365, 730 };
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		cfg->horizon_h = days[i] * 24;
		snprintf(name, sizeof name, "horizon %g days", days[i]);
		if (grow_point(cfg, pol, st, seed, (int64_t)(200 * 365 / days[i]), name))
			return -1;
	}
	cfg->horizon_h = horizon;
	double *rate = malloc(cfg->n_generators * sizeof *rate);
	if (!rate)
		return -1;
	for (size_t g = 0; g < cfg->n_generators; g++)
		rate[g] = cfg->generators[g].rate_per_h;
	static const double mult[] = { 0.25, 0.5, 1, 2, 4 };
	for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
		for (size_t g = 0; g < cfg->n_generators; g++)
			cfg->generators[g].rate_per_h = rate[g] * mult[i];
		snprintf(name, sizeof name, "incident rate x %g", mult[i]);
		if (grow_point(cfg, pol, st, seed, (int64_t)(200 / mult[i]), name))
			return -1;
	}
	for (size_t g = 0; g < cfg->n_generators; g++)
		cfg->generators[g].rate_per_h = rate[g];
	free(rate);
	static const int64_t reps[] = { 10, 100, 1000, 3000 };
	for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++) {
		snprintf(name, sizeof name, "%lld replications", (long long)reps[i]);
		if (grow_point(cfg, pol, st, seed, reps[i], name))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int callgrind = 0, growth = 0, a = 1;
	const char *only = NULL;            /* "lua" or "c" (callgrind) */
	if (a < argc && strcmp(argv[a], "--growth") == 0) {
		growth = 1;
		a++;
	}
	if (a < argc && strcmp(argv[a], "--callgrind") == 0) {
		callgrind = 1;
		a++;
		if (a + 1 < argc && strcmp(argv[a], "--only") == 0) {
			only = argv[a + 1];
			a += 2;
		}
	}
	const char *path = a < argc ? argv[a++] : "scenarios/golan_2026.lua";
	int64_t n = a < argc ? atoll(argv[a++]) : (callgrind ? 20 : 200);
	const uint64_t seed = 1;
	gsl_set_error_handler_off();

	esc_error err = { 0 };
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, &err);
	if (!s) {
		fprintf(stderr, "bench_scenario: %s\n", err.msg);
		return 1;
	}
	esc_config cfg;
	esc_policy lua;
	if (esc_scenario_arm(s, NULL, 0, &cfg, &lua, &err)) {
		fprintf(stderr, "bench_scenario: %s\n", err.msg);
		return 1;
	}
	bench_c_policy *cp = bench_c_policy_golan(&cfg);
	if (!cp) {
		fprintf(stderr, "bench_scenario: %s lacks a party, type or zone of golan_2026\n", path);
		return 1;
	}
	esc_policy c = { &bench_c_policy_type, cp };
	esc_model *m = esc_model_new(&cfg, &err);
	esc_streams *st = esc_streams_new(NULL);
	if (!m || !st) {
		fprintf(stderr, "bench_scenario: %s\n", m ? "out of memory" : err.msg);
		return 1;
	}

	/* Same rows, same events, or the comparison means nothing. */
	if (!callgrind) {
		ev_hash hl = { 0xcbf29ce484222325ULL, 0 }, hc = hl;
		esc_model_sink sl = { .self = &hl, .event = hash_event };
		esc_model_sink sc = { .self = &hc, .event = hash_event };
		int64_t differ = 0, retaliations = 0;
		for (int64_t r = 0; r < CHECK; r++) {
			esc_run_row rl, rc;
			esc_model_set_sink(m, &sl);
			if (esc_model_run(m, &lua, st, seed, (uint64_t)r, &rl, &err))
				break;
			esc_model_set_sink(m, &sc);
			if (esc_model_run(m, &c, st, seed, (uint64_t)r, &rc, &err))
				break;
			differ += !same_row(&rl, &rc);
			retaliations += rl.retaliations;
		}
		esc_model_set_sink(m, NULL);
		if (err.status) {
			fprintf(stderr, "bench_scenario: %s\n", err.msg);
			return 1;
		}
		char note[128];
		snprintf(note, sizeof note, "%d reps: %lld differing runs rows, %llu vs %llu events, %lld retaliations",
		         CHECK, (long long)differ, (unsigned long long)hl.n, (unsigned long long)hc.n,
		         (long long)retaliations);
		int same = differ == 0 && hl.n == hc.n && hl.h == hc.h;
		bench_row_text("scenario", "C policies reproduce the Lua runs", same ? "identical" : "DIFFER",
		               "identical", note);
		if (!same)
			return 1;
	}

	double tl[PAIRS], tc[PAIRS], ratio[PAIRS];
	int64_t ev_l = 0, ev_c = 0;
	if (callgrind) {
		/* One of them, so the instruction count is its own; "NAME
		 * EVENTS" for callgrind.sh. */
		int lua_side = !only || strcmp(only, "c") != 0;
		int64_t ev = 0;
		if (measure_reps(m, lua_side ? &lua : &c, st, seed, n, &ev) < 0)
			return 1;
		printf("scenario_%s %lld\n", lua_side ? "lua" : "c", (long long)ev);
		return 0;
	}
	/* warm caches and the Lua heap */
	measure_reps(m, &lua, st, seed, n / 10 + 1, &ev_l);
	measure_reps(m, &c, st, seed, n / 10 + 1, &ev_c);
	for (int r = 0; r < PAIRS; r++) {
		if (r % 2 == 0) {
			tl[r] = measure_reps(m, &lua, st, seed, n, &ev_l);
			tc[r] = measure_reps(m, &c, st, seed, n, &ev_c);
		} else {
			tc[r] = measure_reps(m, &c, st, seed, n, &ev_c);
			tl[r] = measure_reps(m, &lua, st, seed, n, &ev_l);
		}
		if (tl[r] < 0 || tc[r] < 0)
			return 1;
		ratio[r] = tl[r] / tc[r];
	}
	bench_spread sl = bench_spread_of(tl, PAIRS), sc = bench_spread_of(tc, PAIRS);
	bench_spread sr = bench_spread_of(ratio, PAIRS);
	double gm, lo, hi;
	bench_ratio_interval(ratio, PAIRS, &gm, &lo, &hi);
	char note[192];
	double ev_per_rep = (double)ev_l / (double)n;
	snprintf(note, sizeof note, "%lld reps, %.0f events/rep; %d runs, quartiles %.0f-%.0f reps/s",
	         (long long)n, ev_per_rep, PAIRS, (double)n / sl.q3, (double)n / sl.q1);
	bench_row("scenario", "golan_2026, Lua policies: replications/s", (double)n / sl.median,
	          "reps/s", "", 0, note);
	snprintf(note, sizeof note, "%.2f million events/s", (double)ev_l / sl.median * 1e-6);
	bench_row("scenario", "golan_2026, Lua policies: ns per event", sl.median * 1e9 / (double)ev_l,
	          "ns/event", "", 0, note);
	snprintf(note, sizeof note, "%d runs, quartiles %.0f-%.0f reps/s", PAIRS, (double)n / sc.q3,
	         (double)n / sc.q1);
	bench_row("scenario", "golan_2026, C policies: replications/s", (double)n / sc.median,
	          "reps/s", "", 0, note);
	snprintf(note, sizeof note, "%.2f million events/s; quartiles %.0f-%.0f ns", (double)ev_c / sc.median * 1e-6,
	         sc.q1 * 1e9 / (double)ev_c, sc.q3 * 1e9 / (double)ev_c);
	bench_row("scenario", "golan_2026, C policies: ns per event", sc.median * 1e9 / (double)ev_c,
	          "ns/event", "<=", 250, note);
	snprintf(note, sizeof note, "%d alternating pairs: quartiles %.3f-%.3f; geometric mean %.3f, 95%% interval %.3f-%.3f",
	         PAIRS, sr.q1, sr.q3, gm, lo, hi);
	bench_row("scenario", "Lua policies time / C policies time", sr.median, "x", "<=", 1.5, note);

	if (growth && grow(&cfg, &lua, st, seed))
		return 1;

	esc_streams_free(st);
	esc_model_free(m);
	bench_c_policy_free(cp);
	esc_scenario_release(s, &lua);
	esc_config_free(&cfg);
	esc_scenario_free(s);
	return 0;
}
