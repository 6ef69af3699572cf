/* test_cell.c: the cell's effects and failure modes on hand-built
 * configurations with C policies, each checked exactly where the mechanism
 * is deterministic: deniable culprits, enforcement by the receiver, the
 * fallback channels asked with or without the cell (and instead of it only
 * under crowd_out), channels calling strikes off, answers no better than a
 * guess changing nothing, suspension after a severe incident, and notified
 * operations sparing civilians only when the notice is early enough; and
 * the queue itself on a scripted arrival sequence with constant handling
 * times, whose start times are known exactly for 1, 2 and 3 operators
 * (operator count, priority order, first come within a priority). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "escsim/engine.h"
#include "escsim/model.h"

enum { A, B, C };               /* A and B are the cell's members; C a group */
enum { T_STRIKE, T_ROCKET, T_RAID };

/* C fires rockets at A; A always blames B and plans a strike on B in 2 h,
 * asking the cell first. */
static void config(esc_config *cfg)
{
	assert_int_equal(esc_config_alloc(cfg, 3, 1, 3, 1, NULL), 0);
	strcpy(cfg->parties[A].name, "A");
	strcpy(cfg->parties[B].name, "B");
	strcpy(cfg->parties[C].name, "C");
	cfg->parties[C].kind = ESC_PARTY_NONSTATE;
	esc_config_cell_defaults(cfg);
	strcpy(cfg->zones[0], "Z");
	const char *names[] = { "strike", "rocket", "raid" };
	int levels[] = { 5, 6, 4 };
	for (int i = 0; i < 3; i++) {
		strcpy(cfg->types[i].name, names[i]);
		cfg->types[i].level = levels[i];
	}
	cfg->generators[0] = (esc_generator){ .actor = C, .target = A, .type = T_ROCKET, .rate_per_h = 0.02 };
	double *row = &cfg->attribution.confusion[(A * 3 + C) * 3];
	row[C] = 0;
	row[B] = 1;
	cfg->horizon_h = 3000;
	esc_dist_free(&cfg->cell.latency_h);
	esc_dist_init(&cfg->cell.latency_h, ESC_DIST_CONSTANT, 1.0, 0, 0, NULL);
	cfg->cell.accuracy = 1.0;
}

static int strike_after_query(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                              esc_decision *out, esc_error *err)
{
	(void)self; (void)ctx; (void)err;
	if (obs->observer == A) {
		out->action = ESC_ACT_RETALIATE;
		out->type = T_STRIKE;
		out->delay_h = 2.0;
		out->query_cell = 1;
	}
	return 0;
}

static const esc_policy_type ptype = { .name = "test", .on_incident_observed = strike_after_query };

typedef struct sinks {
	int64_t msgs[4][5];         /* [channel][outcome] */
	int64_t enforcement_raids;  /* B -> C raids */
	int64_t civ_deaths;
} sinks;

static int on_msg(void *self, const esc_message_row *r, esc_error *err)
{
	(void)err;
	sinks *k = self;
	k->msgs[r->channel][r->outcome]++;
	return 0;
}

static int on_ev(void *self, const esc_event_row *e, esc_error *err)
{
	(void)err;
	sinks *k = self;
	if (e->kind == ESC_EVENT_INCIDENT && e->actor == B && e->target == C && e->type == T_RAID)
		k->enforcement_raids++;
	k->civ_deaths += e->fatalities_civ;
	return 0;
}

static esc_run_row run(const esc_config *cfg, uint64_t rep, sinks *k)
{
	esc_error err = {0};
	esc_model *m = esc_model_new(cfg, &err);
	if (!m)
		fail_msg("%s", err.msg);
	esc_streams *s = esc_streams_new(NULL);
	memset(k, 0, sizeof *k);
	esc_model_sink sink = { .self = k, .event = on_ev, .message = on_msg };
	esc_model_set_sink(m, &sink);
	esc_policy p = { &ptype, NULL };
	esc_run_row row;
	if (esc_model_run(m, &p, s, 3, rep, &row, &err))
		fail_msg("%s", err.msg);
	esc_streams_free(s);
	esc_model_free(m);
	return row;
}

