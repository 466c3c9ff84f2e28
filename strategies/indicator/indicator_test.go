package indicator

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nan marks "not ready yet" in the tables.
var nan = math.NaN()

func close(a, b, tol float64) bool {
	if math.IsNaN(b) {
		return math.IsNaN(a)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// series runs update/ready/value over in and returns NaN where not ready.
func series(in []float64, update func(float64), ready func() bool, value func() float64) []float64 {
	out := make([]float64, len(in))
	for i, x := range in {
		update(x)
		if ready() {
			out[i] = value()
		} else {
			out[i] = nan
			if value() != 0 {
				out[i] = -1 // a value before warm-up is a bug the table will show
			}
		}
	}
	return out
}

func checkSeries(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if !close(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
		}
	}
}

func TestSingleInput(t *testing.T) {
	s3 := math.Sqrt(2.0 / 3)
	tests := []struct {
		name string
		mk   func() (func(float64), func() bool, func() float64)
		in   []float64
		want []float64
	}{
		{"SMA(1)", func() (func(float64), func() bool, func() float64) {
			s := NewSMA(1)
			return s.Update, s.Ready, s.Value
		}, []float64{5, 7, 9}, []float64{5, 7, 9}},
		{"SMA(3)", func() (func(float64), func() bool, func() float64) {
			s := NewSMA(3)
			return s.Update, s.Ready, s.Value
		}, []float64{1, 2, 3, 4, 5, 10}, []float64{nan, nan, 2, 3, 4, 19.0 / 3}},
		{"EMA(3)", func() (func(float64), func() bool, func() float64) {
			e := NewEMA(3) // alpha 0.5, seeded with the mean of the first 3
			return e.Update, e.Ready, e.Value
		}, []float64{1, 2, 3, 4, 5, 1}, []float64{nan, nan, 2, 3, 4, 2.5}},
		{"Wilder(2)", func() (func(float64), func() bool, func() float64) {
			e := NewWilder(2) // alpha 0.5 too, seeded with the mean of the first 2
			return e.Update, e.Ready, e.Value
		}, []float64{2, 4, 7, 1}, []float64{nan, 3, 5, 3}},
		{"StdDev(3)", func() (func(float64), func() bool, func() float64) {
			s := NewStdDev(3)
			return s.Update, s.Ready, s.Value
		}, []float64{1, 2, 3, 3, 3, 3, 6}, []float64{nan, nan, s3, math.Sqrt(2.0 / 9), 0, 0, math.Sqrt(2)}},
		{"StdDev(8) classic", func() (func(float64), func() bool, func() float64) {
			s := NewStdDev(8)
			return s.Update, s.Ready, s.Value
		}, []float64{2, 4, 4, 4, 5, 5, 7, 9}, []float64{nan, nan, nan, nan, nan, nan, nan, 2}},
		{"Bollinger(3,2) upper", func() (func(float64), func() bool, func() float64) {
			b := NewBollinger(3, 2)
			return b.Update, b.Ready, b.Upper
		}, []float64{1, 2, 3, 4}, []float64{nan, nan, 2 + 2*s3, 3 + 2*s3}},
		{"Bollinger(3,2) lower", func() (func(float64), func() bool, func() float64) {
			b := NewBollinger(3, 2)
			return b.Update, b.Ready, b.Lower
		}, []float64{1, 2, 3, 4}, []float64{nan, nan, 2 - 2*s3, 3 - 2*s3}},
		{"Bollinger(3,2) middle", func() (func(float64), func() bool, func() float64) {
			b := NewBollinger(3, 2)
			return b.Update, b.Ready, b.Middle
		}, []float64{1, 2, 3, 4}, []float64{nan, nan, 2, 3}},
		// MACD(1,2,2): fast = x; slow EMA(2) alpha 2/3 seeded with mean of first 2.
		// x: 1 3 6 3; slow: -, 2, 2+2/3*4=14/3, 14/3+2/3*(3-14/3)=32/9
		// macd: -, 1, 4/3, -5/9; signal EMA(2) of macd: -, -, 7/6, 7/6+2/3*(-5/9-7/6)=1/162*...
		{"MACD(1,2,2)", func() (func(float64), func() bool, func() float64) {
			m := NewMACD(1, 2, 2)
			return m.Update, m.Ready, m.Value
		}, []float64{1, 3, 6, 3}, []float64{nan, nan, 4.0 / 3, -5.0 / 9}},
		{"MACD(1,2,2) signal", func() (func(float64), func() bool, func() float64) {
			m := NewMACD(1, 2, 2)
			return m.Update, m.Ready, m.Signal
		}, []float64{1, 3, 6, 3}, []float64{nan, nan, 7.0 / 6, 7.0/6 + 2.0/3*(-5.0/9-7.0/6)}},
		{"RSI(2) flat then up", func() (func(float64), func() bool, func() float64) {
			r := NewRSI(2)
			return r.Update, r.Ready, r.Value
			// average gain/loss 0/0, then +1 gives 0.5/0, then -2 gives 0.25/1
		}, []float64{5, 5, 5, 6, 4}, []float64{nan, nan, 50, 100, 100 - 100/(1+0.25/1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, r, v := tt.mk()
			checkSeries(t, tt.name, series(tt.in, u, r, v), tt.want, 1e-12)
		})
	}
}

// TestRSIWilderReference checks the worked example StockCharts publishes for Wilder's RSI(14)
// (ChartSchool, "Relative Strength Index", cs-rsi.xls): closes to four decimals as in the
// spreadsheet, RSI rounded to two decimals as it shows them.
func TestRSIWilderReference(t *testing.T) {
	closes := []float64{44.3389, 44.0902, 44.1497, 43.6124, 44.2778, 44.8264, 45.0955, 45.4245,
		45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116,
		46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783,
		44.2181, 44.5672, 43.4205, 42.6628, 43.1314}
	want := []float64{70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71,
		50.42, 39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77}
	r := NewRSI(14)
	var got []float64
	for i, c := range closes {
		r.Update(c)
		if r.Ready() != (i >= 14) {
			t.Fatalf("after %d closes Ready = %v", i+1, r.Ready())
		}
		if r.Ready() {
			got = append(got, math.Round(r.Value()*100)/100)
		}
	}
	checkSeries(t, "RSI(14)", got, want, 0)
}

func TestATR(t *testing.T) {
	type hlc struct{ h, l, c float64 }
	bars := []hlc{{10, 8, 9}, {12, 9, 11}, {11, 10, 10.5}, {14, 13, 13.5}, {13, 12, 12}}
	// TR: 2 (first bar: high-low), max(3,|12-9|,|9-9|)=3, max(1,0,1)=1, max(1,3.5,2.5)=3.5,
	// max(1,|13-13.5|,|12-13.5|)=1.5. ATR(3): seed (2+3+1)/3=2, then (2*2+3.5)/3=2.5,
	// then (2*2.5+1.5)/3=13/6.
	want := []float64{nan, nan, 2, 2.5, 13.0 / 6}
	a := NewATR(3)
	got := make([]float64, len(bars))
	for i, b := range bars {
		a.Update(b.h, b.l, b.c)
		got[i] = nan
		if a.Ready() {
			got[i] = a.Value()
		}
	}
	checkSeries(t, "ATR(3)", got, want, 1e-12)
}

func TestDonchian(t *testing.T) {
	tests := []struct {
		name   string
		period int
		hi, lo []float64
		up, dn []float64
	}{
		{"period 3", 3,
			[]float64{5, 7, 6, 4, 4, 8, 3},
			[]float64{1, 2, 0, 3, 3, 1, 2},
			[]float64{nan, nan, 7, 7, 6, 8, 8},
			[]float64{nan, nan, 0, 0, 0, 1, 1}},
		{"period 1", 1, []float64{2, 1}, []float64{1, 0}, []float64{2, 1}, []float64{1, 0}},
		{"ties", 2, []float64{3, 3, 3, 2}, []float64{1, 1, 1, 2}, []float64{nan, 3, 3, 3}, []float64{nan, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDonchian(tt.period)
			up := make([]float64, len(tt.hi))
			dn := make([]float64, len(tt.hi))
			for i := range tt.hi {
				d.Update(tt.hi[i], tt.lo[i])
				up[i], dn[i] = nan, nan
				if d.Ready() {
					up[i], dn[i] = d.Upper(), d.Lower()
				}
			}
			checkSeries(t, "upper", up, tt.up, 0)
			checkSeries(t, "lower", dn, tt.dn, 0)
		})
	}
}

// TestDonchianBruteForce compares the deques with a scan of the window over random bars,
// including long monotonic runs that fill the deques to capacity.
func TestDonchianBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, period := range []int{1, 2, 5, 20} {
		d := NewDonchian(period)
		var hs, ls []float64
		for i := range 5000 {
			var h float64
			switch (i / 100) % 3 {
			case 0:
				h = float64(i % 100) // rising run
			case 1:
				h = float64(100 - i%100) // falling run
			default:
				h = math.Round(rng.Float64() * 10) // many ties
			}
			l := h - math.Round(rng.Float64()*3)
			d.Update(h, l)
			hs, ls = append(hs, h), append(ls, l)
			if len(hs) < period {
				continue
			}
			maxH, minL := math.Inf(-1), math.Inf(1)
			for j := len(hs) - period; j < len(hs); j++ {
				maxH, minL = math.Max(maxH, hs[j]), math.Min(minL, ls[j])
			}
			if d.Upper() != maxH || d.Lower() != minL {
				t.Fatalf("period %d bar %d: got [%v, %v], want [%v, %v]", period, i, d.Lower(), d.Upper(), minL, maxH)
			}
		}
	}
}

// TestMACDMatchesEMAs checks MACD against its definition built from independent EMAs.
func TestMACDMatchesEMAs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := NewMACD(12, 26, 9)
	fast, slow, sig := NewEMA(12), NewEMA(26), NewEMA(9)
	x := 100.0
	for i := range 500 {
		x += rng.NormFloat64()
		m.Update(x)
		fast.Update(x)
		slow.Update(x)
		if slow.Ready() {
			sig.Update(fast.Value() - slow.Value())
		}
		if m.Ready() != (i >= 26+9-2) {
			t.Fatalf("value %d: Ready = %v", i, m.Ready())
		}
		if m.Ready() {
			if m.Value() != fast.Value()-slow.Value() || m.Signal() != sig.Value() {
				t.Fatalf("value %d: MACD %v/%v, want %v/%v", i, m.Value(), m.Signal(), fast.Value()-slow.Value(), sig.Value())
			}
		}
	}
}

