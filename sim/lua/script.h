/* script.h: private to sim/lua, the only place that includes lua.h.
 *
 * The esc_scenario object and what the files of the script layer share.
 * From the bottom up (a file calls only files above it in this list):
 *
 *   blocks.c     the memory of a Lua state (free lists)
 *   watchdog.c   the CPU-time budget of a call, and stopping one at a signal
 *   stdlib_lua.c string.rep, table.move and table.sort bounded in time (and
 *                sort deterministic)
 *   pattern.c    string.find, match, gmatch and gsub with a matcher that
 *                checks the CPU-time budget
 *   helpers.c    names of hooks, causes, kinds and replies; sorted keys and
 *                pairs; type names, suggestions, UTF-8; reading sources
 *   coroutine_lua.c  coroutine.resume, wrap and close that keep track of the
 *                coroutine running (where the watchdog arms its hook)
 *   sandbox.c    the Lua state: capped allocator, safe environment with the
 *                bounded libraries above, protected calls (esc_lua_pcall)
 *   params.c     the parameters policies declare, and their one check;
 *                LuaLS definitions for editors
 *   marks.c      where each table of a scenario was written, for messages;
 *                deep copies that keep it
 *   dist_lua.c   distribution constructors (userdata) and time/rate helpers
 *   record_lua.c incidents, events and messages as strict read-only records
 *   answers.c    what hooks and sim.act hand back, checked field by field
 *   sim_lua.c    the `sim` table scripts use: clock, random numbers, queries
 *                of the running replication, timers, processes, actions, log
 *   policy_lua.c the "lua" esc_policy_type: every hook, triggers,
 *                per-replication state
 *   fields.c     the typed-field toolkit of the schema, and its warnings
 *   validate_policy.c  the schema's sections on the cell, channels,
 *                policies and triggers, and the warnings about policies
 *   validate.c   the scenario schema: a table -> esc_config, with key paths
 *                (fields.c, validate_policy.c and validate.c share validate.h)
 *   describe.c   an arm's policies and triggers as JSON for escsim check
 *   require.c    the restricted require, its search path, and provenance
 *   scenario.c   loading, the libraries above the sandbox opened into its
 *                environment (esc_lua_state_open), overrides, arms
 *                (escsim/scenario.h)
 *   experiment.c experiment files (escsim/experiment.h)
 *
 * One call still goes up: coroutine_lua.c asks sim_lua.c whether a
 * coroutine is a process (esc_lua_process_site), to name its sim.spawn in
 * errors.
 *
 * Names.  esc_lua_* are shared between the files of this folder; a file's
 * own helpers are static with plain names.  A function named *_cf is a
 * lua_CFunction run through lua_pcall (esc_lua_pcall): it may raise Lua
 * errors (luaL_error, out of memory, the watchdog's stop), which longjmp out
 * of it, so it must leave nothing that only C would free (malloc'd memory,
 * open files) unanchored when it calls anything that can raise.  Code
 * outside a *_cf never calls what can raise: an unprotected error would
 * end the process.  (Functions the Lua API calls directly, such as the
 * `sim` functions, hooks and metamethods, raise the same way; the suffix
 * marks the ones C code hands to lua_pcall itself.)
 */
#ifndef ESCSIM_LUA_SCRIPT_H
#define ESCSIM_LUA_SCRIPT_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "escsim/config.h"
#include "escsim/error.h"
#include "escsim/outcome.h"
#include "escsim/policy.h"
#include "escsim/scenario.h"

#define ESC_LUA_DEFAULT_MEMORY ((size_t)256 << 20)
#define ESC_LUA_MIN_MEMORY ((size_t)1 << 20)
#define ESC_LUA_MAX_MEMORY 1e15             /* bytes: far past any machine */
#define ESC_LUA_DEFAULT_CPU_S 2.0           /* CPU seconds per call */
#define ESC_LUA_MIN_CPU_S 0.01
#define ESC_LUA_MAX_CPU_S 86400.0
/* Why a call must stop (watchdog.c). */
#define ESC_LUA_STOP_BUDGET 1
#define ESC_LUA_STOP_INTERRUPT 2

