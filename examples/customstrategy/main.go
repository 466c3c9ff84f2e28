// Command customstrategy shows a strategy written outside barkeep's own packages: it registers
// itself with strategies.Register, exactly as a built-in does, is built by name with
// strategies.New, and is backtested with engine.Run on bars made in memory.
//
//	go run ./examples/customstrategy
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies"
	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

// Momentum holds a symbol while its close is above its SMA by more than band times the ATR, and
// sells when the close falls below the SMA.
type Momentum struct {
	period int
	band   float64
	size   strategies.Sizing
	state  map[string]*momentumState // created when a symbol is first seen
}

type momentumState struct {
	sma *indicator.SMA
	atr *indicator.ATR
}

func init() {
	strategies.Register("momentum", strategies.Spec{
		Description: "buy when the close is band ATRs above its SMA, sell when it falls below the SMA",
		Params: append([]strategies.Param{
			{Name: "period", Description: "SMA and ATR period, in bars", Default: 20, Min: 2, Max: 10000, Integer: true},
			{Name: "band", Description: "entry distance above the SMA, in ATRs", Default: 0.5, Min: 0, Max: 10},
		}, strategies.SizingParams...),
		New: func(p strategies.Params) (engine.Strategy, error) {
			return &Momentum{period: p.Int("period"), band: p.Get("band"), size: strategies.SizingOf(p),
				state: map[string]*momentumState{}}, nil
		},
	})
}

// OnBar implements engine.Strategy: it decides at the bar's close; the engine fills the order
// at the next bar's open.
func (m *Momentum) OnBar(env *engine.Env, bar data.Bar) error {
	st, ok := m.state[bar.Symbol]
	if !ok {
		st = &momentumState{sma: indicator.NewSMA(m.period), atr: indicator.NewATR(m.period)}
		m.state[bar.Symbol] = st
	}
	st.sma.Update(bar.Close)
	st.atr.Update(bar.High, bar.Low, bar.Close)
	if !st.sma.Ready() || !st.atr.Ready() || env.OpenOrders(bar.Symbol) > 0 {
		return nil
	}
	held := env.Position(bar.Symbol).Qty > 0
	switch {
	case !held && bar.Close > st.sma.Value()+m.band*st.atr.Value():
		_, err := m.size.Target(env, bar.Symbol, 1)
		return err
	case held && bar.Close < st.sma.Value():
		_, err := m.size.Target(env, bar.Symbol, 0)
		return err
	}
	return nil
}

// walk makes n daily bars of one symbol from a seeded random walk.
func walk(symbol string, n int, seed uint64) []data.Bar {
	rng := rand.New(rand.NewPCG(seed, seed))
	cents := func(x float64) float64 { return math.Round(x*100) / 100 }
	bars := make([]data.Bar, n)
	c := 100.0
	t := time.Date(2023, 1, 3, 5, 0, 0, 0, time.UTC)
	for i := range bars {
		o := cents(c * (1 + 0.002*rng.NormFloat64()))
		c = cents(o * (1 + 0.012*rng.NormFloat64() + 0.0004))
		bars[i] = data.Bar{Symbol: symbol, Time: t.AddDate(0, 0, i), Open: o, Close: c,
			High: cents(math.Max(o, c) * 1.004), Low: cents(math.Min(o, c) * 0.996), Volume: 1e5}
	}
	return bars
}

func main() {
	name := flag.String("strategy", "momentum", "registered strategy to run")
	list := flag.Bool("list", false, "list the registered strategies and exit")
	flag.Parse()
	if *list {
		if err := strategies.Describe(os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	raw := map[string]string{}
	for _, arg := range flag.Args() { // name=value parameters, as backtest takes them
		k, v, err := strategies.ParseParam(arg)
		if err != nil {
			log.Fatal(err)
		}
		raw[k] = v
	}
	s, params, err := strategies.New(*name, raw)
	if err != nil {
		log.Fatal(err)
	}
	cfg := engine.Config{
		Cash:       100000,
		Commission: engine.Commission{Kind: engine.PerShare, Rate: 0.005, Min: 1},
		Strategy:   *name,
		Params:     params.Strings(),
	}
	res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(walk("DEMO", 750, 7)), s)
	if err != nil {
		log.Fatal(err)
	}
	last := res.Equity[len(res.Equity)-1]
	fmt.Printf("%s %v on %d bars: %d trades, final equity %.2f (%+.2f%%)\n",
		*name, params, res.Bars, len(res.Trades), last.Equity, 100*(last.Equity/cfg.Cash-1))
	for _, tr := range res.Trades {
		state := "closed"
		if tr.Open {
			state = "open"
		}
		fmt.Printf("  %s %s %v @ %.2f -> %.2f  P&L %9.2f  %s\n", tr.EntryTime.Format(time.DateOnly),
			tr.Symbol, tr.Qty, tr.EntryPrice, tr.ExitPrice, tr.PnL, state)
	}
}
