/* sweep.h: designs over scenario parameters (escsim sweep --vary).
 *
 * Each varied key has a SPEC:
 *   1,2,4            a list of values (a single value is a list of one)
 *   lin:LO:HI[:N]    the range LO..HI; a grid takes N evenly spaced values,
 *                    both ends included
 *   log:LO:HI[:N]    the same on a log scale (LO, HI > 0)
 * A value is a number, or a duration with a unit (30m, 2h, 3d, 1w), which
 * is converted to hours, the scenarios' unit; the key's column then has
 * units "h".
 *
 * A design is a function that fills the unit cube: it gives every point a
 * coordinate u in [0, 1] per key, and the key's SPEC maps u onto a value:
 * LO + u (HI - LO) for lin, LO (HI / LO)^u for log, and for a list of K
 * values the one at index min(floor(u K), K - 1).  The designs, and their
 * cost in points (each point runs every arm, -n replications each):
 *   grid      every combination of the keys' values, the first key varying
 *             slowest: the product of the keys' counts (lin/log need N)
 *   sobol     the first N points of GSL's Sobol sequence (it starts at the
 *             centre of the cube): N points, at most 40 keys
 *   lhs       a Latin hypercube: each key's range cut into N equal strata,
 *             one point in each, strata paired at random: N points
 *   saltelli  Saltelli's scheme for Sobol indices (SALib's sample order,
 *             without second-order terms): base matrices A and B from a
 *             2k-dimensional Sobol sequence and, per base row j, the rows
 *             A_j, AB_j^1 .. AB_j^k (A_j with key i taken from B_j), B_j:
 *             N (k + 2) points, at most 20 keys (GSL's 40 dimensions)
 *   morris    Morris' elementary effects: N trajectories of k + 1 points on
 *             a grid of P levels (default 4), each step moving one key by
 *             Delta = P / (2 (P - 1)) of its range, up or down, in random
 *             order: N (k + 1) points
 * lhs and morris draw their random choices from a stream of the run's seed,
 * so the same seed gives the same design.
 *
 * Besides the values, each point has a block (its base row j, its
 * trajectory, or for the other designs the point itself), a role, the key
 * the role refers to, and a Morris step: what the sensitivity estimators
 * need to pair points (analysis/sensitivity.h), written to /sweep/design.
 */
#ifndef ESCSIM_SWEEP_H
#define ESCSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "escsim/error.h"

#define ESC_SWEEP_SOBOL_MAX_KEYS 40     /* gsl_qrng_sobol's dimension limit */
#define ESC_SWEEP_MAX_POINTS 1000000
#define ESC_SWEEP_DEFAULT_LEVELS 4      /* Morris: SALib's default too */

/* What a point is in its design. */
typedef enum esc_sweep_role {
	ESC_SWEEP_POINT = 0,    /* grid, sobol, lhs: a point on its own */
	ESC_SWEEP_A = 1,        /* saltelli: row j of A */
	ESC_SWEEP_B = 2,        /* saltelli: row j of B */
	ESC_SWEEP_AB = 3,       /* saltelli: A_j with key `key` from B_j */
	ESC_SWEEP_START = 4,    /* morris: a trajectory's first point */
	ESC_SWEEP_STEP = 5      /* morris: the previous point with key `key`
	                           moved by `step` (of the unit range) */
} esc_sweep_role;
#define ESC_SWEEP_ROLE_LABELS "0=point,1=A,2=B,3=AB,4=start,5=step"

typedef struct esc_sweep_opts {
	const char *design;     /* a design's name; NULL: grid */
	size_t points;          /* --points N: the base sample (0: not given) */
	unsigned levels;        /* morris: P, even, >= 2 (0: the default) */
	uint64_t seed;          /* lhs, morris */
} esc_sweep_opts;

typedef struct esc_sweep {
	const char *design;     /* the design's name (static) */
	size_t n_keys;
	char **keys;            /* dotted paths, in the order given */
	char **specs;           /* each key's SPEC as given */
	const char **units;     /* "h" where the SPEC used durations, else NULL */
	size_t n_points;
	double *values;         /* n_points x n_keys, row-major */
	size_t base;            /* N: base rows, trajectories; a grid's points */
	unsigned levels;        /* morris: P; else 0 */
	uint64_t seed;          /* what lhs and morris drew from */
	/* Per point: */
	int64_t *block;         /* base row j (saltelli), trajectory (morris),
	                           else the point itself */
	int8_t *role;           /* esc_sweep_role */
	int32_t *key;           /* AB and STEP: the key changed; else -1 */
	double *step;           /* STEP: the signed move in unit coordinates;
	                           else NaN */
} esc_sweep;

/* Build the design from "KEY=SPEC" strings.  Bad specs, a repeated key, an
 * unknown design, a missing or needless --points, too many keys or points
 * are ESC_ERR_INPUT with a message naming what is wrong.  Free with
 * esc_sweep_free, also after an error. */
int esc_sweep_build(esc_sweep *s, const char *const *vary, size_t n,
                    const esc_sweep_opts *o, esc_error *err);
void esc_sweep_free(esc_sweep *s);

/* 1 if NAME is a design, else 0; the names as "grid, sobol, lhs, saltelli
 * or morris", for messages. */
int esc_sweep_design_known(const char *name);
const char *esc_sweep_design_list(void);

/* "KEY=VALUE" for key k at point p, the value written so that Lua reads
 * back the same double (an integral value as an integer).  Returns the
 * length, as snprintf. */
int esc_sweep_assignment(const esc_sweep *s, size_t p, size_t k, char *buf,
                         size_t size);

#endif
