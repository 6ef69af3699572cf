/* validate_policy.c: the scenario schema's sections about how parties
 * act and talk: the deconfliction cell (members, enforcement, notice,
 * effects, outages, refusals, staffing, suspension), the channels, the
 * policies (hooks, helpers, declared parameters and their values), the
 * triggers, and the warnings about policies that cannot matter: hooks that
 * never fire, a cell that no policy can reach.  validate.c calls these in
 * order; fields.c is the toolkit (validate.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/suggest.h"
#include "validate.h"

/* Ranges of the fields only this file reads. */
static const esc_lua_range HOUR_OF_DAY_FROM = {.lo = 0, .hi = 24, .hi_open = 1};   /* [0, 24) */
static const esc_lua_range HOUR_OF_DAY_TO = {.lo = 0, .hi = 24, .lo_open = 1};     /* (0, 24] */
static const esc_lua_range SUSPEND_LEVEL = {.lo = 0, .hi = ESC_LADDER_TOP + 1, .integer = 1};
	/* a ladder level, or one past the top: never */

/* A sub-table t[key] with the given keys: pushed, with key on the path
 * (*old to pop it), and 1 returned; absent: 0, nothing pushed, path as it
 * was. */
static int sub_table(esc_lua_vctx *v, int t, const char *key, const char *expect,
                     const char *const *keys, size_t nk, size_t *old)
{
	*old = esc_lua_path_key(v, key);
	if (!esc_lua_table_field(v, t, key, expect)) {
		esc_lua_path_pop(v, *old);
		return 0;
	}
	esc_lua_check_keys(v, lua_gettop(v->L), keys, nk);
	return 1;
}

static void sub_table_close(esc_lua_vctx *v, size_t old)
{
	lua_pop(v->L, 1);
	esc_lua_path_pop(v, old);
}

/* "ISR or SYR" */
static const char *members_list(esc_lua_vctx *v, char *buf, size_t n)
{
	const esc_cell *c = &v->cfg->cell;
	snprintf(buf, n, "%s or %s", v->cfg->parties[c->members[0]].name, v->cfg->parties[c->members[1]].name);
	return buf;
}

/* cell.parties = {PARTY, PARTY}: two different parties. */
static void read_cell_parties(esc_lua_vctx *v, int ct)
{
	lua_State *L = v->L;
	esc_cell *c = &v->cfg->cell;
	const char *expect = "an array of two different parties {PARTY, PARTY}";
	size_t old = esc_lua_path_key(v, "parties");
	if (!esc_lua_table_field(v, ct, "parties", expect)) {
		esc_lua_path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = esc_lua_check_array(v, arr, "two party names");
	if (n != 2)
		esc_lua_verr(v, "expected %s, got %zu part%s", expect, n, n == 1 ? "y" : "ies");
	esc_lua_namelist parties = esc_lua_parties_of(v->cfg);
	for (int i = 0; i < 2; i++) {
		size_t o2 = esc_lua_path_index(v, i + 1);
		char b[512];
		if (lua_rawgeti(L, arr, i + 1) != LUA_TSTRING)
			esc_lua_verr(v, "expected a party name (%s), got %s", esc_lua_party_list(v, b, sizeof b),
			             esc_lua_typename(L, -1));
		int p = esc_lua_name_key(v, &parties, lua_tostring(L, -1));
		if (i == 1 && p == c->members[0])
			esc_lua_verr(v, "must differ from cell.parties[1] ('%s'): the cell connects two parties",
			             v->cfg->parties[p].name);
		c->members[i] = p;
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* cell.enforce = {p = probability, type = TYPE}: the receiver of an answer
 * naming a non-state culprit acts against it itself with probability p,
 * with an incident of this type. */
static void read_enforce(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"p", "type"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "enforce", "a table {p = probability, type = TYPE}", keys, COUNT(keys), &old))
		return;
	int et = lua_gettop(v->L);
	esc_lua_num_field(v, et, "p", 0, &PROBABILITY, "a probability in [0, 1]", &c->enforce_p);
	esc_lua_namelist types = esc_lua_types_of(v->cfg);
	int ty = esc_lua_list_field(v, et, "type", 0, &types);
	if (ty >= 0)
		c->enforce_type = ty;
	if (c->enforce_p > 0 && c->enforce_type < 0) {
		esc_lua_path_key(v, "type");
		if (v->cfg->n_types == 0)
			esc_lua_verr(v, "missing (p > 0 needs the incident type of the enforcement action, and no incident types are defined)");
		char b[512];
		esc_lua_verr(v, "missing (p > 0 needs the incident type of the enforcement action: one of %s)",
		             esc_lua_known_list(b, sizeof b, v->cfg->types[0].name, v->cfg->n_types, sizeof(esc_incident_type)));
	}
	sub_table_close(v, old);
}

/* cell.notify = {party = PARTY, type = TYPE, lead = hours, need = hours}:
 * one of the cell's parties notifies its operations (of one type, or every
 * type) `lead` hours ahead; third parties need `need` hours to clear.  The
 * party is required, and checked against the cell's members once those are
 * read (read_cell); returns 1 when the table is there. */
static int read_notify(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"harm_reduction", "lead", "need", "party", "type"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "notify", "a table {party = PARTY, type = TYPE, lead = hours, need = hours, harm_reduction = share}",
	               keys, COUNT(keys), &old))
		return 0;
	int nt = lua_gettop(v->L);
	esc_lua_num_field(v, nt, "harm_reduction", 0, &PROBABILITY,
	                  "a share in [0, 1] (of the civilian deaths a notice in time avoids)", &c->notify_harm_reduction);
	esc_lua_num_field(v, nt, "lead", 0, &NON_NEGATIVE, "a number of hours >= 0", &c->notify_lead_h);
	esc_lua_dist_field(v, nt, "need", DIST_HOURS, &c->notify_need_h);
	esc_lua_namelist parties = esc_lua_parties_of(v->cfg), types = esc_lua_types_of(v->cfg);
	c->notify_party = esc_lua_list_field(v, nt, "party", 0, &parties);
	c->notify_type = esc_lua_list_field(v, nt, "type", 0, &types);
	sub_table_close(v, old);
	return 1;
}

