/* cli_setup.c: what the scenario commands settle after their options:
 * an experiment file (--experiment) merged under the command line, its
 * keys checked against the scenario where --set and --arm are checked, the
 * share of a job array (--shard K/N, or Slurm's array variables), and the
 * result file's name. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escsim/scenario.h"

/* ------------------------------------------------------------ experiment */

static int x_error(const esc_experiment *x, const char *fmt, const char *what)
{
	fprintf(stderr, "escsim: %s: ", x->site ? x->site : x->path);
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\n");
	return ESC_ERR_INPUT;
}

/* The experiment's sets, then the command line's (which win), each with
 * its label for messages. */
static int merge_sets(cli *c, const esc_experiment *x)
{
	const char **v = calloc(x->n_sets + c->n_sets + 1, sizeof *v);
	const char **l = calloc(x->n_sets + c->n_sets + 1, sizeof *l);
	if (!v || !l) {
		free(v);
		free(l);
		return -1;
	}
	for (size_t i = 0; i < x->n_sets; i++) {
		v[i] = x->sets[i];
		l[i] = x->set_labels[i];
	}
	for (size_t i = 0; i < c->n_sets; i++) {
		v[x->n_sets + i] = c->sets[i];
		l[x->n_sets + i] = c->set_labels[i];
	}
	free(c->sets);
	free(c->set_labels);
	c->sets = v;
	c->set_labels = l;
	c->n_sets += x->n_sets;
	return 0;
}

static int merge_arms(cli *c, const esc_experiment *x)
{
	esc_arm_spec *a = realloc(c->arms, (x->n_arms + 1) * sizeof *a);
	if (!a)
		return -1;
	c->arms = a;
	for (size_t i = 0; i < x->n_arms; i++) {
		const char **ov = calloc(x->arms[i].n_overrides + 1, sizeof *ov);
		if (!ov)
			return -1;
		for (size_t j = 0; j < x->arms[i].n_overrides; j++)
			ov[j] = x->arms[i].overrides[j];
		a[i] = (esc_arm_spec){ x->arms[i].name, ov, x->arms[i].n_overrides };
		c->n_arms = i + 1;          /* cli_free frees ov */
	}
	return 0;
}

static int merge_sweep(cli *c, const esc_experiment *x)
{
	const char **v = calloc(x->n_vary + 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < x->n_vary; i++)
		v[i] = x->vary[i];
	free(c->varies);
	c->varies = v;
	c->n_varies = x->n_vary;
	c->design = x->design;
	c->points = x->points;
	c->levels = (unsigned)x->levels;
	return 0;
}

/* What the command line gives wins; lists come from one place only. */
static int refuse_both(cli *c, const esc_experiment *x, const char *cmdsp)
{
	int sweep = strcmp(c->cmd, "sweep") == 0;
	if (!sweep && (x->n_vary || x->design || x->points || x->levels))
		return x_error(x, "%s", "vary, design, points and levels are for escsim "
		               "sweep (this is compare)");
	if (sweep && (c->n_varies || c->design || c->points || c->levels))
		return cli_usage_error(cmdsp, "%s", "--vary, --design, --points and "
		                       "--levels: the experiment file gives the design");
	if (c->n_arms && x->n_arms)
		return cli_usage_error(cmdsp, "%s", "--arm: the experiment file gives the "
		                       "arms (give them in one place)");
	return 0;
}

static int apply_experiment(cli *c, const char *cmdsp)
{
	esc_error err = {0};
	if (!(c->experiment = calloc(1, sizeof *c->experiment)))
		return cli_usage_error(NULL, "%s", "out of memory");
	esc_experiment *x = c->experiment;
	if (esc_experiment_load(c->experiment_path, x, &err)) {
		fprintf(stderr, "escsim: %s\n", err.msg);
		return err.status;
	}
	int st = refuse_both(c, x, cmdsp);
	if (st)
		return st;
	if (!c->scenario)
		c->scenario = x->scenario;
	if (!(c->given & CLI_GIVEN_REPS) && x->reps >= 0)
		c->reps = x->reps;
	if (!(c->given & CLI_GIVEN_SEED) && x->seed >= 0)
		c->seed = (uint64_t)x->seed;
	if (!c->out)
		c->out = x->out;
	if (x->events == 1)
		c->events = 1;
	if (merge_sets(c, x) || (x->n_arms && merge_arms(c, x)) ||
	    (x->n_vary && merge_sweep(c, x)))
		return cli_usage_error(NULL, "%s", "out of memory");
	return 0;
}

