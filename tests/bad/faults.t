#!/usr/bin/env bash
# faults.t: failures in the middle of a run and of the machine under it.
#
#   - a policy that fails in replication 3: exit 2, the message names the
#     replication, the simulated time and the script line; the file keeps
#     replications 0..2, marked incomplete, with no rows of the failed one
#   - a full disk (a 64 KiB tmpfs when we may mount one, and a file size
#     limit, which works for anyone): exit 1, nothing left, not even
#     NAME.partial
#   - kill -9 during a run: no file under the final name; the next run to
#     the same name replaces the dead run's NAME.partial
#   - SIGTERM: exit 3, the finished replications kept, marked incomplete
. "$(dirname "$0")/../cli/tap.sh"
cd "$TMP"
plan 29
G="$ROOT/scenarios/golan_2026.lua"

skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $1"; }

# ---- a policy error in replication 3, on day 5 or later
cat > mid.lua <<'LUA'
return scenario {
  name = "fails_in_rep_3",
  horizon = days(20),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 } },
  incidents = {
    { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(2) },
  },
  policies = {
    ISR = {
      on_incident_observed = function(self, inc)
        if sim.rep() == 3 and sim.now() >= days(5) then error("the policy broke") end
        return { action = "protest" }
      end,
    },
  },
}
LUA
"$ESCSIM" run mid.lua -n 8 --events -o mid.h5 --quiet > /dev/null 2> mid.err
is $? 2 "a policy error in replication 3: exit 2"
contains mid.err "arm 'base', replication 3, t=" "the message names the replication and the simulated time"
contains mid.err "mid.lua:13: the policy broke" "the message names the script line"
contains mid.err "3 finished replications kept in 'mid.h5' (marked incomplete)" "the message says what was kept"
test -e mid.h5 -a ! -e mid.h5.partial; ok $? "the file is under its final name, no .partial left"
$PY - mid.h5 > mid.py 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 0, "complete should be 0"
r = pd.read_hdf(f, "/arms/base/runs")
d = pd.read_hdf(f, "/arms/base/daily")
e = pd.read_hdf(f, "/arms/base/events")
assert list(r.rep) == [0, 1, 2], list(r.rep)
assert sorted(set(d.rep)) == [0, 1, 2] and len(d) == 3 * 20, (sorted(set(d.rep)), len(d))
assert sorted(set(e.rep)) <= [0, 1, 2], sorted(set(e.rep))
PYEOF
ok $? "the file holds replications 0..2 (runs, daily, events), complete=0"
sed 's/^/# /' mid.py | tail -3

# The same with two worker threads: whatever the order replications finish
# in, the failed one is never in the file and 0..2 always are.
if "$ESCSIM" run --help | grep -q -- --threads; then
	"$ESCSIM" run mid.lua -n 8 -j 2 -o mid2.h5 --quiet > /dev/null 2> mid2.err
	is $? 2 "with -j 2: exit 2"
	contains mid2.err "replication 3, t=" "with -j 2: the message names replication 3"
	$PY - mid2.h5 > mid2.py 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 0
r = pd.read_hdf(f, "/arms/base/runs")
reps = sorted(r.rep)
assert 3 not in reps and {0, 1, 2} <= set(reps), reps
PYEOF
	ok $? "with -j 2: replications 0..2 kept, 3 not, complete=0"
	sed 's/^/# /' mid2.py | tail -3
else
	for _ in 1 2 3; do skip "this escsim has no -j/--threads"; done
fi

# ---- --on-error skip: the failing replication is left out and recorded in
# /failures, the others all run, the file is complete, exit 0.
for j in 1 2; do
	"$ESCSIM" run mid.lua -n 8 -j $j --events --on-error skip -o skip$j.h5 > /dev/null 2> skip$j.err
	is $? 0 "--on-error skip (-j $j): exit 0"
	contains skip$j.err "skipped: arm 'base', replication 3, t=" "--on-error skip (-j $j): the failure is reported"
	$PY - skip$j.h5 > skip$j.py 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 1
    fails = h["/failures"][()]
    assert list(fails["rep"]) == [3], fails
    assert b"the policy broke" in fails["message"][0], fails["message"][0]