static void test_deniable_culprit_clears_no_one(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	sinks k;
	esc_run_row r = run(&cfg, 0, &k);
	assert_true(r.incidents > 20);
	assert_int_equal(r.misattributed_retaliations, 0);    /* a fast true answer */
	cfg.parties[C].deniable = 1;
	esc_run_row d = run(&cfg, 0, &k);
	/* Every rocket brings its strike (bar those whose strike would fall
	 * after the horizon), all of them on the wrong party. */
	int64_t rockets = d.incidents - d.retaliations;
	assert_true(d.retaliations >= rockets - 3 && d.retaliations <= rockets);
	assert_int_equal(d.misattributed_retaliations, d.retaliations);
	assert_true(d.retaliations > 0);
	assert_int_equal(d.cell_answered_before_deadline, d.cell_requests);
	esc_config_free(&cfg);
}

/* A correctly blamed group: the receiver acts against it instead. */
static void test_enforcement(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	double *row = &cfg.attribution.confusion[(A * 3 + C) * 3];
	row[B] = 0;
	row[C] = 1;                         /* A blames C, rightly */
	esc_run_row plain;
	sinks k;
	/* Without enforcement every strike on C goes ahead. */
	plain = run(&cfg, 1, &k);
	int64_t rockets = plain.incidents - plain.retaliations;
	assert_true(plain.retaliations >= rockets - 3 && plain.retaliations <= rockets);
	assert_int_equal(plain.misattributed_retaliations, 0);
	cfg.cell.enforce_p = 1.0;
	cfg.cell.enforce_type = T_RAID;
	esc_run_row e = run(&cfg, 1, &k);
	assert_int_equal(e.incidents - e.retaliations, rockets);   /* same rockets */
	assert_int_equal(e.cell_enforcements, k.enforcement_raids);
	assert_true(e.cell_enforcements > 0);
	/* Every strike was replaced by the receiver's raid. */
	assert_int_equal(e.retaliations, e.cell_enforcements);
	esc_config_free(&cfg);
}

/* The receiver refuses everything; the channels are asked as they are
 * without the cell: a fast accurate channel calls the strikes off, an
 * unavailable one does not. */
static void test_refusal_and_channels(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	cfg.cell.refuse_base = 1.0;
	sinks k;
	esc_run_row r = run(&cfg, 2, &k);
	assert_int_equal(r.cell_refused, r.cell_requests);
	assert_int_equal(r.misattributed_retaliations, r.retaliations);
	assert_true(r.retaliations > 0);
	assert_int_equal(k.msgs[0][ESC_MSG_REFUSED], r.cell_requests);
	assert_int_equal(esc_config_alloc_channels(&cfg, 2, NULL), 0);
	strcpy(cfg.channels[0].name, "down");
	cfg.channels[0].availability = 0;
	strcpy(cfg.channels[1].name, "fast");
	esc_dist_init(&cfg.channels[1].latency_h, ESC_DIST_CONSTANT, 0.5, 0, 0, NULL);
	esc_run_row c = run(&cfg, 2, &k);
	assert_int_equal(c.retaliations, 0);
	assert_int_equal(c.channel_requests, 2 * c.cell_requests);
	assert_int_equal(c.channel_answered_before_deadline, c.cell_requests);
	assert_int_equal(k.msgs[1][ESC_MSG_UNAVAILABLE], c.cell_requests);
	assert_int_equal(k.msgs[2][ESC_MSG_ANSWERED], c.cell_requests);
	/* With the cell disabled the channels are asked the same way. */
	cfg.cell.enabled = 0;
	esc_run_row off = run(&cfg, 2, &k);
	assert_int_equal(off.cell_requests, 0);
	assert_int_equal(off.retaliations, 0);
	assert_int_equal(off.channel_requests, c.channel_requests);
	assert_int_equal(off.channel_answered_before_deadline, off.incidents);
	esc_config_free(&cfg);
}

