package strategies

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

func init() {
	Register("breakout", Spec{
		Description: "Donchian breakout: buy on a close above the previous entry-bar high, sell on a close below the previous exit-bar low",
		Params: withSizing(
			Param{Name: "entry", Description: "bars of the high a close must break to enter (N)", Default: 20, Min: 1, Max: 100000, Integer: true},
			Param{Name: "exit", Description: "bars of the low a close must break to exit (M)", Default: 10, Min: 1, Max: 100000, Integer: true},
		),
		New: func(p Params) (engine.Strategy, error) {
			return &Breakout{base: baseOf(p), entry: p.Int("entry"), exit: p.Int("exit")}, nil
		},
	})
}

// Breakout is a Donchian channel breakout, the turtles' rule: the channels are those of the
// bars before the current one, so a close can break them. With shorts allowed it also sells
// short on a close below the previous entry-bar low and covers above the previous exit-bar high.
type Breakout struct {
	base
	entry, exit int
	syms        symbols[breakoutState]
}

type breakoutState struct{ in, out *indicator.Donchian }

// OnBar implements engine.Strategy.
func (b *Breakout) OnBar(env *engine.Env, bar data.Bar) error {
	st := b.syms.get(bar.Symbol)
	if st == nil {
		st = b.syms.add(bar.Symbol, breakoutState{indicator.NewDonchian(b.entry), indicator.NewDonchian(b.exit)})
	}
	// Decide against the channels of the previous bars, then add this bar to them.
	want, act := b.decide(env, st, bar)
	st.in.Update(bar.High, bar.Low)
	st.out.Update(bar.High, bar.Low)
	if !act {
		return nil
	}
	_, err := b.size.Target(env, bar.Symbol, want)
	return err
}

func (b *Breakout) decide(env *engine.Env, st *breakoutState, bar data.Bar) (want int, act bool) {
	in, out := st.in, st.out
	if !in.Ready() || !out.Ready() || env.OpenOrders(bar.Symbol) > 0 {
		return 0, false
	}
	c := bar.Close
	switch side := sideOf(env, bar.Symbol); {
	case side > 0 && c < out.Lower(), side < 0 && c > out.Upper():
		return 0, true
	case side <= 0 && c > in.Upper():
		return 1, true
	case side >= 0 && c < in.Lower() && env.Config().Short:
		return -1, true
	}
	return 0, false
}
