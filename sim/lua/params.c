/* params.c: the parameters a policy declares, and the one check of a value
 * against its declaration.
 *
 * A policy module declares its parameters in M.parameters, an array of
 *
 *     { name = "deadline", type = "number", unit = "h", default = hours(6),
 *       range = {0, math.huge}, doc = "hours from observation to the strike" }
 *
 * (type: number, integer, boolean, string, table, party, type, zone, or
 * any; `optional = true` also accepts false, meaning "none"; a table may
 * name the type of its keys and values).  scenarios/lib/policy.lua builds
 * a party's table from the declaration and the scenario's arguments, and
 * names both in the table's metatable (__escsim_policy = {module,
 * parameters, sources}).  Everything else reads that one declaration:
 *
 *   validate.c       every declared policy's keys and values, with the
 *                    scenario's names, whoever set them (the scenario's
 *                    arguments, --set, --arm, --vary, an experiment file):
 *                    an unknown parameter is an error with the nearest name
 *   describe.c       escsim check's listing (value, default, type, unit,
 *                    range, doc)
 *   esc_lua_luals    LuaLS definitions (escsim check --luals FILE)
 *
 * A policy written inline (a table with no declaration) has as parameters
 * the keys it was written with: an override may change them but not add
 * one (esc_lua_check_override_key).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/text.h"
#include "script.h"

static const char *const type_names[] = {
	[ESC_PARAM_NUMBER] = "number", [ESC_PARAM_INTEGER] = "integer",
	[ESC_PARAM_BOOLEAN] = "boolean", [ESC_PARAM_STRING] = "string",
	[ESC_PARAM_TABLE] = "table", [ESC_PARAM_PARTY] = "party", [ESC_PARAM_TYPE] = "type",
	[ESC_PARAM_ZONE] = "zone", [ESC_PARAM_ANY] = "any",
};
#define N_TYPES (sizeof type_names / sizeof type_names[0])
#define TYPE_LIST "number, integer, boolean, string, table, party, type, zone, any"

static int type_of(const char *s)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (strcmp(s, type_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *esc_lua_param_type_name(int type)
{
	return type >= 0 && (size_t)type < N_TYPES ? type_names[type] : "?";
}

/* ---- reading a declaration -------------------------------------------------- */

static int str_field(lua_State *L, int t, const char *k, const char **out)
{
	lua_pushstring(L, k);
	int ty = lua_rawget(L, t);
	*out = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);            /* the string stays anchored by the table */
	return ty;
}

static int element_type(lua_State *L, int t, const char *k, int *out, char *msg, size_t n)
{
	const char *s;
	int ty = str_field(L, t, k, &s);
	*out = -1;
	if (ty == LUA_TNIL)
		return 0;
	int e = s ? type_of(s) : -1;
	if (e < 0 || e == ESC_PARAM_TABLE) {
		snprintf(msg, n, "%s: expected the type of the table's %s (number, integer, boolean, "
		         "string, party, type, zone or any), got %s", k, k, s ? s : lua_typename(L, ty));
		return -1;
	}
	*out = e;
	return 0;
}

