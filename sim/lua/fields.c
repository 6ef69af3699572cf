/* fields.c: the typed-field toolkit the scenario schema is written with
 * (validate.h).
 *
 * A validation walks the arm table keeping the key path it is at
 * ("incidents[2].rate"); every error names that path and starts with where
 * the value came from: the override that set it, the line of the key
 * (marks.c), or the scenario{} call.  Fields are read raw (no metamethods)
 * and keys in sorted order, so the first error reported is the same in
 * every run.  Numbers are checked against ranges (validate.h names the
 * common ones), names against the scenario's lists of parties, types,
 * zones and regime states, with a suggestion when one is close.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
/* ---- key paths and errors ------------------------------------------------ */

size_t esc_lua_path_key(esc_lua_vctx *v, const char *key)
{
	size_t old = v->plen;
	int n = snprintf(v->path + old, sizeof v->path - old, "%s%s", old ? "." : "", key);
	if (n > 0)
		v->plen = strnlen(v->path, sizeof v->path - 1);
	return old;
}

size_t esc_lua_path_index(esc_lua_vctx *v, lua_Integer i)
{
	size_t old = v->plen;
	snprintf(v->path + old, sizeof v->path - old, "[%lld]", (long long)i);
	v->plen = strnlen(v->path, sizeof v->path - 1);
	return old;
}

void esc_lua_path_pop(esc_lua_vctx *v, size_t old)
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

const char *esc_lua_origin(esc_lua_vctx *v, const char *path)
{
	for (size_t i = v->n_ov; i-- > 0;)
		if (within(path, v->ov[i].path) || within(v->ov[i].path, path))
			return v->ov[i].label;
	if (esc_lua_locate(v->L, v->root, path, v->where, sizeof v->where))
		return v->where;
	return v->s->site;
}

void esc_lua_raise_msg(esc_lua_vctx *v, const char *attr, const char *msg, int with_path)
{
	const char *o = esc_lua_origin(v, attr ? attr : v->path);
	if (with_path && v->plen)
		lua_pushfstring(v->L, "%s: %s: %s", o, v->path, msg);
	else
		lua_pushfstring(v->L, "%s: %s", o, msg);
	lua_error(v->L);
}

void esc_lua_verr(esc_lua_vctx *v, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	esc_lua_raise_msg(v, NULL, msg, 1);
	abort();   /* not reached: lua_error does not return */
}

const char *esc_lua_fmtnum(char *buf, size_t n, double x)
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
const char *esc_lua_got(esc_lua_vctx *v, int idx, char *buf, size_t n)
{
	if (lua_type(v->L, idx) == LUA_TNUMBER)
		return esc_lua_fmtnum(buf, n, lua_tonumber(v->L, idx));
	if (lua_type(v->L, idx) == LUA_TSTRING) {
		snprintf(buf, n, "string '%.40s'", lua_tostring(v->L, idx));
		return buf;
	}
	return esc_lua_typename(v->L, idx);
}

/* A name or code that goes into the results' JSON and HDF5 attributes:
 * 1 to max bytes of UTF-8 text without control characters.  Raises with
 * `expect` and what is wrong; the caller has put the key on the path. */
void esc_lua_check_text(esc_lua_vctx *v, const char *x, size_t len, size_t max, const char *expect)
{
	size_t bad = esc_lua_utf8_bad(x, len);
	if (len == 0)
		esc_lua_verr(v, "expected %s, got an empty string", expect);
	if (len > max)
		esc_lua_verr(v, "expected %s, got one of %zu bytes", expect, len);
	if (bad < len)
		esc_lua_verr(v, "expected %s, got a string that is not UTF-8 (byte 0x%02x at offset %zu)", expect,
		             (unsigned char)x[bad], bad);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)x[i] < 0x20 || x[i] == 0x7f)
			esc_lua_verr(v, "expected %s, got a control character (0x%02x) at offset %zu", expect,
			             (unsigned char)x[i], i);
}

