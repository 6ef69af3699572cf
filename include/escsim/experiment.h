/* experiment.h: experiment files (escsim sweep/compare --experiment).
 *
 * An experiment file is Lua in the scenario language's conventions: it
 * runs in the same sandbox (minutes(), hours(), days(), distributions ...)
 * and returns experiment{...}:
 *
 *   return experiment {
 *     scenario = "../scenarios/golan_2026.lua",   -- beside this file
 *     replications = 100, seed = 42,
 *     design = "saltelli", points = 256,          -- sweep only
 *     vary = {
 *       { "cell.accuracy", from = 0.5, to = 1 },
 *       { "cell.latency", from = "15m", to = "12h", scale = "log" },
 *       { "cell.operators", values = { 1, 2, 3 } },
 *     },
 *     arms = {
 *       { "cell", set = { cell = { enabled = true } } },
 *       { "no_cell", set = { ["cell.enabled"] = false } },
 *     },
 *     set = { horizon = days(180) },              -- every arm, as --set
 *     outputs = { file = "cell-sobol.h5", events = false },
 *   }
 *
 * Loading checks every key of the file the way a scenario's are checked
 * (an unknown key names the nearest known one), and each error starts with
 * FILE:LINE of the experiment{} call.  What the file asks for comes back in
 * the command line's forms: arms and `set` as KEY=VALUE overrides (a table
 * in `set` is a path: cell = {enabled = true} is cell.enabled=true; a
 * string value is a Lua string, a distribution its constructor), each
 * varied key as KEY=SPEC, so that the keys are checked against the
 * scenario where --set, --arm and --vary are.
 */
#ifndef ESCSIM_EXPERIMENT_H
#define ESCSIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"

typedef struct esc_experiment_arm {
	char *name;
	char **overrides;          /* KEY=VALUE */
	size_t n_overrides;
} esc_experiment_arm;

typedef struct esc_experiment {
	char *path;                /* the file, as given */
	char *site;                /* "FILE:LINE" of experiment{}, for messages */
	char *name, *description;  /* NULL when not given */
	char *scenario;            /* beside the file (its folder prefixed), or NULL */
	int64_t reps;              /* -1: not given */
	int64_t seed;              /* -1: not given */
	char *design;              /* NULL: not given */
	int64_t points;            /* 0: not given */
	int64_t levels;            /* 0: not given */
	char **vary;               /* KEY=SPEC */
	size_t n_vary;
	esc_experiment_arm *arms;
	size_t n_arms;
	char **sets;               /* KEY=VALUE, `horizon` among them */
	char **set_labels;         /* per set, for messages: "FILE:LINE: set 'KEY=VALUE'" */
	size_t n_sets;
	char *out;                 /* outputs.file, or NULL */
	int events;                /* outputs.events: -1 not given, 0, 1 */
} esc_experiment;

/* Load and check PATH into *x (free with esc_experiment_free, also after an
 * error).  ESC_ERR_INPUT with "FILE:LINE: what" for a bad file,
 * ESC_ERR_RUNTIME when out of memory. */
int esc_experiment_load(const char *path, esc_experiment *x, esc_error *err);
void esc_experiment_free(esc_experiment *x);

#endif
