package strategies

import (
	"github.com/barkeep-trading/barkeep/engine"
)

// ExitParams are the protective exits every built-in can attach to its entries; a strategy of
// your own embedding the same logic can append them to its Spec.Params and read them with
// ExitsOf. Each is a fraction of the entry price, 0 for none.
var ExitParams = []Param{
	{Name: "stop_loss", Description: "stop-loss: exit when the price moves this fraction of the entry price against the position; 0 is none", Default: 0, Min: 0, Max: 1, MaxExclusive: true},
	{Name: "take_profit", Description: "take-profit: exit when the price moves this fraction of the entry price in the position's favour; 0 is none", Default: 0, Min: 0, Max: 1, MaxExclusive: true},
	{Name: "trail", Description: "trailing stop: exit when the price falls this fraction from its best since entry (rises, for a short); 0 is none", Default: 0, Min: 0, Max: 1, MaxExclusive: true},
}

// Exits are the exits attached to each entry, as fractions of the entry price.
type Exits struct {
	StopLoss, TakeProfit, Trail float64
}

// ExitsOf reads the stop_loss, take_profit and trail parameters.
func ExitsOf(p Params) Exits {
	return Exits{StopLoss: p.Get("stop_loss"), TakeProfit: p.Get("take_profit"), Trail: p.Get("trail")}
}

// On reports whether any exit is set.
func (x Exits) On() bool { return x.StopLoss > 0 || x.TakeProfit > 0 || x.Trail > 0 }

// Order is the exit order for position p: an OCO order whose legs are the take-profit limit and
// the stop-loss, a stop that trails when Trail is set (the tighter of the fixed stop and the
// trail), priced from the position's average entry price. With one exit set it is that exit
// alone (an OCO with one leg), so that its fill counts as its exit reason.
func (x Exits) Order(p engine.Position) engine.Order {
	long := p.Qty > 0
	o := engine.Order{Symbol: p.Symbol, Side: engine.Sell, Qty: p.Qty, Class: engine.OCO, Tag: "exit"}
	sign := 1.0
	if !long {
		o.Side, o.Qty, sign = engine.Buy, -p.Qty, -1
	}
	if x.TakeProfit > 0 {
		o.TakeProfit = p.AvgCost * (1 + sign*x.TakeProfit)
	}
	if x.StopLoss > 0 {
		o.StopLoss = p.AvgCost * (1 - sign*x.StopLoss)
	}
	o.TrailPercent = x.Trail * 100
	return o
}

// exitIDs are the orders of a symbol's exit: the take-profit or lone leg, and the second leg of
// a pair.
type exitIDs [2]engine.OrderID

// OnFill implements engine.FillObserver: a fill of the strategy's own orders (an entry, an add,
// a reversal) replaces the symbol's exits with ones for the whole position, priced from its
// average entry price. They are placed when the entry fills and work from the next bar; the
// signal that moves the position cancels them first (Sizing.Target replaces a symbol's orders).
func (b *base) OnFill(env *engine.Env, f engine.Fill) {
	if !b.exits.On() {
		return
	}
	ids := b.held.get(f.Symbol)
	if ids == nil {
		ids = b.held.add(f.Symbol, exitIDs{})
	}
	if ids[0] == f.OrderID || ids[1] == f.OrderID {
		return // an exit filling: the engine cancels its other leg
	}
	for _, id := range ids {
		if id != 0 && env.IsOpen(id) {
			// Cancelling one leg cancels both; the error can only say it was closed already.
			_ = env.Cancel(id)
		}
	}
	*ids = exitIDs{}
	p := env.Position(f.Symbol)
	if p.Qty == 0 {
		return
	}
	o := b.exits.Order(p)
	// A refused exit is recorded as rejected with its reason; OnFill has no error to return.
	id, err := env.Submit(o)
	if err != nil {
		return
	}
	ids[0] = id
	if o.TakeProfit > 0 && (o.StopLoss > 0 || o.TrailPercent > 0) {
		ids[1] = id + 1
	}
}

// working reports whether symbol has open orders other than its exits: a signal waits for
// them, not for the exits, which stay open as long as the position.
func (b *base) working(env *engine.Env, symbol string) bool {
	n := env.OpenOrders(symbol)
	if ids := b.held.get(symbol); ids != nil {
		for _, id := range ids {
			if id != 0 && env.IsOpen(id) {
				n--
			}
		}
	}
	return n > 0
}
