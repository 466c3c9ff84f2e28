package files

import (
	"context"
	"slices"
	"sync"

	"github.com/barkeep-trading/barkeep/data"
)

// memStore is the smallest writer and reader for these tests; the real stores are tested end to end
// through the fetch command.
type memStore struct {
	mu     sync.Mutex
	bars   map[data.Series]map[int64]data.Bar
	cov    map[data.Series]data.Ranges
	feeds  map[data.Series]string
	writes int
}

func newMemStore() *memStore {
	return &memStore{bars: map[data.Series]map[int64]data.Bar{}, cov: map[data.Series]data.Ranges{}, feeds: map[data.Series]string{}}
}

func (m *memStore) Write(_ context.Context, b data.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for _, bar := range b.Bars {
		if err := bar.Validate(); err != nil {
			return err
		}
		s := data.Series{Symbol: bar.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}
		if m.bars[s] == nil {
			m.bars[s] = map[int64]data.Bar{}
		}
		m.bars[s][bar.Time.UnixNano()] = bar
		m.feeds[s] = b.Feed
	}
	for _, sp := range b.Covered {
		s := data.Series{Symbol: sp.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}
		m.cov[s] = m.cov[s].Add(sp.Range)
	}
	return nil
}

func (m *memStore) Coverage(_ context.Context, s data.Series) (data.Ranges, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Adjustment, s.Feed = s.Adjustment.Norm(), "" // series are kept without their feed here
	return slices.Clone(m.cov[s]), nil
}

func (m *memStore) Read(_ context.Context, q data.Query) (data.BarIterator, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []data.Bar
	for s, bars := range m.bars {
		if s.Timeframe != q.Timeframe || s.Adjustment != q.Adjustment.Norm() || len(q.Symbols) > 0 && !slices.Contains(q.Symbols, s.Symbol) {
			continue
		}
		for _, b := range bars {
			if (q.Start.IsZero() || !b.Time.Before(q.Start)) && (q.End.IsZero() || b.Time.Before(q.End)) {
				out = append(out, b)
			}
		}
	}
	slices.SortFunc(out, func(a, b data.Bar) int {
		if data.Less(&a, &b) {
			return -1
		}
		if data.Less(&b, &a) {
			return 1
		}
		return 0
	})
	return data.NewSliceIterator(out), nil
}

func (m *memStore) all(q data.Query) []data.Bar {
	it, _ := m.Read(context.Background(), q)
	bars, _ := data.Collect(it)
	return bars
}
