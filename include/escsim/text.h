/* text.h: text printed for people that programs (and shells) read back.
 *
 * esc_fmt_double writes the shortest of %.15g, %.16g and %.17g that reads
 * back (strtod) as the same double: 0.3 prints as 0.3, not as
 * 0.29999999999999999, and every value still round-trips exactly.  -0 prints
 * as 0.  Non-finite values print as nan, inf and -inf; JSON writers map them
 * to null themselves.  `escsim check`, `report --csv` and `report --json`
 * print through it.
 *
 * esc_plural gets "1 arm" and "2 arms" right.
 *
 * esc_shell_join writes words so that a POSIX shell reads them back as the
 * same words: the `command_line` a result file records can be pasted into a
 * shell to run the command again.
 */
#ifndef ESCSIM_TEXT_H
#define ESCSIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any double in %.17g ("-1.2345678901234567e-308"). */
#define ESC_NUM_MAX 32

/* Writes into buf (at least ESC_NUM_MAX bytes) and returns it. */
const char *esc_fmt_double(char *buf, double x);

/* "s" unless n is 1: "%lld arm%s", n, esc_plural(n). */
static inline const char *esc_plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* words[0..n) joined by spaces, each quoted for a POSIX shell where it
 * needs it (single quotes; an empty word is ''); malloc'd, NULL when out of
 * memory. */
char *esc_shell_join(const char *const *words, size_t n);

#endif
