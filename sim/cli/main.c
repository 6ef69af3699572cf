/* main.c: the escsim command line: pick a subcommand and exit with the
 * status of spec section 2 (0 ok, 1 runtime failure, 2 bad usage or invalid
 * scenario, 3 interrupted).  Each command lives in its own cmd_<name>.c;
 * all work is done below, in the batch, script and output layers. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "escsim/log.h"
#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "run SCENARIO       N replications of one arm (the scenario as written)" },
	{ "compare", cmd_run, "compare SCENARIO   paired arms on common random numbers: cell, no_cell" },
	{ "sweep", cmd_sweep, "sweep SCENARIO     the compare arms at every point of a design (--vary KEY=SPEC)" },
	{ "merge", cmd_merge, "merge SHARD...     join shard files (job arrays, MPI) into one: -o OUT.h5" },
	{ "check", cmd_check, "check SCENARIO     load and validate; print the resolved parameters" },
	{ "report", cmd_report, "report FILE        the comparison: per-arm means, paired differences, tails, survival" },
	{ "export", cmd_export, "export FILE        a table as tidy CSV/TSV: --table runs|daily|events|messages|summary" },
	{ "trace", cmd_trace, "trace FILE --rep K  one replication's chain: incidents, blame, messages, decisions" },
	{ "inspect", cmd_inspect, "inspect FILE       provenance, arms, table sizes, replications, completeness" },
	{ "fit", cmd_fit, "fit EVENTS.csv     fit a scenario's incident model to an event export: --scenario S.lua -o FITTED.lua" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help(void)
{
	printf("usage: escsim COMMAND [OPTIONS] ARGS\n\n"
	       "Discrete-event simulation of incidents, attribution, responses and the\n"
	       "Syria-Israel communication cell; results in HDF5.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s\n", commands[i].summary);
	printf("\nevery command also takes:\n"
	       "  -v, --verbose         say what is being done (info); -vv: debug\n"
	       "      --log-level L     error, warn (default), info or debug; messages\n"
	       "                        go to stderr as 'escsim: LEVEL: ...'\n"
	       "\n'escsim COMMAND --help' describes each command's options.\n"
	       "exit status: 0 ok, 1 runtime failure, 2 bad usage or invalid scenario,\n"
	       "3 interrupted (the file keeps every finished replication).\n");
}

/* -v, -vv, --verbose, --log-level LEVEL (or =LEVEL), anywhere after the
 * command: every command takes them, so they are taken out here, before
 * the command parses the rest.  Returns 0, or ESC_ERR_INPUT. */
static int log_options(int *argc, char **argv)
{
	int out = 2, verbose = 0, given = 0;
	esc_log_level level = ESC_LOG_WARN;
	for (int i = 2; i < *argc; i++) {
		const char *a = argv[i], *name = NULL;
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			verbose++;
		else if (strcmp(a, "-vv") == 0)
			verbose += 2;
		else if (strncmp(a, "--log-level=", 12) == 0)
			name = a + 12;
		else if (strcmp(a, "--log-level") == 0) {
			if (i + 1 >= *argc)
				return cli_usage_error(NULL, "%s", "option '--log-level' needs a value");
			name = argv[++i];
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (name && esc_log_parse_level(name, &level))
			return cli_usage_error(NULL, "--log-level: expected error, warn, "
			                       "info or debug, got '%s'", name);
		given |= name != NULL;
	}
	argv[out] = NULL;
	*argc = out;
	/* --log-level wins over -v; -v is info, -vv debug. */
	if (!given && verbose)
		level = verbose > 1 ? ESC_LOG_DEBUG : ESC_LOG_INFO;
	esc_log_set_level(level);
	return 0;
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();    /* errors are values, never abort() */
	if (argc < 2)    /* a usage error: on stderr, as every other one */
		return cli_usage_error(NULL, "%s", "no command given (run, compare, check, ...)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help();
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("escsim %s\n", ESCSIM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (log_options(&argc, argv))
			return ESC_ERR_INPUT;
		/* MPI builds (make MPI=1): ranks split the batch; else nothing. */
		if (esc_batch_parallel_init(&argc, &argv) != 0) {
			fprintf(stderr, "escsim: cannot initialise MPI\n");
			return ESC_ERR_RUNTIME;
		}
		int st = commands[i].fn(argc, argv);
		esc_batch_parallel_finalize();
		return st;
	}
	return cli_usage_error(NULL, "unknown command '%s' (see 'escsim --help' for the commands)", argv[1]);
}
