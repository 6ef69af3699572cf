/* describe.c: an arm's policies and triggers as escsim check lists them.
 *
 * Per party: the module that built its policy (or null for a table written
 * inline), its hooks, its helper functions, tick_h, and its parameters; a
 * declared parameter (params.c) with its value, default, type, unit, range
 * and doc, in the order of its declaration; an undeclared one with its
 * value.  Then the triggers: name, party, the match, probability,
 * repeatable.  Numbers in the shortest form that reads back (text.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/text.h"
#include "script.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* The description is built as pieces appended to a Lua table (at index
 * acc), concatenated at the end, so values can be pushed freely meanwhile. */
void esc_lua_pieces_add(lua_State *L, int acc, const char *s)
{
	lua_pushstring(L, s);
	lua_rawseti(L, acc, (lua_Integer)lua_rawlen(L, acc) + 1);
}

#define add esc_lua_pieces_add

static void add_json_string(lua_State *L, int acc, const char *s, size_t n)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	luaL_addchar(&b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		if (ch == '"' || ch == '\\') {
			luaL_addchar(&b, '\\');
			luaL_addchar(&b, (char)ch);
		} else if (ch < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", ch);
			luaL_addstring(&b, esc);
		} else {
			luaL_addchar(&b, (char)ch);
		}
	}
	luaL_addchar(&b, '"');
	luaL_pushresult(&b);
	lua_rawseti(L, acc, (lua_Integer)lua_rawlen(L, acc) + 1);
}

static void add_name(lua_State *L, int acc, const char *s)
{
	add_json_string(L, acc, s, strlen(s));
}

/* A parameter's value (idx absolute) as JSON: numbers, strings, booleans,
 * tables of them (arrays when their keys are 1..n); anything else as a
 * string naming its type ("a distribution"). */
static void add_json_value(lua_State *L, int acc, int idx, int depth)
{
	char num[64];
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER: {
		double x = lua_tonumber(L, idx);
		if (lua_isinteger(L, idx))
			snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
		else if (isfinite(x))
			esc_fmt_double(num, x);
		else
			snprintf(num, sizeof num, "\"%s\"", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
		add(L, acc, num);
		return;
	}
	case LUA_TBOOLEAN:
		add(L, acc, lua_toboolean(L, idx) ? "true" : "false");
		return;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		add_json_string(L, acc, s, n);
		return;
	}
	case LUA_TTABLE:
		if (depth < 8) {
			luaL_checkstack(L, 6, "describing a parameter");
			int nk = esc_lua_sorted_keys(L, idx);
			if (nk >= 0) {
				int keys = lua_gettop(L);
				int array = 1;
				for (int k = 1; k <= nk && array; k++) {
					lua_rawgeti(L, keys, k);
					array = lua_isinteger(L, -1) && lua_tointeger(L, -1) == k;
					lua_pop(L, 1);
				}
				add(L, acc, array && nk > 0 ? "[" : "{");
				for (int k = 1; k <= nk; k++) {
					if (k > 1)
						add(L, acc, ",");
					lua_rawgeti(L, keys, k);
					if (!array) {
						if (lua_type(L, -1) == LUA_TSTRING) {
							size_t n;
							const char *ks = lua_tolstring(L, -1, &n);
							add_json_string(L, acc, ks, n);
						} else {
							lua_pushvalue(L, -1);
							add_json_string(L, acc, lua_tostring(L, -1), lua_rawlen(L, -1));
							lua_pop(L, 1);
						}
						add(L, acc, ":");
					}
					lua_rawget(L, idx);
					add_json_value(L, acc, lua_gettop(L), depth + 1);
					lua_pop(L, 1);
				}
				add(L, acc, array && nk > 0 ? "]" : "}");
				lua_pop(L, 1);
				return;
			}
		}
		/* fall through */
	default:
		snprintf(num, sizeof num, "\"a %s\"", esc_lua_typename(L, idx));
		add(L, acc, num);
		return;
	}
}

/* A number as JSON (null when not finite). */
static void add_number(lua_State *L, int acc, double x)
{
	char nb[ESC_NUM_MAX];
	add(L, acc, isfinite(x) ? esc_fmt_double(nb, x) : "null");
}

/* One declared parameter: {"value", "default", "type", "unit", "range",
 * "doc"}; the declaration is on the top of the stack. */
