/* options.c: the options of the scenario commands (run, compare, sweep,
 * check), their help, and usage errors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escsim/text.h"
#include "cli.h"

static const char *usage_common =
	"  -n, --reps N          replications, at least 1 (default 100)\n"
	"  -s, --seed S          base seed, an integer >= 0 (default 1)\n"
	"  -o, --out FILE        result file (default SCENARIO-COMMAND.h5)\n"
	"      --rep-offset K    index of the first replication (default 0)\n"
	"      --shard K/N       run the K-th of N equal shares of the replications\n"
	"                        (K from 0 to N-1; -n is the total), for job arrays:\n"
	"                        join the shares with escsim merge; 'slurm': K and N\n"
	"                        from SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT\n"
	"      --horizon D       simulated time, e.g. 30d, 2w, 720 (hours)\n"
	"      --set KEY=VALUE   override a scenario value (repeatable): KEY is a\n"
	"                        dotted path (cell.latency), VALUE a Lua literal or\n"
	"                        a duration (30m, 2h, 3d, 1w)\n"
	"      --events          also write the full event log /arms/<ARM>/events\n"
	"                        (every incident and protest, one row each)\n"
	"                        and the message log /arms/<ARM>/messages\n"
	"      --on-error MODE   abort (default): stop at a failing replication,\n"
	"                        keeping the finished ones (file marked incomplete);\n"
	"                        skip: leave it out, record it in /failures, go on\n"
	"  -j, --threads T       worker threads (default 1; 0: one per core); the\n"
	"                        results are the same whatever T\n"
	"      --resume FILE     complete FILE, left incomplete by an interrupted,\n"
	"                        failed or killed run of this same command (same\n"
	"                        scenario, seed and options): run the replications\n"
	"                        it lacks and write the whole back to FILE; reads\n"
	"                        FILE.partial first if there is one\n"
	"      --flush-every S   checkpoint the file every S seconds (default 10; 0:\n"
	"                        after every replication): a run killed outright\n"
	"                        (kill -9, a crash, a power cut) keeps in\n"
	"                        FILE.partial what finished up to the last one\n"
	"  -q, --quiet           print nothing on success but warnings (no\n"
	"                        progress, final line or report)\n"
	"      --progress-every S  when stderr is not a terminal (a cluster log),\n"
	"                        a progress line every S seconds: done, rate,\n"
	"                        time left (default 30; 0: none)\n"
	"  -v, --verbose         say what is being done (-vv: every replication)\n"
	"      --log-level L     error, warn (default), info or debug\n"
	"  -h, --help            this help\n\n"
	"exit status: 0 complete; 1 runtime failure (a full disk, memory);\n"
	"2 bad usage, an invalid scenario or policy, an output that is one of the\n"
	"inputs or not a result file, a script error in a replication; 3\n"
	"interrupted (SIGINT, SIGTERM, SIGHUP).  Errors found before the first\n"
	"replication write nothing.  A run that stops later keeps every finished\n"
	"replication, marked incomplete: an interrupted one in FILE if no file had\n"
	"that name, anything else in FILE.partial (FILE, if there is one, is left\n"
	"as it was); the message says where.  --resume FILE completes either.\n";

static const char *usage_arm =
	"      --arm NAME:KEY=VALUE[,KEY=VALUE...]\n"
	"                        an arm with its overrides (repeatable); given\n"
	"                        arms replace the defaults; an arm named no_cell\n"
	"                        is the baseline, else the first\n"
	"      --experiment FILE.lua\n"
	"                        the scenario, arms, design, replications, seed\n"
	"                        and outputs from an experiment file (docs/\n"
	"                        analysis.md); SCENARIO, -n, -s, -o and --events\n"
	"                        given here take precedence, --set adds to it\n";

void cli_help(const char *cmd)
{
	if (strcmp(cmd, "run") == 0) {
		printf("usage: escsim run [OPTIONS] SCENARIO\n\n"
		       "Run N replications of the scenario as written (one arm, 'base') and\n"
		       "write /arms/base/runs and /arms/base/daily.\n\noptions:\n%s", usage_common);
	} else if (strcmp(cmd, "compare") == 0) {
		printf("usage: escsim compare [OPTIONS] SCENARIO\n"
		       "       escsim compare [OPTIONS] --experiment FILE.lua [SCENARIO]\n\n"
		       "Run every arm on the same replications and seeds (common random\n"
		       "numbers) and print each metric per arm with its 95%% confidence\n"
		       "interval and the paired difference from the baseline arm.\n"
		       "Default arms: cell (cell.enabled=true) and no_cell (cell.enabled=false,\n"
		       "the baseline).\n\noptions:\n%s%s"
		       "      --decompose       also run the arm cell with one of its mechanisms at\n"
		       "                        a time (arms answers_only, notices_only and\n"
		       "                        enforcement_only: cell.effects switched), and\n"
		       "                        report each one's share of the cell's difference\n"
		       "                        (/summary/decomposition)\n", usage_common, usage_arm);
	} else if (strcmp(cmd, "sweep") == 0) {
		printf("usage: escsim sweep [OPTIONS] --vary KEY=SPEC [--vary ...] SCENARIO\n"
		       "       escsim sweep [OPTIONS] --experiment FILE.lua [SCENARIO]\n\n"
		       "Run the arms of compare (cell and no_cell, or --arm) at every point of\n"
		       "a design over scenario keys, every point on the same replications and\n"
		       "seeds.  Arm ARM at point k is written to /arms/ARM.p<k>; the points'\n"
		       "values to /sweep/points, their place in the design to /sweep/design.\n"
		       "Then, as compare, prints the report of the file (escsim report) and\n"
		       "stores it under /summary: the headline metrics' paired differences at\n"
		       "every point and along each key; after a saltelli design Sobol indices,\n"
		       "after a morris design Morris' mu* and sigma (/summary/sensitivity).\n\n"
		       "SPEC: 1,2,4 (a list), lin:LO:HI[:N] (a range; a grid takes N values,\n"
		       "LO and HI included), log:LO:HI[:N] (geometric); values may be\n"
		       "durations (30m, 2h, 3d, 1w: hours).  Example: --vary\n"
		       "cell.accuracy=lin:0.5:1:6\n\n"
		       "Designs and their cost (each point runs every arm, -n replications):\n"
		       "  grid      every combination, the first key slowest: the product\n"
		       "            of the keys' counts (lin/log need :N)\n"
		       "  sobol     N quasi-random points of GSL's Sobol sequence (at most\n"
		       "            40 keys; a list is sampled by index): N points\n"
		       "  lhs       a Latin hypercube, one point in each of N strata of\n"
		       "            every key: N points\n"
		       "  saltelli  Saltelli's scheme for Sobol indices, N base rows (a\n"
		       "            power of 2 is best; at most 20 keys): N (k + 2) points\n"
		       "  morris    N Morris trajectories on --levels P (default 4):\n"
		       "            N (k + 1) points\n"
		       "lhs and morris draw from the seed: the same -s, the same design.\n\n"
		       "options:\n"
		       "      --vary KEY=SPEC   a key and its values (repeatable)\n"
		       "      --design D        grid (default), sobol, lhs, saltelli or morris\n"
		       "      --points N        the base sample of sobol, lhs, saltelli, morris\n"
		       "      --levels P        morris: levels of the grid, even (default 4)\n"
		       "%s%s",
		       usage_common, usage_arm);
	} else if (strcmp(cmd, "check") == 0) {
		printf("usage: escsim check [OPTIONS] SCENARIO\n\n"
		       "Load and validate the scenario and its policies without running it;\n"
		       "print the resolved parameters as JSON and any warnings.\n\noptions:\n"
		       "      --set KEY=VALUE   override a scenario value (repeatable)\n"
		       "      --horizon D       simulated time\n"
		       "      --luals FILE      also write LuaLS definitions of the parameters of\n"
		       "                        every policy module the scenario loads (as\n"
		       "                        scenarios/meta/policies.lua, for editors)\n"
		       "  -h, --help            this help\n");
	}
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "escsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'escsim %s--help'\n", cmd ? cmd : "");
	return ESC_ERR_INPUT;
}

int cli_parse_int(const char *s, int64_t lo, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

/* A number of hours, or a decimal number and one of m, h, d, w (the
 * durations --set reads). */
