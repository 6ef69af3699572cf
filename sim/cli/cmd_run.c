/* cmd_run.c: escsim run and escsim compare: run the arms, then print the
 * report of the file just written (escsim/report.h: each metric per arm
 * with its 95% interval, paired differences from the baseline arm, tails,
 * survival); compare also stores it under /summary, as the spec asks.
 * The batch keeps no statistics: sweep reports through here too
 * (cli_run_and_report). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "escsim/report.h"
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

static const char *const cell_on[] = { "cell.enabled=true" };
static const char *const cell_off[] = { "cell.enabled=false" };
const esc_arm_spec cli_cell_arms[2] = {
	{ "cell", cell_on, 1 }, { "no_cell", cell_off, 1 },
};

int cli_run_and_report(const esc_batch_opts *o, int store, const char *argv0)
{
	esc_error err = {0};
	struct stat before;
	int had = stat(o->out_path, &before) == 0;
	int st = esc_batch_run(o, &err);
	if (st)
		fprintf(stderr, "escsim: %s\n", err.msg);
	/* The report reads what the file holds, so an interrupted run reports
	 * the replications it kept.  Under MPI only rank 0, which wrote it. */
	if (esc_batch_rank() != 0 || same_file(&before, had, o->out_path))
		return st;
	esc_report_opts ro = {
		.path = o->out_path, .format = o->quiet ? ESC_REPORT_NONE : ESC_REPORT_TEXT,
		.store = store, .command_line = o->command_line, .argv0 = argv0,
	};
	esc_error rerr = {0};
	int rst = esc_report(&ro, &rerr);
	if (rst) {
		fprintf(stderr, "escsim: report: %s\n", rerr.msg);
		if (st == ESC_OK)
			st = rst == ESC_ERR_INPUT ? ESC_ERR_RUNTIME : rst;
	}
	return st;
}

/* compare --decompose: the arms, then the arm `cell` three more times,
 * each with only one of its effects on (its own overrides first, so the
 * switches win).  Fills *out (malloc'd, with its override arrays in
 * *ov); returns the number of arms, or 0 with a message. */
static size_t decomposition_arms(const esc_arm_spec *arms, size_t n, esc_arm_spec **out,
                                 const char ***ov)
{
	static const char *const names[] = { "answers_only", "notices_only", "enforcement_only" };
	static const char *const off[3][2] = {
		{ "cell.effects.notices=false", "cell.effects.enforcement=false" },
		{ "cell.effects.answers=false", "cell.effects.enforcement=false" },
		{ "cell.effects.answers=false", "cell.effects.notices=false" },
	};
	const esc_arm_spec *cell = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(arms[i].name, "cell"))
			cell = &arms[i];
		for (int m = 0; m < 3; m++)
			if (!strcmp(arms[i].name, names[m])) {
				cli_usage_error("compare ", "--decompose adds the arm '%s': do not name an arm so",
				                names[m]);
				return 0;
			}
	}
	if (!cell) {
		cli_usage_error("compare ", "%s", "--decompose takes apart the arm named 'cell': give one (the default arms have it)");
		return 0;
	}
	*out = calloc(n + 3, sizeof **out);
	*ov = calloc(3 * (cell->n_overrides + 2), sizeof **ov);
	if (!*out || !*ov) {
		cli_usage_error(NULL, "%s", "out of memory");
		return 0;
	}
	memcpy(*out, arms, n * sizeof *arms);
	for (int m = 0; m < 3; m++) {
		const char **o = *ov + (size_t)m * (cell->n_overrides + 2);
		for (size_t i = 0; i < cell->n_overrides; i++)
			o[i] = cell->overrides[i];
		o[cell->n_overrides] = off[m][0];
		o[cell->n_overrides + 1] = off[m][1];
		(*out)[n + (size_t)m] = (esc_arm_spec){ names[m], o, cell->n_overrides + 2 };
	}
	return n + 3;
}

static int run(cli *c, char **argv)
{
	esc_arm_spec base_arm[] = { { "base", NULL, 0 } };
	int compare = strcmp(c->cmd, "compare") == 0;
	esc_batch_opts o = {
		.scenario_path = c->scenario, .sets = c->sets, .set_labels = c->set_labels, .n_sets = c->n_sets,
		.reps = c->reps, .rep_offset = c->rep_offset, .seed = c->seed,
		.quiet = c->quiet, .events = c->events, .skip_failed = c->skip_failed,
		.threads = c->threads, .resume = c->resume, .command = c->cmd,
		.progress_every_s = c->progress_every,
		.flush_every_s = c->flush_every,
	};
	if (compare && c->n_arms) {
		o.arms = c->arms;
		o.n_arms = c->n_arms;
	} else if (compare) {
		o.arms = cli_cell_arms;
		o.n_arms = 2;
	} else {
		o.arms = base_arm;
		o.n_arms = 1;
	}
	esc_arm_spec *decomposed = NULL;
	const char **decomposed_ov = NULL;
	if (c->decompose) {
		o.n_arms = decomposition_arms(o.arms, o.n_arms, &decomposed, &decomposed_ov);
		o.arms = decomposed;
		if (!o.n_arms) {
			free(decomposed);
			free(decomposed_ov);
			return ESC_ERR_INPUT;
		}
	}
	o.out_path = cli_out_path(c);
	int st = o.out_path ? cli_check_experiment(c, NULL) : ESC_ERR_RUNTIME;
	o.command_line = c->command_line ? c->command_line : "";
	if (st == ESC_OK)
		st = cli_run_and_report(&o, compare, argv[0]);
	free(decomposed);
	free(decomposed_ov);
	return st;
}

int cmd_run(int argc, char **argv)
{
	/* The command line as typed, before getopt permutes argv and --arm
	 * specs are cut up in place: the file records it to be replayed. */
	cli c = { .reps = 100, .seed = 1, .progress_every = 30,
	          .command_line = cli_join_argv(argc, argv) };
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = run(&c, argv);
	cli_free(&c);
	return st;
}
