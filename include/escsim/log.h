/* log.h: messages to the user on standard error, by level.
 *
 * The process has one level, set once by the command line before any
 * worker thread starts (-v, -vv, --log-level) and only read afterwards.
 * A message is one line, tagged with the program and its level, so a log
 * file can be filtered:
 *
 *   escsim: warning: 1 of 2 threads started (...)
 *   escsim: info: scenario 'golan_2026' loaded: 2 arms, 100 replications
 *   escsim: debug: replication 17 of arm 'cell' written
 *
 * Errors are not logged through here: the command prints the error record
 * it gets back (escsim/error.h) as "escsim: MESSAGE" and exits with its
 * status, whatever the level.
 */
#ifndef ESCSIM_LOG_H
#define ESCSIM_LOG_H

typedef enum esc_log_level {
	ESC_LOG_ERROR,      /* only errors: warnings are dropped */
	ESC_LOG_WARN,       /* the default */
	ESC_LOG_INFO,       /* -v: what is being done, step by step */
	ESC_LOG_DEBUG       /* -vv: per replication, timings */
} esc_log_level;

void esc_log_set_level(esc_log_level level);
esc_log_level esc_log_get_level(void);
/* "error", "warn" (or "warning"), "info", "debug": 0 and *level, else -1. */
int esc_log_parse_level(const char *name, esc_log_level *level);

/* 1 if a message of LEVEL is printed (to skip building an expensive one). */
int esc_log_enabled(esc_log_level level);

/* Print "escsim: LEVEL: MESSAGE\n" on stderr if LEVEL is enabled.  One
 * write per line, so lines from several threads do not mix.  A live
 * progress line on a terminal is cleared first (esc_log_live). */
void esc_log(esc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The live progress line owns the end of the terminal: set while one is
 * shown, so a message first clears it ("\r\033[K"). */
void esc_log_live(int shown);

#endif
