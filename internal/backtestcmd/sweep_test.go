package backtestcmd

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
	"github.com/barkeep-trading/barkeep/sweep"
)

func readSweepCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, reports.SweepCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// firstWeeks selects the fixture's first two weeks, 9 sessions of its 61: for the tests whose
// point (a refusal, the order of parallel runs, shards against one sweep) holds over any span,
// so that they replay a seventh of the bars.
var firstWeeks = []string{"--start", "2024-01-02", "--end", "2024-01-12"}

// The same sweep gives the same sweep.csv, byte for byte, whatever the number of workers.
func TestSweepDeterministicAcrossJobs(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	var outs [][]byte
	for _, jobs := range []string{"1", "4", "3"} {
		out := filepath.Join(t.TempDir(), "sweep")
		code, stdout, stderr := runCmd(t, append([]string{"--store", store, "--out", out, "--strategy", "sma",
			"--grid", "fast=2:10:2", "--grid", "slow=10,20,30", "--jobs", jobs}, firstWeeks...)...)
		if code != 0 {
			t.Fatalf("jobs %s: exit %d: %s", jobs, code, stderr)
		}
		if !strings.Contains(stdout, "14 of 15 combinations ran, 1 skipped") {
			t.Errorf("jobs %s: stdout lacks the counts:\n%s", jobs, stdout)
		}
		b, err := os.ReadFile(filepath.Join(out, reports.SweepCSVFile))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	if len(outs[0]) == 0 || string(outs[0]) != string(outs[1]) || string(outs[0]) != string(outs[2]) {
		t.Fatal("sweep.csv differs between --jobs 1, 4 and 3")
	}
}

// Each row of a sweep is what a single backtest with the same parameters reports.
func TestSweepRowEqualsSingleRun(t *testing.T) {
	dir := fixture(t)
	for _, store := range []string{"bars.duckdb", "lake"} {
		t.Run(store, func(t *testing.T) {
			st := filepath.Join(dir, store)
			out := filepath.Join(t.TempDir(), "sweep")
			code, _, stderr := runCmd(t, append([]string{"--store", st, "--out", out, "--strategy", "sma", "--param", "pct=0.5",
				"--grid", "fast=5,10", "--grid", "slow=20,40", "--quiet"}, firstWeeks...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			recs := readSweepCSV(t, out)
			head := recs[0]
			if len(recs) != 5 {
				t.Fatalf("%d rows, want 4", len(recs)-1)
			}
			for _, combo := range [][2]string{{"5", "20"}, {"10", "40"}} {
				i := slices.IndexFunc(recs[1:], func(r []string) bool { return r[0] == combo[0] && r[1] == combo[1] })
				if i < 0 {
					t.Fatalf("no row for fast=%s slow=%s", combo[0], combo[1])
				}
				row := recs[1+i]
				single := filepath.Join(t.TempDir(), "single")
				code, _, stderr := runCmd(t, append([]string{"--store", st, "--out", single, "--strategy", "sma", "--param", "pct=0.5",
					"--param", "fast=" + combo[0], "--param", "slow=" + combo[1], "--quiet", "--no-html"}, firstWeeks...)...)
				if code != 0 {
					t.Fatalf("single run: exit %d: %s", code, stderr)
				}
				stats := readStats(t, single)
				compared := 0
				firstStat := slices.Index(head, reports.StatKeys()[0]) // the parameter columns come first
				for j, key := range head {
					if j < firstStat {
						continue
					}
					if key == "status" { // the sweep's own column, last
						if row[j] != "ranked" {
							t.Errorf("fast=%s slow=%s: status %q, want ranked", combo[0], combo[1], row[j])
						}
						continue
					}
					want, ok := stats[key]
					if !ok {
						t.Errorf("stats.json lacks %q", key)
						continue
					}
					if !sameValue(row[j], want) {
						t.Errorf("fast=%s slow=%s %s: sweep %q, single run %v", combo[0], combo[1], key, row[j], want)
					}
					compared++
				}
				if compared != len(reports.StatKeys()) {
					t.Errorf("compared %d statistics, want %d", compared, len(reports.StatKeys()))
				}
				if stats["trades"].(float64) < 1 {
					t.Errorf("fast=%s slow=%s never traded: the comparison proves little", combo[0], combo[1])
				}
			}
		})
	}
}

// sameValue compares a sweep.csv field with a stats.json value exactly.
func sameValue(field string, v any) bool {
	switch v := v.(type) {
	case nil:
		return field == ""
	case float64:
		f, err := strconv.ParseFloat(field, 64)
		return err == nil && f == v
	case string:
		a, err1 := time.Parse(time.RFC3339Nano, field)
		b, err2 := time.Parse(time.RFC3339Nano, v)
		return err1 == nil && err2 == nil && a.Equal(b)
	}
	return false
}

func TestSweepReport(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "sweep")
	code, stdout, stderr := runCmd(t, append([]string{"--store", store, "--out", out, "--strategy", "sma", "--grid", "fast=5,10,20",
		"--grid", "slow=20,40", "--rank", "max_drawdown", "--top", "2", "--benchmark", "none"}, firstWeeks...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(filepath.Join(out, reports.SweepHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="fig-heatmap"`, "<svg", "Max drawdown (daily closes) by fast and slow", "nearer zero is better", store} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// The page stands alone: nothing but the SVG namespaces names a URL.
	for _, bad := range []string{"https:", "<script src", "<link", "@import"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("index.html holds %q", bad)
		}
	}
	// The terminal lists the top 2 by max drawdown, the shallowest first.
	lines := strings.Split(stdout, "\n")
	if len(lines) < 4 || !strings.HasPrefix(strings.TrimSpace(lines[2]), "1 ") || !strings.HasPrefix(strings.TrimSpace(lines[3]), "2 ") {
		t.Fatalf("terminal table:\n%s", stdout)
	}
	recs := readSweepCSV(t, out)
	col := slices.Index(recs[0], "max_drawdown")
	best := math.Inf(-1)
	for _, r := range recs[1:] {
		v, _ := strconv.ParseFloat(r[col], 64)
		best = max(best, v)
	}
	if f := strings.Fields(lines[2]); f[3] != fmt.Sprintf("%.2f%%", best*100) {
		t.Errorf("first row %q, want max drawdown %.2f%%", lines[2], best*100)
	}
	if alpha := recs[1][slices.Index(recs[0], "alpha")]; alpha != "" {
		t.Errorf("alpha %q without a benchmark", alpha)
	}
}

func TestSweepBadInput(t *testing.T) {
	dir := fixture(t)
	store := filepath.Join(dir, "bars.duckdb")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"grid syntax", []string{"--grid", "fast"}, "name=start:stop:step"},
		{"grid step zero", []string{"--grid", "fast=5:50:0"}, "above zero"},
		{"grid start above stop", []string{"--grid", "fast=50:5:5"}, "above stop"},
		{"grid twice", []string{"--grid", "fast=1,2", "--grid", "fast=3"}, "twice"},
		{"grid unknown param", []string{"--grid", "speed=1:3:1"}, "speed"},
		{"grid out of range", []string{"--grid", "fast=0:10:5"}, "out of range"},
		{"grid not whole", []string{"--grid", "fast=2.5,3"}, "whole number"},
		{"grid too many", []string{"--grid", "fast=1:200:1", "--grid", "slow=2:200:1"}, "10000"},
		{"grid and param", []string{"--grid", "fast=1,2", "--param", "fast=3"}, "also fixed"},
		{"all invalid", []string{"--grid", "fast=50,60", "--grid", "slow=20,30"}, "every one"},
		{"rank unrankable", []string{"--grid", "fast=1,2", "--rank", "trades"}, "--rank"},
		{"rank unknown", []string{"--grid", "fast=1,2", "--rank", "nope"}, "sharpe"},
		{"top zero", []string{"--grid", "fast=1,2", "--top", "0"}, "--top"},
		{"jobs negative", []string{"--grid", "fast=1,2", "--jobs", "-1"}, "--jobs"},
		{"rank without grid", []string{"--rank", "cagr"}, "--grid"},
		{"bad fixed param", []string{"--grid", "fast=1,2", "--param", "speed=3"}, "speed"},
		{"symbol not stored", []string{"--grid", "fast=1,2", "--symbols", "TSLA"}, "TSLA"},
		{"bad commission", []string{"--grid", "fast=1,2", "--commission", "lots"}, "--commission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o")
			args := append([]string{"--store", store, "--out", out}, tt.args...)
			code, stdout, stderr := runCmd(t, args...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 {
				t.Errorf("want one line, got %d:\n%s", len(lines), stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("message %q does not mention %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %s", stdout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a bad sweep wrote results")
			}
		})
	}
}

// A sweep whose bars and runs cannot fit in the memory available is refused before a bar is
// loaded, with one line naming the figure and --jobs.
func TestSweepRefusesWhatDoesNotFit(t *testing.T) {
	// The fixture's smallest series, a month of AAPL minutes, whole: without --start or --end
	// the estimate is the series' count, the bars the probe loads.
	store := filepath.Join(fixture(t), "multi.duckdb")
	defer func(f func() (int64, bool)) { availableMemory = f }(availableMemory)
	args := func(out string, jobs string) []string {
		return []string{"--store", store, "--tf", "1Min", "--out", out, "--strategy", "sma", "--grid", "fast=2,4,6,8", "--grid", "slow=10,20", "--jobs", jobs}
	}
	// How much the fixture's sweep needs, from the same estimate the command makes.
	code, stdout, stderr := runCmd(t, args(filepath.Join(t.TempDir(), "probe"), "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bars int64
	if _, err := fmt.Sscanf(stdout[strings.Index(stdout, "runs of ")+len("runs of "):], "%d bars", &bars); err != nil || bars == 0 {
		t.Fatalf("no bar count in %q: %v", stdout, err)
	}
	tests := []struct {
		name      string
		available int64
		jobs      string
		want      []string
	}{
		// The combinations' kept daily returns (a few KB here) come on top of Need.
		{"fewer jobs fit", sweep.Need(bars, 2) + 64<<10, "4", []string{"with 4 parallel runs", "use --jobs 2", "daily returns kept"}},
		{"not even one", sweep.Need(bars, 1) - 1, "4", []string{"even --jobs 1 does not fit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			availableMemory = func() (int64, bool) { return tt.available, true }
			out := filepath.Join(t.TempDir(), "o")
			code, stdout, stderr := runCmd(t, args(out, tt.jobs)...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 {
				t.Errorf("want one line, got %d:\n%s", len(lines), stderr)
			}
			needs := fmt.Sprintf("a sweep of %d bars", bars)
			for _, w := range append(tt.want, needs, "needs about", "B a bar") {
				if !strings.Contains(stderr, w) {
					t.Errorf("message %q does not mention %q", stderr, w)
				}
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %s", stdout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused sweep wrote results")
			}
		})
	}
	// Where the available memory cannot be told, the sweep runs.
	availableMemory = func() (int64, bool) { return 0, false }
	if code, _, stderr := runCmd(t, args(filepath.Join(t.TempDir(), "o"), "4")...); code != 0 {
		t.Errorf("unknown memory: exit %d: %s", code, stderr)
	}
}

func TestEstimateBars(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	series := func(sym string, bars int64, first, last time.Time) data.SeriesInfo {
		in := data.SeriesInfo{Bars: bars, First: first, Last: last}
		in.Symbol, in.Timeframe, in.Adjustment = sym, data.OneMin, data.Raw
		return in
	}
	infos := []data.SeriesInfo{series("A", 1000, day(1), day(11)), series("B", 500, day(6), day(11)), series("C", 7, day(1), day(2))}
	tests := []struct {
		name       string
		symbols    []string
		start, end time.Time
		want       int64
	}{
		{"whole series", []string{"A", "B"}, time.Time{}, time.Time{}, 1500},
		{"half of A, all of B", []string{"A", "B"}, day(6), time.Time{}, 1000},
		{"before B", []string{"A", "B"}, time.Time{}, day(3), 200},
		{"symbol not selected", []string{"C"}, time.Time{}, time.Time{}, 7},
		{"range outside", []string{"C"}, day(5), time.Time{}, 0},
	}
	for _, tt := range tests {
		q := data.Query{Symbols: tt.symbols, Timeframe: data.OneMin, Adjustment: data.Raw, Start: tt.start, End: tt.end}
		// A minute of slack per series counts the bar at the end of the range.
		if got := estimateBars(infos, q); got < tt.want || got > tt.want+int64(len(tt.symbols)) {
			t.Errorf("%s: %d bars, want about %d", tt.name, got, tt.want)
		}
	}
}

const benchBars = 1_000_000

var (
	benchOnce sync.Once
	benchData []data.Bar
	benchErr  error
)

// millionBars is a million minute bars of one synthetic symbol, regular sessions only, the
// first million the synth source gives from 2012 on (some ten years).
func millionBars(b *testing.B) []data.Bar {
	benchOnce.Do(func() {
		src := synth.New()
		start, _ := data.ParseStart("2012-01-03")
		end, _ := data.ParseEnd("2024-12-31")
		req := data.Request{Symbols: []string{"SYN"}, Timeframe: data.OneMin, Start: start, End: end}
		benchData = make([]data.Bar, 0, benchBars)
		for page, err := range src.Bars(context.Background(), req) {
			if err != nil {
				benchErr = err
				return
			}
			for _, bar := range page {
				if calendar.InSession(bar.Time) && len(benchData) < benchBars {
					benchData = append(benchData, bar)
				}
			}
			if len(benchData) == benchBars {
				break
			}
		}
		if len(benchData) < benchBars {
			benchErr = fmt.Errorf("synth gave %d bars, want %d", len(benchData), benchBars)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData
}

// benchGrid is 10 × 10 combinations, all valid: fast 2..20 by 2, slow 30..120 by 10.
func benchGrid(b *testing.B) *sweep.Plan {
	p := benchPlan(b, "fast=2:20:2", "slow=30:120:10")
	if len(p.Runs) != 100 {
		b.Fatalf("%d runs, want 100", len(p.Runs))
	}
	return p
}

func benchPlan(b *testing.B, grids ...string) *sweep.Plan {
	var gs sweep.Grids
	for _, g := range grids {
		if err := gs.Set(g); err != nil {
			b.Fatal(err)
		}
	}
	p, err := sweep.NewPlan("sma", nil, gs)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

var benchCfg = engine.Config{Cash: 100000, Strategy: "sma", Provenance: engine.Provenance{Timeframe: data.OneMin}}

// BenchmarkSingle is one sma run over a million minute bars with its statistics: the unit of
// work a sweep repeats.
func BenchmarkSingle(b *testing.B) {
	bars := millionBars(b)
	p := benchGrid(b)
	p.Runs = p.Runs[:1]
	sc, _ := reports.NewScorer(reports.Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// Execute builds a fresh strategy for the run, as for each combination of a sweep.
		if _, _, err := sweep.Execute(context.Background(), p, p.Runs, bars, benchCfg, sc.Stats, sweep.Options{Jobs: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

// BenchmarkSweep is the 100-combination sweep over the same bars with every core. The issue's
// target: sweep time / (100 / cores) < 3 × BenchmarkSingle's time.
func BenchmarkSweep(b *testing.B) {
	bars := millionBars(b)
	jobs := runtime.GOMAXPROCS(0)
	sc, _ := reports.NewScorer(reports.Options{})
	p := benchGrid(b) // Execute builds new strategies for every sweep
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := sweep.Execute(context.Background(), p, p.Runs, bars, benchCfg, sc.Stats, sweep.Options{Jobs: jobs}); err != nil {
			b.Fatal(err)
		}
	}
	perSweep := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(100*float64(len(bars))/perSweep, "bars/s")
	b.ReportMetric(float64(jobs), "cores")
	b.ReportMetric(perSweep/(100/float64(jobs)), "s/run-per-core")
}
