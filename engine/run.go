package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// DefaultCash is the starting cash when Config.Cash is zero.
const DefaultCash = 100000

// ctxEvery is how many bars pass between checks of the context: often enough to stop within
// milliseconds, rarely enough to cost nothing.
const ctxEvery = 4096

// Run replays bars through strategy s and returns what happened. Bars must come in (time, symbol)
// order, as every Store and data.Merge yield them; Run streams them, a batch at a time from a
// data.BatchIterator and one at a time otherwise, and stops with an error at the first bar that
// is invalid or out of order. Run does not close bars.
//
// The timeframe comes from cfg.Provenance.Timeframe; when that is zero it is inferred from the
// first bars (see the package documentation). On an error after the first bar the returned
// Result holds what was replayed up to it, so that an interrupted run can still be inspected.
func Run(ctx context.Context, cfg Config, bars data.BarIterator, s Strategy) (*Result, error) {
	return runWith(ctx, cfg, bars, s, nil)
}

// runWith is Run, handing the records to rec when it is not nil (RunRecorded).
func runWith(ctx context.Context, cfg Config, bars data.BarIterator, s Strategy, rec Recorder) (*Result, error) {
	if s == nil {
		return nil, errors.New("engine: nil strategy")
	}
	if bars == nil {
		return nil, errors.New("engine: nil bar iterator")
	}
	r, err := newRunner(ctx, cfg, bars, s, rec)
	if err != nil {
		return nil, err
	}
	return r.run()
}

// newRunner is the setup the run entry points share: cfg normalized, a fresh Env, and the
// records handed to rec when it is not nil.
func newRunner(ctx context.Context, cfg Config, bars data.BarIterator, s Strategy, rec Recorder) (*runner, error) {
	cfg, err := normalize(cfg)
	if err != nil {
		return nil, err
	}
	r := &runner{ctx: ctx, bars: bars, strat: s, env: newEnv(cfg)}
	if rec != nil {
		r.env.record(rec)
	}
	return r, nil
}

// A Replay is one strategy's run within RunEach: its configuration, strategy and optional
// Recorder going in, its Result and error coming out.
type Replay struct {
	Config   Config
	Strategy Strategy
	Recorder Recorder // as RunRecorded's, when not nil
	// Symbols, when not empty, limits the replay to these symbols' bars, as a read of only
	// them would.
	Symbols []string

	Result *Result // what Run would return: nil when the replay failed before its first bar
	Err    error
}

// RunEach replays one stream of bars through several strategies in lockstep, each with its
// own Env, so that a benchmark or a set of parameters costs one read of the bars rather than
// one each. Each Replay gets the Result that Run (RunRecorded with a Recorder) would have
// given it over the same bars, limited to its Symbols, to the bit; a replay without a
// timeframe in its Config takes the one inferred from the whole stream.
//
// At the first error of any replay every replay stops: the failing one's Err is that error,
// the others' say they were stopped, each Result holds what was replayed, and RunEach returns
// the error. RunEach does not close bars.
func RunEach(ctx context.Context, bars data.BarIterator, replays []*Replay) error {
	if bars == nil {
		return errors.New("engine: nil bar iterator")
	}
	rs := make([]*runner, len(replays))
	for i, p := range replays {
		if p.Strategy == nil {
			return fmt.Errorf("engine: replay %d: nil strategy", i)
		}
		r, err := newRunner(ctx, p.Config, bars, p.Strategy, p.Recorder)
		if err != nil {
			return fmt.Errorf("engine: replay %d: %w", i, err)
		}
		if len(p.Symbols) > 0 {
			r.only = make(map[string]bool, len(p.Symbols))
			for _, sym := range p.Symbols {
				r.only[sym] = true
			}
		}
		rs[i] = r
	}
	var buf []data.Bar
	var inferred data.Timeframe
	for i, r := range rs {
		tf := r.env.cfg.Provenance.Timeframe
		if !tf.Valid() {
			if !inferred.Valid() {
				var err error
				if buf, inferred, err = inferTimeframe(bars); err != nil {
					return stopAll(replays, rs, i, err)
				}
			}
			tf = inferred
		}
		if err := r.begin(tf); err != nil {
			return stopAll(replays, rs, i, err)
		}
	}
	bat, _ := bars.(data.BatchIterator)
	var one [1]data.Bar
	for batch := buf; ; {
		if len(batch) > 0 {
			for i, r := range rs {
				b := batch
				if r.only != nil {
					b = r.pick(batch)
				}
				if len(b) == 0 {
					continue
				}
				if err := r.feed(b); err != nil {
					return stopAll(replays, rs, i, err)
				}
			}
		}
		if batch = refill(bars, bat, &one); len(batch) == 0 {
			break
		}
	}
	if err := bars.Err(); err != nil {
		err = fmt.Errorf("engine: reading bars: %w", err)
		for i, r := range rs {
			replays[i].Result, replays[i].Err = r.fail(err)
		}
		return err
	}
	var first error
	for i, r := range rs {
		replays[i].Result, replays[i].Err = r.finish()
		if first == nil && replays[i].Err != nil {
			first = replays[i].Err
		}
	}
	return first
}

