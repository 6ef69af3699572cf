/* describe.c: an arm's policies and triggers as escsim check lists them.
 *
 * Per party: the module that built its policy (or null for a table written
 * inline), its hooks, its helper functions, its parameters, tick_h; a
 * declared parameter (params.c) with its value, default, type, unit, range
 * and doc, in the order of its declaration; an undeclared one with its
 * value.  Then the triggers: name, party, the match, probability,
 * repeatable.
 *
 * Built as a cJSON tree (escsim/json.h: numbers in the shortest form that
 * reads back) while walking the Lua tables in protected mode.  Every node is
 * attached to the tree the moment it is made, so a Lua error midway leaks
 * nothing: the caller owns the tree and frees it whatever happens.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/json.h"
#include "script.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* The job of describe_cf: what to describe, the object to add it to, and
 * whether cJSON ran out of memory (a Lua error then unwinds). */
typedef struct job {
	esc_lua_policy *p;
	cJSON *into;
	int oom;
} job;

/* Attach item to parent (under key, or appended with key NULL); out of
 * memory (item NULL or not attached) raises after marking the job. */
static cJSON *attach(lua_State *L, job *j, cJSON *parent, const char *key, cJSON *item)
{
	int ok = item && (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item));
	if (!ok) {
		cJSON_Delete(item);
		j->oom = 1;
		luaL_error(L, "out of memory");
	}
	return item;
}

/* s[0..n) pushed as text JSON can hold: bytes that are not UTF-8, and NUL,
 * which a C string cannot hold, become U+FFFD, so the output is valid JSON
 * whatever a script put in its tables.  Returns the text pushed. */
static const char *push_clean(lua_State *L, const char *s, size_t n)
{
	if (esc_lua_utf8_bad(s, n) == n && !memchr(s, '\0', n)) {
		lua_pushlstring(L, s, n);
		return lua_tostring(L, -1);
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (size_t i = 0; i < n;) {
		size_t k = s[i] ? esc_lua_utf8_seq(s + i, n - i) : 0;
		if (k == 0) {
			luaL_addlstring(&b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			luaL_addlstring(&b, s + i, k);
			i += k;
		}
	}
	luaL_pushresult(&b);
	return lua_tostring(L, -1);
}

/* The string s[0..n) added to parent under key (appended with key NULL). */
static void add_text(lua_State *L, job *j, cJSON *parent, const char *key, const char *s, size_t n)
{
	attach(L, j, parent, key, cJSON_CreateString(push_clean(L, s, n)));
	lua_pop(L, 1);
}

static void add_string(lua_State *L, job *j, cJSON *parent, const char *key, const char *s)
{
	add_text(L, j, parent, key, s, strlen(s));
}

/* The key at idx as JSON holds it, pushed: a string cleaned, a number as
 * Lua writes it. */
static const char *push_key(lua_State *L, int idx)
{
	size_t n;
	lua_pushvalue(L, idx);
	const char *k = lua_tolstring(L, -1, &n);      /* a number becomes its text */
	k = push_clean(L, k, n);
	lua_remove(L, -2);
	return k;
}

static int add_table(lua_State *L, job *j, cJSON *parent, const char *key, int idx, int depth);

/* The value at idx (absolute) added to parent under key (appended with
 * key NULL): numbers, strings, booleans, tables of them (arrays when their
 * keys are 1..n, 8 levels deep at most); anything else as a string naming
 * its type ("a distribution"), as are numbers JSON cannot hold ("nan"). */
static void add_value(lua_State *L, job *j, cJSON *parent, const char *key, int idx, int depth)
{
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER: {
		double x = lua_isinteger(L, idx) ? (double)lua_tointeger(L, idx) : lua_tonumber(L, idx);
		if (isfinite(x))
			attach(L, j, parent, key, esc_json_number(x));
		else
			add_string(L, j, parent, key, isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
		return;
	}
	case LUA_TBOOLEAN:
		attach(L, j, parent, key, cJSON_CreateBool(lua_toboolean(L, idx)));
		return;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		add_text(L, j, parent, key, s, n);
		return;
	}
	case LUA_TTABLE:
		if (depth < 8 && add_table(L, j, parent, key, idx, depth))
			return;
		/* fall through */
	default: {
		char what[64];
		snprintf(what, sizeof what, "a %s", esc_lua_typename(L, idx));
		add_string(L, j, parent, key, what);
		return;
	}
	}
}

/* The table at idx (absolute) as an array when its keys are 1..n, else an
 * object; 0 (nothing added) when a key is neither a string nor a number. */
static int add_table(lua_State *L, job *j, cJSON *parent, const char *key, int idx, int depth)
{
	luaL_checkstack(L, 6, "describing a parameter");
	int nk = esc_lua_sorted_keys(L, idx);
	if (nk < 0)
		return 0;
	int keys = lua_gettop(L);
	int array = nk > 0;
	for (int k = 1; k <= nk && array; k++) {
		lua_rawgeti(L, keys, k);
		array = lua_isinteger(L, -1) && lua_tointeger(L, -1) == k;
		lua_pop(L, 1);
	}
	cJSON *t = attach(L, j, parent, key, array ? cJSON_CreateArray() : cJSON_CreateObject());
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		const char *ks = array ? NULL : push_key(L, -1);
		lua_rawgeti(L, keys, k);
		lua_rawget(L, idx);
		add_value(L, j, t, ks, lua_gettop(L), depth + 1);
		lua_settop(L, keys);
	}
	lua_pop(L, 1);
	return 1;
}

