package reports_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/synth"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/reports"
)

// flipper buys 10 shares and sells them every fifth bar: enough round trips to exercise every
// trade figure on a Result the real engine produced.
type flipper struct{ n int }

func (f *flipper) OnBar(env *engine.Env, b data.Bar) error {
	f.n++
	if f.n%5 != 0 {
		return nil
	}
	side := engine.Buy
	if env.Position(b.Symbol).Qty > 0 {
		side = engine.Sell
	}
	_, err := env.Submit(engine.Order{Symbol: b.Symbol, Side: side, Qty: 10, Type: engine.Market})
	return err
}

// TestEngineResult runs the real engine over synthetic 15-minute bars and checks the figures
// that tie the report to the Result: the final equity, the trade count, the costs.
func TestEngineResult(t *testing.T) {
	ctx := context.Background()
	req := data.Request{Symbols: []string{"SYN"}, Timeframe: data.Timeframe{N: 15, Unit: data.Min},
		Start: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}
	var bars []data.Bar
	for page, err := range synth.New(synth.WithSeed(1)).Bars(ctx, req) {
		if err != nil {
			t.Fatal(err)
		}
		bars = append(bars, page...)
	}
	cfg := engine.Config{Cash: 10000, Commission: engine.Commission{Kind: engine.PerOrder, Rate: 1}, Strategy: "flipper",
		Provenance: engine.Provenance{Store: "synth", Symbols: req.Symbols, Timeframe: req.Timeframe, Start: req.Start, End: req.End, Feed: "synth"}}
	r, err := engine.Run(ctx, cfg, data.NewSliceIterator(bars), &flipper{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := reports.Compute(r, reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, tr := range r.Trades {
		if !tr.Open {
			closed++
		}
	}
	last := r.Equity[len(r.Equity)-1].Equity()
	if s.Strategy.FinalEquity != last || s.Strategy.Trades != closed || closed == 0 {
		t.Errorf("final equity %v (want %v), trades %d (want %d > 0)", s.Strategy.FinalEquity, last, s.Strategy.Trades, closed)
	}
	if want := float64(len(r.Fills)); s.Strategy.CommissionPaid != want || s.Strategy.FeesPaid != 0 {
		t.Errorf("commission %v, fees %v, want %v ($1 per fill) and 0", s.Strategy.CommissionPaid, s.Strategy.FeesPaid, want)
	}
	for _, v := range []float64{s.Strategy.Sharpe, s.Strategy.MaxDrawdown, s.Strategy.Exposure, s.Strategy.Turnover} {
		if math.IsNaN(v) {
			t.Errorf("a figure is NaN on a real run: %+v", s.Strategy)
			break
		}
	}
	if err := reports.WriteDir(ctx, filepath.Join(t.TempDir(), "r"), r, s, reports.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}
