/* test_scenario.c: the script layer (escsim/scenario.h) from the outside.
 *
 * Loads the fixtures in tests/unit/fixtures and small scenarios written to a
 * temporary folder, and checks the configurations they validate into, the
 * overrides, the Lua policies' decisions and their refusals, and that every
 * way out of the sandbox is closed.  Escapes run in a child process, in an
 * empty folder of their own, and must leave it empty (isolated): had one
 * got out, it would write there or end the child, not this test.  Run from
 * the repository root (make test does); prints TAP with
 * CMOCKA_MESSAGE_OUTPUT=TAP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "escsim/dist.h"
#include "escsim/json.h"
#include "escsim/outcome.h"
#include "escsim/scenario.h"

/* ---- helpers ------------------------------------------------------------ */

static char fixtures[512];
static char tmpdir[256];
static char written[256][512];
static size_t n_written;

static const char *fixture(const char *name)
{
	static char buf[4][600];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", fixtures, name);
	return buf[k];
}

/* Write a scenario file into the temporary folder; returns its path. */
static const char *write_file(const char *name, const char *text)
{
	char path_buf[512];
	snprintf(path_buf, sizeof path_buf, "%s/%s", tmpdir, name);
	char *path = NULL;
	for (size_t i = 0; i < n_written && !path; i++)
		if (strcmp(written[i], path_buf) == 0)
			path = written[i];
	if (!path) {
		assert_true(n_written < 256);
		path = written[n_written++];
		memcpy(path, path_buf, sizeof path_buf);
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define PARTIES "parties = {{name = 'A'}, {name = 'B'}}, zones = {'z'}"

/* A scenario file: `before` runs first, then it returns scenario{...} with
 * name, two parties, one zone, and `fields`. */
static const char *scenario_file(const char *name, const char *before, const char *fields)
{
	char text[4096];
	snprintf(text, sizeof text, "%s\nreturn scenario{name = 'test', " PARTIES "%s%s}\n",
	         before, *fields ? ", " : "", fields);
	return write_file(name, text);
}

static esc_scenario *load_ok(const char *path)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, &err);
	if (!s)
		fail_msg("loading %s: %s", path, err.msg);
	return s;
}

static void expect_contains(const char *msg, const char *fragment)
{
	if (!strstr(msg, fragment))
		fail_msg("expected \"%s\" in \"%s\"", fragment, msg);
}

/* Loading must fail with ESC_ERR_INPUT and a message containing fragment. */
static void load_fails(const char *path, const esc_script_limits *lim, const char *fragment)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(path, NULL, lim, &err);
	if (s) {
		esc_scenario_free(s);
		fail_msg("%s loaded, expected an error with \"%s\"", path, fragment);
	}
	assert_int_equal(err.status, ESC_ERR_INPUT);
	expect_contains(err.msg, fragment);
}

static int arm_ok(esc_scenario *s, const char *const *ov, size_t n, esc_config *cfg, esc_policy *pol)
{
	esc_error err = {0};
	int rc = esc_scenario_arm(s, ov, n, cfg, pol, &err);
	if (rc)
		fail_msg("arm: %s", err.msg);
	return rc;
}

static void arm_fails(esc_scenario *s, const char *const *ov, size_t n, const char *fragment)
{
	esc_error err = {0};
	esc_config cfg;
	esc_policy pol;
	int rc = esc_scenario_arm(s, ov, n, &cfg, &pol, &err);
	if (rc == 0) {
		esc_config_free(&cfg);
		fail_msg("arm succeeded, expected an error with \"%s\"", fragment);
	}
	assert_int_equal(rc, ESC_ERR_INPUT);
	assert_int_equal(err.status, ESC_ERR_INPUT);
	expect_contains(err.msg, fragment);
}

/* Validate a scenario file; the arm must fail with fragment. */
static void scenario_fails(const char *fields, const char *fragment)
{
	const char *path = scenario_file("bad.lua", "", fields);
	esc_scenario *s = load_ok(path);
	arm_fails(s, NULL, 0, fragment);
	esc_scenario_free(s);
}

static int setup(void **state)
{
	(void)state;
	gsl_set_error_handler_off();
	snprintf(fixtures, sizeof fixtures, "%s", __FILE__);
	char *slash = strrchr(fixtures, '/');
	if (slash)
		snprintf(slash, sizeof fixtures - (size_t)(slash - fixtures), "/fixtures");
	else
		snprintf(fixtures, sizeof fixtures, "fixtures");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/escsim-test-scenario-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_written; i++)
		unlink(written[i]);
	rmdir(tmpdir);
	return 0;
}

/* ---- isolation -------------------------------------------------------------- */

/* Remove path and everything under it; names what was there into list. */
static void remove_tree(const char *path, const char *name, char *list, size_t size)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (name) {
		size_t len = strlen(list);
		snprintf(list + len, size - len, "%s'%s'", len ? ", " : "", name);
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			remove_tree(sub, name ? NULL : e->d_name, list, size);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

typedef int (*isolated_fn)(const void *arg, esc_error *err);

/* What the child sends back: the call's status and its error. */
typedef struct isolated_reply {
	int rc;
	esc_error err;
} isolated_reply;

/* Call fn(arg, err) in a child process whose working folder (and TMPDIR) is
 * a new empty folder, and return what it returned.  Fails the test when the
 * child ends before the call returns (a script ended the process: os.exit)
 * or when anything is left in the folder (a script wrote a file or ran a
 * command).  `what` names the call in messages. */
static int isolated(isolated_fn fn, const void *arg, esc_error *err, const char *what)
{
	char dir[300];
	snprintf(dir, sizeof dir, "%s/isolated-XXXXXX", tmpdir);
	assert_non_null(mkdtemp(dir));
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	fflush(NULL);                   /* a child's exit() must not print it again */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		isolated_reply r = {0};
		if (chdir(dir) == 0 && setenv("TMPDIR", dir, 1) == 0)
			r.rc = fn(arg, &r.err);
		else
			r.rc = esc_error_set(&r.err, ESC_ERR_RUNTIME, "cannot enter %s", dir);
		ssize_t w = write(fd[1], &r, sizeof r);
		_exit(w == (ssize_t)sizeof r ? 0 : 1);
	}
	close(fd[1]);
	isolated_reply r;
	size_t got = 0;
	ssize_t n;
	while (got < sizeof r && (n = read(fd[0], (char *)&r + got, sizeof r - got)) > 0)
		got += (size_t)n;
	close(fd[0]);
	int ws = 0;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	char left[512] = "";
	remove_tree(dir, NULL, left, sizeof left);
	if (got != sizeof r)
		fail_msg("%s: the process ended before the call returned (%s %d): a script ended it",
		         what, WIFEXITED(ws) ? "exit status" : "signal",
		         WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		fail_msg("%s: the child process did not exit cleanly (wait status %d)", what, ws);
	if (*left)
		fail_msg("%s: a side effect: the script left %s in its working folder", what, left);
	*err = r.err;
	return r.rc;
}

/* ---- loading and validation -------------------------------------------------- */

static void test_basic_config(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(fixture("basic.lua"));
	assert_string_equal(esc_scenario_name(s), "unit_basic");
	esc_config c;
	esc_policy pol;
	arm_ok(s, NULL, 0, &c, &pol);
	assert_string_equal(c.name, "unit_basic");
	assert_true(c.horizon_h == 720.0);

	assert_int_equal(c.n_parties, 4);
	assert_string_equal(c.parties[0].name, "ISR");
	assert_string_equal(c.parties[3].name, "USA");
	assert_int_equal(c.parties[0].kind, ESC_PARTY_STATE);
	assert_int_equal(c.parties[1].kind, ESC_PARTY_STATE);
	assert_int_equal(c.parties[2].kind, ESC_PARTY_NONSTATE);
	assert_int_equal(c.parties[3].kind, ESC_PARTY_SUPERVISOR);
	assert_int_equal(c.n_zones, 2);
	assert_string_equal(c.zones[1], "south_lebanon");

	/* types sorted by name whatever the order written */
	assert_int_equal(c.n_types, 4);
	assert_string_equal(c.types[0].name, "airstrike");
	assert_string_equal(c.types[1].name, "artillery");
	assert_string_equal(c.types[2].name, "drone");
	assert_string_equal(c.types[3].name, "rocket");
	assert_int_equal(c.types[0].level, 5);
	assert_true(c.types[0].goldstein == -9);
	assert_int_equal(c.types[0].fatalities_mil.kind, ESC_DIST_NEGBIN);
	assert_true(c.types[0].fatalities_mil.a == 1.5 && c.types[0].fatalities_mil.b == 0.8);
	assert_int_equal(c.types[0].fatalities_civ.kind, ESC_DIST_CONSTANT);
	assert_true(c.types[0].fatalities_civ.a == 2);
	assert_int_equal(c.types[1].fatalities_mil.kind, ESC_DIST_NONE);
	assert_true(c.types[2].goldstein == 0);
	assert_int_equal(c.types[3].fatalities_civ.kind, ESC_DIST_ZINB);
	for (size_t i = 0; i < c.n_types; i++)
		assert_int_equal(c.types[i].escalate_to, -1);
	assert_string_equal(c.types[1].cameo, "195");          /* artillery */
	assert_string_equal(c.types[3].acled_type, "");        /* rocket: the older acled key is not recorded */
	assert_null(c.generators[0].regime_multiplier);

	assert_int_equal(c.n_generators, 3);
	const esc_generator *g = &c.generators[0];
	assert_int_equal(g->actor, 2);
	assert_int_equal(g->target, 0);
	assert_int_equal(g->type, 3);
	assert_int_equal(g->zone, 1);
	assert_true(fabs(g->rate_per_h - 0.5 / 24) < 1e-15);
	assert_true(fabs(c.generators[1].rate_per_h - 12.0 / 8760.0) < 1e-15);
	assert_int_equal(c.generators[2].type, 0);

	/* ISR's row for incidents by HZB replaced; every other row identity */
	size_t np = c.n_parties;
	const double *cm = c.attribution.confusion;
	for (size_t o = 0; o < np; o++)
		for (size_t t = 0; t < np; t++)
			for (size_t p = 0; p < np; p++) {
				double want = p == t ? 1 : 0;
				if (o == 0 && t == 2)
					want = p == 2 ? 0.7 : p == 1 ? 0.3 : 0;
				assert_true(cm[(o * np + t) * np + p] == want);
			}
	assert_int_equal(c.attribution.delay_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(c.attribution.delay_h.a == 0.5 && c.attribution.delay_h.b == 0.5);

	assert_true(c.ladder.step == 1.5);
	assert_true(c.ladder.half_life_h == 72);
	assert_true(c.ladder.hold_h == 0 && c.ladder.window_h == 14 * 24);
	assert_int_equal(c.ladder.spiral_moves, 2);
	assert_int_equal(c.ladder.crisis_moves, 2);
	assert_int_equal(c.cell.enabled, 1);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_EXPONENTIAL);
	assert_true(c.cell.latency_h.a == 2);
	assert_true(c.cell.accuracy == 0.95);
	/* the cell's parties and supervisor by default, from the party kinds */
	assert_int_equal(c.cell.members[0], 0);     /* ISR */
	assert_int_equal(c.cell.members[1], 1);     /* SYR */
	assert_int_equal(c.cell.supervisor, 3);     /* USA */
	for (size_t i = 0; i < c.n_parties; i++)
		assert_int_equal(c.parties[i].deniable, 0);
	assert_int_equal(c.n_channels, 0);
	assert_int_equal(c.max_events, 50000);
	assert_non_null(pol.type);
	assert_string_equal(pol.type->name, "lua");
	assert_null(esc_scenario_warnings(s)[0]);
	esc_config_free(&c);
	esc_scenario_free(s);
}

static void test_sources(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(fixture("basic.lua"));
	const esc_script_source *src;
	size_t n = esc_scenario_sources(s, &src);
	assert_int_equal(n, 3);
	assert_string_equal(src[0].name, "scenario");
	assert_string_equal(src[0].path, fixture("basic.lua"));
	expect_contains(src[0].text, "unit_basic");
	assert_string_equal(src[1].name, "taxonomy");
	expect_contains(src[1].path, "fixtures/lib/taxonomy.lua");
	expect_contains(src[1].text, "M.types");
	assert_string_equal(src[2].name, "policies.restraint");
	expect_contains(src[2].path, "fixtures/policies/restraint.lua");
	esc_scenario_free(s);
}

static void test_defaults(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(fixture("minimal.lua"));
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	assert_true(c.horizon_h == 365 * 24);
	assert_int_equal(c.n_types, 0);
	assert_int_equal(c.n_generators, 0);
	assert_int_equal(c.parties[0].kind, ESC_PARTY_STATE);
	assert_true(c.ladder.step == 1 && c.ladder.half_life_h == 168 && c.ladder.hold_h == 0);
	assert_int_equal(c.ladder.spiral_moves, 2);
	assert_int_equal(c.ladder.crisis_moves, 2);
	assert_int_equal(c.n_excitations, 0);
	assert_int_equal(c.regime.n_states, 0);
	assert_int_equal(c.cell.enabled, 1);
	assert_int_equal(c.cell.crowd_out, 0);
	assert_true(c.cell.effects.answers && c.cell.effects.notices && c.cell.effects.enforcement);
	assert_true(c.cell.notify_harm_reduction == 0.5);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(c.cell.latency_h.a == 1 && c.cell.latency_h.b == 1);
	assert_true(c.cell.accuracy == 0.9);
	assert_int_equal(c.cell.members[0], 0);
	assert_int_equal(c.cell.members[1], 1);
	assert_int_equal(c.cell.supervisor, -1);    /* no supervisor party */
	assert_int_equal(c.cell.operators, 1);
	assert_int_equal(c.cell.handling_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.cell.handling_h.a == 0);
	assert_int_equal(c.cell.relay_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.cell.relay_h.a == 0);
	assert_true(c.cell.staffed_from_h == 0 && c.cell.staffed_to_h == 24);
	assert_true(isinf(c.cell.mtbf_h) && c.cell.mtbf_h > 0);
	assert_true(c.cell.mttr_h == 0);
	assert_int_equal(c.cell.suspend_level, 8);
	assert_true(c.cell.suspend_p == 0);
	assert_int_equal(c.cell.suspend_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.cell.suspend_h.a == 24);
	assert_true(c.cell.refuse_base == 0 && c.cell.refuse_per_level == 0);
	assert_true(c.cell.enforce_p == 0);
	assert_int_equal(c.cell.enforce_type, -1);
	assert_int_equal(c.cell.notify_party, -1);
	assert_int_equal(c.cell.notify_type, -1);
	assert_true(c.cell.notify_lead_h == 0);
	assert_int_equal(c.cell.notify_need_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.cell.notify_need_h.a == 0);
	assert_int_equal(c.n_channels, 0);
	assert_int_equal(c.parties[0].deniable, 0);
	assert_int_equal(c.parties[1].deniable, 0);
	assert_int_equal(c.attribution.delay_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.attribution.delay_h.a == 0);
	assert_true(c.attribution.confusion[0] == 1 && c.attribution.confusion[1] == 0);
	assert_int_equal(c.max_events, 1000000);
	esc_config_free(&c);
	esc_scenario_free(s);
}

static void test_units_and_distributions(void **state)
{
	(void)state;
	const char *path = scenario_file("units.lua",
		"assert(minutes(30) == 0.5 and hours(2) == 2 and days(2) == 48 and weeks(1) == 168)\n"
		"assert(per_hour(3) == 3 and per_day(48) == 2 and per_year(8760) == 1)\n"
		"assert(lognormal{median = 2, sigma = 1}:mean() == 2 * math.exp(0.5))\n"
		"assert(tostring(gamma{shape = 2, scale = 3}) == 'gamma{shape=2, scale=3}')\n"
		"assert(constant(4):mean() == 4 and constant{value = 5}:mean() == 5)\n"
		"assert(discrete{[0] = 1, [1] = 3}:mean() == 0.75)\n"
		"assert(weibull{scale = 1, shape = 1}:kind() == 'weibull')\n"
		"assert(not pcall(function() return exponential{mean = 1}:sample() end))\n"
		"local ok, msg = pcall(poisson, {mean = -1})\n"
		"assert(not ok and msg:find('poisson: mean must be finite and >= 0, got %-1'), msg)\n",
		"horizon = weeks(2), cell = {latency = discrete{[0] = 1, [1] = 1}}, "
		"types = {r = {level = 1, fatalities_mil = discrete{[0] = 2, [1] = 1, [2] = 1}}}");
	esc_scenario *s = load_ok(path);
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	assert_true(c.horizon_h == 336);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_DISCRETE);
	assert_int_equal(c.types[0].fatalities_mil.kind, ESC_DIST_DISCRETE);
	assert_int_equal(c.types[0].fatalities_mil.n, 3);
	esc_config_free(&c);
	esc_scenario_free(s);

	/* constructors check their parameters at the line that calls them */
	path = write_file("dist1.lua", "local x = 1\nlocal d = lognormal{median = 1, sigma = -1}\n");
	load_fails(path, NULL, "dist1.lua:2: lognormal: sigma must be finite and > 0, got -1");
	path = write_file("dist2.lua", "local d = lognormal{median = 1, sigm = 1}\n");
	load_fails(path, NULL, "dist2.lua:1: lognormal: unknown parameter 'sigm' (expected median, sigma)");
	path = write_file("dist3.lua", "local d = gamma{shape = 1}\n");
	load_fails(path, NULL, "gamma: missing parameter 'scale'");
	path = write_file("dist4.lua", "local d = zinb{zero = 1.5, mean = 1, dispersion = 1}\n");
	load_fails(path, NULL, "zinb: zero must be in [0, 1], got 1.5");
	path = write_file("dist5.lua", "local d = discrete{a = 1, b = -2}\n");
	load_fails(path, NULL, "discrete: weight of b must be finite and >= 0, got -2");
	path = write_file("dist6.lua", "local d = exponential(3)\n");
	load_fails(path, NULL, "exponential: expected named parameters");
	path = write_file("dist7.lua", "local d = minutes('x')\n");
	load_fails(path, NULL, "minutes: expected a finite number, got string");

	/* where a number of hours is wanted, labels are refused, and counts
	 * must come from count distributions */
	scenario_fails("cell = {latency = discrete{a = 1, b = 1}}",
	               "cell.latency: expected a distribution or a number of hours >= 0, got a discrete distribution over labels");
	scenario_fails("types = {r = {level = 1, fatalities_mil = lognormal{median = 1, sigma = 1}}}",
	               "types.r.fatalities_mil: expected a count distribution");
	scenario_fails("types = {r = {level = 1, fatalities_civ = 1.5}}",
	               "types.r.fatalities_civ: expected a count distribution");
	scenario_fails("cell = {latency = -1}", "cell.latency: expected a distribution or a number of hours >= 0, got -1");
	scenario_fails("cell = {latency = constant(-2)}", "got constant(-2)");
}

