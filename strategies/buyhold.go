package strategies

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

func init() {
	Register("buyhold", Spec{
		Description: "buy each symbol on its first bar and hold it to the end: the benchmark",
		Params:      withSizing(),
		New: func(p Params) (engine.Strategy, error) {
			return &BuyHold{base: baseOf(p)}, nil
		},
	})
}

// BuyHold buys each symbol once, at the open after its first bar, and never sells. With several
// symbols, pct is split equally among the run's symbols (see Sizing.Split). An order the
// engine rejects (unaffordable) is not retried, so a benchmark never buys late.
type BuyHold struct {
	base
	syms symbols[struct{}]
}

// OnBar implements engine.Strategy.
func (h *BuyHold) OnBar(env *engine.Env, bar data.Bar) error {
	if h.syms.get(bar.Symbol) != nil {
		return nil
	}
	h.syms.add(bar.Symbol, struct{}{})
	_, err := h.size.Target(env, bar.Symbol, 1)
	return err
}
