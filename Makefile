# nineplus: the commands a user types. The real build is CMake (CMakeLists.txt).
#   make run    install what is missing, build, migrate + load demo data, serve on 127.0.0.1:8080
#   make check  every test (C under ASan+UBSan, API, UI) through CTest
#   make bench  benchmarks (docs/PERFORMANCE.md)
#   make fuzz   libFuzzer targets for a while each (FUZZ_SECONDS, default 60)
#   make build  release build of the binary and the UI

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RELEASE := build/release
CHECK := build/check
FUZZ := build/fuzz
FUZZ_SECONDS ?= 60
NP_DB ?= sqlite:var/nineplus.db
LISTEN ?= 127.0.0.1:8080
SCALE ?= small
CMAKE_BUILD := env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS cmake --build

.PHONY: all build run check bench fuzz ui deps clean

all: build

deps:
	@scripts/deps.sh check

ui:
	@scripts/ui.sh build

build: deps ui
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE_BUILD) $(RELEASE) -j$(JOBS) --target nineplus

run: build
	@NP_DB=$(NP_DB) LISTEN=$(LISTEN) SCALE=$(SCALE) scripts/run.sh $(RELEASE)/nineplus

check: deps ui
	@scripts/ui.sh tests
	@cmake -S . -B $(CHECK) -DCMAKE_BUILD_TYPE=Debug -DNP_SANITIZE=ON >/dev/null
	@$(CMAKE_BUILD) $(CHECK) -j$(JOBS)
	@cd $(CHECK) && ctest --output-on-failure -j$(JOBS)

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	@bench/run.sh $(RELEASE)/nineplus

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNP_FUZZ=ON >/dev/null
	@$(CMAKE_BUILD) $(FUZZ) -j$(JOBS)
	@for t in $(FUZZ)/fuzz_*; do \
	  n=$$(basename $$t); c=tests/fuzz/corpus/$${n#fuzz_}; mkdir -p $$c; \
	  echo "== $$n ($(FUZZ_SECONDS)s, corpus $$c)"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $$c || exit 1; \
	done

clean:
	rm -rf build
