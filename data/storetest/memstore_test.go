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
	bars  map[data.Series]map[int64]data.Bar
	cov   map[data.Series]data.Ranges
	feeds map[data.Series]string
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
		st = &memState{bars: map[data.Series]map[int64]data.Bar{}, cov: map[data.Series]data.Ranges{}, feeds: map[data.Series]string{}}
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
	adj := b.Adjustment.Norm()
	for _, bar := range b.Bars {
		s := data.Series{Symbol: bar.Symbol, Timeframe: b.Timeframe, Adjustment: adj}
		if m.state.bars[s] == nil {
			m.state.bars[s] = map[int64]data.Bar{}
		}
		bar.Time = bar.Time.UTC()
		m.state.bars[s][bar.Time.UnixMicro()] = bar
		m.state.feeds[s] = b.Feed
	}
	for _, sp := range b.Covered {
		s := data.Series{Symbol: sp.Symbol, Timeframe: b.Timeframe, Adjustment: adj}
		m.state.cov[s] = m.state.cov[s].Add(sp.Range)
	}
	return nil
}

func (m *memStore) Coverage(_ context.Context, s data.Series) (data.Ranges, error) {
	memMu.Lock()
	defer memMu.Unlock()
	s.Adjustment = s.Adjustment.Norm()
	return slices.Clone(m.state.cov[s]), nil
}

func (m *memStore) Read(_ context.Context, q data.Query) (data.BarIterator, error) {
	memMu.Lock()
	defer memMu.Unlock()
	var out []data.Bar
	for s, bars := range m.state.bars {
		if s.Timeframe != q.Timeframe || s.Adjustment != q.Adjustment.Norm() ||
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
		info := data.SeriesInfo{Series: s, Bars: int64(len(bars)), Feed: m.state.feeds[s]}
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
		return map[bool]int{true: -1, false: 1}[a.Symbol < b.Symbol]
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
