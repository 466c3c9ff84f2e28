package fetch

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// memStore is an in-memory data.Writer for testing the fetch loop; the real stores are tested
// against the shared conformance suite in data/storetest.
type memStore struct {
	mu     sync.Mutex
	bars   map[data.Series]map[time.Time]data.Bar
	cov    map[data.Series]data.Ranges
	writes int
	failOn time.Time // fail any batch that covers this instant; zero never
	delay  time.Duration
	spans  int // spans written, over all batches
	// batches are all the batches written; series are keyed without their feed, the one feed
	// of the tests' sources.
	batches []data.Batch
}

func newMemStore() *memStore {
	return &memStore{bars: map[data.Series]map[time.Time]data.Bar{}, cov: map[data.Series]data.Ranges{}}
}

func (m *memStore) Write(ctx context.Context, b data.Batch) error {
	time.Sleep(m.delay)
	if err := ctx.Err(); err != nil { // as the real stores: a cancelled write is not applied
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	m.spans += len(b.Covered)
	m.batches = append(m.batches, b)
	for _, sp := range b.Covered {
		if !m.failOn.IsZero() && sp.Contains(m.failOn) {
			return errors.New("disk full")
		}
	}
	for _, bar := range b.Bars {
		s := data.Series{Symbol: bar.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}
		if m.bars[s] == nil {
			m.bars[s] = map[time.Time]data.Bar{}
		}
		m.bars[s][bar.Time] = bar
	}
	for _, sp := range b.Covered {
		s := data.Series{Symbol: sp.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}
		m.cov[s] = m.cov[s].Add(sp.Range)
	}
	return nil
}

func (m *memStore) Coverage(ctx context.Context, s data.Series) (data.Ranges, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Adjustment, s.Feed = s.Adjustment.Norm(), ""
	return m.cov[s], nil
}

func (m *memStore) all(s data.Series) []data.Bar {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Feed = ""
	var out []data.Bar
	for _, b := range m.bars[s] {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return data.Less(&out[i], &out[j]) })
	return out
}

// hourly yields one bar per hour on the hour, every day, for any symbol, in pages of pageSize,
// and counts requests. It returns one bar past the end, as an inclusive-end source would.
type hourly struct {
	pageSize int
	requests atomic.Int64
	failAt   int64 // the n-th request fails, 0 never
	block    chan struct{}
}

func (h *hourly) Feed() string { return "test" }

func hourBar(sym string, t time.Time) data.Bar {
	p := float64(t.Unix()%1000) + 10
	return data.Bar{Symbol: sym, Time: t, Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 100}
}

func (h *hourly) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		n := h.requests.Add(1)
		if h.block != nil {
			select {
			case <-h.block:
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			}
		}
		if n == h.failAt {
			yield(nil, errors.New("server said 500 too often"))
			return
		}
		for _, sym := range req.Symbols {
			var page []data.Bar
			for t := req.Start.Truncate(time.Hour); !t.After(req.End); t = t.Add(time.Hour) {
				if t.Before(req.Start) {
					continue
				}
				page = append(page, hourBar(sym, t))
				if len(page) == h.pageSize {
					if !yield(page, nil) {
						return
					}
					page = nil
				}
			}
			if len(page) > 0 && !yield(page, nil) {
				return
			}
		}
	}
}

func ny(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork).UTC()
}

func expectHourly(sym string, start, end time.Time) []data.Bar {
	var out []data.Bar
	for t := start; t.Before(end); t = t.Add(time.Hour) {
		out = append(out, hourBar(sym, t))
	}
	return out
}

