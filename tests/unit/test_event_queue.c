/* test_event_queue.c: the kernel's clock and future event list.
 *
 * Deterministic cases for each clause of escsim/event_queue.h (the runaway
 * guard among them), then a
 * randomized run of 100k mixed operations (schedule, cancel, run_until,
 * scheduling and cancelling from callbacks) checked step by step against a
 * reference future event list kept as a sorted array.
 */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escsim/event_queue.h"

/* ---- a log of fired events ---- */

typedef struct evlog {
	int tag[4096];
	double t[4096];
	int n;
} evlog;

static void record(esc_event_queue *sim, void *ctx, void *arg)
{
	evlog *l = ctx;
	assert_true(l->n < 4096);
	l->tag[l->n] = (int)(intptr_t)arg;
	l->t[l->n] = esc_event_queue_now(sim);
	l->n++;
}

static esc_event_id at(esc_event_queue *sim, double t, evlog *l, int tag)
{
	esc_event_id id = esc_event_queue_schedule(sim, t, record, l, (void *)(intptr_t)tag);
	assert_true(id != ESC_EVENT_NONE);
	return id;
}

static void test_order_by_time(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	assert_non_null(sim);
	evlog l = { .n = 0 };
	double times[] = { 5, 1, 3, 2, 4, 0.5, 2.5 };
	for (int i = 0; i < 7; i++)
		at(sim, times[i], &l, (int)(times[i] * 10));
	assert_int_equal(esc_event_queue_pending(sim), 7);
	assert_int_equal(esc_event_queue_run(sim), 7);
	int want[] = { 5, 10, 20, 25, 30, 40, 50 };
	assert_int_equal(l.n, 7);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(l.tag[i], want[i]);
		assert_true(l.t[i] == want[i] / 10.0);
	}
	assert_true(esc_event_queue_now(sim) == 5.0);
	assert_int_equal(esc_event_queue_fired(sim), 7);
	assert_int_equal(esc_event_queue_pending(sim), 0);
	esc_event_queue_free(sim);
}

static void test_ties_in_insertion_order(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	/* Interleave three times so ties meet every heap position. */
	for (int i = 0; i < 300; i++)
		at(sim, (double)(2 - i % 3), &l, i);
	esc_event_queue_run(sim);
	assert_int_equal(l.n, 300);
	int k = 0;
	for (int t = 0; t <= 2; t++)
		for (int i = 0; i < 300; i++)
			if (2 - i % 3 == t) {
				assert_int_equal(l.tag[k], i);
				k++;
			}

	/* Again on reused slots: the free list hands the 300 slots back last
	 * freed first, so slot order runs against insertion order, and a
	 * queue breaking ties by slot instead of by insertion fails here.
	 * Cancelling every seventh event first mixes the free list further. */
	l.n = 0;
	esc_event_id id[300];
	for (int i = 0; i < 300; i++)
		id[i] = at(sim, 10 + (double)(i % 3), &l, i);
	for (int i = 0; i < 300; i += 7)
		assert_int_equal(esc_event_queue_cancel(sim, id[i]), 1);
	esc_event_queue_run(sim);
	int fired = l.n;
	assert_int_equal(fired, 300 - 43);
	l.n = 0;
	for (int i = 0; i < 300; i++)
		at(sim, 20 - (double)(i % 3), &l, i);
	esc_event_queue_run(sim);
	assert_int_equal(l.n, 300);
	k = 0;
	for (int t = 18; t <= 20; t++)
		for (int i = 0; i < 300; i++)
			if (20 - i % 3 == t) {
				assert_int_equal(l.tag[k], i);
				assert_true(l.t[k] == t);
				k++;
			}
	esc_event_queue_free(sim);
}

static void cancel_self(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	esc_event_id *id = ctx;
	/* Inside its own callback the event is no longer pending. */
	assert_false(esc_event_queue_is_pending(sim, *id));
	assert_int_equal(esc_event_queue_cancel(sim, *id), 0);
}

