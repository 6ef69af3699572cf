/* scenario.c: scenarios as the rest of the program sees them (scenario.h).
 *
 * Loading a file into a sandbox and checking it returned scenario{...}; the
 * sources it loaded (provenance); the limits it asks for; overrides
 * (KEY=VALUE, from --set and arms) applied to the base table or to an arm's
 * copy; and building an arm: deep copy, overrides, validation, policy.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

/* ---- scenario{} ----------------------------------------------------- */

/* scenario{...} marks its table (a weak registry set, invisible to scripts)
 * and remembers where it was called, for the prefix of validation errors. */
static int lua_scenario_fn(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, "scenario: expected a table, as in scenario{name = ..., parties = ...}, got %s",
		                  esc_lua_typename(L, 1));
	lua_settop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_MARKED);
	lua_pushvalue(L, 1);
	luaL_where(L, 1);                     /* "file:line: " */
	size_t n;
	const char *w = lua_tolstring(L, -1, &n);
	if (n >= 2 && w[n - 2] == ':' && w[n - 1] == ' ')
		lua_pushlstring(L, w, n - 2);
	else
		lua_pushliteral(L, "scenario");
	lua_remove(L, -2);
	lua_rawset(L, 2);
	lua_settop(L, 1);
	return 1;
}

void esc_lua_open_scenario(lua_State *L, int env)
{
	lua_pushcfunction(L, lua_scenario_fn);
	lua_setfield(L, env, "scenario");
}

/* ---- overrides -------------------------------------------------------- */

typedef struct override {
	char key[256];          /* as written: incidents.2.rate */
	char path[256];         /* normalised: incidents[2].rate */
	const char *value;      /* into the assignment */
	size_t value_len;
	const char *label;
	int is_duration;
	double hours;
} override;

static int is_component(const char *p, size_t n, int *numeric)
{
	*numeric = 0;
	if (n == 0)
		return 0;
	if (isdigit((unsigned char)p[0])) {
		if (p[0] == '0' || n > 9)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)p[i]))
				return 0;
		*numeric = 1;
		return 1;
	}
	return esc_lua_is_identifier(p, n, 200);
}

/* A duration: a decimal number and one of m, h, d, w. */
static int parse_duration(const char *v, size_t n, double *hours)
{
	if (n < 2)
		return 0;
	double per;
	switch (v[n - 1]) {
	case 'm': per = 1.0 / 60.0; break;
	case 'h': per = 1.0; break;
	case 'd': per = 24.0; break;
	case 'w': per = 168.0; break;
	default: return 0;
	}
	size_t digits = 0, dots = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (isdigit((unsigned char)v[i]))
			digits++;
		else if (v[i] == '.')
			dots++;
		else
			return 0;
	}
	if (digits == 0 || dots > 1 || n - 1 > 64)
		return 0;
	char buf[72];
	memcpy(buf, v, n - 1);
	buf[n - 1] = '\0';
	double x = strtod(buf, NULL);
	if (!isfinite(x))
		return 0;
	*hours = per == 1.0 / 60.0 ? x / 60.0 : x * per;
	return 1;
}

