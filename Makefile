# escsim: discrete-event escalation simulator.
#
#   make            build build/escsim
#   make demo       build, then compare the default scenario with and without the cell
#   make test       build and run the whole test suite (unit, validation, cli, bad input)
#   make test-deps  the packages a few tests need (Chromium, R, nbconvert); skipped without
#   make asan       the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make ubsan      the suite under UndefinedBehaviorSanitizer alone
#   make valgrind   the end-to-end tests with escsim under valgrind memcheck
#   make fuzz       build the libFuzzer harnesses (clang) and run each for
#                   FUZZ_SECONDS (default 30); see docs/testing.md
#   make bench      the benchmarks of tests/bench as one table (docs/performance.md)
#   make mutate     plant the bugs of tests/mutate/mutants.txt one at a time in a
#                   scratch copy and print which test kills each (docs/testing.md)
#   make bench-callgrind  instructions per event of the kernel and scenario benchmarks
#   make install    PREFIX=/usr/local (and DESTDIR): the binary, the scenario
#                   library, include/escsim/*.h, libescsim.a, escsim.pc, man
#                   pages (help2man, from --help) and bash completion;
#                   make uninstall removes them
#   make meta       scenarios/meta/policies.lua (LuaLS) from the policies' declarations
#
# Dependencies are found with pkg-config.  When one is missing and we run as
# root with apt-get, the Debian packages are installed first; otherwise the
# exact command is printed.

PKG_CONFIG ?= pkg-config
PKGS = gsl hdf5-serial lua5.4 libcrypto zlib libcjson
DEB_PACKAGES = gcc make pkg-config libgsl-dev libhdf5-dev hdf5-tools \
	liblua5.4-dev lua5.4 libcmocka-dev libssl-dev zlib1g-dev libcjson-dev perl help2man \
	python3-h5py python3-pandas python3-tables python3-matplotlib python3-scipy

# make MPI=1: the MPI build, build-mpi/escsim, compiled with mpicc (Debian's
# Open MPI; HDF5 stays serial: each rank writes its own shard and rank 0
# joins them).  Its packages are installed only when MPI=1 is asked for.
ifeq ($(MPI),1)
BUILD ?= build-mpi
CC = mpicc
DEB_PACKAGES += openmpi-bin libopenmpi-dev
endif

BUILD ?= build
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/escsim
INCLUDEDIR = $(PREFIX)/include
LIBDIR = $(PREFIX)/lib
MANDIR = $(PREFIX)/share/man
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
VERSION = 0.1.0

CC ?= cc
OPT ?= -O2 -g
CFLAGS ?=
# Recursive (=) so pkg-config runs when a recipe runs, after the deps step.
# HAVE_INLINE: GSL's header versions of gsl_rng_uniform and friends, so a
# uniform draw is one indirect call instead of two (docs/performance.md).
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
	$(OPT) -MMD -MP -Iinclude -DHAVE_INLINE -DESCSIM_VERSION='"$(VERSION)"' \
	-DESCSIM_DATADIR='"$(DATADIR)"' $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS)
ALL_LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lhdf5_hl -lpthread -lm $(LDLIBS)
TEST_LDLIBS = $(shell $(PKG_CONFIG) --libs cmocka)

