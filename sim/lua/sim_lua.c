/* sim_lua.c: the `sim` table scripts use while a replication runs.
 *
 *   sim.now() sim.rep() sim.party()            the clock, the replication, whose hook
 *   sim.kind(party)                            "state", "nonstate" or "supervisor"
 *   sim.random([m [, n]])                      the party's own random stream
 *   sim.sorted_pairs(t)                        iteration in a fixed order
 *   sim.ladder(from, to) sim.tension(a, b)     read-only queries of the state
 *   sim.regime() sim.cell_up([party]) sim.recent(hours)
 *   sim.schedule(dt, fn) sim.cancel(token)     timers: fn runs later as the same party
 *   sim.spawn(fn, ...) sim.wait(dt)            processes (coroutines) that wait
 *   sim.act{...}                               act now as the hook's party
 *   sim.log(key, value)                        a row of the user log
 *
 * Everything but sorted_pairs needs a hook call in progress; the queries and
 * actions also need the engine (escsim/engine.h), which unit tests that call
 * hooks directly leave out: then they raise "sim.X is only available while a
 * replication runs".  Functions kept for later (sim.schedule) and processes
 * live in the replication's run table and are dropped by the next begin.
 */
#include <math.h>
#include <string.h>

#include "escsim/engine.h"
#include "script.h"

static esc_lua_call *need_call(lua_State *L, const char *what)
{
	esc_scenario *s = esc_lua_scenario(L);
	if (!s->call)
		luaL_error(L, "%s is only available while a replication runs", what);
	return s->call;
}

static esc_lua_call *need_engine(lua_State *L, const char *what)
{
	esc_lua_call *c = need_call(L, what);
	if (!c->ctx.engine)
		luaL_error(L, "%s is only available while a replication runs", what);
	return c;
}

/* The hook's party (for actions and timers). */
static int need_party(lua_State *L, const esc_lua_call *c, const char *what)
{
	if (c->ctx.party < 0 || (size_t)c->ctx.party >= c->p->np)
		luaL_error(L, "%s: this call runs for no party", what);
	return c->ctx.party;
}

static int party_arg(lua_State *L, int idx, const esc_lua_call *c, const char *what)
{
	char b[400];
	const char *name = lua_tostring(L, idx);
	int i = lua_type(L, idx) == LUA_TSTRING ? esc_lua_name_index(c->p->parties, c->p->np, name) : -1;
	if (i < 0) {
		if (lua_type(L, idx) == LUA_TSTRING)
			luaL_error(L, "%s: unknown party '%s' (known: %s)", what, name,
			           esc_lua_name_list(b, sizeof b, c->p->parties, c->p->np));
		luaL_error(L, "%s: argument %d: expected a party name (one of %s), got %s", what, idx,
		           esc_lua_name_list(b, sizeof b, c->p->parties, c->p->np), esc_lua_typename(L, idx));
	}
	return i;
}

/* A number of hours >= 0 (finite unless inf_ok). */
static double hours_arg(lua_State *L, int idx, const char *what, int inf_ok)
{
	double x = lua_tonumber(L, idx);
	if (lua_type(L, idx) != LUA_TNUMBER || isnan(x) || x < 0 || (!inf_ok && isinf(x)))
		luaL_error(L, "%s: argument %d: expected a number of hours >= 0%s, got %s", what, idx,
		           inf_ok ? " (math.huge: all)" : "",
		           lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : esc_lua_typename(L, idx));
	return x;
}

static int engine_error(lua_State *L, const char *what, const esc_error *err)
{
	esc_scenario *s = esc_lua_scenario(L);
	if (!err->msg[0]) {
		/* The engine failed the run and reported it itself: unwind
		 * without overwriting its message. */
		s->engine_failed = 1;
		return luaL_error(L, "%s: the replication failed", what);
	}
	return luaL_error(L, "%s: %s", what, err->msg);
}

/* ---- the clock, the replication, random numbers ------------------------------- */

static int sim_now(lua_State *L)
{
	lua_pushnumber(L, need_call(L, "sim.now")->ctx.t_h);
	return 1;
}

static int sim_rep(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)need_call(L, "sim.rep")->ctx.rep);
	return 1;
}

