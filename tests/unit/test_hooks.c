/* test_hooks.c: Lua policies end to end, through esc_model_run.
 *
 * Small scenarios, written here as text, run one replication each with a
 * sink that keeps every event and every sim.log row; each test checks that
 * a hook fired where the model says, saw the right data, and that what it
 * answered took effect: attribute, on_incident_observed with the queries
 * (ladder, tension, regime, cell_up, recent), on_cell_request and
 * on_cell_reply, pre_operation, on_tick, on_event, triggers (probability,
 * repeatable, condition, order), sim.schedule and sim.cancel, processes
 * (sim.spawn, sim.wait: order of wake-ups), sim.act, errors that name the
 * replication and the simulated time, and reproducibility (the same seed
 * twice, and a replication again after others, give identical runs).
 * Run from the repository root (make test does).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "escsim/model.h"
#include "escsim/rng.h"
#include "escsim/scenario.h"

#define SEARCH "scenarios/?.lua;scenarios/lib/?.lua"

/* ---- a run and what it left ---------------------------------------------------- */

typedef struct logged {
	double t;
	int party;
	char key[32];
	double value;
} logged;

typedef struct run {
	esc_scenario *s;
	esc_config cfg;
	esc_policy pol;
	esc_model *m;
	esc_streams *streams;
	esc_run_row row;
	esc_error err;
	int rc;
	logged *log;
	size_t n_log, cap_log;
	esc_event_row *ev;
	size_t n_ev, cap_ev;
} run;

static int sink_log(void *self, const esc_log_row *row, esc_error *err)
{
	(void)err;
	run *r = self;
	if (r->n_log == r->cap_log) {
		r->cap_log = r->cap_log ? 2 * r->cap_log : 256;
		r->log = realloc(r->log, r->cap_log * sizeof *r->log);
		assert_non_null(r->log);
	}
	logged *l = &r->log[r->n_log++];
	l->t = row->t_h;
	l->party = row->party;
	memcpy(l->key, row->key, sizeof l->key);
	l->value = row->value;
	return 0;
}

static int sink_event(void *self, const esc_event_row *row, esc_error *err)
{
	(void)err;
	run *r = self;
	if (r->n_ev == r->cap_ev) {
		r->cap_ev = r->cap_ev ? 2 * r->cap_ev : 256;
		r->ev = realloc(r->ev, r->cap_ev * sizeof *r->ev);
		assert_non_null(r->ev);
	}
	r->ev[r->n_ev++] = *row;
	return 0;
}

/* Load text as a scenario, build its arm, ready a model. */
static void open_run(run *r, const char *text)
{
	memset(r, 0, sizeof *r);
	esc_error err = {0};
	r->s = esc_scenario_load_buffer("hooks.lua", text, strlen(text), SEARCH, NULL, &err);
	if (!r->s)
		fail_msg("loading: %s", err.msg);
	if (esc_scenario_arm(r->s, NULL, 0, &r->cfg, &r->pol, &err))
		fail_msg("arm: %s", err.msg);
	r->m = esc_model_new(&r->cfg, &err);
	assert_non_null(r->m);
	esc_model_sink sink = {.self = r, .event = sink_event, .log = sink_log};
	esc_model_set_sink(r->m, &sink);
	r->streams = esc_streams_new(NULL);
	assert_non_null(r->streams);
}

/* Run replication rep (logs and events of earlier runs are dropped). */
static int rerun(run *r, uint64_t seed, uint64_t rep)
{
	r->n_log = r->n_ev = 0;
	memset(&r->err, 0, sizeof r->err);
	r->rc = esc_model_run(r->m, &r->pol, r->streams, seed, rep, &r->row, &r->err);
	return r->rc;
}

static void close_run(run *r)
{
	esc_model_free(r->m);
	esc_streams_free(r->streams);
	esc_config_free(&r->cfg);
	esc_scenario_free(r->s);
	free(r->log);
	free(r->ev);
}

/* Open and run replication 0 with seed 1; the run must succeed. */
static void run_ok(run *r, const char *text)
{
	open_run(r, text);
	if (rerun(r, 1, 0))
		fail_msg("run: %s", r->err.msg);
}

static void run_fails(const char *text, uint64_t rep, const char *fragment)
{
	run r;
	open_run(&r, text);
	int rc = rerun(&r, 1, rep);
	if (rc == 0)
		fail_msg("the run succeeded, expected an error with \"%s\"", fragment);
	if (!strstr(r.err.msg, fragment))
		fail_msg("expected \"%s\" in \"%s\"", fragment, r.err.msg);
	close_run(&r);
}

static size_t count_key(const run *r, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_log; i++)
		n += strcmp(r->log[i].key, key) == 0;
	return n;
}

/* The i-th (0-based) row logged under key. */
static const logged *nth(const run *r, const char *key, size_t i)
{
	for (size_t k = 0; k < r->n_log; k++)
		if (strcmp(r->log[k].key, key) == 0 && i-- == 0)
			return &r->log[k];
	fail_msg("no row %zu logged under '%s'", i, key);
	return NULL;
}

static double value_of(const run *r, const char *key)
{
	return nth(r, key, 0)->value;
}

/* Three parties: C (a non-state group) fires rockets at A, A blames B (the
 * confusion matrix says so, always) unless a hook says otherwise. */
#define HEAD \
	"return scenario {\n" \
	"  name = 'hooks', horizon = days(30),\n" \
	"  parties = {{name = 'A'}, {name = 'B'}, {name = 'C', kind = 'nonstate'}},\n" \
	"  zones = {'Z', 'Y'},\n" \
	"  types = {rocket = {level = 6}, strike = {level = 5}, raid = {level = 4}},\n" \
	"  incidents = {{actor = 'C', target = 'A', type = 'rocket', zone = 'Z', rate = per_day(0.5)}},\n" \
	"  attribution = {delay = 0.25, confusion = {A = {C = {B = 1}}}},\n"
#define TAIL "}\n"

static int setup(void **state)
{
	(void)state;
	gsl_set_error_handler_off();
	return 0;
}

/* ---- each hook --------------------------------------------------------------------- */

