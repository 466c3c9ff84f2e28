package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// memStore is the smallest store that honours the contract: it checks the suite itself, which
// must pass on it, and it persists across "reopen" through a map keyed by path.
type memStore struct {
	mu     sync.Mutex
	state  *memState
	closed bool
}

type memState struct {
	bars map[data.Series]map[int64]data.Bar
	cov  map[data.Series]data.Ranges
	asof map[data.Series]time.Time
}

var (
	memMu    sync.Mutex
	memFiles = map[string]*memState{}
)

func openMem(t *testing.T, path string) data.Store {
	memMu.Lock()
	defer memMu.Unlock()
	st := memFiles[path]
	if st == nil {
		st = &memState{bars: map[data.Series]map[int64]data.Bar{}, cov: map[data.Series]data.Ranges{}, asof: map[data.Series]time.Time{}}
		memFiles[path] = st
	}
	return &memStore{state: st}
}

func (m *memStore) Write(_ context.Context, b data.Batch) error {
	if !b.Timeframe.Valid() {
		return fmt.Errorf("invalid timeframe %v", b.Timeframe)
	}
	for i := range b.Bars {
		if err := b.Bars[i].Validate(); err != nil {
			return err
		}
	}
	for _, sp := range b.Covered {
		if sp.Symbol == "" || sp.End.Before(sp.Start) {
			return errors.New("invalid span")
		}
	}
	memMu.Lock()
	defer memMu.Unlock()
	adj, feed := b.Adjustment.Norm(), data.NormFeed(b.Feed)
	series := func(sym string) data.Series {
		return data.Series{Symbol: sym, Timeframe: b.Timeframe, Adjustment: adj, Feed: feed}
	}
	touched := map[data.Series]bool{}
	for _, bar := range b.Bars {
		touched[series(bar.Symbol)] = true
	}
	for _, sp := range b.Covered {
		touched[series(sp.Symbol)] = true
	}
	for s := range touched {
		if b.Replace {
			delete(m.state.bars, s)
			delete(m.state.cov, s)
		}
		if !b.AsOf.IsZero() {
			m.state.asof[s] = b.AsOf.UTC()
		}
	}
	for _, bar := range b.Bars {
		s := series(bar.Symbol)
		if m.state.bars[s] == nil {
			m.state.bars[s] = map[int64]data.Bar{}
		}
		bar.Time = bar.Time.UTC()
		m.state.bars[s][bar.Time.UnixMicro()] = bar
	}
	for _, sp := range b.Covered {
		s := series(sp.Symbol)
		m.state.cov[s] = m.state.cov[s].Add(sp.Range)
	}
	return nil
}

// feedOf resolves an empty feed to the only one stored for the selection.
func (m *memStore) feedOf(tf data.Timeframe, adj data.Adjustment, feed string, syms []string) (string, error) {
	if feed != "" {
		return feed, nil
	}
	var feeds []string
	for _, mp := range []map[data.Series]bool{keys(m.state.bars), keys(m.state.cov)} {
		for s := range mp {
			if s.Timeframe == tf && s.Adjustment == adj.Norm() && (len(syms) == 0 || slices.Contains(syms, s.Symbol)) &&
				!slices.Contains(feeds, s.Feed) {
				feeds = append(feeds, s.Feed)
			}
		}
	}
	slices.Sort(feeds)
	switch len(feeds) {
	case 0:
		return "", nil
	case 1:
		return feeds[0], nil
	}
	return "", &data.SeveralFeedsError{What: tf.String(), Feeds: feeds}
}

