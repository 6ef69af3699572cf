/* batch.c: one experiment: arms x replications on common random numbers
 * (escsim/batch.h).  Owns the order of work, progress, signals, and the
 * promise that a finished replication is never lost.
 *
 * Rows reach the file in blocks.  runs rows are added once a replication
 * has finished.  daily and events rows arrive through the model's sink while
 * a replication runs, so each arm buffers them with a mark: rows before it
 * belong to finished replications (committed), rows after it to the one
 * running.  A replication that succeeds moves the mark to the end; one that
 * fails drops what is after it.  Only committed rows are ever written, so a
 * file never holds daily or events rows of a replication whose runs row is
 * missing.  The buffer is written when it holds a block's worth of committed
 * rows, and on every exit (done, error, interrupt). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rstat.h>

#include "escsim/batch.h"
#include "escsim/h5out.h"
#include "escsim/model.h"
#include "escsim/scenario.h"

#define ROW_BLOCK 256
#define DAILY_BLOCK 4096      /* rows: about 11 replications of a year */
#define EVENT_BLOCK 4096      /* rows: about 320 KiB, a chunk and a bit */

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

static esc_estimate estimate(gsl_rstat_workspace *w)
{
	esc_estimate e = { NAN, NAN, NAN, (int64_t)gsl_rstat_n(w) };
	if (e.n == 0)
		return e;
	e.mean = gsl_rstat_mean(w);
	if (e.n < 2)
		return e;
	double h = gsl_cdf_tdist_Pinv(0.975, (double)(e.n - 1)) * gsl_rstat_sd_mean(w);
	e.lo = e.mean - h;
	e.hi = e.mean + h;
	return e;
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { interrupted = sig; }

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Rows of one table waiting for the file: [0, done) are committed (their
 * replications finished), [done, n) belong to the running replication. */
typedef struct rowbuf {
	unsigned char *v;
	size_t n, done, cap;
	size_t size;                    /* bytes per row */
} rowbuf;

static int rb_push(rowbuf *b, const void *rows, size_t k, esc_error *err)
{
	if (b->n + k > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + k)
			cap *= 2;
		unsigned char *v = realloc(b->v, cap * b->size);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory "
			                     "buffering %zu rows for the results file",
			                     b->n + k);
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n * b->size, rows, k * b->size);
	b->n += k;
	return ESC_OK;
}

static void rb_commit(rowbuf *b) { b->done = b->n; }
static void rb_rollback(rowbuf *b) { b->n = b->done; }

/* Forget the committed rows (they are in the file); keep the rest. */
static void rb_drop_done(rowbuf *b)
{
	if (b->done && b->n > b->done)
		memmove(b->v, b->v + b->done * b->size, (b->n - b->done) * b->size);
	b->n -= b->done;
	b->done = 0;
}

typedef struct arm_state {
	esc_config cfg;
	esc_policy policy;
	esc_model *model;
	int h5_arm;
	esc_run_row rows[ROW_BLOCK];
	size_t n_rows;
	rowbuf daily, events, messages;  /* messages: like events, with --events */
	esc_model_sink sink;
	gsl_rstat_workspace *stat[ESC_BATCH_METRICS], *diff[ESC_BATCH_METRICS];
	char *json;
} arm_state;

typedef struct batch {
	const esc_batch_opts *opts;
	esc_scenario *scen;
	arm_state *arms;
	size_t n_arms, baseline;
	esc_h5_writer *out;
	esc_streams *streams;
	int64_t reps_done;
} batch;

static int flush_rows(batch *b, arm_state *a, esc_error *err)
{
	if (b->out && a->n_rows &&
	    esc_h5_append_runs(b->out, a->h5_arm, a->rows, a->n_rows, err))
		return err->status;
	a->n_rows = 0;
	return ESC_OK;
}

/* Write the committed daily and events rows; what the running replication
 * added stays.  On failure the rows stay too (the writer keeps its table
 * as it was), so nothing is written twice. */
