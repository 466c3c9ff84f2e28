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
	// Order holds the indices of Rows from best to worst by Rank, as
	// sweep.Rank(stats, RankBy(Rank)) gives them: the tables list its first Top.
	Order []int
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

// shown is the top of Order: the rows the tables list.
func (s Sweep) shown() []int {
	if len(s.Order) > s.top() {
		return s.Order[:s.top()]
	}
	return s.Order
}

// checkOrder reports an Order that is not a ranking of every row once.
func (s Sweep) checkOrder() error {
	if len(s.Order) != len(s.Rows) {
		return fmt.Errorf("%d rows ranked of %d", len(s.Order), len(s.Rows))
	}
	seen := make([]bool, len(s.Rows))
	for _, i := range s.Order {
		if i < 0 || i >= len(s.Rows) || seen[i] {
			return fmt.Errorf("order %v is not a ranking of %d rows", s.Order, len(s.Rows))
		}
		seen[i] = true
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
	if err := s.checkOrder(); err != nil {
		return fmt.Errorf("write sweep: %w", err)
	}
	return writeDirAtomic(ctx, dir, "sweep", SweepCSVFile, []namedFile{
		{SweepCSVFile, func(w io.Writer) error { return WriteSweepCSV(w, s) }},
		{SweepHTMLFile, func(w io.Writer) error { return writeSweepHTML(w, s) }},
	})
}
