package strategies

import (
	"fmt"
	"math"

	"github.com/barkeep-trading/barkeep/engine"
)

// SizingParams are the parameters every built-in takes; a strategy of your own can append them
// to its Spec.Params and size its positions with SizingOf.
var SizingParams = []Param{
	{Name: "pct", Description: "fraction of equity to invest, split equally across the run's symbols", Default: 1, Min: 0, Max: 10, MinExclusive: true},
	{Name: "qty", Description: "fixed position size in shares; 0 sizes by pct instead", Default: 0, Min: 0, Max: 1e9},
}

// withSizing returns params followed by SizingParams and ExitParams.
func withSizing(params ...Param) []Param {
	return append(append(params, SizingParams...), ExitParams...)
}

// Sizing turns a signal's side into an order for the difference from the current position.
type Sizing struct {
	Pct float64 // fraction of equity, used when Qty is 0
	Qty float64 // fixed shares
	// Split divides Pct among the symbols of a run, so that pct=1 over two symbols holds half
	// the equity in each rather than letting the first signal take all the cash. Init sets it
	// from the run's symbols; 0 or 1 means no split.
	Split int
}

// SizingOf reads the pct and qty parameters.
func SizingOf(p Params) Sizing { return Sizing{Pct: p.Get("pct"), Qty: p.Get("qty")} }

// Check fails early, in a strategy's Init, on a size the engine would reject on every order.
func (s Sizing) Check(cfg engine.Config) error {
	if s.Qty != 0 && !cfg.Fractional && s.Qty != math.Trunc(s.Qty) {
		return &ParamError{Param: "qty", Fault: NotWhole, Err: fmt.Errorf("qty=%v is fractional but the engine trades whole shares", s.Qty)}
	}
	return nil
}

// Target moves symbol's position to side: +1 long, -1 short, 0 flat, replacing any open orders
// of the symbol. A short target becomes flat unless the engine's Config.Short allows shorts, so
// strategies can say what they mean and stay long-only by default. It returns 0 when the
// position is already there.
func (s Sizing) Target(env *engine.Env, symbol string, side int) (engine.OrderID, error) {
	if side < 0 && !env.Config().Short {
		side = 0
	}
	var (
		id  engine.OrderID
		err error
	)
	switch {
	case side == 0:
		id, err = env.TargetQuantity(symbol, 0)
	case s.Qty > 0:
		id, err = env.TargetQuantity(symbol, float64(side)*s.Qty)
	default:
		pct := s.Pct
		if s.Split > 1 {
			pct /= float64(s.Split)
		}
		id, err = env.TargetPercent(symbol, float64(side)*pct)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: target %+d: %w", symbol, side, err)
	}
	return id, nil
}

// sideOf is the sign of the symbol's position.
func sideOf(env *engine.Env, symbol string) int {
	switch q := env.Position(symbol).Qty; {
	case q > 0:
		return 1
	case q < 0:
		return -1
	}
	return 0
}

// base holds what every built-in shares: sizing, checked once before the first bar, and the
// exits attached to each entry.
type base struct {
	size  Sizing
	exits Exits
	held  symbols[exitIDs]
}

func baseOf(p Params) base { return base{size: SizingOf(p), exits: ExitsOf(p)} }

// Init implements engine.Initer.
func (b *base) Init(env *engine.Env) error {
	cfg := env.Config()
	b.size.Split = len(cfg.Provenance.Symbols)
	return b.size.Check(cfg)
}

// symbols keeps per-symbol state in a slice, found through a map by symbol. Looking a string up
// in a map does not allocate, so neither does a bar of a symbol already seen.
type symbols[T any] struct {
	index map[string]int
	state []T
}

// get returns the state of sym, or nil if sym is new.
func (s *symbols[T]) get(sym string) *T {
	if i, ok := s.index[sym]; ok {
		return &s.state[i]
	}
	return nil
}

// add stores the state of a new symbol. Pointers from earlier get calls may be invalidated.
func (s *symbols[T]) add(sym string, v T) *T {
	if s.index == nil {
		s.index = map[string]int{}
	}
	s.index[sym] = len(s.state)
	s.state = append(s.state, v)
	return &s.state[len(s.state)-1]
}

// crossing tracks the side of a difference (fast-slow) and reports when it changes. Where the
// difference is exactly 0 the previous side holds, so below-equal-above is one cross, as
// backtrader's CrossOver counts it. The first side seen is not a cross.
type crossing struct{ side int8 }

// update returns +1 on a cross upwards, -1 on a cross downwards, 0 otherwise.
func (c *crossing) update(diff float64) int {
	var s int8
	switch {
	case diff > 0:
		s = 1
	case diff < 0:
		s = -1
	default:
		return 0
	}
	prev := c.side
	c.side = s
	if prev == 0 || prev == s {
		return 0
	}
	return int(s)
}