/* ---- table access ---------------------------------------------------------- */

int esc_lua_rawfield(lua_State *L, int t, const char *key)
{
	t = lua_absindex(L, t);
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

/* Sorted keys of the table at t pushed; every key must be a string. */
int esc_lua_string_keys(esc_lua_vctx *v, int t)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	int n = esc_lua_sorted_keys(L, t);
	if (n < 0)
		esc_lua_verr(v, "expected names as keys, found a key that is neither a string nor a number");
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING) {
			char b[64];
			esc_lua_verr(v, "expected names as keys, found [%s]", esc_lua_got(v, -1, b, sizeof b));
		}
		lua_pop(L, 1);
	}
	return n;
}

void esc_lua_unknown_key(esc_lua_vctx *v, const char *key, const char *const *known, size_t nk)
{
	char attr[600], msg[768];
	snprintf(attr, sizeof attr, "%s%s%s", v->path, v->plen ? "." : "", key);
	const char *sug = esc_lua_suggest(key, known, nk);
	int n = snprintf(msg, sizeof msg, "unknown key '%s'", key);
	if (v->plen)
		n += snprintf(msg + n, sizeof msg - (size_t)n, " in %s", v->path);
	if (sug)
		snprintf(msg + n, sizeof msg - (size_t)n, " (did you mean '%s'?)", sug);
	esc_lua_raise_msg(v, attr, msg, 0);
}

/* Every key of the table at t must be one of known. */
void esc_lua_check_keys(esc_lua_vctx *v, int t, const char *const *known, size_t nk)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	int n = esc_lua_string_keys(v, t);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *k = lua_tostring(L, -1);
		if (esc_lua_list_index(known, nk, k) < 0)
			esc_lua_unknown_key(v, k, known, nk);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}


/* The table at t is an array 1..n without holes; returns n. */
size_t esc_lua_check_array(esc_lua_vctx *v, int t, const char *what)
{
	lua_State *L = v->L;
	t = lua_absindex(L, t);
	lua_Integer n = (lua_Integer)lua_rawlen(L, t), count = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
			char b[64];
			esc_lua_verr(v, "expected an array of %s (1..n, no holes), found key %s", what,
			             lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : esc_lua_got(v, -1, b, sizeof b));
		}
		count++;
	}
	if (count != n)
		esc_lua_verr(v, "expected an array of %s (1..n, no holes), found holes", what);
	return (size_t)n;
}

/* ---- typed fields ---------------------------------------------------------- */


int esc_lua_in_range(const esc_lua_range *r, double x)
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
int esc_lua_num_field(esc_lua_vctx *v, int t, const char *key, int required, const esc_lua_range *r,
                      const char *expect, double *out)
{
	lua_State *L = v->L;
	int ty = esc_lua_rawfield(L, t, key);
	size_t old = esc_lua_path_key(v, key);
	char b[64];
	if (ty == LUA_TNIL) {
		if (required)
			esc_lua_verr(v, "missing (expected %s)", expect);
		lua_pop(L, 1);
		esc_lua_path_pop(v, old);
		return 0;
	}
	if (ty != LUA_TNUMBER)
		esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
	double x = lua_tonumber(L, -1);
	if (isinf(x))           /* "a number >= 0" would seem to take it */
		esc_lua_verr(v, "expected %s, got %s (values must be finite)", expect, esc_lua_got(v, -1, b, sizeof b));
	if (!esc_lua_in_range(r, x))
		esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
	*out = x;
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
	return 1;
}

/* A string field; pushes it (or nothing) and returns 1 if present. */
int esc_lua_str_field(esc_lua_vctx *v, int t, const char *key, int required, const char *expect)
{
	lua_State *L = v->L;
	int ty = esc_lua_rawfield(L, t, key);
	if (ty == LUA_TSTRING)
		return 1;
	size_t old = esc_lua_path_key(v, key);
	if (ty == LUA_TNIL) {
		if (required)
			esc_lua_verr(v, "missing (expected %s)", expect);
		lua_pop(L, 1);
		esc_lua_path_pop(v, old);
		return 0;
	}
	char b[64];
	esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
}