static int parse_override(override *o, const char *assignment, const char *label,
                          esc_error *err)
{
	memset(o, 0, sizeof *o);
	o->label = label;
	size_t alen = strlen(assignment), bad = esc_lua_utf8_bad(assignment, alen);
	if (bad < alen)     /* it goes into the results' command_line */
		return esc_error_set(err, ESC_ERR_INPUT, "%s: not UTF-8 text (byte 0x%02x at offset %zu)",
		                     label, (unsigned char)assignment[bad], bad);
	const char *eq = strchr(assignment, '=');
	const char *k = assignment, *ke = eq ? eq : assignment;
	while (k < ke && isspace((unsigned char)*k)) k++;
	while (ke > k && isspace((unsigned char)ke[-1])) ke--;
	const char *v = eq ? eq + 1 : NULL, *ve = v ? v + strlen(v) : NULL;
	while (v && v < ve && isspace((unsigned char)*v)) v++;
	while (v && ve > v && isspace((unsigned char)ve[-1])) ve--;
	if (!eq || k == ke || v == ve)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: expected KEY=VALUE", label);
	size_t kn = (size_t)(ke - k);
	if (kn >= sizeof o->key)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: KEY is too long", label);
	memcpy(o->key, k, kn);
	o->key[kn] = '\0';
	size_t pn = 0;
	for (const char *c = o->key;;) {
		const char *dot = strchr(c, '.');
		size_t n = dot ? (size_t)(dot - c) : strlen(c);
		int numeric;
		if (!is_component(c, n, &numeric))
			return esc_error_set(err, ESC_ERR_INPUT,
			                     "%s: KEY '%s' is not a dotted path of names and indices (like cell.latency or incidents.2.rate)",
			                     label, o->key);
		int w;
		if (numeric)
			w = snprintf(o->path + pn, sizeof o->path - pn, "[%.*s]", (int)n, c);
		else
			w = snprintf(o->path + pn, sizeof o->path - pn, "%s%.*s", pn ? "." : "", (int)n, c);
		if (w < 0 || (size_t)w >= sizeof o->path - pn)
			return esc_error_set(err, ESC_ERR_INPUT, "%s: KEY is too long", label);
		pn += (size_t)w;
		if (!dot)
			break;
		c = dot + 1;
	}
	o->value = v;
	o->value_len = (size_t)(ve - v);
	o->is_duration = parse_duration(v, o->value_len, &o->hours);
	return ESC_OK;
}

/* Protected: assign the override to the table at index t. */
static void apply_override(lua_State *L, int t, const override *o)
{
	t = lua_absindex(L, t);
	esc_lua_check_override_key(L, t, o->key, o->label);   /* inline policies */
	if (o->is_duration) {
		lua_pushnumber(L, o->hours);
	} else {
		lua_pushliteral(L, "return ");
		lua_pushlstring(L, o->value, o->value_len);
		lua_concat(L, 2);
		size_t n;
		const char *code = lua_tolstring(L, -1, &n);
		if (esc_lua_load_text(L, code, n, "=VALUE") != LUA_OK)
			luaL_error(L, "%s: VALUE is neither a duration (30m, 2h, 3d, 1w) nor a Lua value (%s)",
			           o->label, lua_tostring(L, -1));
		if (lua_pcall(L, 0, 1, 0) != LUA_OK)
			luaL_error(L, "%s: %s", o->label, lua_tostring(L, -1));
		/* A bare word is a global, nil unless the sandbox defines it:
		 * --horizon abc or --set cell.kind=fast would otherwise remove the
		 * key and run with its default.  Only `nil` itself removes it. */
		if (lua_isnil(L, -1) && !(o->value_len == 3 && memcmp(o->value, "nil", 3) == 0))
			luaL_error(L, "%s: VALUE '%s' is nil (an unknown name? a string needs quotes: "
			           "KEY='\"text\"'; nil itself removes the key)", o->label,
			           lua_tostring(L, -2) + 7);
		lua_remove(L, -2);
	}
	int v = lua_gettop(L);
	lua_pushvalue(L, t);
	char prefix[256];
	size_t pn = 0;
	for (const char *c = o->key;;) {
		const char *dot = strchr(c, '.');
		size_t n = dot ? (size_t)(dot - c) : strlen(c);
		int numeric;
		is_component(c, n, &numeric);
		if (numeric)
			lua_pushinteger(L, strtol(c, NULL, 10));
		else
			lua_pushlstring(L, c, n);
		if (!dot) {
			lua_pushvalue(L, v);
			lua_rawset(L, -3);
			break;
		}
		lua_pushvalue(L, -1);
		int ty = lua_rawget(L, -3);
		memcpy(prefix + pn, c, n);      /* n < 256 - pn: the key fits in 256 */
		pn += n;
		prefix[pn] = '\0';
		if (ty == LUA_TNIL) {
			lua_pop(L, 1);
			lua_newtable(L);
			lua_pushvalue(L, -1);
			lua_insert(L, -3);          /* parent, new, key, new */
			lua_rawset(L, -4);
			lua_remove(L, -2);
		} else if (ty != LUA_TTABLE) {
			luaL_error(L, "%s: %s is a %s, not a table", o->label, prefix,
			           esc_lua_typename(L, -1));
		} else {
			lua_remove(L, -2);          /* key */
			lua_remove(L, -2);          /* parent */
		}
		prefix[pn++] = '.';
		c = dot + 1;
	}
	lua_settop(L, v - 1);
}

/* ---- loading ---------------------------------------------------------- */

