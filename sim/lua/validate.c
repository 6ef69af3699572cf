/* validate.c: the scenario schema.
 *
 * Turns an arm's Lua table into an esc_config, checking every key: its type,
 * its range, the names it refers to.  An error names the key path and what
 * was expected, and starts with where the value came from: the scenario{}
 * call in the file, or the override that set it.  Tables are read raw (no
 * metamethods) and their keys in sorted order, so the first error reported
 * is the same in every run.  Runs in protected mode: errors are raised as Lua
 * errors whose message is final.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"
#include "escsim/suggest.h"

typedef struct vctx {
	lua_State *L;
	esc_scenario *s;
	esc_config *cfg;
	const esc_lua_override *ov;
	size_t n_ov;
	char path[512];
	size_t plen;
	int root;                   /* the arm table's stack index */
	char where[600];            /* origin()'s "file:line" */
} vctx;

/* ---- key paths and errors ------------------------------------------------ */

static size_t path_key(vctx *v, const char *key)
{
	size_t old = v->plen;
	int n = snprintf(v->path + old, sizeof v->path - old, "%s%s", old ? "." : "", key);
	if (n > 0)
		v->plen = strnlen(v->path, sizeof v->path - 1);
	return old;
}

static size_t path_index(vctx *v, lua_Integer i)
{
	size_t old = v->plen;
	snprintf(v->path + old, sizeof v->path - old, "[%lld]", (long long)i);
	v->plen = strnlen(v->path, sizeof v->path - 1);
	return old;
}

static void path_pop(vctx *v, size_t old)
{
	v->plen = old;
	v->path[old] = '\0';
}

/* The source of the value at `path`: the last override that set it, one of
 * its enclosing tables, or something inside it (a confusion row is wrong
 * because of the probability an override put in it); else the line of the
 * key that holds it (marks.c); else the scenario{} call. */
static int within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	return n > 0 && strncmp(inner, outer, n) == 0 &&
	       (inner[n] == '\0' || inner[n] == '.' || inner[n] == '[');
}

static const char *origin(vctx *v, const char *path)
{
	for (size_t i = v->n_ov; i-- > 0;)
		if (within(path, v->ov[i].path) || within(v->ov[i].path, path))
			return v->ov[i].label;
	if (esc_lua_locate(v->L, v->root, path, v->where, sizeof v->where))
		return v->where;
	return v->s->site;
}

static void raise_msg(vctx *v, const char *attr, const char *msg, int with_path)
{
	const char *o = origin(v, attr ? attr : v->path);
	if (with_path && v->plen)
		lua_pushfstring(v->L, "%s: %s: %s", o, v->path, msg);
	else
		lua_pushfstring(v->L, "%s: %s", o, msg);
	lua_error(v->L);
}

static void verr(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void verr(vctx *v, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	raise_msg(v, NULL, msg, 1);
	abort();   /* not reached: lua_error does not return */
}

static const char *fmtnum(char *buf, size_t n, double x)
{
	if (isnan(x))
		snprintf(buf, n, "nan");
	else if (isinf(x))
		snprintf(buf, n, x > 0 ? "inf" : "-inf");
	else
		snprintf(buf, n, "%.14g", x);
	return buf;
}

/* What the value at idx is, for "got ...": a number's value, else its type. */
static const char *got(vctx *v, int idx, char *buf, size_t n)
{
	if (lua_type(v->L, idx) == LUA_TNUMBER)
		return fmtnum(buf, n, lua_tonumber(v->L, idx));
	if (lua_type(v->L, idx) == LUA_TSTRING) {
		snprintf(buf, n, "string '%.40s'", lua_tostring(v->L, idx));
		return buf;
	}
	return esc_lua_typename(v->L, idx);
}

/* ---- table access ---------------------------------------------------------- */

static int rawfield(lua_State *L, int t, const char *key)
{
	t = lua_absindex(L, t);
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

/* Sorted keys of the table at t pushed; every key must be a string. */
static int string_keys(vctx *v, int t)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	int n = esc_lua_sorted_keys(L, t);
	if (n < 0)
		verr(v, "expected names as keys, found a key that is neither a string nor a number");
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING) {
			char b[64];
			verr(v, "expected names as keys, found [%s]", got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
	}
	return n;
}

static int in_list(const char *k, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k, list[i]) == 0)
			return 1;
	return 0;
}

static void unknown_key(vctx *v, const char *key, const char *const *known, size_t nk)
{
	char attr[600], msg[768];
	snprintf(attr, sizeof attr, "%s%s%s", v->path, v->plen ? "." : "", key);
	const char *sug = esc_lua_suggest(key, known, nk);
	int n = snprintf(msg, sizeof msg, "unknown key '%s'", key);
	if (v->plen)
		n += snprintf(msg + n, sizeof msg - (size_t)n, " in %s", v->path);
	if (sug)
		snprintf(msg + n, sizeof msg - (size_t)n, " (did you mean '%s'?)", sug);
	raise_msg(v, attr, msg, 0);
}

/* Every key of the table at t must be one of known. */
static void check_keys(vctx *v, int t, const char *const *known, size_t nk)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	int n = string_keys(v, t);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *k = lua_tostring(L, -1);
		if (!in_list(k, known, nk))
			unknown_key(v, k, known, nk);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The table at t is an array 1..n without holes; returns n. */
static size_t check_array(vctx *v, int t, const char *what)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	lua_Integer n = (lua_Integer)lua_rawlen(L, t), count = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
			char b[64];
			verr(v, "expected an array of %s (1..n, no holes), found key %s", what,
			     lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : got(v, -1, b, sizeof b));
		}
		count++;
	}
	if (count != n)
		verr(v, "expected an array of %s (1..n, no holes), found holes", what);
	return (size_t)n;
}

/* ---- typed fields ---------------------------------------------------------- */

typedef struct range {
	double lo, hi;
	int lo_open, hi_open, integer;
} range;

static int in_range(const range *r, double x)
{
	if (!isfinite(x))
		return 0;
	if (r->lo_open ? !(x > r->lo) : !(x >= r->lo))
		return 0;
	if (r->hi_open ? !(x < r->hi) : !(x <= r->hi))
		return 0;
	return !r->integer || x == floor(x);
}

/* A number field; returns 1 and sets *out if present.  `expect` says what is
 * wanted ("a number of hours > 0"). */
static int num_field(vctx *v, int t, const char *key, int required, const range *r,
                     const char *expect, double *out)
{
	lua_State *L = v->L;
	int ty = rawfield(L, t, key);
	size_t old = path_key(v, key);
	char b[64];
	if (ty == LUA_TNIL) {
		if (required)
			verr(v, "missing (expected %s)", expect);
		lua_pop(L, 1);
		path_pop(v, old);
		return 0;
	}
	if (ty != LUA_TNUMBER)
		verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
	double x = lua_tonumber(L, -1);
	if (!in_range(r, x))
		verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
	*out = x;
	lua_pop(L, 1);
	path_pop(v, old);
	return 1;
}

/* A string field; pushes it (or nothing) and returns 1 if present. */
static int str_field(vctx *v, int t, const char *key, int required, const char *expect)
{
	lua_State *L = v->L;
	int ty = rawfield(L, t, key);
	if (ty == LUA_TSTRING)
		return 1;
	size_t old = path_key(v, key);
	if (ty == LUA_TNIL) {
		if (required)
			verr(v, "missing (expected %s)", expect);
		lua_pop(L, 1);
		path_pop(v, old);
		return 0;
	}
	char b[64];
	verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
}

static int bool_field(vctx *v, int t, const char *key, int *out)
{
	lua_State *L = v->L;
	int ty = rawfield(L, t, key);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != LUA_TBOOLEAN) {
		char b[64];
		path_key(v, key);
		verr(v, "expected true or false, got %s", got(v, -1, b, sizeof b));
	}
	*out = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 1;
}

/* A table field: pushed if present (returns 1); nil pushes nothing.  The
 * caller has put key on the path already. */
static int table_field(vctx *v, int t, const char *key, const char *expect)
{
	lua_State *L = v->L;
	int ty = rawfield(L, t, key);
	if (ty == LUA_TTABLE)
		return 1;
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	char b[64];
	verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
}

enum { DIST_HOURS, DIST_COUNT };

/* A distribution field: a distribution, or a number meaning constant(x).
 * Times must be >= 0; counts come from count distributions. */
