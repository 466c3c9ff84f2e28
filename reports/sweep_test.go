package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// rowsOf makes one row per value of the statistic key, the parameter "i" numbering them.
func rowsOf(t *testing.T, key string, vals ...float64) []SweepRow {
	t.Helper()
	m, ok := metricOf(key)
	if !ok {
		t.Fatalf("no statistic %q", key)
	}
	rows := make([]SweepRow, len(vals))
	for i, v := range vals {
		setNaN(&rows[i].Stats)
		setField(t, &rows[i].Stats, m, v)
		rows[i].Params = map[string]string{"i": strconv.Itoa(i)}
	}
	return rows
}

// setField sets the field a metric reads.
func setField(t *testing.T, s *Stats, m metric, v float64) {
	t.Helper()
	switch m.Key {
	case "sharpe":
		s.Sharpe = v
	case "max_drawdown":
		s.MaxDrawdown = v
	case "volatility":
		s.Volatility = v
	case "cagr":
		s.CAGR = v
	default:
		t.Fatalf("setField: add %q", m.Key)
	}
}

func TestRankBy(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		key  string
		vals []float64
		want []int
	}{
		{"sharpe", []float64{0.5, 2, -1, 1.5}, []int{1, 3, 0, 2}},
		{"sharpe", []float64{1, nan, 3, nan, 2}, []int{2, 4, 0, 1, 3}},      // NaN last, in order
		{"sharpe", []float64{1, 2, 1, 2}, []int{1, 3, 0, 2}},                // ties keep combination order
		{"cagr", []float64{math.Inf(1), 0.1, math.Inf(-1)}, []int{0, 1, 2}}, // infinities are numbers
		{"volatility", []float64{0.3, 0.1, 0.2}, []int{1, 2, 0}},
		{"max_drawdown", []float64{-0.3, -0.05, -0.2, 0}, []int{3, 1, 2, 0}}, // nearer zero first
	}
	for _, tt := range tests {
		rows := rowsOf(t, tt.key, tt.vals...)
		if got := rank(rows, tt.key); !slices.Equal(got, tt.want) {
			t.Errorf("rank by %s of %v = %v, want %v", tt.key, tt.vals, got, tt.want)
		}
	}
	// An unknown key orders nothing rather than failing.
	rows := rowsOf(t, "sharpe", 1, 2)
	if got := rank(rows, "nope"); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("rank by an unknown key = %v", got)
	}
}

// rank orders rows by RankBy(key) as sweep.Rank does: a stable sort, so ties keep row order.
func rank(rows []SweepRow, key string) []int {
	by := RankBy(key)
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return by(&rows[a].Stats, &rows[b].Stats) })
	return idx
}

// statsEqual compares every statistic as stats.json would write it.
func statsEqual(a, b *Stats) bool {
	for _, m := range metrics {
		if rawValue(m.get(a)) != rawValue(m.get(b)) {
			return false
		}
	}
	return true
}

