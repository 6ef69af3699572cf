/* sandbox.c: the Lua state every scenario runs in.
 *
 * Owns the capped allocator, the safe environment scripts see (no io, os, debug,
 * package, dofile, loadfile, string.dump, math.random, __gc finalizers;
 * `load` for text only; `print` to stderr; `pairs` in sorted order; the
 * bounded string, table and coroutine functions of pattern.c, stdlib_lua.c
 * and coroutine_lua.c), and the protected-call discipline: nothing that can
 * raise a Lua error runs outside lua_pcall, because an unprotected error
 * would end the process.  The libraries above it (distributions, `sim`,
 * scenario{}, require) are the scenario layer's to add
 * (scenario.c: esc_lua_state_open).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "script.h"

/* A call may allocate at most CHURN_FACTOR times the memory cap in all:
 * far above what any policy or scenario needs, and a bound on the memory
 * traffic of building ever longer strings within its budget. */
#define CHURN_FACTOR 16
#define CHARGE_SLACK 4096     /* bytes esc_lua_charge leaves for its message */

/* ---- allocator ------------------------------------------------------ */

/* Refuses to grow past the cap (Lua then collects and retries, and raises
 * "not enough memory" if that does not help); a shrink or free never fails,
 * as Lua requires. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	esc_scenario *s = ud;
	size_t old = ptr ? osize : 0;   /* without ptr, osize is a type tag */
	if (nsize == 0) {
		esc_lua_blocks_release(s->blocks, ptr, old);
		s->mem_used -= old;
		return NULL;
	}
	if (nsize > old) {
		size_t grow = nsize - old;
		if (grow > s->mem_limit || s->mem_used + s->c_bytes > s->mem_limit - grow) {
			s->mem_refused = 1;
			return NULL;
		}
		if (s->churn > (size_t)CHURN_FACTOR * s->mem_limit) {
			s->churn_refused = 1;
			return NULL;
		}
		s->churn += grow;
	}
	void *p = esc_lua_blocks_realloc(s->blocks, ptr, old, nsize);
	if (!p) {
		if (nsize <= old)
			return ptr;             /* keep the larger block */
		return NULL;
	}
	s->mem_used = s->mem_used - old + nsize;
	return p;
}

static int on_panic(lua_State *L)
{
	/* Only reachable through a bug in this layer: every entry is protected. */
	const char *msg = lua_tostring(L, -1);
	fprintf(stderr, "escsim: unprotected Lua error: %s\n", msg ? msg : "?");
	return 0;   /* Lua aborts */
}

/* ---- limits ---------------------------------------------------------- */

int esc_lua_set_limits(esc_scenario *s, size_t memory, double cpu_s, esc_error *err)
{
	if (memory) {
		if (memory < ESC_LUA_MIN_MEMORY)
			return esc_error_set(err, ESC_ERR_INPUT,
			                     "limits.memory: expected at least 1 MiB (%zu bytes), got %zu",
			                     ESC_LUA_MIN_MEMORY, memory);
		if (memory < s->mem_used)
			return esc_error_set(err, ESC_ERR_INPUT,
			                     "limits.memory: %zu bytes is less than the %zu the scenario already uses",
			                     memory, s->mem_used);
		s->mem_limit = memory;
	}
	if (cpu_s > 0) {
		s->cpu_budget_s = cpu_s;
		snprintf(s->cpu_text, sizeof s->cpu_text, "%g", cpu_s);
	}
	return ESC_OK;
}

void esc_lua_charge(lua_State *L, size_t bytes, const char *what)
{
	esc_scenario *s = esc_lua_scenario(L);
	/* Refused with room left for the error's own message. */
	bytes += CHARGE_SLACK;
	if (bytes > s->mem_limit || s->mem_used + s->c_bytes > s->mem_limit - bytes) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s: memory cap of %g MiB exceeded (limits.memory), %zu bytes "
		         "of it outside Lua (the timers, waits and actions of this replication)", what,
		         (double)s->mem_limit / (1024.0 * 1024.0), s->c_bytes);
		luaL_error(L, "%s", msg);
	}
	s->c_bytes += bytes - CHARGE_SLACK;
}

/* ---- protected calls ------------------------------------------------ */
/* Message handler: make the error a string and append a traceback, which
 * esc_lua_pcall splits off again (kept for whoever wants it). */
static int traceback_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	/* Errors raised by the VM from inside a C function (a yield outside a
	 * coroutine) and error objects that are not strings carry no place:
	 * name the innermost line of script running. */
	if (!esc_lua_has_location(msg)) {
		lua_Debug ar;
		for (int level = 1; lua_getstack(L, level, &ar); level++) {
			if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
				msg = lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
				break;
			}
		}
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* The length of a leading "CHUNK:LINE: " in msg, or 0. */
static size_t location_len(const char *msg)
{
	for (const char *c = strchr(msg, ':'); c && c - msg < 512; c = strchr(c + 1, ':')) {
		if (memchr(msg, '\n', (size_t)(c - msg)))
			return 0;
		const char *d = c + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > c + 1 && d[0] == ':' && d[1] == ' ')
			return (size_t)(d + 2 - msg);
	}
	return 0;
}

