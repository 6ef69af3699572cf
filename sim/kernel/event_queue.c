/* event_queue.c: the simulation clock and the future event list.
 *
 * Owns esc_event_queue: a 4-ary min-heap of 16-byte entries {time, key} and a pool of
 * slots holding each event's callback.  The heap moves only entries;
 * callbacks stay put in their slot.  Four siblings fill one 64-byte cache
 * line (the array is offset so that every sibling group is aligned), the
 * smallest of four is picked without branches, and a pop walks the hole
 * down to a leaf before placing the last entry (bottom-up), which saves the
 * comparison with it at every level; the level below and the next event's
 * slot are prefetched, which halves the cost of an event among 10^5 pending
 * (tests/bench/bench_kernel.c, docs/performance.md).
 *
 * Cancel is lazy: a cancelled event's entry stays in the heap as a "zombie"
 * and is dropped when it reaches the top, so the heap needs no back pointers
 * and sifting touches nothing but the heap.  When zombies outnumber live
 * entries the heap is rebuilt without them, so memory stays proportional to
 * the pending events.
 *
 * Invariants:
 *   - heap[0..n) is a 4-ary heap on (time, key), compared as one 128-bit
 *     unsigned number: the IEEE bits of the time (monotonic for times >= +0;
 *     -0 is stored as +0), then key = seq << 32 | slot.
 *     seq counts schedules and breaks ties in time, so events at one time
 *     fire in the order they were scheduled.  seq fits in 32 bits: when it
 *     would not, the pending entries are renumbered in their order
 *     (rebuild), which keeps that order.
 *   - every index >= n of the heap's allocation (cap + 4 entries) holds the
 *     sentinel (all ones), greater than any entry, so a sibling group is
 *     always read whole.
 *   - each entry's slot is pending (odd generation) or a zombie (even
 *     generation, off the free list); zombies counts the latter.  A slot
 *     is on the free list only if no entry names it.
 *   - an id is (generation << 32 | slot) with an odd generation, so it is
 *     never 0; generations only grow, so an id is never handed out twice;
 *     a slot whose generation would wrap is retired (generation 0, never
 *     freed) instead of being reused.
 *   - every pending event's time is >= now.
 *   - the guard looks (guard_look) after every GUARD_EVERY events of a run
 *     and after the max_fired-th; without a guard, after 2^64 - 1, which
 *     no run reaches.
 * The heap order, the clock's and the zombie count's are asserted at O(1)
 * per operation (ordered_at where a push or pop leaves an entry, the time
 * of each event fired); the bench build compiles them out (NDEBUG).
 */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/event_queue.h"

#define FREE_END UINT32_MAX      /* end of the free list */
#define INITIAL_CAP 64u
#define PAD 4u                   /* sentinel entries past cap */
#define LINE 64u
#define GUARD_EVERY 1024u        /* events between looks of the runaway guard */

/* Largest seq before a renumbering; a test build lowers it to exercise
 * rebuild. */
#ifndef ESC_SEQ_MAX
#define ESC_SEQ_MAX UINT32_MAX
#endif

__extension__ typedef unsigned __int128 u128;

/* The time stays a double in memory, stored from and loaded into floating
 * point registers as the clock uses it; only comparisons read its bits.
 * (Keeping the bits as an integer put two register-file crossings on every
 * event's time: 2 ns per event with one pending event.) */
typedef struct heap_entry {
	double t;                     /* >= +0 */
	uint64_t key;                 /* seq << 32 | slot */
} heap_entry;

typedef struct slot {
	esc_event_fn fn;
	void *ctx;
	void *arg;
	uint32_t next;                /* free: next free slot */
	uint32_t gen;                 /* odd: pending; even: free, fired or zombie */
} slot;

