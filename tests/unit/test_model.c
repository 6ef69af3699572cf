/* test_model.c: the escalation model on hand-built configurations with C
 * policies, checked against what the model definition (docs/model.md) says
 * must happen: exact outcomes where the mechanism is deterministic, closed
 * forms with confidence intervals where it is random. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "escsim/json.h"
#include "escsim/model.h"

enum { A, B, C };
enum { T_STRIKE, T_ROCKET, T_TOP };   /* levels 5, 6, 7 */

/* A minimal scenario: parties A, B, C; one zone; three types. */
static void base_config(esc_config *cfg, size_t n_gen)
{
	assert_int_equal(esc_config_alloc(cfg, 3, 1, 3, n_gen, NULL), 0);
	strcpy(cfg->parties[A].name, "A");
	strcpy(cfg->parties[B].name, "B");
	strcpy(cfg->parties[C].name, "C");
	strcpy(cfg->zones[0], "Z");
	const char *names[] = { "strike", "rocket", "top" };
	int levels[] = { 5, 6, 7 };
	for (int i = 0; i < 3; i++) {
		strcpy(cfg->types[i].name, names[i]);
		cfg->types[i].level = levels[i];
	}
	cfg->horizon_h = 1000;
}

static void set_const(esc_dist *d, double v)
{
	esc_dist_free(d);
	assert_int_equal(esc_dist_init(d, ESC_DIST_CONSTANT, v, 0, 0, NULL), 0);
}

/* ---- C test policies ------------------------------------------------- */

typedef struct test_policy {
	int retaliate_party;        /* party that retaliates, -1 none */
	int all_retaliate;          /* every party retaliates (ping-pong) */
	int query;
	double delay_h;
	int bad;                    /* 1: target self; 2: NaN delay */
	double times[4096];         /* incident times seen */
	size_t n_times;
} test_policy;

static int tp_observe(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                      esc_decision *out, esc_error *err)
{
	(void)ctx; (void)err;
	test_policy *p = self;
	if (p->n_times < 4096)
		p->times[p->n_times++] = obs->t_incident_h;
	if (p->all_retaliate || obs->observer == p->retaliate_party) {
		out->action = ESC_ACT_RETALIATE;
		out->type = T_STRIKE;
		out->delay_h = p->delay_h;
		out->query_cell = p->query;
		if (p->bad == 1)
			out->target = obs->observer;
		if (p->bad == 2)
			out->delay_h = NAN;
	}
	return 0;
}

static const esc_policy_type tp_type = { .name = "test", .on_incident_observed = tp_observe };

static int run(const esc_config *cfg, test_policy *tp, uint64_t seed, uint64_t rep,
               esc_run_row *row, esc_error *err)
{
	esc_model *m = esc_model_new(cfg, err);
	assert_non_null(m);
	esc_streams *s = esc_streams_new(NULL);
	assert_non_null(s);
	esc_policy pol = { &tp_type, tp };
	int st = esc_model_run(m, &pol, s, seed, rep, row, err);
	esc_streams_free(s);
	esc_model_free(m);
	return st;
}

/* ---- tests ----------------------------------------------------------- */

static void test_no_incidents(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 0);
	test_policy tp = { .retaliate_party = -1 };
	esc_run_row row;
	esc_error err = {0};
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_int_equal(row.incidents, 0);
	assert_int_equal(row.events_total, 0);
	assert_int_equal(row.max_level, 0);
	assert_true(isnan(row.first_crisis_h));
	assert_true(isnan(row.cell_mean_latency_h));
	esc_config_free(&cfg);
}

/* Counts of a Poisson generator: mean rate*horizon, variance the same.  The
 * mean over R replications must lie within the 99.9% interval
 * lambda*T +- 3.29*sqrt(lambda*T/R) of theory. */
