package engine_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// strategyFunc turns a function into an engine.Strategy, so that each example below fits in
// one function; a real strategy is a type of its own (see the Strategy example).
type strategyFunc func(env *engine.Env, bar data.Bar) error

func (f strategyFunc) OnBar(env *engine.Env, bar data.Bar) error { return f(env, bar) }

var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// daily makes daily bars of symbol, one a weekday from Tuesday 2 January 2024, stamped as
// stores stamp them: at midnight New York. Each is {open, high, low, close}.
func daily(symbol string, ohlc ...[4]float64) []data.Bar {
	bars := make([]data.Bar, len(ohlc))
	for i, p := range ohlc {
		bars[i] = data.Bar{Symbol: symbol, Time: time.Date(2024, 1, 2+i, 0, 0, 0, 0, newYork).UTC(),
			Open: p[0], High: p[1], Low: p[2], Close: p[3], Volume: 1000}
	}
	return bars
}

// Run replays bars through a strategy and returns everything that happened. Here a strategy
// buys 10 shares at the first bar's close; the order fills at the second bar's open.
func ExampleRun() {
	bars := daily("AAPL", [4]float64{100, 101, 99, 100}, [4]float64{102, 104, 101, 103}, [4]float64{103, 106, 102, 105})
	buyOnce := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Position(bar.Symbol).Qty == 0 && env.OpenOrders(bar.Symbol) == 0 {
			_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: engine.Buy, Qty: 10})
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{Cash: 10000}, data.NewSliceIterator(bars), buyOnce)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s %s %v %s at %v\n", f.Time.Format(time.DateOnly), f.Side, f.Qty, f.Symbol, f.Price)
	}
	last := res.Equity[len(res.Equity)-1]
	fmt.Printf("%d bars, final equity %v (cash %v + %v of shares)\n", res.Bars, last.Equity(), last.Cash, last.Long)
	// Output:
	// 2024-01-03 buy 10 AAPL at 102
	// 3 bars, final equity 10030 (cash 8980 + 1050 of shares)
}

// What a strategy sees at each bar: the bar's close time, its position, cash and equity, all as
// of that close. The order placed at the first bar fills at the second bar's open, 102.
func ExampleEnv() {
	bars := daily("AAPL", [4]float64{100, 101, 99, 100}, [4]float64{102, 104, 101, 103})
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		fmt.Printf("%s: holding %v, cash %v, equity %v\n",
			env.Now().In(newYork).Format("Mon Jan 2 15:04"), env.Position(bar.Symbol).Qty, env.Cash(), env.Equity())
		if env.Position(bar.Symbol).Qty == 0 {
			_, err := env.Submit(engine.Order{Symbol: bar.Symbol, Side: engine.Buy, Qty: 10})
			return err
		}
		return nil
	})
	if _, err := engine.Run(context.Background(), engine.Config{Cash: 10000}, data.NewSliceIterator(bars), s); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Tue Jan 2 16:00: holding 0, cash 10000, equity 10000
	// Wed Jan 3 16:00: holding 10, cash 8980, equity 10010
}

// A market order (the zero Type) fills at the open of its symbol's next bar: never at the
// close the strategy decided on, which it could not have traded at.
func ExampleEnv_Submit() {
	bars := daily("AAPL", [4]float64{100, 101, 99, 100}, [4]float64{102, 104, 101, 103})
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() == 2 {
			id, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10, Tag: "entry"})
			fmt.Println("submitted order", id, "at the close of", bar.Close)
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	o := res.Orders[0]
	fmt.Printf("order %d (%s): %s at %v on %s\n", o.ID, o.Order.Tag, o.Status, o.FillPrice, o.Closed.Format(time.DateOnly))
	// Output:
	// submitted order 1 at the close of 100
	// order 1 (entry): filled at 102 on 2024-01-03
}

// A limit buy fills once a bar trades at or below its price: at the limit, or at the open when
// the bar opens below it.
func ExampleEnv_Submit_limit() {
	bars := daily("AAPL",
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 101, 98, 99}, // low 98: not down to 97
		[4]float64{99, 99, 96, 97},   // low 96: fills at 97
	)
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() == 2 {
			_, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10, Type: engine.Limit, LimitPrice: 97})
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s: bought %v at %v\n", f.Time.Format(time.DateOnly), f.Qty, f.Price)
	}
	// Output:
	// 2024-01-04: bought 10 at 97
}

// A stop sell (a stop-loss) triggers once a bar trades at or below its price and fills at the
// stop, or at the open when the bar gaps below it.
func ExampleEnv_Submit_stop() {
	bars := daily("AAPL",
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 102, 99, 101},
		[4]float64{94, 95, 93, 94}, // opens below the stop: fills at the open, 94
	)
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() == 2 {
			if _, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10}); err != nil {
				return err
			}
		}
		if env.Now().Day() == 3 { // held since this bar's open
			_, err := env.Submit(engine.Order{Symbol: "AAPL", Side: engine.Sell, Qty: 10, Type: engine.Stop, StopPrice: 96})
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s: %s %v at %v\n", f.Time.Format(time.DateOnly), f.Side, f.Qty, f.Price)
	}
	tr := res.Trades[0]
	fmt.Printf("round trip: P&L %v over %d bars\n", tr.PnL, tr.BarsHeld)
	// Output:
	// 2024-01-03: buy 10 at 100
	// 2024-01-04: sell 10 at 94
	// round trip: P&L -60 over 1 bars
}

// Time in force: the zero TIF is GTC, which waits until it fills; a Day order on daily bars has
// exactly the next bar to fill in, then expires.
func ExampleOrder() {
	bars := daily("AAPL",
		[4]float64{100, 101, 99, 100},
		[4]float64{100, 101, 98, 99},
		[4]float64{99, 99, 96, 97},
	)
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() != 2 {
			return nil
		}
		for _, tif := range []engine.TIF{engine.GTC, engine.Day} {
			o := engine.Order{Symbol: "AAPL", Side: engine.Buy, Qty: 10, Type: engine.Limit, LimitPrice: 97, TIF: tif}
			if _, err := env.Submit(o); err != nil {
				return err
			}
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Orders {
		fmt.Printf("%s %s limit %v: %s on %s\n", o.Order.TIF, o.Order.Side, o.Order.LimitPrice, o.Status, o.Closed.Format(time.DateOnly))
	}
	// Output:
	// gtc buy limit 97: filled on 2024-01-04
	// day buy limit 97: expired on 2024-01-03
}

// TargetPercent sizes a market order from equity at the last close, in whole shares, net of
// estimated costs, so that 100% fits a cash account.
func ExampleEnv_TargetPercent() {
	bars := daily("AAPL", [4]float64{100, 101, 99, 100}, [4]float64{102, 104, 101, 103})
	s := strategyFunc(func(env *engine.Env, bar data.Bar) error {
		if env.Now().Day() == 2 {
			_, err := env.TargetPercent("AAPL", 0.5)
			return err
		}
		return nil
	})
	res, err := engine.Run(context.Background(), engine.Config{Cash: 10000}, data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	f := res.Fills[0]
	fmt.Printf("bought %v at %v: %v of 10000\n", f.Qty, f.Price, f.Qty*f.Price)
	// Output:
	// bought 50 at 102: 5100 of 10000
}
