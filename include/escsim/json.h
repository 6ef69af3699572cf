/* json.h: JSON text through cJSON (Debian's libcjson), with escsim's one
 * number policy.
 *
 * Every JSON escsim writes (the resolved scenario, `check`, `report --json`,
 * the units and labels of a table, answers shown to policies) is built as a
 * cJSON tree and printed by cJSON, so strings are escaped one way.  Numbers
 * go through esc_json_number: the shortest text that reads back as the same
 * double (esc_fmt_double, escsim/text.h), and null for NaN and infinities,
 * which JSON cannot hold.  cJSON's own number printer is never used: it
 * prints 0.3 as 0.29999999999999999 or drops a digit some values need.
 *
 * Reading JSON back (a result file's resolved scenario) is cJSON_Parse.
 */
#ifndef ESCSIM_JSON_H
#define ESCSIM_JSON_H

#include <cJSON.h>

/* A number node (raw text in the shortest form), or a null node for a
 * non-finite x; NULL when out of memory. */
cJSON *esc_json_number(double x);

/* Add KEY: x to the object OBJ; the node, or NULL when out of memory. */
cJSON *esc_json_add_number(cJSON *obj, const char *key, double x);

/* Append x to the array ARR; 0, or -1 when out of memory. */
int esc_json_append_number(cJSON *arr, double x);

/* J as text, on one line (PRETTY 0) or indented; malloc'd (free()), NULL
 * when out of memory or J is NULL.  J is left as it was. */
char *esc_json_print(const cJSON *j, int pretty);

#endif
