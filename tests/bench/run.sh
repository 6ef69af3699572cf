#!/bin/sh
# run.sh: every benchmark, as one table (`make bench`).
#
# Runs the benchmark programs of tests/bench, then times the escsim binary
# itself for scaling (-j 1 against -j 2; mpirun -n 1 against -n 2 when an
# MPI build of it and mpirun exist) and for peak memory (/usr/bin/time, 100 against
# 100,000 replications on a 30-day horizon: a whole year of 100,000
# replications takes minutes).  docs/performance.md explains every row.
#
# On a machine shared with other work, the one-thread benchmarks run under
# SCHED_FIFO (chrt -f) where that is allowed (root or CAP_SYS_NICE), so other
# processes do not take their core halfway through a timing; the kernel
# still leaves them 5% of it (sched_rt_runtime_us) and the other core.
#
# Environment: BUILD (the bench build folder), ESCSIM (the binary),
# ESCSIM_MPI (an MPI build; default $BUILD-mpi/escsim if it exists),
# SCENARIO (default scenarios/golan_2026.lua), SCALE_REPS and SCALE_RUNS
# (the scaling rows: replications, alternating pairs), ONLY=scaling runs only
# the scaling rows, QUICK=1 skips the 100,000 replications, RT=0 turns
# SCHED_FIFO off.
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

if [ "${ONLY:-}" != scaling ]; then
	$rt "$B/tests/bench/bench_kernel" || echo "bench_kernel failed"
	$rt "$B/tests/bench/bench_scenario" --growth "$SCEN" || echo "bench_scenario failed"
	$rt "$B/tests/bench/bench_output" "$SCEN" || echo "bench_output failed"
	$rt "$B/tests/bench/bench_fit" || echo "bench_fit failed"
fi

# Scaling: replications per second with 2 over 1, as the batch reports
# them in its closing line (from the start of the batch to the file closed,
# scenario loads, shard writing and an MPI join included; the report after
# it is not counted).  SCALE_REPS replications (default 4000: a planner's
# batch is thousands, so start-up is amortised as it is there), the same for
# 1 and 2; SCALE_RUNS pairs (default 5), measured alternately (1 then 2,
# then 2 then 1) so that a change in the machine's load falls on both
# members of a pair; the row is the median of the pairs' ratios, the note
# gives their range and every pair (issue #17).  Under SCHED_FIFO too where
# allowed, or other work on the machine takes one of the two cores.
SN=${SCALE_REPS:-4000}
SR=${SCALE_RUNS:-5}
rate() { sed -n 's/.*(\([0-9.]*\) replications\/s.*/\1/p'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# scale_row name what file1 file2 note-prefix: line i of file1 and file2 are
# pair i.
scale_row() {
	paste "$3" "$4" | awk '$1 > 0 && $2 > 0 { print $2 / $1 }' > "$TMP/ratios"
	n=$(wc -l < "$TMP/ratios")
	if [ "$n" -eq 0 ]; then
		row scaling "$1" failed "" ">= 1.85" - "$2 failed"
		return
	fi
	s=$(median < "$TMP/ratios")
	lo=$(sort -g "$TMP/ratios" | head -n 1); hi=$(sort -g "$TMP/ratios" | tail -n 1)
	row scaling "$1" "$(printf %.3f "$s")" x ">= 1.85" \
		"$([ "$(calc "$s >= 1.85")" = 1 ] && echo ok || echo MISSED)" \
		"$5: median of $n alternating pairs, range $(printf %.3f "$lo")-$(printf %.3f "$hi"); $(median < "$3") replications/s with 1, $(median < "$4") with 2 (medians); pairs: $(paste -d/ "$4" "$3" | tr '\n' ' ' | sed 's/ $//')"
}
if "$ESCSIM" run --help 2>&1 | grep -q -- '--threads'; then
	: > "$TMP/t1"; : > "$TMP/t2"
	for i in $(seq "$SR"); do
		if [ $((i % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
		for j in $order; do
			r=$($rt "$ESCSIM" run "$SCEN" -n "$SN" -j $j -o "$TMP/j.h5" 2>&1 >/dev/null | rate)
			echo "${r:-0}" >> "$TMP/t$j"
		done
	done
	scale_row "two threads / one thread, replications/s" "escsim run -j" "$TMP/t1" "$TMP/t2" \
		"escsim run -n $SN -j 1 / -j 2 to a file"
else
	row scaling "two threads / one thread" "pending -j" "" ">= 1.85" - "escsim run has no -j yet"
fi
# Two MPI ranks against one (mpirun -n 1, so both pay mpirun's start the
# same way): an MPI build, ESCSIM_MPI, or $BUILD-mpi/escsim (make MPI=1
# BUILD=build/bench-mpi OPT='-O2 -g -DNDEBUG' build/bench-mpi/escsim), or
# ESCSIM itself when it is one.  The end-to-end wall time of mpirun (its
# start, escsim's closing report) is in the note.
EM=${ESCSIM_MPI:-}
[ -z "$EM" ] && [ -x "$B-mpi/escsim" ] && EM=$B-mpi/escsim
[ -z "$EM" ] && ldd "$ESCSIM" 2>/dev/null | grep -q libmpi && EM=$ESCSIM
if command -v mpirun >/dev/null 2>&1 && [ -n "$EM" ] && ldd "$EM" 2>/dev/null | grep -q libmpi; then
	export OMPI_MCA_btl_vader_single_copy_mechanism=none   # containers without ptrace
	MPIRUN="mpirun --oversubscribe"
	[ "$(id -u)" = 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"
	: > "$TMP/m1"; : > "$TMP/m2"; : > "$TMP/w1"; : > "$TMP/w2"
	for i in $(seq "$SR"); do
		if [ $((i % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
		for n in $order; do
			t0=$(now)
			r=$($rt $MPIRUN -n $n "$EM" run "$SCEN" -n "$SN" -o "$TMP/m.h5" 2>&1 >/dev/null | rate)
			echo "${r:-0}" >> "$TMP/m$n"
			calc "$SN / ($(now) - $t0)" >> "$TMP/w$n"
		done
	done
	scale_row "two MPI ranks / one, replications/s" "mpirun -n" "$TMP/m1" "$TMP/m2" \
		"mpirun -n 1 / -n 2 escsim run -n $SN to a file"
	w1=$(median < "$TMP/w1"); w2=$(median < "$TMP/w2")
	row scaling "two MPI ranks / one, end to end" "$(printf %.3f "$(calc "$w2 / $w1")")" x - - \
		"wall time of mpirun with its start and escsim's report: $(printf %.0f "$w1") replications/s with -n 1, $(printf %.0f "$w2") with -n 2 (medians)"
else
	row scaling "two MPI ranks / one process" "pending MPI" "" ">= 1.85" - \
		"needs an MPI build of escsim (ESCSIM_MPI, or $B-mpi/escsim) and mpirun (Open MPI)"
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
if [ "${ONLY:-}" = scaling ]; then
	:
elif [ "${QUICK:-0}" = 1 ]; then
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
