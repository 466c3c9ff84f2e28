package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// heatGrid is the ranked statistic over the first two axes, at index coordinates so that
// uneven value lists draw as even cells.
type heatGrid struct {
	cols, rows int
	z          []float64 // z[r*cols+c]
	// noTrade marks the cells whose every run made no trade (z is NaN there): valid
	// combinations, drawn apart from the skipped ones.
	noTrade []bool
}

func (g heatGrid) Dims() (int, int)      { return g.cols, g.rows }
func (g heatGrid) Z(c, r int) float64    { return g.z[r*g.cols+c] }
func (g heatGrid) X(c int) float64       { return float64(c) }
func (g heatGrid) Y(r int) float64       { return float64(r) }
func (g heatGrid) cell(c, r int) float64 { return g.z[r*g.cols+c] }

// heatValues reduces the rows to one value per cell of the first two axes: the best over any
// further axes of the runs that traded (NaN for a cell whose combinations were all skipped or
// made no trade, the latter marked in noTrade).
func heatValues(s Sweep) (heatGrid, bool) {
	if len(s.Axes) == 0 {
		return heatGrid{}, false
	}
	x := s.Axes[0]
	y := SweepAxis{Values: []string{""}}
	if len(s.Axes) > 1 {
		y = s.Axes[1]
	}
	g := heatGrid{cols: len(x.Values), rows: len(y.Values), z: make([]float64, len(x.Values)*len(y.Values)),
		noTrade: make([]bool, len(x.Values)*len(y.Values))}
	traded := make([]bool, len(g.z))
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	xi := make(map[string]int, len(x.Values))
	for i, v := range x.Values {
		xi[v] = i
	}
	yi := make(map[string]int, len(y.Values))
	for i, v := range y.Values {
		yi[v] = i
	}
	d := RankDirection(s.Rank)
	found := false
	for i := range s.Rows {
		r := &s.Rows[i]
		c, ok1 := xi[r.Params[x.Name]]
		rr, ok2 := yi[r.Params[y.Name]]
		if y.Name == "" {
			rr, ok2 = 0, true
		}
		if !ok1 || !ok2 {
			continue
		}
		k := rr*g.cols + c
		if StatusOf(&r.Stats, s.MinTrades) == NoTrade {
			g.noTrade[k] = !traded[k]
			found = true
			continue
		}
		traded[k], g.noTrade[k] = true, false
		v, _ := r.Stats.Value(s.Rank)
		if better(d, v, g.z[k]) {
			g.z[k] = v
			found = true
		}
	}
	return g, found
}

// maxHeatLabels bounds the cells that get their value written in: past it the numbers would
// overlap.
const maxHeatLabels = 400

