package indicator

import "math"

// SMA is the simple moving average of the last Period values.
type SMA struct{ w window }

// NewSMA returns an SMA over period values.
func NewSMA(period int) *SMA { return &SMA{w: newWindow(period, false, "SMA")} }

// Update adds x, dropping the oldest value once the window is full.
func (s *SMA) Update(x float64) { s.w.push(x) }

// Ready reports whether Period values have been seen.
func (s *SMA) Ready() bool { return s.w.full() }

// Value is the average of the window, 0 until Ready.
func (s *SMA) Value() float64 {
	if !s.Ready() {
		return 0
	}
	return s.w.mean()
}

// Period is the window length.
func (s *SMA) Period() int { return len(s.w.buf) }

// StdDev is the rolling population standard deviation (divided by N, as Bollinger defines
// his bands) of the last Period values, with their mean.
type StdDev struct{ w window }

// NewStdDev returns a rolling standard deviation over period values.
func NewStdDev(period int) *StdDev { return &StdDev{w: newWindow(period, true, "StdDev")} }

// Update adds x, dropping the oldest value once the window is full.
func (s *StdDev) Update(x float64) { s.w.push(x) }

// Ready reports whether Period values have been seen.
func (s *StdDev) Ready() bool { return s.w.full() }

// Value is the population standard deviation of the window, 0 until Ready.
func (s *StdDev) Value() float64 {
	if !s.Ready() {
		return 0
	}
	return math.Sqrt(s.w.variance())
}

// Mean is the average of the window, 0 until Ready.
func (s *StdDev) Mean() float64 {
	if !s.Ready() {
		return 0
	}
	return s.w.mean()
}

// EMA is the exponential moving average with smoothing 2/(Period+1), seeded, as TA-Lib and
// backtrader seed it, with the simple average of the first Period values: it is Ready after
// Period values and does not depend on where the data starts beyond that.
type EMA struct {
	period int
	alpha  float64
	n      int
	seed   float64 // running sum of the first period values
	value  float64
}

// NewEMA returns an EMA with smoothing 2/(period+1).
func NewEMA(period int) *EMA {
	if period < 1 {
		panic("indicator: EMA period < 1")
	}
	return &EMA{period: period, alpha: 2 / float64(period+1)}
}

// NewWilder returns Wilder's moving average (smoothing 1/period), the average RSI and ATR use.
func NewWilder(period int) *EMA {
	if period < 1 {
		panic("indicator: Wilder period < 1")
	}
	return &EMA{period: period, alpha: 1 / float64(period)}
}

// Update adds x.
func (e *EMA) Update(x float64) {
	if e.n < e.period {
		e.n++
		e.seed += x
		if e.n == e.period {
			e.value = e.seed / float64(e.period)
		}
		return
	}
	e.value += e.alpha * (x - e.value)
}

// Ready reports whether Period values have been seen.
func (e *EMA) Ready() bool { return e.n == e.period }

// Value is the current average, 0 until Ready.
func (e *EMA) Value() float64 { return e.value }

// Period is the span the smoothing was built from.
func (e *EMA) Period() int { return e.period }