struct esc_event_queue {
	double now;                   /* first: esc_event_queue_now reads it inline */
	heap_entry *heap;             /* heap[0] sits 16 bytes before a line */
	slot *slots;
	uint32_t n;                   /* heap entries, zombies included */
	uint32_t zombies;
	uint32_t free_head;
	uint32_t nslots;              /* slots ever handed out (pending, free or retired) */
	uint32_t cap;                 /* capacity of both arrays */
	int stopped;
	double until;                 /* fire while the next time <= until; stop sets -inf */
	uint64_t seq;
	uint64_t fired;
	uint64_t nested;              /* events fired by runs inside callbacks */
	int depth;                    /* runs in progress */
	esc_event_queue_guard guard;
	esc_event_queue_trip tripped;
	double instant;               /* the time the guard last saw, */
	uint64_t instant_fired;       /* and fired when it first saw it */
	void *heap_mem;               /* the allocation behind heap */
};

_Static_assert(offsetof(struct esc_event_queue, now) == 0, "esc_event_queue_now reads the clock first");

/* All ones: its time's bits are above +inf's, so it sorts after any entry. */
static const union { uint64_t bits[2]; heap_entry e; } sentinel = { { UINT64_MAX, UINT64_MAX } };
#define SENTINEL (sentinel.e)

static inline u128 key_of(const heap_entry *e)
{
	uint64_t tb;
	memcpy(&tb, &e->t, sizeof tb);
	return (u128)tb << 64 | e->key;
}

static inline int before(const heap_entry *a, const heap_entry *b)
{
	return key_of(a) < key_of(b);
}

/* A heap array for cap entries plus the sentinel pad, offset so heap[1] is
 * at a line boundary; filled with sentinels from `from` on. */
static heap_entry *heap_alloc(uint32_t cap, void **mem)
{
	size_t bytes = ((size_t)cap + PAD) * sizeof(heap_entry) + LINE;
	bytes = (bytes + LINE - 1) / LINE * LINE;     /* aligned_alloc wants a multiple */
	unsigned char *p = aligned_alloc(LINE, bytes);
	if (!p)
		return NULL;
	*mem = p;
	heap_entry *h = (heap_entry *)(p + LINE - sizeof(heap_entry));
	for (uint32_t i = 0; i < cap + PAD; i++)
		h[i] = SENTINEL;
	return h;
}

esc_event_queue *esc_event_queue_new(void)
{
	esc_event_queue *sim = calloc(1, sizeof *sim);
	if (!sim)
		return NULL;
	sim->heap = heap_alloc(INITIAL_CAP, &sim->heap_mem);
	sim->slots = malloc(INITIAL_CAP * sizeof *sim->slots);
	if (!sim->heap || !sim->slots) {
		esc_event_queue_free(sim);
		return NULL;
	}
	sim->cap = INITIAL_CAP;
	sim->free_head = FREE_END;
	return sim;
}

void esc_event_queue_free(esc_event_queue *sim)
{
	if (!sim)
		return;
	free(sim->heap_mem);
	free(sim->slots);
	free(sim);
}

/* Doubling; both arrays share one capacity because the heap never holds more
 * entries than there are slots. */
static int grow(esc_event_queue *sim)
{
	if (sim->cap >= FREE_END / 2)
		return -1;             /* slot indices must stay below FREE_END */
	uint32_t cap = sim->cap * 2;
	void *mem;
	heap_entry *h = heap_alloc(cap, &mem);
	if (!h)
		return -1;
	slot *s = realloc(sim->slots, (size_t)cap * sizeof *s);
	if (!s) {
		free(mem);
		return -1;
	}
	memcpy(h, sim->heap, (size_t)sim->n * sizeof *h);
	free(sim->heap_mem);
	sim->heap = h;
	sim->heap_mem = mem;
	sim->slots = s;
	sim->cap = cap;
	return 0;
}

/* ---- slots ------------------------------------------------------------ */

/* A slot never used before; out of line, since the free list serves almost
 * every request once a run has warmed up. */
