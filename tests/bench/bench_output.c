/* bench_output.c: what writing results costs (issue #10, target 4).
 *
 *   events   the events table writer alone: real golan_2026 event rows
 *            (from the C policies, which give the Lua runs' rows) held in
 *            memory, appended through esc_h5_append_events in blocks of
 *            4096 rows as the batch does, then the file closed.  Rows per
 *            second is rows over (time of that file) - (time of the same
 *            file without events rows); bytes per row is the difference in
 *            file size over rows.  Both include compression and the fsync
 *            on close.  The writer deflates chunks on as many threads as
 *            the processors it may use (at most 4; the note says how many),
 *            so this is the rate of the writer, not of one core.
 *   runs     esc_batch_run on golan_2026 (Lua policies, one thread):
 *            without a file, with a file (runs and daily tables: what
 *            `escsim run` writes), and with --events, as triples whose
 *            order rotates; each triple gives the ratio of each writing run
 *            to its run without a file.  The row is the geometric mean of
 *            the ratios with a 95% interval (Student's t on their logs):
 *            "ok" when the whole interval is under the target, "MISSED"
 *            when it is over, and while it straddles the target more
 *            triples are run (MIN_TRIPLES to MAX_TRIPLES), so a busy
 *            machine gives a wider interval and a longer run, not a wrong
 *            verdict; "unclear" if MAX_TRIPLES still straddle it.
 *
 * Files go to $TMPDIR (or /tmp) and are removed.
 *
 * Usage: bench_output [SCENARIO [EVENT_REPS [BATCH_REPS]]]
 */
#define _GNU_SOURCE       /* sched_getaffinity, CPU_COUNT */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "escsim/batch.h"
#include "escsim/h5_writer.h"
#include "escsim/model.h"
#include "escsim/scenario.h"
#include "bench.h"
#include "policies_c.h"

#define RUNS 5
#define EVENT_BLOCK 4096
#define MIN_TRIPLES 7
#define MAX_TRIPLES 25

typedef struct rows {
	esc_event_row *v;
	size_t n, cap;
} rows;

