/* module.c: the fit as a Lua module a scenario can require.
 *
 * The module returns a table M:
 *   M.data       the export: file, sha256, period, rows
 *   M.gof        the goodness of fit
 *   M.streams    per background stream (actor, type): rate and zone shares
 *   M.incidents  the scenario's generators with their fitted rates
 *   M.hawkes     the scenario's excitation rules with their fitted kernels
 *   M.types      per fitted type: fatalities_mil and fatalities_civ
 *   M.apply(s)   puts all of that into a scenario table s
 * Every estimate is followed by its 95% profile-likelihood interval as a
 * comment, or "held" where the fit kept the scenario's value.
 *
 * The file is written through NAME.partial and renamed, and an existing
 * file is replaced only when its first line says escsim fit wrote it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>

#include "fit_impl.h"

#define MODULE_MARK "-- fitted by escsim fit"

/* ---- writing a file ----------------------------------------------------- */

static int is_module(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char line[64] = "";
	int ok = fgets(line, sizeof line, f) && strncmp(line, MODULE_MARK, strlen(MODULE_MARK)) == 0;
	fclose(f);
	return ok;
}


int fit_check_output(const char *path, int (*ours)(const char *path), const char *what,
                     esc_error *err)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return esc_error_set(err, ESC_ERR_INPUT, "%s: exists and is not a regular file", path);
		if (!ours(path))
			return esc_error_set(err, ESC_ERR_INPUT, "%s: exists and is not a %s escsim wrote: not "
			                     "replacing it (remove it, or choose another name)", path, what);
	}
	/* the folder it goes in must take a new file */
	size_t n = strlen(path);
	char *dir = malloc(n + 2);
	if (!dir)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	memcpy(dir, path, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';       /* "/x" -> "/" */
	int ok = access(dir, W_OK | X_OK) == 0;
	int e = errno;
	int rc = ok ? 0 : esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write in '%s': %s", path, dir,
	                                 strerror(e));
	free(dir);
	return rc;
}

int esc_fit_check_output(const char *path, int synthetic, esc_error *err)
{
	return synthetic ? fit_check_output(path, fit_is_synthetic, "synthetic export", err)
	                 : fit_check_output(path, is_module, "module", err);
}

int fit_write_file(const char *path, const char *text, size_t len,
                   int (*ours)(const char *path), const char *what, esc_error *err)
{
	int rc0 = fit_check_output(path, ours, what, err);
	if (rc0)
		return rc0;
	size_t n = strlen(path);
	char *tmp = malloc(n + 9);
	if (!tmp)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	snprintf(tmp, n + 9, "%s.partial", path);
	FILE *f = fopen(tmp, "wb");
	int rc = 0;
	if (!f) {
		rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write: %s", tmp, strerror(errno));
	} else {
		int bad = fwrite(text, 1, len, f) != len;
		bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
		int e = errno;
		bad |= fclose(f) != 0;
		if (bad)
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot write: %s", tmp, strerror(e ? e : EIO));
		else if (rename(tmp, path) != 0)
			rc = esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		if (rc)
			remove(tmp);
	}
	free(tmp);
	return rc;
}

/* ---- Lua text ----------------------------------------------------------- */

static void lua_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(o, "\\%03u", c);
		else
			fputc(c, o);
	}
	fputc('"', o);
}

/* An estimate's comment: its interval, in the unit the value is written in. */
static void interval(FILE *o, double level, const esc_fit_estimate *e, double scale, const char *unit)
{
	if (e->held) {
		fprintf(o, "  -- held: %s", e->note);
		return;
	}
	fprintf(o, "  -- %g%% [%.4g, ", 100 * level, e->lo * scale);
	if (isinf(e->hi))
		fprintf(o, "no upper bound]");
	else
		fprintf(o, "%.4g]", e->hi * scale);
	if (unit)
		fprintf(o, " %s", unit);
}

static const esc_fit_estimate *find(const esc_fit *f, esc_fit_kind kind, int rule, int type, int zone, int actor)
{
	for (size_t i = 0; i < f->n_est; i++) {
		const esc_fit_estimate *e = &f->est[i];
		if (e->kind == kind && e->rule == rule && e->type == type && e->zone == zone && e->actor == actor)
			return e;
	}
	return NULL;
}

