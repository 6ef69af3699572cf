/* validate.c: the scenario schema.
 *
 * Turns an arm's Lua table into an esc_config, checking every key: its type,
 * its range, the names it refers to.  An error names the key path and what
 * was expected, and starts with where the value came from: the scenario{}
 * call in the file, or the override that set it.  Tables are read raw (no
 * metamethods) and their keys in sorted order, so the first error reported
 * is the same in every run.  Runs in protected mode: errors are raised as Lua
 * errors whose message is final.
 *
 * This file reads the world the parties live in (parties, zones, incident
 * types, incidents, regime, hawkes, attribution, ladder, limits, outputs)
 * and runs the checks across fields at the end; validate_policy.c reads
 * how they act and talk (cell, channels, policies, triggers); fields.c is
 * the toolkit both are written with (validate.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* Ranges of the fields only this file reads (validate.h names the common
 * ones). */
static const esc_lua_range GOLDSTEIN_SCALE = {.lo = -10, .hi = 10};
static const esc_lua_range LIMIT_COUNT = {.lo = 1, .hi = 9e15, .integer = 1};
	/* limits.events and the like: whole, and exact in a double */
static const esc_lua_range MEMORY_BYTES = {.lo = (double)ESC_LUA_MIN_MEMORY, .hi = ESC_LUA_MAX_MEMORY};
static const esc_lua_range CPU_SECONDS = {.lo = ESC_LUA_MIN_CPU_S, .hi = ESC_LUA_MAX_CPU_S};
static const esc_lua_range HORIZON_HOURS = {.lo = 0, .hi = ESC_MAX_HORIZON_H, .lo_open = 1};

/* ---- sections ------------------------------------------------------------------- */

static const char *const top_known[] = {
	"name", "description", "horizon", "parties", "zones", "types", "incidents",
	"hawkes", "regime", "attribution", "ladder", "cell", "channels", "policies", "triggers",
	"limits", "outputs",
};

static void check_top(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	int n = esc_lua_string_keys(v, t);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *k = lua_tostring(L, -1);
		size_t nk = COUNT(top_known);
		if (esc_lua_list_index(top_known, nk, k) < 0)
			esc_lua_unknown_key(v, k, top_known, nk);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static size_t count_parties(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "parties");
	int ty = esc_lua_rawfield(L, t, "parties");
	if (ty == LUA_TNIL)
		esc_lua_verr(v, "missing (expected an array of at least 2 parties {name = ..., kind = ...})");
	if (ty != LUA_TTABLE) {
		char b[64];
		esc_lua_verr(v, "expected an array of parties {name = ..., kind = ...}, got %s", esc_lua_got(v, -1, b, sizeof b));
	}
	size_t n = esc_lua_check_array(v, -1, "parties");
	if (n < 2)
		esc_lua_verr(v, "need at least 2 parties, got %zu", n);
	if (n > ESC_MAX_PARTIES)
		esc_lua_verr(v, "at most %d parties (the model's limit), got %zu", ESC_MAX_PARTIES, n);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	return n;
}

static size_t count_zones(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "zones");
	int ty = esc_lua_rawfield(L, t, "zones");
	if (ty == LUA_TNIL)
		esc_lua_verr(v, "missing (expected an array of at least 1 zone name)");
	if (ty != LUA_TTABLE) {
		char b[64];
		esc_lua_verr(v, "expected an array of zone names, got %s", esc_lua_got(v, -1, b, sizeof b));
	}
	size_t n = esc_lua_check_array(v, -1, "zone names");
	if (n < 1)
		esc_lua_verr(v, "need at least 1 zone, got 0");
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	return n;
}

/* Leaves the sorted type names on the stack (a table) and returns their
 * number. */
static size_t count_types(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	size_t old = esc_lua_path_key(v, "types");
	if (!esc_lua_table_field(v, t, "types", "a table of incident types, name = {level = ...}")) {
		lua_newtable(L);
		esc_lua_path_pop(v, old);
		return 0;
	}
	int n = esc_lua_string_keys(v, -1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		size_t len;
		const char *k = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(k, len, ESC_NAME_MAX - 1))
			esc_lua_verr(v, "'%s' is not a valid type name (letters, digits and _, at most %d characters)",
			             k, ESC_NAME_MAX - 1);
		lua_pop(L, 1);
	}
	lua_remove(L, -2);
	esc_lua_path_pop(v, old);
	return (size_t)n;
}

static size_t count_incidents(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "incidents");
	if (!esc_lua_table_field(v, t, "incidents", "an array of incident generators {actor, target, type, zone, rate}")) {
		esc_lua_path_pop(v, old);
		return 0;
	}
	size_t n = esc_lua_check_array(v, -1, "incident generators");
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	return n;
}

