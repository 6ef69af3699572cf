/* policy_lua.c: Lua policies behind the model's policy interface.
 *
 * The "lua" esc_policy_type.  For each hook the model calls, it calls the
 * party's function of the same name from the arm's policies table, as
 * policy:hook(table), and checks what comes back field by field, so the
 * model only ever sees valid answers; an error names the hook, the field and
 * what was expected.  on_event also runs the scenario's triggers (event,
 * condition, action, probability, repeatable, in the style of Command:
 * Modern Operations), and on_timer the functions and processes scripts set
 * going with sim.schedule, sim.spawn and sim.wait (sim_lua.c).
 *
 * Each replication starts (begin) from a fresh copy of every party's policy
 * table and of the triggers, with no timers, no processes and no trigger
 * fired, so nothing a script keeps can leak from one replication into the
 * next, whatever order a worker runs them in.
 *
 * Hooks nest: an action a hook takes through sim.act may run another
 * party's hook at once (a query reaches the receiver's on_cell_request).
 * Every call saves and restores the scenario's current call, and nested
 * calls share the CPU-time budget of the outermost one.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/engine.h"
#include "escsim/text.h"
#include "script.h"

#define REPLIES "answer, deny, share_intel, commit_enforce, refuse"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* ---- the policy object -------------------------------------------------------- */

/* c->name = a name made for this call, in c->name_buf. */
static void set_name(esc_lua_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_name(esc_lua_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->name_buf, sizeof c->name_buf, fmt, ap);
	va_end(ap);
	c->name = c->name_buf;
}

typedef char name_t[ESC_NAME_MAX];

static name_t *names_alloc(size_t n)
{
	return calloc(n + 1, sizeof(name_t));
}

esc_lua_policy *esc_lua_policy_alloc(esc_scenario *s, const esc_config *cfg)
{
	esc_lua_policy *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->s = s;
	p->arm_ref = p->triggers_ref = p->run_ref = LUA_NOREF;
	p->strs_ref = LUA_NOREF;
	for (size_t w = 0; w < COUNT(p->record_mt_ref); w++)
		p->record_mt_ref[w] = LUA_NOREF;
	p->max_log_rows = cfg->max_log_rows;
	p->max_still = cfg->max_steps_per_instant;
	for (size_t h = 0; h < COUNT(p->hook_name_ref); h++)
		p->hook_name_ref[h] = LUA_NOREF;
	p->np = cfg->n_parties;
	p->nt = cfg->n_types;
	p->nz = cfg->n_zones;
	p->ns = cfg->regime.n_states;
	p->nch = cfg->n_channels;
	p->parties = names_alloc(p->np);
	p->types = names_alloc(p->nt);
	p->zones = names_alloc(p->nz);
	p->states = names_alloc(p->ns);
	p->channels = names_alloc(p->nch);
	p->policy_ref = malloc((p->np + 1) * sizeof *p->policy_ref);
	p->live_ref = malloc((p->np + 1) * sizeof *p->live_ref);
	p->hooks = calloc(p->np + 1, sizeof *p->hooks);
	p->tick = calloc(p->np + 1, sizeof *p->tick);
	p->kinds = calloc(p->np + 1, sizeof *p->kinds);
	p->call_names = calloc(p->np + 1, sizeof *p->call_names);
	if (!p->parties || !p->types || !p->zones || !p->states || !p->channels || !p->kinds ||
	    !p->call_names ||
	    !p->policy_ref || !p->live_ref || !p->hooks || !p->tick) {
		esc_lua_policy_free(NULL, p);
		return NULL;
	}
	for (size_t i = 0; i < p->np; i++) {
		memcpy(p->parties[i], cfg->parties[i].name, ESC_NAME_MAX);
		p->kinds[i] = (int)cfg->parties[i].kind;
		p->policy_ref[i] = p->live_ref[i] = LUA_NOREF;
		for (int h = 0; h < ESC_N_HOOKS; h++)
			snprintf(p->call_names[i][h], sizeof p->call_names[i][h], "policies.%s.%s",
			         p->parties[i], esc_lua_hook_names[h]);
	}
	for (size_t i = 0; i < p->nt; i++)
		memcpy(p->types[i], cfg->types[i].name, ESC_NAME_MAX);
	for (size_t i = 0; i < p->nz; i++)
		memcpy(p->zones[i], cfg->zones[i], ESC_NAME_MAX);
	for (size_t i = 0; i < p->ns; i++)
		memcpy(p->states[i], cfg->regime.names[i], ESC_NAME_MAX);
	for (size_t i = 0; i < p->nch; i++)
		memcpy(p->channels[i], cfg->channels[i].name, ESC_NAME_MAX);
	return p;
}

/* A name field of a validated trigger's event table (on the top of the
 * stack): its index, -1 when absent, -2 when unknown (never matches). */