static int sim_party(lua_State *L)
{
	esc_lua_call *c = need_call(L, "sim.party");
	if (c->ctx.party < 0 || (size_t)c->ctx.party >= c->p->np)
		return 0;
	lua_pushstring(L, c->p->parties[c->ctx.party]);
	return 1;
}

static int sim_kind(lua_State *L)
{
	static const char *const kinds[] = {"state", "nonstate", "supervisor"};
	esc_lua_call *c = need_call(L, "sim.kind");
	int i = party_arg(L, 1, c, "sim.kind");
	int k = c->p->kinds[i];
	lua_pushstring(L, k >= 0 && k < 3 ? kinds[k] : "state");
	return 1;
}

/* Like math.random: () -> [0, 1); (m) -> 1..m; (m, n) -> m..n. */
static int sim_random(lua_State *L)
{
	esc_lua_call *c = need_call(L, "sim.random");
	gsl_rng *r = c->ctx.rng;
	if (!r)
		return luaL_error(L, "sim.random: no random stream for this hook");
	lua_Integer lo, hi;
	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, gsl_rng_uniform(r));
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
	unsigned long range = gsl_rng_max(r) - gsl_rng_min(r);
	if ((lua_Unsigned)hi - (lua_Unsigned)lo >= (lua_Unsigned)range)
		return luaL_error(L, "sim.random: interval too large for the generator (at most %I values)",
		                  (lua_Integer)range);
	lua_pushinteger(L, (lua_Integer)((lua_Unsigned)lo + gsl_rng_uniform_int(r, width + 1)));
	return 1;
}

/* ---- queries ------------------------------------------------------------------------ */

static int sim_ladder(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.ladder");
	int a = party_arg(L, 1, c, "sim.ladder");
	int b = party_arg(L, 2, c, "sim.ladder");
	lua_pushnumber(L, esc_engine_ladder(c->ctx.engine, a, b));
	return 1;
}

static int sim_tension(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.tension");
	int a = party_arg(L, 1, c, "sim.tension");
	int b = party_arg(L, 2, c, "sim.tension");
	double x = esc_engine_ladder(c->ctx.engine, a, b), y = esc_engine_ladder(c->ctx.engine, b, a);
	lua_pushnumber(L, x > y ? x : y);
	return 1;
}

static int sim_regime(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.regime");
	int st = esc_engine_regime(c->ctx.engine);
	if (st < 0 || (size_t)st >= c->p->ns)
		return 0;
	lua_pushstring(L, c->p->states[st]);
	return 1;
}

static int sim_cell_up(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.cell_up");
	int party = lua_isnoneornil(L, 1) ? need_party(L, c, "sim.cell_up (name a party)")
	                                  : party_arg(L, 1, c, "sim.cell_up");
	lua_pushboolean(L, esc_engine_cell_up(c->ctx.engine, party));
	return 1;
}

