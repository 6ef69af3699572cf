/* model.h: one replication of the escalation model.
 *
 * Background incidents arrive from Poisson generators; the target of each
 * observes it after a detection delay and blames a perceived perpetrator drawn
 * from the attribution confusion matrix; its policy decides to ignore,
 * protest, query the cell or retaliate.  A retaliation that waits for the
 * cell is called off when an answer arriving before the deadline shows the
 * suspect did not do it.  A retaliation is itself an incident, observed by its
 * own target.  Each directed pair carries a ladder level that rises with
 * retaliations and decays exponentially.
 *
 * Random streams (common random numbers across arms; docs/model.md has the
 * table): "incidents.<i>" for generator i's arrival times, "regime" for the
 * regime chain and "cell.outage" for the cell's up and down times are drawn
 * in time order; everything else is drawn at keys made from what the draw
 * is about, never from the order things happened in: "keys" for incidents
 * (casualties, detection delay, attribution, children) and messages (the
 * cell's and the channels' answers), "policy.<PARTY>" for a party's hooks,
 * at the key of the decision.  The implementation is in sim/model, one
 * part of the replication per file; sim/model/model_impl.h maps them.
 */
#ifndef ESCSIM_MODEL_H
#define ESCSIM_MODEL_H

#include <signal.h>
#include <stdint.h>
#include "escsim/config.h"
#include "escsim/error.h"
#include "escsim/outcome.h"
#include "escsim/policy.h"
#include "escsim/rng.h"

/* Where the model sends rows besides the replication's summary: every event
 * as it happens (incidents with their attribution, protests) and the daily
 * series at the end of a replication.  Either function may be NULL.  A
 * non-zero return stops the replication with that error. */
typedef struct esc_model_sink {
	void *self;
	int (*event)(void *self, const esc_event_row *row, esc_error *err);
	int (*daily)(void *self, const esc_daily_row *rows, size_t n, esc_error *err);
	int (*message)(void *self, const esc_message_row *row, esc_error *err);
	int (*log)(void *self, const esc_log_row *row, esc_error *err);
} esc_model_sink;

/* Per-worker state reused across replications.  cfg must outlive it. */
typedef struct esc_model esc_model;

esc_model *esc_model_new(const esc_config *cfg, esc_error *err);
void esc_model_free(esc_model *m);

/* Run replication rep with base seed `seed`: streams are reseeded from
 * (seed, rep, source).  Fills *row (on error, only its rep and seed).  On
 * error (a policy failed or returned an invalid decision, the event cap or
 * a limit on simulation steps was hit) returns its status with a message
 * that names the replication and simulated time. */
int esc_model_run(esc_model *m, const esc_policy *policy, esc_streams *streams,
                  uint64_t seed, uint64_t rep, esc_run_row *row, esc_error *err);

/* Stop a replication in progress (ESC_ERR_INTERRUPTED) within a few
 * thousand events once *flag is non-zero: the host's flag, set by its
 * SIGINT/SIGTERM handler.  NULL: never. */
void esc_model_set_interrupt(esc_model *m, const volatile sig_atomic_t *flag);

/* Send events and daily rows of later runs to sink (NULL: nowhere). */
void esc_model_set_sink(esc_model *m, const esc_model_sink *sink);

#endif
