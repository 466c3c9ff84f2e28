package calendar

import (
	"fmt"
	"testing"
	"time"
)

// calNY is a New York wall-clock instant, for readable expectations.
func calNY(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, NewYork)
}

func calDate(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, NewYork)
	if err != nil {
		panic(err)
	}
	return t
}

// The NYSE's published holiday and early-close schedules, 2020-2027.
var (
	publishedHolidays = map[int][]string{
		2020: {"2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03", "2020-09-07", "2020-11-26", "2020-12-25"},
		2021: {"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"},
		2022: {"2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26"},
		2023: {"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"},
		2024: {"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"},
		2025: {"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"},
		2026: {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"},
		2027: {"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"},
	}
	publishedEarly = map[int][]string{
		2020: {"2020-11-27", "2020-12-24"},
		2021: {"2021-11-26"},
		2022: {"2022-11-25"},
		2023: {"2023-07-03", "2023-11-24"},
		2024: {"2024-07-03", "2024-11-29", "2024-12-24"},
		2025: {"2025-07-03", "2025-11-28", "2025-12-24"},
		2026: {"2026-11-27", "2026-12-24"},
		2027: {"2027-11-26"},
	}
	// Trading days per year, as counted by the exchange.
	publishedCounts = map[int]int{2019: 252, 2020: 253, 2021: 252, 2022: 251, 2023: 250, 2024: 252, 2025: 250}
)

// TestCalendarPublishedYears walks every day of 2020-2027 and compares it with the published
// schedule: closed on the listed holidays and weekends, early on the listed days, open
// 09:30-16:00 otherwise.
func TestCalendarPublishedYears(t *testing.T) {
	for y := 2020; y <= 2027; y++ {
		closed, early := map[string]bool{}, map[string]bool{}
		for _, d := range publishedHolidays[y] {
			closed[d] = true
		}
		for _, d := range publishedEarly[y] {
			early[d] = true
		}
		n := 0
		for day := calDate(fmt.Sprintf("%d-01-01", y)); day.Year() == y; day = day.AddDate(0, 0, 1) {
			key := day.Format(time.DateOnly)
			s, ok := SessionOn(day)
			weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
			if want := !weekend && !closed[key]; ok != want {
				t.Errorf("%s (%s): open = %v, want %v", key, day.Weekday(), ok, want)
				continue
			}
			if IsTradingDay(day) != ok {
				t.Errorf("%s: IsTradingDay disagrees with SessionOn", key)
			}
			if !ok {
				continue
			}
			n++
			closeH := 16
			if early[key] {
				closeH = 13
			}
			if s.Early != early[key] {
				t.Errorf("%s: Early = %v, want %v", key, s.Early, early[key])
			}
			if !s.Date.Equal(day) || s.Date.Location() != NewYork {
				t.Errorf("%s: Date = %v, want %v in New York", key, s.Date, day)
			}
			y, m, d := day.Date()
			if want := calNY(y, m, d, 9, 30); !s.Open.Equal(want) || s.Open.Location() != time.UTC {
				t.Errorf("%s: Open = %v, want %v in UTC", key, s.Open, want.UTC())
			}
			if want := calNY(y, m, d, closeH, 0); !s.Close.Equal(want) || s.Close.Location() != time.UTC {
				t.Errorf("%s: Close = %v, want %v in UTC", key, s.Close, want.UTC())
			}
			if s2, ok2 := SessionOnDate(y, m, d); !ok2 || s2 != s {
				t.Errorf("%s: SessionOnDate = %v, %v; SessionOn = %v", key, s2, ok2, s)
			}
		}
		if want, ok := publishedCounts[y]; ok && n != want {
			t.Errorf("%d: %d trading days, want %d", y, n, want)
		}
	}
}

func TestCalendarCases(t *testing.T) {
	tests := []struct {
		name string
		day  string
		open bool
	}{
		{"Saturday New Year's Day is not observed on Friday", "2021-12-31", true},
		{"Saturday New Year's Day 2028 either", "2027-12-31", true},
		{"Sunday New Year's Day observed Monday", "2023-01-02", false},
		{"Juneteenth not a holiday before 2022", "2021-06-18", true},
		{"Juneteenth on Sunday observed Monday", "2022-06-20", false},
		{"Juneteenth on Saturday observed Friday", "2027-06-18", false},
		{"MLK Day from 1998", "1998-01-19", false},
		{"MLK Day not before 1998", "1997-01-20", true},
		{"Good Friday in March", "2016-03-25", false},
		{"Hurricane Sandy", "2012-10-29", false},
		{"President Carter's day of mourning", "2025-01-09", false},
		{"Independence Day on Saturday observed Friday", "2015-07-03", false},
		{"Christmas on Sunday observed Monday", "2022-12-26", false},
		{"Friday before a Monday Christmas is a full day", "2023-12-22", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTradingDay(calDate(tt.day)); got != tt.open {
				t.Errorf("IsTradingDay(%s) = %v, want %v", tt.day, got, tt.open)
			}
		})
	}
}

