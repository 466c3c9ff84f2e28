package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// DipBuyer buys qty shares after a down close and sells them after an up close. It keeps its
// state per symbol, as any strategy that may be given several symbols must.
type DipBuyer struct {
	qty       float64
	lastClose map[string]float64
}

// OnBar implements engine.Strategy. It is called after each bar closes; orders it places fill
// at the symbol's next bar.
func (d *DipBuyer) OnBar(env *engine.Env, bar data.Bar) error {
	prev, seen := d.lastClose[bar.Symbol]
	d.lastClose[bar.Symbol] = bar.Close
	if !seen || env.OpenOrders(bar.Symbol) > 0 {
		return nil
	}
	held := env.Position(bar.Symbol).Qty
	switch {
	case held == 0 && bar.Close < prev:
		_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: engine.Buy, Qty: d.qty})
		return err
	case held > 0 && bar.Close > prev:
		_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: engine.Sell, Qty: held})
		return err
	}
	return nil
}

func ExampleStrategy() {
	closes := []float64{100, 98, 99, 97, 98}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		log.Fatal(err)
	}
	var bars []data.Bar
	for i, c := range closes { // Monday to Friday, stamped at midnight New York, opening at the last close
		open := c
		if i > 0 {
			open = closes[i-1]
		}
		bars = append(bars, data.Bar{Symbol: "SPY", Time: time.Date(2024, 1, 8+i, 0, 0, 0, 0, ny).UTC(),
			Open: open, High: max(open, c), Low: min(open, c), Close: c})
	}
	cfg := engine.Config{Cash: 10000, Commission: engine.Commission{Kind: engine.PerOrder, Rate: 1}}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), &DipBuyer{qty: 10, lastClose: map[string]float64{}})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range res.Trades {
		if t.Open { // still held at the end: valued at the last close, with no exit commission
			fmt.Printf("%s on: %v shares %v, open at %v, P&L %v\n", t.EntryTime.Format(time.DateOnly), t.Qty, t.EntryPrice, t.ExitPrice, t.PnL)
			continue
		}
		fmt.Printf("%s to %s: %v shares %v -> %v, P&L %v after commission\n", t.EntryTime.Format(time.DateOnly),
			t.ExitTime.Format(time.DateOnly), t.Qty, t.EntryPrice, t.ExitPrice, t.PnL)
	}
	// Output:
	// 2024-01-10 to 2024-01-11: 10 shares 98 -> 99, P&L 8 after commission
	// 2024-01-12 on: 10 shares 97, open at 98, P&L 9
}
