package reports

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/barkeep-trading/barkeep/engine"
)

// Sweep file names inside a sweep directory.
const (
	SweepCSVFile  = "sweep.csv"
	SweepHTMLFile = "index.html"
)

// Direction says which way a statistic is better, for ranking a parameter sweep.
type Direction int8

const (
	// Unranked statistics (dates, counts, exposure) have no better way: they are not a ranking
	// criterion.
	Unranked Direction = iota
	HigherBetter
	LowerBetter
	// NearerZeroBetter is for drawdowns: negative fractions, the shallowest best.
	NearerZeroBetter
)

func (d Direction) String() string {
	switch d {
	case HigherBetter:
		return "higher is better"
	case LowerBetter:
		return "lower is better"
	case NearerZeroBetter:
		return "nearer zero is better"
	}
	return "not rankable"
}

// directions gives every statistic of the metrics table its ranking direction; a test keeps
// the two in step, so a new statistic has to say which way is better before it can ship.
var directions = map[string]Direction{
	"start": Unranked, "end": Unranked, "duration_days": Unranked, "sessions": Unranked,
	"exposure": Unranked, "start_equity": Unranked,
	"final_equity": HigherBetter, "total_return": HigherBetter, "cagr": HigherBetter,
	"volatility": LowerBetter,
	"sharpe":     HigherBetter, "sortino": HigherBetter, "calmar": HigherBetter,
	"max_drawdown": NearerZeroBetter, "max_drawdown_intraday": NearerZeroBetter, "avg_drawdown": NearerZeroBetter,
	"max_drawdown_days": LowerBetter, "longest_drawdown_days": LowerBetter,
	"best_day": HigherBetter, "worst_day": HigherBetter,
	"skew": HigherBetter, "excess_kurtosis": LowerBetter, "var_95": HigherBetter,
	"alpha": HigherBetter, "beta": Unranked,
	"trades": Unranked, "open_trades": Unranked,
	"win_rate": HigherBetter, "avg_trade_return": HigherBetter, "median_trade_return": HigherBetter,
	"best_trade": HigherBetter, "worst_trade": HigherBetter,
	"profit_factor": HigherBetter, "expectancy": HigherBetter, "sqn": HigherBetter,
	"avg_bars_held": Unranked, "costs": LowerBetter, "turnover": LowerBetter,
}

// RankDirection returns which way the statistic key is better; Unranked for an unknown key.
func RankDirection(key string) Direction { return directions[key] }

