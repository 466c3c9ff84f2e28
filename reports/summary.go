package reports

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// Options tune Compute.
type Options struct {
	RiskFree  float64        // annual risk-free rate as a fraction (0.04 = 4%); 0 when unset
	Benchmark *engine.Result // optional run to compare against (buy and hold, say)
	// BenchmarkName labels the benchmark wherever it is shown (SPY, buyhold AAPL,MSFT); when
	// empty it is made from the benchmark Result's strategy and symbols (BenchmarkLabel).
	BenchmarkName string
	Version       string    // barkeep version, for the record
	RunDate       time.Time // when the backtest ran, for the record; Compute does not read the clock
	// Journal holds the run's trades and fills when it ran with engine.RunRecorded (its Result
	// then has none); WriteDir reads the trades from it too. Nil for a Result that has them.
	Journal *Journal
}

// Run is what the report records about the run it describes.
type Run struct {
	Strategy  string            `json:"strategy"`
	Params    map[string]string `json:"params"`
	Symbols   []string          `json:"symbols"`
	Timeframe string            `json:"timeframe"`
	// FillTimeframe is the finer series orders filled on (--fill-tf), "" when none.
	FillTimeframe string    `json:"fill_timeframe,omitempty"`
	Start         time.Time `json:"start"` // the requested range, half-open
	End           time.Time `json:"end"`
	Store         string    `json:"store"`
	Feed          string    `json:"feed"`
	Adjustment    string    `json:"adjustment"`
	Cash          float64   `json:"cash"`
	Bars          int64     `json:"bars"`
	Version       string    `json:"version"`
	RunDate       time.Time `json:"run_date"`
	Benchmark     string    `json:"benchmark,omitempty"` // the benchmark's label: SPY, buyhold AAPL,MSFT
	// BenchmarkStrategy is the strategy the benchmark ran (buyhold).
	BenchmarkStrategy string `json:"benchmark_strategy,omitempty"`
}

// YearRow is one year of the monthly returns table. A month without equity points is NaN.
type YearRow struct {
	Year   int
	Months [12]float64
	Total  float64
}

// YearlyReturn is one year of the strategy and the benchmark (NaN when there is none).
type YearlyReturn struct {
	Year      int
	Strategy  float64
	Benchmark float64
}

// Summary is everything the report shows that is computed rather than copied from the Result
// (and, for a recorded run, the Journal the trades are read from).
type Summary struct {
	Run         Run
	Strategy    Stats
	Benchmark   *Stats // nil without a benchmark
	Monthly     []YearRow
	Yearly      []YearlyReturn
	Conventions []Convention
	// Costs are the cost assumptions of the run; BenchmarkCosts those of the benchmark (nil
	// without one), read from its own Config rather than assumed to be the same.
	Costs          CostAssumptions
	BenchmarkCosts *CostAssumptions
	// AnnualisationDays is A, the daily figures a year: TradingDays, or CryptoDays when every
	// symbol is a crypto pair.
	AnnualisationDays float64
	// Dates is set for runs of daily and longer bars, whose times are shown as New York dates.
	Dates bool
	// CI holds the bootstrap intervals of the headline figures (AddIntervals); nil without
	// --bootstrap.
	CI *Intervals

	riskFree float64
	strat    daily
	bench    *daily
	benchEq  []engine.EquityPoint
	journal  *Journal
}

