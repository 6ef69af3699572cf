/* coroutine_lua.c: coroutine.resume, wrap and close as the sandbox has them.
 *
 * They behave as Lua's own, with two differences.  While a coroutine runs,
 * esc_scenario.running names it, so that the watchdog (watchdog.c) arms its
 * stop hook on the thread actually running a script that overran, and a
 * coroutine handing back to one that must stop arms it there too.  And an
 * error that wrap passes on gets the caller's position only when it has
 * none yet: Lua adds one per level, so an error from deep in nested
 * wrap calls would reach the user as a kilobyte of positions without its
 * cause.
 *
 * Invariant: running is set only around lua_resume and lua_resetthread,
 * which return rather than raise, and is restored before anything that can
 * raise, so it never names a thread nobody anchors.
 */
#include "script.h"

/* Run co (resume, or close when nargs < 0) as the scenario's running
 * coroutine. */
static int run_as(lua_State *L, lua_State *co, int nargs, int *nres)
{
	esc_scenario *s = esc_lua_scenario(L);
	lua_State *prev = s->running;
	s->running = co;
	int st = nargs < 0 ? lua_resetthread(co) : lua_resume(co, L, nargs, nres);
	s->running = prev;
	esc_lua_arm_if_stopping(L);
	return st;
}

/* Lua's auxresume: the results (>= 0 of them) or -1 and the error. */
static int resume(lua_State *L, lua_State *co, int narg)
{
	if (!lua_checkstack(co, narg)) {
		lua_pushliteral(L, "too many arguments to resume");
		return -1;
	}
	lua_xmove(L, co, narg);
	int nres = 0;
	int st = run_as(L, co, narg, &nres);
	if (st == LUA_OK || st == LUA_YIELD) {
		if (!lua_checkstack(L, nres + 1)) {
			lua_pop(co, nres);
			lua_pushliteral(L, "too many results to resume");
			return -1;
		}
		lua_xmove(co, L, nres);
		return nres;
	}
	lua_xmove(co, L, 1);
	return -1;
}

static lua_State *check_co(lua_State *L)
{
	lua_State *co = lua_tothread(L, 1);
	luaL_argexpected(L, co, 1, "coroutine");
	return co;
}

/* A process of sim.spawn runs when its sim.wait is over; resumed or closed
 * by hand, it would run early or never, and its timer would then find it
 * dead. */
static lua_State *check_not_process(lua_State *L, lua_State *co, const char *what)
{
	if (esc_lua_process_site(L, co))
		luaL_error(L, "coroutine.%s: a process started with sim.spawn (at %s) runs when its "
		           "sim.wait is over: it cannot be %s by hand", what, lua_tostring(L, -1),
		           what[0] == 'r' ? "resumed" : "closed");
	return co;
}

static int co_resume(lua_State *L)
{
	lua_State *co = check_not_process(L, check_co(L), "resume");
	int r = resume(L, co, lua_gettop(L) - 1);
	if (r < 0) {
		lua_pushboolean(L, 0);
		lua_insert(L, -2);
		return 2;
	}
	lua_pushboolean(L, 1);
	lua_insert(L, -(r + 1));
	return r + 1;
}

static int wrapped(lua_State *L)
{
	lua_State *co = lua_tothread(L, lua_upvalueindex(1));
	int r = resume(L, co, lua_gettop(L));
	if (r >= 0)
		return r;
	int st = lua_status(co);
	if (st != LUA_OK && st != LUA_YIELD) {       /* an error in the coroutine */
		st = run_as(L, co, -1, NULL);            /* close its tbc variables */
		lua_xmove(co, L, 1);
	}
	if (st != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING &&
	    !esc_lua_has_location(lua_tostring(L, -1))) {
		luaL_where(L, 1);
		lua_insert(L, -2);
		lua_concat(L, 2);
	}
	return lua_error(L);
}

static int co_wrap(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_State *co = lua_newthread(L);
	lua_pushvalue(L, 1);
	lua_xmove(L, co, 1);
	lua_pushcclosure(L, wrapped, 1);
	return 1;
}

/* close(co): Lua's own (upvalue 1) decides, in protected mode so that
 * running is restored before its error is passed on. */
static int co_close(lua_State *L)
{
	lua_State *co = check_not_process(L, check_co(L), "close");
	esc_scenario *s = esc_lua_scenario(L);
	lua_settop(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_State *prev = s->running;
	s->running = co;
	int st = lua_pcall(L, 1, LUA_MULTRET, 0);
	s->running = prev;
	esc_lua_arm_if_stopping(L);
	if (st != LUA_OK)
		return lua_error(L);
	return lua_gettop(L) - 1;
}

void esc_lua_open_coroutine(lua_State *L, int co)
{
	co = lua_absindex(L, co);
	lua_pushcfunction(L, co_resume);
	lua_setfield(L, co, "resume");
	lua_pushcfunction(L, co_wrap);
	lua_setfield(L, co, "wrap");
	lua_getfield(L, co, "close");
	lua_pushcclosure(L, co_close, 1);
	lua_setfield(L, co, "close");
}
