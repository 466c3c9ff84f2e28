package parquet

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

const benchBars = 1_000_000

// benchBatch is benchBars minute bars spread over nsym symbols: one symbol is a 24/7 series over
// two years, ten are ten partitions each.
func benchBatch(nsym int) data.Batch {
	bars := make([]data.Bar, 0, benchBars)
	start := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range nsym {
		bars = append(bars, storetest.Bars(fmt.Sprintf("SYM%02d", i), start, benchBars/nsym, time.Minute)...)
	}
	return data.Batch{Timeframe: data.OneMin, Feed: "synth", Bars: bars}
}

func BenchmarkStoreWrite(b *testing.B) {
	for _, nsym := range []int{1, 10} {
		b.Run(fmt.Sprintf("symbols=%d", nsym), func(b *testing.B) {
			batch := benchBatch(nsym)
			root := b.TempDir()
			n := 0
			b.ResetTimer()
			for b.Loop() {
				n++
				s, err := Open(b.Context(), filepath.Join(root, fmt.Sprint(n)))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Write(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			b.ReportMetric(float64(len(batch.Bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}

func BenchmarkStoreRead(b *testing.B) {
	for _, nsym := range []int{1, 10} {
		b.Run(fmt.Sprintf("symbols=%d", nsym), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "lake"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Write(b.Context(), benchBatch(nsym)); err != nil {
				b.Fatal(err)
			}
			total := 0
			b.ResetTimer()
			for b.Loop() {
				it, err := s.Read(b.Context(), data.Query{Timeframe: data.OneMin})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				var sum float64
				for it.Next() {
					bar := it.Bar()
					sum += bar.Close
					n++
				}
				if err := it.Err(); err != nil {
					b.Fatal(err)
				}
				it.Close()
				if n != benchBars || sum == 0 {
					b.Fatalf("read %d bars, want %d", n, benchBars)
				}
				total += n
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}
