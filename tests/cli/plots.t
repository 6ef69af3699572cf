#!/usr/bin/env bash
# analysis/plots.py: no warning on any file (one replication, where every
# interval is NaN, included); a key varied as log:LO:HI:N is drawn on a log
# axis labelled with its units and ticked at the design's values, a lin key
# on a linear one; metrics with nothing to draw are left out (the
# differences figure has a row for exactly the metrics whose baseline sd is
# finite and > 0).  The figures are caught in memory (plots.save patched).
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 6
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 1 --horizon 5d --events -o one.h5 -q > /dev/null 2>&1
"$ESCSIM" compare "$G" -n 8 --horizon 30d -o c.h5 -q > /dev/null 2>&1
"$ESCSIM" sweep "$G" -n 3 --horizon 10d --vary cell.latency=log:15m:12h:4 \
	--vary cell.accuracy=lin:0.5:1:3 -o s.h5 -q > /dev/null 2>&1
ok $? "the files are written"
for f in one c s; do
	MPLBACKEND=Agg $PY -W error::RuntimeWarning "$ROOT/analysis/plots.py" $f.h5 figs_$f > /dev/null 2> $f.err
	echo "$f:$?" >> status.txt
done
is "$(tr '\n' ' ' < status.txt)" "one:0 c:0 s:0 " "plots.py exits 0 on each, RuntimeWarnings made errors"
is "$(cat one.err c.err s.err | grep -v '^plots: [0-9]* files in' | wc -l)" "0" "nothing on stderr but the closing line (no warning)"

cat > figs.py <<'PYEOF'
import sys, os
sys.path.insert(0, os.path.join(sys.argv[1], "analysis"))
import matplotlib
matplotlib.use("Agg")
import numpy as np
import plots
from escsim_results import load
caught = {}
plots.save = lambda fig, outdir, name, written: caught.__setitem__(name, fig)
what = sys.argv[2]
r = load(what + ".h5")
col = plots.colours(r.arms)
if what == "s":
    plots.plot_sweep(r, ".", [])
    lat, acc = caught["sweep_cell_latency"].axes[0], caught["sweep_cell_accuracy"].axes[0]
    assert lat.get_xscale() == "log" and lat.get_xlabel() == "cell.latency (h)", (lat.get_xscale(), lat.get_xlabel())
    ticks = sorted(float(t) for t in lat.get_xticks())
    assert np.allclose(ticks, [0.25, 0.25 * 48 ** (1 / 3), 0.25 * 48 ** (2 / 3), 12]), ticks
    assert acc.get_xscale() == "linear" and acc.get_xlabel() == "cell.accuracy", (acc.get_xscale(), acc.get_xlabel())
    print("sweep ok")
else:
    plots.plot_differences(r, ".", [], "no_cell", col)
    ax = caught["differences"].axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    m = r.summary["metrics"]
    mb = m[m.arm.astype(str) == "no_cell"]
    want = [x for x, sd in zip(mb.metric.astype(str), mb.sd) if np.isfinite(sd) and sd > 0]
    d = set(r.summary["differences"].metric.astype(str))
    want = [x for x in want if x in d]
    assert rows == want, (rows, want)
    assert "cell_requests" not in rows     # no spread in no_cell: no row
    print("differences ok", len(rows))
PYEOF
$PY figs.py "$ROOT" s > s.txt 2>&1
contains s.txt "sweep ok" "the log key on a log axis with its units, ticks at its values; the lin key linear"
$PY figs.py "$ROOT" c > c.txt 2>&1
contains c.txt "differences ok" "the differences figure has rows for exactly the metrics with a spread"
ls figs_one > one.ls
is "$(grep -c differences one.ls)" "0" "one replication: no differences figure (nothing to scale by)"
exit $((_failed > 0))
