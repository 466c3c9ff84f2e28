// Package momentum is a strategy written outside barkeep's own packages, in a module of its
// own: it registers itself as "momentum" in its init, exactly as a built-in does, so that any
// program importing it for that side effect (as main.go does) can backtest it by name.
package momentum

import (
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
	state  map[string]*state // created when a symbol is first seen
}

type state struct {
	sma *indicator.SMA
	atr *indicator.ATR
}

func init() {
	strategies.Register("momentum", strategies.Spec{
		Description: "buy when the close is band ATRs above its SMA, sell when it falls below the SMA",
		Params: append([]strategies.Param{
			{Name: "period", Description: "SMA and ATR period, in bars", Default: 20, Min: 2, Max: 10000, Integer: true},
			{Name: "band", Description: "entry distance above the SMA, in ATRs", Default: 0.5, Min: 0, Max: 10},
		}, strategies.SizingParams...), // pct= and qty=, as every built-in takes them
		New: func(p strategies.Params) (engine.Strategy, error) {
			return &Momentum{period: p.Int("period"), band: p.Get("band"), size: strategies.SizingOf(p),
				state: map[string]*state{}}, nil
		},
	})
}

// Init implements engine.Initer. It splits pct across the run's symbols, as the built-ins do,
// so that pct=1 over two symbols holds half the equity in each rather than letting the first
// signal take all the cash, and refuses a size the engine would reject on every order.
func (m *Momentum) Init(env *engine.Env) error {
	cfg := env.Config()
	m.size.Split = len(cfg.Provenance.Symbols)
	return m.size.Check(cfg)
}

// OnBar implements engine.Strategy: it decides at the bar's close; the engine fills the order
// at the next bar's open.
func (m *Momentum) OnBar(env *engine.Env, bar data.Bar) error {
	st, ok := m.state[bar.Symbol]
	if !ok {
		st = &state{sma: indicator.NewSMA(m.period), atr: indicator.NewATR(m.period)}
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
