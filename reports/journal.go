package reports

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/barkeep-trading/barkeep/engine"
)

// Journal is an engine.Recorder that keeps what the report needs of a run's records rather
// than the records, so that a report over years of minute bars does not hold every trade in
// memory (engine.RunRecorded; pass the Journal to Compute in Options.Journal). It keeps the
// fills' totals, the few numbers per trade the statistics need, and the trades themselves in a
// temporary spool file of fixed-size records, read back in order by WriteDir. Orders are not
// part of the report and are dropped.
//
// The report is the one Compute and WriteDir make from the Result of engine.Run, to the bit.
type Journal struct {
	f      *os.File
	w      *bufio.Writer
	err    error
	buf    []byte
	syms   []string
	symID  map[string]uint32
	counts []int // trades per symbol id
	n      int   // trades spooled
	trades tradeTotals
	fills  fillTotals
}

// NewJournal makes a Journal spooling into a temporary file in dir (os.TempDir() when empty);
// Close removes it.
func NewJournal(dir string) (*Journal, error) {
	f, err := os.CreateTemp(dir, "barkeep-trades-*.spool")
	if err != nil {
		return nil, fmt.Errorf("trade journal: %w", err)
	}
	return &Journal{f: f, w: bufio.NewWriterSize(f, 1<<16), symID: map[string]uint32{}}, nil
}

// RecordOrder drops the order: the report does not list orders.
func (j *Journal) RecordOrder(engine.OrderRecord) {}

// RecordFill adds the fill to the totals the statistics read.
func (j *Journal) RecordFill(f engine.Fill) { j.fills.add(&f) }

// RecordTrade spools the trade and adds it to the totals the statistics read.
func (j *Journal) RecordTrade(t engine.Trade) {
	j.trades.add(&t)
	id, ok := j.symID[t.Symbol]
	if !ok {
		id = uint32(len(j.syms))
		j.syms = append(j.syms, t.Symbol)
		j.symID[t.Symbol] = id
		j.counts = append(j.counts, 0)
	}
	j.counts[id]++
	j.n++
	if j.err != nil {
		return
	}
	j.buf = appendTrade(j.buf[:0], id, &t)
	if _, err := j.w.Write(j.buf); err != nil {
		j.err = fmt.Errorf("trade journal: %w", err)
	}
}

// Err is the first error spooling met (a full disk, say); the report cannot be written after
// one.
func (j *Journal) Err() error { return j.err }

// Close removes the spool file.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	name := j.f.Name()
	err := j.f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	j.f = nil
	return err
}

// tradeRecLen is the size of a spooled trade: symbol id, side, open flag and exit reason, bars
// held, two times and six floats.
const tradeRecLen = 4 + 1 + 1 + 1 + 8 + 2*8 + 6*8

// zeroTime stands for a zero time.Time in the spool, whose UnixNano is undefined.
const zeroTime = math.MinInt64

