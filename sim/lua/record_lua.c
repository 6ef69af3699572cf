/* record_lua.c: incidents, events and messages as scripts see them.
 *
 * An incident (the argument of attribute and on_incident_observed), an
 * event (on_event, triggers, sim.recent), a request (on_cell_request), an
 * answer (on_cell_reply) and an operation (pre_operation) reach scripts as
 * read-only records: a userdata holding a copy of the values, whose fields
 * read like a table's (inc.level, inc["zone"]), which pairs() walks in
 * sorted key order, and which refuses assignment.  A hook is called for
 * nearly every model event, and building a 13-field table for each call
 * cost more than the whole model event in C (docs/performance.md); a record
 * is one small allocation, and a field costs only when it is read.  A
 * record holds copies, not pointers, so a script may keep one for as long
 * as it likes.
 *
 * Records are strict: a field that records of that kind can have but this
 * one lacks (an incident's perpetrator in attribute, a background event's
 * parent) reads as nil; any other key is an error naming the kind, the key
 * and the nearest field ("incident has no field 'perpetrater' (did you mean
 * 'perpetrator'?)"), at the script's line, so a typo cannot pass as nil.
 * Only that error path is slow: a field that exists costs what it did.
 *
 * Each kind has its fields in name order (the order pairs() visits); a
 * record stores only its kind's slots.  The strings records hand out (field
 * names, party, type, zone, cause, kind, channel and reply names) and the
 * hook names are interned once per arm in one table (esc_lua_policy.strs_ref);
 * the metatables keep that table as an upvalue, so a record kept past its arm
 * still reads correctly.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "escsim/outcome.h"
#include "script.h"

/* Every field name, in byte order. */
enum {
	F_ACTOR = 1, F_CANCEL, F_CAUSE, F_CELL_AVAILABLE, F_CHANNEL, F_CULPRIT, F_DEADLINE,
	F_EVENT_ID, F_FAT_CIV, F_FAT_MIL, F_ID, F_KIND, F_LADDER, F_LEAD, F_LEVEL,
	F_MESSAGE_ID, F_NAMED, F_NOTIFY, F_NOW, F_OBSERVER, F_PARENT, F_PENDING_TARGET,
	F_PERCEIVED, F_PERPETRATOR, F_RECEIVER, F_REPLY, F_ROOT, F_SENDER, F_STRIKE_TIME,
	F_SUSPECTED, F_T, F_TARGET, F_TYPE, F_ZONE, F_N = F_ZONE
};

enum { V_INT, V_NUM, V_STR, V_BOOL };   /* V_STR: an index in the strings table */

static const struct {
	const char *key;
	int type;
} fields[F_N + 1] = {
	[F_ACTOR] = {"actor", V_STR},
	[F_CANCEL] = {"cancel", V_BOOL},
	[F_CAUSE] = {"cause", V_STR},
	[F_CELL_AVAILABLE] = {"cell_available", V_BOOL},
	[F_CHANNEL] = {"channel", V_STR},
	[F_CULPRIT] = {"culprit", V_STR},
	[F_DEADLINE] = {"deadline", V_NUM},
	[F_EVENT_ID] = {"event_id", V_INT},
	[F_FAT_CIV] = {"fatalities_civ", V_INT},
	[F_FAT_MIL] = {"fatalities_mil", V_INT},
	[F_ID] = {"id", V_INT},
	[F_KIND] = {"kind", V_STR},
	[F_LADDER] = {"ladder", V_NUM},
	[F_LEAD] = {"lead", V_NUM},
	[F_LEVEL] = {"level", V_INT},
	[F_MESSAGE_ID] = {"message_id", V_INT},
	[F_NAMED] = {"named", V_STR},
	[F_NOTIFY] = {"notify", V_BOOL},
	[F_NOW] = {"now", V_NUM},
	[F_OBSERVER] = {"observer", V_STR},
	[F_PARENT] = {"parent", V_INT},
	[F_PENDING_TARGET] = {"pending_target", V_STR},
	[F_PERCEIVED] = {"perceived", V_STR},
	[F_PERPETRATOR] = {"perpetrator", V_STR},
	[F_RECEIVER] = {"receiver", V_STR},
	[F_REPLY] = {"reply", V_STR},
	[F_ROOT] = {"root", V_INT},
	[F_SENDER] = {"sender", V_STR},
	[F_STRIKE_TIME] = {"strike_time", V_NUM},
	[F_SUSPECTED] = {"suspected", V_STR},
	[F_T] = {"t", V_NUM},
	[F_TARGET] = {"target", V_STR},
	[F_TYPE] = {"type", V_STR},
	[F_ZONE] = {"zone", V_STR},
};

