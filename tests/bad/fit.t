#!/usr/bin/env bash
# fit.t: bad inputs to escsim fit (tests/bad/fit.txt) as TAP: the exit
# status, the message (with file:line and column for a bad row), nothing
# written, nothing on standard output, the fixtures in tests/bad/fit
# unchanged (catalogue.sh runs the lines).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/catalogue.sh"
D=$here/fit
S=$root/tests/validation/fit/recovery.lua
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
catalogue_fixtures() { (cd "$D" && cksum ./*); }
CATALOGUE_STDOUT_EMPTY=1 run_catalogue "$here/fit.txt"