static int is_duration(const char *s)
{
	size_t n = strlen(s);
	if (n > 0 && strchr("mhdw", s[n - 1]))
		n--;
	size_t digits = 0, dots = 0, i = 0;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.')
			dots++;
		else
			break;
	}
	return i == n && digits > 0 && dots <= 1;
}

/* Split "NAME:K=V,K=V" at top-level commas (not inside {}, () or quotes), so
 * a value may be a Lua table such as lognormal{median=2,sigma=1}. */
static int parse_arm(char *spec, esc_arm_spec *arm)
{
	char *colon = strchr(spec, ':');
	if (colon == spec)
		return -1;              /* no name; spec left whole for the message */
	if (colon)
		*colon = '\0';
	if (!*spec)
		return -1;
	arm->name = spec;
	arm->n_overrides = 0;
	if (!colon)
		return 0;
	size_t cap = 1;
	for (char *p = colon + 1; *p; p++)
		cap += *p == ',';
	const char **ov = calloc(cap, sizeof *ov);
	if (!ov)
		return -1;
	char *p = colon + 1, *start = p, quote = 0;
	int depth = 0;
	for (;; p++) {
		char c = *p;
		if (quote) {
			if (c == '\\' && p[1]) p++;
			else if (c == quote) quote = 0;
			else if (!c) break;
			continue;
		}
		if (c == '"' || c == '\'') quote = c;
		else if (c == '{' || c == '(' || c == '[') depth++;
		else if (c == '}' || c == ')' || c == ']') depth--;
		if ((c == ',' && depth == 0) || !c) {
			*p = '\0';
			if (*start)
				ov[arm->n_overrides++] = start;
			start = p + 1;
			if (!c)
				break;
		}
	}
	arm->overrides = ov;
	return 0;
}

