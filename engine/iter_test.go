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

// TestRunOverFailingMerge: a source's error reaches Run through data.Merge, with the partial
// result.
func TestRunOverFailingMerge(t *testing.T) {
	syms := []string{"AAA", "BBB"}
	per := bySymbol(randomBars(34, syms, 300), syms)
	boom := errors.New("boom")
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