/* msg[0..n) into err.  An error re-raised through many levels (a recursive
 * coroutine.wrap, error(e) after pcall) collects a location per level in
 * front of its cause and would be cut short of the cause: such a run of
 * locations keeps its first and last, with their number. */
static void set_message(esc_error *err, const char *msg, size_t n)
{
	size_t first = location_len(msg), at = first, k = 0, last = 0;
	for (size_t l; first && at < n && (l = location_len(msg + at)) > 0; at += l, k++)
		last = at;
	if (k < 3) {
		esc_error_set(err, ESC_ERR_INPUT, "%.*s", (int)n, msg);
		return;
	}
	size_t last_len = location_len(msg + last);
	esc_error_set(err, ESC_ERR_INPUT, "%.*s%.*s%.*s [%zu locations between left out]",
	              (int)first, msg, (int)last_len, msg + last, (int)(n - at), msg + at, k - 1);
}

int esc_lua_pcall(esc_scenario *s, int nargs, int nresults, const char *what,
                  esc_error *err)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, traceback_handler);
	lua_insert(L, base);
	int outer = s->depth++ == 0;
	lua_State *running = s->running;
	if (outer) {
		s->mem_refused = 0;
		s->churn = 0;
		s->churn_refused = 0;
		esc_lua_call_begin(s);
	} else {
		s->running = NULL;       /* this call runs on L, whoever called it */
	}
	int rc = lua_pcall(L, nargs, nresults, base);
	int stop = rc == LUA_OK ? 0 : esc_lua_stopping(s);
	s->depth--;
	if (outer)
		esc_lua_call_end(s);
	else
		s->running = running;
	if (rc == LUA_OK) {
		lua_remove(L, base);
		return ESC_OK;
	}
	/* Nothing below allocates in Lua: the state may be at its cap. */
	const char *msg = lua_tostring(L, -1);
	int oom = rc == LUA_ERRMEM || rc == LUA_ERRERR || !msg ||
	          strstr(msg, "not enough memory") != NULL;
	if (stop == ESC_LUA_STOP_INTERRUPT) {
		esc_error_set(err, ESC_ERR_INTERRUPTED, "%s%sinterrupted by a signal",
		              what ? what : "", what ? ": " : "");
	} else if (oom && s->churn_refused && !s->mem_refused) {
		esc_error_set(err, ESC_ERR_INPUT, "%s%sallocated more than %g MiB in one call "
		              "(%d times the memory cap): runaway string building?",
		              what ? what : "", what ? ": " : "",
		              (double)CHURN_FACTOR * (double)s->mem_limit / (1024.0 * 1024.0),
		              CHURN_FACTOR);
	} else if (oom && s->mem_refused) {
		esc_error_set(err, ESC_ERR_INPUT, "%s%smemory cap of %g MiB exceeded (limits.memory)",
		              what ? what : "", what ? ": " : "",
		              (double)s->mem_limit / (1024.0 * 1024.0));
	} else if (rc == LUA_ERRMEM) {
		esc_error_set(err, ESC_ERR_RUNTIME, "%s%sout of memory",
		              what ? what : "", what ? ": " : "");
	} else if (!msg) {
		esc_error_set(err, ESC_ERR_INPUT, "%s%serror without a message",
		              what ? what : "", what ? ": " : "");
	} else {
		const char *tb = strstr(msg, "\nstack traceback:");
		set_message(err, msg, tb ? (size_t)(tb - msg) : strlen(msg));
		free(s->traceback);
		s->traceback = strdup(msg);
	}
	lua_pop(L, 2);   /* message, handler */
	return err ? err->status : ESC_ERR_INPUT;
}

/* ---- the environment ------------------------------------------------ */

void esc_lua_push_env(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_ENV);
}

int esc_lua_load_text(lua_State *L, const char *text, size_t len, const char *chunkname)
{
	int rc = luaL_loadbufferx(L, text, len, chunkname, "t");
	if (rc != LUA_OK)
		return rc;
	esc_lua_push_env(L);
	lua_setupvalue(L, -2, 1);   /* a main chunk's first upvalue is _ENV */
	return LUA_OK;
}

