/* bench_kernel.c: the discrete-event kernel alone (issue #10, target 1).
 *
 *   mm1      an M/M/1 queue written against the kernel's API, as
 *            tests/validation/test_mm1.c is: arrivals and departures are
 *            esc_event_queue events, the queue a FIFO of arrival times, draws from
 *            gsl_ran_exponential on a gsl_rng (lambda 0.9, mu 1, 10^6
 *            customers per run).  Variants: our default generator
 *            (xoshiro256++, a gsl_rng_type), GSL's taus2, and the kernel's
 *            own exponential (esc_dist_sample).
 *   ref      the field's yardstick: a minimal hand-written binary-heap
 *            M/M/1 loop with gsl_ran_exponential on GSL's taus2, no kernel
 *            at all, run here so the comparison is on this machine;
 *            ref_xoshiro the same on xoshiro256++.
 *   mm1_pre, ref_pre  diagnostics: mm1 and ref with the same
 *            gsl_ran_exponential draws made before the timed run, so they
 *            time the event handling alone.
 *   hold     the classic hold model: K pending timed callbacks, each of
 *            which reschedules itself Exp(1) hours later (the draw is
 *            esc_dist_sample, the kernel's exponential; a _gsl variant
 *            draws with gsl_ran_exponential).  K = 1, 1000, 100000.
 *
 * Time: the median of RUNS runs of each measured loop (each run after a
 * warm-up), in ns per customer or per event; the note gives the fastest
 * run, the one least disturbed by other processes on a shared machine.  With --callgrind the program
 * runs each measured loop once with fewer events and prints the event
 * count, for tests/bench/callgrind.sh, which counts instructions with
 * valgrind --tool=callgrind --toggle-collect='measure_*'.
 *
 * Usage: bench_kernel [--callgrind] [--only NAME]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "escsim/dist.h"
#include "escsim/event_queue.h"
#include "escsim/rng.h"
#include "bench.h"

#define RUNS 7

static int callgrind_mode;

/* ---- M/M/1 on the kernel ------------------------------------------------ */

/* Written as a user of the kernel would write it: a queue with its two
 * streams, an arrival and a departure callback, the queue a FIFO ring of
 * arrival times.  The benchmark runs it with two ways of drawing the
 * exponentials; each gets its own pair of callbacks (draw_exp is inlined
 * with a constant mode), as a program using one of them would have. */

/* DRAW_PRE, a diagnostic: the same gsl_ran_exponential draws made before
 * the timed run and read from arrays in it, so the run times the kernel and
 * the model alone (and gives the same W as DRAW_GSL). */
enum draw_mode { DRAW_GSL, DRAW_DIST, DRAW_PRE };

typedef struct mm1 {
	esc_event_queue *sim;
	gsl_rng *arrivals, *services;
	esc_dist gap, service;          /* DRAW_DIST */
	double mean_gap_h, mean_service_h;
	double *fifo;                   /* arrival times; ring, cap a power of two */
	size_t cap, head, n;
	uint64_t arrived, limit;
	double sojourn_sum;
	uint64_t departed;
	int oom;
	double *pre_gap, *pre_service;  /* DRAW_PRE */
	size_t next_gap, next_service;
} mm1;

static inline __attribute__((always_inline)) double draw_exp(enum draw_mode mode, gsl_rng *r,
                                                             const esc_dist *d, double mean)
{
	if (mode == DRAW_GSL)
		return gsl_ran_exponential(r, mean);
	return esc_dist_sample(d, r);
}

#define DRAW_GAP(q, mode) ((mode) == DRAW_PRE ? (q)->pre_gap[(q)->next_gap++]                  \
                                              : draw_exp(mode, (q)->arrivals, &(q)->gap,       \
                                                         (q)->mean_gap_h))
#define DRAW_SERVICE(q, mode) ((mode) == DRAW_PRE ? (q)->pre_service[(q)->next_service++]      \
                                                  : draw_exp(mode, (q)->services, &(q)->service, \
                                                             (q)->mean_service_h))

