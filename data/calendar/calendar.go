package calendar

import (
	"iter"
	"sync/atomic"
	"time"
)

// The US equity calendar below is computed by rule, so it works for any year without a list of
// dates to keep up to date. It follows the NYSE's current rules (Rule 7.2 and its published
// holiday schedules):
//
//   - Regular session 09:30-16:00 America/New_York, Monday to Friday.
//   - Full holidays: New Year's Day, Martin Luther King Jr. Day (third Monday of January, from
//     1998), Washington's Birthday (third Monday of February), Good Friday, Memorial Day (last
//     Monday of May), Juneteenth (June 19, from 2022), Independence Day, Labor Day (first Monday
//     of September), Thanksgiving (fourth Thursday of November) and Christmas.
//   - A holiday on a Sunday is observed on the Monday after; one on a Saturday on the Friday
//     before, except New Year's Day: the NYSE does not close on December 31, the last day of its
//     accounting year, so a Saturday New Year's Day is not observed at all.
//   - Early closes at 13:00: July 3 when it is Monday to Thursday (when it is a Friday it is the
//     observed Independence Day; when July 4 is a Monday there is no early close), the day after
//     Thanksgiving, and December 24 when it is Monday to Thursday.
//
// Unscheduled closures (national days of mourning, Hurricane Sandy, September 11) cannot be
// derived by rule; the few since 1985 are listed in specialClosures so that the calendar agrees
// with the bars an exchange actually printed. Unscheduled early closes are not modelled. Before
// 1971 (the Uniform Monday Holiday Act) and before Saturday trading ended in 1952 the rules
// above do not match history; the calendar is meant for the years that Alpaca covers and later.

// Session is one regular trading session.
type Session struct {
	// Date is the midnight in New York that starts the session's day, in the NewYork location,
	// so that Date.Format(time.DateOnly) prints the trading day. Date.UTC() is how Alpaca
	// stamps the day's daily bar.
	Date time.Time
	// Open and Close bound the session as the half-open interval [Open, Close), in UTC.
	Open, Close time.Time
	// Early is set when the session closes at 13:00 instead of 16:00.
	Early bool
}

// Contains reports whether t lies in [s.Open, s.Close).
func (s Session) Contains(t time.Time) bool { return !t.Before(s.Open) && t.Before(s.Close) }

// SessionOn returns the session of the New York calendar day that contains the instant t, and
// false when that day is a weekend, a holiday or an unscheduled closure. A time built as
// time.Date(y, m, d, 0, 0, 0, 0, time.UTC) is the evening before in New York: use NewYork, or
// SessionOnDate, to name a day.
func SessionOn(t time.Time) (Session, bool) {
	u := t.Unix()
	days := floorDiv(u, secsPerDay)
	d := calDayAt(days)
	// New York is always behind UTC, so its day begins during the UTC day of the same date.
	if u-days*secsPerDay < int64(d.midnight) {
		days--
		d = calDayAt(days)
	}
	if d.close == 0 {
		return Session{}, false
	}
	return d.session(days), true
}

// SessionOnDate returns the session of the given New York calendar day, and false when there is
// none. Out-of-range months and days are normalised as time.Date does.
func SessionOnDate(year int, month time.Month, day int) (Session, bool) {
	days := floorDiv(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix(), secsPerDay)
	d := calDayAt(days)
	if d.close == 0 {
		return Session{}, false
	}
	return d.session(days), true
}

// IsTradingDay reports whether the New York calendar day that contains t has a regular session.
func IsTradingDay(t time.Time) bool {
	_, ok := SessionOn(t)
	return ok
}

// InSession reports whether t lies inside a regular session, [open, close). It does not
// allocate and, once the year's table is built, costs a few integer operations: the engine
// calls it for every bar.
func InSession(t time.Time) bool {
	u := t.Unix()
	days := floorDiv(u, secsPerDay)
	// Every regular session lies within the UTC day of its own date (13:30-21:00 UTC at the
	// latest), so the UTC day indexes it directly.
	sec := int32(u - days*secsPerDay)
	d := calDayAt(days)
	return d.close != 0 && sec >= d.open && sec < d.close
}

