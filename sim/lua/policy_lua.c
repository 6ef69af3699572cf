/* policy_lua.c: Lua policies behind the model's policy interface.
 *
 * The "lua" esc_policy_type: for each decision it calls the observing
 * party's hook from the arm's policies table, as policy:hook(incident), and
 * checks what comes back field by field, so the model only ever sees a valid
 * esc_decision.  Also the `sim` table scripts use while a replication runs:
 * the clock, the replication, random numbers from the hook's own stream, and
 * sorted iteration (pairs() order changes from run to run in Lua 5.4).
 *
 * Each replication starts from a fresh copy of every party's policy table,
 * so state a hook keeps in `self` cannot leak from one replication into the
 * next, whatever order a worker runs them in.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

const char *const esc_lua_hook_names[] = {
	"on_incident_observed",       /* the only one called so far */
	"attribute", "on_cell_request", "on_cell_reply", "pre_operation", "on_tick", "on_event",
};
const size_t esc_lua_n_hook_names = sizeof esc_lua_hook_names / sizeof esc_lua_hook_names[0];

struct esc_lua_policy {
	esc_scenario *s;
	int arm_ref;                 /* the arm table, kept alive */
	size_t np, nt, nz;
	char (*parties)[ESC_NAME_MAX];
	char (*types)[ESC_NAME_MAX];
	char (*zones)[ESC_NAME_MAX];
	int *policy_ref;             /* per party: its table in the arm, or LUA_NOREF */
	int *live_ref;               /* per party: the copy for the current replication */
	uint64_t rep;
	int have_rep;
};

esc_lua_policy *esc_lua_policy_alloc(esc_scenario *s, const esc_config *cfg)
{
	esc_lua_policy *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->s = s;
	p->arm_ref = LUA_NOREF;
	p->np = cfg->n_parties;
	p->nt = cfg->n_types;
	p->nz = cfg->n_zones;
	p->parties = calloc(p->np + 1, sizeof *p->parties);
	p->types = calloc(p->nt + 1, sizeof *p->types);
	p->zones = calloc(p->nz + 1, sizeof *p->zones);
	p->policy_ref = malloc((p->np + 1) * sizeof *p->policy_ref);
	p->live_ref = malloc((p->np + 1) * sizeof *p->live_ref);
	if (!p->parties || !p->types || !p->zones || !p->policy_ref || !p->live_ref) {
		esc_lua_policy_free(NULL, p);
		return NULL;
	}
	for (size_t i = 0; i < p->np; i++) {
		memcpy(p->parties[i], cfg->parties[i].name, ESC_NAME_MAX);
		p->policy_ref[i] = p->live_ref[i] = LUA_NOREF;
	}
	for (size_t i = 0; i < p->nt; i++)
		memcpy(p->types[i], cfg->types[i].name, ESC_NAME_MAX);
	for (size_t i = 0; i < p->nz; i++)
		memcpy(p->zones[i], cfg->zones[i], ESC_NAME_MAX);
	return p;
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
			if (lua_rawget(L, pol) == LUA_TTABLE)
				p->policy_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
			else
				lua_pop(L, 1);
		}
	}
	lua_settop(L, arm - 1);
}