int esc_lua_param_read(lua_State *L, int decl, esc_lua_param *p, char *msg, size_t n)
{
	decl = lua_absindex(L, decl);
	memset(p, 0, sizeof *p);
	p->type = -1;
	p->keys = p->values = -1;
	p->lo = -HUGE_VAL;
	p->hi = HUGE_VAL;
	if (lua_type(L, decl) != LUA_TTABLE) {
		snprintf(msg, n, "expected a declaration {name = ..., type = ..., default = ..., doc = ...}, got %s",
		         luaL_typename(L, decl));
		return -1;
	}
	static const char *const keys[] = {"name", "type", "default", "unit", "range", "doc",
	                                   "optional", "keys", "values"};
	lua_pushnil(L);
	while (lua_next(L, decl)) {
		lua_pop(L, 1);
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0] && lua_type(L, -1) == LUA_TSTRING; i++)
			known |= strcmp(lua_tostring(L, -1), keys[i]) == 0;
		if (!known) {
			const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
			const char *sug = esc_lua_suggest(k, keys, sizeof keys / sizeof keys[0]);
			snprintf(msg, n, "unknown key '%s'%s%s%s (a declaration has name, type, default, unit, "
			         "range, doc, optional, keys, values)", k, sug ? " (did you mean '" : "",
			         sug ? sug : "", sug ? "'?)" : "");
			lua_pop(L, 1);
			return -1;
		}
	}
	size_t len = 0;
	lua_pushliteral(L, "name");
	int nt = lua_rawget(L, decl);
	const char *name = nt == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
	if (!name || !esc_lua_is_identifier(name, len, 63)) {
		lua_pop(L, 1);
		snprintf(msg, n, "name: expected a parameter name (letters, digits and _)");
		return -1;
	}
	p->name = lua_tostring(L, -1);
	lua_pop(L, 1);
	const char *ts;
	str_field(L, decl, "type", &ts);
	p->type = ts ? type_of(ts) : -1;
	if (p->type < 0) {
		snprintf(msg, n, "%s: type: expected one of " TYPE_LIST ", got %s", p->name, ts ? ts : "none");
		return -1;
	}
	if (str_field(L, decl, "doc", &p->doc) != LUA_TSTRING || !*p->doc) {
		snprintf(msg, n, "%s: doc: expected a one-line description", p->name);
		return -1;
	}
	int ty = str_field(L, decl, "unit", &p->unit);
	if (ty != LUA_TNIL && ty != LUA_TSTRING) {
		snprintf(msg, n, "%s: unit: expected a string such as \"h\"", p->name);
		return -1;
	}
	lua_pushliteral(L, "optional");
	ty = lua_rawget(L, decl);
	p->optional = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) {
		snprintf(msg, n, "%s: optional: expected true or false", p->name);
		return -1;
	}
	lua_pushliteral(L, "range");
	ty = lua_rawget(L, decl);
	if (ty == LUA_TTABLE) {
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		int ok = lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TNUMBER &&
		         lua_rawlen(L, -3) == 2;
		p->lo = lua_tonumber(L, -2);
		p->hi = lua_tonumber(L, -1);
		lua_pop(L, 2);
		if (!ok || !(p->lo <= p->hi) ||
		    (p->type != ESC_PARAM_NUMBER && p->type != ESC_PARAM_INTEGER)) {
			lua_pop(L, 1);
			snprintf(msg, n, "%s: range: expected {LO, HI} with LO <= HI (math.huge for none), "
			         "for a number or an integer", p->name);
			return -1;
		}
		p->has_range = 1;
	} else if (ty != LUA_TNIL) {
		lua_pop(L, 1);
		snprintf(msg, n, "%s: range: expected {LO, HI}", p->name);
		return -1;
	}
	lua_pop(L, 1);
	char sub[300];
	if (element_type(L, decl, "keys", &p->keys, sub, sizeof sub) ||
	    element_type(L, decl, "values", &p->values, sub, sizeof sub)) {
		snprintf(msg, n, "%s: %s", p->name, sub);
		return -1;
	}
	if ((p->keys >= 0 || p->values >= 0) && p->type != ESC_PARAM_TABLE) {
		snprintf(msg, n, "%s: keys and values describe a table, not a %s", p->name,
		         type_names[p->type]);
		return -1;
	}
	return 0;
}

/* ---- checking a value ---------------------------------------------------------- */

static const char *num_text(char *b, double x)
{
	if (isinf(x))
		return x > 0 ? "inf" : "-inf";
	return esc_fmt_double(b, x);
}

