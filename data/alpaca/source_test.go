package alpaca

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

var t0 = time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)

func TestBarsMatchServer(t *testing.T) {
	tests := []struct {
		name      string
		syms      []string
		n         int // bars per symbol on the server
		start     time.Time
		end       time.Time
		gzip      bool
		wantPages int64 // bar requests the server must see
	}{
		{"one page", []string{"AAPL"}, 100, t0, t0.Add(time.Hour), false, 1},
		{"range cut on both sides, end exclusive", []string{"AAPL"}, 100, t0.Add(10 * time.Minute), t0.Add(20 * time.Minute), false, 1},
		{"pages span symbols", []string{"MSFT", "AAPL", "BRK.B"}, 9000, t0, t0.Add(9000 * time.Minute), false, 3},
		{"one symbol many pages", []string{"SPY"}, 25000, t0, t0.Add(25000 * time.Minute), false, 3},
		{"gzip bodies", []string{"AAPL", "MSFT"}, 6000, t0, t0.Add(6000 * time.Minute), true, 2},
		{"crypto pairs", []string{"BTC/USD", "ETH/USD"}, 7000, t0, t0.Add(7000 * time.Minute), false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string][]data.Bar{}
			for _, sym := range tt.syms {
				m[sym] = genBars(sym, t0, time.Minute, tt.n, data.IsCrypto(sym))
			}
			srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, Gzip: tt.gzip})
			src, _ := newTestSource(t, srv, nil, nil)
			got, _, err := collect(context.Background(), src, data.Request{
				Symbols: tt.syms, Timeframe: data.OneMin, Start: tt.start, End: tt.end})
			if err != nil {
				t.Fatal(err)
			}
			equalBars(t, got, want(m, tt.syms, tt.start, tt.end))
			if n := srv.BarRequests(); n != tt.wantPages {
				t.Errorf("server saw %d bar requests, want %d", n, tt.wantPages)
			}
			if st := src.Stats(); st.Requests != tt.wantPages || st.Retries != 0 || st.Bytes == 0 {
				t.Errorf("stats %+v, want %d requests, no retries, some bytes", st, tt.wantPages)
			}
			for i, rec := range srv.Log() {
				q := rec.Query
				if q.Get("limit") != "10000" || q.Get("timeframe") != "1Min" || q.Get("sort") != "asc" {
					t.Errorf("request %d query %v: want limit 10000, timeframe 1Min, sort asc", i, q)
				}
				if !data.IsCrypto(tt.syms[0]) && (q.Get("feed") != "sip" || q.Get("adjustment") != "raw") {
					t.Errorf("request %d query %v: want feed sip, adjustment raw", i, q)
				}
				// The fake's tokens all hold '+', '/' and '='; reaching here intact means the
				// SDK encoded them.
				if tok := q.Get("page_token"); i > 0 && !strings.ContainsAny(tok, "+/=") {
					t.Errorf("request %d page_token %q lacks the special characters", i, tok)
				}
			}
		})
	}
}

func TestAdjustmentAndFeedSent(t *testing.T) {
	tests := []struct {
		feed, adj, wantFeed, wantAdj string
	}{
		{"", "", "sip", "raw"},
		{"sip", "split", "sip", "split"},
		{"delayed_sip", "all", "sip", "all"},
		{"iex", "dividend", "iex", "dividend"},
	}
	for _, tt := range tests {
		t.Run(tt.feed+"/"+tt.adj, func(t *testing.T) {
			srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{
				"AAPL": genBars("AAPL", t0, time.Minute, 10, false)}})
			src, _ := newTestSource(t, srv, nil, func(c *Config) { c.Feed = tt.feed })
			if src.Feed() != tt.wantFeed && !(tt.feed == "delayed_sip" && src.Feed() == "delayed_sip") {
				t.Errorf("Feed() = %q", src.Feed())
			}
			_, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"},
				Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour), Adjustment: data.Adjustment(tt.adj)})
			if err != nil {
				t.Fatal(err)
			}
			q := srv.Log()[0].Query
			if q.Get("feed") != tt.wantFeed || q.Get("adjustment") != tt.wantAdj {
				t.Errorf("sent feed=%q adjustment=%q, want %q %q", q.Get("feed"), q.Get("adjustment"), tt.wantFeed, tt.wantAdj)
			}
		})
	}
}