/* A cell that takes every query and never answers in time: the channels
 * are still asked (nothing changes); only under crowd_out, where the
 * sender relies on the cell, are they not, and every strike goes ahead. */
static void test_crowd_out(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	esc_dist_free(&cfg.cell.latency_h);
	esc_dist_init(&cfg.cell.latency_h, ESC_DIST_CONSTANT, 1e6, 0, 0, NULL);
	assert_int_equal(esc_config_alloc_channels(&cfg, 1, NULL), 0);
	strcpy(cfg.channels[0].name, "fast");
	esc_dist_init(&cfg.channels[0].latency_h, ESC_DIST_CONSTANT, 0.5, 0, 0, NULL);
	sinks k;
	esc_run_row on = run(&cfg, 6, &k);
	assert_true(on.cell_requests > 20);
	assert_int_equal(on.channel_requests, on.cell_requests);
	assert_int_equal(on.retaliations, 0);
	cfg.cell.enabled = 0;
	esc_run_row off = run(&cfg, 6, &k);
	assert_int_equal(off.channel_requests, on.channel_requests);
	assert_int_equal(off.incidents, on.incidents);
	assert_int_equal(off.retaliations, 0);
	cfg.cell.enabled = 1;
	cfg.cell.crowd_out = 1;
	esc_run_row crowded = run(&cfg, 6, &k);
	assert_int_equal(crowded.channel_requests, 0);
	int64_t rockets = crowded.incidents - crowded.retaliations;
	assert_true(crowded.retaliations >= rockets - 3 && crowded.retaliations <= rockets);
	assert_int_equal(crowded.misattributed_retaliations, crowded.retaliations);
	/* ...and when the cell refuses, the channels after all. */
	cfg.cell.refuse_base = 1.0;
	esc_run_row refused = run(&cfg, 6, &k);
	assert_int_equal(refused.channel_requests, refused.cell_requests);
	assert_int_equal(refused.retaliations, 0);
	esc_config_free(&cfg);
}

/* Answers name the culprit with the cell's accuracy, else the other
 * candidate (two here: B and C).  At accuracy 1/2 an answer is a guess:
 * the sender gives it no weight and every strike goes ahead, although
 * every answer comes in time.  With the answers effect off, even exact
 * answers change nothing. */
static void test_answers_no_better_than_a_guess(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	assert_true(esc_config_trust(&cfg, A, 0.5) == 0.0);
	assert_true(fabs(esc_config_trust(&cfg, A, 0.9) - 0.8) < 1e-15);
	assert_true(esc_config_trust(&cfg, A, 0.2) == 0.0);
	assert_true(esc_config_trust(&cfg, A, 1.0) == 1.0);
	cfg.cell.accuracy = 0.5;
	sinks k;
	esc_run_row r = run(&cfg, 7, &k);
	int64_t rockets = r.incidents - r.retaliations;
	assert_true(rockets > 20);
	assert_true(r.retaliations >= rockets - 3 && r.retaliations <= rockets);
	assert_int_equal(r.cell_answered_before_deadline, r.cell_requests);
	assert_int_equal(r.misattributed_retaliations, r.retaliations);
	cfg.cell.accuracy = 1.0;
	cfg.cell.effects.answers = 0;
	esc_run_row off = run(&cfg, 7, &k);
	assert_int_equal(off.incidents, r.incidents);
	assert_int_equal(off.retaliations, r.retaliations);
	esc_config_free(&cfg);
}

/* A cell that is always down: every query finds it unavailable. */
static void test_outage(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	cfg.cell.mtbf_h = 1e-9;
	cfg.cell.mttr_h = 1e9;
	sinks k;
	esc_run_row r = run(&cfg, 3, &k);
	assert_int_equal(r.cell_unavailable, r.cell_requests);
	assert_int_equal(r.misattributed_retaliations, r.retaliations);
	esc_config_free(&cfg);
}

