package alpaca

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/fetch"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

func TestOAuthToken(t *testing.T) {
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 10, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, OAuthToken: "FAKETOKEN-0001"})
	// The SDK would read these from the environment and prefer the token; the Source sends
	// what its Config chose.
	t.Setenv(EnvOAuth, "FAKESTALETOKEN")
	src, _ := newTestSource(t, srv, nil, func(c *Config) { c.KeyID, c.SecretKey, c.OAuth = "", "", "FAKETOKEN-0001" })
	if got := src.Credential(); got != "OAuth token (APCA_API_OAUTH)" {
		t.Errorf("Credential() = %q", got)
	}
	got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	equalBars(t, got, want(m, []string{"AAPL"}, t0, t0.Add(time.Hour)))

	// Keys chosen while a stale token sits in the environment: the keys are sent.
	keys, _ := newTestSource(t, srv, nil, nil)
	if _, _, err := collect(context.Background(), keys, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)}); err != nil {
		t.Fatalf("keys with a stale token in the environment: %v", err)
	}

	// Both set: refused, naming both variables.
	_, err = New(Config{KeyID: "FAKEKEYID", SecretKey: "FAKESECRET", OAuth: "FAKETOKEN"})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), EnvOAuth) || !strings.Contains(err.Error(), EnvKeyID) {
		t.Errorf("keys and token: err = %v, want ErrConfig naming both", err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"PKFAKE-NOT-A-KEY-1234": "PK…1234",
		"AKSHORT":               "AK…",
		"":                      "…",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (Config{KeyID: "PKFAKE-NOT-A-KEY-1234"}).Credential(); got != "key PK…1234" {
		t.Errorf("Credential() = %q", got)
	}
}

func TestDataURL(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want string // "" for an error
	}{
		{"https://data.alpaca.markets", "https://data.alpaca.markets"},
		{"https://data.alpaca.markets/", "https://data.alpaca.markets"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://[::1]:8080/", "http://[::1]:8080"},
		{"http://localhost:1", "http://localhost:1"},
		{"http://data.alpaca.markets", ""},
		{"https://data.alpaca.markets/v2", ""},
		{"https://data.alpaca.markets?x=1", ""},
		{"data.alpaca.markets", ""},
		{"ftp://data.alpaca.markets", ""},
		{"https://user:pw@data.alpaca.markets", ""},
	} {
		_, err := New(Config{BaseURL: tt.url})
		s, _ := New(Config{BaseURL: tt.url})
		switch {
		case tt.want == "" && (!errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), EnvDataURL)):
			t.Errorf("%q: err = %v, want ErrConfig naming %s", tt.url, err, EnvDataURL)
		case tt.want != "" && (err != nil || s.cfg.BaseURL != tt.want):
			t.Errorf("%q: err = %v, base %v, want %q", tt.url, err, s, tt.want)
		}
	}
}

// TestUnreachable: a closed port and an unresolvable name are reported within 15 s, naming
// the host and HTTPS_PROXY, each retry a visible line.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	for _, base := range []string{closed, "https://data.barkeep-test.invalid"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			var mu sync.Mutex
			var retries []Retry
			src, err := New(Config{KeyID: "FAKEKEYID", SecretKey: "FAKESECRET", BaseURL: base, RPM: -1,
				Logger:  slog.New(slog.NewTextHandler(logs, nil)),
				OnRetry: func(r Retry) { mu.Lock(); retries = append(retries, r); mu.Unlock() }})
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			_, _, err = collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneDay, Start: t0, End: t0.AddDate(0, 0, 5)})
			took := time.Since(began)
			host := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "HTTPS_PROXY") {
				t.Fatalf("err = %v, want ErrUnreachable naming %s and HTTPS_PROXY", err, host)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error spans lines: %q", err)
			}
			if took > 15*time.Second {
				t.Errorf("gave up after %s, want within 15 s", took)
			}
			mu.Lock()
			n := len(retries)
			mu.Unlock()
			if n == 0 || n > unreachableRetries || strings.Count(logs.String(), "alpaca retry") != n {
				t.Errorf("%d retries reported, log:\n%s", n, logs)
			}
			t.Logf("%s after %s: %v", base, took.Round(time.Millisecond), err)
		})
	}
}

// TestRetriesVisible: a transient fault keeps its retry and says so in one line.
func TestRetriesVisible(t *testing.T) {
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 10, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, Script: []alpacatest.Fault{alpacatest.Unavailable}})
	var got []Retry
	src, logs := newTestSource(t, srv, newFakeClock(), func(c *Config) { c.OnRetry = func(r Retry) { got = append(got, r) } })
	if _, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Cause != "HTTP 503" || got[0].Attempt != 1 {
		t.Fatalf("retries %+v, want one for HTTP 503", got)
	}
	if !strings.Contains(logs.String(), "level=INFO msg=\"alpaca retry\"") || !strings.Contains(logs.String(), "cause=\"HTTP 503\"") {
		t.Errorf("retry not logged at info with its cause:\n%s", logs)
	}
}

