#!/usr/bin/env bash
# The result file as analysts meet it: every dataset in it read back whole by
# h5py, pandas (every table) and h5dump; h5dump's numbers equal h5py's; the
# tables agree with each other and with the runs rows (daily and events sums,
# messages counts); and a run that fails or is killed with SIGKILL never
# leaves a file under the final name (nor touches the one already there).
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 14
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 12 -s 21 --horizon 60d --events -o a.h5 --quiet > /dev/null 2> err.txt
ok $? "compare --events exits 0"

# Every dataset, whole, with h5py and (tables) pandas; one line per dataset.
$PY - a.h5 > datasets.txt 2> py.err <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
paths = []
with h5py.File(f, "r") as h:
    h.visititems(lambda name, o: paths.append(name) if isinstance(o, h5py.Dataset) else None)
    for p in paths:
        d = h[p]
        v = d[()]
        is_table = d.attrs.get("CLASS") == b"TABLE"
        n = len(v) if is_table else 1
        if is_table:
            df = pd.read_hdf(f, "/" + p)
            assert len(df) == n and list(df.columns) == list(d.dtype.names), p
        print("%s\t%d\t%s" % (p, n, "table" if is_table else "text"))
PYEOF
ok $? "h5py reads every dataset and pandas every table"
for t in runs daily events messages; do
	grep -q "^arms/cell/$t	" datasets.txt; ok $? "$t is among them"
done
grep -q "^summary/metrics	" datasets.txt && grep -q "^scenario/source	" datasets.txt
ok $? "so are /summary and /scenario"

# h5dump reads every dataset too.
bad=""
while IFS=$'\t' read -r p n kind; do
	h5dump -d "/$p" a.h5 > dump.txt 2>&1 || bad="$bad /$p"
	if [ "$kind" = table ]; then
		grep -q "DATASPACE  SIMPLE { ( $n ) / ( H5S_UNLIMITED ) }" dump.txt || bad="$bad /$p(rows)"
	fi
done < datasets.txt
is "$bad" "" "h5dump reads every dataset, with the row counts h5py sees"

