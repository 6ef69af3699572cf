#!/usr/bin/env bash
# The command line a result file records replays: `command_line` holds argv
# exactly, shell-quoted (arms, --set values with quotes and braces, a file
# name with a space), and running it again in the same folder gives the same
# datasets and attributes (all but `created`).  --resume's refusal prints the
# command to repeat.  And the command line's hygiene: -q prints nothing on
# success, "-> FILE" only for a file the run wrote, singular "1 arm".
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 15
G="$ROOT/scenarios/golan_2026.lua"
RUN="$ROOT/tests/bad/run"

args=(compare "$G" -n 12 -s 5 --horizon 30d
      --arm "fast:cell.latency=30m,cell.accuracy=0.95"
      --arm "slow:cell.latency=lognormal{median = 8, sigma = 0.5}"
      --arm no_cell:cell.enabled=false
      --set "name=\"it's a 'replay'\"" -o "out file.h5" -q)
"$ESCSIM" "${args[@]}" > out.txt 2> err.txt
ok $? "a compare with arms, a quoted --set and a file name with a space"
is "$(cat out.txt err.txt)" "" "-q: nothing on standard output or error"

printf '%s\n' "$ESCSIM" "${args[@]}" > argv.txt
$PY - "out file.h5" argv.txt > py.txt 2>&1 <<'PYEOF'
import shlex, sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    cl = h.attrs["command_line"]
    cl = cl.decode() if isinstance(cl, bytes) else cl
want = open(sys.argv[2]).read().split("\n")[:-1]
got = shlex.split(cl)
assert got == want, (got, want)
print(cl)
PYEOF
ok $? "command_line splits (POSIX shell rules) into argv exactly"; sed 's/^/# /' py.txt
cmd=$(tail -n 1 py.txt)

mv "out file.h5" first.h5
sh -c "$cmd" > out.txt 2> err.txt
ok $? "the recorded command runs again"
$PY - first.h5 "out file.h5" > py.txt 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
a, b = (h5py.File(f, "r") for f in sys.argv[1:3])
def items(h):
    out = {}
    h.visititems(lambda name, o: out.__setitem__(name, o))
    return out
ia, ib = items(a), items(b)
assert sorted(ia) == sorted(ib), (sorted(ia), sorted(ib))
n = 0
for name in [""] + sorted(ia):
    oa, ob = (a, b) if name == "" else (ia[name], ib[name])
    ka = sorted(k for k in oa.attrs if k != "created")
    assert ka == sorted(k for k in ob.attrs if k != "created"), name
    for k in ka:
        va, vb = oa.attrs[k], ob.attrs[k]
        assert np.array_equal(np.asarray(va), np.asarray(vb)), (name, k, va, vb)
    if isinstance(oa, h5py.Dataset):
        da, db = oa[()], ob[()]
        assert da.dtype == db.dtype, name
        if da.dtype.names:
            for f in da.dtype.names:
                x, y = da[f], db[f]
                same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
                assert same, (name, f)
        else:
            assert np.array_equal(np.asarray(da), np.asarray(db)), name
        n += 1
print("identical:", n, "datasets")
PYEOF
ok $? "the replayed file has the same datasets and attributes (created aside)"; sed 's/^/# /' py.txt

# --resume refuses a file run with other options, and names the command
"$ESCSIM" compare "$G" -n 12 -s 6 --horizon 30d --resume first.h5 > out.txt 2> err.txt
is $? 2 "--resume with another seed: exit 2"
contains err.txt "; to finish it, repeat its command with --resume: $cmd --resume first.h5" \
	"the refusal prints the recorded command with --resume FILE"

# -> FILE only for a file the run wrote
"$ESCSIM" run "$RUN/action_unknown.lua" -n 3 -o failed.h5 > out.txt 2> err.txt
is $? 2 "a policy error in the first replication: exit 2"
ok "$([ ! -e failed.h5 ]; echo $?)" "no file"
ok "$(grep -qF -- '->' err.txt; [ $? = 1 ]; echo $?)" "and no '-> FILE' in what it says"
sed 's/^/# /' err.txt
cp first.h5 older.h5
"$ESCSIM" run "$RUN/action_unknown.lua" -n 3 -o older.h5 > out.txt 2> err.txt
ok "$(cmp -s first.h5 older.h5; echo $?)" "an older file of that name is left as it was"
ok "$(grep -qF -- '-> older.h5' err.txt; [ $? = 1 ]; echo $?)" "and not claimed as written"

# singular
"$ESCSIM" run "$G" -n 1 --horizon 2d -o one.h5 > out.txt 2> err.txt
contains err.txt "1 of 1 replication x 1 arm in" "1 replication x 1 arm, singular"
contains err.txt "-> one.h5" "and the file written is named"
contains out.txt "arms: base (1 replication)" "the report: 1 replication"

exit $((_failed > 0))
