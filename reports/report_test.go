package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/atomicfile"
	"github.com/barkeep-trading/barkeep/internal/golden"
)

// sampleReport computes and writes the report of 130 sessions of minute points (enough for the
// 126-day rolling Sharpe) and returns its directory.
func sampleReport(t testing.TB, o WriteOptions) (string, *engine.Result, Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "report")
	r, s, err := writeSample(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return dir, r, s
}

func writeSample(dir string, o WriteOptions) (*engine.Result, Summary, error) {
	r, prices := synthetic(390*130, 3)
	s, err := Compute(r, Options{Benchmark: buyAndHold(prices), Version: "v1.2.3-test",
		RunDate: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, Summary{}, err
	}
	if o.Prices == nil {
		o.Prices = map[string][]PricePoint{"SYN": prices}
	}
	return r, s, WriteDir(context.Background(), dir, r, s, o)
}

// shared holds the sample report with default options, written once for the tests that only
// read it (its directory, Result and Summary): under -race each write cost 0.4 s. TestMain
// removes its directory.
var shared struct {
	once sync.Once
	tmp  string
	dir  string
	r    *engine.Result
	s    Summary
	err  error
}

// sharedReport is sampleReport(t, WriteOptions{}) for a test that changes none of what it gets.
func sharedReport(t testing.TB) (string, *engine.Result, Summary) {
	t.Helper()
	shared.once.Do(func() {
		if shared.tmp, shared.err = os.MkdirTemp("", "barkeep-reports-"); shared.err == nil {
			shared.dir = filepath.Join(shared.tmp, "report")
			shared.r, shared.s, shared.err = writeSample(shared.dir, WriteOptions{})
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir, shared.r, shared.s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.tmp != "" {
		os.RemoveAll(shared.tmp)
	}
	os.Exit(code)
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	sectionRE = regexp.MustCompile(`<(section|figure|header) id="([^"]+)"`)
	cardRE    = regexp.MustCompile(`<div class="card" data-key="([^"]+)"><div class="k">[^<]*</div><div class="v">([^<]*)</div>`)
	cellRE    = regexp.MustCompile(`<td data-(key|bench-key)="([^"]+)" data-value="([^"]*)">([^<]*)</td>`)
)

// TestReportStructure compares the report's outline (sections, figures and key-figure cards,
// in order) with testdata/structure.golden; go test -update rewrites it.
func TestReportStructure(t *testing.T) {
	dir, _, _ := sharedReport(t)
	html := readFile(t, filepath.Join(dir, HTMLFile))
	var outline strings.Builder
	for _, m := range sectionRE.FindAllStringSubmatch(html, -1) {
		outline.WriteString(m[1] + " " + m[2] + "\n")
	}
	for _, m := range cardRE.FindAllStringSubmatch(html, -1) {
		outline.WriteString("card " + m[1] + "\n")
	}
	golden.Compare(t, filepath.Join("testdata", "structure.golden"), []byte(outline.String()))
	if n := strings.Count(html, "<svg"); n < 6 {
		t.Errorf("%d inline SVG plots, want at least 6", n)
	}
}

// TestHTMLMatchesJSON checks that every number in the statistics table is the number in
// stats.json under the same key, for the strategy and the benchmark, and that each card shows
// the table's text.
func TestHTMLMatchesJSON(t *testing.T) {
	dir, _, _ := sharedReport(t)
	html := readFile(t, filepath.Join(dir, HTMLFile))
	var doc map[string]any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, StatsFile))), &doc); err != nil {
		t.Fatal(err)
	}
	bench, _ := doc["benchmark"].(map[string]any)
	if bench == nil {
		t.Fatal("stats.json has no benchmark object")
	}
	text := map[string]string{}
	cells := cellRE.FindAllStringSubmatch(html, -1)
	if len(cells) != 2*len(metrics) {
		t.Fatalf("%d statistics cells in the HTML, want %d", len(cells), 2*len(metrics))
	}
	for _, c := range cells {
		side, key, raw, shown := c[1], c[2], c[3], c[4]
		obj := doc
		if side == "bench-key" {
			obj = bench
		} else {
			text[key] = shown
		}
		want, ok := obj[key]
		if !ok {
			t.Errorf("%s %q is in the HTML but not in stats.json", side, key)
			continue
		}
		switch want := want.(type) {
		case nil:
			if raw != "" || shown != "—" {
				t.Errorf("%s %q: null in JSON, HTML shows %q (%q)", side, key, shown, raw)
			}
		case float64:
			got, err := strconv.ParseFloat(raw, 64)
			if err != nil || got != want {
				t.Errorf("%s %q: HTML %q, JSON %v", side, key, raw, want)
			}
		case string:
			if raw != want {
				t.Errorf("%s %q: HTML %q, JSON %q", side, key, raw, want)
			}
		}
	}
	cards := cardRE.FindAllStringSubmatch(html, -1)
	if len(cards) == 0 {
		t.Fatal("no key-figure cards")
	}
	for _, c := range cards {
		if text[c[1]] != c[2] {
			t.Errorf("card %s shows %q, the table %q", c[1], c[2], text[c[1]])
		}
	}
	for _, key := range []string{"final_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "exposure",
		"strategy", "params", "symbols", "timeframe", "range", "store", "feed"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("stats.json lacks %q", key)
		}
	}
}

