#!/usr/bin/env bash
# The command line: help, usage errors (exit 2, a message, no file), check.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 29
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" --help > out 2>&1; ok $? "escsim --help exits 0"
contains out "compare SCENARIO" "--help lists the commands"
for c in run compare check; do
	"$ESCSIM" $c --help > "help_$c" 2>&1; ok $? "escsim $c --help exits 0"
	is "$(head -1 "help_$c")" "usage: escsim $c [OPTIONS] SCENARIO" "escsim $c --help: the command's own usage line"
done
contains help_run "-n, --reps N" "run --help documents -n"
contains help_compare "--arm NAME:KEY=VALUE" "compare --help documents --arm"
contains help_check "--set KEY=VALUE" "check --help documents --set"

"$ESCSIM" > out 2>&1; is $? 2 "no command: exit 2"
contains out "no command given (run, compare, check, ...)" "no command: says so"
"$ESCSIM" frobnicate x.lua > out 2>&1; is $? 2 "unknown command: exit 2"
contains out "unknown command 'frobnicate'" "unknown command is named"

"$ESCSIM" run -n -3 "$G" -o r.h5 > out 2>&1; is $? 2 "negative -n: exit 2"
contains out "-n/--reps: expected an integer >= 1, got '-3'" "negative -n: message"
"$ESCSIM" run --bogus "$G" > out 2>&1; is $? 2 "unknown option: exit 2"
contains out "unknown option '--bogus'" "unknown option is named"
"$ESCSIM" compare -n 5 "$G" "$G" > out 2>&1; is $? 2 "two scenarios: exit 2"
contains out "expected exactly one SCENARIO file" "two scenarios: says one is expected"

"$ESCSIM" compare -n 5 -o missing.h5 nosuch.lua > out 2>&1; is $? 2 "missing scenario file: exit 2"
contains out "nosuch.lua" "missing scenario file is named"
test ! -e missing.h5 -a ! -e missing.h5.partial; ok $? "nothing written for a missing scenario"

"$ESCSIM" compare -n 5 -o bad.h5 --set cell.latancy=2h "$G" > out 2>&1; is $? 2 "misspelt --set key: exit 2"
contains out "did you mean 'latency'" "misspelt key: nearest known key suggested"
test ! -e bad.h5 -a ! -e bad.h5.partial; ok $? "nothing written for an invalid scenario"

"$ESCSIM" check "$G" --set cell.latency=30m > check.json 2> err; ok $? "check exits 0"
$PY -c 'import json,sys; d=json.load(open("check.json")); assert d["cell"]["latency_h"]=={"kind":"constant","value":0.5}, d["cell"]' 2>> err
ok $? "check prints resolved JSON with the override applied (30m = 0.5 h)"
