package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// writeReport computes and writes the report of r and returns its files and terminal summary.
func writeReport(t *testing.T, r *engine.Result, o Options) (files map[string]string, terminal string, s Summary) {
	t.Helper()
	s, err := Compute(r, o)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := WriteDir(context.Background(), dir, r, s, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	files = map[string]string{}
	for _, name := range []string{StatsFile, TradesFile, EquityFile, HTMLFile} {
		files[name] = readFile(t, filepath.Join(dir, name))
	}
	var b bytes.Buffer
	PrintSummary(&b, s)
	return files, b.String(), s
}

// minuteDay is one session of minute points on 2024-01-02 at the given equity.
func minuteDay(equity func(i int) float64) []engine.EquityPoint {
	out := make([]engine.EquityPoint, 390)
	for i := range out {
		e := equity(i)
		out[i] = engine.EquityPoint{UnixNano: ny(2024, 1, 2, 9, 31).Add(time.Duration(i) * time.Minute).UnixNano(), Cash: e}
	}
	return out
}

// Runs at the edges (no trade, a flat curve, a single day, only crypto) render figures a reader
// can trust: no NaN anywhere, a reason beside every dash, no drawdown axis padded to ±100%, no
// histogram of one block.
func TestEdgeRunsRenderSensibly(t *testing.T) {
	flat := &engine.Result{StartEquity: 1000, Equity: dailyCurve(1000, 1000, 1000, 1000)}
	oneDaily := &engine.Result{StartEquity: 1000, Equity: dailyCurve(1000),
		Config: engine.Config{Provenance: engine.Provenance{Timeframe: data.OneDay}}}
	oneSession := &engine.Result{StartEquity: 1000, Equity: minuteDay(func(i int) float64 { return 1000 + float64(i%7) }),
		Config: engine.Config{Provenance: engine.Provenance{Timeframe: data.OneMin}}}
	crypto := withTrades(fiveDays())
	crypto.Config.Provenance.Symbols = []string{"BTC/USD"}
	for _, tc := range []struct {
		name      string
		r         *engine.Result
		histogram bool
		nulls     map[string]string // key → the reason stats.json gives
	}{
		{"flat, no trade", flat, false, map[string]string{"sharpe": "zero volatility (a flat curve)", "win_rate": "no closed trade",
			"breakeven_slippage_bps": "no fills", "calmar": "no drawdown"}},
		{"a single daily bar", oneDaily, false, map[string]string{"volatility": "no daily return (the run covers a single day)",
			"cagr": "the run starts and ends at the same time"}},
		{"a single session", oneSession, false, map[string]string{"volatility": "fewer than 2 daily returns"}},
		{"crypto only", crypto, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, terminal, _ := writeReport(t, tc.r, Options{})
			html := files[HTMLFile]
			for name, text := range map[string]string{StatsFile: files[StatsFile], HTMLFile: html, "terminal": terminal} {
				if regexp.MustCompile(`\bNaN\b`).MatchString(text) {
					t.Errorf("%s shows NaN", name)
				}
				if strings.Contains(text, "Inf") && name != HTMLFile {
					t.Errorf("%s shows Inf", name)
				}
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(files[StatsFile]), &doc); err != nil {
				t.Fatal(err)
			}
			reasons, _ := doc["null_reasons"].(map[string]any)
			for key, v := range doc {
				if _, ok := metricOf(key); ok && v == nil && reasons[key] == nil {
					t.Errorf("%s is null in stats.json without a reason", key)
				}
			}
			for key, want := range tc.nulls {
				if doc[key] != nil || reasons[key] != want {
					t.Errorf("%s = %v, reason %q; want null because %q", key, doc[key], reasons[key], want)
				}
				if !strings.Contains(html, want) {
					t.Errorf("the HTML does not give the reason %q", want)
				}
			}
			if strings.Contains(html, ">-100%<") || strings.Contains(html, ">100%<") {
				t.Error("a plot axis reaches ±100%")
			}
			if got := strings.Contains(html, `id="fig-histogram"`); got != tc.histogram {
				t.Errorf("histogram drawn: %v, want %v", got, tc.histogram)
			}
		})
	}
	t.Run("flat notes", func(t *testing.T) {
		files, _, _ := writeReport(t, flat, Options{})
		for _, want := range []string{"No distribution of daily returns is drawn: all 3 are 0%.", "no drawdown at any bar", "The equity never moved"} {
			if !strings.Contains(files[HTMLFile], want) {
				t.Errorf("the HTML lacks %q", want)
			}
		}
	})
	t.Run("crypto says 365", func(t *testing.T) {
		files, terminal, _ := writeReport(t, crypto, Options{})
		if !strings.Contains(files[StatsFile], `"annualisation_days": 365`) || !strings.Contains(files[HTMLFile], "365 days a year (every symbol is crypto)") ||
			!strings.Contains(terminal, "365 days a year") {
			t.Error("a crypto-only run does not say it annualises with 365 days")
		}
	})
}

