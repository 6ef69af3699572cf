/* test_table.c: the text form of table cells (analysis/table.c): floats in
 * the shortest form that reads back exactly, RFC 4180 quoting, and labels
 * parsed from FIELD_<i>_LABELS, commas in names included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analysis/table.c"
#include "../../analysis/export.c"
#include "../../analysis/outfile.c"

static void shortest_round_trip(void **state)
{
	(void)state;
	static const struct { double v; const char *want; } cases[] = {
		{ 0.1, "0.1" }, { 2.5, "2.5" }, { 1.0 / 3, "0.3333333333333333" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e300, "1e+300" },
		{ -0.0, "0" }, { 12, "12" },
		{ 1.7320508075688772, "1.7320508075688772" }, { DBL_MAX, "1.7976931348623157e+308" },
		{ 123456789012345.6, "123456789012345.6" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		esc_tab_number(buf, sizeof buf, cases[i].v);
		assert_string_equal(buf, cases[i].want);
		assert_true(strtod(buf, NULL) == cases[i].v);
	}
	/* A million pseudo-random doubles of every exponent read back. */
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 1000000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		double v;
		memcpy(&v, &x, sizeof v);
		if (!isfinite(v))
			continue;
		esc_tab_number(buf, sizeof buf, v);
		assert_true(strtod(buf, NULL) == v);
		if (fabs(v) < DBL_MIN)
			continue;        /* subnormals: exact, not always shortest */
		/* and one digit fewer would not: the form is the shortest */
		char shorter[64];
		/* significant digits: from the first non-zero to the last */
		int digits = 0, seen = 0, upto = 0;
		for (const char *p = buf; *p && *p != 'e'; p++) {
			seen |= *p >= '1' && *p <= '9';
			digits += seen && *p >= '0' && *p <= '9';
			if (*p >= '1' && *p <= '9')
				upto = digits;
		}
		digits = upto;
		if (digits > 1 && digits <= 17) {
			snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
			assert_false(strtod(shorter, NULL) == v);
		}
	}
	esc_tab_number(buf, sizeof buf, NAN);
	assert_string_equal(buf, "");
	esc_tab_number(buf, sizeof buf, -INFINITY);
	assert_string_equal(buf, "-Inf");
}

static char *field(const char *s, char sep)
{
	static char out[256];
	memset(out, 0, sizeof out);
	FILE *m = fmemopen(out, sizeof out, "w");
	esc_csv_field(m, s, sep);
	fclose(m);
	return out;
}

static void rfc4180(void **state)
{
	(void)state;
	assert_string_equal(field("plain", ','), "plain");
	assert_string_equal(field("a,b", ','), "\"a,b\"");
	assert_string_equal(field("say \"hi\"", ','), "\"say \"\"hi\"\"\"");
	assert_string_equal(field("two\nlines", ','), "\"two\nlines\"");
	assert_string_equal(field("cr\r", ','), "\"cr\r\"");
	assert_string_equal(field("a,b", '\t'), "a,b");          /* TSV: tabs quoted */
	assert_string_equal(field("a\tb", '\t'), "\"a\tb\"");
	assert_string_equal(field("", ','), "");
}

static void free_labels(esc_tab_col *c)
{
	for (size_t k = 0; k < c->n_labels; k++)
		free(c->labels[k]);
	free(c->labels);
	free(c->codes);
}

static void labels(void **state)
{
	(void)state;
	esc_tab_col c = { .labels_text = "-1=none,0=Golan, north,1=a=b,12=x" };
	assert_int_equal(parse_labels(&c), 0);
	assert_int_equal(c.n_labels, 4);
	assert_string_equal(esc_tab_label(&c, -1), "none");
	assert_string_equal(esc_tab_label(&c, 0), "Golan, north");
	assert_string_equal(esc_tab_label(&c, 1), "a=b");
	assert_string_equal(esc_tab_label(&c, 12), "x");
	assert_null(esc_tab_label(&c, 2));
	assert_false(c.flag);
	free_labels(&c);

	esc_tab_col f = { .labels_text = "-1=n/a,0=no,1=yes" };
	assert_int_equal(parse_labels(&f), 0);
	assert_true(f.flag);                 /* a number, n/a missing */
	free_labels(&f);

	esc_tab_col none = { .labels_text = "" };
	assert_int_equal(parse_labels(&none), 0);
	assert_int_equal(none.n_labels, 0);
}

static void sidecar_names(void **state)
{
	(void)state;
	static const char *const in[][2] = {
		{ "runs.csv", "runs.columns.csv" }, { "runs.csv.gz", "runs.columns.csv" },
		{ "d/ev.tsv", "d/ev.columns.csv" }, { "plain", "plain.columns.csv" },
	};
	for (size_t i = 0; i < 4; i++) {
		char *s = esc_export_sidecar_name(in[i][0]);
		assert_string_equal(s, in[i][1]);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shortest_round_trip),
		cmocka_unit_test(rfc4180),
		cmocka_unit_test(labels),
		cmocka_unit_test(sidecar_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
