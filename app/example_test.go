package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/barkeep-trading/barkeep/app"
)

// RunFetch and RunBacktest are the two commands as functions: the same flags, files and exit
// codes as bin/fetch and bin/backtest, for tests and for programs that run several backtests.
// A program of your own that imports a strategy package runs it the same way, by name.
func ExampleRunBacktest() {
	dir, err := os.MkdirTemp("", "barkeep-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store := filepath.Join(dir, "bars.duckdb")

	code := app.RunFetch(ctx, []string{"--source", "synth", "--symbols", "AAA", "--tf", "1Day",
		"--start", "2023-01-03", "--end", "2023-12-29", "--store", store, "--quiet"}, io.Discard, io.Discard)
	fmt.Println("fetch exit code", code)

	out := filepath.Join(dir, "sma")
	code = app.RunBacktest(ctx, []string{"--strategy", "sma", "--param", "fast=5", "--param", "slow=20",
		"--store", store, "--out", out, "--no-html", "--quiet"}, io.Discard, os.Stderr)
	fmt.Println("backtest exit code", code)

	raw, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		log.Fatal(err)
	}
	var stats struct {
		Strategy string            `json:"strategy"`
		Params   map[string]string `json:"params"`
		Bars     int               `json:"bars"`
	}
	if err := json.Unmarshal(raw, &stats); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s fast=%s slow=%s on %d bars\n", stats.Strategy, stats.Params["fast"], stats.Params["slow"], stats.Bars)

	// Bad usage is exit code 2, with one line on stderr, as from the command line.
	code = app.RunBacktest(ctx, []string{"--strategy", "sma", "--param", "fast=0", "--store", store}, io.Discard, os.Stdout)
	fmt.Println("exit code", code)
	// Output:
	// fetch exit code 0
	// backtest exit code 0
	// sma fast=5 slow=20 on 250 bars
	// backtest: strategy sma: bad parameter: fast=0 is out of range [1, 100000]
	// exit code 2
}
