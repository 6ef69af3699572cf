#!/usr/bin/env bash
# Every example in README.md and docs/*.md runs as written from the
# repository root: each ```sh block in document order (README first, then
# docs/ by name), then the ```python blocks (/usr/bin/python3) and the ```r
# blocks (Rscript, where installed), in a folder that looks like the root
# (scenarios/, analysis/, docs/, build/escsim linked), with ESCSIM_PATH
# unset.  Replication counts are cut (-n N and --rep-offset K divided by
# 1000, rounded up; -n at least 2) so the suite stays short.  A block right
# after a line "<!-- docs.t: skip REASON -->" is an illustration (Slurm,
# MPI, the build itself, a fragment) and is only listed.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
unset ESCSIM_PATH
ln -s "$ROOT/scenarios" scenarios
ln -s "$ROOT/analysis" analysis
ln -s "$ROOT/docs" docs
mkdir build && ln -s "$ESCSIM" build/escsim
mkdir blocks

$PY - "$ROOT" > blocks.txt <<'PYEOF'
import os, re, sys
root = sys.argv[1]
files = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
n = 0
for f in files:
    lines = open(os.path.join(root, f)).read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(sh|python|r)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        j = start
        while not lines[j].startswith("```"):
            j += 1
        skip = ""
        for k in (i - 1, i - 2):
            s = re.match(r"^<!-- docs\.t: skip (.*) -->$", lines[k]) if k >= 0 else None
            if s:
                skip = s.group(1)
        code = "\n".join(lines[start:j]) + "\n"
        if lang == "sh":
            cut = lambda mm: "%s%d" % (mm.group(1), -(-int(mm.group(2)) // 1000) if
                                        "offset" in mm.group(1) else max(2, -(-int(mm.group(2)) // 1000)))
            code = re.sub(r"(-n |--reps |--rep-offset )(\d+)", cut, code)
        n += 1
        name = "blocks/%03d.%s" % (n, lang)
        open(name, "w").write(code)
        print("%s\t%s:%d\t%s" % (name, f, i + 1, skip))
        i = j + 1
PYEOF
total=$(wc -l < blocks.txt)
plan "$total"
# Shell blocks first (they make the files the others read), then the rest.
for pass in sh python r; do
	while IFS=$'\t' read -r file where skip; do
		lang=${file##*.}
		[ "$lang" = "$pass" ] || continue
		if [ -n "$skip" ]; then
			_n=$((_n + 1)); echo "ok $_n - $where ($lang) # skip $skip"; continue
		fi
		case $lang in
		sh) bash -e "$file" > "$file.out" 2>&1; st=$? ;;
		python) MPLBACKEND=Agg $PY "$file" > "$file.out" 2>&1; st=$? ;;
		r)
			if ! command -v Rscript > /dev/null; then
				_n=$((_n + 1)); echo "ok $_n - $where (r) # skip Rscript not installed (make test-deps)"; continue
			fi
			Rscript "$file" > "$file.out" 2>&1; st=$? ;;
		esac
		ok $st "$where ($lang) runs as written"
		[ $st -eq 0 ] || { sed 's/^/#   /' "$file"; echo "# output:"; tail -15 "$file.out" | sed 's/^/#   /'; }
	done < blocks.txt
done
exit $((_failed > 0))
