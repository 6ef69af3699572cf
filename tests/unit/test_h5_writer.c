/* test_h5_writer.c: the HDF5 result file (escsim/h5_writer.h) read back with the
 * plain HDF5 C API, independently of the writer's own type code.
 *
 * ESC_H5_TEST_OUT=FILE keeps the two-arm file of the round-trip test at FILE
 * so it can be checked with h5dump, h5py and pandas.  The daily and events
 * tables are checked the same way, labels and all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>
#include <hdf5.h>

#include "escsim/h5_writer.h"
#include "../../sim/h5/h5_attr.h"
#include "../../sim/h5/h5_table.h"

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char tmpdir[256];

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void in_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static const char *module_text = "-- Golan \xe2\x80\x94 \xd8\xa7\xd9\x84\xd9\x82\xd9\x86\xd9\x8a\xd8\xb7\xd8\xb1\xd8\xa9\nreturn {}\n";

static const esc_h5_source sources[] = {
	{ "scenario", "scenarios/abc.lua", "abc" },
	{ "lib/ladder", "scenarios/lib/ladder.lua", "return { levels = 8 }\n" },
	{ "policies.cautious", "scenarios/policies/cautious.lua", NULL },
};

static esc_h5_provenance provenance(void)
{
	esc_h5_source *s = malloc(sizeof sources);
	memcpy(s, sources, sizeof sources);
	s[2].text = module_text;
	esc_h5_provenance p = {
		.escsim_version = "0.1.0-test",
		.command_line = "escsim compare abc.lua -n 300 -s 18446744073709551615",
		.scenario_name = "abc",
		.seed = UINT64_MAX,
		.reps = 300,
		.sources = s,
		.n_sources = 3,
		.resolved_json = "{\"horizon\": 8760}",
		.lua_version = "Lua 5.4.4",
		.rng_type = "mt19937",
	};
	return p;
}

static void free_provenance(esc_h5_provenance *p)
{
	free((void *)p->sources);
}

/* Values chosen to exercise the full width of each type, and NaN. */
static esc_run_row make_row(int arm, int64_t i)
{
	esc_run_row r;
	memset(&r, 0, sizeof r);
	r.rep = i;
	r.seed = UINT64_MAX - (uint64_t)i;
	r.incidents = ((int64_t)1 << 40) + i + arm;
	r.retaliations = i % 17;
	r.misattributed_retaliations = i % 5;
	r.fatalities_mil = 3 * i;
	r.fatalities_civ = 7 * i + arm;
	r.max_level = (int32_t)(i % 8);
	r.hours_at_or_above_6 = 0.5 * (double)i + arm;
	r.spiral = (int8_t)(i % 2);
	r.first_crisis_h = i % 3 == 0 ? NAN : 1.25 * (double)i;
	r.cell_requests = arm == 0 ? i % 11 : 0;
	r.cell_answered_before_deadline = arm == 0 ? i % 7 : 0;
	r.cell_mean_latency_h = i % 5 == 0 ? NAN : 0.1 * (double)i;
	r.cell_notice_latency_h = i % 4 == 0 ? NAN : 0.2 * (double)i;
	r.events_total = INT64_MAX - i;
	r.cell_refused = i % 3;
	r.cell_unavailable = i % 4;
	r.cell_enforcements = i % 2;
	r.channel_requests = 2 * i;
	r.channel_answered_before_deadline = i;
	r.notices_sent = 5 * i;
	r.notices_in_time = 2 * i;
	r.notices_too_late = i + 1;
	r.notices_undelivered = 2 * i - 1;
	return r;
}

/* --------------------------------------------------------------- readers */

static char *read_text_attr(hid_t obj, const char *name)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	assert_true(a >= 0);
	hid_t ft = H5Aget_type(a);
	assert_int_equal(H5Tget_class(ft), H5T_STRING);
	char *out;
	if (H5Tis_variable_str(ft)) {
		assert_int_equal(H5Tget_cset(ft), H5T_CSET_UTF8);
		hid_t mt = H5Tcopy(H5T_C_S1);
		H5Tset_size(mt, H5T_VARIABLE);
		H5Tset_cset(mt, H5T_CSET_UTF8);
		char *v = NULL;
		assert_true(H5Aread(a, mt, &v) >= 0);
		out = strdup(v);
		H5free_memory(v);
		H5Tclose(mt);
	} else {
		size_t n = H5Tget_size(ft);
		out = calloc(n + 1, 1);
		assert_true(H5Aread(a, ft, out) >= 0);
	}
	H5Tclose(ft);
	H5Aclose(a);
	return out;
}

static void assert_attr_text(hid_t obj, const char *name, const char *want)
{
	char *v = read_text_attr(obj, name);
	assert_string_equal(v, want);
	free(v);
}

/* A JSON attribute (units, labels): the same JSON values as WANT, keys in
 * the same order.  Both are parsed and printed again by cJSON, so only the
 * whitespace between tokens may differ from WANT. */
static void assert_attr_json(hid_t obj, const char *name, const char *want)
{
	char *v = read_text_attr(obj, name);
	cJSON *got = cJSON_Parse(v), *exp = cJSON_Parse(want);
	if (!got)
		fail_msg("attribute %s is not JSON: %s", name, v);
	assert_non_null(exp);
	assert_true(cJSON_Compare(got, exp, 1));
	char *a = cJSON_PrintUnformatted(got), *b = cJSON_PrintUnformatted(exp);
	assert_string_equal(a, b);
	free(a);
	free(b);
	cJSON_Delete(got);
	cJSON_Delete(exp);
	free(v);
}

/* Fixed-length ASCII string attribute exactly as H5LT writes it. */
static void assert_attr_fixed(hid_t obj, const char *name, const char *want)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	assert_true(a >= 0);
	hid_t ft = H5Aget_type(a);
	assert_false(H5Tis_variable_str(ft));
	assert_int_equal(H5Tget_size(ft), strlen(want) + 1);
	assert_int_equal(H5Tget_strpad(ft), H5T_STR_NULLTERM);
	assert_int_equal(H5Tget_cset(ft), H5T_CSET_ASCII);
	H5Tclose(ft);
	H5Aclose(a);
	assert_attr_text(obj, name, want);
}

/* A table's columns in order with their units (NULL: none). */
typedef struct column_units {
	const char *name, *units;
} column_units;

/* The runs columns and their units, as docs/results.md lists them (an arm
 * made with its parties has fatalities_by_<PARTY> columns after
 * fatalities_civ, RUN_COL_PARTIES). */
static const column_units run_cols[] = {
	{ "rep", NULL }, { "seed", NULL }, { "incidents", "count" },
	{ "retaliations", "count" }, { "misattributed_retaliations", "count" },
	{ "fatalities_mil", "count" }, { "fatalities_civ", "count" },
	{ "max_level", "level" }, { "hours_at_or_above_6", "h" },
	{ "spiral", "1" }, { "first_crisis_h", "h" },
	{ "cell_requests", "count" }, { "cell_answered_before_deadline", "count" },
	{ "cell_mean_latency_h", "h" }, { "cell_notice_latency_h", "h" },
	{ "events_total", "count" }, { "cell_refused", "count" },
	{ "cell_unavailable", "count" }, { "cell_enforcements", "count" },
	{ "channel_requests", "count" }, { "channel_answered_before_deadline", "count" },
	{ "notices_sent", "count" }, { "notices_in_time", "count" },
	{ "notices_too_late", "count" }, { "notices_undelivered", "count" },
};
#define N_RUN_COLS (unsigned)(sizeof run_cols / sizeof run_cols[0])
#define RUN_COL_PARTIES 7

/* Every column's units, in both forms: FIELD_<i>_UNITS where it has units
 * and nowhere else, and the whole `units` JSON object in column order, so
 * a unit dropped, added or changed on any column fails. */
static void assert_units(hid_t d, const column_units *cols, unsigned n)
{
	char json[2048] = "{";
	size_t len = 1;
	for (unsigned i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "FIELD_%u_UNITS", i);
		if (!cols[i].units) {
			if (H5Aexists(d, key) != 0)
				fail_msg("%s (%s) has units, expected none", key, cols[i].name);
			continue;
		}
		assert_attr_fixed(d, key, cols[i].units);
		len += (size_t)snprintf(json + len, sizeof json - len, "%s\"%s\": \"%s\"",
		                        len > 1 ? ", " : "", cols[i].name, cols[i].units);
		assert_true(len < sizeof json);
	}
	snprintf(json + len, sizeof json - len, "}");
	assert_attr_json(d, "units", json);
}

/* Text datasets are fixed-length UTF-8, for PyTables' sake. */
static char *read_text_dataset(hid_t loc, const char *name)
{
	hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
	assert_true(d >= 0);
	hid_t ft = H5Dget_type(d);
	assert_int_equal(H5Tget_class(ft), H5T_STRING);
	assert_false(H5Tis_variable_str(ft));
	assert_int_equal(H5Tget_cset(ft), H5T_CSET_UTF8);
	size_t n = H5Tget_size(ft);
	char *out = calloc(n + 1, 1);
	assert_true(H5Dread(d, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
	assert_int_equal(strlen(out), n - 1);
	H5Tclose(ft);
	H5Dclose(d);
	return out;
}

static int64_t read_int_attr(hid_t obj, const char *name)
{
	int64_t v = 0;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	assert_true(a >= 0);
	assert_true(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
	H5Aclose(a);
	return v;
}

/* The reader's own compound over esc_run_row, built from the spec's column
 * names, not from the writer's descriptor. */
static hid_t reader_row_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_run_row));
#define M(f, ty) H5Tinsert(t, #f, HOFFSET(esc_run_row, f), ty)
	M(rep, H5T_NATIVE_INT64);
	M(seed, H5T_NATIVE_UINT64);
	M(incidents, H5T_NATIVE_INT64);
	M(retaliations, H5T_NATIVE_INT64);
	M(misattributed_retaliations, H5T_NATIVE_INT64);
	M(fatalities_mil, H5T_NATIVE_INT64);
	M(fatalities_civ, H5T_NATIVE_INT64);
	M(max_level, H5T_NATIVE_INT32);
	M(hours_at_or_above_6, H5T_NATIVE_DOUBLE);
	M(spiral, H5T_NATIVE_INT8);
	M(first_crisis_h, H5T_NATIVE_DOUBLE);
	M(cell_requests, H5T_NATIVE_INT64);
	M(cell_answered_before_deadline, H5T_NATIVE_INT64);
	M(cell_mean_latency_h, H5T_NATIVE_DOUBLE);
	M(cell_notice_latency_h, H5T_NATIVE_DOUBLE);
	M(events_total, H5T_NATIVE_INT64);
	M(cell_refused, H5T_NATIVE_INT64);
	M(cell_unavailable, H5T_NATIVE_INT64);
	M(cell_enforcements, H5T_NATIVE_INT64);
	M(channel_requests, H5T_NATIVE_INT64);
	M(channel_answered_before_deadline, H5T_NATIVE_INT64);
	M(notices_sent, H5T_NATIVE_INT64);
	M(notices_in_time, H5T_NATIVE_INT64);
	M(notices_too_late, H5T_NATIVE_INT64);
	M(notices_undelivered, H5T_NATIVE_INT64);
#undef M
	return t;
}

static void assert_same_double(double a, double b)
{
	if (isnan(b))
		assert_true(isnan(a));
	else
		assert_memory_equal(&a, &b, sizeof a);
}