func TestFetchCompleteAndRerun(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	src := &hourly{pageSize: 100}
	plan := Plan{
		Symbols: []string{"AAPL", "MSFT"}, Timeframes: []data.Timeframe{data.OneHour},
		Start: ny(2024, 1, 15), End: ny(2024, 3, 10), Concurrency: 3,
	}
	rep, err := Run(ctx, src, st, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Jan 15 - Feb 1, Feb, Mar 1 - Mar 10: three chunks per symbol.
	if rep.ChunksTotal != 6 || rep.ChunksDone != 6 {
		t.Fatalf("chunks %d/%d, want 6/6", rep.ChunksDone, rep.ChunksTotal)
	}
	for _, sym := range plan.Symbols {
		s := data.Series{Symbol: sym, Timeframe: data.OneHour, Adjustment: data.Raw}
		got := st.all(s)
		want := expectHourly(sym, plan.Start, plan.End)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %d bars want %d", sym, len(got), len(want))
		}
		cov, _ := st.Coverage(ctx, s)
		if cov.String() != (data.Ranges{{Start: plan.Start, End: plan.End}}).String() {
			t.Fatalf("%s coverage %v", sym, cov)
		}
	}
	if rep.Series[0].BarsAdded != int64(len(expectHourly("AAPL", plan.Start, plan.End))) {
		t.Fatalf("report bars %d", rep.Series[0].BarsAdded)
	}

	before := src.requests.Load()
	rep, err = Run(ctx, src, st, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := src.requests.Load() - before; n != 0 || rep.ChunksTotal != 0 {
		t.Fatalf("rerun made %d requests for %d chunks, want none", n, rep.ChunksTotal)
	}

	// Without a start, a rerun resumes after what is stored.
	later := plan
	later.Start = time.Time{}
	later.End = ny(2024, 3, 20)
	if _, err := Run(ctx, src, st, later, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := st.all(data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw}), expectHourly("AAPL", plan.Start, later.End); !reflect.DeepEqual(got, want) {
		t.Fatalf("after resume: %d bars want %d", len(got), len(want))
	}
}

func TestFetchFailureKeepsFinishedChunksAndRerunCompletes(t *testing.T) {
	ctx := context.Background()
	plan := Plan{Symbols: []string{"AAPL"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 1, 1), End: ny(2024, 6, 1)}
	march := ny(2024, 3, 10)
	for _, tc := range []struct {
		name    string
		srcFail int
		stFail  time.Time
	}{{"source", 3, time.Time{}}, {"store", 0, march}} {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore()
			st.failOn = tc.stFail
			src := &hourly{pageSize: 50, failAt: int64(tc.srcFail)}
			if _, err := Run(ctx, src, st, plan, nil); err == nil {
				t.Fatal("no error")
			}
			cov, _ := st.Coverage(ctx, data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw})
			if cov.Covers(data.Range{Start: plan.Start, End: plan.End}) || (tc.name == "store" && cov.Covers(data.Range{Start: march, End: march.Add(time.Hour)})) {
				t.Fatalf("coverage after failure %v claims the failed chunk", cov)
			}
			// Coverage never claims a bar that is not there.
			for _, r := range cov {
				for _, b := range expectHourly("AAPL", r.Start, r.End) {
					if _, ok := st.bars[data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw}][b.Time]; !ok {
						t.Fatalf("covered bar %v missing", b.Time)
					}
				}
			}
			st.failOn = time.Time{}
			src.failAt = 0
			if _, err := Run(ctx, src, st, plan, nil); err != nil {
				t.Fatal(err)
			}
			if got, want := st.all(data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw}), expectHourly("AAPL", plan.Start, plan.End); !reflect.DeepEqual(got, want) {
				t.Fatalf("after rerun: %d bars want %d", len(got), len(want))
			}
		})
	}
}

func TestFetchCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := newMemStore()
	src := &hourly{pageSize: 100, block: make(chan struct{})}
	plan := Plan{Symbols: []string{"AAPL"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 1, 1), End: ny(2024, 6, 1), Concurrency: 2}
	done := make(chan error)
	go func() {
		_, err := Run(ctx, src, st, plan, nil)
		done <- err
	}()
	for src.requests.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if st.writes != 0 {
		t.Fatalf("%d writes after cancel before any chunk finished", st.writes)
	}
}

