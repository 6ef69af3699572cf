/* test_engine.c: the full hook set and the engine API from C: each hook is
 * called where the model says, its output is obeyed and checked, and the
 * engine's queries and actions do what engine.h promises (the ladder it
 * reads against the hold and half-life, exactly). */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "escsim/engine.h"
#include "escsim/model.h"

enum { A, B, C };
enum { T_STRIKE, T_ROCKET, T_RAID };

/* C fires rockets at A; A blames B and plans a strike on B in 2 h, asking
 * the cell (latency 1 h, accuracy 0: answers repeat the suspicion). */
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
	cfg->horizon_h = 2000;
	esc_dist_free(&cfg->cell.latency_h);
	esc_dist_init(&cfg->cell.latency_h, ESC_DIST_CONSTANT, 1.0, 0, 0, NULL);
	cfg->cell.accuracy = 0;
}

/* The same world without rockets, for 100 hours: only what policies do. */
static void quiet_config(esc_config *cfg)
{
	config(cfg);
	cfg->generators[0].rate_per_h = 0;
	cfg->horizon_h = 100;
}

typedef struct tp {
	esc_reply_kind reply;          /* B's answer to requests */
	int reply_cancel;              /* A's on_cell_reply: -1 keep the engine's rule */
	int attribute_to_c;            /* A's attribute hook blames C */
	int notify;                    /* C's pre_operation */
	double tick_h;                 /* A's tick */
	int n_ticks, n_timers, n_events, n_begin, n_replies;
	int act_on_tick;               /* A strikes B on its own at every tick */
	double again_h;                /* > 0 or 0 with again: a timer sets itself again */
	int again;
	int query_again;               /* A's on_cell_reply queries again this many times */
	double ladder_seen;
	double first_rocket_h;
} tp;

static int begin(void *self, uint64_t rep, esc_error *err) { (void)rep; (void)err; ((tp *)self)->n_begin++; return 0; }
static double tick_h(void *self, int party) { return party == A ? ((tp *)self)->tick_h : 0; }

static int attribute(void *self, const esc_hook_ctx *ctx, const esc_observation *obs, double *p,
                     int *changed, esc_error *err)
{
	(void)ctx; (void)err;
	tp *t = self;
	if (obs->observer == A && t->attribute_to_c) {
		p[A] = p[B] = 0;
		p[C] = 1;
		*changed = 1;
	}
	return 0;
}

static int observe(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                   esc_decision *out, esc_error *err)
{
	(void)self; (void)err;
	assert_int_equal(ctx->party, obs->observer);
	assert_non_null(ctx->engine);
	if (obs->observer == A) {
		out->action = ESC_ACT_RETALIATE;
		out->type = T_STRIKE;
		out->delay_h = 2.0;
		out->query_cell = 1;
	}
	return 0;
}

static int on_request(void *self, const esc_hook_ctx *ctx, const esc_cell_request *req,
                      esc_cell_reply *out, esc_error *err)
{
	(void)err;
	tp *t = self;
	assert_int_equal(ctx->party, B);
	assert_int_equal(req->receiver, B);
	assert_int_equal(req->sender, A);
	assert_int_equal(req->culprit, C);
	assert_int_equal(req->suspected, t->attribute_to_c ? C : B);
	out->reply = t->reply;
	return 0;
}

static int on_reply(void *self, const esc_hook_ctx *ctx, const esc_cell_answer *ans, int *cancel,
                    esc_error *err)
{
	(void)err;
	tp *t = self;
	assert_int_equal(ctx->party, A);
	t->n_replies++;
	assert_true(ans->pending_target == (t->attribute_to_c ? C : B) || ans->pending_target == -1);
	if (t->reply_cancel >= 0)
		*cancel = t->reply_cancel;
	if (t->query_again > 0) {
		t->query_again--;
		esc_decision q = { .action = ESC_ACT_QUERY, .target = -1, .type = -1, .priority = 1 };
		return esc_engine_act(ctx->engine, A, &q, ans->event_id, err);
	}
	return 0;
}