var (
	xmlnsRE = regexp.MustCompile(`\sxmlns(:[a-z]+)?="http://www\.w3\.org/[0-9]{4}/(svg|xlink)"`)
	attrRE  = regexp.MustCompile(`(?i)\s(src|href|xlink:href|action|formaction|poster|srcset|data|background|ping)\s*=\s*["']?([^"'\s>]*)`)
	cssURL  = regexp.MustCompile(`(?i)url\(\s*["']?([^"')]*)`)
	tagsRE  = regexp.MustCompile(`(?i)<(link|iframe|embed|object|img|audio|video|source|base)\b|http-equiv|@import|fetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|import\(`)
)

// networkRefs lists what in an HTML document could make a browser reach the network. The SVG
// namespace declarations are names, not fetched, and are the only URLs allowed; links and
// url() must stay inside the page (#id) or be data: URIs.
func networkRefs(html string) []string {
	var found []string
	html = xmlnsRE.ReplaceAllString(html, "")
	if i := strings.Index(html, "://"); i >= 0 {
		found = append(found, "URL scheme near "+excerpt(html, i))
	}
	for _, m := range attrRE.FindAllStringSubmatch(html, -1) {
		if v := m[2]; !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
			found = append(found, m[0])
		}
	}
	for _, m := range cssURL.FindAllStringSubmatch(html, -1) {
		if v := m[1]; !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
			found = append(found, m[0])
		}
	}
	for _, m := range tagsRE.FindAllString(html, -1) {
		found = append(found, m)
	}
	return found
}

func excerpt(s string, i int) string {
	return s[max(0, i-30):min(len(s), i+30)]
}

func TestNetworkRefsChecker(t *testing.T) {
	tests := []struct {
		html string
		bad  bool
	}{
		{`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>`, false},
		{`<a href="#conv-sharpe">x</a><g clip-path="url(#c1)"></g>`, false},
		{`<style>@font-face{src:url(data:font/ttf;base64,AAAA)}</style>`, false},
		{`<p>10 // 2</p>`, false},
		{`<script src="https://cdn.example.com/x.js"></script>`, true},
		{`<img src="//example.com/p.png">`, true},
		{`<a href="http://example.com">x</a>`, true},
		{`<style>@import "x.css";</style>`, true},
		{`<style>body{background:url(https://x/y.png)}</style>`, true},
		{`<style>body{background:url('//x/y.png')}</style>`, true},
		{`<div style="background: url(img.png)"></div>`, true},
		{`<link rel="stylesheet" href="a.css">`, true},
		{`<use xlink:href="other.svg#a"/>`, true},
		{`<svg xmlns="http://evil.example/ns"></svg>`, true},
		{`<script>fetch("/x")</script>`, true},
		{`<meta http-equiv="refresh" content="0;url=x">`, true},
	}
	for _, tt := range tests {
		if got := networkRefs(tt.html); (len(got) > 0) != tt.bad {
			t.Errorf("networkRefs(%q) = %q, want bad=%v", tt.html, got, tt.bad)
		}
	}
}

