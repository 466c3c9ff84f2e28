package duckdb

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

func openRawStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func countBars(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM bars`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOverlaps checks the question that picks the write path: a batch takes the direct
// append only when no stored bar of its symbols lies within its time span.
func TestOverlaps(t *testing.T) {
	s := openRawStore(t)
	ctx := context.Background()
	at := func(i int) time.Time { return storetest.Day0.Add(time.Duration(i) * time.Minute) }
	if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: storetest.Bars("AAPL", at(10), 10, time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tf   string
		bars []data.Bar
		syms int // extra symbols in the batch, to pass maxOverlapTerms
		want bool
	}{
		{"inside", "1Min", storetest.Bars("AAPL", at(12), 3, time.Minute), 0, true},
		{"first bar", "1Min", storetest.Bars("AAPL", at(0), 11, time.Minute), 0, true},
		{"last bar", "1Min", storetest.Bars("AAPL", at(19), 5, time.Minute), 0, true},
		{"spanning", "1Min", storetest.Bars("AAPL", at(0), 30, time.Minute), 0, true},
		{"before", "1Min", storetest.Bars("AAPL", at(0), 10, time.Minute), 0, false},
		{"after", "1Min", storetest.Bars("AAPL", at(20), 10, time.Minute), 0, false},
		{"other symbol", "1Min", storetest.Bars("MSFT", at(10), 10, time.Minute), 0, false},
		{"other timeframe", "5Min", storetest.Bars("AAPL", at(10), 10, time.Minute), 0, false},
		{"many symbols", "1Min", storetest.Bars("MSFT", at(10), 10, time.Minute), maxOverlapTerms, true}, // conservative,
	} {
		bars := c.bars
		for i := range c.syms {
			bars = append(bars, storetest.Bars("S"+strconv.Itoa(i), at(100), 1, time.Minute)...)
		}
		got, err := overlaps(s, c.tf, bars)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: overlaps = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestDirectAppendIsAtomic makes writes fail after their bars went into the bars table (their
// coverage cannot be recorded), and checks that none of them stays.
func TestDirectAppendIsAtomic(t *testing.T) {
	s := openRawStore(t)
	ctx := context.Background()
	first := storetest.Bars("AAPL", storetest.Day0, 50, time.Minute)
	if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: first}); err != nil {
		t.Fatal(err)
	}
	// A coverage table that refuses every row fails the last statements of a write.
	if err := rawQueryText(s.wconn, `ALTER TABLE coverage RENAME TO coverage_kept;
		CREATE TABLE coverage (symbol VARCHAR, timeframe VARCHAR, adjustment VARCHAR,
			start TIMESTAMPTZ, "end" TIMESTAMPTZ CHECK (false), feed VARCHAR)`, nil); err != nil {
		t.Fatal(err)
	}
	later := storetest.Day0.Add(time.Hour)
	for _, b := range []data.Batch{
		// New times: the direct append.
		{Timeframe: data.OneMin, Feed: "iex", Bars: storetest.Bars("AAPL", later, 5000, time.Minute),
			Covered: []data.Span{{Symbol: "AAPL", Range: data.Range{Start: later, End: later.Add(5000 * time.Minute)}}}},
		// Replacing stored bars: the staged path.
		{Timeframe: data.OneMin, Feed: "iex", Bars: storetest.Scale(first, 2),
			Covered: []data.Span{{Symbol: "AAPL", Range: data.Range{Start: storetest.Day0, End: later}}}},
	} {
		err := s.Write(ctx, b)
		if err == nil {
			t.Fatal("write that cannot record coverage succeeded")
		}
		if !strings.Contains(err.Error(), "CHECK") {
			t.Fatalf("write failed before its last statements: %v", err)
		}
		if n := countBars(t, s); n != len(first) {
			t.Fatalf("after a failed write: %d bars, want %d", n, len(first))
		}
	}
	if err := rawQueryText(s.wconn, `DROP TABLE coverage; ALTER TABLE coverage_kept RENAME TO coverage`, nil); err != nil {
		t.Fatal(err)
	}
	got := storetest.ReadAll(t, s, data.Query{Timeframe: data.OneMin})
	storetest.Equal(t, "after failed writes", got, first)
	// And the direct path works once coverage can be recorded again, alongside the first bars.
	more := storetest.Bars("AAPL", later, 100, time.Minute)
	if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: "iex", Bars: more}); err != nil {
		t.Fatal(err)
	}
	got = storetest.ReadAll(t, s, data.Query{Timeframe: data.OneMin})
	storetest.Equal(t, "after a direct append", got, append(append([]data.Bar(nil), first...), more...))
	info, err := s.Series(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(info) != 1 || info[0].Feed != "iex" || info[0].Bars != int64(len(first)+len(more)) {
		t.Fatalf("series = %+v, want one AAPL series of %d bars from iex", info, len(first)+len(more))
	}
}

// overlaps asks the write path's lookup query whether bars would replace stored ones.
func overlaps(s *Store, tf string, bars []data.Bar) (bool, error) {
	syms := extents(bars)
	lits, err := literals(tf, "raw", "iex", syms, nil)
	if err != nil {
		return false, err
	}
	found := false
	err = rawQueryText(s.wconn, lits.lookup(syms, nil), func(cols [][]int64) {
		for i, k := range cols[0] {
			if k == lookupOverlap && cols[1][i] > 0 {
				found = true
			}
		}
	})
	return found, err
}

// TestStringsInlineAndNot writes symbols and a feed both short enough for DuckDB's inline
// strings (written in place) and longer ones (through DuckDB), and reads them back by name.
func TestStringsInlineAndNot(t *testing.T) {
	s := openRawStore(t)
	ctx := context.Background()
	syms := []string{"AAPL", "ABCDEFGHIJKL", "ABCDEFGHIJKLM", "ÄÖÜ.X", "A VERY LONG SYMBOL NAME", "O'NEIL"}
	var bars []data.Bar
	for _, sym := range syms {
		bars = append(bars, storetest.Bars(sym, storetest.Day0, 3000, time.Minute)...)
	}
	feed := "a feed longer than twelve bytes"
	if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: feed, Bars: bars}); err != nil {
		t.Fatal(err)
	}
	for _, sym := range syms {
		got := storetest.ReadAll(t, s, data.Query{Symbols: []string{sym}, Timeframe: data.OneMin})
		storetest.Equal(t, sym, got, storetest.Bars(sym, storetest.Day0, 3000, time.Minute))
	}
	info, err := s.Series(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(info) != len(syms) {
		t.Fatalf("%d series, want %d", len(info), len(syms))
	}
	for _, in := range info {
		if in.Feed != feed || in.Bars != 3000 {
			t.Errorf("series %+v, want 3000 bars from %q", in, feed)
		}
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM bars WHERE symbol = 'ABCDEFGHIJKL' AND timeframe = '1Min' AND adjustment = 'raw'`).Scan(&n); err != nil || n != 3000 {
		t.Fatalf("plain SQL finds %d bars (%v), want 3000", n, err)
	}
}

