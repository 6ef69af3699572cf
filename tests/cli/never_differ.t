#!/usr/bin/env bash
# Arms that never differ (issue 15): the README's baseline_2025 with and
# without the cell gives identical arms, because its Israeli policy never
# queries.  compare and report warn and name the cause (also with -q, also
# for --csv); check warns before anything runs; arms that do differ draw no
# warning.  And numbers in --csv and --json are in their shortest form.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 13
B="$ROOT/scenarios/baseline_2025.lua"
U="$ROOT/scenarios/unattributed_rockets.lua"
W="warning: arms 'cell' and 'no_cell' differ in no replication on any metric: no policy ever queried the cell"

"$ESCSIM" compare "$B" -n 12 --horizon 60d --arm cell:cell.enabled=true --arm no_cell:cell.enabled=false \
	-o b.h5 -q > out.txt 2> err.txt
ok $? "compare baseline_2025 with and without the cell: exit 0"
contains err.txt "$W" "compare warns, with -q, and names the cause"
is "$(grep -c . out.txt)" 0 "and -q prints nothing else"
"$ESCSIM" report b.h5 --csv > r.csv 2> err.txt
contains err.txt "$W" "report --csv warns too (on standard error)"
$PY - r.csv > py.txt 2>&1 <<'PYEOF'
import csv, re, sys
# every number reads back exactly, in at most 15 significant digits unless
# fewer cannot do (then 16 or 17)
bad = []
for row in csv.DictReader(open(sys.argv[1])):
    for k in ("estimate", "lo", "hi", "p_value"):
        v = row[k]
        if not v:
            continue
        digits = len(re.sub(r"[^0-9]", "", v.split("e")[0]).lstrip("0")) or 1
        shortest = repr(float(v))
        sd = len(re.sub(r"[^0-9]", "", shortest.split("e")[0]).lstrip("0")) or 1
        if digits > max(15, sd):
            bad.append(v)
assert not bad, bad[:5]
print("ok")
PYEOF
ok $? "report --csv: numbers in their shortest form"; sed 's/^/# /' py.txt

"$ESCSIM" check "$B" --set cell.enabled=true > /dev/null 2> err.txt
ok $? "check of baseline_2025 with the cell: exit 0"
contains err.txt "warning: cell: enabled, but no policy can reach it (ISR: policies.query_before_retaliate with query_first = false; SYR: policies.protest_mostly never queries)" \
	"check warns: no policy can reach the cell, and says why"
"$ESCSIM" check "$B" > /dev/null 2> err.txt
is "$(cat err.txt)" "" "no warning when the cell is off"

# arms that set a parameter no hook reads: the other cause
"$ESCSIM" compare "$U" -n 6 --horizon 20d --arm a:policies.SYR.deadline=1 --arm no_cell:policies.SYR.deadline=2 \
	-o u.h5 -q > /dev/null 2> err.txt
contains err.txt "warning: arms 'a' and 'no_cell' differ in no replication on any metric: the policy parameters they set were never read" \
	"policy parameters that change nothing: named"

# arms that differ: no warning
"$ESCSIM" compare "$U" -n 12 --horizon 60d -o d.h5 -q > /dev/null 2> err.txt
ok $? "compare unattributed_rockets with and without the cell"
is "$(grep -c 'differ in no replication' err.txt)" 0 "arms that differ: no warning"
"$ESCSIM" report d.h5 --json > r.json 2> err.txt
$PY - r.json > py.txt 2>&1 <<'PYEOF'
import json, re, sys
text = open(sys.argv[1]).read()
json.loads(text)
long = [m for m in re.findall(r"-?\d\.\d{15,}(?:e[-+]\d+)?|-?0\.\d{16,}", text)
        if len(repr(float(m))) < len(m)]
assert not long, long[:5]
print("ok")
PYEOF
ok $? "report --json: no number longer than it needs"; sed 's/^/# /' py.txt
"$ESCSIM" check "$U" > c.json 2> /dev/null
grep -q '"accuracy": 0.9,' c.json && ! grep -qE '[0-9]\.[0-9]*999999999|0000000000[1-9]' c.json
ok $? "check prints 0.9, not 0.90000000000000002"

exit $((_failed > 0))
