/* event_queue.c: the simulation clock and the future event list.
 *
 * Owns esc_sim: a 4-ary min-heap of small entries {t, seq, slot} ordered by
 * (t, seq), and a pool of slots holding each pending event's callback.  The
 * heap moves only 24-byte entries; callbacks stay put in their slot, and each
 * slot records where its entry sits in the heap so cancel is O(log n).
 *
 * Invariants:
 *   - heap[0..n) is a 4-ary heap on (t, seq); every pending event has exactly
 *     one entry, and slots[e.slot].heap_pos is that entry's index.
 *   - a slot's generation is odd while it holds a pending event and even
 *     while it is free; an id is (generation << 32 | slot), so a live id
 *     always has an odd (hence non-zero) generation and is never 0.
 *   - generations only grow, so an id is never handed out twice; a slot whose
 *     generation would wrap is retired instead of being reused.
 *   - every pending event's time is >= now.
 */
#include <math.h>
#include <stdlib.h>

#include "escsim/event_queue.h"

#define FREE_END UINT32_MAX      /* end of the free list */
#define INITIAL_CAP 64u
#define ARITY 4u                  /* 4 children share a cache line or two */

typedef struct heap_entry {
	double t;
	uint64_t seq;                 /* insertion order breaks ties in t */
	uint32_t slot;
} heap_entry;

typedef struct slot {
	esc_event_fn fn;
	void *ctx;
	void *arg;
	uint32_t heap_pos;            /* pending: index in heap; free: next free slot */
	uint32_t gen;                 /* odd: pending, even: free */
} slot;

struct esc_sim {
	double now;
	heap_entry *heap;
	slot *slots;
	uint32_t n;                   /* pending events (heap size) */
	uint32_t nslots;              /* slots ever handed out (pending, free or retired) */
	uint32_t cap;                 /* capacity of both arrays: heap size <= nslots <= cap */
	uint32_t free_head;
	uint64_t seq;
	uint64_t fired;
	int stopped;
};

