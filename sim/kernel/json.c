/* json.c: escsim's number policy for JSON built with cJSON (json.h).
 *
 * A number is stored as a raw node holding its text, so cJSON prints it as
 * written here; cJSON would otherwise print with %1.15g or %1.17g. */
#include <math.h>

#include "escsim/json.h"
#include "escsim/text.h"

cJSON *esc_json_number(double x)
{
	if (!isfinite(x))
		return cJSON_CreateNull();
	char buf[ESC_NUM_MAX];
	return cJSON_CreateRaw(esc_fmt_double(buf, x));
}

cJSON *esc_json_add_number(cJSON *obj, const char *key, double x)
{
	cJSON *n = esc_json_number(x);
	if (n && !cJSON_AddItemToObject(obj, key, n)) {
		cJSON_Delete(n);
		return NULL;
	}
	return n;
}

int esc_json_append_number(cJSON *arr, double x)
{
	cJSON *n = esc_json_number(x);
	if (!n || !cJSON_AddItemToArray(arr, n)) {
		cJSON_Delete(n);
		return -1;
	}
	return 0;
}

char *esc_json_print(const cJSON *j, int pretty)
{
	if (!j)
		return NULL;
	return pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
}
