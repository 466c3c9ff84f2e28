package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

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
	Thin   bool // fewer trades than --min-trades: shown only when no run made them
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
	NoTrade, FewTrades, MinTrades        int
	ThinOnly                             bool
	Warning                              string
	Jobs                                 int
	Conventions                          []Convention
	Overfit                              []string // summary.json in plain words
}

// dailyTimeframe says a run's timeframe is daily or longer, whose times every output shows as
// New York dates (an unparsable or empty one is not).
func dailyTimeframe(tf string) bool {
	t, err := data.ParseTimeframe(tf)
	return err == nil && t.Valid() && !t.Intraday()
}

func writeSweepHTML(w io.Writer, s Sweep) error { return writeSweepPage(w, s, s.Summary()) }

// writeSweepPage is writeSweepHTML with the summary already computed (the PBO is not free).
func writeSweepPage(w io.Writer, s Sweep, sum SweepSummary) error {
	rm, _ := metricOf(s.Rank)
	d := sweepHTML{
		Title:        "Parameter sweep: " + orDefault(s.Run.Strategy, "strategy"),
		RunDate:      pageRunDate(s.Run.RunDate),
		Range:        fmtRangeIn(s.Run.Start, s.Run.End, dailyTimeframe(s.Run.Timeframe)),
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
		MinTrades:    s.MinTrades,
		Warning:      s.warning(),
		Jobs:         s.Jobs,
		Conventions:  general,
		Overfit:      sum.sentences(s),
	}
	if len(s.Run.Symbols) > 0 {
		d.Title += " on " + joinCapped(s.Run.Symbols, 5)
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
	d.Conventions = append(d.Conventions, overfitConventions...)
	_, d.FewTrades, d.NoTrade = s.counts()
	order, thin := s.shown()
	d.Shown, d.ThinOnly = len(order), thin
	for n, i := range order {
		r := &s.Rows[i]
		row := sweepRowHTML{N: n + 1, Thin: thin}
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
		d.Heatmap = &figureHTML{ID: fig.ID, Title: fig.Title, Caption: fig.Caption, SVG: template.HTML(fig.SVG), Narrow: template.HTML(fig.Narrow)}
		d.HeatNote = note
	}
	if err := sweepTmpl.Execute(w, d); err != nil {
		return fmt.Errorf("render sweep html: %w", err)
	}
	return nil
}

// pageRunDate is when a sweep or walk-forward ran, as its page's header shows it: to the
// minute, a dash when not recorded.
func pageRunDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04 MST")
}