static void assert_same_row(const esc_run_row *got, const esc_run_row *want)
{
	assert_int_equal(got->rep, want->rep);
	assert_true(got->seed == want->seed);
	assert_int_equal(got->incidents, want->incidents);
	assert_int_equal(got->retaliations, want->retaliations);
	assert_int_equal(got->misattributed_retaliations,
	                 want->misattributed_retaliations);
	assert_int_equal(got->fatalities_mil, want->fatalities_mil);
	assert_int_equal(got->fatalities_civ, want->fatalities_civ);
	assert_int_equal(got->max_level, want->max_level);
	assert_same_double(got->hours_at_or_above_6, want->hours_at_or_above_6);
	assert_int_equal(got->spiral, want->spiral);
	assert_same_double(got->first_crisis_h, want->first_crisis_h);
	assert_int_equal(got->cell_requests, want->cell_requests);
	assert_int_equal(got->cell_answered_before_deadline,
	                 want->cell_answered_before_deadline);
	assert_same_double(got->cell_mean_latency_h, want->cell_mean_latency_h);
	assert_same_double(got->cell_notice_latency_h, want->cell_notice_latency_h);
	assert_true(got->events_total == want->events_total);
	assert_int_equal(got->cell_refused, want->cell_refused);
	assert_int_equal(got->cell_unavailable, want->cell_unavailable);
	assert_int_equal(got->cell_enforcements, want->cell_enforcements);
	assert_int_equal(got->channel_requests, want->channel_requests);
	assert_int_equal(got->channel_answered_before_deadline,
	                 want->channel_answered_before_deadline);
	assert_int_equal(got->notices_sent, want->notices_sent);
	assert_int_equal(got->notices_in_time, want->notices_in_time);
	assert_int_equal(got->notices_too_late, want->notices_too_late);
	assert_int_equal(got->notices_undelivered, want->notices_undelivered);
}

/* Chunked, shuffle, deflate 1, then the Fletcher-32 checksum. */
static void check_filters(hid_t d)
{
	hid_t dcpl = H5Dget_create_plist(d);
	assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
	assert_int_equal(H5Pget_nfilters(dcpl), 3);
	unsigned flags, cd[4];
	size_t ncd = 4;
	assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL),
	                 H5Z_FILTER_SHUFFLE);
	ncd = 4;
	assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL),
	                 H5Z_FILTER_DEFLATE);
	assert_int_equal(cd[0], 1);
	ncd = 4;
	assert_int_equal(H5Pget_filter2(dcpl, 2, &flags, &ncd, cd, 0, NULL, NULL),
	                 H5Z_FILTER_FLETCHER32);
	H5Pclose(dcpl);
}

static void check_runs(hid_t file, const char *arm_name, int arm, hsize_t n_want)
{
	char path[128];
	snprintf(path, sizeof path, "/arms/%s/runs", arm_name);
	hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
	assert_true(d >= 0);
	hid_t s = H5Dget_space(d);
	hsize_t n = 0, max = 0;
	assert_int_equal(H5Sget_simple_extent_ndims(s), 1);
	H5Sget_simple_extent_dims(s, &n, &max);
	assert_int_equal(n, n_want);
	assert_true(max == H5S_UNLIMITED);
	H5Sclose(s);

	check_filters(d);

	esc_run_row *rows = calloc(n_want ? n_want : 1, sizeof *rows);
	hid_t t = reader_row_type();
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	for (hsize_t i = 0; i < n_want; i++) {
		esc_run_row want = make_row(arm, (int64_t)i);
		assert_same_row(&rows[i], &want);
	}
	H5Tclose(t);
	free(rows);

	/* The Table spec attributes, and ours beside them: every column's
	 * units in both forms. */
	assert_attr_fixed(d, "CLASS", "TABLE");
	assert_attr_fixed(d, "VERSION", "3.0");
	assert_true(H5Aexists(d, "TITLE") > 0);
	hid_t ft = H5Dget_type(d);
	assert_int_equal(H5Tget_nmembers(ft), (int)N_RUN_COLS);
	for (unsigned i = 0; i < N_RUN_COLS; i++) {
		char key[32];
		snprintf(key, sizeof key, "FIELD_%u_NAME", i);
		assert_attr_fixed(d, key, run_cols[i].name);
		char *m = H5Tget_member_name(ft, i);
		assert_string_equal(m, run_cols[i].name);
		H5free_memory(m);
	}
	H5Tclose(ft);
	assert_units(d, run_cols, N_RUN_COLS);
	assert_attr_fixed(d, "FIELD_9_LABELS", "0=no,1=yes");
	assert_attr_json(d, "labels", "{\"spiral\": {\"0\": \"no\", \"1\": \"yes\"}}");
	H5Dclose(d);
}

/* ----------------------------------------------------------------- tests */

static int append_blocks(esc_h5_writer *w, int arm, const size_t *blocks,
                         size_t nb)
{
	esc_error err = {0};
	int64_t next = 0;
	for (size_t b = 0; b < nb; b++) {
		esc_run_row *rows = calloc(blocks[b] ? blocks[b] : 1, sizeof *rows);
		for (size_t i = 0; i < blocks[b]; i++)
			rows[i] = make_row(arm, next + (int64_t)i);
		int rc = esc_h5_append_runs(w, arm, rows, blocks[b], &err);
		free(rows);
		assert_int_equal(rc, ESC_OK);
		next += (int64_t)blocks[b];
	}
	return (int)next;
}

static void test_round_trip(void **state)
{
	(void)state;
	char path[512], partial[600];
	const char *keep = getenv("ESC_H5_TEST_OUT");
	if (keep && *keep)
		snprintf(path, sizeof path, "%s", keep);
	else
		in_tmp(path, sizeof path, "two_arms.h5");
	snprintf(partial, sizeof partial, "%s.partial", path);
	unlink(path);

	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int cell = -1, no_cell = -1;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{\"cell\": {\"enabled\": true}}",
	                                NULL, 1, 0, &cell, &err), ESC_OK);
	assert_int_equal(esc_h5_add_arm(w, "no_cell", "cell.enabled=false",
	                                "{\"cell\": {\"enabled\": false}}",
	                                NULL, 1, 0, &no_cell, &err), ESC_OK);
	assert_int_equal(cell, 0);
	assert_int_equal(no_cell, 1);

	/* Interleaved blocks of odd sizes, one empty, one bigger than a chunk. */
	static const size_t a[] = { 1, 37, 0, 200, 62 };
	static const size_t b[] = { 150, 3000, 1 };
	assert_int_equal(append_blocks(w, cell, a, 2), 38);
	assert_true(exists(partial));
	assert_false(exists(path));
	assert_int_equal(esc_h5_append_runs(w, cell, NULL, 0, &err), ESC_OK);
	esc_run_row rest[262];
	for (int i = 0; i < 262; i++)
		rest[i] = make_row(0, 38 + i);
	assert_int_equal(esc_h5_append_runs(w, cell, rest, 262, &err), ESC_OK);
	assert_int_equal(append_blocks(w, no_cell, b, 3), 3151);

	assert_true(exists(partial));
	assert_false(exists(path));
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	assert_true(exists(path));
	assert_false(exists(partial));

	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	assert_int_equal(read_int_attr(f, "complete"), 1);
	assert_int_equal(read_int_attr(f, "reps"), 300);
	uint64_t seed = 0;
	hid_t sa = H5Aopen(f, "seed", H5P_DEFAULT);
	assert_true(H5Aread(sa, H5T_NATIVE_UINT64, &seed) >= 0);
	H5Aclose(sa);
	assert_true(seed == UINT64_MAX);
	assert_attr_text(f, "scenario_sha256", SHA256_ABC);
	assert_attr_text(f, "schema_version", ESC_SCHEMA_VERSION);
	assert_attr_text(f, "escsim_version", "0.1.0-test");
	assert_attr_text(f, "scenario_name", "abc");
	assert_attr_text(f, "command_line", p.command_line);
	assert_attr_text(f, "lua_version", "Lua 5.4.4");
	assert_attr_text(f, "rng_type", "mt19937");
	char *created = read_text_attr(f, "created");
	assert_int_equal(strlen(created), 20);   /* YYYY-MM-DDTHH:MM:SSZ */
	assert_int_equal(created[10], 'T');
	assert_int_equal(created[19], 'Z');
	free(created);
	char *hv = read_text_attr(f, "hdf5_version");
	assert_true(strncmp(hv, "1.", 2) == 0);
	free(hv);
	char *gv = read_text_attr(f, "gsl_version");
	assert_true(strlen(gv) > 0);
	free(gv);

	char *src = read_text_dataset(f, "/scenario/source");
	assert_string_equal(src, "abc");
	free(src);
	hid_t sd = H5Dopen2(f, "/scenario/source", H5P_DEFAULT);
	assert_attr_text(sd, "path", "scenarios/abc.lua");
	assert_attr_text(sd, "sha256", SHA256_ABC);
	H5Dclose(sd);
	char *mod = read_text_dataset(f, "/scenario/modules/lib_ladder");
	assert_string_equal(mod, sources[1].text);
	free(mod);
	hid_t md = H5Dopen2(f, "/scenario/modules/lib_ladder", H5P_DEFAULT);
	assert_attr_text(md, "name", "lib/ladder");
	assert_attr_text(md, "path", "scenarios/lib/ladder.lua");
	H5Dclose(md);
	mod = read_text_dataset(f, "/scenario/modules/policies.cautious");
	assert_string_equal(mod, module_text);
	free(mod);
	char *rj = read_text_dataset(f, "/scenario/resolved_json");
	assert_string_equal(rj, "{\"horizon\": 8760}");
	free(rj);

	hid_t g = H5Gopen2(f, "/arms/no_cell", H5P_DEFAULT);
	assert_attr_text(g, "overrides", "cell.enabled=false");
	assert_attr_text(g, "resolved_json", "{\"cell\": {\"enabled\": false}}");
	H5Gclose(g);

	check_runs(f, "cell", 0, 300);
	check_runs(f, "no_cell", 1, 3151);
	H5Fclose(f);
	if (!(keep && *keep))
		unlink(path);
	free_provenance(&p);
}

static void test_incomplete_close(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "interrupted.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int arm;
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 1, 0, &arm, &err), ESC_OK);
	size_t blocks[] = { 10 };
	append_blocks(w, arm, blocks, 1);
	assert_int_equal(esc_h5_close(w, 0, &err), ESC_OK);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	assert_int_equal(read_int_attr(f, "complete"), 0);
	check_runs(f, "cell", 0, 10);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

/* An arm made without daily (outputs.daily = false) or events has no such
 * tables; appending to them is refused by name, and the file holds runs. */
static void test_tables_left_out(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "runs_only.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int arm;
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err), ESC_OK);
	esc_daily_row d = {0};
	esc_event_row e = {0};
	esc_message_row m = {0};
	assert_int_equal(esc_h5_append_daily(w, arm, &d, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "arm 'cell' has no daily table"));
	assert_int_equal(esc_h5_append_events(w, arm, &e, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "arm 'cell' has no events table"));
	assert_int_equal(esc_h5_append_messages(w, arm, &m, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "arm 'cell' has no messages table"));
	size_t blocks[] = { 5 };
	append_blocks(w, arm, blocks, 1);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	check_runs(f, "cell", 0, 5);
	assert_int_equal(H5Lexists(f, "/arms/cell/daily", H5P_DEFAULT), 0);
	assert_int_equal(H5Lexists(f, "/arms/cell/events", H5P_DEFAULT), 0);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

static void test_discard(void **state)
{
	(void)state;
	char path[512], partial[600];
	in_tmp(path, sizeof path, "discarded.h5");
	snprintf(partial, sizeof partial, "%s.partial", path);
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int arm;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", NULL, 1, 0, &arm, &err), ESC_OK);
	size_t blocks[] = { 5, 5 };
	append_blocks(w, arm, blocks, 2);
	assert_true(exists(partial));
	esc_h5_discard(w);
	assert_false(exists(partial));
	assert_false(exists(path));
	esc_h5_discard(NULL);
	free_provenance(&p);
}

