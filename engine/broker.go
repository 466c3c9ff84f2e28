package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
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
		if !os.open || os.waiting || os.notBefore >= t || os.matched == t {
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
		if o.TIF == OPG || o.TIF == CLS {
			e.matchAuction(i, b, t)
			continue
		}
		if !e.regular && !o.ExtendedHours && !s.crypto {
			continue // outside the regular session: it waits for the next one
		}
		if os.group != 0 {
			e.matchPair(s, os.group, b, t)
			continue
		}
		if ref, slip, ok := fillPrice(o, os, b); ok {
			e.fill(i, ref, slip, b.Time, b, t)
		}
		e.expireDaily(i)
	}
	s.compact(&e.ostate)
	e.busy = -1
}

// expireDaily expires a day order still open after its one daily bar: a day order placed at a
// daily bar's close gets the next session, then expires.
func (e *Env) expireDaily(i int) {
	if os := e.ostate.at(i); os.open && !e.intraday && e.orders.at(i).Order.TIF == Day {
		e.close(i, Expired, e.Now(), "day order expired: its session ended")
	}
}

// matchPair matches the two legs of OCO pair g (1 + the index of its first order) against b
// together: a fill of one cancels the other, so the bar must say which came first. One that
// fills at the open did; otherwise the bar does not tell, and the stop-loss is taken, the
// pessimistic choice, counted in Result.AmbiguousFills.
func (e *Env) matchPair(s *symState, g int32, b *data.Bar, t int64) {
	var (
		idx  [2]int
		ref  [2]float64
		slip [2]bool
		ok   [2]bool
		n    int
	)
	for _, pi := range s.pending {
		j := int(pi)
		if os := e.ostate.at(j); os.open && !os.waiting && os.group == g && os.notBefore < t && n < 2 {
			idx[n] = j
			n++
		}
	}
	stop := -1
	for m := 0; m < n; m++ {
		os := e.ostate.at(idx[m])
		os.matched = t
		ref[m], slip[m], ok[m] = fillPrice(&e.orders.at(idx[m]).Order, os, b)
		if !os.takeProfit {
			stop = m
		}
	}
	win := -1
	switch {
	case n == 2 && ok[0] && ok[1]:
		switch {
		case ref[stop] == b.Open:
			win = stop
		case ref[1-stop] == b.Open:
			win = 1 - stop
		default:
			win = stop
			e.ambiguous++
		}
	case ok[0]:
		win = 0
	case n == 2 && ok[1]:
		win = 1
	}
	if win >= 0 {
		e.fill(idx[win], ref[win], slip[win], b.Time, b, t)
	}
	for m := 0; m < n; m++ {
		e.expireDaily(idx[m])
	}
}

// matchAuction matches an OPG or CLS order against b: on intraday bars it trades at the open of
// the symbol's first bar of its session (OPG) or at the close of the bar that ends at the
// session's close (CLS), and expires if its session passes without that bar; on daily bars it
// trades at the next bar's open or close. What does not fill there is cancelled.
func (e *Env) matchAuction(i int, b *data.Bar, t int64) {
	os := e.ostate.at(i)
	o := &e.orders.at(i).Order
	if !e.intraday {
		e.auctionFill(i, o, b, t)
		return
	}
	if os.sessOpen == 0 {
		// Placed in Init: the first auction at or after the symbol's first bar.
		bt := time.Unix(0, t)
		ss, ok := calendar.SessionOn(bt)
		if !ok || o.TIF == OPG && t > ss.Open.UnixNano() || o.TIF == CLS && t >= ss.Close.UnixNano() {
			ss = calendar.NextSession(bt)
		}
		os.sessOpen, os.sessClose = ss.Open.UnixNano(), ss.Close.UnixNano()
	}
	switch {
	case t >= os.sessClose:
		what := "open"
		if o.TIF == CLS {
			what = "close"
		}
		e.close(i, Expired, b.Time, fmt.Sprintf("%s order expired: no bar at its session's %s", o.TIF, what))
	case o.TIF == OPG && t >= os.sessOpen, o.TIF == CLS && t+e.step >= os.sessClose:
		e.auctionFill(i, o, b, t)
	}
}

