package files

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// FuzzReadCSV feeds arbitrary files through the reader and Collect: neither may panic, every
// row error names a line of the file, and whatever set comes out holds only valid bars, sorted,
// inside what it claims to cover.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("timestamp,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,2,1,2,3\n2024-01-02T14:31:00Z,2,2,1,1,4\n"), false)
	f.Add([]byte("symbol,timestamp,open,high,low,close,volume,trade_count,vwap\nA,2024-01-02,1,1,1,1,1,2,1\nB,2024-01-03,1,1,1,1,1,,\n"), true)
	f.Add([]byte("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,2,3,1,2,1.5,9\n2024-01-03,2,3,1,2,null,9\n"), true)
	f.Add([]byte("\uFEFFtimestamp,open,high,low,close,volume\n\"2024-01-02 09:30\",1,1,1,1,-1\n2024-01-02 09:30,1,1,1,1,1\n"), true)
	f.Fuzz(func(t *testing.T, file []byte, skipBad bool) {
		lines := bytes.Count(file, []byte("\n")) + 1
		rows := ReadCSV(bytes.NewReader(file), "f.csv")
		checked := func(yield func(Row, error) bool) {
			for r, err := range rows {
				var re *RowError
				if errors.As(err, &re) && (re.Pos.Line < 1 || re.Pos.Line > lines || re.Pos.File != "f.csv") {
					t.Fatalf("row error at %v in a file of %d lines", re.Pos, lines)
				}
				if !yield(r, err) {
					return
				}
			}
		}
		set, err := Collect(context.Background(), Options{Symbols: []string{"X"}, SkipBad: skipBad, Location: time.UTC}, checked)
		if err != nil {
			return
		}
		for _, sr := range set.Series() {
			bars := set.index[sr.Series].bars
			for i, b := range bars {
				if err := b.Validate(); err != nil {
					t.Fatalf("invalid bar kept: %v", err)
				}
				if i > 0 && !bars[i-1].Time.Before(b.Time) {
					t.Fatalf("bars out of order at %d", i)
				}
			}
			if err := sr.Covered.Validate(); err != nil {
				t.Fatalf("covered %v: %v", sr.Covered, err)
			}
			for _, b := range bars {
				if !skipBad && !sr.Covered.Covers(data.Range{Start: b.Time, End: b.Time.Add(time.Nanosecond)}) {
					t.Fatalf("bar at %v outside covered %v", b.Time, sr.Covered)
				}
			}
		}
	})
}