/* A's strikes on B are severe enough to suspend the cell for good: the
 * first strike suspends it, so later queries find it unavailable. */
static void test_suspension(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	cfg.cell.accuracy = 0;            /* answers confirm: strikes go ahead */
	cfg.cell.suspend_level = 5;
	cfg.cell.suspend_p = 1;
	esc_dist_free(&cfg.cell.suspend_h);
	esc_dist_init(&cfg.cell.suspend_h, ESC_DIST_CONSTANT, 1e9, 0, 0, NULL);
	sinks k;
	esc_run_row r = run(&cfg, 4, &k);
	assert_true(r.retaliations > 1);
	/* Queries before the first strike went through; none after. */
	assert_true(r.cell_unavailable > 0);
	assert_int_equal(r.cell_unavailable + k.msgs[0][ESC_MSG_ANSWERED], r.cell_requests);
	assert_true(k.msgs[0][ESC_MSG_ANSWERED] >= 1);
	esc_config_free(&cfg);
}

/* A's planned raids on C kill civilians (constant 1) unless notified early
 * enough: lead 2 h, need 1 h; a notice answered in 0.5 h spares them (all
 * of them at harm_reduction 1), one answered in 1.5 h does not.  At
 * harm_reduction 1/2 each death is spared with probability 1/2; with the
 * notices effect off, none is. */
static void test_notified_operations(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	cfg.generators[0] = (esc_generator){ .actor = A, .target = C, .type = T_RAID, .rate_per_h = 0.02 };
	esc_dist_init(&cfg.types[T_RAID].fatalities_civ, ESC_DIST_CONSTANT, 1, 0, 0, NULL);
	cfg.cell.notify_party = A;
	cfg.cell.notify_type = T_RAID;
	cfg.cell.notify_lead_h = 2;
	esc_dist_free(&cfg.cell.notify_need_h);
	esc_dist_init(&cfg.cell.notify_need_h, ESC_DIST_CONSTANT, 1.0, 0, 0, NULL);
	esc_dist_free(&cfg.cell.latency_h);
	esc_dist_init(&cfg.cell.latency_h, ESC_DIST_CONSTANT, 0.5, 0, 0, NULL);
	cfg.cell.notify_harm_reduction = 1.0;
	sinks k;
	esc_run_row fast = run(&cfg, 5, &k);
	assert_true(fast.incidents > 20);
	assert_int_equal(fast.notices_in_time, fast.incidents);
	assert_int_equal(fast.notices_sent, fast.incidents);
	assert_int_equal(fast.fatalities_civ, 0);
	esc_dist_free(&cfg.cell.latency_h);
	esc_dist_init(&cfg.cell.latency_h, ESC_DIST_CONSTANT, 1.5, 0, 0, NULL);
	esc_run_row late = run(&cfg, 5, &k);
	assert_int_equal(late.incidents, fast.incidents);      /* same operations */
	assert_int_equal(late.notices_too_late, late.incidents);
	assert_int_equal(late.fatalities_civ, late.incidents);
	cfg.cell.enabled = 0;
	esc_run_row none = run(&cfg, 5, &k);
	assert_int_equal(none.incidents, fast.incidents);
	assert_int_equal(none.notices_sent, 0);
	assert_int_equal(none.fatalities_civ, none.incidents);
	/* Half of them: Binomial(n, 1/2) deaths, within its 99.9 % interval. */
	cfg.cell.enabled = 1;
	esc_dist_free(&cfg.cell.latency_h);
	esc_dist_init(&cfg.cell.latency_h, ESC_DIST_CONSTANT, 0.5, 0, 0, NULL);
	cfg.cell.notify_harm_reduction = 0.5;
	esc_run_row half = run(&cfg, 5, &k);
	double n = (double)half.incidents, sd = sqrt(n * 0.25);
	assert_true(fabs((double)half.fatalities_civ - n / 2) < 3.29 * sd);
	assert_true(half.fatalities_civ > 0 && half.fatalities_civ < half.incidents);
	cfg.cell.effects.notices = 0;
	esc_run_row off = run(&cfg, 5, &k);
	assert_int_equal(off.notices_in_time, off.incidents);
	assert_int_equal(off.fatalities_civ, off.incidents);
	/* Refused notices are never delivered. */
	cfg.cell.effects.notices = 1;
	cfg.cell.refuse_base = 1.0;
	esc_run_row refused = run(&cfg, 5, &k);
	assert_int_equal(refused.notices_undelivered, refused.incidents);
	assert_int_equal(refused.fatalities_civ, refused.incidents);
	esc_config_free(&cfg);
}

