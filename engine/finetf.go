package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/barkeep-trading/barkeep/data"
)

// RunIntrabar is Run deciding on coarse bars and filling on fine ones (backtest --fill-tf): the
// strategy sees bars of cfg.Provenance.Timeframe, built by an Aggregator from fine, the bars of
// timeframe fineTF in (time, symbol) order, and orders fill by walking the fine bars inside each
// coarse bar, in time order (see the package documentation, "Intrabar truth"). rec, when not
// nil, takes the records as RunRecorded's does. RunIntrabar does not close fine.
func RunIntrabar(ctx context.Context, cfg Config, fine data.BarIterator, fineTF data.Timeframe, s Strategy, rec Recorder) (*Result, error) {
	if s == nil {
		return nil, errors.New("engine: nil strategy")
	}
	if fine == nil {
		return nil, errors.New("engine: nil bar iterator")
	}
	tf := cfg.Provenance.Timeframe
	if err := finerTimeframe(fineTF, tf); err != nil {
		return nil, err
	}
	agg, err := NewAggregator(tf)
	if err != nil {
		return nil, err
	}
	agg.keep = true
	ff := &fineFeed{src: fine, agg: agg, step: int64(fineTF.Duration()), prevT: math.MinInt64, walked: math.MinInt64,
		filter: cfg.Hours == RegularHours}
	r, err := newRunner(ctx, cfg, ff, s, rec)
	if err != nil {
		return nil, err
	}
	r.fine = ff
	res, err := r.run()
	if res != nil {
		res.Skipped += ff.skipped
	}
	return res, err
}

// finerTimeframe checks that coarse bars can be built from fine ones: fine is intraday, and
// coarse is 1Day or a whole number of fine bars.
func finerTimeframe(fine, coarse data.Timeframe) error {
	switch {
	case !fine.Valid() || !fine.Intraday():
		return fmt.Errorf("engine: %v bars cannot be built from %v bars: only from minutes or hours", coarse, fine)
	case !coarse.Valid():
		return fmt.Errorf("engine: no timeframe to build from %v bars: set Config.Provenance.Timeframe", fine)
	case coarse.Intraday() && (coarse.Duration() <= fine.Duration() || coarse.Duration()%fine.Duration() != 0):
		return fmt.Errorf("engine: %v bars cannot be built from %v bars: want a finer timeframe that divides it", coarse, fine)
	}
	return nil
}

// fineFeed yields the coarse bars an Aggregator builds from src, keeping the fine bars of the
// coarse bar last yielded for the runner to walk orders over.
type fineFeed struct {
	src  data.BarIterator
	agg  *Aggregator
	step int64 // fine timeframe, ns

	out      []data.Bar   // coarse bars of the period being yielded
	fine     [][]data.Bar // their fine bars
	held     []data.Bar   // complete coarse bars waiting for others of their time (release)
	heldFine [][]data.Bar
	pos      int // out[pos-1] is the current bar
	done     bool
	err      error

	prevT   int64
	prevSym string
	n       int64
	sess    sessionCache // regular session of fine bars being walked

	// With RegularHours, fine bars outside the session are left out before aggregation, so
	// that the 1Hour bar stamped 09:00 holds 09:30-09:59 and is replayed; the runner does not
	// filter coarse bars.
	filter  bool
	filt    sessionCache
	skipped int64

	walked int64      // the coarse timestamp whose fine bars were walked last
	merged []data.Bar // their fine bars, all symbols together
	marks  []priceMark
}

func (f *fineFeed) Next() bool {
	for f.pos >= len(f.out) {
		if f.done || f.err != nil {
			return false
		}
		f.agg.recycle(f.fine) // walked: the runner reads only the current bar's
		f.out, f.fine, f.pos = f.out[:0], f.fine[:0], 0
		f.pull()
	}
	f.pos++
	return true
}

// pull reads fine bars until some coarse bars are complete, or to the end, where the coarse
// bars still being built are handed over as they are.
func (f *fineFeed) pull() {
	for len(f.out) == 0 {
		if !f.src.Next() {
			if err := f.src.Err(); err != nil {
				f.err = err
				return
			}
			f.done = true
			f.held, f.heldFine = f.agg.Due(math.MaxInt64, f.held, f.heldFine)
			f.release()
			return
		}
		b := f.src.Bar()
		f.n++
		if err := b.Validate(); err != nil {
			f.err = fmt.Errorf("fill bar %d: %w", f.n, err)
			return
		}
		t := b.Time.UnixNano()
		if t < f.prevT || t == f.prevT && b.Symbol <= f.prevSym {
			f.err = fmt.Errorf("fill bar %d: %w", f.n, disorder(&b, f.n, t, f.prevT, f.prevSym))
			return
		}
		if t > f.prevT {
			f.held, f.heldFine = f.agg.Due(t, f.held, f.heldFine)
			f.release()
		}
		f.prevT, f.prevSym = t, b.Symbol
		if f.filter && !f.filt.in(b.Time, t) {
			f.skipped++
			continue
		}
		if err := f.agg.Add(&b); err != nil {
			f.err = err
			return
		}
	}
}

