package engine

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

func nyTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.NewYork).UTC()
}

// TestAggregatorAlignment: hours align to the clock hour in New York (the 09:30 minute is in
// the 09:00 bar, with the pre-market), 15Min to the quarter hour, and 1Day takes the regular
// session alone, stamped at midnight New York and handed over at the session's close (13:00 on
// an early close), not a minute before.
func TestAggregatorAlignment(t *testing.T) {
	mk := func(at time.Time, px float64) data.Bar {
		return data.Bar{Symbol: "AAA", Time: at, Open: px, High: px + 1, Low: px - 1, Close: px + 0.5, Volume: 10}
	}
	fine := []data.Bar{
		mk(nyTime(2024, 3, 11, 9, 0), 1),    // pre-market: out of the day, in the 09:00 hour
		mk(nyTime(2024, 3, 11, 9, 30), 2),   // first regular minute
		mk(nyTime(2024, 3, 11, 9, 44), 3),   // same quarter hour
		mk(nyTime(2024, 3, 11, 9, 45), 4),   // next quarter hour
		mk(nyTime(2024, 3, 11, 15, 59), 5),  // last regular minute
		mk(nyTime(2024, 3, 11, 16, 0), 6),   // after hours: out of the day
		mk(nyTime(2024, 11, 29, 12, 59), 7), // early close at 13:00
	}
	for _, c := range []struct {
		what       string
		tf         data.Timeframe
		start, end time.Time
		ohlcv      [5]float64
		n          int
	}{
		{"09:00 hour", data.OneHour, nyTime(2024, 3, 11, 9, 0), nyTime(2024, 3, 11, 10, 0), [5]float64{1, 5, 0, 4.5, 40}, 4},
		{"09:30 quarter", data.Timeframe{N: 15, Unit: data.Min}, nyTime(2024, 3, 11, 9, 30), nyTime(2024, 3, 11, 9, 45), [5]float64{2, 4, 1, 3.5, 20}, 2},
		{"regular session", data.OneDay, nyTime(2024, 3, 11, 0, 0), nyTime(2024, 3, 11, 16, 0), [5]float64{2, 6, 1, 5.5, 40}, 4},
		{"early close", data.OneDay, nyTime(2024, 11, 29, 0, 0), nyTime(2024, 11, 29, 13, 0), [5]float64{7, 8, 6, 7.5, 10}, 1},
	} {
		a, err := NewAggregator(c.tf)
		if err != nil {
			t.Fatal(err)
		}
		a.keep = true
		is := func(b data.Bar) bool { return b.Time.Equal(c.start) }
		for i := range fine {
			if !fine[i].Time.Before(c.end) {
				break
			}
			if out, _ := a.Due(fine[i].Time.UnixNano(), nil, nil); slices.ContainsFunc(out, is) {
				t.Fatalf("%s: handed over at %v, before its end", c.what, fine[i].Time)
			}
			if err := a.Add(&fine[i]); err != nil {
				t.Fatal(err)
			}
		}
		if out, _ := a.Due(c.end.UnixNano()-1, nil, nil); slices.ContainsFunc(out, is) {
			t.Fatalf("%s: handed over a nanosecond before its end", c.what)
		}
		out, fs := a.Due(c.end.UnixNano(), nil, nil)
		k := slices.IndexFunc(out, is)
		if k < 0 {
			t.Fatalf("%s: not handed over at its end %v: %+v", c.what, c.end, out)
		}
		b := out[k]
		if got := [5]float64{b.Open, b.High, b.Low, b.Close, b.Volume}; got != c.ohlcv || len(fs[k]) != c.n {
			t.Errorf("%s: OHLCV %v from %d bars, want %v from %d", c.what, got, len(fs[k]), c.ohlcv, c.n)
		}
	}
}

// mtf asks for 5Min and 1Day bars of the minute bars replayed and records what it is shown.
type mtf struct {
	*chaos
	tfs    []data.Timeframe
	shown  []string
	coarse map[data.Timeframe][]data.Bar
	trade  bool
}