func appendTrade(b []byte, id uint32, t *engine.Trade) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, id)
	b = append(b, byte(t.Side))
	open := byte(0)
	if t.Open {
		open = 1
	}
	b = append(b, open, byte(t.ExitReason))
	b = le.AppendUint64(b, uint64(int64(t.BarsHeld)))
	for _, tm := range [...]time.Time{t.EntryTime, t.ExitTime} {
		ns := int64(zeroTime)
		if !tm.IsZero() {
			ns = tm.UnixNano()
		}
		b = le.AppendUint64(b, uint64(ns))
	}
	for _, v := range [...]float64{t.Qty, t.EntryPrice, t.ExitPrice, t.PnL, t.Return, t.Commission} {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func (j *Journal) decodeTrade(b []byte, t *engine.Trade) {
	le := binary.LittleEndian
	*t = engine.Trade{Symbol: j.syms[le.Uint32(b)], Side: engine.Side(int8(b[4])), Open: b[5] == 1,
		ExitReason: engine.ExitReason(b[6]), BarsHeld: int(int64(le.Uint64(b[7:])))}
	times := [2]time.Time{}
	for i := range times {
		if ns := int64(le.Uint64(b[15+8*i:])); ns != zeroTime {
			times[i] = time.Unix(0, ns).UTC()
		}
	}
	t.EntryTime, t.ExitTime = times[0], times[1]
	f := func(k int) float64 { return math.Float64frombits(le.Uint64(b[31+8*k:])) }
	t.Qty, t.EntryPrice, t.ExitPrice, t.PnL, t.Return, t.Commission = f(0), f(1), f(2), f(3), f(4), f(5)
}

// each calls fn with every spooled trade in order, until fn returns false.
func (j *Journal) each(fn func(*engine.Trade) bool) error {
	if j.err != nil {
		return j.err
	}
	if j.f == nil {
		return errors.New("trade journal: closed")
	}
	if err := j.w.Flush(); err != nil {
		j.err = fmt.Errorf("trade journal: %w", err)
		return j.err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(j.f, 0, int64(j.n)*tradeRecLen), 1<<16)
	rec := make([]byte, tradeRecLen)
	var t engine.Trade
	for range j.n {
		if _, err := io.ReadFull(r, rec); err != nil {
			return fmt.Errorf("trade journal: read back: %w", err)
		}
		j.decodeTrade(rec, &t)
		if !fn(&t) {
			break
		}
	}
	return nil
}

// tradeTotals is what the statistics read of the trades, added up in their order.
type tradeTotals struct {
	closed, open int
	wins         int
	gain, loss   float64
	bars         float64
	pnl, rets    []float64 // closed trades'
	exits        [len(engine.ExitReasons)]int
}

func (a *tradeTotals) add(t *engine.Trade) {
	a.exits[t.ExitReason]++
	if t.Open {
		a.open++
		return
	}
	a.closed++
	a.pnl = append(a.pnl, t.PnL)
	a.rets = append(a.rets, t.Return)
	a.bars += float64(t.BarsHeld)
	switch {
	case t.PnL > 0:
		a.wins++
		a.gain += t.PnL
	case t.PnL < 0:
		a.loss += t.PnL
	}
}

// fillTotals is what the statistics read of the fills, added up in their order.
type fillTotals struct {
	n                          int
	notional                   float64 // Σ |qty × price|
	refNotional                float64 // Σ |qty × price before slippage|
	commission, fees, slippage float64
}

func (a *fillTotals) add(f *engine.Fill) {
	a.n++
	a.notional += math.Abs(f.Qty * f.Price)
	ref := f.RefPrice
	if ref == 0 { // a Fill built by hand, without its price before slippage
		ref = f.Price
	}
	a.refNotional += math.Abs(f.Qty * ref)
	a.commission += f.Commission
	a.fees += f.Fees
	a.slippage += f.Slippage
}

// tradeLog is a run's trades as the report reads them: the Result's, or a Journal's spool.
type tradeLog struct {
	trades []engine.Trade
	j      *Journal
}

func (l tradeLog) len() int {
	if l.j != nil {
		return l.j.n
	}
	return len(l.trades)
}

// each calls fn with every trade in order, until fn returns false.
func (l tradeLog) each(fn func(*engine.Trade) bool) error {
	if l.j != nil {
		return l.j.each(fn)
	}
	for i := range l.trades {
		if !fn(&l.trades[i]) {
			break
		}
	}
	return nil
}

// perSymbol counts the trades of each symbol.
func (l tradeLog) perSymbol() map[string]int {
	out := map[string]int{}
	if l.j != nil {
		for i, s := range l.j.syms {
			out[s] = l.j.counts[i]
		}
		return out
	}
	for i := range l.trades {
		out[l.trades[i].Symbol]++
	}
	return out
}

// trades is r's trades as the report reads them: from the Journal Compute was given, if any.
func (s *Summary) trades(r *engine.Result) tradeLog {
	return tradeLog{trades: r.Trades, j: s.journal}
}