/* The kinds and their slots: a record of kind K stores slot i of K's list. */
enum { R_INCIDENT, R_EVENT, R_REQUEST, R_ANSWER, R_OPERATION, R_KINDS };
static const char *const record_names[R_KINDS] = {"incident", "event", "request", "answer",
                                                  "operation"};

enum { I_CAUSE, I_CELL_AVAILABLE, I_FAT_CIV, I_FAT_MIL, I_ID, I_LADDER, I_LEVEL, I_NOW,
       I_OBSERVER, I_PERPETRATOR, I_T, I_TYPE, I_ZONE, I_N };
static const unsigned char incident_fields[] = {
	F_CAUSE, F_CELL_AVAILABLE, F_FAT_CIV, F_FAT_MIL, F_ID, F_LADDER, F_LEVEL, F_NOW,
	F_OBSERVER, F_PERPETRATOR, F_T, F_TYPE, F_ZONE,
};

enum { E_ACTOR, E_CAUSE, E_FAT_CIV, E_FAT_MIL, E_ID, E_KIND, E_LEVEL, E_PARENT, E_PERCEIVED,
       E_PERPETRATOR, E_ROOT, E_T, E_TARGET, E_TYPE, E_ZONE, E_N };
static const unsigned char event_fields[] = {
	F_ACTOR, F_CAUSE, F_FAT_CIV, F_FAT_MIL, F_ID, F_KIND, F_LEVEL, F_PARENT, F_PERCEIVED,
	F_PERPETRATOR, F_ROOT, F_T, F_TARGET, F_TYPE, F_ZONE,
};

enum { Q_CULPRIT, Q_DEADLINE, Q_EVENT_ID, Q_KIND, Q_MESSAGE_ID, Q_NOW, Q_RECEIVER, Q_SENDER,
       Q_SUSPECTED, Q_N };
static const unsigned char request_fields[] = {
	F_CULPRIT, F_DEADLINE, F_EVENT_ID, F_KIND, F_MESSAGE_ID, F_NOW, F_RECEIVER, F_SENDER,
	F_SUSPECTED,
};

enum { A_CANCEL, A_CHANNEL, A_EVENT_ID, A_MESSAGE_ID, A_NAMED, A_NOW, A_PENDING_TARGET, A_REPLY,
       A_STRIKE_TIME, A_N };
static const unsigned char answer_fields[] = {
	F_CANCEL, F_CHANNEL, F_EVENT_ID, F_MESSAGE_ID, F_NAMED, F_NOW, F_PENDING_TARGET, F_REPLY,
	F_STRIKE_TIME,
};

enum { O_ACTOR, O_LEAD, O_NOTIFY, O_NOW, O_TARGET, O_TYPE, O_ZONE, O_N };
static const unsigned char operation_fields[] = {
	F_ACTOR, F_LEAD, F_NOTIFY, F_NOW, F_TARGET, F_TYPE, F_ZONE,
};

static const struct {
	const unsigned char *f;
	int n;
} kinds[R_KINDS] = {
	[R_INCIDENT] = {incident_fields, I_N}, [R_EVENT] = {event_fields, E_N},
	[R_REQUEST] = {request_fields, Q_N}, [R_ANSWER] = {answer_fields, A_N},
	[R_OPERATION] = {operation_fields, O_N},
};
#define MAX_SLOTS E_N

typedef struct kind_names kind_names;

typedef struct record {
	const kind_names *names;             /* its kind's field names: kept alive by
	                                        the record's metatable (its closures'
	                                        upvalue), so valid as long as it is */
	uint32_t present;                    /* bit i: slot i is set */
	int what;                            /* R_INCIDENT ... */
	union { lua_Integer i; double d; } v[];
} record;

/* The strings table: field names at 1..F_N, then hook names, then the
 * party, type, zone, cause and event-kind names, the message kinds, the
 * replies, and the channels ("cell" first). */
#define S_HOOK(h) (F_N + 1 + (h))
#define S_PARTY(p, i) (S_HOOK(ESC_N_HOOKS) + (int)(i))
#define S_TYPE(p, i) (S_PARTY(p, (p)->np) + (int)(i))
#define S_ZONE(p, i) (S_TYPE(p, (p)->nt) + (int)(i))
#define S_CAUSE(p, i) (S_ZONE(p, (p)->nz) + (int)(i))
#define S_KIND(p, i) (S_CAUSE(p, 3) + (int)(i))
#define S_MESSAGE(p, i) (S_KIND(p, 2) + (int)(i))
#define S_REPLY(p, i) (S_MESSAGE(p, ESC_LUA_N_MESSAGE_KINDS) + (int)(i))
#define S_CHANNEL(p, i) (S_REPLY(p, ESC_LUA_N_REPLIES) + (int)(i))
#define S_END(p) S_CHANNEL(p, (p)->nch + 1)

