/* fuzz_results.c: damaged result files fed to every reader of sim/h5
 * (escsim/h5_reader.h, escsim/h5_merge.h, esc_h5_recover).
 *
 * At start, good files are written with the writer (escsim/h5_writer.h): two
 * arms with every table and /failures, and a second shard to merge with.
 * An input damages the first: after its first byte, every 4 bytes are an
 * offset (3 bytes, big-endian, modulo the file's size) and a byte to XOR
 * there, a 0 byte cutting the file at that offset instead.  (Files of
 * schema 1.0 and 1.1, written before checksums, are not fuzzed: damage in
 * their unchecked metadata reaches bugs of libhdf5 1.10 that escsim cannot
 * guard against; see docs/results.md, "Damage".)  The damaged file is then
 * opened and read every way escsim reads a file: inspect's walk (every
 * attribute, text and column), verify, the batch's provenance, replication
 * ranges, runs and failures; and, as the first byte's next two bits say
 * (they are slow), a merge with the good shard and recovery.
 *
 * The contract (fuzz.h): every call returns, no crash (in libhdf5 too),
 * hang or leak, and a failure comes as status 1 or 2 with a message.
 * Seeds: tests/fuzz/corpus/results. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "escsim/h5_reader.h"
#include "escsim/h5_merge.h"
#include "escsim/h5_writer.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOCK 512
#define MAX_SIZE ((size_t)1 << 20)

static char dir[256];
static unsigned char *template;
static size_t template_size;

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_results: cannot set up: %s\n", what);
		abort();
	}
}

/* A small result file: REPS replications from FIRST, two arms, every
 * table, a failure, a sweep description. */
static void write_good(const char *path, int64_t first, int64_t reps)
{
	static const char *parties[] = { "ISR", "SYR", "NSA" };
	static const char *zones[] = { "Golan" };
	static const char *types[] = { "rocket", "raid" };
	static const char *channels[] = { "cell", "undof" };
	const esc_h5_labels labels = {
		{ parties, 3 }, { zones, 1 }, { types, 2 }, { NULL, 0 }, { channels, 2 },
	};
	const esc_h5_source src[] = {
		{ "scenario", "fuzz.lua", "return scenario { name = 'fuzz' }\n" },
		{ "policies.x", "x.lua", "return {}\n" },
	};
	esc_h5_provenance prov = {
		.escsim_version = "fuzz", .command_line = "escsim compare fuzz.lua",
		.scenario_name = "fuzz", .seed = 7, .reps = reps, .sources = src,
		.n_sources = 2, .resolved_json = "{\"horizon\": 48}",
		.lua_version = "Lua 5.4", .rng_type = "xoshiro256++",
	};
	esc_error err = {0};
	esc_h5_writer *w = esc_h5_create(path, &prov, &err);
	must(w != NULL, err.msg);
	esc_h5_extra x = { "escsim fuzz\ncommand compare\n", first, NULL };
	must(esc_h5_write_extra(w, &x, &err) == ESC_OK, err.msg);
	static const char *arms[] = { "cell", "no_cell" };
	for (int a = 0; a < 2; a++) {
		int idx;
		must(esc_h5_add_arm(w, arms[a], a ? "cell.enabled=false" : "", "{}",
		                    &labels, 1, 1, &idx, &err) == ESC_OK, err.msg);
		for (int64_t r = first; r < first + reps; r++) {
			esc_run_row run = { .rep = r, .seed = 7, .incidents = r % 5,
			                    .max_level = (int32_t)(r % 8),
			                    .first_crisis_h = 1.5 * (double)r };
			esc_daily_row day[2] = { { .rep = r, .day = 0, .regime = -1 },
			                         { .rep = r, .day = 1, .regime = -1 } };
			esc_event_row ev = { .rep = r, .id = 1, .parent_id = -1, .actor = 0,
			                     .target = 1, .type = 1, .true_perpetrator = 2,
			                     .perceived_perpetrator = 1 };
			esc_message_row msg = { .rep = r, .channel = 1, .sender = 0,
			                        .receiver = 1, .correct = -1 };
			esc_log_row lg = { .rep = r, .t_h = 2.0, .party = 0, .key = "k" };
			must(esc_h5_append_runs(w, idx, &run, 1, &err) == ESC_OK &&
			     esc_h5_append_daily(w, idx, day, 2, &err) == ESC_OK &&
			     esc_h5_append_events(w, idx, &ev, 1, &err) == ESC_OK &&
			     esc_h5_append_messages(w, idx, &msg, 1, &err) == ESC_OK &&
			     esc_h5_append_log(w, idx, &lg, 1, &err) == ESC_OK, err.msg);
		}
	}
	esc_failure_row f = { .rep = first + reps, .point = 0, .message = "boom" };
	must(esc_h5_append_failure(w, &f, &err) == ESC_OK, err.msg);
	must(esc_h5_close(w, ESC_H5_COMPLETE, &err) == ESC_OK, err.msg);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	must(f != NULL, path);
	unsigned char *b = malloc(MAX_SIZE);
	must(b != NULL, "memory");
	*n = fread(b, 1, MAX_SIZE, f);
	fclose(f);
	return b;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/fuzz_results.XXXXXX", tmp);
	must(mkdtemp(dir) != NULL, "a temporary folder");
	char good[300], shard[300];
	path_of(good, sizeof good, "good.h5");
	path_of(shard, sizeof shard, "shard.h5");
	write_good(good, 0, 6);
	write_good(shard, 7, 4);
	template = slurp(good, &template_size);
	return 0;
}