static int match_field(lua_State *L, const char *key, char (*names)[ESC_NAME_MAX], size_t n,
                       const char *const *list, size_t nl)
{
	int r = -1;
	lua_pushstring(L, key);
	if (lua_rawget(L, -2) == LUA_TSTRING) {
		const char *v = lua_tostring(L, -1);
		r = names ? esc_lua_name_index(names, n, v) : esc_lua_list_index(list, nl, v);
		if (r < 0)
			r = -2;
	}
	lua_pop(L, 1);
	return r;
}

static void bind_triggers(lua_State *L, esc_lua_policy *p, int arm)
{
	lua_pushliteral(L, "triggers");
	if (lua_rawget(L, arm) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	int tt = lua_gettop(L);
	size_t n = (size_t)lua_rawlen(L, tt);
	p->triggers = calloc(n ? n : 1, sizeof *p->triggers);
	p->fired = calloc(n ? n : 1, 1);
	if (!p->triggers || !p->fired)
		luaL_error(L, "out of memory binding the triggers");
	for (size_t i = 0; i < n; i++) {
		esc_lua_trigger *t = &p->triggers[i];
		lua_rawgeti(L, tt, (lua_Integer)i + 1);
		int e = lua_gettop(L);
		lua_pushliteral(L, "name");
		if (lua_rawget(L, e) == LUA_TSTRING)
			snprintf(t->name, sizeof t->name, "%s", lua_tostring(L, -1));
		else
			snprintf(t->name, sizeof t->name, "triggers[%zu]", i + 1);
		lua_pop(L, 1);
		lua_pushliteral(L, "party");
		lua_rawget(L, e);
		t->party = lua_type(L, -1) == LUA_TSTRING ? esc_lua_name_index(p->parties, p->np, lua_tostring(L, -1)) : -1;
		lua_pop(L, 1);
		t->probability = 1;
		lua_pushliteral(L, "probability");
		if (lua_rawget(L, e) == LUA_TNUMBER)
			t->probability = lua_tonumber(L, -1);
		lua_pop(L, 1);
		t->repeatable = 1;
		lua_pushliteral(L, "repeatable");
		if (lua_rawget(L, e) == LUA_TBOOLEAN)
			t->repeatable = lua_toboolean(L, -1);
		lua_pop(L, 1);
		t->type = t->actor = t->target = t->zone = t->cause = t->kind = -1;
		lua_pushliteral(L, "event");
		if (lua_rawget(L, e) == LUA_TTABLE) {
			t->type = match_field(L, "type", p->types, p->nt, NULL, 0);
			t->actor = match_field(L, "actor", p->parties, p->np, NULL, 0);
			t->target = match_field(L, "target", p->parties, p->np, NULL, 0);
			t->zone = match_field(L, "zone", p->zones, p->nz, NULL, 0);
			t->cause = match_field(L, "cause", NULL, 0, esc_lua_cause_names, 3);
			t->kind = match_field(L, "kind", NULL, 0, esc_lua_kind_names, 2);
		}
		lua_pop(L, 2);
		if (t->party < 0)   /* validated: not reached */
			luaL_error(L, "triggers[%d]: no party (a bug in the validator)", (int)i + 1);
		p->n_triggers++;
	}
	p->triggers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void esc_lua_policy_bind(lua_State *L, esc_lua_policy *p)
{
	int arm = lua_gettop(L);
	lua_pushvalue(L, arm);
	p->arm_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushliteral(L, "policies");
	if (lua_rawget(L, arm) == LUA_TTABLE) {
		int pol = lua_gettop(L);
		for (size_t i = 0; i < p->np; i++) {
			lua_pushstring(L, p->parties[i]);
			if (lua_rawget(L, pol) != LUA_TTABLE) {
				lua_pop(L, 1);
				continue;
			}
			int t = lua_gettop(L);
			for (int h = 0; h < ESC_N_HOOKS; h++) {
				if (lua_getfield(L, t, esc_lua_hook_names[h]) == LUA_TFUNCTION)
					p->hooks[i] |= 1u << h;
				lua_pop(L, 1);
			}
			if (p->hooks[i] & (1u << ESC_HOOK_EVENT))
				p->any_event = 1;
			lua_pushliteral(L, "tick");
			if (lua_rawget(L, t) == LUA_TNUMBER)
				p->tick[i] = lua_tonumber(L, -1);
			lua_pop(L, 1);
			p->policy_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
		}
	}
	lua_settop(L, arm);
	esc_lua_records_bind(L, p);
	bind_triggers(L, p, arm);
	lua_settop(L, arm - 1);
}

void esc_lua_policy_free(lua_State *L, esc_lua_policy *p)
{
	if (!p)
		return;
	if (L) {
		luaL_unref(L, LUA_REGISTRYINDEX, p->arm_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, p->triggers_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, p->run_ref);
		esc_lua_records_unbind(L, p);
		for (size_t i = 0; p->policy_ref && p->live_ref && i < p->np; i++) {
			luaL_unref(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
			luaL_unref(L, LUA_REGISTRYINDEX, p->live_ref[i]);
		}
	}
	free(p->parties);
	free(p->types);
	free(p->zones);
	free(p->states);
	free(p->channels);
	free(p->policy_ref);
	free(p->live_ref);
	free(p->hooks);
	free(p->tick);
	free(p->kinds);
	free(p->call_names);
	free(p->triggers);
	free(p->fired);
	free(p);
}

/* ---- a new replication ------------------------------------------------------ */

static int begin_cf(lua_State *L)
{
	esc_lua_policy *p = lua_touserdata(L, 1);
	for (size_t i = 0; i < p->np; i++) {
		if (p->policy_ref[i] == LUA_NOREF)
			continue;
		lua_rawgeti(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
		esc_lua_deep_copy(L, -1, 0);
		int ref = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_pop(L, 1);
		luaL_unref(L, LUA_REGISTRYINDEX, p->live_ref[i]);
		p->live_ref[i] = ref;
	}
	lua_createtable(L, 0, 3);
	lua_newtable(L);
	lua_setfield(L, -2, "timers");
	lua_newtable(L);                          /* processes, weak keys */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, -2, "procs");
	if (p->triggers_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, p->triggers_ref);
		esc_lua_deep_copy(L, -1, 0);
		lua_remove(L, -2);
		lua_setfield(L, -2, "triggers");
	}
	int ref = luaL_ref(L, LUA_REGISTRYINDEX);
	luaL_unref(L, LUA_REGISTRYINDEX, p->run_ref);
	p->run_ref = ref;
	return 0;
}

static int policy_begin(esc_lua_policy *p, uint64_t rep, esc_error *err)
{
	esc_scenario *s = p->s;
	lua_pushcfunction(s->L, begin_cf);
	lua_pushlightuserdata(s->L, p);
	int rc = esc_lua_pcall(s, 1, 0, "starting the replication's policies", err);
	p->rep = rep;
	p->begun = rc == ESC_OK;
	p->next_token = 1;
	p->log_rows = p->still_n = 0;
	s->c_bytes = 0;              /* the model's timers start afresh too */
	if (p->fired)
		memset(p->fired, 0, p->n_triggers);
	return rc;
}

static int lua_begin(void *self, uint64_t rep, esc_error *err)
{
	return policy_begin(self, rep, err);
}

/* Hooks called without begin (a caller of the policy type that predates
 * it) still get fresh state for each replication. */
static int ensure_begun(esc_lua_policy *p, const esc_hook_ctx *ctx, esc_error *err)
{
	if (p->begun && p->rep == ctx->rep)
		return ESC_OK;
	return policy_begin(p, ctx->rep, err);
}

/* The hooks a party's table has (bound once per arm): the model then skips
 * the calls it would make to parties without one. */
static unsigned lua_hooks(void *self, int party)
{
	esc_lua_policy *p = self;
	if (party < 0 || (size_t)party >= p->np || p->policy_ref[party] == LUA_NOREF)
		return 0;
	return p->hooks[party];
}

static double lua_tick_h(void *self, int party)
{
	esc_lua_policy *p = self;
	if (party < 0 || (size_t)party >= p->np || !(p->hooks[party] & (1u << ESC_HOOK_TICK)))
		return 0;
	return p->tick[party];
}

/* ---- what hooks see (records: record_lua.c) ----------------------------------------- */

static void set_num(lua_State *L, const char *k, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

static int observation_ok(const esc_lua_policy *p, const esc_observation *o, int with_perceived)
{
	return esc_lua_party_ok(p, o->observer) && (!with_perceived || esc_lua_party_ok(p, o->perceived)) &&
	       o->type >= 0 && (size_t)o->type < p->nt && o->zone >= 0 && (size_t)o->zone < p->nz &&
	       (unsigned)o->cause <= ESC_CAUSE_POLICY;
}

/* ---- calling hooks --------------------------------------------------------------- */

/* Push self (the party's table for this replication) and its hook; returns
 * 0 (nothing pushed) if the party has no such hook.  Afterwards the stack
 * holds 1 the call, 2 self, 3 the hook. */
static int push_hook(lua_State *L, esc_lua_call *c, int party, int hook)
{
	esc_lua_policy *p = c->p;
	lua_settop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->live_ref[party]);
	esc_lua_push_hook_name(L, p, hook);
	int ty = lua_gettable(L, 2);   /* may be inherited */
	if (ty == LUA_TNIL) {
		lua_settop(L, 1);
		return 0;
	}
	if (ty != LUA_TFUNCTION)
		luaL_error(L, "%s: expected a function, got %s", c->name, esc_lua_typename(L, 3));
	c->fn_idx = 3;
	lua_pushvalue(L, 3);
	lua_pushvalue(L, 2);
	return 1;
}

/* "NAME returned ", the head of messages about an answer. */
static const char *returned(lua_State *L, esc_lua_call *c)
{
	(void)L;
	size_t n = strnlen(c->name, sizeof c->head - sizeof " returned ");
	memcpy(c->head, c->name, n);
	memcpy(c->head + n, " returned ", sizeof " returned ");
	return c->head;
}

/* Run cf(call) in protected mode as the scenario's current call.  An error
 * goes to err, unless the engine failed the run itself during the call and
 * has reported it already (err is the engine's). */
static int run_call(esc_lua_policy *p, esc_lua_call *c, lua_CFunction cf, esc_error *err)
{
	esc_scenario *s = p->s;
	lua_State *L = s->L;
	const esc_hook_ctx *old_ctx = s->ctx;
	esc_lua_call *old_call = s->call;
	if (s->depth == 0)
		s->engine_failed = 0;
	s->ctx = &c->ctx;
	s->call = c;
	esc_error local;             /* not = {0}: that zeroed 1 KiB at every call */
	esc_error_clear(&local);
	lua_pushcfunction(L, cf);
	lua_pushlightuserdata(L, c);
	int rc = esc_lua_pcall(s, 1, 0, c->name, &local);
	s->ctx = old_ctx;
	s->call = old_call;
	if (rc == ESC_OK)
		return ESC_OK;
	if (s->engine_failed)
		return err && err->status ? err->status : rc;
	if (err)
		*err = local;
	return rc;
}

/* Set up a call of party's hook; returns 0 when there is nothing to call. */
static int prepare(esc_lua_policy *p, esc_lua_call *c, const esc_hook_ctx *ctx, int party, int hook,
                   esc_error *err, int *rc)
{
	*rc = ESC_OK;
	if (!ctx) {
		*rc = esc_error_set(err, ESC_ERR_RUNTIME, "policy: %s called without a hook context",
		                    esc_lua_hook_names[hook]);
		return 0;
	}
	if (!esc_lua_party_ok(p, party)) {
		*rc = esc_error_set(err, ESC_ERR_RUNTIME, "policy: %s called for party %d, out of range (a bug in the model)",
		                    esc_lua_hook_names[hook], party);
		return 0;
	}
	if (p->policy_ref[party] == LUA_NOREF || !(p->hooks[party] & (1u << hook)))
		return 0;
	if ((*rc = ensure_begun(p, ctx, err)))
		return 0;
	/* field by field: zeroing the whole call, its message buffers
	 * included, cost more than some hooks */
	c->p = p;
	c->ctx = *ctx;
	c->ctx.party = party;
	if (!c->ctx.rng && c->ctx.engine)
		c->ctx.rng = esc_engine_stream(c->ctx.engine, party, c->ctx.key);
	c->about = -1;
	c->target = c->zone = -1;
	c->fn_idx = 0;
	c->in = NULL;
	c->out = NULL;
	c->token = 0;
	c->field_list = NULL;
	c->name = p->call_names[party][hook];
	return 1;
}

/* ---- attribute ---------------------------------------------------------------------- */

typedef struct attribute_io {
	const esc_observation *obs;
	double *p;
	int *changed;
} attribute_io;

static int attribute_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	const attribute_io *io = c->in;
	esc_lua_policy *p = c->p;
	const esc_observation *o = io->obs;
	if (!push_hook(L, c, o->observer, ESC_HOOK_ATTRIBUTE))
		return 0;
	esc_lua_push_observation(L, p, o, c->ctx.t_h, 0);
	lua_createtable(L, 0, (int)p->np);        /* the confusion matrix's row */
	for (size_t i = 0; i < p->np; i++)
		if (io->p[i] > 0)
			set_num(L, p->parties[i], io->p[i]);
	lua_call(L, 3, 1);     /* a Lua error keeps its own file:line */
	int d = lua_gettop(L);
	if (lua_isnil(L, d))
		return 0;
	const char *head = returned(L, c);
	if (lua_type(L, d) != LUA_TTABLE)
		esc_lua_bad(L, c, head, "%s: expected nil (keep the confusion matrix) or a table {PARTY = probability, ...}",
		            esc_lua_shown(L, d));
	char b[400];
	int nk = esc_lua_sorted_keys(L, d);
	int keys = lua_gettop(L);
	if (nk < 0)
		esc_lua_bad(L, c, head, "a table with a key that is not a party name: expected {PARTY = probability, ...}");
	double *q = lua_newuserdatauv(L, p->np * sizeof *q, 0);
	for (size_t i = 0; i < p->np; i++)
		q[i] = 0;
	double sum = 0;
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		int who = lua_type(L, -1) == LUA_TSTRING ? esc_lua_name_index(p->parties, p->np, lua_tostring(L, -1)) : -1;
		if (who < 0)
			esc_lua_bad(L, c, head, "[%s]: expected party names as keys (one of %s)", esc_lua_shown(L, -1),
			            esc_lua_name_list(b, sizeof b, p->parties, p->np));
		if (who == o->observer)
			esc_lua_bad(L, c, head, "%s: the observer itself; a party does not blame itself for what it suffers",
			            p->parties[who]);
		lua_rawget(L, d);
		double x = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(x) || x < 0 || x > 1)
			esc_lua_bad(L, c, head, "%s=%s: expected a probability in [0, 1]", p->parties[who], esc_lua_shown(L, -1));
		q[who] = x;
		sum += x;
		lua_pop(L, 1);
	}
	if (!(fabs(sum - 1) <= 1e-9))
		esc_lua_bad(L, c, head, "probabilities summing to %.12g: expected a sum of 1", sum);
	for (size_t i = 0; i < p->np; i++)
		io->p[i] = q[i];
	*io->changed = 1;
	return 0;
}