/* Doubles the ring; out of line, since it happens a dozen times a run. */
__attribute__((noinline, cold)) static int fifo_grow(mm1 *q)
{
	size_t cap = q->cap ? 2 * q->cap : 1024;
	double *f = malloc(cap * sizeof *f);
	if (!f)
		return -1;
	for (size_t i = 0; i < q->n; i++)
		f[i] = q->fifo[(q->head + i) & (q->cap - 1)];
	free(q->fifo);
	q->fifo = f;
	q->cap = cap;
	q->head = 0;
	return 0;
}

static inline __attribute__((always_inline)) void arrival(esc_event_queue *sim, mm1 *q, enum draw_mode mode,
                                                          esc_event_fn self, esc_event_fn depart)
{
	if (q->n == q->cap && fifo_grow(q)) {
		q->oom = 1;
		return;
	}
	q->fifo[(q->head + q->n++) & (q->cap - 1)] = esc_event_queue_now(sim);
	if (q->n == 1) {                /* the server was idle: start this service */
		double s = DRAW_SERVICE(q, mode);
		if (esc_event_queue_schedule_in(sim, s, depart, q, NULL) == ESC_EVENT_NONE)
			q->oom = 1;
	}
	if (++q->arrived < q->limit) {
		double gap = DRAW_GAP(q, mode);
		if (esc_event_queue_schedule_in(sim, gap, self, q, NULL) == ESC_EVENT_NONE)
			q->oom = 1;
	}
}

