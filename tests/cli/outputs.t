#!/usr/bin/env bash
# The scenario's `outputs` key: which tables are written besides runs.
# daily = false leaves out /arms/<ARM>/daily, events = true writes events and
# messages as --events does; neither changes a single result, and files
# without daily still report, inspect and merge.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 20
G="$ROOT/scenarios/golan_2026.lua"
O=(-n 8 -s 5 --horizon 60d -q)

tables() {  # FILE -> "arm/table ..." sorted
	$PY -c 'import sys, h5py
h = h5py.File(sys.argv[1], "r")
print(" ".join(sorted("%s/%s" % (a, t) for a in h["arms"] for t in h["arms"][a])))' "$1"
}

"$ESCSIM" compare "$G" "${O[@]}" -o plain.h5 > /dev/null 2>&1
ok $? "compare with the default outputs"
is "$(tables plain.h5)" "cell/daily cell/log cell/runs no_cell/daily no_cell/log no_cell/runs" \
	"default: runs, daily (and log)"

"$ESCSIM" compare "$G" "${O[@]}" --set outputs.daily=false -o nodaily.h5 > /dev/null 2>&1
ok $? "--set outputs.daily=false"
is "$(tables nodaily.h5)" "cell/log cell/runs no_cell/log no_cell/runs" "no daily table"

"$ESCSIM" compare "$G" "${O[@]}" --set 'outputs={events=true}' -o ev.h5 > /dev/null 2>&1
ok $? "--set outputs={events=true}"
is "$(tables ev.h5)" "cell/daily cell/events cell/log cell/messages cell/runs no_cell/daily no_cell/events no_cell/log no_cell/messages no_cell/runs" \
	"events = true writes events and messages without --events"
"$ESCSIM" compare "$G" "${O[@]}" --events -o cli.h5 > /dev/null 2>&1
same=0
for a in cell no_cell; do for t in runs daily events messages; do
	h5diff -q ev.h5 cli.h5 /arms/$a/$t /arms/$a/$t > /dev/null 2>&1 || { same=1; echo "# $a/$t differs"; }
done; done
ok $same "events = true gives the tables of --events, row for row"

same=0
for a in cell no_cell; do
	h5diff -q plain.h5 nodaily.h5 /arms/$a/runs /arms/$a/runs > /dev/null 2>&1 || same=1
done
ok $same "leaving out daily changes no runs row"

# Per arm: only the cell arm logs its events.
"$ESCSIM" compare "$G" "${O[@]}" --arm cell:cell.enabled=true,outputs.events=true \
	--arm no_cell:cell.enabled=false -o perarm.h5 > /dev/null 2> err
ok $? "--arm ...,outputs.events=true"; sed 's/^/# /' err
is "$(tables perarm.h5)" "cell/daily cell/events cell/log cell/messages cell/runs no_cell/daily no_cell/log no_cell/runs" \
	"an arm's outputs are its own"

"$ESCSIM" report nodaily.h5 --no-store > rep.txt 2> err
ok $? "report of a file without daily"; sed 's/^/# /' err
contains rep.txt "arms: cell (8 replications, cell.enabled=true); no_cell (8 replications" \
	"the report names both arms and their replications"
contains rep.txt "misattributed_retaliations" "the report has the metrics table"
# The report reads runs (and its own summary) only: without daily it is the
# same, line for line, as the report of the file with it (the same runs).
"$ESCSIM" report plain.h5 --no-store > rep_plain.txt 2> /dev/null
is "$(tail -n +2 rep.txt)" "$(tail -n +2 rep_plain.txt)" \
	"the report without daily is the report with it (but for the file's name)"
"$ESCSIM" inspect nodaily.h5 > insp.txt 2> err
ok $? "inspect of a file without daily"; sed 's/^/# /' err
is "$(grep -c 'runs       8 rows; replications 0-7' insp.txt)" 2 "inspect: runs of both arms, 8 rows each"
is "$(grep -cE '^ +daily +[0-9]+ rows' insp.txt)" 0 "inspect lists no daily table"
contains insp.txt "complete  yes" "inspect: the file is complete"

"$ESCSIM" run "$G" -n 4 -s 5 --horizon 60d -q --set outputs.daily=false -o a.h5 > /dev/null 2>&1 &&
"$ESCSIM" run "$G" -n 4 -s 5 --horizon 60d -q --set outputs.daily=false --rep-offset 4 -o b.h5 > /dev/null 2>&1 &&
"$ESCSIM" run "$G" -n 8 -s 5 --horizon 60d -q --set outputs.daily=false -o whole.h5 > /dev/null 2>&1 &&
"$ESCSIM" merge a.h5 b.h5 -o m.h5 > /dev/null 2> err
ok $? "shards without daily merge"; sed 's/^/# /' err
h5diff -q whole.h5 m.h5 /arms/base/runs /arms/base/runs > /dev/null 2>&1
ok $? "to the runs of one whole run"
