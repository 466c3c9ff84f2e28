package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// Opener turns path, a fresh name inside t.TempDir(), into an open store. It appends whatever
// suffix its store wants ("x.duckdb", a directory) and must give the same store when called
// again with the same path after Close. It fails the test itself when it cannot open.
type Opener = func(t *testing.T, path string) data.Store

// Day0 is the first session the suite writes: a Tuesday, so that day arithmetic stays simple.
var Day0 = time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)

// Run runs the conformance suite against the stores open returns, one subtest per property.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener, path string)
	}{
		{"RoundTrip", testRoundTrip},
		{"OverlappingRewrite", testOverlappingRewrite},
		{"DuplicateInBatchLastWins", testDuplicateInBatch},
		{"SeriesSideBySide", testSeriesSideBySide},
		{"ReadOrderAndFilter", testReadOrderAndFilter},
		{"Coverage", testCoverage},
		{"EmptyBatchAndUnknown", testEmptyAndUnknown},
		{"SeriesListing", testSeriesListing},
		{"Reopen", testReopen},
		{"InvalidBatchRejected", testInvalidBatch},
		{"CloseIteratorEarly", testCloseEarly},
		{"FeedsApart", testFeedsApart},
		{"ReplaceSeries", testReplace},
		{"AsOf", testAsOf},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open, filepath.Join(t.TempDir(), "store"))
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// openClosed opens a store that the test's cleanup closes, tolerating an earlier explicit Close.
func openClosed(t *testing.T, open Opener, path string) data.Store {
	t.Helper()
	s := open(t, path)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func write(t *testing.T, s data.Writer, b data.Batch) {
	t.Helper()
	if err := s.Write(ctx(t), b); err != nil {
		t.Fatalf("Write %s %s %d bars: %v", b.Timeframe, b.Adjustment, len(b.Bars), err)
	}
}

// ReadAll reads what q selects into a slice.
func ReadAll(t testing.TB, s data.Reader, q data.Query) []data.Bar {
	t.Helper()
	it, err := s.Read(context.Background(), q)
	if err != nil {
		t.Fatalf("Read %+v: %v", q, err)
	}
	bars, err := data.Collect(it)
	if err != nil {
		t.Fatalf("Read %+v: iterating: %v", q, err)
	}
	return bars
}

// Sorted returns bars in the stores' read order, last duplicate winning, as a store must.
func Sorted(bars []data.Bar) []data.Bar {
	type key struct {
		sym string
		t   int64
	}
	last := map[key]int{}
	for i, b := range bars {
		last[key{b.Symbol, b.Time.UnixMicro()}] = i
	}
	out := make([]data.Bar, 0, len(last))
	for i, b := range bars {
		if last[key{b.Symbol, b.Time.UnixMicro()}] == i {
			out = append(out, b)
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
	return out
}

// Equal fails t unless got holds exactly want, field by field, with times in UTC.
func Equal(t testing.TB, what string, got, want []data.Bar) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d bars, want %d (first got %v)", what, len(got), len(want), first(got))
	}
	for i := range got {
		if err := sameBar(got[i], want[i]); err != nil {
			t.Fatalf("%s: bar %d: %v", what, i, err)
		}
	}
}

func first(bars []data.Bar) any {
	if len(bars) == 0 {
		return "none"
	}
	return bars[0]
}

func sameBar(g, w data.Bar) error {
	switch {
	case g.Symbol != w.Symbol:
		return fmt.Errorf("symbol %q, want %q", g.Symbol, w.Symbol)
	case !g.Time.Equal(w.Time):
		return fmt.Errorf("%s: time %s, want %s", w.Symbol, g.Time.Format(time.RFC3339Nano), w.Time.Format(time.RFC3339Nano))
	case g.Time.Location() != time.UTC:
		return fmt.Errorf("%s %s: location %s, want UTC", w.Symbol, g.Time, g.Time.Location())
	case g.Open != w.Open || g.High != w.High || g.Low != w.Low || g.Close != w.Close:
		return fmt.Errorf("%s %s: OHLC %v %v %v %v, want %v %v %v %v", w.Symbol, w.Time,
			g.Open, g.High, g.Low, g.Close, w.Open, w.High, w.Low, w.Close)
	case g.Volume != w.Volume || g.TradeCount != w.TradeCount || g.VWAP != w.VWAP:
		return fmt.Errorf("%s %s: volume %v trades %d vwap %v, want %v %d %v", w.Symbol, w.Time,
			g.Volume, g.TradeCount, g.VWAP, w.Volume, w.TradeCount, w.VWAP)
	}
	return nil
}

func coverage(t *testing.T, s data.Writer, sr data.Series) data.Ranges {
	t.Helper()
	rs, err := s.Coverage(ctx(t), sr)
	if err != nil {
		t.Fatalf("Coverage %s: %v", sr, err)
	}
	if err := rs.Validate(); err != nil {
		t.Fatalf("Coverage %s not in normal form: %v (%s)", sr, err, rs)
	}
	return rs
}

func sameRanges(t *testing.T, what string, got, want data.Ranges) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
	for i := range got {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("%s: got %s, want %s", what, got, want)
		}
	}
}

