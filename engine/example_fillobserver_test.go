package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// Protected buys once and, when the buy fills, protects it with a stop-loss stop below the
// price actually paid, which is known only at the fill.
type Protected struct {
	stop    float64 // fraction below the fill price, 0.05 = 5%
	entered bool
}

// OnBar implements engine.Strategy.
func (p *Protected) OnBar(env *engine.Env, bar data.Bar) error {
	if p.entered {
		return nil
	}
	p.entered = true
	_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: engine.Buy, Qty: 10})
	return err
}

// OnFill implements engine.FillObserver. It is told of each fill before OnBar sees the bar the
// fill happened on; the stop placed here can fill from the next bar on.
func (p *Protected) OnFill(env *engine.Env, f engine.Fill) {
	if f.Side != engine.Buy {
		return
	}
	stop := f.Price * (1 - p.stop)
	if _, err := env.Submit(engine.Order{Symbol: f.Symbol, Side: engine.Sell, Qty: f.Qty, Type: engine.Stop, StopPrice: stop}); err != nil {
		log.Print(err) // OnFill cannot fail the run: a refused order is recorded with its reason
	}
}

func ExampleFillObserver() {
	day := func(i int) time.Time { return time.Date(2024, 1, 2+i, 5, 0, 0, 0, time.UTC) } // midnight New York
	bars := data.NewSliceIterator([]data.Bar{
		{Symbol: "SPY", Time: day(0), Open: 99, High: 101, Low: 99, Close: 100},
		{Symbol: "SPY", Time: day(1), Open: 100, High: 102, Low: 99, Close: 101},
		{Symbol: "SPY", Time: day(2), Open: 100, High: 100, Low: 97, Close: 98},
		{Symbol: "SPY", Time: day(3), Open: 97, High: 97, Low: 93, Close: 94}, // through the stop at 95
	})
	res, err := engine.Run(context.Background(), engine.Config{}, bars, &Protected{stop: 0.05})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s: %s %v at %v\n", f.Time.Format(time.DateOnly), f.Side, f.Qty, f.Price)
	}
	// Output:
	// 2024-01-03: buy 10 at 100
	// 2024-01-05: sell 10 at 95
}
