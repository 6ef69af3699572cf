#!/usr/bin/env bash
# analysis/escsim_results.py on Debian's /usr/bin/python3: load(path) gives
# provenance, arms, per-arm DataFrames identical to the raw HDF5 rows, coded
# columns as Categoricals named by the file's labels, one concatenated frame
# with an arm column, the summary tables, paired differences; a foreign file
# is refused.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 3
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 15 -s 11 --horizon 120d --events -o a.h5 --quiet > /dev/null 2>&1
ok $? "compare --events writes a file"

cat > check.py <<'PYEOF'
import sys, json, traceback
sys.path.insert(0, sys.argv[1])
import h5py, numpy as np, pandas as pd
from escsim_results import load, decode_labels

f = sys.argv[2]
failed = 0

def check(name, fn):
    global failed
    try:
        fn()
        print("# ok: %s" % name)
    except Exception as e:
        failed += 1
        print("# FAILED: %s: %s: %s" % (name, type(e).__name__, str(e)[:300]))
        traceback.print_exc(file=sys.stdout)

r = load(f)
h = h5py.File(f, "r")

def provenance():
    p = r.provenance
    assert p["seed"] == 11 and p["reps"] == 15 and p["scenario_name"] == "golan_2026", p
    assert r.complete is True and r.arms == ["cell", "no_cell"], (r.complete, r.arms)
    assert r.overrides["cell"] == "cell.enabled=true"
    assert r.params["no_cell"]["horizon_h"] == 120 * 24 and r.params["no_cell"]["cell"]["enabled"] is False
    assert r.units["runs"]["hours_at_or_above_6"] == "h" and r.units["events"]["t_h"] == "h"

def same_rows():
    for t in ("runs", "daily", "events", "messages"):
        for a in r.arms:
            raw = h["/arms/%s/%s" % (a, t)][()]
            df = getattr(r, t)[a]
            assert len(df) == len(raw), (t, a)
            assert list(df.columns) == list(raw.dtype.names), (t, list(df.columns))
            lab = json.loads(h["/arms/%s/%s" % (a, t)].attrs.get("labels", "{}"))
            for col in raw.dtype.names:
                got = df[col]
                if hasattr(got, "cat"):        # decoded: map back through the labels
                    back = {v: int(k) for k, v in lab[col].items()}
                    got = got.astype(object).map(back)
                got, want = np.asarray(got, dtype=float), raw[col].astype(float)
                assert np.array_equal(got, want, equal_nan=True), (t, a, col)

def categoricals():
    e = r.events["cell"]
    parties = [p["name"] for p in r.params["cell"]["parties"]]
    assert list(e.actor.cat.categories) == ["none"] + parties, list(e.actor.cat.categories)
    assert list(e.cause.cat.categories) == ["background", "triggered", "policy"]
    assert list(e.kind.cat.categories) == ["incident", "protest"]
    assert set(e.zone.astype(str)) <= set(r.params["cell"]["zones"])
    m = r.messages["cell"]
    assert len(m) > 0, "no messages in the cell arm"
    assert list(m.channel.cat.categories)[:2] == ["none", "cell"], list(m.channel.cat.categories)
    assert list(m.outcome.cat.categories) == ["answered", "late", "refused", "unavailable", "pending"]
    assert list(m.kind.cat.categories) == ["query", "notify", "protest", "restraint", "intel"]
    assert list(m.correct.cat.categories) == ["n/a", "no", "yes"]
    # 0/1 flags stay numbers, so a mean is a share.
    sp = r.runs["cell"].spiral
    assert sp.dtype.kind == "i" and set(sp) <= {0, 1}
    assert 0 <= sp.mean() <= 1
    raw = load(f, decode=False)
    assert raw.events["cell"].actor.dtype.kind == "i"
    raw.close()

def frame():
    fr = r.frame("runs")
    assert list(fr.columns[:2]) == ["arm", "rep"] and len(fr) == 30
    assert list(fr.arm.cat.categories) == ["cell", "no_cell"]
    assert (fr.groupby("arm").size() == 15).all()
    ev = r.frame("events")
    assert len(ev) == sum(len(r.events[a]) for a in r.arms)

def paired():
    d = r.paired("misattributed_retaliations")
    c = r.runs["cell"].set_index("rep").misattributed_retaliations
    n = r.runs["no_cell"].set_index("rep").misattributed_retaliations
    assert list(d.columns) == ["cell"] and (d["cell"] == (c - n)).all()
    s = r.paired("crisis")
    assert set(s["cell"]) <= {-1.0, 0.0, 1.0}

def summary():
    # compare stored /summary: its tables come decoded as well.
    m = r.summary["metrics"]
    assert set(m.arm.astype(str)) == {"cell", "no_cell"}
    assert "misattributed_retaliations" in set(m.metric.astype(str))
    d = r.summary["differences"]
    assert set(d.baseline.astype(str)) == {"no_cell"}
    row = d[d.metric.astype(str) == "misattributed_retaliations"].iloc[0]
    want = r.paired("misattributed_retaliations")["cell"].mean()
    assert abs(row["mean"] - want) < 1e-12, (row["mean"], want)

def foreign():
    with h5py.File("foreign.h5", "w") as g:
        g["x"] = [1, 2, 3]
    try:
        load("foreign.h5")
    except ValueError as e:
        assert "not an escsim result file" in str(e)
    else:
        raise AssertionError("a foreign file was accepted")

for name, fn in [("provenance", provenance), ("same_rows", same_rows),
                 ("categoricals", categoricals), ("frame", frame),
                 ("paired", paired), ("summary", summary), ("foreign", foreign)]:
    check(name, fn)
r.close()
sys.exit(1 if failed else 0)
PYEOF
$PY check.py "$ROOT/analysis" a.h5 > py.txt 2>&1
ok $? "load(): provenance, identical rows, categoricals, frame, paired, summary, foreign file refused"
cat py.txt

$PY "$ROOT/analysis/escsim_results.py" a.h5 > cli.txt 2>&1
grep -q "messages *cell [0-9]* rows" cli.txt; ok $? "escsim_results.py FILE prints what the file holds"
