#!/usr/bin/env bash
# Logs and progress (spec section 2): -v / -vv / --log-level choose what is
# said on stderr, each line tagged "escsim: LEVEL:"; with stderr not a
# terminal, a progress line every --progress-every seconds (done/total,
# share, rate, time left), none with -q or --progress-every 0; warnings
# stay with -q and go with --log-level error; bad values exit 2.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 17
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 6 --horizon 20d -o a.h5 > /dev/null 2> default.err
ok $? "compare exits 0"
is "$(grep -c '^escsim: \(info\|debug\|progress\):' default.err)" "0" "by default: no info, debug or progress line (a run shorter than 30 s)"

"$ESCSIM" compare "$G" -n 6 --horizon 20d -o a.h5 -v > /dev/null 2> v.err
contains v.err "escsim: info: compare '$G': 2 arms x 6 replications (6 jobs), 1 thread -> a.h5" "-v: an info line saying what runs"
is "$(grep -c '^escsim: debug:' v.err)" "0" "-v: no debug line"

"$ESCSIM" compare "$G" -n 6 --horizon 20d -o a.h5 -vv > /dev/null 2> vv.err
is "$(grep '^escsim: debug: replication' vv.err | sed 's/.*written: //' | tr '\n' ' ')" \
	"1 of 6 2 of 6 3 of 6 4 of 6 5 of 6 6 of 6 " "-vv: one debug line per replication, in order"
"$ESCSIM" compare "$G" -n 6 --horizon 20d -o a.h5 --log-level=debug > /dev/null 2> ll.err
is "$(grep -c '^escsim: debug: replication' ll.err)" "6" "--log-level=debug is -vv"
"$ESCSIM" compare "$G" -n 6 --horizon 20d -o a.h5 -vv --log-level warn > /dev/null 2> w.err
is "$(grep -c '^escsim: \(info\|debug\):' w.err)" "0" "--log-level wins over -vv"

# Progress in a log: with a tiny period, a line after every replication
# but the last; each well formed, the counts rising.
"$ESCSIM" compare "$G" -n 12 --horizon 20d -o a.h5 --progress-every 0.000001 > /dev/null 2> p.err
ok $? "--progress-every 0.000001 exits 0"
grep '^escsim: progress:' p.err > lines.txt
is "$(grep -cvE '^escsim: progress: [0-9]+/12 replications \([0-9.]+%\), [0-9.e+]+/s, [0-9]+ (s|min [0-9]+ s|h [0-9]+ min) left$' lines.txt)" "0" \
	"every progress line: done/total (share), rate, time left"
is "$(sed 's|escsim: progress: \([0-9]*\)/.*|\1|' lines.txt | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 11 " "one line per replication, counts rising, none at the end"
contains p.err "escsim: 12 of 12 replications x 2 arms" "the final line is still printed"
"$ESCSIM" compare "$G" -n 12 --horizon 20d -o a.h5 --progress-every 0.000001 -q > /dev/null 2> q.err
is "$(grep -c '^escsim: progress' q.err)" "0" "-q: no progress line"
"$ESCSIM" compare "$G" -n 12 --horizon 20d -o a.h5 --progress-every 0 > /dev/null 2> z.err
is "$(grep -c '^escsim: progress' z.err)" "0" "--progress-every 0: none"

# Warnings: tagged, kept with -q, dropped with --log-level error.
cat > mid.lua <<'LUA'
return scenario {
  name = "fails_in_rep_2",
  horizon = days(10),
  parties = { { name = "ISR" }, { name = "SYR" }, { name = "NSA", kind = "nonstate" } },
  zones = { "Golan" },
  types = { rocket = { level = 3 } },
  incidents = { { actor = "NSA", target = "ISR", type = "rocket", zone = "Golan", rate = per_day(2) } },
  policies = { ISR = { on_incident_observed = function(self, inc)
    if sim.rep() == 2 then error("broken on purpose") end
    return { action = "protest" } end } },
}
LUA
"$ESCSIM" run mid.lua -n 4 --on-error skip -q -o m.h5 > /dev/null 2> wq.err
contains wq.err "escsim: warning: skipped: arm 'base', replication 2" "-q keeps a warning, tagged"
"$ESCSIM" run mid.lua -n 4 --on-error skip --log-level error -o m.h5 > /dev/null 2> we.err
is "$(grep -c 'warning' we.err)" "0" "--log-level error drops it"

"$ESCSIM" compare "$G" -n 2 --log-level loud > /dev/null 2> bad.err
is "$?:$(head -1 bad.err)" "2:escsim: --log-level: expected error, warn, info or debug, got 'loud'" "a bad --log-level: exit 2"
"$ESCSIM" compare "$G" -n 2 --progress-every -1 > /dev/null 2> bad.err
is "$?:$(head -1 bad.err)" "2:escsim: --progress-every: expected a number of seconds >= 0, got '-1'" "a bad --progress-every: exit 2"
exit $((_failed > 0))
