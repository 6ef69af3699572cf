#!/usr/bin/env bash
# run.sh: a small mutation run (make mutate; docs/testing.md).
#
#   tests/mutate/run.sh [LIST]        LIST defaults to tests/mutate/mutants.txt
#
# Copies the working tree (tracked files and new ones git does not ignore,
# as they are now, uncommitted changes included) into a scratch folder,
# never touching the tree itself; builds it and runs every test the list
# names once unmutated (a test failing there would make every mutant look
# killed: the run stops).  Then, one mutant at a time: replaces the exact
# text in the named file, rebuilds what the mutant's tests need, runs those
# tests under prove, and puts the file back.  Prints the kill table:
#
#   KILLED     a test failed; the table names it and its first failing check
#   SURVIVED   every test passed: a hole in the suite
#   STALE      the text is not in the file (the code moved): mend the list
#   AMBIGUOUS  the text is there more than once: make it longer
#   NO BUILD   the mutant does not compile: write one that does
#
# Exit status 0 when every mutant is KILLED, 1 otherwise, 2 when the run
# could not be made (bad list, unmutated build or test failing).
#
# Environment: MUTATE_JOBS (make -j, default 2), MUTATE_TIMEOUT (seconds per
# test, default 900; a test that hangs counts as killing), MUTATE_KEEP=1
# keeps the scratch folder and its logs, MUTATE_ONLY=NAME runs that mutant
# alone (a substring of the names).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
list=${1:-$root/tests/mutate/mutants.txt}
jobs=${MUTATE_JOBS:-2}
limit=${MUTATE_TIMEOUT:-900}
only=${MUTATE_ONLY:-}
PY=/usr/bin/python3

die() { echo "mutate: $*" >&2; exit 2; }
[ -r "$list" ] || die "cannot read the mutant list '$list'"

# ---- the list ---------------------------------------------------------------
# A mutant is a header line `NAME FILE TEST...` then `- TEXT` (exact text
# of FILE, found exactly once) and `+ TEXT` (what replaces it); in both,
# \n stands for a line break and \\n for a backslash and n.  `#` lines and
# blank lines are comments.
names=() files=() tests=() olds=() news=()
lineno=0 cur=-1
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in
	'' | '#'*) continue ;;
	'- '*)
		[ "$cur" -ge 0 ] && [ -z "${olds[$cur]}" ] || die "$list:$lineno: '- TEXT' belongs right after a header line"
		olds[$cur]=${line:2} ;;
	'+ '*)
		[ "$cur" -ge 0 ] && [ -n "${olds[$cur]}" ] && [ -z "${news[$cur]}" ] ||
			die "$list:$lineno: '+ TEXT' belongs right after the mutant's '- TEXT'"
		news[$cur]=${line:2}
		[ "${news[$cur]}" != "${olds[$cur]}" ] || die "$list:$lineno: the replacement is the text itself" ;;
	*)
		[ "$cur" -lt 0 ] || [ -n "${news[$cur]}" ] || die "$list:$lineno: mutant '${names[$cur]}' has no '- TEXT' and '+ TEXT'"
		read -r -a f <<< "$line"
		[ ${#f[@]} -ge 3 ] || die "$list:$lineno: expected 'NAME FILE TEST...', got '$line'"
		for n in "${names[@]}"; do [ "$n" != "${f[0]}" ] || die "$list:$lineno: mutant '$n' named twice"; done
		cur=$((cur + 1))
		names[$cur]=${f[0]} files[$cur]=${f[1]} tests[$cur]="${f[*]:2}" olds[$cur]='' news[$cur]=''
		[ -f "$root/${files[$cur]}" ] || die "$list:$lineno: no file '${files[$cur]}'"
		for t in "${f[@]:2}"; do
			case "$t" in
			*.t) [ -f "$root/$t" ] || die "$list:$lineno: no test script '$t'" ;;
			*) [ -f "$root/$t.c" ] || die "$list:$lineno: no test source '$t.c'" ;;
			esac
		done ;;
	esac
done < "$list"
[ "$cur" -ge 0 ] || die "$list: no mutant"
[ -n "${news[$cur]}" ] || die "$list: mutant '${names[$cur]}' has no '- TEXT' and '+ TEXT'"

# ---- the scratch copy -------------------------------------------------------
scratch=$(mktemp -d "${TMPDIR:-/tmp}/escsim-mutate-XXXXXX") || die "cannot make a scratch folder"
if [ "${MUTATE_KEEP:-0}" = 1 ]; then
	echo "mutate: scratch copy kept in $scratch"
else
	trap 'rm -rf "$scratch"' EXIT
fi
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' p; do [ -e "$p" ] && printf '%s\0' "$p"; done |
	tar --null -T - -cf -) | tar -C "$scratch" -xf - || die "cannot copy the tree into $scratch"
mkdir -p "$scratch/mutate-logs"
export ESCSIM="$scratch/build/escsim" BUILD="$scratch/build" CMOCKA_MESSAGE_OUTPUT=TAP
unset ESCSIM_MPI

# What a test needs built: the binary for a C test, escsim for a script.
target_of() { case "$1" in *.t) echo build/escsim ;; *) echo "build/$1" ;; esac; }
path_of() { case "$1" in *.t) echo "$scratch/$1" ;; *) echo "$scratch/build/$1" ;; esac; }