func TestSessionOnInstants(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string // session date, "" for none
	}{
		{"NY midnight", calNY(2024, 1, 2, 0, 0), "2024-01-02"},
		{"last second of a NY day", calNY(2024, 1, 2, 23, 59).Add(59 * time.Second), "2024-01-02"},
		// 2024-01-03T03:00Z is still January 2 in New York.
		{"UTC next day, NY same day", time.Date(2024, 1, 3, 3, 0, 0, 0, time.UTC), "2024-01-02"},
		{"UTC midnight is the NY evening before", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), ""},
		{"daily bar stamp in summer", time.Date(2024, 7, 1, 4, 0, 0, 0, time.UTC), "2024-07-01"},
		{"a second before NY midnight in summer", time.Date(2024, 7, 1, 3, 59, 59, 0, time.UTC), ""},
		{"DST starts on a Sunday, Monday is normal", calNY(2024, 3, 11, 12, 0), "2024-03-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := SessionOn(tt.at)
			got := ""
			if ok {
				got = s.Date.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("SessionOn(%v) = %q, want %q", tt.at, got, tt.want)
			}
		})
	}
}

func TestInSession(t *testing.T) {
	tests := []struct {
		at   time.Time
		want bool
	}{
		{calNY(2024, 1, 2, 9, 29), false},
		{calNY(2024, 1, 2, 9, 30), true},
		{calNY(2024, 1, 2, 9, 30).Add(-time.Nanosecond), false},
		{calNY(2024, 1, 2, 15, 59), true},
		{calNY(2024, 1, 2, 16, 0).Add(-time.Nanosecond), true},
		{calNY(2024, 1, 2, 16, 0), false},
		{calNY(2024, 7, 3, 12, 59), true}, // early close
		{calNY(2024, 7, 3, 13, 0), false},
		{calNY(2024, 7, 5, 13, 0), true},
		{calNY(2024, 7, 4, 10, 0), false},                      // holiday
		{calNY(2024, 7, 6, 10, 0), false},                      // Saturday
		{time.Date(2024, 7, 1, 13, 30, 0, 0, time.UTC), true},  // EDT: 09:30 is 13:30Z
		{time.Date(2024, 1, 2, 13, 30, 0, 0, time.UTC), false}, // EST: 09:30 is 14:30Z
		{time.Date(2024, 1, 2, 20, 59, 0, 0, time.UTC), true},
		{time.Date(2024, 7, 1, 20, 0, 0, 0, time.UTC), false},
		{time.Date(1850, 6, 3, 15, 0, 0, 0, time.UTC), true}, // outside the cached years: still computed
		{time.Time{}, false},
	}
	for _, tt := range tests {
		if got := InSession(tt.at); got != tt.want {
			t.Errorf("InSession(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestSessions(t *testing.T) {
	tests := []struct {
		name string
		r    [2]time.Time
		want []string
	}{
		{"a week with a holiday", [2]time.Time{calNY(2024, 6, 17, 0, 0), calNY(2024, 6, 22, 0, 0)},
			[]string{"2024-06-17", "2024-06-18", "2024-06-20", "2024-06-21"}},
		{"start after the open still overlaps", [2]time.Time{calNY(2024, 6, 17, 15, 0), calNY(2024, 6, 18, 9, 30)},
			[]string{"2024-06-17"}},
		{"end at the open excludes that session", [2]time.Time{calNY(2024, 6, 17, 16, 0), calNY(2024, 6, 18, 9, 31)},
			[]string{"2024-06-18"}},
		{"across a year", [2]time.Time{calNY(2021, 12, 30, 0, 0), calNY(2022, 1, 4, 0, 0)},
			[]string{"2021-12-30", "2021-12-31", "2022-01-03"}},
		{"empty", [2]time.Time{calNY(2024, 6, 18, 0, 0), calNY(2024, 6, 17, 0, 0)}, nil},
		{"weekend", [2]time.Time{calNY(2024, 6, 22, 0, 0), calNY(2024, 6, 24, 0, 0)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for s := range Sessions(tt.r[0], tt.r[1]) {
				got = append(got, s.Date.Format(time.DateOnly))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Sessions(%v) = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
	// Breaking out of the loop stops the sequence.
	n := 0
	for range Sessions(calNY(2024, 1, 1, 0, 0), calNY(2025, 1, 1, 0, 0)) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("break after 3: saw %d", n)
	}
}

func TestNextPrevSession(t *testing.T) {
	tests := []struct {
		at         time.Time
		next, prev string
	}{
		{calNY(2024, 7, 3, 9, 30), "2024-07-03", "2024-07-02"},
		{calNY(2024, 7, 3, 9, 30).Add(time.Nanosecond), "2024-07-05", "2024-07-02"},
		{calNY(2024, 7, 3, 13, 0), "2024-07-05", "2024-07-03"},
		{calNY(2024, 7, 3, 12, 59), "2024-07-05", "2024-07-02"},
		{calNY(2024, 12, 31, 17, 0), "2025-01-02", "2024-12-31"},
		{calNY(2025, 1, 8, 18, 0), "2025-01-10", "2025-01-08"},
		{calNY(2001, 9, 10, 20, 0), "2001-09-17", "2001-09-10"},
	}
	for _, tt := range tests {
		n, p := NextSession(tt.at), PrevSession(tt.at)
		if got := n.Date.Format(time.DateOnly); got != tt.next {
			t.Errorf("NextSession(%v) = %s, want %s", tt.at, got, tt.next)
		}
		if got := p.Date.Format(time.DateOnly); got != tt.prev {
			t.Errorf("PrevSession(%v) = %s, want %s", tt.at, got, tt.prev)
		}
	}
}

func TestEaster(t *testing.T) {
	for _, want := range []string{"1818-03-22", "1943-04-25", "2000-04-23", "2008-03-23", "2011-04-24", "2019-04-21", "2024-03-31", "2025-04-20", "2038-04-25", "2285-03-22"} {
		d := calDate(want)
		m, day := easter(d.Year())
		if m != d.Month() || day != d.Day() {
			t.Errorf("easter(%d) = %v %d, want %s", d.Year(), m, day, want)
		}
	}
}

func TestCalendarDoesNotAllocate(t *testing.T) {
	at := calNY(2024, 3, 15, 11, 0)
	InSession(at) // build the year first
	allocs := testing.AllocsPerRun(100, func() {
		if !InSession(at) {
			t.Fatal("not in session")
		}
		if _, ok := SessionOn(at); !ok {
			t.Fatal("no session")
		}
	})
	if allocs != 0 {
		t.Errorf("InSession + SessionOn allocate %v times per call", allocs)
	}
}

func TestCivilDays(t *testing.T) {
	for _, y := range []int{-400, -1, 0, 1, 1600, 1899, 1900, 1969, 1970, 2000, 2024, 2100, 2200, 9999} {
		for _, md := range [][2]int{{1, 1}, {2, 28}, {3, 1}, {12, 31}} {
			want := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC).Unix() / secsPerDay
			if y < 1970 {
				want = floorDiv(time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC).Unix(), secsPerDay)
			}
			if got := daysFromCivil(y, time.Month(md[0]), md[1]); got != want {
				t.Errorf("daysFromCivil(%d-%d-%d) = %d, want %d", y, md[0], md[1], got, want)
			}
			if got := yearOfDays(want); got != y {
				t.Errorf("yearOfDays(%d) = %d, want %d", want, got, y)
			}
		}
	}
}

// refClosed is a second, independent statement of the NYSE rules: predicates on the date
// itself rather than dates computed per year, and Knuth's Easter rather than Meeus'.
func refClosed(day time.Time) (closed, early bool) {
	y, m, d, wd := day.Year(), day.Month(), day.Day(), day.Weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return true, false
	}
	for _, s := range specialClosures {
		if int(s) == y*10000+int(m)*100+d {
			return true, false
		}
	}
	// fixed reports whether the fixed-date holiday fm/fd is observed today.
	fixed := func(fm time.Month, fd int, saturdayToFriday bool) bool {
		h := time.Date(y, fm, fd, 0, 0, 0, 0, time.UTC)
		switch {
		case m == fm && d == fd:
			return true
		case wd == time.Monday && day.AddDate(0, 0, -1).Equal(h):
			return true
		case saturdayToFriday && wd == time.Friday && day.AddDate(0, 0, 1).Equal(h):
			return true
		}
		return false
	}
	ge, gm, gd := refEaster(y)
	goodFriday := time.Date(ge, gm, gd-2, 0, 0, 0, 0, time.UTC)
	switch {
	case fixed(time.January, 1, false),
		y >= 1998 && m == time.January && wd == time.Monday && d >= 15 && d <= 21,
		m == time.February && wd == time.Monday && d >= 15 && d <= 21,
		m == goodFriday.Month() && d == goodFriday.Day(),
		m == time.May && wd == time.Monday && d >= 25,
		y >= 2022 && fixed(time.June, 19, true),
		fixed(time.July, 4, true),
		m == time.September && wd == time.Monday && d <= 7,
		m == time.November && wd == time.Thursday && d >= 22 && d <= 28,
		fixed(time.December, 25, true):
		return true, false
	}
	early = m == time.July && d == 3 && wd != time.Friday ||
		m == time.November && wd == time.Friday && d >= 23 && d <= 29 ||
		m == time.December && d == 24 && wd != time.Friday
	return false, early
}

func refEaster(y int) (int, time.Month, int) {
	g := y%19 + 1
	c := y/100 + 1
	x := 3*c/4 - 12
	z := (8*c+5)/25 - 5
	d := 5*y/4 - x - 10
	e := (11*g + 20 + z - x) % 30
	if e == 25 && g > 11 || e == 24 {
		e++
	}
	n := 44 - e
	if n < 21 {
		n += 30
	}
	n += 7 - (d+n)%7
	if n > 31 {
		return y, time.April, n - 31
	}
	return y, time.March, n
}

func FuzzCalendar(f *testing.F) {
	for _, s := range []int64{0, 1704205800, 1720000000, -2208988800, 7258118400, 1735689599} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, unix int64) {
		// Every instant from 1900 through 2200, in seconds.
		const lo, span = -2208988800, 7258118400 + 2208988800
		unix = lo + (unix%span+span)%span
		at := time.Unix(unix, 0)
		day := at.In(NewYork)
		date := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, NewYork)

		wantClosed, wantEarly := refClosed(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC))
		s, ok := SessionOn(at)
		if ok == wantClosed {
			t.Fatalf("SessionOn(%v): open = %v, reference says closed = %v", day, ok, wantClosed)
		}
		if ok {
			closeH := 16
			if wantEarly {
				closeH = 13
			}
			y, m, d := day.Date()
			if s.Early != wantEarly || !s.Date.Equal(date) ||
				!s.Open.Equal(time.Date(y, m, d, 9, 30, 0, 0, NewYork)) ||
				!s.Close.Equal(time.Date(y, m, d, closeH, 0, 0, 0, NewYork)) {
				t.Fatalf("SessionOn(%v) = %+v, want early=%v", day, s, wantEarly)
			}
		}
		if got, want := InSession(at), ok && s.Contains(at); got != want {
			t.Fatalf("InSession(%v) = %v, want %v", day, got, want)
		}
		// Nothing trades between t and NextSession's open, nor between PrevSession's close and t.
		n := NextSession(at)
		if n.Open.Before(at) {
			t.Fatalf("NextSession(%v) opens at %v, before", day, n.Open)
		}
		p := PrevSession(at)
		if p.Close.After(at) {
			t.Fatalf("PrevSession(%v) closes at %v, after", day, p.Close)
		}
		var between []Session
		for s := range Sessions(p.Close, n.Open) {
			between = append(between, s)
		}
		if len(between) > 1 || len(between) == 1 && !(ok && s.Contains(at) && between[0] == s) {
			t.Fatalf("between PrevSession %v and NextSession %v of %v: sessions %v", p.Date, n.Date, day, between)
		}
	})
}

