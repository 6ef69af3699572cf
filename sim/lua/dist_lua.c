/* dist_lua.c: what a scenario writes to describe time and chance.
 *
 * The unit helpers (minutes, hours, days, weeks -> hours; per_hour, per_day,
 * per_year -> rate per hour) and the distribution constructors, whose values
 * are userdata wrapping an esc_dist.  Parameters are checked where they are
 * written, so an error points at the constructor's line; methods :mean(),
 * :kind() work anywhere, :sample() only while a replication runs, drawing from
 * the running hook's random stream so replications stay reproducible.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "script.h"

typedef struct lua_dist {
	esc_dist d;
	int numeric;        /* discrete: labels are 0..n-1, so the index is the value */
} lua_dist;

static lua_dist *test_dist(lua_State *L, int idx)
{
	return luaL_testudata(L, idx, ESC_REG_DIST);
}

const esc_dist *esc_lua_todist(lua_State *L, int idx)
{
	lua_dist *ld = test_dist(L, idx);
	return ld ? &ld->d : NULL;
}

int esc_lua_dist_numeric(lua_State *L, int idx)
{
	lua_dist *ld = test_dist(L, idx);
	return ld && (ld->d.kind != ESC_DIST_DISCRETE || ld->numeric);
}

static lua_dist *check_dist(lua_State *L, int idx, const char *method)
{
	lua_dist *ld = test_dist(L, idx);
	if (!ld)
		luaL_error(L, "%s: expected a distribution (call it as d:%s()), got %s",
		           method, method, luaL_typename(L, idx));
	return ld;
}

static lua_dist *new_dist(lua_State *L)
{
	lua_dist *ld = lua_newuserdatauv(L, sizeof *ld, 1);   /* uservalue: labels */
	memset(ld, 0, sizeof *ld);
	luaL_setmetatable(L, ESC_REG_DIST);
	return ld;
}

/* ---- constructors --------------------------------------------------- */

typedef struct dist_spec {
	const char *name;
	esc_dist_kind kind;
	const char *params[3];
	int nparams;
	const char *expected;    /* for messages */
} dist_spec;

static const dist_spec specs[] = {
	{"exponential", ESC_DIST_EXPONENTIAL, {"mean"}, 1, "mean"},
	{"lognormal", ESC_DIST_LOGNORMAL, {"median", "sigma"}, 2, "median, sigma"},
	{"gamma", ESC_DIST_GAMMA, {"shape", "scale"}, 2, "shape, scale"},
	{"weibull", ESC_DIST_WEIBULL, {"scale", "shape"}, 2, "scale, shape"},
	{"poisson", ESC_DIST_POISSON, {"mean"}, 1, "mean"},
	{"negbin", ESC_DIST_NEGBIN, {"mean", "dispersion"}, 2, "mean, dispersion"},
	{"zinb", ESC_DIST_ZINB, {"zero", "mean", "dispersion"}, 3, "zero, mean, dispersion"},
};

/* Raise msg at the line of parameter `key` in the table of parameters at
 * index 1 when that line is known (a constructor written over several
 * lines: marks.c), else at the line of the call. */
