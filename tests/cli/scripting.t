#!/usr/bin/env bash
# scripting.t: Lua policies and scenarios end to end through the CLI.
#
# Every scenario of the pack passes `escsim check` without a warning and
# runs with `compare` (and luacheck, when installed, finds nothing); check prints each party's hooks and parameters and
# the triggers inside the resolved JSON, and warns about policy mistakes;
# an error in a hook, a timer, a process, a trigger, an endless loop or a
# memory bomb mid-run ends `escsim run` with exit 2 and a message naming
# the replication, the simulated time and the script's file:line; and a
# scenario full of scripts (processes, timers, triggers, pairs) gives the
# same runs table twice, and with 1 or 2 threads.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
H="$ROOT/tests/bad/hooks"
S="$ROOT/scenarios"
plan 36

# ---- the scenario pack ------------------------------------------------------
for f in baseline_2025 golan_2026 unattributed_rockets suwayda_crisis il20_deconfliction; do
	"$ESCSIM" check "$S/$f.lua" > "$f.json" 2> err; st=$?
	if [ $st -eq 0 ] && [ ! -s err ]; then ok 0 "$f: check passes without warnings"
	else ok 1 "$f: check passes without warnings"; sed 's/^/#   /' err; fi
done
for f in suwayda_crisis il20_deconfliction; do
	"$ESCSIM" compare "$S/$f.lua" -n 20 -q -o "$f.h5" > /dev/null 2> err
	ok $? "$f: compare runs"
	# What it wrote: every replication of both arms, and the cell used in
	# the cell arm only (queries or notices).
	$PY - "$f.h5" > py.out 2>&1 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 1
    assert sorted(h["arms"]) == ["cell", "no_cell"], list(h["arms"])
    used = {}
    for a in ("cell", "no_cell"):
        r = h["arms/%s/runs" % a]
        assert list(r["rep"]) == list(range(20)), (a, list(r["rep"]))
        assert r["incidents"].sum() > 0, a
        used[a] = int(r["cell_requests"].sum() + r["notices_sent"].sum())
    assert used["cell"] > 0 and used["no_cell"] == 0, used
    print("cell queries + notices per arm:", used)
PY
	ok $? "$f: 20 replications in each arm, the cell used in the cell arm only"; sed 's/^/#   /' py.out
done

# Lint the library and scenarios when luacheck (Debian lua-check) is there.
if command -v luacheck > /dev/null; then
	(cd "$S" && luacheck --no-color -q .) > lint.txt 2>&1; st=$?
	ok $st "luacheck: scenarios and policies are clean"
	[ $st -eq 0 ] || sed 's/^/#   /' lint.txt | head -20
else
	_n=$((_n + 1)); echo "ok $_n # skip luacheck not installed (apt-get install lua-check)"
fi

# ---- check's output ---------------------------------------------------------
$PY - suwayda_crisis.json <<'PY' > py.out 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
isr = d["policies"]["ISR"]
assert isr["hooks"] == ["attribute", "on_incident_observed"], isr["hooks"]
prm = isr["parameters"]
assert prm["host"]["value"] == "SYR" and prm["deadline"]["value"] == 6, prm
# declared: both modules' parameters (host_state_responsibility.with), each
# with its default, type, unit, range and doc, in declaration order
assert isr["module"] == "policies.query_before_retaliate", isr["module"]
assert list(prm) == ["min_level", "p_retaliate", "deadline", "query_first", "response",
                     "host", "p_blame", "nonstate"], list(prm)
assert prm["deadline"] == {"value": 6, "default": 6, "type": "number", "unit": "h", "range": [0, None],
                           "doc": "hours from observation to the strike (the cell's deadline)"}, prm["deadline"]
assert prm["nonstate"]["optional"] is True and prm["nonstate"]["values"] == "party", prm["nonstate"]
assert isr["helpers"] == [], isr["helpers"]
assert isr["tick_h"] == 0
t = d["triggers"][0]
assert t["name"] == "protect_druze" and t["party"] == "ISR" and t["probability"] == 0.25, t
assert t["event"] == {"type": "clash", "target": "DRUZE", "zone": "Suwayda", "kind": "incident"}, t["event"]
assert d["triggers"][1]["repeatable"] is False
print("ok")
PY
ok $? "check prints hooks, parameters and triggers in the resolved JSON"
"$ESCSIM" check "$S/il20_deconfliction.lua" --set policies.ISR.lead=2h > il.json 2> /dev/null
$PY -c 'import json; d=json.load(open("il.json")); assert d["policies"]["ISR"]["parameters"]["lead"] == {"value": 2}, d["policies"]' 2> /dev/null
ok $? "check shows a policy parameter set with --set"

# LuaLS definitions of the policy modules' parameters, from their
# declarations: the shipped file is what `make meta` writes now
"$ESCSIM" check --luals luals.lua "$ROOT/tests/cli/scenarios/all_policies.lua" > /dev/null 2> err
ok $? "check --luals writes the definitions"
diff -u "$S/meta/policies.lua" luals.lua > luals.diff; st=$?
ok $st "scenarios/meta/policies.lua is up to date (make meta)"; [ $st -eq 0 ] || sed 's/^/#   /' luals.diff | head -20
contains luals.lua "---@field deadline? number hours from observation to the strike (the cell's deadline) (a number of hours >= 0; default 6)" \
	"a parameter's type, doc, unit, range and default"
