package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
	"github.com/barkeep-trading/barkeep/internal/golden"
)

func nyDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.NewYork)
}

func tf(s string) data.Timeframe {
	t, err := data.ParseTimeframe(s)
	if err != nil {
		panic(err)
	}
	return t
}

func fetch(t testing.TB, src data.Source, req data.Request) []data.Bar {
	t.Helper()
	var out []data.Bar
	scan(t, src, req, func(page []data.Bar) { out = append(out, page...) })
	return out
}

// scan hands each page of req to f, failing on an error or an empty page. A test that looks
// at each bar once scans rather than fetches: under -race, growing one slice to a year of
// minute bars costs more than generating them.
func scan(t testing.TB, src data.Source, req data.Request, f func(page []data.Bar)) {
	t.Helper()
	for page, err := range src.Bars(context.Background(), req) {
		if err != nil {
			t.Fatalf("Bars(%v %s..%s): %v", req.Symbols, req.Start, req.End, err)
		}
		if len(page) == 0 {
			t.Fatalf("empty page")
		}
		f(page)
	}
}

// encode writes bars in a canonical text form.
func encode(bars []data.Bar) []byte {
	var buf bytes.Buffer
	buf.Grow(96 * len(bars)) // a line is some 70 to 90 bytes; growing by doubling cost more under -race
	for _, b := range bars {
		// %v prints the shortest decimal that reads back as the same float64: exact and legible.
		fmt.Fprintf(&buf, "%s %s %v %v %v %v %v %d %v\n", b.Symbol, b.Time.Format(time.RFC3339),
			b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount, b.VWAP)
	}
	return buf.Bytes()
}

func req(tfs string, start, end time.Time, syms ...string) data.Request {
	return data.Request{Symbols: syms, Timeframe: tf(tfs), Start: start.UTC(), End: end.UTC()}
}

func TestDeterministic(t *testing.T) {
	r := req("1Min", nyDay(2024, 3, 1), nyDay(2024, 3, 15), "MSFT", "AAPL")
	a := encode(fetch(t, New(), r))
	b := encode(fetch(t, New(WithPageSize(777)), r))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("two runs differ (%d vs %d bytes)", len(a), len(b))
	}
	r.Symbols = []string{"AAPL", "MSFT", "AAPL"} // order and duplicates do not matter
	if c := encode(fetch(t, New(), r)); !bytes.Equal(a, c) {
		t.Errorf("symbol order changed the bars")
	}
}

// TestGolden pins the generator's output: a change to it changes every synthetic store and
// demo, so it must be deliberate (go test -update).
func TestGolden(t *testing.T) {
	got := encode(fetch(t, New(), req("30Min", nyDay(2024, 7, 3), nyDay(2024, 7, 6), "AAPL")))
	got = append(got, encode(fetch(t, New(WithSeed(42)), req("1Day", nyDay(2024, 7, 1), nyDay(2024, 7, 8), "SPY")))...)
	golden.Compare(t, filepath.Join("testdata", "golden.txt"), got)
}

// TestRangeIndependent: the bars of a range are the same whether it is fetched at once or in
// pieces cut anywhere, at every timeframe.
func TestRangeIndependent(t *testing.T) {
	start, end := nyDay(2023, 12, 20), nyDay(2024, 4, 10)
	cuts := []time.Time{
		nyDay(2024, 1, 1), nyDay(2024, 1, 2).Add(11*time.Hour + 17*time.Minute), nyDay(2024, 2, 1),
		nyDay(2024, 2, 14).Add(9*time.Hour + 31*time.Minute), nyDay(2024, 3, 4), nyDay(2024, 3, 10).Add(3 * time.Hour),
	}
	for _, tfs := range []string{"1Min", "7Min", "15Min", "1Hour", "4Hour", "1Day", "1Week", "1Month", "3Month"} {
		t.Run(tfs, func(t *testing.T) {
			whole := fetch(t, New(), req(tfs, start, end, "QQQ"))
			if len(whole) == 0 {
				t.Fatal("no bars")
			}
			var parts []data.Bar
			from := start
			for _, c := range append(cuts, end) {
				parts = append(parts, fetch(t, New(), req(tfs, from, c, "QQQ"))...)
				from = c
			}
			if a, b := encode(whole), encode(parts); !bytes.Equal(a, b) {
				t.Errorf("one request gave %d bars, split requests %d; contents differ", len(whole), len(parts))
			}
		})
	}
}