static void header(FILE *o, const esc_fit *f, const char *path, const char *command_line)
{
	const esc_fit_data_info *di = &f->data.info;
	char a[11], b[11], now[32];
	esc_fit_format_day(di->first_day, a);
	esc_fit_format_day(di->last_day, b);
	time_t t = time(NULL);
	struct tm tm;
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	const char *base = strrchr(path, '/');
	fprintf(o, MODULE_MARK " %s on %s from scenario '%s'\n", ESCSIM_VERSION, now, f->scenario_name);
	if (command_line)
		fprintf(o, "--   %s\n", command_line);
	fprintf(o, "--\n-- Maximum likelihood; each estimate is followed by its %g%% profile-likelihood\n"
	        "-- interval, or by \"held\" where the fit kept the scenario's value.  How to use\n"
	        "-- it, and what the fit assumes: docs/calibration.md.  In a scenario:\n"
	        "--\n--   local fit = require \"%.*s\"\n--   return scenario(fit.apply { ... the scenario's table ... })\n--\n",
	        100 * f->level, (int)strcspn(base ? base + 1 : path, "."), base ? base + 1 : path);
	fprintf(o, "-- data       %s\n--   sha256   %s\n--   period   %s .. %s (%d days)\n", f->data.path,
	        di->sha256, a, b, di->last_day - di->first_day + 1);
	fprintf(o, "--   rows     %zu: %zu fitted, %zu in no fitted stream, %zu dropped by the mapping, "
	        "%zu outside the period", di->rows, di->fitted, di->in_period - di->fitted - di->unexplained,
	        di->dropped, di->outside_period);
	if (di->unexplained)
		fprintf(o, ",\n--            %zu before anything excited their cell", di->unexplained);
	fprintf(o, "\n");
	fprintf(o, "-- goodness of fit\n--   time rescaling: Kolmogorov-Smirnov D = %.4f, p = %.3g over %zu gaps\n",
	        f->gof.ks_d, f->gof.ks_p, f->gof.n_residuals);
	if (f->gof.supercritical)
		fprintf(o, "--   weekly counts: none: the fitted excitation is supercritical (the scenario\n"
		        "--   refuses it: see docs/calibration.md)\n");
	else if (f->gof.reps > 0)
		fprintf(o, "--   weekly counts: %zu of %zu stream-weeks inside the 5-95%% band of %lld "
		        "simulated periods\n", f->gof.weeks_inside, f->gof.weeks, (long long)f->gof.reps);
	fprintf(o, "\nlocal M = {}\n\nM.data = {\n  file = ");
	lua_str(o, f->data.path);
	fprintf(o, ",\n  sha256 = \"%s\",\n  first_day = \"%s\", last_day = \"%s\", days = %d,\n"
	        "  rows = %zu, fitted = %zu,\n}\n\n", di->sha256, a, b, di->last_day - di->first_day + 1,
	        di->rows, di->fitted);
	fprintf(o, "M.gof = { ks_d = %.6g, ks_p = %.6g, gaps = %zu, weeks = %zu, weeks_inside = %zu, reps = %lld }\n\n",
	        f->gof.ks_d, f->gof.ks_p, f->gof.n_residuals, f->gof.weeks, f->gof.weeks_inside,
	        (long long)f->gof.reps);
}

static void streams(FILE *o, const esc_fit *f)
{
	const esc_config *cfg = &f->cfg;
	const fit_layout *L = &f->L;
	fprintf(o, "-- Background rate of each stream (actor, type), mean over the period, and\n"
	        "-- its split between zones.\nM.streams = {\n");
	for (size_t s = 0; s < L->n_streams; s++) {
		const fit_stream *st = &L->stream[s];
		if (st->rate_par < 0)
			continue;
		const esc_fit_estimate *e = find(f, ESC_FIT_RATE, -1, st->type, -1, st->actor);
		fprintf(o, "  { actor = ");
		lua_str(o, cfg->parties[st->actor].name);
		fprintf(o, ", type = ");
		lua_str(o, cfg->types[st->type].name);
		fprintf(o, ", rate = per_day(%.6g),", e->value * 24);
		interval(o, f->level, e, 24, "per day");
		fprintf(o, "\n    zones = {\n");
		for (size_t c = 0; c < L->n_cells; c++) {
			const fit_cell *ce = &L->cell[c];
			if (ce->stream != (int)s || ce->share_par < 0)
				continue;
			const esc_fit_estimate *z = find(f, ESC_FIT_ZONE_SHARE, -1, ce->type, ce->zone, ce->actor);
			fprintf(o, "      [");
			lua_str(o, cfg->zones[ce->zone]);
			fprintf(o, "] = %.6g,", z->value);
			interval(o, f->level, z, 1, NULL);
			fprintf(o, "\n");
		}
		fprintf(o, "    } },\n");
	}
	fprintf(o, "}\n\n");
}

