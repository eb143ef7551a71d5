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
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SAN_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/san/tests/%)

# Which binary the end-to-end suites run: `make test BIN=build/static/release-train`.
BIN ?= $(BUILD)/release-train

.PHONY: all test unit unit-san e2e lint static test-static image deps fuzz bench clean
all: $(BUILD)/release-train

$(BUILD)/release-train: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

$(BUILD)/obj/%.o: src/%.c $(HDR) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/san/obj/%.o: src/%.c $(HDR) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/helpers.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lcriterion

$(BUILD)/san/tests/%: tests/unit/%.c $(SAN_OBJ) tests/unit/helpers.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(SAN_OBJ) $(PKG_LIBS) -lcriterion

unit: $(UNIT_BIN)
unit-san: $(SAN_BIN)

# Every suite, one summary line at the end: "N passed, N failed, N skipped".
test: all unit unit-san
	@BIN=$(BIN) BUILD=$(BUILD) tests/run

# Only the end-to-end suites (e.g. against the static binary).
e2e: all
	@BIN=$(BIN) BUILD=$(BUILD) tests/run e2e

static:
	scripts/build-static

# The end-to-end suites against the static musl binary.
test-static:
	@BIN=$(BUILD)/static/release-train BUILD=$(BUILD) tests/run e2e

image:
	scripts/build-image

deps:
	scripts/setup

clean:
	rm -rf $(BUILD)