static int lua_attribute(void *self, const esc_hook_ctx *ctx, const esc_observation *obs,
                         double *prob, int *changed, esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	*changed = 0;
	if (!prepare(p, &c, ctx, obs->observer, ESC_HOOK_ATTRIBUTE, err, &rc))
		return rc;
	if (!observation_ok(p, obs, 0))
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: called with an observation out of range (a bug in the model)", c.name);
	c.about = obs->incident_id;
	c.zone = obs->zone;
	/* p is written only when the whole answer passed */
	attribute_io io = {obs, prob, changed};
	c.in = &io;
	return run_call(p, &c, attribute_cf, err);
}

/* ---- on_incident_observed --------------------------------------------------------------- */

static int observed_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	const esc_observation *o = c->in;
	if (!push_hook(L, c, o->observer, ESC_HOOK_OBSERVED))
		return 0;
	esc_lua_push_observation(L, c->p, o, c->ctx.t_h, 1);
	lua_call(L, 2, 1);
	int d = lua_gettop(L);
	if (lua_isnil(L, d))
		return 0;                        /* ignore: *out as it came */
	esc_decision out = *(esc_decision *)c->out;
	esc_lua_read_decision(L, d, c, returned(L, c), o->observer, &out, 0);
	*(esc_decision *)c->out = out;   /* only a valid answer is written */
	return 0;
}