__attribute__((noinline, cold)) static uint32_t slot_fresh(esc_event_queue *sim)
{
	if (sim->nslots == sim->cap && grow(sim))
		return FREE_END;
	uint32_t i = sim->nslots++;
	sim->slots[i].gen = 0;
	return i;
}

static inline uint32_t slot_take(esc_event_queue *sim)
{
	uint32_t i = sim->free_head;
	if (__builtin_expect(i != FREE_END, 1)) {
		sim->free_head = sim->slots[i].next;
	} else {
		i = slot_fresh(sim);
		if (i == FREE_END)
			return FREE_END;
	}
	sim->slots[i].gen++;       /* even -> odd: pending */
	return i;
}

/* Pending -> not pending: its id dies.  Returns 0 if the slot can be reused,
 * -1 if it is retired (the generation would wrap to 0 and later re-issue old
 * ids; after 2^31 events through one slot, 32 bytes are lost). */
static inline int slot_kill(slot *s)
{
	if (__builtin_expect(s->gen == UINT32_MAX, 0)) {
		s->gen = 0;
		return -1;
	}
	s->gen++;                  /* odd -> even */
	return 0;
}

static inline void slot_free(esc_event_queue *sim, uint32_t i)
{
	sim->slots[i].next = sim->free_head;
	sim->free_head = i;
}

/* A zombie's entry has left the heap: its slot becomes free, unless it was
 * retired (generation 0). */
static inline void zombie_gone(esc_event_queue *sim, uint32_t i)
{
	sim->zombies--;
	if (sim->slots[i].gen != 0)
		slot_free(sim, i);
}

/* ---- the heap ------------------------------------------------------------ */

/* An entry is written as two 8-byte halves (the time from a floating point
 * register) and must be read back the same way: a 16-byte load of an entry
 * stored in halves a moment ago cannot be forwarded from the store buffer
 * and waits for the stores to retire, 2-3 ns in a small heap where the
 * entry just scheduled is the next to move.  So entries move field by
 * field. */
static inline heap_entry get(const heap_entry *src)
{
	heap_entry e;
	e.t = src->t;
	e.key = src->key;
	return e;
}

static inline void put(heap_entry *dst, heap_entry e)
{
	dst->t = e.t;
	dst->key = e.key;
}

/* Index of the smallest of heap[c..c+3], without branches. */
static inline uint32_t min4(const heap_entry *h, uint32_t c)
{
	uint32_t a = c + (uint32_t)before(&h[c + 1], &h[c]);
	uint32_t b = c + 2 + (uint32_t)before(&h[c + 3], &h[c + 2]);
	return before(&h[b], &h[a]) ? b : a;
}

/* Place e at pos or above it; where it came to rest. */
static inline uint32_t sift_up(heap_entry *h, uint32_t pos, heap_entry e)
{
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 4;
		if (!before(&e, &h[parent]))
			break;
		put(&h[pos], get(&h[parent]));
		pos = parent;
	}
	put(&h[pos], e);
	return pos;
}

/* Heap order around pos (< n): its parent is not after it, and it is not
 * after the least of its children.  O(1), asserted where an entry comes
 * to rest after a push or a pop (and at the top after a pop), so a broken
 * sift shows at the operation that broke it, without a scan of the heap. */
static inline int ordered_at(const heap_entry *h, uint32_t pos, uint32_t n)
{
	if (pos > 0 && before(&h[pos], &h[(pos - 1) / 4]))
		return 0;
	uint32_t c = 4 * pos + 1;      /* a group past n is sentinels, read whole */
	return c >= n || !before(&h[min4(h, c)], &h[pos]);
}