static void describe_declared(lua_State *L, int acc, int t, const esc_lua_param *d)
{
	add(L, acc, "{\"value\":");
	lua_pushstring(L, d->name);
	lua_rawget(L, t);
	add_json_value(L, acc, lua_gettop(L), 0);
	lua_pop(L, 1);
	add(L, acc, ",\"default\":");
	lua_getfield(L, -1, "default");
	add_json_value(L, acc, lua_gettop(L), 0);
	lua_pop(L, 1);
	add(L, acc, ",\"type\":");
	add_name(L, acc, esc_lua_param_type_name(d->type));
	if (d->optional)
		add(L, acc, ",\"optional\":true");
	if (d->keys >= 0 || d->values >= 0) {
		add(L, acc, ",\"keys\":");
		add_name(L, acc, d->keys >= 0 ? esc_lua_param_type_name(d->keys) : "any");
		add(L, acc, ",\"values\":");
		add_name(L, acc, d->values >= 0 ? esc_lua_param_type_name(d->values) : "any");
	}
	if (d->unit) {
		add(L, acc, ",\"unit\":");
		add_name(L, acc, d->unit);
	}
	if (d->has_range) {
		add(L, acc, ",\"range\":[");
		add_number(L, acc, d->lo);
		add(L, acc, ",");
		add_number(L, acc, d->hi);
		add(L, acc, "]");
	}
	add(L, acc, ",\"doc\":");
	add_name(L, acc, d->doc);
	add(L, acc, "}");
}

/* Party i's policy: module, hooks, helpers, parameters, tick_h. */
static void describe_policy(lua_State *L, int acc, esc_lua_policy *p, size_t i)
{
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->policy_ref[i]);
	int t = lua_gettop(L);
	int meta = 0, decls = 0;
	add(L, acc, "\"module\":");
	if (esc_lua_policy_meta(L, t)) {
		meta = lua_gettop(L);
		lua_getfield(L, meta, "module");
		const char *name = esc_lua_module_name(L, -1);
		lua_pop(L, 1);
		if (name)
			add_name(L, acc, name);
		else
			add(L, acc, "null");
		lua_getfield(L, meta, "parameters");
		decls = lua_gettop(L);
	} else {
		add(L, acc, "null");
	}
	add(L, acc, ",\"hooks\":[");
	int fh = 1;
	for (int h = 0; h < ESC_N_HOOKS; h++)
		if (p->hooks[i] & (1u << h)) {
			if (!fh)
				add(L, acc, ",");
			fh = 0;
			add_name(L, acc, esc_lua_hook_names[h]);
		}
	int nk = esc_lua_sorted_keys(L, t);
	int keys = lua_gettop(L);
	add(L, acc, "],\"helpers\":[");
	int first = 1;
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		lua_pushvalue(L, -1);
		if (lua_type(L, -2) == LUA_TSTRING && lua_rawget(L, t) == LUA_TFUNCTION) {
			const char *key = lua_tostring(L, -2);
			int hook = 0;
			for (int h = 0; h < ESC_N_HOOKS; h++)
				hook |= strcmp(key, esc_lua_hook_names[h]) == 0;
			if (!hook) {
				add(L, acc, first ? "" : ",");
				first = 0;
				add_name(L, acc, key);
			}
		}
		lua_settop(L, keys);
	}
	add(L, acc, "],\"parameters\":{");
	first = 1;
	/* declared ones in the order of the declaration */
	lua_Integer nd = decls ? (lua_Integer)lua_rawlen(L, decls) : 0;
	for (lua_Integer j = 1; j <= nd; j++) {
		lua_rawgeti(L, decls, j);
		esc_lua_param d;
		char msg[300];
		if (esc_lua_param_read(L, -1, &d, msg, sizeof msg) == 0) {
			add(L, acc, first ? "" : ",");
			first = 0;
			add_name(L, acc, d.name);
			add(L, acc, ":");
			describe_declared(L, acc, t, &d);
		}
		lua_settop(L, keys);
	}
	/* then every other field that is not a function (an inline policy's
	 * parameters, tick) */
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, keys, k);
		lua_pushvalue(L, -1);
		int vt = lua_rawget(L, t);
		int declared = 0;
		for (lua_Integer j = 1; j <= nd && lua_type(L, -2) == LUA_TSTRING && !declared; j++) {
			lua_rawgeti(L, decls, j);
			lua_getfield(L, -1, "name");
			declared = lua_rawequal(L, -1, -4);
			lua_pop(L, 2);
		}
		if (lua_type(L, -2) == LUA_TSTRING && vt != LUA_TFUNCTION && !declared) {
			add(L, acc, first ? "" : ",");
			first = 0;
			size_t n;
			const char *ks = lua_tolstring(L, -2, &n);
			add_json_string(L, acc, ks, n);
			add(L, acc, ":{\"value\":");
			add_json_value(L, acc, lua_gettop(L), 0);
			add(L, acc, "}");
		}
		lua_settop(L, keys);
	}
	add(L, acc, "},\"tick_h\":");
	add_number(L, acc, (p->hooks[i] & (1u << ESC_HOOK_TICK)) ? p->tick[i] : 0.0);
	add(L, acc, "}");
	(void)meta;
	lua_settop(L, top);
}

