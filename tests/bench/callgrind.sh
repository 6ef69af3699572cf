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
#
# SIM=1 also simulates the caches and the branch predictor
# (--cache-sim=yes --branch-sim=yes) and adds, per event, the conditional
# and indirect branches callgrind's simple predictor misses and the D1 read
# misses.  Its predictor is not the CPU's: read the counts as where
# unpredictable branches are, not as how many the CPU misses.
set -u
B=${BUILD:-build/bench}
SCEN=${SCENARIO:-scenarios/golan_2026.lua}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/escsim-cg.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is missing (apt-get install valgrind)"; exit 1; }

SIMOPT=
[ "${SIM:-0}" = 1 ] && SIMOPT='--cache-sim=yes --branch-sim=yes'

count() {  # label unit program args... -> one row
	label=$1; unit=$2; shift 2
	# shellcheck disable=SC2086
	out=$(valgrind --tool=callgrind $SIMOPT --collect-atstart=no --toggle-collect='measure_*' \
		--callgrind-out-file="$TMP/cg.out" "$@" 2>"$TMP/err") || { echo "$label: failed"; cat "$TMP/err"; return; }
	events=$(sed -n 's/^events: *//p' "$TMP/cg.out" | head -n 1)
	totals=$(sed -n 's/^totals: *//p; s/^summary: *//p' "$TMP/cg.out" | head -n 1)
	ir=$(echo "$totals" | cut -d' ' -f1)
	echo "$out" | while read -r name n; do
		note="$ir instructions / $n events"
		if [ -n "$SIMOPT" ]; then
			# callgrind leaves trailing zero counts out of the totals line
			note="$note;$(printf '%s\n%s\n' "$events" "$totals" | awk -v n="$n" '
				NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; k = NF }
				NR == 2 { for (i = 1; i <= k; i++) v[name[i]] = (i <= NF ? $i : 0) }
				END { printf " per customer or event (as counted): Bcm %.2f, Bim %.2f, D1mr %.2f", v["Bcm"] / n, v["Bim"] / n, v["D1mr"] / n }')"
		fi
		printf '%-9s %-46s %12.1f %-12s %s\n' callgrind "$label" "$(awk "BEGIN { print ($ir / $n) }")" "$unit" \
			"$note"
	done
}

printf '%-9s %-46s %12s %-12s %s\n' area benchmark value unit note
K="${KERNEL_BENCH:-$B/tests/bench/bench_kernel} --callgrind --only"
count "M/M/1 rho 0.9 (gsl_ran_exponential)" Ir/customer $K mm1
count "M/M/1 rho 0.9 (kernel exponential)" Ir/customer $K mm1_dist
count "reference loop, no kernel" Ir/customer $K ref
count "reference loop (xoshiro256++)" Ir/customer $K ref_xoshiro
count "M/M/1, draws made before the run" Ir/customer $K mm1_pre
count "reference loop, draws made before the run" Ir/customer $K ref_pre
count "hold K=1" Ir/event $K hold1
count "hold K=1000" Ir/event $K hold1000
count "hold K=100000" Ir/event $K hold100000
count "hold K=1 (gsl_ran_exponential)" Ir/event $K hold1_gsl
count "hold K=1000 (gsl_ran_exponential)" Ir/event $K hold1000_gsl
count "golan_2026, Lua policies" Ir/event "$B/tests/bench/bench_scenario" --callgrind --only lua "$SCEN" 20
count "golan_2026, C policies" Ir/event "$B/tests/bench/bench_scenario" --callgrind --only c "$SCEN" 20