static void test_attribute(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  policies = {A = {\n"
		"    attribute = function(self, inc, prior)\n"
		"      sim.log('prior_B', prior.B)\n"
		"      sim.log('prior_C', prior.C or 0)\n"
		"      sim.log('has_perpetrator', inc.perpetrator ~= nil)\n"
		"      sim.log('level', inc.level)\n"
		"      sim.log('same_now', inc.now == sim.now())\n"
		"      return {C = 0.75, B = 0.25}\n"
		"    end,\n"
		"    on_incident_observed = function(self, inc)\n"
		"      sim.log(inc.perpetrator == 'C' and 'blamed_C' or 'blamed_B', 1)\n"
		"    end,\n"
		"  }},\n" TAIL);
	size_t n = count_key(&r, "prior_B");
	assert_true(n > 5);
	assert_true(value_of(&r, "prior_B") == 1);
	assert_true(value_of(&r, "prior_C") == 0);
	assert_true(value_of(&r, "has_perpetrator") == 0);   /* what is being decided */
	assert_true(value_of(&r, "level") == 6);
	assert_true(value_of(&r, "same_now") == 1);
	/* the hook's vector replaced the matrix: C is blamed some of the time
	 * (drawn with the incident's own uniform) */
	size_t c = count_key(&r, "blamed_C"), b = count_key(&r, "blamed_B");
	assert_int_equal(c + b, n);
	assert_true(c > 0);
	assert_true(c >= b);
	close_run(&r);

	run_fails(HEAD "  policies = {A = {attribute = function() return {B = 0.5, C = 0.4} end}},\n" TAIL, 0,
	          "hooks.lua:8: policies.A.attribute returned probabilities summing to 0.9: expected a sum of 1");
	run_fails(HEAD "  policies = {A = {attribute = function() return {A = 1} end}},\n" TAIL, 0,
	          "policies.A.attribute returned A: the observer itself; a party does not blame itself");
	run_fails(HEAD "  policies = {A = {attribute = function() return {Q = 1} end}},\n" TAIL, 0,
	          "policies.A.attribute returned ['Q']: expected party names as keys (one of A, B, C)");
	run_fails(HEAD "  policies = {A = {attribute = function() return {B = -0.5, C = 1.5} end}},\n" TAIL, 0,
	          "policies.A.attribute returned B=-0.5: expected a probability in [0, 1]");
	run_fails(HEAD "  policies = {A = {attribute = function() return 'C' end}},\n" TAIL, 0,
	          "policies.A.attribute returned 'C': expected nil (keep the confusion matrix) or a table {PARTY = probability, ...}");
}

static void test_observed_and_queries(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  regime = {states = {'calm', 'crisis'}, initial = 'calm', rates = {calm = {crisis = 0}, crisis = {calm = 0}},\n"
		"            shocks = {{at = days(10), state = 'crisis'}}},\n"
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
		"  policies = {A = {\n"
		"    on_incident_observed = function(self, inc)\n"
		"      sim.log('ladder_ok', sim.ladder('A', 'B') == inc.ladder)\n"
		"      sim.log('tension_ok', sim.tension('B', 'A') == math.max(sim.ladder('A', 'B'), sim.ladder('B', 'A')))\n"
		"      sim.log('crisis', sim.regime() == 'crisis')\n"
		"      sim.log('regime_t', sim.now())\n"
		"      sim.log('cell_up', sim.cell_up())\n"
		"      sim.log('cell_up_C', sim.cell_up('C'))\n"
		"      local rec = sim.recent(math.huge)\n"
		"      sim.log('recent', #rec)\n"
		"      sim.log('recent_last_is_inc', rec[#rec].id == inc.id or rec[#rec].t >= inc.t)\n"
		"      sim.log('recent_ordered', #rec < 2 or rec[#rec - 1].t <= rec[#rec].t)\n"
		"      sim.log('recent_none', #sim.recent(0.0001))\n"
		"      sim.log('party_is_A', sim.party() == 'A')\n"
		"      sim.log('rep', sim.rep())\n"
		"      return {action = 'retaliate', type = 'strike', delay = 1}\n"
		"    end,\n"
		"  }},\n" TAIL);
	size_t n = count_key(&r, "ladder_ok");
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(nth(&r, "ladder_ok", i)->value == 1);
		assert_true(nth(&r, "tension_ok", i)->value == 1);
		assert_true(nth(&r, "crisis", i)->value == (nth(&r, "regime_t", i)->value >= 240));
		assert_true(nth(&r, "cell_up", i)->value == 1);
		assert_true(nth(&r, "cell_up_C", i)->value == 0);      /* not a member */
		assert_true(nth(&r, "recent_ordered", i)->value == 1);
		assert_true(nth(&r, "recent_none", i)->value == 0);
		assert_true(nth(&r, "party_is_A", i)->value == 1);
		assert_true(nth(&r, "rep", i)->value == 0);
		assert_int_equal(nth(&r, "ladder_ok", i)->party, 0);
	}
	assert_true(value_of(&r, "recent") >= 1);
	/* every observation struck back, but perhaps the last, past the horizon */
	assert_true(r.row.retaliations == (int64_t)n || r.row.retaliations == (int64_t)n - 1);
	close_run(&r);
}