/* ---- metamethods --------------------------------------------------------- */

/* Upvalues of every metamethod: 1 the kind's field names (slot order), 2
 * the strings table.  __metatable hides the metatable, so argument 1 is
 * always a record of that kind (a script cannot reach these functions to
 * call them on anything else).
 *
 * A field is found by the address of its name: Lua interns short strings,
 * so every "level" in the state is the one string anchored in the strings
 * table, and lua_tostring gives the same address for it (a lookup in a
 * Lua table mapping names to numbers cost twice as much).  Each kind scans
 * only its own names. */
struct kind_names {
	int what, n;
	const char *key[MAX_SLOTS];
};

static void push_value(lua_State *L, const record *r, int f, int slot)
{
	switch (fields[f].type) {
	case V_INT: lua_pushinteger(L, r->v[slot].i); break;
	case V_NUM: lua_pushnumber(L, r->v[slot].d); break;
	case V_STR: lua_rawgeti(L, lua_upvalueindex(2), r->v[slot].i); break;
	default: lua_pushboolean(L, (int)r->v[slot].i); break;
	}
}

/* The slot of the key at idx, or -1. */
static int slot_of(lua_State *L, const kind_names *names, int key)
{
	if (lua_type(L, key) != LUA_TSTRING)
		return -1;
	const char *k = lua_tostring(L, key);
	for (int i = 0; i < names->n; i++)
		if (names->key[i] == k)
			return i;
	return -1;
}

/* The metamethods' upvalue 1, each kind's names: the record's own pointer
 * to them where the record is at hand (it saves a lookup per field read). */

/* A key the kind does not have: raise at the script's line. */
static int no_such_field(lua_State *L, const kind_names *names, int key)
{
	const char *what = record_names[names->what];
	const char *cand[MAX_SLOTS];
	for (int i = 0; i < names->n; i++)
		cand[i] = fields[kinds[names->what].f[i]].key;
	if (lua_type(L, key) != LUA_TSTRING)
		return luaL_error(L, "%s has no field [%s] (its fields are names: %s.level, %s[\"zone\"])",
		                  what, luaL_tolstring(L, key, NULL), what, what);
	const char *k = lua_tostring(L, key);
	const char *sug = esc_lua_suggest(k, cand, (size_t)names->n);
	if (sug)
		return luaL_error(L, "%s has no field '%s' (did you mean '%s'?)", what, k, sug);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int i = 0; i < names->n; i++) {
		if (i)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, cand[i]);
	}
	luaL_pushresult(&b);
	return luaL_error(L, "%s has no field '%s' (its fields: %s)", what, k, lua_tostring(L, -1));
}

