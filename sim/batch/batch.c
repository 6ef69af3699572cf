/* batch.c: one experiment: arms x replications (x sweep points) on common
 * random numbers, across threads and MPI ranks (escsim/batch.h).  Owns the
 * setup (every arm of every point checked before anything is written), the
 * plan of jobs, the file's groups and provenance, signals, the join of
 * shards, and the closing statistics.  The worker threads and the writer
 * are pool.c's.
 *
 * Signals.  SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session)
 * only set a flag: workers finish the job in hand and take no more, the
 * writer writes everything that finished, and the file is closed marked
 * incomplete.  A second signal kills at once.
 *
 * Where the file goes.  A complete run replaces FILE (only ever a result
 * file: esc_h5_check_output).  A run that stops early keeps every finished
 * replication in a file marked incomplete: an interrupted one under FILE
 * if no file had that name (else in FILE.partial, leaving FILE as it was),
 * one stopped by an error always in FILE.partial, so that exit statuses 1
 * and 2 never create or change FILE.  A process killed outright leaves
 * FILE.partial as it was at its last checkpoint (every --flush-every
 * seconds, and at each sweep point).  --resume FILE continues from
 * FILE.partial when there is one, else from FILE: appending to it in place
 * when what it lacks comes after everything it has (an interrupted run),
 * else through a shard and a join.
 *
 * Resume and MPI write a shard (the missing replications, or this rank's
 * block of them) and join it with the rest (the old file, the other ranks'
 * shards) through esc_h5_merge, which interleaves rows by replication, so
 * the joined file is the one an uninterrupted single process writes.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "escsim/h5_reader.h"
#include "escsim/h5_merge.h"
#include "escsim/log.h"
#include "escsim/model.h"
#include "escsim/text.h"
#include "batch_impl.h"
#include "parallel.h"

#define STATS_BLOCK 1024

const char *const esc_batch_metric_names[ESC_BATCH_METRICS] = {
	"incidents", "retaliations", "misattributed_retaliations",
	"fatalities_mil", "fatalities_civ", "max_level", "hours_at_or_above_6",
	"spiral", "crisis", "cell_requests", "cell_answered_before_deadline",
	"events_total",
};

static void metrics(const esc_run_row *r, double out[ESC_BATCH_METRICS])
{
	out[0] = (double)r->incidents;
	out[1] = (double)r->retaliations;
	out[2] = (double)r->misattributed_retaliations;
	out[3] = (double)r->fatalities_mil;
	out[4] = (double)r->fatalities_civ;
	out[5] = r->max_level;
	out[6] = r->hours_at_or_above_6;
	out[7] = r->spiral;
	out[8] = isnan(r->first_crisis_h) ? 0.0 : 1.0;
	out[9] = (double)r->cell_requests;
	out[10] = (double)r->cell_answered_before_deadline;
	out[11] = (double)r->events_total;
}

static void acc_add(acc *a, double x)
{
	a->n += 1;
	a->sum += x;                    /* exact for counts: the mean is sum / n */
	double d = x - a->mean;
	a->mean += d / a->n;
	a->m2 += d * (x - a->mean);
}

static esc_estimate estimate(const acc *a)
{
	esc_estimate e = { NAN, NAN, NAN, (int64_t)a->n };
	if (e.n == 0)
		return e;
	e.mean = a->sum / a->n;
	if (e.n < 2)
		return e;
	double sd_mean = sqrt(a->m2 / (a->n - 1) / a->n);
	double h = gsl_cdf_tdist_Pinv(0.975, a->n - 1) * sd_mean;
	e.lo = e.mean - h;
	e.hi = e.mean + h;
	return e;
}

volatile sig_atomic_t esc_bt_interrupted;

static void on_signal(int sig)
{
	if (esc_bt_interrupted) {       /* the second one: stop now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	esc_bt_interrupted = sig;
}

double esc_bt_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int esc_batch_group_name(char *buf, size_t size, const char *arm, size_t point)
{
	return snprintf(buf, size, "%s.p%zu", arm, point);
}

/* ------------------------------------------------------------- arms */

/* Overrides of arm A at point P: the point's assignments, then the arm's
 * own (which win). */
static size_t arm_overrides(const batch *b, size_t p, size_t a, const char **ov)
{
	size_t n = 0;
	for (size_t k = 0; k < b->n_keys; k++)
		ov[n++] = b->point_sets[p * b->n_keys + k];
	const esc_arm_spec *s = &b->o->arms[a];
	for (size_t i = 0; i < s->n_overrides; i++)
		ov[n++] = s->overrides[i];
	return n;
}

int esc_bt_build_arm(const batch *b, esc_scenario *s, size_t p, size_t a,
                     const char **ov, esc_config *cfg, esc_policy *pol,
                     esc_error *err)
{
	size_t n = arm_overrides(b, p, a, ov);
	/* A point's assignments are labelled with the --vary that made them,
	 * so a message names the option the user typed. */
	const esc_sweep *sw = b->o->sweep;
	char **labels = sw && b->n_keys ? calloc(n, sizeof *labels) : NULL;
	if (sw && b->n_keys && !labels)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t k = 0; labels && k < b->n_keys; k++) {
		size_t len = strlen(sw->keys[k]) + strlen(sw->specs[k]) + strlen(ov[k]) + 16;
		if ((labels[k] = malloc(len)))
			snprintf(labels[k], len, "--vary '%s=%s' (%s)", sw->keys[k], sw->specs[k], ov[k]);
	}
	int st = esc_scenario_arm_as(s, ov, (const char *const *)labels, n, cfg, pol, err);
	for (size_t k = 0; labels && k < b->n_keys; k++)
		free(labels[k]);
	free(labels);
	if (st)
		return esc_error_prefix(err, "arm '%s': ", b->group_names[p * b->n_arms + a]);
	return ESC_OK;
}

/* Statistics of one job, in job order. */
void esc_bt_add_stats(batch *b, size_t p, const esc_run_row *rows)
{
	double m[ESC_BATCH_METRICS], base[ESC_BATCH_METRICS];
	metrics(&rows[b->baseline], base);
	for (size_t a = 0; a < b->n_arms; a++) {
		size_t g = p * b->n_arms + a;
		metrics(&rows[a], m);
		for (int j = 0; j < ESC_BATCH_METRICS; j++) {
			acc_add(&b->stat[g][j], m[j]);
			acc_add(&b->dstat[g][j], m[j] - base[j]);
		}
		b->group_done[g]++;
	}
}

/* --------------------------------------------------------------- setup */

static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (*len + (size_t)n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + (size_t)n + 1)
			c *= 2;
		char *p = realloc(*s, c);
		if (!p)
			return -1;
		*s = p;
		*cap = c;
	}
	va_start(ap, fmt);
	vsnprintf(*s + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
	return 0;
}