static void test_cell_hooks(void **state)
{
	(void)state;
	const char *scen = HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1, accuracy = 1},\n"
		"  policies = {\n"
		"    A = {\n"
		"      choice = false,\n"
		"      on_incident_observed = function(self, inc)\n"
		"        return {action = 'retaliate', type = 'strike', delay = 3, query = true}\n"
		"      end,\n"
		"      on_cell_reply = function(self, ans)\n"
		"        sim.log('channel_cell', ans.channel == 'cell')\n"
		"        sim.log('named_C', ans.named == 'C')\n"
		"        sim.log('pending_B', ans.pending_target == 'B')\n"
		"        sim.log('strike_in', ans.strike_time - sim.now())\n"
		"        sim.log('engine_cancel', ans.cancel)\n"
		"        sim.log('reply_' .. ans.reply, 1)\n"
		"        return self.choice or nil\n"
		"      end,\n"
		"    },\n"
		"    B = {\n"
		"      reply = 'answer',\n"
		"      on_cell_request = function(self, req)\n"
		"        sim.log('kind_query', req.kind == 'query')\n"
		"        sim.log('sender_A', req.sender == 'A' and req.receiver == 'B')\n"
		"        sim.log('suspected_B', req.suspected == 'B')\n"
		"        sim.log('culprit_C', req.culprit == 'C')\n"
		"        sim.log('deadline_in', req.deadline - sim.now())\n"
		"        sim.log('has_ids', req.message_id ~= nil and req.event_id ~= nil)\n"
		"        return {reply = self.reply, delay = 0.5}\n"
		"      end,\n"
		"    },\n"
		"  },\n" TAIL;
	run r;
	run_ok(&r, scen);
	size_t n = count_key(&r, "kind_query");
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(nth(&r, "kind_query", i)->value == 1);
		assert_true(nth(&r, "sender_A", i)->value == 1);
		assert_true(nth(&r, "suspected_B", i)->value == 1);
		assert_true(nth(&r, "culprit_C", i)->value == 1);
		assert_true(fabs(nth(&r, "deadline_in", i)->value - 3) < 1e-9);
		assert_true(nth(&r, "has_ids", i)->value == 1);
		assert_int_equal(nth(&r, "kind_query", i)->party, 1);   /* the receiver's hook */
	}
	/* answers (after 1 h + 0.5 h) name C, in time: the engine calls the
	 * strike on B off, and nothing is struck */
	assert_int_equal(count_key(&r, "reply_answer"), n);
	assert_true(value_of(&r, "named_C") == 1);
	assert_true(value_of(&r, "pending_B") == 1);
	assert_true(fabs(value_of(&r, "strike_in") - 1.5) < 1e-9);
	assert_true(value_of(&r, "engine_cancel") == 1);
	assert_int_equal(nth(&r, "named_C", 0)->party, 0);
	assert_int_equal(r.row.retaliations, 0);
	close_run(&r);

	/* A proceeds whatever the answer: every strike happens */
	run_ok(&r, HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1, accuracy = 1},\n"
		"  policies = {A = {\n"
		"    on_incident_observed = function() return {action = 'retaliate', type = 'strike', delay = 3, query = true} end,\n"
		"    on_cell_reply = function() return 'proceed' end}},\n" TAIL);
	assert_true(r.row.retaliations > 5);
	assert_int_equal(r.row.retaliations, r.row.misattributed_retaliations);
	close_run(&r);

	/* B denies: the answer names no one, nothing is called off */
	run_ok(&r, HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1, accuracy = 1},\n"
		"  policies = {A = {\n"
		"    on_incident_observed = function() return {action = 'retaliate', type = 'strike', delay = 3, query = true} end,\n"
		"    on_cell_reply = function(self, ans) sim.log('named', ans.named ~= nil); sim.log('deny', ans.reply == 'deny') end},\n"
		"    B = {on_cell_request = function() return {reply = 'deny'} end}},\n" TAIL);
	assert_true(r.row.retaliations > 5);
	assert_true(value_of(&r, "named") == 0);
	assert_true(value_of(&r, "deny") == 1);
	close_run(&r);

	/* refusals, and bad answers */
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'B'}},\n"
	          "  policies = {A = {on_incident_observed = function() return {action = 'query'} end},\n"
	          "              B = {on_cell_request = function() return {reply = 'ack'} end}},\n" TAIL, 0,
	          "hooks.lua:10: policies.B.on_cell_request returned reply='ack': expected one of answer, deny, share_intel, commit_enforce, refuse");
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'B'}},\n"
	          "  policies = {A = {on_incident_observed = function() return {action = 'query'} end},\n"
	          "              B = {on_cell_request = function() return {delay = -1} end}},\n" TAIL, 0,
	          "policies.B.on_cell_request returned delay=-1: expected a number of hours >= 0");
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'B'}},\n"
	          "  policies = {A = {on_incident_observed = function() return {action = 'query'} end},\n"
	          "              B = {on_cell_request = function() return {replay = 'deny'} end}},\n" TAIL, 0,
	          "policies.B.on_cell_request returned unknown field 'replay' (did you mean 'reply'?)");
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
	          "  policies = {A = {on_incident_observed = function() return {action = 'query'} end,\n"
	          "                   on_cell_reply = function() return 'abort' end}},\n" TAIL, 0,
	          "policies.A.on_cell_reply returned 'abort': expected nil (the engine's rule), 'cancel', 'proceed' or {cancel = true/false}");
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
	          "  policies = {A = {on_incident_observed = function() return {action = 'query'} end,\n"
	          "                   on_cell_reply = function() return {cancel = 1} end}},\n" TAIL, 0,
	          "policies.A.on_cell_reply returned cancel=1: expected true or false");
}

static void test_pre_operation(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  cell = {enabled = true, parties = {'A', 'C'}, latency = minutes(1),\n"
		"          notify = {party = 'C', lead = 0, need = minutes(30)}},\n"
		"  policies = {C = {\n"
		"    pre_operation = function(self, op)\n"
		"      sim.log('fields', op.actor == 'C' and op.target == 'A' and op.type == 'rocket' and op.zone == 'Z')\n"
		"      sim.log('default_notify', op.notify)\n"
		"      sim.log('default_lead', op.lead)\n"
		"      self.n = (self.n or 0) + 1\n"
		"      if self.n % 2 == 0 then return {notify = false} end\n"
		"      return {notify = true, lead = hours(2)}\n"
		"    end,\n"
		"  }},\n" TAIL);
	size_t n = count_key(&r, "fields");
	assert_true(n > 5);
	assert_true(value_of(&r, "fields") == 1);
	assert_true(value_of(&r, "default_notify") == 1);
	assert_true(value_of(&r, "default_lead") == 0);
	/* every other operation notified, two hours ahead: all deconflicted */
	assert_int_equal(r.row.notices_sent, (int64_t)(n + 1) / 2);
	assert_true(r.row.notices_in_time >= r.row.notices_sent - 1);
	assert_int_equal(r.row.notices_too_late + r.row.notices_undelivered, 0);
	close_run(&r);

	run_fails(HEAD "  policies = {C = {pre_operation = function() return {lead = 'soon'} end}},\n" TAIL, 0,
	          "hooks.lua:8: policies.C.pre_operation returned lead='soon': expected a number of hours >= 0");
	run_fails(HEAD "  policies = {C = {pre_operation = function() return {notify = 'yes'} end}},\n" TAIL, 0,
	          "policies.C.pre_operation returned notify='yes': expected true or false");
	run_fails(HEAD "  policies = {C = {pre_operation = function() return {notfy = true} end}},\n" TAIL, 0,
	          "policies.C.pre_operation returned unknown field 'notfy' (did you mean 'notify'?)");
	run_fails(HEAD "  policies = {C = {pre_operation = function() return true end}},\n" TAIL, 0,
	          "policies.C.pre_operation returned true: expected nil (the scenario's cell.notify) or a table");
}

static void test_tick_and_act(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  policies = {B = {\n"
		"    tick = days(1),\n"
		"    on_tick = function(self, dt)\n"
		"      sim.log('tick', dt)\n"
		"      sim.act{action = 'protest', target = 'A', zone = 'Y'}\n"
		"    end,\n"
		"  }},\n" TAIL);
	assert_int_equal(count_key(&r, "tick"), 30);   /* days 1..30 of 30 */
	for (size_t i = 0; i < 30; i++) {
		assert_true(nth(&r, "tick", i)->value == 24);
		assert_true(nth(&r, "tick", i)->t == 24.0 * (double)(i + 1));
		assert_int_equal(nth(&r, "tick", i)->party, 1);
	}
	size_t protests = 0;
	for (size_t i = 0; i < r.n_ev; i++)
		if (r.ev[i].kind == 1) {
			protests++;
			assert_int_equal(r.ev[i].actor, 1);
			assert_int_equal(r.ev[i].target, 0);
			assert_int_equal(r.ev[i].zone, 1);
		}
	assert_int_equal(protests, 30);
	close_run(&r);

	/* actions a tick cannot take, and answers it must not give */
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.act{action = 'retaliate', type = 'strike'} end}},\n" TAIL, 0,
	          "replication 0, t=1.000 h: hooks.lua:8: sim.act: action='retaliate' without target: expected target = a party (no event to aim at)");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.act{action = 'query'} end}},\n" TAIL, 0,
	          "hooks.lua:8: sim.act: action='query' about no event");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.act{action = 'retaliate', type = 'nuke', target = 'A', zone = 'Z'} end}},\n" TAIL, 0,
	          "hooks.lua:8: sim.act: type='nuke': expected a type name (one of raid, rocket, strike)");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.act{action = 'protest', target = 'B', zone = 'Z'} end}},\n" TAIL, 0,
	          "sim.act: target='B': a party cannot protest against itself");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() return {action = 'protest'} end}},\n" TAIL, 0,
	          "hooks.lua:8: policies.B.on_tick returned a table: expected nothing (on_tick acts through sim.act and keeps state in self)");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.log('bad key', 1) end}},\n" TAIL, 0,
	          "sim.log: argument 1: expected a name of 1 to 31 letters, digits and _, got 'bad key'");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.log('x', 0/0) end}},\n" TAIL, 0,
	          "sim.log: argument 2: expected a finite number or a boolean");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.ladder('A', 'Q') end}},\n" TAIL, 0,
	          "sim.ladder: unknown party 'Q' (known: A, B, C)");

	/* sim.act in on_incident_observed: about the incident, at the
	 * perceived perpetrator, in its zone, by default */
	run_ok(&r, HEAD
		"  policies = {A = {on_incident_observed = function(self, inc)\n"
		"    sim.act{action = 'retaliate', type = 'raid', delay = 2}\n"
		"  end}},\n" TAIL);
	assert_true(r.row.retaliations > 5);
	for (size_t i = 0; i < r.n_ev; i++)
		if (r.ev[i].cause == ESC_CAUSE_POLICY) {
			assert_int_equal(r.ev[i].actor, 0);
			assert_int_equal(r.ev[i].target, 1);
			assert_int_equal(r.ev[i].zone, 0);
			assert_int_equal(r.ev[i].type, 0);      /* raid */
			assert_true(r.ev[i].parent_id >= 0);
		}
	close_run(&r);
}

