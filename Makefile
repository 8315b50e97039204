# mod_gwguard: the Apache module, gwguardctl and their tests.
#
#   make            build/mod_gwguard.so and build/gwguardctl
#   make check      install missing packages, build, run every test
#   make soak       the chaos soak, SOAK_SECONDS (600) on event then prefork
#   make bench      instructions per request (callgrind) and req/s (wrk),
#                   stock against the module; writes docs/performance.md
#   make demo       a local httpd with the module in front of failing upstreams
#   make mutants    one-line bugs the tests must catch (docs/reliability.md)
#   make install    install the module, gwguardctl and the Debian conf pieces
#   make deb        build/deb/libapache2-mod-gwguard_VERSION_ARCH.deb
#   make clean
#
# The core (mod_gwguard/gwg_*.c) is compiled WITHOUT httpd's include path,
# so an httpd header in a core file fails the build; it becomes one static
# PIC archive linked into the module, gwguardctl and the unit tests.

APXS       ?= apxs
PYTHON     ?= /usr/bin/python3
CC         ?= gcc
BUILD      := build
DESTDIR    ?=

APR_CONFIG := $(shell command -v apr-1-config 2>/dev/null)
APR_INC    := $(if $(APR_CONFIG),$(shell apr-1-config --includes --cppflags))
APR_LIBS   := $(if $(APR_CONFIG),$(shell apr-1-config --link-ld --libs))
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
XML_LIBS   := $(shell pkg-config --libs libxml-2.0 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
HTTPD_INC  := $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
HTTPD_CFLAGS := $(shell $(APXS) -q CFLAGS 2>/dev/null) \
                $(shell $(APXS) -q EXTRA_CPPFLAGS 2>/dev/null)
MODULES_DIR := $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)

WARN       := -Wall -Wextra -Werror
OPT        ?= -O2 -g
# hidden: the module exports only gwguard_module (mod_gwguard.c)
BASE_CFLAGS := -std=gnu11 $(OPT) $(WARN) -fPIC -fvisibility=hidden \
               -D_GNU_SOURCE
CORE_CFLAGS := $(BASE_CFLAGS) $(APR_INC) $(XML_CFLAGS) -Imod_gwguard

CORE_SRC   := $(wildcard mod_gwguard/gwg_*.c)
GLUE_SRC   := $(wildcard mod_gwguard/mod_gwguard*.c)
CTL_SRC    := $(wildcard gwguardctl/*.c)
UNIT_SRC   := $(wildcard tests/unit/*.c)
CORE_HDR   := $(wildcard mod_gwguard/gwg_*.h)

CORE_OBJ   := $(CORE_SRC:mod_gwguard/%.c=$(BUILD)/core/%.o)
GLUE_OBJ   := $(GLUE_SRC:mod_gwguard/%.c=$(BUILD)/glue/%.o)
CTL_OBJ    := $(CTL_SRC:gwguardctl/%.c=$(BUILD)/ctl/%.o)
UNIT_OBJ   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%.o)

MODULE     := $(BUILD)/mod_gwguard.so
CTL        := $(BUILD)/gwguardctl
CORE_LIB   := $(BUILD)/libgwg.a
UNIT       := $(BUILD)/unit_tests

.PHONY: all deps check unit integration demo bench install clean deb \
        check-layers \
        check-asan fuzz fuzz-short soak soak-short

all: $(MODULE) $(CTL)

deps:
	@scripts/deps.sh

# V=1 shows the full commands.
Q := $(if $(V),,@)

# Each object's header dependencies, written by the compiler next to it
# (-MMD; -MP so a removed header does not break the build).
DEPFLAGS := -MMD -MP
-include $(wildcard $(BUILD)/*/*.d)