func BenchmarkInSession(b *testing.B) {
	at := calNY(2024, 3, 15, 11, 0)
	n := 0
	for i := 0; b.Loop(); i++ {
		if InSession(at.Add(time.Duration(i%100000) * time.Minute)) {
			n++
		}
	}
	_ = n
}

func BenchmarkSessionOn(b *testing.B) {
	at := calNY(2024, 3, 15, 11, 0)
	for i := 0; b.Loop(); i++ {
		SessionOn(at.Add(time.Duration(i%1000) * time.Hour))
	}
}

// TestCalendarConcurrent builds the same years from many goroutines at once; run it with -race.
func TestCalendarConcurrent(t *testing.T) {
	const workers = 8
	results := make(chan int, workers)
	for w := 0; w < workers; w++ {
		go func() {
			n := 0
			for y := 2030; y < 2040; y++ {
				for s := range Sessions(calNY(y, 1, 1, 0, 0), calNY(y+1, 1, 1, 0, 0)) {
					if InSession(s.Open) {
						n++
					}
				}
			}
			results <- n
		}()
	}
	first := <-results
	for w := 1; w < workers; w++ {
		if n := <-results; n != first {
			t.Errorf("workers disagree: %d vs %d sessions", n, first)
		}
	}
	if first < 2500 || first > 2530 {
		t.Errorf("%d sessions in 2030-2039", first)
	}
}