// TestFaultRetriesSamePage injects one fault into the second page and checks that the next
// request asks for that same page again, and that the bars still match exactly.
func TestFaultRetriesSamePage(t *testing.T) {
	faults := []alpacatest.Fault{
		alpacatest.TooManyRequests, alpacatest.InternalError, alpacatest.BadGateway,
		alpacatest.Unavailable, alpacatest.Timeout, alpacatest.ConnReset,
		alpacatest.Truncated, alpacatest.Malformed,
	}
	// Every fault meets the same bars; the server copies what it is given, so one set and
	// its expected answer serve all of them.
	m := map[string][]data.Bar{
		"AAPL": genBars("AAPL", t0, time.Minute, 12000, false),
		"MSFT": genBars("MSFT", t0, time.Minute, 12000, false),
	}
	syms := []string{"AAPL", "MSFT"}
	end := t0.Add(12000 * time.Minute)
	wantBars := want(m, syms, t0, end)
	for _, f := range faults {
		t.Run(f.String(), func(t *testing.T) {
			srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m,
				Script: []alpacatest.Fault{alpacatest.NoFault, f}})
			clk := newFakeClock()
			src, _ := newTestSource(t, srv, clk, nil)
			got, _, err := collect(context.Background(), src, data.Request{Symbols: syms, Timeframe: data.OneMin, Start: t0, End: end})
			if err != nil {
				t.Fatal(err)
			}
			equalBars(t, got, wantBars)
			log := srv.Log()
			if len(log) != 4 {
				t.Fatalf("server saw %d bar requests, want 4 (3 pages, one retried)", len(log))
			}
			if log[0].Query.Get("page_token") != "" {
				t.Errorf("first request carried a page token")
			}
			tok := log[1].Query.Get("page_token")
			if tok == "" || log[2].Query.Get("page_token") != tok {
				t.Errorf("retry asked for page %q, want the failed page %q", log[2].Query.Get("page_token"), tok)
			}
			if log[1].Fault != f || srv.Faults()[f] != 1 {
				t.Errorf("fault log %v, want one %v on request 2", srv.Faults(), f)
			}
			st := src.Stats()
			// Go's transport may itself resend a GET whose connection died before any byte
			// came back, so a reset may not reach our retry loop.
			if f != alpacatest.ConnReset && st.Retries != 1 {
				t.Errorf("Retries = %d, want 1", st.Retries)
			}
			if f == alpacatest.TooManyRequests && st.RateLimitWaits != 1 {
				t.Errorf("RateLimitWaits = %d, want 1 (429 waits for X-RateLimit-Reset)", st.RateLimitWaits)
			}
		})
	}
}

func TestShortPagesContinue(t *testing.T) {
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 15000, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m,
		Script: []alpacatest.Fault{alpacatest.ShortPage, alpacatest.ShortPage}})
	src, _ := newTestSource(t, srv, newFakeClock(), nil)
	end := t0.Add(15000 * time.Minute)
	got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: end})
	if err != nil {
		t.Fatal(err)
	}
	equalBars(t, got, want(m, []string{"AAPL"}, t0, end))
	if n := srv.BarRequests(); n != 3 {
		t.Errorf("%d requests, want 3 (5000 + 5000 + 5000 bars)", n)
	}
}

