package fetch

import (
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

// dayZones are the clocks whose midnight a daily, weekly or monthly bar may open at: New York
// for stocks (daily stock bars are stamped 04:00Z/05:00Z, docs.alpaca.markets/reference/
// stockbars), Chicago or UTC for crypto.
var dayZones = []*time.Location{calendar.NewYork, calendar.Chicago, time.UTC}

// FormingStart returns the open time of the bar of tf that is still forming at now, by the
// data server's clock: every bar that opens before it has ended and is final, and that bar and
// later ones are not. anchor is the stamp of a bar the server returned for the series (zero
// when none): its alignment is taken as the grid of tf, since Alpaca documents no alignment
// for weekly and monthly bars nor the clock of crypto days. Without an anchor, or when the
// anchor fits no known clock, the earliest plausible start is taken, which covers less and
// so fetches a bar again rather than keep a forming one.
func FormingStart(now time.Time, tf data.Timeframe, anchor time.Time) time.Time {
	if tf.Intraday() {
		d := tf.Duration()
		if anchor.IsZero() {
			return CompleteEnd(now, tf)
		}
		k := now.Sub(anchor) / d
		if now.Before(anchor) && now.Sub(anchor)%d != 0 {
			k--
		}
		return anchor.Add(k * d).UTC()
	}
	if !anchor.IsZero() {
		for _, z := range dayZones {
			a := anchor.In(z)
			if a.Hour() == 0 && a.Minute() == 0 && a.Second() == 0 && a.Nanosecond() == 0 {
				return periodStart(now, tf, z, a)
			}
		}
	}
	var out time.Time
	for _, z := range dayZones {
		for _, wd := range []time.Weekday{time.Monday, time.Sunday} {
			// A stand-in anchor on the first of a January, on weekday wd, at midnight in z.
			a := time.Date(2024, 1, 1, 0, 0, 0, 0, z)
			for a.Weekday() != wd {
				a = a.AddDate(0, 0, 1)
			}
			if s := periodStart(now, tf, z, a); out.IsZero() || s.Before(out) {
				out = s
			}
		}
	}
	return out
}

// periodStart is the start of the period of tf holding now, on the grid of a (a midnight in z).
func periodStart(now time.Time, tf data.Timeframe, z *time.Location, a time.Time) time.Time {
	n := now.In(z)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, z)
	switch tf.Unit {
	case data.Week:
		for day.Weekday() != a.Weekday() {
			day = day.AddDate(0, 0, -1)
		}
	case data.Month:
		day = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, z)
		if tf.N > 1 {
			months := (day.Year()-a.Year())*12 + int(day.Month()-a.Month())
			back := ((months % tf.N) + tf.N) % tf.N
			day = day.AddDate(0, -back, 0)
		}
	}
	return day.UTC()
}

// finalEnd is where a chunk's coverage may end: its end, or the open of the bar still forming
// by the server's clock at (zero: no clock, the plan's end stands).
func finalEnd(c Chunk, at time.Time, bars []data.Bar) time.Time {
	if at.IsZero() {
		return c.End
	}
	var anchor time.Time
	if len(bars) > 0 {
		anchor = bars[len(bars)-1].Time
	}
	if f := FormingStart(at, c.Timeframe, anchor); f.Before(c.End) {
		return f
	}
	return c.End
}
