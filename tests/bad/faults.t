#!/usr/bin/env bash
# faults.t: failures in the middle of a run and of the machine under it, and
# what each leaves on disk (spec section 2: exit 2 writes nothing under the
# output name; nothing replaces an existing file but a complete run).
#
#   - a policy that fails in replication 3: exit 2; the message names the
#     replication, the simulated time, the script line, and where the
#     finished replications are: FILE.partial (0..2, marked incomplete, no
#     row of the failed one); FILE is not created, and an existing FILE is
#     left byte for byte; --resume FILE --on-error skip completes it, the
#     failing replication in /failures, to the tables of an uninterrupted
#     --on-error skip run
#   - a full disk (a tmpfs when we may mount one, and a file size limit,
#     which works for anyone), during a run and during --resume: exit 1,
#     never a crash; nothing left when nothing had been saved, else
#     FILE.partial as of its last checkpoint, which --resume completes to
#     the tables of an uninterrupted run
#   - kill -9: FILE.partial, readable by inspect; the next run to the same
#     name replaces it; SIGTERM and SIGHUP: exit 3, kept, marked incomplete
. "$(dirname "$0")/../cli/tap.sh"
# Under ASan (make asan): whole stacks, so that tests/lsan.supp's
# suppressions of libhdf5's own leaks on damaged files and full disks match.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
cd "$TMP"
plan 59
G="$ROOT/scenarios/golan_2026.lua"

skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $1"; }
skips() { local k; for k in $(seq "$1"); do skip "$2"; done; }

# ---- a policy error in replication 3, on day 5 or later
cp "$ROOT/tests/bad/faults/fails_in_rep_3.lua" mid.lua
"$ESCSIM" run mid.lua -n 8 --events -o mid.h5 --quiet > /dev/null 2> mid.err
is $? 2 "a policy error in replication 3: exit 2"
contains mid.err "arm 'base', replication 3, t=" "the message names the replication and the simulated time"
contains mid.err "mid.lua:16: the policy broke" "the message names the script line"
contains mid.err "3 finished replications kept in 'mid.h5.partial' (marked incomplete)" "the message says what was kept, and where"
contains mid.err "repeat the command with --resume mid.h5 --on-error skip" "the message says how to finish the run"
test ! -e mid.h5 -a -e mid.h5.partial; ok $? "exit 2 creates nothing under the output name: the replications are in mid.h5.partial"
"$ESCSIM" inspect mid.h5.partial > mid.ins 2>&1
ok $? "inspect reads mid.h5.partial"
$PY - mid.h5.partial > mid.py 2>&1 <<'PYEOF'
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
ok $? "mid.h5.partial holds replications 0..2 (runs, daily, events), complete=0"
sed 's/^/# /' mid.py | tail -3

# --on-error skip on the same file: the failing replication is recorded in
# /failures and the run completes, to what one --on-error skip run writes.
"$ESCSIM" run mid.lua -n 8 --events --on-error skip -o skip_ref.h5 --quiet > /dev/null 2>&1
"$ESCSIM" run mid.lua -n 8 --events --on-error skip --resume mid.h5 > /dev/null 2> res.err
is $? 0 "--resume mid.h5 --on-error skip: exit 0"
contains res.err "skipped: arm 'base', replication 3, t=" "--resume --on-error skip: the skipped line"
contains res.err "(resumed: 3 were done)" "--resume --on-error skip: it started from the 3 kept"
test -e mid.h5 -a ! -e mid.h5.partial; ok $? "the completed file takes the final name, no .partial left"
$PY - mid.h5 > skip.py 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 1
    fails = h["/failures"][()]
    assert list(fails["rep"]) == [3], fails
r = pd.read_hdf(f, "/arms/base/runs")
assert list(r.rep) == [0, 1, 2, 4, 5, 6, 7], list(r.rep)
PYEOF
ok $? "complete=1, every other replication in runs, replication 3 in /failures"
sed 's/^/# /' skip.py | tail -3
same_tables mid.h5 skip_ref.h5; ok $? "the tables and /failures of an uninterrupted --on-error skip run"
"$ESCSIM" run mid.lua -n 8 --events --on-error skip --resume mid.h5 > /dev/null 2> again.err
is $? 0 "--resume again: exit 0"
contains again.err "'mid.h5' is complete: nothing to resume" "--resume again: nothing to resume"