// release moves the complete coarse bars to out, in (time, symbol) order, but for those of a
// time at which another symbol's coarse bar is still being built: a stock's daily bar ends at
// the session's close, a crypto pair's at midnight, and both are stamped at midnight.
func (f *fineFeed) release() {
	if len(f.held) == 0 {
		return
	}
	lo := f.agg.building()
	n := 0
	for n < len(f.held) && f.held[n].Time.UnixNano() < lo {
		n++
	}
	f.out, f.fine = append(f.out, f.held[:n]...), append(f.fine, f.heldFine[:n]...)
	if len(f.out) > 1 {
		sortBars(f.out, f.fine, 0)
	}
	f.held = f.held[:copy(f.held, f.held[n:])]
	f.heldFine = f.heldFine[:copy(f.heldFine, f.heldFine[n:])]
}

func (f *fineFeed) Bar() data.Bar { return f.out[f.pos-1] }

func (f *fineFeed) Err() error   { return f.err }
func (f *fineFeed) Close() error { return nil }

// walk matches open orders over the fine bars of the coarse bars of timestamp t, all symbols
// together in (time, symbol) order, when the runner feeds the first coarse bar of t (b, of s);
// it does nothing for the others. So every fine bar of t is walked before the strategy sees
// any coarse bar of t, and an order placed on one of them (at the coarse close) fills on later
// coarse bars only. For the walk the Env is that of a run on the fine bars: the clock, the
// session and each symbol's last price are each fine bar's, so that the order rules (Day
// expiry, the auctions, extended hours, trailing marks) read the time a fine bar was, and an
// order placed in OnFill during the walk fills from the next fine bar of its symbol on.
// Afterwards the Env is the coarse timestamp's again, the last prices those before the walk
// (b's close for s), as the runner would have them.
func (r *runner) walk(s *symState, b *data.Bar, t int64) {
	ff := r.fine
	if ff.walked == t {
		return
	}
	ff.walked = t
	e := r.env
	if e.OpenOrders("") == 0 {
		return
	}
	fine := ff.timestamp(t)
	now, nowOK, nowNs, open, cur := e.now, e.nowOK, e.nowNs, e.open, e.cur
	intraday, step, regular := e.intraday, e.step, e.regular
	e.intraday, e.step = true, ff.step
	ff.marks = ff.marks[:0]
	lastT := int64(math.MinInt64)
	for j := range fine {
		f := &fine[j]
		id, ok := e.index[f.Symbol]
		if !ok {
			continue // never traded: no order
		}
		fs := e.syms[id]
		if fs.open == 0 {
			continue
		}
		if ft := f.Time.UnixNano(); ft != lastT {
			lastT = ft
			e.cur, e.open, e.nowNs, e.nowOK = ft, f.Time, ft+e.step, false
			e.regular = ff.sess.in(f.Time, ft)
			if ft < e.dayLo || ft >= e.dayHi {
				e.newDay(f.Time)
			}
		}
		if fs != s && !slices.ContainsFunc(ff.marks, func(m priceMark) bool { return m.id == id }) {
			ff.marks = append(ff.marks, priceMark{id, fs.pos.LastPrice})
		}
		fs.pos.LastPrice = f.Close
		e.match(id, f, lastT)
	}
	e.now, e.nowOK, e.nowNs, e.open, e.cur = now, nowOK, nowNs, open, cur
	e.intraday, e.step, e.regular = intraday, step, regular
	for _, m := range ff.marks {
		e.syms[m.id].pos.LastPrice = m.price
	}
	s.pos.LastPrice = b.Close
}

// priceMark is a symbol's last price before a walk.
type priceMark struct {
	id    int32
	price float64
}

// timestamp is the fine bars of the coarse bars of timestamp t, the current one and those
// after it, in (time, symbol) order.
func (f *fineFeed) timestamp(t int64) []data.Bar {
	f.merged = f.merged[:0]
	for i := f.pos - 1; i < len(f.out) && f.out[i].Time.UnixNano() == t; i++ {
		f.merged = append(f.merged, f.fine[i]...)
	}
	slices.SortFunc(f.merged, func(x, y data.Bar) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Symbol, y.Symbol)
	})
	return f.merged
}
