/* event_queue.h: the discrete-event kernel's clock and future event list.
 *
 * An esc_event_queue owns a clock (hours, double) and a queue of pending
 * events.  An event is a callback with two opaque pointers, fired at an
 * absolute time.
 * Events fire in order of (time, insertion sequence): two events at the same
 * time fire in the order they were scheduled, so runs are deterministic.
 *
 * Scheduling returns an esc_event_id that stays valid until the event fires
 * or is cancelled; cancelling a fired, cancelled or unknown id is harmless and
 * returns 0.  Ids are never reused within the life of an esc_event_queue (a
 * slot index plus a generation count).
 *
 * The kernel knows nothing of what the events mean: it would run a queue, a
 * factory or a conflict model alike.  Not thread-safe: one esc_event_queue
 * per replication, used by one thread at a time.
 *
 * Names: esc_event_queue_* for the queue, esc_event_* for its events.
 */
#ifndef ESCSIM_EVENT_QUEUE_H
#define ESCSIM_EVENT_QUEUE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct esc_event_queue esc_event_queue;
typedef uint64_t esc_event_id;

#define ESC_EVENT_NONE ((esc_event_id)0)   /* never returned by schedule */

/* Callback: sim is the running simulation, ctx and arg as given to schedule.
 * It may schedule, cancel and stop. */
typedef void (*esc_event_fn)(esc_event_queue *sim, void *ctx, void *arg);

esc_event_queue *esc_event_queue_new(void);     /* NULL when out of memory */
void esc_event_queue_free(esc_event_queue *sim);

/* Empty the queue and set the clock to 0, keeping allocated memory, so one
 * esc_event_queue serves many replications without allocation. */
void esc_event_queue_reset(esc_event_queue *sim);

/* The clock, in hours.  Inline, since every callback reads it: the clock is
 * esc_event_queue's first member (event_queue.c checks this), which is all
 * callers may assume of the layout. */
static inline double esc_event_queue_now(const esc_event_queue *sim)
{
	return *(const double *)(const void *)sim;
}

size_t esc_event_queue_pending(const esc_event_queue *sim);
uint64_t esc_event_queue_fired(const esc_event_queue *sim);  /* events fired since reset */

/* Schedule fn at absolute time t_h (>= now; an earlier time is clamped to
 * now, NaN is refused).  Returns ESC_EVENT_NONE only when out of memory or t_h
 * is NaN. */
esc_event_id esc_event_queue_schedule(esc_event_queue *sim, double t_h, esc_event_fn fn,
                                      void *ctx, void *arg);

/* Schedule fn dt_h hours from now (dt_h >= 0). */
static inline esc_event_id esc_event_queue_schedule_in(esc_event_queue *sim, double dt_h,
                                                       esc_event_fn fn, void *ctx, void *arg)
{
	return esc_event_queue_schedule(sim, esc_event_queue_now(sim) + dt_h, fn, ctx, arg);
}

/* Remove a pending event.  Returns 1 if it was pending, 0 otherwise. */
int esc_event_queue_cancel(esc_event_queue *sim, esc_event_id id);

/* 1 if id is scheduled and has not fired or been cancelled. */
int esc_event_queue_is_pending(const esc_event_queue *sim, esc_event_id id);

/* Fire events in order while the next one is at time <= t_end_h, then set the
 * clock to t_end_h (if it is later than the clock).  Stops early when a
 * callback calls esc_event_queue_stop.  Returns the number of events fired. */
uint64_t esc_event_queue_run_until(esc_event_queue *sim, double t_end_h);

/* Fire events until the queue is empty or esc_event_queue_stop is called. */
uint64_t esc_event_queue_run(esc_event_queue *sim);

/* Runaway guards, for simulations whose events come from code that may
 * loop (a callback that schedules itself at the same time for ever):
 * max_fired events since the last reset, max_same_instant events at one
 * time, and *interrupt turning non-zero (a signal handler's flag).  They are
 * looked at after every 1024 events of a run (and after the max_fired-th),
 * so they cost a decrement and a branch per event, and a limit on time
 * standing still is seen at most 2048 events late.  A run that trips one
 * stops as esc_event_queue_stop does (a run stopped at max_fired has fired
 * exactly max_fired), and esc_event_queue_tripped says which, until the
 * next reset.  Zero and NULL: no guard (the default).  Set it before a run, not from a
 * callback; it outlives resets. */
typedef struct esc_event_queue_guard {
	uint64_t max_fired;
	uint64_t max_same_instant;
	const volatile sig_atomic_t *interrupt;
} esc_event_queue_guard;

typedef enum esc_event_queue_trip {
	ESC_EVENT_QUEUE_RUNNING = 0,
	ESC_EVENT_QUEUE_TOO_MANY_EVENTS,     /* more than max_fired */
	ESC_EVENT_QUEUE_TIME_STANDS_STILL,   /* more than max_same_instant at one time */
	ESC_EVENT_QUEUE_INTERRUPTED
} esc_event_queue_trip;

void esc_event_queue_set_guard(esc_event_queue *sim, const esc_event_queue_guard *guard);
esc_event_queue_trip esc_event_queue_tripped(const esc_event_queue *sim);

/* From inside a callback: return from run/run_until after this event. */
void esc_event_queue_stop(esc_event_queue *sim);
int esc_event_queue_stopped(const esc_event_queue *sim);

#endif