char *cli_join_argv(int argc, char **argv)
{
	return esc_shell_join((const char *const *)argv, (size_t)argc);
}

enum { OPT_SET = 256, OPT_ARM, OPT_HORIZON, OPT_REP_OFFSET, OPT_EVENTS,
       OPT_RESUME, OPT_VARY, OPT_DESIGN, OPT_POINTS, OPT_ON_ERROR, OPT_LUALS,
       OPT_DECOMPOSE, OPT_PROGRESS_EVERY, OPT_FLUSH_EVERY, OPT_LEVELS, OPT_SHARD,
       OPT_EXPERIMENT };

static const struct option longopts[] = {
	{ "reps", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, 's' },
	{ "out", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "arm", required_argument, NULL, OPT_ARM },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "rep-offset", required_argument, NULL, OPT_REP_OFFSET },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "threads", required_argument, NULL, 'j' },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "vary", required_argument, NULL, OPT_VARY },
	{ "design", required_argument, NULL, OPT_DESIGN },
	{ "points", required_argument, NULL, OPT_POINTS },
	{ "on-error", required_argument, NULL, OPT_ON_ERROR },
	{ "flush-every", required_argument, NULL, OPT_FLUSH_EVERY },
	{ "luals", required_argument, NULL, OPT_LUALS },
	{ "decompose", no_argument, NULL, OPT_DECOMPOSE },
	{ "progress-every", required_argument, NULL, OPT_PROGRESS_EVERY },
	{ "levels", required_argument, NULL, OPT_LEVELS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "experiment", required_argument, NULL, OPT_EXPERIMENT },
	{ NULL, 0, NULL, 0 },
};

/* run_option and scenario_option: the option is not one of theirs. */
#define NOT_MINE (-1)

