package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barkeep-trading/barkeep/data"
)

// plainIter hides the data.BatchIterator fast path of the iterator it wraps.
type plainIter struct{ data.BarIterator }

func bySymbol(bars []data.Bar, syms []string) [][]data.Bar {
	out := make([][]data.Bar, len(syms))
	for _, b := range bars {
		for i, s := range syms {
			if b.Symbol == s {
				out[i] = append(out[i], b)
			}
		}
	}
	return out
}

// TestBatchInput: the engine gives the same Result whether it reads bars a batch at a time or
// one at a time, straight or through data.Merge with sources of either kind, with the timeframe
// given or inferred (which reads ahead before the first batch).
func TestBatchInput(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	bars := randomBars(33, syms, 300)
	per := bySymbol(bars, syms)
	inputs := map[string]func() data.BarIterator{
		"slice": func() data.BarIterator { return data.NewSliceIterator(bars) },
		"plain": func() data.BarIterator { return plainIter{data.NewSliceIterator(bars)} },
		"merge": func() data.BarIterator {
			return data.Merge(data.NewSliceIterator(per[0]), data.NewSliceIterator(per[1]), data.NewSliceIterator(per[2]))
		},
		"merge-mixed": func() data.BarIterator {
			return data.Merge(data.NewSliceIterator(per[0]), plainIter{data.NewSliceIterator(per[1])}, data.NewSliceIterator(per[2]))
		},
		"merge-plain": func() data.BarIterator {
			return plainIter{data.Merge(data.NewSliceIterator(per[0]), data.NewSliceIterator(per[1]), data.NewSliceIterator(per[2]))}
		},
	}
	for ci, cfg := range chaosConfigs {
		for _, infer := range []bool{false, true} {
			c := cfg
			if !infer {
				c.Provenance.Timeframe = data.OneMin
			}
			want, err := Run(context.Background(), c, plainIter{data.NewSliceIterator(bars)}, newChaos(t, 7, syms))
			if err != nil {
				t.Fatal(err)
			}
			checkIdentity(t, want)
			for name, in := range inputs {
				got, err := Run(context.Background(), c, in(), newChaos(t, 7, syms))
				if err != nil {
					t.Fatalf("config %d infer %v %s: %v", ci, infer, name, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("config %d infer %v: %s input gives a different result", ci, infer, name)
				}
			}
		}
	}
}

// TestMergeBatches: data.Merge's NextBatch yields what Next does, in batches that may be mixed
// with Next, with Bar standing on the last bar returned, and reports a source's error.
func TestMergeBatches(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	bars := randomBars(34, syms, 300)
	per := bySymbol(bars, syms)
	mk := func() data.BatchIterator {
		return data.Merge(data.NewSliceIterator(per[0]), plainIter{data.NewSliceIterator(per[1])}, data.NewSliceIterator(per[2])).(data.BatchIterator)
	}
	var got []data.Bar
	m := mk()
	for k := 0; ; k++ {
		if k%3 == 2 { // now and then a single Next
			if !m.Next() {
				break
			}
			got = append(got, m.Bar())
			continue
		}
		b := m.NextBatch()
		if len(b) == 0 {
			break
		}
		if m.Bar() != b[len(b)-1] {
			t.Fatal("Bar after NextBatch is not the batch's last bar")
		}
		got = append(got, b...)
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, bars) {
		t.Fatalf("merged batches differ from the bars (%d vs %d)", len(got), len(bars))
	}

	s := data.NewSliceIterator(bars[:5])
	if !s.Next() || len(s.NextBatch()) != 4 || s.Bar() != bars[4] || len(s.NextBatch()) != 0 || s.Next() {
		t.Fatal("SliceIterator: Next then NextBatch do not yield the rest once")
	}

	boom := errors.New("boom")
	f := data.Merge(data.NewSliceIterator(per[0]), &failAfter{n: 3, err: boom, bars: per[1]}).(data.BatchIterator)
	for len(f.NextBatch()) > 0 {
	}
	if !errors.Is(f.Err(), boom) {
		t.Fatalf("Err = %v, want boom", f.Err())
	}
	res, err := Run(context.Background(), Config{Provenance: Provenance{Timeframe: data.OneMin}}, data.Merge(data.NewSliceIterator(per[0]), &failAfter{n: 3, err: boom, bars: per[1]}), nop{})
	if !errors.Is(err, boom) || res == nil {
		t.Fatalf("Run over a failing merge: %v, %v; want boom and a partial result", res, err)
	}
}

// failAfter yields n bars, then fails.
type failAfter struct {
	n, i int
	err  error
	bars []data.Bar
}

func (f *failAfter) Next() bool    { f.i++; return f.i <= f.n }
func (f *failAfter) Bar() data.Bar { return f.bars[f.i-1] }
func (f *failAfter) Err() error {
	if f.i > f.n {
		return f.err
	}
	return nil
}
func (f *failAfter) Close() error { return nil }

// TestMergeRandom merges sources of random shapes (gaps, several symbols per source, the same
// symbol in several sources, empty sources) and checks the result against a sort of all bars
// by (time, symbol, source), read both a bar and a batch at a time.
func TestMergeRandom(t *testing.T) {
	t0 := monday0930
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		nsrc := 1 + rng.IntN(40)
		type tagged struct {
			b   data.Bar
			src int
		}
		var all []tagged
		per := make([][]data.Bar, nsrc)
		for s := range per {
			nsym := 1 + rng.IntN(3)
			for m := 0; m < 200; m++ {
				if rng.IntN(4) == 0 {
					continue // a gap
				}
				last := ""
				for k := 0; k < nsym; k++ {
					if rng.IntN(3) == 0 {
						continue
					}
					sym := string(rune('A' + rng.IntN(20)))
					if sym <= last {
						continue
					}
					last = sym
					b := data.Bar{Symbol: sym, Time: t0.Add(time.Duration(m) * time.Minute), Close: float64(s)}
					per[s] = append(per[s], b)
					all = append(all, tagged{b, s})
				}
			}
		}
		slices.SortStableFunc(all, func(x, y tagged) int {
			if c := x.b.Time.Compare(y.b.Time); c != 0 {
				return c
			}
			if c := strings.Compare(x.b.Symbol, y.b.Symbol); c != 0 {
				return c
			}
			return x.src - y.src
		})
		want := make([]data.Bar, len(all))
		for i := range all {
			want[i] = all[i].b
		}
		mk := func() data.BarIterator {
			its := make([]data.BarIterator, nsrc)
			for i := range its {
				its[i] = data.NewSliceIterator(per[i])
				if i%3 == 1 {
					its[i] = plainIter{its[i]}
				}
			}
			return data.Merge(its...)
		}
		got, err := data.Collect(mk())
		if err != nil {
			t.Fatal(err)
		}
		var batched []data.Bar
		it := mk()
		if bi, ok := it.(data.BatchIterator); ok {
			for b := bi.NextBatch(); len(b) > 0; b = bi.NextBatch() {
				batched = append(batched, b...)
			}
		} else {
			batched = got
		}
		if !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 || !reflect.DeepEqual(batched, got) && len(got) > 0 {
			t.Fatalf("seed %d (%d sources): merged %d bars (batched %d), want %d in order", seed, nsrc, len(got), len(batched), len(want))
		}
	}
}
