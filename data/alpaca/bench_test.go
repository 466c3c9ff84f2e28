package alpaca

import (
	"context"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

// BenchmarkSourceBars measures bars/s through the SDK, the transport and the fake server on
// loopback, with no pacing and no faults: the ceiling of the client side.
func BenchmarkSourceBars(b *testing.B) {
	syms := []string{"AAPL", "MSFT"}
	const n = 50000
	m := map[string][]data.Bar{}
	for _, s := range syms {
		m[s] = genBars(s, t0, time.Minute, n, false)
	}
	srv := alpacatest.NewServer(b, alpacatest.Options{Bars: m})
	src, _ := newTestSource(b, srv, nil, nil)
	req := data.Request{Symbols: syms, Timeframe: data.OneMin, Start: t0, End: t0.Add(n * time.Minute)}
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		got, _, err := collect(context.Background(), src, req)
		if err != nil {
			b.Fatal(err)
		}
		total += len(got)
	}
	if total == 0 {
		b.Fatal("no bars")
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "bars/s")
}