static inline __attribute__((always_inline)) void departure(esc_event_queue *sim, mm1 *q, enum draw_mode mode,
                                                            esc_event_fn self)
{
	q->sojourn_sum += esc_event_queue_now(sim) - q->fifo[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	q->departed++;
	if (q->n > 0) {                 /* the next in line starts its service */
		double s = DRAW_SERVICE(q, mode);
		if (esc_event_queue_schedule_in(sim, s, self, q, NULL) == ESC_EVENT_NONE)
			q->oom = 1;
	}
}

static void on_departure_gsl(esc_event_queue *sim, void *ctx, void *arg);
static void on_departure_dist(esc_event_queue *sim, void *ctx, void *arg);

static void on_arrival_gsl(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	arrival(sim, ctx, DRAW_GSL, on_arrival_gsl, on_departure_gsl);
}

static void on_departure_gsl(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	departure(sim, ctx, DRAW_GSL, on_departure_gsl);
}

static void on_arrival_dist(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	arrival(sim, ctx, DRAW_DIST, on_arrival_dist, on_departure_dist);
}

static void on_departure_dist(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	departure(sim, ctx, DRAW_DIST, on_departure_dist);
}

static void on_departure_pre(esc_event_queue *sim, void *ctx, void *arg);

static void on_arrival_pre(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	arrival(sim, ctx, DRAW_PRE, on_arrival_pre, on_departure_pre);
}

static void on_departure_pre(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	departure(sim, ctx, DRAW_PRE, on_departure_pre);
}

/* The measured part: one replication of `customers` customers, run until
 * the queue drains. */
__attribute__((noinline)) static void measure_mm1(mm1 *q)
{
	esc_event_queue_run(q->sim);
}

/* The fastest of the runs: on a shared machine the one least disturbed by
 * other processes. */
static double min_of(const double *v, int n)
{
	double m = v[0];
	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double best;                 /* the last benchmark's fastest run */

/* The M/M/1 benchmark in three steps, so that bench_pair can alternate its
 * runs with the reference loop's. */
typedef struct mm1_run {
	mm1 q;
	esc_streams *st;
	enum draw_mode mode;
	uint64_t customers;
} mm1_run;

static int mm1_setup(mm1_run *b, const gsl_rng_type *type, enum draw_mode mode, uint64_t customers)
{
	const double lambda = 0.9, mu = 1.0;
	memset(b, 0, sizeof *b);
	mm1 *q = &b->q;
	b->mode = mode;
	b->customers = customers;
	q->sim = esc_event_queue_new();
	b->st = esc_streams_new(type);
	if (!q->sim || !b->st)
		return -1;
	q->mean_gap_h = 1.0 / lambda;
	q->mean_service_h = 1.0 / mu;
	esc_dist_init(&q->gap, ESC_DIST_EXPONENTIAL, q->mean_gap_h, 0, 0, NULL);
	esc_dist_init(&q->service, ESC_DIST_EXPONENTIAL, q->mean_service_h, 0, 0, NULL);
	if (mode == DRAW_PRE) {
		q->pre_gap = malloc(customers * sizeof *q->pre_gap);
		q->pre_service = malloc(customers * sizeof *q->pre_service);
		if (!q->pre_gap || !q->pre_service)
			return -1;
	}
	return 0;
}

/* Run r; ns per customer, or a negative number on failure. */
static double mm1_once(mm1_run *b, int r)
{
	mm1 *q = &b->q;
	uint64_t customers = b->customers;
	esc_event_queue_reset(q->sim);
	esc_streams_begin(b->st, 20261010, (uint64_t)r);
	q->arrivals = esc_streams_get(b->st, "arrival");
	q->services = esc_streams_get(b->st, "service");
	q->head = q->n = 0;
	q->arrived = q->departed = 0;
	q->limit = customers;
	q->sojourn_sum = 0;
	if (b->mode == DRAW_PRE) {
		/* Each stream in the order DRAW_GSL uses it: customers gaps (the
		 * first one included) and customers services. */
		for (uint64_t i = 0; i < customers; i++) {
			q->pre_gap[i] = gsl_ran_exponential(q->arrivals, q->mean_gap_h);
			q->pre_service[i] = gsl_ran_exponential(q->services, q->mean_service_h);
		}
		q->next_gap = q->next_service = 0;
	}
	if (b->mode == DRAW_GSL)
		esc_event_queue_schedule(q->sim, DRAW_GAP(q, DRAW_GSL), on_arrival_gsl, q, NULL);
	else if (b->mode == DRAW_DIST)
		esc_event_queue_schedule(q->sim, DRAW_GAP(q, DRAW_DIST), on_arrival_dist, q, NULL);
	else
		esc_event_queue_schedule(q->sim, DRAW_GAP(q, DRAW_PRE), on_arrival_pre, q, NULL);
	double t0 = bench_now_s();
	measure_mm1(q);
	double ns = (bench_now_s() - t0) * 1e9 / (double)customers;
	return q->oom || q->departed != customers ? -1 : ns;
}

static void mm1_teardown(mm1_run *b)
{
	free(b->q.fifo);
	free(b->q.pre_gap);
	free(b->q.pre_service);
	esc_streams_free(b->st);
	esc_event_queue_free(b->q.sim);
}

/* Returns ns per customer (median of RUNS), or 0 on failure. */
static double bench_mm1(const gsl_rng_type *type, enum draw_mode mode, uint64_t customers,
                        double *mean_sojourn)
{
	mm1_run b;
	if (mm1_setup(&b, type, mode, customers))
		return 0;
	int runs = callgrind_mode ? 1 : RUNS + 1;     /* the first run warms up */
	double ns[RUNS + 1];
	for (int r = 0; r < runs; r++)
		if ((ns[r] = mm1_once(&b, r)) < 0)
			return 0;
	*mean_sojourn = b.q.sojourn_sum / (double)b.q.departed;
	mm1_teardown(&b);
	if (callgrind_mode)
		return ns[0];
	best = min_of(ns + 1, RUNS);
	return bench_median(ns + 1, RUNS);
}

/* ---- the yardstick: a hand-written binary-heap M/M/1 -------------------- */

typedef struct ref_ev {
	double t;
	int kind;                     /* 0 arrival, 1 departure */
} ref_ev;

typedef struct ref_heap {
	ref_ev *v;
	size_t n, cap;
} ref_heap;

/* Inlining as the compiler chose when only measure_ref used them (push out
 * of line, pop inlined), so the yardstick stays the same code. */
__attribute__((noinline)) static void ref_push(ref_heap *h, ref_ev e)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = realloc(h->v, h->cap * sizeof *h->v);
	}
	size_t i = h->n++;
	while (i > 0 && e.t < h->v[(i - 1) / 2].t) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
}

static inline __attribute__((always_inline)) ref_ev ref_pop(ref_heap *h)
{
	ref_ev top = h->v[0], e = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].t < h->v[c].t)
			c++;
		if (!(h->v[c].t < e.t))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = e;
	return top;
}