contains luals.lua "---@field by_level? table<integer, string>|false" "a table's key and value types; optional: |false"
n=$(grep -c '^---@class escsim.params\.' luals.lua)
is "$n" 7 "one class per shipped module"

"$ESCSIM" check "$H/warnings.lua" > /dev/null 2> err; ok $? "a policy with mistakes still checks (exit 0)"
contains err "warning: policies.ISR.on_tick never fires: no tick parameter" "warns: on_tick without tick"
contains err "warning: policies.NSA.on_cell_request never fires: NSA is not a member of the cell" "warns: cell hook of a non-member"
contains err "warning: triggers[1].event.type: unknown type 'rockets' (known: rocket): the trigger never fires" "warns: trigger on an unknown type"

# ---- errors mid-run ---------------------------------------------------------
# run_fails FILE FRAGMENT NAME: `escsim run` exits 2 with FRAGMENT on stderr.
run_fails() {
	"$ESCSIM" run "$H/$1" -n 4 -q -o out.h5 > /dev/null 2> err; is $? 2 "$3: exit 2"
	contains err "$2" "$3: message names replication, time and place"
	rm -f out.h5 out.h5.partial
}
run_fails process_error.lua "replication 2, t=30.500 h: $H/process_error.lua:16: process failed on purpose" "process error"
run_fails timer_error.lua "replication 0, t=49.250 h: $H/timer_error.lua:13: attempt to index a nil value (local 't')" "timer error"
run_fails trigger_error.lua "replication 0, t=30.000 h: $H/trigger_error.lua:15: sim.act: action='retaliate' without target" "trigger error"
run_fails tick_budget.lua "replication 0, t=7.000 h: $H/tick_budget.lua:10: instruction budget of 100000 exceeded (endless loop?)" "endless loop in on_tick"
run_fails memory_process.lua "replication 0, t=6.000 h: a process of ISR (sim.spawn): memory cap of 16 MiB exceeded" "memory bomb in a process"

# ---- reproducibility ------------------------------------------------------------
cat > busy.lua <<'LUA'
-- Scripts everywhere: processes, timers, triggers, pairs over strings.
return scenario {
  name = "busy", horizon = days(60),
  parties = {{name = "A"}, {name = "B"}, {name = "C", kind = "nonstate"}},
  zones = {"Z", "Y"},
  types = {rocket = {level = 6}, strike = {level = 5}},
  incidents = {{actor = "C", target = "A", type = "rocket", zone = "Z", rate = per_day(0.5)}},
  attribution = {confusion = {A = {C = {B = 0.5, C = 0.5}}}},
  cell = {enabled = true, parties = {"A", "B"}, latency = lognormal{median = 2, sigma = 1}},
  policies = {
    A = {
      tick = 12, mood = {calm = 1, angry = 0, wary = 0.5},
      on_tick = function(self)
        local keys = {}
        for k, v in pairs(self.mood) do keys[#keys + 1] = k; self.mood[k] = v * sim.random() end
        self.first = keys[1]
      end,
      on_incident_observed = function(self, inc)
        sim.spawn(function()
          sim.wait(exponential{mean = 3}:sample())
          if sim.random() < 0.5 then sim.act{action = "protest", target = "B", zone = "Y"} end
        end)
        if sim.random() < 0.6 then
          return {action = "retaliate", type = "strike", delay = 4, query = sim.cell_up()}
        end
      end,
    },
    B = {on_cell_request = function(self) if sim.random() < 0.4 then return {reply = "deny"} end end},
  },
  triggers = {{party = "C", probability = 0.3, event = {type = "strike"},
               action = function(ev) sim.schedule(hours(1), function()
                 sim.act{action = "retaliate", type = "rocket", target = "A", zone = "Z", delay = 0} end) end}},
}
LUA
"$ESCSIM" run busy.lua -n 30 -s 11 -q -o a.h5 > /dev/null 2> err; ok $? "a scripted scenario runs"
"$ESCSIM" run busy.lua -n 30 -s 11 -q -o b.h5 > /dev/null 2>&1
h5diff a.h5 b.h5 /arms/base/runs /arms/base/runs > d.txt 2>&1; ok $? "same seed twice: identical runs"
"$ESCSIM" run busy.lua -n 30 -s 11 -j 2 -q -o c.h5 > /dev/null 2>&1
h5diff a.h5 c.h5 /arms/base/runs /arms/base/runs > d.txt 2>&1; ok $? "two threads (two Lua states): identical runs"
"$ESCSIM" run busy.lua -n 30 -s 12 -q -o e.h5 > /dev/null 2>&1
h5diff -q a.h5 e.h5 /arms/base/runs /arms/base/runs > /dev/null 2>&1; is $? 1 "another seed: different runs"
"$ESCSIM" run busy.lua -n 10 -s 11 --rep-offset 20 -q -o f.h5 > /dev/null 2>&1
$PY - a.h5 f.h5 <<'PY' > py.out 2>&1
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1])["arms/base/runs"][()]
f = h5py.File(sys.argv[2])["arms/base/runs"][()]
a = a[a["rep"] >= 20]
assert len(a) == len(f) == 10
for name in a.dtype.names:
    x, y = a[name], f[name]
    same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
    assert same, name
print("ok")
PY
ok $? "replications 20-29 alone equal the same replications after 0-19"

exit $((_failed > 0))
