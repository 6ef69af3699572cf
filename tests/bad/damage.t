#!/usr/bin/env bash
# damage.t: damaged result files are found, named, and never read as good,
# nor crash escsim (docs/results.md, "Damage").
#
#   - a bit flipped in any chunk of an incomplete file: --resume refuses it
#     (exit 2, naming the table and rows) and leaves it as it was; inspect
#     and merge refuse it too
#   - a column renamed by a flip (first_crisis_h -> fibst_crisis_h): refused
#     by inspect and report, in this version's files (metadata checksums)
#     and in files without checksums (schema 1.1: the column check)
#   - flips in the global heap, where HDF5 keeps variable-length text and
#     trusts its sizes: exit 0 or 2, never a crash
#   - 40 random flips anywhere: inspect exits 0 or 2, and when it says 0
#     every row of every table reads exactly as before
#   - a damaged /arms/<ARM>/log chunk: inspect names the log
. "$(dirname "$0")/../cli/tap.sh"
# Under ASan (make asan): whole stacks, so that tests/lsan.supp's
# suppressions of libhdf5's own leaks on damaged files and full disks match.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
cd "$TMP"
plan 40
G="$ROOT/scenarios/golan_2026.lua"

# ---- a bit flipped in a chunk of an incomplete file
cp "$ROOT/tests/bad/faults/fails_in_rep_3.lua" mid.lua
"$ESCSIM" run mid.lua -n 10 --events -o mid.h5 --quiet > /dev/null 2>&1
test -e mid.h5.partial; ok $? "a run stopped by a policy error in replication 3 keeps mid.h5.partial"
# flip.py FILE SEED: one bit of one chunk of one table, chosen by SEED.
cat > flip.py <<'PYEOF'
import random, sys, h5py
path, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
with h5py.File(path, "r") as h:
    tabs = []
    h.visititems(lambda n, o: tabs.append(n) if isinstance(o, h5py.Dataset)
                 and n.startswith("arms/") and o.shape[0] > 0 else None)
    t = tabs[rnd.randrange(len(tabs))]
    d = h[t]
    info = d.id.get_chunk_info(rnd.randrange(d.id.get_num_chunks()))
at = info.byte_offset + rnd.randrange(info.size)
with open(path, "r+b") as f:
    f.seek(at)
    b = f.read(1)[0]
    f.seek(at)
    f.write(bytes([b ^ (1 << rnd.randrange(8))]))
print("/" + t)
PYEOF
for i in 1 2 3 4 5 6 7 8; do
	mkdir -p d$i && cp mid.h5.partial d$i/x.h5.partial
	tab=$($PY flip.py d$i/x.h5.partial $i)
	sum=$(sha256sum < d$i/x.h5.partial)
	"$ESCSIM" run mid.lua -n 10 --events --on-error skip --resume d$i/x.h5 > /dev/null 2> d$i.err
	st=$?
	[ $st = 2 ] && grep -q "^escsim: --resume: 'd$i/x.h5.partial': $tab: rows [0-9]*\.\.[0-9]*: they are damaged" d$i.err
	ok $? "flip $i in $tab: --resume refuses it, naming the table and rows (exit $st)"
	[ "$(sha256sum < d$i/x.h5.partial)" = "$sum" ] && [ ! -e d$i/x.h5 ]
	ok $? "flip $i: the file is left as it was, nothing else written"
	[ $st = 2 ] || sed 's/^/#   /' d$i.err | head -3
done
"$ESCSIM" inspect d1/x.h5.partial > /dev/null 2> ins.err
is $? 2 "inspect of a damaged chunk: exit 2"
contains ins.err "is damaged: some of it cannot be read" "inspect says the file is damaged"
cp d1/x.h5.partial shard.h5
"$ESCSIM" run mid.lua -n 10 --events --on-error skip -o good.h5 --quiet > /dev/null 2>&1
"$ESCSIM" merge -o m.h5 shard.h5 good.h5 > /dev/null 2> merge.err
is $? 2 "merge of a damaged shard: exit 2"
contains merge.err "they are damaged" "merge names the damage"
test ! -e m.h5 -a ! -e m.h5.partial; ok $? "merge of a damaged shard writes nothing"