static void test_cancel(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	esc_event_id a = at(sim, 1, &l, 1);
	esc_event_id b = at(sim, 2, &l, 2);
	esc_event_id c = at(sim, 3, &l, 3);
	assert_true(esc_event_queue_is_pending(sim, b));
	assert_int_equal(esc_event_queue_cancel(sim, b), 1);          /* pending */
	assert_false(esc_event_queue_is_pending(sim, b));
	assert_int_equal(esc_event_queue_cancel(sim, b), 0);          /* twice */
	assert_int_equal(esc_event_queue_pending(sim), 2);
	esc_event_queue_run_until(sim, 1.5);
	assert_int_equal(esc_event_queue_cancel(sim, a), 0);          /* fired */
	assert_int_equal(esc_event_queue_cancel(sim, ESC_EVENT_NONE), 0);
	assert_int_equal(esc_event_queue_cancel(sim, c + 1), 0);      /* unknown slot */
	assert_int_equal(esc_event_queue_cancel(sim, c + ((uint64_t)1 << 32)), 0);  /* other generation */
	assert_int_equal(esc_event_queue_cancel(sim, c + ((uint64_t)2 << 32)), 0);  /* a future generation */
	assert_int_equal(esc_event_queue_cancel(sim, UINT64_MAX), 0);
	assert_false(esc_event_queue_is_pending(sim, ESC_EVENT_NONE));
	assert_false(esc_event_queue_is_pending(sim, UINT64_MAX));
	assert_true(esc_event_queue_is_pending(sim, c));
	esc_event_queue_run(sim);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.tag[0], 1);
	assert_int_equal(l.tag[1], 3);

	esc_event_id self = esc_event_queue_schedule(sim, 10, cancel_self, &self, NULL);
	assert_int_equal(esc_event_queue_run(sim), 1);

	/* Cancelling from the middle of a large heap keeps it ordered. */
	esc_event_id ids[1000];
	l.n = 0;
	for (int i = 0; i < 1000; i++)
		ids[i] = at(sim, 100 + (i * 7919) % 1000, &l, (i * 7919) % 1000);
	for (int i = 0; i < 1000; i += 3)
		assert_int_equal(esc_event_queue_cancel(sim, ids[i]), 1);
	esc_event_queue_run(sim);
	assert_int_equal(l.n, 666);
	for (int k = 1; k < l.n; k++)
		assert_true(l.t[k - 1] < l.t[k]);
	esc_event_queue_free(sim);
}

static int cmp_id(const void *a, const void *b)
{
	esc_event_id x = *(const esc_event_id *)a, y = *(const esc_event_id *)b;
	return (x > y) - (x < y);
}

