package reports

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// DailyReturnsFile holds every combination's daily returns, so that anyone can recompute the
// Deflated Sharpe Ratio and the PBO of summary.json.
const DailyReturnsFile = "daily_returns.csv"

// SweepScore is what a sweep keeps of one run: its statistics, and the daily returns they
// were computed from, for the sweep's overfitting figures.
type SweepScore struct {
	Stats Stats
	// Returns are the daily returns r, one a date of Dates; Dates is shared with every run
	// scored with the same dates, so that a sweep holds them once.
	Returns []float64
	Dates   []time.Time
	// RiskFreeDaily is rf_d, the daily risk-free rate the Sharpe ratio subtracts.
	RiskFreeDaily float64
}

// Score is Stats keeping the daily returns too, as sweep.Execute takes it. It is safe for
// concurrent use.
func (sc *Scorer) Score(r *engine.Result) (SweepScore, error) {
	s, d, err := sc.score(r)
	if err != nil {
		return SweepScore{}, err
	}
	sc.mu.Lock()
	switch {
	case sc.dates == nil:
		sc.dates = d.dates
	case datesEqual(sc.dates, d.dates):
		d.dates = sc.dates
	}
	sc.mu.Unlock()
	return SweepScore{Stats: s, Returns: d.rets, Dates: d.dates, RiskFreeDaily: dailyRiskFree(sc.rf, d.ann)}, nil
}

// ScoreStats is the statistics of each score, for ranking.
func ScoreStats(scores []SweepScore) []Stats {
	out := make([]Stats, len(scores))
	for i := range scores {
		out[i] = scores[i].Stats
	}
	return out
}

// comboLabel names a combination in daily_returns.csv by its swept parameters, in the order
// of the axes ("fast=10 slow=50"): the k-th column after the date is the k-th row of
// sweep.csv.
func (s Sweep) comboLabel(i int) string {
	var b strings.Builder
	for j, a := range s.axisNames() {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a + "=" + s.Rows[i].Params[a])
	}
	if b.Len() == 0 {
		return "run " + strconv.Itoa(i+1)
	}
	return b.String()
}

// returnDates is every date any row has a daily return on, in order: the rows' dates when
// they share them, their union otherwise.
func (s Sweep) returnDates() []time.Time {
	var out []time.Time
	shared := true
	for i := range s.Rows {
		d := s.Rows[i].Dates
		switch {
		case out == nil:
			out = d
		case !datesEqual(out, d):
			shared = false
		}
	}
	if shared {
		return out
	}
	var all []time.Time
	for i := range s.Rows {
		all = append(all, s.Rows[i].Dates...)
	}
	slices.SortFunc(all, time.Time.Compare)
	return slices.CompactFunc(all, time.Time.Equal)
}

// writeDailyReturnsCSV writes daily_returns.csv: the New York date, then one column per
// combination in the order of sweep.csv's rows, each return in full precision (the shortest
// decimal that parses back to the same float64), empty where a combination has no return on
// that date.
func writeDailyReturnsCSV(w io.Writer, s Sweep) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(s.Rows)+1)
	rec[0] = "date"
	for i := range s.Rows {
		rec[i+1] = s.comboLabel(i)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	dates := s.returnDates()
	pos := make([]int, len(s.Rows)) // the next return of each row
	for _, d := range dates {
		rec[0] = fmtWhen(d, true)
		for i := range s.Rows {
			r := &s.Rows[i]
			rec[i+1] = ""
			if p := pos[i]; p < len(r.Dates) && r.Dates[p].Equal(d) && p < len(r.Returns) {
				rec[i+1] = strconv.FormatFloat(r.Returns[p], 'g', -1, 64)
				pos[i]++
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
