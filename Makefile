# SPDX-License-Identifier: MIT
# Entry points: make (build), make test, make demo, make bench, make fuzz.
# CMake does the building; this file installs what is missing and runs it.

BUILD := build
SAN_BUILD := build-san
JOBS := $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

.PHONY: all build deps test test-fast demo bench fuzz format clean

all: build

deps:
	@bash scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# All tests: the normal build, then everything again under ASan+UBSan with
# the fuzz targets (clang) running for FUZZ_SECONDS each.
test: build
	@bash scripts/deps.sh test
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFVM_SANITIZE=ON \
		-DBPFVM_FUZZ=ON -DBPFVM_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(SAN_BUILD) -j$(JOBS)
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j$(JOBS)

# The normal build's tests only.
test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

bench: build
	$(BUILD)/bpfvm-bench --markdown docs/BENCHMARKS.md

# Longer fuzzing: make fuzz FUZZ_SECONDS=3600
fuzz:
	@bash scripts/deps.sh test
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_C_COMPILER=clang \
		-DBPFVM_SANITIZE=ON -DBPFVM_FUZZ=ON \
		-DBPFVM_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(SAN_BUILD) -j$(JOBS)
	ctest --test-dir $(SAN_BUILD) -R '^fuzz_' --output-on-failure

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
