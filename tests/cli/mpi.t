#!/usr/bin/env bash
# MPI (make MPI=1): ranks split the replications and rank 0 joins their
# shards into one file identical to a serial run.  Runs when make test
# found mpicc and mpirun and built the MPI variant (ESCSIM_MPI); skipped
# otherwise.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
M=${ESCSIM_MPI:-}
# Skipped, with the reason, when something is missing: TAP's "1..0 # SKIP"
# (prove prints "skipped: REASON"), never a passing test.
why=
if ! command -v mpirun > /dev/null; then
	why="mpirun not found"
elif [ -z "$M" ]; then
	why="ESCSIM_MPI not set (make test sets it when mpicc and mpirun exist)"
elif [ ! -x "$M" ]; then
	why="no MPI build at $M"
fi
if [ -n "$why" ]; then
	echo "1..0 # SKIP $why (make MPI=1 installs Open MPI and builds build-mpi/escsim)"
	exit 0
fi
plan 8
G="$ROOT/scenarios/golan_2026.lua"
export OMPI_MCA_btl_vader_single_copy_mechanism=none   # containers without ptrace
# Under AddressSanitizer (make asan), no leak checks: LeakSanitizer cannot
# stop Open MPI's threads at exit ("Tracer caught signal 11"), and Open MPI
# leaves allocations behind at MPI_Finalize, in plugins unloaded before
# LeakSanitizer runs (so they cannot be suppressed by name).  Leaks of
# escsim's own code are checked by the other tests, which run the same code
# without MPI.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
OPTS=(-n 60 -s 5 --events --horizon 120d -q)

"$M" compare "$G" "${OPTS[@]}" -o serial.h5 > /dev/null 2>&1
ok $? "the MPI build without mpirun runs as one rank"
timeout 300 "${MPIRUN[@]}" -np 2 "$M" compare "$G" "${OPTS[@]}" -o np2.h5 > out.txt 2> err
ok $? "mpirun -np 2 exits 0"; sed 's/^/# /' err | grep -v '^# $' | head -5
diff=0
for arm in cell no_cell; do
	for t in runs daily events messages; do
		h5diff -q serial.h5 np2.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 ||
			{ diff=1; echo "# /arms/$arm/$t differs"; }
	done
done
ok $diff "-np 2: runs, daily, events, messages identical to the serial run"
test -z "$(ls np2.h5.* 2> /dev/null)"; ok $? "the shards are joined and removed"
n=$(grep -c 'escsim report' out.txt); is "$n" 1 "only rank 0 reports"
timeout 300 "${MPIRUN[@]}" -np 3 "$M" compare "$G" "${OPTS[@]}" -j 2 -o np3.h5 > /dev/null 2>&1
h5diff -q serial.h5 np3.h5 /arms /arms > /dev/null 2>&1
ok $? "-np 3 with 2 threads per rank: identical"
"$M" sweep "$G" -n 12 --horizon 60d --vary cell.accuracy=0.5,1 -o sw1.h5 -q > /dev/null 2>&1
timeout 300 "${MPIRUN[@]}" -np 2 "$M" sweep "$G" -n 12 --horizon 60d --vary cell.accuracy=0.5,1 -o sw2.h5 -q > /dev/null 2>&1
ok $? "an MPI sweep exits 0"
h5diff -q sw1.h5 sw2.h5 /arms /arms > /dev/null 2>&1 && h5diff -q sw1.h5 sw2.h5 /sweep /sweep > /dev/null 2>&1
ok $? "MPI sweep identical to the serial sweep"
