package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/barkeep-trading/barkeep/engine"
)

var (
	colStrategy  = color.NRGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}
	colBenchmark = color.NRGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff}
	colLoss      = color.NRGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff}
	colLossFill  = color.NRGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0x40} // NRGBA: RGBA would need premultiplied values
	colGain      = color.NRGBA{R: 0x1e, G: 0x8e, B: 0x3e, A: 0xff}
	colGrid      = color.Gray{Y: 0xe4}
)

// Plot sizes; the HTML scales the SVG to the page width through its viewBox. A plot 10 inches
// wide shrinks to 40% on a 430-pixel phone, which leaves its 10-point labels 5 pixels high, so
// every plot of the report is also drawn narrow (5.2 inches, its labels some 11 pixels on such a
// phone) with fewer points, and the page shows the one that fits.
const (
	plotW        = 10 * vg.Inch
	plotH        = 3.6 * vg.Inch
	narrowW      = 5.2 * vg.Inch
	narrowH      = 0.85 // of the wide plot's height
	narrowPoints = 500  // a phone shows fewer than 500 pixels across
)

// Figure is one rendered plot.
type Figure struct {
	ID      string
	Title   string
	Caption string
	SVG     string
	Narrow  string // the same plot drawn for a phone; empty when there is none
}

// downsample keeps at most max points of a series of n points by taking, in each of max/2
// equal buckets, the lowest and the highest point in time order: peaks and troughs (and so
// drawdowns) survive, which averaging or plain decimation would smooth away. The statistics
// never see this; it is for drawing only.
func downsample(n, maxPoints int, x, y func(i int) float64) plotter.XYs {
	if n <= maxPoints {
		out := make(plotter.XYs, n)
		for i := range n {
			out[i] = plotter.XY{X: x(i), Y: y(i)}
		}
		return out
	}
	buckets := max(maxPoints/2, 1)
	out := make(plotter.XYs, 0, 2*buckets)
	for b := range buckets {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		iMin, iMax := lo, lo
		vMin, vMax := y(lo), y(lo)
		for i := lo + 1; i < hi; i++ {
			v := y(i)
			if v < vMin {
				iMin, vMin = i, v
			}
			if v > vMax {
				iMax, vMax = i, v
			}
		}
		first, second := min(iMin, iMax), max(iMin, iMax)
		out = append(out, plotter.XY{X: x(first), Y: y(first)})
		if second != first {
			out = append(out, plotter.XY{X: x(second), Y: y(second)})
		}
	}
	return out
}

func unixSec(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// newPlot sets the fonts to Liberation Sans, which renderSVG maps to the reader's sans-serif
// fonts (Arial has the same metrics), instead of the serif default.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	sans := func(size vg.Length) font.Font {
		return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	}
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11)
		a.Tick.Label.Font = sans(10)
	}
	p.Legend.TextStyle.Font = sans(10)
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(&plotter.Grid{Vertical: draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)}})
	return p
}

// timeAxis fixes the x range (so that every time plot lines up) and labels it with calendar
// boundaries in New York: months, quarters or years rather than arbitrary seconds. A narrow
// plot gets fewer labels, so that they do not overlap.
func timeAxis(p *plot.Plot, from, to time.Time, narrow bool) {
	p.X.Min, p.X.Max = unixSec(from), unixSec(to)
	p.X.Tick.Marker = calendarTicks{narrow: narrow}
}

type calendarTicks struct{ narrow bool }

// calendarSteps go from fine to coarse; Ticks takes the first that gives at most 8 labels (4
// on a narrow plot).
var calendarSteps = []struct {
	hours, days, months int
	format              string
}{
	{hours: 1, format: "15:04"}, {hours: 3, format: "15:04"}, {days: 1, format: "Jan 2"}, {days: 7, format: "Jan 2"},
	{months: 1, format: "Jan 2006"}, {months: 3, format: "Jan 2006"}, {months: 6, format: "Jan 2006"},
	{months: 12, format: "2006"}, {months: 24, format: "2006"}, {months: 60, format: "2006"}, {months: 120, format: "2006"},
}

