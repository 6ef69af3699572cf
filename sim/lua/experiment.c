/* experiment.c: experiment files (escsim/experiment.h).
 *
 * The file runs in a sandbox like a scenario's (sandbox.c), with one more
 * global, experiment{}, which marks its table and remembers where it was
 * called.  The table is then read in protected mode, key by key in sorted
 * order (so the first error is the same every time), into plain strings:
 * overrides as KEY=VALUE and varied keys as KEY=SPEC, the forms of the
 * command line.  Whether a key exists in the scenario is not decided here
 * but where --set and --arm are checked, when the arms are built.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/experiment.h"
#include "script.h"

#define REG_TABLE "escsim.experiment"        /* the experiment{} table */
#define REG_SITE "escsim.experiment.site"    /* "FILE:LINE" of the call */

/* ---- experiment{} ------------------------------------------------------ */

static int lua_experiment_fn(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, "experiment: expected a table, as in experiment{"
		                  "scenario = ..., arms = ...}, got %s", esc_lua_typename(L, 1));
	lua_settop(L, 1);
	luaL_where(L, 1);                         /* "file:line: " */
	size_t n;
	const char *w = lua_tolstring(L, -1, &n);
	lua_pushlstring(L, w, n >= 2 ? n - 2 : n);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_SITE);
	lua_pop(L, 1);
	lua_pushvalue(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_TABLE);
	return 1;
}

/* Protected: add experiment{} to the sandbox, run the file (at upvalue
 * text), check it returned the experiment{} table. */
static int run_cf(lua_State *L)
{
	const char *path = lua_tostring(L, 1);
	size_t len;
	const char *text = lua_tolstring(L, 2, &len);
	esc_lua_push_env(L);
	lua_pushcfunction(L, lua_experiment_fn);
	lua_setfield(L, -2, "experiment");
	lua_pop(L, 1);
	lua_pushfstring(L, "@%s", path);
	if (esc_lua_load_text(L, text, len, lua_tostring(L, -1)) != LUA_OK)
		return lua_error(L);
	lua_call(L, 0, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_TABLE);
	if (lua_type(L, -2) != LUA_TTABLE || !lua_rawequal(L, -1, -2))
		return luaL_error(L, "%s: the file must return experiment{...}, but it "
		                  "returned %s", path, lua_type(L, -2) == LUA_TTABLE ?
		                  "a plain table" : esc_lua_typename(L, -2));
	return 1;
}

/* ---- reading, with key paths in messages --------------------------------- */

typedef struct ectx {
	lua_State *L;
	esc_experiment *x;
	char path[512];
	size_t plen;
} ectx;

static void eerr(ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void eerr(ectx *c, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->plen)
		luaL_error(c->L, "%s: %s: %s", c->x->site, c->path, msg);
	luaL_error(c->L, "%s: %s", c->x->site, msg);
	abort();   /* not reached: luaL_error does not return */
}

static size_t path_push(ectx *c, const char *key, lua_Integer index)
{
	size_t old = c->plen;
	if (key)
		snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
	else
		snprintf(c->path + old, sizeof c->path - old, "[%lld]", (long long)index);
	c->plen = strnlen(c->path, sizeof c->path - 1);
	return old;
}

static void path_pop(ectx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

static char *own(ectx *c, char *s)
{
	if (!s)
		luaL_error(c->L, "out of memory");
	return s;
}

static char *dup_lua(ectx *c, int idx)
{
	size_t n;
	const char *s = lua_tolstring(c->L, idx, &n);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return own(c, d);
}

/* Append S (owned) to the array *v of *n strings. */
static void push_str(ectx *c, char ***v, size_t *n, char *s)
{
	char **a = realloc(*v, (*n + 1) * sizeof *a);
	if (!a) {
		free(s);
		luaL_error(c->L, "out of memory");
	}
	*v = a;
	a[(*n)++] = s;
}

/* Every key of the table at t (absolute) is one of known[0..nk), or an
 * integer 1..n_array when n_array > 0. */
static void check_keys(ectx *c, int t, const char *const *known, size_t nk,
                       lua_Integer n_array)
{
	lua_State *L = c->L;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
		    lua_tointeger(L, -1) <= n_array)
			continue;
		if (lua_type(L, -1) != LUA_TSTRING)
			eerr(c, "unexpected key %s (expected %s)", luaL_tolstring(L, -1, NULL),
			     n_array ? "names, and the entry's first value at [1]" : "names");
		const char *k = lua_tostring(L, -1);
		int found = 0;
		for (size_t i = 0; i < nk && !found; i++)
			found = strcmp(k, known[i]) == 0;
		if (!found) {
			const char *sug = esc_lua_suggest(k, known, nk);
			if (sug)
				eerr(c, "unknown key '%s' (did you mean '%s'?)", k, sug);
			eerr(c, "unknown key '%s'", k);
		}
	}
}

