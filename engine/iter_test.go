package engine

import (
	"context"
	"errors"
	"reflect"
	"testing"

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