func (c calendarTicks) Ticks(lo, hi float64) []plot.Tick {
	from, to := fromUnix(lo), fromUnix(hi)
	most := time.Duration(8)
	if c.narrow {
		most = 4
	}
	for i, st := range calendarSteps {
		approx := time.Duration(st.hours)*time.Hour + time.Duration(st.days)*24*time.Hour + time.Duration(st.months)*30*24*time.Hour
		if to.Sub(from)/approx > most && i < len(calendarSteps)-1 {
			continue
		}
		var t time.Time
		y, m, d := from.Date()
		switch {
		case st.hours > 0:
			t = from.Truncate(time.Hour)
		case st.days > 0:
			t = time.Date(y, m, d, 0, 0, 0, 0, nyLoc)
		default:
			mi := (int(m) - 1) / min(st.months, 12) * min(st.months, 12)
			t = time.Date(y, time.Month(mi+1), 1, 0, 0, 0, 0, nyLoc)
		}
		var ticks []plot.Tick
		stepMonths := min(st.months, 12) // multi-year steps walk by year and keep multiples
		for ; !t.After(to); t = t.Add(time.Duration(st.hours)*time.Hour).AddDate(0, stepMonths, st.days) {
			if st.months >= 24 && t.Year()%(st.months/12) != 0 {
				continue
			}
			if t.Before(from) {
				continue
			}
			ticks = append(ticks, plot.Tick{Value: unixSec(t), Label: t.Format(st.format)})
		}
		if len(ticks) >= 2 || i == len(calendarSteps)-1 {
			return ticks
		}
	}
	return nil
}

func fromUnix(v float64) time.Time {
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).In(nyLoc)
}

// moneyTicks labels an equity axis compactly: 110k, 1.2M.
type moneyTicks struct{ log bool }

func (m moneyTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if m.log {
		ticks = plot.LogTicks{Prec: -1}.Ticks(lo, hi)
		if countLabels(ticks, lo, hi) < 3 {
			ticks = plot.DefaultTicks{}.Ticks(lo, hi)
		}
	} else {
		ticks = plot.DefaultTicks{}.Ticks(lo, hi)
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = compact(ticks[i].Value)
		}
	}
	return ticks
}

// countLabels counts the labelled ticks inside [lo, hi]; LogTicks returns some outside.
func countLabels(ticks []plot.Tick, lo, hi float64) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" && t.Value >= lo && t.Value <= hi {
			n++
		}
	}
	return n
}

func compact(v float64) string {
	a := math.Abs(v)
	trim := func(x float64, unit string) string {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".") + unit
	}
	switch {
	case a >= 1e9:
		return trim(v/1e9, "B")
	case a >= 1e6:
		return trim(v/1e6, "M")
	case a >= 1e4:
		return trim(v/1e3, "k")
	}
	return trim(v, "")
}

// countTicks labels a count axis without decimals.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	out := ticks[:0]
	for _, t := range ticks {
		if t.Label != "" {
			if t.Value != math.Trunc(t.Value) {
				continue
			}
			t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
		}
		out = append(out, t)
	}
	return out
}

// headroom raises the y range so that the legend in the top left corner sits above the data.
func headroom(p *plot.Plot, frac float64) {
	if p.Y.Max <= p.Y.Min {
		return
	}
	if _, ok := p.Y.Scale.(plot.LogScale); ok {
		p.Y.Max = p.Y.Max * math.Pow(p.Y.Max/p.Y.Min, frac)
		return
	}
	p.Y.Max += (p.Y.Max - p.Y.Min) * frac
}

// percentTicks labels a fraction axis in percent.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconvPercent(ticks[i].Value)
		}
	}
	return ticks
}

func strconvPercent(v float64) string {
	s := fmt.Sprintf("%.1f", v*100)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

func line(xys plotter.XYs, c color.Color, width vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = c, width
	return l, nil
}

// renderSVG draws p and returns the <svg> element alone, ready to inline in HTML.
func renderSVG(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("renderer wrote no <svg> element")
	}
	s = s[i:]
	// vgsvg names the font without fallbacks; offer the metric-compatible system fonts rather
	// than embedding the font files (some 400 KB each in base64).
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return s, nil
}