/* One declared parameter d under its name: {"value", "default", "type",
 * ["optional", "keys", "values", "unit", "range"], "doc"}; the declaration
 * is on the top of the stack, the policy's table at t. */
static void describe_declared(lua_State *L, job *j, cJSON *params, int t, const esc_lua_param *d)
{
	cJSON *o = attach(L, j, params, d->name, cJSON_CreateObject());
	lua_pushstring(L, d->name);
	lua_rawget(L, t);
	add_value(L, j, o, "value", lua_gettop(L), 0);
	lua_pop(L, 1);
	lua_getfield(L, -1, "default");
	add_value(L, j, o, "default", lua_gettop(L), 0);
	lua_pop(L, 1);
	add_string(L, j, o, "type", esc_lua_param_type_name(d->type));
	if (d->optional)
		attach(L, j, o, "optional", cJSON_CreateTrue());
	if (d->keys >= 0 || d->values >= 0) {
		add_string(L, j, o, "keys", d->keys >= 0 ? esc_lua_param_type_name(d->keys) : "any");
		add_string(L, j, o, "values", d->values >= 0 ? esc_lua_param_type_name(d->values) : "any");
	}
	if (d->unit)
		add_string(L, j, o, "unit", d->unit);
	if (d->has_range) {
		cJSON *r = attach(L, j, o, "range", cJSON_CreateArray());
		attach(L, j, r, NULL, esc_json_number(d->lo));
		attach(L, j, r, NULL, esc_json_number(d->hi));
	}
	add_string(L, j, o, "doc", d->doc);
}

static int is_hook(const char *key)
{
	for (int h = 0; h < ESC_N_HOOKS; h++)
		if (strcmp(key, esc_lua_hook_names[h]) == 0)
			return 1;
	return 0;
}

/* Is the key at idx the name of a declaration in decls[1..nd]? */
static int is_declared(lua_State *L, int decls, lua_Integer nd, int idx)
{
	int declared = 0;
	for (lua_Integer d = 1; d <= nd && lua_type(L, idx) == LUA_TSTRING && !declared; d++) {
		lua_rawgeti(L, decls, d);
		lua_getfield(L, -1, "name");
		declared = lua_rawequal(L, -1, idx);
		lua_pop(L, 2);
	}
	return declared;
}

/* The parameters of the policy at t: the declared ones (decls, 0 none) in
 * the order of their declaration, then every other field that is not a
 * function (an inline policy's parameters, tick); its sorted keys at
 * keys[1..nk]. */
static void describe_parameters(lua_State *L, job *j, cJSON *pol, int t, int decls, int keys, int nk)
{
	cJSON *params = attach(L, j, pol, "parameters", cJSON_CreateObject());
	lua_Integer nd = decls ? (lua_Integer)lua_rawlen(L, decls) : 0;
	for (lua_Integer d = 1; d <= nd; d++) {
		lua_rawgeti(L, decls, d);
		esc_lua_param p;
		char msg[300];
		if (esc_lua_param_read(L, -1, &p, msg, sizeof msg) == 0)
			describe_declared(L, j, params, t, &p);
		lua_settop(L, keys);
	}
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		lua_pushvalue(L, -1);
		int vt = lua_rawget(L, t);
		if (lua_type(L, -2) == LUA_TSTRING && vt != LUA_TFUNCTION && !is_declared(L, decls, nd, keys + 1)) {
			const char *name = push_key(L, -2);
			cJSON *o = attach(L, j, params, name, cJSON_CreateObject());
			add_value(L, j, o, "value", keys + 2, 0);
		}
		lua_settop(L, keys);
	}
}

