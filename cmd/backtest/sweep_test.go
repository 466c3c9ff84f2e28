package main

import (
	"context"
	"encoding/csv"
	"errors"
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
)

func TestParseGrid(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the values, spelled as --param takes them; nil for an error
		err  string   // part of the error
	}{
		{"fast=5:50:5", []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}, ""},
		{"fast=5:52:5", []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}, ""}, // stop not on the step
		{"fast=7:7:1", []string{"7"}, ""},
		{" slow = 20:60:20 ", []string{"20", "40", "60"}, ""},
		{"pct=0.1:0.3:0.1", []string{"0.1", "0.2", "0.3"}, ""}, // inclusive despite rounding
		{"pct=0.05:0.2:0.05", []string{"0.05", "0.1", "0.15", "0.2"}, ""},
		{"pct=1e-1:3e-1:1e-1", []string{"0.1", "0.2", "0.30000000000000004"}, ""}, // exponent forms are not rounded
		{"fast=5,10,50", []string{"5", "10", "50"}, ""},
		{"fast=50,5", []string{"50", "5"}, ""}, // list order is kept
		{"fast=12", []string{"12"}, ""},
		{"fast", nil, "name=start:stop:step"},
		{"=1:2:1", nil, "name=start:stop:step"},
		{"fast=", nil, "name=start:stop:step"},
		{"fast=1:2", nil, "start:stop:step"},
		{"fast=1:2:3:4", nil, "start:stop:step"},
		{"fast=1:10:0", nil, "above zero"},
		{"fast=1:10:-1", nil, "above zero"},
		{"fast=10:1:1", nil, "above stop"},
		{"fast=a:10:1", nil, "not a number"},
		{"fast=1:10:NaN", nil, "not a number"},
		{"fast=1,,2", nil, "not a number"},
		{"fast=1,2,1", nil, "twice"},
		{"fast=Inf", nil, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := parseGrid(tt.in)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range g.values() {
				got = append(got, spell(v))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("values %v, want %v", got, tt.want)
			}
			if int(g.count()) != len(got) {
				t.Errorf("count %v, but %d values", g.count(), len(got))
			}
		})
	}
}

func grids(t *testing.T, specs ...string) []gridFlag {
	t.Helper()
	var g gridList
	for _, s := range specs {
		if err := g.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func TestPlanSweep(t *testing.T) {
	p, err := planSweep("sma", map[string]string{"pct": "0.5"}, grids(t, "fast=5,10,20", "slow=10:30:10"))
	if err != nil {
		t.Fatal(err)
	}
	// The first grid varies slowest; fast >= slow is skipped and counted.
	var got []string
	for _, r := range p.runs {
		got = append(got, r.params["fast"]+"/"+r.params["slow"])
		if r.params["pct"] != "0.5" || r.params["qty"] != "0" {
			t.Errorf("run %v lost the fixed or default parameters", r.params)
		}
	}
	want := []string{"5/10", "5/20", "5/30", "10/20", "10/30", "20/30"}
	if !slices.Equal(got, want) {
		t.Errorf("combinations %v, want %v", got, want)
	}
	if p.total != 9 || p.skipped != 3 || !strings.Contains(p.skipReason, "fast (10) below slow (10)") {
		t.Errorf("total %d skipped %d (%q), want 9 and 3", p.total, p.skipped, p.skipReason)
	}
	if !slices.Equal(p.params, []string{"fast", "slow", "pct", "qty"}) {
		t.Errorf("columns %v", p.params)
	}
	if len(p.fixed) != 2 || p.fixed["pct"] != "0.5" || p.fixed["qty"] != "0" {
		t.Errorf("fixed %v", p.fixed)
	}
	// Every run has its own strategy: they run in parallel.
	for i := range p.runs {
		for j := range i {
			if p.runs[i].strat == p.runs[j].strat {
				t.Fatalf("runs %d and %d share a strategy", i, j)
			}
		}
	}

	// Three axes: the product of the three.
	p, err = planSweep("sma", nil, grids(t, "fast=1,2", "slow=10,20,30", "pct=0.5,1"))
	if err != nil {
		t.Fatal(err)
	}
	if p.total != 12 || len(p.runs) != 12 || p.runs[1].params["pct"] != "1" || p.runs[2].params["slow"] != "20" {
		t.Errorf("three axes: total %d, runs %d, second %v", p.total, len(p.runs), p.runs[1].params)
	}
}

func TestPlanSweepUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		strategy string
		fixed    map[string]string
		grids    []string
		want     string
	}{
		{"no grid", "sma", nil, nil, "--grid"},
		{"unknown strategy", "nope", nil, []string{"fast=1,2"}, "sma"},
		{"unknown param", "sma", nil, []string{"speed=1:3:1"}, `no parameter "speed"`},
		{"below min", "sma", nil, []string{"fast=0:10:5"}, "out of range"},
		{"above max", "sma", nil, []string{"slow=99990:100010:10"}, "out of range"},
		{"not whole", "sma", nil, []string{"fast=1.5,2"}, "whole number"},
		{"not whole step", "sma", nil, []string{"fast=1:3:0.5"}, "whole number"},
		{"too many", "sma", nil, []string{"fast=1:100:1", "slow=2:1000:1"}, "10000"},
		{"too many alone", "sma", nil, []string{"fast=1:1e9:1"}, "10000"},
		{"also fixed", "sma", map[string]string{"fast": "5"}, []string{"fast=1,2"}, "also fixed"},
		{"bad fixed", "sma", map[string]string{"speed": "5"}, []string{"fast=1,2"}, "speed"},
		{"all invalid", "sma", nil, []string{"fast=50,60", "slow=20,30"}, "every one of the 4"},
		{"step below resolution", "sma", nil, []string{"pct=0.5:0.5000000000000002:4e-17"}, "too fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planSweep(tt.strategy, tt.fixed, grids(t, tt.grids...))
			var ue *cli.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v (%T), want a usage error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %q does not mention %q", err, tt.want)
			}
		})
	}
}

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