// TestRollingNoDrift feeds a million values through SMA and StdDev windows and compares them
// with two-pass sums recomputed from the window. The input mixes a random walk far from zero
// with rare spikes eight orders of magnitude larger: a plain running sum loses the walk's low
// bits each time a spike enters and leaves and drifts away from the truth. A million values
// pass some 100 spikes and 5,000 exact resums (every four windows); ten million, as this test
// once fed, took a minute under -race and reached no other state.
func TestRollingNoDrift(t *testing.T) {
	const n, period = 1_000_000, 50
	rng := rand.New(rand.NewPCG(42, 7))
	sma, sd := NewSMA(period), NewStdDev(period)
	ring := make([]float64, period)
	x := 1e4
	worst := 0.0
	for i := range n {
		x += rng.NormFloat64()
		v := x
		if rng.IntN(10_000) == 0 {
			v = x * 1e8
		}
		sma.Update(v)
		sd.Update(v)
		ring[i%period] = v
		if i < period-1 || (i%7 != 0 && i != n-1) {
			continue
		}
		var s float64
		for _, w := range ring {
			s += w
		}
		mean := s / period
		var q float64
		for _, w := range ring {
			q += (w - mean) * (w - mean)
		}
		std := math.Sqrt(q / period)
		for _, c := range [...]struct{ got, want float64 }{{sma.Value(), mean}, {sd.Value(), std}, {sd.Mean(), mean}} {
			e := math.Abs(c.got-c.want) / math.Abs(c.want)
			if e > worst {
				worst = e
			}
			if e > 1e-9 {
				t.Fatalf("value %d: got %v, want %v (relative error %.3g)", i, c.got, c.want, e)
			}
		}
	}
	t.Logf("worst relative error over %d values: %.3g", n, worst)
}