/* cell.effects = {answers = bool, notices = bool, enforcement = bool}:
 * which of the cell's mechanisms act (all by default). */
static void read_effects(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"answers", "enforcement", "notices"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "effects", "a table {answers = bool, notices = bool, enforcement = bool}",
	               keys, COUNT(keys), &old))
		return;
	int et = lua_gettop(v->L);
	esc_lua_bool_field(v, et, "answers", &c->effects.answers);
	esc_lua_bool_field(v, et, "enforcement", &c->effects.enforcement);
	esc_lua_bool_field(v, et, "notices", &c->effects.notices);
	sub_table_close(v, old);
}

/* cell.outages = {mtbf = hours > 0 or math.huge, mttr = hours >= 0}. */
static void read_outages(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"mtbf", "mttr"};
	lua_State *L = v->L;
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "outages", "a table {mtbf = hours, mttr = hours}", keys, COUNT(keys), &old))
		return;
	int ot = lua_gettop(L);
	/* math.huge is the documented "never": the one infinity taken */
	int ty = esc_lua_rawfield(L, ot, "mtbf");
	double x = lua_tonumber(L, -1);
	lua_pop(L, 1);
	if (ty == LUA_TNUMBER && isinf(x) && x > 0)
		c->mtbf_h = x;
	else {
		esc_lua_num_field(v, ot, "mtbf", 0, &POSITIVE, "a number of hours > 0 (mean time between outages; math.huge: never)",
		                  &c->mtbf_h);
	}
	esc_lua_num_field(v, ot, "mttr", 0, &NON_NEGATIVE, "a finite number of hours >= 0 (mean outage length)", &c->mttr_h);
	sub_table_close(v, old);
}

/* cell.refuse = {base = probability, per_level = number >= 0}. */
static void read_refuse(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"base", "per_level"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "refuse", "a table {base = probability, per_level = number}", keys, COUNT(keys), &old))
		return;
	int rt = lua_gettop(v->L);
	esc_lua_num_field(v, rt, "base", 0, &PROBABILITY, "a probability in [0, 1]", &c->refuse_base);
	esc_lua_num_field(v, rt, "per_level", 0, &NON_NEGATIVE, "a finite number >= 0 (added per ladder level)",
	                  &c->refuse_per_level);
	sub_table_close(v, old);
}

/* cell.staffed = {from = hour, to = hour}: 0 <= from < to <= 24. */
static void read_staffed(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"from", "to"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "staffed", "a table {from = hour of day, to = hour of day}", keys, COUNT(keys), &old))
		return;
	int st = lua_gettop(v->L);
	esc_lua_num_field(v, st, "from", 0, &HOUR_OF_DAY_FROM, "an hour of the day in [0, 24)", &c->staffed_from_h);
	esc_lua_num_field(v, st, "to", 0, &HOUR_OF_DAY_TO, "an hour of the day in (0, 24]", &c->staffed_to_h);
	if (!(c->staffed_from_h < c->staffed_to_h)) {
		char a[32], b[32];
		esc_lua_verr(v, "expected from < to (hours of the day, 0 <= from < to <= 24; a shift across midnight is not supported), got from = %s, to = %s",
		             esc_lua_fmtnum(a, sizeof a, c->staffed_from_h), esc_lua_fmtnum(b, sizeof b, c->staffed_to_h));
	}
	sub_table_close(v, old);
}

/* cell.suspend = {level = 0..8, p = probability, duration = hours}. */
static void read_suspend(esc_lua_vctx *v, int ct)
{
	static const char *const keys[] = {"duration", "level", "p"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "suspend", "a table {level = 0..8, p = probability, duration = hours}",
	               keys, COUNT(keys), &old))
		return;
	int st = lua_gettop(v->L);
	esc_lua_dist_field(v, st, "duration", DIST_HOURS, &c->suspend_h);
	double x;
	if (esc_lua_num_field(v, st, "level", 0, &SUSPEND_LEVEL, "an integer ladder level 0..8 (8: never)", &x))
		c->suspend_level = (int)x;
	esc_lua_num_field(v, st, "p", 0, &PROBABILITY, "a probability in [0, 1]", &c->suspend_p);
	sub_table_close(v, old);
}

