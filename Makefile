# barkeep: fetch Alpaca bars into DuckDB or Parquet, backtest strategies on them.
GO        ?= go
BIN       := bin
PKGS      := ./...
FUZZTIME  ?= 3s
BENCHTIME ?= 1x
DEMO_DIR  ?= demo

.PHONY: all build test vet depcheck fuzz-short fuzz bench race demo clean

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
