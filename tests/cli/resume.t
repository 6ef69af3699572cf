#!/usr/bin/env bash
# SIGINT and SIGTERM stop a run cleanly (exit 3, every finished replication
# kept, complete=0); --resume FILE completes it to tables identical to an
# uninterrupted run; a file from another scenario, seed or options is
# refused.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 20
G="$ROOT/scenarios/golan_2026.lua"
OPTS=(-n 300 -s 3 --events --horizon 180d)

t0=$(date +%s.%N)
"$ESCSIM" compare "$G" "${OPTS[@]}" -j 2 -o full.h5 -q > /dev/null 2>&1
ok $? "uninterrupted run"
t1=$(date +%s.%N)
# Interrupt part of the way through, timed on the uninterrupted run.  On a
# busy machine the run may finish before the signal, or the signal come
# before any replication is done: then try again, sooner or later (the
# assertions below are about a run that was interrupted with work done).
wait_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { w = (b - a) / 3; print (w < 0.05 ? 0.05 : w) }')
for attempt in 1 2 3 4 5 6 7 8; do
	rm -f int.h5 int.h5.*
	"$ESCSIM" compare "$G" "${OPTS[@]}" -j 2 -o int.h5 -q > /dev/null 2> err &
	pid=$!
	sleep "$wait_s"
	kill -INT $pid 2> /dev/null
	wait $pid
	rc=$?
	kept=0
	[ "$rc" = 3 ] && kept=$($PY -c 'import h5py; print(len(h5py.File("int.h5", "r")["/arms/cell/runs"]))' 2> /dev/null)
	if [ "$rc" = 0 ]; then
		wait_s=$(awk -v w="$wait_s" 'BEGIN { print w / 2 }')
	elif [ "$rc" = 3 ] && [ "${kept:-0}" = 0 ]; then
		wait_s=$(awk -v w="$wait_s" 'BEGIN { print w * 1.5 }')
	else
		break
	fi
	echo "# attempt $attempt: exit $rc, $kept replications kept; again with a wait of $wait_s s"
done
is $rc 3 "SIGINT: exit 3"
contains err "interrupted by signal 2" "the message says so"
$PY - int.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 0
    n = [len(h["/arms/%s/runs" % a]) for a in ("cell", "no_cell")]
    assert n[0] == n[1] and 0 < n[0] < 300, n
    print("kept", n[0])
PYEOF
ok $? "complete=0, both arms keep the same finished replications"; sed 's/^/# /' py.txt

"$ESCSIM" compare "$G" "${OPTS[@]}" -s 4 --resume int.h5 -q > /dev/null 2> err
is $? 2 "--resume with another seed: refused (exit 2)"
contains err "other options" "the message says the options differ"
cp "$G" changed.lua && echo "-- changed" >> changed.lua
"$ESCSIM" compare changed.lua "${OPTS[@]}" --resume int.h5 -q > /dev/null 2> err
is $? 2 "--resume with a changed scenario: refused"
contains err "not the one" "the message says the scenario is not the one"
"$ESCSIM" compare "$G" "${OPTS[@]}" --resume int.h5 -o other.h5 -q > /dev/null 2> err
is $? 2 "--resume with another -o: usage error"

"$ESCSIM" compare "$G" "${OPTS[@]}" -j 1 --resume int.h5 > resumed.txt 2> err
ok $? "--resume completes the file"; sed 's/^/# /' err
diff=0
for arm in cell no_cell; do
	for t in runs daily events messages; do
		h5diff -q full.h5 int.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 ||
			{ diff=1; echo "# /arms/$arm/$t differs"; }
	done
done
ok $diff "interrupted + resumed == uninterrupted (runs, daily, events, messages of both arms)"
$PY -c 'import h5py; h = h5py.File("int.h5", "r"); assert int(h.attrs["complete"]) == 1; assert "--resume" in h.attrs["resumed_by"]'
ok $? "complete=1 and resumed_by recorded"
test -z "$(ls int.h5.* 2> /dev/null)"; ok $? "no partial or shard left beside it"
"$ESCSIM" compare "$G" "${OPTS[@]}" --resume int.h5 -q > /dev/null 2> err
ok $? "--resume of a complete file: nothing to do, exit 0"
contains err "nothing to resume" "and it says so"

# SIGTERM (what Slurm sends at the time limit) behaves the same.
interrupt TERM term.h5 '[ "$(reps_in term.h5)" -gt 0 ]' "$ESCSIM" run "$G" -n 1000000 -j 2 -o term.h5 -q
is $rc 3 "SIGTERM: exit 3"
$PY -c 'import h5py; h = h5py.File("term.h5", "r"); assert int(h.attrs["complete"]) == 0'
ok $? "SIGTERM: file kept, complete=0"
sum_before=$(sha256sum < full.h5)
"$ESCSIM" compare "$G" "${OPTS[@]}" -j 2 -o full.h5 -q --resume full.h5 > /dev/null 2> err
ok $? "--resume names the same file as -o: accepted"
contains err "nothing to resume" "the same file as -o: read as the file to resume (complete: nothing to do)"
is "$(sha256sum < full.h5)" "$sum_before" "the complete file is left as it was"