func TestRandomFaultsStillExact(t *testing.T) {
	syms := []string{"AAPL", "MSFT", "SPY"}
	m := map[string][]data.Bar{}
	for _, s := range syms {
		m[s] = genBars(s, t0, time.Minute, 11000, false)
	}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, FaultRate: 0.4, Seed: 7})
	src, _ := newTestSource(t, srv, newFakeClock(), func(c *Config) { c.MaxRetries = 20 })
	end := t0.Add(11000 * time.Minute)
	got, _, err := collect(context.Background(), src, data.Request{Symbols: syms, Timeframe: data.OneMin, Start: t0, End: end})
	if err != nil {
		t.Fatal(err)
	}
	equalBars(t, got, want(m, syms, t0, end))
	var injected int64
	for f, n := range srv.Faults() {
		if f != alpacatest.NoFault {
			injected += n
		}
	}
	if injected == 0 {
		t.Fatal("no fault injected; the test proves nothing")
	}
	if src.Stats().Requests > srv.BarRequests() {
		t.Errorf("client counted %d requests, server %d", src.Stats().Requests, srv.BarRequests())
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 10, false)},
		FaultRate: 1, FaultKinds: []alpacatest.Fault{alpacatest.Unavailable}})
	clk := newFakeClock()
	src, _ := newTestSource(t, srv, clk, func(c *Config) { c.MaxRetries = 3 })
	_, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("err = %v, want ErrRetriesExhausted", err)
	}
	if n := srv.BarRequests(); n != 4 {
		t.Errorf("%d requests, want 1 + 3 retries", n)
	}
	// Full jitter: each backoff lies below its exponential ceiling.
	for i, d := range clk.Sleeps() {
		if ceil := backoffBase << i; d < 0 || d >= ceil {
			t.Errorf("backoff %d = %v, want in [0, %v)", i, d, ceil)
		}
	}
}

// TestRetryBackoffScales: Config.RetryBackoff replaces the first ceiling of 500ms and scales
// the 30 s cap with it (60 times the base), so 10ms gives ceilings 10, 20, 40 … 600ms. The
// server answers 503 every time (alpacatest.Unavailable, plain text as a proxy in front would
// send: Alpaca's docs are silent on 503 and its body; the SDK's marketdata/rest.go retries
// only 429 and 500 itself, and Source turns that off with RetryLimit -1).
func TestRetryBackoffScales(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 10, false)},
		FaultRate: 1, FaultKinds: []alpacatest.Fault{alpacatest.Unavailable}})
	clk := newFakeClock()
	const base = 10 * time.Millisecond
	src, _ := newTestSource(t, srv, clk, func(c *Config) { c.MaxRetries, c.RetryBackoff = 10, base })
	_, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("err = %v, want ErrRetriesExhausted", err)
	}
	sleeps := clk.Sleeps()
	if len(sleeps) != 10 {
		t.Fatalf("%d backoffs, want 10", len(sleeps))
	}
	for i, d := range sleeps {
		ceil := min(base<<i, 60*base)
		if d < 0 || d >= ceil {
			t.Errorf("backoff %d = %v, want in [0, %v)", i, d, ceil)
		}
	}
}

// TestRateLimitReset shares one fake clock between client and server: the server allows two
// requests a minute, so the client must wait for X-RateLimit-Reset instead of being refused.
func TestRateLimitReset(t *testing.T) {
	clk := newFakeClock()
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 50000, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, Now: clk.Now, RateLimit: 2, EnforceRateLimit: true})
	src, _ := newTestSource(t, srv, clk, nil)
	end := t0.Add(50000 * time.Minute)
	got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: end})
	if err != nil {
		t.Fatal(err)
	}
	equalBars(t, got, want(m, []string{"AAPL"}, t0, end))
	for _, rec := range srv.Log() {
		if rec.Status != 200 {
			t.Errorf("request %d got %d: the client did not wait for the reset", rec.N, rec.Status)
		}
	}
	if w := src.Stats().RateLimitWaits; w != 2 {
		t.Errorf("RateLimitWaits = %d, want 2 (5 pages, 2 per window)", w)
	}
	for _, d := range clk.Sleeps() {
		if d <= 0 || d > time.Minute {
			t.Errorf("wait %v outside (0, 1m]", d)
		}
	}
}

func TestPacing(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 30000, false)}})
	clk := newFakeClock()
	src, _ := newTestSource(t, srv, clk, func(c *Config) { c.RPM = 60 })
	if _, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(30000 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	// 60 a minute with a burst of 3: the first three go at once, the fourth waits a second.
	var total time.Duration
	for _, d := range clk.Sleeps() {
		total += d
	}
	if n := srv.BarRequests(); n != 3 || total != 0 {
		t.Errorf("%d requests slept %v, want 3 within the burst", n, total)
	}
	if _, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if s := clk.Sleeps(); len(s) != 1 || s[0] != time.Second {
		t.Errorf("sleeps %v, want one of 1s", s)
	}
}

