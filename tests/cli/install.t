#!/usr/bin/env bash
# make install DESTDIR=...: the binary, the scenario library, the analysis
# tools, include/escsim/*.h, libescsim.a, escsim.pc, one man page per
# command (help2man) and bash completion.  A program built with
# `pkg-config --cflags --libs escsim` against the staged tree runs
# replication 0 of a scenario and gets the runs row escsim run writes.
# The completion offers commands, a command's options, fixed values and
# scenario files.  make uninstall removes every file.
. "$(dirname "$0")/tap.sh"
cd "$TMP"
plan 13
BUILD=${BUILD:-$ROOT/build}
STAGE=$TMP/stage
# The default PREFIX: the installed DATADIR is compiled in, so another one
# would rebuild the binary other tests are running.
make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$STAGE" > make.out 2>&1
ok $? "make install DESTDIR=... exits 0"
P=$STAGE/usr/local
missing=""
for f in bin/escsim share/escsim/golan_2026.lua share/escsim/lib/taxonomy.lua \
	share/escsim/analysis/plots.py share/escsim/analysis/escsim_results.py \
	include/escsim/model.h include/escsim/scenario.h include/escsim/h5_reader.h \
	lib/libescsim.a lib/pkgconfig/escsim.pc share/man/man1/escsim.1 \
	share/man/man1/escsim-run.1 share/man/man1/escsim-export.1 share/man/man1/escsim-trace.1 \
	share/bash-completion/completions/escsim; do
	[ -f "$P/$f" ] || missing="$missing $f"
done
is "$missing" "" "every file is installed"
is "$(ls "$ROOT/include/escsim" | wc -l)" "$(ls "$P/include/escsim" | wc -l)" "every public header"
man -l "$P/share/man/man1/escsim-export.1" 2>/dev/null | col -b > man.txt || groff -man -Tutf8 "$P/share/man/man1/escsim-export.1" > man.txt 2>/dev/null
contains man.txt "--table T" "escsim-export(1) is its --help (help2man)"

# A program on the library, built through pkg-config only.
cat > rep.c <<'CEOF'
#include <stdio.h>
#include <escsim/model.h>
#include <escsim/rng.h>
#include <escsim/scenario.h>
int main(int argc, char **argv)
{
	esc_error err = {0};
	esc_scenario *s = esc_scenario_load(argv[1], NULL, NULL, &err);
	esc_config cfg;
	esc_policy pol;
	if (!s || esc_scenario_arm(s, NULL, 0, &cfg, &pol, &err)) {
		fprintf(stderr, "rep: %s\n", err.msg);
		return err.status ? err.status : 1;
	}
	esc_model *m = esc_model_new(&cfg, &err);
	esc_streams *st = esc_streams_new(NULL);
	esc_run_row row;
	if (!m || !st || esc_model_run(m, &pol, st, 7, 0, &row, &err)) {
		fprintf(stderr, "rep: %s\n", err.msg);
		return 1;
	}
	printf("%lld %lld %lld\n", (long long)row.incidents, (long long)row.retaliations,
	       (long long)row.fatalities_mil);
	esc_model_free(m);
	esc_streams_free(st);
	esc_config_free(&cfg);
	esc_scenario_free(s);
	(void)argc;
	return 0;
}
CEOF
export PKG_CONFIG_PATH=$P/lib/pkgconfig
flags=$(pkg-config --cflags --libs escsim 2> pc.err)
ok $? "pkg-config --cflags --libs escsim: $flags"
san=""   # a sanitizer build's library needs its runtime
nm "$P/lib/libescsim.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
[ -z "$san" ] && nm "$P/lib/libescsim.a" 2>/dev/null | grep -q __ubsan_ && san="-fsanitize=undefined"
cc -std=c11 $san -o rep rep.c $flags > cc.out 2>&1
ok $? "cc rep.c \$(pkg-config --cflags --libs escsim) builds"
sed 's/^/# /' cc.out | head -5
S=$P/share/escsim/unattributed_rockets.lua
ESCSIM_PATH=$P/share/escsim ./rep "$S" > rep.txt 2>&1
ok $? "the program runs a replication of an installed scenario"
"$P/bin/escsim" run "$S" -n 1 -s 7 -o r.h5 -q > /dev/null 2>&1
want=$("$ESCSIM" export r.h5 --table runs | $PY -c 'import sys, csv
r = next(csv.DictReader(sys.stdin)); print(r["incidents"], r["retaliations"], r["fatalities_mil"])')
is "$(cat rep.txt)" "$want" "... and gets the runs row the installed escsim run writes (incidents, retaliations, deaths)"

# Bash completion.
comp() {   # comp WORDS...: what completing the last word offers
	bash -c 'PATH=$1:$PATH; source "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_escsim; printf "%s\n" "${COMPREPLY[@]}"' _ "$P/bin" "$P/share/bash-completion/completions/escsim" "$@"
}
is "$(comp escsim ex | tr '\n' ' ')" "export " "completes a command"
is "$(comp escsim export --t | tr '\n' ' ')" "--table " "completes a command's option"
is "$(comp escsim export r.h5 --table me | tr '\n' ' ')" "messages " "completes an option's value"
mkdir sc && touch sc/a.lua sc/b.txt
is "$(comp escsim compare sc/ | sort | tr '\n' ' ')" "sc/a.lua " "completes scenario files"

make -s -C "$ROOT" uninstall BUILD="$BUILD" DESTDIR="$STAGE" > un.out 2>&1
is "$?:$(find "$STAGE" -type f | sed "s|$STAGE||" | tr '\n' ' ')" "0:" "make uninstall removes every file"
exit $((_failed > 0))