static int param_error(lua_State *L, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int param_error(lua_State *L, const char *key, const char *fmt, ...)
{
	char where[600], msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (key && lua_type(L, 1) == LUA_TTABLE && esc_lua_key_where(L, 1, key, where, sizeof where))
		lua_pushfstring(L, "%s: %s", where, msg);
	else {
		luaL_where(L, 1);
		lua_pushstring(L, msg);
		lua_concat(L, 2);
	}
	return lua_error(L);
}

/* The parameter an esc_dist_init message is about ("lognormal: sigma must
 * be ..."), or NULL. */
static const char *param_of(const dist_spec *sp, const char *msg)
{
	size_t n = strlen(sp->name);
	if (strncmp(msg, sp->name, n) != 0 || msg[n] != ':' || msg[n + 1] != ' ')
		return NULL;
	for (int j = 0; j < sp->nparams; j++) {
		size_t k = strlen(sp->params[j]);
		if (strncmp(msg + n + 2, sp->params[j], k) == 0 && msg[n + 2 + k] == ' ')
			return sp->params[j];
	}
	return NULL;
}

/* upvalue 1: index into specs */
static int construct(lua_State *L)
{
	const dist_spec *sp = &specs[lua_tointeger(L, lua_upvalueindex(1))];
	if (lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, "%s: expected named parameters, as in %s{%s=...}, got %s",
		                  sp->name, sp->name, sp->params[0], esc_lua_typename(L, 1));
	lua_settop(L, 1);
	int nk = esc_lua_sorted_keys(L, 1);
	if (nk < 0)
		return luaL_error(L, "%s: parameters must be named (expected %s)", sp->name, sp->expected);
	for (int i = 1; i <= nk; i++) {
		lua_rawgeti(L, 2, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_error(L, "%s: parameters must be named (expected %s), got a value at [%s]",
			                  sp->name, sp->expected, luaL_tolstring(L, -1, NULL));
		const char *k = lua_tostring(L, -1);
		int known = 0;
		for (int j = 0; j < sp->nparams; j++)
			known |= strcmp(k, sp->params[j]) == 0;
		if (!known)
			return param_error(L, k, "%s: unknown parameter '%s' (expected %s)", sp->name, k, sp->expected);
		lua_pop(L, 1);
	}
	double v[3] = {0, 0, 0};
	for (int j = 0; j < sp->nparams; j++) {
		int t = lua_getfield(L, 1, sp->params[j]);
		if (t == LUA_TNIL)
			return luaL_error(L, "%s: missing parameter '%s' (expected %s)", sp->name,
			                  sp->params[j], sp->expected);
		if (t != LUA_TNUMBER)
			return param_error(L, sp->params[j], "%s: %s must be a number, got %s", sp->name,
			                   sp->params[j], esc_lua_typename(L, -1));
		v[j] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	/* The userdata first: once built, the distribution is freed by __gc
	 * whatever happens next. */
	lua_dist *ld = new_dist(L);
	esc_error err = {0};
	if (esc_dist_init(&ld->d, sp->kind, v[0], v[1], v[2], &err))
		return param_error(L, param_of(sp, err.msg), "%s", err.msg);
	return 1;
}

/* constant(x) or constant{value=x} */
static int construct_constant(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TTABLE) {
		lua_settop(L, 1);
		lua_pushnil(L);
		while (lua_next(L, 1)) {
			lua_pop(L, 1);
			if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "value") != 0)
				return luaL_error(L, "constant: unknown parameter '%s' (expected value)",
				                  luaL_tolstring(L, -1, NULL));
		}
		lua_getfield(L, 1, "value");
		lua_replace(L, 1);
	}
	if (lua_type(L, 1) != LUA_TNUMBER)
		return luaL_error(L, "constant: expected a number, got %s", esc_lua_typename(L, 1));
	double x = lua_tonumber(L, 1);
	lua_dist *ld = new_dist(L);
	esc_error err = {0};
	if (esc_dist_init(&ld->d, ESC_DIST_CONSTANT, x, 0, 0, &err))
		return luaL_error(L, "%s", err.msg);
	return 1;
}

/* discrete{label=weight, ...}: labels sorted (numbers, then strings) so the
 * index of each is the same in every run. */
static int construct_discrete(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, "discrete: expected a table of label = weight, got %s",
		                  esc_lua_typename(L, 1));
	lua_settop(L, 1);
	int n = esc_lua_sorted_keys(L, 1);                  /* 2: labels */
	if (n < 0)
		return luaL_error(L, "discrete: labels must be numbers or strings");
	if (n == 0)
		return luaL_error(L, "discrete: needs at least one label = weight");
	double *w = lua_newuserdatauv(L, (size_t)n * sizeof *w, 0);   /* 3 */
	int numeric = 1;
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, 2, i);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) != i - 1)
			numeric = 0;
		lua_pushvalue(L, -1);
		lua_rawget(L, 1);
		int li = lua_gettop(L) - 1, wi = lua_gettop(L);
		if (lua_type(L, wi) != LUA_TNUMBER)
			return luaL_error(L, "discrete: weight of %s must be a number, got %s",
			                  luaL_tolstring(L, li, NULL), esc_lua_typename(L, wi));
		double x = lua_tonumber(L, wi);
		if (!(isfinite(x) && x >= 0)) {
			const char *label = luaL_tolstring(L, li, NULL);
			return luaL_error(L, "discrete: weight of %s must be finite and >= 0, got %s",
			                  label, luaL_tolstring(L, wi, NULL));
		}
		w[i - 1] = x;
		lua_pop(L, 2);
	}
	lua_dist *ld = new_dist(L);                         /* 4 */
	esc_error err = {0};
	if (esc_dist_init_discrete(&ld->d, w, (size_t)n, &err))
		return luaL_error(L, "%s", err.msg);
	ld->numeric = numeric;
	lua_pushvalue(L, 2);
	lua_setiuservalue(L, 4, 1);
	return 1;
}

/* ---- methods -------------------------------------------------------- */

static int is_count(esc_dist_kind k)
{
	return k == ESC_DIST_POISSON || k == ESC_DIST_NEGBIN || k == ESC_DIST_ZINB;
}

static int dist_sample(lua_State *L)
{
	lua_dist *ld = check_dist(L, 1, "sample");
	esc_scenario *s = esc_lua_scenario(L);
	if (!s->ctx || !s->ctx->rng)
		return luaL_error(L, "dist:sample() is only available while a replication runs");
	double x = esc_dist_sample(&ld->d, s->ctx->rng);
	if (ld->d.kind == ESC_DIST_DISCRETE) {
		lua_getiuservalue(L, 1, 1);
		lua_rawgeti(L, -1, (lua_Integer)x + 1);   /* the label */
	} else if (is_count(ld->d.kind) && x >= 0 && x < 9.0e15) {
		lua_pushinteger(L, (lua_Integer)x);
	} else {
		lua_pushnumber(L, x);
	}
	return 1;
}