/* ---- the queue, by a script ------------------------------------------ */

/* C strikes A at scripted times (timers set at C's first tick, at 1 h), one
 * incident type per priority; A queries the cell about each strike with
 * that priority.  Handling takes exactly 1 h and nothing else delays an
 * answer, so every start time follows from the queue's rules by hand. */
enum { N_ARRIVALS = 9 };
static const struct { double t; int type; } script[N_ARRIVALS] = {
	{ 2.0, T_RAID }, { 2.0, T_RAID }, { 2.25, T_RAID }, { 2.5, T_STRIKE },
	{ 2.75, T_ROCKET }, { 3.5, T_STRIKE }, { 3.75, T_ROCKET },
	{ 3.875, T_RAID }, { 3.9375, T_RAID },
};
/* strike: flash (0), rocket: immediate (1), raid: routine (2) */
static const int priority_of[] = { [T_STRIKE] = 0, [T_ROCKET] = 1, [T_RAID] = 2 };

typedef struct scripted {
	int started;
	esc_message_row msg[N_ARRIVALS];
	int n_msg;
} scripted;

static int scripted_begin(void *self, uint64_t rep, esc_error *err)
{
	(void)rep; (void)err;
	memset(self, 0, sizeof(scripted));
	return 0;
}

static double scripted_tick_h(void *self, int party) { (void)self; return party == C ? 1.0 : 0; }

static int scripted_tick(void *self, const esc_hook_ctx *ctx, double dt_h, esc_error *err)
{
	(void)dt_h;
	scripted *s = self;
	if (s->started++)
		return 0;
	for (int i = 0; i < N_ARRIVALS; i++)
		if (esc_engine_schedule(ctx->engine, C, script[i].t - ctx->t_h, i, err))
			return err->status;
	return 0;
}

static int scripted_timer(void *self, const esc_hook_ctx *ctx, int64_t token, esc_error *err)
{
	(void)self;
	esc_decision d = { .action = ESC_ACT_RETALIATE, .target = A, .type = script[token].type,
	                   .zone = 0, .delay_h = 0, .priority = 1 };
	return esc_engine_act(ctx->engine, C, &d, -1, err);
}

static int scripted_query(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                          esc_decision *out, esc_error *err)
{
	(void)self; (void)ctx; (void)err;
	if (obs->observer == A) {
		out->action = ESC_ACT_QUERY;
		out->priority = priority_of[obs->type];
	}
	return 0;
}

static int scripted_msg(void *self, const esc_message_row *r, esc_error *err)
{
	(void)err;
	scripted *s = self;
	assert_true(s->n_msg < N_ARRIVALS);
	s->msg[s->n_msg++] = *r;
	return 0;
}

static const esc_policy_type scripted_type = {
	.name = "scripted", .begin = scripted_begin, .tick_h = scripted_tick_h,
	.on_tick = scripted_tick, .on_timer = scripted_timer,
	.on_incident_observed = scripted_query,
};