/* Sorts ids in place. */
static int all_distinct(esc_event_id *ids, size_t n)
{
	qsort(ids, n, sizeof *ids, cmp_id);
	for (size_t i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			return 0;
	return 1;
}

static void test_ids_not_reused(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	esc_event_id a = at(sim, 1, &l, 1);
	esc_event_queue_run(sim);
	esc_event_id b = at(sim, 2, &l, 2);          /* recycles a's slot */
	assert_true(a != b);
	assert_int_equal(esc_event_queue_cancel(sim, a), 0);  /* the stale id ... */
	assert_true(esc_event_queue_is_pending(sim, b));      /* ... leaves b alone */
	assert_int_equal(esc_event_queue_cancel(sim, b), 1);

	/* Many cycles through a few slots: every id distinct and non-zero. */
	enum { N = 20000 };
	esc_event_id *ids = malloc(N * sizeof *ids);
	int k = 0;
	for (int round = 0; round < N / 4; round++) {
		esc_event_id r[4];
		for (int j = 0; j < 4; j++)
			ids[k++] = r[j] = at(sim, round, &l, 0);
		esc_event_queue_cancel(sim, r[round % 4]);
		l.n = 0;
		esc_event_queue_run(sim);
	}
	esc_event_queue_reset(sim);                           /* generations survive reset */
	for (int j = 0; j < 4; j++)
		assert_int_equal(esc_event_queue_cancel(sim, ids[k - 1 - j]), 0);
	for (int i = 0; i < k; i++) {
		assert_true(ids[i] != ESC_EVENT_NONE);
		assert_true(ids[i] != a && ids[i] != b);
	}
	assert_true(all_distinct(ids, (size_t)k));
	esc_event_id c = at(sim, 0, &l, 0);
	for (int i = 0; i < k; i++)
		assert_true(ids[i] != c);
	free(ids);
	esc_event_queue_free(sim);
}

static void test_run_until(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	at(sim, 1, &l, 1);
	at(sim, 2, &l, 2);
	at(sim, 3, &l, 3);
	assert_int_equal(esc_event_queue_run_until(sim, 2), 2);   /* the bound is inclusive */
	assert_true(esc_event_queue_now(sim) == 2);
	assert_int_equal(esc_event_queue_run_until(sim, 2.5), 0);
	assert_true(esc_event_queue_now(sim) == 2.5);              /* clock moves to the bound */
	assert_int_equal(esc_event_queue_run_until(sim, 1), 0);
	assert_true(esc_event_queue_now(sim) == 2.5);              /* never backwards */
	assert_int_equal(esc_event_queue_run_until(sim, NAN), 0);
	assert_true(esc_event_queue_now(sim) == 2.5);
	assert_int_equal(esc_event_queue_pending(sim), 1);
	assert_int_equal(esc_event_queue_run_until(sim, 10), 1);
	assert_true(esc_event_queue_now(sim) == 10);
	assert_int_equal(esc_event_queue_fired(sim), 3);
	at(sim, 20, &l, 4);
	assert_int_equal(esc_event_queue_run_until(sim, INFINITY), 1);
	assert_true(esc_event_queue_now(sim) == 20);
	esc_event_queue_free(sim);
}

typedef struct stopper {
	int n;
	int stop_at;
} stopper;

static void count_and_stop(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	stopper *s = ctx;
	if (++s->n == s->stop_at) {
		esc_event_queue_stop(sim);
		assert_true(esc_event_queue_stopped(sim));
	}
}

static void test_stop(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	stopper s = { 0, 2 };
	for (int i = 1; i <= 5; i++)
		esc_event_queue_schedule(sim, i, count_and_stop, &s, NULL);
	assert_false(esc_event_queue_stopped(sim));
	assert_int_equal(esc_event_queue_run(sim), 2);
	assert_true(esc_event_queue_stopped(sim));
	assert_true(esc_event_queue_now(sim) == 2);
	assert_int_equal(esc_event_queue_pending(sim), 3);

	/* run_until stopped early leaves the clock at the stopping event. */
	s.stop_at = 3;
	assert_int_equal(esc_event_queue_run_until(sim, 100), 1);
	assert_true(esc_event_queue_stopped(sim));
	assert_true(esc_event_queue_now(sim) == 3);

	/* The next run resumes where the last one stopped. */
	assert_int_equal(esc_event_queue_run_until(sim, 100), 2);
	assert_false(esc_event_queue_stopped(sim));
	assert_true(esc_event_queue_now(sim) == 100);
	assert_int_equal(s.n, 5);
	esc_event_queue_free(sim);
}

/* A callback that runs the simulation itself: the inner run fires up to its
 * own bound, and the outer run then goes on to its bound (the fire loop keeps
 * its bound in the esc_event_queue, so it must come back after the inner run).  A
 * stop inside the inner run ends the outer one too. */
typedef struct nester {
	int fired;
	double inner_end;
	int stop_inner_at;            /* the inner run stops at this count */
} nester;

static void nest_count(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	nester *n = ctx;
	if (++n->fired == n->stop_inner_at)
		esc_event_queue_stop(sim);
}

static void nest_run(esc_event_queue *sim, void *ctx, void *arg)
{
	(void)arg;
	nester *n = ctx;
	n->fired++;
	esc_event_queue_run_until(sim, n->inner_end);
}

static void test_nested_run(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	nester n = { 0, 3.5, 0 };
	esc_event_queue_schedule(sim, 1, nest_run, &n, NULL);
	for (int i = 2; i <= 6; i++)
		esc_event_queue_schedule(sim, i, nest_count, &n, NULL);
	/* The outer run fires 1 and, after the inner run fired 2 and 3, 4 and
	 * 5; 6 lies beyond its bound. */
	assert_int_equal(esc_event_queue_run_until(sim, 5), 3);
	assert_int_equal(n.fired, 5);
	assert_false(esc_event_queue_stopped(sim));
	assert_true(esc_event_queue_now(sim) == 5);
	assert_int_equal(esc_event_queue_pending(sim), 1);

	esc_event_queue_reset(sim);
	n = (nester){ 0, 10, 2 };       /* the inner run stops at time 2 */
	esc_event_queue_schedule(sim, 1, nest_run, &n, NULL);
	for (int i = 2; i <= 6; i++)
		esc_event_queue_schedule(sim, i, nest_count, &n, NULL);
	assert_int_equal(esc_event_queue_run(sim), 1);
	assert_true(esc_event_queue_stopped(sim));
	assert_true(esc_event_queue_now(sim) == 2);
	assert_int_equal(esc_event_queue_pending(sim), 4);

	/* A stop outside any run is forgotten by the next run, as before. */
	esc_event_queue_stop(sim);
	n.stop_inner_at = 0;
	assert_int_equal(esc_event_queue_run(sim), 4);
	assert_false(esc_event_queue_stopped(sim));
	assert_int_equal(esc_event_queue_pending(sim), 0);
	esc_event_queue_free(sim);
}

static void test_reset(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	esc_event_id old[100];
	for (int i = 0; i < 100; i++)
		old[i] = at(sim, i, &l, i);
	esc_event_queue_run_until(sim, 49.5);
	esc_event_queue_stop(sim);
	esc_event_queue_reset(sim);
	assert_int_equal(esc_event_queue_pending(sim), 0);
	assert_true(esc_event_queue_now(sim) == 0);
	assert_int_equal(esc_event_queue_fired(sim), 0);
	assert_false(esc_event_queue_stopped(sim));
	for (int i = 0; i < 100; i++) {
		assert_false(esc_event_queue_is_pending(sim, old[i]));
		assert_int_equal(esc_event_queue_cancel(sim, old[i]), 0);
	}
	l.n = 0;
	for (int i = 0; i < 100; i++) {
		esc_event_id id = at(sim, 100 - i, &l, i);
		for (int j = 0; j < 100; j++)
			assert_true(id != old[j]);
	}
	assert_int_equal(esc_event_queue_run(sim), 100);
	assert_int_equal(l.tag[0], 99);
	assert_int_equal(esc_event_queue_fired(sim), 100);
	esc_event_queue_free(sim);
}

/* A chain: each event schedules the next, plus one at its own time, which
 * must fire after every event already pending at that time. */
typedef struct chain {
	evlog *l;
	int left;
} chain;

static void chain_step(esc_event_queue *sim, void *ctx, void *arg)
{
	chain *c = ctx;
	record(sim, c->l, arg);
	if (c->left-- <= 0)
		return;
	int tag = (int)(intptr_t)arg;
	esc_event_queue_schedule(sim, esc_event_queue_now(sim), record, c->l, (void *)(intptr_t)(1000 + tag));
	esc_event_queue_schedule_in(sim, 1.0, chain_step, c, (void *)(intptr_t)(tag + 1));
	/* The past is clamped to now: this fires at now, after the two above. */
	esc_event_queue_schedule(sim, esc_event_queue_now(sim) - 5, record, c->l, (void *)(intptr_t)(2000 + tag));
}

static void test_schedule_from_callbacks(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	chain c = { &l, 3 };
	esc_event_queue_schedule(sim, 1, chain_step, &c, (void *)(intptr_t)0);
	at(sim, 2, &l, 500);        /* already pending at t=2 when 1001 is added */
	esc_event_queue_run(sim);
	int want_tag[] = { 0, 1000, 2000, 500, 1, 1001, 2001, 2, 1002, 2002, 3 };
	double want_t[] = { 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4 };
	assert_int_equal(l.n, 11);
	for (int i = 0; i < 11; i++) {
		assert_int_equal(l.tag[i], want_tag[i]);
		assert_true(l.t[i] == want_t[i]);
	}
	esc_event_queue_free(sim);
}

static void test_clamp_and_refusals(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	evlog l = { .n = 0 };
	esc_event_queue_run_until(sim, 10);
	at(sim, 4, &l, 1);
	at(sim, -INFINITY, &l, 2);
	assert_true(esc_event_queue_schedule_in(sim, -3, record, &l, (void *)(intptr_t)3) != ESC_EVENT_NONE);
	assert_true(esc_event_queue_schedule(sim, NAN, record, &l, NULL) == ESC_EVENT_NONE);
	assert_true(esc_event_queue_schedule_in(sim, NAN, record, &l, NULL) == ESC_EVENT_NONE);
	assert_true(esc_event_queue_schedule(sim, 11, NULL, &l, NULL) == ESC_EVENT_NONE);
	assert_int_equal(esc_event_queue_pending(sim), 3);
	esc_event_queue_run(sim);
	assert_int_equal(l.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(l.tag[i], i + 1);
		assert_true(l.t[i] == 10);
	}
	esc_event_queue_free(sim);
}

/* ---- randomized comparison with a sorted-array reference ---- */

static uint64_t sm_state;
static uint64_t rnd(void)            /* splitmix64: self-contained test input */
{
	uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

enum { PENDING, FIRED, CANCELLED };

typedef struct ev {
	double t;
	uint64_t seq;
	esc_event_id id;
	int state;
} ev;

typedef struct world {
	esc_event_queue *sim;
	ev *ev;              /* every event ever scheduled, by tag */
	size_t nev, capev;
	int *ref;            /* tags of pending events sorted by (t, seq) */
	size_t nref, capref;
	uint64_t seq;
	uint64_t fired;
} world;

static int ev_before(const ev *a, const ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void on_fire(esc_event_queue *sim, void *ctx, void *arg);

static void w_schedule(world *w, double t)
{
	if (w->nev == w->capev) {
		w->capev = w->capev ? 2 * w->capev : 1024;
		w->ev = realloc(w->ev, w->capev * sizeof *w->ev);
		assert_non_null(w->ev);
	}
	if (w->nref == w->capref) {
		w->capref = w->capref ? 2 * w->capref : 1024;
		w->ref = realloc(w->ref, w->capref * sizeof *w->ref);
		assert_non_null(w->ref);
	}
	int tag = (int)w->nev++;
	ev *e = &w->ev[tag];
	e->t = t < esc_event_queue_now(w->sim) ? esc_event_queue_now(w->sim) : t;
	e->seq = w->seq++;
	e->state = PENDING;
	e->id = esc_event_queue_schedule(w->sim, t, on_fire, w, (void *)(intptr_t)tag);
	assert_true(e->id != ESC_EVENT_NONE);
	size_t lo = 0, hi = w->nref;          /* first position after e */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ev_before(&w->ev[w->ref[mid]], e))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(w->ref + lo + 1, w->ref + lo, (w->nref - lo) * sizeof *w->ref);
	w->ref[lo] = tag;
	w->nref++;
}

static void ref_remove(world *w, int tag)
{
	for (size_t i = 0; i < w->nref; i++)
		if (w->ref[i] == tag) {
			memmove(w->ref + i, w->ref + i + 1, (w->nref - i - 1) * sizeof *w->ref);
			w->nref--;
			return;
		}
	fail_msg("tag %d not in the reference", tag);
}

static void w_cancel_any(world *w)
{
	int tag = (int)below((unsigned)w->nev);
	ev *e = &w->ev[tag];
	int want = e->state == PENDING;
	assert_int_equal(esc_event_queue_is_pending(w->sim, e->id), want);
	assert_int_equal(esc_event_queue_cancel(w->sim, e->id), want);
	if (want) {
		e->state = CANCELLED;
		ref_remove(w, tag);
	}
}

static double uniform01(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

/* Delays for scheduling and for run_until bounds: many on a coarse grid so
 * that ties are common, a few in the past, and a long tail so that the heap
 * holds hundreds of events and cancels hit every level of it. */
static double random_delay(void)
{
	switch (below(8)) {
	case 0: return -(double)below(3);
	case 1: case 2: case 3: return (double)below(16);
	case 4: return 16.0 + 2000.0 * uniform01();
	default: return 16.0 * uniform01();
	}
}

static void on_fire(esc_event_queue *sim, void *ctx, void *arg)
{
	world *w = ctx;
	int tag = (int)(intptr_t)arg;
	assert_true(w->nref > 0);
	if (w->ref[0] != tag)
		fail_msg("fired tag %d, reference expected %d", tag, w->ref[0]);
	assert_true(esc_event_queue_now(sim) == w->ev[tag].t);
	w->ev[tag].state = FIRED;
	memmove(w->ref, w->ref + 1, (w->nref - 1) * sizeof *w->ref);
	w->nref--;
	w->fired++;
	unsigned r = below(16);
	if (r < 3)
		w_schedule(w, esc_event_queue_now(sim) + random_delay());
	else if (r == 3 && w->nev > 0)
		w_cancel_any(w);
}

/* ---- the runaway guard ---- */

typedef struct looper {
	double step;                 /* how far each event moves the clock */
	uint64_t fired;
	volatile sig_atomic_t *flag; /* set at the 5000th event, if not NULL */
} looper;

static void again(esc_event_queue *sim, void *ctx, void *arg)
{
	looper *l = ctx;
	if (++l->fired == 5000 && l->flag)
		*l->flag = 15;
	esc_event_queue_schedule(sim, esc_event_queue_now(sim) + l->step, again, ctx, arg);
}

static void test_guard(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	assert_non_null(sim);
	/* An event that sets itself again one hour on: stopped after exactly
	 * max_fired events; the next stays pending. */
	looper l = {1.0, 0, NULL};
	esc_event_queue_set_guard(sim, &(esc_event_queue_guard){ .max_fired = 10000 });
	esc_event_queue_schedule(sim, 0, again, &l, NULL);
	assert_int_equal(esc_event_queue_run(sim), 10000);
	assert_int_equal(esc_event_queue_fired(sim), 10000);
	assert_int_equal(l.fired, 10000);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_TOO_MANY_EVENTS);
	assert_true(esc_event_queue_stopped(sim) && esc_event_queue_now(sim) == 9999.0);
	assert_int_equal(esc_event_queue_pending(sim), 1);     /* the 10001st, at 10000 */
	/* A reset clears the trip and keeps the guard. */
	esc_event_queue_reset(sim);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_RUNNING);
	l = (looper){1.0, 0, NULL};
	esc_event_queue_schedule(sim, 0, again, &l, NULL);
	assert_int_equal(esc_event_queue_run_until(sim, 20000), 10000);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_TOO_MANY_EVENTS);

	/* In zero time: the clock stands at 3.5; stopped once more than
	 * max_same_instant events fired there, seen at most 2 x 1024 late
	 * (the guard looks every 1024 events, and counts from its first look
	 * at the time). */
	esc_event_queue_reset(sim);
	esc_event_queue_set_guard(sim, &(esc_event_queue_guard){ .max_fired = 1000000, .max_same_instant = 5000 });
	l = (looper){0.0, 0, NULL};
	esc_event_queue_schedule(sim, 3.5, again, &l, NULL);
	uint64_t n = esc_event_queue_run(sim);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_TIME_STANDS_STILL);
	assert_true(n > 5000 && n <= 5000 + 2 * 1024);
	assert_true(esc_event_queue_now(sim) == 3.5);
	/* A step too small to move the clock is zero time too. */
	esc_event_queue_reset(sim);
	l = (looper){5e-324, 0, NULL};
	esc_event_queue_schedule(sim, 3.5, again, &l, NULL);
	esc_event_queue_run(sim);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_TIME_STANDS_STILL);
	/* Many events at one time, then the clock moves on: no trip. */
	esc_event_queue_reset(sim);
	evlog log = {0};
	for (int i = 0; i < 4000; i++)
		at(sim, 1.0, &log, i);
	at(sim, 2.0, &log, 4000);
	esc_event_queue_set_guard(sim, &(esc_event_queue_guard){ .max_same_instant = 4500 });
	assert_int_equal(esc_event_queue_run(sim), 4001);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_RUNNING);

	/* The interrupt flag, set by the 5000th event: stopped at the next
	 * look, within 1024 events. */
	esc_event_queue_reset(sim);
	volatile sig_atomic_t flag = 0;
	esc_event_queue_set_guard(sim, &(esc_event_queue_guard){ .interrupt = &flag });
	l = (looper){1.0, 0, &flag};
	esc_event_queue_schedule(sim, 0, again, &l, NULL);
	n = esc_event_queue_run(sim);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_INTERRUPTED);
	assert_true(n >= 5000 && n <= 5000 + 1024);

	/* No guard: the same loop runs on until run_until's bound. */
	esc_event_queue_reset(sim);
	esc_event_queue_set_guard(sim, &(esc_event_queue_guard){0});
	l = (looper){1.0, 0, NULL};
	esc_event_queue_schedule(sim, 0, again, &l, NULL);
	assert_int_equal(esc_event_queue_run_until(sim, 99999.5), 100000);
	assert_int_equal(esc_event_queue_tripped(sim), ESC_EVENT_QUEUE_RUNNING);
	esc_event_queue_free(sim);
}