# A failing run to a name that holds a result leaves that file as it was.
sum=$(sha256sum < mid.h5)
"$ESCSIM" run mid.lua -n 8 --events -o mid.h5 --quiet > /dev/null 2> over.err
is $? 2 "a failing run over an existing result: exit 2"
is "$(sha256sum < mid.h5)" "$sum" "the existing mid.h5 is unchanged, byte for byte"
contains over.err "kept in 'mid.h5.partial' (marked incomplete, and the existing file under that name is unchanged)" "the message says so"
rm -f mid.h5.partial

# The same with two worker threads: whatever the order replications finish
# in, the failed one is never in the file and 0..2 always are.
"$ESCSIM" run mid.lua -n 8 -j 2 -o mid2.h5 --quiet > /dev/null 2> mid2.err
is $? 2 "with -j 2: exit 2"
contains mid2.err "replication 3, t=" "with -j 2: the message names replication 3"
$PY - mid2.h5.partial > mid2.py 2>&1 <<'PYEOF'
import sys, h5py, pandas as pd
f = sys.argv[1]
with h5py.File(f, "r") as h:
    assert int(h.attrs["complete"]) == 0
r = pd.read_hdf(f, "/arms/base/runs")
reps = sorted(r.rep)
assert 3 not in reps and {0, 1, 2} <= set(reps), reps
PYEOF
ok $? "with -j 2: replications 0..2 kept in mid2.h5.partial, 3 not, complete=0"
sed 's/^/# /' mid2.py | tail -3

# ---- --on-error skip from the start: left out, recorded, the run completes.
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

# ---- a full disk.  The reference: the same run, uninterrupted.
OPTS=(compare "$G" -n 120 --horizon 30d --events -s 4 --quiet)
"$ESCSIM" "${OPTS[@]}" -o ref.h5 > /dev/null 2>&1

# Full before anything was saved: nothing left.
mounted=0
if [ "$(id -u)" = 0 ] && mkdir -p full && mount -t tmpfs -o size=64k tmpfs full 2> /dev/null; then
	mounted=1
	"$ESCSIM" compare "$G" -n 50 --events -o full/x.h5 --quiet > /dev/null 2> full.err
	is $? 1 "full disk (64 KiB tmpfs): exit 1"
	contains full.err "No space left on device" "full disk: the message says so"
	is "$(ls -A full)" "" "full disk before the first checkpoint: nothing left, not even x.h5.partial"
	umount full
else
	skips 3 "full disk on a tmpfs: needs root and permission to mount"
fi
mkdir -p limited
(trap '' XFSZ; ulimit -f 64; exec "$ESCSIM" compare "$G" -n 20 --events -o limited/x.h5 --quiet) > /dev/null 2> lim.err
is $? 1 "file size limit of 64 KiB (EFBIG, as a full disk): exit 1"
contains lim.err "results file 'limited/x.h5.partial'" "file size limit: the message names the file"
is "$(ls -A limited)" "" "file size limit before the first checkpoint: nothing left, not even x.h5.partial"

# Full after some checkpoints (one after every replication): the
# replications of the last one are kept, and --resume completes them.
# disk_full NAME LIMIT-CMD...: run OPTS into NAME/x.h5 under the limit.
full_mid_run() {
	local dir=$1 what=$2
	shift 2
	"$@" > /dev/null 2> "$dir.err"
	is $? 1 "$what: exit 1, not a crash"
	contains "$dir.err" "replications are kept in '$dir/x.h5.partial' as of its last checkpoint: free some space, then repeat the command with --resume $dir/x.h5" "$what: the message says what is kept, where, and what to do"
	test ! -e "$dir/x.h5" -a -e "$dir/x.h5.partial"; ok $? "$what: x.h5.partial kept, no x.h5"
	mkdir -p "$dir.big" && cp "$dir/x.h5.partial" "$dir.big/"
	"$ESCSIM" "${OPTS[@]}" --resume "$dir.big/x.h5" > /dev/null 2> "$dir.res"
	[ $? = 0 ] && same_tables "$dir.big/x.h5" ref.h5
	ok $? "$what: --resume with room completes it to the tables of an uninterrupted run"
}
if [ $mounted = 1 ] && mkdir -p full2 && mount -t tmpfs -o size=320k tmpfs full2 2> /dev/null; then
	full_mid_run full2 "full disk mid-run (320 KiB tmpfs)" "$ESCSIM" "${OPTS[@]}" --flush-every 0 -o full2/x.h5
	umount full2
