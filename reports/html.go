package reports

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

type card struct{ Key, Name, Value, Bench string }

type statRow struct {
	Key, Name, Value, Raw, Bench, BenchRaw string
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

type tradeRow struct {
	N                                  int
	Symbol, Side, Qty, Entry, Exit     string
	EntryPrice, ExitPrice, PnL, Return string
	Costs, Class                       string
	Bars                               int
	QtyV, EntryV, ExitV, EntryPriceV   string
	ExitPriceV, PnLV, ReturnV, CostsV  string
}

type kv struct{ K, V string }

type htmlData struct {
	Title        string
	Run          Run
	RunDate      string
	Range        string
	Cash         string
	Params       []kv
	HasBenchmark bool
	Cards        []card
	Figures      []figureHTML
	Stats        []statRow
	MonthNames   []string
	Monthly      []monthRow
	Yearly       []yearRow
	Trades       []tradeRow
	TradesTotal  int
	TradesShown  int
	TradesCapped bool
	Conventions  []Convention
	PlotsNote    string
}

type figureHTML struct {
	ID, Title, Caption string
	SVG                template.HTML
}

func writeHTML(ctx context.Context, w io.Writer, r *engine.Result, s Summary, o WriteOptions) error {
	figs, err := plots(r, s, o)
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
		Range:        fmtRange(s.Run.Start, s.Run.End),
		Cash:         formatMoney(s.Strategy.StartEquity),
		HasBenchmark: s.Benchmark != nil,
		MonthNames:   []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		Conventions:  s.Conventions,
	}
	if len(s.Run.Symbols) > 0 {
		d.Title += " on " + joinCapped(s.Run.Symbols, 5)
	}
	if !s.Run.RunDate.IsZero() {
		d.RunDate = s.Run.RunDate.Format("2006-01-02 15:04 MST")
	}
	if s.Run.Cash > 0 {
		d.Cash = formatMoney(s.Run.Cash)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Run.Params)) {
		d.Params = append(d.Params, kv{k, s.Run.Params[k]})
	}
	trades := s.trades(r)
	if traded := len(trades.perSymbol()); len(o.Prices) > 0 && traded > maxPricePlots {
		d.PlotsNote = fmt.Sprintf("Price plots are shown for the %d most traded of %d traded symbols.", maxPricePlots, traded)
	}
	for _, f := range figs {
		// The SVG comes from our own renderer, not from user input: trusted.
		d.Figures = append(d.Figures, figureHTML{ID: f.ID, Title: f.Title, Caption: f.Caption, SVG: template.HTML(f.SVG)})
	}
	for _, m := range metrics {
		v := m.get(&s.Strategy)
		row := statRow{Key: m.Key, Name: m.Name, Value: m.format(v), Raw: rawValue(v)}
		c := card{Key: m.Key, Name: m.Name, Value: row.Value}
		if s.Benchmark != nil {
			bv := m.get(s.Benchmark)
			row.Bench, row.BenchRaw = m.format(bv), rawValue(bv)
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
	err = trades.each(func(t *engine.Trade) bool {
		if len(d.Trades) == o.MaxTradeRows {
			return false
		}
		d.Trades = append(d.Trades, tradeRowOf(len(d.Trades)+1, *t))
		return true
	})
	if err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	d.TradesShown = len(d.Trades)
	if err := reportTmpl.Execute(w, d); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

func tradeRowOf(n int, t engine.Trade) tradeRow {
	side := "long"
	if t.Side == engine.Sell {
		side = "short"
	}
	row := tradeRow{
		N: n, Symbol: t.Symbol, Side: side,
		Qty: strconv.FormatFloat(t.Qty, 'f', -1, 64), QtyV: fmtFloat(t.Qty),
		Entry: fmtNY(t.EntryTime), EntryV: unixString(t.EntryTime),
		EntryPrice: strconv.FormatFloat(t.EntryPrice, 'f', 2, 64), EntryPriceV: fmtFloat(t.EntryPrice),
		Exit: "open", ExitV: "",
		PnL: formatMoney(t.PnL), PnLV: fmtFloat(t.PnL),
		Return: strconv.FormatFloat(t.Return*100, 'f', 2, 64) + "%", ReturnV: fmtFloat(t.Return),
		Bars:  t.BarsHeld,
		Costs: formatMoney(t.Commission), CostsV: fmtFloat(t.Commission),
	}
	if !t.Open {
		row.Exit, row.ExitV = fmtNY(t.ExitTime), unixString(t.ExitTime)
		row.ExitPrice, row.ExitPriceV = strconv.FormatFloat(t.ExitPrice, 'f', 2, 64), fmtFloat(t.ExitPrice)
	} else {
		row.Side += " (open)"
	}
	if t.PnL < 0 {
		row.Class = "num-neg"
	}
	return row
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

func fmtNY(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(nyLoc).Format("2006-01-02 15:04")
}

func unixString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func fmtRange(start, end time.Time) string {
	if start.IsZero() && end.IsZero() {
		return "—"
	}
	return fmtNY(start) + " → " + fmtNY(end) + " (New York)"
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