func keys[V any](m map[data.Series]V) map[data.Series]bool {
	out := map[data.Series]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func (m *memStore) Coverage(_ context.Context, s data.Series) (data.Ranges, error) {
	memMu.Lock()
	defer memMu.Unlock()
	s.Adjustment = s.Adjustment.Norm()
	var err error
	if s.Feed, err = m.feedOf(s.Timeframe, s.Adjustment, s.Feed, []string{s.Symbol}); err != nil {
		return nil, err
	}
	return slices.Clone(m.state.cov[s]), nil
}

func (m *memStore) AsOf(_ context.Context, s data.Series) (time.Time, error) {
	memMu.Lock()
	defer memMu.Unlock()
	s.Adjustment = s.Adjustment.Norm()
	var err error
	if s.Feed, err = m.feedOf(s.Timeframe, s.Adjustment, s.Feed, []string{s.Symbol}); err != nil {
		return time.Time{}, err
	}
	return m.state.asof[s], nil
}

func (m *memStore) Read(_ context.Context, q data.Query) (data.BarIterator, error) {
	memMu.Lock()
	defer memMu.Unlock()
	feed, err := m.feedOf(q.Timeframe, q.Adjustment, q.Feed, q.Symbols)
	if err != nil {
		return nil, err
	}
	var out []data.Bar
	for s, bars := range m.state.bars {
		if s.Timeframe != q.Timeframe || s.Adjustment != q.Adjustment.Norm() || s.Feed != feed ||
			(len(q.Symbols) > 0 && !slices.Contains(q.Symbols, s.Symbol)) {
			continue
		}
		for _, b := range bars {
			if (q.Start.IsZero() || !b.Time.Before(q.Start)) && (q.End.IsZero() || b.Time.Before(q.End)) {
				out = append(out, b)
			}
		}
	}
	return data.NewSliceIterator(Sorted(out)), nil
}

func (m *memStore) Series(context.Context) ([]data.SeriesInfo, error) {
	memMu.Lock()
	defer memMu.Unlock()
	var out []data.SeriesInfo
	for s, bars := range m.state.bars {
		if len(bars) == 0 {
			continue
		}
		info := data.SeriesInfo{Series: s, Bars: int64(len(bars)), AsOf: m.state.asof[s]}
		for _, b := range bars {
			if info.First.IsZero() || b.Time.Before(info.First) {
				info.First = b.Time
			}
			if b.Time.After(info.Last) {
				info.Last = b.Time
			}
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b data.SeriesInfo) int {
		if d := a.Timeframe.Duration() - b.Timeframe.Duration(); d != 0 {
			return int(d / (d.Abs()))
		}
		if a.Adjustment != b.Adjustment {
			return map[bool]int{true: -1, false: 1}[a.Adjustment < b.Adjustment]
		}
		if a.Symbol != b.Symbol {
			return map[bool]int{true: -1, false: 1}[a.Symbol < b.Symbol]
		}
		return map[bool]int{true: -1, false: 1}[a.Feed < b.Feed]
	})
	return out, nil
}

func (m *memStore) Close() error { return nil }

func TestMemStoreConforms(t *testing.T) {
	Run(t, openMem)
	ConcurrentReadWhileWrite(t, openMem, SharedHandle|SeparateHandle|Sequential)
}

func TestBarsDeterministicAndValid(t *testing.T) {
	tests := []struct {
		sym  string
		n    int
		step int64
	}{{"AAPL", 1000, 60}, {"BRK.B", 10, 86400}, {"X", 1, 1}}
	for _, tc := range tests {
		a := Bars(tc.sym, Day0, tc.n, timeSeconds(tc.step))
		b := Bars(tc.sym, Day0, tc.n, timeSeconds(tc.step))
		Equal(t, tc.sym, a, b)
		for i := range a {
			if err := a[i].Validate(); err != nil {
				t.Fatalf("%s bar %d invalid: %v", tc.sym, i, err)
			}
			if i > 0 && !a[i].Time.Equal(a[i-1].Time.Add(timeSeconds(tc.step))) {
				t.Fatalf("%s bar %d at %s: not one step after the previous", tc.sym, i, a[i].Time)
			}
		}
	}
	if x, y := Bars("AAPL", Day0, 1, 60), Bars("MSFT", Day0, 1, 60); x[0].Open == y[0].Open {
		t.Fatalf("different symbols gave the same prices")
	}
}

func timeSeconds(s int64) time.Duration { return time.Duration(s) * time.Second }
