#!/usr/bin/env bash
# catalogue.t: the bad-input catalogue (tests/bad/catalogue.txt) as TAP.
#
# For each line FILE|EXIT|FRAGMENT, runs `$ESCSIM check tests/bad/FILE` and
# checks the exit status, that standard error holds the fragment, that
# nothing was printed on standard output (a scenario that fails validation
# must not look resolved), and that nothing was left behind: each check runs
# in an empty folder of its own (also its TMPDIR) that holds only a link to
# the repository's tests/, so the names stay tests/bad/FILE, and must find
# it so afterwards (the sandbox escapes try to write files there).  ESCSIM
# is set by make test; by default build/escsim.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/catalogue.sh"
cd "$root" || exit 1

read_catalogue "$here/catalogue.txt"

echo "1..${#lines[@]}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
n=0 failed=0
for line in "${lines[@]}"; do
	n=$((n + 1))
	file=${line%%|*}
	rest=${line#*|}
	want=${rest%%|*}
	frag=${rest#*|}
	rm -rf "$tmp/cwd" && mkdir "$tmp/cwd" && ln -s "$root/tests" "$tmp/cwd/tests"
	(cd "$tmp/cwd" && TMPDIR=$tmp/cwd "$ESCSIM" check "tests/bad/$file" >"$out" 2>"$err" </dev/null)
	status=$?
	problems=()
	left=$(cd "$tmp/cwd" && ls -A | grep -vx tests)
	[ -z "$left" ] || problems+=("left behind in its folder: $(echo $left)")
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
