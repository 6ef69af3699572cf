/* test_event_queue_rebuild.c: the event queue's rebuilds, which a normal
 * run reaches only after 2^32 schedules (seq renumbering) or many cancels
 * (zombie removal).
 *
 * The kernel's source is compiled into this test with ESC_SEQ_MAX lowered
 * to 40, so seq runs out every few dozen schedules; a randomized mix of
 * schedules (many at tied times), cancels (often enough to trigger zombie
 * rebuilds) and runs is checked event by event against a reference list
 * sorted by (time, order of scheduling), as in test_event_queue.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define ESC_SEQ_MAX 40
#include "../../sim/kernel/event_queue.c"

static uint64_t sm_state;
static uint64_t rnd(void)            /* splitmix64 */
{
	uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

typedef struct ev {
	double t;
	uint64_t order;               /* scheduling order: breaks ties in t */
	esc_event_id id;
	int pending;
} ev;

typedef struct world {
	esc_event_queue *sim;
	ev *ev;
	size_t nev, cap;
	uint64_t order, fired, rebuilds_seen;
	int quiet;                    /* callbacks schedule nothing */
} world;

/* The pending event that must fire next: smallest (t, order). */
static int expected_next(const world *w)
{
	int best = -1;
	for (size_t i = 0; i < w->nev; i++) {
		const ev *e = &w->ev[i];
		if (!e->pending)
			continue;
		if (best < 0 || e->t < w->ev[best].t ||
		    (e->t == w->ev[best].t && e->order < w->ev[best].order))
			best = (int)i;
	}
	return best;
}

static void on_fire(esc_event_queue *sim, void *ctx, void *arg);

static void w_schedule(world *w, double t)
{
	if (w->nev == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->ev = realloc(w->ev, w->cap * sizeof *w->ev);
		assert_non_null(w->ev);
	}
	size_t tag = w->nev++;
	ev *e = &w->ev[tag];
	e->t = t < esc_event_queue_now(w->sim) ? esc_event_queue_now(w->sim) : t;
	e->order = w->order++;
	e->pending = 1;
	uint64_t seq_before = w->sim->seq;
	e->id = esc_event_queue_schedule(w->sim, t, on_fire, w, (void *)(uintptr_t)tag);
	assert_true(e->id != ESC_EVENT_NONE);
	w->rebuilds_seen += w->sim->seq <= seq_before;
}

static void w_cancel_some(world *w)
{
	for (int k = 0; k < 3 && w->nev; k++) {
		ev *e = &w->ev[below((unsigned)w->nev)];
		assert_int_equal(esc_event_queue_cancel(w->sim, e->id), e->pending);
		e->pending = 0;
	}
}

static void on_fire(esc_event_queue *sim, void *ctx, void *arg)
{
	world *w = ctx;
	int tag = (int)(uintptr_t)arg;
	w->ev[tag].pending = 1;        /* as it was until now, for the reference */
	int want = expected_next(w);
	if (want != tag)
		fail_msg("fired %d, expected %d", tag, want);
	assert_true(esc_event_queue_now(sim) == w->ev[tag].t);
	w->ev[tag].pending = 0;
	w->fired++;
	if (!w->quiet && below(4) == 0)   /* ties with what is pending now */
		w_schedule(w, esc_event_queue_now(sim) + (double)below(3));
}

static size_t count_pending(const world *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nev; i++)
		n += (size_t)w->ev[i].pending;
	return n;
}

static void test_randomized_with_rebuilds(void **state)
{
	(void)state;
	world w = { .sim = esc_event_queue_new() };
	assert_non_null(w.sim);
	sm_state = 20261010;
	for (int step = 0; step < 20000; step++) {
		unsigned r = below(10);
		if (r < 5)
			w_schedule(&w, esc_event_queue_now(w.sim) + (double)below(8));
		else if (r < 8)
			w_cancel_some(&w);
		else
			esc_event_queue_run_until(w.sim, esc_event_queue_now(w.sim) + (double)below(3));
		assert_int_equal(esc_event_queue_pending(w.sim), count_pending(&w));
		/* Zombies never outnumber live entries by much. */
		assert_true(w.sim->zombies <= 32 || w.sim->zombies <= w.sim->n / 2);
		assert_true(w.sim->seq <= ESC_SEQ_MAX + 1);
	}
	esc_event_queue_run(w.sim);
	assert_int_equal(count_pending(&w), 0);
	assert_int_equal(esc_event_queue_pending(w.sim), 0);
	print_message("# %zu events, %llu fired, %llu seq renumberings\n", w.nev,
	              (unsigned long long)w.fired, (unsigned long long)w.rebuilds_seen);
	assert_true(w.rebuilds_seen > 100);
	/* No id handed out twice. */
	for (size_t i = 1; i < w.nev; i++)
		for (size_t j = i >= 64 ? i - 64 : 0; j < i; j++)
			assert_true(w.ev[i].id != w.ev[j].id);
	free(w.ev);
	esc_event_queue_free(w.sim);
}

/* Cancelling most of a large heap rebuilds it without the zombies: memory
 * stays with the live events, and the rest still fire in order. */
static void test_mass_cancel(void **state)
{
	(void)state;
	esc_event_queue *sim = esc_event_queue_new();
	world w = { .sim = sim, .quiet = 1 };
	sm_state = 42;
	for (int i = 0; i < 5000; i++)
		w_schedule(&w, (double)below(1000));
	for (size_t i = 0; i < w.nev; i++)
		if (i % 10 != 0) {
			assert_int_equal(esc_event_queue_cancel(sim, w.ev[i].id), 1);
			w.ev[i].pending = 0;
		}
	assert_int_equal(esc_event_queue_pending(sim), 500);
	assert_true(sim->n <= 1000);
	esc_event_queue_run(sim);
	assert_int_equal(w.fired, 500);
	esc_event_queue_reset(sim);
	assert_int_equal(esc_event_queue_pending(sim), 0);
	free(w.ev);
	esc_event_queue_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_randomized_with_rebuilds),
		cmocka_unit_test(test_mass_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
