#!/usr/bin/env bash
# SIGINT in the middle of a run: exit 3, and the file holds every finished
# replication and says it is incomplete.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 4
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
