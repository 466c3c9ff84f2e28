package engine

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// An Aggregator builds coarser bars from a finer stream, aligned to the New York session as
// Alpaca's are (see the package documentation, "Several timeframes"). Feed it fine bars in
// (time, symbol) order with Add; Due hands over the coarse bars whose period has ended. It
// never hands over a bar before its period's end, so that a coarse bar is seen only after its
// last fine bar has closed.
type Aggregator struct {
	tf   data.Timeframe
	keep bool // keep the fine bars of each coarse bar (Fine), for walking fills over them
	syms []*aggSym
	idx  map[string]int
	sess sessionCache
	// spare holds fine-bar slices handed back by the caller of Due (Recycle), reused for the
	// next coarse bars so that keeping fine bars does not allocate once the run is under way.
	spare [][]data.Bar
}

type aggSym struct {
	sym        string
	crypto     bool
	on         bool  // a coarse bar is being built
	start, end int64 // its period, Unix ns
	bar        data.Bar
	fine       []data.Bar
}

// NewAggregator returns an Aggregator building bars of timeframe tf (minutes, hours or 1Day)
// from intraday bars.
func NewAggregator(tf data.Timeframe) (*Aggregator, error) {
	if !tf.Valid() || tf.Unit > data.Day || tf.Unit == data.Day && tf.N != 1 {
		return nil, fmt.Errorf("engine: cannot build %v bars from finer ones: only minutes, hours and 1Day", tf)
	}
	return &Aggregator{tf: tf, idx: make(map[string]int)}, nil
}

// Timeframe is the timeframe of the bars the Aggregator builds.
func (a *Aggregator) Timeframe() data.Timeframe { return a.tf }

// period is the coarse period a fine bar opening at t falls in, as Unix ns [start, end), and
// whether the bar belongs to a coarse bar at all. Minute and hour bars align to the clock in New
// York (15Min: :00, :15, ...; 4Hour: 00:00, 04:00, ...) and take every bar given, extended
// hours included, as Alpaca's do. A daily bar of a stock is its New York date's regular session,
// stamped at midnight New York, ending at the session's close: bars outside the session (and on
// days without one) are left out, as they are out of Alpaca's daily open and close. A crypto
// pair's daily bar is its whole New York date.
func (a *Aggregator) period(bt time.Time, t int64, crypto bool) (start, end int64, ok bool) {
	c := &a.sess
	if t < c.lo || t >= c.hi {
		c.load(bt) // the New York date's span and session, once a day rather than every bar
	}
	if a.tf.Unit == data.Day {
		if crypto {
			return c.lo, c.hi, true
		}
		if t < c.open || t >= c.close {
			return 0, 0, false
		}
		return c.lo, c.close, true
	}
	step := int64(a.tf.Duration())
	off := t - c.lo // since midnight New York; DST days are 23 or 25 hours long
	start = c.lo + off/step*step
	end = min(start+step, c.hi)
	return start, end, true
}

// Add takes the next fine bar. It returns an error when the bar does not fall after the coarse
// bar its symbol is building (bars out of order).
func (a *Aggregator) Add(b *data.Bar) error {
	t := b.Time.UnixNano()
	i, ok := a.idx[b.Symbol]
	if !ok {
		i = len(a.syms)
		a.idx[b.Symbol] = i
		a.syms = append(a.syms, &aggSym{sym: b.Symbol, crypto: data.IsCrypto(b.Symbol)})
	}
	s := a.syms[i]
	start, end, in := a.period(b.Time, t, s.crypto)
	if !in {
		return nil
	}
	if s.on && start != s.start {
		if t < s.end {
			return fmt.Errorf("engine: aggregating %s: bar at %s comes before the end of the %v bar being built",
				b.Symbol, b.Time.UTC().Format(time.RFC3339), a.tf)
		}
		// Its period ended without Due being asked: it is complete all the same.
		return fmt.Errorf("engine: aggregating %s: bar at %s while the %v bar ending %s was not handed over",
			b.Symbol, b.Time.UTC().Format(time.RFC3339), a.tf, time.Unix(0, s.end).UTC().Format(time.RFC3339))
	}
	if !s.on {
		s.on, s.start, s.end = true, start, end
		s.bar = data.Bar{Symbol: b.Symbol, Time: time.Unix(0, start).In(b.Time.Location()),
			Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume,
			TradeCount: b.TradeCount, VWAP: b.VWAP}
		s.fine = s.fine[:0]
	} else {
		c := &s.bar
		c.High, c.Low, c.Close = max(c.High, b.High), min(c.Low, b.Low), b.Close
		if v := c.Volume + b.Volume; v > 0 {
			c.VWAP = (c.VWAP*c.Volume + b.VWAP*b.Volume) / v
		}
		c.Volume += b.Volume
		c.TradeCount += b.TradeCount
	}
	if a.keep {
		s.fine = append(s.fine, *b)
	}
	return nil
}

// Due appends to out the coarse bars whose period ends at or before t (Unix ns), in (time,
// symbol) order, and forgets them; with fine, when the Aggregator keeps fine bars, it appends
// each one's fine bars to fine, in the same order.
func (a *Aggregator) Due(t int64, out []data.Bar, fine [][]data.Bar) ([]data.Bar, [][]data.Bar) {
	n := len(out)
	for _, s := range a.syms {
		if s.on && s.end <= t {
			out = append(out, s.bar)
			if a.keep {
				fine = append(fine, s.fine)
				s.fine = nil
				if n := len(a.spare); n > 0 {
					s.fine, a.spare = a.spare[n-1], a.spare[:n-1]
				}
			}
			s.on = false
		}
	}
	if len(out)-n > 1 {
		sortBars(out[n:], fine, n)
	}
	return out, fine
}

// recycle takes back fine-bar slices that Due handed over and that are no longer read.
func (a *Aggregator) recycle(fine [][]data.Bar) {
	for _, f := range fine {
		a.spare = append(a.spare, f[:0])
	}
}

// building is the earliest start (Unix ns) of the coarse bars being built, MaxInt64 if none.
func (a *Aggregator) building() int64 {
	lo := int64(math.MaxInt64)
	for _, s := range a.syms {
		if s.on && s.start < lo {
			lo = s.start
		}
	}
	return lo
}

// sortBars puts bars in (time, symbol) order, moving fine[n+i] along with bars[i] when fine
// is kept.
func sortBars(bars []data.Bar, fine [][]data.Bar, n int) {
	less := func(x, y *data.Bar) bool {
		if !x.Time.Equal(y.Time) {
			return x.Time.Before(y.Time)
		}
		return strings.Compare(x.Symbol, y.Symbol) < 0
	}
	// Insertion sort: a handful of symbols, stable, and fine moves with its bar.
	for i := 1; i < len(bars); i++ {
		for j := i; j > 0 && less(&bars[j], &bars[j-1]); j-- {
			bars[j], bars[j-1] = bars[j-1], bars[j]
			if fine != nil {
				fine[n+j], fine[n+j-1] = fine[n+j-1], fine[n+j]
			}
		}
	}
}
