package data

import (
	"fmt"
	"strings"
	"time"

	"github.com/barkeep-trading/barkeep/data/calendar"
)

// DateForms describes the accepted date spellings.
const DateForms = "YYYY-MM-DD (a New York trading day) or RFC 3339 (2024-01-02T09:30:00Z)"

// ParseStart parses a --start value. A plain date means the start of that day in New York.
func ParseStart(s string) (time.Time, error) {
	t, _, err := parseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// ParseEnd parses an --end value. Ranges are half-open, so a plain date means the end of that
// day in New York (the next day's midnight): --end 2024-03-29 includes March 29.
func ParseEnd(s string) (time.Time, error) {
	t, dateOnly, err := parseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	if dateOnly {
		t = t.AddDate(0, 0, 1)
	}
	return t.UTC(), nil
}

func parseDate(s string) (t time.Time, dateOnly bool, err error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, false, fmt.Errorf("empty date: want %s", DateForms)
	}
	if t, err := time.ParseInLocation(time.DateOnly, in, calendar.NewYork); err == nil {
		if t.Year() < 1900 || t.Year() > 2200 {
			return time.Time{}, false, fmt.Errorf("date %q is out of range", s)
		}
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, in); err == nil {
		if t.Year() < 1900 || t.Year() > 2200 {
			return time.Time{}, false, fmt.Errorf("date %q is out of range", s)
		}
		return t, false, nil
	}
	return time.Time{}, false, fmt.Errorf("invalid date %q: want %s", s, DateForms)
}