func TestMinutesInSessions(t *testing.T) {
	start, end := nyDay(2024, 1, 1), nyDay(2025, 1, 1)
	// Each day's first and last stamps, the bars being in order (checked as they come).
	perDay := map[string][2]time.Time{}
	var prev time.Time
	scan(t, New(), req("1Min", start, end, "IBM"), func(page []data.Bar) {
		for _, b := range page {
			if !calendar.InSession(b.Time) {
				t.Fatalf("bar at %v is outside the regular session", b.Time.In(calendar.NewYork))
			}
			if b.Time.Second() != 0 || b.Time.Nanosecond() != 0 || b.Time.Location() != time.UTC {
				t.Fatalf("bar time %v is not a whole UTC minute", b.Time)
			}
			if !prev.IsZero() && !prev.Before(b.Time) {
				t.Fatalf("bars out of order at %v", b.Time)
			}
			prev = b.Time
			day := b.Time.In(calendar.NewYork).Format(time.DateOnly)
			d, ok := perDay[day]
			if !ok {
				d[0] = b.Time
			}
			d[1] = b.Time
			perDay[day] = d
		}
	})
	n := 0
	for s := range calendar.Sessions(start, end) {
		n++
		day, ok := perDay[s.Date.Format(time.DateOnly)]
		if !ok {
			t.Errorf("no bars on %s", s.Date.Format(time.DateOnly))
			continue
		}
		first, last := day[0], day[1]
		if !first.Equal(s.Open) || !last.Equal(s.Close.Add(-time.Minute)) {
			t.Errorf("%s: bars from %v to %v, want %v to %v", s.Date.Format(time.DateOnly),
				first.In(calendar.NewYork), last.In(calendar.NewYork), s.Open.In(calendar.NewYork), s.Close.Add(-time.Minute).In(calendar.NewYork))
		}
	}
	if n != 252 || len(perDay) != n {
		t.Errorf("bars on %d days, %d sessions; want 252", len(perDay), n)
	}
}

func TestBarsValid(t *testing.T) {
	for _, tfs := range []string{"1Min", "5Min", "1Hour", "1Day", "1Week", "1Month", "12Month"} {
		t.Run(tfs, func(t *testing.T) {
			scan(t, New(WithSeed(7)), req(tfs, nyDay(2020, 1, 1), nyDay(2021, 1, 1), "A", "ZZZZ", "BRK.B"), func(page []data.Bar) {
				for _, b := range page {
					if err := b.Validate(); err != nil {
						t.Fatal(err)
					}
					if b.VWAP < b.Low || b.VWAP > b.High {
						t.Fatalf("%s %v: VWAP %v outside [%v, %v]", b.Symbol, b.Time, b.VWAP, b.Low, b.High)
					}
					if !(b.Volume >= 1) || b.TradeCount < 1 || float64(b.TradeCount) > b.Volume {
						t.Fatalf("%s %v: volume %v, %d trades", b.Symbol, b.Time, b.Volume, b.TradeCount)
					}
				}
			})
		})
	}
}

// aggregate groups minute bars by key, as a reference for the source's own aggregation.
func aggregate(minutes []data.Bar, key func(data.Bar) time.Time) []data.Bar {
	var out []data.Bar
	var pv float64
	for _, m := range minutes {
		k := key(m)
		if len(out) == 0 || !out[len(out)-1].Time.Equal(k) {
			if len(out) > 0 {
				out[len(out)-1].VWAP = pv / out[len(out)-1].Volume
			}
			b := m
			b.Time, b.Volume, b.TradeCount, pv = k, 0, 0, 0
			out = append(out, b)
		}
		b := &out[len(out)-1]
		b.High, b.Low, b.Close = math.Max(b.High, m.High), math.Min(b.Low, m.Low), m.Close
		b.Volume += m.Volume
		b.TradeCount += m.TradeCount
		pv += m.VWAP * m.Volume
	}
	if len(out) > 0 {
		out[len(out)-1].VWAP = pv / out[len(out)-1].Volume
	}
	return out
}

