package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
	"github.com/barkeep-trading/barkeep/data/calendar"
)

const benchBars = 1_000_000

var benchData = map[int][][]data.Bar{} // symbols -> one slice per symbol
var benchMu sync.Mutex

// sessionBars returns n regular-session minute bars per symbol, weekdays from 2015-01-05, as a
// seeded random walk: the same bars every time.
func sessionBars(nsym, n int) [][]data.Bar {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchData[nsym]; ok {
		return d
	}
	out := make([][]data.Bar, nsym)
	for s := range out {
		rng := rand.New(rand.NewPCG(uint64(s), 42))
		sym := fmt.Sprintf("S%02d", s)
		bars := make([]data.Bar, 0, n)
		day := time.Date(2015, 1, 5, 9, 30, 0, 0, calendar.NewYork)
		px := 100.0
		for len(bars) < n {
			if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
				for m := 0; m < 390 && len(bars) < n; m++ {
					o := px
					c := o * (1 + rng.NormFloat64()*0.001)
					hi, lo := max(o, c)*(1+rng.Float64()*0.0005), min(o, c)*(1-rng.Float64()*0.0005)
					bars = append(bars, data.Bar{Symbol: sym, Time: day.Add(time.Duration(m) * time.Minute).UTC(),
						Open: o, High: hi, Low: lo, Close: c, Volume: 100})
					px = c
				}
			}
			day = day.AddDate(0, 0, 1)
		}
		out[s] = bars
	}
	benchData[nsym] = out
	return out
}

// smaCross is a small SMA crossover: long 1/n of equity while the fast mean is above the slow.
type smaCross struct {
	fast, slow int
	n          int
	st         map[string]*smaState
	order      []*smaState // first-seen order, to guess the next bar's symbol without hashing
	next       int
}

type smaState struct {
	sym       string
	k         int // index in smaCross.order
	ring      []float64
	i, j      int // ring positions of the newest slow and the oldest fast value
	count     int
	sumF      float64
	sumS      float64
	above     bool
	hasSignal bool
}

func newSMACross(fast, slow, n int) *smaCross {
	return &smaCross{fast: fast, slow: slow, n: n, st: map[string]*smaState{}}
}

func (s *smaCross) OnBar(e *Env, b data.Bar) error {
	var st *smaState
	if s.next < len(s.order) && s.order[s.next].sym == b.Symbol {
		st = s.order[s.next]
	} else if st = s.st[b.Symbol]; st == nil {
		st = &smaState{sym: b.Symbol, k: len(s.order), ring: make([]float64, s.slow), j: s.slow - s.fast}
		s.st[b.Symbol] = st
		s.order = append(s.order, st)
	}
	// Bars of a timestamp come in symbol order, so the next one is usually the next seen.
	if s.next = st.k + 1; s.next == len(s.order) {
		s.next = 0
	}
	// Running sums over a ring buffer: the fast window is the newest s.fast of the slow one.
	// Positions wrap by comparison, not %: a division per bar would cost more than the engine.
	if st.count >= s.slow {
		st.sumS -= st.ring[st.i]
	}
	if st.count >= s.fast {
		st.sumF -= st.ring[st.j]
	}
	st.ring[st.i] = b.Close
	st.sumS += b.Close
	st.sumF += b.Close
	if st.i++; st.i == s.slow {
		st.i = 0
	}
	if st.j++; st.j == s.slow {
		st.j = 0
	}
	st.count++
	if st.count < s.slow {
		return nil
	}
	above := st.sumF/float64(s.fast) > st.sumS/float64(s.slow)
	if st.hasSignal && above == st.above {
		return nil
	}
	st.above, st.hasSignal = above, true
	var err error
	if above {
		_, err = e.TargetPercent(b.Symbol, 0.99/float64(s.n))
	} else {
		_, err = e.TargetQuantity(b.Symbol, 0)
	}
	return err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type nop struct{}

func (nop) OnBar(*Env, data.Bar) error { return nil }

// BenchmarkEngineSMA replays 1,000,000 regular-session minute bars (one symbol, or ten of
// 100,000 each through data.Merge or already merged) through a 10/30 SMA crossover.
func BenchmarkEngineSMA(b *testing.B) { benchEngine(b, "sma") }

// BenchmarkEngineTrivial is the same with a strategy that does nothing: the engine's own cost.
func BenchmarkEngineTrivial(b *testing.B) { benchEngine(b, "trivial") }

func benchEngine(b *testing.B, strat string) {
	for _, cs := range []struct {
		name  string
		nsym  int
		merge bool
	}{{"1sym", 1, false}, {"10sym-merge", 10, true}, {"10sym-presorted", 10, false}} {
		b.Run(cs.name, func(b *testing.B) {
			per := sessionBars(cs.nsym, benchBars/cs.nsym)
			var flat []data.Bar
			if !cs.merge {
				if cs.nsym == 1 {
					flat = per[0]
				} else {
					its := make([]data.BarIterator, cs.nsym)
					for i := range its {
						its[i] = data.NewSliceIterator(per[i])
					}
					flat, _ = data.Collect(data.Merge(its...))
				}
			}
			cfg := Config{Provenance: Provenance{Timeframe: data.OneMin}}
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime()
			b.ResetTimer()
			var total, orders int64
			for b.Loop() {
				var it data.BarIterator
				if cs.merge {
					its := make([]data.BarIterator, cs.nsym)
					for i := range its {
						its[i] = data.NewSliceIterator(per[i])
					}
					it = data.Merge(its...)
				} else {
					it = data.NewSliceIterator(flat)
				}
				var s Strategy = nop{}
				if strat == "sma" {
					s = newSMACross(10, 30, cs.nsym)
				}
				res, err := Run(context.Background(), cfg, it, s)
				if err != nil {
					b.Fatal(err)
				}
				total += res.Bars + res.Skipped
				orders += int64(len(res.Orders))
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&ms1)
			// CPU time (all threads, GC included) per bar: steadier than wall time on a
			// shared machine.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(total), "cpu-ns/bar")
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "bars/s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(total), "allocs/bar")
			b.ReportMetric(float64(orders)/float64(total)*1000, "orders/kbar")
		})
	}
}
