/* record_lua.c: incidents and events as scripts see them.
 *
 * An incident (the argument of attribute and on_incident_observed) and an
 * event (on_event, triggers, sim.recent) reach scripts as read-only
 * records: a userdata holding a copy of the values, whose fields read like
 * a table's (inc.level, inc["zone"]), which pairs() walks in sorted key
 * order, and which refuses assignment.  A hook is called for nearly every
 * model event, and building a 13-field table for each call cost more than
 * the whole model event in C (docs/performance.md); a record is one small
 * allocation, and a field costs only when it is read.  A record holds
 * copies, not pointers, so a script may keep one for as long as it likes.
 *
 * The strings records hand out (field names, party, type, zone, cause and
 * kind names) and the hook names are interned once per arm in one table
 * (esc_lua_policy.strs_ref); the metatables keep that table as an upvalue,
 * so a record kept past its arm still reads correctly.
 */
#include <stdint.h>
#include <string.h>

#include "escsim/outcome.h"
#include "script.h"

/* Fields, in the byte order of their names: the order pairs() visits. */
enum {
	F_ACTOR = 1, F_CAUSE, F_CELL_AVAILABLE, F_FAT_CIV, F_FAT_MIL, F_ID, F_KIND,
	F_LADDER, F_LEVEL, F_NOW, F_OBSERVER, F_PARENT, F_PERCEIVED, F_PERPETRATOR,
	F_ROOT, F_T, F_TARGET, F_TYPE, F_ZONE, F_N = F_ZONE
};

enum { V_INT, V_NUM, V_STR, V_BOOL };   /* V_STR: an index in the strings table */

static const struct {
	const char *key;
	int type;
} fields[F_N + 1] = {
	[F_ACTOR] = {"actor", V_STR},
	[F_CAUSE] = {"cause", V_STR},
	[F_CELL_AVAILABLE] = {"cell_available", V_BOOL},
	[F_FAT_CIV] = {"fatalities_civ", V_INT},
	[F_FAT_MIL] = {"fatalities_mil", V_INT},
	[F_ID] = {"id", V_INT},
	[F_KIND] = {"kind", V_STR},
	[F_LADDER] = {"ladder", V_NUM},
	[F_LEVEL] = {"level", V_INT},
	[F_NOW] = {"now", V_NUM},
	[F_OBSERVER] = {"observer", V_STR},
	[F_PARENT] = {"parent", V_INT},
	[F_PERCEIVED] = {"perceived", V_STR},
	[F_PERPETRATOR] = {"perpetrator", V_STR},
	[F_ROOT] = {"root", V_INT},
	[F_T] = {"t", V_NUM},
	[F_TARGET] = {"target", V_STR},
	[F_TYPE] = {"type", V_STR},
	[F_ZONE] = {"zone", V_STR},
};

enum { R_INCIDENT, R_EVENT };
static const char *const record_names[] = {"incident", "event"};

typedef struct record {
	uint32_t present;                    /* bit f: field f is set */
	int what;                            /* R_INCIDENT, R_EVENT */
	union { lua_Integer i; double d; } v[F_N + 1];
} record;

/* The strings table: field names at 1..F_N, then hook names, then the
 * party, type, zone, cause and kind names. */
#define S_HOOK(h) (F_N + 1 + (h))
#define S_PARTY(p, i) (S_HOOK(ESC_N_HOOKS) + (int)(i))
#define S_TYPE(p, i) (S_PARTY(p, (p)->np) + (int)(i))
#define S_ZONE(p, i) (S_TYPE(p, (p)->nt) + (int)(i))
#define S_CAUSE(p, i) (S_ZONE(p, (p)->nz) + (int)(i))
#define S_KIND(p, i) (S_CAUSE(p, 3) + (int)(i))

/* ---- metamethods --------------------------------------------------------- */

/* Upvalues of every metamethod: 1 the field names' addresses, 2 the
 * strings table.  __metatable hides the metatable, so argument 1 is always
 * a record (a script cannot reach these functions to call them on anything
 * else).
 *
 * A field is found by the address of its name: Lua interns short strings,
 * so every "level" in the state is the one string anchored in the strings
 * table, and lua_tostring gives the same address for it (a lookup in a
 * Lua table mapping names to numbers cost twice as much). */
typedef struct field_names {
	const char *key[F_N + 1];
} field_names;