/* A file whose error is expected at line `line` of file `where` (NULL: the
 * file itself). */
static void located(const char *name, const char *text, const char *where, int line,
                    const char *rest)
{
	const char *path = write_file(name, text);
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, &err);
	char want[900];
	snprintf(want, sizeof want, "%s:%d: %s", where ? where : path, line, rest);
	if (!s) {
		expect_contains(err.msg, want);
		return;
	}
	arm_fails(s, NULL, 0, want);
	esc_scenario_free(s);
}

/* A bad value is reported at the line of the key that holds it: in nested
 * tables, tables held by locals, tables of a required module, items of an
 * array, tables built by a function at load (the line of the call), keys of
 * distribution helpers written over several lines. */
static void test_located_errors(void **state)
{
	(void)state;
	located("loc_local.lua",
		"local CELL = {\n"
		"  latency = 2,\n"
		"  accuracy = '90%',\n"
		"}\n"
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  cell = CELL,\n"
		"}\n", NULL, 3, "cell.accuracy: expected a probability in [0, 1], got string '90%'");
	located("loc_deep.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  types = {\n"
		"    rocket = {level = 6},\n"
		"    strike = {\n"
		"      level = 5,\n"
		"      escalate = {\n"
		"        to = 'rocket',\n"
		"        p = 2,\n"
		"      },\n"
		"    },\n"
		"  },\n"
		"}\n", NULL, 9, "types.strike.escalate.p: expected a probability in [0, 1], got 2");
	/* an unknown key: at its own line */
	located("loc_unknown.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  cell = {\n"
		"    latency = 2,\n"
		"    acuracy = 0.9,\n"
		"  },\n"
		"}\n", NULL, 5, "unknown key 'acuracy' in cell (did you mean 'accuracy'?)");
	/* a table of a module */
	const char *mod = write_file("loc_world.lua",
		"local M = {}\n"
		"M.types = {\n"
		"  rocket = {level = 6},\n"
		"  strike = {level = 5,\n"
		"            fatalities_mil = lognormal{median = 1, sigma = 1}},\n"
		"}\n"
		"return M\n");
	located("loc_module.lua",
		"local world = require 'loc_world'\n"
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  types = world.types,\n"
		"}\n", mod, 5, "types.strike.fatalities_mil: expected a count distribution");
	/* array items, and a table a function builds at load (the item's line) */
	located("loc_items.lua",
		"local function gen(rate)\n"
		"  return {actor = 'A', target = 'B', type = 'r', zone = 'z', rate = rate}\n"
		"end\n"
		"return scenario {\n"
		"  name = 'loc', " PARTIES ", types = {r = {level = 1}},\n"
		"  incidents = {\n"
		"    gen(1),\n"
		"    gen(-1),\n"
		"    {actor = 'A', target = 'B', type = 'r', zone = 'z',\n"
		"     rate = 'often'},\n"
		"  },\n"
		"}\n", NULL, 8, "incidents[2].rate: expected a finite rate >= 0 per hour");
	located("loc_items3.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES ", types = {r = {level = 1}},\n"
		"  incidents = {\n"
		"    {actor = 'A', target = 'B', type = 'r', zone = 'z', rate = 1},\n"
		"    {actor = 'A', target = 'B', type = 'r', zone = 'z',\n"
		"     rate = 'often'},\n"
		"  },\n"
		"}\n", NULL, 6, "incidents[2].rate: expected a finite rate >= 0 per hour");
	/* a helper's parameters, written over several lines */
	located("loc_dist.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  cell = {latency = lognormal{\n"
		"    median = 2,\n"
		"    sigma = -1,\n"
		"  }},\n"
		"}\n", NULL, 5, "lognormal: sigma must be finite and > 0, got -1");
	located("loc_dist2.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  cell = {latency = gamma{\n"
		"    shape = 2,\n"
		"    scal = 1,\n"
		"  }},\n"
		"}\n", NULL, 5, "gamma: unknown parameter 'scal' (expected shape, scale)");
	/* a constructor inside a function that runs only in hooks is left as
	 * written; strings, comments and long brackets do not confuse the
	 * reader; Lua's own syntax errors keep their lines */
	located("loc_tricky.lua",
		"local s = '{' .. \"}\" .. [[\n{ ]] .. [==[ }}\n]==] -- {\n"
		"--[[ a comment {\n"
		"} ]]\n"
		"local t = {f = function() return {x = '}'} end, [ 'k' ] = 1, [3] = 2}\n"
		"return scenario {\n"
		"  name = 'loc', " PARTIES ",\n"
		"  description = s,\n"
		"  cell = {\n"
		"    ['latency'] = -2,\n"
		"  },\n"
		"}\n", NULL, 11, "cell.latency: expected a distribution or a number of hours >= 0, got -2");
	located("loc_syntax.lua",
		"return scenario {\n"
		"  name = 'loc', " PARTIES "\n"
		"  cell = {},\n"
		"}\n", NULL, 3, "'}' expected (to close '{' at line 1) near 'cell'");
}