// Sessions yields, oldest first, the sessions that overlap the half-open interval [start, end).
func Sessions(start, end time.Time) iter.Seq[Session] {
	return func(yield func(Session) bool) {
		if !start.Before(end) {
			return
		}
		last := floorDiv(end.Unix(), secsPerDay)
		var c calCursor
		for days := floorDiv(start.Unix(), secsPerDay); days <= last; days++ {
			d := c.day(days)
			if d.close == 0 {
				continue
			}
			s := d.session(days)
			if s.Open.Before(end) && s.Close.After(start) {
				if !yield(s) {
					return
				}
			}
		}
	}
}

// NextSession returns the first session that opens at or after t.
func NextSession(t time.Time) Session {
	u := t.Unix()
	if t.Nanosecond() != 0 {
		u++ // sessions open on whole seconds; the next one at or after t starts after u.
	}
	var c calCursor
	for days := floorDiv(u, secsPerDay); ; days++ {
		if d := c.day(days); d.close != 0 && days*secsPerDay+int64(d.open) >= u {
			return d.session(days)
		}
	}
}

// PrevSession returns the last session that closes at or before t.
func PrevSession(t time.Time) Session {
	u := t.Unix() // rounds down, as wanted: a close at u is at or before t.
	var c calCursor
	for days := floorDiv(u, secsPerDay); ; days-- {
		if d := c.day(days); d.close != 0 && days*secsPerDay+int64(d.close) <= u {
			return d.session(days)
		}
	}
}

const secsPerDay = 86400

// specialClosures are the full-day closures that no rule predicts, as y*10000+m*100+d.
var specialClosures = [...]int32{
	19850927,                               // Hurricane Gloria
	19940427,                               // President Nixon's funeral
	20010911, 20010912, 20010913, 20010914, // September 11
	20040611,           // President Reagan's funeral
	20070102,           // President Ford's day of mourning
	20121029, 20121030, // Hurricane Sandy
	20181205, // President George H. W. Bush's day of mourning
	20250109, // President Carter's day of mourning
}

// calDay is one calendar day of the table, in seconds after the UTC midnight of the same date.
type calDay struct {
	open, close int32 // close == 0: no session
	midnight    int32 // when the day begins in New York: 4 or 5 hours after UTC midnight
	early       bool
}

func (d calDay) session(days int64) Session {
	base := days * secsPerDay
	return Session{
		Date:  time.Unix(base+int64(d.midnight), 0).In(NewYork),
		Open:  time.Unix(base+int64(d.open), 0).UTC(),
		Close: time.Unix(base+int64(d.close), 0).UTC(),
		Early: d.early,
	}
}

type calYear struct {
	year int
	jan1 int64 // days since 1970-01-01
	days [366]calDay
}

// Years in this span are built once and cached; others are rebuilt on each call, which is
// correct but allocates.
const (
	calFirstCached = 1900
	calLastCached  = 2200
)

// calYears caches built years. A race to build the same year wastes a build but is harmless:
// both results are identical and the first stored wins.
var calYears [calLastCached - calFirstCached + 1]atomic.Pointer[calYear]

func calYearOf(y int) *calYear {
	if y < calFirstCached || y > calLastCached {
		return buildCalYear(y)
	}
	p := &calYears[y-calFirstCached]
	if c := p.Load(); c != nil {
		return c
	}
	p.CompareAndSwap(nil, buildCalYear(y))
	return p.Load()
}

func calDayAt(days int64) calDay {
	c := calYearOf(yearOfDays(days))
	return c.days[days-c.jan1]
}

// calCursor walks days in order, looking a year up only when the walk leaves it.
type calCursor struct{ y *calYear }

func (c *calCursor) day(days int64) calDay {
	if c.y == nil || days < c.y.jan1 || days >= c.y.jan1+int64(daysIn(c.y.year)) {
		c.y = calYearOf(yearOfDays(days))
	}
	return c.y.days[days-c.y.jan1]
}