static int sim_recent(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.recent");
	double w = hours_arg(L, 1, "sim.recent", 1);
	size_t n = esc_engine_recent(c->ctx.engine, w, NULL, 0);
	esc_event_row *rows = lua_newuserdatauv(L, (n ? n : 1) * sizeof *rows, 0);
	size_t got = esc_engine_recent(c->ctx.engine, w, rows, n);
	if (got < n)
		n = got;
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		esc_lua_push_event(L, c->p, &rows[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* ---- timers and processes ------------------------------------------------------ */

/* The run table of the replication: {timers, procs, triggers}, made by
 * begin (policy_lua.c). */
void esc_lua_push_run(lua_State *L, const esc_lua_policy *p)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->run_ref);
}

/* Keep the value on the top of the stack as timer `token` (popped). */
static void keep_timer(lua_State *L, const esc_lua_call *c, int64_t token)
{
	esc_lua_push_run(L, c->p);
	lua_getfield(L, -1, "timers");
	lua_pushvalue(L, -3);
	lua_rawseti(L, -2, token);
	lua_pop(L, 3);
}

/* What a timer costs outside Lua: its entry in the model's list of timers
 * (kept for the replication), the kernel's slot and heap entry, with room
 * for the arrays' doubling.  And an action: the incident or request it
 * makes, its messages and rows, kept for the replication. */
#define TIMER_BYTES 128
#define ACT_BYTES 256

/* A timer that leaves the clock where it is (dt 0, or too small to move
 * it: now + 5e-324 == now) is a step of a loop in zero time if it repeats:
 * stopped here, at the script's line, before the kernel's own guard. */
static void check_still(lua_State *L, esc_lua_call *c, double dt, const char *what)
{
	esc_lua_policy *p = c->p;
	double now = c->ctx.t_h;
	if (now + dt != now)
		return;
	if (p->still_n == 0 || p->still_t != now) {
		p->still_t = now;
		p->still_n = 0;
	}
	if (++p->still_n > p->max_still)
		luaL_error(L, "%s: more than %I timers and waits at one time that leave the clock where "
		           "it is (limits.steps_per_instant): a loop in zero time?", what,
		           (lua_Integer)p->max_still);
}

static int64_t schedule(lua_State *L, esc_lua_call *c, double dt, const char *what)
{
	int party = need_party(L, c, what);
	check_still(L, c, dt, what);
	esc_lua_charge(L, TIMER_BYTES, what);
	int64_t token = c->p->next_token++;
	keep_timer(L, c, token);
	esc_error err;               /* cleared, not zeroed: 1 KiB */
	esc_error_clear(&err);
	if (esc_engine_schedule(c->ctx.engine, party, dt, token, &err))
		engine_error(L, what, &err);
	return token;
}

static int sim_schedule(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.schedule");
	double dt = hours_arg(L, 1, "sim.schedule", 0);
	if (lua_type(L, 2) != LUA_TFUNCTION)
		return luaL_error(L, "sim.schedule: argument 2: expected a function to call later, got %s",
		                  esc_lua_typename(L, 2));
	lua_settop(L, 2);
	lua_Integer token = (lua_Integer)schedule(L, c, dt, "sim.schedule");
	lua_pushinteger(L, token);
	return 1;
}

static int sim_cancel(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.cancel");
	lua_Integer token = luaL_checkinteger(L, 1);
	esc_lua_push_run(L, c->p);
	lua_getfield(L, -1, "timers");
	int was = lua_rawgeti(L, -1, token) == LUA_TFUNCTION;
	lua_pop(L, 1);
	if (was) {
		lua_pushboolean(L, 0);               /* fires, and does nothing */
		lua_rawseti(L, -2, token);
	}
	lua_pushboolean(L, was);
	return 1;
}

/* Is co a process started by sim.spawn in this replication?  Pushes where
 * it was started ("FILE:LINE") when it is. */
int esc_lua_process_site(lua_State *L, lua_State *co)
{
	esc_scenario *s = esc_lua_scenario(L);
	if (!s->call || !s->call->p || s->call->p->run_ref == LUA_NOREF)
		return 0;
	if (co != L && !lua_checkstack(co, 1))
		return 0;
	esc_lua_push_run(L, s->call->p);
	lua_getfield(L, -1, "procs");
	lua_pushthread(co);                 /* onto co's stack: moved to L's */
	if (co != L)
		lua_xmove(co, L, 1);
	if (lua_rawget(L, -2) != LUA_TSTRING) {
		lua_pop(L, 3);
		return 0;
	}
	lua_replace(L, -3);
	lua_pop(L, 1);
	return 1;
}

static int is_process(lua_State *L, const esc_lua_call *c)
{
	(void)c;
	if (!esc_lua_process_site(L, L))
		return 0;
	lua_pop(L, 1);
	return 1;
}

static int sim_wait(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.wait");
	double dt = hours_arg(L, 1, "sim.wait", 0);
	if (!is_process(L, c))
		return luaL_error(L, "sim.wait: only inside a process started with sim.spawn (use sim.schedule in a hook)");
	lua_settop(L, 0);
	lua_pushthread(L);
	schedule(L, c, dt, "sim.wait");
	esc_lua_scenario(L)->waiting = 1;
	return lua_yield(L, 0);
}

void esc_lua_resume(lua_State *L, lua_State *co, int nargs)
{
	esc_scenario *s = esc_lua_scenario(L);
	int nres = 0;
	s->waiting = 0;
	lua_State *prev = s->running;
	s->running = co;            /* where the watchdog stops an overrun */
	int st = lua_resume(co, L, nargs, &nres);
	s->running = prev;
	esc_lua_arm_if_stopping(L);
	if (st == LUA_YIELD) {
		int waited = s->waiting;
		lua_pop(co, nres);
		if (!waited)
			luaL_error(L, "a process yielded without sim.wait; processes wait with sim.wait(hours) "
			              "(coroutine.yield only inside coroutines they create)");
		return;
	}
	if (st == LUA_OK) {
		lua_pop(co, nres);
		return;
	}
	/* An error: the process's stack is still there to find its line. */
	const char *msg = lua_tostring(co, -1);
	if (!msg) {
		if (luaL_callmeta(co, -1, "__tostring") && lua_type(co, -1) == LUA_TSTRING)
			msg = lua_tostring(co, -1);
		else
			msg = lua_pushfstring(co, "(error object is a %s value)", luaL_typename(co, -1));
	}
	if (!esc_lua_has_location(msg)) {
		lua_Debug ar;
		for (int level = 0; lua_getstack(co, level, &ar); level++)
			if (lua_getinfo(co, "Sl", &ar) && ar.currentline > 0) {
				msg = lua_pushfstring(co, "%s:%d: %s", ar.short_src, ar.currentline, msg);
				break;
			}
	}
	if (!esc_lua_has_location(msg) && esc_lua_process_site(L, co)) {
		/* nothing left on its stack (it ended): where it was started */
		lua_pushfstring(L, "%s: %s (the process started here)", lua_tostring(L, -1), msg);
		lua_error(L);
	}
	lua_pushstring(L, msg);
	lua_error(L);
}

static int sim_spawn(lua_State *L)
{
	esc_lua_call *c = need_call(L, "sim.spawn");
	need_party(L, c, "sim.spawn");
	if (lua_type(L, 1) != LUA_TFUNCTION)
		return luaL_error(L, "sim.spawn: argument 1: expected a function (the process), got %s",
		                  esc_lua_typename(L, 1));
	if (c->p->run_ref == LUA_NOREF)
		return luaL_error(L, "sim.spawn: no replication has begun");
	int nargs = lua_gettop(L) - 1;
	lua_State *co = lua_newthread(L);
	esc_lua_push_run(L, c->p);
	lua_getfield(L, -1, "procs");
	lua_pushvalue(L, -3);
	luaL_where(L, 1);                    /* where it starts, for its errors */
	size_t wn;
	const char *w = lua_tolstring(L, -1, &wn);
	lua_pushlstring(L, w, wn >= 2 ? wn - 2 : 0);   /* without ": " */
	lua_remove(L, -2);
	lua_rawset(L, -3);
	lua_pop(L, 2);                       /* the thread stays on the stack while it runs */
	lua_pushvalue(L, 1);
	for (int i = 0; i < nargs; i++)
		lua_pushvalue(L, 2 + i);
	lua_xmove(L, co, nargs + 1);
	esc_lua_resume(L, co, nargs);
	return 0;
}

/* ---- actions and the log ---------------------------------------------------------- */

static int sim_act(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.act");
	int party = need_party(L, c, "sim.act");
	if (lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, "sim.act: expected a table {action = ..., ...}, got %s", esc_lua_typename(L, 1));
	lua_settop(L, 1);
	int64_t about = c->about;
	int target = c->target, zone = c->zone;
	if (lua_getfield(L, 1, "about") != LUA_TNIL) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < -1)
			esc_lua_bad(L, NULL, "sim.act: ", "about=%s: expected an event id (ev.id, inc.id) or -1 for none",
			            lua_tostring(L, -1) ? lua_tostring(L, -1) : esc_lua_typename(L, -1));
		if (lua_tointeger(L, -1) != about) {   /* another event: no defaults from this one */
			about = (int64_t)lua_tointeger(L, -1);
			target = zone = -1;
		}
	}
	lua_pop(L, 1);
	esc_decision d = {
		.action = ESC_ACT_IGNORE, .target = target == party ? -1 : target, .type = -1,
		.zone = zone, .delay_h = 0, .query_cell = 0, .priority = 1,
	};
	esc_lua_call view = *c;
	view.fn_idx = 0;                     /* errors point at the caller's line */
	esc_lua_read_decision(L, 1, &view, "sim.act: ", party, &d, 1);
	if (d.action == ESC_ACT_IGNORE)
		return 0;
	if ((d.action == ESC_ACT_RETALIATE || d.action == ESC_ACT_PROTEST) && d.target < 0)
		esc_lua_bad(L, NULL, "sim.act: ", "action='%s' without target: expected target = a party (no event to aim at)",
		            d.action == ESC_ACT_RETALIATE ? "retaliate" : "protest");
	if ((d.action == ESC_ACT_RETALIATE || d.action == ESC_ACT_PROTEST) && d.zone < 0)
		esc_lua_bad(L, NULL, "sim.act: ", "action='%s' without zone: expected zone = a zone (no event to take it from)",
		            d.action == ESC_ACT_RETALIATE ? "retaliate" : "protest");
	if (d.action == ESC_ACT_QUERY && about < 0)
		esc_lua_bad(L, NULL, "sim.act: ", "action='query' about no event: a query asks who did an incident (set about = its id)");
	if (d.query_cell && about < 0)
		esc_lua_bad(L, NULL, "sim.act: ", "query=true about no event: the cell is asked who did an incident (set about = its id)");
	esc_lua_charge(L, ACT_BYTES, "sim.act");
	esc_error err;               /* cleared, not zeroed: 1 KiB */
	esc_error_clear(&err);
	if (esc_engine_act(c->ctx.engine, party, &d, about, &err))
		return engine_error(L, "sim.act", &err);
	return 0;
}