/* Registry keys (strings in the registry table). */
#define ESC_REG_ENV "escsim.env"            /* the sandbox environment */
#define ESC_REG_MARKED "escsim.scenarios"   /* weak set: table -> "file:line" */
#define ESC_REG_LOADED "escsim.loaded"      /* require cache: name -> value */
#define ESC_REG_DIST "escsim.distribution"  /* metatable of distributions */
#define ESC_REG_SITES "escsim.sites"        /* weak: table -> where it was written */

typedef struct esc_lua_policy esc_lua_policy;
typedef struct esc_lua_blocks esc_lua_blocks;
typedef struct esc_lua_call esc_lua_call;
typedef struct esc_lua_watch esc_lua_watch;
struct esc_lua_override;

struct esc_scenario {
	lua_State *L;

	/* Allocator accounting (ud of the allocator is the scenario). */
	esc_lua_blocks *blocks;     /* where its memory comes from (blocks.c) */
	size_t mem_used, mem_limit;
	int mem_refused;            /* an allocation was refused since the last entry */
	/* Bytes allocated since the last entry: C-side work such as copying
	 * strings in `s = s .. x` allocates fast, so the allocations of one
	 * call are bounded as well as its memory. */
	size_t churn;
	int churn_refused;
	/* Memory outside the Lua state that scripts cause (timers), counted
	 * against the same cap; released when a replication begins. */
	size_t c_bytes;

	/* CPU-time budget per outermost call (watchdog.c). */
	double cpu_budget_s;
	char cpu_text[24];          /* the budget as the user wrote it, for messages */
	_Atomic uint64_t call_seq;  /* odd while a call runs */
	_Atomic uint64_t stop_seq;  /* the call the watchdog stops */
	_Atomic int stop_why;       /* ESC_LUA_STOP_BUDGET or _INTERRUPT */
	lua_State *volatile running;  /* the coroutine running, NULL for L */
	const volatile sig_atomic_t *interrupt;   /* the host's signal flag, or NULL */
	esc_lua_watch *watch;

	/* The host's ceilings for the scenario's own limits; 0: none. */
	size_t mem_ceiling;
	double cpu_ceiling_s;

	char *path;                 /* the scenario file as given */
	char *dir;                  /* its folder */
	char *search_path;          /* ';'-separated templates */
	char name[64];
	char site[256];             /* "file:line" of the scenario{} call */
	int base_ref;               /* registry ref of the base table */

	esc_script_source *sources;
	size_t n_sources, cap_sources;

	char **warnings;            /* NULL-terminated */
	size_t n_warnings;

	struct esc_lua_override *sets;   /* esc_scenario_set history, for errors */
	size_t n_sets;

	esc_lua_policy **policies;  /* one per arm built, freed with the scenario */
	size_t n_policies;

	const esc_hook_ctx *ctx;    /* set while a hook runs, else NULL */
	esc_lua_call *call;         /* the hook call running, else NULL */
	int depth;                  /* protected calls in progress (hooks nest:
	                               sim.act may run another party's hook) */
	int waiting;                /* a process yielded through sim.wait */
	int engine_failed;          /* the engine failed the run and reported it */
	char *traceback;            /* of the last error, or NULL */
};

/* The scenario a Lua state belongs to: the ud of its allocator
 * (sandbox.c).  Inline: every hook and `sim` call asks. */
static inline esc_scenario *esc_lua_scenario(lua_State *L)
{
	void *ud = NULL;
	lua_getallocf(L, &ud);
	return ud;
}

/* ---- hooks (policy_lua.c) ---- */

/* The hooks (ESC_HOOK_ATTRIBUTE ...) are escsim/policy.h's esc_hook. */

/* A user trigger (top-level `triggers`), bound to an arm: what it matches,
 * with -1 for any and -2 for a name the scenario does not have (an unknown
 * incident type: it never fires). */
typedef struct esc_lua_trigger {
	char name[64];
	int party;
	int type, actor, target, zone, cause, kind;
	double probability;
	int repeatable;
} esc_lua_trigger;

