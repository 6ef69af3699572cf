#!/usr/bin/env bash
# cli.t: the catalogue of bad command lines (tests/bad/cli.txt) as TAP.
#
# For each line EXIT|FRAGMENT|ARGUMENTS: runs `$ESCSIM ARGUMENTS` in an empty
# folder and checks the exit status, that standard error holds the fragment
# (its " ... "-separated parts in order), that the folder is still empty
# afterwards and that the result files in $FX are unchanged: a failed
# command leaves no result and no NAME.partial behind.  ESCSIM is set by
# make test; by default build/escsim.
set -u
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
. "$here/catalogue.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
G=$root/scenarios/golan_2026.lua
RUN=$here/run
FX=$TMP/fx
mkdir -p "$FX"

# Result files for inspect, report and merge: good ones (good.h5 holds
# replications 0..1, b.h5 2..3, overlap.h5 1..2, seed9.h5 2..3 of another
# seed, cmp.h5 2..3 of compare), and damaged or foreign ones made from them.
fx_run() {
	"$ESCSIM" "$@" --horizon 5d --quiet > /dev/null 2> "$TMP/fx.err" && return
	echo "Bail out! cannot make a result file to damage: $(cat "$TMP/fx.err")"
	exit 1
}
fx_run run "$G" -n 2 -o "$FX/good.h5"
fx_run run "$G" -n 2 --rep-offset 2 -o "$FX/b.h5"
fx_run run "$G" -n 2 --rep-offset 1 -o "$FX/overlap.h5"
fx_run run "$G" -n 2 --rep-offset 2 -s 9 -o "$FX/seed9.h5"
fx_run compare "$G" -n 2 --rep-offset 2 -o "$FX/cmp.h5"
: > "$FX/empty.h5"
echo "a text file, not HDF5" > "$FX/text.h5"
if ! $PY - "$FX" > "$TMP/fx.err" 2>&1 <<'PYEOF'
import os, shutil, sys
import h5py, numpy as np
fx = sys.argv[1]
good = os.path.join(fx, "good.h5")
size = os.path.getsize(good)
def damaged(name, at, data):
    path = os.path.join(fx, name)
    shutil.copy(good, path)
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(data)
# HDF5's signature gone.
damaged("signature.h5", 0, b"\0" * 8)
# Cut in half, as a copy that did not finish.
with open(good, "rb") as f, open(os.path.join(fx, "truncated.h5"), "wb") as g:
    g.write(f.read(size // 2))
# The first chunk of a table overwritten: gzip cannot inflate it.
def chunk(name, src, table):
    src = os.path.join(fx, src)
    with h5py.File(src, "r") as h:
        info = h[table].id.get_chunk_info(0)
    path = os.path.join(fx, name)
    shutil.copy(src, path)
    with open(path, "r+b") as f:
        f.seek(info.byte_offset)
        f.write(b"\xff" * min(info.size, 64))
chunk("chunk.h5", "good.h5", "/arms/base/daily")
chunk("runs_chunk.h5", "good.h5", "/arms/base/runs")
chunk("b_chunk.h5", "b.h5", "/arms/base/daily")
# A valid HDF5 file that is not an escsim result.
with h5py.File(os.path.join(fx, "foreign.h5"), "w") as h:
    h["x"] = np.arange(10)
    h.attrs["title"] = "someone else's data"
PYEOF
then
	echo "Bail out! cannot make the damaged result files: $(cat "$TMP/fx.err")"
	exit 1
fi
catalogue_fixtures() { (cd "$FX" && stat -c "%n %s %Y" ./* && cksum ./*); }
CATALOGUE_FRAG_VARS=FX run_catalogue "$here/cli.txt"
