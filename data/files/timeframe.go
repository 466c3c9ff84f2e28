package files

import (
	"fmt"
	"slices"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

const secsPerDay = 86400

// spacing is the greatest common spacing of one symbol's bars, in seconds, measured on the wall
// clock the times were written in and on New York's, whichever is larger: daily bars stamped at
// midnight UTC are 23 or 25 hours apart in New York around a daylight-saving change, and bars
// stamped at midnight New York are so in UTC; on their own clock they are whole days apart.
// 0 means fewer than two distinct times.
func spacing(ps []pending) int64 {
	ts := make([]time.Time, len(ps))
	for i, p := range ps {
		ts[i] = p.bar.Time
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	wall := func(t time.Time) int64 { _, off := t.Zone(); return t.Unix() + int64(off) }
	var written, ny int64
	for i := 1; i < len(ts); i++ {
		if d := wall(ts[i]) - wall(ts[i-1]); d > 0 {
			written = gcd(written, d)
		}
		if d := wall(ts[i].In(calendar.NewYork)) - wall(ts[i-1].In(calendar.NewYork)); d > 0 {
			ny = gcd(ny, d)
		}
	}
	return max(written, ny)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// infer names the timeframe of bars g seconds apart whose dates (as written) are ps's.
func infer(sym string, g int64, ps []pending) (data.Timeframe, error) {
	if g%secsPerDay != 0 {
		if g%60 != 0 {
			return data.Timeframe{}, fmt.Errorf("bars of %s are %s apart: not a whole number of minutes", sym, time.Duration(g)*time.Second)
		}
		m := int(g / 60)
		tf := data.Timeframe{N: m, Unit: data.Min}
		if m >= 60 && m%60 == 0 {
			tf = data.Timeframe{N: m / 60, Unit: data.Hour}
		}
		if !tf.Valid() {
			return data.Timeframe{}, fmt.Errorf("bars of %s are %s apart, which is no timeframe (%s): give --tf",
				sym, time.Duration(g)*time.Second, data.TimeframeForms)
		}
		return tf, nil
	}
	days := make([]int64, 0, len(ps))
	for _, p := range ps {
		y, m, d := p.bar.Time.Date()
		days = append(days, time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/secsPerDay)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	var gd, minGap int64
	for i := 1; i < len(days); i++ {
		d := days[i] - days[i-1]
		gd = gcd(gd, d)
		if minGap == 0 || d < minGap {
			minGap = d
		}
	}
	switch {
	case minGap < 28 && gd%7 == 0:
		return data.Timeframe{N: 1, Unit: data.Week}, nil
	case minGap < 28:
		return data.OneDay, nil
	}
	var gm int64
	for i := 1; i < len(days); i++ {
		a, b := time.Unix(days[i-1]*secsPerDay, 0).UTC(), time.Unix(days[i]*secsPerDay, 0).UTC()
		gm = gcd(gm, int64(b.Year()*12+int(b.Month())-a.Year()*12-int(a.Month())))
	}
	tf := data.Timeframe{N: int(gm), Unit: data.Month}
	if !tf.Valid() {
		return data.Timeframe{}, fmt.Errorf("bars of %s are %d months apart, which is no timeframe (%s): give --tf", sym, gm, data.TimeframeForms)
	}
	return tf, nil
}

// timeframeOf returns the given timeframe, checked against the bars' spacing, or infers one on
// which every symbol agrees.
func timeframeOf(given data.Timeframe, rows map[string][]pending) (data.Timeframe, error) {
	syms := make([]string, 0, len(rows))
	for sym := range rows {
		syms = append(syms, sym)
	}
	slices.Sort(syms)
	if given != (data.Timeframe{}) {
		if !given.Valid() {
			return data.Timeframe{}, fmt.Errorf("invalid timeframe %v: want one of %s", given, data.TimeframeForms)
		}
		for _, sym := range syms {
			g := spacing(rows[sym])
			switch {
			case g == 0:
			case given.Intraday() && g%int64(given.Duration()/time.Second) != 0:
				return data.Timeframe{}, fmt.Errorf("bars of %s are %s apart, not a multiple of --tf %s", sym, time.Duration(g)*time.Second, given)
			case !given.Intraday() && g%secsPerDay != 0:
				return data.Timeframe{}, fmt.Errorf("bars of %s are %s apart: intraday, not %s", sym, time.Duration(g)*time.Second, given)
			}
		}
		return given, nil
	}
	var (
		tf   data.Timeframe
		from string
	)
	for _, sym := range syms {
		g := spacing(rows[sym])
		if g == 0 {
			continue
		}
		t, err := infer(sym, g, rows[sym])
		if err != nil {
			return data.Timeframe{}, err
		}
		if from != "" && t != tf {
			return data.Timeframe{}, fmt.Errorf("bars of %s are %s but those of %s are %s: import them separately, or give --tf", from, tf, sym, t)
		}
		tf, from = t, sym
	}
	if from == "" {
		if len(syms) == 0 {
			return data.Timeframe{}, fmt.Errorf("no bars in the files")
		}
		return data.Timeframe{}, fmt.Errorf("cannot tell the timeframe from one bar per symbol: give --tf")
	}
	return tf, nil
}
