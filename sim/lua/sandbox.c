/* sandbox.c: the Lua state every scenario runs in.
 *
 * Owns the capped allocator, the safe environment scripts see (no io, os, debug,
 * package, dofile, loadfile, string.dump, math.random, __gc finalizers;
 * `load` for text only; `print` to stderr; `pairs` in sorted order), the
 * restricted `require` and its
 * provenance records,
 * and the protected-call discipline: nothing that can raise a Lua error runs
 * outside lua_pcall, because an unprotected error would end the process.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lualib.h>

#include "script.h"
#include "escsim/suggest.h"

#ifndef ESCSIM_DATADIR
#define ESCSIM_DATADIR "/usr/local/share/escsim"
#endif

/* A call may allocate at most CHURN_FACTOR times the memory cap in all:
 * far above what any policy or scenario needs, and a bound on the memory
 * traffic of building ever longer strings within its budget. */
#define CHURN_FACTOR 16
#define CHARGE_SLACK 4096     /* bytes esc_lua_charge leaves for its message */
#define MAX_SOURCE_BYTES ((size_t)16 << 20)    /* esc_lua_read_error says so */

esc_scenario *esc_lua_scenario(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	return ud;
}

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

/* Does msg start with "chunk:line: " (as Lua's own and error()'s do)? */
int esc_lua_has_location(const char *msg)
{
	const char *colon = strchr(msg, ':');
	while (colon && colon > msg) {
		const char *d = colon + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > colon + 1 && d[0] == ':' && d[1] == ' ')
			return 1;
		if (memchr(msg, '\n', (size_t)(colon - msg)))
			return 0;
		colon = strchr(colon + 1, ':');
	}
	return 0;
}

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

/* ---- sources -------------------------------------------------------- */

char *esc_lua_read_file(const char *path, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	if ((size_t)st.st_size > MAX_SOURCE_BYTES) {
		errno = EFBIG;
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - 1 - n, f);
		if (n < cap - 1 || ferror(f))
			break;
		int c = fgetc(f);   /* the file grew since stat */
		if (c == EOF)
			break;
		if (cap > MAX_SOURCE_BYTES) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		buf[n++] = (char)c;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *esc_lua_read_error(int errnum)
{
	if (errnum == EINVAL)
		return "not a regular file (a pipe, a socket or a device): give it as a file";
	if (errnum == EFBIG)
		return "larger than 16 MiB, the most a scenario or module may be";
	return strerror(errnum);
}

int esc_lua_check_source(const char *path, const char *text, size_t len, esc_error *err)
{
	const char *nul = memchr(text, '\0', len);
	if (nul)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: not a text file (a NUL byte at offset %zu)",
		                     path, (size_t)(nul - text));
	size_t bad = esc_lua_utf8_bad(text, len);
	if (bad < len) {
		size_t line = 1;
		for (size_t i = 0; i < bad; i++)
			line += text[i] == '\n';
		return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: not UTF-8 text (byte 0x%02x at offset %zu): "
		                     "the results keep the source as UTF-8, so save the file as UTF-8",
		                     path, line, (unsigned char)text[bad], bad);
	}
	return ESC_OK;
}

int esc_lua_add_source(esc_scenario *s, const char *name, const char *path,
                       const char *text)
{
	if (s->n_sources == s->cap_sources) {
		size_t cap = s->cap_sources ? s->cap_sources * 2 : 8;
		esc_script_source *a = realloc(s->sources, cap * sizeof *a);
		if (!a)
			return ESC_ERR_RUNTIME;
		s->sources = a;
		s->cap_sources = cap;
	}
	esc_script_source *src = &s->sources[s->n_sources];
	src->name = strdup(name);
	src->path = strdup(path);
	src->text = strdup(text);
	if (!src->name || !src->path || !src->text) {
		free((char *)src->name);
		free((char *)src->path);
		free((char *)src->text);
		return ESC_ERR_RUNTIME;
	}
	s->n_sources++;
	return ESC_OK;
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

/* ---- require -------------------------------------------------------- */

static int loading_sentinel;   /* address only: marks a module being loaded */

static int valid_module_name(const char *name)
{
	/* identifiers joined by '.': no '/', no "..", nothing absolute */
	const char *p = name;
	for (;;) {
		const char *q = p;
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_'))
			return 0;
		while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		       (*q >= '0' && *q <= '9') || *q == '_' || *q == '-')
			q++;
		if (*q == '\0')
			return q - name <= 200;
		if (*q != '.')
			return 0;
		p = q + 1;
	}
}

/* Libraries scripts may not have: a clearer message than "not found". */
static int is_forbidden_lib(const char *name)
{
	static const char *const libs[] = {"os", "io", "debug", "package", "ffi", "jit"};
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
		if (strcmp(name, libs[i]) == 0)
			return 1;
	return 0;
}