/* Remove heap[0]; n > 0. */
static inline void pop_top(esc_event_queue *sim)
{
	heap_entry *h = sim->heap;
	uint32_t n = --sim->n;
	heap_entry e = get(&h[n]);
	h[n] = SENTINEL;
	if (n == 0)
		return;
	/* Bottom-up: move the hole to a leaf along the smallest children, then
	 * let the last entry (usually a large one) rise from there. */
	uint32_t pos = 0, c;
	while ((c = 4 * pos + 1) < n) {
		/* The next level's group is one of four lines in a row: ask for
		 * them now, so their latency overlaps this level's comparisons. */
		uint32_t g = 4 * c + 1;
		if (g < n) {
			const char *next = (const char *)&h[g];
			__builtin_prefetch(next);
			__builtin_prefetch(next + 64);
			__builtin_prefetch(next + 128);
			__builtin_prefetch(next + 192);
		}
		uint32_t m = min4(h, c);
		put(&h[pos], get(&h[m]));
		pos = m;
	}
	pos = sift_up(h, pos, e);
	assert(ordered_at(h, pos, n) && ordered_at(h, 0, n));
	(void)pos;
}

static int cmp_entry(const void *a, const void *b)
{
	u128 x = key_of(a), y = key_of(b);
	return (x > y) - (x < y);
}

/* Drop the zombies and renumber the pending entries 0, 1, ... in their
 * order: a sorted array is a heap, and (time, new seq) orders the entries
 * exactly as (time, old seq) did.  O(n log n), run when zombies outnumber
 * live entries or seq runs out, so O(log n) per cancel or schedule at most,
 * amortized. */
static void rebuild(esc_event_queue *sim)
{
	heap_entry *h = sim->heap;
	uint32_t n = sim->n, k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = (uint32_t)h[i].key;
		if (sim->slots[s].gen & 1u)
			h[k++] = h[i];
		else
			zombie_gone(sim, s);
	}
	for (uint32_t i = k; i < n; i++)
		h[i] = SENTINEL;
	qsort(h, k, sizeof *h, cmp_entry);
	for (uint32_t i = 0; i < k; i++)
		h[i].key = (uint64_t)i << 32 | (uint32_t)h[i].key;
	sim->n = k;
	sim->seq = k;
}

/* ---- the API ------------------------------------------------------------- */

void esc_event_queue_reset(esc_event_queue *sim)
{
	/* Kill pending slots rather than forgetting all slots, so their
	 * generations move on and ids from before the reset stay dead. */
	for (uint32_t k = 0; k < sim->n; k++) {
		uint32_t i = (uint32_t)sim->heap[k].key;
		slot *s = &sim->slots[i];
		if (s->gen & 1u) {
			if (slot_kill(s) == 0)
				slot_free(sim, i);
		} else {
			zombie_gone(sim, i);
		}
		sim->heap[k] = SENTINEL;
	}
	sim->n = 0;
	sim->zombies = 0;
	sim->now = 0.0;
	sim->seq = 0;
	sim->fired = 0;
	sim->nested = 0;
	sim->stopped = 0;
	esc_event_queue_set_guard(sim, &sim->guard);
}

/* ---- the runaway guard ------------------------------------------------------ */

static int has_guard(const esc_event_queue_guard *g)
{
	return g->max_fired || g->max_same_instant || g->interrupt;
}

/* Events to fire before the guard's next look (>= 1): GUARD_EVERY, or
 * fewer to look right after the max_fired-th; without a guard, never. */
static uint64_t guard_gap(const esc_event_queue *sim)
{
	if (!has_guard(&sim->guard))
		return UINT64_MAX;
	uint64_t gap = GUARD_EVERY, max = sim->guard.max_fired;
	if (max > sim->fired && max - sim->fired < gap)
		gap = max - sim->fired;
	return gap;
}

void esc_event_queue_set_guard(esc_event_queue *sim, const esc_event_queue_guard *guard)
{
	esc_event_queue_guard g = *guard;          /* guard may be &sim->guard */
	sim->guard = g;
	sim->tripped = ESC_EVENT_QUEUE_RUNNING;
	sim->instant = sim->now;
	sim->instant_fired = sim->fired;
}

esc_event_queue_trip esc_event_queue_tripped(const esc_event_queue *sim) { return sim->tripped; }

