/* main.c: the escsim command line: parse arguments, pick a subcommand, print,
 * and exit with the status of spec section 2 (0 ok, 1 runtime failure, 2 bad
 * usage or invalid scenario, 3 interrupted).  All work is done below, in the
 * batch and script layers. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "escsim/batch.h"
#include "escsim/scenario.h"

typedef struct cli {
	const char *cmd;
	const char *scenario;
	int64_t reps, rep_offset;
	uint64_t seed;
	const char *out;
	int quiet;
	int events;
	const char **sets;
	size_t n_sets;
	esc_arm_spec *arms;
	size_t n_arms;
	char *horizon_set;
	char *command_line;
} cli;

static const char *usage_main =
	"usage: escsim COMMAND [OPTIONS] SCENARIO\n"
	"\n"
	"Discrete-event simulation of incidents, attribution, responses and the\n"
	"Syria-Israel communication cell; results in HDF5.\n"
	"\n"
	"commands:\n"
	"  run SCENARIO       N replications of one arm (the scenario as written)\n"
	"  compare SCENARIO   paired arms on common random numbers: cell, no_cell\n"
	"  check SCENARIO     load and validate; print the resolved parameters\n"
	"\n"
	"'escsim COMMAND --help' describes each command's options.\n"
	"exit status: 0 ok, 1 runtime failure, 2 bad usage or invalid scenario,\n"
	"3 interrupted (the file keeps every finished replication).\n";

static const char *usage_common =
	"  -n, --reps N          replications (default 100)\n"
	"  -s, --seed S          base seed, an integer >= 0 (default 1)\n"
	"  -o, --out FILE        result file (default SCENARIO-COMMAND.h5)\n"
	"      --rep-offset K    index of the first replication (default 0)\n"
	"      --horizon D       simulated time, e.g. 30d, 2w, 720 (hours)\n"
	"      --set KEY=VALUE   override a scenario value (repeatable): KEY is a\n"
	"                        dotted path (cell.latency), VALUE a Lua literal or\n"
	"                        a duration (30m, 2h, 3d, 1w)\n"
	"      --events          also write the full event log /arms/<ARM>/events\n"
	"                        (every incident and protest, one row each)\n"
	"  -q, --quiet           no progress display, only the final line\n"
	"  -h, --help            this help\n";

static void help(const char *cmd)
{
	if (!cmd) {
		fputs(usage_main, stdout);
	} else if (strcmp(cmd, "run") == 0) {
		printf("usage: escsim run [OPTIONS] SCENARIO\n\n"
		       "Run N replications of the scenario as written (one arm, 'base') and\n"
		       "write /arms/base/runs and /arms/base/daily.\n\noptions:\n%s", usage_common);
	} else if (strcmp(cmd, "compare") == 0) {
		printf("usage: escsim compare [OPTIONS] SCENARIO\n\n"
		       "Run every arm on the same replications and seeds (common random\n"
		       "numbers) and print each metric per arm with its 95%% confidence\n"
		       "interval and the paired difference from the baseline arm.\n"
		       "Default arms: cell (cell.enabled=true) and no_cell (cell.enabled=false,\n"
		       "the baseline).\n\noptions:\n%s"
		       "      --arm NAME:KEY=VALUE[,KEY=VALUE...]\n"
		       "                        an arm with its overrides (repeatable); given\n"
		       "                        arms replace the defaults; an arm named no_cell\n"
		       "                        is the baseline, else the first\n", usage_common);
	} else if (strcmp(cmd, "check") == 0) {
		printf("usage: escsim check [OPTIONS] SCENARIO\n\n"
		       "Load and validate the scenario and its policies without running it;\n"
		       "print the resolved parameters as JSON and any warnings.\n\noptions:\n"
		       "      --set KEY=VALUE   override a scenario value (repeatable)\n"
		       "      --horizon D       simulated time\n"
		       "  -h, --help            this help\n");
	}
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "escsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'escsim %s--help'\n", cmd ? cmd : "");
	return ESC_ERR_INPUT;
}

static int parse_int(const char *s, int64_t lo, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo)
		return -1;
	*out = v;
	return 0;
}

/* Split "NAME:K=V,K=V" at top-level commas (not inside {}, () or quotes), so
 * a value may be a Lua table such as lognormal{median=2,sigma=1}. */