/* "a number of hours in [0, 24]" */
static void expected_text(const esc_lua_param *p, char *out, size_t n)
{
	char a[ESC_NUM_MAX], b[ESC_NUM_MAX];
	const char *what;
	switch (p->type) {
	case ESC_PARAM_NUMBER: what = p->unit && !strcmp(p->unit, "h") ? "a number of hours" : "a number"; break;
	case ESC_PARAM_INTEGER: what = "an integer"; break;
	case ESC_PARAM_BOOLEAN: what = "true or false"; break;
	case ESC_PARAM_STRING: what = "a string"; break;
	case ESC_PARAM_TABLE: what = "a table"; break;
	case ESC_PARAM_PARTY: what = "a party name"; break;
	case ESC_PARAM_TYPE: what = "an incident type"; break;
	case ESC_PARAM_ZONE: what = "a zone"; break;
	default: what = "any value"; break;
	}
	size_t k = (size_t)snprintf(out, n, "%s", what);
	if (p->has_range && k < n) {
		if (isinf(p->hi) && isinf(p->lo))
			;
		else if (isinf(p->hi))
			k += (size_t)snprintf(out + k, n - k, " >= %s", num_text(a, p->lo));
		else if (isinf(p->lo))
			k += (size_t)snprintf(out + k, n - k, " <= %s", num_text(a, p->hi));
		else
			k += (size_t)snprintf(out + k, n - k, " in [%s, %s]", num_text(a, p->lo), num_text(b, p->hi));
	}
	if (p->unit && strcmp(p->unit, "h") != 0 && k < n)
		k += (size_t)snprintf(out + k, n - k, " (%s)", p->unit);
	if (p->type == ESC_PARAM_TABLE && (p->keys >= 0 || p->values >= 0) && k < n)
		k += (size_t)snprintf(out + k, n - k, " {%s = %s}", p->keys >= 0 ? type_names[p->keys] : "any",
		                      p->values >= 0 ? type_names[p->values] : "any");
	if (p->optional && k < n)
		snprintf(out + k, n - k, ", or false for none");
}

/* What the value at idx is, for "got ...". */
static const char *got_text(lua_State *L, int idx, char *b, size_t n)
{
	char x[ESC_NUM_MAX];
	if (lua_type(L, idx) == LUA_TNUMBER)
		snprintf(b, n, "%s", esc_fmt_double(x, lua_tonumber(L, idx)));
	else if (lua_type(L, idx) == LUA_TSTRING)
		snprintf(b, n, "string '%.40s'", lua_tostring(L, idx));
	else if (lua_type(L, idx) == LUA_TBOOLEAN)
		snprintf(b, n, "%s", lua_toboolean(L, idx) ? "true" : "false");
	else
		snprintf(b, n, "%s", esc_lua_typename(L, idx));
	return b;
}

/* A name of the scenario: checked against its names, with a suggestion. */
static int name_check(const char *kind, const char *name, const char *names, size_t count,
                      size_t stride, char *msg, size_t n)
{
	const char *cand[256];
	size_t m = count < 256 ? count : 256;
	for (size_t i = 0; i < m; i++) {
		cand[i] = names + i * stride;
		if (strcmp(cand[i], name) == 0)
			return 0;
	}
	const char *sug = esc_lua_suggest(name, cand, m);
	size_t k = (size_t)snprintf(msg, n, "unknown %s '%s'", kind, name);
	if (sug && k < n)
		k += (size_t)snprintf(msg + k, n - k, " (did you mean '%s'?)", sug);
	if (k < n)
		k += (size_t)snprintf(msg + k, n - k, "; known: ");
	for (size_t i = 0; i < m && k < n; i++)
		k += (size_t)snprintf(msg + k, n - k, "%s%s", i ? ", " : "", cand[i]);
	return -1;
}

/* One scalar value of type `type` (not a table). */
static int scalar_check(lua_State *L, const esc_lua_param *p, int type, int idx,
                        const esc_config *cfg, char *msg, size_t n)
{
	int ty = lua_type(L, idx);
	double x = lua_tonumber(L, idx);
	switch (type) {
	case ESC_PARAM_ANY:
		return 0;
	case ESC_PARAM_NUMBER:
	case ESC_PARAM_INTEGER:
		if (ty != LUA_TNUMBER || isnan(x) || (type == ESC_PARAM_INTEGER && x != floor(x)))
			return -1;
		if (p && p->has_range ? !(x >= p->lo && x <= p->hi) : !isfinite(x))
			return -1;
		return 0;
	case ESC_PARAM_BOOLEAN:
		return ty == LUA_TBOOLEAN ? 0 : -1;
	case ESC_PARAM_STRING:
		return ty == LUA_TSTRING ? 0 : -1;
	case ESC_PARAM_PARTY:
	case ESC_PARAM_TYPE:
	case ESC_PARAM_ZONE:
		if (ty != LUA_TSTRING)
			return -1;
		if (!cfg)
			return 0;
		if (type == ESC_PARAM_PARTY)
			return name_check("party", lua_tostring(L, idx), cfg->parties[0].name, cfg->n_parties,
			                  sizeof(esc_party), msg, n) ? -2 : 0;
		if (type == ESC_PARAM_TYPE && cfg->n_types == 0) {
			snprintf(msg, n, "unknown type '%s': the scenario defines no incident types",
			         lua_tostring(L, idx));
			return -2;
		}
		if (type == ESC_PARAM_TYPE)
			return name_check("type", lua_tostring(L, idx), cfg->types[0].name, cfg->n_types,
			                  sizeof(esc_incident_type), msg, n) ? -2 : 0;
		return name_check("zone", lua_tostring(L, idx), cfg->zones[0], cfg->n_zones,
		                  sizeof cfg->zones[0], msg, n) ? -2 : 0;
	default:
		return -1;
	}
}