/* After an event: stop the run if a limit is passed; the events to fire
 * before the next look.  Time is monotonic, so if it is where it was at
 * the last look, every event since fired at that time. */
__attribute__((noinline, cold)) static uint64_t guard_look(esc_event_queue *sim)
{
	const esc_event_queue_guard *g = &sim->guard;
	if (sim->now != sim->instant) {
		sim->instant = sim->now;
		sim->instant_fired = sim->fired - 1;
	}
	esc_event_queue_trip trip = ESC_EVENT_QUEUE_RUNNING;
	if (g->interrupt && *g->interrupt)
		trip = ESC_EVENT_QUEUE_INTERRUPTED;
	else if (g->max_fired && sim->fired >= g->max_fired)
		trip = ESC_EVENT_QUEUE_TOO_MANY_EVENTS;
	else if (g->max_same_instant && sim->fired - sim->instant_fired > g->max_same_instant)
		trip = ESC_EVENT_QUEUE_TIME_STANDS_STILL;
	if (trip) {
		sim->tripped = trip;
		esc_event_queue_stop(sim);
	}
	return guard_gap(sim);
}

size_t esc_event_queue_pending(const esc_event_queue *sim) { return sim->n - sim->zombies; }
uint64_t esc_event_queue_fired(const esc_event_queue *sim) { return sim->fired; }

/* The entry of a new event in slot i. */
static inline esc_event_id push_event(esc_event_queue *sim, uint32_t i, double t_h, esc_event_fn fn,
                                      void *ctx, void *arg)
{
	slot *s = &sim->slots[i];
	s->fn = fn;
	s->ctx = ctx;
	s->arg = arg;
	heap_entry e = { t_h, sim->seq++ << 32 | i };
	uint32_t at = sift_up(sim->heap, sim->n++, e);
	assert(ordered_at(sim->heap, at, sim->n) && sim->n <= sim->cap);
	(void)at;
	return (uint64_t)s->gen << 32 | i;
}

/* Everything the common path leaves out: a time not after now (clamped, or
 * NaN refused), no callback, seq run out, no free slot. */
__attribute__((noinline, cold)) static esc_event_id schedule_slow(esc_event_queue *sim, double t_h,
                                                                 esc_event_fn fn, void *ctx,
                                                                 void *arg)
{
	/* The past is not reachable (that keeps the heap causal), -0 at time 0
	 * becomes +0 (the heap orders the bits of times >= +0), NaN is
	 * refused. */
	if (!(t_h > sim->now)) {
		if (isnan(t_h))
			return ESC_EVENT_NONE;
		t_h = sim->now;
	}
	if (!fn)
		return ESC_EVENT_NONE;
	if (sim->seq > ESC_SEQ_MAX)
		rebuild(sim);
	uint32_t i = slot_take(sim);
	if (i == FREE_END)
		return ESC_EVENT_NONE;
	return push_event(sim, i, t_h, fn, ctx, arg);
}

esc_event_id esc_event_queue_schedule(esc_event_queue *sim, double t_h, esc_event_fn fn,
                                      void *ctx, void *arg)
{
	/* The common path tests its four conditions with as few branches as
	 * the compiler can make of them and calls nothing, so it needs no stack
	 * frame.  A time test rather than a max, which would add its latency
	 * to every event's time. */
	uint32_t i = sim->free_head;
	if (__builtin_expect(!(t_h > sim->now), 0) || __builtin_expect(!fn, 0) ||
	    __builtin_expect(sim->seq > ESC_SEQ_MAX, 0) || __builtin_expect(i == FREE_END, 0))
		return schedule_slow(sim, t_h, fn, ctx, arg);
	sim->free_head = sim->slots[i].next;
	sim->slots[i].gen++;       /* even -> odd: pending */
	return push_event(sim, i, t_h, fn, ctx, arg);
}

