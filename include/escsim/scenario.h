/* scenario.h: Lua scenarios and policies (the script layer).
 *
 * esc_scenario_load runs a scenario file in a sandboxed Lua 5.4 state: only
 * the safe parts of the standard library, `require` limited to the scenario
 * library folders, text chunks only, a budget of CPU time per call and a
 * memory cap for the state.  The file must return scenario{...}.
 *
 * An arm is the scenario table with overrides applied (KEY=VALUE, KEY a
 * dotted path, VALUE a Lua literal or a duration such as 30m, 2h, 3d, 1w),
 * validated into an esc_config, plus a policy that calls the arm's Lua hooks.
 *
 * One esc_scenario is one Lua state: use it from one thread at a time.  For
 * threads, load one per worker.
 */
#ifndef ESCSIM_SCENARIO_H
#define ESCSIM_SCENARIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "escsim/config.h"
#include "escsim/error.h"
#include "escsim/policy.h"

typedef struct esc_script_limits {
	size_t memory_bytes;             /* cap for the Lua state; 0 = default 256 MiB */
	double cpu_s_per_call;           /* CPU seconds a call (a hook, loading the
	                                    file) may take; 0 = default 2 */
	const volatile sig_atomic_t *interrupt;  /* the host's SIGINT/SIGTERM flag:
	                                    once non-zero, a script call stops
	                                    within a fraction of a second with
	                                    ESC_ERR_INTERRUPTED; NULL: none */
	int ceiling;                     /* non-zero: these are also the most a
	                                    scenario's own limits may ask for (a
	                                    host running untrusted scenarios, the
	                                    fuzzers); 0: the scenario's replace them */
} esc_script_limits;

typedef struct esc_scenario esc_scenario;
struct cJSON;                       /* escsim/json.h */

/* A loaded source file (scenario or module), in load order. */
typedef struct esc_script_source {
	const char *name;    /* "scenario" or the module name given to require */
	const char *path;
	const char *text;
} esc_script_source;

/* Load and run the file; check that it returned scenario{...}.  Modules are
 * found in search_path (';'-separated "DIR/?.lua" templates, '.' in a module
 * name standing for '/'; NULL means DIR/?.lua and DIR/lib/?.lua for the
 * scenario's folder, then for each folder of $ESCSIM_PATH (':'-separated),
 * then for the installed library ESCSIM_DATADIR, so require
 * "policies.restraint" finds policies/restraint.lua beside the scenario).
 * limits may be NULL; the scenario's own limits.memory and limits.cpu
 * replace them once the file has run.  Errors name file:line.  Each
 * scenario has a watchdog thread that stops a call past its budget; the
 * process gets a handler for SIGURG, which the watchdog sends the thread
 * running the call. */
esc_scenario *esc_scenario_load(const char *path, const char *search_path,
                                const esc_script_limits *limits, esc_error *err);

/* The same for a scenario held in memory: text[0..len) is its source (NUL
 * bytes included, which are refused as in a file), and name stands for the
 * file in messages and provenance; its folder is searched for modules when
 * search_path is NULL. */
esc_scenario *esc_scenario_load_buffer(const char *name, const char *text, size_t len,
                                       const char *search_path,
                                       const esc_script_limits *limits, esc_error *err);
void esc_scenario_free(esc_scenario *s);

/* Apply KEY=VALUE to the base scenario table (the CLI's --set); later arms
 * see it. */
int esc_scenario_set(esc_scenario *s, const char *assignment, esc_error *err);

/* The same, with the option as the user typed it for messages ("--horizon
 * '0'"); label NULL means "--set 'ASSIGNMENT'". */
int esc_scenario_set_as(esc_scenario *s, const char *assignment, const char *label,
                        esc_error *err);

/* Build an arm: copy the base table, apply the n overrides in order, validate
 * into *cfg (caller frees with esc_config_free) and bind *policy to the arm's
 * policies.  The policy stays valid until esc_scenario_free. */
int esc_scenario_arm(esc_scenario *s, const char *const *overrides, size_t n,
                     esc_config *cfg, esc_policy *policy, esc_error *err);

/* The same, with each override's label for messages (labels may be NULL,
 * and so may each label: "override 'KEY=VALUE'"). */
int esc_scenario_arm_as(esc_scenario *s, const char *const *overrides,
                        const char *const *labels, size_t n, esc_config *cfg,
                        esc_policy *policy, esc_error *err);

/* Release an arm's policy before esc_scenario_free, for callers that build
 * many arms from one scenario (sweeps): each arm's Lua tables otherwise stay
 * in the state, under its memory cap, until the scenario is freed.  The
 * policy is zeroed; releasing a zeroed policy does nothing. */
void esc_scenario_release(esc_scenario *s, esc_policy *policy);

const char *esc_scenario_name(const esc_scenario *s);
size_t esc_scenario_sources(const esc_scenario *s, const esc_script_source **out);

/* The Lua the script layer is built with ("Lua 5.4.4"), for provenance. */
const char *esc_scenario_lua_version(void);

/* The policies and triggers of an arm's policy (from esc_scenario_arm on
 * s), added to the JSON object INTO for escsim check:
 *   "policies": {"PARTY": {"module", "hooks": [...], "helpers": [...],
 *                          "parameters": {...}, "tick_h": h}},
 *   "triggers": [{"name", "party", "event": {...}, "probability", "repeatable"}]
 * ESC_OK, or an error status with err set (INTO may then hold part of it;
 * the caller frees INTO either way). */
int esc_scenario_describe_policies(esc_scenario *s, const esc_policy *policy, struct cJSON *into,
                                   esc_error *err);

/* LuaLS definitions (Lua text, malloc'd) of the parameters of every policy
 * module the scenario loaded that declares them (M.parameters): one class
 * per module, escsim.params.NAME; for `escsim check --luals FILE`. */
char *esc_scenario_luals(esc_scenario *s, esc_error *err);

/* Warnings found while validating (for example a policy for a party that
 * never observes anything); NULL-terminated, valid until the next call. */
const char *const *esc_scenario_warnings(const esc_scenario *s);

#endif