/* cell = {...}: keys read in sorted order; the checks between them (the
 * notifying party a member, the supervisor not one) once all are read. */
void esc_lua_read_cell(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"accuracy", "crowd_out", "effects", "enabled", "enforce", "handling",
	                                   "latency", "notify", "operators", "outages", "parties", "refuse",
	                                   "relay", "staffed", "supervisor", "suspend"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	esc_cell *c = &cfg->cell;
	size_t old = esc_lua_path_key(v, "cell");
	int ct = 0, notify = 0, supervisor_named = 0;
	if (esc_lua_table_field(v, t, "cell", "a table {enabled, parties, supervisor, operators, latency, accuracy, ...}")) {
		ct = lua_gettop(L);
		esc_lua_check_keys(v, ct, keys, COUNT(keys));
		esc_lua_num_field(v, ct, "accuracy", 0, &PROBABILITY, "a probability in [0, 1]", &c->accuracy);
		esc_lua_bool_field(v, ct, "crowd_out", &c->crowd_out);
		read_effects(v, ct);
		esc_lua_bool_field(v, ct, "enabled", &c->enabled);
		read_enforce(v, ct);
		esc_lua_dist_field(v, ct, "handling", DIST_HOURS, &c->handling_h);
		esc_lua_dist_field(v, ct, "latency", DIST_HOURS, &c->latency_h);
		notify = read_notify(v, ct);
		double x;
		if (esc_lua_num_field(v, ct, "operators", 0, &ONE_TO_A_MILLION, "an integer >= 1 (operators on shift, at most 10^6)", &x))
			c->operators = (int)x;
		read_outages(v, ct);
		read_cell_parties(v, ct);
		read_refuse(v, ct);
		esc_lua_dist_field(v, ct, "relay", DIST_HOURS, &c->relay_h);
		read_staffed(v, ct);
		/* supervisor: a party, or false for none */
		size_t o2 = esc_lua_path_key(v, "supervisor");
		int ty = esc_lua_rawfield(L, ct, "supervisor");
		if (ty == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			c->supervisor = -1;
		else if (ty != LUA_TNIL && ty != LUA_TSTRING) {
			char b[64];
			esc_lua_verr(v, "expected a party name, or false for none, got %s", esc_lua_got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
		supervisor_named = ty != LUA_TNIL;
		if (ty == LUA_TSTRING) {
			esc_lua_namelist parties = esc_lua_parties_of(cfg);
			c->supervisor = esc_lua_list_field(v, ct, "supervisor", 1, &parties);
		}
		read_suspend(v, ct);
	}

	/* between keys, and the defaults */
	char b[512];
	int have_members = c->members[0] >= 0 && c->members[1] >= 0;
	if (!have_members && c->enabled) {
		int ns = 0;
		for (size_t i = 0; i < cfg->n_parties; i++)
			ns += cfg->parties[i].kind == ESC_PARTY_STATE;
		esc_lua_path_key(v, "parties");
		esc_lua_verr(v, "missing (expected two different parties {PARTY, PARTY}; by default the first two state parties, but the scenario has %s)",
		             ns ? "only one" : "none");
	}
	if (notify) {
		size_t o2 = esc_lua_path_key(v, "notify");
		esc_lua_path_key(v, "party");
		if (c->notify_party < 0 && have_members)
			esc_lua_verr(v, "missing (expected the cell party that gives notice of its operations: %s)",
			             members_list(v, b, sizeof b));
		if (c->notify_party < 0)
			esc_lua_verr(v, "missing (expected the cell party that gives notice of its operations)");
		if (have_members && c->notify_party != c->members[0] && c->notify_party != c->members[1])
			esc_lua_verr(v, "expected one of the cell's parties (%s), got '%s'", members_list(v, b, sizeof b),
			             cfg->parties[c->notify_party].name);
		esc_lua_path_pop(v, o2);
	}
	if (have_members && c->supervisor >= 0 &&
	    (c->supervisor == c->members[0] || c->supervisor == c->members[1])) {
		esc_lua_path_key(v, "supervisor");
		esc_lua_verr(v, "'%s'%s is one of the cell's parties (%s); the supervisor must be another party, or false for none",
		             cfg->parties[c->supervisor].name, supervisor_named ? "" : " (the default: the first supervisor party)",
		             members_list(v, b, sizeof b));
	}
	if (ct)
		lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* channels = {{name = ..., latency = ..., availability = ..., accuracy =
 * ...}, ...}: the fallback channels, in the order they are tried. */
void esc_lua_read_channels(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"accuracy", "availability", "description", "latency", "name"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	const char *expect = "an array of channels {name = ..., latency = ..., availability = ..., accuracy = ...}";
	size_t old = esc_lua_path_key(v, "channels");
	if (!esc_lua_table_field(v, t, "channels", expect)) {
		esc_lua_path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = esc_lua_check_array(v, arr, "channels {name = ..., latency = ...}");
	esc_error e = {0};
	if (esc_config_alloc_channels(cfg, n, &e))
		luaL_error(L, "%s", e.msg);
	const char *expect_name = "a channel name (letters, digits and _, at most 31 characters)";
	for (size_t i = 0; i < n; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			esc_lua_verr(v, "expected a channel {name = ..., latency = ..., availability = ..., accuracy = ...}, got %s",
			             esc_lua_got(v, -1, b, sizeof b));
		int ch = lua_gettop(L);
		esc_lua_check_keys(v, ch, keys, COUNT(keys));
		esc_channel *c = &cfg->channels[i];
		esc_lua_num_field(v, ch, "accuracy", 0, &PROBABILITY, "a probability in [0, 1]", &c->accuracy);
		esc_lua_num_field(v, ch, "availability", 0, &PROBABILITY, "a probability in [0, 1]", &c->availability);
		if (esc_lua_str_field(v, ch, "description", 0, "a string"))
			lua_pop(L, 1);
		if (esc_lua_rawfield(L, ch, "latency") == LUA_TNIL) {
			esc_lua_path_key(v, "latency");
			esc_lua_verr(v, "missing (expected a distribution or a number of hours >= 0)");
		}
		lua_pop(L, 1);
		esc_lua_dist_field(v, ch, "latency", DIST_HOURS, &c->latency_h);
		esc_lua_str_field(v, ch, "name", 1, expect_name);
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		esc_lua_path_key(v, "name");
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1))
			esc_lua_verr(v, "expected %s, got '%s'", expect_name, name);
		if (strcmp(name, "cell") == 0)
			esc_lua_verr(v, "'cell' is the communication cell's name: choose another");
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->channels[j].name, name) == 0)
				esc_lua_verr(v, "duplicate channel '%s' (also channels[%zu])", name, j + 1);
		memcpy(c->name, name, len + 1);
		lua_pop(L, 1);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

static int hook_index(const char *key)
{
	for (size_t h = 0; h < esc_lua_n_hook_names; h++)
		if (strcmp(key, esc_lua_hook_names[h]) == 0)
			return (int)h;
	return -1;
}

#define HOOK_LIST "attribute, on_incident_observed, on_cell_request, on_cell_reply, pre_operation, on_tick, on_event"

/* A function of a policy that is not a hook but looks like one (within two
 * edits of a hook's name, or named on_...): a misspelt hook would never be
 * called, so it is an error. */
static void check_helper_name(esc_lua_vctx *v, const char *key)
{
	const char *near = NULL;
	for (size_t h = 0; h < esc_lua_n_hook_names && !near; h++)
		if (esc_edit_distance(key, esc_lua_hook_names[h]) <= 2)
			near = esc_lua_hook_names[h];
	if (!near && strncmp(key, "on_", 3) != 0)
		return;                          /* a helper */
	esc_lua_path_key(v, key);
	if (near)
		esc_lua_verr(v, "not a hook (did you mean %s?); a function named within two letters of a hook, "
		             "or on_..., is taken for a misspelt hook: rename a helper", near);
	esc_lua_verr(v, "not a hook (hooks: " HOOK_LIST "); names starting with on_ are kept for hooks: "
	             "rename a helper");
}

/* The declaration of a declared policy (its metatable's __escsim_policy at
 * meta): read every entry into a userdata array (pushed), checked; the
 * module's name into *mod. */
static esc_lua_param *read_declarations(esc_lua_vctx *v, int meta, size_t *n, const char **mod)
{
	lua_State *L = v->L;
	lua_pushliteral(L, "module");
	lua_rawget(L, meta);
	*mod = esc_lua_module_name(L, -1);
	lua_pop(L, 1);
	lua_pushliteral(L, "parameters");
	if (lua_rawget(L, meta) != LUA_TTABLE)
		esc_lua_verr(v, "its module%s%s declares no parameters (M.parameters must be an array of "
		             "{name, type, default, doc})", *mod ? " " : "", *mod ? *mod : "");
	int decls = lua_gettop(L);
	*n = (size_t)lua_rawlen(L, decls);
	esc_lua_param *p = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *p, 1);
	lua_pushvalue(L, decls);
	lua_setiuservalue(L, -2, 1);            /* the strings stay anchored */
	for (size_t j = 0; j < *n; j++) {
		char msg[400];
		lua_rawgeti(L, decls, (lua_Integer)j + 1);
		int bad = esc_lua_param_read(L, -1, &p[j], msg, sizeof msg);
		for (size_t i = 0; !bad && i < j; i++)
			if (strcmp(p[i].name, p[j].name) == 0) {
				snprintf(msg, sizeof msg, "%s: declared twice", p[j].name);
				bad = 1;
			}
		if (bad) {
			char where[600];
			if (lua_type(L, -1) == LUA_TTABLE && esc_lua_key_where(L, -1, "name", where, sizeof where))
				luaL_error(L, "%s: %s.parameters[%d]: %s", where, *mod ? *mod : "the policy module",
				           (int)j + 1, msg);
			esc_lua_verr(v, "its module's parameters[%d]: %s", (int)j + 1, msg);
		}
		lua_pop(L, 1);
	}
	lua_remove(L, decls);
	return p;
}

/* Is the value at idx the default of declaration j (the declarations
 * array is the uservalue of the userdata at decls)? */
static int is_default(lua_State *L, int decls, size_t j, int idx)
{
	idx = lua_absindex(L, idx);
	lua_getiuservalue(L, decls, 1);
	lua_rawgeti(L, -1, (lua_Integer)j + 1);
	lua_getfield(L, -1, "default");
	int same = lua_rawequal(L, -1, idx);
	lua_pop(L, 3);
	return same;
}

/* The value of declared parameter j (at pol): it fits the declaration. */
static void check_value(esc_lua_vctx *v, int pol, const esc_lua_param *p, size_t j, const char *mod,
                        int decls)
{
	lua_State *L = v->L;
	char msg[700];
	lua_pushstring(L, p[j].name);
	int ty = lua_rawget(L, pol);
	if (ty == LUA_TNIL && p[j].optional) {
		lua_pop(L, 1);
		return;
	}
	if (esc_lua_param_check(L, &p[j], -1, v->cfg, msg, sizeof msg)) {
		size_t old = esc_lua_path_key(v, p[j].name);
		if (ty == LUA_TNIL)              /* an override of nil removed it */
			esc_lua_verr(v, "missing: %s", msg);
		/* A default that names what this scenario lacks (protest_mostly's
		 * response "rocket" where there are no rockets) matters only if
		 * the policy uses it: a warning.  A name the scenario gave is an
		 * error. */
		if (is_default(L, decls, j, -1) && strncmp(msg, "unknown ", 8) == 0) {
			esc_lua_add_warning(v->s, "%s: the default of %s: %s (set %s if the policy uses it)",
			                    v->path, mod ? mod : "its module", msg, p[j].name);
			esc_lua_path_pop(v, old);
			lua_pop(L, 1);
			return;
		}
		esc_lua_verr(v, "%s", msg);
	}
	lua_pop(L, 1);
}

/* A key of a declared policy that is not a function and not tick: it must
 * be one of the declared parameters. */
static void check_declared(esc_lua_vctx *v, const char *key, const esc_lua_param *p, size_t n,
                           const char *mod)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(key, p[j].name) == 0)
			return;
	const char *cand[128] = {0};
	size_t m = n < 128 ? n : 128;
	for (size_t j = 0; j < m; j++)
		cand[j] = p[j].name;
	const char *sug = esc_lua_suggest(key, cand, m);
	char attr[600], msg[1536], list[400] = "";
	size_t k = 0;
	for (size_t j = 0; j < m && k < sizeof list; j++)
		k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", j ? ", " : "", cand[j]);
	snprintf(attr, sizeof attr, "%s.%s", v->path, key);
	if (sug)
		snprintf(msg, sizeof msg, "%s: unknown parameter '%s' (did you mean '%s'?)", v->path, key, sug);
	else
		snprintf(msg, sizeof msg, "%s: unknown parameter '%s' (%s declares %s)", v->path, key,
		         mod ? mod : "its module", n ? list : "none");
	esc_lua_raise_msg(v, attr, msg, 0);
}