func buildCalYear(y int) *calYear {
	c := &calYear{year: y, jan1: daysFromCivil(y, time.January, 1)}
	var closed, early [366]bool
	mark := func(m time.Month, d int, set *[366]bool) {
		if doy := int(daysFromCivil(y, m, d) - c.jan1); doy >= 0 && doy < len(set) {
			set[doy] = true
		}
	}
	for _, h := range nyseHolidays(y) {
		mark(h.Month, h.Day, &closed)
	}
	for _, e := range nyseEarlyCloses(y) {
		mark(e.Month, e.Day, &early)
	}
	for _, s := range specialClosures {
		if int(s/10000) == y {
			mark(time.Month(s/100%100), int(s%100), &closed)
		}
	}
	n := daysIn(y)
	for i := 0; i < n; i++ {
		day := time.Date(y, time.January, 1+i, 0, 0, 0, 0, time.UTC)
		base := day.Unix()
		m, d := day.Month(), day.Day()
		at := func(h, min int) int32 {
			return int32(time.Date(y, m, d, h, min, 0, 0, NewYork).Unix() - base)
		}
		cd := calDay{midnight: at(0, 0)}
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday && !closed[i] {
			cd.open, cd.close, cd.early = at(9, 30), at(16, 0), early[i]
			if cd.early {
				cd.close = at(13, 0)
			}
		}
		c.days[i] = cd
	}
	return c
}

// monthDay names a day of some year.
type monthDay struct {
	Month time.Month
	Day   int
}

// nyseHolidays returns the rule-based full holidays of year y as observed, in date order.
func nyseHolidays(y int) []monthDay {
	out := make([]monthDay, 0, 10)
	add := func(md monthDay) { out = append(out, md) }
	// New Year's Day: a Saturday one is not observed (see the package comment).
	switch weekdayOf(y, time.January, 1) {
	case time.Saturday:
	case time.Sunday:
		add(monthDay{time.January, 2})
	default:
		add(monthDay{time.January, 1})
	}
	if y >= 1998 {
		add(nthWeekday(y, time.January, time.Monday, 3))
	}
	add(nthWeekday(y, time.February, time.Monday, 3))
	em, ed := easter(y)
	gf := time.Date(y, em, ed-2, 0, 0, 0, 0, time.UTC)
	add(monthDay{gf.Month(), gf.Day()})
	add(lastWeekday(y, time.May, time.Monday))
	if y >= 2022 {
		add(observed(y, time.June, 19))
	}
	add(observed(y, time.July, 4))
	add(nthWeekday(y, time.September, time.Monday, 1))
	add(nthWeekday(y, time.November, time.Thursday, 4))
	add(observed(y, time.December, 25))
	return out
}

// nyseEarlyCloses returns the rule-based 13:00 closes of year y, in date order.
func nyseEarlyCloses(y int) []monthDay {
	out := make([]monthDay, 0, 3)
	if wd := weekdayOf(y, time.July, 3); wd >= time.Monday && wd <= time.Thursday {
		out = append(out, monthDay{time.July, 3})
	}
	tg := nthWeekday(y, time.November, time.Thursday, 4)
	out = append(out, monthDay{time.November, tg.Day + 1})
	if wd := weekdayOf(y, time.December, 24); wd >= time.Monday && wd <= time.Thursday {
		out = append(out, monthDay{time.December, 24})
	}
	return out
}

// observed moves a fixed-date holiday off the weekend: Saturday to Friday, Sunday to Monday.
func observed(y int, m time.Month, d int) monthDay {
	switch weekdayOf(y, m, d) {
	case time.Saturday:
		d--
	case time.Sunday:
		d++
	}
	return monthDay{m, d}
}

func nthWeekday(y int, m time.Month, wd time.Weekday, n int) monthDay {
	first := weekdayOf(y, m, 1)
	return monthDay{m, 1 + (int(wd)-int(first)+7)%7 + 7*(n-1)}
}

func lastWeekday(y int, m time.Month, wd time.Weekday) monthDay {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
	return monthDay{m, last.Day() - (int(last.Weekday())-int(wd)+7)%7}
}

// easter returns Easter Sunday of the Gregorian year y (the anonymous Gregorian computus of
// Meeus, Jones and Butcher).
func easter(y int) (time.Month, int) {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}

func weekdayOf(y int, m time.Month, d int) time.Weekday {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
}

func daysIn(y int) int {
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 366
	}
	return 365
}

// daysFromCivil and yearOfDays convert between proleptic Gregorian dates and days since
// 1970-01-01 (Howard Hinnant's algorithms): far cheaper than time.Time.Date in the hot path.
func daysFromCivil(y int, m time.Month, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := floorDiv(yy, 400)
	yoe := yy - era*400
	mp := (int64(m) + 9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func yearOfDays(days int64) int {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	y := yoe + era*400
	if mp >= 10 { // January or February: the computation's year starts in March.
		y++
	}
	return int(y)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
