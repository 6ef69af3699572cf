/* require.c: the `require` scripts have, and the record of what it loaded.
 *
 * require(name) finds a module only in the scenario's search path (beside
 * the scenario, its lib/, $ESCSIM_PATH, the installed library), by a name
 * made of identifiers joined by dots; loads it once, as text, in the sandbox
 * environment, with the marks that let errors name its lines (marks.c); and
 * records its source for the results' provenance.  The libraries Lua has
 * but the sandbox does not (os, io, debug, ...) get a clearer message than
 * "not found".  The scenario layer installs it (esc_lua_state_open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lualib.h>

#include "script.h"

#ifndef ESCSIM_DATADIR
#define ESCSIM_DATADIR "/usr/local/share/escsim"
#endif

/* ---- provenance ------------------------------------------------------- */

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

/* ---- the search path --------------------------------------------------- */

char *esc_lua_default_search_path(const char *dir)
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

/* ---- require ------------------------------------------------------------ */

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
static int require_module(lua_State *L)
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

void esc_lua_open_require(lua_State *L, int env)
{
	env = lua_absindex(L, env);
	lua_pushcfunction(L, require_module);
	lua_setfield(L, env, "require");
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_LOADED);
}
