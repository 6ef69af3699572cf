#!/usr/bin/env bash
# Sensitivity indices end to end: a saltelli sweep of unattributed_rockets
# stores /summary/sensitivity (the documented columns, labels, intervals),
# the report prints it, and the indices match what the scenario predicts;
# a key the model never reads scores exactly 0; a morris sweep stores mu*,
# sigma and their intervals in the same place; --csv and --json carry them.
#
# The prediction.  In unattributed_rockets a rocket blamed on Syria brings a
# strike six hours on unless the cell's answer arrives first and Israel acts
# on it: the answer names the group with probability a (the accuracy), and
# Israel weighs it by accuracy corrected for guessing among its two
# candidates, max(0, 2a - 1) (docs/model.md, tests/cli/cell_latency.t).  So
# the cell's effect on misattributed retaliations at a point is, up to a
# constant, f = h(a) x 1[latency < 6 h] with h(a) = a max(0, 2a - 1).  With a
# uniform on [0.3, 1] (E h = 0.29762, E h^2 = 0.18452) and the latency
# log-uniform on [30 m, 24 h] (P(latency < 6 h) = p = ln 12 / ln 48 =
# 0.6419), f's variance splits as V_a = p^2 Var(h), V_lat = (E h)^2 p (1 - p)
# and the interaction the rest: S1 = 0.482 (accuracy), 0.248 (latency); ST
# = 1 - S1 of the other = 0.752, 0.518.  Each must lie in its 95% interval
# (64 base rows, 10 replications per point; replications make f a step
# function of the accuracy, which moves the indices by a few hundredths).
# cell.suspend.duration is never read when cell.suspend.p = 0.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 11
U="$ROOT/scenarios/unattributed_rockets.lua"
KEYS=(--vary cell.accuracy=lin:0.3:1 --vary cell.latency=log:30m:24h
      --vary cell.suspend.duration=lin:1:72 --set cell.suspend.level=6 --set cell.suspend.p=0)

"$ESCSIM" sweep "$U" -n 10 -s 5 --horizon 30d --design saltelli --points 64 \
	"${KEYS[@]}" -o sal.h5 > out.txt 2> err
ok $? "saltelli sweep exits 0"; sed 's/^/# /' err
contains out.txt "Sobol indices of each metric" "the sweep prints the indices"
grep -A4 "^misattributed_retaliations: cell - no_cell" out.txt | sed 's/^/# /'
$PY - sal.h5 > py.txt 2>&1 <<'PYEOF'
import sys, math, h5py, numpy as np
f = sys.argv[1]
with h5py.File(f, "r") as h:
    ds = h["/summary/sensitivity"]
    assert ds.attrs["CLASS"] == b"TABLE"
    cols = list(ds.dtype.names)
    assert cols == ["arm", "baseline", "metric", "parameter", "n", "variance",
                    "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"], cols
    import json
    lab = json.loads(ds.attrs["labels"])
    t = ds[()]
    d = h["/sweep/design"][()]
    assert h["/sweep"].attrs["design"] == "saltelli" and int(h["/sweep"].attrs["base_points"]) == 64
    assert len(d) == 64 * 5 and list(d["role"][:5]) == [1, 3, 3, 3, 2]
def name(col, code):
    return lab[col][str(int(code))]
rows = {}
for r in t:
    base = name("baseline", r["baseline"]) if r["baseline"] >= 0 else None
    rows[(name("arm", r["arm"]), base, name("metric", r["metric"]), name("parameter", r["parameter"]))] = r
# Every series x metric x key: cell, no_cell (levels) and cell - no_cell.
metrics = {k[2] for k in rows}
assert len(rows) == 3 * len(metrics) * 3, len(rows)
m = "misattributed_retaliations"
want = {"cell.accuracy": (0.482, 0.752), "cell.latency": (0.248, 0.518)}
for key, (s1, st) in want.items():
    r = rows[("cell", "no_cell", m, key)]
    print("%s: S1 %.3f [%.3f, %.3f] (predicted %.3f), ST %.3f [%.3f, %.3f] (predicted %.3f)" %
          (key, r["S1"], r["S1_lo"], r["S1_hi"], s1, r["ST"], r["ST_lo"], r["ST_hi"], st))
    assert r["S1_lo"] <= s1 <= r["S1_hi"], key
    assert r["ST_lo"] <= st <= r["ST_hi"], key
    assert r["n"] == 64