// TestNoAllocs keeps the hot path allocation-free.
func TestNoAllocs(t *testing.T) {
	sma, sd, ema, rsi := NewSMA(20), NewStdDev(20), NewEMA(20), NewRSI(14)
	bb, macd, atr, dc := NewBollinger(20, 2), NewMACD(12, 26, 9), NewATR(14), NewDonchian(20)
	x := 100.0
	allocs := testing.AllocsPerRun(1000, func() {
		x += 0.5
		if int(x)%3 == 0 {
			x -= 1.7
		}
		sma.Update(x)
		sd.Update(x)
		ema.Update(x)
		rsi.Update(x)
		bb.Update(x)
		macd.Update(x)
		atr.Update(x+1, x-1, x)
		dc.Update(x+1, x-1)
		_ = sma.Value() + sd.Value() + ema.Value() + rsi.Value() + bb.Upper() + macd.Histogram() + atr.Value() + dc.Upper()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per update, want 0", allocs)
	}
}

func TestBadPeriodPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"SMA": func() { NewSMA(0) }, "StdDev": func() { NewStdDev(-1) }, "EMA": func() { NewEMA(0) },
		"RSI": func() { NewRSI(0) }, "ATR": func() { NewATR(0) }, "Donchian": func() { NewDonchian(0) },
		"MACD": func() { NewMACD(12, 0, 9) }, "Bollinger": func() { NewBollinger(0, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on a period below 1", name)
				}
			}()
			f()
		}()
	}
}
