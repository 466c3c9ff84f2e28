package strategies_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies"
)

// Streak buys after a run of down closes and sells after the first up close.
type Streak struct {
	down  int
	size  strategies.Sizing
	state map[string]*streakState // per symbol, made when it is first seen
}

type streakState struct {
	last  float64
	downs int
}

// init registers the strategy as a package of your own would: a program that imports the
// package, even only for this side effect, can then build it by name with strategies.New,
// and the backtest command of app.Backtest runs it with --strategy streak.
func init() {
	strategies.Register("streak", strategies.Spec{
		Description: "buy after down consecutive down closes, sell after an up close",
		Params: append([]strategies.Param{
			{Name: "down", Description: "down closes in a row to buy after", Default: 3, Min: 1, Max: 50, Integer: true},
		}, strategies.SizingParams...), // pct= and qty=, as the built-ins take them
		New: func(p strategies.Params) (engine.Strategy, error) {
			return &Streak{down: p.Int("down"), size: strategies.SizingOf(p), state: map[string]*streakState{}}, nil
		},
	})
}

// OnBar implements engine.Strategy.
func (s *Streak) OnBar(env *engine.Env, bar data.Bar) error {
	st, ok := s.state[bar.Symbol]
	if !ok {
		s.state[bar.Symbol] = &streakState{last: bar.Close}
		return nil
	}
	switch {
	case bar.Close < st.last:
		st.downs++
	case bar.Close > st.last:
		st.downs = 0
	}
	up := bar.Close > st.last
	st.last = bar.Close
	held := env.Position(bar.Symbol).Qty > 0
	switch {
	case !held && st.downs >= s.down:
		_, err := s.size.Target(env, bar.Symbol, 1) // long pct of equity, or qty shares
		return err
	case held && up:
		_, err := s.size.Target(env, bar.Symbol, 0) // flat
		return err
	}
	return nil
}

func ExampleRegister() {
	s, params, err := strategies.New("streak", map[string]string{"down": "2", "qty": "10"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("streak down=%d qty=%v\n", params.Int("down"), params.Get("qty"))

	open := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC) // 09:30 New York: minute bars
	var bars []data.Bar
	for i, c := range []float64{100, 99, 98, 99, 98, 97, 96, 97, 98} {
		bars = append(bars, data.Bar{Symbol: "SPY", Time: open.Add(time.Duration(i) * time.Minute),
			Open: c, High: c, Low: c, Close: c})
	}
	res, err := engine.Run(context.Background(), engine.Config{Strategy: "streak", Params: params.Strings()},
		data.NewSliceIterator(bars), s)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range res.Trades {
		fmt.Printf("bought %v at %v, sold at %v\n", t.Qty, t.EntryPrice, t.ExitPrice)
	}
	// Output:
	// streak down=2 qty=10
	// bought 10 at 99, sold at 98
	// bought 10 at 96, sold at 98
}
