/* log.c: leveled messages on stderr (escsim/log.h).  The level is the one
 * piece of process-wide state below the command line: written once before
 * threads start, read by all, so it needs no lock. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "escsim/log.h"

static esc_log_level level = ESC_LOG_WARN;
static atomic_int live;             /* a live progress line is on the terminal */

static const char *const names[] = { "error", "warning", "info", "debug" };

void esc_log_set_level(esc_log_level l)
{
	level = l;
}

esc_log_level esc_log_get_level(void)
{
	return level;
}

int esc_log_parse_level(const char *name, esc_log_level *out)
{
	for (int i = ESC_LOG_ERROR; i <= ESC_LOG_DEBUG; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (esc_log_level)i;
			return 0;
		}
	if (strcmp(name, "warn") == 0) {
		*out = ESC_LOG_WARN;
		return 0;
	}
	return -1;
}

int esc_log_enabled(esc_log_level l)
{
	return l <= level;
}

void esc_log_live(int shown)
{
	live = shown;
}

void esc_log(esc_log_level l, const char *fmt, ...)
{
	if (!esc_log_enabled(l))
		return;
	char line[1200];
	int n = snprintf(line, sizeof line, "%sescsim: %s: ", live ? "\r\033[K" : "",
	                 names[l]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	/* One write(2): lines from several threads stay whole. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
