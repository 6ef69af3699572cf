#!/bin/sh
# callgrind.sh: instructions per event, counted by valgrind's callgrind
# (`make bench-callgrind`).  Counts do not depend on what else the machine
# is doing, so they compare builds on a noisy machine where times cannot.
#
# Each benchmark runs once, smaller than in `make bench`, under
#   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='measure_*'
# so only the measured loop is counted (setup and warm-up are not); the
# program prints "NAME EVENTS" and the count is divided by EVENTS (customers
# for the M/M/1 rows, kernel events for hold, model events -- incidents and
# protests -- for the scenario rows).
set -u
B=${BUILD:-build/bench}
SCEN=${SCENARIO:-scenarios/golan_2026.lua}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/escsim-cg.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is missing (apt-get install valgrind)"; exit 1; }

count() {  # label unit program args... -> one row
	label=$1; unit=$2; shift 2
	out=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect='measure_*' \
		--callgrind-out-file="$TMP/cg.out" "$@" 2>"$TMP/err") || { echo "$label: failed"; cat "$TMP/err"; return; }
	ir=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$TMP/cg.out" | head -n 1 | cut -d' ' -f1)
	echo "$out" | while read -r name n; do
		printf '%-9s %-46s %12.1f %-12s %s\n' callgrind "$label" "$(awk "BEGIN { print ($ir / $n) }")" "$unit" \
			"$ir instructions / $n events"
	done
}

printf '%-9s %-46s %12s %-12s %s\n' area benchmark value unit note
K="$B/tests/bench/bench_kernel --callgrind --only"
count "M/M/1 rho 0.9 (gsl_ran_exponential)" Ir/customer $K mm1
count "M/M/1 rho 0.9 (kernel exponential)" Ir/customer $K mm1_dist
count "reference loop, no kernel" Ir/customer $K ref
count "hold K=1" Ir/event $K hold1
count "hold K=1000" Ir/event $K hold1000
count "hold K=100000" Ir/event $K hold100000
count "hold K=1 (gsl_ran_exponential)" Ir/event $K hold1_gsl
count "golan_2026, Lua policies" Ir/event "$B/tests/bench/bench_scenario" --callgrind --only lua "$SCEN" 20
count "golan_2026, C policies" Ir/event "$B/tests/bench/bench_scenario" --callgrind --only c "$SCEN" 20