static void test_unwritable(void **state)
{
	(void)state;
	char path[600], blocker[512];
	esc_error err = {0};
	esc_h5_provenance p = provenance();

	in_tmp(path, sizeof path, "no/such/dir/out.h5");
	assert_null(esc_h5_create(path, &p, &err));
	assert_int_equal(err.status, ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "no/such/dir/out.h5.partial"));
	assert_non_null(strstr(err.msg, "No such file or directory"));

	/* A path under a regular file: not a directory. */
	in_tmp(blocker, sizeof blocker, "plainfile");
	FILE *fp = fopen(blocker, "w");
	fputs("x", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/out.h5", blocker);
	esc_error_clear(&err);
	assert_null(esc_h5_create(path, &p, &err));
	assert_int_equal(err.status, ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, path));
	unlink(blocker);

	/* Permissions mean nothing to root, so only check them as a user. */
	if (geteuid() != 0) {
		char ro[400];
		in_tmp(ro, sizeof ro, "readonly");
		mkdir(ro, 0555);
		snprintf(path, sizeof path, "%s/out.h5", ro);
		esc_error_clear(&err);
		assert_null(esc_h5_create(path, &p, &err));
		assert_int_equal(err.status, ESC_ERR_RUNTIME);
		assert_non_null(strstr(err.msg, path));
		assert_non_null(strstr(err.msg, "Permission denied"));
		rmdir(ro);
	}
	free_provenance(&p);
}

/* A .partial left by a dead run is overwritten, not an error. */
static void test_stale_partial(void **state)
{
	(void)state;
	char path[512], partial[600];
	in_tmp(path, sizeof path, "stale.h5");
	snprintf(partial, sizeof partial, "%s.partial", path);
	FILE *fp = fopen(partial, "w");
	fputs("garbage from a killed run\n", fp);
	fclose(fp);
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	assert_false(exists(partial));
	assert_true(H5Fis_hdf5(path) > 0);
	unlink(path);
	free_provenance(&p);
}

/* Another program has NAME.partial open (a live run, or h5py): creating
 * fails with a message that says so, and the file is not truncated. */
static void test_partial_in_use(void **state)
{
	(void)state;
	char path[512], partial[600];
	in_tmp(path, sizeof path, "busy.h5");
	snprintf(partial, sizeof partial, "%s.partial", path);
	hid_t f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	assert_true(f >= 0);
	H5Fclose(f);
	struct stat before;
	assert_int_equal(stat(partial, &before), 0);
	assert_true(before.st_size > 0);

	int ready[2], done[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Only the parent's ends stay open there, so if the parent dies
		 * the read below sees end-of-file and the child goes too. */
		close(ready[0]);
		close(done[1]);
		char c = 'x';
		hid_t g = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(2);
		_exit(g >= 0 ? 0 : 1);
	}
	close(ready[1]);
	close(done[0]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);

	esc_error err = {0};
	esc_h5_provenance p = provenance();
	assert_null(esc_h5_create(path, &p, &err));
	assert_int_equal(err.status, ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, partial));
	assert_non_null(strstr(err.msg, "open in another program"));
	struct stat after;
	assert_int_equal(stat(partial, &after), 0);
	assert_int_equal(after.st_size, before.st_size);

	assert_int_equal(write(done[1], "x", 1), 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	close(done[1]);
	unlink(partial);
	free_provenance(&p);
}

static void test_arm_names(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "arms.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int arm = -1;
	static const char *bad[] = {
		"", "a/b", ".", ".hidden", "with space", "x\n",
		"0123456789012345678901234567890123456789012345678901234567890123456789",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		esc_error_clear(&err);
		assert_int_equal(esc_h5_add_arm(w, bad[i], "", "{}", NULL, 1, 0, &arm, &err),
		                 ESC_ERR_INPUT);
		assert_non_null(strstr(err.msg, "invalid arm name"));
	}
	assert_int_equal(esc_h5_add_arm(w, "p0003_cell-2.5", "", "{}", NULL, 1, 0, &arm, &err),
	                 ESC_OK);
	esc_error_clear(&err);
	assert_int_equal(esc_h5_add_arm(w, "p0003_cell-2.5", "", "{}", NULL, 1, 0, &arm, &err),
	                 ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "given twice"));
	esc_run_row r = make_row(0, 0);
	esc_error_clear(&err);
	assert_int_equal(esc_h5_append_runs(w, 7, &r, 1, &err), ESC_ERR_RUNTIME);
	assert_int_equal(esc_h5_append_runs(w, 0, &r, 1, &err), ESC_OK);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	check_runs(f, "p0003_cell-2.5", 0, 1);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

/* If the final rename fails the data is not lost: the partial stays and the
 * message says where. */
static void test_rename_fails(void **state)
{
	(void)state;
	char path[512], partial[600], inside[600];
	in_tmp(path, sizeof path, "is_a_dir.h5");
	snprintf(partial, sizeof partial, "%s.partial", path);
	snprintf(inside, sizeof inside, "%s/keep", path);
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	/* A folder appears under the final name during the run (one there at
	 * the start is refused by esc_h5_create). */
	mkdir(path, 0755);
	FILE *fp = fopen(inside, "w");   /* non-empty: rename cannot replace it */
	fclose(fp);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "cannot rename"));
	assert_non_null(strstr(err.msg, partial));
	assert_true(exists(partial));
	assert_true(H5Fis_hdf5(partial) > 0);
	unlink(partial);
	unlink(inside);
	rmdir(path);
	free_provenance(&p);
}

/* The generic table: an enum column becomes an HDF5 enum with its labels. */
typedef struct demo_row {
	int64_t id;
	int8_t kind;
	double t_h;
} demo_row;

static const esc_h5_field demo_fields[] = {
	{ "id", offsetof(demo_row, id), ESC_H5_I64, NULL, NULL, NULL },
	{ "kind", offsetof(demo_row, kind), ESC_H5_ENUM8, NULL,
	  "0=background,1=triggered,2=policy", "why it happened" },
	{ "t_h", offsetof(demo_row, t_h), ESC_H5_F64, "h", NULL, NULL },
};
static const esc_h5_table_desc demo_desc = {
	"demo", sizeof(demo_row), demo_fields, 3,
};

static void test_enum_table(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "enum.h5");
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	assert_true(f >= 0);
	esc_error err = {0};
	esc_h5_table t;
	assert_int_equal(esc_h5_table_create(&t, f, "events", &demo_desc, NULL,
	                                     "test", &err), ESC_OK);
	demo_row rows[3] = { { 1, 0, 0.5 }, { 2, 2, 1.5 }, { 3, 1, 2.5 } };
	assert_int_equal(esc_h5_table_append(&t, rows, 3, "test", &err), ESC_OK);
	assert_int_equal(esc_h5_table_close(&t), 0);

	hid_t d = H5Dopen2(f, "events", H5P_DEFAULT);
	hid_t ft = H5Dget_type(d);
	hid_t kt = H5Tget_member_type(ft, 1);
	assert_int_equal(H5Tget_class(kt), H5T_ENUM);
	char name[32];
	int8_t v = 2;
	assert_true(H5Tenum_nameof(kt, &v, name, sizeof name) >= 0);
	assert_string_equal(name, "policy");
	H5Tclose(kt);
	H5Tclose(ft);
	assert_attr_fixed(d, "FIELD_1_LABELS", "0=background,1=triggered,2=policy");
	assert_attr_fixed(d, "FIELD_1_DESCRIPTION", "why it happened");
	assert_attr_json(d, "labels", "{\"kind\": {\"0\": \"background\", "
	                 "\"1\": \"triggered\", \"2\": \"policy\"}}");
	assert_attr_json(d, "units", "{\"t_h\": \"h\"}");
	H5Dclose(d);
	H5Fclose(f);
	unlink(path);
}

/* ------------------------------------------------------- daily and events */

static const char *const party_names[] = { "ISR", "SYR", "NSA" };
static const char *const zone_names[] = { "Quneitra", "Golan" };
static const char *const type_names[] = { "raid", "rocket", "strike" };
static const char *const regime_names[] = { "calm", "tense", "crisis" };

/* golan_labels()'s parties in the `labels` JSON, with -1 = none. */
#define PARTY_JSON "{\"-1\": \"none\", \"0\": \"ISR\", \"1\": \"SYR\", \"2\": \"NSA\"}"

static esc_h5_labels golan_labels(void)
{
	esc_h5_labels l = {
		{ party_names, 3 }, { zone_names, 2 }, { type_names, 3 },
		{ regime_names, 3 }, { NULL, 0 },
	};
	return l;
}

static esc_daily_row make_daily(int arm, int64_t i)
{
	esc_daily_row d;
	memset(&d, 0, sizeof d);
	d.rep = i / 365 + ((int64_t)1 << 33);
	d.day = (int32_t)(i % 365);
	d.max_level = (int32_t)(i % 8);
	d.regime = (int32_t)(i % 4) - 1;          /* -1 (none) .. 2 */
	d.incidents = i % 9 + arm;
	d.fatalities_mil = INT64_MAX - i;
	d.fatalities_civ = i % 3;
	d.goldstein_sum = i % 7 == 0 ? -0.0 : -2.5 * (double)(i % 11) + 1e-9 * (double)i;
	return d;
}

static esc_event_row make_event(int arm, int64_t i)
{
	esc_event_row e;
	memset(&e, 0, sizeof e);
	e.rep = i / 1000;
	e.id = INT64_MAX - i;
	e.parent_id = i % 5 == 0 ? -1 : INT64_MAX - i + 1;
	e.root_id = INT64_MIN + i;
	e.t_h = 8760.0 * (double)i / 7919.0 + arm;
	e.kind = (int8_t)(i % 6 == 5 ? ESC_EVENT_PROTEST : ESC_EVENT_INCIDENT);
	e.actor = (int32_t)(i % 3);
	e.target = (int32_t)((i + 1) % 3);
	e.zone = (int32_t)(i % 2);
	e.type = e.kind == ESC_EVENT_PROTEST ? -1 : (int32_t)(i % 3);
	e.level = (int32_t)(i % 8);
	e.fatalities_mil = INT32_MAX - (int32_t)(i % 100);
	e.fatalities_civ = (int32_t)(i % 13);
	e.true_perpetrator = e.actor;
	e.perceived_perpetrator = (int32_t)(i % 4) - 1;
	e.cause = (int8_t)(i % 3);
	return e;
}

/* The reader's own compounds over the rows, by the spec's column names. */
static hid_t reader_daily_type(void)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_daily_row));
#define M(f, ty) H5Tinsert(t, #f, HOFFSET(esc_daily_row, f), ty)
	M(rep, H5T_NATIVE_INT64);
	M(day, H5T_NATIVE_INT32);
	M(max_level, H5T_NATIVE_INT32);
	M(regime, H5T_NATIVE_INT32);
	M(incidents, H5T_NATIVE_INT64);
	M(fatalities_mil, H5T_NATIVE_INT64);
	M(fatalities_civ, H5T_NATIVE_INT64);
	M(goldstein_sum, H5T_NATIVE_DOUBLE);
#undef M
	return t;
}

/* cause and kind are enums in the file; HDF5 converts an enum to an
 * integer only when asked for the same enum, so the reader reads them as
 * the file's member types, over int8 storage. */

/* Add the enum column NAME of FILE_TYPE to the memory type T at OFFSET, as
 * its native enum (HDF5 converts an enum only to an enum). */
static void insert_enum(hid_t t, hid_t file_type, const char *name, size_t offset)
{
	int idx = H5Tget_member_index(file_type, name);
	assert_true(idx >= 0);
	hid_t ft = H5Tget_member_type(file_type, (unsigned)idx);
	assert_int_equal(H5Tget_class(ft), H5T_ENUM);
	hid_t mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
	H5Tinsert(t, name, offset, mt);
	H5Tclose(mt);
	H5Tclose(ft);
}

static hid_t reader_event_type(hid_t file_type)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_event_row));
#define M(f, ty) H5Tinsert(t, #f, HOFFSET(esc_event_row, f), ty)
	M(rep, H5T_NATIVE_INT64);
	M(id, H5T_NATIVE_INT64);
	M(parent_id, H5T_NATIVE_INT64);
	M(root_id, H5T_NATIVE_INT64);
	M(t_h, H5T_NATIVE_DOUBLE);
	M(actor, H5T_NATIVE_INT32);
	M(target, H5T_NATIVE_INT32);
	M(zone, H5T_NATIVE_INT32);
	M(type, H5T_NATIVE_INT32);
	M(level, H5T_NATIVE_INT32);
	M(fatalities_mil, H5T_NATIVE_INT32);
	M(fatalities_civ, H5T_NATIVE_INT32);
	M(true_perpetrator, H5T_NATIVE_INT32);
	M(perceived_perpetrator, H5T_NATIVE_INT32);