/* ------------------------------------------------------------- readers */

static void read_attrs(esc_h5_file *f, const char *obj)
{
	char **names;
	size_t n;
	esc_error err = {0};
	int st = esc_h5_attr_names(f, obj, &names, &n, &err);
	fuzz_check_error(st, &err);
	for (size_t i = 0; st == ESC_OK && i < n; i++) {
		char *v = NULL;
		esc_error e = {0};
		int rc = esc_h5_get_attr_text(f, obj, names[i], &v, &e);
		fuzz_check_error(rc, &e);
		free(v);
	}
	if (st == ESC_OK)
		esc_h5_free_names(names, n);
}

static void read_table(esc_h5_file *f, const char *path)
{
	esc_error err = {0};
	int64_t rows = 0;
	int st = esc_h5_table_rows(f, path, &rows, &err);
	fuzz_check_error(st, &err);
	char **cols;
	size_t nc;
	if (st || (st = esc_h5_table_columns(f, path, &cols, &nc, &err)) != ESC_OK) {
		fuzz_check_error(st, &err);
		return;
	}
	/* Three columns (each read converts the whole chunk): the first, the
	 * last, one between. */
	double buf[BLOCK];
	size_t pick[3] = { 0, nc / 2, nc ? nc - 1 : 0 };
	for (size_t j = 0; j < 3 && j < nc; j++)
		for (int64_t s = 0, c = (int64_t)pick[j]; s < rows && s < 4 * BLOCK; s += BLOCK) {
			esc_error e = {0};
			size_t k = (size_t)(rows - s < BLOCK ? rows - s : BLOCK);
			int rc = esc_h5_read_f64(f, path, cols[c], s, k, buf, &e);
			fuzz_check_error(rc, &e);
			if (rc)
				break;
		}
	esc_h5_free_names(cols, nc);
}