int esc_lua_bool_field(esc_lua_vctx *v, int t, const char *key, int *out)
{
	lua_State *L = v->L;
	int ty = esc_lua_rawfield(L, t, key);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != LUA_TBOOLEAN) {
		char b[64];
		esc_lua_path_key(v, key);
		esc_lua_verr(v, "expected true or false, got %s", esc_lua_got(v, -1, b, sizeof b));
	}
	*out = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 1;
}

/* A table field: pushed if present (returns 1); nil pushes nothing.  The
 * caller has put key on the path already. */
int esc_lua_table_field(esc_lua_vctx *v, int t, const char *key, const char *expect)
{
	lua_State *L = v->L;
	int ty = esc_lua_rawfield(L, t, key);
	if (ty == LUA_TTABLE)
		return 1;
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	char b[64];
	esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
}


/* A distribution field: a distribution, or a number meaning constant(x).
 * Times must be >= 0; counts come from count distributions. */
void esc_lua_dist_field(esc_lua_vctx *v, int t, const char *key, int what, esc_dist *out)
{
	lua_State *L = v->L;
	int ty = esc_lua_rawfield(L, t, key);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	size_t old = esc_lua_path_key(v, key);
	const char *expect = what == DIST_HOURS
		? "a distribution or a number of hours >= 0"
		: "a count distribution (poisson, negbin, zinb, discrete over 0..n-1, constant) or a whole number >= 0";
	const esc_lua_range *r = what == DIST_COUNT ? &WHOLE_NUMBER : &NON_NEGATIVE;
	char b[64];
	esc_error e = {0};
	if (ty == LUA_TNUMBER) {
		double x = lua_tonumber(L, -1);
		if (!esc_lua_in_range(r, x))
			esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
		esc_dist_free(out);
		if (esc_dist_init(out, ESC_DIST_CONSTANT, x, 0, 0, &e))
			esc_lua_verr(v, "%s", e.msg);
	} else {
		const esc_dist *d = esc_lua_todist(L, -1);
		if (!d)
			esc_lua_verr(v, "expected %s, got %s", expect, esc_lua_got(v, -1, b, sizeof b));
		if (d->kind == ESC_DIST_DISCRETE && !esc_lua_dist_numeric(L, -1))
			esc_lua_verr(v, "expected %s, got a discrete distribution over labels (its labels must be 0, 1, ..., n-1)", expect);
		if (what == DIST_COUNT && (d->kind == ESC_DIST_EXPONENTIAL || d->kind == ESC_DIST_LOGNORMAL ||
		                           d->kind == ESC_DIST_GAMMA || d->kind == ESC_DIST_WEIBULL))
			esc_lua_verr(v, "expected %s, got %s (a continuous distribution)", expect, esc_dist_kind_name(d->kind));
		if (d->kind == ESC_DIST_CONSTANT) {
			if (!esc_lua_in_range(r, d->a))
				esc_lua_verr(v, "expected %s, got constant(%s)", expect, esc_lua_fmtnum(b, sizeof b, d->a));
		}
		esc_dist_free(out);
		if (esc_dist_copy(out, d, &e))
			esc_lua_verr(v, "%s", e.msg);
	}
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
}

/* "ISR, SYR, USA" */
const char *esc_lua_known_list(char *buf, size_t n, const char *names, size_t count, size_t stride)
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

const char *esc_lua_party_list(esc_lua_vctx *v, char *buf, size_t n)
{
	return esc_lua_known_list(buf, n, v->cfg->parties[0].name, v->cfg->n_parties, sizeof(esc_party));
}