static void test_on_event(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  policies = {\n"
		"    A = {on_incident_observed = function() return {action = 'protest'} end},\n"
		"    B = {on_event = function(self, ev)\n"
		"      sim.log(ev.kind, ev.id)\n"
		"      sim.log('party', sim.party() == 'B')\n"
		"      if ev.kind == 'incident' then\n"
		"        sim.log('fields', ev.actor == 'C' and ev.target == 'A' and ev.type == 'rocket' and ev.zone == 'Z'\n"
		"                          and ev.perpetrator == 'C' and ev.perceived == 'B' and ev.cause == 'background'\n"
		"                          and ev.level == 6 and ev.t == sim.now())\n"
		"      else\n"
		"        sim.log('protest_fields', ev.actor == 'A' and ev.target == 'B' and ev.type == nil and ev.parent ~= nil)\n"
		"      end\n"
		"    end},\n"
		"  },\n" TAIL);
	size_t inc = count_key(&r, "incident"), pro = count_key(&r, "protest");
	assert_true(inc > 5);
	assert_int_equal(inc + pro, r.n_ev);
	for (size_t i = 0; i < r.n_ev; i++) {
		const logged *l = nth(&r, r.ev[i].kind ? "protest" : "incident", 0);
		(void)l;
	}
	/* in the order of the events log */
	size_t k = 0;
	for (size_t i = 0; i < r.n_log; i++)
		if (!strcmp(r.log[i].key, "incident") || !strcmp(r.log[i].key, "protest")) {
			assert_true(r.log[i].value == (double)r.ev[k].id);
			k++;
		}
	assert_true(value_of(&r, "fields") == 1);
	assert_true(value_of(&r, "protest_fields") == 1);
	assert_true(value_of(&r, "party") == 1);
	close_run(&r);
}

/* Incidents and events are read-only records: fields as in a table, pairs
 * in key order, kept values stay as they were, assignment is an error. */
static void test_records(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  policies = {A = {\n"
		"    on_incident_observed = function(self, inc)\n"
		"      local keys = {}\n"
		"      for k, v in pairs(inc) do keys[#keys + 1] = k; assert(inc[k] == v) end\n"
		"      sim.log('keys', #keys)\n"
		"      sim.log('sorted', table.concat(keys, ',') == 'cause,cell_available,fatalities_civ,fatalities_mil,'\n"
		"        .. 'id,ladder,level,now,observer,perpetrator,t,type,zone' and 1 or 0)\n"
		"      sim.log('unknown_is_error', not pcall(function() return inc.nonsense end)\n"
		"        and not pcall(function() return inc[1] end) and not pcall(function() return inc.actor end))\n"
		"      sim.log('tostring', tostring(inc) == 'incident ' .. inc.id)\n"
		"      sim.log('type', type(inc) == 'userdata')\n"
		"      sim.log('metatable_hidden', getmetatable(inc) == 'incident')\n"
		"      sim.log('same_t', self.last == nil or self.last.t < inc.t)\n"
		"      sim.log('kept_intact', self.last == nil or self.last.id == self.last_id)\n"
		"      self.last, self.last_id = inc, inc.id\n"
		"    end,\n"
		"  }},\n" TAIL);
	size_t n = count_key(&r, "keys");
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(nth(&r, "keys", i)->value == 13);
		assert_true(nth(&r, "sorted", i)->value == 1);
		assert_true(nth(&r, "unknown_is_error", i)->value == 1);
		assert_true(nth(&r, "tostring", i)->value == 1);
		assert_true(nth(&r, "type", i)->value == 1);
		assert_true(nth(&r, "metatable_hidden", i)->value == 1);
		assert_true(nth(&r, "same_t", i)->value == 1);
		assert_true(nth(&r, "kept_intact", i)->value == 1);
	}
	close_run(&r);

	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc) inc.level = 1 end}},\n" TAIL, 0,
	          "hooks.lua:8: incident.level: incidents are read-only (copy the fields you need into a table of your own)");
	run_fails(HEAD "  policies = {B = {on_event = function(self, ev) ev.extra = true end}},\n" TAIL, 0,
	          "hooks.lua:8: event.extra: events are read-only");
	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc) return next(inc) end}},\n" TAIL, 0,
	          "hooks.lua:8: bad argument #1 to 'next' (table expected, got incident)");
	/* pairs' iterator, taken out and called on something else, still walks
	 * its own record (and does not read the other value as one) */
	run_ok(&r, HEAD "  policies = {A = {on_incident_observed = function(self, inc)\n"
	       "    local f = pairs(inc)\n"
	       "    local k1, v1 = f({}, nil)\n"
	       "    local k2 = f(exponential{mean = 1}, 'cause')\n"
	       "    sim.log('first', k1 == 'cause' and v1 == inc.cause and 1 or 0)\n"
	       "    sim.log('second', k2 == 'cell_available' and 1 or 0)\n"
	       "  end}},\n" TAIL);
	assert_true(count_key(&r, "first") > 0);
	assert_true(value_of(&r, "first") == 1);
	assert_true(value_of(&r, "second") == 1);
	close_run(&r);
}

/* Records are strict: a field the kind may lack reads as nil, any other
 * key is an error at the script's line with the replication, the time and
 * the nearest field; the same for every kind of record. */