func day(i int) time.Time { return Day0.AddDate(0, 0, i) }

func span(sym string, from, to int) data.Span {
	return data.Span{Symbol: sym, Range: data.Range{Start: day(from), End: day(to)}}
}

func testRoundTrip(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	// Odd microseconds check that the store keeps microsecond precision.
	start := Day0.Add(123456 * time.Microsecond)
	bars := Bars("AAPL", start, 500, time.Minute+7*time.Microsecond)
	bars[0].TradeCount = math.MaxUint32 + 5 // beyond 32 bits
	bars[1].Volume = 0
	// Writers hand in times in other zones; stores return UTC.
	bars[2].Time = bars[2].Time.In(calendar.NewYork)
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars})
	got := ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneMin})
	Equal(t, "read back", got, Sorted(bars))
}

func testOverlappingRewrite(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	old := Bars("MSFT", Day0, 100, time.Minute)
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: old})
	// The rewrite covers bars 50..149: the first half replaces, the second half appends.
	newer := Scale(Bars("MSFT", Day0.Add(50*time.Minute), 100, time.Minute), 1.5)
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: newer})
	want := Sorted(append(append([]data.Bar(nil), old[:50]...), newer...))
	got := ReadAll(t, s, data.Query{Timeframe: data.OneMin})
	Equal(t, "after overlapping rewrite", got, want)
	// Writing the very same batch again is a no-op.
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: newer})
	Equal(t, "after idempotent rewrite", ReadAll(t, s, data.Query{Timeframe: data.OneMin}), want)
}

func testDuplicateInBatch(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	bars := Bars("AAPL", Day0, 10, time.Minute)
	dup := Scale(bars[3:5], 2)
	batch := append(append([]data.Bar(nil), bars...), dup...)
	write(t, s, data.Batch{Timeframe: data.OneMin, Bars: batch})
	Equal(t, "later duplicate wins", ReadAll(t, s, data.Query{Timeframe: data.OneMin}), Sorted(batch))
}

func testSeriesSideBySide(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	type series struct {
		sym string
		tf  data.Timeframe
		adj data.Adjustment
	}
	all := map[series][]data.Bar{
		{"AAPL", data.OneMin, data.Raw}:   Bars("AAPL", Day0, 60, time.Minute),
		{"AAPL", data.OneMin, data.Split}: Scale(Bars("AAPL", Day0, 60, time.Minute), 0.25),
		{"AAPL", data.OneDay, data.Raw}:   Bars("AAPL", Day0, 5, 24*time.Hour),
		{"MSFT", data.OneMin, data.Raw}:   Bars("MSFT", Day0, 30, time.Minute),
		{"MSFT", data.OneDay, data.Split}: Bars("MSFT", Day0, 3, 24*time.Hour),
	}
	for k, bars := range all {
		adj := k.adj
		if adj == data.Raw && k.sym == "AAPL" {
			adj = "" // "" must mean raw
		}
		write(t, s, data.Batch{Timeframe: k.tf, Adjustment: adj, Feed: "sip", Bars: bars})
	}
	for k, want := range all {
		got := ReadAll(t, s, data.Query{Symbols: []string{k.sym}, Timeframe: k.tf, Adjustment: k.adj})
		Equal(t, fmt.Sprintf("%s %s %s", k.sym, k.tf, k.adj), got, Sorted(want))
	}
	got := ReadAll(t, s, data.Query{Timeframe: data.OneMin})
	want := Sorted(append(append([]data.Bar(nil), all[series{"AAPL", data.OneMin, data.Raw}]...),
		all[series{"MSFT", data.OneMin, data.Raw}]...))
	Equal(t, "all raw 1Min symbols", got, want)
	if got := ReadAll(t, s, data.Query{Timeframe: data.OneHour}); len(got) != 0 {
		t.Fatalf("1Hour holds nothing, read %d bars", len(got))
	}
}