// The same sweep gives the same sweep.csv, byte for byte, whatever the number of workers.
func TestSweepDeterministicAcrossJobs(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	var outs [][]byte
	for _, jobs := range []string{"1", "4", "3"} {
		out := filepath.Join(t.TempDir(), "sweep")
		code, stdout, stderr := runCmd(t, "--store", store, "--out", out, "--strategy", "sma",
			"--grid", "fast=2:10:2", "--grid", "slow=10,20,30", "--jobs", jobs)
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
			code, _, stderr := runCmd(t, "--store", st, "--out", out, "--strategy", "sma", "--param", "pct=0.5",
				"--grid", "fast=5,10", "--grid", "slow=20,40", "--quiet")
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
				code, _, stderr := runCmd(t, "--store", st, "--out", single, "--strategy", "sma", "--param", "pct=0.5",
					"--param", "fast="+combo[0], "--param", "slow="+combo[1], "--quiet")
				if code != 0 {
					t.Fatalf("single run: exit %d: %s", code, stderr)
				}
				stats := readStats(t, single)
				compared := 0
				for j, key := range head {
					if j < 4 { // fast, slow, pct, qty
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
	code, stdout, stderr := runCmd(t, "--store", store, "--out", out, "--strategy", "sma", "--grid", "fast=5,10,20",
		"--grid", "slow=20,40", "--rank", "max_drawdown", "--top", "2", "--benchmark", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(filepath.Join(out, reports.SweepHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="fig-heatmap"`, "<svg", "Max drawdown by fast and slow", "nearer zero is better", store} {
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

// A failing run stops the sweep with the combination named, and a cancelled context stops it
// too.
func TestRunSweepStops(t *testing.T) {
	bars := minuteBars(5000)
	p, err := planSweep("sma", nil, grids(t, "fast=2,3", "slow=10,20"))
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := reports.NewScorer(reports.Options{})
	cfg := engine.Config{Hours: engine.AllHours}
	var mu sync.Mutex
	var seen []int
	stats, n, err := runSweep(context.Background(), bars, cfg, p.runs, 2, sc, func(done int) {
		mu.Lock()
		seen = append(seen, done)
		mu.Unlock()
	})
	if err != nil || len(stats) != 4 || n != int64(len(bars)) {
		t.Fatalf("runSweep: %d stats, %d bars, %v", len(stats), n, err)
	}
	if slices.Sort(seen); !slices.Equal(seen, []int{1, 2, 3, 4}) {
		t.Errorf("progress saw %v, want 1..4", seen)
	}
	p.runs[2].strat = failing{}
	if _, _, err := runSweep(context.Background(), bars, cfg, p.runs, 2, sc, nil); err == nil || !strings.Contains(err.Error(), "fast=3") {
		t.Errorf("err = %v, want the failing combination named", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := runSweep(ctx, bars, cfg, p.runs, 2, sc, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

type failing struct{}

func (failing) OnBar(*engine.Env, data.Bar) error { return errors.New("boom") }

// minuteBars is a random-looking walk of n minute bars of one symbol, around the clock, so
// that every bar is replayed under engine.AllHours.
func minuteBars(n int) []data.Bar {
	bars := make([]data.Bar, n)
	t0 := time.Date(2020, 1, 2, 14, 30, 0, 0, time.UTC)
	p := 100.0
	x := uint64(88172645463325252)
	for i := range bars {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		p *= 1 + (float64(x%2001)-1000)/1e6
		bars[i] = data.Bar{Symbol: "SYN", Time: t0.Add(time.Duration(i) * time.Minute), Open: p, High: p * 1.0005,
			Low: p * 0.9995, Close: p, Volume: 1000}
	}
	return bars
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
func benchGrid(b *testing.B) *sweepPlan {
	p, err := planSweep("sma", nil, []gridFlag{mustGrid(b, "fast=2:20:2"), mustGrid(b, "slow=30:120:10")})
	if err != nil {
		b.Fatal(err)
	}
	if len(p.runs) != 100 {
		b.Fatalf("%d runs, want 100", len(p.runs))
	}
	return p
}

func mustGrid(b *testing.B, s string) gridFlag {
	g, err := parseGrid(s)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

var benchCfg = engine.Config{Cash: 100000, Strategy: "sma", Provenance: engine.Provenance{Timeframe: data.OneMin}}

// BenchmarkSingle is one sma run over a million minute bars with its statistics: the unit of
// work a sweep repeats.
func BenchmarkSingle(b *testing.B) {
	bars := millionBars(b)
	run := benchGrid(b).runs[0]
	sc, _ := reports.NewScorer(reports.Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// A fresh strategy each time, as each combination of a sweep has.
		p, err := planSweep("sma", nil, []gridFlag{mustGrid(b, "fast="+run.params["fast"]), mustGrid(b, "slow="+run.params["slow"])})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := runSweep(context.Background(), bars, benchCfg, p.runs, 1, sc, nil); err != nil {
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
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		p := benchGrid(b) // strategies are stateful: new ones for every sweep
		b.StartTimer()
		if _, _, err := runSweep(context.Background(), bars, benchCfg, p.runs, jobs, sc, nil); err != nil {
			b.Fatal(err)
		}
	}
	perSweep := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(100*float64(len(bars))/perSweep, "bars/s")
	b.ReportMetric(float64(jobs), "cores")
	b.ReportMetric(perSweep/(100/float64(jobs)), "s/run-per-core")
}

func FuzzParseGrid(f *testing.F) {
	for _, s := range []string{"fast=5:50:5", "pct=0.1:0.3:0.1", "fast=1,2,3", "x=1e-1:3e-1:1e-1", "x=0:1e300:1e-300", "a=-5:5:2.5", "b="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := parseGrid(s)
		if err != nil {
			return
		}
		n := g.count()
		if !(n >= 1) {
			t.Fatalf("%q: count %v", s, n)
		}
		if n > maxCombinations {
			return // planSweep refuses it before expanding
		}
		vals := g.values()
		if len(vals) != int(n) {
			t.Fatalf("%q: %d values, count %v", s, len(vals), n)
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: value %v", s, v)
			}
			// Steps finer than float64 at these values repeat a value (planSweep refuses that);
			// they never go backwards.
			if g.isRange && (i > 0 && v < vals[i-1]) {
				t.Fatalf("%q: values decreasing: %v", s, vals)
			}
		}
	})
}