static void test_strict_records(void **state)
{
	(void)state;
	run r;
	/* absent but known: an incident's perpetrator in attribute, a
	 * background event's parent, a request without a deadline */
	run_ok(&r, HEAD "  policies = {A = {\n"
	       "    attribute = function(self, inc) sim.log('no_perp', inc.perpetrator == nil and inc.ladder == nil) end,\n"
	       "    on_event = function(self, ev) if ev.cause == 'background' then sim.log('no_parent', ev.parent == nil) end end,\n"
	       "  }},\n" TAIL);
	assert_true(count_key(&r, "no_perp") > 5);
	for (size_t i = 0; i < count_key(&r, "no_perp"); i++)
		assert_true(nth(&r, "no_perp", i)->value == 1);
	assert_true(count_key(&r, "no_parent") > 5);
	assert_true(value_of(&r, "no_parent") == 1);
	close_run(&r);

	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc)\n"
	          "    return {action = 'retaliate', type = 'strike', target = inc.perpetrater} end}},\n" TAIL, 0,
	          "replication 0, t=");
	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc)\n"
	          "    return {action = 'retaliate', type = 'strike', target = inc.perpetrater} end}},\n" TAIL, 0,
	          "hooks.lua:9: incident has no field 'perpetrater' (did you mean 'perpetrator'?)");
	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc) return inc[1] end}},\n" TAIL, 0,
	          "hooks.lua:8: incident has no field [1] (its fields are names: incident.level, incident[\"zone\"])");
	run_fails(HEAD "  policies = {A = {on_incident_observed = function(self, inc) local x = inc.xyzzy end}},\n" TAIL, 0,
	          "hooks.lua:8: incident has no field 'xyzzy' (its fields: cause, cell_available, fatalities_civ, "
	          "fatalities_mil, id, ladder, level, now, observer, perpetrator, t, type, zone)");
	run_fails(HEAD "  policies = {B = {on_event = function(self, ev) local x = ev.perpetrator_id end}},\n" TAIL, 0,
	          "hooks.lua:8: event has no field 'perpetrator_id' (did you mean 'perpetrator'?)");
	run_fails(HEAD "  triggers = {{party = 'B', action = function(ev) local x = ev.cell_available end}},\n" TAIL, 0,
	          "hooks.lua:8: event has no field 'cell_available'");
	/* a record kept in self and read later, in another hook */
	run_fails(HEAD "  policies = {A = {tick = 24, on_incident_observed = function(self, inc) self.last = inc end,\n"
	          "    on_tick = function(self) if self.last then local x = self.last.levle end end}},\n" TAIL, 0,
	          "hooks.lua:9: incident has no field 'levle' (did you mean 'level'?)");

	/* messages: requests, answers and operations */
	const char *cell = "  cell = {enabled = true, parties = {'A', 'B'}, latency = 1, accuracy = 1},\n";
	char text[2048];
	snprintf(text, sizeof text, HEAD "%s"
	         "  policies = {A = {on_incident_observed = function() return {action = 'query'} end},\n"
	         "              B = {on_cell_request = function(self, req) return {reply = req.reply} end}},\n" TAIL, cell);
	run_fails(text, 0, "hooks.lua:10: request has no field 'reply' (its fields: culprit, deadline, event_id, kind, "
	          "message_id, now, receiver, sender, suspected)");
	snprintf(text, sizeof text, HEAD "%s"
	         "  policies = {A = {on_incident_observed = function() return {action = 'query'} end,\n"
	         "                   on_cell_reply = function(self, ans) return ans.canceled and 'cancel' end}},\n" TAIL, cell);
	run_fails(text, 0, "hooks.lua:10: answer has no field 'canceled' (did you mean 'cancel'?)");
	snprintf(text, sizeof text, HEAD "%s"
	         "  policies = {A = {on_incident_observed = function() return {action = 'query'} end},\n"
	         "              B = {on_cell_request = function(self, req) req.reply = 'deny' end}},\n" TAIL, cell);
	run_fails(text, 0, "hooks.lua:10: request.reply: requests are read-only");
	run_fails(HEAD "  cell = {enabled = true, parties = {'A', 'C'}, latency = 1, notify = {party = 'C', lead = 0, need = 1}},\n"
	          "  policies = {C = {pre_operation = function(self, op) return {lead = op.lead_h} end}},\n" TAIL, 0,
	          "hooks.lua:9: operation has no field 'lead_h' (did you mean 'lead'?)");
	/* pairs visits a message's fields in order, and tostring names it */
	snprintf(text, sizeof text, HEAD "%s"
	         "  policies = {A = {on_incident_observed = function() return {action = 'query'} end,\n"
	         "                   on_cell_reply = function(self, ans)\n"
	         "                     local keys = {}\n"
	         "                     for k in pairs(ans) do keys[#keys + 1] = k end\n"
	         "                     sim.log('answer_keys', table.concat(keys, ',') == 'cancel,channel,event_id,message_id,named,now,reply')\n"
	         "                     sim.log('answer_name', tostring(ans) == 'answer ' .. ans.message_id)\n"
	         "                   end},\n"
	         "              B = {on_cell_request = function(self, req)\n"
	         "                     sim.log('request_name', tostring(req) == 'request ' .. req.message_id and type(req) == 'userdata')\n"
	         "                   end}},\n" TAIL, cell);
	run_ok(&r, text);
	assert_true(count_key(&r, "answer_keys") > 5);
	assert_true(value_of(&r, "answer_keys") == 1);
	assert_true(value_of(&r, "answer_name") == 1);
	assert_true(value_of(&r, "request_name") == 1);
	close_run(&r);
}

/* ---- triggers ------------------------------------------------------------------------ */

