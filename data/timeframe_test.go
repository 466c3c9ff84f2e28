package data

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimeframe(t *testing.T) {
	tests := []struct {
		in   string
		want Timeframe
		ok   bool
	}{
		{"1Min", Timeframe{1, Min}, true},
		{"59Min", Timeframe{59, Min}, true},
		{"1min", Timeframe{1, Min}, true},
		{" 5Min ", Timeframe{5, Min}, true},
		{"1Hour", Timeframe{1, Hour}, true},
		{"23Hour", Timeframe{23, Hour}, true},
		{"1Day", OneDay, true},
		{"1Week", Timeframe{1, Week}, true},
		{"1Month", Timeframe{1, Month}, true},
		{"2Month", Timeframe{2, Month}, true},
		{"3Month", Timeframe{3, Month}, true},
		{"4Month", Timeframe{4, Month}, true},
		{"6Month", Timeframe{6, Month}, true},
		{"12Month", Timeframe{12, Month}, true},
		{"0Min", Timeframe{}, false},
		{"60Min", Timeframe{}, false},
		{"24Hour", Timeframe{}, false},
		{"2Day", Timeframe{}, false},
		{"2Week", Timeframe{}, false},
		{"5Month", Timeframe{}, false},
		{"Min", Timeframe{}, false},
		{"1", Timeframe{}, false},
		{"1m", Timeframe{}, false},
		{"1T", Timeframe{}, false},
		{"", Timeframe{}, false},
		{"-1Min", Timeframe{}, false},
		{"1000Min", Timeframe{}, false},
		{"1Minute", Timeframe{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTimeframe(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseTimeframe(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if !tt.ok {
			if !strings.Contains(err.Error(), "1Min..59Min") {
				t.Errorf("ParseTimeframe(%q) error %q does not list the valid forms", tt.in, err)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("ParseTimeframe(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if back, err := ParseTimeframe(got.String()); err != nil || back != got {
			t.Errorf("round trip of %v: %v, %v", got, back, err)
		}
	}
}

func TestParseTimeframes(t *testing.T) {
	got, err := ParseTimeframes("1Min,1Day, 1Min")
	if err != nil || len(got) != 2 || got[0] != OneMin || got[1] != OneDay {
		t.Fatalf("ParseTimeframes = %v, %v", got, err)
	}
	if _, err := ParseTimeframes(" , "); err == nil {
		t.Fatal("empty list accepted")
	}
	if _, err := ParseTimeframes("1Min,2Day"); err == nil {
		t.Fatal("bad member accepted")
	}
}

func TestTimeframeProperties(t *testing.T) {
	if !OneMin.Intraday() || !OneHour.Intraday() || OneDay.Intraday() {
		t.Error("Intraday wrong")
	}
	if (Timeframe{15, Min}).Duration() != 15*time.Minute || OneDay.Duration() != 24*time.Hour {
		t.Error("Duration wrong")
	}
	var tf Timeframe
	if err := tf.UnmarshalText([]byte("4Hour")); err != nil || tf != (Timeframe{4, Hour}) {
		t.Errorf("UnmarshalText = %v, %v", tf, err)
	}
	if b, _ := tf.MarshalText(); string(b) != "4Hour" {
		t.Errorf("MarshalText = %s", b)
	}
}

func FuzzParseTimeframe(f *testing.F) {
	for _, s := range []string{"1Min", "12Month", "23Hour", "0Day", "999Week", "", "1minx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tf, err := ParseTimeframe(s)
		if err != nil {
			return
		}
		if !tf.Valid() {
			t.Fatalf("ParseTimeframe(%q) = invalid %v without error", s, tf)
		}
		back, err := ParseTimeframe(tf.String())
		if err != nil || back != tf {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}
