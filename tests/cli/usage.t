#!/usr/bin/env bash
# The command line: help, usage errors (exit 2, a message, no file), check.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 22
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" --help > out 2>&1; ok $? "escsim --help exits 0"
contains out "compare SCENARIO" "--help lists the commands"
for c in run compare check; do
	"$ESCSIM" $c --help > out 2>&1; ok $? "escsim $c --help exits 0"
done
contains out "--set KEY=VALUE" "check --help documents --set"

"$ESCSIM" > out 2>&1; is $? 2 "no command: exit 2"
"$ESCSIM" frobnicate x.lua > out 2>&1; is $? 2 "unknown command: exit 2"
contains out "unknown command 'frobnicate'" "unknown command is named"

"$ESCSIM" run -n -3 "$G" -o r.h5 > out 2>&1; is $? 2 "negative -n: exit 2"
contains out "-n/--reps: expected an integer >= 1, got '-3'" "negative -n: message"
"$ESCSIM" run --bogus "$G" > out 2>&1; is $? 2 "unknown option: exit 2"
contains out "unknown option '--bogus'" "unknown option is named"
"$ESCSIM" compare -n 5 "$G" "$G" > out 2>&1; is $? 2 "two scenarios: exit 2"

"$ESCSIM" compare -n 5 -o missing.h5 nosuch.lua > out 2>&1; is $? 2 "missing scenario file: exit 2"
contains out "nosuch.lua" "missing scenario file is named"
test ! -e missing.h5 -a ! -e missing.h5.partial; ok $? "nothing written for a missing scenario"

"$ESCSIM" compare -n 5 -o bad.h5 --set cell.latancy=2h "$G" > out 2>&1; is $? 2 "misspelt --set key: exit 2"
contains out "did you mean 'latency'" "misspelt key: nearest known key suggested"
test ! -e bad.h5 -a ! -e bad.h5.partial; ok $? "nothing written for an invalid scenario"

"$ESCSIM" check "$G" --set cell.latency=30m > check.json 2> err; ok $? "check exits 0"
$PY -c 'import json,sys; d=json.load(open("check.json")); assert d["cell"]["latency_h"]=={"kind":"constant","value":0.5}, d["cell"]' 2>> err
ok $? "check prints resolved JSON with the override applied (30m = 0.5 h)"
