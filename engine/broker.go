package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// qtyEps absorbs float residue in fractional quantities: a position within it of zero is flat.
const qtyEps = 1e-9

// match tries the open orders of symbol si against bar b, in submission order. It runs after the
// bar's close is known to the portfolio and before the strategy sees the bar.
func (e *Env) match(si int32, b *data.Bar, t int64) {
	s := e.syms[si]
	e.busy = si
	for k := 0; k < len(s.pending); k++ {
		i := int(s.pending[k])
		os := e.ostate.at(i)
		if !os.open || os.notBefore >= t {
			continue
		}
		o := &e.orders.at(i).Order
		if o.TIF == Day && e.intraday {
			if os.expires == 0 {
				os.expires = e.dayEnd(o, s)
			}
			if t >= os.expires {
				e.close(i, Expired, b.Time, "day order expired: its session ended")
				continue
			}
		}
		if !e.regular && !o.ExtendedHours && !s.crypto {
			continue // outside the regular session: it waits for the next one
		}
		ref, slip, ok := fillPrice(o, os, b)
		if ok {
			price := ref
			if slip {
				price *= 1 + float64(o.Side)*e.cfg.SlippageBps/1e4
			}
			e.execute(i, ref, price, b.Time)
			continue
		}
		if o.TIF == Day && !e.intraday {
			// A day order placed at a daily bar's close gets the next session, then expires.
			e.close(i, Expired, e.Now(), "day order expired: its session ended")
		}
	}
	s.compact(&e.ostate)
	e.busy = -1
}

// fillPrice applies the fill rules of the package documentation to one bar: the price before
// slippage, whether slippage applies, and whether the order fills at all. It marks a stop-limit
// as triggered when its stop is hit without a fill.
func fillPrice(o *Order, os *orderState, b *data.Bar) (price float64, slip, ok bool) {
	buy := o.Side == Buy
	switch o.Type {
	case Market:
		return b.Open, true, true
	case Limit:
		return limitFill(buy, o.LimitPrice, b.Open, b)
	case Stop:
		if buy && b.High >= o.StopPrice {
			return math.Max(b.Open, o.StopPrice), true, true
		}
		if !buy && b.Low <= o.StopPrice {
			return math.Min(b.Open, o.StopPrice), true, true
		}
	case StopLimit:
		if os.triggered {
			return limitFill(buy, o.LimitPrice, b.Open, b)
		}
		S, L := o.StopPrice, o.LimitPrice
		if buy && b.High >= S {
			os.triggered = true
			p := math.Max(b.Open, S)
			if p <= L {
				return p, false, true
			}
			// Triggered above the limit: only a trigger at the open leaves the whole rest of the
			// bar, its low included, after the trigger.
			if b.Open >= S && b.Low <= L {
				return L, false, true
			}
		}
		if !buy && b.Low <= S {
			os.triggered = true
			p := math.Min(b.Open, S)
			if p >= L {
				return p, false, true
			}
			if b.Open <= S && b.High >= L {
				return L, false, true
			}
		}
	}
	return 0, false, false
}

func limitFill(buy bool, L, open float64, b *data.Bar) (float64, bool, bool) {
	if buy && b.Low <= L {
		return math.Min(open, L), false, true
	}
	if !buy && b.High >= L {
		return math.Max(open, L), false, true
	}
	return 0, false, false
}

// execute fills order i at price (ref, the rules' price, with slippage) if the account allows it,
// and rejects it with a reason otherwise.
func (e *Env) execute(i int, ref, price float64, t time.Time) {
	os := e.ostate.at(i)
	o := &e.orders.at(i).Order
	s := e.syms[os.sym]
	qty := o.Qty
	reason := e.refuse(s, o.Side, qty, price, t)
	if reason != "" && os.sized {
		if q := e.fitting(s, o.Side, qty, price, t); q > 0 {
			reason = ""
			// The record keeps the order as submitted; the fill says what was done.
			e.orders.at(i).Reason = fmt.Sprintf("filled %g of %g: reduced to fit buying power at the fill price", q, qty)
			qty = q
		}
	}
	if reason != "" {
		e.close(i, Rejected, t, reason)
		return
	}
	comm, fees := e.costs(o.Side, qty, price, t)
	e.apply(s, o.Side, qty, price, comm, fees, t)
	f := Fill{
		OrderID: OrderID(i + 1), Symbol: s.pos.Symbol, Side: o.Side, Qty: qty, Price: price,
		Time: t, Commission: comm, Fees: fees, RefPrice: ref, Slippage: qty * math.Abs(price-ref),
	}
	e.fills.add(f)
	e.orders.at(i).FillPrice = price
	if e.fillObs != nil {
		e.fillObs.OnFill(e, f)
	}
	e.close(i, Filled, t, e.orders.at(i).Reason)
}

// refuse says why a fill of qty at price cannot happen, or "" if it can. Fills that do not add to
// gross exposure are always allowed; others must keep a cash account's cash non-negative and
// gross exposure within Leverage times equity, both measured after the fill with this symbol at
// the fill price and the others at their last closes.
func (e *Env) refuse(s *symState, side Side, qty, price float64, t time.Time) string {
	q0 := s.pos.Qty
	q1 := q0 + float64(side)*qty
	if !e.cfg.Short && q1 < -qtyEps {
		return fmt.Sprintf("sell of %g exceeds the %g held and short selling is off", qty, math.Max(q0, 0))
	}
	if math.Abs(q1) <= math.Abs(q0)+qtyEps && (q1 >= 0) == (q0 >= 0) || math.Abs(q1) <= qtyEps {
		return ""
	}
	comm, fees := e.costs(side, qty, price, t)
	cash := e.cash - float64(side)*qty*price - comm - fees
	equity, gross := cash+q1*price, math.Abs(q1)*price
	for _, id := range e.held {
		if id == s.id {
			continue
		}
		p := &e.syms[id].pos
		equity += p.Qty * p.LastPrice
		gross += math.Abs(p.Qty * p.LastPrice)
	}
	lev := e.cfg.Leverage
	if lev <= 1 && side == Buy && cash < -1e-9 {
		return fmt.Sprintf("insufficient cash: buying %g at %.4f costs %.2f with costs, cash is %.2f",
			qty, price, qty*price+comm+fees, e.cash)
	}
	if gross > lev*equity*(1+1e-12)+1e-9 {
		return fmt.Sprintf("exceeds leverage %g: gross exposure %.2f would be over %g x equity %.2f",
			lev, gross, lev, equity)
	}
	return ""
}

// fitting finds the largest quantity up to qty that refuse accepts, in whole shares unless
// Fractional (then to 1e-6 of a share), by bisection: it runs only when a sized order would
// otherwise be rejected.
func (e *Env) fitting(s *symState, side Side, qty, price float64, t time.Time) float64 {
	unit := 1.0
	if e.cfg.Fractional {
		unit = 1e-6
	}
	lo, hi := 0.0, math.Floor(qty/unit) // in units; lo always fits (no order)
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if e.refuse(s, side, mid*unit, price, t) == "" {
			lo = mid
		} else {
			hi = mid
		}
	}
	if hi > lo && e.refuse(s, side, hi*unit, price, t) == "" {
		lo = hi
	}
	return lo * unit
}