/* "unknown type 'q' (known: raid, rocket)", at the current path. */
void esc_lua_unknown_name(esc_lua_vctx *v, const esc_lua_namelist *nl, const char *name)
{
	char b[512];
	if (nl->count == 0)
		esc_lua_verr(v, "unknown %s '%s': %s", nl->kind, name, nl->none);
	esc_lua_verr(v, "unknown %s '%s' (known: %s)", nl->kind, name,
	             esc_lua_known_list(b, sizeof b, nl->names, nl->count, nl->stride));
}

/* A name field resolved against a list of names; returns the index, or -1
 * when the field is absent and not required. */
int esc_lua_list_field(esc_lua_vctx *v, int t, const char *key, int required, const esc_lua_namelist *nl)
{
	lua_State *L = v->L;
	size_t old = esc_lua_path_key(v, key);
	int ty = esc_lua_rawfield(L, t, key);
	char b[512];
	if (ty == LUA_TNIL && !required) {
		lua_pop(L, 1);
		esc_lua_path_pop(v, old);
		return -1;
	}
	if (nl->count == 0 && ty != LUA_TSTRING)
		esc_lua_verr(v, "%s", nl->none);
	if (ty == LUA_TNIL)
		esc_lua_verr(v, "missing (expected a %s name: %s)", nl->kind, esc_lua_known_list(b, sizeof b, nl->names, nl->count, nl->stride));
	if (ty != LUA_TSTRING)
		esc_lua_verr(v, "expected a %s name (%s), got %s", nl->kind, esc_lua_known_list(b, sizeof b, nl->names, nl->count, nl->stride),
		             esc_lua_typename(L, -1));
	const char *name = lua_tostring(L, -1);
	int i = nl->lookup(v->cfg, name);
	if (i < 0)
		esc_lua_unknown_name(v, nl, name);
	lua_pop(L, 1);
	esc_lua_path_pop(v, old);
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

esc_lua_namelist esc_lua_parties_of(const esc_config *c)
{
	return (esc_lua_namelist){"party", "no parties are defined", lookup_party, c->parties[0].name,
	                  c->n_parties, sizeof(esc_party)};
}

esc_lua_namelist esc_lua_types_of(const esc_config *c)
{
	return (esc_lua_namelist){"type", "no incident types are defined (add them under types)", lookup_type,
	                  c->types[0].name, c->n_types, sizeof(esc_incident_type)};
}

esc_lua_namelist esc_lua_zones_of(const esc_config *c)
{
	return (esc_lua_namelist){"zone", "no zones are defined", lookup_zone, c->zones[0], c->n_zones,
	                  sizeof c->zones[0]};
}

/* The regime's states; names is never NULL once a regime is read. */
esc_lua_namelist esc_lua_states_of(const esc_config *c)
{
	return (esc_lua_namelist){"state", "the scenario has no regime chain (add regime = {states = {...}})",
	                  lookup_state, c->regime.names ? c->regime.names[0] : "",
	                  c->regime.n_states, sizeof c->regime.names[0]};
}

/* A name used as a key of the table at the current path; returns its index. */
int esc_lua_name_key(esc_lua_vctx *v, const esc_lua_namelist *nl, const char *name)
{
	int i = nl->lookup(v->cfg, name);
	if (i < 0)
		esc_lua_unknown_name(v, nl, name);
	return i;
}


/* A party name used as a key (the table of names is at t's key); returns
 * its index. */
int esc_lua_party_key(esc_lua_vctx *v, const char *name, const char *role)
{
	int i = esc_config_party(v->cfg, name);
	if (i < 0) {
		char b[512];
		esc_lua_verr(v, "unknown %s%sparty '%s' (known: %s)", role, *role ? " " : "", name,
		             esc_lua_party_list(v, b, sizeof b));
	}
	return i;
}

/* ---- warnings ------------------------------------------------------------ */

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