// auctionFill fills OPG or CLS order i at b's open or close, a limit only if that price
// satisfies it, and cancels what is left.
func (e *Env) auctionFill(i int, o *Order, b *data.Bar, t int64) {
	px, at, what := b.Open, b.Time, "opening"
	if o.TIF == CLS {
		px, at, what = b.Close, e.Now(), "closing"
	}
	ok := o.Type == Market || o.Side == Buy && px <= o.LimitPrice || o.Side == Sell && px >= o.LimitPrice
	if ok {
		e.fill(i, px, o.Type == Market, at, b, t)
	}
	if e.ostate.at(i).open {
		e.close(i, Cancelled, at, fmt.Sprintf("%s order: not filled at the %s price %g", e.orders.at(i).Order.TIF, what, px))
	}
}

// fillPrice applies the fill rules of the package documentation to one bar: the price before
// slippage, whether slippage applies, and whether the order fills at all. It marks a stop-limit
// as triggered when its stop is hit without a fill, and moves a trailing stop's mark. It reads
// only the bar and the order's state, so that it can be walked over finer bars.
func fillPrice(o *Order, os *orderState, b *data.Bar) (price float64, slip, ok bool) {
	buy := o.Side == Buy
	switch o.Type {
	case Market:
		return b.Open, true, true
	case Limit:
		return limitFill(buy, o.LimitPrice, b.Open, b)
	case Stop:
		if os.triggered { // partly filled: the rest is a market order
			return b.Open, true, true
		}
		if buy && b.High >= o.StopPrice {
			return math.Max(b.Open, o.StopPrice), true, true
		}
		if !buy && b.Low <= o.StopPrice {
			return math.Min(b.Open, o.StopPrice), true, true
		}
	case TrailingStop:
		return trailFill(o, os, b)
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

// trailFill is fillPrice for a trailing stop. Its mark (the best price since it became active:
// the highest for a sell, the lowest for a buy) first takes the bar's open; the stop is the mark
// less the trail (more, for a buy), or the order's fixed stop where that is tighter, and the bar
// triggers it as it would a stop. A bar that does not trigger it moves the mark to its high (low)
// for the next bar: within one bar, the trigger is checked against the level before the bar's
// extreme, since the bar does not say which came first.
func trailFill(o *Order, os *orderState, b *data.Bar) (float64, bool, bool) {
	if os.triggered {
		return b.Open, true, true
	}
	sell := o.Side == Sell
	best := os.best
	if best == 0 || sell && b.Open > best || !sell && b.Open < best {
		best = b.Open
	}
	stop, trail := trailLevel(o, best)
	os.best, os.trailHit = best, trail
	if sell && b.Low <= stop {
		return math.Min(b.Open, stop), true, true
	}
	if !sell && b.High >= stop {
		return math.Max(b.Open, stop), true, true
	}
	if sell {
		os.best = math.Max(best, b.High)
	} else {
		os.best = math.Min(best, b.Low)
	}
	return 0, false, false
}

// trailLevel is a trailing stop's stop price from its mark best, and whether the trailing level
// rather than the fixed stop (Order.StopPrice, on a stop-loss leg) sets it.
func trailLevel(o *Order, best float64) (float64, bool) {
	off := o.TrailPrice
	if o.TrailPercent > 0 {
		off = best * o.TrailPercent / 100
	}
	if o.Side == Sell {
		if lvl := best - off; o.StopPrice <= lvl {
			return lvl, true
		}
		return o.StopPrice, false
	}
	if lvl := best + off; o.StopPrice == 0 || o.StopPrice >= lvl {
		return lvl, true
	}
	return o.StopPrice, false
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

// fill executes order i at ref, the rules' price, with slippage if slip, stamped at.
func (e *Env) fill(i int, ref float64, slip bool, at time.Time, b *data.Bar, t int64) {
	price := ref
	if slip {
		price *= 1 + float64(e.orders.at(i).Order.Side)*e.cfg.SlippageBps/1e4
	}
	// Legs of an entry filled at the open trade on the rest of this bar, which all came after.
	e.legsFrom = t
	if ref == b.Open && at.Equal(b.Time) {
		e.legsFrom = t - 1
	}
	e.execute(i, ref, price, at, b, t)
	e.legsFrom = 0
}

// exitOf is what a fill of order o closes a trade as.
func exitOf(o *Order, os *orderState) ExitReason {
	switch {
	case os.takeProfit:
		return ExitTakeProfit
	case o.Type == TrailingStop && os.trailHit:
		return ExitTrail
	case o.Type == Stop || o.Type == StopLimit || o.Type == TrailingStop:
		return ExitStopLoss
	}
	return ExitSignal
}

// volumeLeft is what Config.MaxVolumePct leaves of bar b's volume for another fill of s.
func (e *Env) volumeLeft(s *symState, b *data.Bar, t int64) float64 {
	if s.volAt != t {
		s.volAt, s.volUsed = t, 0
	}
	v := e.cfg.MaxVolumePct/100*b.Volume - s.volUsed
	if !e.cfg.Fractional {
		v = math.Floor(v + 1e-9)
	}
	return math.Max(v, 0)
}

// execute fills what it can of order i at price (ref, the rules' price, with slippage) if the
// account allows it, and rejects it with a reason otherwise.
func (e *Env) execute(i int, ref, price float64, at time.Time, b *data.Bar, t int64) {
	os := e.ostate.at(i)
	o := &e.orders.at(i).Order
	s := e.syms[os.sym]
	qty, whole := os.rem, false
	if e.cfg.MaxVolumePct > 0 {
		if left := e.volumeLeft(s, b, t); left < qty-qtyEps {
			if qty = left; qty <= 0 {
				return // no volume left on this bar: it keeps working
			}
		}
	}
	reason := e.refuse(s, o.Side, qty, price, at)
	if reason != "" && os.sized {
		if q := e.fitting(s, o.Side, qty, price, at); q > 0 {
			reason, whole = "", true
			// The record keeps the order as submitted; the fill says what was done.
			e.orders.at(i).Reason = fmt.Sprintf("filled %g of %g: reduced to fit buying power at the fill price", q, os.rem)
			qty = q
		}
	}
	if reason != "" {
		e.close(i, Rejected, at, reason)
		return
	}
	comm, fees := e.costs(o.Side, s.crypto, qty, price, at)
	e.apply(s, o.Side, qty, price, comm, fees, at, exitOf(o, os))
	f := Fill{
		OrderID: OrderID(i + 1), Symbol: s.pos.Symbol, Side: o.Side, Qty: qty, Price: price,
		Time: at, Commission: comm, Fees: fees, RefPrice: ref, Slippage: qty * math.Abs(price-ref),
	}
	e.fills.add(f)
	if e.cfg.MaxVolumePct > 0 {
		s.volUsed += qty
	}
	os.rem -= qty
	os.filled += qty
	os.value += qty * price
	done := whole || os.rem <= qtyEps
	if !done {
		e.partials++
		os.triggered = os.triggered || o.Type == Stop || o.Type == TrailingStop
	}
	group := os.group
	r := e.orders.at(i)
	r.FillPrice, r.FilledQty = os.value/os.filled, os.filled
	if e.fillObs != nil {
		e.fillObs.OnFill(e, f) // it may place orders: the pointers above are stale after it
	}
	if done {
		e.close(i, Filled, at, e.orders.at(i).Reason)
	} else {
		r = e.orders.at(i)
		r.Status = PartiallyFilled
		e.notify(i, PartiallyFilled, at, "")
	}
	if group != 0 {
		e.reducePair(s, group, i, qty, at)
	}
}

// reducePair takes qty, just filled by order i, off the other order of OCO pair g, cancelling
// it once nothing is left: one exit filled is the position gone.
func (e *Env) reducePair(s *symState, g int32, i int, qty float64, at time.Time) {
	for k := 0; k < len(s.pending); k++ {
		j := int(s.pending[k])
		os := e.ostate.at(j)
		if j == i || !os.open || os.group != g {
			continue
		}
		if os.rem -= qty; os.rem <= qtyEps || os.waiting {
			e.close(j, Cancelled, at, "cancelled: the other order of its OCO pair filled")
			k = -1 // close may have compacted pending: start over
		}
	}
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
	comm, fees := e.costs(side, s.crypto, qty, price, t)
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
