#!/usr/bin/env bash
# The daily and events tables end to end: row counts and sums that must agree
# with runs exactly, event ids and parents, the scenario's labels in the file,
# reproducibility, no events table without --events, and no rows at all from
# a replication that failed midway.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 24
G="$ROOT/scenarios/golan_2026.lua"
REPS=20

"$ESCSIM" compare "$G" -n $REPS --events -o x.h5 --quiet > /dev/null 2> err
ok $? "compare --events exits 0"

# One line per check: NAME<TAB>0|1<TAB>detail.  A check the script never
# reached counts as failed.
$PY - x.h5 $REPS > res.txt 2> py.err <<'PYEOF'
import sys, json, traceback
import h5py, numpy as np, pandas as pd

f, reps = sys.argv[1], int(sys.argv[2])
DAYS = 365

def check(name, fn):
    try:
        fn()
        print("%s\t0\t" % name)
    except Exception as e:
        msg = (str(e) or repr(e)).replace("\n", " ")[:300]
        print("%s\t1\t%s: %s" % (name, type(e).__name__, msg))
        traceback.print_exc()
    sys.stdout.flush()

with h5py.File(f, "r") as h:
    arms = sorted(h["arms"])
assert arms == ["cell", "no_cell"], arms
runs = {a: pd.read_hdf(f, "/arms/%s/runs" % a).set_index("rep") for a in arms}
daily = {a: pd.read_hdf(f, "/arms/%s/daily" % a) for a in arms}
events = {a: pd.read_hdf(f, "/arms/%s/events" % a) for a in arms}

def per_rep(df, a):
    """Rows per replication, 0 for a replication without any."""
    return df.groupby("rep").size().reindex(runs[a].index, fill_value=0)

def daily_rows():
    for a in arms:
        d = daily[a]
        assert len(d) == DAYS * reps, (a, len(d))
        assert list(runs[a].index) == list(range(reps))
        for r, g in d.groupby("rep", sort=True):
            assert list(g["day"]) == list(range(DAYS)), (a, r)
        assert sorted(set(d["rep"])) == list(range(reps)), a

def daily_sums():
    for a in arms:
        s = daily[a].groupby("rep")[["incidents", "fatalities_mil", "fatalities_civ"]].sum()
        for c in s.columns:
            got, want = s[c].reindex(runs[a].index, fill_value=0), runs[a][c]
            assert (got == want).all(), (a, c, list(got), list(want))

def event_incidents():
    for a in arms:
        inc = events[a][events[a].kind == 0]
        got = per_rep(inc, a)
        assert (got == runs[a].incidents).all(), (a, list(got), list(runs[a].incidents))
        s = inc.groupby("rep")[["fatalities_mil", "fatalities_civ"]].sum()
        for c in s.columns:
            got = s[c].reindex(runs[a].index, fill_value=0)
            assert (got == runs[a][c]).all(), (a, c, list(got), list(runs[a][c]))

def event_protests():
    for a in arms:
        got = per_rep(events[a][events[a].kind == 1], a)
        want = runs[a].events_total - runs[a].incidents
        assert (got == want).all(), (a, list(got), list(want))
        assert (events[a][events[a].kind == 1]["type"] == -1).all(), a

def parents():
    for a in arms:
        e = events[a]
        assert not e.duplicated(["rep", "id"]).any(), a
        ids = set(zip(e.rep, e.id))
        bad = [(r, p) for r, p in zip(e.rep, e.parent_id)
               if p != -1 and (r, p) not in ids]
        assert not bad, (a, bad[:5])
        assert (e.parent_id != -1).any(), "no event has a parent"
        # In the order they happened; every cluster starts at a background
        # incident.
        assert all(g.t_h.is_monotonic_increasing for _, g in e.groupby("rep")), a
        cause = e.set_index(["rep", "id"])["cause"]
        root_cause = cause.reindex(list(zip(e.rep, e.root_id))).to_numpy()
        assert (root_cause == 0).all(), a

def retaliations():
    for a in arms:
        e = events[a]
        got = per_rep(e[(e.kind == 0) & (e.cause == 2)], a)
        assert (got == runs[a].retaliations).all(), (a, list(got), list(runs[a].retaliations))
    assert runs["no_cell"].retaliations.sum() > 0, "no retaliation to check"

def misattributed():
    for a in arms:
        e = events[a]
        ret = e[(e.kind == 0) & (e.cause == 2)]
        true_of = e.set_index(["rep", "id"])["true_perpetrator"]
        parent_true = true_of.reindex(list(zip(ret.rep, ret.parent_id))).to_numpy()
        got = per_rep(ret[ret.target.to_numpy() != parent_true], a)
        want = runs[a].misattributed_retaliations
        assert (got == want).all(), (a, list(got), list(want))
    assert runs["no_cell"].misattributed_retaliations.sum() > 0, "nothing misattributed to check"

