#!/usr/bin/env bash
# fit.t: bad inputs to escsim fit (tests/bad/fit.txt) as TAP.
#
# For each line EXIT|FRAGMENT|ARGUMENTS: runs `$ESCSIM ARGUMENTS` in an
# empty folder and checks the exit status, that standard error holds the
# fragment (its " ... "-separated parts in order), that the folder is still
# empty afterwards, and that the fixtures in tests/bad/fit are unchanged.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ESCSIM=${ESCSIM:-$root/build/escsim}
export ESCSIM_PATH="$root/scenarios"
D=$here/fit
S=$root/tests/validation/fit/recovery.lua

if [ ! -x "$ESCSIM" ]; then
	echo "Bail out! escsim not found at $ESCSIM (build it with make, or set ESCSIM)"
	exit 1
fi
lines=()
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in ''|'#'*) continue ;; esac
	lines+=("$line")
done < "$here/fit.txt"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fx_sum() { (cd "$D" && cksum ./*); }
fx_before=$(fx_sum)

echo "1..${#lines[@]}"
n=0 failed=0
for line in "${lines[@]}"; do
	n=$((n + 1))
	want=${line%%|*}
	rest=${line#*|}
	frag=${rest%%|*}
	args=${rest#*|}
	eval "set -- $args"
	work=$TMP/case$n
	mkdir -p "$work"
	(cd "$work" && exec "$ESCSIM" "$@") > "$TMP/out" 2> "$TMP/err" < /dev/null
	status=$?
	problems=()
	[ "$status" = "$want" ] || problems+=("exit status $status, expected $want")
	rest=$(cat "$TMP/err")
	parts=()
	while :; do
		case $frag in
		*" ... "*) parts+=("${frag%% ... *}"); frag=${frag#* ... } ;;
		*) parts+=("$frag"); break ;;
		esac
	done
	for p in "${parts[@]}"; do
		case $rest in
		*"$p"*) rest=${rest#*"$p"} ;;
		*) problems+=("message fragment not found (in order): $p") ;;
		esac
	done
	[ -s "$TMP/out" ] && problems+=("standard output is not empty")
	left=$(ls -A "$work")
	[ -z "$left" ] || problems+=("files left behind: $(echo $left)")
	now=$(fx_sum)
	[ "$now" = "$fx_before" ] || { problems+=("the fixtures in tests/bad/fit changed"); fx_before=$now; }
	name="escsim ${args//\$D\//}"
	if [ ${#problems[@]} -eq 0 ]; then
		echo "ok $n - $want: $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $want: $name"
		for p in "${problems[@]}"; do echo "#   $p"; done
		sed 's/^/#   stderr: /' "$TMP/err" | head -20
	fi
	rm -rf "$work"
done
[ "$failed" -eq 0 ]
