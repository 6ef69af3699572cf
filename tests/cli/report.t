#!/usr/bin/env bash
# escsim report: every number it prints and stores under /summary checked
# against numpy/scipy computed here from the runs tables (means and t
# intervals, paired differences by rep, Wilson intervals, McNemar/exact
# tests, type-7 quantiles with order-statistic intervals, Kaplan-Meier with
# Greenwood log-log bands); text, CSV and JSON agree with the file; pairing
# by rep when the arms hold different replications; /summary replaced on a
# second run; errors and exit codes; --plots writes PNG and SVG.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 36
G="$ROOT/scenarios/golan_2026.lua"

# A Syrian government that answers one lethal strike in ten with a rocket
# makes crises (Israel answering that answer) common enough for a survival
# curve; 90 days leaves some replications censored.
"$ESCSIM" compare "$G" -n 60 -s 7 --horizon 90d --set policies.SYR.p_retaliate=0.1 \
	--events -o a.h5 > compare.txt 2> err.txt
ok $? "compare exits 0"
contains compare.txt "Time to first crisis" "compare prints the report"
$PY -c 'import h5py; h = h5py.File("a.h5", "r"); assert "summary" in h and "metrics" in h["summary"]' 2> /dev/null
ok $? "compare stored /summary"

"$ESCSIM" report a.h5 --json > r.json 2> err.txt; ok $? "report --json exits 0"
"$ESCSIM" report a.h5 --csv > r.csv 2>> err.txt; ok $? "report --csv exits 0"
"$ESCSIM" report a.h5 > r.txt 2>> err.txt; ok $? "report (text) exits 0"
ls a.h5.update-* > /dev/null 2>&1; is $? 2 "no temporary copy left beside the file"

# One line per check: NAME<TAB>0|1<TAB>detail.
cat > check.py <<'PYEOF'
import sys, json, math, traceback
import h5py, numpy as np, pandas as pd
from scipy import stats

f, js, csvf = sys.argv[1], sys.argv[2], sys.argv[3]
Z = stats.norm.ppf(0.975)

def check(name, fn):
    try:
        fn()
        print("%s\t0\t" % name)
    except Exception as e:
        print("%s\t1\t%s: %s" % (name, type(e).__name__, str(e)[:400].replace("\n", " ")))
        traceback.print_exc()
    sys.stdout.flush()

def close(a, b, tol=1e-9):
    if (a is None or (isinstance(a, float) and math.isnan(a))) and \
       (b is None or (isinstance(b, float) and math.isnan(b))):
        return True
    return a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b))

# A t interval's ends: GSL's t quantile (gsl_cdf_tdist_Pinv) and scipy's
# agree to about 1e-9 of each other, so the ends agree to that share of
# the interval's width.
def close_ci(row, lo, hi):
    w = hi - lo if hi - lo > 0 else 0.0
    return close(row.lo, lo, 1e-9 * max(1.0, w)) and close(row.hi, hi, 1e-9 * max(1.0, w))

def labels(ds):
    return {col: {int(k): v for k, v in c.items()} for col, c in json.loads(ds.attrs["labels"]).items()}

def table(h, name):
    ds = h["/summary/" + name]
    df = pd.DataFrame(ds[()])
    for col, m in labels(ds).items():
        if col in df and col != "exact":
            df[col] = df[col].map(m)
    return df

h = h5py.File(f, "r")
arms = sorted(h["arms"])
base = "no_cell"
runs = {}
for a in arms:
    df = pd.DataFrame(h["/arms/%s/runs" % a][()]).set_index("rep").sort_index()
    df["fatalities_total"] = df.fatalities_mil + df.fatalities_civ
    df["crisis"] = df.first_crisis_h.notna().astype(float)
    runs[a] = df
horizon = {a: json.loads(h["/arms/%s" % a].attrs["resolved_json"])["horizon_h"] for a in arms}
metrics = [c for c in runs[arms[0]].columns if c not in ("seed",)]
S = {n: table(h, n) for n in h["summary"]}
J = json.load(open(js))
C = pd.read_csv(csvf)

def tci(x):
    x = np.asarray(x, float); x = x[~np.isnan(x)]; n = len(x)
    if n == 0: return n, float("nan"), float("nan"), float("nan")
    m = x.mean()
    if n < 2: return n, m, float("nan"), float("nan")
    hw = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return n, m, m - hw, m + hw