static void test_triggers(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  triggers = {\n"
		"    {name = 'every', party = 'B', event = {type = 'rocket'},\n"
		"     action = function(ev, t) t.n = (t.n or 0) + 1; sim.log('every', t.n) end},\n"
		"    {name = 'once', party = 'B', event = {actor = 'C', target = 'A'}, repeatable = false,\n"
		"     action = function(ev) sim.log('once', ev.id) end},\n"
		"    {name = 'half', party = 'A', probability = 0.5, event = {zone = 'Z', cause = 'background', kind = 'incident'},\n"
		"     action = function(ev) sim.log('half', ev.id); sim.log('half_party', sim.party() == 'A') end},\n"
		"    {name = 'never', party = 'A', event = {type = 'raid'}, action = function() sim.log('never', 1) end},\n"
		"    {name = 'cond', party = 'A', condition = function(ev, t) return ev.id % 2 == 0 end,\n"
		"     action = function(ev) sim.log('even', ev.id) end},\n"
		"    {name = 'acts', party = 'A', event = {type = 'rocket'}, condition = function(ev) return ev.id < 4 end,\n"
		"     action = function(ev) sim.act{action = 'retaliate', type = 'strike', delay = 1} end},\n"
		"  },\n" TAIL);
	size_t n = count_key(&r, "every");
	assert_true(n > 10);
	/* trigger tables keep state within a replication */
	assert_true(nth(&r, "every", n - 1)->value == (double)n);
	assert_int_equal(count_key(&r, "once"), 1);
	assert_true(value_of(&r, "once") == 0);
	size_t half = count_key(&r, "half");
	assert_true(half > 0 && half < n);
	assert_true(value_of(&r, "half_party") == 1);
	assert_int_equal(count_key(&r, "never"), 0);
	for (size_t i = 0; i < count_key(&r, "even"); i++)
		assert_true(fmod(nth(&r, "even", i)->value, 2) == 0);
	/* four rockets among ids 0..3 at most; each triggered a strike on B
	 * (the rocket's actor is C: the default target of an act about it) */
	assert_true(r.row.retaliations >= 1);
	for (size_t i = 0; i < r.n_ev; i++)
		if (r.ev[i].cause == ESC_CAUSE_POLICY)
			assert_int_equal(r.ev[i].target, 2);
	/* in order: every trigger of an event before the next event's */
	size_t last_every = 0;
	for (size_t i = 0; i < r.n_log; i++) {
		if (!strcmp(r.log[i].key, "every"))
			last_every = i;
		if (!strcmp(r.log[i].key, "half"))
			assert_true(last_every < i);
	}

	/* the probability is drawn from the party's stream: the same seed gives
	 * the same draws, another seed others */
	double first[64];
	size_t nf = half < 64 ? half : 64;
	for (size_t i = 0; i < nf; i++)
		first[i] = nth(&r, "half", i)->value;
	assert_int_equal(rerun(&r, 1, 0), 0);
	assert_int_equal(count_key(&r, "half"), half);
	for (size_t i = 0; i < nf; i++)
		assert_true(nth(&r, "half", i)->value == first[i]);
	/* a non-repeatable trigger fires again in the next replication */
	assert_int_equal(rerun(&r, 1, 1), 0);
	assert_int_equal(count_key(&r, "once"), 1);
	assert_true(nth(&r, "every", 0)->value == 1);   /* fresh trigger tables */
	close_run(&r);

	run_fails(HEAD "  triggers = {{party = 'B', condition = function() return 1 end, action = function() end}},\n" TAIL, 0,
	          "replication 0, t=");
	run_fails(HEAD "  triggers = {{party = 'B', condition = function() return 1 end, action = function() end}},\n" TAIL, 0,
	          "hooks.lua:8: triggers[1] 'triggers[1]' condition returned 1: expected true or false");
	run_fails(HEAD "  triggers = {{name = 'x', party = 'B', action = function() return {action = 'protest'} end}},\n" TAIL, 0,
	          "hooks.lua:8: triggers[1] 'x' action returned a table: expected nothing (an action acts through sim.act)");
	run_fails(HEAD "  triggers = {{name = 'x', party = 'B', action = function() error('in the action') end}},\n" TAIL, 0,
	          "hooks.lua:8: in the action");
}

/* ---- timers and processes ---------------------------------------------------------- */

static void test_schedule(void **state)
{
	(void)state;
	run r;
	run_ok(&r, HEAD
		"  policies = {A = {\n"
		"    on_incident_observed = function(self, inc)\n"
		"      local t0 = sim.now()\n"
		"      sim.schedule(hours(5), function()\n"
		"        sim.log('later', sim.now() - t0)\n"
		"        sim.log('later_party', sim.party() == 'A')\n"
		"        sim.log('later_u', sim.random())\n"
		"      end)\n"
		"      local tok = sim.schedule(hours(1), function() sim.log('cancelled', 1) end)\n"
		"      sim.log('cancel', sim.cancel(tok))\n"
		"      sim.log('cancel_again', sim.cancel(tok))\n"
		"    end,\n"
		"  }},\n" TAIL);
	size_t n = count_key(&r, "later");
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(fabs(nth(&r, "later", i)->value - 5) < 1e-9);
		assert_int_equal(nth(&r, "later", i)->party, 0);
	}
	assert_true(value_of(&r, "later_party") == 1);
	assert_int_equal(count_key(&r, "cancelled"), 0);
	assert_true(value_of(&r, "cancel") == 1);
	assert_true(value_of(&r, "cancel_again") == 0);
	close_run(&r);

	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.schedule(-1, function() end) end}},\n" TAIL, 0,
	          "sim.schedule: argument 1: expected a number of hours >= 0, got -1");
	run_fails(HEAD "  policies = {B = {tick = 1, on_tick = function() sim.schedule(1, 'f') end}},\n" TAIL, 0,
	          "sim.schedule: argument 2: expected a function to call later, got string");
	/* an error in a scheduled function names its line and the time it ran */
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.schedule(2.5, function()\n"
	          "    error('late failure') end) end}},\n" TAIL, 0,
	          "replication 0, t=12.500 h: hooks.lua:9: late failure");
}

static void test_processes(void **state)
{
	(void)state;
	run r;
	/* two processes started together interleave by their waits; a third
	 * starts later; wake-ups come in time order, ties in the order the
	 * waits were made */
	run_ok(&r, HEAD
		"  incidents = {},\n"
		"  policies = {B = {tick = days(100), on_tick = function() end,\n"
		"    on_event = function() end,\n"
		"  }},\n"
		"  triggers = {{name = 'start', party = 'B', event = {kind = 'protest'}, action = function() end}},\n"
		"}\n");
	close_run(&r);
	run_ok(&r, HEAD
		"  policies = {A = {\n"
		"    on_incident_observed = function(self, inc)\n"
		"      if self.started then return end\n"
		"      self.started = true\n"
		"      local t0 = sim.now()\n"
		"      sim.spawn(function(name, step)\n"
		"        for i = 1, 3 do sim.wait(step); sim.log(name, sim.now() - t0) end\n"
		"      end, 'p1', 1)\n"
		"      sim.spawn(function(name, step)\n"
		"        for i = 1, 3 do sim.wait(step); sim.log(name, sim.now() - t0) end\n"
		"      end, 'p2', 1.5)\n"
		"      sim.spawn(function() sim.log('p3_start', sim.now() - t0); sim.wait(0); sim.log('p3', sim.now() - t0) end)\n"
		"      sim.log('spawned', sim.now() - t0)\n"
		"    end,\n"
		"  }},\n" TAIL);
	/* expected order: p3_start (at once), spawned, p3 (0), p1 1, p2 1.5,
	 * p1 2, p2 3 and p1 3 (p2's wait was made at 1.5, p1's at 2: p2
	 * first), p2 4.5 */
	const char *want_k[] = {"p3_start", "spawned", "p3", "p1", "p2", "p1", "p2", "p1", "p2"};
	double want_v[] = {0, 0, 0, 1, 1.5, 2, 3, 3, 4.5};
	size_t k = 0;
	for (size_t i = 0; i < r.n_log && k < 9; i++) {
		if (strcmp(r.log[i].key, want_k[k]) != 0)
			fail_msg("log row %zu: '%s', expected '%s'", i, r.log[i].key, want_k[k]);
		assert_true(fabs(r.log[i].value - want_v[k]) < 1e-9);
		assert_int_equal(r.log[i].party, 0);
		k++;
	}
	assert_int_equal(k, 9);
	close_run(&r);

	/* a process's error names its line, the replication and the time */
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.spawn(function()\n"
	          "    sim.wait(4)\n"
	          "    local x = nil; return x.field end) end}},\n" TAIL, 2,
	          "replication 2, t=14.000 h: hooks.lua:10: attempt to index a nil value (local 'x')");
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.spawn(function()\n"
	          "    sim.wait(1); error({}) end) end}},\n" TAIL, 0,
	          "t=11.000 h: hooks.lua:9: (error object is a table value)");
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.spawn(function()\n"
	          "    coroutine.yield(1) end) end}},\n" TAIL, 0,
	          "a process yielded without sim.wait");
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.wait(1) end}},\n" TAIL, 0,
	          "hooks.lua:8: sim.wait: only inside a process started with sim.spawn");
	run_fails(HEAD "  policies = {B = {tick = 10, on_tick = function() sim.spawn(function()\n"
	          "    while true do end end) end}},\n" TAIL, 0,
	          "hooks.lua:9: instruction budget of 10000000 exceeded (endless loop?)");
	/* a user coroutine inside a process still works */
	run r2;
	run_ok(&r2, HEAD "  policies = {B = {tick = 10, on_tick = function() sim.spawn(function()\n"
	       "    local co = coroutine.wrap(function() coroutine.yield(7) end)\n"
	       "    sim.wait(1); sim.log('co', co()) end) end}},\n" TAIL);
	assert_true(value_of(&r2, "co") == 7);
	close_run(&r2);
}

