package backtestcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/internal/cli"
)

// makeStore fills a store of the given kind with synthetic bars, through the same fetch loop
// the fetch command uses.
func makeStore(t testing.TB, path string, symbols []string, tfs []data.Timeframe, start, end string) {
	t.Helper()
	ctx := context.Background()
	st, err := cli.OpenStore(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := data.ParseStart(start)
	e, _ := data.ParseEnd(end)
	plan := fetch.Plan{Symbols: symbols, Timeframes: tfs, Start: s, End: e, Concurrency: 2}
	if _, err := fetch.Run(ctx, synth.New(), st, plan, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

var (
	fixtureOnce sync1
	fixtureDir  string
)

// sync1 is a tiny sync.Once that can report a failure to the test that hit it.
type sync1 struct{ done bool }

func fixture(t *testing.T) string {
	t.Helper()
	if !fixtureOnce.done {
		dir, err := os.MkdirTemp("", "barkeep-backtest-")
		if err != nil {
			t.Fatal(err)
		}
		fixtureDir = dir
		makeStore(t, filepath.Join(dir, "bars.duckdb"), []string{"AAPL", "MSFT"}, []data.Timeframe{data.OneMin}, "2024-01-02", "2024-03-28")
		makeStore(t, filepath.Join(dir, "lake"), []string{"AAPL", "MSFT"}, []data.Timeframe{data.OneMin}, "2024-01-02", "2024-03-28")
		makeStore(t, filepath.Join(dir, "multi.duckdb"), []string{"AAPL"}, []data.Timeframe{data.OneMin, data.OneDay}, "2024-01-02", "2024-01-31")
		fixtureOnce.done = true
	}
	return fixtureDir
}

func TestMain(m *testing.M) {
	if os.Getenv(rssWrapEnv) == "1" {
		os.Exit(rssWrap(os.Args[1:]))
	}
	if os.Getenv(mainEnv) == "1" {
		Main()
	}
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func readStats(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBacktestWritesResults(t *testing.T) {
	dir := fixture(t)
	for _, store := range []string{"bars.duckdb", "lake"} {
		t.Run(store, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "res")
			code, stdout, stderr := runCmd(t, "--strategy", "sma", "--param", "fast=5", "--param", "slow=20",
				"--store", filepath.Join(dir, store), "--out", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "Sharpe") || !strings.Contains(stdout, filepath.Join(out, "index.html")) {
				t.Fatalf("terminal summary lacks figures or the results path:\n%s", stdout)
			}
			for _, f := range []string{"stats.json", "trades.csv", "equity.csv", "index.html"} {
				if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
					t.Fatalf("%s: %v", f, err)
				}
			}
			m := readStats(t, out)
			for _, k := range []string{"final_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "exposure"} {
				if _, ok := m[k]; !ok {
					t.Errorf("stats.json lacks %q", k)
				}
			}
			// Fractions, not percents.
			if dd := m["max_drawdown"].(float64); dd > 0 || dd < -1 {
				t.Errorf("max_drawdown %v is not a fraction", dd)
			}
			if ex := m["exposure"].(float64); ex < 0 || ex > 1 {
				t.Errorf("exposure %v is not a fraction", ex)
			}
			if n := m["trades"].(float64); n < 1 {
				t.Errorf("sma traded %v times over three months of minutes", n)
			}
			if _, ok := m["benchmark"].(map[string]any); !ok {
				t.Error("no benchmark in stats.json")
			}
		})
	}
}

// The same bars give the same results, whichever store holds them and however often it runs.
func TestBacktestDeterministicAcrossStores(t *testing.T) {
	dir := fixture(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var stats [][]byte
	for _, store := range []string{"bars.duckdb", "lake", "bars.duckdb"} {
		o := defaults()
		o.store = filepath.Join(dir, store)
		o.out = filepath.Join(t.TempDir(), "r")
		o.quiet = true
		o.noHTML = true // only stats.json and trades.csv are compared
		if err := backtest(context.Background(), o, &bytes.Buffer{}, &bytes.Buffer{}, now); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(o.out, "stats.json"))
		if err != nil {
			t.Fatal(err)
		}
		// The store path is recorded; everything else must match byte for byte.
		stats = append(stats, bytes.ReplaceAll(b, []byte(o.store), []byte("STORE")))
		tr, _ := os.ReadFile(filepath.Join(o.out, "trades.csv"))
		stats = append(stats, tr)
	}
	if !bytes.Equal(stats[0], stats[2]) || !bytes.Equal(stats[1], stats[3]) || !bytes.Equal(stats[0], stats[4]) {
		t.Fatal("results differ between runs or stores")
	}
}

// defaults are the options of a command line with no flag: the documented defaults.
func defaults() options {
	var o options
	fs, _ := newFlags(&o)
	if err := fs.Parse(nil); err != nil {
		panic(err)
	}
	return o
}

func TestBacktestBadInput(t *testing.T) {
	dir := fixture(t)
	store := filepath.Join(dir, "bars.duckdb")
	notDB := filepath.Join(t.TempDir(), "junk.duckdb")
	os.WriteFile(notDB, []byte("this is not a database"), 0o644)
	tests := []struct {
		name string
		args []string
		want string // part of the one-line message
	}{
		{"unknown strategy", []string{"--strategy", "nope"}, "sma"},
		{"unknown param", []string{"--param", "speed=3"}, "fast"},
		{"param out of range", []string{"--param", "fast=0"}, "fast"},
		{"param not a number", []string{"--param", "fast=ten"}, "fast"},
		{"fast not below slow", []string{"--param", "fast=40", "--param", "slow=20"}, "slow"},
		{"param twice", []string{"--param", "fast=4", "--param", "fast=5"}, "twice"},
		{"symbol not stored", []string{"--symbols", "TSLA"}, "TSLA"},
		{"bad symbol", []string{"--symbols", "AA PL"}, "invalid symbol"},
		{"empty range", []string{"--start", "2023-01-01", "--end", "2023-06-01"}, "no bars in the range"},
		{"start after end", []string{"--start", "2024-03-01", "--end", "2024-02-01"}, "not before"},
		{"bad date", []string{"--start", "2024-02-30"}, "invalid date"},
		{"bad tf", []string{"--tf", "7Day"}, "1Min..59Min"},
		{"tf not stored", []string{"--tf", "1Day"}, "holds no 1Day"},
		{"feed not stored", []string{"--feed", "boats"}, "from feed boats"},
		{"no store", []string{"--store", filepath.Join(t.TempDir(), "none.duckdb")}, "no store"},
		{"not a duckdb file", []string{"--store", notDB}, "junk.duckdb"},
		{"several timeframes", []string{"--store", filepath.Join(dir, "multi.duckdb")}, "--tf"},
		{"bad commission", []string{"--commission", "5 dollars"}, "--commission"},
		{"bad fees", []string{"--fees", "sec"}, "--fees"},
		{"bad session", []string{"--session", "extended"}, "--session"},
		{"negative cash", []string{"--cash", "-5"}, "--cash"},
		{"leverage below 1", []string{"--leverage", "0.5"}, "--leverage"},
		{"bad benchmark", []string{"--benchmark", "a,b"}, "--benchmark"},
		{"benchmark not stored", []string{"--benchmark", "TSLA"}, "TSLA"},
		{"positional", []string{"extra"}, "unexpected argument"},
		{"bad flag", []string{"--nope"}, "nope"},
		{"mistyped flag", []string{"--stroe", "x"}, "unknown flag --stroe; did you mean --store?"},
		{"mistyped strategy", []string{"--strategy", "smaa"}, "did you mean sma?"},
		{"mistyped param", []string{"--param", "fats=3"}, "did you mean fast?"},
		{"christmas", []string{"--start", "2024-12-25", "--end", "2024-12-25"}, "no trading day from --start 2024-12-25 to --end 2024-12-25"},
		{"weekend", []string{"--start", "2024-03-02", "--end", "2024-03-03"}, "no trading day"},
		{"json sweep", []string{"--json", "--grid", "fast=2,3"}, "--json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--store", store, "--out", filepath.Join(t.TempDir(), "o")}, tt.args...)
			code, stdout, stderr := runCmd(t, args...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if tt.name != "bad flag" && len(lines) != 1 {
				t.Errorf("want one line, got %d:\n%s", len(lines), stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("message %q does not mention %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in output: %s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %s", stdout)
			}
		})
	}
	if b, _ := os.ReadFile(notDB); string(b) != "this is not a database" {
		t.Error("a foreign file was modified")
	}
}

func TestListStrategies(t *testing.T) {
	code, stdout, _ := runCmd(t, "--list-strategies")
	if code != 0 {
		t.Fatal(code)
	}
	for _, name := range []string{"sma", "ema", "rsi", "bollinger", "macd", "breakout", "buyhold", "fast", "pct"} {
		if !strings.Contains(stdout, name) {
			t.Errorf("--list-strategies lacks %q", name)
		}
	}
}

func TestParseCommission(t *testing.T) {
	tests := []struct {
		in        string
		kind      string
		rate, min float64
		ok        bool
	}{
		{"none", "none", 0, 0, true},
		{"0", "none", 0, 0, true},
		{"0.005/share", "share", 0.005, 0, true},
		{"0.005/share,min=1", "share", 0.005, 1, true},
		{"1/order", "order", 1, 0, true},
		{"0.1%", "pct", 0.001, 0, true},
		{"0.1%,min=2", "pct", 0.001, 2, true},
		{"1/order,min=2", "", 0, 0, false},
		{"-1/order", "", 0, 0, false},
		{"5/share", "", 0, 0, false},
		{"50%", "", 0, 0, false},
		{"abc", "", 0, 0, false},
		{"0.1%,max=3", "", 0, 0, false},
	}
	for _, tt := range tests {
		c, err := parseCommission(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.in, err)
			continue
		}
		if tt.ok && (c.Rate != tt.rate || c.Min != tt.min) {
			t.Errorf("%q: got %+v", tt.in, c)
		}
	}
}