typedef struct ref_mm1 {
	ref_heap h;
	gsl_rng *ra, *rs;
	double *fifo;
	size_t cap, head, n;
	uint64_t customers, arrived, departed;
	double sojourn_sum;
	double *pre_gap, *pre_service;  /* pre: the draws, made before the run */
	size_t next_gap, next_service;
} ref_mm1;

__attribute__((noinline)) static void measure_ref(ref_mm1 *q)
{
	const double mean_gap = 1.0 / 0.9, mean_service = 1.0;
	ref_push(&q->h, (ref_ev){ gsl_ran_exponential(q->ra, mean_gap), 0 });
	while (q->h.n) {
		ref_ev e = ref_pop(&q->h);
		if (e.kind == 0) {
			if (q->n == q->cap) {        /* grow the ring */
				size_t cap = q->cap ? 2 * q->cap : 1024;
				double *f = malloc(cap * sizeof *f);
				for (size_t i = 0; i < q->n; i++)
					f[i] = q->fifo[(q->head + i) & (q->cap - 1)];
				free(q->fifo);
				q->fifo = f;
				q->cap = cap;
				q->head = 0;
			}
			q->fifo[(q->head + q->n++) & (q->cap - 1)] = e.t;
			if (q->n == 1)
				ref_push(&q->h, (ref_ev){ e.t + gsl_ran_exponential(q->rs, mean_service), 1 });
			if (++q->arrived < q->customers)
				ref_push(&q->h, (ref_ev){ e.t + gsl_ran_exponential(q->ra, mean_gap), 0 });
		} else {
			q->sojourn_sum += e.t - q->fifo[q->head];
			q->head = (q->head + 1) & (q->cap - 1);
			q->n--;
			q->departed++;
			if (q->n)
				ref_push(&q->h, (ref_ev){ e.t + gsl_ran_exponential(q->rs, mean_service), 1 });
		}
	}
}

/* ref_pre: the same loop reading the draws from arrays. */
__attribute__((noinline)) static void measure_ref_pre(ref_mm1 *q)
{
	ref_push(&q->h, (ref_ev){ q->pre_gap[q->next_gap++], 0 });
	while (q->h.n) {
		ref_ev e = ref_pop(&q->h);
		if (e.kind == 0) {
			if (q->n == q->cap) {        /* grow the ring */
				size_t cap = q->cap ? 2 * q->cap : 1024;
				double *f = malloc(cap * sizeof *f);
				for (size_t i = 0; i < q->n; i++)
					f[i] = q->fifo[(q->head + i) & (q->cap - 1)];
				free(q->fifo);
				q->fifo = f;
				q->cap = cap;
				q->head = 0;
			}
			q->fifo[(q->head + q->n++) & (q->cap - 1)] = e.t;
			if (q->n == 1)
				ref_push(&q->h, (ref_ev){ e.t + q->pre_service[q->next_service++], 1 });
			if (++q->arrived < q->customers)
				ref_push(&q->h, (ref_ev){ e.t + q->pre_gap[q->next_gap++], 0 });
		} else {
			q->sojourn_sum += e.t - q->fifo[q->head];
			q->head = (q->head + 1) & (q->cap - 1);
			q->n--;
			q->departed++;
			if (q->n)
				ref_push(&q->h, (ref_ev){ e.t + q->pre_service[q->next_service++], 1 });
		}
	}
}

/* type: the generator (GSL's taus2 for the yardstick row); pre: draw
 * before the timed run, as DRAW_PRE.  In steps, as mm1_run. */
typedef struct ref_run {
	ref_mm1 q;
	int pre;
	int as_kernel;          /* seed as mm1_once seeds its streams, so run r of
	                           each is the same sample path (bench_pair) */
} ref_run;