# ---- a column renamed by a flip
"$ESCSIM" compare "$G" -n 6 --horizon 10d -o ok.h5 --quiet > /dev/null 2>&1
$PY - ok.h5 ren.h5 <<'PYEOF'
import sys
b = open(sys.argv[1], "rb").read()
n = b.count(b"first_crisis_h")
assert n > 0
open(sys.argv[2], "wb").write(b.replace(b"first_crisis_h", b"fibst_crisis_h"))
PYEOF
"$ESCSIM" inspect ren.h5 > /dev/null 2> ren.err
is $? 2 "first_crisis_h renamed by a flip (this version's file): inspect exit 2"
contains ren.err "checksum" "the metadata checksum finds it"
"$ESCSIM" report --no-store ren.h5 > ren.out 2> ren2.err
is $? 2 "report of it: exit 2"
grep -q fibst ren.out; is $? 1 "report prints no metric 'fibst_crisis_h'"
# The same in a file without metadata checksums (as escsim wrote before
# schema 1.2), rebuilt object by object with the column renamed.
$PY "$ROOT/tests/cli/old_file.py" ok.h5 old.h5 1.1 --rename first_crisis_h=fibst_crisis_h > old.py 2>&1
ok $? "a schema 1.1 file (no checksums) with the column renamed"; sed 's/^/# /' old.py | tail -3
"$ESCSIM" inspect old.h5 > /dev/null 2> old.err
is $? 2 "inspect of it: exit 2"
contains old.err "/arms/cell/runs: column 'fibst_crisis_h' is not one escsim writes (and 'first_crisis_h' is missing): the file is damaged" "the column check names it"
"$ESCSIM" report --no-store old.h5 > old.out 2> old2.err
is $? 2 "report of it: exit 2"
contains old2.err "column 'fibst_crisis_h' is not one escsim writes" "report names the column"
grep -q fibst old.out; is $? 1 "report prints no metric 'fibst_crisis_h'"

# ---- the global heap: flips in each collection's size, first object's
# header and size, and free space.  (A hang counts as a crash: timeout.)
mkdir -p gh
$PY - ok.h5 gh > gcol.txt <<'PYEOF'
import sys
b = open(sys.argv[1], "rb").read()
at, n = 0, 0
while True:
    at = b.find(b"GCOL", at)
    if at < 0:
        break
    for k in (8, 9, 12, 16, 24, 25, 26, 31, 40, 56, 57):
        for bit in (1, 128):
            c = bytearray(b)
            c[at + k] ^= bit
            open("%s/%d_%d_%d.h5" % (sys.argv[2], at, k, bit), "wb").write(c)
    n += 1
    at += 4
print(n)
PYEOF
crashes=0 found=0 tries=0
for g in gh/*.h5; do
	timeout 20 "$ESCSIM" inspect "$g" > /dev/null 2> g.err
	st=$?
	tries=$((tries + 1))
	[ $st -gt 2 ] && crashes=$((crashes + 1)) && echo "# crash: exit $st for $g"
	grep -q "global heap collection at address .* is damaged" g.err && found=$((found + 1))
done
[ "$(cat gcol.txt)" -gt 0 ]; ok $? "the file has global heap collections ($(cat gcol.txt))"
is "$crashes" 0 "$tries flips in the global heap: no crash, no hang (exit 0 or 2 every time)"
[ "$found" -gt 0 ]; ok $? "$found of them named as a damaged global heap collection"

# ---- random flips anywhere: found, or harmless
mkdir -p rf
$PY - ok.h5 rf <<'PYEOF'
import random, sys
b = open(sys.argv[1], "rb").read()
rnd = random.Random(5)
for i in range(40):
    c = bytearray(b)
    at = rnd.randrange(len(c))
    c[at] ^= 1 << rnd.randrange(8)
    open("%s/%02d_%d.h5" % (sys.argv[2], i, at), "wb").write(c)
PYEOF
# Every dataset as h5py reads it: the rows of every table and the scenario
# texts (checked against their sha256), but the resolved JSON and the text
# attributes, which have no checksum (docs/results.md, "Damage").
cat > rows.py <<'PYEOF'
import sys, h5py
def rows(path):
    out = {}
    with h5py.File(path, "r") as h:
        h.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes())
                     if isinstance(o, h5py.Dataset) and n != "scenario/resolved_json"
                     else None)
    return out
sys.exit(0 if rows(sys.argv[1]) == rows(sys.argv[2]) else 1)
PYEOF
bad=0 passed=0 found=0
for r in rf/*.h5; do
	timeout 20 "$ESCSIM" inspect "$r" > /dev/null 2> r.err
	st=$?
	if [ $st = 0 ]; then
		if $PY rows.py "$r" ok.h5 2> /dev/null; then passed=$((passed + 1))
		else bad=$((bad + 1)); echo "# $r passed inspect and changed rows"; fi
	elif [ $st = 2 ]; then
		found=$((found + 1))
	else
		bad=$((bad + 1)); echo "# $r: exit $st"
	fi
done
is "$bad" 0 "40 random flips: none crashes, none changes a row or a source unnoticed ($found found, $passed harmless)"

# ---- a damaged log chunk
"$ESCSIM" run "$ROOT/tests/cli/scenarios/userlog.lua" -n 5 -o log.h5 --quiet > /dev/null 2>&1
$PY - log.h5 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    info = h["/arms/base/log"].id.get_chunk_info(0)
with open(sys.argv[1], "r+b") as f:
    f.seek(info.byte_offset + info.size // 2)
    b = f.read(1)[0]
    f.seek(info.byte_offset + info.size // 2)
    f.write(bytes([b ^ 4]))
PYEOF
"$ESCSIM" inspect log.h5 > log.out 2> log.err
is $? 2 "a flip in /arms/base/log: inspect exit 2"
contains log.err "/arms/base/log: rows 0.." "inspect names the log table and its rows"
contains log.out "log        unreadable" "inspect lists the log as unreadable"
"$ESCSIM" inspect --quick log.h5 > /dev/null 2>&1
is $? 0 "inspect --quick only counts rows: exit 0"