#undef M
	insert_enum(t, file_type, "cause", HOFFSET(esc_event_row, cause));
	insert_enum(t, file_type, "kind", HOFFSET(esc_event_row, kind));
	return t;
}

static hid_t open_table(hid_t file, const char *arm, const char *table,
                        hsize_t n_want)
{
	char path[128];
	snprintf(path, sizeof path, "/arms/%s/%s", arm, table);
	hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
	assert_true(d >= 0);
	hid_t s = H5Dget_space(d);
	hsize_t n = 0, max = 0;
	H5Sget_simple_extent_dims(s, &n, &max);
	assert_int_equal(n, n_want);
	assert_true(max == H5S_UNLIMITED);
	H5Sclose(s);
	check_filters(d);
	assert_attr_fixed(d, "CLASS", "TABLE");
	assert_attr_fixed(d, "VERSION", "3.0");
	return d;
}

/* Column names in order, and each column's stored class and width: 'i'
 * signed little-endian integer, 'f' double, 'e' enum; the compound packed. */
static void assert_fields(hid_t d, const char *const *names, const char *cls,
                          const unsigned char *width, unsigned n)
{
	hid_t ft = H5Dget_type(d);
	assert_int_equal(H5Tget_nmembers(ft), n);
	size_t total = 0;
	for (unsigned i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "FIELD_%u_NAME", i);
		assert_attr_fixed(d, key, names[i]);
		char *m = H5Tget_member_name(ft, i);
		assert_string_equal(m, names[i]);
		H5free_memory(m);
		hid_t mt = H5Tget_member_type(ft, i);
		H5T_class_t c = H5Tget_class(mt);
		assert_int_equal(c, cls[i] == 'i' ? H5T_INTEGER
		                    : cls[i] == 'f' ? H5T_FLOAT : H5T_ENUM);
		assert_int_equal(H5Tget_size(mt), width[i]);
		if (c == H5T_INTEGER) {
			assert_int_equal(H5Tget_sign(mt), H5T_SGN_2);
			assert_int_equal(H5Tget_order(mt), H5T_ORDER_LE);
		}
		assert_int_equal(H5Tget_member_offset(ft, i), total);
		total += width[i];
		H5Tclose(mt);
	}
	assert_int_equal(H5Tget_size(ft), total);
	H5Tclose(ft);
}

static void check_daily(hid_t file, const char *arm_name, int arm,
                        hsize_t n_want, const char *regime_labels)
{
	hid_t d = open_table(file, arm_name, "daily", n_want);
	static const char *const names[] = {
		"rep", "day", "max_level", "regime", "incidents", "fatalities_mil",
		"fatalities_civ", "goldstein_sum",
	};
	/* regime is a labelled code: stored in the int8 its labels fit */
	static const unsigned char width[] = { 8, 4, 4, 1, 8, 8, 8, 8 };
	assert_fields(d, names, "iiiiiiif", width, 8);
	esc_daily_row *rows = calloc(n_want ? n_want : 1, sizeof *rows);
	hid_t t = reader_daily_type();
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	for (hsize_t i = 0; i < n_want; i++) {
		esc_daily_row w = make_daily(arm, (int64_t)i);
		assert_int_equal(rows[i].rep, w.rep);
		assert_int_equal(rows[i].day, w.day);
		assert_int_equal(rows[i].max_level, w.max_level);
		assert_int_equal(rows[i].regime, w.regime);
		assert_int_equal(rows[i].incidents, w.incidents);
		assert_true(rows[i].fatalities_mil == w.fatalities_mil);
		assert_int_equal(rows[i].fatalities_civ, w.fatalities_civ);
		assert_memory_equal(&rows[i].goldstein_sum, &w.goldstein_sum,
		                    sizeof w.goldstein_sum);
	}
	H5Tclose(t);
	free(rows);
	static const column_units units[] = {
		{ "rep", NULL }, { "day", "d" }, { "max_level", "level" },
		{ "regime", NULL }, { "incidents", "count" },
		{ "fatalities_mil", "count" }, { "fatalities_civ", "count" },
		{ "goldstein_sum", "goldstein" },
	};
	assert_units(d, units, 8);
	assert_attr_fixed(d, "FIELD_3_LABELS", regime_labels);
	assert_true(H5Aexists(d, "FIELD_3_DESCRIPTION") > 0);
	H5Dclose(d);
}

static void check_events(hid_t file, const char *arm_name, int arm,
                         hsize_t n_want)
{
	hid_t d = open_table(file, arm_name, "events", n_want);
	static const char *const names[] = {
		"rep", "id", "parent_id", "root_id", "t_h", "actor", "target", "zone",
		"type", "level", "fatalities_mil", "fatalities_civ",
		"true_perpetrator", "perceived_perpetrator", "cause", "kind",
	};
	/* party, zone and type codes are stored in the int8 their labels fit */
	static const unsigned char width[] = {
		8, 8, 8, 8, 8, 1, 1, 1, 1, 4, 4, 4, 1, 1, 1, 1,
	};
	assert_fields(d, names, "iiiifiiiiiiiiiee", width, 16);
	esc_event_row *rows = calloc(n_want ? n_want : 1, sizeof *rows);
	hid_t ft = H5Dget_type(d);
	hid_t t = reader_event_type(ft);
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	for (hsize_t i = 0; i < n_want; i++) {
		esc_event_row w = make_event(arm, (int64_t)i);
		assert_int_equal(rows[i].rep, w.rep);
		assert_true(rows[i].id == w.id);
		assert_true(rows[i].parent_id == w.parent_id);
		assert_true(rows[i].root_id == w.root_id);
		assert_memory_equal(&rows[i].t_h, &w.t_h, sizeof w.t_h);
		assert_int_equal(rows[i].actor, w.actor);
		assert_int_equal(rows[i].target, w.target);
		assert_int_equal(rows[i].zone, w.zone);
		assert_int_equal(rows[i].type, w.type);
		assert_int_equal(rows[i].level, w.level);
		assert_int_equal(rows[i].fatalities_mil, w.fatalities_mil);
		assert_int_equal(rows[i].fatalities_civ, w.fatalities_civ);
		assert_int_equal(rows[i].true_perpetrator, w.true_perpetrator);
		assert_int_equal(rows[i].perceived_perpetrator, w.perceived_perpetrator);
		assert_int_equal(rows[i].cause, w.cause);
		assert_int_equal(rows[i].kind, w.kind);
	}
	H5Tclose(t);
	free(rows);

	/* Labels: the scenario's names with -1 = none, in both forms. */
	static const char *const party = "-1=none,0=ISR,1=SYR,2=NSA";
	assert_attr_fixed(d, "FIELD_5_LABELS", party);
	assert_attr_fixed(d, "FIELD_6_LABELS", party);
	assert_attr_fixed(d, "FIELD_7_LABELS", "-1=none,0=Quneitra,1=Golan");
	assert_attr_fixed(d, "FIELD_8_LABELS", "-1=none,0=raid,1=rocket,2=strike");
	assert_attr_fixed(d, "FIELD_12_LABELS", party);
	assert_attr_fixed(d, "FIELD_13_LABELS", party);
	assert_attr_fixed(d, "FIELD_14_LABELS", "0=background,1=triggered,2=policy");
	assert_attr_fixed(d, "FIELD_15_LABELS", "0=incident,1=protest");
	assert_true(H5Aexists(d, "FIELD_1_LABELS") == 0);
	for (unsigned i = 0; i < 16; i++) {
		char key[40];
		snprintf(key, sizeof key, "FIELD_%u_DESCRIPTION", i);
		assert_true(H5Aexists(d, key) > 0);
	}
	char want[1024];
	snprintf(want, sizeof want, "{\"actor\": %s, \"target\": %s, "
	         "\"zone\": {\"-1\": \"none\", \"0\": \"Quneitra\", \"1\": \"Golan\"}, "
	         "\"type\": {\"-1\": \"none\", \"0\": \"raid\", \"1\": \"rocket\", "
	         "\"2\": \"strike\"}, \"true_perpetrator\": %s, "
	         "\"perceived_perpetrator\": %s, \"cause\": {\"0\": \"background\", "
	         "\"1\": \"triggered\", \"2\": \"policy\"}, \"kind\": {\"0\": "
	         "\"incident\", \"1\": \"protest\"}}",
	         PARTY_JSON, PARTY_JSON, PARTY_JSON, PARTY_JSON);
	assert_attr_json(d, "labels", want);
	static const column_units units[] = {
		{ "rep", NULL }, { "id", NULL }, { "parent_id", NULL },
		{ "root_id", NULL }, { "t_h", "h" }, { "actor", NULL },
		{ "target", NULL }, { "zone", NULL }, { "type", NULL },
		{ "level", "level" }, { "fatalities_mil", "count" },
		{ "fatalities_civ", "count" }, { "true_perpetrator", NULL },
		{ "perceived_perpetrator", NULL }, { "cause", NULL }, { "kind", NULL },
	};
	assert_units(d, units, 16);

	/* cause and kind are HDF5 enums named by their labels. */
	for (int k = 0; k < 2; k++) {
		hid_t mt = H5Tget_member_type(ft, k ? 15 : 14);
		char name[32];
		int8_t v = k ? ESC_EVENT_PROTEST : 2 /* policy */;
		assert_true(H5Tenum_nameof(mt, &v, name, sizeof name) >= 0);
		assert_string_equal(name, k ? "protest" : "policy");
		H5Tclose(mt);
	}
	H5Tclose(ft);
	H5Dclose(d);
}

/* Chunks: rows packed into the shuffled layout, deflated in a pool and
 * stored with H5Dwrite_chunk. */
typedef struct chunk_row {
	int64_t rep;
	int32_t party;        /* labelled: stored as int8 */
	int32_t zone;         /* labels up to 300: stored as int16 */
	double t_h;
	int8_t kind;
	char key[32];
} chunk_row;

static const esc_h5_field chunk_fields[] = {
	{ "rep", offsetof(chunk_row, rep), ESC_H5_I64, NULL, NULL, NULL },
	{ "party", offsetof(chunk_row, party), ESC_H5_I32, NULL,
	  "-1=none,0=ISR,1=SYR", NULL },
	{ "zone", offsetof(chunk_row, zone), ESC_H5_I32, NULL,
	  "-1=none,0=near,300=far", NULL },
	{ "t_h", offsetof(chunk_row, t_h), ESC_H5_F64, "h", NULL, NULL },
	{ "kind", offsetof(chunk_row, kind), ESC_H5_ENUM8, NULL, "0=a,1=b", NULL },
	{ "key", offsetof(chunk_row, key), ESC_H5_STR32, NULL, NULL, NULL },
};
static const esc_h5_table_desc chunk_desc = {
	"chunks", sizeof(chunk_row), chunk_fields, 6,
};

static chunk_row chunk_make(int64_t i)
{
	chunk_row r;
	memset(&r, 0xa5, sizeof r);   /* padding must not reach the file */
	r.rep = i / 7 - 3;
	r.party = (int32_t)(i % 3) - 1;
	r.zone = i % 5 == 0 ? 300 : (int32_t)(i % 2);
	r.t_h = i % 11 == 0 ? NAN : 0.25 * (double)i;
	r.kind = (int8_t)(i & 1);
	snprintf(r.key, sizeof r.key, "k%lld", (long long)i);
	return r;
}

/* NROWS rows appended in blocks of BLOCK through a pool of THREADS (0: no
 * pool), with a flush (the last chunk written partly filled, then
 * rewritten) after FLUSH_AT rows. */