else
	skips 4 "full disk mid-run on a tmpfs: needs root and permission to mount"
fi
mkdir -p lim2
full_mid_run lim2 "file size limit mid-run (320 KiB)" \
	bash -c 'trap "" XFSZ; ulimit -f 320; exec "$0" "$@"' "$ESCSIM" "${OPTS[@]}" --flush-every 0 -o lim2/x.h5

# Full during --resume: the old replications and the new ones of the last
# checkpoint stay; --resume with room completes them.
mkdir -p lim3
"$ESCSIM" "${OPTS[@]}" -o lim3/x.h5 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e lim3/x.h5.partial ] && break; sleep 0.05; done
sleep 0.3
kill -INT $pid
wait $pid
st=$?
before=$($PY -c 'import h5py; print(len(h5py.File("lim3/x.h5", "r")["/arms/cell/runs"]))' 2> /dev/null)
size=$(( $(stat -c %s lim3/x.h5) / 1024 + 40 ))
(trap '' XFSZ; ulimit -f $size; exec "$ESCSIM" "${OPTS[@]}" --flush-every 0 --resume lim3/x.h5) > /dev/null 2> lim3.err
st2=$?
if [ "$st" = 3 ] && [ "$st2" = 1 ]; then
	ok 0 "file size limit during --resume: exit 1, not a crash"
	# (h5py refuses a file whose writer did not close it; escsim reads it)
	after=$("$ESCSIM" inspect lim3/x.h5.partial 2> /dev/null | awk '$1 == "runs" { print $2; exit }')
	[ -n "$before" ] && [ -n "$after" ] && [ "$after" -ge "$before" ]
	ok $? "file size limit during --resume: x.h5.partial keeps the $before old replications and new ones ($after in all)"
	"$ESCSIM" "${OPTS[@]}" --resume lim3/x.h5 > /dev/null 2> lim3.res
	[ $? = 0 ] && same_tables lim3/x.h5 ref.h5
	ok $? "file size limit during --resume: --resume with room completes it to the tables of an uninterrupted run"
else
	echo "# interrupt: exit $st, resume under the limit: exit $st2 ($(tail -1 lim3.err))"
	skips 3 "the run finished before the interrupt, or the resume before the limit (a busy machine)"
fi

# ---- kill -9 in the middle of a run
"$ESCSIM" compare "$G" -n 1000000 -o k.h5 --quiet --flush-every 0.2 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e k.h5.partial ] && break; sleep 0.1; done
sleep 1
kill -9 $pid
wait $pid 2> /dev/null
is $? 137 "kill -9 ends the run (status 137)"
test ! -e k.h5; ok $? "after kill -9 there is no file under the final name"
"$ESCSIM" inspect k.h5.partial > k.ins 2>&1
ok $? "inspect reads the killed run's k.h5.partial"
contains k.ins "left by a run that did not close it" "inspect says it was left by a run that did not close it"
"$ESCSIM" run "$G" -n 3 -o k.h5 --quiet > /dev/null 2> k.err
ok $? "a new run to the same name succeeds"
test -e k.h5 -a ! -e k.h5.partial; ok $? "it replaced the dead run's k.h5.partial and renamed it into place"

# ---- SIGTERM and SIGHUP: like SIGINT (tests/cli/interrupt.t), exit 3
for sig in TERM HUP; do
	"$ESCSIM" compare "$G" -n 1000000 -o $sig.h5 --quiet > /dev/null 2> $sig.err &
	pid=$!
	for _ in $(seq 100); do [ -e $sig.h5.partial ] && break; sleep 0.1; done
	sleep 1
	kill -$sig $pid
	wait $pid
	is $? 3 "SIG$sig: exit 3"
	$PY - $sig.h5 > $sig.py 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    assert int(h.attrs["complete"]) == 0
    n = [len(h["/arms/%s/runs" % a]) for a in ("cell", "no_cell")]
    assert n[0] == n[1] and n[0] > 0, n
PYEOF
	st=$?
	test ! -e $sig.h5.partial || st=1
	ok $st "SIG$sig: the finished replications kept, complete=0, no .partial"
	contains $sig.err "interrupted by signal" "SIG$sig: the message says it was interrupted"
done
