#!/usr/bin/env bash
# The cell's effect in the default scenario, as the model says it must be:
# fewer misattributed retaliations with a fast cell (a paired 95% interval
# below zero), and no effect at all once the cell answers after the deadline.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 3
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 1000 -s 1 -o cmp.h5 --quiet \
	--arm cell:cell.enabled=true --arm slow:cell.latency=100,'channels={}' \
	--arm no_cell:cell.enabled=false --arm bare:cell.enabled=false,'channels={}' \
	> /dev/null 2> err
ok $? "compare with a fast, a too-slow and no cell"

$PY - cmp.h5 <<'PYEOF' > py.txt 2>&1
import sys, math, pandas as pd
f = sys.argv[1]
c, s, n = (pd.read_hdf(f, "/arms/%s/runs" % a) for a in ("cell", "slow", "no_cell"))
d = (c.misattributed_retaliations - n.misattributed_retaliations).astype(float)
mean, sd = d.mean(), d.std(ddof=1)
half = 1.9623 * sd / math.sqrt(len(d))      # t(0.975, 999)
print("paired difference %.3f, 95%% CI [%.3f, %.3f]" % (mean, mean - half, mean + half))
assert mean + half < 0, "the fast cell does not reduce misattributed retaliations"
PYEOF
ok $? "fast cell: paired 95% CI of misattributed retaliations below zero"
sed 's/^/# /' py.txt

# Latency 100 h > every deadline: answers never arrive in time, so on common
# random numbers every replication's retaliations are those without the cell
# (both without fallback channels, which the cell arm uses only when the
# cell cannot take a request).
$PY - cmp.h5 > py2.txt 2>&1 <<'PYEOF'
import sys, pandas as pd
f = sys.argv[1]
s, n = (pd.read_hdf(f, "/arms/%s/runs" % a) for a in ("slow", "bare"))
for col in ("incidents", "retaliations", "misattributed_retaliations", "fatalities_mil",
            "fatalities_civ", "max_level", "hours_at_or_above_6", "spiral"):
    assert (s[col] == n[col]).all(), col
assert s.cell_answered_before_deadline.sum() == 0
assert s.cell_requests.sum() > 0
PYEOF
ok $? "cell slower than the deadline: identical outcomes to no cell, replication by replication"
sed 's/^/# /' py2.txt