static int ref_setup(ref_run *b, const gsl_rng_type *type, int pre, uint64_t customers)
{
	memset(b, 0, sizeof *b);
	b->pre = pre;
	b->q.customers = customers;
	b->q.ra = gsl_rng_alloc(type);
	b->q.rs = gsl_rng_alloc(type);
	if (!b->q.ra || !b->q.rs)
		return -1;
	if (pre) {
		b->q.pre_gap = malloc(customers * sizeof *b->q.pre_gap);
		b->q.pre_service = malloc(customers * sizeof *b->q.pre_service);
		if (!b->q.pre_gap || !b->q.pre_service)
			return -1;
	}
	return 0;
}

static double ref_once(ref_run *b, int r)
{
	ref_mm1 *q = &b->q;
	uint64_t customers = q->customers;
	if (b->as_kernel) {
		gsl_rng_set(q->ra, (unsigned long)esc_rng_stream_seed(20261010, (uint64_t)r, "arrival"));
		gsl_rng_set(q->rs, (unsigned long)esc_rng_stream_seed(20261010, (uint64_t)r, "service"));
	} else {
		gsl_rng_set(q->ra, 1000u + (unsigned)r);
		gsl_rng_set(q->rs, 2000u + (unsigned)r);
	}
	q->h.n = 0;
	q->head = q->n = 0;
	q->arrived = q->departed = 0;
	q->sojourn_sum = 0;
	if (b->pre) {
		for (uint64_t i = 0; i < customers; i++) {
			q->pre_gap[i] = gsl_ran_exponential(q->ra, 1.0 / 0.9);
			q->pre_service[i] = gsl_ran_exponential(q->rs, 1.0);
		}
		q->next_gap = q->next_service = 0;
	}
	double t0 = bench_now_s();
	if (b->pre)
		measure_ref_pre(q);
	else
		measure_ref(q);
	return (bench_now_s() - t0) * 1e9 / (double)customers;
}

static void ref_teardown(ref_run *b)
{
	free(b->q.h.v);
	free(b->q.fifo);
	free(b->q.pre_gap);
	free(b->q.pre_service);
	gsl_rng_free(b->q.ra);
	gsl_rng_free(b->q.rs);
}

static double bench_ref(const gsl_rng_type *type, int pre, uint64_t customers,
                        double *mean_sojourn)
{
	ref_run b;
	if (ref_setup(&b, type, pre, customers))
		return 0;
	int runs = callgrind_mode ? 1 : RUNS + 1;
	double ns[RUNS + 1];
	for (int r = 0; r < runs; r++)
		ns[r] = ref_once(&b, r);
	*mean_sojourn = b.q.sojourn_sum / (double)b.q.departed;
	ref_teardown(&b);
	if (callgrind_mode)
		return ns[0];
	best = min_of(ns + 1, RUNS);
	return bench_median(ns + 1, RUNS);
}

/* Target 3 of issue #17: the kernel's M/M/1 against the reference loop,
 * both on xoshiro256++ with gsl_ran_exponential, seeded alike so that run
 * r of each serves the same customers (checked: the same sum of sojourn
 * times), measured as PAIRS pairs
 * of runs in alternating order (kernel first, then reference first), after
 * a warm-up of each: a busy stretch of the machine then falls on both
 * members of a pair.  The row is the median of the pairs' ratios; the note
 * gives their quartiles and each side's median. */
#define PAIRS 41

static int bench_pair(uint64_t customers)
{
	mm1_run a;
	ref_run b;
	double ka[PAIRS], rb[PAIRS], ratio[PAIRS];
	if (mm1_setup(&a, NULL, DRAW_GSL, customers) ||
	    ref_setup(&b, esc_rng_xoshiro256pp, 0, customers))
		return -1;
	b.as_kernel = 1;
	if (mm1_once(&a, 0) < 0)
		return -1;
	ref_once(&b, 0);
	for (int i = 0; i < PAIRS; i++) {
		if (i % 2 == 0) {
			ka[i] = mm1_once(&a, i + 1);
			rb[i] = ref_once(&b, i + 1);
		} else {
			rb[i] = ref_once(&b, i + 1);
			ka[i] = mm1_once(&a, i + 1);
		}
		if (ka[i] < 0)
			return -1;
		/* The same draws in the same order: the same customers. */
		if (a.q.sojourn_sum != b.q.sojourn_sum) {
			fprintf(stderr, "bench_kernel: the kernel's M/M/1 and the reference loop differ\n");
			return -1;
		}
		ratio[i] = ka[i] / rb[i];
	}
	mm1_teardown(&a);
	ref_teardown(&b);
	bench_spread r = bench_spread_of(ratio, PAIRS);
	bench_spread k = bench_spread_of(ka, PAIRS), f = bench_spread_of(rb, PAIRS);
	char note[160];
	snprintf(note, sizeof note, "%d alternating pairs: quartiles %.3f-%.3f; kernel %.1f ns, reference %.1f ns (medians)",
	         PAIRS, r.q1, r.q3, k.median, f.median);
	bench_row("kernel", "M/M/1 on the kernel / reference loop", r.median, "x", "<=", 1.10, note);
	return 0;
}