/* Field KEY of the table at t pushed, when it is there: its type must be
 * TYPE (or nil, when OPTIONAL: then nothing is pushed).  Returns whether
 * it is there. */
static int field(ectx *c, int t, const char *key, int type, int optional)
{
	lua_State *L = c->L;
	lua_pushstring(L, key);
	int ty = lua_rawget(L, t);
	if (ty == LUA_TNIL && optional) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != type) {
		size_t old = path_push(c, key, 0);
		eerr(c, "expected a %s, got %s", lua_typename(L, type), esc_lua_typename(L, -1));
		path_pop(c, old);
	}
	return 1;
}

/* An integer value at idx in [lo, hi]. */
static int64_t integer_at(ectx *c, int idx, const char *key, int64_t lo, int64_t hi)
{
	lua_State *L = c->L;
	lua_Number x = lua_tonumber(L, idx);
	if (lua_type(L, idx) != LUA_TNUMBER || !(x >= (lua_Number)lo) ||
	    !(x <= (lua_Number)hi) || x != floor(x)) {
		size_t old = path_push(c, key, 0);
		eerr(c, "expected an integer from %lld to %lld, got %s", (long long)lo,
		     (long long)hi, lua_type(L, idx) == LUA_TNUMBER ?
		     luaL_tolstring(L, idx, NULL) : esc_lua_typename(L, idx));
		path_pop(c, old);
	}
	return lua_isinteger(L, idx) ? (int64_t)lua_tointeger(L, idx) : (int64_t)x;
}

static int64_t int_field(ectx *c, int t, const char *key, int64_t lo, int64_t hi,
                         int64_t absent)
{
	lua_pushstring(c->L, key);
	if (lua_rawget(c->L, t) == LUA_TNIL) {
		lua_pop(c->L, 1);
		return absent;
	}
	int64_t v = integer_at(c, -1, key, lo, hi);
	lua_pop(c->L, 1);
	return v;
}

static char *str_field(ectx *c, int t, const char *key)
{
	if (!field(c, t, key, LUA_TSTRING, 1))
		return NULL;
	char *s = dup_lua(c, -1);
	lua_pop(c->L, 1);
	return s;
}

/* ---- values into the command line's text --------------------------------- */

/* A number written so that it reads back as the same double. */
static void number_text(char *buf, size_t size, lua_State *L, int idx)
{
	if (lua_isinteger(L, idx)) {
		snprintf(buf, size, "%lld", (long long)lua_tointeger(L, idx));
		return;
	}
	double v = lua_tonumber(L, idx);
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* The value at idx as a Lua literal (pushed): numbers, booleans, strings
 * (quoted), distributions (their constructor). */
static void push_literal(ectx *c, int idx)
{
	lua_State *L = c->L;
	char buf[64];
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		if (!isfinite(lua_tonumber(L, idx)))
			eerr(c, "expected a finite number, got %s", esc_lua_typename(L, idx));
		number_text(buf, sizeof buf, L, idx);
		lua_pushstring(L, buf);
		return;
	case LUA_TBOOLEAN:
		lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
		return;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		luaL_addchar(&b, '"');
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch < 32 || ch == 127 || ch == '"' || ch == '\\') {
				snprintf(buf, sizeof buf, "\\%03u", ch);
				luaL_addstring(&b, buf);
			} else {
				luaL_addchar(&b, (char)ch);
			}
		}
		luaL_addchar(&b, '"');
		luaL_pushresult(&b);
		return;
	}
	default:
		if (esc_lua_todist(L, idx)) {
			luaL_tolstring(L, idx, NULL);
			return;
		}
		eerr(c, "expected a number, boolean, string, distribution or table, got %s",
		     esc_lua_typename(L, idx));
	}
}