// One time convention: trades.csv, equity.csv, stats.json and the terminal write New York time
// with its offset, and daily bars as dates.
func TestOneTimeConvention(t *testing.T) {
	intraday := withTrades(fiveDays())
	intraday.Config.Provenance.Timeframe = data.OneMin
	intraday.Trades[0].EntryTime, intraday.Trades[0].ExitTime = ny(2024, 1, 2, 9, 30), ny(2024, 7, 2, 10, 0)
	files, terminal, _ := writeReport(t, intraday, Options{})
	rows, err := csv.NewReader(strings.NewReader(files[TradesFile])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][3] != "2024-01-02T09:30:00-05:00" || rows[1][5] != "2024-07-02T10:00:00-04:00" {
		t.Errorf("trades.csv times %q, %q; want New York with the offset", rows[1][3], rows[1][5])
	}
	if line := strings.Split(files[EquityFile], "\n")[1]; !strings.HasPrefix(line, "2024-01-02T16:00:00-05:00,") {
		t.Errorf("equity.csv line %q", line)
	}
	if !strings.Contains(files[StatsFile], `"start": "2024-01-02T16:00:00-05:00"`) || !strings.Contains(terminal, "2024-01-02T16:00:00-05:00") {
		t.Error("stats.json or the terminal do not give the start in New York time with the offset")
	}

	daily := withTrades(fiveDays())
	daily.Config.Provenance.Timeframe = data.OneDay
	daily.Trades[0].EntryTime, daily.Trades[0].ExitTime = ny(2024, 1, 2, 0, 0), ny(2024, 1, 3, 16, 0)
	files, terminal, _ = writeReport(t, daily, Options{})
	rows, _ = csv.NewReader(strings.NewReader(files[TradesFile])).ReadAll()
	if rows[1][3] != "2024-01-02" || rows[1][5] != "2024-01-03" {
		t.Errorf("daily trades.csv times %q, %q; want dates", rows[1][3], rows[1][5])
	}
	if line := strings.Split(files[EquityFile], "\n")[1]; !strings.HasPrefix(line, "2024-01-02,") {
		t.Errorf("daily equity.csv line %q", line)
	}
	if !strings.Contains(files[StatsFile], `"start": "2024-01-02"`) || !regexp.MustCompile(`(?m)^ *Start +2024-01-02 *$`).MatchString(terminal) ||
		!strings.Contains(files[HTMLFile], `data-value="2024-01-08">2024-01-08<`) {
		t.Error("a daily run does not show its start and end as dates")
	}
	if !regexp.MustCompile(`DATES = +true *,`).MatchString(files[HTMLFile]) {
		t.Error("the trades script of a daily run does not write dates")
	}
}