static void test_poisson_counts(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_STRIKE, .zone = 0, .rate_per_h = 0.05 };
	cfg.horizon_h = 1000;
	test_policy tp = { .retaliate_party = -1 };
	esc_error err = {0};
	const int R = 400;
	double sum = 0;
	for (int r = 0; r < R; r++) {
		esc_run_row row;
		assert_int_equal(run(&cfg, &tp, 42, (uint64_t)r, &row, &err), 0);
		sum += (double)row.incidents;
		assert_int_equal(row.retaliations, 0);
		assert_int_equal(row.max_level, 5);
	}
	double mu = 0.05 * 1000, mean = sum / R;
	assert_true(fabs(mean - mu) < 3.29 * sqrt(mu / R));
	esc_config_free(&cfg);
}

/* C fires rockets at A; A always takes them for B's and retaliates against
 * B after 2 h, asking the cell first. */
static void misattribution_config(esc_config *cfg)
{
	base_config(cfg, 1);
	cfg->generators[0] = (esc_generator){ .actor = C, .target = A, .type = T_ROCKET, .zone = 0, .rate_per_h = 0.02 };
	size_t np = 3;
	double *row = &cfg->attribution.confusion[(A * np + C) * np];
	row[C] = 0;
	row[B] = 1;
	cfg->horizon_h = 2000;
}

static void test_cell_calls_off_misattributed(void **state)
{
	(void)state;
	esc_config fast, slow, off, liar;
	misattribution_config(&fast);
	misattribution_config(&slow);
	misattribution_config(&off);
	misattribution_config(&liar);
	set_const(&fast.cell.latency_h, 1.0);
	fast.cell.accuracy = 1.0;
	set_const(&slow.cell.latency_h, 3.0);
	slow.cell.accuracy = 1.0;
	off.cell.enabled = 0;
	set_const(&liar.cell.latency_h, 1.0);
	liar.cell.accuracy = 0.0;
	test_policy tp = { .retaliate_party = A, .query = 1, .delay_h = 2.0 };
	esc_error err = {0};
	for (uint64_t rep = 0; rep < 20; rep++) {
		esc_run_row f, s, o, l;
		assert_int_equal(run(&fast, &tp, 7, rep, &f, &err), 0);
		assert_int_equal(run(&slow, &tp, 7, rep, &s, &err), 0);
		assert_int_equal(run(&off, &tp, 7, rep, &o, &err), 0);
		assert_int_equal(run(&liar, &tp, 7, rep, &l, &err), 0);
		/* Common random numbers: the same rockets in every arm. */
		assert_int_equal(f.incidents - f.retaliations, o.incidents - o.retaliations);
		assert_int_equal(s.incidents, o.incidents);
		/* A fast, accurate cell stops every strike on B. */
		assert_int_equal(f.retaliations, 0);
		assert_int_equal(f.misattributed_retaliations, 0);
		assert_int_equal(f.cell_requests, f.incidents);
		assert_int_equal(f.cell_answered_before_deadline, f.cell_requests);
		assert_true(f.cell_requests == 0 || fabs(f.cell_mean_latency_h - 1.0) < 1e-9);
		/* Answers after the deadline change nothing. */
		assert_int_equal(s.retaliations, o.retaliations);
		assert_int_equal(s.misattributed_retaliations, s.retaliations);
		assert_int_equal(s.cell_answered_before_deadline, 0);
		assert_int_equal(o.cell_requests, 0);
		assert_true(o.retaliations > 0);
		/* Always wrong, with two candidates (B, C): the answer names B,
		 * the suspect, and an answer worse than a guess weighs nothing:
		 * strikes go ahead. */
		assert_int_equal(l.retaliations, o.retaliations);
		assert_int_equal(l.misattributed_retaliations, o.misattributed_retaliations);
	}
	esc_config_free(&fast);
	esc_config_free(&slow);
	esc_config_free(&off);
	esc_config_free(&liar);
}

/* Background incidents at rung 7 decay from 7 to 6 in hl*log2(7/6) hours,
 * so the time at or above 6 is the measure of the union of
 * [t_i, t_i + tau) within the horizon.  Rung-5 incidents in between must not
 * change it. */