LIB_SRC = $(wildcard sim/kernel/*.c sim/model/*.c sim/lua/*.c sim/h5/*.c sim/batch/*.c sim/fit/*.c)
CLI_SRC = $(wildcard sim/cli/*.c analysis/*.c)
TEST_SRC = $(wildcard tests/unit/*.c tests/validation/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN = $(TEST_SRC:%.c=$(BUILD)/%)
SCRIPT_TESTS = $(wildcard tests/cli/*.t tests/bad/*.t)

DEPS_STAMP = $(BUILD)/.deps-ok
DEPS_CHECK = $(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && \
	command -v h5dump >/dev/null && command -v prove >/dev/null && \
	command -v help2man >/dev/null && \
	/usr/bin/python3 -c 'import h5py, pandas, tables, matplotlib, scipy' 2>/dev/null
ifeq ($(MPI),1)
ALL_CFLAGS += -DESCSIM_MPI
DEPS_CHECK += && command -v mpicc >/dev/null && command -v mpirun >/dev/null
endif

.PHONY: all deps demo test test-deps asan ubsan valgrind fuzz fuzz-run install uninstall man clean meta FORCE \
	bench bench-run bench-callgrind bench-callgrind-run mutate

all: $(BUILD)/escsim

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@if $(DEPS_CHECK); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "escsim: installing Debian packages: $(DEB_PACKAGES)"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q $(DEB_PACKAGES) || exit 1; \
	else \
		echo "escsim: missing dependencies. Install them with:"; \
		echo "  sudo apt-get install $(DEB_PACKAGES)"; exit 1; \
	fi
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The installed library folder is compiled in: rebuild what uses it when
# PREFIX changes (make install PREFIX=... after a plain make).
$(BUILD)/.datadir: FORCE | $(DEPS_STAMP)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(BUILD)/sim/lua/sandbox.o $(BUILD)/analysis/pytool.o: $(BUILD)/.datadir
FORCE:

$(BUILD)/libescsim.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/escsim: $(CLI_OBJ) $(BUILD)/libescsim.a
	$(CC) $(OPT) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libescsim.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libescsim.a $(TEST_LDLIBS) $(ALL_LDLIBS)

demo: $(BUILD)/escsim
	$(BUILD)/escsim compare scenarios/golan_2026.lua -n 1000 -s 1 -o $(BUILD)/demo.h5

# Packages only some tests need; without them those tests are skipped with
# a message (docs/testing.md).  Not part of `make demo`: measured on Debian 12
# without recommends, chromium is 124 MB to fetch and 414 MB installed (about
# 40 s), R with hdf5r 30 MB / 48 MB, nbconvert with a kernel 5 MB / 26 MB
# (the two about 40 s together), and the demo needs none of them.
TEST_PACKAGES = chromium r-base-core r-cran-hdf5r r-cran-jsonlite r-cran-survival \
	python3-nbconvert python3-ipykernel
TEST_DEPS_CHECK = command -v chromium >/dev/null && command -v Rscript >/dev/null && \
	Rscript -e 'library(hdf5r); library(jsonlite); library(survival)' >/dev/null 2>&1 && \
	/usr/bin/python3 -c 'import nbconvert, ipykernel' 2>/dev/null
test-deps:
	@if $(TEST_DEPS_CHECK); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "escsim: installing $(TEST_PACKAGES)"; apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(TEST_PACKAGES); \
	else echo "escsim: install with: sudo apt-get install --no-install-recommends $(TEST_PACKAGES)"; exit 1; fi

# Every test is an executable that prints TAP; prove runs them all.
# The MPI test (tests/cli/mpi.t) runs where mpicc and mpirun are installed
# (make MPI=1 installs them), on an MPI build beside this one; elsewhere it
# is skipped.
MPI_ESCSIM = $(abspath $(BUILD)-mpi/escsim)
test: $(BUILD)/escsim $(TEST_BIN)
	@if [ "$(MPI)" != 1 ] && command -v mpicc >/dev/null && command -v mpirun >/dev/null; then \
		$(MAKE) --no-print-directory MPI=1 BUILD=$(BUILD)-mpi $(BUILD)-mpi/escsim; fi
	ESCSIM=$(abspath $(BUILD)/escsim) BUILD=$(abspath $(BUILD)) \
	ESCSIM_MPI=$(if $(filter 1,$(MPI)),$(abspath $(BUILD)/escsim),$(MPI_ESCSIM)) \
	CMOCKA_MESSAGE_OUTPUT=TAP prove -j2 -e '' $(TEST_BIN) $(SCRIPT_TESTS)

SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1

asan:
	$(SAN_ENV) $(MAKE) BUILD=build/asan OPT='-O1 -g -fno-omit-frame-pointer' \
		CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=undefined' \
		LDFLAGS='-fsanitize=address,undefined' test

ubsan:
	$(SAN_ENV) $(MAKE) BUILD=build/ubsan OPT='-O1 -g -fno-omit-frame-pointer' \
		CFLAGS='-fsanitize=undefined -fno-sanitize-recover=undefined' \
		LDFLAGS='-fsanitize=undefined' test

# $(call need,TEST,PACKAGES): for an optional target, install the Debian
# packages when the shell test fails (as root with apt-get), else say how.
need = $(1) || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "escsim: installing $(2)"; apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); \
	else echo "escsim: missing; install with: sudo apt-get install $(2)"; exit 1; fi

# escsim runs under memcheck through tests/valgrind/memcheck-escsim (which runs big
# batches natively: ESCSIM_VG_MAX_REPS); any error in any process fails.
VG_LOGS = $(BUILD)/valgrind
valgrind: $(BUILD)/escsim
	@$(call need,command -v valgrind >/dev/null,valgrind)
	@rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS)
	@ESCSIM=$(abspath tests/valgrind/memcheck-escsim) ESCSIM_REAL=$(abspath $(BUILD)/escsim) \
	ESCSIM_VG_LOGS=$(abspath $(VG_LOGS)) BUILD=$(abspath $(BUILD)) \
	prove -j2 -e '' $(SCRIPT_TESTS); st=$$?; \
	bad=$$(find $(VG_LOGS) -name 'vg.*.log' -size +0c); \
	if [ -n "$$bad" ]; then cat $$bad; \
		echo "valgrind: errors in $$(echo $$bad | wc -w) processes (logs in $(VG_LOGS))"; exit 1; fi; \
	echo "valgrind: no memcheck error in $$(ls $(VG_LOGS) | wc -l) processes"; exit $$st

# libFuzzer harnesses (tests/fuzz/fuzz_*.c): the library rebuilt with clang
# and coverage instrumentation in build/fuzz, each harness run for
# FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus/NAME) after replaying
# it.  New inputs go to build/fuzz/tests/fuzz/corpus/NAME, crashes to
# build/fuzz/tests/fuzz/crash/ (tests/fuzz/run).
FUZZ_SECONDS ?= 30
FUZZERS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined

fuzz:
	@$(call need,test -e "$$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-$$(uname -m).a",clang libclang-rt-14-dev)
	$(SAN_ENV) $(MAKE) BUILD=build/fuzz CC=clang OPT='-O1 -g -fno-omit-frame-pointer' \
		CFLAGS='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' LDFLAGS='$(FUZZ_SAN)' fuzz-run

fuzz-run: $(FUZZERS:%=$(BUILD)/tests/fuzz/%)
	tests/fuzz/run $(BUILD)/tests/fuzz $(FUZZ_SECONDS) $(FUZZERS)

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libescsim.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/libescsim.a $(ALL_LDLIBS)

# Benchmarks (tests/bench, docs/performance.md): everything rebuilt with
# NDEBUG in $(BUILD)/bench, then one table.  Benchmarks, not tests: a slow
# number fails nothing.  bench-callgrind counts instructions per event, which
# hold steady on a busy machine where times do not.
BENCH_BIN = $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(wildcard tests/bench/bench_*.c))
BENCH_OBJ = $(BUILD)/tests/bench/policies_c.o
BENCH_MAKE = $(MAKE) --no-print-directory BUILD=$(BUILD)/bench OPT='-O2 -g -DNDEBUG'

bench:
	@$(BENCH_MAKE) bench-run
bench-run: $(BUILD)/escsim $(BENCH_OBJ) $(BENCH_BIN)
	@BUILD=$(BUILD) ESCSIM=$(BUILD)/escsim tests/bench/run.sh
bench-callgrind:
	@$(call need,command -v valgrind >/dev/null,valgrind)
	@$(BENCH_MAKE) bench-callgrind-run
bench-callgrind-run: $(BENCH_OBJ) $(BENCH_BIN)
	@BUILD=$(BUILD) tests/bench/callgrind.sh

$(BUILD)/tests/bench/%: tests/bench/%.c $(BENCH_OBJ) $(BUILD)/libescsim.a | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_OBJ) $(BUILD)/libescsim.a $(ALL_LDLIBS)
-include $(BENCH_BIN:=.d) $(BENCH_OBJ:.o=.d)
# The suite builds the benchmarks too (not run): an API change that breaks
# them fails `make test`, not a later `make bench`.
test: $(BENCH_OBJ) $(BENCH_BIN)

# Mutation testing (tests/mutate, docs/testing.md): each one-line bug of the
# list in a scratch copy of the tree, built there, and the tests it names run;
# the kill table at the end.  Not part of make test.
mutate: | $(DEPS_STAMP)
	tests/mutate/run.sh tests/mutate/mutants.txt


# Man pages from each command's --help (help2man): escsim(1) and
# escsim-COMMAND(1), through a one-line wrapper per command.
COMMANDS = run compare sweep check report export trace inspect merge
MANPAGES = $(BUILD)/man/escsim.1 $(COMMANDS:%=$(BUILD)/man/escsim-%.1)
HELP2MAN = help2man --no-info --no-discard-stderr --version-string=$(VERSION)
man: $(MANPAGES)
$(BUILD)/man/escsim.1: $(BUILD)/escsim
	@mkdir -p $(@D)
	$(HELP2MAN) -n 'discrete-event escalation simulator' -o $@ $(abspath $<)
$(BUILD)/man/escsim-%.1: $(BUILD)/escsim
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec "%s" %s "$$@"\n' '$(abspath $<)' '$*' > $(@D)/escsim-$* && chmod +x $(@D)/escsim-$*
	$(HELP2MAN) -n "$$($(abspath $<) --help | sed -n 's/^  $* .*[^ ]   *\([^ ].*\)/\1/p')" \
		-o $@ $(abspath $(@D))/escsim-$*

$(BUILD)/escsim.pc: dist/escsim.pc.in Makefile
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@PKGS@|$(PKGS)|' $< > $@

install: $(BUILD)/escsim $(BUILD)/libescsim.a $(BUILD)/escsim.pc $(MANPAGES)
	install -D -m 0755 $(BUILD)/escsim $(DESTDIR)$(BINDIR)/escsim
	mkdir -p $(DESTDIR)$(DATADIR)
	cp -R scenarios/. $(DESTDIR)$(DATADIR)/
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/analysis analysis/*.py
	install -D -m 0644 -t $(DESTDIR)$(INCLUDEDIR)/escsim include/escsim/*.h
	install -D -m 0644 $(BUILD)/libescsim.a $(DESTDIR)$(LIBDIR)/libescsim.a
	install -D -m 0644 $(BUILD)/escsim.pc $(DESTDIR)$(LIBDIR)/pkgconfig/escsim.pc
	install -D -m 0644 -t $(DESTDIR)$(MANDIR)/man1 $(MANPAGES)
	install -D -m 0644 dist/escsim.bash $(DESTDIR)$(COMPLETIONDIR)/escsim

# The LuaLS definitions of the shipped policy modules' parameters, written
# from their declarations (tests/cli/scripting.t checks they are current).
meta: $(BUILD)/escsim
	ESCSIM_PATH=scenarios $(BUILD)/escsim check --luals scenarios/meta/policies.lua \
		tests/cli/scenarios/all_policies.lua > /dev/null

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/escsim $(DESTDIR)$(LIBDIR)/libescsim.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/escsim.pc $(DESTDIR)$(COMPLETIONDIR)/escsim \
		$(DESTDIR)$(MANDIR)/man1/escsim.1 $(COMMANDS:%=$(DESTDIR)$(MANDIR)/man1/escsim-%.1)
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(INCLUDEDIR)/escsim

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