/* The table at t as KEY=VALUE overrides under PREFIX ("" at the top): a
 * table value is a path (cell = {enabled = true}: cell.enabled=true). */
static void flatten(ectx *c, int t, const char *prefix, char ***out, size_t *n,
                    int depth)
{
	lua_State *L = c->L;
	if (depth > 32)
		eerr(c, "tables nested more than 32 deep (a table inside itself?)");
	luaL_checkstack(L, 8, "experiment: set");   /* 4 slots a level */
	int nk = esc_lua_sorted_keys(L, t);
	if (nk < 0)
		eerr(c, "expected names or indices as keys");
	int keys = lua_gettop(L);
	for (int i = 1; i <= nk; i++) {
		lua_rawgeti(L, keys, i);
		char kbuf[64];
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) :
		                (number_text(kbuf, sizeof kbuf, L, -1), kbuf);
		size_t old = path_push(c, k, 0);
		lua_pushfstring(L, "%s%s%s", prefix, *prefix ? "." : "", k);
		lua_pushvalue(L, -2);
		lua_rawget(L, t);                    /* key, name, value */
		int v = lua_gettop(L);
		if (lua_type(L, v) == LUA_TTABLE && !esc_lua_todist(L, v)) {
			flatten(c, v, lua_tostring(L, v - 1), out, n, depth + 1);
		} else {
			push_literal(c, v);
			lua_pushfstring(L, "%s=%s", lua_tostring(L, v - 1), lua_tostring(L, -1));
			push_str(c, out, n, dup_lua(c, -1));
		}
		lua_settop(L, keys);
		path_pop(c, old);
	}
	lua_pop(L, 1);
}

/* ---- the sections ------------------------------------------------------- */

/* A range end or list value at idx appended to spec[0..*len): a number,
 * or a duration string ("30m", "2h"), which the sweep's parser checks. */
static void spec_value(ectx *c, int idx, char *spec, size_t size, size_t *len)
{
	lua_State *L = c->L;
	char buf[64];
	const char *v = buf;
	if (lua_type(L, idx) == LUA_TSTRING && !strpbrk(lua_tostring(L, idx), ",:="))
		v = lua_tostring(L, idx);
	else if (lua_type(L, idx) == LUA_TNUMBER && isfinite(lua_tonumber(L, idx)))
		number_text(buf, sizeof buf, L, idx);
	else
		eerr(c, "expected a number or a duration such as \"30m\" or \"2h\", got %s",
		     lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) :
		     esc_lua_typename(L, idx));
	int n = snprintf(spec + *len, size - *len, "%s", v);
	if (n < 0 || (size_t)n >= size - *len)
		eerr(c, "too long");
	*len += (size_t)n;
}

static void spec_text(ectx *c, const char *s, char *spec, size_t size, size_t *len)
{
	int n = snprintf(spec + *len, size - *len, "%s", s);
	if (n < 0 || (size_t)n >= size - *len)
		eerr(c, "too long");
	*len += (size_t)n;
}

/* values = {...} of a vary entry as a list SPEC. */
static void vary_values(ectx *c, int e, char *spec, size_t size, size_t *len)
{
	lua_State *L = c->L;
	int v = lua_gettop(L);
	size_t old = path_push(c, "values", 0);
	lua_Integer n = (lua_Integer)lua_rawlen(L, v);
	check_keys(c, v, NULL, 0, n);
	if (n == 0)
		eerr(c, "expected at least one value");
	for (lua_Integer i = 1; i <= n; i++) {
		if (i > 1)
			spec_text(c, ",", spec, size, len);
		lua_rawgeti(L, v, i);
		spec_value(c, lua_gettop(L), spec, size, len);
		lua_pop(L, 1);
	}
	path_pop(c, old);
	(void)e;
}