// RankKeys returns the statistics a sweep can be ranked by, in report order.
func RankKeys() []string {
	var keys []string
	for _, m := range metrics {
		if directions[m.Key] != Unranked {
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// StatKeys returns the key of every statistic, in report order: the columns of sweep.csv.
func StatKeys() []string {
	keys := make([]string, len(metrics))
	for i, m := range metrics {
		keys[i] = m.Key
	}
	return keys
}

// CheckRank returns an error naming the valid keys unless key is a rankable statistic.
func CheckRank(key string) error {
	if RankDirection(key) == Unranked {
		return fmt.Errorf("cannot rank by %q: want one of %s", key, strings.Join(RankKeys(), ", "))
	}
	return nil
}

func metricOf(key string) (metric, bool) {
	i := slices.IndexFunc(metrics, func(m metric) bool { return m.Key == key })
	if i < 0 {
		return metric{}, false
	}
	return metrics[i], true
}

// Value returns the statistic key of s as a number (NaN when it cannot be computed or is not a
// number), and whether key names a statistic.
func (s *Stats) Value(key string) (float64, bool) {
	m, ok := metricOf(key)
	if !ok {
		return math.NaN(), false
	}
	switch v := m.get(s).(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return math.NaN(), true
}

// better reports whether a ranks strictly before b under direction d. NaN ranks after every
// number, so runs whose figure cannot be computed sink to the bottom.
func better(d Direction, a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	}
	switch d {
	case LowerBetter:
		return a < b
	case NearerZeroBetter:
		return math.Abs(a) < math.Abs(b)
	}
	return a > b
}

// Rank returns the indices of rows from best to worst by the statistic key. Ties keep
// combination order, so the ranking does not depend on how the runs were scheduled.
func Rank(rows []SweepRow, key string) []int {
	d := RankDirection(key)
	vals := make([]float64, len(rows))
	for i := range rows {
		vals[i], _ = rows[i].Stats.Value(key)
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case better(d, vals[a], vals[b]):
			return -1
		case better(d, vals[b], vals[a]):
			return 1
		}
		return 0
	})
	return idx
}

// Scorer computes the Stats of many runs against one set of Options, preparing the benchmark
// once: Scorer.Stats(r) equals Compute(r, o).Strategy, without the monthly and yearly tables a
// sweep does not show and without resampling the benchmark's curve for every run.
type Scorer struct {
	rf    float64
	bench *daily
}

// NewScorer prepares o (its benchmark, if any) for scoring many runs.
func NewScorer(o Options) (*Scorer, error) {
	sc := &Scorer{rf: o.RiskFree}
	if b := o.Benchmark; b != nil {
		if err := checkCurve(b.Equity); err != nil {
			return nil, fmt.Errorf("compute report: benchmark: %w", err)
		}
		bd := resample(b.Equity)
		sc.bench = &bd
	}
	return sc, nil
}

// Stats computes the statistics of r. It is safe for concurrent use.
func (sc *Scorer) Stats(r *engine.Result) (Stats, error) {
	if r == nil {
		return Stats{}, errors.New("compute report: nil result")
	}
	if err := checkCurve(r.Equity); err != nil {
		return Stats{}, fmt.Errorf("compute report: %w", err)
	}
	d := resample(r.Equity)
	s := computeStats(r, d, sc.rf)
	if sc.bench != nil {
		s.Alpha, s.Beta = alphaBeta(d, *sc.bench, sc.rf)
	}
	return s, nil
}

// SweepAxis is one swept parameter and its values, in the order they were given.
type SweepAxis struct {
	Name   string
	Values []string
}

// SweepRow is one combination that ran: its complete parameters and its statistics.
type SweepRow struct {
	Params map[string]string
	Stats  Stats
}

// Sweep is a parameter sweep: one strategy over the same bars with every combination of its
// axes.
type Sweep struct {
	// Run records what every run shares; Run.Params holds the parameters not swept.
	Run Run
	// Axes are the swept parameters in the order given; the first two are the heatmap's axes.
	Axes []SweepAxis
	// Params are the parameter columns of sweep.csv: the axes first, then the rest.
	Params []string
	// Rows are the combinations that ran, in combination order (the first axis varies slowest).
	Rows []SweepRow
	// Combinations counts every combination of the axes, Skipped those the strategy rejected
	// (SkipReason is the first rejection, as an example).
	Combinations, Skipped int
	SkipReason            string
	Rank                  string // the statistic ranked by, a key of the metrics table
	Top                   int    // rows in the HTML and terminal tables; 20 when zero
	Jobs                  int    // runs in parallel, for the record
	Elapsed               time.Duration
}

func (s Sweep) top() int {
	if s.Top <= 0 {
		return 20
	}
	return s.Top
}

// WriteSweepCSV writes one row per run: the parameters, then every statistic under its key,
// in full precision (the shortest decimal that parses back to the same float64; times in
// RFC 3339; empty when a figure cannot be computed).
func WriteSweepCSV(w io.Writer, s Sweep) error {
	// Fields are parameter names, keys and numbers: none needs quoting, and formatting by hand
	// avoids a []string per row.
	keys := StatKeys()
	buf := make([]byte, 0, 1024)
	buf = append(buf, strings.Join(s.Params, ",")...)
	for _, k := range keys {
		if len(buf) > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, k...)
	}
	buf = append(buf, '\n')
	if _, err := w.Write(buf); err != nil {
		return err
	}
	for i := range s.Rows {
		r := &s.Rows[i]
		buf = buf[:0]
		for j, p := range s.Params {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, r.Params[p]...)
		}
		for j, m := range metrics {
			if j > 0 || len(s.Params) > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, rawValue(m.get(&r.Stats))...)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// WriteSweepDir writes sweep.csv and index.html into dir, atomically as WriteDir does: into a
// temporary directory beside dir, swapped in with one rename. An existing dir is replaced only
// if it is empty or holds a previous sweep (a sweep.csv).
func WriteSweepDir(ctx context.Context, dir string, s Sweep) error {
	if err := CheckRank(s.Rank); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	return writeDirAtomic(ctx, dir, "sweep", SweepCSVFile, []namedFile{
		{SweepCSVFile, func(w io.Writer) error { return WriteSweepCSV(w, s) }},
		{SweepHTMLFile, func(w io.Writer) error { return writeSweepHTML(w, s) }},
	})
}

// sweepColumns are the statistics the terminal and HTML tables show beside the ranked one.
var sweepColumns = []string{"total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "exposure"}

func (s Sweep) columns() []metric {
	keys := append([]string{s.Rank}, sweepColumns...)
	var out []metric
	for _, k := range keys {
		if m, ok := metricOf(k); ok && !slices.ContainsFunc(out, func(x metric) bool { return x.Key == k }) {
			out = append(out, m)
		}
	}
	return out
}

func (s Sweep) axisNames() []string {
	names := make([]string, len(s.Axes))
	for i, a := range s.Axes {
		names[i] = a.Name
	}
	return names
}

// PrintSweep writes the top runs by s.Rank as an aligned table, for a terminal.
func PrintSweep(w io.Writer, s Sweep) {
	d := RankDirection(s.Rank)
	fmt.Fprintf(w, "%d of %d combinations ran", len(s.Rows), s.Combinations)
	if s.Skipped > 0 {
		fmt.Fprintf(w, ", %d skipped as invalid (%s)", s.Skipped, s.SkipReason)
	}
	fmt.Fprintf(w, "; ranked by %s (%s)\n", s.Rank, d)
	order := Rank(s.Rows, s.Rank)
	if len(order) > s.top() {
		order = order[:s.top()]
	}
	cols := s.columns()
	axes := s.axisNames()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "#\t")
	for _, a := range axes {
		fmt.Fprintf(tw, "%s\t", a)
	}
	for _, m := range cols {
		fmt.Fprintf(tw, "%s\t", m.Key)
	}
	fmt.Fprintln(tw)
	for n, i := range order {
		r := &s.Rows[i]
		fmt.Fprintf(tw, "%d\t", n+1)
		for _, a := range axes {
			fmt.Fprintf(tw, "%s\t", r.Params[a])
		}
		for _, m := range cols {
			fmt.Fprintf(tw, "%s\t", m.format(m.get(&r.Stats)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

//go:embed sweep.html.tmpl
var sweepTemplate string

var sweepTmpl = template.Must(template.New("sweep").Parse(sweepTemplate))

type sweepCell struct {
	Text, Raw string
	Class     string
}

type sweepRowHTML struct {
	N      int
	Params []string
	Cells  []sweepCell
}

type sweepHTML struct {
	Title, RunDate, Range, Cash, Elapsed string
	Run                                  Run
	Axes                                 []SweepAxis
	Fixed                                []kv
	Rank, RankName, Direction            string
	Heatmap                              *figureHTML
	HeatNote                             string
	AxisNames                            []string
	Columns                              []Convention
	Rows                                 []sweepRowHTML
	Shown, Ran, Combinations, Skipped    int
	SkipReason                           string
	Jobs                                 int
	Conventions                          []Convention
}

func writeSweepHTML(w io.Writer, s Sweep) error {
	rm, _ := metricOf(s.Rank)
	d := sweepHTML{
		Title:        "Parameter sweep: " + orDefault(s.Run.Strategy, "strategy"),
		RunDate:      "—",
		Range:        fmtRange(s.Run.Start, s.Run.End),
		Cash:         formatMoney(s.Run.Cash),
		Run:          s.Run,
		Axes:         s.Axes,
		Rank:         s.Rank,
		RankName:     rm.Name,
		Direction:    RankDirection(s.Rank).String(),
		AxisNames:    s.axisNames(),
		Ran:          len(s.Rows),
		Combinations: s.Combinations,
		Skipped:      s.Skipped,
		SkipReason:   s.SkipReason,
		Jobs:         s.Jobs,
		Conventions:  general,
	}
	if len(s.Run.Symbols) > 0 {
		d.Title += " on " + joinCapped(s.Run.Symbols, 5)
	}
	if !s.Run.RunDate.IsZero() {
		d.RunDate = s.Run.RunDate.Format("2006-01-02 15:04 MST")
	}
	if s.Elapsed > 0 {
		d.Elapsed = s.Elapsed.Round(time.Millisecond).String()
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range s.Run.Params {
			if !yield(k) {
				return
			}
		}
	}) {
		d.Fixed = append(d.Fixed, kv{k, s.Run.Params[k]})
	}
	cols := s.columns()
	for _, m := range cols {
		d.Columns = append(d.Columns, m.Convention)
		d.Conventions = append(d.Conventions, m.Convention)
	}
	order := Rank(s.Rows, s.Rank)
	if len(order) > s.top() {
		order = order[:s.top()]
	}
	d.Shown = len(order)
	for n, i := range order {
		r := &s.Rows[i]
		row := sweepRowHTML{N: n + 1}
		for _, a := range d.AxisNames {
			row.Params = append(row.Params, r.Params[a])
		}
		for _, m := range cols {
			v := m.get(&r.Stats)
			c := sweepCell{Text: m.format(v), Raw: rawValue(v)}
			if f, ok := v.(float64); ok && f < 0 {
				c.Class = "num-neg"
			}
			row.Cells = append(row.Cells, c)
		}
		d.Rows = append(d.Rows, row)
	}
	if fig, note, err := sweepHeatmap(s); err != nil {
		return err
	} else if fig != nil {
		d.Heatmap = &figureHTML{ID: fig.ID, Title: fig.Title, Caption: fig.Caption, SVG: template.HTML(fig.SVG)}
		d.HeatNote = note
	}
	if err := sweepTmpl.Execute(w, d); err != nil {
		return fmt.Errorf("render sweep html: %w", err)
	}
	return nil
}

// heatGrid is the ranked statistic over the first two axes, at index coordinates so that
// uneven value lists draw as even cells.
type heatGrid struct {
	cols, rows int
	z          []float64 // z[r*cols+c]
}

func (g heatGrid) Dims() (int, int)      { return g.cols, g.rows }
func (g heatGrid) Z(c, r int) float64    { return g.z[r*g.cols+c] }
func (g heatGrid) X(c int) float64       { return float64(c) }
func (g heatGrid) Y(r int) float64       { return float64(r) }
func (g heatGrid) cell(c, r int) float64 { return g.z[r*g.cols+c] }

// heatValues reduces the rows to one value per cell of the first two axes: the best over any
// further axes (NaN for a cell whose combinations were all skipped).
func heatValues(s Sweep) (heatGrid, bool) {
	if len(s.Axes) == 0 {
		return heatGrid{}, false
	}
	x := s.Axes[0]
	y := SweepAxis{Values: []string{""}}
	if len(s.Axes) > 1 {
		y = s.Axes[1]
	}
	g := heatGrid{cols: len(x.Values), rows: len(y.Values), z: make([]float64, len(x.Values)*len(y.Values))}
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
		v, _ := r.Stats.Value(s.Rank)
		k := rr*g.cols + c
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
		return nil, "", nil
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
	if g.cols*g.rows <= maxHeatLabels {
		var lx plotter.XYLabels
		for r := range g.rows {
			for c := range g.cols {
				v := g.cell(c, r)
				if math.IsNaN(v) {
					continue
				}
				lx.XYs = append(lx.XYs, plotter.XY{X: float64(c), Y: float64(r)})
				lx.Labels = append(lx.Labels, m.format(v))
			}
		}
		if len(lx.Labels) > 0 {
			labels, err := plotter.NewLabels(lx)
			if err != nil {
				return nil, "", fmt.Errorf("plot heatmap: %w", err)
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
	c := vgsvg.New(plotW, h)
	dc := draw.New(c)
	const barW = 1.3 * vg.Inch
	p.Draw(draw.Crop(dc, 0, -barW, 0, 0))
	bar.Draw(draw.Crop(dc, plotW-barW+0.25*vg.Inch, 0, 0.45*vg.Inch, -0.3*vg.Inch))
	svg, err := svgString(c)
	if err != nil {
		return nil, "", fmt.Errorf("plot heatmap: %w", err)
	}
	caption := fmt.Sprintf("%s of each combination (%s: green is better); grey cells were skipped as invalid.", m.Name, RankDirection(s.Rank))
	note := ""
	if len(s.Axes) > 2 {
		var rest []string
		for _, a := range s.Axes[2:] {
			rest = append(rest, a.Name)
		}
		note = fmt.Sprintf("Each cell shows the best value over %s.", strings.Join(rest, ", "))
	}
	return &Figure{ID: "heatmap", Title: title, Caption: caption, SVG: svg}, note, nil
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
