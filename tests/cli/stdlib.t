#!/usr/bin/env bash
# The sandbox's string.find, match, gmatch and gsub (sim/lua/pattern.c, a
# matcher that checks the CPU-time budget) and its string.rep, table.move
# and table.sort (sim/lua/stdlib_lua.c) give what Lua's own give: the
# results and the error messages of tests/cli/stdlib.lua, about 1,600
# fixed and random cases, from `escsim check` and from the stock lua5.4,
# compared line by line.  Skipped when lua5.4 is not installed.
. "$(dirname "$0")/tap.sh"
plan 3
if ! command -v lua5.4 > /dev/null; then
	for i in 1 2 3; do echo "ok $i # skip lua5.4 is not installed"; done
	exit 0
fi
cd "$ROOT"
lua5.4 tests/cli/stdlib.lua > "$TMP/lua.txt" 2>&1
ok $? "lua5.4 runs the cases"
"$ESCSIM" check tests/cli/stdlib.lua > /dev/null 2> "$TMP/raw.txt"
ok $? "escsim runs them in the sandbox"
sed 's/^\[lua\] //' "$TMP/raw.txt" > "$TMP/escsim.txt"
diff "$TMP/lua.txt" "$TMP/escsim.txt" > "$TMP/diff.txt"
ok $? "the same $(wc -l < "$TMP/lua.txt") lines of results and errors"
head -20 "$TMP/diff.txt" | sed 's/^/# /'
[ "$_failed" -eq 0 ]
