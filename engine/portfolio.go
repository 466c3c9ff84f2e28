package engine

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// roundTrip accumulates the open Trade of one symbol.
type roundTrip struct {
	active     bool
	side       Side
	qty        float64 // entered
	entryValue float64 // sum of entry qty*price
	exitQty    float64
	exitValue  float64
	realized   float64 // gross
	costs      float64
	entryTime  time.Time
	entryBar   int
}

// apply books a fill: cash, position, realised P&L and the round trip it belongs to. A fill that
// crosses zero closes one round trip and opens another; its commission and fees are split
// between them in proportion to quantity.
func (e *Env) apply(s *symState, side Side, qty, price, comm, fees float64, t time.Time, exit ExitReason) {
	cost := comm + fees
	e.cash -= float64(side)*qty*price + cost
	p := &s.pos
	q0 := p.Qty
	if q0 == 0 || (q0 > 0) == (side == Buy) {
		if q0 == 0 {
			s.trade = roundTrip{active: true, side: side, entryTime: t, entryBar: s.bars}
		}
		a := math.Abs(q0)
		p.AvgCost = (a*p.AvgCost + qty*price) / (a + qty)
		p.Qty = q0 + float64(side)*qty
		s.trade.qty += qty
		s.trade.entryValue += qty * price
		s.trade.costs += cost
		e.setHeld(s)
		return
	}
	closing := math.Min(qty, math.Abs(q0))
	dir := 1.0
	if q0 < 0 {
		dir = -1
	}
	r := (price - p.AvgCost) * closing * dir
	p.Realized += r
	tr := &s.trade
	tr.realized += r
	tr.exitQty += closing
	tr.exitValue += closing * price
	closeCost := cost * closing / qty
	tr.costs += closeCost
	q1 := q0 + float64(side)*qty
	if math.Abs(q1) <= qtyEps {
		q1 = 0
	}
	switch {
	case q1 == 0:
		e.closeTrade(s, t, exit)
		p.Qty, p.AvgCost = 0, 0
	case (q1 > 0) != (q0 > 0):
		e.closeTrade(s, t, exit)
		rest := qty - closing
		s.trade = roundTrip{active: true, side: side, qty: rest, entryValue: rest * price,
			costs: cost - closeCost, entryTime: t, entryBar: s.bars}
		p.Qty, p.AvgCost = q1, price
	default:
		p.Qty = q1
	}
	e.setHeld(s)
}

func (e *Env) closeTrade(s *symState, t time.Time, exit ExitReason) {
	x := s.trade.result(s.pos.Symbol, t, s.bars-s.trade.entryBar, false)
	x.ExitReason = exit
	e.trades.add(x)
	s.trade = roundTrip{}
}

// result turns an accumulated round trip into a Trade exiting at t after bars bars.
func (tr *roundTrip) result(symbol string, t time.Time, bars int, open bool) Trade {
	x := Trade{
		Symbol: symbol, Side: tr.side, Qty: tr.qty,
		EntryTime: tr.entryTime, EntryPrice: tr.entryValue / tr.qty,
		ExitTime: t, BarsHeld: bars, Commission: tr.costs, Open: open,
		PnL: tr.realized - tr.costs,
	}
	if tr.exitQty > 0 {
		x.ExitPrice = tr.exitValue / tr.exitQty
	}
	if tr.entryValue > 0 {
		x.Return = x.PnL / tr.entryValue
	}
	return x
}

// setHeld keeps e.held, the symbols with a position, in step with s.
func (e *Env) setHeld(s *symState) {
	switch {
	case s.pos.Qty != 0 && s.heldAt < 0:
		s.heldAt = int32(len(e.held))
		e.held = append(e.held, s.id)
	case s.pos.Qty == 0 && s.heldAt >= 0:
		last := e.held[len(e.held)-1]
		e.held[s.heldAt] = last
		e.syms[last].heldAt = s.heldAt
		e.held = e.held[:len(e.held)-1]
		s.heldAt = -1
	}
}