static void read_parties(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"name", "kind", "deniable", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	esc_lua_rawfield(L, t, "parties");
	int arr = lua_gettop(L);
	size_t old = esc_lua_path_key(v, "parties");
	for (size_t i = 0; i < cfg->n_parties; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			esc_lua_verr(v, "expected a party {name = ..., kind = ...}, got %s", esc_lua_got(v, -1, b, sizeof b));
		int p = lua_gettop(L);
		esc_lua_check_keys(v, p, keys, COUNT(keys));
		esc_lua_str_field(v, p, "name", 1, "a party name (letters, digits and _, at most 31 characters)");
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1)) {
			esc_lua_path_key(v, "name");
			esc_lua_verr(v, "expected a party name (letters, digits and _, at most %d characters), got '%s'",
			             ESC_NAME_MAX - 1, name);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->parties[j].name, name) == 0) {
				esc_lua_path_key(v, "name");
				esc_lua_verr(v, "duplicate party '%s' (also parties[%zu])", name, j + 1);
			}
		memcpy(cfg->parties[i].name, name, len + 1);
		lua_pop(L, 1);
		cfg->parties[i].kind = ESC_PARTY_STATE;
		if (esc_lua_str_field(v, p, "kind", 0, "\"state\", \"nonstate\" or \"supervisor\"")) {
			const char *k = lua_tostring(L, -1);
			if (strcmp(k, "state") == 0)
				cfg->parties[i].kind = ESC_PARTY_STATE;
			else if (strcmp(k, "nonstate") == 0)
				cfg->parties[i].kind = ESC_PARTY_NONSTATE;
			else if (strcmp(k, "supervisor") == 0)
				cfg->parties[i].kind = ESC_PARTY_SUPERVISOR;
			else {
				esc_lua_path_key(v, "kind");
				esc_lua_verr(v, "expected \"state\", \"nonstate\" or \"supervisor\", got '%s'", k);
			}
			lua_pop(L, 1);
		}
		cfg->parties[i].deniable = 0;
		esc_lua_bool_field(v, p, "deniable", &cfg->parties[i].deniable);
		if (esc_lua_str_field(v, p, "description", 0, "a string"))
			lua_pop(L, 1);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* An array of n unique identifier names at t[key] into names: zones and
 * regime states.  `what` names one element in messages; `where` is the
 * array's full path for the duplicate message. */
static void read_names(esc_lua_vctx *v, int t, const char *key, const char *what,
                       const char *where, char (*names)[ESC_NAME_MAX], size_t n)
{
	lua_State *L = v->L;
	esc_lua_rawfield(L, t, key);
	int arr = lua_gettop(L);
	size_t old = esc_lua_path_key(v, key);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TSTRING)
			esc_lua_verr(v, "expected a %s name, got %s", what, esc_lua_got(v, -1, b, sizeof b));
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1))
			esc_lua_verr(v, "expected a %s name (letters, digits and _, at most %d characters), got '%s'",
			             what, ESC_NAME_MAX - 1, name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[j], name) == 0)
				esc_lua_verr(v, "duplicate %s '%s' (also %s[%zu])", what, name, where, j + 1);
		memcpy(names[i], name, len + 1);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

static void read_zones(esc_lua_vctx *v, int t)
{
	read_names(v, t, "zones", "zone", "zones", v->cfg->zones, v->cfg->n_zones);
}

/* A string field of at most size - 1 bytes into out (left as it is when
 * absent). */
static void code_field(esc_lua_vctx *v, int t, const char *key, const char *expect, char *out, size_t size)
{
	lua_State *L = v->L;
	if (!esc_lua_str_field(v, t, key, 0, expect))
		return;
	size_t len;
	const char *x = lua_tolstring(L, -1, &len);
	size_t old = esc_lua_path_key(v, key);
	if (len > 0)                /* empty: the type has no such code */
		esc_lua_check_text(v, x, len, size - 1, expect);
	esc_lua_path_pop(v, old);
	memcpy(out, x, len + 1);
	lua_pop(L, 1);
}

/* The codes that set a simulated event log beside real event data.  `acled`
 * (type and sub-type in one string) is the older form: accepted, not
 * recorded, since its '/' cannot be split reliably. */
static void read_codes(esc_lua_vctx *v, int tt, esc_incident_type *ty)
{
	lua_State *L = v->L;
	if (esc_lua_str_field(v, tt, "acled", 0, "a string"))
		lua_pop(L, 1);
	code_field(v, tt, "acled_subtype", "an ACLED sub-type of at most 47 bytes of UTF-8 text", ty->acled_subtype,
	           sizeof ty->acled_subtype);
	code_field(v, tt, "acled_type", "an ACLED event type of at most 47 bytes of UTF-8 text", ty->acled_type,
	           sizeof ty->acled_type);
	const char *cameo = "a CAMEO code, digits in a string such as \"195\"";
	code_field(v, tt, "cameo", cameo, ty->cameo, sizeof ty->cameo);
	for (const char *c = ty->cameo; *c; c++)
		if (*c < '0' || *c > '9') {
			esc_lua_path_key(v, "cameo");
			esc_lua_verr(v, "expected %s, got '%s'", cameo, ty->cameo);
		}
	if (esc_lua_str_field(v, tt, "description", 0, "a string"))
		lua_pop(L, 1);
}

/* types.NAME.escalate = {to = TYPE, p = probability}: when created, an
 * incident of this type turns into one of type `to` with probability p. */