/* tick: the engine's, in every policy. */
static void check_tick(esc_lua_vctx *v, int pol)
{
	lua_State *L = v->L;
	lua_pushliteral(L, "tick");
	int vt = lua_rawget(L, pol);
	if (vt != LUA_TNIL && (vt != LUA_TNUMBER || !esc_lua_in_range(&NON_NEGATIVE, lua_tonumber(L, -1)))) {
		char b[64];
		esc_lua_path_key(v, "tick");
		esc_lua_verr(v, "expected a number of hours >= 0 between calls of on_tick (0: never), got %s",
		             esc_lua_got(v, -1, b, sizeof b));
	}
	lua_pop(L, 1);
}

/* One party's policy table (at pol, path policies.PARTY): hooks are
 * functions, other functions are helpers not named like hooks; a declared
 * policy holds only its declared parameters (and tick), each fitting its
 * declaration; a policy written inline holds what it likes. */
static void read_policy(esc_lua_vctx *v, int pol)
{
	lua_State *L = v->L;
	size_t nd = 0;
	const char *mod = NULL;
	esc_lua_param *decl = NULL;
	int top = lua_gettop(L), decls = 0;
	if (esc_lua_policy_meta(L, pol)) {
		decl = read_declarations(v, lua_gettop(L), &nd, &mod);
		decls = lua_gettop(L);
	}
	check_tick(v, pol);
	/* the names first (an unknown parameter before a value that does
	 * not fit), then the declared values */
	int nk = esc_lua_sorted_keys(L, pol);
	if (nk < 0 && decl)
		esc_lua_verr(v, "a key that is neither a name nor a number (a declared policy holds its parameters and functions)");
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, -1, k);
		if (lua_type(L, -1) != LUA_TSTRING) {
			if (decl) {
				char b[64];
				esc_lua_verr(v, "a key [%s]: a declared policy holds only its parameters and functions",
				             esc_lua_got(v, -1, b, sizeof b));
			}
			lua_pop(L, 1);
			continue;
		}
		const char *key = lua_tostring(L, -1);
		lua_pushvalue(L, -1);
		int vt = lua_rawget(L, pol);
		int hook = hook_index(key) >= 0;
		if (hook && vt != LUA_TFUNCTION) {
			char b[64];
			esc_lua_path_key(v, key);
			esc_lua_verr(v, "expected a function (a hook), got %s", esc_lua_got(v, -1, b, sizeof b));
		}
		if (!hook && vt == LUA_TFUNCTION)
			check_helper_name(v, key);
		if (vt != LUA_TFUNCTION && decl && strcmp(key, "tick") != 0)
			check_declared(v, key, decl, nd, mod);
		lua_pop(L, 2);
	}
	for (size_t j = 0; j < nd; j++)
		check_value(v, pol, decl, j, mod, decls);
	lua_settop(L, top);
}