static int pre_op(void *self, const esc_hook_ctx *ctx, const esc_operation *op, esc_notice *out,
                  esc_error *err)
{
	(void)ctx; (void)err;
	tp *t = self;
	if (op->actor == C && t->notify) {
		out->notify = 0;
		out->lead_h = 5;
	}
	return 0;
}

static int on_tick(void *self, const esc_hook_ctx *ctx, double dt, esc_error *err)
{
	tp *t = self;
	t->n_ticks++;
	assert_true(dt == t->tick_h);
	t->ladder_seen = esc_engine_ladder(ctx->engine, A, B);
	if (esc_engine_schedule(ctx->engine, ctx->party, 1.0, 42, err))
		return err->status;
	if (t->act_on_tick) {
		esc_decision d = { .action = ESC_ACT_RETALIATE, .target = B, .type = T_STRIKE,
		                   .zone = 0, .delay_h = 0, .priority = 1 };
		return esc_engine_act(ctx->engine, ctx->party, &d, -1, err);
	}
	return 0;
}

static int on_timer(void *self, const esc_hook_ctx *ctx, int64_t token, esc_error *err)
{
	(void)err;
	tp *t = self;
	assert_int_equal(token, 42);
	assert_int_equal(ctx->party, A);
	t->n_timers++;
	if (t->again && esc_engine_schedule(ctx->engine, ctx->party, t->again_h, 42, err))
		return err->status;
	return 0;
}

static int on_event(void *self, const esc_hook_ctx *ctx, const esc_event_row *ev, esc_error *err)
{
	(void)err;
	tp *t = self;
	assert_int_equal(ctx->party, -1);
	t->n_events++;
	if (ev->type == T_ROCKET && !(t->first_rocket_h <= ev->t_h))
		t->first_rocket_h = ev->t_h;
	return 0;
}

static const esc_policy_type full = {
	.name = "full", .begin = begin, .tick_h = tick_h, .attribute = attribute,
	.on_incident_observed = observe, .on_cell_request = on_request,
	.on_cell_reply = on_reply, .pre_operation = pre_op, .on_tick = on_tick,
	.on_event = on_event, .on_timer = on_timer,
};

static esc_run_row run(const esc_config *cfg, tp *t, int expect_status, esc_error *err)
{
	esc_model *m = esc_model_new(cfg, err);
	assert_non_null(m);
	esc_streams *s = esc_streams_new(NULL);
	esc_policy p = { &full, t };
	esc_run_row row;
	int st = esc_model_run(m, &p, s, 1, 0, &row, err);
	if (st != expect_status)
		fail_msg("status %d: %s", st, err->msg);
	esc_streams_free(s);
	esc_model_free(m);
	return row;
}