// sweepHeatmap renders the ranked statistic over the first two axes as an SVG heatmap with a
// colour bar, the better end always green.
func sweepHeatmap(s Sweep) (*Figure, string, error) {
	g, ok := heatValues(s)
	if !ok {
		return nil, "", nil
	}
	m, _ := metricOf(s.Rank)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range g.z {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi { // every cell NaN or infinite
		if !slices.Contains(g.noTrade, true) {
			return nil, "", nil
		}
		lo, hi = 0, 1 // only runs without trade: their cells still show
	}
	if lo == hi { // a flat surface still needs a range to colour
		pad := math.Max(math.Abs(lo)*0.01, 1e-9)
		lo, hi = lo-pad, hi+pad
	}
	highGood := true
	switch RankDirection(s.Rank) {
	case LowerBetter:
		highGood = false
	case NearerZeroBetter:
		highGood = hi <= 0 // drawdowns are negative: the highest is the shallowest
	}
	var cm palette.ColorMap = moreland.SmoothGreenRed() // green at the low end
	if highGood {
		cm = palette.Reverse(cm)
	}
	cm.SetMin(lo)
	cm.SetMax(hi)

	x := s.Axes[0]
	title := m.Name + " by " + x.Name
	yName := ""
	if len(s.Axes) > 1 {
		yName = s.Axes[1].Name
		title += " and " + yName
	}
	svg, err := drawHeatmap(s, g, cm, m, title, yName, plotW, g.cols*g.rows <= maxHeatLabels)
	if err != nil {
		return nil, "", err
	}
	// Drawn 10 inches wide, a phone shrinks the labels to 5 pixels: the page also holds a copy
	// drawn narrow, with its cells' values only where they fit side by side.
	narrow, err := drawHeatmap(s, g, cm, m, title, yName, narrowW, g.cols <= maxNarrowHeatCols && g.cols*g.rows <= maxHeatLabels)
	if err != nil {
		return nil, "", err
	}
	caption := fmt.Sprintf("%s of each combination (%s: green is better); grey cells were skipped as invalid", m.Name, RankDirection(s.Rank))
	if slices.Contains(g.noTrade, true) {
		caption += "; blue-grey cells ran and made no trade"
	}
	caption += "."
	note := ""
	if len(s.Axes) > 2 {
		var rest []string
		for _, a := range s.Axes[2:] {
			rest = append(rest, a.Name)
		}
		note = fmt.Sprintf("Each cell shows the best value over %s.", strings.Join(rest, ", "))
	}
	return &Figure{ID: "heatmap", Title: title, Caption: caption, SVG: svg, Narrow: narrow}, note, nil
}

// maxNarrowHeatCols is the most columns whose values fit side by side in the narrow heatmap.
const maxNarrowHeatCols = 8

// drawHeatmap draws the sweep's heatmap w wide, its cells' values written in when labelled.
func drawHeatmap(s Sweep, g heatGrid, cm palette.ColorMap, m metric, title, yName string, w vg.Length, labelled bool) (string, error) {
	x := s.Axes[0]
	p := newPlot(title)
	p.X.Label.Text = x.Name
	p.Y.Label.Text = yName
	p.X.Tick.Marker = indexTicks(x.Values)
	if len(s.Axes) > 1 {
		p.Y.Tick.Marker = indexTicks(s.Axes[1].Values)
	} else {
		p.Y.Tick.Marker = plot.ConstantTicks(nil)
	}
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(heatmapPlotter{g, cm, color.NRGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}})
	p.Add(cellFill{g, colNoTrade})
	if labelled {
		var lx plotter.XYLabels
		for r := range g.rows {
			for c := range g.cols {
				v := g.cell(c, r)
				label := m.format(v)
				switch {
				case g.noTrade[r*g.cols+c]:
					label = "no trade"
				case math.IsNaN(v):
					continue
				}
				lx.XYs = append(lx.XYs, plotter.XY{X: float64(c), Y: float64(r)})
				lx.Labels = append(lx.Labels, label)
			}
		}
		if len(lx.Labels) > 0 {
			labels, err := plotter.NewLabels(lx)
			if err != nil {
				return "", fmt.Errorf("plot heatmap: %w", err)
			}
			size := vg.Points(9)
			if g.cols > 12 {
				size = vg.Points(7)
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].Font = p.X.Tick.Label.Font
				labels.TextStyle[i].Font.Size = size
				labels.TextStyle[i].XAlign = draw.XCenter
				labels.TextStyle[i].YAlign = draw.YCenter
			}
			p.Add(labels)
		}
	}

	bar := newPlot("")
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Label.Text = m.Name
	bar.Add(colourBar{cm, 128})
	bar.Y.Tick.Marker = formatTicks{m}

	h := vg.Length(math.Min(8, math.Max(3.2, 1.4+0.3*float64(g.rows)))) * vg.Inch
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	const barW = 1.3 * vg.Inch
	p.Draw(draw.Crop(dc, 0, -barW, 0, 0))
	bar.Draw(draw.Crop(dc, w-barW+0.25*vg.Inch, 0, 0.45*vg.Inch, -0.3*vg.Inch))
	svg, err := svgString(c)
	if err != nil {
		return "", fmt.Errorf("plot heatmap: %w", err)
	}
	return svg, nil
}

// heatmapPlotter draws a plotter.HeatMap with a fixed palette range and a colour for skipped
// cells: plotter.HeatMap reads its range from the data, and the colour bar must agree with it.
type heatmapPlotter struct {
	g   heatGrid
	cm  palette.ColorMap
	nan color.Color
}