/* Everything that decides the rows except reps and rep_offset, one item a
 * line, so that two files agree on it exactly when they are two parts of
 * one experiment (merge) or one run and its resumption. */
static char *options_text(const esc_batch_opts *o)
{
	char *s = NULL;
	size_t len = 0, cap = 0;
	int bad = append(&s, &len, &cap, "escsim %s\ncommand %s\nseed %llu\nevents %d\n",
	                 ESCSIM_VERSION, o->command ? o->command : "run",
	                 (unsigned long long)o->seed, o->events ? 1 : 0);
	for (size_t i = 0; !bad && i < o->n_sets; i++)
		bad = append(&s, &len, &cap, "set %s\n", o->sets[i]);
	for (size_t a = 0; !bad && a < o->n_arms; a++) {
		bad = append(&s, &len, &cap, "arm %s", o->arms[a].name);
		for (size_t i = 0; !bad && i < o->arms[a].n_overrides; i++)
			bad = append(&s, &len, &cap, "%s%s", i ? "," : " ",
			             o->arms[a].overrides[i]);
		if (!bad)
			bad = append(&s, &len, &cap, "\n");
	}
	if (!bad && o->sweep) {
		const esc_sweep *w = o->sweep;
		bad = append(&s, &len, &cap, "design %s\npoints %zu\n", w->design,
		             w->n_points);
		if (!bad && w->levels)
			bad = append(&s, &len, &cap, "levels %u\n", w->levels);
		for (size_t k = 0; !bad && k < w->n_keys; k++)
			bad = append(&s, &len, &cap, "vary %s=%s\n", w->keys[k], w->specs[k]);
	}
	if (bad) {
		free(s);
		return NULL;
	}
	return s;
}

/* Names, point assignments, options; the scenario loaded once here to
 * check every arm at every point before anything is written. */
static int prepare(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const esc_sweep *sw = o->sweep;
	b->n_arms = o->n_arms;
	b->n_points = sw ? sw->n_points : 1;
	b->n_keys = sw ? sw->n_keys : 0;
	if (sw && b->n_points == 0)
		return esc_error_set(err, ESC_ERR_INPUT, "the sweep has no points");
	if (b->n_points > SIZE_MAX / b->n_arms)
		return esc_error_set(err, ESC_ERR_INPUT, "too many points");
	b->n_groups = b->n_points * b->n_arms;
	b->stage_point = 0;
	b->point_sets = calloc(b->n_points * (b->n_keys ? b->n_keys : 1), sizeof *b->point_sets);
	b->group_names = calloc(b->n_groups, sizeof *b->group_names);
	b->h5_group = calloc(b->n_groups, sizeof *b->h5_group);
	b->stat = calloc(b->n_groups, sizeof *b->stat);
	b->dstat = calloc(b->n_groups, sizeof *b->dstat);
	b->group_done = calloc(b->n_groups, sizeof *b->group_done);
	b->stage = calloc(b->n_arms, sizeof *b->stage);
	b->options = options_text(o);
	if (!b->point_sets || !b->group_names || !b->h5_group || !b->stat ||
	    !b->dstat || !b->group_done || !b->stage || !b->options)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t a = 0; a < b->n_arms; a++)
		esc_bt_tables_init(&b->stage[a]);
	b->baseline = 0;
	for (size_t a = 0; a < b->n_arms; a++) {
		const esc_arm_spec *s = &o->arms[a];
		if (esc_h5_check_arm_name(s->name, err))
			return err->status;
		for (size_t i = 0; i < a; i++)
			if (strcmp(o->arms[i].name, s->name) == 0)
				return esc_error_set(err, ESC_ERR_INPUT, "arm '%s' given twice", s->name);
		if (strcmp(s->name, "no_cell") == 0)
			b->baseline = a;
		if (s->n_overrides > b->max_ov)
			b->max_ov = s->n_overrides;
	}
	b->max_ov += b->n_keys;
	if (!(b->ov = calloc(b->max_ov + 1, sizeof *b->ov)))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t p = 0; p < b->n_points; p++) {
		for (size_t k = 0; k < b->n_keys; k++) {
			int n = esc_sweep_assignment(sw, p, k, NULL, 0);
			char *v = n < 0 ? NULL : malloc((size_t)n + 1);
			if (!v)
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
			esc_sweep_assignment(sw, p, k, v, (size_t)n + 1);
			b->point_sets[p * b->n_keys + k] = v;
		}
		for (size_t a = 0; a < b->n_arms; a++) {
			char name[128];
			if (sw)
				esc_batch_group_name(name, sizeof name, o->arms[a].name, p);
			else
				snprintf(name, sizeof name, "%s", o->arms[a].name);
			if (sw && esc_h5_check_arm_name(name, NULL))
				return esc_error_set(err, ESC_ERR_INPUT, "arm name '%s' is too long "
				                     "for a sweep (its groups are named "
				                     "ARM.p<point>, at most 64 characters)",
				                     o->arms[a].name);
			if (!(b->group_names[p * b->n_arms + a] = strdup(name)))
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
	}
	return ESC_OK;
}

/* The scenario's names for the file's labels; *store (to free) holds the
 * pointer arrays. */
static int arm_labels(const esc_config *c, esc_h5_labels *l,
                      const char ***store, esc_error *err)
{
	size_t n = c->n_parties + c->n_zones + c->n_types + c->regime.n_states +
	           1 + c->n_channels;
	const char **p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	*store = p;
	l->parties = (esc_h5_names){ p, c->n_parties };
	for (size_t i = 0; i < c->n_parties; i++)
		*p++ = c->parties[i].name;
	l->zones = (esc_h5_names){ p, c->n_zones };
	for (size_t i = 0; i < c->n_zones; i++)
		*p++ = c->zones[i];
	l->types = (esc_h5_names){ p, c->n_types };
	for (size_t i = 0; i < c->n_types; i++)
		*p++ = c->types[i].name;
	l->regimes = (esc_h5_names){ p, c->regime.n_states };
	for (size_t i = 0; i < c->regime.n_states; i++)
		*p++ = c->regime.names[i];
	/* Message channel 0 is the cell, then the fallback channels. */
	l->channels = (esc_h5_names){ p, 1 + c->n_channels };
	*p++ = "cell";
	for (size_t i = 0; i < c->n_channels; i++)
		*p++ = c->channels[i].name;
	return ESC_OK;
}

static char *join_overrides(const char *const *ov, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(ov[i]) + 1;
	char *t = malloc(len);
	if (!t)
		return NULL;
	t[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(t, ",");
		strcat(t, ov[i]);
	}
	return t;
}

/* Build every arm at every point, so that a bad point is found before any
 * work and before anything is written. */
