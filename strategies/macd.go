package strategies

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

func init() {
	Register("macd", Spec{
		Description: "long while the MACD line is above its signal line: buy on the cross up, sell on the cross down",
		Params: withSizing(
			Param{Name: "fast", Description: "fast EMA period", Default: 12, Min: 1, Max: 100000, Integer: true},
			Param{Name: "slow", Description: "slow EMA period; above fast", Default: 26, Min: 2, Max: 100000, Integer: true},
			Param{Name: "signal", Description: "signal line EMA period", Default: 9, Min: 1, Max: 100000, Integer: true},
		),
		New: func(p Params) (engine.Strategy, error) {
			m := &MACD{base: baseOf(p), fast: p.Int("fast"), slow: p.Int("slow"), signal: p.Int("signal")}
			if m.fast >= m.slow {
				return nil, Rejectf("macd needs fast (%d) below slow (%d)", m.fast, m.slow)
			}
			return m, nil
		},
	})
}

// MACD trades the MACD line crossing its signal line.
type MACD struct {
	base
	fast, slow, signal int
	syms               symbols[macdState]
}

type macdState struct {
	macd  *indicator.MACD
	cross crossing
}

// OnBar implements engine.Strategy.
func (m *MACD) OnBar(env *engine.Env, bar data.Bar) error {
	st := m.syms.get(bar.Symbol)
	if st == nil {
		st = m.syms.add(bar.Symbol, macdState{macd: indicator.NewMACD(m.fast, m.slow, m.signal)})
	}
	st.macd.Update(bar.Close)
	if !st.macd.Ready() {
		return nil
	}
	if x := st.cross.update(st.macd.Histogram()); x != 0 {
		if _, err := m.size.Target(env, bar.Symbol, x); err != nil {
			return err
		}
	}
	return nil
}