static void chunk_file(const char *path, int threads, size_t nrows,
                       size_t block, size_t flush_at)
{
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	assert_true(f >= 0);
	esc_h5_zpool *pool = threads ? esc_h5_zpool_new(threads) : NULL;
	esc_error err = {0};
	esc_h5_table t;
	assert_int_equal(esc_h5_table_create(&t, f, "t", &chunk_desc, NULL,
	                                     "test", &err), ESC_OK);
	t.pool = pool;
	chunk_row *rows = malloc(block * sizeof *rows);
	size_t done = 0;
	while (done < nrows) {
		size_t k = nrows - done < block ? nrows - done : block;
		if (done < flush_at && done + k > flush_at)
			k = flush_at - done;
		for (size_t i = 0; i < k; i++)
			rows[i] = chunk_make((int64_t)(done + i));
		assert_int_equal(esc_h5_table_append(&t, rows, k, "test", &err), ESC_OK);
		done += k;
		if (done == flush_at) {
			assert_int_equal(esc_h5_table_flush(&t, "test", &err), ESC_OK);
			hid_t s = H5Dget_space(t.dset);
			hsize_t n = 0;
			H5Sget_simple_extent_dims(s, &n, NULL);
			H5Sclose(s);
			assert_int_equal(n, flush_at);   /* all in the file */
		}
	}
	free(rows);
	assert_int_equal(esc_h5_table_close(&t), 0);
	esc_h5_zpool_free(pool);
	H5Fclose(f);
}

/* Every chunk's stored bytes; the filter mask must be 0 (shuffle and
 * deflate both applied, as readers expect). */
static unsigned char *chunk_bytes(const char *path, size_t *len, hsize_t *nrows)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, "t", H5P_DEFAULT);
	hid_t s = H5Dget_space(d);
	H5Sget_simple_extent_dims(s, nrows, NULL);
	hid_t dcpl = H5Dget_create_plist(d);
	hsize_t cdim = 0;
	assert_int_equal(H5Pget_chunk(dcpl, 1, &cdim), 1);
	H5Pclose(dcpl);
	unsigned char *all = NULL;
	*len = 0;
	for (hsize_t off = 0; off < *nrows; off += cdim) {
		hsize_t sz = 0;
		uint32_t mask = 99;
		assert_true(H5Dget_chunk_storage_size(d, &off, &sz) >= 0);
		all = realloc(all, *len + sz);
		assert_true(H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, all + *len) >= 0);
		assert_int_equal(mask, 0);
		*len += sz;
	}
	H5Sclose(s);
	H5Dclose(d);
	H5Fclose(f);
	return all;
}

static void test_chunks(void **state)
{
	(void)state;
	/* A row is 8 + 1 + 2 + 8 + 1 + 32 = 52 bytes: 5041 rows a chunk, so
	 * 12,000 rows are three chunks, the last partly filled. */
	enum { N = 12000 };
	char a[512], b[512], c[512];
	in_tmp(a, sizeof a, "chunks0.h5");
	in_tmp(b, sizeof b, "chunks3.h5");
	in_tmp(c, sizeof c, "chunks1.h5");
	chunk_file(a, 0, N, 777, 6000);
	chunk_file(b, 3, N, 777, 6000);
	chunk_file(c, 1, N, 4096, 6000);

	/* The same bytes whatever the threads (and the block size). */
	size_t la, lb, lc;
	hsize_t na, nb, nc;
	unsigned char *ca = chunk_bytes(a, &la, &na);
	unsigned char *cb = chunk_bytes(b, &lb, &nb);
	unsigned char *cc = chunk_bytes(c, &lc, &nc);
	assert_int_equal(na, N);
	assert_int_equal(nb, N);
	assert_int_equal(nc, N);
	assert_int_equal(la, lb);
	assert_int_equal(la, lc);
	assert_memory_equal(ca, cb, la);
	assert_memory_equal(ca, cc, la);
	assert_true(la < (size_t)N * 52 / 2);   /* deflated */
	free(ca);
	free(cb);
	free(cc);

	/* HDF5's own pipeline reads the rows back; narrowed codes are int8 and
	 * int16 in the file. */
	hid_t f = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, "t", H5P_DEFAULT);
	hid_t ft = H5Dget_type(d);
	assert_int_equal(H5Tget_size(ft), 52);
	hid_t m1 = H5Tget_member_type(ft, 1), m2 = H5Tget_member_type(ft, 2);
	assert_int_equal(H5Tget_size(m1), 1);
	assert_int_equal(H5Tget_size(m2), 2);
	H5Tclose(m1);
	H5Tclose(m2);
	H5Tclose(ft);
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(chunk_row));
	H5Tinsert(mt, "rep", offsetof(chunk_row, rep), H5T_NATIVE_INT64);
	H5Tinsert(mt, "party", offsetof(chunk_row, party), H5T_NATIVE_INT32);
	H5Tinsert(mt, "zone", offsetof(chunk_row, zone), H5T_NATIVE_INT32);
	H5Tinsert(mt, "t_h", offsetof(chunk_row, t_h), H5T_NATIVE_DOUBLE);
	H5Tinsert(mt, "kind", offsetof(chunk_row, kind), H5T_NATIVE_INT8);
	hid_t st = H5Tcopy(H5T_C_S1);
	H5Tset_size(st, 32);
	H5Tinsert(mt, "key", offsetof(chunk_row, key), st);
	chunk_row *got = calloc(N, sizeof *got);
	assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
	for (int64_t i = 0; i < N; i++) {
		chunk_row w = chunk_make(i);
		assert_int_equal(got[i].rep, w.rep);
		assert_int_equal(got[i].party, w.party);
		assert_int_equal(got[i].zone, w.zone);
		assert_memory_equal(&got[i].t_h, &w.t_h, sizeof w.t_h);
		assert_int_equal(got[i].kind, w.kind);
		assert_string_equal(got[i].key, w.key);
	}
	free(got);
	H5Tclose(st);
	H5Tclose(mt);
	H5Dclose(d);
	H5Fclose(f);
	unlink(a);
	unlink(b);
	unlink(c);
}

/* Rows [from, from + n) of table D read with esc_h5_table_row_type(T). */
static void read_like(esc_h5_table *t, hid_t d, hsize_t from, hsize_t n,
                      void *rows)
{
	hid_t rt = esc_h5_table_row_type(t);
	assert_true(rt >= 0);
	hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &n, NULL);
	assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &from, NULL, &n,
	                                NULL) >= 0);
	assert_true(H5Dread(d, rt, ms, fs, H5P_DEFAULT, rows) >= 0);
	H5Sclose(ms);
	H5Sclose(fs);
	H5Tclose(rt);
}

/* The row struct of a table made like another: columns at their kinds'
 * sizes, one after the other (the narrowed zone is an int32 again). */
typedef struct __attribute__((packed)) like_row {
	int64_t rep;
	int8_t party;
	int32_t zone;
	double t_h;
	int8_t kind;
	char key[32];
} like_row;

static void assert_like_row(const like_row *got, int64_t i)
{
	chunk_row w = chunk_make(i);
	assert_int_equal(got->rep, w.rep);
	assert_int_equal(got->party, w.party);
	assert_int_equal(got->zone, w.zone);
	assert_memory_equal(&got->t_h, &w.t_h, sizeof w.t_h);
	assert_int_equal(got->kind, w.kind);
	assert_string_equal(got->key, w.key);
}

/* What the merge does: a table made like another (its description read
 * back from the file), its first chunk copied as stored and the rest
 * appended, is chunk for chunk the original, attributes and all. */