func testReadOrderAndFilter(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	// Different steps make the symbols interleave and share some timestamps.
	var all []data.Bar
	all = append(all, Bars("ZZZ", Day0, 120, time.Minute)...)
	all = append(all, Bars("AAA", Day0, 60, 2*time.Minute)...)
	all = append(all, Bars("MMM", Day0.Add(30*time.Second), 100, time.Minute)...)
	// Shuffled input: stores must sort, not trust the batch order.
	shuffled := append([]data.Bar(nil), all...)
	for i := range shuffled {
		j := (i*7919 + 13) % len(shuffled)
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	write(t, s, data.Batch{Timeframe: data.OneMin, Bars: shuffled})
	from, to := Day0.Add(20*time.Minute), Day0.Add(70*time.Minute)
	filter := func(syms []string, start, end time.Time) []data.Bar {
		var out []data.Bar
		for _, b := range all {
			if len(syms) > 0 && !slices.Contains(syms, b.Symbol) {
				continue
			}
			if (!start.IsZero() && b.Time.Before(start)) || (!end.IsZero() && !b.Time.Before(end)) {
				continue
			}
			out = append(out, b)
		}
		return Sorted(out)
	}
	tests := []struct {
		name       string
		syms       []string
		start, end time.Time
	}{
		{"all", nil, time.Time{}, time.Time{}},
		{"half-open window", nil, from, to},
		{"start only", nil, from, time.Time{}},
		{"end only", nil, time.Time{}, to},
		{"two symbols", []string{"ZZZ", "AAA"}, time.Time{}, time.Time{}},
		{"one symbol in window", []string{"MMM"}, from, to},
		{"known and unknown symbol", []string{"AAA", "NOPE"}, from, to},
		{"empty window", nil, to, to},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := filter(tc.syms, tc.start, tc.end)
			got := ReadAll(t, s, data.Query{Symbols: tc.syms, Timeframe: data.OneMin, Start: tc.start, End: tc.end})
			Equal(t, tc.name, got, want)
		})
	}
	// The boundary bar itself: Start is inclusive, End exclusive.
	got := ReadAll(t, s, data.Query{Symbols: []string{"ZZZ"}, Timeframe: data.OneMin, Start: from, End: from.Add(time.Minute)})
	if len(got) != 1 || !got[0].Time.Equal(from) {
		t.Fatalf("[t, t+1m) read %d bars (%v), want exactly the bar at %s", len(got), first(got), from)
	}
}

