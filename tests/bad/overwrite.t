#!/usr/bin/env bash
# overwrite.t: no command writes over one of its inputs, over a file that is
# not an escsim result, or replaces an existing file with a failed or
# interrupted one (spec section 2).  Each refusal is exit 2 before anything
# runs, with the file left byte for byte; long output names work; FIFOs and
# devices are refused as inputs at once, never waited on.
. "$(dirname "$0")/../cli/tap.sh"
cd "$TMP"
plan 44
G="$ROOT/scenarios/golan_2026.lua"

mkdir -p scen
cat > scen/s.lua <<'LUA'
local m = require("mymod")
return scenario { name = "s", horizon = days(3), parties = { { name = "A" }, { name = "B" } },
                  zones = { m.zone } }
LUA
echo 'return { zone = "z" }' > scen/mymod.lua
ln -s s.lua scen/link.lua
ln scen/s.lua scen/hard.lua
cp scen/s.lua scen/out.h5.partial
sums() { sha256sum scen/s.lua scen/mymod.lua scen/out.h5.partial; }
before=$(sums)

# refused: exit2 NAME FRAGMENT ARGS...: exit 2, the fragment, no file made
refused() {
	local name=$1 frag=$2
	shift 2
	"$ESCSIM" "$@" > /dev/null 2> r.err
	local st=$?
	is $st 2 "$name: exit 2"
	contains r.err "$frag" "$name: the message says why"
}
refused "-o the scenario" "'scen/s.lua' is the scenario file: escsim does not write over its inputs" \
	run -n 2 -o scen/s.lua scen/s.lua
refused "-o the scenario spelled otherwise" "is the scenario file" run -n 2 -o scen/./s.lua scen/s.lua
refused "-o a symbolic link to the scenario" "'scen/link.lua' is the scenario file" run -n 2 -o scen/link.lua scen/s.lua
refused "-o a hard link to the scenario" "'scen/hard.lua' is the scenario file" compare -n 2 -o scen/hard.lua scen/s.lua
refused "-o a module the scenario loads" "'scen/mymod.lua' is the module 'mymod' the scenario loads" \
	run -n 2 -o scen/mymod.lua scen/s.lua
refused "-o whose .partial is the scenario" "'scen/out.h5.partial' is the scenario file" \
	run -n 2 -o scen/out.h5 scen/out.h5.partial
refused "--resume the scenario" "is the scenario file" run -n 2 --resume scen/s.lua scen/s.lua
is "$(sums)" "$before" "the scenario and its module are unchanged, byte for byte"
is "$(ls scen | tr '\n' ' ')" "hard.lua link.lua mymod.lua out.h5.partial s.lua " "nothing else was written next to them"

# Files that are not escsim results are not written over.
echo "my notes" > notes.txt
$PY -c 'import h5py; h = h5py.File("theirs.h5", "w"); h["x"] = [1, 2]' 2> /dev/null
nsum=$(sha256sum notes.txt theirs.h5)
refused "-o a text file" "'notes.txt' exists and is not an escsim result file that escsim may replace" \
	run "$G" -n 2 --horizon 3d -o notes.txt
refused "-o another program's HDF5 file" "'theirs.h5' exists and is not an escsim result file" \
	compare "$G" -n 2 --horizon 3d -o theirs.h5
"$ESCSIM" run "$G" -n 2 --horizon 3d -o a.h5 --quiet > /dev/null 2>&1
"$ESCSIM" run "$G" -n 2 --rep-offset 2 --horizon 3d -o b.h5 --quiet > /dev/null 2>&1
refused "merge -o a text file" "'notes.txt' exists and is not an escsim result file" merge -o notes.txt a.h5 b.h5
refused "merge -o a shard under another name" "'./a.h5' is both a shard and the output (the same file under another name)" \
	merge -o ./a.h5 a.h5 b.h5
is "$(sha256sum notes.txt theirs.h5)" "$nsum" "the text file and the foreign HDF5 file are unchanged"