static void dist_field(vctx *v, int t, const char *key, int what, esc_dist *out)
{
	lua_State *L = v->L;
	int ty = rawfield(L, t, key);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	size_t old = path_key(v, key);
	const char *expect = what == DIST_HOURS
		? "a distribution or a number of hours >= 0"
		: "a count distribution (poisson, negbin, zinb, discrete over 0..n-1, constant) or a whole number >= 0";
	char b[64];
	esc_error e = {0};
	if (ty == LUA_TNUMBER) {
		double x = lua_tonumber(L, -1);
		range r = {0, HUGE_VAL, 0, 1, what == DIST_COUNT};
		if (!in_range(&r, x))
			verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
		esc_dist_free(out);
		if (esc_dist_init(out, ESC_DIST_CONSTANT, x, 0, 0, &e))
			verr(v, "%s", e.msg);
	} else {
		const esc_dist *d = esc_lua_todist(L, -1);
		if (!d)
			verr(v, "expected %s, got %s", expect, got(v, -1, b, sizeof b));
		if (d->kind == ESC_DIST_DISCRETE && !esc_lua_dist_numeric(L, -1))
			verr(v, "expected %s, got a discrete distribution over labels (its labels must be 0, 1, ..., n-1)", expect);
		if (what == DIST_COUNT && (d->kind == ESC_DIST_EXPONENTIAL || d->kind == ESC_DIST_LOGNORMAL ||
		                           d->kind == ESC_DIST_GAMMA || d->kind == ESC_DIST_WEIBULL))
			verr(v, "expected %s, got %s (a continuous distribution)", expect, esc_dist_kind_name(d->kind));
		if (d->kind == ESC_DIST_CONSTANT) {
			range r = {0, HUGE_VAL, 0, 1, what == DIST_COUNT};
			if (!in_range(&r, d->a))
				verr(v, "expected %s, got constant(%s)", expect, fmtnum(b, sizeof b, d->a));
		}
		esc_dist_free(out);
		if (esc_dist_copy(out, d, &e))
			verr(v, "%s", e.msg);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* "ISR, SYR, USA" */
static const char *known_list(char *buf, size_t n, const char *names, size_t count, size_t stride)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < count && k + 1 < n; i++) {
		int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", names + i * stride);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	if (k >= n && n > 4)
		memcpy(buf + n - 4, "...", 4);
	return buf;
}

static const char *party_list(vctx *v, char *buf, size_t n)
{
	return known_list(buf, n, v->cfg->parties[0].name, v->cfg->n_parties, sizeof(esc_party));
}

/* Names to choose from (names + i * stride, count of them), with what to
 * say when there are none. */
typedef struct namelist {
	const char *kind;           /* "party" */
	const char *none;           /* "no incident types are defined (add them under types)" */
	int (*lookup)(const esc_config *, const char *);
	const char *names;
	size_t count, stride;
} namelist;

/* "unknown type 'q' (known: raid, rocket)", at the current path. */
static void unknown_name(vctx *v, const namelist *nl, const char *name)
{
	char b[512];
	if (nl->count == 0)
		verr(v, "unknown %s '%s': %s", nl->kind, name, nl->none);
	verr(v, "unknown %s '%s' (known: %s)", nl->kind, name,
	     known_list(b, sizeof b, nl->names, nl->count, nl->stride));
}

/* A name field resolved against a list of names; returns the index, or -1
 * when the field is absent and not required. */
static int list_field(vctx *v, int t, const char *key, int required, const namelist *nl)
{
	lua_State *L = v->L;
	size_t old = path_key(v, key);
	int ty = rawfield(L, t, key);
	char b[512];
	if (ty == LUA_TNIL && !required) {
		lua_pop(L, 1);
		path_pop(v, old);
		return -1;
	}
	if (nl->count == 0 && ty != LUA_TSTRING)
		verr(v, "%s", nl->none);
	if (ty == LUA_TNIL)
		verr(v, "missing (expected a %s name: %s)", nl->kind, known_list(b, sizeof b, nl->names, nl->count, nl->stride));
	if (ty != LUA_TSTRING)
		verr(v, "expected a %s name (%s), got %s", nl->kind, known_list(b, sizeof b, nl->names, nl->count, nl->stride),
		     esc_lua_typename(L, -1));
	const char *name = lua_tostring(L, -1);
	int i = nl->lookup(v->cfg, name);
	if (i < 0)
		unknown_name(v, nl, name);
	lua_pop(L, 1);
	path_pop(v, old);
	return i;
}

static int lookup_type(const esc_config *c, const char *n) { return esc_config_type(c, n); }
static int lookup_party(const esc_config *c, const char *n) { return esc_config_party(c, n); }
static int lookup_zone(const esc_config *c, const char *n) { return esc_config_zone(c, n); }

static int lookup_state(const esc_config *c, const char *n)
{
	for (size_t i = 0; i < c->regime.n_states; i++)
		if (strcmp(c->regime.names[i], n) == 0)
			return (int)i;
	return -1;
}

static namelist parties_of(const esc_config *c)
{
	return (namelist){"party", "no parties are defined", lookup_party, c->parties[0].name,
	                  c->n_parties, sizeof(esc_party)};
}

static namelist types_of(const esc_config *c)
{
	return (namelist){"type", "no incident types are defined (add them under types)", lookup_type,
	                  c->types[0].name, c->n_types, sizeof(esc_incident_type)};
}

static namelist zones_of(const esc_config *c)
{
	return (namelist){"zone", "no zones are defined", lookup_zone, c->zones[0], c->n_zones,
	                  sizeof c->zones[0]};
}

/* The regime's states; names is never NULL once a regime is read. */
static namelist states_of(const esc_config *c)
{
	return (namelist){"state", "the scenario has no regime chain (add regime = {states = {...}})",
	                  lookup_state, c->regime.names ? c->regime.names[0] : "",
	                  c->regime.n_states, sizeof c->regime.names[0]};
}

/* A name used as a key of the table at the current path; returns its index. */
static int name_key(vctx *v, const namelist *nl, const char *name)
{
	int i = nl->lookup(v->cfg, name);
	if (i < 0)
		unknown_name(v, nl, name);
	return i;
}

/* ---- sections ------------------------------------------------------------------- */

static const char *const top_known[] = {
	"name", "description", "horizon", "parties", "zones", "types", "incidents",
	"hawkes", "regime", "attribution", "ladder", "cell", "channels", "policies", "triggers",
	"limits", "outputs",
};

static void check_top(vctx *v, int t)
{
	lua_State *L = v->L;
	int n = string_keys(v, t);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *k = lua_tostring(L, -1);
		size_t nk = COUNT(top_known);
		if (!in_list(k, top_known, nk))
			unknown_key(v, k, top_known, nk);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static size_t count_parties(vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "parties");
	int ty = rawfield(L, t, "parties");
	if (ty == LUA_TNIL)
		verr(v, "missing (expected an array of at least 2 parties {name = ..., kind = ...})");
	if (ty != LUA_TTABLE) {
		char b[64];
		verr(v, "expected an array of parties {name = ..., kind = ...}, got %s", got(v, -1, b, sizeof b));
	}
	size_t n = check_array(v, -1, "parties");
	if (n < 2)
		verr(v, "need at least 2 parties, got %zu", n);
	lua_pop(L, 1);
	path_pop(v, old);
	return n;
}

static size_t count_zones(vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "zones");
	int ty = rawfield(L, t, "zones");
	if (ty == LUA_TNIL)
		verr(v, "missing (expected an array of at least 1 zone name)");
	if (ty != LUA_TTABLE) {
		char b[64];
		verr(v, "expected an array of zone names, got %s", got(v, -1, b, sizeof b));
	}
	size_t n = check_array(v, -1, "zone names");
	if (n < 1)
		verr(v, "need at least 1 zone, got 0");
	lua_pop(L, 1);
	path_pop(v, old);
	return n;
}

/* Leaves the sorted type names on the stack (a table) and returns their
 * number. */
static size_t count_types(vctx *v, int t)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	size_t old = path_key(v, "types");
	if (!table_field(v, t, "types", "a table of incident types, name = {level = ...}")) {
		lua_newtable(L);
		path_pop(v, old);
		return 0;
	}
	int n = string_keys(v, -1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		size_t len;
		const char *k = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(k, len, ESC_NAME_MAX - 1))
			verr(v, "'%s' is not a valid type name (letters, digits and _, at most %d characters)",
			     k, ESC_NAME_MAX - 1);
		lua_pop(L, 1);
	}
	lua_remove(L, -2);
	path_pop(v, old);
	return (size_t)n;
}

static size_t count_incidents(vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "incidents");
	if (!table_field(v, t, "incidents", "an array of incident generators {actor, target, type, zone, rate}")) {
		path_pop(v, old);
		return 0;
	}
	size_t n = check_array(v, -1, "incident generators");
	lua_pop(L, 1);
	path_pop(v, old);
	return n;
}

static void read_parties(vctx *v, int t)
{
	static const char *const keys[] = {"name", "kind", "deniable", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	rawfield(L, t, "parties");
	int arr = lua_gettop(L);
	size_t old = path_key(v, "parties");
	for (size_t i = 0; i < cfg->n_parties; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			verr(v, "expected a party {name = ..., kind = ...}, got %s", got(v, -1, b, sizeof b));
		int p = lua_gettop(L);
		check_keys(v, p, keys, COUNT(keys));
		str_field(v, p, "name", 1, "a party name (letters, digits and _, at most 31 characters)");
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1)) {
			path_key(v, "name");
			verr(v, "expected a party name (letters, digits and _, at most %d characters), got '%s'",
			     ESC_NAME_MAX - 1, name);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->parties[j].name, name) == 0) {
				path_key(v, "name");
				verr(v, "duplicate party '%s' (also parties[%zu])", name, j + 1);
			}
		memcpy(cfg->parties[i].name, name, len + 1);
		lua_pop(L, 1);
		cfg->parties[i].kind = ESC_PARTY_STATE;
		if (str_field(v, p, "kind", 0, "\"state\", \"nonstate\" or \"supervisor\"")) {
			const char *k = lua_tostring(L, -1);
			if (strcmp(k, "state") == 0)
				cfg->parties[i].kind = ESC_PARTY_STATE;
			else if (strcmp(k, "nonstate") == 0)
				cfg->parties[i].kind = ESC_PARTY_NONSTATE;
			else if (strcmp(k, "supervisor") == 0)
				cfg->parties[i].kind = ESC_PARTY_SUPERVISOR;
			else {
				path_key(v, "kind");
				verr(v, "expected \"state\", \"nonstate\" or \"supervisor\", got '%s'", k);
			}
			lua_pop(L, 1);
		}
		cfg->parties[i].deniable = 0;
		bool_field(v, p, "deniable", &cfg->parties[i].deniable);
		if (str_field(v, p, "description", 0, "a string"))
			lua_pop(L, 1);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* An array of n unique identifier names at t[key] into names: zones and
 * regime states.  `what` names one element in messages; `where` is the
 * array's full path for the duplicate message. */
