#!/usr/bin/env bash
# Headline metrics discriminate (spec section 5): in every shipped scenario,
# with and without the cell, no headline metric takes the same value in more
# than 95 % of an arm's replications, unless docs/model.md's table of
# rare-event metrics names it, with its expected value or range; and every
# metric that table names does stay at what it says.  The table is read
# from the docs, so the docs and the model cannot drift apart.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
SCEN=$(ls "$ROOT"/scenarios/*.lua)
plan $(( $(echo "$SCEN" | wc -l) + 2 ))

for s in $SCEN; do
	"$ESCSIM" compare "$s" -n 200 -s 4 -o "$(basename "$s" .lua).h5" --quiet > /dev/null 2>&1 \
		|| echo "compare failed: $s" >> failed.txt
done
[ ! -e failed.txt ]; ok $? "compare runs every shipped scenario"

$PY - "$ROOT/docs/model.md" $SCEN > py.txt 2>&1 <<'PYEOF'
import sys, os, h5py, numpy as np
doc, scen = sys.argv[1], sys.argv[2:]
HEAD = ["incidents", "retaliations", "misattributed_retaliations", "fatalities_mil",
        "fatalities_civ", "fatalities_total", "max_level", "hours_at_or_above_6", "spiral", "crisis"]
text = open(doc).read()
table = text.split("<!-- rare-event metrics")[1].split("\n\n")[0].splitlines()[3:]
listed = {}
for line in table:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    listed[(cells[0], cells[1])] = cells[2]
used = set()
for path in scen:
    name = os.path.basename(path)[:-4]
    bad = []
    with h5py.File(name + ".h5", "r") as h:
        for arm in h["arms"]:
            r = h["/arms/%s/runs" % arm][()]
            for m in HEAD:
                if m == "fatalities_total":
                    x = (r["fatalities_mil"] + r["fatalities_civ"]).astype(float)
                elif m == "crisis":
                    x = (~np.isnan(r["first_crisis_h"])).astype(float)
                else:
                    x = r[m].astype(float)
                vals, cnt = np.unique(x, return_counts=True)
                modal = cnt.max() / len(x)
                want = listed.get((name, m))
                if want is None:
                    if modal > 0.95:
                        bad.append("%s %s: %.3f of replications at %g, and docs/model.md does not list it"
                                   % (arm, m, modal, vals[cnt.argmax()]))
                    continue
                used.add((name, m))
                if "-" in want:
                    lo, hi = (float(v) for v in want.split("-"))
                    if not lo <= x.mean() <= hi:
                        bad.append("%s %s: mean %.3f outside the documented %s" % (arm, m, x.mean(), want))
                elif not (x == float(want)).all():
                    bad.append("%s %s: documented as always %s, but %.3f of replications are"
                               % (arm, m, want, np.mean(x == float(want))))
    print("%s\t%s" % (name, "; ".join(bad) if bad else "ok"))
for k in sorted(set(listed) - used):
    print("unchecked\tdocs/model.md lists %s for %s, which no run checked" % (k[1], k[0]))
PYEOF
for s in $SCEN; do
	n=$(basename "$s" .lua)
	line=$(grep "^$n	" py.txt | cut -f2)
	is "$line" "ok" "$n: headline metrics vary, or are documented rare events at their rate"
done
grep -q "^unchecked	" py.txt; is $? 1 "every metric docs/model.md lists is one a shipped scenario has"
grep -v "	ok$" py.txt | sed 's/^/# /'
