package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// A bracket order is an entry with a take-profit limit and a stop-loss stop that become active
// once it fills and cancel each other. Here one daily bar reaches both; bars cannot say which came
// first, so the stop is taken (the pessimistic rule) and Result.AmbiguousFills counts the bar.
func ExampleOrder_bracket() {
	bars := daily("AAPL",
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 102, 99, 101}, // the entry fills at the open, 100
		[4]float64{101, 111, 94, 100}, // touches the target, 110, and the stop, 95
	)
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() != 2 {
			return nil
		}
		_, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10,
			Class: engine.Bracket, TakeProfit: 110, StopLoss: 95})
		return err
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Orders {
		fmt.Printf("%s %s %s: %s\n", o.Order.Class, o.Order.Type, o.Order.Side, o.Status)
	}
	tr := res.Trades[0]
	fmt.Printf("exit %v at %v (%s), ambiguous fills %d\n", tr.ExitTime.Format(time.DateOnly), tr.ExitPrice, tr.ExitReason, res.AmbiguousFills)
	// Output:
	// bracket market buy: filled
	// simple limit sell: cancelled
	// simple stop sell: filled
	// exit 2024-01-04 at 95 (stop_loss), ambiguous fills 1
}

// A trailing stop follows the best price since it became active: 5% under the high-water mark.
// The mark rises with each bar's high after the bar has been checked against the stop.
func ExampleOrder_trailingStop() {
	bars := daily("AAPL",
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 101, 99, 100},  // the buy fills at the open, 100
		[4]float64{101, 110, 100, 108}, // the mark rises to 110: the stop is now 104.5
		[4]float64{106, 107, 103, 104}, // falls through 104.5
	)
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		switch env.Now().Day() {
		case 2:
			_, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10})
			return err
		case 3:
			_, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Sell, Qty: 10,
				Type: engine.TrailingStop, TrailPercent: 5})
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	tr := res.Trades[0]
	fmt.Printf("exit %v at %v (%s)\n", tr.ExitTime.Format(time.DateOnly), tr.ExitPrice, tr.ExitReason)
	// Output:
	// exit 2024-01-05 at 104.5 (trail)
}
