/* cli.h: what the escsim subcommands share: the parsed options of the
 * scenario commands (run, compare, check), usage errors, and each command's
 * entry point.  One file per command: cmd_<name>.c. */
#ifndef ESCSIM_CLI_H
#define ESCSIM_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "escsim/batch.h"

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
	const char **varies;        /* sweep: --vary KEY=SPEC */
	size_t n_varies;
	const char *design;         /* sweep: --design grid|sobol */
	int64_t points;             /* sweep: --points N (Sobol) */
	const char *luals;          /* check: --luals FILE */
	int decompose;              /* compare: --decompose */
} cli;

/* Parse the options of a scenario command (argv[1] is the command) into c;
 * exits 0 after --help.  Returns 0 or ESC_ERR_INPUT after printing why. */
int cli_parse(cli *c, int argc, char **argv);
void cli_free(cli *c);

/* Print "escsim: MESSAGE" and where to find help; returns ESC_ERR_INPUT.
 * cmd is "run " (with a space) or NULL. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/* A whole decimal number >= lo, all of s, into *out: 0, or -1. */
int cli_parse_int(const char *s, int64_t lo, int64_t *out);

/* The command line as one shell-quoted string (malloc'd). */
char *cli_join_argv(int argc, char **argv);

/* Help for a scenario command (run, compare, check). */
void cli_help(const char *cmd);

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
