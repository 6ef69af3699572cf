/* error.h: errors as values.
 *
 * Every fallible function takes an esc_error * and returns 0 on success or the
 * status it stored there.  The message says what went wrong and where
 * (file:line, key path, replication, simulated time); callers add outer context
 * with esc_error_prefix.  Statuses are the process exit codes of the CLI, so
 * the CLI can exit with err.status as it is.
 */
#ifndef ESCSIM_ERROR_H
#define ESCSIM_ERROR_H

enum {
	ESC_OK = 0,
	ESC_ERR_RUNTIME = 1,   /* I/O failure, out of memory, a library failed */
	ESC_ERR_INPUT = 2,     /* bad usage, invalid scenario or policy result */
	ESC_ERR_INTERRUPTED = 3
};

typedef struct esc_error {
	int status;
	char msg[1024];
} esc_error;

/* Set status and message (printf-style); returns status. */
int esc_error_set(esc_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context ("replication 3, t=12.5 h: ") to an existing message. */
int esc_error_prefix(esc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void esc_error_clear(esc_error *err);

#endif