func TestScorerMatchesCompute(t *testing.T) {
	r, prices := synthetic(20_000, 7)
	other, _ := synthetic(20_000, 8)
	for _, o := range []Options{{}, {Benchmark: buyAndHold(prices)}, {Benchmark: buyAndHold(prices), RiskFree: 0.04}} {
		sc, err := NewScorer(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range []*engine.Result{r, other} {
			want, err := Compute(res, o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sc.Stats(res)
			if err != nil {
				t.Fatal(err)
			}
			if !statsEqual(&got, &want.Strategy) {
				t.Errorf("Scorer.Stats differs from Compute (benchmark %v, rf %v):\n got %+v\nwant %+v", o.Benchmark != nil, o.RiskFree, got, want.Strategy)
			}
			if o.Benchmark != nil && math.IsNaN(got.Beta) {
				t.Error("no beta against the benchmark")
			}
		}
	}
	if _, err := (&Scorer{}).Stats(nil); err == nil {
		t.Error("Stats(nil) did not fail")
	}
}

// sampleSweep runs a few synthetic results under fake parameters: fast × slow with the
// combinations where fast >= slow skipped, as the sma factory would.
func sampleSweep(t testing.TB) Sweep {
	t.Helper()
	fast := []string{"5", "10", "20"}
	slow := []string{"10", "20", "40", "80"}
	s := Sweep{
		Run: Run{Strategy: "sma", Params: map[string]string{"pct": "1"}, Symbols: []string{"SYN"}, Timeframe: "1Min",
			Store: "bars.duckdb", Cash: 100000, Version: "test", RunDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		Axes:   []SweepAxis{{"fast", fast}, {"slow", slow}},
		Params: []string{"fast", "slow", "pct"},
		Rank:   "sharpe", Top: 5, Jobs: 2,
	}
	sc, err := NewScorer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(1)
	for _, f := range fast {
		for _, sl := range slow {
			s.Combinations++
			fi, _ := strconv.Atoi(f)
			si, _ := strconv.Atoi(sl)
			if fi >= si {
				s.Skipped++
				s.SkipReason = "sma needs fast below slow"
				continue
			}
			r, _ := synthetic(5_000, seed)
			seed++
			st, err := sc.Stats(r)
			if err != nil {
				t.Fatal(err)
			}
			s.Rows = append(s.Rows, SweepRow{Params: map[string]string{"fast": f, "slow": sl, "pct": "1"}, Stats: st})
		}
	}
	s.Order = rank(s.Rows, s.Rank)
	return s
}

func TestWriteSweepCSV(t *testing.T) {
	s := sampleSweep(t)
	var buf bytes.Buffer
	if err := WriteSweepCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := append(append([]string{"fast", "slow", "pct"}, StatKeys()...), "status")
	if !slices.Equal(recs[0], wantHeader) {
		t.Fatalf("header %v, want %v", recs[0], wantHeader)
	}
	if len(recs)-1 != len(s.Rows) || len(s.Rows) != s.Combinations-s.Skipped {
		t.Fatalf("%d rows for %d runs", len(recs)-1, len(s.Rows))
	}
	for i, rec := range recs[1:] {
		row := s.Rows[i]
		if rec[0] != row.Params["fast"] || rec[1] != row.Params["slow"] || rec[2] != "1" {
			t.Errorf("row %d params %v, want %v", i, rec[:3], row.Params)
		}
		if st := rec[len(rec)-1]; st != "ranked" {
			t.Errorf("row %d status %q, want ranked", i, st)
		}
		for j, m := range metrics {
			field := rec[3+j]
			v := m.get(&row.Stats)
			switch v := v.(type) {
			case float64:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					if field != "" {
						t.Errorf("row %d %s = %q, want empty for %v", i, m.Key, field, v)
					}
					continue
				}
				got, err := strconv.ParseFloat(field, 64)
				if err != nil || got != v { // full precision: exactly the same float64
					t.Errorf("row %d %s = %q, want %v", i, m.Key, field, v)
				}
			case int:
				if field != strconv.Itoa(v) {
					t.Errorf("row %d %s = %q, want %d", i, m.Key, field, v)
				}
			case time.Time:
				got, err := time.Parse(time.RFC3339Nano, field)
				if err != nil || !got.Equal(v) {
					t.Errorf("row %d %s = %q, want %v", i, m.Key, field, v)
				}
			}
		}
	}
}

func TestWriteSweepDir(t *testing.T) {
	s := sampleSweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	if err := WriteSweepDir(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	html := readFile(t, filepath.Join(dir, SweepHTMLFile))
	for _, want := range []string{`id="fig-heatmap"`, "<svg", "Sharpe ratio by fast and slow", `id="ranking"`,
		"bars.duckdb", "pct=1", "skipped as invalid", "sma needs fast below slow"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if refs := networkRefs(html); len(refs) > 0 {
		t.Errorf("index.html reaches for the network: %q", refs)
	}
	// The table lists the top runs best first, with the values of sweep.csv.
	best := s.Rows[s.Order[0]]
	if !strings.Contains(html, `data-value="`+rawValue(best.Stats.Sharpe)+`"`) {
		t.Error("the best Sharpe ratio is not in the table")
	}
	if n := strings.Count(html, "<tr><td>"); n != min(s.Top, len(s.Rows)) {
		t.Errorf("%d table rows, want %d", n, min(s.Top, len(s.Rows)))
	}

	// A second sweep replaces the first; a directory that is not a sweep is left alone.
	s.Rank = "cagr"
	s.Order = rank(s.Rows, s.Rank)
	if err := WriteSweepDir(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, SweepHTMLFile)), "CAGR by fast and slow") {
		t.Error("the second sweep did not replace the first")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if err := WriteSweepDir(context.Background(), other, s); err == nil {
		t.Error("replaced a directory that holds no sweep")
	}
	if b, _ := os.ReadFile(filepath.Join(other, "notes.txt")); string(b) != "mine" {
		t.Error("a foreign file was touched")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
	for name, order := range map[string][]int{"short": s.Order[1:], "repeated": append([]int{s.Order[1]}, s.Order[1:]...),
		"out of range": append([]int{len(s.Rows)}, s.Order[1:]...)} {
		bad := s
		bad.Order = order
		if err := WriteSweepDir(context.Background(), filepath.Join(t.TempDir(), "x"), bad); err == nil {
			t.Errorf("wrote a sweep whose order is %s", name)
		}
	}
	s.Rank = "trades"
	if err := WriteSweepDir(context.Background(), filepath.Join(t.TempDir(), "x"), s); err == nil {
		t.Error("wrote a sweep ranked by an unrankable statistic")
	}
}

func TestHeatValues(t *testing.T) {
	nan := math.NaN()
	row := func(a, b, c string, sharpe float64) SweepRow {
		r := SweepRow{Params: map[string]string{"a": a, "b": b, "c": c}}
		setNaN(&r.Stats)
		r.Stats.Sharpe, r.Stats.Trades = sharpe, 40
		return r
	}
	tests := []struct {
		name string
		axes []SweepAxis
		rows []SweepRow
		want []float64 // row-major, b (y) outer
	}{
		{"two axes, one skipped", []SweepAxis{{"a", []string{"1", "2"}}, {"b", []string{"x", "y"}}},
			[]SweepRow{row("1", "x", "", 1), row("1", "y", "", 2), row("2", "y", "", 3)},
			[]float64{1, nan, 2, 3}},
		{"one axis", []SweepAxis{{"a", []string{"1", "2", "3"}}},
			[]SweepRow{row("1", "", "", 5), row("2", "", "", nan), row("3", "", "", -1)},
			[]float64{5, nan, -1}},
		{"third axis takes the best", []SweepAxis{{"a", []string{"1"}}, {"b", []string{"x"}}, {"c", []string{"p", "q", "r"}}},
			[]SweepRow{row("1", "x", "p", 0.5), row("1", "x", "q", 2.5), row("1", "x", "r", nan)},
			[]float64{2.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, ok := heatValues(Sweep{Axes: tt.axes, Rows: tt.rows, Rank: "sharpe"})
			if !ok {
				t.Fatal("no values")
			}
			if len(g.z) != len(tt.want) {
				t.Fatalf("%d cells, want %d", len(g.z), len(tt.want))
			}
			for i := range g.z {
				if g.z[i] != tt.want[i] && !(math.IsNaN(g.z[i]) && math.IsNaN(tt.want[i])) {
					t.Errorf("cell %d = %v, want %v", i, g.z[i], tt.want[i])
				}
			}
		})
	}
	// A sweep whose every value is NaN has no heatmap, and says so instead of failing.
	s := Sweep{Axes: []SweepAxis{{"a", []string{"1"}}}, Rows: []SweepRow{row("1", "", "", nan)}, Order: []int{0}, Rank: "sharpe"}
	if fig, _, err := sweepHeatmap(s); err != nil || fig != nil {
		t.Errorf("all-NaN heatmap: %v, %v", fig, err)
	}
	var buf bytes.Buffer
	if err := writeSweepHTML(&buf, s); err != nil || !strings.Contains(buf.String(), "No combination has a value") {
		t.Errorf("all-NaN page: %v", err)
	}
	// A flat surface still renders.
	s.Rows[0].Stats.Sharpe = 1
	if fig, _, err := sweepHeatmap(s); err != nil || fig == nil || !strings.Contains(fig.SVG, "<svg") {
		t.Errorf("flat heatmap: %v", err)
	}
}

// Runs with no trade are counted and coloured apart from skipped ones, and runs of fewer
// trades than MinTrades follow the ranking rather than lead it, in every output.
func TestSweepThinAndNoTrade(t *testing.T) {
	s := sampleSweep(t)
	s.MinTrades = 30
	// Rows 0 and 1 made no trade; rows 2 and 3 a few, with the best Sharpe ratios of all; the
	// rest enough.
	for i := range s.Rows {
		s.Rows[i].Stats.Trades = 50
	}
	s.Rows[0].Stats.Trades, s.Rows[1].Stats.Trades = 0, 0
	s.Rows[0].Stats.Sharpe, s.Rows[1].Stats.Sharpe = math.NaN(), math.NaN()
	s.Rows[2].Stats.Trades, s.Rows[3].Stats.Trades = 3, 7
	s.Rows[2].Stats.Sharpe, s.Rows[3].Stats.Sharpe = 9, 8
	if err := s.checkOrder(); err == nil {
		t.Fatal("an order that ranks thin runs among the others passed the check")
	}
	s.Order = sweepRankGroups(s.Rows, s.Rank, s.MinTrades)
	shown, thin := s.shown()
	if thin || len(shown) == 0 || slices.ContainsFunc(shown, func(i int) bool { return i < 4 }) {
		t.Fatalf("shown %v (thin %v): thin or no-trade runs among the ranked", shown, thin)
	}
	if w := s.warning(); w != "" {
		t.Errorf("warning %q for a best row of 50 trades", w)
	}

	var term bytes.Buffer
	PrintSweep(&term, s)
	for _, want := range []string{"2 made no trade", "2 with fewer than 30 trades not ranked", "among runs with at least 30 trades"} {
		if !strings.Contains(term.String(), want) {
			t.Errorf("terminal lacks %q:\n%s", want, term.String())
		}
	}
	var csvb bytes.Buffer
	if err := WriteSweepCSV(&csvb, s); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&csvb).ReadAll()
	for i, want := range []string{"no_trade", "no_trade", "few_trades", "few_trades", "ranked"} {
		if got := recs[1+i][len(recs[0])-1]; got != want {
			t.Errorf("row %d status %q, want %q", i, got, want)
		}
	}
	dir := filepath.Join(t.TempDir(), "sweep")
	if err := WriteSweepDir(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	html := readFile(t, filepath.Join(dir, SweepHTMLFile))
	for _, want := range []string{`class="badge none">2 made no trade`, "2 with fewer than 30 trades, not ranked",
		"among runs of at least 30 trades", "ran and made no trade", "no trade</text>"} {
		if !strings.Contains(html, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(html, `id="warning"`) {
		t.Error("index.html warns of a best row of 50 trades")
	}

	// With --min-trades 0 the thin runs are ranked, and the best of them earns a warning.
	s.MinTrades = 0
	s.Order = sweepRankGroups(s.Rows, s.Rank, 0)
	if shown, _ := s.shown(); shown[0] != 2 || !strings.Contains(s.warning(), "rests on 3 trades") {
		t.Errorf("min 0: best %d, warning %q", shown[0], s.warning())
	}
	// When no run makes MinTrades, the table shows the thin ones, flagged as not ranked.
	s.MinTrades = 1000
	s.Order = sweepRankGroups(s.Rows, s.Rank, s.MinTrades)
	shown, thin = s.shown()
	if !thin || shown[0] != 2 || !strings.Contains(s.warning(), "No combination made 1000 trades") {
		t.Errorf("min 1000: shown %v thin %v warning %q", shown, thin, s.warning())
	}
	var page bytes.Buffer
	if err := writeSweepHTML(&page, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<tr class="thin">`) || !strings.Contains(page.String(), "(not ranked)") {
		t.Error("thin rows shown as if ranked")
	}
}

// sweepRankGroups orders rows as sweep.RankGroups does with SweepGroup.
func sweepRankGroups(rows []SweepRow, key string, minTrades int) []int {
	by, group := RankBy(key), SweepGroup(minTrades)
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := group(&rows[a].Stats) - group(&rows[b].Stats); c != 0 {
			return c
		}
		return by(&rows[a].Stats, &rows[b].Stats)
	})
	return idx
}

// --no-html writes the data files alone: sweep.csv, daily_returns.csv and summary.json.
func TestWriteSweepDirNoHTML(t *testing.T) {
	s := sampleSweep(t)
	s.NoHTML = true
	dir := filepath.Join(t.TempDir(), "sweep")
	if err := WriteSweepDir(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{DailyReturnsFile, SweepSummaryFile, SweepCSVFile}; !slices.Equal(names, want) {
		t.Errorf("--no-html wrote %v, want %v", names, want)
	}
}

func TestPrintSweep(t *testing.T) {
	s := sampleSweep(t)
	s.Top = 3
	var buf bytes.Buffer
	PrintSweep(&buf, s)
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	// The sample's runs make 6 trades each, and --min-trades 0 ranks them all: a warning ends
	// the table.
	if len(lines) != 2+3+1 || !strings.HasPrefix(lines[5], "warning: The best row rests on 6 trades") {
		t.Fatalf("want a summary, a header, 3 rows and a warning:\n%s", buf.String())
	}
	if !strings.Contains(lines[0], "skipped") || !strings.Contains(lines[0], "higher is better") {
		t.Errorf("summary line: %s", lines[0])
	}
	order := s.Order
	m, _ := metricOf("sharpe")
	for i := range 3 {
		f := strings.Fields(lines[2+i])
		r := s.Rows[order[i]]
		if f[0] != strconv.Itoa(i+1) || f[1] != r.Params["fast"] || f[2] != r.Params["slow"] || f[3] != m.format(r.Stats.Sharpe) {
			t.Errorf("line %d = %q, want rank %d fast %s slow %s sharpe %s", i, lines[2+i], i+1, r.Params["fast"], r.Params["slow"], m.format(r.Stats.Sharpe))
		}
	}
}

func BenchmarkScorer(b *testing.B) {
	const n = 1_000_000
	r, prices := synthetic(n, 5)
	sc, err := NewScorer(Options{Benchmark: buyAndHold(prices)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.Stats(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

// A sweep of daily bars shows its range as New York dates, as the single run's page does; a
// minute sweep keeps the instants with their offset.
func TestSweepRangeDatesForDailyBars(t *testing.T) {
	for tf, want := range map[string]string{
		"1Day": "2018-01-02 → 2023-12-29 (New York)",
		"1Min": "2018-01-02T00:00:00-05:00 → 2023-12-29T00:00:00-05:00 (New York)",
	} {
		s := sampleSweep(t)
		s.Run.Timeframe = tf
		s.Run.Start, s.Run.End = ny(2018, 1, 2, 0, 0), ny(2023, 12, 29, 0, 0)
		var b strings.Builder
		if err := writeSweepHTML(&b, s); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: the page lacks the range %q", tf, want)
		}
	}
}

// On a 430-pixel phone the sweep's heatmap has a narrow drawing whose text is at least 9 CSS
// pixels (the wide one's labels shrink to 5), as the single run's plots do.
func TestSweepReadableOnPhone(t *testing.T) {
	var b strings.Builder
	if err := writeSweepHTML(&b, sampleSweep(t)); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	const content = 430 - 2*12 // the page's padding on a phone
	narrow := regexp.MustCompile(`(?s)<div class="narrow"><svg width="[^"]*" height="[^"]*" viewBox="0 0 ([0-9.]+) [0-9.]+"(.*?)</svg>`)
	font := regexp.MustCompile(`font-size:([0-9.]+)px`)
	found := narrow.FindAllStringSubmatch(html, -1)
	if figures := strings.Count(html, "<figure "); len(found) != figures || figures == 0 {
		t.Fatalf("%d narrow drawings for %d figures", len(found), figures)
	}
	for _, m := range found {
		w, _ := strconv.ParseFloat(m[1], 64)
		sizes := font.FindAllStringSubmatch(m[2], -1)
		if len(sizes) == 0 {
			t.Fatal("the narrow heatmap has no text")
		}
		for _, f := range sizes {
			size, _ := strconv.ParseFloat(f[1], 64)
			if px := size * content / w; px < 9 {
				t.Errorf("text of %v units in a %v-unit-wide heatmap is %.1f px on a phone", size, w, px)
			}
		}
	}
	if !strings.Contains(html, "@media (max-width: 600px)") || !strings.Contains(html, "figure .narrow { display:block; }") {
		t.Error("no phone layout")
	}
}