// plots renders every figure of the report, each wide and narrow, and the notes that explain
// a figure left out (a flat curve has no distribution to draw).
func plots(r *engine.Result, s Summary, o WriteOptions) ([]Figure, []string, error) {
	var figs []Figure
	var notes []string
	// add builds a figure twice, from at most n points per series for the page and fewer for a
	// phone.
	add := func(id, title, caption string, h vg.Length, build func(n int, narrow bool) (*plot.Plot, error)) error {
		f := Figure{ID: id, Title: title, Caption: caption}
		for _, narrow := range []bool{false, true} {
			n, w, hh := o.PlotPoints, plotW, h
			if narrow {
				n, w, hh = min(n, narrowPoints), narrowW, h*narrowH
			}
			p, err := build(n, narrow)
			if err == nil {
				var svg string
				if svg, err = renderSVG(p, w, hh); err == nil && narrow {
					f.Narrow = svg
				} else if err == nil {
					f.SVG = svg
				}
			}
			if err != nil {
				return fmt.Errorf("plot %s: %w", id, err)
			}
		}
		figs = append(figs, f)
		return nil
	}
	eq := r.Equity
	if len(eq) < 2 {
		return nil, nil, nil
	}
	from, to := eq[0].Time(), eq[len(eq)-1].Time()
	base := s.strat.base
	x := func(i int) float64 { return unixSec(eq[i].Time()) }

	lo, hi := eq[0].Equity(), eq[0].Equity()
	for _, p := range eq {
		lo, hi = min(lo, p.Equity()), max(hi, p.Equity())
	}
	var benchScale float64
	if s.bench != nil && s.bench.base > 0 {
		benchScale = base / s.bench.base
		for _, p := range s.benchEq {
			lo, hi = min(lo, p.Equity()*benchScale), max(hi, p.Equity()*benchScale)
		}
	}
	flat := lo == hi
	for _, logScale := range []bool{false, true} {
		title, id := "Equity", "equity"
		if logScale {
			// A log axis needs positive values, and says nothing of a flat curve.
			if lo <= 0 || flat {
				continue
			}
			title, id = "Equity (log scale)", "equity-log"
		}
		caption := "Equity at every bar (drawn with at most " + fmt.Sprint(o.PlotPoints) + " points per series, keeping each bucket's high and low)."
		if s.bench != nil {
			caption += " The benchmark, " + orDefault(s.Run.Benchmark, "benchmark") + ", is rebased to the strategy's start equity."
		}
		if flat {
			caption += " The equity never moved: " + formatMoney(lo) + " throughout."
		}
		err := add(id, title, caption, plotH, func(n int, narrow bool) (*plot.Plot, error) {
			p := newPlot(title)
			timeAxis(p, from, to, narrow)
			if logScale {
				p.Y.Scale = plot.LogScale{}
			}
			sl, err := line(downsample(len(eq), n, x, func(i int) float64 { return eq[i].Equity() }), colStrategy, vg.Points(1.2))
			if err != nil {
				return nil, err
			}
			p.Add(sl)
			p.Y.Tick.Marker = moneyTicks{log: logScale}
			p.Legend.Add(orDefault(s.Run.Strategy, "strategy"), sl)
			if be := s.benchEq; benchScale > 0 && len(be) > 0 {
				bl, err := line(downsample(len(be), n, func(i int) float64 { return unixSec(be[i].Time()) },
					func(i int) float64 { return be[i].Equity() * benchScale }), colBenchmark, vg.Points(1))
				if err != nil {
					return nil, err
				}
				p.Add(bl)
				p.Legend.Add(orDefault(s.Run.Benchmark, "benchmark")+" (rebased)", bl)
			}
			if flat {
				// An axis of zero height would be padded to ±1 dollar: show ±1% instead.
				p.Y.Min, p.Y.Max = lo*0.99, lo*1.01
			}
			headroom(p, 0.22)
			return p, nil
		})
		if err != nil {
			return nil, nil, err
		}
	}

	{ // underwater, at every bar: the every-bar max drawdown, not the daily one
		dd := make([]float64, len(eq))
		peak := base
		deepest := 0.0
		for i, p := range eq {
			peak = max(peak, p.Equity())
			dd[i] = p.Equity()/peak - 1
			deepest = min(deepest, dd[i])
		}
		pct := metricMust("max_drawdown").format
		caption := "Equity below its running peak (from the start equity) at every bar; the deepest is " + pct(deepest) +
			". The max drawdown figure measures daily closes: " + pct(s.Strategy.MaxDrawdown) + "."
		if deepest == 0 {
			caption = "The equity never fell below its running peak (from the start equity): no drawdown at any bar."
		}
		err := add("drawdown", "Drawdown at every bar (underwater)", caption, 2.6*vg.Inch, func(n int, narrow bool) (*plot.Plot, error) {
			xys := downsample(len(eq), n, x, func(i int) float64 { return dd[i] })
			p := newPlot("Drawdown at every bar")
			timeAxis(p, from, to, narrow)
			p.Y.Tick.Marker = percentTicks{}
			// A polygon closed along zero fills the area between the curve and 0; a Line's
			// FillColor would fill down to the bottom of the axis instead.
			area := make(plotter.XYs, 0, len(xys)+2)
			area = append(area, plotter.XY{X: xys[0].X, Y: 0})
			area = append(area, xys...)
			area = append(area, plotter.XY{X: xys[len(xys)-1].X, Y: 0})
			poly, err := plotter.NewPolygon(area)
			if err != nil {
				return nil, err
			}
			poly.Color, poly.LineStyle.Width = colLossFill, 0
			p.Add(poly)
			l, err := line(xys, colLoss, vg.Points(0.8))
			if err != nil {
				return nil, err
			}
			p.Add(l)
			p.Y.Max = 0
			if deepest > -0.01 {
				// A shallow or absent drawdown keeps a 1% axis rather than one padded to ±100%.
				p.Y.Min = -0.01
			}
			p.Legend = plot.NewLegend()
			return p, nil
		})
		if err != nil {
			return nil, nil, err
		}
	}

	rets := s.strat.rets
	switch {
	case len(rets) >= 2 && slices.Min(rets) == slices.Max(rets):
		notes = append(notes, fmt.Sprintf("No distribution of daily returns is drawn: all %d are %s.", len(rets), strconvPercent(rets[0])))
	case len(rets) >= 2:
		err := add("histogram", "Distribution of daily returns", fmt.Sprintf("%d daily returns.", len(rets)), 2.8*vg.Inch, func(_ int, _ bool) (*plot.Plot, error) {
			vals := make(plotter.Values, len(rets))
			copy(vals, rets)
			p := newPlot("Daily returns")
			h, err := plotter.NewHist(vals, histBins(len(rets)))
			if err != nil {
				return nil, err
			}
			h.FillColor = colStrategy
			h.LineStyle.Color = color.White
			h.LineStyle.Width = vg.Points(0.3)
			p.Add(h)
			p.X.Tick.Marker = percentTicks{}
			p.Y.Label.Text = "days"
			p.Y.Tick.Marker = countTicks{}
			p.Legend = plot.NewLegend()
			return p, nil
		})
		if err != nil {
			return nil, nil, err
		}
	default:
		notes = append(notes, fmt.Sprintf("No distribution of daily returns is drawn: the run has %d.", len(rets)))
	}

	if roll := rollingSharpe(s.strat, RollingWindow, s.riskFree); len(roll) > 1 {
		err := add("rolling-sharpe", "Rolling Sharpe (126 days)", "Sharpe ratio over the trailing 126 daily returns (about six months), annualised.", 2.6*vg.Inch,
			func(n int, narrow bool) (*plot.Plot, error) {
				p := newPlot("Rolling Sharpe")
				timeAxis(p, from, to, narrow)
				l, err := line(downsample(len(roll), n, func(i int) float64 { return roll[i].X }, func(i int) float64 { return roll[i].Y }), colStrategy, vg.Points(1))
				if err != nil {
					return nil, err
				}
				p.Add(l)
				p.Legend = plot.NewLegend()
				return p, nil
			})
		if err != nil {
			return nil, nil, err
		}
	}

	trades := s.trades(r)
	counts := trades.perSymbol()
	syms := priceSymbols(o.Prices, counts)
	marks, err := markers(trades, syms, counts)
	if err != nil {
		return nil, nil, err
	}
	for _, sym := range syms {
		prices := o.Prices[sym]
		if len(prices) < 2 {
			continue
		}
		caption := fmt.Sprintf("%s close with the entries (▲) and exits (×) of its %d trades.", sym, counts[sym])
		if len(marks[sym]) < counts[sym] {
			caption = fmt.Sprintf("%s close with the entries (▲) and exits (×) of %d of its %d trades, evenly spaced; trades.csv lists all.", sym, len(marks[sym]), counts[sym])
		}
		err := add("price-"+idSafe(sym), sym+" price and trades", caption, plotH, func(n int, narrow bool) (*plot.Plot, error) {
			return pricePlot(sym, prices, marks[sym], n, narrow)
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return figs, notes, nil
}

// maxPricePlots caps the per-symbol plots (some 60 KB each) so that a run over hundreds of
// symbols still gives a report a browser opens quickly.
const maxPricePlots = 12

// priceSymbols picks the traded symbols that have a price series: the most traded first, ties
// by name, at most maxPricePlots.
func priceSymbols(prices map[string][]PricePoint, traded map[string]int) []string {
	count := map[string]int{}
	for sym, n := range traded {
		if _, ok := prices[sym]; ok {
			count[sym] = n
		}
	}
	syms := slices.Collect(maps.Keys(count))
	slices.SortFunc(syms, func(a, b string) int {
		if c := count[b] - count[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return syms[:min(len(syms), maxPricePlots)]
}

// maxMarkers caps the entry and exit markers per symbol: each is a few hundred bytes of SVG.
const maxMarkers = 300

// markers picks the trades whose entries and exits each of syms' price plots marks, in one pass
// over the trades: all of a symbol's when it has at most maxMarkers, evenly spaced ones
// otherwise (trade k*total/maxMarkers of the symbol's, k = 0, 1, ...).
func markers(trades tradeLog, syms []string, total map[string]int) (map[string][]engine.Trade, error) {
	type pick struct {
		seen, next int // the symbol's trades seen so far; how many markers are taken
		shown      []engine.Trade
	}
	picks := make(map[string]*pick, len(syms))
	for _, sym := range syms {
		picks[sym] = &pick{}
	}
	err := trades.each(func(t *engine.Trade) bool {
		p := picks[t.Symbol]
		if p == nil {
			return true
		}
		tot := total[t.Symbol]
		if tot <= maxMarkers || (p.next < maxMarkers && p.seen == p.next*tot/maxMarkers) {
			p.shown = append(p.shown, *t)
			p.next++
		}
		p.seen++
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("plot trades: %w", err)
	}
	out := make(map[string][]engine.Trade, len(picks))
	for sym, p := range picks {
		out[sym] = p.shown
	}
	return out, nil
}

// pricePlot draws sym's closes with the entries and exits of shown, which markers picked from
// the symbol's trades.
func pricePlot(sym string, prices []PricePoint, shown []engine.Trade, n int, narrow bool) (*plot.Plot, error) {
	p := newPlot(sym)
	timeAxis(p, prices[0].Time, prices[len(prices)-1].Time, narrow)
	l, err := line(downsample(len(prices), n, func(i int) float64 { return unixSec(prices[i].Time) }, func(i int) float64 { return prices[i].Price }), colBenchmark, vg.Points(0.8))
	if err != nil {
		return nil, err
	}
	p.Add(l)
	p.Y.Tick.Marker = moneyTicks{}
	p.Legend.Add("close", l)
	var entries, exits plotter.XYs
	for _, t := range shown {
		entries = append(entries, plotter.XY{X: unixSec(t.EntryTime), Y: t.EntryPrice})
		if !t.Open {
			exits = append(exits, plotter.XY{X: unixSec(t.ExitTime), Y: t.ExitPrice})
		}
	}
	for _, m := range []struct {
		xys   plotter.XYs
		name  string
		col   color.Color
		shape draw.GlyphDrawer
	}{{entries, "entry", colGain, draw.TriangleGlyph{}}, {exits, "exit", colLoss, draw.CrossGlyph{}}} {
		if len(m.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(m.xys)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: m.col, Radius: vg.Points(3), Shape: m.shape}
		p.Add(sc)
		p.Legend.Add(m.name, sc)
	}
	headroom(p, 0.22)
	return p, nil
}

// rollingSharpe keeps running sums so that it is linear in the number of days.
func rollingSharpe(d daily, window int, rf float64) plotter.XYs {
	rets := d.rets
	if len(rets) < window {
		return nil
	}
	rfd := dailyRiskFree(rf, d.ann)
	var sum, sumSq float64
	out := make(plotter.XYs, 0, len(rets)-window+1)
	ann := math.Sqrt(d.ann)
	w := float64(window)
	for i, r := range rets {
		sum += r
		sumSq += r * r
		if i >= window {
			old := rets[i-window]
			sum -= old
			sumSq -= old * old
		}
		if i < window-1 {
			continue
		}
		mean := sum / w
		variance := (sumSq - w*mean*mean) / (w - 1)
		v := math.NaN()
		if variance > 1e-18 {
			v = (mean - rfd) / math.Sqrt(variance) * ann
		}
		if !math.IsNaN(v) {
			out = append(out, plotter.XY{X: unixSec(d.dates[i]), Y: v})
		}
	}
	return out
}

func histBins(n int) int {
	return min(max(int(math.Sqrt(float64(n))), 10), 60)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// idSafe keeps letters, digits and dashes, for HTML ids.
func idSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