int esc_lua_param_check(lua_State *L, const esc_lua_param *p, int idx, const esc_config *cfg,
                        char *msg, size_t n)
{
	idx = lua_absindex(L, idx);
	char want[300], got[80];
	expected_text(p, want, sizeof want);
	if (p->optional && lua_type(L, idx) == LUA_TBOOLEAN && !lua_toboolean(L, idx))
		return 0;
	if (p->type != ESC_PARAM_TABLE) {
		int r = scalar_check(L, p, p->type, idx, cfg, msg, n);
		if (r == -1)
			snprintf(msg, n, "expected %s, got %s", want, got_text(L, idx, got, sizeof got));
		return r ? -1 : 0;
	}
	if (lua_type(L, idx) != LUA_TTABLE) {
		snprintf(msg, n, "expected %s, got %s", want, got_text(L, idx, got, sizeof got));
		return -1;
	}
	/* the keys and values of a table, in sorted order */
	int nk = esc_lua_sorted_keys(L, idx);
	if (nk < 0) {
		snprintf(msg, n, "expected %s, got a table with keys that are neither numbers nor strings", want);
		return -1;
	}
	int keys = lua_gettop(L), r = 0;
	char sub[400];
	for (int i = 1; i <= nk && r == 0; i++) {
		lua_rawgeti(L, keys, i);
		lua_pushvalue(L, -1);
		lua_rawget(L, idx);
		int k = lua_gettop(L) - 1, v = k + 1;
		if (p->keys >= 0 && (r = scalar_check(L, NULL, p->keys, k, cfg, sub, sizeof sub)) != 0) {
			if (r == -1)
				snprintf(msg, n, "expected %s, got the key %s", want, got_text(L, k, got, sizeof got));
			else
				snprintf(msg, n, "key %s: %s", got_text(L, k, got, sizeof got), sub);
		} else if (p->values >= 0 && (r = scalar_check(L, NULL, p->values, v, cfg, sub, sizeof sub)) != 0) {
			char kt[80], nb[ESC_NUM_MAX];
			if (lua_type(L, k) == LUA_TSTRING)
				snprintf(kt, sizeof kt, "\"%.60s\"", lua_tostring(L, k));
			else
				snprintf(kt, sizeof kt, "%s", esc_fmt_double(nb, lua_tonumber(L, k)));
			if (r == -1)
				snprintf(msg, n, "[%s]: expected %s, got %s", kt, type_names[p->values],
				         got_text(L, v, got, sizeof got));
			else
				snprintf(msg, n, "[%s]: %s", kt, sub);
		}
		lua_pop(L, 2);
	}
	lua_settop(L, keys - 1);
	return r ? -1 : 0;
}

const char *esc_lua_module_name(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	const char *name = NULL;
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_LOADED);
	lua_pushnil(L);
	while (!name && lua_next(L, -2)) {
		if (lua_rawequal(L, -1, idx) && lua_type(L, -2) == LUA_TSTRING)
			name = lua_tostring(L, -2);      /* anchored as a key of the loaded table */
		lua_pop(L, 1);
	}
	lua_pop(L, name ? 2 : 1);
	return name;
}

/* ---- overrides of policies written inline --------------------------------------- */

