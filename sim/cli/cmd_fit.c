/* cmd_fit.c: escsim fit: calibrate a scenario's incident generators,
 * excitation and casualties from an event export (sim/fit, escsim/fit.h),
 * write the fit as a Lua module, print it, and draw its goodness of fit
 * (analysis/fit_plots.py); or, with --synthesize, write a synthetic export
 * from the scenario. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escsim/pytool.h"
#include "cli.h"
#include "escsim/fit.h"

static void help(void)
{
	printf("usage: escsim fit EVENTS.csv --scenario S.lua -o FITTED.lua [OPTIONS]\n"
	       "       escsim fit --synthesize --scenario S.lua -o EVENTS.csv [-s SEED] [--start DATE]\n\n"
	       "Fit the scenario's incident model to an event export by maximum\n"
	       "likelihood: per background stream (actor, type) its rate and zone split,\n"
	       "per hawkes rule its branching ratio n and kernel mean, per incident type\n"
	       "its deaths per incident (zinb); each with a 95%% profile-likelihood\n"
	       "interval.  Then the goodness of fit: time-rescaled residuals against\n"
	       "Exp(1) (Kolmogorov-Smirnov), and weekly counts of the data against -n\n"
	       "replications of the fitted scenario.  FITTED.lua is a module the\n"
	       "scenario can require: docs/calibration.md.\n\n"
	       "EVENTS.csv has one row per event and ACLED's column names: event_date\n"
	       "(YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD Month YYYY), actor1 (a party),\n"
	       "sub_event_type (an incident type, or its ACLED sub-event type), admin1\n"
	       "(a zone) and, optionally, fatalities; --map names other columns and\n"
	       "values.  A bad row is an error naming its line and column (exit 2).\n\n"
	       "options:\n"
	       "      --scenario FILE   the scenario to fit (required)\n"
	       "  -o, --out FILE        the fitted module, or with --synthesize the export\n"
	       "                        (required); written as FILE.partial and renamed\n"
	       "                        when complete; an existing FILE is replaced only\n"
	       "                        if escsim wrote it\n"
	       "      --map FILE        mapping file: CSV with the header kind,source,escsim;\n"
	       "                        rows column,SOURCE,NAME (escsim's column NAME is the\n"
	       "                        export's SOURCE), actor|type|zone,VALUE,NAME (VALUE\n"
	       "                        is the scenario's NAME, or '-' to drop the row)\n"
	       "      --from DATE       first day of the period (default: the first event's)\n"
	       "      --to DATE         last day of the period (default: the last event's)\n"
	       "      --set KEY=VALUE   override a scenario value first (repeatable)\n"
	       "      --horizon D       the scenario's horizon (the rates are written for it;\n"
	       "                        with --synthesize, the time simulated)\n"
	       "      --level P         of the intervals (default 0.95)\n"
	       "      --free-kernel     also fit fast_share and the other kernel mean of each\n"
	       "                        rule (weakly identified from daily data)\n"
	       "  -n, --reps N          replications of the fitted scenario behind the weekly\n"
	       "                        counts' 5-95%% band (default 200; 0: none)\n"
	       "  -s, --seed S          seed of the within-day times of a daily export and of\n"
	       "                        the replications, or of --synthesize (default 1)\n"
	       "      --plots DIR       fit_residuals.png/svg (Q-Q of the time-rescaled gaps)\n"
	       "                        and fit_weekly.png/svg (observed and simulated weekly\n"
	       "                        counts), with their data as CSV; DIR is created\n"
	       "      --max-events N    refuse an export with more events in the period\n"
	       "                        (default 10000000)\n"
	       "      --synthesize      write replication 0 of the scenario as an export to\n"
	       "                        -o instead of fitting (no EVENTS argument)\n"
	       "      --start DATE      with --synthesize: the date of hour 0 (default 2025-01-01)\n"
	       "  -q, --quiet           print nothing on success\n"
	       "  -h, --help            this help\n");
}

typedef struct fit_cli {
	const char *events, *scenario, *out, *map, *from, *to, *plots, *start;
	const char **sets;
	size_t n_sets;
	char *horizon_set;
	int free_kernel, synthesize, quiet;
	int64_t reps, max_events;
	uint64_t seed;
	double level;
} fit_cli;

enum { OPT_SCENARIO = 256, OPT_MAP, OPT_FROM, OPT_TO, OPT_SET, OPT_HORIZON, OPT_FREE,
       OPT_PLOTS, OPT_MAX, OPT_SYNTH, OPT_START, OPT_LEVEL };

static int parse(fit_cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, OPT_SCENARIO },
		{ "out", required_argument, NULL, 'o' },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "set", required_argument, NULL, OPT_SET },
		{ "horizon", required_argument, NULL, OPT_HORIZON },
		{ "free-kernel", no_argument, NULL, OPT_FREE },
		{ "reps", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "plots", required_argument, NULL, OPT_PLOTS },
		{ "max-events", required_argument, NULL, OPT_MAX },
		{ "synthesize", no_argument, NULL, OPT_SYNTH },
		{ "start", required_argument, NULL, OPT_START },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "fit ";
	int64_t v;
	int ch;
	c->sets = calloc((size_t)argc + 1, sizeof *c->sets);
	if (!c->sets)
		return cli_usage_error(NULL, "%s", "out of memory");
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:n:s:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_SCENARIO: c->scenario = optarg; break;
		case 'o':
			if (!*optarg)
				return cli_usage_error(cmd, "%s", "-o/--out: expected a file name, got ''");
			c->out = optarg;
			break;
		case OPT_MAP: c->map = optarg; break;
		case OPT_FROM: c->from = optarg; break;
		case OPT_TO: c->to = optarg; break;
		case OPT_SET: c->sets[c->n_sets++] = optarg; break;
		case OPT_HORIZON:
			free(c->horizon_set);
			c->horizon_set = malloc(strlen(optarg) + 9);
			if (!c->horizon_set)
				return cli_usage_error(cmd, "%s", "out of memory");
			sprintf(c->horizon_set, "horizon=%s", optarg);
			break;
		case OPT_FREE: c->free_kernel = 1; break;
		case 'n':
			if (cli_parse_int(optarg, 0, &c->reps))
				return cli_usage_error(cmd, "-n/--reps: expected an integer >= 0, got '%s'", optarg);
			break;
		case 's':
			if (cli_parse_int(optarg, 0, &v))
				return cli_usage_error(cmd, "-s/--seed: expected an integer >= 0, got '%s'", optarg);
			c->seed = (uint64_t)v;
			break;
		case OPT_PLOTS:
			if (!*optarg)
				return cli_usage_error(cmd, "%s", "--plots: expected a folder, got ''");
			c->plots = optarg;
			break;
		case OPT_MAX:
			if (cli_parse_int(optarg, 1, &c->max_events))
				return cli_usage_error(cmd, "--max-events: expected an integer >= 1, got '%s'", optarg);
			break;
		case OPT_SYNTH: c->synthesize = 1; break;
		case OPT_START: c->start = optarg; break;
		case OPT_LEVEL: {
			char *end;
			c->level = strtod(optarg, &end);
			if (!*optarg || *end || !(c->level > 0 && c->level < 1))
				return cli_usage_error(cmd, "--level: expected a probability between 0 and 1, got '%s'", optarg);
			break;
		}
		case 'q': c->quiet = 1; break;
		case 'h': help(); exit(0);
		case ':':
			return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (c->horizon_set)
		c->sets[c->n_sets++] = c->horizon_set;
	if (!c->scenario)
		return cli_usage_error(cmd, "%s", "--scenario S.lua is required");
	if (!c->out)
		return cli_usage_error(cmd, "%s", "-o FILE is required");
	if (c->synthesize) {
		if (optind != argc)
			return cli_usage_error(cmd, "%s", "--synthesize takes no EVENTS file (it writes one: -o)");
		if (c->map || c->from || c->to || c->plots || c->free_kernel || c->level != 0.95)
			return cli_usage_error(cmd, "%s", "--map, --from, --to, --plots, --level and --free-kernel apply to a fit, not to --synthesize");
		return 0;
	}
	if (c->start)
		return cli_usage_error(cmd, "%s", "--start applies to --synthesize");
	if (optind >= argc)
		return cli_usage_error(cmd, "%s", "expected an EVENTS.csv file");
	if (optind != argc - 1)
		return cli_usage_error(cmd, "%s", "expected exactly one EVENTS.csv file");
	c->events = argv[optind];
	return 0;
}

/* Is path the same file as one of the inputs? */
static const char *same_as_input(const char *out, const char *const *in, size_t n)
{
	struct stat so, si;
	int have = stat(out, &so) == 0;
	for (size_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		if (strcmp(in[i], out) == 0)
			return in[i];
		if (have && stat(in[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			return in[i];
	}
	return NULL;
}

static int synthesize(const fit_cli *c)
{
	esc_synth_opts o = { .scenario_path = c->scenario, .sets = c->sets, .n_sets = c->n_sets,
	                     .seed = c->seed, .out_path = c->out };
	const char *start = c->start ? c->start : "2025-01-01";
	if (esc_fit_parse_day(start, &o.start_day))
		return cli_usage_error("fit ", "--start: expected a date YYYY-MM-DD, got '%s'", start);
	esc_error err = {0};
	size_t rows;
	int st = esc_fit_synthesize(&o, &rows, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	else if (!c->quiet)
		fprintf(stderr, "escsim: wrote %zu synthetic events from %s to %s\n", rows, start, c->out);
	return st;
}

static int plots(const esc_fit *f, const char *dir, const char *argv0, esc_error *err)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return esc_error_set(err, ESC_ERR_RUNTIME, "--plots: cannot make '%s': %s", dir, strerror(errno));
	int st = esc_fit_write_plot_data(f, dir, err);
	const char *args[] = { dir, NULL };
	return st ? st : esc_pytool_run(argv0, "fit_plots.py", args, "--plots", err);
}

static int fit(const fit_cli *c, const char *cmdline, const char *argv0)
{
	esc_fit_opts o = {
		.events_path = c->events, .map_path = c->map, .scenario_path = c->scenario,
		.sets = c->sets, .n_sets = c->n_sets, .from = c->from, .to = c->to,
		.free_kernel = c->free_kernel, .reps = c->reps, .seed = c->seed,
		.max_events = c->max_events, .level = c->level,
	};
	esc_error err = {0};
	esc_fit *f = NULL;
	int st = esc_fit_run(&o, &f, &err);
	if (st == 0)
		st = esc_fit_write_module(f, c->out, cmdline, &err);
	if (st == 0 && !c->quiet) {
		esc_fit_print(f, stdout);
		fflush(stdout);         /* before our lines on stderr */
	}
	if (st == 0 && c->plots)
		st = plots(f, c->plots, argv0, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	else if (!c->quiet)
		fprintf(stderr, "escsim: wrote %s\n", c->out);
	esc_fit_free(f);
	return st;
}

int cmd_fit(int argc, char **argv)
{
	fit_cli c = { .reps = 200, .seed = 1, .max_events = 10000000, .level = 0.95 };
	char *cmdline = cli_join_argv(argc, argv);     /* before getopt reorders argv */
	int st = parse(&c, argc, argv);
	if (st == 0) {
		const char *in[] = { c.events, c.scenario, c.map };
		const char *clash = same_as_input(c.out, in, 3);
		if (clash)
			st = cli_usage_error("fit ", "'%s' is both an input and the output", clash);
	}
	if (st == 0) {         /* an output that cannot be written, found before the work */
		esc_error err = {0};
		st = esc_fit_check_output(c.out, c.synthesize, &err);
		if (st)
			fprintf(stderr, "escsim: %s\n", err.msg);
	}
	if (st == 0)
		st = c.synthesize ? synthesize(&c) : fit(&c, cmdline, argv[0]);
	free(cmdline);
	free(c.sets);
	free(c.horizon_set);
	return st;
}