typedef struct load_job {
	esc_scenario *s;
	const char *text;
	size_t len;
} load_job;

static int load_cf(lua_State *L)
{
	load_job *job = lua_touserdata(L, 1);
	esc_scenario *s = job->s;
	const char *chunk = lua_pushfstring(L, "@%s", s->path);
	if (esc_lua_load_marked(L, job->text, job->len, chunk) != LUA_OK)
		return lua_error(L);
	lua_call(L, 0, 1);
	int ret = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_MARKED);
	lua_pushvalue(L, ret);
	if (lua_type(L, ret) != LUA_TTABLE || lua_rawget(L, -2) != LUA_TSTRING)
		return luaL_error(L, "%s: the file must return scenario{...}, but it returned %s",
		                  s->path, lua_type(L, ret) == LUA_TTABLE ? "a plain table" :
		                  esc_lua_typename(L, ret));
	snprintf(s->site, sizeof s->site, "%s", lua_tostring(L, -1));
	lua_pushvalue(L, ret);
	s->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* Protected: the name and the Lua limits the base table asks for.  Errors
 * start with where the value came from: the scenario{} call, or the --set
 * that changed it. */
typedef struct base_job {
	esc_scenario *s;
	const char *origin;
} base_job;

static const char *num_text(lua_State *L, int idx, int t)
{
	if (t != LUA_TNUMBER)
		return esc_lua_typename(L, idx);
	char b[32];
	snprintf(b, sizeof b, "%.14g", lua_tonumber(L, idx));
	return lua_pushstring(L, b);
}