// TestPaceFromRateLimitHeader: a server that allows 10,000 a minute is paced at 9,000, and
// --rpm stays a ceiling.
func TestPaceFromRateLimitHeader(t *testing.T) {
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 10, false)}
	for _, tt := range []struct {
		rpm  int
		want float64
	}{{0, 9000}, {500, 500}, {20000, 9000}} {
		srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, RateLimit: 10000})
		clk := newFakeClock()
		src, _ := newTestSource(t, srv, clk, func(c *Config) { c.RPM = tt.rpm })
		if _, pace := src.RateLimit(); pace != min(180, float64(max(tt.rpm, 180))) && pace != float64(tt.rpm) {
			t.Errorf("rpm %d: pace before any answer %v, want 180 or the ceiling", tt.rpm, pace)
		}
		for range 3 {
			if _, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		limit, pace := src.RateLimit()
		if limit != 10000 || pace != tt.want {
			t.Errorf("rpm %d: limit %d pace %v, want 10000 and %v", tt.rpm, limit, pace, tt.want)
		}
	}
}

func TestHorizon(t *testing.T) {
	server := time.Date(2024, 6, 3, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name      string
		feed      string
		recentSIP bool
		noCode    bool
		want      time.Time
		notice    bool
	}{
		{"free plan", FeedSIP, false, false, server.Add(-16 * time.Minute), true},
		{"free plan, refusal without code", FeedSIP, false, true, server.Add(-16 * time.Minute), true},
		{"paid plan", FeedSIP, true, false, server, false},
		{"iex", FeedIEX, false, false, server, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := alpacatest.NewServer(t, alpacatest.Options{RecentSIP: tt.recentSIP, SIPRefusalWithoutCode: tt.noCode,
				Now: func() time.Time { return server }})
			// Our clock runs 3 minutes ahead: the server's decides.
			src, _ := newTestSource(t, srv, nil, func(c *Config) {
				c.Feed = tt.feed
				c.now = func() time.Time { return server.Add(3 * time.Minute) }
			})
			end, notice, err := src.Horizon(context.Background(), server)
			if err != nil {
				t.Fatal(err)
			}
			if !end.Equal(tt.want) || (notice != "") != tt.notice || strings.Contains(notice, "\n") {
				t.Errorf("Horizon = %v %q, want %v (notice %v)", end, notice, tt.want, tt.notice)
			}
			if src.Feed() != tt.feed {
				t.Errorf("feed changed to %q", src.Feed())
			}
			if tt.notice && !strings.Contains(notice, "--feed iex") {
				t.Errorf("notice %q does not offer --feed iex", notice)
			}
			if !tt.notice {
				return
			}
			// The fetch then ends where the server serves it.
			if _, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: server.Add(-2 * time.Hour), End: end}); err != nil {
				t.Errorf("fetching to the horizon: %v", err)
			}
		})
	}
}

// memWriter is the least data.Writer the fetch loop needs.
type memWriter struct {
	mu   sync.Mutex
	bars map[data.Series]int
	cov  map[data.Series]data.Ranges
}

func (m *memWriter) Write(_ context.Context, b data.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range b.Bars {
		m.bars[data.Series{Symbol: x.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}]++
	}
	for _, sp := range b.Covered {
		s := data.Series{Symbol: sp.Symbol, Timeframe: b.Timeframe, Adjustment: b.Adjustment.Norm()}
		m.cov[s] = m.cov[s].Add(sp.Range)
	}
	return nil
}

func (m *memWriter) Coverage(_ context.Context, s data.Series) (data.Ranges, error) { return nil, nil }
func (m *memWriter) AsOf(context.Context, data.Series) (time.Time, error)           { return time.Time{}, nil }

// TestManySymbolsPerRequest: 100 symbols × 10 years of daily bars through the fetch loop take
// at most 150 requests (one symbol a request took about 1,000), and every bar and chunk is
// there.
func TestManySymbolsPerRequest(t *testing.T) {
	start := time.Date(2015, 1, 1, 5, 0, 0, 0, time.UTC)
	end := time.Date(2025, 1, 1, 5, 0, 0, 0, time.UTC)
	m := map[string][]data.Bar{}
	var syms []string
	days := 0
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days++
		}
	}
	for i := range 100 {
		sym := "S" + string(rune('A'+i/26)) + string(rune('A'+i%26))
		syms = append(syms, sym)
		var bars []data.Bar
		for j, b := range genBars(sym, start, 24*time.Hour, 3653, false) {
			if wd := b.Time.Weekday(); wd != time.Saturday && wd != time.Sunday && j >= 0 {
				bars = append(bars, b)
			}
		}
		m[sym] = bars
	}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m})
	src, _ := newTestSource(t, srv, nil, nil)
	w := &memWriter{bars: map[data.Series]int{}, cov: map[data.Series]data.Ranges{}}
	rep, err := fetch.Run(context.Background(), src, w, fetch.Plan{Symbols: syms, Timeframes: []data.Timeframe{data.OneDay},
		Start: start, End: end, Concurrency: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := srv.BarRequests()
	t.Logf("100 symbols x 10 years of daily bars: %d requests, %d chunks", n, rep.ChunksTotal)
	if n > 150 {
		t.Errorf("%d requests, want at most 150", n)
	}
	for _, sym := range syms {
		s := data.Series{Symbol: sym, Timeframe: data.OneDay, Adjustment: data.Raw}
		if got := w.bars[s]; got != len(m[sym]) {
			t.Fatalf("%s: %d bars stored, want %d", sym, got, len(m[sym]))
		}
		if got := w.cov[s]; !got.Covers(data.Range{Start: start, End: fetch.CompleteEnd(end, data.OneDay)}) || len(got) != 1 {
			t.Fatalf("%s: coverage %v", sym, got)
		}
	}
	if rep.ChunksDone != rep.ChunksTotal || rep.ChunksTotal < 1000 {
		t.Errorf("chunks %d of %d: chunks stay one symbol-year each", rep.ChunksDone, rep.ChunksTotal)
	}
}
