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

// split holds its two symbols long from their first bar and goes flat on their third: Target
// sizes each order from the equity and the run's symbols (half the equity each, filled at the
// next bar) and orders nothing while the position is already there.
type split struct {
	size strategies.Sizing
	seen map[string]int
}

func (s *split) Init(env *engine.Env) error {
	s.size.Split = len(env.Config().Provenance.Symbols) // pct=1 over two symbols: half each
	return s.size.Check(env.Config())
}

func (s *split) OnBar(env *engine.Env, bar data.Bar) error {
	s.seen[bar.Symbol]++
	side := 1 // long
	if s.seen[bar.Symbol] == 3 {
		side = 0 // flat
	}
	_, err := s.size.Target(env, bar.Symbol, side) // no order while the position is there
	return err
}

func ExampleSizing_Target() {
	open := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC) // 09:30 New York
	var bars []data.Bar
	for i := range 4 {
		t := open.Add(time.Duration(i) * time.Minute)
		bars = append(bars,
			data.Bar{Symbol: "AAA", Time: t, Open: 100, High: 100, Low: 100, Close: 100},
			data.Bar{Symbol: "BBB", Time: t, Open: 50, High: 50, Low: 50, Close: 50})
	}
	cfg := engine.Config{Cash: 10_000, Strategy: "split"}
	cfg.Provenance.Symbols = []string{"AAA", "BBB"}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars),
		&split{size: strategies.Sizing{Pct: 1}, seen: map[string]int{}})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range res.Fills {
		fmt.Printf("%s %s %v %v at %v\n", f.Time.Format("15:04"), f.Side, f.Symbol, f.Qty, f.Price)
	}

	// A fractional qty on an engine that trades whole shares fails in Init, before any bar.
	err = strategies.Sizing{Qty: 2.5}.Check(engine.Config{})
	fmt.Println(err)
	// Output:
	// 14:31 buy AAA 50 at 100
	// 14:31 buy BBB 100 at 50
	// 14:33 sell AAA 50 at 100
	// 14:33 sell BBB 100 at 50
	// bad parameter: qty=2.5 is fractional but the engine trades whole shares
}
