package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `benchtable reads go test -bench output and prints a markdown table of bars/s and
allocations per bar.

Usage:
  go run ./internal/benchtable [-trim PREFIX] [FILE ...] < .bench/latest.txt

It exits 1 when the input holds failures or no results (after printing the table), 2 on bad
usage.

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	trim := fs.String("trim", "github.com/barkeep-trading/barkeep/", "prefix to drop from package paths")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "benchtable: %v (see benchtable -h)\n", err)
		return 2
	}
	in, err := readAll(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "benchtable: %v\n", err)
		return 1
	}
	if err := render(stdout, in, *trim); err != nil {
		fmt.Fprintf(stderr, "benchtable: write table: %v\n", err)
		return 1
	}
	switch {
	case len(in.results) == 0:
		fmt.Fprintln(stderr, "benchtable: no benchmark results in the input")
		return 1
	case len(in.failures) > 0:
		fmt.Fprintf(stderr, "benchtable: the input holds %d failure line(s); the table lacks their benchmarks\n", len(in.failures))
		return 1
	}
	return 0
}

// readAll parses the named files in turn, or stdin when there are none, as one input: a run
// split over several files (one per package, say) makes one table.
func readAll(paths []string, stdin io.Reader) (*input, error) {
	if len(paths) == 0 {
		return parse(stdin)
	}
	all := &input{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("open benchmark output: %w", err)
		}
		in, err := parse(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, kv := range in.config {
			if !hasKey(all.config, kv.key) {
				all.config = append(all.config, kv)
			}
		}
		all.results = append(all.results, in.results...)
		all.failures = append(all.failures, in.failures...)
	}
	return all, nil
}

func hasKey(kvs []keyValue, k string) bool {
	for _, kv := range kvs {
		if kv.key == k {
			return true
		}
	}
	return false
}
