package backtestcmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/cli"
	"github.com/barkeep-trading/barkeep/reports"
)

func TestVersionAndHelp(t *testing.T) {
	code, stdout, stderr := runCmd(t, "--version")
	if code != 0 || stdout != "backtest "+cli.Version()+"\n" || stderr != "" {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{"  --store string\n", "  --fees string\n", `(default "alpaca")`, "  --min-trades int\n", "(default 30)", "  --json\n", "  --version\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "  --") {
			t.Errorf("--help names a flag with one dash: %q", line)
		}
	}
}

// Costs are on unless dropped, and the benchmark pays the same ones under its own name.
func TestDefaultCostsAndBenchmarkName(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	tests := []struct {
		name      string
		args      []string
		fees      bool
		benchmark string
	}{
		{"defaults", nil, true, "buyhold AAPL,MSFT"},
		{"fees none", []string{"--fees", "none"}, false, "buyhold AAPL,MSFT"},
		{"one symbol", []string{"--benchmark", "MSFT"}, true, "MSFT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r")
			args := append([]string{"--store", store, "--out", out, "--param", "fast=5", "--param", "slow=20", "--slippage-bps", "1"}, firstWeeks...)
			code, stdout, stderr := runCmd(t, append(args, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			m := readStats(t, out)
			if paid := m["fees_paid"].(float64); (paid > 0) != tt.fees {
				t.Errorf("fees_paid %v, want fees %v", paid, tt.fees)
			}
			if m["benchmark_name"] != tt.benchmark || m["benchmark_same_costs"] != true {
				t.Errorf("benchmark_name %v, same costs %v; want %q and true", m["benchmark_name"], m["benchmark_same_costs"], tt.benchmark)
			}
			if !strings.Contains(stdout, tt.benchmark) {
				t.Errorf("terminal does not name the benchmark %q:\n%s", tt.benchmark, stdout)
			}
			b := m["benchmark"].(map[string]any)
			if b["slippage_paid"].(float64) <= 0 {
				t.Errorf("the benchmark paid no slippage: %v", b["slippage_paid"])
			}
			html, _ := os.ReadFile(filepath.Join(out, reports.HTMLFile))
			if !strings.Contains(string(html), tt.benchmark) {
				t.Errorf("index.html does not name the benchmark %q", tt.benchmark)
			}
		})
	}
}