static void test_table_like(void **state)
{
	(void)state;
	enum { N = 12000, R = 5041 };
	char a[512], b[512];
	in_tmp(a, sizeof a, "like_src.h5");
	in_tmp(b, sizeof b, "like_dst.h5");
	chunk_file(a, 0, N, 4096, N);
	hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t src = H5Dopen2(fa, "t", H5P_DEFAULT);
	hid_t fb = H5Fcreate(b, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	esc_h5_zpool *pool = esc_h5_zpool_new(2);
	esc_error err = {0};
	esc_h5_table t;
	assert_int_equal(esc_h5_table_create_like(&t, fb, "t", src, "test", &err),
	                 ESC_OK);
	t.pool = pool;
	assert_int_equal(t.desc->row_size, sizeof(like_row));
	assert_int_equal(t.chunk_rows, R);
	like_row *rows = calloc(N, sizeof *rows);
	read_like(&t, src, 0, N, rows);
	for (int64_t i = 0; i < N; i++)
		assert_like_row(&rows[i], i);

	/* A partly filled chunk cannot take copied chunks. */
	assert_int_equal(esc_h5_table_append(&t, rows, 1, "test", &err), ESC_OK);
	hsize_t copied = 99;
	assert_int_equal(esc_h5_table_copy_chunks(&t, src, 1, &copied, "test",
	                                          &err), ESC_ERR_RUNTIME);
	assert_int_equal(copied, 0);
	assert_int_equal(esc_h5_table_close(&t), 0);
	H5Ldelete(fb, "t", H5P_DEFAULT);

	assert_int_equal(esc_h5_table_create_like(&t, fb, "t", src, "test", &err),
	                 ESC_OK);
	t.pool = pool;
	/* More chunks than SRC holds whole: nothing copied. */
	assert_int_equal(esc_h5_table_copy_chunks(&t, src, 3, &copied, "test",
	                                          &err), ESC_OK);
	assert_int_equal(copied, 0);
	assert_int_equal(esc_h5_table_copy_chunks(&t, src, 1, &copied, "test",
	                                          &err), ESC_OK);
	assert_int_equal(copied, R);
	assert_int_equal(t.nrows, R);
	for (size_t at = R; at < N; at += 1000) {
		size_t k = N - at < 1000 ? N - at : 1000;
		assert_int_equal(esc_h5_table_append(&t, rows + at, k, "test", &err),
		                 ESC_OK);
	}
	assert_int_equal(esc_h5_table_close(&t), 0);
	assert_null(t.desc);
	esc_h5_zpool_free(pool);

	hid_t dst = H5Dopen2(fb, "t", H5P_DEFAULT);
	hid_t ta = H5Dget_type(src), tb = H5Dget_type(dst);
	assert_true(H5Tequal(ta, tb) > 0);
	H5Tclose(ta);
	H5Tclose(tb);
	const char *const names[] = { "TITLE", "FIELD_1_LABELS", "FIELD_2_LABELS",
	                              "FIELD_3_UNITS", "FIELD_4_LABELS",
	                              "FIELD_5_NAME", "units", "labels" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *va = read_text_attr(src, names[i]);
		assert_non_null(va);
		assert_attr_text(dst, names[i], va);
		free(va);
	}
	H5Dclose(dst);
	H5Dclose(src);
	H5Fclose(fa);
	H5Fclose(fb);
	size_t la, lb;
	hsize_t na, nb;
	unsigned char *ca = chunk_bytes(a, &la, &na);
	unsigned char *cb = chunk_bytes(b, &lb, &nb);
	assert_int_equal(na, N);
	assert_int_equal(nb, N);
	assert_int_equal(la, lb);
	assert_memory_equal(ca, cb, la);
	free(ca);
	free(cb);
	free(rows);
	unlink(a);
	unlink(b);
}

/* A table whose code columns were stored at full width (a file from before
 * they were narrowed) gives the writer's layout: the copy of its chunks is
 * refused (nothing copied) and its rows are appended, narrowed.  A column
 * of a type escsim does not write is named. */
static void test_table_like_other_layout(void **state)
{
	(void)state;
	enum { N = 6000 };
	char a[512], b[512];
	in_tmp(a, sizeof a, "wide_src.h5");
	in_tmp(b, sizeof b, "wide_dst.h5");
	hid_t fa = H5Fcreate(a, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	/* chunk_row's columns, party and zone as int32: 8+4+4+8+1+32 bytes. */
	hid_t et = H5Tenum_create(H5T_STD_I8LE), st = H5Tcopy(H5T_C_S1);
	int8_t v0 = 0, v1 = 1;
	H5Tenum_insert(et, "a", &v0);
	H5Tenum_insert(et, "b", &v1);
	H5Tset_size(st, 32);
	hid_t ft = H5Tcreate(H5T_COMPOUND, 57);
	H5Tinsert(ft, "rep", 0, H5T_STD_I64LE);
	H5Tinsert(ft, "party", 8, H5T_STD_I32LE);
	H5Tinsert(ft, "zone", 12, H5T_STD_I32LE);
	H5Tinsert(ft, "t_h", 16, H5T_IEEE_F64LE);
	H5Tinsert(ft, "kind", 24, et);
	H5Tinsert(ft, "key", 25, st);
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(chunk_row));
	H5Tinsert(mt, "rep", offsetof(chunk_row, rep), H5T_NATIVE_INT64);
	H5Tinsert(mt, "party", offsetof(chunk_row, party), H5T_NATIVE_INT32);
	H5Tinsert(mt, "zone", offsetof(chunk_row, zone), H5T_NATIVE_INT32);
	H5Tinsert(mt, "t_h", offsetof(chunk_row, t_h), H5T_NATIVE_DOUBLE);
	H5Tinsert(mt, "kind", offsetof(chunk_row, kind), et);
	H5Tinsert(mt, "key", offsetof(chunk_row, key), st);
	hsize_t n = N, chunk = 4599;
	hid_t sp = H5Screate_simple(1, &n, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_chunk(dcpl, 1, &chunk);
	H5Pset_shuffle(dcpl);
	H5Pset_deflate(dcpl, 1);
	hid_t src = H5Dcreate2(fa, "t", ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	assert_true(src >= 0);
	chunk_row *rows = malloc(N * sizeof *rows);
	for (int64_t i = 0; i < N; i++)
		rows[i] = chunk_make(i);
	assert_true(H5Dwrite(src, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	free(rows);
	assert_int_equal(esc_h5_attr_fixed(src, "TITLE", "wide"), 0);
	assert_int_equal(esc_h5_attr_fixed(src, "FIELD_1_LABELS", "-1=none,0=ISR,1=SYR"), 0);
	assert_int_equal(esc_h5_attr_fixed(src, "FIELD_2_LABELS", "-1=none,0=near,300=far"), 0);
	assert_int_equal(esc_h5_attr_fixed(src, "FIELD_4_LABELS", "0=a,1=b"), 0);
	H5Pclose(dcpl);
	H5Sclose(sp);
	H5Tclose(mt);
	H5Tclose(ft);

	hid_t fb = H5Fcreate(b, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	esc_error err = {0};
	esc_h5_table t;
	assert_int_equal(esc_h5_table_create_like(&t, fb, "t", src, "test", &err),
	                 ESC_OK);
	hsize_t copied = 99;
	assert_int_equal(esc_h5_table_copy_chunks(&t, src, 1, &copied, "test",
	                                          &err), ESC_OK);
	assert_int_equal(copied, 0);
	assert_int_equal(t.desc->row_size, 8 + 4 + 4 + 8 + 1 + 32);
	unsigned char *wide = malloc(N * t.desc->row_size);
	read_like(&t, src, 0, N, wide);
	assert_int_equal(esc_h5_table_append(&t, wide, N, "test", &err), ESC_OK);
	free(wide);
	assert_int_equal(esc_h5_table_close(&t), 0);

	/* Stored as the writer stores chunk_desc: party int8, zone int16. */
	esc_h5_table w;
	assert_int_equal(esc_h5_table_create(&w, fb, "w", &chunk_desc, NULL,
	                                     "test", &err), ESC_OK);
	hid_t dst = H5Dopen2(fb, "t", H5P_DEFAULT);
	hid_t td = H5Dget_type(dst), tw = H5Dget_type(w.dset);
	assert_true(H5Tequal(td, tw) > 0);
	H5Tclose(td);
	H5Tclose(tw);
	assert_int_equal(esc_h5_table_close(&w), 0);
	assert_attr_fixed(dst, "FIELD_2_LABELS", "-1=none,0=near,300=far");
	chunk_row *got = calloc(N, sizeof *got);
	hid_t rt = H5Tcreate(H5T_COMPOUND, sizeof(chunk_row));
	H5Tinsert(rt, "rep", offsetof(chunk_row, rep), H5T_NATIVE_INT64);
	H5Tinsert(rt, "party", offsetof(chunk_row, party), H5T_NATIVE_INT32);
	H5Tinsert(rt, "zone", offsetof(chunk_row, zone), H5T_NATIVE_INT32);
	H5Tinsert(rt, "key", offsetof(chunk_row, key), st);
	assert_true(H5Dread(dst, rt, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
	for (int64_t i = 0; i < N; i++) {
		chunk_row want = chunk_make(i);
		assert_int_equal(got[i].rep, want.rep);
		assert_int_equal(got[i].party, want.party);
		assert_int_equal(got[i].zone, want.zone);
		assert_string_equal(got[i].key, want.key);
	}
	free(got);
	H5Tclose(rt);
	H5Dclose(dst);

	/* A float32 column is no kind of escsim's. */
	hid_t ft2 = H5Tcreate(H5T_COMPOUND, 12);
	H5Tinsert(ft2, "rep", 0, H5T_STD_I64LE);
	H5Tinsert(ft2, "x", 8, H5T_IEEE_F32LE);
	hsize_t zero = 0, unlimited = H5S_UNLIMITED;
	hid_t sp2 = H5Screate_simple(1, &zero, &unlimited);
	hid_t dcpl2 = H5Pcreate(H5P_DATASET_CREATE);
	H5Pset_chunk(dcpl2, 1, &chunk);
	hid_t odd = H5Dcreate2(fa, "odd", ft2, sp2, H5P_DEFAULT, dcpl2, H5P_DEFAULT);
	assert_int_equal(esc_h5_table_create_like(&t, fb, "odd", odd, "test", &err),
	                 ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "column 'x' is of a type escsim does not write"));
	assert_int_equal(esc_h5_table_close(&t), 0);
	assert_true(H5Lexists(fb, "odd", H5P_DEFAULT) == 0);
	H5Dclose(odd);
	H5Pclose(dcpl2);
	H5Sclose(sp2);
	H5Tclose(ft2);
	H5Tclose(et);
	H5Tclose(st);
	H5Dclose(src);
	H5Fclose(fa);
	H5Fclose(fb);
	unlink(a);
	unlink(b);
}

/* A code outside its labels does not fit a narrowed column: an error
 * naming it, and the table keeps the rows it had. */
static void test_chunk_code_range(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "range.h5");
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	esc_error err = {0};
	esc_h5_table t;
	assert_int_equal(esc_h5_table_create(&t, f, "t", &chunk_desc, NULL,
	                                     "test", &err), ESC_OK);
	chunk_row rows[3] = { chunk_make(0), chunk_make(1), chunk_make(2) };
	assert_int_equal(esc_h5_table_append(&t, rows, 2, "test", &err), ESC_OK);
	rows[1].party = 200;
	assert_int_equal(esc_h5_table_append(&t, rows, 3, "test", &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "column party of row 3 is 200"));
	rows[1].party = 0;
	rows[2].zone = 40000;
	assert_int_equal(esc_h5_table_append(&t, rows, 3, "test", &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "column zone of row 4 is 40000"));
	assert_int_equal(esc_h5_table_close(&t), 0);
	hid_t d = H5Dopen2(f, "t", H5P_DEFAULT);
	hid_t s = H5Dget_space(d);
	hsize_t n = 0;
	H5Sget_simple_extent_dims(s, &n, NULL);
	assert_int_equal(n, 2);
	H5Sclose(s);
	H5Dclose(d);
	H5Fclose(f);
	unlink(path);
}

static void test_daily_events(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "tables.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	esc_h5_labels l = golan_labels();
	int cell = -1, plain = -1;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 1, 1, &cell, &err),
	                 ESC_OK);
	/* No labels, no events: codes only, -1 = none. */
	assert_int_equal(esc_h5_add_arm(w, "plain", "", "{}", NULL, 1, 0, &plain, &err),
	                 ESC_OK);

	/* Blocks of odd sizes, one bigger than a chunk (3360 event rows). */
	static const size_t dblocks[] = { 365, 1, 0, 4000, 364 };
	static const size_t eblocks[] = { 1, 4999, 0, 7, 3000 };
	int64_t nd = 0, ne = 0;
	for (size_t b = 0; b < 5; b++) {
		esc_daily_row *dr = calloc(dblocks[b] + 1, sizeof *dr);
		esc_event_row *er = calloc(eblocks[b] + 1, sizeof *er);
		for (size_t i = 0; i < dblocks[b]; i++)
			dr[i] = make_daily(0, nd + (int64_t)i);
		for (size_t i = 0; i < eblocks[b]; i++)
			er[i] = make_event(0, ne + (int64_t)i);
		assert_int_equal(esc_h5_append_daily(w, cell, dr, dblocks[b], &err), ESC_OK);
		assert_int_equal(esc_h5_append_events(w, cell, er, eblocks[b], &err), ESC_OK);
		nd += (int64_t)dblocks[b];
		ne += (int64_t)eblocks[b];
		free(dr);
		free(er);
	}
	esc_daily_row pd[730];
	for (int i = 0; i < 730; i++)
		pd[i] = make_daily(1, i);
	assert_int_equal(esc_h5_append_daily(w, plain, pd, 730, &err), ESC_OK);
	esc_event_row e = make_event(1, 0);
	esc_error_clear(&err);
	assert_int_equal(esc_h5_append_events(w, plain, &e, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "no events table"));
	esc_error_clear(&err);
	assert_int_equal(esc_h5_append_daily(w, 9, pd, 1, &err), ESC_ERR_RUNTIME);
	assert_int_equal(esc_h5_append_events(w, -1, &e, 1, &err), ESC_ERR_RUNTIME);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);

	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	check_daily(f, "cell", 0, (hsize_t)nd, "-1=none,0=calm,1=tense,2=crisis");
	check_events(f, "cell", 0, (hsize_t)ne);
	check_daily(f, "plain", 1, 730, "-1=none");
	hid_t d = H5Dopen2(f, "/arms/cell/daily", H5P_DEFAULT);
	assert_attr_json(d, "labels", "{\"regime\": {\"-1\": \"none\", \"0\": "
	                 "\"calm\", \"1\": \"tense\", \"2\": \"crisis\"}}");
	H5Dclose(d);
	assert_int_equal(H5Lexists(f, "/arms/plain/events", H5P_DEFAULT), 0);
	hid_t pe = H5Dopen2(f, "/arms/plain/daily", H5P_DEFAULT);
	assert_attr_json(pe, "labels", "{\"regime\": {\"-1\": \"none\"}}");
	H5Dclose(pe);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

/* ---------------------------------------------------------------- messages */

static const char *const channel_names[] = { "cell", "UNDOF", "US_backchannel" };

static esc_message_row make_message(int64_t i)
{
	esc_message_row m;
	memset(&m, 0, sizeof m);
	m.rep = i / 50;
	m.id = i % 50;
	m.event_id = INT64_MAX - i;
	m.channel = (int32_t)(i % 3);
	m.sender = (int32_t)(i % 3);
	m.receiver = (int32_t)((i + 1) % 3);
	m.kind = (int8_t)(i % 5);
	m.outcome = (int8_t)((i / 5) % 5);
	m.correct = (int8_t)(i % 3) - 1;
	m.t_submit_h = 0.25 * (double)i;
	m.t_start_h = i % 7 == 0 ? NAN : m.t_submit_h + 0.1;
	m.t_answer_h = m.outcome == ESC_MSG_PENDING ? NAN : m.t_submit_h + 1.5;
	m.deadline_h = i % 4 == 0 ? NAN : m.t_submit_h + 2.0;
	m.slack_h = m.deadline_h - m.t_answer_h;
	return m;
}

static hid_t reader_message_type(hid_t file_type)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_message_row));
#define M(f, ty) H5Tinsert(t, #f, HOFFSET(esc_message_row, f), ty)
	M(rep, H5T_NATIVE_INT64);
	M(id, H5T_NATIVE_INT64);
	M(event_id, H5T_NATIVE_INT64);
	M(channel, H5T_NATIVE_INT32);
	M(sender, H5T_NATIVE_INT32);
	M(receiver, H5T_NATIVE_INT32);
	M(correct, H5T_NATIVE_INT8);
	M(t_submit_h, H5T_NATIVE_DOUBLE);
	M(t_start_h, H5T_NATIVE_DOUBLE);
	M(t_answer_h, H5T_NATIVE_DOUBLE);
	M(deadline_h, H5T_NATIVE_DOUBLE);
	M(slack_h, H5T_NATIVE_DOUBLE);
#undef M
	insert_enum(t, file_type, "kind", HOFFSET(esc_message_row, kind));
	insert_enum(t, file_type, "outcome", HOFFSET(esc_message_row, outcome));
	return t;
}

/* The messages table comes with events, takes the channel names given with
 * the arm (the cell alone when none are given), and keeps every value,
 * NaN included. */
/* Values scripts log: a fixed 32-byte name column, read back as written. */
static void test_log(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "log.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	esc_h5_labels l = golan_labels();
	int arm = -1;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 1, 0, &arm, &err), ESC_OK);
	enum { N = 300 };
	esc_log_row rows[N];
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < N; i++) {
		rows[i].rep = i / 10;
		rows[i].t_h = 0.5 * i;
		rows[i].party = i % 3 - 1;
		snprintf(rows[i].key, sizeof rows[i].key, i % 2 ? "strikes_called_off" : "k%d_%s", i,
		         "a_name_of_exactly_31_characters" + (i % 7));
		rows[i].value = i * 1.25;
	}
	assert_int_equal(esc_h5_append_log(w, arm, rows, 100, &err), ESC_OK);
	assert_int_equal(esc_h5_append_log(w, arm, rows + 100, N - 100, &err), ESC_OK);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);

	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	hid_t d = open_table(f, "cell", "log", N);
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(esc_log_row));
	hid_t st = H5Tcopy(H5T_C_S1);
	H5Tset_size(st, 32);
	H5Tinsert(t, "rep", HOFFSET(esc_log_row, rep), H5T_NATIVE_INT64);
	H5Tinsert(t, "t_h", HOFFSET(esc_log_row, t_h), H5T_NATIVE_DOUBLE);
	H5Tinsert(t, "party", HOFFSET(esc_log_row, party), H5T_NATIVE_INT32);
	H5Tinsert(t, "key", HOFFSET(esc_log_row, key), st);
	H5Tinsert(t, "value", HOFFSET(esc_log_row, value), H5T_NATIVE_DOUBLE);
	esc_log_row got[N];
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(got[i].rep, rows[i].rep);
		assert_true(got[i].t_h == rows[i].t_h && got[i].value == rows[i].value);
		assert_int_equal(got[i].party, rows[i].party);
		assert_string_equal(got[i].key, rows[i].key);
	}
	assert_attr_fixed(d, "FIELD_2_LABELS", "-1=none,0=ISR,1=SYR,2=NSA");
	H5Tclose(st);
	H5Tclose(t);
	H5Dclose(d);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

