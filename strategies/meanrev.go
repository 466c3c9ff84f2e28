package strategies

import (
	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
	"github.com/barkeep-trading/barkeep/strategies/indicator"
)

func init() {
	Register("rsi", Spec{
		Description: "Wilder RSI mean reversion: buy when RSI closes below lower, sell when it closes above upper",
		Params: withSizing(
			Param{Name: "period", Description: "RSI period, in bars", Default: 14, Min: 1, Max: 100000, Integer: true},
			Param{Name: "lower", Description: "buy below this RSI", Default: 30, Min: 0, Max: 100},
			Param{Name: "upper", Description: "sell above this RSI; above lower", Default: 70, Min: 0, Max: 100},
		),
		New: func(p Params) (engine.Strategy, error) {
			r := &RSI{base: baseOf(p), period: p.Int("period"), lower: p.Get("lower"), upper: p.Get("upper")}
			if r.lower >= r.upper {
				return nil, Rejectf("rsi needs lower (%v) below upper (%v)", r.lower, r.upper)
			}
			return r, nil
		},
	})
	Register("bollinger", Spec{
		Description: "Bollinger mean reversion: buy on a close below the lower band, sell on a close at or above the middle",
		Params: withSizing(
			Param{Name: "period", Description: "SMA and standard deviation period, in bars", Default: 20, Min: 2, Max: 100000, Integer: true},
			Param{Name: "k", Description: "band width in standard deviations", Default: 2, Min: 0, Max: 10, MinExclusive: true},
		),
		New: func(p Params) (engine.Strategy, error) {
			return &Bollinger{base: baseOf(p), period: p.Int("period"), k: p.Get("k")}, nil
		},
	})
}

// RSI buys oversold and sells overbought closes. With shorts allowed it reverses: short above
// upper, long below lower.
type RSI struct {
	base
	period       int
	lower, upper float64
	syms         symbols[*indicator.RSI]
}

// OnBar implements engine.Strategy.
func (r *RSI) OnBar(env *engine.Env, bar data.Bar) error {
	st := r.syms.get(bar.Symbol)
	if st == nil {
		st = r.syms.add(bar.Symbol, indicator.NewRSI(r.period))
	}
	rsi := *st
	rsi.Update(bar.Close)
	if !rsi.Ready() || r.working(env, bar.Symbol) {
		return nil
	}
	side, want := sideOf(env, bar.Symbol), 0
	switch v := rsi.Value(); {
	case v < r.lower && side <= 0:
		want = 1
	case v > r.upper && (side > 0 || (side == 0 && env.Config().Short)):
		want = -1
	default:
		return nil
	}
	_, err := r.size.Target(env, bar.Symbol, want)
	return err
}

// Bollinger buys closes below the lower band and exits at the middle. With shorts allowed it
// also sells closes above the upper band short, covering at or below the middle.
type Bollinger struct {
	base
	period int
	k      float64
	syms   symbols[*indicator.Bollinger]
}

// OnBar implements engine.Strategy.
func (b *Bollinger) OnBar(env *engine.Env, bar data.Bar) error {
	st := b.syms.get(bar.Symbol)
	if st == nil {
		st = b.syms.add(bar.Symbol, indicator.NewBollinger(b.period, b.k))
	}
	bb := *st
	bb.Update(bar.Close)
	if !bb.Ready() || b.working(env, bar.Symbol) {
		return nil
	}
	c, want := bar.Close, 0
	switch side := sideOf(env, bar.Symbol); {
	case side > 0 && c >= bb.Middle(), side < 0 && c <= bb.Middle():
		want = 0
	case side == 0 && c < bb.Lower():
		want = 1
	case side == 0 && c > bb.Upper() && env.Config().Short:
		want = -1
	default:
		return nil
	}
	_, err := b.size.Target(env, bar.Symbol, want)
	return err
}