// TestDedupeChunksOutOfOrder checks that a batch of chunks in any order keeps every bar (and
// is returned as it is), while overlapping chunks still lose their repeats.
func TestDedupeChunksOutOfOrder(t *testing.T) {
	chunk := func(sym string, from, n int) []data.Bar {
		return storetest.Bars(sym, storetest.Day0.Add(time.Duration(from)*time.Minute), n, time.Minute)
	}
	cat := func(parts ...[]data.Bar) []data.Bar {
		var out []data.Bar
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, c := range []struct {
		name string
		in   []data.Bar
		want int
		same bool // returned as is
	}{
		{"later month first", cat(chunk("A", 100, 50), chunk("B", 0, 50), chunk("A", 0, 50), chunk("B", 100, 50)), 200, true},
		{"adjacent", cat(chunk("A", 50, 50), chunk("A", 0, 50)), 100, true},
		{"overlapping chunks", cat(chunk("A", 40, 50), chunk("A", 0, 50)), 90, false},
		{"same chunk twice", cat(chunk("A", 0, 50), chunk("B", 0, 5), chunk("A", 0, 50)), 55, false},
		{"touching at one bar", cat(chunk("A", 49, 10), chunk("A", 0, 50)), 59, false},
	} {
		got := dedupe(c.in)
		if len(got) != c.want {
			t.Errorf("%s: %d bars, want %d", c.name, len(got), c.want)
		}
		if same := len(got) == len(c.in) && &got[0] == &c.in[0]; same != c.same {
			t.Errorf("%s: returned as is = %v, want %v", c.name, same, c.same)
		}
	}
}
