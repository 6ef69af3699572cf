#!/usr/bin/env bash
# Worker threads: -j 1, -j 2 and -j 3 write identical runs, daily, events and
# messages tables (every row depends only on seed, replication and arm);
# memory stays flat as replications grow; progress on a terminal, one final
# line otherwise.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 18
G="$ROOT/scenarios/golan_2026.lua"
OPTS=(-n 60 -s 11 --events --horizon 120d)

for j in 1 2 3; do
	mkdir -p j$j
	"$ESCSIM" compare "$G" "${OPTS[@]}" -j $j -o j$j/r.h5 > j$j/out 2> j$j/err
	ok $? "compare -j $j exits 0"
done
same=0
for j in 2 3; do
	for arm in cell no_cell; do
		for t in runs daily events messages; do
			h5diff -q j1/r.h5 j$j/r.h5 /arms/$arm/$t /arms/$arm/$t > /dev/null 2>&1 ||
				{ same=1; echo "# -j $j differs in /arms/$arm/$t"; }
		done
	done
done
ok $same "-j 2 and -j 3 tables identical to -j 1 (runs, daily, events, messages of both arms)"
$PY - j1/r.h5 > py.txt 2>&1 <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as h:
    for arm in ("cell", "no_cell"):
        assert list(h["/arms/%s/runs" % arm]["rep"]) == list(range(60)), arm
        d = h["/arms/%s/daily" % arm]["rep"]
        assert (d[1:] >= d[:-1]).all(), "daily rows in replication order"
        e = h["/arms/%s/events" % arm]["rep"]
        assert len(e) > 0 and (e[1:] >= e[:-1]).all(), "events rows in replication order"
        m = h["/arms/%s/messages" % arm]["rep"]
        assert (m[1:] >= m[:-1]).all() and set(m) <= set(range(60)), "messages rows in replication order"
    # The cell arm queries its cell: its messages table cannot be empty.
    n = len(h["/arms/cell/messages"])
    assert n > 0, "no message in the cell arm"
    print("cell arm: %d messages" % n)
PYEOF
ok $? "rows in replication order (runs, daily, events, messages); the cell arm has messages"; sed 's/^/# /' py.txt
grep -c 'replications' j2/err > n.txt; is "$(cat n.txt)" 1 "stderr not a terminal: one final line"
contains j2/err "60 of 60 replications x 2 arms" "the final line counts replications and arms"
contains j3/err "3 threads" "the final line names the threads"
grep -q $'\r' j2/err; is $? 1 "no carriage-return progress when stderr is not a terminal"

# -j 0: one thread per online core, and the same tables as one thread.
"$ESCSIM" compare "$G" -n 10 -j 0 --horizon 30d -o j0.h5 > /dev/null 2> j0.err
ok $? "-j 0 (every core) runs"
cores=$(getconf _NPROCESSORS_ONLN)
[ "$cores" -gt 1 ] && want="$cores threads" || want="1 thread)"
contains j0.err "10 of 10 replications x 2 arms" "-j 0: every replication of both arms done"
contains j0.err "$want" "-j 0: the final line names one thread per core ($want)"
"$ESCSIM" compare "$G" -n 10 -j 1 --horizon 30d -o j0ref.h5 -q > /dev/null 2>&1
same=0
for arm in cell no_cell; do
	h5diff -q j0ref.h5 j0.h5 /arms/$arm/runs /arms/$arm/runs > /dev/null 2>&1 || { same=1; echo "# -j 0 differs in /arms/$arm/runs"; }
done
ok $same "-j 0 writes the runs tables of -j 1"
"$ESCSIM" compare "$G" -n 10 -j x -o bad.h5 > /dev/null 2> err
is $? 2 "-j x is a usage error"
contains err "-j/--threads: expected an integer from 0 to 4096, got 'x'" "-j x: the message says what was expected"

# A terminal: progress with done/total, rate and time left, redrawn in place.
# TERM is set here: CI's may be unset or "dumb", which turns progress off.
if command -v script > /dev/null && script -qec true /dev/null > /dev/null 2>&1; then
	TERM=xterm script -qec "'$ESCSIM' compare '$G' -n 150 --horizon 120d -j 2 -o tty.h5 > /dev/null" /dev/null > tty.txt 2>&1
	grep -q $'\r' tty.txt && grep -q '/150 replications' tty.txt && grep -q 'left' tty.txt
	ok $? "on a terminal: progress line (done/total, rate, time left)"
else
	echo "ok $((_n += 1)) # skip script(1) missing or no pseudo-terminal here"
fi

# Memory stays flat: peak RSS of 4000 replications within a few MB of 200.
# Not under a sanitizer or valgrind, whose own memory is not the program's.
if ! head -c 4 "$ESCSIM" | grep -q ELF || ldd "$ESCSIM" 2> /dev/null | grep -q 'lib[at]san'; then
	echo "ok $((_n += 1)) # skip peak RSS: escsim runs under a sanitizer or a wrapper"
else
$PY - "$ESCSIM" "$G" > rss.txt 2>&1 <<'PYEOF'
import resource, subprocess, sys
esc, g = sys.argv[1:3]
def peak(n):
    r = subprocess.run([esc, "compare", g, "-n", str(n), "--horizon", "20d", "--events",
                        "-j", "2", "-o", "rss%d.h5" % n, "-q"], capture_output=True)
    assert r.returncode == 0, r.stderr
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss   # KiB, max so far
small = peak(200)
big = peak(4000)
print("peak RSS KiB: 200 reps %d, 4000 reps %d" % (small, big))
assert big <= small * 1.15 + 8192, (small, big)
PYEOF
ok $? "peak RSS flat from 200 to 4000 replications"; sed 's/^/# /' rss.txt
fi
test -z "$(ls *.partial j*/*.partial 2> /dev/null)"; ok $? "no partial file left"