static void read_names(vctx *v, int t, const char *key, const char *what,
                       const char *where, char (*names)[ESC_NAME_MAX], size_t n)
{
	lua_State *L = v->L;
	rawfield(L, t, key);
	int arr = lua_gettop(L);
	size_t old = path_key(v, key);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TSTRING)
			verr(v, "expected a %s name, got %s", what, got(v, -1, b, sizeof b));
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1))
			verr(v, "expected a %s name (letters, digits and _, at most %d characters), got '%s'",
			     what, ESC_NAME_MAX - 1, name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[j], name) == 0)
				verr(v, "duplicate %s '%s' (also %s[%zu])", what, name, where, j + 1);
		memcpy(names[i], name, len + 1);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

static void read_zones(vctx *v, int t)
{
	read_names(v, t, "zones", "zone", "zones", v->cfg->zones, v->cfg->n_zones);
}

/* A string field of at most size - 1 bytes into out (left as it is when
 * absent). */
static void code_field(vctx *v, int t, const char *key, const char *expect, char *out, size_t size)
{
	lua_State *L = v->L;
	if (!str_field(v, t, key, 0, expect))
		return;
	size_t len;
	const char *x = lua_tolstring(L, -1, &len);
	if (len >= size || strlen(x) != len) {
		path_key(v, key);
		verr(v, "expected %s, got one of %zu bytes", expect, len);
	}
	memcpy(out, x, len + 1);
	lua_pop(L, 1);
}

/* The codes that set a simulated event log beside real event data.  `acled`
 * (type and sub-type in one string) is the older form: accepted, not
 * recorded, since its '/' cannot be split reliably. */
static void read_codes(vctx *v, int tt, esc_incident_type *ty)
{
	lua_State *L = v->L;
	if (str_field(v, tt, "acled", 0, "a string"))
		lua_pop(L, 1);
	code_field(v, tt, "acled_subtype", "an ACLED sub-type of at most 47 bytes", ty->acled_subtype,
	           sizeof ty->acled_subtype);
	code_field(v, tt, "acled_type", "an ACLED event type of at most 47 bytes", ty->acled_type,
	           sizeof ty->acled_type);
	const char *cameo = "a CAMEO code, digits in a string such as \"195\"";
	code_field(v, tt, "cameo", cameo, ty->cameo, sizeof ty->cameo);
	for (const char *c = ty->cameo; *c; c++)
		if (*c < '0' || *c > '9') {
			path_key(v, "cameo");
			verr(v, "expected %s, got '%s'", cameo, ty->cameo);
		}
	if (str_field(v, tt, "description", 0, "a string"))
		lua_pop(L, 1);
}

/* types.NAME.escalate = {to = TYPE, p = probability}: when created, an
 * incident of this type turns into one of type `to` with probability p. */
