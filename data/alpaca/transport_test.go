package alpaca

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

func TestBucket(t *testing.T) {
	tests := []struct {
		rpm   int
		at    []time.Duration // offsets of successive reservations
		waits []time.Duration
	}{
		{60, []time.Duration{0, 0, 0, 0, 0}, []time.Duration{0, 0, 0, time.Second, 2 * time.Second}},
		{60, []time.Duration{0, 0, 0, 3 * time.Second, 3 * time.Second}, []time.Duration{0, 0, 0, 0, 0}},
		{200, []time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, []time.Duration{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 300 * time.Millisecond}},
		{1, []time.Duration{0, 0, 30 * time.Second}, []time.Duration{0, time.Minute, 90 * time.Second}},
	}
	for _, tt := range tests {
		b := newBucket(float64(tt.rpm))
		base := time.Unix(1700000000, 0)
		for i, off := range tt.at {
			if got := b.reserve(base.Add(off)); (got - tt.waits[i]).Abs() > time.Millisecond {
				t.Errorf("rpm %d reservation %d at +%v: wait %v, want %v", tt.rpm, i, off, got, tt.waits[i])
			}
		}
	}
}

func TestNamedParams(t *testing.T) {
	q := url.Values{"timeframe": {"7Hour"}, "start": {"2024-02-01T00:00:00Z"}, "end": {"2024-01-01T00:00:00Z"}, "symbols": {"AAPL"}}
	tests := []struct {
		msg  string
		want string
	}{
		{"invalid timeframe", `timeframe="7Hour"`},
		{"end should not be before start", `end="2024-01-01T00:00:00Z", start="2024-02-01T00:00:00Z"`},
		{"invalid symbol: $$", `symbols="AAPL"`},
		{"something else went wrong", ""},
		{"Invalid page_token", `page_token=""`},
	}
	for _, tt := range tests {
		if got := strings.Join(namedParams(tt.msg, q), ", "); got != tt.want {
			t.Errorf("namedParams(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

// TestKeysNeverLeak runs faults, retries, refusals and rate-limit waits with debug logging
// and searches every error and log line for the keys.
func TestKeysNeverLeak(t *testing.T) {
	const key, secret = "FAKEKEYID-GREPME-1", "FAKESECRET-GREPME-2"
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 25000, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{KeyID: key, SecretKey: secret, Bars: m, FaultRate: 0.5, Seed: 11})
	cases := []struct {
		name string
		key  string
		feed string
		end  time.Time
	}{
		{"faults and retries", key, "iex", t0.Add(25000 * time.Minute)},
		{"refused key", key + "x", "iex", t0.Add(time.Hour)},
		{"recent sip", key, "sip", time.Now()},
	}
	for _, c := range cases {
		src, logs := newTestSource(t, srv, newFakeClock(), func(cfg *Config) {
			cfg.KeyID, cfg.SecretKey, cfg.Feed, cfg.MaxRetries = c.key, secret, c.feed, 30
		})
		_, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: c.end})
		out := logs.String()
		if err != nil {
			out += err.Error()
		}
		if c.name == "faults and retries" && (err != nil || !strings.Contains(out, "alpaca retry")) {
			t.Fatalf("%s: err %v, log:\n%s", c.name, err, out)
		}
		for _, s := range []string{key, secret, "GREPME"} {
			if strings.Contains(out, s) {
				t.Errorf("%s: output shows %q:\n%s", c.name, s, out)
			}
		}
	}
}

func TestRedact(t *testing.T) {
	err := redact(context.DeadlineExceeded, "")
	if err != context.DeadlineExceeded {
		t.Errorf("redact changed an error without secrets")
	}
	wrapped := redact(&RetryError{Endpoint: "h/p", Attempts: 2, Last: &retryable{"x FAKESECRET y", nil}}, "FAKEKEYID", "FAKESECRET")
	if strings.Contains(wrapped.Error(), "FAKESECRET") || !strings.Contains(wrapped.Error(), "[REDACTED]") {
		t.Errorf("redact left %q", wrapped)
	}
}