static void push_value(lua_State *L, const record *r, int f)
{
	switch (fields[f].type) {
	case V_INT: lua_pushinteger(L, r->v[f].i); break;
	case V_NUM: lua_pushnumber(L, r->v[f].d); break;
	case V_STR: lua_rawgeti(L, lua_upvalueindex(2), r->v[f].i); break;
	default: lua_pushboolean(L, (int)r->v[f].i); break;
	}
}

static int field_of(lua_State *L, int key)
{
	if (lua_type(L, key) != LUA_TSTRING)
		return 0;
	const char *k = lua_tostring(L, key);
	const field_names *names = lua_touserdata(L, lua_upvalueindex(1));
	for (int f = 1; f <= F_N; f++)
		if (names->key[f] == k)
			return f;
	return 0;
}

static int record_index(lua_State *L)
{
	const record *r = lua_touserdata(L, 1);
	int f = field_of(L, 2);
	if (f && (r->present & (1u << f)))
		push_value(L, r, f);
	else
		lua_pushnil(L);
	return 1;
}

static int record_newindex(lua_State *L)
{
	const record *r = lua_touserdata(L, 1);
	return luaL_error(L, "%s.%s: %ss are read-only (copy the fields you need into a table of your own)",
	                  record_names[r->what], lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?",
	                  record_names[r->what]);
}

/* next(record, key) for pairs(): the fields that are set, in key order.
 * The record is the closure's upvalue 3, not argument 1: a script can get
 * hold of this function (local f = pairs(inc)) and call it with anything. */
static int record_next(lua_State *L)
{
	const record *r = lua_touserdata(L, lua_upvalueindex(3));
	int f = lua_isnil(L, 2) ? 0 : field_of(L, 2);
	if (!lua_isnil(L, 2) && !f)
		return luaL_error(L, "%s: invalid key to 'next'", record_names[r->what]);
	while (++f <= F_N)
		if (r->present & (1u << f)) {
			lua_rawgeti(L, lua_upvalueindex(2), f);
			push_value(L, r, f);
			return 2;
		}
	lua_pushnil(L);
	return 1;
}

static int record_pairs(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_pushvalue(L, 1);
	lua_pushcclosure(L, record_next, 3);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int record_tostring(lua_State *L)
{
	const record *r = lua_touserdata(L, 1);
	lua_pushfstring(L, "%s %I", record_names[r->what], r->v[F_ID].i);
	return 1;
}

/* ---- binding ----------------------------------------------------------------- */

static void push_string(lua_State *L, int t, int *n, const char *s)
{
	lua_pushstring(L, s);
	lua_rawseti(L, t, ++*n);
}

void esc_lua_records_bind(lua_State *L, esc_lua_policy *p)
{
	lua_createtable(L, S_KIND(p, 2), 0);
	int strs = lua_gettop(L), n = 0;
	for (int f = 1; f <= F_N; f++)
		push_string(L, strs, &n, fields[f].key);
	for (int h = 0; h < ESC_N_HOOKS; h++)
		push_string(L, strs, &n, esc_lua_hook_names[h]);
	for (size_t i = 0; i < p->np; i++)
		push_string(L, strs, &n, p->parties[i]);
	for (size_t i = 0; i < p->nt; i++)
		push_string(L, strs, &n, p->types[i]);
	for (size_t i = 0; i < p->nz; i++)
		push_string(L, strs, &n, p->zones[i]);
	for (int i = 0; i < 3; i++)
		push_string(L, strs, &n, esc_lua_cause_names[i]);
	for (int i = 0; i < 2; i++)
		push_string(L, strs, &n, esc_lua_kind_names[i]);

	field_names *names = lua_newuserdatauv(L, sizeof *names, 0);
	int map = lua_gettop(L);
	for (int f = 1; f <= F_N; f++) {
		lua_rawgeti(L, strs, f);
		names->key[f] = lua_tostring(L, -1);   /* anchored in strs */
		lua_pop(L, 1);
	}
	for (int w = R_INCIDENT; w <= R_EVENT; w++) {
		lua_createtable(L, 0, 7);
		static const struct { const char *name; lua_CFunction fn; } mm[] = {
			{"__index", record_index}, {"__newindex", record_newindex},
			{"__tostring", record_tostring},
		};
		for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
			lua_pushvalue(L, map);
			lua_pushvalue(L, strs);
			lua_pushcclosure(L, mm[i].fn, 2);
			lua_setfield(L, -2, mm[i].name);
		}
		lua_pushvalue(L, map);
		lua_pushvalue(L, strs);
		lua_pushcclosure(L, record_pairs, 2);
		lua_setfield(L, -2, "__pairs");
		lua_pushstring(L, record_names[w]);
		lua_setfield(L, -2, "__name");
		lua_pushstring(L, record_names[w]);
		lua_setfield(L, -2, "__metatable");
		p->record_mt_ref[w] = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_pop(L, 1);   /* map */
	p->strs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void esc_lua_records_unbind(lua_State *L, esc_lua_policy *p)
{
	luaL_unref(L, LUA_REGISTRYINDEX, p->strs_ref);
	luaL_unref(L, LUA_REGISTRYINDEX, p->record_mt_ref[R_INCIDENT]);
	luaL_unref(L, LUA_REGISTRYINDEX, p->record_mt_ref[R_EVENT]);
	p->strs_ref = p->record_mt_ref[R_INCIDENT] = p->record_mt_ref[R_EVENT] = LUA_NOREF;
}

void esc_lua_push_hook_name(lua_State *L, const esc_lua_policy *p, int hook)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->strs_ref);
	lua_rawgeti(L, -1, S_HOOK(hook));
	lua_remove(L, -2);
}