func TestJSONAndQuiet(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "r")
	code, stdout, stderr := runCmd(t, append([]string{"--store", store, "--out", out, "--json"}, firstWeeks...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	file, err := os.ReadFile(filepath.Join(out, reports.StatsFile))
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(file) || !json.Valid([]byte(stdout)) {
		t.Errorf("--json stdout is not stats.json:\n%.300s", stdout)
	}
	if !strings.Contains(stderr, "Sharpe") || !strings.Contains(stderr, "results: "+filepath.Join(out, "index.html")) {
		t.Errorf("--json: the summary and the path should go to stderr:\n%s", stderr)
	}

	out = filepath.Join(t.TempDir(), "q")
	code, stdout, stderr = runCmd(t, append([]string{"--store", store, "--out", out, "--quiet", "--no-html"}, firstWeeks...)...)
	if code != 0 || stdout != out+"\n" || stderr != "" {
		t.Errorf("--quiet: exit %d, stdout %q (want the path alone), stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, append([]string{"--store", store, "--out", out, "--quiet", "--json"}, firstWeeks...)...)
	if code != 0 || !json.Valid([]byte(stdout)) {
		t.Errorf("--quiet --json: exit %d, stdout %.200q", code, stdout)
	}
}

// A sweep honours --no-html and --quiet, counts the runs that made no trade apart from those
// skipped, and ranks only runs of --min-trades trades.
func TestSweepNoTradeMinTradesNoHTML(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	out := filepath.Join(t.TempDir(), "s")
	// rsi never buys below an RSI of 0; upper=20 with lower=30 is invalid.
	args := []string{"--store", store, "--out", out, "--strategy", "rsi", "--grid", "lower=0,10,30", "--grid", "upper=20,70"}
	code, stdout, stderr := runCmd(t, append(args, "--quiet", "--no-html")...)
	if code != 0 || stdout != out+"\n" {
		t.Fatalf("exit %d, stdout %q (want the path alone): %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, reports.SweepHTMLFile)); err == nil {
		t.Error("--no-html sweep wrote index.html")
	}
	recs := readSweepCSV(t, out) // fails the test when there is none
	status := len(recs[0]) - 1
	trades := slices.Index(recs[0], "trades")
	if recs[0][status] != "status" {
		t.Fatalf("last column %q", recs[0][status])
	}
	var none int
	for _, r := range recs[1:] {
		switch {
		case r[0] == "0" && r[status] != "no_trade":
			t.Errorf("lower=0 row status %q, want no_trade", r[status])
		case r[0] == "0":
			none++
		default:
			n, _ := strconv.Atoi(r[trades])
			if want := map[bool]string{true: "few_trades", false: "ranked"}[n < 30]; r[status] != want {
				t.Errorf("row %v of %d trades: status %q, want %q", r[:2], n, r[status], want)
			}
		}
	}
	if none != 2 {
		t.Errorf("%d no-trade rows, want 2", none)
	}

	out = filepath.Join(t.TempDir(), "s2")
	code, stdout, stderr = runCmd(t, "--store", store, "--out", out, "--strategy", "rsi", "--grid", "lower=0,10,30", "--grid", "upper=20,70",
		"--min-trades", "100000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"5 of 6 combinations ran, 1 skipped as invalid", "2 made no trade", "with fewer than 100000 trades not ranked",
		"warning: No combination made 100000 trades"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("terminal lacks %q:\n%s", want, stdout)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, reports.SweepHTMLFile))
	for _, want := range []string{"2 made no trade", "at least 100000 trades", `id="warning"`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

func TestSweepSuggestions(t *testing.T) {
	store := filepath.Join(fixture(t), "bars.duckdb")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--grid", "fats=1,2"}, "did you mean fast?"},
		{[]string{"--grid", "fast=1,2", "--rank", "sharp"}, "did you mean sharpe?"},
		{[]string{"--strategy", "bolinger", "--grid", "k=1,2"}, "did you mean bollinger?"},
		{[]string{"--min-trades", "-1", "--grid", "fast=1,2"}, "--min-trades"},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"--store", store, "--out", filepath.Join(t.TempDir(), "o")}, tt.args...)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestHasTradingDay(t *testing.T) {
	for _, tt := range []struct {
		start, end string
		want       bool
	}{
		{"2024-12-25", "2024-12-25", false},
		{"2024-12-28", "2024-12-29", false}, // a weekend
		{"2024-12-24", "2024-12-25", true},  // an early close counts
		{"2024-12-25", "2024-12-26", true},
		{"2024-03-09", "2024-03-10", false}, // the weekend clocks change
		{"2024-03-11", "2024-03-11", true},
		{"2024-12-28T10:00:00-05:00", "2024-12-30T08:00:00-05:00", true}, // reaches Monday morning
		{"2024-12-28T10:00:00-05:00", "2024-12-30T00:00:00-05:00", false},
	} {
		s, err1 := data.ParseStart(tt.start)
		e, err2 := data.ParseEnd(tt.end)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if got := hasTradingDay(s, e); got != tt.want {
			t.Errorf("hasTradingDay(%s, %s) = %v, want %v", tt.start, tt.end, got, tt.want)
		}
	}
}

// make demo shows what a plain backtest does: no flag of its backtest line drops or changes
// the default costs.
func TestDemoUsesDefaultCosts(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "$(BIN)/backtest") {
			line = l
		}
	}
	if line == "" {
		t.Fatal("no backtest line in the Makefile's demo")
	}
	for _, flag := range []string{"--fees", "--commission", "--slippage-bps", "--benchmark"} {
		if strings.Contains(line, flag) {
			t.Errorf("make demo sets %s: %q", flag, line)
		}
	}
	if o := defaults(); o.fees != "alpaca" {
		t.Errorf("--fees defaults to %q, want alpaca", o.fees)
	}
}
