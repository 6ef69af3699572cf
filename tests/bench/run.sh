#!/bin/sh
# run.sh: every benchmark, as one table (`make bench`).
#
# Runs the benchmark programs of tests/bench, then times the escsim binary
# itself for scaling (-j 1 against -j 2; MPI ranks when the binary is an MPI
# build and mpirun exists) and for peak memory (/usr/bin/time, 100 against
# 100,000 replications on a 30-day horizon: a whole year of 100,000
# replications takes minutes).  docs/performance.md explains every row.
#
# On a machine shared with other work, the one-thread benchmarks run under
# SCHED_FIFO (chrt -f) where that is allowed (root or CAP_SYS_NICE), so other
# processes do not take their core halfway through a timing; the kernel
# still leaves them 5% of it (sched_rt_runtime_us) and the other core.
#
# Environment: BUILD (the bench build folder), ESCSIM (the binary),
# SCENARIO (default scenarios/golan_2026.lua), QUICK=1 skips the 100,000
# replications, RT=0 turns SCHED_FIFO off.
set -u
B=${BUILD:-build/bench}
ESCSIM=${ESCSIM:-$B/escsim}
SCEN=${SCENARIO:-scenarios/golan_2026.lua}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/escsim-bench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

row() {  # area name value unit target verdict note
	printf '%-9s %-46s %12s %-12s %-12s %-7s %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
now() { date +%s.%N; }
calc() { awk "BEGIN { print ($*) }"; }

rt=
if [ "${RT:-1}" = 1 ] && chrt -f 10 true 2>/dev/null; then rt="chrt -f 10"; fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "escsim benchmarks $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores, $cpu," \
     "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
     "one-thread timings ${rt:-without SCHED_FIFO}"
echo "median of runs unless noted; ns = wall-clock nanoseconds; see docs/performance.md"
row area benchmark value unit target verdict note

$rt "$B/tests/bench/bench_kernel" || echo "bench_kernel failed"
$rt "$B/tests/bench/bench_scenario" --growth "$SCEN" || echo "bench_scenario failed"
$rt "$B/tests/bench/bench_output" "$SCEN" || echo "bench_output failed"

# Scaling: replications per second with 2 threads over 1 thread, as the
# batch reports them (its closing line; the report after it is not
# counted), best of 3.  Under SCHED_FIFO too where allowed, or other work
# on the machine takes one of the two cores.
if "$ESCSIM" run --help 2>&1 | grep -q -- '--threads'; then
	n=1200
	best() {  # threads -> best replications/s of 3 runs, or "fail"
		for i in 1 2 3; do
			$rt "$ESCSIM" run "$SCEN" -n $n -j "$1" -q -o "$TMP/j.h5" 2>&1 >/dev/null |
				sed -n 's/.*(\([0-9.]*\) replications\/s.*/\1/p'
		done | sort -g | tail -n 1
	}
	r1=$(best 1); r2=$(best 2)
	if [ -z "$r1" ] || [ -z "$r2" ]; then
		row scaling "two threads / one thread" failed "" ">= 1.85" - "escsim run -j failed"
	else
		s=$(calc "$r2 / $r1")
		row scaling "two threads / one thread, replications/s" "$(printf %.3f "$s")" x ">= 1.85" \
			"$([ "$(calc "$s >= 1.85")" = 1 ] && echo ok || echo MISSED)" \
			"escsim run -n $n to a file: $r1 replications/s with -j 1, $r2 with -j 2 (best of 3)"
	fi
else
	row scaling "two threads / one thread" "pending -j" "" ">= 1.85" - "escsim run has no -j yet"
fi
if command -v mpirun >/dev/null 2>&1 && ldd "$ESCSIM" 2>/dev/null | grep -q libmpi; then
	n=1200
	t0=$(now); "$ESCSIM" run "$SCEN" -n $n -q -o "$TMP/m1.h5" >/dev/null 2>&1; t1=$(calc "$(now) - $t0")
	t0=$(now); mpirun --allow-run-as-root -n 2 "$ESCSIM" run "$SCEN" -n $n -q -o "$TMP/m2.h5" >/dev/null 2>&1; t2=$(calc "$(now) - $t0")
	s=$(calc "$t1 / $t2")
	row scaling "two MPI ranks / one process, replications/s" "$(printf %.3f "$s")" x ">= 1.85" \
		"$([ "$(calc "$s >= 1.85")" = 1 ] && echo ok || echo MISSED)" \
		"$(printf %.2f "$t1") s alone, $(printf %.2f "$t2") s under mpirun -n 2"
else
	row scaling "two MPI ranks / one process" "pending MPI" "" ">= 1.85" - \
		"needs an MPI build of escsim and mpirun (Open MPI)"
fi

# Peak resident memory, one thread, 30-day horizon: the batch alone
# (bench_memory: engine, Lua state, writer) and the whole `escsim run`,
# whose closing report reads the runs table back.
rss() {  # reps -> kB of escsim run
	/usr/bin/time -f %M -o "$TMP/rss" "$ESCSIM" run "$SCEN" -n "$1" --horizon 30d -q \
		-o "$TMP/mem.h5" >/dev/null 2>&1 && cat "$TMP/rss"
}
mem_row() {  # name small big note
	d=$(calc "100 * ($3 - $2) / $2")
	ok=$(calc "$d <= 10 && $d >= -10")
	row memory "$1" "$(printf %+.1f "$d")" "%" "within 10" \
		"$([ "$ok" = 1 ] && echo ok || echo MISSED)" "$4"
}
if [ "${QUICK:-0}" = 1 ]; then
	row memory "peak RSS, 100 reps (30-day horizon)" "$(rss 100)" kB - - "QUICK=1: 100,000 reps skipped"
else
	# bench_memory's batch prints its closing line on stderr.
	set -- $("$B/tests/bench/bench_memory" "$SCEN" 100 2>/dev/null) 0 0 0; b_small=$2
	set -- $("$B/tests/bench/bench_memory" "$SCEN" 100000 2>/dev/null) 0 0 0; b_big=$2; b_t=$3
	mem_row "batch peak RSS 100,000 reps vs 100 (30 days)" "$b_small" "$b_big" \
		"esc_batch_run with a file: $b_small kB for 100 reps, $b_big kB for 100,000 ($b_t s)"
	small=$(rss 100)
	t0=$(now); big=$(rss 100000); t=$(calc "$(now) - $t0")
	mem_row "escsim run peak RSS 100,000 reps vs 100" "$small" "$big" \
		"with its closing report: $small kB for 100 reps, $big kB for 100,000 ($(printf %.0f "$t") s)"
fi