static void test_ladder_time_above_6(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 2);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_TOP, .zone = 0, .rate_per_h = 0.01 };
	cfg.generators[1] = (esc_generator){ .actor = A, .target = B, .type = T_STRIKE, .zone = 0, .rate_per_h = 0.2 };
	cfg.horizon_h = 3000;
	cfg.ladder.half_life_h = 24;
	test_policy tp = { .retaliate_party = -1 };
	esc_error err = {0};
	for (uint64_t rep = 0; rep < 5; rep++) {
		tp.n_times = 0;
		/* Record only rung-7 incidents: run with the strike generator's
		 * times filtered out by comparing against a run without it. */
		esc_run_row row;
		assert_int_equal(run(&cfg, &tp, 3, rep, &row, &err), 0);
		esc_config only7;
		base_config(&only7, 1);
		only7.generators[0] = cfg.generators[0];
		only7.horizon_h = cfg.horizon_h;
		only7.ladder.half_life_h = 24;
		test_policy tp7 = { .retaliate_party = -1 };
		esc_run_row row7;
		assert_int_equal(run(&only7, &tp7, 3, rep, &row7, &err), 0);
		double tau = 24 * log2(7.0 / 6.0), total = 0, covered_to = 0;
		for (size_t i = 0; i < tp7.n_times; i++) {
			double s = tp7.times[i], e = fmin(s + tau, cfg.horizon_h);
			if (s < covered_to)
				s = covered_to;
			if (e > s)
				total += e - s;
			if (e > covered_to)
				covered_to = e;
		}
		assert_true(tp7.n_times > 0);
		assert_true(fabs(row.hours_at_or_above_6 - total) < 1e-6);
		assert_true(fabs(row7.hours_at_or_above_6 - total) < 1e-6);
		assert_int_equal(row.max_level, 7);
		assert_true(isnan(row.first_crisis_h));      /* no exchange, no crisis */
		esc_config_free(&only7);
	}
	esc_config_free(&cfg);
}

/* Union of [t_i, t_i + len) within the horizon. */
static double covered(const double *t, size_t n, double len, double horizon)
{
	double total = 0, covered_to = 0;
	for (size_t i = 0; i < n; i++) {
		double s = t[i], e = fmin(s + len, horizon);
		if (s < covered_to)
			s = covered_to;
		if (e > s)
			total += e - s;
		if (e > covered_to)
			covered_to = e;
	}
	return total;
}

/* A rung held: incidents at exactly 6 hold their pair at 6 for ladder.hold
 * hours and then fall below it at once, so the hours at or above 6 are the
 * union of [t_i, t_i + hold).  An incident's rung is its type's
 * lethal_level when it kills: strikes (level 5) that always kill count at
 * 6, and the same strikes without deaths never do. */
static void test_ladder_hold_and_lethal_rung(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_ROCKET, .zone = 0, .rate_per_h = 0.01 };
	cfg.horizon_h = 3000;
	cfg.ladder.hold_h = 10;
	test_policy tp = { .retaliate_party = -1 };
	esc_error err = {0};
	esc_run_row row;
	assert_int_equal(run(&cfg, &tp, 5, 0, &row, &err), 0);
	assert_true(tp.n_times > 10);
	assert_true(fabs(row.hours_at_or_above_6 - covered(tp.times, tp.n_times, 10, 3000)) < 1e-6);
	assert_int_equal(row.max_level, 6);
	/* Without a hold an incident at exactly 6 is below 6 at once. */
	cfg.ladder.hold_h = 0;
	tp.n_times = 0;
	assert_int_equal(run(&cfg, &tp, 5, 0, &row, &err), 0);
	assert_true(row.hours_at_or_above_6 == 0);
	assert_int_equal(row.max_level, 6);
	/* Lethal strikes: rung 6. */
	cfg.ladder.hold_h = 10;
	cfg.generators[0].type = T_STRIKE;
	cfg.types[T_STRIKE].lethal_level = 6;
	set_const(&cfg.types[T_STRIKE].fatalities_mil, 1);
	tp.n_times = 0;
	assert_int_equal(run(&cfg, &tp, 5, 0, &row, &err), 0);
	assert_true(fabs(row.hours_at_or_above_6 - covered(tp.times, tp.n_times, 10, 3000)) < 1e-6);
	assert_int_equal(row.max_level, 6);
	set_const(&cfg.types[T_STRIKE].fatalities_mil, 0);
	assert_int_equal(run(&cfg, &tp, 5, 0, &row, &err), 0);
	assert_true(row.hours_at_or_above_6 == 0);
	assert_int_equal(row.max_level, 5);
	esc_config_free(&cfg);
}