void esc_lua_read_policies(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "policies");
	if (!esc_lua_table_field(v, t, "policies", "a table PARTY = {hook functions and parameters}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int pt = lua_gettop(L);
	int n = esc_lua_string_keys(v, pt);
	int names = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, names, i);
		const char *party = lua_tostring(L, -1);
		esc_lua_party_key(v, party, "");
		size_t o2 = esc_lua_path_key(v, party);
		char b[64];
		if (lua_rawget(L, pt) != LUA_TTABLE)
			esc_lua_verr(v, "expected a policy table (hook functions such as on_incident_observed, and parameters), got %s",
			             esc_lua_got(v, -1, b, sizeof b));
		read_policy(v, lua_gettop(L));
		lua_pop(L, 1);                    /* policy */
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 2);                            /* names, policies */
	esc_lua_path_pop(v, old);
}

/* triggers = { {name, party, event = {type, actor, target, zone, cause,
 * kind}, condition, action, probability, repeatable}, ... }: checked here,
 * bound by the policy (policy_lua.c). */
void esc_lua_read_triggers(esc_lua_vctx *v, int t)
{
	static const char *const keys[] = {"name", "party", "event", "condition", "action", "probability",
	                                   "repeatable"};
	static const char *const event_keys[] = {"type", "actor", "target", "zone", "cause", "kind"};
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, "triggers");
	if (!esc_lua_table_field(v, t, "triggers", "an array of triggers {party = ..., event = {...}, action = function(ev) ... end}")) {
		esc_lua_path_pop(v, old);
		return;
	}
	int tt = lua_gettop(L);
	size_t n = esc_lua_check_array(v, tt, "triggers {party = ..., event = {...}, action = function(ev) ... end}");
	esc_lua_namelist parties = esc_lua_parties_of(v->cfg), zones = esc_lua_zones_of(v->cfg);
	char b[512];
	for (size_t i = 1; i <= n; i++) {
		size_t o2 = esc_lua_path_index(v, (lua_Integer)i);
		lua_rawgeti(L, tt, (lua_Integer)i);
		int e = lua_gettop(L);
		if (!lua_istable(L, e))
			esc_lua_verr(v, "expected a trigger {party = ..., event = {...}, action = function(ev) ... end}, got %s",
			             esc_lua_got(v, e, b, sizeof b));
		esc_lua_check_keys(v, e, keys, COUNT(keys));
		if (esc_lua_str_field(v, e, "name", 0, "a string")) {
			size_t len;
			const char *name = lua_tolstring(L, -1, &len);
			size_t o3 = esc_lua_path_key(v, "name");
			esc_lua_check_text(v, name, len, 63, "a name of 1 to 63 bytes of UTF-8 text");
			esc_lua_path_pop(v, o3);
			for (size_t j = 1; j < i; j++) {
				lua_rawgeti(L, tt, (lua_Integer)j);
				lua_pushliteral(L, "name");
				if (lua_rawget(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -1), name) == 0) {
					esc_lua_path_key(v, "name");
					esc_lua_verr(v, "duplicate trigger name '%s' (also triggers[%zu])", name, j);
				}
				lua_pop(L, 2);
			}
			lua_pop(L, 1);
		}
		esc_lua_list_field(v, e, "party", 1, &parties);
		int ty = esc_lua_rawfield(L, e, "action");
		if (ty != LUA_TFUNCTION) {
			esc_lua_path_key(v, "action");
			if (ty == LUA_TNIL)
				esc_lua_verr(v, "missing (expected a function(ev) that acts, through sim.act)");
			esc_lua_verr(v, "expected a function(ev) that acts through sim.act, got %s", esc_lua_got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		ty = esc_lua_rawfield(L, e, "condition");
		if (ty != LUA_TNIL && ty != LUA_TFUNCTION) {
			esc_lua_path_key(v, "condition");
			esc_lua_verr(v, "expected a function(ev) returning true or false, got %s", esc_lua_got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		double x;
		esc_lua_num_field(v, e, "probability", 0, &PROBABILITY, "a probability in [0, 1]", &x);
		int rep;
		esc_lua_bool_field(v, e, "repeatable", &rep);
		size_t o3 = esc_lua_path_key(v, "event");
		if (esc_lua_table_field(v, e, "event", "a table {type, actor, target, zone, cause, kind} to match (omitted fields match anything)")) {
			int ev = lua_gettop(L);
			esc_lua_check_keys(v, ev, event_keys, COUNT(event_keys));
			size_t o4 = esc_lua_path_key(v, "type");
			ty = esc_lua_rawfield(L, ev, "type");
			if (ty == LUA_TSTRING) {
				if (esc_config_type(v->cfg, lua_tostring(L, -1)) < 0)
					esc_lua_add_warning(v->s, "%s: unknown type '%s' (known: %s): the trigger never fires",
					                    v->path, lua_tostring(L, -1),
					                    v->cfg->n_types ? esc_lua_known_list(b, sizeof b, v->cfg->types[0].name, v->cfg->n_types,
					                                                         sizeof(esc_incident_type)) : "none");
			} else if (ty != LUA_TNIL) {
				esc_lua_verr(v, "expected an incident type name, got %s", esc_lua_got(v, -1, b, sizeof b));
			}
			lua_pop(L, 1);
			esc_lua_path_pop(v, o4);
			esc_lua_list_field(v, ev, "actor", 0, &parties);
			esc_lua_list_field(v, ev, "target", 0, &parties);
			esc_lua_list_field(v, ev, "zone", 0, &zones);
			static const char *const *lists[] = {esc_lua_cause_names, esc_lua_kind_names};
			static const char *const lkeys[] = {"cause", "kind"};
			static const size_t ln[] = {3, 2};
			static const char *const lexp[] = {"one of background, triggered, policy", "one of incident, protest"};
			for (size_t k = 0; k < 2; k++) {
				ty = esc_lua_rawfield(L, ev, lkeys[k]);
				if (ty != LUA_TNIL && (ty != LUA_TSTRING || esc_lua_list_index(lists[k], ln[k], lua_tostring(L, -1)) < 0)) {
					esc_lua_path_key(v, lkeys[k]);
					esc_lua_verr(v, "expected %s, got %s", lexp[k], esc_lua_got(v, -1, b, sizeof b));
				}
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		esc_lua_path_pop(v, o3);
		lua_pop(L, 1);
		esc_lua_path_pop(v, o2);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* Hooks that can never fire: worth a warning (escsim check prints them). */
void esc_lua_warn_hooks(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	const esc_config *c = v->cfg;
	if (esc_lua_rawfield(L, t, "policies") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	int pt = lua_gettop(L);
	int has_triggers = esc_lua_rawfield(L, t, "triggers") == LUA_TTABLE && lua_rawlen(L, -1) > 0;
	lua_pop(L, 1);
	size_t n_policies = 0;
	lua_pushnil(L);
	while (lua_next(L, pt)) {
		lua_pop(L, 1);
		n_policies++;
	}
	char b[512];
	for (size_t p = 0; p < c->n_parties; p++) {
		const char *name = c->parties[p].name;
		lua_pushstring(L, name);
		if (lua_rawget(L, pt) != LUA_TTABLE) {
			lua_pop(L, 1);
			continue;
		}
		int pol = lua_gettop(L);
		unsigned hooks = 0;
		for (size_t h = 0; h < esc_lua_n_hook_names; h++) {
			lua_pushstring(L, esc_lua_hook_names[h]);
			if (lua_rawget(L, pol) == LUA_TFUNCTION)
				hooks |= 1u << h;
			lua_pop(L, 1);
		}
		int member = c->cell.members[0] == (int)p || c->cell.members[1] == (int)p;
		if ((hooks & (1u << ESC_HOOK_CELL_REQUEST)) && !member)
			esc_lua_add_warning(v->s, "policies.%s.on_cell_request never fires: %s is not a member of the cell (cell.parties = %s, %s)",
			                    name, name, c->parties[c->cell.members[0]].name, c->parties[c->cell.members[1]].name);
		if ((hooks & (1u << ESC_HOOK_CELL_REPLY)) && !member && c->n_channels == 0)
			esc_lua_add_warning(v->s, "policies.%s.on_cell_reply never fires: %s is not a member of the cell (cell.parties = %s, %s) and there are no fallback channels",
			                    name, name, c->parties[c->cell.members[0]].name, c->parties[c->cell.members[1]].name);
		if (hooks & (1u << ESC_HOOK_PRE_OPERATION)) {
			int acts = 0;
			for (size_t g = 0; g < c->n_generators && !acts; g++)
				acts = c->generators[g].actor == (int)p;
			if (!acts)
				esc_lua_add_warning(v->s, "policies.%s.pre_operation never fires: %s starts no background incidents (no incidents entry has actor = '%s')",
				                    name, name, name);
		}
		if (hooks & (1u << ESC_HOOK_TICK)) {
			lua_pushliteral(L, "tick");
			int ty = lua_rawget(L, pol);
			if (ty == LUA_TNIL || !(lua_tonumber(L, -1) > 0))
				esc_lua_add_warning(v->s, "policies.%s.on_tick never fires: %s (set tick = hours(...) in the policy)",
				                    name, ty == LUA_TNIL ? "no tick parameter" : "tick is 0");
			lua_pop(L, 1);
		}
		if (hooks & ((1u << ESC_HOOK_OBSERVED) | (1u << ESC_HOOK_ATTRIBUTE))) {
			int target = n_policies > 1 || has_triggers;
			for (size_t g = 0; g < c->n_generators && !target; g++)
				target = c->generators[g].target == (int)p;
			for (size_t x = 0; x < c->n_excitations && !target; x++)
				target = c->excitations[x].to_target == (int)p;
			if (!target && c->parties[p].kind == ESC_PARTY_NONSTATE && c->cell.enabled &&
			    c->cell.enforce_type >= 0 && c->cell.enforce_p > 0)
				target = 1;
			for (size_t h = 0; h < 2 && !target; h++) {
				int hk = h ? ESC_HOOK_ATTRIBUTE : ESC_HOOK_OBSERVED;
				if (hooks & (1u << hk))
					esc_lua_add_warning(v->s, "policies.%s.%s never fires: nothing ever targets %s (no incidents entry or hawkes rule has target = '%s', and no other party has a policy)",
					                    name, esc_lua_hook_names[hk], name, name);
			}
		}
		lua_pop(L, 1);
	}
	(void)b;
	lua_pop(L, 1);
}

/* Can party p's policy (at pol) ask the cell?  A declared module says so in
 * M.queries: false (never), or the name of a boolean parameter that says
 * it; a table written inline may, if it has a hook that decides.  *why
 * gets the reason it cannot. */
static int may_query(lua_State *L, int pol, char *why, size_t n)
{
	int top = lua_gettop(L), may = 1;
	if (esc_lua_policy_meta(L, pol)) {
		lua_getfield(L, -1, "module");
		const char *mod = esc_lua_module_name(L, -1);
		lua_pushliteral(L, "queries");
		int qt = lua_rawget(L, -2);
		if (qt == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
			snprintf(why, n, "%s never queries", mod ? mod : "its module");
			may = 0;
		} else if (qt == LUA_TSTRING) {
			const char *param = lua_tostring(L, -1);
			lua_pushvalue(L, -1);
			if (lua_rawget(L, pol) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
				snprintf(why, n, "%s with %s = false", mod ? mod : "its module", param);
				may = 0;
			}
		}
	} else {
		static const int deciders[] = {ESC_HOOK_OBSERVED, ESC_HOOK_TICK, ESC_HOOK_EVENT};
		may = 0;
		for (size_t i = 0; i < sizeof deciders / sizeof deciders[0]; i++) {
			lua_pushstring(L, esc_lua_hook_names[deciders[i]]);
			may |= lua_rawget(L, pol) == LUA_TFUNCTION;
			lua_pop(L, 1);
		}
		if (!may)
			snprintf(why, n, "no hook that decides (on_incident_observed, on_tick, on_event)");
	}
	lua_settop(L, top);
	return may;
}

/* An enabled cell that nothing can reach changes nothing: arms with and
 * without it give the same numbers.  Requests come from the cell's two
 * parties, through their policies or triggers; notices through
 * cell.notify. */
void esc_lua_warn_unreachable_cell(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	const esc_cell *c = &v->cfg->cell;
	if (!c->enabled || c->notify_party >= 0)
		return;
	int top = lua_gettop(L);
	char why[2][300];
	int reach = 0;
	if (esc_lua_rawfield(L, t, "triggers") == LUA_TTABLE) {
		for (lua_Integer i = 1; !reach && lua_rawgeti(L, -1, i) == LUA_TTABLE; i++) {
			lua_getfield(L, -1, "party");
			for (int m = 0; m < 2; m++)
				reach |= lua_type(L, -1) == LUA_TSTRING &&
				         strcmp(lua_tostring(L, -1), v->cfg->parties[c->members[m]].name) == 0;
			lua_pop(L, 2);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	int policies = esc_lua_rawfield(L, t, "policies") == LUA_TTABLE;
	if (!policies || (lua_pushnil(L), !lua_next(L, -2))) {
		lua_settop(L, top);          /* no policy at all: nothing responds, a cell or not */
		return;
	}
	lua_pop(L, 2);
	for (int m = 0; m < 2 && !reach; m++) {
		const char *name = v->cfg->parties[c->members[m]].name;
		if (!policies || (lua_pushstring(L, name), lua_rawget(L, -2)) != LUA_TTABLE) {
			snprintf(why[m], sizeof why[m], "no policy");
			if (policies)
				lua_pop(L, 1);
			continue;
		}
		reach = may_query(L, lua_gettop(L), why[m], sizeof why[m]);
		lua_pop(L, 1);
	}
	lua_settop(L, top);
	if (!reach)
		esc_lua_add_warning(v->s, "cell: enabled, but no policy can reach it (%s: %s; %s: %s), and "
		                    "cell.notify names no party: it changes nothing, and arms with and "
		                    "without it will not differ",
		                    v->cfg->parties[c->members[0]].name, why[0],
		                    v->cfg->parties[c->members[1]].name, why[1]);
}