func TestFetchProgressAndEmptyDays(t *testing.T) {
	st := newMemStore()
	src := &hourly{pageSize: 1000}
	var calls []Progress
	plan := Plan{Symbols: []string{"X"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 1, 1), End: ny(2024, 3, 1)}
	rep, err := Run(context.Background(), src, st, plan, func(p Progress) { calls = append(calls, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[1].ChunksDone != 2 || calls[1].ChunksTotal != 2 || calls[1].BarsDone != int64(len(expectHourly("X", plan.Start, plan.End))) {
		t.Fatalf("progress calls %+v", calls)
	}
	if rep.Series[0].EmptyDays != 0 || len(rep.NoBars()) != 0 {
		t.Fatalf("hourly source has bars every day, report says %d empty days", rep.Series[0].EmptyDays)
	}
}

func TestEmptyTradingDays(t *testing.T) {
	// January 2024 has 21 NYSE trading days (Jan 1 and Jan 15 are holidays).
	r := data.Range{Start: ny(2024, 1, 1), End: ny(2024, 2, 1)}
	if got := emptyTradingDays(r, data.OneMin, nil); got != 21 {
		t.Fatalf("empty days of January 2024 with no bars = %d, want 21", got)
	}
	bars := []data.Bar{{Symbol: "X", Time: time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)}}
	if got := emptyTradingDays(r, data.OneMin, bars); got != 20 {
		t.Fatalf("with one day of bars = %d, want 20", got)
	}
	// A range that ends before the day's open does not count that day.
	if got := emptyTradingDays(data.Range{Start: ny(2024, 1, 2), End: ny(2024, 1, 2).Add(5 * time.Hour)}, data.OneMin, nil); got != 0 {
		t.Fatalf("pre-open range counts %d days", got)
	}
	if got := emptyTradingDays(data.Range{Start: ny(2024, 1, 2), End: ny(2024, 1, 3)}, data.OneDay, nil); got != 1 {
		t.Fatalf("daily: %d", got)
	}
}

func TestCompleteEnd(t *testing.T) {
	end := time.Date(2024, 3, 5, 15, 3, 27, 0, time.UTC)
	for _, tt := range []struct {
		tf   data.Timeframe
		want time.Time
	}{
		{data.OneMin, time.Date(2024, 3, 5, 15, 3, 0, 0, time.UTC)},
		{data.Timeframe{N: 5, Unit: data.Min}, time.Date(2024, 3, 5, 15, 0, 0, 0, time.UTC)},
		{data.OneHour, time.Date(2024, 3, 5, 15, 0, 0, 0, time.UTC)},
		{data.OneDay, ny(2024, 3, 5)},
		// 15:03 UTC is 10:03 New York: the 4Hour bar opening at 08:00 New York is still forming.
		{data.Timeframe{N: 4, Unit: data.Hour}, time.Date(2024, 3, 5, 13, 0, 0, 0, time.UTC)},
	} {
		if got := CompleteEnd(end, tt.tf); !got.Equal(tt.want) {
			t.Errorf("CompleteEnd(%v) = %v want %v", tt.tf, got, tt.want)
		}
	}
}

// While a slow write is under way, chunks that finish meanwhile go into the next write
// together, each still recorded as covered.
func TestFetchGroupsFinishedChunks(t *testing.T) {
	st := newMemStore()
	st.delay = 20 * time.Millisecond
	src := &hourly{pageSize: 1000}
	plan := Plan{Symbols: []string{"A", "B", "C", "D"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2023, 1, 1), End: ny(2023, 7, 1), Concurrency: 4}
	rep, err := Run(context.Background(), src, st, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ChunksDone != 24 || st.spans != 24 {
		t.Fatalf("%d chunks done, %d spans written, want 24", rep.ChunksDone, st.spans)
	}
	if st.writes >= 24 {
		t.Fatalf("%d writes for 24 chunks: finished chunks were not grouped", st.writes)
	}
	for _, sym := range plan.Symbols {
		if got, want := st.all(data.Series{Symbol: sym, Timeframe: data.OneHour, Adjustment: data.Raw}), expectHourly(sym, plan.Start, plan.End); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %d bars want %d", sym, len(got), len(want))
		}
	}
}

// pagesSource yields fixed pages, whatever is asked.
type pagesSource [][]data.Bar

func (p pagesSource) Feed() string { return "test" }
func (p pagesSource) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		for _, page := range p {
			if !yield(page, nil) {
				return
			}
		}
	}
}

// A chunk keeps only its symbol and range, in time order, and a bar sent twice counts once,
// the later page winning.
func TestFetchChunkOrdersAndDedupes(t *testing.T) {
	at := func(h int) time.Time { return ny(2024, 1, 2).Add(time.Duration(h) * time.Hour) }
	c := Chunk{data.Series{Symbol: "X", Timeframe: data.OneHour, Adjustment: data.Raw}, data.Range{Start: at(0), End: at(10)}}
	old, newer := hourBar("X", at(3)), hourBar("X", at(3))
	newer.Close += 0.5
	src := pagesSource{
		{hourBar("X", at(5)), old, hourBar("Y", at(4))},
		{hourBar("X", at(1)), newer, hourBar("X", at(10)), hourBar("X", at(-1))},
	}
	got, err := fetchChunk(context.Background(), src, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []data.Bar{hourBar("X", at(1)), newer, hourBar("X", at(5))}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	sortedSrc := pagesSource{{hourBar("X", at(1)), hourBar("X", at(2))}, {hourBar("X", at(3))}}
	if got, _ := fetchChunk(context.Background(), sortedSrc, c); len(got) != 3 || !got[2].Time.Equal(at(3)) {
		t.Fatalf("sorted pages: %v", got)
	}
}

// A chunk that arrived before a later one failed is still written: the failure stops the
// fetching, not the writing of what was fetched. (The loop once wrote it with the context the
// failure had cancelled, so a slow write lost it.)
func TestFetchFailureStillWritesWhatArrived(t *testing.T) {
	ctx := context.Background()
	plan := Plan{Symbols: []string{"AAPL"}, Timeframes: []data.Timeframe{data.OneHour}, Start: ny(2024, 1, 1), End: ny(2024, 3, 1),
		Concurrency: 1}
	st := newMemStore()
	st.delay = 200 * time.Millisecond // the second request fails while the first chunk is being written
	src := &hourly{pageSize: 5000, failAt: 2}
	if _, err := Run(ctx, src, st, plan, nil); err == nil || !strings.Contains(err.Error(), "500 too often") {
		t.Fatalf("err %v, want the source's failure", err)
	}
	jan := data.Range{Start: ny(2024, 1, 1), End: ny(2024, 2, 1)}
	cov, _ := st.Coverage(ctx, data.Series{Symbol: "AAPL", Timeframe: data.OneHour, Adjustment: data.Raw})
	if !cov.Covers(jan) {
		t.Fatalf("coverage %v after a later chunk failed: January, fetched before the failure, was lost", cov)
	}
}
