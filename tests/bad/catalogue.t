#!/usr/bin/env bash
# catalogue.t: the bad-input catalogue (tests/bad/catalogue.txt) as TAP.
#
# For each line FILE|EXIT|FRAGMENT, runs `$ESCSIM check tests/bad/FILE` from
# the repository root and checks the exit status, that standard error holds
# the fragment, and that nothing was printed on standard output (a scenario
# that fails validation must not look resolved).  ESCSIM is set by make test;
# by default build/escsim.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/catalogue.sh"
cd "$root" || exit 1

read_catalogue "$here/catalogue.txt"

echo "1..${#lines[@]}"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
n=0 failed=0
for line in "${lines[@]}"; do
	n=$((n + 1))
	file=${line%%|*}
	rest=${line#*|}
	want=${rest%%|*}
	frag=${rest#*|}
	"$ESCSIM" check "tests/bad/$file" >"$out" 2>"$err" </dev/null
	status=$?
	problems=()
	[ "$status" = "$want" ] || problems+=("exit status $status, expected $want")
	grep -qF -- "$frag" "$err" || problems+=("message fragment not found: $frag")
	[ ! -s "$out" ] || problems+=("standard output is not empty")
	if [ ${#problems[@]} -eq 0 ]; then
		echo "ok $n - $file"
	else
		failed=$((failed + 1))
		echo "not ok $n - $file"
		for p in "${problems[@]}"; do echo "#   $p"; done
		sed 's/^/#   stderr: /' "$err"
	fi
done
[ "$failed" -eq 0 ]