/* load(chunk [, chunkname [, mode [, env]]]): strings of source text only. */
static int sandbox_load(lua_State *L)
{
	size_t len;
	const char *chunk = lua_tolstring(L, 1, &len);
	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "load: only source text (a string) can be loaded in the sandbox, got %s",
		                  luaL_typename(L, 1));
	const char *name = luaL_optstring(L, 2, "=(load)");
	const char *mode = luaL_optstring(L, 3, "t");
	if (!strchr(mode, 't')) {
		luaL_pushfail(L);
		lua_pushliteral(L, "load: binary chunks are not allowed in the sandbox");
		return 2;
	}
	int rc = luaL_loadbufferx(L, chunk, len, name, "t");
	if (rc != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (!lua_isnone(L, 4))
		lua_pushvalue(L, 4);
	else
		esc_lua_push_env(L);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

static int sandbox_print(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	luaL_addstring(&b, "[lua] ");
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_addchar(&b, '\n');
	luaL_pushresult(&b);
	size_t len;
	const char *line = lua_tolstring(L, -1, &len);
	fwrite(line, 1, len, stderr);   /* one write, so lines from threads stay whole */
	fflush(stderr);
	return 0;
}

static int sandbox_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "collect");
	if (strcmp(opt, "count") != 0)
		return luaL_error(L, "collectgarbage: only \"count\" is available in the sandbox, got \"%s\"", opt);
	int kb = lua_gc(L, LUA_GCCOUNT), rest = lua_gc(L, LUA_GCCOUNTB);
	lua_pushnumber(L, (lua_Number)kb + (lua_Number)rest / 1024.0);
	return 1;
}

/* setmetatable without __gc: a finalizer runs whenever the collector gets
 * to it, so what it does (draw sim.random, change a table) would depend on
 * the heap's history and break reproducibility.  Lua only registers an
 * object for finalization if its metatable has __gc when set, so refusing
 * it here is enough.  upvalue 1: the real setmetatable. */
static int sandbox_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "setmetatable: __gc finalizers are not allowed in scenarios (they run at unpredictable times)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* ---- building the state --------------------------------------------- */

static int open_sandbox(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{LUA_GNAME, luaopen_base},
		{LUA_TABLIBNAME, luaopen_table},
		{LUA_STRLIBNAME, luaopen_string},
		{LUA_MATHLIBNAME, luaopen_math},
		{LUA_COLIBNAME, luaopen_coroutine},
		{LUA_UTF8LIBNAME, luaopen_utf8},
	};
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	/* Remove from the shared library tables what must never be reached,
	 * also through ("").dump or a saved reference. */
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	esc_lua_open_pattern(L, -1);       /* find, match, gmatch, gsub */
	lua_getglobal(L, LUA_TABLIBNAME);
	esc_lua_open_stdlib(L, -2, -1);    /* rep, move, sort */
	lua_pop(L, 2);
	lua_getglobal(L, LUA_COLIBNAME);
	esc_lua_open_coroutine(L, -1);     /* resume, wrap, close */
	lua_pop(L, 1);
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "random");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);

	lua_newtable(L);                                    /* env */
	int env = lua_gettop(L);
	static const char *const safe[] = {
		"assert", "error", "getmetatable", "ipairs", "next", "pcall",
		"rawequal", "rawget", "rawlen", "rawset", "select",
		"tonumber", "tostring", "type", "xpcall", "_VERSION",
		LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME, LUA_COLIBNAME, LUA_UTF8LIBNAME,
	};
	for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++) {
		lua_getglobal(L, safe[i]);
		lua_setfield(L, env, safe[i]);
	}
	lua_pushvalue(L, env);
	lua_setfield(L, env, "_G");
	lua_pushcfunction(L, sandbox_load);
	lua_setfield(L, env, "load");
	lua_pushcfunction(L, sandbox_print);
	lua_setfield(L, env, "print");
	lua_pushcfunction(L, sandbox_collectgarbage);
	lua_setfield(L, env, "collectgarbage");
	lua_pushcfunction(L, esc_lua_sorted_pairs);
	lua_setfield(L, env, "pairs");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sandbox_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");

	lua_pushvalue(L, env);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_ENV);
	lua_newtable(L);                                    /* weak-keyed marks */
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_MARKED);
	return 0;
}

int esc_lua_open(esc_scenario *s, esc_error *err)
{
	if (!s->watch && esc_lua_watch_start(s, err))
		return err->status;
	if (!s->blocks && !(s->blocks = esc_lua_blocks_new()))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	s->L = lua_newstate(capped_alloc, s);
	if (!s->L)
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot create a Lua state (out of memory)");
	lua_atpanic(s->L, on_panic);
	lua_pushcfunction(s->L, open_sandbox);
	return esc_lua_pcall(s, 0, 0, "creating the Lua sandbox", err);
}

void esc_lua_close(esc_scenario *s)
{
	esc_lua_watch_stop(s);
	if (s->L)
		lua_close(s->L);
	s->L = NULL;
	esc_lua_blocks_free(s->blocks);    /* after the state: it frees into it */
	s->blocks = NULL;
}

