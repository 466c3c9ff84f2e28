package calendar

import (
	"fmt"
	"time"
)

// NewYork is the exchange time zone of US equities.
var NewYork = mustLoad("America/New_York")

// Chicago is the clock Alpaca stamped crypto days with before about mid 2025 (alpaca-py#169);
// a third-party report has UTC midnight since. The documents are silent on both
// (docs.alpaca.markets/reference/cryptobars-1), so data/fetch reads the alignment from the bars.
var Chicago = mustLoad("America/Chicago")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("barkeep needs the time zone database for %s: %v (import time/tzdata)", name, err))
	}
	return loc
}

// DaySpan returns the New York calendar day that contains the instant t as the half-open
// interval [start, end), both in the NewYork location. A day is 23, 24 or 25 hours long, so end
// is the next day's midnight, never start plus 24 hours. start.Date() is the day's date.
func DaySpan(t time.Time) (start, end time.Time) {
	y, m, d := t.In(NewYork).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, NewYork), time.Date(y, m, d+1, 0, 0, 0, 0, NewYork)
}
