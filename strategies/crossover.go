package strategies

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

func init() {
	periods := func(fast, slow float64, what string) []Param {
		return withSizing(
			Param{Name: "fast", Description: "fast " + what + " period, in bars", Default: fast, Min: 1, Max: 100000, Integer: true},
			Param{Name: "slow", Description: "slow " + what + " period, in bars; above fast", Default: slow, Min: 2, Max: 100000, Integer: true},
		)
	}
	Register("sma", Spec{
		Description: "long while the fast SMA of closes is above the slow one: buy on the cross up, sell on the cross down",
		Params:      periods(10, 30, "SMA"),
		New: func(p Params) (engine.Strategy, error) {
			return newCrossover(p, "sma", func(n int) average { return indicator.NewSMA(n) })
		},
	})
	Register("ema", Spec{
		Description: "long while the fast EMA of closes is above the slow one: buy on the cross up, sell on the cross down",
		Params:      periods(12, 26, "EMA"),
		New: func(p Params) (engine.Strategy, error) {
			return newCrossover(p, "ema", func(n int) average { return indicator.NewEMA(n) })
		},
	})
}

// average is what a crossover needs of a moving average.
type average interface {
	Update(x float64)
	Ready() bool
	Value() float64
}

// Crossover trades the cross of a fast and a slow moving average of closes.
type Crossover struct {
	base
	fast, slow int
	newAvg     func(int) average
	syms       symbols[crossState]
}

type crossState struct {
	fast, slow average
	cross      crossing
}

func newCrossover(p Params, name string, newAvg func(int) average) (*Crossover, error) {
	fast, slow := p.Int("fast"), p.Int("slow")
	if fast >= slow {
		return nil, Rejectf("%s needs fast (%d) below slow (%d)", name, fast, slow)
	}
	return &Crossover{base: baseOf(p), fast: fast, slow: slow, newAvg: newAvg}, nil
}

// OnBar implements engine.Strategy.
func (c *Crossover) OnBar(env *engine.Env, bar data.Bar) error {
	st := c.syms.get(bar.Symbol)
	if st == nil {
		st = c.syms.add(bar.Symbol, crossState{fast: c.newAvg(c.fast), slow: c.newAvg(c.slow)})
	}
	st.fast.Update(bar.Close)
	st.slow.Update(bar.Close)
	if !st.slow.Ready() {
		return nil
	}
	if x := st.cross.update(st.fast.Value() - st.slow.Value()); x != 0 {
		if _, err := c.size.Target(env, bar.Symbol, x); err != nil {
			return err
		}
	}
	return nil
}
