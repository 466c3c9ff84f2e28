package alpaca

import (
	"bytes"
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/internal/alpacatest"
)

// fakeClock is shared by the client (backoff, pacing) and, where a test wants, the server: a
// sleep advances it at once, so waits are counted, never spent.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 6, 3, 14, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestSource returns a Source for srv with the fake keys, logging at debug level into the
// returned buffer and sleeping on clk (real time when clk is nil).
func newTestSource(t testing.TB, srv *alpacatest.Server, clk *fakeClock, edit func(*Config)) (*Source, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := Config{
		KeyID:     alpacatest.FakeKeyID,
		SecretKey: alpacatest.FakeSecret,
		BaseURL:   srv.URL,
		RPM:       -1,
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if clk != nil {
		cfg.now, cfg.sleep = clk.Now, clk.Sleep
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// genBars makes n deterministic, valid bars of sym every step from start; prices depend on
// the symbol and index only.
func genBars(sym string, start time.Time, step time.Duration, n int, crypto bool) []data.Bar {
	h := fnv.New64a()
	h.Write([]byte(sym))
	seed := h.Sum64()
	out := make([]data.Bar, n)
	price := 50 + float64(seed%200)
	for i := range out {
		x := (seed>>uint(i%40) + uint64(i)*2654435761) % 1000
		price *= 1 + (float64(x)-500)/200000
		o := price
		c := price * (1 + (float64(x%97)-48)/10000)
		vol := float64(100 + x*37)
		if crypto {
			vol += 0.125
		}
		out[i] = data.Bar{Symbol: sym, Time: start.Add(time.Duration(i) * step),
			Open: round(o), Close: round(c), High: round(max(o, c) * 1.001), Low: round(min(o, c) * 0.999),
			Volume: vol, TradeCount: x, VWAP: round((o + c) / 2)}
	}
	return out
}

// round keeps prices short on the wire and exact through the JSON round trip.
func round(v float64) float64 { return float64(int64(v*10000)) / 10000 }

// collect drains a Bars iteration.
func collect(ctx context.Context, s *Source, req data.Request) ([]data.Bar, int, error) {
	var out []data.Bar
	pages := 0
	for page, err := range s.Bars(ctx, req) {
		if err != nil {
			return out, pages, err
		}
		pages++
		out = append(out, page...)
	}
	return out, pages, nil
}

// want selects the bars of syms in [start, end) from m, in the order Bars yields them.
func want(m map[string][]data.Bar, syms []string, start, end time.Time) []data.Bar {
	n := 0
	for _, sym := range syms {
		n += len(m[sym])
	}
	out := make([]data.Bar, 0, n)
	for _, sym := range syms {
		for _, b := range m[sym] {
			if !b.Time.Before(start) && b.Time.Before(end) {
				out = append(out, b)
			}
		}
	}
	return out
}

func equalBars(t *testing.T, got, want []data.Bar) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d bars, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Time.Location() != time.UTC {
			t.Fatalf("bar %d: time %v, want %v in UTC", i, g.Time, w.Time)
		}
		g.Time, w.Time = time.Time{}, time.Time{}
		if g != w {
			t.Fatalf("bar %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