func TestAggregatesMatchMinutes(t *testing.T) {
	start, end := nyDay(2024, 1, 1), nyDay(2024, 7, 1)
	minutes := fetch(t, New(), req("1Min", start, end, "NVDA"))
	midnight := func(b data.Bar) time.Time {
		y, m, d := b.Time.In(calendar.NewYork).Date()
		return nyDay(y, m, d)
	}
	tests := []struct {
		tf  string
		key func(data.Bar) time.Time
	}{
		{"1Day", midnight},
		{"1Hour", func(b data.Bar) time.Time { return b.Time.Truncate(time.Hour) }},
		{"5Min", func(b data.Bar) time.Time { return b.Time.Truncate(5 * time.Minute) }},
		{"4Hour", func(b data.Bar) time.Time { // aligned to New York's clock: 08:00 and 12:00
			ny := b.Time.In(calendar.NewYork)
			return midnight(b).Add(time.Duration(ny.Hour()/4*4) * time.Hour)
		}},
		{"1Week", func(b data.Bar) time.Time {
			d := midnight(b)
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		}},
		{"1Month", func(b data.Bar) time.Time { d := midnight(b); return nyDay(d.Year(), d.Month(), 1) }},
		{"2Month", func(b data.Bar) time.Time {
			d := midnight(b)
			return nyDay(d.Year(), d.Month()-(d.Month()-1)%2, 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.tf, func(t *testing.T) {
			want := aggregate(minutes, func(b data.Bar) time.Time { return tt.key(b).UTC() })
			got := fetch(t, New(), req(tt.tf, start, end, "NVDA"))
			if len(got) != len(want) {
				t.Fatalf("%d bars, want %d", len(got), len(want))
			}
			for i := range got {
				g, w := got[i], want[i]
				if !g.Time.Equal(w.Time) || g.Time.Location() != time.UTC {
					t.Fatalf("bar %d stamped %v, want %v (UTC)", i, g.Time, w.Time)
				}
				if math.Abs(g.VWAP-w.VWAP) > 1e-9*w.VWAP {
					t.Fatalf("bar %v: VWAP %v, want %v", g.Time, g.VWAP, w.VWAP)
				}
				g.VWAP = w.VWAP
				if g != w {
					t.Fatalf("bar %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestDailyStamps(t *testing.T) {
	bars := fetch(t, New(), req("1Day", nyDay(2024, 3, 1), nyDay(2024, 3, 31), "XOM"))
	for _, b := range bars {
		s, ok := calendar.SessionOn(b.Time)
		if !ok || !b.Time.Equal(s.Date) {
			t.Errorf("daily bar at %v is not a New York midnight of a session", b.Time)
		}
	}
	// 2024-03-10 moved New York to UTC-4: stamps before are 05:00Z, after 04:00Z.
	if len(bars) != 20 || bars[0].Time.Hour() != 5 || bars[len(bars)-1].Time.Hour() != 4 {
		t.Errorf("%d bars from %v to %v", len(bars), bars[0].Time, bars[len(bars)-1].Time)
	}
}

func TestEarlyClose(t *testing.T) {
	bars := fetch(t, New(), req("1Min", nyDay(2024, 7, 3), nyDay(2024, 7, 4), "DIS"))
	if last := bars[len(bars)-1].Time.In(calendar.NewYork); last.Hour() != 12 || last.Minute() != 59 {
		t.Errorf("last bar of 2024-07-03 at %v, want 12:59", last)
	}
	if n := len(fetch(t, New(), req("1Min", nyDay(2024, 7, 4), nyDay(2024, 7, 5), "DIS"))); n != 0 {
		t.Errorf("%d bars on Independence Day", n)
	}
}

func TestMissingMinutes(t *testing.T) {
	start, end := nyDay(2024, 1, 1), nyDay(2025, 1, 1)
	slots := 0
	for s := range calendar.Sessions(start, end) {
		slots += int(s.Close.Sub(s.Open) / time.Minute)
	}
	for _, sym := range []string{"AAPL", "GE", "T"} {
		n := 0
		scan(t, New(), req("1Min", start, end, sym), func(page []data.Bar) { n += len(page) })
		rate := 1 - float64(n)/float64(slots)
		if rate < 0.01 || rate > 0.02 {
			t.Errorf("%s: %.4f of minutes missing, want 1-2%%", sym, rate)
		}
	}
}

func TestRealistic(t *testing.T) {
	for _, sym := range []string{"AAPL", "KO", "X"} {
		daily := fetch(t, New(), req("1Day", nyDay(2018, 1, 1), nyDay(2026, 1, 1), sym))
		var sum, sum2, lo, hi float64 = 0, 0, math.Inf(1), 0
		for i := 1; i < len(daily); i++ {
			r := math.Log(daily[i].Close / daily[i-1].Close)
			sum, sum2 = sum+r, sum2+r*r
			lo, hi = math.Min(lo, daily[i].Low), math.Max(hi, daily[i].High)
		}
		n := float64(len(daily) - 1)
		vol := math.Sqrt((sum2/n - (sum/n)*(sum/n)) * 252)
		if vol < 0.1 || vol > 0.8 {
			t.Errorf("%s: annualised volatility %.2f", sym, vol)
		}
		if lo < 2 || hi > 5000 {
			t.Errorf("%s: prices ranged %v..%v over eight years", sym, lo, hi)
		}
		t.Logf("%s: vol %.2f, first close %.2f, range %.2f..%.2f", sym, vol, daily[0].Close, lo, hi)
	}
	// Volume is U-shaped over the session.
	var edge, middle, ne, nm float64
	scan(t, New(), req("1Min", nyDay(2024, 1, 1), nyDay(2024, 4, 1), "AAPL"), func(page []data.Bar) {
		for _, b := range page {
			ny := b.Time.In(calendar.NewYork)
			switch m := ny.Hour()*60 + ny.Minute(); {
			case m < 10*60 || m >= 15*60+30:
				edge, ne = edge+b.Volume, ne+1
			case m >= 12*60 && m < 13*60:
				middle, nm = middle+b.Volume, nm+1
			}
		}
	})
	if edge/ne < 1.5*middle/nm {
		t.Errorf("mean minute volume near open/close %.0f, midday %.0f: no U shape", edge/ne, middle/nm)
	}
}

func TestSymbolsAndSeedsDiffer(t *testing.T) {
	r := req("1Day", nyDay(2024, 1, 1), nyDay(2024, 2, 1), "AAPL")
	a := fetch(t, New(), r)
	r.Symbols = []string{"AAPM"}
	b := fetch(t, New(), r)
	r.Symbols = []string{"AAPL"}
	c := fetch(t, New(WithSeed(1)), r)
	for _, pair := range [][2][]data.Bar{{a, b}, {a, c}} {
		same := 0
		for i := range pair[0] {
			if pair[0][i].Close == pair[1][i].Close {
				same++
			}
		}
		if same > 2 {
			t.Errorf("%s and %s share %d of %d closes", pair[0][0].Symbol, pair[1][0].Symbol, same, len(pair[0]))
		}
	}
}

func TestPages(t *testing.T) {
	r := req("1Min", nyDay(2024, 1, 1), nyDay(2024, 3, 1), "AAPL", "MSFT")
	total := 0
	for page, err := range New().Bars(context.Background(), r) {
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > DefaultPageSize {
			t.Errorf("page of %d bars", len(page))
		}
		total += len(page)
	}
	if total < 2*40*380 {
		t.Errorf("only %d bars", total)
	}
	// Stopping early is honoured.
	pages := 0
	for range New(WithPageSize(100)).Bars(context.Background(), r) {
		pages++
		break
	}
	if pages != 1 {
		t.Errorf("%d pages after break", pages)
	}
}

func TestCancel(t *testing.T) {
	r := req("1Min", nyDay(2020, 1, 1), nyDay(2025, 1, 1), "AAPL", "MSFT")
	ctx, cancel := context.WithCancel(context.Background())
	pages, bars := 0, 0
	var last error
	for page, err := range New().Bars(ctx, r) {
		if err != nil {
			last = err
			continue
		}
		pages++
		bars += len(page)
		cancel() // after the first page
	}
	if !errors.Is(last, context.Canceled) || pages != 1 {
		t.Errorf("after cancel: %d pages (%d bars), error %v", pages, bars, last)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	n := 0
	for page, err := range New().Bars(ctx, req("1Day", nyDay(2024, 1, 1), nyDay(2024, 2, 1), "AAPL")) {
		n++
		if page != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled before start: page of %d, error %v", len(page), err)
		}
	}
	if n != 1 {
		t.Errorf("cancelled before start: %d yields", n)
	}
}

func TestBadRequests(t *testing.T) {
	good := req("1Min", nyDay(2024, 1, 2), nyDay(2024, 1, 3), "AAPL")
	tests := []struct {
		name string
		edit func(*data.Request)
	}{
		{"no timeframe", func(r *data.Request) { r.Timeframe = data.Timeframe{} }},
		{"bad timeframe", func(r *data.Request) { r.Timeframe = data.Timeframe{N: 5, Unit: data.Month} }},
		{"no symbols", func(r *data.Request) { r.Symbols = nil }},
		{"empty symbol", func(r *data.Request) { r.Symbols = []string{"AAPL", ""} }},
		{"bad adjustment", func(r *data.Request) { r.Adjustment = "some" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			var errs []error
			for page, err := range New().Bars(context.Background(), r) {
				if page != nil {
					t.Errorf("page of %d bars", len(page))
				}
				errs = append(errs, err)
			}
			if len(errs) != 1 || errs[0] == nil {
				t.Errorf("got %v, want one error", errs)
			}
		})
	}
	// An empty range is not an error: there is nothing in it.
	r := good
	r.End = r.Start
	if bars := fetch(t, New(), r); len(bars) != 0 {
		t.Errorf("empty range gave %d bars", len(bars))
	}
}

// BenchmarkSynth generates a year of minute bars for one symbol (about 98,000).
func BenchmarkSynth(b *testing.B) {
	for _, tfs := range []string{"1Min", "1Day"} {
		b.Run(tfs, func(b *testing.B) {
			r := req(tfs, nyDay(2024, 1, 1), nyDay(2025, 1, 1), "AAPL")
			src := New()
			n := 0
			for b.Loop() {
				for page, err := range src.Bars(context.Background(), r) {
					if err != nil {
						b.Fatal(err)
					}
					n += len(page)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}

// TestConcurrent shares one Source between goroutines, as a fetch of several symbols in
// parallel would; run it with -race.
func TestConcurrent(t *testing.T) {
	src := New()
	r := req("5Min", nyDay(2024, 5, 1), nyDay(2024, 6, 1), "AAPL", "MSFT")
	want := encode(fetch(t, src, r))
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var out []data.Bar
			for page, err := range src.Bars(context.Background(), r) {
				if err != nil {
					errs <- err
					return
				}
				out = append(out, page...)
			}
			if !bytes.Equal(encode(out), want) {
				errs <- errors.New("concurrent run differs")
				return
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// FuzzRangeIndependent cuts a random range at a random instant, at a random timeframe: the two
// halves must hold exactly the bars of the whole.
func FuzzRangeIndependent(f *testing.F) {
	f.Add(uint32(0), uint32(86400*3), uint32(3600*30), uint8(0), uint64(0))
	f.Add(uint32(86400*40), uint32(86400*60), uint32(86400*15), uint8(5), uint64(9))
	tfs := []string{"1Min", "3Min", "10Min", "1Hour", "2Hour", "1Day", "1Week", "1Month", "6Month"}
	f.Fuzz(func(t *testing.T, off, length, cut uint32, tfi uint8, seed uint64) {
		base := nyDay(2023, 11, 1).Unix()
		start := time.Unix(base+int64(off%(86400*400)), 0).UTC()
		end := start.Add(time.Duration(length%(86400*45)) * time.Second)
		mid := start.Add(time.Duration(cut%(86400*45)) * time.Second)
		if mid.After(end) {
			mid = end
		}
		tf := tfs[int(tfi)%len(tfs)]
		src := New(WithSeed(seed))
		whole := fetch(t, src, req(tf, start, end, "FUZZ"))
		parts := append(fetch(t, src, req(tf, start, mid, "FUZZ")), fetch(t, src, req(tf, mid, end, "FUZZ"))...)
		if !bytes.Equal(encode(whole), encode(parts)) {
			t.Fatalf("%s %v..%v cut at %v: %d bars at once, %d in two requests", tf, start, end, mid, len(whole), len(parts))
		}
		for _, b := range whole {
			if b.Time.Before(start) || !b.Time.Before(end) {
				t.Fatalf("%s bar at %v outside %v..%v", tf, b.Time, start, end)
			}
		}
	})
}

// TestWithNowIsTheClock: WithNow's time is the source's server clock (data.Clock), and a source
// without it reports none, so fetching leaves its coverage as the plan's end sets it.
func TestWithNowIsTheClock(t *testing.T) {
	var _ data.Clock = New()
	if !New().ServerTime().IsZero() {
		t.Fatal("a source without WithNow reports a clock")
	}
	now := time.Date(2024, 3, 6, 15, 0, 0, 0, time.UTC)
	if got := New(WithNow(now)).ServerTime(); !got.Equal(now) {
		t.Fatalf("ServerTime %v, want %v", got, now)
	}
}
