package sweep

import (
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/strategies"
)

func mustPlan(tb testing.TB, strategy string, fixed map[string]string, grids ...string) *Plan {
	tb.Helper()
	var gs Grids
	for _, s := range grids {
		if err := gs.Set(s); err != nil {
			tb.Fatal(err)
		}
	}
	p, err := NewPlan(strategy, fixed, gs)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// walk is a random-looking walk of n minute bars of one symbol, around the clock, so that
// every bar is replayed under engine.AllHours.
func walk(n int) []data.Bar {
	bars := make([]data.Bar, n)
	t0 := time.Date(2020, 1, 2, 14, 30, 0, 0, time.UTC)
	p := 100.0
	x := uint64(88172645463325252)
	for i := range bars {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		p *= 1 + (float64(x%2001)-1000)/1e6
		bars[i] = data.Bar{Symbol: "SYN", Time: t0.Add(time.Duration(i) * time.Minute), Open: p, High: p * 1.0005,
			Low: p * 0.9995, Close: p, Volume: 1000}
	}
	return bars
}

// smaParams are sma's parameter names, in its Spec's order.
func smaParams() []string {
	spec, _ := strategies.Lookup("sma")
	var names []string
	for _, p := range spec.Params {
		names = append(names, p.Name)
	}
	return names
}