static int record_index(lua_State *L)
{
	const record *r = lua_touserdata(L, 1);
	const kind_names *names = r->names;
	int i = slot_of(L, names, 2);
	if (i < 0)
		return no_such_field(L, names, 2);
	if (r->present & (1u << i))
		push_value(L, r, kinds[r->what].f[i], i);
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
	const kind_names *names = lua_touserdata(L, lua_upvalueindex(1));
	int i = lua_isnil(L, 2) ? -1 : slot_of(L, names, 2);
	if (!lua_isnil(L, 2) && i < 0)
		return luaL_error(L, "%s: invalid key to 'next'", record_names[r->what]);
	while (++i < names->n)
		if (r->present & (1u << i)) {
			int f = kinds[r->what].f[i];
			lua_rawgeti(L, lua_upvalueindex(2), f);
			push_value(L, r, f, i);
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
	switch (r->what) {
	case R_INCIDENT: lua_pushfstring(L, "incident %I", r->v[I_ID].i); break;
	case R_EVENT: lua_pushfstring(L, "event %I", r->v[E_ID].i); break;
	case R_REQUEST: lua_pushfstring(L, "request %I", r->v[Q_MESSAGE_ID].i); break;
	case R_ANSWER: lua_pushfstring(L, "answer %I", r->v[A_MESSAGE_ID].i); break;
	default: lua_pushstring(L, record_names[r->what]); break;
	}
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
	lua_createtable(L, S_END(p), 0);
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
	for (int i = 0; i < ESC_LUA_N_MESSAGE_KINDS; i++)
		push_string(L, strs, &n, esc_lua_message_kind_names[i]);
	for (int i = 0; i < ESC_LUA_N_REPLIES; i++)
		push_string(L, strs, &n, esc_lua_reply_names[i]);
	push_string(L, strs, &n, "cell");
	for (size_t i = 0; i < p->nch; i++)
		push_string(L, strs, &n, p->channels[i]);

	for (int w = 0; w < R_KINDS; w++) {
		kind_names *names = lua_newuserdatauv(L, sizeof *names, 0);
		int map = lua_gettop(L);
		names->what = w;
		names->n = kinds[w].n;
		p->record_names[w] = names;
		for (int i = 0; i < names->n; i++) {
			lua_rawgeti(L, strs, kinds[w].f[i]);
			names->key[i] = lua_tostring(L, -1);   /* anchored in strs */
			lua_pop(L, 1);
		}
		lua_createtable(L, 0, 7);
		static const struct { const char *name; lua_CFunction fn; } mm[] = {
			{"__index", record_index}, {"__newindex", record_newindex},
			{"__tostring", record_tostring}, {"__pairs", record_pairs},
		};
		for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
			lua_pushvalue(L, map);
			lua_pushvalue(L, strs);
			lua_pushcclosure(L, mm[i].fn, 2);
			lua_setfield(L, -2, mm[i].name);
		}
		lua_pushstring(L, record_names[w]);
		lua_setfield(L, -2, "__name");
		lua_pushstring(L, record_names[w]);
		lua_setfield(L, -2, "__metatable");
		p->record_mt_ref[w] = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_pop(L, 1);   /* map: anchored by the closures */
	}
	for (int h = 0; h < ESC_N_HOOKS; h++) {
		lua_rawgeti(L, strs, S_HOOK(h));
		p->hook_name_ref[h] = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	p->strs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void esc_lua_records_unbind(lua_State *L, esc_lua_policy *p)
{
	luaL_unref(L, LUA_REGISTRYINDEX, p->strs_ref);
	p->strs_ref = LUA_NOREF;
	for (int w = 0; w < R_KINDS; w++) {
		luaL_unref(L, LUA_REGISTRYINDEX, p->record_mt_ref[w]);
		p->record_mt_ref[w] = LUA_NOREF;
		p->record_names[w] = NULL;
	}
	for (int h = 0; h < ESC_N_HOOKS; h++) {
		luaL_unref(L, LUA_REGISTRYINDEX, p->hook_name_ref[h]);
		p->hook_name_ref[h] = LUA_NOREF;
	}
}

void esc_lua_push_hook_name(lua_State *L, const esc_lua_policy *p, int hook)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->hook_name_ref[hook]);
}

/* ---- records ------------------------------------------------------------------- */

static record *new_record(lua_State *L, const esc_lua_policy *p, int what)
{
	record *r = lua_newuserdatauv(L, sizeof *r + (size_t)kinds[what].n * sizeof r->v[0], 0);
	r->names = p->record_names[what];
	r->present = 0;
	r->what = what;
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->record_mt_ref[what]);
	lua_setmetatable(L, -2);
	return r;
}

static void set_i(record *r, int slot, lua_Integer x) { r->v[slot].i = x; r->present |= 1u << slot; }
static void set_d(record *r, int slot, double x) { r->v[slot].d = x; r->present |= 1u << slot; }

/* A party-valued slot, left absent for -1. */
static void set_party(record *r, const esc_lua_policy *p, int slot, int party)
{
	if (esc_lua_party_ok(p, party))
		set_i(r, slot, S_PARTY(p, party));
}

void esc_lua_push_observation(lua_State *L, const esc_lua_policy *p, const esc_observation *o,
                              double now, int full)
{
	record *r = new_record(L, p, R_INCIDENT);
	set_i(r, I_ID, o->incident_id);
	set_d(r, I_T, o->t_incident_h);
	set_d(r, I_NOW, now);
	set_i(r, I_OBSERVER, S_PARTY(p, o->observer));
	if (full)
		set_i(r, I_PERPETRATOR, S_PARTY(p, o->perceived));
	set_i(r, I_TYPE, S_TYPE(p, o->type));
	set_i(r, I_ZONE, S_ZONE(p, o->zone));
	set_i(r, I_LEVEL, o->level);
	set_i(r, I_FAT_MIL, o->fatalities_mil);
	set_i(r, I_FAT_CIV, o->fatalities_civ);
	set_i(r, I_CAUSE, S_CAUSE(p, o->cause));
	if (full) {
		set_d(r, I_LADDER, o->ladder_level);
		set_i(r, I_CELL_AVAILABLE, o->cell_available != 0);
	}
}