def metric_means():
    m = S["metrics"]
    assert len(m) == len(arms) * len(metrics), (len(m), len(metrics))
    for a in arms:
        for k in metrics:
            row = m[(m.arm == a) & (m.metric == k)].iloc[0]
            n, mu, lo, hi = tci(runs[a][k])
            assert row.n == n and close(row["mean"], mu) and close_ci(row, lo, hi), (a, k, row.to_dict(), (n, mu, lo, hi))

def differences():
    d = S["differences"]
    for a in arms:
        if a == base: continue
        for k in metrics:
            x = (runs[a][k] - runs[base][k]).dropna()
            row = d[(d.arm == a) & (d.metric == k)].iloc[0]
            n, mu, lo, hi = tci(x)
            assert row.baseline == base and row.n == n, (k, row.to_dict())
            assert close(row["mean"], mu) and close_ci(row, lo, hi), (k, row.to_dict(), (mu, lo, hi))
            if n >= 2 and x.std() > 0:
                p = stats.ttest_1samp(x, 0).pvalue
                assert close(row.p, p, 1e-7), (k, row.p, p)

def binary():
    b = S["binary"]
    for k in ("spiral", "crisis"):
        for a in arms:
            row = b[(b.arm == a) & (b.outcome == k)].iloc[0]
            x = runs[a][k].dropna(); n = len(x); yes = int((x != 0).sum()); p = yes / n
            c = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
            hw = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
            assert row.n == n and row.k == yes and close(row.share, p), row.to_dict()
            assert close(row.lo, max(0, c - hw)) and close(row.hi, min(1, c + hw)), (row.to_dict(), c - hw, c + hw)
            if a == base:
                continue
            j = pd.concat([runs[a][k], runs[base][k]], axis=1, join="inner").dropna()
            bb = int(((j.iloc[:, 0] != 0) & (j.iloc[:, 1] == 0)).sum())
            cc = int(((j.iloc[:, 0] == 0) & (j.iloc[:, 1] != 0)).sum())
            assert row.arm_only == bb and row.baseline_only == cc and row.pairs == len(j), row.to_dict()
            if bb + cc == 0:
                assert row.p == 1
            elif bb + cc < 25:
                assert row.exact == 1 and close(row.p, stats.binomtest(min(bb, cc), bb + cc, 0.5).pvalue, 1e-9), (row.to_dict(), bb, cc)
            else:
                corr = 1 if bb != cc else 0
                chi2 = (abs(bb - cc) - corr) ** 2 / (bb + cc)
                assert row.exact == 0 and close(row.chi2, chi2) and close(row.p, stats.chi2.sf(chi2, 1), 1e-9), row.to_dict()

def tails():
    t = S["tails"]
    assert len(t) == len(arms) * 3 * 2, len(t)
    for a in arms:
        for k in ("fatalities_mil", "fatalities_civ", "fatalities_total"):
            x = np.sort(runs[a][k].to_numpy(float)); n = len(x)
            for q in (0.9, 0.99):
                row = t[(t.arm == a) & (t.metric == k) & (np.isclose(t["quantile"], q))].iloc[0]
                assert close(row.value, np.quantile(x, q)), (a, k, q, row.value, np.quantile(x, q))
                l = int(stats.binom.ppf(0.025, n, q)); u = int(stats.binom.ppf(0.975, n, q)) + 1
                lo = x[l - 1] if l >= 1 else float("nan")
                hi = x[u - 1] if u <= n else float("nan")
                assert close(row.lo, lo) and close(row.hi, hi), (a, k, q, row.to_dict(), lo, hi)

def kaplan_meier():
    s, med = S["survival"], S["survival_median"]
    events_seen = 0
    for a in arms:
        fc = runs[a].first_crisis_h.to_numpy()
        ev = ~np.isnan(fc); t = np.where(ev, fc, horizon[a])
        events_seen += ev.sum()
        rows = s[s.arm == a].reset_index(drop=True)
        assert rows.t_h.iloc[0] == 0 and rows.survival.iloc[0] == 1
        surv, gw, i = 1.0, 0.0, 1
        for u in np.unique(t):
            risk = int((t >= u).sum()); d = int(((t == u) & ev).sum()); c = int(((t == u) & ~ev).sum())
            row = rows.iloc[i]; i += 1
            assert close(row.t_h, u) and row.at_risk == risk and row.events == d and row.censored == c, (a, u, row.to_dict())
            if d:
                surv *= 1 - d / risk
                if d < risk:
                    gw += d / (risk * (risk - d))
            if 0 < surv < 1:
                se = math.sqrt(gw) / abs(math.log(surv))
                lo, hi = surv ** math.exp(Z * se), surv ** math.exp(-Z * se)
            else:
                lo = hi = surv
            assert close(row.survival, surv) and close(row.lo, lo) and close(row.hi, hi), (a, u, row.to_dict(), surv, lo, hi)
        assert i == len(rows), (i, len(rows))
        m = med[med.arm == a].iloc[0]
        below = rows[rows.survival <= 0.5]
        want = below.t_h.iloc[0] if len(below) else float("nan")
        assert close(m.median_h, want) and m.events == ev.sum() and m.horizon_h == horizon[a], (m.to_dict(), want)
    assert events_seen > 0, "no crisis at all: the survival check checked nothing"
    assert (s.censored > 0).any(), "nothing censored"