func testCoverage(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	aapl := data.Series{Symbol: "AAPL", Timeframe: data.OneDay}
	if got := coverage(t, s, aapl); len(got) != 0 {
		t.Fatalf("coverage of an empty store: %s", got)
	}
	steps := []struct {
		name  string
		spans []data.Span
		bars  []data.Bar
		want  data.Ranges
	}{
		{"first span", []data.Span{span("AAPL", 0, 2)}, Bars("AAPL", day(0), 2, 24*time.Hour),
			data.Ranges{{Start: day(0), End: day(2)}}},
		{"adjacent merges", []data.Span{span("AAPL", 2, 3)}, Bars("AAPL", day(2), 1, 24*time.Hour),
			data.Ranges{{Start: day(0), End: day(3)}}},
		{"gap remains", []data.Span{span("AAPL", 5, 7)}, Bars("AAPL", day(5), 2, 24*time.Hour),
			data.Ranges{{Start: day(0), End: day(3)}, {Start: day(5), End: day(7)}}},
		{"holiday without bars is covered", []data.Span{span("AAPL", 9, 10)}, nil,
			data.Ranges{{Start: day(0), End: day(3)}, {Start: day(5), End: day(7)}, {Start: day(9), End: day(10)}}},
		{"overlap joins and fills", []data.Span{span("AAPL", 6, 9), span("MSFT", 0, 1)}, nil,
			data.Ranges{{Start: day(0), End: day(3)}, {Start: day(5), End: day(10)}}},
		{"several spans out of order", []data.Span{span("AAPL", 12, 13), span("AAPL", 3, 4)}, nil,
			data.Ranges{{Start: day(0), End: day(4)}, {Start: day(5), End: day(10)}, {Start: day(12), End: day(13)}}},
	}
	for _, st := range steps {
		write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "iex", Bars: st.bars, Covered: st.spans})
		sameRanges(t, st.name, coverage(t, s, aapl), st.want)
	}
	sameRanges(t, "MSFT kept apart", coverage(t, s, data.Series{Symbol: "MSFT", Timeframe: data.OneDay}),
		data.Ranges{{Start: day(0), End: day(1)}})
	for _, other := range []data.Series{
		{Symbol: "AAPL", Timeframe: data.OneMin},
		{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.Split},
		{Symbol: "NOPE", Timeframe: data.OneDay},
	} {
		if got := coverage(t, s, other); len(got) != 0 {
			t.Fatalf("coverage of %s: got %s, want none", other, got)
		}
	}
	// "" and Raw are the same series.
	sameRanges(t, "explicit raw", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.Raw}),
		steps[len(steps)-1].want)
}

func testEmptyAndUnknown(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	write(t, s, data.Batch{Timeframe: data.OneMin})
	if got := ReadAll(t, s, data.Query{Timeframe: data.OneMin}); len(got) != 0 {
		t.Fatalf("empty store read %d bars", len(got))
	}
	write(t, s, data.Batch{Timeframe: data.OneMin, Bars: Bars("AAPL", Day0, 5, time.Minute)})
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex"})
	if got := ReadAll(t, s, data.Query{Symbols: []string{"NOPE"}, Timeframe: data.OneMin}); len(got) != 0 {
		t.Fatalf("unknown symbol read %d bars", len(got))
	}
	if got := ReadAll(t, s, data.Query{Timeframe: data.OneMin}); len(got) != 5 {
		t.Fatalf("after empty batches read %d bars, want 5", len(got))
	}
}

func testSeriesListing(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	msft := Bars("MSFT", Day0, 30, time.Minute)
	aapl := Bars("AAPL", Day0.Add(time.Hour), 20, time.Minute)
	daily := Bars("AAPL", Day0, 4, 24*time.Hour)
	write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "sip", Bars: daily})
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: msft[:20]})
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "sip", Bars: msft[10:]}) // a second series
	write(t, s, data.Batch{Timeframe: data.OneMin, Adjustment: data.Split, Feed: "iex", Bars: aapl})
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: aapl})
	info := func(sym string, tf data.Timeframe, adj data.Adjustment, feed string, bars []data.Bar) data.SeriesInfo {
		return data.SeriesInfo{Series: data.Series{Symbol: sym, Timeframe: tf, Adjustment: adj, Feed: feed}, Bars: int64(len(bars)),
			First: bars[0].Time, Last: bars[len(bars)-1].Time}
	}
	want := []data.SeriesInfo{
		info("AAPL", data.OneMin, data.Raw, "iex", aapl),
		info("MSFT", data.OneMin, data.Raw, "iex", msft[:20]),
		info("MSFT", data.OneMin, data.Raw, "sip", msft[10:]),
		info("AAPL", data.OneMin, data.Split, "iex", aapl),
		info("AAPL", data.OneDay, data.Raw, "sip", daily),
	}
	got, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("Series: got %d entries %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		g.Adjustment = g.Adjustment.Norm()
		if g.Series != w.Series || g.Bars != w.Bars || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
			t.Errorf("Series[%d] = %+v, want %+v", i, got[i], w)
		}
	}
}