// Compute derives the statistics of r, and of o.Benchmark beside them. It reads every equity
// point, so it is linear in the length of the curve.
func Compute(r *engine.Result, o Options) (Summary, error) {
	if r == nil {
		return Summary{}, errors.New("compute report: nil result")
	}
	if err := checkCurve(r.Equity); err != nil {
		return Summary{}, fmt.Errorf("compute report: %w", err)
	}
	if err := checkStart(r); err != nil {
		return Summary{}, fmt.Errorf("compute report: %w", err)
	}
	tf := r.Config.Provenance.Timeframe
	s := Summary{
		Run:         runOf(r, o),
		Conventions: Conventions(),
		riskFree:    o.RiskFree,
		strat:       resampleResult(r),
		journal:     o.Journal,
		Dates:       tf.Valid() && !tf.Intraday(),
	}
	s.AnnualisationDays = s.strat.ann
	if j := o.Journal; j != nil {
		if err := j.Err(); err != nil {
			return Summary{}, fmt.Errorf("compute report: %w", err)
		}
		s.Strategy = computeStatsOf(r, s.strat, o.RiskFree, &j.trades, &j.fills)
	} else {
		s.Strategy = computeStats(r, s.strat, o.RiskFree)
	}
	s.Costs = costAssumptions(r.Config, s.Strategy.Start, s.Strategy.End)
	if b := o.Benchmark; b != nil {
		if err := checkCurve(b.Equity); err != nil {
			return Summary{}, fmt.Errorf("compute report: benchmark: %w", err)
		}
		if err := checkStart(b); err != nil {
			return Summary{}, fmt.Errorf("compute report: benchmark: %w", err)
		}
		bd := resampleResult(b)
		bs := computeStats(b, bd, o.RiskFree)
		bs.Alpha, bs.Beta = alphaBeta(bd, bd, o.RiskFree)
		s.Strategy.Alpha, s.Strategy.Beta = alphaBeta(s.strat, bd, o.RiskFree)
		s.Benchmark, s.bench, s.benchEq = &bs, &bd, b.Equity
		s.Run.Benchmark = o.BenchmarkName
		if s.Run.Benchmark == "" {
			s.Run.Benchmark = BenchmarkLabel(b)
		}
		s.Run.BenchmarkStrategy = b.Config.Strategy
		bc := costAssumptions(b.Config, bs.Start, bs.End)
		s.BenchmarkCosts = &bc
	}
	s.Monthly = monthly(r.Equity, s.strat)
	s.Yearly = yearly(r.Equity, s.strat, o.Benchmark, s.bench)
	return s, nil
}

// BenchmarkLabel names a benchmark run for what it is: the symbol it holds (SPY), or its
// strategy and symbols (buyhold AAPL,MSFT).
func BenchmarkLabel(b *engine.Result) string {
	syms, name := b.Config.Provenance.Symbols, b.Config.Strategy
	switch {
	case len(syms) == 1 && (name == "" || name == "buyhold"):
		return syms[0]
	case len(syms) > 0:
		return orDefault(name, "benchmark") + " " + strings.Join(syms, ",")
	}
	return orDefault(name, "benchmark")
}

// checkStart rejects a start equity no return can be measured from.
func checkStart(r *engine.Result) error {
	if len(r.Equity) == 0 {
		return nil
	}
	if v := startEquity(r); !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("start equity %v is not positive", v)
	}
	return nil
}

// checkCurve rejects curves the statistics would silently get wrong.
func checkCurve(eq []engine.EquityPoint) error {
	for i, p := range eq {
		if math.IsNaN(p.Equity()) || math.IsInf(p.Equity(), 0) {
			return fmt.Errorf("equity point %d at %s is %v", i, p.Time().Format(time.RFC3339), p.Equity())
		}
		if i > 0 && p.Time().Before(eq[i-1].Time()) {
			return fmt.Errorf("equity point %d at %s is before the previous one", i, p.Time().Format(time.RFC3339))
		}
	}
	return nil
}

// isMidnightNY says t is a New York midnight, the exclusive end a day-inclusive --end becomes.
func isMidnightNY(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	h, m, sec := t.In(nyLoc).Clock()
	return h == 0 && m == 0 && sec == 0 && t.Nanosecond() == 0
}