static void test_runaway_is_an_error(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_STRIKE, .zone = 0, .rate_per_h = 0.1 };
	cfg.max_events = 50;
	test_policy tp = { .all_retaliate = 1, .delay_h = 1.0 };
	esc_run_row row;
	esc_error err = {0};
	assert_int_equal(run(&cfg, &tp, 1, 3, &row, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "replication 3, t="));
	assert_non_null(strstr(err.msg, "more than 50 events"));
	esc_config_free(&cfg);
}

static void test_spiral(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_STRIKE, .zone = 0, .rate_per_h = 0.1 };
	cfg.horizon_h = 100;
	test_policy tp = { .all_retaliate = 1, .delay_h = 1.0 };
	esc_run_row row;
	esc_error err = {0};
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_true(row.retaliations >= 3);
	assert_int_equal(row.spiral, 1);
	/* Ping-pong: B answers A's first strike an hour later (move 1), A
	 * answers that an hour after (move 2): the exchange is a spiral and,
	 * between two states, a crisis at exactly that time. */
	assert_true(tp.n_times >= 3);
	assert_true(row.first_crisis_h == tp.times[0] + 2.0);
	/* Every retaliation climbs a rung: the pairs reach the top. */
	assert_int_equal(row.max_level, 7);
	/* A spiral of a million moves: never. */
	cfg.ladder.spiral_moves = 1000000;
	cfg.ladder.crisis_moves = 1000000;
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_int_equal(row.spiral, 0);
	assert_true(isnan(row.first_crisis_h));
	cfg.ladder.spiral_moves = cfg.ladder.crisis_moves = 2;
	/* With a non-state side the exchange is a spiral but no crisis. */
	cfg.parties[B].kind = ESC_PARTY_NONSTATE;
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_int_equal(row.spiral, 1);
	assert_true(isnan(row.first_crisis_h));
	cfg.parties[B].kind = ESC_PARTY_STATE;
	/* Answers slower than the window open new exchanges of one move. */
	cfg.ladder.window_h = 0.5;
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_true(row.retaliations >= 3);
	assert_int_equal(row.spiral, 0);
	cfg.ladder.spiral_moves = 1;
	assert_int_equal(run(&cfg, &tp, 1, 0, &row, &err), 0);
	assert_int_equal(row.spiral, 1);
	cfg.ladder.spiral_moves = 2;
	cfg.ladder.window_h = 24;
	/* Without responses there is no exchange, however large the
	 * self-excited clusters grow. */
	assert_int_equal(esc_config_alloc_excitations(&cfg, 1, NULL), 0);
	cfg.excitations[0].n = 0.9;
	cfg.excitations[0].fast_share = 1;
	cfg.excitations[0].fast_mean_h = 0.5;
	test_policy quiet = { .retaliate_party = -1 };
	assert_int_equal(run(&cfg, &quiet, 1, 0, &row, &err), 0);
	assert_true(row.incidents > 20);
	assert_int_equal(row.spiral, 0);
	assert_true(isnan(row.first_crisis_h));
	esc_config_free(&cfg);
}

static void test_invalid_decisions(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = B, .type = T_STRIKE, .zone = 0, .rate_per_h = 0.1 };
	esc_run_row row;
	esc_error err = {0};
	test_policy self_target = { .retaliate_party = B, .bad = 1 };
	assert_int_equal(run(&cfg, &self_target, 1, 0, &row, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "expected another party"));
	assert_non_null(strstr(err.msg, "replication 0, t="));
	test_policy nan_delay = { .retaliate_party = B, .bad = 2 };
	assert_int_equal(run(&cfg, &nan_delay, 1, 0, &row, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "delay must be a finite number"));
	esc_config_free(&cfg);
}

static int rows_equal(const esc_run_row *a, const esc_run_row *b)
{
	return a->rep == b->rep && a->incidents == b->incidents &&
	       a->retaliations == b->retaliations &&
	       a->fatalities_mil == b->fatalities_mil &&
	       a->hours_at_or_above_6 == b->hours_at_or_above_6 &&
	       a->events_total == b->events_total;
}