static void test_validation_messages(void **state)
{
	(void)state;
	const char *path = write_file("site.lua",
		"local x = 1\n\nreturn scenario {\n  name = 'site', " PARTIES ",\n  cell = {latency = 'soon'},\n}\n");
	esc_scenario *s = load_ok(path);
	char want[700];
	/* at the line of the key that holds the value (marks.c), not the
	 * scenario{} call */
	snprintf(want, sizeof want, "%s:5: cell.latency: expected a distribution or a number of hours >= 0, got string 'soon'", path);
	arm_fails(s, NULL, 0, want);
	esc_scenario_free(s);

	scenario_fails("cell = {latancy = 2}", ": unknown key 'latancy' in cell (did you mean 'latency'?)");
	scenario_fails("horizn = 3", ": unknown key 'horizn' (did you mean 'horizon'?)");
	scenario_fails("cell = {zzzzzzzz = 2}", ": unknown key 'zzzzzzzz' in cell");
	/* triggers */
	scenario_fails("triggers = 3", ": triggers: expected an array of triggers {party = ..., event = {...}, action = function(ev) ... end}, got 3");
	scenario_fails("triggers = {{party = 'A'}}", ": triggers[1].action: missing (expected a function(ev) that acts, through sim.act)");
	scenario_fails("triggers = {{party = 'A', action = 'strike'}}", ": triggers[1].action: expected a function(ev) that acts through sim.act, got string 'strike'");
	scenario_fails("triggers = {{action = function() end}}", ": triggers[1].party: missing (expected a party name: A, B)");
	scenario_fails("triggers = {{party = 'Q', action = function() end}}", ": triggers[1].party: unknown party 'Q' (known: A, B)");
	scenario_fails("triggers = {{party = 'A', action = function() end, probabilty = 1}}",
	               ": unknown key 'probabilty' in triggers[1] (did you mean 'probability'?)");
	scenario_fails("triggers = {{party = 'A', action = function() end, probability = 2}}",
	               ": triggers[1].probability: expected a probability in [0, 1], got 2");
	scenario_fails("triggers = {{party = 'A', action = function() end, repeatable = 1}}",
	               ": triggers[1].repeatable: expected true or false, got 1");
	scenario_fails("triggers = {{party = 'A', action = function() end, condition = true}}",
	               ": triggers[1].condition: expected a function(ev) returning true or false, got boolean");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = {zone = 'q'}}}",
	               ": triggers[1].event.zone: unknown zone 'q' (known: z)");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = {actor = 'Q'}}}",
	               ": triggers[1].event.actor: unknown party 'Q' (known: A, B)");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = {cause = 'x'}}}",
	               ": triggers[1].event.cause: expected one of background, triggered, policy, got string 'x'");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = {kind = 1}}}",
	               ": triggers[1].event.kind: expected one of incident, protest, got 1");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = {tpye = 'x'}}}",
	               ": unknown key 'tpye' in triggers[1].event (did you mean 'type'?)");
	scenario_fails("triggers = {{party = 'A', action = function() end, event = 'rocket'}}",
	               ": triggers[1].event: expected a table {type, actor, target, zone, cause, kind} to match (omitted fields match anything), got string 'rocket'");
	scenario_fails("triggers = {{name = 'x', party = 'A', action = function() end}, {name = 'x', party = 'B', action = function() end}}",
	               ": triggers[2].name: duplicate trigger name 'x' (also triggers[1])");
	scenario_fails("triggers = {[2] = {party = 'A', action = function() end}}", ": triggers: expected an array of triggers");
	scenario_fails("policies = {A = {tick = -1, on_tick = function() end}}",
	               ": policies.A.tick: expected a number of hours >= 0 between calls of on_tick (0: never), got -1");
	scenario_fails("policies = {A = {tick = 'daily'}}",
	               ": policies.A.tick: expected a number of hours >= 0 between calls of on_tick (0: never), got string 'daily'");
	scenario_fails("outputs = 'runs'", "bad.lua:2: outputs: expected a table {daily = true|false, events = true|false}, got string 'runs'");
	scenario_fails("outputs = {dayly = false}", ": unknown key 'dayly' in outputs (did you mean 'daily'?)");
	scenario_fails("outputs = {events = 'yes'}", "outputs.events: expected true or false, got string 'yes'");
	scenario_fails("hawks = {}", ": unknown key 'hawks' (did you mean 'hawkes'?)");
	scenario_fails("horizon = 0", "horizon: expected a number of hours > 0");
	scenario_fails("horizon = 1/0", "horizon: expected a number of hours > 0 and at most 8766000 (1000 years: see days, weeks), got inf");
	/* names are UTF-8 text: overlong forms, surrogates, code points past
	 * U+10FFFF and cut sequences are not; accents and dashes are */
	const char *name_is = "name: expected a name of 1 to 63 bytes of UTF-8 text, got a string that is not UTF-8 ";
	const struct { const char *name, *why; } names[] = {
		{ "'a\\xc0\\xafb'", "(byte 0xc0 at offset 1)" },
		{ "'\\xed\\xa0\\x80'", "(byte 0xed at offset 0)" },
		{ "'x\\xf4\\x90\\x80\\x80'", "(byte 0xf4 at offset 1)" },
		{ "'abc\\xe2\\x80'", "(byte 0xe2 at offset 3)" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char fields[100], want[200];
		snprintf(fields, sizeof fields, "name = %s", names[i].name);
		snprintf(want, sizeof want, "%s%s", name_is, names[i].why);
		scenario_fails(fields, want);
	}
	esc_scenario *us = load_ok(scenario_file("utf8.lua", "", "name = 'Golan \\u{2013} Quneitra \\u{1F4A5}'"));
	esc_config uc;
	arm_ok(us, NULL, 0, &uc, NULL);
	assert_string_equal(uc.name, "Golan \xe2\x80\x93 Quneitra \xf0\x9f\x92\xa5");
	esc_config_free(&uc);
	esc_scenario_free(us);
	scenario_fails("horizon = 1e300", "horizon: expected a number of hours > 0 and at most 8766000 (1000 years: see days, weeks), got 1e+300");
	scenario_fails("horizon = 7.2e10", "horizon: expected a number of hours > 0 and at most 8766000 (1000 years: see days, weeks), got 72000000000");
	scenario_fails("cell = {enabled = 1}", "cell.enabled: expected true or false, got 1");
	scenario_fails("cell = {accuracy = 1.5}", "cell.accuracy: expected a probability in [0, 1], got 1.5");
	scenario_fails("cell = 3", "bad.lua:2: cell: expected a table {enabled, parties, supervisor, operators, latency, accuracy, ...}, got 3");
	scenario_fails("ladder = {spiral_moves = 2.5}", "ladder.spiral_moves: expected an integer >= 1 (moves of an exchange), got 2.5");
	scenario_fails("ladder = {crisis_moves = 0}", "ladder.crisis_moves: expected an integer >= 1 (moves of an exchange between states), got 0");
	scenario_fails("ladder = {hold = -1}", "ladder.hold: expected a number of hours >= 0, got -1");
	scenario_fails("ladder = {window = 0}", "ladder.window: expected a number of hours > 0, got 0");
	scenario_fails("ladder = {crisis_level = 7}", "unknown key 'crisis_level' in ladder");
	scenario_fails("types = {r = {level = 5, lethal_level = 4}}",
	               "types.r.lethal_level: expected an integer ladder level, at least the type's level and at most 7, got 4");
	scenario_fails("types = {r = {level = 5, lethal_level = 8}}",
	               "types.r.lethal_level: expected an integer ladder level, at least the type's level and at most 7, got 8");
	scenario_fails("cell = {crowd_out = 'yes'}", "cell.crowd_out: expected true or false, got string 'yes'");
	scenario_fails("cell = {effects = {notice = false}}", "unknown key 'notice' in cell.effects (did you mean 'notices'?)");
	scenario_fails("cell = {effects = {answers = 0}}", "cell.effects.answers: expected true or false, got 0");
	scenario_fails("cell = {notify = {party = 'ISR', harm_reduction = 1.5}}",
	               "cell.notify.harm_reduction: expected a share in [0, 1] (of the civilian deaths a notice in time avoids), got 1.5");
	scenario_fails("types = {r = {level = 8}}", "types.r.level: expected an integer ladder level 0..7, got 8");
	scenario_fails("types = {r = {}}", "types.r.level: missing (expected an integer ladder level 0..7)");
	scenario_fails("types = {r = {level = 1, goldstein = -11}}", "types.r.goldstein: expected a Goldstein score in [-10, 10], got -11");
	scenario_fails("types = {r = {level = 1, acled = 3}}", "types.r.acled: expected a string, got 3");
	scenario_fails("types = {['bad name'] = {level = 1}}", "types: 'bad name' is not a valid type name");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'C', type = 'r', zone = 'z', rate = 1}}",
	               "incidents[1].target: unknown party 'C' (known: A, B)");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'A', type = 'r', zone = 'z', rate = 1}}",
	               "incidents[1].target: must differ from actor ('A')");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'q', zone = 'z', rate = 1}}",
	               "incidents[1].type: unknown type 'q' (known: r)");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'y', rate = 1}}",
	               "incidents[1].zone: unknown zone 'y' (known: z)");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'z', rate = -1}}",
	               "incidents[1].rate: expected a finite rate >= 0 per hour (see per_day, per_year), got -1");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'z', rate = 0/0}}",
	               "incidents[1].rate: expected a finite rate >= 0 per hour (see per_day, per_year), got nan");
	scenario_fails("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'z'}}",
	               "incidents[1].rate: missing");
	scenario_fails("incidents = {[1] = {}, [3] = {}}", "incidents: expected an array of incident generators (1..n, no holes)");
	scenario_fails("attribution = {confusion = {A = {B = {B = 0.5, A = 0}}}}",
	               "attribution.confusion.A.B: probabilities sum to 0.5, expected 1");
	scenario_fails("attribution = {confusion = {A = {B = {B = 1.5}}}}",
	               "attribution.confusion.A.B.B: expected a probability in [0, 1], got 1.5");
	scenario_fails("attribution = {confusion = {Q = {}}}",
	               "attribution.confusion: unknown observer party 'Q' (known: A, B)");
	scenario_fails("attribution = {confusion = {A = {B = {A = 1}}}}",
	               "attribution.confusion.A.B.A: an observer cannot blame itself");
	scenario_fails("policies = {Q = {}}", "policies: unknown party 'Q' (known: A, B)");
	scenario_fails("policies = {A = function() end}", "policies.A: expected a policy table");
	scenario_fails("policies = {A = {on_incident_observed = 3}}",
	               "policies.A.on_incident_observed: expected a function (a hook), got 3");
	scenario_fails("limits = {events = 0}", "limits.events: expected an integer >= 1");
	/* the Lua limits are read when the file is loaded */
	load_fails(scenario_file("bad.lua", "", "limits = {memory = 10}"), NULL,
	           "bad.lua:2: limits.memory: expected a number of bytes from 1 MiB (1048576) to 1e+15, got 10");

	/* name and parties */
	path = write_file("noname.lua", "return scenario{" PARTIES "}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "name: missing (expected a name of 1 to 63 bytes of UTF-8 text)");
	esc_scenario_free(s);
	path = write_file("one.lua", "return scenario{name = 'x', parties = {{name = 'A'}}, zones = {'z'}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "parties: need at least 2 parties, got 1");
	esc_scenario_free(s);
	path = write_file("dup.lua", "return scenario{name = 'x', parties = {{name = 'A'}, {name = 'A'}}, zones = {'z'}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "parties[2].name: duplicate party 'A' (also parties[1])");
	esc_scenario_free(s);
	path = write_file("kind.lua", "return scenario{name = 'x', parties = {{name = 'A', kind = 'army'}, {name = 'B'}}, zones = {'z'}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "parties[1].kind: expected \"state\", \"nonstate\" or \"supervisor\", got 'army'");
	esc_scenario_free(s);
	path = write_file("zones.lua", "return scenario{name = 'x', parties = {{name = 'A'}, {name = 'B'}}, zones = {'z', 'z'}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "zones[2]: duplicate zone 'z'");
	esc_scenario_free(s);

	/* the file must return scenario{} */
	path = write_file("plain.lua", "return {name = 'x'}\n");
	load_fails(path, NULL, "plain.lua: the file must return scenario{...}");
	path = write_file("nothing.lua", "local x = 1\n");
	load_fails(path, NULL, "nothing.lua: the file must return scenario{...}, but it returned nil");
	path = write_file("syntax.lua", "return scenario{name = 'x',,}\n");
	load_fails(path, NULL, "syntax.lua:1:");
	load_fails("/nonexistent/escsim.lua", NULL, "/nonexistent/escsim.lua: cannot read the scenario");
}

static void expect_warnings(const char *fields, const char *const *want, size_t n)
{
	const char *path = scenario_file("warn.lua", "", fields);
	esc_scenario *s = load_ok(path);
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	const char *const *w = esc_scenario_warnings(s);
	for (size_t i = 0; i < n; i++) {
		if (!w[i])
			fail_msg("warning %zu missing, expected \"%s\"", i, want[i]);
		expect_contains(w[i], want[i]);
	}
	if (w[n])
		fail_msg("unexpected warning: %s", w[n]);
	esc_config_free(&c);
	esc_scenario_free(s);
}

/* An enabled cell no policy can reach: check warns (arms with and without
 * it would not differ); a module says in M.queries whether it asks. */
static void test_unreachable_cell(void **state)
{
	(void)state;
	const char *w = "cell: enabled, but no policy can reach it (A: no hook that decides "
	                "(on_incident_observed, on_tick, on_event); B: no policy), and cell.notify names "
	                "no party: it changes nothing, and arms with and without it will not differ";
#define ATTR "attribute = function() end"
	expect_warnings("policies = {A = {" ATTR "}, C = {" ATTR "}}, parties = {{name = 'A'}, {name = 'B'}, {name = 'C'}}",
	                (const char *[]){w}, 1);
	expect_warnings("policies = {A = {" ATTR "}, B = {" ATTR "}}, cell = {enabled = false}", NULL, 0);
	expect_warnings("policies = {A = {on_tick = function() end, tick = 1}, B = {" ATTR "}}", NULL, 0);
	expect_warnings("policies = {A = {" ATTR "}, B = {" ATTR "}}, triggers = {{party = 'B', action = function() end}}",
	                NULL, 0);
	expect_warnings("types = {r = {level = 1}}, incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'z', rate = 1}}, "
	                "cell = {notify = {party = 'A', lead = 1}}, policies = {B = {" ATTR "}}", NULL, 0);
#undef ATTR
	/* declared modules: M.queries */
	const char *mods = "local qbr = require 'policies.query_before_retaliate'\n"
	                   "local pm = require 'policies.protest_mostly'\n";
	const char *path = scenario_file("cellw.lua", mods,
		"types = {strike = {level = 5}, rocket = {level = 6}}, "
		"policies = {A = qbr.new {query_first = false}, B = pm.new {}}");
	esc_scenario *s = esc_scenario_load(path, "scenarios/?.lua;scenarios/lib/?.lua", NULL, &(esc_error){0});
	assert_non_null(s);
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	expect_contains(esc_scenario_warnings(s)[0], "cell: enabled, but no policy can reach it (A: "
	                "policies.query_before_retaliate with query_first = false; B: policies.protest_mostly "
	                "never queries)");
	esc_config_free(&c);
	static const char *const on[] = {"policies.A.query_first=true"};
	arm_ok(s, on, 1, &c, NULL);
	assert_null(esc_scenario_warnings(s)[0]);
	esc_config_free(&c);
	esc_scenario_free(s);
}

/* A function named within two edits of a hook, or on_..., is a misspelt
 * hook: an error in every command (it would never be called). */
static void test_hook_names(void **state)
{
	(void)state;
	scenario_fails("policies = {A = {atribute = function() end}}",
	               ": policies.A.atribute: not a hook (did you mean attribute?); a function named within two "
	               "letters of a hook, or on_..., is taken for a misspelt hook: rename a helper");
	scenario_fails("policies = {A = {on_incident_obsrved = function() end}}",
	               ": policies.A.on_incident_obsrved: not a hook (did you mean on_incident_observed?)");
	scenario_fails("policies = {A = {on_incidentobserved_ = function() end}}",
	               ": policies.A.on_incidentobserved_: not a hook (did you mean on_incident_observed?)");
	scenario_fails("policies = {A = {pre_operations = function() end}}",
	               ": policies.A.pre_operations: not a hook (did you mean pre_operation?)");
	scenario_fails("policies = {A = {on_zzzzzzzzzzzz = function() end}}",
	               ": policies.A.on_zzzzzzzzzzzz: not a hook (hooks: attribute, on_incident_observed, on_cell_request, "
	               "on_cell_reply, pre_operation, on_tick, on_event); names starting with on_ are kept for hooks");
	scenario_fails("policies = {A = {ontick = function() end}}",
	               ": policies.A.ontick: not a hook (did you mean on_tick?)");
	/* three edits away, and not on_...: a helper */
	expect_warnings("policies = {A = {attributes_of = function() end, tick_now = function() end}}, cell = {enabled = false}",
	                NULL, 0);
}

static void test_warnings(void **state)
{
	(void)state;
	/* a helper is any other function, warned about by nothing */
	expect_warnings("policies = {A = {helper = function() end, response_type = function() end}}, cell = {enabled = false}", NULL, 0);
	/* hooks that can never fire: B is no cell member (the cell joins the
	 * first two state parties: A and B here, so add C), A starts nothing,
	 * on_tick has no tick, nothing targets anyone */
	expect_warnings("parties = {{name = 'A'}, {name = 'B'}, {name = 'C', kind = 'nonstate'}}, cell = {enabled = false}, "
	                "policies = {C = {on_cell_request = function() end, on_cell_reply = function() end, "
	                "pre_operation = function() end, on_tick = function() end, on_incident_observed = function() end, "
	                "attribute = function() end}}",
	                (const char *[]){
	                	"policies.C.on_cell_request never fires: C is not a member of the cell (cell.parties = A, B)",
	                	"policies.C.on_cell_reply never fires: C is not a member of the cell (cell.parties = A, B) and there are no fallback channels",
	                	"policies.C.pre_operation never fires: C starts no background incidents (no incidents entry has actor = 'C')",
	                	"policies.C.on_tick never fires: no tick parameter (set tick = hours(...) in the policy)",
	                	"policies.C.on_incident_observed never fires: nothing ever targets C (no incidents entry or hawkes rule has target = 'C', and no other party has a policy)",
	                	"policies.C.attribute never fires: nothing ever targets C",
	                }, 6);
	/* ...and when they can */
	expect_warnings("types = {rocket = {level = 3}}, incidents = {{actor = 'A', target = 'B', type = 'rocket', zone = 'z', rate = 1}}, "
	                "channels = {{name = 'UNDOF', latency = 1}}, "
	                "policies = {A = {pre_operation = function() end, on_cell_request = function() end, tick = 1, "
	                "on_tick = function() end}, B = {on_incident_observed = function() end, on_cell_reply = function() end}}",
	                NULL, 0);
	expect_warnings("policies = {A = {tick = 0, on_tick = function() end}}",
	                (const char *[]){"policies.A.on_tick never fires: tick is 0"}, 1);
	/* another party's policy or a trigger could target A */
	expect_warnings("policies = {A = {on_incident_observed = function() end}, B = {}}", NULL, 0);
	expect_warnings("policies = {A = {on_incident_observed = function() end}}, "
	                "triggers = {{party = 'B', action = function() end}}", NULL, 0);
	/* a trigger on a type the scenario does not have */
	expect_warnings("types = {rocket = {level = 3}}, triggers = {{party = 'B', event = {type = 'rokcet'}, action = function() end}}",
	                (const char *[]){"triggers[1].event.type: unknown type 'rokcet' (known: rocket): the trigger never fires"}, 1);
}

/* ---- the cell, fallback channels, deniable parties ------------------------------- */

#define CELL_PARTIES "parties = {{name = 'ISR'}, {name = 'SYR'}, {name = 'NSA', kind = 'nonstate', deniable = true}, " \
	"{name = 'US', kind = 'supervisor'}, {name = 'RUS', kind = 'supervisor', deniable = false}}, " \
	"zones = {'z'}, types = {strike = {level = 5}, raid = {level = 4}}"

/* A scenario with the cell parties above and `fields`. */
static const char *cell_file(const char *name, const char *fields)
{
	char text[4096];
	snprintf(text, sizeof text, "return scenario{name = 'cell', " CELL_PARTIES "%s%s}\n",
	         *fields ? ", " : "", fields);
	return write_file(name, text);
}

static void cell_fails(const char *fields, const char *fragment)
{
	esc_scenario *s = load_ok(cell_file("bad_cell.lua", fields));
	arm_fails(s, NULL, 0, fragment);
	esc_scenario_free(s);
}

static void test_cell_config(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(cell_file("cell_full.lua",
		"cell = {enabled = false, parties = {'SYR', 'ISR'}, supervisor = 'RUS', operators = 3,\n"
		"  handling = minutes(20), relay = exponential{mean = 0.5}, latency = 2, accuracy = 0.8,\n"
		"  staffed = {from = 8, to = 20}, outages = {mtbf = days(30), mttr = hours(6)},\n"
		"  suspend = {level = 6, p = 0.5, duration = days(3)}, refuse = {base = 0.1, per_level = 0.05},\n"
		"  enforce = {p = 0.3, type = 'raid'},\n"
		"  notify = {party = 'ISR', type = 'strike', lead = 2, need = lognormal{median = 1, sigma = 0.5}}}"));
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.parties[0].deniable, 0);
	assert_int_equal(c.parties[2].deniable, 1);
	assert_int_equal(c.parties[4].deniable, 0);
	const esc_cell *k = &c.cell;
	assert_int_equal(k->enabled, 0);
	assert_int_equal(k->members[0], 1);
	assert_int_equal(k->members[1], 0);
	assert_int_equal(k->supervisor, 4);
	assert_int_equal(k->operators, 3);
	assert_int_equal(k->handling_h.kind, ESC_DIST_CONSTANT);
	assert_true(fabs(k->handling_h.a - 1.0 / 3) < 1e-15);
	assert_int_equal(k->relay_h.kind, ESC_DIST_EXPONENTIAL);
	assert_true(k->relay_h.a == 0.5);
	assert_int_equal(k->latency_h.kind, ESC_DIST_CONSTANT);
	assert_true(k->latency_h.a == 2);
	assert_true(k->accuracy == 0.8);
	assert_true(k->staffed_from_h == 8 && k->staffed_to_h == 20);
	assert_true(k->mtbf_h == 720 && k->mttr_h == 6);
	assert_int_equal(k->suspend_level, 6);
	assert_true(k->suspend_p == 0.5);
	assert_int_equal(k->suspend_h.kind, ESC_DIST_CONSTANT);
	assert_true(k->suspend_h.a == 72);
	assert_true(k->refuse_base == 0.1 && k->refuse_per_level == 0.05);
	assert_true(k->enforce_p == 0.3);
	assert_int_equal(k->enforce_type, 0);       /* types sorted: raid, strike */
	assert_int_equal(k->notify_party, 0);
	assert_int_equal(k->notify_type, 1);
	assert_true(k->notify_lead_h == 2);
	assert_int_equal(k->notify_need_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(k->notify_need_h.a == 1 && k->notify_need_h.b == 0.5);
	esc_config_free(&c);

	/* overrides reach every new key; math.huge is "never" for outages */
	const char *ov[] = {"cell.enabled=true", "cell.outages.mtbf=math.huge", "cell.staffed.from=0",
	                    "cell.operators=2", "cell.supervisor=false", "cell.notify.type=nil",
	                    "cell.enforce.p=0"};
	arm_ok(s, ov, 7, &c, NULL);
	assert_int_equal(c.cell.enabled, 1);
	assert_true(isinf(c.cell.mtbf_h) && c.cell.mtbf_h > 0);
	assert_true(c.cell.mttr_h == 6);
	assert_true(c.cell.staffed_from_h == 0 && c.cell.staffed_to_h == 20);
	assert_int_equal(c.cell.operators, 2);
	assert_int_equal(c.cell.supervisor, -1);
	assert_int_equal(c.cell.notify_party, 0);
	assert_int_equal(c.cell.notify_type, -1);   /* every type */
	assert_true(c.cell.enforce_p == 0);
	assert_int_equal(c.cell.enforce_type, 0);   /* kept, unused */
	esc_config_free(&c);
	const char *ov2[] = {"cell.staffed.to=8"};
	arm_fails(s, ov2, 1, "override 'cell.staffed.to=8': cell.staffed: expected from < to");
	esc_scenario_free(s);

	/* defaults: the first two state parties, the first supervisor party;
	 * only what is written changes */
	s = load_ok(cell_file("cell_defaults.lua",
		"cell = {outages = {mtbf = math.huge}, staffed = {to = 18}, suspend = {p = 0.25}, "
		"notify = {party = 'SYR'}, enforce = {type = 'strike'}}"));
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.cell.members[0], 0);
	assert_int_equal(c.cell.members[1], 1);
	assert_int_equal(c.cell.supervisor, 3);     /* US, the first supervisor */
	assert_true(isinf(c.cell.mtbf_h));
	assert_true(c.cell.mttr_h == 0);
	assert_true(c.cell.staffed_from_h == 0 && c.cell.staffed_to_h == 18);
	assert_int_equal(c.cell.suspend_level, 8);
	assert_true(c.cell.suspend_p == 0.25);
	assert_true(c.cell.suspend_h.a == 24);
	assert_true(c.cell.enforce_p == 0);
	assert_int_equal(c.cell.enforce_type, 1);
	assert_int_equal(c.cell.notify_party, 1);
	assert_int_equal(c.cell.notify_type, -1);
	assert_true(c.cell.notify_lead_h == 0);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(c.cell.latency_h.a == 1 && c.cell.latency_h.b == 1);
	esc_config_free(&c);
	esc_scenario_free(s);

	/* the default parties skip non-state ones; a disabled cell needs none */
	const char *path = write_file("cell_kinds.lua",
		"return scenario{name = 'k', parties = {{name = 'N', kind = 'nonstate'}, {name = 'A'}, "
		"{name = 'U', kind = 'supervisor'}, {name = 'B'}}, zones = {'z'}}\n");
	s = load_ok(path);
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.cell.members[0], 1);
	assert_int_equal(c.cell.members[1], 3);
	assert_int_equal(c.cell.supervisor, 2);
	esc_config_free(&c);
	esc_scenario_free(s);
	path = write_file("cell_off.lua",
		"return scenario{name = 'k', parties = {{name = 'A'}, {name = 'N', kind = 'nonstate'}}, zones = {'z'}, "
		"cell = {enabled = false}}\n");
	s = load_ok(path);
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.cell.members[1], -1);
	esc_config_free(&c);
	const char *on[] = {"cell.enabled=true"};
	arm_fails(s, on, 1, "cell.parties: missing (expected two different parties {PARTY, PARTY}; "
	                    "by default the first two state parties, but the scenario has only one)");
	const char *named[] = {"cell.enabled=true", "cell.parties={'A', 'N'}"};
	arm_ok(s, named, 2, &c, NULL);
	assert_int_equal(c.cell.members[0], 0);
	assert_int_equal(c.cell.members[1], 1);
	esc_config_free(&c);
	esc_scenario_free(s);
}

