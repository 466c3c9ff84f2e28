package engine

import (
	"context"
	"errors"

	"github.com/barkeep-trading/barkeep/data"
)

// Recorder takes a run's orders, fills and trades as they become final, so that a run over
// years of minute bars need not hold them all in memory: its records grow with the bars
// (a minute-bar strategy may trade every hour of every symbol), unlike its equity curve, which
// grows with the timestamps. A Recorder keeps any error of its own (a full disk, say) for its
// caller to check after the run.
type Recorder interface {
	// RecordOrder gets the orders in ID order, each once it and every order before it are
	// closed; the orders still open at the end of the run come last, as they stand.
	RecordOrder(OrderRecord)
	// RecordFill gets each fill as it happens.
	RecordFill(Fill)
	// RecordTrade gets each round trip as it closes, then those still open at the end of the
	// run, by symbol.
	RecordTrade(Trade)
}

// RunRecorded is Run handing the run's orders, fills and trades to rec in the order the Result
// would list them; the Result it returns has no Orders, Fills or Trades. The rest of the
// Result, the equity curve included, is Run's to the bit.
func RunRecorded(ctx context.Context, cfg Config, bars data.BarIterator, s Strategy, rec Recorder) (*Result, error) {
	if rec == nil {
		return nil, errors.New("engine: nil recorder")
	}
	return runWith(ctx, cfg, bars, s, rec)
}

// recording is an Env's side of a Recorder: how many orders it has been given, and their final
// statuses, which is all that Cancel may still ask of them once their records are let go.
type recording struct {
	Recorder
	flushed  int
	statuses []OrderStatus
}

// record points the Env's record stores at rec.
func (e *Env) record(rec Recorder) {
	e.rec.Recorder = rec
	e.fills.sink = rec.RecordFill
	e.trades.sink = rec.RecordTrade
}

// flushOrders hands the recorder the closed orders before the first open one and lets go of
// the blocks they filled. Orders close within a bar or two as a rule, so what is held stays
// small; a long-lived order holds back the ones after it until it closes.
func (e *Env) flushOrders() {
	n := e.orders.len()
	i := e.rec.flushed
	for i < n && !e.ostate.at(i).open {
		r := e.orders.at(i)
		e.rec.statuses = append(e.rec.statuses, r.Status)
		e.rec.RecordOrder(*r)
		i++
	}
	if i != e.rec.flushed {
		e.rec.flushed = i
		e.orders.drop(i)
		e.ostate.drop(i)
	}
}

// flushAll hands the recorder the rest at the end of a run: the orders not yet given, open or
// not, then the round trips still open.
func (e *Env) flushAll() {
	for i := e.rec.flushed; i < e.orders.len(); i++ {
		r := e.orders.at(i)
		e.rec.statuses = append(e.rec.statuses, r.Status)
		e.rec.RecordOrder(*r)
	}
	e.rec.flushed = e.orders.len()
	e.orders.drop(e.rec.flushed)
	e.ostate.drop(e.rec.flushed)
	for _, t := range e.openTrades() {
		e.rec.RecordTrade(t)
	}
}

// flushedStatus is the final status of order i if the recorder has it, for Cancel.
func (e *Env) flushedStatus(i int) (OrderStatus, bool) {
	if i < e.rec.flushed {
		return e.rec.statuses[i], true
	}
	return 0, false
}