static void test_randomized_against_reference(void **state)
{
	(void)state;
	world w = { .sim = esc_event_queue_new() };
	sm_state = 20240601;
	long ops = 0;
	size_t max_pending = 0;
	for (int round = 0; round < 2; round++) {
		while (ops < 50000L * (round + 1)) {
			unsigned r = below(100);
			ops++;
			if (r < 50) {
				w_schedule(&w, esc_event_queue_now(w.sim) + random_delay());
			} else if (r < 75) {
				if (w.nev)
					w_cancel_any(&w);
			} else if (r < 77) {
				/* A random id is live only if it equals a pending one. */
				esc_event_id id = rnd() & 0x000000ff000003ffULL;
				int want = 0;
				for (size_t i = 0; i < w.nref; i++)
					want |= w.ev[w.ref[i]].id == id;
				assert_int_equal(esc_event_queue_is_pending(w.sim, id), want);
			} else {
				double before_now = esc_event_queue_now(w.sim);
				/* Mostly short steps, so long-delayed events pile up. */
				double t_end = before_now + (below(50) ? 2.0 * uniform01() : random_delay());
				uint64_t f0 = w.fired;
				uint64_t n = esc_event_queue_run_until(w.sim, t_end);
				assert_int_equal(n, w.fired - f0);
				assert_true(w.nref == 0 || w.ev[w.ref[0]].t > t_end);
				double want_now = t_end > before_now ? t_end : before_now;
				assert_true(esc_event_queue_now(w.sim) == want_now);
			}
			assert_int_equal(esc_event_queue_pending(w.sim), w.nref);
			assert_int_equal(esc_event_queue_fired(w.sim), w.fired);
			if (w.nref > max_pending)
				max_pending = w.nref;
		}
		esc_event_queue_run(w.sim);
		assert_int_equal(w.nref, 0);
		assert_int_equal(esc_event_queue_pending(w.sim), 0);
		/* The second round reuses the memory and slots after a reset. */
		for (size_t i = 0; i < w.nev; i++)
			assert_true(w.ev[i].state != PENDING);
		esc_event_queue_reset(w.sim);
		w.fired = 0;
		w.seq = 0;
	}
	/* No id was handed out twice, across the reset too. */
	esc_event_id *ids = malloc(w.nev * sizeof *ids);
	for (size_t i = 0; i < w.nev; i++)
		ids[i] = w.ev[i].id;
	assert_true(all_distinct(ids, w.nev));
	free(ids);
	print_message("# %zu events scheduled in %ld operations, at most %zu pending\n",
	              w.nev, ops, max_pending);
	free(w.ev);
	free(w.ref);
	esc_event_queue_free(w.sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_by_time),
		cmocka_unit_test(test_ties_in_insertion_order),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_ids_not_reused),
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_nested_run),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_schedule_from_callbacks),
		cmocka_unit_test(test_clamp_and_refusals),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_randomized_against_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
