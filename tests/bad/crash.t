#!/usr/bin/env bash
# crash.t: kill -9 at 20 random moments of one run, resuming after each:
# the killed run's FILE.partial is always readable (inspect) or holds
# nothing yet, what it saved never goes back (a kill loses only what
# finished since the last checkpoint), and the last --resume gives tables
# bit for bit those of an uninterrupted run.  The moments are random but
# repeatable (RANDOM is seeded), from 0.02 s (start-up, recovery of the
# previous .partial) to 0.5 s, or to 1/8 of the uninterrupted run's time on
# a busy machine; checkpoints every 0.05 s, with one and two threads in
# turn.
. "$(dirname "$0")/../cli/tap.sh"
cd "$TMP"
plan 45
G="$ROOT/scenarios/golan_2026.lua"
OPTS=(compare "$G" -n 2000 --horizon 30d --events -s 11 --quiet --flush-every 0.05)

t0=$(date +%s%N)
"$ESCSIM" "${OPTS[@]}" -o ref.h5 > /dev/null 2> ref.err
ok $? "the uninterrupted run"
# Kill moments span 0.5 s or 1/8 of the uninterrupted run, if longer (a
# busy machine), so that kills land in the middle of runs too.
span=$(( ($(date +%s%N) - t0) / 8000000 ))
[ $span -lt 480 ] && span=480

# Known bug (issue 16, open): under load, a kill that lands while a
# checkpoint writes HDF5's metadata can leave a .partial whose tables name
# more rows than are stored, or a header whose checksum fails, which
# --resume then cannot cut back; and a kill between the close's steps can
# make the next --resume keep fewer replications than inspect showed.
# The checks below that this breaks are TODO until the checkpoint is made
# atomic; the uninterrupted run above stays a plain check.
KNOWN="kill -9 during a checkpoint can leave HDF5 metadata naming rows not stored, or a damaged header (issue 16, open)"
RANDOM=16
saved=0 kills=0
for i in $(seq 20); do
	args=(-o k.h5)
	[ -e k.h5 ] || [ -e k.h5.partial ] && args=(--resume k.h5)
	"$ESCSIM" "${OPTS[@]}" -j $((i % 2 + 1)) "${args[@]}" > /dev/null 2> run$i.err &
	pid=$!
	ms=$((20 + RANDOM % span))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -9 $pid 2> /dev/null && kills=$((kills + 1))
	wait $pid 2> /dev/null
	# What the killed run left: readable, and never less than before.
	now=0 st=0
	if [ -e k.h5.partial ]; then
		"$ESCSIM" inspect k.h5.partial > ins$i.txt 2> ins$i.err
		st=$?
		[ $st = 0 ] && now=$(awk '$1 == "runs" { print $2; exit }' ins$i.txt)
	elif [ -e k.h5 ]; then
		now=$(awk '$1 == "runs" { print $2; exit }' <("$ESCSIM" inspect k.h5 2> /dev/null))
	fi
	# Exit 2 only for a .partial killed before its first checkpoint
	# (nothing in it yet: the next run starts over).
	if [ $st = 0 ] || { [ $st = 2 ] && [ "$saved" = 0 ]; }; then
		todo 0 "kill $i after ${ms} ms: what is left is readable (inspect exit $st)" "$KNOWN"
	else
		todo 1 "kill $i after ${ms} ms: what is left is readable (inspect exit $st)" "$KNOWN"
		sed 's/^/#   /' ins$i.err | head -5
	fi
	[ "${now:-0}" -ge "$saved" ]
	todo $? "kill $i: the replications saved never go back ($saved, then ${now:-0})" "$KNOWN"
	[ "${now:-0}" -gt "$saved" ] && saved=$now
done
echo "# $kills of 20 kills landed in a running process; $saved replications saved before the last"

"$ESCSIM" "${OPTS[@]}" --resume k.h5 > /dev/null 2> last.err
st=$?
todo $st "the last --resume completes the run" "$KNOWN"
[ $st = 0 ] || sed 's/^/#   /' last.err | tail -5
test -e k.h5 -a ! -e k.h5.partial; todo $? "the file takes its final name, no .partial left" "$KNOWN"
same_tables k.h5 ref.h5; todo $? "every table bit for bit that of the uninterrupted run" "$KNOWN"
$PY - k.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 1
    assert "checkpoint" not in h, "a checkpoint record left in a complete file"
PYEOF
todo $? "complete=1, no checkpoint record left" "$KNOWN"
sed 's/^/# /' py.txt | tail -3
