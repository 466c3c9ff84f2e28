package strategies

import (
	"context"
	"math"
	"testing"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

func runBuiltin(t *testing.T, name string, raw map[string]string, cfg engine.Config, bars []data.Bar) *engine.Result {
	t.Helper()
	s, _, err := New(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestExitsAttachedToEntries(t *testing.T) {
	closes := []float64{100, 100, 105, 89, 120}
	bars := dailyBars("AAA", closes, [][2]float64{{101, 99}, {101, 99}, {106, 104}, {90, 88}, {121, 119}})
	// buyhold buys at bar 1's open (100); the exits, placed at that fill, are a take-profit at
	// 120 and a stop at 90. Bar 3 opens at 89, below the stop: the stop fills at the open.
	res := runBuiltin(t, "buyhold", map[string]string{"pct": "0.5", "stop_loss": "0.1", "take_profit": "0.2"}, engine.Config{}, bars)
	if len(res.Trades) != 1 || res.Trades[0].ExitReason != engine.ExitStopLoss || res.Trades[0].ExitPrice != 89 {
		t.Fatalf("trades %+v", res.Trades)
	}
	if res.Orders[1].Order.Class != engine.OCO || res.Orders[1].Order.TakeProfit != 120 || res.Orders[2].Order.StopPrice != 90 {
		t.Errorf("exit orders %+v", res.Orders[1:])
	}
	// A trailing stop of 10% alone: the mark rises to 106 with bar 2's high, the stop to 95.4,
	// and bar 3 opens below it.
	res = runBuiltin(t, "buyhold", map[string]string{"pct": "0.5", "trail": "0.1"}, engine.Config{}, bars)
	if len(res.Trades) != 1 || res.Trades[0].ExitReason != engine.ExitTrail || res.Trades[0].ExitPrice != 89 {
		t.Fatalf("trades %+v", res.Trades)
	}
	// Off by default: the position is held to the end.
	res = runBuiltin(t, "buyhold", map[string]string{"pct": "0.5"}, engine.Config{}, bars)
	if len(res.Trades) != 1 || res.Trades[0].ExitReason != engine.ExitEnd || len(res.Orders) != 1 {
		t.Fatalf("trades %+v orders %d", res.Trades, len(res.Orders))
	}
}

func TestExitsWithSignals(t *testing.T) {
	// Over a random walk with shorts, every exit reason occurs, the signals still trade (the
	// exits do not block bollinger's wait for open orders), and cash adds up.
	bars := walkBars(3, 3000, "AAA", "BBB")
	for _, name := range []string{"sma", "bollinger", "breakout"} {
		res := runBuiltin(t, name, map[string]string{"stop_loss": "0.01", "take_profit": "0.02", "trail": "0.015"},
			engine.Config{Short: true, Leverage: 2, Provenance: engine.Provenance{Symbols: []string{"AAA", "BBB"}}}, bars)
		var n [len(engine.ExitReasons)]int
		for _, tr := range res.Trades {
			n[tr.ExitReason]++
		}
		// breakout's exit channel is wider than these exits: they close every trade first.
		if n[engine.ExitSignal] == 0 && name != "breakout" || n[engine.ExitStopLoss]+n[engine.ExitTrail] == 0 || n[engine.ExitTakeProfit] == 0 {
			t.Errorf("%s: exits by reason %v", name, n)
		}
		last := res.Equity[len(res.Equity)-1]
		if d := last.Cash + last.Long + last.Short - last.Equity(); d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: last point does not add up: %+v", name, last)
		}
	}
}

func TestExitOrderShort(t *testing.T) {
	o := Exits{StopLoss: 0.1, TakeProfit: 0.2, Trail: 0.05}.Order(engine.Position{Symbol: "AAA", Qty: -10, AvgCost: 50})
	if o.Side != engine.Buy || o.Qty != 10 || o.TakeProfit != 40 || math.Abs(o.StopLoss-55) > 1e-9 || o.TrailPercent != 5 || o.Class != engine.OCO {
		t.Errorf("%+v", o)
	}
}
