#!/usr/bin/env bash
# Experiment files and job-array shares: `sweep --experiment` and
# `compare --experiment` write exactly what the same options on the command
# line write; the command line takes precedence; the scenario is found
# beside the experiment file; --shard K/N (and Slurm's array variables)
# run disjoint shares whose merge equals the unsharded run, dataset by
# dataset, the report's /summary included.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 13
mkdir -p scen exp run
cp "$ROOT/scenarios/unattributed_rockets.lua" scen/u.lua
cat > exp/morris.lua <<'LUA'
-- A Morris screening of the cell in unattributed_rockets.
return experiment {
  name = "cell_morris",
  scenario = "../scen/u.lua",          -- beside this file
  replications = 6, seed = 11,
  horizon = days(20),
  design = "morris", points = 3, levels = 6,
  vary = {
    { "cell.accuracy", from = 0.3, to = 1 },
    { "cell.latency", from = "30m", to = "1d", scale = "log" },
    { "cell.refuse.base", values = { 0, 0.1, 0.2 } },
  },
  arms = {
    { "cell", set = { cell = { enabled = true } } },
    { "no_cell", set = { ["cell.enabled"] = false } },
  },
  set = { attribution = { delay = minutes(20) } },
  outputs = { file = "morris.h5", events = true },
}
LUA
FLAGS=(sweep "$TMP/scen/u.lua" -n 6 -s 11 --horizon 480 --design morris --points 3 --levels 6
       --vary cell.accuracy=lin:0.3:1 --vary cell.latency=log:30m:1d --vary cell.refuse.base=0,0.1,0.2
       --arm cell:cell.enabled=true --arm no_cell:cell.enabled=false
       --set attribution.delay=0.33333333333333331 --events -q)

cd run
"$ESCSIM" sweep --experiment ../exp/morris.lua -q > out.txt 2> err
ok $? "sweep --experiment exits 0"; sed 's/^/# /' err
test -f morris.h5; ok $? "outputs.file names the result (in the working folder)"
"$ESCSIM" "${FLAGS[@]}" -o flags.h5 > /dev/null 2> err
h5diff -q morris.h5 flags.h5 /arms /arms > /dev/null 2>&1 && h5diff -q morris.h5 flags.h5 /sweep /sweep > /dev/null 2>&1
ok $? "the experiment's file equals the command line's, every table of every point"
$PY - morris.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    o = h.attrs["options"]
    o = o.decode() if isinstance(o, bytes) else o
    assert "design morris" in o and "levels 6" in o and "seed 11" in o, o
    assert "vary cell.latency=log:30m:1d" in o and "set attribution.delay=0.3333333333333333" in o, o
    assert "events" in h["/arms/cell.p0"] and int(h.attrs["reps"]) == 6
    assert h["/sweep"].attrs["design"] == "morris" and int(h["/sweep"].attrs["levels"]) == 6
print("fine")
PYEOF
contains py.txt fine "design, levels, seed, vary, set and events recorded as given"

"$ESCSIM" sweep --experiment ../exp/morris.lua -n 2 -s 3 -o small.h5 -q > /dev/null 2> err
$PY -c 'import h5py; h=h5py.File("small.h5"); assert int(h.attrs["reps"]) == 2 and int(h.attrs["seed"]) == 3; print("fine")' > py.txt 2>&1
contains py.txt fine "-n, -s and -o on the command line take precedence"

cat > ../exp/compare.lua <<'LUA'
return experiment {
  scenario = "../scen/u.lua", replications = 5, seed = 4,
  arms = {
    { "fast", set = { cell = { latency = hours(1), accuracy = 0.95 } } },
    { "slow", set = { ["cell.latency"] = hours(9) } },
    { "no_cell", set = { cell = { enabled = false } } },
  },
  set = { horizon = days(30) },
}
LUA
"$ESCSIM" compare --experiment ../exp/compare.lua -o cmp.h5 > cout.txt 2> err
ok $? "compare --experiment exits 0"; sed 's/^/# /' err
"$ESCSIM" compare "$TMP/scen/u.lua" -n 5 -s 4 --set horizon=720 --arm fast:cell.accuracy=0.95,cell.latency=1 \
	--arm slow:cell.latency=9 --arm no_cell:cell.enabled=false -o cmpf.h5 -q > /dev/null 2>&1
h5diff -q cmp.h5 cmpf.h5 /arms /arms > /dev/null 2>&1
ok $? "compare: three arms from the file equal the same --arm flags"
contains cout.txt "fast" "compare prints the report"

# Shares of the experiment: no -o, so each writes its own file.
for k in 0 1 2; do
	"$ESCSIM" sweep --experiment ../exp/morris.lua --shard $k/3 -q > /dev/null 2> err || sed 's/^/# /' err
done
ls morris-shard0.h5 morris-shard1.h5 morris-shard2.h5 > /dev/null 2>&1
ok $? "--shard K/3 without -o: morris-shardK.h5"
SLURM_ARRAY_TASK_ID=12 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=3 \
	"$ESCSIM" sweep --experiment ../exp/morris.lua --shard slurm -o slurm.h5 -q > /dev/null 2> err
h5diff -q slurm.h5 morris-shard1.h5 /arms /arms > /dev/null 2>&1
ok $? "--shard slurm: task 12 of 10, 12, 14 is share 1 of 3"
"$ESCSIM" merge morris-shard*.h5 -n 6 -o merged.h5 -q 2> err
ok $? "merge joins the shares"; sed 's/^/# /' err
"$ESCSIM" report merged.h5 > /dev/null 2> err
$PY - morris.h5 merged.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
other = []
b.visititems(lambda n, o: other.append(n) if isinstance(o, h5py.Dataset) else None)
assert sorted(names) == sorted(other), set(names) ^ set(other)
for n in names:
    x, y = a[n][()], b[n][()]
    if x.dtype.names:
        for c in x.dtype.names:
            u, v = x[c], y[c]
            same = np.array_equal(u, v, equal_nan=u.dtype.kind == "f")
            assert same, (n, c)
    else:
        assert x == y, n
print("%d datasets, every one equal" % len(names))
assert any(n.endswith("events") for n in names) and "summary/sensitivity" in names
print("fine")
PYEOF
contains py.txt fine "shares merged equal the unsharded run, dataset by dataset (summary after report)"
sed 's/^/# /' py.txt

cd ..
"$ESCSIM" compare --experiment exp/compare.lua -n 7 --shard 1/3 -o part.h5 -q > /dev/null 2>&1
$PY -c 'import h5py; h=h5py.File("part.h5"); import numpy as np; r=h["/arms/fast/runs"]["rep"]; assert list(r)==[3,4], list(r); assert int(h.attrs["rep_offset"])==3; print("fine")' > py.txt 2>&1
contains py.txt fine "--shard 1/3 of 7: replications 3 and 4 (shares of 3, 2, 2)"
