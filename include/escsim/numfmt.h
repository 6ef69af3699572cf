/* numfmt.h: numbers printed for people and programs to read back.
 *
 * esc_fmt_double writes the shortest of %.15g, %.16g and %.17g that reads
 * back (strtod) as the same double: 0.3 prints as 0.3, not as
 * 0.29999999999999999, and every value still round-trips exactly.  -0 prints
 * as 0.  Non-finite values print as nan, inf and -inf; JSON writers map them
 * to null themselves.  `escsim check`, `report --csv` and `report --json`
 * print through it.
 */
#ifndef ESCSIM_NUMFMT_H
#define ESCSIM_NUMFMT_H

#include <stddef.h>

/* Enough for any double in %.17g ("-1.2345678901234567e-308"). */
#define ESC_NUM_MAX 32

/* Writes into buf (at least ESC_NUM_MAX bytes) and returns it. */
const char *esc_fmt_double(char *buf, double x);

#endif