static int collect(void *self, const esc_event_row *r, esc_error *err)
{
	rows *b = self;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 65536;
		esc_event_row *v = realloc(b->v, cap * sizeof *v);
		if (!v)
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *r;
	return 0;
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* One file with the first n rows in the events table; seconds, or < 0. */
static double write_events(const char *path, const rows *b, size_t n, long long *bytes)
{
	esc_error err = { 0 };
	esc_h5_source src = { "scenario", "bench.lua", "return {}" };
	esc_h5_provenance prov = {
		.escsim_version = "bench", .command_line = "bench_output",
		.scenario_name = "golan_2026", .seed = 1, .reps = 1,
		.sources = &src, .n_sources = 1, .resolved_json = "{}",
	};
	double t0 = bench_now_s();
	esc_h5_writer *w = esc_h5_create(path, &prov, &err);
	int arm;
	if (!w || esc_h5_add_arm(w, "base", "", "{}", NULL, 1, 1, &arm, &err)) {
		fprintf(stderr, "bench_output: %s\n", err.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i += EVENT_BLOCK) {
		size_t k = n - i < EVENT_BLOCK ? n - i : EVENT_BLOCK;
		if (esc_h5_append_events(w, arm, b->v + i, k, &err)) {
			fprintf(stderr, "bench_output: %s\n", err.msg);
			esc_h5_discard(w);
			return -1;
		}
	}
	if (esc_h5_close(w, 1, &err)) {
		fprintf(stderr, "bench_output: %s\n", err.msg);
		return -1;
	}
	double t = bench_now_s() - t0;
	*bytes = file_size(path);
	unlink(path);
	return t;
}

/* esc_batch_run's closing line goes to stderr: hide it while timing. */
static double batch_seconds(const char *scenario, int64_t reps, const char *out, int events)
{
	esc_arm_spec arm = { .name = "base" };
	esc_batch_opts o;
	memset(&o, 0, sizeof o);
	o.scenario_path = scenario;
	o.arms = &arm;
	o.n_arms = 1;
	o.reps = reps;
	o.seed = 1;
	o.out_path = out;
	o.command_line = "bench_output";
	o.quiet = 1;
	o.events = events;
	fflush(stderr);
	int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDERR_FILENO);
	esc_error err = { 0 };
	double t0 = bench_now_s();
	int st = esc_batch_run(&o, &err);
	double t = bench_now_s() - t0;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(devnull);
	if (out)
		unlink(out);
	if (st) {
		fprintf(stderr, "bench_output: %s\n", err.msg);
		return -1;
	}
	return t;
}

int main(int argc, char **argv)
{
	const char *scenario = argc > 1 ? argv[1] : "scenarios/golan_2026.lua";
	int64_t event_reps = argc > 2 ? atoll(argv[2]) : 500;
	int64_t batch_reps = argc > 3 ? atoll(argv[3]) : 600;
	gsl_set_error_handler_off();

	/* Real event rows, from the C policies (the same rows as the Lua ones). */
	esc_error err = { 0 };
	esc_scenario *s = esc_scenario_load(scenario, NULL, NULL, &err);
	esc_config cfg;
	esc_policy lua;
	if (!s || esc_scenario_arm(s, NULL, 0, &cfg, &lua, &err)) {
		fprintf(stderr, "bench_output: %s\n", err.msg);
		return 1;
	}
	bench_c_policy *cp = bench_c_policy_golan(&cfg);
	esc_model *m = esc_model_new(&cfg, &err);
	esc_streams *st = esc_streams_new(NULL);
	if (!cp || !m || !st) {
		fprintf(stderr, "bench_output: cannot build the model\n");
		return 1;
	}
	esc_policy c = { &bench_c_policy_type, cp };
	rows b = { 0 };
	esc_model_sink sink = { .self = &b, .event = collect };
	esc_model_set_sink(m, &sink);
	for (int64_t r = 0; r < event_reps; r++) {
		esc_run_row row;
		if (esc_model_run(m, &c, st, 1, (uint64_t)r, &row, &err)) {
			fprintf(stderr, "bench_output: %s\n", err.msg);
			return 1;
		}
	}

	char path[512];
	snprintf(path, sizeof path, "%s/escsim-bench-%d.h5", tmpdir(), (int)getpid());
	double tf[RUNS], t0s[RUNS];
	long long bytes_full = 0, bytes_empty = 0;
	for (int r = 0; r < RUNS; r++) {
		t0s[r] = write_events(path, &b, 0, &bytes_empty);
		tf[r] = write_events(path, &b, b.n, &bytes_full);
		if (tf[r] < 0 || t0s[r] < 0)
			return 1;
	}
	double t_rows = bench_median(tf, RUNS) - bench_median(t0s, RUNS);
	char note[160];
	cpu_set_t cpus;
	int n_cpus = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
	snprintf(note, sizeof note, "%zu rows of %zu bytes in memory, blocks of %d, "
	         "deflated on %d threads; %.3f s", b.n, sizeof(esc_event_row), EVENT_BLOCK,
	         n_cpus > 4 ? 4 : n_cpus < 2 ? 1 : n_cpus, t_rows);
	bench_row("output", "events table: rows written per second", (double)b.n / t_rows,
	          "rows/s", ">=", 5e6, note);
	snprintf(note, sizeof note, "file %lld bytes with the rows, %lld without", bytes_full,
	         bytes_empty);
	bench_row("output", "events table: bytes per row on disk",
	          (double)(bytes_full - bytes_empty) / (double)b.n, "bytes/row", "<=", 16, note);

	/* Run time with and without files, through the batch: triples in
	 * rotating order, until the interval of the runs-only overhead lies on
	 * one side of the target. */
	char out[512];
	snprintf(out, sizeof out, "%s/escsim-bench-batch-%d.h5", tmpdir(), (int)getpid());
	double tn[MAX_TRIPLES], rr[MAX_TRIPLES], re[MAX_TRIPLES];
	const double target = 1.05;
	int k = 0;
	double gm_r = 0, lo_r = 0, hi_r = 0;
	if (batch_seconds(scenario, batch_reps / 10 + 1, out, 1) < 0)    /* warm-up */
		return 1;
	while (k < MAX_TRIPLES) {
		double t[3];
		for (int j = 0; j < 3; j++) {
			int w = (j + k) % 3;                /* 0 no file, 1 runs, 2 --events */
			t[w] = batch_seconds(scenario, batch_reps, w ? out : NULL, w == 2);
			if (t[w] < 0)
				return 1;
		}
		tn[k] = t[0];
		rr[k] = t[1] / t[0];
		re[k] = t[2] / t[0];
		k++;
		if (k >= MIN_TRIPLES) {
			bench_ratio_interval(rr, k, &gm_r, &lo_r, &hi_r);
			if (hi_r < target || lo_r >= target)
				break;
		}
	}
	double gm_e, lo_e, hi_e;
	bench_ratio_interval(re, k, &gm_e, &lo_e, &hi_e);
	bench_spread sn = bench_spread_of(tn, k);
	snprintf(note, sizeof note, "%d rotating triples of %lld reps (%.3f s without a file, median); 95%% interval %+.1f%% to %+.1f%%",
	         k, (long long)batch_reps, sn.median, 100 * (lo_r - 1), 100 * (hi_r - 1));
	bench_row_verdict("output", "writing runs (+daily) adds to run time", 100 * (gm_r - 1), "%",
	                  "< 5", hi_r < target ? "ok" : lo_r >= target ? "MISSED" : "unclear", note);
	snprintf(note, sizeof note, "runs, daily, events and messages; 95%% interval %+.1f%% to %+.1f%%",
	         100 * (lo_e - 1), 100 * (hi_e - 1));
	bench_row("output", "writing --events adds to run time", 100 * (gm_e - 1), "%", "", 0, note);

	free(b.v);
	esc_streams_free(st);
	esc_model_free(m);
	bench_c_policy_free(cp);
	esc_scenario_release(s, &lua);
	esc_config_free(&cfg);
	esc_scenario_free(s);
	return 0;
}