static int lua_on_incident_observed(void *self, const esc_hook_ctx *ctx,
                                    const esc_observation *obs, esc_decision *out,
                                    esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	out->action = ESC_ACT_IGNORE;
	out->priority = ESC_LUA_PRIORITY_DEFAULT;    /* every answer has one; queries may change it */
	if (!prepare(p, &c, ctx, obs->observer, ESC_HOOK_OBSERVED, err, &rc))
		return rc;
	if (!observation_ok(p, obs, 1))
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: called with an observation out of range (a bug in the model)", c.name);
	c.about = obs->incident_id;
	c.target = obs->perceived;
	c.zone = obs->zone;
	c.in = obs;
	c.out = out;
	return run_call(p, &c, observed_cf, err);
}

/* ---- on_cell_request ---------------------------------------------------------------- */

static const char *const request_fields[] = {"reply", "delay"};

static int cell_request_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	esc_lua_policy *p = c->p;
	const esc_cell_request *r = c->in;
	if (!push_hook(L, c, r->receiver, ESC_HOOK_CELL_REQUEST))
		return 0;
	esc_lua_push_request(L, p, r, c->ctx.t_h);
	lua_call(L, 2, 1);
	int d = lua_gettop(L);
	if (lua_isnil(L, d))
		return 0;
	const char *head = returned(L, c);
	if (lua_type(L, d) != LUA_TTABLE)
		esc_lua_bad(L, c, head, "%s: expected nil (answer as the cell does) or a table {reply = ..., delay = ...}",
		            esc_lua_shown(L, d));
	esc_lua_check_fields(L, d, c, head, request_fields, COUNT(request_fields), "reply, delay");
	esc_cell_reply out = *(esc_cell_reply *)c->out;
	if (lua_getfield(L, d, "reply") != LUA_TNIL) {
		int k = lua_type(L, -1) == LUA_TSTRING ? esc_lua_list_index(esc_lua_reply_names, ESC_LUA_N_REPLIES, lua_tostring(L, -1)) : -1;
		if (k < 0)
			esc_lua_bad(L, c, head, "reply=%s: expected one of " REPLIES, esc_lua_shown(L, -1));
		out.reply = (esc_reply_kind)k;
	}
	lua_pop(L, 1);
	esc_lua_answer_hours(L, d, "delay", c, head, &out.delay_h);
	*(esc_cell_reply *)c->out = out;
	return 0;
}

