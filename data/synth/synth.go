package synth

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// DefaultPageSize is the most bars a page holds unless WithPageSize says otherwise: Alpaca's
// own page limit.
const DefaultPageSize = 10000

// Source is the synthetic data.Source. It is safe for concurrent use: it keeps no state between
// calls.
type Source struct {
	seed     uint64
	pageSize int
	now      time.Time
}

// Option configures a Source.
type Option func(*Source)

// WithSeed selects another synthetic world; the default seed is 0.
func WithSeed(seed uint64) Option { return func(s *Source) { s.seed = seed } }

// WithPageSize sets the most bars a page holds (at least 1).
func WithPageSize(n int) Option {
	return func(s *Source) {
		if n >= 1 {
			s.pageSize = n
		}
	}
}

// WithNow sets the time the source reports as its server's clock (data.Clock), so that
// fetching treats bars of a later period as still forming. The default, zero, reports no clock.
func WithNow(t time.Time) Option { return func(s *Source) { s.now = t } }

// ServerTime is the data.Clock role: the fixed time of WithNow, zero without it.
func (s *Source) ServerTime() time.Time { return s.now }

// New returns a synthetic source.
func New(opts ...Option) *Source {
	s := &Source{pageSize: DefaultPageSize}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Feed names the synthetic feed.
func (s *Source) Feed() string { return "synth" }

var _ data.Source = (*Source)(nil)

// Bars yields the bars of req in pages, symbol by symbol in sorted order, each symbol's bars
// oldest first; a page may hold the end of one symbol and the start of the next. A bar is
// returned when its time (its open, or its bucket's start) lies in [req.Start, req.End).
// Adjustments are accepted and change nothing: synthetic symbols have no corporate actions.
func (s *Source) Bars(ctx context.Context, req data.Request) iter.Seq2[[]data.Bar, error] {
	return func(yield func([]data.Bar, error) bool) {
		if err := check(req); err != nil {
			yield(nil, err)
			return
		}
		if !req.Start.Before(req.End) {
			return
		}
		syms := slices.Clone(req.Symbols)
		slices.Sort(syms)
		syms = slices.Compact(syms)

		g := &dayGen{bars: make([]data.Bar, 0, maxMinutes)}
		page := make([]data.Bar, 0, min(s.pageSize, 1024))
		stopped := false
		// emit appends b to the page and hands full pages over; false means stop.
		emit := func(b data.Bar) bool {
			page = append(page, b)
			if len(page) < s.pageSize {
				return true
			}
			if err := ctx.Err(); err != nil {
				yield(nil, fmt.Errorf("synth: %w", err))
				stopped = true
				return false
			}
			full := page
			// A full page suggests more to come: size the next one for a whole page at once.
			page = make([]data.Bar, 0, s.pageSize)
			if !yield(full, nil) {
				stopped = true
				return false
			}
			return true
		}
		for _, sym := range syms {
			p := newParams(sym, s.seed)
			if err := generate(ctx, g, &p, sym, req, emit); err != nil {
				if !stopped {
					yield(nil, fmt.Errorf("synth %s %s: %w", sym, req.Timeframe, err))
				}
				return
			}
			if stopped {
				return
			}
		}
		if len(page) > 0 {
			if err := ctx.Err(); err != nil {
				yield(nil, fmt.Errorf("synth: %w", err))
				return
			}
			yield(page, nil)
		}
	}
}

func check(req data.Request) error {
	if !req.Timeframe.Valid() {
		return fmt.Errorf("synth: invalid timeframe %q: want one of %s", req.Timeframe, data.TimeframeForms)
	}
	if len(req.Symbols) == 0 {
		return fmt.Errorf("synth: no symbols requested")
	}
	for _, sym := range req.Symbols {
		if sym == "" {
			return fmt.Errorf("synth: empty symbol in request")
		}
	}
	if _, err := data.ParseAdjustment(string(req.Adjustment)); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// errStop reports that the consumer stopped: not an error to pass on.
var errStop = errors.New("stopped")

// generate produces one symbol's bars of req, calling emit for each in time order.
func generate(ctx context.Context, g *dayGen, p *params, sym string, req data.Request, emit func(data.Bar) bool) error {
	tf := req.Timeframe
	// Which sessions to generate: those whose bars (or buckets) can be stamped in the range.
	// An intraday bucket starts at most one bucket before its first minute; a daily or longer
	// bucket starts at or before its first session, so sessions up to one bucket past the end
	// may belong to a bucket stamped inside the range.
	gen := data.Range{Start: req.Start, End: req.End}
	switch tf.Unit {
	case data.Min, data.Hour:
		gen.End = gen.End.Add(tf.Duration())
	case data.Day:
		gen.End = gen.End.AddDate(0, 0, 1)
	case data.Week:
		gen.End = gen.End.AddDate(0, 0, 7)
	case data.Month:
		gen.End = gen.End.AddDate(0, tf.N, 1)
	}
	var acc bucket
sessions:
	for sess := range calendar.Sessions(gen.Start, gen.End) {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch tf.Unit {
		case data.Min, data.Hour:
			if !intraday(g.session(p, sym, sess), sess, tf, req, emit) {
				return errStop
			}
		default:
			stamp := periodStart(sess.Date, tf)
			if stamp.Before(req.Start) {
				continue // this bucket began before the range: it belongs to an earlier request
			}
			if !stamp.Before(req.End) {
				break sessions
			}
			if acc.n > 0 && !acc.stamp.Equal(stamp) && !acc.flush(emit) {
				return errStop
			}
			for _, b := range g.session(p, sym, sess) {
				acc.add(b, stamp)
			}
		}
	}
	if acc.n > 0 && !acc.flush(emit) {
		return errStop
	}
	return nil
}

// intraday emits the bars of one session at an intraday timeframe: the minutes themselves, or
// buckets aligned to the New York clock.
func intraday(minutes []data.Bar, sess calendar.Session, tf data.Timeframe, req data.Request, emit func(data.Bar) bool) bool {
	if tf == data.OneMin {
		for _, b := range minutes {
			if req.Start.Compare(b.Time) <= 0 && b.Time.Before(req.End) {
				if !emit(b) {
					return false
				}
			}
		}
		return true
	}
	// Trading days never straddle a DST change (it happens early on a Sunday), so minutes since
	// New York midnight are plain offsets from sess.Date.
	size := int64(tf.Duration() / time.Second)
	midnight := sess.Date.Unix()
	var acc bucket
	for _, b := range minutes {
		off := b.Time.Unix() - midnight
		stamp := time.Unix(midnight+off/size*size, 0).UTC()
		if acc.n > 0 && !acc.stamp.Equal(stamp) && !acc.flushIn(req, emit) {
			return false
		}
		acc.add(b, stamp)
	}
	return acc.n == 0 || acc.flushIn(req, emit)
}

// periodStart is the stamp of the daily, weekly or N-month bucket holding the session dated
// day (New York midnight), in UTC.
func periodStart(day time.Time, tf data.Timeframe) time.Time {
	switch tf.Unit {
	case data.Week:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		day = day.AddDate(0, 0, -back)
	case data.Month:
		y, m, _ := day.Date()
		m -= (m - 1) % time.Month(tf.N)
		day = time.Date(y, m, 1, 0, 0, 0, 0, calendar.NewYork)
	}
	return day.UTC()
}

// bucket aggregates consecutive bars into one.
type bucket struct {
	stamp time.Time
	bar   data.Bar
	pv    float64 // sum of VWAP x volume
	n     int
}

func (a *bucket) add(b data.Bar, stamp time.Time) {
	if a.n == 0 {
		a.stamp, a.bar, a.pv = stamp, b, 0
		a.bar.Time = stamp
		a.bar.Volume, a.bar.TradeCount = 0, 0
	}
	a.n++
	a.bar.High = math.Max(a.bar.High, b.High)
	a.bar.Low = math.Min(a.bar.Low, b.Low)
	a.bar.Close = b.Close
	a.bar.Volume += b.Volume
	a.bar.TradeCount += b.TradeCount
	a.pv += b.VWAP * b.Volume
}

func (a *bucket) flush(emit func(data.Bar) bool) bool {
	b := a.bar
	if b.Volume > 0 {
		// Rounding can nudge a weighted mean of values in [low, high] just outside.
		b.VWAP = math.Min(math.Max(a.pv/b.Volume, b.Low), b.High)
	}
	a.n = 0
	return emit(b)
}

// flushIn emits the bucket only if its stamp is in the requested range.
func (a *bucket) flushIn(req data.Request, emit func(data.Bar) bool) bool {
	if req.Start.Compare(a.stamp) <= 0 && a.stamp.Before(req.End) {
		return a.flush(emit)
	}
	a.n = 0
	return true
}