/* Party i's policy: module, hooks, helpers, parameters, tick_h. */
static void describe_policy(lua_State *L, job *j, cJSON *pol, size_t i)
{
	esc_lua_policy *p = j->p;
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
	int t = lua_gettop(L);
	int decls = 0;
	const char *module = NULL;
	if (esc_lua_policy_meta(L, t)) {
		int meta = lua_gettop(L);
		lua_getfield(L, meta, "module");
		module = esc_lua_module_name(L, -1);
		lua_pop(L, 1);
		lua_getfield(L, meta, "parameters");
		decls = lua_gettop(L);
	}
	if (module)
		add_string(L, j, pol, "module", module);
	else
		attach(L, j, pol, "module", cJSON_CreateNull());
	cJSON *hooks = attach(L, j, pol, "hooks", cJSON_CreateArray());
	for (int h = 0; h < ESC_N_HOOKS; h++)
		if (p->hooks[i] & (1u << h))
			add_string(L, j, hooks, NULL, esc_lua_hook_names[h]);
	int nk = esc_lua_sorted_keys(L, t);
	int keys = lua_gettop(L);
	cJSON *helpers = attach(L, j, pol, "helpers", cJSON_CreateArray());
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		lua_pushvalue(L, -1);
		if (lua_type(L, -2) == LUA_TSTRING && lua_rawget(L, t) == LUA_TFUNCTION &&
		    !is_hook(lua_tostring(L, -2))) {
			size_t n;
			const char *key = lua_tolstring(L, -2, &n);
			add_text(L, j, helpers, NULL, key, n);
		}
		lua_settop(L, keys);
	}
	describe_parameters(L, j, pol, t, decls, keys, nk);
	attach(L, j, pol, "tick_h", esc_json_number((p->hooks[i] & (1u << ESC_HOOK_TICK)) ? p->tick[i] : 0.0));
	lua_settop(L, top);
}

/* Trigger t: name, party, the event it matches (null for a name the
 * scenario does not have: it never matches), probability, repeatable. */
static void describe_trigger(lua_State *L, job *j, cJSON *list, const esc_lua_trigger *t)
{
	esc_lua_policy *p = j->p;
	cJSON *o = attach(L, j, list, NULL, cJSON_CreateObject());
	add_string(L, j, o, "name", t->name);
	add_string(L, j, o, "party", p->parties[t->party]);
	cJSON *ev = attach(L, j, o, "event", cJSON_CreateObject());
	struct { const char *k; int v; char (*names)[ESC_NAME_MAX]; const char *const *list; } m[] = {
		{"type", t->type, p->types, NULL}, {"actor", t->actor, p->parties, NULL},
		{"target", t->target, p->parties, NULL}, {"zone", t->zone, p->zones, NULL},
		{"cause", t->cause, NULL, esc_lua_cause_names}, {"kind", t->kind, NULL, esc_lua_kind_names},
	};
	for (size_t k = 0; k < COUNT(m); k++) {
		if (m[k].v == -1)
			continue;
		if (m[k].v == -2)
			attach(L, j, ev, m[k].k, cJSON_CreateNull());
		else
			add_string(L, j, ev, m[k].k, m[k].names ? m[k].names[m[k].v] : m[k].list[m[k].v]);
	}
	attach(L, j, o, "probability", esc_json_number(t->probability));
	attach(L, j, o, "repeatable", cJSON_CreateBool(t->repeatable));
}

/* Protected: "policies" and "triggers" added to j->into. */
static int describe_cf(lua_State *L)
{
	job *j = lua_touserdata(L, 1);
	esc_lua_policy *p = j->p;
	lua_settop(L, 1);
	cJSON *pols = attach(L, j, j->into, "policies", cJSON_CreateObject());
	for (size_t i = 0; i < p->np; i++)
		if (p->policy_ref[i] != LUA_NOREF)
			describe_policy(L, j, attach(L, j, pols, p->parties[i], cJSON_CreateObject()), i);
	cJSON *trig = attach(L, j, j->into, "triggers", cJSON_CreateArray());
	for (size_t i = 0; i < p->n_triggers; i++)
		describe_trigger(L, j, trig, &p->triggers[i]);
	return 0;
}

int esc_lua_policy_describe(esc_lua_policy *p, cJSON *into, esc_error *err)
{
	job j = {p, into, 0};
	lua_pushcfunction(p->s->L, describe_cf);
	lua_pushlightuserdata(p->s->L, &j);
	int st = esc_lua_pcall(p->s, 1, 0, "describing the policies", err);
	if (st && j.oom)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	return st;
}