struct esc_lua_policy {
	esc_scenario *s;
	int arm_ref;                 /* the arm table, kept alive */
	size_t np, nt, nz, ns, nch;  /* parties, types, zones, regime states, channels */
	char (*parties)[ESC_NAME_MAX];
	char (*types)[ESC_NAME_MAX];
	char (*zones)[ESC_NAME_MAX];
	char (*states)[ESC_NAME_MAX];
	char (*channels)[ESC_NAME_MAX];
	int *kinds;                  /* per party: esc_party_kind */
	char (*call_names)[ESC_N_HOOKS][160];   /* per party and hook: "policies.PARTY.HOOK",
	                                           made once rather than at every call */
	int *policy_ref;             /* per party: its table in the arm, or LUA_NOREF */
	int *live_ref;               /* per party: the copy for the current replication */
	unsigned *hooks;             /* per party: bit h set if it has hook h */
	double *tick;                /* per party: hours between on_tick calls, 0 never */
	esc_lua_trigger *triggers;
	size_t n_triggers;
	int triggers_ref;            /* the arm's triggers array, or LUA_NOREF */
	int run_ref;                 /* this replication's {timers, procs, triggers} */
	int strs_ref;                /* interned field and name strings (record_lua.c) */
	int hook_name_ref[ESC_N_HOOKS];   /* each hook's name, interned (push_hook) */
	void *record_names[5];       /* each kind's field names (record_lua.c) */
	int record_mt_ref[5];        /* metatables of the records: incident, event,
	                                request, answer, operation */
	unsigned char *fired;        /* per trigger, this replication */
	int64_t next_token;          /* timers of this replication */
	uint64_t log_rows, max_log_rows;      /* sim.log rows of this replication, and limits.log */
	double still_t;              /* the time of the last sim.schedule or sim.wait that */
	uint64_t still_n;            /* left the clock where it was, how many such in a row, */
	uint64_t max_still;          /* and limits.steps_per_instant */
	uint64_t rep;
	int begun;
	int any_event;               /* some party has on_event */
};

/* 1 if I is one of the policy's parties (a record's or answer's index). */
static inline int esc_lua_party_ok(const esc_lua_policy *p, int i)
{
	return i >= 0 && (size_t)i < p->np;
}

/* One hook call in progress: what the `sim` functions work with.  Hooks
 * nest (an action may run another party's hook at once), so each call saves
 * and restores the scenario's current call. */
struct esc_lua_call {             /* prepare() in policy_lua.c sets each field */
	esc_lua_policy *p;
	esc_hook_ctx ctx;            /* the engine's, with party and stream set */
	int64_t about;               /* sim.act's default event, or -1 */
	int target, zone;            /* sim.act's defaults, or -1 */
	int fn_idx;                  /* stack index of the function called, 0 none */
	const char *name;            /* "policies.ISR.attribute", for messages: the
	                                policy's (call_names) or name_buf */
	char name_buf[160];          /* a name made for this call (triggers, timers) */
	char head[160 + sizeof " returned "];   /* "NAME returned ", built when needed */
	const void *in;              /* the hook's input */
	void *out;                   /* and output */
	int64_t token;               /* on_timer */
	const char *const *field_list; /* set by the answer readers */
};

/* record_lua.c: incidents, events and messages as strict read-only
 * records.  bind interns the strings and makes the metatables
 * (esc_lua_policy.strs_ref, record_mt_ref); push_observation pushes the
 * incident attribute and on_incident_observed see (full: with perpetrator,
 * ladder and cell_available), push_event the event on_event, triggers and
 * sim.recent see, push_request, push_answer and push_operation the argument
 * of on_cell_request, on_cell_reply (cancel: the engine's rule) and
 * pre_operation (n: the scenario's notice); push_hook_name the interned
 * name of hook h. */
void esc_lua_records_bind(lua_State *L, esc_lua_policy *p);
void esc_lua_records_unbind(lua_State *L, esc_lua_policy *p);
void esc_lua_push_observation(lua_State *L, const esc_lua_policy *p, const esc_observation *o,
                              double now, int full);
void esc_lua_push_event(lua_State *L, const esc_lua_policy *p, const esc_event_row *ev);
void esc_lua_push_request(lua_State *L, const esc_lua_policy *p, const esc_cell_request *q,
                          double now);
void esc_lua_push_answer(lua_State *L, const esc_lua_policy *p, const esc_cell_answer *a,
                         int cancel, double now);
void esc_lua_push_operation(lua_State *L, const esc_lua_policy *p, const esc_operation *op,
                            const esc_notice *n, double now);
