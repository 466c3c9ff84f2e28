package fetch

import (
	"context"
	"fmt"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// Listing describes one stored series: what `fetch --list` prints. Its JSON keys are stable,
// for scripts.
type Listing struct {
	Symbol     string          `json:"symbol"`
	Timeframe  data.Timeframe  `json:"timeframe"`
	Adjustment data.Adjustment `json:"adjustment"`
	Feed       string          `json:"feed"` // part of the series' identity, as the adjustment is
	Bars       int64           `json:"bars"`
	First      *time.Time      `json:"first_bar"` // open time, UTC; null without bars
	Last       *time.Time      `json:"last_bar"`
	// FetchedAt is when the series was last fetched, by the data server's clock; null when
	// the store does not know (written before it was recorded, or from a source without a
	// clock, such as files).
	FetchedAt *time.Time `json:"fetched_at"`
	Covered   []Span     `json:"covered"` // ranges fetched completely, half-open, in order
	// MissingDays are the days inside Covered without a single bar, as YYYY-MM-DD in New York:
	// trading days for stocks, every day for crypto pairs. A day counts when the time its first
	// bar would open (09:30 New York for intraday stock bars, midnight otherwise) is covered.
	// Always empty for 1Week and longer timeframes, whose bars span many days.
	MissingDays []string `json:"missing_days"`
}

// Span is a half-open covered range.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Lister is what List needs of a store: its series, their coverage and their bars.
type Lister interface {
	data.Reader
	Coverage(ctx context.Context, s data.Series) (data.Ranges, error)
}

// List describes every series of st, in the order st.Series gives them. Finding the days
// without bars reads every bar of the covered ranges once.
func List(ctx context.Context, st Lister) ([]Listing, error) {
	infos, err := st.Series(ctx)
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	out := make([]Listing, 0, len(infos))
	for _, info := range infos {
		s := info.Series
		s.Adjustment = s.Adjustment.Norm()
		l := Listing{Symbol: s.Symbol, Timeframe: s.Timeframe, Adjustment: s.Adjustment, Feed: info.Feed, Bars: info.Bars,
			Covered: []Span{}, MissingDays: []string{}}
		if info.Bars > 0 {
			first, last := info.First.UTC(), info.Last.UTC()
			l.First, l.Last = &first, &last
		}
		if !info.AsOf.IsZero() {
			at := info.AsOf.UTC()
			l.FetchedAt = &at
		}
		cov, err := st.Coverage(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("coverage of %s: %w", s, err)
		}
		for _, r := range cov {
			l.Covered = append(l.Covered, Span{Start: r.Start.UTC(), End: r.End.UTC()})
		}
		if len(cov) > 0 && (s.Timeframe.Intraday() || s.Timeframe.Unit == data.Day) {
			if l.MissingDays, err = missingDays(ctx, st, s, cov); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// missingDays lists the days of cov that have no bar of s.
func missingDays(ctx context.Context, st data.Reader, s data.Series, cov data.Ranges) ([]string, error) {
	it, err := st.Read(ctx, data.Query{Symbols: []string{s.Symbol}, Timeframe: s.Timeframe, Adjustment: s.Adjustment, Feed: s.Feed,
		Start: cov[0].Start, End: cov[len(cov)-1].End})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s, err)
	}
	have := map[[3]int]bool{}
	mark := func(b *data.Bar) {
		y, m, d := b.Time.In(calendar.NewYork).Date()
		have[[3]int{y, int(m), d}] = true
	}
	if bi, ok := it.(data.BatchIterator); ok {
		for batch := bi.NextBatch(); len(batch) > 0; batch = bi.NextBatch() {
			for i := range batch {
				mark(&batch[i])
			}
		}
	} else {
		for it.Next() {
			b := it.Bar()
			mark(&b)
		}
	}
	err = it.Err()
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s, err)
	}
	crypto := data.IsCrypto(s.Symbol)
	out := []string{}
	for _, r := range cov {
		day, _ := calendar.DaySpan(r.Start)
		for ; day.Before(r.End); day = day.AddDate(0, 0, 1) {
			first := day
			if s.Timeframe.Intraday() && !crypto {
				first = day.Add(9*time.Hour + 30*time.Minute)
			}
			if !r.Contains(first) || !crypto && !calendar.IsTradingDay(day) {
				continue
			}
			y, m, d := day.Date()
			if !have[[3]int{y, int(m), d}] {
				out = append(out, day.Format(time.DateOnly))
			}
		}
	}
	return out, nil
}
