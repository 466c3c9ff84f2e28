package data

import (
	"errors"
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