void esc_lua_push_event(lua_State *L, const esc_lua_policy *p, const esc_event_row *ev)
{
	record *r = new_record(L, p, R_EVENT);
	set_i(r, E_ID, ev->id);
	if (ev->parent_id >= 0)
		set_i(r, E_PARENT, ev->parent_id);
	set_i(r, E_ROOT, ev->root_id);
	set_d(r, E_T, ev->t_h);
	set_party(r, p, E_ACTOR, ev->actor);
	set_party(r, p, E_TARGET, ev->target);
	if (ev->zone >= 0 && (size_t)ev->zone < p->nz)
		set_i(r, E_ZONE, S_ZONE(p, ev->zone));
	if (ev->type >= 0 && (size_t)ev->type < p->nt)
		set_i(r, E_TYPE, S_TYPE(p, ev->type));
	set_i(r, E_LEVEL, ev->level);
	set_i(r, E_FAT_MIL, ev->fatalities_mil);
	set_i(r, E_FAT_CIV, ev->fatalities_civ);
	set_party(r, p, E_PERPETRATOR, ev->true_perpetrator);
	set_party(r, p, E_PERCEIVED, ev->perceived_perpetrator);
	if (ev->cause >= 0 && ev->cause <= ESC_CAUSE_POLICY)
		set_i(r, E_CAUSE, S_CAUSE(p, ev->cause));
	if (ev->kind >= 0 && ev->kind <= ESC_EVENT_PROTEST)
		set_i(r, E_KIND, S_KIND(p, ev->kind));
}

void esc_lua_push_request(lua_State *L, const esc_lua_policy *p, const esc_cell_request *q,
                          double now)
{
	record *r = new_record(L, p, R_REQUEST);
	set_i(r, Q_MESSAGE_ID, q->message_id);
	if (q->event_id >= 0)
		set_i(r, Q_EVENT_ID, q->event_id);
	set_party(r, p, Q_SENDER, q->sender);
	set_party(r, p, Q_RECEIVER, q->receiver);
	if (q->kind >= 0 && q->kind < ESC_LUA_N_MESSAGE_KINDS)
		set_i(r, Q_KIND, S_MESSAGE(p, q->kind));
	set_party(r, p, Q_SUSPECTED, q->suspected);
	set_party(r, p, Q_CULPRIT, q->culprit);
	if (!isnan(q->deadline_h))
		set_d(r, Q_DEADLINE, q->deadline_h);
	set_d(r, Q_NOW, now);
}

void esc_lua_push_answer(lua_State *L, const esc_lua_policy *p, const esc_cell_answer *a,
                         int cancel, double now)
{
	record *r = new_record(L, p, R_ANSWER);
	set_i(r, A_MESSAGE_ID, a->message_id);
	if (a->event_id >= 0)
		set_i(r, A_EVENT_ID, a->event_id);
	if (a->channel >= 0 && (size_t)a->channel <= p->nch)
		set_i(r, A_CHANNEL, S_CHANNEL(p, a->channel));
	if ((unsigned)a->reply < ESC_LUA_N_REPLIES)
		set_i(r, A_REPLY, S_REPLY(p, a->reply));
	set_party(r, p, A_NAMED, a->named);
	set_party(r, p, A_PENDING_TARGET, a->pending_target);
	if (!isnan(a->strike_h))
		set_d(r, A_STRIKE_TIME, a->strike_h);
	set_i(r, A_CANCEL, cancel != 0);
	set_d(r, A_NOW, now);
}

void esc_lua_push_operation(lua_State *L, const esc_lua_policy *p, const esc_operation *op,
                            const esc_notice *n, double now)
{
	record *r = new_record(L, p, R_OPERATION);
	set_party(r, p, O_ACTOR, op->actor);
	set_party(r, p, O_TARGET, op->target);
	if (op->type >= 0 && (size_t)op->type < p->nt)
		set_i(r, O_TYPE, S_TYPE(p, op->type));
	if (op->zone >= 0 && (size_t)op->zone < p->nz)
		set_i(r, O_ZONE, S_ZONE(p, op->zone));
	set_i(r, O_NOTIFY, n->notify != 0);
	set_d(r, O_LEAD, n->lead_h);
	set_d(r, O_NOW, now);
}
