package data

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func bars(sym string, mins ...int) []Bar {
	out := make([]Bar, len(mins))
	for i, m := range mins {
		out[i] = Bar{Symbol: sym, Time: t0.Add(time.Duration(m) * time.Minute), Open: 1, High: 1, Low: 1, Close: float64(m)}
	}
	return out
}

func TestMerge(t *testing.T) {
	it := Merge(
		NewSliceIterator(bars("MSFT", 0, 2, 4, 5)),
		NewSliceIterator(bars("AAPL", 1, 2, 3)),
		NewSliceIterator(nil),
		NewSliceIterator(bars("AAPL", 5)),
	)
	got, err := Collect(it)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"MSFT@0", "AAPL@1", "AAPL@2", "MSFT@2", "AAPL@3", "MSFT@4", "AAPL@5", "MSFT@5"}
	if len(got) != len(want) {
		t.Fatalf("got %d bars want %d", len(got), len(want))
	}
	for i, b := range got {
		s := b.Symbol + "@" + itoa(int(b.Time.Sub(t0).Minutes()))
		if s != want[i] {
			t.Errorf("bar %d = %s want %s", i, s, want[i])
		}
		if i > 0 && Less(&got[i], &got[i-1]) {
			t.Errorf("bar %d out of order", i)
		}
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

type failing struct{ n int }

func (f *failing) Next() bool { f.n++; return f.n < 3 }
func (f *failing) Bar() Bar   { return bars("ZZZ", f.n)[0] }
func (f *failing) Err() error {
	if f.n >= 3 {
		return errBoom
	}
	return nil
}
func (f *failing) Close() error { return nil }

var errBoom = errors.New("boom")

func TestMergeError(t *testing.T) {
	it := Merge(NewSliceIterator(bars("AAPL", 0, 1, 2, 3, 4)), &failing{})
	_, err := Collect(it)
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func BenchmarkMerge10(b *testing.B) {
	const perSym = 100_000
	syms := []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}
	data := make([][]Bar, len(syms))
	for i, s := range syms {
		data[i] = make([]Bar, perSym)
		for k := range data[i] {
			data[i][k] = Bar{Symbol: s, Time: t0.Add(time.Duration(k) * time.Minute), Close: 1}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		its := make([]BarIterator, len(syms))
		for i := range syms {
			its[i] = NewSliceIterator(data[i])
		}
		it := Merge(its...)
		for it.Next() {
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "bars/s")
}

// plainIter hides the BatchIterator fast path of the iterator it wraps.
type plainIter struct{ BarIterator }

// failAfter yields n bars, then fails.
type failAfter struct {
	n, i int
	err  error
	bars []Bar
}

func (f *failAfter) Next() bool { f.i++; return f.i <= f.n }
func (f *failAfter) Bar() Bar   { return f.bars[f.i-1] }
func (f *failAfter) Err() error {
	if f.i > f.n {
		return f.err
	}
	return nil
}
func (f *failAfter) Close() error { return nil }

// mergeInput is n bars a minute apart for each symbol, in (time, symbol) order, and the
// same bars split by symbol.
func mergeInput(syms []string, n int) ([]Bar, [][]Bar) {
	var all []Bar
	per := make([][]Bar, len(syms))
	for m := 0; m < n; m++ {
		for i, s := range syms {
			if (m+i)%7 == 3 {
				continue // a gap
			}
			b := Bar{Symbol: s, Time: t0.Add(time.Duration(m) * time.Minute), Open: 1, High: 1, Low: 1, Close: float64(m)}
			all = append(all, b)
			per[i] = append(per[i], b)
		}
	}
	return all, per
}

// TestMergeBatches: Merge's NextBatch yields what Next does, in batches that may be mixed
// with Next, with Bar standing on the last bar returned, and reports a source's error.
func TestMergeBatches(t *testing.T) {
	syms := []string{"AAA", "BBB", "CCC"}
	bars, per := mergeInput(syms, 300)
	mk := func() BatchIterator {
		return Merge(NewSliceIterator(per[0]), plainIter{NewSliceIterator(per[1])}, NewSliceIterator(per[2])).(BatchIterator)
	}
	var got []Bar
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

	s := NewSliceIterator(bars[:5])
	if !s.Next() || len(s.NextBatch()) != 4 || s.Bar() != bars[4] || len(s.NextBatch()) != 0 || s.Next() {
		t.Fatal("SliceIterator: Next then NextBatch do not yield the rest once")
	}

	boom := errors.New("boom")
	f := Merge(NewSliceIterator(per[0]), &failAfter{n: 3, err: boom, bars: per[1]}).(BatchIterator)
	for len(f.NextBatch()) > 0 {
	}
	if !errors.Is(f.Err(), boom) {
		t.Fatalf("Err = %v, want boom", f.Err())
	}
}

// TestMergeRandom merges sources of random shapes (gaps, several symbols per source, the same
// symbol in several sources, empty sources) and checks the result against a sort of all bars
// by (time, symbol, source), read both a bar and a batch at a time.
func TestMergeRandom(t *testing.T) {
	t0 := time.Date(2024, 1, 8, 14, 30, 0, 0, time.UTC)
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		nsrc := 1 + rng.IntN(40)
		type tagged struct {
			b   Bar
			src int
		}
		var all []tagged
		per := make([][]Bar, nsrc)
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
					b := Bar{Symbol: sym, Time: t0.Add(time.Duration(m) * time.Minute), Close: float64(s)}
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
		want := make([]Bar, len(all))
		for i := range all {
			want[i] = all[i].b
		}
		mk := func() BarIterator {
			its := make([]BarIterator, nsrc)
			for i := range its {
				its[i] = NewSliceIterator(per[i])
				if i%3 == 1 {
					its[i] = plainIter{its[i]}
				}
			}
			return Merge(its...)
		}
		got, err := Collect(mk())
		if err != nil {
			t.Fatal(err)
		}
		var batched []Bar
		it := mk()
		if bi, ok := it.(BatchIterator); ok {
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