def json_agrees():
    m = S["metrics"]
    assert J["baseline"] == base and J["complete"] is True
    for e in J["metrics"]:
        row = m[(m.arm == e["arm"]) & (m.metric == e["metric"])].iloc[0]
        assert row.n == e["n"] and close(row["mean"], e["mean"] if e["mean"] is not None else float("nan")), e
    assert len(J["differences"]) == len(S["differences"])
    assert len(J["survival"]) == len(arms) and len(J["survival"][0]["curve"]) == (S["survival"].arm == J["survival"][0]["arm"]).sum()

def csv_agrees():
    m = S["metrics"]
    cm = C[C.table == "metrics"]
    assert len(cm) == len(m)
    for _, r in cm.iterrows():
        row = m[(m.arm == r.arm) & (m.metric == r.metric)].iloc[0]
        assert close(row["mean"], r.estimate) and close(row.lo, r.lo), (r.to_dict(), row.to_dict())
    cd = C[C.table == "differences"]
    assert len(cd) == len(S["differences"]) and set(cd.baseline) == {base}
    assert set(C.table) >= {"metrics", "differences", "binary", "tails", "survival_median"}, set(C.table)

def attrs():
    g = h["summary"]
    assert g.attrs["baseline"] == base and float(g.attrs["confidence_level"]) == 0.95
    assert "report" in g.attrs["command_line"] and g.attrs["created"].endswith("Z")
    u = json.loads(h["/summary/metrics"].attrs["metric_units"])
    assert u["fatalities_total"] == "count" and u["first_crisis_h"] == "h", u
    for n in ("metrics", "differences", "binary", "tails", "survival", "survival_median"):
        assert h["/summary/" + n].attrs["CLASS"] == b"TABLE", n
        pd.read_hdf(f, "/summary/" + n)   # pandas reads every summary table

for name, fn in [("metric_means", metric_means), ("differences", differences),
                 ("binary", binary), ("tails", tails), ("kaplan_meier", kaplan_meier),
                 ("json_agrees", json_agrees), ("csv_agrees", csv_agrees), ("attrs", attrs)]:
    check(name, fn)
PYEOF

$PY check.py a.h5 r.json r.csv > res.txt 2> py.err
for name in metric_means differences binary tails kaplan_meier json_agrees csv_agrees attrs; do
	line=$(grep "^$name	" res.txt)
	st=$(printf '%s' "$line" | cut -f2)
	[ "$st" = 0 ]; ok $? "numbers match numpy/scipy: $name"
	[ "$st" = 0 ] || { printf '%s\n' "$line" | cut -f3 | sed 's/^/#   /'; tail -5 py.err | sed 's/^/#   /'; }
done

# The arms hold different replications (shards, an interrupted run): the
# differences pair by rep.  Drop and shuffle rows of no_cell's runs.
cp a.h5 b.h5
$PY - b.h5 <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as h:
    ds = h["/arms/no_cell/runs"]
    rows = ds[()]
    keep = rows[~np.isin(rows["rep"], [3, 5, 7, 40])][::-1]
    ds.resize((len(keep),))
    ds[...] = keep
PYEOF
"$ESCSIM" report b.h5 --json > b.json 2> /dev/null; ok $? "report of unequal arms exits 0"
"$ESCSIM" report b.h5 --csv > b.csv 2> /dev/null
$PY check.py b.h5 b.json b.csv > resb.txt 2> pyb.err
grep -q "^differences	0" resb.txt && grep -q "^binary	0" resb.txt && grep -q "^metric_means	0" resb.txt
ok $? "differences pair by rep (56 pairs of 60 and 56 rows, shuffled)"
grep -v "	0	" resb.txt | sed 's/^/#   /'

