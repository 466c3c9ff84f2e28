package fetch

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// lister makes memStore, which keeps no feeds, a Lister whose series come from feed "test"
// and were fetched at fetchedAt.
type lister struct{ *memStore }

var fetchedAt = time.Date(2024, 2, 2, 12, 0, 0, 0, time.UTC)

func (l lister) Coverage(ctx context.Context, s data.Series) (data.Ranges, error) {
	if s.Feed != "test" {
		return nil, nil
	}
	s.Feed = ""
	return l.memStore.Coverage(ctx, s)
}

func (m *memStore) Read(_ context.Context, q data.Query) (data.BarIterator, error) {
	var out []data.Bar
	for s := range m.bars {
		if s.Timeframe == q.Timeframe && s.Adjustment == q.Adjustment.Norm() && (len(q.Symbols) == 0 || slices.Contains(q.Symbols, s.Symbol)) {
			for _, b := range m.all(s) {
				if !b.Time.Before(q.Start) && b.Time.Before(q.End) {
					out = append(out, b)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b data.Bar) int { return a.Time.Compare(b.Time) })
	return data.NewSliceIterator(out), nil
}

func (m *memStore) Series(context.Context) ([]data.SeriesInfo, error) {
	var out []data.SeriesInfo
	for s := range m.cov {
		bars := m.all(s)
		info := data.SeriesInfo{Series: s, Bars: int64(len(bars)), AsOf: fetchedAt}
		info.Feed = "test"
		if len(bars) > 0 {
			info.First, info.Last = bars[0].Time, bars[len(bars)-1].Time
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b data.SeriesInfo) int { return strings.Compare(a.Symbol, b.Symbol) })
	return out, nil
}

func TestList(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	plan := Plan{Symbols: []string{"AAPL", "BTC/USD"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 1, 1), End: ny(2024, 1, 13)}
	if _, err := Run(ctx, &hourly{pageSize: 100}, st, plan, nil); err != nil {
		t.Fatal(err)
	}
	// Take away every bar of Monday January 8th, and BTC/USD's of Saturday the 6th: a day
	// without bars for a crypto pair, which trades every day.
	for s, bars := range st.bars {
		for tm := range bars {
			d := tm.In(calendar.NewYork).Day()
			if d == 8 || s.Symbol == "BTC/USD" && d == 6 {
				delete(bars, tm)
			}
		}
	}
	// A second, later range leaves a hole in the coverage.
	if _, err := Run(ctx, &hourly{pageSize: 100}, st, Plan{Symbols: []string{"AAPL"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 2, 1), End: ny(2024, 2, 2)}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := List(ctx, lister{st})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Symbol != "AAPL" || got[1].Symbol != "BTC/USD" {
		t.Fatalf("listing %+v", got)
	}
	aapl, btc := got[0], got[1]
	if !slices.Equal(aapl.MissingDays, []string{"2024-01-08"}) || !slices.Equal(btc.MissingDays, []string{"2024-01-06", "2024-01-08"}) {
		t.Fatalf("missing days AAPL %v, BTC/USD %v", aapl.MissingDays, btc.MissingDays)
	}
	if len(aapl.Covered) != 2 || !aapl.Covered[1].Start.Equal(ny(2024, 2, 1)) || aapl.Bars != int64(len(st.all(data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw}))) {
		t.Fatalf("AAPL %+v", aapl)
	}
	if !aapl.First.Equal(ny(2024, 1, 1)) || !aapl.Last.Equal(ny(2024, 2, 2).Add(-time.Hour)) {
		t.Fatalf("AAPL first %v last %v", aapl.First, aapl.Last)
	}
	raw, err := json.Marshal(aapl)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"symbol":"AAPL"`, `"timeframe":"1Hour"`, `"adjustment":"raw"`, `"feed":"test"`, `"bars":`,
		`"first_bar":"2024-01-01T05:00:00Z"`, `"last_bar":`, `"fetched_at":"2024-02-02T12:00:00Z"`, `"covered":[{"start":"2024-01-01T05:00:00Z","end":"2024-01-13T05:00:00Z"}`, `"missing_days":["2024-01-08"]`} {
		if !strings.Contains(string(raw), key) {
			t.Fatalf("JSON %s lacks %s", raw, key)
		}
	}
}
