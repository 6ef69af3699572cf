/* bench_memory.c: peak resident memory of a batch (issue #10, target 5).
 *
 * Runs esc_batch_run on SCENARIO for N replications with a 30-day horizon,
 * one thread, writing the result file (runs and daily tables) to $TMPDIR,
 * and prints the process's peak resident set (getrusage ru_maxrss, kB):
 * the engine, the Lua state and the writer, without the CLI's closing
 * report.  tests/bench/run.sh runs it for 100 and for 100,000 replications,
 * and the whole `escsim run` command the same way.
 *
 * Usage: bench_memory SCENARIO N   ->  prints "N KB SECONDS"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "escsim/batch.h"
#include "bench.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_memory SCENARIO N\n");
		return 2;
	}
	gsl_set_error_handler_off();
	const char *t = getenv("TMPDIR");
	char out[512];
	snprintf(out, sizeof out, "%s/escsim-bench-mem-%d.h5", t && *t ? t : "/tmp", (int)getpid());
	const char *sets[] = { "horizon=720" };    /* 30 days */
	esc_arm_spec arm = { .name = "base" };
	esc_batch_opts o;
	memset(&o, 0, sizeof o);
	o.scenario_path = argv[1];
	o.sets = sets;
	o.n_sets = 1;
	o.arms = &arm;
	o.n_arms = 1;
	o.reps = atoll(argv[2]);
	o.seed = 1;
	o.out_path = out;
	o.command_line = "bench_memory";
	o.quiet = 1;
	esc_error err = { 0 };
	double t0 = bench_now_s();
	int st = esc_batch_run(&o, &err);
	double s = bench_now_s() - t0;
	unlink(out);
	if (st) {
		fprintf(stderr, "bench_memory: %s\n", err.msg);
		return 1;
	}
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	printf("%lld %ld %.1f\n", (long long)o.reps, u.ru_maxrss, s);
	return 0;
}
