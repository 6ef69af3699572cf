#!/usr/bin/env bash
# escsim compare end to end: the file's structure as h5dump, h5py and pandas
# see it, provenance, and reproducibility (same seed, same runs table).
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 13
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 40 -s 5 -o a.h5 --events > table.txt 2> err; ok $? "compare exits 0"
contains table.txt "misattributed_retaliations" "compare prints the comparison"
test -e a.h5 -a ! -e a.h5.partial; ok $? "file renamed into place, no partial left"

h5dump -H a.h5 > dump.txt 2>&1; ok $? "h5dump reads the file"
contains dump.txt 'GROUP "cell"' "h5dump sees arm cell"
contains dump.txt 'GROUP "no_cell"' "h5dump sees arm no_cell"

$PY - a.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd, json
f = sys.argv[1]
with h5py.File(f, "r") as h:
    a = h.attrs
    assert int(a["complete"]) == 1 and int(a["seed"]) == 5 and int(a["reps"]) == 40, dict(a)
    assert a["scenario_name"] in ("golan_2026", b"golan_2026")
    assert len(a["scenario_sha256"]) == 64
    src = h["/scenario/source"][()]
    src = src.decode() if isinstance(src, bytes) else src
    assert "scenario(s)" in src
    json.loads(h["/scenario/resolved_json"][()])
for arm in ("cell", "no_cell"):
    df = pd.read_hdf(f, "/arms/%s/runs" % arm)
    assert len(df) == 40 and list(df["rep"]) == list(range(40)), arm
    for col in ["rep", "seed", "incidents", "retaliations", "misattributed_retaliations",
                "fatalities_mil", "fatalities_civ", "max_level", "hours_at_or_above_6",
                "spiral", "first_crisis_h", "cell_requests", "cell_answered_before_deadline",
                "cell_mean_latency_h", "events_total"]:
        assert col in df.columns, col
c = pd.read_hdf(f, "/arms/cell/runs"); n = pd.read_hdf(f, "/arms/no_cell/runs")
assert (n.cell_requests == 0).all() and c.cell_requests.sum() > 0
# Common random numbers: the same background incidents in both arms, with
# the same military deaths (civilian ones differ where a notice spared some).
cols = ["rep", "t_h", "actor", "target", "zone", "type", "fatalities_mil"]
ec, en = (pd.read_hdf(f, "/arms/%s/events" % a) for a in ("cell", "no_cell"))
bc, bn = (e[e.cause == 0][cols].reset_index(drop=True) for e in (ec, en))
assert len(bc) > 1000 and bc.equals(bn), (len(bc), len(bn))
print("fine")
PYEOF
ok $? "h5py and pandas read provenance and both runs tables"
contains py.txt fine "python checks ran"

"$ESCSIM" compare "$G" -n 40 -s 5 -o b.h5 --quiet > /dev/null 2>&1; ok $? "second run, same seed"
for arm in cell no_cell; do
	h5diff a.h5 b.h5 /arms/$arm/runs /arms/$arm/runs > d.txt 2>&1
	ok $? "same seed: identical /arms/$arm/runs"
done
"$ESCSIM" compare "$G" -n 40 -s 6 -o c.h5 --quiet > /dev/null 2>&1
h5diff -q a.h5 c.h5 /arms/no_cell/runs /arms/no_cell/runs > /dev/null 2>&1
is $? 1 "another seed: different runs"

"$ESCSIM" run "$G" -n 10 --horizon 30d -o r.h5 --quiet > /dev/null 2>&1
$PY -c 'import pandas as pd; d=pd.read_hdf("r.h5","/arms/base/runs"); assert len(d)==10' 2>/dev/null
ok $? "run writes /arms/base/runs"