static int dist_mean(lua_State *L)
{
	lua_dist *ld = check_dist(L, 1, "mean");
	if (ld->d.kind == ESC_DIST_DISCRETE && !ld->numeric)
		return luaL_error(L, "mean: a distribution over labels has no mean");
	lua_pushnumber(L, esc_dist_mean(&ld->d));
	return 1;
}

static int dist_kind(lua_State *L)
{
	lua_dist *ld = check_dist(L, 1, "kind");
	lua_pushstring(L, esc_dist_kind_name(ld->d.kind));
	return 1;
}

/* %.14g, as Lua prints numbers, without the ".0" lua_pushfstring adds */
static const char *num(char *buf, size_t n, double x)
{
	snprintf(buf, n, "%.14g", x);
	return buf;
}

static int dist_tostring(lua_State *L)
{
	char nb[40];
	lua_dist *ld = check_dist(L, 1, "tostring");
	const esc_dist *d = &ld->d;
	const char *k = esc_dist_kind_name(d->kind);
	switch (d->kind) {
	case ESC_DIST_CONSTANT:
		lua_pushfstring(L, "constant(%s)", num(nb, sizeof nb, d->a));
		break;
	case ESC_DIST_DISCRETE: {
		luaL_Buffer b;
		lua_getiuservalue(L, 1, 1);                 /* 2: labels */
		luaL_buffinit(L, &b);
		luaL_addstring(&b, "discrete{");
		for (size_t i = 0; i < d->n; i++) {
			if (i)
				luaL_addstring(&b, ", ");
			lua_rawgeti(L, 2, (lua_Integer)i + 1);
			int str = lua_type(L, -1) == LUA_TSTRING;
			lua_pushfstring(L, str ? "%s=%s" : "[%s]=%s", luaL_tolstring(L, -1, NULL),
			                num(nb, sizeof nb, d->weights[i]));
			lua_remove(L, -2);
			lua_remove(L, -2);
			luaL_addvalue(&b);
		}
		luaL_addstring(&b, "}");
		luaL_pushresult(&b);
		break;
	}
	default:
		for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
			if (specs[i].kind == d->kind) {
				const dist_spec *sp = &specs[i];
				double v[3] = {d->a, d->b, d->c};
				lua_pushfstring(L, "%s{", k);
				for (int j = 0; j < sp->nparams; j++)
					lua_pushfstring(L, "%s%s=%s", j ? ", " : "", sp->params[j], num(nb, sizeof nb, v[j]));
				lua_pushliteral(L, "}");
				lua_concat(L, sp->nparams + 2);
				return 1;
			}
		lua_pushstring(L, k);
	}
	return 1;
}

static int dist_gc(lua_State *L)
{
	lua_dist *ld = test_dist(L, 1);
	if (ld)
		esc_dist_free(&ld->d);
	return 0;
}

/* ---- units ---------------------------------------------------------- */

/* upvalues: multiplier, divisor (to hours, or to per hour), name.  Dividing
 * rather than multiplying by 1/60 keeps minutes(30) exactly 0.5. */
static int unit(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, 1)))
		return luaL_error(L, "%s: expected a finite number, got %s",
		                  lua_tostring(L, lua_upvalueindex(3)), esc_lua_typename(L, 1));
	lua_pushnumber(L, lua_tonumber(L, 1) * lua_tonumber(L, lua_upvalueindex(1)) /
	                  lua_tonumber(L, lua_upvalueindex(2)));
	return 1;
}

void esc_lua_open_dist(lua_State *L, int env)
{
	static const luaL_Reg methods[] = {
		{"sample", dist_sample},
		{"mean", dist_mean},
		{"kind", dist_kind},
		{NULL, NULL},
	};
	luaL_newmetatable(L, ESC_REG_DIST);
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, dist_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, dist_gc);
	lua_setfield(L, -2, "__gc");
	lua_pushliteral(L, "distribution");
	lua_setfield(L, -2, "__name");
	lua_pushliteral(L, "distribution");   /* scripts cannot reach or change it */
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);

	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		lua_pushinteger(L, (lua_Integer)i);
		lua_pushcclosure(L, construct, 1);
		lua_setfield(L, env, specs[i].name);
	}
	lua_pushcfunction(L, construct_constant);
	lua_setfield(L, env, "constant");
	lua_pushcfunction(L, construct_discrete);
	lua_setfield(L, env, "discrete");

	static const struct { const char *name; double mul, div; } units[] = {
		{"minutes", 1, 60}, {"hours", 1, 1}, {"days", 24, 1}, {"weeks", 168, 1},
		{"per_hour", 1, 1}, {"per_day", 1, 24}, {"per_year", 1, 365.0 * 24.0},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		lua_pushnumber(L, units[i].mul);
		lua_pushnumber(L, units[i].div);
		lua_pushstring(L, units[i].name);
		lua_pushcclosure(L, unit, 3);
		lua_setfield(L, env, units[i].name);
	}
}
