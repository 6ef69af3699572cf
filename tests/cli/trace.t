#!/usr/bin/env bash
# escsim trace: one replication's chain, checked against the file's own
# rows (h5py) and the runs row: every event and message moment appears once,
# in time order; MISATTRIBUTED marks exactly the incidents whose target
# blames the wrong party; "decision: X retaliates" lines equal the runs row's
# retaliations, WRONG TARGET lines its misattributed_retaliations, each
# act's day column the daily table's max_level that day, and the highest of
# them the runs row's max_level; --root keeps one cluster; --plot draws PNG and
# SVG; errors exit 2 with a message.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 16
U="$ROOT/scenarios/unattributed_rockets.lua"

"$ESCSIM" compare "$U" -n 6 -s 3 --events -o u.h5 -q > /dev/null 2>&1
ok $? "compare --events writes u.h5"
fails=0
for k in 0 1 2 3 4 5; do
	"$ESCSIM" trace u.h5 --rep $k --arm no_cell > t$k.txt 2> t$k.err || fails=$((fails + 1))
done
is "$fails:$(cat t*.err)" "0:" "trace exits 0 for every replication, nothing on stderr"

cat > check.py <<'PYEOF'
import re, sys, h5py, numpy as np, json
h = h5py.File("u.h5", "r")
arm = "no_cell"
ev_all, ms_all, runs = (h["/arms/%s/%s" % (arm, t)][()] for t in ("events", "messages", "runs"))
lab = json.loads(h["/arms/%s/events" % arm].attrs["labels"])
bad = 0
def fail(*a):
    global bad
    bad += 1
    print("# FAILED", *a)
