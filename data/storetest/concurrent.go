package storetest

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// Readers says how readers may meet a writer in a store; each store passes the ways that are
// meaningful for it to ConcurrentReadWhileWrite.
type Readers uint8

const (
	// SharedHandle: other goroutines Read through the writer's own Store while it writes.
	SharedHandle Readers = 1 << iota
	// SeparateHandle: other goroutines open their own Store on the same path and Read while the
	// writer's Store is open and writing, as another process would (the Parquet lake).
	SeparateHandle
	// Sequential: the writer closes its Store after each write and a fresh Store opened on the
	// path reads, as another process can do with a file that one process at a time may open
	// read-write (DuckDB).
	Sequential
)

// Concurrency sizes: small enough for a 2-core machine, large enough that a write takes a while.
const (
	genCount    = 8
	genBars     = 3000
	readerCount = 2
)

// ConcurrentReadWhileWrite checks that "a read while another writes is either old or new but
// never broken". A writer rewrites the same 2 x genBars keys genCount times; every bar of
// generation g carries TradeCount g. A read is whole when it returns either no bars (before the
// first write) or exactly 2 x genBars bars of a single generation, in (time, symbol) order; a
// reader never sees a generation older than one it saw before; and in Sequential mode the
// coverage read is the one the last write left.
func ConcurrentReadWhileWrite(t *testing.T, open Opener, how Readers) {
	for _, m := range []struct {
		r    Readers
		name string
	}{{SharedHandle, "SharedHandle"}, {SeparateHandle, "SeparateHandle"}, {Sequential, "Sequential"}} {
		if how&m.r == 0 {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store")
			if m.r == Sequential {
				sequentialReads(t, open, path)
			} else {
				concurrentReads(t, open, path, m.r)
			}
		})
	}
}

func generation(g int) data.Batch {
	var bars []data.Bar
	for _, sym := range []string{"AAA", "BBB"} {
		for _, b := range Scale(Bars(sym, Day0, genBars, time.Minute), 1+float64(g)/100) {
			b.TradeCount = uint64(g)
			bars = append(bars, b)
		}
	}
	return data.Batch{Timeframe: data.OneMin, Feed: "synth", Bars: bars,
		Covered: []data.Span{span("AAA", 0, g+1)}}
}

// checkWhole returns the generation a read saw, or an error describing how it was torn.
func checkWhole(s data.Reader) (int, error) {
	it, err := s.Read(context0(), data.Query{Timeframe: data.OneMin})
	if err != nil {
		return 0, fmt.Errorf("Read: %w", err)
	}
	bars, err := data.Collect(it)
	if err != nil {
		return 0, fmt.Errorf("reading: %w", err)
	}
	if len(bars) == 0 {
		return 0, nil
	}
	if len(bars) != 2*genBars {
		return 0, fmt.Errorf("torn read: %d bars, want 0 or %d", len(bars), 2*genBars)
	}
	g := int(bars[0].TradeCount)
	for i, b := range bars {
		if int(b.TradeCount) != g {
			return 0, fmt.Errorf("torn read: bar %d (%s %s) is of generation %d, bar 0 of %d", i, b.Symbol, b.Time, b.TradeCount, g)
		}
		if i > 0 && !data.Less(&bars[i-1], &bars[i]) {
			return 0, fmt.Errorf("read out of order at bar %d", i)
		}
	}
	return g, nil
}

func concurrentReads(t *testing.T, open Opener, path string, how Readers) {
	w := openClosed(t, open, path)
	// Open once before the readers start, so that a store which creates its layout lazily has
	// done so.
	write(t, w, generation(1))
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, readerCount)
	for range readerCount {
		wg.Go(func() {
			r := w
			if how == SeparateHandle {
				r = open(t, path)
				defer r.Close()
			}
			seen, reads := 0, 0
			for {
				select {
				case <-done:
					if reads == 0 {
						errs <- fmt.Errorf("reader made no read")
					}
					return
				default:
				}
				g, err := checkWhole(r)
				reads++
				if err != nil {
					errs <- err
					return
				}
				if g < seen {
					errs <- fmt.Errorf("read generation %d after %d: went back in time", g, seen)
					return
				}
				seen = g
			}
		})
	}
	for g := 2; g <= genCount; g++ {
		if err := w.Write(t.Context(), generation(g)); err != nil {
			close(done)
			wg.Wait()
			t.Fatalf("Write generation %d: %v", g, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if g, err := checkWhole(w); err != nil || g != genCount {
		t.Fatalf("final read: generation %d, %v; want %d", g, err, genCount)
	}
}

func sequentialReads(t *testing.T, open Opener, path string) {
	for g := 1; g <= genCount/3; g++ {
		w := open(t, path)
		write(t, w, generation(g))
		if err := w.Close(); err != nil {
			t.Fatalf("Close writer after generation %d: %v", g, err)
		}
		r := open(t, path)
		got, err := checkWhole(r)
		if err == nil && got != g {
			err = fmt.Errorf("read generation %d, want %d", got, g)
		}
		if err == nil {
			var cov data.Ranges
			cov, err = r.Coverage(t.Context(), data.Series{Symbol: "AAA", Timeframe: data.OneMin})
			if err == nil && (len(cov) != 1 || !cov[0].End.Equal(day(g+1))) {
				err = fmt.Errorf("coverage %s, want one range to %s", cov, day(g+1))
			}
		}
		if cerr := r.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("Close reader: %w", cerr)
		}
		if err != nil {
			t.Fatalf("generation %d: %v", g, err)
		}
	}
}
