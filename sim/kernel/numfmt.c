/* numfmt.c: the shortest decimal form of a double that reads back as it
 * (numfmt.h).  Precision 15 is exact for most values written by people;
 * 17 digits always round-trip (IEEE 754 binary64). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "escsim/numfmt.h"

const char *esc_fmt_double(char *buf, double x)
{
	if (isnan(x)) {
		snprintf(buf, ESC_NUM_MAX, "nan");
		return buf;
	}
	if (isinf(x)) {
		snprintf(buf, ESC_NUM_MAX, x > 0 ? "inf" : "-inf");
		return buf;
	}
	if (x == 0)
		x = 0;               /* -0 reads as 0 */
	for (int prec = 15; prec < 17; prec++) {
		snprintf(buf, ESC_NUM_MAX, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return buf;
	}
	snprintf(buf, ESC_NUM_MAX, "%.17g", x);
	return buf;
}
