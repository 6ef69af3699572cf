/* engine.h: what policy hooks may ask of and do to a running replication.
 *
 * Every function takes the esc_engine from the hook's context and is valid
 * only during that hook call.  Queries are read-only; actions are validated
 * like any decision and return ESC_ERR_INPUT with a message on bad input.
 * Party, type and zone arguments are configuration indices. */
#ifndef ESCSIM_ENGINE_H
#define ESCSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "escsim/error.h"
#include "escsim/outcome.h"
#include "escsim/policy.h"

const struct esc_config *esc_engine_config(const esc_engine *e);
double esc_engine_now(const esc_engine *e);

/* Ladder level of the directed pair now (decayed). */
double esc_engine_ladder(const esc_engine *e, int from, int to);

/* Current regime state, or -1 without a chain. */
int esc_engine_regime(const esc_engine *e);

/* 1 if the cell would take a request from `party` now (enabled, party a
 * member, up, not suspended). */
int esc_engine_cell_up(const esc_engine *e, int party);

/* Incidents that started in the last window_h hours, oldest first: copies up
 * to max rows into out and returns how many there were in all. */
size_t esc_engine_recent(const esc_engine *e, double window_h, esc_event_row *out, size_t max);

/* The party's own random stream positioned at `key` (for hooks run on no
 * party's behalf, such as triggers in on_event: key is the call's). */
gsl_rng *esc_engine_stream(esc_engine *e, int party, uint64_t key);

/* Call the policy's on_timer(token) for `party` dt_h hours from now. */
int esc_engine_schedule(esc_engine *e, int party, double dt_h, int64_t token, esc_error *err);

/* Act now as `party` with a decision (protest, query or retaliate), about
 * the incident with event id `about` (-1: none; then a retaliation needs a
 * target and a zone, and a query is refused). */
int esc_engine_act(esc_engine *e, int party, const esc_decision *d, int64_t about, esc_error *err);

/* Record value under `key` (1 to 31 characters) at the current time: a row
 * of /arms/<ARM>/log (rep, t_h, party, key, value). */
int esc_engine_log(esc_engine *e, int party, const char *key, double value, esc_error *err);

#endif