static void test_reproducible(void **state)
{
	(void)state;
	esc_config cfg;
	misattribution_config(&cfg);
	esc_dist_init(&cfg.types[T_ROCKET].fatalities_mil, ESC_DIST_POISSON, 0.5, 0, 0, NULL);
	test_policy tp = { .retaliate_party = A, .query = 1, .delay_h = 2.0 };
	esc_error err = {0};
	esc_run_row r1, r2, r3;
	assert_int_equal(run(&cfg, &tp, 11, 5, &r1, &err), 0);
	assert_int_equal(run(&cfg, &tp, 11, 5, &r2, &err), 0);
	assert_int_equal(run(&cfg, &tp, 11, 6, &r3, &err), 0);
	assert_true(rows_equal(&r1, &r2));
	assert_false(r1.incidents == r3.incidents && r1.fatalities_mil == r3.fatalities_mil &&
	             r1.hours_at_or_above_6 == r3.hours_at_or_above_6);
	esc_config_free(&cfg);
}

/* ---- the resolved JSON (config_json.c) ------------------------------- */

static long allocs_left;            /* cJSON allocations before one fails; -1: none fails */

static void *failing_malloc(size_t n)
{
	if (allocs_left == 0)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	return malloc(n);
}

static const cJSON *at(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	assert_non_null(j);
	return j;
}

/* The keys readers look up hold the configuration's values, the confusion
 * matrix is sparse (only rows that differ from perfect attribution, only
 * probabilities that are not 0), and out of memory at any one of its
 * allocations gives NULL (no crash, and nothing leaked under make asan)
 * while the allocations that succeed give the same text. */
static void test_resolved_json(void **state)
{
	(void)state;
	esc_config cfg;
	base_config(&cfg, 1);
	size_t np = cfg.n_parties;
	double *row = &cfg.attribution.confusion[(A * np + C) * np];   /* A sees C's incidents */
	row[C] = 0.75;
	row[B] = 0.25;
	cfg.types[T_ROCKET].lethal_level = 7;
	char *text = esc_config_to_json(&cfg);
	assert_non_null(text);
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	assert_true(at(j, "horizon_h")->valuedouble == 1000);
	assert_int_equal(cJSON_GetArraySize(at(j, "parties")), 3);
	assert_string_equal(at(cJSON_GetArrayItem(at(j, "parties"), 1), "name")->valuestring, "B");
	assert_true(at(at(at(j, "types"), "rocket"), "lethal_level")->valuedouble == 7);
	assert_true(at(at(j, "limits"), "events")->valuedouble == (double)cfg.max_events);
	const cJSON *conf = at(at(j, "attribution"), "confusion");
	assert_int_equal(cJSON_GetArraySize(conf), 1);                 /* observers */
	assert_int_equal(cJSON_GetArraySize(at(conf, "A")), 1);         /* true actors */
	const cJSON *seen = at(at(conf, "A"), "C");
	assert_int_equal(cJSON_GetArraySize(seen), 2);                  /* perceived, not 0 */
	assert_true(at(seen, "B")->valuedouble == 0.25 && at(seen, "C")->valuedouble == 0.75);
	cJSON_Delete(j);

	long k;
	for (k = 0; k < 100000; k++) {
		allocs_left = k;
		cJSON_InitHooks(&(cJSON_Hooks){ failing_malloc, free });
		char *t = esc_config_to_json(&cfg);
		cJSON_InitHooks(NULL);
		if (t) {
			assert_string_equal(t, text);
			free(t);
			break;
		}
	}
	assert_true(k > 100 && k < 100000);     /* every node is an allocation */
	free(text);
	esc_config_free(&cfg);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_incidents),
		cmocka_unit_test(test_poisson_counts),
		cmocka_unit_test(test_cell_calls_off_misattributed),
		cmocka_unit_test(test_ladder_time_above_6),
		cmocka_unit_test(test_ladder_hold_and_lethal_rung),
		cmocka_unit_test(test_runaway_is_an_error),
		cmocka_unit_test(test_spiral),
		cmocka_unit_test(test_invalid_decisions),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_resolved_json),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
