package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// Allocator buys fixed weights of its symbols before the first bar and holds them.
type Allocator struct {
	weights map[string]float64
}

// Init implements engine.Initer: it runs once before the first bar, when env.Now() is zero and
// no price is known yet, so it sizes from cash and a price of its own. Orders placed here fill
// at the symbols' first bars.
func (a *Allocator) Init(env *engine.Env) error {
	for _, sym := range env.Config().Provenance.Symbols {
		qty := float64(int(a.weights[sym] * env.Cash() / 100)) // whole shares at an expected 100
		if _, err := env.Submit(engine.Order{Symbol: sym, Side: engine.Buy, Qty: qty}); err != nil {
			return err
		}
	}
	return nil
}

// OnBar implements engine.Strategy: nothing to do after the first buys.
func (a *Allocator) OnBar(*engine.Env, data.Bar) error { return nil }

func ExampleIniter() {
	t := time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC) // midnight New York: a daily bar
	bars := data.NewSliceIterator([]data.Bar{
		{Symbol: "BND", Time: t, Open: 72, High: 73, Low: 72, Close: 73},
		{Symbol: "SPY", Time: t, Open: 98, High: 101, Low: 97, Close: 100},
	})
	cfg := engine.Config{Cash: 10000, Provenance: engine.Provenance{Symbols: []string{"BND", "SPY"}}}
	res, err := engine.Run(context.Background(), cfg, bars, &Allocator{weights: map[string]float64{"SPY": 0.6, "BND": 0.4}})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s %v %s at the first open, %v\n", f.Side, f.Qty, f.Symbol, f.Price)
	}
	fmt.Println("cash left:", res.Equity[0].Cash)
	// Output:
	// buy 40 BND at the first open, 72
	// buy 60 SPY at the first open, 98
	// cash left: 1240
}