/* Protected: the description as a Lua string (pushed). */
static int describe_cf(lua_State *L)
{
	esc_lua_policy *p = lua_touserdata(L, 1);
	lua_settop(L, 1);
	lua_newtable(L);
	int acc = 2;
	add(L, acc, "\"policies\":{");
	int first = 1;
	for (size_t i = 0; i < p->np; i++) {
		if (p->policy_ref[i] == LUA_NOREF)
			continue;
		if (!first)
			add(L, acc, ",");
		first = 0;
		add_name(L, acc, p->parties[i]);
		add(L, acc, ":{");
		describe_policy(L, acc, p, i);
	}
	add(L, acc, "},\"triggers\":[");
	for (size_t i = 0; i < p->n_triggers; i++) {
		const esc_lua_trigger *t = &p->triggers[i];
		if (i)
			add(L, acc, ",");
		add(L, acc, "{\"name\":");
		add_name(L, acc, t->name);
		add(L, acc, ",\"party\":");
		add_name(L, acc, p->parties[t->party]);
		add(L, acc, ",\"event\":{");
		struct { const char *k; int v; char (*names)[ESC_NAME_MAX]; const char *const *list; } m[] = {
			{"type", t->type, p->types, NULL}, {"actor", t->actor, p->parties, NULL},
			{"target", t->target, p->parties, NULL}, {"zone", t->zone, p->zones, NULL},
			{"cause", t->cause, NULL, esc_lua_cause_names}, {"kind", t->kind, NULL, esc_lua_kind_names},
		};
		int fm = 1;
		for (size_t k = 0; k < COUNT(m); k++) {
			if (m[k].v == -1)
				continue;
			if (!fm)
				add(L, acc, ",");
			fm = 0;
			add_name(L, acc, m[k].k);
			add(L, acc, ":");
			if (m[k].v == -2)
				add(L, acc, "null");   /* an unknown name: never matches */
			else
				add_name(L, acc, m[k].names ? m[k].names[m[k].v] : m[k].list[m[k].v]);
		}
		char tail[128], nb[ESC_NUM_MAX];
		snprintf(tail, sizeof tail, "},\"probability\":%s,\"repeatable\":%s}", esc_fmt_double(nb, t->probability),
		         t->repeatable ? "true" : "false");
		add(L, acc, tail);
	}
	add(L, acc, "]");
	esc_lua_pieces_concat(L, acc);
	return 1;
}

void esc_lua_pieces_concat(lua_State *L, int acc)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	lua_Integer n = (lua_Integer)lua_rawlen(L, acc);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, acc, i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
}

char *esc_lua_text(esc_scenario *s, lua_CFunction cf, void *ud, const char *what, esc_error *err)
{
	lua_pushcfunction(s->L, cf);
	lua_pushlightuserdata(s->L, ud);
	if (esc_lua_pcall(s, 1, 1, what, err))
		return NULL;
	size_t n;
	const char *str = lua_tolstring(s->L, -1, &n);
	char *out = malloc(n + 1);
	if (out)
		memcpy(out, str, n + 1);
	else
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	lua_pop(s->L, 1);
	return out;
}

char *esc_lua_policy_describe(esc_lua_policy *p, esc_error *err)
{
	return esc_lua_text(p->s, describe_cf, p, "describing the policies", err);
}
