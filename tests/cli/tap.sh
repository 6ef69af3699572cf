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