/* Does the table at t carry a declaration (policy.lua's metatable)? */
int esc_lua_policy_meta(lua_State *L, int t)
{
	if (!lua_getmetatable(L, t))
		return 0;
	lua_pushliteral(L, "__escsim_policy");
	if (lua_rawget(L, -2) == LUA_TTABLE) {
		lua_remove(L, -2);
		return 1;
	}
	lua_pop(L, 2);
	return 0;
}

void esc_lua_check_override_key(lua_State *L, int root, const char *key, const char *label)
{
	/* policies.PARTY.NAME[...]: PARTY's table must exist and have NAME, or
	 * declare it (checked with the scenario, by validate.c) */
	if (strncmp(key, "policies.", 9) != 0)
		return;
	const char *party = key + 9, *dot = strchr(party, '.');
	if (!dot)
		return;
	const char *name = dot + 1;
	size_t nlen = strcspn(name, ".");
	int top = lua_gettop(L);
	lua_pushliteral(L, "policies");
	if (lua_rawget(L, root) != LUA_TTABLE) {
		lua_settop(L, top);
		return;
	}
	lua_pushlstring(L, party, (size_t)(dot - party));
	if (lua_rawget(L, -2) != LUA_TTABLE || esc_lua_policy_meta(L, -1)) {
		lua_settop(L, top);
		return;
	}
	int pol = lua_gettop(L);
	lua_pushlstring(L, name, nlen);
	int present = lua_rawget(L, pol) != LUA_TNIL;
	lua_pop(L, 1);
	if (present || (nlen == 4 && memcmp(name, "tick", 4) == 0)) {
		lua_settop(L, top);
		return;
	}
	/* the parameters it has: its keys that are not functions */
	const char *cand[256];
	size_t m = 0;
	int nk = esc_lua_sorted_keys(L, pol);
	for (int i = 1; i <= nk && m < 256; i++) {
		lua_rawgeti(L, -1, i);
		lua_pushvalue(L, -1);
		if (lua_type(L, -2) == LUA_TSTRING && lua_rawget(L, pol) != LUA_TFUNCTION)
			cand[m++] = lua_tostring(L, -2);      /* anchored by the keys table */
		lua_pop(L, 2);
	}
	lua_pushlstring(L, name, nlen);
	const char *k = lua_tostring(L, -1);
	const char *sug = esc_lua_suggest(k, cand, m);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (size_t i = 0; i < m; i++) {
		if (i)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, cand[i]);
	}
	luaL_pushresult(&b);
	lua_pushlstring(L, party, (size_t)(dot - party));
	luaL_error(L, "%s: policies.%s has no parameter '%s'%s%s%s; an override changes a parameter "
	           "the policy has (%s)", label, lua_tostring(L, -1), k,
	           sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "",
	           m ? lua_tostring(L, -2) : "it has none: its table was written inline without them");
}

/* ---- LuaLS definitions ------------------------------------------------------------- */

static const char *luals_type(int type)
{
	switch (type) {
	case ESC_PARAM_NUMBER: return "number";
	case ESC_PARAM_INTEGER: return "integer";
	case ESC_PARAM_BOOLEAN: return "boolean";
	case ESC_PARAM_TABLE: return "table";
	case ESC_PARAM_ANY: return "any";
	default: return "string";
	}
}

/* Text is built from pieces appended to a Lua table (at index acc),
 * concatenated at the end, so values can be pushed freely meanwhile. */
static void pieces_add(lua_State *L, int acc, const char *s)
{
	lua_pushstring(L, s);
	lua_rawseti(L, acc, (lua_Integer)lua_rawlen(L, acc) + 1);
}

static void pieces_concat(lua_State *L, int acc)
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

/* Append the string on the top of the stack to the pieces at acc. */
static void put(lua_State *L, int acc)
{
	pieces_add(L, acc, lua_tostring(L, -1));
	lua_pop(L, 1);
}

/* One declared module (table at mod, its declarations at decls) as LuaLS
 * text appended to acc. */
