/* answers.c: what a hook or sim.act hands back, checked field by field.
 *
 * The checks the hooks (policy_lua.c) and the `sim` functions (sim_lua.c)
 * share: unknown fields named with a suggestion, names resolved against the
 * arm's parties, types and zones, hours and booleans, and the decision table
 * {action, target, type, zone, delay, query, priority} both read.  An error
 * is raised in the Lua state, naming where the function that answered is
 * defined, the hook ("policies.ISR.on_tick returned") and what was
 * expected, so the model only ever sees valid answers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const char *const action_names[] = {"ignore", "protest", "query", "retaliate"};
/* A query's priority (esc_decision.priority is the index). */
static const char *const priority_names[] = {"flash", "immediate", "routine"};

/* The value at idx, for messages: 'x', 3, or a type name. */
const char *esc_lua_shown(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return lua_pushfstring(L, "'%s'", lua_tostring(L, idx));
	if (lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TBOOLEAN)
		return luaL_tolstring(L, idx, NULL);
	return lua_pushfstring(L, "a %s", esc_lua_typename(L, idx));
}

void esc_lua_bad(lua_State *L, const esc_lua_call *c, const char *head, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lua_Debug ar;
	if (c && c->fn_idx > 0) {
		lua_pushvalue(L, c->fn_idx);
		if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
			lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.linedefined);
		else
			lua_pushliteral(L, "");
	} else {
		luaL_where(L, 1);
	}
	lua_pushfstring(L, "%s%s", head, msg);
	lua_concat(L, 2);
	lua_error(L);
	abort();   /* not reached */
}