/* ---- the hold model ----------------------------------------------------- */

typedef struct hold {
	esc_event_queue *sim;
	gsl_rng *r;
	esc_dist exp1;
	int gsl;                        /* draw with gsl_ran_exponential */
	uint64_t left;
	int oom;
} hold;

static void on_hold(esc_event_queue *sim, void *ctx, void *arg)
{
	hold *h = ctx;
	double dt = h->gsl ? gsl_ran_exponential(h->r, 1.0) : esc_dist_sample(&h->exp1, h->r);
	if (esc_event_queue_schedule_in(sim, dt, on_hold, h, arg) == ESC_EVENT_NONE)
		h->oom = 1;
	if (--h->left == 0)
		esc_event_queue_stop(sim);
}

__attribute__((noinline)) static void measure_hold(hold *h)
{
	esc_event_queue_run(h->sim);
}

static double bench_hold(uint64_t k, int gsl, uint64_t events)
{
	hold h;
	memset(&h, 0, sizeof h);
	h.sim = esc_event_queue_new();
	h.r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	gsl_rng_set(h.r, 20261010);
	h.gsl = gsl;
	esc_dist_init(&h.exp1, ESC_DIST_EXPONENTIAL, 1.0, 0, 0, NULL);
	for (uint64_t i = 0; i < k; i++)
		esc_event_queue_schedule(h.sim, esc_dist_sample(&h.exp1, h.r), on_hold, &h, NULL);
	/* Warm-up: every event fires a few times, so the heap holds the
	 * stationary mix of times, not the initial one. */
	h.left = 5 * k + 100000;
	esc_event_queue_run(h.sim);
	int runs = callgrind_mode ? 1 : RUNS;
	double ns[RUNS];
	for (int r = 0; r < runs; r++) {
		h.left = events;
		double t0 = bench_now_s();
		measure_hold(&h);
		ns[r] = (bench_now_s() - t0) * 1e9 / (double)events;
	}
	int ok = !h.oom && esc_event_queue_pending(h.sim) == k;
	gsl_rng_free(h.r);
	esc_event_queue_free(h.sim);
	if (!ok)
		return 0;
	if (callgrind_mode)
		return ns[0];
	best = min_of(ns, RUNS);
	return bench_median(ns, RUNS);
}

/* ---- main ---------------------------------------------------------------- */

static const char *only;

static int want(const char *name)
{
	return !only || strcmp(only, name) == 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--callgrind") == 0)
			callgrind_mode = 1;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: bench_kernel [--callgrind] [--only NAME]\n");
			return 2;
		}
	}
	gsl_set_error_handler_off();
	const uint64_t customers = callgrind_mode ? 100000 : 1000000;
	const uint64_t events = callgrind_mode ? 200000 : 4000000;
	double w, ns;
	char note[96];

	/* In callgrind mode each line is "NAME EVENTS" (events: customers for
	 * mm1 and ref); callgrind.sh divides the instruction count by it. */
