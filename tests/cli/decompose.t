#!/usr/bin/env bash
# escsim compare --decompose: the cell arm with one mechanism at a time
# (answers_only, notices_only, enforcement_only), and /summary/decomposition
# checked against numpy/scipy computed here from the runs tables: each
# mechanism's paired difference from no_cell with its t interval, its share
# of the whole cell's difference (ratio of means, delta-method interval),
# the interaction (the cell minus the three), and the whole cell equal to
# the differences table.  Also: the mechanism arms' overrides, the report's
# "constant" flag, and usage errors.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 11
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 120 -s 11 --decompose -o d.h5 > out.txt 2> err.txt
ok $? "compare --decompose exits 0"
contains out.txt "The cell's effect by mechanism" "the report prints the decomposition"

$PY - d.h5 > py.txt 2>&1 <<'PYEOF'
import sys, json, math, h5py, numpy as np, pandas as pd
from scipy import stats
h = h5py.File(sys.argv[1], "r")
arms = sorted(h["arms"])
assert arms == ["answers_only", "cell", "enforcement_only", "no_cell", "notices_only"], arms
ov = {a: h["/arms/" + a].attrs["overrides"] for a in arms}
ov = {a: v.decode() if isinstance(v, bytes) else v for a, v in ov.items()}
assert "cell.effects.notices=false" in ov["answers_only"] and "cell.effects.enforcement=false" in ov["answers_only"], ov
assert "cell.effects.answers=false" in ov["notices_only"] and "cell.effects.enforcement=false" in ov["notices_only"], ov
assert "cell.effects.answers=false" in ov["enforcement_only"] and "cell.effects.notices=false" in ov["enforcement_only"], ov
runs = {}
for a in arms:
    df = pd.DataFrame(h["/arms/%s/runs" % a][()]).set_index("rep").sort_index()
    df["fatalities_total"] = df.fatalities_mil + df.fatalities_civ
    df["crisis"] = df.first_crisis_h.notna().astype(float)
    runs[a] = df
ds = h["/summary/decomposition"]
lab = json.loads(ds.attrs["labels"])
D = pd.DataFrame(ds[()])
D["metric"] = D.metric.map({int(k): v for k, v in lab["metric"].items()})
D["mechanism"] = D.mechanism.map({int(k): v for k, v in lab["mechanism"].items()})
mech_arm = {"answers": "answers_only", "notices": "notices_only", "enforcement": "enforcement_only"}
t = stats.t.ppf(0.975, 119)
def close(a, b, scale=1.0):
    if isinstance(b, float) and math.isnan(b):
        return math.isnan(a)
    return abs(a - b) <= 1e-9 * max(1.0, abs(b), scale)
metrics = sorted(set(D.metric))
assert metrics == sorted(["retaliations", "misattributed_retaliations", "fatalities_civ",
                          "fatalities_total", "max_level", "hours_at_or_above_6", "spiral", "crisis"]), metrics
base = runs["no_cell"]
checked = 0
for m in metrics:
    y = (runs["cell"][m] - base[m]).to_numpy(float)
    xs = {k: (runs[a][m] - base[m]).to_numpy(float) for k, a in mech_arm.items()}
    xs["interaction"] = y - xs["answers"] - xs["notices"] - xs["enforcement"]
    xs["all"] = y
    for k, x in xs.items():
        row = D[(D.metric == m) & (D.mechanism == k)].iloc[0]
        assert row.n == 120
        hw = t * x.std(ddof=1) / math.sqrt(120)
        assert close(row["diff"], x.mean()) and close(row.diff_lo, x.mean() - hw, 2 * hw) \
            and close(row.diff_hi, x.mean() + hw, 2 * hw), (m, k, row.to_dict(), x.mean(), hw)
        if y.mean() == 0:
            assert math.isnan(row.share), (m, k, row.to_dict())
            continue
        R = x.mean() / y.mean()
        s = (x - R * y).std(ddof=1) / abs(y.mean())
        assert close(row.share, R) and close(row.share_lo, R - t * s / math.sqrt(120), 2 * t * s) \
            and close(row.share_hi, R + t * s / math.sqrt(120), 2 * t * s), (m, k, row.to_dict(), R, s)
        checked += 1
    # The whole cell is the differences table's row for cell.
    dt = pd.DataFrame(h["/summary/differences"][()])
    mlab = {int(k): v for k, v in json.loads(h["/summary/differences"].attrs["labels"])["metric"].items()}
    alab = {int(k): v for k, v in json.loads(h["/summary/differences"].attrs["labels"])["arm"].items()}
    dt["metric"] = dt.metric.map(mlab); dt["arm"] = dt.arm.map(alab)
    d = dt[(dt.metric == m) & (dt.arm == "cell")].iloc[0]
    row = D[(D.metric == m) & (D.mechanism == "all")].iloc[0]
    assert d["mean"] == row["diff"] and d.lo == row.diff_lo, (m, d.to_dict(), row.to_dict())