for k in range(6):
    text = open("t%d.txt" % k).read().splitlines()
    ev = ev_all[ev_all["rep"] == k]
    ms = ms_all[ms_all["rep"] == k]
    run = runs[runs["rep"] == k][0]
    lines = [l for l in text if re.match(r"^\s+\d+\.\d{3}\s", l)]
    times = [float(l.split()[0]) for l in lines]
    if times != sorted(times):
        fail(k, "not in time order")
    ids = [int(m.group(1)) for l in lines for m in [re.search(r"L\d+\s+L\d+\s+#(\d+) ", l)] if m]
    if sorted(ids) != sorted(ev["id"].tolist()):
        fail(k, "events: %d traced, %d in the file" % (len(ids), len(ev)))
    sent = sum(1 for l in lines if re.search(r"msg \d+ \w+ via ", l))
    answered = sum(1 for l in lines if re.search(r"msg \d+ (answered|late) after", l))
    if sent != len(ms) or answered != int(np.isfinite(ms["t_answer_h"]).sum()):
        fail(k, "messages", sent, len(ms), answered)
    incident = ev["kind"] == 0
    wrong = incident & (ev["perceived_perpetrator"] != ev["true_perpetrator"])
    if sum("MISATTRIBUTED" in l for l in lines) != int(wrong.sum()):
        fail(k, "MISATTRIBUTED", int(wrong.sum()))
    if sum(bool(re.search(r"decision: \w+ retaliates for", l)) for l in lines) != run["retaliations"]:
        fail(k, "retaliations", run["retaliations"])
    if sum("WRONG TARGET" in l for l in lines) != run["misattributed_retaliations"]:
        fail(k, "misattributed", run["misattributed_retaliations"])
    daily = h["/arms/%s/daily" % arm][()]
    daily = {int(d["day"]): int(d["max_level"]) for d in daily[daily["rep"] == k]}
    acts = [(float(l.split()[0]), int(re.search(r"L\d+\s+L(\d+)", l).group(1)))
            for l in lines if re.search(r"L\d+\s+L\d+", l)]
    if any(daily.get(int(t // 24)) != lv for t, lv in acts):
        fail(k, "day column is not the daily max_level")
    if max(lv for _, lv in acts) != run["max_level"]:
        fail(k, "max level", max(lv for _, lv in acts), run["max_level"])
    head = "\n".join(text[:8])
    if "retaliations %d" % run["retaliations"] not in head:
        fail(k, "runs row not printed")
sys.exit(1 if bad else 0)
PYEOF
$PY check.py > check.txt 2>&1
ok $? "each trace matches the file: events, messages, order, blame, retaliations, wrong targets, max level"
sed 's/^/# /' check.txt | head -20

# The misattributed rockets were sent to the cell as queries.
"$ESCSIM" trace u.h5 --rep 0 --arm cell > c0.txt 2>&1
grep -h "query via cell" c0.txt | head -1 > q.txt
contains q.txt "query via cell ISR -> SYR about #" "a query about an incident is shown with its channel and the incident"

# --root: the cluster only.
root=$(grep -m1 -o 'decision: ISR retaliates for #[0-9]*' t0.txt | grep -o '[0-9]*$')
"$ESCSIM" trace u.h5 --rep 0 --arm no_cell --root "${root:-0}" > root.txt 2>&1
ok $? "--root exits 0"
contains root.txt "(below: the cluster of #${root:-0} only)" "--root says so"
$PY - "${root:-0}" > rootcheck.txt 2>&1 <<'PYEOF'
import re, sys, h5py
root = int(sys.argv[1])
ev = h5py.File("u.h5", "r")["/arms/no_cell/events"][()]
ev = ev[(ev["rep"] == 0) & (ev["root_id"] == root)]
ids = [int(m.group(1)) for l in open("root.txt") for m in [re.search(r"L\d+\s+L\d+\s+#(\d+) ", l)] if m]
assert sorted(ids) == sorted(ev["id"].tolist()) and len(ids) >= 2, (ids, ev["id"])
PYEOF
ok $? "--root: exactly the events of the cluster (the incident and the retaliation at least)"

"$ESCSIM" trace u.h5 --rep 2 --arm cell --plot tl.png > /dev/null 2> plot.err
ok $? "--plot tl.png exits 0"
is "$(head -c 8 tl.png | od -An -c | tr -d ' ')" "211PNG\r\n032\n" "... and writes a PNG"
"$ESCSIM" trace u.h5 --rep 2 --arm cell --root "${root:-0}" --plot tl.svg > /dev/null 2> plot.err
contains tl.svg "<svg" "--plot tl.svg writes an SVG"

# Errors: exit 2 and a message.
"$ESCSIM" trace u.h5 --rep 99 > /dev/null 2> e.txt
is "$?:$(cat e.txt)" "2:escsim: 'u.h5': arm 'cell' has no replication 99 (escsim inspect lists them)" "a replication the file lacks"
"$ESCSIM" trace u.h5 --rep 0 --arm nope > /dev/null 2> e.txt
is "$?:$(cat e.txt)" "2:escsim: --arm: no arm 'nope' in 'u.h5' (escsim inspect lists the arms)" "an unknown arm"
"$ESCSIM" trace u.h5 > /dev/null 2> e.txt
is "$?:$(head -1 e.txt)" "2:escsim: --rep K is required (the replication to follow)" "no --rep"
"$ESCSIM" trace u.h5 --rep 0 --plot x.pdf > /dev/null 2> e.txt
is "$?:$(head -1 e.txt)" "2:escsim: --plot: expected a file name ending .png or .svg, got 'x.pdf'" "a --plot it cannot draw"
"$ESCSIM" run "$U" -n 2 -o noev.h5 -q > /dev/null 2>&1
"$ESCSIM" trace noev.h5 --rep 0 > /dev/null 2> e.txt
is "$?:$(cat e.txt)" "2:escsim: 'noev.h5': arm 'base' has no events table: trace needs a file written with --events (run, compare or sweep)" "a file without --events"
"$ESCSIM" sweep "$U" -n 2 --events --vary cell.latency=1h,2h -o sw.h5 -q > /dev/null 2>&1
"$ESCSIM" trace sw.h5 --rep 0 --arm cell > /dev/null 2> e.txt
is "$?:$(cat e.txt)" "2:escsim: --arm: arm 'cell' is at 2 design points: give one group, e.g. --arm cell.p0" "a sweep arm at several points"
exit $((_failed > 0))
