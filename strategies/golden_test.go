package strategies

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/internal/golden"
)

// walkBars returns n daily bars per symbol from a seeded random walk, in (time, symbol) order,
// priced in cents as real bars are. The same seed gives the same bars on every platform:
// math/rand/v2's PCG and NormFloat64 are specified exactly.
func walkBars(seed uint64, n int, symbols ...string) []data.Bar {
	rng := rand.New(rand.NewPCG(seed, 0x6261726b))
	cents := func(x float64) float64 { return math.Round(x*100) / 100 }
	last := make([]float64, len(symbols))
	for i := range last {
		last[i] = 50 + 50*float64(i)
	}
	bars := make([]data.Bar, 0, n*len(symbols))
	t := time.Date(2020, 1, 2, 5, 0, 0, 0, time.UTC)
	for d := range n {
		for i, sym := range symbols {
			o := cents(last[i] * (1 + 0.003*rng.NormFloat64()))
			c := cents(o * (1 + 0.015*rng.NormFloat64()))
			h := cents(math.Max(o, c) * (1 + 0.005*rng.Float64()))
			l := cents(math.Min(o, c) * (1 - 0.005*rng.Float64()))
			last[i] = c
			bars = append(bars, data.Bar{Symbol: sym, Time: t.AddDate(0, 0, d), Open: o, High: h, Low: l,
				Close: c, Volume: float64(1000 + rng.IntN(9000))})
		}
	}
	return bars
}

// smaGolden is what the sma golden file pins: every trade and the final state of the portfolio.
type smaGolden struct {
	Strategy    string
	Params      map[string]string
	Bars        int64
	Orders      int
	Fills       int
	FinalEquity float64
	FinalCash   float64
	Trades      []engine.Trade
}

// TestSMAGolden runs sma with costs on a seeded walk and compares the result with
// testdata/sma_golden.json. A change to the strategy, its indicators or the engine's fills
// changes the file: review the diff, then rerun with -update to accept it.
func TestSMAGolden(t *testing.T) {
	bars := walkBars(2024, 1500, "AAA", "BBB")
	s, p, err := New("sma", map[string]string{"pct": "0.45"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.Config{
		Cash:        100000,
		Commission:  engine.Commission{Kind: engine.PerShare, Rate: 0.005, Min: 1},
		SlippageBps: 5,
		Fees:        engine.AlpacaFees,
		Strategy:    "sma",
		Params:      p.Strings(),
	}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), s)
	if err != nil {
		t.Fatal(err)
	}
	last := res.Equity[len(res.Equity)-1]
	g := smaGolden{Strategy: "sma", Params: p.Strings(), Bars: res.Bars, Orders: len(res.Orders), Fills: len(res.Fills),
		FinalEquity: last.Equity(), FinalCash: last.Cash, Trades: res.Trades}
	if len(g.Trades) < 10 {
		t.Fatalf("only %d trades: the fixture no longer exercises the strategy", len(g.Trades))
	}
	got, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Compare(t, filepath.Join("testdata", "sma_golden.json"), got)
}