/* from, to, scale and n of a vary entry as lin:LO:HI[:N] or log:... */
static void vary_range(ectx *c, int e, char *spec, size_t size, size_t *len)
{
	lua_State *L = c->L;
	char *scale = str_field(c, e, "scale");
	int log = scale && strcmp(scale, "log") == 0;
	int bad = scale && !log && strcmp(scale, "lin") != 0;
	free(scale);
	if (bad) {
		size_t old = path_push(c, "scale", 0);
		eerr(c, "expected \"lin\" or \"log\"");
		path_pop(c, old);
	}
	spec_text(c, log ? "log:" : "lin:", spec, size, len);
	static const char *const ends[] = { "from", "to" };
	for (int i = 0; i < 2; i++) {
		lua_pushstring(L, ends[i]);
		if (lua_rawget(L, e) == LUA_TNIL)
			eerr(c, "expected values = {...}, or a range from = LO, to = HI");
		size_t old = path_push(c, ends[i], 0);
		spec_value(c, lua_gettop(L), spec, size, len);
		spec_text(c, i ? "" : ":", spec, size, len);
		path_pop(c, old);
		lua_pop(L, 1);
	}
	int64_t n = int_field(c, e, "n", 1, 1000000, 0);
	if (n) {
		char buf[32];
		snprintf(buf, sizeof buf, ":%lld", (long long)n);
		spec_text(c, buf, spec, size, len);
	}
}

/* One entry of vary: { KEY, from = LO, to = HI, scale = "lin"|"log", n = N }
 * or { KEY, values = {...} }, into "KEY=SPEC". */
static void vary_entry(ectx *c, int e)
{
	static const char *const known[] = { "from", "to", "scale", "n", "values" };
	lua_State *L = c->L;
	char spec[4096];
	size_t len = 0;
	check_keys(c, e, known, sizeof known / sizeof known[0], 1);
	if (lua_rawgeti(L, e, 1) != LUA_TSTRING)
		eerr(c, "expected the varied key first, as in { \"cell.accuracy\", "
		     "from = 0.5, to = 1 }");
	spec_text(c, lua_tostring(L, -1), spec, sizeof spec, &len);
	spec_text(c, "=", spec, sizeof spec, &len);
	lua_pop(L, 1);
	if (field(c, e, "values", LUA_TTABLE, 1)) {
		static const char *const range[] = { "from", "to", "scale", "n" };
		for (size_t i = 0; i < 4; i++) {
			lua_pushstring(L, range[i]);
			if (lua_rawget(L, e) != LUA_TNIL)
				eerr(c, "give values = {...} or a range (from, to, scale, n), "
				     "not both (%s)", range[i]);
			lua_pop(L, 1);
		}
		vary_values(c, e, spec, sizeof spec, &len);
		lua_pop(L, 1);
	} else {
		vary_range(c, e, spec, sizeof spec, &len);
	}
	push_str(c, &c->x->vary, &c->x->n_vary, own(c, strdup(spec)));
}

static void read_vary(ectx *c, int t);
static void read_arms(ectx *c, int t);

/* Everything else of the top level. */
static void read_top(ectx *c, int t)
{
	static const char *const known[] = {
		"name", "description", "scenario", "replications", "seed", "horizon",
		"design", "points", "levels", "vary", "arms", "set", "outputs",
	};
	esc_experiment *x = c->x;
	lua_State *L = c->L;
	check_keys(c, t, known, sizeof known / sizeof known[0], 0);
	x->name = str_field(c, t, "name");
	x->description = str_field(c, t, "description");
	x->scenario = str_field(c, t, "scenario");
	if (x->scenario && !*x->scenario)
		eerr(c, "scenario: expected a file name, got ''");
	x->design = str_field(c, t, "design");
	x->reps = int_field(c, t, "replications", 0, INT64_C(1) << 53, -1);
	x->seed = int_field(c, t, "seed", 0, INT64_C(1) << 53, -1);
	x->points = int_field(c, t, "points", 1, 1000000, 0);
	x->levels = int_field(c, t, "levels", 2, 1000, 0);
	if (field(c, t, "set", LUA_TTABLE, 1)) {
		size_t old = path_push(c, "set", 0);
		flatten(c, lua_gettop(L), "", &x->sets, &x->n_sets, 0);
		path_pop(c, old);
		lua_pop(L, 1);
	}
	if (field(c, t, "horizon", LUA_TNUMBER, 1)) {
		size_t old = path_push(c, "horizon", 0);
		push_literal(c, lua_gettop(L));
		lua_pushfstring(L, "horizon=%s", lua_tostring(L, -1));
		push_str(c, &x->sets, &x->n_sets, dup_lua(c, -1));
		path_pop(c, old);
		lua_pop(L, 3);
	}
	if (field(c, t, "vary", LUA_TTABLE, 1)) {
		read_vary(c, lua_gettop(L));
		lua_pop(L, 1);
	}
	if (field(c, t, "arms", LUA_TTABLE, 1)) {
		read_arms(c, lua_gettop(L));
		lua_pop(L, 1);
	}
}

