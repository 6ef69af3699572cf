#!/usr/bin/env bash
# Job arrays: shards run with --rep-offset and -n, joined by escsim merge,
# equal one run of all the replications; a missing, duplicated or foreign
# shard is refused with exit 2 and a message, and nothing is written.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 29
G="$ROOT/scenarios/golan_2026.lua"
OPTS=(-s 7 --events --horizon 90d -q)

"$ESCSIM" compare "$G" "${OPTS[@]}" -n 100 -o all.h5 > /dev/null 2>&1
ok $? "one run of 100 replications"
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 50 --rep-offset 0 -o a.h5 > /dev/null 2>&1
ok $? "shard 0: --rep-offset 0 -n 50"
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 50 --rep-offset 50 -j 2 -o b.h5 > /dev/null 2>&1
ok $? "shard 1: --rep-offset 50 -n 50 (2 threads)"
"$ESCSIM" merge b.h5 a.h5 -n 100 -o m.h5 2> err
ok $? "merge (shards in any order) exits 0"; sed 's/^/# /' err
diff=0
for arm in cell no_cell; do
	for t in runs daily events messages; do
		h5diff -q all.h5 m.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 ||
			{ diff=1; echo "# /arms/$arm/$t differs"; }
	done
done
ok $diff "merged == single run (runs, daily, events, messages of both arms)"
# The first shard's whole chunks are copied as stored (no inflate/deflate):
# 60 replications x 90 days are more daily rows than one chunk holds.
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 60 -o c.h5 > /dev/null 2>&1 &&
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 40 --rep-offset 60 -o d.h5 > /dev/null 2>&1 &&
"$ESCSIM" merge c.h5 d.h5 -n 100 -o m2.h5 > /dev/null 2>&1
ok $? "merge of a 60 and a 40 replication shard exits 0"
diff=0
for arm in cell no_cell; do
	for t in runs daily events messages; do
		h5diff -q all.h5 m2.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 ||
			{ diff=1; echo "# /arms/$arm/$t differs"; }
	done
done
ok $diff "chunks copied as stored: the same tables as one run"
$PY - m.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    a = h.attrs
    assert int(a["complete"]) == 1 and int(a["reps"]) == 100 and int(a["rep_offset"]) == 0, dict(a)
    assert "merge" in a["command_line"] and "a.h5" in a["merged_from"]
    assert h["/scenario/source"][()]
PYEOF
ok $? "merged file: complete, reps 100, provenance of the join"; sed 's/^/# /' py.txt

# Three shards, then one of them missing.
for k in 0 1 2; do
	"$ESCSIM" compare "$G" "${OPTS[@]}" -n 20 --rep-offset $((k * 20)) -o t$k.h5 > /dev/null 2>&1
done
"$ESCSIM" merge t0.h5 t2.h5 -o x.h5 2> err
is $? 2 "a missing middle shard: exit 2"
contains err "replications 20..39" "the message names the missing replications"
test ! -e x.h5 -a ! -e x.h5.partial; ok $? "nothing written"
"$ESCSIM" merge t0.h5 t1.h5 -n 60 -o x.h5 2> err
is $? 2 "a missing last shard (with -n): exit 2"
contains err "40..59" "the message names them"
"$ESCSIM" merge t1.h5 t2.h5 -o x.h5 2> err
is $? 2 "a missing first shard: exit 2"
cp t1.h5 t1copy.h5
"$ESCSIM" merge t0.h5 t1.h5 t1copy.h5 t2.h5 -o x.h5 2> err
is $? 2 "a duplicated shard: exit 2"
contains err "in both" "the message names the duplicated replications and files"
"$ESCSIM" compare "$G" -s 8 --events --horizon 90d -q -n 20 --rep-offset 20 -o seed8.h5 > /dev/null 2>&1
"$ESCSIM" merge t0.h5 seed8.h5 t2.h5 -o x.h5 2> err
is $? 2 "a shard of another seed: exit 2"
contains err "different seeds" "the message says so"
"$ESCSIM" compare "$G" -s 7 --horizon 90d -q -n 20 --rep-offset 20 -o noev.h5 > /dev/null 2>&1
"$ESCSIM" merge t0.h5 noev.h5 t2.h5 -o x.h5 2> err
is $? 2 "a shard with other options (no --events): exit 2"

# An output that is not a regular file (a FIFO here; /dev/null as root)
# would be replaced by the rename: refused.
mkfifo fifo
"$ESCSIM" merge t0.h5 t1.h5 -o fifo 2> err
st=$?; test -p fifo; ok $(( st != 2 || $? )) "merge -o FIFO: exit 2, the FIFO left as it is"
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 2 -o fifo > /dev/null 2> err
st=$?; test -p fifo; ok $(( st != 2 || $? )) "compare -o FIFO: exit 2, the FIFO left as it is"

# A job-array task that failed: join what there is, then --resume fills it.
"$ESCSIM" merge t0.h5 t2.h5 --allow-incomplete -n 60 -o inc.h5 2> err
ok $? "--allow-incomplete joins with a hole (complete=0)"
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 60 --resume inc.h5 > /dev/null 2> err
ok $? "--resume fills the hole"
"$ESCSIM" compare "$G" "${OPTS[@]}" -n 60 -o all60.h5 > /dev/null 2>&1
diff=0
for arm in cell no_cell; do
	for t in runs daily events messages; do
		h5diff -q all60.h5 inc.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 || diff=1
	done
done
ok $diff "incomplete join + resume == single run"

# Files from before code columns were narrowed (schema 1.0: int32 codes,
# no checksums): joined into this version's storage (the copy of whole
# chunks refused, every row appended, narrowed), the same rows as a join
# of this version's shards, and the file says 1.2.  A 1.0 and a 1.2 shard
# are not mixed.
{ $PY "$ROOT/tests/cli/old_file.py" t0.h5 w0.h5 1.0 --wide-codes &&
  $PY "$ROOT/tests/cli/old_file.py" t1.h5 w1.h5 1.0 --wide-codes; } > py.txt 2>&1
ok $? "two shards rewritten as schema 1.0 files"; sed 's/^/# /' py.txt
"$ESCSIM" merge w0.h5 w1.h5 -n 40 -o wm.h5 2> err &&
"$ESCSIM" merge t0.h5 t1.h5 -n 40 -o tm.h5 2>> err
ok $? "1.0 shards join"; sed 's/^/# /' err
$PY - wm.h5 tm.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as w, h5py.File(sys.argv[2], "r") as t:
    assert w.attrs["schema_version"] == "1.2", w.attrs["schema_version"]
    for arm in t["arms"]:
        for tab in t["arms"][arm]:
            a, b = w["arms"][arm][tab], t["arms"][arm][tab]
            assert a.dtype == b.dtype, (tab, a.dtype, b.dtype)
            assert a.shape == b.shape and a.chunks == b.chunks, tab
            assert a[()].tobytes() == b[()].tobytes(), tab
            assert sorted(a.attrs) == sorted(b.attrs), tab
PYEOF
ok $? "joined into 1.2 storage: the rows, types and chunks of a 1.2 join, schema_version 1.2"; sed 's/^/# /' py.txt
"$ESCSIM" merge w0.h5 t1.h5 -n 40 -o x.h5 2> err
is $? 2 "a 1.0 and a 1.2 shard: exit 2"
contains err "different columns" "the message says the columns differ"