func testReopen(t *testing.T, open Opener, path string) {
	s := open(t, path)
	bars := Bars("AAPL", Day0, 300, time.Minute)
	split := Scale(bars[:10], 0.5)
	cov := []data.Span{span("AAPL", 0, 1)}
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: bars, Covered: cov})
	write(t, s, data.Batch{Timeframe: data.OneMin, Adjustment: data.Split, Feed: "iex", Bars: split})
	series, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openClosed(t, open, path)
	Equal(t, "raw after reopen", ReadAll(t, s, data.Query{Timeframe: data.OneMin}), bars)
	Equal(t, "split after reopen", ReadAll(t, s, data.Query{Timeframe: data.OneMin, Adjustment: data.Split}), split)
	sameRanges(t, "coverage after reopen", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneMin}),
		data.Ranges{cov[0].Range})
	again, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series after reopen: %v", err)
	}
	if fmt.Sprint(again) != fmt.Sprint(series) {
		t.Fatalf("Series after reopen:\n%v\nwant\n%v", again, series)
	}
	// And the reopened store still takes writes.
	more := Bars("AAPL", Day0.Add(300*time.Minute), 5, time.Minute)
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: more})
	if got := ReadAll(t, s, data.Query{Timeframe: data.OneMin}); len(got) != 305 {
		t.Fatalf("after reopen and write: %d bars, want 305", len(got))
	}
}

func testInvalidBatch(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	before := Bars("AAPL", Day0, 50, time.Minute)
	write(t, s, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: before, Covered: []data.Span{span("AAPL", 0, 1)}})
	wantCov := coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneMin})
	wantSeries, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	good := func() []data.Bar { return Scale(Bars("AAPL", Day0.Add(25*time.Minute), 50, time.Minute), 3) }
	bad := func(edit func(b *data.Bar)) []data.Bar {
		bars := good()
		edit(&bars[len(bars)-2]) // late in the batch, so a store that writes as it validates is caught
		return bars
	}
	tests := []struct {
		name  string
		batch data.Batch
	}{
		{"NaN price", data.Batch{Timeframe: data.OneMin, Bars: bad(func(b *data.Bar) { b.Close = math.NaN() })}},
		{"empty symbol", data.Batch{Timeframe: data.OneMin, Bars: bad(func(b *data.Bar) { b.Symbol = "" })}},
		{"zero time", data.Batch{Timeframe: data.OneMin, Bars: bad(func(b *data.Bar) { b.Time = time.Time{} })}},
		{"high below low", data.Batch{Timeframe: data.OneMin, Bars: bad(func(b *data.Bar) { b.High, b.Low = b.Low, b.High })}},
		{"invalid timeframe", data.Batch{Timeframe: data.Timeframe{}, Bars: good()}},
		{"span end before start", data.Batch{Timeframe: data.OneMin, Bars: good(),
			Covered: []data.Span{span("AAPL", 3, 4), {Symbol: "AAPL", Range: data.Range{Start: day(2), End: day(1)}}}}},
		{"span without symbol", data.Batch{Timeframe: data.OneMin, Bars: good(),
			Covered: []data.Span{{Range: data.Range{Start: day(3), End: day(4)}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Write(ctx(t), tc.batch)
			if err == nil {
				t.Fatalf("Write accepted an invalid batch")
			}
			if strings.Contains(err.Error(), "FAKESECRET") {
				t.Fatalf("error leaks a secret: %v", err)
			}
			Equal(t, "after rejected batch", ReadAll(t, s, data.Query{Timeframe: data.OneMin}), before)
			sameRanges(t, "coverage after rejected batch", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneMin}), wantCov)
			got, err := s.Series(ctx(t))
			if err != nil {
				t.Fatalf("Series: %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(wantSeries) {
				t.Fatalf("Series after rejected batch: %v, want %v", got, wantSeries)
			}
		})
	}
}