static int lua_on_cell_request(void *self, const esc_hook_ctx *ctx, const esc_cell_request *req,
                               esc_cell_reply *out, esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	if (!prepare(p, &c, ctx, req->receiver, ESC_HOOK_CELL_REQUEST, err, &rc))
		return rc;
	c.about = req->event_id;
	c.target = req->sender;
	c.in = req;
	c.out = out;
	return run_call(p, &c, cell_request_cf, err);
}

/* ---- on_cell_reply ------------------------------------------------------------------- */

static const char *const reply_fields[] = {"cancel"};

static int cell_reply_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	esc_lua_policy *p = c->p;
	const esc_cell_answer *a = c->in;
	int *cancel = c->out;
	if (!push_hook(L, c, c->ctx.party, ESC_HOOK_CELL_REPLY))
		return 0;
	esc_lua_push_answer(L, p, a, *cancel, c->ctx.t_h);
	lua_call(L, 2, 1);
	int d = lua_gettop(L);
	if (lua_isnil(L, d))
		return 0;
	const char *head = returned(L, c);
	if (lua_type(L, d) == LUA_TSTRING) {
		const char *v = lua_tostring(L, d);
		if (strcmp(v, "cancel") == 0)
			*cancel = 1;
		else if (strcmp(v, "proceed") == 0)
			*cancel = 0;
		else
			esc_lua_bad(L, c, head, "%s: expected nil (the engine's rule), 'cancel', 'proceed' or {cancel = true/false}",
			            esc_lua_shown(L, d));
		return 0;
	}
	if (lua_type(L, d) != LUA_TTABLE)
		esc_lua_bad(L, c, head, "%s: expected nil (the engine's rule), 'cancel', 'proceed' or {cancel = true/false}",
		            esc_lua_shown(L, d));
	esc_lua_check_fields(L, d, c, head, reply_fields, COUNT(reply_fields), "cancel");
	int x = *cancel;
	esc_lua_answer_bool(L, d, "cancel", c, head, &x);
	*cancel = x;
	return 0;
}