func (m *mtf) Timeframes() []data.Timeframe { return m.tfs }

func (m *mtf) OnBar(e *Env, b data.Bar) error {
	m.shown = append(m.shown, fmt.Sprintf("1Min %s %s now=%s", b.Symbol, b.Time.Format(time.RFC3339), e.Now().Format(time.RFC3339)))
	if m.trade {
		return m.chaos.OnBar(e, b)
	}
	return nil
}

func (m *mtf) OnBarTF(e *Env, tf data.Timeframe, b data.Bar) error {
	m.shown = append(m.shown, fmt.Sprintf("%v %s %s now=%s", tf, b.Symbol, b.Time.Format(time.RFC3339), e.Now().Format(time.RFC3339)))
	if m.coarse == nil {
		m.coarse = map[data.Timeframe][]data.Bar{}
	}
	m.coarse[tf] = append(m.coarse[tf], b)
	if m.trade {
		return m.chaos.OnBar(e, b)
	}
	return nil
}

// TestTimeframesHandOver: every coarse bar equals the aggregate of the fine bars of its period,
// and is handed over after the last of them and before any later one.
func TestTimeframesHandOver(t *testing.T) {
	syms := []string{"AAA", "BBB"}
	fine := walkBars(5, syms, 390, false)
	for _, b := range walkBars(6, syms, 100, false) {
		b.Time = b.Time.Add(24 * time.Hour)
		fine = append(fine, b)
	}
	five := data.Timeframe{N: 5, Unit: data.Min}
	m := &mtf{chaos: newChaos(t, 1, syms), tfs: []data.Timeframe{five, data.OneDay}}
	run(t, Config{}, fine, m)
	for _, tf := range m.tfs {
		if len(m.coarse[tf]) == 0 {
			t.Fatalf("no %v bar handed over", tf)
		}
		for _, c := range m.coarse[tf] {
			end := c.Time.Add(tf.Duration())
			if tf == data.OneDay {
				end = c.Time.Add(16 * time.Hour)
			}
			var in []data.Bar
			for _, b := range fine {
				if b.Symbol == c.Symbol && !b.Time.Before(c.Time) && b.Time.Before(end) {
					in = append(in, b)
				}
			}
			hi, lo, v := in[0].High, in[0].Low, 0.0
			for _, b := range in {
				hi, lo, v = max(hi, b.High), min(lo, b.Low), v+b.Volume
			}
			if c.Open != in[0].Open || c.Close != in[len(in)-1].Close || c.High != hi || c.Low != lo || c.Volume != v {
				t.Fatalf("%v bar %+v is not the aggregate of its %d minutes", tf, c, len(in))
			}
			// Handed over after its last minute and before the first minute of a later
			// period, of any symbol.
			line := slices.IndexFunc(m.shown, func(l string) bool {
				return strings.HasPrefix(l, fmt.Sprintf("%v %s %s ", tf, c.Symbol, c.Time.Format(time.RFC3339)))
			})
			last := slices.IndexFunc(m.shown, func(l string) bool {
				return strings.HasPrefix(l, fmt.Sprintf("1Min %s %s ", c.Symbol, in[len(in)-1].Time.Format(time.RFC3339)))
			})
			if line < last {
				t.Fatalf("%v bar %s %v handed over before its last minute", tf, c.Symbol, c.Time)
			}
			for _, l := range m.shown[last:line] {
				if f := strings.Fields(l); f[0] == "1Min" {
					if tm, _ := time.Parse(time.RFC3339, f[2]); !tm.Before(end) {
						t.Fatalf("%v bar %s %v handed over after %s, a minute of a later period", tf, c.Symbol, c.Time, l)
					}
				}
			}
		}
	}
	// The last day has 100 minutes: its daily bar is not complete and is not handed over.
	if n := len(m.coarse[data.OneDay]); n != 2 {
		t.Fatalf("%d daily bars handed over, want 2 (both symbols' first day)", n)
	}
}

