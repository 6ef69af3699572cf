/* pool.c: the worker threads and the writer of a batch (batch_impl.h).
 *
 * Work.  A job is one replication of every arm at one point (a sweep's, or
 * the only one); jobs are numbered point by point, replications in order.
 * With -j T there are T workers: the calling thread and T - 1 more.  Each
 * loads its own scenario (one Lua state per thread), builds every arm of
 * the point at hand with its own models and random streams, and takes job
 * numbers from a shared counter.  A job's rows (runs, and daily, events and
 * messages from the model's sink) go into a slot of a reorder window of W
 * slots: job j uses slot j mod W, and a worker may take job j only once job
 * j - W has been written, so memory is bounded by W jobs whatever the
 * number of replications.
 *
 * Writing (leader/follower).  There is no writer thread: the worker that
 * finishes a job, if no other is writing, takes the writer role and writes
 * every slot that is ready in job order, with the lock released, while the
 * others go on simulating; then it goes back to simulating.  So T threads
 * keep T cores busy, and the writing (staging, HDF5, deflate) is done on
 * them, one thread at a time.  Rows are staged per arm and appended in
 * blocks in job order, so the file is the same whatever the thread count:
 * every row depends only on (seed, replication, arm), never on which worker
 * ran or wrote it.  A job is written whole or not at all; one that failed
 * leaves no row in any table, and the first failure in job order is the
 * error reported.  At a signal, workers stop taking jobs and the
 * replications in hand stop within a fraction of a second (their model and
 * scripts watch the flag, esc_bt_interrupted, which batch.c's handler
 * sets); every job that finished is written.  Arms and the file's groups
 * are arms.c's: the pool calls it, never batch.c.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escsim/log.h"
#include "escsim/model.h"
#include "batch_impl.h"

volatile sig_atomic_t esc_bt_interrupted;

/* ------------------------------------------------------------------ rows */

