/* suggest.h: "did you mean": the known name nearest to a misspelt one.
 *
 * One home for the suggestion every layer makes when it refuses a name (a
 * scenario key in the script layer, an actor in an event export in the
 * fit).  Plain strings only, no escalation words: it lives in the kernel.
 */
#ifndef ESCSIM_SUGGEST_H
#define ESCSIM_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b, each cut to its first 64 bytes,
 * capped at 255. */
int esc_edit_distance(const char *a, const char *b);

/* The candidate closest to key when it is close enough to be a misspelling
 * (at most 1 edit for keys of up to 3 bytes, 2 up to 6, else 3, and fewer
 * edits than key has bytes), else NULL.  The first of equally close ones. */
const char *esc_suggest(const char *key, const char *const *candidates, size_t n);

#endif