func TestErrors(t *testing.T) {
	const key, secret = "FAKEKEYID-LEAKCHECK-7", "FAKESECRET-LEAKCHECK-9"
	now := time.Now()
	tests := []struct {
		name     string
		keyID    string
		feed     string
		syms     []string
		end      time.Time
		is       error
		contains []string
	}{
		{"wrong key", "FAKEKEYID-WRONG", "iex", []string{"AAPL"}, t0.Add(time.Hour), ErrAuth,
			[]string{"403", "forbidden.", "APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "/v2/stocks/bars",
				"regenerates", "APCA_API_OAUTH", "starting with C", "basic auth", "data.sandbox.alpaca.markets", "--check"}},
		{"recent sip", key, "sip", []string{"AAPL"}, now, ErrSubscription,
			[]string{"403", "42210000", "15 minutes", "--feed iex", "--end"}},
		{"bad symbol syntax", key, "iex", []string{"AA PL"}, t0.Add(time.Hour), ErrBadRequest,
			[]string{"400", "invalid symbol", `symbols="AA PL"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := alpacatest.NewServer(t, alpacatest.Options{KeyID: key, SecretKey: secret})
			src, logs := newTestSource(t, srv, newFakeClock(), func(c *Config) {
				c.KeyID, c.SecretKey, c.Feed = tt.keyID, secret, tt.feed
			})
			_, _, err := collect(context.Background(), src, data.Request{Symbols: tt.syms, Timeframe: data.OneMin, Start: t0, End: tt.end})
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if errors.Is(err, ErrRetriesExhausted) || srv.BarRequests() != 1 {
				t.Errorf("%d requests: a %v must not be retried", srv.BarRequests(), tt.is)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			for _, s := range []string{key, secret, tt.keyID, "?"} {
				if strings.Contains(err.Error(), s) || (s != "?" && strings.Contains(logs.String(), s)) {
					t.Errorf("error or log shows %q: %q", s, err)
				}
			}
		})
	}
}

// TestUnprocessableNamesParameter sends what barkeep's own types cannot express (a 99Min
// timeframe) through the SDK and the transport, to see Alpaca's 422 named.
func TestUnprocessableNamesParameter(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{})
	src, _ := newTestSource(t, srv, newFakeClock(), nil)
	_, err := src.client(context.Background()).GetBars("AAPL", marketdataBarsRequest(99))
	err = src.describe(context.Background(), err, "stock")
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), `timeframe="99Min"`) || !strings.Contains(err.Error(), "422") {
		t.Fatalf("err = %v, want a 422 naming timeframe", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != alpacatest.CodeUnprocessable {
		t.Errorf("err = %#v, want *APIError with code 42210000", err)
	}
}

func TestMissingKey(t *testing.T) {
	t.Setenv(EnvKeyID, "")
	t.Setenv(EnvSecretKey, "")
	m := map[string][]data.Bar{"BTC/USD": genBars("BTC/USD", t0, time.Minute, 100, true)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m})
	src, _ := newTestSource(t, srv, nil, func(c *Config) { c.KeyID, c.SecretKey = "", "" })

	_, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if !errors.Is(err, ErrMissingKey) || !strings.Contains(err.Error(), EnvKeyID) || !strings.Contains(err.Error(), EnvSecretKey) {
		t.Fatalf("err = %v, want ErrMissingKey naming both variables", err)
	}
	if n := srv.BarRequests(); n != 0 {
		t.Fatalf("server saw %d requests before the missing key was reported", n)
	}

	got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"BTC/USD"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatalf("crypto without a key: %v", err)
	}
	equalBars(t, got, want(m, []string{"BTC/USD"}, t0, t0.Add(time.Hour)))
	if n := srv.Requests(alpacatest.CryptoBarsPath); n != 1 {
		t.Errorf("%d crypto requests, want 1", n)
	}

	if _, err := New(Config{KeyID: "FAKEKEYID"}); !errors.Is(err, ErrMissingKey) {
		t.Errorf("New with only a key id: err = %v, want ErrMissingKey", err)
	}
	if _, err := New(Config{Feed: "nasdaq"}); err == nil {
		t.Error("New accepted feed nasdaq")
	}
}

func TestNoBars(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 100, false)}})
	src, _ := newTestSource(t, srv, nil, nil)
	got, pages, err := collect(context.Background(), src, data.Request{Symbols: []string{"ZZZZ", "AAPL", "QQQQ"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 60 || pages != 1 {
		t.Errorf("%d bars in %d pages, want 60 in 1", len(got), pages)
	}
	if nb := src.NoBars(); strings.Join(nb, ",") != "QQQQ,ZZZZ" {
		t.Errorf("NoBars() = %v, want [QQQQ ZZZZ]", nb)
	}
}

func TestCancel(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{
		Bars:      map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 100, false)},
		Script:    []alpacatest.Fault{alpacatest.Slow},
		SlowDelay: time.Hour,
	})
	src, _ := newTestSource(t, srv, nil, nil)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := collect(ctx, src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
		done <- err
	}()
	for srv.BarRequests() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := srv.BarRequests(); n != 1 {
		t.Errorf("%d requests after cancel, want 1", n)
	}
	srv.Close()
	// Idle connections' goroutines end once the server is gone; anything left leaked.
	for range 200 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
}

func TestStopIterating(t *testing.T) {
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: map[string][]data.Bar{
		"AAPL": genBars("AAPL", t0, time.Minute, 100, false), "MSFT": genBars("MSFT", t0, time.Minute, 100, false)}})
	src, _ := newTestSource(t, srv, nil, nil)
	pages := 0
	for _, err := range src.Bars(context.Background(), data.Request{Symbols: []string{"AAPL", "MSFT"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		break
	}
	if pages != 1 {
		t.Errorf("%d pages after break", pages)
	}
}

func TestRequestTimeoutRetries(t *testing.T) {
	m := map[string][]data.Bar{"AAPL": genBars("AAPL", t0, time.Minute, 100, false)}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, Script: []alpacatest.Fault{alpacatest.Slow}, SlowDelay: time.Hour})
	src, logs := newTestSource(t, srv, newFakeClock(), func(c *Config) { c.RequestTimeout = 50 * time.Millisecond })
	got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{"AAPL"}, Timeframe: data.OneMin, Start: t0, End: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	equalBars(t, got, want(m, []string{"AAPL"}, t0, t0.Add(time.Hour)))
	if st := src.Stats(); st.Retries != 1 {
		t.Errorf("Retries = %d, want 1", st.Retries)
	}
	if !strings.Contains(logs.String(), "timed out") {
		t.Errorf("log does not mention the timeout:\n%s", logs)
	}
}

func TestConcurrentUse(t *testing.T) {
	syms := []string{"AAPL", "MSFT", "SPY", "QQQ"}
	m := map[string][]data.Bar{}
	for _, s := range syms {
		m[s] = genBars(s, t0, time.Minute, 3000, false)
	}
	srv := alpacatest.NewServer(t, alpacatest.Options{Bars: m, FaultRate: 0.2, Seed: 3})
	src, _ := newTestSource(t, srv, newFakeClock(), func(c *Config) { c.RPM = 600; c.MaxRetries = 20 })
	errs := make(chan error, len(syms))
	res := make([][]data.Bar, len(syms))
	for i, s := range syms {
		go func() {
			got, _, err := collect(context.Background(), src, data.Request{Symbols: []string{s}, Timeframe: data.OneMin, Start: t0, End: t0.Add(3000 * time.Minute)})
			res[i] = got
			errs <- err
		}()
	}
	for range syms {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range syms {
		equalBars(t, res[i], m[s])
	}
}

func marketdataBarsRequest(minutes int) marketdata.GetBarsRequest {
	return marketdata.GetBarsRequest{TimeFrame: marketdata.NewTimeFrame(minutes, marketdata.Min), Start: t0, End: t0.Add(time.Hour)}
}