static int incidents(FILE *o, const esc_fit *f)
{
	const esc_config *cfg = &f->cfg;
	double *rate = malloc((cfg->n_generators ? cfg->n_generators : 1) * sizeof *rate);
	if (!rate || fit_apply(f, NULL, rate, NULL)) {
		free(rate);
		return -1;
	}
	fprintf(o, "-- The scenario's generators with the fitted rates, in its order (a cell's\n"
	        "-- rate split between its generators as the scenario splits it, and divided\n"
	        "-- by the generator's mean regime multiplier over the horizon).\nM.incidents = {\n");
	for (size_t g = 0; g < cfg->n_generators; g++) {
		const esc_generator *gen = &cfg->generators[g];
		fprintf(o, "  { actor = ");
		lua_str(o, cfg->parties[gen->actor].name);
		fprintf(o, ", target = ");
		lua_str(o, cfg->parties[gen->target].name);
		fprintf(o, ", type = ");
		lua_str(o, cfg->types[gen->type].name);
		fprintf(o, ", zone = ");
		lua_str(o, cfg->zones[gen->zone]);
		fprintf(o, ", rate = per_day(%.6g)", rate[g] * 24);
		if (gen->regime_multiplier) {
			fprintf(o, ",\n    regime = {");
			for (size_t s = 0; s < cfg->regime.n_states; s++) {
				fprintf(o, " [");
				lua_str(o, cfg->regime.names[s]);
				fprintf(o, "] = %.17g,", gen->regime_multiplier[s]);
			}
			fprintf(o, " }");
		}
		fprintf(o, " },  -- mean regime multiplier %.4g\n", f->regime_mean[g]);
	}
	fprintf(o, "}\n\n");
	free(rate);
	return 0;
}

static void match(FILE *o, const esc_config *cfg, const char *key, int actor, int target, int type, int zone)
{
	fprintf(o, "%s = {", key);
	const char *k[4] = { "actor", "target", "type", "zone" };
	int v[4] = { actor, target, type, zone };
	for (int i = 0; i < 4; i++) {
		if (v[i] < 0)
			continue;
		fprintf(o, " %s = ", k[i]);
		lua_str(o, i < 2 ? cfg->parties[v[i]].name : i == 2 ? cfg->types[v[i]].name : cfg->zones[v[i]]);
		fprintf(o, ",");
	}
	fprintf(o, " }");
}

static void hawkes(FILE *o, const esc_fit *f)
{
	const esc_config *cfg = &f->cfg;
	fprintf(o, "-- The scenario's excitation rules with the fitted kernels.\nM.hawkes = {\n");
	for (size_t r = 0; r < cfg->n_excitations; r++) {
		const esc_excitation *x = &cfg->excitations[r];
		fprintf(o, "  {\n    ");
		match(o, cfg, "from", x->from_actor, x->from_target, x->from_type, -1);
		fprintf(o, ",\n    ");
		match(o, cfg, "to", x->to_actor, x->to_target, x->to_type, x->to_zone);
		fprintf(o, ",\n");
		const esc_fit_estimate *e = find(f, ESC_FIT_BRANCHING, (int)r, -1, -1, -1);
		fprintf(o, "    n = %.6g,", e->value);
		interval(o, f->level, e, 1, NULL);
		e = find(f, ESC_FIT_FAST_MEAN, (int)r, -1, -1, -1);
		fprintf(o, "\n    fast_mean = days(%.6g),", e->value / 24);
		interval(o, f->level, e, 1.0 / 24, "days");
		e = find(f, ESC_FIT_SLOW_MEAN, (int)r, -1, -1, -1);
		fprintf(o, "\n    slow_mean = days(%.6g),", e->value / 24);
		interval(o, f->level, e, 1.0 / 24, "days");
		e = find(f, ESC_FIT_FAST_SHARE, (int)r, -1, -1, -1);
		fprintf(o, "\n    fast_share = %.6g,", e->value);
		interval(o, f->level, e, 1, NULL);
		fprintf(o, "\n    per_fatality = %.17g,  -- held: the scenario's\n  },\n", x->per_fatality);
	}
	fprintf(o, "}\n\n");
}

