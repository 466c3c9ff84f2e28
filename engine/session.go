package engine

import (
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

var nyLoc = data.NewYork

// sessionCache answers data.InSession with two comparisons, asking the calendar once per New
// York date: bars come in time order, so it misses once a day.
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
	ny := t.In(nyLoc)
	y, m, d := ny.Date()
	c.lo = time.Date(y, m, d, 0, 0, 0, 0, nyLoc).UnixNano()
	c.hi = time.Date(y, m, d+1, 0, 0, 0, 0, nyLoc).UnixNano()
	c.open, c.close = 0, 0
	if s, ok := data.SessionOn(t); ok {
		c.open, c.close = s.Open.UnixNano(), s.Close.UnixNano()
	}
}