// mark appends the equity point of the timestamp just handled.
func (e *Env) mark() {
	var long, short float64
	for _, id := range e.held {
		p := &e.syms[id].pos
		if mv := p.Qty * p.LastPrice; mv > 0 {
			long += mv
		} else {
			short += mv
		}
	}
	c := &e.curve
	if c.i == blockLen || c.cur == nil {
		c.grow()
	}
	c.cur[c.i] = EquityPoint{UnixNano: e.nowNs, Cash: e.cash, Long: long, Short: short}
	c.i++
}

// curve is the equity curve as marks, in blocks that are recycled from run to run once their
// marks have become the Result's EquityPoints: a minute-bar run makes millions of marks, and
// fresh memory for them costs more (zeroing, page faults, collections) than writing them.
type curve struct {
	blocks []*markBlock // full blocks
	cur    *markBlock   // the block being filled, nil before the first mark
	i      int          // marks in cur
}

type markBlock [blockLen]EquityPoint

var markBlocks = sync.Pool{New: func() any { return new(markBlock) }}

func (c *curve) grow() {
	if c.cur != nil {
		c.blocks = append(c.blocks, c.cur)
	}
	c.cur, c.i = markBlocks.Get().(*markBlock), 0
}

func (c *curve) len() int { return len(c.blocks)*blockLen + c.i }

// points builds the Result's equity curve from the marks and recycles their blocks.
func (e *Env) points() []EquityPoint {
	c := &e.curve
	out := make([]EquityPoint, c.len())
	if c.cur == nil {
		return out
	}
	i := 0
	conv := func(ms []EquityPoint) { i += copy(out[i:], ms) }
	// A pooled block stays in memory until two collections have passed, beside the points
	// made from it; the marks of a curve longer than poolBlocks (years of minute bars) are let
	// go of instead, so that a run's peak holds one copy of its curve, not two.
	keep := len(c.blocks) < poolBlocks
	for i, b := range c.blocks {
		conv(b[:])
		c.blocks[i] = nil
		if keep {
			markBlocks.Put(b)
		}
	}
	conv(c.cur[:c.i])
	if keep {
		markBlocks.Put(c.cur)
	}
	*c = curve{}
	return out
}

// poolBlocks is the length in blocks (of blockLen marks) from which a curve's blocks are not
// recycled: about a year of one symbol's minute bars in the regular session.
const poolBlocks = 24

// positions returns every symbol's final position, sorted by symbol.
func (e *Env) positions() []Position {
	out := make([]Position, 0, len(e.syms))
	for _, s := range e.syms {
		out = append(out, s.pos)
	}
	slices.SortFunc(out, func(a, b Position) int { return strings.Compare(a.Symbol, b.Symbol) })
	return out
}

// openTrades lists round trips still open, marked at the last close as if the rest were sold
// there without costs, sorted by symbol.
func (e *Env) openTrades() []Trade {
	var out []Trade
	for _, s := range e.syms {
		tr := s.trade
		if !tr.active {
			continue
		}
		rest := math.Abs(s.pos.Qty)
		last := s.pos.LastPrice
		tr.realized += s.pos.Unrealized()
		tr.exitValue += rest * last
		tr.exitQty += rest
		x := tr.result(s.pos.Symbol, e.Now(), s.bars-tr.entryBar+1, true)
		x.ExitReason = ExitEnd
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Trade) int { return strings.Compare(a.Symbol, b.Symbol) })
	return out
}

// finance charges, at the first timestamp of a New York date after another, the borrow fees
// and margin interest of the days since: on the short market value and the negative cash as
// they stood at the previous date's last close, each day at rate / 360 as Alpaca computes them,
// a Friday's charge covering the weekend.
func (e *Env) finance(bt time.Time) {
	y, m, d := bt.In(nyLoc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if e.finSet && day > e.finDay {
		days := float64(day - e.finDay)
		short := 0.0
		for _, id := range e.held {
			if p := &e.syms[id].pos; p.Qty < 0 {
				short -= p.Qty * p.LastPrice
			}
		}
		borrow := short * e.cfg.BorrowRate / 360 * days
		interest := math.Max(-e.cash, 0) * e.cfg.MarginRate / 360 * days
		e.cash -= borrow + interest
		e.borrowPaid += borrow
		e.interestPaid += interest
	}
	e.finDay, e.finSet = day, true
}
