#!/usr/bin/env bash
# escsim report --html: one self-contained page.  Static checks: no
# script, stylesheet link, image file or URL to load; every /summary table,
# the provenance and one inline <svg> per plot plots.py draws; a sweep's
# and a Saltelli sweep's sensitivity section (the page shows any /summary
# table).
# In headless Chromium (Debian's chromium, where installed): the DOM has
# the figures, the screenshot shows them (the plots' colours, absent from
# a page made with --no-figures), and the console has no message.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 17
G="$ROOT/scenarios/golan_2026.lua"

"$ESCSIM" compare "$G" -n 10 -s 2 --horizon 60d --events -o c.h5 -q > /dev/null 2>&1
ok $? "compare --events writes c.h5"
"$ESCSIM" report c.h5 --html page.html > out.txt 2> err.txt
ok $? "report --html exits 0"
is "$(cat out.txt err.txt)" "" "nothing on stdout or stderr (no --csv or --json: no text report)"
"$ESCSIM" report c.h5 --plots figs --no-store > /dev/null 2>&1
nsvg=$(ls figs/*.svg | wc -l)
is "$(grep -o '<svg' page.html | wc -l)" "$nsvg" "one inline <svg> per plot plots.py draws ($nsvg)"
is "$(grep -ciP '<script|<link|<img|<iframe|<object|@import|url\((?!#)|(src|href)="?(https?:|//)' page.html)" "0" \
	"nothing to load: no script, link, image, import or URL"
for t in metrics differences binary tails survival_median; do printf '%s\n' "/summary/$t"; done > want.txt
missing=$(while read -r t; do grep -qF "$t" page.html || echo "$t"; done < want.txt)
is "$missing" "" "every summary table is on the page"
contains page.html "<th class=t>scenario_sha256</th>" "the provenance is on the page"

# A Saltelli sweep: its report stores /summary/sensitivity, which the page
# shows beside the sweep's own section.
"$ESCSIM" sweep "$G" -n 4 --horizon 30d --design saltelli --points 4 \
	--vary cell.latency=log:30m:8h --vary cell.accuracy=lin:0.5:1 -o s.h5 -q > /dev/null 2>&1
"$ESCSIM" report s.h5 --html sweep.html > /dev/null 2> err.txt
ok $? "report --html on a sweep"
contains sweep.html "<h2 id=sweep>Sweep</h2>" "a sweep section"
contains sweep.html "/sweep/points: the design points" "... with the design points"
contains sweep.html "<h2 id=sensitivity>Sensitivity</h2>" "a sensitivity section when /summary/sensitivity is there"
contains sweep.html "<td class=t>misattributed_retaliations</td><td class=t>cell.accuracy</td>" "... with its rows, labels decoded"

"$ESCSIM" report c.h5 --html c.h5 > /dev/null 2> e.txt
is "$?:$(cat e.txt)" "2:escsim: --html: 'c.h5' is the result file itself: give another name" "the result file as the page: exit 2"

# Headless Chromium.
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	for _ in 1 2 3 4; do
		_n=$((_n + 1)); echo "ok $_n # skip chromium not installed (make test-deps)"
	done
	exit $((_failed > 0))
fi
"$ESCSIM" report c.h5 --html bare.html --no-figures > /dev/null 2>&1
chrome() {   # chrome PROFILE ARGS...: the flags this machine needs
	local prof=$1; shift
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$TMP/$prof" --enable-logging=stderr --v=0 "$@"
}
chrome p1 --dump-dom "file://$TMP/page.html" > dom.html 2> dom.err
is "$(grep -o '<svg' dom.html | wc -l)" "$nsvg" "Chromium's DOM holds the $nsvg figures"
chrome p2 --window-size=1280,2600 --screenshot="$TMP/page.png" "file://$TMP/page.html" > /dev/null 2> shot.err
chrome p3 --window-size=1280,2600 --screenshot="$TMP/bare.png" "file://$TMP/bare.html" > /dev/null 2>> shot.err
cat > pixels.py <<'PYEOF'
import sys
from PIL import Image
def plot_pixels(path):
    """Pixels of matplotlib's first two colours (the arms): the figures."""
    im = Image.open(path).convert("RGB")
    n = 0
    for r, g, b in im.getdata():
        if (abs(r - 31) < 12 and abs(g - 119) < 12 and abs(b - 180) < 12) or \
           (abs(r - 255) < 12 and abs(g - 127) < 12 and abs(b - 14) < 12):
            n += 1
    return n, im.size
(a, size), (b, _) = plot_pixels("page.png"), plot_pixels("bare.png")
print(a, b, size)
sys.exit(0 if a > 2000 and b == 0 else 1)
PYEOF
$PY pixels.py > pixels.txt 2>&1
ok $? "the screenshot shows the figures (plot colours: $(cat pixels.txt); none without figures)"
is "$(grep -c 'CONSOLE' dom.err shot.err | awk -F: '{s += $2} END {print s}')" "0" "no console message"
ok $([ -s page.png ] && echo 0 || echo 1) "a screenshot was taken (page.png)"
exit $((_failed > 0))
