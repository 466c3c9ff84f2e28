package reports

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// card is one key figure; Note is the assumption that produced it, Why the reason it is a dash.
type card struct{ Key, Name, Value, Bench, Note, Why string }

type statRow struct {
	Key, Name, Value, Raw, Why, Bench, BenchRaw, BenchWhy string
	CI                                                    string // the bootstrap interval, when computed
}

type cell struct {
	Text  string
	Style template.CSS
	Class string
}

type monthRow struct {
	Year  int
	Cells [12]cell
	Total cell
}

type yearRow struct {
	Year                      int
	Strategy, Benchmark, Diff cell
}

type kv struct{ K, V string }

type htmlData struct {
	Title          string
	Run            Run
	RunDate        string
	Range          string
	Cash           string
	Params         []kv
	HasBenchmark   bool
	BenchName      string
	Annualisation  string
	Costs          CostAssumptions
	SlippageNote   string
	BenchCostsNote string
	Cards          []card
	Figures        []figureHTML
	Stats          []statRow
	MonthNames     []string
	Monthly        []monthRow
	Yearly         []yearRow
	TradesJSON     template.JS
	TradesTotal    int
	TradesShown    int
	TradesCapped   bool
	Dates          bool
	Conventions    []Convention
	PlotsNotes     []string
}

type figureHTML struct {
	ID, Title, Caption string
	SVG, Narrow        template.HTML // Narrow is drawn for phones; empty when the figure has none
}

func writeHTML(ctx context.Context, w io.Writer, r *engine.Result, s Summary, o WriteOptions) error {
	figs, notes, err := plots(r, s, o)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d := htmlData{
		Title:        "Backtest: " + orDefault(s.Run.Strategy, "strategy"),
		Run:          s.Run,
		RunDate:      "—",
		Range:        fmtRangeIn(s.Run.Start, s.Run.End, s.Dates),
		Cash:         formatMoney(s.Strategy.StartEquity),
		HasBenchmark: s.Benchmark != nil,
		BenchName:    orDefault(s.Run.Benchmark, "benchmark"),
		Costs:        s.Costs,
		SlippageNote: slippageNote(s),
		Dates:        s.Dates,
		MonthNames:   []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		Conventions:  s.Conventions,
	}
	d.Annualisation = fmt.Sprintf("%d trading days a year", TradingDays)
	if s.AnnualisationDays == CryptoDays {
		d.Annualisation = fmt.Sprintf("%d days a year (every symbol is crypto)", CryptoDays)
	}
	if s.BenchmarkCosts != nil {
		d.BenchCostsNote = benchCostsNote(d.BenchName, s.Costs, *s.BenchmarkCosts)
	}
	if len(s.Run.Symbols) > 0 {
		d.Title += " on " + joinCapped(s.Run.Symbols, 5)
	}
	if !s.Run.RunDate.IsZero() {
		d.RunDate = fmtWhen(s.Run.RunDate.Truncate(time.Second), false) // when, not how fast: no nanoseconds
	}
	if s.Run.Cash > 0 {
		d.Cash = formatMoney(s.Run.Cash)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Run.Params)) {
		d.Params = append(d.Params, kv{k, s.Run.Params[k]})
	}
	trades := s.trades(r)
	if traded := len(trades.perSymbol()); len(o.Prices) > 0 && traded > maxPricePlots {
		notes = append(notes, fmt.Sprintf("Price plots are shown for the %d most traded of %d traded symbols.", maxPricePlots, traded))
	}
	d.PlotsNotes = notes
	for _, f := range figs {
		// The SVG comes from our own renderer, not from user input: trusted.
		d.Figures = append(d.Figures, figureHTML{ID: f.ID, Title: f.Title, Caption: f.Caption, SVG: template.HTML(f.SVG), Narrow: template.HTML(f.Narrow)})
	}
	for _, m := range metrics {
		v := m.get(&s.Strategy)
		row := statRow{Key: m.Key, Name: m.Name, Value: m.show(v, s.Dates), Raw: rawValueIn(v, s.Dates), Why: nullReason(m.Key, &s.Strategy)}
		c := card{Key: m.Key, Name: m.Name, Value: row.Value, Note: cardNote(m.Key, s), Why: row.Why}
		if row.CI = s.ciText(m.Key); row.CI != "" {
			c.Note = strings.TrimPrefix(c.Note+"; "+row.CI, "; ")
		}
		if s.Benchmark != nil {
			bv := m.get(s.Benchmark)
			row.Bench, row.BenchRaw, row.BenchWhy = m.show(bv, s.Dates), rawValueIn(bv, s.Dates), nullReason(m.Key, s.Benchmark)
			c.Bench = row.Bench
		}
		d.Stats = append(d.Stats, row)
		if m.key {
			d.Cards = append(d.Cards, c)
		}
	}

	scale := 0.0 // the largest monthly move, which gets the fullest colour
	for _, y := range s.Monthly {
		for _, v := range y.Months {
			if !math.IsNaN(v) {
				scale = max(scale, math.Abs(v))
			}
		}
	}
	for _, y := range s.Monthly {
		row := monthRow{Year: y.Year, Total: heatCell(y.Total, max(scale, math.Abs(y.Total)))}
		for i, v := range y.Months {
			row.Cells[i] = heatCell(v, scale)
		}
		d.Monthly = append(d.Monthly, row)
	}
	for _, y := range s.Yearly {
		d.Yearly = append(d.Yearly, yearRow{Year: y.Year, Strategy: signCell(y.Strategy), Benchmark: signCell(y.Benchmark),
			Diff: signCell(y.Strategy - y.Benchmark)})
	}

	d.TradesTotal = trades.len()
	d.TradesCapped = d.TradesTotal > o.MaxTradeRows
	js, shown, err := tradesJSON(trades, o.MaxTradeRows)
	if err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	d.TradesJSON, d.TradesShown = js, shown
	if err := reportTmpl.Execute(w, d); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// tradesJSON is the trades the page holds, compactly, for the script that sorts and pages them:
