/* text.c: numbers and words written to be read back (text.h).
 *
 * Numbers: precision 15 is exact for most values people write; 17 digits
 * always round-trip (IEEE 754 binary64).  Words: a word of only
 * [A-Za-z0-9-_./=:,+@%] is left bare; any other goes in single quotes, a
 * quote inside as '\'' (the one character single quotes cannot hold).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escsim/text.h"

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

static const char bare[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789-_./=:,+@%";

char *esc_shell_join(const char *const *words, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) * 4 + 3;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *a = words[i];
		if (i)
			*p++ = ' ';
		if (*a && strspn(a, bare) == strlen(a)) {
			size_t k = strlen(a);
			memcpy(p, a, k);
			p += k;
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *a;
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}