static int check_arms(batch *b, esc_scenario *scen, esc_error *err)
{
	int st = ESC_OK;
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++) {
		for (size_t a = 0; st == ESC_OK && a < b->n_arms; a++) {
			esc_config cfg;
			esc_policy pol;
			if ((st = esc_bt_build_arm(b, scen, p, a, b->ov, &cfg, &pol, err)))
				break;
			esc_model *m = esc_model_new(&cfg, err);
			if (!m)
				st = esc_error_prefix(err, "arm '%s': ",
				                      b->group_names[p * b->n_arms + a]);
			esc_model_free(m);
			esc_scenario_release(scen, &pol);
			esc_config_free(&cfg);
		}
	}
	return st;
}

/* The replications the file holds: those of the old file (resume) and
 * those this run wrote; what a checkpoint records. */
static int64_t jobs_saved(const batch *b)
{
	return b->already_done + b->jobs_done;
}

int esc_bt_checkpoint(batch *b, int sync, esc_error *err)
{
	if (!b->out)
		return ESC_OK;
	int st = esc_h5_checkpoint(b->out, jobs_saved(b), sync, err);
	b->last_checkpoint = esc_bt_wall_s();
	if (st == ESC_OK)
		b->saved_jobs = jobs_saved(b);
	return st;
}

/* Make (or, completing a file in place, open) the groups of point P. */
static int point_groups(batch *b, size_t p, esc_error *err)
{
	for (size_t a = 0; a < b->n_arms; a++) {
		size_t g = p * b->n_arms + a;
		esc_config cfg;
		esc_policy pol;
		if (esc_bt_build_arm(b, b->scen, p, a, b->ov, &cfg, &pol, err))
			return err->status;
		size_t n = arm_overrides(b, p, a, b->ov);
		char *text = join_overrides(b->ov, n);
		char *json = esc_config_to_json(&cfg);
		const char **names = NULL;
		esc_h5_labels labels;
		int events = b->o->events || cfg.outputs.events, st;
		if (!text || !json)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if ((st = arm_labels(&cfg, &labels, &names, err)) != ESC_OK)
			;
		else if (b->inplace && esc_h5_arm_exists(b->out, b->group_names[g]))
			st = esc_h5_open_arm(b->out, b->group_names[g], &labels,
			                     cfg.outputs.daily, events, &b->h5_group[g], err);
		else if ((st = esc_h5_add_arm(b->out, b->group_names[g], text, json,
		                              &labels, cfg.outputs.daily, events,
		                              &b->h5_group[g], err)) == ESC_OK &&
		         b->o->sweep)
			st = esc_h5_arm_point(b->out, b->h5_group[g], (int64_t)p,
			                      b->o->arms[a].name, err);
		free(names);
		free(text);
		free(json);
		esc_scenario_release(b->scen, &pol);
		esc_config_free(&cfg);
		if (st)
			return st;
	}
	return ESC_OK;
}

/* Create the groups of the points up to UPTO that do not have theirs yet,
 * each arm built again for its resolved values and labels, then
 * checkpoint.  Groups are made as the writer reaches their point, and
 * those of points before UPTO are closed at once: an open table holds its
 * metadata and chunk cache, which for thousands of points would be memory
 * that grows with the design. */
int esc_bt_add_groups(batch *b, size_t upto, esc_error *err)
{
	int made = 0;
	for (; b->created <= upto && b->created < b->n_points; b->created++) {
		size_t p = b->created;
		if (point_groups(b, p, err))
			return err->status;
		made = 1;
		for (size_t a = 0; p < upto && a < b->n_arms; a++)
			if (esc_h5_arm_done(b->out, b->h5_group[p * b->n_arms + a], err))
				return err->status;
	}
	return made ? esc_bt_checkpoint(b, 0, err) : ESC_OK;
}

/* Root attributes options and rep_offset, and a sweep's /sweep/points:
 * written first, so that a checkpoint of the file says what it is. */
static int write_extra(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const esc_sweep *sw = o->sweep;
	const char **arms = calloc(b->n_arms, sizeof *arms);
	esc_h5_sweep_desc sd;
	esc_h5_extra x = { b->options, b->block_lo, NULL };
	if (!arms)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t a = 0; a < b->n_arms; a++)
		arms[a] = o->arms[a].name;
	if (sw) {
		sd = (esc_h5_sweep_desc){
			sw->design, sw->n_keys, (const char *const *)sw->keys,
			(const char *const *)sw->specs, sw->units, sw->n_points,
			sw->values, b->n_arms, arms,
			(const char *const *)b->group_names,
			sw->base, sw->levels, sw->block, sw->role, sw->key, sw->step,
		};
		x.sweep = &sd;
	}
	int st = esc_h5_write_extra(b->out, &x, err);
	free(arms);
	return st;
}

/* Create the file (provenance, what the batch adds, the first point's
 * groups) or, completing one in place, reopen it and open the groups of
 * the first point with work left; either way, checkpoint.  The scenario
 * SCEN stays with the batch: the writer builds later points' arms in it
 * when it creates their groups. */
static int open_output(batch *b, esc_scenario *scen, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	b->scen = scen;
	if (b->inplace) {
		b->saved_jobs = b->already_done;
		if (!(b->out = esc_h5_reopen(b->final, err)))
			return err->status;
		int st = esc_h5_set_note(b->out, "resumed_by", o->command_line, err);
		return st ? st : esc_bt_add_groups(b, b->created, err);
	}
	const esc_script_source *src;
	size_t n = esc_scenario_sources(scen, &src);
	esc_h5_source *hs = calloc(n ? n : 1, sizeof *hs);
	if (!hs)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < n; i++)
		hs[i] = (esc_h5_source){ src[i].name, src[i].path, src[i].text };
	/* The base scenario with --set applied, before any arm's overrides. */
	esc_config base;
	esc_policy unused;
	char *json = NULL;
	int st = esc_scenario_arm(scen, NULL, 0, &base, &unused, err);
	if (st == ESC_OK) {
		json = esc_config_to_json(&base);
		esc_scenario_release(scen, &unused);
		esc_config_free(&base);
	}
	if (st == ESC_OK && !json)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK) {
		esc_h5_provenance prov = {
			.escsim_version = ESCSIM_VERSION, .command_line = o->command_line,
			.scenario_name = esc_scenario_name(scen), .seed = o->seed,
			.reps = b->block_n, .sources = hs, .n_sources = n, .resolved_json = json,
			.lua_version = esc_scenario_lua_version(),
			.rng_type = esc_rng_xoshiro256pp->name,
		};
		b->out = esc_h5_create(b->file, &prov, err);
		if (!b->out)
			st = err->status;
	}
	if (st == ESC_OK)
		st = write_extra(b, err);
	if (st == ESC_OK)
		st = esc_bt_add_groups(b, 0, err);
	free(json);
	free(hs);
	return st;
}

/* ---------------------------------------------------------------- spans */