r = rows[("cell", "no_cell", m, "cell.suspend.duration")]
assert r["S1"] == 0 and r["ST"] == 0 and r["ST_lo"] == 0 and r["ST_hi"] == 0, r
# no_cell does not depend on the cell: no variance, no index.
r = rows[("no_cell", None, m, "cell.latency")]
assert r["variance"] == 0 and math.isnan(r["S1"]) and math.isnan(r["ST"]), r
print("fine")
PYEOF
ok $? "/summary/sensitivity: columns, labels, the predicted indices inside their intervals, 0 for the unread key"
sed 's/^/# /' py.txt
contains py.txt fine "the python checks ran"

"$ESCSIM" report sal.h5 --no-store > rep.txt 2> err
cmp -s rep.txt out.txt
ok $? "escsim report prints what the sweep printed"
"$ESCSIM" sweep "$U" -n 10 -s 5 --horizon 30d --design morris --points 12 \
	"${KEYS[@]}" -o mor.h5 > mout.txt 2> err
ok $? "morris sweep exits 0"; sed 's/^/# /' err
contains mout.txt "Morris screening" "the sweep prints mu* and sigma"
$PY - mor.h5 > py.txt 2>&1 <<'PYEOF'
import sys, json, h5py
with h5py.File(sys.argv[1], "r") as h:
    ds = h["/summary/sensitivity"]
    cols = list(ds.dtype.names)
    assert cols == ["arm", "baseline", "metric", "parameter", "n", "mu", "mu_star",
                    "mu_star_lo", "mu_star_hi", "sigma", "sigma_lo", "sigma_hi"], cols
    lab = json.loads(ds.attrs["labels"])
    t = ds[()]
    assert int(h["/sweep"].attrs["levels"]) == 4 and len(h["/sweep/points"]) == 12 * 4
key = {v: int(k) for k, v in lab["parameter"].items()}
met = {v: int(k) for k, v in lab["metric"].items()}
sel = t[(t["metric"] == met["misattributed_retaliations"]) & (t["baseline"] >= 0)]
by = {lab["parameter"][str(r["parameter"])]: r for r in sel}
for k, r in by.items():
    print("%s: mu* %.3f [%.3f, %.3f] sigma %.3f" % (k, r["mu_star"], r["mu_star_lo"], r["mu_star_hi"], r["sigma"]))
u = by["cell.suspend.duration"]
assert u["mu_star"] == 0 and u["sigma"] == 0 and u["n"] == 12
# Latency decides whether the answer comes in time at all: a screening
# that ranks it below the unread key would be wrong.
assert by["cell.latency"]["mu_star_lo"] > 0 and by["cell.accuracy"]["mu_star"] > 0
print("fine")
PYEOF
contains py.txt fine "morris: mu*, sigma and intervals; the unread key scores 0"
sed 's/^/# /' py.txt
"$ESCSIM" report mor.h5 --csv --no-store > rep.csv 2> err
grep -c '^sensitivity,cell,no_cell,misattributed_retaliations,mu_star:cell.latency,12,' rep.csv > n.txt
is "$(cat n.txt)" 1 "--csv: a row per index"
"$ESCSIM" report mor.h5 --json --no-store > rep.json 2> err
$PY -c 'import json,sys; j=json.load(open("rep.json")); s=j["sweep"]["sensitivity"]; assert s["method"]=="morris" and s["resamples"]==1000; r=[x for x in s["rows"] if x["parameter"]=="cell.suspend.duration" and x["baseline"]=="no_cell" and x["metric"]=="misattributed_retaliations"][0]; assert r["mu_star"]==0 and r["n"]==12; print("fine")' > js.txt 2>&1
contains js.txt fine "--json: sweep.sensitivity with every row"
$PY - "$ROOT/analysis" > py.txt 2>&1 <<'PYEOF'
import sys, os
sys.path.insert(0, sys.argv[1])
import plots
from escsim_results import load
for f in ("sal.h5", "mor.h5"):
    w = []
    os.makedirs(f[:3], exist_ok=True)
    plots.plot_sensitivity(load(f), f[:3], w)
    assert sorted(os.path.basename(p) for p in w) == ["sensitivity.png", "sensitivity.svg"], w
    assert all(os.path.getsize(p) > 1000 for p in w)
print("fine")
PYEOF
contains py.txt fine "plots.py draws the sensitivity figure of both designs"