func TestReportMakesNoNetworkReference(t *testing.T) {
	dir, _, _ := sharedReport(t)
	if refs := networkRefs(readFile(t, filepath.Join(dir, HTMLFile))); len(refs) > 0 {
		t.Errorf("index.html reaches for the network: %q", refs)
	}
}

// TestMillionBarsReportSize writes the report of a million minute bars (some ten years of
// sessions) with a benchmark and a price plot: index.html must stay under 5 MB.
func TestMillionBarsReportSize(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 70 MB equity.csv")
	}
	const n = 1_000_000
	r, prices := synthetic(n, 11)
	s, err := Compute(r, Options{Benchmark: buyAndHold(prices)})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "big")
	if err := WriteDir(context.Background(), dir, r, s, WriteOptions{Prices: map[string][]PricePoint{"SYN": prices}}); err != nil {
		t.Fatal(err)
	}
	const limit = 5 << 20
	for _, name := range []string{HTMLFile, EquityFile, TradesFile, StatsFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, fi.Size())
		if name == HTMLFile && fi.Size() >= limit {
			t.Errorf("index.html is %d bytes for %d bars, want < %d", fi.Size(), n, limit)
		}
	}
	// equity.csv keeps every point: a header and n lines.
	if lines := countLines(t, filepath.Join(dir, EquityFile)); lines != n+1 {
		t.Errorf("equity.csv has %d lines, want %d", lines, n+1)
	}
}

