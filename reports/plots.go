package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
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
	colStrategy  = color.RGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}
	colBenchmark = color.RGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff}
	colLoss      = color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff}
	colLossFill  = color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0x55}
	colGain      = color.RGBA{R: 0x1e, G: 0x8e, B: 0x3e, A: 0xff}
	colGrid      = color.Gray{Y: 0xe4}
)

// Plot sizes; the HTML scales the SVG to the page width through its viewBox.
const (
	plotW = 10 * vg.Inch
	plotH = 3.6 * vg.Inch
)

// Figure is one rendered plot.
type Figure struct {
	ID      string
	Title   string
	Caption string
	SVG     string
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

func timeAxis(p *plot.Plot, from, to time.Time) {
	span := to.Sub(from)
	format := "2006-01-02"
	switch {
	case span > 3*365*24*time.Hour:
		format = "2006"
	case span > 90*24*time.Hour:
		format = "2006-01"
	case span < 3*24*time.Hour:
		format = "01-02 15:04"
	}
	p.X.Tick.Marker = plot.TimeTicks{Format: format, Time: func(t float64) time.Time {
		sec, frac := math.Modf(t)
		return time.Unix(int64(sec), int64(frac*1e9)).In(nyLoc)
	}}
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

// plots renders every figure of the report.
func plots(r *engine.Result, s Summary, o WriteOptions) ([]Figure, error) {
	var figs []Figure
	add := func(id, title, caption string, p *plot.Plot, h vg.Length) error {
		svg, err := renderSVG(p, plotW, h)
		if err != nil {
			return fmt.Errorf("plot %s: %w", id, err)
		}
		figs = append(figs, Figure{ID: id, Title: title, Caption: caption, SVG: svg})
		return nil
	}
	eq := r.Equity
	if len(eq) < 2 {
		return nil, nil
	}
	from, to := eq[0].Time, eq[len(eq)-1].Time
	n := o.PlotPoints

	strat := downsample(len(eq), n, func(i int) float64 { return unixSec(eq[i].Time) }, func(i int) float64 { return eq[i].Equity })
	var bench plotter.XYs
	if be := s.benchEq; len(be) > 0 && be[0].Equity != 0 {
		scale := eq[0].Equity / be[0].Equity
		bench = downsample(len(be), n, func(i int) float64 { return unixSec(be[i].Time) }, func(i int) float64 { return be[i].Equity * scale })
	}
	canLog := true
	for _, xys := range []plotter.XYs{strat, bench} {
		for _, p := range xys {
			if p.Y <= 0 {
				canLog = false
			}
		}
	}
	for _, logScale := range []bool{false, true} {
		title, id := "Equity", "equity"
		if logScale {
			if !canLog {
				continue
			}
			title, id = "Equity (log scale)", "equity-log"
		}
		p := newPlot(title)
		timeAxis(p, from, to)
		if logScale {
			p.Y.Scale = plot.LogScale{}
		}
		sl, err := line(strat, colStrategy, vg.Points(1.2))
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", id, err)
		}
		p.Add(sl)
		p.Legend.Add(orDefault(s.Run.Strategy, "strategy"), sl)
		if bench != nil {
			bl, err := line(bench, colBenchmark, vg.Points(1))
			if err != nil {
				return nil, fmt.Errorf("plot %s: %w", id, err)
			}
			p.Add(bl)
			p.Legend.Add(orDefault(s.Run.Benchmark, "benchmark")+" (rebased)", bl)
		}
		caption := "Equity at every bar (drawn with at most " + fmt.Sprint(n) + " points per series, keeping each bucket's high and low)."
		if bench != nil {
			caption += " The benchmark is rebased to the strategy's starting equity."
		}
		if err := add(id, title, caption, p, plotH); err != nil {
			return nil, err
		}
	}

	{ // underwater
		dd := make([]float64, len(eq))
		peak := eq[0].Equity
		for i, p := range eq {
			peak = max(peak, p.Equity)
			dd[i] = p.Equity/peak - 1
		}
		xys := downsample(len(eq), n, func(i int) float64 { return unixSec(eq[i].Time) }, func(i int) float64 { return dd[i] })
		p := newPlot("Drawdown")
		timeAxis(p, from, to)
		p.Y.Tick.Marker = percentTicks{}
		p.Y.Max = 0
		l, err := line(xys, colLoss, vg.Points(0.8))
		if err != nil {
			return nil, fmt.Errorf("plot drawdown: %w", err)
		}
		l.FillColor = colLossFill
		p.Add(l)
		p.Legend = plot.NewLegend()
		if err := add("drawdown", "Drawdown (underwater)", "Equity below its running peak, at every bar.", p, 2.6*vg.Inch); err != nil {
			return nil, err
		}
	}

	if rets := s.strat.rets; len(rets) >= 2 {
		vals := make(plotter.Values, len(rets))
		copy(vals, rets)
		p := newPlot("Daily returns")
		h, err := plotter.NewHist(vals, histBins(len(rets)))
		if err != nil {
			return nil, fmt.Errorf("plot histogram: %w", err)
		}
		h.FillColor = colStrategy
		h.LineStyle.Color = color.White
		h.LineStyle.Width = vg.Points(0.3)
		p.Add(h)
		p.X.Tick.Marker = percentTicks{}
		p.Y.Label.Text = "days"
		p.Legend = plot.NewLegend()
		if err := add("histogram", "Distribution of daily returns", fmt.Sprintf("%d daily returns.", len(rets)), p, 2.8*vg.Inch); err != nil {
			return nil, err
		}
	}

	if roll := rollingSharpe(s.strat, RollingWindow, s.riskFree); len(roll) > 1 {
		p := newPlot("Rolling Sharpe")
		timeAxis(p, from, to)
		l, err := line(downsample(len(roll), n, func(i int) float64 { return roll[i].X }, func(i int) float64 { return roll[i].Y }), colStrategy, vg.Points(1))
		if err != nil {
			return nil, fmt.Errorf("plot rolling sharpe: %w", err)
		}
		p.Add(l)
		p.Legend = plot.NewLegend()
		if err := add("rolling-sharpe", "Rolling Sharpe (126 days)", "Sharpe ratio over the trailing 126 daily returns (about six months), annualised.", p, 2.6*vg.Inch); err != nil {
			return nil, err
		}
	}

	symbols := slices.Sorted(func(yield func(string) bool) {
		for sym := range o.Prices {
			if !yield(sym) {
				return
			}
		}
	})
	for _, sym := range symbols {
		fig, err := pricePlot(sym, o.Prices[sym], r.Trades, n)
		if err != nil {
			return nil, err
		}
		if fig != nil {
			figs = append(figs, *fig)
		}
	}
	return figs, nil
}

// maxMarkers caps the entry and exit markers per symbol: each is a few hundred bytes of SVG.
const maxMarkers = 300

func pricePlot(sym string, prices []PricePoint, trades []engine.Trade, n int) (*Figure, error) {
	if len(prices) < 2 {
		return nil, nil
	}
	p := newPlot(sym)
	timeAxis(p, prices[0].Time, prices[len(prices)-1].Time)
	l, err := line(downsample(len(prices), n, func(i int) float64 { return unixSec(prices[i].Time) }, func(i int) float64 { return prices[i].Price }), colBenchmark, vg.Points(0.8))
	if err != nil {
		return nil, fmt.Errorf("plot %s: %w", sym, err)
	}
	p.Add(l)
	p.Legend.Add("close", l)
	var mine []engine.Trade
	for _, t := range trades {
		if t.Symbol == sym {
			mine = append(mine, t)
		}
	}
	shown := mine
	if len(mine) > maxMarkers {
		shown = make([]engine.Trade, 0, maxMarkers)
		for i := range maxMarkers {
			shown = append(shown, mine[i*len(mine)/maxMarkers])
		}
	}
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
			return nil, fmt.Errorf("plot %s: %w", sym, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: m.col, Radius: vg.Points(3), Shape: m.shape}
		p.Add(sc)
		p.Legend.Add(m.name, sc)
	}
	caption := fmt.Sprintf("%s close with the entries (▲) and exits (×) of its %d trades.", sym, len(mine))
	if len(shown) < len(mine) {
		caption = fmt.Sprintf("%s close with the entries (▲) and exits (×) of %d of its %d trades, evenly spaced; trades.csv lists all.", sym, len(shown), len(mine))
	}
	svg, err := renderSVG(p, plotW, plotH)
	if err != nil {
		return nil, fmt.Errorf("plot %s: %w", sym, err)
	}
	return &Figure{ID: "price-" + idSafe(sym), Title: sym + " price and trades", Caption: caption, SVG: svg}, nil
}

// rollingSharpe keeps running sums so that it is linear in the number of days.
func rollingSharpe(d daily, window int, rf float64) plotter.XYs {
	rets := d.rets
	if len(rets) < window {
		return nil
	}
	rfd := dailyRiskFree(rf)
	var sum, sumSq float64
	out := make(plotter.XYs, 0, len(rets)-window+1)
	ann := math.Sqrt(TradingDays)
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