// The benchmark is named for what it is wherever it is shown, and the report says from its
// Config whether it paid the strategy's costs.
func TestBenchmarkNamedAndCosts(t *testing.T) {
	if got := BenchmarkLabel(&engine.Result{Config: engine.Config{Strategy: "buyhold", Provenance: engine.Provenance{Symbols: []string{"SPY"}}}}); got != "SPY" {
		t.Errorf("label %q, want SPY", got)
	}
	if got := BenchmarkLabel(&engine.Result{Config: engine.Config{Strategy: "buyhold", Provenance: engine.Provenance{Symbols: []string{"AAPL", "MSFT"}}}}); got != "buyhold AAPL,MSFT" {
		t.Errorf("label %q, want buyhold AAPL,MSFT", got)
	}
	r, prices := synthetic(390*130, 3)
	r.Config.SlippageBps = 1
	r.Config.Fees = engine.AlpacaFees
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	r.Config.FeeSchedule = engine.FeeSchedule{ // the run spans 2015-01-02 to 2015-07-02
		SEC: []engine.FeeRate{{Rate: 20e-6}, {From: day(2015, 3, 1), Rate: 30e-6}, {From: day(2016, 1, 1), Rate: 10e-6}},
		TAF: []engine.FeeRate{{Rate: 0.0001, PerTrade: 5}},
	}
	b := buyAndHold(prices)
	b.Config.Strategy, b.Config.Provenance.Symbols = "buyhold", []string{"SPY"}
	s, err := Compute(r, Options{Benchmark: b})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := WriteDir(context.Background(), dir, r, s, WriteOptions{Prices: map[string][]PricePoint{"SYN": prices}}); err != nil {
		t.Fatal(err)
	}
	html := readFile(t, filepath.Join(dir, HTMLFile))
	var buf bytes.Buffer
	PrintSummary(&buf, s)
	for where, text := range map[string]string{"terminal": buf.String(), "html": html} {
		for _, want := range []string{"SPY", "The benchmark (SPY) did not pay the same costs as the strategy: its slippage none (0 bps); commission none; regulatory fees none."} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", where, want)
			}
		}
	}
	for _, want := range []string{"<dt>Benchmark</dt><dd>SPY</dd>", "<th>SPY</th>", ">SPY (rebased)<", "SPY: "} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, StatsFile))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["benchmark_name"] != "SPY" || doc["benchmark_same_costs"] != false {
		t.Errorf("stats.json benchmark_name %v, benchmark_same_costs %v", doc["benchmark_name"], doc["benchmark_same_costs"])
	}
	costs, _ := doc["costs_assumed"].(map[string]any)
	if rates, _ := costs["fee_rates"].([]any); costs["slippage_bps"] != 1.0 || len(rates) != 3 {
		t.Errorf("costs_assumed %v: want 1 bps and the SEC and TAF rates of 2015", costs)
	}
	if !strings.Contains(html, "(SEC fee $20.00 per $1M sold until 2015-02-28; SEC fee $30.00 per $1M sold from 2015-03-01 to 2015-12-31; FINRA TAF $0.0001 a share sold, at most $5.00 a trade)") {
		t.Error("the report does not state the SEC rate in force")
	}

	// The same cost settings: the report says so.
	b.Config.SlippageBps, b.Config.Fees, b.Config.FeeSchedule = 1, engine.AlpacaFees, r.Config.FeeSchedule
	s, _ = Compute(r, Options{Benchmark: b, BenchmarkName: "buyhold SYN"})
	buf.Reset()
	PrintSummary(&buf, s)
	if !strings.Contains(buf.String(), "The benchmark (buyhold SYN) paid the same costs as the strategy.") {
		t.Errorf("same costs not stated:\n%s", buf.String())
	}
}

// On a 430-pixel phone every plot has a narrow drawing whose smallest text is at least 9 CSS
// pixels, and every table scrolls inside its own box.
func TestReadableOnPhone(t *testing.T) {
	dir, _, _ := sharedReport(t)
	html := readFile(t, filepath.Join(dir, HTMLFile))
	const content = 430 - 2*12 // the page's padding on a phone
	narrow := regexp.MustCompile(`(?s)<div class="narrow"><svg width="[^"]*" height="[^"]*" viewBox="0 0 ([0-9.]+) [0-9.]+"(.*?)</svg>`)
	font := regexp.MustCompile(`font-size:([0-9.]+)px`)
	figures := strings.Count(html, "<figure ")
	found := narrow.FindAllStringSubmatch(html, -1)
	if len(found) != figures || figures == 0 {
		t.Fatalf("%d narrow drawings for %d figures", len(found), figures)
	}
	for _, m := range found {
		w, _ := strconv.ParseFloat(m[1], 64)
		for _, f := range font.FindAllStringSubmatch(m[2], -1) {
			size, _ := strconv.ParseFloat(f[1], 64)
			if px := size * content / w; px < 9 {
				t.Errorf("text of %v units in a %v-unit-wide plot is %.1f px on a phone", size, w, px)
			}
		}
	}
	if !strings.Contains(html, "@media (max-width: 600px)") || !strings.Contains(html, "figure .narrow { display:block; }") {
		t.Error("no phone layout")
	}
	if n, wrapped := strings.Count(html, "<table"), strings.Count(html, `<div class="scroll"><table`); n != wrapped {
		t.Errorf("%d tables, %d inside a scrolling box", n, wrapped)
	}
	if _, err := os.Stat(filepath.Join(dir, HTMLFile)); err != nil {
		t.Fatal(err)
	}
}

