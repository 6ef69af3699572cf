/* cli.h: what the escsim subcommands share: the parsed options of the
 * scenario commands (run, compare, check), usage errors, and each command's
 * entry point.  One file per command: cmd_<name>.c. */
#ifndef ESCSIM_CLI_H
#define ESCSIM_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "escsim/batch.h"
#include "escsim/experiment.h"

typedef struct cli {
	const char *cmd;
	const char *scenario;
	int64_t reps, rep_offset;
	uint64_t seed;
	const char *out;
	int quiet;
	double progress_every;      /* --progress-every S (seconds; 0: none) */
	int events;
	int skip_failed;                /* --on-error skip */
	const char **sets;
	const char **set_labels;        /* per set: the option as typed, or NULL */
	size_t n_sets;
	esc_arm_spec *arms;
	size_t n_arms;
	char *horizon_set, *horizon_label;
	char *command_line;
	int threads;                /* -j: worker threads (0 on the command line: every core) */
	const char *resume;         /* --resume FILE */
	double flush_every;         /* --flush-every S: 0 default, < 0 every replication */
	const char **varies;        /* sweep: --vary KEY=SPEC */
	size_t n_varies;
	const char *design;         /* sweep: --design NAME */
	int64_t points;             /* sweep: --points N (the base sample) */
	unsigned levels;            /* sweep: --levels P (morris) */
	int given;                  /* CLI_GIVEN_*: set on the command line */
	const char *shard;          /* --shard K/N or slurm */
	int64_t shard_k, shard_n;   /* the share run (shard_n 0: all) */
	const char *experiment_path;    /* --experiment FILE */
	esc_experiment *experiment;     /* loaded; its strings back arms, sets ... */
	char *out_owned;            /* an output name made here (freed with c) */
	const char *luals;          /* check: --luals FILE */
	int decompose;              /* compare: --decompose */
} cli;

enum { CLI_GIVEN_REPS = 1, CLI_GIVEN_SEED = 2 };

/* Parse the options of a scenario command (argv[1] is the command) into c;
 * exits 0 after --help.  Returns 0 or ESC_ERR_INPUT after printing why. */
int cli_parse(cli *c, int argc, char **argv);
void cli_free(cli *c);

/* cli_setup.c: after the options, the experiment file (--experiment)
 * merged under them, the checks that need it, and the share of a job array
 * (--shard); CMDSP is "sweep " for messages.  0 or an exit status, after
 * printing why.  cli_setup_free frees what it made. */
int cli_setup(cli *c, const char *cmdsp);
void cli_setup_free(cli *c);
/* Check the experiment's arms, sets and varied keys (with their extreme
 * values in SW, or NULL) against the scenario, through the path --set and
 * --arm take, so that an error names the experiment file and line; 0 or
 * an exit status after printing why.  Nothing to do without an experiment. */
int cli_check_experiment(const cli *c, const esc_sweep *sw);
/* The result file: -o, the experiment's outputs.file, or NAME-CMD.h5 from
 * the experiment's or the scenario's name; a shard's own name when sharded
 * without -o.  NULL when out of memory. */
const char *cli_out_path(cli *c);

/* Print "escsim: MESSAGE" and where to find help; returns ESC_ERR_INPUT.
 * cmd is "run " (with a space) or NULL. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/* A whole decimal number >= lo, all of s, into *out: 0, or -1. */
int cli_parse_int(const char *s, int64_t lo, int64_t *out);

/* The command line as one shell-quoted string (malloc'd). */
char *cli_join_argv(int argc, char **argv);

/* Help for a scenario command (run, compare, check). */
void cli_help(const char *cmd);

/* cmd_run.c: run the batch O, print its error, then the report of the
 * file it wrote (as text unless O says quiet; with STORE kept under
 * /summary), as run, compare and sweep do.  Returns the exit status. */
int cli_run_and_report(const esc_batch_opts *o, int store, const char *argv0);
/* The arms of compare and sweep without --arm: cell (the cell on) and
 * no_cell (off), the baseline. */
extern const esc_arm_spec cli_cell_arms[2];

int cmd_run(int argc, char **argv);       /* run and compare */
int cmd_check(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif
