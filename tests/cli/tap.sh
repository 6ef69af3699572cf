# tap.sh: a few TAP helpers for the end-to-end shell tests (sourced).
# Each test file sources this, calls `plan N`, then `ok COND NAME` etc.
set -u
ESCSIM=${ESCSIM:-$(pwd)/build/escsim}
PY=/usr/bin/python3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ESCSIM_PATH="$ROOT/scenarios"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
_n=0
_failed=0

plan() { echo "1..$1"; }

# ok STATUS NAME: STATUS is a command's exit code (0 = pass).
ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}

# todo STATUS NAME REASON: as ok, for a check of a known bug not yet
# fixed (TAP's "# TODO"): printed and counted by prove, but its failure does
# not fail the test file.  REASON says what is wrong and where it is tracked.
todo() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2 # TODO $3"
	else echo "not ok $_n - $2 # TODO $3"; fi
}

# is GOT WANT NAME
is() {
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_n - $3"
	else echo "not ok $_n - $3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; _failed=$((_failed + 1)); fi
}

# contains FILE FRAGMENT NAME
contains() {
	_n=$((_n + 1))
	if grep -qF -- "$2" "$1"; then echo "ok $_n - $3"
	else echo "not ok $_n - $3"; echo "#   '$2' not in:"; sed 's/^/#     /' "$1" | head -20; _failed=$((_failed + 1)); fi
}

# interrupt SIG FILE READY CMD...: run CMD in the background (standard
# output to /dev/null, standard error to ./err); once FILE.partial exists
# (the run has checked its output and started), wait a little, send SIG and
# let it end: its exit status in $rc.  READY, a shell test of what it left,
# says whether the signal came late enough for what the test checks (a
# replication finished); on a busy machine it may not: then the run is
# tried again, waiting twice as long each time (0.25 s, 0.5 s, ..., 7
# tries), as resume.t's loop does.  Returns 1 when no try was READY, or
# when the run ended on its own.
interrupt() {
	local sig=$1 file=$2 ready=$3 wait_s=0.25 try pid
	shift 3
	for try in 1 2 3 4 5 6 7; do
		rm -f "$file.partial"
		"$@" > /dev/null 2> err &
		pid=$!
		for _ in $(seq 600); do
			{ [ -e "$file.partial" ] || ! kill -0 "$pid" 2> /dev/null; } && break
			sleep 0.1
		done
		sleep "$wait_s"
		kill -"$sig" "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
		rc=$?
		eval "$ready" && return 0
		# Not stopped by the signal (exit 3, or 128 + 9 for SIGKILL): it
		# failed on its own, and trying again would not help.
		[ "$rc" = "$([ "$sig" = KILL ] && echo 137 || echo 3)" ] ||
			{ echo "# the run ended with exit $rc, not by SIG$sig"; return 1; }
		echo "# try $try: SIG$sig ${wait_s} s after $file.partial appeared was too early (exit $rc): again, waiting longer"
		wait_s=$(awk -v w="$wait_s" 'BEGIN { print w * 2 }')
	done
	return 1
}

# reps_in FILE: replications in FILE's first arm's runs table (0 if none).
reps_in() {
	$PY -c 'import sys, h5py
h = h5py.File(sys.argv[1], "r")
print(len(h["arms"][sorted(h["arms"])[0]]["runs"]))' "$1" 2> /dev/null || echo 0
}

# same_tables A B: 0 if every table under /arms and /failures of result
# file A is in B with the same rows, bit for bit (h5diff), and B has no
# other.
tables_of() {
	h5ls -r "$1" 2> /dev/null |
		awk '$2 == "Dataset" && ($1 ~ /^\/arms\// || $1 == "/failures") { print $1 }' | sort
}
same_tables() {
	local la lb t
	la=$(tables_of "$1")
	lb=$(tables_of "$2")
	[ -n "$la" ] && [ "$la" = "$lb" ] || return 1
	for t in $la; do
		h5diff -q "$1" "$2" "$t" "$t" > /dev/null 2>&1 || return 1
	done
}