# h5dump's numbers are h5py's: the runs table, value by value.
h5dump -d /arms/cell/runs -y -A 0 -m %.17g a.h5 > runs_dump.txt 2>&1
$PY - a.h5 runs_dump.txt <<'PYEOF' 2> /dev/null
import sys, re, math, h5py
raw = h5py.File(sys.argv[1], "r")["/arms/cell/runs"][()]
text = open(sys.argv[2]).read()
body = text[text.index("DATA {"):]
nums = [float(x) for x in re.findall(r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", body)]
want = [float(x) for row in raw for x in row]
assert len(nums) == len(want), (len(nums), len(want))
for a, b in zip(nums, want):
    assert (math.isnan(a) and math.isnan(b)) or a == b, (a, b)
PYEOF
ok $? "h5dump prints the runs values h5py reads"

# The tables agree with the runs rows.
$PY - a.h5 <<'PYEOF' > agree.txt 2>&1
import sys, h5py, numpy as np, pandas as pd
f = sys.argv[1]
for a in ("cell", "no_cell"):
    runs = pd.read_hdf(f, "/arms/%s/runs" % a).set_index("rep")
    daily = pd.read_hdf(f, "/arms/%s/daily" % a)
    ev = pd.read_hdf(f, "/arms/%s/events" % a)
    msg = pd.read_hdf(f, "/arms/%s/messages" % a)
    idx = runs.index
    s = daily.groupby("rep")[["incidents", "fatalities_mil", "fatalities_civ"]].sum().reindex(idx, fill_value=0)
    for c in s.columns:
        assert (s[c] == runs[c]).all(), (a, "daily", c)
    assert (daily.groupby("rep").size().reindex(idx, fill_value=0) == 60).all(), (a, "daily rows")
    inc = ev[ev.kind == 0]
    assert (inc.groupby("rep").size().reindex(idx, fill_value=0) == runs.incidents).all(), (a, "events")
    assert (ev.groupby("rep").size().reindex(idx, fill_value=0) == runs.events_total).all(), (a, "events_total")
    # messages: the cell's queries are cell_requests, those answered in
    # time cell_answered_before_deadline; every other channel's are
    # channel_requests (docs/results.md).
    q = msg[(msg.channel == 0) & (msg.kind == 0)]
    assert (q.groupby("rep").size().reindex(idx, fill_value=0) == runs.cell_requests).all(), (a, "cell_requests")
    ans = q[q.outcome == 0]
    assert (ans.groupby("rep").size().reindex(idx, fill_value=0) == runs.cell_answered_before_deadline).all(), (a, "answered")
    ch = msg[msg.channel > 0]
    assert (ch.groupby("rep").size().reindex(idx, fill_value=0) == runs.channel_requests).all(), (a, "channel_requests")
    # notices: one message each; in time, too late or undelivered, for the
    # operations carried out before the horizon (the others are still to come).
    nt = msg[(msg.channel == 0) & (msg.kind == 1)]
    assert (nt.groupby("rep").size().reindex(idx, fill_value=0) == runs.notices_sent).all(), (a, "notices_sent")
    done = nt[nt.t_submit_h + 2.0 <= 60 * 24].groupby("rep").size().reindex(idx, fill_value=0)
    assert (done == runs.notices_in_time + runs.notices_too_late + runs.notices_undelivered).all(), (a, "notices")
    undelivered = nt[nt.outcome.isin([2, 3])].groupby("rep").size().reindex(idx, fill_value=0)
    assert (undelivered == runs.notices_undelivered).all(), (a, "notices_undelivered")
    # Timings are ordered where they exist.
    t = msg.dropna(subset=["t_start_h", "t_answer_h"])
    assert (t.t_submit_h <= t.t_start_h).all() and (t.t_start_h <= t.t_answer_h).all(), (a, "timing order")
    ids = set(zip(ev.rep, ev.id))
    about = msg[msg.event_id >= 0]
    assert all(k in ids for k in zip(about.rep, about.event_id)), (a, "event_id")
    if a == "no_cell":
        assert (q.shape[0] == 0), "no cell queries without the cell"
assert len(pd.read_hdf(f, "/arms/cell/messages")) > 0
print("agree")
PYEOF
grep -q agree agree.txt; ok $? "daily, events and messages agree with runs"
grep -q agree agree.txt || sed 's/^/#   /' agree.txt | tail -5

# A run that fails in its first replication writes nothing at all.
"$ESCSIM" compare "$G" -n 5 --set limits.events=10 -o fail.h5 --quiet > /dev/null 2>&1
st=$?
[ $st -ne 0 ] && [ ! -e fail.h5 ] && [ ! -e fail.h5.partial ]
ok $? "a run that fails at once leaves no file (exit $st)"

# SIGKILL mid-run: nothing under the final name; an earlier file there is
# left exactly as it was.
# (Killed once its .partial exists and the run is under way: interrupt in
# tap.sh.)
interrupt KILL k.h5 '[ -e k.h5.partial ]' "$ESCSIM" compare "$G" -n 1000000 -o k.h5 --quiet
[ ! -e k.h5 ] && [ -e k.h5.partial ]
ok $? "SIGKILL: no k.h5, only k.h5.partial"
cp a.h5 k.h5
sum_before=$(sha256sum < k.h5)
interrupt KILL k.h5 '[ -e k.h5.partial ]' "$ESCSIM" compare "$G" -n 1000000 -o k.h5 --quiet
is "$(sha256sum < k.h5)" "$sum_before" "SIGKILL: the file already under the final name is untouched"
# And the next run over the dead run's .partial completes normally.
"$ESCSIM" compare "$G" -n 3 --horizon 10d -o k.h5 --quiet > /dev/null 2>&1
[ $? -eq 0 ] && [ ! -e k.h5.partial ] && "$ESCSIM" inspect k.h5 > /dev/null 2>&1
ok $? "the next run replaces the dead run's .partial and publishes a good file"