static void read_outputs(ectx *c, int t)
{
	static const char *const known[] = { "file", "events" };
	lua_State *L = c->L;
	if (!field(c, t, "outputs", LUA_TTABLE, 1))
		return;
	int o = lua_gettop(L);
	size_t old = path_push(c, "outputs", 0);
	check_keys(c, o, known, 2, 0);
	c->x->out = str_field(c, o, "file");
	if (c->x->out && !*c->x->out)
		eerr(c, "file: expected a file name, got ''");
	if (field(c, o, "events", LUA_TBOOLEAN, 1)) {
		c->x->events = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	path_pop(c, old);
	lua_pop(L, 1);
}

static void read_vary(ectx *c, int t)
{
	lua_State *L = c->L;
	size_t old = path_push(c, "vary", 0);
	lua_Integer n = (lua_Integer)lua_rawlen(L, t);
	check_keys(c, t, NULL, 0, n);
	for (lua_Integer i = 1; i <= n; i++) {
		size_t o2 = path_push(c, NULL, i);
		if (lua_rawgeti(L, t, i) != LUA_TTABLE)
			eerr(c, "expected a table such as { \"cell.accuracy\", from = 0.5, "
			     "to = 1 }, got %s", esc_lua_typename(L, -1));
		vary_entry(c, lua_gettop(L));
		lua_settop(L, t);
		path_pop(c, o2);
	}
	path_pop(c, old);
}

static void read_arms(ectx *c, int t)
{
	static const char *const known[] = { "set" };
	lua_State *L = c->L;
	esc_experiment *x = c->x;
	size_t old = path_push(c, "arms", 0);
	lua_Integer n = (lua_Integer)lua_rawlen(L, t);
	check_keys(c, t, NULL, 0, n);
	if (n == 0)
		eerr(c, "expected at least one arm, as in { { \"cell\", set = ... } }");
	if (!(x->arms = calloc((size_t)n + 1, sizeof *x->arms)))
		luaL_error(L, "out of memory");
	for (lua_Integer i = 1; i <= n; i++) {
		size_t o2 = path_push(c, NULL, i);
		if (lua_rawgeti(L, t, i) != LUA_TTABLE)
			eerr(c, "expected a table such as { \"cell\", set = { cell = { "
			     "enabled = true } } }, got %s", esc_lua_typename(L, -1));
		int a = lua_gettop(L);
		check_keys(c, a, known, 1, 1);
		if (lua_rawgeti(L, a, 1) != LUA_TSTRING)
			eerr(c, "expected the arm's name first, as in { \"cell\", set = ... }");
		for (size_t j = 0; j < x->n_arms; j++)
			if (strcmp(x->arms[j].name, lua_tostring(L, -1)) == 0)
				eerr(c, "arm '%s' given twice", x->arms[j].name);
		esc_experiment_arm *arm = &x->arms[x->n_arms++];
		arm->name = dup_lua(c, -1);
		if (field(c, a, "set", LUA_TTABLE, 1)) {
			size_t o3 = path_push(c, "set", 0);
			flatten(c, lua_gettop(L), "", &arm->overrides, &arm->n_overrides, 0);
			path_pop(c, o3);
		}
		lua_settop(L, t);
		path_pop(c, o2);
	}
	path_pop(c, old);
}

/* Protected: (experiment, table) -> x. */
static int read_cf(lua_State *L)
{
	ectx c = { L, lua_touserdata(L, 1), "", 0 };
	read_top(&c, 2);
	read_outputs(&c, 2);
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* PATH's folder with REL appended (REL itself when absolute or when PATH
 * has no folder). */
static char *beside(const char *path, const char *rel)
{
	const char *slash = strrchr(path, '/');
	if (rel[0] == '/' || !slash)
		return strdup(rel);
	size_t n = (size_t)(slash - path) + 1;
	char *s = malloc(n + strlen(rel) + 1);
	if (s) {
		memcpy(s, path, n);
		strcpy(s + n, rel);
	}
	return s;
}

static esc_scenario *open_state(const char *path, esc_error *err)
{
	esc_scenario *s = esc_lua_state_new(path, NULL, NULL, err);
	if (s && esc_lua_state_open(s, err)) {
		esc_scenario_free(s);
		return NULL;
	}
	return s;
}

/* Run the file; leave its table on the stack and x->site set. */
static int run_file(esc_scenario *s, esc_experiment *x, const char *path,
                    esc_error *err)
{
	size_t len;
	char *text = esc_lua_read_file(path, &len);
	if (!text)
		return esc_error_set(err, errno == ENOMEM ? ESC_ERR_RUNTIME : ESC_ERR_INPUT,
		                     "%s: cannot read the experiment file: %s", path,
		                     strerror(errno));
	if (memchr(text, '\0', len)) {
		free(text);
		return esc_error_set(err, ESC_ERR_INPUT, "%s: not a text file (a NUL byte)",
		                     path);
	}
	lua_State *L = s->L;
	lua_pushcfunction(L, run_cf);
	lua_pushstring(L, path);
	lua_pushlstring(L, text, len);
	free(text);
	int st = esc_lua_pcall(s, 2, 1, path, err);
	if (st == ESC_OK) {
		lua_getfield(L, LUA_REGISTRYINDEX, REG_SITE);
		x->site = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : path);
		lua_pop(L, 1);
		if (!x->site)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	return st;
}

/* Each set's label for messages, naming the file and line. */
static int label_sets(esc_experiment *x, esc_error *err)
{
	if (!(x->set_labels = calloc(x->n_sets + 1, sizeof *x->set_labels)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < x->n_sets; i++) {
		size_t n = strlen(x->site) + strlen(x->sets[i]) + 16;
		if (!(x->set_labels[i] = malloc(n)))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		snprintf(x->set_labels[i], n, "%s: set '%s'", x->site, x->sets[i]);
	}
	return ESC_OK;
}

int esc_experiment_load(const char *path, esc_experiment *x, esc_error *err)
{
	memset(x, 0, sizeof *x);
	x->reps = x->seed = -1;
	x->events = -1;
	if (!(x->path = strdup(path)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	esc_scenario *s = open_state(path, err);
	if (!s)
		return err->status;
	int st = run_file(s, x, path, err);
	if (st == ESC_OK) {
		lua_pushcfunction(s->L, read_cf);
		lua_insert(s->L, -2);
		lua_pushlightuserdata(s->L, x);
		lua_insert(s->L, -2);
		st = esc_lua_pcall(s, 2, 0, path, err);
	}
	if (st == ESC_OK)
		st = label_sets(x, err);
	if (st == ESC_OK && x->scenario) {
		char *sc = beside(path, x->scenario);
		free(x->scenario);
		x->scenario = sc;
		if (!sc)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	esc_scenario_free(s);
	return st;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void esc_experiment_free(esc_experiment *x)
{
	if (!x)
		return;
	free(x->path);
	free(x->site);
	free(x->name);
	free(x->description);
	free(x->scenario);
	free(x->design);
	free(x->out);
	free_strs(x->vary, x->n_vary);
	if (x->set_labels)
		free_strs(x->set_labels, x->n_sets);
	free_strs(x->sets, x->n_sets);
	for (size_t a = 0; x->arms && a < x->n_arms; a++) {
		free(x->arms[a].name);
		free_strs(x->arms[a].overrides, x->arms[a].n_overrides);
	}
	free(x->arms);
	memset(x, 0, sizeof *x);
}