// TestFinancingRatesAssumed: the borrow and margin rates a run was charged at stand with the other
// cost assumptions in the terminal, stats.json's costs_assumed and the benchmark note, and are
// absent when off.
func TestFinancingRatesAssumed(t *testing.T) {
	r, prices := synthetic(390*20, 5)
	r.Config.BorrowRate, r.Config.MarginRate = 0.025, 0.0375
	b := buyAndHold(prices)
	b.Config.Strategy, b.Config.Provenance.Symbols = "buyhold", []string{"SPY"}
	s, err := Compute(r, Options{Benchmark: b})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	PrintSummary(&buf, s)
	for _, want := range []string{
		"regulatory fees none; stock borrow 2.5% a year (daily, /360) on short market value; margin interest 3.75% a year (daily, /360) on negative cash.",
		"The benchmark (SPY) did not pay the same costs as the strategy: its slippage none (0 bps); commission none; regulatory fees none.",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("terminal lacks %q:\n%s", want, buf.String())
		}
	}
	dir := filepath.Join(t.TempDir(), "report")
	if err := WriteDir(context.Background(), dir, r, s, WriteOptions{NoHTML: true}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Costs map[string]any `json:"costs_assumed"`
		Bench map[string]any `json:"benchmark_costs_assumed"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, StatsFile))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Costs["borrow_rate"] != 0.025 || doc.Costs["margin_rate"] != 0.0375 {
		t.Errorf("costs_assumed %v: want borrow_rate 0.025 and margin_rate 0.0375", doc.Costs)
	}
	if _, ok := doc.Bench["borrow_rate"]; ok {
		t.Errorf("benchmark_costs_assumed %v names a borrow rate it was not charged", doc.Bench)
	}
}

// A daily run selected with --start 2018-03-05 --end 2018-03-09 (the query ends at the exclusive
// midnight of 2018-03-10) names its last day, 2018-03-09, in stats.json and the page's header,
// not the day after it; an intraday run keeps the exclusive instant.
func TestDailyRangeShowsItsLastDay(t *testing.T) {
	for _, tc := range []struct {
		tf        data.Timeframe
		json, hdr string
	}{
		{data.OneDay, `"end":"2018-03-09"`, "2018-03-05 → 2018-03-09 (New York)"},
		{data.OneMin, `"end":"2018-03-10T00:00:00-05:00"`, "→ 2018-03-10T00:00:00-05:00 (New York)"},
	} {
		r := &engine.Result{StartEquity: 1000, Equity: dailyCurve(1000, 1001, 1002),
			Config: engine.Config{Provenance: engine.Provenance{Timeframe: tc.tf,
				Start: ny(2018, 3, 5, 0, 0), End: ny(2018, 3, 10, 0, 0)}}}
		files, _, _ := writeReport(t, r, Options{})
		if js := strings.ReplaceAll(files[StatsFile], " ", ""); !strings.Contains(js, tc.json) {
			t.Errorf("%s: stats.json lacks %s", tc.tf, tc.json)
		}
		if !strings.Contains(files[HTMLFile], tc.hdr) {
			t.Errorf("%s: header lacks %q", tc.tf, tc.hdr)
		}
	}
}

// A crypto pair pays neither the SEC fee nor the FINRA TAF (the engine charges them on stock
// sells only), so the stated assumptions must not list their rates for a crypto-only run, and
// must say which sells they apply to in a mixed one.
func TestCostAssumptionsCrypto(t *testing.T) {
	start, end := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	cfg := func(syms ...string) engine.Config {
		return engine.Config{Fees: engine.AlpacaFees, Provenance: engine.Provenance{Symbols: syms}}
	}
	only := costAssumptions(cfg("BTC/USD", "ETH/USD"), start, end)
	if len(only.FeeRates) != 0 || !strings.Contains(only.Fees, "none on crypto pairs") {
		t.Errorf("crypto-only: fees %q, rates %v; want none and no rates", only.Fees, only.FeeRates)
	}
	mixed := costAssumptions(cfg("AAPL", "BTC/USD"), start, end)
	if len(mixed.FeeRates) == 0 || !strings.Contains(mixed.Fees, "stock sells only") {
		t.Errorf("mixed: fees %q, rates %v; want the rates and which sells pay them", mixed.Fees, mixed.FeeRates)
	}
	stocks := costAssumptions(cfg("AAPL"), start, end)
	if len(stocks.FeeRates) == 0 || strings.Contains(stocks.Fees, "crypto") {
		t.Errorf("stocks: fees %q, rates %v", stocks.Fees, stocks.FeeRates)
	}
}