#define REPORT(NAME, DESC, UNITS, OP, TARGET, COUNT)                              \
	do {                                                                     \
		if (callgrind_mode)                                              \
			printf("%s %llu\n", NAME, (unsigned long long)(COUNT));  \
		else                                                             \
			bench_row("kernel", DESC, ns, UNITS, OP, TARGET, note);  \
	} while (0)

	if (want("mm1")) {
		ns = bench_mm1(NULL, DRAW_GSL, customers, &w);
		snprintf(note, sizeof note, "best %.1f; xoshiro256++, gsl_ran_exponential; W %.2f (theory 10)", best, w);
		REPORT("mm1", "M/M/1 rho 0.9, 1e6 customers", "ns/customer", "", 0, customers);
	}
	if (want("mm1_taus2")) {
		ns = bench_mm1(gsl_rng_taus2, DRAW_GSL, customers, &w);
		snprintf(note, sizeof note, "best %.1f; taus2, gsl_ran_exponential; W %.2f", best, w);
		REPORT("mm1_taus2", "M/M/1 rho 0.9 (taus2)", "ns/customer", "", 0, customers);
	}
	if (want("mm1_dist")) {
		ns = bench_mm1(NULL, DRAW_DIST, customers, &w);
		snprintf(note, sizeof note, "best %.1f; xoshiro256++, esc_dist_sample (ziggurat); W %.2f", best, w);
		REPORT("mm1_dist", "M/M/1 rho 0.9 (kernel exponential)", "ns/customer", "", 0, customers);
	}
	if (want("ref")) {
		ns = bench_ref(gsl_rng_taus2, 0, customers, &w);
		snprintf(note, sizeof note, "best %.1f; binary heap, taus2, gsl_ran_exponential; W %.2f", best, w);
		REPORT("ref", "reference loop, no kernel", "ns/customer", "", 0, customers);
	}
	if (want("ref_xoshiro")) {
		ns = bench_ref(esc_rng_xoshiro256pp, 0, customers, &w);
		snprintf(note, sizeof note, "best %.1f; binary heap, xoshiro256++, gsl_ran_exponential; W %.2f", best, w);
		REPORT("ref_xoshiro", "reference loop (xoshiro256++)", "ns/customer", "", 0, customers);
	}
	if (!callgrind_mode && want("pair") && bench_pair(customers / 5))
		fprintf(stderr, "bench_kernel: the M/M/1 pair failed\n");
	/* Diagnostics: the same runs with the draws made beforehand, so the
	 * time is the event handling alone; draws cost more than the
	 * difference, since a mispredicted branch on an event's order waits
	 * for the draw that made its time (docs/performance.md). */
	if (want("mm1_pre")) {
		ns = bench_mm1(NULL, DRAW_PRE, customers, &w);
		snprintf(note, sizeof note, "best %.1f; gsl_ran_exponential drawn before the run; W %.2f", best, w);
		REPORT("mm1_pre", "M/M/1 rho 0.9, draws made before the run", "ns/customer", "", 0, customers);
	}
	if (want("ref_pre")) {
		ns = bench_ref(esc_rng_xoshiro256pp, 1, customers, &w);
		snprintf(note, sizeof note, "best %.1f; gsl_ran_exponential drawn before the run; W %.2f", best, w);
		REPORT("ref_pre", "reference loop, draws made before the run", "ns/customer", "", 0, customers);
	}
	static const struct { const char *name, *desc; uint64_t k; int gsl; double target; } holds[] = {
		{ "hold1", "hold K=1", 1, 0, 15 },
		{ "hold1000", "hold K=1000", 1000, 0, 80 },
		{ "hold100000", "hold K=100000", 100000, 0, 160 },
		{ "hold1_gsl", "hold K=1 (gsl_ran_exponential)", 1, 1, 0 },
		{ "hold1000_gsl", "hold K=1000 (gsl_ran_exponential)", 1000, 1, 0 },
		{ "hold100000_gsl", "hold K=100000 (gsl_ran_exponential)", 100000, 1, 0 },
	};
	for (size_t i = 0; i < sizeof holds / sizeof holds[0]; i++) {
		if (!want(holds[i].name))
			continue;
		ns = bench_hold(holds[i].k, holds[i].gsl, events);
		snprintf(note, sizeof note, "best %.1f; one %s draw per event", best,
		         holds[i].gsl ? "gsl_ran_exponential" : "esc_dist_sample (ziggurat)");
		REPORT(holds[i].name, holds[i].desc, "ns/event", holds[i].target > 0 ? "<=" : "",
		       holds[i].target, events);
	}
	return 0;
}