/* Build each arm of the experiment once, and each varied key at its
 * lowest and highest value, on the scenario with the sets applied. */
static int check_arm(esc_scenario *s, const char *const *ov, size_t n,
                     const esc_experiment *x, const char *what, const char *name)
{
	esc_config cfg;
	esc_policy pol;
	esc_error err = {0};
	if (esc_scenario_arm(s, ov, n, &cfg, &pol, &err) == ESC_OK) {
		esc_scenario_release(s, &pol);
		esc_config_free(&cfg);
		return 0;
	}
	if (name)
		fprintf(stderr, "escsim: %s: %s '%s': %s\n", x->site, what, name, err.msg);
	else                /* the message names the set it comes from */
		fprintf(stderr, "escsim: %s\n", err.msg);
	return err.status;
}

static int check_varied(esc_scenario *s, const esc_experiment *x,
                        const esc_sweep *sw)
{
	for (size_t k = 0; sw && k < sw->n_keys; k++) {
		size_t at[2] = { 0, 0 };
		for (size_t p = 1; p < sw->n_points; p++) {
			double v = sw->values[p * sw->n_keys + k];
			if (v < sw->values[at[0] * sw->n_keys + k])
				at[0] = p;
			if (v > sw->values[at[1] * sw->n_keys + k])
				at[1] = p;
		}
		for (int e = 0; e < 2; e++) {
			char set[600], what[32];
			esc_sweep_assignment(sw, at[e], k, set, sizeof set);
			const char *ov[] = { set };
			snprintf(what, sizeof what, "vary[%zu]", k + 1);
			int st = check_arm(s, ov, 1, x, what, sw->keys[k]);
			if (st)
				return st;
		}
	}
	return 0;
}

int cli_check_experiment(const cli *c, const esc_sweep *sw)
{
	const esc_experiment *x = c->experiment;
	if (!x)
		return 0;
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(c->scenario, NULL, NULL, &err);
	if (!s) {
		fprintf(stderr, "escsim: %s\n", err.msg);
		return err.status;
	}
	int st = 0;
	for (size_t i = 0; !st && i < x->n_sets; i++)
		if ((st = esc_scenario_set_as(s, x->sets[i], x->set_labels[i], &err)))
			fprintf(stderr, "escsim: %s\n", err.msg);
	if (!st && x->n_sets)             /* the sets' keys, before any arm's */
		st = check_arm(s, NULL, 0, x, NULL, NULL);
	for (size_t a = 0; !st && a < x->n_arms; a++) {
		char what[32];
		snprintf(what, sizeof what, "arms[%zu]", a + 1);
		st = check_arm(s, (const char *const *)x->arms[a].overrides,
		               x->arms[a].n_overrides, x, what, x->arms[a].name);
	}
	if (!st)
		st = check_varied(s, x, sw);
	esc_scenario_free(s);
	return st;
}

/* ----------------------------------------------------------------- shards */

static int env_int(const char *name, int64_t *out)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return -1;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (*end || errno)
		return -2;
	*out = x;
	return 0;
}

/* K and N from Slurm: the task's place among the array's tasks. */
static int slurm_shard(cli *c, const char *cmdsp)
{
	int64_t id, count, min = 0, step = 1;
	if (env_int("SLURM_ARRAY_TASK_ID", &id) || env_int("SLURM_ARRAY_TASK_COUNT", &count))
		return cli_usage_error(cmdsp, "%s", "--shard slurm: SLURM_ARRAY_TASK_ID and "
		                       "SLURM_ARRAY_TASK_COUNT are not set (not a task of a "
		                       "Slurm job array?)");
	if (env_int("SLURM_ARRAY_TASK_MIN", &min) == -2 ||
	    env_int("SLURM_ARRAY_TASK_STEP", &step) == -2 || step < 1)
		return cli_usage_error(cmdsp, "%s", "--shard slurm: SLURM_ARRAY_TASK_MIN or "
		                       "SLURM_ARRAY_TASK_STEP is not an integer");
	c->shard_k = (id - min) / step;
	c->shard_n = count;
	if ((id - min) % step || c->shard_k < 0 || c->shard_k >= count)
		return cli_usage_error(cmdsp, "%s", "--shard slurm: SLURM_ARRAY_TASK_ID is "
		                       "not one of the array's tasks (MIN, MIN + STEP, ... "
		                       "COUNT tasks)");
	return 0;
}