static int lua_on_cell_reply(void *self, const esc_hook_ctx *ctx, const esc_cell_answer *ans,
                             int *cancel, esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	if (!ctx)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: on_cell_reply called without a hook context");
	if (!prepare(p, &c, ctx, ctx->party, ESC_HOOK_CELL_REPLY, err, &rc))
		return rc;
	c.about = ans->event_id;
	c.target = ans->named >= 0 ? ans->named : ans->pending_target;
	c.in = ans;
	int x = *cancel;
	c.out = &x;
	rc = run_call(p, &c, cell_reply_cf, err);
	if (rc == ESC_OK)
		*cancel = x;
	return rc;
}

/* ---- pre_operation -------------------------------------------------------------------- */

static const char *const notice_fields[] = {"notify", "lead"};

static int pre_operation_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	esc_lua_policy *p = c->p;
	const esc_operation *op = c->in;
	if (!push_hook(L, c, op->actor, ESC_HOOK_PRE_OPERATION))
		return 0;
	esc_notice out = *(esc_notice *)c->out;
	esc_lua_push_operation(L, p, op, &out, c->ctx.t_h);
	lua_call(L, 2, 1);
	int d = lua_gettop(L);
	if (lua_isnil(L, d))
		return 0;
	const char *head = returned(L, c);
	if (lua_type(L, d) != LUA_TTABLE)
		esc_lua_bad(L, c, head, "%s: expected nil (the scenario's cell.notify) or a table {notify = true/false, lead = hours}",
		            esc_lua_shown(L, d));
	esc_lua_check_fields(L, d, c, head, notice_fields, COUNT(notice_fields), "notify, lead");
	esc_lua_answer_bool(L, d, "notify", c, head, &out.notify);
	esc_lua_answer_hours(L, d, "lead", c, head, &out.lead_h);
	*(esc_notice *)c->out = out;
	return 0;
}

static int lua_pre_operation(void *self, const esc_hook_ctx *ctx, const esc_operation *op,
                             esc_notice *out, esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	if (!prepare(p, &c, ctx, op->actor, ESC_HOOK_PRE_OPERATION, err, &rc))
		return rc;
	c.target = esc_lua_party_ok(p, op->target) ? op->target : -1;
	c.zone = op->zone >= 0 && (size_t)op->zone < p->nz ? op->zone : -1;
	c.in = op;
	c.out = out;
	return run_call(p, &c, pre_operation_cf, err);
}

/* ---- on_tick ------------------------------------------------------------------------------- */

