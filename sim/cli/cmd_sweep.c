/* cmd_sweep.c: escsim sweep: the arms of compare at every point of a
 * design over scenario keys (--vary KEY=SPEC, or an experiment file), every
 * point on the same replications and seeds; then, as compare, the report
 * of the file (cmd_run.c, cli_run_and_report), stored under /summary:
 * point by point the paired differences and along each key, or after a
 * Saltelli or Morris design the sensitivity indices. */
#include <stdio.h>

#include "cli.h"

static int build(cli *c, esc_sweep *sw)
{
	esc_sweep_opts so = { c->design, (size_t)c->points, c->levels, c->seed };
	esc_error err = {0};
	int st = esc_sweep_build(sw, c->varies, c->n_varies, &so, &err);
	if (st && c->experiment)
		fprintf(stderr, "escsim: %s: %s\n", c->experiment->site, err.msg);
	else if (st)
		fprintf(stderr, "escsim: %s\nsee 'escsim sweep --help'\n", err.msg);
	return st ? st : cli_check_experiment(c, sw);
}

int cmd_sweep(int argc, char **argv)
{
	/* as typed, before getopt permutes argv (see cmd_run.c) */
	cli c = { .reps = 100, .seed = 1, .progress_every = 30,
	          .command_line = cli_join_argv(argc, argv) };
	esc_sweep sw = {0};
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = build(&c, &sw);
	if (st == 0) {
		esc_batch_opts o = {
			.scenario_path = c.scenario, .sets = c.sets, .set_labels = c.set_labels, .n_sets = c.n_sets,
			.arms = c.n_arms ? c.arms : cli_cell_arms, .n_arms = c.n_arms ? c.n_arms : 2,
			.reps = c.reps, .rep_offset = c.rep_offset, .seed = c.seed,
			.out_path = cli_out_path(&c),
			.command_line = c.command_line ? c.command_line : "",
			.quiet = c.quiet, .events = c.events, .skip_failed = c.skip_failed,
			.command = "sweep",
			.threads = c.threads, .sweep = &sw, .resume = c.resume,
			.progress_every_s = c.progress_every,
			.flush_every_s = c.flush_every,
		};
		if (!o.out_path) {
			st = ESC_ERR_RUNTIME;
			fprintf(stderr, "escsim: out of memory\n");
		} else {
			st = cli_run_and_report(&o, 1, argv[0]);
		}
	}
	esc_sweep_free(&sw);
	cli_free(&c);
	return st;
}
