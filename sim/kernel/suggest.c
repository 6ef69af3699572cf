/* suggest.c: the nearest known name, for "did you mean" (escsim/suggest.h). */
#include <string.h>

#include "escsim/suggest.h"

int esc_edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64) n = 64;
	if (m > 64) m = 64;
	int row[65];
	for (size_t j = 0; j <= m; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best) best = up + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m] > 255 ? 255 : row[m];
}

const char *esc_suggest(const char *key, const char *const *candidates, size_t n)
{
	size_t len = strlen(key);
	int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	const char *best = NULL;
	int best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		int d = esc_edit_distance(key, candidates[i]);
		if (d < best_d && (size_t)d < len) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