static void test_replies(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	esc_error err = {0};
	tp t = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1 };
	esc_run_row answer = run(&cfg, &t, 0, &err);
	int64_t rockets = answer.incidents - answer.retaliations;
	assert_true(rockets > 10);
	assert_int_equal(t.n_begin, 1);
	assert_int_equal(t.n_events, answer.events_total);
	assert_int_equal(t.n_replies, answer.cell_answered_before_deadline);
	/* Accuracy 0: the answers confirm the suspicion; every strike goes. */
	assert_int_equal(answer.misattributed_retaliations, answer.retaliations);
	assert_true(answer.retaliations >= rockets - 2);
	/* Shared intelligence names the culprit whatever the accuracy. */
	t = (tp){ .reply = ESC_REPLY_SHARE_INTEL, .reply_cancel = -1 };
	esc_run_row intel = run(&cfg, &t, 0, &err);
	assert_int_equal(intel.retaliations, 0);
	/* ...unless the sender decides to strike anyway. */
	t = (tp){ .reply = ESC_REPLY_SHARE_INTEL, .reply_cancel = 0 };
	esc_run_row stubborn = run(&cfg, &t, 0, &err);
	assert_int_equal(stubborn.retaliations, answer.retaliations);
	/* A denial names no one: the strike goes ahead. */
	t = (tp){ .reply = ESC_REPLY_DENY, .reply_cancel = -1 };
	esc_run_row deny = run(&cfg, &t, 0, &err);
	assert_int_equal(deny.retaliations, answer.retaliations);
	/* A commitment to enforce: B raids C instead of A striking B. */
	t = (tp){ .reply = ESC_REPLY_COMMIT_ENFORCE, .reply_cancel = -1 };
	cfg.cell.enforce_type = T_RAID;
	esc_run_row enforce = run(&cfg, &t, 0, &err);
	assert_int_equal(enforce.misattributed_retaliations, 0);
	assert_int_equal(enforce.cell_enforcements, enforce.retaliations);
	assert_true(enforce.cell_enforcements > 0);
	/* A refusal: no answer at all. */
	t = (tp){ .reply = ESC_REPLY_REFUSE, .reply_cancel = -1 };
	esc_run_row refuse = run(&cfg, &t, 0, &err);
	assert_int_equal(refuse.cell_refused, refuse.cell_requests);
	assert_int_equal(t.n_replies, 0);
	esc_config_free(&cfg);
}

/* A query made from on_cell_reply (sim.act) adds a message while the
 * answer it replies to is being read: the messages may move in memory
 * (make asan sees a read of the old ones), and every query is counted
 * once.  Accuracy 0: no answer calls a strike off, so the strikes are
 * those of the run without the extra queries. */
static void test_query_from_reply(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	esc_error err = {0};
	tp t = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1 };
	esc_run_row plain = run(&cfg, &t, 0, &err);
	t = (tp){ .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .query_again = 300 };
	esc_run_row again = run(&cfg, &t, 0, &err);
	int64_t rockets = again.incidents - again.retaliations;
	assert_int_equal(t.query_again, 0);
	assert_int_equal(again.cell_requests, rockets + 300);
	assert_int_equal(t.n_replies, again.cell_answered_before_deadline);
	assert_int_equal(again.retaliations, plain.retaliations);
	assert_int_equal(again.misattributed_retaliations, plain.misattributed_retaliations);
	esc_config_free(&cfg);
}

static void test_attribute_and_pre_operation(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	esc_error err = {0};
	/* Blaming C (rightly): strikes on C, none misattributed. */
	tp t = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .attribute_to_c = 1 };
	esc_run_row r = run(&cfg, &t, 0, &err);
	assert_true(r.retaliations > 0);
	assert_int_equal(r.misattributed_retaliations, 0);
	/* C's operations are planned 5 h ahead (not notified): none can happen
	 * in the first 5 hours, and the first one comes 5 h after its arrival. */
	tp u = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .notify = 1, .first_rocket_h = NAN };
	esc_run_row late = run(&cfg, &u, 0, &err);
	tp v = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .first_rocket_h = NAN };
	run(&cfg, &v, 0, &err);
	assert_true(late.incidents > late.retaliations);
	assert_int_equal(late.notices_sent, 0);
	assert_true(fabs(u.first_rocket_h - (v.first_rocket_h + 5)) < 1e-9);
	esc_config_free(&cfg);
}

/* esc_policy_type.hooks: a party's hook whose bit is clear is never called
 * (and, returning the defaults, leaving it out changes nothing); every
 * other call is made as before. */
typedef struct counting {
	unsigned mask[3];
	int calls[ESC_N_HOOKS][3];
} counting;

static unsigned cnt_hooks(void *self, int party) { return ((counting *)self)->mask[party]; }

static void counted(void *self, const esc_hook_ctx *ctx, esc_hook h)
{
	counting *c = self;
	assert_true(ctx->party >= A && ctx->party <= C);
	assert_non_null(ctx->rng);
	assert_true(c->mask[ctx->party] & ESC_HOOK_BIT(h));
	c->calls[h][ctx->party]++;
}

