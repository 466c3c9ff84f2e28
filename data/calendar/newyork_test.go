package calendar

import (
	"testing"
	"time"
)

func TestDaySpan(t *testing.T) {
	tests := []struct {
		name  string
		at    time.Time
		date  string
		hours time.Duration
	}{
		{"evening UTC is the same New York day", time.Date(2024, 6, 3, 23, 59, 0, 0, time.UTC), "2024-06-03", 24},
		{"UTC midnight is the evening before", time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC), "2024-06-03", 24},
		{"New York midnight starts its day", time.Date(2024, 6, 4, 0, 0, 0, 0, NewYork), "2024-06-04", 24},
		{"last nanosecond of a day", time.Date(2024, 6, 4, 0, 0, 0, -1, NewYork), "2024-06-03", 24},
		{"spring forward", time.Date(2024, 3, 10, 12, 0, 0, 0, NewYork), "2024-03-10", 23},
		{"fall back", time.Date(2024, 11, 3, 1, 30, 0, 0, time.FixedZone("EDT", -4*3600)), "2024-11-03", 25},
		{"year end", time.Date(2025, 1, 1, 4, 59, 0, 0, time.UTC), "2024-12-31", 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := DaySpan(tt.at)
			if start.Location() != NewYork || end.Location() != NewYork {
				t.Fatalf("locations %v, %v, want NewYork", start.Location(), end.Location())
			}
			if got := start.Format(time.DateOnly); got != tt.date {
				t.Errorf("date %s, want %s", got, tt.date)
			}
			if start.Hour() != 0 || start.Minute() != 0 || end.Hour() != 0 || end.Minute() != 0 {
				t.Errorf("span %v..%v does not run midnight to midnight", start, end)
			}
			if got := end.Sub(start); got != tt.hours*time.Hour {
				t.Errorf("day lasts %v, want %v", got, tt.hours*time.Hour)
			}
			if tt.at.Before(start) || !tt.at.Before(end) {
				t.Errorf("%v is outside its day %v..%v", tt.at, start, end)
			}
		})
	}
}
