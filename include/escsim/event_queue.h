/* event_queue.h: the discrete-event kernel's clock and future event list.
 *
 * An esc_sim owns a clock (hours, double) and a queue of pending events.  An
 * event is a callback with two opaque pointers, fired at an absolute time.
 * Events fire in order of (time, insertion sequence): two events at the same
 * time fire in the order they were scheduled, so runs are deterministic.
 *
 * Scheduling returns an esc_event_id that stays valid until the event fires
 * or is cancelled; cancelling a fired, cancelled or unknown id is harmless and
 * returns 0.  Ids are never reused within the life of an esc_sim (a slot
 * index plus a generation count).
 *
 * The kernel knows nothing of what the events mean: it would run a queue, a
 * factory or a conflict model alike.  Not thread-safe: one esc_sim per
 * replication, used by one thread at a time.
 */
#ifndef ESCSIM_EVENT_QUEUE_H
#define ESCSIM_EVENT_QUEUE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct esc_sim esc_sim;
typedef uint64_t esc_event_id;

#define ESC_EVENT_NONE ((esc_event_id)0)   /* never returned by schedule */

/* Callback: sim is the running simulation, ctx and arg as given to schedule.
 * It may schedule, cancel and stop. */
typedef void (*esc_event_fn)(esc_sim *sim, void *ctx, void *arg);

esc_sim *esc_sim_new(void);                /* NULL when out of memory */
void esc_sim_free(esc_sim *sim);

/* Empty the queue and set the clock to 0, keeping allocated memory, so one
 * esc_sim serves many replications without allocation. */
void esc_sim_reset(esc_sim *sim);

/* The clock, in hours.  Inline, since every callback reads it: the clock is
 * esc_sim's first member (event_queue.c checks this), which is all callers
 * may assume of the layout. */
static inline double esc_sim_now(const esc_sim *sim)
{
	return *(const double *)(const void *)sim;
}

size_t esc_sim_pending(const esc_sim *sim);
uint64_t esc_sim_fired(const esc_sim *sim);  /* events fired since reset */

/* Schedule fn at absolute time t_h (>= now; an earlier time is clamped to
 * now, NaN is refused).  Returns ESC_EVENT_NONE only when out of memory or t_h
 * is NaN. */
esc_event_id esc_sim_schedule(esc_sim *sim, double t_h, esc_event_fn fn,
                              void *ctx, void *arg);

/* Schedule fn dt_h hours from now (dt_h >= 0). */
static inline esc_event_id esc_sim_schedule_in(esc_sim *sim, double dt_h, esc_event_fn fn,
                                               void *ctx, void *arg)
{
	return esc_sim_schedule(sim, esc_sim_now(sim) + dt_h, fn, ctx, arg);
}

/* Remove a pending event.  Returns 1 if it was pending, 0 otherwise. */
int esc_sim_cancel(esc_sim *sim, esc_event_id id);

/* 1 if id is scheduled and has not fired or been cancelled. */
int esc_sim_is_pending(const esc_sim *sim, esc_event_id id);

/* Fire events in order while the next one is at time <= t_end_h, then set the
 * clock to t_end_h (if it is later than the clock).  Stops early when a
 * callback calls esc_sim_stop.  Returns the number of events fired. */
uint64_t esc_sim_run_until(esc_sim *sim, double t_end_h);

/* Fire events until the queue is empty or esc_sim_stop is called. */
uint64_t esc_sim_run(esc_sim *sim);

/* Runaway guards, for simulations whose events come from code that may
 * loop (a callback that schedules itself at the same time for ever):
 * max_fired events since the last reset, max_same_instant events at one
 * time, and *interrupt turning non-zero (a signal handler's flag).  They are
 * looked at after every 1024 events of a run (and after the max_fired-th),
 * so they cost a decrement and a branch per event, and a limit on time
 * standing still is seen at most 2048 events late.  A run that trips one
 * stops as esc_sim_stop does (a run stopped at max_fired has fired exactly
 * max_fired), and esc_sim_tripped says which, until the next reset.  Zero
 * and NULL: no guard (the default).  Set it before a run, not from a
 * callback; it outlives resets. */
typedef struct esc_sim_guard {
	uint64_t max_fired;
	uint64_t max_same_instant;
	const volatile sig_atomic_t *interrupt;
} esc_sim_guard;

typedef enum esc_sim_trip {
	ESC_SIM_RUNNING = 0,
	ESC_SIM_TOO_MANY_EVENTS,     /* more than max_fired */
	ESC_SIM_TIME_STANDS_STILL,   /* more than max_same_instant at one time */
	ESC_SIM_INTERRUPTED
} esc_sim_trip;

void esc_sim_set_guard(esc_sim *sim, const esc_sim_guard *guard);
esc_sim_trip esc_sim_tripped(const esc_sim *sim);

/* From inside a callback: return from run/run_until after this event. */
void esc_sim_stop(esc_sim *sim);
int esc_sim_stopped(const esc_sim *sim);

#endif
