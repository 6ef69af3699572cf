/* mapping.h: the scenario's names and the mapping file (mapping.c), for
 * the export reader (events.c).  Not a public header. */
#ifndef ESCSIM_FIT_MAPPING_H
#define ESCSIM_FIT_MAPPING_H

#include <stddef.h>
#include "escsim/config.h"
#include "escsim/error.h"

/* escsim's columns of an export. */
enum fit_col { FIT_COL_DATE, FIT_COL_ACTOR, FIT_COL_TYPE, FIT_COL_ZONE, FIT_COL_FATALITIES,
               FIT_COL_TARGET, FIT_N_COLS };
extern const char *const fit_col_name[FIT_N_COLS];   /* "date", "actor", ... */

/* The kinds of value a mapping reads. */
enum fit_map_kind { FIT_MAP_ACTOR, FIT_MAP_TYPE, FIT_MAP_ZONE, FIT_N_MAPS };
extern const char *const fit_map_kind[FIT_N_MAPS];   /* "actor", "type", "zone" */

/* The scenario's names of one kind, in its order (pointers into cfg). */
typedef struct fit_names {
	const char **v;
	size_t n;
} fit_names;

int fit_names_of(const esc_config *cfg, int kind, fit_names *out);   /* -1: out of memory */
int fit_names_find(const fit_names *l, const char *s);               /* index, or -1 */
const char *fit_names_join(const fit_names *l, char *buf, size_t size);   /* "ISR, SYR, NSA" */

typedef struct fit_map_entry {
	char *source;
	int index;              /* config index, or -2: drop the row */
} fit_map_entry;

typedef struct fit_mapping {
	char *column[FIT_N_COLS];   /* the export's name for each column, or NULL */
	fit_map_entry *v[FIT_N_MAPS];
	size_t n[FIT_N_MAPS];
} fit_mapping;

/* Read a mapping file against the scenario's names; ESC_ERR_INPUT with
 * file:line for a bad row. */
int fit_mapping_read(fit_mapping *m, const esc_config *cfg, const char *path, esc_error *err);
void fit_mapping_free(fit_mapping *m);

/* What the mapping reads value s of a kind as: a config index, -2 (drop
 * the row), or -1 (it does not say). */
int fit_mapping_find(const fit_mapping *m, int kind, const char *s);

#endif