static int flush_tables(batch *b, arm_state *a, esc_error *err)
{
	rowbuf *d = &a->daily, *e = &a->events;
	if (b->out && d->done &&
	    esc_h5_append_daily(b->out, a->h5_arm, (const esc_daily_row *)d->v,
	                        d->done, err))
		return err->status;
	rb_drop_done(d);
	if (b->out && e->done &&
	    esc_h5_append_events(b->out, a->h5_arm, (const esc_event_row *)e->v,
	                         e->done, err))
		return err->status;
	rb_drop_done(e);
	rowbuf *m = &a->messages;
	if (b->out && m->done &&
	    esc_h5_append_messages(b->out, a->h5_arm,
	                           (const esc_message_row *)m->v, m->done, err))
		return err->status;
	rb_drop_done(m);
	return ESC_OK;
}

/* The model's sink: rows of the running replication, buffered until it
 * finishes (see the top of the file). */
static int sink_event(void *self, const esc_event_row *row, esc_error *err)
{
	arm_state *a = self;
	return rb_push(&a->events, row, 1, err);
}

static int sink_message(void *self, const esc_message_row *row, esc_error *err)
{
	arm_state *a = self;
	return rb_push(&a->messages, row, 1, err);
}

static int sink_daily(void *self, const esc_daily_row *rows, size_t n,
                      esc_error *err)
{
	arm_state *a = self;
	return rb_push(&a->daily, rows, n, err);
}