void esc_lua_push_hook_name(lua_State *L, const esc_lua_policy *p, int hook);

/* The run table of the current replication pushed ({timers, procs,
 * triggers}). */
void esc_lua_push_run(lua_State *L, const esc_lua_policy *p);

/* Is co a process (sim.spawn) of the running replication?  If so, pushes
 * "FILE:LINE" of the sim.spawn that started it and returns 1. */
int esc_lua_process_site(lua_State *L, lua_State *co);

/* Resume process co with nargs arguments on its stack (from L): returns when
 * it waits (sim.wait) or ends; raises its error in L otherwise, with the
 * process's file:line. */
void esc_lua_resume(lua_State *L, lua_State *co, int nargs);

/* ---- answers.c: what hooks and sim.act hand back, checked ---- */

/* Every answer has a priority; a query's may change it (esc_decision.priority
 * indexes flash, immediate, routine). */
#define ESC_LUA_PRIORITY_DEFAULT 1

/* Raise "FILE:LINE: HEAD MSG": FILE:LINE is where the function at
 * call->fn_idx is defined, or with fn_idx 0 the Lua line calling the C
 * function that raises; HEAD names the hook ("policies.ISR.on_tick
 * returned"). */
void esc_lua_bad(lua_State *L, const esc_lua_call *c, const char *head, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

/* Check that every key of the table at d is one of fields[0..n); else raise
 * naming the first unknown key in sorted order (with a suggestion). */
void esc_lua_check_fields(lua_State *L, int d, const esc_lua_call *c, const char *head,
                          const char *const *fields, size_t n, const char *expected);

/* Read the decision table at d ({action, target, type, zone, delay, query,
 * priority}) into *out, whose target and zone arrive as defaults (-1: none).
 * act: sim.act's form (target and zone allowed with protest too). */
void esc_lua_read_decision(lua_State *L, int d, const esc_lua_call *c, const char *head,
                           int party, esc_decision *out, int act);

/* The value at idx for messages ('x', 3, or "a table"), pushed. */
const char *esc_lua_shown(lua_State *L, int idx);
/* Field FIELD of the answer table at d: a finite number of hours >= 0
 * (esc_lua_answer_hours) or a boolean; 1 and *x set when present, 0 when
 * nil; raises otherwise. */
int esc_lua_answer_hours(lua_State *L, int d, const char *field, const esc_lua_call *c, const char *head,
                         double *x);
int esc_lua_answer_bool(lua_State *L, int d, const char *field, const esc_lua_call *c, const char *head,
                        int *x);

/* ---- blocks.c: the memory of a Lua state ---- */

/* Small blocks from free lists, larger ones from malloc.  realloc: ptr
 * NULL allocates nsize bytes; otherwise ptr is a block of osize bytes from
 * here, moved or kept to hold nsize (> 0) bytes; NULL when out of memory
 * (ptr untouched).  release: gives back ptr (osize bytes), NULL ignored. */
esc_lua_blocks *esc_lua_blocks_new(void);
void esc_lua_blocks_free(esc_lua_blocks *b);
void *esc_lua_blocks_realloc(esc_lua_blocks *b, void *ptr, size_t osize, size_t nsize);
void esc_lua_blocks_release(esc_lua_blocks *b, void *ptr, size_t osize);

/* ---- sandbox.c ---- */

/* Create the state and the sandbox: the safe standard libraries and the
 * environment scripts run in, without the libraries above it (the scenario
 * layer's esc_lua_state_open adds those); 0 or an error status. */
int esc_lua_open(esc_scenario *s, esc_error *err);
void esc_lua_close(esc_scenario *s);

/* Set the memory cap and the CPU budget per call (0 keeps the current
 * value). */
int esc_lua_set_limits(esc_scenario *s, size_t memory, double cpu_s, esc_error *err);

/* ---- watchdog.c ---- */

/* Start and stop the scenario's watchdog thread. */
int esc_lua_watch_start(esc_scenario *s, esc_error *err);
void esc_lua_watch_stop(esc_scenario *s);
/* An outermost call begins and ends (esc_lua_pcall): nested calls share
 * the budget of the call they run in. */
void esc_lua_call_begin(esc_scenario *s);
void esc_lua_call_end(esc_scenario *s);
/* A fresh budget within the running call (each function of on_event). */
void esc_lua_budget_restart(esc_scenario *s);
/* Why the running call must stop (ESC_LUA_STOP_*), or 0. */
int esc_lua_stopping(esc_scenario *s);
/* Raise the stop error in L if the running call must stop: for C code
 * that runs long without a VM instruction. */
void esc_lua_check_stop(lua_State *L);
/* Arm the stop hook on L if the running call must stop (after a coroutine
 * handed back to L). */
void esc_lua_arm_if_stopping(lua_State *L);

/* ---- coroutine_lua.c, pattern.c, stdlib_lua.c ---- */

/* Replace coroutine.resume, wrap and close in the coroutine table at index
 * co; find, match, gmatch and gsub in the string table at index str; rep
 * in the string table and move and sort in the table table. */
void esc_lua_open_coroutine(lua_State *L, int co);
void esc_lua_open_pattern(lua_State *L, int str);
void esc_lua_open_stdlib(lua_State *L, int string, int table);

/* Sort n elements of size bytes at base, stably, by less (which may call
 * Lua and raise); asks the watchdog as it goes.  Uses a userdata of n
 * elements as its buffer (pushed and popped). */
typedef int (*esc_lua_less)(lua_State *L, const void *a, const void *b, void *ud);
void esc_lua_sort(lua_State *L, void *base, size_t n, size_t size, esc_lua_less less, void *ud);

/* Count bytes of C-side memory a script causes against the memory cap;
 * raise "WHAT: memory cap ... exceeded" when they do not fit. */
void esc_lua_charge(lua_State *L, size_t bytes, const char *what);


/* lua_pcall with the traceback handler and, for an outermost call, a fresh
 * budget.  The function and
 * its nargs arguments are on the stack.  On error the message (first part,
 * without the traceback) goes to err with ESC_ERR_INPUT, and the stack is as
 * before the function was pushed.  `what` names the file or call for errors
 * that carry no location (memory cap). */
int esc_lua_pcall(esc_scenario *s, int nargs, int nresults, const char *what,
                  esc_error *err);

/* Load text (never bytecode) as a function whose _ENV is the sandbox env. */
int esc_lua_load_text(lua_State *L, const char *text, size_t len, const char *chunkname);

/* Push the sandbox environment. */
void esc_lua_push_env(lua_State *L);

/* ---- helpers.c: small helpers the whole layer calls ---- */

/* Index of name in names[0..n), or -1. */
int esc_lua_name_index(char (*names)[ESC_NAME_MAX], size_t n, const char *name);
/* "a, b, c" into buf. */
const char *esc_lua_name_list(char *buf, size_t cap, char (*names)[ESC_NAME_MAX], size_t n);

/* Index of s in list[0..n), or -1.  Inline: answers check their field
 * names with it at every hook call. */
static inline int esc_lua_list_index(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (int)i;
	return -1;
}

/* Does msg start with "chunk:line: "? */
int esc_lua_has_location(const char *msg);

/* Read a whole file (malloc'd, NUL-terminated); NULL with errno set:
 * EINVAL for a file that is not regular, EFBIG past 16 MiB.  read_error
 * says what errno means for a source. */
char *esc_lua_read_file(const char *path, size_t *len);
const char *esc_lua_read_error(int errnum);

/* A source the sandbox may run and the results keep: text without NUL
 * bytes, in UTF-8.  ESC_OK, or ESC_ERR_INPUT naming path, line and byte. */
int esc_lua_check_source(const char *path, const char *text, size_t len, esc_error *err);

/* Push a table of t's keys sorted (numbers ascending, then strings by bytes)
 * and return their number, or -1 (nothing pushed) when a key is of another
 * type.  t is an absolute index. */
int esc_lua_sorted_keys(lua_State *L, int t);

/* pairs(t) in a fixed order (numbers ascending, then strings by bytes),
 * honouring __pairs: both the sandbox's pairs and sim.sorted_pairs.  Keys
 * of other types raise an error: their order would change between runs. */
int esc_lua_sorted_pairs(lua_State *L);

/* Type name for messages: "distribution" for our userdata, "nan"/"inf" for
 * such numbers. */
const char *esc_lua_typename(lua_State *L, int idx);

/* The candidate closest to key if close enough, else NULL (esc_suggest). */
const char *esc_lua_suggest(const char *key, const char *const *candidates, size_t n);

/* The length of the well-formed UTF-8 sequence at s[0..n) (no overlong
 * forms, surrogates or code points past U+10FFFF), or 0; and the offset of
 * the first byte of s[0..n) that does not start one (n if none). */
size_t esc_lua_utf8_seq(const char *s, size_t n);
size_t esc_lua_utf8_bad(const char *s, size_t n);

/* Is s a name: [A-Za-z_][A-Za-z0-9_]* of at most max bytes? */
int esc_lua_is_identifier(const char *s, size_t len, size_t max);

/* ---- marks.c: where the tables of a scenario were written ---- */

/* Load text as esc_lua_load_text does, rewritten so that each table
 * constructor run at load remembers its file, line and the lines of its
 * keys; the function pushed is called as the chunk would be.  A syntax
 * error is Lua's message about the text as written. */
int esc_lua_load_marked(lua_State *L, const char *text, size_t len, const char *chunkname);

/* "file:line" of the key at path ("cell.accuracy", "incidents[2].rate") in
 * the table at root into out: the deepest key of the path whose line is
 * known.  Returns 0 (out untouched) when none is. */
int esc_lua_locate(lua_State *L, int root, const char *path, char *out, size_t n);

/* "file:line" of key in the table at t, if it was written there. */
int esc_lua_key_where(lua_State *L, int t, const char *key, char *out, size_t n);

/* The copy at `to` of the table at `from` keeps its record (deep copies). */
void esc_lua_copy_site(lua_State *L, int from, int to);

/* Deep copy of the value at idx (tables copied along each path, cycles kept,
 * other values shared); pushes the copy.  sites: each copy keeps the record
 * of where its original was written.  Protected mode. */
void esc_lua_deep_copy(lua_State *L, int idx, int sites);

/* ---- params.c: the parameters a policy declares ---- */

enum { ESC_PARAM_NUMBER, ESC_PARAM_INTEGER, ESC_PARAM_BOOLEAN, ESC_PARAM_STRING,
       ESC_PARAM_TABLE, ESC_PARAM_PARTY, ESC_PARAM_TYPE, ESC_PARAM_ZONE, ESC_PARAM_ANY };

/* One declaration, read from its table; the strings point into it. */
typedef struct esc_lua_param {
	const char *name, *unit, *doc;
	int type;                   /* ESC_PARAM_* */
	int optional;               /* false is also accepted ("none") */
	int has_range;
	double lo, hi;              /* closed; +-HUGE_VAL for none */
	int keys, values;           /* a table's key and value types, or -1 */
} esc_lua_param;

/* Read the declaration at decl; 0, or -1 with what is wrong in msg. */
int esc_lua_param_read(lua_State *L, int decl, esc_lua_param *p, char *msg, size_t n);
/* Check the value at idx against p (names against cfg's; cfg may be NULL);
 * 0, or -1 with "expected ..., got ..." (or "unknown type 'x' (did you mean
 * ...)") in msg.  May push and pop, never raises. */
int esc_lua_param_check(lua_State *L, const esc_lua_param *p, int idx, const esc_config *cfg,
                        char *msg, size_t n);
const char *esc_lua_param_type_name(int type);
/* The require name ("policies.restraint") of the module table at idx, or
 * NULL. */
const char *esc_lua_module_name(lua_State *L, int idx);
/* The table at t has a declaration: push its metatable's __escsim_policy
 * ({module, parameters, sources}) and return 1; else push nothing, 0. */
int esc_lua_policy_meta(lua_State *L, int t);
/* An override of policies.PARTY.NAME where PARTY's table is written inline
 * (no declaration) and has no NAME: raise "LABEL: policies.PARTY has no
 * parameter 'NAME' (did you mean ...)".  Protected mode. */
void esc_lua_check_override_key(lua_State *L, int root, const char *key, const char *label);
/* LuaLS definitions of the declared policy modules loaded (malloc'd). */
char *esc_lua_luals(esc_scenario *s, esc_error *err);

/* ---- dist_lua.c ---- */

void esc_lua_open_dist(lua_State *L, int env);      /* constructors and helpers into env */
/* The distribution at idx, or NULL. */
const esc_dist *esc_lua_todist(lua_State *L, int idx);
/* For distributions built by discrete{}: labels are 0..n-1 (so the index
 * sampled is the value)? */
int esc_lua_dist_numeric(lua_State *L, int idx);

/* ---- require.c ---- */

/* require into env, and the registry's cache of loaded modules. */
void esc_lua_open_require(lua_State *L, int env);
/* The search path beside a scenario in folder dir: dir, dir/lib,
 * $ESCSIM_PATH's folders, the installed library (malloc'd; NULL when out
 * of memory). */
char *esc_lua_default_search_path(const char *dir);
/* Record a loaded source for provenance; 0 or ESC_ERR_RUNTIME. */
int esc_lua_add_source(esc_scenario *s, const char *name, const char *path,
                       const char *text);

/* ---- scenario.c ---- */

void esc_lua_open_scenario(lua_State *L, int env);  /* scenario{} into env */

/* Open the state of s: the sandbox (esc_lua_open), then the libraries above
 * it (distributions, `sim`, scenario{}, require), with the default search
 * path if s has none.  0 or an error status. */
int esc_lua_state_open(esc_scenario *s, esc_error *err);

/* A scenario object for the file PATH with its limits (NULL: the defaults)
 * and module search path (NULL: beside PATH, as esc_scenario_load), its Lua
 * state not yet opened (esc_lua_open); NULL with err set when out of
 * memory.  Loading scenarios and experiment files (experiment.c) start
 * here, then esc_lua_state_open; free with esc_scenario_free. */
esc_scenario *esc_lua_state_new(const char *path, const char *search_path,
                                const esc_script_limits *limits, esc_error *err);

/* ---- policy_lua.c and sim_lua.c ---- */

void esc_lua_open_sim(lua_State *L, int env);       /* the `sim` table into env */
/* A policy for an arm validated into cfg: allocated in C (NULL when out of
 * memory), then bound in protected mode to the arm table on the top of the
 * stack (popped), so a Lua error while binding leaks nothing: the caller
 * frees what it allocated. */
esc_lua_policy *esc_lua_policy_alloc(esc_scenario *s, const esc_config *cfg);
void esc_lua_policy_bind(lua_State *L, esc_lua_policy *p);
void esc_lua_policy_free(lua_State *L, esc_lua_policy *p);
extern const esc_policy_type esc_lua_policy_type;

extern const char *const esc_lua_hook_names[ESC_N_HOOKS];
extern const size_t esc_lua_n_hook_names;

/* ---- describe.c ---- */

/* The arm's policies and triggers added to the JSON object INTO as
 * "policies": {...} and "triggers": [...] for escsim check; ESC_OK or an
 * error status (INTO may hold part; the caller frees it). */
int esc_lua_policy_describe(esc_lua_policy *p, struct cJSON *into, esc_error *err);

/* Names shared with validate.c and record_lua.c: causes, event kinds,
 * message kinds (esc_message_kind) and replies (esc_reply_kind). */
#define ESC_LUA_N_MESSAGE_KINDS 5
#define ESC_LUA_N_REPLIES 5
extern const char *const esc_lua_cause_names[3];
extern const char *const esc_lua_kind_names[2];
extern const char *const esc_lua_message_kind_names[ESC_LUA_N_MESSAGE_KINDS];
extern const char *const esc_lua_reply_names[ESC_LUA_N_REPLIES];

/* ---- validate.c (the schema; validate.h between its files) ---- */

/* One override that applies to an arm, so that an error on its key path
 * names the override rather than the scenario file. */
typedef struct esc_lua_override {
	char path[256];     /* normalised: incidents[2].rate */
	char *label;        /* "--set 'incidents.2.rate=3'" (owned) */
} esc_lua_override;

/* Validate the table on the top of the stack (left there) into *cfg
 * (allocated here; the caller frees it also on error).  Called in protected
 * mode: errors are raised as Lua errors carrying the full message.  Warnings
 * are added to s. */
void esc_lua_validate(lua_State *L, esc_scenario *s, esc_config *cfg,
                      const esc_lua_override *ov, size_t n_ov);
/* A warning for the scenario's list (fields.c): duplicates dropped, and
 * one lost to out of memory is not worth failing for. */
void esc_lua_add_warning(esc_scenario *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