static int add_span(batch *b, size_t *cap, size_t p, int64_t lo, int64_t hi,
                    esc_error *err)
{
	if (hi <= lo)
		return ESC_OK;
	if (b->n_spans == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		span *v = realloc(b->spans, c * sizeof *v);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		b->spans = v;
		*cap = c;
	}
	b->spans[b->n_spans++] = (span){ p, lo, hi - lo, b->n_jobs };
	b->n_jobs += hi - lo;
	return ESC_OK;
}

/* Jobs: per point, [lo, hi) less DONE (sorted ranges; NULL: none). */
static int plan_point(batch *b, size_t *cap, size_t p, int64_t lo, int64_t hi,
                      const esc_h5_range *done, size_t n_done, esc_error *err)
{
	int64_t at = lo;
	for (size_t i = 0; i < n_done && at < hi; i++) {
		int64_t dlo = done[i].lo, dhi = done[i].hi;
		if (dhi <= at)
			continue;
		if (dlo >= hi)
			break;
		if (dlo > at && add_span(b, cap, p, at, dlo, err))
			return err->status;
		at = dhi > at ? dhi : at;
	}
	return add_span(b, cap, p, at, hi, err);
}

static void first_line_difference(const char *a, const char *b, char *out, size_t size)
{
	while (*a || *b) {
		size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
		if (na != nb || strncmp(a, b, na) != 0) {
			snprintf(out, size, "'%.*s' in the file, '%.*s' now",
			         (int)(na > 160 ? 160 : na), a, (int)(nb > 160 ? 160 : nb), b);
			return;
		}
		a += na + (a[na] == '\n');
		b += nb + (b[nb] == '\n');
	}
	snprintf(out, size, "(none)");
}

static int cmp_range(const void *a, const void *b)
{
	const esc_h5_range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* RUNS (sorted ranges) with the replications of point P in FAILED added:
 * what a file covers at that point, as sorted disjoint ranges in *OUT. */
static int covered(const esc_h5_range *runs, size_t n_runs,
                   const esc_failure_row *failed, size_t n_failed, size_t p,
                   esc_h5_range **out, size_t *n, esc_error *err)
{
	esc_h5_range *v = malloc((n_runs + n_failed + 1) * sizeof *v);
	if (!v)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n_runs; i++)
		v[k++] = runs[i];
	for (size_t i = 0; i < n_failed; i++)
		if (failed[i].point == (int32_t)p)
			v[k++] = (esc_h5_range){ failed[i].rep, failed[i].rep + 1 };
	qsort(v, k, sizeof *v, cmp_range);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && v[i].lo <= v[m - 1].hi) {
			if (v[i].hi > v[m - 1].hi)
				v[m - 1].hi = v[i].hi;
		} else {
			v[m++] = v[i];
		}
	}
	*out = v;
	*n = m;
	return ESC_OK;
}

/* Is the work left after everything the file holds?  Jobs are numbered
 * point by point: before the first point with work left, every point must
 * be complete; at it, the file's replications a prefix; after it, none.
 * Then the rows still to come are exactly what an uninterrupted run would
 * append, and the file can be completed in place. */
static int after_all_done(const esc_h5_range *done, size_t n, size_t p,
                          int64_t lo, int64_t hi, int *first_left)
{
	int64_t first_missing = lo;
	for (size_t i = 0; i < n && done[i].lo <= first_missing; i++)
		if (done[i].hi > first_missing)
			first_missing = done[i].hi;
	int has_after = 0;
	for (size_t i = 0; i < n; i++)
		has_after |= done[i].hi > first_missing && done[i].lo < hi;
	if (*first_left < 0) {
		if (first_missing < hi)
			*first_left = (int)p;
		return !has_after;
	}
	/* A point after the first with work left: it must hold nothing. */
	for (size_t i = 0; i < n; i++)
		if (done[i].hi > lo && done[i].lo < hi)
			return 0;
	return 1;
}

/* Which file --resume FILE continues: FILE.partial when there is one (a run
 * that was killed, stopped by an error, or interrupted with FILE taken),
 * else FILE.  A .partial is first recovered (cut back to its last
 * checkpoint); one that saved nothing is set aside. */
static int resume_source(batch *b, esc_error *err)
{
	const char *f = b->final;
	struct stat st;
	b->had_final = stat(f, &st) == 0;
	if (stat(b->partial, &st) == 0) {
		int64_t jobs = 0;
		if (esc_h5_check_partial(b->partial, err))
			return esc_error_prefix(err, "--resume: ");
		/* One that does not open was killed before it saved anything (a
		 * file with a checkpoint always opens). */
		int not_open = st.st_size == 0 || !esc_h5_opens(b->partial);
		if (!not_open && esc_h5_recover(b->partial, &jobs, err))
			return esc_error_prefix(err, "--resume: ");
		if (jobs == 0)
			fprintf(stderr, "escsim: warning: '%s' holds nothing that can be "
			        "used (its run was killed before it saved anything)%s\n",
			        b->partial, stat(f, &st) == 0 ? "" : ": starting over");
		if (jobs != 0) {
			b->src = b->partial;
			if (jobs > 0)
				b->recovered = jobs;
			return ESC_OK;
		}
		/* Killed before it saved anything: what it had is started over. */
		b->recovered = 0;
	}
	if (!b->had_final)
		return b->recovered == 0 ? ESC_OK :
		       esc_error_set(err, ESC_ERR_INPUT, "--resume: neither '%s' nor "
		                     "'%s' exists: nothing to resume (run the command "
		                     "without --resume)", f, b->partial);
	b->src = f;
	return ESC_OK;
}

/* Check that the resume file is this experiment's, undamaged and
 * unfinished; plan the jobs it lacks, and whether they can be appended to
 * it in place.  *complete is set when it lacks none. */