# A second report replaces /summary (no duplicate rows, same numbers).
n1=$($PY -c 'import h5py; print(len(h5py.File("a.h5")["/summary/metrics"]))')
"$ESCSIM" report a.h5 > /dev/null 2>&1
n2=$($PY -c 'import h5py; print(len(h5py.File("a.h5")["/summary/metrics"]))')
is "$n2" "$n1" "a second report replaces /summary"

# --baseline: the differences flip sign.
"$ESCSIM" report a.h5 --baseline cell --json --no-store > c.json 2> /dev/null; ok $? "--baseline cell"
$PY - r.json c.json <<'PYEOF' 2> /dev/null
import sys, json
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["baseline"] == "cell"
da = {d["metric"]: d["mean"] for d in a["differences"]}
db = {d["metric"]: d["mean"] for d in b["differences"]}
assert all((da[k] is None and db[k] is None) or abs(da[k] + db[k]) < 1e-9 for k in da), (da, db)
PYEOF
ok $? "--baseline cell: every difference changes sign"

# Errors.
"$ESCSIM" report missing.h5 > /dev/null 2> e1.txt; is $? 2 "missing file: exit 2"
"$ESCSIM" report a.h5 --baseline nope > /dev/null 2> e2.txt; is $? 2 "unknown baseline: exit 2"
contains e2.txt "no arm 'nope'" "unknown baseline: says so"
mkdir ro && cp a.h5 ro/ && chmod 555 ro
if [ "$(id -u)" = 0 ]; then
	echo "ok $((_n + 1)) # skip as root, a read-only folder is writable"; _n=$((_n + 1))
else
	"$ESCSIM" report ro/a.h5 > ro.txt 2> e3.txt
	[ $? -eq 1 ] && grep -q "Means" ro.txt; ok $? "read-only folder: prints the report, exit 1"
fi
chmod 755 ro
"$ESCSIM" report ro/a.h5 --no-store > /dev/null 2>&1; ok $? "--no-store exits 0"

# Plots: every figure as PNG and SVG (messages present: cell_timing).
if $PY -c 'import matplotlib' 2> /dev/null; then
	"$ESCSIM" report a.h5 --plots figs > /dev/null 2> plots.err
	ok $? "--plots exits 0"
	missing=""
	for p in distributions differences ladder cell_timing survival; do
		for e in png svg; do [ -s figs/$p.$e ] || missing="$missing $p.$e"; done
	done
	is "$missing" "" "--plots writes each figure as PNG and SVG"
	sed 's/^/# /' plots.err
else
	echo "ok $((_n + 1)) # skip no matplotlib"; echo "ok $((_n + 2)) # skip no matplotlib"; _n=$((_n + 2))
fi

# Sweeps: each arm is compared with the baseline at the same point, and
# each metric along each varied key (per replication, the mean over the
# points with that value; then a t interval).
"$ESCSIM" sweep "$G" --vary cell.accuracy=0.5,0.9 --vary cell.latency=1,4 \
	-n 15 -s 3 --horizon 30d -o sw.h5 --quiet > /dev/null 2>&1
ok $? "sweep writes a file"
"$ESCSIM" report sw.h5 > sw.txt 2> sw.err; ok $? "report of a sweep exits 0"
contains sw.txt "along cell.accuracy = 0.9 (2 points)" "the text report goes along each key"
$PY - sw.h5 <<'PYEOF' > swres.txt 2>&1
import sys, json, math, h5py, numpy as np, pandas as pd
from scipy import stats
h = h5py.File(sys.argv[1], "r")
def lab(ds):
    return {c: {int(k): v for k, v in m.items()} for c, m in json.loads(ds.attrs["labels"]).items()}
def table(name):
    ds = h["/summary/" + name]; df = pd.DataFrame(ds[()])
    for c, m in lab(ds).items():
        df[c] = df[c].map(m)
    return df
pts = pd.DataFrame(h["/sweep/points"][()]).set_index("point")
runs = {}
for name, g in h["arms"].items():
    df = pd.DataFrame(g["runs"][()]).set_index("rep").sort_index()
    runs[(g.attrs["sweep_arm"], int(g.attrs["sweep_point"]))] = df