static void luals_module(lua_State *L, int acc, const char *modname, int mod, int decls)
{
	const char *base = strrchr(modname, '.');
	base = base ? base + 1 : modname;
	lua_pushliteral(L, "doc");
	const char *doc = lua_rawget(L, mod) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pushfstring(L, "\n---Parameters of %s%s%s\n---@class escsim.params.%s\n", modname,
	                doc ? ": " : "", doc ? doc : "", base);
	put(L, acc);
	lua_pop(L, 1);                          /* doc */
	lua_Integer n = (lua_Integer)lua_rawlen(L, decls);
	for (lua_Integer j = 1; j <= n; j++) {
		lua_rawgeti(L, decls, j);
		esc_lua_param p;
		char msg[300];
		if (esc_lua_param_read(L, -1, &p, msg, sizeof msg)) {
			lua_pop(L, 1);
			continue;
		}
		char want[300], dflt[ESC_NUM_MAX + 64] = "";
		expected_text(&p, want, sizeof want);
		lua_pushliteral(L, "default");
		int dt = lua_rawget(L, -2);
		if (dt == LUA_TNUMBER)
			esc_fmt_double(dflt, lua_tonumber(L, -1));
		else if (dt == LUA_TSTRING)
			snprintf(dflt, sizeof dflt, "\"%.60s\"", lua_tostring(L, -1));
		else if (dt == LUA_TBOOLEAN)
			snprintf(dflt, sizeof dflt, "%s", lua_toboolean(L, -1) ? "true" : "false");
		lua_pop(L, 1);
		char lt[64];
		if (p.type == ESC_PARAM_TABLE && p.keys < 0 && p.values >= 0)
			snprintf(lt, sizeof lt, "%s[]", luals_type(p.values));
		else if (p.type == ESC_PARAM_TABLE && p.keys >= 0)
			snprintf(lt, sizeof lt, "table<%s, %s>", luals_type(p.keys),
			         p.values >= 0 ? luals_type(p.values) : "any");
		else
			snprintf(lt, sizeof lt, "%s", luals_type(p.type));
		lua_pushfstring(L, "---@field %s? %s%s %s (%s%s%s)\n", p.name, lt,
		                p.optional ? "|false" : "", p.doc, want, *dflt ? "; default " : "", dflt);
		put(L, acc);
		lua_pop(L, 1);                  /* the declaration */
	}
	lua_pushfstring(L, "\n---@class escsim.module.%s\nlocal %s = {}\n"
	                "---A party's policy: these parameters over their defaults, and the hooks.\n"
	                "---@param params? escsim.params.%s\n---@return escsim.Policy\n"
	                "function %s.new(params) end\n", base, base, base, base);
	put(L, acc);
}

/* The declared modules among those loaded (ESC_REG_LOADED), sorted by
 * name, as LuaLS text (pushed). */
static int luals_cf(lua_State *L)
{
	lua_newtable(L);
	int acc = lua_gettop(L);
	lua_pushliteral(L,
		"---@meta escsim.policies\n"
		"-- policies.lua: LuaLS definitions of the policy modules' parameters.\n"
		"--\n"
		"-- Written by `escsim check --luals FILE SCENARIO` from the declarations\n"
		"-- (M.parameters) of the modules the scenario loads; for the shipped\n"
		"-- modules, `make meta`.  Do not edit: change the declarations.  A\n"
		"-- module's new(params) is annotated with its class:\n"
		"--   ---@param params? escsim.params.query_before_retaliate\n"
		"error(\"escsim/meta/policies.lua is a definition file for editors: do not require it\")\n");
	put(L, acc);
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_LOADED);
	int loaded = lua_gettop(L);
	int nk = esc_lua_sorted_keys(L, loaded);
	int keys = lua_gettop(L);
	for (int i = 1; i <= nk; i++) {
		lua_rawgeti(L, keys, i);
		lua_pushvalue(L, -1);
		if (lua_type(L, -1) == LUA_TSTRING && lua_rawget(L, loaded) == LUA_TTABLE) {
			lua_pushliteral(L, "parameters");
			if (lua_rawget(L, -2) == LUA_TTABLE)
				luals_module(L, acc, lua_tostring(L, keys + 1), keys + 2, keys + 3);
		}
		lua_settop(L, keys);
	}
	lua_settop(L, acc);
	pieces_concat(L, acc);
	return 1;
}

char *esc_lua_luals(esc_scenario *s, esc_error *err)
{
	lua_pushcfunction(s->L, luals_cf);
	lua_pushlightuserdata(s->L, NULL);
	if (esc_lua_pcall(s, 1, 1, "writing the LuaLS definitions", err))
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