void esc_lua_check_fields(lua_State *L, int d, const esc_lua_call *c, const char *head,
                          const char *const *fields, size_t n, const char *expected)
{
	/* Most answers are fine: check the keys in table order, and sort them
	 * only to name the first wrong one the same way in every run. */
	int all_known = 1;
	lua_pushnil(L);
	while (all_known && lua_next(L, d)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING || esc_lua_list_index(fields, n, lua_tostring(L, -1)) < 0) {
			all_known = 0;
			lua_pop(L, 1);
		}
	}
	if (all_known)
		return;
	int nk = esc_lua_sorted_keys(L, d);
	if (nk < 0)
		esc_lua_bad(L, c, head, "a table with a key that is not a field name: expected fields %s", expected);
	for (int i = 1; i <= nk; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			esc_lua_bad(L, c, head, "a table with [%s]: expected fields %s",
			            luaL_tolstring(L, -1, NULL), expected);
		const char *k = lua_tostring(L, -1);
		if (esc_lua_list_index(fields, n, k) < 0) {
			const char *sug = esc_lua_suggest(k, fields, n);
			if (sug)
				esc_lua_bad(L, c, head, "unknown field '%s' (did you mean '%s'?)", k, sug);
			esc_lua_bad(L, c, head, "unknown field '%s': expected fields %s", k, expected);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* A name field of table d: its index in names, -2 when absent. */
static int name_field(lua_State *L, int d, const char *field, const esc_lua_call *c, const char *head,
                      char (*names)[ESC_NAME_MAX], size_t n, const char *what)
{
	char b[400];
	if (lua_getfield(L, d, field) == LUA_TNIL) {
		lua_pop(L, 1);
		return -2;
	}
	int i = lua_type(L, -1) == LUA_TSTRING ? esc_lua_name_index(names, n, lua_tostring(L, -1)) : -1;
	if (i < 0)
		esc_lua_bad(L, c, head, "%s=%s: expected a %s name (one of %s)", field, esc_lua_shown(L, -1), what,
		            esc_lua_name_list(b, sizeof b, names, n));
	lua_pop(L, 1);
	return i;
}

/* A finite number of hours >= 0: returns 1 and sets *x when present.  (A
 * delay past the horizon is allowed: what it delays never happens.) */
int esc_lua_answer_hours(lua_State *L, int d, const char *field, const esc_lua_call *c, const char *head,
                         double *x)
{
	int ty = lua_getfield(L, d, field);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	double v = lua_tonumber(L, -1);
	if (ty != LUA_TNUMBER || !isfinite(v) || v < 0)
		esc_lua_bad(L, c, head, "%s=%s: expected a finite number of hours >= 0%s", field, esc_lua_shown(L, -1),
		            ty == LUA_TNUMBER && isinf(v) && v > 0 ? " (for never, leave the action out)" : "");
	*x = v;
	lua_pop(L, 1);
	return 1;
}

int esc_lua_answer_bool(lua_State *L, int d, const char *field, const esc_lua_call *c, const char *head,
                        int *x)
{
	int ty = lua_getfield(L, d, field);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != LUA_TBOOLEAN)
		esc_lua_bad(L, c, head, "%s=%s: expected true or false", field, esc_lua_shown(L, -1));
	*x = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 1;
}

static const char *const decision_fields[] = {"action", "type", "target", "zone", "delay", "query",
                                               "priority"};
static const char *const act_fields[] = {"action", "type", "target", "zone", "delay", "query",
                                          "priority", "about"};
#define FIELDS "action, type, target, zone, delay, query, priority"

void esc_lua_read_decision(lua_State *L, int d, const esc_lua_call *c, const char *head,
                           int party, esc_decision *out, int act)
{
	esc_lua_policy *p = c->p;
	if (lua_isnil(L, d))
		return;                              /* ignore */
	if (lua_type(L, d) != LUA_TTABLE)
		esc_lua_bad(L, c, head, "%s: expected nil or a table {action = ...}", esc_lua_shown(L, d));
	if (act)
		esc_lua_check_fields(L, d, c, head, act_fields, COUNT(act_fields), FIELDS ", about");
	else
		esc_lua_check_fields(L, d, c, head, decision_fields, COUNT(decision_fields), FIELDS);

	lua_getfield(L, d, "action");
	if (lua_isnil(L, -1))
		esc_lua_bad(L, c, head, "a table without action: expected action = one of ignore, protest, query, retaliate");
	int action = lua_type(L, -1) == LUA_TSTRING ? esc_lua_list_index(action_names, 4, lua_tostring(L, -1)) : -1;
	if (action < 0)
		esc_lua_bad(L, c, head, "action=%s: expected one of ignore, protest, query, retaliate", esc_lua_shown(L, -1));
	lua_pop(L, 1);
	out->action = (esc_action)action;
	if (action == ESC_ACT_QUERY || action == ESC_ACT_RETALIATE) {
		out->priority = ESC_LUA_PRIORITY_DEFAULT;
		if (lua_getfield(L, d, "priority") != LUA_TNIL) {
			int pr = lua_type(L, -1) == LUA_TSTRING ? esc_lua_list_index(priority_names, 3, lua_tostring(L, -1)) : -1;
			if (pr < 0)
				esc_lua_bad(L, c, head, "priority=%s: expected one of flash, immediate, routine (default immediate)",
				            esc_lua_shown(L, -1));
			out->priority = pr;
		}
		lua_pop(L, 1);
	}
	/* What goes with which action: sim.act may also aim a protest. */
	int protest_aims = act && action == ESC_ACT_PROTEST;
	if (action != ESC_ACT_RETALIATE) {
		for (size_t f = 1; f < COUNT(decision_fields); f++) {
			const char *k = decision_fields[f];
			if (strcmp(k, "priority") == 0 && action == ESC_ACT_QUERY)
				continue;
			if (protest_aims && (strcmp(k, "target") == 0 || strcmp(k, "zone") == 0))
				continue;
			if (lua_getfield(L, d, k) != LUA_TNIL) {
				if (strcmp(k, "priority") == 0)
					esc_lua_bad(L, c, head, "priority with action='%s': priority goes only with action='query' or 'retaliate'",
					            action_names[action]);
				if (act)
					esc_lua_bad(L, c, head, "%s with action='%s': type, delay and query go only with action='retaliate' (target and zone with 'retaliate' or 'protest')",
					            k, action_names[action]);
				esc_lua_bad(L, c, head, "%s with action='%s': type, target, zone, delay and query go only with action='retaliate'",
				            k, action_names[action]);
			}
			lua_pop(L, 1);
		}
		if (!protest_aims)
			return;
	}
	char b[400];
	if (action == ESC_ACT_RETALIATE) {
		int type = name_field(L, d, "type", c, head, p->types, p->nt, "type");
		if (type == -2)
			esc_lua_bad(L, c, head, "action='retaliate' without type: expected type = an incident type (one of %s)",
			            esc_lua_name_list(b, sizeof b, p->types, p->nt));
		out->type = type;
	}
	int target = name_field(L, d, "target", c, head, p->parties, p->np, "party");
	if (target >= 0)
		out->target = target;
	if (out->target == party)
		esc_lua_bad(L, c, head, "target='%s': a party cannot %s against itself", p->parties[party],
		            action == ESC_ACT_RETALIATE ? "retaliate" : "protest");
	int zone = name_field(L, d, "zone", c, head, p->zones, p->nz, "zone");
	if (zone >= 0)
		out->zone = zone;
	if (action == ESC_ACT_PROTEST)
		return;
	out->delay_h = 0;
	esc_lua_answer_hours(L, d, "delay", c, head, &out->delay_h);
	out->query_cell = 0;
	esc_lua_answer_bool(L, d, "query", c, head, &out->query_cell);
}
