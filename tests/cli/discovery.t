#!/usr/bin/env bash
# Scenario discovery (analysis/discovery.py) and the EMA-shaped frames of
# escsim_results.experiments().
#
# 1. PRIM recovers a box planted in synthetic data: 3000 rows uniform on
#    [0, 1]^5 plus a category u/v/w; the case of interest has probability
#    0.9 inside x0 in [0.2, 0.5], x1 in [0.6, 0.9], category u or v (6 % of
#    the rows), and 0.01 elsewhere.  The box found must restrict x0, x1 and
#    the category and nothing else, with each limit within 0.05 of the
#    planted one (a peel removes 5 % of the box's rows: near the end about
#    9 rows, a slice of 0.015 of x0's range; 0.05 leaves room for a few
#    slices of noise), density >= 0.8 (the threshold; the planted box's
#    own is 0.9) and coverage >= 0.75 (the planted box holds 0.054 n of the
#    0.0634 n cases: 0.85, sd 0.02; a slice or two shaved off its edges
#    costs up to 0.1).
# 2. On a real sweep (an LHS of unattributed_rockets), the region where the
#    cell's benefit on misattributed retaliations nearly vanishes is the
#    one where its answer comes after the six-hour deadline: the box
#    restricts cell.latency alone, from about 6 h up.  In 60 days about 5.1
#    rockets a replication are blamed on Syria, and an answer in time calls
#    a strike off with probability a (2a - 1) for accuracy a (docs/model.md),
#    so with a in [0.7, 1] a timely cell saves at least 1.4 a replication
#    (20 replications: a standard error near 0.2) and the cases "saves
#    fewer than 0.3" are exactly the late answers.
# 3. experiments(): one row per point, arm and replication, values in their
#    units, an arm column, outcomes aligned.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 9
D="$ROOT/analysis"

$PY - "$D" > py.txt 2>&1 <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np, pandas as pd
import discovery
rng = np.random.default_rng(20260106)
n = 3000
x = pd.DataFrame(rng.uniform(size=(n, 5)), columns=["x0", "x1", "x2", "x3", "x4"])
x["kind"] = pd.Categorical(rng.choice(["u", "v", "w"], size=n))
inside = (x.x0 >= 0.2) & (x.x0 <= 0.5) & (x.x1 >= 0.6) & (x.x1 <= 0.9) & x.kind.isin(["u", "v"])
y = np.where(inside, rng.uniform(size=n) < 0.9, rng.uniform(size=n) < 0.01)
p = discovery.Prim(x, y, threshold=0.8)
b = p.find_box()
print(b.inspect())
lim = b.limits
assert sorted(lim.index) == ["kind", "x0", "x1"], list(lim.index)
for c, lo, hi in (("x0", 0.2, 0.5), ("x1", 0.6, 0.9)):
    assert abs(lim.loc[c, "min"] - lo) <= 0.05 and abs(lim.loc[c, "max"] - hi) <= 0.05, (c, lim.loc[c])
assert sorted(lim.loc["kind", "allowed"]) == ["u", "v"]
assert b.coverage >= 0.75 and b.density >= 0.8, (b.coverage, b.density)
assert (lim["qp"] < 1e-6).all(), lim["qp"]
t = b.trajectory
assert list(t.columns) == ["coverage", "density", "mass", "res_dim"] and t["coverage"].iloc[0] == 1
assert (np.diff(t["mass"]) < 0).all()           # each peel removes rows
b.plot_trajectory("planted.png")
print("fine")
PYEOF
ok $? "PRIM recovers the planted box (x0, x1 and the category, limits within 0.05)"
sed 's/^/# /' py.txt
test -s planted.png; ok $? "the trajectory plot is drawn"

U="$ROOT/scenarios/unattributed_rockets.lua"
"$ESCSIM" sweep "$U" -n 20 -s 3 --horizon 60d --design lhs --points 40 \
	--vary cell.accuracy=lin:0.7:1 --vary cell.latency=log:30m:24h -o lhs.h5 -q > /dev/null 2> err
ok $? "an LHS sweep to discover in"; sed 's/^/# /' err

$PY - "$D" lhs.h5 > py.txt 2>&1 <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
from escsim_results import load
r = load(sys.argv[2])
x, y = r.experiments()
assert len(x) == len(y) == 40 * 2 * 20, len(x)
assert list(x.columns) == ["cell.accuracy", "cell.latency", "point", "arm", "rep"], list(x.columns)
assert list(x["arm"].cat.categories) == ["cell", "no_cell"]
assert x.attrs["units"] == {"cell.accuracy": None, "cell.latency": "h"}
assert (x.index == y.index).all() and "spiral" in y and "fatalities_total" in y
# Values in hours, as the point's overrides: rows of a point agree with /sweep/points.
pts = r.sweep_points.set_index("point")
row = x.iloc[25]
assert row["cell.latency"] == pts.loc[row["point"], "cell.latency"]
runs = r.runs["cell.p%d" % row["point"]].set_index("rep")
assert y.iloc[25]["retaliations"] == runs.loc[row["rep"], "retaliations"]
assert 0.5 <= x["cell.latency"].min() and x["cell.latency"].max() <= 24
print("fine")
PYEOF
contains py.txt fine "experiments(): a row per point, arm and replication, units, an arm column, aligned outcomes"
sed 's/^/# /' py.txt

$PY "$D/discovery.py" lhs.h5 --outcome misattributed_retaliations --difference --above -0.3 \
	--plot disc.png > disc.txt 2> err
ok $? "discovery.py on a sweep exits 0"; sed 's/^/# /' err; sed 's/^/# /' disc.txt
contains disc.txt "misattributed_retaliations, cell - no_cell (paired by replication)" "it says what it looked at"
$PY - disc.txt > py.txt 2>&1 <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
box = text.split("\nbox 1: ")[1].split("\n\n")[0]
head = box.splitlines()[0]
cov, dens = map(float, re.search(r"coverage ([\d.]+), density ([\d.]+)", head).groups())
rows = [l.split() for l in box.splitlines()[2:]]
assert [r[0] for r in rows] == ["cell.latency"], rows
lo = float(rows[0][1])
# The deadline is 6 h: the box starts between the LHS's points around it.
assert 3.5 <= lo <= 7.5, lo
assert cov >= 0.8 and dens >= 0.8, (cov, dens)
print("fine")
PYEOF
contains py.txt fine "the box where the benefit vanishes: cell.latency from about 6 h, nothing else"
test -s disc.png; ok $? "--plot writes the trajectory"
$PY "$D/discovery.py" lhs.h5 --outcome no_such --above 1 > /dev/null 2> err
is $? 2 "an unknown outcome: exit 2"