static inline int before(const heap_entry *a, const heap_entry *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

esc_sim *esc_sim_new(void)
{
	esc_sim *sim = calloc(1, sizeof *sim);
	if (!sim)
		return NULL;
	sim->heap = malloc(INITIAL_CAP * sizeof *sim->heap);
	sim->slots = malloc(INITIAL_CAP * sizeof *sim->slots);
	if (!sim->heap || !sim->slots) {
		esc_sim_free(sim);
		return NULL;
	}
	sim->cap = INITIAL_CAP;
	sim->free_head = FREE_END;
	return sim;
}

void esc_sim_free(esc_sim *sim)
{
	if (!sim)
		return;
	free(sim->heap);
	free(sim->slots);
	free(sim);
}

/* Doubling; both arrays share one capacity because the heap never holds more
 * entries than there are slots. */
static int grow(esc_sim *sim)
{
	if (sim->cap >= FREE_END / 2)
		return -1;             /* slot indices must stay below FREE_END */
	uint32_t cap = sim->cap * 2;
	heap_entry *h = realloc(sim->heap, (size_t)cap * sizeof *h);
	if (!h)
		return -1;
	sim->heap = h;
	slot *s = realloc(sim->slots, (size_t)cap * sizeof *s);
	if (!s)
		return -1;             /* the larger heap array is harmless */
	sim->slots = s;
	sim->cap = cap;
	return 0;
}

/* A slot never used before; out of line, since the free list serves almost
 * every request once a run has warmed up. */
__attribute__((noinline, cold)) static uint32_t slot_fresh(esc_sim *sim)
{
	if (sim->nslots == sim->cap && grow(sim))
		return FREE_END;
	uint32_t i = sim->nslots++;
	sim->slots[i].gen = 0;
	return i;
}

static inline uint32_t slot_take(esc_sim *sim)
{
	uint32_t i = sim->free_head;
	if (__builtin_expect(i != FREE_END, 1)) {
		sim->free_head = sim->slots[i].heap_pos;
	} else {
		i = slot_fresh(sim);
		if (i == FREE_END)
			return FREE_END;
	}
	sim->slots[i].gen++;       /* even -> odd: pending */
	return i;
}

static inline void slot_release(esc_sim *sim, uint32_t i)
{
	slot *s = &sim->slots[i];
	if (s->gen == UINT32_MAX) {
		/* Bumping would wrap to 0 and later re-issue old ids: retire the
		 * slot for good (after 2^31 events through it, 32 bytes lost). */
		s->gen = 0;
		return;
	}
	s->gen++;                  /* odd -> even: free */
	s->heap_pos = sim->free_head;
	sim->free_head = i;
}

/* Move e up from the hole at pos; holes avoid swapping at every level. */
static inline void sift_up(esc_sim *sim, uint32_t pos, heap_entry e)
{
	heap_entry *h = sim->heap;
	while (pos > 0) {
		uint32_t parent = (pos - 1) / ARITY;
		if (!before(&e, &h[parent]))
			break;
		h[pos] = h[parent];
		sim->slots[h[pos].slot].heap_pos = pos;
		pos = parent;
	}
	h[pos] = e;
	sim->slots[e.slot].heap_pos = pos;
}

static inline void sift_down(esc_sim *sim, uint32_t pos, heap_entry e)
{
	heap_entry *h = sim->heap;
	uint32_t n = sim->n;
	for (;;) {
		uint32_t c = pos * ARITY + 1;
		if (c >= n)
			break;
		uint32_t end = c + ARITY < n ? c + ARITY : n, m = c;
		for (uint32_t k = c + 1; k < end; k++)
			if (before(&h[k], &h[m]))
				m = k;
		if (!before(&h[m], &e))
			break;
		h[pos] = h[m];
		sim->slots[h[pos].slot].heap_pos = pos;
		pos = m;
	}
	h[pos] = e;
	sim->slots[e.slot].heap_pos = pos;
}

/* Remove the entry at pos, filling its place with the last entry. */
static inline void heap_remove(esc_sim *sim, uint32_t pos)
{
	uint32_t last = --sim->n;
	if (pos == last)
		return;
	heap_entry e = sim->heap[last];
	if (pos > 0 && before(&e, &sim->heap[(pos - 1) / ARITY]))
		sift_up(sim, pos, e);
	else
		sift_down(sim, pos, e);
}

void esc_sim_reset(esc_sim *sim)
{
	/* Release pending slots rather than forgetting all slots, so their
	 * generations move on and ids from before the reset stay dead. */
	for (uint32_t k = 0; k < sim->n; k++)
		slot_release(sim, sim->heap[k].slot);
	sim->n = 0;
	sim->now = 0.0;
	sim->seq = 0;
	sim->fired = 0;
	sim->stopped = 0;
}

double esc_sim_now(const esc_sim *sim) { return sim->now; }
size_t esc_sim_pending(const esc_sim *sim) { return sim->n; }
uint64_t esc_sim_fired(const esc_sim *sim) { return sim->fired; }

esc_event_id esc_sim_schedule(esc_sim *sim, double t_h, esc_event_fn fn,
                              void *ctx, void *arg)
{
	if (isnan(t_h) || !fn)
		return ESC_EVENT_NONE;
	if (t_h < sim->now)
		t_h = sim->now;    /* the past is not reachable; keeps the heap causal */
	uint32_t i = slot_take(sim);
	if (i == FREE_END)
		return ESC_EVENT_NONE;
	slot *s = &sim->slots[i];
	s->fn = fn;
	s->ctx = ctx;
	s->arg = arg;
	heap_entry e = { t_h, sim->seq++, i };
	sift_up(sim, sim->n++, e);
	return (uint64_t)s->gen << 32 | i;
}

esc_event_id esc_sim_schedule_in(esc_sim *sim, double dt_h, esc_event_fn fn,
                                 void *ctx, void *arg)
{
	return esc_sim_schedule(sim, sim->now + dt_h, fn, ctx, arg);
}

/* The slot of a live id, or FREE_END. */
static inline uint32_t live_slot(const esc_sim *sim, esc_event_id id)
{
	uint32_t i = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (!(gen & 1u) || i >= sim->nslots || sim->slots[i].gen != gen)
		return FREE_END;
	return i;
}

int esc_sim_cancel(esc_sim *sim, esc_event_id id)
{
	uint32_t i = live_slot(sim, id);
	if (i == FREE_END)
		return 0;
	heap_remove(sim, sim->slots[i].heap_pos);
	slot_release(sim, i);
	return 1;
}

int esc_sim_is_pending(const esc_sim *sim, esc_event_id id)
{
	return live_slot(sim, id) != FREE_END;
}

/* The loop behind run and run_until.  The slot is released before the
 * callback runs, so inside it the event is no longer pending (cancelling it
 * returns 0) and its slot can carry the next event at once. */
static uint64_t fire_through(esc_sim *sim, double t_end_h)
{
	uint64_t count = 0;
	sim->stopped = 0;
	while (sim->n > 0 && !sim->stopped) {
		heap_entry top = sim->heap[0];
		if (!(top.t <= t_end_h))
			break;
		if (--sim->n > 0)
			sift_down(sim, 0, sim->heap[sim->n]);
		slot *s = &sim->slots[top.slot];
		esc_event_fn fn = s->fn;
		void *ctx = s->ctx, *arg = s->arg;
		slot_release(sim, top.slot);
		sim->now = top.t;
		sim->fired++;
		count++;
		fn(sim, ctx, arg);
	}
	return count;
}

uint64_t esc_sim_run_until(esc_sim *sim, double t_end_h)
{
	uint64_t count = fire_through(sim, t_end_h);
	/* After a stop the clock stays at the stopping event: events between it
	 * and t_end_h are still pending and must not lie in the past.  An
	 * infinite bound means "run everything"; the clock does not jump to it. */
	if (!sim->stopped && t_end_h > sim->now && isfinite(t_end_h))
		sim->now = t_end_h;
	return count;
}

uint64_t esc_sim_run(esc_sim *sim)
{
	return fire_through(sim, INFINITY);
}

void esc_sim_stop(esc_sim *sim) { sim->stopped = 1; }
int esc_sim_stopped(const esc_sim *sim) { return sim->stopped; }