static void read_escalate(vctx *v, int tt, size_t i)
{
	static const char *const keys[] = {"p", "to"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = path_key(v, "escalate");
	if (!table_field(v, tt, "escalate", "a table {to = TYPE, p = probability}")) {
		path_pop(v, old);
		return;
	}
	int et = lua_gettop(L);
	check_keys(v, et, keys, COUNT(keys));
	range prob = {0, 1, 0, 0, 0};
	double p;
	num_field(v, et, "p", 1, &prob, "a probability in [0, 1]", &p);
	namelist types = types_of(cfg);
	int to = list_field(v, et, "to", 1, &types);
	if ((size_t)to == i) {
		path_key(v, "to");
		verr(v, "must differ from the type itself ('%s')", cfg->types[i].name);
	}
	cfg->types[i].escalate_to = to;
	cfg->types[i].escalate_p = p;
	lua_pop(L, 1);
	path_pop(v, old);
}

/* names: the sorted type names (table at index names) */
static void read_types(vctx *v, int t, int names)
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
	rawfield(L, t, "types");
	int types = lua_gettop(L);
	size_t old = path_key(v, "types");
	for (size_t i = 0; i < cfg->n_types; i++) {
		lua_rawgeti(L, names, (lua_Integer)i + 1);
		const char *name = lua_tostring(L, -1);
		size_t o2 = path_key(v, name);
		esc_incident_type *ty = &cfg->types[i];
		snprintf(ty->name, sizeof ty->name, "%s", name);
		char b[64];
		if (lua_rawget(L, types) != LUA_TTABLE)
			verr(v, "expected a table {level = 0..7, goldstein = ..., fatalities_mil = ..., fatalities_civ = ...}, got %s",
			     got(v, -1, b, sizeof b));
		int tt = lua_gettop(L);
		check_keys(v, tt, keys, COUNT(keys));
		double x;
		range lvl = {0, ESC_LADDER_TOP, 0, 0, 1};
		num_field(v, tt, "level", 1, &lvl, "an integer ladder level 0..7", &x);
		ty->level = (int)x;
		ty->lethal_level = ty->level;
		range lethal = {ty->level, ESC_LADDER_TOP, 0, 0, 1};
		if (num_field(v, tt, "lethal_level", 0, &lethal,
		              "an integer ladder level, at least the type's level and at most 7", &x))
			ty->lethal_level = (int)x;
		range gs = {-10, 10, 0, 0, 0};
		ty->goldstein = 0;
		if (num_field(v, tt, "goldstein", 0, &gs, "a Goldstein score in [-10, 10]", &x))
			ty->goldstein = x;
		dist_field(v, tt, "fatalities_mil", DIST_COUNT, &ty->fatalities_mil);
		dist_field(v, tt, "fatalities_civ", DIST_COUNT, &ty->fatalities_civ);
		read_escalate(v, tt, i);
		read_codes(v, tt, ty);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* incidents[i].regime = {STATE = multiplier}: this generator's own
 * multipliers, replacing the regime's; states left out keep 1. */
static void read_generator_regime(vctx *v, int g, size_t i)
{
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = path_key(v, "regime");
	if (!table_field(v, g, "regime", "a table STATE = multiplier >= 0")) {
		path_pop(v, old);
		return;
	}
	int rt = lua_gettop(L);
	if (cfg->regime.n_states == 0)
		verr(v, "the scenario has no regime chain");
	esc_error e = {0};
	if (esc_config_alloc_generator_multiplier(cfg, i, &e))
		luaL_error(L, "%s", e.msg);
	double *m = cfg->generators[i].regime_multiplier;
	namelist states = states_of(cfg);
	int n = string_keys(v, rt);
	for (int k = 1; k <= n; k++) {
		lua_rawgeti(L, -1, k);
		const char *name = lua_tostring(L, -1);
		int st = name_key(v, &states, name);
		range r = {0, HUGE_VAL, 0, 1, 0};
		num_field(v, rt, name, 1, &r, "a finite multiplier >= 0", &m[st]);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);                            /* keys, table */
	path_pop(v, old);
}

static void read_incidents(vctx *v, int t)
{
	static const char *const keys[] = {"actor", "target", "type", "zone", "rate", "regime", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	if (cfg->n_generators == 0)
		return;
	namelist parties = parties_of(cfg), zones = zones_of(cfg);
	rawfield(L, t, "incidents");
	int arr = lua_gettop(L);
	size_t old = path_key(v, "incidents");
	for (size_t i = 0; i < cfg->n_generators; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			verr(v, "expected an incident generator {actor, target, type, zone, rate}, got %s",
			     got(v, -1, b, sizeof b));
		int g = lua_gettop(L);
		check_keys(v, g, keys, COUNT(keys));
		esc_generator *gen = &cfg->generators[i];
		gen->actor = list_field(v, g, "actor", 1, &parties);
		gen->target = list_field(v, g, "target", 1, &parties);
		if (gen->target == gen->actor) {
			path_key(v, "target");
			verr(v, "must differ from actor ('%s')", cfg->parties[gen->actor].name);
		}
		if (cfg->n_types == 0) {
			path_key(v, "type");
			verr(v, "no incident types are defined (add them under types)");
		}
		namelist types = types_of(cfg);
		gen->type = list_field(v, g, "type", 1, &types);
		gen->zone = list_field(v, g, "zone", 1, &zones);
		range r = {0, HUGE_VAL, 0, 1, 0};
		num_field(v, g, "rate", 1, &r, "a finite rate >= 0 per hour (see per_day, per_year)", &gen->rate_per_h);
		read_generator_regime(v, g, i);
		if (str_field(v, g, "description", 0, "a string"))
			lua_pop(L, 1);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* regime.states: the state names, copied into the allocated chain. */
static size_t count_states(vctx *v, int rt)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "states");
	int ty = rawfield(L, rt, "states");
	char b[64];
	if (ty == LUA_TNIL)
		verr(v, "missing (expected an array of at least 1 state name, such as {\"calm\", \"tense\", \"crisis\"})");
	if (ty != LUA_TTABLE)
		verr(v, "expected an array of state names, got %s", got(v, -1, b, sizeof b));
	size_t n = check_array(v, -1, "state names");
	if (n < 1)
		verr(v, "need at least 1 state, got 0");
	lua_pop(L, 1);
	path_pop(v, old);
	return n;
}

static void read_states(vctx *v, int rt)
{
	esc_regime *r = &v->cfg->regime;
	read_names(v, rt, "states", "state", "regime.states", r->names, r->n_states);
}

/* regime.rates = {FROM = {TO = rate per hour}}: the chain's generator;
 * pairs left out never happen. */
static void read_rates(vctx *v, int rt)
{
	lua_State *L = v->L;
	esc_regime *r = &v->cfg->regime;
	size_t n = r->n_states;
	size_t old = path_key(v, "rates");
	if (!table_field(v, rt, "rates", "a table FROM = {TO = rate per hour}")) {
		path_pop(v, old);
		return;
	}
	int rates = lua_gettop(L);
	namelist states = states_of(v->cfg);
	int nf = string_keys(v, rates);
	int from_keys = lua_gettop(L);
	for (int a = 1; a <= nf; a++) {
		lua_rawgeti(L, from_keys, a);
		const char *fname = lua_tostring(L, -1);
		int from = name_key(v, &states, fname);
		size_t o2 = path_key(v, fname);
		char b[64];
		if (lua_rawget(L, rates) != LUA_TTABLE)
			verr(v, "expected a table TO = rate per hour, got %s", got(v, -1, b, sizeof b));
		int row = lua_gettop(L);
		int nt = string_keys(v, row);
		for (int c = 1; c <= nt; c++) {
			lua_rawgeti(L, -1, c);
			const char *tname = lua_tostring(L, -1);
			int to = name_key(v, &states, tname);
			if (to == from) {
				path_key(v, tname);
				verr(v, "a state cannot move to itself (leave the pair out)");
			}
			range q = {0, HUGE_VAL, 0, 1, 0};
			num_field(v, row, tname, 1, &q, "a finite rate >= 0 per hour (see per_day, per_year)",
			          &r->rate_per_h[(size_t)from * n + (size_t)to]);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);                    /* keys, row */
		path_pop(v, o2);
	}
	lua_pop(L, 2);                            /* keys, rates */
	path_pop(v, old);
}

/* A table STATE = number >= 0 into m[state]. */
static void read_multipliers(vctx *v, int rt, double *m)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "multiplier");
	if (!table_field(v, rt, "multiplier", "a table STATE = multiplier >= 0")) {
		path_pop(v, old);
		return;
	}
	int mt = lua_gettop(L);
	namelist states = states_of(v->cfg);
	int n = string_keys(v, mt);
	for (int k = 1; k <= n; k++) {
		lua_rawgeti(L, -1, k);
		const char *name = lua_tostring(L, -1);
		int st = name_key(v, &states, name);
		range r = {0, HUGE_VAL, 0, 1, 0};
		num_field(v, mt, name, 1, &r, "a finite multiplier >= 0", &m[st]);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);                            /* keys, table */
	path_pop(v, old);
}

/* regime.shocks = {{at = hours, state = STATE}, ...}, stably sorted by time. */
static void read_shocks(vctx *v, int rt)
{
	static const char *const keys[] = {"at", "state", "description"};
	lua_State *L = v->L;
	esc_regime *r = &v->cfg->regime;
	if (r->n_shocks == 0)
		return;
	rawfield(L, rt, "shocks");
	int arr = lua_gettop(L);
	size_t old = path_key(v, "shocks");
	namelist states = states_of(v->cfg);
	for (size_t i = 0; i < r->n_shocks; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			verr(v, "expected a shock {at = hours, state = STATE}, got %s", got(v, -1, b, sizeof b));
		int sh = lua_gettop(L);
		check_keys(v, sh, keys, COUNT(keys));
		range at = {0, HUGE_VAL, 0, 1, 0};
		num_field(v, sh, "at", 1, &at, "a number of hours >= 0 (see days, weeks)", &r->shocks[i].t_h);
		if (str_field(v, sh, "description", 0, "a string"))
			lua_pop(L, 1);
		r->shocks[i].state = list_field(v, sh, "state", 1, &states);
		if (r->shocks[i].t_h >= v->cfg->horizon_h)
			esc_lua_add_warning(v->s, "%s: at %g h, at or after the horizon (%g h): it never happens",
			                    v->path, r->shocks[i].t_h, v->cfg->horizon_h);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
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
static void read_regime(vctx *v, int t)
{
	static const char *const keys[] = {"states", "initial", "rates", "multiplier", "shocks",
	                                   "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = path_key(v, "regime");
	if (!table_field(v, t, "regime", "a table {states = {...}, rates = {...}, multiplier = {...}, shocks = {...}}")) {
		path_pop(v, old);
		return;
	}
	int rt = lua_gettop(L);
	check_keys(v, rt, keys, COUNT(keys));
	size_t ns = count_states(v, rt);
	size_t nshocks = 0;
	size_t o2 = path_key(v, "shocks");
	if (table_field(v, rt, "shocks", "an array of shocks {at = hours, state = STATE}")) {
		nshocks = check_array(v, -1, "shocks {at = hours, state = STATE}");
		lua_pop(L, 1);
	}
	path_pop(v, o2);
	esc_error e = {0};
	if (esc_config_alloc_regime(cfg, ns, nshocks, &e))
		luaL_error(L, "%s", e.msg);
	esc_regime *r = &cfg->regime;
	read_states(v, rt);
	namelist states = states_of(cfg);

	if (str_field(v, rt, "description", 0, "a string"))
		lua_pop(L, 1);
	int initial = list_field(v, rt, "initial", 0, &states);
	r->initial = initial < 0 ? 0 : initial;
	read_multipliers(v, rt, r->multiplier);
	read_rates(v, rt);
	read_shocks(v, rt);
	lua_pop(L, 1);
	path_pop(v, old);
}

/* hawkes[i].from / .to: a table of optional names (zone only in `to`).
 * Fields left out stay -1. */
static void read_match(vctx *v, int rule, const char *key, int with_zone,
                       int *actor, int *target, int *type, int *zone)
{
	static const char *const keys[] = {"actor", "target", "type", "zone"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = path_key(v, key);
	const char *expect = with_zone
		? "a table {actor = PARTY, target = PARTY, type = TYPE, zone = ZONE} (each optional: the parent's own)"
		: "a table {actor = PARTY, target = PARTY, type = TYPE} (each optional: any)";
	if (!table_field(v, rule, key, expect)) {
		path_pop(v, old);
		return;
	}
	int mt = lua_gettop(L);
	check_keys(v, mt, keys, with_zone ? 4 : 3);
	namelist parties = parties_of(cfg), types = types_of(cfg), zones = zones_of(cfg);
	*actor = list_field(v, mt, "actor", 0, &parties);
	*target = list_field(v, mt, "target", 0, &parties);
	if (*actor >= 0 && *target == *actor) {
		path_key(v, "target");
		verr(v, "must differ from actor ('%s')", cfg->parties[*actor].name);
	}
	*type = list_field(v, mt, "type", 0, &types);
	if (with_zone)
		*zone = list_field(v, mt, "zone", 0, &zones);
	lua_pop(L, 1);
	path_pop(v, old);
}

/* hawkes = {{from = ..., to = ..., n = ..., ...}, ...}: self-excitation
 * rules; each rule's keys in sorted order. */
static void read_hawkes(vctx *v, int t)
{
	static const char *const keys[] = {"from", "to", "n", "fast_share", "fast_mean", "slow_mean",
	                                   "per_fatality", "description"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t old = path_key(v, "hawkes");
	if (!table_field(v, t, "hawkes", "an array of rules {from = {...}, to = {...}, n = ...}")) {
		path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = check_array(v, arr, "rules {from = {...}, to = {...}, n = ...}");
	esc_error e = {0};
	if (esc_config_alloc_excitations(cfg, n, &e))
		luaL_error(L, "%s", e.msg);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			verr(v, "expected a rule {from = {...}, to = {...}, n = ...}, got %s", got(v, -1, b, sizeof b));
		int rule = lua_gettop(L);
		check_keys(v, rule, keys, COUNT(keys));
		esc_excitation *x = &cfg->excitations[i];
		if (str_field(v, rule, "description", 0, "a string"))
			lua_pop(L, 1);
		range pos = {0, HUGE_VAL, 1, 1, 0};
		num_field(v, rule, "fast_mean", 0, &pos, "a number of hours > 0 (see days, weeks)", &x->fast_mean_h);
		range prob = {0, 1, 0, 0, 0};
		num_field(v, rule, "fast_share", 0, &prob, "a probability in [0, 1]", &x->fast_share);
		read_match(v, rule, "from", 0, &x->from_actor, &x->from_target, &x->from_type, NULL);
		range nonneg = {0, HUGE_VAL, 0, 1, 0};
		num_field(v, rule, "n", 1, &nonneg, "a finite branching ratio >= 0 (mean children per incident)", &x->n);
		num_field(v, rule, "per_fatality", 0, &nonneg, "a finite number >= 0 (share of n added per death)",
		          &x->per_fatality);
		num_field(v, rule, "slow_mean", 0, &pos, "a number of hours > 0 (see days, weeks)", &x->slow_mean_h);
		read_match(v, rule, "to", 1, &x->to_actor, &x->to_target, &x->to_type, &x->to_zone);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* A rule whose `from` matches no incident the background generators can
 * start, directly or through escalation and other rules, fires only on
 * incidents that policies start: worth a warning, not an error (the policies
 * may be the point).  Classes are (actor, target, type); a breadth-first
 * search from the background ones. */
static void warn_unreachable_rules(vctx *v)
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

/* A party name used as a key (the table of names is at t's key); returns
 * its index. */
static int party_key(vctx *v, const char *name, const char *role)
{
	int i = esc_config_party(v->cfg, name);
	if (i < 0) {
		char b[512];
		verr(v, "unknown %s%sparty '%s' (known: %s)", role, *role ? " " : "", name,
		     party_list(v, b, sizeof b));
	}
	return i;
}

static void read_confusion(vctx *v, int conf)
{
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	size_t np = cfg->n_parties;
	int no = string_keys(v, conf);
	int obs_keys = lua_gettop(L);
	for (int a = 1; a <= no; a++) {
		lua_rawgeti(L, obs_keys, a);
		const char *oname = lua_tostring(L, -1);
		int o = party_key(v, oname, "observer");
		size_t old = path_key(v, oname);
		char b[64];
		if (lua_rawget(L, conf) != LUA_TTABLE)
			verr(v, "expected a table TRUE = {PERCEIVED = probability, ...}, got %s", got(v, -1, b, sizeof b));
		int rows = lua_gettop(L);
		int nt = string_keys(v, rows);
		int true_keys = lua_gettop(L);
		for (int c = 1; c <= nt; c++) {
			lua_rawgeti(L, true_keys, c);
			const char *tname = lua_tostring(L, -1);
			int tr = party_key(v, tname, "true perpetrator");
			size_t o2 = path_key(v, tname);
			if (lua_rawget(L, rows) != LUA_TTABLE)
				verr(v, "expected a table PERCEIVED = probability, got %s", got(v, -1, b, sizeof b));
			int row = lua_gettop(L);
			double *p = &cfg->attribution.confusion[((size_t)o * np + (size_t)tr) * np];
			for (size_t k = 0; k < np; k++)
				p[k] = 0;                 /* a row given replaces the identity */
			int npk = string_keys(v, row);
			double sum = 0;
			for (int d = 1; d <= npk; d++) {
				lua_rawgeti(L, -1, d);
				const char *pname = lua_tostring(L, -1);
				int pe = party_key(v, pname, "perceived");
				range r = {0, 1, 0, 0, 0};
				double x;
				num_field(v, row, pname, 1, &r, "a probability in [0, 1]", &x);
				if (pe == o && x > 0) {
					path_key(v, pname);
					verr(v, "an observer cannot blame itself (probability must be 0)");
				}
				p[pe] = x;
				sum += x;
				lua_pop(L, 1);
			}
			if (!(fabs(sum - 1.0) <= 1e-9))
				verr(v, "probabilities sum to %.12g, expected 1", sum);
			lua_pop(L, 2);            /* keys, row */
			path_pop(v, o2);
		}
		lua_pop(L, 2);                    /* keys, rows */
		path_pop(v, old);
	}
	lua_pop(L, 1);
}

static void read_attribution(vctx *v, int t)
{
	static const char *const keys[] = {"delay", "confusion"};
	lua_State *L = v->L;
	size_t old = path_key(v, "attribution");
	if (!table_field(v, t, "attribution", "a table {delay = ..., confusion = ...}")) {
		path_pop(v, old);
		return;
	}
	int a = lua_gettop(L);
	check_keys(v, a, keys, COUNT(keys));
	dist_field(v, a, "delay", DIST_HOURS, &v->cfg->attribution.delay_h);
	size_t o2 = path_key(v, "confusion");
	if (table_field(v, a, "confusion", "a table OBSERVER = {TRUE = {PERCEIVED = probability}}")) {
		read_confusion(v, lua_gettop(L));
		lua_pop(L, 1);
	}
	path_pop(v, o2);
	lua_pop(L, 1);
	path_pop(v, old);
}

/* ladder = {step, hold, half_life, window, spiral_moves, crisis_moves}. */
static void read_ladder(vctx *v, int t)
{
	static const char *const keys[] = {"step", "hold", "half_life", "window", "spiral_moves",
	                                   "crisis_moves"};
	lua_State *L = v->L;
	esc_ladder *ld = &v->cfg->ladder;
	size_t old = path_key(v, "ladder");
	if (!table_field(v, t, "ladder", "a table {step, hold, half_life, window, spiral_moves, crisis_moves}")) {
		path_pop(v, old);
		return;
	}
	int l = lua_gettop(L);
	check_keys(v, l, keys, COUNT(keys));
	double x;
	range pos = {0, HUGE_VAL, 1, 1, 0}, nonneg = {0, HUGE_VAL, 0, 1, 0};
	num_field(v, l, "step", 0, &pos, "a number > 0", &ld->step);
	num_field(v, l, "hold", 0, &nonneg, "a number of hours >= 0", &ld->hold_h);
	num_field(v, l, "half_life", 0, &pos, "a number of hours > 0", &ld->half_life_h);
	num_field(v, l, "window", 0, &pos, "a number of hours > 0", &ld->window_h);
	range moves = {1, 1e6, 0, 0, 1};
	if (num_field(v, l, "spiral_moves", 0, &moves, "an integer >= 1 (moves of an exchange)", &x))
		ld->spiral_moves = (int)x;
	if (num_field(v, l, "crisis_moves", 0, &moves, "an integer >= 1 (moves of an exchange between states)", &x))
		ld->crisis_moves = (int)x;
	lua_pop(L, 1);
	path_pop(v, old);
}

/* A sub-table t[key] with the given keys: pushed, with key on the path
 * (*old to pop it), and 1 returned; absent: 0, nothing pushed, path as it
 * was. */
static int sub_table(vctx *v, int t, const char *key, const char *expect,
                     const char *const *keys, size_t nk, size_t *old)
{
	*old = path_key(v, key);
	if (!table_field(v, t, key, expect)) {
		path_pop(v, *old);
		return 0;
	}
	check_keys(v, lua_gettop(v->L), keys, nk);
	return 1;
}

static void sub_table_close(vctx *v, size_t old)
{
	lua_pop(v->L, 1);
	path_pop(v, old);
}

/* "ISR or SYR" */
static const char *members_list(vctx *v, char *buf, size_t n)
{
	const esc_cell *c = &v->cfg->cell;
	snprintf(buf, n, "%s or %s", v->cfg->parties[c->members[0]].name, v->cfg->parties[c->members[1]].name);
	return buf;
}

/* cell.parties = {PARTY, PARTY}: two different parties. */
static void read_cell_parties(vctx *v, int ct)
{
	lua_State *L = v->L;
	esc_cell *c = &v->cfg->cell;
	const char *expect = "an array of two different parties {PARTY, PARTY}";
	size_t old = path_key(v, "parties");
	if (!table_field(v, ct, "parties", expect)) {
		path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = check_array(v, arr, "two party names");
	if (n != 2)
		verr(v, "expected %s, got %zu part%s", expect, n, n == 1 ? "y" : "ies");
	namelist parties = parties_of(v->cfg);
	for (int i = 0; i < 2; i++) {
		size_t o2 = path_index(v, i + 1);
		char b[512];
		if (lua_rawgeti(L, arr, i + 1) != LUA_TSTRING)
			verr(v, "expected a party name (%s), got %s", party_list(v, b, sizeof b),
			     esc_lua_typename(L, -1));
		int p = name_key(v, &parties, lua_tostring(L, -1));
		if (i == 1 && p == c->members[0])
			verr(v, "must differ from cell.parties[1] ('%s'): the cell connects two parties",
			     v->cfg->parties[p].name);
		c->members[i] = p;
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* cell.enforce = {p = probability, type = TYPE}: the receiver of an answer
 * naming a non-state culprit acts against it itself with probability p,
 * with an incident of this type. */
static void read_enforce(vctx *v, int ct)
{
	static const char *const keys[] = {"p", "type"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "enforce", "a table {p = probability, type = TYPE}", keys, COUNT(keys), &old))
		return;
	int et = lua_gettop(v->L);
	range prob = {0, 1, 0, 0, 0};
	num_field(v, et, "p", 0, &prob, "a probability in [0, 1]", &c->enforce_p);
	namelist types = types_of(v->cfg);
	int ty = list_field(v, et, "type", 0, &types);
	if (ty >= 0)
		c->enforce_type = ty;
	if (c->enforce_p > 0 && c->enforce_type < 0) {
		path_key(v, "type");
		if (v->cfg->n_types == 0)
			verr(v, "missing (p > 0 needs the incident type of the enforcement action, and no incident types are defined)");
		char b[512];
		verr(v, "missing (p > 0 needs the incident type of the enforcement action: one of %s)",
		     known_list(b, sizeof b, v->cfg->types[0].name, v->cfg->n_types, sizeof(esc_incident_type)));
	}
	sub_table_close(v, old);
}

/* cell.notify = {party = PARTY, type = TYPE, lead = hours, need = hours}:
 * one of the cell's parties notifies its operations (of one type, or every
 * type) `lead` hours ahead; third parties need `need` hours to clear.  The
 * party is required, and checked against the cell's members once those are
 * read (read_cell); returns 1 when the table is there. */
static int read_notify(vctx *v, int ct)
{
	static const char *const keys[] = {"harm_reduction", "lead", "need", "party", "type"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "notify", "a table {party = PARTY, type = TYPE, lead = hours, need = hours, harm_reduction = share}",
	               keys, COUNT(keys), &old))
		return 0;
	int nt = lua_gettop(v->L);
	range prob = {0, 1, 0, 0, 0};
	num_field(v, nt, "harm_reduction", 0, &prob,
	          "a share in [0, 1] (of the civilian deaths a notice in time avoids)", &c->notify_harm_reduction);
	range nonneg = {0, HUGE_VAL, 0, 1, 0};
	num_field(v, nt, "lead", 0, &nonneg, "a number of hours >= 0", &c->notify_lead_h);
	dist_field(v, nt, "need", DIST_HOURS, &c->notify_need_h);
	namelist parties = parties_of(v->cfg), types = types_of(v->cfg);
	c->notify_party = list_field(v, nt, "party", 0, &parties);
	c->notify_type = list_field(v, nt, "type", 0, &types);
	sub_table_close(v, old);
	return 1;
}

/* cell.effects = {answers = bool, notices = bool, enforcement = bool}:
 * which of the cell's mechanisms act (all by default). */
static void read_effects(vctx *v, int ct)
{
	static const char *const keys[] = {"answers", "enforcement", "notices"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "effects", "a table {answers = bool, notices = bool, enforcement = bool}",
	               keys, COUNT(keys), &old))
		return;
	int et = lua_gettop(v->L);
	bool_field(v, et, "answers", &c->effects.answers);
	bool_field(v, et, "enforcement", &c->effects.enforcement);
	bool_field(v, et, "notices", &c->effects.notices);
	sub_table_close(v, old);
}

/* cell.outages = {mtbf = hours > 0 or math.huge, mttr = hours >= 0}. */
static void read_outages(vctx *v, int ct)
{
	static const char *const keys[] = {"mtbf", "mttr"};
	lua_State *L = v->L;
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "outages", "a table {mtbf = hours, mttr = hours}", keys, COUNT(keys), &old))
		return;
	int ot = lua_gettop(L);
	/* math.huge is the documented "never": the one infinity taken */
	int ty = rawfield(L, ot, "mtbf");
	double x = lua_tonumber(L, -1);
	lua_pop(L, 1);
	if (ty == LUA_TNUMBER && isinf(x) && x > 0)
		c->mtbf_h = x;
	else {
		range pos = {0, HUGE_VAL, 1, 1, 0};
		num_field(v, ot, "mtbf", 0, &pos, "a number of hours > 0 (mean time between outages; math.huge: never)",
		          &c->mtbf_h);
	}
	range nonneg = {0, HUGE_VAL, 0, 1, 0};
	num_field(v, ot, "mttr", 0, &nonneg, "a finite number of hours >= 0 (mean outage length)", &c->mttr_h);
	sub_table_close(v, old);
}

/* cell.refuse = {base = probability, per_level = number >= 0}. */
static void read_refuse(vctx *v, int ct)
{
	static const char *const keys[] = {"base", "per_level"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "refuse", "a table {base = probability, per_level = number}", keys, COUNT(keys), &old))
		return;
	int rt = lua_gettop(v->L);
	range prob = {0, 1, 0, 0, 0};
	num_field(v, rt, "base", 0, &prob, "a probability in [0, 1]", &c->refuse_base);
	range nonneg = {0, HUGE_VAL, 0, 1, 0};
	num_field(v, rt, "per_level", 0, &nonneg, "a finite number >= 0 (added per ladder level)",
	          &c->refuse_per_level);
	sub_table_close(v, old);
}

/* cell.staffed = {from = hour, to = hour}: 0 <= from < to <= 24. */
static void read_staffed(vctx *v, int ct)
{
	static const char *const keys[] = {"from", "to"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "staffed", "a table {from = hour of day, to = hour of day}", keys, COUNT(keys), &old))
		return;
	int st = lua_gettop(v->L);
	range from = {0, 24, 0, 1, 0}, to = {0, 24, 1, 0, 0};
	num_field(v, st, "from", 0, &from, "an hour of the day in [0, 24)", &c->staffed_from_h);
	num_field(v, st, "to", 0, &to, "an hour of the day in (0, 24]", &c->staffed_to_h);
	if (!(c->staffed_from_h < c->staffed_to_h)) {
		char a[32], b[32];
		verr(v, "expected from < to (hours of the day, 0 <= from < to <= 24; a shift across midnight is not supported), got from = %s, to = %s",
		     fmtnum(a, sizeof a, c->staffed_from_h), fmtnum(b, sizeof b, c->staffed_to_h));
	}
	sub_table_close(v, old);
}

/* cell.suspend = {level = 0..8, p = probability, duration = hours}. */
static void read_suspend(vctx *v, int ct)
{
	static const char *const keys[] = {"duration", "level", "p"};
	esc_cell *c = &v->cfg->cell;
	size_t old;
	if (!sub_table(v, ct, "suspend", "a table {level = 0..8, p = probability, duration = hours}",
	               keys, COUNT(keys), &old))
		return;
	int st = lua_gettop(v->L);
	dist_field(v, st, "duration", DIST_HOURS, &c->suspend_h);
	double x;
	range lvl = {0, ESC_LADDER_TOP + 1, 0, 0, 1};
	if (num_field(v, st, "level", 0, &lvl, "an integer ladder level 0..8 (8: never)", &x))
		c->suspend_level = (int)x;
	range prob = {0, 1, 0, 0, 0};
	num_field(v, st, "p", 0, &prob, "a probability in [0, 1]", &c->suspend_p);
	sub_table_close(v, old);
}

/* cell = {...}: keys read in sorted order; the checks between them (the
 * notifying party a member, the supervisor not one) once all are read. */
static void read_cell(vctx *v, int t)
{
	static const char *const keys[] = {"accuracy", "crowd_out", "effects", "enabled", "enforce", "handling",
	                                   "latency", "notify", "operators", "outages", "parties", "refuse",
	                                   "relay", "staffed", "supervisor", "suspend"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	esc_cell *c = &cfg->cell;
	size_t old = path_key(v, "cell");
	int ct = 0, notify = 0, supervisor_named = 0;
	if (table_field(v, t, "cell", "a table {enabled, parties, supervisor, operators, latency, accuracy, ...}")) {
		ct = lua_gettop(L);
		check_keys(v, ct, keys, COUNT(keys));
		range prob = {0, 1, 0, 0, 0};
		num_field(v, ct, "accuracy", 0, &prob, "a probability in [0, 1]", &c->accuracy);
		bool_field(v, ct, "crowd_out", &c->crowd_out);
		read_effects(v, ct);
		bool_field(v, ct, "enabled", &c->enabled);
		read_enforce(v, ct);
		dist_field(v, ct, "handling", DIST_HOURS, &c->handling_h);
		dist_field(v, ct, "latency", DIST_HOURS, &c->latency_h);
		notify = read_notify(v, ct);
		double x;
		range ops = {1, 1e6, 0, 0, 1};
		if (num_field(v, ct, "operators", 0, &ops, "an integer >= 1 (operators on shift, at most 10^6)", &x))
			c->operators = (int)x;
		read_outages(v, ct);
		read_cell_parties(v, ct);
		read_refuse(v, ct);
		dist_field(v, ct, "relay", DIST_HOURS, &c->relay_h);
		read_staffed(v, ct);
		/* supervisor: a party, or false for none */
		size_t o2 = path_key(v, "supervisor");
		int ty = rawfield(L, ct, "supervisor");
		if (ty == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			c->supervisor = -1;
		else if (ty != LUA_TNIL && ty != LUA_TSTRING) {
			char b[64];
			verr(v, "expected a party name, or false for none, got %s", got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		path_pop(v, o2);
		supervisor_named = ty != LUA_TNIL;
		if (ty == LUA_TSTRING) {
			namelist parties = parties_of(cfg);
			c->supervisor = list_field(v, ct, "supervisor", 1, &parties);
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
		path_key(v, "parties");
		verr(v, "missing (expected two different parties {PARTY, PARTY}; by default the first two state parties, but the scenario has %s)",
		     ns ? "only one" : "none");
	}
	if (notify) {
		size_t o2 = path_key(v, "notify");
		path_key(v, "party");
		if (c->notify_party < 0 && have_members)
			verr(v, "missing (expected the cell party that gives notice of its operations: %s)",
			     members_list(v, b, sizeof b));
		if (c->notify_party < 0)
			verr(v, "missing (expected the cell party that gives notice of its operations)");
		if (have_members && c->notify_party != c->members[0] && c->notify_party != c->members[1])
			verr(v, "expected one of the cell's parties (%s), got '%s'", members_list(v, b, sizeof b),
			     cfg->parties[c->notify_party].name);
		path_pop(v, o2);
	}
	if (have_members && c->supervisor >= 0 &&
	    (c->supervisor == c->members[0] || c->supervisor == c->members[1])) {
		path_key(v, "supervisor");
		verr(v, "'%s'%s is one of the cell's parties (%s); the supervisor must be another party, or false for none",
		     cfg->parties[c->supervisor].name, supervisor_named ? "" : " (the default: the first supervisor party)",
		     members_list(v, b, sizeof b));
	}
	if (ct)
		lua_pop(L, 1);
	path_pop(v, old);
}

/* channels = {{name = ..., latency = ..., availability = ..., accuracy =
 * ...}, ...}: the fallback channels, in the order they are tried. */
static void read_channels(vctx *v, int t)
{
	static const char *const keys[] = {"accuracy", "availability", "description", "latency", "name"};
	lua_State *L = v->L;
	esc_config *cfg = v->cfg;
	const char *expect = "an array of channels {name = ..., latency = ..., availability = ..., accuracy = ...}";
	size_t old = path_key(v, "channels");
	if (!table_field(v, t, "channels", expect)) {
		path_pop(v, old);
		return;
	}
	int arr = lua_gettop(L);
	size_t n = check_array(v, arr, "channels {name = ..., latency = ...}");
	esc_error e = {0};
	if (esc_config_alloc_channels(cfg, n, &e))
		luaL_error(L, "%s", e.msg);
	const char *expect_name = "a channel name (letters, digits and _, at most 31 characters)";
	for (size_t i = 0; i < n; i++) {
		size_t o2 = path_index(v, (lua_Integer)i + 1);
		char b[64];
		if (lua_rawgeti(L, arr, (lua_Integer)i + 1) != LUA_TTABLE)
			verr(v, "expected a channel {name = ..., latency = ..., availability = ..., accuracy = ...}, got %s",
			     got(v, -1, b, sizeof b));
		int ch = lua_gettop(L);
		check_keys(v, ch, keys, COUNT(keys));
		esc_channel *c = &cfg->channels[i];
		range prob = {0, 1, 0, 0, 0};
		num_field(v, ch, "accuracy", 0, &prob, "a probability in [0, 1]", &c->accuracy);
		num_field(v, ch, "availability", 0, &prob, "a probability in [0, 1]", &c->availability);
		if (str_field(v, ch, "description", 0, "a string"))
			lua_pop(L, 1);
		if (rawfield(L, ch, "latency") == LUA_TNIL) {
			path_key(v, "latency");
			verr(v, "missing (expected a distribution or a number of hours >= 0)");
		}
		lua_pop(L, 1);
		dist_field(v, ch, "latency", DIST_HOURS, &c->latency_h);
		str_field(v, ch, "name", 1, expect_name);
		size_t len;
		const char *name = lua_tolstring(L, -1, &len);
		path_key(v, "name");
		if (!esc_lua_is_identifier(name, len, ESC_NAME_MAX - 1))
			verr(v, "expected %s, got '%s'", expect_name, name);
		if (strcmp(name, "cell") == 0)
			verr(v, "'cell' is the communication cell's name: choose another");
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->channels[j].name, name) == 0)
				verr(v, "duplicate channel '%s' (also channels[%zu])", name, j + 1);
		memcpy(c->name, name, len + 1);
		lua_pop(L, 1);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
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
static void check_helper_name(vctx *v, const char *key)
{
	const char *near = NULL;
	for (size_t h = 0; h < esc_lua_n_hook_names && !near; h++)
		if (esc_edit_distance(key, esc_lua_hook_names[h]) <= 2)
			near = esc_lua_hook_names[h];
	if (!near && strncmp(key, "on_", 3) != 0)
		return;                          /* a helper */
	path_key(v, key);
	if (near)
		verr(v, "not a hook (did you mean %s?); a function named within two letters of a hook, "
		     "or on_..., is taken for a misspelt hook: rename a helper", near);
	verr(v, "not a hook (hooks: " HOOK_LIST "); names starting with on_ are kept for hooks: "
	     "rename a helper");
}

/* The declaration of a declared policy (its metatable's __escsim_policy at
 * meta): read every entry into a userdata array (pushed), checked; the
 * module's name into *mod. */
static esc_lua_param *read_declarations(vctx *v, int meta, size_t *n, const char **mod)
{
	lua_State *L = v->L;
	lua_pushliteral(L, "module");
	lua_rawget(L, meta);
	*mod = esc_lua_module_name(L, -1);
	lua_pop(L, 1);
	lua_pushliteral(L, "parameters");
	if (lua_rawget(L, meta) != LUA_TTABLE)
		verr(v, "its module%s%s declares no parameters (M.parameters must be an array of "
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
			verr(v, "its module's parameters[%d]: %s", (int)j + 1, msg);
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
static void check_value(vctx *v, int pol, const esc_lua_param *p, size_t j, const char *mod,
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
		size_t old = path_key(v, p[j].name);
		if (ty == LUA_TNIL)              /* an override of nil removed it */
			verr(v, "missing: %s", msg);
		/* A default that names what this scenario lacks (protest_mostly's
		 * response "rocket" where there are no rockets) matters only if
		 * the policy uses it: a warning.  A name the scenario gave is an
		 * error. */
		if (is_default(L, decls, j, -1) && strncmp(msg, "unknown ", 8) == 0) {
			esc_lua_add_warning(v->s, "%s: the default of %s: %s (set %s if the policy uses it)",
			                    v->path, mod ? mod : "its module", msg, p[j].name);
			path_pop(v, old);
			lua_pop(L, 1);
			return;
		}
		verr(v, "%s", msg);
	}
	lua_pop(L, 1);
}

/* A key of a declared policy that is not a function and not tick: it must
 * be one of the declared parameters. */
static void check_declared(vctx *v, const char *key, const esc_lua_param *p, size_t n,
                           const char *mod)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(key, p[j].name) == 0)
			return;
	const char *cand[128];
	size_t m = n < 128 ? n : 128;
	for (size_t j = 0; j < m; j++)
		cand[j] = p[j].name;
	const char *sug = esc_lua_suggest(key, cand, m);
	char attr[600], msg[768], list[400] = "";
	size_t k = 0;
	for (size_t j = 0; j < m && k < sizeof list; j++)
		k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", j ? ", " : "", cand[j]);
	snprintf(attr, sizeof attr, "%s.%s", v->path, key);
	if (sug)
		snprintf(msg, sizeof msg, "%s: unknown parameter '%s' (did you mean '%s'?)", v->path, key, sug);
	else
		snprintf(msg, sizeof msg, "%s: unknown parameter '%s' (%s declares %s)", v->path, key,
		         mod ? mod : "its module", n ? list : "none");
	raise_msg(v, attr, msg, 0);
}

/* tick: the engine's, in every policy. */
static void check_tick(vctx *v, int pol)
{
	lua_State *L = v->L;
	lua_pushliteral(L, "tick");
	int vt = lua_rawget(L, pol);
	range r = {0, HUGE_VAL, 0, 1, 0};
	if (vt != LUA_TNIL && (vt != LUA_TNUMBER || !in_range(&r, lua_tonumber(L, -1)))) {
		char b[64];
		path_key(v, "tick");
		verr(v, "expected a number of hours >= 0 between calls of on_tick (0: never), got %s",
		     got(v, -1, b, sizeof b));
	}
	lua_pop(L, 1);
}

/* One party's policy table (at pol, path policies.PARTY): hooks are
 * functions, other functions are helpers not named like hooks; a declared
 * policy holds only its declared parameters (and tick), each fitting its
 * declaration; a policy written inline holds what it likes. */
static void read_policy(vctx *v, int pol)
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
		verr(v, "a key that is neither a name nor a number (a declared policy holds its parameters and functions)");
	for (int k = 1; k <= nk; k++) {
		lua_rawgeti(L, -1, k);
		if (lua_type(L, -1) != LUA_TSTRING) {
			if (decl) {
				char b[64];
				verr(v, "a key [%s]: a declared policy holds only its parameters and functions",
				     got(v, -1, b, sizeof b));
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
			path_key(v, key);
			verr(v, "expected a function (a hook), got %s", got(v, -1, b, sizeof b));
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

static void read_policies(vctx *v, int t)
{
	lua_State *L = v->L;
	size_t old = path_key(v, "policies");
	if (!table_field(v, t, "policies", "a table PARTY = {hook functions and parameters}")) {
		path_pop(v, old);
		return;
	}
	int pt = lua_gettop(L);
	int n = string_keys(v, pt);
	int names = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, names, i);
		const char *party = lua_tostring(L, -1);
		party_key(v, party, "");
		size_t o2 = path_key(v, party);
		char b[64];
		if (lua_rawget(L, pt) != LUA_TTABLE)
			verr(v, "expected a policy table (hook functions such as on_incident_observed, and parameters), got %s",
			     got(v, -1, b, sizeof b));
		read_policy(v, lua_gettop(L));
		lua_pop(L, 1);                    /* policy */
		path_pop(v, o2);
	}
	lua_pop(L, 2);                            /* names, policies */
	path_pop(v, old);
}

/* triggers = { {name, party, event = {type, actor, target, zone, cause,
 * kind}, condition, action, probability, repeatable}, ... }: checked here,
 * bound by the policy (policy_lua.c). */
static void read_triggers(vctx *v, int t)
{
	static const char *const keys[] = {"name", "party", "event", "condition", "action", "probability",
	                                   "repeatable"};
	static const char *const event_keys[] = {"type", "actor", "target", "zone", "cause", "kind"};
	lua_State *L = v->L;
	size_t old = path_key(v, "triggers");
	if (!table_field(v, t, "triggers", "an array of triggers {party = ..., event = {...}, action = function(ev) ... end}")) {
		path_pop(v, old);
		return;
	}
	int tt = lua_gettop(L);
	size_t n = check_array(v, tt, "triggers {party = ..., event = {...}, action = function(ev) ... end}");
	namelist parties = parties_of(v->cfg), zones = zones_of(v->cfg);
	char b[512];
	for (size_t i = 1; i <= n; i++) {
		size_t o2 = path_index(v, (lua_Integer)i);
		lua_rawgeti(L, tt, (lua_Integer)i);
		int e = lua_gettop(L);
		if (!lua_istable(L, e))
			verr(v, "expected a trigger {party = ..., event = {...}, action = function(ev) ... end}, got %s",
			     got(v, e, b, sizeof b));
		check_keys(v, e, keys, COUNT(keys));
		if (str_field(v, e, "name", 0, "a string")) {
			size_t len;
			const char *name = lua_tolstring(L, -1, &len);
			if (len == 0 || len > 63 || strlen(name) != len) {
				path_key(v, "name");
				verr(v, "expected a name of 1 to 63 characters, got one of %zu bytes", len);
			}
			for (size_t j = 1; j < i; j++) {
				lua_rawgeti(L, tt, (lua_Integer)j);
				lua_pushliteral(L, "name");
				if (lua_rawget(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -1), name) == 0) {
					path_key(v, "name");
					verr(v, "duplicate trigger name '%s' (also triggers[%zu])", name, j);
				}
				lua_pop(L, 2);
			}
			lua_pop(L, 1);
		}
		list_field(v, e, "party", 1, &parties);
		int ty = rawfield(L, e, "action");
		if (ty != LUA_TFUNCTION) {
			path_key(v, "action");
			if (ty == LUA_TNIL)
				verr(v, "missing (expected a function(ev) that acts, through sim.act)");
			verr(v, "expected a function(ev) that acts through sim.act, got %s", got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		ty = rawfield(L, e, "condition");
		if (ty != LUA_TNIL && ty != LUA_TFUNCTION) {
			path_key(v, "condition");
			verr(v, "expected a function(ev) returning true or false, got %s", got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
		double x;
		range prob = {0, 1, 0, 0, 0};
		num_field(v, e, "probability", 0, &prob, "a probability in [0, 1]", &x);
		int rep;
		bool_field(v, e, "repeatable", &rep);
		size_t o3 = path_key(v, "event");
		if (table_field(v, e, "event", "a table {type, actor, target, zone, cause, kind} to match (omitted fields match anything)")) {
			int ev = lua_gettop(L);
			check_keys(v, ev, event_keys, COUNT(event_keys));
			size_t o4 = path_key(v, "type");
			ty = rawfield(L, ev, "type");
			if (ty == LUA_TSTRING) {
				if (esc_config_type(v->cfg, lua_tostring(L, -1)) < 0)
					esc_lua_add_warning(v->s, "%s: unknown type '%s' (known: %s): the trigger never fires",
					                    v->path, lua_tostring(L, -1),
					                    v->cfg->n_types ? known_list(b, sizeof b, v->cfg->types[0].name, v->cfg->n_types,
					                                                 sizeof(esc_incident_type)) : "none");
			} else if (ty != LUA_TNIL) {
				verr(v, "expected an incident type name, got %s", got(v, -1, b, sizeof b));
			}
			lua_pop(L, 1);
			path_pop(v, o4);
			list_field(v, ev, "actor", 0, &parties);
			list_field(v, ev, "target", 0, &parties);
			list_field(v, ev, "zone", 0, &zones);
			static const char *const *lists[] = {esc_lua_cause_names, esc_lua_kind_names};
			static const char *const lkeys[] = {"cause", "kind"};
			static const size_t ln[] = {3, 2};
			static const char *const lexp[] = {"one of background, triggered, policy", "one of incident, protest"};
			for (size_t k = 0; k < 2; k++) {
				ty = rawfield(L, ev, lkeys[k]);
				if (ty != LUA_TNIL && (ty != LUA_TSTRING || !in_list(lua_tostring(L, -1), lists[k], ln[k]))) {
					path_key(v, lkeys[k]);
					verr(v, "expected %s, got %s", lexp[k], got(v, -1, b, sizeof b));
				}
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		path_pop(v, o3);
		lua_pop(L, 1);
		path_pop(v, o2);
	}
	lua_pop(L, 1);
	path_pop(v, old);
}

/* Hooks that can never fire: worth a warning (escsim check prints them). */
static void warn_hooks(vctx *v, int t)
{
	lua_State *L = v->L;
	const esc_config *c = v->cfg;
	if (rawfield(L, t, "policies") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	int pt = lua_gettop(L);
	int has_triggers = rawfield(L, t, "triggers") == LUA_TTABLE && lua_rawlen(L, -1) > 0;
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
static void warn_unreachable_cell(vctx *v, int t)
{
	lua_State *L = v->L;
	const esc_cell *c = &v->cfg->cell;
	if (!c->enabled || c->notify_party >= 0)
		return;
	int top = lua_gettop(L);
	char why[2][300];
	int reach = 0;
	if (rawfield(L, t, "triggers") == LUA_TTABLE) {
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
	int policies = rawfield(L, t, "policies") == LUA_TTABLE;
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

static void read_limits(vctx *v, int t)
{
	static const char *const keys[] = {"events", "memory", "instructions"};
	lua_State *L = v->L;
	size_t old = path_key(v, "limits");
	if (!table_field(v, t, "limits", "a table {events, memory, instructions}")) {
		path_pop(v, old);
		return;
	}
	int l = lua_gettop(L);
	check_keys(v, l, keys, COUNT(keys));
	double x;
	range ev = {1, 9e15, 0, 0, 1};
	if (num_field(v, l, "events", 0, &ev, "an integer >= 1 (events per replication)", &x))
		v->cfg->max_events = (uint64_t)x;
	range mem = {(double)ESC_LUA_MIN_MEMORY, 1e15, 0, 0, 0};
	num_field(v, l, "memory", 0, &mem, "a number of bytes, at least 1 MiB (1048576)", &x);
	range ins = {1, 1e18, 0, 0, 1};
	num_field(v, l, "instructions", 0, &ins, "an integer >= 1 (Lua instructions per call)", &x);
	lua_pop(L, 1);
	path_pop(v, old);
}

/* outputs = {daily = true, events = false}: the tables written besides runs. */
static void read_outputs(vctx *v, int t)
{
	static const char *const keys[] = {"daily", "events"};
	lua_State *L = v->L;
	size_t old = path_key(v, "outputs");
	if (!table_field(v, t, "outputs", "a table {daily = true|false, events = true|false}")) {
		path_pop(v, old);
		return;
	}
	int o = lua_gettop(L);
	check_keys(v, o, keys, COUNT(keys));
	bool_field(v, o, "daily", &v->cfg->outputs.daily);
	bool_field(v, o, "events", &v->cfg->outputs.events);
	lua_pop(L, 1);
	path_pop(v, old);
}

/* Where the value behind a message of esc_config_check came from: the
 * message starts with a key path ("hawkes: ...", "regime.rates.a.b: ..."),
 * and an override of that path or within it is the likelier culprit. */
static const char *check_origin(vctx *v, const char *msg)
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
	return origin(v, path);
}

void esc_lua_validate(lua_State *L, esc_scenario *s, esc_config *cfg,
                      const esc_lua_override *ov, size_t n_ov)
{
	vctx v = {L, s, cfg, ov, n_ov, {0}, 0, lua_gettop(L), {0}};
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

	const char *expect_name = "a string of at most 63 characters";
	size_t old = path_key(&v, "name");
	int ty = rawfield(L, t, "name");
	if (ty == LUA_TNIL)
		verr(&v, "missing (expected %s)", expect_name);
	if (ty != LUA_TSTRING) {
		char b[64];
		verr(&v, "expected %s, got %s", expect_name, got(&v, -1, b, sizeof b));
	}
	size_t len;
	const char *name = lua_tolstring(L, -1, &len);
	if (len == 0 || len >= sizeof cfg->name || strlen(name) != len)
		verr(&v, "expected %s, got one of %zu bytes", expect_name, len);
	memcpy(cfg->name, name, len + 1);
	lua_pop(L, 1);
	path_pop(&v, old);
	if (str_field(&v, t, "description", 0, "a string"))
		lua_pop(L, 1);
	range hz = {0, HUGE_VAL, 1, 1, 0};
	num_field(&v, t, "horizon", 0, &hz, "a number of hours > 0 (see days, weeks)", &cfg->horizon_h);

	read_parties(&v, t);
	esc_config_cell_defaults(cfg);   /* members and supervisor by party kind */
	read_zones(&v, t);
	read_types(&v, t, type_names);
	read_regime(&v, t);           /* before incidents: their regime names its states */
	read_incidents(&v, t);
	read_hawkes(&v, t);
	read_attribution(&v, t);
	read_ladder(&v, t);
	read_cell(&v, t);
	read_channels(&v, t);
	read_policies(&v, t);
	read_triggers(&v, t);
	read_limits(&v, t);
	read_outputs(&v, t);

	/* The cross-field checks (a supercritical Hawkes process, among
	 * others): each value passed, but not together. */
	if (esc_config_check(cfg, &e))
		luaL_error(L, "%s: %s", check_origin(&v, e.msg), e.msg);
	warn_unreachable_rules(&v);
	warn_hooks(&v, t);
	warn_unreachable_cell(&v, t);
	lua_settop(L, top);
}

void esc_lua_add_warning(esc_scenario *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < s->n_warnings; i++)
		if (strcmp(s->warnings[i], buf) == 0)
			return;
	char **w = realloc(s->warnings, (s->n_warnings + 2) * sizeof *w);
	if (!w)
		return;   /* a warning lost to out-of-memory is not worth failing for */
	s->warnings = w;
	w[s->n_warnings] = strdup(buf);
	if (w[s->n_warnings])
		s->n_warnings++;
	w[s->n_warnings] = NULL;
}