void esc_lua_policy_free(lua_State *L, esc_lua_policy *p)
{
	if (!p)
		return;
	if (L) {
		luaL_unref(L, LUA_REGISTRYINDEX, p->arm_ref);
		for (size_t i = 0; p->policy_ref && p->live_ref && i < p->np; i++) {
			luaL_unref(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
			luaL_unref(L, LUA_REGISTRYINDEX, p->live_ref[i]);
		}
	}
	free(p->parties);
	free(p->types);
	free(p->zones);
	free(p->policy_ref);
	free(p->live_ref);
	free(p);
}

/* ---- one call ------------------------------------------------------------ */

typedef struct call_job {
	esc_lua_policy *p;
	const esc_hook_ctx *ctx;
	const esc_observation *obs;
	esc_decision *out;
	const char *hook;
} call_job;

static const char *const cause_names[] = {"background", "triggered", "policy"};
static const char *const action_names[] = {"ignore", "protest", "query", "retaliate"};
static const char *const decision_fields[] = {"action", "type", "target", "zone", "delay", "query",
                                               "priority"};
#define FIELDS "action, type, target, zone, delay, query, priority"
/* A query's priority (esc_decision.priority is the index). */
static const char *const priority_names[] = {"flash", "immediate", "routine"};
#define PRIORITY_DEFAULT 1

/* A fresh copy of each party's table when a new replication starts. */
static void refresh(lua_State *L, esc_lua_policy *p, uint64_t rep)
{
	if (p->have_rep && p->rep == rep)
		return;
	for (size_t i = 0; i < p->np; i++) {
		if (p->policy_ref[i] == LUA_NOREF)
			continue;
		lua_rawgeti(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
		esc_lua_deep_copy(L, -1);
		int ref = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_pop(L, 1);
		luaL_unref(L, LUA_REGISTRYINDEX, p->live_ref[i]);
		p->live_ref[i] = ref;
	}
	p->rep = rep;
	p->have_rep = 1;
}

static int name_index(char (*names)[ESC_NAME_MAX], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *list(char *buf, size_t cap, char (*names)[ESC_NAME_MAX], size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && k < cap; i++) {
		int w = snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	return buf;
}

/* The returned value of a field, for messages: 'x', 3, or a type name. */
static const char *shown(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return lua_pushfstring(L, "'%s'", lua_tostring(L, idx));
	if (lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TBOOLEAN)
		return luaL_tolstring(L, idx, NULL);
	return lua_pushfstring(L, "a %s", esc_lua_typename(L, idx));
}

/* Raise "FILE:LINE: HOOK returned FIELD=VALUE: expected ...", FILE:LINE
 * being where the hook function (at stack index HOOK_IDX) is defined: found
 * only when needed, as it costs a string per call. */
#define HOOK_IDX 3
static void bad(lua_State *L, const call_job *j, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
static void bad(lua_State *L, const call_job *j, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lua_Debug ar;
	lua_pushvalue(L, HOOK_IDX);
	if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
		lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.linedefined);
	else
		lua_pushliteral(L, "");
	lua_pushfstring(L, "%s returned %s", j->hook, msg);
	lua_concat(L, 2);
	lua_error(L);
	abort();   /* not reached */
}

static int str_or_bad(lua_State *L, int d, const char *field, const call_job *j,
                      char (*names)[ESC_NAME_MAX], size_t n, const char *what)
{
	char b[400];
	if (lua_getfield(L, d, field) == LUA_TNIL) {
		lua_pop(L, 1);
		return -2;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		bad(L, j, "%s=%s: expected a %s name (one of %s)", field, shown(L, -1), what, list(b, sizeof b, names, n));
	int i = name_index(names, n, lua_tostring(L, -1));
	if (i < 0)
		bad(L, j, "%s=%s: expected a %s name (one of %s)", field, shown(L, -1), what, list(b, sizeof b, names, n));
	lua_pop(L, 1);
	return i;
}

static void read_decision(lua_State *L, int d, const call_job *j)
{
	esc_lua_policy *p = j->p;
	esc_decision *out = j->out;
	if (lua_isnil(L, d))
		return;                              /* ignore */
	if (lua_type(L, d) != LUA_TTABLE)
		bad(L, j, "%s: expected nil or a table {action = ...}", shown(L, d));
	/* Most answers are fine: check the keys in table order, and sort them
	 * only to name the first wrong one the same way in every run. */
	size_t nf = sizeof decision_fields / sizeof decision_fields[0];
	int all_known = 1;
	lua_pushnil(L);
	while (all_known && lua_next(L, d)) {
		lua_pop(L, 1);
		int known = 0;
		if (lua_type(L, -1) == LUA_TSTRING) {
			const char *k = lua_tostring(L, -1);
			for (size_t f = 0; f < nf && !known; f++)
				known = strcmp(k, decision_fields[f]) == 0;
		}
		if (!known) {
			all_known = 0;
			lua_pop(L, 1);
		}
	}
	if (!all_known) {
		int nk = esc_lua_sorted_keys(L, d);
		if (nk < 0)
			bad(L, j, "a table with a key that is not a field name: expected fields " FIELDS);
		for (int i = 1; i <= nk; i++) {
			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING)
				bad(L, j, "a table with [%s]: expected fields " FIELDS,
				    luaL_tolstring(L, -1, NULL));
			const char *k = lua_tostring(L, -1);
			int known = 0;
			for (size_t f = 0; f < nf; f++)
				known |= strcmp(k, decision_fields[f]) == 0;
			if (!known) {
				const char *sug = esc_lua_suggest(k, decision_fields, nf);
				if (sug)
					bad(L, j, "unknown field '%s' (did you mean '%s'?)", k, sug);
				bad(L, j, "unknown field '%s': expected fields " FIELDS, k);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}

	lua_getfield(L, d, "action");
	if (lua_isnil(L, -1))
		bad(L, j, "a table without action: expected action = one of ignore, protest, query, retaliate");
	int action = -1;
	if (lua_type(L, -1) == LUA_TSTRING)
		for (int a = 0; a < 4; a++)
			if (strcmp(lua_tostring(L, -1), action_names[a]) == 0)
				action = a;
	if (action < 0)
		bad(L, j, "action=%s: expected one of ignore, protest, query, retaliate", shown(L, -1));
	lua_pop(L, 1);
	out->action = (esc_action)action;
	if (action == ESC_ACT_QUERY || action == ESC_ACT_RETALIATE) {
		out->priority = PRIORITY_DEFAULT;
		if (lua_getfield(L, d, "priority") != LUA_TNIL) {
			int pr = -1;
			if (lua_type(L, -1) == LUA_TSTRING)
				for (int k = 0; k < 3; k++)
					if (strcmp(lua_tostring(L, -1), priority_names[k]) == 0)
						pr = k;
			if (pr < 0)
				bad(L, j, "priority=%s: expected one of flash, immediate, routine (default immediate)",
				    shown(L, -1));
			out->priority = pr;
		}
		lua_pop(L, 1);
	}
	if (action != ESC_ACT_RETALIATE) {
		for (size_t f = 1; f < nf; f++) {
			if (action == ESC_ACT_QUERY && strcmp(decision_fields[f], "priority") == 0)
				continue;
			if (lua_getfield(L, d, decision_fields[f]) != LUA_TNIL) {
				if (strcmp(decision_fields[f], "priority") == 0)
					bad(L, j, "priority with action='%s': priority goes only with action='query' or 'retaliate'",
					    action_names[action]);
				bad(L, j, "%s with action='%s': type, target, zone, delay and query go only with action='retaliate'",
				    decision_fields[f], action_names[action]);
			}
			lua_pop(L, 1);
		}
		return;
	}
	char b[400];
	int type = str_or_bad(L, d, "type", j, p->types, p->nt, "type");
	if (type == -2)
		bad(L, j, "action='retaliate' without type: expected type = an incident type (one of %s)",
		    list(b, sizeof b, p->types, p->nt));
	out->type = type;
	int target = str_or_bad(L, d, "target", j, p->parties, p->np, "party");
	if (target >= 0)
		out->target = target;
	if (out->target == j->obs->observer)
		bad(L, j, "target='%s': a party cannot retaliate against itself", p->parties[out->target]);
	int zone = str_or_bad(L, d, "zone", j, p->zones, p->nz, "zone");
	if (zone >= 0)
		out->zone = zone;
	out->delay_h = 0;
	int ty = lua_getfield(L, d, "delay");
	if (ty != LUA_TNIL) {
		double x = lua_tonumber(L, -1);
		if (ty != LUA_TNUMBER || !isfinite(x) || x < 0)
			bad(L, j, "delay=%s: expected a number of hours >= 0", shown(L, -1));
		out->delay_h = x;
	}
	lua_pop(L, 1);
	out->query_cell = 0;
	ty = lua_getfield(L, d, "query");
	if (ty != LUA_TNIL) {
		if (ty != LUA_TBOOLEAN)
			bad(L, j, "query=%s: expected true or false", shown(L, -1));
		out->query_cell = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static int call_cf(lua_State *L)
{
	call_job *j = lua_touserdata(L, 1);
	esc_lua_policy *p = j->p;
	const esc_observation *o = j->obs;
	refresh(L, p, j->ctx->rep);
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->live_ref[o->observer]);   /* 2: self */
	int ty = lua_getfield(L, 2, "on_incident_observed");          /* 3: may be inherited */
	if (ty == LUA_TNIL)
		return 0;
	if (ty != LUA_TFUNCTION)
		return luaL_error(L, "%s: expected a function, got %s", j->hook, esc_lua_typename(L, 3));

	if (o->perceived < 0 || (size_t)o->perceived >= p->np || o->type < 0 ||
	    (size_t)o->type >= p->nt || o->zone < 0 || (size_t)o->zone >= p->nz ||
	    (unsigned)o->cause > ESC_CAUSE_POLICY)
		return luaL_error(L, "%s: called with an observation out of range (a bug in the model)", j->hook);

	lua_pushvalue(L, 3);
	lua_pushvalue(L, 2);
	lua_createtable(L, 0, 13);
	lua_pushinteger(L, (lua_Integer)o->incident_id);
	lua_setfield(L, -2, "id");
	lua_pushnumber(L, o->t_incident_h);
	lua_setfield(L, -2, "t");
	lua_pushnumber(L, j->ctx->t_h);
	lua_setfield(L, -2, "now");
	set_str(L, "observer", p->parties[o->observer]);
	set_str(L, "perpetrator", p->parties[o->perceived]);
	set_str(L, "type", p->types[o->type]);
	set_str(L, "zone", p->zones[o->zone]);
	lua_pushinteger(L, o->level);
	lua_setfield(L, -2, "level");
	lua_pushinteger(L, o->fatalities_mil);
	lua_setfield(L, -2, "fatalities_mil");
	lua_pushinteger(L, o->fatalities_civ);
	lua_setfield(L, -2, "fatalities_civ");
	set_str(L, "cause", cause_names[o->cause]);
	lua_pushnumber(L, o->ladder_level);
	lua_setfield(L, -2, "ladder");
	lua_pushboolean(L, o->cell_available);
	lua_setfield(L, -2, "cell_available");
	lua_call(L, 2, 1);     /* a Lua error keeps its own file:line */
	read_decision(L, lua_gettop(L), j);
	return 0;
}

static int lua_on_incident_observed(void *self, const esc_hook_ctx *ctx,
                                    const esc_observation *obs, esc_decision *out,
                                    esc_error *err)
{
	esc_lua_policy *p = self;
	if (!ctx)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: called without a hook context");
	if (obs->observer < 0 || (size_t)obs->observer >= p->np)
		return esc_error_set(err, ESC_ERR_RUNTIME, "policy: observer %d out of range", obs->observer);
	out->action = ESC_ACT_IGNORE;
	out->priority = PRIORITY_DEFAULT;    /* every answer has one; queries may change it */
	if (p->policy_ref[obs->observer] == LUA_NOREF)
		return ESC_OK;                      /* no policy: ignore */
	esc_scenario *s = p->s;
	char hook[96];
	snprintf(hook, sizeof hook, "policies.%s.on_incident_observed", p->parties[obs->observer]);
	call_job j = {p, ctx, obs, out, hook};
	esc_decision saved = *out;
	s->ctx = ctx;
	lua_pushcfunction(s->L, call_cf);
	lua_pushlightuserdata(s->L, &j);
	int rc = esc_lua_pcall(s, 1, 0, hook, err);
	s->ctx = NULL;
	if (rc)
		*out = saved;
	return rc;
}

const esc_policy_type esc_lua_policy_type = {
	.name = "lua",
	.on_incident_observed = lua_on_incident_observed,
};

/* ---- the sim table ----------------------------------------------------------- */

static const esc_hook_ctx *need_run(lua_State *L, const char *what)
{
	esc_scenario *s = esc_lua_scenario(L);
	if (!s->ctx)
		luaL_error(L, "%s is only available while a replication runs", what);
	return s->ctx;
}

static int sim_now(lua_State *L)
{
	lua_pushnumber(L, need_run(L, "sim.now")->t_h);
	return 1;
}

static int sim_rep(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)need_run(L, "sim.rep")->rep);
	return 1;
}

/* Like math.random: () -> [0, 1); (m) -> 1..m; (m, n) -> m..n. */
static int sim_random(lua_State *L)
{
	const esc_hook_ctx *ctx = need_run(L, "sim.random");
	if (!ctx->rng)
		return luaL_error(L, "sim.random: no random stream for this hook");
	lua_Integer lo, hi;
	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, gsl_rng_uniform(ctx->rng));
		return 1;
	case 1:
		lo = 1;
		hi = luaL_checkinteger(L, 1);
		break;
	case 2:
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "sim.random: expected 0, 1 or 2 arguments");
	}
	if (lo > hi)
		return luaL_error(L, "sim.random: interval is empty (%I > %I)", lo, hi);
	unsigned long width = (unsigned long)((lua_Unsigned)hi - (lua_Unsigned)lo);
	unsigned long range = gsl_rng_max(ctx->rng) - gsl_rng_min(ctx->rng);
	if ((lua_Unsigned)hi - (lua_Unsigned)lo >= (lua_Unsigned)range)
		return luaL_error(L, "sim.random: interval too large for the generator (at most %I values)",
		                  (lua_Integer)range);
	lua_pushinteger(L, (lua_Integer)((lua_Unsigned)lo + gsl_rng_uniform_int(ctx->rng, width + 1)));
	return 1;
}

void esc_lua_open_sim(lua_State *L, int env)
{
	static const luaL_Reg fns[] = {
		{"now", sim_now},
		{"rep", sim_rep},
		{"random", sim_random},
		{"sorted_pairs", esc_lua_sorted_pairs},
		{NULL, NULL},
	};
	luaL_newlib(L, fns);
	lua_setfield(L, env, "sim");
}