# An escsim result is replaced by a complete run, never by a failed or
# interrupted one: what that one finished goes to .partial.
"$ESCSIM" run "$G" -n 2 -s 7 --horizon 3d -o a.h5 --quiet > /dev/null 2>&1
is $? 0 "a complete run replaces an existing result"
is "$($PY -c 'import h5py; print(int(h5py.File("a.h5", "r").attrs["seed"]))')" 7 "it holds the new run (seed 7)"
sum=$(sha256sum < a.h5)
# interrupted NAME ERR: a long run to NAME, stopped with SIGINT once it
# has been writing NAME.partial for half a second; its exit status.
interrupted() {
	"$ESCSIM" compare "$G" -n 1000000 --horizon 30d -o "$1" --quiet > /dev/null 2> "$2" &
	local pid=$!
	for _ in $(seq 100); do [ -e "$1.partial" ] && break; sleep 0.05; done
	sleep 0.5
	kill -INT $pid
	wait $pid
}
interrupted a.h5 int.err
is $? 3 "an interrupted run to an existing result: exit 3"
is "$(sha256sum < a.h5)" "$sum" "the existing a.h5 is unchanged, byte for byte"
contains int.err "finished replications kept in 'a.h5.partial' (marked incomplete, and the existing file under that name is unchanged)" "the message says where the finished replications are"
"$ESCSIM" inspect a.h5.partial > /dev/null 2>&1
ok $? "a.h5.partial is a readable result file"
interrupted new.h5 new.err
is $? 3 "an interrupted run to a new name: exit 3"
test -e new.h5 -a ! -e new.h5.partial; ok $? "it keeps its replications under the name (nothing was there)"

# A long output name: its .partial name would pass 255 bytes, so it is
# shortened (a digest of the name), the same every time: a killed run is
# found again by --resume.
long=$(printf 'r%.0s' $(seq 247)).h5
"$ESCSIM" run "$G" -n 3 --horizon 3d -o "$long" --quiet > /dev/null 2> long.err
ok $? "a 250-character -o name works"
test -e "$long"; ok $? "the file is under that name"
rm -f "$long"
# 100,000 replications of 10 days: about 2 s on an idle machine, so the kill
# lands mid-run (20,000 could finish within the half second on one).
"$ESCSIM" run "$G" -n 100000 --horizon 10d --flush-every 0.1 -o "$long" --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -n "$(ls | grep '~.*\.partial$')" ] && break; sleep 0.05; done
sleep 0.5
kill -9 $pid
wait $pid 2> /dev/null
p=$(ls | grep '~.*\.partial$')
[ -n "$p" ] && [ ${#p} -le 255 ]; ok $? "killed: its .partial has a shortened name of ${#p} bytes"
"$ESCSIM" run "$G" -n 100000 --horizon 10d --flush-every 0.1 --resume "$long" > /dev/null 2> lres.err
st=$?
[ $st = 0 ] && [ -e "$long" ] && [ -z "$(ls | grep '~.*\.partial$')" ]
ok $? "--resume finds and completes it (exit $st)"

# FIFOs and devices as inputs: refused at once, never waited on.
mkfifo pipe
for c in inspect report; do
	timeout 10 "$ESCSIM" $c pipe > /dev/null 2> f.err
	is $? 2 "$c of a FIFO: exit 2 at once"
	contains f.err "cannot open 'pipe': it is a FIFO (named pipe), not a result file" "$c of a FIFO: the message says so"
done
timeout 10 "$ESCSIM" merge -o m.h5 a.h5 pipe > /dev/null 2> f.err
is $? 2 "merge of a FIFO: exit 2 at once"
timeout 10 "$ESCSIM" check pipe > /dev/null 2> f.err
is $? 2 "check of a FIFO as the scenario: exit 2 at once"
timeout 10 "$ESCSIM" inspect /dev/zero > /dev/null 2> f.err
is $? 2 "inspect of /dev/zero: exit 2 at once"
