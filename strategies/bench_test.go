package strategies

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/engine"
)

// minuteBars returns n minute bars spread over symbols in (time, symbol) order: a zig-zag with a
// slow cycle, so that the crossover trades every few hundred bars.
func minuteBars(n, symbols int) []data.Bar {
	names := make([]string, symbols)
	for i := range names {
		names[i] = "S" + strconv.Itoa(i)
	}
	bars := make([]data.Bar, n)
	t0 := time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)
	for i := range bars {
		k := i / symbols
		c := 100 + 10*float64(k%600)/600 - float64(k%7)*0.1
		if (k/600)%2 == 1 {
			c = 110 - 10*float64(k%600)/600 - float64(k%7)*0.1
		}
		bars[i] = data.Bar{Symbol: names[i%symbols], Time: t0.Add(time.Duration(k) * time.Minute),
			Open: c, High: c + 0.05, Low: c - 0.05, Close: c, Volume: 100}
	}
	return bars
}

// BenchmarkSMAStrategy runs the sma built-in through engine.Run over 1,000,000 in-memory minute
// bars per iteration and reports bars/s and allocations per bar (all of the run's, the engine's
// amortised equity curve included).
func BenchmarkSMAStrategy(b *testing.B) {
	for _, symbols := range []int{1, 10} {
		b.Run(strconv.Itoa(symbols)+"sym", func(b *testing.B) {
			const n = 1_000_000
			bars := minuteBars(n, symbols)
			cfg := engine.Config{Cash: 1e6, Hours: engine.AllHours}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			runs := 0
			for b.Loop() {
				s, _, err := New("sma", map[string]string{"pct": strconv.FormatFloat(0.9/float64(symbols), 'f', -1, 64)})
				if err != nil {
					b.Fatal(err)
				}
				res, err := engine.Run(context.Background(), cfg, data.NewSliceIterator(bars), s)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Trades) == 0 {
					b.Fatal("no trades: the benchmark would not exercise order placement")
				}
				runs++
			}
			runtime.ReadMemStats(&ms1)
			total := float64(runs) * n
			b.ReportMetric(total/b.Elapsed().Seconds(), "bars/s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/bar")
		})
	}
}

// TestOnBarNoAllocs pins the steady state of every built-in: once each symbol has been seen,
// OnBar allocates nothing (the engine's own appends are not counted here).
func TestOnBarNoAllocs(t *testing.T) {
	for _, name := range builtins {
		t.Run(name, func(t *testing.T) {
			s, _, err := New(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			bars := minuteBars(20000, 2)
			warm, rest := bars[:10000], bars[10000:]
			// Measure inside a real run: a wrapper counts allocations over the second half of
			// the bars, where all state exists.
			m := &allocMeter{inner: s, from: len(warm)}
			if _, err := engine.Run(context.Background(), engine.Config{Cash: 1e6, Hours: engine.AllHours},
				data.NewSliceIterator(bars), m); err != nil {
				t.Fatal(err)
			}
			if per := float64(m.allocs) / float64(len(rest)); per > 0.01 {
				t.Errorf("%s: %.3f allocations per OnBar in steady state", name, per)
			}
		})
	}
}

type allocMeter struct {
	inner  engine.Strategy
	from   int
	seen   int
	allocs uint64
}

func (m *allocMeter) Init(env *engine.Env) error {
	if i, ok := m.inner.(engine.Initer); ok {
		return i.Init(env)
	}
	return nil
}

func (m *allocMeter) OnBar(env *engine.Env, b data.Bar) error {
	m.seen++
	if m.seen <= m.from {
		return m.inner.OnBar(env, b)
	}
	var a, z runtime.MemStats
	runtime.ReadMemStats(&a)
	err := m.inner.OnBar(env, b)
	runtime.ReadMemStats(&z)
	m.allocs += z.Mallocs - a.Mallocs
	return err
}