static int parse_shard(cli *c, const char *cmdsp)
{
	if (strcmp(c->shard, "slurm") == 0)
		return slurm_shard(c, cmdsp);
	char *slash, *end = NULL;
	errno = 0;
	long long k = strtoll(c->shard, &slash, 10);
	long long n = *slash == '/' ? strtoll(slash + 1, &end, 10) : 0;
	if (slash == c->shard || *slash != '/' || end == slash + 1 || *end || errno ||
	    k < 0 || n < 1 || k >= n)
		return cli_usage_error(cmdsp, "--shard: expected K/N with 0 <= K < N, or "
		                       "slurm, got '%s'", c->shard);
	c->shard_k = k;
	c->shard_n = n;
	return 0;
}

/* Shard K of N: replications rep_offset + [K r/N, (K + 1) r/N), the first
 * r mod N shards one longer (the split MPI ranks use). */
static int apply_shard(cli *c, const char *cmdsp)
{
	int st = parse_shard(c, cmdsp);
	if (st)
		return st;
	if (c->shard_n > c->reps) {
		char msg[200];
		snprintf(msg, sizeof msg, "--shard: %lld shares of %lld replications "
		         "would leave some empty (give -n of at least %lld)",
		         (long long)c->shard_n, (long long)c->reps, (long long)c->shard_n);
		return cli_usage_error(cmdsp, "%s", msg);
	}
	int64_t base = c->reps / c->shard_n, extra = c->reps % c->shard_n;
	int64_t k = c->shard_k;
	c->rep_offset += k * base + (k < extra ? k : extra);
	c->reps = base + (k < extra);
	return 0;
}

int cli_setup(cli *c, const char *cmdsp)
{
	int st = c->experiment_path ? apply_experiment(c, cmdsp) : 0;
	if (st)
		return st;
	if (!c->scenario)
		return cli_usage_error(cmdsp, "%s", c->experiment ? "expected a SCENARIO "
		                       "file: on the command line, or scenario = ... in the "
		                       "experiment file" : "expected a SCENARIO file");
	if (strcmp(c->cmd, "sweep") == 0 && c->n_varies == 0)
		return cli_usage_error(cmdsp, "%s", "a sweep needs at least one --vary KEY=SPEC");
	return c->shard ? apply_shard(c, cmdsp) : 0;
}

/* ----------------------------------------------------------------- output */

/* BASE's file name without folder and extensions. */
static void stem(const char *path, const char **s, int *n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	*s = b;
	*n = (int)strcspn(b, ".");
}

const char *cli_out_path(cli *c)
{
	if (c->out && !(c->shard_n && c->experiment && c->out == c->experiment->out))
		return c->out;
	size_t len = (c->out ? strlen(c->out) : 0) + strlen(c->scenario) + strlen(c->cmd) +
	             (c->experiment ? strlen(c->experiment->path) : 0) + 48;
	free(c->out_owned);
	if (!(c->out_owned = malloc(len)))
		return NULL;
	char shard[40] = "";
	if (c->shard_n)
		snprintf(shard, sizeof shard, "-shard%lld", (long long)c->shard_k);
	if (c->out) {                   /* the experiment's file, one per shard */
		const char *dot = strrchr(c->out, '.'), *slash = strrchr(c->out, '/');
		int n = dot && (!slash || dot > slash) ? (int)(dot - c->out) : (int)strlen(c->out);
		snprintf(c->out_owned, len, "%.*s%s%s", n, c->out, shard, c->out + n);
	} else {
		const char *s;
		int n;
		stem(c->experiment ? c->experiment->path : c->scenario, &s, &n);
		snprintf(c->out_owned, len, "%.*s-%s%s.h5", n, s, c->cmd, shard);
	}
	return c->out_owned;
}

void cli_setup_free(cli *c)
{
	if (c->experiment) {
		esc_experiment_free(c->experiment);
		free(c->experiment);
	}
	free(c->out_owned);
	c->experiment = NULL;
	c->out_owned = NULL;
}