static int read_base_cf(lua_State *L)
{
	base_job *job = lua_touserdata(L, 1);
	esc_scenario *s = job->s;
	const char *o = job->origin ? job->origin : s->site;
	lua_rawgeti(L, LUA_REGISTRYINDEX, s->base_ref);
	int base = lua_gettop(L);
	if (lua_getfield(L, base, "name") == LUA_TSTRING)
		snprintf(s->name, sizeof s->name, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (lua_getfield(L, base, "limits") != LUA_TTABLE)
		return 0;
	int lim = lua_gettop(L);
	size_t memory = 0;
	double cpu = 0;
	char msg[1100] = "";
	int t = lua_getfield(L, lim, "memory");
	double x = lua_tonumber(L, -1);
	if (t != LUA_TNIL && (t != LUA_TNUMBER || !(x >= (double)ESC_LUA_MIN_MEMORY && x <= ESC_LUA_MAX_MEMORY)))
		snprintf(msg, sizeof msg, "limits.memory: expected a number of bytes from 1 MiB (1048576) "
		         "to %g, got %s", ESC_LUA_MAX_MEMORY, num_text(L, -1, t));
	else if (t != LUA_TNIL)
		memory = (size_t)x;
	t = lua_getfield(L, lim, "cpu");
	x = lua_tonumber(L, -1);
	if (!msg[0] && t != LUA_TNIL && (t != LUA_TNUMBER || !(x >= ESC_LUA_MIN_CPU_S && x <= ESC_LUA_MAX_CPU_S)))
		snprintf(msg, sizeof msg, "limits.cpu: expected seconds of CPU time per call from %g to %g, got %s",
		         ESC_LUA_MIN_CPU_S, ESC_LUA_MAX_CPU_S, num_text(L, -1, t));
	else if (t != LUA_TNIL)
		cpu = x;
	if (!msg[0] && lua_getfield(L, lim, "instructions") != LUA_TNIL)
		snprintf(msg, sizeof msg, "limits.instructions: no longer a limit: a script call now has a "
		         "budget of CPU time, limits.cpu (seconds per call, default %g)", ESC_LUA_DEFAULT_CPU_S);
	if (!msg[0] && s->mem_ceiling && memory > s->mem_ceiling)
		snprintf(msg, sizeof msg, "limits.memory: at most %zu bytes here, got %zu", s->mem_ceiling, memory);
	if (!msg[0] && s->cpu_ceiling_s > 0 && cpu > s->cpu_ceiling_s)
		snprintf(msg, sizeof msg, "limits.cpu: at most %g s here, got %g", s->cpu_ceiling_s, cpu);
	esc_error e = {0};
	if (!msg[0] && esc_lua_set_limits(s, memory, cpu, &e))
		snprintf(msg, sizeof msg, "%s", e.msg);
	if (msg[0])
		return luaL_error(L, "%s: %s", o, msg);
	return 0;
}

/* Read the name and limits again; origin: the override, or NULL. */
static int read_base(esc_scenario *s, const char *origin, const char *what, esc_error *err)
{
	base_job job = {s, origin};
	lua_pushcfunction(s->L, read_base_cf);
	lua_pushlightuserdata(s->L, &job);
	return esc_lua_pcall(s, 1, 0, what, err);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	size_t n = (size_t)(slash - path);
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

esc_scenario *esc_lua_state_new(const char *path, const char *search_path,
                                const esc_script_limits *limits, esc_error *err)
{
	esc_scenario *s = calloc(1, sizeof *s);
	if (!s) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	s->base_ref = LUA_NOREF;
	s->mem_limit = limits && limits->memory_bytes ? limits->memory_bytes : ESC_LUA_DEFAULT_MEMORY;
	esc_lua_set_limits(s, 0, limits && limits->cpu_s_per_call > 0 ? limits->cpu_s_per_call
	                                                             : ESC_LUA_DEFAULT_CPU_S, NULL);
	s->interrupt = limits ? limits->interrupt : NULL;
	if (limits && limits->ceiling) {
		s->mem_ceiling = s->mem_limit;
		s->cpu_ceiling_s = s->cpu_budget_s;
	}
	snprintf(s->name, sizeof s->name, "unnamed");
	s->path = strdup(path);
	s->dir = dir_of(path);
	if (search_path)
		s->search_path = strdup(search_path);
	if (!s->path || !s->dir || (search_path && !s->search_path)) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		esc_scenario_free(s);
		return NULL;
	}
	return s;
}

/* Protected: the libraries above the sandbox into its environment: the
 * distributions, the `sim` table, scenario{} and require. */
static int open_libraries_cf(lua_State *L)
{
	esc_lua_push_env(L);
	int env = lua_gettop(L);
	esc_lua_open_dist(L, env);
	esc_lua_open_sim(L, env);
	esc_lua_open_scenario(L, env);
	esc_lua_open_require(L, env);
	return 0;
}

int esc_lua_state_open(esc_scenario *s, esc_error *err)
{
	if (!s->search_path && !(s->search_path = esc_lua_default_search_path(s->dir)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (esc_lua_open(s, err))
		return err->status;
	lua_pushcfunction(s->L, open_libraries_cf);
	return esc_lua_pcall(s, 0, 0, "creating the Lua sandbox", err);
}

/* The part of loading shared by files and buffers: path names the source
 * in messages; text[0..len) is it. */
static esc_scenario *load(const char *path, const char *text, size_t len,
                          const char *search_path, const esc_script_limits *limits,
                          esc_error *err)
{
	esc_scenario *s = esc_lua_state_new(path, search_path, limits, err);
	if (!s)
		return NULL;
	/* Sources are kept as C strings (provenance, SHA-256) and written to
	 * the results as UTF-8 text: a NUL byte would cut them short of what
	 * Lua reads, other bytes would make the file's text invalid. */
	if (esc_lua_check_source(path, text, len, err)) {
		esc_scenario_free(s);
		return NULL;
	}
	if (esc_lua_add_source(s, "scenario", path, text)) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		esc_scenario_free(s);
		return NULL;
	}
	if (esc_lua_state_open(s, err)) {
		esc_scenario_free(s);
		return NULL;
	}
	load_job job = {s, s->sources[0].text, len};
	lua_pushcfunction(s->L, load_cf);
	lua_pushlightuserdata(s->L, &job);
	if (esc_lua_pcall(s, 1, 0, path, err)) {
		esc_scenario_free(s);
		return NULL;
	}
	if (read_base(s, NULL, path, err)) {
		esc_scenario_free(s);
		return NULL;
	}
	return s;
}

esc_scenario *esc_scenario_load(const char *path, const char *search_path,
                                const esc_script_limits *limits, esc_error *err)
{
	size_t len;
	char *text = esc_lua_read_file(path, &len);
	if (!text) {
		esc_error_set(err, errno == ENOMEM ? ESC_ERR_RUNTIME : ESC_ERR_INPUT,
		              "%s: cannot read the scenario: %s", path, esc_lua_read_error(errno));
		return NULL;
	}
	esc_scenario *s = load(path, text, len, search_path, limits, err);
	free(text);
	return s;
}

esc_scenario *esc_scenario_load_buffer(const char *name, const char *text, size_t len,
                                       const char *search_path,
                                       const esc_script_limits *limits, esc_error *err)
{
	/* NUL-terminated for the source record; the bytes as given. */
	char *copy = malloc(len + 1);
	if (!copy) {
		esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	esc_scenario *s = load(name, copy, len, search_path, limits, err);
	free(copy);
	return s;
}

void esc_scenario_free(esc_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_policies; i++)
		esc_lua_policy_free(s->L, s->policies[i]);
	free(s->policies);
	esc_lua_close(s);
	for (size_t i = 0; i < s->n_sources; i++) {
		free((char *)s->sources[i].name);
		free((char *)s->sources[i].path);
		free((char *)s->sources[i].text);
	}
	free(s->sources);
	for (size_t i = 0; i < s->n_sets; i++)
		free(s->sets[i].label);
	free(s->sets);
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	free(s->path);
	free(s->dir);
	free(s->search_path);
	free(s->traceback);
	free(s);
}

/* ---- --set -------------------------------------------------------------- */

typedef struct set_job {
	esc_scenario *s;
	const override *o;
} set_job;

static int set_cf(lua_State *L)
{
	set_job *job = lua_touserdata(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, job->s->base_ref);
	apply_override(L, -1, job->o);
	return 0;
}

static char *make_label(const char *kind, const char *assignment)
{
	size_t n = strlen(kind) + strlen(assignment) + 8;
	char *l = malloc(n);
	if (l)
		snprintf(l, n, "%s '%s'", kind, assignment);
	return l;
}

int esc_scenario_set(esc_scenario *s, const char *assignment, esc_error *err)
{
	return esc_scenario_set_as(s, assignment, NULL, err);
}

int esc_scenario_set_as(esc_scenario *s, const char *assignment, const char *as,
                        esc_error *err)
{
	esc_lua_override *sets = realloc(s->sets, (s->n_sets + 1) * sizeof *sets);
	if (!sets)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	s->sets = sets;
	char *label = as ? strdup(as) : make_label("--set", assignment);
	if (!label)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	override o;
	if (parse_override(&o, assignment, label, err)) {
		free(label);
		return err->status;
	}
	set_job job = {s, &o};
	lua_pushcfunction(s->L, set_cf);
	lua_pushlightuserdata(s->L, &job);
	if (esc_lua_pcall(s, 1, 0, label, err)) {
		free(label);
		return err->status;
	}
	esc_lua_override *rec = &s->sets[s->n_sets++];
	snprintf(rec->path, sizeof rec->path, "%s", o.path);
	rec->label = label;
	/* --set name=... or limits.* take effect at once; an error in them is
	 * the option's when it set them */
	int mine = strcmp(o.path, "limits") == 0 || strncmp(o.path, "limits.", 7) == 0;
	return read_base(s, mine ? label : NULL, label, err);
}

/* ---- arms ----------------------------------------------------------------- */

typedef struct arm_job {
	esc_scenario *s;
	const override *ov;
	size_t n_ov;
	const esc_lua_override *rec;   /* --set history then the arm's */
	size_t n_rec;
	esc_config *cfg;
} arm_job;

/* Protected: copy, override, validate; returns the arm table. */
static int arm_cf(lua_State *L)
{
	arm_job *job = lua_touserdata(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, job->s->base_ref);
	esc_lua_deep_copy(L, -1, 1);      /* with where each table was written, for messages */
	lua_remove(L, -2);
	for (size_t i = 0; i < job->n_ov; i++)
		apply_override(L, -1, &job->ov[i]);
	esc_lua_validate(L, job->s, job->cfg, job->rec, job->n_rec);
	return 1;
}

/* Protected: (arm table, policy) */
static int bind_cf(lua_State *L)
{
	esc_lua_policy *p = lua_touserdata(L, 2);
	lua_settop(L, 1);
	esc_lua_policy_bind(L, p);
	return 0;
}

static void clear_warnings(esc_scenario *s)
{
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	s->warnings = NULL;
	s->n_warnings = 0;
}

int esc_scenario_arm(esc_scenario *s, const char *const *overrides, size_t n,
                     esc_config *cfg, esc_policy *policy, esc_error *err)
{
	return esc_scenario_arm_as(s, overrides, NULL, n, cfg, policy, err);
}

int esc_scenario_arm_as(esc_scenario *s, const char *const *overrides,
                        const char *const *labels, size_t n, esc_config *cfg,
                        esc_policy *policy, esc_error *err)
{
	memset(cfg, 0, sizeof *cfg);
	if (policy)
		memset(policy, 0, sizeof *policy);
	clear_warnings(s);
	int rc = ESC_OK;
	override *ov = calloc(n ? n : 1, sizeof *ov);
	esc_lua_override *rec = calloc(s->n_sets + n + 1, sizeof *rec);
	esc_lua_policy **pl = realloc(s->policies, (s->n_policies + 1) * sizeof *pl);
	if (pl)
		s->policies = pl;
	if (!ov || !rec || !pl) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < s->n_sets; i++)
		rec[i] = s->sets[i];                 /* labels shared, not owned */
	for (size_t i = 0; i < n; i++) {
		char *label = labels && labels[i] ? strdup(labels[i])
		                                  : make_label("override", overrides[i]);
		if (!label) {
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			goto done;
		}
		rec[s->n_sets + i].label = label;
		if ((rc = parse_override(&ov[i], overrides[i], label, err)))
			goto done;
		snprintf(rec[s->n_sets + i].path, sizeof rec->path, "%s", ov[i].path);
	}
	arm_job job = {s, ov, n, rec, s->n_sets + n, cfg};
	lua_pushcfunction(s->L, arm_cf);
	lua_pushlightuserdata(s->L, &job);
	if ((rc = esc_lua_pcall(s, 1, 1, s->path, err))) {
		esc_config_free(cfg);
		goto done;
	}
	if (!policy) {
		lua_pop(s->L, 1);
		goto done;
	}
	/* The policy's C part is sized by the validated config; the Lua part
	 * binds in a second protected call, so an error there leaks nothing. */
	esc_lua_policy *p = esc_lua_policy_alloc(s, cfg);
	if (!p) {
		lua_pop(s->L, 1);
		esc_config_free(cfg);
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		goto done;
	}
	lua_pushcfunction(s->L, bind_cf);
	lua_insert(s->L, -2);
	lua_pushlightuserdata(s->L, p);
	if ((rc = esc_lua_pcall(s, 2, 0, "binding the policies", err))) {
		esc_lua_policy_free(s->L, p);
		esc_config_free(cfg);
		goto done;
	}
	s->policies[s->n_policies++] = p;        /* freed with the scenario */
	policy->type = &esc_lua_policy_type;
	policy->self = p;
done:
	for (size_t i = 0; i < n && rec; i++)
		free(rec[s->n_sets + i].label);
	free(rec);
	free(ov);
	return rc;
}

void esc_scenario_release(esc_scenario *s, esc_policy *policy)
{
	if (!s || !policy || !policy->self)
		return;
	for (size_t i = 0; i < s->n_policies; i++)
		if (s->policies[i] == policy->self) {
			esc_lua_policy_free(s->L, s->policies[i]);
			s->policies[i] = s->policies[--s->n_policies];
			break;
		}
	policy->type = NULL;
	policy->self = NULL;
}

int esc_scenario_describe_policies(esc_scenario *s, const esc_policy *policy, struct cJSON *into,
                                   esc_error *err)
{
	for (size_t i = 0; policy && i < s->n_policies; i++)
		if (s->policies[i] == policy->self)
			return esc_lua_policy_describe(s->policies[i], into, err);
	return esc_error_set(err, ESC_ERR_RUNTIME, "describe: not a policy of this scenario");
}

char *esc_scenario_luals(esc_scenario *s, esc_error *err)
{
	return esc_lua_luals(s, err);
}

const char *esc_scenario_name(const esc_scenario *s)
{
	return s->name;
}

size_t esc_scenario_sources(const esc_scenario *s, const esc_script_source **out)
{
	if (out)
		*out = s->sources;
	return s->n_sources;
}

const char *esc_scenario_lua_version(void)
{
	return LUA_RELEASE;
}

const char *const *esc_scenario_warnings(const esc_scenario *s)
{
	static const char *const none[] = {NULL};
	return s->n_warnings ? (const char *const *)s->warnings : none;
}
