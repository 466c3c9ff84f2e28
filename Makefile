# barkeep: fetch Alpaca bars into DuckDB or Parquet, backtest strategies on them.
GO        ?= go
BIN       := bin
PKGS      := ./...
FUZZTIME  ?= 3s
BENCHTIME ?= 1x
DEMO_DIR  ?= demo

.PHONY: all build test vet depcheck fuzz-short fuzz bench race demo clean

# Every fuzz target in the repository, found by name, each run on its own for FUZZTIME.
define run-fuzz
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do \
		pkg=./$$(dirname "$${f#./}"); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$f" | cut -c6-); do \
			echo "fuzz $$pkg $$t ($(1))"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(1) "$$pkg" >/dev/null || \
				{ echo "fuzz $$pkg $$t failed: rerun with: $(GO) test -run '^$$' -fuzz '^$$t$$' $$pkg" >&2; exit 1; }; \
		done; \
	done
endef

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/fetch ./cmd/backtest

vet:
	$(GO) vet $(PKGS)

# The engine must stay importable without cgo, DuckDB, Arrow or the Alpaca SDK.
depcheck:
	@if $(GO) list -deps ./engine/... ./strategies/... ./reports/... | grep -E 'duckdb|arrow|alpaca'; then \
		echo "engine/strategies/reports must not depend on storage or the Alpaca SDK" >&2; exit 1; fi

test: vet depcheck
	$(GO) test -count=1 $(PKGS)
	$(MAKE) --no-print-directory fuzz-short

fuzz-short:
	$(call run-fuzz,$(FUZZTIME))

fuzz:
	$(call run-fuzz,60s)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

race:
	$(GO) test -race -count=1 $(PKGS)

demo: build
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BIN)/fetch --source synth --symbols AAPL,MSFT --tf 1Min --start 2024-01-02 --end 2024-12-31 --store $(DEMO_DIR)/bars.duckdb
	$(BIN)/backtest --strategy sma --store $(DEMO_DIR)/bars.duckdb --out $(DEMO_DIR)/sma

clean:
	rm -rf $(BIN) $(DEMO_DIR)
