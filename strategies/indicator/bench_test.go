package indicator

import "testing"

// input is a deterministic zig-zag walk, so branches (gains/losses, deque pops) are exercised.
func input(i int) float64 { return 100 + float64(i%37) - 0.5*float64(i%11) }

func BenchmarkSMA(b *testing.B) {
	s := NewSMA(50)
	for i := 0; b.Loop(); i++ {
		s.Update(input(i))
	}
	_ = s.Value()
}

func BenchmarkStdDev(b *testing.B) {
	s := NewStdDev(50)
	for i := 0; b.Loop(); i++ {
		s.Update(input(i))
	}
	_ = s.Value()
}

func BenchmarkEMA(b *testing.B) {
	e := NewEMA(26)
	for i := 0; b.Loop(); i++ {
		e.Update(input(i))
	}
	_ = e.Value()
}

func BenchmarkRSI(b *testing.B) {
	r := NewRSI(14)
	for i := 0; b.Loop(); i++ {
		r.Update(input(i))
	}
	_ = r.Value()
}

func BenchmarkBollinger(b *testing.B) {
	bb := NewBollinger(20, 2)
	for i := 0; b.Loop(); i++ {
		bb.Update(input(i))
	}
	_ = bb.Upper()
}

func BenchmarkMACD(b *testing.B) {
	m := NewMACD(12, 26, 9)
	for i := 0; b.Loop(); i++ {
		m.Update(input(i))
	}
	_ = m.Histogram()
}

func BenchmarkATR(b *testing.B) {
	a := NewATR(14)
	for i := 0; b.Loop(); i++ {
		x := input(i)
		a.Update(x+1, x-1, x)
	}
	_ = a.Value()
}

func BenchmarkDonchian(b *testing.B) {
	d := NewDonchian(20)
	for i := 0; b.Loop(); i++ {
		x := input(i)
		d.Update(x+1, x-1)
	}
	_ = d.Upper()
}
