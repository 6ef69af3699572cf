#!/usr/bin/env bash
# sim.log in a policy: one row per call in /arms/<ARM>/log, with the key, the
# value, the party and the time, readable with pandas; as many rows as the
# policy observed incidents.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 2
"$ESCSIM" run "$ROOT/tests/cli/scenarios/userlog.lua" -n 5 -o log.h5 --quiet > /dev/null 2> err
ok $? "run a scenario whose policy logs"
$PY - log.h5 > py.txt 2>&1 <<'PYEOF'
import sys, pandas as pd
f = sys.argv[1]
log = pd.read_hdf(f, "/arms/base/log")
runs = pd.read_hdf(f, "/arms/base/runs")
keys = set(k.decode() if isinstance(k, bytes) else k for k in log.key)
assert keys == {"rocket_level"}, keys
assert (log.value == 6).all() and (log.party == 0).all()
# One row per observed rocket; rockets observed after the horizon are not.
per_rep = log.groupby("rep").size().reindex(runs.rep, fill_value=0)
assert (per_rep.values <= runs.incidents.values).all()
assert (per_rep.values >= runs.incidents.values - 1).all()
assert log.t_h.between(0, 30 * 24).all()
PYEOF
ok $? "the log rows are in the file, one per observation"
sed 's/^/# /' py.txt