/* One option being parsed: the command ("run "), the option as written,
 * and what the command is. */
typedef struct parse {
	const char *cmdsp;
	const char *opt;
	int is_check, is_sweep, is_compare;
	int threads_given;
} parse;

/* The options that run replications, which check refuses. */
static int batch_only(int ch)
{
	switch (ch) {
	case 'n': case 's': case 'o': case 'q': case 'j':
	case OPT_ARM: case OPT_REP_OFFSET: case OPT_EVENTS: case OPT_RESUME:
	case OPT_ON_ERROR: case OPT_PROGRESS_EVERY: case OPT_FLUSH_EVERY:
	case OPT_SHARD: case OPT_EXPERIMENT:
		return 1;
	default:
		return 0;
	}
}

/* A number of seconds from 0 to MAX in S: 0, or -1. */
static int parse_seconds(const char *s, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !(v >= 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

/* How many replications, which, where the results go and how a run
 * behaves: -n -s -o -q -j --rep-offset --events --shard --on-error
 * --progress-every --flush-every --resume.  NOT_MINE: another option. */
static int run_option(cli *c, int ch, const char *arg, parse *ps)
{
	int64_t v;
	double secs;
	switch (ch) {
	case 'n':
		if (cli_parse_int(arg, 1, &c->reps))
			return cli_usage_error(ps->cmdsp, "-n/--reps: expected an integer >= 1, got '%s'", arg);
		c->given |= CLI_GIVEN_REPS;
		return 0;
	case 's':
		if (cli_parse_int(arg, 0, &v))
			return cli_usage_error(ps->cmdsp, "-s/--seed: expected an integer >= 0, got '%s'", arg);
		c->seed = (uint64_t)v;
		c->given |= CLI_GIVEN_SEED;
		return 0;
	case OPT_REP_OFFSET:
		if (cli_parse_int(arg, 0, &c->rep_offset))
			return cli_usage_error(ps->cmdsp, "--rep-offset: expected an integer >= 0, got '%s'", arg);
		return 0;
	case 'o':
		if (!*arg)
			return cli_usage_error(ps->cmdsp, "%s", "-o/--out: expected a file name, got ''");
		c->out = arg;
		return 0;
	case 'q':
		c->quiet = 1;
		return 0;
	case OPT_PROGRESS_EVERY:
		if (parse_seconds(arg, 1e9, &secs))
			return cli_usage_error(ps->cmdsp, "--progress-every: expected a number of seconds >= 0, got '%s'", arg);
		c->progress_every = secs;
		return 0;
	case OPT_EVENTS:
		c->events = 1;
		return 0;
	case OPT_SHARD:
		c->shard = arg;
		return 0;
	case OPT_ON_ERROR:
		if (strcmp(arg, "abort") != 0 && strcmp(arg, "skip") != 0)
			return cli_usage_error(ps->cmdsp, "--on-error: expected abort or skip, got '%s'", arg);
		c->skip_failed = strcmp(arg, "skip") == 0;
		return 0;
	case 'j':
		if (cli_parse_int(arg, 0, &v) || v > 4096)
			return cli_usage_error(ps->cmdsp, "-j/--threads: expected an integer from 0 to 4096, got '%s'", arg);
		c->threads = (int)v;
		ps->threads_given = 1;
		return 0;
	case OPT_FLUSH_EVERY:
		if (parse_seconds(arg, 1e7, &secs))
			return cli_usage_error(ps->cmdsp, "--flush-every: expected a number of "
			                       "seconds from 0 to 1e7, got '%s'", arg);
		c->flush_every = secs > 0 ? secs : -1;
		return 0;
	case OPT_RESUME:
		if (!*arg)
			return cli_usage_error(ps->cmdsp, "%s", "--resume: expected a file name, got ''");
		c->resume = arg;
		return 0;
	default:
		return NOT_MINE;
	}
}

/* --horizon D: kept as the override horizon=D, applied last. */
static int horizon_option(cli *c, const char *arg, const parse *ps)
{
	if (!is_duration(arg))
		return cli_usage_error(ps->cmdsp, "--horizon: expected a duration such as 30d, 2w "
		                       "or 720 (hours), got '%s'", arg);
	free(c->horizon_set);
	free(c->horizon_label);
	c->horizon_set = malloc(strlen(arg) + 9);
	c->horizon_label = malloc(strlen(arg) + 13);
	if (!c->horizon_set || !c->horizon_label)
		return cli_usage_error(ps->cmdsp, "%s", "out of memory");
	sprintf(c->horizon_set, "horizon=%s", arg);
	sprintf(c->horizon_label, "--horizon '%s'", arg);
	return 0;
}

/* A sweep's design: --vary --design --points --levels. */
static int design_option(cli *c, int ch, const char *arg, const parse *ps)
{
	int64_t v;
	if (!ps->is_sweep)
		return cli_usage_error(ps->cmdsp, "option '%s' applies to sweep only", ps->opt);
	if (ch == OPT_VARY) {
		c->varies[c->n_varies++] = arg;
	} else if (ch == OPT_DESIGN) {
		if (!esc_sweep_design_known(arg)) {
			fprintf(stderr, "escsim: --design: expected %s, got '%s'\n"
			        "see 'escsim sweep --help'\n", esc_sweep_design_list(), arg);
			return ESC_ERR_INPUT;
		}
		c->design = arg;
	} else if (ch == OPT_LEVELS) {
		if (cli_parse_int(arg, 2, &v) || v > 1000 || v % 2)
			return cli_usage_error(ps->cmdsp, "--levels: expected an even integer from 2 to 1000, got '%s'", arg);
		c->levels = (unsigned)v;
	} else if (cli_parse_int(arg, 1, &c->points)) {
		return cli_usage_error(ps->cmdsp, "--points: expected an integer >= 1, got '%s'", arg);
	}
	return 0;
}

/* --arm NAME:KEY=VALUE,...: compare and sweep. */
static int arm_option(cli *c, char *arg, const parse *ps)
{
	if (!ps->is_compare && !ps->is_sweep)
		return cli_usage_error(ps->cmdsp, "--arm applies to compare and sweep only (got '%s')", arg);
	if (parse_arm(arg, &c->arms[c->n_arms]))
		return cli_usage_error(ps->cmdsp, "--arm: expected NAME:KEY=VALUE[,KEY=VALUE...], got '%s'", arg);
	c->n_arms++;            /* counted before any return, so cli_free frees it */
	for (size_t i = 0; i + 1 < c->n_arms; i++)
		if (strcmp(c->arms[i].name, c->arms[c->n_arms - 1].name) == 0)
			return cli_usage_error(ps->cmdsp, "--arm: arm '%s' given twice", c->arms[i].name);
	return 0;
}

/* What the scenario is and what is compared: --set --horizon --arm
 * --experiment, the designs, --luals, --decompose, -h.  NOT_MINE: another
 * option. */
static int scenario_option(cli *c, int ch, char *arg, const parse *ps)
{
	switch (ch) {
	case 'h':
		cli_help(c->cmd);
		exit(0);
	case OPT_SET:
		c->sets[c->n_sets++] = arg;
		return 0;
	case OPT_HORIZON:
		return horizon_option(c, arg, ps);
	case OPT_EXPERIMENT:
		if (!ps->is_compare && !ps->is_sweep)
			return cli_usage_error(ps->cmdsp, "--experiment applies to compare and sweep only (got '%s')", arg);
		c->experiment_path = arg;
		return 0;
	case OPT_VARY: case OPT_DESIGN: case OPT_POINTS: case OPT_LEVELS:
		return design_option(c, ch, arg, ps);
	case OPT_LUALS:
		if (!ps->is_check)
			return cli_usage_error(ps->cmdsp, "option '%s' applies to check only", ps->opt);
		if (!*arg)
			return cli_usage_error(ps->cmdsp, "%s", "--luals: expected a file name, got ''");
		c->luals = arg;
		return 0;
	case OPT_DECOMPOSE:
		if (!ps->is_compare)
			return cli_usage_error(ps->cmdsp, "option '%s' applies to compare only", ps->opt);
		c->decompose = 1;
		return 0;
	case OPT_ARM:
		return arm_option(c, arg, ps);
	default:
		return NOT_MINE;
	}
}

/* After the options: --horizon last (it wins), -j 0 as the cores, --resume
 * as the output, the one SCENARIO. */
static int finish(cli *c, int argc, char **argv, const parse *ps)
{
	if (c->rep_offset > INT64_MAX - c->reps)
		return cli_usage_error(ps->cmdsp, "%s", "--rep-offset plus -n/--reps is past the last replication index (2^63 - 1)");
	if (c->horizon_set) {
		c->set_labels[c->n_sets] = c->horizon_label;
		c->sets[c->n_sets++] = c->horizon_set;
	}
	if (ps->threads_given && c->threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->threads = n > 0 ? (int)(n > 4096 ? 4096 : n) : 1;
	}
	if (c->resume && c->out && strcmp(c->resume, c->out) != 0)
		return cli_usage_error(ps->cmdsp, "--resume writes back to its file: leave out -o, or give the same file (got '%s')", c->out);
	if (c->resume)
		c->out = c->resume;
	if (optind < argc - 1)
		return cli_usage_error(ps->cmdsp, "%s", "expected exactly one SCENARIO file");
	c->scenario = optind < argc ? argv[optind] : NULL;
	return cli_setup(c, ps->cmdsp);
}

int cli_parse(cli *c, int argc, char **argv)
{
	c->cmd = argv[1];
	c->sets = calloc((size_t)argc + 1, sizeof *c->sets);
	c->set_labels = calloc((size_t)argc + 1, sizeof *c->set_labels);
	c->arms = calloc((size_t)argc, sizeof *c->arms);
	c->varies = calloc((size_t)argc, sizeof *c->varies);
	if (!c->sets || !c->set_labels || !c->arms || !c->varies)
		return cli_usage_error(NULL, "%s", "out of memory");
	char cmdsp[32];
	snprintf(cmdsp, sizeof cmdsp, "%s ", c->cmd);
	parse ps = { .cmdsp = cmdsp, .is_check = strcmp(c->cmd, "check") == 0,
	             .is_sweep = strcmp(c->cmd, "sweep") == 0,
	             .is_compare = strcmp(c->cmd, "compare") == 0 };
	optind = 2;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":n:s:o:qhj:", longopts, NULL)) != -1) {
		/* The option as written: with its value in the next word
		 * (-n 3), argv[optind - 1] is the value. */
		ps.opt = optarg && optind >= 3 && optarg == argv[optind - 1]
		         ? argv[optind - 2] : argv[optind - 1];
		if (ch == ':')
			return cli_usage_error(cmdsp, "option '%s' needs a value", argv[optind - 1]);
		if (ch == '?')
			return cli_usage_error(cmdsp, "unknown option '%s'", argv[optind - 1]);
		if (ps.is_check && batch_only(ch))
			return cli_usage_error(cmdsp, "option '%s' does not apply to check", ps.opt);
		int rc = run_option(c, ch, optarg, &ps);
		if (rc == NOT_MINE)
			rc = scenario_option(c, ch, optarg, &ps);
		if (rc == NOT_MINE)
			return cli_usage_error(cmdsp, "unknown option '%s'", argv[optind - 1]);
		if (rc)
			return rc;
	}
	return finish(c, argc, argv, &ps);
}

void cli_free(cli *c)
{
	for (size_t i = 0; i < c->n_arms; i++)
		free((void *)c->arms[i].overrides);
	free(c->arms);
	free(c->sets);
	free(c->set_labels);
	free(c->varies);
	free(c->horizon_set);
	free(c->horizon_label);
	free(c->command_line);
	cli_setup_free(c);
}