# A mechanism the cell never uses changes nothing: notices never touch retaliations.
row = D[(D.metric == "retaliations") & (D.mechanism == "notices")].iloc[0]
assert row["diff"] == 0 and row.diff_lo == 0 and row.diff_hi == 0, row.to_dict()
print("checked", checked)
PYEOF
ok $? "/summary/decomposition = numpy/scipy from the runs tables"
sed 's/^/# /' py.txt | tail -3

"$ESCSIM" report d.h5 --json > d.json 2> err.txt; ok $? "report --json exits 0"
$PY - d.json <<'PYEOF' > py2.txt 2>&1
import sys, json
J = json.load(open(sys.argv[1]))
rows = J["decomposition"]
assert len(rows) == 8 * 5, len(rows)
assert {r["mechanism"] for r in rows} == {"answers", "notices", "enforcement", "interaction", "all"}
c = [m for m in J["metrics"] if m["metric"] == "crisis"]
assert all(m["constant"] for m in c), c          # no exchange between the states: never a crisis
inc = [m for m in J["metrics"] if m["metric"] == "incidents"]
assert not any(m["constant"] for m in inc), inc
PYEOF
ok $? "JSON has the decomposition and the constant flags"
sed 's/^/# /' py2.txt | tail -3
$PY - out.txt <<'PYEOF' > py4.txt 2>&1
import sys
lines = open(sys.argv[1]).read().split("Means with 95%")[1].split("\n\n")[0].splitlines()
# each metric's block: its first line names it, the others are its arms
block, rows = None, {}
for l in lines[2:]:
    if not l.startswith(" "):
        block = l.split()[0]
    rows.setdefault(block, []).append(l)
assert all(l.endswith("constant") for l in rows["crisis"]) and len(rows["crisis"]) == 5, rows["crisis"]
assert not any(l.endswith("constant") for l in rows["incidents"]), rows["incidents"]
PYEOF
ok $? "the text report flags crisis as constant in every arm, incidents in none"
sed 's/^/# /' py4.txt | tail -3

$PY -c '
import h5py, json, numpy as np, pandas as pd, sys
h = h5py.File("d.h5", "r")
m = pd.DataFrame(h["/summary/metrics"][()])
lab = json.loads(h["/summary/metrics"].attrs["labels"])
m["metric"] = m.metric.map({int(k): v for k, v in lab["metric"].items()})
m["arm"] = m.arm.map({int(k): v for k, v in lab["arm"].items()})
for _, r in m.iterrows():
    if r.metric in ("fatalities_total", "crisis"): continue
    x = h["/arms/%s/runs" % r.arm][r.metric].astype(float)
    x = x[~np.isnan(x)]
    want = len(x) > 0 and (x == x[0]).all()
    assert bool(r.constant) == bool(want), (r.arm, r.metric, r.constant)
' > py3.txt 2>&1
ok $? "/summary/metrics constant = every replication the same"
sed 's/^/# /' py3.txt | tail -3

"$ESCSIM" compare "$G" -n 5 --decompose --arm a:cell.enabled=true --arm no_cell:cell.enabled=false -o x.h5 > /dev/null 2> e1.txt
is $? 2 "--decompose without an arm named cell: exit 2"
contains e1.txt "--decompose takes apart the arm named 'cell'" "...and says why"
"$ESCSIM" run "$G" -n 5 --decompose -o y.h5 > /dev/null 2> e2.txt
is $? 2 "run --decompose: exit 2"
contains e2.txt "option '--decompose' applies to compare only" "...and says why"