static int cnt_attribute(void *self, const esc_hook_ctx *ctx, const esc_observation *obs, double *p,
                         int *changed, esc_error *err)
{
	(void)obs; (void)p; (void)changed; (void)err;
	counted(self, ctx, ESC_HOOK_ATTRIBUTE);
	return 0;
}

static int cnt_observe(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                       esc_decision *out, esc_error *err)
{
	counted(self, ctx, ESC_HOOK_OBSERVED);
	return observe(self, ctx, obs, out, err);
}

static int cnt_request(void *self, const esc_hook_ctx *ctx, const esc_cell_request *req,
                       esc_cell_reply *out, esc_error *err)
{
	(void)req; (void)out; (void)err;
	counted(self, ctx, ESC_HOOK_CELL_REQUEST);
	return 0;
}

static int cnt_reply(void *self, const esc_hook_ctx *ctx, const esc_cell_answer *ans, int *cancel,
                     esc_error *err)
{
	(void)ans; (void)cancel; (void)err;
	counted(self, ctx, ESC_HOOK_CELL_REPLY);
	return 0;
}

static int cnt_pre_op(void *self, const esc_hook_ctx *ctx, const esc_operation *op, esc_notice *out,
                      esc_error *err)
{
	(void)op; (void)out; (void)err;
	counted(self, ctx, ESC_HOOK_PRE_OPERATION);
	return 0;
}

static const esc_policy_type masked = {
	.name = "masked", .attribute = cnt_attribute, .on_incident_observed = cnt_observe,
	.on_cell_request = cnt_request, .on_cell_reply = cnt_reply, .pre_operation = cnt_pre_op,
	.hooks = cnt_hooks,
};

static esc_run_row run_masked(const esc_config *cfg, counting *c)
{
	esc_error err = {0};
	esc_model *m = esc_model_new(cfg, &err);
	esc_streams *s = esc_streams_new(NULL);
	assert_non_null(m);
	esc_policy p = { &masked, c };
	esc_run_row row;
	if (esc_model_run(m, &p, s, 1, 0, &row, &err))
		fail_msg("%s", err.msg);
	esc_streams_free(s);
	esc_model_free(m);
	return row;
}

static void test_hook_mask(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	counting all = { { ~0u, ~0u, ~0u }, { { 0 } } };
	esc_run_row r1 = run_masked(&cfg, &all);
	assert_true(all.calls[ESC_HOOK_ATTRIBUTE][A] > 10);
	assert_true(all.calls[ESC_HOOK_OBSERVED][A] > 10);
	assert_true(all.calls[ESC_HOOK_OBSERVED][B] > 10);      /* A's strikes */
	assert_true(all.calls[ESC_HOOK_CELL_REQUEST][B] > 10);
	assert_true(all.calls[ESC_HOOK_CELL_REPLY][A] > 10);
	assert_true(all.calls[ESC_HOOK_PRE_OPERATION][C] > 10);
	assert_int_equal(all.calls[ESC_HOOK_OBSERVED][A], r1.incidents - r1.retaliations);

	/* A without attribute, B with on_incident_observed alone, C with
	 * nothing: those calls go, the rest are made exactly as before, and
	 * the replication is the same. */
	counting some = { { ~0u & ~ESC_HOOK_BIT(ESC_HOOK_ATTRIBUTE), ESC_HOOK_BIT(ESC_HOOK_OBSERVED), 0 },
	                  { { 0 } } };
	esc_run_row r2 = run_masked(&cfg, &some);
	for (int h = 0; h < ESC_N_HOOKS; h++)
		for (int p = A; p <= C; p++) {
			int kept = (some.mask[p] >> h) & 1u;
			assert_int_equal(some.calls[h][p], kept ? all.calls[h][p] : 0);
		}
	assert_int_equal(r2.events_total, r1.events_total);
	assert_int_equal(r2.retaliations, r1.retaliations);
	assert_int_equal(r2.misattributed_retaliations, r1.misattributed_retaliations);
	assert_int_equal(r2.cell_requests, r1.cell_requests);
	assert_int_equal(r2.fatalities_mil + r2.fatalities_civ, r1.fatalities_mil + r1.fatalities_civ);

	/* Without on_incident_observed A decides nothing: no strikes. */
	counting blind = { { ~0u & ~ESC_HOOK_BIT(ESC_HOOK_OBSERVED), ~0u, ~0u }, { { 0 } } };
	esc_run_row r3 = run_masked(&cfg, &blind);
	assert_int_equal(blind.calls[ESC_HOOK_OBSERVED][A], 0);
	assert_int_equal(r3.retaliations, 0);
	assert_int_equal(r3.incidents, r1.incidents - r1.retaliations);
	esc_config_free(&cfg);
}