func runOf(r *engine.Result, o Options) Run {
	c := r.Config
	p := c.Provenance
	run := Run{
		Strategy:   c.Strategy,
		Params:     maps.Clone(c.Params),
		Symbols:    slices.Clone(p.Symbols),
		Store:      p.Store,
		Feed:       p.Feed,
		Adjustment: string(p.Adjustment),
		Start:      p.Start,
		End:        p.End,
		Cash:       c.Cash,
		Bars:       r.Bars,
		Version:    o.Version,
		RunDate:    o.RunDate,
	}
	if p.Timeframe.Valid() {
		run.Timeframe = p.Timeframe.String()
	}
	if p.FillTimeframe.Valid() {
		run.FillTimeframe = p.FillTimeframe.String()
	}
	if run.Start.IsZero() {
		run.Start, run.End = r.Start, r.End
	} else if tf := p.Timeframe; tf.Valid() && !tf.Intraday() && isMidnightNY(run.End) {
		// A daily run's range is shown as dates, which read as inclusive: the selection's
		// exclusive end (the midnight after --end's day) would name a day the run never saw.
		run.End = run.End.In(nyLoc).AddDate(0, 0, -1)
	}
	if run.Params == nil {
		run.Params = map[string]string{}
	}
	if run.Symbols == nil {
		run.Symbols = []string{}
	}
	return run
}

// periodEnds returns the equity at the last point of each (year, month) or year, keyed in
// time order, reading the daily closes.
type periodEnd struct {
	year  int
	month time.Month // 0 for a year
	eq    float64
}

func periodEnds(d daily, byMonth bool) []periodEnd {
	var out []periodEnd
	for _, c := range d.closes {
		y, m, _ := c.date.Date()
		if !byMonth {
			m = 0
		}
		if n := len(out); n > 0 && out[n-1].year == y && out[n-1].month == m {
			out[n-1].eq = c.equity
			continue
		}
		out = append(out, periodEnd{y, m, c.equity})
	}
	return out
}

// monthly returns month-end over previous month-end equity, the first month measured from the
// first equity point; the year total compounds the same way from year-end to year-end.
func monthly(eq []engine.EquityPoint, d daily) []YearRow {
	if len(eq) == 0 {
		return nil
	}
	var rows []YearRow
	index := map[int]int{} // year → row; years arrive in order, twice (months, then totals)
	row := func(y int) *YearRow {
		if i, ok := index[y]; ok {
			return &rows[i]
		}
		r := YearRow{Year: y}
		for i := range r.Months {
			r.Months[i] = math.NaN()
		}
		index[y] = len(rows)
		rows = append(rows, r)
		return &rows[len(rows)-1]
	}
	prev := d.base
	for _, p := range periodEnds(d, true) {
		row(p.year).Months[p.month-1] = p.eq/prev - 1
		prev = p.eq
	}
	prev = d.base
	for _, p := range periodEnds(d, false) {
		row(p.year).Total = p.eq/prev - 1
		prev = p.eq
	}
	return rows
}

func yearReturns(eq []engine.EquityPoint, d daily) map[int]float64 {
	out := map[int]float64{}
	if len(eq) == 0 {
		return out
	}
	prev := d.base
	for _, p := range periodEnds(d, false) {
		out[p.year] = p.eq/prev - 1
		prev = p.eq
	}
	return out
}

func yearly(eq []engine.EquityPoint, d daily, b *engine.Result, bd *daily) []YearlyReturn {
	sy := yearReturns(eq, d)
	by := map[int]float64{}
	if b != nil {
		by = yearReturns(b.Equity, *bd)
	}
	years := slices.Sorted(maps.Keys(sy))
	for y := range by {
		if _, ok := sy[y]; !ok {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	out := make([]YearlyReturn, 0, len(years))
	for _, y := range years {
		r := YearlyReturn{Year: y, Strategy: math.NaN(), Benchmark: math.NaN()}
		if v, ok := sy[y]; ok {
			r.Strategy = v
		}
		if v, ok := by[y]; ok {
			r.Benchmark = v
		}
		out = append(out, r)
	}
	return out
}