// stopAll ends every replay after replay failed with err.
func stopAll(replays []*Replay, rs []*runner, failed int, err error) error {
	for i, r := range rs {
		if i == failed {
			replays[i].Result, replays[i].Err = r.fail(err)
			continue
		}
		replays[i].Result, replays[i].Err = r.fail(fmt.Errorf("engine: stopped: replay %d failed: %w", failed, err))
	}
	return err
}

// pick returns the bars of batch that the replay's symbols select, in a buffer of its own.
func (r *runner) pick(batch []data.Bar) []data.Bar {
	r.sel = r.sel[:0]
	for i := range batch {
		if r.only[batch[i].Symbol] {
			r.sel = append(r.sel, batch[i])
		}
	}
	return r.sel
}

func normalize(cfg Config) (Config, error) {
	if cfg.Cash == 0 {
		cfg.Cash = DefaultCash
	}
	if cfg.Leverage == 0 {
		cfg.Leverage = 1
	}
	bad := func(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(cfg.Cash) || cfg.Cash == 0:
		return cfg, fmt.Errorf("engine: starting cash %v must be positive", cfg.Cash)
	case bad(cfg.Leverage):
		return cfg, fmt.Errorf("engine: leverage %v must be positive", cfg.Leverage)
	case bad(cfg.SlippageBps):
		return cfg, fmt.Errorf("engine: slippage %v bps must be zero or positive", cfg.SlippageBps)
	case bad(cfg.Commission.Rate) || bad(cfg.Commission.Min):
		return cfg, fmt.Errorf("engine: commission rate %v and minimum %v must be zero or positive",
			cfg.Commission.Rate, cfg.Commission.Min)
	case cfg.Commission.Kind > Percent:
		return cfg, fmt.Errorf("engine: unknown commission kind %d", cfg.Commission.Kind)
	case cfg.Fees > AlpacaFees:
		return cfg, fmt.Errorf("engine: unknown fee model %d", cfg.Fees)
	case cfg.Hours > AllHours:
		return cfg, fmt.Errorf("engine: unknown hours filter %d", cfg.Hours)
	case bad(cfg.MaxVolumePct) || cfg.MaxVolumePct > 100:
		return cfg, fmt.Errorf("engine: max volume %v%% must be in [0, 100]", cfg.MaxVolumePct)
	case bad(cfg.BorrowRate) || bad(cfg.MarginRate) || cfg.BorrowRate > 10 || cfg.MarginRate > 10:
		return cfg, fmt.Errorf("engine: borrow rate %v and margin rate %v must be annual fractions in [0, 10]",
			cfg.BorrowRate, cfg.MarginRate)
	}
	fees, err := cfg.FeeSchedule.forRun(cfg.Fees)
	if err != nil {
		return cfg, err
	}
	cfg.FeeSchedule = fees
	return cfg, nil
}

type runner struct {
	ctx   context.Context
	bars  data.BarIterator
	strat Strategy
	env   *Env
	step  StepObserver

	buf  []data.Bar // bars read ahead to infer the timeframe, replayed first
	one  [1]data.Bar
	sess sessionCache

	only map[string]bool // the symbols a RunEach replay takes, nil for all
	sel  []data.Bar      // the bars of a batch that only selects
	fine *fineFeed       // RunIntrabar: orders fill over the fine bars of each bar

	start   time.Time
	started bool // a timestamp is being handled
	nbars   int64
	skipped int64

	// The per-bar loop's state between batches.
	filter  bool // Config.Hours applies
	prevT   int64
	prevSym string
	keep    bool
	n       int64
}