/* Hooks that act through sim.act return nothing: a table returned from one
 * is a mistake (it would be silently ignored). */
static void expect_nothing(lua_State *L, esc_lua_call *c, int d, const char *how)
{
	if (!lua_isnil(L, d))
		esc_lua_bad(L, c, returned(L, c), "%s: expected nothing (%s)", esc_lua_shown(L, d), how);
}

static int tick_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	const double *dt = c->in;
	if (!push_hook(L, c, c->ctx.party, ESC_HOOK_TICK))
		return 0;
	lua_pushnumber(L, *dt);
	lua_call(L, 2, 1);
	expect_nothing(L, c, lua_gettop(L), "on_tick acts through sim.act and keeps state in self");
	return 0;
}

static int lua_on_tick(void *self, const esc_hook_ctx *ctx, double dt_h, esc_error *err)
{
	esc_lua_policy *p = self;
	esc_lua_call c;
	int rc;
	if (!ctx)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: on_tick called without a hook context");
	if (!prepare(p, &c, ctx, ctx->party, ESC_HOOK_TICK, err, &rc))
		return rc;
	c.in = &dt_h;
	return run_call(p, &c, tick_cf, err);
}

/* ---- on_event and triggers --------------------------------------------------------- */

static int trigger_matches(const esc_lua_trigger *t, const esc_event_row *ev)
{
	return (t->type == -1 || t->type == ev->type) && (t->actor == -1 || t->actor == ev->actor) &&
	       (t->target == -1 || t->target == ev->target) && (t->zone == -1 || t->zone == ev->zone) &&
	       (t->cause == -1 || t->cause == ev->cause) && (t->kind == -1 || t->kind == ev->kind);
}

/* Make the call party's, for one of several functions run in one on_event. */
static void as_party(lua_State *L, esc_lua_call *c, const esc_hook_ctx *base, int party,
                     const esc_event_row *ev)
{
	esc_scenario *s = esc_lua_scenario(L);
	c->ctx = *base;
	c->ctx.party = party;
	if (c->ctx.engine)
		c->ctx.rng = esc_engine_stream(c->ctx.engine, party, c->ctx.key);
	c->about = ev->kind == ESC_EVENT_INCIDENT ? ev->id : -1;
	c->target = ev->kind == ESC_EVENT_INCIDENT && ev->actor != party ? ev->actor : -1;
	c->zone = ev->zone;
	if (s->depth == 1)          /* each function its own budget */
		esc_lua_budget_restart(s);
}

static int event_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	esc_lua_policy *p = c->p;
	const esc_event_row *ev = c->in;
	const esc_hook_ctx base = c->ctx;
	esc_lua_push_event(L, p, ev);
	lua_replace(L, 1);          /* 1: the event; c stays valid (it lives in C) */
	lua_pushlightuserdata(L, c);
	lua_insert(L, 1);           /* 1: the call, 2: the event */
	int evt = 2;
	for (size_t i = 0; i < p->np; i++) {
		if (p->policy_ref[i] == LUA_NOREF || !(p->hooks[i] & (1u << ESC_HOOK_EVENT)))
			continue;
		as_party(L, c, &base, (int)i, ev);
		set_name(c, "policies.%s.on_event", p->parties[i]);
		lua_settop(L, evt);
		lua_rawgeti(L, LUA_REGISTRYINDEX, p->live_ref[i]);            /* 3: self */
		if (lua_getfield(L, 3, "on_event") != LUA_TFUNCTION)          /* 4 */
			continue;
		c->fn_idx = 4;
		lua_pushvalue(L, 4);
		lua_pushvalue(L, 3);
		lua_pushvalue(L, evt);
		lua_call(L, 2, 1);
		expect_nothing(L, c, lua_gettop(L), "on_event acts through sim.act");
	}
	if (p->n_triggers == 0)
		return 0;
	lua_settop(L, evt);
	esc_lua_push_run(L, p);
	lua_getfield(L, -1, "triggers");
	int trig = lua_gettop(L);                                       /* 4 */
	for (size_t i = 0; i < p->n_triggers; i++) {
		const esc_lua_trigger *t = &p->triggers[i];
		if (!trigger_matches(t, ev) || (!t->repeatable && p->fired[i]))
			continue;
		lua_settop(L, trig);
		as_party(L, c, &base, t->party, ev);
		lua_rawgeti(L, trig, (lua_Integer)i + 1);                   /* 5: the trigger */
		int tt = trig + 1;
		if (lua_getfield(L, tt, "condition") == LUA_TFUNCTION) {   /* 6 */
			set_name(c, "triggers[%zu] '%s' condition", i + 1, t->name);
			c->fn_idx = tt + 1;
			lua_pushvalue(L, tt + 1);
			lua_pushvalue(L, evt);
			lua_pushvalue(L, tt);
			lua_call(L, 2, 1);
			int r = lua_gettop(L);
			if (lua_type(L, r) != LUA_TBOOLEAN)
				esc_lua_bad(L, c, returned(L, c), "%s: expected true or false", esc_lua_shown(L, r));
			if (!lua_toboolean(L, r))
				continue;
		}
		if (t->probability < 1) {
			if (!c->ctx.rng)
				luaL_error(L, "triggers[%d] '%s': no random stream for party %s", (int)i + 1, t->name,
				           p->parties[t->party]);
			if (!(gsl_rng_uniform(c->ctx.rng) < t->probability))
				continue;
		}
		p->fired[i] = 1;
		lua_settop(L, tt);
		set_name(c, "triggers[%zu] '%s' action", i + 1, t->name);
		lua_getfield(L, tt, "action");                              /* 6 */
		c->fn_idx = tt + 1;
		lua_pushvalue(L, tt + 1);
		lua_pushvalue(L, evt);
		lua_pushvalue(L, tt);
		lua_call(L, 2, 1);
		expect_nothing(L, c, lua_gettop(L), "an action acts through sim.act");
	}
	return 0;
}