/* ---- nesting, reproducibility --------------------------------------------------------- */

static void test_nested_hooks(void **state)
{
	(void)state;
	run r;
	/* A's action (a query through the cell) runs B's on_cell_request at
	 * once, inside A's hook; both log, with their own party */
	run_ok(&r, HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
		"  policies = {\n"
		"    A = {on_incident_observed = function(self, inc)\n"
		"      sim.log('before', 1)\n"
		"      sim.act{action = 'query', priority = 'flash'}\n"
		"      sim.log('after', sim.party() == 'A')\n"
		"    end},\n"
		"    B = {on_cell_request = function(self, req) sim.log('inside', sim.party() == 'B') end},\n"
		"  },\n" TAIL);
	assert_true(count_key(&r, "inside") > 5);
	assert_true(strcmp(r.log[0].key, "before") == 0);
	assert_true(strcmp(r.log[1].key, "inside") == 0);
	assert_int_equal(r.log[1].party, 1);
	assert_true(strcmp(r.log[2].key, "after") == 0);
	assert_true(r.log[2].value == 1);
	assert_int_equal(r.log[2].party, 0);
	close_run(&r);

	/* the outer hook cannot escape its budget through nested calls */
	run_fails(HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
		"  policies = {\n"
		"    A = {on_incident_observed = function(self, inc)\n"
		"      while true do sim.act{action = 'query'} end\n"
		"    end},\n"
		"    B = {on_cell_request = function(self, req) end},\n"
		"  },\n" TAIL, 0, "instruction budget of 10000000 exceeded");
	/* a nested hook's error is the one reported */
	run_fails(HEAD
		"  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
		"  policies = {\n"
		"    A = {on_incident_observed = function(self, inc) sim.act{action = 'query'} end},\n"
		"    B = {on_cell_request = function(self, req) return {reply = 'maybe'} end},\n"
		"  },\n" TAIL, 0, "hooks.lua:11: policies.B.on_cell_request returned reply='maybe'");
}

static const char *const REPRO = HEAD
	"  cell = {enabled = true, parties = {'A', 'B'}, latency = lognormal{median = 1, sigma = 1}},\n"
	"  policies = {\n"
	"    A = {tick = 12,\n"
	"      on_tick = function(self) self.mood = (self.mood or 0) + sim.random() end,\n"
	"      on_incident_observed = function(self, inc)\n"
	"        local keys = {}\n"
	"        for k in pairs(inc) do keys[#keys + 1] = k end\n"
	"        sim.log('first_key_is_cause', keys[1] == 'cause')\n"
	"        sim.spawn(function() sim.wait(exponential{mean = 2}:sample()); sim.log('mood', self.mood or 0) end)\n"
	"        if sim.random() < 0.7 then return {action = 'retaliate', type = 'strike', delay = 3, query = true} end\n"
	"      end},\n"
	"    B = {on_cell_request = function(self) if sim.random() < 0.3 then return {reply = 'deny'} end end},\n"
	"  },\n"
	"  triggers = {{party = 'C', probability = 0.2, event = {type = 'strike'},\n"
	"               action = function(ev) sim.act{action = 'retaliate', type = 'rocket', target = 'A', zone = 'Z', delay = 1} end}},\n"
	TAIL;

static int same_run(const run *a, const logged *log, size_t n_log, const esc_run_row *row)
{
	if (a->n_log != n_log || memcmp(&a->row, row, sizeof *row) != 0)
		return 0;
	for (size_t i = 0; i < n_log; i++)
		if (a->log[i].t != log[i].t || a->log[i].value != log[i].value ||
		    strcmp(a->log[i].key, log[i].key) != 0 || a->log[i].party != log[i].party)
			return 0;
	return 1;
}

static void test_reproducible(void **state)
{
	(void)state;
	run r;
	run_ok(&r, REPRO);
	assert_true(count_key(&r, "mood") > 5);
	assert_true(value_of(&r, "first_key_is_cause") == 1);   /* pairs is sorted */
	size_t n = r.n_log;
	logged *first = malloc(n * sizeof *first);
	assert_non_null(first);
	memcpy(first, r.log, n * sizeof *first);
	esc_run_row row0 = r.row;
	/* again, after other replications, in the same state */
	assert_int_equal(rerun(&r, 1, 5), 0);
	assert_int_equal(rerun(&r, 1, 3), 0);
	assert_false(same_run(&r, first, n, &row0));
	assert_int_equal(rerun(&r, 1, 0), 0);
	assert_true(same_run(&r, first, n, &row0));
	close_run(&r);
	/* in a new state (another string-hash seed, other addresses) */
	run_ok(&r, REPRO);
	assert_true(same_run(&r, first, n, &row0));
	close_run(&r);
	free(first);
}

/* ---- the policy library (scenarios/policies) ------------------------------------- */

/* A scenario where C's rockets reach A, which answers with POLICY; B
 * answers A's strikes with protest_mostly. */
static void library_run(run *r, const char *requires, const char *policy)
{
	char text[4096];
	snprintf(text, sizeof text,
	         "%s\n"
	         "return scenario {\n"
	         "  name = 'library', horizon = days(120),\n"
	         "  parties = {{name = 'A'}, {name = 'B'}, {name = 'C', kind = 'nonstate'}},\n"
	         "  zones = {'Z'},\n"
	         "  types = {rocket = {level = 6}, strike = {level = 5}, raid = {level = 4}},\n"
	         "  incidents = {{actor = 'C', target = 'A', type = 'rocket', zone = 'Z', rate = per_day(0.5)},\n"
	         "               {actor = 'C', target = 'A', type = 'raid', zone = 'Z', rate = per_day(0.5)}},\n"
	         "  attribution = {confusion = {A = {C = {B = 0.5, C = 0.5}}}},\n"
	         "  cell = {enabled = true, parties = {'A', 'B'}, latency = 1},\n"
	         "  policies = {A = %s},\n"
	         "}\n", requires, policy);
	run_ok(r, text);
}

