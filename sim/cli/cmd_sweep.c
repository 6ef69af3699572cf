/* cmd_sweep.c: escsim sweep: the arms of compare at every point of a
 * design over scenario keys (--vary KEY=SPEC, or an experiment file), every
 * point on the same replications and seeds; prints, point by point, the
 * paired differences of a few headline metrics, or after a Saltelli or
 * Morris design the sensitivity indices of the report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "escsim/text.h"
#include "escsim/report.h"
#include "cli.h"

/* Headline metrics of the per-point table, by index in
 * esc_batch_metric_names. */
static const int headline[] = { 1, 2, 7, 6 };   /* retaliations, misattributed, spiral, hours >= 6 */
#define N_HEADLINE (sizeof headline / sizeof headline[0])

static void print_points(const esc_sweep *sw, const esc_batch_result *r)
{
	size_t na = r->arms_per_point;
	if (r->n_arms == 0 || na == 0 || r->n_points != sw->n_points || r->reps_done == 0)
		return;
	size_t base = r->baseline;
	for (size_t a = 0; a < na; a++) {
		if (a == base && na > 1)
			continue;
		const char *an = r->arm_names[a];
		const char *dot = strrchr(an, '.');
		int len = dot ? (int)(dot - an) : (int)strlen(an);
		const char *bn = r->arm_names[base];
		const char *bdot = strrchr(bn, '.');
		int blen = bdot ? (int)(bdot - bn) : (int)strlen(bn);
		if (na > 1)
			printf("%.*s - %.*s (mean difference, 95%% CI) at each point:\n", len, an, blen, bn);
		else
			printf("%.*s (mean, 95%% CI) at each point:\n", len, an);
		printf("%-6s", "point");
		for (size_t k = 0; k < sw->n_keys; k++)
			printf(" %14.14s", sw->keys[k]);
		for (size_t j = 0; j < N_HEADLINE; j++)
			printf("  %-29.29s", esc_batch_metric_names[headline[j]]);
		printf("\n");
		for (size_t p = 0; p < r->n_points; p++) {
			printf("p%-5zu", p);
			for (size_t k = 0; k < sw->n_keys; k++)
				printf(" %14.6g", sw->values[p * sw->n_keys + k]);
			const esc_estimate *e = na > 1 ? r->diff[p * na + a] : r->arm[p * na + a];
			for (size_t j = 0; j < N_HEADLINE; j++) {
				const esc_estimate *x = &e[headline[j]];
				if (isnan(x->lo))
					printf("  %9.4g %19s", x->mean, "");
				else
					printf("  %9.4g [%8.3g,%8.3g]", x->mean, x->lo, x->hi);
			}
			printf("\n");
		}
	}
	printf("(%lld replication%s per point and arm; /arms/<ARM>.p<k> in the file; "
	       "escsim report for every metric)\n", (long long)r->reps_done,
	       esc_plural(r->reps_done));
}

/* Designs whose report is the sensitivity indices, not the points. */
static int screens(const esc_sweep *sw)
{
	return !strcmp(sw->design, "saltelli") || !strcmp(sw->design, "morris");
}

static int build(cli *c, esc_sweep *sw)
{
	esc_error err = {0};
	esc_sweep_opts so = { c->design, (size_t)c->points, c->levels, c->seed };
	int st = esc_sweep_build(sw, c->varies, c->n_varies, &so, &err);
	if (st && c->experiment)
		fprintf(stderr, "escsim: %s: %s\n", c->experiment->site, err.msg);
	else if (st)
		fprintf(stderr, "escsim: %s\nsee 'escsim sweep --help'\n", err.msg);
	return st ? st : cli_check_experiment(c, sw);
}

/* /summary, as compare stores it (spec section 4): only for a file this
 * run wrote, and under MPI only on rank 0; printed (unless quiet) for the
 * designs whose result is the indices. */
static int summarise(const esc_sweep *sw, const esc_batch_opts *o,
                     const struct stat *before, int had, const char *argv0)
{
	struct stat after;
	if (esc_batch_rank() != 0 || stat(o->out_path, &after) != 0 ||
	    (had && before->st_ino == after.st_ino &&
	     before->st_mtim.tv_sec == after.st_mtim.tv_sec &&
	     before->st_mtim.tv_nsec == after.st_mtim.tv_nsec))
		return ESC_OK;
	esc_report_opts ro = {
		.path = o->out_path, .store = 1, .command_line = o->command_line,
		.argv0 = argv0,
		.format = screens(sw) && !o->quiet ? ESC_REPORT_TEXT : ESC_REPORT_NONE,
	};
	esc_error rerr = {0};
	int rst = esc_report(&ro, &rerr);
	if (rst)
		fprintf(stderr, "escsim: report: %s\n", rerr.msg);
	return rst ? ESC_ERR_RUNTIME : ESC_OK;
}

int cmd_sweep(int argc, char **argv)
{
	/* as typed, before getopt permutes argv (see cmd_run.c) */
	cli c = { .reps = 100, .seed = 1, .progress_every = 30,
	          .command_line = cli_join_argv(argc, argv) };
	esc_sweep sw = {0};
	esc_error err = {0};
	int st = cli_parse(&c, argc, argv);
	if (st == 0)
		st = build(&c, &sw);
	if (st == 0) {
		static const char *cell_on[] = { "cell.enabled=true" };
		static const char *cell_off[] = { "cell.enabled=false" };
		esc_arm_spec defaults[] = {
			{ "cell", cell_on, 1 }, { "no_cell", cell_off, 1 },
		};
		esc_batch_opts o = {
			.scenario_path = c.scenario, .sets = c.sets, .set_labels = c.set_labels, .n_sets = c.n_sets,
			.arms = c.n_arms ? c.arms : defaults, .n_arms = c.n_arms ? c.n_arms : 2,
			.reps = c.reps, .rep_offset = c.rep_offset, .seed = c.seed,
			.out_path = cli_out_path(&c),
			.command_line = c.command_line ? c.command_line : "",
			.quiet = c.quiet, .events = c.events, .skip_failed = c.skip_failed,
			.command = "sweep",
			.threads = c.threads, .sweep = &sw, .resume = c.resume,
			.progress_every_s = c.progress_every,
			.flush_every_s = c.flush_every,
		};
		esc_batch_result res;
		if (!o.out_path) {
			st = ESC_ERR_RUNTIME;
			fprintf(stderr, "escsim: out of memory\n");
		} else {
			struct stat before;
			int had = stat(o.out_path, &before) == 0;
			st = esc_batch_run(&o, &res, &err);
			if (!c.quiet && !screens(&sw))
				print_points(&sw, &res);
			esc_batch_result_free(&res);
			if (st)
				fprintf(stderr, "escsim: %s\n", err.msg);
			int rst = summarise(&sw, &o, &before, had, argv[0]);
			if (st == ESC_OK)
				st = rst;
		}
	}
	esc_sweep_free(&sw);
	cli_free(&c);
	return st;
}
