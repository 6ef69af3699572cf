/* validate.h: private to the three files that turn an arm's table into an
 * esc_config (script.h's esc_lua_validate):
 *   fields.c           the typed-field toolkit: key paths, errors that say
 *                      where a value came from, typed fields with named
 *                      ranges, names resolved against the scenario's lists
 *   validate.c         the scenario schema: parties, zones, types,
 *                      incidents, regime, hawkes, attribution, ladder,
 *                      limits, outputs, and the checks across them
 *   validate_policy.c  the sections about how parties act and talk: cell,
 *                      channels, policies, triggers, and the warnings about
 *                      hooks that never fire and a cell no policy reaches
 *
 * Everything here runs in protected mode and raises a Lua error whose
 * message is final ("FILE:LINE: key.path: expected ..., got ...").
 */
#ifndef ESCSIM_LUA_VALIDATE_H
#define ESCSIM_LUA_VALIDATE_H

#include <math.h>

#include "script.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One validation: the arm table being read and where in it. */
typedef struct esc_lua_vctx {
	lua_State *L;
	esc_scenario *s;
	esc_config *cfg;
	const esc_lua_override *ov;
	size_t n_ov;
	char path[512];             /* the key path read now: "incidents[2].rate" */
	size_t plen;
	int root;                   /* the arm table's stack index */
	char where[600];            /* esc_lua_origin()'s "file:line" */
} esc_lua_vctx;

/* ---- key paths and errors ---- */

/* Append .key or [i] to the path; return the old length for path_pop. */
size_t esc_lua_path_key(esc_lua_vctx *v, const char *key);
size_t esc_lua_path_index(esc_lua_vctx *v, lua_Integer i);
void esc_lua_path_pop(esc_lua_vctx *v, size_t old);

/* The source of the value at `path`: the last override that set it, one of
 * its enclosing tables, or something inside it; else the line of the key
 * that holds it (marks.c); else the scenario{} call. */
const char *esc_lua_origin(esc_lua_vctx *v, const char *path);