static void test_cell_errors(void **state)
{
	(void)state;
	const char *path = write_file("deniable.lua",
		"return scenario{name = 'd', parties = {{name = 'A'}, {name = 'B', deniable = 'yes'}}, zones = {'z'}}\n");
	esc_scenario *s = load_ok(path);
	arm_fails(s, NULL, 0, "deniable.lua:1: parties[2].deniable: expected true or false, got string 'yes'");
	esc_scenario_free(s);
	path = write_file("deniable2.lua",
		"return scenario{name = 'd', parties = {{name = 'A', deniabel = true}, {name = 'B'}}, zones = {'z'}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "unknown key 'deniabel' in parties[1] (did you mean 'deniable'?)");
	esc_scenario_free(s);

	/* unknown keys, at every level */
	cell_fails("cell = {oprators = 2}", "unknown key 'oprators' in cell (did you mean 'operators'?)");
	cell_fails("cell = {staffed = {form = 8}}", "unknown key 'form' in cell.staffed (did you mean 'from'?)");
	cell_fails("cell = {outages = {mtrr = 8}}", "unknown key 'mtrr' in cell.outages (did you mean 'mttr'?)");
	cell_fails("cell = {suspend = {levl = 8}}", "unknown key 'levl' in cell.suspend (did you mean 'level'?)");
	cell_fails("cell = {refuse = {per_lvl = 1}}", "unknown key 'per_lvl' in cell.refuse (did you mean 'per_level'?)");
	cell_fails("cell = {enforce = {typ = 'raid'}}", "unknown key 'typ' in cell.enforce (did you mean 'type'?)");
	cell_fails("cell = {notify = {party = 'ISR', leed = 2}}", "unknown key 'leed' in cell.notify (did you mean 'lead'?)");

	/* parties and supervisor */
	cell_fails("cell = {parties = {'ISR'}}",
	           "cell.parties: expected an array of two different parties {PARTY, PARTY}, got 1 party");
	cell_fails("cell = {parties = {'ISR', 'SYR', 'NSA'}}", "cell.parties: expected an array of two different parties {PARTY, PARTY}, got 3 parties");
	cell_fails("cell = {parties = 'ISR'}", "cell.parties: expected an array of two different parties {PARTY, PARTY}, got string 'ISR'");
	cell_fails("cell = {parties = {'ISR', 'ISR'}}", "cell.parties[2]: must differ from cell.parties[1] ('ISR')");
	cell_fails("cell = {parties = {'ISR', 'IRN'}}", "cell.parties[2]: unknown party 'IRN' (known: ISR, SYR, NSA, US, RUS)");
	cell_fails("cell = {parties = {'ISR', 3}}", "cell.parties[2]: expected a party name (ISR, SYR, NSA, US, RUS), got number");
	cell_fails("cell = {supervisor = 'XX'}", "cell.supervisor: unknown party 'XX' (known: ISR, SYR, NSA, US, RUS)");
	cell_fails("cell = {supervisor = true}", "cell.supervisor: expected a party name, or false for none, got boolean");
	cell_fails("cell = {supervisor = 'SYR'}",
	           "cell.supervisor: 'SYR' is one of the cell's parties (ISR or SYR); the supervisor must be another party, or false for none");
	cell_fails("cell = {parties = {'ISR', 'US'}}",
	           "cell.supervisor: 'US' (the default: the first supervisor party) is one of the cell's parties (ISR or US)");

	/* numbers, probabilities, times; NaN never passes */
	cell_fails("cell = {operators = 0}", "cell.operators: expected an integer >= 1 (operators on shift, at most 10^6), got 0");
	cell_fails("cell = {operators = 1.5}", "cell.operators: expected an integer >= 1");
	cell_fails("cell = {operators = 0/0}", "cell.operators: expected an integer >= 1 (operators on shift, at most 10^6), got nan");
	cell_fails("cell = {handling = 'slow'}", "cell.handling: expected a distribution or a number of hours >= 0, got string 'slow'");
	cell_fails("cell = {relay = -1}", "cell.relay: expected a distribution or a number of hours >= 0, got -1");
	cell_fails("cell = {accuracy = 0/0}", "cell.accuracy: expected a probability in [0, 1], got nan");
	cell_fails("cell = {staffed = 8}", "cell.staffed: expected a table {from = hour of day, to = hour of day}, got 8");
	cell_fails("cell = {staffed = {from = 20, to = 8}}",
	           "cell.staffed: expected from < to (hours of the day, 0 <= from < to <= 24; a shift across midnight is not supported), got from = 20, to = 8");
	cell_fails("cell = {staffed = {from = 8, to = 8}}", "cell.staffed: expected from < to");
	cell_fails("cell = {staffed = {from = 24}}", "cell.staffed.from: expected an hour of the day in [0, 24), got 24");
	cell_fails("cell = {staffed = {from = -1}}", "cell.staffed.from: expected an hour of the day in [0, 24), got -1");
	cell_fails("cell = {staffed = {to = 25}}", "cell.staffed.to: expected an hour of the day in (0, 24], got 25");
	cell_fails("cell = {staffed = {to = 0/0}}", "cell.staffed.to: expected an hour of the day in (0, 24], got nan");
	cell_fails("cell = {outages = {mtbf = 0}}",
	           "cell.outages.mtbf: expected a number of hours > 0 (mean time between outages; math.huge: never), got 0");
	cell_fails("cell = {outages = {mtbf = -math.huge}}", "cell.outages.mtbf: expected a number of hours > 0 (mean time between outages; math.huge: never), got -inf");
	cell_fails("cell = {outages = {mtbf = 0/0}}", "cell.outages.mtbf: expected a number of hours > 0 (mean time between outages; math.huge: never), got nan");
	cell_fails("cell = {outages = {mtbf = 'never'}}", "cell.outages.mtbf: expected a number of hours > 0 (mean time between outages; math.huge: never), got string 'never'");
	cell_fails("cell = {outages = {mttr = math.huge}}", "cell.outages.mttr: expected a finite number of hours >= 0 (mean outage length), got inf");
	cell_fails("cell = {outages = {mttr = -1}}", "cell.outages.mttr: expected a finite number of hours >= 0 (mean outage length), got -1");
	cell_fails("cell = {suspend = {level = 9}}", "cell.suspend.level: expected an integer ladder level 0..8 (8: never), got 9");
	cell_fails("cell = {suspend = {level = 2.5}}", "cell.suspend.level: expected an integer ladder level 0..8 (8: never), got 2.5");
	cell_fails("cell = {suspend = {p = 1.5}}", "cell.suspend.p: expected a probability in [0, 1], got 1.5");
	cell_fails("cell = {suspend = {duration = constant(-3)}}", "cell.suspend.duration: expected a distribution or a number of hours >= 0, got constant(-3)");
	cell_fails("cell = {refuse = {base = -0.1}}", "cell.refuse.base: expected a probability in [0, 1], got -0.1");
	cell_fails("cell = {refuse = {per_level = -1}}", "cell.refuse.per_level: expected a finite number >= 0 (added per ladder level), got -1");
	cell_fails("cell = {refuse = {per_level = 0/0}}", "cell.refuse.per_level: expected a finite number >= 0 (added per ladder level), got nan");
	cell_fails("cell = {refuse = true}", "cell.refuse: expected a table {base = probability, per_level = number}, got boolean");

	/* enforcement needs a type */
	cell_fails("cell = {enforce = {p = 0.2}}",
	           "cell.enforce.type: missing (p > 0 needs the incident type of the enforcement action: one of raid, strike)");
	cell_fails("cell = {enforce = {p = 0.2, type = 'nuke'}}", "cell.enforce.type: unknown type 'nuke' (known: raid, strike)");
	cell_fails("cell = {enforce = {p = 2, type = 'raid'}}", "cell.enforce.p: expected a probability in [0, 1], got 2");
	path = write_file("enforce_notypes.lua",
		"return scenario{name = 'e', parties = {{name = 'A'}, {name = 'B'}}, zones = {'z'}, cell = {enforce = {p = 1}}}\n");
	s = load_ok(path);
	arm_fails(s, NULL, 0, "cell.enforce.type: missing (p > 0 needs the incident type of the enforcement action, and no incident types are defined)");
	esc_scenario_free(s);

	/* notification: a cell party, required */
	cell_fails("cell = {notify = {party = 'NSA'}}", "cell.notify.party: expected one of the cell's parties (ISR or SYR), got 'NSA'");
	cell_fails("cell = {parties = {'ISR', 'NSA'}, notify = {party = 'SYR'}}",
	           "cell.notify.party: expected one of the cell's parties (ISR or NSA), got 'SYR'");
	cell_fails("cell = {notify = {type = 'raid'}}",
	           "cell.notify.party: missing (expected the cell party that gives notice of its operations: ISR or SYR)");
	cell_fails("cell = {notify = {party = 'XX'}}", "cell.notify.party: unknown party 'XX' (known: ISR, SYR, NSA, US, RUS)");
	cell_fails("cell = {notify = {party = 'ISR', type = 'nuke'}}", "cell.notify.type: unknown type 'nuke' (known: raid, strike)");
	cell_fails("cell = {notify = {party = 'ISR', lead = -2}}", "cell.notify.lead: expected a number of hours >= 0, got -2");
	cell_fails("cell = {notify = {party = 'ISR', lead = math.huge}}", "cell.notify.lead: expected a number of hours >= 0, got inf (values must be finite)");
	cell_fails("cell = {notify = {party = 'ISR', need = 'x'}}", "cell.notify.need: expected a distribution or a number of hours >= 0, got string 'x'");

	/* the first error in sorted key order, every run */
	cell_fails("cell = {suspend = {p = 2}, accuracy = 2, operators = 0}", "cell.accuracy:");
	cell_fails("cell = {suspend = {p = 2}, operators = 0}", "cell.operators:");

	/* an override is named as the source */
	s = load_ok(cell_file("cell_ov.lua", ""));
	const char *ov[] = {"cell.operators=0"};
	arm_fails(s, ov, 1, "override 'cell.operators=0': cell.operators: expected an integer >= 1");
	esc_scenario_free(s);
}

static void test_channels(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(cell_file("channels.lua",
		"channels = {{name = 'undof', latency = hours(12), availability = 0.7, accuracy = 0.6},\n"
		"  {name = 'backchannel', latency = lognormal{median = days(1), sigma = 1}, description = 'US'}}"));
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.n_channels, 2);
	assert_string_equal(c.channels[0].name, "undof");
	assert_int_equal(c.channels[0].latency_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.channels[0].latency_h.a == 12);
	assert_true(c.channels[0].availability == 0.7);
	assert_true(c.channels[0].accuracy == 0.6);
	assert_string_equal(c.channels[1].name, "backchannel");
	assert_int_equal(c.channels[1].latency_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(c.channels[1].latency_h.a == 24 && c.channels[1].latency_h.b == 1);
	assert_true(c.channels[1].availability == 1);     /* defaults */
	assert_true(c.channels[1].accuracy == 1);
	esc_config_free(&c);
	/* a sweep over a channel's availability */
	const char *ov[] = {"channels.1.availability=0.25", "channels.2.latency=2h"};
	arm_ok(s, ov, 2, &c, NULL);
	assert_true(c.channels[0].availability == 0.25);
	assert_true(c.channels[1].latency_h.kind == ESC_DIST_CONSTANT && c.channels[1].latency_h.a == 2);
	esc_config_free(&c);
	esc_scenario_free(s);

	s = load_ok(cell_file("channels0.lua", "channels = {}"));
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.n_channels, 0);
	esc_config_free(&c);
	esc_scenario_free(s);

	cell_fails("channels = {{name = 'a', latency = 1}, {name = 'b'}}",
	           "channels[2].latency: missing (expected a distribution or a number of hours >= 0)");
	cell_fails("channels = {{name = 'a', latency = 1}, {name = 'a', latency = 2}}",
	           "channels[2].name: duplicate channel 'a' (also channels[1])");
	cell_fails("channels = {{name = 'cell', latency = 1}}", "channels[1].name: 'cell' is the communication cell's name");
	cell_fails("channels = {{name = 'a b', latency = 1}}",
	           "channels[1].name: expected a channel name (letters, digits and _, at most 31 characters), got 'a b'");
	cell_fails("channels = {{latency = 1}}", "channels[1].name: missing (expected a channel name");
	cell_fails("channels = {{name = 3, latency = 1}}", "channels[1].name: expected a channel name (letters, digits and _, at most 31 characters), got 3");
	cell_fails("channels = {{name = 'a', latency = -1}}", "channels[1].latency: expected a distribution or a number of hours >= 0, got -1");
	cell_fails("channels = {{name = 'a', latency = 1, availability = 0/0}}", "channels[1].availability: expected a probability in [0, 1], got nan");
	cell_fails("channels = {{name = 'a', latency = 1, accuracy = 1.5}}", "channels[1].accuracy: expected a probability in [0, 1], got 1.5");
	cell_fails("channels = {{name = 'a', latency = 1, latnecy = 2}}", "unknown key 'latnecy' in channels[1] (did you mean 'latency'?)");
	cell_fails("channels = {name = 'a'}", "channels: expected an array of channels");
	cell_fails("channels = 3", "channels: expected an array of channels {name = ..., latency = ..., availability = ..., accuracy = ...}, got 3");
	cell_fails("channels = {'undof'}", "channels[1]: expected a channel {name = ..., latency = ..., availability = ..., accuracy = ...}, got string 'undof'");
	cell_fails("chanels = {}", "unknown key 'chanels' (did you mean 'channels'?)");
}

/* ---- escalation, self-excitation, regimes ------------------------------------- */

static void test_excitation_config(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(fixture("excitation.lua"));
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	/* types sorted: clash, raid, rocket; parties ISR, SYR, NSA; zones golan, quneitra */
	assert_string_equal(c.types[1].name, "raid");
	assert_int_equal(c.types[1].escalate_to, 0);
	assert_true(c.types[1].escalate_p == 0.25);
	assert_int_equal(c.types[0].escalate_to, -1);
	assert_int_equal(c.types[2].escalate_to, -1);
	assert_string_equal(c.types[1].cameo, "173");
	assert_string_equal(c.types[1].acled_type, "Strategic developments");
	assert_string_equal(c.types[1].acled_subtype, "Arrests");
	assert_string_equal(c.types[0].cameo, "");

	const esc_regime *r = &c.regime;
	assert_int_equal(r->n_states, 3);
	assert_string_equal(r->names[0], "calm");
	assert_string_equal(r->names[2], "crisis");
	assert_int_equal(r->initial, 1);
	const double *q = r->rate_per_h;
	assert_true(q[0 * 3 + 1] == 0.1 / 24);
	assert_true(q[0 * 3 + 2] == 0);            /* left out: never */
	assert_true(q[1 * 3 + 0] == 0.2 / 24 && q[1 * 3 + 2] == 0.05 / 24);
	assert_true(q[2 * 3 + 1] == 0.5 / 24 && q[2 * 3 + 0] == 0);
	for (size_t i = 0; i < 3; i++)
		assert_true(q[i * 3 + i] == 0);
	assert_true(r->multiplier[0] == 1 && r->multiplier[1] == 2 && r->multiplier[2] == 4);
	/* shocks sorted by time; the two at day 5 keep the order written */
	assert_int_equal(r->n_shocks, 4);
	assert_true(r->shocks[0].t_h == 0 && r->shocks[0].state == 2);
	assert_true(r->shocks[1].t_h == 120 && r->shocks[1].state == 1);
	assert_true(r->shocks[2].t_h == 120 && r->shocks[2].state == 0);
	assert_true(r->shocks[3].t_h == 720 && r->shocks[3].state == 2);

	/* a generator's own multipliers: states left out keep 1 */
	const double *m = c.generators[0].regime_multiplier;
	assert_non_null(m);
	assert_true(m[0] == 0 && m[1] == 1 && m[2] == 3);
	assert_null(c.generators[1].regime_multiplier);

	assert_int_equal(c.n_excitations, 3);
	const esc_excitation *e = &c.excitations[0];
	assert_int_equal(e->from_actor, -1);
	assert_int_equal(e->from_target, -1);
	assert_int_equal(e->from_type, 1);
	assert_int_equal(e->to_actor, 1);
	assert_int_equal(e->to_target, 0);
	assert_int_equal(e->to_type, 0);
	assert_int_equal(e->to_zone, -1);
	assert_true(e->n == 0.3 && e->per_fatality == 0.1 && e->fast_share == 0.7);
	assert_true(e->fast_mean_h == 6 && e->slow_mean_h == 504);
	e = &c.excitations[1];                     /* defaults */
	assert_true(e->from_actor == -1 && e->from_target == -1 && e->from_type == -1);
	assert_true(e->to_actor == -1 && e->to_target == -1 && e->to_type == -1);
	assert_int_equal(e->to_zone, 0);
	assert_true(e->n == 0.1 && e->fast_share == 1 && e->per_fatality == 0);
	assert_true(e->fast_mean_h == 24 && e->slow_mean_h == 336);
	e = &c.excitations[2];
	assert_true(e->from_actor == 2 && e->from_target == 0 && e->from_type == 2);
	assert_true(esc_config_branching_ratio(&c) < 1);

	assert_int_equal(c.ladder.spiral_moves, 3);
	/* every rule can fire from the background; no shock after the horizon */
	assert_null(esc_scenario_warnings(s)[0]);
	esc_config_free(&c);

	/* overrides reach the new keys; initial defaults to the first state */
	const char *ov[] = {"hawkes.2.n=0.05", "regime.initial=nil",
	                    "regime.shocks.1.at=2d", "types.raid.escalate.p=1", "ladder.spiral_moves=1",
	                    "cell.effects.notices=false"};
	arm_ok(s, ov, 6, &c, NULL);
	assert_true(c.excitations[1].n == 0.05);
	assert_int_equal(c.regime.initial, 0);
	assert_int_equal(c.cell.effects.notices, 0);
	assert_int_equal(c.cell.effects.answers, 1);
	assert_true(c.regime.shocks[0].t_h == 0 && c.regime.shocks[1].t_h == 48);
	assert_int_equal(c.regime.shocks[1].state, 2);
	assert_true(c.types[1].escalate_p == 1);
	assert_int_equal(c.ladder.spiral_moves, 1);
	esc_config_free(&c);
	esc_scenario_free(s);

	/* a regime chain of any state names; "crisis" is only a name */
	const char *path = scenario_file("nocrisis.lua", "", "regime = {states = {'low', 'high'}}, hawkes = {}");
	s = load_ok(path);
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.regime.n_states, 2);
	assert_int_equal(c.regime.initial, 0);
	assert_int_equal(c.regime.n_shocks, 0);
	assert_true(c.regime.rate_per_h[1] == 0 && c.regime.multiplier[1] == 1);
	assert_int_equal(c.n_excitations, 0);
	esc_config_free(&c);
	esc_scenario_free(s);
	scenario_fails("regime = {states = {'low', 'high'}, crisis = 'high'}",
	               "unknown key 'crisis' in regime");
}