/* The replication that just ran in arm A finished (ok) or failed. */
static int end_replication(batch *b, arm_state *a, int ok, esc_error *err)
{
	if (!ok) {
		rb_rollback(&a->daily);
		rb_rollback(&a->events);
		rb_rollback(&a->messages);
		return ESC_OK;
	}
	rb_commit(&a->daily);
	rb_commit(&a->events);
	rb_commit(&a->messages);
	if (a->daily.done >= DAILY_BLOCK || a->events.done >= EVENT_BLOCK ||
	    a->messages.done >= EVENT_BLOCK)
		return flush_tables(b, a, err);
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

static void progress(const batch *b, double t0, int final)
{
	const esc_batch_opts *o = b->opts;
	double dt = wall_s() - t0;
	double rate = dt > 0 ? (double)b->reps_done / dt : 0;
	if (final) {
		fprintf(stderr, "%sescsim: %lld of %lld replications x %zu arms in %.2f s (%.1f replications/s)%s%s\n",
		        isatty(STDERR_FILENO) && !o->quiet ? "\r\033[K" : "",
		        (long long)b->reps_done, (long long)o->reps, b->n_arms, dt, rate,
		        o->out_path ? " -> " : "", o->out_path ? o->out_path : "");
		return;
	}
	double eta = rate > 0 ? (double)(o->reps - b->reps_done) / rate : 0;
	fprintf(stderr, "\r\033[K%lld/%lld replications  %.1f/s  ETA %.0f s",
	        (long long)b->reps_done, (long long)o->reps, rate, eta);
}

static int setup(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->opts;
	b->scen = esc_scenario_load(o->scenario_path, NULL, NULL, err);
	if (!b->scen)
		return err->status;
	for (size_t i = 0; i < o->n_sets; i++)
		if (esc_scenario_set(b->scen, o->sets[i], err))
			return err->status;
	b->n_arms = o->n_arms;
	b->arms = calloc(o->n_arms, sizeof *b->arms);
	b->streams = esc_streams_new(NULL);
	if (!b->arms || !b->streams)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	b->baseline = 0;
	for (size_t i = 0; i < o->n_arms; i++) {
		arm_state *a = &b->arms[i];
		const esc_arm_spec *s = &o->arms[i];
		if (esc_h5_check_arm_name(s->name, err))
			return err->status;
		if (strcmp(s->name, "no_cell") == 0)
			b->baseline = i;
		if (esc_scenario_arm(b->scen, s->overrides, s->n_overrides, &a->cfg, &a->policy, err))
			return esc_error_prefix(err, "arm '%s': ", s->name);
		if (!(a->model = esc_model_new(&a->cfg, err)))
			return esc_error_prefix(err, "arm '%s': ", s->name);
		if (!(a->json = esc_config_to_json(&a->cfg)))
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		a->daily.size = sizeof(esc_daily_row);
		a->events.size = sizeof(esc_event_row);
		a->messages.size = sizeof(esc_message_row);
		/* Without a file there is nowhere for the rows to go; without
		 * --events the model is not asked for them at all. */
		if (o->out_path) {
			a->sink = (esc_model_sink){
				.self = a,
				.event = o->events ? sink_event : NULL,
				.message = o->events ? sink_message : NULL,
				.daily = sink_daily,
			};
			esc_model_set_sink(a->model, &a->sink);
		}
		for (int k = 0; k < ESC_BATCH_METRICS; k++) {
			a->stat[k] = gsl_rstat_alloc();
			a->diff[k] = gsl_rstat_alloc();
			if (!a->stat[k] || !a->diff[k])
				return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
	}
	return ESC_OK;
}

static char *join_overrides(const esc_arm_spec *s)
{
	size_t len = 1;
	for (size_t i = 0; i < s->n_overrides; i++)
		len += strlen(s->overrides[i]) + 1;
	char *t = malloc(len);
	if (!t)
		return NULL;
	t[0] = '\0';
	for (size_t i = 0; i < s->n_overrides; i++) {
		if (i)
			strcat(t, ",");
		strcat(t, s->overrides[i]);
	}
	return t;
}

static int open_output(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->opts;
	const esc_script_source *src;
	size_t n = esc_scenario_sources(b->scen, &src);
	esc_h5_source *hs = calloc(n ? n : 1, sizeof *hs);
	if (!hs)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	for (size_t i = 0; i < n; i++)
		hs[i] = (esc_h5_source){ src[i].name, src[i].path, src[i].text };
	/* The base scenario with --set applied, before any arm's overrides. */
	esc_config base;
	esc_policy unused;
	char *json = NULL;
	int st = esc_scenario_arm(b->scen, NULL, 0, &base, &unused, err);
	if (st == ESC_OK) {
		json = esc_config_to_json(&base);
		esc_config_free(&base);
	}
	if (st == ESC_OK && !json)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	if (st == ESC_OK) {
		esc_h5_provenance prov = {
			.escsim_version = ESCSIM_VERSION, .command_line = o->command_line,
			.scenario_name = esc_scenario_name(b->scen), .seed = o->seed,
			.reps = o->reps, .sources = hs, .n_sources = n, .resolved_json = json,
			.lua_version = esc_scenario_lua_version(),
			.rng_type = esc_rng_xoshiro256pp->name,
		};
		b->out = esc_h5_create(o->out_path, &prov, err);
		if (!b->out)
			st = err->status;
	}
	for (size_t i = 0; st == ESC_OK && i < b->n_arms; i++) {
		char *ov = join_overrides(&o->arms[i]);
		esc_h5_labels labels;
		const char **names = NULL;
		if (!ov)
			st = esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		else if ((st = arm_labels(&b->arms[i].cfg, &labels, &names, err)) == ESC_OK)
			st = esc_h5_add_arm(b->out, o->arms[i].name, ov, b->arms[i].json,
			                    &labels, o->events, &b->arms[i].h5_arm, err);
		free(names);
		free(ov);
	}
	free(json);
	free(hs);
	return st;
}

static int run_reps(batch *b, esc_error *err)
{
	const esc_batch_opts *o = b->opts;
	int show = !o->quiet && isatty(STDERR_FILENO);
	double t0 = wall_s(), last = t0;
	double m[ESC_BATCH_METRICS], base[ESC_BATCH_METRICS];
	esc_run_row *cur = calloc(b->n_arms, sizeof *cur);
	if (!cur)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	int st = ESC_OK;
	for (int64_t i = 0; i < o->reps && st == ESC_OK; i++) {
		if (interrupted) {
			st = esc_error_set(err, ESC_ERR_INTERRUPTED, "interrupted by signal %d after %lld replications",
			                   (int)interrupted, (long long)b->reps_done);
			break;
		}
		uint64_t rep = (uint64_t)(o->rep_offset + i);
		for (size_t k = 0; k < b->n_arms && st == ESC_OK; k++) {
			arm_state *a = &b->arms[k];
			st = esc_model_run(a->model, &a->policy, b->streams, o->seed, rep, &cur[k], err);
			if (st) {
				end_replication(b, a, 0, NULL);   /* its rows are dropped */
				esc_error_prefix(err, "arm '%s', ", o->arms[k].name);
				break;
			}
			a->rows[a->n_rows++] = cur[k];
			st = end_replication(b, a, 1, err);
			if (st == ESC_OK && a->n_rows == ROW_BLOCK)
				st = flush_rows(b, a, err);
		}
		if (st)
			break;
		metrics(&cur[b->baseline], base);
		for (size_t k = 0; k < b->n_arms; k++) {
			metrics(&cur[k], m);
			for (int j = 0; j < ESC_BATCH_METRICS; j++) {
				gsl_rstat_add(m[j], b->arms[k].stat[j]);
				gsl_rstat_add(m[j] - base[j], b->arms[k].diff[j]);
			}
		}
		b->reps_done++;
		double now = wall_s();
		if (show && now - last > 0.1) {
			progress(b, t0, 0);
			last = now;
		}
	}
	free(cur);
	/* Whatever happened, keep every row that finished. */
	esc_error ferr = {0};
	for (size_t k = 0; k < b->n_arms; k++) {
		if (flush_rows(b, &b->arms[k], &ferr) && st == ESC_OK) {
			*err = ferr;
			st = ferr.status;
		}
		if (flush_tables(b, &b->arms[k], &ferr) && st == ESC_OK) {
			*err = ferr;
			st = ferr.status;
		}
	}
	progress(b, t0, 1);
	return st;
}

static void fill_result(const batch *b, esc_batch_result *res)
{
	res->n_arms = b->n_arms;
	res->baseline = b->baseline;
	res->reps_done = b->reps_done;
	res->arm_names = calloc(b->n_arms ? b->n_arms : 1, sizeof *res->arm_names);
	res->arm = calloc(b->n_arms ? b->n_arms : 1, sizeof *res->arm);
	res->diff = calloc(b->n_arms ? b->n_arms : 1, sizeof *res->diff);
	if (!res->arm_names || !res->arm || !res->diff || !b->arms) {
		res->n_arms = 0;
		return;
	}
	for (size_t k = 0; k < b->n_arms; k++) {
		snprintf(res->arm_names[k], sizeof res->arm_names[k], "%s", b->opts->arms[k].name);
		for (int j = 0; j < ESC_BATCH_METRICS; j++) {
			if (!b->arms[k].stat[j])
				continue;
			res->arm[k][j] = estimate(b->arms[k].stat[j]);
			res->diff[k][j] = estimate(b->arms[k].diff[j]);
		}
	}
}

static void teardown(batch *b)
{
	for (size_t k = 0; b->arms && k < b->n_arms; k++) {
		arm_state *a = &b->arms[k];
		esc_model_free(a->model);
		esc_config_free(&a->cfg);
		free(a->json);
		free(a->daily.v);
		free(a->events.v);
		free(a->messages.v);
		for (int j = 0; j < ESC_BATCH_METRICS; j++) {
			if (a->stat[j]) gsl_rstat_free(a->stat[j]);
			if (a->diff[j]) gsl_rstat_free(a->diff[j]);
		}
	}
	free(b->arms);
	esc_streams_free(b->streams);
	esc_scenario_free(b->scen);
}

int esc_batch_run(const esc_batch_opts *opts, esc_batch_result *res, esc_error *err)
{
	batch b = { .opts = opts };
	if (res)
		memset(res, 0, sizeof *res);
	if (opts->n_arms == 0 || opts->reps < 0 || opts->rep_offset < 0)
		return esc_error_set(err, ESC_ERR_INPUT, "need at least one arm and reps, rep offset >= 0");

	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	int st = setup(&b, err);
	if (st == ESC_OK && opts->out_path)
		st = open_output(&b, err);
	if (st == ESC_OK) {
		st = run_reps(&b, err);
		if (b.out) {
			esc_error cerr = {0};
			if (st != ESC_OK && b.reps_done == 0 && st != ESC_ERR_INTERRUPTED) {
				esc_h5_discard(b.out);     /* nothing finished: write nothing */
			} else if (esc_h5_close(b.out, st == ESC_OK, &cerr)) {
				if (st == ESC_OK) {
					*err = cerr;
					st = cerr.status;
				}
			} else if (st != ESC_OK) {
				esc_error_prefix(err, "%lld finished replications kept in '%s' (marked incomplete); ",
				                 (long long)b.reps_done, opts->out_path);
			}
			b.out = NULL;
		}
	} else if (b.out) {
		esc_h5_discard(b.out);
	}
	if (res)
		fill_result(&b, res);
	teardown(&b);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
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