/* Raise "ORIGIN: [PATH: ]MSG", ORIGIN that of attr (NULL: the path). */
void esc_lua_raise_msg(esc_lua_vctx *v, const char *attr, const char *msg, int with_path);
/* Raise "ORIGIN: PATH: MSG" at the current path. */
void esc_lua_verr(esc_lua_vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* x for messages (%.14g, nan, inf). */
const char *esc_lua_fmtnum(char *buf, size_t n, double x);
/* What the value at idx is, for "got ...": a number's value, else its type. */
const char *esc_lua_got(esc_lua_vctx *v, int idx, char *buf, size_t n);
/* A name or code that goes into the results' JSON and HDF5 attributes:
 * 1 to max bytes of UTF-8 text without control characters.  Raises with
 * `expect` and what is wrong; the caller has put the key on the path. */
void esc_lua_check_text(esc_lua_vctx *v, const char *x, size_t len, size_t max, const char *expect);

/* ---- table access ---- */

/* t[key] pushed, without metamethods; its type. */
int esc_lua_rawfield(lua_State *L, int t, const char *key);
/* Sorted keys of the table at t pushed; every key must be a string. */
int esc_lua_string_keys(esc_lua_vctx *v, int t);
/* Raise "unknown key 'KEY' in PATH (did you mean ...?)". */
void esc_lua_unknown_key(esc_lua_vctx *v, const char *key, const char *const *known, size_t nk);
/* Every key of the table at t must be one of known. */
void esc_lua_check_keys(esc_lua_vctx *v, int t, const char *const *known, size_t nk);
/* The table at t is an array 1..n without holes; returns n. */
size_t esc_lua_check_array(esc_lua_vctx *v, int t, const char *what);

/* ---- typed fields ---- */

/* The values a number field takes: lo..hi, each end open or closed, and
 * whole numbers only if integer.  Never infinite. */
typedef struct esc_lua_range {
	double lo, hi;
	int lo_open, hi_open, integer;
} esc_lua_range;

/* The ranges most fields take, named for what they hold. */
static const esc_lua_range PROBABILITY = {.lo = 0, .hi = 1};                  /* [0, 1] */
static const esc_lua_range NON_NEGATIVE = {.lo = 0, .hi = HUGE_VAL, .hi_open = 1};
	/* [0, inf): hours, rates, multipliers */
static const esc_lua_range POSITIVE = {.lo = 0, .hi = HUGE_VAL, .lo_open = 1, .hi_open = 1};
	/* (0, inf): means, steps, times between outages */
static const esc_lua_range WHOLE_NUMBER = {.lo = 0, .hi = HUGE_VAL, .hi_open = 1, .integer = 1};
	/* 0, 1, 2, ...: counts */
static const esc_lua_range LADDER_LEVEL = {.lo = 0, .hi = ESC_LADDER_TOP, .integer = 1};
static const esc_lua_range ONE_TO_A_MILLION = {.lo = 1, .hi = 1e6, .integer = 1};
	/* whole numbers: ladder moves, operators */

int esc_lua_in_range(const esc_lua_range *r, double x);

/* A number field; returns 1 and sets *out if present.  `expect` says what is
 * wanted ("a number of hours > 0"). */
int esc_lua_num_field(esc_lua_vctx *v, int t, const char *key, int required, const esc_lua_range *r,
                      const char *expect, double *out);
/* A string field; pushes it (or nothing) and returns 1 if present. */
int esc_lua_str_field(esc_lua_vctx *v, int t, const char *key, int required, const char *expect);
/* A boolean field; returns 1 and sets *out if present. */
int esc_lua_bool_field(esc_lua_vctx *v, int t, const char *key, int *out);
/* A table field: pushed if present (returns 1); nil pushes nothing.  The
 * caller has put key on the path already. */
int esc_lua_table_field(esc_lua_vctx *v, int t, const char *key, const char *expect);

/* A distribution field: a distribution, or a number meaning constant(x).
 * Times (DIST_HOURS) must be >= 0; counts (DIST_COUNT) come from count
 * distributions. */
enum { DIST_HOURS, DIST_COUNT };
void esc_lua_dist_field(esc_lua_vctx *v, int t, const char *key, int what, esc_dist *out);

/* ---- names ---- */

/* Names to choose from (names + i * stride, count of them), with what to
 * say when there are none. */
typedef struct esc_lua_namelist {
	const char *kind;           /* "party" */
	const char *none;           /* "no incident types are defined (add them under types)" */
	int (*lookup)(const esc_config *, const char *);
	const char *names;
	size_t count, stride;
} esc_lua_namelist;

esc_lua_namelist esc_lua_parties_of(const esc_config *c);
esc_lua_namelist esc_lua_types_of(const esc_config *c);
esc_lua_namelist esc_lua_zones_of(const esc_config *c);
/* The regime's states; names is never NULL once a regime is read. */
esc_lua_namelist esc_lua_states_of(const esc_config *c);

/* "ISR, SYR, USA" into buf (cut with "..." if it does not fit). */
const char *esc_lua_known_list(char *buf, size_t n, const char *names, size_t count, size_t stride);
const char *esc_lua_party_list(esc_lua_vctx *v, char *buf, size_t n);
/* Raise "unknown type 'q' (known: raid, rocket)", at the current path. */
void esc_lua_unknown_name(esc_lua_vctx *v, const esc_lua_namelist *nl, const char *name)
	__attribute__((noreturn));
/* A name field resolved against a list of names; returns the index, or -1
 * when the field is absent and not required. */
int esc_lua_list_field(esc_lua_vctx *v, int t, const char *key, int required, const esc_lua_namelist *nl);
/* A name used as a key of the table at the current path; returns its index. */
int esc_lua_name_key(esc_lua_vctx *v, const esc_lua_namelist *nl, const char *name);
/* A party name used as a key; ROLE ("observer", or "") goes into the
 * message.  Returns its index. */
int esc_lua_party_key(esc_lua_vctx *v, const char *name, const char *role);

/* ---- validate_policy.c: the sections validate.c calls ---- */

void esc_lua_read_cell(esc_lua_vctx *v, int t);
void esc_lua_read_channels(esc_lua_vctx *v, int t);
void esc_lua_read_policies(esc_lua_vctx *v, int t);
void esc_lua_read_triggers(esc_lua_vctx *v, int t);
/* After esc_config_check: hooks that never fire, a cell no policy reaches. */
void esc_lua_warn_hooks(esc_lua_vctx *v, int t);
void esc_lua_warn_unreachable_cell(esc_lua_vctx *v, int t);

#endif
