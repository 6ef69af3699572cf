#!/usr/bin/env bash
# docs/notebooks: compare.ipynb and sweep.ipynb run top to bottom under
# jupyter nbconvert --execute (Debian's python3-nbconvert and
# python3-ipykernel) on small files they make themselves: no cell fails,
# each draws its figures, the hand-computed paired difference equals the
# stored one.  compare.R (r-base-core, r-cran-hdf5r) reads the same files
# and gets the same difference.  Each part is skipped, with a message,
# where its packages are missing.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 6
export ESCSIM_ROOT=$ROOT ESCSIM_NB_REPS=24 PYDEVD_DISABLE_FILE_VALIDATION=1
export ESCSIM
cp "$ROOT"/docs/notebooks/*.ipynb .

if $PY -c 'import nbconvert, nbformat, ipykernel' 2> /dev/null; then
	$PY -m nbconvert --to notebook --execute --output-dir out compare.ipynb sweep.ipynb > nb.log 2>&1
	ok $? "both notebooks execute without an error"
	sed -n 's/^/# /p' nb.log | grep -i "error" | head -5
	cat > check.py <<'PYEOF'
import re, sys, nbformat
out = {}
for f in ("compare", "sweep"):
    nb = nbformat.read("out/%s.ipynb" % f, 4)
    imgs = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if "data" in o and "image/png" in o["data"])
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    out[f] = (imgs, text)
print("images", out["compare"][0], out["sweep"][0])
m = re.search(r"difference (\S+) \[(\S+), (\S+)\]\nthe report stored  (\S+) \[(\S+), (\S+)\]", out["compare"][1])
assert m and m.group(1, 2, 3) == m.group(4, 5, 6), m and m.groups()
assert out["compare"][0] >= 3 and out["sweep"][0] >= 1
assert "slope of the difference per log-hour" in out["sweep"][1]
open("py_diff.txt", "w").write("difference %s [%s, %s]\n" % m.group(1, 2, 3))
PYEOF
	$PY check.py > check.txt 2>&1
	ok $? "figures drawn ($(head -1 check.txt)); the paired difference by hand equals the stored one"
	sed 's/^/# /' check.txt | tail -3
else
	for _ in 1 2; do _n=$((_n + 1)); echo "ok $_n # skip python3-nbconvert or python3-ipykernel not installed (make test-deps)"; done
fi

if command -v Rscript > /dev/null && Rscript -e 'library(hdf5r)' > /dev/null 2>&1; then
	[ -f golan_events.h5 ] || "$ESCSIM" compare "$ROOT/scenarios/golan_2026.lua" -n 24 -s 7 --horizon 180d --events -o golan_events.h5 -q > /dev/null 2>&1
	[ -f sweep.h5 ] || "$ESCSIM" sweep "$ROOT/scenarios/golan_2026.lua" -n 6 -s 7 --horizon 180d \
		--vary cell.latency=log:15m:12h:4 --vary cell.accuracy=lin:0.6:1:3 -o sweep.h5 -q > /dev/null 2>&1
	mkdir -p rout
	Rscript "$ROOT/docs/notebooks/compare.R" golan_events.h5 sweep.h5 rout > r.txt 2>&1
	ok $? "compare.R runs"
	sed 's/^/# /' r.txt | head -20
	is "$(grep -c '^the report stored' r.txt):$(ls rout | tr '\n' ' ')" "1:distributions.png sweep.png " "it reads the stored report and draws both figures"
	contains r.txt "sweep: 12 points, latency h" "it reads the sweep with the key's units"
	if [ -f py_diff.txt ]; then
		contains r.txt "$(cat py_diff.txt)" "R's paired difference equals Python's"
	else
		d=$(sed -n 's/^difference //p' r.txt); s=$(sed -n 's/^the report stored //p' r.txt)
		is "$d" "$s" "R's paired difference equals the stored one"
	fi
else
	for _ in 1 2 3 4; do _n=$((_n + 1)); echo "ok $_n # skip Rscript or r-cran-hdf5r not installed (make test-deps)"; done
fi
exit $((_failed > 0))