/* ---- records ------------------------------------------------------------------- */

static record *new_record(lua_State *L, const esc_lua_policy *p, int what)
{
	record *r = lua_newuserdatauv(L, sizeof *r, 0);
	r->present = 0;
	r->what = what;
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->record_mt_ref[what]);
	lua_setmetatable(L, -2);
	return r;
}

static void set_i(record *r, int f, lua_Integer x) { r->v[f].i = x; r->present |= 1u << f; }
static void set_d(record *r, int f, double x) { r->v[f].d = x; r->present |= 1u << f; }

static int party_ok(const esc_lua_policy *p, int i) { return i >= 0 && (size_t)i < p->np; }

void esc_lua_push_observation(lua_State *L, const esc_lua_policy *p, const esc_observation *o,
                              double now, int full)
{
	record *r = new_record(L, p, R_INCIDENT);
	set_i(r, F_ID, o->incident_id);
	set_d(r, F_T, o->t_incident_h);
	set_d(r, F_NOW, now);
	set_i(r, F_OBSERVER, S_PARTY(p, o->observer));
	if (full)
		set_i(r, F_PERPETRATOR, S_PARTY(p, o->perceived));
	set_i(r, F_TYPE, S_TYPE(p, o->type));
	set_i(r, F_ZONE, S_ZONE(p, o->zone));
	set_i(r, F_LEVEL, o->level);
	set_i(r, F_FAT_MIL, o->fatalities_mil);
	set_i(r, F_FAT_CIV, o->fatalities_civ);
	set_i(r, F_CAUSE, S_CAUSE(p, o->cause));
	if (full) {
		set_d(r, F_LADDER, o->ladder_level);
		set_i(r, F_CELL_AVAILABLE, o->cell_available != 0);
	}
}

void esc_lua_push_event(lua_State *L, const esc_lua_policy *p, const esc_event_row *ev)
{
	record *r = new_record(L, p, R_EVENT);
	set_i(r, F_ID, ev->id);
	if (ev->parent_id >= 0)
		set_i(r, F_PARENT, ev->parent_id);
	set_i(r, F_ROOT, ev->root_id);
	set_d(r, F_T, ev->t_h);
	if (party_ok(p, ev->actor))
		set_i(r, F_ACTOR, S_PARTY(p, ev->actor));
	if (party_ok(p, ev->target))
		set_i(r, F_TARGET, S_PARTY(p, ev->target));
	if (ev->zone >= 0 && (size_t)ev->zone < p->nz)
		set_i(r, F_ZONE, S_ZONE(p, ev->zone));
	if (ev->type >= 0 && (size_t)ev->type < p->nt)
		set_i(r, F_TYPE, S_TYPE(p, ev->type));
	set_i(r, F_LEVEL, ev->level);
	set_i(r, F_FAT_MIL, ev->fatalities_mil);
	set_i(r, F_FAT_CIV, ev->fatalities_civ);
	if (party_ok(p, ev->true_perpetrator))
		set_i(r, F_PERPETRATOR, S_PARTY(p, ev->true_perpetrator));
	if (party_ok(p, ev->perceived_perpetrator))
		set_i(r, F_PERCEIVED, S_PARTY(p, ev->perceived_perpetrator));
	if (ev->cause >= 0 && ev->cause <= ESC_CAUSE_POLICY)
		set_i(r, F_CAUSE, S_CAUSE(p, ev->cause));
	if (ev->kind >= 0 && ev->kind <= ESC_EVENT_PROTEST)
		set_i(r, F_KIND, S_KIND(p, ev->kind));
}
