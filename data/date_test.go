package data

import (
	"testing"
	"time"
)

func TestParseStartEnd(t *testing.T) {
	tests := []struct {
		in    string
		start string // RFC 3339 UTC, "" for error
		end   string
	}{
		// New York is UTC-5 in January: the day starts at 05:00 UTC.
		{"2024-01-02", "2024-01-02T05:00:00Z", "2024-01-03T05:00:00Z"},
		// and UTC-4 in July.
		{"2024-07-01", "2024-07-01T04:00:00Z", "2024-07-02T04:00:00Z"},
		{"2024-01-02T09:30:00-05:00", "2024-01-02T14:30:00Z", "2024-01-02T14:30:00Z"},
		{"2024-01-02T14:30:00Z", "2024-01-02T14:30:00Z", "2024-01-02T14:30:00Z"},
		{"2024-01-02T14:30:00.5Z", "2024-01-02T14:30:00.5Z", "2024-01-02T14:30:00.5Z"},
		{"", "", ""},
		{"2024-13-01", "", ""},
		{"2024-02-30", "", ""},
		{"02/01/2024", "", ""},
		{"yesterday", "", ""},
		{"0001-01-01", "", ""},
		{"2024-01-02T14:30:00", "", ""}, // no zone: ambiguous
	}
	for _, tt := range tests {
		s, err := ParseStart(tt.in)
		if tt.start == "" {
			if err == nil {
				t.Errorf("ParseStart(%q) = %v, want error", tt.in, s)
			}
			if _, err := ParseEnd(tt.in); err == nil {
				t.Errorf("ParseEnd(%q) accepted", tt.in)
			}
			continue
		}
		if err != nil || s.Format(time.RFC3339Nano) != tt.start || s.Location() != time.UTC {
			t.Errorf("ParseStart(%q) = %v, %v; want %s", tt.in, s, err, tt.start)
		}
		e, err := ParseEnd(tt.in)
		if err != nil || e.Format(time.RFC3339Nano) != tt.end {
			t.Errorf("ParseEnd(%q) = %v, %v; want %s", tt.in, e, err, tt.end)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-01-02", "2024-01-02T09:30:00-05:00", "", "2024-02-29", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err1 := ParseStart(s)
		en, err2 := ParseEnd(s)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("ParseStart and ParseEnd disagree on %q: %v / %v", s, err1, err2)
		}
		if err1 == nil && en.Before(st) {
			t.Fatalf("end %v before start %v for %q", en, st, s)
		}
	})
}