static int parse_arm(char *spec, esc_arm_spec *arm)
{
	char *colon = strchr(spec, ':');
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

static char *join_argv(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(a);
		if (i)
			*p++ = ' ';
		if (plain) {
			p += sprintf(p, "%s", a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p += sprintf(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

enum { OPT_SET = 256, OPT_ARM, OPT_HORIZON, OPT_REP_OFFSET, OPT_EVENTS };

static int parse(cli *c, int argc, char **argv)
{
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
		{ NULL, 0, NULL, 0 },
	};
	c->cmd = argv[1];
	c->sets = calloc((size_t)argc + 1, sizeof *c->sets);
	c->arms = calloc((size_t)argc, sizeof *c->arms);
	if (!c->sets || !c->arms)
		return usage_error(NULL, "%s", "out of memory");
	int is_check = strcmp(c->cmd, "check") == 0;
	char cmdsp[32];
	snprintf(cmdsp, sizeof cmdsp, "%s ", c->cmd);
	optind = 2;
	opterr = 0;
	int ch;
	int64_t v;
	while ((ch = getopt_long(argc, argv, ":n:s:o:qh", longopts, NULL)) != -1) {
		if (is_check && (ch == 'n' || ch == 's' || ch == 'o' || ch == 'q' ||
		                 ch == OPT_ARM || ch == OPT_REP_OFFSET || ch == OPT_EVENTS))
			return usage_error(cmdsp, "option '%s' does not apply to check", argv[optind - 1]);
		switch (ch) {
		case 'n':
			if (parse_int(optarg, 0, &c->reps))
				return usage_error(cmdsp, "-n/--reps: expected an integer >= 0, got '%s'", optarg);
			break;
		case 's':
			if (parse_int(optarg, 0, &v))
				return usage_error(cmdsp, "-s/--seed: expected an integer >= 0, got '%s'", optarg);
			c->seed = (uint64_t)v;
			break;
		case OPT_REP_OFFSET:
			if (parse_int(optarg, 0, &c->rep_offset))
				return usage_error(cmdsp, "--rep-offset: expected an integer >= 0, got '%s'", optarg);
			break;
		case 'o': c->out = optarg; break;
		case 'q': c->quiet = 1; break;
		case OPT_EVENTS: c->events = 1; break;
		case 'h': help(c->cmd); exit(0);
		case OPT_SET: c->sets[c->n_sets++] = optarg; break;
		case OPT_HORIZON:
			free(c->horizon_set);
			c->horizon_set = malloc(strlen(optarg) + 9);
			if (!c->horizon_set)
				return usage_error(cmdsp, "%s", "out of memory");
			sprintf(c->horizon_set, "horizon=%s", optarg);
			break;
		case OPT_ARM:
			if (strcmp(c->cmd, "compare") != 0)
				return usage_error(cmdsp, "--arm applies to compare only (got '%s')", optarg);
			if (parse_arm(optarg, &c->arms[c->n_arms]))
				return usage_error(cmdsp, "--arm: expected NAME:KEY=VALUE[,KEY=VALUE...], got '%s'", optarg);
			for (size_t i = 0; i < c->n_arms; i++)
				if (strcmp(c->arms[i].name, c->arms[c->n_arms].name) == 0)
					return usage_error(cmdsp, "--arm: arm '%s' given twice", c->arms[i].name);
			c->n_arms++;
			break;
		case ':':
			return usage_error(cmdsp, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(cmdsp, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (c->horizon_set)
		c->sets[c->n_sets++] = c->horizon_set;   /* last, so it wins */
	if (optind != argc - 1)
		return usage_error(cmdsp, "%s", optind >= argc ? "expected a SCENARIO file"
		                                             : "expected exactly one SCENARIO file");
	c->scenario = argv[optind];
	return 0;
}

/* Indent compact JSON for people; strings are copied as they are. */
static void print_json(const char *s)
{
	int depth = 0, in_str = 0;
	for (; *s; s++) {
		char ch = *s;
		if (in_str) {
			putchar(ch);
			if (ch == '\\' && s[1]) putchar(*++s);
			else if (ch == '"') in_str = 0;
			continue;
		}
		switch (ch) {
		case '"': in_str = 1; putchar(ch); break;
		case '{': case '[':
			putchar(ch);
			printf("\n%*s", 2 * ++depth, "");
			break;
		case '}': case ']':
			printf("\n%*s%c", 2 * --depth, "", ch);
			break;
		case ',': printf(",\n%*s", 2 * depth, ""); break;
		case ':': printf(": "); break;
		default: putchar(ch);
		}
	}
	putchar('\n');
}

static int cmd_check(const cli *c)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(c->scenario, NULL, NULL, &err);
	int st = s ? ESC_OK : err.status;
	for (size_t i = 0; st == ESC_OK && i < c->n_sets; i++)
		st = esc_scenario_set(s, c->sets[i], &err);
	esc_config cfg;
	esc_policy pol;
	if (st == ESC_OK)
		st = esc_scenario_arm(s, NULL, 0, &cfg, &pol, &err);
	if (st == ESC_OK) {
		st = esc_config_check(&cfg, &err);
		char *json = st ? NULL : esc_config_to_json(&cfg);
		if (json)
			print_json(json);
		else if (st == ESC_OK)
			st = esc_error_set(&err, ESC_ERR_RUNTIME, "out of memory");
		free(json);
		esc_config_free(&cfg);
		for (const char *const *w = esc_scenario_warnings(s); st == ESC_OK && w && *w; w++)
			fprintf(stderr, "escsim: warning: %s\n", *w);
	}
	esc_scenario_free(s);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	return st;
}

static void print_estimate(const esc_estimate *e)
{
	if (isnan(e->lo))
		printf(" %10.4g %23s", e->mean, "");
	else
		printf(" %10.4g [%10.4g,%10.4g]", e->mean, e->lo, e->hi);
}

static void print_comparison(const esc_batch_result *r)
{
	if (r->n_arms == 0 || r->reps_done == 0)
		return;
	printf("%-30s", "metric (mean, 95% CI)");
	for (size_t k = 0; k < r->n_arms; k++)
		printf(" %-34s", r->arm_names[k]);
	for (size_t k = 0; k < r->n_arms; k++)
		if (k != r->baseline)
			printf(" %s - %-*s", r->arm_names[k], (int)(31 - strlen(r->arm_names[k])), r->arm_names[r->baseline]);
	printf("\n");
	for (int j = 0; j < ESC_BATCH_METRICS; j++) {
		printf("%-30s", esc_batch_metric_names[j]);
		for (size_t k = 0; k < r->n_arms; k++)
			print_estimate(&r->arm[k][j]);
		for (size_t k = 0; k < r->n_arms; k++)
			if (k != r->baseline)
				print_estimate(&r->diff[k][j]);
		printf("\n");
	}
	printf("(%lld paired replications; crisis = share of replications with a crisis)\n",
	       (long long)r->reps_done);
}

static int cmd_batch(cli *c, int argc, char **argv)
{
	static const char *cell_on[] = { "cell.enabled=true" };
	static const char *cell_off[] = { "cell.enabled=false" };
	esc_arm_spec defaults_compare[] = {
		{ "cell", cell_on, 1 }, { "no_cell", cell_off, 1 },
	};
	esc_arm_spec base_arm[] = { { "base", NULL, 0 } };
	int compare = strcmp(c->cmd, "compare") == 0;
	esc_batch_opts o = {
		.scenario_path = c->scenario, .sets = c->sets, .n_sets = c->n_sets,
		.reps = c->reps, .rep_offset = c->rep_offset, .seed = c->seed,
		.quiet = c->quiet, .events = c->events,
	};
	if (compare && c->n_arms) {
		o.arms = c->arms;
		o.n_arms = c->n_arms;
	} else if (compare) {
		o.arms = defaults_compare;
		o.n_arms = 2;
	} else {
		o.arms = base_arm;
		o.n_arms = 1;
	}
	char *default_out = NULL;
	if (!c->out) {
		const char *b = strrchr(c->scenario, '/');
		b = b ? b + 1 : c->scenario;
		size_t n = strcspn(b, ".");
		default_out = malloc(n + strlen(c->cmd) + 5);
		if (!default_out)
			return ESC_ERR_RUNTIME;
		sprintf(default_out, "%.*s-%s.h5", (int)n, b, c->cmd);
	}
	o.out_path = c->out ? c->out : default_out;
	c->command_line = join_argv(argc, argv);
	o.command_line = c->command_line ? c->command_line : "";

	esc_error err = {0};
	esc_batch_result res;
	int st = esc_batch_run(&o, &res, &err);
	if (compare || st == ESC_OK)
		print_comparison(&res);
	esc_batch_result_free(&res);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	free(default_out);
	return st;
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();    /* errors are values, never abort() */
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(NULL);
		return argc < 2 ? ESC_ERR_INPUT : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("escsim %s\n", ESCSIM_VERSION);
		return 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "compare") && strcmp(cmd, "check"))
		return usage_error(NULL, "unknown command '%s' (expected run, compare or check)", cmd);
	cli c = { .reps = 100, .seed = 1 };
	int st = parse(&c, argc, argv);
	if (st == 0)
		st = strcmp(cmd, "check") == 0 ? cmd_check(&c) : cmd_batch(&c, argc, argv);
	for (size_t i = 0; i < c.n_arms; i++)
		free((void *)c.arms[i].overrides);
	free(c.arms);
	free(c.sets);
	free(c.horizon_set);
	free(c.command_line);
	return st;
}