static int sim_log(lua_State *L)
{
	esc_lua_call *c = need_engine(L, "sim.log");
	size_t n;
	const char *key = lua_tolstring(L, 1, &n);
	if (lua_type(L, 1) != LUA_TSTRING || !esc_lua_is_identifier(key, n, 31))
		return luaL_error(L, "sim.log: argument 1: expected a name of 1 to 31 letters, digits and _, got %s",
		                  lua_type(L, 1) == LUA_TSTRING ? lua_pushfstring(L, "'%s'", key) : esc_lua_typename(L, 1));
	double v;
	if (lua_type(L, 2) == LUA_TBOOLEAN)
		v = lua_toboolean(L, 2);
	else if (lua_type(L, 2) == LUA_TNUMBER && isfinite(lua_tonumber(L, 2)))
		v = lua_tonumber(L, 2);
	else
		return luaL_error(L, "sim.log: argument 2: expected a finite number or a boolean, got %s",
		                  lua_type(L, 2) == LUA_TNUMBER ? lua_tostring(L, 2) : esc_lua_typename(L, 2));
	if (++c->p->log_rows > c->p->max_log_rows)
		return luaL_error(L, "sim.log: more than %I rows in one replication (limits.log)",
		                  (lua_Integer)c->p->max_log_rows);
	esc_error err;               /* cleared, not zeroed: 1 KiB */
	esc_error_clear(&err);
	if (esc_engine_log(c->ctx.engine, c->ctx.party, key, v, &err))
		return engine_error(L, "sim.log", &err);
	return 0;
}

void esc_lua_open_sim(lua_State *L, int env)
{
	static const luaL_Reg fns[] = {
		{"now", sim_now},
		{"rep", sim_rep},
		{"party", sim_party},
		{"kind", sim_kind},
		{"random", sim_random},
		{"sorted_pairs", esc_lua_sorted_pairs},
		{"ladder", sim_ladder},
		{"tension", sim_tension},
		{"regime", sim_regime},
		{"cell_up", sim_cell_up},
		{"recent", sim_recent},
		{"schedule", sim_schedule},
		{"cancel", sim_cancel},
		{"spawn", sim_spawn},
		{"wait", sim_wait},
		{"act", sim_act},
		{"log", sim_log},
		{NULL, NULL},
	};
	luaL_newlib(L, fns);
	lua_setfield(L, env, "sim");
}