#define TYPES2 "types = {r = {level = 1}, q = {level = 2}}"
#define GEN_AB "incidents = {{actor = 'A', target = 'B', type = 'r', zone = 'z', rate = 1"
#define STATES "regime = {states = {'calm', 'crisis'}"

static void test_excitation_errors(void **state)
{
	(void)state;
	/* types.NAME.escalate */
	scenario_fails("types = {r = {level = 1, escalate = {to = 'q', p = 1.5}}, q = {level = 2}}",
	               "bad.lua:2: types.r.escalate.p: expected a probability in [0, 1], got 1.5");
	scenario_fails("types = {r = {level = 1, escalate = {to = 'q', p = 0/0}}, q = {level = 2}}",
	               "types.r.escalate.p: expected a probability in [0, 1], got nan");
	scenario_fails("types = {r = {level = 1, escalate = {to = 's', p = 0.5}}, q = {level = 2}}",
	               "types.r.escalate.to: unknown type 's' (known: q, r)");
	scenario_fails("types = {r = {level = 1, escalate = {to = 'r', p = 0.5}}}",
	               "types.r.escalate.to: must differ from the type itself ('r')");
	scenario_fails("types = {r = {level = 1, escalate = {p = 0.5}}, q = {level = 2}}",
	               "types.r.escalate.to: missing (expected a type name: q, r)");
	scenario_fails("types = {r = {level = 1, escalate = {to = 'q'}}, q = {level = 2}}",
	               "types.r.escalate.p: missing (expected a probability in [0, 1])");
	scenario_fails("types = {r = {level = 1, escalate = {to = 'q', p = 1, prob = 1}}, q = {level = 2}}",
	               "unknown key 'prob' in types.r.escalate");
	scenario_fails("types = {r = {level = 1, escalate = 'q'}}",
	               "types.r.escalate: expected a table {to = TYPE, p = probability}, got string 'q'");
	scenario_fails("types = {r = {level = 1, cameo = '19x'}}",
	               "types.r.cameo: expected a CAMEO code, digits in a string such as \"195\", got '19x'");
	scenario_fails("types = {r = {level = 1, acled_type = string.rep('x', 48)}}",
	               "types.r.acled_type: expected an ACLED event type of at most 47 bytes of UTF-8 text, got one of 48 bytes");

	/* hawkes */
	scenario_fails(TYPES2 ", hawkes = {{n = 1.2}}",
	               "bad.lua:2: hawkes: the branching ratio (spectral radius of the mean offspring matrix, deaths included) is 1.2; it must be below 1");
	scenario_fails(TYPES2 ", hawkes = {{from = {type = 'r'}, n = 0.6}, {n = 0.5}}", "the branching ratio");
	scenario_fails("types = {r = {level = 1, fatalities_civ = 4}}, hawkes = {{n = 0.5, per_fatality = 0.25}}",
	               "hawkes: the branching ratio (spectral radius of the mean offspring matrix, deaths included) is 1;");
	scenario_fails("types = {r = {level = 1, escalate = {to = 'q', p = 1}}, q = {level = 2, fatalities_mil = 3}}, "
	               "hawkes = {{from = {type = 'q'}, to = {type = 'r'}, n = 0.5, per_fatality = 0.5}}",
	               "is 1.25; it must be below 1");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.5, to = {zone = 'moon'}}}", "hawkes[1].to.zone: unknown zone 'moon' (known: z)");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1}, {n = 0.1, to = {actor = 'Q'}}}", "hawkes[2].to.actor: unknown party 'Q' (known: A, B)");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, from = {type = 'zz'}}}", "hawkes[1].from.type: unknown type 'zz' (known: q, r)");
	scenario_fails("hawkes = {{n = 0.1, from = {type = 'r'}}}",
	               "hawkes[1].from.type: unknown type 'r': no incident types are defined (add them under types)");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, from = {actor = 'A', target = 'A'}}}",
	               "hawkes[1].from.target: must differ from actor ('A')");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, to = {actor = 'B', target = 'B'}}}",
	               "hawkes[1].to.target: must differ from actor ('B')");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, to = {actor = 'A'}}}",
	               "hawkes[1]: a child of an incident by B against A would be by A against itself");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, from = {zone = 'z'}}}",
	               "bad.lua:2: unknown key 'zone' in hawkes[1].from");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, to = {actr = 'A'}}}", "unknown key 'actr' in hawkes[1].to (did you mean 'actor'?)");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, fast_men = 1}}", "unknown key 'fast_men' in hawkes[1] (did you mean 'fast_mean'?)");
	scenario_fails(TYPES2 ", hawkes = {{}}", "hawkes[1].n: missing (expected a finite branching ratio >= 0 (mean children per incident))");
	scenario_fails(TYPES2 ", hawkes = {{n = -1}}", "hawkes[1].n: expected a finite branching ratio >= 0 (mean children per incident), got -1");
	scenario_fails(TYPES2 ", hawkes = {{n = 0/0}}", "hawkes[1].n: expected a finite branching ratio >= 0 (mean children per incident), got nan");
	scenario_fails(TYPES2 ", hawkes = {{n = 1/0}}", "hawkes[1].n: expected a finite branching ratio >= 0 (mean children per incident), got inf");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, fast_share = 1.1}}", "hawkes[1].fast_share: expected a probability in [0, 1], got 1.1");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, fast_mean = 0}}", "hawkes[1].fast_mean: expected a number of hours > 0 (see days, weeks), got 0");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, slow_mean = 1/0}}", "hawkes[1].slow_mean: expected a number of hours > 0 (see days, weeks), got inf");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, per_fatality = -1}}",
	               "hawkes[1].per_fatality: expected a finite number >= 0 (share of n added per death), got -1");
	scenario_fails(TYPES2 ", hawkes = {{n = 0.1, from = 3}}",
	               "hawkes[1].from: expected a table {actor = PARTY, target = PARTY, type = TYPE} (each optional: any), got 3");
	scenario_fails(TYPES2 ", hawkes = {n = 0.1}", "hawkes: expected an array of rules");
	scenario_fails(TYPES2 ", hawkes = {3}", "hawkes[1]: expected a rule {from = {...}, to = {...}, n = ...}, got 3");
	/* the sorted order: from is read before n */
	scenario_fails(TYPES2 ", hawkes = {{from = {type = 'x'}}}", "hawkes[1].from.type: unknown type 'x'");

	/* regime */
	scenario_fails("regime = {}", "regime.states: missing (expected an array of at least 1 state name");
	scenario_fails("regime = {states = {}}", "regime.states: need at least 1 state, got 0");
	scenario_fails("regime = {states = {'a', 'a'}}", "regime.states[2]: duplicate state 'a' (also regime.states[1])");
	scenario_fails("regime = {states = {'a', 'b c'}}",
	               "regime.states[2]: expected a state name (letters, digits and _, at most 31 characters), got 'b c'");
	scenario_fails("regime = {states = {'a', 3}}", "regime.states[2]: expected a state name, got 3");
	scenario_fails("regime = {stats = {'a'}}", "unknown key 'stats' in regime (did you mean 'states'?)");
	scenario_fails(STATES ", rates = {calm = {tense = 1}}}", "regime.rates.calm: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(STATES ", rates = {tense = {calm = 1}}}", "regime.rates: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(STATES ", rates = {calm = {crisis = -0.5}}}",
	               "regime.rates.calm.crisis: expected a finite rate >= 0 per hour (see per_day, per_year), got -0.5");
	scenario_fails(STATES ", rates = {calm = {crisis = 0/0}}}", "regime.rates.calm.crisis: expected a finite rate >= 0 per hour (see per_day, per_year), got nan");
	scenario_fails(STATES ", rates = {calm = {calm = 1}}}", "regime.rates.calm.calm: a state cannot move to itself (leave the pair out)");
	scenario_fails(STATES ", rates = {calm = 1}}", "regime.rates.calm: expected a table TO = rate per hour, got 1");
	scenario_fails(STATES ", multiplier = {crisis = -1}}", "regime.multiplier.crisis: expected a finite multiplier >= 0, got -1");
	scenario_fails(STATES ", multiplier = {crisis = 1/0}}", "regime.multiplier.crisis: expected a finite multiplier >= 0, got inf");
	scenario_fails(STATES ", multiplier = {tense = 2}}", "regime.multiplier: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(STATES ", shocks = {{at = 1, state = 'tense'}}}", "regime.shocks[1].state: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(STATES ", shocks = {{at = 1, state = 'calm'}, {at = -1, state = 'calm'}}}",
	               "regime.shocks[2].at: expected a number of hours >= 0 (see days, weeks), got -1");
	scenario_fails(STATES ", shocks = {{state = 'calm'}}}", "regime.shocks[1].at: missing (expected a number of hours >= 0");
	scenario_fails(STATES ", shocks = {{at = 1}}}", "regime.shocks[1].state: missing (expected a state name: calm, crisis)");
	scenario_fails(STATES ", shocks = {{at = 1, stat = 'calm'}}}", "unknown key 'stat' in regime.shocks[1] (did you mean 'state'?)");
	scenario_fails(STATES ", shocks = {[2] = {at = 1, state = 'calm'}}}", "regime.shocks: expected an array of shocks");
	scenario_fails(STATES ", initial = 'tense'}", "regime.initial: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(STATES ", crisis = 'tense'}", "unknown key 'crisis' in regime");
	scenario_fails("regime = 3", "regime: expected a table {states = {...}");

	/* incidents[i].regime */
	scenario_fails(TYPES2 ", " GEN_AB "}, {actor = 'A', target = 'B', type = 'r', zone = 'z', rate = 1, regime = {crisis = 2}}}",
	               "bad.lua:2: incidents[2].regime: the scenario has no regime chain");
	scenario_fails(TYPES2 ", " STATES "}, " GEN_AB ", regime = {tense = 2}}}",
	               "incidents[1].regime: unknown state 'tense' (known: calm, crisis)");
	scenario_fails(TYPES2 ", " STATES "}, " GEN_AB ", regime = {crisis = -2}}}",
	               "incidents[1].regime.crisis: expected a finite multiplier >= 0, got -2");
	scenario_fails(TYPES2 ", " STATES "}, " GEN_AB ", regime = {crisis = 0/0}}}",
	               "incidents[1].regime.crisis: expected a finite multiplier >= 0, got nan");
	scenario_fails(TYPES2 ", " STATES "}, " GEN_AB ", regime = 2}}",
	               "incidents[1].regime: expected a table STATE = multiplier >= 0, got 2");
	scenario_fails(TYPES2 ", " GEN_AB ", regme = {}}}", "unknown key 'regme' in incidents[1] (did you mean 'regime'?)");

	/* ladder.spiral_moves */
	scenario_fails("ladder = {spiral_moves = -1}", "ladder.spiral_moves: expected an integer >= 1 (moves of an exchange), got -1");
	scenario_fails("ladder = {spiral_moves = 2.5}", "ladder.spiral_moves: expected an integer >= 1 (moves of an exchange), got 2.5");
	scenario_fails("ladder = {spiral_move = 2}", "unknown key 'spiral_move' in ladder (did you mean 'spiral_moves'?)");

	/* an error found by the cross-field check names the override behind it */
	esc_scenario *s = load_ok(fixture("excitation.lua"));
	const char *ov[] = {"hawkes.2.n=0.9"};      /* 0.9 + 0.2 on rockets by NSA at ISR */
	arm_fails(s, ov, 1, "override 'hawkes.2.n=0.9': hawkes: the branching ratio (spectral radius of the mean offspring matrix, deaths included) is 1.1;");
	const char *ov2[] = {"regime.shocks.2.state='panic'"};
	arm_fails(s, ov2, 1, "override 'regime.shocks.2.state='panic'': regime.shocks[2].state: unknown state 'panic'");
	esc_scenario_free(s);
}

static void test_excitation_warnings(void **state)
{
	(void)state;
	/* rule 2 needs an incident by B against A: only responses make one;
	 * rule 3's class is reached through rule 1's children, rule 4's
	 * through escalation, rule 5 matches any incident */
	const char *path = scenario_file("hwarn.lua", "",
		"horizon = days(10), types = {r = {level = 1, escalate = {to = 'q', p = 0.1}}, q = {level = 2}, s = {level = 3}}, "
		GEN_AB "}}, "
		"hawkes = {{from = {type = 'r'}, to = {type = 's'}, n = 0.1}, {from = {actor = 'B'}, n = 0.1}, "
		"{from = {type = 's'}, n = 0.1}, {from = {actor = 'A', target = 'B', type = 'q'}, n = 0.1}, {n = 0.1}}, "
		STATES ", shocks = {{at = days(11), state = 'crisis'}, {at = days(10), state = 'calm'}, {at = days(9), state = 'calm'}}}");
	esc_scenario *s = load_ok(path);
	esc_config c;
	arm_ok(s, NULL, 0, &c, NULL);
	const char *const *w = esc_scenario_warnings(s);
	assert_non_null(w[0]);
	assert_non_null(w[1]);
	assert_non_null(w[2]);
	assert_null(w[3]);
	assert_string_equal(w[0], "regime.shocks[1]: at 264 h, at or after the horizon (240 h): it never happens");
	assert_string_equal(w[1], "regime.shocks[2]: at 240 h, at or after the horizon (240 h): it never happens");
	assert_string_equal(w[2], "hawkes[2].from matches no background incident; it fires only on responses");
	esc_config_free(&c);

	/* a generator at rate 0 starts nothing; a rule with n = 0 has no children */
	const char *ov[] = {"incidents.1.rate=0", "hawkes.1.n=0", "horizon=20d"};
	arm_ok(s, ov, 3, &c, NULL);
	w = esc_scenario_warnings(s);
	for (int i = 0; i < 4; i++) {
		assert_non_null(w[i]);
		char want[100];
		snprintf(want, sizeof want, "hawkes[%d].from matches no background incident; it fires only on responses", i + 1);
		assert_string_equal(w[i], want);
	}
	assert_null(w[4]);
	esc_config_free(&c);
	esc_scenario_free(s);
}

/* ---- overrides ------------------------------------------------------------- */

/* esc_scenario_set in a child (isolated): a VALUE is Lua, run in the sandbox. */
typedef struct set_arg {
	esc_scenario *s;
	const char *text;
} set_arg;

static int set_only(const void *arg, esc_error *err)
{
	const set_arg *a = arg;
	return esc_scenario_set(a->s, a->text, err);
}