sw, mg = table("sweep"), table("sweep_marginal")
k = "misattributed_retaliations"
def tci(x):
    n = len(x); m = x.mean(); hw = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return n, m, m - hw, m + hw
for p in pts.index:
    d = (runs[("cell", p)][k] - runs[("no_cell", p)][k]).dropna()
    row = sw[(sw.point == p) & (sw.metric == k)].iloc[0]
    n, m, lo, hi = tci(d)
    assert row.arm == "cell" and row.baseline == "no_cell" and row.n == n, row.to_dict()
    assert abs(row["mean"] - m) < 1e-12 and abs(row.lo - lo) < 1e-9 and abs(row.hi - hi) < 1e-9, (row.to_dict(), m, lo, hi)
    for key in pts.columns:
        assert row[key] == pts.loc[p, key], (key, row[key])
for key in pts.columns:
    for v in sorted(set(pts[key])):
        ps = pts.index[pts[key] == v]
        per_rep = pd.concat([runs[("cell", p)][k] - runs[("no_cell", p)][k] for p in ps], axis=1).dropna().mean(axis=1)
        n, m, lo, hi = tci(per_rep)
        row = mg[(mg.key == key) & (mg.value == v) & (mg.metric == k)].iloc[0]
        assert row.points == len(ps) and row.n == n, row.to_dict()
        assert abs(row["mean"] - m) < 1e-12 and abs(row.lo - lo) < 1e-9, (row.to_dict(), m, lo)
print("sweep numbers agree")
PYEOF
contains swres.txt "sweep numbers agree" "sweep: per-point and per-key differences match numpy/scipy"

# One arm (run: nothing to compare with), and an arm with no replications
# (an interrupt before the first finished): the report still stands.
"$ESCSIM" run "$G" -n 4 --horizon 10d -o one.h5 > run.txt 2>&1
contains run.txt "Means with 95% t intervals" "run prints the report"
$PY -c 'import h5py, sys; sys.exit("summary" in h5py.File("one.h5", "r"))'
ok $? "run stores no /summary"
cp one.h5 empty.h5
$PY -c '
import h5py
with h5py.File("empty.h5", "r+") as h:
    for t in ("runs", "daily"):
        h["/arms/base/" + t].resize((0,))'
"$ESCSIM" report empty.h5 --json > empty.json 2> empty.err
ok $? "a file with no replications: report exits 0"

# JSON goes through cJSON: strings are escaped (a scenario name with quotes,
# a backslash and a tab reads back as it was), and horizon_h is the
# resolved scenario's top-level member, parsed, not the first text that
# looks like it (nested, in a string, spread over lines); without a
# readable resolved scenario the horizon is unknown: null, and no curve.
cp one.h5 odd.h5
$PY -c '
import h5py
with h5py.File("odd.h5", "r+") as h:
    h.attrs["scenario_name"] = "a \"quoted\" \\ name\twith a tab"
    h["/arms/base"].attrs["resolved_json"] = "{\"cell\": {\"horizon_h\": 1}, \"note\": \"\\\"horizon_h\\\": 2\", \"horizon_h\"\n :\n 240}"'
"$ESCSIM" report odd.h5 --json --no-store > odd.json 2> odd.err
$PY - odd.json > odd.txt 2>&1 <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["scenario_name"] == 'a "quoted" \\ name\twith a tab', j["scenario_name"]
assert j["arms"][0]["horizon_h"] == 240, j["arms"]
assert j["survival"][0]["horizon_h"] == 240 and j["survival"][0]["curve"][-1]["t_h"] == 240, j["survival"]
print("fine")
PYEOF
contains odd.txt fine "--json: strings escaped, horizon_h the top-level member of resolved_json"
$PY -c '
import h5py
with h5py.File("odd.h5", "r+") as h:
    h["/arms/base"].attrs["resolved_json"] = "{\"horizon_h\": 240"'
"$ESCSIM" report odd.h5 --no-store > oddt.txt 2>> odd.err
"$ESCSIM" report odd.h5 --json --no-store > odd2.json 2>> odd.err
$PY -c 'import json; j = json.load(open("odd2.json")); assert j["arms"][0]["horizon_h"] is None and j["survival"] == []; print("fine")' > odd2.txt 2>&1
grep -q "^base *(horizon unknown: no curve)" oddt.txt && grep -q fine odd2.txt
ok $? "resolved_json that is not JSON: horizon unknown, no curve (text and JSON)"; sed 's/^/# /' odd.err odd.txt odd2.txt | head -5