func (r *runner) run() (*Result, error) {
	tf := r.env.cfg.Provenance.Timeframe
	if !tf.Valid() {
		var err error
		if r.buf, tf, err = inferTimeframe(r.bars); err != nil {
			return nil, err
		}
	}
	if err := r.begin(tf); err != nil {
		return nil, err
	}
	// Bars are handled in place, in batches: first those read ahead, then what the iterator
	// yields, a batch at a time when it is a data.BatchIterator, one at a time otherwise.
	bat, _ := r.bars.(data.BatchIterator)
	for batch := r.buf; ; {
		if len(batch) > 0 {
			if err := r.feed(batch); err != nil {
				return r.fail(err)
			}
		}
		if batch = refill(r.bars, bat, &r.one); len(batch) == 0 {
			break
		}
	}
	if err := r.bars.Err(); err != nil {
		return r.fail(fmt.Errorf("engine: reading bars: %w", err))
	}
	return r.finish()
}

// begin prepares the run for bars of timeframe tf and calls the strategy's Init.
func (r *runner) begin(tf data.Timeframe) error {
	e := r.env
	e.fillObs, _ = r.strat.(FillObserver)
	e.orderObs, _ = r.strat.(OrderObserver)
	r.step, _ = r.strat.(StepObserver)
	e.tf, e.intraday = tf, tf.Intraday()
	e.step = int64(tf.Duration())
	r.filter = e.intraday && e.cfg.Hours == RegularHours && r.fine == nil // RunIntrabar filters fine bars
	r.prevT = math.MinInt64
	if in, ok := r.strat.(Initer); ok {
		if err := in.Init(e); err != nil {
			return fmt.Errorf("engine: strategy init: %w", err)
		}
	}
	return r.timeframes()
}

// finish ends the last timestamp and returns the Result.
func (r *runner) finish() (*Result, error) {
	if r.started {
		if err := r.endStep(); err != nil {
			return r.fail(err)
		}
	}
	return r.result(), nil
}

// feed handles a batch of bars. It is the per-bar path: what is rare (errors, a new
// timestamp's bookkeeping, orders to match) happens in calls, so that the loop's state stays
// in registers.
func (r *runner) feed(batch []data.Bar) error {
	e, strat := r.env, r.strat
	prevT, prevSym, keep, n := r.prevT, r.prevSym, r.keep, r.n
	for i := range batch {
		b := &batch[i]
		n++
		if n%ctxEvery == 0 {
			if err := r.ctx.Err(); err != nil {
				return fmt.Errorf("engine: stopped after %d bars: %w", n-1, err)
			}
		}
		if !plausible(b) {
			if err := b.Validate(); err != nil {
				return fmt.Errorf("engine: bar %d: %w", n, err)
			}
		}
		t := b.Time.UnixNano()
		if t <= prevT {
			if t < prevT || b.Symbol <= prevSym {
				return disorder(b, n, t, prevT, prevSym)
			}
		} else {
			// A new timestamp: the session filter depends on the time only, so it runs once
			// for all the bars sharing it.
			keep = !r.filter || r.sess.in(b.Time, t)
			if keep {
				if err := r.newStep(b.Time, t); err != nil {
					return err
				}
			}
		}
		prevT, prevSym = t, b.Symbol
		if !keep {
			r.skipped++
			continue
		}
		// lookup, by hand: inlined, it saves a call per bar.
		s := e.predicted()
		if s != nil && s.pos.Symbol == b.Symbol {
			e.seqPos++
		} else {
			s = e.relookup(b.Symbol)
		}
		s.bars++
		s.pos.LastPrice = b.Close
		if r.fine != nil {
			r.walk(s, b, t)
		} else if len(s.pending) > 0 {
			e.match(s.id, b, t)
		}
		r.nbars++
		if err := strat.OnBar(e, *b); err != nil {
			return fmt.Errorf("engine: strategy on %s %s: %w", b.Symbol, b.Time.UTC().Format(time.RFC3339), err)
		}
	}
	// After an error the run stops, so only a complete batch saves the state.
	r.prevT, r.prevSym, r.keep, r.n = prevT, prevSym, keep, n
	return nil
}

