package engine

import (
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

var nyLoc = data.NewYork

// sessionOn returns the regular session of the New York date of day: its open and close, or
// ok=false on a weekend or holiday.
//
// TEMPORARY FALLBACK: the session calendar (data.InSession / data.SessionOn in data/calendar.go)
// is being written in parallel. Until it lands this approximates it with Monday-Friday
// 09:30-16:00 New York, without holidays or early closes. When it lands, replace the body with
// data.SessionOn and delete this comment.
func sessionOn(day time.Time) (open, close time.Time, ok bool) {
	ny := day.In(nyLoc)
	switch ny.Weekday() {
	case time.Saturday, time.Sunday:
		return time.Time{}, time.Time{}, false
	}
	y, m, d := ny.Date()
	return time.Date(y, m, d, 9, 30, 0, 0, nyLoc), time.Date(y, m, d, 16, 0, 0, 0, nyLoc), true
}

// sessionCache answers "is this bar open time inside a regular session" with two comparisons,
// asking the calendar once per New York date. Bars come in time order, so it misses once a day.
type sessionCache struct {
	lo, hi      int64 // Unix ns span of the cached New York date
	open, close int64 // its session, open == close when there is none
}

func (c *sessionCache) in(t time.Time, ns int64) bool {
	if ns < c.lo || ns >= c.hi {
		ny := t.In(nyLoc)
		y, m, d := ny.Date()
		c.lo = time.Date(y, m, d, 0, 0, 0, 0, nyLoc).UnixNano()
		c.hi = time.Date(y, m, d+1, 0, 0, 0, 0, nyLoc).UnixNano()
		c.open, c.close = 0, 0
		if o, cl, ok := sessionOn(ny); ok {
			c.open, c.close = o.UnixNano(), cl.UnixNano()
		}
	}
	return ns >= c.open && ns < c.close
}