static void test_overrides(void **state)
{
	(void)state;
	esc_scenario *s = load_ok(fixture("basic.lua"));
	esc_config c;
	const char *dur[] = {"cell.latency=30m", "horizon=1.5h", "attribution.delay=2d", "ladder.half_life=1w"};
	arm_ok(s, dur, 4, &c, NULL);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_CONSTANT);
	assert_true(c.cell.latency_h.a == 0.5);
	assert_true(c.horizon_h == 1.5);
	assert_true(c.attribution.delay_h.a == 48);
	assert_true(c.ladder.half_life_h == 168);
	esc_config_free(&c);

	const char *lit[] = {"cell.enabled=false", "cell.latency=lognormal{median=2,sigma=1}",
	                     "name=\"renamed\"", "incidents.2.rate=0.25", " ladder.spiral_moves = 6 ",
	                     "horizon=days(3)", "policies.ISR.deadline=12"};
	arm_ok(s, lit, 7, &c, NULL);
	assert_int_equal(c.cell.enabled, 0);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_LOGNORMAL);
	assert_true(c.cell.latency_h.a == 2);
	assert_string_equal(c.name, "renamed");
	assert_true(c.generators[1].rate_per_h == 0.25);
	assert_int_equal(c.ladder.spiral_moves, 6);
	assert_true(c.horizon_h == 72);
	esc_config_free(&c);

	/* an arm's overrides do not leak into the base or the next arm */
	arm_ok(s, NULL, 0, &c, NULL);
	assert_int_equal(c.cell.enabled, 1);
	assert_string_equal(c.name, "unit_basic");
	assert_true(c.generators[1].rate_per_h == 12.0 / 8760.0);
	assert_int_equal(c.cell.latency_h.kind, ESC_DIST_EXPONENTIAL);
	esc_config_free(&c);

	/* --set changes the base: every later arm sees it */
	esc_error err = {0};
	assert_int_equal(esc_scenario_set(s, "cell.accuracy=0.5", &err), 0);
	assert_int_equal(esc_scenario_set(s, "name='set_name'", &err), 0);
	assert_string_equal(esc_scenario_name(s), "set_name");
	arm_ok(s, NULL, 0, &c, NULL);
	assert_true(c.cell.accuracy == 0.5);
	esc_config_free(&c);
	const char *more[] = {"cell.accuracy=0.25"};
	arm_ok(s, more, 1, &c, NULL);
	assert_true(c.cell.accuracy == 0.25);
	esc_config_free(&c);

	/* errors name the override */
	const char *bad1[] = {"cell.latency="};
	arm_fails(s, bad1, 1, "override 'cell.latency=': expected KEY=VALUE");
	const char *bad2[] = {"=3"};
	arm_fails(s, bad2, 1, "expected KEY=VALUE");
	const char *bad3[] = {"cell..latency=3"};
	arm_fails(s, bad3, 1, "KEY 'cell..latency' is not a dotted path");
	const char *bad4[] = {"cell.latency=lognormal{"};
	arm_fails(s, bad4, 1, "override 'cell.latency=lognormal{': VALUE is neither a duration");
	const char *bad5[] = {"cell.latency=\"x\""};
	arm_fails(s, bad5, 1, "override 'cell.latency=\"x\"': cell.latency: expected a distribution or a number of hours >= 0, got string 'x'");
	const char *bad6[] = {"cell.latency.x=1"};
	arm_fails(s, bad6, 1, "override 'cell.latency.x=1': cell.latency is a distribution, not a table");
	const char *bad7[] = {"cell.latency=lognormal{median=-1, sigma=1}"};
	arm_fails(s, bad7, 1, "lognormal: median must be finite and > 0, got -1");
	const char *bad8[] = {"cell.latancy=2h"};
	arm_fails(s, bad8, 1, "override 'cell.latancy=2h': unknown key 'latancy' in cell (did you mean 'latency'?)");
	assert_int_equal(esc_scenario_set(s, "cell.latency", &err), ESC_ERR_INPUT);
	expect_contains(err.msg, "--set 'cell.latency': expected KEY=VALUE");
	set_arg os_exit = { s, "cell.latency=os.exit()" };
	assert_int_equal(isolated(set_only, &os_exit, &err, os_exit.text), ESC_ERR_INPUT);
	expect_contains(err.msg, "--set 'cell.latency=os.exit()': VALUE:1: attempt to index a nil value (global 'os')");
	esc_scenario_free(s);

	/* missing tables along the path are created */
	s = load_ok(fixture("minimal.lua"));
	const char *nested[] = {"cell.accuracy=0.75", "attribution.confusion.A.B.B=1", "ladder.step=2"};
	arm_ok(s, nested, 3, &c, NULL);
	assert_true(c.cell.accuracy == 0.75);
	assert_true(c.ladder.step == 2);
	esc_config_free(&c);
	const char *bad9[] = {"attribution.confusion.A.B.B=0.5"};
	arm_fails(s, bad9, 1, "override 'attribution.confusion.A.B.B=0.5': attribution.confusion.A.B: probabilities sum to 0.5");
	esc_scenario_free(s);
}

/* ---- policies ------------------------------------------------------------------ */

typedef struct pcase {
	esc_scenario *s;
	esc_config cfg;
	esc_policy pol;
	gsl_rng *rng;
	esc_hook_ctx ctx;
	esc_observation obs;
	esc_decision out;
} pcase;

/* Arm policy_cases.lua with policies.A.mode=MODE. */
static void pcase_open(pcase *p, const char *mode)
{
	memset(p, 0, sizeof *p);
	p->s = load_ok(fixture("policy_cases.lua"));
	char ov[128];
	snprintf(ov, sizeof ov, "policies.A.mode='%s'", mode);
	const char *ovs[] = {ov};
	arm_ok(p->s, ovs, 1, &p->cfg, &p->pol);
	p->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(p->rng, 42);
	p->ctx = (esc_hook_ctx){.rep = 3, .t_h = 6, .rng = p->rng};
	/* A sees a raid in z2, blamed on B */
	p->obs = (esc_observation){.incident_id = 17, .t_incident_h = 5, .observer = 0, .perceived = 1,
	                           .type = 0, .zone = 1, .level = 4, .fatalities_mil = 1,
	                           .fatalities_civ = 2, .cause = ESC_CAUSE_POLICY,
	                           .ladder_level = 2.5, .cell_available = 1};
}

static int pcase_call(pcase *p, esc_error *err)
{
	p->out = (esc_decision){.action = ESC_ACT_IGNORE, .target = p->obs.perceived, .type = -1,
	                        .zone = p->obs.zone};
	return p->pol.type->on_incident_observed(p->pol.self, &p->ctx, &p->obs, &p->out, err);
}

static void pcase_close(pcase *p)
{
	gsl_rng_free(p->rng);
	esc_config_free(&p->cfg);
	esc_scenario_free(p->s);
}

static esc_decision decide(const char *mode)
{
	pcase p;
	pcase_open(&p, mode);
	esc_error err = {0};
	if (pcase_call(&p, &err))
		fail_msg("mode %s: %s", mode, err.msg);
	esc_decision d = p.out;
	pcase_close(&p);
	return d;
}

static void decide_fails(const char *mode, const char *fragment)
{
	pcase p;
	pcase_open(&p, mode);
	esc_error err = {0};
	int rc = pcase_call(&p, &err);
	if (rc == 0)
		fail_msg("mode %s: expected an error with \"%s\"", mode, fragment);
	assert_int_equal(rc, ESC_ERR_INPUT);
	expect_contains(err.msg, fragment);
	/* a failed call leaves the decision as it came */
	assert_int_equal(p.out.action, ESC_ACT_IGNORE);
	pcase_close(&p);
}

static void test_policy_decisions(void **state)
{
	(void)state;
	assert_int_equal(decide("nil").action, ESC_ACT_IGNORE);
	assert_int_equal(decide("ignore").action, ESC_ACT_IGNORE);
	assert_int_equal(decide("protest").action, ESC_ACT_PROTEST);
	assert_int_equal(decide("query").action, ESC_ACT_QUERY);
	esc_decision d = decide("retaliate");
	assert_int_equal(d.action, ESC_ACT_RETALIATE);
	assert_int_equal(d.type, 1);          /* rocket: types sorted raid, rocket */
	assert_int_equal(d.target, 2);        /* C */
	assert_int_equal(d.zone, 0);          /* z1 */
	assert_true(d.delay_h == 2.5);
	assert_int_equal(d.query_cell, 1);
	d = decide("retaliate_default");
	assert_int_equal(d.action, ESC_ACT_RETALIATE);
	assert_int_equal(d.type, 0);
	assert_int_equal(d.target, 1);        /* the perceived perpetrator */
	assert_int_equal(d.zone, 1);          /* the incident's zone */
	assert_true(d.delay_h == 0);
	assert_int_equal(d.query_cell, 0);
	/* the incident table holds exactly the documented fields */
	assert_int_equal(decide("incident").action, ESC_ACT_QUERY);
	d = decide("now");
	assert_true(d.delay_h == 6 + 3);

	/* a query's priority: flash 0, immediate 1 (the default for every
	 * answer), routine 2 */
	assert_int_equal(decide("query").priority, 1);
	assert_int_equal(decide("nil").priority, 1);
	assert_int_equal(decide("protest").priority, 1);
	assert_int_equal(decide("retaliate").priority, 1);
	d = decide("query_flash");
	assert_int_equal(d.action, ESC_ACT_QUERY);
	assert_int_equal(d.priority, 0);
	assert_int_equal(decide("query_routine").priority, 2);
	d = decide("retaliate_flash");
	assert_int_equal(d.action, ESC_ACT_RETALIATE);
	assert_int_equal(d.query_cell, 1);
	assert_int_equal(d.priority, 0);

	/* random numbers come from the hook's stream, as GSL draws them */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 42);
	double u = gsl_rng_uniform(r);
	assert_true(decide("random").delay_h == u);
	gsl_rng_set(r, 42);
	double want = 3 + (double)gsl_rng_uniform_int(r, 5);
	assert_true(decide("random_int").delay_h == want);
	d = decide("sample");
	gsl_rng_set(r, 42);
	assert_true(d.delay_h == esc_ran_exponential(r, 2));   /* the kernel's sampler */
	gsl_rng_free(r);
}

static void test_policy_state_per_replication(void **state)
{
	(void)state;
	pcase p;
	pcase_open(&p, "count");
	esc_error err = {0};
	assert_int_equal(pcase_call(&p, &err), 0);
	assert_true(p.out.delay_h == 1);
	assert_int_equal(pcase_call(&p, &err), 0);
	assert_true(p.out.delay_h == 2);      /* self keeps state within a replication */
	p.ctx.rep = 4;
	assert_int_equal(pcase_call(&p, &err), 0);
	assert_true(p.out.delay_h == 1);      /* and starts afresh in the next */
	/* no policy, or a party without the hook: ignore without calling Lua */
	p.obs.observer = 1;
	p.obs.perceived = 0;
	p.out.action = ESC_ACT_PROTEST;
	assert_int_equal(p.pol.type->on_incident_observed(p.pol.self, &p.ctx, &p.obs, &p.out, &err), 0);
	assert_int_equal(p.out.action, ESC_ACT_IGNORE);
	pcase_close(&p);

	/* the basic scenario's restraint module, shared code, per-party tables */
	esc_scenario *s = load_ok(fixture("basic.lua"));
	esc_config c;
	esc_policy pol;
	const char *ov[] = {"policies.ISR.deadline=12"};
	arm_ok(s, ov, 1, &c, &pol);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	esc_hook_ctx ctx = {.rep = 0, .t_h = 1, .rng = rng};
	esc_observation o = {.incident_id = 1, .observer = 0, .perceived = 2, .type = 3, .zone = 1,
	                     .level = 3, .cell_available = 1};
	esc_decision out = {.action = ESC_ACT_IGNORE, .target = 2, .type = -1, .zone = 1};
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), 0);
	assert_int_equal(out.action, ESC_ACT_RETALIATE);
	assert_int_equal(out.type, 0);        /* airstrike */
	assert_int_equal(out.target, 2);
	assert_true(out.delay_h == 12);
	assert_int_equal(out.query_cell, 1);
	o.level = 2;
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), 0);
	assert_int_equal(out.action, ESC_ACT_PROTEST);
	o.observer = 1;                       /* SYR's hook returns nil */
	o.perceived = 0;
	out.action = ESC_ACT_PROTEST;
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), 0);
	assert_int_equal(out.action, ESC_ACT_IGNORE);
	gsl_rng_free(rng);
	esc_config_free(&c);
	esc_scenario_free(s);
}

static void test_policy_refusals(void **state)
{
	(void)state;
	const char *hook = "policy_cases.lua:69: policies.A.on_incident_observed returned ";
	char want[256];
	snprintf(want, sizeof want, "%saction='nuke': expected one of ignore, protest, query, retaliate", hook);
	decide_fails("bad_action", want);
	decide_fails("no_action", "returned a table without action");
	decide_fails("not_table", "returned 42: expected nil or a table {action = ...}");
	decide_fails("unknown_field", "returned unknown field 'dealy' (did you mean 'delay'?)");
	decide_fails("extra_field", "returned type with action='protest'");
	decide_fails("missing_type", "returned action='retaliate' without type: expected type = an incident type (one of raid, rocket)");
	decide_fails("bad_type", "returned type='nuke': expected a type name (one of raid, rocket)");
	decide_fails("self_target", "returned target='A': a party cannot retaliate against itself");
	decide_fails("bad_target", "returned target='Z': expected a party name (one of A, B, C)");
	decide_fails("bad_zone", "returned zone='moon': expected a zone name (one of z1, z2)");
	decide_fails("neg_delay", "returned delay=-1: expected a finite number of hours >= 0");
	decide_fails("huge_delay", "returned delay=inf: expected a finite number of hours >= 0 (for never, leave the action out)");
	snprintf(want, sizeof want, "%spriority='urgent': expected one of flash, immediate, routine", hook);
	decide_fails("bad_priority", want);
	decide_fails("protest_priority",
	             "returned priority with action='protest': priority goes only with action='query' or 'retaliate'");
	decide_fails("nan_delay", "returned delay=");
	decide_fails("bad_query", "returned query=1: expected true or false");
	decide_fails("error", "policy_cases.lua:27: boom");
	decide_fails("loop", "policy_cases.lua:28: CPU time budget of 0.5 s per call exceeded (limits.cpu): an endless loop?");
	decide_fails("memory", "memory cap of 32 MiB exceeded");

	/* the state stays usable after a refused call */
	pcase p;
	pcase_open(&p, "bad_action");
	esc_error err = {0};
	assert_int_equal(pcase_call(&p, &err), ESC_ERR_INPUT);
	esc_config c2;
	esc_policy pol2;
	const char *ov[] = {"policies.A.mode='protest'"};
	arm_ok(p.s, ov, 1, &c2, &pol2);
	esc_decision out = {0};
	assert_int_equal(pol2.type->on_incident_observed(pol2.self, &p.ctx, &p.obs, &out, &err), 0);
	assert_int_equal(out.action, ESC_ACT_PROTEST);
	esc_config_free(&c2);
	esc_scenario_release(p.s, &pol2);
	assert_null(pol2.self);
	esc_scenario_release(p.s, &pol2);     /* twice is harmless */
	pcase_close(&p);

	/* many arms released one by one stay within a small memory cap */
	esc_script_limits lim = {.memory_bytes = 2u << 20};
	esc_scenario *s = esc_scenario_load(fixture("basic.lua"), NULL, &lim, &err);
	assert_non_null(s);
	for (int i = 0; i < 2000; i++) {
		esc_config c;
		esc_policy pol;
		arm_ok(s, NULL, 0, &c, &pol);
		esc_config_free(&c);
		esc_scenario_release(s, &pol);
	}
	esc_scenario_free(s);
}

/* ---- every hook, called directly (no engine) ------------------------------------ */

typedef struct hcase {
	esc_scenario *s;
	esc_config cfg;
	esc_policy pol;
	gsl_rng *rng;
	esc_hook_ctx ctx;
	esc_error err;
} hcase;

/* Arm hook_cases.lua with policies.A.mode=MODE and begin replication 3. */
static void hcase_open(hcase *h, const char *mode)
{
	memset(h, 0, sizeof *h);
	h->s = load_ok(fixture("hook_cases.lua"));
	char ov[128];
	snprintf(ov, sizeof ov, "policies.A.mode='%s'", mode);
	const char *ovs[] = {ov};
	arm_ok(h->s, ovs, 1, &h->cfg, &h->pol);
	h->rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(h->rng, 42);
	h->ctx = (esc_hook_ctx){.rep = 3, .t_h = 6, .rng = h->rng, .party = 0, .engine = NULL};
	assert_int_equal(h->pol.type->begin(h->pol.self, 3, &h->err), 0);
}

static void hcase_close(hcase *h)
{
	gsl_rng_free(h->rng);
	esc_config_free(&h->cfg);
	esc_scenario_free(h->s);
}

/* The call's status must be st; with an error, its message holds fragment. */
static void hcase_expect(hcase *h, int rc, const char *mode, const char *fragment)
{
	if (!fragment) {
		if (rc)
			fail_msg("mode %s: %s", mode, h->err.msg);
		return;
	}
	if (rc == 0)
		fail_msg("mode %s: expected an error with \"%s\"", mode, fragment);
	assert_int_equal(rc, ESC_ERR_INPUT);
	expect_contains(h->err.msg, fragment);
}

/* A sees a raid by C in z2 (types sorted: raid 0, rocket 1). */
static const esc_observation RAID = {.incident_id = 9, .t_incident_h = 5.5, .observer = 0, .perceived = 1,
                                     .type = 0, .zone = 1, .level = 4, .fatalities_mil = 1,
                                     .cause = ESC_CAUSE_TRIGGERED, .ladder_level = 1, .cell_available = 1};

static void attribute_case(const char *mode, const double *want, const char *fragment)
{
	hcase h;
	hcase_open(&h, mode);
	double p[3] = {0, 0.5, 0.5};
	int changed = -1;
	int rc = h.pol.type->attribute(h.pol.self, &h.ctx, &RAID, p, &changed, &h.err);
	hcase_expect(&h, rc, mode, fragment);
	if (want) {
		assert_int_equal(changed, 1);
		for (int i = 0; i < 3; i++)
			assert_true(p[i] == want[i]);
	} else {
		assert_int_equal(changed, 0);       /* also after a refused answer */
		assert_true(p[0] == 0 && p[1] == 0.5 && p[2] == 0.5);
	}
	hcase_close(&h);
}

static void test_hook_attribute(void **state)
{
	(void)state;
	attribute_case("nil", NULL, NULL);
	attribute_case("blame_c", (double[]){0, 0, 1}, NULL);
	attribute_case("split", (double[]){0, 0.25, 0.75}, NULL);
	attribute_case("prior", (double[]){0, 0, 1}, NULL);
	attribute_case("sum", NULL, "hook_cases.lua:140: policies.A.attribute returned probabilities summing to 0.9: expected a sum of 1");
	attribute_case("self", NULL, "policies.A.attribute returned A: the observer itself; a party does not blame itself");
	attribute_case("unknown", NULL, "policies.A.attribute returned ['Z']: expected party names as keys (one of A, B, C)");
	attribute_case("negative", NULL, "policies.A.attribute returned B=-1: expected a probability in [0, 1]");
	attribute_case("string", NULL, "policies.A.attribute returned B='all': expected a probability in [0, 1]");
	attribute_case("not_table", NULL, "policies.A.attribute returned 'C': expected nil (keep the confusion matrix) or a table {PARTY = probability, ...}");
}

