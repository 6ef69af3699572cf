#!/usr/bin/env bash
# SIGINT in the middle of a run: exit 3, and the file holds every finished
# replication and says it is incomplete.  The first SIGINT or SIGTERM also
# stops a script stuck in C (a pattern that backtracks for hours, under a
# CPU budget of an hour) and a replication that loops in simulated time
# (a policy tick of 1e-9 h, with no step limit to speak of): each run is
# guarded by `timeout -s KILL 120`, so a regression fails instead of hanging.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 8
G="$ROOT/scenarios/golan_2026.lua"

interrupt INT int.h5 '[ "$(reps_in int.h5)" -gt 0 ]' "$ESCSIM" compare "$G" -n 1000000 -o int.h5 --quiet
is $rc 3 "interrupted run exits 3"
contains err "interrupted" "the message says it was interrupted"
test -e int.h5 -a ! -e int.h5.partial; ok $? "the file is renamed into place"
$PY - int.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 0
    n = [len(h["/arms/%s/runs" % a]) for a in ("cell", "no_cell")]
    assert n[0] == n[1] and n[0] > 0, n
    assert list(h["/arms/cell/runs"]["rep"]) == list(range(n[0]))
PYEOF
ok $? "complete=0 and both arms hold the same finished replications"
sed 's/^/# /' py.txt

# timeout passes the signal on to escsim, once (--foreground: not to its
# process group as well, which would be a second signal, which kills), and
# kills it after 120 s
interrupt INT pat.h5 true timeout --foreground -s KILL 120 "$ESCSIM" run "$ROOT/tests/bad/run/pattern_hang.lua" \
	-n 3 -o pat.h5 --set limits.cpu=3600
is $rc 3 "SIGINT stops a script stuck in string.find: exit 3"
contains err "interrupted by signal 2 after 0 of 3 replications" "the message says so"
interrupt TERM tick.h5 true timeout --foreground -s KILL 120 "$ESCSIM" run "$ROOT/tests/bad/run/tick_tiny.lua" \
	-n 3 -o tick.h5 --set limits.steps=1e15
is $rc 3 "SIGTERM stops a replication looping in simulated time: exit 3"
contains err "interrupted by signal 15" "the message says so"