func (h heatmapPlotter) heat() *plotter.HeatMap {
	hm := plotter.NewHeatMap(h.g, h.cm.Palette(256))
	hm.Min, hm.Max = h.cm.Min(), h.cm.Max()
	hm.NaN = h.nan
	// Infinite values (a Calmar ratio with no drawdown) take the colour of their end.
	hm.Underflow, hm.Overflow = h.end(hm.Min), h.end(hm.Max)
	return hm
}

func (h heatmapPlotter) end(v float64) color.Color {
	c, err := h.cm.At(v)
	if err != nil {
		return h.nan
	}
	return c
}

func (h heatmapPlotter) Plot(c draw.Canvas, p *plot.Plot)            { h.heat().Plot(c, p) }
func (h heatmapPlotter) DataRange() (xmin, xmax, ymin, ymax float64) { return h.heat().DataRange() }

// colNoTrade fills the cells of runs that made no trade: neither a value's colour nor the grey
// of skipped cells, as the page's "made no trade" badge.
var colNoTrade = color.NRGBA{R: 0xdf, G: 0xe3, B: 0xf5, A: 0xff}

// cellFill paints the cells of g marked noTrade over the heatmap.
type cellFill struct {
	g   heatGrid
	col color.Color
}

func (f cellFill) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetColor(f.col)
	for k, on := range f.g.noTrade {
		if !on {
			continue
		}
		x, y := float64(k%f.g.cols), float64(k/f.g.cols)
		var pa vg.Path
		pa.Move(vg.Point{X: trX(x - 0.5), Y: trY(y - 0.5)})
		pa.Line(vg.Point{X: trX(x + 0.5), Y: trY(y - 0.5)})
		pa.Line(vg.Point{X: trX(x + 0.5), Y: trY(y + 0.5)})
		pa.Line(vg.Point{X: trX(x - 0.5), Y: trY(y + 0.5)})
		pa.Close()
		c.Fill(pa)
	}
}

// colourBar is a vertical plotter.ColorBar drawn as rectangles: ColorBar embeds a one-pixel
// wide image, which SVG viewers scale keeping its aspect ratio, into a hairline.
type colourBar struct {
	cm palette.ColorMap
	n  int
}

func (b colourBar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo, hi := b.cm.Min(), b.cm.Max()
	step := (hi - lo) / float64(b.n)
	for i := range b.n {
		v0, v1 := lo+step*float64(i), lo+step*float64(i+1)
		col, err := b.cm.At(math.Min(v0+step/2, hi))
		if err != nil {
			continue
		}
		var pa vg.Path
		// A hair of overlap hides the seams some renderers leave between abutting fills.
		y0, y1 := trY(v0), trY(v1)+vg.Points(0.3)
		pa.Move(vg.Point{X: trX(0), Y: y0})
		pa.Line(vg.Point{X: trX(1), Y: y0})
		pa.Line(vg.Point{X: trX(1), Y: y1})
		pa.Line(vg.Point{X: trX(0), Y: y1})
		pa.Close()
		c.SetColor(col)
		c.Fill(pa)
	}
}

func (b colourBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.cm.Min(), b.cm.Max() }

// indexTicks labels index coordinates 0..n-1 with the axis values, thinning them to about a
// dozen labels.
func indexTicks(values []string) plot.ConstantTicks {
	step := max(1, (len(values)+11)/12)
	ticks := make(plot.ConstantTicks, 0, len(values))
	for i, v := range values {
		label := ""
		if i%step == 0 {
			label = v
		}
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: label})
	}
	return ticks
}

// formatTicks labels the colour bar as the statistic is printed elsewhere.
type formatTicks struct{ m metric }

func (t formatTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = t.m.format(ticks[i].Value)
		}
	}
	return ticks
}

// svgString returns the <svg> element of a canvas alone, with the same font fallbacks as
// renderSVG.
func svgString(c *vgsvg.Canvas) (string, error) {
	var sb strings.Builder
	if _, err := c.WriteTo(&sb); err != nil {
		return "", err
	}
	s := sb.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("renderer wrote no <svg> element")
	}
	s = strings.ReplaceAll(s[i:], "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return s, nil
}
