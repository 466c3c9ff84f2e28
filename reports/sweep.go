package reports

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Sweep file names inside a sweep directory.
const (
	SweepCSVFile  = "sweep.csv"
	SweepHTMLFile = "index.html"
)

// SweepAxis is one swept parameter and its values, in the order they were given.
type SweepAxis struct {
	Name   string
	Values []string
}

// SweepRow is one combination that ran: its complete parameters and its statistics.
type SweepRow struct {
	Params map[string]string
	Stats  Stats
	// Returns are the run's daily returns and Dates their dates (SweepScore's), for
	// daily_returns.csv and the overfitting figures of summary.json; nil when not kept.
	Returns []float64
	Dates   []time.Time
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
	// Order holds the indices of Rows from best to worst by Rank, the runs of enough trades
	// first, then those of fewer than MinTrades, then those that made none, as
	// sweep.RankGroups(stats, RankBy(Rank), SweepGroup(MinTrades)) gives them: the tables list
	// the first Top ranked runs.
	Order []int
	// MinTrades is the fewest closed trades a run needs to be ranked (--min-trades): a
	// statistic of a handful of trades is mostly luck, and the best of many such runs is the
	// luckiest.
	MinTrades int
	// Combinations counts every combination of the axes, Skipped those the strategy rejected
	// (SkipReason is the first rejection, as an example).
	Combinations, Skipped int
	SkipReason            string
	Rank                  string // the statistic ranked by, a key of the metrics table
	Top                   int    // rows in the HTML and terminal tables; 20 when zero
	Jobs                  int    // runs in parallel, for the record
	Elapsed               time.Duration
	// NoHTML leaves index.html out (--no-html): sweep.csv, summary.json and daily_returns.csv
	// alone are written.
	NoHTML bool
	// RiskFreeDaily is rf_d, subtracted from the daily returns by every Sharpe ratio of
	// summary.json; PBOBlocks is S of its PBO (DefaultPBOBlocks when zero).
	RiskFreeDaily float64
	PBOBlocks     int
}

// SweepStatus says whether a run is ranked, and why not.
type SweepStatus uint8

const (
	Ranked    SweepStatus = iota // it made at least MinTrades closed trades
	FewTrades                    // it traded, but fewer than MinTrades closed trades: left out of the ranking
	NoTrade                      // it made no trade at all: it ran, and was not invalid, but says nothing
)

// String is the status as sweep.csv's status column writes it.
func (st SweepStatus) String() string {
	switch st {
	case Ranked:
		return "ranked"
	case FewTrades:
		return "few_trades"
	case NoTrade:
		return "no_trade"
	}
	return "unknown"
}

// StatusOf is the status of a run's statistics when ranking needs minTrades closed trades. A
// run holding a position it never closed traded.
func StatusOf(st *Stats, minTrades int) SweepStatus {
	switch {
	case st.Trades == 0 && st.OpenTrades == 0:
		return NoTrade
	case st.Trades < minTrades:
		return FewTrades
	}
	return Ranked
}

// SweepGroup is the group function sweep.RankGroups takes: ranked runs, then thin ones, then
// those with no trade.
func SweepGroup(minTrades int) func(*Stats) int {
	return func(st *Stats) int { return int(StatusOf(st, minTrades)) }
}

func (s Sweep) status(i int) SweepStatus { return StatusOf(&s.Rows[i].Stats, s.MinTrades) }

// counts are how many runs are ranked, thin and without trade.
func (s Sweep) counts() (ranked, few, none int) {
	for i := range s.Rows {
		switch s.status(i) {
		case Ranked:
			ranked++
		case FewTrades:
			few++
		default:
			none++
		}
	}
	return ranked, few, none
}

// fewTrades is the count of trades under which a best row earns a warning: the default of
// --min-trades, below which a Sharpe ratio or a win rate is mostly noise.
const fewTrades = 30

func (s Sweep) top() int {
	if s.Top <= 0 {
		return 20
	}
	return s.Top
}

// shown is the top of the ranked runs in Order: the rows the tables list. When no run made
// MinTrades trades, it is the top of the thin ones instead, and thin says so: something to
// look at, flagged, rather than an empty table.
func (s Sweep) shown() (rows []int, thin bool) {
	want := Ranked
	if ranked, few, _ := s.counts(); ranked == 0 && few > 0 {
		want, thin = FewTrades, true
	}
	for _, i := range s.Order {
		if s.status(i) == want && len(rows) < s.top() {
			rows = append(rows, i)
		}
	}
	return rows, thin
}

// warning is what the tables say when the best row shown rests on few trades, or "".
func (s Sweep) warning() string {
	rows, thin := s.shown()
	if len(rows) == 0 {
		return ""
	}
	n := s.Rows[rows[0]].Stats.Trades
	switch {
	case thin:
		return fmt.Sprintf("No combination made %d trades (--min-trades): these rows are the best of the thin results, not a ranking. The best rests on %d trades, too few to tell skill from luck.", s.MinTrades, n)
	case n < fewTrades:
		return fmt.Sprintf("The best row rests on %d trades: too few to tell skill from luck (raise --min-trades to rank only runs with more).", n)
	}
	return ""
}

// checkOrder reports an Order that is not a ranking of every row once.
func (s Sweep) checkOrder() error {
	if len(s.Order) != len(s.Rows) {
		return fmt.Errorf("%d rows ranked of %d", len(s.Order), len(s.Rows))
	}
	seen := make([]bool, len(s.Rows))
	last := Ranked
	for _, i := range s.Order {
		if i < 0 || i >= len(s.Rows) || seen[i] {
			return fmt.Errorf("order %v is not a ranking of %d rows", s.Order, len(s.Rows))
		}
		seen[i] = true
		// Thin runs and runs without trade follow the ranked ones, never among them.
		st := s.status(i)
		if st < last {
			return fmt.Errorf("order ranks a run of %s among those of %s (min trades %d)", st, last, s.MinTrades)
		}
		last = st
	}
	return nil
}

// WriteSweepDir writes sweep.csv, summary.json, daily_returns.csv and index.html (unless
// s.NoHTML) into dir, atomically as WriteDir does: into a
// temporary directory beside dir, swapped in with one rename. An existing dir is replaced only
// if it is empty or holds a previous sweep (a sweep.csv).
func WriteSweepDir(ctx context.Context, dir string, s Sweep) error {
	if err := CheckRank(s.Rank); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	if err := s.checkOrder(); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	sum := s.Summary()
	files := []namedFile{{SweepCSVFile, func(w io.Writer) error { return WriteSweepCSV(w, s) }},
		{SweepSummaryFile, func(w io.Writer) error { return writeSweepSummary(w, sum) }},
		{DailyReturnsFile, func(w io.Writer) error { return writeDailyReturnsCSV(w, s) }}}
	if !s.NoHTML {
		files = append(files, namedFile{SweepHTMLFile, func(w io.Writer) error { return writeSweepPage(w, s, sum) }})
	}
	return writeDirAtomic(ctx, dir, "sweep", SweepCSVFile, files)
}
