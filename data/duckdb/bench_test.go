package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/storetest"
)

// benchBars is 1,000,000 minute bars: 4 symbols of 250,000, as one fetch of a small universe.
func benchBars() []data.Bar {
	var out []data.Bar
	for _, sym := range []string{"AAPL", "MSFT", "NVDA", "SPY"} {
		out = append(out, storetest.Bars(sym, storetest.Day0, 250_000, time.Minute)...)
	}
	return out
}

func BenchmarkStoreWrite(b *testing.B) {
	bars := benchBars()
	ctx := context.Background()
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		s, err := Open(ctx, filepath.Join(dir, "w", time.Now().Format("150405.000000")+".duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: "synth", Bars: bars}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

func BenchmarkStoreRead(b *testing.B) {
	bars := benchBars()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "r.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(ctx, data.Batch{Timeframe: data.OneMin, Feed: "synth", Bars: bars}); err != nil {
		b.Fatal(err)
	}
	var sum float64
	for b.Loop() {
		it, err := s.Read(ctx, data.Query{Timeframe: data.OneMin})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for it.Next() {
			bar := it.Bar()
			sum += bar.Close
			n++
		}
		if err := it.Err(); err != nil {
			b.Fatal(err)
		}
		it.Close()
		if n != len(bars) {
			b.Fatalf("read %d bars, want %d", n, len(bars))
		}
	}
	b.ReportMetric(float64(len(bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	_ = sum
}
