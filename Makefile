# release-train: `make` builds build/release-train (glibc, Debian's libraries,
# for development and tests); `make test` runs every suite; `make static`
# and `make image` build the shipped artifact (see README).

VERSION := $(shell cat VERSION)
BUILD   ?= build
CC      ?= cc
PKGS    := libcurl libgit2 libcjson

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN   := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
          -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DRT_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

SRC      := $(wildcard src/*.c)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
OBJ      := $(SRC:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/san/obj/%.o)
HDR      := $(wildcard src/*.h)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
TEST_HDR := tests/unit/helpers.h $(wildcard tests/unit/servers/*.h)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SAN_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/san/tests/%)

# Which binary the end-to-end suites run: `make test BIN=build/static/release-train`.
BIN ?= $(BUILD)/release-train

.PHONY: all test unit unit-san e2e lint static test-static image deps fuzz fuzz-smoke bench valgrind clean
all: $(BUILD)/release-train $(BUILD)/tls-probe

$(BUILD)/release-train: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

# The TLS probe of tests/e2e/test_tls.py (the library's HTTPS paths alone).
$(BUILD)/tls-probe: tests/tls/tls_probe.c $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS)

$(BUILD)/obj/%.o: src/%.c $(HDR) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/san/obj/%.o: src/%.c $(HDR) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lcriterion

$(BUILD)/san/tests/%: tests/unit/%.c $(SAN_OBJ) $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(SAN_OBJ) $(PKG_LIBS) -lcriterion

unit: $(UNIT_BIN)
unit-san: $(SAN_BIN)

# libFuzzer targets: every fuzz/fuzz_*.c, linked with the library objects
# built by clang with the fuzzer and sanitizers (clang warnings do not stop
# a fuzzing run: -Wno-error); `make fuzz` builds them and
# runs each for FUZZ_TIME seconds on its own corpus (fuzz/corpus-NAME/), with
# the dictionary fuzz/NAME.dict when there is one.
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 10
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC   := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJ   := $(LIB_SRC:src/%.c=$(BUILD)/fuzz/obj/%.o)
.SECONDARY: $(FUZZ_OBJ) $(SAN_OBJ)

$(BUILD)/fuzz/obj/%.o: src/%.c $(HDR) VERSION
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -Wno-error -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -c -o $@ $<

$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -Wno-error $(FUZZ_FLAGS) -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		name=$$(basename $$f); mkdir -p fuzz/corpus-$$name; \
		echo "fuzz: $$name for $(FUZZ_TIME) s"; \
		dict=; [ -f fuzz/$$name.dict ] && dict=-dict=fuzz/$$name.dict; \
		$$f -max_total_time=$(FUZZ_TIME) $$dict fuzz/corpus-$$name >$(BUILD)/fuzz/$$name.log 2>&1 \
			|| { tail -n 40 $(BUILD)/fuzz/$$name.log; exit 1; }; \
		grep -E '^(#[0-9]+|Done)' $(BUILD)/fuzz/$$name.log | tail -n 1; \
	done

# A few seconds of every fuzz target (what .ci/run runs after make test).
FUZZ_SMOKE_TIME ?= 3
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_SMOKE_TIME)

# Every suite, one summary line at the end: "N passed, N failed, N skipped".
test: all unit unit-san
	@BIN=$(BIN) BUILD=$(BUILD) tests/run

# Only the end-to-end suites (e.g. against the static binary).
e2e: all
	@BIN=$(BIN) BUILD=$(BUILD) tests/run e2e

# valgrind memcheck of each mode's main paths (also part of make test).
valgrind: all
	@BIN=$(BIN) python3 tests/e2e/run.py tests/e2e/test_memcheck.py tests/e2e/test_bump_memcheck.py \
		tests/e2e/test_release_memcheck.py

static:
	scripts/build-static

# The end-to-end suites against the static musl binary.
test-static:
	@BIN=$(BUILD)/static/release-train BUILD=$(BUILD) tests/run e2e

image:
	scripts/build-image

# Every benchmark of bench/ (each executable there), one table of ratios at the end.
bench: all
	@BUILD=$(BUILD) BIN=$(BIN) scripts/bench

deps:
	scripts/setup

clean:
	rm -rf $(BUILD)