static int is_safe_lib(const char *name)
{
	static const char *const libs[] = {LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME,
	                                   LUA_COLIBNAME, LUA_UTF8LIBNAME};
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
		if (strcmp(name, libs[i]) == 0)
			return 1;
	return 0;
}

/* require(name): a module from the search path only, loaded once, as text,
 * in the sandbox environment, and recorded for provenance. */
static int sandbox_require(lua_State *L)
{
	esc_scenario *s = esc_lua_scenario(L);
	const char *name = luaL_checkstring(L, 1);
	if (!valid_module_name(name))
		return luaL_error(L, "require: invalid module name '%s' (expected a name like 'policies.restraint', looked up in the search path)", name);
	lua_settop(L, 1);
	if (is_safe_lib(name)) {          /* as in plain Lua, require "string" works */
		esc_lua_push_env(L);
		lua_getfield(L, -1, name);
		return 1;
	}
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_LOADED);   /* 2 */
	lua_getfield(L, 2, name);
	if (lua_touserdata(L, -1) == &loading_sentinel)
		return luaL_error(L, "require: module '%s' requires itself (a loop of requires)", name);
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);

	/* policies.restraint -> policies/restraint, tried in each template */
	const char *rel = luaL_gsub(L, name, ".", "/");      /* 3 */
	lua_pushliteral(L, "");                               /* 4: files tried */
	const char *found = NULL;
	for (const char *t = s->search_path; t && *t;) {
		const char *end = strchr(t, ';');
		size_t n = end ? (size_t)(end - t) : strlen(t);
		if (n > 0 && memchr(t, '?', n)) {
			lua_pushlstring(L, t, n);
			const char *file = luaL_gsub(L, lua_tostring(L, -1), "?", rel);
			lua_remove(L, -2);
			struct stat st;
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
				found = file;                     /* left on the stack */
				break;
			}
			if (lua_rawlen(L, 4) > 0) {
				lua_pushvalue(L, 4);
				lua_pushliteral(L, ", ");
				lua_pushvalue(L, -3);   /* the file */
				lua_concat(L, 3);
				lua_replace(L, 4);
				lua_pop(L, 1);
			} else {
				lua_replace(L, 4);      /* the file starts the list */
			}
		}
		t = end ? end + 1 : t + n;
	}
	if (!found)
		return luaL_error(L, "require: module '%s' not found%s; searched %s", name,
		                  is_forbidden_lib(name) ? " (that standard library is not available in the scenario sandbox)" : "",
		                  lua_rawlen(L, 4) ? lua_tostring(L, 4) : "no folders");
	size_t len;
	char *text = esc_lua_read_file(found, &len);
	if (!text)
		return luaL_error(L, "require: cannot read '%s': %s", found, esc_lua_read_error(errno));
	esc_error bad = {0};
	if (esc_lua_check_source(found, text, len, &bad)) {
		free(text);
		return luaL_error(L, "require: %s", bad.msg);
	}
	lua_pushlstring(L, text, len);
	int rc = esc_lua_add_source(s, name, found, text);
	free(text);
	if (rc)
		return luaL_error(L, "require: out of memory recording '%s'", found);
	const char *chunk = lua_pushfstring(L, "@%s", found);
	size_t clen;
	const char *src = lua_tolstring(L, -2, &clen);
	if (esc_lua_load_marked(L, src, clen, chunk) != LUA_OK)
		return lua_error(L);
	lua_pushlightuserdata(L, &loading_sentinel);
	lua_setfield(L, 2, name);
	lua_pushstring(L, name);
	lua_pushstring(L, found);
	if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
		lua_pushnil(L);
		lua_setfield(L, 2, name);   /* a later require tries again */
		return lua_error(L);
	}
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
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
	lua_pushcfunction(L, sandbox_require);
	lua_setfield(L, env, "require");
	lua_pushcfunction(L, esc_lua_sorted_pairs);
	lua_setfield(L, env, "pairs");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sandbox_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");
	esc_lua_open_dist(L, env);
	esc_lua_open_sim(L, env);
	esc_lua_open_scenario(L, env);

	lua_pushvalue(L, env);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_ENV);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_LOADED);
	lua_newtable(L);                                    /* weak-keyed marks */
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_MARKED);
	return 0;
}

static char *default_search_path(const char *dir)
{
	size_t cap = 256 + 4 * strlen(dir);
	const char *extra = getenv("ESCSIM_PATH");
	if (extra)
		cap += 4 * strlen(extra) + 64;
	cap += 4 * strlen(ESCSIM_DATADIR);
	char *p = malloc(cap);
	if (!p)
		return NULL;
	size_t n = (size_t)snprintf(p, cap, "%s/?.lua;%s/lib/?.lua", dir, dir);
	for (const char *d = extra; d && *d;) {
		const char *end = strchr(d, ':');
		size_t len = end ? (size_t)(end - d) : strlen(d);
		if (len > 0)
			n += (size_t)snprintf(p + n, cap - n, ";%.*s/?.lua;%.*s/lib/?.lua",
			                      (int)len, d, (int)len, d);
		d = end ? end + 1 : d + len;
	}
	snprintf(p + n, cap - n, ";%s/?.lua;%s/lib/?.lua", ESCSIM_DATADIR, ESCSIM_DATADIR);
	return p;
}