static int plan_resume(batch *b, size_t *cap, int *complete, esc_error *err)
{
	const esc_batch_opts *o = b->o;
	int st = resume_source(b, err);
	if (st || !b->src) {
		/* Nothing usable: the run starts over, as if without --resume. */
		for (size_t p = 0; st == ESC_OK && p < b->n_points; p++)
			st = plan_point(b, cap, p, b->block_lo, b->block_lo + b->block_n,
			                NULL, 0, err);
		return st;
	}
	const char *f = b->src;
	esc_h5_info info;
	char diff[400];
	/* Every table and chunk checked before any of it is trusted. */
	if ((st = esc_h5_verify(f, err)) != ESC_OK)
		return esc_error_prefix(err, "--resume: ");
	st = esc_h5_info_read(f, &info, err);
	if (st)
		return esc_error_prefix(err, "--resume: ");
	if (!info.options)
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was written "
		                   "without the options it was run with (an older "
		                   "escsim): it cannot be resumed", f);
	else if (strcmp(info.sources_digest, b->digest) != 0) {
		first_line_difference(info.sources_digest, b->digest, diff, sizeof diff);
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: the scenario or a module "
		                   "it loads is not the one '%s' was run with (sha256: %s)",
		                   f, diff);
	} else if (strcmp(info.options, b->options) != 0) {
		first_line_difference(info.options, b->options, diff, sizeof diff);
		const char *w[] = { info.command_line ? info.command_line : "", "--resume", f };
		char *repeat = info.command_line && *info.command_line ? esc_shell_join(w + 1, 2) : NULL;
		if (repeat)
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with other "
			                   "options: %s; to finish it, repeat its command with "
			                   "--resume: %s %s", f, diff, info.command_line, repeat);
		else
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with other "
			                   "options: %s; repeat the original command (see its "
			                   "command_line attribute) with --resume", f, diff);
		free(repeat);
	} else if (info.reps != o->reps || info.rep_offset != o->rep_offset) {
		st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' was run with -n %lld "
		                   "--rep-offset %lld, not -n %lld --rep-offset %lld", f,
		                   (long long)info.reps, (long long)info.rep_offset,
		                   (long long)o->reps, (long long)o->rep_offset);
	}
	for (size_t g = 0; st == ESC_OK && g < b->n_groups; g++) {
		int found = 0;
		for (size_t i = 0; !found && i < info.n_groups; i++)
			found = strcmp(info.groups[i], b->group_names[g]) == 0;
		if (!found && b->n_points == 1)
			st = esc_error_set(err, ESC_ERR_INPUT, "--resume: '%s' has no arm "
			                   "'%s'", f, b->group_names[g]);
	}
	*complete = st == ESC_OK && info.complete;
	esc_h5_info_free(&info);
	if (st || *complete)
		return st;

	esc_failure_row *failed = NULL;
	size_t n_failed = 0;
	st = esc_h5_failures_read(f, &failed, &n_failed, err);
	/* Per point, what the first arm holds (runs, and skipped ones); the
	 * others must hold the same (a job is written whole or not at all).
	 * A group a killed sweep had not made yet holds nothing. */
	int in_place = 1, first_left = -1;
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++) {
		esc_h5_range *r0 = NULL, *done = NULL;
		size_t n0 = 0, n_done = 0;
		const char *g0 = b->group_names[p * b->n_arms];
		int have = esc_h5_rep_ranges(f, g0, &r0, &n0, NULL) == ESC_OK;
		for (size_t a = 1; have && st == ESC_OK && a < b->n_arms; a++) {
			esc_h5_range *r = NULL;
			size_t n = 0;
			st = esc_h5_rep_ranges(f, b->group_names[p * b->n_arms + a], &r, &n, err);
			if (st == ESC_OK && (n != n0 || (n && memcmp(r, r0, n * sizeof *r))))
				st = esc_error_set(err, ESC_ERR_INPUT, "--resume: in '%s' arms "
				                   "'%s' and '%s' hold different replications "
				                   "(the file was not written by one escsim run)",
				                   f, g0, b->group_names[p * b->n_arms + a]);
			free(r);
		}
		if (st == ESC_OK)
			st = covered(r0, n0, failed, n_failed, p, &done, &n_done, err);
		for (size_t i = 0; st == ESC_OK && i < n_done; i++)
			b->already_done += done[i].hi - done[i].lo;
		if (st == ESC_OK) {
			int64_t lo = b->block_lo, hi = b->block_lo + b->block_n;
			in_place &= after_all_done(done, n_done, p, lo, hi, &first_left);
			st = plan_point(b, cap, p, lo, hi, done, n_done, err);
		}
		free(r0);
		free(done);
	}
	free(failed);
	if (st == ESC_OK) {
		/* In place: only a file of this version's layout (older ones are
		 * joined, which rewrites them). */
		esc_h5_file *h = in_place ? esc_h5_open(f, err) : NULL;
		char *v = NULL;
		b->inplace = h && esc_h5_get_attr_text(h, "/", "schema_version", &v,
		                                       err) == ESC_OK &&
		             strcmp(v, ESC_SCHEMA_VERSION) == 0;
		free(v);
		esc_h5_file_close(h);
		esc_error_clear(err);
		b->created = first_left < 0 ? b->n_points - 1 : (size_t)first_left;
		b->stage_point = b->created;
	}
	return st;
}

/* ------------------------------------------------------------- results */

static void fill_result(const batch *b, esc_batch_result *res)
{
	size_t n = b->n_groups;
	res->n_arms = n;
	res->baseline = b->baseline;
	res->n_points = b->n_points;
	res->arms_per_point = b->n_arms;
	res->arm_names = calloc(n ? n : 1, sizeof *res->arm_names);
	res->arm = calloc(n ? n : 1, sizeof *res->arm);
	res->diff = calloc(n ? n : 1, sizeof *res->diff);
	if (!res->arm_names || !res->arm || !res->diff || !b->stat || !b->group_names) {
		res->n_arms = 0;
		return;
	}
	int64_t done = n ? b->group_done[0] : 0;
	for (size_t g = 0; g < n; g++) {
		if (b->group_done[g] < done)
			done = b->group_done[g];
		snprintf(res->arm_names[g], sizeof res->arm_names[g], "%s",
		         b->group_names[g] ? b->group_names[g] : "?");
		for (int j = 0; j < ESC_BATCH_METRICS; j++) {
			res->arm[g][j] = estimate(&b->stat[g][j]);
			res->diff[g][j] = estimate(&b->dstat[g][j]);
		}
	}
	res->reps_done = done;
}

/* The statistics of a joined file: every group's runs rows, point by point,
 * the arms of a point read side by side (they hold the same
 * replications). */
static int stats_from_file(batch *b, const char *path, esc_error *err)
{
	memset(b->stat, 0, b->n_groups * sizeof *b->stat);
	memset(b->dstat, 0, b->n_groups * sizeof *b->dstat);
	memset(b->group_done, 0, b->n_groups * sizeof *b->group_done);
	esc_h5_runs_reader **r = calloc(b->n_arms, sizeof *r);
	esc_run_row *blk = calloc(b->n_arms * STATS_BLOCK, sizeof *blk);
	esc_run_row *rows = calloc(b->n_arms, sizeof *rows);
	int st = ESC_OK;
	if (!r || !blk || !rows)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t p = 0; st == ESC_OK && p < b->n_points; p++) {
		for (size_t a = 0; st == ESC_OK && a < b->n_arms; a++)
			if (!(r[a] = esc_h5_runs_open(path, b->group_names[p * b->n_arms + a], err)))
				st = err->status;
		for (;;) {
			long n = STATS_BLOCK;
			for (size_t a = 0; st == ESC_OK && a < b->n_arms; a++) {
				long k = esc_h5_runs_read(r[a], blk + a * STATS_BLOCK, STATS_BLOCK, err);
				if (k < 0)
					st = err->status;
				else if (k < n)
					n = k;
			}
			if (st || n <= 0)
				break;
			for (long i = 0; i < n; i++) {
				for (size_t a = 0; a < b->n_arms; a++)
					rows[a] = blk[a * STATS_BLOCK + i];
				esc_bt_add_stats(b, p, rows);
			}
		}
		for (size_t a = 0; a < b->n_arms; a++) {
			esc_h5_runs_close(r[a]);
			r[a] = NULL;
		}
	}
	free(r);
	free(blk);
	free(rows);
	return st;
}