/* Policy incidents by A: how many, and of which type (-1: mixed). */
static int64_t a_responses(const run *r, int *type)
{
	int64_t n = 0;
	*type = -2;
	for (size_t i = 0; i < r->n_ev; i++)
		if (r->ev[i].kind == 0 && r->ev[i].actor == 0 && r->ev[i].cause == ESC_CAUSE_POLICY) {
			n++;
			*type = *type == -2 || *type == r->ev[i].type ? r->ev[i].type : -1;
		}
	return n;
}

static size_t a_protests(const run *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_ev; i++)
		n += r->ev[i].kind == 1 && r->ev[i].actor == 0;
	return n;
}

static void test_library(void **state)
{
	(void)state;
	run r;
	int type;
	/* types sorted: raid 0, rocket 1, strike 2 */
	library_run(&r, "local pr = require 'policies.proportional_retaliation'", "pr.new {}");
	assert_true(a_responses(&r, &type) > 20);
	assert_int_equal(type, -1);                /* in kind: rockets and raids */
	close_run(&r);
	library_run(&r, "local pr = require 'policies.proportional_retaliation'",
	            "pr.new {by_type = {rocket = 'strike'}, by_level = {[4] = 'strike'}, delay = 2}");
	assert_true(a_responses(&r, &type) > 20);
	assert_int_equal(type, 2);                 /* all strikes */
	close_run(&r);
	library_run(&r, "local pr = require 'policies.proportional_retaliation'", "pr.new {min_level = 5}");
	assert_true(a_responses(&r, &type) > 10);
	assert_int_equal(type, 1);                 /* only rockets answered */
	close_run(&r);

	/* generous tit-for-tat: generosity 1 forgives everything (at first:
	 * the grudge wears it down), 0 nothing */
	library_run(&r, "local g = require 'policies.generous_tit_for_tat'",
	            "g.new {generosity = 1, grudge = 0, response = 'strike'}");
	assert_int_equal(a_responses(&r, &type), 0);
	assert_true(a_protests(&r) > 20);
	close_run(&r);
	library_run(&r, "local g = require 'policies.generous_tit_for_tat'",
	            "g.new {generosity = 0, response = 'strike', query = false}");
	int64_t all = a_responses(&r, &type);
	assert_true(all > 20);
	assert_int_equal(a_protests(&r), 0);
	close_run(&r);
	library_run(&r, "local g = require 'policies.generous_tit_for_tat'",
	            "g.new {generosity = 0.5, grudge = 0.1, forget = days(2), response = 'strike', query = false}");
	int64_t some = a_responses(&r, &type);
	assert_true(some > 0 && some < all);
	assert_true(a_protests(&r) > 0);
	close_run(&r);

	/* restraint: queries below the threshold, strikes never at 8 */
	library_run(&r, "local rs = require 'policies.restraint'", "rs.new {threshold = 8}");
	assert_int_equal(a_responses(&r, &type), 0);
	assert_true(r.row.cell_requests > 20);
	close_run(&r);
	library_run(&r, "local rs = require 'policies.restraint'", "rs.new {threshold = 0, query = false}");
	assert_true(a_responses(&r, &type) > 20);
	assert_int_equal(type, 2);
	assert_int_equal(r.row.cell_requests, 0);
	close_run(&r);

	/* host-state responsibility: every rocket by C blamed on B with
	 * p_blame = 1, none with 0; added to a response policy with .with */
	const char *hsr = "local hsr = require 'policies.host_state_responsibility'\n"
	                  "local pr = require 'policies.proportional_retaliation'";
	library_run(&r, hsr, "hsr.with(pr.new {by_type = {rocket = 'strike', raid = 'strike'}}, {host = 'B', p_blame = 1})");
	assert_true(a_responses(&r, &type) > 20);
	assert_int_equal(r.row.misattributed_retaliations, r.row.retaliations);
	for (size_t i = 0; i < r.n_ev; i++)
		if (r.ev[i].cause == ESC_CAUSE_POLICY)
			assert_int_equal(r.ev[i].target, 1);
	close_run(&r);
	library_run(&r, hsr, "hsr.with(pr.new {by_type = {rocket = 'strike', raid = 'strike'}}, {host = 'B', p_blame = 0})");
	int64_t half = r.row.misattributed_retaliations;
	assert_true(half > 0 && half < r.row.retaliations);   /* the matrix's 50 % */
	close_run(&r);
	library_run(&r, hsr, "hsr.with(pr.new {by_type = {rocket = 'strike', raid = 'strike'}}, {nonstate = {'A'}, host = 'B'})");
	assert_int_equal(r.row.misattributed_retaliations, half);   /* C is not on the list */
	close_run(&r);
	/* its parameters cannot shadow the policy's, and it joins only a
	 * table policy.new built (it adds its declarations to that table's) */
	const char *const bad[][2] = {
		{"hsr.with(hsr.new {}, {})", "lib.lua:4: policy.with: the policy already has a parameter 'host'"},
		{"hsr.with({host = 1}, {})", "lib.lua:4: policy.with: the policy table was not built by policy.new"},
		{"hsr.with(pr.new {}, {p_blame = 2})", "lib.lua:4: policies.A.p_blame: expected a number in [0, 1], got 2"},
		{"hsr.with(pr.new {}, {p_blam = 1})", "lib.lua:4: policies.A: unknown parameter 'p_blam' (did you mean 'p_blame'?)"},
		{"hsr.with(pr.new {p_respond = -1}, {})", "lib.lua:4: policies.A.p_respond: expected a number in [0, 1], got -1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[1024];
		snprintf(text, sizeof text, "%s\nreturn scenario{name = 'x', parties = {{name = 'A'}, {name = 'B'}}, zones = {'Z'},\n"
		         "policies = {A = %s}}\n", hsr, bad[i][0]);
		esc_error err = {0};
		esc_config cfg;
		esc_policy pol;
		esc_scenario *s = esc_scenario_load_buffer("lib.lua", text, strlen(text), SEARCH, NULL, &err);
		if (s && esc_scenario_arm(s, NULL, 0, &cfg, &pol, &err) == 0)
			fail_msg("%s: no error", bad[i][0]);
		if (!strstr(err.msg, bad[i][1]))
			fail_msg("%s: expected \"%s\", got: %s", bad[i][0], bad[i][1], err.msg);
		esc_scenario_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribute),
		cmocka_unit_test(test_observed_and_queries),
		cmocka_unit_test(test_cell_hooks),
		cmocka_unit_test(test_pre_operation),
		cmocka_unit_test(test_tick_and_act),
		cmocka_unit_test(test_on_event),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_strict_records),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_nested_hooks),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_library),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