static void read_escalate(esc_lua_vctx *v, int tt, size_t i)
{
	static const char *const keys[] = {"p", "to"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = esc_lua_path_key(v, "escalate");
	if (!esc_lua_table_field(v, tt, "escalate", "a table {to = TYPE, p = probability}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int et = lua_gettop(L);
	esc_lua_check_keys(v, et, keys, COUNT(keys));
	double p;
	esc_lua_num_field(v, et, "p", 1, &PROBABILITY, "a probability in [0, 1]", &p);
	esc_lua_namelist types = esc_lua_types_of(cfg);
	int to = esc_lua_list_field(v, et, "to", 1, &types);
	if ((size_t)to == i) {
		esc_lua_path_key(v, "to");
		esc_lua_verr(v, "must differ from the type itself ('%s')", cfg->types[i].name);
	}
	cfg->types[i].escalate_to = to;
	cfg->types[i].escalate_p = p;
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* names: the sorted type names (table at index names) */
static void read_types(esc_lua_vctx *v, int t, int names)
{
	static const char *const keys[] = {"level", "lethal_level", "goldstein", "fatalities_mil",
	                                   "fatalities_civ", "escalate", "acled_type", "acled_subtype",
	                                   "cameo", "acled", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	if (cfg->n_types == 0)
		return;
	/* every name first: escalate.to may name a type sorted after its own */
	for (size_t i = 0; i < cfg->n_types; i++) {
		lua_rawgeti(L, names, (lua_Integer)i + 1);
		snprintf(cfg->types[i].name, sizeof cfg->types[i].name, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	esc_lua_rawfield(L, t, "types");
	int types = lua_gettop(L);
	size_t old = esc_lua_path_key(v, "types");
	for (size_t i = 0; i < cfg->n_types; i++) {
		lua_rawgeti(L, names, (lua_Integer)i + 1);
		const char *name = lua_tostring(L, -1);
		size_t o2 = esc_lua_path_key(v, name);
		esc_incident_type *ty = &cfg->types[i];
		snprintf(ty->name, sizeof ty->name, "%s", name);
		char b[64];
		if (lua_rawget(L, types) != LUA_TTABLE)
			esc_lua_verr(v, "expected a table {level = 0..7, goldstein = ..., fatalities_mil = ..., fatalities_civ = ...}, got %s",
			             esc_lua_got(v, -1, b, sizeof b));
		int tt = lua_gettop(L);
		esc_lua_check_keys(v, tt, keys, COUNT(keys));
		double x;
		esc_lua_num_field(v, tt, "level", 1, &LADDER_LEVEL, "an integer ladder level 0..7", &x);
		ty->level = (int)x;
		ty->lethal_level = ty->level;
		esc_lua_range lethal = {.lo = ty->level, .hi = ESC_LADDER_TOP, .integer = 1};   /* from the type's level */
		if (esc_lua_num_field(v, tt, "lethal_level", 0, &lethal,
		                      "an integer ladder level, at least the type's level and at most 7", &x))
			ty->lethal_level = (int)x;
		ty->goldstein = 0;
		if (esc_lua_num_field(v, tt, "goldstein", 0, &GOLDSTEIN_SCALE, "a Goldstein score in [-10, 10]", &x))
			ty->goldstein = x;
		esc_lua_dist_field(v, tt, "fatalities_mil", DIST_COUNT, &ty->fatalities_mil);
		esc_lua_dist_field(v, tt, "fatalities_civ", DIST_COUNT, &ty->fatalities_civ);
		read_escalate(v, tt, i);
		read_codes(v, tt, ty);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* incidents[i].regime = {STATE = multiplier}: this generator's own
 * multipliers, replacing the regime's; states left out keep 1. */
static void read_generator_regime(esc_lua_vctx *v, int g, size_t i)
{
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = esc_lua_path_key(v, "regime");
	if (!esc_lua_table_field(v, g, "regime", "a table STATE = multiplier >= 0")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int rt = lua_gettop(L);
	if (cfg->regime.n_states == 0)
		esc_lua_verr(v, "the scenario has no regime chain");
	esc_error e = {0};
	if (esc_config_alloc_generator_multiplier(cfg, i, &e))
		luaL_error(L, "%s", e.msg);
	double *m = cfg->generators[i].regime_multiplier;
	esc_lua_namelist states = esc_lua_states_of(cfg);
	int n = esc_lua_string_keys(v, rt);
	for (int k = 1; k <= n; k++) {
		lua_rawgeti(L, -1, k);
		const char *name = lua_tostring(L, -1);
		int st = esc_lua_name_key(v, &states, name);
		esc_lua_num_field(v, rt, name, 1, &NON_NEGATIVE, "a finite multiplier >= 0", &m[st]);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);                            /* keys, table */
	esc_lua_path_pop(v, old);
}

static void read_incidents(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"actor", "target", "type", "zone", "rate", "regime", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	if (cfg->n_generators == 0)
		return;
	esc_lua_namelist parties = esc_lua_parties_of(cfg), zones = esc_lua_zones_of(cfg);
	esc_lua_rawfield(L, t, "incidents");
	int arr = lua_gettop(L);
	size_t old = esc_lua_path_key(v, "incidents");
	for (size_t i = 0; i < cfg->n_generators; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			esc_lua_verr(v, "expected an incident generator {actor, target, type, zone, rate}, got %s",
			             esc_lua_got(v, -1, b, sizeof b));
		int g = lua_gettop(L);
		esc_lua_check_keys(v, g, keys, COUNT(keys));
		esc_generator *gen = &cfg->generators[i];
		gen->actor = esc_lua_list_field(v, g, "actor", 1, &parties);
		gen->target = esc_lua_list_field(v, g, "target", 1, &parties);
		if (gen->target == gen->actor) {
			esc_lua_path_key(v, "target");
			esc_lua_verr(v, "must differ from actor ('%s')", cfg->parties[gen->actor].name);
		}
		if (cfg->n_types == 0) {
			esc_lua_path_key(v, "type");
			esc_lua_verr(v, "no incident types are defined (add them under types)");
		}
		esc_lua_namelist types = esc_lua_types_of(cfg);
		gen->type = esc_lua_list_field(v, g, "type", 1, &types);
		gen->zone = esc_lua_list_field(v, g, "zone", 1, &zones);
		esc_lua_num_field(v, g, "rate", 1, &NON_NEGATIVE, "a finite rate >= 0 per hour (see per_day, per_year)", &gen->rate_per_h);
		read_generator_regime(v, g, i);
		if (esc_lua_str_field(v, g, "description", 0, "a string"))
			lua_pop(L, 1);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* regime.states: the state names, copied into the allocated chain. */
static size_t count_states(esc_lua_vctx *v, int rt)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "states");
	int ty = esc_lua_rawfield(L, rt, "states");
	char b[64];
	if (ty == LUA_TNIL)
		esc_lua_verr(v, "missing (expected an array of at least 1 state name, such as {\"calm\", \"tense\", \"crisis\"})");
	if (ty != LUA_TTABLE)
		esc_lua_verr(v, "expected an array of state names, got %s", esc_lua_got(v, -1, b, sizeof b));
	size_t n = esc_lua_check_array(v, -1, "state names");
	if (n < 1)
		esc_lua_verr(v, "need at least 1 state, got 0");
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	return n;
}

static void read_states(esc_lua_vctx *v, int rt)
{
	esc_regime *r = &v->cfg->regime;
	read_names(v, rt, "states", "state", "regime.states", r->names, r->n_states);
}

/* regime.rates = {FROM = {TO = rate per hour}}: the chain's generator;
 * pairs left out never happen. */
static void read_rates(esc_lua_vctx *v, int rt)
{
	lua_State *L = v->L;
	esc_regime *r = &v->cfg->regime;
	size_t n = r->n_states;
	size_t old = esc_lua_path_key(v, "rates");
	if (!esc_lua_table_field(v, rt, "rates", "a table FROM = {TO = rate per hour}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int rates = lua_gettop(L);
	esc_lua_namelist states = esc_lua_states_of(v->cfg);
	int nf = esc_lua_string_keys(v, rates);
	int from_keys = lua_gettop(L);
	for (int a = 1; a <= nf; a++) {
		lua_rawgeti(L, from_keys, a);
		const char *fname = lua_tostring(L, -1);
		int from = esc_lua_name_key(v, &states, fname);
		size_t o2 = esc_lua_path_key(v, fname);
		char b[64];
		if (lua_rawget(L, rates) != LUA_TTABLE)
			esc_lua_verr(v, "expected a table TO = rate per hour, got %s", esc_lua_got(v, -1, b, sizeof b));
		int row = lua_gettop(L);
		int nt = esc_lua_string_keys(v, row);
		for (int c = 1; c <= nt; c++) {
			lua_rawgeti(L, -1, c);
			const char *tname = lua_tostring(L, -1);
			int to = esc_lua_name_key(v, &states, tname);
			if (to == from) {
				esc_lua_path_key(v, tname);
				esc_lua_verr(v, "a state cannot move to itself (leave the pair out)");
			}
			esc_lua_num_field(v, row, tname, 1, &NON_NEGATIVE, "a finite rate >= 0 per hour (see per_day, per_year)",
			                  &r->rate_per_h[(size_t)from * n + (size_t)to]);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);                    /* keys, row */
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 2);                            /* keys, rates */
	esc_lua_path_pop(v, old);
}

/* A table STATE = number >= 0 into m[state]. */
static void read_multipliers(esc_lua_vctx *v, int rt, double *m)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "multiplier");
	if (!esc_lua_table_field(v, rt, "multiplier", "a table STATE = multiplier >= 0")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int mt = lua_gettop(L);
	esc_lua_namelist states = esc_lua_states_of(v->cfg);
	int n = esc_lua_string_keys(v, mt);
	for (int k = 1; k <= n; k++) {
		lua_rawgeti(L, -1, k);
		const char *name = lua_tostring(L, -1);
		int st = esc_lua_name_key(v, &states, name);
		esc_lua_num_field(v, mt, name, 1, &NON_NEGATIVE, "a finite multiplier >= 0", &m[st]);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);                            /* keys, table */
	esc_lua_path_pop(v, old);
}

/* regime.shocks = {{at = hours, state = STATE}, ...}, stably sorted by time. */
static void read_shocks(esc_lua_vctx *v, int rt)
{
	static const char *const keys[] = {"at", "state", "description"};
	lua_State *L = v->L;
	esc_regime *r = &v->cfg->regime;
	if (r->n_shocks == 0)
		return;
	esc_lua_rawfield(L, rt, "shocks");
	int arr = lua_gettop(L);
	size_t old = esc_lua_path_key(v, "shocks");
	esc_lua_namelist states = esc_lua_states_of(v->cfg);
	for (size_t i = 0; i < r->n_shocks; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			esc_lua_verr(v, "expected a shock {at = hours, state = STATE}, got %s", esc_lua_got(v, -1, b, sizeof b));
		int sh = lua_gettop(L);
		esc_lua_check_keys(v, sh, keys, COUNT(keys));
		esc_lua_num_field(v, sh, "at", 1, &NON_NEGATIVE, "a number of hours >= 0 (see days, weeks)", &r->shocks[i].t_h);
		if (esc_lua_str_field(v, sh, "description", 0, "a string"))
			lua_pop(L, 1);
		r->shocks[i].state = esc_lua_list_field(v, sh, "state", 1, &states);
		if (r->shocks[i].t_h >= v->cfg->horizon_h)
			esc_lua_add_warning(v->s, "%s: at %g h, at or after the horizon (%g h): it never happens",
			                    v->path, r->shocks[i].t_h, v->cfg->horizon_h);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	/* insertion sort: stable, so shocks written at the same time keep
	 * their order (the later one wins) */
	for (size_t i = 1; i < r->n_shocks; i++) {
		esc_shock x = r->shocks[i];
		size_t j = i;
		for (; j > 0 && r->shocks[j - 1].t_h > x.t_h; j--)
			r->shocks[j] = r->shocks[j - 1];
		r->shocks[j] = x;
	}
}

/* regime = {states, initial, rates, multiplier, shocks}: the states
 * first (everything else names them), then the other keys in sorted order. */
static void read_regime(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"states", "initial", "rates", "multiplier", "shocks",
	                                   "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = esc_lua_path_key(v, "regime");
	if (!esc_lua_table_field(v, t, "regime", "a table {states = {...}, rates = {...}, multiplier = {...}, shocks = {...}}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int rt = lua_gettop(L);
	esc_lua_check_keys(v, rt, keys, COUNT(keys));
	size_t ns = count_states(v, rt);
	size_t nshocks = 0;
	size_t o2 = esc_lua_path_key(v, "shocks");
	if (esc_lua_table_field(v, rt, "shocks", "an array of shocks {at = hours, state = STATE}")) {
		nshocks = esc_lua_check_array(v, -1, "shocks {at = hours, state = STATE}");
		lua_pop(L, 1);
	}
	esc_lua_path_pop(v, o2);
	esc_error e = {0};
	if (esc_config_alloc_regime(cfg, ns, nshocks, &e))
		luaL_error(L, "%s", e.msg);
	esc_regime *r = &cfg->regime;
	read_states(v, rt);
	esc_lua_namelist states = esc_lua_states_of(cfg);

	if (esc_lua_str_field(v, rt, "description", 0, "a string"))
		lua_pop(L, 1);
	int initial = esc_lua_list_field(v, rt, "initial", 0, &states);
	r->initial = initial < 0 ? 0 : initial;
	read_multipliers(v, rt, r->multiplier);
	read_rates(v, rt);
	read_shocks(v, rt);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* hawkes[i].from / .to: a table of optional names (zone only in `to`).
 * Fields left out stay -1. */
static void read_match(esc_lua_vctx *v, int rule, const char *key, int with_zone,
                       int *actor, int *target, int *type, int *zone)
{
	static const char *const keys[] = {"actor", "target", "type", "zone"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = esc_lua_path_key(v, key);
	const char *expect = with_zone
		? "a table {actor = PARTY, target = PARTY, type = TYPE, zone = ZONE} (each optional: the parent's own)"
		: "a table {actor = PARTY, target = PARTY, type = TYPE} (each optional: any)";
	if (!esc_lua_table_field(v, rule, key, expect)) {
		esc_lua_path_pop(v, old);
		return;
	}
	int mt = lua_gettop(L);
	esc_lua_check_keys(v, mt, keys, with_zone ? 4 : 3);
	esc_lua_namelist parties = esc_lua_parties_of(cfg), types = esc_lua_types_of(cfg), zones = esc_lua_zones_of(cfg);
	*actor = esc_lua_list_field(v, mt, "actor", 0, &parties);
	*target = esc_lua_list_field(v, mt, "target", 0, &parties);
	if (*actor >= 0 && *target == *actor) {
		esc_lua_path_key(v, "target");
		esc_lua_verr(v, "must differ from actor ('%s')", cfg->parties[*actor].name);
	}
	*type = esc_lua_list_field(v, mt, "type", 0, &types);
	if (with_zone)
		*zone = esc_lua_list_field(v, mt, "zone", 0, &zones);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* hawkes = {{from = ..., to = ..., n = ..., ...}, ...}: self-excitation
 * rules; each rule's keys in sorted order. */
static void read_hawkes(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"from", "to", "n", "fast_share", "fast_mean", "slow_mean",
	                                   "per_fatality", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = esc_lua_path_key(v, "hawkes");
	if (!esc_lua_table_field(v, t, "hawkes", "an array of rules {from = {...}, to = {...}, n = ...}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = esc_lua_check_array(v, arr, "rules {from = {...}, to = {...}, n = ...}");
	esc_error e = {0};
	if (esc_config_alloc_excitations(cfg, n, &e))
		luaL_error(L, "%s", e.msg);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			esc_lua_verr(v, "expected a rule {from = {...}, to = {...}, n = ...}, got %s", esc_lua_got(v, -1, b, sizeof b));
		int rule = lua_gettop(L);
		esc_lua_check_keys(v, rule, keys, COUNT(keys));
		esc_excitation *x = &cfg->excitations[i];
		if (esc_lua_str_field(v, rule, "description", 0, "a string"))
			lua_pop(L, 1);
		esc_lua_num_field(v, rule, "fast_mean", 0, &POSITIVE, "a number of hours > 0 (see days, weeks)", &x->fast_mean_h);
		esc_lua_num_field(v, rule, "fast_share", 0, &PROBABILITY, "a probability in [0, 1]", &x->fast_share);
		read_match(v, rule, "from", 0, &x->from_actor, &x->from_target, &x->from_type, NULL);
		esc_lua_num_field(v, rule, "n", 1, &NON_NEGATIVE, "a finite branching ratio >= 0 (mean children per incident)", &x->n);
		esc_lua_num_field(v, rule, "per_fatality", 0, &NON_NEGATIVE, "a finite number >= 0 (share of n added per death)",
		                  &x->per_fatality);
		esc_lua_num_field(v, rule, "slow_mean", 0, &POSITIVE, "a number of hours > 0 (see days, weeks)", &x->slow_mean_h);
		read_match(v, rule, "to", 1, &x->to_actor, &x->to_target, &x->to_type, &x->to_zone);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* A rule whose `from` matches no incident the background generators can
 * start, directly or through escalation and other rules, fires only on
 * incidents that policies start: worth a warning, not an error (the policies
 * may be the point).  Classes are (actor, target, type); a breadth-first
 * search from the background ones. */
static void warn_unreachable_rules(esc_lua_vctx *v)
{
	const esc_config *c = v->cfg;
	size_t np = c->n_parties, nt = c->n_types, K = np * np * nt;
	if (c->n_excitations == 0 || K == 0)
		return;
	unsigned char *seen = calloc(K, 1);
	size_t *queue = malloc(K * sizeof *queue), head = 0, tail = 0;
	if (!seen || !queue)
		goto out;           /* a warning lost to out-of-memory */
#define CLASS(a, t, y) (((size_t)(a) * np + (size_t)(t)) * nt + (size_t)(y))
#define REACH(k) do { size_t k_ = (k); if (!seen[k_]) { seen[k_] = 1; queue[tail++] = k_; } } while (0)
	for (size_t g = 0; g < c->n_generators; g++) {
		const esc_generator *gen = &c->generators[g];
		if (gen->rate_per_h > 0)
			REACH(CLASS(gen->actor, gen->target, gen->type));
	}
	while (head < tail) {
		size_t k = queue[head++];
		size_t y = k % nt, a = k / nt / np, t = k / nt % np;
		const esc_incident_type *ty = &c->types[y];
		if (ty->escalate_to >= 0 && ty->escalate_p > 0)
			REACH(CLASS(a, t, ty->escalate_to));
		for (size_t i = 0; i < c->n_excitations; i++) {
			const esc_excitation *e = &c->excitations[i];
			if (!(e->n > 0) || (e->from_actor >= 0 && (size_t)e->from_actor != a) ||
			    (e->from_target >= 0 && (size_t)e->from_target != t) ||
			    (e->from_type >= 0 && (size_t)e->from_type != y))
				continue;
			size_t ca = e->to_actor >= 0 ? (size_t)e->to_actor : a;
			size_t ct = e->to_target >= 0 ? (size_t)e->to_target : t;
			size_t cy = e->to_type >= 0 ? (size_t)e->to_type : y;
			if (ca != ct)
				REACH(CLASS(ca, ct, cy));
		}
	}
	for (size_t i = 0; i < c->n_excitations; i++) {
		const esc_excitation *e = &c->excitations[i];
		if (e->from_actor < 0 && e->from_target < 0 && e->from_type < 0)
			continue;       /* any incident */
		int hit = 0;
		for (size_t a = 0; a < np && !hit; a++)
			for (size_t t = 0; t < np && !hit; t++)
				for (size_t y = 0; y < nt && !hit; y++)
					hit = seen[CLASS(a, t, y)] && (e->from_actor < 0 || (size_t)e->from_actor == a) &&
					      (e->from_target < 0 || (size_t)e->from_target == t) &&
					      (e->from_type < 0 || (size_t)e->from_type == y);
		if (!hit)
			esc_lua_add_warning(v->s, "hawkes[%zu].from matches no background incident; it fires only on responses",
			                    i + 1);
	}
#undef REACH
#undef CLASS
out:
	free(seen);
	free(queue);
}


static void read_confusion(esc_lua_vctx *v, int conf)
{
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t np = cfg->n_parties;
	int no = esc_lua_string_keys(v, conf);
	int obs_keys = lua_gettop(L);
	for (int a = 1; a <= no; a++) {
		lua_rawgeti(L, obs_keys, a);
		const char *oname = lua_tostring(L, -1);
		int o = esc_lua_party_key(v, oname, "observer");
		size_t old = esc_lua_path_key(v, oname);
		char b[64];
		if (lua_rawget(L, conf) != LUA_TTABLE)
			esc_lua_verr(v, "expected a table TRUE = {PERCEIVED = probability, ...}, got %s", esc_lua_got(v, -1, b, sizeof b));
		int rows = lua_gettop(L);
		int nt = esc_lua_string_keys(v, rows);
		int true_keys = lua_gettop(L);
		for (int c = 1; c <= nt; c++) {
			lua_rawgeti(L, true_keys, c);
			const char *tname = lua_tostring(L, -1);
			int tr = esc_lua_party_key(v, tname, "true perpetrator");
			size_t o2 = esc_lua_path_key(v, tname);
			if (lua_rawget(L, rows) != LUA_TTABLE)
				esc_lua_verr(v, "expected a table PERCEIVED = probability, got %s", esc_lua_got(v, -1, b, sizeof b));
			int row = lua_gettop(L);
			double *p = &cfg->attribution.confusion[((size_t)o * np + (size_t)tr) * np];
			for (size_t k = 0; k < np; k++)
				p[k] = 0;                 /* a row given replaces the identity */
			int npk = esc_lua_string_keys(v, row);
			double sum = 0;
			for (int d = 1; d <= npk; d++) {
				lua_rawgeti(L, -1, d);
				const char *pname = lua_tostring(L, -1);
				int pe = esc_lua_party_key(v, pname, "perceived");
				double x;
				esc_lua_num_field(v, row, pname, 1, &PROBABILITY, "a probability in [0, 1]", &x);
				if (pe == o && x > 0) {
					esc_lua_path_key(v, pname);
					esc_lua_verr(v, "an observer cannot blame itself (probability must be 0)");
				}
				p[pe] = x;
				sum += x;
				lua_pop(L, 1);
			}
			if (!(fabs(sum - 1.0) <= 1e-9))
				esc_lua_verr(v, "probabilities sum to %.12g, expected 1", sum);
			lua_pop(L, 2);            /* keys, row */
			esc_lua_path_pop(v, o2);
		}
		lua_pop(L, 2);                    /* keys, rows */
		esc_lua_path_pop(v, old);
	}
	lua_pop(L, 1);
}

static void read_attribution(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"delay", "confusion"};
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "attribution");
	if (!esc_lua_table_field(v, t, "attribution", "a table {delay = ..., confusion = ...}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int a = lua_gettop(L);
	esc_lua_check_keys(v, a, keys, COUNT(keys));
	esc_lua_dist_field(v, a, "delay", DIST_HOURS, &v->cfg->attribution.delay_h);
	size_t o2 = esc_lua_path_key(v, "confusion");
	if (esc_lua_table_field(v, a, "confusion", "a table OBSERVER = {TRUE = {PERCEIVED = probability}}")) {
		read_confusion(v, lua_gettop(L));
		lua_pop(L, 1);
	}
	esc_lua_path_pop(v, o2);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* ladder = {step, hold, half_life, window, spiral_moves, crisis_moves}. */
static void read_ladder(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"step", "hold", "half_life", "window", "spiral_moves",
	                                   "crisis_moves"};
	lua_State *L = v->L;
	esc_ladder *ld = &v->cfg->ladder;
	size_t old = esc_lua_path_key(v, "ladder");
	if (!esc_lua_table_field(v, t, "ladder", "a table {step, hold, half_life, window, spiral_moves, crisis_moves}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int l = lua_gettop(L);
	esc_lua_check_keys(v, l, keys, COUNT(keys));
	double x;
	esc_lua_num_field(v, l, "step", 0, &POSITIVE, "a number > 0", &ld->step);
	esc_lua_num_field(v, l, "hold", 0, &NON_NEGATIVE, "a number of hours >= 0", &ld->hold_h);
	esc_lua_num_field(v, l, "half_life", 0, &POSITIVE, "a number of hours > 0", &ld->half_life_h);
	esc_lua_num_field(v, l, "window", 0, &POSITIVE, "a number of hours > 0", &ld->window_h);
	if (esc_lua_num_field(v, l, "spiral_moves", 0, &ONE_TO_A_MILLION, "an integer >= 1 (moves of an exchange)", &x))
		ld->spiral_moves = (int)x;
	if (esc_lua_num_field(v, l, "crisis_moves", 0, &ONE_TO_A_MILLION, "an integer >= 1 (moves of an exchange between states)", &x))
		ld->crisis_moves = (int)x;
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

static void read_limits(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"events", "steps", "steps_per_instant", "log", "memory", "cpu"};
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "limits");
	if (!esc_lua_table_field(v, t, "limits", "a table {events, steps, steps_per_instant, log, memory, cpu}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int l = lua_gettop(L);
	if (esc_lua_rawfield(L, l, "instructions") != LUA_TNIL) {
		esc_lua_path_key(v, "instructions");
		esc_lua_verr(v, "no longer a limit: a script call now has a budget of CPU time, limits.cpu "
		             "(seconds per call, default %g)", ESC_LUA_DEFAULT_CPU_S);
	}
	lua_pop(L, 1);
	esc_lua_check_keys(v, l, keys, COUNT(keys));
	double x;
	if (esc_lua_num_field(v, l, "events", 0, &LIMIT_COUNT, "an integer >= 1 (events per replication)", &x))
		v->cfg->max_events = (uint64_t)x;
	if (esc_lua_num_field(v, l, "steps", 0, &LIMIT_COUNT, "an integer >= 1 (simulation steps per replication)", &x))
		v->cfg->max_steps = (uint64_t)x;
	if (esc_lua_num_field(v, l, "steps_per_instant", 0, &LIMIT_COUNT,
	                      "an integer >= 1 (simulation steps at one simulated time)", &x))
		v->cfg->max_steps_per_instant = (uint64_t)x;
	if (esc_lua_num_field(v, l, "log", 0, &LIMIT_COUNT, "an integer >= 1 (sim.log rows per replication)", &x))
		v->cfg->max_log_rows = (uint64_t)x;
	esc_lua_num_field(v, l, "memory", 0, &MEMORY_BYTES, "a number of bytes from 1 MiB (1048576) to 1e+15", &x);
	esc_lua_num_field(v, l, "cpu", 0, &CPU_SECONDS, "seconds of CPU time per call from 0.01 to 86400", &x);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* outputs = {daily = true, events = false}: the tables written besides runs. */
static void read_outputs(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"daily", "events"};
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "outputs");
	if (!esc_lua_table_field(v, t, "outputs", "a table {daily = true|false, events = true|false}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int o = lua_gettop(L);
	esc_lua_check_keys(v, o, keys, COUNT(keys));
	esc_lua_bool_field(v, o, "daily", &v->cfg->outputs.daily);
	esc_lua_bool_field(v, o, "events", &v->cfg->outputs.events);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* Where the value behind a message of esc_config_check came from: the
 * message starts with a key path ("hawkes: ...", "regime.rates.a.b: ..."),
 * and an override of that path or within it is the likelier culprit. */
static const char *check_origin(esc_lua_vctx *v, const char *msg)
{
	char path[256];
	size_t n = 0;
	while (n + 1 < sizeof path && msg[n] && (msg[n] == '_' || msg[n] == '.' || msg[n] == '[' ||
	                                        msg[n] == ']' || (msg[n] >= '0' && msg[n] <= '9') ||
	                                        (msg[n] >= 'a' && msg[n] <= 'z') || (msg[n] >= 'A' && msg[n] <= 'Z'))) {
		path[n] = msg[n];
		n++;
	}
	path[n] = '\0';
	if (n == 0 || msg[n] != ':')
		return v->s->site;
	return esc_lua_origin(v, path);
}

void esc_lua_validate(lua_State *L, esc_scenario *s, esc_config *cfg,
                      const esc_lua_override *ov, size_t n_ov)
{
	esc_lua_vctx v = {L, s, cfg, ov, n_ov, {0}, 0, lua_gettop(L), {0}};
	int top = lua_gettop(L);
	int t = top;
	luaL_checkstack(L, 40, "validation");
	check_top(&v, t);

	/* sizes first, then the arrays */
	size_t np = count_parties(&v, t);
	size_t nz = count_zones(&v, t);
	size_t nt = count_types(&v, t);
	int type_names = lua_gettop(L);
	size_t ng = count_incidents(&v, t);
	esc_error e = {0};
	if (esc_config_alloc(cfg, np, nz, nt, ng, &e))
		luaL_error(L, "%s", e.msg);

	const char *expect_name = "a name of 1 to 63 bytes of UTF-8 text";
	size_t old = esc_lua_path_key(&v, "name");
	int ty = esc_lua_rawfield(L, t, "name");
	if (ty == LUA_TNIL)
		esc_lua_verr(&v, "missing (expected %s)", expect_name);
	if (ty != LUA_TSTRING) {
		char b[64];
		esc_lua_verr(&v, "expected %s, got %s", expect_name, esc_lua_got(&v, -1, b, sizeof b));
	}
	size_t len;
	const char *name = lua_tolstring(L, -1, &len);
	esc_lua_check_text(&v, name, len, sizeof cfg->name - 1, expect_name);
	memcpy(cfg->name, name, len + 1);
	lua_pop(L, 1);
	esc_lua_path_pop(&v, old);
	if (esc_lua_str_field(&v, t, "description", 0, "a string"))
		lua_pop(L, 1);
	esc_lua_num_field(&v, t, "horizon", 0, &HORIZON_HOURS, "a number of hours > 0 and at most 8766000 "
	                  "(1000 years: see days, weeks)", &cfg->horizon_h);

	read_parties(&v, t);
	esc_config_cell_defaults(cfg);   /* members and supervisor by party kind */
	read_zones(&v, t);
	read_types(&v, t, type_names);
	read_regime(&v, t);           /* before incidents: their regime names its states */
	read_incidents(&v, t);
	read_hawkes(&v, t);
	read_attribution(&v, t);
	read_ladder(&v, t);
	esc_lua_read_cell(&v, t);
	esc_lua_read_channels(&v, t);
	esc_lua_read_policies(&v, t);
	esc_lua_read_triggers(&v, t);
	read_limits(&v, t);
	read_outputs(&v, t);

	/* The cross-field checks (a supercritical Hawkes process, among
	 * others): each value passed, but not together. */
	if (esc_config_check(cfg, &e))
		luaL_error(L, "%s: %s", check_origin(&v, e.msg), e.msg);
	warn_unreachable_rules(&v);
	esc_lua_warn_hooks(&v, t);
	esc_lua_warn_unreachable_cell(&v, t);
	lua_settop(L, top);
}