static void test_ticks_timers_and_acts(void **state)
{
	(void)state;
	esc_config cfg;
	quiet_config(&cfg);
	esc_error err = {0};
	tp t = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .tick_h = 10 };
	esc_run_row r = run(&cfg, &t, 0, &err);
	assert_int_equal(t.n_ticks, 10);             /* at 10, 20, ..., 100 */
	assert_int_equal(t.n_timers, 9);             /* 1 h later, before 100 */
	assert_int_equal(r.incidents, 0);
	/* A strikes B on its own at every tick; B (blamed for nothing)
	 * observes, and A's ladder towards B climbs. */
	tp u = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .tick_h = 10, .act_on_tick = 1 };
	r = run(&cfg, &u, 0, &err);
	assert_int_equal(r.retaliations, 10);
	assert_int_equal(r.misattributed_retaliations, 0);
	assert_true(u.ladder_seen >= 5);
	esc_config_free(&cfg);
}

/* A policy that loops in simulated time is stopped by the kernel's guard
 * with the limit's key in the message, and a signal's flag stops a run. */
static void test_runaway_guards(void **state)
{
	(void)state;
	esc_config cfg;
	quiet_config(&cfg);
	esc_error err = {0};
	/* The timer set at the first tick (10 h), due at 11 h, sets itself
	 * again with no delay. */
	tp t = { .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .tick_h = 10, .again = 1 };
	run(&cfg, &t, ESC_ERR_INPUT, &err);
	assert_string_equal(err.msg, "replication 0, t=11.000 h: more than 100000 simulation steps at this "
	                    "one time (limits.steps_per_instant): a loop in zero time, such as "
	                    "sim.schedule(0, f) from f, or sim.wait(0) in a loop?");
	assert_true(t.n_timers > 100000 && t.n_timers <= 100000 + 2048);
	/* With a delay of 1e-3 h the clock moves, and the run stops at the
	 * step limit: exactly max_steps events. */
	cfg.max_steps = 20000;
	t = (tp){ .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .tick_h = 10, .again = 1, .again_h = 1e-3 };
	run(&cfg, &t, ESC_ERR_INPUT, &err);
	assert_non_null(strstr(err.msg, "more than 20000 simulation steps in one replication (limits.steps): "
	                       "a loop that never ends"));
	/* The host's signal flag: interrupted, whatever else. */
	esc_model *m = esc_model_new(&cfg, &err);
	assert_non_null(m);
	volatile sig_atomic_t flag = 2;
	esc_model_set_interrupt(m, &flag);
	esc_streams *s = esc_streams_new(NULL);
	t = (tp){ .reply = ESC_REPLY_ANSWER, .reply_cancel = -1, .tick_h = 10, .again = 1, .again_h = 1e-3 };
	esc_policy p = { &full, &t };
	esc_run_row row;
	assert_int_equal(esc_model_run(m, &p, s, 1, 0, &row, &err), ESC_ERR_INTERRUPTED);
	assert_non_null(strstr(err.msg, "interrupted by a signal"));
	assert_true(t.n_timers <= 1024);
	esc_streams_free(s);
	esc_model_free(m);
	esc_config_free(&cfg);
}

