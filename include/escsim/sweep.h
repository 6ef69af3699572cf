/* sweep.h: designs over scenario parameters (escsim sweep --vary).
 *
 * Each varied key has a SPEC:
 *   1,2,4            a list of values (a single value is a list of one)
 *   lin:LO:HI:N      N evenly spaced values from LO to HI, both included
 *   log:LO:HI:N      N geometrically spaced values (LO, HI > 0)
 * A value is a number, or a duration with a unit (30m, 2h, 3d, 1w), which
 * is converted to hours, the scenarios' unit; the key's column then has
 * units "h".
 *
 * A grid design is every combination of the keys' values, the first key
 * varying slowest.  A Sobol design takes N points of GSL's Sobol sequence
 * (at most 40 keys) and maps each coordinate u in [0, 1) onto its key:
 * LO + u (HI - LO) for lin, log-uniformly for log (N is not needed and
 * ignored), and for a list the value at index floor(u K) of its K values.
 */
#ifndef ESCSIM_SWEEP_H
#define ESCSIM_SWEEP_H

#include <stddef.h>
#include "escsim/error.h"

typedef enum esc_sweep_design {
	ESC_SWEEP_GRID = 0,
	ESC_SWEEP_SOBOL = 1
} esc_sweep_design;

#define ESC_SWEEP_SOBOL_MAX_KEYS 40     /* gsl_qrng_sobol's dimension limit */
#define ESC_SWEEP_MAX_POINTS 1000000

typedef struct esc_sweep {
	esc_sweep_design design;
	size_t n_keys;
	char **keys;           /* dotted paths, in the order given */
	char **specs;          /* each key's SPEC as given */
	const char **units;    /* "h" where the SPEC used durations, else NULL */
	size_t n_points;
	double *values;        /* n_points x n_keys, row-major */
} esc_sweep;

/* Build the design from "KEY=SPEC" strings.  points: how many Sobol points
 * (ignored for a grid, which has the product of the keys' counts).  Bad
 * specs, a repeated key, too many keys or points are ESC_ERR_INPUT with a
 * message naming the spec.  Free with esc_sweep_free, also after an
 * error. */
int esc_sweep_build(esc_sweep *s, const char *const *vary, size_t n,
                    esc_sweep_design design, size_t points, esc_error *err);
void esc_sweep_free(esc_sweep *s);

/* "KEY=VALUE" for key k at point p, the value written so that Lua reads
 * back the same double (an integral value as an integer).  Returns the
 * length, as snprintf. */
int esc_sweep_assignment(const esc_sweep *s, size_t p, size_t k, char *buf,
                         size_t size);

#endif