static void test_messages(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "messages.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	esc_h5_labels l = golan_labels();
	l.channels = (esc_h5_names){ channel_names, 3 };
	int cell = -1, bare = -1, none = -1;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 1, 1, &cell, &err), ESC_OK);
	assert_int_equal(esc_h5_add_arm(w, "bare", "", "{}", NULL, 1, 1, &bare, &err), ESC_OK);
	assert_int_equal(esc_h5_add_arm(w, "none", "", "{}", &l, 1, 0, &none, &err), ESC_OK);
	enum { N = 5000 };
	esc_message_row *rows = calloc(N, sizeof *rows);
	for (int i = 0; i < N; i++)
		rows[i] = make_message(i);
	assert_int_equal(esc_h5_append_messages(w, cell, rows, 1, &err), ESC_OK);
	assert_int_equal(esc_h5_append_messages(w, cell, rows + 1, 0, &err), ESC_OK);
	assert_int_equal(esc_h5_append_messages(w, cell, rows + 1, N - 1, &err), ESC_OK);
	esc_error_clear(&err);
	assert_int_equal(esc_h5_append_messages(w, none, rows, 1, &err), ESC_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "no messages table"));
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);

	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	hid_t d = open_table(f, "cell", "messages", N);
	static const char *const names[] = {
		"rep", "id", "event_id", "channel", "sender", "receiver", "kind",
		"outcome", "correct", "t_submit_h", "t_start_h", "t_answer_h",
		"deadline_h", "slack_h",
	};
	static const unsigned char width[] = { 8, 8, 8, 1, 1, 1, 1, 1, 1, 8, 8, 8, 8, 8 };
	assert_fields(d, names, "iiiiiieeifffff", width, 14);
	hid_t ft = H5Dget_type(d);
	hid_t t = reader_message_type(ft);
	esc_message_row *got = calloc(N, sizeof *got);
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
	for (int i = 0; i < N; i++) {
		const esc_message_row *g = &got[i], *x = &rows[i];
		assert_int_equal(g->rep, x->rep);
		assert_int_equal(g->id, x->id);
		assert_true(g->event_id == x->event_id);
		assert_int_equal(g->channel, x->channel);
		assert_int_equal(g->sender, x->sender);
		assert_int_equal(g->receiver, x->receiver);
		assert_int_equal(g->kind, x->kind);
		assert_int_equal(g->outcome, x->outcome);
		assert_int_equal(g->correct, x->correct);
		assert_memory_equal(&g->t_submit_h, &x->t_submit_h, sizeof(double));
		assert_memory_equal(&g->t_start_h, &x->t_start_h, sizeof(double));
		assert_memory_equal(&g->t_answer_h, &x->t_answer_h, sizeof(double));
		assert_memory_equal(&g->deadline_h, &x->deadline_h, sizeof(double));
		assert_memory_equal(&g->slack_h, &x->slack_h, sizeof(double));
	}
	static const char *const party = "-1=none,0=ISR,1=SYR,2=NSA";
	assert_attr_fixed(d, "FIELD_3_LABELS", "-1=none,0=cell,1=UNDOF,2=US_backchannel");
	assert_attr_fixed(d, "FIELD_4_LABELS", party);
	assert_attr_fixed(d, "FIELD_5_LABELS", party);
	assert_attr_fixed(d, "FIELD_6_LABELS", "0=query,1=notify,2=protest,3=restraint,4=intel");
	assert_attr_fixed(d, "FIELD_7_LABELS", "0=answered,1=late,2=refused,3=unavailable,4=pending");
	assert_attr_fixed(d, "FIELD_8_LABELS", "-1=n/a,0=no,1=yes");
	static const column_units units[] = {
		{ "rep", NULL }, { "id", NULL }, { "event_id", NULL },
		{ "channel", NULL }, { "sender", NULL }, { "receiver", NULL },
		{ "kind", NULL }, { "outcome", NULL }, { "correct", "1" },
		{ "t_submit_h", "h" }, { "t_start_h", "h" }, { "t_answer_h", "h" },
		{ "deadline_h", "h" }, { "slack_h", "h" },
	};
	assert_units(d, units, 14);
	char want[1024];
	snprintf(want, sizeof want, "{\"channel\": {\"-1\": \"none\", \"0\": \"cell\", "
	         "\"1\": \"UNDOF\", \"2\": \"US_backchannel\"}, \"sender\": %s, "
	         "\"receiver\": %s, \"kind\": {\"0\": \"query\", \"1\": \"notify\", "
	         "\"2\": \"protest\", \"3\": \"restraint\", \"4\": \"intel\"}, "
	         "\"outcome\": {\"0\": \"answered\", \"1\": \"late\", \"2\": "
	         "\"refused\", \"3\": \"unavailable\", \"4\": \"pending\"}, "
	         "\"correct\": {\"-1\": \"n/a\", \"0\": \"no\", \"1\": \"yes\"}}",
	         PARTY_JSON, PARTY_JSON);
	assert_attr_json(d, "labels", want);
	for (int k = 0; k < 2; k++) {
		hid_t mt = H5Tget_member_type(ft, k ? 7 : 6);
		char name[32];
		int8_t v = k ? ESC_MSG_UNAVAILABLE : ESC_MSG_RESTRAINT;
		assert_true(H5Tenum_nameof(mt, &v, name, sizeof name) >= 0);
		assert_string_equal(name, k ? "unavailable" : "restraint");
		H5Tclose(mt);
	}
	H5Tclose(t);
	H5Tclose(ft);
	H5Dclose(d);
	/* Without channel names, channel 0 is still the cell. */
	d = open_table(f, "bare", "messages", 0);
	assert_attr_fixed(d, "FIELD_3_LABELS", "-1=none,0=cell");
	H5Dclose(d);
	assert_int_equal(H5Lexists(f, "/arms/none/messages", H5P_DEFAULT), 0);
	H5Fclose(f);
	unlink(path);
	free(rows);
	free(got);
	free_provenance(&p);
}

/* Names the label form cannot hold are refused before anything is written,
 * and more names than an int8 holds are fine (labels are int32 codes). */
/* An arm made with its parties has a fatalities_by_<PARTY> column per
 * party, in the parties' order, right after the totals. */
static void test_runs_party_columns(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "party_columns.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	esc_h5_labels l = golan_labels();
	int arm = -1;
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 0, 0, &arm, &err), ESC_OK);
	esc_run_row rows[5];
	for (int i = 0; i < 5; i++) {
		rows[i] = make_row(0, i);
		for (int k = 0; k < 3; k++)
			rows[i].fatalities_by[k] = 100 * k + i;
	}
	assert_int_equal(esc_h5_append_runs(w, arm, rows, 5, &err), ESC_OK);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	free_provenance(&p);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, "/arms/cell/runs", H5P_DEFAULT);
	assert_true(d >= 0);
	hid_t ft = H5Dget_type(d);
	static const char *const want[] = { "fatalities_civ", "fatalities_by_ISR",
	                                    "fatalities_by_SYR", "fatalities_by_NSA", "max_level" };
	for (int i = 0; i < 5; i++) {
		char *m = H5Tget_member_name(ft, (unsigned)(6 + i));
		assert_string_equal(m, want[i]);
		H5free_memory(m);
	}
	H5Tclose(ft);
	/* every column's units, the party columns' ("count") among them */
	column_units cols[N_RUN_COLS + 3];
	static const column_units by[3] = {
		{ "fatalities_by_ISR", "count" }, { "fatalities_by_SYR", "count" },
		{ "fatalities_by_NSA", "count" },
	};
	memcpy(cols, run_cols, RUN_COL_PARTIES * sizeof *cols);
	memcpy(cols + RUN_COL_PARTIES, by, sizeof by);
	memcpy(cols + RUN_COL_PARTIES + 3, run_cols + RUN_COL_PARTIES,
	       (N_RUN_COLS - RUN_COL_PARTIES) * sizeof *cols);
	assert_units(d, cols, N_RUN_COLS + 3);
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(int64_t));
	H5Tinsert(mt, "fatalities_by_NSA", 0, H5T_NATIVE_INT64);
	int64_t got[5];
	assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(got[i], 200 + i);
	H5Tclose(mt);
	H5Dclose(d);
	H5Fclose(f);
	unlink(path);
}

