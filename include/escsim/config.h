/* config.h: a validated scenario, as plain C.
 *
 * The script layer turns a Lua scenario into an esc_config; the model runs
 * it.  Everything here has been checked (ranges, references between names),
 * so the model can trust it.  Names are indices into the arrays; index order
 * is deterministic (parties and zones in the order written, incident types
 * sorted by name).  Times are hours, rates are per hour.
 */
#ifndef ESCSIM_CONFIG_H
#define ESCSIM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/dist.h"
#include "escsim/error.h"

#define ESC_NAME_MAX 32
#define ESC_LADDER_TOP 7          /* levels L0..L7 */

typedef enum esc_party_kind {
	ESC_PARTY_STATE = 0,
	ESC_PARTY_NONSTATE = 1,
	ESC_PARTY_SUPERVISOR = 2
} esc_party_kind;

typedef struct esc_party {
	char name[ESC_NAME_MAX];
	esc_party_kind kind;
} esc_party;

typedef struct esc_incident_type {
	char name[ESC_NAME_MAX];
	int level;                  /* ladder level 0..7 */
	double goldstein;           /* -10..10 */
	esc_dist fatalities_mil;    /* counts; ESC_DIST_NONE means always 0 */
	esc_dist fatalities_civ;
} esc_incident_type;

/* A background source: incidents by actor against target, of one type in
 * one zone, as a homogeneous Poisson process. */
typedef struct esc_generator {
	int actor, target, type, zone;
	double rate_per_h;
} esc_generator;

typedef struct esc_attribution {
	esc_dist delay_h;   /* time from incident to its observation by the target */
	/* confusion[(observer * np + true) * np + perceived]: probability that
	 * observer takes an incident by `true` for one by `perceived`.  Each
	 * (observer, true) row sums to 1. */
	double *confusion;
} esc_attribution;

typedef struct esc_ladder {
	double step;            /* level added to actor->target by a retaliation */
	double half_life_h;     /* exponential decay of every pair's level */
	double crisis_level;    /* a pair at or above it is in crisis */
	int spiral_size;        /* a cluster of this many incidents is a spiral */
} esc_ladder;

typedef struct esc_cell {
	int enabled;
	esc_dist latency_h;     /* submission to answer */
	double accuracy;        /* probability the answer names the true perpetrator */
} esc_cell;

typedef struct esc_config {
	char name[64];
	double horizon_h;
	size_t n_parties;
	esc_party *parties;
	size_t n_zones;
	char (*zones)[ESC_NAME_MAX];
	size_t n_types;
	esc_incident_type *types;
	size_t n_generators;
	esc_generator *generators;
	esc_attribution attribution;
	esc_ladder ladder;
	esc_cell cell;
	uint64_t max_events;    /* per replication; more is a runaway and an error */
} esc_config;

/* Allocate the arrays for the given sizes, zeroed; the confusion matrix is
 * set to the identity (perfect attribution). */
int esc_config_alloc(esc_config *cfg, size_t n_parties, size_t n_zones,
                     size_t n_types, size_t n_generators, esc_error *err);
void esc_config_free(esc_config *cfg);

/* Index of a name, or -1. */
int esc_config_party(const esc_config *cfg, const char *name);
int esc_config_zone(const esc_config *cfg, const char *name);
int esc_config_type(const esc_config *cfg, const char *name);

/* Defaults for the fields a scenario may leave out. */
void esc_config_defaults(esc_config *cfg);

/* Cross-field checks the model relies on (indices in range, rows of the
 * confusion matrix summing to 1, positive horizon).  The script layer checks
 * each value where it reads it; this is the model's last line of defence. */
int esc_config_check(const esc_config *cfg, esc_error *err);

/* The resolved configuration as a JSON object (malloc'd, NUL-terminated),
 * for provenance.  NULL when out of memory. */
char *esc_config_to_json(const esc_config *cfg);

#endif