func disorder(b *data.Bar, n, t, prevT int64, prevSym string) error {
	what := "out of order"
	if t == prevT && b.Symbol == prevSym {
		what = "duplicate"
	}
	return fmt.Errorf("engine: bar %d (%s %s) is %s: it follows %s %s; bars must come in (time, symbol) order",
		n, b.Symbol, b.Time.UTC().Format(time.RFC3339), what, prevSym, time.Unix(0, prevT).UTC().Format(time.RFC3339))
}

// newStep ends the timestamp being handled, if any, and begins the one opening at bt.
func (r *runner) newStep(bt time.Time, t int64) error {
	e := r.env
	if r.started {
		if r.step != nil {
			if err := r.onStep(); err != nil {
				return err
			}
		}
		e.mark()
		if e.rec.Recorder != nil {
			e.flushOrders()
		}
	} else {
		r.started, r.start = true, bt
	}
	e.cur = t
	if e.intraday {
		e.open, e.nowNs, e.nowOK = bt, t+e.step, false
		e.regular = r.filter || r.sess.in(bt, t)
		if t < e.dayLo || t >= e.dayHi {
			e.newDay(bt)
			if e.financing {
				e.finance(bt)
			}
		}
	} else {
		e.now, e.nowOK = closeTime(bt, e.tf), true
		e.nowNs = e.now.UnixNano()
		if e.financing {
			e.finance(bt)
		}
	}
	e.seq, e.seqPos = e.seq[:e.seqPos], 0
	return nil
}

// refill returns the next bars to handle: a batch from bat, or the next bar of bars in one.
func refill(bars data.BarIterator, bat data.BatchIterator, one *[1]data.Bar) []data.Bar {
	if bat != nil {
		return bat.NextBatch()
	}
	if !bars.Next() {
		return nil
	}
	one[0] = bars.Bar()
	return one[:]
}

// plausible is a branch-light check that implies b.Validate() == nil: low > 0 and high finite
// bound every price (NaN fails every comparison). Bars failing it get the full Validate, which
// names the problem.
func plausible(b *data.Bar) bool {
	return b.Low > 0 && b.High <= math.MaxFloat64 &&
		b.Low <= b.Open && b.Low <= b.Close && b.High >= b.Open && b.High >= b.Close &&
		b.Volume >= 0 && b.Symbol != "" && !b.Time.IsZero()
}

// newDay sets the New York date of intraday timestamps from bt on.
func (e *Env) newDay(bt time.Time) {
	lo, hi := calendar.DaySpan(bt)
	e.dayLo, e.dayHi = lo.UnixNano(), hi.UnixNano()
}

// endStep ends the timestamp being handled: OnStep, then its equity point.
func (r *runner) endStep() error {
	if r.step != nil {
		if err := r.onStep(); err != nil {
			return err
		}
	}
	r.env.mark()
	return nil
}

func (r *runner) onStep() error {
	e := r.env
	if err := r.step.OnStep(e, time.Unix(0, e.cur).UTC()); err != nil {
		return fmt.Errorf("engine: strategy step at %s: %w", e.Now().UTC().Format(time.RFC3339), err)
	}
	return nil
}

// A bar's symbol is looked up by trying the symbol that held this place in the previous
// timestamp (predicted) before the map (relookup).

// predicted is the symbol that held this place in the previous timestamp, nil if none did.
func (e *Env) predicted() *symState {
	if i := e.seqPos; i < len(e.seq) {
		return e.syms[e.seq[i]]
	}
	return nil
}

// relookup finds sym in the map and makes it the prediction for this place at the next
// timestamp.
func (e *Env) relookup(sym string) *symState {
	id := e.intern(sym)
	if i := e.seqPos; i < len(e.seq) {
		e.seq[i] = id
	} else {
		e.seq = append(e.seq, id)
	}
	e.seqPos++
	return e.syms[id]
}

func (r *runner) fail(err error) (*Result, error) {
	if !r.started {
		return nil, err
	}
	return r.result(), err
}

