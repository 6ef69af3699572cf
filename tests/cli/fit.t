#!/usr/bin/env bash
# escsim fit end to end: a synthetic export written by --synthesize, fitted,
# the module read back (by lua5.4, with the unit helpers stubbed) and used by
# a scenario through require and apply (escsim check shows the fitted values
# resolved), the plots, a mapping file giving the same fit as ACLED's names,
# the same seed giving the same module.  Bad inputs: tests/bad/fit.t.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 32
R="$ROOT/tests/validation/fit/recovery.lua"
export ESCSIM_PATH="$ROOT/scenarios:$ROOT/tests/validation/fit"

# -- a synthetic export
"$ESCSIM" fit --synthesize --scenario "$R" -s 5 -o ev.csv 2> syn.err
ok $? "--synthesize exits 0"
"$ESCSIM" fit --synthesize --scenario "$R" -s 5 -o ev2.csv -q 2> /dev/null
cmp -s ev.csv ev2.csv; ok $? "the same seed writes the same export"
is "$(head -1 ev.csv)" "event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,admin1,fatalities,notes" "ACLED's column names"
rows=$(($(wc -l < ev.csv) - 1))
contains syn.err "wrote $rows synthetic events from 2025-01-01 to ev.csv" "says how many rows it wrote"
bad=$(awk -F, 'NR > 1 && ($2 < "2025-01-01" || $2 > "2025-12-31" || $6 !~ /^(strike|raid|rocket)$/ || $7 !~ /^(ISR|NSA)$/ || $11 != "synthetic (escsim)")' ev.csv | wc -l)
is "$bad" 0 "every row dated within the year, of a type and by a party of the scenario, marked synthetic"
"$ESCSIM" fit --synthesize --scenario "$R" -s 6 -o ev2.csv -q 2> /dev/null
ok $? "--synthesize replaces a synthetic export it wrote"

# -- the fit
Y="--from 2025-01-01 --to 2025-12-31"       # the year simulated, whatever its last event's day
"$ESCSIM" fit ev.csv --scenario "$R" -o fitted.lua -n 40 -s 3 $Y --plots plots > out.txt 2> err.txt
ok $? "fit exits 0"
is "$(cat err.txt)" "escsim: wrote fitted.lua" "nothing else on stderr (no plotting warnings)"
contains out.txt "$rows events fitted" "every event fitted"
grep -q "weekly counts: [0-9]* of 159 stream-weeks inside the 5-95% band of 40 replications" out.txt
ok $? "the weekly counts of 3 streams over 53 weeks against 40 replications"
contains out.txt "time rescaling: Kolmogorov-Smirnov D = " "the time-rescaling test"
is "$(head -c 23 fitted.lua)" "-- fitted by escsim fit" "the module's first line says who wrote it"