// every trade up to max, so that sorting by PnL finds the worst of all of them, not of a page.
// Symbols are listed once; times are Unix seconds with their New York offset in minutes, which
// the script writes in the report's one time convention.
func tradesJSON(trades tradeLog, max int) (template.JS, int, error) {
	type doc struct {
		Symbols []string `json:"symbols"`
		// Each row: symbol index, side (1 long, −1 short), qty, entry time, entry offset,
		// entry price, exit time (null when open), exit offset, exit price, PnL, return, bars
		// held, commission and fees, open (0 or 1).
		Rows [][]any `json:"rows"`
	}
	var dc doc
	dc.Symbols, dc.Rows = []string{}, [][]any{}
	ids := map[string]int{}
	err := trades.each(func(t *engine.Trade) bool {
		if len(dc.Rows) == max {
			return false
		}
		id, ok := ids[t.Symbol]
		if !ok {
			id = len(dc.Symbols)
			ids[t.Symbol] = id
			dc.Symbols = append(dc.Symbols, t.Symbol)
		}
		open := 0
		var exit, exitOff, exitPrice any
		if t.Open {
			open = 1
		} else {
			exit, exitOff, exitPrice = t.ExitTime.Unix(), nyOffset(t.ExitTime), jsonNum(t.ExitPrice)
		}
		dc.Rows = append(dc.Rows, []any{id, int(t.Side), jsonNum(t.Qty), t.EntryTime.Unix(), nyOffset(t.EntryTime),
			jsonNum(t.EntryPrice), exit, exitOff, exitPrice, jsonNum(t.PnL), jsonNum(t.Return), t.BarsHeld,
			jsonNum(t.Commission), open})
		return true
	})
	if err != nil {
		return "", 0, err
	}
	// encoding/json escapes <, > and &, so the text cannot close the script element.
	b, err := json.Marshal(dc)
	if err != nil {
		return "", 0, err
	}
	return template.JS(b), len(dc.Rows), nil
}