func (r *runner) result() *Result {
	e := r.env
	res := &Result{
		Config:    e.cfg,
		Equity:    e.points(),
		Positions: e.positions(),
		Bars:      r.nbars,
		Skipped:   r.skipped,
		Start:     r.start,
		End:       e.Now(),

		StartEquity: e.cfg.Cash,

		BorrowPaid:     e.borrowPaid,
		InterestPaid:   e.interestPaid,
		AmbiguousFills: e.ambiguous,
		PartialFills:   e.partials,
	}
	if e.rec.Recorder != nil {
		e.flushAll()
	} else {
		res.Orders = e.orders.flat()
		res.Fills = e.fills.flat()
		res.Trades = append(e.trades.flat(), e.openTrades()...)
	}
	if res.Config.Provenance.Timeframe != e.tf {
		res.Config.Provenance.Timeframe = e.tf
	}
	return res
}

// closeTime is when a bar opening at t closes. Intraday bars close one timeframe later; daily
// bars at their session's close (13:00 New York on early closes), and on a day without a session
// or for weekly and monthly bars at 16:00 New York of their last day.
func closeTime(t time.Time, tf data.Timeframe) time.Time {
	if tf.Intraday() {
		return t.Add(tf.Duration())
	}
	if tf.Unit == data.Day {
		if s, ok := calendar.SessionOn(t); ok && s.Close.After(t) {
			return s.Close
		}
	}
	ny := t.In(nyLoc)
	y, m, d := ny.Date()
	switch tf.Unit {
	case data.Week:
		d += 4
	case data.Month:
		m, d = m+time.Month(tf.N), 0 // day 0: the last day of the month before
	}
	if c := time.Date(y, m, d, 16, 0, 0, 0, nyLoc); c.After(t) {
		return c
	}
	// Not stamped at midnight New York (a source stamping daily bars at 00:00 UTC, say): keep
	// the close after the open.
	return t.Add(tf.Duration())
}

// inferTimeframe reads ahead a few dozen timestamps and guesses the timeframe from the smallest
// step between consecutive ones (over all symbols, so that a thin symbol's missing bars do not
// widen it). It returns the bars read, which the run replays first.
func inferTimeframe(bars data.BarIterator) ([]data.Bar, data.Timeframe, error) {
	const maxPeek, wantGaps = 4096, 32
	var buf []data.Bar
	var gap time.Duration
	gaps := 0
	for len(buf) < maxPeek && gaps < wantGaps && bars.Next() {
		b := bars.Bar()
		buf = append(buf, b)
		if n := len(buf); n > 1 {
			if g := b.Time.Sub(buf[n-2].Time); g > 0 {
				if gap == 0 || g < gap {
					gap = g
				}
				gaps++
			}
		}
	}
	if err := bars.Err(); err != nil {
		return buf, data.Timeframe{}, fmt.Errorf("engine: reading bars: %w", err)
	}
	if len(buf) == 0 {
		return buf, data.OneDay, nil
	}
	return buf, guessTimeframe(buf[0].Time, gap), nil
}

// guessTimeframe: bars stamped at midnight New York are daily or longer (as Alpaca stamps them);
// others are intraday, as long as the gap if it is a valid minute or hour count, 1Min otherwise.
func guessTimeframe(first time.Time, gap time.Duration) data.Timeframe {
	ny := first.In(nyLoc)
	if ny.Hour() == 0 && ny.Minute() == 0 && ny.Second() == 0 && ny.Nanosecond() == 0 {
		switch {
		case gap >= 25*24*time.Hour:
			return data.Timeframe{N: 1, Unit: data.Month}
		case gap >= 6*24*time.Hour:
			return data.Timeframe{N: 1, Unit: data.Week}
		}
		return data.OneDay
	}
	if gap > 0 && gap%time.Minute == 0 {
		if tf := (data.Timeframe{N: int(gap / time.Minute), Unit: data.Min}); tf.Valid() {
			return tf
		}
		if gap%time.Hour == 0 {
			if tf := (data.Timeframe{N: int(gap / time.Hour), Unit: data.Hour}); tf.Valid() {
				return tf
			}
		}
	}
	return data.OneMin
}
