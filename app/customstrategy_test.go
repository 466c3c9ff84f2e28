package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/app"
)

// TestCustomStrategyModule builds examples/customstrategy, a module of its own that imports
// barkeep through a replace of this checkout, as a user's module would import a release, and
// runs the whole backtest command it gets from app.Backtest on its own strategy: a sweep, a
// single run that must agree with the sweep's row, and a bad parameter's exit code.
//
// It works offline: the example requires exactly the modules of barkeep's own graph, which
// `go mod download` (as .ci/run does) puts in the module cache, and GOPROXY=off makes any
// module beyond them a clear failure instead of a download.
func TestCustomStrategyModule(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	exdir := filepath.Join(root, "examples", "customstrategy")
	bin := filepath.Join(t.TempDir(), "customstrategy")
	buildExample(t, exdir, bin)

	dir := t.TempDir()
	store := filepath.Join(dir, "bars.duckdb")
	var fout, ferr bytes.Buffer
	if code := app.RunFetch(context.Background(), []string{"--source", "synth", "--symbols", "AAA,BBB",
		"--tf", "1Day", "--start", "2022-01-03", "--end", "2023-12-29", "--store", store, "--quiet"},
		&fout, &ferr); code != 0 {
		t.Fatalf("fetch exited %d: %s%s", code, &fout, &ferr)
	}

	sweepOut := filepath.Join(dir, "sweep")
	run(t, bin, 0, "--strategy", "momentum", "--store", store, "--grid", "period=10:30:10",
		"--out", sweepOut, "--no-html", "--quiet")
	rows := readCSV(t, filepath.Join(sweepOut, "sweep.csv"))
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("sweep.csv has no column %q: %v", name, rows[0])
		return -1
	}
	period, final, trades := col("period"), col("final_equity"), col("trades")
	byPeriod := map[string]string{}
	for _, r := range rows[1:] {
		byPeriod[r[period]] = r[final]
		if n, err := strconv.Atoi(r[trades]); err != nil || n == 0 {
			t.Errorf("period=%s: trades %q, want a positive count: the strategy never traded", r[period], r[trades])
		}
	}
	if len(rows) != 4 || byPeriod["10"] == "" || byPeriod["20"] == "" || byPeriod["30"] == "" {
		t.Fatalf("sweep.csv: want one row for each of period=10, 20, 30, got %d rows: %v", len(rows)-1, rows[1:])
	}
	if byPeriod["10"] == byPeriod["20"] && byPeriod["20"] == byPeriod["30"] {
		t.Errorf("every period ended at equity %s: the parameter does not reach the strategy", byPeriod["10"])
	}

	// One run of the sweep's middle point, alone, gives the sweep's figure to the bit.
	singleOut := filepath.Join(dir, "single")
	run(t, bin, 0, "--strategy", "momentum", "--param", "period=20", "--store", store,
		"--out", singleOut, "--no-html", "--quiet")
	raw, err := os.ReadFile(filepath.Join(singleOut, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stats struct {
		Strategy    string  `json:"strategy"`
		FinalEquity float64 `json:"final_equity"`
	}
	if err := json.Unmarshal(raw, &stats); err != nil {
		t.Fatalf("stats.json: %v", err)
	}
	want, err := strconv.ParseFloat(byPeriod["20"], 64)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Strategy != "momentum" || stats.FinalEquity != want {
		t.Errorf("single run: strategy %q, final equity %v; want momentum and the sweep's %v", stats.Strategy, stats.FinalEquity, want)
	}

	// The exit codes are the command's: a parameter momentum does not declare is bad usage.
	if stderr := run(t, bin, 2, "--strategy", "momentum", "--param", "nope=1", "--store", store); !strings.Contains(stderr, "valid parameters are period, band, pct, qty") {
		t.Errorf("bad parameter: stderr %q does not list momentum's parameters", stderr)
	}
}

// buildExample builds the example module into bin, failing clearly when that would need a
// module outside the cache, and leaves its go.mod and go.sum as they were: a build that had to
// change them means they are stale, and a user's `go run .` there would fail.
func buildExample(t *testing.T, exdir, bin string) {
	t.Helper()
	modFiles := map[string][]byte{}
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(exdir, name))
		if err != nil {
			t.Fatalf("the example is its own module: %v", err)
		}
		modFiles[name] = b
	}
	// Without a symbol table and DWARF, as go run and go test link their binaries: the
	// external link of DuckDB's library is most of this test, and debug info a fifth of it.
	args := []string{"build", "-ldflags=-s -w", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = exdir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	for name, before := range modFiles {
		path := filepath.Join(exdir, name)
		if after, rerr := os.ReadFile(path); rerr == nil && !bytes.Equal(after, before) {
			if werr := os.WriteFile(path, before, 0o644); werr != nil {
				t.Errorf("restore %s: %v", path, werr)
			}
			t.Errorf("building the example changed its %s: run `go mod tidy` in examples/customstrategy and commit the result", name)
		}
	}
	if err != nil {
		if bytes.Contains(out, []byte("GOPROXY=off")) {
			t.Fatalf("building examples/customstrategy needs a module that is not in the module cache: "+
				"run `go mod download` in the repository root (the example must require nothing beyond "+
				"barkeep's own module graph):\n%s", out)
		}
		t.Fatalf("go build in examples/customstrategy: %v\n%s", err, out)
	}
}

// run runs the built example and checks its exit code, returning its stderr.
func run(t *testing.T, bin string, wantCode int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantCode {
		t.Fatalf("%s %s: exit %d, want %d\nstdout: %s\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), code, wantCode, &stdout, &stderr)
	}
	return stderr.String()
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %d rows, %v", path, len(rows), err)
	}
	return rows
}
