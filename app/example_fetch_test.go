package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/barkeep-trading/barkeep/app"
)

// RunFetch is bin/fetch as a function: here it stores synthetic bars (no key needed), then
// lists the store as JSON, as a script would read it.
func ExampleRunFetch() {
	dir, err := os.MkdirTemp("", "barkeep-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store := filepath.Join(dir, "lake") // a directory: a Parquet lake

	code := app.RunFetch(ctx, []string{"--source", "synth", "--symbols", "AAA,BBB", "--tf", "1Day",
		"--start", "2024-01-02", "--end", "2024-03-28", "--store", store, "--quiet"}, io.Discard, io.Discard)
	fmt.Println("fetch exit code", code)

	var out bytes.Buffer
	code = app.RunFetch(ctx, []string{"--list", "--json", "--store", store}, &out, io.Discard)
	var series []struct {
		Symbol, Timeframe, Feed string
		Bars                    int
	}
	if err := json.Unmarshal(out.Bytes(), &series); err != nil {
		log.Fatal(err)
	}
	for _, s := range series {
		fmt.Printf("%s %s %s: %d bars\n", s.Symbol, s.Timeframe, s.Feed, s.Bars)
	}
	fmt.Println("list exit code", code)

	// A flag it does not know is a usage error: exit code 2, one line on stderr.
	fmt.Println("exit code", app.RunFetch(ctx, []string{"--symbol", "AAA"}, io.Discard, io.Discard))
	// Output:
	// fetch exit code 0
	// AAA 1Day synth: 61 bars
	// BBB 1Day synth: 61 bars
	// list exit code 0
	// exit code 2
}