int esc_lua_open(esc_scenario *s, esc_error *err)
{
	if (!s->search_path) {
		s->search_path = default_search_path(s->dir);
		if (!s->search_path)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
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

/* ---- small helpers shared by the layer ------------------------------- */

typedef struct sort_key {
	int is_str, is_int;
	lua_Integer i;
	lua_Number d;
	const char *s;
	size_t len;
	lua_Integer pos;        /* index in the anchoring table */
} sort_key;

static int cmp_keys(const sort_key *a, const sort_key *b)
{
	if (a->is_str != b->is_str)
		return a->is_str - b->is_str;          /* numbers first */
	if (a->is_str) {
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, n);
		return c ? c : (a->len > b->len) - (a->len < b->len);
	}
	if (a->is_int && b->is_int)
		return (a->i > b->i) - (a->i < b->i);
	lua_Number x = a->is_int ? (lua_Number)a->i : a->d;
	lua_Number y = b->is_int ? (lua_Number)b->i : b->d;
	return (x > y) - (x < y);
}

static int key_less(lua_State *L, const void *a, const void *b, void *ud)
{
	(void)L;
	(void)ud;
	return cmp_keys(a, b) < 0;
}

/* Any allocation may run a script's __gc finalizer, which may change t: so
 * the keys are first copied into a table of our own that anchors them (the
 * C array points into those strings), and nothing relies on t afterwards. */
int esc_lua_sorted_keys(lua_State *L, int t)
{
	t = lua_absindex(L, t);
	lua_newtable(L);
	int keys = lua_gettop(L);
	lua_Integer n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		int kt = lua_type(L, -1);
		if (kt != LUA_TNUMBER && kt != LUA_TSTRING) {
			lua_settop(L, keys - 1);
			return -1;
		}
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys, ++n);
	}
	sort_key *k = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *k, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		sort_key *e = &k[i - 1];
		memset(e, 0, sizeof *e);
		e->pos = i;
		lua_rawgeti(L, keys, i);
		if (lua_type(L, -1) == LUA_TSTRING) {
			e->is_str = 1;
			e->s = lua_tolstring(L, -1, &e->len);   /* anchored by keys */
		} else if (lua_isinteger(L, -1)) {
			e->is_int = 1;
			e->i = lua_tointeger(L, -1);
		} else {
			e->d = lua_tonumber(L, -1);
		}
		lua_pop(L, 1);
	}
	esc_lua_sort(L, k, (size_t)n, sizeof *k, key_less, NULL);   /* bounded, unlike qsort */
	lua_createtable(L, (int)n, 0);
	for (lua_Integer i = 0; i < n; i++) {
		lua_rawgeti(L, keys, k[i].pos);
		lua_rawseti(L, -2, i + 1);
	}
	lua_replace(L, keys);
	lua_settop(L, keys);
	return (int)n;
}

static int sorted_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
	if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL)
		return 1;
	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(3));
	lua_pushvalue(L, -1);
	lua_rawget(L, lua_upvalueindex(1));
	return 2;
}

/* Lua 5.4 seeds string hashes per state, so plain pairs() would visit keys
 * in a different order in every run (and every worker): replications would
 * not be reproducible.  The keys are sorted once, when the loop starts. */
int esc_lua_sorted_pairs(lua_State *L)
{
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	if (esc_lua_sorted_keys(L, 1) < 0)
		return luaL_error(L, "pairs: a key is neither a number nor a string, so the keys have no fixed order "
		                  "(use ipairs, or next if the order does not matter)");
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, sorted_next, 3);
	return 1;
}

const char *esc_lua_typename(lua_State *L, int idx)
{
	if (esc_lua_todist(L, idx))
		return "distribution";
	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Number x = lua_tonumber(L, idx);
		if (isnan(x))
			return "nan";
		if (isinf(x))
			return x > 0 ? "inf" : "-inf";
	}
	return luaL_typename(L, idx);
}

const char *esc_lua_suggest(const char *key, const char *const *candidates, size_t n)
{
	return esc_suggest(key, candidates, n);
}

size_t esc_lua_utf8_seq(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;       /* overlong, past Unicode, or a surrogate */
	return len;
}

size_t esc_lua_utf8_bad(const char *s, size_t n)
{
	size_t i = 0, k;
	while (i < n && (k = esc_lua_utf8_seq(s + i, n - i)) > 0)
		i += k;
	return i;
}

int esc_lua_is_identifier(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}