static void walk(const char *path)
{
	esc_error err = {0};
	esc_h5_file *f = esc_h5_open(path, &err);
	if (!f) {
		FUZZ_ASSERT(err.status != ESC_OK, &err);
		fuzz_check_error(err.status, &err);
		return;
	}
	read_attrs(f, "/");
	char *text = NULL;
	int st = esc_h5_read_text(f, "/scenario/source", &text, &err);
	fuzz_check_error(st, &err);
	free(text);
	for (size_t i = 0; i < esc_h5_n_arms(f); i++) {
		char g[200];
		snprintf(g, sizeof g, "/arms/%s", esc_h5_arm_name(f, i));
		read_attrs(f, g);
		static const char *tabs[] = { "runs", "daily", "events", "messages", "log" };
		for (size_t k = 0; k < sizeof tabs / sizeof tabs[0]; k++) {
			char t[260];
			snprintf(t, sizeof t, "%s/%s", g, tabs[k]);
			if (esc_h5_exists(f, t))
				read_table(f, t);
		}
	}
	if (esc_h5_exists(f, "/failures"))
		read_table(f, "/failures");
	esc_h5_file_close(f);
	esc_error e = {0};
	fuzz_check_error(esc_h5_verify(path, &e), &e);
}

static void batch_reads(const char *path)
{
	esc_error err = {0};
	esc_h5_info info;
	int st = esc_h5_info_read(path, &info, &err);
	fuzz_check_error(st, &err);
	for (size_t g = 0; st == ESC_OK && g < info.n_groups; g++) {
		esc_h5_range *r = NULL;
		size_t n = 0;
		esc_error e = {0};
		fuzz_check_error(esc_h5_rep_ranges(path, info.groups[g], &r, &n, &e), &e);
		free(r);
		esc_h5_runs_reader *rr = esc_h5_runs_open(path, info.groups[g], &e);
		if (rr) {
			esc_run_row rows[16];
			long k;
			while ((k = esc_h5_runs_read(rr, rows, 16, &e)) > 0)
				;
			if (k < 0)
				fuzz_check_error(e.status, &e);
			esc_h5_runs_close(rr);
		} else {
			fuzz_check_error(e.status, &e);
		}
	}
	if (st == ESC_OK)
		esc_h5_info_free(&info);
	esc_failure_row *fr = NULL;
	size_t nf = 0;
	esc_error e = {0};
	fuzz_check_error(esc_h5_failures_read(path, &fr, &nf, &e), &e);
	free(fr);
}

static void merge_with_shard(const char *path)
{
	char shard[300], out[300];
	path_of(shard, sizeof shard, "shard.h5");
	path_of(out, sizeof out, "merged.h5");
	const char *in[] = { path, shard };
	esc_h5_merge_opts mo = {
		.inputs = in, .n_inputs = 2, .out_path = out, .rep_offset = -1,
		.reps = -1, .allow_gaps = 1,
	};
	esc_error err = {0};
	fuzz_check_error(esc_h5_merge(&mo, NULL, &err), &err);
	unlink(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = template_size;
	unsigned char *b = malloc(n);
	if (!b)
		return 0;
	memcpy(b, template, n);
	for (size_t i = 1; i + 4 <= size; i += 4) {
		size_t off = ((size_t)data[i] << 16 | (size_t)data[i + 1] << 8 |
		              data[i + 2]) % n;
		if (data[i + 3])
			b[off] ^= data[i + 3];
		else
			n = off;
	}
	char path[300], partial[300];
	path_of(path, sizeof path, "damaged.h5");
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n) {
		if (f)
			fclose(f);
		free(b);
		return 0;
	}
	fclose(f);
	walk(path);
	batch_reads(path);
	if (data[0] & 2)
		merge_with_shard(path);
	/* Recovery opens it for writing: on a copy named as a .partial. */
	path_of(partial, sizeof partial, "damaged2.h5.partial");
	f = data[0] & 4 ? fopen(partial, "wb") : NULL;
	if (f && fwrite(b, 1, n, f) == n) {
		fclose(f);
		int64_t jobs;
		esc_error err = {0};
		fuzz_check_error(esc_h5_recover(partial, &jobs, &err), &err);
	} else if (f) {
		fclose(f);
	}
	unlink(partial);
	unlink(path);
	free(b);
	return 0;
}