r = pd.read_hdf(f, "/arms/base/runs")
assert list(r.rep) == [0, 1, 2, 4, 5, 6, 7], list(r.rep)
e = pd.read_hdf(f, "/arms/base/events")
assert 3 not in set(e.rep) and set(e.rep) <= {0, 1, 2, 4, 5, 6, 7}
d = pd.read_hdf(f, "/arms/base/daily")
assert 3 not in set(d.rep) and len(d) == 7 * 20
PYEOF
	ok $? "--on-error skip (-j $j): every other replication in every table, rep 3 in /failures"
	sed 's/^/# /' skip$j.py | tail -3
done
"$ESCSIM" run mid.lua -n 8 --on-error retry -o bad.h5 > /dev/null 2> badopt.err
is $? 2 "--on-error retry: a usage error"
contains badopt.err "--on-error: expected abort or skip, got 'retry'" "--on-error retry: the message says what is expected"

# ---- a full disk
if [ "$(id -u)" = 0 ] && mkdir -p full && mount -t tmpfs -o size=64k tmpfs full 2> /dev/null; then
	"$ESCSIM" compare "$G" -n 50 --events -o full/x.h5 --quiet > /dev/null 2> full.err
	is $? 1 "full disk (64 KiB tmpfs): exit 1"
	contains full.err "No space left on device" "full disk: the message says so"
	left=$(ls -A full)
	is "$left" "" "full disk: nothing left on it, not even x.h5.partial"
	umount full
else
	skip "full disk on a tmpfs: needs root and permission to mount"
	skip "full disk on a tmpfs: message"
	skip "full disk on a tmpfs: nothing left"
fi
mkdir -p limited
(trap '' XFSZ; ulimit -f 64; exec "$ESCSIM" compare "$G" -n 20 --events -o limited/x.h5 --quiet) > /dev/null 2> lim.err
is $? 1 "file size limit of 64 KiB (EFBIG, as a full disk): exit 1"
contains lim.err "results file 'limited/x.h5.partial'" "file size limit: the message names the file"
left=$(ls -A limited)
is "$left" "" "file size limit: nothing left, not even x.h5.partial"

# ---- kill -9 in the middle of a run
"$ESCSIM" compare "$G" -n 1000000 -o k.h5 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e k.h5.partial ] && break; sleep 0.1; done
sleep 0.5
kill -9 $pid
wait $pid 2> /dev/null
is $? 137 "kill -9 ends the run (status 137)"
test ! -e k.h5; ok $? "after kill -9 there is no file under the final name"
"$ESCSIM" run "$G" -n 3 -o k.h5 --quiet > /dev/null 2> k.err
ok $? "a new run to the same name succeeds"
test -e k.h5 -a ! -e k.h5.partial; ok $? "it replaced the dead run's k.h5.partial and renamed it into place"

# ---- SIGTERM: like SIGINT (tests/cli/interrupt.t), exit 3
"$ESCSIM" compare "$G" -n 1000000 -o t.h5 --quiet > /dev/null 2> t.err &
pid=$!
for _ in $(seq 100); do [ -e t.h5.partial ] && break; sleep 0.1; done
sleep 1
kill -TERM $pid
wait $pid
is $? 3 "SIGTERM: exit 3"
$PY - t.h5 > t.py 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 0
    n = [len(h["/arms/%s/runs" % a]) for a in ("cell", "no_cell")]
    assert n[0] == n[1] and n[0] > 0, n
PYEOF
st=$?
test ! -e t.h5.partial || st=1
ok $st "SIGTERM: the finished replications kept, complete=0, no .partial"
