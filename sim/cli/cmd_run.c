/* cmd_run.c: escsim run and escsim compare: run the arms, print the
 * comparison (each metric per arm with its 95% interval, and the paired
 * differences from the baseline arm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	c->command_line = cli_join_argv(argc, argv);
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

int cmd_run(int argc, char **argv)
{
	cli c = { .reps = 100, .seed = 1 };
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = run(&c, argc, argv);
	cli_free(&c);
	return st;
}