# the module, read by Lua with the unit helpers as escsim defines them
cat > read.lua <<'LUA'
per_day = function(x) return x / 24 end
days = function(x) return x * 24 end
zinb = function(t) return t end
local M = dofile(arg[1])
local out = {}
local function put(k, v) out[#out + 1] = k .. "=" .. tostring(v) end
put("sha256", M.data.sha256)
put("rows", M.data.rows)
put("first", M.data.first_day)
put("last", M.data.last_day)
for _, s in ipairs(M.streams) do
  local sum = 0
  for _, v in pairs(s.zones) do sum = sum + v end
  put("shares_" .. s.actor .. "_" .. s.type, math.abs(sum - 1) <= 1e-5)
  -- without a regime, each generator's rate is its stream's rate times its share
  for _, g in ipairs(M.incidents) do
    if g.actor == s.actor and g.type == s.type then
      put("rate_ok_" .. g.zone .. "_" .. g.type,
          math.abs(g.rate - s.rate * s.zones[g.zone]) <= 1e-5 * s.rate)
    end
  end
end
put("n1", M.hawkes[1].n)
put("fast1", M.hawkes[1].fast_mean)
put("civ_strike", M.types.strike.fatalities_civ.mean)
put("mil_strike", tostring(M.types.strike.fatalities_mil))
put("gaps", M.gof.gaps)
io.write(table.concat(out, "\n"), "\n")
LUA
lua5.4 read.lua fitted.lua > m.txt 2> m.err
ok $? "the module is valid Lua ($(head -c 200 m.err))"
is "$(sed -n 's/^sha256=//p' m.txt)" "$(sha256sum ev.csv | cut -d' ' -f1)" "it holds the export's SHA-256"
is "$(sed -n 's/^rows=//p' m.txt)" "$rows" "its row count"
is "$(sed -n 's/^first=//p' m.txt) $(sed -n 's/^last=//p' m.txt)" "2025-01-01 2025-12-31" "its period"
is "$(grep -c '^shares_.*=true$' m.txt)" 3 "each stream's zone shares sum to 1 (to the 6 digits written)"
is "$(grep -c '^rate_ok_.*=true$' m.txt) $(grep -c '^rate_ok_' m.txt)" "6 6" "each generator's rate is its stream's rate times its zone share"
is "$(sed -n 's/^mil_strike=//p' m.txt)" "nil" "strikes kill civilians only, as the scenario says"
grep -q "^n1=0\.[0-9]" m.txt; ok $? "hawkes[1].n is a branching ratio ($(grep '^n1=' m.txt))"

# -- the plots and their data
ls plots/fit_residuals.png plots/fit_residuals.svg plots/fit_weekly.png plots/fit_weekly.svg > /dev/null 2>&1
ok $? "--plots draws fit_residuals and fit_weekly, PNG and SVG"
is "$(($(wc -l < plots/fit_residuals.csv) - 1))" "$(sed -n 's/^gaps=//p' m.txt)" "one time-rescaled gap per fitted event"
is "$(awk -F, 'NR > 1 { s += $4 } END { print s }' plots/fit_weekly.csv)" "$rows" "the weekly counts add up to the events"

# -- the module in a scenario: require it and apply it
cat > refit.lua <<'LUA'
local fit = require "fitted"
return scenario(fit.apply(require "recovery"))
LUA
"$ESCSIM" check refit.lua > check.json 2> check.err
ok $? "a scenario requiring the module and applying it loads ($(head -c 300 check.err))"
$PY - check.json m.txt > cmp.txt 2>&1 <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
m = dict(l.strip().split("=", 1) for l in open(sys.argv[2]) if "=" in l)
x = c["hawkes"][0]
ok = abs(x["n"] - float(m["n1"])) <= 1e-5 * float(m["n1"]) and abs(x["fast_mean_h"] - float(m["fast1"])) <= 1e-5 * float(m["fast1"])
ok = ok and abs(c["types"]["strike"]["fatalities_civ"]["mean"] - float(m["civ_strike"])) <= 1e-9
print("ok" if ok else "differ: %r %r" % (x, m))
PYEOF
is "$(cat cmp.txt)" "ok" "escsim check resolves the fitted n, kernel and casualties"
cat > wrong.lua <<'LUA'
local fit = require "fitted"
return scenario(fit.apply(require "baseline_2025"))
LUA
"$ESCSIM" check wrong.lua > /dev/null 2> wrong.err
[ $? -eq 2 ] && grep -q "fitted module fitted.lua: the scenario has .* incidents and .* hawkes rules, the fit 6 and 2" wrong.err
ok $? "apply refuses a scenario the fit was not made from ($(head -c 200 wrong.err))"

# -- without --from and --to, the period runs from the first event's day to the last's
"$ESCSIM" fit ev.csv --scenario "$R" -o default.lua -n 0 > dout.txt 2> /dev/null
contains dout.txt "period $(awk -F, 'NR == 2 { print $2 }' ev.csv) .. $(tail -1 ev.csv | cut -d, -f2)" \
	"the default period: the first and last event's days"

# -- the same seed, the same module; a module replaced by its own command
"$ESCSIM" fit ev.csv --scenario "$R" -o fitted.lua -n 40 -s 3 $Y -q 2> /dev/null
cp fitted.lua again.lua
"$ESCSIM" fit ev.csv --scenario "$R" -o fitted.lua -n 40 -s 3 $Y -q 2> /dev/null
ok $? "fit replaces a module it wrote"
diff <(sed 1d fitted.lua) <(sed 1d again.lua) > /dev/null; ok $? "the same seed gives the same module (but for the date)"

# -- a mapping file: other column names, values and dates, extra rows dropped;
# types read by a mapped name, an ACLED sub-event type and the scenario's name
$PY - ev.csv > mapped.csv <<'PYEOF'
import csv, sys, datetime
r = list(csv.DictReader(open(sys.argv[1])))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["incident_day", "perpetrator", "kind", "governorate", "killed"])
names = {"ISR": "Military Forces of Israel (2022-)", "NSA": "Unidentified Armed Group (Syria)"}
w.writerow(["31 December 2024", names["ISR"], "Air strike", "North", 0])     # outside the period
for x in r:
    d = datetime.date.fromisoformat(x["event_date"])
    # strikes by a mapped name, rockets by their ACLED sub-event type, raids by the scenario's name
    kind = {"strike": "Air strike", "rocket": "Shelling/artillery/missile attack"}.get(x["sub_event_type"], x["sub_event_type"])
    w.writerow([d.strftime("%d %B %Y"), names[x["actor1"]], kind,
                "Shamal" if x["admin1"] == "North" else x["admin1"], x["fatalities"]])
    if x["event_id_cnty"] == "SYN10":
        w.writerow([d.strftime("%d %B %Y"), "Civilians (Syria)", "Protest", "North", 0])
PYEOF
cat > map.csv <<'EOF2'
kind,source,escsim
# the export's columns
column,incident_day,date
column,perpetrator,actor
column,kind,type
column,governorate,zone
column,killed,fatalities
actor,Military Forces of Israel (2022-),ISR
actor,Unidentified Armed Group (Syria),NSA
actor,Civilians (Syria),-
type,Air strike,strike
type,Protest,-
zone,Shamal,North
EOF2
"$ESCSIM" fit mapped.csv --map map.csv --scenario "$R" -o mapped.lua -n 40 -s 3 --from 2025-01-01 --to 2025-12-31 > mout.txt 2> merr.txt
ok $? "fit with a mapping file exits 0 ($(head -c 300 merr.txt))"
contains mout.txt "1 dropped by the mapping, 1 outside the period" "the dropped and out-of-period rows are counted"
diff <(sed -n '/^M.streams/,$p' fitted.lua) <(sed -n '/^M.streams/,$p' mapped.lua | sed 's/fitted module mapped.lua/fitted module fitted.lua/') > map.diff
ok $? "the mapped export gives the same fit ($(head -c 300 map.diff))"
