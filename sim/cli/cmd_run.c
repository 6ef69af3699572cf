/* cmd_run.c: escsim run and escsim compare: run the arms, then print the
 * report of the file just written (analysis/report.h: each metric per arm
 * with its 95% interval, paired differences from the baseline arm, tails,
 * survival); compare also stores it under /summary, as the spec asks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "../../analysis/report.h"
#include "cli.h"

/* The file's identity before the run: a report is printed only for a file
 * this run wrote (a failed run leaves an older file of that name alone). */
static int same_file(const struct stat *a, int had, const char *path)
{
	struct stat b;
	if (stat(path, &b) != 0)
		return 1;                      /* nothing there: nothing to report */
	return had && a->st_ino == b.st_ino && a->st_dev == b.st_dev &&
	       a->st_mtim.tv_sec == b.st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

static int run(cli *c, int argc, char **argv)
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
		.quiet = c->quiet, .events = c->events, .skip_failed = c->skip_failed,
		.threads = c->threads, .resume = c->resume, .command = c->cmd,
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
	if (!(o.out_path = cli_out_path(c)))
		return ESC_ERR_RUNTIME;
	int st = cli_check_experiment(c, NULL);
	if (st)
		return st;
	c->command_line = cli_join_argv(argc, argv);
	o.command_line = c->command_line ? c->command_line : "";

	esc_error err = {0};
	struct stat before;
	int had = stat(o.out_path, &before) == 0;
	st = esc_batch_run(&o, NULL, &err);    /* the report reads the file */
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	/* The report reads what the file holds, so an interrupted run reports
	 * the replications it kept.  Under MPI only rank 0, which wrote it. */
	if (esc_batch_rank() == 0 && !same_file(&before, had, o.out_path)) {
		esc_report_opts ro = {
			.path = o.out_path, .format = ESC_REPORT_TEXT, .store = compare,
			.command_line = o.command_line, .argv0 = argv[0],
		};
		esc_error rerr = {0};
		int rst = esc_report(&ro, &rerr);
		if (rst) {
			fprintf(stderr, "escsim: report: %s\n", rerr.msg);
			if (st == ESC_OK)
				st = rst == ESC_ERR_INPUT ? ESC_ERR_RUNTIME : rst;
		}
	}
	return st;
}

int cmd_run(int argc, char **argv)
{
	cli c = { .reps = 100, .seed = 1 };
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = run(&c, argc, argv);
	cli_free(&c);
	return st;
}