static void request_case(const char *mode, esc_reply_kind kind, double delay, const char *fragment)
{
	hcase h;
	hcase_open(&h, mode);
	esc_cell_request req = {.message_id = 5, .event_id = 9, .sender = 1, .receiver = 0, .kind = ESC_MSG_QUERY,
	                        .suspected = 0, .culprit = 2, .deadline_h = 12};
	esc_cell_reply out = {ESC_REPLY_ANSWER, 0};
	int rc = h.pol.type->on_cell_request(h.pol.self, &h.ctx, &req, &out, &h.err);
	hcase_expect(&h, rc, mode, fragment);
	assert_int_equal(out.reply, kind);
	assert_true(out.delay_h == delay);
	hcase_close(&h);
}

static void test_hook_cell_request(void **state)
{
	(void)state;
	request_case("nil", ESC_REPLY_ANSWER, 0, NULL);
	request_case("fields", ESC_REPLY_ANSWER, 0, NULL);
	request_case("deny", ESC_REPLY_DENY, 0, NULL);
	request_case("slow", ESC_REPLY_SHARE_INTEL, 2.5, NULL);
	request_case("delay_only", ESC_REPLY_ANSWER, 1, NULL);
	request_case("refuse", ESC_REPLY_REFUSE, 0, NULL);
	request_case("enforce", ESC_REPLY_COMMIT_ENFORCE, 0, NULL);
	request_case("bad_reply", ESC_REPLY_ANSWER, 0,
	             "hook_cases.lua:140: policies.A.on_cell_request returned reply='ack': expected one of answer, deny, share_intel, commit_enforce, refuse");
	request_case("bad_delay", ESC_REPLY_ANSWER, 0, "policies.A.on_cell_request returned delay=-2: expected a finite number of hours >= 0");
	request_case("typo", ESC_REPLY_ANSWER, 0, "policies.A.on_cell_request returned unknown field 'repyl' (did you mean 'reply'?)");
	request_case("not_table", ESC_REPLY_ANSWER, 0,
	             "policies.A.on_cell_request returned 'deny': expected nil (answer as the cell does) or a table {reply = ..., delay = ...}");
}

static void reply_case(const char *mode, int in, int want, const char *fragment)
{
	hcase h;
	hcase_open(&h, mode);
	esc_cell_answer ans = {.message_id = 5, .event_id = 9, .channel = 1, .reply = ESC_REPLY_SHARE_INTEL,
	                       .named = 2, .pending_target = 1, .strike_h = 12};
	int cancel = in;
	int rc = h.pol.type->on_cell_reply(h.pol.self, &h.ctx, &ans, &cancel, &h.err);
	hcase_expect(&h, rc, mode, fragment);
	assert_int_equal(cancel, want);
	hcase_close(&h);
}

static void test_hook_cell_reply(void **state)
{
	(void)state;
	reply_case("nil", 1, 1, NULL);
	reply_case("nil", 0, 0, NULL);
	reply_case("fields", 1, 1, NULL);
	reply_case("cancel", 0, 1, NULL);
	reply_case("proceed", 1, 0, NULL);
	reply_case("table_cancel", 0, 1, NULL);
	reply_case("table_proceed", 1, 0, NULL);
	reply_case("bad_string", 1, 1,
	           "hook_cases.lua:140: policies.A.on_cell_reply returned 'abort': expected nil (the engine's rule), 'cancel', 'proceed' or {cancel = true/false}");
	reply_case("bad_cancel", 1, 1, "policies.A.on_cell_reply returned cancel='yes': expected true or false");
	reply_case("typo", 1, 1, "policies.A.on_cell_reply returned unknown field 'cancle' (did you mean 'cancel'?)");
	reply_case("number", 0, 0, "policies.A.on_cell_reply returned 1: expected nil");
}

static void notice_case(const char *mode, int notify, double lead, const char *fragment)
{
	hcase h;
	hcase_open(&h, mode);
	esc_operation op = {.actor = 0, .target = 1, .type = 1, .zone = 1};
	esc_notice out = {1, 3};
	int rc = h.pol.type->pre_operation(h.pol.self, &h.ctx, &op, &out, &h.err);
	hcase_expect(&h, rc, mode, fragment);
	assert_int_equal(out.notify, notify);
	assert_true(out.lead_h == lead);
	hcase_close(&h);
}

static void test_hook_pre_operation(void **state)
{
	(void)state;
	notice_case("nil", 1, 3, NULL);
	notice_case("fields", 1, 3, NULL);
	notice_case("notify", 1, 0.5, NULL);
	notice_case("quiet", 0, 3, NULL);
	notice_case("lead_only", 1, 2, NULL);
	notice_case("bad_lead", 1, 3, "hook_cases.lua:140: policies.A.pre_operation returned lead=");
	notice_case("bad_notify", 1, 3, "policies.A.pre_operation returned notify=1: expected true or false");
	notice_case("typo", 1, 3, "policies.A.pre_operation returned unknown field 'leed' (did you mean 'lead'?)");
	notice_case("not_table", 1, 3,
	            "policies.A.pre_operation returned false: expected nil (the scenario's cell.notify) or a table {notify = true/false, lead = hours}");
}

static void tick_case(const char *mode, const char *fragment)
{
	hcase h;
	hcase_open(&h, mode);
	int rc = h.pol.type->on_tick(h.pol.self, &h.ctx, 6, &h.err);
	hcase_expect(&h, rc, mode, fragment);
	hcase_close(&h);
}

static void test_hook_tick_and_sim(void **state)
{
	(void)state;
	hcase h;
	hcase_open(&h, "count");
	assert_true(h.pol.type->tick_h(h.pol.self, 0) == 6);   /* policies.A.tick */
	assert_true(h.pol.type->tick_h(h.pol.self, 1) == 0);   /* no policy */
	assert_true(h.pol.type->tick_h(h.pol.self, 9) == 0);
	hcase_close(&h);
	tick_case("nil", NULL);
	tick_case("count", NULL);
	tick_case("returns", "hook_cases.lua:140: policies.A.on_tick returned a table: expected nothing (on_tick acts through sim.act and keeps state in self)");
	tick_case("error", "hook_cases.lua:94: tick failed");
	/* the sim functions that need the engine say so, at the script's line */
	const char *needs[] = {"ladder", "tension", "regime", "cell_up", "recent", "schedule", "cancel", "wait",
	                       "act", "log"};
	for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
		char want[128];
		snprintf(want, sizeof want, ": sim.%s is only available while a replication runs", needs[i]);
		tick_case(needs[i], want);
	}
	tick_case("ladder", "hook_cases.lua:101: sim.ladder is only available");
	tick_case("spawn_wait", "hook_cases.lua:111: sim.wait is only available while a replication runs");
	tick_case("spawn_runs", "hook_cases.lua:115: spawned 5");
	/* the clock, the replication, the party and its stream work anywhere */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 42);
	char want[128];
	snprintf(want, sizeof want, "now=6 rep=3 party=A u=%.6f", gsl_rng_uniform(r));
	gsl_rng_free(r);
	tick_case("clock", want);
}

static const esc_event_row EVENT = {.rep = 3, .id = 9, .parent_id = 4, .root_id = 1, .t_h = 5.5, .actor = 2,
                                    .target = 0, .zone = 1, .type = 0, .level = 4, .fatalities_mil = 1,
                                    .true_perpetrator = 2, .perceived_perpetrator = 1,
                                    .cause = ESC_CAUSE_TRIGGERED, .kind = ESC_EVENT_INCIDENT};

/* Send n raid events to on_event, then read what the triggers counted. */
static void seen_after(hcase *h, int n, int *every, int *once, int *half, int *cond)
{
	for (int i = 0; i < n; i++) {
		esc_event_row ev = EVENT;
		ev.id = i;
		if (h->pol.type->on_event(h->pol.self, &h->ctx, &ev, &h->err))
			fail_msg("on_event: %s", h->err.msg);
	}
	/* A's on_tick (mode 'seen') reports the counts through its error */
	esc_error err = {0};
	esc_hook_ctx tick = h->ctx;
	tick.party = 0;
	assert_int_not_equal(h->pol.type->on_tick(h->pol.self, &tick, 6, &err), 0);
	const char *m = strstr(err.msg, "seen every=");
	if (!m)
		fail_msg("on_tick: %s", err.msg);
	assert_int_equal(sscanf(m, "seen every=%d once=%d half=%d cond=%d", every, once, half, cond), 4);
}

static void test_hook_event_and_triggers(void **state)
{
	(void)state;
	hcase h;
	hcase_open(&h, "fields");
	h.ctx.party = -1;                      /* as the model calls on_event */
	assert_int_equal(h.pol.type->on_event(h.pol.self, &h.ctx, &EVENT, &h.err), 0);
	hcase_close(&h);
	hcase_open(&h, "returns");
	h.ctx.party = -1;
	hcase_expect(&h, h.pol.type->on_event(h.pol.self, &h.ctx, &EVENT, &h.err), "returns",
	             "hook_cases.lua:140: policies.A.on_event returned true: expected nothing (on_event acts through sim.act)");
	hcase_close(&h);

	/* triggers: every one fires each time, `once` once per replication,
	 * `half` with probability 0.5 from the stream, `cond` when its
	 * condition holds (every third event), `never` matches nothing */
	hcase_open(&h, "seen");
	h.ctx.party = -1;
	int every, once, half, cond;
	seen_after(&h, 300, &every, &once, &half, &cond);
	assert_int_equal(every, 300);
	assert_int_equal(once, 1);
	assert_int_equal(cond, 100);
	assert_true(half > 120 && half < 180);   /* Binomial(300, 0.5): 6.9 sd */
	/* the same draws again from the same stream */
	gsl_rng_set(h.rng, 42);
	assert_int_equal(h.pol.type->begin(h.pol.self, 3, &h.err), 0);
	int half1 = half;
	seen_after(&h, 300, &every, &once, &half, &cond);
	assert_int_equal(every, 600);
	assert_int_equal(once, 2);              /* fired again in the new replication */
	assert_int_equal(cond, 200);            /* the condition's count restarted */
	assert_int_equal(half - half1, half1);
	hcase_close(&h);
}

/* ---- the sandbox -------------------------------------------------------------------- */

static int load_only(const void *path, esc_error *err)
{
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, err);
	if (!s)
		return err->status ? err->status : ESC_ERR_RUNTIME;
	esc_scenario_free(s);
	return 0;
}

/* A scenario running `code` first must fail to load with `fragment`, in a
 * child process (isolated) that it leaves, and whose folder it leaves, as
 * they were: the escapes try to write files, run commands and exit. */
static void escape(const char *name, const char *code, const char *fragment)
{
	char file[64];
	snprintf(file, sizeof file, "escape_%s", name);   /* not a module name require could find */
	const char *path = scenario_file(file, code, "");
	esc_error err = {0};
	if (isolated(load_only, path, &err, path) == 0)
		fail_msg("%s loaded, expected an error with \"%s\"", path, fragment);
	assert_int_equal(err.status, ESC_ERR_INPUT);
	expect_contains(err.msg, fragment);
}

static void test_sandbox_escapes(void **state)
{
	(void)state;
	escape("os.lua", "os.execute('touch escaped_os')", "attempt to index a nil value (global 'os')");
	escape("os_tmp.lua", "os.tmpname()", "attempt to index a nil value (global 'os')");
	escape("exit.lua", "os.exit(0)", "attempt to index a nil value (global 'os')");
	escape("io.lua", "io.open('escaped_io', 'w'):write('x')", "attempt to index a nil value (global 'io')");
	escape("io_popen.lua", "io.popen('touch escaped_popen')", "attempt to index a nil value (global 'io')");
	escape("debug.lua", "debug.sethook()", "attempt to index a nil value (global 'debug')");
	escape("package.lua", "package.loadlib('libc.so.6', 'system')", "attempt to index a nil value (global 'package')");
	escape("dump.lua", "string.dump(print)", "attempt to call a nil value (field 'dump')");
	escape("dump2.lua", "('').dump(print)", "attempt to call a nil value (field 'dump')");
	escape("dofile.lua", "dofile('/etc/passwd')", "attempt to call a nil value (global 'dofile')");
	escape("loadfile.lua", "loadfile('/etc/passwd')", "attempt to call a nil value (global 'loadfile')");
	escape("random.lua", "local x = math.random()", "attempt to call a nil value (field 'random')");
	escape("seed.lua", "math.randomseed(1)", "attempt to call a nil value (field 'randomseed')");
	escape("gc.lua", "collectgarbage()", "collectgarbage: only \"count\" is available");
	escape("req_os.lua", "require('os').execute('touch escaped_req')", "require: module 'os' not found (that standard library is not available");
	escape("req_io.lua", "require('io').open('escaped_req', 'w')", "require: module 'io' not found");
	escape("req_debug.lua", "require 'debug'", "require: module 'debug' not found");
	escape("req_up.lua", "require '../../etc/passwd'", "require: invalid module name '../../etc/passwd'");
	escape("req_abs.lua", "require '/etc/passwd'", "require: invalid module name '/etc/passwd'");
	escape("req_missing.lua", "require 'no_such_module'", "require: module 'no_such_module' not found; searched");
	escape("simrand.lua", "local x = sim.random()", "sim.random is only available while a replication runs");
	escape("loadfn.lua", "load(function() return nil end)", "load: only source text (a string) can be loaded");

	/* what is allowed works, and load() cannot reach outside either */
	const char *path = scenario_file("allowed.lua",
		"assert(load(string.char(27) .. 'LuaT\\0') == nil)\n"
		"local f, msg = load(string.char(27) .. 'LuaT', 'x', 'b')\n"
		"assert(f == nil and msg:find('binary chunks are not allowed'), msg)\n"
		"f, msg = load(string.char(27) .. 'LuaT')\n"
		"assert(f == nil and msg:find('binary chunk'), msg)\n"
		"assert(load('return os')() == nil and load('return io')() == nil)\n"
		"assert(load('return minutes(90)')() == 1.5)\n"
		"assert(type(collectgarbage('count')) == 'number')\n"
		"assert(require('string') == string and math.random == nil)\n"
		"assert(getmetatable('').__index.dump == nil)\n"
		"assert(_G.os == nil and _G.require ~= nil and _G._G == _G)\n"
		"local keys = {}\n"
		"for k, v in sim.sorted_pairs({b = 1, a = 2, [2] = 3, [1] = 4, c = 5}) do keys[#keys + 1] = tostring(k) end\n"
		"assert(table.concat(keys, ',') == '1,2,a,b,c', table.concat(keys, ','))\n"
		"keys = {}\n"
		"for k in pairs({z = 1, y = 2, [10] = 3, [2.5] = 4}) do keys[#keys + 1] = tostring(k) end\n"
		"assert(table.concat(keys, ',') == '2.5,10,y,z', table.concat(keys, ','))\n"
		"local proxy = setmetatable({}, {__pairs = function(t) return next, {q = 1}, nil end})\n"
		"for k, v in pairs(proxy) do assert(k == 'q' and v == 1) end\n"
		"assert(not pcall(pairs, {[{}] = 1}))\n"
		"print('hello from the sandbox', 42, nil)\n", "");
	/* print writes one prefixed line to stderr: capture it */
	char errpath[300];
	snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
	fflush(stderr);
	int saved = dup(2);
	FILE *cap = fopen(errpath, "w+");
	assert_non_null(cap);
	dup2(fileno(cap), 2);
	esc_scenario *s = esc_scenario_load(path, NULL, NULL, &(esc_error){0});
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_non_null(s);
	esc_scenario_free(s);
	char line[200] = "";
	rewind(cap);
	assert_non_null(fgets(line, sizeof line, cap));
	fclose(cap);
	unlink(errpath);
	assert_string_equal(line, "[lua] hello from the sandbox\t42\tnil\n");
}

/* Finalizers would run at times that depend on the heap's history, so
 * setmetatable refuses __gc; other metatables work as usual. */
static void test_finalizers(void **state)
{
	(void)state;
	escape("gc.lua", "setmetatable({}, {__gc = function() end})",
	       "setmetatable: __gc finalizers are not allowed in scenarios");
	escape("gc2.lua", "local mt = {}\nmt.__gc = print\nsetmetatable({}, mt)",
	       "escape_gc2.lua:3: setmetatable: __gc finalizers are not allowed");
	const char *path = scenario_file("meta.lua",
		"local Base = {x = 1}\n"
		"local t = setmetatable({}, {__index = Base})\n"
		"assert(t.x == 1 and getmetatable(t).__index == Base)\n"
		"local mt = {}\n"
		"assert(setmetatable(t, mt) == t)\n"
		"mt.__gc = print   -- too late to register a finalizer: harmless\n", "");
	esc_scenario *s = load_ok(path);
	esc_scenario_free(s);
}

/* A call past its CPU-time budget, or caught running at the host's
 * interrupt flag, is stopped: in the VM, inside library functions that loop
 * in C, inside coroutines, and through pcall, each with its line. */
