#!/usr/bin/env bash
# escsim inspect: provenance, arms, table sizes, replications present and the
# complete flag of a result file; exit 2 with a clear message for a missing,
# foreign, truncated or damaged file.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 20
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 12 -s 3 --horizon 60d --events -o a.h5 --quiet > /dev/null 2>&1
ok $? "compare writes a file"
"$ESCSIM" inspect a.h5 > out.txt 2> err.txt; ok $? "inspect exits 0"
contains out.txt "scenario_name    golan_2026" "provenance: scenario name"
contains out.txt "seed             3" "provenance: seed"
contains out.txt "schema_version   1.1" "provenance: schema version"
contains out.txt "cell   overrides: cell.enabled=true" "arm cell with its overrides"
contains out.txt "runs       12 rows; replications 0-11" "runs rows and replication range"
contains out.txt "daily      720 rows" "daily rows (12 x 60 days)"
contains out.txt "messages" "messages table listed"
contains out.txt "replications in every arm (paired): 12" "paired replications"
contains out.txt "complete  yes" "complete flag"

# Replications present as ranges, from a job-array shard, and incomplete.
"$ESCSIM" run "$G" -n 5 --rep-offset 20 --horizon 10d -o b.h5 --quiet > /dev/null 2>&1
"$ESCSIM" inspect b.h5 > b.txt 2>&1
contains b.txt "replications 20-24" "rep offset shows as a range"

interrupt INT int.h5 '[ "$(reps_in int.h5)" -gt 0 ]' "$ESCSIM" compare "$G" -n 1000000 --horizon 30d -o int.h5 --quiet
"$ESCSIM" inspect int.h5 > int.txt 2>&1; ok $? "inspect of an interrupted run exits 0"
contains int.txt "complete  NO" "an interrupted run is reported incomplete"

"$ESCSIM" inspect missing.h5 > /dev/null 2> e1.txt; is $? 2 "missing file: exit 2"
contains e1.txt "cannot open 'missing.h5'" "missing file: says it cannot open"
echo "not hdf5" > text.h5
"$ESCSIM" inspect text.h5 > /dev/null 2> e2.txt
[ $? -eq 2 ] && grep -q "not an escsim result file" e2.txt; ok $? "a text file: not an escsim result file, exit 2"
$PY -c 'import h5py; h = h5py.File("foreign.h5", "w"); h["x"] = [1, 2]' 2>/dev/null
"$ESCSIM" inspect foreign.h5 > /dev/null 2> e3.txt
[ $? -eq 2 ] && grep -q "not an escsim result file" e3.txt; ok $? "another program's HDF5: not an escsim result file, exit 2"
head -c 30000 a.h5 > trunc.h5
"$ESCSIM" inspect trunc.h5 > /dev/null 2> e4.txt
[ $? -eq 2 ] && grep -q "cannot open 'trunc.h5'" e4.txt; ok $? "truncated file: cannot open, exit 2"
# Overwrite the middle of the file, where the compressed rows are.
cp a.h5 bad.h5
size=$(stat -c %s bad.h5)
dd if=/dev/zero of=bad.h5 bs=1 count=4000 seek=$((size / 2)) conv=notrunc 2> /dev/null
"$ESCSIM" inspect bad.h5 > /dev/null 2> e5.txt
[ $? -eq 2 ] && grep -q "damaged" e5.txt; ok $? "damaged rows: exit 2, says damaged"
sed 's/^/# /' e5.txt