$(BUILD)/core/%.o: mod_gwguard/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  CC    $<"
	$(Q)$(CC) $(CORE_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@echo "  AR    $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/glue/%.o: mod_gwguard/%.c mod_gwguard/mod_gwguard.h $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  CC    $< (httpd)"
	$(Q)$(CC) $(BASE_CFLAGS) $(HTTPD_CFLAGS) -I$(HTTPD_INC) $(CORE_CFLAGS) \
	    $(DEPFLAGS) -c $< -o $@

$(MODULE): $(GLUE_OBJ) $(CORE_LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -shared -o $@ $(GLUE_OBJ) $(CORE_LIB) $(XML_LIBS) -ldl

$(BUILD)/ctl/%.o: gwguardctl/%.c gwguardctl/ctl.h $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  CC    $<"
	$(Q)$(CC) $(CORE_CFLAGS) $(DEPFLAGS) -Igwguardctl -c $< -o $@

$(CTL): $(CTL_OBJ) $(CORE_LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CTL_OBJ) $(CORE_LIB) $(APR_LIBS) \
	    $(XML_LIBS)

$(BUILD)/unit/%.o: tests/unit/%.c $(wildcard tests/unit/*.h) $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  CC    $<"
	$(Q)$(CC) $(CORE_CFLAGS) $(CHECK_CFLAGS) $(DEPFLAGS) -Itests/unit -c $< \
	    -o $@

$(UNIT): $(UNIT_OBJ) $(CORE_LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(CORE_LIB) $(CHECK_LIBS) \
	    $(APR_LIBS) $(XML_LIBS)

BENCH_BIN  := $(BUILD)/counter_bench $(BUILD)/populate

$(BUILD)/%: tests/bench/%.c $(CORE_LIB) $(CORE_HDR)
	@echo "  CC    $<"
	$(Q)$(CC) $(CORE_CFLAGS) -o $@ $< $(CORE_LIB) $(APR_LIBS) $(XML_LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	$(PYTHON) scripts/bench.py

unit: $(UNIT)
	$(UNIT)

integration: all
	$(PYTHON) -m pytest -q -rs -p no:cacheprovider tests/integration

# The unit tests and gwguardctl built with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/, then the unit tests and the
# gwguardctl integration tests run against that build (the module itself
# runs under valgrind in tests/integration/test_valgrind.py).
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g $(SAN)" \
	    LDFLAGS="$(SAN)" build-asan/unit_tests build-asan/gwguardctl
	CK_FORK=no ASAN_OPTIONS=detect_leaks=1 build-asan/unit_tests
	@$(MAKE) --no-print-directory all
	GWGUARD_CTL=$(CURDIR)/build-asan/gwguardctl $(PYTHON) -m pytest -q \
	    -p no:cacheprovider tests/integration/test_ctl.py \
	    tests/integration/test_reliability.py -k "ctl or corrupt"
	GWG_VALGRIND=1 $(PYTHON) -m pytest -q -p no:cacheprovider \
	    tests/integration/test_valgrind.py

# libFuzzer targets (clang): each core file that parses outside input.
# `make fuzz` runs each for FUZZ_SECONDS; `make check` runs a short round
# when clang is installed.
CLANG      ?= clang
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

$(BUILD)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	@echo "  FUZZ  $@"
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -D_GNU_SOURCE $(APR_INC) $(XML_CFLAGS) \
	    -Imod_gwguard -o $@ $< $(CORE_SRC) $(APR_LIBS) $(XML_LIBS)

# a valid segment as the validator's seed (made, not committed, so it
# always has the current layout)
$(BUILD)/fuzz/seed-segment/valid.shm: $(BUILD)/populate
	@mkdir -p $(@D)
	$(Q)$(BUILD)/populate $@ 16 2 >/dev/null

fuzz: $(FUZZ_BIN) $(BUILD)/fuzz/seed-segment/valid.shm
	@for f in $(FUZZ_BIN); do \
	    n=$$(basename $$f | sed 's/^fuzz_//'); \
	    mkdir -p $(BUILD)/fuzz/corpus-$$n $(BUILD)/fuzz/seed-$$n; \
	    echo "  fuzzing $$n for $(FUZZ_SECONDS)s"; \
	    if ! $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	            -print_final_stats=1 $(BUILD)/fuzz/corpus-$$n \
	            $(BUILD)/fuzz/seed-$$n tests/fuzz/corpus/$$n \
	            > $(BUILD)/fuzz/$$n.log 2>&1; then \
	        tail -40 $(BUILD)/fuzz/$$n.log; exit 1; \
	    fi; \
	    grep -E "^stat::number_of_executed_units" $(BUILD)/fuzz/$$n.log; \
	done

fuzz-short:
	@if command -v $(CLANG) >/dev/null; then \
	    $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10; \
	else echo "fuzz: skipped, clang is not installed"; fi

# deps runs first, in a sub-make, so the variables above are computed
# after the packages they query exist.
check: deps
	@$(MAKE) --no-print-directory unit check-layers integration \
	    fuzz-short soak-short

# No include or call circle among the glue areas, every area registered
# from mod_gwguard.c (scripts/check_layers.py, docs/architecture.md).
check-layers: all
	$(PYTHON) scripts/check_layers.py $(BUILD)

# The chaos soak (scripts/soak.py, docs/reliability.md): exact
# reconciliation of client-observed counts with the counters, no crash,
# bounded growth; cores become gdb backtraces. check runs 30 s per MPM.
SOAK_SECONDS ?= 600
soak: deps
	@$(MAKE) --no-print-directory all
	SOAK_SECONDS=$(SOAK_SECONDS) $(PYTHON) scripts/soak.py

soak-short: all
	$(PYTHON) scripts/soak.py --seconds 30

# One-line bugs (tests/mutants/mutants.txt) applied one at a time to a
# scratch copy, each against the tests that must catch it; not part of
# `make check` (about 3 minutes). MUTANTS="reset-* escape-*" picks some.
.PHONY: mutants
mutants: deps
	$(PYTHON) tests/mutants/run.py $(MUTANTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) scripts/demo.py

# The layout of the Debian package (debian/rules runs this target):
# dh_apache2 installs the same gwguard.load and gwguard.conf. The
# package leaves out COMPAT_LOAD, the name source installs used first.
# gwguardctl is in sbin, so its page is in section 8 (docs/ keeps the
# source as gwguardctl.1, the name its tests and readers use).
SHARE      := $(DESTDIR)/usr/share/gwguard
GRAFANA    := $(wildcard conf/grafana/*.json)
UNITS      := $(wildcard conf/systemd/*.service conf/systemd/*.timer)
COMPAT_LOAD ?= conf/proxy_gwguard.load
install: all
	install -d $(DESTDIR)$(MODULES_DIR) $(DESTDIR)/usr/sbin \
	    $(DESTDIR)/etc/apache2/mods-available
	install -m 0644 $(MODULE) $(DESTDIR)$(MODULES_DIR)/mod_gwguard.so
	install -m 0755 $(CTL) $(DESTDIR)/usr/sbin/gwguardctl
	install -m 0644 conf/gwguard.load conf/gwguard.conf $(COMPAT_LOAD) \
	    $(DESTDIR)/etc/apache2/mods-available/
	install -d $(DESTDIR)/usr/share/man/man8 \
	    $(DESTDIR)/usr/share/bash-completion/completions
	sed '/^\.TH /s/ 1 "/ 8 "/; /^\.TH /s/"User Commands"/"System Administration"/' \
	    docs/gwguardctl.1 > $(DESTDIR)/usr/share/man/man8/gwguardctl.8
	install -m 0644 conf/gwguardctl.bash-completion \
	    $(DESTDIR)/usr/share/bash-completion/completions/gwguardctl
	install -d $(SHARE)/templates $(SHARE)/prometheus
	install -m 0644 conf/gwguard-error.html conf/gwguard-error.json \
	    $(SHARE)/templates/
	install -m 0644 $(wildcard conf/prometheus/*.yml) $(SHARE)/prometheus/
	$(if $(GRAFANA),install -d $(SHARE)/grafana && \
	    install -m 0644 $(GRAFANA) $(SHARE)/grafana/)
	$(if $(UNITS),install -d $(DESTDIR)/lib/systemd/system && \
	    install -m 0644 $(UNITS) $(DESTDIR)/lib/systemd/system/)

# libapache2-mod-gwguard_VERSION_ARCH.deb in build/deb/, checked by lintian
# (scripts/deb.sh: build dependencies, a copy of the tree, dpkg-buildpackage)
deb:
	@scripts/deb.sh

clean:
	rm -rf $(BUILD) build-asan
