#!/usr/bin/env bash
# escsim sweep: grid and Sobol designs, /sweep/points, the arms at every
# point (/arms/ARM.p<k>) with the point's values applied, common random
# numbers across points, the same tables whatever -j, the report of the
# file as what it prints (once, and nothing with -q), and bad designs
# refused before anything is written.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 18
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" sweep "$G" -n 40 -s 2 --horizon 180d --vary cell.accuracy=0.2,1 \
	--vary cell.latency=lin:30m:4h:2 --set cell.enforce.p=0 -o grid.h5 > out.txt 2> err
ok $? "grid sweep exits 0"; sed 's/^/# /' err
contains out.txt "cell - no_cell" "prints the paired differences per point"
"$ESCSIM" report grid.h5 > rep.txt 2>&1
cmp -s out.txt rep.txt
ok $? "sweep prints the report of its file, as compare does: what escsim report prints"
test "$(grep -c '^retaliations: cell - no_cell' out.txt)" = 1
ok $? "each headline metric's table once (the batch keeps no statistics of its own)"
$PY - grid.h5 > py.txt 2>&1 <<'PYEOF'
import sys, json, warnings, h5py, pandas as pd
warnings.simplefilter("ignore")          # PyTables: a '.' in a column name
f = sys.argv[1]
p = pd.read_hdf(f, "/sweep/points")
assert list(p.columns) == ["point", "cell.accuracy", "cell.latency"], list(p.columns)
assert list(p["point"]) == [0, 1, 2, 3]
assert list(p["cell.accuracy"]) == [0.2, 0.2, 1.0, 1.0]
assert list(p["cell.latency"]) == [0.5, 4.0, 0.5, 4.0]        # hours
with h5py.File(f, "r") as h:
    assert sorted(h["/arms"]) == ["cell.p%d" % k for k in range(4)] + ["no_cell.p%d" % k for k in range(4)]
    g = h["/arms/cell.p2"]
    assert int(g.attrs["sweep_point"]) == 2 and g.attrs["sweep_arm"] == "cell"
    assert "cell.accuracy=1" in g.attrs["overrides"] and "cell.latency=0.5" in g.attrs["overrides"]
    cfg = json.loads(g.attrs["resolved_json"])
    assert cfg["cell"]["accuracy"] == 1 and cfg["cell"]["latency_h"]["value"] == 0.5, cfg["cell"]
    assert h["/sweep"].attrs["design"] == "grid" and int(h["/sweep"].attrs["n_points"]) == 4
    assert h["/sweep/points"].attrs["CLASS"] == b"TABLE"
    assert h["/sweep/points"].attrs["FIELD_2_UNITS"] == b"h"
runs = {k: pd.read_hdf(f, "/arms/cell.p%d/runs" % k) for k in range(4)}
for k in range(4):
    assert len(runs[k]) == 40 and list(runs[k]["rep"]) == list(range(40))
# Without enforcement, a cell right one time in five (below chance with two
# candidate culprits) gives answers no weight: its arm is the no_cell arm,
# replication by replication.  A cell right every time, answering in 30 min,
# calls off every misattributed strike whose suspicion it hears of in time:
# fewer than without the cell wherever there were any.
base = pd.read_hdf(f, "/arms/no_cell.p0/runs")
for k in (0, 1):
    assert (runs[k].misattributed_retaliations == base.misattributed_retaliations).all(), k
    assert (runs[k].retaliations == base.retaliations).all(), k
fast = runs[2].misattributed_retaliations
print("misattributed retaliations: no cell %.3f, accuracy 0.2 %.3f, accuracy 1 %.3f"
      % (base.misattributed_retaliations.mean(), runs[0].misattributed_retaliations.mean(), fast.mean()))
assert (fast <= base.misattributed_retaliations).all()
assert fast.sum() < base.misattributed_retaliations.sum()
print("fine")
PYEOF
ok $? "/sweep/points, groups, overrides and resolved values per point"; sed 's/^/# /' py.txt
contains py.txt fine "the python checks ran (the varied accuracy moves the metric)"
h5diff -q grid.h5 grid.h5 /arms/no_cell.p0/runs /arms/no_cell.p3/runs > /dev/null 2>&1
ok $? "common random numbers across points: no_cell is the same at every point"

"$ESCSIM" sweep "$G" -n 40 -s 2 --horizon 180d --vary cell.accuracy=0.2,1 \
	--vary cell.latency=lin:30m:4h:2 --set cell.enforce.p=0 -j 3 -o grid3.h5 -q > q.txt 2>&1
test ! -s q.txt
ok $? "-q: nothing printed (no report, no final line)"
h5diff -q grid.h5 grid3.h5 /arms /arms > /dev/null 2>&1 && h5diff -q grid.h5 grid3.h5 /sweep /sweep > /dev/null 2>&1
ok $? "-j 3: every table of every point identical"

"$ESCSIM" sweep "$G" -n 10 --horizon 60d --design sobol --points 5 \
	--vary cell.accuracy=lin:0.5:1 --vary cell.latency=log:30m:8h --vary cell.operators=1,2 \
	-o sobol.h5 -q > /dev/null 2> err
ok $? "Sobol sweep exits 0"; sed 's/^/# /' err
$PY - sobol.h5 > py.txt 2>&1 <<'PYEOF'
import sys, warnings, h5py, pandas as pd
warnings.simplefilter("ignore")
p = pd.read_hdf(sys.argv[1], "/sweep/points")
assert len(p) == 5
assert ((p["cell.accuracy"] >= 0.5) & (p["cell.accuracy"] <= 1)).all()
assert ((p["cell.latency"] >= 0.5) & (p["cell.latency"] <= 8)).all()
assert set(p["cell.operators"]) <= {1.0, 2.0} and len(set(p["cell.operators"])) == 2
# GSL's Sobol sequence starts at the middle of the cube.
assert abs(p["cell.accuracy"][0] - 0.75) < 1e-12 and abs(p["cell.latency"][0] - 2.0) < 1e-12
assert len(set(p["cell.accuracy"])) == 5
with h5py.File(sys.argv[1], "r") as h:
    assert h["/sweep"].attrs["design"] == "sobol" and len(h["/arms"]) == 10
PYEOF
ok $? "Sobol: 5 points inside the ranges, lists sampled by index, 10 groups"; sed 's/^/# /' py.txt

"$ESCSIM" sweep "$G" --design sobol --vary cell.accuracy=lin:0.5:1 -o x.h5 > /dev/null 2> err
is $? 2 "sobol without --points: usage error"
"$ESCSIM" sweep "$G" --points 4 --vary cell.accuracy=0.5,1 -o x.h5 > /dev/null 2> err
is $? 2 "--points with a grid: usage error"
"$ESCSIM" sweep "$G" --vary cell.accuracy=lin:0.5:1 -o x.h5 > /dev/null 2> err
is $? 2 "a grid range without N: refused"
vary=(); for k in $(seq 41); do vary+=(--vary "k$k=lin:0:1"); done
"$ESCSIM" sweep "$G" --design sobol --points 4 "${vary[@]}" -o x.h5 > /dev/null 2> err
is $? 2 "a Sobol design over 41 keys: refused"
contains err "at most 40" "the message gives the limit"
"$ESCSIM" sweep "$G" -n 5 --vary cell.no_such_key=1,2 -o x.h5 > /dev/null 2> err
is $? 2 "an unknown key: exit 2"
test ! -e x.h5 -a ! -e x.h5.partial; ok $? "nothing written for a bad sweep"