func TestPriceTapBounded(t *testing.T) {
	const n = 1_000_000
	bars := make([]data.Bar, n)
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range bars {
		bars[i] = data.Bar{Symbol: "X", Time: t0.Add(time.Duration(i) * time.Minute), Close: float64(i)}
	}
	tap := newPriceTap(data.NewSliceIterator(bars), []string{"X"})
	k := 0
	for tap.Next() {
		if tap.Bar().Close != float64(k) {
			t.Fatal("tap changed the bars")
		}
		k++
	}
	pts := tap.Prices()["X"]
	if k != n || len(pts) > 2*maxPricePoints || len(pts) < maxPricePoints/2 {
		t.Fatalf("passed %d bars, kept %d points", k, len(pts))
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i].Time.After(pts[i-1].Time) {
			t.Fatal("points out of order")
		}
	}
	if pts[0].Price != 0 {
		t.Fatalf("first point %v", pts[0])
	}
}

// The tap keeps the same closes whether the engine reads it a batch or a bar at a time, and
// passes every bar through either way.
func TestPriceTapBatches(t *testing.T) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var a, b []data.Bar
	for i := 0; i < 20000; i++ {
		ti := t0.Add(time.Duration(i) * time.Minute)
		a = append(a, data.Bar{Symbol: "A", Time: ti, Close: float64(i)})
		b = append(b, data.Bar{Symbol: "B", Time: ti, Close: float64(-i)})
	}
	merged := func() data.BarIterator { return data.Merge(data.NewSliceIterator(a), data.NewSliceIterator(b)) }
	one := newPriceTap(merged(), []string{"A", "B"})
	n1 := 0
	for one.Next() {
		n1++
	}
	batched := newPriceTap(merged(), []string{"A", "B"})
	n2 := 0
	for bs := batched.NextBatch(); len(bs) > 0; bs = batched.NextBatch() {
		n2 += len(bs)
	}
	if n1 != 40000 || n2 != n1 {
		t.Fatalf("passed %d bars one at a time and %d in batches, want 40000", n1, n2)
	}
	if !reflect.DeepEqual(one.Prices(), batched.Prices()) {
		t.Fatal("batches keep other closes than single bars")
	}
}