func testCloseEarly(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	bars := Bars("AAPL", Day0, 5000, time.Minute)
	write(t, s, data.Batch{Timeframe: data.OneMin, Bars: bars})
	it, err := s.Read(ctx(t), data.Query{Timeframe: data.OneMin})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !it.Next() {
		t.Fatalf("no first bar: %v", it.Err())
	}
	if err := sameBar(it.Bar(), bars[0]); err != nil {
		t.Fatalf("first bar: %v", err)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("Close after one bar: %v", err)
	}
	if it.Next() {
		t.Fatalf("Next after Close returned a bar")
	}
	// An abandoned read must not block the next write.
	write(t, s, data.Batch{Timeframe: data.OneMin, Bars: Scale(bars[:10], 2)})
	if got := ReadAll(t, s, data.Query{Timeframe: data.OneMin}); len(got) != len(bars) || got[0].Open != bars[0].Open*2 {
		t.Fatalf("after early close and write: %d bars, first %v", len(got), first(got))
	}
}

func context0() context.Context { return context.Background() }

// testFeedsApart: bars of two feeds are two series, read and covered apart and never mixed; a
// read or a coverage that leaves the feed out gets the only feed, or ErrSeveralFeeds.
func testFeedsApart(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	iex := Bars("AAPL", Day0, 10, 24*time.Hour)
	sip := Scale(iex, 3)
	write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "iex", Bars: iex, Covered: []data.Span{span("AAPL", 0, 10)}})
	write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "sip", Bars: sip[:5], Covered: []data.Span{span("AAPL", 0, 5)}})
	write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "sip", Bars: Bars("MSFT", Day0, 3, 24*time.Hour)})
	Equal(t, "iex", ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Feed: "iex"}), iex)
	Equal(t, "sip", ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Feed: "sip"}), sip[:5])
	sameRanges(t, "iex coverage", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Feed: "iex"}),
		data.Ranges{span("AAPL", 0, 10).Range})
	sameRanges(t, "sip coverage", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Feed: "sip"}),
		data.Ranges{span("AAPL", 0, 5).Range})
	if got := ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Feed: "boats"}); len(got) != 0 {
		t.Fatalf("a feed never written read %d bars", len(got))
	}
	// MSFT alone has one feed: an empty Feed takes it.
	if got := ReadAll(t, s, data.Query{Symbols: []string{"MSFT"}, Timeframe: data.OneDay}); len(got) != 3 {
		t.Fatalf("MSFT with its only feed read %d bars, want 3", len(got))
	}
	if _, err := s.Read(ctx(t), data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay}); !errors.Is(err, data.ErrSeveralFeeds) {
		t.Fatalf("read of two feeds without a choice: err %v, want ErrSeveralFeeds", err)
	}
	if _, err := s.Coverage(ctx(t), data.Series{Symbol: "AAPL", Timeframe: data.OneDay}); !errors.Is(err, data.ErrSeveralFeeds) {
		t.Fatalf("coverage of two feeds without a choice: err %v, want ErrSeveralFeeds", err)
	}
	infos, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	var got []string
	for _, in := range infos {
		got = append(got, fmt.Sprintf("%s/%s/%d", in.Symbol, in.Feed, in.Bars))
	}
	if want := []string{"AAPL/iex/10", "AAPL/sip/5", "MSFT/sip/3"}; !slices.Equal(got, want) {
		t.Fatalf("Series: %v, want %v", got, want)
	}
}