/* Start times of the scripted requests with c operators, and the run row. */
static esc_run_row run_script(int operators, scripted *s)
{
	esc_config cfg;
	config(&cfg);
	cfg.generators[0].rate_per_h = 0;
	cfg.horizon_h = 48;
	cfg.cell.operators = operators;
	esc_dist_free(&cfg.cell.handling_h);
	esc_dist_init(&cfg.cell.handling_h, ESC_DIST_CONSTANT, 1.0, 0, 0, NULL);
	esc_dist_free(&cfg.cell.latency_h);
	esc_dist_init(&cfg.cell.latency_h, ESC_DIST_CONSTANT, 0, 0, 0, NULL);
	esc_error err = {0};
	esc_model *m = esc_model_new(&cfg, &err);
	if (!m)
		fail_msg("%s", err.msg);
	esc_streams *st = esc_streams_new(NULL);
	esc_model_sink sink = { .self = s, .message = scripted_msg };
	esc_model_set_sink(m, &sink);
	esc_policy p = { &scripted_type, s };
	esc_run_row row;
	if (esc_model_run(m, &p, st, 3, 0, &row, &err))
		fail_msg("%s", err.msg);
	esc_streams_free(st);
	esc_model_free(m);
	esc_config_free(&cfg);
	return row;
}

/* c operators serve the waiting request of lowest priority value first,
 * then the one that came first.  Worked by hand (H = 1 h):
 *   c = 1: a0 at 2; at 3 the flash a3; at 4 the flash a5; at 5 and 6 the
 *          immediate a4 then a6; then the routine a1, a2, a7, a8 at 7..10.
 *   c = 2: a0, a1 at 2; at 3 a3 and a4 (flash, immediate) before the
 *          routine a2; at 4 a5 and a6; at 5 a2 and a7; at 6 a8.
 *   c = 3: a2 starts on arrival at 2.25; a5 on arrival at 3.5 (the third
 *          operator is free from 3.25); a6 and a7 at 4, a8 at 4.5. */
static void test_queue_order(void **state)
{
	(void)state;
	static const double want[3][N_ARRIVALS] = {
		{ 2, 7, 8, 3, 5, 4, 6, 9, 10 },
		{ 2, 2, 5, 3, 3, 4, 4, 5, 6 },
		{ 2, 2, 2.25, 3, 3, 3.5, 4, 4, 4.5 },
	};
	for (int c = 1; c <= 3; c++) {
		scripted s;
		esc_run_row r = run_script(c, &s);
		assert_int_equal(s.n_msg, N_ARRIVALS);
		assert_int_equal(r.cell_requests, N_ARRIVALS);
		assert_int_equal(r.cell_answered_before_deadline, N_ARRIVALS);
		/* finish() logs in answer order: index by message id, which is
		 * the order of the script */
		double start[N_ARRIVALS], latency = 0;
		for (int k = 0; k < N_ARRIVALS; k++) {
			const esc_message_row *g = &s.msg[k];
			assert_true(g->id >= 0 && g->id < N_ARRIVALS);
			assert_int_equal(g->outcome, ESC_MSG_ANSWERED);
			assert_true(g->t_submit_h == script[g->id].t);
			assert_true(g->t_answer_h == g->t_start_h + 1.0);
			start[g->id] = g->t_start_h;
			latency += g->t_answer_h - g->t_submit_h;
		}
		for (int i = 0; i < N_ARRIVALS; i++)
			if (start[i] != want[c - 1][i])
				fail_msg("%d operator(s): request %d (at %g h, priority %d) started at %g h, "
				         "expected %g h", c, i, script[i].t, priority_of[script[i].type],
				         start[i], want[c - 1][i]);
		assert_true(fabs(r.cell_mean_latency_h - latency / N_ARRIVALS) < 1e-12);
	}
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deniable_culprit_clears_no_one),
		cmocka_unit_test(test_enforcement),
		cmocka_unit_test(test_refusal_and_channels),
		cmocka_unit_test(test_crowd_out),
		cmocka_unit_test(test_answers_no_better_than_a_guess),
		cmocka_unit_test(test_outage),
		cmocka_unit_test(test_suspension),
		cmocka_unit_test(test_notified_operations),
		cmocka_unit_test(test_queue_order),
	};
	return cmocka_run_group_tests_name("cell", tests, NULL, NULL);
}
