# catalogue.sh: running a catalogue of bad command lines (sourced by cli.t,
# fit.t and catalogue.t, which set $here to their folder first).
#
# Sourcing it sets root (the tree), ESCSIM (default: the tree's
# build/escsim) and ESCSIM_PATH (the scenario library, which bad scenarios
# may use as real ones do), and bails out when there is no escsim.
#
# A catalogue line is EXIT|FRAGMENT|ARGUMENTS.  run_catalogue FILE runs
# `$ESCSIM ARGUMENTS` (split as the shell would, after expanding the
# caller's variables) for each line, in an empty folder under $TMP, and
# checks the exit status, that standard error holds FRAGMENT (its
# " ... "-separated parts, in that order), that the folder is still empty
# afterwards (no result, no NAME.partial), and that `catalogue_fixtures`
# (a function the caller defines, printing a checksum of the files the
# commands read) prints the same before and after.  With
# CATALOGUE_STDOUT_EMPTY=1, standard output must be empty too; the variables
# named in CATALOGUE_FRAG_VARS are expanded in fragments as well.  Prints
# TAP.

root=$(cd "$here/../.." && pwd)
ESCSIM=${ESCSIM:-$root/build/escsim}
export ESCSIM_PATH="$root/scenarios"
if [ ! -x "$ESCSIM" ]; then
	echo "Bail out! escsim not found at $ESCSIM (build it with make, or set ESCSIM)"
	exit 1
fi

# The lines of a catalogue, comments and blank lines left out, into lines[].
read_catalogue() {
	lines=()
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in ''|'#'*) continue ;; esac
		lines+=("$line")
	done < "$1"
}

# The fragment's parts, in order, in the text; the missing ones into problems[].
fragments_in_order() {  # TEXT FRAGMENT
	local rest=$1 frag=$2 p parts=()
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
}

run_catalogue() {  # FILE
	read_catalogue "$1"
	echo "1..${#lines[@]}"
	local n=0 failed=0 before now line want rest frag args work status left name v
	before=$(catalogue_fixtures)
	for line in "${lines[@]}"; do
		n=$((n + 1))
		want=${line%%|*}
		rest=${line#*|}
		frag=${rest%%|*}
		args=${rest#*|}
		for v in ${CATALOGUE_FRAG_VARS:-}; do frag=${frag//\$$v/${!v}}; done
		eval "set -- $args"
		work=$TMP/case$n
		mkdir -p "$work"
		(cd "$work" && exec "$ESCSIM" "$@") > "$TMP/out" 2> "$TMP/err" < /dev/null
		status=$?
		problems=()
		[ "$status" = "$want" ] || problems+=("exit status $status, expected $want")
		fragments_in_order "$(cat "$TMP/err")" "$frag"
		[ "${CATALOGUE_STDOUT_EMPTY:-0}" = 1 ] && [ -s "$TMP/out" ] && problems+=("standard output is not empty")
		left=$(ls -A "$work")
		[ -z "$left" ] || problems+=("files left behind: $(echo $left)")
		now=$(catalogue_fixtures)
		[ "$now" = "$before" ] || { problems+=("the files the commands read changed"); before=$now; }
		name="escsim $args"
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
}
