/* dates.c: the dates of an event export, as days since 1970-01-01 in the
 * proleptic Gregorian calendar (esc_fit_parse_day, esc_fit_format_day) and,
 * for the reader, a date with an optional time of day (fit_parse_when):
 *
 *   YYYY-MM-DD                 ISO 8601, ACLED's current exports
 *   YYYY-MM-DD[T ]HH:MM[:SS]   with a time of day (a trailing Z allowed)
 *   D Month YYYY               ACLED's older exports ("15 March 2025", or
 *                              the month's first three letters)
 *
 * Years 1900 to 2200; a day that does not exist (30 February) is refused.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fit_impl.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void esc_fit_format_day(int32_t z, char out[11])
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y + (m <= 2)) % 10000u, (unsigned)m % 100u,
	         (unsigned)d % 100u);
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/* n digits at *s into *v; advances. */
static int digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

static int valid_date(int y, int m, int d)
{
	return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* "HH:MM[:SS[.fff]][Z]" after the date: hours into *h. */
static int parse_time(const char *s, double *h)
{
	int hh, mm, ss = 0;
	if (digits(&s, 2, &hh) || *s++ != ':' || digits(&s, 2, &mm))
		return -1;
	double frac = 0;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &ss))
			return -1;
		if (*s == '.') {
			char *end;
			frac = strtod(s, &end);
			s = end;
		}
	}
	if (*s == 'Z')
		s++;
	if (*s || hh > 23 || mm > 59 || ss > 59)
		return -1;
	*h = hh + mm / 60.0 + (ss + frac) / 3600.0;
	return 0;
}

/* "D Month YYYY" (English, full or three letters). */
static int parse_dmy(const char *s, int32_t *day)
{
	static const char *const months[12] = {
		"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"
	};
	char *end;
	long d = strtol(s, &end, 10);
	if (end == s || *end != ' ')
		return -1;
	s = end + 1;
	size_t n = strcspn(s, " ");
	int m = 0;
	for (int i = 0; i < 12 && !m; i++)
		if ((n == strlen(months[i]) || n == 3) && strncasecmp(s, months[i], n) == 0)
			m = i + 1;
	if (!m || s[n] != ' ')
		return -1;
	s += n + 1;
	int y;
	if (strlen(s) != 4 || digits(&s, 4, &y) || !valid_date(y, m, (int)d))
		return -1;
	*day = days_from_civil(y, m, (int)d);
	return 0;
}

/* A date, or a date and time: the day and, when given, the hours (-1 if
 * not). */
int fit_parse_when(const char *s, int32_t *day, double *hours)
{
	*hours = -1;
	int y, m, d;
	const char *p = s;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &m) || *p++ != '-' || digits(&p, 2, &d))
		return parse_dmy(s, day);
	if (!valid_date(y, m, d))
		return -1;
	if (*p == 'T' || *p == ' ') {
		if (parse_time(p + 1, hours))
			return -1;
	} else if (*p) {
		return -1;
	}
	*day = days_from_civil(y, m, d);
	return 0;
}

int esc_fit_parse_day(const char *s, int32_t *day)
{
	double h;
	return fit_parse_when(s, day, &h) == 0 && h < 0 ? 0 : -1;
}