/* The slot of a live id, or FREE_END. */
static inline uint32_t live_slot(const esc_event_queue *sim, esc_event_id id)
{
	uint32_t i = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (!(gen & 1u) || i >= sim->nslots || sim->slots[i].gen != gen)
		return FREE_END;
	return i;
}

int esc_event_queue_cancel(esc_event_queue *sim, esc_event_id id)
{
	uint32_t i = live_slot(sim, id);
	if (i == FREE_END)
		return 0;
	/* Its entry stays until it reaches the top (or a rebuild); the slot is
	 * not freed before, since the entry still names it. */
	slot_kill(&sim->slots[i]);
	sim->zombies++;
	assert(sim->zombies <= sim->n);
	if (sim->zombies > 32 && sim->zombies > sim->n / 2)
		rebuild(sim);
	return 1;
}

int esc_event_queue_is_pending(const esc_event_queue *sim, esc_event_id id)
{
	return live_slot(sim, id) != FREE_END;
}

/* The loop behind run and run_until.  One test per event: the next time
 * against sim->until, which is the bound, or -inf once a callback has called
 * esc_event_queue_stop; an empty heap's top is the sentinel, whose time is a NaN and
 * passes no test.  The slot is freed before the callback runs, so inside it
 * the event is no longer pending (cancelling it returns 0) and its slot can
 * carry the next event at once.  A callback may run the simulation itself:
 * the outer loop's bound comes back afterwards, unless a stop must end it
 * too. */
static uint64_t fire_through(esc_event_queue *sim, double t_end_h)
{
	/* left, the guard's countdown, takes the register a count of this
	 * run's events would: one decrement and a branch per event.  This
	 * run's events are those fired less those of runs nested in its
	 * callbacks, which count their own (and leave the guard to look a
	 * little later here, never wrongly). */
	volatile uint64_t start = sim->fired - sim->nested;  /* on the stack: no register */
	uint64_t left = guard_gap(sim);
	double outer = sim->until;
	sim->depth++;
	sim->stopped = 0;
	sim->until = t_end_h;
	for (;;) {
		heap_entry *h = sim->heap;
		double t = h[0].t;
		if (!(t <= sim->until))
			break;
		uint32_t i = (uint32_t)h[0].key;
		pop_top(sim);
		slot *s = &sim->slots[i];
		/* The next event's slot, while this one's callback runs. */
		if (sim->n > 0)
			__builtin_prefetch(&sim->slots[(uint32_t)h[0].key]);
		if (__builtin_expect(!(s->gen & 1u), 0)) {
			zombie_gone(sim, i);         /* cancelled: nothing fires */
			continue;
		}
		assert(t >= sim->now);          /* no event lies in the past */
		esc_event_fn fn = s->fn;
		void *ctx = s->ctx, *arg = s->arg;
		if (slot_kill(s) == 0)
			slot_free(sim, i);
		sim->now = t;
		sim->fired++;
		fn(sim, ctx, arg);
		if (__builtin_expect(--left == 0, 0))
			left = guard_look(sim);
	}
	sim->until = sim->stopped ? -INFINITY : outer;
	uint64_t count = sim->fired - sim->nested - start;
	if (--sim->depth > 0)
		sim->nested += count;
	return count;
}

uint64_t esc_event_queue_run_until(esc_event_queue *sim, double t_end_h)
{
	uint64_t count = fire_through(sim, t_end_h);
	/* After a stop the clock stays at the stopping event: events between it
	 * and t_end_h are still pending and must not lie in the past.  An
	 * infinite bound means "run everything"; the clock does not jump to it. */
	if (!sim->stopped && t_end_h > sim->now && isfinite(t_end_h))
		sim->now = t_end_h;
	return count;
}

uint64_t esc_event_queue_run(esc_event_queue *sim)
{
	return fire_through(sim, INFINITY);
}

void esc_event_queue_stop(esc_event_queue *sim)
{
	sim->stopped = 1;
	sim->until = -INFINITY;
}
int esc_event_queue_stopped(const esc_event_queue *sim) { return sim->stopped; }