static int lua_on_event(void *self, const esc_hook_ctx *ctx, const esc_event_row *ev, esc_error *err)
{
	esc_lua_policy *p = self;
	if (!ctx)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: on_event called without a hook context");
	/* Most events concern no one: decide in C before entering Lua. */
	int any = p->any_event;
	for (size_t i = 0; !any && i < p->n_triggers; i++)
		any = trigger_matches(&p->triggers[i], ev) && (p->triggers[i].repeatable || !p->fired[i]);
	if (!any)
		return ESC_OK;
	int rc = ensure_begun(p, ctx, err);
	if (rc)
		return rc;
	esc_lua_call c;
	memset(&c, 0, sizeof c);
	c.p = p;
	c.ctx = *ctx;
	c.about = -1;
	c.target = c.zone = -1;
	c.in = ev;
	set_name(&c, "on_event");
	return run_call(p, &c, event_cf, err);
}

/* ---- timers and processes ------------------------------------------------------------------ */

static int timer_cf(lua_State *L)
{
	esc_lua_call *c = lua_touserdata(L, 1);
	esc_lua_policy *p = c->p;
	esc_lua_push_run(L, p);
	lua_getfield(L, -1, "timers");
	int timers = lua_gettop(L);
	int ty = lua_rawgeti(L, timers, c->token);
	lua_pushnil(L);
	lua_rawseti(L, timers, c->token);
	switch (ty) {
	case LUA_TFUNCTION:
		c->fn_idx = lua_gettop(L);
		lua_pushvalue(L, -1);
		lua_call(L, 0, 0);
		return 0;
	case LUA_TTHREAD:
		set_name(c, "a process of %s (sim.spawn)", p->parties[c->ctx.party]);
		esc_lua_resume(L, lua_tothread(L, -1), 0);
		return 0;
	case LUA_TBOOLEAN:
		return 0;            /* cancelled */
	default:
		return luaL_error(L, "timer %I: no such timer in this replication (a bug in the engine)",
		                  (lua_Integer)c->token);
	}
}

static int lua_on_timer(void *self, const esc_hook_ctx *ctx, int64_t token, esc_error *err)
{
	esc_lua_policy *p = self;
	if (!ctx)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: on_timer called without a hook context");
	if (!esc_lua_party_ok(p, ctx->party))
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: on_timer for party %d, out of range (a bug in the model)",
		                     ctx->party);
	if (!p->begun || p->rep != ctx->rep || p->run_ref == LUA_NOREF)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: timer %lld fired in a replication that set none (a bug in the model)",
		                     (long long)token);
	esc_lua_call c;
	memset(&c, 0, sizeof c);
	c.p = p;
	c.ctx = *ctx;
	if (!c.ctx.rng && c.ctx.engine)
		c.ctx.rng = esc_engine_stream(c.ctx.engine, ctx->party, ctx->key);
	c.about = -1;
	c.target = c.zone = -1;
	c.token = token;
	set_name(&c, "a function %s scheduled (sim.schedule)", p->parties[ctx->party]);
	return run_call(p, &c, timer_cf, err);
}

const esc_policy_type esc_lua_policy_type = {
	.name = "lua",
	.begin = lua_begin,
	.tick_h = lua_tick_h,
	.attribute = lua_attribute,
	.on_incident_observed = lua_on_incident_observed,
	.on_cell_request = lua_on_cell_request,
	.on_cell_reply = lua_on_cell_reply,
	.pre_operation = lua_pre_operation,
	.on_tick = lua_on_tick,
	.on_event = lua_on_event,
	.on_timer = lua_on_timer,
	.hooks = lua_hooks,
};