// TestTimeframesNoLookAhead changes the minute bars from a cut on and checks that everything
// the strategy was shown and did, minutes and coarse bars, up to the cut is unchanged.
func TestTimeframesNoLookAhead(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	tfs := []data.Timeframe{{N: 5, Unit: data.Min}, {N: 15, Unit: data.Min}, data.OneHour}
	for _, k := range []int{7, 64, 151} {
		past := walkBars(3, syms, 300, false)
		future := walkBars(4, syms, 300, false)
		cut := monday0930.Add(time.Duration(k) * time.Minute)
		i := slices.IndexFunc(past, func(b data.Bar) bool { return !b.Time.Before(cut) })
		mixed := slices.Clone(past[:i])
		for _, b := range future {
			if !b.Time.Before(cut) {
				mixed = append(mixed, b)
			}
		}
		a := &mtf{chaos: newChaos(t, 8, syms), tfs: tfs, trade: true}
		b := &mtf{chaos: newChaos(t, 8, syms), tfs: tfs, trade: true}
		ra, rb := run(t, Config{}, past, a), run(t, Config{}, mixed, b)
		upTo := func(log []string) []string {
			// Up to the first line written after the cut: now= is the clock when written.
			for i, l := range log {
				for _, f := range strings.Fields(l) {
					if s, ok := strings.CutPrefix(f, "now="); ok {
						if tm, err := time.Parse(time.RFC3339, s); err == nil && tm.After(cut) {
							return log[:i]
						}
					}
				}
			}
			return log
		}
		logUpTo := func(log chaosLog) chaosLog {
			// The same cut for the chaos log, whose bar entries carry the clock when written.
			for i, l := range log {
				if l.kind == "bar" && l.now.After(cut) {
					return log[:i]
				}
			}
			return log
		}
		la, lb := logUpTo(a.log), logUpTo(b.log)
		if len(la) == 0 || !la.equal(lb) {
			t.Fatalf("k=%d: what the strategy saw and did up to %v depends on later minutes", k, cut)
		}
		sa, sb := upTo(a.shown), upTo(b.shown)
		if !slices.ContainsFunc(sa, func(l string) bool { return strings.HasPrefix(l, "1Hour") }) && k > 60 {
			t.Fatalf("k=%d: no hourly bar before the cut: the test is not testing", k)
		}
		if !slices.Equal(sa, sb) {
			t.Fatalf("k=%d: coarse bars shown up to %v depend on later minutes", k, cut)
		}
		if a.log.equal(b.log) || len(ra.Fills) == 0 {
			t.Fatalf("k=%d: different futures gave the same run: the test is not testing", k)
		}
		// Determinism: the same bars give the same run, coarse bars and all, bit for bit.
		c := &mtf{chaos: newChaos(t, 8, syms), tfs: tfs, trade: true}
		if rc := run(t, Config{}, past, c); !reflect.DeepEqual(ra, rc) || !slices.Equal(a.shown, c.shown) || !a.log.equal(c.log) {
			t.Fatalf("k=%d: two runs of the same bars differ", k)
		}
		_ = rb
	}
}

// TestTimeframesRefused: a timeframe that cannot be built from the bars replayed, or a strategy
// without OnBarTF, stops the run before its first bar.
func TestTimeframesRefused(t *testing.T) {
	fine := minutes("AAA", monday0930, flat(1), flat(1))
	if _, err := Run(t.Context(), Config{}, data.NewSliceIterator(fine), &mtf{chaos: newChaos(t, 1, nil), tfs: []data.Timeframe{{N: 7, Unit: data.Min}, data.OneMin}}); err == nil ||
		!strings.Contains(err.Error(), "cannot be built") {
		t.Fatalf("1Min from 1Min: %v", err)
	}
	if _, err := Run(t.Context(), Config{}, data.NewSliceIterator(fine), tfOnly{&script{}}); err == nil || !strings.Contains(err.Error(), "OnBarTF") {
		t.Fatalf("no OnBarTF: %v", err)
	}
}

// tfOnly asks for hourly bars but cannot receive them.
type tfOnly struct{ *script }

func (tfOnly) Timeframes() []data.Timeframe { return []data.Timeframe{data.OneHour} }