static void test_labels_checked(void **state)
{
	(void)state;
	char path[512];
	in_tmp(path, sizeof path, "labels.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	assert_non_null(w);
	int arm = -1;
	static const char *const bad_sets[][2] = {
		{ "ISR", "S,YR" }, { "ISR", "" }, { "ISR", "line\nbreak" },
	};
	for (size_t k = 0; k < 3; k++) {
		esc_h5_labels l = golan_labels();
		l.zones = (esc_h5_names){ bad_sets[k], 2 };
		esc_error_clear(&err);
		assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 1, 1, &arm, &err),
		                 ESC_ERR_INPUT);
		assert_non_null(strstr(err.msg, "zone name 1"));
		assert_non_null(strstr(err.msg, "arm 'cell'"));
	}
	/* Nothing was created: the arm can be added now. */
	enum { MANY = 300 };
	static char names[MANY][16];
	static const char *ptrs[MANY];
	for (int i = 0; i < MANY; i++) {
		snprintf(names[i], sizeof names[i], "t%03d", i);
		ptrs[i] = names[i];
	}
	esc_h5_labels l = golan_labels();
	l.types = (esc_h5_names){ ptrs, MANY };
	esc_error_clear(&err);
	assert_int_equal(esc_h5_add_arm(w, "cell", "", "{}", &l, 1, 1, &arm, &err), ESC_OK);
	assert_int_equal(arm, 0);
	assert_int_equal(esc_h5_close(w, 1, &err), ESC_OK);
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, "/arms/cell/events", H5P_DEFAULT);
	char *spec = read_text_attr(d, "FIELD_8_LABELS");
	assert_non_null(strstr(spec, ",299=t299"));
	assert_true(strncmp(spec, "-1=none,0=t000,", 15) == 0);
	free(spec);
	/* The JSON labels of that column end with the 300th name. */
	char *json = read_text_attr(d, "labels"), *col = read_text_attr(d, "FIELD_8_NAME");
	cJSON *j = cJSON_Parse(json);
	cJSON *m = cJSON_GetObjectItemCaseSensitive(j, col);
	assert_int_equal(cJSON_GetArraySize(m), 301);
	cJSON *last = cJSON_GetArrayItem(m, 300);
	assert_string_equal(last->string, "299");
	assert_string_equal(cJSON_GetStringValue(last), "t299");
	cJSON_Delete(j);
	free(col);
	free(json);
	H5Dclose(d);
	H5Fclose(f);
	unlink(path);
	free_provenance(&p);
}

/* ------------------------------------------------------- crash safety */

/* Runs rows FIRST .. FIRST + N - 1 of arm 0 appended. */
static void append_range(esc_h5_writer *w, int arm, int64_t first, size_t n)
{
	esc_error err = {0};
	esc_run_row *rows = calloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = make_row(0, first + (int64_t)i);
	assert_int_equal(esc_h5_append_runs(w, arm, rows, n, &err), ESC_OK);
	free(rows);
}

/* A child process writes PATH: 100 rows, a checkpoint, then 2000 more (a
 * whole chunk of 1515 rows reaches the file, the one the checkpoint's 100
 * rows are in, rewritten), and is gone without closing it: as kill -9
 * leaves it.  ABANDON: it closes it as after a failed write instead. */
static void write_and_die(const char *path, int abandon)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		esc_error err = {0};
		esc_h5_provenance p = provenance();
		esc_h5_writer *w = esc_h5_create(path, &p, &err);
		int arm;
		if (!w || esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err) ||
		    esc_h5_checkpoint(w, 0, 0, &err))
			_exit(1);
		append_range(w, arm, 0, 100);
		if (esc_h5_checkpoint(w, 100, 1, &err))
			_exit(2);
		append_range(w, arm, 100, 2000);
		if (abandon)
			esc_h5_close(w, ESC_H5_ABANDON, &err);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void check_recovered(const char *path, const char *partial)
{
	assert_false(exists(path));
	assert_true(exists(partial));
	/* Not closed: its superblock still says a writer has it. */
	hid_t f = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f < 0);
	int64_t jobs = 0;
	esc_error err = {0};
	assert_int_equal(esc_h5_recover(partial, &jobs, &err), ESC_OK);
	assert_int_equal(jobs, 100);
	/* An ordinary file again: the checkpoint's rows, and no record. */
	f = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	check_runs(f, "cell", 0, 100);
	assert_int_equal(H5Lexists(f, "checkpoint", H5P_DEFAULT), 0);
	H5Fclose(f);
	/* Recovered once, nothing is left to do. */
	assert_int_equal(esc_h5_recover(partial, &jobs, &err), ESC_OK);
	assert_int_equal(jobs, -1);
	unlink(partial);
}

static void test_killed_after_checkpoint(void **state)
{
	(void)state;
	char path[512], partial[512];
	in_tmp(path, sizeof path, "killed.h5");
	in_tmp(partial, sizeof partial, "killed.h5.partial");
	write_and_die(path, 0);
	check_recovered(path, partial);
}

static void test_abandoned_after_failed_write(void **state)
{
	(void)state;
	char path[512], partial[512];
	in_tmp(path, sizeof path, "abandoned.h5");
	in_tmp(partial, sizeof partial, "abandoned.h5.partial");
	write_and_die(path, 1);
	check_recovered(path, partial);
	/* With no checkpoint that saved anything, nothing is left. */
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	int arm;
	assert_non_null(w);
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err), ESC_OK);
	append_range(w, arm, 0, 10);
	esc_error e = { .status = ESC_ERR_RUNTIME, .msg = "disk full" };
	assert_int_equal(esc_h5_close(w, ESC_H5_ABANDON, &e), ESC_ERR_RUNTIME);
	assert_false(exists(partial));
	assert_false(exists(path));
	free_provenance(&p);
}

/* An incomplete file reopened and appended to holds every row, chunk for
 * chunk as one writer writes them. */
static void test_reopen_appends(void **state)
{
	(void)state;
	char path[512], partial[512], one[512];
	in_tmp(path, sizeof path, "reopened.h5");
	in_tmp(partial, sizeof partial, "reopened.h5.partial");
	in_tmp(one, sizeof one, "at_once.h5");
	esc_error err = {0};
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(path, &p, &err);
	int arm;
	assert_non_null(w);
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err), ESC_OK);
	append_range(w, arm, 0, 1000);
	assert_int_equal(esc_h5_close(w, ESC_H5_INCOMPLETE, &err), ESC_OK);
	assert_int_equal(rename(path, partial), 0);
	w = esc_h5_reopen(path, &err);
	assert_non_null(w);
	assert_int_equal(esc_h5_arm_exists(w, "cell"), 1);
	assert_int_equal(esc_h5_arm_exists(w, "nope"), 0);
	assert_int_equal(esc_h5_open_arm(w, "cell", NULL, 0, 0, &arm, &err), ESC_OK);
	append_range(w, arm, 1000, 2000);
	assert_int_equal(esc_h5_close(w, ESC_H5_COMPLETE, &err), ESC_OK);
	assert_false(exists(partial));

	w = esc_h5_create(one, &p, &err);
	assert_non_null(w);
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err), ESC_OK);
	append_range(w, arm, 0, 3000);
	assert_int_equal(esc_h5_close(w, ESC_H5_COMPLETE, &err), ESC_OK);

	hid_t a = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t b = H5Fopen(one, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(read_int_attr(a, "complete"), 1);
	check_runs(a, "cell", 0, 3000);
	hid_t da = H5Dopen2(a, "/arms/cell/runs", H5P_DEFAULT);
	hid_t db = H5Dopen2(b, "/arms/cell/runs", H5P_DEFAULT);
	hsize_t na = 0, nb = 0;
	hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
	assert_true(H5Dget_num_chunks(da, sa, &na) >= 0);
	assert_true(H5Dget_num_chunks(db, sb, &nb) >= 0);
	assert_int_equal(na, nb);
	hid_t dcpl = H5Dget_create_plist(da);
	hsize_t R = 0;
	assert_int_equal(H5Pget_chunk(dcpl, 1, &R), 1);
	H5Pclose(dcpl);
	for (hsize_t k = 0; k < na; k++) {
		hsize_t off = k * R, sza = 0, szb = 0;
		uint32_t ma, mb;
		H5Dget_chunk_storage_size(da, &off, &sza);
		H5Dget_chunk_storage_size(db, &off, &szb);
		assert_int_equal(sza, szb);
		unsigned char *ba = malloc(sza), *bb = malloc(szb);
		assert_true(H5Dread_chunk(da, H5P_DEFAULT, &off, &ma, ba) >= 0);
		assert_true(H5Dread_chunk(db, H5P_DEFAULT, &off, &mb, bb) >= 0);
		assert_memory_equal(ba, bb, sza);
		free(ba);
		free(bb);
	}
	H5Sclose(sa);
	H5Sclose(sb);
	H5Dclose(da);
	H5Dclose(db);
	H5Fclose(a);
	H5Fclose(b);
	unlink(path);
	unlink(one);
	free_provenance(&p);
}

/* Names beside a file: as they are while they fit, shortened the same way
 * every time when they would pass 255 bytes. */
static void test_sibling_names(void **state)
{
	(void)state;
	char *s = esc_h5_sibling("dir/out.h5", ".partial");
	assert_string_equal(s, "dir/out.h5.partial");
	free(s);
	char base[251];
	memset(base, 'r', 247);
	strcpy(base + 247, ".h5");
	char path[300];
	snprintf(path, sizeof path, "some/dir/%s", base);
	char *a = esc_h5_sibling(path, ".partial"), *b = esc_h5_sibling(path, ".partial");
	assert_string_equal(a, b);
	assert_int_equal(strncmp(a, "some/dir/rrr", 12), 0);
	const char *name = strrchr(a, '/') + 1;
	assert_true(strlen(name) <= 255);
	assert_non_null(strchr(name, '~'));
	assert_string_equal(name + strlen(name) - 8, ".partial");
	char *c = esc_h5_sibling(path, ".resume");
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* What an output name may be: nothing, or an escsim result. */
static void test_check_output(void **state)
{
	(void)state;
	char text[512], res[512];
	in_tmp(text, sizeof text, "notes.txt");
	in_tmp(res, sizeof res, "result.h5");
	esc_error err = {0};
	assert_int_equal(esc_h5_check_output(res, &err), ESC_OK);   /* nothing there */
	FILE *f = fopen(text, "w");
	fputs("not a result\n", f);
	fclose(f);
	assert_int_equal(esc_h5_check_output(text, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "exists and is not an escsim result file"));
	assert_int_equal(esc_h5_check_output(tmpdir, &err), ESC_ERR_INPUT);
	assert_non_null(strstr(err.msg, "is a folder"));
	esc_h5_provenance p = provenance();
	esc_h5_writer *w = esc_h5_create(res, &p, &err);
	int arm;
	assert_non_null(w);
	assert_int_equal(esc_h5_add_arm(w, "cell", NULL, NULL, NULL, 0, 0, &arm, &err), ESC_OK);
	assert_int_equal(esc_h5_close(w, ESC_H5_COMPLETE, &err), ESC_OK);
	assert_int_equal(esc_h5_check_output(res, &err), ESC_OK);
	assert_int_equal(esc_h5_same_file(res, res), 1);
	assert_int_equal(esc_h5_same_file(res, text), 0);
	unlink(text);
	unlink(res);
	free_provenance(&p);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/escsim_h5_XXXXXX",
	         base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	/* test_partial_in_use needs HDF5's file locking, and the library reads
	 * this once, when it starts. */
	unsetenv("HDF5_USE_FILE_LOCKING");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_incomplete_close),
		cmocka_unit_test(test_tables_left_out),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_stale_partial),
		cmocka_unit_test(test_partial_in_use),
		cmocka_unit_test(test_arm_names),
		cmocka_unit_test(test_rename_fails),
		cmocka_unit_test(test_enum_table),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_chunk_code_range),
		cmocka_unit_test(test_table_like),
		cmocka_unit_test(test_table_like_other_layout),
		cmocka_unit_test(test_daily_events),
		cmocka_unit_test(test_labels_checked),
		cmocka_unit_test(test_runs_party_columns),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_killed_after_checkpoint),
		cmocka_unit_test(test_abandoned_after_failed_write),
		cmocka_unit_test(test_reopen_appends),
		cmocka_unit_test(test_sibling_names),
		cmocka_unit_test(test_check_output),
	};
	return cmocka_run_group_tests_name("h5_writer", tests, setup, teardown);
}