// countLines counts the newlines of the file at path through one small buffer: reading a 70 MB
// file whole, and copying it to count, cost a fifth of TestMillionBarsReportSize under -race.
func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	lines := 0
	for {
		k, err := f.Read(buf)
		lines += bytes.Count(buf[:k], []byte("\n"))
		if err == io.EOF {
			return lines
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot maps each file of dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		out[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
	}
	return out
}

func TestWriteDirAtomic(t *testing.T) {
	r := withTrades(fiveDays())
	s, err := Compute(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	oldReport := map[string]string{StatsFile: `{"old":true}`, "old-extra.txt": "from the previous run"}
	errCrash := errors.New("simulated crash")
	tests := []struct {
		name       string
		existing   map[string]string // nil: dir does not exist
		noExchange bool              // force the two-rename fallback
		failAfter  string            // file after which the write "crashes"
		cancel     bool
		wantErr    bool
		wantOld    bool // dir still holds existing, byte for byte
	}{
		{name: "new directory"},
		{name: "replaces a previous report whole", existing: oldReport},
		{name: "replaces by two renames without exchange", existing: oldReport, noExchange: true},
		{name: "replaces an empty directory", existing: map[string]string{}},
		{name: "crash midway keeps the old report", existing: oldReport, failAfter: TradesFile, wantErr: true, wantOld: true},
		{name: "crash on the last file keeps the old report", existing: oldReport, failAfter: HTMLFile, wantErr: true, wantOld: true},
		{name: "cancelled keeps the old report", existing: oldReport, cancel: true, wantErr: true, wantOld: true},
		{name: "refuses a directory that is not a report", existing: map[string]string{"thesis.tex": "precious"}, wantErr: true, wantOld: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "report")
			if tt.existing != nil {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, content := range tt.existing {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tt.noExchange {
				replaceDir = atomicfile.ReplaceDirByRenames
				defer func() { replaceDir = atomicfile.ReplaceDir }()
			}
			if tt.failAfter != "" {
				afterFile = func(name string) error {
					if name == tt.failAfter {
						return errCrash
					}
					return nil
				}
				defer func() { afterFile = nil }()
			}
			ctx := context.Background()
			if tt.cancel {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			err := WriteDir(ctx, dir, r, s, WriteOptions{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("WriteDir error = %v, want error: %v", err, tt.wantErr)
			}
			got := snapshot(t, dir)
			if tt.wantOld {
				if len(got) != len(tt.existing) {
					t.Errorf("dir holds %d files, want the old %d", len(got), len(tt.existing))
				}
				for name, content := range tt.existing {
					if got[name] != content {
						t.Errorf("%s changed: %q", name, got[name])
					}
				}
			} else {
				want := []string{StatsFile, TradesFile, EquityFile, HTMLFile}
				if len(got) != len(want) {
					t.Errorf("dir holds %d files, want %d: %v", len(got), len(want), keys(got))
				}
				for _, name := range want {
					if _, ok := got[name]; !ok {
						t.Errorf("%s missing", name)
					}
				}
			}
			// Nothing is left beside dir: no temporary or old directories.
			entries, err := os.ReadDir(parent)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != "report" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestStatsJSONNulls(t *testing.T) {
	// A flat curve and no trades: Sharpe, Sortino, win rate... cannot be computed and must be
	// null, with the document still valid JSON.
	s, err := Compute(&engine.Result{Equity: dailyCurve(100, 100, 100)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	tests := []struct {
		key  string
		want any
	}{
		{"sharpe", nil}, {"sortino", nil}, {"win_rate", nil}, {"profit_factor", nil}, {"benchmark", nil},
		{"alpha", nil}, {"total_return", 0.0}, {"trades", 0.0}, {"volatility", 0.0},
	}
	for _, tt := range tests {
		got, ok := doc[tt.key]
		if !ok || got != tt.want {
			t.Errorf("%s = %v (present %v), want %v", tt.key, got, ok, tt.want)
		}
	}
	if months := doc["monthly_returns"].([]any)[0].(map[string]any)["months"].([]any); months[1] != nil {
		t.Errorf("February without data = %v, want null", months[1])
	}
}

func TestPrintSummary(t *testing.T) {
	s, err := Compute(withTrades(fiveDays()), Options{Benchmark: benchmarkOfFive(), BenchmarkName: "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	PrintSummary(&buf, s)
	out := buf.String()
	table, notes, _ := strings.Cut(out, "\n\n")
	lines := strings.Split(table, "\n")
	// Every figure line ends at the same column: the numbers are right-aligned.
	width := len([]rune(lines[1]))
	for _, l := range lines[1:] {
		if len([]rune(l)) != width {
			t.Errorf("ragged line %q (width %d, want %d)", l, len([]rune(l)), width)
		}
	}
	if !strings.HasSuffix(lines[0], "SPY") {
		t.Errorf("header %q does not name the benchmark SPY", lines[0])
	}
	// Values from the hand-worked fixture: total return 8.90% vs 6.03%, Sharpe 4.15; costs
	// paid 4 and 1, break-even 35.3 bps, and the assumptions behind them.
	for _, want := range []string{"Total return", "8.90%", "6.03%", "Sharpe ratio", "4.15", "Max drawdown", "-10.00%",
		"Commission paid", "4.00", "Regulatory fees paid", "1.00", "Slippage paid", "Break-even slippage", "35.3 bps"} {
		if !strings.Contains(table, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"Costs assumed: slippage none (0 bps); commission none; regulatory fees none.",
		"No slippage was assumed", "break even", "35.3 bps of slippage per side", "The benchmark (SPY) paid the same costs",
		"— Profit factor (SPY): no closed trade"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "NaN") {
		t.Errorf("NaN in the summary:\n%s", out)
	}
}

func TestDownsample(t *testing.T) {
	// A spike and a trough hidden in 10000 points must survive a reduction to 100.
	n := 10000
	y := func(i int) float64 {
		switch i {
		case 4321:
			return 50
		case 8765:
			return -40
		}
		return math.Sin(float64(i) / 300)
	}
	tests := []struct{ n, max, wantLen int }{{n, 100, 100}, {50, 100, 50}, {n, 2001, 2000}}
	for _, tt := range tests {
		got := downsample(tt.n, tt.max, func(i int) float64 { return float64(i) }, y)
		if len(got) > tt.max || len(got) != tt.wantLen {
			t.Errorf("downsample(%d, %d) kept %d points, want %d", tt.n, tt.max, len(got), tt.wantLen)
		}
		for i := 1; i < len(got); i++ {
			if got[i].X <= got[i-1].X {
				t.Fatalf("points out of order at %d", i)
			}
		}
		if tt.n == n {
			var hi, lo float64
			for _, p := range got {
				hi, lo = max(hi, p.Y), min(lo, p.Y)
			}
			if hi != 50 || lo != -40 {
				t.Errorf("downsample lost the extremes: max %v, min %v", hi, lo)
			}
		}
	}
}

// tradesInHTML decodes the trades the page embeds for its table script.
func tradesInHTML(t *testing.T, html string) (symbols []string, rows [][]any) {
	t.Helper()
	const open = `<script type="application/json" id="trades-data">`
	i := strings.Index(html, open)
	if i < 0 {
		t.Fatal("no trades data in the HTML")
	}
	blob := html[i+len(open):]
	blob = blob[:strings.Index(blob, "</script>")]
	var doc struct {
		Symbols []string
		Rows    [][]any
	}
	if err := json.Unmarshal([]byte(blob), &doc); err != nil {
		t.Fatalf("trades data: %v", err)
	}
	return doc.Symbols, doc.Rows
}

// The page holds every trade, so that sorting by PnL finds the worst of all of them.
func TestTradesTableHoldsAll(t *testing.T) {
	dir, r, _ := sharedReport(t)
	html := readFile(t, filepath.Join(dir, HTMLFile))
	syms, rows := tradesInHTML(t, html)
	if len(rows) != len(r.Trades) || len(syms) != 1 || syms[0] != "SYN" {
		t.Fatalf("%d rows over %v, want all %d trades of SYN", len(rows), syms, len(r.Trades))
	}
	worst, worstHTML := math.Inf(1), math.Inf(1)
	for i, tr := range r.Trades {
		worst = min(worst, tr.PnL)
		pnl, _ := rows[i][9].(float64)
		worstHTML = min(worstHTML, pnl)
		if pnl != tr.PnL || rows[i][3].(float64) != float64(tr.EntryTime.Unix()) {
			t.Errorf("row %d: %v, want trade %+v", i, rows[i], tr)
		}
	}
	if worst != worstHTML {
		t.Errorf("worst PnL in the page %v, of all trades %v", worstHTML, worst)
	}
	if strings.Contains(html, "Showing the first") {
		t.Error("an uncapped table says it is capped")
	}
}

func TestTradesCappedInHTML(t *testing.T) {
	dir, r, _ := sampleReport(t, WriteOptions{MaxTradeRows: 10})
	html := readFile(t, filepath.Join(dir, HTMLFile))
	total := len(r.Trades)
	if total <= 10 {
		t.Fatalf("fixture has only %d trades", total)
	}
	for _, want := range []string{"Showing the first 10 of " + strconv.Itoa(total) + " trades", "sorting sorts these 10 only", "trades.csv has all"} {
		if !strings.Contains(html, want) {
			t.Errorf("no cap note %q", want)
		}
	}
	if _, rows := tradesInHTML(t, html); len(rows) != 10 {
		t.Errorf("%d trades in the HTML, want 10", len(rows))
	}
	csvLines := strings.Count(readFile(t, filepath.Join(dir, TradesFile)), "\n")
	if csvLines != total+1 {
		t.Errorf("trades.csv has %d lines, want %d", csvLines, total+1)
	}
}

func TestPriceSymbols(t *testing.T) {
	trades := func(syms ...string) []engine.Trade {
		var out []engine.Trade
		for _, s := range syms {
			out = append(out, engine.Trade{Symbol: s})
		}
		return out
	}
	prices := map[string][]PricePoint{}
	var many []string
	for i := range 20 {
		sym := "S" + strconv.Itoa(100+i)
		prices[sym] = nil
		for range i % 3 {
			many = append(many, sym)
		}
	}
	prices["SPY"] = nil // a series without trades (the benchmark's) gets no plot
	tests := []struct {
		name   string
		trades []engine.Trade
		want   string
	}{
		{"most traded first, ties by name", trades("B", "A", "B", "C"), "B,A"},
		{"untraded series skipped", trades(), ""},
		{"capped", trades(many...), "S102,S105,S108,S111,S114,S117,S101,S104,S107,S110,S113,S116"},
	}
	prices["A"], prices["B"] = nil, nil
	for _, tt := range tests {
		if got := strings.Join(priceSymbols(prices, tradeLog{trades: tt.trades}.perSymbol()), ","); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}
