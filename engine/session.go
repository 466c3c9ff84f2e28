package engine

import (
	"time"

	"github.com/barkeep-trading/barkeep/data/calendar"
)

var nyLoc = calendar.NewYork

// sessionCache answers calendar.InSession with two comparisons, asking the calendar once per
// New York date: bars come in time order, so it misses once a day.
type sessionCache struct {
	lo, hi      int64 // Unix ns span of the cached New York date
	open, close int64 // its session, open == close when there is none
}

func (c *sessionCache) in(t time.Time, ns int64) bool {
	if ns < c.lo || ns >= c.hi {
		c.load(t)
	}
	return ns >= c.open && ns < c.close
}

// load caches the New York date of t.
func (c *sessionCache) load(t time.Time) {
	lo, hi := calendar.DaySpan(t)
	c.lo, c.hi = lo.UnixNano(), hi.UnixNano()
	c.open, c.close = 0, 0
	if s, ok := calendar.SessionOn(t); ok {
		c.open, c.close = s.Open.UnixNano(), s.Close.UnixNano()
	}
}