build() {  # build TEST... : 0 when everything they need is built
	local targets=() t
	for t in "$@"; do targets+=("$(target_of "$t")"); done
	make -C "$scratch" --no-print-directory -j"$jobs" BUILD=build "${targets[@]}" > "$scratch/mutate-logs/build.log" 2>&1
}

# run TEST LOG: prove's verdict (0 = passed); the log keeps its output.
run_test() {
	(cd "$scratch" && timeout "$limit" prove -v --merge -e '' "$(path_of "$1")") > "$2" 2>&1
}

# failures LOG: a prove -v log's failing checks (the first three), in one
# line; else what prove said was wrong (a bad plan, an exit status).
failures() {
	local s
	s=$(grep -E '^not ok' "$1" | head -3 | sed -E 's/^not ok ([0-9]+) - /#\1 /' | cut -c1-60 |
		awk '{ printf "%s%s", (NR > 1 ? "; " : ""), $0 }')
	[ -n "$s" ] || s=$(grep -m1 -E 'Bad plan|Dubious|Parse errors|No plan|No subtests' "$1" | sed 's/^ *//')
	[ -n "$s" ] || s="prove failed (see $1)"
	printf '%s' "$s"
}

# apply FILE OLD NEW: 0 applied, 3 not found, 4 found more than once.
apply() {
	"$PY" - "$@" <<'PYEOF'
import sys
path, old, new = sys.argv[1:4]
def unescape(t):
    return t.replace("\\\\n", "\0").replace("\\n", "\n").replace("\0", "\\n")
old, new = unescape(old), unescape(new)
with open(path, encoding="utf-8") as f:
    text = f.read()
n = text.count(old)
if n != 1:
    sys.exit(3 if n == 0 else 4)
with open(path, "w", encoding="utf-8") as f:
    f.write(text.replace(old, new))
PYEOF
}

# ---- unmutated ---------------------------------------------------------------
all_tests=()
for i in "${!names[@]}"; do
	[ -z "$only" ] || [[ "${names[$i]}" == *"$only"* ]] || continue
	for t in ${tests[$i]}; do
		case " ${all_tests[*]} " in *" $t "*) ;; *) all_tests+=("$t") ;; esac
	done
done
[ ${#all_tests[@]} -gt 0 ] || die "no mutant matches MUTATE_ONLY='$only'"
echo "mutate: building the unmutated copy in $scratch"
build "${all_tests[@]}" || { tail -20 "$scratch/mutate-logs/build.log" >&2; die "the unmutated tree does not build"; }
for t in "${all_tests[@]}"; do
	echo "mutate: unmutated: $t"
	run_test "$t" "$scratch/mutate-logs/unmutated.$(basename "$t").log" ||
		die "$t fails without any mutant ($(failures "$scratch/mutate-logs/unmutated.$(basename "$t").log")): fix that first"
done

# ---- each mutant -------------------------------------------------------------
results=() killers=() bad=0
for i in "${!names[@]}"; do
	name=${names[$i]} file=$scratch/${files[$i]}
	if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
	cp "$file" "$scratch/mutate-logs/original"
	apply "$file" "${olds[$i]}" "${news[$i]}"
	st=$?
	result='' killer=''
	case $st in
	0) ;;
	3) result=STALE killer="text not found in ${files[$i]}" ;;
	4) result=AMBIGUOUS killer="text found more than once in ${files[$i]}" ;;
	*) die "cannot apply mutant $name" ;;
	esac
	if [ -z "$result" ]; then
		echo "mutate: $name: ${files[$i]}"
		if ! build ${tests[$i]}; then
			result="NO BUILD" killer="the mutant does not compile (mutate-logs/build.log)"
			cp "$scratch/mutate-logs/build.log" "$scratch/mutate-logs/$name.build.log"
		else
			for t in ${tests[$i]}; do
				log=$scratch/mutate-logs/$name.$(basename "$t").log
				if ! run_test "$t" "$log"; then
					result=KILLED
					killer+="${killer:+ | }$(basename "$t"): $(failures "$log")"
				fi
			done
			[ -n "$result" ] || { result=SURVIVED killer="passed: ${tests[$i]}"; }
		fi
	fi
	# Put the file back, with a new time stamp so that make rebuilds from it.
	if [ "$st" = 0 ]; then
		cat "$scratch/mutate-logs/original" > "$file"
		touch "$file"
	fi
	echo "mutate: $name: $result"
	results[$i]=$result killers[$i]=$killer
	[ "$result" = KILLED ] || bad=$((bad + 1))
done

# ---- the kill table -----------------------------------------------------------
echo
printf '%-32s %-9s %s\n' mutant result "test that killed it (its first failing check)"
for i in "${!names[@]}"; do
	[ -n "${results[$i]:-}" ] || continue
	printf '%-32s %-9s %s\n' "${names[$i]}" "${results[$i]}" "${killers[$i]}"
done
echo
if [ "$bad" -eq 0 ]; then
	echo "mutate: every mutant killed"
	exit 0
fi
echo "mutate: $bad mutant(s) not killed"
exit 1