// jsonNum keeps a non-finite number (which JSON cannot carry) out of the trades' JSON.
func jsonNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// nyOffset is t's offset from UTC in New York, in minutes (−300 in winter, −240 in summer).
func nyOffset(t time.Time) int {
	_, off := t.In(nyLoc).Zone()
	return off / 60
}

// cardNote is the assumption a key figure rests on, shown beneath it.
func cardNote(key string, s Summary) string {
	c := s.Costs
	switch key {
	case "commission_paid":
		return "assumed: " + c.Commission
	case "fees_paid":
		if c.Fees == "none" {
			return "assumed: none"
		}
		return "assumed: SEC and FINRA TAF on sells"
	case "slippage_paid":
		return "assumed: " + c.Slippage
	case "borrow_paid":
		return "assumed: " + fmtRate(c.cfg.BorrowRate) + " on short value"
	case "interest_paid":
		return "assumed: " + fmtRate(c.cfg.MarginRate) + " on negative cash"
	case "breakeven_slippage_bps":
		return "per side; " + fmtBps(c.SlippageBps) + " assumed"
	case "max_drawdown":
		return "every bar: " + metricMust("max_drawdown_intraday").format(s.Strategy.MaxDrawdownIntraday)
	}
	return ""
}

func metricMust(key string) metric {
	m, _ := metricOf(key)
	return m
}

// slippageNote says in plain words what slippage was assumed and where the run breaks even.
func slippageNote(s Summary) string {
	be := s.Strategy.BreakevenSlippageBps
	beText := strconv.FormatFloat(be, 'f', 1, 64) + " bps"
	var even string
	switch {
	case math.IsNaN(be):
		even = "The run made no fill, so no cost applied."
	case be < 0:
		even = "The run loses even without slippage (its break-even slippage is " + beText + " per side, below zero)."
	default:
		even = "The run would break even (a total return of zero, with the same fills) at " + beText + " of slippage per side."
	}
	if s.Costs.SlippageBps == 0 {
		return "No slippage was assumed: every market and stop order fills at the bar's price, which real orders rarely get. " + even
	}
	return "Slippage of " + fmtBps(s.Costs.SlippageBps) + " per side was assumed on market and stop fills. " + even
}

// benchCostsNote states, from the benchmark's own Config, whether it paid the strategy's costs.
func benchCostsNote(name string, strat, bench CostAssumptions) string {
	if strat.Same(bench) {
		return "The benchmark (" + name + ") paid the same costs as the strategy."
	}
	return "The benchmark (" + name + ") did not pay the same costs as the strategy: its " + bench.String() + "."
}

// heatCell colours a return from red through white to green, by its size relative to scale.
func heatCell(v, scale float64) cell {
	if math.IsNaN(v) {
		return cell{Text: ""}
	}
	c := cell{Text: strconv.FormatFloat(v*100, 'f', 1, 64) + "%"}
	a := 0.0
	if scale > 0 {
		a = math.Min(math.Abs(v)/scale, 1) * 0.6
	}
	rgb := "30,142,62"
	if v < 0 {
		rgb = "192,57,43"
	}
	c.Style = template.CSS(fmt.Sprintf("background:rgba(%s,%.2f)", rgb, a))
	return c
}

func signCell(v float64) cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return cell{Text: "—"}
	}
	c := cell{Text: strconv.FormatFloat(v*100, 'f', 2, 64) + "%"}
	if v < 0 {
		c.Class = "num-neg"
	}
	return c
}

// fmtRangeIn writes a half-open range in the one time convention (fmtWhen).
func fmtRangeIn(start, end time.Time, dates bool) string {
	if start.IsZero() && end.IsZero() {
		return "—"
	}
	return orDefault(fmtWhen(start, dates), "…") + " → " + orDefault(fmtWhen(end, dates), "…") + " (New York)"
}

func joinCapped(s []string, n int) string {
	out := ""
	for i, x := range s {
		if i == n {
			return out + fmt.Sprintf(" and %d more", len(s)-n)
		}
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