/* --------------------------------------------------------------- run */

static void teardown(batch *b)
{
	esc_bt_free_slots(b);
	for (size_t a = 0; b->stage && a < b->n_arms; a++)
		esc_bt_tables_free(&b->stage[a]);
	free(b->stage);
	for (size_t i = 0; b->point_sets && i < b->n_points * b->n_keys; i++)
		free(b->point_sets[i]);
	free(b->point_sets);
	for (size_t g = 0; b->group_names && g < b->n_groups; g++)
		free(b->group_names[g]);
	free(b->group_names);
	free(b->h5_group);
	free(b->stat);
	free(b->dstat);
	free(b->group_done);
	free(b->options);
	free(b->digest);
	free(b->ov);
	esc_scenario_free(b->scen);
	free(b->spans);
}

/* Errors outrank an interrupt when ranks disagree. */
static int64_t severity(int st)
{
	return st == ESC_OK ? 0 : st == ESC_ERR_INTERRUPTED ? 1 :
	       st == ESC_ERR_RUNTIME ? 2 : 3;
}

static int from_severity(int64_t s)
{
	return s == 0 ? ESC_OK : s == 1 ? ESC_ERR_INTERRUPTED :
	       s == 2 ? ESC_ERR_RUNTIME : ESC_ERR_INPUT;
}

static char *shard_name(const char *out, int rank, int ranks)
{
	char suffix[32];
	if (ranks > 1)
		snprintf(suffix, sizeof suffix, ".rank%d", rank);
	else
		snprintf(suffix, sizeof suffix, ".resume");
	return esc_h5_sibling(out, suffix);
}

/* Rank 0: join the old file (resume) and the shards (named after FINAL)
 * into OUT; the shards are removed once joined. */
static int join(batch *b, const char *final, const char *out, int ranks,
                esc_error *err)
{
	const esc_batch_opts *o = b->o;
	const char **in = calloc((size_t)ranks + 1, sizeof *in);
	char **names = calloc((size_t)ranks, sizeof *names);
	size_t n_in = 0;
	int st = ESC_OK;
	if (!in || !names)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK && b->src)
		in[n_in++] = b->src;
	for (int r = 0; st == ESC_OK && r < ranks; r++) {
		if (!(names[r] = shard_name(final, r, ranks)))
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if (access(names[r], F_OK) == 0)
			in[n_in++] = names[r];
	}
	if (st == ESC_OK && n_in == 0)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "no rank wrote its shard: "
		                   "nothing to join");
	if (st == ESC_OK) {
		esc_h5_merge_opts mo = {
			.inputs = in, .n_inputs = n_in, .out_path = out,
			.partial_suffix = ".joining",
			.rep_offset = o->rep_offset, .reps = o->reps,
			.allow_gaps = 1,
			.command_line = o->resume ? NULL : o->command_line,
			.note_name = o->resume ? "resumed_by" : NULL,
			.note = o->resume ? o->command_line : NULL,
		};
		st = esc_h5_merge(&mo, NULL, err);
	}
	if (st == ESC_OK)
		for (int r = 0; r < ranks; r++)
			if (names[r])
				unlink(names[r]);
	for (int r = 0; names && r < ranks; r++)
		free(names[r]);
	free(names);
	free(in);
	if (st)
		esc_error_prefix(err, "joining the parts into '%s' (they are kept): ", out);
	return st;
}

/* Replications (jobs) in the joined file, from the statistics. */
static int64_t jobs_in_file(const batch *b)
{
	int64_t n = 0;
	for (size_t p = 0; p < b->n_points; p++)
		n += b->group_done[p * b->n_arms];
	return n;
}

/* None of the names the run writes under (FINAL, its .partial, a shard)
 * may be one of its inputs: the scenario or a module it loaded.  Then
 * FINAL and FINAL.partial must be result files or nothing (a --resume
 * source is checked when it is read). */
static int check_outputs(batch *b, esc_scenario *scen, const char *shard,
                         esc_error *err)
{
	const esc_script_source *src;
	size_t n = esc_scenario_sources(scen, &src);
	const char *out[] = { b->final, b->partial, shard };
	for (size_t k = 0; k < sizeof out / sizeof out[0]; k++) {
		for (size_t i = 0; out[k] && i < n; i++) {
			if (!src[i].path || !esc_h5_same_file(out[k], src[i].path))
				continue;
			if (i == 0)
				return esc_error_set(err, ESC_ERR_INPUT, "'%s' is the scenario "
				                     "file: escsim does not write over its "
				                     "inputs (give another -o)", out[k]);
			return esc_error_set(err, ESC_ERR_INPUT, "'%s' is the module '%s' "
			                     "the scenario loads: escsim does not write over "
			                     "its inputs (give another -o)", out[k],
			                     src[i].name ? src[i].name : "?");
		}
	}
	if (!b->o->resume && esc_h5_check_output(b->final, err))
		return err->status;
	if (esc_h5_check_partial(b->partial, err))
		return err->status;
	/* A dead run's .partial with replications in it is replaced by a new
	 * run (as asked): say what --resume would have kept. */
	esc_error e = {0};
	esc_h5_file *old = b->o->resume ? NULL : esc_h5_open(b->partial, &e);
	int64_t rows = 0;
	if (old && esc_h5_n_arms(old) > 0) {
		char path[300];
		snprintf(path, sizeof path, "/arms/%s/runs", esc_h5_arm_name(old, 0));
		if (esc_h5_table_rows(old, path, &rows, &e) == ESC_OK && rows > 0)
			fprintf(stderr, "escsim: warning: replacing '%s', which holds %lld "
			        "replication%s of a run that did not finish (--resume %s "
			        "would have completed it)\n", b->partial, (long long)rows,
			        rows == 1 ? "" : "s", b->final);
	}
	esc_h5_file_close(old);
	return ESC_OK;
}

/* How this process's file ends after the run stopped with ST (see the top
 * of this file, "Where the file goes"). */
static esc_h5_end file_end(const batch *b, int st, int joined)
{
	if (st == ESC_OK)
		return ESC_H5_COMPLETE;
	if (joined || b->back_to_final || (st == ESC_ERR_INTERRUPTED && !b->had_final))
		return ESC_H5_INCOMPLETE;
	return ESC_H5_KEEP_PARTIAL;
}

