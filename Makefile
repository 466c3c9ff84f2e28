# barkeep: fetch Alpaca bars into DuckDB or Parquet, backtest strategies on them.
GO        ?= go
BIN       := bin
PKGS      := ./...
FUZZTIME  ?= 3s
BENCHTIME ?= 1x
DEMO_DIR  ?= demo

.PHONY: all build test vet depcheck fuzz-short fuzz bench race demo clean

# Every fuzz target in the repository, found by name, each run on its own for FUZZTIME. Inputs
# that find new code are shrunk for at most 2s, so a short run spends its time fuzzing.
define run-fuzz
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do \
		pkg=./$$(dirname "$${f#./}"); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$f" | cut -c6-); do \
			echo "fuzz $$pkg $$t ($(1))"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(1) -fuzzminimizetime 2s "$$pkg" >/dev/null || \
				{ echo "fuzz $$pkg $$t failed: rerun with: $(GO) test -run '^$$' -fuzz '^$$t$$' $$pkg" >&2; exit 1; }; \
		done; \
	done
endef

all: build

# The version the report and --help show: the commit, marked dirty when the tree has changes.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

build:
	$(GO) build -ldflags "-X github.com/barkeep-trading/barkeep/internal/cli.version=$(VERSION)" -o $(BIN)/ ./cmd/fetch ./cmd/backtest

# Vet with the tests' build flags (-race): go vet then compiles every package as go test -race
# does, and the tests reuse it, so a cold build compiles everything once rather than twice
# (a fresh clone built in 190 s rather than 350 s on two cores, 2026-12-06).
vet:
	$(GO) vet -race $(PKGS)

# data, its calendar and fetch loop, and the engine use the standard library only; with
# strategies, sweeps, reports, file imports and the shared helpers they stay free of cgo, DuckDB,
# Arrow and the Alpaca SDK, so their tests build in seconds and a user can import the engine alone.
STDLIB_ONLY := ./data ./data/calendar ./data/fetch ./engine/...
CGO_FREE    := $(STDLIB_ONLY) ./data/files ./data/synth ./strategies/... ./sweep/... ./reports/... \
	./internal/atomicfile ./internal/golden
depcheck:
	@if $(GO) list -deps $(CGO_FREE) | grep -E 'duckdb|arrow|alpaca'; then \
		echo "$(CGO_FREE) must not depend on storage or the Alpaca SDK" >&2; exit 1; fi
	@if $(GO) list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' $(STDLIB_ONLY) | \
		grep -v '^github.com/barkeep-trading/barkeep'; then \
		echo "$(STDLIB_ONLY) must use the standard library only" >&2; exit 1; fi

# Every test runs under the race detector, fuzz targets on their seed corpora as plain tests;
# -vet=off because make vet ran every check go test would (and more) just before.
# On two cores it took 131 s with a warm build cache and 293 s from a fresh clone with a cold
# one (2026-12-06, load about 2; README.md, Development). What takes longer is opt-in:
# make scale (years of minute bars), make fuzz-short and make fuzz (fuzzing proper),
# BARKEEP_KILLS=N for more SIGKILLs.
# The two longest packages (process, signal and fault tests) come first: go test builds and
# runs packages in the order given, and a long pole started last lengthens the whole run.
SLOW_PKGS := ./internal/fetchcmd ./internal/backtestcmd
test: vet depcheck
	$(GO) test -race -count=1 -vet=off $(if $(filter ./...,$(PKGS)),$(SLOW_PKGS)) $(PKGS)

# A -race binary sleeps a second before it exits (GORACE atexit_sleep_ms, default 1000) so
# that late goroutines may still race; a finished test binary has none, and the process
# tests start dozens of them. Races are reported as they happen either way. GOGC=300 trades
# memory for collector time, which the race detector makes dear: 15 % less CPU, peaks of up
# to 1.2 GB per test binary instead of 0.7 (reports; two run at once on two cores). No test
# measures the heap's size (the memory targets are make scale's, which keeps Go's default).
test race: export GORACE ?= atexit_sleep_ms=0
test race: export GOGC ?= 300

# Each fuzz target fuzzed for FUZZTIME (3s), most of the time spent building them.
fuzz-short:
	$(call run-fuzz,$(FUZZTIME))

fuzz:
	$(call run-fuzz,60s)

bench:
	GO='$(GO)' BENCH='$(BENCH)' BENCHTIME='$(BENCHTIME)' BENCH_COUNT='$(BENCH_COUNT)' \
		BENCH_PKGS='$(PKGS)' BENCH_OUT='$(BENCH_OUT)' ./scripts/bench.sh

race:
	$(GO) test -race -count=1 $(PKGS)

# The demo backtests with the command's default costs (Alpaca's SEC fee and FINRA TAF; the
# benchmark pays them too): the first report a newcomer reads is an honest one. No cost flag
# here, so that it always shows what a plain `backtest` does.
demo: build
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BIN)/fetch --source synth --symbols AAPL,MSFT --tf 1Min --start 2024-01-02 --end 2024-12-31 --store $(DEMO_DIR)/bars.duckdb
	$(BIN)/backtest --strategy sma --store $(DEMO_DIR)/bars.duckdb --out $(DEMO_DIR)/sma

clean:
	rm -rf $(BIN) $(DEMO_DIR)

# Benchmarks and the scale check; BENCHMARKS.md says how to read and compare them.
# `make bench` keeps the raw output in BENCH_OUT (benchstat's input) and prints a table of
# bars/s and allocations per bar. One second per benchmark rather than the global BENCHTIME
# of one iteration, which gives no figure at all for nanosecond-scale benchmarks; the whole
# run stays under five minutes on two cores. Override with `make bench BENCHTIME=3x`.
bench: BENCHTIME = 1s
BENCH       ?= .
BENCH_COUNT ?= 1
BENCH_OUT   ?= .bench/latest.txt
BENCH_OLD   ?= .bench/old.txt
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: bench-table benchstat scale

# The table again from a saved run, without rerunning the benchmarks.
bench-table:
	$(GO) run ./internal/benchtable < $(BENCH_OUT)

# Compare two runs: make bench BENCH_OUT=.bench/old.txt; (change); make bench; make benchstat.
benchstat:
	$(BENCHSTAT) $(BENCH_OLD) $(BENCH_OUT)

# Ten symbols by five years of minute bars through the built binaries, both stores, then 10 and
# 50 symbols by ten years into DuckDB (TestScaleDecade: memory and time targets).
scale:
	BARKEEP_SCALE=1 $(GO) test -count=1 -run TestScale -v -timeout 30m ./internal/backtestcmd/