def labels():
    with h5py.File(f, "r") as h:
        for a in arms:
            cfg = json.loads(h["/arms/%s" % a].attrs["resolved_json"])
            parties = [p["name"] for p in cfg["parties"]]
            assert parties == ["ISR", "SYR", "NSA", "US"], parties
            want = {
                "actor": parties, "target": parties, "true_perpetrator": parties,
                "perceived_perpetrator": parties, "zone": cfg["zones"],
                "type": sorted(cfg["types"]),
            }
            ds = h["/arms/%s/events" % a]
            lab = json.loads(ds.attrs["labels"])
            names = [ds.attrs["FIELD_%d_NAME" % i].decode() for i in range(len(ds.dtype))]
            for col, lst in want.items():
                m = {"-1": "none"}
                m.update({str(i): n for i, n in enumerate(lst)})
                assert lab[col] == m, (col, lab[col], m)
                spec = ds.attrs["FIELD_%d_LABELS" % names.index(col)].decode()
                assert spec == ",".join("%s=%s" % kv for kv in m.items()), (col, spec)
            assert lab["cause"] == {"0": "background", "1": "triggered", "2": "policy"}
            assert lab["kind"] == {"0": "incident", "1": "protest"}
            assert h5py.check_enum_dtype(ds.dtype["cause"]) == {"background": 0, "triggered": 1, "policy": 2}
            assert h5py.check_enum_dtype(ds.dtype["kind"]) == {"incident": 0, "protest": 1}
            # Decoding a column by its labels gives the scenario's names.
            e = events[a]
            actors = set(e.actor.astype(str).map(lab["actor"]))
            assert actors <= set(parties) and "ISR" in actors, actors
            dl = json.loads(h["/arms/%s/daily" % a].attrs["labels"])
            regime = {"-1": "none"}
            regime.update({str(i): n for i, n in enumerate((cfg.get("regime") or {}).get("states", []))})
            assert dl["regime"] == regime, (dl, regime)
            assert set(daily[a].regime.astype(str)) <= set(dl["regime"]), dl

def units():
    with h5py.File(f, "r") as h:
        for a in arms:
            u = json.loads(h["/arms/%s/events" % a].attrs["units"])
            assert u["t_h"] == "h" and u["fatalities_mil"] == "count" and u["level"] == "level", u
            u = json.loads(h["/arms/%s/daily" % a].attrs["units"])
            assert u["day"] == "d" and u["incidents"] == "count" and "goldstein_sum" in u, u
            for t in ("daily", "events"):
                ds = h["/arms/%s/%s" % (a, t)]
                assert ds.attrs["CLASS"] == b"TABLE" and ds.chunks and ds.compression == "gzip" and ds.shuffle, t

for name, fn in [("daily_rows", daily_rows), ("daily_sums", daily_sums),
                 ("event_incidents", event_incidents), ("event_protests", event_protests),
                 ("parents", parents), ("retaliations", retaliations),
                 ("misattributed", misattributed), ("labels", labels), ("units", units)]:
    check(name, fn)
PYEOF

result() {
	local line
	line=$(grep -P "^$1\t" res.txt)
	if [ -z "$line" ]; then ok 1 "$2"; echo "#   check '$1' did not run:"; sed 's/^/#     /' py.err | tail -5; return; fi
	local st=$(printf '%s' "$line" | cut -f2)
	ok "$st" "$2"
	[ "$st" = 0 ] || printf '%s\n' "$line" | cut -f3 | sed 's/^/#   /'
}
result daily_rows "daily: 365 rows per replication and arm, days 0..364 in order"
result daily_sums "daily incidents and fatalities sum to runs' per replication, exactly"
result event_incidents "events: one incident row per runs.incidents; their fatalities sum to runs'"
result event_protests "events: one protest row per events_total - incidents (type -1)"
result parents "events: ids unique, in time order; parent_id -1 or an id of the same replication; roots background"
result retaliations "events: policy-caused incidents per replication equal runs.retaliations"
result misattributed "events: retaliations not against the parent's true perpetrator equal runs.misattributed_retaliations"
result labels "labels decode to the scenario's parties, zones, types; cause and kind enums"
result units "units attributes; chunked, shuffle + gzip tables"

