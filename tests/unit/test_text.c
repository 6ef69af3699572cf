/* test_text.c: esc_fmt_double prints the shortest of %.15g, %.16g and
 * %.17g that reads back as the same double.
 *
 * Known answers for values people write (0.3, 1/3, hours(10/60)), for ones
 * that need 16 and 17 digits, and for the special values; then a sweep of
 * values drawn by a fixed-seed generator, every one of which must round-trip
 * exactly.  JSON (escsim/json.h) prints its numbers the same way, null
 * for the values JSON lacks, escapes strings, and parses back.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "escsim/json.h"
#include "escsim/text.h"
#include "escsim/rng.h"

static void test_known_answers(void **state)
{
	(void)state;
	char b[ESC_NUM_MAX];
	assert_string_equal(esc_fmt_double(b, 0.3), "0.3");
	assert_string_equal(esc_fmt_double(b, 0.6), "0.6");
	assert_string_equal(esc_fmt_double(b, 2160), "2160");
	/* 1/3 needs 16 digits: 0.333333333333333 (15) reads back lower */
	assert_true(strtod("0.333333333333333", NULL) != 1.0 / 3.0);
	assert_string_equal(esc_fmt_double(b, 1.0 / 3.0), "0.3333333333333333");
	assert_string_equal(esc_fmt_double(b, 10.0 / 60.0), "0.16666666666666666");
	/* 0.1 + 0.2 is not 0.3: it needs all 17 digits */
	assert_string_equal(esc_fmt_double(b, 0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(esc_fmt_double(b, 1e300), "1e+300");
	assert_string_equal(esc_fmt_double(b, -2.5e-8), "-2.5e-08");
	assert_string_equal(esc_fmt_double(b, -0.0), "0");
	assert_string_equal(esc_fmt_double(b, NAN), "nan");
	assert_string_equal(esc_fmt_double(b, INFINITY), "inf");
	assert_string_equal(esc_fmt_double(b, -INFINITY), "-inf");
	assert_string_equal(esc_fmt_double(b, 4.9406564584124654e-324), "4.94065645841247e-324");
}

static void test_round_trip(void **state)
{
	(void)state;
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	assert_non_null(r);
	gsl_rng_set(r, 15);
	char b[ESC_NUM_MAX];
	for (int i = 0; i < 200000; i++) {
		uint64_t bits = (uint64_t)gsl_rng_get(r) << 32 ^ (uint64_t)gsl_rng_get(r);
		double x;
		if (i % 2) {
			memcpy(&x, &bits, sizeof x);          /* any bit pattern */
			if (!isfinite(x))
				continue;
		} else {
			x = round(gsl_rng_uniform(r) * 1e6) / 1e3;   /* values people type */
		}
		esc_fmt_double(b, x);
		assert_true(strtod(b, NULL) == x);
		if (i % 2 == 0 && x != 0)
			assert_true(strlen(b) <= 15 + 2);   /* at most 15 significant digits */
	}
	gsl_rng_free(r);
}

/* JSON built with esc_json_*: numbers as esc_fmt_double prints them (not
 * cJSON's 0.29999999999999999), null for NaN and infinities, strings
 * escaped, and the text parsed back to the same values. */
static void test_json(void **state)
{
	(void)state;
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "v");
	assert_non_null(esc_json_add_number(o, "x", 0.3));
	assert_non_null(esc_json_add_number(o, "third", 1.0 / 3.0));
	assert_non_null(esc_json_add_number(o, "nan", NAN));
	assert_int_equal(esc_json_append_number(a, -0.0), 0);
	assert_int_equal(esc_json_append_number(a, INFINITY), 0);
	assert_int_equal(esc_json_append_number(a, 1e300), 0);
	assert_non_null(cJSON_AddStringToObject(o, "s", "a\"b\\c\n\x01"));
	char *t = esc_json_print(o, 0);
	assert_string_equal(t, "{\"v\":[0,null,1e+300],\"x\":0.3,"
	                    "\"third\":0.3333333333333333,\"nan\":null,"
	                    "\"s\":\"a\\\"b\\\\c\\n\\u0001\"}");
	cJSON *back = cJSON_Parse(t);
	assert_non_null(back);
	assert_true(cJSON_GetObjectItem(back, "x")->valuedouble == 0.3);
	assert_true(cJSON_GetObjectItem(back, "third")->valuedouble == 1.0 / 3.0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(back, "nan")));
	assert_string_equal(cJSON_GetObjectItem(back, "s")->valuestring, "a\"b\\c\n\x01");
	cJSON_Delete(back);
	free(t);
	assert_null(esc_json_print(NULL, 1));
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