static int rb_push(rowbuf *b, const void *rows, size_t k, esc_error *err)
{
	if (k == 0)
		return ESC_OK;          /* rows may be NULL: memcpy must not see it */
	if (b->n + k > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
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

void esc_bt_tables_init(tables *t)
{
	memset(t, 0, sizeof *t);
	t->runs.size = sizeof(esc_run_row);
	t->daily.size = sizeof(esc_daily_row);
	t->events.size = sizeof(esc_event_row);
	t->messages.size = sizeof(esc_message_row);
	t->log.size = sizeof(esc_log_row);
}

static void tables_clear(tables *t)
{
	t->runs.n = t->daily.n = t->events.n = t->messages.n = t->log.n = 0;
}

void esc_bt_tables_free(tables *t)
{
	free(t->runs.v);
	free(t->daily.v);
	free(t->events.v);
	free(t->messages.v);
	free(t->log.v);
	esc_bt_tables_init(t);
}

/* --------------------------------------------------------------- workers */

typedef struct warm {
	esc_config cfg;
	esc_policy policy;
	esc_model *model;
	esc_model_sink sink;    /* the worker's, less the tables this arm does not write */
	int built;
} warm;

typedef struct worker {
	batch *b;
	pthread_t th;
	esc_scenario *scen;
	esc_streams *streams;
	warm *arms;
	size_t point;                   /* whose arms are built; SIZE_MAX: none */
	const char **ov;
	esc_model_sink sink;
	tables *cur;                    /* where the sink puts rows */
} worker;

/* The model's sink: rows of the running job, into its slot. */
static int sink_event(void *self, const esc_event_row *row, esc_error *err)
{
	worker *w = self;
	return rb_push(&w->cur->events, row, 1, err);
}

static int sink_message(void *self, const esc_message_row *row, esc_error *err)
{
	worker *w = self;
	return rb_push(&w->cur->messages, row, 1, err);
}

static int sink_log(void *self, const esc_log_row *row, esc_error *err)
{
	worker *w = self;
	return rb_push(&w->cur->log, row, 1, err);
}

static int sink_daily(void *self, const esc_daily_row *rows, size_t n,
                      esc_error *err)
{
	worker *w = self;
	return rb_push(&w->cur->daily, rows, n, err);
}

static void worker_drop_arms(worker *w)
{
	for (size_t a = 0; w->arms && a < w->b->n_arms; a++) {
		warm *x = &w->arms[a];
		if (!x->built)
			continue;
		esc_model_free(x->model);
		esc_scenario_release(w->scen, &x->policy);
		esc_config_free(&x->cfg);
		memset(x, 0, sizeof *x);
	}
	w->point = SIZE_MAX;
}

static int worker_point(worker *w, size_t p, esc_error *err)
{
	if (w->point == p)
		return ESC_OK;
	batch *b = w->b;
	worker_drop_arms(w);
	for (size_t a = 0; a < b->n_arms; a++) {
		warm *x = &w->arms[a];
		if (esc_bt_build_arm(b, w->scen, p, a, w->ov, &x->cfg, &x->policy, err))
			return err->status;
		x->built = 1;
		if (!(x->model = esc_model_new(&x->cfg, err)))
			return esc_error_prefix(err, "arm '%s': ",
			                        b->group_names[p * b->n_arms + a]);
		esc_model_set_interrupt(x->model, &esc_bt_interrupted);
		/* Without a file the rows have nowhere to go; without --events
		 * or the arm's outputs.events the model is not asked for events
		 * and messages at all, nor for daily rows with outputs.daily
		 * false. */
		if (b->o->out_path) {
			x->sink = w->sink;
			if (!x->cfg.outputs.daily)
				x->sink.daily = NULL;
			if (x->cfg.outputs.events)
				x->sink.event = sink_event, x->sink.message = sink_message;
			esc_model_set_sink(x->model, &x->sink);
		}
	}
	w->point = p;
	return ESC_OK;
}

static int worker_setup(worker *w, esc_error *err)
{
	batch *b = w->b;
	const esc_batch_opts *o = b->o;
	w->point = SIZE_MAX;
	w->arms = calloc(b->n_arms, sizeof *w->arms);
	w->ov = calloc(b->max_ov + 1, sizeof *w->ov);
	w->streams = esc_streams_new(NULL);
	if (!w->arms || !w->ov || !w->streams)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	w->sink = (esc_model_sink){
		.self = w,
		.event = o->events ? sink_event : NULL,
		.message = o->events ? sink_message : NULL,
		.daily = sink_daily,
		.log = sink_log,
	};
	esc_script_limits lim = { .interrupt = &esc_bt_interrupted };
	if (!(w->scen = esc_scenario_load(o->scenario_path, NULL, &lim, err)))
		return err->status;
	for (size_t i = 0; i < o->n_sets; i++)
		if (esc_scenario_set_as(w->scen, o->sets[i], o->set_labels ? o->set_labels[i] : NULL, err))
			return err->status;
	return ESC_OK;
}

static void worker_teardown(worker *w)
{
	if (w->scen)
		worker_drop_arms(w);
	free(w->arms);
	free(w->ov);
	esc_streams_free(w->streams);
	esc_scenario_free(w->scen);
	w->arms = NULL;
	w->ov = NULL;
	w->streams = NULL;
	w->scen = NULL;
}

/* Run every arm of the slot's job. */
static int run_job(worker *w, slot *s)
{
	batch *b = w->b;
	esc_error *err = &s->err;
	for (size_t a = 0; a < b->n_arms; a++)
		tables_clear(&s->arm[a]);
	if (worker_point(w, s->point, err))
		return err->status;
	for (size_t a = 0; a < b->n_arms; a++) {
		warm *x = &w->arms[a];
		esc_run_row row;
		w->cur = &s->arm[a];
		if (esc_model_run(x->model, &x->policy, w->streams, b->o->seed,
		                  (uint64_t)s->rep, &row, err))
			return esc_error_prefix(err, "arm '%s', ",
			                        b->group_names[s->point * b->n_arms + a]);
		if (rb_push(&s->arm[a].runs, &row, 1, err))
			return err->status;
	}
	return ESC_OK;
}

static const span *span_of(const batch *b, int64_t job)
{
	size_t lo = 0, hi = b->n_spans;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (b->spans[mid].first_job <= job)
			lo = mid;
		else
			hi = mid;
	}
	return &b->spans[lo];
}

/* ---------------------------------------------------------------- writer */

static int flush_arm(batch *b, size_t a, esc_error *err)
{
	tables *t = &b->stage[a];
	int g = b->out ? b->h5_group[b->stage_point * b->n_arms + a] : -1;
	if (b->out) {
		if ((t->runs.n && esc_h5_append_runs(b->out, g, (const esc_run_row *)t->runs.v,
		                                     t->runs.n, err)) ||
		    (t->daily.n && esc_h5_append_daily(b->out, g, (const esc_daily_row *)t->daily.v,
		                                       t->daily.n, err)) ||
		    (t->events.n && esc_h5_append_events(b->out, g, (const esc_event_row *)t->events.v,
		                                         t->events.n, err)) ||
		    (t->messages.n && esc_h5_append_messages(b->out, g,
		                                             (const esc_message_row *)t->messages.v,
		                                             t->messages.n, err)) ||
		    (t->log.n && esc_h5_append_log(b->out, g, (const esc_log_row *)t->log.v,
		                                   t->log.n, err)))
			return err->status;
	}
	tables_clear(t);
	return ESC_OK;
}

static int flush_stage(batch *b, esc_error *err)
{
	for (size_t a = 0; a < b->n_arms; a++)
		if (flush_arm(b, a, err))
			return err->status;
	return ESC_OK;
}

/* Every --flush-every seconds, at the end of a job: its rows and every
 * earlier job's go into the tables, and the file is checkpointed, so that a
 * process killed from now on loses only later jobs.  With an fsync too (a
 * power cut), unless checkpoints come more often than every second: two
 * fsyncs each would then cost more than the replications (docs/
 * performance.md). */
static int maybe_checkpoint(batch *b, esc_error *err)
{
	if (!b->out || esc_bt_wall_s() - b->last_checkpoint < b->checkpoint_every)
		return ESC_OK;
	if (flush_stage(b, err))
		return err->status;
	return esc_bt_checkpoint(b, b->checkpoint_every >= 1.0, err);
}

static int write_job(batch *b, slot *s, esc_error *err)
{
	if (s->point != b->stage_point) {
		/* Point by point: the previous point's rows are all in; closing
		 * its tables keeps a sweep's memory flat in the points too.  A
		 * checkpoint first: closing them then writes nothing. */
		if (flush_stage(b, err) || esc_bt_checkpoint(b, 0, err))
			return err->status;
		for (size_t a = 0; b->out && a < b->n_arms; a++)
			if (esc_h5_arm_done(b->out, b->h5_group[b->stage_point * b->n_arms + a], err))
				return err->status;
		if (b->out && esc_bt_add_groups(b, s->point, err))
			return err->status;
		b->stage_point = s->point;
	}
	for (size_t a = 0; a < b->n_arms; a++) {
		tables *src = &s->arm[a], *dst = &b->stage[a];
		if (rb_push(&dst->runs, src->runs.v, src->runs.n, err) ||
		    rb_push(&dst->daily, src->daily.v, src->daily.n, err) ||
		    rb_push(&dst->events, src->events.v, src->events.n, err) ||
		    rb_push(&dst->messages, src->messages.v, src->messages.n, err) ||
		    rb_push(&dst->log, src->log.v, src->log.n, err))
			return err->status;
		if ((dst->runs.n >= RUNS_BLOCK || dst->daily.n >= ROWS_BLOCK ||
		     dst->events.n >= ROWS_BLOCK || dst->messages.n >= ROWS_BLOCK ||
		     dst->log.n >= ROWS_BLOCK) &&
		    flush_arm(b, a, err))
			return err->status;
	}
	b->jobs_done++;
	if (esc_log_enabled(ESC_LOG_DEBUG))
		esc_log(ESC_LOG_DEBUG, "replication %lld (point %lld) written: %lld of %lld",
		        (long long)s->rep, (long long)s->point,
		        (long long)b->jobs_done, (long long)b->n_jobs);
	return maybe_checkpoint(b, err);
}

/* --on-error skip: the failed job's rows were never kept; say so, record it
 * in /failures, and go on. */
static int skip_job(batch *b, const slot *s, esc_error *err)
{
	b->jobs_failed++;
	esc_log(ESC_LOG_WARN, "skipped: %s", s->err.msg);
	if (!b->out)
		return ESC_OK;
	esc_failure_row row = { .rep = s->rep, .point = (int32_t)s->point };
	size_t n = strnlen(s->err.msg, sizeof row.message - 1);   /* a long message is cut */
	memcpy(row.message, s->err.msg, n);
	row.message[n] = '\0';
	if (esc_h5_append_failure(b->out, &row, err))
		return err->status;
	return maybe_checkpoint(b, err);
}

static void fmt_duration(double s, char *buf, size_t size)
{
	if (!(s < 1e9))
		snprintf(buf, size, "?");
	else if (s < 100)
		snprintf(buf, size, "%.0f s", s);
	else if (s < 3600)
		snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, size, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* Progress: on a terminal, a live line redrawn at most ten times a second;
 * otherwise (a cluster's log file), a line every progress_every_s seconds,
 * as the spec asks.  Neither with -q. */
static void show_progress(batch *b)
{
	double now = esc_bt_wall_s(), every = b->o->progress_every_s;
	int live = b->show && now - b->last_shown >= 0.1;
	int logged = !b->show && !b->o->quiet && every > 0 && esc_batch_rank() == 0 &&
	             now - b->last_logged >= every && b->jobs_done < b->n_jobs;
	if (!live && !logged)
		return;
	double dt = now - b->t0;
	double rate = dt > 0 ? (double)b->jobs_done / dt : 0;
	char eta[32];
	fmt_duration(rate > 0 ? (double)(b->n_jobs - b->jobs_done) / rate : NAN, eta, sizeof eta);
	if (logged) {
		b->last_logged = now;
		fprintf(stderr, "escsim: progress: %lld/%lld replications (%.1f%%), "
		        "%.3g/s, %s left%s\n", (long long)b->jobs_done,
		        (long long)b->n_jobs, b->n_jobs ? 100.0 * (double)b->jobs_done /
		        (double)b->n_jobs : 100.0, rate, eta,
		        esc_bt_interrupted ? " (interrupted: finishing the "
		        "replications in hand)" : "");
		return;
	}
	b->last_shown = now;
	fprintf(stderr, "\r\033[K%lld/%lld replications  %.1f/s  %s left",
	        (long long)b->jobs_done, (long long)b->n_jobs, rate, eta);
	if (esc_bt_interrupted)
		fprintf(stderr, "  (interrupted: stopping)");
	fflush(stderr);
	esc_log_live(1);
}

/* Called with b->mu held and no thread writing: take the writer role and
 * write every slot that is ready in job order, then give the role up.  The
 * lock is released while rows go to the file, so the other workers go on
 * simulating (and finishing jobs) meanwhile; a job that finishes while the
 * role is taken is left to the writer, which checks for it before giving
 * the role up.  Hence the invariant that makes this enough: whenever no
 * thread holds the role, the slot of job b->written is not finished. */
static void write_ready(batch *b)
{
	b->writing = 1;
	for (;;) {
		slot *s = &b->slots[b->written % (int64_t)b->window];
		if (!(b->written < b->next_job && s->job == b->written &&
		      (s->state == S_DONE || s->state == S_FAILED)))
			break;
		pthread_mutex_unlock(&b->mu);
		if (s->state == S_FAILED && s->err.status == ESC_ERR_INTERRUPTED)
			;       /* stopped by a signal: not run, as far as the file goes */
		else if (s->state == S_DONE && b->wst == ESC_OK)
			b->wst = write_job(b, s, &b->werr);
		else if (s->state == S_FAILED && b->o->skip_failed && b->wst == ESC_OK)
			b->wst = skip_job(b, s, &b->werr);
		else if (s->state == S_FAILED && b->failed_job < 0) {
			b->failed_job = s->job;
			b->ferr = s->err;
		}
		show_progress(b);
		pthread_mutex_lock(&b->mu);
		s->state = S_FREE;
		b->written++;
		if (b->wst)
			b->stop = 1;
		pthread_cond_broadcast(&b->space);
	}
	b->writing = 0;
}

/* A worker's loop: take the next job while the window has room, run it, and
 * write what is ready in order if no other thread is writing.  The calling
 * thread is worker 0, so -j N is N threads on N cores, with no thread that
 * only writes. */
static void worker_loop(worker *w)
{
	batch *b = w->b;
	esc_error err = {0};
	pthread_mutex_lock(&b->mu);
	int go = !b->stop;
	pthread_mutex_unlock(&b->mu);
	if (go && worker_setup(w, &err)) {
		pthread_mutex_lock(&b->mu);
		if (!b->worker_failed) {
			b->worker_failed = 1;
			b->worker_err = err;
		}
		b->stop = 1;
		pthread_cond_broadcast(&b->space);
		pthread_mutex_unlock(&b->mu);
	}
	for (;;) {
		pthread_mutex_lock(&b->mu);
		/* The window is full: job b->written is running (its worker will
		 * write it and wake us) or being written (likewise). */
		while (!b->stop && !esc_bt_interrupted && b->next_job < b->n_jobs &&
		       b->next_job >= b->written + (int64_t)b->window)
			pthread_cond_wait(&b->space, &b->mu);
		if (b->stop || esc_bt_interrupted || b->next_job >= b->n_jobs) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		int64_t j = b->next_job++;
		slot *s = &b->slots[j % (int64_t)b->window];
		const span *sp = span_of(b, j);
		s->state = S_RUNNING;
		s->job = j;
		s->point = sp->point;
		s->rep = sp->rep + (j - sp->first_job);
		pthread_mutex_unlock(&b->mu);

		esc_error_clear(&s->err);
		int st = run_job(w, s);

		pthread_mutex_lock(&b->mu);
		s->state = st ? S_FAILED : S_DONE;
		if (st && !b->o->skip_failed) {
			b->stop = 1;            /* the writer reports the first failure */
			pthread_cond_broadcast(&b->space);
		}
		if (!b->writing)
			write_ready(b);
		pthread_mutex_unlock(&b->mu);
	}
	worker_teardown(w);
}

static void *worker_main(void *arg)
{
	worker_loop(arg);
	return NULL;
}

int esc_bt_run_jobs(batch *b, esc_error *err)
{
	int64_t want = b->n_jobs;
	int t = b->threads < 1 ? 1 : b->threads;
	if (t > want)
		t = want > 0 ? (int)want : 0;
	b->window = (size_t)(t > 0 ? 8 * t : 1);
	if (b->window < 8)
		b->window = 8;
	b->slots = calloc(b->window, sizeof *b->slots);
	worker *ws = calloc(t ? (size_t)t : 1, sizeof *ws);
	if (!b->slots || !ws) {
		free(ws);
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	}
	for (size_t i = 0; i < b->window; i++) {
		b->slots[i].job = -1;
		if (!(b->slots[i].arm = calloc(b->n_arms, sizeof(tables)))) {
			free(ws);
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
		for (size_t a = 0; a < b->n_arms; a++)
			esc_bt_tables_init(&b->slots[i].arm[a]);
	}
	b->wst = ESC_OK;
	b->failed_job = -1;
	esc_error_clear(&b->werr);
	esc_error_clear(&b->ferr);
	b->t0 = b->last_shown = b->last_logged = esc_bt_wall_s();
	b->last_shown -= 1;
	int started = 0;                /* threads besides this one */
	for (int i = 1; i < t; i++) {
		ws[i].b = b;
		int e = pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
		if (e != 0) {           /* fewer threads: the same file, slower */
			esc_log(ESC_LOG_WARN, "%d of %d threads started (%s)", i, t,
			        strerror(e));
			break;
		}
		started++;
	}
	if (t > 0) {
		ws[0].b = b;
		worker_loop(&ws[0]);
	}
	for (int i = 1; i <= started; i++)
		pthread_join(ws[i].th, NULL);
	free(ws);
	/* Every worker has stopped, so by the invariant of write_ready nothing
	 * is left to write; this is a safety net, not a step. */
	pthread_mutex_lock(&b->mu);
	if (!b->writing)
		write_ready(b);
	pthread_mutex_unlock(&b->mu);

	/* Whatever happened, keep every row that finished. */
	if (b->wst == ESC_OK)
		b->wst = flush_stage(b, &b->werr);
	if (b->show) {
		fprintf(stderr, "\r\033[K");
		esc_log_live(0);
	}
	if (b->wst) {
		*err = b->werr;
		return b->wst;
	}
	if (b->failed_job >= 0) {
		*err = b->ferr;
		return b->ferr.status ? b->ferr.status : ESC_ERR_RUNTIME;
	}
	if (b->worker_failed) {
		*err = b->worker_err;
		return err->status ? err->status : ESC_ERR_RUNTIME;
	}
	if (b->jobs_done + b->jobs_failed < want)
		return esc_error_set(err, ESC_ERR_INTERRUPTED, "interrupted by signal %d "
		                     "after %lld of %lld replications",
		                     (int)esc_bt_interrupted, (long long)b->jobs_done,
		                     (long long)want);
	return ESC_OK;
}

void esc_bt_free_slots(batch *b)
{
	for (size_t i = 0; b->slots && i < b->window; i++) {
		for (size_t a = 0; b->slots[i].arm && a < b->n_arms; a++)
			esc_bt_tables_free(&b->slots[i].arm[a]);
		free(b->slots[i].arm);
	}
	free(b->slots);
	b->slots = NULL;
}
