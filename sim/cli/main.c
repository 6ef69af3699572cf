/* main.c: the escsim command line: pick a subcommand and exit with the
 * status of spec section 2 (0 ok, 1 runtime failure, 2 bad usage or invalid
 * scenario, 3 interrupted).  Each command lives in its own cmd_<name>.c;
 * all work is done below, in the batch, script and output layers. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

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
	{ "inspect", cmd_inspect, "inspect FILE       provenance, arms, table sizes, replications, completeness" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help(void)
{
	printf("usage: escsim COMMAND [OPTIONS] ARGS\n\n"
	       "Discrete-event simulation of incidents, attribution, responses and the\n"
	       "Syria-Israel communication cell; results in HDF5.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s\n", commands[i].summary);
	printf("\n'escsim COMMAND --help' describes each command's options.\n"
	       "exit status: 0 ok; 1 runtime failure (a full disk, memory); 2 bad usage,\n"
	       "an invalid scenario or policy (a script error in replication K too),\n"
	       "an output that is an input or an existing file that is not a result,\n"
	       "a damaged result file; 3 interrupted (SIGINT, SIGTERM, SIGHUP).\n"
	       "Errors found before the first replication write nothing.  A run that\n"
	       "stops later keeps its finished replications, marked incomplete: an\n"
	       "interrupted one in FILE if nothing had that name, else in FILE.partial\n"
	       "(exit 1 and 2 never create or change FILE); --resume FILE completes it.\n");
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