static void types(FILE *o, const esc_fit *f)
{
	const esc_config *cfg = &f->cfg;
	fprintf(o, "-- Deaths per incident of each type: the zinb fitted to the export's total,\n"
	        "-- split between military and civilian by the scenario's military share q\n"
	        "-- (zinb{zero, q mean, dispersion} and zinb{zero, (1 - q) mean, dispersion}).\n"
	        "M.types = {\n");
	for (size_t i = 0; i < f->n_casualties; i++) {
		const fit_casualty *c = &f->cas[i];
		const char *name = cfg->types[c->type].name;
		const esc_fit_estimate *z = find(f, ESC_FIT_ZERO, -1, c->type, -1, -1);
		const esc_fit_estimate *m = find(f, ESC_FIT_MEAN, -1, c->type, -1, -1);
		const esc_fit_estimate *k = find(f, ESC_FIT_DISPERSION, -1, c->type, -1, -1);
		fprintf(o, "  -- %s: %zu events, %zu with deaths; total deaths per event zinb {\n", name,
		        c->data.events, c->data.lethal);
		if (!c->fitted) {
			fprintf(o, "  --   none: no event of the period killed anyone }\n");
		} else {
			fprintf(o, "  --   zero = %.4g", z->value);
			interval(o, f->level, z, 1, NULL);
			fprintf(o, "\n  --   mean = %.4g", m->value);
			interval(o, f->level, m, 1, NULL);
			fprintf(o, "\n  --   dispersion = %.4g", k->value);
			interval(o, f->level, k, 1, NULL);
			fprintf(o, " }\n");
		}
		fprintf(o, "  [");
		lua_str(o, name);
		fprintf(o, "] = {  -- military share q = %.4g (the scenario's)\n", c->mil_share);
		if (c->mil_share > 0)
			fprintf(o, "    fatalities_mil = zinb { zero = %.6g, mean = %.6g, dispersion = %.6g },\n",
			        c->zero, c->mil_share * c->mean, c->dispersion);
		if (c->mil_share < 1)
			fprintf(o, "    fatalities_civ = zinb { zero = %.6g, mean = %.6g, dispersion = %.6g },\n",
			        c->zero, (1 - c->mil_share) * c->mean, c->dispersion);
		fprintf(o, "  },\n");
	}
	fprintf(o, "}\n\n");
}

static void apply_fn(FILE *o, const char *modname)
{
	fprintf(o,
	"-- M.apply(s): the fit put into a scenario table s (before scenario{}): the\n"
	"-- rate of each incident generator, the kernels of each hawkes rule and the\n"
	"-- casualties of each fitted type.  s must have the generators and rules the\n"
	"-- fit was made from, in the same order.  Returns s.\n"
	"function M.apply(s)\n"
	"  local where = %s\n"
	"  local gens, rules = s.incidents or {}, s.hawkes or {}\n"
	"  if #gens ~= #M.incidents or #rules ~= #M.hawkes then\n"
	"    error(string.format(\"%%s: the scenario has %%d incidents and %%d hawkes rules, the fit %%d and %%d\",\n"
	"      where, #gens, #rules, #M.incidents, #M.hawkes), 2)\n"
	"  end\n"
	"  for i, g in ipairs(M.incidents) do\n"
	"    local x = gens[i]\n"
	"    if type(x) ~= \"table\" or x.actor ~= g.actor or x.target ~= g.target or x.type ~= g.type or x.zone ~= g.zone then\n"
	"      error(string.format(\"%%s: incidents[%%d] is not %%s -> %%s %%s in %%s, as in the scenario the fit was made from\",\n"
	"        where, i, g.actor, g.target, g.type, g.zone), 2)\n"
	"    end\n"
	"    x.rate = g.rate\n"
	"  end\n"
	"  for i, h in ipairs(M.hawkes) do\n"
	"    local x = rules[i]\n"
	"    if type(x) ~= \"table\" then error(string.format(\"%%s: hawkes[%%d] is not a rule\", where, i), 2) end\n"
	"    x.n, x.fast_mean, x.slow_mean, x.fast_share = h.n, h.fast_mean, h.slow_mean, h.fast_share\n"
	"  end\n"
	"  for name, t in pairs(M.types) do\n"
	"    local x = s.types and s.types[name]\n"
	"    if type(x) ~= \"table\" then error(string.format(\"%%s: the scenario has no type %%s\", where, name), 2) end\n"
	"    x.fatalities_mil, x.fatalities_civ = t.fatalities_mil, t.fatalities_civ\n"
	"  end\n"
	"  return s\n"
	"end\n\nreturn M\n", modname);
}

int esc_fit_write_module(const esc_fit *f, const char *path, const char *command_line, esc_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	if (!o)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	header(o, f, path, command_line);
	streams(o, f);
	int bad = incidents(o, f);
	hawkes(o, f);
	types(o, f);
	/* the module's name for apply's messages, as a Lua string */
	char where[300];
	const char *base = strrchr(path, '/');
	size_t n = (size_t)snprintf(where, sizeof where, "\"fitted module ");
	for (const char *p = base ? base + 1 : path; *p && n < sizeof where - 2; p++)
		where[n++] = *p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ? '_' : *p;
	where[n++] = '"';
	where[n] = '\0';
	apply_fn(o, where);
	if (fclose(o) != 0 || !text || bad) {
		free(text);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	int st = fit_write_file(path, text, len, is_module, "module", err);
	free(text);
	return st;
}