/* The ladder as the engine reads it: A strikes B once, at its first tick
 * (10 h), and reads its level towards B at every tick.  The strike lifts
 * the pair to the strike's rung, 5; the level holds for hold_h = 4 h, then
 * halves every half-life, 8 h: at t >= 14 it is 5 x 2^(-(t - 14) / 8). */
typedef struct ladder_reader {
	int n;
	double t[16], level[16];
} ladder_reader;

static double reader_tick_h(void *self, int party) { (void)self; return party == A ? 10 : 0; }

static int reader_tick(void *self, const esc_hook_ctx *ctx, double dt, esc_error *err)
{
	(void)dt;
	ladder_reader *r = self;
	assert_true(r->n < 16);
	r->t[r->n] = ctx->t_h;
	r->level[r->n] = esc_engine_ladder(ctx->engine, A, B);
	if (r->n++ > 0)
		return 0;
	esc_decision d = { .action = ESC_ACT_RETALIATE, .target = B, .type = T_STRIKE,
	                   .zone = 0, .delay_h = 0, .priority = 1 };
	return esc_engine_act(ctx->engine, A, &d, -1, err);
}

static const esc_policy_type reader = { .name = "reader", .tick_h = reader_tick_h, .on_tick = reader_tick };

static void test_ladder_read_decays(void **state)
{
	(void)state;
	esc_config cfg;
	config(&cfg);
	cfg.generators[0].rate_per_h = 0;
	cfg.horizon_h = 100;
	cfg.ladder.hold_h = 4;
	cfg.ladder.half_life_h = 8;
	esc_error err = {0};
	esc_model *m = esc_model_new(&cfg, &err);
	assert_non_null(m);
	esc_streams *s = esc_streams_new(NULL);
	ladder_reader r = {0};
	esc_policy p = { &reader, &r };
	esc_run_row row;
	if (esc_model_run(m, &p, s, 1, 0, &row, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.n, 10);                   /* at 10, 20, ..., 100 */
	assert_int_equal(row.max_level, 5);
	assert_true(r.level[0] == 0);                /* read before the strike */
	for (int i = 1; i < r.n; i++) {
		double want = 5 * exp2(-(r.t[i] - 14) / 8);
		if (!(fabs(r.level[i] - want) <= 1e-12 * want))
			fail_msg("level at %g h: %.15g, expected 5 x 2^(-(t - 14) / 8) = %.15g",
			         r.t[i], r.level[i], want);
	}
	esc_streams_free(s);
	esc_model_free(m);
	esc_config_free(&cfg);
}

static void test_bad_acts(void **state)
{
	(void)state;
	esc_config cfg;
	quiet_config(&cfg);
	esc_error err = {0};
	esc_model *m = esc_model_new(&cfg, &err);
	esc_streams *s = esc_streams_new(NULL);
	esc_run_row row;
	assert_int_equal(esc_model_run(m, NULL, s, 1, 0, &row, &err), 0);
	/* Outside a run the engine is not to be used; within one, a query
	 * about nothing is refused with a message. */
	esc_decision q = { .action = ESC_ACT_QUERY, .priority = 1, .target = B, .zone = 0 };
	assert_int_equal(esc_engine_act((esc_engine *)m, A, &q, -1, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "a query must be about an incident"));
	assert_int_equal(esc_engine_schedule((esc_engine *)m, A, NAN, 1, &err), ESC_ERR_INPUT);
	assert_int_equal(esc_engine_log((esc_engine *)m, A, "", 1, &err), ESC_ERR_INPUT);
	esc_streams_free(s);
	esc_model_free(m);
	esc_config_free(&cfg);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_query_from_reply),
		cmocka_unit_test(test_attribute_and_pre_operation),
		cmocka_unit_test(test_hook_mask),
		cmocka_unit_test(test_ticks_timers_and_acts),
		cmocka_unit_test(test_runaway_guards),
		cmocka_unit_test(test_ladder_read_decays),
		cmocka_unit_test(test_bad_acts),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
