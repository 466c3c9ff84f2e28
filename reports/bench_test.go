package reports

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkCompute measures the statistics over a million minute points with a benchmark run
// of the same length.
func BenchmarkCompute(b *testing.B) {
	const n = 1_000_000
	r, prices := synthetic(n, 5)
	bench := buyAndHold(prices)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(r, Options{Benchmark: bench}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

// BenchmarkWriteDir measures writing the whole report (all four files, plots included) for a
// curve of n minute points.
func BenchmarkWriteDir(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
	}{{"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run(tc.name, func(b *testing.B) {
			r, prices := synthetic(tc.n, 5)
			s, err := Compute(r, Options{Benchmark: buyAndHold(prices)})
			if err != nil {
				b.Fatal(err)
			}
			o := WriteOptions{Prices: map[string][]PricePoint{"SYN": prices}}
			dir := filepath.Join(b.TempDir(), "report")
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteDir(context.Background(), dir, r, s, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(tc.n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}