static void budget_fails(const char *name, const char *code, int line, const char *fragment)
{
	esc_script_limits lim = {.cpu_s_per_call = 0.05};
	const char *path = scenario_file(name, code, "");
	char want[700];
	snprintf(want, sizeof want, "%s:%d: %s", path, line, fragment);
	load_fails(path, &lim, want);
}

static void test_cpu_budget(void **state)
{
	(void)state;
	const char *over = "CPU time budget of 0.05 s per call exceeded (limits.cpu): an endless loop?";
	budget_fails("loop.lua", "local x = 1\nwhile true do x = x + 1 end", 2, over);
	budget_fails("pcall.lua", "while true do pcall(function() while true do end end) end", 1, over);
	budget_fails("xpcall.lua", "local n = 0\nwhile true do xpcall(function() while true do end end, "
	             "function(e) n = n + 1 end) end", 2, over);
	budget_fails("co.lua", "local co = coroutine.wrap(function() while true do end end)\nco()", 1, over);
	/* resume catches the error in the coroutine; the loop resuming it is
	 * stopped at the next instruction */
	budget_fails("co_resume.lua", "local co = coroutine.create(function() while true do end end)\n"
	             "while true do coroutine.resume(co) end", 2, over);
	budget_fails("co_loop.lua", "while true do coroutine.wrap(function() for i = 1, 1e6 do end end)() end",
	             1, over);
	/* time inside library functions: patterns that backtrack for hours,
	 * plain searches that are quadratic, loops in C */
	budget_fails("find.lua", "local s = string.rep('a', 40)\n"
	             "string.find(s, '(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b')", 2, over);
	budget_fails("match.lua", "\nstring.match(string.rep('a', 40), '.-.-.-.-.-.-.-.-.-.-b$')", 2, over);
	budget_fails("gmatch.lua", "for x in string.gmatch(string.rep('a', 40), '(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)b')"
	             " do end", 1, over);
	budget_fails("gsub.lua", "local s = ('x'):rep(40)\nlocal r = s:gsub('x*x*x*x*x*x*x*x*x*y', '')", 2, over);
	budget_fails("plain.lua", "local s = string.rep('a', 1 << 24)\n"
	             "string.find(s, string.rep('a', 1 << 23) .. 'b', 1, true)", 2, over);
	budget_fails("rep.lua", "local s = string.rep('', 1e18)\nwhile true do end", 2, over);
	budget_fails("move.lua", "table.move({}, 1, 1e15, 2)", 1, over);
	budget_fails("sort.lua", "local t = {} for i = 1, 4e6 do t[i] = (i * 7919) % 4e6 end table.sort(t)", 1, over);
	budget_fails("concat.lua", "local t = setmetatable({}, {__index = function() return '' end})\n"
	             "table.concat(t, '', 1, 1e15)", 1, over);      /* in __index */

	/* Lua's string.rep("", 1e18) loops 10^18 times: ours returns at once */
	const char *path = scenario_file("rep_ok.lua", "assert(string.rep('', 1e18) == '' and "
	                                 "string.rep('ab', 3, ',') == 'ab,ab,ab' and ('x'):rep(0) == '')\n"
	                                 "assert(#string.rep('abc', 100000, '--') == 499998)\n"
	                                 "local t = table.move({1, 2, 3}, 1, 3, 2)\n"
	                                 "assert(t[1] == 1 and t[2] == 1 and t[3] == 2 and t[4] == 3)\n"
	                                 "t = table.move({1, 2, 3}, 2, 3, 1)\n"
	                                 "assert(t[1] == 2 and t[2] == 3 and t[3] == 3)\n"
	                                 "local u = table.move({1, 2}, 1, 2, 3, {9})\n"
	                                 "assert(u[1] == 9 and u[3] == 1 and u[4] == 2)\n"
	                                 "assert(not pcall(table.move, 1, 1, 2, 3))\n"
	                                 /* table.sort is stable: ties keep their order, in
	                                  * every run (Lua's may take its pivot from the clock) */
	                                 "local v = {} for i = 1, 5000 do v[i] = {k = (i * 7) % 3, i = i} end\n"
	                                 "table.sort(v, function(a, b) return a.k < b.k end)\n"
	                                 "for i = 2, #v do assert(v[i - 1].k < v[i].k or "
	                                 "(v[i - 1].k == v[i].k and v[i - 1].i < v[i].i)) end\n", "");
	esc_scenario_free(load_ok(path));
}

/* The host's interrupt flag (a SIGINT handler's) stops a call at once,
 * whatever its budget, with ESC_ERR_INTERRUPTED. */
static volatile sig_atomic_t interrupted_flag;

static void *set_flag_later(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	interrupted_flag = 2;
	return NULL;
}

static void test_interrupt(void **state)
{
	(void)state;
	const char *path = scenario_file("intr.lua", "", "limits = {cpu = 3600}, types = {r = {level = 1}}, "
	                                 "policies = {A = {on_incident_observed = function() "
	                                 "string.find(string.rep('a', 60), '(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)(.-)b') end}}");
	interrupted_flag = 0;
	esc_script_limits lim = {.interrupt = &interrupted_flag};
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(path, NULL, &lim, &err);
	assert_non_null(s);
	esc_config c;
	esc_policy pol;
	arm_ok(s, NULL, 0, &c, &pol);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	esc_hook_ctx ctx = {.rep = 0, .t_h = 1, .rng = rng};
	esc_observation o = {.observer = 0, .perceived = 1};
	esc_decision out = {0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, set_flag_later, NULL), 0);
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), ESC_ERR_INTERRUPTED);
	pthread_join(th, NULL);
	expect_contains(err.msg, "interrupted by a signal");
	gsl_rng_free(rng);
	esc_config_free(&c);
	esc_scenario_free(s);
}

static void test_limits(void **state)
{
	(void)state;
	esc_script_limits lim = (esc_script_limits){.memory_bytes = 8u << 20};
	const char *path = scenario_file("bomb.lua", "local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1 << 16) .. #t end", "");
	char want[600];
	snprintf(want, sizeof want, "%s: memory cap of 8 MiB exceeded (limits.memory)", path);
	load_fails(path, &lim, want);
	path = scenario_file("bomb2.lua", "local s = string.rep('x', 1 << 30)", "");
	load_fails(path, &lim, "memory cap of 8 MiB exceeded");
	/* a bomb caught with pcall does not break the state */
	path = scenario_file("bomb3.lua", "assert(not pcall(string.rep, 'x', 1 << 30))", "");
	esc_scenario *s = esc_scenario_load(path, NULL, &lim, &(esc_error){0});
	assert_non_null(s);
	esc_scenario_free(s);

	/* limits in the scenario apply after the load; --set may change them */
	path = scenario_file("lim.lua", "", "limits = {cpu = 0.05}, types = {r = {level = 1}}, "
	                     "policies = {A = {on_incident_observed = function() while true do end end}}");
	s = load_ok(path);
	esc_config c;
	esc_policy pol;
	arm_ok(s, NULL, 0, &c, &pol);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	esc_hook_ctx ctx = {.rep = 0, .t_h = 1, .rng = rng};
	esc_observation o = {.observer = 0, .perceived = 1};
	esc_decision out = {0};
	esc_error err = {0};
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), ESC_ERR_INPUT);
	expect_contains(err.msg, "CPU time budget of 0.05 s per call exceeded");
	assert_int_equal(esc_scenario_set(s, "limits.cpu=0.1", &err), 0);
	assert_int_equal(pol.type->on_incident_observed(pol.self, &ctx, &o, &out, &err), ESC_ERR_INPUT);
	expect_contains(err.msg, "CPU time budget of 0.1 s per call exceeded");
	/* a bad value is the option's, with the real range */
	assert_int_equal(esc_scenario_set(s, "limits.memory=0", &err), ESC_ERR_INPUT);
	expect_contains(err.msg, "--set 'limits.memory=0': limits.memory: expected a number of bytes "
	                "from 1 MiB (1048576) to 1e+15, got 0");
	gsl_rng_free(rng);
	esc_config_free(&c);
	esc_scenario_free(s);

	path = scenario_file("badlim.lua", "", "limits = {memory = 'lots'}");
	load_fails(path, NULL, "limits.memory: expected a number of bytes from 1 MiB (1048576) to 1e+15, got string");
	path = scenario_file("biglim.lua", "", "limits = {memory = 1e18}");
	load_fails(path, NULL, "limits.memory: expected a number of bytes from 1 MiB (1048576) to 1e+15, got 1e+18");
	path = scenario_file("cpulim.lua", "", "limits = {cpu = 0}");
	load_fails(path, NULL, "limits.cpu: expected seconds of CPU time per call from 0.01 to 86400, got 0");
	/* the instruction budget is gone: said so, with its replacement */
	path = scenario_file("inslim.lua", "", "limits = {instructions = 1e7}");
	load_fails(path, NULL, "limits.instructions: no longer a limit: a script call now has a budget of "
	           "CPU time, limits.cpu (seconds per call, default 2)");
}

static void test_search_path(void **state)
{
	(void)state;
	/* an explicit search path replaces the default */
	char sp[1100];
	snprintf(sp, sizeof sp, "%s/?.lua", fixtures);
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(fixture("basic.lua"), sp, NULL, &err);
	assert_null(s);
	expect_contains(err.msg, "require: module 'taxonomy' not found");
	snprintf(sp, sizeof sp, "%s/lib/?.lua;%s/?.lua", fixtures, fixtures);
	s = esc_scenario_load(fixture("basic.lua"), sp, NULL, &err);
	if (!s)
		fail_msg("%s", err.msg);
	esc_scenario_free(s);

	/* ESCSIM_PATH folders come after the scenario's own */
	const char *mod = write_file("extra_mod.lua", "return {answer = 42}\n");
	(void)mod;
	const char *path = write_file("sub_scenario.lua",
		"assert(require('extra_mod').answer == 42)\n"
		"return scenario{name = 'x', " PARTIES "}\n");
	setenv("ESCSIM_PATH", "/nonexistent:", 1);
	s = load_ok(path);       /* found in the scenario's own folder */
	esc_scenario_free(s);
	char other[300];
	snprintf(other, sizeof other, "%s/sub", tmpdir);
	mkdir(other, 0700);
	snprintf(other, sizeof other, "%s/sub/sub_scenario.lua", tmpdir);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fputs("assert(require('extra_mod').answer == 42)\nreturn scenario{name = 'x', " PARTIES "}\n", f);
	fclose(f);
	load_fails(other, NULL, "require: module 'extra_mod' not found");
	setenv("ESCSIM_PATH", tmpdir, 1);
	s = load_ok(other);      /* found through ESCSIM_PATH */
	unlink(other);
	snprintf(other, sizeof other, "%s/sub", tmpdir);
	rmdir(other);
	esc_scenario_free(s);
	unsetenv("ESCSIM_PATH");

	/* a module is loaded once and a loop of requires is reported */
	write_file("loop_a.lua", "require 'loop_b'\nreturn {}\n");
	write_file("loop_b.lua", "require 'loop_a'\nreturn {}\n");
	path = scenario_file("loops.lua", "require 'loop_a'", "");
	load_fails(path, NULL, "require: module 'loop_a' requires itself");
	write_file("once.lua", "n_loads = (n_loads or 0) + 1\nreturn {}\n");
	path = scenario_file("once_user.lua", "require 'once'\nrequire 'once'\nassert(n_loads == 1)", "");
	s = load_ok(path);
	const esc_script_source *src;
	assert_int_equal(esc_scenario_sources(s, &src), 2);
	esc_scenario_free(s);
}

static pid_t main_pid;
static int finished;

static void ended_early(void)
{
	if (finished || getpid() != main_pid)
		return;
	fflush(stdout);
	printf("Bail out! test_scenario ended before its tests did (exit() from a script: os.exit?)\n");
	fflush(stdout);
	_exit(1);
}

/* escsim check's description of an arm's policies (describe.c): every kind
 * of parameter value as JSON can hold it, in the order the JSON keeps. */
static const char *member_text(const cJSON *o, const char *key)
{
	static char buf[256];
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	char *t = m ? cJSON_PrintUnformatted(m) : NULL;
	snprintf(buf, sizeof buf, "%s", t ? t : "(missing)");
	free(t);
	return buf;
}

static void test_describe_policies(void **state)
{
	(void)state;
	const char *path = scenario_file("describe.lua", "",
		"types = {rocket = {level = 3}}, "
		"policies = {A = {x_nan = 0/0, x_inf = -math.huge, f = 0.1 + 0.2, i = 7, "
		"s = 'a\\255b\\0c', keys = {[1.5] = 'a', [2] = 'b', k = true, [-3] = false}, "
		"arr = {1, 2, {}}, d = exponential{mean = 2}, deep = {{{{{{{{{{1}}}}}}}}}}, "
		"helper = function() end, on_incident_observed = function() end}}, "
		"triggers = {{name = 't', party = 'A', event = {type = 'rockets', zone = 'z'}, "
		"probability = 0.3, action = function() end}}");
	esc_scenario *s = load_ok(path);
	esc_config cfg;
	esc_policy pol;
	arm_ok(s, NULL, 0, &cfg, &pol);
	cJSON *j = cJSON_CreateObject();
	esc_error err = {0};
	assert_int_equal(esc_scenario_describe_policies(s, &pol, j, &err), ESC_OK);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "policies"), "A");
	const cJSON *prm = cJSON_GetObjectItemCaseSensitive(a, "parameters");
	assert_string_equal(member_text(a, "module"), "null");
	assert_string_equal(member_text(a, "hooks"), "[\"on_incident_observed\"]");
	assert_string_equal(member_text(a, "helpers"), "[\"helper\"]");
	assert_string_equal(member_text(a, "tick_h"), "0");
	/* numbers JSON cannot hold are named; others in their shortest form */
	assert_string_equal(member_text(prm, "x_nan"), "{\"value\":\"nan\"}");
	assert_string_equal(member_text(prm, "x_inf"), "{\"value\":\"-inf\"}");
	assert_string_equal(member_text(prm, "f"), "{\"value\":0.30000000000000004}");
	assert_string_equal(member_text(prm, "i"), "{\"value\":7}");
	/* bytes that are not UTF-8, and NUL, become U+FFFD */
	assert_string_equal(member_text(prm, "s"), "{\"value\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\"}");
	/* numbers first (ascending, as Lua writes them), then strings */
	assert_string_equal(member_text(prm, "keys"),
	                    "{\"value\":{\"-3\":false,\"1.5\":\"a\",\"2\":\"b\",\"k\":true}}");
	assert_string_equal(member_text(prm, "arr"), "{\"value\":[1,2,{}]}");
	assert_string_equal(member_text(prm, "d"), "{\"value\":\"a distribution\"}");
	/* eight levels of tables, then the type's name */
	assert_string_equal(member_text(prm, "deep"),
	                    "{\"value\":[[[[[[[[\"a table\"]]]]]]]]}");
	/* the parameters in sorted order, functions left out */
	const char *order[] = {"arr", "d", "deep", "f", "i", "keys", "s", "x_inf", "x_nan"};
	size_t k = 0;
	for (const cJSON *m = prm ? prm->child : NULL; m; m = m->next, k++) {
		assert_true(k < sizeof order / sizeof order[0]);
		assert_string_equal(m->string, order[k]);
	}
	assert_int_equal(k, sizeof order / sizeof order[0]);
	/* the trigger, its unknown type as null (it never matches) */
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "triggers"), 0);
	char *tt = cJSON_PrintUnformatted(t);
	assert_string_equal(tt, "{\"name\":\"t\",\"party\":\"A\",\"event\":{\"type\":null,\"zone\":\"z\"},"
	                        "\"probability\":0.3,\"repeatable\":true}");
	free(tt);
	/* and the whole text reads back */
	char *text = cJSON_PrintUnformatted(j);
	cJSON *back = cJSON_Parse(text);
	assert_non_null(back);
	cJSON_Delete(back);
	free(text);
	cJSON_Delete(j);
	esc_config_free(&cfg);
	esc_scenario_release(s, &pol);
	esc_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_config),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_units_and_distributions),
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_located_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_hook_names),
		cmocka_unit_test(test_unreachable_cell),
		cmocka_unit_test(test_cell_config),
		cmocka_unit_test(test_cell_errors),
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_excitation_config),
		cmocka_unit_test(test_excitation_errors),
		cmocka_unit_test(test_excitation_warnings),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_policy_decisions),
		cmocka_unit_test(test_policy_state_per_replication),
		cmocka_unit_test(test_policy_refusals),
		cmocka_unit_test(test_hook_attribute),
		cmocka_unit_test(test_hook_cell_request),
		cmocka_unit_test(test_hook_cell_reply),
		cmocka_unit_test(test_hook_pre_operation),
		cmocka_unit_test(test_hook_tick_and_sim),
		cmocka_unit_test(test_hook_event_and_triggers),
		cmocka_unit_test(test_sandbox_escapes),
		cmocka_unit_test(test_finalizers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cpu_budget),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_search_path),
		cmocka_unit_test(test_describe_policies),
	};
	/* A script that got out of the sandbox could end this process with
	 * os.exit mid-suite and status 0: say so instead of passing quietly. */
	main_pid = getpid();
	atexit(ended_early);
	int failed = cmocka_run_group_tests(tests, setup, teardown);
	finished = 1;
	return failed;
}