static void append_msg(esc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append_msg(esc_error *err, const char *fmt, ...)
{
	size_t len = strlen(err->msg);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
	va_end(ap);
}

/* Close this process's file after the run stopped with ST (every group
 * made first); the message then says where the finished replications
 * are.  *WHERE: the file they are in, or NULL.  After a failed write the
 * file is abandoned as it was at its last checkpoint. */
static int finish_file(batch *b, int st, int joined, const char **where,
                       esc_error *err)
{
	esc_error cerr = {0};
	int cst = b->wst;
	if (cst == ESC_OK)
		cst = esc_bt_add_groups(b, b->n_points - 1, &cerr);
	if (cst == ESC_OK)
		cst = esc_bt_checkpoint(b, 1, &cerr);
	esc_h5_end end = cst ? ESC_H5_ABANDON : file_end(b, st, joined);
	if (esc_h5_close(b->out, end, cst ? &(esc_error){0} : &cerr) && cst == ESC_OK)
		cst = cerr.status;
	b->out = NULL;
	*where = end == ESC_H5_KEEP_PARTIAL ? b->partial : b->file;
	if (cst) {
		struct stat sb;
		if (st == ESC_OK || joined) {
			*err = cerr;
			st = cst;
		}
		*where = stat(b->partial, &sb) == 0 && b->saved_jobs > 0 ? b->partial : NULL;
		int full = strstr(err->msg, "No space left") || strstr(err->msg, "File too large");
		if (!joined && *where)
			append_msg(err, "; %lld replications are kept in '%s' as of its "
			           "last checkpoint: %s, then repeat the command with "
			           "--resume %s", (long long)b->saved_jobs, b->partial,
			           full ? "free some space" : "when the cause is fixed",
			           b->final);
		else if (!joined)
			append_msg(err, "; nothing was kept");
	} else if (st != ESC_OK && !joined) {
		esc_error_prefix(err, "%lld finished replications kept in '%s' (marked "
		                 "incomplete%s); ", (long long)jobs_saved(b), *where,
		                 end == ESC_H5_KEEP_PARTIAL && b->had_final ?
		                 ", and the existing file under that name is unchanged" : "");
		if (st == ESC_ERR_INPUT && !b->o->skip_failed)
			append_msg(err, " (to finish the run leaving out replications that "
			           "fail, repeat the command with --resume %s --on-error "
			           "skip)", b->final);
	}
	return st;
}

/* Where rank 0 joins the parts: the file --resume read, or FINAL (its
 * .partial after an error, or an interrupt with FINAL taken). */
static const char *join_target(const batch *b, int64_t worst)
{
	if (b->src)
		return b->src;
	int st = from_severity(worst);
	return file_end(b, st, 0) == ESC_H5_KEEP_PARTIAL ? b->partial : b->final;
}

int esc_batch_run(const esc_batch_opts *o, esc_batch_result *res, esc_error *err)
{
	batch b = { .o = o, .recovered = -1 };
	if (res)
		memset(res, 0, sizeof *res);
	if (o->n_arms == 0 || o->reps < 0 || o->rep_offset < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "need at least one arm and reps, rep offset >= 0");
	if (o->resume && o->out_path && !esc_h5_same_file(o->resume, o->out_path))
		return esc_error_set(err, ESC_ERR_INPUT, "--resume writes back to '%s': "
		                     "leave out -o, or give the same file", o->resume);
	const char *final = o->resume ? o->resume : o->out_path;
	b.final = final;
	if (final && !(b.partial = esc_h5_sibling(final, ".partial")))
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int rank = esc_par_rank(), ranks = esc_par_size();
	int mpi = ranks > 1 && final;   /* ranks agree through collectives */
	b.threads = o->threads < 1 ? 1 : o->threads;
	b.show = !o->quiet && rank == 0 && isatty(STDERR_FILENO) &&
	         !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	b.checkpoint_every = o->flush_every_s > 0 ? o->flush_every_s :
	                     o->flush_every_s < 0 ? 0 : ESC_BATCH_FLUSH_EVERY;
	if (pthread_mutex_init(&b.mu, NULL) || pthread_cond_init(&b.space, NULL)) {
		free(b.partial);
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot set up thread locks");
	}

	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_hup;
	sigemptyset(&sa.sa_mask);
	esc_bt_interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	double t0 = esc_bt_wall_s();
	char *shard = NULL;
	esc_scenario *scen = NULL;
	int complete_already = 0;
	int st = prepare(&b, err);

	/* This process's block of replications: all, or this rank's share. */
	int64_t base = o->reps / ranks, extra = o->reps % ranks;
	b.block_lo = o->rep_offset + rank * base + (rank < extra ? rank : extra);
	b.block_n = base + (rank < extra);
	esc_script_limits lim = { .interrupt = &esc_bt_interrupted };
	if (st == ESC_OK && !(scen = esc_scenario_load(o->scenario_path, NULL, &lim, err)))
		st = err->status;
	for (size_t i = 0; st == ESC_OK && i < o->n_sets; i++)
		st = esc_scenario_set_as(scen, o->sets[i], o->set_labels ? o->set_labels[i] : NULL, err);
	if (st == ESC_OK) {
		const esc_script_source *src;
		size_t n = esc_scenario_sources(scen, &src);
		esc_h5_source *hs = calloc(n ? n : 1, sizeof *hs);
		for (size_t i = 0; hs && i < n; i++)
			hs[i] = (esc_h5_source){ src[i].name, src[i].path, src[i].text };
		if (!hs || !(b.digest = esc_h5_sources_digest(hs, n)))
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		free(hs);
	}
	if (st == ESC_OK && (mpi || o->resume) && !(shard = shard_name(final, rank, ranks)))
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK && final)
		st = check_outputs(&b, scen, shard, err);
	struct stat fst;
	if (st == ESC_OK && final && !o->resume)
		b.had_final = stat(final, &fst) == 0;
	size_t cap = 0;
	if (st == ESC_OK && o->resume)
		st = plan_resume(&b, &cap, &complete_already, err);
	else
		for (size_t p = 0; st == ESC_OK && p < b.n_points; p++)
			st = plan_point(&b, &cap, p, b.block_lo, b.block_lo + b.block_n, NULL, 0, err);
	int joined = mpi || (b.src && !b.inplace);

	if (st == ESC_OK && !complete_already) {
		b.file = joined ? shard : final;
		st = check_arms(&b, scen, err);
		/* Completing FILE in place: it is written as FILE.partial, as any
		 * file being written, and comes back to its name however it ends. */
		if (st == ESC_OK && b.inplace && b.src == b.final) {
			if (rename(b.final, b.partial) < 0)
				st = esc_error_set(err, ESC_ERR_RUNTIME, "--resume: cannot move "
				                   "'%s' to '%s' to complete it: %s", b.final,
				                   b.partial, strerror(errno));
			b.src = b.partial;
			b.back_to_final = st == ESC_OK;
		}
		if (st == ESC_OK && final) {
			st = open_output(&b, scen, err);
			scen = NULL;            /* the writer's now */
		}
	}
	esc_scenario_free(scen);        /* the workers load their own */
	/* Every rank starts, or none does. */
	int started = st == ESC_OK;
	if (mpi) {
		int64_t worst = esc_par_max(severity(st));
		if (worst && st == ESC_OK)
			st = esc_error_set(err, from_severity(worst), "another rank could not "
			                   "start (see its message)");
		started = worst == 0;
	}
	const char *written = NULL;
	if (st != ESC_OK && b.out) {
		if (b.inplace)          /* the user's file, unchanged so far */
			st = finish_file(&b, st, 0, &written, err);
		else
			esc_h5_discard(b.out);
		b.out = NULL;
	}

	if (started && !complete_already) {
		if (rank == 0)
			esc_log(ESC_LOG_INFO, "%s '%s': %zu arm%s x %lld replication%s "
			        "(%lld jobs%s), %d thread%s%s%s%s", o->command ? o->command : "run",
			        o->scenario_path, b.n_arms, b.n_arms == 1 ? "" : "s",
			        (long long)o->reps, o->reps == 1 ? "" : "s",
			        (long long)b.n_jobs, o->sweep ? ", every point" : "",
			        b.threads, b.threads == 1 ? "" : "s", ranks > 1 ? " per rank" : "",
			        final ? " -> " : "", final ? final : "");
		st = esc_bt_run_jobs(&b, err);
		if (b.out && st != ESC_OK && b.jobs_done == 0 &&
		    st != ESC_ERR_INTERRUPTED && !joined && !b.inplace) {
			esc_h5_discard(b.out);         /* nothing finished: write nothing */
			b.out = NULL;
		}
		if (b.out)
			st = finish_file(&b, st, joined, &written, err);
	}

	int64_t done_all = b.jobs_done, want_all = b.n_jobs;
	int have_stats = !joined && !b.inplace;
	if (started && b.inplace && !complete_already && written) {
		esc_error serr = {0};
		have_stats = stats_from_file(&b, written, &serr) == ESC_OK;
	}
	if (started && joined && !complete_already) {
		int64_t worst = severity(st);
		if (mpi) {
			worst = esc_par_max(worst);
			done_all = esc_par_sum(b.jobs_done);
			want_all = esc_par_sum(b.n_jobs);
		}
		if (rank == 0) {
			esc_error jerr = {0};
			const char *target = join_target(&b, worst);
			void *aff = mpi ? esc_par_widen_affinity() : NULL;
			int jst = join(&b, final, target, mpi ? ranks : 1, &jerr);
			esc_par_restore_affinity(aff);
			if (jst) {
				*err = jerr;
				st = jerr.status;
				written = NULL;
			} else {
				esc_error serr = {0};
				have_stats = stats_from_file(&b, target, &serr) == ESC_OK;
				long long kept = (long long)jobs_in_file(&b);
				written = target;
				/* A file completed from its .partial takes the final name. */
				if (!worst && st == ESC_OK && target == b.partial) {
					if (rename(b.partial, b.final) == 0)
						written = b.final;
					else
						st = esc_error_set(err, ESC_ERR_RUNTIME, "cannot rename "
						                   "'%s' to '%s': %s (the results are "
						                   "in '%s')", b.partial, b.final,
						                   strerror(errno), b.partial);
				}
				if (st == ESC_OK && worst) {
					st = from_severity(worst);
					esc_error_set(err, st, "another rank stopped early (see its "
					              "message); %lld of %lld replications kept in "
					              "'%s' (marked incomplete)", kept,
					              (long long)(o->reps * (int64_t)b.n_points), target);
				} else if (st != ESC_OK) {
					esc_error_prefix(err, "%lld of %lld replications kept in '%s' "
					                 "(marked incomplete); ", kept,
					                 (long long)(o->reps * (int64_t)b.n_points), target);
				}
			}
		}
		/* Every rank returns once the file is there (the caller may read
		 * it), with the outcome rank 0 saw. */
		if (mpi) {
			int64_t fin = esc_par_max(severity(st));
			if (rank != 0 && st == ESC_OK && fin)
				st = esc_error_set(err, from_severity(fin), "rank 0 could not "
				                   "complete '%s' (see its message)", final);
		}
	} else if (complete_already) {
		/* A complete .partial (its rename was all that failed) takes the
		 * final name now. */
		if (rank == 0 && b.src == b.partial && rename(b.partial, b.final) == 0)
			b.src = b.final;
		have_stats = stats_from_file(&b, b.src, err) == ESC_OK;
		if (rank == 0)           /* the final line, also with --quiet */
			fprintf(stderr, "escsim: '%s' is complete: nothing to resume\n", b.src);
	}

	/* The final line: nothing with --quiet (which prints only warnings
	 * and errors), and "-> FILE" only for a file this run wrote. */
	if (rank == 0 && started && !complete_already && !o->quiet) {
		double dt = esc_bt_wall_s() - t0;
		char extra[200] = "", how[64];
		size_t len = 0;
		if (o->sweep)
			len += (size_t)snprintf(extra + len, sizeof extra - len,
			                        " at %zu point%s (a replication: every arm "
			                        "at one point)", b.n_points, esc_plural((int64_t)b.n_points));
		if (b.src)
			snprintf(extra + len, sizeof extra - len, " (resumed: %lld were done)",
			         (long long)b.already_done);
		if (mpi)
			snprintf(how, sizeof how, "%d ranks x %d thread%s", ranks, b.threads,
			         esc_plural(b.threads));
		else
			snprintf(how, sizeof how, "%d thread%s", b.threads, esc_plural(b.threads));
		fprintf(stderr, "%sescsim: %lld of %lld replication%s x %zu arm%s%s in %.2f s "
		        "(%.1f replications/s, %s)%s%s\n", b.show ? "\r\033[K" : "",
		        (long long)done_all, (long long)want_all, esc_plural(want_all), b.n_arms,
		        esc_plural((int64_t)b.n_arms), extra, dt,
		        dt > 0 ? (double)done_all / dt : 0.0, how,
		        written ? " -> " : "", written ? written : "");
	}
	if (res && have_stats && (rank == 0 || !joined))
		fill_result(&b, res);
	free(shard);
	free(b.partial);
	teardown(&b);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.space);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	return st;
}

void esc_batch_result_free(esc_batch_result *res)
{
	if (!res)
		return;
	free(res->arm_names);
	free(res->arm);
	free(res->diff);
	memset(res, 0, sizeof *res);
}