# Reproducibility (spec section 5): same seed, same daily and events.
"$ESCSIM" compare "$G" -n $REPS --events -o y.h5 --quiet > /dev/null 2>&1
same=0
for arm in cell no_cell; do
	for t in daily events; do
		h5diff x.h5 y.h5 /arms/$arm/$t /arms/$arm/$t > d.txt 2>&1 || same=1
	done
done
ok $same "same seed: identical daily and events tables in both arms"

# Without --events: daily, but no events dataset.
"$ESCSIM" compare "$G" -n 3 -o n.h5 --quiet > /dev/null 2>&1
ok $? "compare without --events exits 0"
$PY - n.h5 <<'PYEOF' > /dev/null 2>&1
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    for a in ("cell", "no_cell"):
        assert "events" not in h["/arms/" + a], a
        assert len(h["/arms/%s/daily" % a]) == 3 * 365, a
PYEOF
ok $? "without --events: daily written, no /arms/<ARM>/events"
"$ESCSIM" run "$G" -n 2 --horizon 10d --events -o r.h5 --quiet > /dev/null 2>&1
$PY -c 'import pandas as pd; d=pd.read_hdf("r.h5","/arms/base/daily"); e=pd.read_hdf("r.h5","/arms/base/events"); assert len(d)==20 and len(e)>0' 2>/dev/null
ok $? "run --events writes /arms/base/daily and /arms/base/events"

# A replication that fails midway leaves no rows: replication 7 fails on
# day 10, after some of its events and before its daily rows.
cat > fails.lua <<'EOF'
return scenario {
  name = "fails_midway",
  horizon = days(30),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(3) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        if sim.rep() == 7 and sim.now() > days(10) then error("boom") end
        return { action = "protest" }
      end,
    },
  },
}
EOF
"$ESCSIM" compare fails.lua -n 20 --events -o f.h5 --quiet > /dev/null 2> ferr
is $? 2 "a policy error in replication 7 exits 2"
contains ferr "7 finished replications kept" "the message says what was kept"
test -e f.h5 -a ! -e f.h5.partial; ok $? "the finished replications are kept in the file"
$PY - f.h5 > fpy.txt 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 0
for a in ("cell", "no_cell"):
    r = pd.read_hdf(f, "/arms/%s/runs" % a)
    d = pd.read_hdf(f, "/arms/%s/daily" % a)
    e = pd.read_hdf(f, "/arms/%s/events" % a)
    assert list(r.rep) == list(range(7)), (a, list(r.rep))
    assert len(d) == 7 * 30 and sorted(set(d.rep)) == list(range(7)), (a, len(d), sorted(set(d.rep)))
    assert sorted(set(e.rep)) == list(range(7)), (a, sorted(set(e.rep)))
    assert (e.groupby("rep").size().values == r.events_total.values).all(), a
PYEOF
ok $? "daily and events hold replications 0..6 only, none of the failed one"
sed 's/^/# /' fpy.txt | tail -5

# SIGINT: the buffered daily and events rows of every finished replication
# are written before the file is closed.
interrupt INT int.h5 '[ "$(reps_in int.h5)" -gt 0 ]' "$ESCSIM" compare "$G" -n 1000000 --horizon 30d --events -o int.h5 --quiet
is $rc 3 "interrupted --events run exits 3"
$PY - int.h5 > ipy.txt 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 0
for a in ("cell", "no_cell"):
    r = pd.read_hdf(f, "/arms/%s/runs" % a)
    d = pd.read_hdf(f, "/arms/%s/daily" % a)
    e = pd.read_hdf(f, "/arms/%s/events" % a)
    n = len(r)
    assert n > 0 and list(r.rep) == list(range(n)), (a, n)
    assert len(d) == 30 * n and sorted(set(d.rep)) == list(range(n)), (a, n, len(d))
    assert (e.groupby("rep").size().reindex(r.rep, fill_value=0).values == r.events_total.values).all(), a
print("reps", n)
PYEOF
ok $? "after SIGINT daily and events hold exactly the finished replications"
sed 's/^/# /' ipy.txt | tail -3

# The option is documented where it applies and refused where it does not.
ok=0
for cmd in run compare; do
	"$ESCSIM" $cmd --help | grep -q -- '--events *also write the full event log /arms/<ARM>/events' || ok=1
done
ok $ok "run --help and compare --help describe --events"
"$ESCSIM" check "$G" --events > /dev/null 2>&1
is $? 2 "check --events is a usage error (exit 2)"

# Labels that do not fit the FIELD_<i>_LABELS form are refused by the writer
# (tests/unit/test_h5_writer.c); here: h5dump reads the new tables.
h5dump -H x.h5 > dump.txt 2>&1; ok $? "h5dump reads the file"
contains dump.txt 'DATASET "events"' "h5dump sees the events table"