// testReplace: a Replace batch drops its series' bars and coverage first, in the same write, and
// leaves every other series (feed, adjustment, symbol) alone.
func testReplace(t *testing.T, open Opener, path string) {
	s := openClosed(t, open, path)
	old := Bars("AAPL", Day0, 10, 24*time.Hour)
	other := Bars("MSFT", Day0, 10, 24*time.Hour)
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip", Bars: append(slices.Clone(old), other...),
		Covered: []data.Span{span("AAPL", 0, 10), span("MSFT", 0, 10)}})
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.Split, Feed: "iex", Bars: old, Covered: []data.Span{span("AAPL", 0, 10)}})
	write(t, s, data.Batch{Timeframe: data.OneDay, Feed: "sip", Bars: old, Covered: []data.Span{span("AAPL", 0, 10)}})
	// The new basis: a 2-for-1 split halves every price, and the refetch starts a day later
	// (the first day is gone from the source): nothing of the old series may survive.
	newer := Scale(old[1:8], 0.5)
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip", Bars: newer,
		Covered: []data.Span{span("AAPL", 1, 8)}, Replace: true})
	Equal(t, "replaced", ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}), newer)
	sameRanges(t, "replaced coverage", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}),
		data.Ranges{span("AAPL", 1, 8).Range})
	Equal(t, "other symbol", ReadAll(t, s, data.Query{Symbols: []string{"MSFT"}, Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}), other)
	Equal(t, "other feed", ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Adjustment: data.Split, Feed: "iex"}), old)
	Equal(t, "other adjustment", ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Feed: "sip"}), old)
	sameRanges(t, "other symbol's coverage", coverage(t, s, data.Series{Symbol: "MSFT", Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}),
		data.Ranges{span("MSFT", 0, 10).Range})
	// A replace whose refetch found nothing empties the series but keeps the range covered.
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip", Covered: []data.Span{span("AAPL", 2, 4)}, Replace: true})
	if got := ReadAll(t, s, data.Query{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}); len(got) != 0 {
		t.Fatalf("after an empty replace read %d bars", len(got))
	}
	sameRanges(t, "empty replace coverage", coverage(t, s, data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.Split, Feed: "sip"}),
		data.Ranges{span("AAPL", 2, 4).Range})
}

// testAsOf: the AsOf of a series' latest write that had one is recorded, survives a reopen and
// is listed; it belongs to one feed's series.
func testAsOf(t *testing.T, open Opener, path string) {
	s := open(t, path)
	sr := data.Series{Symbol: "AAPL", Timeframe: data.OneDay, Adjustment: data.All, Feed: "sip"}
	asof := func(sr data.Series) time.Time {
		t.Helper()
		a, ok := s.(data.AsOfer)
		if !ok {
			t.Fatalf("%T records no AsOf: it is not a data.AsOfer", s)
		}
		at, err := a.AsOf(ctx(t), sr)
		if err != nil {
			t.Fatalf("AsOf %s: %v", sr, err)
		}
		return at
	}
	if at := asof(sr); !at.IsZero() {
		t.Fatalf("AsOf of a series never written: %v", at)
	}
	t1 := time.Date(2024, 3, 20, 21, 5, 7, 0, time.UTC)
	t2 := t1.Add(49 * time.Hour)
	bars := Bars("AAPL", Day0, 5, 24*time.Hour)
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.All, Feed: "sip", Bars: bars[:3], AsOf: t1})
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.All, Feed: "iex", Bars: bars[:3], AsOf: t2})
	if at := asof(sr); !at.Equal(t1) {
		t.Fatalf("AsOf = %v, want %v", at, t1)
	}
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.All, Feed: "sip", Bars: bars[3:]})
	if at := asof(sr); !at.Equal(t1) {
		t.Fatalf("a write without AsOf changed it: %v, want %v", at, t1)
	}
	write(t, s, data.Batch{Timeframe: data.OneDay, Adjustment: data.All, Feed: "sip", Covered: []data.Span{span("AAPL", 0, 5)}, AsOf: t2})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openClosed(t, open, path)
	if at := asof(sr); !at.Equal(t2) {
		t.Fatalf("AsOf after reopen = %v, want %v", at, t2)
	}
	infos, err := s.Series(ctx(t))
	if err != nil {
		t.Fatalf("Series: %v", err)
	}
	if len(infos) != 2 || infos[0].Feed != "iex" || !infos[0].AsOf.Equal(t2) || infos[1].Feed != "sip" || !infos[1].AsOf.Equal(t2) {
		t.Fatalf("Series = %+v, want iex and sip as of %v", infos, t2)
	}
}
